/*
 * test_libc_format.c — host tests of vformat, vsnprintf and snprintf.
 *
 * Every expectation is a literal string, not the host printf's output, so
 * the tests pin down Pinfold's own choices (%p, "(null)", unknown
 * conversions) as well as the ISO C rules.  fmt() is checked by gcc's format
 * warnings; odd() is not, for the deliberately unusual formats (flags C
 * ignores, unknown conversions) that gcc would warn about.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static char out[512];
static int out_len;

static const char *vfmt(const char *f, va_list ap)
{
	out_len = vsnprintf(out, sizeof out, f, ap);
	return out;
}

__attribute__((format(printf, 1, 2)))
static const char *fmt(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vfmt(f, ap);
	va_end(ap);
	return out;
}

static const char *odd(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vfmt(f, ap);
	va_end(ap);
	return out;
}

TEST(libc_format_plain_text)
{
	CHECK_STR(fmt("hello"), "hello");
	CHECK_EQ(out_len, 5);
	CHECK_STR(fmt("%s", ""), "");
	CHECK_EQ(out_len, 0);
	CHECK_STR(fmt("100%%"), "100%");
	CHECK_EQ(out_len, 4);
	CHECK_STR(fmt("%%%d%%", 5), "%5%");
}

TEST(libc_format_signed)
{
	CHECK_STR(fmt("%d", 0), "0");
	CHECK_STR(fmt("%d", 42), "42");
	CHECK_STR(fmt("%i", -42), "-42");
	CHECK_STR(fmt("%d", INT_MAX), "2147483647");
	CHECK_STR(fmt("%d", INT_MIN), "-2147483648");
	CHECK_STR(fmt("%ld", LONG_MAX), "9223372036854775807");
	CHECK_STR(fmt("%ld", LONG_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%lld", LLONG_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%jd", INTMAX_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%jd", (intmax_t)INT64_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%td", (ptrdiff_t)-7), "-7");
	CHECK_STR(fmt("%td", PTRDIFF_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%zd", (long)-1), "-1");
}

/* hh and h convert the promoted int back to the narrow type. */
TEST(libc_format_narrow_types)
{
	CHECK_STR(odd("%hhd", 200), "-56");
	CHECK_STR(odd("%hhd", -129), "127");
	CHECK_STR(fmt("%hhd", (signed char)-128), "-128");
	CHECK_STR(odd("%hhu", 257), "1");
	CHECK_STR(odd("%hhx", 0x1ff), "ff");
	CHECK_STR(odd("%hd", 70000), "4464");
	CHECK_STR(fmt("%hd", (short)-32768), "-32768");
	CHECK_STR(odd("%hu", -1), "65535");
	CHECK_STR(odd("%ho", 0x10008), "10");
}

TEST(libc_format_unsigned)
{
	CHECK_STR(fmt("%u", 0u), "0");
	CHECK_STR(fmt("%u", UINT_MAX), "4294967295");
	CHECK_STR(fmt("%lu", ULONG_MAX), "18446744073709551615");
	CHECK_STR(fmt("%llu", ULLONG_MAX), "18446744073709551615");
	CHECK_STR(fmt("%zu", SIZE_MAX), "18446744073709551615");
	CHECK_STR(fmt("%ju", UINTMAX_MAX), "18446744073709551615");
	CHECK_STR(fmt("%tu", (unsigned long)-1), "18446744073709551615");
	CHECK_STR(fmt("%x", 0xdeadbeefu), "deadbeef");
	CHECK_STR(fmt("%X", 0xdeadbeefu), "DEADBEEF");
	CHECK_STR(fmt("%lx", 0x123456789abcdef0ul), "123456789abcdef0");
	CHECK_STR(fmt("%llX", ULLONG_MAX), "FFFFFFFFFFFFFFFF");
	CHECK_STR(fmt("%zx", (size_t)0x1000), "1000");
	CHECK_STR(fmt("%o", 8u), "10");
	CHECK_STR(fmt("%o", 0u), "0");
	CHECK_STR(fmt("%llo", ULLONG_MAX), "1777777777777777777777");
	/* A negative int through %u is its two's complement. */
	CHECK_STR(odd("%u", -1), "4294967295");
	CHECK_STR(odd("%x", -1), "ffffffff");
}

TEST(libc_format_sign_flags)
{
	CHECK_STR(fmt("%+d", 5), "+5");
	CHECK_STR(fmt("%+d", -5), "-5");
	CHECK_STR(fmt("%+d", 0), "+0");
	CHECK_STR(fmt("% d", 5), " 5");
	CHECK_STR(fmt("% d", -5), "-5");
	CHECK_STR(odd("%+ d", 5), "+5"); /* '+' wins over ' ' */
	CHECK_STR(odd("% +d", 5), "+5");
	CHECK_STR(fmt("%+5d", 5), "   +5");
	CHECK_STR(fmt("%+05d", 5), "+0005");
	CHECK_STR(fmt("% 05d", 5), " 0005");
	CHECK_STR(fmt("%-+5d|", 5), "+5   |");
	/* Only signed conversions take a sign. */
	CHECK_STR(odd("%+u", 5u), "5");
	CHECK_STR(odd("% x", 255u), "ff");
}

TEST(libc_format_width_and_justify)
{
	CHECK_STR(fmt("%5d", 42), "   42");
	CHECK_STR(fmt("%-5d|", 42), "42   |");
	CHECK_STR(fmt("%05d", 42), "00042");
	CHECK_STR(fmt("%05d", -42), "-0042");
	CHECK_STR(odd("%-05d|", -42), "-42  |"); /* '-' overrides '0' */
	CHECK_STR(fmt("%1d", 12345), "12345");  /* width is a minimum */
	CHECK_STR(fmt("%08x", 0xbeefu), "0000beef");
	CHECK_STR(fmt("%-8X|", 0xbeefu), "BEEF    |");
	CHECK_STR(fmt("%020lld", LLONG_MIN), "-9223372036854775808");
	CHECK_STR(fmt("%021lld", LLONG_MIN), "-09223372036854775808");
	CHECK_STR(fmt("%22ld", LONG_MIN), "  -9223372036854775808");
}

TEST(libc_format_precision)
{
	CHECK_STR(fmt("%.3d", 7), "007");
	CHECK_STR(fmt("%.3d", -7), "-007");
	CHECK_STR(fmt("%.3d", 12345), "12345");
	CHECK_STR(fmt("%5.3d", 7), "  007");
	CHECK_STR(fmt("%-5.3d|", 7), "007  |");
	CHECK_STR(odd("%05.3d", 7), "  007"); /* a precision turns '0' off */
	CHECK_STR(fmt("%+.3d", 7), "+007");
	CHECK_STR(fmt("%.8x", 0xabcu), "00000abc");
	CHECK_STR(fmt("%.d", 5), "5");       /* "." alone is precision 0 */
	/* Precision 0 and value 0: no digits at all (C11 7.21.6.1p8). */
	CHECK_STR(fmt("%.0d", 0), "");
	CHECK_EQ(out_len, 0);
	CHECK_STR(fmt("%.d", 0), "");
	CHECK_STR(fmt("%.0u", 0u), "");
	CHECK_STR(fmt("%.0x", 0u), "");
	CHECK_STR(fmt("%.0o", 0u), "");
	CHECK_STR(fmt("%5.0d|", 0), "     |");
	CHECK_STR(fmt("%-3.0d|", 0), "   |");
	CHECK_STR(fmt("%+.0d", 0), "+");
	CHECK_STR(fmt("% .0d", 0), " ");
	CHECK_STR(fmt("%.0d", 1), "1");
}

TEST(libc_format_alternate)
{
	CHECK_STR(fmt("%#x", 255u), "0xff");
	CHECK_STR(fmt("%#X", 255u), "0XFF");
	CHECK_STR(fmt("%#x", 0u), "0");    /* no prefix for zero */
	CHECK_STR(fmt("%#.0x", 0u), "");
	CHECK_STR(fmt("%#8x", 255u), "    0xff");
	CHECK_STR(fmt("%#-8x|", 255u), "0xff    |");
	CHECK_STR(fmt("%#08x", 255u), "0x0000ff");
	CHECK_STR(fmt("%#.4x", 255u), "0x00ff");
	CHECK_STR(fmt("%#lx", ULONG_MAX), "0xffffffffffffffff");
	/* '#' with %o: the first digit is a 0, added only if needed. */
	CHECK_STR(fmt("%#o", 8u), "010");
	CHECK_STR(fmt("%#o", 0u), "0");
	CHECK_STR(fmt("%#.0o", 0u), "0");
	CHECK_STR(fmt("%#.3o", 8u), "010");
	CHECK_STR(fmt("%#.4o", 8u), "0010");
	CHECK_STR(fmt("%#5o", 8u), "  010");
	CHECK_STR(fmt("%#05o", 8u), "00010");
}

TEST(libc_format_star)
{
	CHECK_STR(fmt("%*d", 5, 42), "   42");
	CHECK_STR(fmt("%*d", -5, 42), "42   ");  /* negative width: '-' flag */
	CHECK_STR(fmt("%-*d|", 5, 42), "42   |");
	CHECK_STR(fmt("%-*d|", -5, 42), "42   |");
	CHECK_STR(fmt("%0*d", -5, 42), "42   ");  /* and '-' overrides '0' */
	CHECK_STR(fmt("%*d", 0, 42), "42");
	CHECK_STR(fmt("%.*d", 3, 7), "007");
	CHECK_STR(fmt("%.*d", -1, 7), "7");      /* negative precision: none */
	CHECK_STR(fmt("%.*d", -1, 0), "0");
	CHECK_STR(fmt("%.*d", 0, 0), "");
	CHECK_STR(odd("%05.*d", -3, 7), "00007");  /* none, so '0' applies */
	CHECK_STR(fmt("%*.*s|", 6, 2, "abcdef"), "    ab|");
	CHECK_STR(fmt("%-*.*s|", 6, 2, "abcdef"), "ab    |");
	CHECK_STR(fmt("%.*s", -1, "abc"), "abc");
	CHECK_STR(fmt("%*s%d", 3, "x", 9), "  x9"); /* arguments stay in step */
	CHECK_STR(fmt("%*.*d,%s", 6, 4, 12, "ok"), "  0012,ok");
}

TEST(libc_format_huge_width_and_precision)
{
	char small[16];
	int n;

	n = snprintf(small, sizeof small, "%300d", 1);
	CHECK_EQ(n, 300);
	CHECK_STR(small, "               ");
	n = snprintf(small, sizeof small, "%.300d", 1);
	CHECK_EQ(n, 300);
	CHECK_STR(small, "000000000000000");
	n = snprintf(small, sizeof small, "%-4096s|", "ab");
	CHECK_EQ(n, 4097);
	CHECK_STR(small, "ab             ");
	n = snprintf(small, sizeof small, "%*d", 100000, -1);
	CHECK_EQ(n, 100000);
	n = snprintf(NULL, 0, "%#.*x", 70000, 1u);
	CHECK_EQ(n, 70002);
	CHECK_STR(fmt("%40d|", -3), "                                      -3|");
}

TEST(libc_format_strings)
{
	const char unterminated[3] = { 'x', 'y', 'z' };

	CHECK_STR(fmt("%s", "abc"), "abc");
	CHECK_STR(fmt("[%5s]", "abc"), "[  abc]");
	CHECK_STR(fmt("[%-5s]", "abc"), "[abc  ]");
	CHECK_STR(fmt("[%2s]", "abc"), "[abc]");
	CHECK_STR(fmt("[%.2s]", "abc"), "[ab]");
	CHECK_STR(fmt("[%.0s]", "abc"), "[]");
	CHECK_STR(fmt("[%.10s]", "abc"), "[abc]");
	CHECK_STR(fmt("[%5.1s]", "abc"), "[    a]");
	CHECK_STR(odd("[%05s]", "abc"), "[  abc]"); /* '0' pads numbers only */
	/* With a precision, reading stops there: ASan checks we stay in bounds. */
	CHECK_STR(fmt("%.3s", unterminated), "xyz");
	CHECK_STR(fmt("%.*s", 2, unterminated), "xy");
}

TEST(libc_format_null_string)
{
	const char *null = NULL;

	CHECK_STR(odd("%s", null), "(null)");
	CHECK_STR(odd("[%8s]", null), "[  (null)]");
	CHECK_STR(odd("[%-8s]", null), "[(null)  ]");
	CHECK_STR(odd("%.3s", null), "(nu");
}

TEST(libc_format_chars)
{
	char buf[8];

	CHECK_STR(fmt("%c", 'x'), "x");
	CHECK_STR(fmt("%c%c%c", 'a', 'b', 'c'), "abc");
	CHECK_STR(fmt("[%3c]", 'x'), "[  x]");
	CHECK_STR(fmt("[%-3c]", 'x'), "[x  ]");
	CHECK_STR(fmt("%c", 0xe9), "\xe9");
	CHECK_STR(odd("%c", 0x141), "A");
	/* A NUL from %c is output like any character and counted. */
	memset(buf, 'X', sizeof buf);
	CHECK_EQ(snprintf(buf, sizeof buf, "a%cb", 0), 3);
	CHECK_EQ(buf[0], 'a');
	CHECK_EQ(buf[1], '\0');
	CHECK_EQ(buf[2], 'b');
	CHECK_EQ(buf[3], '\0');
	CHECK_EQ(buf[4], 'X');
}

/* %p: "0x" and lowercase hex like glibc; a null pointer prints "(nil)". */
TEST(libc_format_pointer)
{
	CHECK_STR(fmt("%p", (void *)0x1234), "0x1234");
	CHECK_STR(fmt("%p", (void *)0xffffffff80000000ul), "0xffffffff80000000");
	CHECK_STR(fmt("%p", (void *)1), "0x1");
	CHECK_STR(fmt("%p", NULL), "(nil)");
	CHECK_STR(fmt("[%10p]", (void *)0xabc), "[     0xabc]");
	CHECK_STR(fmt("[%-10p]", (void *)0xabc), "[0xabc     ]");
	CHECK_STR(fmt("[%8p]", NULL), "[   (nil)]");
	CHECK_STR(fmt("[%-8p]", NULL), "[(nil)   ]");
	CHECK_STR(odd("%018p", (void *)0xabc), "0x0000000000000abc");
	CHECK_STR(odd("%.8p", (void *)0xabc), "0x00000abc");
	CHECK_STR(odd("%.8p", NULL), "(nil)");
}

/* Unknown or unfinished conversions are echoed and consume no argument. */
TEST(libc_format_unknown_conversion)
{
	CHECK_STR(odd("%q"), "%q");
	CHECK_EQ(out_len, 2);
	CHECK_STR(odd("a%qb"), "a%qb");
	CHECK_STR(odd("%-5.2q"), "%-5.2q");
	CHECK_STR(odd("%lq"), "%lq");
	CHECK_STR(odd("%hhq"), "%hhq");
	CHECK_STR(odd("%y%d", 3), "%y3");
	CHECK_STR(odd("%f|%d", 4), "%f|4"); /* no floating point */
	CHECK_STR(odd("%n%d", 5), "%n5");  /* %n never writes memory */
	/* The format ends inside a conversion: echo the rest, read no further. */
	CHECK_STR(odd("abc%"), "abc%");
	CHECK_EQ(out_len, 4);
	CHECK_STR(odd("%-"), "%-");
	CHECK_STR(odd("%5"), "%5");
	CHECK_STR(odd("%5."), "%5.");
	CHECK_STR(odd("%l"), "%l");
	CHECK_STR(odd("%ll"), "%ll");
	CHECK_STR(odd("%h"), "%h");
	CHECK_STR(odd("%hh"), "%hh");
	CHECK_STR(odd("%z"), "%z");
	/* A '*' reads its argument even if the conversion turns out unknown. */
	CHECK_STR(odd("%*q%d", 4, 6), "%*q6");
}

TEST(libc_format_length_modifiers_all)
{
	CHECK_STR(fmt("%hhi %hi %i %li %lli %zi %ti %ji", (signed char)-1, (short)-2, -3,
		      -4l, -5ll, (long)-6, (ptrdiff_t)-7, (intmax_t)-8),
		  "-1 -2 -3 -4 -5 -6 -7 -8");
	CHECK_STR(fmt("%hhx %hx %x %lx %llx %zx %tx %jx", (unsigned char)1, (unsigned short)2,
		      3u, 4ul, 5ull, (size_t)6, (unsigned long)7, (uintmax_t)8),
		  "1 2 3 4 5 6 7 8");
	CHECK_STR(fmt("%ho %lo %zo %jo", (unsigned short)8, 9ul, (size_t)10, (uintmax_t)11),
		  "10 11 12 13");
}

TEST(libc_snprintf_truncation)
{
	char buf[8];

	memset(buf, 'X', sizeof buf);
	CHECK_EQ(snprintf(buf, 4, "%s", "abcdef"), 6);
	CHECK_STR(buf, "abc");
	CHECK_EQ(buf[4], 'X'); /* nothing written past size */

	memset(buf, 'X', sizeof buf);
	CHECK_EQ(snprintf(buf, sizeof buf, "%d", 1234567), 7);
	CHECK_STR(buf, "1234567"); /* exactly fits */
	CHECK_EQ(snprintf(buf, sizeof buf, "%d", 12345678), 8);
	CHECK_STR(buf, "1234567"); /* one too many */

	memset(buf, 'X', sizeof buf);
	CHECK_EQ(snprintf(buf, 1, "abc"), 3);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'X');

	/* Size 0 writes nothing, so the buffer may be NULL. */
	memset(buf, 'X', sizeof buf);
	CHECK_EQ(snprintf(buf, 0, "abc"), 3);
	CHECK_EQ(buf[0], 'X');
	CHECK_EQ(snprintf(NULL, 0, "%s=%d", "answer", 42), 9);

	CHECK_EQ(snprintf(buf, sizeof buf, "%s", ""), 0);
	CHECK_STR(buf, "");
}

/* A buffer exactly as large as the size given, so ASan sees any overrun. */
TEST(libc_snprintf_exact_buffers)
{
	for (size_t size = 1; size <= 12; size++) {
		char buf[12];
		int n = snprintf(buf, size, "%-5d|%3s", -12, "ab");

		CHECK_EQ(n, 9);
		CHECK_EQ(strlen(buf), size - 1 < 9 ? size - 1 : 9);
		CHECK_EQ(strncmp(buf, "-12  | ab", size - 1), 0);
	}
}

struct collect {
	char text[64];
	size_t n;
};

static void collect_sink(char c, void *ctx)
{
	struct collect *col = ctx;

	if (col->n < sizeof col->text)
		col->text[col->n] = c;
	col->n++;
}

static int collect(struct collect *col, const char *f, ...)
{
	va_list ap;
	int n;

	memset(col, 0, sizeof *col);
	va_start(ap, f);
	n = vformat(collect_sink, col, f, ap);
	va_end(ap);
	return n;
}

TEST(libc_vformat_sink)
{
	struct collect col;

	CHECK_EQ(collect(&col, "x=%d y=%s", -1, "z"), 8);
	CHECK_EQ(col.n, 8);
	CHECK_EQ(memcmp(col.text, "x=-1 y=z", 8), 0);

	/* The sink sees every character, NUL included; nothing is added. */
	CHECK_EQ(collect(&col, "%c", 0), 1);
	CHECK_EQ(col.n, 1);
	CHECK_EQ(col.text[0], '\0');

	CHECK_EQ(collect(&col, ""), 0);
	CHECK_EQ(col.n, 0);
}
