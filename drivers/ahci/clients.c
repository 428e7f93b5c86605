/*
 * clients.c — who hears of a finished request, and how.
 *
 * Two ways in (ahci.idl):
 *
 *   Synchronous: `transfer` (the shell's path) submits, then waits on one
 *   of a few events of the driver's own (a "waiter") until its slot is
 *   DONE, and returns the status.  The waiter also collects completions
 *   itself now and then, and if the command does not finish in time, it
 *   recovers the port (which fails the command) unless the driver has been
 *   told to hang.
 *
 *   Asynchronous: a client (the block service) creates an event, grants
 *   ahci the right to signal it, and calls `subscribe(event)`.  Each
 *   `submit` then returns at once; when the request finishes, the driver
 *   unpins its buffer and signals the client's event; the client calls
 *   `reap` until it says nothing is left, getting (cookie, status) per
 *   request.  The completion stays in its slot until reaped, so an
 *   unreaped completion holds a slot: a client that does not reap runs
 *   out of slots (E_BUSY), not the driver out of memory.
 *
 * Why an event and reap, not a call of the client's completion method as
 * in the seed (Leslie & Heiser): the driver is the untrusted party.  If its
 * interrupt thread called into the block service, a crash of the driver
 * would kill that thread inside the block service, in the middle of its
 * bookkeeping, and a slow client would hold up the driver's interrupts (and
 * its watchdog).  Here the client's own thread does all the calling, a
 * driver crash only makes the client's call return E_CALLEE_FAILED, and the
 * driver's only act towards the client is a kernel call that cannot block.
 * (The manifest could not name `block.complete` before a block service
 * exists, either.)
 *
 * After a driver restart the subscription and the event grant are gone
 * (the kernel revokes both), and so is every request in flight: submit and
 * reap answer E_DENIED until the client grants its event again and
 * subscribes, and a new epoch from subscribe tells it to resubmit whatever
 * it had not reaped.  Each subscribe also starts a new generation, so a
 * restarted client never reaps its predecessor's completions.
 */
#include "drivers/ahci/driver.h"
#include <pinfold/hot.h>

#define WAITERS      4          /* concurrent synchronous transfers */
#define MAX_CLIENTS  8          /* asynchronous clients */
#define WAIT_SLICE   (20 * MS)  /* a waiter collects itself this often, should an interrupt be lost */

struct waiter {
	uint32_t busy;                  /* atomic */
	int64_t event;
};

struct client {
	int32_t id;                     /* component id; -1: free.  Atomic. */
	int64_t event;
	uint32_t generation;            /* bumped by each subscribe */
};

static struct waiter waiters[WAITERS];
static struct client clients[MAX_CLIENTS];
uint64_t epoch;                         /* this instance: the clock at init */

int clients_init(void)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].id = -1;
	for (int i = 0; i < WAITERS; i++)
		if ((waiters[i].event = event_create()) < 0)
			return (int)waiters[i].event;
	epoch = clock_ns();
	return 0;
}

HOT static bool take_done(struct slot *s)
{
	uint32_t done = SLOT_DONE;
	return __atomic_compare_exchange_n(&s->state, &done, SLOT_TAKEN, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

HOT void notify(struct slot *s)
{
	if (s->waiter >= 0) {
		event_signal(waiters[s->waiter].event);
	} else if (s->client >= 0) {
		struct client *c = &clients[s->client];
		if (s->generation != c->generation) {
			if (take_done(s))       /* its submitter is gone: nobody will reap it */
				slot_release(s);
		} else if (c->event >= 0) {
			event_signal(c->event); /* refused if the grant is gone: reap still works */
		}
	} else if (take_done(s)) {
		slot_release(s);        /* the driver's own fire-and-forget command */
	}
}

HOT int waiter_claim(void)
{
	for (int i = 0; i < WAITERS; i++) {
		uint32_t free = 0;
		if (__atomic_compare_exchange_n(&waiters[i].busy, &free, 1, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return i;
	}
	return E_BUSY;
}

HOT void waiter_release(int w)
{
	__atomic_store_n(&waiters[w].busy, 0, __ATOMIC_SEQ_CST);
}

/*
 * The first wait is WAIT_SLICE without reading the clock (the usual command
 * finishes well within it, and a kernel call per request is worth saving);
 * the limit is counted from the end of that first wait.
 */
HOT int64_t waiter_wait(int w, struct disk *d, int s, uint64_t timeout_ns)
{
	struct slot *sl = &d->slot[s];
	uint64_t until = 0;             /* 0: not counting yet */
	for (bool first = true, recovered = false;; first = false) {
		if (take_done(sl)) {
			int64_t status = sl->status;
			slot_release(sl);
			return recovered ? E_TIMEOUT : status;
		}
		if (first) {
			if (event_wait(waiters[w].event, WAIT_SLICE) < 0)
				collect(d);
			continue;
		}
		uint64_t now = clock_ns();
		if (!until)
			until = now + timeout_ns;
		if (now >= until) {
			if (hung || recovered)
				return E_TIMEOUT;       /* the slot stays taken until the driver restarts */
			recover(d, "a command did not finish in time", 0);
			recovered = true;
			until = now + 100 * MS;
			continue;
		}
		uint64_t left = until - now;
		/* Signalled: the completion is ours to take.  Not: the safety net for a completion
		 * whose interrupt was missed (collecting reads five registers, so only then). */
		if (event_wait(waiters[w].event, left < WAIT_SLICE ? left : WAIT_SLICE) < 0)
			collect(d);
	}
}

/* My entry for component `id`, or -1. */
HOT static int client_of(int id)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (__atomic_load_n(&clients[i].id, __ATOMIC_SEQ_CST) == id)
			return i;
	return -1;
}

int64_t client_subscribe(int id, int64_t event, uint64_t *epoch_out)
{
	int c = client_of(id);
	for (int i = 0; c < 0 && i < MAX_CLIENTS; i++) {
		int32_t free = -1;
		if (__atomic_compare_exchange_n(&clients[i].id, &free, id, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			c = i;
	}
	if (c < 0)
		return E_LIMIT;
	int64_t err = event_signal(event);      /* is it mine to signal? (a spurious wake is harmless) */
	if (err < 0)
		return err;
	clients[c].event = event;
	__atomic_fetch_add(&clients[c].generation, 1, __ATOMIC_SEQ_CST);
	/* What the previous subscription left unreaped is not this one's. */
	for (unsigned i = 0; i < ndisks; i++)
		for (unsigned s = 0; s < AHCI_SLOTS; s++) {
			struct slot *sl = &disks[i].slot[s];
			if (sl->client == c && sl->waiter < 0 && take_done(sl))
				slot_release(sl);
		}
	*epoch_out = epoch;
	return 0;
}

/* The subscription of component `id`: its index and generation, or E_DENIED. */
HOT int64_t client_lookup(int id, uint32_t *generation)
{
	int c = client_of(id);
	if (c < 0)
		return E_DENIED;
	*generation = clients[c].generation;
	return c;
}

int64_t client_reap(int id, uint64_t *cookie, uint64_t *status)
{
	int c = client_of(id);
	if (c < 0)
		return E_DENIED;
	bool got = false;
	int64_t more = 0;
	for (unsigned i = 0; i < ndisks; i++)
		for (unsigned s = 0; s < AHCI_SLOTS; s++) {
			struct slot *sl = &disks[i].slot[s];
			if (sl->client != c || sl->waiter >= 0 || sl->generation != clients[c].generation ||
			    __atomic_load_n(&sl->state, __ATOMIC_SEQ_CST) != SLOT_DONE)
				continue;
			if (got) {
				more++;
			} else if (take_done(sl)) {
				*cookie = sl->cookie;
				*status = (uint64_t)sl->status;
				slot_release(sl);
				got = true;
			}
		}
	return got ? more : E_NOT_FOUND;
}
