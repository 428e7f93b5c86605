/*
 * irq.h — device interrupts delivered to the components that own them
 * (DESIGN.md, "Interrupts").
 *
 * A component that lists `irq N` in the manifest and declares a method named
 * `interrupt` gets, each time it is (re)started, an interrupt thread of its
 * own.  The thread waits in the kernel (SYS_IRQ_WAIT); when the interrupt
 * arrives the kernel masks its line, acknowledges the LAPIC and wakes the
 * thread, which runs the component's interrupt method; its next SYS_IRQ_WAIT
 * says the method returned, and the line is unmasked.  The method also runs
 * once when the thread starts, for anything that arrived while it was down.  Because the thread
 * already runs in the driver's domain, "entering the interrupt method" is a
 * local call through the component's generated dispatch, not a second PDX.
 *
 * Interrupts that arrive while the method runs are remembered (pending) and
 * delivered when it returns, so none is lost and none storms.
 * A line that fires more often in IRQ_STORM_WINDOW_MS than its owner's
 * manifest allows (`storm`, 5,000 unless it says otherwise: a disk that
 * interrupts once a command needs more) is an interrupt storm, charged to
 * its owner like a crash.  Only level-triggered
 * lines are masked while the method runs: a masked pin may drop an edge.
 */
#ifndef PINFOLD_COMPONENT_IRQ_H
#define PINFOLD_COMPONENT_IRQ_H

#include <pinfold/syscalls.h>
#include <stdint.h>

#include "kernel/component/component.h"

#define IRQ_VECTOR_FIRST   DEVICE_VECTOR_FIRST
#define IRQ_ISA_LINES      24       /* IOAPIC lines (GSIs) with a vector: IRQ_VECTOR_FIRST + gsi */
#define IRQ_MSI_LINES      16       /* message-signalled lines, bound through the chipset */
STATIC_ASSERT(IRQ_VECTOR_FIRST + IRQ_ISA_LINES + IRQ_MSI_LINES - 1 == DEVICE_VECTOR_LAST,
	      "the device vectors of pinfold/syscalls.h are the lines' vectors");
#define IRQ_STORM_WINDOW_MS 100

/* After c's init returned: route its lines and start its interrupt threads. */
void irq_component_started(struct component *c);

/* When c crashes or stops: mask its lines (its threads die with it). */
void irq_component_stopped(struct component *c);

/* SYS_IRQ_WAIT(line): the caller's interrupt method returned; wait for the next interrupt. */
int64_t irq_wait(struct thread *t, uint64_t line);

/*
 * Gives `c` a message-signalled line with its own interrupt thread; the
 * chipset programs c's device to send `*vector_out`.  The line is released
 * when c stops.
 */
int64_t irq_bind_msi(struct component *c, uint64_t *line_out, uint64_t *vector_out);

/* How IOAPIC line `gsi` is delivered (INFO_GSI_ROUTE). */
struct irq_gsi_route {
	uint8_t vector;
	bool level, active_low;
	bool has_source_id;             /* the DMAR names the IOAPIC's requester id ... */
	uint16_t source_id;             /* ... this one (bus << 8 | dev << 3 | fn) */
};

/* 0 and *r, or E_NOT_FOUND if no IOAPIC has that line or the kernel gives it no vector. */
int64_t irq_gsi_route(uint64_t gsi, struct irq_gsi_route *r);

/*
 * SYS_IOAPIC_REMAP for the chipset: from now on `gsi` goes through the
 * interrupt-remapping entry that `rte` (a remappable-format RTE) names.
 * E_NOT_FOUND for a line without a vector; E_INVAL if rte is not remappable
 * or disagrees with irq_gsi_route's vector, trigger mode or polarity.
 */
int64_t irq_gsi_remap(uint64_t gsi, uint64_t rte);

/* INFO_MSI_LINE: the component message-signalled `line` is bound to, and its vector; E_NOT_FOUND if none. */
int64_t irq_msi_line(uint64_t line, uint64_t *owner, uint64_t *vector);

/* For the watchdog: the owner if `t` is inside an interrupt method (and since which tick), else NULL. */
struct component *irq_thread_busy(const struct thread *t, uint64_t *since_tick);

/* `t` ends: it is no longer any line's interrupt thread. */
void irq_thread_finished(const struct thread *t);

#endif
