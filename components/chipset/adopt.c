/*
 * adopt.c — a restarted chipset takes over its previous instance's work
 * (adopt.h).  The kernel's record (kernel/component/pins.h) says, for each
 * component, which function the chipset gave it and every page it pinned
 * for it, with the frame, whether the device may write, and where each pin
 * call's range began.  Each record was checked by the kernel when it was
 * made, so a domain rebuilt from it maps exactly what the driver was
 * allowed to give its device, whatever the crashed instance had in memory.
 */
#include "adopt.h"

#include <pinfold/kcall.h>

#include "domain.h"

#define OLD_TABLES_MAX 512      /* four instances' table pools, should restarts pile up */

/*
 * The kernel keeps my pins across my restart (SYS_DEVICE_RECORD): those
 * found before I pin anything are my previous instance's table pages.  The
 * unit may walk them until my new root table is in place and the caches
 * are invalidated; only then are they unpinned, and their frames (freed
 * with that instance's memory) go back to the kernel.
 */
static struct { uint64_t va, pa; } old_tables[OLD_TABLES_MAX];
static unsigned old_table_count;

void old_tables_find(unsigned self_id)
{
	struct kcall_result r = device_record(self_id, 0);
	for (uint64_t n = 1; r.status >= 0 && n <= r.value2; n++) {
		struct kcall_result pin = device_record(self_id, n);
		if (pin.status < 0 || old_table_count == sizeof old_tables / sizeof old_tables[0])
			break;
		old_tables[old_table_count].va = pin.value & ~4095ull;
		old_tables[old_table_count++].pa = pin.value2;
	}
}

void old_tables_release(unsigned self_id)
{
	for (unsigned i = 0; i < old_table_count; i++)
		dma_unpin(self_id, old_tables[i].va, old_tables[i].pa);
	if (old_table_count)
		log_printf("chipset: %u table pages of my previous instance released\n", old_table_count);
	old_table_count = 0;
}

/*
 * A range starts at each page its pin call began with (DMA_PIN_RANGE_START)
 * and runs over the following mapped pages up to the next start: unpin
 * names exactly a range, so the ranges must come back as they were pinned.
 */
static bool range_starts_at(const struct device *d, unsigned nranges, uint64_t va)
{
	for (unsigned i = 0; i < nranges; i++)
		if (d->range[i].va == va)
			return true;
	return false;
}

/* d's domain again, for `component`, from the kernel's record of its pins. */
static void domain_adopt(struct device *d, unsigned component, uint64_t pins)
{
	unsigned nranges = 0;
	uint64_t mapped = 0, covered = 0;
	for (uint64_t n = 1; n <= pins; n++) {
		struct kcall_result pin = device_record(component, n);
		if (pin.status < 0)
			break;
		uint64_t va = pin.value & ~4095ull;
		bool write = pin.value & DMA_PIN_WRITE;
		if (iopt_map(&d->pt, va, pin.value2, true, write) < 0)
			continue;
		mapped++;
		if ((pin.value & DMA_PIN_RANGE_START) && nranges < MAX_RANGES)
			d->range[nranges++] = (struct range){ va, 1, write };
	}
	for (unsigned i = 0; i < nranges; i++) {
		struct range *r = &d->range[i];
		while (iopt_lookup(&d->pt, r->va + r->pages * 4096, NULL, NULL, NULL) &&
		       !range_starts_at(d, nranges, r->va + r->pages * 4096))
			r->pages++;
		covered += r->pages;
	}
	d->pages = mapped;
	if (mapped != pins || covered != mapped)
		log_printf("chipset: %02x:%02x.%x: %lu of %lu pins mapped again, %lu in ranges; the rest stay "
			   "pinned until reboot\n", PCI_BUS(d->fn.bdf), PCI_DEV(d->fn.bdf), PCI_FN(d->fn.bdf),
			   mapped, pins, covered);
}

/*
 * After a restart of mine, before my root table is in place: every device a
 * driver had claimed gets its domain again, from the kernel's record of the
 * claim and of each pin (SYS_DEVICE_RECORD), each of which the kernel
 * checked when my previous instance made it.  So a running driver's DMA
 * goes on working, and a driver that stops later is quiesced and its pins
 * dropped as usual.  Nothing my crashed instance left in memory is used.
 */
void domains_adopt(void)
{
	unsigned adopted = 0;
	for (unsigned component = 0;; component++) {
		struct kcall_result r = device_record(component, 0);
		if (r.status < 0)
			break;          /* past the last component */
		if (!r.value)
			continue;
		struct device *d = device_by_bdf((uint16_t)(r.value - 1));
		if (!d || d->owner >= 0 || domain_create(d) < 0) {
			log_printf("chipset: could not take over component %u's device (bdf+1 0x%lx)\n",
				   component, r.value);
			continue;
		}
		d->owner = (int)component;
		domain_adopt(d, component, r.value2);
		adopted++;
	}
	if (adopted)
		log_printf("chipset: %u DMA domains rebuilt from the kernel's record\n", adopted);
}

