/*
 * service.c — the FAT file system as a component: fat.idl's methods on the
 * volume of disk 0.
 *
 * The library (fat.h) does the file system; this file is its glue to
 * callers.  Each method is stateless for its caller: it names a file by
 * path, and a file written is opened, written and closed (and the volume
 * flushed; so are unlink and make_dir) within the one call, so a caller
 * that dies leaves nothing open and every acknowledged change is on the
 * disk.  Only reading keeps something between calls, and only as a cache:
 * the file of the last read_bytes and its position (see `reader`).
 *
 * fat never touches a caller's buffer itself.  The path is copied out of
 * it first, into fat's memory, so the caller cannot change it half-way
 * through a lookup; data moves between the buffer and a staging area of
 * fat's with the kernel's mem_copy, which answers E_FAULT for memory that
 * is not granted (or not writable, or revoked meanwhile) instead of
 * faulting fat.  caller.c makes sure the buffer is the caller's own.
 *
 * The volume is mounted by the first method that needs it, not in init:
 * block, above fat in the manifest, is up by then, and a disk that is
 * missing or has no file system is an error for that call to report, not a
 * reason for fat to fail to start.  A failed mount is tried again by the
 * next call.
 *
 * The library is not thread-safe, and fat has several entry stacks (the
 * manifest), so one lock makes the methods run one at a time.
 */
#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "components/fat/blockdev.h"
#include "components/fat/caller.h"
#include "components/fat/fat.h"
#include "components/fat/listing.h"
#include "fat_server.h"

#define PATH_MAX_BYTES 1024
#define DATA_MAX (64 * 1024)            /* bytes one call moves (fat.idl) */

static struct fat_volume volume;        /* 20 KiB: static, as is everything large */
static struct fat_blockdev disk;
static struct fat_file file;
static struct fat_dir dir;
static struct fat_dirent entry;
static char path[PATH_MAX_BYTES + 1];
static uint8_t staging[DATA_MAX];      /* data on its way to or from a caller */
static char reason[FAT_MESSAGE_MAX + 80];       /* explain()'s text */
static volatile int busy;

static void lock(void)
{
	while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		thread_yield();
}

static void unlock(void)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

/* Records what went wrong for explain() and passes the error on. */
static int64_t failed(int64_t err, const char *why)
{
	strlcpy(reason, why, sizeof reason);
	return err;
}

/* A library error as a pinfold error (fat.idl), with its explanation kept for explain(). */
static int64_t fat_failed(int error)
{
	const char *detail = fat_message(&volume);
	if (detail[0])
		snprintf(reason, sizeof reason, "%s: %s", fat_strerror(error), detail);
	else
		snprintf(reason, sizeof reason, "%s", fat_strerror(error));
	switch (-error) {
	case FAT_E_NOT_FOUND:
		return E_NOT_FOUND;
	case FAT_E_EXISTS:
	case FAT_E_NOT_EMPTY:
		return E_BUSY;
	case FAT_E_NO_SPACE:
	case FAT_E_DIR_FULL:
	case FAT_E_TOO_BIG:
		return E_LIMIT;
	case FAT_E_READ_ONLY:
		return E_DENIED;
	case FAT_E_NOT_DIR:
	case FAT_E_IS_DIR:
	case FAT_E_BAD_NAME:
	case FAT_E_INVALID:
		return E_INVAL;
	default:                /* no file system, a damaged one, or the disk failed */
		return E_IO;
	}
}

static int64_t mounted(void)
{
	if (volume.mounted)
		return 0;
	char why[120];
	int64_t err = blockdev_open(&disk, why, sizeof why);
	if (err < 0)
		return failed(err, why);
	int r = fat_mount(&volume, &disk);
	return r < 0 ? fat_failed(r) : 0;
}

/*
 * The checks every method that names a path makes: the buffer holds the
 * path and `data` bytes more, all of it the caller's; the path is copied
 * out, NUL-terminated; and the volume is mounted.
 */
static int64_t begin(uint64_t buffer, uint64_t path_len, uint64_t data)
{
	if (path_len == 0 || path_len > PATH_MAX_BYTES || data > DATA_MAX)
		return failed(E_INVAL, "a path of 1 to 1024 bytes and at most 64 KiB of data");
	if (caller_range_check(buffer, path_len + data) < 0)
		return failed(E_FAULT, "the buffer is not the caller's memory");
	if (mem_copy(path, (const void *)buffer, path_len) < 0)
		return failed(E_FAULT, "the buffer is not granted to fat");
	path[path_len] = 0;
	if (strlen(path) != path_len)
		return failed(E_INVAL, "the path has a NUL byte");
	return mounted();
}

/* Copies n bytes of staging out to the caller's buffer. */
static int64_t hand_out(uint64_t buffer, uint64_t n)
{
	if (n && mem_copy((void *)buffer, staging, n) < 0)
		return failed(E_FAULT, "the buffer is not granted to fat for writing");
	return 0;
}

int64_t serve_lookup(uint64_t buffer, uint64_t path_len, uint64_t *size, uint64_t *attributes)
{
	lock();
	int64_t err = begin(buffer, path_len, 0);
	int r = err < 0 ? 0 : fat_stat(&volume, path, &entry);
	if (err == 0 && r < 0)
		err = fat_failed(r);
	if (err == 0) {
		*size = entry.size;
		*attributes = entry.attr;
	}
	unlock();
	return err;
}

static uint64_t listed;                 /* bytes list() packed */

/* Packs the entries after the first `skip` into out[0 .. length). */
static int64_t list(uint8_t *out, uint64_t skip, uint64_t length, uint64_t *count, uint64_t *next)
{
	int r = fat_opendir(&volume, path, &dir);
	for (uint64_t i = 0; r >= 0 && i < skip; i++)
		if ((r = fat_readdir(&dir, &entry)) == 0)
			return 0;       /* fewer than skip: nothing more */
	uint64_t used = 0;
	listed = 0;
	while (r >= 0 && (r = fat_readdir(&dir, &entry)) > 0) {
		uint32_t name_len = (uint32_t)strlen(entry.name);
		uint32_t bytes = fat_listing_size(name_len);
		if (bytes > length - used) {
			*next = skip + *count;
			if (*count == 0)
				return failed(E_LIMIT, "the buffer is too small for one entry");
			return 0;
		}
		struct fat_listing_entry head = {
			.size = entry.size, .attributes = entry.attr, .name_len = (uint16_t)name_len,
		};
		memcpy(out + used, &head, sizeof head);
		memcpy(out + used + sizeof head, entry.name, name_len);
		used += bytes;
		listed = used;
		(*count)++;
	}
	return r < 0 ? fat_failed(r) : 0;
}

int64_t serve_list(uint64_t buffer, uint64_t path_len, uint64_t skip, uint64_t length, uint64_t *count,
		   uint64_t *next)
{
	lock();
	*count = 0;
	*next = 0;
	int64_t err = begin(buffer, path_len, length);
	if (err == 0)
		err = list(staging, skip, length, count, next);
	if (err == 0)
		err = hand_out(buffer, listed);
	unlock();
	return err;
}

/*
 * The file the last read_bytes left open, and where it stopped.  A client
 * that reads a file from start to end in 64 KiB calls (the shell's cat and
 * sum) continues from there; opening the file afresh would walk its cluster
 * chain from the start at every call, which for a file of many clusters
 * costs more than the data.  Every method that changes the volume closes
 * it first, so it never sees a file change under it.
 */
static struct fat_file reader;
static char reader_path[PATH_MAX_BYTES + 1];
static uint64_t reader_offset;
static bool reader_open;

static void reader_close(void)
{
	if (reader_open)
		fat_close(&reader);
	reader_open = false;
}

static int64_t read_bytes(uint8_t *out, uint64_t offset, uint64_t length, uint64_t *bytes, uint64_t *size)
{
	if (!reader_open || offset != reader_offset || strcmp(path, reader_path) != 0) {
		reader_close();
		int r = fat_open(&volume, path, FAT_READ, &reader);
		if (r < 0)
			return fat_failed(r);
		reader_open = true;
		reader_offset = 0;
		strlcpy(reader_path, path, sizeof reader_path);
	}
	*size = fat_size(&reader);
	long n = 0;
	if (offset < fat_size(&reader)) {
		int r = offset == reader_offset ? 0 : fat_seek(&reader, (uint32_t)offset);
		n = r < 0 ? r : fat_read(&reader, out, length);
	}
	if (n < 0) {
		reader_close();
		return fat_failed((int)n);
	}
	reader_offset = offset + (uint64_t)n;
	*bytes = (uint64_t)n;
	return 0;
}

int64_t serve_read_bytes(uint64_t buffer, uint64_t path_len, uint64_t offset, uint64_t length, uint64_t *bytes,
			 uint64_t *size)
{
	lock();
	*bytes = *size = 0;
	int64_t err = begin(buffer, path_len, length);
	if (err == 0)
		err = read_bytes(staging, offset, length, bytes, size);
	if (err == 0)
		err = hand_out(buffer, *bytes);
	if (err < 0)
		*bytes = 0;
	unlock();
	return err;
}

static int64_t write_bytes(const uint8_t *data, uint64_t length, bool append, uint64_t *size, uint64_t *created)
{
	reader_close();
	*created = fat_stat(&volume, path, &entry) == -FAT_E_NOT_FOUND;
	unsigned flags = FAT_WRITE | FAT_CREATE | (append ? FAT_APPEND : FAT_TRUNCATE);
	int r = fat_open(&volume, path, flags, &file);
	if (r < 0)
		return fat_failed(r);
	long n = length ? fat_write(&file, data, length) : 0;
	*size = fat_size(&file);
	r = fat_close(&file);           /* writes the entry back and flushes */
	if (n < 0)
		return fat_failed((int)n);
	if (r < 0)
		return fat_failed(r);
	if ((uint64_t)n < length)
		return failed(E_LIMIT, "no space left on the volume: the file holds what fitted");
	return 0;
}

int64_t serve_write_bytes(uint64_t buffer, uint64_t path_len, uint64_t length, uint64_t append, uint64_t *size,
			  uint64_t *created)
{
	lock();
	*size = *created = 0;
	int64_t err = begin(buffer, path_len, length);
	if (err == 0 && append > 1)
		err = failed(E_INVAL, "append is 0 (replace) or 1 (append)");
	if (err == 0 && length && mem_copy(staging, (const void *)(buffer + path_len), length) < 0)
		err = failed(E_FAULT, "the buffer is not granted to fat");
	if (err == 0)
		err = write_bytes(staging, length, append, size, created);
	unlock();
	return err;
}

/* unlink and make_dir: one change to the tree at the caller's path, on the disk before the answer. */
static int64_t change_at_path(uint64_t buffer, uint64_t path_len,
			      int (*change)(struct fat_volume *, const char *))
{
	lock();
	int64_t err = begin(buffer, path_len, 0);
	if (err == 0)
		reader_close();
	int r = err < 0 ? 0 : change(&volume, path);
	if (err == 0 && r == 0)
		r = fat_flush(&volume);    /* acknowledged means on the disk */
	if (err == 0 && r < 0)
		err = fat_failed(r);
	unlock();
	return err;
}

int64_t serve_unlink(uint64_t buffer, uint64_t path_len)
{
	return change_at_path(buffer, path_len, fat_remove);
}

int64_t serve_make_dir(uint64_t buffer, uint64_t path_len)
{
	return change_at_path(buffer, path_len, fat_mkdir);
}

int64_t serve_explain(uint64_t buffer, uint64_t length, uint64_t *bytes)
{
	lock();
	uint64_t n = strlen(reason);
	if (n > length)
		n = length;
	*bytes = 0;
	int64_t err = caller_range_check(buffer, n);
	if (err == 0 && n && mem_copy((void *)buffer, reason, n) < 0)
		err = E_FAULT;
	if (err == 0)
		*bytes = n;
	unlock();
	return err;
}

int64_t serve_volume(uint64_t *type, uint64_t *free_bytes)
{
	lock();
	struct fat_info info;
	int64_t err = mounted();
	int r = err < 0 ? 0 : fat_info(&volume, &info);
	if (err == 0 && r < 0)
		err = fat_failed(r);
	if (err == 0) {
		long free_clusters = info.free_clusters;
		if (info.free_clusters == 0xffffffffu)
			free_clusters = fat_count_free(&volume);
		if (free_clusters < 0)
			err = fat_failed((int)free_clusters);
		*type = info.type;
		*free_bytes = free_clusters < 0 ? 0 : (uint64_t)free_clusters * info.cluster_bytes;
	}
	unlock();
	return err;
}

int64_t component_init(void)
{
	snprintf(reason, sizeof reason, "no failure yet");
	return 0;
}
