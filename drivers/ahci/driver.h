/*
 * driver.h — the AHCI driver's own state, shared by its files:
 *
 *   ahci.c     init (taking the HBA over, finding disks) and the methods
 *   port.c     port register sequences: stop, attach, start, COMRESET
 *   slots.c    the life of a request in a command slot, without locks
 *   clients.c  who is waiting for which completion
 *   pools.c    DMA pools clients lend, pinned once for many requests
 *   misbehave.c  the inject kinds
 *
 * Nothing here is visible to other components; ahci.idl is the interface.
 */
#ifndef PINFOLD_AHCI_DRIVER_H
#define PINFOLD_AHCI_DRIVER_H

#include <pinfold/kcall.h>
#include <stdbool.h>
#include <stdint.h>

#include "drivers/ahci/hba.h"
#include "drivers/ahci/identify.h"
#include "drivers/ahci/pools.h"
#include "drivers/ahci/request.h"
#include "drivers/ahci/structs.h"
#include "libdriver/pci_driver.h"

#define MAX_DISKS        6              /* the ICH9 has six ports */
#define MS               1000000ull

/*
 * A command slot's life (slots.c).  Every change is one atomic
 * compare-and-swap or store, so a client thread, the interrupt thread and
 * the watch thread may all work on a disk at once without a lock that a
 * killed thread could leave held.
 *
 *   FREE -> FILLING   a submitter claimed it, pins and fills it
 *   FILLING -> ISSUED the command is in PxCI (and PxSACT)
 *   ISSUED -> DONE    whoever claimed its completion unpinned the buffer
 *                     and set status
 *   DONE -> TAKEN     the waiter or reaper claimed the result
 *   TAKEN/FILLING -> FREE
 */
enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_ISSUED, SLOT_DONE, SLOT_TAKEN };

struct slot {
	uint32_t state;                 /* enum slot_state: atomic */
	/* Written by the slot's holder only (the claimer in FILLING, the completer in DONE). */
	bool queued;                    /* issued as an NCQ command */
	int waiter;                     /* index of a synchronous waiter (clients.c), or -1 */
	int client;                     /* index of the asynchronous client, or -1 */
	uint32_t generation;            /* that client's subscription when it submitted */
	uint64_t cookie;
	int64_t status;                 /* 0 or a negative error, in DONE */
	uint64_t pin_va, pin_len;       /* the pinned span; pin_len 0: nothing pinned */
	int pool;                       /* the lent pool the buffer lies in (pools.h), or -1 */
	uint32_t issues;                /* bumped by each issue (atomic): what the watch thread times */
	/* The watch thread's own: the issue it saw last, and for how many of its rounds. */
	uint32_t watched_issue;
	unsigned watched_rounds;
};

struct disk {
	unsigned index, port;
	struct mmio regs;               /* the port's 0x80 bytes of registers (§3.3) */
	uint8_t *mem;                   /* the structures below, one pinned allocation */
	struct ahci_cmd_header *list;
	struct ahci_received_fis *fis;
	struct ahci_cmd_table *tables;  /* one per slot */
	uint8_t *scratch;               /* 512 bytes the device may write: IDENTIFY data */
	struct ata_identity id;
	unsigned nslots;                /* slots in use: CAP.NCS, or the NCQ depth if smaller */
	bool ncq;
	struct slot slot[AHCI_SLOTS];
	/* Atomic: */
	uint32_t issued;                /* slots the HBA holds, whose completion nobody claimed */
	uint32_t mode;                  /* NCQ commands in flight in 15:0, non-queued in 31:16 */
	uint32_t in_issue;              /* submitters between writing PxCI and setting `issued` */
	uint32_t recovering;            /* 1 while the port is being reset: no new commands */
	uint32_t dead;                  /* 1 once a reset failed: every request gets E_IO */
	uint64_t completed, failed, recoveries;
};

extern struct disk disks[MAX_DISKS];
extern unsigned ndisks;
extern struct pci_driver pci;          /* our controller, through the chipset (libdriver) */
extern struct mmio hba;                 /* ABAR (BAR 5); size 0 until the HBA is ours */
extern bool hung;                       /* `inject ahci hang`: the device is no longer serviced */
extern bool irq_hang;                   /* `inject ahci irq-hang`: the next interrupt never returns */
extern uint32_t interrupt_runs;         /* the interrupt method's starts and ends: odd while it runs (atomic) */

/* Register access through libdriver's bounded windows: a stray offset stops the driver. */
static inline uint32_t hba_r32(unsigned reg) { return mmio_read32(&hba, reg); }
static inline void hba_w32(unsigned reg, uint32_t v) { mmio_write32(&hba, reg, v); }
static inline uint32_t port_r32(const struct disk *d, unsigned reg) { return mmio_read32(&d->regs, reg); }
static inline void port_w32(const struct disk *d, unsigned reg, uint32_t v) { mmio_write32(&d->regs, reg, v); }

/* The checks of a request (request.h) on disk d; its own_* are the driver's slot of the
 * address space, where everything of the driver's lies (kernel/layout.h).  NULL: no disk. */
static inline struct request_bounds driver_bounds(const struct disk *d)
{
	uint64_t own = (uint64_t)&disks & ~(COMPONENT_SLOT_SIZE - 1);
	return (struct request_bounds){ d ? d->id.sectors : 0, d ? d->id.sector_size : 0,
					own, own + COMPONENT_SLOT_SIZE };
}

/* port.c */
int hba_take_over(void);
int port_attach(struct disk *d);
void port_detach(struct disk *d);
int port_start(struct disk *d);
int port_reset(struct disk *d);

/* slots.c: building and issuing commands, claiming completions, recovering a port */
int slot_claim(struct disk *d, bool queued);
void slot_unclaim(struct disk *d, int s);
void slot_issue(struct disk *d, int s, unsigned nprd, bool write);
/* `lender`: the subscription whose lent pools (pools.h) may hold the buffer, or -1. */
int64_t request_start(struct disk *d, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer,
		      int waiter, int client, uint32_t generation, uint64_t cookie, int lender, int *slot_out);
bool collect(struct disk *d);           /* false: an error holds the port, for recover() */
void recover(struct disk *d, const char *why, uint32_t is);
void slot_release(struct slot *s);

/* clients.c: synchronous waiters and asynchronous clients */
extern uint64_t epoch;
int clients_init(void);
void notify(struct slot *s);
int waiter_claim(void);
void waiter_release(int w);
int64_t waiter_wait(int w, struct disk *d, int s, uint64_t timeout_ns);
int64_t client_subscribe(int id, int64_t event, uint64_t *epoch_out);
int64_t client_lookup(int id, uint32_t *generation);
int64_t client_reap(int id, uint64_t *cookie, uint64_t *status);

/* misbehave.c */
int64_t misbehave(uint64_t kind);

#endif
