/*
 * platform.c — from ACPI tables to working interrupt controllers.
 *
 * ACPI is read through the direct map; map() refuses any range that is not
 * mapped RAM, so a table pointer into a hole is a parse error, not a fault.
 * A machine without a usable MADT still boots: the LAPIC address comes from
 * the APIC_BASE MSR and the IOAPIC is assumed at its architectural default,
 * and the console says so.
 */
#include "kernel/platform.h"

#include "kernel/console.h"
#include "kernel/mm/vm.h"
#include "kernel/time/clock.h"
#include "kernel/x86/ioapic.h"
#include "kernel/x86/lapic.h"
#include "kernel/x86/pic.h"
#include "kernel/x86/trap.h"

#define DEFAULT_IOAPIC_PHYS 0xfec00000

static struct acpi_info acpi;     /* written once, by platform_init */

static const void *acpi_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	return vm_phys_mapped(phys, len) ? phys_to_virt(phys) : NULL;
}

static void print_line(void *ctx, const char *text)
{
	(void)ctx;
	kprintf("%s\n", text);
}

static void spurious(struct trap_frame *frame, void *ctx)
{
	(void)frame, (void)ctx;     /* the LAPIC wants no EOI for its spurious vector */
}

static void interrupts_init(void)
{
	pic_disable();
	trap_set_handler(VECTOR_SPURIOUS, spurious, NULL);

	bool have_madt = acpi.madt.status.state == ACPI_PRESENT;
	lapic_init(have_madt ? acpi.madt.lapic_address : 0);
	if (have_madt && acpi.madt.nioapics) {
		for (uint32_t i = 0; i < acpi.madt.nioapics; i++)
			if (!ioapic_add(acpi.madt.ioapic[i].id, acpi.madt.ioapic[i].address,
					acpi.madt.ioapic[i].gsi_base))
				kprintf("ioapic: cannot use IOAPIC %u\n", acpi.madt.ioapic[i].id);
	} else {
		kprintf("ioapic: no MADT entry, assuming one IOAPIC at 0x%x\n", DEFAULT_IOAPIC_PHYS);
		ioapic_add(0, DEFAULT_IOAPIC_PHYS, 0);
	}
}

void platform_init(const struct boot_info *boot, unsigned tick_hz)
{
	const struct acpi_mem mem = { acpi_map, NULL };
	acpi_parse(boot->rsdp, boot->rsdp_len, &mem, &acpi);
	acpi_summary(&acpi, print_line, NULL);

	interrupts_init();
	clock_init(tick_hz);
}

void platform_isa_irq(uint8_t irq, uint32_t *gsi, bool *level, bool *active_low)
{
	*gsi = irq;
	*level = false;
	*active_low = false;
	for (uint32_t i = 0; i < acpi.madt.noverrides && i < ACPI_MAX_OVERRIDES; i++) {
		const struct acpi_override *o = &acpi.madt.override[i];
		if (o->bus_irq != irq)
			continue;
		*gsi = o->gsi;
		*level = ACPI_INTI_TRIGGER(o->flags) == 3;
		*active_low = ACPI_INTI_POLARITY(o->flags) == 3;
	}
}

const struct acpi_info *platform_acpi(void)
{
	return &acpi;
}
