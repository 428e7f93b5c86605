/*
 * pagetable.c — walks, extends and edits 4-level page tables.
 *
 * A walk descends from the PML4 (level 4) towards the leaf: level 1 for a
 * 4 KiB page, level 2 for a 2 MiB page.  Intermediate entries are created on
 * demand with PRESENT|WRITE, and USER when the leaf is a user page: the
 * processor ANDs the rights of all levels (SDM 4.6), so the leaf alone
 * decides.  A walk that meets a large page where it needs a table reports
 * PT_ERR_MAPPED instead of splitting it: changing the shape of an existing
 * mapping silently is how kernels lose track of what is mapped.
 */
#include "kernel/mm/pagetable.h"

#include <stddef.h>

#define ENTRIES 512

static unsigned index_at(uint64_t va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
}

static int leaf_level(uint64_t size)
{
	return size == PT_PAGE_4K ? 1 : size == PT_PAGE_2M ? 2 : 0;
}

/* Canonical: bits 63..47 all equal (48-bit virtual addresses). */
static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1ffff;
}

/*
 * Returns the entry that maps `va` at `level`, creating missing tables when
 * `create` is set (then `user` says whether they must admit user access).
 */
static uint64_t *walk(const struct pt_ops *ops, uint64_t root, uint64_t va, int level,
		      bool create, bool user, int *err)
{
	uint64_t *table = ops->table_ptr(ops->ctx, root);
	for (int l = 4; l > level; l--) {
		uint64_t *e = &table[index_at(va, l)];
		if (!(*e & PTE_PRESENT)) {
			if (!create) {
				*err = PT_ERR_NOT_MAPPED;
				return NULL;
			}
			uint64_t t = ops->alloc_table(ops->ctx);
			if (!t) {
				*err = PT_ERR_NOMEM;
				return NULL;
			}
			*e = t | PTE_PRESENT | PTE_WRITE;
		} else if (*e & PTE_LARGE) {
			*err = create ? PT_ERR_MAPPED : PT_ERR_NOT_MAPPED;
			return NULL;
		}
		if (user)
			*e |= PTE_USER;
		table = ops->table_ptr(ops->ctx, *e & PTE_ADDR_MASK);
	}
	return &table[index_at(va, level)];
}

static int check_args(uint64_t va, uint64_t size)
{
	if (!leaf_level(size) || !canonical(va))
		return PT_ERR_SIZE;
	return (va & (size - 1)) ? PT_ERR_ALIGN : PT_OK;
}

int pt_map(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t pa,
	   uint64_t size, uint64_t perms)
{
	int err = check_args(va, size);
	if (err)
		return err;
	if ((pa & (size - 1)) || (pa & ~PTE_ADDR_MASK))
		return PT_ERR_ALIGN;
	uint64_t *e = walk(ops, root, va, leaf_level(size), true, perms & PTE_USER, &err);
	if (!e)
		return err;
	if (*e & PTE_PRESENT)
		return PT_ERR_MAPPED;
	/* A level-2 entry pointing to a table is "present" and was refused above. */
	*e = pa | (perms & PTE_PERMS) | PTE_PRESENT | (size == PT_PAGE_2M ? PTE_LARGE : 0);
	return PT_OK;
}

/* The present leaf entry of exactly `size` at `va`, or NULL with *err set. */
static uint64_t *find_leaf(const struct pt_ops *ops, uint64_t root, uint64_t va,
			   uint64_t size, int *err)
{
	*err = check_args(va, size);
	if (*err)
		return NULL;
	uint64_t *e = walk(ops, root, va, leaf_level(size), false, false, err);
	if (!e)
		return NULL;
	bool large = size == PT_PAGE_2M;
	if (!(*e & PTE_PRESENT) || (large && !(*e & PTE_LARGE))) {
		*err = PT_ERR_NOT_MAPPED;
		return NULL;
	}
	return e;
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/* Frees the tables on the path to `va` that are empty now, from the leaf's table up. */
static void prune(const struct pt_ops *ops, uint64_t root, uint64_t va, int leaf)
{
	uint64_t *path[5];              /* path[l]: the entry at level l that leads towards va */
	uint64_t *table = ops->table_ptr(ops->ctx, root);
	for (int l = 4; l > leaf; l--) {
		path[l] = &table[index_at(va, l)];
		table = ops->table_ptr(ops->ctx, *path[l] & PTE_ADDR_MASK);
	}
	for (int l = leaf + 1; l <= 4; l++) {
		uint64_t child = *path[l] & PTE_ADDR_MASK;
		if (!table_empty(ops->table_ptr(ops->ctx, child)))
			return;
		*path[l] = 0;
		ops->free_table(ops->ctx, child);
	}
}

int pt_unmap(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t size, uint64_t *pa)
{
	int err;
	uint64_t *e = find_leaf(ops, root, va, size, &err);
	if (!e)
		return err;
	if (pa)
		*pa = *e & PTE_ADDR_MASK & ~(size - 1);
	*e = 0;
	if (ops->free_table)
		prune(ops, root, va, leaf_level(size));
	return PT_OK;
}

int pt_protect(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t size, uint64_t perms)
{
	int err;
	uint64_t *e = find_leaf(ops, root, va, size, &err);
	if (!e)
		return err;
	if ((perms & PTE_USER) && !(*e & PTE_USER))
		walk(ops, root, va, leaf_level(size), false, true, &err);  /* open the path too */
	*e = (*e & ~PTE_PERMS) | (perms & PTE_PERMS);
	return PT_OK;
}

bool pt_lookup(const struct pt_ops *ops, uint64_t root, uint64_t va,
	       uint64_t *pa, uint64_t *flags, uint64_t *size)
{
	if (!canonical(va))
		return false;
	uint64_t *table = ops->table_ptr(ops->ctx, root);
	for (int l = 4; l >= 1; l--) {
		uint64_t e = table[index_at(va, l)];
		if (!(e & PTE_PRESENT))
			return false;
		if (l == 1 || (e & PTE_LARGE)) {
			uint64_t page = 1ull << (12 + 9 * (l - 1));
			*pa = (e & PTE_ADDR_MASK & ~(page - 1)) | (va & (page - 1));
			*flags = e & ~PTE_ADDR_MASK;
			*size = page;
			return true;
		}
		table = ops->table_ptr(ops->ctx, e & PTE_ADDR_MASK);
	}
	return false;
}
