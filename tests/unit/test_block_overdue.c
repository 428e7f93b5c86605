/*
 * test_block_overdue.c — block's supervision of the disk driver
 * (components/block/overdue.c): a request the driver holds, as the same issue,
 * for longer than the limit is overdue; one that finishes, goes back to wait,
 * or is issued again (a retry, a new driver instance) starts a new count.
 */
#include "unit.h"

#include <pinfold/errors.h>

#include "components/block/book.h"
#include "components/block/overdue.h"

#define LIMIT 1000

static struct book b;
static struct overdue o;

TEST(overdue_only_after_the_limit_of_one_issue)
{
	book_init(&b);
	overdue_init(&o);
	int r = book_add(&b, false, 0, 8, 1, 1);
	CHECK_EQ(book_next(&b), r);
	CHECK(!overdue_sweep(&o, &b, 5000, LIMIT));             /* first seen at 5000 */
	CHECK(!overdue_sweep(&o, &b, 5000 + LIMIT, LIMIT));     /* exactly the limit: not yet */
	CHECK(overdue_sweep(&o, &b, 5000 + LIMIT + 1, LIMIT));
	CHECK(overdue_sweep(&o, &b, 9000, LIMIT));              /* and so it stays */
}

TEST(overdue_idle_driver_and_finished_requests_are_never_late)
{
	book_init(&b);
	overdue_init(&o);
	CHECK(!overdue_sweep(&o, &b, 0, LIMIT));
	CHECK(!overdue_sweep(&o, &b, 100 * LIMIT, LIMIT));
	int r = book_add(&b, false, 0, 8, 1, 1);
	CHECK(!overdue_sweep(&o, &b, 100 * LIMIT, LIMIT));      /* waiting in the book: not the driver's */
	CHECK_EQ(book_next(&b), r);
	CHECK(!overdue_sweep(&o, &b, 200 * LIMIT, LIMIT));
	CHECK(book_complete(&b, r, b.gen, 0));
	CHECK(!overdue_sweep(&o, &b, 300 * LIMIT, LIMIT));
	/* The slot's next request is a new one: counted from when it is first seen. */
	CHECK_EQ(book_take(&b, r), 0);
	int r2 = book_add(&b, false, 0, 8, 1, 2);
	CHECK_EQ(r2, r);
	CHECK_EQ(book_next(&b), r2);
	CHECK(!overdue_sweep(&o, &b, 300 * LIMIT + 10, LIMIT));
	CHECK(!overdue_sweep(&o, &b, 301 * LIMIT + 10, LIMIT));
	CHECK(overdue_sweep(&o, &b, 301 * LIMIT + 11, LIMIT));
}

TEST(overdue_a_new_issue_starts_a_new_count)
{
	book_init(&b);
	overdue_init(&o);
	int r = book_add(&b, true, 0, 8, 1, 1);
	CHECK_EQ(book_next(&b), r);
	CHECK(!overdue_sweep(&o, &b, 0, LIMIT));
	/* The driver restarted: the request is issued again, to the new generation. */
	book_driver_restarted(&b);
	CHECK_EQ(book_next(&b), r);
	CHECK(!overdue_sweep(&o, &b, LIMIT + 1, LIMIT));
	CHECK(!overdue_sweep(&o, &b, 2 * LIMIT + 1, LIMIT));
	/* The driver failed it with E_IO and block retries it: another new issue. */
	CHECK(book_complete(&b, r, b.gen, E_IO));
	CHECK(book_retry(&b, r));
	CHECK_EQ(book_next(&b), r);
	CHECK(!overdue_sweep(&o, &b, 2 * LIMIT + 2, LIMIT));
	CHECK(overdue_sweep(&o, &b, 3 * LIMIT + 3, LIMIT));
}

TEST(overdue_one_late_request_among_many)
{
	book_init(&b);
	overdue_init(&o);
	int slots[8];
	for (int i = 0; i < 8; i++) {
		slots[i] = book_add(&b, false, (uint64_t)i * 100, 8, 1, (uint64_t)i);
		CHECK_EQ(book_next(&b), slots[i]);
	}
	CHECK(!overdue_sweep(&o, &b, 0, LIMIT));
	/* All but the fifth finish, and new ones take their places, over and over. */
	for (uint64_t t = 100; t <= LIMIT; t += 100) {
		for (int i = 0; i < 8; i++) {
			if (i == 4)
				continue;
			CHECK(book_complete(&b, slots[i], b.gen, 0));
			CHECK_EQ(book_take(&b, slots[i]), 0);
			slots[i] = book_add(&b, false, (uint64_t)i * 100, 8, 1, t + (uint64_t)i);
			CHECK_EQ(book_next(&b), slots[i]);
		}
		CHECK(!overdue_sweep(&o, &b, t, LIMIT));
	}
	CHECK(overdue_sweep(&o, &b, LIMIT + 1, LIMIT));
}
