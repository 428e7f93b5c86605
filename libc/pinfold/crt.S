/*
 * crt.S — component_start, the only way into a component.
 *
 * The kernel enters component_start with RAX saying why (pinfold/syscalls.h):
 *   METHOD_INIT    run component_init()
 *   METHOD_THREAD  a new thread: run RDI(RSI)
 *   METHOD_IRQ_THREAD  the interrupt thread: component_interrupt_loop()
 *   otherwise      method number RAX with its six argument words in
 *                  RDI RSI RDX R10 R8 R9: run component_dispatch()
 * on a fresh entry stack (RSP 16-byte aligned), and when that returns we
 * hand its status and two result words back with SYS_RETURN.  Returning from
 * component_start any other way is impossible: there is nothing to return to.
 */
#include <pinfold/syscalls.h>

	.section .text.hot, "ax", @progbits     /* every call enters here (pinfold/hot.h) */
	.global component_start
component_start:
	xor %ebp, %ebp                  /* backtraces of a component end here */
	cmp $METHOD_INIT, %eax
	je 1f
	cmp $METHOD_THREAD, %eax
	je 2f
	cmp $METHOD_IRQ_THREAD, %eax
	je 4f

	sub $64, %rsp                   /* args[6] at 0, results[2] at 48 */
	mov %rdi, 0(%rsp)
	mov %rsi, 8(%rsp)
	mov %rdx, 16(%rsp)
	mov %r10, 24(%rsp)
	mov %r8, 32(%rsp)
	mov %r9, 40(%rsp)
	movq $0, 48(%rsp)
	movq $0, 56(%rsp)
	mov %eax, %edi
	mov %rsp, %rsi
	lea 48(%rsp), %rdx
	call component_dispatch
	mov %rax, %rdi
	mov 48(%rsp), %rsi
	mov 56(%rsp), %rdx
	jmp 3f

1:	call component_init
	mov %rax, %rdi
	xor %esi, %esi
	xor %edx, %edx
	jmp 3f

2:	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	xor %edi, %edi
	xor %esi, %esi
	xor %edx, %edx

3:	mov $SYS_RETURN, %eax
	syscall
	ud2

4:	call component_interrupt_loop   /* RDI = line, RSI = method; never returns */
	ud2

	.section .note.GNU-stack, "", @progbits
