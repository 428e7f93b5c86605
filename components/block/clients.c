/*
 * clients.c — block's asynchronous clients (block.idl: subscribe, submit, reap).
 *
 * The same contract as ahci's, one level up: a client creates an event,
 * grants block the right to signal it, and subscribes; submit returns at
 * once; as each of its requests finishes, block signals the client's event,
 * and the client reaps (cookie, status) pairs until reap says none is left.
 * A client is its component id (the kernel's INFO_CALLER), so no component
 * can reap, or even see, another's completions.  Each subscribe starts a new
 * generation: what an earlier subscription (a crashed instance of the
 * client, say) left behind is freed, never handed to the new one.
 *
 * Fairness: one client may hold at most CLIENT_SHARE of the book's slots,
 * so a client that submits without reaping gets E_BUSY and cannot starve the
 * others (or the waiting methods).
 */
#include "components/block/block.h"

#define MAX_CLIENTS  8
#define CLIENT_SHARE 32

struct client {
	int32_t id;             /* component id; -1: free */
	int64_t event;
	uint32_t generation;
};

static struct client clients[MAX_CLIENTS];      /* under block_lock */

void clients_init(void)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].id = -1;
}

static int caller(void)
{
	struct kcall_result r = kernel_info_of(INFO_CALLER, 0);
	return r.status < 0 ? -1 : (int)r.value;
}

/* The calling component's entry, or -1.  Under the lock. */
static int client_of(int id)
{
	for (int i = 0; id >= 0 && i < MAX_CLIENTS; i++)
		if (clients[i].id == id)
			return i;
	return -1;
}

/* Is slot s a finished request of client c's current subscription? */
static bool reapable(int s, int c)
{
	const struct request *r = &requests[s];
	return book.slot[s].state == BOOK_DONE && r->finished && r->client == c &&
	       r->generation == clients[c].generation;
}

void client_notify(int s)
{
	const struct request *r = &requests[s];
	if (r->client < 0 || r->client >= MAX_CLIENTS || r->generation != clients[r->client].generation)
		block_release(s);       /* its subscription is gone: nobody will reap it */
	else
		event_signal(clients[r->client].event); /* refused if the grant is gone: reap still works */
}

int64_t client_subscribe(uint64_t event, uint64_t *client_out)
{
	int id = caller();
	if (id < 0)
		return E_DENIED;
	/* Is it the caller's to let us signal?  (A spurious wake-up is harmless.) */
	int64_t err = event_signal((int64_t)event);
	if (err < 0)
		return err;
	block_lock();
	int c = client_of(id);
	for (int i = 0; c < 0 && i < MAX_CLIENTS; i++)
		if (clients[i].id < 0)
			c = i;
	if (c < 0) {
		block_unlock();
		return E_LIMIT;
	}
	clients[c].id = id;
	clients[c].event = (int64_t)event;
	clients[c].generation++;
	for (int s = 0; s < BOOK_SLOTS; s++)
		if (book.slot[s].state == BOOK_DONE && requests[s].finished && requests[s].client == c)
			block_release(s);
	block_unlock();
	*client_out = (uint64_t)c;
	return 0;
}

int64_t client_submit(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer, uint64_t cookie)
{
	block_lock();
	int c = client_of(caller());
	uint32_t generation = c >= 0 ? clients[c].generation : 0;
	unsigned held = 0;
	for (int s = 0; c >= 0 && s < BOOK_SLOTS; s++)
		held += book.slot[s].state != BOOK_FREE && requests[s].client == c;
	block_unlock();
	if (c < 0)
		return E_DENIED;
	if (held >= CLIENT_SHARE)
		return E_BUSY;
	int64_t s = block_enter(disk, op, lba, count, buffer, c, generation, cookie, -1);
	if (s < 0)
		return s;
	engine_kick();
	return 0;
}

int64_t client_reap(uint64_t *cookie, uint64_t *status)
{
	block_lock();
	int c = client_of(caller());
	if (c < 0) {
		block_unlock();
		return E_DENIED;
	}
	int got = -1;
	int64_t more = 0;
	for (int s = 0; s < BOOK_SLOTS; s++) {
		if (!reapable(s, c))
			continue;
		if (got < 0)
			got = s;
		else
			more++;
	}
	if (got >= 0) {
		*cookie = book.slot[got].cookie;
		*status = (uint64_t)block_release(got);
	}
	block_unlock();
	return got >= 0 ? more : E_NOT_FOUND;
}
