/*
 * path.c — paths, and the operations that act on names: stat, list,
 * mkdir, remove.
 *
 * Resolution walks one component at a time with dir_find, holding only the
 * current directory's id, so a path costs no memory beyond one directory
 * entry however deep it goes, and the number of steps is bounded by the
 * path's length even if a damaged directory contains itself.  A
 * subdirectory entry is trusted only as far as dir_open checks its first
 * cluster; ".." entries with cluster 0 lead to the root, as fatgen103
 * prescribes.
 */
#include <string.h>

#include "components/fat/dir.h"
#include "components/fat/error.h"
#include "components/fat/path.h"
#include "components/fat/table.h"

static bool mounted(const struct fat_volume *vol)
{
	return vol && vol->mounted;
}

/* The next component of *path (advanced past it), or NULL at the end. */
static const char *next_component(const char **path, const char *end, size_t *len)
{
	const char *p = *path, *start;

	while (p < end && *p == '/')
		p++;
	if (p == end)
		return NULL;
	start = p;
	while (p < end && *p != '/')
		p++;
	*len = (size_t)(p - start);
	*path = p;
	return start;
}

static bool is_dot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

static bool is_dotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

static void root_entry(struct fat_dirent *e)
{
	memset(e, 0, sizeof *e);
	strlcpy(e->name, "/", sizeof e->name);
	strlcpy(e->short_name, "/", sizeof e->short_name);
	e->attr = FAT_ATTR_DIRECTORY;
	e->is_root = true;
}

/* The id of the directory an entry describes (0: the root). */
static int entry_dir(struct fat_volume *vol, const struct fat_dirent *e, uint32_t *id)
{
	if (e->is_root) {
		*id = 0;
		return 0;
	}
	if (!(e->attr & FAT_ATTR_DIRECTORY))
		return fat_fail(vol, FAT_E_NOT_DIR, "'%s' is not a directory", e->name);
	if (e->first_cluster == 0 && !dirent_is_dot(e))
		return fat_fail(vol, FAT_E_CORRUPT, "directory '%s' has no cluster", e->name);
	*id = e->first_cluster;
	return 0;
}

/* Resolves path[0..path_len) to its entry. */
static int resolve(struct fat_volume *vol, const char *path, size_t path_len, struct fat_dirent *out)
{
	const char *end = path + path_len, *name;
	size_t len;
	int rc;

	root_entry(out);
	while ((name = next_component(&path, end, &len))) {
		uint32_t dir;

		rc = entry_dir(vol, out, &dir);
		if (rc)
			return rc;
		if (is_dot(name, len) || (is_dotdot(name, len) && dir == 0))
			continue;
		if (len > FAT_NAME_MAX)
			return fat_fail(vol, FAT_E_BAD_NAME, "a name in the path is longer than %d bytes",
					FAT_NAME_MAX);
		rc = dir_find(vol, dir, name, len, out);
		if (rc)
			return rc;
		if (is_dotdot(name, len) && out->first_cluster == 0)
			root_entry(out);
	}
	return 0;
}

int path_split(struct fat_volume *vol, const char *path, uint32_t *parent,
	       const char **name, size_t *len, struct fat_dirent *scratch)
{
	size_t n = strlen(path);
	int rc;

	while (n && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start && path[start - 1] != '/')
		start--;
	if (start == n)
		return fat_fail(vol, FAT_E_INVALID, "the path names the root directory");
	*name = path + start;
	*len = n - start;
	if (is_dot(*name, *len) || is_dotdot(*name, *len))
		return fat_fail(vol, FAT_E_BAD_NAME, "a path may not end in '.' or '..' here");
	rc = resolve(vol, path, start, scratch);
	if (rc)
		return rc;
	return entry_dir(vol, scratch, parent);
}

int fat_stat(struct fat_volume *vol, const char *path, struct fat_dirent *out)
{
	if (!mounted(vol) || !path || !out)
		return -FAT_E_INVALID;
	return resolve(vol, path, strlen(path), out);
}

int fat_opendir(struct fat_volume *vol, const char *path, struct fat_dir *dir)
{
	struct fat_dirent e;
	uint32_t id;
	int rc;

	if (!mounted(vol) || !path || !dir)
		return -FAT_E_INVALID;
	rc = resolve(vol, path, strlen(path), &e);
	if (!rc)
		rc = entry_dir(vol, &e, &id);
	if (!rc)
		rc = dir_open(vol, id, dir);
	return rc;
}

int fat_readdir(struct fat_dir *dir, struct fat_dirent *out)
{
	int rc;

	if (!dir || !dir->vol || !dir->vol->mounted || !out)
		return -FAT_E_INVALID;
	while ((rc = dir_next(dir, out)) == 1)
		if (!dirent_is_dot(out))
			return 1;
	return rc;
}

/* What fat_mkdir and fat_remove begin with: a mounted, writable volume, and the path split. */
static int split_to_change(struct fat_volume *vol, const char *path, uint32_t *parent,
			   const char **name, size_t *len, struct fat_dirent *scratch)
{
	if (!mounted(vol) || !path)
		return -FAT_E_INVALID;
	if (vol->read_only)
		return fat_fail(vol, FAT_E_READ_ONLY, "the disk is read-only");
	return path_split(vol, path, parent, name, len, scratch);
}

int fat_mkdir(struct fat_volume *vol, const char *path)
{
	struct fat_dirent e;
	const char *name;
	uint32_t parent, cluster;
	size_t len;
	int rc;

	rc = split_to_change(vol, path, &parent, &name, &len, &e);
	if (rc)
		return rc;
	rc = dir_find(vol, parent, name, len, &e);
	if (rc == 0)
		return fat_fail(vol, FAT_E_EXISTS, "'%s' exists", e.name);
	if (rc != -FAT_E_NOT_FOUND)
		return rc;
	rc = table_alloc(vol, 0, &cluster);
	if (rc)
		return rc;
	rc = dir_init(vol, cluster, parent);
	if (!rc)
		rc = dir_add(vol, parent, name, len, FAT_ATTR_DIRECTORY, cluster, &e);
	if (rc)
		table_free_chain(vol, cluster);   /* the first error is the one reported */
	return rc;
}

int fat_remove(struct fat_volume *vol, const char *path)
{
	struct fat_dirent e;
	const char *name;
	uint32_t parent;
	size_t len;
	long freed;
	int rc;

	rc = split_to_change(vol, path, &parent, &name, &len, &e);
	if (!rc)
		rc = dir_find(vol, parent, name, len, &e);
	if (rc)
		return rc;
	if (dirent_is_dot(&e))
		return fat_fail(vol, FAT_E_INVALID, "'.' and '..' cannot be removed");
	if (e.attr & FAT_ATTR_DIRECTORY) {
		uint32_t id;
		rc = entry_dir(vol, &e, &id);
		if (!rc)
			rc = dir_is_empty(vol, id);
		if (rc == 0)
			return fat_fail(vol, FAT_E_NOT_EMPTY, "directory '%s' is not empty", e.name);
		if (rc < 0)
			return rc;
	}
	/* The entry goes first: if the chain is damaged, freeing it stops half-way and
	 * leaves lost clusters, never an entry pointing at clusters already free. */
	rc = dir_remove(vol, &e);
	if (rc || e.first_cluster == 0)
		return rc;
	freed = table_free_chain(vol, e.first_cluster);
	return freed < 0 ? (int)freed : 0;
}
