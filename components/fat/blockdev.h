/*
 * blockdev.h — disk 0 of the block service as the FAT library's struct
 * fat_blockdev (blockdev.c).
 */
#ifndef PINFOLD_FAT_BLOCKDEV_H
#define PINFOLD_FAT_BLOCKDEV_H

#include <stddef.h>

#include "components/fat/fat.h"

/*
 * Fills *dev for disk 0, asking block for its size.  0, or a negative
 * pinfold error with a sentence in why (E_NOT_FOUND: there is no disk).
 */
int64_t blockdev_open(struct fat_blockdev *dev, char *why, size_t why_size);

#endif
