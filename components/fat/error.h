/*
 * error.h — how the library's modules report a failure (error.c).
 *
 * fat_fail records a formatted explanation in vol->message and returns the
 * negated code, so a check reads `return fat_fail(vol, FAT_E_CORRUPT, …)`.
 * The first explanation of a failure is the most precise one; callers up the
 * stack pass the negative code on without overwriting it.
 */
#ifndef PINFOLD_FAT_ERROR_H
#define PINFOLD_FAT_ERROR_H

#include "components/fat/fat.h"

__attribute__((format(printf, 3, 4)))
int fat_fail(struct fat_volume *vol, enum fat_error code, const char *fmt, ...);

#endif
