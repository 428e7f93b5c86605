/*
 * domain.c — page tables of protection domains, and switching between them.
 *
 * The lower half of each domain is built with the pure page-table code
 * (kernel/mm/pagetable.c) on frames from the frame allocator; the top half
 * is the kernel's PML4 entries 256-511, copied at creation.  Those entries
 * point at page-table pages that the kernel map never replaces, so a later
 * kernel mapping shows up in every domain.
 */
#include "kernel/component/domain.h"

#include <assert.h>
#include <pinfold/hot.h>
#include <stddef.h>

#include "kernel/console.h"
#include "kernel/layout.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/vm.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/gdt.h"

#define CR4_PCIDE  (1ull << 17)
#define CR4_SMEP   (1ull << 20)
#define CR4_SMAP   (1ull << 21)
#define CR3_NOFLUSH (1ull << 63)

static bool have_pcid;
HOT_DATA static bool have_smap;
HOT_DATA struct domain *domain_in_force;        /* NULL: the kernel map */
HOT_DATA unsigned domain_ports_open;
HOT_DATA uint64_t domain_cr3_flags;

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
	return frame_alloc();
}

static void *table_ptr(void *ctx, uint64_t phys)
{
	(void)ctx;
	return phys_to_virt(phys);
}

static void free_table(void *ctx, uint64_t phys)
{
	(void)ctx;
	frame_free(phys);
}

/* Domains give back empty page-table pages: heap addresses are never reused, so tables would pile up. */
static const struct pt_ops domain_pt_ops = { alloc_table, table_ptr, NULL, free_table };

void domain_cpu_init(void)
{
	struct cpuid leaf1 = cpuid(1, 0), leaf7 = cpuid(7, 0);
	uint64_t cr4 = read_cr4();
	have_pcid = leaf1.ecx & (1u << 17);
	if (have_pcid) {
		cr4 |= CR4_PCIDE;       /* allowed only while CR3's PCID is 0: it is, in the kernel map */
		domain_cr3_flags = CR3_NOFLUSH;
	}
	if (leaf7.ebx & (1u << 7))
		cr4 |= CR4_SMEP;
	have_smap = leaf7.ebx & (1u << 20);
	if (have_smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	kprintf("domain: pcid %s, smep %s, smap %s\n", have_pcid ? "on" : "absent",
		(cr4 & CR4_SMEP) ? "on" : "absent", (cr4 & CR4_SMAP) ? "on" : "absent");
}

bool domain_create(struct domain *d, uint16_t pcid)
{
	d->root = frame_alloc();
	if (!d->root)
		return false;
	d->pcid = have_pcid ? pcid : 0;
	/* The PCID may have served an earlier domain (a restarted component's): flush its entries. */
	d->stale = true;
	uint64_t *dst = phys_to_virt(d->root);
	const uint64_t *src = phys_to_virt(vm_kernel_root());
	for (int i = 256; i < 512; i++)
		dst[i] = src[i];
	return true;
}

/* Frees the table at `level` mapping from `va`, its subtables, and the owned frames it maps. */
static void free_level(uint64_t table, int level, uint64_t va, uint64_t own_start, uint64_t own_end)
{
	uint64_t *e = phys_to_virt(table);
	uint64_t span = 1ull << (12 + 9 * (level - 1));
	for (int i = 0; i < 512; i++) {
		if (!(e[i] & PTE_PRESENT))
			continue;
		uint64_t at = va + (uint64_t)i * span;
		if (level > 1)
			free_level(e[i] & PTE_ADDR_MASK, level - 1, at, own_start, own_end);
		else if (at >= own_start && at < own_end)
			frame_free(e[i] & PTE_ADDR_MASK);
	}
	frame_free(table);
}

void domain_destroy(struct domain *d, uint64_t own_start, uint64_t own_end)
{
	if (d == domain_in_force)
		domain_activate_kernel();       /* left in force by a kernel thread (sched.c) */
	uint64_t *pml4 = phys_to_virt(d->root);
	for (int i = 0; i < 256; i++)
		if (pml4[i] & PTE_PRESENT)
			free_level(pml4[i] & PTE_ADDR_MASK, 3, (uint64_t)i << 39, own_start, own_end);
	frame_free(d->root);
	d->root = 0;
}

int domain_map(struct domain *d, uint64_t va, uint64_t pa, uint64_t perms)
{
	if (!d->root)
		return PT_ERR_NOT_MAPPED;       /* torn down */
	if (va >= USER_ADDRESS_LIMIT)
		return PT_ERR_SIZE;
	return pt_map(&domain_pt_ops, d->root, va, pa, PT_PAGE_4K,
		      (perms & (PTE_WRITE | PTE_NX | PTE_PCD | PTE_PWT)) | PTE_USER);
}

/* After a mapping of `d` shrank: flush it now if `d` is in force, else at its next switch. */
static int flush_after(struct domain *d, uint64_t va, int err)
{
	if (err)
		return err;
	if (d == domain_in_force)
		invlpg(va);
	else
		d->stale = true;
	return 0;
}

int domain_unmap(struct domain *d, uint64_t va, uint64_t *pa)
{
	if (!d->root)
		return PT_ERR_NOT_MAPPED;
	return flush_after(d, va, pt_unmap(&domain_pt_ops, d->root, va, PT_PAGE_4K, pa));
}

int domain_protect(struct domain *d, uint64_t va, uint64_t perms)
{
	if (!d->root)
		return PT_ERR_NOT_MAPPED;
	return flush_after(d, va, pt_protect(&domain_pt_ops, d->root, va, PT_PAGE_4K,
					     (perms & (PTE_WRITE | PTE_NX)) | PTE_USER));
}

/* The page table (level 1) that maps va's 2 MiB region, or NULL (not present, or a large page). */
HOT static const uint64_t *leaf_table(const struct domain *d, uint64_t va)
{
	if (!d->root || va >= USER_ADDRESS_LIMIT)
		return NULL;
	const uint64_t *table = phys_to_virt(d->root);
	for (int level = 4; level > 1; level--) {
		uint64_t e = table[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PTE_PRESENT) || (e & PTE_LARGE))
			return NULL;
		table = phys_to_virt(e & PTE_ADDR_MASK);
	}
	return table;
}

HOT bool domain_walk_lookup(struct domain_walk *w, uint64_t va, bool write, uint64_t *pa)
{
	if (!w->table || w->region != va >> 21) {
		w->table = leaf_table(w->domain, va);
		w->region = va >> 21;
		if (!w->table)          /* a large page, or nothing: the general walk decides */
			return domain_lookup(w->domain, va, write, pa);
	}
	uint64_t e = w->table[(va >> 12) & 511];
	if (!(e & PTE_PRESENT) || !(e & PTE_USER) || (write && !(e & PTE_WRITE)))
		return false;
	*pa = (e & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
	return true;
}

void domain_user_access_begin(void)
{
	if (have_smap)
		__asm__ volatile("stac" ::: "memory");
}

void domain_user_access_end(void)
{
	if (have_smap)
		__asm__ volatile("clac" ::: "memory");
}

bool domain_lookup(const struct domain *d, uint64_t va, bool write, uint64_t *pa)
{
	uint64_t flags, size;
	if (!d->root || va >= USER_ADDRESS_LIMIT || !pt_lookup(&domain_pt_ops, d->root, va, pa, &flags, &size))
		return false;
	return (flags & PTE_USER) && (!write || (flags & PTE_WRITE));
}

/* Closes the ports of `from` and opens those of `to` in the TSS's I/O bitmap. */
void domain_switch_ports(struct domain *from, struct domain *to)
{
	for (unsigned i = 0; from && i < from->nports; i++)
		tss_allow_ports(from->ports[i].first, from->ports[i].last, false);
	for (unsigned i = 0; to && i < to->nports; i++)
		tss_allow_ports(to->ports[i].first, to->ports[i].last, true);
	domain_ports_open = to ? to->nports : 0;
}

void domain_activate_kernel(void)
{
	if (domain_ports_open)
		domain_switch_ports(domain_in_force, NULL);
	domain_in_force = NULL;
	write_cr3(vm_kernel_root() | domain_cr3_flags);
}
