/*
 * test_iopt.c — VT-d second-level page tables (components/chipset/iopt.c).
 *
 * Tables come from a fake allocator: malloc'd 4 KiB tables given made-up
 * physical addresses (PHYS_BASE + slot * 4 KiB, deliberately unlike their
 * host addresses), so a mix-up between the two shows.  It counts
 * allocations and frees, can be told to fail, and checks that every table
 * handed back is empty and was live.
 */
#include "unit.h"
#include "host.h"

#include <string.h>

#include <pinfold/errors.h>

#include "components/chipset/iopt.h"

#define SLOTS     256
#define PHYS_BASE 0x40000000ull
#define HAW       39

struct arena {
	uint64_t *table[SLOTS];
	int allocs, frees, live;
	int limit;              /* allocations that succeed in total */
	uint64_t phys_offset;   /* added to every physical address: to hand out unusable ones */
	int flushes, bad_flushes;
	int bad_frees;
};

static void *fake_alloc(void *ctx, uint64_t *phys)
{
	struct arena *a = ctx;
	if (a->allocs >= a->limit)
		return NULL;
	for (int i = 0; i < SLOTS; i++) {
		if (a->table[i])
			continue;
		a->table[i] = aligned_alloc(4096, 4096);
		memset(a->table[i], 0, 4096);
		*phys = PHYS_BASE + (uint64_t)i * 4096 + a->phys_offset;
		a->allocs++;
		a->live++;
		return a->table[i];
	}
	return NULL;
}

static int slot_of(struct arena *a, uint64_t phys)
{
	uint64_t i = (phys - a->phys_offset - PHYS_BASE) / 4096;
	return i < SLOTS && a->table[i] ? (int)i : -1;
}

static void fake_free(void *ctx, void *table, uint64_t phys)
{
	struct arena *a = ctx;
	int i = slot_of(a, phys);
	if (i < 0 || a->table[i] != table) {
		a->bad_frees++;
		return;
	}
	/* The library promises to give tables back empty. */
	for (int e = 0; e < 512; e++)
		if (a->table[i][e])
			a->bad_frees++;
	free(a->table[i]);
	a->table[i] = NULL;
	a->frees++;
	a->live--;
}

static void *fake_table_at(void *ctx, uint64_t phys)
{
	struct arena *a = ctx;
	int i = slot_of(a, phys);
	CHECK(i >= 0);
	return i >= 0 ? a->table[i] : NULL;
}

static void fake_flush(void *ctx, const void *p, unsigned len)
{
	struct arena *a = ctx;
	const char *c = p;
	a->flushes++;
	for (int i = 0; i < SLOTS; i++)
		if (a->table[i] && c >= (char *)a->table[i] && c + len <= (char *)a->table[i] + 4096)
			return;
	a->bad_flushes++;
}

static void arena_release(struct arena *a)
{
	for (int i = 0; i < SLOTS; i++)
		free(a->table[i]);
}

#define SETUP(levels_)                                                           \
	struct arena arena = { .limit = SLOTS };                                 \
	struct iopt_ops ops = { fake_alloc, fake_free, fake_table_at, &arena, NULL }; \
	struct iopt pt;                                                          \
	CHECK_EQ(iopt_init(&pt, (levels_), HAW, &ops), 0)

/* Every non-zero entry of every live table: non-leaf R|W, nothing outside R, W and address bits HAW-1:12. */
static void check_entries(struct arena *a, const struct iopt *pt)
{
	uint64_t addr = ((1ull << HAW) - 1) & ~0xfffull;
	for (int i = 0; i < SLOTS; i++) {
		if (!a->table[i])
			continue;
		for (int e = 0; e < 512; e++) {
			uint64_t v = a->table[i][e];
			if (!v)
				continue;
			CHECK_EQ(v & ~(addr | IOPT_R | IOPT_W), 0);
			CHECK(v & (IOPT_R | IOPT_W));
			/* An entry pointing at a live table is a non-leaf one. */
			if (slot_of(a, v & addr) >= 0 && (v & addr) != pt->root_phys)
				CHECK_EQ(v & 3, 3);
		}
	}
}

TEST(iopt_init_arguments)
{
	struct arena arena = { .limit = SLOTS };
	struct iopt_ops ops = { fake_alloc, fake_free, fake_table_at, &arena, NULL };
	struct iopt pt;

	CHECK_EQ(iopt_init(&pt, 2, HAW, &ops), E_INVAL);
	CHECK_EQ(iopt_init(&pt, 5, HAW, &ops), E_INVAL);
	CHECK_EQ(iopt_init(&pt, 3, 12, &ops), E_INVAL);
	CHECK_EQ(iopt_init(&pt, 3, 53, &ops), E_INVAL);
	CHECK_EQ(iopt_init(&pt, 3, HAW, NULL), E_INVAL);
	ops.table_at = NULL;
	CHECK_EQ(iopt_init(&pt, 3, HAW, &ops), E_INVAL);
	ops.table_at = fake_table_at;
	CHECK_EQ(arena.allocs, 0);

	CHECK_EQ(iopt_init(&pt, 3, HAW, &ops), 0);
	CHECK_EQ(arena.allocs, 1);
	CHECK_EQ(pt.root_phys, PHYS_BASE);
	CHECK(pt.root == (uint64_t *)arena.table[0]);
	CHECK_EQ(pt.levels, 3);
	CHECK_EQ(pt.haw, HAW);
	CHECK_EQ(pt.mapped_pages, 0);
	iopt_destroy(&pt);
	CHECK_EQ(arena.frees, 1);
	CHECK(pt.root == NULL);
	iopt_destroy(&pt);              /* twice is harmless */
	CHECK_EQ(arena.frees, 1);

	/* No root table. */
	arena.limit = arena.allocs;
	CHECK_EQ(iopt_init(&pt, 4, HAW, &ops), E_NOMEM);
	CHECK(pt.root == NULL);

	/* A root the IOMMU could not reach (at 2^HAW) is given back: E_FAULT. */
	arena.limit = SLOTS;
	arena.phys_offset = 1ull << HAW;
	CHECK_EQ(iopt_init(&pt, 3, HAW, &ops), E_FAULT);
	CHECK_EQ(arena.live, 0);
	arena.phys_offset = 0x800;
	CHECK_EQ(iopt_init(&pt, 3, HAW, &ops), E_FAULT);
	CHECK_EQ(arena.live, 0);
	CHECK_EQ(arena.bad_frees, 0);
	arena_release(&arena);
}

TEST(iopt_map_lookup_unmap_round_trip)
{
	SETUP(3);
	uint64_t phys = 0;
	bool r = false, w = false;

	CHECK_EQ(iopt_map(&pt, 0x12345000, 0x7000, true, true), 0);
	CHECK_EQ(arena.allocs, 3);              /* root, level 2, level 1 */
	CHECK_EQ(pt.mapped_pages, 1);
	CHECK(iopt_lookup(&pt, 0x12345abc, &phys, &r, &w));
	CHECK_EQ(phys, 0x7abc);
	CHECK(r);
	CHECK(w);
	CHECK(iopt_lookup(&pt, 0x12345000, NULL, NULL, NULL));
	CHECK(!iopt_lookup(&pt, 0x12346000, &phys, &r, &w));
	CHECK(!iopt_lookup(&pt, 0x12344fff, &phys, &r, &w));
	check_entries(&arena, &pt);

	CHECK_EQ(iopt_unmap(&pt, 0x12345000, &phys), 0);
	CHECK_EQ(phys, 0x7000);
	CHECK_EQ(pt.mapped_pages, 0);
	CHECK(!iopt_lookup(&pt, 0x12345000, &phys, &r, &w));
	CHECK_EQ(arena.live, 3);                /* the path stays for the next map */
	CHECK_EQ(iopt_unmap(&pt, 0x12345000, NULL), E_NOT_FOUND);
	CHECK_EQ(iopt_map(&pt, 0x12345000, 0x8000, true, false), 0);
	CHECK_EQ(arena.allocs, 3);              /* mapped again without a new table */
	CHECK_EQ(iopt_unmap(&pt, 0x12345000, NULL), 0);
	CHECK_EQ(iopt_prune(&pt), 2);
	CHECK_EQ(arena.live, 1);                /* pruned back to the root */
	CHECK_EQ(iopt_prune(&pt), 0);

	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	CHECK_EQ(arena.bad_frees, 0);
	arena_release(&arena);
}

TEST(iopt_entry_encoding)
{
	SETUP(3);
	uint64_t iova = 0x40201000ull;          /* indices: level 3 = 1, level 2 = 1, level 1 = 1 */
	uint64_t phys = (1ull << HAW) - 4096;   /* the highest page below 2^HAW */

	CHECK_EQ(iopt_map(&pt, iova, phys, true, false), 0);
	uint64_t l3 = pt.root[1];
	CHECK_EQ(l3 & 0xfff, IOPT_R | IOPT_W);  /* non-leaf: R|W, nothing else */
	uint64_t *t2 = fake_table_at(&arena, l3 & ~0xfffull);
	uint64_t l2 = t2[1];
	CHECK_EQ(l2 & 0xfff, IOPT_R | IOPT_W);
	uint64_t *t1 = fake_table_at(&arena, l2 & ~0xfffull);
	CHECK_EQ(t1[1], phys | IOPT_R);         /* leaf: read-only */
	CHECK_EQ(t1[1], 0x7ffffff001ull);

	CHECK_EQ(iopt_map(&pt, iova + 0x1000, 0x5000, false, true), 0);
	CHECK_EQ(t1[2], 0x5000 | IOPT_W);       /* write-only */
	bool r, w;
	CHECK(iopt_lookup(&pt, iova + 0x1000, NULL, &r, &w));
	CHECK(!r);
	CHECK(w);
	CHECK(iopt_lookup(&pt, iova, NULL, &r, &w));
	CHECK(r);
	CHECK(!w);
	CHECK_EQ(arena.allocs, 3);              /* the second page reused the path */
	check_entries(&arena, &pt);
	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	arena_release(&arena);
}

TEST(iopt_four_levels)
{
	SETUP(4);
	uint64_t top = (1ull << 48) - 4096, phys;

	CHECK_EQ(iopt_map(&pt, top, 0x9000, true, true), 0);
	CHECK_EQ(arena.allocs, 4);
	CHECK(iopt_lookup(&pt, top + 0xfff, &phys, NULL, NULL));
	CHECK_EQ(phys, 0x9fff);
	CHECK_EQ(pt.root[511] & 3, 3);
	CHECK_EQ(iopt_map(&pt, 1ull << 48, 0x9000, true, true), E_INVAL);
	CHECK(!iopt_lookup(&pt, 1ull << 48, &phys, NULL, NULL));
	/* An IOVA beyond 39 bits is fine with four levels. */
	CHECK_EQ(iopt_map(&pt, 1ull << 39, 0xa000, true, true), 0);
	check_entries(&arena, &pt);
	CHECK_EQ(iopt_unmap(&pt, top, NULL), 0);
	CHECK_EQ(iopt_unmap(&pt, 1ull << 39, NULL), 0);
	CHECK_EQ(arena.frees, 0);
	CHECK_EQ(iopt_prune(&pt), 6);
	CHECK_EQ(arena.live, 1);
	CHECK_EQ(arena.frees, 6);
	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	CHECK_EQ(arena.bad_frees, 0);
	arena_release(&arena);
}

TEST(iopt_refuses_bad_requests)
{
	SETUP(3);
	uint64_t phys = 1;

	CHECK_EQ(iopt_map(&pt, 0x1001, 0x2000, true, true), E_INVAL);
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x2800, true, true), E_INVAL);
	CHECK_EQ(iopt_map(&pt, 1ull << 39, 0x2000, true, true), E_INVAL);   /* 3 levels: 39 bits */
	CHECK_EQ(iopt_map(&pt, ~0ull & ~0xfffull, 0x2000, true, true), E_INVAL);
	CHECK_EQ(iopt_map(&pt, 0x1000, 1ull << HAW, true, true), E_INVAL);
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x2000, false, false), E_INVAL);
	CHECK_EQ(arena.allocs, 1);              /* nothing was built for a refused request */
	CHECK_EQ(pt.mapped_pages, 0);

	/* The extremes that do fit. */
	CHECK_EQ(iopt_map(&pt, (1ull << 39) - 4096, (1ull << HAW) - 4096, true, true), 0);

	/* Double map: refused, and the first mapping stands. */
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x2000, true, false), 0);
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x3000, true, true), E_BUSY);
	bool r, w;
	CHECK(iopt_lookup(&pt, 0x1000, &phys, &r, &w));
	CHECK_EQ(phys, 0x2000);
	CHECK(!w);
	CHECK_EQ(pt.mapped_pages, 2);

	/* Unmap: bad addresses, nothing on the path, a path without the leaf. */
	CHECK_EQ(iopt_unmap(&pt, 0x1800, NULL), E_INVAL);
	CHECK_EQ(iopt_unmap(&pt, 1ull << 39, NULL), E_INVAL);
	CHECK_EQ(iopt_unmap(&pt, 0x40000000, &phys), E_NOT_FOUND);
	CHECK_EQ(iopt_unmap(&pt, 0x200000, &phys), E_NOT_FOUND);
	CHECK_EQ(iopt_unmap(&pt, 0x2000, &phys), E_NOT_FOUND);
	CHECK_EQ(phys, 0x2000);                 /* untouched on failure */
	CHECK_EQ(pt.mapped_pages, 2);
	check_entries(&arena, &pt);
	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	arena_release(&arena);
}

TEST(iopt_prune_frees_exactly_the_empty_tables)
{
	SETUP(3);
	uint64_t a = 0x1000, b = 0x2000;        /* same level-1 table */
	uint64_t c = 0x200000;                  /* same level-2 table, another level-1 table */
	uint64_t d = 0x40000000;                /* another level-2 table */

	CHECK_EQ(iopt_map(&pt, a, 0xa000, true, true), 0);
	CHECK_EQ(iopt_map(&pt, b, 0xb000, true, true), 0);
	CHECK_EQ(iopt_map(&pt, c, 0xc000, true, true), 0);
	CHECK_EQ(iopt_map(&pt, d, 0xd000, true, true), 0);
	CHECK_EQ(arena.allocs, 6);
	CHECK_EQ(pt.mapped_pages, 4);

	CHECK_EQ(iopt_unmap(&pt, a, NULL), 0);
	CHECK_EQ(iopt_prune(&pt), 0);           /* b still lives in that table */
	CHECK_EQ(iopt_unmap(&pt, b, NULL), 0);
	CHECK_EQ(arena.frees, 0);               /* unmap alone frees nothing */
	CHECK_EQ(iopt_prune(&pt), 1);           /* its level-1 table; level 2 still holds c's */
	CHECK(iopt_lookup(&pt, c, NULL, NULL, NULL));
	CHECK_EQ(iopt_unmap(&pt, c, NULL), 0);
	CHECK_EQ(iopt_prune(&pt), 2);           /* c's level-1 table and the level-2 table */
	CHECK_EQ(pt.root[0], 0);
	CHECK(iopt_lookup(&pt, d, NULL, NULL, NULL));
	CHECK_EQ(iopt_unmap(&pt, d, NULL), 0);
	CHECK_EQ(iopt_prune(&pt), 2);
	CHECK_EQ(arena.frees, 5);
	CHECK_EQ(arena.live, 1);                /* the root is never pruned */
	for (int i = 0; i < 512; i++)
		CHECK_EQ(pt.root[i], 0);
	CHECK_EQ(pt.mapped_pages, 0);
	CHECK_EQ(arena.bad_frees, 0);

	/* The tree works after pruning. */
	CHECK_EQ(iopt_map(&pt, b, 0xb000, true, true), 0);
	CHECK_EQ(arena.live, 3);
	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	CHECK_EQ(arena.allocs, arena.frees);
	arena_release(&arena);
}

TEST(iopt_clear_and_destroy_free_everything)
{
	SETUP(3);
	uint64_t phys;

	for (uint64_t i = 0; i < 20; i++)
		CHECK_EQ(iopt_map(&pt, i * 0x10000000ull, 0x100000 + i * 4096, true, i & 1), 0);
	CHECK_EQ(pt.mapped_pages, 20);
	int before = arena.allocs;
	iopt_clear(&pt);
	CHECK_EQ(arena.frees, before - 1);
	CHECK_EQ(arena.live, 1);
	CHECK_EQ(pt.mapped_pages, 0);
	CHECK(!iopt_lookup(&pt, 0x10000000, &phys, NULL, NULL));
	for (int i = 0; i < 512; i++)
		CHECK_EQ(pt.root[i], 0);
	CHECK_EQ(iopt_map(&pt, 0x10000000, 0x5000, true, true), 0);
	CHECK(iopt_lookup(&pt, 0x10000000, &phys, NULL, NULL));

	for (uint64_t i = 0; i < 20; i++)
		iopt_map(&pt, i * 0x3000000ull + 0x1000, 0x200000 + i * 4096, true, true);
	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	CHECK_EQ(arena.allocs, arena.frees);
	CHECK_EQ(arena.bad_frees, 0);           /* every table came back empty */
	arena_release(&arena);
}

TEST(iopt_allocation_failure_changes_nothing)
{
	SETUP(3);
	uint64_t phys;

	/* The second of two new tables fails: the first is given back, the root stays empty. */
	arena.limit = 2;
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x2000, true, true), E_NOMEM);
	CHECK_EQ(arena.allocs, 2);
	CHECK_EQ(arena.frees, 1);
	CHECK_EQ(arena.live, 1);
	CHECK_EQ(pt.mapped_pages, 0);
	for (int i = 0; i < 512; i++)
		CHECK_EQ(pt.root[i], 0);
	CHECK(!iopt_lookup(&pt, 0x1000, &phys, NULL, NULL));

	/* With a path in place, a new branch that cannot be built leaves the old one as it was. */
	arena.limit = SLOTS;
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x2000, true, true), 0);
	arena.limit = arena.allocs + 1;
	CHECK_EQ(iopt_map(&pt, 0x40000000, 0x3000, true, true), E_NOMEM);
	CHECK_EQ(pt.root[1], 0);
	CHECK(iopt_lookup(&pt, 0x1000, &phys, NULL, NULL));
	CHECK_EQ(phys, 0x2000);
	CHECK_EQ(pt.mapped_pages, 1);
	CHECK_EQ(arena.live, 3);
	/* One table is enough under an existing level-2 table. */
	arena.limit = arena.allocs + 1;
	CHECK_EQ(iopt_map(&pt, 0x200000, 0x3000, true, true), 0);
	CHECK_EQ(arena.live, 4);
	arena.limit = arena.allocs;
	CHECK_EQ(iopt_map(&pt, 0x400000, 0x4000, true, true), E_NOMEM);
	CHECK_EQ(iopt_map(&pt, 0x201000, 0x4000, true, true), 0);  /* no table needed */

	/* A table the IOMMU cannot reach is refused like a missing one. */
	arena.limit = SLOTS;
	arena.phys_offset = 1ull << HAW;
	CHECK_EQ(iopt_map(&pt, 0x40000000, 0x3000, true, true), E_FAULT);
	arena.phys_offset = 0;
	CHECK_EQ(pt.root[1], 0);
	CHECK_EQ(arena.live, 4);
	check_entries(&arena, &pt);

	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	CHECK_EQ(arena.allocs, arena.frees);
	CHECK_EQ(arena.bad_frees, 0);
	arena_release(&arena);
}

TEST(iopt_flushes_what_it_writes)
{
	struct arena arena = { .limit = SLOTS };
	struct iopt_ops ops = { fake_alloc, fake_free, fake_table_at, &arena, fake_flush };
	struct iopt pt;

	CHECK_EQ(iopt_init(&pt, 3, HAW, &ops), 0);
	int after_init = arena.flushes;
	CHECK(after_init >= 1);
	CHECK_EQ(iopt_map(&pt, 0x1000, 0x2000, true, true), 0);
	CHECK(arena.flushes >= after_init + 5);  /* two new tables and three entries */
	int after_map = arena.flushes;
	CHECK_EQ(iopt_unmap(&pt, 0x1000, NULL), 0);
	CHECK(arena.flushes >= after_map + 1);   /* the leaf */
	int after_unmap = arena.flushes;
	CHECK_EQ(iopt_prune(&pt), 2);
	CHECK(arena.flushes >= after_unmap + 2); /* the two unlinking entries */
	CHECK_EQ(arena.bad_flushes, 0);
	iopt_destroy(&pt);
	CHECK_EQ(arena.live, 0);
	arena_release(&arena);
}

/* Random maps and unmaps against a plain list of what should be mapped. */
TEST(iopt_random_against_model)
{
	SETUP(3);
	enum { N = 96 };
	uint64_t iova[N], phys[N];
	bool mapped[N] = { false };

	srand(1234);
	for (int i = 0; i < N; i++) {
		/* Clustered IOVAs so that tables are shared and pruned often. */
		iova[i] = ((uint64_t)(rand() % 4) << 30 | (uint64_t)(rand() % 4) << 21 |
			   (uint64_t)(rand() % 512) << 12);
		for (int j = 0; j < i; j++)
			if (iova[j] == iova[i])
				iova[i] = (uint64_t)(0x100 + i) << 30;
		phys[i] = (uint64_t)(i + 1) << 12;
	}
	uint64_t expect_pages = 0;
	for (int step = 0; step < 4000; step++) {
		int i = rand() % N;
		uint64_t p;
		if (mapped[i]) {
			CHECK_EQ(iopt_unmap(&pt, iova[i], &p), 0);
			CHECK_EQ(p, phys[i]);
			expect_pages--;
		} else {
			CHECK_EQ(iopt_map(&pt, iova[i], phys[i], true, i & 1), 0);
			expect_pages++;
		}
		mapped[i] = !mapped[i];
		CHECK_EQ(pt.mapped_pages, expect_pages);
	}
	for (int i = 0; i < N; i++) {
		uint64_t p = 0;
		bool w = false;
		CHECK_EQ(iopt_lookup(&pt, iova[i], &p, NULL, &w), mapped[i]);
		if (mapped[i]) {
			CHECK_EQ(p, phys[i]);
			CHECK_EQ(w, i & 1);
		}
	}
	check_entries(&arena, &pt);
	for (int i = 0; i < N; i++)
		if (mapped[i])
			CHECK_EQ(iopt_unmap(&pt, iova[i], NULL), 0);
	iopt_prune(&pt);
	CHECK_EQ(arena.live, 1);
	CHECK_EQ(pt.mapped_pages, 0);
	iopt_destroy(&pt);
	CHECK_EQ(arena.allocs, arena.frees);
	CHECK_EQ(arena.bad_frees, 0);
	arena_release(&arena);
}
