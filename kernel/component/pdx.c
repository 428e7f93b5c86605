/*
 * pdx.c — the protected procedure call.
 *
 * invoke: check (capability, method, callee state, call depth) with no side
 * effect, then act: take an entry stack of the callee, push a call frame that
 * remembers where the caller was, switch to the callee's domain and rewrite
 * the thread's saved user state so that leaving the kernel lands at the
 * callee's component_start.  The thread itself migrates: there is no message,
 * no queue and no server thread.
 *
 * return: pop the call frame, give the entry stack back, switch to the
 * caller's domain and rewrite the saved state to resume the caller just
 * after its SYSCALL, with the status and two result words.
 *
 * Registers that carry nothing are cleared in both directions, so a caller's
 * secrets do not reach the callee and the callee's do not come back.
 */
#include "kernel/component/pdx.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <pinfold/syscalls.h>

#include "kernel/component/irq.h"
#include "kernel/component/lifecycle.h"
#include "kernel/component/memobj.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include <stdio.h>

static inline void clear_scratch(struct trap_frame *f)
{
	f->rbx = f->rbp = f->rcx = f->r11 = 0;
	f->r12 = f->r13 = f->r14 = f->r15 = 0;
}

static inline void enter(struct trap_frame *f, const struct component *c, int stack, uint64_t method)
{
	clear_scratch(f);
	f->rip = c->base + c->image.entry;
	f->rsp = component_stack_top(c, stack);
	f->rflags = RFLAGS_USER;
	f->rax = method;
}

void pdx_enter(struct trap_frame *f, const struct component *c, int stack, uint64_t method)
{
	enter(f, c, stack, method);
}

/* The decode step of invoke: the callee, or an error; changes nothing. */
static inline int64_t invoke_check(const struct thread *t, uint64_t capidx, uint64_t method,
			    struct component **callee_out)
{
	const struct component *caller = t->current;
	if (capidx >= (uint64_t)caller->ncaps)
		return E_NO_CAP;
	const struct capability *cap = &caller->cap[capidx];
	struct component *callee = cap->target;
	if (method >= callee->nmethods)
		return E_NO_METHOD;
	if (!(cap->methods & (1u << method)))
		return E_NOT_PERMITTED;
	if (callee->state == COMPONENT_RESTARTING || callee->state == COMPONENT_LOADING)
		return E_CALLEE_RESTARTING;
	if (callee->state != COMPONENT_RUNNING)
		return E_CALLEE_FAILED;
	if (t->depth >= PDX_MAX_DEPTH)
		return E_DEPTH;
	*callee_out = callee;
	return 0;
}

void pdx_invoke(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct component *callee;
	int64_t err = invoke_check(t, f->r12, f->r13, &callee);
	if (err) {
		f->rax = (uint64_t)err;
		return;
	}
	int stack = component_stack_take(callee);
	if (stack < 0) {                /* the callee stopped while we waited for a stack */
		f->rax = (uint64_t)stack;
		return;
	}
	if (t->unwound) {               /* our own caller failed while we waited */
		component_stack_give(callee, stack);
		return;
	}

	struct call_frame *cf = &t->frame[t->depth++];
	cf->caller = t->current;
	cf->callee = callee;
	cf->rip = f->rip;
	cf->rsp = f->rsp;
	cf->rflags = f->rflags;
	cf->stack = stack;
	cf->started_tick = clock_ticks();
	cf->grant = t->pending_grant < 0 ? -1 : memobj_attach_call_grant(t, callee);

	t->current = callee;
	domain_activate(&callee->domain);
	enter(f, callee, stack, f->r13);
}

HOT struct pdx_target pdx_invoke_fast(uint64_t capidx, uint64_t method, uint64_t rip, uint64_t rsp,
				  uint64_t rflags)
{
	const struct pdx_target slow = { 0, 0 };
	struct thread *t = thread_current();
	struct component *callee;
	if (t->pending_grant >= 0 || invoke_check(t, capidx, method, &callee))
		return slow;
	uint32_t free = callee->stack_all & ~callee->stack_busy;
	if (!free)
		return slow;
	int stack = __builtin_ctz(free);
	callee->stack_busy |= 1u << stack;

	struct call_frame *cf = &t->frame[t->depth++];
	cf->caller = t->current;
	cf->callee = callee;
	cf->rip = rip;
	cf->rsp = rsp;
	cf->rflags = rflags;
	cf->stack = stack;
	cf->started_tick = clock_ticks();
	cf->grant = -1;
	t->current = callee;
	domain_activate(&callee->domain);
	return (struct pdx_target){ callee->base + callee->image.entry, component_stack_top(callee, stack) };
}

HOT struct pdx_target pdx_return_fast(void)
{
	const struct pdx_target slow = { 0, 0 };
	struct thread *t = thread_current();
	if (t->depth == 0)
		return slow;
	struct call_frame *cf = &t->frame[t->depth - 1];
	if (cf->grant >= 0 || cf->callee->stack_wait.head || t->orphaned)
		return slow;
	t->depth--;
	cf->callee->stack_busy &= ~(1u << cf->stack);
	t->current = cf->caller;
	domain_activate(&cf->caller->domain);
	return (struct pdx_target){ cf->rip, cf->rsp };
}

/*
 * Pops the top call frame of `t` and sets its saved user state `f` to resume
 * the caller with `status`.  The caller's domain is not switched to: `t` may
 * not be the running thread.
 */
static inline void resume_caller(struct thread *t, struct trap_frame *f, int64_t status,
			  uint64_t r0, uint64_t r1)
{
	struct call_frame *cf = &t->frame[--t->depth];
	if (cf->grant >= 0)
		memobj_revoke_call_grant(cf->grant);
	component_stack_give(cf->callee, cf->stack);
	t->current = cf->caller;

	clear_scratch(f);
	f->rip = cf->rip;
	f->rsp = cf->rsp;
	f->rflags = (cf->rflags & ~0xfffull) | RFLAGS_USER;   /* keep only the arithmetic flags' upper bits */
	f->rax = (uint64_t)status;
	f->rdi = r0;
	f->rsi = r1;
	f->rdx = f->r10 = f->r8 = f->r9 = 0;
}

/* Pops call frames of `t` until `depth` are left, giving back their stacks and grants. */
static void pop_frames(struct thread *t, int depth)
{
	while (t->depth > depth) {
		struct call_frame *cf = &t->frame[--t->depth];
		if (cf->grant >= 0)
			memobj_revoke_call_grant(cf->grant);
		component_stack_give(cf->callee, cf->stack);
	}
}

void pdx_return(struct trap_frame *f)
{
	struct thread *t = thread_current();
	if (t->depth == 0) {
		lifecycle_thread_finished(t, (int64_t)f->rdi);   /* init or a thread function returned */
		return;
	}
	if (t->orphaned && t->depth == 1) {
		pop_frames(t, 0);       /* its home crashed meanwhile: nothing to return to */
		lifecycle_thread_finished(t, E_CALLEE_FAILED);
		return;
	}
	resume_caller(t, f, (int64_t)f->rdi, f->rsi, f->rdx);
	domain_activate(&t->current->domain);
}

/* The lowest call frame of `t` that entered `c`, or -1. */
static int first_frame_into(const struct thread *t, const struct component *c)
{
	for (int i = 0; i < t->depth; i++)
		if (t->frame[i].callee == c)
			return i;
	return -1;
}

struct unwind_ctx {
	struct component *c;
	int killed;
	struct thread *kill_list[THREAD_MAX];
};

/*
 * What c's crash does to thread t:
 *  - t runs in c's code (its home is c and it is at depth 0, or it is an
 *    orphan about to return into c): it is killed;
 *  - t called into c from elsewhere: the calls from c's entry up are dropped
 *    and t resumes the caller with E_CALLEE_FAILED;
 *  - t's home is c but it is inside a call to another component (a driver's
 *    thread inside the chipset, say): killing it there would leave that
 *    component's state half-updated, a fault the crash did not make.  It
 *    becomes an orphan: it finishes its call, and ends when it returns to c
 *    (pdx_return), whatever c is by then.
 */
static void unwind_thread(struct thread *t, void *arg)
{
	struct unwind_ctx *u = arg;
	bool home = t->home == u->c;
	int i = first_frame_into(t, u->c);
	if (i >= 0) {
		/* Drop the calls made from inside c (and deeper), then resume the caller of frame i. */
		struct trap_frame *f = (struct trap_frame *)t->kstack_top - 1;
		pop_frames(t, i + 1);
		resume_caller(t, f, E_CALLEE_FAILED, 0, 0);
		t->unwound = true;
		if (t->state == THREAD_BLOCKED)
			thread_wake_now(t, E_CALLEE_FAILED);
	}
	if (home && t->depth > 0) {
		t->orphaned = true;
		t->home_stack = -1;     /* c's stacks are rebuilt with c: not ours to give back */
		return;
	}
	if (home || (t->orphaned && t->depth == 0)) {
		pop_frames(t, 0);
		u->kill_list[u->killed++] = t;
	}
}

bool pdx_unwind_component(struct component *c)
{
	static struct unwind_ctx u;     /* too big for a kernel stack */
	u.c = c;
	u.killed = 0;
	struct thread *self = thread_current();
	bool self_ends = false;
	thread_for_each(unwind_thread, &u);
	for (int i = 0; i < u.killed; i++) {
		if (u.kill_list[i] == self)
			self_ends = true;       /* it is still running: the caller ends it */
		else
			thread_kill(u.kill_list[i]);
	}
	if (!self_ends)
		domain_activate(self->current ? &self->current->domain : NULL);
	return self_ends;
}

/*
 * The watchdog: a thread whose innermost call has run longer than its
 * callee's manifest allows ("watchdog MS") is stuck in that callee, which is
 * then crashed like any failed component: the thread returns to its caller
 * with E_CALLEE_FAILED.  Only the innermost call counts, so a component that
 * waits for a hung callee is not blamed for it.
 */
static void watchdog_check(struct thread *t, void *arg)
{
	struct component **hung = arg;
	uint64_t since;
	struct component *owner = *hung || t->depth ? NULL : irq_thread_busy(t, &since);
	if (owner && clock_ticks() - since > owner->watchdog_ticks && owner->state == COMPONENT_RUNNING)
		*hung = owner;          /* an interrupt method that never returns */
	if (*hung || t->depth == 0)
		return;
	const struct call_frame *cf = &t->frame[t->depth - 1];
	if (clock_ticks() - cf->started_tick > cf->callee->watchdog_ticks &&
	    cf->callee->state == COMPONENT_RUNNING)
		*hung = cf->callee;
}

void pdx_watchdog(void)
{
	struct component *hung = NULL;
	thread_for_each(watchdog_check, &hung);
	if (hung) {
		char why[64];
		snprintf(why, sizeof why, "watchdog: a method ran longer than %u ms",
			 hung->manifest->watchdog_ms);
		component_crash(hung, why);
	}
}
