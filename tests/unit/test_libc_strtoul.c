/*
 * test_libc_strtoul.c — host tests of strtoul, strtoull and parse_u64.
 *
 * Besides each value, the tests check where `end` points, since callers such
 * as the boot option parser rely on it to find what follows a number.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

/* Parses s with strtoul and returns the value; *used gets the characters consumed. */
static unsigned long ul(const char *s, int base, long *used)
{
	char *end = (char *)0x1; /* must be overwritten */
	unsigned long v = strtoul(s, &end, base);

	*used = end - s;
	return v;
}

TEST(libc_strtoul_decimal)
{
	long used;

	CHECK_EQ(ul("0", 10, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("123", 10, &used), 123);
	CHECK_EQ(used, 3);
	CHECK_EQ(ul("123abc", 10, &used), 123);
	CHECK_EQ(used, 3);
	CHECK_EQ(ul(" \t\n\v\f\r42 ", 10, &used), 42);
	CHECK_EQ(used, 8);
	CHECK_EQ(ul("+7", 10, &used), 7);
	CHECK_EQ(used, 2);
	CHECK_EQ(ul("007", 10, &used), 7); /* base 10: leading zeros are decimal */
	CHECK_EQ(used, 3);
	CHECK_EQ(ul("0x1f", 10, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("18446744073709551615", 10, &used), ULONG_MAX);
	CHECK_EQ(used, 20);
}

/* A '-' negates in the unsigned type, as ISO C specifies. */
TEST(libc_strtoul_negative)
{
	long used;

	CHECK_EQ(ul("-1", 10, &used), ULONG_MAX);
	CHECK_EQ(used, 2);
	CHECK_EQ(ul("-0", 10, &used), 0);
	CHECK_EQ(ul("  -16", 0, &used), (unsigned long)-16);
	CHECK_EQ(used, 5);
	CHECK_EQ(ul("-0x10", 0, &used), (unsigned long)-16);
	CHECK_EQ(ul("-18446744073709551615", 10, &used), 1);
	CHECK_EQ(used, 21);
}

TEST(libc_strtoul_overflow_saturates)
{
	long used;

	CHECK_EQ(ul("18446744073709551616", 10, &used), ULONG_MAX);
	CHECK_EQ(used, 20); /* all the digits are still consumed */
	CHECK_EQ(ul("99999999999999999999999xyz", 10, &used), ULONG_MAX);
	CHECK_EQ(used, 23);
	CHECK_EQ(ul("-18446744073709551616", 10, &used), ULONG_MAX);
	CHECK_EQ(ul("0x10000000000000000", 0, &used), ULONG_MAX);
	CHECK_EQ(used, 19);
	CHECK_EQ(ul("0xffffffffffffffff", 16, &used), ULONG_MAX);
	CHECK_EQ(used, 18);
	CHECK_EQ(ul("1111111111111111111111111111111111111111111111111111111111111111", 2, &used), ULONG_MAX);
	CHECK_EQ(ul("11111111111111111111111111111111111111111111111111111111111111111", 2, &used), ULONG_MAX);
	CHECK_EQ(used, 65);
	CHECK_EQ(ul("3w5e11264sgsf", 36, &used), ULONG_MAX);   /* exactly 2^64-1 */
	CHECK_EQ(ul("3w5e11264sgsg", 36, &used), ULONG_MAX);   /* one more */
	CHECK_EQ(ul("3w5e11264sgse", 36, &used), ULONG_MAX - 1);
}

TEST(libc_strtoul_bases)
{
	long used;

	CHECK_EQ(ul("0x1f", 0, &used), 31);
	CHECK_EQ(used, 4);
	CHECK_EQ(ul("0X1F", 0, &used), 31);
	CHECK_EQ(ul("0x1F", 16, &used), 31);
	CHECK_EQ(ul("1f", 16, &used), 31);
	CHECK_EQ(ul("DeadBeef", 16, &used), 0xdeadbeef);
	CHECK_EQ(used, 8);
	CHECK_EQ(ul("017", 0, &used), 15);
	CHECK_EQ(used, 3);
	CHECK_EQ(ul("017", 8, &used), 15);
	CHECK_EQ(ul("42", 0, &used), 42);
	CHECK_EQ(ul("0", 0, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("08", 0, &used), 0); /* octal: 8 is not a digit */
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("1012", 2, &used), 5);
	CHECK_EQ(used, 3);
	CHECK_EQ(ul("z", 36, &used), 35);
	CHECK_EQ(ul("Zz", 36, &used), 35 * 36 + 35);
	CHECK_EQ(ul("z", 35, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("777", 7, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("0x", 2, &used), 0); /* "0x" is a prefix only in base 0 and 16 */
	CHECK_EQ(used, 1);
}

/* "0x" counts as a prefix only when a hex digit follows it. */
TEST(libc_strtoul_bare_prefix)
{
	long used;

	CHECK_EQ(ul("0x", 0, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("0x", 16, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("0xg", 0, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("0x-1", 0, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(ul("0x 1", 16, &used), 0);
	CHECK_EQ(used, 1);
}

/* No digits: the value is 0 and end is the start of the string, spaces and sign included. */
TEST(libc_strtoul_no_number)
{
	long used;

	CHECK_EQ(ul("", 10, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("   ", 10, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("  -", 10, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("+", 0, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("abc", 10, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("- 1", 10, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("+-1", 10, &used), 0);
	CHECK_EQ(used, 0);
}

TEST(libc_strtoul_bad_base)
{
	long used;

	CHECK_EQ(ul("11", 1, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("11", 37, &used), 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(ul("11", -1, &used), 0);
	CHECK_EQ(used, 0);
}

TEST(libc_strtoul_null_end)
{
	CHECK_EQ(strtoul("99", NULL, 10), 99);
	CHECK_EQ(strtoull("0x99", NULL, 0), 0x99);
}

TEST(libc_strtoull)
{
	char *end;
	const char *s = "0xFFFFFFFFFFFFFFFF,";

	CHECK_EQ(strtoull(s, &end, 0), ULLONG_MAX);
	CHECK(end == s + 18);
	s = "18446744073709551616";
	CHECK_EQ(strtoull(s, &end, 10), ULLONG_MAX);
	CHECK(end == s + 20);
	s = "-2";
	CHECK_EQ(strtoull(s, &end, 10), ULLONG_MAX - 1);
	s = "1777777777777777777777";
	CHECK_EQ(strtoull(s, &end, 0), ULLONG_MAX);
	CHECK(end == s + 22);
	s = "x";
	CHECK_EQ(strtoull(s, &end, 0), 0);
	CHECK(end == s);
}

static bool parses_to(const char *s, uint64_t want)
{
	uint64_t v = 0xdead;

	return parse_u64(s, &v) && v == want;
}

static bool rejects(const char *s)
{
	uint64_t v = 0xdead;

	return !parse_u64(s, &v) && v == 0xdead; /* and leaves *out alone */
}

TEST(libc_parse_u64_accepts)
{
	CHECK(parses_to("0", 0));
	CHECK(parses_to("00", 0));
	CHECK(parses_to("42", 42));
	CHECK(parses_to("0x2a", 42));
	CHECK(parses_to("0X2A", 42));
	CHECK(parses_to("052", 42));
	CHECK(parses_to("18446744073709551615", UINT64_MAX));
	CHECK(parses_to("0xffffffffffffffff", UINT64_MAX));
	CHECK(parses_to("0x0000000000000000000001", 1)); /* leading zeros are no overflow */
	CHECK(parses_to("01777777777777777777777", UINT64_MAX));
	CHECK(parses_to("4294967296", 4294967296ull));
}

TEST(libc_parse_u64_rejects)
{
	CHECK(rejects(NULL));
	CHECK(rejects(""));
	CHECK(rejects(" "));
	CHECK(rejects(" 1"));
	CHECK(rejects("1 "));
	CHECK(rejects("1\n"));
	CHECK(rejects("+1"));
	CHECK(rejects("-1"));
	CHECK(rejects("-0"));
	CHECK(rejects("12a"));
	CHECK(rejects("a"));
	CHECK(rejects("x"));
	CHECK(rejects("0x"));
	CHECK(rejects("0xg"));
	CHECK(rejects("0x1g"));
	CHECK(rejects("08"));
	CHECK(rejects("09"));
	CHECK(rejects("1.5"));
	CHECK(rejects("18446744073709551616"));
	CHECK(rejects("99999999999999999999999"));
	CHECK(rejects("0x10000000000000000"));
	CHECK(rejects("02000000000000000000000"));
}
