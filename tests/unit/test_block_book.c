/*
 * test_block_book.c — the block service's book of requests (components/block/book.c):
 * re-issue over driver restarts, stale completions, and the order rule that keeps
 * an acknowledged write from being overwritten by an older one issued again.
 */
#include "unit.h"

#include <pinfold/errors.h>

#include "components/block/book.h"

static struct book b;

TEST(book_issues_in_submission_order)
{
	book_init(&b);
	int r1 = book_add(&b, false, 0, 8, 1, 101);
	int r2 = book_add(&b, false, 100, 8, 1, 102);
	CHECK(r1 >= 0 && r2 >= 0 && r1 != r2);
	CHECK_EQ(book_next(&b), r1);
	CHECK_EQ(book_next(&b), r2);
	CHECK_EQ(book_next(&b), -1);
	CHECK_EQ(book_count(&b, BOOK_ISSUED), 2);
	CHECK(book_complete(&b, r2, b.gen, 0));
	CHECK_EQ(book_take(&b, r2), 0);
	CHECK_EQ(book_count(&b, BOOK_FREE), BOOK_SLOTS - 1);
}

TEST(book_overlapping_reads_go_together)
{
	book_init(&b);
	int r1 = book_add(&b, false, 0, 8, 1, 1);
	int r2 = book_add(&b, false, 4, 8, 2, 2);
	CHECK_EQ(book_next(&b), r1);
	CHECK_EQ(book_next(&b), r2);
}

TEST(book_holds_a_request_that_overlaps_an_earlier_write)
{
	book_init(&b);
	int w1 = book_add(&b, true, 10, 4, 1, 1);
	int w2 = book_add(&b, true, 12, 4, 2, 2);     /* overlaps w1 at 12, 13 */
	int rd = book_add(&b, false, 13, 1, 3, 3);    /* overlaps both */
	int other = book_add(&b, false, 14, 10, 3, 4);/* overlaps w2 only */
	int far = book_add(&b, true, 100, 1, 3, 5);   /* overlaps nothing */
	CHECK_EQ(book_next(&b), w1);
	CHECK_EQ(book_next(&b), far);                 /* passes the held ones */
	CHECK_EQ(book_next(&b), -1);
	CHECK(book_complete(&b, w1, b.gen, 0));
	CHECK_EQ(book_next(&b), w2);
	CHECK_EQ(book_next(&b), -1);                  /* rd and other wait for w2 */
	CHECK(book_complete(&b, w2, b.gen, 0));
	CHECK_EQ(book_next(&b), rd);
	CHECK_EQ(book_next(&b), other);
}

TEST(book_write_after_read_waits_for_the_read)
{
	book_init(&b);
	int rd = book_add(&b, false, 0, 8, 1, 1);
	int wr = book_add(&b, true, 7, 1, 2, 2);
	CHECK_EQ(book_next(&b), rd);
	CHECK_EQ(book_next(&b), -1);
	CHECK(book_complete(&b, rd, b.gen, 0));
	CHECK_EQ(book_next(&b), wr);
}

TEST(book_restart_reissues_what_the_driver_had)
{
	book_init(&b);
	int r1 = book_add(&b, true, 0, 1, 1, 1);
	int r2 = book_add(&b, false, 50, 1, 1, 2);
	int r3 = book_add(&b, false, 60, 1, 1, 3);
	CHECK_EQ(book_next(&b), r1);
	CHECK_EQ(book_next(&b), r2);
	uint64_t old = b.gen;
	CHECK(book_complete(&b, r2, old, 0));         /* finished before the crash: kept */
	book_driver_restarted(&b);
	CHECK(b.gen != old);
	CHECK_EQ(book_count(&b, BOOK_WAITING), 2);    /* r1 again, and r3 never issued */
	CHECK_EQ(book_next(&b), r1);
	CHECK_EQ(book_next(&b), r3);
	/* The old instance's late completion of r1 is not the new one's. */
	CHECK(!book_complete(&b, r1, old, 0));
	CHECK_EQ(b.slot[r1].state, BOOK_ISSUED);
	CHECK(book_complete(&b, r1, b.gen, 0));
	CHECK(!book_complete(&b, r1, b.gen, 0));      /* nor twice */
	CHECK_EQ(book_take(&b, r1), 0);
	CHECK_EQ(book_take(&b, r2), 0);
}

/* W1 in flight, W2 (overlapping, later) held; crash; W1 goes again first, then W2:
 * the disk ends with W2's data whatever W1 had done before the crash. */
TEST(book_reissued_write_never_follows_a_later_overlapping_one)
{
	book_init(&b);
	int w1 = book_add(&b, true, 5, 2, 1, 1);
	int w2 = book_add(&b, true, 6, 2, 2, 2);
	CHECK_EQ(book_next(&b), w1);
	CHECK_EQ(book_next(&b), -1);
	book_driver_restarted(&b);
	CHECK_EQ(book_next(&b), w1);
	CHECK_EQ(book_next(&b), -1);
	CHECK(book_complete(&b, w1, b.gen, 0));
	CHECK_EQ(book_next(&b), w2);
}

TEST(book_gives_up_after_max_tries)
{
	book_init(&b);
	int r = book_add(&b, false, 0, 1, 1, 1);
	for (int i = 0; i < BOOK_MAX_TRIES; i++) {
		CHECK_EQ(book_next(&b), r);
		book_driver_restarted(&b);
	}
	CHECK_EQ(b.slot[r].state, BOOK_DONE);
	CHECK_EQ(book_next(&b), -1);
	CHECK_EQ(book_take(&b, r), E_IO);
	CHECK_EQ(book_count(&b, BOOK_FREE), BOOK_SLOTS);
}

TEST(book_full_and_bad_slots)
{
	book_init(&b);
	for (int i = 0; i < BOOK_SLOTS; i++)
		CHECK(book_add(&b, false, i, 1, 1, i) >= 0);
	CHECK_EQ(book_add(&b, false, 0, 1, 1, 0), E_BUSY);
	CHECK(!book_complete(&b, -1, b.gen, 0));
	CHECK(!book_complete(&b, BOOK_SLOTS, b.gen, 0));
	CHECK(!book_complete(&b, 0, b.gen, 0));       /* waiting, not issued */
	CHECK_EQ(book_take(&b, 0), E_INVAL);          /* not done */
	CHECK_EQ(book_take(&b, BOOK_SLOTS), E_INVAL);
}

TEST(book_unissued_request_waits_again_without_using_a_try)
{
	book_init(&b);
	int r = book_add(&b, true, 0, 8, 1, 1);
	for (int i = 0; i < BOOK_MAX_TRIES + 2; i++) {
		CHECK_EQ(book_next(&b), r);
		book_unissue(&b, r);
		CHECK_EQ(book_count(&b, BOOK_WAITING), 1);
	}
	CHECK_EQ(book_next(&b), r);
	book_driver_restarted(&b);      /* one try used: it is issued again, not failed */
	CHECK_EQ(book_count(&b, BOOK_WAITING), 1);
	book_unissue(&b, r);            /* not issued: nothing changes */
	CHECK_EQ(book_count(&b, BOOK_WAITING), 1);
}

/* The counts the book keeps as states change agree with a scan of the slots, through
 * any sequence of the operations the engine does. */
static void check_counts(void)
{
	unsigned n[BOOK_DONE + 1] = { 0 }, writes = 0;
	for (int i = 0; i < BOOK_SLOTS; i++) {
		n[b.slot[i].state]++;
		writes += b.slot[i].write && (b.slot[i].state == BOOK_WAITING || b.slot[i].state == BOOK_ISSUED);
	}
	for (int s = BOOK_FREE; s <= BOOK_DONE; s++)
		CHECK_EQ(book_count(&b, (enum book_state)s), n[s]);
	CHECK_EQ(b.unfinished_writes, writes);
}

TEST(book_counts_stay_true_through_random_operations)
{
	book_init(&b);
	uint64_t x = 12345;
	for (int step = 0; step < 20000; step++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		int slot = (int)(x >> 33) % BOOK_SLOTS;
		switch ((x >> 20) % 6) {
		case 0:
		case 1:
			book_add(&b, (x >> 40) & 1, (x >> 41) % 64, 1 + (x >> 50) % 8, 1, 0);
			break;
		case 2:
			book_next(&b);
			break;
		case 3:
			book_complete(&b, slot, b.gen, 0);
			break;
		case 4:
			if ((x >> 45) % 8 == 0)
				book_driver_restarted(&b);
			else
				book_unissue(&b, slot);
			break;
		default:
			book_take(&b, slot);
		}
		check_counts();
	}
	CHECK(book_count(&b, BOOK_FREE) < BOOK_SLOTS);  /* the walk did fill the book */
}

TEST(book_claim_takes_one_request_only_when_the_order_allows)
{
	book_init(&b);
	int w = book_add(&b, true, 10, 8, 1, 1);
	int r = book_add(&b, false, 12, 1, 2, 2);       /* overlaps the earlier write */
	int far = book_add(&b, false, 500, 1, 3, 3);
	CHECK(!book_claim(&b, r));                      /* must wait for the write */
	CHECK(book_claim(&b, far));                     /* nothing earlier overlaps it */
	CHECK(!book_claim(&b, far));                    /* issued already */
	CHECK_EQ(book_count(&b, BOOK_ISSUED), 1);
	CHECK_EQ(book_next(&b), w);                     /* book_next does not see the claimed one */
	CHECK_EQ(book_next(&b), -1);
	CHECK(book_complete(&b, w, b.gen, 0));
	CHECK(book_claim(&b, r));
	CHECK(!book_claim(&b, -1) && !book_claim(&b, BOOK_SLOTS));
	book_driver_restarted(&b);                      /* a claimed request is issued again like any */
	CHECK_EQ(book_count(&b, BOOK_WAITING), 2);
}

TEST(book_retry_issues_a_failed_request_again_while_it_has_tries)
{
	book_init(&b);
	int r = book_add(&b, false, 0, 8, 1, 1);
	for (int i = 0; i < BOOK_MAX_TRIES; i++) {
		CHECK_EQ(book_next(&b), r);
		CHECK(book_complete(&b, r, b.gen, E_IO));
		CHECK(book_retry(&b, r) == (i + 1 < BOOK_MAX_TRIES));
	}
	CHECK_EQ(book_take(&b, r), E_IO);               /* its tries used up: the error stands */
	CHECK(!book_retry(&b, r));                      /* a free slot is not retried */
}
