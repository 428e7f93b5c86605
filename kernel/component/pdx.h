/*
 * pdx.h — protected procedure calls: entering a component's method and
 * coming back (DESIGN.md, "Protected procedure call").
 */
#ifndef PINFOLD_COMPONENT_PDX_H
#define PINFOLD_COMPONENT_PDX_H

#include "kernel/component/component.h"
#include "kernel/x86/trap.h"

/*
 * The fast path, entered from kernel/syscall/entry.S without a trap frame:
 * the common invoke (valid capability, free stack, no grant attached) and
 * the common return (no grant to revoke, nobody waiting for the stack).
 * Each returns where the thread continues in user mode (RIP, RSP), or
 * {0, 0} when the case is not common: entry.S then takes the full path
 * below, which handles everything (errors, waiting, grants).
 */
struct pdx_target {
	uint64_t rip, rsp;
};
struct pdx_target pdx_invoke_fast(uint64_t cap, uint64_t method, uint64_t rip, uint64_t rsp,
				  uint64_t rflags);
struct pdx_target pdx_return_fast(void);

/* SYS_INVOKE: R12 = capability, R13 = method, arguments in RDI RSI RDX R10 R8 R9. */
void pdx_invoke(struct trap_frame *f);

/* SYS_RETURN: RDI = status, RSI and RDX = the two result words. */
void pdx_return(struct trap_frame *f);

/*
 * Points `f` at component_start of `c` on stack `stack` with RAX = `method`;
 * the argument registers in `f` are passed on, all others cleared.
 */
void pdx_enter(struct trap_frame *f, const struct component *c, int stack, uint64_t method);

/*
 * Takes every thread out of `c`: a thread inside a call into `c` returns
 * to its caller with E_CALLEE_FAILED, a thread that belongs to `c` ends.
 * Returns true if the calling thread must end too (it cannot be killed
 * while it runs: the caller ends it with thread_exit()).
 */
bool pdx_unwind_component(struct component *c);

/* Crashes a component stuck in a method beyond its watchdog; called from the tick. */
void pdx_watchdog(void);

#endif
