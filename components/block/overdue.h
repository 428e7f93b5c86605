/*
 * overdue.h — how block tells that the disk driver has stopped finishing its
 * work: the supervision half of "a driver that hangs is restarted".
 *
 * A driver that crashes or whose method never returns is the kernel's to
 * catch.  One that still answers every call but never completes a request
 * (`inject ahci hang`) looks alive to the kernel; only its client can see
 * that requests do not come back.  So block sweeps its book now and then and
 * remembers, for each request with the driver, when a sweep first saw that
 * issue of it.  A request that some sweep finds with the driver, as the same
 * issue, more than a limit after that is overdue, and block (the manifest's
 * `supervise ahci`) has the kernel restart the driver; the book then issues
 * it again to the new instance, as after any crash.
 *
 * The limit must exceed everything a working driver may take: ahci recovers a
 * command of its own that has not finished in 10 s.  Timing by sweeps, not a
 * clock read at each issue, keeps the kernel's clock off the request path.
 *
 * Pure logic, tested on the host (tests/unit/test_block_overdue.c).
 */
#ifndef COMPONENTS_BLOCK_OVERDUE_H
#define COMPONENTS_BLOCK_OVERDUE_H

#include <stdbool.h>
#include <stdint.h>

#include "components/block/book.h"

/* What the sweeps know of one book slot. */
struct overdue_slot {
	bool seen;              /* a sweep saw an issue of a request with the driver: */
	uint64_t gen, seq;      /* this one (the driver generation, the request), */
	unsigned tries;         /* (its issue number), */
	uint64_t since;         /* first at this time */
};

struct overdue {
	struct overdue_slot slot[BOOK_SLOTS];
};

/* Nothing seen yet. */
void overdue_init(struct overdue *o);

/* Looks at every request book b has with the driver, at time now (ns): true if one has
 * been with it, as the same issue, for more than limit ns since a sweep first saw it. */
bool overdue_sweep(struct overdue *o, const struct book *b, uint64_t now, uint64_t limit);

#endif
