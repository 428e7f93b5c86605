/*
 * string.h — memory and string functions of Pinfold's freestanding C library.
 *
 * The same implementation serves the kernel, every component and the host
 * unit tests, so behaviour is identical wherever the code runs.  Only the
 * functions Pinfold uses are here; each follows its ISO C meaning except
 * strlcpy, which follows the BSD one (always terminates, returns strlen(src)).
 */
#ifndef PINFOLD_STRING_H
#define PINFOLD_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int byte, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int byte, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

#endif
