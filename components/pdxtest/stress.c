/*
 * stress.c — pdxtest's part of the kill stress test (boot option
 * test=kill-stress; kernel/component/killstress.c does the killing).
 *
 * Threads of another component must be in crashme when it dies, or waiting
 * to get in: a pinger calls crashme.ping without pause (it waits for one of
 * crashme's entry stacks, runs inside crashme, or is refused while crashme
 * restarts), a holder makes crashme start threads that sit inside peer, and
 * a faulter crashes crashme itself now and then (an invalid opcode, and
 * rarely a loop, which the watchdog ends from the tick).  After STRESS_NS of
 * this each reports how its calls ended, and stops.
 */
#include <pinfold/kcall.h>
#include <string.h>

#include "components/crashme/kinds.h"
#include "components/pdxtest/check.h"
#include "crashme_client.h"

#define STRESS_NS 20000000000ull        /* 20 s of guest time */

static cap_t crashme;
static uint64_t deadline;

static void pinger(uint64_t arg)
{
	uint64_t ok = 0, failed = 0, generation;
	(void)arg;
	while (clock_ns() < deadline) {
		if (crashme_ping(crashme, &generation) == 0)
			ok++;
		else
			failed++, sleep_ns(100000);
	}
	log_printf("stress: pinger done: %lu answered, %lu refused or failed\n", ok, failed);
}

static void holder(uint64_t arg)
{
	uint64_t n = 0;
	(void)arg;
	for (; clock_ns() < deadline; n++) {
		crashme_hold(crashme, 1 + n % 3);
		sleep_ns(500000);
	}
	log_printf("stress: holder done: %lu holds\n", n);
}

static void faulter(uint64_t arg)
{
	uint64_t n = 0, failed = 0;
	(void)arg;
	for (; clock_ns() < deadline; n++) {
		failed += crashme_inject(crashme, n % 50 == 49 ? CRASH_LOOP : CRASH_UD) == E_CALLEE_FAILED;
		sleep_ns(5000000);
	}
	log_printf("stress: faulter done: %lu injected, %lu failed the call\n", n, failed);
}

bool start_stress(const char *which)
{
	int64_t c = cap_lookup("crashme");
	if (strcmp(which, "kill-stress") != 0 || c < 0)
		return false;
	crashme = (cap_t)c;
	deadline = clock_ns() + STRESS_NS;
	thread_create(pinger, 0, 10);
	thread_create(holder, 0, 10);
	thread_create(faulter, 0, 10);
	return true;
}
