/*
 * path.h — resolving paths to directory entries (path.c).
 *
 * Paths are '/'-separated UTF-8, always from the root ("a/b" is "/a/b");
 * empty components and "." are skipped, ".." goes up (and stays at the
 * root).  file.c uses path_split to open and create files.
 */
#ifndef PINFOLD_FAT_PATH_H
#define PINFOLD_FAT_PATH_H

#include "components/fat/fat.h"

/*
 * Resolves every component of `path` but the last, which must be a
 * directory (its id in *parent: 0 for the root), and returns the last name
 * in *name and *len (not NUL-terminated).  scratch is overwritten.
 */
int path_split(struct fat_volume *vol, const char *path, uint32_t *parent,
	       const char **name, size_t *len, struct fat_dirent *scratch);

#endif
