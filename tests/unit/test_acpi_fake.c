/*
 * test_acpi_fake.c — the fake physical memory of test_acpi.h.
 *
 * Pinfold's libc has no allocator; the host's malloc is declared here by
 * hand, so that each region is its own block with ASan red zones around it.
 */
#include <stddef.h>
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "unit.h"

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void free(void *p);

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	struct fake_mem *m = ctx;

	for (unsigned i = 0; i < m->n; i++) {
		const struct fake_region *r = &m->r[i];
		if (phys >= r->phys && len <= r->len && phys - r->phys <= r->len - len)
			return r->bytes + (phys - r->phys);
	}
	return NULL;
}

struct fake_region *fake_add(struct fake_mem *m, uint64_t phys, const void *bytes,
			     uint32_t len, const char *sig)
{
	struct fake_region *r;

	if (m->n == 0) {
		m->mem.map = fake_map;
		m->mem.ctx = m;
	}
	if (m->n == FAKE_MAX_REGIONS) {
		unit_fail(__FILE__, __LINE__, "fake memory full");
		return &m->r[0];
	}
	r = &m->r[m->n++];
	r->phys = phys;
	r->len = len;
	r->bytes = calloc(1, len ? len : 1);
	if (bytes)
		memcpy(r->bytes, bytes, len);
	strlcpy(r->sig, sig, sizeof(r->sig));
	return r;
}

void fake_load(struct fake_mem *m, const struct acpi_blob *capture)
{
	memset(m, 0, sizeof(*m));
	for (const struct acpi_blob *b = capture; b->len; b++)
		fake_add(m, b->phys, b->bytes, b->len, b->sig);
}

void fake_free(struct fake_mem *m)
{
	for (unsigned i = 0; i < m->n; i++)
		free(m->r[i].bytes);
	m->n = 0;
}

struct fake_region *fake_find(struct fake_mem *m, const char *sig)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->r[i].sig, sig) == 0)
			return &m->r[i];
	unit_fail(__FILE__, __LINE__, "no region %s", sig);
	return &m->r[0];
}

void fake_resize(struct fake_region *r, uint32_t len)
{
	uint8_t *b = calloc(1, len ? len : 1);

	memcpy(b, r->bytes, len < r->len ? len : r->len);
	free(r->bytes);
	r->bytes = b;
	r->len = len;
}

static uint8_t *at(struct fake_region *r, uint32_t off, uint32_t size)
{
	static uint8_t sink[8];

	if (off > r->len || size > r->len - off) {
		unit_fail(__FILE__, __LINE__, "store at %s+0x%x out of range", r->sig, (unsigned)off);
		return sink;
	}
	return r->bytes + off;
}

void put8(struct fake_region *r, uint32_t off, uint8_t v) { memcpy(at(r, off, 1), &v, 1); }
void put16(struct fake_region *r, uint32_t off, uint16_t v) { memcpy(at(r, off, 2), &v, 2); }
void put32(struct fake_region *r, uint32_t off, uint32_t v) { memcpy(at(r, off, 4), &v, 4); }
void put64(struct fake_region *r, uint32_t off, uint64_t v) { memcpy(at(r, off, 8), &v, 8); }

uint32_t get32(const struct fake_region *r, uint32_t off)
{
	uint32_t v;
	memcpy(&v, at((struct fake_region *)r, off, 4), 4);
	return v;
}

void c8(struct cursor *c, uint8_t v) { put8(c->r, c->off, v); c->off += 1; }
void c16(struct cursor *c, uint16_t v) { put16(c->r, c->off, v); c->off += 2; }
void c32(struct cursor *c, uint32_t v) { put32(c->r, c->off, v); c->off += 4; }
void c64(struct cursor *c, uint64_t v) { put64(c->r, c->off, v); c->off += 8; }

static uint8_t sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	while (len--)
		s += *p++;
	return s;
}

void fix_checksum(struct fake_region *r)
{
	uint32_t len = get32(r, 4);

	if (len > r->len)
		len = r->len;
	r->bytes[9] = 0;
	r->bytes[9] = (uint8_t)-sum(r->bytes, len);
}

void fix_rsdp(struct fake_region *r)
{
	r->bytes[8] = 0;
	r->bytes[8] = (uint8_t)-sum(r->bytes, 20);
	if (r->len >= 36) {
		r->bytes[32] = 0;
		r->bytes[32] = (uint8_t)-sum(r->bytes, 36);
	}
}

void set_length(struct fake_region *r, uint32_t len)
{
	put32(r, 4, len);
	fix_checksum(r);
}

struct fake_region *new_table(struct fake_mem *m, uint64_t phys, const char *sig, uint32_t len)
{
	struct fake_region *r = fake_add(m, phys, NULL, len, sig);

	memcpy(r->bytes, fake_find(m, "APIC")->bytes, len < 36 ? len : 36);
	memcpy(r->bytes, sig, len < 4 ? len : 4);
	if (len >= 8)
		put32(r, 4, len);
	return r;
}

void set_rsdt_entry(struct fake_mem *m, unsigned i, uint32_t phys)
{
	struct fake_region *rsdt = fake_find(m, "RSDT");

	put32(rsdt, 36 + 4 * i, phys);
	fix_checksum(rsdt);
}

bool fake_parse(struct fake_mem *m, struct acpi_info *info)
{
	return acpi_parse(m->r[0].bytes, m->r[0].len, &m->mem, info);
}

static void collect(void *ctx, const char *text)
{
	struct summary *s = ctx;

	if (s->n == (int)(sizeof(s->line) / sizeof(s->line[0]))) {
		unit_fail(__FILE__, __LINE__, "too many summary lines");
		return;
	}
	strlcpy(s->line[s->n++], text, sizeof(s->line[0]));
}

void summarize(const struct acpi_info *info, struct summary *s)
{
	s->n = 0;
	acpi_summary(info, collect, s);
}

const char *summary_line(const struct summary *s, const char *sig)
{
	for (int i = 0; i < s->n; i++)
		if (strncmp(s->line[i], "acpi: ", 6) == 0 &&
		    strncmp(s->line[i] + 6, sig, strlen(sig)) == 0 &&
		    s->line[i][6 + strlen(sig)] == ' ')
			return s->line[i];
	return NULL;
}
