/*
 * pdx.h — invoking a method of another component (for component code).
 *
 * A capability is a small number naming one entry of the caller's
 * capability table, which the boot manifest fills; cap_lookup() finds the
 * one for a component by name.  Stubs generated from each component's .idl
 * (tools/idlgen.c) wrap pdx_invoke with the method's number and argument
 * names, so code normally calls e.g. peer_echo(cap, …) instead.
 */
#ifndef PINFOLD_PDX_H
#define PINFOLD_PDX_H

#include <stdint.h>

typedef uint32_t cap_t;

/*
 * Calls method `method` through `cap` with six argument words; stores the
 * two result words in results[] (if results is not NULL).  Returns the
 * method's status (>= 0), or a negative enum pinfold_error.
 */
int64_t pdx_invoke(cap_t cap, uint32_t method, const uint64_t args[6], uint64_t results[2]);

/*
 * What a component implements: its methods (generated dispatch from its
 * .idl) and its initialisation.  The runtime supplies defaults for
 * components that have none.
 */
int64_t component_dispatch(uint32_t method, const uint64_t args[6], uint64_t results[2]);
int64_t component_init(void);

#endif
