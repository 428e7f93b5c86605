/*
 * test_pins.c — the kernel's record of a component's DMA pins
 * (kernel/component/pins.c).
 *
 * The record's frames come from a fake frame allocator: malloc'd pages
 * whose "physical address" is chosen so that the kernel's direct map
 * (phys_to_virt) leads back to them.  It counts frames out, so a frame the
 * list forgets to give back shows.
 */
#include "unit.h"
#include "host.h"

#include <string.h>

#include <pinfold/errors.h>

#include "kernel/component/pins.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/vm.h"

static int frames_out;

phys_addr frame_alloc(void)
{
	void *page = aligned_alloc(4096, 4096);
	memset(page, 0, 4096);
	frames_out++;
	return (uint64_t)page - DIRECT_MAP_BASE;
}

void frame_free(phys_addr frame)
{
	free(phys_to_virt(frame));
	frames_out--;
}

#define VA(n) (0x1000000000ull + (uint64_t)(n) * 4096)
#define PA(n) (0x200000ull + (uint64_t)(n) * 4096)

TEST(pins_record_and_read_back_in_order)
{
	struct pin_list l = { 0 };
	struct pin_record r;

	frames_out = 0;
	for (unsigned n = 0; n < 600; n++)
		CHECK_EQ(pins_add(&l, VA(n) | (n % 2 ? DMA_PIN_WRITE : 0) | (n == 0 ? DMA_PIN_RANGE_START : 0), PA(n)), 0);
	CHECK_EQ(l.count, 600);
	CHECK_EQ(frames_out, 3);        /* 256 records a frame */
	for (unsigned n = 0; n < 600; n++) {
		CHECK(pins_get(&l, n, &r));
		CHECK_EQ(r.va_flags & ~0xfffull, VA(n));
		CHECK_EQ(r.pa, PA(n));
	}
	CHECK(!pins_get(&l, 600, &r));
	CHECK(pins_get(&l, 0, &r));     /* backwards after forwards */
	CHECK_EQ(r.va_flags, VA(0) | DMA_PIN_RANGE_START);
	/* A removal names page and frame; flags do not matter; a wrong pair is not there. */
	CHECK(!pins_remove(&l, VA(1), PA(2)));
	CHECK(!pins_remove(&l, VA(700), PA(700)));
	CHECK(pins_remove(&l, VA(1), PA(1)));
	CHECK(!pins_remove(&l, VA(1), PA(1)));
	CHECK_EQ(l.count, 599);
	CHECK(pins_get(&l, 1, &r));
	CHECK_EQ(r.pa, PA(2));          /* the hole is skipped */
	/* Everything goes, in order: every frame comes back. */
	for (unsigned n = 0; n < 600; n++)
		CHECK_EQ(pins_remove(&l, VA(n), PA(n)), n != 1);
	CHECK_EQ(l.count, 0);
	CHECK_EQ(frames_out, 0);
}

TEST(pins_survive_removal_in_any_order)
{
	struct pin_list l = { 0 };
	struct pin_record r;
	unsigned order[1000];
	bool gone[1000] = { false };

	frames_out = 0;
	for (unsigned n = 0; n < 1000; n++) {
		CHECK_EQ(pins_add(&l, VA(n), PA(n)), 0);
		order[n] = n;
	}
	srand(5);
	for (unsigned n = 999; n > 0; n--) {
		unsigned k = (unsigned)rand() % (n + 1), t = order[n];
		order[n] = order[k];
		order[k] = t;
	}
	for (unsigned i = 0; i < 1000; i++) {
		CHECK(pins_remove(&l, VA(order[i]), PA(order[i])));
		gone[order[i]] = true;
		if (i % 97 == 0) {
			/* What is left reads back in the order it was added, each record once. */
			uint64_t last = 0;
			for (unsigned n = 0; n < l.count; n++) {
				CHECK(pins_get(&l, n, &r));
				CHECK(r.va_flags > last && !gone[(r.va_flags - VA(0)) / 4096]);
				last = r.va_flags;
			}
			CHECK(!pins_get(&l, l.count, &r));
		}
	}
	CHECK_EQ(l.count, 0);
	CHECK_EQ(frames_out, 0);
}

TEST(pins_limit_and_bad_input)
{
	struct pin_list l = { 0 };

	frames_out = 0;
	CHECK_EQ(pins_add(&l, VA(0), 0), E_INVAL);       /* frame 0 marks holes */
	for (unsigned n = 0; n < PIN_FRAMES_MAX * PIN_RECORDS_PER_FRAME; n++)
		CHECK_EQ(pins_add(&l, VA(n), PA(n)), 0);
	CHECK_EQ(pins_add(&l, VA(9999), PA(9999)), E_LIMIT);
	/* A hole makes room again (the list compacts when it is full). */
	CHECK(pins_remove(&l, VA(17), PA(17)));
	CHECK_EQ(pins_add(&l, VA(9999), PA(9999)), 0);
	CHECK_EQ(pins_add(&l, VA(10000), PA(10000)), E_LIMIT);
	for (unsigned n = 0; n < PIN_FRAMES_MAX * PIN_RECORDS_PER_FRAME; n++)
		pins_remove(&l, VA(n), PA(n));
	CHECK(pins_remove(&l, VA(9999), PA(9999)));
	CHECK_EQ(l.count, 0);
	CHECK_EQ(frames_out, 0);
}
