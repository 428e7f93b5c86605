/*
 * madt.c — the Multiple APIC Description Table, signature "APIC"
 * (ACPI 6.5 §5.2.12, Tables 5.19 to 5.21).
 *
 * After a fixed part (the 32-bit local APIC address and the flags) come
 * entries of one-byte type and length.  Pinfold keeps the enabled CPUs'
 * APIC ids (from both the xAPIC and the x2APIC entries, each id once), the
 * IOAPICs, the ISA interrupt overrides and the 64-bit local APIC address
 * override; other types (NMI wiring, SAPIC, GIC, ...) are skipped by their
 * length.  A known entry shorter than its structure rejects the table.
 */
#include <string.h>

#include "kernel/acpi/internal.h"

struct madt_fixed {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct madt_fixed) == 44, "ACPI 6.5 §5.2.12");
#define MADT_PCAT_COMPAT (1u << 0)

enum {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_ADDRESS = 5,
	MADT_X2APIC = 9,
};

/* Processor Local APIC (§5.2.12.2). */
struct madt_lapic {
	uint8_t type, len;
	uint8_t uid;			/* ACPI processor UID */
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct madt_lapic) == 8, "ACPI 6.5 §5.2.12.2");
#define MADT_CPU_ENABLED (1u << 0)	/* clear: disabled, or only online-capable (bit 1) */

/* I/O APIC (§5.2.12.3). */
struct madt_ioapic {
	uint8_t type, len;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct madt_ioapic) == 12, "ACPI 6.5 §5.2.12.3");

/* Interrupt Source Override (§5.2.12.5). */
struct madt_override {
	uint8_t type, len;
	uint8_t bus;			/* 0: ISA */
	uint8_t source;			/* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags */
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct madt_override) == 10, "ACPI 6.5 §5.2.12.5");

/* Local APIC Address Override (§5.2.12.8): replaces the 32-bit field above. */
struct madt_lapic_address {
	uint8_t type, len;
	uint16_t reserved;
	uint64_t address;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct madt_lapic_address) == 12, "ACPI 6.5 §5.2.12.8");

/* Processor Local x2APIC (§5.2.12.12): for APIC ids that do not fit in a byte. */
struct madt_x2apic {
	uint8_t type, len;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;			/* as MADT_CPU_ENABLED */
	uint32_t uid;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct madt_x2apic) == 16, "ACPI 6.5 §5.2.12.12");

static const uint8_t madt_min_len[] = {
	[MADT_LAPIC] = sizeof(struct madt_lapic),
	[MADT_IOAPIC] = sizeof(struct madt_ioapic),
	[MADT_OVERRIDE] = sizeof(struct madt_override),
	[MADT_LAPIC_ADDRESS] = sizeof(struct madt_lapic_address),
	[MADT_X2APIC] = sizeof(struct madt_x2apic),
};

static struct acpi_walk madt_walk(const struct acpi_table *t)
{
	return (struct acpi_walk){
		.table = t->bytes, .off = sizeof(struct madt_fixed), .end = t->len,
		.min_len = madt_min_len, .ntypes = ARRAY_LEN(madt_min_len),
	};
}

/* Firmware may list a CPU in both an xAPIC and an x2APIC entry. */
static void add_cpu(struct acpi_madt *out, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & MADT_CPU_ENABLED))
		return;
	for (uint32_t i = 0; i < out->ncpus; i++)
		if (out->cpu_apic_id[i] == apic_id)
			return;
	if (out->ncpus < ACPI_MAX_CPUS)
		out->cpu_apic_id[out->ncpus++] = apic_id;
	else
		out->status.dropped++;
}

static void extract(const struct acpi_entry *e, struct acpi_madt *out)
{
	switch (e->type) {
	case MADT_LAPIC: {
		const struct madt_lapic *l = (const void *)e->p;
		add_cpu(out, l->apic_id, l->flags);
		break;
	}
	case MADT_X2APIC: {
		const struct madt_x2apic *x = (const void *)e->p;
		add_cpu(out, x->x2apic_id, x->flags);
		break;
	}
	case MADT_IOAPIC: {
		const struct madt_ioapic *io = (const void *)e->p;
		if (out->nioapics == ACPI_MAX_IOAPICS) {
			out->status.dropped++;
			break;
		}
		out->ioapic[out->nioapics++] = (struct acpi_ioapic){
			.id = io->id, .address = io->address, .gsi_base = io->gsi_base,
		};
		break;
	}
	case MADT_OVERRIDE: {
		const struct madt_override *o = (const void *)e->p;
		if (out->noverrides == ACPI_MAX_OVERRIDES) {
			out->status.dropped++;
			break;
		}
		out->override[out->noverrides++] = (struct acpi_override){
			.bus_irq = o->source, .gsi = o->gsi, .flags = o->flags,
		};
		break;
	}
	case MADT_LAPIC_ADDRESS: {
		const struct madt_lapic_address *a = (const void *)e->p;
		out->lapic_address = a->address;
		break;
	}
	}
}

void acpi_parse_madt(const struct acpi_table *t, struct acpi_madt *out)
{
	const struct madt_fixed *m = (const void *)t->bytes;
	struct acpi_walk w;
	struct acpi_entry e;
	enum acpi_walk_step step;

	memset(out, 0, sizeof(*out));
	out->status.phys = t->phys;
	if (t->len < sizeof(*m)) {
		acpi_reject(&out->status, "length %u shorter than fixed part", (unsigned)t->len);
		return;
	}

	w = madt_walk(t);
	while ((step = acpi_walk_next(&w, &e, &out->status)) == ACPI_WALK_ENTRY)
		;
	if (step == ACPI_WALK_BAD)
		return;

	out->lapic_address = m->lapic_address;
	out->pcat_compat = m->flags & MADT_PCAT_COMPAT;
	w = madt_walk(t);
	while (acpi_walk_next(&w, &e, &out->status) == ACPI_WALK_ENTRY)
		extract(&e, out);
	out->status.state = ACPI_PRESENT;
}
