/*
 * trap.c — where every trap lands: exceptions are reported, interrupts are
 * passed to the handler attached to their vector.
 *
 * An exception in the kernel is a kernel bug, so it gets a one-screen report
 * (which exception, error code decoded, faulting address, registers, a
 * symbolised backtrace) and the machine stops.  An exception in user mode is
 * the fault of the component that took it (kernel/component/lifecycle.c).
 * On the way out of any trap a pending preemption runs.
 */
#include "kernel/x86/trap.h"

#include <pinfold/hot.h>
#include <stddef.h>

#include "kernel/backtrace.h"
#include "kernel/component/lifecycle.h"
#include "kernel/sched/sched.h"
#include "kernel/x86/lapic.h"
#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/x86/cpu.h"

static const char *const exception_names[32] = {
	[0] = "#DE divide error",        [1] = "#DB debug",
	[2] = "NMI",                     [3] = "#BP breakpoint",
	[4] = "#OF overflow",            [5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",      [7] = "#NM device not available",
	[8] = "#DF double fault",        [9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",        [11] = "#NP segment not present",
	[12] = "#SS stack-segment fault", [13] = "#GP general protection",
	[14] = "#PF page fault",         [16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",    [18] = "#MC machine check",
	[19] = "#XM SIMD floating-point", [20] = "#VE virtualization",
	[21] = "#CP control protection",
};

static struct {
	irq_handler handler;
	void *ctx;
} handlers[NUM_VECTORS];

/* Interrupts on vectors nobody owns (trap_note_unexpected); written with interrupts off. */
static struct {
	uint64_t count;
	unsigned last_vector;
} unexpected;

void trap_set_handler(unsigned vector, irq_handler handler, void *ctx)
{
	ASSERT(vector >= IRQ_VECTOR_BASE && vector < NUM_VECTORS);
	handlers[vector].handler = handler;
	handlers[vector].ctx = ctx;
}

/* Page-fault error code bits: Intel SDM vol. 3, 4.7, figure 4-12. */
static void print_page_fault_cause(uint64_t err)
{
	kprintf("  cause: %s on a %s page, %s mode%s%s\n",
		(err & 0x10) ? "instruction fetch" : (err & 2) ? "write" : "read",
		(err & 1) ? "present (protection violation)" : "not-present",
		(err & 4) ? "user" : "kernel",
		(err & 8) ? ", reserved bit set" : "",
		(err & 0x20) ? ", protection key" : "");
}

static void print_registers(const struct trap_frame *f)
{
	kprintf("  rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("  rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("  rbp %016lx rsp %016lx r8  %016lx\n", f->rbp, f->rsp, f->r8);
	kprintf("  r9  %016lx r10 %016lx r11 %016lx\n", f->r9, f->r10, f->r11);
	kprintf("  r12 %016lx r13 %016lx r14 %016lx\n", f->r12, f->r13, f->r14);
	kprintf("  r15 %016lx rip %016lx rflags %08lx\n", f->r15, f->rip, f->rflags);
	kprintf("  cs %04lx ss %04lx cr0 %08lx cr3 %016lx cr4 %08lx\n",
		f->cs, f->ss, read_cr0(), read_cr3(), read_cr4());
}

static __attribute__((noreturn)) void kernel_exception(const struct trap_frame *f)
{
	const char *name = f->vector < 32 && exception_names[f->vector]
		? exception_names[f->vector] : "reserved exception";
	uint64_t offset;
	const char *where = ksyms_lookup(f->rip, &offset);
	console_panic_mode();

	kprintf("EXCEPTION: %s (vector %lu), error code 0x%lx\n", name, f->vector, f->error_code);
	if (where)
		kprintf("  at 0x%016lx in %s+0x%lx\n", f->rip, where, offset);
	else
		kprintf("  at 0x%016lx (outside the kernel's code)\n", f->rip);
	if (f->vector == VECTOR_PAGE_FAULT) {
		kprintf("  fault address (cr2) 0x%016lx\n", read_cr2());
		print_page_fault_cause(f->error_code);
	}
	print_registers(f);
	backtrace_print(f->rip, f->rbp);
	kprintf("PANIC: unhandled %s in the kernel\n", name);
	machine_stop();
}

HOT void trap_dispatch(struct trap_frame *frame)
{
	if (frame->vector < IRQ_VECTOR_BASE) {
		if (!(frame->cs & 3))
			kernel_exception(frame);
		lifecycle_user_fault(frame);    /* returns only if the thread lives on */
	} else if (handlers[frame->vector].handler) {
		ASSERT(sched_interruptible_at(frame));
		handlers[frame->vector].handler(frame, handlers[frame->vector].ctx);
	} else {
		trap_note_unexpected((unsigned)frame->vector);
		lapic_eoi();
	}
	sched_preempt_if_needed();
}

/*
 * Nothing says where such an interrupt came from: a device writing a message
 * it was not given (QEMU 7.2 passes compatibility-format and DMA-written
 * messages even with interrupt remapping on), or a source nobody bound.  So
 * it is counted, not charged; the first few are shown.
 */
void trap_note_unexpected(unsigned vector)
{
	if (unexpected.count++ < 8)
		kprintf("irq: unexpected interrupt on vector %u\n", vector);
	unexpected.last_vector = vector;
}

uint64_t trap_unexpected_count(unsigned *last_vector)
{
	*last_vector = unexpected.last_vector;
	return unexpected.count;
}
