/*
 * test_ahci_pools.c — DMA pools lent to the AHCI driver (drivers/ahci/pools.c):
 * pinned once when lent, used by requests that lie inside them, and unpinned
 * only when retired AND no request is in flight in them, exactly once.
 * The pin and unpin hooks here keep a ledger of what is pinned, so a pool
 * unpinned under a request, or pinned twice, shows.
 */
#include "unit.h"

#include <pinfold/errors.h>

#include "drivers/ahci/pools.h"

#define PAGE 4096ull
#define POOL_A 0x40000000ull
#define POOL_B 0x40800000ull

static struct { uint64_t va, len; } pinned[POOLS + 4];
static int npinned, pins, unpins;

static int64_t fake_pin(uint64_t va, uint64_t len)
{
	for (int i = 0; i < npinned; i++)
		if (va < pinned[i].va + pinned[i].len && pinned[i].va < va + len)
			return E_BUSY;          /* as the chipset: a page pinned already */
	pinned[npinned].va = va;
	pinned[npinned].len = len;
	npinned++;
	pins++;
	return 0;
}

static int64_t fake_unpin(uint64_t va, uint64_t len)
{
	for (int i = 0; i < npinned; i++)
		if (pinned[i].va == va && pinned[i].len == len) {
			pinned[i] = pinned[--npinned];
			unpins++;
			return 0;
		}
	return E_NOT_FOUND;
}

static const struct pool_hooks hooks = { fake_pin, fake_unpin };

static void fresh(void)
{
	npinned = pins = unpins = 0;
	pools_init(&hooks);
}

TEST(ahci_pool_is_pinned_once_and_used_by_requests_inside_it)
{
	fresh();
	CHECK(pool_lend(0, POOL_A, 16 * PAGE) == 0);
	CHECK(pins == 1 && npinned == 1);
	int p = pool_enter(0, POOL_A + 3 * PAGE, 2 * PAGE);
	CHECK(p >= 0);
	CHECK(pool_enter(0, POOL_A + 15 * PAGE, 2 * PAGE) < 0);    /* runs past its end */
	CHECK(pool_enter(0, POOL_A - PAGE, PAGE) < 0);              /* before it */
	CHECK(pool_enter(1, POOL_A, PAGE) < 0);                     /* another client's */
	pool_leave(p);
	CHECK(pins == 1 && unpins == 0);                            /* still lent */
	CHECK(pools_pinned_bytes() == 16 * PAGE);
}

TEST(ahci_pool_lend_refuses_bad_ranges)
{
	fresh();
	CHECK(pool_lend(0, POOL_A + 1, PAGE) == E_INVAL);
	CHECK(pool_lend(0, POOL_A, PAGE + 1) == E_INVAL);
	CHECK(pool_lend(0, POOL_A, 0) == E_INVAL);
	CHECK(pool_lend(0, POOL_A, POOL_MAX_BYTES + PAGE) == E_INVAL);
	CHECK(pool_lend(0, ~0ull & ~(PAGE - 1), 2 * PAGE) == E_INVAL);     /* wraps */
	CHECK(pins == 0);
}

TEST(ahci_pool_retired_is_unpinned_after_its_last_request)
{
	fresh();
	CHECK(pool_lend(0, POOL_A, 16 * PAGE) == 0);
	int p = pool_enter(0, POOL_A, PAGE);
	CHECK(p >= 0);
	CHECK(pool_lend(0, POOL_B, 16 * PAGE) == 0);               /* A retires, B in use */
	CHECK(unpins == 0);                                         /* a request is still in A */
	CHECK(pool_enter(0, POOL_A, PAGE) < 0);                     /* retired: pinned per request */
	pools_sweep();
	CHECK(unpins == 0);
	pool_leave(p);                                              /* A's last request */
	CHECK(unpins == 1 && npinned == 1 && pinned[0].va == POOL_B);
	pools_sweep();
	CHECK(unpins == 1);                                         /* never twice */
	CHECK(pool_enter(0, POOL_B + PAGE, PAGE) >= 0);
}

TEST(ahci_pool_lent_again_at_the_same_place_waits_for_the_old_one)
{
	/* A restarted client lends its new pool where the old one was: other frames perhaps,
	 * so it must be pinned anew, which the chipset refuses while the old pin stands. */
	fresh();
	CHECK(pool_lend(0, POOL_A, 16 * PAGE) == 0);
	int p = pool_enter(0, POOL_A, PAGE);
	CHECK(pool_lend(0, POOL_A, 16 * PAGE) == E_BUSY);
	CHECK(pool_enter(0, POOL_A, PAGE) < 0);                     /* the old one is retired */
	pool_leave(p);
	CHECK(npinned == 0);
	CHECK(pool_lend(0, POOL_A, 16 * PAGE) == 0);
	CHECK(pins == 2 && npinned == 1);
}

TEST(ahci_pool_table_runs_out_with_a_clear_error)
{
	fresh();
	int lent = 0;
	for (int c = 0; c < POOLS + 2; c++)
		if (pool_lend(c, POOL_A + (uint64_t)c * 16 * PAGE, PAGE) == 0)
			lent++;
	CHECK(lent == POOLS);
	CHECK(pool_lend(POOLS + 5, POOL_B, PAGE) == E_LIMIT);
}
