/*
 * intruder.c — makes one illegal memory access per call.
 *
 * Every access here must fault in intruder's own protection domain: the
 * kernel then stops intruder, and the caller's invoke returns
 * E_CALLEE_FAILED.  If an attack ever returns, isolation is broken, and the
 * caller sees status 1 and the stolen value.
 */
#include <pinfold/kcall.h>

#include "components/intruder/kinds.h"
#include "intruder_server.h"

#define KERNEL_TEXT 0xffffffff80140000ull   /* inside the kernel image: mapped, supervisor-only */
#define UNMAPPED    0x0000004000000000ull

int64_t serve_ping(void)
{
	return 0;
}

int64_t serve_attack(uint64_t kind, uint64_t address, uint64_t *value)
{
	log_printf("intruder: attack %s at 0x%lx\n", kind < INTRUDER_KINDS ? intruder_kinds[kind] : "?",
		   kind == ATTACK_READ_KERNEL || kind == ATTACK_WRITE_KERNEL ? (unsigned long)KERNEL_TEXT :
		   (unsigned long)(kind == ATTACK_READ_UNMAPPED ? UNMAPPED : address));
	switch (kind) {
	case ATTACK_READ_PEER:
		*value = *(volatile uint64_t *)address;
		break;
	case ATTACK_WRITE_PEER:
		*(volatile uint64_t *)address = 0xbad;
		break;
	case ATTACK_READ_KERNEL:
		*value = *(volatile uint64_t *)KERNEL_TEXT;
		break;
	case ATTACK_WRITE_KERNEL:
		*(volatile uint64_t *)KERNEL_TEXT = 0xbad;
		break;
	case ATTACK_READ_UNMAPPED:
		*value = *(volatile uint64_t *)UNMAPPED;
		break;
	case ATTACK_JUMP_PEER:
		((void (*)(void))address)();
		break;
	default:
		return E_INVAL;
	}
	return 1;
}
