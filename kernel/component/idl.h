/*
 * idl.h — a component's interface declaration (its .idl file).
 *
 * Each interface is declared once (DESIGN.md "Components"), in the text
 * components/NAME/NAME.idl:
 *
 *     # comments run from '#' to the end of the line
 *     interface hello
 *         ping(x) -> (y)
 *         add(a, b) -> (sum)
 *         nothing()
 *     interface completion        # a component may declare several
 *         done(cookie, status)
 *
 * `interface NAME` starts an interface; each following line `NAME(ARGS)` or
 * `NAME(ARGS) -> (RESULTS)` declares one of its methods.  Arguments and
 * results are 64-bit words and have names only.  Methods are numbered 0, 1,
 * 2 … across the whole file, in order: that flat number is what a caller
 * passes to pdx_invoke and what a manifest capability's method mask holds.
 *
 * The same parser reads the text at build time (tools/idlgen, which derives
 * the client stubs and the server dispatch from it) and in the kernel at
 * boot (the copy, comments stripped, that idlgen puts in each component
 * ELF's .pinfold.iface section, from which the kernel learns method names
 * and numbers).  It is pure code over untrusted text, with fixed-size output
 * and no allocation.
 *
 * Rules beyond the grammar, each reported as "FILE:LINE: message" (the first
 * problem only):
 *   - names are [a-z_][a-z0-9_]*, at most IDL_NAME_MAX characters;
 *     `interface` is a keyword and cannot name a method;
 *   - method names are unique in the file (not only in their interface),
 *     interface names are unique, and the names of one method's arguments
 *     and results are distinct, since they become C identifiers;
 *   - an argument or result may not be a C keyword (`int`, `bool` …), end in
 *     "_t" (type names such as uint64_t), be `cap` or begin with `pdx_`
 *     (identifiers of the generated stubs);
 *   - an interface declares at least one method, a file at least one
 *     interface, at most IDL_MAX_METHODS methods in all, in at most
 *     IDL_MAX_TEXT bytes.  NUL bytes at the end of the text are ignored, so
 *     a section holding a C string may be passed whole.
 */
#ifndef PINFOLD_COMPONENT_IDL_H
#define PINFOLD_COMPONENT_IDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDL_NAME_MAX       23      /* characters in any name */
#define IDL_MAX_ARGS       6       /* the argument words a PDX carries */
#define IDL_MAX_RESULTS    2       /* the result words a PDX carries */
#define IDL_MAX_METHODS    32      /* so a capability's method mask is one uint32_t */
#define IDL_MAX_INTERFACES IDL_MAX_METHODS /* every interface has a method */
#define IDL_MAX_TEXT       16384   /* bytes of text */

struct idl_interface {
	char name[IDL_NAME_MAX + 1];
	uint8_t first;                  /* number of its first method */
	uint8_t count;                  /* its methods: first .. first+count-1 */
};

struct idl_method {
	char name[IDL_NAME_MAX + 1];
	uint8_t iface;                  /* index in idl.interfaces */
	uint8_t nargs;
	uint8_t nresults;
	char args[IDL_MAX_ARGS][IDL_NAME_MAX + 1];
	char results[IDL_MAX_RESULTS][IDL_NAME_MAX + 1];
};

/* About 8 KiB: keep it in static storage, not on a kernel stack. */
struct idl {
	unsigned ninterfaces;
	unsigned nmethods;
	struct idl_interface interfaces[IDL_MAX_INTERFACES];
	struct idl_method methods[IDL_MAX_METHODS]; /* indexed by method number */
};

/*
 * Parses `len` bytes of `text` (need not be NUL-terminated; nothing beyond
 * text[len-1] is read) into `out`.  Returns NULL on success; otherwise writes
 * "FILENAME:LINE: message" (or "FILENAME: message" for the whole file) into
 * err[errlen], truncated if need be, and returns err (or a fixed message if
 * err is NULL or errlen is 0).  `out` is unspecified after an error.
 * `filename` (NULL reads as "idl") only labels the messages.
 */
const char *idl_parse(const char *text, size_t len, const char *filename, struct idl *out,
		      char *err, size_t errlen);

/* The number of the method called `name`, or -1. */
int idl_method_index(const struct idl *idl, const char *name);

/* Whether s[0..len) is a valid IDL name: [a-z_][a-z0-9_]*, 1..IDL_NAME_MAX long. */
bool idl_is_name(const char *s, size_t len);

#endif
