/*
 * crashme.c — fails on request.  Each kind is a real fault in crashme's own
 * protection domain, which the kernel must catch, charge to crashme, recover
 * from by restarting it, and survive.  `generation` is a static variable
 * that init increments: it is 1 after every restart because the restart
 * resets crashme's memory to the image's initial state.
 */
#include <pinfold/kcall.h>

#include "components/crashme/kinds.h"
#include "crashme_server.h"

#define SLOT_SIZE   0x40000000ull               /* kernel/layout.h: COMPONENT_SLOT_SIZE */
#define KERNEL_DATA 0xffffffff80140000ull

static uint64_t generation;

int64_t component_init(void)
{
	generation++;
	return 0;
}

int64_t serve_ping(uint64_t *gen)
{
	*gen = generation;
	return 0;
}

/* Each level takes 512 bytes more stack: the 16 KiB entry stack's guard page comes long before the end. */
__attribute__((noinline)) static uint64_t recurse(volatile uint64_t depth)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)depth;
	if (depth > (1ull << 40))
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

int64_t serve_granted_port(uint64_t *value)
{
	*value = inb(0x80);
	return 0;
}

int64_t serve_inject(uint64_t kind)
{
	volatile uint64_t zero = 0;
	switch (kind) {
	case CRASH_NULL:
		return (int64_t)*(volatile uint64_t *)zero;
	case CRASH_WILD_WRITE: {
		/* The neighbouring slot: always another component's, never ours. */
		uint64_t other = ((uint64_t)&generation & ~(SLOT_SIZE - 1)) ^ SLOT_SIZE;
		*(volatile uint64_t *)other = 0xbad;
		break;
	}
	case CRASH_KERNEL_WRITE:
		*(volatile uint64_t *)KERNEL_DATA = 0xbad;
		break;
	case CRASH_WILD_JUMP:
		((void (*)(void))0x0000004000000000ull)();
		break;
	case CRASH_UD:
		__asm__ volatile("ud2");
		break;
	case CRASH_DIV0:
		return (int64_t)(100 / zero);
	case CRASH_STACK:
		return (int64_t)recurse(0);
	case CRASH_PORT:
		return inb(0x60);       /* the keyboard controller: nobody's, so ours neither */
	case CRASH_LOOP:
		for (;;)
			__asm__ volatile("pause");
	default:
		return E_INVAL;
	}
	return 1;       /* the fault did not happen: the caller reports that */
}
