/*
 * bootopt.c — parses the kernel command line.  Pure (tested on the host).
 *
 * Options are a table of names and parsers, so adding one is one line.
 */
#include "kernel/bootopt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 64

static bool parse_fault(const char *v, struct boot_options *o)
{
	static const struct { const char *name; enum boot_fault kind; } kinds[] = {
		{ "page", BOOT_FAULT_PAGE }, { "gp", BOOT_FAULT_GP },
		{ "ud", BOOT_FAULT_UD }, { "assert", BOOT_FAULT_ASSERT },
		{ "double", BOOT_FAULT_DOUBLE },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(v, kinds[i].name) == 0) {
			o->fault = kinds[i].kind;
			return true;
		}
	return false;
}

static bool parse_tick(const char *v, struct boot_options *o)
{
	uint64_t hz;
	if (!parse_u64(v, &hz) || hz < 10 || hz > 10000)
		return false;
	o->tick_hz = (unsigned)hz;
	return true;
}

static bool parse_word_value(const char *v, char *dst, size_t cap)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == ',' || v[i] == '-'))
			return false;
	memcpy(dst, v, n + 1);
	return true;
}

static bool parse_test(const char *v, struct boot_options *o) { return parse_word_value(v, o->test, sizeof o->test); }
static bool parse_bench(const char *v, struct boot_options *o) { return parse_word_value(v, o->bench, sizeof o->bench); }
static bool parse_iommu(const char *v, struct boot_options *o)
{
	return strcmp(v, "noqi") == 0 && parse_word_value(v, o->iommu, sizeof o->iommu);
}

/* idle=halt, or idle=poll:US with US from 0 to 10000 */
static bool parse_idle(const char *v, struct boot_options *o)
{
	if (strcmp(v, "halt") == 0) {
		o->idle_poll_us = 0;
		return true;
	}
	if (strncmp(v, "poll:", 5) != 0)
		return false;
	uint64_t us;
	if (!parse_u64(v + 5, &us) || us > 10000)
		return false;
	o->idle_poll_us = (unsigned)us;
	return true;
}

static const struct {
	const char *name;
	bool (*parse)(const char *value, struct boot_options *o);
} options[] = {
	{ "fault", parse_fault },
	{ "tick", parse_tick },
	{ "test", parse_test },
	{ "bench", parse_bench },
	{ "iommu", parse_iommu },
	{ "idle", parse_idle },
};

static size_t word_length(const char *p)
{
	size_t n = 0;
	while (p[n] && p[n] != ' ')
		n++;
	return n;
}

static int complain_fmt(void (*complain)(const char *, void *), void *ctx, const char *fmt,
			const char *word)
{
	char msg[WORD_MAX + 64];
	snprintf(msg, sizeof msg, fmt, word);
	complain(msg, ctx);
	return 1;
}

static int parse_word(const char *word, struct boot_options *out,
		      void (*complain)(const char *, void *), void *ctx)
{
	const char *eq = strchr(word, '=');
	if (!eq)
		return complain_fmt(complain, ctx, "unknown boot option '%s'", word);
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		size_t len = strlen(options[i].name);
		if ((size_t)(eq - word) == len && strncmp(word, options[i].name, len) == 0)
			return options[i].parse(eq + 1, out)
				? 0 : complain_fmt(complain, ctx, "bad value in boot option '%s'", word);
	}
	return complain_fmt(complain, ctx, "unknown boot option '%s'", word);
}

int bootopt_parse(const char *cmdline, struct boot_options *out,
		  void (*complain)(const char *msg, void *ctx), void *ctx)
{
	*out = (struct boot_options){ .fault = BOOT_FAULT_NONE, .tick_hz = 100, .test = "", .bench = "",
				      .idle_poll_us = IDLE_POLL_US_DEFAULT };
	int problems = 0;
	const char *p = cmdline;
	while (p && *p) {
		while (*p == ' ')
			p++;
		size_t len = word_length(p);
		if (!len)
			break;
		char word[WORD_MAX];
		if (len >= sizeof word) {
			problems += complain_fmt(complain, ctx, "boot option too long: '%.40s...'", p);
		} else {
			memcpy(word, p, len);
			word[len] = 0;
			problems += parse_word(word, out, complain, ctx);
		}
		p += len;
	}
	return problems;
}
