/*
 * test_memmap.c — the firmware memory map to free frames (kernel/mm/memmap.c).
 *
 * The maps are those QEMU's SeaBIOS reports for q35 (512 MiB, and 6 GiB with
 * RAM above the PCI hole), plus hostile ones: overlaps, unsorted entries,
 * unaligned edges, zero and enormous lengths.
 */
#include "unit.h"

#include "kernel/mm/memmap.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* SeaBIOS's E820 for -M q35 -m 512M, as GRUB passed it on (printed by the kernel at boot). */
static const struct memmap_entry q35_512m[] = {
	{ 0x0, 0x9fc00, MEMMAP_USABLE },
	{ 0x9fc00, 0x400, MEMMAP_RESERVED },
	{ 0xf0000, 0x10000, MEMMAP_RESERVED },
	{ 0x100000, 0x1fedf000, MEMMAP_USABLE },
	{ 0x1ffdf000, 0x21000, MEMMAP_RESERVED },
	{ 0xb0000000, 0x10000000, MEMMAP_RESERVED },
	{ 0xfed1c000, 0x4000, MEMMAP_RESERVED },
	{ 0xfffc0000, 0x40000, MEMMAP_RESERVED },
	{ 0xfd00000000, 0x300000000, MEMMAP_RESERVED },
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int sorted_disjoint_aligned(const struct phys_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((r[i].start | r[i].end) & 0xfff || r[i].start >= r[i].end)
			return 0;
		if (i && r[i - 1].end >= r[i].start)     /* touching ranges should have merged */
			return 0;
	}
	return 1;
}

static int overlaps(const struct phys_range *r, size_t n, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start < end && start < r[i].end)
			return 1;
	return 0;
}

TEST(memmap_q35_512m_free_ranges_avoid_reserved)
{
	struct phys_range reserved[] = {
		{ 0, 0x100000 },                 /* first megabyte */
		{ 0x100000, 0x12c000 },          /* kernel image */
		{ 0x1fe00010, 0x1fe00400 },      /* boot information, unaligned */
	};
	struct phys_range out[16];
	size_t n = memmap_free_ranges(q35_512m, N(q35_512m), reserved, N(reserved), out, 16);
	CHECK_EQ(n, 2);
	CHECK(sorted_disjoint_aligned(out, n));
	CHECK_EQ(out[0].start, 0x12c000);
	CHECK_EQ(out[0].end, 0x1fe00000);
	CHECK_EQ(out[1].start, 0x1fe01000);
	CHECK_EQ(out[1].end, 0x1ffdf000);
	CHECK(!overlaps(out, n, 0x1fe00010, 0x1fe00400));
	CHECK_EQ(memmap_usable_bytes(q35_512m, N(q35_512m)), 0x9fc00 + 0x1fedf000);
	CHECK_EQ(memmap_ram_top(q35_512m, N(q35_512m)), 0x1ffdf000);
}

TEST(memmap_q35_6g_ram_above_4g)
{
	const struct memmap_entry map[] = {
		{ 0x0, 0x9fc00, MEMMAP_USABLE },
		{ 0x100000, 0x7fedf000, MEMMAP_USABLE },
		{ 0x7ffdf000, 0x21000, MEMMAP_RESERVED },
		{ 0xb0000000, 0x10000000, MEMMAP_RESERVED },
		{ 0x100000000, 0x100000000, MEMMAP_USABLE },
		{ 0xfd00000000, 0x300000000, MEMMAP_RESERVED },
	};
	struct phys_range res[] = { { 0, MiB } };
	struct phys_range out[8];
	size_t n = memmap_free_ranges(map, N(map), res, 1, out, 8);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[1].start, 4 * GiB);
	CHECK_EQ(out[1].end, 8 * GiB);
	CHECK_EQ(phys_ranges_bytes(out, n), 0x7fedf000 + 4 * GiB);
	CHECK_EQ(memmap_ram_top(map, N(map)), 8 * GiB);
}

TEST(memmap_unsorted_overlapping_unaligned)
{
	const struct memmap_entry map[] = {
		{ 0x300000, 0x100000, MEMMAP_USABLE },
		{ 0x100800, 0x180000, MEMMAP_USABLE },   /* unaligned start: rounds up */
		{ 0x200000, 0x180000, MEMMAP_USABLE },   /* overlaps both neighbours */
		{ 0x250000, 0x10, MEMMAP_ACPI_NVS },     /* 16 bytes poison a whole page */
	};
	struct phys_range out[8];
	size_t n = memmap_free_ranges(map, N(map), NULL, 0, out, 8);
	CHECK(sorted_disjoint_aligned(out, n));
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].start, 0x101000);
	CHECK_EQ(out[0].end, 0x250000);
	CHECK_EQ(out[1].start, 0x251000);
	CHECK_EQ(out[1].end, 0x400000);
	/* Overlapping usable entries are counted once. */
	CHECK_EQ(memmap_usable_bytes(map, N(map)), 0x400000 - 0x100800);
}

TEST(memmap_reserved_inside_usable_wins)
{
	/* A firmware that lists a reserved hole inside a usable entry, before it. */
	const struct memmap_entry map[] = {
		{ 0x500000, 0x1000, MEMMAP_RESERVED },
		{ 0x100000, 0x800000, MEMMAP_USABLE },
		{ 0x600000, 0x0, MEMMAP_RESERVED },      /* zero length: ignored */
		{ 0x700000, 0x1000, MEMMAP_BAD },
	};
	struct phys_range out[8];
	size_t n = memmap_free_ranges(map, N(map), NULL, 0, out, 8);
	CHECK_EQ(n, 3);
	CHECK(!overlaps(out, n, 0x500000, 0x501000));
	CHECK(!overlaps(out, n, 0x700000, 0x701000));
	CHECK(overlaps(out, n, 0x600000, 0x601000));
}

TEST(memmap_huge_length_saturates)
{
	const struct memmap_entry map[] = {
		{ 0x100000, 0x100000, MEMMAP_USABLE },
		{ 0xfffffffffffff000ull, 0x10000, MEMMAP_USABLE },   /* wraps past 2^64 */
		{ 0x1000, UINT64_MAX, MEMMAP_RESERVED },             /* covers everything above */
	};
	struct phys_range out[8];
	size_t n = memmap_free_ranges(map, N(map), NULL, 0, out, 8);
	CHECK_EQ(n, 0);
	n = memmap_free_ranges(map, 2, NULL, 0, out, 8);
	CHECK(sorted_disjoint_aligned(out, n));
	CHECK_EQ(out[0].start, 0x100000);
}

TEST(memmap_empty_and_tiny)
{
	struct phys_range out[4];
	CHECK_EQ(memmap_free_ranges(NULL, 0, NULL, 0, out, 4), 0);
	const struct memmap_entry tiny[] = { { 0x100001, 0xffe, MEMMAP_USABLE } };  /* no whole page */
	CHECK_EQ(memmap_free_ranges(tiny, 1, NULL, 0, out, 4), 0);
	CHECK_EQ(memmap_free_ranges(q35_512m, N(q35_512m), NULL, 0, out, 0), 0);
}

TEST(memmap_fragmented_map_keeps_largest_pieces)
{
	/* 64 separate 1-page holes in one big range: more pieces than `out` holds. */
	struct memmap_entry map[65];
	map[0] = (struct memmap_entry){ 0x100000, 0x10000000, MEMMAP_USABLE };
	for (int i = 0; i < 64; i++)
		map[i + 1] = (struct memmap_entry){ 0x200000 + (uint64_t)i * 0x200000 + (i % 2) * 0x100000,
						    0x1000, MEMMAP_RESERVED };
	struct phys_range out[8];
	size_t n = memmap_free_ranges(map, 65, NULL, 0, out, 8);
	CHECK_EQ(n, 8);
	CHECK(sorted_disjoint_aligned(out, n));
	for (int i = 1; i < 65; i++)
		CHECK(!overlaps(out, n, map[i].base, map[i].base + map[i].length));
	/* The last piece (after every hole, ~0x7e00000 bytes) must have survived. */
	CHECK_EQ(out[n - 1].end, 0x10100000);
}

TEST(memmap_ranges_of_types)
{
	struct phys_range out[16];
	size_t n = memmap_ranges_of(q35_512m, N(q35_512m), MEMMAP_RAM_TYPES, out, 16);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].start, 0);
	CHECK_EQ(out[0].end, 0xa0000);                  /* 0x9fc00 grown to a page */
	CHECK_EQ(out[1].end, 0x1ffdf000);
	n = memmap_ranges_of(q35_512m, N(q35_512m), MEMMAP_TYPE_BIT(MEMMAP_RESERVED), out, 16);
	CHECK(sorted_disjoint_aligned(out, n));
	CHECK_EQ(n, 7);
	CHECK_EQ(out[0].start, 0x9f000);
	/* Entry types beyond 31 do not shift into the mask. */
	const struct memmap_entry odd[] = { { 0x1000, 0x1000, 33 } };
	CHECK_EQ(memmap_ranges_of(odd, 1, 0xffffffff, out, 16), 0);
}
