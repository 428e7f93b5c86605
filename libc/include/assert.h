/*
 * assert.h — ASSERT for the kernel, components and host tests alike.
 *
 * ASSERT(expr) is always compiled in (the kernel is a teaching kernel: a
 * violated invariant must be loud, never silently skipped in a release
 * build).  On failure it calls assert_fail(), which each environment
 * provides: the kernel panics, a component faults, a host test aborts.
 * STATIC_ASSERT pins the layout of hardware structures at compile time.
 */
#ifndef PINFOLD_ASSERT_H
#define PINFOLD_ASSERT_H

__attribute__((noreturn)) void assert_fail(const char *expr, const char *file,
					   int line, const char *func);

#define ASSERT(expr) \
	((expr) ? (void)0 : assert_fail(#expr, __FILE__, __LINE__, __func__))

#define STATIC_ASSERT(cond, why) _Static_assert(cond, why)

#endif
