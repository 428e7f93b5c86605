/*
 * book.c — the block service's book of requests (design in book.h).
 *
 * A linear scan of 64 slots per decision: the book is small, so clarity wins
 * over an index.  Only the counts are kept as the states change (set_state),
 * because the engine asks for them several times a request, and the
 * ordering rule is skipped while no write is unfinished: at queue depth 32
 * the quadratic check otherwise cost more than the rest of a request.
 */
#include "components/block/book.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <string.h>

void book_init(struct book *b)
{
	memset(b, 0, sizeof *b);
	b->gen = 1;
	b->count[BOOK_FREE] = BOOK_SLOTS;
}

static bool unfinished(const struct book_request *r)
{
	return r->state == BOOK_WAITING || r->state == BOOK_ISSUED;
}

/* Every change of a slot's state goes through here, so the counts stay true. */
static void set_state(struct book *b, struct book_request *r, enum book_state s)
{
	if (r->write && unfinished(r))
		b->unfinished_writes--;
	b->count[r->state]--;
	r->state = s;
	b->count[s]++;
	if (r->write && unfinished(r))
		b->unfinished_writes++;
}

HOT int book_add(struct book *b, bool write, uint64_t lba, uint64_t count,
	     uint64_t client, uint64_t cookie)
{
	for (int i = 0; i < BOOK_SLOTS; i++) {
		struct book_request *r = &b->slot[i];
		if (r->state != BOOK_FREE)
			continue;
		*r = (struct book_request){
			.state = BOOK_FREE, .write = write, .lba = lba, .count = count,
			.seq = b->next_seq++, .client = client, .cookie = cookie,
		};
		set_state(b, r, BOOK_WAITING);
		return i;
	}
	return E_BUSY;
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
	if (b->unfinished_writes == 0)
		return true;
	for (int i = 0; i < BOOK_SLOTS; i++) {
		const struct book_request *o = &b->slot[i];
		if (o != r && unfinished(o) && o->seq < r->seq && conflict(o, r))
			return false;
	}
	return true;
}

static void issue(struct book *b, struct book_request *r)
{
	set_state(b, r, BOOK_ISSUED);
	r->gen = b->gen;
	r->tries++;
}

int book_next(struct book *b)
{
	int best = -1;
	for (int i = 0; i < BOOK_SLOTS && b->count[BOOK_WAITING]; i++) {
		struct book_request *r = &b->slot[i];
		if (r->state != BOOK_WAITING || !may_issue(b, r))
			continue;
		if (best < 0 || r->seq < b->slot[best].seq)
			best = i;
	}
	if (best >= 0)
		issue(b, &b->slot[best]);
	return best;
}

HOT bool book_claim(struct book *b, int slot)
{
	if (slot < 0 || slot >= BOOK_SLOTS || b->slot[slot].state != BOOK_WAITING || !may_issue(b, &b->slot[slot]))
		return false;
	issue(b, &b->slot[slot]);
	return true;
}

void book_unissue(struct book *b, int slot)
{
	if (slot < 0 || slot >= BOOK_SLOTS || b->slot[slot].state != BOOK_ISSUED)
		return;
	set_state(b, &b->slot[slot], BOOK_WAITING);
	b->slot[slot].tries--;
}

HOT bool book_complete(struct book *b, int slot, uint64_t gen, int64_t status)
{
	if (slot < 0 || slot >= BOOK_SLOTS)
		return false;
	struct book_request *r = &b->slot[slot];
	if (r->state != BOOK_ISSUED || r->gen != gen)
		return false;
	set_state(b, r, BOOK_DONE);
	r->status = status;
	return true;
}

bool book_retry(struct book *b, int slot)
{
	if (slot < 0 || slot >= BOOK_SLOTS || b->slot[slot].state != BOOK_DONE ||
	    b->slot[slot].tries >= BOOK_MAX_TRIES)
		return false;
	set_state(b, &b->slot[slot], BOOK_WAITING);
	b->slot[slot].status = 0;
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
			set_state(b, r, BOOK_DONE);
			r->status = E_IO;
		} else {
			set_state(b, r, BOOK_WAITING);
		}
	}
}

HOT int64_t book_take(struct book *b, int slot)
{
	if (slot < 0 || slot >= BOOK_SLOTS || b->slot[slot].state != BOOK_DONE)
		return E_INVAL;
	int64_t status = b->slot[slot].status;
	set_state(b, &b->slot[slot], BOOK_FREE);
	return status;
}

unsigned book_count(const struct book *b, enum book_state s)
{
	return (unsigned)s <= BOOK_DONE ? b->count[s] : 0;
}
