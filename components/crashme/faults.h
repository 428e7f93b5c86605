/*
 * faults.h — making a component fail on request, for every component that
 * implements an `inject(kind)` method (crashme, and the serial driver).
 *
 * inject_fault(kind) really does the faulty thing in the caller's own
 * protection domain.  The kinds that do not fault by themselves are left to
 * the caller: CRASH_IRQ_HANG (its interrupt method must hang on the next
 * interrupt) and CRASH_BAD_CALL (done here: kernel calls with garbage, which
 * the kernel must refuse without harm; the component survives).
 * Returns E_INVAL for an unknown kind, 1 if the fault did not happen.
 */
#ifndef PINFOLD_CRASHME_FAULTS_H
#define PINFOLD_CRASHME_FAULTS_H

#include <pinfold/kcall.h>

#include "components/crashme/kinds.h"

#define FAULT_SLOT_SIZE   0x40000000ull   /* kernel/layout.h: COMPONENT_SLOT_SIZE */
#define FAULT_KERNEL_DATA 0xffffffff80140000ull
#define FAULT_UNMAPPED    0x0000004000000000ull

static uint8_t fault_own_byte;

/* Each level takes 512 bytes more stack: the entry stack's guard page comes long before the end. */
__attribute__((noinline, unused)) static uint64_t fault_recurse(volatile uint64_t depth)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)depth;
	if (depth > (1ull << 40))
		return pad[0];
	return fault_recurse(depth + 1) + pad[0];
}

static inline uint8_t fault_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* 1,000 kernel calls with nonsense: unknown numbers, bad pointers, huge lengths. */
static inline int64_t fault_bad_calls(void)
{
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (int i = 0; i < 1000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t nr = 100 + x % 1000;
		if (i % 2)
			nr = SYS_LOG;
		kcall(nr, FAULT_KERNEL_DATA + (x & 0xfff0), x, x >> 3, x >> 5);
	}
	return 1;
}

static inline int64_t inject_fault(uint64_t kind)
{
	volatile uint64_t zero = 0;
	switch (kind) {
	case CRASH_NULL:
		return (int64_t)*(volatile uint64_t *)zero;
	case CRASH_WILD_WRITE: {
		/* The neighbouring slot: always another component's, never ours. */
		uint64_t other = ((uint64_t)&fault_own_byte & ~(FAULT_SLOT_SIZE - 1)) ^ FAULT_SLOT_SIZE;
		*(volatile uint64_t *)other = 0xbad;
		break;
	}
	case CRASH_KERNEL_WRITE:
		*(volatile uint64_t *)FAULT_KERNEL_DATA = 0xbad;
		break;
	case CRASH_WILD_JUMP:
		((void (*)(void))FAULT_UNMAPPED)();
		break;
	case CRASH_UD:
		__asm__ volatile("ud2");
		break;
	case CRASH_DIV0:
		return (int64_t)(100 / zero);
	case CRASH_STACK:
		return (int64_t)fault_recurse(0);
	case CRASH_PORT:
		return fault_inb(0x60);         /* the keyboard controller: nobody's */
	case CRASH_LOOP:
		for (;;)
			__asm__ volatile("pause");
	case CRASH_BAD_CALL:
		return fault_bad_calls();
	default:
		return E_INVAL;
	}
	return 1;
}

#endif
