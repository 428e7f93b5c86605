/*
 * pins.c — a component's record of DMA pins, in frames of 256 records
 * (see pins.h for why the kernel keeps it).
 */
#include "kernel/component/pins.h"

#include <pinfold/errors.h>

#include "kernel/mm/frame.h"
#include "kernel/mm/vm.h"

static struct pin_record *slot(const struct pin_list *l, uint32_t n)
{
	struct pin_record *frame = phys_to_virt(l->frame[n / PIN_RECORDS_PER_FRAME]);
	return &frame[n % PIN_RECORDS_PER_FRAME];
}

int pins_add(struct pin_list *l, uint64_t va_flags, uint64_t pa)
{
	uint32_t n = l->count;
	if (n >= PIN_FRAMES_MAX * PIN_RECORDS_PER_FRAME)
		return E_LIMIT;
	if (n % PIN_RECORDS_PER_FRAME == 0) {
		phys_addr f = frame_alloc();
		if (!f)
			return E_NOMEM;
		l->frame[n / PIN_RECORDS_PER_FRAME] = f;
	}
	*slot(l, n) = (struct pin_record){ va_flags, pa };
	l->count = n + 1;
	return 0;
}

bool pins_remove(struct pin_list *l, uint64_t va, uint64_t pa)
{
	/* Oldest first: the chipset unpins a range from its first page up. */
	for (uint32_t n = 0; n < l->count; n++) {
		struct pin_record *r = slot(l, n);
		if ((r->va_flags & ~PIN_FLAGS) != va || r->pa != pa)
			continue;
		uint32_t last = --l->count;
		*r = *slot(l, last);
		if (last % PIN_RECORDS_PER_FRAME == 0) {
			frame_free(l->frame[last / PIN_RECORDS_PER_FRAME]);
			l->frame[last / PIN_RECORDS_PER_FRAME] = 0;
		}
		return true;
	}
	return false;
}

bool pins_get(const struct pin_list *l, uint32_t n, struct pin_record *out)
{
	if (n >= l->count)
		return false;
	*out = *slot(l, n);
	return true;
}
