/*
 * logtext.c — makes a component's console text safe for a terminal
 * (logtext.h says what is kept and why).
 */
#include "kernel/logtext.h"

#include <stdbool.h>
#include <stdint.h>
#include <utf8.h>

/* The ASCII controls the console passes: line ends, tab, and the line editor's echo. */
static bool control_kept(uint8_t b)
{
	return b == '\n' || b == '\t' || b == '\b' || b == '\r';
}

void logtext_clean(char *text, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(text + i, n - i, &cp);
		if (len == 0 || !(utf8_printable(cp) || (cp < 0x20 && control_kept((uint8_t)cp)))) {
			len = len ? len : 1;    /* a malformed sequence: this byte now, the rest in turn */
			for (size_t k = 0; k < len; k++)
				text[i + k] = '?';
		}
		i += len;
	}
}
