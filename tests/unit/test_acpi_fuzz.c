/*
 * test_acpi_fuzz.c — thousands of randomly damaged copies of the q35 tables.
 *
 * The hand-written tests name each kind of damage; this one throws random
 * bytes at the RSDP, the RSDT and the three parsed tables (usually with the
 * checksum fixed afterwards, so the parsers see the garbage rather than
 * stopping at the checksum) and checks only what must always hold: no
 * sanitizer report, counts within the arrays, and a well-formed summary.
 * The generator is seeded, so a failure reproduces.
 */
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "tests/unit/random.h"
#include "unit.h"

static struct acpi_info info;
static uint32_t seed = 0x9e3779b9;

static uint32_t rnd(void)
{
	return xorshift32(&seed);
}

/* Mostly values that matter to parsers: 0, 1, small lengths, all-ones. */
static uint8_t nasty_byte(void)
{
	static const uint8_t v[] = { 0, 1, 2, 5, 6, 7, 8, 9, 0x10, 0x30, 0x7f, 0x80, 0xfe, 0xff };
	return rnd() % 2 ? v[rnd() % sizeof(v)] : (uint8_t)rnd();
}

static void damage(struct fake_mem *m)
{
	static const char *const targets[] = { "RSDP", "RSDT", "APIC", "MCFG", "DMAR" };
	struct fake_region *r = fake_find(m, targets[rnd() % 5]);
	unsigned flips = 1 + rnd() % 4;
	bool rsdp = r == &m->r[0];

	if (!rsdp && rnd() % 8 == 0) {
		uint32_t len = rnd() % (r->len + 1);
		fake_resize(r, len);
		if (len >= 8)
			put32(r, 4, len);
	}
	for (unsigned i = 0; i < flips && r->len; i++)
		r->bytes[rnd() % r->len] = nasty_byte();
	if (rnd() % 8 == 0)
		return;			/* leave the checksum wrong */
	if (rsdp)
		fix_rsdp(r);
	else if (r->len >= 10)
		fix_checksum(r);
}

static bool summary_ok(const struct summary *s)
{
	if (s->n < 4)
		return false;
	for (int i = 0; i < s->n; i++)
		if (strncmp(s->line[i], "acpi: ", 6) != 0 || strlen(s->line[i]) > 255 ||
		    (!strstr(s->line[i], " absent") && !strstr(s->line[i], " rejected: ") &&
		     i > 3))
			return false;
	return true;
}

TEST(acpi_fuzz_random_damage)
{
	struct fake_mem m;
	struct summary s;
	unsigned bad = 0, rejected = 0;

	for (unsigned iter = 0; iter < 4000; iter++) {
		fake_load(&m, acpi_q35_iommu);
		damage(&m);
		fake_parse(&m, &info);
		summarize(&info, &s);
		if (info.madt.ncpus > ACPI_MAX_CPUS || info.madt.nioapics > ACPI_MAX_IOAPICS ||
		    info.madt.noverrides > ACPI_MAX_OVERRIDES ||
		    info.mcfg.nsegments > ACPI_MAX_SEGMENTS ||
		    info.dmar.nunits > ACPI_MAX_DMAR_UNITS || info.dmar.nrmrrs > ACPI_MAX_RMRRS ||
		    !summary_ok(&s)) {
			if (bad++ == 0)
				unit_fail(__FILE__, __LINE__, "iteration %u: %s", iter, s.line[0]);
		}
		for (unsigned u = 0; u < info.dmar.nunits && u < ACPI_MAX_DMAR_UNITS; u++)
			if (info.dmar.unit[u].nscopes > ACPI_MAX_SCOPES)
				bad++;
		rejected += info.root.state != ACPI_PRESENT ||
			    info.madt.status.state == ACPI_REJECTED ||
			    info.mcfg.status.state == ACPI_REJECTED ||
			    info.dmar.status.state == ACPI_REJECTED;
		fake_free(&m);
	}
	CHECK_EQ(bad, 0);
	/* The damage must actually reach the checks (not all be harmless). */
	CHECK(rejected > 1000);
}
