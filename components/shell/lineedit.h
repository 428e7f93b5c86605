/*
 * lineedit.h — the shell's line editor: received bytes in, echo and finished
 * lines out.  Pure (no I/O of its own; tested on the host).
 *
 * The caller feeds every byte read from the console to lineedit_feed(), which
 * writes the echo through the caller's `out` callback and says when a line is
 * finished:
 *
 *   LINEEDIT_LINE       lineedit_line() is a complete line of printable text:
 *                       ASCII, and well-formed UTF-8 without C1 controls
 *   LINEEDIT_CANCELLED  Ctrl-C: the line was thrown away
 *   LINEEDIT_ERROR      the line was overlong, held a non-printable byte or
 *                       character, or was not UTF-8;
 *                       lineedit_error() says which (without the "error: "
 *                       prefix, which is the shell's to print)
 *
 * After any of the three the echo has already moved to a fresh terminal line,
 * and the shell prints its output and then the prompt.  The line and the error
 * message stay valid until the next call of lineedit_feed().
 *
 * Keys: printable ASCII and UTF-8 characters are typed; CR, LF and CR LF each end one line;
 * Backspace and DEL erase a character, Ctrl-U the whole line, Ctrl-C cancels;
 * Up and Down (ESC [ A / ESC [ B, or ESC O A / ESC O B) walk the history of
 * the last LINEEDIT_HISTORY non-empty lines.  Every other escape sequence is
 * swallowed whole, and TAB is ignored.
 */
#ifndef PINFOLD_SHELL_LINEEDIT_H
#define PINFOLD_SHELL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <utf8.h>

#define LINEEDIT_MAX     255 /* bytes in a line, not counting the NUL */
#define LINEEDIT_HISTORY 16  /* lines the history keeps */

/* Receives echo: n bytes at s (not NUL-terminated). */
typedef void (*lineedit_out)(void *ctx, const char *s, size_t n);

enum lineedit_event {
	LINEEDIT_NONE,
	LINEEDIT_LINE,
	LINEEDIT_CANCELLED,
	LINEEDIT_ERROR,
};

/* Why the line being typed will be rejected; the first problem wins. */
enum lineedit_problem {
	LINEEDIT_OK,
	LINEEDIT_TOO_LONG,
	LINEEDIT_BAD_BYTE,  /* an ASCII control byte, or DEL as a key never is */
	LINEEDIT_BAD_UTF8,  /* a byte >= 0x80 that is not part of a well-formed character */
	LINEEDIT_BAD_CHAR,  /* a well-formed C1 control, U+0080-U+009F */
};

/* Where the escape-sequence parser is (ECMA-48 section 5.3, 5.4). */
enum lineedit_esc {
	LINEEDIT_ESC_NONE,  /* plain text */
	LINEEDIT_ESC_START, /* ESC seen */
	LINEEDIT_ESC_INTER, /* ESC and intermediate bytes seen (ESC ( B and the like) */
	LINEEDIT_ESC_CSI,   /* ESC [ or ESC O seen: parameters up to a final byte */
};

/*
 * All of the editor's state; the caller owns it (about 4.5 KiB, so keep it
 * in static storage rather than on a component's stack).
 */
struct lineedit {
	char line[LINEEDIT_MAX + 1]; /* always NUL-terminated at len */
	size_t len;
	enum lineedit_problem problem;
	uint32_t bad;                /* the problem's byte, or the character if BAD_CHAR */
	char utf8[UTF8_MAX];         /* the bytes so far of a UTF-8 character being typed */
	size_t utf8_len;
	enum lineedit_esc esc;
	bool after_cr;               /* the last byte ended a line with CR: an LF now is its pair */
	bool finished;               /* an event was returned: the next byte starts a new line */
	char error[64];              /* the message of the last ERROR event */

	/*
	 * The history ring: hist[(hist_next - k) % LINEEDIT_HISTORY] is the k-th
	 * newest line, 1 <= k <= hist_count.  `browse` is the k on screen, or 0
	 * for the line being typed.
	 */
	char hist[LINEEDIT_HISTORY][LINEEDIT_MAX + 1];
	unsigned hist_next, hist_count, browse;
};

void lineedit_init(struct lineedit *le);

/*
 * Takes one received byte.  Echo goes to out(ctx, ...) before this returns;
 * `out` may be NULL to discard the echo.
 */
enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t byte, lineedit_out out, void *ctx);

/* The line being typed, or the finished line after LINEEDIT_LINE. */
const char *lineedit_line(const struct lineedit *le);

/* After LINEEDIT_ERROR: what was wrong with the line. */
const char *lineedit_error(const struct lineedit *le);

#endif
