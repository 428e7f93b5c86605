/*
 * entry.S — the SYSCALL entry: from a component into the kernel.
 *
 * SYSCALL saves only RIP (in RCX) and RFLAGS (in R11) and switches neither
 * stack nor anything else (Intel SDM vol. 2, SYSCALL).  The kernel's flag
 * mask (IA32_FMASK, set in syscall.c) clears IF, so the kernel is entered with
 * interrupts off and stays non-preemptible.  We switch to the thread's kernel
 * stack, build the same struct trap_frame an interrupt would (vector -1 marks
 * a kernel call), and call syscall_dispatch(frame).  Leaving goes through
 * trap_return (isr.S) and IRETQ, which restores whatever user state
 * the dispatcher left in the frame: that is how a protected procedure call
 * arrives in another component, and how it comes back.
 *
 * Pinfold runs on one CPU, so one variable holds the user stack pointer
 * between the first two instructions; with more CPUs this would be per-CPU
 * data reached through SWAPGS.
 */
#include "kernel/x86/gdt.h"

	.text
	.global syscall_entry
syscall_entry:
	mov %rsp, syscall_user_rsp(%rip)
	mov syscall_kernel_rsp(%rip), %rsp
	pushq $(SEL_USER_DATA | 3)      /* ss */
	pushq syscall_user_rsp(%rip)    /* rsp */
	push %r11                       /* rflags */
	pushq $(SEL_USER_CODE | 3)      /* cs */
	push %rcx                       /* rip */
	pushq $0                        /* error code */
	pushq $-1                       /* vector: a kernel call */
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
	xor %ebp, %ebp                  /* the backtrace of a kernel call ends here */
	mov %rsp, %rdi
	call syscall_dispatch
	jmp trap_return

	.bss
	.balign 8
syscall_user_rsp:
	.quad 0
