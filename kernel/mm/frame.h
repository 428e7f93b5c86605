/*
 * frame.h — the physical page-frame allocator.
 *
 * Frames are 4 KiB.  A frame's physical address is a `phys_addr`, never a
 * pointer: the kernel reaches it through the direct map (phys_to_virt in
 * kernel/mm/vm.h).  Frame 0 is never free (the first megabyte is reserved),
 * so 0 means "no frame".
 */
#ifndef PINFOLD_MM_FRAME_H
#define PINFOLD_MM_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/memmap.h"

typedef uint64_t phys_addr;

/* Takes ownership of the free ranges; the bitmap is carved out of them. */
void frame_init(const struct phys_range *free, size_t n);

/* A zeroed frame, or 0 when memory is exhausted. */
phys_addr frame_alloc(void);
void frame_free(phys_addr frame);

/*
 * Pinning, for frames a device may reach by DMA.  frame_pin() fails with -1
 * for anything but allocated RAM and with -2 when the frame's count is full.
 * A pinned frame that is freed stays out of the pool until its last unpin.
 */
int frame_pin(phys_addr frame);
void frame_unpin(phys_addr frame);
unsigned frame_pin_count(phys_addr frame);
/* Was this frame ever free memory (not a hole, MMIO, the kernel or a module)? */
bool frame_is_ram(phys_addr frame);
size_t frame_pinned_count(void);
size_t frame_deferred_count(void);     /* freed, waiting for their last unpin */

size_t frame_free_count(void);
size_t frame_total_count(void);

#endif
