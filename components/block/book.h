/*
 * book.h — the block service's book of requests: what it must remember so
 * that a crash of the disk driver costs its clients nothing.
 *
 * Every request a client submits stays in the book until the driver reports
 * it finished.  When the driver restarts, everything it had been given is
 * given again to the new instance (at most BOOK_MAX_TRIES times in all);
 * completions that the old instance sent late, or twice, are recognised by
 * the driver generation they carry and dropped.
 *
 * Re-issuing is safe only if no client can observe it, and that needs one
 * rule about order: a request is handed to the driver only when no earlier
 * unfinished request overlaps it with a write on either side.  Without it,
 * a write W1 in flight at a crash could be issued again after a later,
 * overlapping write W2 had already been acknowledged, and W1's old data
 * would replace W2's: an acknowledged write lost.  With it, overlapping
 * writes reach the disk one at a time in the order clients submitted them,
 * and a re-issued write is the newest write to its sectors, so applying it
 * twice leaves exactly what applying it once would.  Reads that overlap
 * nothing pending go in parallel: all 32 of the driver's slots stay usable.
 *
 * Pure bookkeeping: no kernel calls, tested on the host (tests/unit/test_block_book.c).
 */
#ifndef COMPONENTS_BLOCK_BOOK_H
#define COMPONENTS_BLOCK_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#define BOOK_SLOTS     64
#define BOOK_MAX_TRIES 4       /* issues of one request, over driver restarts, before it fails */

enum book_state {
	BOOK_FREE,
	BOOK_WAITING,          /* in the book, not yet (or no longer) with the driver */
	BOOK_ISSUED,           /* with the driver generation `gen` */
	BOOK_DONE,             /* finished; `status` is the result, not yet taken by its client */
};

struct book_request {
	enum book_state state;
	bool write;
	uint64_t lba, count;
	uint64_t seq;          /* submission order */
	uint64_t gen;          /* driver generation it was issued to */
	unsigned tries;
	int64_t status;
	uint64_t client, cookie;   /* who asked, and their name for it: opaque here */
};

struct book {
	struct book_request slot[BOOK_SLOTS];
	uint64_t next_seq;
	uint64_t gen;          /* the current driver instance */
	unsigned count[BOOK_DONE + 1];  /* slots in each state */
	unsigned unfinished_writes;     /* writes waiting or issued: 0 means no request can conflict */
};

void book_init(struct book *b);

/* Enters a request; returns its slot, or E_BUSY when the book is full. */
int book_add(struct book *b, bool write, uint64_t lba, uint64_t count,
	     uint64_t client, uint64_t cookie);

/* The oldest waiting request that may go to the driver now, marked issued to
 * the current generation; -1 if none may.  */
int book_next(struct book *b);

/* Slot, if it waits and the ordering rule lets it go now, marked issued as book_next
 * would (its caller's own thread takes it to the driver); false otherwise. */
bool book_claim(struct book *b, int slot);

/* The driver refused to take slot for now (all its command slots busy):
 * it waits again, and this issue does not count as a try. */
void book_unissue(struct book *b, int slot);

/* The driver reports slot finished with status; completions for another
 * generation, or for a slot not issued, are ignored (returns false). */
bool book_complete(struct book *b, int slot, uint64_t gen, int64_t status);

/* A request that finished with a transient error (E_IO after the driver
 * reset its port) waits to be issued again, if it has tries left: true. */
bool book_retry(struct book *b, int slot);

/* The driver restarted: everything issued waits to be issued again, and a
 * request that has used up its tries is done with E_IO. */
void book_driver_restarted(struct book *b);

/* Takes a finished request's result and frees its slot. */
int64_t book_take(struct book *b, int slot);

/* Requests in each state (for status lines and the tests). */
unsigned book_count(const struct book *b, enum book_state s);

#endif
