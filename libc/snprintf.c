/*
 * snprintf.c — vsnprintf and snprintf: vformat() into a bounded buffer.
 *
 * The sink stores characters while they fit in size-1 bytes and counts the
 * rest, so the return value is the full length (C11 7.21.6.5) and the caller
 * can tell truncation by `ret >= size`.  The terminating NUL is written once
 * at the end, after the last stored character.
 */
#include <stdio.h>

struct bounded {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, stored or not */
};

static void bounded_put(char c, void *ctx)
{
	struct bounded *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct bounded b = { buf, size, 0 };
	int n = vformat(bounded_put, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
