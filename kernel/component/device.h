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

/*
 * Pins the frame behind the target's page at `va` (which it must be able to
 * write if flags has DMA_PIN_WRITE) and records the pin with `flags` (pins.h).
 */
int64_t device_pin(struct component *caller, uint64_t target, uint64_t va, uint64_t flags,
		   uint64_t *pa_out);
/* Drops the pin of the target's page `va` on frame `pa`; E_NOT_FOUND if it has no such pin. */
int64_t device_unpin(struct component *caller, uint64_t target, uint64_t va, uint64_t pa);

/* Records that the target drives PCI function bdf_plus_one - 1 (0: none), for a restarted chipset. */
int64_t device_claim(struct component *caller, uint64_t target, uint64_t bdf_plus_one);

/*
 * What the kernel keeps for the chipset about the target: for n = 0, its
 * claimed function (bdf + 1, or 0) and how many pins it has; for n >= 1,
 * pin n - 1: its address | DMA_PIN_* flags, and its frame.  E_NOT_FOUND past the last.
 */
int64_t device_record(struct component *caller, uint64_t target, uint64_t n, uint64_t *value,
		      uint64_t *value2);

/* A message-signalled line for the target's interrupt method (irq_bind_msi). */
int64_t device_bind_msi(struct component *caller, uint64_t target, uint64_t *line, uint64_t *vector);

/* IOAPIC line `gsi` goes through the remapping entry its remappable RTE `rte` names (irq_gsi_remap). */
int64_t device_ioapic_remap(struct component *caller, uint64_t gsi, uint64_t rte);

/* Crashes the target with `reason` (its device did something it must not). */
int64_t device_charge_fault(struct component *caller, uint64_t target, const char *reason);

/* The component holding the chipset right, or NULL. */
struct component *device_chipset(void);

#endif
