/*
 * pins.h — the kernel's record of the DMA pins the chipset made for one
 * component: for each pinned page, its address in the component, the frame
 * behind it and how the chipset pinned it (DMA_PIN_WRITE, DMA_PIN_RANGE_START).
 *
 * Why the kernel keeps it: the chipset's own memory goes when it crashes,
 * but the IOMMU tables it built keep pointing at these frames until a new
 * instance replaces them.  The record is what a restarted chipset rebuilds
 * each driver's DMA domain from (kernel/component/device.c,
 * SYS_DEVICE_RECORD), and it lets an unpin name exactly one pin of its
 * component.  It is authoritative because every entry was checked by
 * device_pin when it was made; nothing the crashed chipset left behind is
 * trusted.
 *
 * Records live in whole frames taken as needed and given back when the last
 * record of a frame goes.  Order is not kept: removing moves the last record
 * into the hole, so lookups are a linear scan (a driver pins few pages; the
 * limit below bounds the scan).  Callers run with interrupts off, as every
 * kernel call does (component.h).
 */
#ifndef PINFOLD_COMPONENT_PINS_H
#define PINFOLD_COMPONENT_PINS_H

#include <stdbool.h>
#include <stdint.h>

#include <pinfold/syscalls.h>

#define PIN_RECORDS_PER_FRAME 256       /* 16-byte records in a 4 KiB frame */
#define PIN_FRAMES_MAX        20        /* 5120 pins: a driver's 4096 and the chipset's tables */

/* A record's address carries the DMA_PIN_* flags in its low bits (pinned addresses are page aligned). */
#define PIN_FLAGS ((uint64_t)(DMA_PIN_WRITE | DMA_PIN_RANGE_START))

struct pin_record {
	uint64_t va_flags;              /* page address | DMA_PIN_* */
	uint64_t pa;                    /* the frame */
};

struct pin_list {
	uint64_t frame[PIN_FRAMES_MAX]; /* physical addresses of the record frames; 0: none yet */
	uint32_t count;
};

/* Adds a record.  E_LIMIT when the list is full, E_NOMEM when no frame is free for it. */
int pins_add(struct pin_list *l, uint64_t va_flags, uint64_t pa);

/* Removes the record of page `va` on frame `pa` (flags ignored); false if there is none. */
bool pins_remove(struct pin_list *l, uint64_t va, uint64_t pa);

/* Record n (0 <= n < count) into *out; false past the end. */
bool pins_get(const struct pin_list *l, uint32_t n, struct pin_record *out);

#endif
