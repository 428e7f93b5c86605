/*
 * event.h — events: how one component tells another that something finished.
 *
 * An event belongs to the component that created it; only its owner waits on
 * it, and besides the owner only components it was granted to may signal it.
 * An event is a binary flag: signals before a wait are remembered once, and
 * one wait consumes them.  This is the completion half of the asynchronous
 * driver model: the driver signals, the client waits.
 */
#ifndef PINFOLD_COMPONENT_EVENT_H
#define PINFOLD_COMPONENT_EVENT_H

#include <stdint.h>

#include "kernel/component/component.h"

#define EVENT_MAX 256

int64_t event_create(struct component *c);
int64_t event_grant(struct component *c, uint64_t id, uint64_t capidx);
int64_t event_signal(struct component *c, uint64_t id);
/* Waits up to timeout_ns (0: forever); 0 when signalled, E_TIMEOUT otherwise. */
int64_t event_wait(struct component *c, uint64_t id, uint64_t timeout_ns);

/* Destroys the events `c` owns and its right to signal others'. */
void event_component_stopped(struct component *c);

#endif
