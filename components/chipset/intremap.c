/*
 * intremap.c — the chipset's interrupt remapping table (VT-d 5.1).
 *
 * With remapping on, an interrupt message in remappable format names an
 * entry of this table, and the entry, not the message, says which vector
 * reaches which CPU, and from which requester it is accepted (5.1.4).  The
 * chipset makes an entry for each driver's MSI line, accepting only that
 * driver's device, and one for each IOAPIC line, accepting only the IOAPIC;
 * entry numbers follow irt.h, so that a restarted chipset makes the same
 * table.  Every entry sends a vector the kernel chose (SYS_IRQ_BIND_MSI,
 * INFO_GSI_ROUTE) to the boot CPU, with fixed delivery.
 *
 * After each change the entry is invalidated in the unit's interrupt entry
 * cache (VT-d 6.5.2.7), which only queued invalidation can do (invalidate.h);
 * QEMU 7.2 caches no entry, but real hardware does.
 */
#include "intremap.h"

#include <pinfold/kcall.h>

#include "invalidate.h"
#include "irt.h"

static volatile struct vtd_entry *table;        /* NULL: no table, remapping off */
static uint8_t destination;                     /* the boot CPU's APIC id */

/* Whose each MSI line's entry is: the device number sending it and its driver; -1 when free. */
static struct {
	int device, component;
} msi_entry[IRT_MSI_LIMIT];

/* INFO_GSI_ROUTE for each IOAPIC line with an entry (never 0: a vector is at least 32), else 0. */
static uint64_t gsi_route[IRT_IOAPIC_GSIS];

void intremap_init(volatile struct vtd_entry *t, uint8_t apic_id)
{
	table = t;
	destination = apic_id;
	for (unsigned i = 0; i < IRT_MSI_LIMIT; i++)
		msi_entry[i].device = msi_entry[i].component = -1;
}

bool intremap_ready(void) { return table != NULL; }

int64_t intremap_msi_set(uint64_t index, uint64_t vector, uint16_t sid, int device, int component)
{
	struct vtd_irte_spec spec = { .vector = (uint8_t)vector, .apic_id = destination,
				      .svt = VTD_SVT_SID, .sid = sid };
	struct vtd_entry e;
	if (!table || index >= IRT_MSI_LIMIT)
		return E_LIMIT;
	if (vector > 0xff || vtd_irte_encode(&spec, &e) < 0)
		return E_INVAL;
	vtd_entry_store(&table[index], e);
	invalidate_iec((uint16_t)index);
	msi_entry[index].device = device;
	msi_entry[index].component = component;
	return 0;
}

void intremap_msi_release(int component, void (*msi_off)(int device))
{
	for (unsigned i = 0; table && i < IRT_MSI_LIMIT; i++) {
		if (msi_entry[i].component != component)
			continue;
		msi_off(msi_entry[i].device);
		vtd_entry_clear(&table[i]);
		invalidate_iec((uint16_t)i);
		msi_entry[i].device = msi_entry[i].component = -1;
	}
}

/*
 * The trigger mode is the pin's (the RTE's must match the entry's, VT-d
 * 5.1.5.1), and the requester id the IOAPIC's as the DMAR names it (ff:00.0
 * under QEMU, whose IOAPIC messages carry none, so the check passes there).
 */
void intremap_ioapic_fill(void)
{
	for (uint64_t gsi = 0; table && gsi < IRT_IOAPIC_GSIS; gsi++) {
		gsi_route[gsi] = 0;
		struct kcall_result r = kernel_info_of(INFO_GSI_ROUTE, gsi);
		if (r.status < 0)
			continue;
		struct vtd_irte_spec spec = { .vector = (uint8_t)r.value, .apic_id = destination,
					      .level = (r.value >> 8) & 1,
					      .svt = (r.value2 >> 16) & 1 ? VTD_SVT_SID : VTD_SVT_NONE,
					      .sid = (uint16_t)r.value2 };
		struct vtd_entry e;
		if (vtd_irte_encode(&spec, &e) < 0)
			continue;
		vtd_entry_store(&table[IRT_IOAPIC_BASE + gsi], e);
		gsi_route[gsi] = r.value;
	}
}

unsigned intremap_ioapic_switch(void)
{
	unsigned n = 0;
	for (uint64_t gsi = 0; gsi < IRT_IOAPIC_GSIS; gsi++) {
		uint64_t route = gsi_route[gsi];
		if (!route)
			continue;
		uint64_t rte = vtd_ioapic_rte_remappable((uint16_t)(IRT_IOAPIC_BASE + gsi), (uint8_t)route,
							 (route >> 8) & 1, (route >> 9) & 1);
		int64_t err = ioapic_remap(gsi, rte);
		if (err < 0)
			log_printf("chipset: IOAPIC line %lu stays in compatibility format (%s)\n", gsi,
				   pinfold_strerror(err));
		else
			n++;
	}
	return n;
}

int64_t intremap_entry(uint64_t n, uint64_t *index, uint64_t *info)
{
	for (unsigned i = 0; table && i < IRT_ENTRIES; i++) {
		struct vtd_irte_spec e;
		if (!vtd_irte_decode((struct vtd_entry){ table[i].lo, table[i].hi }, &e))
			continue;
		if (n > 0) {
			n--;
			continue;
		}
		int owner = i < IRT_MSI_LIMIT ? msi_entry[i].component : -1;
		*index = i;
		*info = (uint64_t)(owner + 1) << 32 | (uint64_t)e.sid << 16 | e.svt << 8 | e.vector;
		return 0;
	}
	return E_NOT_FOUND;
}
