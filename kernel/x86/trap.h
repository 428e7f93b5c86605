/*
 * trap.h — what the CPU and the entry stubs leave on the stack for a trap,
 * and how interrupt handlers are attached to vectors.
 *
 * Vectors 0-31 are CPU exceptions (Intel SDM vol. 3, 6.3.1, table 6-1).
 * Vectors from IRQ_VECTOR_BASE up are device and timer interrupts.
 */
#ifndef PINFOLD_X86_TRAP_H
#define PINFOLD_X86_TRAP_H

/* The flags a thread gets in user mode: interrupts on, bit 1 (always set), nothing else. */
#define RFLAGS_USER         0x202

#define VECTOR_PAGE_FAULT   14
#define IRQ_VECTOR_BASE     32
#define VECTOR_LAPIC_TIMER  0xf0
#define VECTOR_SPURIOUS     0xff
#define NUM_VECTORS         256

#ifdef __ASSEMBLY__
/*
 * The general registers of struct trap_frame, pushed in reverse field order
 * (so R15 ends up at the lowest address) and popped back.  Used by both
 * entry paths, isr.S and kernel/syscall/entry.S.
 */
.macro push_registers
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro pop_registers
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm
#else
#include <assert.h>
#include <stdint.h>

/* Pushed by kernel/x86/isr.S (registers, vector, error code) and the CPU (the rest). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};
STATIC_ASSERT(sizeof(struct trap_frame) == 22 * 8, "trap frame layout is shared with isr.S");

typedef void (*irq_handler)(struct trap_frame *frame, void *ctx);

void idt_init(void);

/* Attaches `handler` to an interrupt vector (not an exception vector). */
void trap_set_handler(unsigned vector, irq_handler handler, void *ctx);

/* Counts an interrupt nobody owns (and shows the first few); how many so far, and the last one's vector. */
void trap_note_unexpected(unsigned vector);
uint64_t trap_unexpected_count(unsigned *last_vector);

/* Called by isr.S for every trap. */
void trap_dispatch(struct trap_frame *frame);

#endif /* __ASSEMBLY__ */

#endif
