/*
 * loops.c — blockcheck's two loops (design in blockcheck.c): the read loop,
 * an asynchronous client with DEPTH requests in flight over a region of
 * pattern round 0; the write loop, waiting methods with one-call grants,
 * each round its own pattern, flushed and read back.  Both count rounds,
 * errors and wrong bytes, and stop only between rounds.
 */
#include "components/blockcheck/blockcheck.h"

#include <string.h>

#include "block_client.h"

#define STALL_NS      (30000 * MS)      /* a request not back in this long counts as an error */

struct loop {
	const char *name;
	uint64_t rounds, errors, wrong;
	bool running;
};

static struct loop loops[2] = { { .name = "read" }, { .name = "write" } };
static volatile bool stopping;
static uint64_t read_lba, write_lba, sectors;

bool loops_running(void)
{
	return loops[0].running || loops[1].running;
}

static void finish(struct loop *l)
{
	log_printf("%s: %s loop: %lu rounds, %lu errors, %lu wrong bytes\n", self, l->name, l->rounds,
		   l->errors, l->wrong);
	__atomic_store_n(&l->running, false, __ATOMIC_SEQ_CST);
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
			if ((cookie & TAG_MASK) != tag || i >= DEPTH || in_slot[i] != (int64_t)piece) {
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
			/* Forget them: a new subscription drops what the old one left. */
			int64_t err = subscribe();
			if (err < 0) {
				log_printf("%s: read loop: subscribe again: %s\n", self, why(err));
				l->errors++;
			}
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

int64_t loops_start(uint64_t read_at, uint64_t write_at, uint64_t count)
{
	uint64_t disk_sectors, sector_size;
	int64_t err = block_info(block, DISK, &disk_sectors, &sector_size);
	if (err < 0)
		return err;
	if (sector_size != SECTOR_BYTES || count == 0 || count % PIECE || count > disk_sectors ||
	    read_at > disk_sectors - count || write_at > disk_sectors - count ||
	    (read_at < write_at + count && write_at < read_at + count))
		return E_INVAL;
	if (loops_running())
		return E_BUSY;
	read_lba = read_at, write_lba = write_at, sectors = count;
	stopping = false;
	for (int i = 0; i < 2; i++) {
		loops[i].rounds = loops[i].errors = loops[i].wrong = 0;
		loops[i].running = true;
	}
	int64_t t = thread_create(read_loop, 0, 10);
	if (t < 0) {
		loops[0].running = loops[1].running = false;
		return t;
	}
	if ((t = thread_create(write_loop, 0, 10)) < 0) {
		/* The read loop runs already: it stops after its round and reports, as on `stop`. */
		loops[1].running = false;
		stopping = true;
		return t;
	}
	return 0;
}

void loops_stop(void)
{
	stopping = true;
}

int64_t loops_status(uint64_t loop, uint64_t *rounds, uint64_t *bad)
{
	if (loop > 1)
		return E_INVAL;
	*rounds = loops[loop].rounds;
	*bad = loops[loop].errors + loops[loop].wrong;
	return 0;
}

