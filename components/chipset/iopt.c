/*
 * iopt.c — building, walking and pruning VT-d second-level page tables.
 *
 * Levels are numbered as the walk meets them: the root is level 3 (or 4),
 * the tables whose entries map pages are level 1.  Each level takes 9 bits
 * of the IOVA, above the 12-bit page offset (VT-d 3.7).
 *
 * Mapping is check-then-act: a first walk finds how much of the path exists
 * and whether the page is taken, every missing table is then allocated
 * (and given back if one allocation fails, so a failure changes nothing),
 * and only then is the new branch filled bottom up and published with a
 * single store into the deepest existing table.  The IOMMU therefore never
 * sees a half-built path.
 *
 * Unmapping keeps the tables it empties.  A driver pins and unpins a
 * client's buffer for every request, usually in the same few 2 MiB regions;
 * building two tables on each pin (clearing 8 KiB) and scanning and freeing
 * them on each unpin cost four fifths of a disk request's instructions.
 * Empty tables are harmless (a walk that meets a zero entry faults) and are
 * freed by iopt_prune, which the chipset calls when its table pool runs
 * out, or by iopt_clear when the driver stops.  Every table handed to
 * free_table is all zeros, so an allocator may recycle tables without
 * clearing them again.
 */
#include "components/chipset/iopt.h"

#include <stddef.h>
#include <string.h>

#include <pinfold/errors.h>

#define PAGE_OFFSET_MASK (IOPT_PAGE_SIZE - 1)

static unsigned index_at(uint64_t iova, int level)
{
	return (iova >> (12 + 9 * (level - 1))) & (IOPT_ENTRIES - 1);
}

/* An entry with neither R nor W is not present (VT-d 9.8). */
static bool present(uint64_t entry)
{
	return entry & (IOPT_R | IOPT_W);
}

/* The address field: bits haw-1 to 12; everything above is reserved up to bit 51 (VT-d 9.8). */
static uint64_t entry_addr(const struct iopt *pt, uint64_t entry)
{
	return entry & ((1ull << pt->haw) - 1) & ~PAGE_OFFSET_MASK;
}

/* The IOVAs a tree of pt->levels translates: 39 or 48 bits (the AGAW of context AW 1 or 2). */
static bool iova_in_range(const struct iopt *pt, uint64_t iova)
{
	return (iova >> (12 + 9 * pt->levels)) == 0;
}

static uint64_t *table_at(const struct iopt *pt, uint64_t phys)
{
	return pt->ops.table_at(pt->ops.ctx, phys);
}

static void sync(const struct iopt *pt, const void *p, unsigned len)
{
	if (pt->ops.flush)
		pt->ops.flush(pt->ops.ctx, p, len);
}

static void set_entry(const struct iopt *pt, uint64_t *slot, uint64_t entry)
{
	*slot = entry;
	sync(pt, slot, sizeof *slot);
}

/* A new table the IOMMU can reach, or NULL with *err set. */
static uint64_t *new_table(struct iopt *pt, uint64_t *phys, int *err)
{
	uint64_t *table = pt->ops.alloc_table(pt->ops.ctx, phys);
	if (!table) {
		*err = E_NOMEM;
		return NULL;
	}
	if ((*phys & PAGE_OFFSET_MASK) || (*phys >> pt->haw)) {
		pt->ops.free_table(pt->ops.ctx, table, *phys);
		*err = E_FAULT;
		return NULL;
	}
	sync(pt, table, IOPT_PAGE_SIZE);
	return table;
}

static void free_table(struct iopt *pt, uint64_t *table, uint64_t phys)
{
	pt->ops.free_table(pt->ops.ctx, table, phys);
}

int iopt_init(struct iopt *pt, int levels, unsigned haw, const struct iopt_ops *ops)
{
	int err = 0;

	if (!pt || !ops || !ops->alloc_table || !ops->free_table || !ops->table_at)
		return E_INVAL;
	/* Bits 63:52 of an entry are not address bits (VT-d 9.8), so no wider host address fits. */
	if ((levels != 3 && levels != 4) || haw <= 12 || haw > 52)
		return E_INVAL;
	memset(pt, 0, sizeof *pt);
	pt->ops = *ops;
	pt->levels = levels;
	pt->haw = haw;
	pt->root = new_table(pt, &pt->root_phys, &err);
	if (!pt->root) {
		memset(pt, 0, sizeof *pt);
		return err;
	}
	return 0;
}

int iopt_map(struct iopt *pt, uint64_t iova, uint64_t phys, bool read, bool write)
{
	uint64_t *fresh[4], fresh_phys[4];
	int err = 0;

	if (!pt->root || !iova_in_range(pt, iova) || (iova & PAGE_OFFSET_MASK) ||
	    (phys & PAGE_OFFSET_MASK) || (phys >> pt->haw) || (!read && !write))
		return E_INVAL;

	/* Check: descend while the path exists. */
	uint64_t *table = pt->root;
	int level = pt->levels;
	for (; level > 1; level--) {
		uint64_t entry = table[index_at(iova, level)];
		if (!present(entry))
			break;
		table = table_at(pt, entry_addr(pt, entry));
	}
	if (level == 1 && present(table[index_at(iova, 1)]))
		return E_BUSY;

	/* Allocate the tables of levels level-1 .. 1: fresh[i] is at level (level - 1 - i). */
	int missing = level - 1;
	for (int i = 0; i < missing; i++) {
		fresh[i] = new_table(pt, &fresh_phys[i], &err);
		if (!fresh[i]) {
			while (i-- > 0)
				free_table(pt, fresh[i], fresh_phys[i]);
			return err;
		}
	}

	/* Act: fill the branch bottom up; non-leaf entries carry R|W so that the leaf decides. */
	uint64_t entry = phys | (read ? IOPT_R : 0) | (write ? IOPT_W : 0);
	for (int i = missing - 1; i >= 0; i--) {
		set_entry(pt, &fresh[i][index_at(iova, level - 1 - i)], entry);
		entry = fresh_phys[i] | IOPT_R | IOPT_W;
	}
	set_entry(pt, &table[index_at(iova, level)], entry);
	pt->mapped_pages++;
	return 0;
}

static bool table_empty(const uint64_t *table)
{
	for (unsigned i = 0; i < IOPT_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

int iopt_unmap(struct iopt *pt, uint64_t iova, uint64_t *phys_out)
{
	uint64_t *path[5], path_phys[5];    /* the table at each level of the walk */

	if (!pt->root || !iova_in_range(pt, iova) || (iova & PAGE_OFFSET_MASK))
		return E_INVAL;
	path[pt->levels] = pt->root;
	path_phys[pt->levels] = pt->root_phys;
	for (int level = pt->levels; level > 1; level--) {
		uint64_t entry = path[level][index_at(iova, level)];
		if (!present(entry))
			return E_NOT_FOUND;
		path_phys[level - 1] = entry_addr(pt, entry);
		path[level - 1] = table_at(pt, path_phys[level - 1]);
	}
	uint64_t *leaf = &path[1][index_at(iova, 1)];
	if (!present(*leaf))
		return E_NOT_FOUND;
	if (phys_out)
		*phys_out = entry_addr(pt, *leaf);
	set_entry(pt, leaf, 0);
	pt->mapped_pages--;
	return 0;
}

/* Frees the empty tables below `table` (at `level`, above the leaves); returns how many. */
static unsigned prune_below(struct iopt *pt, uint64_t *table, int level)
{
	unsigned freed = 0;
	for (unsigned i = 0; level > 1 && i < IOPT_ENTRIES; i++) {
		if (!present(table[i]))
			continue;
		uint64_t phys = entry_addr(pt, table[i]);
		uint64_t *child = table_at(pt, phys);
		freed += prune_below(pt, child, level - 1);
		if (table_empty(child)) {
			set_entry(pt, &table[i], 0);
			free_table(pt, child, phys);
			freed++;
		}
	}
	return freed;
}

unsigned iopt_prune(struct iopt *pt)
{
	return pt->root ? prune_below(pt, pt->root, pt->levels) : 0;
}

bool iopt_lookup(const struct iopt *pt, uint64_t iova, uint64_t *phys, bool *read, bool *write)
{
	if (!pt->root || !iova_in_range(pt, iova))
		return false;
	const uint64_t *table = pt->root;
	for (int level = pt->levels; level > 1; level--) {
		uint64_t entry = table[index_at(iova, level)];
		if (!present(entry))
			return false;
		table = table_at(pt, entry_addr(pt, entry));
	}
	uint64_t entry = table[index_at(iova, 1)];
	if (!present(entry))
		return false;
	if (phys)
		*phys = entry_addr(pt, entry) | (iova & PAGE_OFFSET_MASK);
	if (read)
		*read = entry & IOPT_R;
	if (write)
		*write = entry & IOPT_W;
	return true;
}

/* Frees every table below `table` (which is at `level`) and zeroes it. */
static void free_below(struct iopt *pt, uint64_t *table, int level)
{
	for (unsigned i = 0; level > 1 && i < IOPT_ENTRIES; i++) {
		if (!present(table[i]))
			continue;
		uint64_t phys = entry_addr(pt, table[i]);
		uint64_t *child = table_at(pt, phys);
		free_below(pt, child, level - 1);
		free_table(pt, child, phys);
	}
	memset(table, 0, IOPT_PAGE_SIZE);
}

void iopt_clear(struct iopt *pt)
{
	if (!pt->root)
		return;
	/* Unlink every branch from the root before taking it apart, so a walk in progress finds nothing. */
	for (unsigned i = 0; i < IOPT_ENTRIES; i++) {
		uint64_t entry = pt->root[i];
		if (!present(entry))
			continue;
		set_entry(pt, &pt->root[i], 0);
		uint64_t phys = entry_addr(pt, entry);
		uint64_t *child = table_at(pt, phys);
		free_below(pt, child, pt->levels - 1);
		free_table(pt, child, phys);
	}
	pt->mapped_pages = 0;
}

void iopt_destroy(struct iopt *pt)
{
	if (!pt->root)
		return;
	iopt_clear(pt);
	free_table(pt, pt->root, pt->root_phys);
	memset(pt, 0, sizeof *pt);
}
