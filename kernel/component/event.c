/*
 * event.c — a fixed table of events, each a flag, a wait queue, and the set
 * of components allowed to signal it (a bitmask of component ids).
 */
#include "kernel/component/event.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <stdbool.h>

#include "kernel/time/clock.h"

struct event {
	struct component *owner;        /* NULL: free */
	bool signalled;
	uint32_t signallers;            /* bit n: component n may signal */
	struct wait_queue waiters;
};

static struct event events[EVENT_MAX];

int64_t event_create(struct component *c)
{
	for (int i = 0; i < EVENT_MAX; i++)
		if (!events[i].owner) {
			events[i] = (struct event){ .owner = c, .signallers = 1u << c->id };
			return i;
		}
	return E_LIMIT;
}

static struct event *owned(struct component *c, uint64_t id)
{
	return id < EVENT_MAX && events[id].owner == c ? &events[id] : NULL;
}

int64_t event_grant(struct component *c, uint64_t id, uint64_t capidx)
{
	struct event *e = owned(c, id);
	if (!e)
		return E_NOT_FOUND;
	if (capidx >= (uint64_t)c->ncaps)
		return E_NO_CAP;
	e->signallers |= 1u << c->cap[capidx].target->id;
	return 0;
}

HOT int64_t event_signal(struct component *c, uint64_t id)
{
	if (id >= EVENT_MAX || !events[id].owner)
		return E_NOT_FOUND;
	struct event *e = &events[id];
	if (!(e->signallers & (1u << c->id)))
		return E_DENIED;
	if (!thread_wake_one(&e->waiters, 0))
		e->signalled = true;
	return 0;
}

HOT int64_t event_wait(struct component *c, uint64_t id, uint64_t timeout_ns)
{
	struct event *e = owned(c, id);
	if (!e)
		return E_NOT_FOUND;
	if (e->signalled) {
		e->signalled = false;
		return 0;
	}
	const uint64_t max_timeout = 3600000000000ull;   /* an hour: no wrap-around to "forever" */
	if (timeout_ns > max_timeout)
		timeout_ns = max_timeout;
	return thread_block(&e->waiters, timeout_ns ? clock_ns() + timeout_ns : 0);
}

void event_component_stopped(struct component *c)
{
	for (int i = 0; i < EVENT_MAX; i++) {
		if (events[i].owner == c) {
			thread_wake_all(&events[i].waiters, E_CALLEE_FAILED);
			events[i].owner = NULL;
		}
		events[i].signallers &= ~(1u << c->id);
	}
}
