/*
 * pdxtest.c — tests of protected procedure calls, run inside Pinfold.
 *
 * With the boot option test=pdx its init starts a thread that runs every
 * check below against peer, third and intruder, printing one line per check
 * ("test: NAME: ok" or "test: NAME: FAIL ...") and a last line with the
 * counts, which tests/system/test_pdx.py reads.  Without the option it does
 * nothing, so it can stay in the default manifest.
 *
 * test=sched runs the scheduler checks of sched.c, test=restart the
 * recovery checks of recovery.c.
 * test=isolation-KIND instead asks intruder to make one illegal access of
 * that kind (see intruder.c) and then checks that peer still answers.
 */
#include <pinfold/kcall.h>
#include <string.h>

#include "components/intruder/kinds.h"
#include "components/pdxtest/check.h"
#include "intruder_client.h"
#include "pdxtest_server.h"
#include "peer_client.h"

static cap_t peer, intruder;
static int passed, failed;

void report_done(void)
{
	log_printf("test: done: %d passed, %d failed\n", passed, failed);
}

void check(const char *name, int ok, const char *fmt, uint64_t a, uint64_t b)
{
	if (ok) {
		passed++;
		log_printf("test: %s: ok\n", name);
	} else {
		failed++;
		log_printf("test: %s: FAIL ", name);
		log_printf(fmt, a, b);
		log_printf("\n");
	}
}


int64_t serve_pingpong(uint64_t n, uint64_t *hops)
{
	if (n == 0) {
		*hops = 0;
		return 0;
	}
	int64_t r = peer_pingpong(peer, n - 1, hops);
	if (r < 0)
		return r;
	*hops += 1;
	return 0;
}

/* Polls `probe` every millisecond for up to 2 s until it succeeds; its last status. */
static int64_t wait_until_up(int64_t (*probe)(void))
{
	int64_t status = E_TIMEOUT;
	for (int ms = 0; ms < 2000 && status < 0; ms++) {
		status = probe();
		if (status < 0)
			sleep_ns(1000000);
	}
	return status;
}

static int64_t peer_is_up(void) { return peer_null(peer); }
static int64_t intruder_is_up(void) { return intruder_ping(intruder); }

static void test_words(void)
{
	const uint64_t w[6] = { 0x0123456789abcdef, 0xfedcba9876543210, 0x8000000000000001,
				0xffffffffffffffff, 0, 0x5555aaaa5555aaaa };
	uint64_t weighted = 1, xor = 1;
	int64_t r = peer_mix(peer, w[0], w[1], w[2], w[3], w[4], w[5], &weighted, &xor);
	EXPECT_EQ("pdx-status", r, 0);
	EXPECT_EQ("pdx-six-args-weighted", weighted,
		  w[0] + 2 * w[1] + 3 * w[2] + 4 * w[3] + 5 * w[4] + 6 * w[5]);
	EXPECT_EQ("pdx-six-args-xor", xor, w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4] ^ w[5]);
	/* 1000 calls with varying words: nothing leaks between calls. */
	int bad = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		peer_mix(peer, i, i * 3, ~i, i << 7, i ^ 0xabc, 7, &weighted, &xor);
		bad += weighted != i + 2 * (i * 3) + 3 * ~i + 4 * (i << 7) + 5 * (i ^ 0xabc) + 42;
	}
	EXPECT_EQ("pdx-repeated-calls", bad, 0);
}

static void test_nesting(void)
{
	uint64_t depth = 0, hops = 0;
	EXPECT_EQ("pdx-nested-status", peer_nest(peer, &depth), 0);
	EXPECT_EQ("pdx-nested-depth", depth, 2);                /* pdxtest -> peer -> third */
	EXPECT_EQ("pdx-reentrant-status", peer_pingpong(peer, 7, &hops), 0);
	EXPECT_EQ("pdx-reentrant-hops", hops, 7);               /* A B A B A B A B */
	EXPECT_EQ("pdx-depth-after", kernel_info(INFO_DEPTH), 0);
}

static void test_errors(void)
{
	uint64_t args[6] = { 0 }, res[2];
	EXPECT_EQ("err-no-such-capability", pdx_invoke(77, 0, args, res), (uint64_t)E_NO_CAP);
	EXPECT_EQ("err-no-such-method", pdx_invoke(peer, 31, args, res), (uint64_t)E_NO_METHOD);
	EXPECT_EQ("err-method-not-permitted", pdx_invoke(peer, PEER_M_SECRET, args, res),
		  (uint64_t)E_NOT_PERMITTED);
	uint64_t hops;
	EXPECT_EQ("err-call-depth-exceeded", peer_pingpong(peer, 40, &hops), (uint64_t)E_DEPTH);
	EXPECT_EQ("err-no-such-kernel-call", kcall(9999, 0, 0, 0, 0).status, (uint64_t)E_NOSYS);
	EXPECT_EQ("err-bad-pointer-log", kcall(SYS_LOG, 0xdead0000, 10, 0, 0).status, (uint64_t)E_FAULT);
	EXPECT_EQ("err-kernel-pointer-log", kcall(SYS_LOG, 0xffffffff80100000, 10, 0, 0).status,
		  (uint64_t)E_FAULT);
	EXPECT_EQ("err-unknown-component", cap_lookup("nosuch"), (uint64_t)E_NOT_FOUND);
	/* Without the manifest's "control" right, no killing and no reading others' output. */
	EXPECT_EQ("err-control-denied", kcall(SYS_COMPONENT_CONTROL, 0, CONTROL_KILL, 0, 0).status,
		  (uint64_t)E_DENIED);
	char text[64];
	EXPECT_EQ("err-console-log-denied", kcall(SYS_CONSOLE_RECENT, (uint64_t)text, sizeof text, 0, 0).status,
		  (uint64_t)E_DENIED);
	uint64_t probe = 0;
	peer_init_probe(peer, &probe);
	EXPECT_EQ("err-callee-restarting", probe, (uint64_t)E_CALLEE_RESTARTING);
}

static void test_grants(void)
{
	uint8_t *buf = mem_alloc(8192);
	check("grant-alloc", buf != NULL, "mem_alloc returned %lx%lx", 0, 0);
	if (!buf)
		return;
	for (int i = 0; i < 4096; i++)
		buf[i] = (uint8_t)i;
	uint64_t total = 0, want = 0;
	for (int i = 0; i < 4096; i++)
		want += (uint8_t)i;

	int64_t g = mem_grant(buf, 4096, peer, GRANT_READ);
	check("grant-read", g >= 0, "mem_grant returned %ld%lx", (uint64_t)g, 0);
	EXPECT_EQ("grant-read-sum", peer_sum(peer, (uint64_t)buf, 4096, &total), 0);
	EXPECT_EQ("grant-read-sum-value", total, want);
	EXPECT_EQ("grant-overlap-refused", mem_grant(buf, 4096, peer, GRANT_READ), (uint64_t)E_BUSY);
	EXPECT_EQ("grant-unaligned-refused", mem_grant(buf + 1, 4096, peer, GRANT_READ), (uint64_t)E_INVAL);
	EXPECT_EQ("grant-foreign-refused", mem_grant((void *)0x1000, 4096, peer, GRANT_READ), (uint64_t)E_DENIED);
	EXPECT_EQ("grant-revoke", mem_revoke(g), 0);
	EXPECT_EQ("grant-revoke-twice", mem_revoke(g), (uint64_t)E_NOT_FOUND);

	g = mem_grant(buf + 4096, 4096, peer, GRANT_READ | GRANT_WRITE);
	EXPECT_EQ("grant-write-fill", peer_fill(peer, (uint64_t)buf + 4096, 4096, 0x5a), 0);
	int bad = 0;
	for (int i = 4096; i < 8192; i++)
		bad += buf[i] != 0x5a;
	EXPECT_EQ("grant-write-visible", bad, 0);
	mem_revoke(g);

	/* A grant for one call: usable in that call, gone after it. */
	g = mem_grant(buf, 4096, peer, GRANT_READ | GRANT_ONE_CALL);
	EXPECT_EQ("grant-one-call", peer_sum(peer, (uint64_t)buf, 4096, &total), 0);
	EXPECT_EQ("grant-one-call-value", total, want);
	EXPECT_EQ("grant-one-call-revoked", mem_revoke(g), (uint64_t)E_NOT_FOUND);
	EXPECT_EQ("grant-free", mem_free(buf), 0);
}

static void test_events(void)
{
	int64_t ev = event_create();
	check("event-create", ev >= 0, "event_create returned %ld%lx", (uint64_t)ev, 0);
	EXPECT_EQ("event-timeout", event_wait(ev, 20000000), (uint64_t)E_TIMEOUT);
	EXPECT_EQ("event-signal", event_signal(ev), 0);
	EXPECT_EQ("event-remembered", event_wait(ev, 20000000), 0);
	EXPECT_EQ("event-not-owner", event_wait(ev + 1, 1), (uint64_t)E_NOT_FOUND);
}

/* Last: it crashes peer, which is then restarted. */
static void test_revoked_grant_faults_grantee(void)
{
	uint8_t *buf = mem_alloc(4096);
	int64_t g = mem_grant(buf, 4096, peer, GRANT_READ);
	uint64_t total;
	peer_sum(peer, (uint64_t)buf, 16, &total);
	mem_revoke(g);
	EXPECT_EQ("grant-after-revoke-faults-callee", peer_sum(peer, (uint64_t)buf, 16, &total),
		  (uint64_t)E_CALLEE_FAILED);
	EXPECT_EQ("callee-back-after-restart", wait_until_up(peer_is_up), 0);
	buf[0] = 1;             /* our own memory is untouched by peer's fall */
	EXPECT_EQ("caller-memory-intact", buf[0], 1);
}

static void run_pdx_tests(uint64_t arg)
{
	(void)arg;
	uint64_t frames_before = kernel_info(INFO_FREE_FRAMES);
	test_words();
	test_nesting();
	test_errors();
	test_grants();
	test_events();
	/* Everything above gave back what it took.  (More may be free after:
	 * the kernel stacks of finished init threads are reclaimed lazily.) */
	uint64_t frames_after = kernel_info(INFO_FREE_FRAMES);
	check("no-frames-leaked", frames_after >= frames_before,
	      "free frames before %lu, after %lu", frames_before, frames_after);
	test_revoked_grant_faults_grantee();
	report_done();
}

static void run_isolation(uint64_t kind)
{
	uint64_t addr = 0, value = 0, weighted = 0, xor = 0;
	peer_address(peer, &addr);
	int64_t r = intruder_attack(intruder, kind, addr, &value);
	EXPECT_EQ("isolation-attacker-failed", r, (uint64_t)E_CALLEE_FAILED);
	EXPECT_EQ("isolation-attacker-restarted", wait_until_up(intruder_is_up), 0);
	EXPECT_EQ("isolation-victim-answers", peer_mix(peer, 1, 2, 3, 4, 5, 6, &weighted, &xor), 0);
	EXPECT_EQ("isolation-victim-result", weighted, 91);
	EXPECT_EQ("isolation-victim-memory-intact", peer_value(peer, &value), 0);
	EXPECT_EQ("isolation-victim-value", value, 0x5ec2e7);
	report_done();
}

int64_t component_init(void)
{
	char which[32];
	int64_t p = cap_lookup("peer"), i = cap_lookup("intruder");
	if (p < 0 || i < 0)
		return p < 0 ? p : i;
	peer = (cap_t)p;
	intruder = (cap_t)i;
	if (boot_option("test", which, sizeof which) < 0)
		return 0;
	if (strcmp(which, "pdx") == 0)
		thread_create(run_pdx_tests, 0, 10);
	if (strcmp(which, "sched") == 0)
		thread_create(run_sched_tests, 0, 10);
	start_recovery_tests(which);
	start_stress(which);
	for (uint64_t k = 0; k < INTRUDER_KINDS; k++)
		if (strcmp(which, intruder_kinds[k]) == 0)
			thread_create(run_isolation, k, 10);
	return 0;
}
