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
 * Records live in whole frames taken as needed, in the order they were
 * added.  A removed record leaves a hole (frame 0, which is never pinned)
 * until holes outnumber records, when the list is compacted and frames it no
 * longer needs are given back.  A removal searches from just after the last
 * one, so unpinning a range in the order it was pinned costs a step a page;
 * reading the records in order (pins_get with n = 0, 1, 2, ...) is linear
 * too.  Callers run with interrupts off, as every kernel call does
 * (component.h).
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
	uint32_t end;                   /* slots in use, records and holes */
	uint32_t count;                 /* records */
	uint32_t cursor;                /* where the next removal's search starts */
	bool read_valid;                /* pins_get's last answer is still where it was: */
	uint32_t read_n, read_at;       /* record read_n is in slot read_at */
};

/* Adds a record.  E_LIMIT when the list is full, E_NOMEM when no frame is free for it. */
int pins_add(struct pin_list *l, uint64_t va_flags, uint64_t pa);

/* Removes the record of page `va` on frame `pa` (flags ignored); false if there is none. */
bool pins_remove(struct pin_list *l, uint64_t va, uint64_t pa);

/* Record n (0 <= n < count) into *out; false past the end.  It remembers where it read. */
bool pins_get(struct pin_list *l, uint32_t n, struct pin_record *out);

#endif
