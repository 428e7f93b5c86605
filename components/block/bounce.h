/*
 * bounce.h — the pool of bounce buffers that block grants to the AHCI driver
 * (design in bounce.c).
 */
#ifndef COMPONENTS_BLOCK_BOUNCE_H
#define COMPONENTS_BLOCK_BOUNCE_H

#include <stdint.h>

#define BOUNCE_POOL_BYTES (4u << 20)    /* what may be in flight at once */

/* The pool is BOUNCE_POOL_BYTES at memory, page-aligned; all of it free. */
void bounce_init(uint8_t *memory);
uint8_t *bounce_pool(void);

/* A run of whole pages for bytes (> 0), or NULL if no run is free. */
uint8_t *bounce_alloc(uint64_t bytes);

/* Gives back what bounce_alloc(bytes) returned; NULL is ignored. */
void bounce_free(uint8_t *p, uint64_t bytes);

#endif
