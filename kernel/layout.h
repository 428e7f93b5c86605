/*
 * layout.h — the top half of Pinfold's single address space.
 *
 * The lower half belongs to components.  Everything a component can reach
 * lies below 2^39, the IOMMU's input-address width, because a pinned buffer
 * is mapped for its device at the address the CPU uses (IOVA = VA):
 *
 *   0x0000001000000000  component slots, one of COMPONENT_SLOT_SIZE each,
 *                       the same slot for a component across restarts:
 *     slot + 0            the image (text, rodata, data, bss)
 *     slot + 256 MiB      entry stacks, each below an unmapped guard page
 *     slot + 512 MiB      heap: memory objects, which may be granted to others
 *   0x0000008000000000  2^39: nothing a component can touch lies above
 *
 * The kernel's top half is the same in every protection domain and
 * supervisor-only:
 *
 *   0xffff800000000000  direct map: all of physical RAM, phys + DIRECT_MAP_BASE
 *   0xffffffff00000000  MMIO window: device registers the kernel maps uncached
 *   0xffffffff80000000  kernel image (text, rodata, data, bss, symbol table)
 *   0xffffffffc0000000  kernel stacks of threads, each below a guard page
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

#define COMPONENT_AREA_BASE   0x0000001000000000
#define COMPONENT_SLOT_SIZE   0x0000000040000000   /* 1 GiB */
#define COMPONENT_STACKS_OFF  0x10000000           /* 256 MiB */
#define COMPONENT_HEAP_OFF    0x20000000           /* 512 MiB */
#define COMPONENT_DEVICE_OFF  0x30000000           /* 768 MiB: device memory (MMIO) mapped by the chipset */
#define COMPONENT_IMAGE_MAX   0x04000000           /* 64 MiB */
#define USER_ADDRESS_LIMIT    0x0000008000000000   /* 2^39 */

#define KSTACK_AREA_BASE  0xffffffffc0000000
#define KSTACK_SIZE       16384
#define KSTACK_SLOT_SIZE  32768                    /* the stack and its guard */
#define KSTACK_SLOTS      4096

#define PAGE_SIZE         4096
#define LARGE_PAGE_SIZE   0x200000

#define BOOT_STACK_SIZE   16384

#endif
