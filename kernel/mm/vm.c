/*
 * vm.c — builds the kernel map and the MMIO window.
 *
 * The direct map covers RAM (usable and ACPI memory, and the first megabyte)
 * write-back, and the firmware's reserved ranges uncached: SeaBIOS keeps the
 * ACPI tables in a reserved range, and reserved ranges also hold device
 * registers, which must never be cached.  It uses 2 MiB pages wherever a range
 * allows and 4 KiB pages at unaligned edges, so a page never straddles RAM
 * and a device.  All kernel mappings are global (CR4.PGE), so they survive
 * the CR3 switches between protection domains.
 *
 * The tables are allocated from the frame allocator while the boot tables are
 * still live; the allocator hands out the lowest frames first, which the
 * boot map (the low 4 GiB) already covers.
 */
#include "kernel/mm/vm.h"

#include <assert.h>

#include "kernel/console.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/panic.h"
#include "kernel/x86/cpu.h"

#define CR4_PGE (1ull << 7)
#define BOOT_DIRECT_MAP_LIMIT 0x100000000ull
#define FIRST_MEGABYTE 0x100000ull

extern const char kernel_text_start[], kernel_text_end[], kernel_rodata_start[];
extern const char kernel_data_start[], kernel_image_end[];

static uint64_t kernel_root;
/* What the direct map covers; written once by vm_init. */
static struct phys_range direct_ram[MEMMAP_MAX_RANGES], direct_fw[MEMMAP_MAX_RANGES];
static size_t ram_count, fw_count;
static bool kernel_map_live;
static uint64_t mmio_next = MMIO_WINDOW_BASE;

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
	phys_addr p = frame_alloc();
	if (p && p + PAGE_SIZE > vm_boot_direct_map_limit())
		PANIC("page-table frame 0x%lx is outside the direct map", p);
	return p;
}

static void *table_ptr(void *ctx, uint64_t phys)
{
	(void)ctx;
	return phys_to_virt(phys);
}

/* The kernel half keeps its table pages: every domain shares them by pointer. */
static const struct pt_ops kernel_pt_ops = { alloc_table, table_ptr, 0, NULL };

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t size, uint64_t perms)
{
	int err = pt_map(&kernel_pt_ops, kernel_root, va, pa, size, perms);
	if (err)
		PANIC("cannot map 0x%lx -> 0x%lx (error %d)", va, pa, err);
}

/* Maps [start, end) into the direct map; pages already mapped (RAM sharing a page with a reserved range) are kept. */
static void map_direct_range(uint64_t start, uint64_t end, uint64_t perms)
{
	if (end > DIRECT_MAP_LIMIT)
		PANIC("physical memory at 0x%lx is beyond the direct map", start);
	for (uint64_t pa = start; pa < end;) {
		bool large = !(pa & (PT_PAGE_2M - 1)) && end - pa >= PT_PAGE_2M;
		uint64_t size = large ? PT_PAGE_2M : PT_PAGE_4K;
		int err = pt_map(&kernel_pt_ops, kernel_root, DIRECT_MAP_BASE + pa, pa, size,
				 perms | PTE_WRITE | PTE_GLOBAL | PTE_NX);
		if (err == PT_ERR_MAPPED && large) {
			size = PT_PAGE_4K;       /* partly mapped already: go page by page */
			continue;
		}
		if (err && err != PT_ERR_MAPPED)
			PANIC("cannot map physical 0x%lx (error %d)", pa, err);
		pa += size;
	}
}

static void map_image(const char *start, const char *end, uint64_t perms)
{
	for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
		map_or_panic(va, va - KERNEL_VMA, PT_PAGE_4K, perms | PTE_GLOBAL);
}

void vm_init(const struct memmap_entry *map, size_t n)
{
	kernel_root = alloc_table(0);
	if (!kernel_root)
		PANIC("no memory for the kernel page tables");

	ram_count = memmap_ranges_of(map, n, MEMMAP_RAM_TYPES, direct_ram, MEMMAP_MAX_RANGES);
	fw_count = memmap_ranges_of(map, n, MEMMAP_TYPE_BIT(MEMMAP_RESERVED), direct_fw, MEMMAP_MAX_RANGES);
	map_direct_range(0, FIRST_MEGABYTE, 0);
	for (size_t i = 0; i < ram_count; i++)
		map_direct_range(direct_ram[i].start, direct_ram[i].end, 0);
	/* Firmware data lives below 4 GiB; QEMU also reserves 12 GiB at 1 TiB, which is no use to map. */
	while (fw_count && direct_fw[fw_count - 1].start >= BOOT_DIRECT_MAP_LIMIT)
		fw_count--;
	for (size_t i = 0; i < fw_count; i++)
		map_direct_range(direct_fw[i].start, direct_fw[i].end, PTE_PCD | PTE_PWT);

	map_image(kernel_text_start, kernel_text_end, 0);
	map_image((const char *)(((uint64_t)kernel_text_end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)),
		  kernel_data_start, PTE_NX);
	map_image(kernel_data_start, kernel_image_end, PTE_WRITE | PTE_NX);

	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(kernel_root);
	kernel_map_live = true;         /* from now on only the ranges above are mapped */
}

static bool in_ranges(const struct phys_range *r, size_t n, uint64_t phys, uint64_t len)
{
	for (size_t i = 0; i < n; i++)
		if (phys >= r[i].start && phys + len <= r[i].end)
			return true;
	return false;
}

bool vm_phys_mapped(uint64_t phys, uint64_t len)
{
	if (len > UINT64_MAX - phys)
		return false;
	if (!kernel_map_live)
		return phys + len <= BOOT_DIRECT_MAP_LIMIT;
	return phys + len <= FIRST_MEGABYTE || in_ranges(direct_ram, ram_count, phys, len) ||
	       in_ranges(direct_fw, fw_count, phys, len);
}

bool vm_kernel_readable(uint64_t va, uint64_t len)
{
	if (va >= (uint64_t)kernel_text_start && va + len <= (uint64_t)kernel_image_end &&
	    va + len >= va)
		return true;
	if (va < DIRECT_MAP_BASE || va >= DIRECT_MAP_BASE + DIRECT_MAP_LIMIT)
		return false;
	return vm_phys_mapped(va - DIRECT_MAP_BASE, len);
}

uint64_t vm_boot_direct_map_limit(void)
{
	return kernel_map_live && ram_count ? direct_ram[ram_count - 1].end : BOOT_DIRECT_MAP_LIMIT;
}

volatile void *vm_map_mmio(uint64_t phys, uint64_t size)
{
	uint64_t first = phys & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t pages = (phys + size - first + PAGE_SIZE - 1) / PAGE_SIZE;
	if (size == 0 || pages > (MMIO_WINDOW_BASE + MMIO_WINDOW_SIZE - mmio_next) / PAGE_SIZE)
		return NULL;
	uint64_t va = mmio_next;
	for (uint64_t i = 0; i < pages; i++)
		map_or_panic(va + i * PAGE_SIZE, first + i * PAGE_SIZE, PT_PAGE_4K,
			     PTE_WRITE | PTE_PCD | PTE_PWT | PTE_GLOBAL | PTE_NX);
	mmio_next += pages * PAGE_SIZE;
	return (volatile void *)(va + (phys - first));
}

void vm_kernel_map(uint64_t va, uint64_t pa, uint64_t perms)
{
	/* The top-half PML4 entries are shared by pointer with every domain; a new one would not be. */
	const uint64_t *pml4 = phys_to_virt(kernel_root);
	ASSERT(va >= KERNEL_VMA && (pml4[(va >> 39) & 511] & PTE_PRESENT));
	map_or_panic(va, pa, PT_PAGE_4K, perms | PTE_GLOBAL | PTE_NX);
}

uint64_t vm_kernel_unmap(uint64_t va)
{
	uint64_t pa;
	int err = pt_unmap(&kernel_pt_ops, kernel_root, va, PT_PAGE_4K, &pa);
	if (err)
		PANIC("cannot unmap kernel page 0x%lx (error %d)", va, err);
	invlpg(va);
	return pa;
}

uint64_t vm_kernel_root(void)
{
	return kernel_root;
}
