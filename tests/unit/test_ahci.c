/*
 * test_ahci.c — the pure parts of the AHCI driver (drivers/ahci): ATA
 * command FISes, PRD tables, IDENTIFY parsing and request validation.
 *
 * Expected FIS bytes are worked out by hand from SATA 2.6 §10.3.4 and the
 * ATA8-ACS command descriptions.  The IDENTIFY data is, first, QEMU 7.2's
 * real answer for a 16 MiB ide-hd (captured from the driver's buffer), and
 * then built word by word with the same values and varied.
 */
#include "unit.h"

#include <pinfold/errors.h>
#include <string.h>

#include "drivers/ahci/ata.h"
#include "drivers/ahci/hba.h"
#include "drivers/ahci/identify.h"
#include "drivers/ahci/prd.h"
#include "drivers/ahci/request.h"
#include "drivers/ahci/structs.h"

static const uint8_t *bytes_of(const struct fis_reg_h2d *fis) { return (const uint8_t *)fis; }

TEST(ahci_register_layout)
{
	CHECK_EQ(PORT_BASE(0), 0x100);
	CHECK_EQ(PORT_BASE(5) + PX_CI, 0x100 + 5 * 0x80 + 0x38);
	CHECK_EQ(CAP_NP(0x40141f05u), 6);               /* QEMU ICH9: 6 ports */
	CHECK_EQ(CAP_NCS(0x40141f05u), 32);
	CHECK((0xc0141f05u & CAP_SNCQ) != 0);
	CHECK_EQ(PXIS_TFES, 0x40000000u);
	CHECK_EQ(PXCMD_CR, 0x8000u);
	CHECK_EQ(sizeof(struct ahci_cmd_table), 0x80 + 16 * AHCI_TABLE_PRDS);
}

TEST(ahci_fis_identify_and_flush)
{
	struct fis_reg_h2d fis;
	memset(&fis, 0xee, sizeof fis);
	ata_identify(&fis);
	const uint8_t want[20] = { 0x27, 0x80, 0xec };
	CHECK(memcmp(bytes_of(&fis), want, 20) == 0);
	ata_flush_cache_ext(&fis);
	CHECK_EQ(bytes_of(&fis)[2], 0xea);
	CHECK_EQ(bytes_of(&fis)[7], 0);
	CHECK_EQ(bytes_of(&fis)[12], 0);
}

TEST(ahci_fis_dma_ext)
{
	struct fis_reg_h2d fis;
	CHECK_EQ(ata_dma_ext(&fis, false, 0x0000123456789abcull, 0x1234), 0);
	const uint8_t want[20] = { 0x27, 0x80, 0x25, 0, 0xbc, 0x9a, 0x78, 0x40,
				   0x56, 0x34, 0x12, 0, 0x34, 0x12 };
	CHECK(memcmp(bytes_of(&fis), want, 20) == 0);
	CHECK_EQ(ata_dma_ext(&fis, true, 7, 1), 0);
	CHECK_EQ(fis.command, 0x35);
	CHECK_EQ(fis.lba0, 7);
	CHECK_EQ(fis.count_lo, 1);
	/* 65536 sectors are encoded as a count of 0 */
	CHECK_EQ(ata_dma_ext(&fis, false, 0, 65536), 0);
	CHECK_EQ(fis.count_lo, 0);
	CHECK_EQ(fis.count_hi, 0);
	CHECK_EQ(ata_dma_ext(&fis, false, 0, 0), E_INVAL);
	CHECK_EQ(ata_dma_ext(&fis, false, 0, 65537), E_INVAL);
	CHECK_EQ(ata_dma_ext(&fis, false, 1ull << 48, 1), E_INVAL);
	CHECK_EQ(ata_dma_ext(&fis, false, (1ull << 48) - 1, 2), E_INVAL);
	CHECK_EQ(ata_dma_ext(&fis, false, (1ull << 48) - 1, 1), 0);
}

TEST(ahci_fis_fpdma_queued)
{
	struct fis_reg_h2d fis;
	CHECK_EQ(ata_fpdma_queued(&fis, false, 0x010203040506ull, 0x0208, 31), 0);
	const uint8_t want[20] = { 0x27, 0x80, 0x60, 0x08, 0x06, 0x05, 0x04, 0x40,
				   0x03, 0x02, 0x01, 0x02, 31 << 3, 0 };
	CHECK(memcmp(bytes_of(&fis), want, 20) == 0);
	CHECK_EQ(ata_fpdma_queued(&fis, true, 0, 8, 5), 0);
	CHECK_EQ(fis.command, 0x61);
	CHECK_EQ(fis.count_lo, 5 << 3);
	CHECK_EQ(fis.feature_lo, 8);
	CHECK_EQ(ata_fpdma_queued(&fis, true, 0, 8, 32), E_INVAL);
	CHECK_EQ(ata_fpdma_queued(&fis, true, 0, 0, 1), E_INVAL);
}

TEST(ahci_prd_single_and_split)
{
	struct ahci_prd prd[4];
	memset(prd, 0xee, sizeof prd);
	CHECK_EQ(prd_build(prd, 4, 0x12345678000ull, 512), 1);
	CHECK_EQ(prd[0].dba, 0x45678000u);
	CHECK_EQ(prd[0].dbau, 0x123u);
	CHECK_EQ(prd[0].reserved, 0);
	CHECK_EQ(prd[0].dbc, 511);
	CHECK_EQ(prd[1].dba, 0xeeeeeeeeu);              /* untouched */

	/* 4 MiB is one entry, wherever it starts; crossing pages needs no split (IOVA = VA) */
	CHECK_EQ(prd_build(prd, 4, 0x10000002ull, 4u << 20), 1);
	CHECK_EQ(prd[0].dbc, (4u << 20) - 1);
	/* 9 MiB + 2 bytes: three entries, the last short */
	CHECK_EQ(prd_build(prd, 4, 0x200000, (9u << 20) + 2), 3);
	CHECK_EQ(prd[1].dba, 0x200000u + (4u << 20));
	CHECK_EQ(prd[2].dba, 0x200000u + (8u << 20));
	CHECK_EQ(prd[2].dbc, (1u << 20) + 1);
	CHECK_EQ(prd_entries((9u << 20) + 2), 3);
	CHECK_EQ(prd_entries(4u << 20), 1);
	/* crossing 4 GiB carries into DBAU */
	CHECK_EQ(prd_build(prd, 4, 0xfffff000ull, 8192), 1);
	CHECK_EQ(prd[0].dba, 0xfffff000u);
	CHECK_EQ(prd[0].dbau, 0);
}

TEST(ahci_prd_refusals)
{
	struct ahci_prd prd[2];
	CHECK_EQ(prd_build(prd, 2, 0x1000, 0), E_INVAL);
	CHECK_EQ(prd_build(prd, 2, 0x1001, 512), E_INVAL);
	CHECK_EQ(prd_build(prd, 2, 0x1000, 511), E_INVAL);
	CHECK_EQ(prd_build(prd, 2, ~0ull - 511, 1024), E_INVAL);
	CHECK_EQ(prd_build(prd, 2, 0x1000, (8u << 20) + 2), E_LIMIT);
	CHECK_EQ(prd_build(prd, 2, 0x1000, 8u << 20), 2);
}

/* ---- IDENTIFY DEVICE data, as QEMU 7.2 builds it for an ide-hd ---- */

static void put(uint8_t *d, unsigned w, uint16_t v)
{
	d[2 * w] = (uint8_t)v;
	d[2 * w + 1] = (uint8_t)(v >> 8);
}

static void put_string(uint8_t *d, unsigned first, unsigned words, const char *s)
{
	for (unsigned i = 0; i < 2 * words; i++) {
		char c = *s ? *s++ : ' ';
		d[2 * first + (i ^ 1)] = (uint8_t)c;    /* first character in the high byte */
	}
}

/* QEMU 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3), -device ide-hd on AHCI port 0, a 16 MiB raw image. */
static const uint8_t captured_identify[512] = {
	0x40, 0x00, 0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x7e, 0x00, 0x02, 0x3f, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x4d, 0x51, 0x30, 0x30, 0x30, 0x30, 0x20, 0x31, 0x20, 0x20, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x03, 0x00, 0x00, 0x02, 0x04, 0x00, 0x2e, 0x32,
	0x2b, 0x35, 0x20, 0x20, 0x20, 0x20, 0x45, 0x51, 0x55, 0x4d, 0x48, 0x20, 0x52, 0x41, 0x44, 0x44,
	0x53, 0x49, 0x20, 0x4b, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x10, 0x80,
	0x01, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x07, 0x00, 0x20, 0x00, 0x10, 0x00,
	0x3f, 0x00, 0x00, 0x7e, 0x00, 0x00, 0x10, 0x01, 0x00, 0x80, 0x00, 0x00, 0x07, 0x00, 0x07, 0x00,
	0x03, 0x00, 0x78, 0x00, 0x78, 0x00, 0x78, 0x00, 0x78, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xf0, 0x00, 0x16, 0x00, 0x21, 0x40, 0x00, 0x74, 0x00, 0x40, 0x21, 0x40, 0x00, 0x34, 0x00, 0x40,
	0x3f, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x60, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* What QEMU's 16 MiB test disk says about itself: the captured block and the built one alike. */
#define CHECK_QEMU_TEST_DISK(id) do { \
	CHECK_STR((id).model, "QEMU HARDDISK"); \
	CHECK_STR((id).serial, "QM00001"); \
	CHECK_STR((id).firmware, "2.5+"); \
	CHECK_EQ((id).sectors, 32768); \
	CHECK_EQ((id).sector_size, 512); \
	CHECK((id).lba48); \
	CHECK((id).flush_ext); \
	CHECK((id).ncq); \
	CHECK_EQ((id).queue_depth, 32); \
} while (0)

TEST(ahci_identify_captured_from_qemu)
{
	struct ata_identity id;
	CHECK_EQ(ata_identify_parse(captured_identify, &id), 0);
	CHECK_QEMU_TEST_DISK(id);
}

static void qemu_identify(uint8_t *d, uint64_t sectors)
{
	memset(d, 0, 512);
	put(d, 0, 0x0040);
	put_string(d, 10, 10, "QM00001");
	put_string(d, 23, 4, "2.5+");
	put_string(d, 27, 20, "QEMU HARDDISK");
	put(d, 47, 0x8010);
	put(d, 49, (1 << 11) | (1 << 9) | (1 << 8));
	uint32_t lba28 = sectors > 0x0fffffff ? 0x0fffffff : (uint32_t)sectors;
	put(d, 60, (uint16_t)lba28);
	put(d, 61, (uint16_t)(lba28 >> 16));
	put(d, 75, 31);                                 /* 32 queued commands */
	put(d, 76, 1 << 8);                             /* NCQ */
	put(d, 83, (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10));
	put(d, 86, (1 << 13) | (1 << 12) | (1 << 10));
	put(d, 100, (uint16_t)sectors);
	put(d, 101, (uint16_t)(sectors >> 16));
	put(d, 102, (uint16_t)(sectors >> 32));
	put(d, 103, (uint16_t)(sectors >> 48));
	put(d, 106, 0x4000);                            /* valid, one 512-byte logical sector */
}

TEST(ahci_identify_qemu_disk)
{
	uint8_t d[512];
	struct ata_identity id;
	qemu_identify(d, 32768);
	CHECK_EQ(ata_identify_parse(d, &id), 0);
	CHECK_QEMU_TEST_DISK(id);
}

TEST(ahci_identify_large_and_4k_sectors)
{
	uint8_t d[512];
	struct ata_identity id;
	qemu_identify(d, 0x0000123456789abcull);        /* beyond LBA28: words 100-103 count */
	put(d, 106, 0x4000 | (1 << 12));
	put(d, 117, 2048);                              /* 2048 words: 4096-byte sectors */
	put(d, 118, 0);
	CHECK_EQ(ata_identify_parse(d, &id), 0);
	CHECK_EQ(id.sectors, 0x0000123456789abcull);
	CHECK_EQ(id.sector_size, 4096);
	put(d, 117, 300);                               /* 600 bytes: not a power of two */
	CHECK_EQ(ata_identify_parse(d, &id), E_NOSYS);
	put(d, 106, 0x8000 | (1 << 12));                /* word 106 invalid: 512 assumed */
	CHECK_EQ(ata_identify_parse(d, &id), 0);
	CHECK_EQ(id.sector_size, 512);
}

TEST(ahci_identify_without_ncq_or_lba48)
{
	uint8_t d[512];
	struct ata_identity id;
	qemu_identify(d, 2048);
	put(d, 76, 0xffff);                             /* not reported */
	CHECK_EQ(ata_identify_parse(d, &id), 0);
	CHECK(!id.ncq);
	CHECK_EQ(id.queue_depth, 1);
	put(d, 76, 0);
	CHECK_EQ(ata_identify_parse(d, &id), 0);
	CHECK(!id.ncq);
	qemu_identify(d, 2048);
	put(d, 83, 1 << 14);                            /* no 48-bit commands */
	CHECK_EQ(ata_identify_parse(d, &id), E_NOSYS);
	qemu_identify(d, 2048);
	put(d, 0, 0x85c0);                              /* an ATAPI device */
	CHECK_EQ(ata_identify_parse(d, &id), E_NOSYS);
	qemu_identify(d, 2048);
	put(d, 49, 1 << 8);                             /* DMA but no LBA */
	CHECK_EQ(ata_identify_parse(d, &id), E_NOSYS);
	qemu_identify(d, 0);
	CHECK_EQ(ata_identify_parse(d, &id), E_INVAL);
}

TEST(ahci_identify_strings_and_checksum)
{
	uint8_t d[512];
	struct ata_identity id;
	qemu_identify(d, 4096);
	put_string(d, 27, 20, "A-MODEL-WITH-EXACTLY-FORTY-CHARACTERS-XY");
	d[2 * 27 + 1] = 0x01;                           /* an unprintable first character */
	/* an integrity word whose checksum makes the sum 0 */
	put(d, 255, 0x00a5);
	uint8_t sum = 0;
	for (int i = 0; i < 511; i++)
		sum = (uint8_t)(sum + d[i]);
	d[511] = (uint8_t)-sum;
	CHECK_EQ(ata_identify_parse(d, &id), 0);
	CHECK_STR(id.model, "?-MODEL-WITH-EXACTLY-FORTY-CHARACTERS-XY");
	CHECK_EQ(strlen(id.model), 40);
	d[511]++;
	CHECK_EQ(ata_identify_parse(d, &id), E_INVAL);
}

/* ---- requests ---- */

TEST(ahci_request_valid)
{
	struct request_bounds g = { 20480, 512 };
	uint64_t bytes = 99;
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 1, 0x1000, &bytes), REQUEST_OK);
	CHECK_EQ(bytes, 512);
	CHECK_EQ(request_check(&g, AHCI_OP_WRITE, 20479, 1, 0x1002, &bytes), REQUEST_OK);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 20480 - 8192, 8192, 0x40000000, &bytes), REQUEST_OK);
	CHECK_EQ(bytes, 4u << 20);
	CHECK_EQ(request_check(&g, AHCI_OP_FLUSH, 12345678, 0, 0, &bytes), REQUEST_OK);
	CHECK_EQ(bytes, 0);
	CHECK_EQ(request_max_count(512), 8192);
	CHECK_EQ(request_max_count(4096), 1024);
	CHECK_EQ(request_max_count(0), 0);
}

TEST(ahci_request_refusals)
{
	struct request_bounds g = { 20480, 512 };
	uint64_t bytes = 99;
	CHECK_EQ(request_check(&g, 3, 0, 1, 0x1000, &bytes), REQUEST_BAD_OP);
	CHECK_EQ(bytes, 0);
	CHECK_EQ(request_check(&g, ~0ull, 0, 1, 0x1000, &bytes), REQUEST_BAD_OP);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 0, 0x1000, &bytes), REQUEST_ZERO_COUNT);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 8193, 0x1000, &bytes), REQUEST_TOO_LARGE);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, ~0ull, 0x1000, &bytes), REQUEST_TOO_LARGE);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 20480, 1, 0x1000, &bytes), REQUEST_BEYOND_END);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 20479, 2, 0x1000, &bytes), REQUEST_BEYOND_END);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, ~0ull, 2, 0x1000, &bytes), REQUEST_BEYOND_END);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 1, 0, &bytes), REQUEST_NO_BUFFER);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 1, 0x1001, &bytes), REQUEST_UNALIGNED);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 1, 0xffff800000000000ull, &bytes), REQUEST_BAD_BUFFER);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 2, (1ull << 39) - 512, &bytes), REQUEST_BAD_BUFFER);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 1, (1ull << 39) - 512, &bytes), REQUEST_OK);
	CHECK_EQ(request_check(&g, AHCI_OP_READ, 0, 1, 1ull << 39, &bytes), REQUEST_BAD_BUFFER);
	struct request_bounds own = { 20480, 512, 0x1040000000ull, 0x1080000000ull };
	CHECK_EQ(request_check(&own, AHCI_OP_READ, 0, 8, 0x1040000000ull, &bytes), REQUEST_OWN_MEMORY);
	CHECK_EQ(request_check(&own, AHCI_OP_READ, 0, 8, 0x107fffff00ull, &bytes), REQUEST_OWN_MEMORY);
	CHECK_EQ(request_check(&own, AHCI_OP_READ, 0, 8, 0x103fffff00ull, &bytes), REQUEST_OWN_MEMORY);
	CHECK_EQ(request_check(&own, AHCI_OP_READ, 0, 1, 0x103ffffe00ull, &bytes), REQUEST_OK);
	CHECK_EQ(request_check(&own, AHCI_OP_READ, 0, 8, 0x1080000000ull, &bytes), REQUEST_OK);
	struct request_bounds big = { 1ull << 40, 4096 };
	CHECK_EQ(request_check(&big, AHCI_OP_READ, 0, 1025, 0x1000, &bytes), REQUEST_TOO_LARGE);
	CHECK_EQ(request_check(&big, AHCI_OP_READ, (1ull << 40) - 1024, 1024, 0x1000, &bytes), REQUEST_OK);
	CHECK_EQ(bytes, 4u << 20);
}

TEST(ahci_request_errors_have_text_and_codes)
{
	for (int e = REQUEST_BAD_OP; e < REQUEST_ERRORS; e++) {
		CHECK(request_error_text((enum request_error)e) != request_error_text(REQUEST_ERRORS));
		CHECK(strlen(request_error_text((enum request_error)e)) > 5);
		CHECK(request_error_code((enum request_error)e) < 0);
	}
	CHECK_EQ(request_error_code(REQUEST_OK), 0);
	CHECK_EQ(request_error_code(REQUEST_TOO_LARGE), E_LIMIT);
	CHECK_EQ(request_error_code(REQUEST_BEYOND_END), E_INVAL);
	CHECK_EQ(request_error_code(REQUEST_OWN_MEMORY), E_FAULT);
	CHECK_STR(request_error_text(REQUEST_ERRORS), "unknown error");
}
