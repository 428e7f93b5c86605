/*
 * invalidate.h — how the chipset makes the remapping unit forget what it
 * cached: context entries, IOTLB entries (with the paging-structure caches)
 * and interrupt remapping entries.
 *
 * Callers build register-style commands (vtd_ccmd_*, vtd_iotlb_*); this
 * module sends them through the invalidation queue (VT-d 6.5.2) when the
 * unit has one (ECAP.QI), each followed by a wait descriptor it polls for,
 * or else through the CCMD and IOTLB registers (6.5.1).  Either way the
 * invalidation is complete when the call returns.  Interrupt entry cache
 * invalidation exists only as a descriptor: without QI it is a no-op, which
 * is right only for units that cache no entries (QEMU 7.2 re-reads the
 * table for every interrupt; real units with interrupt remapping have QI).
 *
 * A unit that does not finish an invalidation leaves no safe way on: the
 * chipset stops itself (a CPU exception, so the kernel restarts it) before
 * any frame the invalidation was protecting is unpinned, and the new
 * instance rebuilds every domain from the kernel's record.
 *
 * Not locked: the chipset runs one method at a time (its manifest's stacks
 * are for its interrupt and one call, which never overlap in here).
 */
#ifndef PINFOLD_CHIPSET_INVALIDATE_H
#define PINFOLD_CHIPSET_INVALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "libdriver/io.h"
#include "vtd.h"

/*
 * Starts register-based invalidation on the unit at `regs`.  If a previous
 * instance of the chipset left queued invalidation on, it is turned off
 * first (its queue is in memory about to be released); E_BUSY if the unit
 * refuses because that queue is not empty.
 */
int invalidate_init(struct mmio *regs, const struct vtd_caps *caps);

/*
 * Then, where ECAP.QI, switches to queued invalidation: `queue` is a zeroed
 * page at queue_phys, `status` a dword at status_phys, both pinned and out
 * of everyone else's reach.  Returns whether the queue is in use.
 */
bool invalidate_use_queue(void *queue, uint64_t queue_phys, volatile uint32_t *status, uint64_t status_phys);

bool invalidate_queued(void);

/* A context-cache invalidation (a vtd_ccmd_* command). */
void invalidate_context(uint64_t ccmd);

/* An IOTLB invalidation (a vtd_iotlb_* command, and for a page-selective one its IVA value). */
void invalidate_iotlb(uint64_t command, uint64_t iva);

/* The interrupt entry cache: every entry, or entry `index`.  Only with the queue. */
void invalidate_iec_all(void);
void invalidate_iec(uint16_t index);

#endif
