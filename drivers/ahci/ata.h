/*
 * ata.h — the ATA commands the AHCI driver sends, as Register Host-to-Device
 * FISes (SATA 2.6 §10.3.4) ready for a command table.
 *
 * Command codes and field use are those of ATA8-ACS (T13/1699-D), by
 * command name: READ DMA EXT (25h), WRITE DMA EXT (35h), READ FPDMA QUEUED
 * (60h), WRITE FPDMA QUEUED (61h), FLUSH CACHE EXT (EAh), IDENTIFY DEVICE
 * (ECh).  The 48-bit commands carry the LBA in LBA 47:0 and the count in
 * COUNT 15:0, where 0 means 65,536 sectors.  The queued (NCQ) commands move
 * the count to FEATURE 15:0 and put the command's tag in COUNT 7:3; the
 * tag is the AHCI slot the command occupies (AHCI 1.3.1 §5.6.4.1).
 *
 * Pure: tested on the host.  Every builder clears the whole FIS first.
 */
#ifndef PINFOLD_AHCI_ATA_H
#define PINFOLD_AHCI_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/ahci/structs.h"

enum ata_command {
	ATA_READ_DMA_EXT        = 0x25,
	ATA_WRITE_DMA_EXT       = 0x35,
	ATA_READ_FPDMA_QUEUED   = 0x60,
	ATA_WRITE_FPDMA_QUEUED  = 0x61,
	ATA_FLUSH_CACHE_EXT     = 0xea,
	ATA_IDENTIFY_DEVICE     = 0xec,
};

#define ATA_DEVICE_LBA       0x40       /* DEVICE bit 6: the address is an LBA */
#define ATA_LBA48_LIMIT      (1ull << 48)
#define ATA_MAX_COUNT        65536u     /* sectors per 48-bit command (COUNT 0 means this) */
#define ATA_MAX_TAG          31
#define ATA_IDENTIFY_BYTES   512

/* IDENTIFY DEVICE: 512 bytes of data from the device (identify.h reads them). */
void ata_identify(struct fis_reg_h2d *fis);

/* FLUSH CACHE EXT: the device writes its volatile cache to the medium. */
void ata_flush_cache_ext(struct fis_reg_h2d *fis);

/* READ or WRITE DMA EXT of `count` sectors (1..65536) at `lba`; E_INVAL if either is out of range. */
int ata_dma_ext(struct fis_reg_h2d *fis, bool write, uint64_t lba, uint32_t count);

/* READ or WRITE FPDMA QUEUED with tag 0..31; E_INVAL if count, lba or tag is out of range. */
int ata_fpdma_queued(struct fis_reg_h2d *fis, bool write, uint64_t lba, uint32_t count, unsigned tag);

#endif
