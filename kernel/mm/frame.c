/*
 * frame.c — a bitmap of physical frames, one bit each (1 = in use).
 *
 * The bitmap covers frames 0 to the top of free RAM and lives in the first
 * free range big enough to hold it; it starts all ones, and only the free
 * ranges are cleared, so holes and reserved memory can never be handed out.
 * A rotating hint makes repeated allocation O(1) on average.  Freeing a frame
 * that is not in use is a kernel bug and panics: a double free would later
 * hand one frame to two owners.
 */
#include "kernel/mm/frame.h"

#include <assert.h>
#include <string.h>

#include "kernel/mm/vm.h"
#include "kernel/panic.h"
#include "kernel/x86/cpu.h"

#define FRAME_SHIFT 12

static uint64_t *bitmap;        /* all fields: protected by disabling interrupts */
static size_t frame_limit;      /* frames 0 .. frame_limit-1 are described */
static size_t free_frames, total_frames, hint;

static void mark_free(size_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }
static void mark_used(size_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
static int is_used(size_t f) { return (bitmap[f / 64] >> (f % 64)) & 1; }

void frame_init(const struct phys_range *free, size_t n)
{
	ASSERT(n > 0);
	frame_limit = free[n - 1].end >> FRAME_SHIFT;
	size_t bitmap_bytes = ((frame_limit + 63) / 64) * 8;
	size_t bitmap_frames = (bitmap_bytes + PAGE_SIZE - 1) / PAGE_SIZE;

	size_t home = n;
	for (size_t i = 0; i < n && home == n; i++)
		if (((free[i].end - free[i].start) >> FRAME_SHIFT) >= bitmap_frames &&
		    free[i].start + bitmap_bytes <= vm_boot_direct_map_limit())
			home = i;
	if (home == n)
		PANIC("no free range can hold the frame bitmap (%zu bytes)", bitmap_bytes);

	bitmap = phys_to_virt(free[home].start);
	memset(bitmap, 0xff, bitmap_bytes);
	for (size_t i = 0; i < n; i++)
		for (uint64_t f = free[i].start >> FRAME_SHIFT; f < free[i].end >> FRAME_SHIFT; f++)
			mark_free(f);
	for (size_t f = 0; f < bitmap_frames; f++)
		mark_used((free[home].start >> FRAME_SHIFT) + f);

	total_frames = (size_t)(phys_ranges_bytes(free, n) >> FRAME_SHIFT);
	free_frames = total_frames - bitmap_frames;
}

phys_addr frame_alloc(void)
{
	uint64_t flags = irq_save();
	size_t words = (frame_limit + 63) / 64;
	for (size_t scanned = 0; scanned <= words; scanned++) {
		size_t w = (hint + scanned) % words;
		if (bitmap[w] == ~0ull)
			continue;
		size_t f = w * 64 + (size_t)__builtin_ctzll(~bitmap[w]);
		if (f >= frame_limit)
			continue;
		mark_used(f);
		free_frames--;
		hint = w;
		irq_restore(flags);
		phys_addr p = (phys_addr)f << FRAME_SHIFT;
		memset(phys_to_virt(p), 0, PAGE_SIZE);
		return p;
	}
	irq_restore(flags);
	return 0;
}

void frame_free(phys_addr frame)
{
	size_t f = frame >> FRAME_SHIFT;
	if ((frame & (PAGE_SIZE - 1)) || f >= frame_limit)
		PANIC("frame_free(0x%lx): not a frame address", frame);
	uint64_t flags = irq_save();
	if (!is_used(f))
		PANIC("frame_free(0x%lx): frame is already free", frame);
	mark_free(f);
	free_frames++;
	irq_restore(flags);
}

size_t frame_free_count(void) { return free_frames; }
size_t frame_total_count(void) { return total_frames; }
