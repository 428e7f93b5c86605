/*
 * entry.S — the SYSCALL entry: from a component into the kernel.
 *
 * SYSCALL saves only RIP (in RCX) and RFLAGS (in R11) and switches neither
 * stack nor anything else (Intel SDM vol. 2, SYSCALL).  The kernel's flag
 * mask (IA32_FMASK, set in syscall.c) clears IF, so the kernel is entered with
 * interrupts off and stays non-preemptible.
 *
 * Two ways through:
 *
 * The full path builds on the thread's kernel stack the same struct
 * trap_frame an interrupt would (vector -1 marks a kernel call), calls
 * syscall_dispatch(frame) and leaves through trap_return (isr.S) and IRETQ,
 * restoring whatever user state the dispatcher left in the frame: that is how
 * any kernel call returns, and how a protected procedure call that needs the
 * kernel's full attention (an error, a wait, a grant) arrives and comes back.
 *
 * The fast path serves the common protected procedure call and its return
 * (kernel/component/pdx.c, pdx_invoke_fast and pdx_return_fast).  Neither
 * needs the caller's registers: a PDX clobbers all of them by convention
 * (pinfold/pdx.h), and what reaches the other side is exactly the argument
 * or result words, with every other register cleared so nothing leaks.  So
 * only those words are kept across the C call, and SYSRETQ leaves.  If the C
 * function declines, the registers are put back and the full path runs.
 *
 * Pinfold runs on one CPU, so one variable holds the user stack pointer
 * between the first two instructions; with more CPUs this would be per-CPU
 * data reached through SWAPGS.
 */
#include <pinfold/syscalls.h>

#include "kernel/x86/gdt.h"
#include "kernel/x86/trap.h"

	.section .text.hot, "ax", @progbits     /* every kernel call (pinfold/hot.h) */
	.global syscall_entry
syscall_entry:
	cmp $SYS_INVOKE, %rax
	je pdx_fast_invoke
	cmp $SYS_RETURN, %rax
	je pdx_fast_return

full_path:
	mov %rsp, syscall_user_rsp(%rip)
	mov syscall_kernel_rsp(%rip), %rsp
	pushq $(SEL_USER_DATA | 3)      /* ss */
	pushq syscall_user_rsp(%rip)    /* rsp */
	push %r11                       /* rflags */
	pushq $(SEL_USER_CODE | 3)      /* cs */
	push %rcx                       /* rip */
	pushq $0                        /* error code */
	pushq $-1                       /* vector: a kernel call */
	push_registers
	xor %ebp, %ebp                  /* the backtrace of a kernel call ends here */
	mov %rsp, %rdi
	call syscall_dispatch
	jmp trap_return

/* SYS_INVOKE: R12 = capability, R13 = method, arguments in RDI RSI RDX R10 R8 R9. */
pdx_fast_invoke:
	mov %rsp, syscall_user_rsp(%rip)
	mov syscall_kernel_rsp(%rip), %rsp
	push %rdi                       /* the six argument words */
	push %rsi
	push %rdx
	push %r10
	push %r8
	push %r9
	push %rcx                       /* in case we fall back */
	push %r11
	mov %r12, %rdi
	mov %r13, %rsi
	mov %rcx, %rdx                  /* the caller's RIP, RSP and RFLAGS, for its call frame */
	mov syscall_user_rsp(%rip), %rcx
	mov %r11, %r8
	xor %ebp, %ebp
	call pdx_invoke_fast            /* RAX:RDX = the callee's entry and stack, or 0 */
	test %rax, %rax
	jz 1f
	mov %rax, %rcx                  /* SYSRETQ goes to RCX */
	mov %rdx, syscall_user_rsp(%rip)
	add $16, %rsp
	pop %r9
	pop %r8
	pop %r10
	pop %rdx
	pop %rsi
	pop %rdi
	mov %r13d, %eax                 /* the method number, for component_start */
	jmp leave_cleared
1:	pop %r11
	pop %rcx
	pop %r9
	pop %r8
	pop %r10
	pop %rdx
	pop %rsi
	pop %rdi
	mov syscall_user_rsp(%rip), %rsp
	mov $SYS_INVOKE, %eax
	jmp full_path

/* SYS_RETURN: RDI = status, RSI and RDX = the two result words. */
pdx_fast_return:
	mov %rsp, syscall_user_rsp(%rip)
	mov syscall_kernel_rsp(%rip), %rsp
	push %rdi
	push %rsi
	push %rdx
	push %rcx                       /* for the fallback: RIP and RFLAGS */
	push %r11
	sub $8, %rsp                    /* keep the stack 16-byte aligned for C */
	xor %ebp, %ebp
	call pdx_return_fast            /* RAX:RDX = the caller's RIP and RSP, or 0 */
	test %rax, %rax
	jz 2f
	mov %rax, %rcx
	mov %rdx, syscall_user_rsp(%rip)
	add $24, %rsp
	pop %rdx                        /* result words to RDI, RSI; status to RAX */
	pop %rsi
	pop %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	xor %edx, %edx
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	jmp leave_cleared
2:	add $8, %rsp
	pop %r11
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	mov syscall_user_rsp(%rip), %rsp
	mov $SYS_RETURN, %eax
	jmp full_path

/* Clears what carries nothing, loads the user stack and flags, and returns to RCX. */
leave_cleared:
	xor %ebx, %ebx
	xor %ebp, %ebp
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	mov $RFLAGS_USER, %r11d
	mov syscall_user_rsp(%rip), %rsp
	sysretq

	.section .data.hot, "aw", @progbits
	.balign 8
syscall_user_rsp:
	.quad 0
