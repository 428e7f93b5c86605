/*
 * sched.h — the scheduler: fixed priorities, round robin within a priority,
 * preemption on the timer tick, and an idle thread whose running time is
 * the CPU's idle time.
 */
#ifndef PINFOLD_SCHED_SCHED_H
#define PINFOLD_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/sched/thread.h"

#define SCHED_SLICE_TICKS 2

/* Starts scheduling with the boot thread becoming the idle thread; never returns. */
__attribute__((noreturn)) void sched_start(void);

/* How long the idle thread spins with interrupts on before it halts (0: it halts at once). */
void sched_set_idle_poll(uint64_t ns);

/* Makes `t` runnable. */
void sched_ready(struct thread *t);

/* Takes a ready thread off its run queue. */
void sched_unready(struct thread *t);

/* Gives up the CPU: the caller must already be on a wait queue, dead, or ready. */
void sched_switch(void);

/* Called on every timer tick (interrupts off). */
void sched_tick(void);

/* Runs a pending preemption; called on the way out of an interrupt or kernel call. */
extern bool sched_need_resched;
void sched_preempt(void);
static inline void sched_preempt_if_needed(void)
{
	if (sched_need_resched)
		sched_preempt();
}

/* Panics unless the run queues and every thread's list agree (thread_check_lists()). */
void sched_check_lists(void);

/*
 * Whether an interrupt may have landed where `f` was: in user mode, in the
 * idle loop's hlt, or before scheduling starts.  Anywhere else the kernel was
 * running with interrupts on, which it never does (a tick inside a switch
 * once saved one thread's stack pointer into another's record, and idle then
 * resumed the boot thread's freed kernel stack: issue 4).
 */
bool sched_interruptible_at(const struct trap_frame *f);

/* Time the idle thread has run, in nanoseconds. */
uint64_t sched_idle_ns(void);

#endif
