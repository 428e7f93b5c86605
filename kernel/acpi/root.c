/*
 * root.c — from the RSDP to the tables: acpi_parse().
 *
 * The boot loader hands over a copy of the RSDP (multiboot2 tag 14 holds
 * the 20-byte ACPI 1.0 form, tag 15 the 36-byte ACPI 2.0 form).  Its
 * checksums are checked here; then the XSDT (64-bit entries) is used if the
 * RSDP is revision 2 or later and the XSDT passes its checks, else the RSDT
 * (32-bit entries).  Every table the root table lists is opened (and so
 * checksummed); the MADT, MCFG and DMAR go to their parsers, any other table
 * that fails is remembered in info->bad, and good ones are otherwise
 * ignored.  If a signature appears twice, the first good copy wins.
 */
#include <string.h>

#include "kernel/acpi/internal.h"

/* Root System Description Pointer (ACPI 6.5 §5.2.5.3, Table 5.3). */
struct acpi_rsdp {
	char sig[8];			/* "RSD PTR " */
	uint8_t checksum;		/* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 0 for ACPI 1.0; 2 from ACPI 2.0 on */
	uint32_t rsdt_address;
	/* From revision 2 on: */
	uint32_t length;		/* of the whole RSDP */
	uint64_t xsdt_address;
	uint8_t ext_checksum;		/* over `length` bytes */
	uint8_t reserved[3];
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct acpi_rsdp) == 36, "ACPI 6.5 Table 5.3");
#define RSDP_V1_LEN 20

/* Checks the RSDP copy; on success *r holds it, zero-filled past a v1 copy. */
static bool rsdp_check(const void *rsdp, size_t len, struct acpi_rsdp *r,
		       struct acpi_info *out)
{
	memset(r, 0, sizeof(*r));
	if (!rsdp) {
		out->root.state = ACPI_ABSENT;
		return false;
	}
	if (len < RSDP_V1_LEN)
		return acpi_reject(&out->root, "%u bytes, shorter than 20", (unsigned)len);
	memcpy(r, rsdp, len < sizeof(*r) ? len : sizeof(*r));
	if (memcmp(r->sig, "RSD PTR ", 8) != 0)
		return acpi_reject(&out->root, "bad signature");
	if (acpi_checksum(rsdp, RSDP_V1_LEN) != 0)
		return acpi_reject(&out->root, "checksum mismatch");
	out->rsdp_revision = r->revision;
	if (r->revision < 2 || len < sizeof(*r)) {
		/* ACPI 1.0, or only the v1 part was copied: the RSDT is all there is. */
		r->xsdt_address = 0;
		return true;
	}
	if (r->length < sizeof(*r) || r->length > len)
		return acpi_reject(&out->root, "length %u, copy has %u bytes",
				   (unsigned)r->length, (unsigned)len);
	if (acpi_checksum(rsdp, r->length) != 0)
		return acpi_reject(&out->root, "extended checksum mismatch");
	return true;
}

static void note_bad(struct acpi_info *out, const char *sig, const struct acpi_status *st)
{
	if (out->nbad < ACPI_MAX_BAD) {
		struct acpi_bad_table *b = &out->bad[out->nbad];
		memcpy(b->sig, sig, 4);
		b->sig[4] = '\0';
		b->phys = st->phys;
		memcpy(b->why, st->why, sizeof(b->why));
	}
	out->nbad++;
}

static uint32_t entry_size(enum acpi_root_kind kind)
{
	return kind == ACPI_ROOT_XSDT ? 8 : 4;
}

/* Opens the RSDT (ACPI 6.5 §5.2.7) or XSDT (§5.2.8): a header, then table addresses. */
static bool root_open(const struct acpi_mem *mem, uint64_t phys, enum acpi_root_kind kind,
		      struct acpi_table *t, struct acpi_status *st)
{
	const char *sig = kind == ACPI_ROOT_XSDT ? "XSDT" : "RSDT";
	uint32_t esize = entry_size(kind);

	if (!acpi_table_open(mem, phys, t, st))
		return false;
	if (memcmp(t->sig, sig, 4) != 0)
		return acpi_reject(st, "signature %s, not %s", t->sig, sig);
	if ((t->len - sizeof(struct acpi_header)) % esize != 0)
		return acpi_reject(st, "length %u leaves a partial entry", (unsigned)t->len);
	st->state = ACPI_PRESENT;
	return true;
}

/* Chooses the XSDT if it is there and sound, else the RSDT. */
static bool root_choose(const struct acpi_rsdp *r, const struct acpi_mem *mem,
			struct acpi_table *t, struct acpi_info *out)
{
	if (r->xsdt_address != 0) {
		out->root_kind = ACPI_ROOT_XSDT;
		if (root_open(mem, r->xsdt_address, ACPI_ROOT_XSDT, t, &out->root))
			return true;
		if (r->rsdt_address == 0)
			return false;
		note_bad(out, "XSDT", &out->root);
		memset(&out->root, 0, sizeof(out->root));
	}
	out->root_kind = ACPI_ROOT_RSDT;
	return root_open(mem, r->rsdt_address, ACPI_ROOT_RSDT, t, &out->root);
}

/* Opens one table the root table lists and hands it to its parser. */
static void visit(const struct acpi_mem *mem, uint64_t phys, struct acpi_info *out)
{
	struct acpi_table t;
	struct acpi_status st = { 0 };
	bool ok = acpi_table_open(mem, phys, &t, &st);
	struct acpi_status *known = NULL;

	if (memcmp(t.sig, "APIC", 4) == 0)
		known = &out->madt.status;
	else if (memcmp(t.sig, "MCFG", 4) == 0)
		known = &out->mcfg.status;
	else if (memcmp(t.sig, "DMAR", 4) == 0)
		known = &out->dmar.status;

	if (known && known->state == ACPI_PRESENT)
		return;
	if (!ok) {
		if (known)
			*known = st;
		else
			note_bad(out, t.sig, &st);
		return;
	}
	if (known == &out->madt.status)
		acpi_parse_madt(&t, &out->madt);
	else if (known == &out->mcfg.status)
		acpi_parse_mcfg(&t, &out->mcfg);
	else if (known == &out->dmar.status)
		acpi_parse_dmar(&t, &out->dmar);
}

bool acpi_parse(const void *rsdp, size_t rsdp_len, const struct acpi_mem *mem,
		struct acpi_info *out)
{
	struct acpi_rsdp r;
	struct acpi_table root;
	uint32_t esize;

	memset(out, 0, sizeof(*out));
	if (!rsdp_check(rsdp, rsdp_len, &r, out) || !root_choose(&r, mem, &root, out))
		return false;

	esize = entry_size(out->root_kind);
	out->ntables = (root.len - sizeof(struct acpi_header)) / esize;
	for (uint32_t i = 0; i < out->ntables; i++) {
		uint64_t phys = 0;
		/* Entries are only 4-byte aligned, and little-endian like x86. */
		memcpy(&phys, root.bytes + sizeof(struct acpi_header) + i * esize, esize);
		visit(mem, phys, out);
	}
	return true;
}
