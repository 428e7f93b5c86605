/*
 * sched.c — picks the next thread and switches to it.
 *
 * One run queue per priority; the highest non-empty queue runs, round robin
 * within it, each thread for up to SCHED_SLICE_TICKS ticks before the others
 * of its priority get a turn.  Waking a thread of higher priority than the
 * running one preempts it at the next exit from an interrupt.  With nothing
 * to run, the idle thread halts; the time it spends is the CPU's idle time,
 * from which utilisation over any interval follows.
 *
 * A switch changes three things besides the kernel stack: the page tables
 * (the domain of the component the next thread is executing in), the stack
 * the CPU loads on a trap from user mode (TSS.RSP0) and the stack the
 * kernel-call entry loads.
 */
#include "kernel/sched/sched.h"

#include <pinfold/hot.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/component/domain.h"
#include "kernel/component/component.h"
#include "kernel/component/killstress.h"
#include "kernel/component/pdx.h"
#include "kernel/bootopt.h"
#include "kernel/panic.h"
#include "kernel/time/clock.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/gdt.h"

extern void switch_stacks(uint64_t *save, uint64_t next);
extern const char boot_stack_top[];

#define WATCHDOG_PERIOD_TICKS 5

/* Loaded by the kernel-call entry (kernel/syscall/entry.S). */
HOT_DATA uint64_t syscall_kernel_rsp;

HOT_DATA static struct thread *runq_head[THREAD_PRIORITIES], *runq_tail[THREAD_PRIORITIES];
static struct thread idle_thread;
HOT_DATA bool sched_need_resched;
HOT_DATA static unsigned slice_left;
HOT_DATA static uint64_t last_switch_ns;

HOT void sched_ready(struct thread *t)
{
	/* Queued once, never revived: one list at a time, and never a dead thread's stack. */
	ASSERT(t->on == LIST_NONE && t->state != THREAD_DEAD);     /* on no list: not READY either */
	t->state = THREAD_READY;
	t->on = LIST_RUN;
	t->next = NULL;
	if (runq_tail[t->priority])
		runq_tail[t->priority]->next = t;
	else
		runq_head[t->priority] = t;
	runq_tail[t->priority] = t;
	if (!sched_current || sched_current == &idle_thread || t->priority > sched_current->priority)
		sched_need_resched = true;
}

void sched_unready(struct thread *t)
{
	ASSERT(t->on == LIST_RUN && t->state == THREAD_READY);
	struct thread *prev = NULL;
	for (struct thread *p = runq_head[t->priority]; p; prev = p, p = p->next) {
		if (p != t)
			continue;
		if (prev)
			prev->next = p->next;
		else
			runq_head[t->priority] = p->next;
		if (runq_tail[t->priority] == p)
			runq_tail[t->priority] = prev;
		p->next = NULL;
		p->on = LIST_NONE;
		return;
	}
	PANIC("thread %d (%s) is ready but not on its run queue", t->id, t->name);
}

HOT static struct thread *pick_next(void)
{
	for (int prio = THREAD_PRIORITIES - 1; prio >= 0; prio--) {
		struct thread *t = runq_head[prio];
		if (!t)
			continue;
		runq_head[prio] = t->next;
		if (!runq_head[prio])
			runq_tail[prio] = NULL;
		t->next = NULL;
		t->on = LIST_NONE;
		return t;
	}
	return &idle_thread;
}

HOT void sched_switch(void)
{
	/* The kernel is not preemptible: an interrupt inside a switch would save
	 * one thread's stack pointer into another's record. */
	ASSERT(!(read_rflags() & RFLAGS_IF));
	struct thread *prev = sched_current;
	thread_reap();                  /* the dead, except `prev` if it is dying now */
	struct thread *next = pick_next();
	sched_need_resched = false;
	slice_left = SCHED_SLICE_TICKS;

	uint64_t now = clock_ns();
	prev->cpu_ns += now - last_switch_ns;
	last_switch_ns = now;

	/* Only ready threads are on run queues (sched_ready() asserts it); a reaped thread has no
	 * kernel stack (kstack_top 0): switching to it would run freed memory. */
	ASSERT(next->kstack_top);
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	/* A thread of the kernel's own (the idle thread included) runs in whatever domain is in
	 * force: every domain maps the kernel, and a CR3 write costs a TLB flush (under QEMU's TCG,
	 * without PCIDs, the larger part of a domain crossing).  So waiting for an interrupt leaves
	 * the last domain in place, and the driver it wakes may well find its own there. */
	if (next->current && &next->current->domain != domain_current())
		domain_activate(&next->current->domain);
	tss_set_kernel_stack(next->kstack_top);
	syscall_kernel_rsp = next->kstack_top;
	next->state = THREAD_RUNNING;
	sched_current = next;
	switch_stacks(&prev->ksp, next->ksp);
	/* Back in `prev`, switched to by somebody else. */
	thread_reap();
}

void sched_tick(void)
{
	if (!sched_current)
		return;                 /* ticks before sched_start(): nothing to schedule */
	thread_expire_timeouts(clock_ns());
	if (clock_ticks() % WATCHDOG_PERIOD_TICKS == 0)
		pdx_watchdog();
	if (killstress_on)
		killstress_tick();
	if (slice_left && --slice_left == 0) {
		for (int prio = sched_current->priority; prio < THREAD_PRIORITIES; prio++)
			if (runq_head[prio])
				sched_need_resched = true;
		slice_left = SCHED_SLICE_TICKS;
	}
}

void sched_preempt(void)
{
	if (!sched_current)
		return;                 /* not scheduling yet */
	if (sched_current != &idle_thread && sched_current->state == THREAD_RUNNING)
		sched_ready(sched_current);
	sched_switch();
}

/*
 * Halt polling: before it halts, the idle thread waits a little with
 * interrupts on, spinning, as Linux's cpuidle-haltpoll does in virtual
 * machines.  A disk request at queue depth 1 leaves the CPU idle for the tens
 * of microseconds the device takes; a halted virtual CPU is woken by its
 * host thread being signalled, a spinning one notices the interrupt at once
 * (under QEMU's TCG, 5 to 15 % more 4 KiB reads a second through block).
 * The time still counts as idle (INFO_IDLE_NS).  `idle=halt` turns it off.
 * The spin is a plain loop, not `pause`: under TCG each pause leaves the
 * translated code and takes QEMU's global lock, which the thread finishing
 * the disk's request needs too (polling with pause made reads 9 times slower).
 */
static uint64_t idle_poll_ns = IDLE_POLL_US_DEFAULT * 1000ull;

void sched_set_idle_poll(uint64_t ns)
{
	idle_poll_ns = ns;
}

static void idle_poll(void)
{
	if (!idle_poll_ns)
		return;
	uint64_t until = clock_ns() + idle_poll_ns;
	__asm__ volatile("sti" ::: "memory");
	while (!__atomic_load_n(&sched_need_resched, __ATOMIC_RELAXED) && clock_ns() < until)
		for (int i = 0; i < 64 && !__atomic_load_n(&sched_need_resched, __ATOMIC_RELAXED); i++)
			__asm__ volatile("" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
}

HOT void sched_start(void)      /* hot: its loop is the idle thread, which waits out every request */
{
	/* From here on the kernel runs with interrupts off except in the idle loop's hlt;
	 * every thread, started by switch_stacks, inherits that. */
	irq_disable();
	idle_thread.id = -1;
	idle_thread.priority = 0;
	idle_thread.state = THREAD_RUNNING;
	idle_thread.kstack_top = (uint64_t)boot_stack_top;
	idle_thread.home_stack = -1;
	idle_thread.name[0] = 'i', idle_thread.name[1] = 'd', idle_thread.name[2] = 'l', idle_thread.name[3] = 'e';
	sched_current = &idle_thread;
	last_switch_ns = clock_ns();
	sched_switch();
	for (;;) {
		idle_poll();
		/* sti takes effect after the next instruction, so no wake-up is lost before hlt. */
		if (!sched_need_resched)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		sched_preempt_if_needed();
	}
}

void sched_check_lists(void)
{
	int queued = 0;
	for (int prio = 0; prio < THREAD_PRIORITIES; prio++) {
		struct thread *last = NULL;
		for (struct thread *t = runq_head[prio]; t; last = t, t = t->next) {
			ASSERT(++queued <= THREAD_MAX);         /* no cycle */
			ASSERT(t->on == LIST_RUN && t->state == THREAD_READY && t->priority == prio);
			ASSERT(t->kstack_top && t != sched_current && t != &idle_thread);
		}
		ASSERT(runq_tail[prio] == last);
	}
	/* Every ready thread is on a run queue, and nothing else is: with the walk above,
	 * each run-queue entry is a distinct ready thread. */
	ASSERT(thread_check_lists() == queued);
}

bool sched_interruptible_at(const struct trap_frame *f)
{
	return (f->cs & 3) || sched_current == &idle_thread || !sched_current;
}

uint64_t sched_idle_ns(void)
{
	uint64_t ns = idle_thread.cpu_ns;
	if (sched_current == &idle_thread)
		ns += clock_ns() - last_switch_ns;
	return ns;
}
