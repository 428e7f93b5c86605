/*
 * peer.c — a server for the protected-procedure-call tests.
 *
 * Each method exercises one property of PDX: argument and result words,
 * nesting, re-entrance, and access to memory granted by the caller.  The
 * buffer methods trust nothing: they touch exactly the addresses they are
 * given, so if the grant is missing the fault is theirs, as it should be.
 */
#include <pinfold/kcall.h>

#include "pdxtest_client.h"
#include "peer_server.h"
#include "third_client.h"

static cap_t third, pdxtest;
static volatile uint64_t private_value = 0x5ec2e7;
static int64_t init_probe_status;

int64_t component_init(void)
{
	int64_t t = cap_lookup("third"), p = cap_lookup("pdxtest");
	if (t < 0 || p < 0)
		return t < 0 ? t : p;
	third = (cap_t)t;
	pdxtest = (cap_t)p;
	/* pdxtest comes after us in the manifest, so it is not up yet: this must be refused. */
	uint64_t hops;
	init_probe_status = pdxtest_pingpong(pdxtest, 0, &hops);
	return 0;
}

/* A call that takes its time, for a caller whose home may crash meanwhile: the kernel
 * must let it finish here (the caller becomes an orphan), not kill it mid-method. */
static volatile uint64_t slow_entered, slow_finished;

int64_t serve_slow(uint64_t ms)
{
	if (ms > 10000)
		return E_INVAL;
	slow_entered++;
	sleep_ns(ms * 1000000ull);
	slow_finished++;
	return 0;
}

int64_t serve_slow_count(uint64_t *entered, uint64_t *finished)
{
	*entered = slow_entered;
	*finished = slow_finished;
	return 0;
}

int64_t serve_init_probe(uint64_t *status)
{
	*status = (uint64_t)init_probe_status;
	return 0;
}

int64_t serve_null(void)
{
	return 0;
}

int64_t serve_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f,
		  uint64_t *weighted, uint64_t *xor)
{
	*weighted = a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
	*xor = a ^ b ^ c ^ d ^ e ^ f;
	return 0;
}

int64_t serve_nest(uint64_t *depth)
{
	return third_depth(third, depth);
}

int64_t serve_pingpong(uint64_t n, uint64_t *hops)
{
	if (n == 0) {
		*hops = 0;
		return 0;
	}
	int64_t r = pdxtest_pingpong(pdxtest, n - 1, hops);
	if (r < 0)
		return r;
	*hops += 1;
	return 0;
}

int64_t serve_sum(uint64_t addr, uint64_t len, uint64_t *total)
{
	const volatile uint8_t *p = (const volatile uint8_t *)addr;
	uint64_t s = 0;
	for (uint64_t i = 0; i < len; i++)
		s += p[i];
	*total = s;
	return 0;
}

int64_t serve_fill(uint64_t addr, uint64_t len, uint64_t byte)
{
	volatile uint8_t *p = (volatile uint8_t *)addr;
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)byte;
	return 0;
}

int64_t serve_address(uint64_t *addr)
{
	*addr = (uint64_t)&private_value;
	return 0;
}

int64_t serve_value(uint64_t *value)
{
	*value = private_value;
	return 0;
}

int64_t serve_secret(uint64_t *value)
{
	*value = private_value;
	return 0;
}
