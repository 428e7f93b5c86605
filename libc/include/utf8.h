/*
 * utf8.h — UTF-8 as RFC 3629 defines it: the one decoder and encoder that
 * the kernel's console, the shell's line editor and the FAT library share.
 *
 * Pinfold's text is UTF-8 wherever it is more than ASCII: FAT's long names
 * are UTF-16 on disk and UTF-8 everywhere else, and the console passes
 * well-formed UTF-8 through to the terminal.  A decoder that accepted
 * overlong forms or surrogates would let two byte strings mean one name, so
 * this one refuses them (RFC 3629 section 3 and 10).
 */
#ifndef PINFOLD_UTF8_H
#define PINFOLD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_MAX 4      /* bytes in one character */

/*
 * Decodes the character at s (n > 0 bytes available) into *cp and returns its
 * length in bytes, or 0 if the bytes there are not a whole, well-formed
 * character: a stray continuation byte, a sequence cut short by the end of
 * the buffer or by another byte, an overlong form, a UTF-16 surrogate, or a
 * value beyond U+10FFFF.
 */
size_t utf8_decode(const void *s, size_t n, uint32_t *cp);

/* Writes character cp (at most U+10FFFF, not a surrogate) to out; returns its length. */
size_t utf8_encode(uint32_t cp, char out[UTF8_MAX]);

/* The length a sequence that starts with byte b claims to have: 1 to 4, or 0 if b
 * cannot start one (a continuation byte, or 0xc0, 0xc1, 0xf5-0xff, which no
 * well-formed sequence begins with). */
size_t utf8_length(uint8_t b);

/* True for a byte that continues a sequence (10xxxxxx). */
static inline bool utf8_continuation(uint8_t b)
{
	return (b & 0xc0) == 0x80;
}

/* A terminal shows cp as a character: not a C0 or C1 control, and not DEL.  (C1
 * controls, U+0080-U+009F, are commands to some terminals even when UTF-8 encoded.) */
static inline bool utf8_printable(uint32_t cp)
{
	return cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0);
}

#endif
