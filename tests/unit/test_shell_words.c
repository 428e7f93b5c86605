/*
 * test_shell_words.c — the shell's word splitter and number reader
 * (components/shell/words.c).
 *
 * Splitting results are compared as one string, the words joined as
 * <w1><w2>..., so a test reads like the command line it splits.
 */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "components/shell/words.h"
#include "tests/unit/host.h"
#include "tests/unit/random.h"

/* Splits `line`; returns "<w1><w2>..." or "!message" on an error. */
static const char *split(const char *line)
{
	static char result[1024];
	static struct words w;
	char err[80] = "untouched";
	int n = words_split(line, &w, err, sizeof err);
	size_t used = 0;

	if (n < 0) {
		CHECK_EQ(w.count, 0);
		CHECK(w.v[0] == NULL);
		snprintf(result, sizeof result, "!%s", err);
		return result;
	}
	CHECK_EQ(n, w.count);
	CHECK(w.v[n] == NULL);
	CHECK(n <= WORDS_MAX);
	result[0] = '\0';
	for (int i = 0; i < n; i++) {
		CHECK(w.v[i] >= w.buf && w.v[i] < w.buf + sizeof w.buf);
		CHECK(strlen(w.v[i]) <= WORDS_WORD_MAX);
		used += snprintf(result + used, sizeof result - used, "<%s>", w.v[i]);
		CHECK(used < sizeof result);
	}
	return result;
}

TEST(shell_words_plain)
{
	CHECK_STR(split("ps"), "<ps>");
	CHECK_STR(split("inject crashme page"), "<inject><crashme><page>");
	CHECK_STR(split("  inject   crashme\t\tpage  "), "<inject><crashme><page>");
	CHECK_STR(split("\tps\t"), "<ps>");
	CHECK_STR(split("a b"), "<a><b>");
	CHECK_STR(split("x"), "<x>");
}

TEST(shell_words_blank_lines)
{
	struct words w;

	CHECK_STR(split(""), "");
	CHECK_STR(split(" "), "");
	CHECK_STR(split(" \t  \t"), "");
	CHECK_EQ(words_split("", &w, NULL, 0), 0);
	CHECK(w.v[0] == NULL);
	CHECK_EQ(words_split(NULL, &w, NULL, 0), 0);
	CHECK_EQ(w.count, 0);
}

/* Only space and tab separate words; other bytes are the line editor's business. */
TEST(shell_words_other_bytes_are_word_characters)
{
	CHECK_STR(split("a\rb\nc"), "<a\rb\nc>");
	CHECK_STR(split("a\\b c'd e'"), "<a\\b><c'd><e'>");
}

TEST(shell_words_quotes)
{
	CHECK_STR(split("cat \"/My Documents/notes.txt\""), "<cat></My Documents/notes.txt>");
	CHECK_STR(split("\"a b\" c"), "<a b><c>");
	CHECK_STR(split("\"  spaced  out  \""), "<  spaced  out  >");
	CHECK_STR(split("\"tab\there\""), "<tab\there>");
	CHECK_STR(split("\"\""), "<>");
	CHECK_STR(split("a \"\" b"), "<a><><b>");
	CHECK_STR(split("\"\"\"\""), "<>");
	/* Quoted and unquoted text join, as in the POSIX shell. */
	CHECK_STR(split("a\"b c\"d"), "<ab cd>");
	CHECK_STR(split("\"a\"b"), "<ab>");
	CHECK_STR(split("\"x y\"z \"w\""), "<x yz><w>");
	CHECK_STR(split("pre\"\"post"), "<prepost>");
	/* A quote inside a word of its own. */
	CHECK_STR(split("echo \"it's\""), "<echo><it's>");
}

TEST(shell_words_escapes_in_quotes)
{
	CHECK_STR(split("\"a\\\"b\""), "<a\"b>");
	CHECK_STR(split("\"a\\\\b\""), "<a\\b>");
	CHECK_STR(split("\"a\\\\\""), "<a\\>");
	CHECK_STR(split("\"\\\"\""), "<\">");
	CHECK_STR(split("\"\\\\\\\"\""), "<\\\">");
	CHECK_STR(split("\"say \\\"hi\\\"\" now"), "<say \"hi\"><now>");
	/* Any other backslash is an ordinary character. */
	CHECK_STR(split("\"a\\nb\""), "<a\\nb>");
	CHECK_STR(split("\"\\ \""), "<\\ >");
	/* Outside quotes a backslash escapes nothing. */
	CHECK_STR(split("a\\b"), "<a\\b>");
	CHECK_STR(split("a\\\\"), "<a\\\\>");
	CHECK_STR(split("a\\\"b c\""), "<a\\b c>");
}

TEST(shell_words_unterminated_quote)
{
	CHECK_STR(split("\""), "!unterminated quote");
	CHECK_STR(split("\"abc"), "!unterminated quote");
	CHECK_STR(split("a \"b c"), "!unterminated quote");
	CHECK_STR(split("a\"b\"c\"d"), "!unterminated quote");
	/* An escaped quote does not close. */
	CHECK_STR(split("\"a\\\""), "!unterminated quote");
	CHECK_STR(split("\"\\\""), "!unterminated quote");
	CHECK_STR(split("\"abc\\"), "!unterminated quote");
}

TEST(shell_words_word_count)
{
	char line[128];

	/* 16 words, with spaces after the last. */
	strlcpy(line, "a b c d e f g h i j k l m n o p   ", sizeof line);
	CHECK_STR(split(line), "<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p>");
	strlcpy(line, "a b c d e f g h i j k l m n o p q", sizeof line);
	CHECK_STR(split(line), "!too many words (max 16)");
	strlcpy(line, "\"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\" \"\"",
		sizeof line);
	CHECK_STR(split(line), "!too many words (max 16)");
	line[strlen(line) - 3] = '\0';
	CHECK_STR(split(line), "<><><><><><><><><><><><><><><><>");
}

TEST(shell_words_word_length)
{
	char line[WORDS_LINE_MAX + 1], want[WORDS_LINE_MAX + 8];

	memset(line, 'w', WORDS_WORD_MAX);
	line[WORDS_WORD_MAX] = '\0';
	snprintf(want, sizeof want, "<%s>", line);
	CHECK_STR(split(line), want);

	line[WORDS_WORD_MAX] = 'w';
	line[WORDS_WORD_MAX + 1] = '\0';
	CHECK_STR(split(line), "!word too long (max 127 characters)");

	/* The limit counts characters after quotes and escapes are removed. */
	line[0] = '"';
	memset(line + 1, 'q', WORDS_WORD_MAX);
	line[WORDS_WORD_MAX + 1] = '"';
	line[WORDS_WORD_MAX + 2] = '\0';
	CHECK_EQ(strlen(split(line)), WORDS_WORD_MAX + 2);
	snprintf(line, sizeof line, "\"%.*s\\\\\"", WORDS_WORD_MAX - 1, want + 1);
	CHECK_EQ(strlen(split(line)), WORDS_WORD_MAX + 2);
	snprintf(line, sizeof line, "\"%.*s\\\\\"", WORDS_WORD_MAX, want + 1);
	CHECK_STR(split(line), "!word too long (max 127 characters)");
	/* The second word too. */
	snprintf(line, sizeof line, "ok %.*sw", WORDS_WORD_MAX, want + 1);
	CHECK_STR(split(line), "!word too long (max 127 characters)");
}

TEST(shell_words_line_length)
{
	char line[WORDS_LINE_MAX + 2];
	struct words *w = malloc(sizeof *w); /* on the heap, so ASan sees any overrun of buf */

	/* The fullest buf can get: two longest words in a line of exactly 255. */
	memset(line, 'a', WORDS_WORD_MAX);
	line[WORDS_WORD_MAX] = ' ';
	memset(line + WORDS_WORD_MAX + 1, 'b', WORDS_WORD_MAX);
	line[2 * WORDS_WORD_MAX + 1] = '\0';
	CHECK_EQ(strlen(line), WORDS_LINE_MAX);
	CHECK_EQ(words_split(line, w, NULL, 0), 2);
	CHECK_EQ(strlen(w->v[0]), WORDS_WORD_MAX);
	CHECK_EQ(strlen(w->v[1]), WORDS_WORD_MAX);
	CHECK_EQ(w->v[1] + WORDS_WORD_MAX - w->buf, WORDS_LINE_MAX);

	/* Sixteen one-letter words and padding to 255. */
	memset(line, ' ', WORDS_LINE_MAX);
	line[WORDS_LINE_MAX] = '\0';
	for (int i = 0; i < WORDS_MAX; i++)
		line[i * 2] = 'a' + i;
	CHECK_EQ(words_split(line, w, NULL, 0), WORDS_MAX);

	/* One character more is refused before anything else is looked at. */
	memset(line, ' ', WORDS_LINE_MAX + 1);
	line[WORDS_LINE_MAX + 1] = '\0';
	CHECK_STR(split(line), "!line too long (max 255 characters)");
	line[0] = '"';
	CHECK_STR(split(line), "!line too long (max 255 characters)");
	free(w);
}

TEST(shell_words_error_buffer)
{
	struct words w;
	char err[8];

	/* The message is cut to fit, and a missing buffer is fine. */
	memset(err, 'x', sizeof err);
	CHECK_EQ(words_split("\"", &w, err, 5), -1);
	CHECK_STR(err, "unte");
	CHECK_EQ(err[5], 'x');
	CHECK_EQ(words_split("\"", &w, NULL, 0), -1);
	CHECK_EQ(words_split("\"", &w, err, 0), -1);
	CHECK_STR(err, "unte");

	/* An error after some words leaves none behind. */
	CHECK_EQ(words_split("a b \"c", &w, err, sizeof err), -1);
	CHECK_EQ(w.count, 0);
	CHECK(w.v[0] == NULL);

	/* The struct is reusable after an error. */
	CHECK_EQ(words_split("ps -a", &w, err, sizeof err), 2);
	CHECK_STR(w.v[1], "-a");
}

/* Quotes a word so that words_split gives it back unchanged. */
static size_t quote(const char *word, char *dst)
{
	size_t n = 0;

	dst[n++] = '"';
	for (; *word; word++) {
		if (*word == '"' || *word == '\\')
			dst[n++] = '\\';
		dst[n++] = *word;
	}
	dst[n++] = '"';
	return n;
}

/*
 * Random lines from the characters that matter: each split must keep its
 * bounds, and quoting the words it found must give back the same words.
 */
TEST(shell_words_fuzz_roundtrip)
{
	static const char alphabet[] = "  \t\"\"\\\\ab";
	static struct words w, again;
	uint64_t state = 0x5eed5eed12345678ull;
	int splits = 0, errors = 0, rechecked = 0;

	for (int round = 0; round < 20000; round++) {
		char line[300], requoted[2 * WORDS_LINE_MAX * 2 + 64];
		size_t len = xorshift64(&state) % (round % 2 ? sizeof line : 50), n = 0;
		int count;

		for (size_t i = 0; i + 1 < len; i++)
			line[i] = alphabet[xorshift64(&state) % (sizeof alphabet - 1)];
		line[len ? len - 1 : 0] = '\0';

		count = words_split(line, &w, NULL, 0);
		if (count < 0) {
			errors++;
			CHECK_EQ(w.count, 0);
			continue;
		}
		splits++;
		CHECK(count <= WORDS_MAX && w.v[count] == NULL);
		for (int i = 0; i < count; i++) {
			CHECK(strlen(w.v[i]) <= WORDS_WORD_MAX);
			CHECK(w.v[i] + strlen(w.v[i]) < w.buf + sizeof w.buf);
			n += quote(w.v[i], requoted + n);
			requoted[n++] = ' ';
		}
		requoted[n] = '\0';
		if (n > WORDS_LINE_MAX)
			continue;
		rechecked++;
		CHECK_EQ(words_split(requoted, &again, NULL, 0), count);
		for (int i = 0; i < count && i < again.count; i++)
			CHECK_STR(again.v[i], w.v[i]);
	}
	CHECK(splits > 1000);
	CHECK(errors > 1000);
	CHECK(rechecked > 1000);
}

/* ---- Numbers ------------------------------------------------------------------ */

static bool num(const char *s, uint64_t *v)
{
	*v = 0x5a5a5a5a5a5a5a5aull;
	return words_number(s, v);
}

TEST(shell_words_number_decimal)
{
	uint64_t v;

	CHECK(num("0", &v) && v == 0);
	CHECK(num("42", &v) && v == 42);
	CHECK(num("007", &v) && v == 7);
	CHECK(num("010", &v) && v == 10); /* not octal */
	CHECK(num("4096", &v) && v == 4096);
	CHECK(num("18446744073709551615", &v) && v == UINT64_MAX);
	CHECK(num("00000000000000000000000000018446744073709551615", &v) && v == UINT64_MAX);
	CHECK(!num("18446744073709551616", &v));
	CHECK(!num("99999999999999999999", &v));
	CHECK(!num("184467440737095516150", &v));
}

TEST(shell_words_number_hex)
{
	uint64_t v;

	CHECK(num("0x0", &v) && v == 0);
	CHECK(num("0x2a", &v) && v == 42);
	CHECK(num("0X2A", &v) && v == 42);
	CHECK(num("0xdeadBEEF", &v) && v == 0xdeadbeef);
	CHECK(num("0xffffffffffffffff", &v) && v == UINT64_MAX);
	CHECK(num("0x0000000000000000001", &v) && v == 1);
	CHECK(num("0x8000000000000000", &v) && v == 0x8000000000000000ull);
	CHECK(!num("0x10000000000000000", &v));
	CHECK(!num("0x", &v));
	CHECK(!num("0X", &v));
	CHECK(!num("0xg", &v));
	CHECK(!num("0x1g", &v));
	CHECK(!num("0x-1", &v));
	CHECK(!num("0x 1", &v));
	CHECK(!num("0xx1", &v));
}

TEST(shell_words_number_negative)
{
	uint64_t v;

	CHECK(num("-1", &v) && v == UINT64_MAX);
	CHECK(num("-0", &v) && v == 0);
	CHECK(num("-42", &v) && v == (uint64_t)-42);
	CHECK(num("-007", &v) && v == (uint64_t)-7);
	CHECK(num("-9223372036854775807", &v) && v == 0x8000000000000001ull);
	CHECK(num("-9223372036854775808", &v) && v == 0x8000000000000000ull);
	CHECK(!num("-9223372036854775809", &v));
	CHECK(!num("-18446744073709551615", &v));
	CHECK(!num("-99999999999999999999", &v));
	CHECK(!num("-0x10", &v));
	CHECK(!num("-", &v));
	CHECK(!num("--1", &v));
	CHECK(!num("- 1", &v));
}

TEST(shell_words_number_junk)
{
	static const char *const junk[] = {
		"", " ", "+5", " 5", "5 ", "\t5", "12a", "a12", "1e3", "0b101", "1.5",
		"1,000", "x10", "0o7", "5\n", "\"5\"", "1-2",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		CHECK(!num(junk[i], &v));
		CHECK_EQ(v, 0x5a5a5a5a5a5a5a5aull); /* untouched */
	}
	CHECK(!words_number(NULL, &v));
	CHECK_EQ(v, 0x5a5a5a5a5a5a5a5aull);
}

/* The two halves together, as the shell uses them. */
TEST(shell_words_split_then_number)
{
	struct words w;
	uint64_t a, b, c;

	CHECK_EQ(words_split("poke 0x1000 -1 \"42\"", &w, NULL, 0), 4);
	CHECK(words_number(w.v[1], &a) && a == 0x1000);
	CHECK(words_number(w.v[2], &b) && b == UINT64_MAX);
	CHECK(words_number(w.v[3], &c) && c == 42);
	CHECK(!words_number(w.v[0], &a));
}
