/*
 * test_ioapic_rte.c — the kernel's check of a remappable IOAPIC RTE
 * (kernel/x86/rte.h), against what the chipset's encoder builds
 * (components/chipset/vtd.c): the two must agree on every line the chipset
 * remaps, and the kernel must refuse anything else before it writes it.
 */
#include "unit.h"

#include "components/chipset/vtd.h"
#include "kernel/x86/rte.h"

TEST(rte_route_bits_layout)
{
	CHECK_EQ(rte_route_bits(0x34, false, false), 0x34);
	CHECK_EQ(rte_route_bits(0x30, true, false), 0x8030);          /* trigger mode 15 */
	CHECK_EQ(rte_route_bits(0x30, false, true), 0x2030);          /* polarity 13 */
	CHECK_EQ(RTE_MASKED, 0x10000);
}

TEST(rte_accepts_what_the_chipset_builds)
{
	for (unsigned gsi = 0; gsi < 24; gsi++)
		for (unsigned flags = 0; flags < 4; flags++) {
			bool level = flags & 1, low = flags & 2;
			uint8_t vector = (uint8_t)(0x30 + gsi);
			uint64_t rte = vtd_ioapic_rte_remappable((uint16_t)(128 + gsi), vector, level, low);
			CHECK(rte_remappable_ok(rte, vector, level, low));
			CHECK(rte_remappable_ok(rte | RTE_MASKED, vector, level, low));   /* the mask is the kernel's */
		}
	CHECK(rte_remappable_ok(vtd_ioapic_rte_remappable(0xffff, 0x40, false, false), 0x40, false, false));
	CHECK(rte_remappable_ok(vtd_ioapic_rte_remappable(0, 0x40, false, false), 0x40, false, false));
}

TEST(rte_refuses_anything_else)
{
	uint64_t good = vtd_ioapic_rte_remappable(132, 0x34, false, false);
	CHECK(rte_remappable_ok(good, 0x34, false, false));
	CHECK(!rte_remappable_ok(good & ~RTE_REMAPPABLE, 0x34, false, false));     /* old format */
	CHECK(!rte_remappable_ok(0x34, 0x34, false, false));
	CHECK(!rte_remappable_ok(good, 0x35, false, false));                       /* another vector */
	CHECK(!rte_remappable_ok(good, 0x34, true, false));                        /* the pin is level */
	CHECK(!rte_remappable_ok(good, 0x34, false, true));                        /* the pin is active low */
	CHECK(!rte_remappable_ok(good | RTE_LEVEL, 0x34, false, false));
	CHECK(!rte_remappable_ok(good | RTE_ACTIVE_LOW, 0x34, false, false));
	/* Delivery modes other than fixed (NMI is 100 in 10:8), the read-only bits 12 and 14,
	 * and every reserved bit of 47:17. */
	for (unsigned bit = 8; bit <= 10; bit++)
		CHECK(!rte_remappable_ok(good | 1ull << bit, 0x34, false, false));
	CHECK(!rte_remappable_ok(good | 1ull << 12, 0x34, false, false));
	CHECK(!rte_remappable_ok(good | 1ull << 14, 0x34, false, false));
	for (unsigned bit = 17; bit <= 47; bit++)
		CHECK(!rte_remappable_ok(good | 1ull << bit, 0x34, false, false));
}
