/*
 * structs.h — the memory structures an AHCI HBA reads and writes by DMA.
 *
 * Per port, software gives the HBA (AHCI 1.3.1 §4):
 *   - a command list (PxCLB): 32 command headers, one per slot (§4.2.2);
 *   - a received-FIS area (PxFB) where the HBA copies every FIS the device
 *     sends (§4.2.1);
 *   - for each command, a command table (the header's CTBA) holding the
 *     command FIS and the physical region descriptor table, PRDT (§4.2.3).
 * The command FIS is a SATA Register Host-to-Device FIS (SATA 2.6 §10.3.4).
 *
 * All fields are little endian, as is x86.  In Pinfold every address written
 * here is an IOVA, which is the same number as the virtual address (DESIGN.md
 * "The single address space"), so the driver writes its own pointers.
 * Static assertions pin every size and offset.
 */
#ifndef PINFOLD_AHCI_STRUCTS_H
#define PINFOLD_AHCI_STRUCTS_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* A command header, §4.2.2 (Figure "Command List Structure"): 32 bytes, 32 to a 1 KiB list. */
struct ahci_cmd_header {
	uint16_t flags;         /* DW0 15:0: CFL, A, W, P, R, B, C, PMP (below) */
	uint16_t prdtl;         /* DW0 31:16: entries in the PRDT */
	uint32_t prdbc;         /* DW1: bytes transferred, written by the HBA */
	uint32_t ctba;          /* DW2: command table address, 128-byte aligned */
	uint32_t ctbau;         /* DW3: its upper 32 bits */
	uint32_t reserved[4];   /* DW4-7 */
};
STATIC_ASSERT(sizeof(struct ahci_cmd_header) == 32, "AHCI 4.2.2: a command header is 8 dwords");
STATIC_ASSERT(offsetof(struct ahci_cmd_header, ctba) == 8, "AHCI 4.2.2: CTBA is DW2");

#define CMDH_CFL(dwords)     ((uint16_t)((dwords) & 0x1f))     /* command FIS length in dwords, 2..16 */
#define CMDH_ATAPI           (1u << 5)
#define CMDH_WRITE           (1u << 6)  /* data flows from memory to the device */
#define CMDH_PREFETCH        (1u << 7)
#define CMDH_CLEAR_BUSY      (1u << 10) /* clear busy upon R_OK (for control FISes) */
#define AHCI_CMD_LIST_SIZE   (32 * sizeof(struct ahci_cmd_header))
#define AHCI_CMD_LIST_ALIGN  1024

/* A physical region descriptor, §4.2.3.3: one contiguous piece of the data buffer. */
struct ahci_prd {
	uint32_t dba;           /* DW0: data base address; bit 0 must be 0 (word aligned) */
	uint32_t dbau;          /* DW1: upper 32 bits */
	uint32_t reserved;      /* DW2 */
	uint32_t dbc;           /* DW3: 21:0 byte count minus one (an even count), 31: I */
};
STATIC_ASSERT(sizeof(struct ahci_prd) == 16, "AHCI 4.2.3.3: a PRD entry is 4 dwords");

#define PRD_MAX_BYTES        (4u << 20) /* DBC is 22 bits: at most 4 MiB per entry */
#define PRD_DBC_MASK         0x003fffffu
#define PRD_INTERRUPT        (1u << 31) /* interrupt when this entry is done (unused: the FIS tells) */

/*
 * A command table, §4.2.3: the command FIS, an ATAPI command, then the PRDT.
 * The PRDT may have up to 65535 entries; Pinfold's tables have room for
 * AHCI_TABLE_PRDS, enough for the largest request a client may make
 * (request.h) plus one, which `inject wild-dma` uses.
 */
#define AHCI_TABLE_PRDS      8
struct ahci_cmd_table {
	uint8_t cfis[64];       /* 0x00: the command FIS */
	uint8_t acmd[16];       /* 0x40: the ATAPI command (unused for disks) */
	uint8_t reserved[48];   /* 0x50 */
	struct ahci_prd prdt[AHCI_TABLE_PRDS];  /* 0x80 */
};
STATIC_ASSERT(offsetof(struct ahci_cmd_table, acmd) == 0x40, "AHCI 4.2.3: ACMD at 40h");
STATIC_ASSERT(offsetof(struct ahci_cmd_table, prdt) == 0x80, "AHCI 4.2.3: the PRDT starts at 80h");
STATIC_ASSERT(sizeof(struct ahci_cmd_table) % 128 == 0, "AHCI 4.2.2: CTBA is 128-byte aligned");
#define AHCI_CMD_TABLE_ALIGN 128

/* The received-FIS area, §4.2.1: 256 bytes, 256-byte aligned. */
struct ahci_received_fis {
	uint8_t dsfis[28];      /* 0x00: DMA setup FIS */
	uint8_t pad0[4];
	uint8_t psfis[20];      /* 0x20: PIO setup FIS */
	uint8_t pad1[12];
	uint8_t rfis[20];       /* 0x40: D2H register FIS: status and error of the last command */
	uint8_t pad2[4];
	uint8_t sdbfis[8];      /* 0x58: set device bits FIS: queued commands done */
	uint8_t ufis[64];       /* 0x60: unknown FIS */
	uint8_t reserved[96];   /* 0xa0 */
};
STATIC_ASSERT(offsetof(struct ahci_received_fis, psfis) == 0x20, "AHCI 4.2.1: PSFIS at 20h");
STATIC_ASSERT(offsetof(struct ahci_received_fis, rfis) == 0x40, "AHCI 4.2.1: RFIS at 40h");
STATIC_ASSERT(offsetof(struct ahci_received_fis, sdbfis) == 0x58, "AHCI 4.2.1: SDBFIS at 58h");
STATIC_ASSERT(offsetof(struct ahci_received_fis, ufis) == 0x60, "AHCI 4.2.1: UFIS at 60h");
STATIC_ASSERT(sizeof(struct ahci_received_fis) == 256, "AHCI 4.2.1: the area is 256 bytes");
#define AHCI_RECEIVED_FIS_ALIGN 256

/* FIS types, SATA 2.6 §10.3.1. */
#define FIS_TYPE_REG_H2D     0x27
#define FIS_TYPE_REG_D2H     0x34
#define FIS_TYPE_SDB         0xa1

/* A Register Host-to-Device FIS, SATA 2.6 §10.3.4: 5 dwords. */
struct fis_reg_h2d {
	uint8_t type;           /* FIS_TYPE_REG_H2D */
	uint8_t flags;          /* 7: C (this FIS carries a command), 3:0 port multiplier port */
	uint8_t command;        /* the ATA command */
	uint8_t feature_lo;     /* features 7:0 */
	uint8_t lba0, lba1, lba2;       /* LBA 7:0, 15:8, 23:16 */
	uint8_t device;         /* 6: LBA mode; 7: FUA for queued commands */
	uint8_t lba3, lba4, lba5;       /* LBA 31:24, 39:32, 47:40 */
	uint8_t feature_hi;     /* features 15:8 */
	uint8_t count_lo;       /* count 7:0 (for queued commands: the tag in 7:3) */
	uint8_t count_hi;       /* count 15:8 */
	uint8_t icc;
	uint8_t control;
	uint8_t aux[4];
};
STATIC_ASSERT(sizeof(struct fis_reg_h2d) == 20, "SATA 10.3.4: a Register H2D FIS is 5 dwords");
STATIC_ASSERT(offsetof(struct fis_reg_h2d, device) == 7, "SATA 10.3.4: Device is byte 7");
STATIC_ASSERT(offsetof(struct fis_reg_h2d, count_lo) == 12, "SATA 10.3.4: Count is byte 12");
#define FIS_H2D_COMMAND      0x80       /* flags bit 7, C */
#define FIS_H2D_DWORDS       5

#endif
