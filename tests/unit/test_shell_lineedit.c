/*
 * test_shell_lineedit.c — the shell's line editor (components/shell/lineedit.c).
 *
 * A test feeds bytes into one session and checks two transcripts byte for
 * byte: the echo, and a log of events in which a line appears as L[text], an
 * error as E[message] and a cancelled line as C.  The log is written as each
 * event happens, because the editor keeps a finished line only until the
 * next byte.
 */
#include "unit.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "components/shell/lineedit.h"
#include "tests/unit/random.h"
#include <utf8.h>

#define LONG_ERROR "line too long (max 255 bytes)"

struct text {
	char s[16384];
	size_t n;
};

struct session {
	struct lineedit le;
	struct text echo, log;
	int overrun; /* bytes that did not fit in echo or log */
};

static struct session S;

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->n + n >= sizeof t->s) {
		S.overrun++;
		return;
	}
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static void text_repeat(struct text *t, const char *s, int times)
{
	while (times-- > 0)
		text_str(t, s);
}

static void capture(void *ctx, const char *s, size_t n)
{
	CHECK(ctx == &S);
	CHECK(n > 0);
	text_add(&S.echo, s, n);
}

static void begin(void)
{
	memset(&S, 0, sizeof S);
	lineedit_init(&S.le);
}

/* Forgets the transcripts so far, keeping the editor's state. */
static void clear(void)
{
	S.echo.n = S.log.n = 0;
	S.echo.s[0] = S.log.s[0] = '\0';
}

static void log_event(enum lineedit_event ev)
{
	switch (ev) {
	case LINEEDIT_NONE:
		break;
	case LINEEDIT_LINE:
		text_str(&S.log, "L[");
		text_str(&S.log, lineedit_line(&S.le));
		text_str(&S.log, "]");
		break;
	case LINEEDIT_CANCELLED:
		text_str(&S.log, "C");
		break;
	case LINEEDIT_ERROR:
		text_str(&S.log, "E[");
		text_str(&S.log, lineedit_error(&S.le));
		text_str(&S.log, "]");
		break;
	}
}

static void feed(const char *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_event(lineedit_feed(&S.le, (uint8_t)bytes[i], capture, &S));
}

/* FEED(literal): the literal's bytes, embedded NULs included. */
#define FEED(lit) feed(lit, sizeof(lit) - 1)

static void feed_repeat(char c, int times)
{
	while (times-- > 0)
		feed(&c, 1);
}

/* ---- Typing and line ends ------------------------------------------------- */

TEST(shell_lineedit_typing_echoes)
{
	begin();
	FEED("ps");
	CHECK_STR(S.echo.s, "ps");
	CHECK_STR(S.log.s, "");
	CHECK_STR(lineedit_line(&S.le), "ps");
	FEED("\r");
	CHECK_STR(S.echo.s, "ps\r\n");
	CHECK_STR(S.log.s, "L[ps]");

	begin();
	FEED("inject crashme page\r");
	CHECK_STR(S.echo.s, "inject crashme page\r\n");
	CHECK_STR(S.log.s, "L[inject crashme page]");

	/* Every printable character, space and tilde included. */
	begin();
	char all[96];
	for (int c = 0x20; c < 0x7f; c++)
		all[c - 0x20] = (char)c;
	all[95] = '\0';
	feed(all, 95);
	FEED("\n");
	CHECK_STR(S.echo.s, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\r\n");
	CHECK_STR(S.log.s, "L[ !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~]");
}

TEST(shell_lineedit_line_ends)
{
	begin();
	FEED("a\rb\nc\r\nd\r");
	CHECK_STR(S.log.s, "L[a]L[b]L[c]L[d]");
	CHECK_STR(S.echo.s, "a\r\nb\r\nc\r\nd\r\n");

	/* An empty line is a line: the shell just prompts again. */
	begin();
	FEED("\r");
	CHECK_STR(S.log.s, "L[]");
	CHECK_STR(S.echo.s, "\r\n");

	begin();
	FEED("\r\n\r\n");
	CHECK_STR(S.log.s, "L[]L[]");
	CHECK_STR(S.echo.s, "\r\n\r\n");

	begin();
	FEED("\r\r");
	CHECK_STR(S.log.s, "L[]L[]");

	begin();
	FEED("\n\n");
	CHECK_STR(S.log.s, "L[]L[]");
	CHECK_STR(S.echo.s, "\r\n\r\n");

	/* LF CR is not one line end: only CR then LF pairs. */
	begin();
	FEED("x\n\ry\r");
	CHECK_STR(S.log.s, "L[x]L[]L[y]");

	/* CR LF LF: the second LF is an empty line. */
	begin();
	FEED("x\r\n\n");
	CHECK_STR(S.log.s, "L[x]L[]");
	CHECK_STR(S.echo.s, "x\r\n\r\n");

	/* An LF pairs only with the CR just before it. */
	begin();
	FEED("x\ry\n");
	CHECK_STR(S.log.s, "L[x]L[y]");
}

TEST(shell_lineedit_crlf_split_across_feeds)
{
	begin();
	FEED("ps\r");
	CHECK_STR(S.log.s, "L[ps]");
	CHECK_STR(S.echo.s, "ps\r\n");
	clear();
	FEED("\nls\r");
	CHECK_STR(S.log.s, "L[ls]");
	CHECK_STR(S.echo.s, "ls\r\n");
	clear();
	FEED("\n");
	CHECK_STR(S.log.s, "");
	CHECK_STR(S.echo.s, "");
	FEED("\n");
	CHECK_STR(S.log.s, "L[]");

	/* The pairing also follows a cancelled or an error line's CR. */
	begin();
	FEED("\x01\r");
	FEED("\n");
	FEED("a\r");
	FEED("\n");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x01]L[a]");
}

TEST(shell_lineedit_finished_line_lasts_until_next_byte)
{
	begin();
	CHECK_EQ(lineedit_feed(&S.le, 'o', capture, &S), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&S.le, 'k', capture, &S), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&S.le, '\r', capture, &S), LINEEDIT_LINE);
	CHECK_STR(lineedit_line(&S.le), "ok");
	CHECK_STR(lineedit_line(&S.le), "ok");
	CHECK_EQ(lineedit_feed(&S.le, 'x', capture, &S), LINEEDIT_NONE);
	CHECK_STR(lineedit_line(&S.le), "x");

	/* Even the LF that completes CR LF starts the next line. */
	CHECK_EQ(lineedit_feed(&S.le, '\r', capture, &S), LINEEDIT_LINE);
	CHECK_STR(lineedit_line(&S.le), "x");
	CHECK_EQ(lineedit_feed(&S.le, '\n', capture, &S), LINEEDIT_NONE);
	CHECK_STR(lineedit_line(&S.le), "");
}

TEST(shell_lineedit_null_output)
{
	struct lineedit le;

	lineedit_init(&le);
	CHECK_EQ(lineedit_feed(&le, 'a', NULL, NULL), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&le, 0x7f, NULL, NULL), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&le, 'b', NULL, NULL), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&le, '\n', NULL, NULL), LINEEDIT_LINE);
	CHECK_STR(lineedit_line(&le), "b");
	CHECK_EQ(lineedit_feed(&le, 0x03, NULL, NULL), LINEEDIT_CANCELLED);
}

/* ---- Editing keys ------------------------------------------------------------ */

TEST(shell_lineedit_backspace_and_del)
{
	begin();
	FEED("abc\bd\r");
	CHECK_STR(S.echo.s, "abc\b \bd\r\n");
	CHECK_STR(S.log.s, "L[abd]");

	begin();
	FEED("abc\x7f\x7f" "x\r");
	CHECK_STR(S.echo.s, "abc\b \b\b \bx\r\n");
	CHECK_STR(S.log.s, "L[ax]");

	/* Nothing to erase: no echo at all. */
	begin();
	FEED("\b\x7f");
	CHECK_STR(S.echo.s, "");
	FEED("a\b\b\x7f" "b\r");
	CHECK_STR(S.echo.s, "a\b \bb\r\n");
	CHECK_STR(S.log.s, "L[b]");

	/* Erasing everything leaves an empty line. */
	begin();
	FEED("hi\b\b\r");
	CHECK_STR(S.log.s, "L[]");
}

TEST(shell_lineedit_ctrl_u)
{
	struct text want = { 0 };

	begin();
	FEED("abc\x15xy\r");
	CHECK_STR(S.echo.s, "abc\b \b\b \b\b \bxy\r\n");
	CHECK_STR(S.log.s, "L[xy]");

	begin();
	FEED("\x15");
	CHECK_STR(S.echo.s, "");
	FEED("\x15\r");
	CHECK_STR(S.log.s, "L[]");

	/* Longer than one batch of the erase string. */
	begin();
	feed_repeat('q', 37);
	FEED("\x15!\r");
	text_repeat(&want, "q", 37);
	text_repeat(&want, "\b \b", 37);
	text_str(&want, "!\r\n");
	CHECK_STR(S.echo.s, want.s);
	CHECK_STR(S.log.s, "L[!]");
}

TEST(shell_lineedit_ctrl_c)
{
	begin();
	FEED("abc\x03");
	CHECK_STR(S.echo.s, "abc^C\r\n");
	CHECK_STR(S.log.s, "C");
	FEED("d\r");
	CHECK_STR(S.echo.s, "abc^C\r\nd\r\n");
	CHECK_STR(S.log.s, "CL[d]");

	begin();
	FEED("\x03\x03");
	CHECK_STR(S.log.s, "CC");
	CHECK_STR(S.echo.s, "^C\r\n^C\r\n");

	/* A cancelled line is not in the history. */
	begin();
	FEED("secret\x03\x1b[A");
	CHECK_STR(lineedit_line(&S.le), "");
	CHECK_STR(S.echo.s, "secret^C\r\n");
}

TEST(shell_lineedit_tab_is_ignored)
{
	begin();
	FEED("\ta\tb\t\r");
	CHECK_STR(S.echo.s, "ab\r\n");
	CHECK_STR(S.log.s, "L[ab]");
}

/* ---- History ---------------------------------------------------------------- */

#define UP   "\x1b[A"
#define DOWN "\x1b[B"

TEST(shell_lineedit_history_walk)
{
	struct text want = { 0 };

	begin();
	FEED("one\rtwo\rthree\r");
	clear();

	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "three");
	CHECK_STR(S.echo.s, "three");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "two");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "one");
	text_str(&want, "three");
	text_repeat(&want, "\b \b", 5);
	text_str(&want, "two");
	text_repeat(&want, "\b \b", 3);
	text_str(&want, "one");
	CHECK_STR(S.echo.s, want.s);

	/* Up past the oldest stays there and echoes nothing. */
	clear();
	FEED(UP UP);
	CHECK_STR(lineedit_line(&S.le), "one");
	CHECK_STR(S.echo.s, "");

	FEED(DOWN);
	CHECK_STR(lineedit_line(&S.le), "two");
	FEED(DOWN);
	CHECK_STR(lineedit_line(&S.le), "three");
	/* Down past the newest: an empty line, then nothing. */
	FEED(DOWN);
	CHECK_STR(lineedit_line(&S.le), "");
	clear();
	FEED(DOWN DOWN);
	CHECK_STR(lineedit_line(&S.le), "");
	CHECK_STR(S.echo.s, "");

	/* A recalled line is entered like a typed one, and becomes the newest. */
	FEED(UP UP UP "\r");
	CHECK_STR(S.log.s, "L[one]");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "one");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "three");
}

TEST(shell_lineedit_history_edit_recalled_line)
{
	struct text want = { 0 };

	begin();
	FEED("three\r");
	clear();
	FEED(UP "\bx\r");
	CHECK_STR(S.log.s, "L[threx]");
	text_str(&want, "three\b \bx\r\n");
	CHECK_STR(S.echo.s, want.s);

	/* The history entry itself is unchanged. */
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "threx");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "three");

	/* Edits to a recalled line are dropped when moving on. */
	FEED("zz" DOWN);
	CHECK_STR(lineedit_line(&S.le), "threx");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "three");

	/* Ctrl-U on a recalled line, then type anew. */
	FEED("\x15new\r");
	CHECK_STR(S.log.s, "L[threx]L[new]");

	/* Up replaces what was typed, on screen too. */
	clear();
	FEED("abcd" UP);
	CHECK_STR(lineedit_line(&S.le), "new");
	CHECK_STR(S.echo.s, "abcd\b \b\b \b\b \b\b \bnew");
}

TEST(shell_lineedit_history_what_is_kept)
{
	begin();
	/* Empty lines, errors and cancelled lines are not kept. */
	FEED("kept\r\r\n\rbad\x02\rgone\x03");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "kept");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "kept");

	/* Nothing in the history: Up and Down do nothing. */
	begin();
	FEED("ab" UP DOWN);
	CHECK_STR(lineedit_line(&S.le), "ab");
	CHECK_STR(S.echo.s, "ab");

	/* Identical lines are each kept. */
	begin();
	FEED("a\ra\rb\r" UP UP UP);
	CHECK_STR(lineedit_line(&S.le), "a");
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "a");
	FEED(DOWN DOWN);
	CHECK_STR(lineedit_line(&S.le), "b");
}

TEST(shell_lineedit_history_keeps_last_16)
{
	char line[8];

	begin();
	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof line, "l%d\r", i);
		feed(line, strlen(line));
	}
	for (int i = 19; i >= 4; i--) {
		FEED(UP);
		snprintf(line, sizeof line, "l%d", i);
		CHECK_STR(lineedit_line(&S.le), line);
	}
	FEED(UP);
	CHECK_STR(lineedit_line(&S.le), "l4");
	for (int i = 5; i <= 19; i++) {
		FEED(DOWN);
		snprintf(line, sizeof line, "l%d", i);
		CHECK_STR(lineedit_line(&S.le), line);
	}
	FEED(DOWN);
	CHECK_STR(lineedit_line(&S.le), "");
}

TEST(shell_lineedit_history_long_line)
{
	char line[LINEEDIT_MAX + 1];

	begin();
	memset(line, 'z', LINEEDIT_MAX);
	line[LINEEDIT_MAX] = '\0';
	feed(line, LINEEDIT_MAX);
	FEED("\r" UP);
	CHECK_STR(lineedit_line(&S.le), line);
	FEED("\r");
	CHECK_EQ(S.log.n, 2 * (LINEEDIT_MAX + 3));
}

TEST(shell_lineedit_history_ss3_arrows)
{
	begin();
	FEED("one\rtwo\r");
	FEED("\x1bOA");
	CHECK_STR(lineedit_line(&S.le), "two");
	FEED("\x1bOA");
	CHECK_STR(lineedit_line(&S.le), "one");
	FEED("\x1bOB");
	CHECK_STR(lineedit_line(&S.le), "two");
	/* xterm's Ctrl-Up (ESC [ 1 ; 5 A) is Up too. */
	FEED("\x1b[1;5A");
	CHECK_STR(lineedit_line(&S.le), "one");
	FEED("\x1b[1;5B");
	CHECK_STR(lineedit_line(&S.le), "two");
}

TEST(shell_lineedit_history_clears_bad_mark)
{
	begin();
	FEED("good\r\x01" UP "\r");
	CHECK_STR(S.log.s, "L[good]L[good]");

	begin();
	FEED("good\r");
	feed_repeat('a', 300);
	FEED(UP "\r");
	CHECK_STR(S.log.s, "L[good]L[good]");

	/* Going Down to the empty line clears it too. */
	begin();
	FEED("good\r" UP "\x7f\x01" DOWN "\r");
	CHECK_STR(S.log.s, "L[good]L[]");
}

/* ---- Other escape sequences ---------------------------------------------- */

TEST(shell_lineedit_other_escapes_ignored)
{
	static const char *const seqs[] = {
		"\x1b[D", "\x1b[C", "\x1b[H", "\x1b[F",        /* left, right, home, end */
		"\x1bOD", "\x1bOC", "\x1bOP", "\x1bOQ",        /* SS3 arrows, F1, F2 */
		"\x1b[15~", "\x1b[24~", "\x1b[3~", "\x1b[2~",   /* F5, F12, Delete, Insert */
		"\x1b[1;5C", "\x1b[1;2D", "\x1b[200~",          /* Ctrl-Right, Shift-Left, paste start */
		"\x1b[?25h", "\x1b[>c", "\x1b[ q",              /* private and intermediate bytes */
		"\x1bx", "\x1b" "b", "\x1b~", "\x1b\\",          /* Alt-x, Alt-b, two-byte sequences */
		"\x1b(B", "\x1b)0", "\x1b#8", "\x1b %G",        /* ESC with intermediates */
	};

	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		begin();
		FEED("ab");
		feed(seqs[i], strlen(seqs[i]));
		FEED("c\r");
		CHECK_STR(S.echo.s, "abc\r\n");
		CHECK_STR(S.log.s, "L[abc]");
		if (strcmp(S.log.s, "L[abc]") != 0)
			unit_fail(__FILE__, __LINE__, "sequence %zu left bytes behind", i);
	}
}

TEST(shell_lineedit_escape_split_across_feeds)
{
	begin();
	FEED("one\r");
	clear();
	FEED("\x1b");
	CHECK_STR(lineedit_line(&S.le), "");
	FEED("[");
	CHECK_STR(lineedit_line(&S.le), "");
	FEED("A");
	CHECK_STR(lineedit_line(&S.le), "one");
	CHECK_STR(S.echo.s, "one");

	FEED("\x1b[1");
	FEED("5");
	FEED("~");
	FEED("\x1b" "O");
	FEED("P");
	FEED("\x1b(");
	FEED("B!\r");
	CHECK_STR(S.log.s, "L[one!]");
	CHECK_STR(S.echo.s, "one!\r\n");
}

TEST(shell_lineedit_broken_escapes)
{
	/* A control byte ends a sequence and still does its job. */
	begin();
	FEED("ab\x1b\r");
	CHECK_STR(S.log.s, "L[ab]");
	CHECK_STR(S.echo.s, "ab\r\n");

	begin();
	FEED("ab\x1b[\r");
	CHECK_STR(S.log.s, "L[ab]");

	begin();
	FEED("ab\x1b[12;\n");
	CHECK_STR(S.log.s, "L[ab]");

	begin();
	FEED("ab\x1b(\r");
	CHECK_STR(S.log.s, "L[ab]");

	begin();
	FEED("ab\x1b[1\x03");
	CHECK_STR(S.log.s, "C");

	begin();
	FEED("ab\x1bO\x7f\r");
	CHECK_STR(S.log.s, "L[a]");

	begin();
	FEED("ab\x1b[\x15" "c\r");
	CHECK_STR(S.log.s, "L[c]");

	/* ESC inside a sequence starts a new one. */
	begin();
	FEED("one\r\x1b[1\x1b[A\r");
	CHECK_STR(S.log.s, "L[one]L[one]");

	begin();
	FEED("one\r\x1b\x1b\x1b[A\r");
	CHECK_STR(S.log.s, "L[one]L[one]");

	/* Bytes that are neither text nor a sequence make the line bad. */
	begin();
	FEED("ab\x1b[\x80\r");
	CHECK_STR(S.log.s, "E[line is not UTF-8 (byte 0x80)]");
	CHECK_STR(S.echo.s, "ab\r\n");

	begin();
	FEED("ab\x1b\x01\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x01]");

	/* TAB ends a sequence, and is ignored as usual. */
	begin();
	FEED("ab\x1b[\tc\r");
	CHECK_STR(S.log.s, "L[abc]");
}

/* A never-ending parameter list is swallowed whole, never taken as text. */
TEST(shell_lineedit_escape_parameters_are_not_text)
{
	begin();
	FEED("x\x1b[");
	for (int i = 0; i < 5000; i++)
		FEED("1;");
	FEED("D\r");
	CHECK_STR(S.log.s, "L[x]");
	CHECK_STR(S.echo.s, "x\r\n");
}

/* ---- Overlong lines ----------------------------------------------------------- */

TEST(shell_lineedit_longest_line)
{
	struct text want = { 0 };

	begin();
	feed_repeat('a', LINEEDIT_MAX);
	FEED("\r");
	text_repeat(&want, "a", LINEEDIT_MAX);
	text_str(&want, "\r\n");
	CHECK_STR(S.echo.s, want.s);
	CHECK_EQ(S.log.n, LINEEDIT_MAX + 3);
	CHECK_EQ(S.log.s[0], 'L');
	CHECK_EQ(S.log.s[LINEEDIT_MAX + 2], ']');
}

TEST(shell_lineedit_line_one_too_long)
{
	struct text want = { 0 };

	begin();
	feed_repeat('a', LINEEDIT_MAX + 1);
	CHECK_EQ(strlen(lineedit_line(&S.le)), LINEEDIT_MAX);
	FEED("\r");
	/* The character past the limit was neither stored nor echoed. */
	text_repeat(&want, "a", LINEEDIT_MAX);
	text_str(&want, "\r\n");
	CHECK_STR(S.echo.s, want.s);
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]");
	CHECK_STR(lineedit_error(&S.le), LONG_ERROR);

	/* The next line is fine, and the error is not in the history. */
	FEED("\nps\r" UP);
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]L[ps]");
	CHECK_STR(lineedit_line(&S.le), "ps");
}

TEST(shell_lineedit_line_10000_bytes)
{
	struct text want = { 0 };

	begin();
	for (int i = 0; i < 10000; i++) {
		char c = 'a' + i % 26;
		feed(&c, 1);
		CHECK(S.le.len <= LINEEDIT_MAX);
	}
	FEED("\r\n");
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]");
	CHECK_EQ(S.echo.n, LINEEDIT_MAX + 2);
	clear();
	FEED("ps\r\n");
	CHECK_STR(S.log.s, "L[ps]");
	CHECK_STR(S.echo.s, "ps\r\n");

	/* The same with no CR at the end of the long line but an LF. */
	clear();
	feed_repeat('b', 10000);
	FEED("\nok\n");
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]L[ok]");
	text_repeat(&want, "b", LINEEDIT_MAX);
	text_str(&want, "\r\nok\r\n");
	CHECK_STR(S.echo.s, want.s);
}

TEST(shell_lineedit_overlong_then_edited)
{
	/* Backspace does not make an overlong line acceptable... */
	begin();
	feed_repeat('a', LINEEDIT_MAX + 5);
	FEED("\b\bz\r");
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]");

	/* ...but Ctrl-U starts the line afresh, and Ctrl-C drops it. */
	begin();
	feed_repeat('a', LINEEDIT_MAX + 5);
	FEED("\x15ok\r");
	CHECK_STR(S.log.s, "L[ok]");

	begin();
	feed_repeat('a', LINEEDIT_MAX + 5);
	FEED("\x03");
	CHECK_STR(S.log.s, "C");
	FEED("ok\r");
	CHECK_STR(S.log.s, "CL[ok]");
}

/* ---- UTF-8 ----------------------------------------------------------------------- */

TEST(shell_lineedit_utf8_characters_are_typed_whole)
{
	/* 2, 3 and 4 bytes: each echoed at once, when its last byte arrives. */
	begin();
	FEED("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\r");
	CHECK_STR(S.log.s, "L[caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80]");
	CHECK_STR(S.echo.s, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\r\n");

	begin();
	FEED("\xe2\x9c");
	CHECK_STR(S.echo.s, "");                        /* not yet a character */
	CHECK_EQ(S.le.len, 0);

	/* Backspace erases the character, all its bytes, as one column. */
	begin();
	FEED("a\xe2\x9c\x93\b\bb\r");
	CHECK_STR(S.log.s, "L[b]");
	CHECK_STR(S.echo.s, "a\xe2\x9c\x93\b \b\b \bb\r\n");

	/* Ctrl-U and the history rub out characters, not bytes. */
	begin();
	FEED("\xc3\xa9\xc3\xa9\x15x\r");
	CHECK_STR(S.echo.s, "\xc3\xa9\xc3\xa9\b \b\b \bx\r\n");
	clear();
	FEED("\xc3\xa4\r\x1b[A\x1b[A\x1b[B");
	CHECK_STR(S.echo.s, "\xc3\xa4\r\n\xc3\xa4\b \bx\b \b\xc3\xa4");

	/* The limit is in bytes: a character that would pass it is not typed. */
	begin();
	feed_repeat('a', LINEEDIT_MAX - 1);
	FEED("\xc3\xa9\r");
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]");
	begin();
	feed_repeat('a', LINEEDIT_MAX - 2);
	FEED("\xc3\xa9\r");
	CHECK_EQ(S.le.len, LINEEDIT_MAX);
	CHECK_EQ(strncmp(S.log.s, "L[", 2), 0);
}

TEST(shell_lineedit_malformed_utf8_is_refused)
{
	static const struct {
		const char *bytes, *error;
	} cases[] = {
		{ "\x80\r", "line is not UTF-8 (byte 0x80)" },                   /* stray continuation */
		{ "\xc3(\r", "line is not UTF-8 (byte 0x28)" },                  /* cut short by ASCII */
		{ "\xc3\xc3\xa9\r", "line is not UTF-8 (byte 0xc3)" },           /* ... by another lead */
		{ "\xc0\xaf\r", "line is not UTF-8 (byte 0xc0)" },               /* overlong '/' */
		{ "\xe0\x80\xaf\r", "line is not UTF-8 (byte 0xaf)" },           /* overlong, 3 bytes */
		{ "\xed\xa0\x80\r", "line is not UTF-8 (byte 0x80)" },           /* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80\r", "line is not UTF-8 (byte 0x80)" },       /* past U+10FFFF */
		{ "\xf8\x88\x80\x80\x80\r", "line is not UTF-8 (byte 0xf8)" },   /* 5 bytes */
		{ "\xc2\x9b[2J\r", "line contains a non-printable character U+009B" }, /* C1 CSI */
		{ "\xc2\x85\r", "line contains a non-printable character U+0085" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[96];
		begin();
		feed(cases[i].bytes, strlen(cases[i].bytes));
		snprintf(want, sizeof want, "E[%s]", cases[i].error);
		CHECK_STR(S.log.s, want);
		CHECK(!memchr(S.echo.s, 0x9b, S.echo.n) && !memchr(S.echo.s, 0x80, S.echo.n));
	}

	/* The next line is fine again, and a cut-short character never leaks into it. */
	begin();
	FEED("\xe2\x9c\rok\r");
	CHECK_STR(S.log.s, "E[line is not UTF-8 (byte 0x0d)]L[ok]");
}

/* ---- Non-printable bytes ------------------------------------------------------- */

TEST(shell_lineedit_non_printable)
{
	begin();
	FEED("a\x01" "b\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x01]");
	CHECK_STR(S.echo.s, "ab\r\n");

	/* The first offending byte is the one named. */
	begin();
	FEED("\x02\xff\x80\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x02]");
	CHECK_STR(S.echo.s, "\r\n");

	begin();
	FEED("x\xff\n");
	CHECK_STR(S.log.s, "E[line is not UTF-8 (byte 0xff)]");

	begin();
	FEED("\0\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x00]");

	/* Each control byte that is not a key. */
	for (int b = 0; b < 0x20; b++) {
		char line[4] = { 'q', (char)b, '\r', 0 };
		char want[64];

		if (b == 0x03 || b == 0x08 || b == '\t' || b == '\n' || b == '\r' || b == 0x15 ||
		    b == 0x1b)
			continue;
		begin();
		feed(line, 3);
		snprintf(want, sizeof want, "E[line contains a non-printable byte 0x%02x]", b);
		CHECK_STR(S.log.s, want);
		CHECK_STR(S.echo.s, "q\r\n");
	}
	/* A byte >= 0x80 alone: one that cannot begin a character is named at once, one
	 * that can is cut short by the line end. */
	for (int b = 0x80; b < 0x100; b++) {
		char line[3] = { (char)b, '\n', 0 };
		char want[64];

		begin();
		feed(line, 2);
		snprintf(want, sizeof want, "E[line is not UTF-8 (byte 0x%02x)]",
			 utf8_length((uint8_t)b) ? '\n' : b);
		CHECK_STR(S.log.s, want);
		CHECK_STR(S.echo.s, "\r\n");
	}
}

TEST(shell_lineedit_first_problem_wins)
{
	begin();
	FEED("\x05");
	feed_repeat('a', 300);
	FEED("\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x05]");

	begin();
	feed_repeat('a', 300);
	FEED("\x05\r");
	CHECK_STR(S.log.s, "E[" LONG_ERROR "]");

	/* Backspace cannot remove a byte that was never stored. */
	begin();
	FEED("ab\x06\b\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x06]");
	CHECK_STR(S.echo.s, "ab\b \b\r\n");

	/* Each line is judged on its own. */
	begin();
	FEED("\x07\r\x0e\rok\r");
	CHECK_STR(S.log.s, "E[line contains a non-printable byte 0x07]"
			   "E[line contains a non-printable byte 0x0e]L[ok]");

	begin();
	FEED("a\x0b\x15" "b\r");
	CHECK_STR(S.log.s, "L[b]");
}

/* ---- Random input ----------------------------------------------------------------- */

struct fuzz_echo {
	size_t bytes, bad;
};

/* The n bytes at s are printable ASCII and whole, printable UTF-8 characters. */
static bool printable_text(const char *s, size_t n)
{
	for (size_t i = 0, len; i < n; i += len) {
		uint32_t cp;
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0 || !utf8_printable(cp))
			return false;
	}
	return true;
}

/* What the editor echoes: text, and the CR, LF and BS it edits with.  Each character's
 * bytes arrive in one call, never split. */
static void fuzz_capture(void *ctx, const char *s, size_t n)
{
	struct fuzz_echo *f = ctx;

	f->bytes += n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\b')
			continue;
		else if ((unsigned char)s[i] < 0x80 && !isprint((unsigned char)s[i]))
			f->bad++;
	if (!printable_text(s, n) && !memchr(s, '\r', n) && !memchr(s, '\b', n))
		f->bad++;
}

/*
 * Feeds `count` bytes from `pick` and checks the editor's invariants after
 * each; returns the number of events of each kind in counts[].
 */
static void fuzz(uint64_t seed, int count, uint8_t (*pick)(uint64_t *), int counts[4])
{
	static struct lineedit le;
	struct fuzz_echo f = { 0, 0 };
	uint64_t state = seed;
	int broken = 0;

	lineedit_init(&le);
	for (int i = 0; i < count && broken < 5; i++) {
		enum lineedit_event ev = lineedit_feed(&le, pick(&state), fuzz_capture, &f);
		const char *line = lineedit_line(&le);
		bool ok = le.len <= LINEEDIT_MAX && line[le.len] == '\0' && strlen(line) == le.len &&
			  le.browse <= le.hist_count && le.hist_count <= LINEEDIT_HISTORY &&
			  (unsigned)ev <= LINEEDIT_ERROR;

		if (ev == LINEEDIT_LINE)
			ok = ok && printable_text(line, le.len);
		if (ev == LINEEDIT_ERROR)
			ok = ok && (strcmp(lineedit_error(&le), LONG_ERROR) == 0 ||
				    strncmp(lineedit_error(&le), "line contains a non-printable byte 0x", 37) == 0 ||
				    strncmp(lineedit_error(&le), "line is not UTF-8 (byte 0x", 26) == 0 ||
				    strncmp(lineedit_error(&le), "line contains a non-printable character U+", 42) == 0);
		if (!ok) {
			unit_fail(__FILE__, __LINE__, "invariant broken at byte %d (event %d)", i, ev);
			broken++;
		}
		counts[ev]++;
	}
	for (unsigned k = 1; k <= le.hist_count; k++) {
		const char *h = le.hist[(le.hist_next + LINEEDIT_HISTORY - k) % LINEEDIT_HISTORY];
		CHECK(h[0] != '\0' && strlen(h) <= LINEEDIT_MAX);
	}
	CHECK_EQ(f.bad, 0);
	CHECK(f.bytes > 0);

	/* Afterwards the editor still works: one CR ends whatever was going on. */
	lineedit_feed(&le, '\r', NULL, NULL);
	CHECK_EQ(lineedit_feed(&le, 'p', NULL, NULL), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&le, 's', NULL, NULL), LINEEDIT_NONE);
	CHECK_EQ(lineedit_feed(&le, '\r', NULL, NULL), LINEEDIT_LINE);
	CHECK_STR(lineedit_line(&le), "ps");
}

static uint8_t any_byte(uint64_t *state)
{
	return (uint8_t)(xorshift64(state) >> 24);
}

/* Mostly typing, with the keys and sequences that drive the editor's states. */
static uint8_t keyboard_byte(uint64_t *state)
{
	static const uint8_t special[] = {
		'\r', '\n', '\b', 0x7f, 0x15, 0x03, 0x1b, 0x1b, 0x1b, '[', '[', 'O', 'A', 'B',
		'A', 'B', '1', ';', '~', '\t', 0x01, 0x80, 0xff, 0x00,
		0xc3, 0xa9, 0xe2, 0x9c, 0x93, 0xc2, 0x85, 0xf0, 0x9f, 0x98,   /* é ✓ U+0085 😀 */
	};
	uint64_t r = xorshift64(state);

	if (r % 100 < 90)
		return (uint8_t)(0x20 + (r >> 8) % 95);
	return special[(r >> 8) % sizeof special];
}

TEST(shell_lineedit_fuzz_garbage)
{
	int counts[4] = { 0 };

	fuzz(0x9e3779b97f4a7c15ull, 100000, any_byte, counts);
	CHECK(counts[LINEEDIT_ERROR] > 100);
	CHECK(counts[LINEEDIT_CANCELLED] > 100);
}

TEST(shell_lineedit_fuzz_keyboard)
{
	int counts[4] = { 0 };

	fuzz(0x0123456789abcdefull, 100000, keyboard_byte, counts);
	CHECK(counts[LINEEDIT_LINE] > 100);
	CHECK(counts[LINEEDIT_ERROR] > 100);
	CHECK(counts[LINEEDIT_CANCELLED] > 100);
}
