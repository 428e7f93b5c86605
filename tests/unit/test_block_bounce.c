/*
 * test_block_bounce.c — the block service's pool of bounce buffers
 * (components/block/bounce.c): runs of whole pages, never shared, reused
 * after they are freed, and NULL when no run is free.
 */
#include "unit.h"

#include <stddef.h>

#include "components/block/bounce.h"

#define PAGE 4096u

static uint8_t *fresh_pool(void)
{
	static uint8_t memory[BOUNCE_POOL_BYTES] __attribute__((aligned(PAGE)));
	bounce_init(memory);
	return memory;
}

TEST(bounce_buffers_are_whole_pages_that_never_overlap)
{
	uint8_t *pool = fresh_pool();
	uint8_t *a = bounce_alloc(1), *b = bounce_alloc(PAGE + 1), *c = bounce_alloc(PAGE);
	CHECK(a == pool);
	CHECK(b == pool + PAGE);                /* one byte takes a whole page */
	CHECK(c == pool + 3 * PAGE);            /* PAGE + 1 bytes take two */
	CHECK(bounce_pool() == pool);
}

TEST(bounce_pool_runs_out_and_is_reused)
{
	uint8_t *pool = fresh_pool();
	uint8_t *big[4];
	for (int i = 0; i < 4; i++)
		big[i] = bounce_alloc(1u << 20);
	CHECK(big[3] == pool + 3 * (1u << 20));
	CHECK(bounce_alloc(1) == NULL);         /* all 4 MiB in use */
	bounce_free(big[1], 1u << 20);
	CHECK(bounce_alloc((1u << 20) + 1) == NULL);    /* no run of 257 pages is free */
	uint8_t *small = bounce_alloc(PAGE);
	CHECK(small == big[1]);                 /* first fit */
	CHECK(bounce_alloc(1u << 20) == NULL);  /* a page of the hole is taken now */
	bounce_free(small, PAGE);
	CHECK(bounce_alloc(1u << 20) == big[1]);
	bounce_free(NULL, PAGE);                /* ignored */
}

TEST(bounce_refuses_what_cannot_fit)
{
	fresh_pool();
	CHECK(bounce_alloc(0) == NULL);
	CHECK(bounce_alloc(BOUNCE_POOL_BYTES + 1ull) == NULL);
	CHECK(bounce_alloc(BOUNCE_POOL_BYTES) != NULL);
}
