/*
 * memmap.c — turns the firmware memory map into free page ranges.
 *
 * Method: collect the usable entries as page-aligned intervals, sort and
 * merge them, then cut out each forbidden interval (non-usable entries and
 * the caller's reserved ranges).  Cutting one interval out of a sorted,
 * disjoint list keeps it sorted and disjoint, and adds at most one piece.
 * Cutting first and merging last would let a reserved hole be papered over
 * by an overlapping usable entry; this order cannot.
 */
#include "kernel/mm/memmap.h"

#include <stdbool.h>

#define PAGE 4096ull

static uint64_t align_down(uint64_t v) { return v & ~(PAGE - 1); }

static uint64_t align_up(uint64_t v)
{
	/* Saturate rather than wrap for ranges that reach the top of the address space. */
	return v > UINT64_MAX - (PAGE - 1) ? align_down(UINT64_MAX) : align_down(v + PAGE - 1);
}

/* end of an entry, saturating: a huge length must not wrap around to a small address */
static uint64_t entry_end(const struct memmap_entry *e)
{
	return e->length > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->length;
}

static void sort_ranges(struct phys_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {        /* insertion sort: maps have tens of entries */
		struct phys_range key = r[i];
		size_t j = i;
		for (; j > 0 && r[j - 1].start > key.start; j--)
			r[j] = r[j - 1];
		r[j] = key;
	}
}

static size_t merge_ranges(struct phys_range *r, size_t n)
{
	size_t out = 0;
	sort_ranges(r, n);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
		} else {
			r[out++] = r[i];
		}
	}
	return out;
}

/* Drops the smallest range to make room; returns the new count. */
static size_t drop_smallest(struct phys_range *r, size_t n)
{
	size_t smallest = 0;
	for (size_t i = 1; i < n; i++)
		if (r[i].end - r[i].start < r[smallest].end - r[smallest].start)
			smallest = i;
	for (size_t i = smallest + 1; i < n; i++)
		r[i - 1] = r[i];
	return n - 1;
}

/* Removes [start, end) from the sorted disjoint list r[0..n). */
static size_t cut(struct phys_range *r, size_t n, size_t cap, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].end <= start || r[i].start >= end)
			continue;
		bool keep_left = r[i].start < start, keep_right = r[i].end > end;
		if (keep_left && keep_right) {
			if (n == cap) {
				n = drop_smallest(r, n);
				return cut(r, n, cap, start, end);
			}
			for (size_t j = n; j > i + 1; j--)
				r[j] = r[j - 1];
			r[i + 1] = (struct phys_range){ end, r[i].end };
			r[i].end = start;
			return n + 1;           /* a piece this wide contains the whole cut */
		}
		if (keep_left) {
			r[i].end = start;
		} else if (keep_right) {
			r[i].start = end;
		} else {                        /* entirely inside the cut: remove it */
			for (size_t j = i + 1; j < n; j++)
				r[j - 1] = r[j];
			n--;
			i--;
		}
	}
	return n;
}

size_t memmap_free_ranges(const struct memmap_entry *map, size_t n,
			  const struct phys_range *reserved, size_t nreserved,
			  struct phys_range *out, size_t cap)
{
	size_t count = 0;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (map[i].type != MEMMAP_USABLE)
			continue;
		uint64_t start = align_up(map[i].base), end = align_down(entry_end(&map[i]));
		if (start >= end)
			continue;
		if (count == cap)
			count = merge_ranges(out, count);
		if (count == cap)
			count = drop_smallest(out, count);
		out[count++] = (struct phys_range){ start, end };
	}
	count = merge_ranges(out, count);

	for (size_t i = 0; i < n; i++)
		if (map[i].type != MEMMAP_USABLE && map[i].length)
			count = cut(out, count, cap, align_down(map[i].base), align_up(entry_end(&map[i])));
	for (size_t i = 0; i < nreserved; i++)
		if (reserved[i].end > reserved[i].start)
			count = cut(out, count, cap, align_down(reserved[i].start), align_up(reserved[i].end));
	return count;
}

uint64_t memmap_usable_bytes(const struct memmap_entry *map, size_t n)
{
	struct phys_range r[MEMMAP_MAX_ENTRIES];
	size_t count = 0;
	for (size_t i = 0; i < n && count < MEMMAP_MAX_ENTRIES; i++)
		if (map[i].type == MEMMAP_USABLE && map[i].length)
			r[count++] = (struct phys_range){ map[i].base, entry_end(&map[i]) };
	count = merge_ranges(r, count);
	return phys_ranges_bytes(r, count);
}

uint64_t memmap_ram_top(const struct memmap_entry *map, size_t n)
{
	uint64_t top = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t t = map[i].type;
		if ((t == MEMMAP_USABLE || t == MEMMAP_ACPI_RECLAIMABLE || t == MEMMAP_ACPI_NVS) &&
		    map[i].length && entry_end(&map[i]) > top)
			top = entry_end(&map[i]);
	}
	return top;
}

uint64_t phys_ranges_bytes(const struct phys_range *ranges, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += ranges[i].end - ranges[i].start;
	return total;
}

size_t memmap_ranges_of(const struct memmap_entry *map, size_t n, uint32_t type_mask,
			struct phys_range *out, size_t cap)
{
	size_t count = 0;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (map[i].type >= 32 || !(type_mask & MEMMAP_TYPE_BIT(map[i].type)) || !map[i].length)
			continue;
		if (count == cap)
			count = merge_ranges(out, count);
		if (count == cap)
			count = drop_smallest(out, count);
		out[count++] = (struct phys_range){ align_down(map[i].base), align_up(entry_end(&map[i])) };
	}
	return merge_ranges(out, count);
}
