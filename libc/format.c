/*
 * format.c — vformat(), the printf engine behind snprintf and kprintf.
 *
 * One pass over the format: literal text goes straight to the sink; each
 * conversion is parsed into a struct spec, its argument is fetched with the
 * exact type its length modifier names, and put_int() or put_text() lays it
 * out with width, precision and flags.  Nothing is buffered beyond the at
 * most 22 digits of one number, so the engine needs no memory of its own and
 * runs wherever its sink may run.  No floating point: the kernel has no SSE.
 *
 * Choices where ISO C leaves room or glibc does something specific:
 *  - %p prints like %#lx ("0x1f"); a null pointer prints as "(nil)", as in
 *    glibc, so that it stands out in a register dump.
 *  - %s of NULL prints "(null)"; a precision cuts it like any string.
 *  - '0' pads numbers only; %s and %c are always padded with spaces.
 *  - '+' and ' ' apply to %d and %i only.  "%%" ignores any flags.
 *  - An unknown or unfinished conversion ("%q", "%5q", a trailing "%l") is
 *    printed literally and consumes no argument (a '*' already read stays read).
 *  - A width or precision written beyond INT_MAX saturates at INT_MAX, and so
 *    does the returned count; the sink still sees every character.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
	F_LEFT = 1 << 0,  /* '-' */
	F_ZERO = 1 << 1,  /* '0' */
	F_PLUS = 1 << 2,  /* '+' */
	F_SPACE = 1 << 3, /* ' ' */
	F_ALT = 1 << 4,   /* '#' */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none given */
	enum length len;
};

struct out {
	format_sink sink;
	void *ctx;
	size_t count;
};

static void put(struct out *o, char c)
{
	o->sink(c, o->ctx);
	o->count++;
}

static void put_n(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, c);
}

/* Width padding that a field of `used` characters still needs. */
static size_t padding(const struct spec *s, size_t used)
{
	return (size_t)s->width > used ? (size_t)s->width - used : 0;
}

static void put_text(struct out *o, const struct spec *s, const char *text, size_t len)
{
	size_t pad = padding(s, len);

	if (!(s->flags & F_LEFT))
		put_n(o, ' ', pad);
	for (size_t i = 0; i < len; i++)
		put(o, text[i]);
	if (s->flags & F_LEFT)
		put_n(o, ' ', pad);
}

/*
 * Lays out [spaces][prefix][zeros][digits][spaces].  `prefix` is the sign or
 * the "0x" of the caller; the zeros come from the precision, the '#' of %o,
 * or the '0' flag (which C ignores when a precision is given).
 */
static void put_int(struct out *o, const struct spec *s, uintmax_t v, unsigned base,
		    bool upper, const char *prefix)
{
	const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[sizeof(uintmax_t) * CHAR_BIT / 3 + 1];
	size_t n = 0, zeros, plen = strlen(prefix), pad;

	/* C11 7.21.6.1: a zero value with precision 0 has no digits at all. */
	if (v || s->prec != 0) {
		do {
			digits[n++] = digit_chars[v % base];
			v /= base;
		} while (v);
	}
	zeros = s->prec > 0 && (size_t)s->prec > n ? (size_t)s->prec - n : 0;
	/* '#' with %o: the first digit must be 0. */
	if (base == 8 && (s->flags & F_ALT) && !zeros && (n == 0 || digits[n - 1] != '0'))
		zeros = 1;
	pad = padding(s, plen + zeros + n);
	if ((s->flags & F_ZERO) && !(s->flags & F_LEFT) && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(s->flags & F_LEFT))
		put_n(o, ' ', pad);
	while (*prefix)
		put(o, *prefix++);
	put_n(o, '0', zeros);
	while (n)
		put(o, digits[--n]);
	if (s->flags & F_LEFT)
		put_n(o, ' ', pad);
}

static intmax_t signed_arg(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	/* The signed type of size_t's width; ptrdiff_t has it on every Pinfold target. */
	case LEN_Z:  return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T:  return va_arg(*ap, ptrdiff_t);
	case LEN_J:  return va_arg(*ap, intmax_t);
	default:     return va_arg(*ap, int);
	}
}

static uintmax_t unsigned_arg(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, size_t);
	/* The unsigned type of ptrdiff_t's width; size_t has it. */
	case LEN_T:  return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:  return va_arg(*ap, uintmax_t);
	default:     return va_arg(*ap, unsigned int);
	}
}

/* Reads a decimal number, saturating at INT_MAX instead of overflowing. */
static const char *parse_num(const char *p, int *out)
{
	int v = 0;

	while (isdigit(*p)) {
		int d = *p++ - '0';
		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
	}
	*out = v;
	return p;
}

/* Parses flags, width, precision and length of the conversion after the '%'. */
static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
	const char *flag;

	*s = (struct spec){ .prec = -1 };
	while (*p && (flag = strchr("-0+ #", *p))) {
		s->flags |= 1u << (flag - "-0+ #");
		p++;
	}
	if (*p == '*') {
		p++;
		s->width = va_arg(*ap, int);
		/* C11 7.21.6.1p5: a negative width is a '-' flag and a positive width. */
		if (s->width < 0) {
			s->flags |= F_LEFT;
			s->width = s->width == INT_MIN ? INT_MAX : -s->width;
		}
	} else {
		p = parse_num(p, &s->width);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			p++;
			s->prec = va_arg(*ap, int);
			if (s->prec < 0)
				s->prec = -1; /* taken as if no precision were given */
		} else {
			p = parse_num(p, &s->prec);
		}
	}
	switch (*p) {
	case 'h': s->len = p[1] == 'h' ? LEN_HH : LEN_H; break;
	case 'l': s->len = p[1] == 'l' ? LEN_LL : LEN_L; break;
	case 'z': s->len = LEN_Z; break;
	case 't': s->len = LEN_T; break;
	case 'j': s->len = LEN_J; break;
	}
	if (s->len == LEN_HH || s->len == LEN_LL)
		p += 2;
	else if (s->len != LEN_NONE)
		p++;
	return p;
}

/* Prints conversion character `c`; false if it is not one we know. */
static bool convert(struct out *o, const struct spec *s, char c, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		intmax_t v = signed_arg(ap, s->len);
		/* Negate in unsigned arithmetic: -INTMAX_MIN does not fit intmax_t. */
		uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
		const char *sign = v < 0 ? "-" : (s->flags & F_PLUS) ? "+" : (s->flags & F_SPACE) ? " " : "";
		put_int(o, s, mag, 10, false, sign);
		return true;
	}
	case 'u':
		put_int(o, s, unsigned_arg(ap, s->len), 10, false, "");
		return true;
	case 'o':
		put_int(o, s, unsigned_arg(ap, s->len), 8, false, "");
		return true;
	case 'x':
	case 'X': {
		uintmax_t v = unsigned_arg(ap, s->len);
		const char *prefix = (s->flags & F_ALT) && v ? (c == 'x' ? "0x" : "0X") : "";
		put_int(o, s, v, 16, c == 'X', prefix);
		return true;
	}
	case 'p': {
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		if (v)
			put_int(o, s, v, 16, false, "0x");
		else
			put_text(o, s, "(nil)", 5);
		return true;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		/* With a precision the string need not be terminated: read no further. */
		put_text(o, s, str, s->prec >= 0 ? strnlen(str, s->prec) : strlen(str));
		return true;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		put_text(o, s, &ch, 1);
		return true;
	}
	case '%':
		put(o, '%');
		return true;
	default:
		return false;
	}
}

int vformat(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { sink, ctx, 0 };
	struct spec s;
	va_list args;

	/* Helpers take a pointer to a copy: va_list cannot portably be passed on by value and reused. */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		if (*fmt && convert(&o, &s, *fmt, &args)) {
			fmt++;
			continue;
		}
		/* Unknown or cut short by the end of the format: echo it as written. */
		if (*fmt)
			fmt++;
		while (start < fmt)
			put(&o, *start++);
	}
	va_end(args);
	return o.count > INT_MAX ? INT_MAX : (int)o.count;
}
