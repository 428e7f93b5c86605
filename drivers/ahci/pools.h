/*
 * pools.h — DMA pools a client lends the AHCI driver: pinned once, used by
 * many requests without a pin and an unpin each (pools.c says why and how).
 */
#ifndef PINFOLD_AHCI_POOLS_H
#define PINFOLD_AHCI_POOLS_H

#include <stdbool.h>
#include <stdint.h>

#define POOLS           16              /* two per client: one in use, one being retired */
#define POOL_MAX_BYTES  (16ull << 20)   /* the chipset pins at most 16 MiB per device */

/* How pools.c pins: the chipset's pin (device may read and write) and unpin. */
struct pool_hooks {
	int64_t (*pin)(uint64_t va, uint64_t len);
	int64_t (*unpin)(uint64_t va, uint64_t len);
};

void pools_init(const struct pool_hooks *hooks);

/* Client `client` lends [va, va+len) (whole pages): its other pools are retired and the
 * range pinned.  E_INVAL, E_LIMIT (no free entry), or the pin's error (E_FAULT: not granted
 * read-write; E_BUSY: a page is pinned already, as by a retired pool still in use). */
int64_t pool_lend(int client, uint64_t va, uint64_t len);

/* The pool of `client` that holds [va, va+len), counted as in use by one more request;
 * -1 if none does (the request pins its buffer itself). */
int pool_enter(int client, uint64_t va, uint64_t len);

/* A request that entered pool p has finished: the device no longer uses the range. */
void pool_leave(int p);

/* Unpins retired pools that no request uses any more (the watch thread, now and then). */
void pools_sweep(void);

/* Bytes pinned in pools, in use or retired. */
uint64_t pools_pinned_bytes(void);

#endif
