/*
 * memmap.h — from the firmware's memory map to the RAM the kernel may use.
 *
 * Pure logic (no hardware access), tested on the host.  The firmware map
 * (E820 types, ACPI 6.4 table 15.312) may be unsorted, have overlapping or
 * unaligned entries, and list RAM above 4 GiB after a hole.  The kernel's
 * view is a sorted list of disjoint, page-aligned ranges of usable RAM that
 * avoids every non-usable entry and every range in use at boot (the kernel
 * image, GRUB's modules and boot information, the first megabyte).
 */
#ifndef PINFOLD_MM_MEMMAP_H
#define PINFOLD_MM_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#define MEMMAP_MAX_ENTRIES 128
#define MEMMAP_MAX_RANGES  256

enum memmap_type {
	MEMMAP_USABLE = 1,
	MEMMAP_RESERVED = 2,
	MEMMAP_ACPI_RECLAIMABLE = 3,
	MEMMAP_ACPI_NVS = 4,
	MEMMAP_BAD = 5,
};

struct memmap_entry {
	uint64_t base, length;
	uint32_t type;
};

/* A half-open physical range [start, end). */
struct phys_range {
	uint64_t start, end;
};

/*
 * Computes the free RAM: the usable entries, shrunk to whole pages, minus
 * every other entry and every `reserved` range (both grown to whole pages).
 * Writes at most `cap` ranges, sorted and merged, and returns how many; a map
 * too fragmented to fit loses its smallest pieces, never overlaps them.
 */
size_t memmap_free_ranges(const struct memmap_entry *map, size_t n,
			  const struct phys_range *reserved, size_t nreserved,
			  struct phys_range *out, size_t cap);

/* Total bytes of usable RAM the map describes, counting overlapping entries once. */
uint64_t memmap_usable_bytes(const struct memmap_entry *map, size_t n);

/* The end of the highest entry of RAM (usable or ACPI), 0 if there is none. */
uint64_t memmap_ram_top(const struct memmap_entry *map, size_t n);

/* Sum of the lengths of `ranges`. */
uint64_t phys_ranges_bytes(const struct phys_range *ranges, size_t n);

#endif

#define MEMMAP_TYPE_BIT(t) (1u << (t))
#define MEMMAP_RAM_TYPES (MEMMAP_TYPE_BIT(MEMMAP_USABLE) | \
	MEMMAP_TYPE_BIT(MEMMAP_ACPI_RECLAIMABLE) | MEMMAP_TYPE_BIT(MEMMAP_ACPI_NVS))

/*
 * The entries whose type is in `type_mask` (MEMMAP_TYPE_BIT), grown to whole
 * pages, sorted and merged.  Returns how many ranges were written (at most
 * `cap`; a map too fragmented loses its smallest pieces).
 */
size_t memmap_ranges_of(const struct memmap_entry *map, size_t n, uint32_t type_mask,
			struct phys_range *out, size_t cap);
