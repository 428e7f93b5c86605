/*
 * crt.S — component_start, the only way into a component, and pdx_invoke.
 *
 * The kernel enters component_start with RAX saying why (pinfold/syscalls.h):
 *   METHOD_INIT    run component_init()
 *   METHOD_THREAD  a new thread: run RDI(RSI)
 *   otherwise      method number RAX with its six argument words in
 *                  RDI RSI RDX R10 R8 R9: run component_dispatch()
 * on a fresh entry stack (RSP 16-byte aligned), and when that returns we
 * hand its status and two result words back with SYS_RETURN.  Returning from
 * component_start any other way is impossible: there is nothing to return to.
 */
#include <pinfold/syscalls.h>

	.text
	.global component_start
component_start:
	xor %ebp, %ebp                  /* backtraces of a component end here */
	cmp $METHOD_INIT, %eax
	je 1f
	cmp $METHOD_THREAD, %eax
	je 2f

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

/*
 * int64_t pdx_invoke(cap_t cap, uint32_t method, const uint64_t args[6], uint64_t results[2])
 *
 * The kernel clears every register but RSP on the way back (nothing of the
 * callee leaks to us), so the callee-saved ones are saved here.
 */
	.global pdx_invoke
pdx_invoke:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rcx                       /* results */
	mov %edi, %r12d                 /* capability */
	mov %esi, %r13d                 /* method */
	mov %rdx, %rax
	mov 0(%rax), %rdi
	mov 8(%rax), %rsi
	mov 16(%rax), %rdx
	mov 24(%rax), %r10
	mov 32(%rax), %r8
	mov 40(%rax), %r9
	mov $SYS_INVOKE, %eax
	syscall
	pop %rcx
	test %rcx, %rcx
	jz 4f
	mov %rdi, 0(%rcx)
	mov %rsi, 8(%rcx)
4:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.section .note.GNU-stack, "", @progbits
