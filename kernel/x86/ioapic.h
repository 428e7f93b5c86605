/*
 * ioapic.h — I/O APICs: device interrupt lines (GSIs) to LAPIC vectors.
 */
#ifndef PINFOLD_X86_IOAPIC_H
#define PINFOLD_X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Registers an IOAPIC and masks all its lines; returns false if it cannot be used. */
bool ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base);

/* Routes `gsi` to `vector` on the boot CPU, masked; false if no IOAPIC has that GSI. */
bool ioapic_route(uint32_t gsi, uint8_t vector, bool level_triggered, bool active_low);
bool ioapic_mask(uint32_t gsi, bool masked);

/* Total number of lines over all IOAPICs. */
uint32_t ioapic_line_count(void);

#endif
