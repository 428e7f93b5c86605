/*
 * request.h — checking a client's request before anything is pinned or
 * issued (STYLE.md "Check, then act").
 *
 * A request is (op, lba, count, buffer) against one disk.  Reads and writes
 * move `count` logical sectors between the disk and the client's buffer;
 * a flush ignores lba, count and buffer.  Every argument comes from an
 * untrusted client, so each is checked here, and a request that fails gets
 * an error and never becomes a command:
 *   - an unknown operation;
 *   - a count of 0, or more than the driver moves in one command
 *     (AHCI_MAX_REQUEST_BYTES, and never more than ATA's 65,536 sectors);
 *   - a range that reaches beyond the disk's last sector (overflow included);
 *   - a buffer at address 0, at an odd address (a PRD's address must be
 *     even, AHCI 1.3.1 §4.2.3.3), or one that wraps or reaches beyond 2^39,
 *     below which all component memory lies (kernel/layout.h);
 *   - a buffer that touches the driver's own memory (its slot of the address
 *     space): the driver may write there, so the chipset would pin it, and a
 *     client could have the disk overwrite the driver's stack or data.
 * Whether the driver may touch the buffer otherwise (the client's grant) is
 * the chipset's check, when the driver pins it.
 *
 * Pure: tested on the host.
 */
#ifndef PINFOLD_AHCI_REQUEST_H
#define PINFOLD_AHCI_REQUEST_H

#include <stdint.h>

#include "kernel/layout.h"

enum ahci_op {
	AHCI_OP_READ = 0,       /* disk to buffer */
	AHCI_OP_WRITE = 1,      /* buffer to disk */
	AHCI_OP_FLUSH = 2,      /* the disk's write cache to its medium */
	AHCI_OPS
};

#define AHCI_MAX_REQUEST_BYTES (4u << 20)
#define AHCI_USER_LIMIT        USER_ADDRESS_LIMIT     /* component memory lies below it */

enum request_error {
	REQUEST_OK,
	REQUEST_BAD_OP,
	REQUEST_ZERO_COUNT,
	REQUEST_TOO_LARGE,
	REQUEST_BEYOND_END,
	REQUEST_NO_BUFFER,
	REQUEST_UNALIGNED,
	REQUEST_BAD_BUFFER,
	REQUEST_OWN_MEMORY,
	REQUEST_ERRORS
};

struct request_bounds {
	uint64_t sectors;
	uint32_t sector_size;   /* a power of two, 512 or more */
	uint64_t own_start, own_end;    /* the driver's own memory, [start, end): its slot */
};

/* The most sectors one request may move on a disk with this sector size. */
uint32_t request_max_count(uint32_t sector_size);

/* Checks a request; on REQUEST_OK, *bytes is its data length (0 for a flush). */
enum request_error request_check(const struct request_bounds *g, uint64_t op, uint64_t lba,
				 uint64_t count, uint64_t buffer, uint64_t *bytes);

/* The part of request_check about where [buffer, buffer+len) lies: in component memory,
 * not wrapping, not touching the driver's own (REQUEST_BAD_BUFFER, REQUEST_OWN_MEMORY).
 * Also the rule for a pool a client lends (drivers/ahci/pools.c). */
enum request_error request_check_range(const struct request_bounds *g, uint64_t buffer, uint64_t len);

/* One line for a person: "the range reaches beyond the end of the disk". */
const char *request_error_text(enum request_error e);

/* The error code a caller gets (pinfold/errors.h): E_INVAL, E_LIMIT for an oversized request,
 * E_FAULT for a buffer in the driver's own memory (as for any buffer it was not given). */
int request_error_code(enum request_error e);

#endif
