/*
 * manifest.c — parses the boot manifest and resolves its call entries into
 * capabilities (format and rules in manifest.h).
 *
 * Parsing goes a line at a time: a line ends at '\n' or at the end of the
 * text, its code at the first '#', and its code is words separated by
 * blanks.  The first word is a keyword, found in one table that names each
 * keyword's parser and whether it may repeat.  Exclusive resources are
 * checked as each value is read, against the components already complete,
 * so a conflict is reported on the line that creates it.  Every pointer
 * stays inside [text, text+len): the text need not be NUL-terminated.
 *
 * Resolution is separate because it needs every callee's interface, which
 * the kernel has only after loading the images the manifest names.  It
 * checks all call entries first and only then writes the capability tables
 * (STYLE.md "Check, then act").
 */
#include "kernel/component/manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct word {
	const char *s;
	size_t len;
};

/* A word in a message: at most 40 of its characters (validated printable). */
#define WORD(w) (int)((w).len > 40 ? 40 : (w).len), (w).s

struct parser {
	struct manifest *m;
	struct manifest_component *cur;  /* the open component, NULL before the first */
	unsigned given;                  /* bit k: keywords[k] already given for cur */
	unsigned line;
	const char *p, *code_end;        /* unread code of the current line */
	char *err;
	size_t errlen;
};

static const char no_room[] = "manifest: error (no buffer for the message)";

/* Writes PREFIX then the message into err[errlen]. */
static void report(char *err, size_t errlen, const char *prefix, const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s", prefix);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
}

/* "manifest:LINE: message"; returns false for `return fail(…)`. */
__attribute__((format(printf, 2, 3)))
static bool fail(struct parser *ps, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof prefix, "manifest:%u: ", ps->line);
	va_start(ap, fmt);
	report(ps->err, ps->errlen, prefix, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool next_word(struct parser *ps, struct word *w)
{
	while (ps->p < ps->code_end && is_blank(*ps->p))
		ps->p++;
	w->s = ps->p;
	while (ps->p < ps->code_end && !is_blank(*ps->p))
		ps->p++;
	w->len = ps->p - w->s;
	return w->len != 0;
}

static bool word_is(struct word w, const char *s)
{
	return w.len == strlen(s) && memcmp(w.s, s, w.len) == 0;
}

/* The single value of keyword `kw`. */
static bool one_value(struct parser *ps, const char *kw, struct word *w)
{
	return next_word(ps, w) || fail(ps, "missing value after '%s'", kw);
}

static bool no_more(struct parser *ps)
{
	struct word w;

	return !next_word(ps, &w) || fail(ps, "trailing junk '%.*s'", WORD(w));
}

bool manifest_is_name(const char *s, size_t len)
{
	if (!s || len == 0 || len > MANIFEST_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 16;
}

/*
 * Decimal, or hex after "0x": a leading 0 does not mean octal here (a port
 * written 060 is sixty).  False on junk, emptiness or overflow.
 */
static bool parse_number(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		unsigned d = digit_value(s[i]);
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* 1 to 4 hex digits, no prefix (a PCI vendor or device id). */
static bool parse_hex16(const char *s, size_t len, uint16_t *out)
{
	uint16_t v = 0;

	if (len == 0 || len > 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = digit_value(s[i]);
		if (d >= 16)
			return false;
		v = (uint16_t)(v << 4 | d);
	}
	*out = v;
	return true;
}

/* `what`'s value `w` as a number in [min, max]. */
static bool number_in(struct parser *ps, struct word w, const char *what, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	if (!parse_number(w.s, w.len, out))
		return fail(ps, "bad number '%.*s' for %s", WORD(w), what);
	if (*out < min || *out > max)
		return fail(ps, "%s %.*s is out of range (%llu..%llu)", what, WORD(w),
			    (unsigned long long)min, (unsigned long long)max);
	return true;
}

/* The one number after keyword `kw`, in [min, max]. */
static bool scalar(struct parser *ps, const char *kw, uint64_t min, uint64_t max, unsigned *dst)
{
	struct word w;
	uint64_t v;

	if (!one_value(ps, kw, &w) || !number_in(ps, w, kw, min, max, &v) || !no_more(ps))
		return false;
	*dst = (unsigned)v;
	return true;
}

static bool parse_stacks(struct parser *ps)
{
	return scalar(ps, "stacks", 1, MANIFEST_MAX_STACKS, &ps->cur->stacks);
}

static bool parse_priority(struct parser *ps)
{
	return scalar(ps, "priority", 0, MANIFEST_MAX_PRIORITY, &ps->cur->priority);
}

static bool parse_heap(struct parser *ps)
{
	return scalar(ps, "heap", 0, MANIFEST_MAX_HEAP_KIB, &ps->cur->heap_kib);
}

/* "control": may kill and restart the components it holds a capability for (the shell). */
static bool parse_control(struct parser *ps)
{
	if (!no_more(ps))
		return false;
	ps->cur->control = true;
	return true;
}

/*
 * "supervise NAME...": may restart these components, which it must also call,
 * when they stop finishing the work it gives them (the block service for
 * ahci: a driver that still answers calls but never completes a request is
 * hung all the same, and only its client can tell).  Checked against the
 * capabilities by manifest_resolve().
 */
static bool parse_supervise(struct parser *ps)
{
	struct manifest_component *c = ps->cur;
	struct word w;
	unsigned n = 0;

	while (next_word(ps, &w)) {
		n++;
		if (!manifest_is_name(w.s, w.len))
			return fail(ps, "bad component name '%.*s' for supervise", WORD(w));
		if (w.len == strlen(c->name) && memcmp(w.s, c->name, w.len) == 0)
			return fail(ps, "component '%s' supervises itself", c->name);
		if (c->nsupervise == MANIFEST_MAX_SUPERVISE)
			return fail(ps, "too many supervised components (at most %d)", MANIFEST_MAX_SUPERVISE);
		memcpy(c->supervise[c->nsupervise], w.s, w.len);
		c->supervise[c->nsupervise++][w.len] = 0;
	}
	return n || fail(ps, "missing value after 'supervise'");
}

/*
 * "chipset": the trusted chipset component (DESIGN.md "The chipset
 * component"): it may map device memory into drivers, pin their memory for
 * DMA and bind their interrupts.  There is at most one.
 */
static bool parse_chipset(struct parser *ps)
{
	if (!no_more(ps))
		return false;
	for (unsigned i = 0; i + 1 < ps->m->ncomponents; i++)
		if (ps->m->components[i].chipset)
			return fail(ps, "'%s' is already the chipset", ps->m->components[i].name);
	ps->cur->chipset = true;
	return true;
}

static bool parse_watchdog(struct parser *ps)
{
	return scalar(ps, "watchdog", 1, MANIFEST_MAX_WATCHDOG, &ps->cur->watchdog_ms);
}

static bool parse_storm(struct parser *ps)
{
	return scalar(ps, "storm", 1, MANIFEST_MAX_STORM, &ps->cur->storm_limit);
}

static bool parse_image(struct parser *ps)
{
	struct word w;

	if (!one_value(ps, "image", &w) || !no_more(ps))
		return false;
	if (w.len > MANIFEST_IMAGE_MAX)
		return fail(ps, "image name '%.*s...' is longer than %d characters", WORD(w),
			    MANIFEST_IMAGE_MAX);
	memcpy(ps->cur->image, w.s, w.len);
	ps->cur->image[w.len] = 0;
	return true;
}

static bool parse_restart(struct parser *ps)
{
	static const struct {
		const char *key;
		uint64_t min, max;
	} settings[] = {
		{ "max", 0, MANIFEST_MAX_RESTART_MAX },
		{ "window", 1, MANIFEST_MAX_RESTART_WINDOW },
		{ "backoff", 0, MANIFEST_MAX_RESTART_BACKOFF },
	};
	uint32_t *const fields[] = {
		&ps->cur->restart_max, &ps->cur->restart_window, &ps->cur->restart_backoff,
	};
	struct word w;
	unsigned n = 0;

	while (next_word(ps, &w)) {
		const char *eq = memchr(w.s, '=', w.len);
		size_t i = 0;

		n++;
		while (i < sizeof settings / sizeof settings[0] &&
		       !(eq && word_is((struct word){ w.s, eq - w.s }, settings[i].key)))
			i++;
		if (i == sizeof settings / sizeof settings[0])
			return fail(ps, "unknown restart setting '%.*s' (expected max=N, "
				    "window=MS or backoff=MS)", WORD(w));
		struct word value = { eq + 1, w.s + w.len - (eq + 1) };
		uint64_t v;
		if (!number_in(ps, value, settings[i].key, settings[i].min, settings[i].max, &v))
			return false;
		*fields[i] = (uint32_t)v;
	}
	return n || fail(ps, "missing value after 'restart'");
}

/* Whether no component but the open one holds a port in first..last. */
static bool ports_free(struct parser *ps, uint16_t first, uint16_t last)
{
	for (unsigned i = 0; i + 1 < ps->m->ncomponents; i++) {
		const struct manifest_component *c = &ps->m->components[i];
		for (unsigned k = 0; k < c->nports; k++)
			if (first <= c->ports[k].last && c->ports[k].first <= last)
				return fail(ps, "ports 0x%x-0x%x overlap ports 0x%x-0x%x of '%s'",
					    first, last, c->ports[k].first, c->ports[k].last,
					    c->name);
	}
	return true;
}

static bool parse_ports(struct parser *ps)
{
	struct manifest_component *c = ps->cur;
	struct word w;
	unsigned n = 0;

	while (next_word(ps, &w)) {
		const char *dash = memchr(w.s, '-', w.len);
		size_t first_len = dash ? (size_t)(dash - w.s) : w.len;
		uint64_t first, last;

		n++;
		if (!parse_number(w.s, first_len, &first) ||
		    (dash && !parse_number(dash + 1, w.s + w.len - (dash + 1), &last)))
			return fail(ps, "bad port range '%.*s' (expected PORT or FIRST-LAST)",
				    WORD(w));
		if (!dash)
			last = first;
		if (first > 0xffff || last > 0xffff)
			return fail(ps, "port range '%.*s' is out of range (0..0xffff)", WORD(w));
		if (first > last)
			return fail(ps, "bad port range '%.*s' (first port above the last)",
				    WORD(w));
		if (!ports_free(ps, (uint16_t)first, (uint16_t)last))
			return false;
		if (c->nports == MANIFEST_MAX_PORTS)
			return fail(ps, "too many port ranges (at most %d)", MANIFEST_MAX_PORTS);
		c->ports[c->nports++] = (struct manifest_ports){ (uint16_t)first, (uint16_t)last };
	}
	return n || fail(ps, "missing value after 'ports'");
}

static bool parse_irq(struct parser *ps)
{
	struct manifest_component *c = ps->cur;
	struct word w;
	unsigned n = 0;
	uint64_t irq;

	while (next_word(ps, &w)) {
		n++;
		if (!number_in(ps, w, "irq", 0, 255, &irq))
			return false;
		for (unsigned i = 0; i + 1 < ps->m->ncomponents; i++)
			for (unsigned k = 0; k < ps->m->components[i].nirqs; k++)
				if (ps->m->components[i].irqs[k] == irq)
					return fail(ps, "irq %u is already owned by '%s'",
						    (unsigned)irq, ps->m->components[i].name);
		if (c->nirqs == MANIFEST_MAX_IRQS)
			return fail(ps, "too many irqs (at most %d)", MANIFEST_MAX_IRQS);
		c->irqs[c->nirqs++] = (uint8_t)irq;
	}
	return n || fail(ps, "missing value after 'irq'");
}

/* A PCI entry as the manifest writes it: "1234:11e8" or "1234:11e8@00:03.0". */
static void pci_text(const struct manifest_pci *d, char *buf, size_t size)
{
	if (d->located)
		snprintf(buf, size, "%04x:%04x@%02x:%02x.%x", d->vendor, d->device, d->bdf >> 8,
			 (d->bdf >> 3) & 0x1f, d->bdf & 7);
	else
		snprintf(buf, size, "%04x:%04x", d->vendor, d->device);
}

/* Whether a device could match both entries: an entry without a location matches any. */
static bool pci_overlap(const struct manifest_pci *a, const struct manifest_pci *b)
{
	return a->vendor == b->vendor && a->device == b->device &&
	       (!a->located || !b->located || a->bdf == b->bdf);
}

/*
 * The location part of `w` (the text after its '@'): BUS:DEVICE.FUNCTION in
 * hex, as lspci prints it.  Each part is 1 to 4 hex digits, so that a number
 * too large is reported as out of range rather than as junk.
 */
static bool parse_pci_location(struct parser *ps, struct word w, const char *at, uint16_t *bdf)
{
	const char *end = w.s + w.len, *loc = at + 1;
	struct word where = { loc, (size_t)(end - loc) };
	const char *colon = memchr(loc, ':', end - loc);
	const char *dot = colon ? memchr(colon + 1, '.', end - (colon + 1)) : NULL;
	uint16_t bus, dev, fn;

	if (!dot || !parse_hex16(loc, colon - loc, &bus) ||
	    !parse_hex16(colon + 1, dot - (colon + 1), &dev) ||
	    !parse_hex16(dot + 1, end - (dot + 1), &fn))
		return fail(ps, "bad pci location '%.*s' (expected BUS:DEVICE.FUNCTION in hex, "
			    "e.g. 00:1f.2)", WORD(where));
	/* PCI 3.0 3.2.2.3.1: an 8-bit bus, a 5-bit device and a 3-bit function number. */
	if (bus > 0xff)
		return fail(ps, "pci bus 0x%x is out of range (0..ff) in '%.*s'", bus, WORD(w));
	if (dev > 0x1f)
		return fail(ps, "pci device number 0x%x is out of range (0..1f) in '%.*s'", dev,
			    WORD(w));
	if (fn > 7)
		return fail(ps, "pci function 0x%x is out of range (0..7) in '%.*s'", fn, WORD(w));
	*bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
	return true;
}

/* Whether no component but the open one holds a device that `d` could also match. */
static bool pci_free(struct parser *ps, const struct manifest_pci *d)
{
	char mine[24], theirs[24];

	for (unsigned i = 0; i + 1 < ps->m->ncomponents; i++) {
		const struct manifest_component *c = &ps->m->components[i];
		for (unsigned k = 0; k < c->npci; k++) {
			if (!pci_overlap(d, &c->pci[k]))
				continue;
			pci_text(d, mine, sizeof mine);
			pci_text(&c->pci[k], theirs, sizeof theirs);
			if (strcmp(mine, theirs) == 0)
				return fail(ps, "pci device %s is already owned by '%s'", mine,
					    c->name);
			return fail(ps, "pci device %s overlaps pci device %s of '%s' (without a "
				    "location an entry means every such device)", mine, theirs,
				    c->name);
		}
	}
	return true;
}

static bool parse_pci(struct parser *ps)
{
	struct manifest_component *c = ps->cur;
	struct word w;
	unsigned n = 0;

	while (next_word(ps, &w)) {
		const char *at = memchr(w.s, '@', w.len);
		const char *ids_end = at ? at : w.s + w.len;
		const char *colon = memchr(w.s, ':', ids_end - w.s);
		struct manifest_pci d = { 0 };

		n++;
		if (!colon || !parse_hex16(w.s, colon - w.s, &d.vendor) ||
		    !parse_hex16(colon + 1, ids_end - (colon + 1), &d.device))
			return fail(ps, "bad pci device '%.*s' (expected VENDOR:DEVICE in hex, "
				    "e.g. 8086:2922, or VENDOR:DEVICE@BUS:DEVICE.FUNCTION)",
				    WORD(w));
		if (at) {
			if (!parse_pci_location(ps, w, at, &d.bdf))
				return false;
			d.located = true;
		}
		if (!pci_free(ps, &d))
			return false;
		if (c->npci == MANIFEST_MAX_PCI)
			return fail(ps, "too many pci devices (at most %d)", MANIFEST_MAX_PCI);
		c->pci[c->npci++] = d;
	}
	return n || fail(ps, "missing value after 'pci'");
}

static bool parse_call(struct parser *ps)
{
	struct manifest_component *c = ps->cur;
	struct word w;
	unsigned n = 0;

	while (next_word(ps, &w)) {
		const char *dot = memchr(w.s, '.', w.len);
		size_t tlen = dot ? (size_t)(dot - w.s) : 0;
		size_t mlen = dot ? w.len - tlen - 1 : 0;

		n++;
		if (!dot || !manifest_is_name(w.s, tlen) ||
		    !((mlen == 1 && dot[1] == '*') || idl_is_name(dot + 1, mlen)))
			return fail(ps, "bad capability '%.*s' (expected TARGET.METHOD or "
				    "TARGET.*)", WORD(w));
		if (tlen == strlen(c->name) && memcmp(w.s, c->name, tlen) == 0)
			return fail(ps, "component '%s' calls itself ('%.*s')", c->name, WORD(w));
		if (c->ncalls == MANIFEST_MAX_CALLS)
			return fail(ps, "too many call entries (at most %d)", MANIFEST_MAX_CALLS);
		struct manifest_call *call = &c->calls[c->ncalls++];
		memcpy(call->target, w.s, tlen);
		call->target[tlen] = 0;
		memcpy(call->method, dot + 1, mlen);
		call->method[mlen] = 0;
	}
	return n || fail(ps, "missing value after 'call'");
}

static bool parse_component(struct parser *ps)
{
	struct manifest *m = ps->m;
	struct word w;

	if (!one_value(ps, "component", &w) || !no_more(ps))
		return false;
	if (!manifest_is_name(w.s, w.len))
		return fail(ps, "bad component name '%.*s' (a-z, then a-z, 0-9, _ or -; at most "
			    "%d characters)", WORD(w), MANIFEST_NAME_MAX);

	char name[MANIFEST_NAME_MAX + 1];
	memcpy(name, w.s, w.len);
	name[w.len] = 0;
	if (manifest_find(m, name) >= 0)
		return fail(ps, "component '%s' declared twice", name);
	if (m->ncomponents == MANIFEST_MAX_COMPONENTS)
		return fail(ps, "too many components (at most %d)", MANIFEST_MAX_COMPONENTS);

	struct manifest_component *c = &m->components[m->ncomponents++];
	memset(c, 0, sizeof *c);
	memcpy(c->name, name, sizeof name);
	snprintf(c->image, sizeof c->image, "%s.elf", name);
	c->restart_max = MANIFEST_DEFAULT_RESTART_MAX;
	c->restart_window = MANIFEST_DEFAULT_RESTART_WINDOW;
	c->restart_backoff = MANIFEST_DEFAULT_RESTART_BACKOFF;
	c->stacks = MANIFEST_DEFAULT_STACKS;
	c->priority = MANIFEST_DEFAULT_PRIORITY;
	c->heap_kib = MANIFEST_DEFAULT_HEAP_KIB;
	c->watchdog_ms = MANIFEST_DEFAULT_WATCHDOG;
	c->storm_limit = MANIFEST_DEFAULT_STORM;
	ps->cur = c;
	ps->given = 0;
	return true;
}

/* The keywords inside a component; `once`: at most one line per component. */
static const struct {
	const char *name;
	bool (*parse)(struct parser *ps);
	bool once;
} keywords[] = {
	{ "image", parse_image, true },
	{ "call", parse_call, false },
	{ "ports", parse_ports, false },
	{ "irq", parse_irq, false },
	{ "pci", parse_pci, false },
	{ "restart", parse_restart, true },
	{ "stacks", parse_stacks, true },
	{ "priority", parse_priority, true },
	{ "heap", parse_heap, true },
	{ "watchdog", parse_watchdog, true },
	{ "storm", parse_storm, true },
	{ "control", parse_control, true },
	{ "supervise", parse_supervise, false },
	{ "chipset", parse_chipset, true },
};

static bool parse_line(struct parser *ps)
{
	struct word kw;
	size_t k = 0;

	if (!next_word(ps, &kw))
		return true;
	if (word_is(kw, "component"))
		return parse_component(ps);
	while (k < sizeof keywords / sizeof keywords[0] && !word_is(kw, keywords[k].name))
		k++;
	if (k == sizeof keywords / sizeof keywords[0])
		return fail(ps, "unknown keyword '%.*s'", WORD(kw));
	if (!ps->cur)
		return fail(ps, "'%s' outside a component (expected 'component NAME' first)",
			    keywords[k].name);
	if (keywords[k].once && (ps->given & 1u << k))
		return fail(ps, "'%s' given twice for component '%s'", keywords[k].name,
			    ps->cur->name);
	ps->given |= 1u << k;
	return keywords[k].parse(ps);
}

const char *manifest_parse(const char *text, size_t len, struct manifest *out,
			   char *err, size_t errlen)
{
	struct parser ps = { .m = out, .err = err, .errlen = errlen };
	const char *bad = err && errlen ? err : no_room;

	memset(out, 0, sizeof *out);
	if (!text)
		len = 0;
	while (len && text[len - 1] == 0)
		len--;
	for (const char *p = text, *end = text + len; p < end; ) {
		const char *nl = memchr(p, '\n', end - p);
		const char *line_end = nl ? nl : end;
		const char *hash = memchr(p, '#', line_end - p);
		size_t width = line_end - p;

		ps.line++;
		if (width && line_end[-1] == '\r')
			width--;        /* CR LF ends a line as LF does */
		if (width > MANIFEST_LINE_MAX) {
			fail(&ps, "line is longer than %d characters", MANIFEST_LINE_MAX);
			return bad;
		}
		ps.p = p;
		ps.code_end = hash ? hash : line_end;
		for (const char *q = p; q < ps.code_end; q++)
			if (!is_blank(*q) && !(*q > 0x20 && *q < 0x7f)) {
				fail(&ps, "unexpected byte 0x%02x", (unsigned char)*q);
				return bad;
			}
		if (!parse_line(&ps))
			return bad;
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

int manifest_find(const struct manifest *m, const char *name)
{
	if (!m || !name)
		return -1;
	for (unsigned i = 0; i < m->ncomponents && i < MANIFEST_MAX_COMPONENTS; i++)
		if (strcmp(m->components[i].name, name) == 0)
			return (int)i;
	return -1;
}

int manifest_cap_find(const struct manifest *m, unsigned client, const char *target)
{
	int t = manifest_find(m, target);

	if (t < 0 || client >= m->ncomponents)
		return -1;
	const struct manifest_component *c = &m->components[client];
	for (unsigned i = 0; i < c->ncaps; i++)
		if (c->caps[i].target == t)
			return (int)i;
	return -1;
}

__attribute__((format(printf, 3, 4)))
static const char *resolve_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(err, errlen, "manifest: ", fmt, ap);
	va_end(ap);
	return err && errlen ? err : no_room;
}

/* Component c's entry `call`: the callee's index and the method bits it grants. */
static const char *resolve_call(const struct manifest *m, const struct idl *const idls[],
				const struct manifest_component *c,
				const struct manifest_call *call, int *target, uint32_t *mask,
				char *err, size_t errlen)
{
	const struct idl *idl;
	int method;

	*target = manifest_find(m, call->target);
	if (*target < 0)
		return resolve_fail(err, errlen, "%s calls '%s', which is not a component",
				    c->name, call->target);
	idl = idls ? idls[*target] : NULL;
	if (strcmp(call->method, "*") == 0) {
		unsigned n = idl ? idl->nmethods : 0;
		if (n == 0)
			return resolve_fail(err, errlen, "%s calls %s.*, but %s declares no "
					    "methods", c->name, call->target, call->target);
		*mask = n >= 32 ? UINT32_MAX : (1u << n) - 1;
		return NULL;
	}
	method = idl_method_index(idl, call->method);
	if (method < 0)
		return resolve_fail(err, errlen, "%s calls %s.%s, but %s has no method '%s'",
				    c->name, call->target, call->method, call->target,
				    call->method);
	*mask = 1u << method;
	return NULL;
}

/* Component c's entry `supervise NAME`: NAME must be a component that c calls. */
static const char *check_supervised(const struct manifest *m, const struct manifest_component *c,
				    const char *name, char *err, size_t errlen)
{
	if (manifest_find(m, name) < 0)
		return resolve_fail(err, errlen, "%s supervises '%s', which is not a component", c->name, name);
	for (unsigned k = 0; k < c->ncalls; k++)
		if (strcmp(c->calls[k].target, name) == 0)
			return NULL;
	return resolve_fail(err, errlen, "%s supervises %s, which it does not call", c->name, name);
}

const char *manifest_resolve(struct manifest *m, const struct idl *const idls[],
			     char *err, size_t errlen)
{
	const char *bad;
	uint32_t mask;
	int target;

	for (unsigned i = 0; i < m->ncomponents; i++) {
		const struct manifest_component *c = &m->components[i];
		for (unsigned k = 0; k < c->ncalls; k++) {
			bad = resolve_call(m, idls, c, &c->calls[k], &target, &mask, err, errlen);
			if (bad)
				return bad;
		}
		for (unsigned k = 0; k < c->nsupervise; k++) {
			bad = check_supervised(m, c, c->supervise[k], err, errlen);
			if (bad)
				return bad;
		}
	}

	for (unsigned i = 0; i < m->ncomponents; i++) {
		struct manifest_component *c = &m->components[i];
		c->ncaps = 0;
		for (unsigned k = 0; k < c->ncalls; k++) {
			unsigned cap = 0;
			resolve_call(m, idls, c, &c->calls[k], &target, &mask, err, errlen);
			while (cap < c->ncaps && c->caps[cap].target != target)
				cap++;
			if (cap == c->ncaps)    /* at most ncalls distinct callees: fits */
				c->caps[c->ncaps++] = (struct manifest_cap){ (uint8_t)target, 0, false };
			c->caps[cap].methods |= mask;
		}
		for (unsigned k = 0; k < c->nsupervise; k++)
			c->caps[manifest_cap_find(m, i, c->supervise[k])].supervise = true;   /* checked above */
	}
	return NULL;
}
