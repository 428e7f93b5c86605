/*
 * disk.c — the shell's `disk` command, straight to the AHCI driver.
 *
 *   disk                          every disk: model, capacity, sector size, state
 *   disk read LBA COUNT [DISK]    one sector: a hex dump; more: their SHA-256 (as sha256sum prints it)
 *   disk write LBA COUNT BYTE [DISK]   fills the sectors with BYTE, then flushes
 *   disk flush [DISK]             the disk's write cache to its medium
 *   disk queue LBA COUNT [DISK]   a read through the asynchronous interface: up to
 *                                 32 requests of 4 KiB in flight at once; a SHA-256
 *
 * Data moves through one 64 KiB buffer of the shell's heap, granted
 * read-write to the driver (which pins it for its device while a request is
 * in flight), in pieces of at most 64 KiB, by the driver's synchronous
 * `transfer`.  The grant is made again whenever it is missing: the kernel
 * takes it back when the driver restarts.  The shell checks nothing about
 * the range itself: what the driver refuses is what the user sees, as an
 * `error: ` line with the disk's geometry for context.
 *
 * `disk queue` is a client of the driver's asynchronous interface, as the
 * block service is: it grants the driver the right to signal an event of
 * its own, subscribes, submits a round of up to 32 requests into pieces of
 * a 128 KiB buffer, and reaps their completions in whatever order they
 * come; it prints the most requests it had in flight at once.
 */
#include "components/shell/disk.h"
#include "components/shell/error.h"

#include <pinfold/kcall.h>
#include <sha256.h>
#include <stdio.h>
#include <string.h>

#include "ahci_client.h"
#include "drivers/ahci/request.h"

#define BUFFER_SIZE (64 * 1024)
#define QUEUE_DEPTH 32
#define QUEUE_PIECE 4096
#define QUEUE_WAIT_NS (5000 * 1000000ull)
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
static uint8_t *queue_buffer;           /* QUEUE_DEPTH pieces */
static int64_t queue_event = -1;

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
		shell_error("disk: the driver does not answer: %s", why(err));
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
		shell_error("%s: %s (disk %lu has %lu sectors; at most %u per request)", what, why(err), disk,
		     di.sectors, AHCI_MAX_REQUEST_BYTES / di.sector_size);
	else if (err == E_NOT_FOUND)
		shell_error("%s: no disk %lu (see disk)", what, disk);
	else
		shell_error("%s: %s", what, why(err));
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
/* The digest of what was hashed, in the hex that sha256sum prints (a static buffer). */
static const char *digest_hex(struct sha256 *sum)
{
	static char hex[SHA256_HEX_SIZE];
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_final(sum, digest);
	sha256_hex(digest, hex);
	return hex;
}

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
	struct sha256 sum;
	sha256_init(&sum);
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
			sha256_update(&sum, buffer, n * di.sector_size);
		done += n;
	} while (done < count);
	if (op == OP_READ && count == 1)
		hexdump(buffer, di.sector_size);
	else if (op == OP_READ)
		log_printf("sha256 %s of %lu sectors (%lu bytes) from sector %lu\n", digest_hex(&sum),
			   count, count * di.sector_size, lba);
	else if ((err = transfer(cap, disk, OP_FLUSH, 0, 0)) < 0)
		refused(what, cap, disk, err);
	else
		log_printf("wrote %lu sector%s of 0x%02x from sector %lu, flushed\n", count, count == 1 ? "" : "s",
			   fill, lba);
}

/* Subscribes to the driver's completions (again after its restarts: the grant goes with them). */
static int64_t subscribe(cap_t cap)
{
	if (queue_event < 0 && (queue_event = event_create()) < 0)
		return queue_event;
	int64_t err = event_grant(queue_event, cap);
	if (err < 0)
		return err;
	err = mem_grant(queue_buffer, QUEUE_DEPTH * QUEUE_PIECE, cap, GRANT_READ | GRANT_WRITE);
	if (err < 0 && err != E_BUSY)
		return err;
	uint64_t epoch;
	return ahci_subscribe(cap, (uint64_t)queue_event, &epoch);
}

/* Reaps every completion there is into done[]; the first error, or how many of this round it reaped.
 * A cookie is round << 8 | piece: a completion of an earlier, abandoned round is dropped. */
static int64_t reap_all(cap_t cap, uint64_t round, bool *done, int64_t *error)
{
	int64_t got = 0, r;
	uint64_t cookie, status;
	while ((r = ahci_reap(cap, &cookie, &status)) >= 0) {
		uint64_t piece = cookie & 0xff;
		if (cookie >> 8 != round)
			continue;
		if (piece >= QUEUE_DEPTH || done[piece])
			return E_INVAL;         /* not a request of ours: the driver is confused */
		if ((int64_t)status < 0 && !*error)
			*error = (int64_t)status;
		done[piece] = true;
		got++;
	}
	return r == E_NOT_FOUND ? got : r;
}

/* One round: up to QUEUE_DEPTH pieces from lba; returns the error or the most in flight. */
static int64_t queue_round(cap_t cap, uint64_t disk, uint64_t lba, uint64_t sectors, uint32_t per_piece)
{
	static uint64_t round;
	bool done[QUEUE_DEPTH] = { false };
	uint64_t pieces = (sectors + per_piece - 1) / per_piece, submitted = 0, reaped = 0;
	int64_t most = 0, error = 0, r;
	uint64_t until = clock_ns() + QUEUE_WAIT_NS;
	round++;
	/* After an error nothing more is submitted, but what is in flight is waited for. */
	while (reaped < (error ? submitted : pieces)) {
		while (!error && submitted < pieces) {
			uint64_t left = sectors - submitted * per_piece, n = left < per_piece ? left : per_piece;
			r = ahci_submit(cap, disk, OP_READ, lba + submitted * per_piece, n,
					(uint64_t)(queue_buffer + submitted * QUEUE_PIECE), round << 8 | submitted);
			if (r == E_BUSY)
				break;          /* every slot is taken: reap first */
			if (r < 0) {
				error = r;
				break;
			}
			submitted++;
			if ((int64_t)(submitted - reaped) > most)
				most = (int64_t)(submitted - reaped);
		}
		if ((r = reap_all(cap, round, done, &error)) < 0)
			return r;
		reaped += (uint64_t)r;
		if (r == 0 && reaped < (error ? submitted : pieces)) {
			if (clock_ns() > until)
				return E_TIMEOUT;
			event_wait(queue_event, 100 * 1000000ull);
		}
	}
	return error ? error : most;
}

static void queue(cap_t cap, uint64_t disk, uint64_t lba, uint64_t count, const char *what)
{
	struct disk_info di;
	int64_t err = disk_info(cap, disk, &di);
	if (err < 0 || (err = subscribe(cap)) < 0) {
		refused(what, cap, disk, err);
		return;
	}
	uint32_t per_piece = QUEUE_PIECE / di.sector_size;
	uint64_t round = (uint64_t)QUEUE_DEPTH * per_piece, done = 0;
	struct sha256 sum;
	sha256_init(&sum);
	int64_t most = 0;
	do {
		uint64_t n = count - done < round ? count - done : round;
		int64_t r = queue_round(cap, disk, lba + done, n, per_piece);
		if (r < 0) {
			refused(what, cap, disk, r);
			return;
		}
		most = r > most ? r : most;
		sha256_update(&sum, queue_buffer, n * di.sector_size);
		done += n;
	} while (done < count);
	log_printf("sha256 %s of %lu sectors (%lu bytes) from sector %lu, up to %ld requests in flight\n",
		   digest_hex(&sum), count, count * di.sector_size, lba, most);
}

static bool number(const char *word, const char *name, uint64_t *out)
{
	if (words_number(word, out))
		return true;
	shell_error("disk: %s '%s' is not a number", name, word);
	return false;
}

void shell_disk(const struct words *w)
{
	int64_t c = cap_lookup("ahci");
	if (c < 0) {
		shell_error("disk: no disk driver (the shell holds no capability for ahci)");
		return;
	}
	cap_t cap = (cap_t)c;
	if (w->count == 1) {
		list(cap);
		return;
	}
	if ((!buffer && !(buffer = mem_alloc(BUFFER_SIZE))) ||
	    (!queue_buffer && !(queue_buffer = mem_alloc(QUEUE_DEPTH * QUEUE_PIECE)))) {
		shell_error("disk: no memory for a buffer");
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
			shell_error("disk write: BYTE must be 0 to 255, not %lu", fill);
		else
			move(cap, OP_WRITE, disk, lba, count, (uint8_t)fill, what);
	} else if (strcmp(sub, "queue") == 0 && (w->count == 4 || w->count == 5)) {
		if (number(w->v[2], "LBA", &lba) && number(w->v[3], "COUNT", &count) &&
		    (w->count == 4 || number(w->v[4], "DISK", &disk)))
			queue(cap, disk, lba, count, what);
	} else if (strcmp(sub, "flush") == 0 && w->count <= 3) {
		int64_t err = 0;
		if (w->count == 3 && !number(w->v[2], "DISK", &disk))
			return;
		if ((err = transfer(cap, disk, OP_FLUSH, 0, 0)) < 0)
			refused(what, cap, disk, err);
		else
			log_printf("disk %lu flushed\n", disk);
	} else {
		shell_error("usage: disk | disk read|queue LBA COUNT [DISK] | disk write LBA COUNT BYTE [DISK] | disk flush [DISK]");
	}
}
