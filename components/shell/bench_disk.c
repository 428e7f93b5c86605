/*
 * bench_disk.c — `bench disk [MS [DISK]]`: the sequential-read table.
 *
 * The measuring is done by the diskbench component (components/diskbench),
 * a client in a domain of its own, as a file system or the block service's
 * other clients would be; the shell only walks the table's rows: every path
 * the system has (the AHCI driver's own interface, then the block service's
 * asynchronous interface and its waiting read when there is one), queue
 * depths 1 and 32 (the waiting read: 1 only, it has one request in flight),
 * request sizes 512 B to 1 MiB, MS milliseconds each (default 1000).
 * diskbench prints each row's `bench:` lines; a path that is not in this
 * system is said once and skipped, and a row that fails is an `error:` line
 * and ends the run.
 */
#include "components/shell/bench_disk.h"
#include "components/shell/error.h"

#include <pinfold/kcall.h>

#include "diskbench_client.h"

#define DEFAULT_MS 1000

/* diskbench.idl's paths, in its order, and the deepest queue each can have. */
static const char *const path_names[] = { "ahci", "block", "block-wait" };
static const uint64_t path_max_depth[] = { 32, 32, 1 };
static const uint64_t sizes[] = { 512, 1024, 4096, 16384, 65536, 262144, 1048576 };
static const uint64_t depths[] = { 1, 32 };       /* ascending: a path stops at its deepest */

/* Every row of one path; false if a row failed (the error is printed). */
static bool bench_path(cap_t cap, uint64_t path, uint64_t disk, uint64_t ms)
{
	uint64_t requests, ns;
	for (size_t d = 0; d < sizeof depths / sizeof depths[0] && depths[d] <= path_max_depth[path]; d++)
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			int64_t r = diskbench_run(cap, path, disk, sizes[s], depths[d], ms, &requests, &ns);
			if (r == E_NO_CAP) {
				log_printf("bench: disk-%s: not in this system: skipped\n", path_names[path]);
				return true;
			}
			if (r == E_NOT_FOUND) {
				shell_error("bench disk: no disk %lu (see disk)", disk);
				return false;
			}
			if (r < 0) {
				shell_error("bench disk: %s, %lu bytes at depth %lu: %s", path_names[path], sizes[s],
					    depths[d], pinfold_strerror(r));
				return false;
			}
		}
	return true;
}

void shell_bench_disk(const struct words *w)
{
	uint64_t ms = DEFAULT_MS, disk = 0;
	if (w->count > 4 || (w->count >= 3 && (!words_number(w->v[2], &ms) || ms < 10 || ms > 10000)) ||
	    (w->count == 4 && !words_number(w->v[3], &disk))) {
		shell_error("usage: bench disk [MS [DISK]] (MS: 10 to 10000 per row)");
		return;
	}
	int64_t cap = cap_lookup("diskbench");
	if (cap < 0) {
		shell_error("bench disk: the shell holds no capability for diskbench");
		return;
	}
	for (uint64_t path = 0; path < sizeof path_names / sizeof path_names[0]; path++)
		if (!bench_path((cap_t)cap, path, disk, ms))
			return;
	log_printf("bench: done\n");
}
