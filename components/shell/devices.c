/*
 * devices.c — the shell's view of the hardware: lspci and iommu.
 *
 * Both only read what the chipset component reports (components/chipset):
 * one line per PCI function, and the state of the IOMMU with its device
 * domains and recent faults, its interrupt remapping entries, and the
 * kernel's count of interrupts nobody owns.  Owners are shown by component
 * name.
 */
#include "components/shell/devices.h"
#include "components/shell/error.h"

#include <pinfold/kcall.h>
#include <stdio.h>

#include "chipset_client.h"
#include "components/chipset/fault_reason.h"
#include "components/chipset/irt.h"

static void owner_name(uint64_t owner_plus_one, char *buf, size_t size)
{
	struct component_info info;
	if (owner_plus_one && kcall(SYS_COMPONENT_INFO, owner_plus_one - 1, (uint64_t)&info, 0, 0).status == 0)
		snprintf(buf, size, "%s", info.name);
	else
		snprintf(buf, size, "-");
}

static int64_t chipset_cap(void)
{
	int64_t cap = cap_lookup("chipset");
	if (cap < 0)
		shell_error("no chipset component");
	return cap;
}

void shell_lspci(void)
{
	int64_t cap = chipset_cap();
	if (cap < 0)
		return;
	uint64_t bdf, info;
	for (uint64_t i = 0; chipset_device((cap_t)cap, i, &bdf, &info) == 0; i++) {
		char owner[24];
		owner_name(info & 0xffff, owner, sizeof owner);
		log_printf("%02lx:%02lx.%lx %04lx:%04lx %02lx%02lx %s\n", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7,
			   info >> 48, (info >> 32) & 0xffff, (info >> 24) & 0xff, (info >> 16) & 0xff, owner);
	}
}

static uint64_t unexpected_interrupts(unsigned *last)
{
	struct kcall_result r = kernel_info_of(INFO_UNEXPECTED_IRQS, 0);
	*last = (unsigned)r.value2;
	return r.status < 0 ? 0 : r.value;
}

/* "interrupt entries 128-151: ioapic lines 0-23, vectors 0x30-0x47" for one run of IOAPIC entries. */
static void show_ioapic_run(uint64_t first, uint64_t last, uint64_t first_vector, uint64_t last_vector)
{
	log_printf("interrupt entries %lu-%lu: ioapic lines %lu-%lu, vectors 0x%lx-0x%lx\n", first, last,
		   first - IRT_IOAPIC_BASE, last - IRT_IOAPIC_BASE, first_vector, last_vector);
}

/*
 * One line per MSI entry, with its driver and the only requester it accepts
 * ("interrupt entry 25: vector 0x49 from 00:02.0 edu"), and one per run of
 * consecutive IOAPIC entries, which all look alike.
 */
static void show_interrupt_entries(cap_t cap)
{
	uint64_t index, info, first = 0, last = 0, first_vector = 0, last_vector = 0;
	for (uint64_t n = 0; chipset_interrupt_entry(cap, n, &index, &info) == 0; n++) {
		unsigned sid = (info >> 16) & 0xffff, svt = (info >> 8) & 3;
		if (index >= IRT_IOAPIC_BASE) {
			if (last && index != last + 1)
				show_ioapic_run(first, last, first_vector, last_vector);
			if (!last || index != last + 1)
				first = index, first_vector = info & 0xff;
			last = index, last_vector = info & 0xff;
			continue;
		}
		char owner[24], from[16] = "anyone";
		owner_name(info >> 32, owner, sizeof owner);
		if (svt == 1)
			snprintf(from, sizeof from, "%02x:%02x.%x", sid >> 8, (sid >> 3) & 0x1f, sid & 7);
		log_printf("interrupt entry %lu: vector 0x%lx from %s %s\n", index, info & 0xff, from, owner);
	}
	if (last)
		show_ioapic_run(first, last, first_vector, last_vector);
}

void shell_iommu(void)
{
	int64_t cap = chipset_cap();
	if (cap < 0)
		return;
	uint64_t flags = 0;
	int64_t r = chipset_status((cap_t)cap, &flags);
	if (r < 0) {
		shell_error("iommu: %s", pinfold_strerror(r));
		return;
	}
	log_printf("dma remapping: %s\n", flags & 4 ? "no IOMMU" : flags & 1 ? "on" : "off");
	log_printf("interrupt remapping: %s\n", flags & 2 ? "on" : "off");
	show_interrupt_entries((cap_t)cap);
	unsigned last;
	uint64_t unexpected = unexpected_interrupts(&last);
	if (unexpected)
		log_printf("unexpected interrupts: %lu (the last on vector 0x%x)\n", unexpected, last);
	else
		log_printf("unexpected interrupts: 0\n");
	uint64_t bdf, info, pages, faults;
	for (uint64_t i = 0; chipset_device((cap_t)cap, i, &bdf, &info) == 0; i++) {
		if (chipset_domain((cap_t)cap, bdf, &pages, &faults) != 1 && !faults)
			continue;       /* no domain ever: its DMA is blocked, nothing to show */
		char owner[24];
		owner_name(info & 0xffff, owner, sizeof owner);
		log_printf("domain %02lx:%02lx.%lx owner %s pinned %lu pages, %lu faults\n",
			   bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7, owner, pages, faults);
	}
	uint64_t source, address;
	for (uint64_t i = 0; chipset_fault((cap_t)cap, i, &source, &address) == 0; i++) {
		unsigned sid = source & 0xffff, reason = (source >> 16) & 0xff;
		if ((source >> 25) & 1)
			log_printf("fault lost: the fault records overflowed; its source is unknown\n");
		else if ((source >> 26) & 1)
			log_printf("fault %02x:%02x.%x interrupt entry %lu reason 0x%x: %s\n", sid >> 8,
				   (sid >> 3) & 0x1f, sid & 7, address, reason, vtd_fault_reason_text(reason));
		else
			log_printf("fault %02x:%02x.%x %s 0x%lx reason %u: %s\n", sid >> 8, (sid >> 3) & 0x1f,
				   sid & 7, (source >> 24) & 1 ? "read" : "write", address, reason, vtd_fault_reason_text(reason));
	}
}
