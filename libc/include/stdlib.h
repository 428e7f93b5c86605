/*
 * stdlib.h — number parsing for Pinfold's freestanding C library.
 *
 * strtoul/strtoull follow ISO C (base 0 accepts 0x and 0 prefixes; on
 * overflow the result saturates at the type's maximum).  There is no errno:
 * callers that must reject overflow or trailing garbage use parse_u64(),
 * which succeeds only if the whole string is one number that fits.
 */
#ifndef PINFOLD_STDLIB_H
#define PINFOLD_STDLIB_H

#include <stdbool.h>
#include <stdint.h>

unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);

/* Whole-string parse of an unsigned number (base 0 rules); false on any junk or overflow. */
bool parse_u64(const char *s, uint64_t *out);

#endif
