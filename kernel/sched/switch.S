/*
 * switch.S — switching kernel stacks, and the first steps of new threads.
 *
 * switch_stacks(save, next) saves the callee-saved registers on the current
 * kernel stack, stores the stack pointer in *save, and resumes the thread
 * whose stack pointer is `next` by popping its registers and returning.
 * Everything else a thread needs (its user registers) is already saved on
 * its kernel stack by the trap or kernel-call entry.
 *
 * A new thread's stack is built by thread.c so that this "return" lands in
 * thread_start_user (leave for user mode through the trap exit path) or
 * thread_start_kernel (call fn(arg) with fn in R12 and arg in R13).
 */
	.section .text.hot, "ax", @progbits     /* every thread switch (pinfold/hot.h) */
	.global switch_stacks
switch_stacks:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.global thread_start_user
thread_start_user:
	jmp trap_return

	.global thread_start_kernel
thread_start_kernel:
	xor %ebp, %ebp
	mov %r13, %rdi
	call *%r12
	call thread_exit
	ud2
