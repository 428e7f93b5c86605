/*
 * domain.h — protection domains: one page table per component.
 *
 * A domain maps exactly what its component may touch, at the same global
 * addresses every other domain uses for those objects (single address
 * space), plus the kernel's top half, which is shared by pointer and
 * supervisor-only.  Each domain has its own PCID, so switching domains is a
 * CR3 write that keeps the TLB entries of the others (Intel SDM vol. 3,
 * 4.10.1).  When a mapping is removed from a domain that is not the current
 * one, its stale TLB entries are flushed the next time it is switched to.
 */
#ifndef PINFOLD_COMPONENT_DOMAIN_H
#define PINFOLD_COMPONENT_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

struct domain_ports {
	uint16_t first, last;
};

struct domain {
	uint64_t root;          /* physical address of the PML4 */
	uint16_t pcid;
	bool stale;             /* a mapping was removed while not current: flush on switch */
	unsigned nports;        /* I/O port ranges open while this domain is in force */
	const struct domain_ports *ports;
};

/* Detects PCID, SMEP and SMAP and turns them on; call once at boot. */
void domain_cpu_init(void);

/* An empty domain (only the kernel half); false if out of memory. */
bool domain_create(struct domain *d, uint16_t pcid);

/*
 * Frees every page-table page of the lower half, and the frames mapped in
 * [own_start, own_end), which belong to the domain's component; frames
 * mapped elsewhere (grants) belong to others and are only forgotten.
 */
void domain_destroy(struct domain *d, uint64_t own_start, uint64_t own_end);

/* Maps one 4 KiB user page; perms are PTE_WRITE/PTE_NX, and PTE_PCD/PTE_PWT for device memory (PTE_USER is implied). */
int domain_map(struct domain *d, uint64_t va, uint64_t pa, uint64_t perms);

/* Unmaps one page and flushes it; returns its frame in *pa. */
int domain_unmap(struct domain *d, uint64_t va, uint64_t *pa);

/* Changes the rights of one mapped user page (PTE_WRITE/PTE_NX); flushes it. */
int domain_protect(struct domain *d, uint64_t va, uint64_t perms);

/*
 * Brackets kernel code that writes the current domain's user pages through
 * their user addresses (only the loader does: it lays out images in place).
 * With SMAP on, such access is otherwise a fault.
 */
void domain_user_access_begin(void);
void domain_user_access_end(void);

/* Translates a user address: false unless mapped for user access (and writable if `write`). */
bool domain_lookup(const struct domain *d, uint64_t va, bool write, uint64_t *pa);

/*
 * The same for many pages in a row: the walk down to a page table is made
 * once for the 512 pages (2 MiB) that table maps, so a copy of 1 MiB costs
 * 256 table reads, not 256 walks of four levels.  Start with
 * `struct domain_walk w = { .domain = d };`.
 */
struct domain_walk {
	const struct domain *domain;
	uint64_t region;                /* va >> 21 of the table below */
	const uint64_t *table;          /* the page table mapping that region, or NULL */
};
bool domain_walk_lookup(struct domain_walk *w, uint64_t va, bool write, uint64_t *pa);

/* Switches to `d` (NULL: the kernel map).  Inline: every PDX does it twice. */
extern struct domain *domain_in_force;
extern unsigned domain_ports_open;      /* nports of the domain in force (0 for the kernel map) */
extern uint64_t domain_cr3_flags;       /* CR3 bit 63 (keep the PCID's TLB entries) if PCIDs are on */
void domain_activate_kernel(void);
void domain_switch_ports(struct domain *from, struct domain *to);
static inline void domain_activate(struct domain *d)
{
	if (!d) {
		domain_activate_kernel();
		return;
	}
	if (domain_ports_open | d->nports)
		domain_switch_ports(domain_in_force, d);
	domain_in_force = d;
	uint64_t cr3 = d->root | d->pcid | (d->stale ? 0 : domain_cr3_flags);
	d->stale = false;
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

/* The domain in force now, NULL for the kernel map. */
static inline struct domain *domain_current(void) { return domain_in_force; }

#endif
