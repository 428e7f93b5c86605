/*
 * intremap.h — the chipset's interrupt remapping table (VT-d 5.1): its
 * entries, and whose each one is.  Layout in irt.h; the register sequence
 * that points the unit at the table and turns remapping on is chipset.c's.
 */
#ifndef PINFOLD_CHIPSET_INTREMAP_H
#define PINFOLD_CHIPSET_INTREMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "vtd.h"

/* Takes `table`, IRT_ENTRIES zeroed entries the unit will read, and the boot CPU's APIC id. */
void intremap_init(volatile struct vtd_entry *table, uint8_t apic_id);

/* Whether intremap_init has been given a table. */
bool intremap_ready(void);

/*
 * Entry `index` (a message-signalled line's) turns the MSI of device number
 * `device`, requester id `sid`, into `vector` on the boot CPU, and no other
 * requester's; `component` is its driver.  E_LIMIT for an index outside the
 * MSI entries, E_INVAL for a vector no entry may carry.
 */
int64_t intremap_msi_set(uint64_t index, uint64_t vector, uint16_t sid, int device, int component);

/* Clears every MSI entry of `component`, each after msi_off(its device) has silenced the device. */
void intremap_msi_release(int component, void (*msi_off)(int device));

/* An entry for every IOAPIC line the kernel gives a vector (before the unit uses the table). */
void intremap_ioapic_fill(void);

/* Then, with remapping on: the kernel writes those lines in remappable format.  Returns how many. */
unsigned intremap_ioapic_switch(void);

/* The n-th entry in use: its index, and info = owner+1 << 32 | sid << 16 | svt << 8 | vector. */
int64_t intremap_entry(uint64_t n, uint64_t *index, uint64_t *info);

#endif
