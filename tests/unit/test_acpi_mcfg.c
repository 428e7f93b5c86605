/*
 * test_acpi_mcfg.c — the MCFG parser on damaged and synthesized tables.
 *
 * The captured q35 MCFG (60 bytes) is the 44-byte fixed part and one
 * 16-byte allocation at 0x2c: base 0xb0000000, segment 0, buses 0-255.
 */
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "unit.h"

static struct acpi_info info;

static const char *mcfg_after(void (*damage)(struct fake_region *mcfg))
{
	parse_damaged(&info, "MCFG", damage);
	if (info.mcfg.status.state == ACPI_REJECTED)
		CHECK_EQ(info.mcfg.nsegments, 0);
	return info.mcfg.status.state == ACPI_REJECTED ? info.mcfg.status.why : "not rejected";
}

static void flip_byte(struct fake_region *r) { r->bytes[0x30] ^= 0x80; }
static void partial_entry(struct fake_region *r) { set_length(r, 58); fake_resize(r, 58); }
static void shorter_than_fixed(struct fake_region *r) { set_length(r, 40); fake_resize(r, 40); }
static void reversed_buses(struct fake_region *r) { put8(r, 0x36, 10); put8(r, 0x37, 5); fix_checksum(r); }
static void no_entries(struct fake_region *r) { set_length(r, 44); fake_resize(r, 44); }

TEST(acpi_mcfg_damaged)
{
	struct fake_mem m;
	struct summary s;

	CHECK_STR(mcfg_after(flip_byte), "checksum mismatch");
	CHECK_STR(mcfg_after(partial_entry), "entry at offset 0x2c runs past the end");
	CHECK_STR(mcfg_after(shorter_than_fixed), "length 40 shorter than fixed part");
	CHECK_STR(mcfg_after(reversed_buses), "entry 0 has buses 10-5");
	CHECK_STR(mcfg_after(no_entries), "not rejected");
	CHECK_EQ(info.mcfg.nsegments, 0);

	fake_load(&m, acpi_q35_iommu);
	no_entries(fake_find(&m, "MCFG"));
	fake_parse(&m, &info);
	summarize(&info, &s);
	CHECK_STR(s.line[2], "acpi: MCFG no segments");
	fake_free(&m);
}

TEST(acpi_mcfg_too_many_segments)
{
	struct fake_mem m;
	struct fake_region *t;
	struct cursor c;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	t = new_table(&m, 0x1ffe7000, "MCFG", 44 + 6 * 16);
	set_rsdt_entry(&m, 3, 0x1ffe7000);
	c = (struct cursor){ t, 44 };
	for (unsigned i = 0; i < 6; i++) {
		c64(&c, 0xe0000000ull + ((uint64_t)i << 28));
		c16(&c, i);
		c8(&c, i == 1 ? 0x80 : 0);
		c8(&c, 0xff);
		c32(&c, 0);
	}
	fix_checksum(t);

	fake_parse(&m, &info);
	CHECK_EQ(info.mcfg.status.state, ACPI_PRESENT);
	CHECK_EQ(info.mcfg.nsegments, ACPI_MAX_SEGMENTS);
	CHECK_EQ(info.mcfg.status.dropped, 2);
	CHECK_EQ(info.mcfg.segment[1].segment, 1);
	CHECK_EQ(info.mcfg.segment[1].start_bus, 0x80);
	CHECK_EQ(info.mcfg.segment[3].ecam_base, 0x110000000ull);
	summarize(&info, &s);
	CHECK_STR(summary_line(&s, "MCFG"),
		  "acpi: MCFG ecam 0xe0000000 segment 0 buses 0-255, "
		  "ecam 0xf0000000 segment 1 buses 128-255, ecam 0x100000000 segment 2 buses 0-255, "
		  "ecam 0x110000000 segment 3 buses 0-255, 2 dropped");
	fake_free(&m);
}
