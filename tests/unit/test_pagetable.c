/*
 * test_pagetable.c — page-table construction (kernel/mm/pagetable.c) on
 * tables in host memory: "physical" addresses are the host pointers.
 */
#include "unit.h"
#include "host.h"

#include <string.h>

#include "kernel/mm/pagetable.h"

#define MAX_TABLES 64

struct arena {
	void *tables[MAX_TABLES];
	int count, limit;
};

static uint64_t alloc_table(void *ctx)
{
	struct arena *a = ctx;
	if (a->count >= a->limit)
		return 0;
	void *t = aligned_alloc(4096, 4096);
	memset(t, 0, 4096);
	a->tables[a->count++] = t;
	return (uint64_t)t;
}

static void *table_ptr(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (void *)phys;
}

static void arena_free(struct arena *a)
{
	for (int i = 0; i < a->count; i++)
		free(a->tables[i]);
}

#define SETUP(limit_)                                             \
	struct arena arena = { .limit = (limit_) };               \
	struct pt_ops ops = { alloc_table, table_ptr, &arena };   \
	uint64_t root = alloc_table(&arena)

TEST(pagetable_map_4k_and_lookup)
{
	SETUP(MAX_TABLES);
	uint64_t va = 0x0000004000123000ull, pa, flags, size;
	CHECK_EQ(pt_map(&ops, root, va, 0xabc000, PT_PAGE_4K, PTE_WRITE | PTE_USER | PTE_NX), PT_OK);
	CHECK_EQ(arena.count, 4);       /* root, PDPT, PD, PT */
	CHECK(pt_lookup(&ops, root, va + 0x45, &pa, &flags, &size));
	CHECK_EQ(pa, 0xabc045);
	CHECK_EQ(size, PT_PAGE_4K);
	CHECK(flags & PTE_PRESENT);
	CHECK(flags & PTE_WRITE);
	CHECK(flags & PTE_USER);
	CHECK(flags & PTE_NX);
	CHECK(!pt_lookup(&ops, root, va + 0x1000, &pa, &flags, &size));
	/* The path to a user page admits user access at every level (SDM 4.6). */
	uint64_t *pml4 = (uint64_t *)root;
	CHECK(pml4[(va >> 39) & 511] & PTE_USER);
	arena_free(&arena);
}

TEST(pagetable_map_2m_and_kernel_half)
{
	SETUP(MAX_TABLES);
	uint64_t va = 0xffff800000200000ull, pa, flags, size;
	CHECK_EQ(pt_map(&ops, root, va, 0x40000000, PT_PAGE_2M, PTE_WRITE | PTE_GLOBAL), PT_OK);
	CHECK(pt_lookup(&ops, root, va + 0x12345, &pa, &flags, &size));
	CHECK_EQ(pa, 0x40012345);
	CHECK_EQ(size, PT_PAGE_2M);
	CHECK(flags & PTE_LARGE);
	CHECK(flags & PTE_GLOBAL);
	CHECK(!(flags & PTE_USER));
	uint64_t *pml4 = (uint64_t *)root;
	CHECK(!(pml4[256] & PTE_USER));
	arena_free(&arena);
}

TEST(pagetable_refuses_bad_arguments)
{
	SETUP(MAX_TABLES);
	CHECK_EQ(pt_map(&ops, root, 0x1001, 0x2000, PT_PAGE_4K, 0), PT_ERR_ALIGN);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x2001, PT_PAGE_4K, 0), PT_ERR_ALIGN);
	CHECK_EQ(pt_map(&ops, root, 0x201000, 0x200000, PT_PAGE_2M, 0), PT_ERR_ALIGN);
	CHECK_EQ(pt_map(&ops, root, 0x200000, 0x201000, PT_PAGE_2M, 0), PT_ERR_ALIGN);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x2000, 8192, 0), PT_ERR_SIZE);
	CHECK_EQ(pt_map(&ops, root, 0x0000800000000000ull, 0, PT_PAGE_4K, 0), PT_ERR_SIZE);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 1ull << 52, PT_PAGE_4K, 0), PT_ERR_ALIGN);
	CHECK_EQ(arena.count, 1);       /* no table was built for a refused request */
	uint64_t pa, flags, size;
	CHECK(!pt_lookup(&ops, root, 0x0000800000000000ull, &pa, &flags, &size));
	arena_free(&arena);
}

TEST(pagetable_no_double_map_no_silent_split)
{
	SETUP(MAX_TABLES);
	CHECK_EQ(pt_map(&ops, root, 0x400000, 0x800000, PT_PAGE_2M, PTE_WRITE), PT_OK);
	CHECK_EQ(pt_map(&ops, root, 0x400000, 0x900000 & ~0x1fffffull, PT_PAGE_2M, 0), PT_ERR_MAPPED);
	/* A 4 KiB page inside the 2 MiB one would need a split: refused. */
	CHECK_EQ(pt_map(&ops, root, 0x401000, 0x1000, PT_PAGE_4K, 0), PT_ERR_MAPPED);
	/* And a 2 MiB page over a table of 4 KiB pages is refused too. */
	CHECK_EQ(pt_map(&ops, root, 0x601000, 0x1000, PT_PAGE_4K, 0), PT_OK);
	CHECK_EQ(pt_map(&ops, root, 0x600000, 0x1000000, PT_PAGE_2M, 0), PT_ERR_MAPPED);
	CHECK_EQ(pt_map(&ops, root, 0x601000, 0x2000, PT_PAGE_4K, 0), PT_ERR_MAPPED);
	arena_free(&arena);
}

TEST(pagetable_unmap_and_protect)
{
	SETUP(MAX_TABLES);
	uint64_t va = 0x7000, pa = 0, flags, size;
	CHECK_EQ(pt_unmap(&ops, root, va, PT_PAGE_4K, &pa), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_map(&ops, root, va, 0x5000, PT_PAGE_4K, PTE_WRITE), PT_OK);
	CHECK_EQ(pt_protect(&ops, root, va, PT_PAGE_4K, PTE_NX), PT_OK);
	CHECK(pt_lookup(&ops, root, va, &pa, &flags, &size));
	CHECK(!(flags & PTE_WRITE));
	CHECK(flags & PTE_NX);
	CHECK_EQ(pa, 0x5000);
	CHECK_EQ(pt_protect(&ops, root, va, PT_PAGE_4K, PTE_USER | PTE_WRITE), PT_OK);
	CHECK(pt_lookup(&ops, root, va, &pa, &flags, &size));
	CHECK(flags & PTE_USER);
	CHECK(((uint64_t *)root)[0] & PTE_USER);
	/* Unmapping with the wrong size finds nothing of that size. */
	CHECK_EQ(pt_unmap(&ops, root, 0, PT_PAGE_2M, &pa), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_unmap(&ops, root, va, PT_PAGE_4K, &pa), PT_OK);
	CHECK_EQ(pa, 0x5000);
	CHECK(!pt_lookup(&ops, root, va, &pa, &flags, &size));
	CHECK_EQ(pt_map(&ops, root, va, 0x6000, PT_PAGE_4K, 0), PT_OK);   /* reusable */
	CHECK_EQ(pt_protect(&ops, root, 0x9000, PT_PAGE_4K, 0), PT_ERR_NOT_MAPPED);
	arena_free(&arena);
}

TEST(pagetable_out_of_memory_is_an_error)
{
	SETUP(3);                       /* root + 2: one table short of a 4 KiB mapping */
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, PT_PAGE_4K, 0), PT_ERR_NOMEM);
	uint64_t pa, flags, size;
	CHECK(!pt_lookup(&ops, root, 0x1000, &pa, &flags, &size));
	arena.limit = 4;
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, PT_PAGE_4K, 0), PT_OK);
	CHECK_EQ(arena.count, 4);       /* the tables made before the failure were reused */
	arena_free(&arena);
}

TEST(pagetable_many_pages_share_tables)
{
	SETUP(MAX_TABLES);
	for (uint64_t i = 0; i < 1024; i++)
		CHECK_EQ(pt_map(&ops, root, 0x10000000 + i * 4096, i * 4096, PT_PAGE_4K, PTE_WRITE), PT_OK);
	CHECK_EQ(arena.count, 1 + 1 + 1 + 2);   /* 1024 pages: two page tables */
	uint64_t pa, flags, size;
	CHECK(pt_lookup(&ops, root, 0x10000000 + 777 * 4096 + 5, &pa, &flags, &size));
	CHECK_EQ(pa, 777 * 4096 + 5);
	arena_free(&arena);
}

static int freed_tables;

static void count_free(void *ctx, uint64_t phys)
{
	struct arena *a = ctx;
	for (int i = 0; i < a->count; i++)
		if ((uint64_t)a->tables[i] == phys) {
			free(a->tables[i]);
			a->tables[i] = a->tables[--a->count];
			freed_tables++;
			return;
		}
}

TEST(pagetable_unmap_prunes_empty_tables)
{
	SETUP(MAX_TABLES);
	ops.free_table = count_free;
	freed_tables = 0;
	uint64_t a = 0x0000001020000000ull, b = a + 0x1000, pa, flags, size;
	CHECK_EQ(pt_map(&ops, root, a, 0x1000, PT_PAGE_4K, PTE_USER), PT_OK);
	CHECK_EQ(pt_map(&ops, root, b, 0x2000, PT_PAGE_4K, PTE_USER), PT_OK);
	CHECK_EQ(arena.count, 4);
	CHECK_EQ(pt_unmap(&ops, root, a, PT_PAGE_4K, &pa), PT_OK);
	CHECK_EQ(freed_tables, 0);              /* b still lives in the same page table */
	CHECK(pt_lookup(&ops, root, b, &pa, &flags, &size));
	CHECK_EQ(pt_unmap(&ops, root, b, PT_PAGE_4K, &pa), PT_OK);
	CHECK_EQ(freed_tables, 3);              /* PT, PD and PDPT; never the root */
	CHECK_EQ(arena.count, 1);
	CHECK_EQ(((uint64_t *)root)[0], 0);
	/* And the space can be mapped again afterwards. */
	CHECK_EQ(pt_map(&ops, root, a, 0x3000, PT_PAGE_4K, 0), PT_OK);
	CHECK(pt_lookup(&ops, root, a, &pa, &flags, &size));
	CHECK_EQ(pa, 0x3000);
	arena_free(&arena);
}
