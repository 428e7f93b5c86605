/*
 * clock.c — TSC clock and LAPIC tick, both calibrated against the PIT.
 *
 * Calibration counts TSC cycles and LAPIC timer ticks across one PIT-timed
 * interval.  Under QEMU's TCG the TSC follows the host clock, and under
 * -icount it counts guest instructions, so the calibrated rate is whatever the
 * PIT (QEMU's virtual clock) says it is: clock_ns() then agrees with the
 * virtual time the devices see.
 */
#include "kernel/time/clock.h"

#include <pinfold/hot.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/sched/sched.h"
#include "kernel/time/pit.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/lapic.h"
#include "kernel/x86/trap.h"

#define CALIBRATION_US 10000

static uint64_t tsc_hz;
HOT_DATA static uint64_t tsc_at_boot;  /* set once by clock_init */
HOT_DATA static uint64_t ns_per_cycle_q32;     /* nanoseconds per TSC cycle, 32.32 fixed point */
static uint64_t lapic_hz;
HOT_DATA volatile uint64_t clock_tick_count;   /* written by the tick handler only */
static unsigned tick_hz;

static void tick(struct trap_frame *frame, void *ctx)
{
	(void)frame, (void)ctx;
	clock_tick_count++;
	lapic_eoi();
	sched_tick();
	console_tick();         /* last: its watchdog may end the running thread */
}

void clock_init(unsigned hz)
{
	lapic_timer_start_oneshot_max();
	uint64_t tsc0 = rdtsc();
	uint32_t lapic0 = lapic_timer_current();
	pit_wait_us(CALIBRATION_US);
	uint32_t lapic1 = lapic_timer_current();
	uint64_t tsc1 = rdtsc();

	tsc_hz = (tsc1 - tsc0) * (1000000 / CALIBRATION_US);
	lapic_hz = (uint64_t)(lapic0 - lapic1) * (1000000 / CALIBRATION_US);
	if (!tsc_hz || lapic_hz < hz)
		PANIC("timer calibration failed (tsc %lu Hz, lapic %lu Hz)", tsc_hz, lapic_hz);
	tsc_at_boot = tsc0;
	ns_per_cycle_q32 = (1000000000ull << 32) / tsc_hz;

	tick_hz = hz;
	trap_set_handler(VECTOR_LAPIC_TIMER, tick, NULL);
	lapic_timer_start_periodic((uint32_t)(lapic_hz / hz), VECTOR_LAPIC_TIMER);
	kprintf("clock: tsc %lu.%03lu MHz, lapic timer %lu.%03lu MHz (/16), tick %u Hz\n",
		tsc_hz / 1000000, tsc_hz / 1000 % 1000, lapic_hz / 1000000, lapic_hz / 1000 % 1000, hz);
}

/* Spins (not hlt: if no interrupt ever comes, hlt would never return) until the tick count passes `target`. */
static bool wait_ticks(uint64_t target, uint64_t deadline_ns)
{
	while (clock_tick_count < target)
		if (clock_ns() > deadline_ns)
			return false;
		else
			cpu_relax();
	return true;
}

void clock_check_tick(unsigned n)
{
	uint64_t deadline = clock_ns() + 2000000000ull;    /* far more than any sane tick needs */
	bool ok = wait_ticks(clock_tick_count + 1, deadline);   /* start on a tick edge */
	uint64_t start_ns = clock_ns();
	ok = ok && wait_ticks(clock_tick_count + n, deadline);
	if (!ok)
		PANIC("the timer tick is not running: %lu ticks in 2 s", clock_tick_count);
	uint64_t us = (clock_ns() - start_ns) / 1000;
	kprintf("clock: tick running, %u ticks in %lu.%03lu ms\n", n, us / 1000, us % 1000);
}

HOT uint64_t clock_ns(void)
{
	/* A 128-bit product, so the clock neither overflows nor needs a division. */
	unsigned __int128 cycles = rdtsc() - tsc_at_boot;
	return (uint64_t)((cycles * ns_per_cycle_q32) >> 32);
}

unsigned clock_tick_hz(void)
{
	return tick_hz;
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}
