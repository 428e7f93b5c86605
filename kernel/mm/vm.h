/*
 * vm.h — the kernel's part of the address space (layout in kernel/layout.h).
 *
 * vm_init() replaces the boot page tables with the kernel map: the direct
 * map of RAM (no execute), the kernel image with per-section rights (code
 * read-only and executable, everything else no-execute, read-only data
 * read-only), and an uncached window for device registers.
 */
#ifndef PINFOLD_MM_VM_H
#define PINFOLD_MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/layout.h"
#include "kernel/mm/memmap.h"

static inline void *phys_to_virt(uint64_t phys) { return (void *)(phys + DIRECT_MAP_BASE); }
static inline uint64_t virt_to_phys(const void *direct) { return (uint64_t)direct - DIRECT_MAP_BASE; }

void vm_init(const struct memmap_entry *map, size_t n);

/* Is [phys, phys+len) inside the direct map? (Before vm_init: the boot map's 4 GiB.) */
bool vm_phys_mapped(uint64_t phys, uint64_t len);

/* Is [va, va+len) kernel memory that can be read without faulting? */
bool vm_kernel_readable(uint64_t va, uint64_t len);

/* How far the direct map reaches now; only RAM below this can be touched. */
uint64_t vm_boot_direct_map_limit(void);

/* Maps device registers uncached; returns their address, or NULL if the window is full. */
volatile void *vm_map_mmio(uint64_t phys, uint64_t size);

/*
 * Maps one 4 KiB page of the kernel half (kernel stacks); the page-table
 * pages it needs already exist, so every domain sees the change.
 */
void vm_kernel_map(uint64_t va, uint64_t pa, uint64_t perms);
/* Unmaps it, flushes it from the TLB and returns its frame. */
uint64_t vm_kernel_unmap(uint64_t va);

/* The root page table of the kernel map (physical). */
uint64_t vm_kernel_root(void);

#endif
