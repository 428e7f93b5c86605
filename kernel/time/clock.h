/*
 * clock.h — time since boot, and the periodic tick.
 *
 * clock_ns() is monotonic: it reads the TSC, calibrated against the PIT at
 * boot.  The tick is the LAPIC timer in periodic mode; the scheduler will
 * hang its preemption on it.
 */
#ifndef PINFOLD_TIME_CLOCK_H
#define PINFOLD_TIME_CLOCK_H

#include <stdint.h>

/* Calibrates the TSC and the LAPIC timer, then starts the tick at `hz`. */
void clock_init(unsigned hz);

/*
 * Waits for `n` ticks with interrupts on and reports how long they took by
 * the TSC clock; panics if the tick does not run (no timer interrupts).
 */
void clock_check_tick(unsigned n);

uint64_t clock_ns(void);

/* Ticks since the tick started; a plain variable so hot paths can read it for free. */
extern volatile uint64_t clock_tick_count;
static inline uint64_t clock_ticks(void) { return clock_tick_count; }
unsigned clock_tick_hz(void);
uint64_t clock_tsc_hz(void);

#endif
