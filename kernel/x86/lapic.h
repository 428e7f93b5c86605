/*
 * lapic.h — the local APIC: end of interrupt, the timer, the CPU's APIC id.
 */
#ifndef PINFOLD_X86_LAPIC_H
#define PINFOLD_X86_LAPIC_H

#include <stdint.h>

/* Enables the LAPIC found at `phys` (from the MADT, or the APIC_BASE MSR if 0). */
void lapic_init(uint64_t phys);
void lapic_eoi(void);
uint32_t lapic_id(void);

/* Timer with divide-by-16.  One-shot with the largest count, for calibration: */
void lapic_timer_start_oneshot_max(void);
uint32_t lapic_timer_current(void);
/* Periodic: an interrupt on `vector` every `count` timer ticks. */
void lapic_timer_start_periodic(uint32_t count, uint8_t vector);

#endif
