/*
 * benchipc.c — the cost of a protected procedure call (boot option bench=ipc).
 *
 * Three loops, each timed with the TSC and with the kernel's clock:
 *   ipc-local-call       a call of a function in the same component
 *   ipc-kernel-call      the cheapest kernel call (SYS_INFO): entry and exit alone
 *   ipc-pdx-null         invoke of peer.null: the cross-domain round trip
 *   ipc-pdx-4k-grant     grant a 4 KiB buffer for one call, invoke peer.sum,
 *                        which reads from it, and have the grant revoked
 * Run with the boot option bench=ipc, or from the shell: bench ipc.
 * Under QEMU's -icount shift=0 the TSC counts guest instructions exactly, so
 * "tsc" figures are then instruction counts (tools/benchipc.py runs both ways).
 */
#include <pinfold/kcall.h>
#include <string.h>

#include "benchipc_server.h"
#include "peer_client.h"

#define ROUNDS 2000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

__attribute__((noinline)) static int64_t local_null(void)
{
	__asm__ volatile("" ::: "memory");
	return 0;
}

static void report(const char *name, uint64_t tsc, uint64_t ns)
{
	log_printf("bench: %s %lu tsc\n", name, tsc / ROUNDS);
	log_printf("bench: %s-ns %lu ns\n", name, ns / ROUNDS);
}

static void measure(uint64_t arg)
{
	(void)arg;
	int64_t p = cap_lookup("peer");
	uint8_t *buf = mem_alloc(4096);
	if (p < 0 || !buf) {
		log_printf("bench: error: no peer or no memory\n");
		return;
	}
	cap_t peer = (cap_t)p;
	uint64_t total;

	peer_null(peer);        /* warm up: first-touch costs are not the call's */
	uint64_t t0 = rdtsc(), n0 = clock_ns();
	for (int i = 0; i < ROUNDS; i++)
		local_null();
	report("ipc-local-call", rdtsc() - t0, clock_ns() - n0);

	t0 = rdtsc(), n0 = clock_ns();
	for (int i = 0; i < ROUNDS; i++)
		kernel_info(INFO_DEPTH);
	report("ipc-kernel-call", rdtsc() - t0, clock_ns() - n0);

	t0 = rdtsc(), n0 = clock_ns();
	for (int i = 0; i < ROUNDS; i++)
		peer_null(peer);
	report("ipc-pdx-null", rdtsc() - t0, clock_ns() - n0);

	t0 = rdtsc(), n0 = clock_ns();
	for (int i = 0; i < ROUNDS; i++) {
		mem_grant(buf, 4096, peer, GRANT_READ | GRANT_ONE_CALL);
		peer_sum(peer, (uint64_t)buf, 8, &total);
	}
	report("ipc-pdx-4k-grant", rdtsc() - t0, clock_ns() - n0);
	log_printf("bench: done\n");
	mem_free(buf);
}

int64_t serve_run(void)
{
	measure(0);
	return 0;
}

int64_t component_init(void)
{
	char which[32];
	if (boot_option("bench", which, sizeof which) >= 0 && strcmp(which, "ipc") == 0)
		thread_create(measure, 0, 20);
	return 0;
}
