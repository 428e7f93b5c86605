/*
 * isr.S — one entry stub per interrupt vector, and the common trap path.
 *
 * The CPU pushes an error code for some exceptions only (Intel SDM vol. 3,
 * table 6-1); the stubs of the others push a zero so every trap frame has the
 * same layout (struct trap_frame).  Each stub then pushes its vector number
 * and jumps to trap_common, which saves the general registers, calls
 * trap_dispatch(frame) and returns with IRETQ.
 */
#include "kernel/x86/trap.h"

	.text
	.altmacro
.macro isr_stub v
	.balign 16
isr_stub_\v:
	.if !((\v == 8) || (\v == 10) || (\v == 11) || (\v == 12) || (\v == 13) || (\v == 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
.endm

.set vec, 0
.rept 256
	isr_stub %vec
	.set vec, vec + 1
.endr

	/* Every interrupt and most kernel calls pass here (pinfold/hot.h). */
	.section .text.hot, "ax", @progbits
trap_common:
	push_registers
	cld
	/* User mode may have set AC, which would switch SMAP off for the kernel. */
	mov %rsp, %rdi
	pushfq
	andq $~0x40000, (%rsp)
	popfq
	/* A frame record for backtraces: the interrupted RIP and RBP look like a caller. */
	mov 17*8(%rsp), %rax            /* frame->rip */
	push %rax
	push %rbp
	mov %rsp, %rbp
	call trap_dispatch
	add $16, %rsp
	/* Also where new user threads and kernel-call returns leave the kernel. */
	.global trap_return
trap_return:
	pop_registers
	add $16, %rsp                   /* vector and error code */
	iretq

.macro stub_address v
	.quad isr_stub_\v
.endm

	.section .rodata
	.balign 8
	.global isr_stub_table
isr_stub_table:
.set vec, 0
.rept 256
	stub_address %vec
	.set vec, vec + 1
.endr
