/*
 * pools.c — DMA pools: memory a client lends the driver once, pinned once,
 * for many requests (see pools.h for the interface).
 *
 * Why: the seed's driver pins each request's buffer before the command and
 * unpins it after.  In Pinfold a pin is a call into the chipset and a kernel
 * call per page, an unpin the same plus an IOTLB invalidation: for a 4 KiB
 * read, two domain round trips and about 2,700 instructions; for 1 MiB,
 * about 380,000.  The block service never passes ahci anything but pages
 * of its bounce pool, so it lends the whole pool (ahci.idl's `pool`) and
 * its requests skip both.  The device may then reach the pool between
 * requests too, but nothing else: the pool is memory block set aside for
 * DMA and granted to ahci for that purpose, and the IOMMU still blocks
 * every other address.  A request outside every pool is pinned per request
 * as before (slots.c).
 *
 * A pool's life, each step one atomic operation (the driver holds no locks,
 * since any client thread may be killed inside it):
 *
 *   FREE -> BUSY -> ACTIVE      lend: claimed, pinned, in use
 *   ACTIVE -> RETIRED           the client lent another pool (a restarted
 *                               client lends anew: its memory may be other
 *                               frames at the same addresses)
 *   RETIRED -> BUSY -> FREE     unpinned once no request uses it
 *
 * A request enters a pool by raising its user count and only then checking
 * that the pool is still ACTIVE (else it backs out and is pinned on its
 * own); a retirer marks the pool RETIRED and only then looks at the count.
 * So either the request sees RETIRED, or the retirer sees the request, and
 * a pool is never unpinned under a command.  Whoever drops the last user of
 * a retired pool unpins it; the watch thread sweeps for any that were
 * missed.
 *
 * Pure (pinning through the hooks given to pools_init): tested on the host,
 * tests/unit/test_ahci_pools.c.
 */
#include "drivers/ahci/pools.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>

#define PAGE 4096ull

enum pool_state { POOL_FREE, POOL_BUSY, POOL_ACTIVE, POOL_RETIRED };

struct pool {
	uint32_t state;         /* enum pool_state: atomic */
	uint32_t users;         /* requests in flight in it: atomic */
	int32_t client;         /* fixed while not FREE */
	uint64_t va, len;
};

static struct pool pools[POOLS];
static const struct pool_hooks *hooks;

void pools_init(const struct pool_hooks *h)
{
	hooks = h;
	for (int i = 0; i < POOLS; i++)
		pools[i] = (struct pool){ POOL_FREE, 0, -1, 0, 0 };
}

static bool cas(uint32_t *p, uint32_t expect, uint32_t desired)
{
	return __atomic_compare_exchange_n(p, &expect, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* Unpins retired pool p if nobody uses it (else its last user will). */
static void release(int p)
{
	struct pool *pl = &pools[p];
	if (!cas(&pl->state, POOL_RETIRED, POOL_BUSY))
		return;
	if (load(&pl->users)) {
		__atomic_store_n(&pl->state, POOL_RETIRED, __ATOMIC_SEQ_CST);
		return;
	}
	hooks->unpin(pl->va, pl->len);
	pl->client = -1;
	pl->va = pl->len = 0;
	__atomic_store_n(&pl->state, POOL_FREE, __ATOMIC_SEQ_CST);
}

void pools_sweep(void)
{
	for (int p = 0; p < POOLS; p++)
		if (load(&pools[p].state) == POOL_RETIRED)
			release(p);
}

int64_t pool_lend(int client, uint64_t va, uint64_t len)
{
	if ((va | len) & (PAGE - 1) || len == 0 || len > POOL_MAX_BYTES || va + len < va)
		return E_INVAL;
	for (int p = 0; p < POOLS; p++)
		if (pools[p].client == client && cas(&pools[p].state, POOL_ACTIVE, POOL_RETIRED))
			release(p);
	int p = 0;
	while (p < POOLS && !cas(&pools[p].state, POOL_FREE, POOL_BUSY))
		p++;
	if (p == POOLS)
		return E_LIMIT;
	/* E_BUSY when a page is pinned already: a retired pool of the same client, say, whose
	 * last requests are still in flight.  The client lends again after they finish. */
	int64_t err = hooks->pin(va, len);
	if (err < 0) {
		__atomic_store_n(&pools[p].state, POOL_FREE, __ATOMIC_SEQ_CST);
		return err;
	}
	pools[p].client = client;
	pools[p].va = va;
	pools[p].len = len;     /* users stays as it is: 0, or a racing pool_enter about to back out */
	__atomic_store_n(&pools[p].state, POOL_ACTIVE, __ATOMIC_SEQ_CST);
	return 0;
}

static bool holds(const struct pool *pl, int client, uint64_t va, uint64_t len)
{
	return pl->client == client && va >= pl->va && len <= pl->len && va - pl->va <= pl->len - len;
}

HOT int pool_enter(int client, uint64_t va, uint64_t len)
{
	for (int p = 0; p < POOLS; p++) {
		struct pool *pl = &pools[p];
		if (load(&pl->state) != POOL_ACTIVE || !holds(pl, client, va, len))
			continue;
		/* Counted first, checked after: while we count, the pool cannot be unpinned or
		 * lent anew, so what we check now stays true until pool_leave. */
		__atomic_fetch_add(&pl->users, 1, __ATOMIC_SEQ_CST);
		if (load(&pl->state) == POOL_ACTIVE && holds(pl, client, va, len))
			return p;
		pool_leave(p);
	}
	return -1;
}

HOT void pool_leave(int p)
{
	if (p < 0 || p >= POOLS)
		return;
	if (__atomic_sub_fetch(&pools[p].users, 1, __ATOMIC_SEQ_CST) == 0 &&
	    load(&pools[p].state) == POOL_RETIRED)
		release(p);
}

uint64_t pools_pinned_bytes(void)
{
	uint64_t bytes = 0;
	for (int p = 0; p < POOLS; p++) {
		uint32_t s = load(&pools[p].state);
		if (s == POOL_ACTIVE || s == POOL_RETIRED)
			bytes += pools[p].len;
	}
	return bytes;
}
