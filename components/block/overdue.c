/*
 * overdue.c — requests the driver has held too long (design in overdue.h).
 */
#include "components/block/overdue.h"

#include <string.h>

void overdue_init(struct overdue *o)
{
	memset(o, 0, sizeof *o);
}

bool overdue_sweep(struct overdue *o, const struct book *b, uint64_t now, uint64_t limit)
{
	bool late = false;
	for (int s = 0; s < BOOK_SLOTS; s++) {
		const struct book_request *r = &b->slot[s];
		struct overdue_slot *seen = &o->slot[s];
		if (r->state != BOOK_ISSUED) {
			seen->seen = false;
			continue;
		}
		if (!seen->seen || seen->gen != r->gen || seen->seq != r->seq || seen->tries != r->tries) {
			*seen = (struct overdue_slot){ true, r->gen, r->seq, r->tries, now };
			continue;
		}
		late |= now - seen->since > limit;
	}
	return late;
}
