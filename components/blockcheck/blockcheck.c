/*
 * blockcheck.c — a client of the block service that checks what it gets,
 * for the tests of crash survival (tests/system/test_block.py).
 *
 * Two loops on threads of their own, one per way of using block:
 *   the read loop is an asynchronous client (subscribe, submit, reap), with
 *     DEPTH requests of PIECE sectors in flight, over a region the test
 *     filled with pattern round 0; it checks every byte it reads;
 *   the write loop uses the waiting methods with one-call grants: each
 *     round writes its own pattern over its region, flushes, reads it all
 *     back and checks it.
 * While they run the test crashes the AHCI driver under block in every way
 * it can; the loops must see no error and no wrong byte.  Each loop stops
 * only between rounds, so after `stop` the write region holds exactly the
 * pattern of the last round it reports, which the test checks in the disk
 * image after QEMU has gone.
 *
 * The manifest runs this image twice, as blockcheck and blockcheck2, so
 * that two asynchronous clients use block at once; each names itself in its
 * log lines and puts its component id in every cookie, so a completion
 * handed to the wrong client is an error.
 *
 * `revoke` checks that a client cannot hurt block with its buffer: a read
 * into a read-only grant is refused at submit, and a read whose grant is
 * revoked while the disk works finishes with E_FAULT, block still serving.
 */
#include <pinfold/kcall.h>
#include <string.h>

#include "ahci_client.h"
#include "block_client.h"
#include "blockcheck_server.h"
#include "components/blockcheck/memcopy.h"
#include "components/blockcheck/pattern.h"

#define DISK          0
#define OP_READ       0
#define PIECE         8                 /* sectors per request of the read loop */
#define PIECE_BYTES   (PIECE * SECTOR_BYTES)
#define DEPTH         16                /* the read loop's requests in flight */
#define CHUNK         16                /* sectors per request of the write loop */
#define MS            1000000ull
#define STALL_NS      (30000 * MS)      /* a request not back in this long counts as an error */
#define REVOKE_COOKIE 0xdead

struct loop {
	const char *name;
	uint64_t rounds, errors, wrong;
	bool running;
};

static cap_t block;
static struct loop loops[2] = { { .name = "read" }, { .name = "write" } };
static volatile bool stopping;
static uint64_t read_lba, write_lba, sectors;
static uint8_t *read_buffer, *write_buffer;
static int64_t event = -1;
static char self[16] = "blockcheck";   /* my name: the manifest runs this image twice */
static uint64_t tag;                    /* my component id << 40, in every cookie: whose completion it is */

int64_t component_init(void)
{
	int64_t cap = cap_lookup("block");
	if (cap < 0)
		return cap;
	block = (cap_t)cap;
	read_buffer = mem_alloc(DEPTH * PIECE_BYTES);
	write_buffer = mem_alloc(CHUNK * SECTOR_BYTES);
	if (!read_buffer || !write_buffer || (event = event_create()) < 0)
		return E_NOMEM;
	uint64_t id = kernel_info(INFO_COMPONENT_ID);
	struct component_info info;
	if (kcall(SYS_COMPONENT_INFO, id, (uint64_t)&info, 0, 0).status == 0) {
		memcpy(self, info.name, sizeof self);
		self[sizeof self - 1] = 0;
	}
	tag = id << 40;
	return 0;
}

static const char *why(int64_t err)
{
	const char *text = pinfold_strerror(err);
	return text ? text : "unknown error";
}

static void finish(struct loop *l)
{
	log_printf("%s: %s loop: %lu rounds, %lu errors, %lu wrong bytes\n", self, l->name, l->rounds,
		   l->errors, l->wrong);
	__atomic_store_n(&l->running, false, __ATOMIC_SEQ_CST);
}

/* Subscribes to block with my event; the read buffer is granted for as long as I run. */
static int64_t subscribe(void)
{
	int64_t err = event_grant(event, block);
	uint64_t client;
	if (err == 0)
		err = block_subscribe(block, (uint64_t)event, &client);
	return err;
}

/* One round of the read loop: every piece of the region once, DEPTH at a time. */
static void read_round(struct loop *l)
{
	uint64_t pieces = sectors / PIECE, next = 0, back = 0;
	int64_t in_slot[DEPTH];
	for (int i = 0; i < DEPTH; i++)
		in_slot[i] = -1;
	uint64_t last_progress = clock_ns();
	while (back < next || next < pieces) {
		for (int i = 0; i < DEPTH && next < pieces; i++) {
			if (in_slot[i] >= 0)
				continue;
			int64_t err = block_submit(block, DISK, OP_READ, read_lba + next * PIECE, PIECE,
						   (uint64_t)(read_buffer + i * PIECE_BYTES), tag | next << 8 | (uint64_t)i);
			if (err == E_BUSY)
				break;
			if (err < 0) {
				log_printf("%s: read loop: submit of sector %lu: %s\n", self, read_lba + next * PIECE,
					   why(err));
				l->errors++;
				next++, back++;
				continue;
			}
			in_slot[i] = (int64_t)next++;
		}
		uint64_t cookie, status;
		bool got = false;
		while (block_reap(block, &cookie, &status) >= 0) {
			uint64_t i = cookie & 0xff, piece = (cookie >> 8) & 0xffffffff;
			if (cookie == REVOKE_COOKIE)
				continue;
			if ((cookie & ~((1ull << 40) - 1)) != tag || i >= DEPTH || in_slot[i] != (int64_t)piece) {
				log_printf("%s: read loop: a completion that is not mine (cookie 0x%lx)\n", self, cookie);
				l->errors++;
				continue;
			}
			if ((int64_t)status < 0) {
				log_printf("%s: read loop: sector %lu: %s\n", self, read_lba + piece * PIECE,
					   why((int64_t)status));
				l->errors++;
			} else {
				l->wrong += pattern_wrong(read_buffer + i * PIECE_BYTES, read_lba + piece * PIECE, PIECE, 0);
			}
			in_slot[i] = -1;
			back++;
			got = true;
		}
		if (got) {
			last_progress = clock_ns();
		} else if (clock_ns() - last_progress > STALL_NS) {
			log_printf("%s: read loop: %lu requests not back after 30 s\n", self, next - back);
			l->errors += next - back;
			subscribe();    /* forget them: a new subscription drops what the old one left */
			return;
		} else {
			event_wait(event, 100 * MS);
		}
	}
}

static void read_loop(uint64_t arg)
{
	(void)arg;
	struct loop *l = &loops[0];
	int64_t err = mem_grant(read_buffer, DEPTH * PIECE_BYTES, block, GRANT_READ | GRANT_WRITE);
	if (err < 0 && err != E_BUSY)
		l->errors++;
	else if ((err = subscribe()) < 0)
		l->errors++;
	while (err >= 0 && !stopping) {
		read_round(l);
		l->rounds++;
	}
	if (err < 0)
		log_printf("%s: read loop: cannot start: %s\n", self, why(err));
	finish(l);
}

/* One waiting request of the write loop on write_buffer, granted for the call. */
static int64_t waiting(bool write, uint64_t lba, uint64_t n)
{
	int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block,
			      GRANT_READ | (write ? 0 : GRANT_WRITE) | GRANT_ONE_CALL);
	if (g < 0)
		return g;
	return write ? block_write(block, DISK, lba, n, (uint64_t)write_buffer)
		     : block_read(block, DISK, lba, n, (uint64_t)write_buffer);
}

static void write_loop(uint64_t arg)
{
	(void)arg;
	struct loop *l = &loops[1];
	for (uint64_t round = 1; !stopping; round++) {
		for (uint64_t done = 0; done < sectors; done += CHUNK) {
			uint64_t n = sectors - done < CHUNK ? sectors - done : CHUNK;
			pattern_fill(write_buffer, write_lba + done, n, round);
			int64_t err = waiting(true, write_lba + done, n);
			if (err < 0) {
				log_printf("%s: write loop: write of sector %lu: %s\n", self, write_lba + done,
					   why(err));
				l->errors++;
			}
		}
		int64_t err = block_flush(block, DISK);
		if (err < 0) {
			log_printf("%s: write loop: flush: %s\n", self, why(err));
			l->errors++;
		}
		for (uint64_t done = 0; done < sectors; done += CHUNK) {
			uint64_t n = sectors - done < CHUNK ? sectors - done : CHUNK;
			memset(write_buffer, 0, CHUNK * SECTOR_BYTES);
			if ((err = waiting(false, write_lba + done, n)) < 0) {
				log_printf("%s: write loop: read of sector %lu: %s\n", self, write_lba + done,
					   why(err));
				l->errors++;
			} else {
				l->wrong += pattern_wrong(write_buffer, write_lba + done, n, round);
			}
		}
		l->rounds = round;
	}
	finish(l);
}

int64_t serve_start(uint64_t read_at, uint64_t write_at, uint64_t count)
{
	uint64_t disk_sectors, sector_size;
	int64_t err = block_info(block, DISK, &disk_sectors, &sector_size);
	if (err < 0)
		return err;
	if (sector_size != SECTOR_BYTES || count == 0 || count % PIECE || count > disk_sectors ||
	    read_at > disk_sectors - count || write_at > disk_sectors - count ||
	    (read_at < write_at + count && write_at < read_at + count))
		return E_INVAL;
	if (loops[0].running || loops[1].running)
		return E_BUSY;
	read_lba = read_at, write_lba = write_at, sectors = count;
	stopping = false;
	for (int i = 0; i < 2; i++) {
		loops[i].rounds = loops[i].errors = loops[i].wrong = 0;
		loops[i].running = true;
	}
	int64_t t = thread_create(read_loop, 0, 10);
	if (t >= 0)
		t = thread_create(write_loop, 0, 10);
	if (t < 0)
		loops[0].running = loops[1].running = false;    /* FIXME: a read loop that started runs on */
	return t < 0 ? t : 0;
}

int64_t serve_stop(void)
{
	stopping = true;
	return 0;
}

int64_t serve_status(uint64_t loop, uint64_t *rounds, uint64_t *bad)
{
	if (loop > 1)
		return E_INVAL;
	*rounds = loops[loop].rounds;
	*bad = loops[loop].errors + loops[loop].wrong;
	return 0;
}

int64_t serve_memcopy(uint64_t *passed, uint64_t *failed)
{
	memcopy_cases(self, passed, failed);
	return 0;
}

/* Waits for the completion of cookie; its status, or E_TIMEOUT. */
static int64_t reap_one(uint64_t want)
{
	uint64_t until = clock_ns() + 5000 * MS, cookie, status;
	while (clock_ns() < until) {
		while (block_reap(block, &cookie, &status) >= 0)
			if (cookie == want)
				return (int64_t)status;
		event_wait(event, 50 * MS);
	}
	return E_TIMEOUT;
}

int64_t serve_revoke(uint64_t *status)
{
	if (loops[0].running || loops[1].running)
		return E_BUSY;
	int64_t err = subscribe();
	if (err < 0)
		return err;
	/* A read into memory granted read-only: refused before anything happens. */
	int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block, GRANT_READ);
	if (g < 0)
		return g;
	err = block_submit(block, DISK, OP_READ, 0, PIECE, (uint64_t)write_buffer, REVOKE_COOKIE);
	mem_revoke(g);
	log_printf("%s: revoke: a read into a read-only grant: %s\n", self,
		   err == 0 ? "accepted" : why(err));
	if (err == 0)
		reap_one(REVOKE_COOKIE);
	/* A read whose grant is taken back while the disk works. */
	if ((g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block, GRANT_READ | GRANT_WRITE)) < 0)
		return g;
	memset(write_buffer, 0x5a, CHUNK * SECTOR_BYTES);
	err = block_submit(block, DISK, OP_READ, 0, PIECE, (uint64_t)write_buffer, REVOKE_COOKIE);
	mem_revoke(g);
	int64_t done = err < 0 ? err : reap_one(REVOKE_COOKIE);
	bool untouched = true;
	for (unsigned i = 0; i < CHUNK * SECTOR_BYTES; i++)
		untouched &= write_buffer[i] == 0x5a;
	log_printf("%s: revoke: a read whose grant was revoked: %s, buffer %s\n", self,
		   done == 0 ? "completed" : why(done), untouched ? "untouched" : "written");
	*status = (uint64_t)-done;
	return 0;
}

/*
 * What block costs a waiting client: the mean time of a 1-sector read at
 * queue depth 1 through block.read (a one-call grant, the copy, block's
 * engine) and through ahci.transfer on memory granted to ahci once.
 */
int64_t serve_latency(uint64_t rounds, uint64_t *block_ns, uint64_t *ahci_ns)
{
	int64_t cap = cap_lookup("ahci");
	if (rounds == 0 || rounds > 100000)
		return E_INVAL;
	if (cap < 0)
		return cap;
	if (loops[0].running || loops[1].running)
		return E_BUSY;
	uint64_t start = clock_ns();
	for (uint64_t i = 0; i < rounds; i++) {
		int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block, GRANT_READ | GRANT_WRITE | GRANT_ONE_CALL);
		int64_t err = g < 0 ? g : block_read(block, DISK, i % 1024, 1, (uint64_t)write_buffer);
		if (err < 0)
			return err;
	}
	*block_ns = (clock_ns() - start) / rounds;
	int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, (cap_t)cap, GRANT_READ | GRANT_WRITE);
	if (g < 0)
		return g;
	start = clock_ns();
	for (uint64_t i = 0; i < rounds; i++) {
		int64_t err = ahci_transfer((cap_t)cap, DISK, OP_READ, i % 1024, 1, (uint64_t)write_buffer);
		if (err < 0) {
			mem_revoke(g);
			return err;
		}
	}
	*ahci_ns = (clock_ns() - start) / rounds;
	mem_revoke(g);
	return 0;
}

/*
 * One client may not fill the book: FLOOD reads submitted without reaping
 * must be refused with E_BUSY after block's per-client share; then all
 * that were accepted are reaped.
 */
#define FLOOD 48

int64_t serve_flood(uint64_t *accepted, uint64_t *busy)
{
	if (loops[0].running || loops[1].running)
		return E_BUSY;
	int64_t err = mem_grant(read_buffer, DEPTH * PIECE_BYTES, block, GRANT_READ | GRANT_WRITE);
	if ((err < 0 && err != E_BUSY) || (err = subscribe()) < 0)
		return err;
	*accepted = *busy = 0;
	for (uint64_t i = 0; i < FLOOD; i++) {
		err = block_submit(block, DISK, OP_READ, i, 1, (uint64_t)read_buffer + (i % DEPTH) * PIECE_BYTES,
				   tag | i);
		if (err == 0)
			++*accepted;
		else if (err == E_BUSY)
			++*busy;
		else
			return err;
	}
	for (uint64_t left = *accepted; left;) {
		uint64_t cookie, status;
		int64_t more = block_reap(block, &cookie, &status);
		if (more >= 0 && ((cookie & ~((1ull << 40) - 1)) != tag || (int64_t)status < 0))
			return E_IO;
		if (more >= 0)
			left--;
		else if (event_wait(event, 5000 * MS) == E_TIMEOUT)
			return E_TIMEOUT;
	}
	return 0;
}
