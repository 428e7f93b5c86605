/*
 * frame.c — a bitmap of physical frames, one bit each (1 = in use).
 *
 * The bitmap covers frames 0 to the top of free RAM and lives in the first
 * free range big enough to hold it; it starts all ones, and only the free
 * ranges are cleared, so holes and reserved memory can never be handed out.
 * A rotating hint makes repeated allocation O(1) on average.  Freeing a frame
 * that is not in use is a kernel bug and panics: a double free would later
 * hand one frame to two owners.
 *
 * Pins (DESIGN.md "The chipset component"): a frame a device may reach by
 * DMA is pinned, once per IOMMU mapping of it.  Freeing a pinned frame only
 * marks it; it returns to the pool when its last pin goes, so a device can
 * never write into memory that has meanwhile been handed to someone else.
 * One byte per frame holds its pin count, or FRAME_NOT_RAM for frames that
 * were never free memory (holes, MMIO, the kernel, modules), which cannot be
 * pinned at all.
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
static uint8_t *pins;           /* per frame: pin count, or FRAME_NOT_RAM */
static uint64_t *free_when_unpinned;    /* bitmap: freed while pinned */
static size_t pinned_frames, deferred_frames;

#define FRAME_NOT_RAM 0xff
#define FRAME_MAX_PINS 0xfe

static void mark_free(size_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }
static void mark_used(size_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
static int is_used(size_t f) { return (bitmap[f / 64] >> (f % 64)) & 1; }

void frame_init(const struct phys_range *free, size_t n)
{
	ASSERT(n > 0);
	frame_limit = free[n - 1].end >> FRAME_SHIFT;
	size_t bitmap_bytes = ((frame_limit + 63) / 64) * 8;
	/* The allocation bitmap, the deferred-free bitmap and the pin bytes, in one piece. */
	size_t meta_bytes = 2 * bitmap_bytes + frame_limit;
	size_t bitmap_frames = (meta_bytes + PAGE_SIZE - 1) / PAGE_SIZE;

	size_t home = n;
	for (size_t i = 0; i < n && home == n; i++)
		if (((free[i].end - free[i].start) >> FRAME_SHIFT) >= bitmap_frames &&
		    free[i].start + meta_bytes <= vm_boot_direct_map_limit())
			home = i;
	if (home == n)
		PANIC("no free range can hold the frame bitmap (%zu bytes)", bitmap_bytes);

	bitmap = phys_to_virt(free[home].start);
	free_when_unpinned = bitmap + bitmap_bytes / 8;
	pins = (uint8_t *)(free_when_unpinned + bitmap_bytes / 8);
	memset(bitmap, 0xff, bitmap_bytes);
	memset(free_when_unpinned, 0, bitmap_bytes);
	memset(pins, FRAME_NOT_RAM, frame_limit);
	for (size_t i = 0; i < n; i++)
		for (uint64_t f = free[i].start >> FRAME_SHIFT; f < free[i].end >> FRAME_SHIFT; f++) {
			mark_free(f);
			pins[f] = 0;
		}
	for (size_t f = 0; f < bitmap_frames; f++) {
		mark_used((free[home].start >> FRAME_SHIFT) + f);
		pins[(free[home].start >> FRAME_SHIFT) + f] = FRAME_NOT_RAM;
	}

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
	if (!is_used(f) || (free_when_unpinned[f / 64] >> (f % 64)) & 1)
		PANIC("frame_free(0x%lx): frame is already free", frame);
	if (pins[f] != 0 && pins[f] != FRAME_NOT_RAM) {
		free_when_unpinned[f / 64] |= 1ull << (f % 64);        /* a device may still reach it */
		deferred_frames++;
		irq_restore(flags);
		return;
	}
	mark_free(f);
	free_frames++;
	irq_restore(flags);
}

int frame_pin(phys_addr frame)
{
	size_t f = frame >> FRAME_SHIFT;
	if ((frame & (PAGE_SIZE - 1)) || f >= frame_limit || pins[f] == FRAME_NOT_RAM || !is_used(f) ||
	    ((free_when_unpinned[f / 64] >> (f % 64)) & 1))
		return -1;              /* not allocated RAM */
	if (pins[f] == FRAME_MAX_PINS)
		return -2;
	if (pins[f]++ == 0)
		pinned_frames++;
	return 0;
}

void frame_unpin(phys_addr frame)
{
	size_t f = frame >> FRAME_SHIFT;
	if ((frame & (PAGE_SIZE - 1)) || f >= frame_limit || pins[f] == 0 || pins[f] == FRAME_NOT_RAM)
		PANIC("frame_unpin(0x%lx): frame is not pinned", frame);
	if (--pins[f] != 0)
		return;
	pinned_frames--;
	if ((free_when_unpinned[f / 64] >> (f % 64)) & 1) {
		free_when_unpinned[f / 64] &= ~(1ull << (f % 64));
		deferred_frames--;
		mark_free(f);
		free_frames++;
	}
}

unsigned frame_pin_count(phys_addr frame)
{
	size_t f = frame >> FRAME_SHIFT;
	return f < frame_limit && pins[f] != FRAME_NOT_RAM ? pins[f] : 0;
}

bool frame_is_ram(phys_addr frame)
{
	size_t f = frame >> FRAME_SHIFT;
	return f < frame_limit && pins[f] != FRAME_NOT_RAM;
}

size_t frame_pinned_count(void) { return pinned_frames; }
size_t frame_deferred_count(void) { return deferred_frames; }

size_t frame_free_count(void) { return free_frames; }
size_t frame_total_count(void) { return total_frames; }
