/*
 * backtrace.c — walks the frame-pointer chain.
 *
 * The kernel is built with frame pointers, so every frame starts with the
 * caller's RBP followed by the return address.  The chain is followed only
 * while it stays inside memory that is always mapped (the kernel image or the
 * direct map of RAM), is aligned, and moves towards the stack's base; a
 * corrupted chain therefore ends the trace instead of faulting inside the
 * panic path.  A return address points after its call instruction, so it is
 * looked up one byte earlier to name the calling function even when the call
 * was the function's last instruction.
 */
#include "kernel/backtrace.h"

#include <stdbool.h>

#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "kernel/mm/vm.h"
#include "kernel/x86/cpu.h"

#define MAX_FRAMES 24

static bool frame_readable(uint64_t rbp)
{
	return !(rbp & 7) && vm_kernel_readable(rbp, 16);
}

static void print_frame(int n, uint64_t addr, uint64_t lookup)
{
	uint64_t offset;
	const char *name = ksyms_lookup(lookup, &offset);
	if (name)
		kprintf("  #%d 0x%016lx %s+0x%lx\n", n, addr, name, offset + (addr - lookup));
	else
		kprintf("  #%d 0x%016lx ?\n", n, addr);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	kprintf("backtrace:\n");
	print_frame(0, rip, rip);
	for (int n = 1; n < MAX_FRAMES && rbp && frame_readable(rbp); n++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1], next = frame[0];
		if (!ret)
			break;
		print_frame(n, ret, ret - 1);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

void backtrace_here(void)
{
	const uint64_t *frame = (const uint64_t *)read_rbp();
	backtrace_print(frame[1], frame[0]);
}
