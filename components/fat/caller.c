/*
 * caller.c — whether a buffer a caller names is the caller's own memory.
 *
 * fat touches its callers' buffers only through the kernel's mem_copy,
 * which checks them against fat's page table: memory not granted to fat,
 * read-only where fat must write, or revoked in the middle of a call is
 * E_FAULT, never a fault.  But fat's own memory passes that check too, so
 * without more a caller could name an address inside fat and have file
 * bytes written over fat's own state, or fat's state read back as a file.
 * Every buffer must therefore lie in its caller's own 1 GiB slot (one
 * component's image, stacks and heap: kernel/layout.h), where fat has only
 * what that caller granted it.
 */
#include "components/fat/caller.h"

#include <pinfold/kcall.h>

#include "kernel/layout.h"

int64_t caller_range_check(uint64_t buffer, uint64_t length)
{
	struct kcall_result caller = kernel_info_of(INFO_CALLER, 0);
	if (caller.status < 0)
		return E_DENIED;        /* not in a call: there is no caller to belong to */
	uint64_t slot = COMPONENT_AREA_BASE + caller.value * COMPONENT_SLOT_SIZE;
	if (length > UINT64_MAX - buffer)
		return E_INVAL;
	if (buffer < slot || buffer >= slot + COMPONENT_SLOT_SIZE || length > slot + COMPONENT_SLOT_SIZE - buffer)
		return E_FAULT;
	return 0;
}
