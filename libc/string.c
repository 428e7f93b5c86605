/*
 * string.c — functions on NUL-terminated strings.
 *
 * Straightforward byte loops: kernel strings are short (names, command
 * lines, ACPI signatures), so clarity wins over word-at-a-time tricks.
 * Comparisons use unsigned char, as ISO C requires, so bytes >= 0x80 sort
 * after ASCII.
 */
#include <string.h>

#include "libc/internal.h"

NO_LIBCALL_LOOPS
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

/* Never reads beyond s[max-1], so s need not be terminated within max bytes. */
NO_LIBCALL_LOOPS
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

/* As in ISO C, searching for '\0' finds the terminator. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* Naive search: O(n*m), fine for the short strings the kernel looks at. */
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}

/* BSD semantics: the result is always terminated if size > 0, and the return
 * value is strlen(src), so `strlcpy(...) >= size` detects truncation. */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
