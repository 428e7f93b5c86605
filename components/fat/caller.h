/*
 * caller.h — whether a buffer a caller names is the caller's own memory
 * (caller.c).
 */
#ifndef PINFOLD_FAT_CALLER_H
#define PINFOLD_FAT_CALLER_H

#include <stdint.h>

/*
 * 0 if [buffer, buffer + length) lies in the calling component's own slot
 * of the address space; E_FAULT if it does not, E_INVAL if it wraps.
 */
int64_t caller_range_check(uint64_t buffer, uint64_t length);

#endif
