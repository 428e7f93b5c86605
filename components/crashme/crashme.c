/*
 * crashme.c — fails on request.  Each kind is a real fault in crashme's own
 * protection domain, which the kernel must catch, charge to crashme, recover
 * from by restarting it, and survive.  `generation` is a static variable
 * that init increments: it is 1 after every restart because the restart
 * resets crashme's memory to the image's initial state.
 */
#include <pinfold/kcall.h>

#include <string.h>

#include "components/crashme/faults.h"
#include "components/crashme/stress.h"
#include "crashme_server.h"
#include "peer_client.h"
#include "libdriver/io.h"

static uint64_t generation;

int64_t component_init(void)
{
	char which[32];
	generation++;
	if (boot_option("test", which, sizeof which) >= 0 && strcmp(which, "kill-stress") == 0)
		stress_start();
	return 0;
}

int64_t serve_ping(uint64_t *gen)
{
	*gen = generation;
	return 0;
}

/* A thread whose home is crashme, inside another component when crashme dies. */
static void holder(uint64_t ms)
{
	int64_t peer = cap_lookup("peer");
	if (peer >= 0)
		peer_slow((cap_t)peer, ms);
}

int64_t serve_hold(uint64_t ms)
{
	if (ms > 10000)
		return E_INVAL;
	if (cap_lookup("peer") < 0)
		return E_NO_CAP;
	int64_t t = thread_create(holder, ms, 10);
	return t < 0 ? t : 0;
}

int64_t serve_granted_port(uint64_t *value)
{
	*value = inb(0x80);
	return 0;
}

int64_t serve_inject(uint64_t kind)
{
	return kind == CRASH_IRQ_HANG ? E_INVAL : inject_fault(kind);     /* crashme has no interrupt */
}
