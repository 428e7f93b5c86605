/*
 * component.c — the component table and each component's entry stacks.
 *
 * Entry stacks are a fixed pool per component (the manifest's "stacks"):
 * every invocation runs on one of them, so a component is re-entrant up to
 * that many nested or concurrent calls, and a caller that finds all busy
 * waits for one.  A stack's guard page below it stays unmapped, so an overflow
 * faults in the component that overflowed, never in a neighbour.
 */
#include "kernel/component/component.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <string.h>

#include "kernel/layout.h"

struct component components[COMPONENT_MAX];
int component_count;

struct component *component_by_name(const char *name)
{
	for (int i = 0; i < component_count; i++)
		if (strcmp(components[i].name, name) == 0)
			return &components[i];
	return NULL;
}

int component_stack_take_slow(struct component *c)
{
	for (;;) {
		if (c->state != COMPONENT_RUNNING && c->state != COMPONENT_LOADING)
			return c->state == COMPONENT_RESTARTING ? E_CALLEE_RESTARTING : E_CALLEE_FAILED;
		uint32_t free = c->stack_all & ~c->stack_busy;
		if (free) {
			int n = __builtin_ctz(free);
			c->stack_busy |= 1u << n;
			return n;
		}
		int64_t r = thread_block(&c->stack_wait, 0);
		if (r < 0)
			return (int)r;
	}
}

int component_stack_try_take(struct component *c)
{
	uint32_t free = c->stack_all & ~c->stack_busy;
	if (!free)
		return E_LIMIT;
	int n = __builtin_ctz(free);
	c->stack_busy |= 1u << n;
	return n;
}

HOT bool component_may_access(const struct component *c, uint64_t va, uint64_t len, bool write)
{
	if (len == 0)
		return true;
	if (va >= USER_ADDRESS_LIMIT || len > USER_ADDRESS_LIMIT - va)
		return false;
	uint64_t pa;
	struct domain_walk w = { .domain = &c->domain };
	for (uint64_t page = va & ~(uint64_t)(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE)
		if (!domain_walk_lookup(&w, page, write, &pa))
			return false;
	return true;
}
