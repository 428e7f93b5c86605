/*
 * iopt.h — VT-d second-level page tables ("IO page tables"), one tree per
 * IOMMU domain, mapping 4 KiB IOVA pages to physical pages.
 *
 * Format (VT-d 9.8, Second-Level Paging Entries; translation walk in VT-d
 * 3.7): every table is 4 KiB of 512 64-bit entries; 3 levels translate 39
 * bits of IOVA (context AW=1), 4 levels 48 bits (AW=2).  An entry is present
 * when R or W is set; hardware ANDs the rights of every level it walks (and
 * QEMU checks R/W at each level), so every non-leaf entry carries R|W and the
 * leaf alone decides.  Only 4 KiB pages are mapped: PS (bit 7) is never set.
 *
 * Pure: tables come from, and go back to, the caller through `struct
 * iopt_ops`; the chipset passes its allocator of DMA-reachable frames, the
 * host tests malloc.
 *
 * Not locked: the caller serialises every call on one tree.  A table that
 * unmap prunes may still sit in the IOMMU's paging-structure caches until
 * the domain's IOTLB is invalidated (VT-d 6.2), so free_table's frame must
 * not be reused before that invalidation: make the unmap, the invalidation
 * and every alloc_table one critical section, or let free_table defer reuse.
 */
#ifndef PINFOLD_CHIPSET_IOPT_H
#define PINFOLD_CHIPSET_IOPT_H

#include <stdbool.h>
#include <stdint.h>

/* Second-level paging entry bits (VT-d 9.8). */
#define IOPT_R      (1ull << 0)
#define IOPT_W      (1ull << 1)
#define IOPT_PS     (1ull << 7)      /* page size in levels 2 and 3: never set here */
#define IOPT_SNP    (1ull << 11)     /* snoop: reserved unless ECAP.SC; never set here */

#define IOPT_PAGE_SIZE 4096ull
#define IOPT_ENTRIES   512

struct iopt_ops {
	/* A zeroed 4 KiB table: its address here, its physical address in *phys; NULL if none. */
	void *(*alloc_table)(void *ctx, uint64_t *phys);
	void (*free_table)(void *ctx, void *table, uint64_t phys);
	/* The address here of the table at physical address `phys`. */
	void *(*table_at)(void *ctx, uint64_t phys);
	void *ctx;
	/*
	 * Optional, NULL when the IOMMU's page walks snoop the processor's
	 * caches (ECAP.C=1, and always under QEMU).  Otherwise called after
	 * each change to entries, to write those bytes back to memory (clflush)
	 * before the hardware may read them: with ECAP.C=0 its walks do not
	 * snoop (VT-d 10.4.3, Extended Capability Register).
	 */
	void (*flush)(void *ctx, const void *p, unsigned len);
};

struct iopt {
	uint64_t *root;
	uint64_t root_phys;      /* what the context entry's SLPTPTR holds */
	int levels;              /* 3 or 4 */
	unsigned haw;            /* host address width: every physical address is below 2^haw */
	struct iopt_ops ops;
	uint64_t mapped_pages;
};

/*
 * Makes an empty tree of `levels` (3 or 4) for physical addresses below
 * 2^haw (the DMAR table's Host Address Width + 1).  E_INVAL for bad
 * arguments, E_NOMEM if no root table, E_FAULT if the allocator gave a
 * table the IOMMU cannot address (unaligned, or at or above 2^haw).
 */
int iopt_init(struct iopt *pt, int levels, unsigned haw, const struct iopt_ops *ops);

/*
 * Maps the 4 KiB page at `iova` to `phys` with the given rights (at least
 * one).  E_INVAL if an address is unaligned or out of range (iova at or
 * above 2^(9*levels+12), phys at or above 2^haw) or no right is asked for;
 * E_BUSY if the page is mapped already; E_NOMEM (or E_FAULT, as for
 * iopt_init) if a table could not be had, in which case nothing changed.
 */
int iopt_map(struct iopt *pt, uint64_t iova, uint64_t phys, bool read, bool write);

/*
 * Unmaps the page at `iova`, storing where it pointed in *phys_out (if not
 * NULL).  The tables on its path stay, empty or not, for the next map
 * there (iopt.c says why).  E_NOT_FOUND if nothing is mapped there,
 * E_INVAL for a bad iova.
 */
int iopt_unmap(struct iopt *pt, uint64_t iova, uint64_t *phys_out);

/*
 * Unlinks and frees every table that maps nothing, except the root;
 * returns how many.  The IOMMU may still cache the freed tables: invalidate
 * the domain's IOTLB domain-selectively or globally (which drops its
 * paging-structure caches too, VT-d 6.5) before their frames are used again.
 */
unsigned iopt_prune(struct iopt *pt);

/* Translates `iova` (any byte of a page): the physical address and rights. Pointers may be NULL. */
bool iopt_lookup(const struct iopt *pt, uint64_t iova, uint64_t *phys, bool *read, bool *write);

/* Unmaps everything and frees every table but the root: an empty domain, as after iopt_init. */
void iopt_clear(struct iopt *pt);

/* Frees every table, the root included; *pt is then unusable until iopt_init. */
void iopt_destroy(struct iopt *pt);

#endif
