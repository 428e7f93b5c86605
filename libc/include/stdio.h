/*
 * stdio.h — formatted output for Pinfold's freestanding C library.
 *
 * There are no FILE streams here.  Formatting is done by one engine,
 * vformat(), that hands each produced character to a sink callback; the
 * snprintf family is vformat() with a sink that fills a bounded buffer, and
 * the kernel console's kprintf() is vformat() with a sink that writes to the
 * UART.  Supported: %d %i %u %x %X %o %p %s %c %% with the flags '-', '0',
 * '+', ' ', '#', a field width and a precision (both may be '*'), and the
 * length modifiers hh h l ll z t j.  There is no floating point: the kernel
 * is built without SSE.
 */
#ifndef PINFOLD_STDIO_H
#define PINFOLD_STDIO_H

#include <stdarg.h>
#include <stddef.h>

/* Receives one output character; `ctx` is vformat's caller's context. */
typedef void (*format_sink)(char c, void *ctx);

/* Formats into `sink`; returns the number of characters produced. */
int vformat(format_sink sink, void *ctx, const char *fmt, va_list ap);

/*
 * Writes at most size-1 characters and a terminating NUL (nothing at all if
 * size is 0); returns the length the full output would have had, so
 * a return value >= size means the output was truncated.
 */
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap);
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
