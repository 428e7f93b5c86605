/*
 * engine.c — block's one thread that talks to the AHCI driver.
 *
 * Only this thread calls ahci's asynchronous methods, so what block has
 * given the driver changes in one place: clients' threads enter requests in
 * the book and kick the engine's event; ahci signals the same event as
 * requests finish (ahci.idl's subscribe/submit/reap).  Each round the engine
 *   1. connects if it is not connected: grants the bounce pool and its event
 *      to ahci, subscribes, and takes everything the driver had as lost
 *      (book_driver_restarted: issued requests wait to be issued again, and
 *      one that has had its BOOK_MAX_TRIES fails with E_IO);
 *   2. issues what the book allows (book_next: the ordering rule), each with
 *      the cookie slot | generation << 8, so that a completion from an
 *      earlier driver instance, or for an earlier issue, is recognised;
 *   3. reaps every completion, copies read data from the bounce buffer to
 *      the client's buffer (mem_copy: E_FAULT if the client revoked its
 *      grant, never a fault of block's), and tells the request's owner;
 *   4. waits for its event: briefly while the driver refuses work (E_BUSY),
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

#include <pinfold/kcall.h>

#include "ahci_client.h"

#define COOKIE(slot, gen) ((uint64_t)(slot) | (gen) << 8)

static int64_t event = -1;
static bool connected;                  /* the engine thread's own, as is refused */
static bool refused;                    /* the driver answered E_BUSY: try again soon */
static uint64_t reissued, failed;       /* under block_lock */

static bool driver_gone(int64_t err)
{
	return err == E_DENIED || err == E_CALLEE_FAILED || err == E_CALLEE_RESTARTING || err == E_FAULT;
}

/* A request is done: copy read data out, count it, tell its owner.  Under the lock. */
static void finish(int s)
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
	else if (r->waiter >= 0)
		event_signal(waiter_event(r->waiter));
	else
		client_notify(s);
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
			finish(s);
		}
	if (again) {
		reissued += again - given_up;
		log_printf("block: ahci lost %u request%s: %u to issue again, %u failed after %u tries\n", again,
			   again == 1 ? "" : "s", again - given_up, given_up, BOOK_MAX_TRIES);
	}
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
	if (ndisks == 0)
		block_learn_disks();    /* ahci had no disks at block's init (it was restarting, say) */
	block_lock();
	driver_restarted();
	block_unlock();
	connected = true;
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
			finish(s);      /* refused for good: block's checks should have caught it */
		block_unlock();
		/* Gone: the request stays issued; the reconnection issues it again, as a try. */
		if (driver_gone(err))
			connected = false;
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
		if (book_complete(&book, s, cookie >> 8, (int64_t)status))
			finish(s);
		block_unlock();
	}
	if (driver_gone(more))
		connected = false;
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
	for (;;) {
		if (!connected && connect() < 0) {
			sleep_ns(5 * MS);       /* the driver is restarting */
			continue;
		}
		/* Nothing with the driver, nothing to reap: then the wake-up was a kick. */
		block_lock();
		bool with_driver = book_count(&book, BOOK_ISSUED) > 0;
		block_unlock();
		if (with_driver)
			collect();
		refused = false;
		if (connected)
			issue();
		event_wait(event, pause_ns());
	}
}

int64_t engine_start(void)
{
	if ((event = event_create()) < 0)
		return event;
	/* Now, not in the thread: the grant's page tables in ahci are made before the
	 * test components, which count free frames, start (the manifest's order). */
	if (connect() < 0)
		connected = false;      /* the thread tries again */
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
