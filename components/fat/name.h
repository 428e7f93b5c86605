/*
 * name.h — FAT names: 8.3 short names, long names, and the conversions
 * between them (name.c).  Pure functions on bytes; no disk access.
 */
#ifndef PINFOLD_FAT_NAME_H
#define PINFOLD_FAT_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "components/fat/fat.h"
#include "components/fat/layout.h"

/*
 * Checks a name given as UTF-8 (len bytes, no NUL needed) for use as a new
 * directory entry and converts it to UTF-16 (units[LFN_MAX_UNITS]).  Returns
 * the number of units, or -FAT_E_BAD_NAME with *why saying what is wrong.
 */
int name_to_utf16(const char *name, size_t len, uint16_t *units, const char **why);

/* UTF-16 from a long-name entry to UTF-8; false if it is not a usable name. */
bool name_from_utf16(const uint16_t *units, size_t count, char *out, size_t out_size);

/* The text of an on-disk 8.3 name: "README.TXT", or "readme.txt" with the case flags. */
void name_short_text(const uint8_t raw[11], uint8_t nt_res, char out[FAT_SHORT_NAME_MAX + 1]);

/* What an entry for a new long name looks like in 8.3 (fatgen103 "Basis-Name Generation"). */
struct short_basis {
	uint8_t name[11];               /* upper case, space padded */
	uint8_t nt_res;                 /* case flags, when no long name is needed */
	uint8_t base_len;               /* characters before the padding, 1..8 */
	bool needs_long_name;           /* the 8.3 form loses the name's case or characters */
	bool needs_tail;                /* lossy: the alias must get a ~N tail */
};
void name_make_basis(const uint16_t *units, size_t count, struct short_basis *basis);
/* The basis with tail ~n (1 <= n <= 999999), fatgen103 "Numeric-Tail Generation". */
void name_with_tail(const struct short_basis *basis, uint32_t n, uint8_t out[11]);
/* n if raw is the basis with tail ~n, else 0. */
uint32_t name_tail_of(const struct short_basis *basis, const uint8_t raw[11]);

/* fatgen103 "Long Directory Entries": the checksum of an 11-byte short name. */
uint8_t name_checksum(const uint8_t raw[11]);
/* Fills long-name entry `ord` (1-based) of a name of `count` units. */
void name_lfn_fill(struct fat_lfn_entry *entry, const uint16_t *units, size_t count,
		   unsigned ord, bool last, uint8_t checksum);
/* The 13 units an LFN entry holds. */
void name_lfn_units(const struct fat_lfn_entry *entry, uint16_t out[LFN_UNITS_PER_ENTRY]);

/* FAT's name comparison: ASCII letters match regardless of case, all else exactly. */
bool name_equal(const char *a, size_t a_len, const char *b);

#endif
