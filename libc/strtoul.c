/*
 * strtoul.c — strtoul, strtoull and parse_u64.
 *
 * One digit scanner serves all three.  strtoul/strtoull follow C11 7.22.1.4:
 * leading white space, an optional sign (a '-' negates in the unsigned type),
 * the base prefix, and saturation at the maximum on overflow; with no digits
 * they return 0 and point `end` at the start of the string.  A base outside
 * 0 and 2..36 is treated the same way, as there is no errno to report it.
 * parse_u64 is the strict form for input that must be exactly one number
 * (boot options, shell arguments): no white space, no sign, no junk, no
 * overflow.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>

static unsigned digit_value(char c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 36; /* not a digit in any base */
}

/*
 * Resolves base 0 and skips a "0x" prefix.  The prefix counts only if a hex
 * digit follows, so "0x" alone or "0xg" read as the number 0 followed by 'x'.
 */
static const char *base_prefix(const char *p, unsigned *base)
{
	if ((*base == 0 || *base == 16) && p[0] == '0' && tolower(p[1]) == 'x' && isxdigit(p[2])) {
		*base = 16;
		return p + 2;
	}
	if (*base == 0)
		*base = p[0] == '0' ? 8 : 10;
	return p;
}

/* Accumulates digits at p; sets *over and keeps reading if the value exceeds max. */
static const char *scan_digits(const char *p, unsigned base, unsigned long long max,
			       unsigned long long *value, bool *over)
{
	unsigned long long v = 0;
	unsigned d;

	*over = false;
	for (; (d = digit_value(*p)) < base; p++) {
		if (v > (max - d) / base)
			*over = true;
		else
			v = v * base + d;
	}
	*value = v;
	return p;
}

static unsigned long long parse(const char *s, char **end, int base, unsigned long long max)
{
	const char *p = s, *digits;
	unsigned b = base;
	unsigned long long v = 0;
	bool negative = false, over = false;

	if (base == 0 || (base >= 2 && base <= 36)) {
		while (isspace(*p))
			p++;
		if (*p == '+' || *p == '-')
			negative = *p++ == '-';
		digits = base_prefix(p, &b);
		p = scan_digits(digits, b, max, &v, &over);
		if (p == digits)
			p = s; /* no number at all */
	}
	if (end)
		*end = (char *)p;
	if (over)
		return max;
	return negative ? -v & max : v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	return parse(s, end, base, ULONG_MAX);
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	return parse(s, end, base, ULLONG_MAX);
}

bool parse_u64(const char *s, uint64_t *out)
{
	const char *digits, *p;
	unsigned base = 0;
	unsigned long long v;
	bool over;

	if (!s)
		return false;
	digits = base_prefix(s, &base);
	p = scan_digits(digits, base, UINT64_MAX, &v, &over);
	if (p == digits || *p || over)
		return false;
	*out = v;
	return true;
}
