/*
 * dmar.c — the DMA Remapping Reporting table, signature "DMAR", which
 * describes the VT-d hardware (Intel VT-d specification, chapter 8).
 *
 * After a fixed part (host address width, flags) come remapping structures
 * of two-byte type and length.  Pinfold keeps the DRHDs (one per remapping
 * unit: its register block and the devices it translates) and the RMRRs
 * (memory some device DMAs to behind the OS's back, which must stay
 * identity-mapped for it); ATSR, RHSA, ANDD, SATC and unknown types are
 * skipped by their length.  DRHDs and RMRRs end in device scopes of
 * one-byte type and length, each naming a device by its bus and the
 * (device, function) path through bridges below it.
 */
#include <string.h>

#include "kernel/acpi/internal.h"

/* DMA Remapping Reporting Structure (§8.1). */
struct dmar_fixed {
	struct acpi_header h;
	uint8_t haw;			/* host address width - 1 */
	uint8_t flags;			/* ACPI_DMAR_* */
	uint8_t reserved[10];
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct dmar_fixed) == 48, "VT-d §8.1");

/* Remapping structure types (§8.2). */
enum { DMAR_DRHD = 0, DMAR_RMRR = 1 };

/* DMA Remapping Hardware Unit Definition (§8.3). */
struct dmar_drhd {
	uint16_t type, len;
	uint8_t flags;
	uint8_t size;			/* register pages, log2 (reserved before rev. 3) */
	uint16_t segment;
	uint64_t base;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct dmar_drhd) == 16, "VT-d §8.3");
#define DRHD_INCLUDE_PCI_ALL (1u << 0)

/* Reserved Memory Region Reporting (§8.4). */
struct dmar_rmrr {
	uint16_t type, len;
	uint16_t reserved;
	uint16_t segment;
	uint64_t base;
	uint64_t limit;			/* last byte */
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct dmar_rmrr) == 24, "VT-d §8.4");

/* Device Scope (§8.3.1), followed by (len - 6) / 2 path entries. */
struct dmar_scope {
	uint8_t type, len;
	uint8_t flags;
	uint8_t reserved;
	uint8_t enum_id;
	uint8_t start_bus;
	struct { uint8_t dev, fn; } path[];
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct dmar_scope) == 6, "VT-d §8.3.1");

static const uint8_t dmar_min_len[] = {
	[DMAR_DRHD] = sizeof(struct dmar_drhd),
	[DMAR_RMRR] = sizeof(struct dmar_rmrr),
};

/* Every defined scope type names its device by a path of at least one hop. */
#define SCOPE_MIN (sizeof(struct dmar_scope) + 2)
static const uint8_t scope_min_len[] = {
	[ACPI_SCOPE_ENDPOINT] = SCOPE_MIN, [ACPI_SCOPE_BRIDGE] = SCOPE_MIN,
	[ACPI_SCOPE_IOAPIC] = SCOPE_MIN, [ACPI_SCOPE_HPET] = SCOPE_MIN,
	[ACPI_SCOPE_NAMESPACE] = SCOPE_MIN,
};

static struct acpi_walk dmar_walk(const struct acpi_table *t)
{
	return (struct acpi_walk){
		.table = t->bytes, .off = sizeof(struct dmar_fixed), .end = t->len,
		.wide = true, .min_len = dmar_min_len, .ntypes = ARRAY_LEN(dmar_min_len),
	};
}

/* The scopes of the DRHD or RMRR `e`, which start after its fixed part. */
static struct acpi_walk scope_walk(const struct acpi_table *t, const struct acpi_entry *e)
{
	return (struct acpi_walk){
		.table = t->bytes, .off = e->off + dmar_min_len[e->type], .end = e->off + e->len,
		.min_len = scope_min_len, .ntypes = ARRAY_LEN(scope_min_len),
	};
}

static bool has_scopes(const struct acpi_entry *e)
{
	return e->type == DMAR_DRHD || e->type == DMAR_RMRR;
}

/* Reserved scope types are skipped, like unknown remapping structures. */
static bool known_scope(const struct acpi_entry *s)
{
	return s->type < ARRAY_LEN(scope_min_len) && scope_min_len[s->type] != 0;
}

static bool check_scopes(const struct acpi_table *t, const struct acpi_entry *e,
			 struct acpi_status *st)
{
	struct acpi_walk w = scope_walk(t, e);
	struct acpi_entry s;
	enum acpi_walk_step step;

	while ((step = acpi_walk_next(&w, &s, st)) == ACPI_WALK_ENTRY)
		if (known_scope(&s) && (s.len - sizeof(struct dmar_scope)) % 2 != 0)
			return acpi_reject(st, "device scope at offset 0x%x has odd length %u",
					   (unsigned)s.off, (unsigned)s.len);
	return step == ACPI_WALK_END;
}

static bool check(const struct acpi_table *t, struct acpi_status *st)
{
	struct acpi_walk w = dmar_walk(t);
	struct acpi_entry e;
	enum acpi_walk_step step;

	while ((step = acpi_walk_next(&w, &e, st)) == ACPI_WALK_ENTRY) {
		if (has_scopes(&e) && !check_scopes(t, &e, st))
			return false;
		if (e.type == DMAR_RMRR) {
			const struct dmar_rmrr *r = (const void *)e.p;
			if (r->base > r->limit)
				return acpi_reject(st, "RMRR at offset 0x%x ends before it starts",
						   (unsigned)e.off);
		}
	}
	return step == ACPI_WALK_END;
}

/* Copies the scopes of `e` into scope[]; returns how many fit. */
static uint32_t extract_scopes(const struct acpi_table *t, const struct acpi_entry *e,
			       struct acpi_dmar_scope *scope, uint32_t *dropped)
{
	struct acpi_walk w = scope_walk(t, e);
	struct acpi_entry s;
	struct acpi_status unused;
	uint32_t n = 0;

	while (acpi_walk_next(&w, &s, &unused) == ACPI_WALK_ENTRY) {
		const struct dmar_scope *ds = (const void *)s.p;
		uint32_t hops = (s.len - sizeof(*ds)) / 2;

		if (!known_scope(&s))
			continue;
		if (n == ACPI_MAX_SCOPES || hops > ACPI_MAX_PATH) {
			(*dropped)++;
			continue;
		}
		scope[n] = (struct acpi_dmar_scope){
			.type = ds->type, .enum_id = ds->enum_id,
			.start_bus = ds->start_bus, .path_len = hops,
		};
		for (uint32_t i = 0; i < hops; i++) {
			scope[n].path[i].dev = ds->path[i].dev;
			scope[n].path[i].fn = ds->path[i].fn;
		}
		n++;
	}
	return n;
}

static void extract(const struct acpi_table *t, const struct acpi_entry *e,
		    struct acpi_dmar *out)
{
	uint32_t *dropped = &out->status.dropped;

	if (e->type == DMAR_DRHD) {
		const struct dmar_drhd *d = (const void *)e->p;
		struct acpi_dmar_unit *u;

		if (out->nunits == ACPI_MAX_DMAR_UNITS) {
			(*dropped)++;
			return;
		}
		u = &out->unit[out->nunits];
		u->base = d->base;
		u->segment = d->segment;
		u->include_all = d->flags & DRHD_INCLUDE_PCI_ALL;
		u->nscopes = extract_scopes(t, e, u->scope, dropped);
		out->nunits++;
	} else if (e->type == DMAR_RMRR) {
		const struct dmar_rmrr *r = (const void *)e->p;
		struct acpi_dmar_rmrr *m;

		if (out->nrmrrs == ACPI_MAX_RMRRS) {
			(*dropped)++;
			return;
		}
		m = &out->rmrr[out->nrmrrs];
		m->segment = r->segment;
		m->base = r->base;
		m->limit = r->limit;
		m->nscopes = extract_scopes(t, e, m->scope, dropped);
		out->nrmrrs++;
	}
}

void acpi_parse_dmar(const struct acpi_table *t, struct acpi_dmar *out)
{
	const struct dmar_fixed *f = (const void *)t->bytes;
	struct acpi_walk w;
	struct acpi_entry e;

	memset(out, 0, sizeof(*out));
	out->status.phys = t->phys;
	if (t->len < sizeof(*f)) {
		acpi_reject(&out->status, "length %u shorter than fixed part", (unsigned)t->len);
		return;
	}
	if (!check(t, &out->status))
		return;

	out->haw = f->haw + 1;
	out->flags = f->flags;
	w = dmar_walk(t);
	while (acpi_walk_next(&w, &e, &out->status) == ACPI_WALK_ENTRY)
		extract(t, &e, out);
	out->status.state = ACPI_PRESENT;
}
