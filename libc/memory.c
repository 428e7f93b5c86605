/*
 * memory.c — memcpy, memmove, memset, memcmp, memchr.
 *
 * The kernel copies whole pages and disk sectors, so copy and fill move
 * 8-byte words (forward copies four at a time: the block service's bounce
 * copies are most of a large disk read's instructions) once both pointers share an alignment, and single bytes at
 * the unaligned head and tail.  The word type is may_alias because callers
 * pass buffers of any type.  The code is plain C (no rep movsb) because the
 * same file runs in the host unit tests; -mgeneral-regs-only keeps the
 * compiler from turning the word loops into SSE in the kernel.
 */
#include <pinfold/hot.h>
#include <stdint.h>
#include <string.h>

#include "libc/internal.h"

typedef uint64_t __attribute__((may_alias)) word;
#define WORD_MASK (sizeof(word) - 1)

NO_LIBCALL_LOOPS
HOT static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n && ((uintptr_t)d & WORD_MASK); n--)
			*d++ = *s++;
		/* Four words a turn: a quarter of the loop's own instructions per byte. */
		for (; n >= 4 * sizeof(word); n -= 4 * sizeof(word)) {
			word a = ((const word *)s)[0], b = ((const word *)s)[1];
			word c = ((const word *)s)[2], e = ((const word *)s)[3];
			((word *)d)[0] = a, ((word *)d)[1] = b, ((word *)d)[2] = c, ((word *)d)[3] = e;
			d += 4 * sizeof(word);
			s += 4 * sizeof(word);
		}
		for (; n >= sizeof(word); n -= sizeof(word)) {
			*(word *)d = *(const word *)s;
			d += sizeof(word);
			s += sizeof(word);
		}
	}
	while (n--)
		*d++ = *s++;
}

/* Copies from the end, for a destination that overlaps the source's tail. */
NO_LIBCALL_LOOPS
HOT static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n && ((uintptr_t)d & WORD_MASK); n--)
			*--d = *--s;
		for (; n >= sizeof(word); n -= sizeof(word)) {
			d -= sizeof(word);
			s -= sizeof(word);
			*(word *)d = *(const word *)s;
		}
	}
	while (n--)
		*--d = *--s;
}

HOT void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

/*
 * Forward copying is safe whenever dst lies below src, even when the ranges
 * overlap: each byte is read before the copy reaches it.
 */
HOT void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

NO_LIBCALL_LOOPS
void *memset(void *dst, int byte, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)byte;
	word pattern = 0x0101010101010101ull * b;

	for (; n && ((uintptr_t)d & WORD_MASK); n--)
		*d++ = b;
	for (; n >= sizeof(word); n -= sizeof(word)) {
		*(word *)d = pattern;
		d += sizeof(word);
	}
	while (n--)
		*d++ = b;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *memchr(const void *s, int byte, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)byte)
			return (void *)p;
	return NULL;
}
