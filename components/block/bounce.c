/*
 * bounce.c — the pool of bounce buffers: block's own memory, the only memory
 * the AHCI driver's device ever reads or writes on block's behalf.
 *
 * One allocation of BOUNCE_POOL_BYTES, granted read-write to ahci as a whole
 * (engine.c does it, again after each restart of ahci), carved into runs of
 * whole pages by a first-fit bitmap.  Whole pages because ahci refuses two
 * requests in flight at once on one page (it pins per page), and because a
 * page is what the IOMMU maps.  The pool's size bounds what block has in
 * flight; a request that finds no room is E_BUSY for an asynchronous client
 * and a short wait for a waiting method.
 *
 * Pure (the caller allocates the pool and holds block's lock): tested on the
 * host (tests/unit/test_block_bounce.c).
 */
#include "components/block/bounce.h"

#include <pinfold/hot.h>
#include <stdbool.h>
#include <string.h>

#define PAGE   4096u
#define PAGES  (BOUNCE_POOL_BYTES / PAGE)

static uint8_t *pool;
static uint64_t used[PAGES / 64];       /* bit p: page p is in a buffer */

void bounce_init(uint8_t *memory)
{
	pool = memory;
	memset(used, 0, sizeof used);
}

uint8_t *bounce_pool(void)
{
	return pool;
}

static bool page_used(unsigned p)
{
	return used[p / 64] >> (p % 64) & 1;
}

static void mark(unsigned first, unsigned n, bool in_use)
{
	for (unsigned p = first; p < first + n; p++) {
		if (in_use)
			used[p / 64] |= 1ull << (p % 64);
		else
			used[p / 64] &= ~(1ull << (p % 64));
	}
}

HOT uint8_t *bounce_alloc(uint64_t bytes)
{
	unsigned n = (unsigned)((bytes + PAGE - 1) / PAGE);
	if (n == 0 || n > PAGES)
		return NULL;
	for (unsigned first = 0, run = 0, p = 0; p < PAGES; p++) {
		if (page_used(p)) {
			run = 0;
			first = p + 1;
			continue;
		}
		if (++run == n) {
			mark(first, n, true);
			return pool + (uint64_t)first * PAGE;
		}
	}
	return NULL;
}

HOT void bounce_free(uint8_t *p, uint64_t bytes)
{
	if (!p)
		return;
	unsigned first = (unsigned)((uint64_t)(p - pool) / PAGE);
	mark(first, (unsigned)((bytes + PAGE - 1) / PAGE), false);
}
