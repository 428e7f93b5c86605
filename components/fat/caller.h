/*
 * caller.h — checking the buffer a caller hands to fat for one call
 * (caller.c).
 */
#ifndef PINFOLD_FAT_CALLER_H
#define PINFOLD_FAT_CALLER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * 0 if [buffer, buffer + length) is a page-aligned range of the calling
 * component's own slot that is mapped in my domain now (writable too, if
 * `write`); else E_INVAL for a bad range or E_FAULT for memory I cannot
 * touch.  A write check may overwrite the first 32 bytes of each page of
 * the range, so callers check for writing only after they have copied out
 * what they need from the buffer.
 */
int64_t caller_buffer_check(uint64_t buffer, uint64_t length, bool write);

#endif
