/*
 * irq.c — binding ISA interrupt lines to components' interrupt methods.
 *
 * Each bound line has a record: its owner, GSI, vector, interrupt thread, a
 * pending flag and a wait queue, and the storm counter.  Lines 0..23 are the
 * ISA IRQs of the manifest, routed through the IOAPIC; their vector is
 * IRQ_VECTOR_FIRST + GSI, fixed, so a restart reuses it.  Lines 24 and up are
 * message-signalled (MSI): the chipset asks for one on a driver's behalf and
 * programs the device with the vector (IRQ_VECTOR_FIRST + line); they are
 * released when the driver stops, and its next instance asks again.
 *
 * With VT-d interrupt remapping the chipset owns the table that turns
 * messages into vectors; it learns each IOAPIC line's vector, trigger mode
 * and source-id here (irq_gsi_route) and has the IOAPIC switched to
 * remappable format (irq_gsi_remap).  An interrupt on a vector nobody owns
 * -- an MSI of a line whose driver is down, or one a device was never
 * given -- is counted as unexpected (trap.c), never charged: QEMU 7.2
 * delivers compatibility-format and DMA-written messages without any
 * source, so there is no one to charge.
 */
#include "kernel/component/irq.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <stddef.h>

#include "kernel/component/lifecycle.h"
#include "kernel/console.h"
#include "kernel/platform.h"
#include "kernel/time/clock.h"
#include "kernel/x86/ioapic.h"
#include "kernel/x86/lapic.h"
#include "kernel/x86/trap.h"

#define ISA_LINES IRQ_ISA_LINES
#define MAX_LINES (ISA_LINES + IRQ_MSI_LINES)

struct line {
	struct component *owner;        /* NULL: not bound */
	uint8_t irq;
	uint32_t gsi;
	struct thread *thread;
	bool level;                     /* level-triggered: masked while its method runs */
	bool msi;                       /* message-signalled: no IOAPIC pin behind it */
	bool pending;                   /* arrived, not yet handed to the thread */
	bool busy;                      /* the interrupt method is running */
	uint64_t busy_since;            /* tick */
	struct wait_queue wait;
	uint64_t window_start_ns;
	uint32_t window_count;
	uint64_t delivered;
	uint64_t stray;                 /* arrived with no owner */
};

static struct line lines[MAX_LINES];    /* index: the ISA IRQ */

HOT static void interrupt(struct trap_frame *frame, void *ctx)
{
	(void)frame;
	struct line *l = ctx;
	/* A level-triggered line would fire again at once: it stays masked until the method is
	 * done.  An edge is not repeated, and a masked IOAPIC pin may drop one, so edge lines
	 * stay open and a second edge during the method just sets `pending` again. */
	if (l->level)
		ioapic_mask(l->gsi, true);
	lapic_eoi();
	if (!l->owner) {
		/* Its driver is down.  An IOAPIC line was masked as the driver stopped, but an
		 * edge already on its way still arrives: not unexpected, and not lost either,
		 * since the restarted driver's method runs once at bind (pending).  An MSI for a
		 * driver that is down is a device that should be quiet: counted as unexpected. */
		l->stray++;
		if (l->msi)
			trap_note_unexpected(IRQ_VECTOR_FIRST + l->irq);
		return;
	}
	uint64_t now = clock_ns();
	if (now - l->window_start_ns > (uint64_t)IRQ_STORM_WINDOW_MS * 1000000) {
		l->window_start_ns = now;
		l->window_count = 0;
	}
	if (++l->window_count > l->owner->manifest->storm_limit) {
		component_crash(l->owner, "interrupt storm");
		return;
	}
	l->delivered++;
	l->pending = true;
	thread_wake_one(&l->wait, 0);
}

/* Starts the thread of line `index` of `c`, which enters method `method` for each interrupt. */
static bool start_interrupt_thread(struct component *c, struct line *l, unsigned index, int method)
{
	int stack = component_stack_try_take(c);
	l->thread = stack < 0 ? NULL :
		thread_create_user(c, c->name, THREAD_PRIORITIES - 2, c->base + c->image.entry,
				   component_stack_top(c, stack), METHOD_IRQ_THREAD, index,
				   (uint64_t)method, stack);
	if (!l->thread && stack >= 0)
		component_stack_give(c, stack);
	return l->thread != NULL;
}

void irq_component_started(struct component *c)
{
	const struct manifest_component *m = c->manifest;
	int method = c->iface ? idl_method_index(c->iface, "interrupt") : -1;
	for (unsigned i = 0; i < m->nirqs; i++) {
		uint8_t irq = m->irqs[i];
		if (irq >= ISA_LINES || method < 0) {
			kprintf("irq: %s: cannot bind irq %u (%s)\n", c->name, irq,
				method < 0 ? "no interrupt method" : "not an ISA line");
			continue;
		}
		struct line *l = &lines[irq];
		bool level, active_low;
		platform_isa_irq(irq, &l->gsi, &level, &active_low);
		l->owner = c;
		l->irq = irq;
		l->level = level;
		l->pending = true;      /* run the method once at start: anything that came while it was down */
		l->busy = false;
		trap_set_handler(IRQ_VECTOR_FIRST + l->gsi, interrupt, l);
		if (!ioapic_route(l->gsi, (uint8_t)(IRQ_VECTOR_FIRST + l->gsi), level, active_low)) {
			kprintf("irq: %s: no IOAPIC line for gsi %u\n", c->name, l->gsi);
			l->owner = NULL;
			continue;
		}
		if (!start_interrupt_thread(c, l, irq, method)) {
			kprintf("irq: %s: no thread for irq %u\n", c->name, irq);
			l->owner = NULL;
		}
	}
}

void irq_component_stopped(struct component *c)
{
	for (int i = 0; i < MAX_LINES; i++)
		if (lines[i].owner == c) {
			if (!lines[i].msi)
				ioapic_mask(lines[i].gsi, true);
			lines[i].owner = NULL;
			lines[i].thread = NULL;
			lines[i].busy = false;
		}
}

int64_t irq_bind_msi(struct component *c, uint64_t *line_out, uint64_t *vector_out)
{
	int method = c->iface ? idl_method_index(c->iface, "interrupt") : -1;
	if (method < 0)
		return E_NO_METHOD;
	if (c->state != COMPONENT_RUNNING && c->state != COMPONENT_LOADING)
		return E_CALLEE_FAILED;
	for (int i = ISA_LINES; i < MAX_LINES; i++) {
		struct line *l = &lines[i];
		if (l->owner)
			continue;
		uint64_t stray = l->stray;
		*l = (struct line){ .owner = c, .irq = (uint8_t)i, .msi = true, .pending = true,
				    .stray = stray };
		trap_set_handler(IRQ_VECTOR_FIRST + i, interrupt, l);
		if (!start_interrupt_thread(c, l, (unsigned)i, method)) {
			l->owner = NULL;
			return E_NOMEM;
		}
		*line_out = (uint64_t)i;
		*vector_out = IRQ_VECTOR_FIRST + (uint64_t)i;
		return 0;
	}
	return E_LIMIT;
}

/* DMAR device scope of IOAPIC `id` (VT-d 8.3.1): its requester id, when the path is one hop from its bus. */
static bool ioapic_source_id(uint8_t id, uint16_t *sid)
{
	const struct acpi_dmar *dmar = &platform_acpi()->dmar;
	if (dmar->status.state != ACPI_PRESENT)
		return false;
	for (uint32_t u = 0; u < dmar->nunits && u < ACPI_MAX_DMAR_UNITS; u++)
		for (uint32_t i = 0; i < dmar->unit[u].nscopes && i < ACPI_MAX_SCOPES; i++) {
			const struct acpi_dmar_scope *s = &dmar->unit[u].scope[i];
			if (s->type != ACPI_SCOPE_IOAPIC || s->enum_id != id || s->path_len != 1)
				continue;
			*sid = (uint16_t)(s->start_bus << 8 | (s->path[0].dev & 0x1f) << 3 | (s->path[0].fn & 7));
			return true;
		}
	return false;
}

int64_t irq_gsi_route(uint64_t gsi, struct irq_gsi_route *r)
{
	uint8_t ioapic;
	if (gsi >= ISA_LINES || !ioapic_of((uint32_t)gsi, &ioapic))
		return E_NOT_FOUND;
	/* As irq_component_started routes it: the first ISA IRQ the MADT sends to this GSI
	 * gives trigger mode and polarity; a GSI no ISA IRQ reaches keeps the ISA default. */
	*r = (struct irq_gsi_route){ .vector = (uint8_t)(IRQ_VECTOR_FIRST + gsi) };
	for (uint8_t irq = 0; irq < ISA_LINES; irq++) {
		uint32_t to;
		bool level, active_low;
		platform_isa_irq(irq, &to, &level, &active_low);
		if (to == gsi) {
			r->level = level;
			r->active_low = active_low;
			break;
		}
	}
	r->has_source_id = ioapic_source_id(ioapic, &r->source_id);
	return 0;
}

int64_t irq_gsi_remap(uint64_t gsi, uint64_t rte)
{
	struct irq_gsi_route r;
	if (irq_gsi_route(gsi, &r) < 0)
		return E_NOT_FOUND;
	return ioapic_remap((uint32_t)gsi, rte, r.vector, r.level, r.active_low) ? 0 : E_INVAL;
}

int64_t irq_msi_line(uint64_t line, uint64_t *owner, uint64_t *vector)
{
	if (line < ISA_LINES || line >= MAX_LINES || !lines[line].owner || !lines[line].msi)
		return E_NOT_FOUND;
	*owner = (uint64_t)lines[line].owner->id;
	*vector = IRQ_VECTOR_FIRST + line;
	return 0;
}

HOT int64_t irq_wait(struct thread *t, uint64_t irq)
{
	if (irq >= MAX_LINES || lines[irq].owner != t->current || lines[irq].thread != t || t->depth)
		return E_DENIED;
	struct line *l = &lines[irq];
	l->busy = false;
	if (!l->msi)
		ioapic_mask(l->gsi, false);     /* the method returned (or never ran yet); a no-op for edge lines */
	while (!l->pending) {
		int64_t r = thread_block(&l->wait, 0);
		if (r < 0)
			return r;
	}
	l->pending = false;
	l->busy = true;
	l->busy_since = clock_ticks();
	return 0;
}

struct component *irq_thread_busy(const struct thread *t, uint64_t *since_tick)
{
	for (int i = 0; i < MAX_LINES; i++)
		if (lines[i].owner && lines[i].thread == t && lines[i].busy) {
			*since_tick = lines[i].busy_since;
			return lines[i].owner;
		}
	return NULL;
}

void irq_thread_finished(const struct thread *t)
{
	for (int i = 0; i < MAX_LINES; i++)
		if (lines[i].thread == t) {
			lines[i].thread = NULL;
			lines[i].busy = false;
		}
}
