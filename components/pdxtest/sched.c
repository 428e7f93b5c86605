/*
 * sched.c — tests of threads and the scheduler, run inside Pinfold
 * (boot option test=sched): sleeping, preemption by priority, round robin
 * within a priority, and the idle-time accounting CPU utilisation comes from.
 */
#include <pinfold/kcall.h>

#include "components/pdxtest/check.h"

#define MS 1000000ull

static volatile int stop;
static volatile uint64_t spins[2];

static void spinner(uint64_t which)
{
	while (!stop)
		spins[which]++;
}

void run_sched_tests(uint64_t arg)
{
	(void)arg;
	uint64_t t0 = clock_ns();
	sleep_ns(30 * MS);
	uint64_t slept = clock_ns() - t0;
	check("sched-sleep-long-enough", slept >= 30 * MS, "slept %lu ns%lx", slept, 0);
	check("sched-sleep-not-too-long", slept < 500 * MS, "slept %lu ns%lx", slept, 0);

	/* Nothing else runs: the CPU is idle while we sleep. */
	uint64_t idle0 = kernel_info(INFO_IDLE_NS), c0 = clock_ns();
	sleep_ns(100 * MS);
	uint64_t idle = kernel_info(INFO_IDLE_NS) - idle0, wall = clock_ns() - c0;
	check("sched-idle-while-sleeping", idle * 10 >= wall * 8, "idle %lu of %lu ns", idle, wall);

	/* Two spinners of our priority's inferior: we still wake on time (preemption),
	 * both get turns (round robin), and the CPU is busy, not idle. */
	stop = 0;
	spins[0] = spins[1] = 0;
	int64_t a = thread_create(spinner, 0, 5), b = thread_create(spinner, 1, 5);
	check("sched-threads-created", a >= 0 && b >= 0, "thread_create: %ld %ld", (uint64_t)a, (uint64_t)b);
	idle0 = kernel_info(INFO_IDLE_NS), c0 = clock_ns();
	sleep_ns(200 * MS);
	idle = kernel_info(INFO_IDLE_NS) - idle0, wall = clock_ns() - c0;
	stop = 1;
	check("sched-preempted-to-wake", wall < 1000 * MS, "woke after %lu ns%lx", wall, 0);
	check("sched-busy-while-spinning", idle * 10 <= wall * 2, "idle %lu of %lu ns", idle, wall);
	check("sched-round-robin", spins[0] > 1000 && spins[1] > 1000, "spins %lu and %lu", spins[0], spins[1]);
	sleep_ns(20 * MS);      /* the spinners see `stop` and end */
	report_done();
}
