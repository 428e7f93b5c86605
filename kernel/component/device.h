/*
 * device.h — mechanisms for the chipset component: device memory, DMA pins,
 * MSI lines, IOAPIC remapping and device faults (kernel/component/device.c).
 *
 * Every call is refused (E_DENIED) unless `caller` holds the manifest's
 * `chipset` right; targets are component ids.
 */
#ifndef PINFOLD_COMPONENT_DEVICE_H
#define PINFOLD_COMPONENT_DEVICE_H

#include <stdint.h>

#include "kernel/component/component.h"

/* Maps [pa, pa+len) of device memory, uncached, into the target's device area; *va_out is where. */
int64_t device_map(struct component *caller, uint64_t target, uint64_t pa, uint64_t len,
		   uint64_t *va_out);

/* Pins the frame behind the target's page at `va` (which it must be able to write if `write`). */
int64_t device_pin(struct component *caller, uint64_t target, uint64_t va, uint64_t write,
		   uint64_t *pa_out);
/* Drops one pin of frame `pa` made for the target. */
int64_t device_unpin(struct component *caller, uint64_t target, uint64_t pa);

/* A message-signalled line for the target's interrupt method (irq_bind_msi). */
int64_t device_bind_msi(struct component *caller, uint64_t target, uint64_t *line, uint64_t *vector);

/* IOAPIC line `gsi` goes through the remapping entry its remappable RTE `rte` names (irq_gsi_remap). */
int64_t device_ioapic_remap(struct component *caller, uint64_t gsi, uint64_t rte);

/* Crashes the target with `reason` (its device did something it must not). */
int64_t device_charge_fault(struct component *caller, uint64_t target, const char *reason);

/* The component holding the chipset right, or NULL. */
struct component *device_chipset(void);

#endif
