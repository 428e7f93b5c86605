/*
 * domain.h — the chipset's record of each PCI function and its IOMMU
 * domain: who drives it, its second-level tables, and the ranges pinned in
 * them.  Owned by chipset.c; adopt.c rebuilds it after a restart.
 *
 * Not locked: the chipset runs one method at a time.
 */
#ifndef PINFOLD_CHIPSET_DOMAIN_H
#define PINFOLD_CHIPSET_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "iopt.h"
#include "pci.h"

#define MAX_DEVICES     64
#define MAX_RANGES      64              /* pinned ranges per device */
#define MAX_PIN_PAGES   4096            /* 16 MiB per device */

/* One pin call's pages: unpin names exactly such a range. */
struct range {
	uint64_t va, pages;             /* pages = 0: the slot is free */
	bool write;
};

struct device {
	struct pci_function fn;
	int owner;                      /* component id, -1: unclaimed */
	bool has_domain;                /* pt is built and the context entry present */
	struct iopt pt;
	struct range range[MAX_RANGES];
	uint64_t pages, faults;
};

extern struct device devices[MAX_DEVICES];
extern int ndevices;

struct device *device_by_bdf(uint16_t bdf);

/* Gives d an empty IOMMU domain: its tables, and a present context entry. */
int64_t domain_create(struct device *d);

#endif
