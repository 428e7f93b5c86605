/*
 * pinbench.h — the pin/unpin benchmark behind edu.bench_pin (pinbench.c).
 */
#ifndef PINFOLD_EDU_PINBENCH_H
#define PINFOLD_EDU_PINBENCH_H

#include <pinfold/pdx.h>
#include <stdint.h>

#define PIN_BENCH_MAX_PAGES     256
#define PIN_BENCH_MAX_ROUNDS    1000

/*
 * Pins and unpins `pages` pages (1..PIN_BENCH_MAX_PAGES) through `chipset`,
 * `rounds` times (1..PIN_BENCH_MAX_ROUNDS); prints the `bench:` lines and
 * returns the median and 99th percentile of a round in TSC ticks.
 */
int64_t pin_bench(cap_t chipset, uint64_t pages, uint64_t rounds, uint64_t *median, uint64_t *p99);

#endif
