/*
 * name.c — short (8.3) names, long names, UTF-8 and UTF-16.
 *
 * The library's names are UTF-8; FAT's long names are UTF-16 (fatgen103
 * "FAT Long Directory Entries"), and its short names 11 bytes of an OEM code
 * page.  Pinfold has no code pages: short names are made from ASCII only
 * (anything else becomes '_', which makes the name lossy), and short names
 * found on disk with bytes >= 0x80 are shown as Latin-1.
 *
 * A new name gets one of three forms, the choices Linux's vfat and mtools
 * make, so images written here look like theirs:
 *   "README.TXT", "readme.txt"  fits 8.3 with one case per part: a short
 *                               entry alone, lower case kept by NT case flags
 *   "ReadMe.txt"                fits 8.3 but mixes case: the long name, and
 *                               README.TXT as alias (a tail only on collision)
 *   "My notes.text"             does not fit: the long name and a lossy basis
 *                               with a numeric tail, MYNOTE~1.TEX
 * The tail number is chosen by dir.c, which knows which ones are taken.
 */
#include <string.h>
#include <utf8.h>

#include "components/fat/name.h"

/* fatgen103 "Directory Entry": characters a short name may not contain. */
static bool short_char_ok(uint16_t c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return !strchr("\"*+,./:;<=>?[\\]|", c);
}

/* Characters no long name may contain (fatgen103 "Long Directory Entries"). */
static bool long_char_ok(uint32_t c)
{
	return c >= 0x20 && !(c < 0x80 && strchr("\"*/:<>?\\|", (int)c));
}

static bool is_lower(uint16_t c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(uint16_t c) { return c >= 'A' && c <= 'Z'; }
static uint8_t to_upper(uint16_t c) { return (uint8_t)(is_lower(c) ? c - 'a' + 'A' : c); }
static uint8_t fold(uint8_t c) { return (uint8_t)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }

int name_to_utf16(const char *name, size_t len, uint16_t *units, const char **why)
{
	const uint8_t *s = (const uint8_t *)name;
	size_t count = 0;

	if (len == 0) {
		*why = "empty name";
		return -FAT_E_BAD_NAME;
	}
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
		*why = "'.' and '..' are not names of entries";
		return -FAT_E_BAD_NAME;
	}
	/* Windows strips trailing dots and spaces; refusing them keeps names exact. */
	if (name[len - 1] == '.' || name[len - 1] == ' ') {
		*why = "a name may not end with a dot or a space";
		return -FAT_E_BAD_NAME;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			*why = "the name is not valid UTF-8";
			return -FAT_E_BAD_NAME;
		}
		if (!long_char_ok(cp)) {
			*why = "FAT names may not contain control characters or any of \"*/:<>?\\|";
			return -FAT_E_BAD_NAME;
		}
		if (count + (cp >= 0x10000 ? 2 : 1) > LFN_MAX_UNITS) {
			*why = "the name is longer than 255 UTF-16 units";
			return -FAT_E_BAD_NAME;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[count++] = (uint16_t)(0xd800 | cp >> 10);
			units[count++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
		} else {
			units[count++] = (uint16_t)cp;
		}
		i += n;
	}
	return (int)count;
}

bool name_from_utf16(const uint16_t *units, size_t count, char *out, size_t out_size)
{
	size_t used = 0;

	if (count == 0)
		return false;
	for (size_t i = 0; i < count; i++) {
		uint32_t cp = units[i];
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < count &&
		    units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (units[i + 1] - 0xdc00);
			i++;
		} else if (cp >= 0xd800 && cp <= 0xdfff) {
			return false;           /* an unpaired surrogate */
		}
		/* '/' would split the name when it is used in a path. */
		if (cp < 0x20 || cp == '/')
			return false;
		char bytes[UTF8_MAX];
		size_t len = utf8_encode(cp, bytes);
		if (used + len + 1 > out_size)
			return false;
		memcpy(out + used, bytes, len);
		used += len;
	}
	out[used] = '\0';
	return true;
}

/* Appends raw short-name bytes, lowered if asked, Latin-1 above 0x7f. */
static size_t short_part(const uint8_t *raw, size_t n, bool lower, char *out)
{
	size_t used = 0;

	while (n && raw[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = raw[i];
		if (c < 0x20 || c == '/')
			out[used++] = '?';
		else if (c >= 0x80)
			used += utf8_encode(c, out + used);
		else
			out[used++] = (char)(lower ? fold(c) : c);
	}
	return used;
}

void name_short_text(const uint8_t raw[11], uint8_t nt_res, char out[FAT_SHORT_NAME_MAX + 1])
{
	uint8_t copy[11];
	size_t used;

	memcpy(copy, raw, 11);
	if (copy[0] == NAME_KANJI_E5)
		copy[0] = NAME_FREE;
	used = short_part(copy, 8, nt_res & NTRES_LOWER_BASE, out);
	size_t ext_start = used;
	out[used++] = '.';
	size_t ext = short_part(copy + 8, 3, nt_res & NTRES_LOWER_EXT, out + used);
	used = ext ? used + ext : ext_start;
	out[used] = '\0';
}

/* One case for all letters of a part: 1 all lower, 2 all upper (or none), 0 mixed. */
static int part_case(const uint16_t *units, size_t count)
{
	bool lower = false, upper = false;

	for (size_t i = 0; i < count; i++) {
		lower |= is_lower(units[i]);
		upper |= is_upper(units[i]);
	}
	return lower && upper ? 0 : lower ? 1 : 2;
}

/* Fills basis->name with an exact 8.3 form of the name, if it has one. */
static bool fits_8_3(const uint16_t *units, size_t count, struct short_basis *basis)
{
	size_t dot = count;

	for (size_t i = 0; i < count; i++) {
		if (units[i] == '.') {
			if (dot != count)
				return false;   /* two dots */
			dot = i;
		} else if (!short_char_ok(units[i])) {
			return false;
		}
	}
	size_t ext_len = dot == count ? 0 : count - dot - 1;
	if (dot == 0 || dot > 8 || ext_len > 3)
		return false;

	memset(basis->name, ' ', 11);
	for (size_t i = 0; i < dot; i++)
		basis->name[i] = to_upper(units[i]);
	for (size_t i = 0; i < ext_len; i++)
		basis->name[8 + i] = to_upper(units[dot + 1 + i]);
	basis->base_len = (uint8_t)dot;

	int base_case = part_case(units, dot);
	int ext_case = part_case(units + dot + (ext_len ? 1 : 0), ext_len);
	basis->needs_long_name = base_case == 0 || ext_case == 0;
	basis->needs_tail = false;
	basis->nt_res = (base_case == 1 ? NTRES_LOWER_BASE : 0) | (ext_case == 1 ? NTRES_LOWER_EXT : 0);
	if (basis->needs_long_name)
		basis->nt_res = 0;
	return true;
}

void name_make_basis(const uint16_t *units, size_t count, struct short_basis *basis)
{
	size_t start = 0, last_dot = count, len = 0;

	if (fits_8_3(units, count, basis))
		return;
	basis->needs_long_name = true;
	basis->needs_tail = true;
	basis->nt_res = 0;
	memset(basis->name, ' ', 11);

	/* fatgen103 "Basis-Name Generation": leading spaces and periods go, the
	 * extension is what follows the last period, embedded ones are dropped. */
	while (start < count && (units[start] == ' ' || units[start] == '.'))
		start++;
	for (size_t i = start; i < count; i++)
		if (units[i] == '.')
			last_dot = i;
	for (size_t i = start; i < last_dot && len < 8; i++) {
		if (units[i] == ' ' || units[i] == '.')
			continue;
		basis->name[len++] = short_char_ok(units[i]) ? to_upper(units[i]) : '_';
	}
	if (len == 0)
		basis->name[len++] = '_';
	basis->base_len = (uint8_t)len;
	for (size_t i = last_dot + 1, e = 0; i < count && e < 3; i++) {
		if (units[i] == ' ')
			continue;
		basis->name[8 + e++] = short_char_ok(units[i]) ? to_upper(units[i]) : '_';
	}
}

void name_with_tail(const struct short_basis *basis, uint32_t n, uint8_t out[11])
{
	char digits[8];
	size_t nd = 0;

	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n && nd < 6);
	size_t keep = basis->base_len;
	if (keep > 8 - 1 - nd)
		keep = 8 - 1 - nd;
	memcpy(out, basis->name, 11);
	memset(out + keep, ' ', 8 - keep);
	out[keep] = '~';
	for (size_t i = 0; i < nd; i++)
		out[keep + 1 + i] = (uint8_t)digits[nd - 1 - i];
}

uint32_t name_tail_of(const struct short_basis *basis, const uint8_t raw[11])
{
	const uint8_t *tilde = memchr(raw, '~', 8);
	uint32_t n = 0;
	uint8_t candidate[11];

	if (!tilde || memcmp(raw + 8, basis->name + 8, 3) != 0)
		return 0;
	for (const uint8_t *p = tilde + 1; p < raw + 8 && *p != ' '; p++) {
		if (*p < '0' || *p > '9' || n > 99999)
			return 0;
		n = n * 10 + (*p - '0');
	}
	if (n == 0)
		return 0;
	name_with_tail(basis, n, candidate);
	return memcmp(candidate, raw, 11) == 0 ? n : 0;
}

uint8_t name_checksum(const uint8_t raw[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + raw[i]);
	return sum;
}

/* Byte offsets of the 13 units within an LFN entry: name1, name2, name3. */
static const uint8_t lfn_unit_offset[LFN_UNITS_PER_ENTRY] = {
	1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30,
};

void name_lfn_fill(struct fat_lfn_entry *entry, const uint16_t *units, size_t count,
		   unsigned ord, bool last, uint8_t checksum)
{
	uint8_t *raw = (uint8_t *)entry;

	memset(entry, 0, sizeof *entry);
	entry->ord = (uint8_t)(ord | (last ? LFN_LAST : 0));
	entry->attr = ATTR_LONG_NAME;
	entry->checksum = checksum;
	for (size_t k = 0; k < LFN_UNITS_PER_ENTRY; k++) {
		size_t i = (ord - 1) * LFN_UNITS_PER_ENTRY + k;
		/* The name ends with one 0x0000 (unless it fills the entry), then 0xFFFF padding. */
		uint16_t unit = i < count ? units[i] : i == count ? 0x0000 : 0xffff;
		put_le16(raw + lfn_unit_offset[k], unit);
	}
}

void name_lfn_units(const struct fat_lfn_entry *entry, uint16_t out[LFN_UNITS_PER_ENTRY])
{
	const uint8_t *raw = (const uint8_t *)entry;

	for (size_t k = 0; k < LFN_UNITS_PER_ENTRY; k++)
		out[k] = get_le16(raw + lfn_unit_offset[k]);
}

bool name_equal(const char *a, size_t a_len, const char *b)
{
	for (size_t i = 0; i < a_len; i++, b++)
		if (!*b || fold((uint8_t)a[i]) != fold((uint8_t)*b))
			return false;
	return *b == '\0';
}
