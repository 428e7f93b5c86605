/*
 * bench_disk.h — the shell's `bench disk` (bench_disk.c).
 */
#ifndef PINFOLD_SHELL_BENCH_DISK_H
#define PINFOLD_SHELL_BENCH_DISK_H

#include "components/shell/words.h"

/* bench disk [MS [DISK]]: every row of the disk benchmark, `bench:` lines, then `bench: done` */
void shell_bench_disk(const struct words *w);

#endif
