/*
 * thread.c — creating, blocking, waking and ending threads.
 *
 * Threads live in a fixed table.  Each has a kernel stack of KSTACK_SIZE in
 * the kernel-stack area with an unmapped guard page range below it, so a
 * kernel stack overflow faults (and, as the fault cannot push its frame,
 * becomes a double fault on its own IST stack) instead of corrupting a
 * neighbour.  A dead thread cannot free the stack it is still running on; the
 * scheduler reaps it after switching away.
 */
#include "kernel/sched/thread.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <string.h>

#include "kernel/layout.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/vm.h"
#include "kernel/panic.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/x86/gdt.h"

extern void thread_start_user(void);
extern void thread_start_kernel(void);

static struct thread threads[THREAD_MAX];
static bool thread_used[THREAD_MAX];
static uint8_t kstack_used[KSTACK_SLOTS];
static struct thread *timed;            /* threads blocked with a deadline, unordered */
static int live_threads;
HOT_DATA int thread_dead_count;                  /* not yet reaped: thread_reap() scans only if any */

/* The thread running now; set by the scheduler. */
HOT_DATA struct thread *sched_current;

static uint64_t kstack_alloc(void)
{
	for (int slot = 0; slot < KSTACK_SLOTS; slot++) {
		if (kstack_used[slot])
			continue;
		uint64_t top = KSTACK_AREA_BASE + (uint64_t)(slot + 1) * KSTACK_SLOT_SIZE;
		for (uint64_t va = top - KSTACK_SIZE; va < top; va += PAGE_SIZE) {
			phys_addr f = frame_alloc();
			if (!f) {
				for (uint64_t undo = top - KSTACK_SIZE; undo < va; undo += PAGE_SIZE)
					frame_free(vm_kernel_unmap(undo));
				return 0;
			}
			vm_kernel_map(va, f, PTE_WRITE);
		}
		kstack_used[slot] = 1;
		return top;
	}
	return 0;
}

static void kstack_free(uint64_t top)
{
	int slot = (int)((top - KSTACK_AREA_BASE) / KSTACK_SLOT_SIZE) - 1;
	for (uint64_t va = top - KSTACK_SIZE; va < top; va += PAGE_SIZE)
		frame_free(vm_kernel_unmap(va));
	kstack_used[slot] = 0;
}

static struct thread *thread_alloc(const char *name, int priority)
{
	for (int i = 0; i < THREAD_MAX; i++) {
		if (thread_used[i])
			continue;
		uint64_t top = kstack_alloc();
		if (!top)
			return NULL;
		struct thread *t = &threads[i];
		memset(t, 0, sizeof *t);
		thread_used[i] = true;
		t->id = i;
		t->kstack_top = top;
		t->priority = priority < 0 ? 0 : priority >= THREAD_PRIORITIES ? THREAD_PRIORITIES - 1 : priority;
		t->home_stack = -1;
		t->pending_grant = -1;
		strlcpy(t->name, name, sizeof t->name);
		live_threads++;
		return t;
	}
	return NULL;
}

/* Pushes the six callee-saved registers switch_stacks pops, and the address it returns to. */
static uint64_t *push_switch_frame(uint64_t *sp, void (*start)(void), uint64_t r12, uint64_t r13)
{
	*--sp = (uint64_t)start;
	*--sp = 0;      /* rbp */
	*--sp = 0;      /* rbx */
	*--sp = r12;
	*--sp = r13;
	*--sp = 0;      /* r14 */
	*--sp = 0;      /* r15 */
	return sp;
}

struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg, int priority)
{
	struct thread *t = thread_alloc(name, priority);
	if (!t)
		return NULL;
	uint64_t *sp = push_switch_frame((uint64_t *)t->kstack_top, thread_start_kernel,
					 (uint64_t)fn, (uint64_t)arg);
	t->ksp = (uint64_t)sp;
	sched_ready(t);
	return t;
}

struct thread *thread_create_user(struct component *home, const char *name, int priority,
				  uint64_t entry, uint64_t rsp, uint64_t rax,
				  uint64_t a0, uint64_t a1, int home_stack)
{
	struct thread *t = thread_alloc(name, priority);
	if (!t)
		return NULL;
	t->home = t->current = home;
	t->home_stack = home_stack;

	struct trap_frame *f = (struct trap_frame *)t->kstack_top - 1;
	memset(f, 0, sizeof *f);
	f->rip = entry;
	f->rsp = rsp;
	f->rax = rax;
	f->rdi = a0;
	f->rsi = a1;
	f->cs = SEL_USER_CODE | 3;
	f->ss = SEL_USER_DATA | 3;
	f->rflags = RFLAGS_USER;
	t->ksp = (uint64_t)push_switch_frame((uint64_t *)f, thread_start_user, 0, 0);
	sched_ready(t);
	return t;
}

/* Unlinks `t` from the list at `head`; false if it is not there. */
static bool list_remove(struct thread **head, struct thread *t)
{
	for (struct thread **p = head; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			return true;
		}
	return false;
}

/* Takes a blocked thread off whatever it waits on. */
static void unblock(struct thread *t)
{
	/* Not found would mean it is not blocked, or its list was rebuilt under it, or its
	 * link was reused by another list: each leaves a stale pointer to `t` behind. */
	bool found = list_remove(t->on == LIST_WAIT ? &t->waiting_on->head : &timed, t);
	ASSERT(found && t->state == THREAD_BLOCKED);
	t->waiting_on = NULL;
	t->next = NULL;
	t->on = LIST_NONE;
}

HOT int64_t thread_block(struct wait_queue *q, uint64_t deadline_ns)
{
	struct thread *t = sched_current;
	ASSERT(t->on == LIST_NONE && t->state == THREAD_RUNNING);
	t->state = THREAD_BLOCKED;
	t->wake_ns = deadline_ns;
	t->waiting_on = q;
	t->next = NULL;
	if (q) {
		struct thread **p = &q->head;
		while (*p)
			p = &(*p)->next;
		*p = t;
		t->on = LIST_WAIT;
	} else {
		t->next = timed;        /* a pure sleep waits on the timed list itself */
		timed = t;
		t->on = LIST_SLEEP;
	}
	sched_switch();
	return t->wake_result;
}

HOT static void wake(struct thread *t, int64_t result)
{
	unblock(t);
	t->wake_ns = 0;
	t->wake_result = result;
	sched_ready(t);
}

void thread_wake_now(struct thread *t, int64_t result)
{
	ASSERT(t->state == THREAD_BLOCKED);
	wake(t, result);
}

HOT bool thread_wake_one(struct wait_queue *q, int64_t result)
{
	if (!q->head)
		return false;
	wake(q->head, result);
	return true;
}

void thread_wake_all(struct wait_queue *q, int64_t result)
{
	while (q->head)
		wake(q->head, result);
}

/* Wakes every thread whose deadline has passed; called from the tick. */
void thread_expire_timeouts(uint64_t now_ns)
{
	for (int i = 0; i < THREAD_MAX; i++) {
		struct thread *t = &threads[i];
		if (thread_used[i] && t->state == THREAD_BLOCKED && t->wake_ns && t->wake_ns <= now_ns)
			wake(t, t->waiting_on ? E_TIMEOUT : 0);
	}
}

void thread_sleep(uint64_t ns)
{
	thread_block(NULL, clock_ns() + (ns ? ns : 1));
}

void thread_kill(struct thread *t)
{
	ASSERT(t != sched_current);
	ASSERT(t->state != THREAD_DEAD);        /* killed twice: counted twice, and a stale pointer */
	if (t->state == THREAD_BLOCKED)
		unblock(t);
	else if (t->state == THREAD_READY)
		sched_unready(t);
	ASSERT(t->on == LIST_NONE);
	t->state = THREAD_DEAD;
	thread_dead_count++;
}

void thread_exit(void)
{
	ASSERT(sched_current->on == LIST_NONE && sched_current->state != THREAD_DEAD);
	sched_current->state = THREAD_DEAD;
	thread_dead_count++;
	sched_switch();
	PANIC("a dead thread was scheduled");
}

void thread_reap_dead(void)
{
	for (int i = 0; i < THREAD_MAX && thread_dead_count > 0; i++) {
		struct thread *t = &threads[i];
		if (thread_used[i] && t->state == THREAD_DEAD && t != sched_current) {
			ASSERT(t->on == LIST_NONE);     /* else a list still leads to a freed stack */
			kstack_free(t->kstack_top);
			t->kstack_top = t->ksp = 0;     /* a switch to it must fail loudly, not run freed memory */
			thread_used[i] = false;
			live_threads--;
			thread_dead_count--;
		}
	}
}

void thread_for_each(void (*fn)(struct thread *t, void *ctx), void *ctx)
{
	for (int i = 0; i < THREAD_MAX; i++)
		if (thread_used[i] && threads[i].state != THREAD_DEAD)
			fn(&threads[i], ctx);
}

int thread_count(void)
{
	return live_threads;
}

/* How many times `t` is on the list at `head` (a cycle counts as too many). */
static int times_on(struct thread *head, const struct thread *t)
{
	int n = 0, steps = 0;
	for (struct thread *p = head; p && steps <= THREAD_MAX; p = p->next, steps++)
		n += p == t;
	return steps > THREAD_MAX ? THREAD_MAX + 1 : n;
}

int thread_check_lists(void)
{
	int ready = 0;
	ASSERT(times_on(timed, NULL) == 0);     /* ends, without a cycle */
	for (int i = 0; i < THREAD_MAX; i++) {
		struct thread *t = &threads[i];
		if (!thread_used[i])
			continue;
		switch (t->state) {
		case THREAD_READY:
			ASSERT(t->on == LIST_RUN);
			ready++;
			break;
		case THREAD_BLOCKED:
			ASSERT(t->on == LIST_WAIT || t->on == LIST_SLEEP);
			ASSERT(times_on(t->on == LIST_WAIT ? t->waiting_on->head : timed, t) == 1);
			break;
		case THREAD_RUNNING:
			ASSERT(t == sched_current && t->on == LIST_NONE);
			break;
		case THREAD_NEW:
		case THREAD_DEAD:
			ASSERT(t->on == LIST_NONE && t != sched_current);
			break;
		}
		if (t->on != LIST_SLEEP)
			ASSERT(times_on(timed, t) == 0);
	}
	return ready;
}
