/*
 * devices.h — the shell's lspci and iommu commands (devices.c).
 */
#ifndef PINFOLD_SHELL_DEVICES_H
#define PINFOLD_SHELL_DEVICES_H

/* One line per PCI function: BB:DD.F VVVV:DDDD CLASS OWNER-or-dash. */
void shell_lspci(void);
/* Whether translation and interrupt remapping are on, the device domains, the recent faults. */
void shell_iommu(void);

#endif
