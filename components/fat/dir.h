/*
 * dir.h — directories: reading, finding, adding, changing and removing
 * entries (dir.c).
 *
 * A directory is named by its first cluster, with 0 for the root directory
 * of both FAT types (".." entries use 0 for the root too, fatgen103 "FAT
 * Directory Structure"), so the FAT16 fixed root region and the FAT32 root
 * chain look alike to callers.
 */
#ifndef PINFOLD_FAT_DIR_H
#define PINFOLD_FAT_DIR_H

#include "components/fat/fat.h"

int dir_open(struct fat_volume *vol, uint32_t cluster, struct fat_dir *dir);
/* The next entry, "." and ".." included: 1, 0 at the end, or < 0. */
int dir_next(struct fat_dir *dir, struct fat_dirent *out);
/* Finds `name` (len bytes) by its long or its 8.3 name: 0, -FAT_E_NOT_FOUND, or < 0. */
int dir_find(struct fat_volume *vol, uint32_t cluster, const char *name, size_t len,
	     struct fat_dirent *out);
/* Adds an entry `name`, growing the directory if needed; *out describes it. */
int dir_add(struct fat_volume *vol, uint32_t cluster, const char *name, size_t len,
	    uint8_t attr, uint32_t first_cluster, struct fat_dirent *out);
/* Sets an entry's first cluster and size and stamps it written. */
int dir_update(struct fat_volume *vol, uint32_t cluster, uint32_t index, const uint8_t raw_name[11],
	       uint32_t first_cluster, uint32_t size);
/* Marks an entry and its long-name entries deleted. */
int dir_remove(struct fat_volume *vol, const struct fat_dirent *entry);
/* 1 if the directory holds nothing but "." and "..", 0 if it holds more, or < 0. */
int dir_is_empty(struct fat_volume *vol, uint32_t cluster);
/* Formats `cluster` as a new, empty subdirectory of `parent`. */
int dir_init(struct fat_volume *vol, uint32_t cluster, uint32_t parent);

/* The "." or ".." entry of a subdirectory. */
bool dirent_is_dot(const struct fat_dirent *entry);

#endif
