/*
 * engine.c — block's one thread that talks to the AHCI driver.
 *
 * Only this thread calls ahci's asynchronous methods, so what block has
 * given the driver changes in one place: clients' threads enter requests in
 * the book and kick the engine's event; ahci signals the same event as
 * requests finish (ahci.idl's subscribe/submit/reap).  Each round the engine
 *   1. connects if it is not connected: grants the bounce pool and its event
 *      to ahci, subscribes, lends ahci the pool (pinned once, not per
 *      request), and takes everything the driver had as lost
 *      (book_driver_restarted: issued requests wait to be issued again, and
 *      one that has had its BOOK_MAX_TRIES fails with E_IO);
 *   2. issues what the book allows (book_next: the ordering rule), each with
 *      the cookie slot | generation << 8, so that a completion from an
 *      earlier driver instance, or for an earlier issue, is recognised;
 *   3. reaps every completion, copies read data from the bounce buffer to
 *      the client's buffer (mem_copy: E_FAULT if the client revoked its
 *      grant, never a fault of block's), and tells the request's owner;
 *   4. now and then (every round that waited in vain, and every
 *      SWEEP_ROUNDS-th round) sweeps the book for a request the driver has
 *      held too long (overdue.h): a driver that answers calls but finishes
 *      nothing is hung, and block, its supervisor in the manifest, has the
 *      kernel restart it;
 *   5. waits for its event: briefly while the driver refuses work (E_BUSY),
 *      20 ms while requests are with the driver — a restarted driver cannot
 *      signal (the kernel revoked the event grant), so the engine must ask —
 *      and up to a second when idle.
 * The driver is gone when a call answers E_DENIED (this instance does not
 * know us: it restarted), E_CALLEE_FAILED or E_CALLEE_RESTARTING, or E_FAULT
 * from submit (the pool's grant is missing): then back to 1.  A resubscribe
 * to the same instance also drops what it had (ahci/clients.c), so every
 * reconnection re-issues.
 *
 * Why a thread of block's own and events, not the driver calling block:
 * ahci is untrusted; if its thread ran inside block, a crash of ahci would
 * leave block's bookkeeping half done (drivers/ahci/clients.c says more).
 */
#include "components/block/block.h"

#include <pinfold/hot.h>
#include <pinfold/kcall.h>

#include "ahci_client.h"
#include "components/block/overdue.h"

#define COOKIE(slot, gen) ((uint64_t)(slot) | (gen) << 8)
#define OVERDUE_LIMIT     (12000 * MS)  /* ahci gives up a command itself after 10 s (its watch thread) */
#define SWEEP_ROUNDS      64            /* a busy engine sweeps at least this often */

static int64_t event = -1;
static bool connected;                  /* written by the engine thread only, as are refused and lend_pending */
static bool lend_pending;               /* the pool is to be lent to ahci: it said E_BUSY */
static bool refused;                    /* the driver answered E_BUSY: try again soon */
static uint64_t reissued, failed;       /* under block_lock */
static struct overdue overdue;          /* the engine thread's */
static int64_t ahci_id = -1;            /* ahci's component number, for a restart */

static bool driver_gone(int64_t err)
{
	return err == E_DENIED || err == E_CALLEE_FAILED || err == E_CALLEE_RESTARTING || err == E_FAULT;
}

/* A request is done: copy read data out, count it, tell its owner — unless the owner is
 * the calling thread itself (engine_transfer), which needs no event.  Under the lock. */
HOT static void finish(int s, bool tell)
{
	struct request *r = &requests[s];
	struct book_request *b = &book.slot[s];
	if (b->status == 0 && r->op == OP_READ && r->buffer) {
		int64_t err = mem_copy((void *)r->buffer, r->bounce, r->bytes);
		if (err < 0)
			b->status = err;
	}
	if (b->status < 0)
		failed++;
	r->finished = true;
	if (r->abandoned)
		block_release(s);
	else if (r->waiter >= 0 && tell)
		event_signal(waiter_event(r->waiter));
	else if (r->waiter < 0)
		client_notify(s);
}

/*
 * E_IO is what ahci answers for every command it could not vouch for when it
 * reset a port (after an error, or a command the device never finished):
 * most of them were fine, so each is issued again, up to BOOK_MAX_TRIES in
 * all, before its owner hears of it.  Under the lock.
 */
HOT static bool retried(int s, int64_t status)
{
	if (status != E_IO || !book_retry(&book, s))
		return false;
	reissued++;
	return true;
}

/* Everything the driver had is lost: to be issued again.  Under the lock. */
static void driver_restarted(void)
{
	unsigned again = book_count(&book, BOOK_ISSUED);
	book_driver_restarted(&book);
	unsigned given_up = 0;
	for (int s = 0; s < BOOK_SLOTS; s++)
		if (book.slot[s].state == BOOK_DONE && !requests[s].finished) {
			given_up++;
			finish(s, true);
		}
	if (again) {
		reissued += again - given_up;
		log_printf("block: ahci lost %u request%s: %u to issue again, %u failed after %u tries\n", again,
			   again == 1 ? "" : "s", again - given_up, given_up, BOOK_MAX_TRIES);
	}
}

/*
 * Lends the bounce pool to ahci, which pins it once instead of each request's
 * pages (drivers/ahci/pools.c).  Not fatal if refused: each request is then
 * pinned by itself, as before, and the engine lends again next round (E_BUSY
 * is the usual reason: the pool this subscription replaces still has
 * requests in flight).
 */
static void lend(void)
{
	int64_t err = ahci_pool(ahci, (uint64_t)bounce_pool(), BOUNCE_POOL_BYTES);
	lend_pending = err == E_BUSY;
	if (err < 0 && err != E_BUSY)
		log_printf("block: ahci refused the bounce pool (%s): pinning per request\n", pinfold_strerror(err));
}

static int64_t connect(void)
{
	int64_t err = mem_grant(bounce_pool(), BOUNCE_POOL_BYTES, ahci, GRANT_READ | GRANT_WRITE);
	if (err < 0 && err != E_BUSY)   /* E_BUSY: it has the grant already */
		return err;
	if ((err = event_grant(event, ahci)) < 0)
		return err;
	uint64_t epoch;
	if ((err = ahci_subscribe(ahci, (uint64_t)event, &epoch)) < 0)
		return err;
	lend();
	if (ndisks == 0)
		block_learn_disks();    /* ahci had no disks at block's init (it was restarting, say) */
	block_lock();
	driver_restarted();
	block_unlock();
	__atomic_store_n(&connected, true, __ATOMIC_SEQ_CST);
	return 0;
}

static void issue(void)
{
	for (;;) {
		block_lock();
		int s = book_next(&book);
		struct request r = s >= 0 ? requests[s] : (struct request){ 0 };
		uint64_t gen = s >= 0 ? book.slot[s].gen : 0;
		block_unlock();
		if (s < 0)
			return;
		int64_t err = ahci_submit(ahci, r.disk, r.op, r.lba, r.count, (uint64_t)r.bounce, COOKIE(s, gen));
		if (err == 0)
			continue;
		block_lock();
		if (err == E_BUSY)
			book_unissue(&book, s);
		else if (!driver_gone(err) && book_complete(&book, s, gen, err))
			finish(s, true);        /* refused for good: block's checks should have caught it */
		block_unlock();
		/* Gone: the request stays issued; the reconnection issues it again, as a try. */
		if (driver_gone(err))
			__atomic_store_n(&connected, false, __ATOMIC_SEQ_CST);
		refused = err == E_BUSY;
		return;
	}
}

/* Reaps every completion ahci has for me (it says how many more wait after each). */
static void collect(void)
{
	uint64_t cookie, status;
	int64_t more = 1;
	while (more > 0 && (more = ahci_reap(ahci, &cookie, &status)) >= 0) {
		int s = (int)(cookie & 0xff);
		block_lock();
		if (book_complete(&book, s, cookie >> 8, (int64_t)status) && !retried(s, (int64_t)status))
			finish(s, true);
		block_unlock();
	}
	if (driver_gone(more))
		__atomic_store_n(&connected, false, __ATOMIC_SEQ_CST);
}

/*
 * A request has been with the driver longer than any working driver takes:
 * the driver is hung though it still answers, and block restarts it (the
 * manifest's `supervise ahci`).  Its calls then fail, the engine connects
 * to the new instance, and what the old one held is issued again.
 */
static void supervise(void)
{
	block_lock();
	bool late = overdue_sweep(&overdue, &book, clock_ns(), OVERDUE_LIMIT);
	block_unlock();
	if (!late)
		return;
	log_printf("block: ahci has held a request for more than %u s: restarting it\n",
		   (unsigned)(OVERDUE_LIMIT / (1000 * MS)));
	int64_t err = ahci_id < 0 ? ahci_id : kcall(SYS_COMPONENT_CONTROL, (uint64_t)ahci_id, CONTROL_RESTART, 0, 0).status;
	if (err < 0)
		log_printf("block: restarting ahci: %s\n", pinfold_strerror(err));
	overdue_init(&overdue);         /* the issues to the new instance are counted afresh */
}

static uint64_t pause_ns(void)
{
	block_lock();
	unsigned waiting = book_count(&book, BOOK_WAITING), issued = book_count(&book, BOOK_ISSUED);
	block_unlock();
	if (!connected || (waiting && refused))
		return 2 * MS;
	return issued || waiting ? 20 * MS : 1000 * MS;
}

static void engine(uint64_t arg)
{
	(void)arg;
	bool timed_out = false;
	for (unsigned round = 0;; round++) {
		if (!connected && connect() < 0) {
			sleep_ns(5 * MS);       /* the driver is restarting */
			continue;
		}
		/* Nothing with the driver, nothing to reap: then the wake-up was a kick.  But a
		 * second without one asks all the same: a reap that answers E_DENIED says ahci
		 * restarted, and the engine connects (and lends the pool) before the next
		 * request needs it. */
		block_lock();
		bool with_driver = book_count(&book, BOOK_ISSUED) > 0;
		block_unlock();
		if (with_driver || timed_out)
			collect();
		refused = false;
		if (connected && lend_pending)
			lend();
		if (connected)
			issue();
		if (timed_out || round % SWEEP_ROUNDS == 0)
			supervise();
		timed_out = event_wait(event, pause_ns()) == E_TIMEOUT;
	}
}

/*
 * A waiting read, by its caller's own thread: claimed in the book (if the
 * ordering rule lets it go now), then ahci's `transfer`, which returns when
 * the disk has finished (the buffer is in the lent pool, so not even a pin).
 * If the driver failed under it (E_CALLEE_*, E_DENIED), the request stays
 * issued to this driver generation: the engine finds out itself,
 * reconnects, and issues it again, and the caller goes on waiting for its
 * event.  E_BUSY, E_TIMEOUT and E_FAULT hand it to the engine at once.  The bounce buffer cannot be
 * freed while this thread is in `transfer`: only the waiter releases it.
 * Not connected, or the book says not yet: false, the engine issues it.
 */
HOT bool engine_transfer(int s)
{
	if (!__atomic_load_n(&connected, __ATOMIC_SEQ_CST))
		return false;
	block_lock();
	bool claimed = book_claim(&book, s);
	struct request r = requests[s];
	uint64_t gen = book.slot[s].gen;
	block_unlock();
	if (!claimed)
		return false;
	int64_t err = ahci_transfer(ahci, r.disk, r.op, r.lba, r.count, (uint64_t)r.bounce);
	/* Busy, timed out (the command is given up, or the driver hung), the pool's grant
	 * missing: the engine issues it again, and its own submit finds out what is wrong. */
	bool again = err == E_BUSY || err == E_TIMEOUT || err == E_FAULT;
	bool gone = driver_gone(err) && !again;
	block_lock();
	if (again) {
		book_unissue(&book, s);
	} else if (!gone && book_complete(&book, s, gen, err)) {
		if (retried(s, err))
			again = true;
		else
			finish(s, false);       /* its waiter is this thread */
	}
	block_unlock();
	if (again || gone)
		engine_kick();
	return true;
}

int64_t engine_start(void)
{
	if ((event = event_create()) < 0)
		return event;
	overdue_init(&overdue);
	struct component_info info;
	ahci_id = component_find("ahci", &info);       /* what the kernel's restart call takes */
	/* Now, not in the thread: the grant's page tables in ahci are made before the
	 * test components, which count free frames, start (the manifest's order). */
	if (connect() < 0)
		__atomic_store_n(&connected, false, __ATOMIC_SEQ_CST);      /* the thread tries again */
	int64_t t = thread_create(engine, 0, 31);       /* the kernel caps it at block's priority */
	return t < 0 ? t : 0;
}

void engine_kick(void)
{
	event_signal(event);
}

void engine_stats(uint64_t *reissued_out, uint64_t *failed_out)
{
	block_lock();
	*reissued_out = reissued;
	*failed_out = failed;
	block_unlock();
}
