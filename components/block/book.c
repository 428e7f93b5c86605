/*
 * book.c — the block service's book of requests (design in book.h).
 *
 * A linear scan of 64 slots per decision: the book is small and the driver
 * takes hundreds of microseconds per request, so clarity wins over an index.
 */
#include "components/block/book.h"

#include <pinfold/errors.h>
#include <string.h>

void book_init(struct book *b)
{
	memset(b, 0, sizeof *b);
	b->gen = 1;
}

int book_add(struct book *b, bool write, uint64_t lba, uint64_t count,
	     uint64_t client, uint64_t cookie)
{
	for (int i = 0; i < BOOK_SLOTS; i++) {
		struct book_request *r = &b->slot[i];
		if (r->state != BOOK_FREE)
			continue;
		*r = (struct book_request){
			.state = BOOK_WAITING, .write = write, .lba = lba, .count = count,
			.seq = b->next_seq++, .client = client, .cookie = cookie,
		};
		return i;
	}
	return E_BUSY;
}

static bool unfinished(const struct book_request *r)
{
	return r->state == BOOK_WAITING || r->state == BOOK_ISSUED;
}

/* Two requests conflict when their sectors overlap and one of them writes. */
static bool conflict(const struct book_request *a, const struct book_request *b)
{
	if (!a->write && !b->write)
		return false;
	return a->lba < b->lba + b->count && b->lba < a->lba + a->count;
}

/* No earlier unfinished request conflicts with r. */
static bool may_issue(const struct book *b, const struct book_request *r)
{
	for (int i = 0; i < BOOK_SLOTS; i++) {
		const struct book_request *o = &b->slot[i];
		if (o != r && unfinished(o) && o->seq < r->seq && conflict(o, r))
			return false;
	}
	return true;
}

int book_next(struct book *b)
{
	int best = -1;
	for (int i = 0; i < BOOK_SLOTS; i++) {
		struct book_request *r = &b->slot[i];
		if (r->state != BOOK_WAITING || !may_issue(b, r))
			continue;
		if (best < 0 || r->seq < b->slot[best].seq)
			best = i;
	}
	if (best >= 0) {
		b->slot[best].state = BOOK_ISSUED;
		b->slot[best].gen = b->gen;
		b->slot[best].tries++;
	}
	return best;
}

void book_unissue(struct book *b, int slot)
{
	if (slot < 0 || slot >= BOOK_SLOTS || b->slot[slot].state != BOOK_ISSUED)
		return;
	b->slot[slot].state = BOOK_WAITING;
	b->slot[slot].tries--;
}

bool book_complete(struct book *b, int slot, uint64_t gen, int64_t status)
{
	if (slot < 0 || slot >= BOOK_SLOTS)
		return false;
	struct book_request *r = &b->slot[slot];
	if (r->state != BOOK_ISSUED || r->gen != gen)
		return false;
	r->state = BOOK_DONE;
	r->status = status;
	return true;
}

void book_driver_restarted(struct book *b)
{
	b->gen++;
	for (int i = 0; i < BOOK_SLOTS; i++) {
		struct book_request *r = &b->slot[i];
		if (r->state != BOOK_ISSUED)
			continue;
		if (r->tries >= BOOK_MAX_TRIES) {
			r->state = BOOK_DONE;
			r->status = E_IO;
		} else {
			r->state = BOOK_WAITING;
		}
	}
}

int64_t book_take(struct book *b, int slot)
{
	if (slot < 0 || slot >= BOOK_SLOTS || b->slot[slot].state != BOOK_DONE)
		return E_INVAL;
	int64_t status = b->slot[slot].status;
	b->slot[slot].state = BOOK_FREE;
	return status;
}

unsigned book_count(const struct book *b, enum book_state s)
{
	unsigned n = 0;
	for (int i = 0; i < BOOK_SLOTS; i++)
		n += b->slot[i].state == s;
	return n;
}
