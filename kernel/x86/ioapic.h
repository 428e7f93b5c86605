/*
 * ioapic.h — I/O APICs: device interrupt lines (GSIs) to LAPIC vectors,
 * directly or through VT-d interrupt remapping.
 */
#ifndef PINFOLD_X86_IOAPIC_H
#define PINFOLD_X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Registers an IOAPIC and masks all its lines; returns false if it cannot be used. */
bool ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base);

/* Routes `gsi` to `vector` on the boot CPU (through its remapping entry, once it has one), masked;
 * false if no IOAPIC has that GSI. */
bool ioapic_route(uint32_t gsi, uint8_t vector, bool level_triggered, bool active_low);
bool ioapic_mask(uint32_t gsi, bool masked);

/*
 * From now on `gsi` is written as `rte`, an RTE in remappable format (VT-d
 * 5.1.5.1) naming an interrupt-remapping entry, with the mask it has now.
 * False, and nothing changed, unless rte is remappable, holds nothing but
 * the entry index, the format bit, and this vector, trigger mode and
 * polarity, and an IOAPIC has the line.
 */
bool ioapic_remap(uint32_t gsi, uint64_t rte, uint8_t vector, bool level_triggered, bool active_low);

/* The id of the IOAPIC that has `gsi`; false if none has. */
bool ioapic_of(uint32_t gsi, uint8_t *id);

/* Total number of lines over all IOAPICs. */
uint32_t ioapic_line_count(void);

#endif
