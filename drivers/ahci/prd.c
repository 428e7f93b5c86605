/*
 * prd.c — physical region descriptor tables (see prd.h).
 */
#include "drivers/ahci/prd.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>

unsigned prd_entries(uint64_t len)
{
	return (unsigned)((len + PRD_MAX_BYTES - 1) / PRD_MAX_BYTES);
}

HOT int prd_build(struct ahci_prd *prd, unsigned max, uint64_t address, uint64_t len)
{
	if (len == 0 || (len & 1) || (address & 1) || address + len < address)
		return E_INVAL;
	if (len > (uint64_t)max * PRD_MAX_BYTES)
		return E_LIMIT;
	unsigned n = 0;
	while (len) {
		uint32_t piece = len < PRD_MAX_BYTES ? (uint32_t)len : PRD_MAX_BYTES;
		prd[n].dba = (uint32_t)address;
		prd[n].dbau = (uint32_t)(address >> 32);
		prd[n].reserved = 0;
		prd[n].dbc = (piece - 1) & PRD_DBC_MASK;        /* byte count minus one: always odd */
		address += piece;
		len -= piece;
		n++;
	}
	return (int)n;
}
