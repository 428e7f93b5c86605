/*
 * ata.c — Register Host-to-Device FISes for the ATA commands the driver uses
 * (see ata.h for the field conventions and their sources).
 */
#include "drivers/ahci/ata.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <string.h>

/* A command FIS with nothing but its type, the C bit and the command. */
static void command_fis(struct fis_reg_h2d *fis, uint8_t command)
{
	memset(fis, 0, sizeof *fis);
	fis->type = FIS_TYPE_REG_H2D;
	fis->flags = FIS_H2D_COMMAND;
	fis->command = command;
}

static void set_lba48(struct fis_reg_h2d *fis, uint64_t lba)
{
	fis->lba0 = (uint8_t)lba;
	fis->lba1 = (uint8_t)(lba >> 8);
	fis->lba2 = (uint8_t)(lba >> 16);
	fis->lba3 = (uint8_t)(lba >> 24);
	fis->lba4 = (uint8_t)(lba >> 32);
	fis->lba5 = (uint8_t)(lba >> 40);
	fis->device = ATA_DEVICE_LBA;
}

/* Sectors 1..65536 fit 48-bit commands (65536 is encoded as 0) and never pass the last LBA. */
static bool range_ok(uint64_t lba, uint32_t count)
{
	return count >= 1 && count <= ATA_MAX_COUNT && lba < ATA_LBA48_LIMIT &&
	       count <= ATA_LBA48_LIMIT - lba;
}

void ata_identify(struct fis_reg_h2d *fis)
{
	command_fis(fis, ATA_IDENTIFY_DEVICE);
}

void ata_flush_cache_ext(struct fis_reg_h2d *fis)
{
	command_fis(fis, ATA_FLUSH_CACHE_EXT);
}

HOT int ata_dma_ext(struct fis_reg_h2d *fis, bool write, uint64_t lba, uint32_t count)
{
	if (!range_ok(lba, count))
		return E_INVAL;
	command_fis(fis, write ? ATA_WRITE_DMA_EXT : ATA_READ_DMA_EXT);
	set_lba48(fis, lba);
	fis->count_lo = (uint8_t)count;         /* 65536 wraps to 0, as the standard wants */
	fis->count_hi = (uint8_t)(count >> 8);
	return 0;
}

HOT int ata_fpdma_queued(struct fis_reg_h2d *fis, bool write, uint64_t lba, uint32_t count, unsigned tag)
{
	if (!range_ok(lba, count) || tag > ATA_MAX_TAG)
		return E_INVAL;
	command_fis(fis, write ? ATA_WRITE_FPDMA_QUEUED : ATA_READ_FPDMA_QUEUED);
	set_lba48(fis, lba);                    /* DEVICE: LBA set, FUA (bit 7) clear */
	fis->feature_lo = (uint8_t)count;
	fis->feature_hi = (uint8_t)(count >> 8);
	fis->count_lo = (uint8_t)(tag << 3);
	return 0;
}
