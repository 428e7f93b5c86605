/*
 * summary.c — acpi_summary(): one console line per table, so a boot log
 * shows at a glance what the firmware described and what was refused.
 *
 * Every line is "acpi: SIG ..." where SIG is the table's signature (MADT
 * for "APIC", as everyone calls it), followed by its decoded contents, by
 * "absent", or by "rejected: " and the reason.  The order is fixed: the
 * RSDP and root table, MADT, MCFG, DMAR, then any other rejected table.
 * Lines are meant to fit in ACPI_LINE_MAX; one that would not is cut and
 * ends in "...".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/acpi/internal.h"

#define ACPI_LINE_MAX 256
#define LIST_MAX 4		/* IOAPICs spelled out; enough for every real machine's line to fit */

struct line {
	char text[ACPI_LINE_MAX];
	size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	size_t room = sizeof(l->text) - l->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->text + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		l->len = sizeof(l->text) - 1;
		memcpy(l->text + l->len - 3, "...", 3);
	} else {
		l->len += n;
	}
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

struct out {
	void (*line)(void *ctx, const char *text);
	void *ctx;
};

/* Emits the line for an absent or rejected table; true if the table is present. */
static bool status_line(const struct out *o, const char *sig, const struct acpi_status *st,
			const char *absent_note)
{
	struct line l = { .len = 0 };

	if (st->state == ACPI_PRESENT)
		return true;
	if (st->state == ACPI_ABSENT)
		add(&l, "acpi: %s absent%s", sig, absent_note);
	else
		add(&l, "acpi: %s rejected: %s", sig, st->why);
	o->line(o->ctx, l.text);
	return false;
}

static void dropped(struct line *l, const struct acpi_status *st)
{
	if (st->dropped)
		add(l, ", %u dropped", (unsigned)st->dropped);
}

static void root_line(const struct out *o, const struct acpi_info *info)
{
	const char *root = info->root_kind == ACPI_ROOT_XSDT ? "XSDT" : "RSDT";
	struct line l = { .len = 0 };

	if (info->root_kind == ACPI_ROOT_NONE || info->root.state == ACPI_ABSENT) {
		status_line(o, "RSDP", &info->root, " (no ACPI tag from the boot loader)");
		return;
	}
	if (!status_line(o, root, &info->root, ""))
		return;
	add(&l, "acpi: RSDP revision %u, %s at 0x%llx, %u table%s", info->rsdp_revision,
	    root, (unsigned long long)info->root.phys, (unsigned)info->ntables,
	    plural(info->ntables));
	if (info->nbad)
		add(&l, ", %u rejected", (unsigned)info->nbad);
	o->line(o->ctx, l.text);
}

static void madt_line(const struct out *o, const struct acpi_madt *m)
{
	struct line l = { .len = 0 };

	if (!status_line(o, "MADT", &m->status, ""))
		return;
	add(&l, "acpi: MADT lapic 0x%llx, %u cpu%s", (unsigned long long)m->lapic_address,
	    (unsigned)m->ncpus, plural(m->ncpus));
	for (uint32_t i = 0; i < m->nioapics && i < LIST_MAX; i++)
		add(&l, ", ioapic %u at 0x%x gsi %u", m->ioapic[i].id,
		    (unsigned)m->ioapic[i].address, (unsigned)m->ioapic[i].gsi_base);
	if (m->nioapics > LIST_MAX)
		add(&l, ", %u more ioapics", (unsigned)(m->nioapics - LIST_MAX));
	add(&l, ", %u override%s", (unsigned)m->noverrides, plural(m->noverrides));
	if (m->pcat_compat)
		add(&l, ", pcat-compat");
	dropped(&l, &m->status);
	o->line(o->ctx, l.text);
}

static void mcfg_line(const struct out *o, const struct acpi_mcfg *m)
{
	struct line l = { .len = 0 };

	if (!status_line(o, "MCFG", &m->status, ""))
		return;
	add(&l, "acpi: MCFG");
	if (m->nsegments == 0)
		add(&l, " no segments");
	for (uint32_t i = 0; i < m->nsegments; i++)
		add(&l, "%s ecam 0x%llx segment %u buses %u-%u", i ? "," : "",
		    (unsigned long long)m->segment[i].ecam_base, m->segment[i].segment,
		    m->segment[i].start_bus, m->segment[i].end_bus);
	dropped(&l, &m->status);
	o->line(o->ctx, l.text);
}

static void dmar_line(const struct out *o, const struct acpi_dmar *d)
{
	struct line l = { .len = 0 };

	if (!status_line(o, "DMAR", &d->status, " (no IOMMU)"))
		return;
	add(&l, "acpi: DMAR haw %u", d->haw);
	if (d->flags & ACPI_DMAR_INTR_REMAP)
		add(&l, ", intr-remap");
	if (d->flags & ACPI_DMAR_X2APIC_OPT_OUT)
		add(&l, ", x2apic-opt-out");
	if (d->flags & ACPI_DMAR_DMA_CTRL_OPT_IN)
		add(&l, ", dma-ctrl-opt-in");
	add(&l, ", %u unit%s%s", (unsigned)d->nunits, plural(d->nunits), d->nunits ? ":" : "");
	for (uint32_t i = 0; i < d->nunits; i++) {
		const struct acpi_dmar_unit *u = &d->unit[i];
		add(&l, "%s 0x%llx segment %u", i ? "," : "", (unsigned long long)u->base,
		    u->segment);
		if (u->include_all)
			add(&l, " include-all");
		if (u->nscopes)
			add(&l, " %u scope%s", (unsigned)u->nscopes, plural(u->nscopes));
	}
	if (d->nrmrrs)
		add(&l, ", %u rmrr%s", (unsigned)d->nrmrrs, plural(d->nrmrrs));
	dropped(&l, &d->status);
	o->line(o->ctx, l.text);
}

void acpi_summary(const struct acpi_info *info,
		  void (*line)(void *ctx, const char *text), void *ctx)
{
	const struct out o = { line, ctx };
	uint32_t nbad = info->nbad < ACPI_MAX_BAD ? info->nbad : ACPI_MAX_BAD;

	root_line(&o, info);
	madt_line(&o, &info->madt);
	mcfg_line(&o, &info->mcfg);
	dmar_line(&o, &info->dmar);
	for (uint32_t i = 0; i < nbad; i++) {
		struct line l = { .len = 0 };
		add(&l, "acpi: %s rejected: %s", info->bad[i].sig, info->bad[i].why);
		line(ctx, l.text);
	}
}
