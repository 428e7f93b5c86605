/*
 * thread.h — threads, the unit the scheduler runs.
 *
 * Pinfold's threads migrate (DESIGN.md, "Protected procedure call"): a
 * thread that invokes a method of another component keeps running, now in
 * the callee's protection domain on one of the callee's stacks, and comes back
 * when the method returns.  So a thread has a home component (where it was
 * created; none for kernel threads), the component it is executing in now,
 * and a stack of call frames, one per invocation it is inside.
 *
 * Every thread has its own kernel stack; when the thread enters the kernel
 * (kernel call, interrupt, exception) its user registers are saved there as a
 * struct trap_frame.  The kernel is not preemptible: it runs with interrupts
 * off, so the fields below need no locks on Pinfold's single CPU.
 */
#ifndef PINFOLD_SCHED_THREAD_H
#define PINFOLD_SCHED_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/x86/trap.h"

#define PDX_MAX_DEPTH     16
#define THREAD_PRIORITIES 32
#define THREAD_MAX        256

struct component;

enum thread_state {
	THREAD_NEW,         /* made, not yet on a run queue */
	THREAD_READY,
	THREAD_RUNNING,
	THREAD_BLOCKED,     /* on a wait queue, maybe with a timeout */
	THREAD_DEAD,        /* waiting for the reaper to free its stacks */
};

struct call_frame {
	struct component *caller;       /* the domain to return to */
	struct component *callee;
	uint64_t rip, rsp, rflags;      /* the caller's user state to resume */
	int stack;                      /* the callee entry stack this call uses */
	uint64_t started_tick;          /* for the watchdog */
	int64_t grant;                  /* a one-call grant to revoke on return, or -1 */
};

struct wait_queue {
	struct thread *head;
};

/*
 * Which list a thread's `next` link is on.  A thread is on at most one list
 * at a time (they share the link), and a dead thread is on none: the
 * scheduler asserts both, because a dead thread left on a list is found
 * again after its kernel stack has been freed (issue 4's use-after-free).
 */
enum thread_list {
	LIST_NONE,
	LIST_RUN,               /* a run queue: state READY */
	LIST_WAIT,              /* waiting_on's queue: state BLOCKED */
	LIST_SLEEP,             /* the sleepers (a wait with no queue): state BLOCKED */
};

struct thread {
	uint64_t ksp;                   /* saved kernel stack pointer while switched out */
	uint64_t kstack_top;
	int id;
	char name[24];
	enum thread_state state;
	int priority;                   /* 0..31, higher runs first */
	struct component *home;         /* NULL for kernel threads */
	struct component *current;      /* whose domain it runs in; NULL in a kernel thread */
	int home_stack;                 /* the home component's stack it started on, or -1 */
	struct call_frame frame[PDX_MAX_DEPTH];
	int depth;
	struct thread *next;            /* link in the list `on` names */
	enum thread_list on;
	struct wait_queue *waiting_on;
	uint64_t wake_ns;               /* for a timed wait: when to give up; 0: never */
	int64_t wake_result;            /* what the blocking call returns */
	uint64_t cpu_ns;                /* time spent running */
	int64_t pending_grant;          /* a GRANT_ONE_CALL waiting for the next invoke, or -1 */
	bool unwound;                   /* its call was unwound while it was in the kernel */
	bool orphaned;                  /* its home crashed while it ran elsewhere: it ends on
					   returning there (kernel/component/pdx.c) */
};

/* The running thread (set by the scheduler only). */
extern struct thread *sched_current;
static inline struct thread *thread_current(void) { return sched_current; }

/* A kernel thread running fn(arg); NULL if out of memory or threads. */
struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg, int priority);

/*
 * A thread that starts in user mode in `home` at `entry` with RSP = `rsp`,
 * RAX = `rax` and RDI, RSI = `a0`, `a1`; created ready to run.
 */
struct thread *thread_create_user(struct component *home, const char *name, int priority,
				  uint64_t entry, uint64_t rsp, uint64_t rax,
				  uint64_t a0, uint64_t a1, int home_stack);

/* Ends the calling thread; never returns. */
__attribute__((noreturn)) void thread_exit(void);

/* Marks `t` dead and takes it off every queue (it must not be the caller). */
void thread_kill(struct thread *t);

/*
 * Blocks the caller on `q` until thread_wake_one/all, or until `deadline_ns`
 * (clock_ns time, 0 = no timeout) passes; returns the wake result
 * (E_TIMEOUT on timeout).
 */
int64_t thread_block(struct wait_queue *q, uint64_t deadline_ns);
/* Wakes blocked thread `t` with `result`, whatever it waits on. */
void thread_wake_now(struct thread *t, int64_t result);
/* Wakes the first waiter with `result`; returns false if there was none. */
bool thread_wake_one(struct wait_queue *q, int64_t result);
void thread_wake_all(struct wait_queue *q, int64_t result);

/* Sleeps for `ns` nanoseconds. */
void thread_sleep(uint64_t ns);

/* For the scheduler: wake threads whose deadline passed. */
void thread_expire_timeouts(uint64_t now_ns);

/* For the scheduler: free the kernel stacks of dead threads other than the running one. */
void thread_reap_dead(void);
extern int thread_dead_count;           /* dead, not yet reaped; only the scheduler reads it */
static inline void thread_reap(void)
{
	/* Every switch comes here twice: without a dead thread to free, it costs one test. */
	if (thread_dead_count)
		thread_reap_dead();
}

/*
 * Checks that every thread is on exactly the list its state calls for, once
 * (panics if not); returns the number of ready threads.  Walks every list:
 * for tests (test=kill-stress), not for every switch.
 */
int thread_check_lists(void);

/* Calls fn for every live thread. */
void thread_for_each(void (*fn)(struct thread *t, void *ctx), void *ctx);
int thread_count(void);

#endif
