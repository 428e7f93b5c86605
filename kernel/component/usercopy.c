/*
 * usercopy.c — checked copies between the kernel and a component.
 *
 * The whole range is checked before a byte moves, so a copy either happens
 * completely or not at all.
 */
#include "kernel/component/usercopy.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <string.h>

#include "kernel/layout.h"
#include "kernel/mm/vm.h"

/* The kernel's pointer to user address va (checked already: the lookup cannot fail). */
static void *page_of(struct domain_walk *w, uint64_t va, bool write)
{
	uint64_t pa;
	if (!domain_walk_lookup(w, va, write, &pa))
		return NULL;
	return phys_to_virt(pa);
}

int64_t copy_from_component(const struct component *c, void *dst, uint64_t va, size_t len)
{
	if (!component_may_access(c, va, len, false))
		return E_FAULT;
	uint8_t *out = dst;
	struct domain_walk w = { .domain = &c->domain };
	while (len) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		memcpy(out, page_of(&w, va, false), chunk);
		out += chunk, va += chunk, len -= chunk;
	}
	return 0;
}

int64_t copy_to_component(const struct component *c, uint64_t va, const void *src, size_t len)
{
	if (!component_may_access(c, va, len, true))
		return E_FAULT;
	const uint8_t *in = src;
	struct domain_walk w = { .domain = &c->domain };
	while (len) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		memcpy(page_of(&w, va, true), in, chunk);
		in += chunk, va += chunk, len -= chunk;
	}
	return 0;
}

/*
 * Page by page through the direct map: a piece ends where either range
 * crosses a page boundary, since the two ranges' frames are unrelated.  The
 * kernel does not preempt itself, so no grant can be revoked between the
 * check and the last byte.
 */
HOT int64_t copy_within_component(const struct component *c, uint64_t dst, uint64_t src, size_t len)
{
	if (!component_may_access(c, src, len, false) || !component_may_access(c, dst, len, true))
		return E_FAULT;
	if (dst == src)
		return 0;
	if (dst < src + len && src < dst + len)
		return E_INVAL;
	struct domain_walk from = { .domain = &c->domain }, to = { .domain = &c->domain };
	while (len) {
		size_t chunk = len;
		if (chunk > PAGE_SIZE - (src & (PAGE_SIZE - 1)))
			chunk = PAGE_SIZE - (src & (PAGE_SIZE - 1));
		if (chunk > PAGE_SIZE - (dst & (PAGE_SIZE - 1)))
			chunk = PAGE_SIZE - (dst & (PAGE_SIZE - 1));
		memmove(page_of(&to, dst, true), page_of(&from, src, false), chunk);
		src += chunk, dst += chunk, len -= chunk;
	}
	return 0;
}
