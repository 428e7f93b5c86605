/*
 * selftest.c — each provoke_* function fails in its own way, and is never
 * inlined, so the exception report must name exactly that function.
 */
#include "kernel/selftest.h"

#include <assert.h>
#include <stdint.h>

#include "kernel/console.h"

/* An address in the canonical hole between the halves: a #GP, not a #PF, on access. */
#define NON_CANONICAL 0x0000800000000000ull
/* Unmapped: nothing is ever mapped in the lowest pages. */
#define UNMAPPED      0x0000000000001238ull

__attribute__((noinline)) static void provoke_page_fault(void)
{
	*(volatile uint64_t *)UNMAPPED = 0x5eed;
}

__attribute__((noinline)) static void provoke_general_protection(void)
{
	(void)*(volatile uint64_t *)NON_CANONICAL;
}

__attribute__((noinline)) static void provoke_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

/*
 * A stack pointer into unmapped memory: the push faults, and so does the
 * CPU's attempt to push the page fault's frame, which makes it a double
 * fault.  Only the IST stack the double-fault gate names lets the report run.
 */
__attribute__((noinline)) static void provoke_double_fault(void)
{
	__asm__ volatile("mov %0, %%rsp\n\tpushq $0" ::"i"(UNMAPPED & ~0xfull) : "memory");
}

__attribute__((noinline)) static void provoke_assert(void)
{
	volatile int answer = 41;
	ASSERT(answer == 42);
}

void selftest_provoke(enum boot_fault fault)
{
	switch (fault) {
	case BOOT_FAULT_NONE:
		return;
	case BOOT_FAULT_PAGE:
		kprintf("selftest: provoking a page fault\n");
		provoke_page_fault();
		break;
	case BOOT_FAULT_GP:
		kprintf("selftest: provoking a general-protection fault\n");
		provoke_general_protection();
		break;
	case BOOT_FAULT_UD:
		kprintf("selftest: provoking an invalid opcode\n");
		provoke_invalid_opcode();
		break;
	case BOOT_FAULT_DOUBLE:
		kprintf("selftest: provoking a double fault\n");
		provoke_double_fault();
		break;
	case BOOT_FAULT_ASSERT:
		kprintf("selftest: provoking an assertion failure\n");
		provoke_assert();
		break;
	}
	kprintf("selftest: the provoked fault did not happen\n");
}
