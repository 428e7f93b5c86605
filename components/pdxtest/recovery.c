/*
 * recovery.c — tests of crash and restart, run inside Pinfold (boot option
 * test=restart, or test=restart-KIND for one kind only).
 *
 * For every kind of fault crashme knows: the call that makes crashme fail
 * returns E_CALLEE_FAILED to us, crashme comes back (its ping answers again,
 * with generation 1: its memory was reset), and nothing leaked.  Then 1,000
 * crash/restart cycles in a row, and finally the restart policy: fragile
 * allows two restarts a minute, so its third crash leaves it failed while
 * everything else carries on.  (fragile runs crashme's image, so crashme's
 * stubs serve for both.)
 */
#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "components/crashme/kinds.h"
#include "components/pdxtest/check.h"
#include "crashme_client.h"
#include "peer_client.h"

#define MS 1000000ull
#define CYCLES 1000

static cap_t crashme, fragile;

/* Waits until ping through `cap` answers; returns what it said, or the last error. */
static int64_t wait_up(cap_t cap, uint64_t *generation, uint64_t timeout_ms)
{
	int64_t r = E_TIMEOUT;
	for (uint64_t waited = 0; waited < timeout_ms; waited++) {
		r = crashme_ping(cap, generation);
		if (r >= 0 || r == E_CALLEE_FAILED)
			return r;
		sleep_ns(MS);
	}
	return r;
}

static void crash_once(const char *kind_name, uint64_t kind)
{
	char name[64];
	uint64_t gen = 0;
	snprintf(name, sizeof name, "restart-%s-fails-call", kind_name);
	EXPECT_EQ(name, crashme_inject(crashme, kind), (uint64_t)E_CALLEE_FAILED);
	snprintf(name, sizeof name, "restart-%s-back", kind_name);
	EXPECT_EQ(name, wait_up(crashme, &gen, 2000), 0);
	snprintf(name, sizeof name, "restart-%s-memory-reset", kind_name);
	EXPECT_EQ(name, gen, 1);
}

/*
 * A caller blocked inside a component that crashes: it sleeps in peer.slow(5000) while
 * peer faults (a read through a revoked grant); it must get E_CALLEE_FAILED at once, not
 * after its 5 s, nor never.
 */
static cap_t peer;
static volatile int64_t blocked_result = 1;
static volatile uint64_t blocked_ns;

static void blocked_caller(uint64_t arg)
{
	(void)arg;
	uint64_t t0 = clock_ns();
	blocked_result = peer_slow(peer, 5000);
	blocked_ns = clock_ns() - t0;
}

static void blocked_caller_gets_the_error(void)
{
	uint64_t total, entered, finished;
	int64_t p = cap_lookup("peer");
	if (p < 0) {
		check("blocked-caller-gets-error", 0, "no capability for peer (%ld)%lx", (uint64_t)p, 0);
		return;
	}
	peer = (cap_t)p;
	thread_create(blocked_caller, 0, 10);
	for (int i = 0; i < 1000 && (peer_slow_count(peer, &entered, &finished) != 0 || entered == 0); i++)
		sleep_ns(MS);
	uint8_t *buf = mem_alloc(4096);
	int64_t grant = mem_grant(buf, 4096, peer, GRANT_READ);
	mem_revoke(grant);
	EXPECT_EQ("blocked-caller-peer-crashes", peer_sum(peer, (uint64_t)buf, 16, &total),
		  (uint64_t)E_CALLEE_FAILED);
	for (int i = 0; i < 2000 && blocked_result == 1; i++)
		sleep_ns(MS);
	EXPECT_EQ("blocked-caller-gets-error", blocked_result, (uint64_t)E_CALLEE_FAILED);
	check("blocked-caller-not-held", blocked_ns < 1000 * MS, "returned after %lu ns%lx", blocked_ns, 0);
	mem_free(buf);
}

static void run_restart_tests(uint64_t only)
{
	uint64_t gen;
	wait_up(crashme, &gen, 2000);
	sleep_ns(20 * MS);      /* let the kernel reclaim finished threads' stacks first */
	uint64_t frames_before = kernel_info(INFO_FREE_FRAMES);

	uint64_t value;
	EXPECT_EQ("granted-port-works", crashme_granted_port(crashme, &value), 0);
	for (uint64_t k = 0; k < CRASH_FAULTING_KINDS; k++)
		if (only == CRASH_KINDS || only == k)
			crash_once(crash_kinds[k], k);

	if (only == CRASH_KINDS) {
		int bad = 0;
		for (int i = 0; i < CYCLES; i++) {
			bad += crashme_inject(crashme, CRASH_NULL) != E_CALLEE_FAILED;
			bad += wait_up(crashme, &gen, 2000) != 0 || gen != 1;
		}
		EXPECT_EQ("restart-1000-cycles", bad, 0);
	}

	/* Every restart gave back all it took: image, stacks, page tables, thread stacks. */
	sleep_ns(20 * MS);
	uint64_t frames_after = kernel_info(INFO_FREE_FRAMES);
	check("restart-no-frames-leaked", frames_after == frames_before,
	      "free frames before %lu, after %lu", frames_before, frames_after);

	if (only == CRASH_KINDS) {

		/* fragile: restart max=2 window=60000 */
		EXPECT_EQ("policy-first-crash", crashme_inject(fragile, CRASH_UD), (uint64_t)E_CALLEE_FAILED);
		EXPECT_EQ("policy-first-restart", wait_up(fragile, &gen, 2000), 0);
		EXPECT_EQ("policy-second-crash", crashme_inject(fragile, CRASH_UD), (uint64_t)E_CALLEE_FAILED);
		EXPECT_EQ("policy-second-restart", wait_up(fragile, &gen, 2000), 0);
		EXPECT_EQ("policy-third-crash", crashme_inject(fragile, CRASH_UD), (uint64_t)E_CALLEE_FAILED);
		EXPECT_EQ("policy-gave-up", wait_up(fragile, &gen, 2000), (uint64_t)E_CALLEE_FAILED);
		EXPECT_EQ("policy-others-carry-on", crashme_ping(crashme, &gen), 0);
		blocked_caller_gets_the_error();
	}
	report_done();
}

/* Starts the recovery tests if `which` names them; false if it does not. */
bool start_recovery_tests(const char *which)
{
	int64_t c = cap_lookup("crashme"), f = cap_lookup("fragile");
	if (c < 0 || f < 0)
		return false;
	crashme = (cap_t)c;
	fragile = (cap_t)f;
	if (strcmp(which, "restart") == 0) {
		thread_create(run_restart_tests, CRASH_KINDS, 10);
		return true;
	}
	for (uint64_t k = 0; k < CRASH_FAULTING_KINDS; k++)
		if (strncmp(which, "restart-", 8) == 0 && strcmp(which + 8, crash_kinds[k]) == 0) {
			thread_create(run_restart_tests, k, 10);
			return true;
		}
	return false;
}
