/*
 * file.c — open, read, write, seek and close.
 *
 * Transfers are planned per run of contiguous clusters: the run's whole
 * sectors move in one block-device call straight between the disk and the
 * caller's buffer (mkfs'd and freshly written files are mostly contiguous,
 * so a large read is a few large requests), and only the ragged first and
 * last sectors go through the cache.  Writing a sector that holds no file
 * data yet needs no read first.
 *
 * Consistency checks on the file's chain against its size: a chain that
 * ends before the size is reached, or goes on past it, is reported as
 * corruption — the latter when a read reaches the end of the file or a
 * write would extend into the extra clusters (which may belong to another
 * file).  Together with chain_next's cycle detection this means a damaged
 * chain is reported, not followed.
 *
 * New clusters extend the chain one at a time, each linked as soon as it
 * is allocated, so the FAT is consistent after every step and a full disk
 * leaves a shorter file, not a broken one.  The size in the directory entry
 * is written at fat_close.
 */
#include <string.h>

#include "components/fat/cache.h"
#include "components/fat/dir.h"
#include "components/fat/error.h"
#include "components/fat/path.h"
#include "components/fat/table.h"

#define FILE_SIZE_MAX 0xffffffffu      /* the directory entry's size field is 32 bits */

static int check_file(struct fat_file *file)
{
	if (!file || !file->open || !file->vol || !file->vol->mounted)
		return -FAT_E_INVALID;
	return 0;
}

int fat_open(struct fat_volume *vol, const char *path, unsigned flags, struct fat_file *file)
{
	struct fat_dirent e;
	const char *name;
	uint32_t parent;
	size_t len;
	int rc;

	if (!vol || !vol->mounted || !path || !file)
		return -FAT_E_INVALID;
	memset(file, 0, sizeof *file);
	if (!(flags & (FAT_READ | FAT_WRITE)) ||
	    ((flags & (FAT_CREATE | FAT_TRUNCATE | FAT_APPEND)) && !(flags & FAT_WRITE)) ||
	    (flags & ~(FAT_READ | FAT_WRITE | FAT_CREATE | FAT_TRUNCATE | FAT_APPEND | FAT_EXCL)))
		return fat_fail(vol, FAT_E_INVALID, "open flags 0x%x make no sense", flags);
	if ((flags & FAT_WRITE) && vol->read_only)
		return fat_fail(vol, FAT_E_READ_ONLY, "the disk is read-only");

	rc = path_split(vol, path, &parent, &name, &len, &e);
	if (rc)
		return rc;
	rc = dir_find(vol, parent, name, len, &e);
	if (rc == -FAT_E_NOT_FOUND && (flags & FAT_CREATE))
		rc = dir_add(vol, parent, name, len, FAT_ATTR_ARCHIVE, 0, &e);
	else if (rc == 0 && (flags & FAT_CREATE) && (flags & FAT_EXCL))
		return fat_fail(vol, FAT_E_EXISTS, "'%s' exists", e.name);
	if (rc)
		return rc;
	if (e.attr & FAT_ATTR_DIRECTORY)
		return fat_fail(vol, FAT_E_IS_DIR, "'%s' is a directory", e.name);
	if ((flags & FAT_WRITE) && (e.attr & FAT_ATTR_READ_ONLY))
		return fat_fail(vol, FAT_E_READ_ONLY, "'%s' has the read-only attribute", e.name);
	if ((uint64_t)e.size > (uint64_t)vol->cluster_count * vol->cluster_bytes)
		return fat_fail(vol, FAT_E_CORRUPT, "'%s' is %u bytes, more than the volume holds",
				e.name, e.size);
	if (e.size && !e.first_cluster)
		return fat_fail(vol, FAT_E_CORRUPT, "'%s' is %u bytes but has no cluster", e.name, e.size);
	rc = chain_start(vol, &file->chain, e.first_cluster);
	if (rc)
		return rc;

	file->vol = vol;
	file->dir_cluster = e.dir_cluster;
	file->entry_index = e.entry_index;
	memcpy(file->raw_name, e.raw_name, sizeof file->raw_name);
	file->first_cluster = e.first_cluster;
	file->size = e.size;
	file->flags = flags;
	file->open = true;
	if ((flags & FAT_TRUNCATE) && e.first_cluster) {
		long freed = table_free_chain(vol, e.first_cluster);
		/* The entry must not keep pointing at clusters that may now be free. */
		file->first_cluster = 0;
		file->size = 0;
		file->entry_dirty = true;
		chain_start(vol, &file->chain, 0);
		if (freed < 0) {
			dir_update(vol, file->dir_cluster, file->entry_index, file->raw_name, 0, 0);
			file->open = false;
			return (int)freed;
		}
	} else if (flags & FAT_TRUNCATE) {
		file->size = 0;
		file->entry_dirty = e.size != 0;
	}
	if (flags & FAT_APPEND)
		file->pos = file->size;
	return 0;
}

/* Reads n bytes at byte `offset` of volume sector `sector` into buf. */
static int data_read(struct fat_volume *vol, uint32_t sector, uint32_t offset, uint8_t *buf, size_t n)
{
	uint32_t bps = vol->bytes_per_sector;
	uint8_t *s;
	int rc;

	if (offset) {
		size_t part = bps - offset < n ? bps - offset : n;
		rc = cache_get(vol, sector, CACHE_READ, &s);
		if (rc)
			return rc;
		memcpy(buf, s + offset, part);
		buf += part;
		n -= part;
		sector++;
	}
	if (n >= bps) {
		uint32_t whole = (uint32_t)(n / bps);
		rc = vol_read(vol, sector, whole, buf);
		if (rc)
			return rc;
		cache_overlay(vol, sector, whole, buf);
		buf += (size_t)whole * bps;
		n -= (size_t)whole * bps;
		sector += whole;
	}
	if (n) {
		rc = cache_get(vol, sector, CACHE_READ, &s);
		if (rc)
			return rc;
		memcpy(buf, s, n);
	}
	return 0;
}

/*
 * Writes n bytes at byte `offset` of volume sector `sector`.  keep_tail says
 * the bytes after the last one written, in its sector, are file data to keep.
 */
static int data_write(struct fat_volume *vol, uint32_t sector, uint32_t offset, const uint8_t *buf,
		      size_t n, bool keep_tail)
{
	uint32_t bps = vol->bytes_per_sector;
	uint8_t *s;
	int rc;

	if (offset || n < bps) {
		size_t part = bps - offset < n ? bps - offset : n;
		/* Bytes before offset are file data; so are those after, if the write ends here. */
		bool keep = offset || (part == n && keep_tail);
		rc = cache_get(vol, sector, keep ? CACHE_MODIFY : CACHE_OVERWRITE, &s);
		if (rc)
			return rc;
		memcpy(s + offset, buf, part);
		buf += part;
		n -= part;
		sector++;
	}
	if (n >= bps) {
		uint32_t whole = (uint32_t)(n / bps);
		cache_drop(vol, sector, whole);
		rc = vol_write(vol, sector, whole, buf);
		if (rc)
			return rc;
		buf += (size_t)whole * bps;
		n -= (size_t)whole * bps;
		sector += whole;
	}
	if (n) {
		rc = cache_get(vol, sector, keep_tail ? CACHE_MODIFY : CACHE_OVERWRITE, &s);
		if (rc)
			return rc;
		memcpy(s, buf, n);
	}
	return 0;
}

/* Extends the run from the chain's cluster while the next one is adjacent. */
static uint64_t extend_read_run(struct fat_file *file, uint64_t run, uint64_t want, int *error)
{
	struct fat_volume *vol = file->vol;

	while (run < want) {
		struct fat_chain next = file->chain;
		int rc = chain_next(vol, &next);
		if (rc < 0)
			*error = rc;
		if (rc != 1 || next.cluster != file->chain.cluster + 1)
			break;
		file->chain = next;
		run += vol->cluster_bytes;
	}
	return run;
}

/* After reading the last byte: the chain must end at this cluster. */
static int check_chain_end(struct fat_file *file)
{
	struct fat_chain next = file->chain;
	int rc = chain_next(file->vol, &next);

	if (rc == 1)
		return fat_fail(file->vol, FAT_E_CORRUPT,
				"the cluster chain of a %u-byte file goes on beyond its size", file->size);
	return rc;
}

static int seek_cluster(struct fat_file *file, uint32_t index)
{
	int rc = chain_seek(file->vol, &file->chain, index);

	if (rc == 0)
		return fat_fail(file->vol, FAT_E_CORRUPT,
				"the cluster chain of a %u-byte file ends after %u clusters",
				file->size, file->chain.index + 1);
	return rc < 0 ? rc : 0;
}

long fat_read(struct fat_file *file, void *buf, size_t len)
{
	struct fat_volume *vol;
	uint8_t *out = buf;
	size_t done = 0;
	int rc = check_file(file);

	if (rc)
		return rc;
	vol = file->vol;
	if (!(file->flags & FAT_READ))
		return fat_fail(vol, FAT_E_INVALID, "the file was not opened for reading");
	if (!buf && len)
		return fat_fail(vol, FAT_E_INVALID, "no buffer");
	if (file->pos >= file->size)
		return 0;
	if (len > file->size - file->pos)
		len = file->size - file->pos;

	while (done < len) {
		uint32_t offset = file->pos & (vol->cluster_bytes - 1);
		rc = seek_cluster(file, file->pos >> vol->cluster_shift);
		if (rc)
			return rc;
		uint32_t first = file->chain.cluster;
		int error = 0;
		uint64_t run = extend_read_run(file, vol->cluster_bytes - offset, len - done, &error);
		if (error)
			return error;
		size_t n = run < len - done ? (size_t)run : len - done;
		rc = data_read(vol, cluster_sector(vol, first) + offset / vol->bytes_per_sector,
			       offset % vol->bytes_per_sector, out + done, n);
		if (rc)
			return rc;
		done += n;
		file->pos += (uint32_t)n;
	}
	if (file->pos == file->size) {
		rc = check_chain_end(file);
		if (rc)
			return rc;
	}
	return (long)done;
}

/* Positions the chain at cluster `index`, adding a cluster if the file ends just before it. */
static int write_cluster(struct fat_file *file, uint32_t index)
{
	struct fat_volume *vol = file->vol;
	uint32_t fresh;
	int rc;

	if (file->first_cluster == 0) {
		rc = table_alloc(vol, 0, &fresh);
		if (rc)
			return rc;
		file->first_cluster = fresh;
		file->entry_dirty = true;
		return chain_start(vol, &file->chain, fresh);
	}
	rc = chain_seek(vol, &file->chain, index);
	if (rc < 0)
		return rc;
	bool beyond_size = (uint64_t)index << vol->cluster_shift >= file->size;
	if (rc == 1 && beyond_size)
		return fat_fail(vol, FAT_E_CORRUPT,
				"the cluster chain of a %u-byte file goes on beyond its size", file->size);
	if (rc == 1)
		return 0;
	if (!beyond_size || file->chain.index + 1 != index)
		return seek_cluster(file, index);  /* reports the short chain */
	rc = table_alloc(vol, file->chain.cluster + 1, &fresh);
	if (rc)
		return rc;
	rc = table_link(vol, file->chain.cluster, fresh);
	if (rc) {
		table_free_chain(vol, fresh);
		return rc;
	}
	return seek_cluster(file, index);
}

/* Extends a write's run with adjacent clusters: existing ones, or free ones taken now. */
static uint64_t extend_write_run(struct fat_file *file, uint64_t run, uint64_t want, int *error)
{
	struct fat_volume *vol = file->vol;

	while (run < want) {
		uint32_t adjacent = file->chain.cluster + 1;
		uint64_t next_start = (uint64_t)(file->chain.index + 1) << vol->cluster_shift;
		int rc;

		if (next_start < file->size) {
			struct fat_chain next = file->chain;
			rc = chain_next(vol, &next);
			if (rc < 0)
				*error = rc;
			if (rc != 1 || next.cluster != adjacent)
				break;
			file->chain = next;
		} else {
			rc = table_alloc_exact(vol, adjacent);
			if (rc < 0)
				*error = rc;
			if (rc != 1)
				break;
			rc = table_link(vol, file->chain.cluster, adjacent);
			if (rc == 0)
				rc = chain_next(vol, &file->chain);
			if (rc != 1) {
				*error = rc < 0 ? rc : -FAT_E_CORRUPT;
				break;
			}
		}
		run += vol->cluster_bytes;
	}
	return run;
}

long fat_write(struct fat_file *file, const void *buf, size_t len)
{
	struct fat_volume *vol;
	const uint8_t *in = buf;
	size_t done = 0;
	int rc = check_file(file);

	if (rc)
		return rc;
	vol = file->vol;
	if (!(file->flags & FAT_WRITE))
		return fat_fail(vol, FAT_E_READ_ONLY, "the file was not opened for writing");
	if (!buf && len)
		return fat_fail(vol, FAT_E_INVALID, "no buffer");
	if (len > FILE_SIZE_MAX - file->pos)
		len = FILE_SIZE_MAX - file->pos;
	if (len == 0)
		return file->pos == FILE_SIZE_MAX ? fat_fail(vol, FAT_E_TOO_BIG, "a FAT file ends at 4 GiB - 1") : 0;

	while (done < len) {
		uint32_t offset = file->pos & (vol->cluster_bytes - 1);
		rc = write_cluster(file, file->pos >> vol->cluster_shift);
		if (rc)
			break;
		uint32_t first = file->chain.cluster;
		int error = 0;
		uint64_t run = extend_write_run(file, vol->cluster_bytes - offset, len - done, &error);
		size_t n = run < len - done ? (size_t)run : len - done;
		rc = data_write(vol, cluster_sector(vol, first) + offset / vol->bytes_per_sector,
				offset % vol->bytes_per_sector, in + done, n, file->pos + n < file->size);
		if (rc)
			break;
		done += n;
		file->pos += (uint32_t)n;
		if (file->pos > file->size)
			file->size = file->pos;
		file->entry_dirty = true;
		if (error) {
			rc = error;
			break;
		}
	}
	/* A full disk ends the write early; what was written stays, and counts. */
	if (rc == -FAT_E_NO_SPACE && done)
		return (long)done;
	return rc ? rc : (long)done;
}

int fat_seek(struct fat_file *file, uint32_t pos)
{
	int rc = check_file(file);

	if (rc)
		return rc;
	if (pos > file->size)
		return fat_fail(file->vol, FAT_E_INVALID, "seek to %u beyond the end (%u)", pos, file->size);
	file->pos = pos;
	return 0;
}

int fat_close(struct fat_file *file)
{
	int rc = check_file(file), flushed;

	if (rc)
		return rc;
	file->open = false;
	if (file->entry_dirty)
		rc = dir_update(file->vol, file->dir_cluster, file->entry_index, file->raw_name,
				file->first_cluster, file->size);
	flushed = file->flags & FAT_WRITE ? fat_flush(file->vol) : 0;
	return rc ? rc : flushed;
}
