/*
 * caller.c — checking the buffer a caller hands to fat for one call.
 *
 * Every method of fat takes a buffer that its caller grants for the call
 * (GRANT_ONE_CALL), so its pages are mapped in fat's domain while the
 * method runs.  A caller may still pass an address it never granted, or
 * grant read-only memory that fat must write: touching either would fault
 * fat, and a bad argument must never crash a component.  The kernel has no
 * call that only asks "may I touch this?", but two calls copy through a
 * pointer of mine after checking it against my own page tables and answer
 * E_FAULT, without side effects, when it is not mapped as they need:
 *
 *   SYS_CAP_LOOKUP(name, 1)   reads one byte (a name no capability has is
 *                             E_NOT_FOUND, which is all we want to learn)
 *   SYS_COMPONENT_INFO(0, p)  writes the 32-byte struct component_info
 *
 * One probe per page is enough: mappings are made a page at a time.  The
 * range must also lie in the caller's own 1 GiB slot (kernel/layout.h), so
 * a caller cannot point fat at fat's own memory, which fat could always
 * touch, or at a third component's memory granted to fat.
 */
#include "components/fat/caller.h"

#include <pinfold/kcall.h>

#include "kernel/layout.h"

/* The most bytes a method touches: a path and 256 KiB of data (fat.idl). */
#define CALL_BYTES_MAX (256 * 1024 + 4096)

static bool readable(uint64_t page)
{
	return kcall(SYS_CAP_LOOKUP, page, 1, 0, 0).status != E_FAULT;
}

static bool writable(uint64_t page)
{
	return kcall(SYS_COMPONENT_INFO, 0, page, 0, 0).status != E_FAULT;
}

int64_t caller_buffer_check(uint64_t buffer, uint64_t length, bool write)
{
	struct kcall_result caller = kernel_info_of(INFO_CALLER, 0);
	if (caller.status < 0)
		return E_DENIED;        /* not called by anyone: nothing to check against */
	uint64_t slot = COMPONENT_AREA_BASE + caller.value * COMPONENT_SLOT_SIZE;
	if ((buffer & (PAGE_SIZE - 1)) || length == 0 || length > CALL_BYTES_MAX)
		return E_INVAL;
	if (buffer < slot || buffer >= slot + COMPONENT_SLOT_SIZE ||
	    length > slot + COMPONENT_SLOT_SIZE - buffer)
		return E_FAULT;
	for (uint64_t page = buffer; page < buffer + length; page += PAGE_SIZE)
		if (!readable(page) || (write && !writable(page)))
			return E_FAULT;
	return 0;
}
