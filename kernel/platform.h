/*
 * platform.h — the machine the kernel found: ACPI's description of it, and
 * the interrupt hardware brought up from that description.
 */
#ifndef PINFOLD_PLATFORM_H
#define PINFOLD_PLATFORM_H

#include "kernel/acpi/acpi.h"
#include "kernel/multiboot.h"

/* Parses ACPI, switches off the PIC, starts LAPIC and IOAPICs and the clock tick. */
void platform_init(const struct boot_info *boot, unsigned tick_hz);

/*
 * The GSI a legacy ISA IRQ arrives on, and its trigger mode and polarity,
 * after the MADT's interrupt source overrides (ISA default: edge, active high).
 */
void platform_isa_irq(uint8_t irq, uint32_t *gsi, bool *level, bool *active_low);

/* What ACPI said (valid after platform_init). */
const struct acpi_info *platform_acpi(void);

#endif
