/*
 * pins.c — a component's record of DMA pins, in frames of 256 records
 * (see pins.h for why the kernel keeps it, and how it is laid out).
 */
#include "kernel/component/pins.h"

#include <pinfold/errors.h>

#include "kernel/mm/frame.h"
#include "kernel/mm/vm.h"

#define CAPACITY (PIN_FRAMES_MAX * PIN_RECORDS_PER_FRAME)

static struct pin_record *slot(const struct pin_list *l, uint32_t n)
{
	struct pin_record *frame = phys_to_virt(l->frame[n / PIN_RECORDS_PER_FRAME]);
	return &frame[n % PIN_RECORDS_PER_FRAME];
}

static bool hole(const struct pin_record *r) { return r->pa == 0; }

/* Gives back the record frames past slot `end`. */
static void trim(struct pin_list *l)
{
	for (uint32_t f = (l->end + PIN_RECORDS_PER_FRAME - 1) / PIN_RECORDS_PER_FRAME; f < PIN_FRAMES_MAX; f++)
		if (l->frame[f]) {
			frame_free(l->frame[f]);
			l->frame[f] = 0;
		}
}

/* Moves every record down over the holes, keeping their order. */
static void compact(struct pin_list *l)
{
	uint32_t to = 0;
	for (uint32_t from = 0; from < l->end; from++) {
		struct pin_record *r = slot(l, from);
		if (!hole(r))
			*slot(l, to++) = *r;
	}
	l->end = to;
	l->cursor = 0;
	l->read_valid = false;
	trim(l);
}

int pins_add(struct pin_list *l, uint64_t va_flags, uint64_t pa)
{
	if (pa == 0)
		return E_INVAL;         /* the hole marker; frame 0 is never RAM a device may have */
	if (l->end == CAPACITY)
		compact(l);
	if (l->end == CAPACITY)
		return E_LIMIT;
	uint32_t n = l->end;
	if (!l->frame[n / PIN_RECORDS_PER_FRAME]) {
		phys_addr f = frame_alloc();
		if (!f)
			return E_NOMEM;
		l->frame[n / PIN_RECORDS_PER_FRAME] = f;
	}
	*slot(l, n) = (struct pin_record){ va_flags, pa };
	l->end = n + 1;
	l->count++;
	l->read_valid = false;
	return 0;
}

bool pins_remove(struct pin_list *l, uint64_t va, uint64_t pa)
{
	for (uint32_t i = 0; i < l->end; i++) {
		uint32_t n = (l->cursor + i) % l->end;
		struct pin_record *r = slot(l, n);
		if (hole(r) || (r->va_flags & ~PIN_FLAGS) != va || r->pa != pa)
			continue;
		r->pa = 0;
		l->count--;
		l->cursor = n + 1 < l->end ? n + 1 : 0;
		l->read_valid = false;
		if (l->end - l->count > l->count)
			compact(l);
		return true;
	}
	return false;
}

bool pins_get(struct pin_list *l, uint32_t n, struct pin_record *out)
{
	uint32_t at = 0, k = 0;
	if (n >= l->count)
		return false;
	if (l->read_valid && n > l->read_n) {
		at = l->read_at + 1;
		k = l->read_n + 1;
	}
	for (; at < l->end; at++) {
		const struct pin_record *r = slot(l, at);
		if (hole(r))
			continue;
		if (k++ == n) {
			*out = *r;
			l->read_valid = true;
			l->read_n = n;
			l->read_at = at;
			return true;
		}
	}
	return false;
}
