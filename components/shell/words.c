/*
 * words.c — the shell's word splitter and number reader (rules: words.h).
 *
 * words_split makes one pass over the line with two states, inside quotes or
 * not, copying each word's characters into out->buf as it goes.  Limits are
 * checked as they are reached, so nothing is written past a bound even for a
 * line that breaks several of them; the first problem met is the one
 * reported.
 *
 * words_number does not use parse_u64: that follows C's base-0 rule, where a
 * leading 0 means octal, and "010" meaning 8 would surprise a shell user.
 */
#include "components/shell/words.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 4, 5)))
static int fail(struct words *out, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	out->count = 0;
	out->v[0] = NULL;
	return -1;
}

static bool is_separator(char c)
{
	return c == ' ' || c == '\t';
}

int words_split(const char *line, struct words *out, char *err, size_t errlen)
{
	const char *p = line;
	char *dst = out->buf;
	int count = 0;

	out->count = 0;
	out->v[0] = NULL;
	if (!line)
		return 0;
	if (strnlen(line, WORDS_LINE_MAX + 1) > WORDS_LINE_MAX)
		return fail(out, err, errlen, "line too long (max %d characters)", WORDS_LINE_MAX);

	for (;;) {
		char *word;
		bool quoted = false;

		while (is_separator(*p))
			p++;
		if (*p == '\0')
			break;
		if (count == WORDS_MAX)
			return fail(out, err, errlen, "too many words (max %d)", WORDS_MAX);

		word = dst;
		while (*p && (quoted || !is_separator(*p))) {
			char c = *p++;

			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && c == '\\' && (*p == '"' || *p == '\\'))
				c = *p++;
			if (dst - word == WORDS_WORD_MAX)
				return fail(out, err, errlen, "word too long (max %d characters)",
					    WORDS_WORD_MAX);
			*dst++ = c;
		}
		if (quoted)
			return fail(out, err, errlen, "unterminated quote");
		*dst++ = '\0';
		out->v[count++] = word;
	}
	out->v[count] = NULL;
	out->count = count;
	return count;
}

/* Reads digits in `base` (10 or 16) up to the end of the string; false on junk, none or overflow. */
static bool read_digits(const char *s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d;

		if (isdigit(*s))
			d = *s - '0';
		else if (base == 16 && isxdigit(*s))
			d = tolower(*s) - 'a' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

bool words_number(const char *w, uint64_t *out)
{
	uint64_t v;

	if (!w)
		return false;
	if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
		if (!read_digits(w + 2, 16, &v))
			return false;
	} else if (w[0] == '-') {
		/* The magnitude of INT64_MIN is the largest a negative number may have. */
		if (!read_digits(w + 1, 10, &v) || v > (uint64_t)INT64_MAX + 1)
			return false;
		v = -v;
	} else if (!read_digits(w, 10, &v)) {
		return false;
	}
	*out = v;
	return true;
}
