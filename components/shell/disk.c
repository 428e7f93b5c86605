/*
 * disk.c — the shell's `disk` command, straight to the AHCI driver.
 *
 *   disk                          every disk: model, capacity, sector size, state
 *   disk read LBA COUNT [DISK]    one sector: a hex dump; more: a CRC-32 (see crc32.h)
 *   disk write LBA COUNT BYTE [DISK]   fills the sectors with BYTE, then flushes
 *   disk flush [DISK]             the disk's write cache to its medium
 *
 * Data moves through one 64 KiB buffer of the shell's heap, granted
 * read-write to the driver (which pins it for its device while a request is
 * in flight), in pieces of at most 64 KiB, by the driver's synchronous
 * `transfer`.  The grant is made again whenever it is missing: the kernel
 * takes it back when the driver restarts.  The shell checks nothing about
 * the range itself: what the driver refuses is what the user sees, as an
 * `error: ` line with the disk's geometry for context.
 */
#include "components/shell/disk.h"

#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "ahci_client.h"
#include "components/shell/crc32.h"
#include "drivers/ahci/request.h"

#define BUFFER_SIZE (64 * 1024)
#define OP_READ  AHCI_OP_READ
#define OP_WRITE AHCI_OP_WRITE
#define OP_FLUSH AHCI_OP_FLUSH

struct disk_info {
	uint64_t sectors;
	uint32_t sector_size;
	unsigned depth, port;
	unsigned flags;         /* 1 NCQ, 2 given up, 4 recovering, 8 not serviced */
	char model[49];
};

static uint8_t *buffer;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_printf("error: %s\n", msg);
}

static const char *why(int64_t err)
{
	const char *text = pinfold_strerror(err);
	return text ? text : "failed";
}

static int64_t disk_info(cap_t cap, uint64_t n, struct disk_info *di)
{
	uint64_t details;
	int64_t err = ahci_info(cap, n, &di->sectors, &details);
	if (err < 0)
		return err;
	di->sector_size = (uint32_t)details;
	di->depth = (details >> 32) & 0xff;
	di->port = (details >> 40) & 0xff;
	di->flags = (details >> 48) & 0xff;
	memset(di->model, 0, sizeof di->model);
	for (uint64_t part = 0; part < 3; part++) {
		uint64_t words[2];
		if (ahci_model(cap, n, part, &words[0], &words[1]) < 0)
			break;
		memcpy(di->model + 16 * part, words, 16);
	}
	return 0;
}

static const char *state(unsigned flags)
{
	return flags & 2 ? "given up" : flags & 4 ? "recovering" : flags & 8 ? "not serviced (hang)" : "ready";
}

static void list(cap_t cap)
{
	struct disk_info di;
	uint64_t n = 0;
	int64_t err;
	for (; (err = disk_info(cap, n, &di)) == 0; n++) {
		uint64_t bytes = di.sectors * di.sector_size;
		log_printf("disk %lu: %s, %lu sectors of %u bytes (%lu MiB), port %u, %s %u, %s\n", n, di.model,
			   di.sectors, di.sector_size, bytes >> 20, di.port, di.flags & 1 ? "NCQ depth" : "slots",
			   di.depth, state(di.flags));
	}
	if (err != E_NOT_FOUND)
		fail("disk: the driver does not answer: %s", why(err));
	else if (n == 0)
		log_printf("no disks\n");
}

/* One request of the driver's on our buffer; grants the buffer first if the grant is gone. */
static int64_t transfer(cap_t cap, uint64_t disk, uint64_t op, uint64_t lba, uint64_t count)
{
	int64_t g = mem_grant(buffer, BUFFER_SIZE, cap, GRANT_READ | GRANT_WRITE);
	if (g < 0 && g != E_BUSY)       /* E_BUSY: it is granted already */
		return g;
	return ahci_transfer(cap, disk, op, lba, count, (uint64_t)buffer);
}

/* The error line for a refused request, with what the disk allows. */
static void refused(const char *what, cap_t cap, uint64_t disk, int64_t err)
{
	struct disk_info di;
	if ((err == E_INVAL || err == E_LIMIT) && disk_info(cap, disk, &di) == 0)
		fail("%s: %s (disk %lu has %lu sectors; at most %u per request)", what, why(err), disk,
		     di.sectors, AHCI_MAX_REQUEST_BYTES / di.sector_size);
	else if (err == E_NOT_FOUND)
		fail("%s: no disk %lu (see disk)", what, disk);
	else
		fail("%s: %s", what, why(err));
}

static void hexdump(const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		char line[80];
		int n = snprintf(line, sizeof line, "%04lx:", (unsigned long)off);
		for (size_t i = 0; i < 16 && off + i < len; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, " %02x", p[off + i]);
		n += snprintf(line + n, sizeof line - (size_t)n, "  ");
		for (size_t i = 0; i < 16 && off + i < len; i++)
			line[n++] = p[off + i] >= 0x20 && p[off + i] < 0x7f ? (char)p[off + i] : '.';
		line[n] = 0;
		log_printf("%s\n", line);
	}
}

/* Reads or writes `count` sectors from `lba` in pieces that fit the buffer. */
static void move(cap_t cap, uint64_t op, uint64_t disk, uint64_t lba, uint64_t count, uint8_t fill,
		 const char *what)
{
	struct disk_info di;
	int64_t err = disk_info(cap, disk, &di);
	if (err < 0) {
		refused(what, cap, disk, err);
		return;
	}
	uint64_t per = BUFFER_SIZE / di.sector_size, done = 0;
	uint32_t crc = 0;
	if (op == OP_WRITE)
		memset(buffer, fill, BUFFER_SIZE);
	do {
		/* A count of 0 goes to the driver too, whose refusal is the answer. */
		uint64_t n = count - done < per ? count - done : per;
		err = transfer(cap, disk, op, lba + done, n);
		if (err < 0) {
			if (done)
				log_printf("(%lu sectors done before)\n", done);
			refused(what, cap, disk, err);
			return;
		}
		if (op == OP_READ)
			crc = crc32_update(crc, buffer, n * di.sector_size);
		done += n;
	} while (done < count);
	if (op == OP_READ && count == 1)
		hexdump(buffer, di.sector_size);
	else if (op == OP_READ)
		log_printf("crc32 0x%08x of %lu sectors (%lu bytes) from sector %lu\n", crc, count,
			   count * di.sector_size, lba);
	else if ((err = transfer(cap, disk, OP_FLUSH, 0, 0)) < 0)
		refused(what, cap, disk, err);
	else
		log_printf("wrote %lu sectors of 0x%02x from sector %lu, flushed\n", count, fill, lba);
}

static bool number(const char *word, const char *name, uint64_t *out)
{
	if (words_number(word, out))
		return true;
	fail("disk: %s '%s' is not a number", name, word);
	return false;
}

void shell_disk(const struct words *w)
{
	int64_t c = cap_lookup("ahci");
	if (c < 0) {
		fail("disk: no disk driver (the shell holds no capability for ahci)");
		return;
	}
	cap_t cap = (cap_t)c;
	if (w->count == 1) {
		list(cap);
		return;
	}
	if (!buffer && !(buffer = mem_alloc(BUFFER_SIZE))) {
		fail("disk: no memory for a buffer");
		return;
	}
	const char *sub = w->v[1];
	uint64_t lba, count, fill = 0, disk = 0;
	char what[64];
	snprintf(what, sizeof what, "disk %s", sub);
	if (strcmp(sub, "read") == 0 && (w->count == 4 || w->count == 5)) {
		if (number(w->v[2], "LBA", &lba) && number(w->v[3], "COUNT", &count) &&
		    (w->count == 4 || number(w->v[4], "DISK", &disk)))
			move(cap, OP_READ, disk, lba, count, 0, what);
	} else if (strcmp(sub, "write") == 0 && (w->count == 5 || w->count == 6)) {
		if (!number(w->v[2], "LBA", &lba) || !number(w->v[3], "COUNT", &count) ||
		    !number(w->v[4], "BYTE", &fill) || (w->count == 6 && !number(w->v[5], "DISK", &disk)))
			return;
		if (fill > 0xff)
			fail("disk write: BYTE must be 0 to 255, not %lu", fill);
		else
			move(cap, OP_WRITE, disk, lba, count, (uint8_t)fill, what);
	} else if (strcmp(sub, "flush") == 0 && w->count <= 3) {
		int64_t err = 0;
		if (w->count == 3 && !number(w->v[2], "DISK", &disk))
			return;
		if ((err = transfer(cap, disk, OP_FLUSH, 0, 0)) < 0)
			refused(what, cap, disk, err);
		else
			log_printf("disk %lu flushed\n", disk);
	} else {
		fail("usage: disk | disk read LBA COUNT [DISK] | disk write LBA COUNT BYTE [DISK] | disk flush [DISK]");
	}
}
