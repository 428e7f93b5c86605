/*
 * lifecycle.h — bringing components up at boot, and taking a failed one down.
 */
#ifndef PINFOLD_COMPONENT_LIFECYCLE_H
#define PINFOLD_COMPONENT_LIFECYCLE_H

#include <stdint.h>

#include "kernel/component/component.h"
#include "kernel/multiboot.h"
#include "kernel/x86/trap.h"

/*
 * Reads the manifest and every image from the boot modules, checks them all
 * (a bad one is a boot error naming it), loads them and starts a boot thread
 * that runs each init in manifest order and then prints "pinfold: ready".
 */
void components_boot(const struct boot_info *boot);

/* Every component's init has run and "pinfold: ready" is out. */
extern bool components_ready;

/* A thread's outermost entry into its component returned (SYS_RETURN at depth 0). */
__attribute__((noreturn)) void lifecycle_thread_finished(struct thread *t, int64_t status);

/*
 * A CPU exception in user mode: reports it, stops the component the thread
 * was executing in and unwinds every call into it.  Returns if the faulting
 * thread survives (it then resumes its caller with E_CALLEE_FAILED).
 */
void lifecycle_user_fault(struct trap_frame *f);

/*
 * `c` failed for `reason` (printed as "crash: NAME: REASON"): stops its
 * threads, unwinds every call into it, revokes its grants and events, and
 * hands it to the recovery thread, which frees its memory and, if the
 * manifest's restart policy allows, loads it afresh and runs init again
 * ("restart: NAME: up in N us"), else marks it failed ("failed: NAME").
 * The order is DESIGN.md's "Recovery".  If the calling thread belongs to
 * `c`, it ends here.
 */
void component_crash(struct component *c, const char *reason);

/* SYS_COMPONENT_CONTROL: CONTROL_KILL or CONTROL_RESTART (pinfold/syscalls.h), on
 * behalf of the component named `by` ("restart requested by BY"), or of the shell (NULL). */
int64_t component_control(struct component *c, int op, const char *by);

#endif
