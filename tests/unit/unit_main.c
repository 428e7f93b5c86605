/*
 * unit_main.c — runs the registered host unit tests (see unit.h).
 *
 * Usage: unit [FILTER]   runs the tests whose names contain FILTER.
 *
 * The test binary links Pinfold's own libc, whose snprintf, memcpy, strlen …
 * take the place of the host's for every call made from the binary itself.
 * The runner therefore reports through the host's fprintf/vfprintf only
 * (names Pinfold's libc does not define) and compares strings itself, so a
 * bug in the code under test cannot garble the report of that bug.
 */
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static struct unit_test *tests;
static int current_failures;

static int name_cmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

static int name_contains(const char *name, const char *filter)
{
	for (; *name; name++) {
		const char *n = name, *f = filter;
		while (*f && *n == *f)
			n++, f++;
		if (!*f)
			return 1;
	}
	return !*filter;
}

int unit_str_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return name_cmp(a, b) == 0;
}

void unit_register(struct unit_test *t)
{
	/* Keep the list sorted by name so every run reports in the same order. */
	struct unit_test **p = &tests;
	while (*p && name_cmp((*p)->name, t->name) < 0)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	current_failures++;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "";
	int passed = 0, failed = 0;

	for (struct unit_test *t = tests; t; t = t->next) {
		if (!name_contains(t->name, filter))
			continue;
		current_failures = 0;
		t->run();
		fprintf(stdout, "%s %s\n", current_failures ? "FAIL" : "ok  ", t->name);
		if (current_failures)
			failed++;
		else
			passed++;
		fflush(stdout);
	}
	fprintf(stdout, "unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* ASSERT in code under test: report it as a failure of the running test and stop the binary. */
void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	fprintf(stdout, "    %s:%d: in %s: ASSERT(%s) failed\n", file, line, func, expr);
	fprintf(stdout, "unit: 0 passed, 1 failed\n");
	fflush(stdout);
	_Exit(1);
}
