/*
 * block.h — what the block service's files share: the book of requests and
 * what block keeps beside each of its slots, the lock over both, the disks'
 * geometry, the bounce pool and the engine.
 *
 * Who does what (the design is in block.c's header comment):
 *   block.c    the methods of block.idl: check a request, enter it in the
 *              book, and for the waiting methods wait for it;
 *   clients.c  asynchronous clients: subscriptions, submit and reap;
 *   engine.c   the one thread that talks to ahci: (re)connects, issues,
 *              reaps, copies read data out, completes requests;
 *   bounce.c   the pool of bounce buffers granted to ahci.
 */
#ifndef COMPONENTS_BLOCK_BLOCK_H
#define COMPONENTS_BLOCK_BLOCK_H

#include <pinfold/kcall.h>
#include <stdbool.h>
#include <stdint.h>

#include "components/block/book.h"
#include "components/block/bounce.h"
#include "drivers/ahci/request.h"

#define BLOCK_MAX_DISKS    8
#define BLOCK_MAX_COUNT    2048u        /* sectors per request (block.idl) */
#define BLOCK_MAX_BYTES    (1u << 20)   /* one request's data: 2048 sectors of 512 bytes */
#define BLOCK_WAITERS      12           /* waiting methods at once: the manifest's stacks */
#define OP_READ            AHCI_OP_READ
#define OP_WRITE           AHCI_OP_WRITE
#define OP_FLUSH           AHCI_OP_FLUSH
#define MS                 1000000ull

/* What block keeps beside book slot s, for as long as the slot is not free. */
struct request {
	uint64_t disk, op, lba, count;
	uint64_t buffer;        /* the client's; 0 once nobody will take the data */
	uint64_t bytes;
	uint8_t *bounce;        /* NULL for a flush */
	int client;             /* clients.c's index, or -1 for a waiting method */
	uint32_t generation;    /* the client's subscription it belongs to */
	int waiter;             /* the waiting method's event, or -1 */
	bool finished;          /* done, data copied out, its owner told */
	bool abandoned;         /* its waiter gave up: free it when it finishes */
};

struct disk_geometry {
	uint64_t sectors;
	uint32_t sector_size;
};

extern cap_t ahci;
extern struct book book;                        /* under block_lock */
extern struct request requests[BOOK_SLOTS];     /* under block_lock */
extern struct disk_geometry geometry[BLOCK_MAX_DISKS];  /* written before ndisks counts it */
extern unsigned ndisks;

/* One lock over the book, requests[], the pool and the clients: held for
 * bookkeeping and copies only, never across a call of ahci. */
void block_lock(void);
void block_unlock(void);

/* Checks and enters a request (data copied in for a write); its book slot, or an error
 * (the caller then has it issued: engine_kick, or engine_transfer):
 * E_NOT_FOUND, E_INVAL, E_LIMIT, E_FAULT, E_BUSY (book, pool or the client's share full). */
int64_t block_enter(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer,
		    int client, uint32_t generation, uint64_t cookie, int waiter);

void block_learn_disks(void);           /* ask ahci for its disks' geometry */

/* The event waiting method w waits on (block.c). */
int64_t waiter_event(int w);

/* Frees a finished request's slot and bounce memory; its status.  Under the lock. */
int64_t block_release(int slot);

/* engine.c */
int64_t engine_start(void);
void engine_kick(void);                 /* a request waits to be issued */
bool engine_transfer(int slot);         /* a waiting read issued by its caller: false if it cannot be */
void engine_stats(uint64_t *reissued, uint64_t *failed);

/* clients.c */
void clients_init(void);
void client_notify(int slot);           /* under the lock: slot finished for an asynchronous client */
int64_t client_subscribe(uint64_t event, uint64_t *client);     /* block.idl's subscribe, submit, reap */
int64_t client_submit(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer, uint64_t cookie);
int64_t client_reap(uint64_t *cookie, uint64_t *status);

#endif
