/*
 * layout.h — the top half of Pinfold's single address space.
 *
 * The lower half (below 2^47) belongs to components and is described in the
 * component layout.  The kernel's top half is the same in every protection
 * domain and supervisor-only:
 *
 *   0xffff800000000000  direct map: all of physical RAM, phys + DIRECT_MAP_BASE
 *   0xffffffff00000000  MMIO window: device registers the kernel maps uncached
 *   0xffffffff80000000  kernel image (text, rodata, data, bss, symbol table)
 *
 * This header is included by assembly too, so it holds only #defines.
 */
#ifndef PINFOLD_LAYOUT_H
#define PINFOLD_LAYOUT_H

#define KERNEL_VMA        0xffffffff80000000
#define DIRECT_MAP_BASE   0xffff800000000000
#define DIRECT_MAP_LIMIT  0x0000400000000000   /* 64 TiB of physical address space */
#define MMIO_WINDOW_BASE  0xffffffff00000000
#define MMIO_WINDOW_SIZE  0x0000000040000000   /* 1 GiB */

#define PAGE_SIZE         4096
#define LARGE_PAGE_SIZE   0x200000

#define BOOT_STACK_SIZE   16384

#endif
