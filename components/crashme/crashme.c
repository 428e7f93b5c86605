/*
 * crashme.c — fails on request.  Each kind is a real fault in crashme's own
 * protection domain, which the kernel must catch, charge to crashme, recover
 * from by restarting it, and survive.  `generation` is a static variable
 * that init increments: it is 1 after every restart because the restart
 * resets crashme's memory to the image's initial state.
 */
#include <pinfold/kcall.h>

#include "components/crashme/faults.h"
#include "crashme_server.h"
#include "libdriver/io.h"

static uint64_t generation;

int64_t component_init(void)
{
	generation++;
	return 0;
}

int64_t serve_ping(uint64_t *gen)
{
	*gen = generation;
	return 0;
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
