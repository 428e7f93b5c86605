/*
 * blockcheck.h — what blockcheck's files share: the capability for block,
 * the buffers (granted to block as each use needs), the event block signals,
 * and who this instance is.  Design in blockcheck.c.
 */
#ifndef COMPONENTS_BLOCKCHECK_BLOCKCHECK_H
#define COMPONENTS_BLOCKCHECK_BLOCKCHECK_H

#include <pinfold/kcall.h>
#include <stdbool.h>
#include <stdint.h>

#include "components/blockcheck/pattern.h"

#define DISK          0
#define OP_READ       0
#define PIECE         8                 /* sectors per request of the read loop */
#define PIECE_BYTES   (PIECE * SECTOR_BYTES)
#define DEPTH         16                /* the read loop's requests in flight */
#define CHUNK         16                /* sectors per request of the write loop */
#define MS            1000000ull
#define TAG_MASK      (~((1ull << 40) - 1))     /* the part of a cookie that names its client */

extern cap_t block;
extern uint8_t *read_buffer;            /* DEPTH pieces: the read loop's, flood's */
extern uint8_t *write_buffer;           /* CHUNK sectors: the write loop's, revoke's, latency's */
extern int64_t event;                   /* block signals it for my asynchronous requests */
extern char self[16];                   /* my name, for log lines */
extern uint64_t tag;                    /* my component id << 40, in every cookie */

/* An error's text, never NULL. */
const char *why(int64_t err);

/* Grants block my event and subscribes (again: a new generation). */
int64_t subscribe(void);

/* loops.c */
bool loops_running(void);
int64_t loops_start(uint64_t read_at, uint64_t write_at, uint64_t count);
void loops_stop(void);
int64_t loops_status(uint64_t loop, uint64_t *rounds, uint64_t *bad);

/* probes.c */
int64_t probe_revoke(uint64_t *status);
int64_t probe_flood(uint64_t *accepted, uint64_t *busy);
int64_t probe_latency(uint64_t rounds, uint64_t *block_ns, uint64_t *ahci_ns);
int64_t probe_unsupervised(uint64_t *restart, uint64_t *kill);

#endif
