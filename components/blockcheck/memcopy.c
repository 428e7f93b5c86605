/*
 * memcopy.c — the mem_copy kernel call's cases (design in memcopy.h).
 *
 * Each case names what it checks; a refusal must also leave the destination
 * as it was (the kernel checks both ranges before a byte moves).
 */
#include "components/blockcheck/memcopy.h"

#include <pinfold/kcall.h>
#include <string.h>

#define PAGE 4096u

static uint64_t passed, failed;
static const char *self;                /* who logs: blockcheck or blockcheck2 */

static void expect(const char *name, int64_t got, int64_t want)
{
	if (got == want) {
		passed++;
		log_printf("%s: mem_copy: %s: ok\n", self, name);
	} else {
		failed++;
		log_printf("%s: mem_copy: %s: FAIL (%ld, not %ld)\n", self, name, got, want);
	}
}

static void expect_true(const char *name, bool ok)
{
	expect(name, ok ? 0 : -1, 0);
}

static bool all(const uint8_t *p, uint8_t value, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != value)
			return false;
	return true;
}

void memcopy_cases(const char *who, uint64_t *passed_out, uint64_t *failed_out)
{
	self = who;
	passed = failed = 0;
	/* Two pages to copy between, and a third freed so that its address is mapped no more. */
	uint8_t *a = mem_alloc(2 * PAGE), *b = mem_alloc(2 * PAGE), *gone = mem_alloc(PAGE);
	if (!a || !b || !gone) {
		expect("allocate", E_NOMEM, 0);
		*passed_out = passed, *failed_out = failed;
		return;
	}
	mem_free(gone);
	memset(a, 0x11, 2 * PAGE);
	memset(b, 0x22, 2 * PAGE);

	expect("copy across a page boundary", mem_copy(b + 100, a + 3000, PAGE + 500), 0);
	expect_true("the bytes arrived", all(b + 100, 0x11, PAGE + 500) && all(b, 0x22, 100) &&
		    all(b + 100 + PAGE + 500, 0x22, PAGE - 600));
	memset(b, 0x22, 2 * PAGE);
	expect("length 0", mem_copy(b, a, 0), 0);
	expect("source unmapped", mem_copy(b, gone, 16), E_FAULT);
	expect("source partly unmapped", mem_copy(b, gone - 8, 16), E_FAULT);
	expect("destination unmapped", mem_copy(gone, a, 16), E_FAULT);
	expect("destination read-only (my code)", mem_copy((void *)memcopy_cases, a, 16), E_FAULT);
	expect("onto itself, read-only (a check that needs write)", mem_copy((void *)memcopy_cases,
		(void *)memcopy_cases, 16), E_FAULT);
	expect("onto itself, writable: a check", mem_copy(a, a, 2 * PAGE), 0);
	expect("the kernel's half", mem_copy(b, (void *)0xffffffff80100000ull, 16), E_FAULT);
	expect("address 0", mem_copy(b, (void *)0, 16), E_FAULT);
	expect("a range that wraps", mem_copy(b, (void *)~0ull, 16), E_FAULT);
	expect("overlapping ranges", mem_copy(a + 8, a, 64), E_INVAL);
	expect("longer than MEM_COPY_MAX", mem_copy(b, a, MEM_COPY_MAX + 1ull), E_INVAL);
	expect_true("nothing moved by a refusal", all(b, 0x22, 2 * PAGE));
	mem_free(a);
	mem_free(b);
	*passed_out = passed;
	*failed_out = failed;
}
