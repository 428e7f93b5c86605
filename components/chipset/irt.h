/*
 * irt.h — how the chipset lays out its interrupt remapping table (VT-d 5.1.3).
 *
 * One pinned 4 KiB page of 256 entries (IRTA.S = 7).  Where an interrupt's
 * entry lies follows from what the kernel keeps across a restart of the
 * chipset, so a new instance rebuilds the same table and the messages that
 * devices and the IOAPIC already send stay valid (VT-d 10.4.4, SIRTP: a new
 * table set while remapping is on must remap as the old one did):
 *
 *   0 to 127     message-signalled line n (the kernel's line number) at n;
 *                the kernel's MSI lines are 24 to 39 (kernel/component/irq.h)
 *   128 to 255   IOAPIC line (GSI) g at 128 + g
 */
#ifndef PINFOLD_CHIPSET_IRT_H
#define PINFOLD_CHIPSET_IRT_H

#define IRT_ENTRIES     256
#define IRT_MSI_LIMIT   128     /* MSI lines from 0 to this, exclusive */
#define IRT_IOAPIC_BASE 128
#define IRT_IOAPIC_GSIS (IRT_ENTRIES - IRT_IOAPIC_BASE)

#endif
