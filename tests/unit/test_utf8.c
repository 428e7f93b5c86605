/*
 * test_utf8.c — UTF-8 decoding and encoding (libc/utf8.c), and what the
 * kernel lets a component put on the console (kernel/logtext.c).
 */
#include "unit.h"

#include <string.h>
#include <utf8.h>

#include "kernel/logtext.h"
#include "tests/unit/random.h"

TEST(utf8_decodes_every_length)
{
	static const struct {
		const char *bytes;
		uint32_t cp;
	} cases[] = {
		{ "A", 'A' },          { "\x7f", 0x7f },              { "\xc2\x80", 0x80 },
		{ "\xc3\xa9", 0xe9 },  { "\xdf\xbf", 0x7ff },         { "\xe0\xa0\x80", 0x800 },
		{ "\xe2\x9c\x93", 0x2713 }, { "\xef\xbf\xbd", 0xfffd }, { "\xf0\x90\x80\x80", 0x10000 },
		{ "\xf0\x9f\x98\x80", 0x1f600 }, { "\xf4\x8f\xbf\xbf", 0x10ffff },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i].bytes);
		uint32_t cp = 0;
		char out[UTF8_MAX];
		CHECK_EQ(utf8_decode(cases[i].bytes, n, &cp), n);
		CHECK_EQ(cp, cases[i].cp);
		CHECK_EQ(utf8_length((uint8_t)cases[i].bytes[0]), n);
		CHECK_EQ(utf8_encode(cases[i].cp, out), n);
		CHECK(memcmp(out, cases[i].bytes, n) == 0);
	}
}

TEST(utf8_refuses_what_is_not_well_formed)
{
	static const char *const bad[] = {
		"\x80", "\xbf",                         /* a continuation first */
		"\xc0\x80", "\xc1\xbf",                 /* overlong 2-byte */
		"\xe0\x80\x80", "\xe0\x9f\xbf",         /* overlong 3-byte */
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", /* overlong 4-byte */
		"\xed\xa0\x80", "\xed\xbf\xbf",         /* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", /* past U+10FFFF */
		"\xf8\x88\x80\x80\x80", "\xfe", "\xff", /* no such lengths */
		"\xc3(", "\xe2\x9c(", "\xe2(\x93",      /* a continuation missing */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint32_t cp = 0x12345;
		CHECK_EQ(utf8_decode(bad[i], strlen(bad[i]), &cp), 0);
		CHECK_EQ(cp, 0x12345);
	}
	/* Cut short by the end of the buffer. */
	uint32_t cp;
	CHECK_EQ(utf8_decode("\xe2\x9c\x93", 2, &cp), 0);
	CHECK_EQ(utf8_decode("\xf0\x9f\x98\x80", 3, &cp), 0);
}

TEST(utf8_round_trips_every_character)
{
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		char out[UTF8_MAX];
		uint32_t back = ~0u;
		size_t n = utf8_encode(cp, out);
		if (utf8_decode(out, n, &back) != n || back != cp) {
			unit_fail(__FILE__, __LINE__, "U+%04X does not round-trip", (unsigned)cp);
			return;
		}
	}
}

TEST(utf8_printable_excludes_c0_del_and_c1)
{
	CHECK(!utf8_printable(0x1b));
	CHECK(!utf8_printable(0x7f));
	CHECK(!utf8_printable(0x80));
	CHECK(!utf8_printable(0x9b));
	CHECK(!utf8_printable(0x9f));
	CHECK(utf8_printable(' '));
	CHECK(utf8_printable('~'));
	CHECK(utf8_printable(0xa0));
	CHECK(utf8_printable(0xe9));
	CHECK(utf8_printable(0x1f600));
}

/* logtext_clean on a copy of the literal; the result as a string. */
static const char *cleaned(const char *text)
{
	static char buf[256];
	size_t n = strlen(text);
	memcpy(buf, text, n + 1);
	logtext_clean(buf, n);
	CHECK_EQ(strlen(buf), n);       /* one for one: the length never changes */
	return buf;
}

TEST(logtext_keeps_text_and_utf8)
{
	CHECK_STR(cleaned("ls /\n  12  README.TXT\r\n\tok\b \b"), "ls /\n  12  README.TXT\r\n\tok\b \b");
	CHECK_STR(cleaned("  5  Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x94 \xe2\x9c\x93.txt\n"),
		  "  5  Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x94 \xe2\x9c\x93.txt\n");
	CHECK_STR(cleaned("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(logtext_replaces_terminal_commands_and_malformed_bytes)
{
	CHECK_STR(cleaned("\x1b[2Jgone"), "?[2Jgone");          /* ESC: clear screen */
	CHECK_STR(cleaned("a\x07" "b\x7f" "c\x01"), "a?b?c?");
	CHECK_STR(cleaned("\xc2\x9b" "2J"), "??2J");             /* C1 CSI, UTF-8 encoded */
	CHECK_STR(cleaned("\x9b" "2J"), "?2J");                  /* C1 CSI, a raw byte */
	CHECK_STR(cleaned("x\xc3"), "x?");                        /* cut short by the end */
	CHECK_STR(cleaned("\xc3(\xe2\x9c\x93"), "?(\xe2\x9c\x93");
	CHECK_STR(cleaned("\xc0\xaf\xed\xa0\x80\xff"), "??????");  /* overlong, surrogate, 0xff */
}

TEST(logtext_fuzz_leaves_only_text)
{
	uint64_t state = 0x243f6a8885a308d3ull;
	for (int round = 0; round < 2000; round++) {
		char buf[64];
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (char)(xorshift64(&state) >> 24);
		logtext_clean(buf, sizeof buf);
		for (size_t i = 0, len; i < sizeof buf; i += len) {
			uint32_t cp;
			len = utf8_decode(buf + i, sizeof buf - i, &cp);
			bool ok = len && (utf8_printable(cp) || cp == '\n' || cp == '\t' || cp == '\b' ||
					  cp == '\r');
			if (!ok) {
				unit_fail(__FILE__, __LINE__, "round %d: byte %zu (0x%02x) left", round, i,
					  (unsigned char)buf[i]);
				return;
			}
		}
	}
}
