/*
 * layout.h — FAT's on-disk structures: the boot sector's BPB, the FAT32
 * FSInfo sector, short and long directory entries, and the MBR's partition
 * table.
 *
 * The reference is Microsoft's "FAT32 File System Specification" version
 * 1.03 (fatgen103, 2000); sections are cited by their titles, as that
 * document has no numbers.  Fields are read and written with explicit
 * little-endian helpers at byte offsets rather than through packed structs:
 * several BPB fields are unaligned (BPB_BytsPerSec at 11), and a sector read
 * from a hostile disk is just bytes until every field has been checked.
 * Directory entries are 32-byte records at 32-byte offsets, so they get a
 * struct, pinned by static assertions.
 */
#ifndef PINFOLD_FAT_LAYOUT_H
#define PINFOLD_FAT_LAYOUT_H

#include <assert.h>
#include <stdint.h>

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* fatgen103 "Boot Sector and BPB": byte offsets in sector 0 of the volume. */
#define BS_JMPBOOT        0
#define BPB_BYTSPERSEC    11
#define BPB_SECPERCLUS    13
#define BPB_RSVDSECCNT    14
#define BPB_NUMFATS       16
#define BPB_ROOTENTCNT    17
#define BPB_TOTSEC16      19
#define BPB_MEDIA         21
#define BPB_FATSZ16       22
#define BPB_TOTSEC32      32
/* "FAT32 Structure Starting at Offset 36" */
#define BPB_FATSZ32       36
#define BPB_EXTFLAGS      40
#define BPB_FSVER         42
#define BPB_ROOTCLUS      44
#define BPB_FSINFO        48
#define BS_SIGNATURE      510             /* 0x55 0xAA, in every boot sector and MBR */

#define EXTFLAGS_NO_MIRROR   0x80         /* only the FAT in bits 0-3 is active */
#define EXTFLAGS_ACTIVE_MASK 0x0f

/* "FAT32 FSInfo Sector Structure and Backup Boot Sector" */
#define FSI_LEADSIG       0
#define FSI_STRUCSIG      484
#define FSI_FREE_COUNT    488
#define FSI_NXT_FREE      492
#define FSI_TRAILSIG      508
#define FSI_LEADSIG_VALUE  0x41615252
#define FSI_STRUCSIG_VALUE 0x61417272
#define FSI_TRAILSIG_VALUE 0xaa550000
#define FSI_UNKNOWN        0xffffffff     /* free count or next free not known */

/*
 * "FAT Data Structure": FAT16 entries are 16 bits; FAT32 entries are 28 bits
 * in a 32-bit slot whose top 4 bits must be preserved on writes.
 */
#define FAT16_BAD         0xfff7
#define FAT16_EOC_MIN     0xfff8
#define FAT16_EOC         0xffff
#define FAT32_MASK        0x0fffffff
#define FAT32_BAD         0x0ffffff7
#define FAT32_EOC_MIN     0x0ffffff8
#define FAT32_EOC         0x0fffffff

/* "FAT Type Determination": cluster counts below these are FAT12 and FAT16. */
#define FAT12_MAX_CLUSTERS 4084
#define FAT16_MAX_CLUSTERS 65524

/* "FAT Directory Structure": the 32-byte short directory entry. */
struct fat_raw_entry {
	uint8_t name[11];               /* 8.3, space padded, no dot */
	uint8_t attr;
	uint8_t nt_res;                 /* case flags below (Windows NT, not in fatgen103) */
	uint8_t crt_time_tenth;
	uint8_t crt_time[2];
	uint8_t crt_date[2];
	uint8_t lst_acc_date[2];
	uint8_t fst_clus_hi[2];         /* always 0 on FAT16 */
	uint8_t wrt_time[2];
	uint8_t wrt_date[2];
	uint8_t fst_clus_lo[2];
	uint8_t file_size[4];
};
STATIC_ASSERT(sizeof(struct fat_raw_entry) == 32, "a FAT directory entry is 32 bytes");

#define DIR_ENTRY_SIZE    32
/* "FAT Directory Structure": no directory may hold more than 65536 entries. */
#define DIR_MAX_ENTRIES   65536

#define ATTR_READ_ONLY    0x01
#define ATTR_HIDDEN       0x02
#define ATTR_SYSTEM       0x04
#define ATTR_VOLUME_ID    0x08
#define ATTR_DIRECTORY    0x10
#define ATTR_ARCHIVE      0x20
#define ATTR_LONG_NAME    0x0f            /* RO|HIDDEN|SYSTEM|VOLUME_ID: an LFN entry */
#define ATTR_LONG_NAME_MASK 0x3f

#define NAME_FREE         0xe5            /* name[0]: entry deleted */
#define NAME_END          0x00            /* name[0]: this and all later entries are free */
#define NAME_KANJI_E5     0x05            /* name[0]: stands for a real 0xE5 byte */

/*
 * Case flags in nt_res, as Windows NT, Linux and mtools use them: an 8.3 name
 * whose base or extension is all lower case is stored in upper case with
 * these bits instead of a long name.
 */
#define NTRES_LOWER_BASE  0x08
#define NTRES_LOWER_EXT   0x10

/* "FAT Long Directory Entries": 13 UTF-16 code units in three pieces. */
struct fat_lfn_entry {
	uint8_t ord;                    /* 1..20, LFN_LAST on the entry that comes first */
	uint8_t name1[10];              /* units 0-4 */
	uint8_t attr;                   /* ATTR_LONG_NAME */
	uint8_t type;                   /* 0 */
	uint8_t checksum;               /* of the short entry's 11-byte name */
	uint8_t name2[12];              /* units 5-10 */
	uint8_t fst_clus_lo[2];         /* 0 */
	uint8_t name3[4];               /* units 11-12 */
};
STATIC_ASSERT(sizeof(struct fat_lfn_entry) == 32, "an LFN entry is 32 bytes");

#define LFN_LAST          0x40
#define LFN_ORD_MASK      0x1f
#define LFN_UNITS_PER_ENTRY 13
#define LFN_MAX_UNITS     255
#define LFN_MAX_ENTRIES   20              /* ceil(255 / 13) */

/* The MBR (the IBM PC's, as every partitioning tool writes it): four 16-byte
 * entries at 446; start and size in disk sectors. */
#define MBR_TABLE         446
#define MBR_ENTRY_SIZE    16
#define MBR_ENTRIES       4
#define MBR_TYPE          4
#define MBR_START_LBA     8
#define MBR_SECTORS       12

#endif
