/*
 * crc32.h — CRC-32 as zlib, PNG and Ethernet compute it (polynomial
 * 0xEDB88320, reflected, initial and final value ~0), so that a host can
 * check what `disk read` prints with Python's zlib.crc32.
 *
 * FIXME: a stand-in until libc has SHA-256; `disk read` should print a
 * SHA-256 for more than one sector (issue 6), and `sum` will need it too.
 *
 * Pure: tested on the host.
 */
#ifndef PINFOLD_SHELL_CRC32_H
#define PINFOLD_SHELL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC over more bytes: crc = crc32_update(0, a, n); crc = crc32_update(crc, b, m). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
