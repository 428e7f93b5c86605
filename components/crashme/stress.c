/*
 * stress.c — under test=kill-stress, crashme keeps threads of its own in
 * every state a thread can be in, so that the kernel's random kills
 * (kernel/component/killstress.c) catch each state many times: a spinner
 * (running or ready), a sleeper, a waiter on an event (with and without a
 * timeout), and short-lived children that either end at once or sit inside
 * peer.slow, a call into another component.  Every restart starts them
 * again from init; nothing here ever stops.
 *
 * Together they hold most of crashme's entry stacks (the test gives it 8), so
 * callers from pdxtest also wait for a stack, another list a killed
 * component's threads must leave.
 */
#include <pinfold/kcall.h>

#include "components/crashme/stress.h"
#include "peer_client.h"

static int64_t event = -1;
static volatile uint64_t spins;
static uint64_t seed;

static uint64_t random_below(uint64_t n)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (seed >> 33) % n;
}

static void spinner(uint64_t arg)
{
	(void)arg;
	for (;;)
		spins++;
}

static void sleeper(uint64_t arg)
{
	(void)arg;
	for (;;) {
		sleep_ns(random_below(2000000));
		event_signal(event);
	}
}

static void waiter(uint64_t arg)
{
	(void)arg;
	for (;;)
		event_wait(event, random_below(2) ? 0 : random_below(3000000));
}

/* A child: ends at once, or waits inside peer for up to 3 ms first. */
static void child(uint64_t ms)
{
	if (ms) {
		int64_t peer = cap_lookup("peer");
		if (peer >= 0)
			peer_slow((cap_t)peer, ms);
	}
}

static void parent(uint64_t arg)
{
	(void)arg;
	for (;;) {
		thread_create(child, random_below(4), 10);     /* no stack free: try again later */
		sleep_ns(random_below(1000000));
	}
}

void stress_start(void)
{
	seed = clock_ns();
	event = event_create();
	thread_create(spinner, 0, 5);   /* below the callers: they still get to run */
	thread_create(sleeper, 0, 10);
	thread_create(waiter, 0, 10);
	thread_create(parent, 0, 10);
}
