/* third.c — reports how deep the thread that called it is. */
#include <pinfold/kcall.h>

#include "third_server.h"

int64_t serve_depth(uint64_t *depth)
{
	*depth = kernel_info(INFO_DEPTH);
	return 0;
}
