/*
 * killstress.c — boot option test=kill-stress: crash components at random
 * moments, many times, and check the scheduler's lists all along.
 *
 * Issue 4's use-after-free was a dead thread's kernel stack freed while a
 * list still led to it.  Which list depends on what the thread was doing when
 * its component died, so this kills components whose threads are in every
 * state a thread can be in: running (the kill comes from the timer tick, on
 * top of whatever runs, as the watchdog's does), ready, sleeping, waiting on
 * an event, waiting for an entry stack, inside a call to another component,
 * being called, starting (init), and in an interrupt method (the serial
 * driver, while the test types).  components/crashme/stress.c and
 * components/pdxtest/stress.c put threads in those states; half the kills come from the tick, half from a
 * kernel thread (the path of `kill NAME`).
 *
 * While it runs, every tick walks every list (sched_check_lists()), so a
 * thread in the wrong place panics at the first tick after, naming the
 * broken invariant, rather than much later as a fault on a freed stack.
 */
#include "kernel/component/killstress.h"

#include "kernel/component/component.h"
#include "kernel/component/lifecycle.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"

#define STRESS_KILLS 1500       /* in all, from the tick and the thread together */

bool killstress_on;

/* Written only with interrupts off (the tick, and the kernel thread, which runs with them off). */
static unsigned kills, kills_by_name[3];
static uint64_t checks;
static uint64_t seed = 0x9e3779b97f4a7c15ull;
static const char *const victims[] = { "crashme", "serial", "edu" };

/* xorshift64: reproducible within a run, and no state beyond one word. */
static uint64_t random_next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* Crashes a victim that is up, mostly crashme; returns whether one was. */
static bool kill_one(const char *how)
{
	uint64_t r = random_next() % 16;
	int which = r < 13 ? 0 : r < 15 ? 1 : 2;
	struct component *c = component_by_name(victims[which]);
	if (kills >= STRESS_KILLS || !c || (c->state != COMPONENT_RUNNING && c->state != COMPONENT_LOADING))
		return false;
	kills++;
	kills_by_name[which]++;
	if (kills == STRESS_KILLS)
		kprintf("stress: done: %u kills (crashme %u, serial %u, edu %u), lists checked %lu times\n",
			kills, kills_by_name[0], kills_by_name[1], kills_by_name[2], checks);
	component_crash(c, how);        /* may end the running thread: last */
	return true;
}

void killstress_tick(void)
{
	if (!components_ready || kills >= STRESS_KILLS)
		return;
	sched_check_lists();
	checks++;
	if (random_next() % 8 == 0)
		kill_one("stress: killed from the tick");
}

static void print_thread(struct thread *t, void *ctx)
{
	static const char *const states[] = { "new", "ready", "running", "blocked", "dead" };
	static const char *const lists[] = { "none", "run", "wait", "sleep" };
	(void)ctx;
	kprintf("stress: thread %d %s: %s on %s, depth %d in %s, wakes at %lu ns%s%s\n", t->id, t->name,
		states[t->state], lists[t->on], t->depth, t->current ? t->current->name : "kernel",
		t->wake_ns, t->orphaned ? ", orphaned" : "", t->unwound ? ", unwound" : "");
}

static void stress_thread(void *arg)
{
	(void)arg;
	while (!components_ready)
		thread_sleep(10000000);
	while (kills < STRESS_KILLS) {
		thread_sleep(random_next() % 3000000);
		sched_check_lists();
		checks++;
		kill_one("stress: killed by a kernel thread");
	}
	/* For the log: where every thread is once the test components' 20 s are over. */
	thread_sleep(25000000000ull);
	kprintf("stress: %d threads at the end (now %lu ns)\n", thread_count(), clock_ns());
	thread_for_each(print_thread, NULL);
}

void killstress_start(void)
{
	killstress_on = true;
	if (!thread_create_kernel("stress", stress_thread, 0, THREAD_PRIORITIES - 3))
		PANIC("no memory for the stress thread");
	kprintf("stress: killing crashme, serial and edu %u times at random\n", STRESS_KILLS);
}
