/*
 * pagetable.h — building and changing x86-64 4-level page tables.
 *
 * Pure logic: the tables are reached through `struct pt_ops`, which supplies
 * new zeroed table frames and turns a table's physical address into a
 * pointer.  The kernel passes the frame allocator and its direct map; the
 * host tests pass malloc and an identity mapping.  Entry format: Intel SDM
 * vol. 3, 4.5, tables 4-15 to 4-20.
 */
#ifndef PINFOLD_MM_PAGETABLE_H
#define PINFOLD_MM_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT  (1ull << 0)
#define PTE_WRITE    (1ull << 1)
#define PTE_USER     (1ull << 2)
#define PTE_PWT      (1ull << 3)
#define PTE_PCD      (1ull << 4)
#define PTE_ACCESSED (1ull << 5)
#define PTE_DIRTY    (1ull << 6)
#define PTE_LARGE    (1ull << 7)     /* in a PDPT or PD entry: maps 1 GiB or 2 MiB */
#define PTE_GLOBAL   (1ull << 8)
#define PTE_NX       (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* The leaf permission bits a caller may ask for. */
#define PTE_PERMS (PTE_WRITE | PTE_USER | PTE_PWT | PTE_PCD | PTE_GLOBAL | PTE_NX)

#define PT_PAGE_4K (1ull << 12)
#define PT_PAGE_2M (1ull << 21)

struct pt_ops {
	uint64_t (*alloc_table)(void *ctx);          /* a zeroed 4 KiB frame; 0 if none */
	void *(*table_ptr)(void *ctx, uint64_t phys);
	void *ctx;
	/* If set, pt_unmap gives back table pages it leaves empty (never the root). */
	void (*free_table)(void *ctx, uint64_t phys);
};

enum pt_error {
	PT_OK = 0,
	PT_ERR_ALIGN = -1,      /* address not aligned to the page size */
	PT_ERR_MAPPED = -2,     /* something is mapped there already */
	PT_ERR_NOMEM = -3,      /* no frame for an intermediate table */
	PT_ERR_NOT_MAPPED = -4, /* nothing of that size is mapped there */
	PT_ERR_SIZE = -5,       /* neither 4 KiB nor 2 MiB, or a non-canonical address */
};

/* Maps one page of `size` at `va` to `pa` with `perms` (PTE_PERMS bits). */
int pt_map(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t pa,
	   uint64_t size, uint64_t perms);

/* Unmaps the page of `size` at `va`; stores its physical address in *pa if pa is not NULL. */
int pt_unmap(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t size, uint64_t *pa);

/* Changes the permissions of the page of `size` at `va`. */
int pt_protect(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t size, uint64_t perms);

/* Translates `va`: the physical address, the leaf entry's flags and its page size. */
bool pt_lookup(const struct pt_ops *ops, uint64_t root, uint64_t va,
	       uint64_t *pa, uint64_t *flags, uint64_t *size);

#endif
