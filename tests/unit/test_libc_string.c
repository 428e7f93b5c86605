/*
 * test_libc_string.c — host tests of libc/memory.c and libc/string.c.
 *
 * The copy and fill tests sweep every source and destination alignment and
 * many lengths, so both the byte path and the word path of memory.c run,
 * and compare against a byte-by-byte reference computed here.  Guard bytes
 * around each destination catch writes outside the range (ASan catches
 * reads).
 */
#include <stdint.h>
#include <string.h>

#include "unit.h"

#define AREA 96

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int same(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

TEST(libc_memcpy_alignments_and_lengths)
{
	unsigned char src[AREA], dst[AREA], want[AREA];
	int bad = 0;

	for (size_t so = 0; so < 8; so++)
		for (size_t d_off = 0; d_off < 8; d_off++)
			for (size_t n = 0; n <= 64; n++) {
				fill_pattern(src, AREA, 1);
				fill_pattern(dst, AREA, 100);
				fill_pattern(want, AREA, 100);
				for (size_t i = 0; i < n; i++)
					want[d_off + i] = src[so + i];
				if (memcpy(dst + d_off, src + so, n) != dst + d_off || !same(dst, want, AREA))
					bad++;
			}
	CHECK_EQ(bad, 0);
}

/* Every overlap in both directions, checked against a copy through a temporary. */
TEST(libc_memmove_overlap)
{
	unsigned char buf[AREA], want[AREA], tmp[AREA];
	int bad = 0;

	for (size_t from = 0; from < 24; from++)
		for (size_t to = 0; to < 24; to++)
			for (size_t n = 0; n <= 48; n++) {
				fill_pattern(buf, AREA, 3);
				fill_pattern(want, AREA, 3);
				for (size_t i = 0; i < n; i++)
					tmp[i] = want[from + i];
				for (size_t i = 0; i < n; i++)
					want[to + i] = tmp[i];
				if (memmove(buf + to, buf + from, n) != buf + to || !same(buf, want, AREA))
					bad++;
			}
	CHECK_EQ(bad, 0);
}

TEST(libc_memmove_simple)
{
	char s[] = "abcdefgh";

	memmove(s + 2, s, 5);
	CHECK_STR(s, "ababcdeh");
	memmove(s, s + 3, 5);
	CHECK_STR(s, "bcdehdeh");
	memmove(s, s, 8);
	CHECK_STR(s, "bcdehdeh");
}

TEST(libc_memset)
{
	unsigned char buf[AREA];
	int bad = 0;

	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 64; n++) {
			memset(buf, 0x11, AREA);
			if (memset(buf + off, 0xab, n) != buf + off)
				bad++;
			for (size_t i = 0; i < AREA; i++)
				if (buf[i] != (i >= off && i < off + n ? 0xab : 0x11))
					bad++;
		}
	CHECK_EQ(bad, 0);

	/* The byte is converted to unsigned char. */
	memset(buf, -1, 3);
	CHECK_EQ(buf[0], 0xff);
	memset(buf, 0x1fe, 3);
	CHECK_EQ(buf[2], 0xfe);
	memset(buf, 0, 3);
	CHECK_EQ(buf[1], 0);
}

TEST(libc_memcmp)
{
	CHECK_EQ(memcmp("abc", "abc", 3), 0);
	CHECK_EQ(memcmp("abc", "abd", 0), 0);
	CHECK(memcmp("abc", "abd", 3) < 0);
	CHECK(memcmp("abd", "abc", 3) > 0);
	CHECK_EQ(memcmp("abX", "abY", 2), 0);
	/* Bytes compare as unsigned: 0x80 is greater than 0x01. */
	CHECK(memcmp("\x80", "\x01", 1) > 0);
	CHECK(memcmp("\x01", "\xff", 1) < 0);
	/* NUL bytes are not terminators. */
	CHECK(memcmp("a\0b", "a\0c", 3) < 0);
}

TEST(libc_memchr)
{
	const char s[] = "hello\0world";

	CHECK(memchr(s, 'l', sizeof s) == s + 2);
	CHECK(memchr(s, 'w', sizeof s) == s + 6);
	CHECK(memchr(s, '\0', sizeof s) == s + 5);
	CHECK(memchr(s, 'w', 6) == NULL);
	CHECK(memchr(s, 'h', 0) == NULL);
	CHECK(memchr("\xe9", 0xe9, 1) != NULL);
	CHECK(memchr("A", 0x141, 1) != NULL); /* converted to unsigned char */
}

TEST(libc_strlen_strnlen)
{
	const char unterminated[4] = { 'a', 'b', 'c', 'd' };

	CHECK_EQ(strlen(""), 0);
	CHECK_EQ(strlen("pinfold"), 7);
	CHECK_EQ(strnlen("pinfold", 3), 3);
	CHECK_EQ(strnlen("pinfold", 100), 7);
	CHECK_EQ(strnlen("pinfold", 0), 0);
	/* Must not read past max (ASan would report it). */
	CHECK_EQ(strnlen(unterminated, sizeof unterminated), 4);
}

TEST(libc_strcmp_strncmp)
{
	CHECK_EQ(strcmp("", ""), 0);
	CHECK_EQ(strcmp("abc", "abc"), 0);
	CHECK(strcmp("abc", "abd") < 0);
	CHECK(strcmp("abd", "abc") > 0);
	CHECK(strcmp("ab", "abc") < 0);
	CHECK(strcmp("abc", "ab") > 0);
	CHECK(strcmp("\xe9", "z") > 0); /* unsigned comparison */

	CHECK_EQ(strncmp("abcX", "abcY", 3), 0);
	CHECK(strncmp("abcX", "abcY", 4) < 0);
	CHECK_EQ(strncmp("a", "b", 0), 0);
	CHECK_EQ(strncmp("ab", "ab", 10), 0); /* stops at the terminator */
	CHECK(strncmp("ab", "abc", 10) < 0);
	CHECK(strncmp("\x80", "\x01", 1) > 0);
}

TEST(libc_strchr_strrchr)
{
	const char *s = "a/b/c";

	CHECK(strchr(s, '/') == s + 1);
	CHECK(strrchr(s, '/') == s + 3);
	CHECK(strchr(s, 'x') == NULL);
	CHECK(strrchr(s, 'x') == NULL);
	CHECK(strchr(s, '\0') == s + 5);
	CHECK(strrchr(s, '\0') == s + 5);
	CHECK(strchr(s, 'a') == s);
	CHECK(strrchr(s, 'a') == s);
	CHECK(strchr("", 'a') == NULL);
	CHECK(strchr("\xe9", 0xe9) != NULL); /* c converts to char */
}

TEST(libc_strstr)
{
	const char *h = "aaab the cat";

	CHECK(strstr(h, "") == h);
	CHECK(strstr("", "") != NULL);
	CHECK(strstr("", "a") == NULL);
	CHECK(strstr(h, "aab") == h + 1);
	CHECK(strstr(h, "cat") == h + 9);
	CHECK(strstr(h, "cats") == NULL);
	CHECK(strstr(h, "dog") == NULL);
	CHECK(strstr(h, h) == h);
}

TEST(libc_strlcpy)
{
	char buf[8];

	memset(buf, 'X', sizeof buf);
	CHECK_EQ(strlcpy(buf, "abc", sizeof buf), 3);
	CHECK_STR(buf, "abc");
	CHECK_EQ(buf[4], 'X');

	/* Truncation: terminated, and the return value reveals it. */
	CHECK_EQ(strlcpy(buf, "0123456789", sizeof buf), 10);
	CHECK_STR(buf, "0123456");

	CHECK_EQ(strlcpy(buf, "01234567", sizeof buf), 8);
	CHECK_STR(buf, "0123456");
	CHECK_EQ(strlcpy(buf, "0123456", sizeof buf), 7);
	CHECK_STR(buf, "0123456");

	CHECK_EQ(strlcpy(buf, "", sizeof buf), 0);
	CHECK_STR(buf, "");

	/* Size 1 writes only the terminator; size 0 writes nothing. */
	memset(buf, 'X', sizeof buf);
	CHECK_EQ(strlcpy(buf, "abc", 1), 3);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'X');
	CHECK_EQ(strlcpy(buf + 1, "abc", 0), 3);
	CHECK_EQ(buf[1], 'X');
}
