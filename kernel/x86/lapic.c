/*
 * lapic.c — the local APIC in xAPIC (MMIO) mode.
 *
 * Register offsets: Intel SDM vol. 3, 11.4.1, table 11-1.  TCG has no
 * x2APIC (see shared/reference/qemu-vtd.md), so MMIO is the only mode.
 * The LVT entries for LINT0/LINT1 and errors are masked: on a machine with an
 * IOAPIC nothing should arrive through them, and anything that does would be
 * an unexplained interrupt.
 */
#include "kernel/x86/lapic.h"
#include <pinfold/hot.h>

#include "kernel/mm/vm.h"
#include "kernel/panic.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/trap.h"

#define LAPIC_ID        0x020
#define LAPIC_TPR       0x080
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define SVR_ENABLE      0x100
#define LVT_MASKED      0x10000
#define LVT_PERIODIC    0x20000
#define TIMER_DIV_16    0x3
#define APIC_BASE_ENABLE (1ull << 11)

HOT_DATA static volatile uint32_t *lapic;  /* set once by lapic_init */

static uint32_t rd(uint32_t reg) { return lapic[reg / 4]; }
static void wr(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; }

void lapic_init(uint64_t phys)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!phys)
		phys = base & ~0xfffull;
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = (volatile uint32_t *)vm_map_mmio(phys, PAGE_SIZE);
	if (!lapic)
		PANIC("cannot map the local APIC");

	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
}

HOT void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void lapic_timer_start_oneshot_max(void)
{
	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_TIMER_INIT, 0xffffffff);
}

uint32_t lapic_timer_current(void)
{
	return rd(LAPIC_TIMER_CUR);
}

void lapic_timer_start_periodic(uint32_t count, uint8_t vector)
{
	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_PERIODIC | vector);
	wr(LAPIC_TIMER_INIT, count);
}
