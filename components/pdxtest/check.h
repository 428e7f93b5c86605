/*
 * check.h — reporting results of the in-guest tests: one line per check,
 * "test: NAME: ok" or "test: NAME: FAIL <why>", and a closing count line.
 */
#ifndef PINFOLD_PDXTEST_CHECK_H
#define PINFOLD_PDXTEST_CHECK_H

#include <stdbool.h>
#include <stdint.h>

void check(const char *name, int ok, const char *fmt, uint64_t a, uint64_t b);
void report_done(void);

/* Evaluates `got` once: it is often a call with effects. */
#define EXPECT_EQ(name, got, want)                                                   \
	do {                                                                         \
		uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);           \
		check(name, got_ == want_, "got 0x%lx, want 0x%lx", got_, want_);    \
	} while (0)

void run_sched_tests(uint64_t arg);
bool start_recovery_tests(const char *which);
bool start_stress(const char *which);

#endif
