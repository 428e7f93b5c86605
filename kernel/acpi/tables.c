/*
 * tables.c — the checks every ACPI table goes through before a parser sees
 * it (ACPI 6.5 §5.2.6): its header must be readable, its length must cover
 * at least the header and stay below ACPI_MAX_TABLE_LEN, all of it must be
 * readable, and its bytes must sum to zero.  Also the walker that steps
 * through a table's variable-length entries without trusting their lengths.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/acpi/internal.h"

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum;
}

const void *acpi_mem_map(const struct acpi_mem *mem, uint64_t phys, size_t len)
{
	if (len == 0 || phys + len < phys)
		return NULL;
	return mem->map(mem->ctx, phys, len);
}

bool acpi_reject(struct acpi_status *st, const char *fmt, ...)
{
	va_list ap;

	st->state = ACPI_REJECTED;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	return false;
}

bool acpi_table_open(const struct acpi_mem *mem, uint64_t phys,
		     struct acpi_table *t, struct acpi_status *st)
{
	const struct acpi_header *h;

	memset(t, 0, sizeof(*t));
	memcpy(t->sig, "????", 5);
	t->phys = phys;
	st->phys = phys;
	if (phys == 0)
		return acpi_reject(st, "null table address");
	h = acpi_mem_map(mem, phys, sizeof(*h));
	if (!h)
		return acpi_reject(st, "header at 0x%llx is not in memory",
				   (unsigned long long)phys);
	memcpy(t->sig, h->sig, 4);
	for (int i = 0; i < 4; i++)	/* keep messages printable */
		if (t->sig[i] < 0x20 || t->sig[i] > 0x7e)
			t->sig[i] = '?';
	t->len = h->length;
	if (t->len < sizeof(*h))
		return acpi_reject(st, "length %u shorter than header", (unsigned)t->len);
	if (t->len > ACPI_MAX_TABLE_LEN)
		return acpi_reject(st, "length %u too large", (unsigned)t->len);
	t->bytes = acpi_mem_map(mem, phys, t->len);
	if (!t->bytes)
		return acpi_reject(st, "length %u reaches unmapped memory", (unsigned)t->len);
	if (acpi_checksum(t->bytes, t->len) != 0) {
		t->bytes = NULL;
		return acpi_reject(st, "checksum mismatch");
	}
	return true;
}

/* After a bad entry the walk stays stopped: nothing past it can be trusted. */
static enum acpi_walk_step walk_stop(struct acpi_walk *w)
{
	w->off = w->end = 0;
	return ACPI_WALK_BAD;
}

enum acpi_walk_step acpi_walk_next(struct acpi_walk *w, struct acpi_entry *e,
				   struct acpi_status *st)
{
	uint32_t hdr = w->wide ? 4 : 2, min_len = hdr;
	const uint8_t *p;

	if (w->off >= w->end)
		return ACPI_WALK_END;
	p = w->table + w->off;
	if (w->end - w->off < hdr) {
		acpi_reject(st, "entry at offset 0x%x runs past the end", (unsigned)w->off);
		return walk_stop(w);
	}
	e->off = w->off;
	e->p = p;
	if (w->wide) {
		e->type = p[0] | (unsigned)p[1] << 8;
		e->len = p[2] | (uint32_t)p[3] << 8;
	} else {
		e->type = p[0];
		e->len = p[1];
	}
	if (e->type < w->ntypes && w->min_len[e->type] > min_len)
		min_len = w->min_len[e->type];
	if (e->len < min_len) {
		acpi_reject(st, "entry type %u at offset 0x%x has length %u, needs %u",
			    e->type, (unsigned)e->off, (unsigned)e->len, (unsigned)min_len);
		return walk_stop(w);
	}
	if (e->len > w->end - w->off) {
		acpi_reject(st, "entry at offset 0x%x runs past the end", (unsigned)w->off);
		return walk_stop(w);
	}
	w->off += e->len;
	return ACPI_WALK_ENTRY;
}
