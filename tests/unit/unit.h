/*
 * unit.h — Pinfold's host unit-test runner.
 *
 * Tests are plain functions declared with TEST(name); a constructor adds each
 * to a list, so a test file needs no registration table.  unit_main.c runs
 * every test whose name contains the filter given on the command line, counts
 * each failed CHECK, and ends with the line "N passed, N failed" that CI reads.
 * A CHECK failure prints the expression, file and line and the test goes on,
 * so one run shows every broken expectation rather than only the first.
 *
 * Host tests build the kernel's pure modules (libc, memory map, page tables,
 * ACPI parsers) with the host compiler, with no hardware behind them.
 */
#ifndef PINFOLD_UNIT_H
#define PINFOLD_UNIT_H

#include <stdint.h>

struct unit_test {
	const char *name;
	void (*run)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
/* Records one failed expectation of the running test. */
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	static struct unit_test unit_##name = { #name, test_##name, 0 };  \
	__attribute__((constructor)) static void unit_reg_##name(void)    \
	{ unit_register(&unit_##name); }                                  \
	static void test_##name(void)

#define CHECK(cond)                                                       \
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		unsigned long long va_ = (unsigned long long)(a);         \
		unsigned long long vb_ = (unsigned long long)(b);         \
		if (va_ != vb_)                                           \
			unit_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", \
				  #a, #b, va_, vb_);                      \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *sa_ = (a), *sb_ = (b);                        \
		if (!unit_str_equal(sa_, sb_))                            \
			unit_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
				  #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
	} while (0)

int unit_str_equal(const char *a, const char *b);

#endif
