/*
 * utf8.c — UTF-8 (RFC 3629): decoding that refuses what is not well formed,
 * and encoding.  See utf8.h for who uses it and why it is strict.
 */
#include <utf8.h>

size_t utf8_length(uint8_t b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

size_t utf8_decode(const void *s, size_t n, uint32_t *cp)
{
	/* RFC 3629 section 3: the smallest value each length may encode. */
	static const uint32_t least[UTF8_MAX + 1] = { 0, 0, 0x80, 0x800, 0x10000 };
	const uint8_t *b = s;
	size_t len = utf8_length(b[0]);

	if (len == 0 || len > n)
		return 0;
	uint32_t c = len == 1 ? b[0] : b[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if (!utf8_continuation(b[i]))
			return 0;
		c = c << 6 | (b[i] & 0x3f);
	}
	if (c < least[len] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

size_t utf8_encode(uint32_t cp, char out[UTF8_MAX])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	size_t len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	for (size_t i = len - 1; i > 0; i--, cp >>= 6)
		out[i] = (char)(0x80 | (cp & 0x3f));
	out[0] = (char)(((0xf00 >> len) & 0xff) | cp);        /* 110xxxxx, 1110xxxx or 11110xxx */
	return len;
}
