/*
 * pdx.h — invoking a method of another component (for component code).
 *
 * A capability is a small number naming one entry of the caller's
 * capability table, which the boot manifest fills; cap_lookup() finds the
 * one for a component by name.  Stubs generated from each component's .idl
 * (tools/idlgen.c) wrap pdx_invoke with the method's number and argument
 * names, so code normally calls e.g. peer_echo(cap, …) instead.
 */
#ifndef PINFOLD_PDX_H
#define PINFOLD_PDX_H

#include <stdint.h>

typedef uint32_t cap_t;

/*
 * Calls method `method` through `cap` with six argument words; stores the
 * two result words in results[] (if results is not NULL).  Returns the
 * method's status (>= 0), or a negative enum pinfold_error.
 *
 * Inline, so that with a constant-size args[] the compiler puts the words
 * straight into the argument registers (the calling convention is in
 * pinfold/syscalls.h).  The kernel clears every register but RSP on the way
 * back, so that nothing of the callee leaks to us: all are clobbers here,
 * and RBP, which the compiler may not be told about, is pushed by hand;
 * components are compiled with -mno-red-zone so that push cannot land on
 * the compiler's own data below RSP.
 */
static inline int64_t pdx_invoke(cap_t cap, uint32_t method, const uint64_t args[6],
				 uint64_t results[2])
{
	register uint64_t rdi __asm__("rdi") = args[0];
	register uint64_t rsi __asm__("rsi") = args[1];
	register uint64_t rdx __asm__("rdx") = args[2];
	register uint64_t r10 __asm__("r10") = args[3];
	register uint64_t r8 __asm__("r8") = args[4];
	register uint64_t r9 __asm__("r9") = args[5];
	register uint64_t r12 __asm__("r12") = cap;
	register uint64_t r13 __asm__("r13") = method;
	uint64_t rax = 0;       /* SYS_INVOKE */
	__asm__ volatile("push %%rbp\n\tsyscall\n\tpop %%rbp"
			 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9), "+r"(r12), "+r"(r13)
			 :
			 : "rbx", "rcx", "r11", "r14", "r15", "memory");
	if (results) {
		results[0] = rdi;
		results[1] = rsi;
	}
	return (int64_t)rax;
}

/*
 * What a component implements: its methods (generated dispatch from its
 * .idl) and its initialisation.  The runtime supplies defaults for
 * components that have none.
 */
int64_t component_dispatch(uint32_t method, const uint64_t args[6], uint64_t results[2]);
int64_t component_init(void);

#endif
