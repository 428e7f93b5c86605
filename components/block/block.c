/*
 * block.c — the block service: the disks as clients see them (block.idl),
 * in front of the untrusted AHCI driver, surviving its crashes.
 *
 * Why copy.  Clients never hand their own memory to the driver.  Only the
 * owner of memory may grant it (kernel/component/memobj.c), so block could
 * not pass a client's buffer on; and it should not: a client may revoke its
 * grant at any moment, and block must neither fault on it nor have the
 * driver's device write where the client no longer allows.  Data moves
 * through bounce buffers of block's own heap (bounce.c), granted to ahci,
 * and between a bounce buffer and the client's buffer by the kernel call
 * mem_copy, which answers E_FAULT when the client's grant is missing,
 * read-only for a read, or gone — never a fault of block's.  A write's data
 * is copied in when the request is entered, so a client that changes its
 * buffer afterwards cannot change what a re-issue writes.
 *
 * Why a book.  Every request stays in the book (book.h) from the moment it
 * is entered until its owner takes the result.  If ahci crashes with
 * requests in flight, the engine (engine.c) gives them to the next instance
 * (at most BOOK_MAX_TRIES issues in all): a client sees its request finish
 * late, not fail.  The book's ordering rule — nothing overlapping an earlier
 * unfinished write, or a write overlapping anything earlier, goes to the
 * driver — makes re-issue invisible: an acknowledged write is never undone
 * by an older one issued again.  A flush is entered as a write of the whole
 * disk, so it is ordered after every earlier write and before every later
 * request of that disk; book addresses are disk << 48 | lba, so disks do not
 * order each other.
 *
 * Why events and reap.  The waiting methods (read, write, flush) are the
 * asynchronous path plus a wait: the caller's thread enters the request,
 * then sleeps on an event of block's until the engine has finished it.
 * Asynchronous clients (clients.c) get their own event signalled and reap.
 * One exception, for speed: a waiting read whose turn it is goes to ahci by
 * its caller's own thread, through ahci's waiting method `transfer`, and
 * comes back finished: four domain crossings instead of eight (no engine
 * wake-up, no reap).  It is in the book all the same, so ordering and
 * re-issue are unchanged; if ahci fails under it, the engine issues it
 * again (engine.c, engine_transfer).
 *
 * Bad requests (no such disk, lba + count beyond the end, count 0 or more
 * than 2048 sectors or 1 MiB, a buffer at 0 or an odd address, a buffer not
 * granted — or read-only for a read — an unknown op) get an error here and
 * never reach the driver.  One exception: a waiting read's buffer is checked
 * when the data is copied to it (check() says why); its caller gets the
 * same E_FAULT, only after the disk has been read.
 */
#include "components/block/block.h"

#include <pinfold/hot.h>
#include <string.h>

#include "ahci_client.h"
#include "block_server.h"

#define BOOK_DISK_SHIFT 48              /* book address: disk << 48 | lba (ATA's LBA has 48 bits) */
#define WAIT_LIMIT      (20000 * MS)    /* a waiting method gives up (within the manifest's watchdog) */

cap_t ahci;
struct book book;
struct request requests[BOOK_SLOTS];
struct disk_geometry geometry[BLOCK_MAX_DISKS];
unsigned ndisks;

static uint32_t lock_word;              /* atomic */
static int64_t waiters[BLOCK_WAITERS];  /* events of the waiting methods */
static uint32_t waiter_busy[BLOCK_WAITERS];

/*
 * A spin lock that yields, then sleeps.  A thread never dies holding it:
 * block's own threads die only with block, and a client's thread whose home
 * crashes while it runs in block finishes its call here first
 * (kernel/component/pdx.c).  Sleeping after a few yields matters when the
 * waiter has a higher priority than the holder (a client's thread keeps its
 * priority in block): a yield would only choose the waiter again.
 */
HOT void block_lock(void)
{
	uint32_t free = 0;
	for (unsigned tries = 0; !__atomic_compare_exchange_n(&lock_word, &free, 1, false, __ATOMIC_ACQUIRE,
							       __ATOMIC_RELAXED); tries++) {
		free = 0;
		if (tries < 16)
			thread_yield();
		else
			sleep_ns(50000);
	}
}

HOT void block_unlock(void)
{
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

int64_t waiter_event(int w)
{
	return waiters[w];
}

/* The disks and their geometry, from ahci (at init, and on a connection if it had none). */
void block_learn_disks(void)
{
	uint64_t sectors, details;
	for (ndisks = 0; ndisks < BLOCK_MAX_DISKS && ahci_info(ahci, ndisks, &sectors, &details) == 0; ndisks++) {
		geometry[ndisks].sectors = sectors;
		geometry[ndisks].sector_size = (uint32_t)details;
	}
}

int64_t component_init(void)
{
	int64_t cap = cap_lookup("ahci");
	if (cap < 0)
		return cap;
	ahci = (cap_t)cap;
	book_init(&book);
	clients_init();
	uint8_t *pool = mem_alloc(BOUNCE_POOL_BYTES);
	if (!pool)
		return E_NOMEM;
	bounce_init(pool);
	int64_t err = 0;
	for (int w = 0; err == 0 && w < BLOCK_WAITERS; w++)
		if ((waiters[w] = event_create()) < 0)
			err = waiters[w];
	if (err < 0)
		return err;
	block_learn_disks();
	return engine_start();
}

/*
 * Checks a request; its data length in bytes (0 for a flush), or an error.
 * The buffer's rights are checked here for what is told of later (a write's
 * data is copied in at once anyway).  A waiting read's are not: its caller
 * waits for the answer either way, the copy out (engine.c, finish) checks
 * them all the same, and a read harms no disk; checking twice would walk the
 * caller's page tables twice per request, on the fastest path there is.
 */
HOT static int64_t check(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer,
		     bool waiting)
{
	if (disk >= ndisks)
		return E_NOT_FOUND;
	if (op == OP_FLUSH)
		return 0;
	if (op != OP_READ && op != OP_WRITE)
		return E_INVAL;
	const struct disk_geometry *g = &geometry[disk];
	if (count == 0 || lba >= g->sectors || count > g->sectors - lba || buffer == 0 || (buffer & 1))
		return E_INVAL;
	if (count > BLOCK_MAX_COUNT || count * g->sector_size > BLOCK_MAX_BYTES)
		return E_LIMIT;
	uint64_t bytes = count * g->sector_size;
	if (buffer >= AHCI_USER_LIMIT || bytes > AHCI_USER_LIMIT - buffer)
		return E_FAULT;         /* no component's memory: nobody could have granted it */
	/* A read writes the buffer: copying it onto itself checks both rights and moves nothing. */
	int64_t err = op == OP_READ && !waiting ? mem_copy((void *)buffer, (void *)buffer, bytes) : 0;
	return err < 0 ? err : (int64_t)bytes;
}

HOT int64_t block_enter(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer,
		    int client, uint32_t generation, uint64_t cookie, int waiter)
{
	int64_t bytes = check(disk, op, lba, count, buffer, waiter >= 0);
	if (bytes < 0)
		return bytes;
	uint8_t *bounce = NULL;
	if (bytes) {
		block_lock();
		bounce = bounce_alloc((uint64_t)bytes);
		block_unlock();
		if (!bounce)
			return E_BUSY;
	}
	int64_t err = op == OP_WRITE ? mem_copy(bounce, (void *)buffer, (uint64_t)bytes) : 0;
	block_lock();
	int s = err < 0 ? (int)err : E_BUSY;
	if (err == 0) {
		uint64_t at = disk << BOOK_DISK_SHIFT | (op == OP_FLUSH ? 0 : lba);
		uint64_t n = op == OP_FLUSH ? 1ull << BOOK_DISK_SHIFT : count;
		s = book_add(&book, op != OP_READ, at, n, (uint64_t)client, cookie);
	}
	if (s < 0) {
		bounce_free(bounce, (uint64_t)bytes);
	} else {
		requests[s] = (struct request){
			.disk = disk, .op = op, .lba = lba, .count = count, .buffer = buffer,
			.bytes = (uint64_t)bytes, .bounce = bounce, .client = client,
			.generation = generation, .waiter = waiter,
		};
	}
	block_unlock();
	return s;
}

HOT int64_t block_release(int s)
{
	bounce_free(requests[s].bounce, requests[s].bytes);
	requests[s] = (struct request){ .client = -1, .waiter = -1 };
	return book_take(&book, s);
}

HOT static int waiter_claim(void)
{
	for (;;) {
		for (int w = 0; w < BLOCK_WAITERS; w++) {
			uint32_t free = 0;
			if (__atomic_compare_exchange_n(&waiter_busy[w], &free, 1, false, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST))
				return w;
		}
		sleep_ns(1 * MS);       /* more callers than stacks cannot happen; be safe anyway */
	}
}

/* Whether a waiting method's time is up; its WAIT_LIMIT starts at the first question
 * (`until` 0), so that a read that finishes at once never reads the clock. */
static bool past(uint64_t *until)
{
	uint64_t now = clock_ns();
	if (!*until)
		*until = now + WAIT_LIMIT;
	return now >= *until;
}

/* A waiting method: enter the request (waiting while the book or pool is full), have it
 * issued — a read by this thread itself, if it can, else by the engine — and wait for it. */
HOT static int64_t wait_for(uint64_t op, uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	uint64_t until = 0;
	int w = waiter_claim();
	int64_t s;
	while ((s = block_enter(disk, op, lba, count, buffer, -1, 0, 0, w)) == E_BUSY && !past(&until))
		sleep_ns(1 * MS);
	if (s >= 0 && !(op == OP_READ && engine_transfer((int)s)))
		engine_kick();
	while (s >= 0) {
		block_lock();
		if (requests[s].finished) {
			s = block_release((int)s);
		} else if (past(&until)) {
			requests[s].abandoned = true;   /* the engine frees it when it finishes */
			requests[s].buffer = 0;         /* and copies nothing to us after we have gone */
			s = E_TIMEOUT;
		} else {
			block_unlock();
			event_wait(waiters[w], 100 * MS);
			continue;
		}
		block_unlock();
		break;
	}
	__atomic_store_n(&waiter_busy[w], 0, __ATOMIC_SEQ_CST);
	return s < 0 ? s : 0;
}

int64_t serve_disks(uint64_t *count)
{
	*count = ndisks;
	return 0;
}

int64_t serve_info(uint64_t disk, uint64_t *sectors, uint64_t *sector_size)
{
	if (disk >= ndisks)
		return E_NOT_FOUND;
	*sectors = geometry[disk].sectors;
	*sector_size = geometry[disk].sector_size;
	return 0;
}

HOT int64_t serve_read(uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	return wait_for(OP_READ, disk, lba, count, buffer);
}

int64_t serve_write(uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	return wait_for(OP_WRITE, disk, lba, count, buffer);
}

int64_t serve_flush(uint64_t disk)
{
	return wait_for(OP_FLUSH, disk, 0, 0, 0);
}

int64_t serve_subscribe(uint64_t event, uint64_t *client)
{
	return client_subscribe(event, client);
}

int64_t serve_submit(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer, uint64_t cookie)
{
	return client_submit(disk, op, lba, count, buffer, cookie);
}

int64_t serve_reap(uint64_t *cookie, uint64_t *status)
{
	return client_reap(cookie, status);
}

int64_t serve_stats(uint64_t *reissued, uint64_t *failed)
{
	engine_stats(reissued, failed);
	return 0;
}
