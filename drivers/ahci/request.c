/*
 * request.c — request validation (see request.h).
 */
#include "drivers/ahci/request.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>

#include "drivers/ahci/ata.h"

HOT uint32_t request_max_count(uint32_t sector_size)
{
	uint32_t n = sector_size ? AHCI_MAX_REQUEST_BYTES / sector_size : 0;
	return n > ATA_MAX_COUNT ? ATA_MAX_COUNT : n;
}

HOT enum request_error request_check(const struct request_bounds *g, uint64_t op, uint64_t lba,
				 uint64_t count, uint64_t buffer, uint64_t *bytes)
{
	*bytes = 0;
	if (op >= AHCI_OPS)
		return REQUEST_BAD_OP;
	if (op == AHCI_OP_FLUSH)
		return REQUEST_OK;
	if (count == 0)
		return REQUEST_ZERO_COUNT;
	if (count > request_max_count(g->sector_size))
		return REQUEST_TOO_LARGE;
	if (lba >= g->sectors || count > g->sectors - lba)
		return REQUEST_BEYOND_END;
	if (buffer == 0)
		return REQUEST_NO_BUFFER;
	if (buffer & 1)
		return REQUEST_UNALIGNED;
	uint64_t len = count * g->sector_size;  /* count is bounded: no overflow */
	enum request_error bad = request_check_range(g, buffer, len);
	if (bad == REQUEST_OK)
		*bytes = len;
	return bad;
}

HOT enum request_error request_check_range(const struct request_bounds *g, uint64_t buffer, uint64_t len)
{
	if (buffer >= AHCI_USER_LIMIT || len > AHCI_USER_LIMIT - buffer)
		return REQUEST_BAD_BUFFER;
	if (buffer < g->own_end && g->own_start < buffer + len)
		return REQUEST_OWN_MEMORY;
	return REQUEST_OK;
}

static const char *const texts[REQUEST_ERRORS] = {
	[REQUEST_OK] = "ok",
	[REQUEST_BAD_OP] = "unknown operation (0 read, 1 write, 2 flush)",
	[REQUEST_ZERO_COUNT] = "a count of zero sectors",
	[REQUEST_TOO_LARGE] = "more sectors than one request may move",
	[REQUEST_BEYOND_END] = "the range reaches beyond the end of the disk",
	[REQUEST_NO_BUFFER] = "no buffer",
	[REQUEST_UNALIGNED] = "the buffer is at an odd address",
	[REQUEST_BAD_BUFFER] = "the buffer is not in component memory",
	[REQUEST_OWN_MEMORY] = "the buffer is in the driver's own memory",
};

const char *request_error_text(enum request_error e)
{
	return (unsigned)e < REQUEST_ERRORS ? texts[e] : "unknown error";
}

int request_error_code(enum request_error e)
{
	switch (e) {
	case REQUEST_OK:
		return 0;
	case REQUEST_TOO_LARGE:
		return E_LIMIT;
	case REQUEST_OWN_MEMORY:
		return E_FAULT;
	default:
		return E_INVAL;
	}
}
