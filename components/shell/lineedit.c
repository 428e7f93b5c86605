/*
 * lineedit.c — the shell's line editor (keys and events: lineedit.h).
 *
 * Each byte passes through up to three steps, in this order:
 *
 *   1. Line start.  After an event the finished line stays readable until the
 *      next byte arrives; that byte first empties the line.  If the event was
 *      ended by CR and this byte is LF, the LF is the second half of CR LF and
 *      is dropped, so CR, LF and CR LF each end exactly one line.
 *
 *   2. Escape sequences (ECMA-48 5.3, 5.4).  ESC starts one; after it,
 *      '[' (CSI) or 'O' (SS3, which terminals use for the cursor keys in
 *      application mode) take parameter and intermediate bytes 0x20-0x3f up
 *      to a final byte 0x40-0x7e; any other ESC sequence is intermediates
 *      0x20-0x2f up to a final 0x30-0x7e.  A final 'A' or 'B' after CSI/SS3
 *      is Up or Down; every other sequence is dropped whole.  A control byte,
 *      DEL or a byte >= 0x80 cannot be part of a sequence: it abandons the
 *      sequence and is taken as a key, so a stray ESC never swallows the CR
 *      after it and a garbled sequence never leaves bytes in the line.
 *
 *   3. Keys.  Printable ASCII is typed, the editing keys edit, CR and LF end
 *      the line.  A byte >= 0x80 begins or continues a UTF-8 character
 *      (utf8.h), which is typed when its last byte arrives, if it is well
 *      formed and printable (FAT names are UTF-8: `cat "/Grüße.txt"`).  Any
 *      other byte marks the line as bad, and so does a malformed sequence,
 *      named by the byte that showed it malformed.
 *
 * A line that grew past LINEEDIT_MAX bytes or received a non-printable byte
 * or character is still edited and echoed as usual (the extra characters are
 * neither stored nor echoed, non-printable ones are never echoed: echoing
 * them could drive the terminal), but when it ends it yields LINEEDIT_ERROR
 * instead of a line.  The mark is kept even if the offending part is erased
 * with Backspace, since the editor cannot tell which characters the user
 * meant; Ctrl-U, Ctrl-C and recalling a history line replace the whole line
 * and clear it.
 *
 * Echo uses only CR, LF, BS and space, which every terminal understands:
 * a character is erased with "\b \b", a whole line with one "\b \b" per
 * character (a UTF-8 character is one, however many bytes it has).  FIXME:
 * a line wider than the terminal wraps, and BS does not move back to the
 * previous row on most terminals, so erasing such a line leaves its earlier
 * rows on screen; fixing it needs the terminal's width.  Characters two
 * columns wide (CJK) are erased as one column for the same reason.
 */
#include "components/shell/lineedit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <utf8.h>

#define CTRL_C    0x03
#define BACKSPACE 0x08
#define CTRL_U    0x15
#define ESC       0x1b
#define DEL       0x7f

struct echo {
	lineedit_out out;
	void *ctx;
};

static void put(const struct echo *e, const char *s, size_t n)
{
	if (e->out && n)
		e->out(e->ctx, s, n);
}

/* Erases the last n characters on screen, a few at a time. */
static void rub_out(const struct echo *e, size_t n)
{
	static const char rub[] = "\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b";
	const size_t per = (sizeof rub - 1) / 3;

	while (n) {
		size_t k = n < per ? n : per;
		put(e, rub, 3 * k);
		n -= k;
	}
}

/* What is wrong with the line: the first problem wins.  `what` is the byte, or for
 * LINEEDIT_BAD_CHAR the character. */
static void mark_bad(struct lineedit *le, enum lineedit_problem p, uint32_t what)
{
	if (le->problem == LINEEDIT_OK) {
		le->problem = p;
		le->bad = what;
	}
}

/* Characters on screen for the n bytes at s: every byte that does not continue one. */
static size_t characters(const char *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += !utf8_continuation((uint8_t)s[i]);
	return count;
}

/* Replaces the whole line, on screen too, and clears its problem mark. */
static void replace_line(struct lineedit *le, const char *s, const struct echo *e)
{
	size_t n = strnlen(s, LINEEDIT_MAX);

	rub_out(e, characters(le->line, le->len));
	memcpy(le->line, s, n);
	le->line[n] = '\0';
	le->len = n;
	le->problem = LINEEDIT_OK;
	put(e, le->line, n);
}

/* ---- History ---------------------------------------------------------------- */

/* The k-th newest entry, 1 <= k <= hist_count. */
static const char *hist_entry(const struct lineedit *le, unsigned k)
{
	return le->hist[(le->hist_next + LINEEDIT_HISTORY - k) % LINEEDIT_HISTORY];
}

static void hist_add(struct lineedit *le)
{
	if (le->len == 0)
		return;
	memcpy(le->hist[le->hist_next], le->line, le->len + 1);
	le->hist_next = (le->hist_next + 1) % LINEEDIT_HISTORY;
	if (le->hist_count < LINEEDIT_HISTORY)
		le->hist_count++;
}

/* Up at the oldest entry stays there. */
static void hist_up(struct lineedit *le, const struct echo *e)
{
	if (le->browse == le->hist_count)
		return;
	le->browse++;
	replace_line(le, hist_entry(le, le->browse), e);
}

/* Down from the newest entry gives an empty line; Down there does nothing. */
static void hist_down(struct lineedit *le, const struct echo *e)
{
	if (le->browse == 0)
		return;
	le->browse--;
	replace_line(le, le->browse ? hist_entry(le, le->browse) : "", e);
}

/* ---- Events ----------------------------------------------------------------- */

static enum lineedit_event finish(struct lineedit *le, enum lineedit_event ev)
{
	le->finished = true;
	le->browse = 0;
	return ev;
}

static enum lineedit_event end_line(struct lineedit *le, const struct echo *e)
{
	put(e, "\r\n", 2);
	switch (le->problem) {
	case LINEEDIT_TOO_LONG:
		snprintf(le->error, sizeof le->error, "line too long (max %d bytes)", LINEEDIT_MAX);
		return finish(le, LINEEDIT_ERROR);
	case LINEEDIT_BAD_BYTE:
		snprintf(le->error, sizeof le->error, "line contains a non-printable byte 0x%02x",
			 (unsigned)le->bad);
		return finish(le, LINEEDIT_ERROR);
	case LINEEDIT_BAD_UTF8:
		snprintf(le->error, sizeof le->error, "line is not UTF-8 (byte 0x%02x)",
			 (unsigned)le->bad);
		return finish(le, LINEEDIT_ERROR);
	case LINEEDIT_BAD_CHAR:
		snprintf(le->error, sizeof le->error, "line contains a non-printable character U+%04X",
			 (unsigned)le->bad);
		return finish(le, LINEEDIT_ERROR);
	case LINEEDIT_OK:
		break;
	}
	hist_add(le);
	return finish(le, LINEEDIT_LINE);
}

static enum lineedit_event cancel(struct lineedit *le, const struct echo *e)
{
	put(e, "^C\r\n", 4);
	return finish(le, LINEEDIT_CANCELLED);
}

/* ---- Bytes ------------------------------------------------------------------ */

/*
 * Step 2 (see the top of the file).  Returns false if `b` abandoned the
 * sequence and must be taken as a key.
 */
static bool escape_byte(struct lineedit *le, uint8_t b, const struct echo *e)
{
	enum lineedit_esc state = le->esc;

	if (b < 0x20 || b >= 0x7f) {
		le->esc = LINEEDIT_ESC_NONE;
		return false;
	}
	switch (state) {
	case LINEEDIT_ESC_START:
		if (b == '[' || b == 'O')
			le->esc = LINEEDIT_ESC_CSI;
		else if (b < 0x30)
			le->esc = LINEEDIT_ESC_INTER;
		else
			le->esc = LINEEDIT_ESC_NONE; /* a two-byte sequence, such as Alt+key */
		break;
	case LINEEDIT_ESC_INTER:
		if (b >= 0x30)
			le->esc = LINEEDIT_ESC_NONE;
		break;
	case LINEEDIT_ESC_CSI:
		if (b >= 0x40) {
			le->esc = LINEEDIT_ESC_NONE;
			if (b == 'A')
				hist_up(le, e);
			else if (b == 'B')
				hist_down(le, e);
		}
		break;
	case LINEEDIT_ESC_NONE:
		break;
	}
	return true;
}

/* Types the n bytes at s (one character) at the end of the line, if they fit. */
static void type(struct lineedit *le, const char *s, size_t n, const struct echo *e)
{
	if (le->len + n > LINEEDIT_MAX) {
		mark_bad(le, LINEEDIT_TOO_LONG, 0);
		return;
	}
	memcpy(le->line + le->len, s, n);
	le->len += n;
	le->line[le->len] = '\0';
	put(e, s, n);
}

/*
 * Step 3 for a byte >= 0x80: gathers a UTF-8 character in le->utf8 and types
 * it when it is whole.  Returns false if b did not belong to a character and
 * must be taken as a key after all (an ASCII byte that cut one short).
 */
static bool utf8_byte(struct lineedit *le, uint8_t b, const struct echo *e)
{
	if (le->utf8_len && !utf8_continuation(b)) {
		mark_bad(le, LINEEDIT_BAD_UTF8, b);     /* cut short */
		le->utf8_len = 0;
	}
	if (b < 0x80)
		return false;
	if (le->utf8_len == 0 && utf8_length(b) < 2) {
		mark_bad(le, LINEEDIT_BAD_UTF8, b);     /* cannot begin a character */
		return true;
	}
	le->utf8[le->utf8_len++] = (char)b;
	if (le->utf8_len < utf8_length((uint8_t)le->utf8[0]))
		return true;
	uint32_t cp;
	size_t n = le->utf8_len;
	le->utf8_len = 0;
	if (utf8_decode(le->utf8, n, &cp) != n)
		mark_bad(le, LINEEDIT_BAD_UTF8, b);     /* overlong, a surrogate, or past U+10FFFF */
	else if (!utf8_printable(cp))
		mark_bad(le, LINEEDIT_BAD_CHAR, cp);    /* a C1 control */
	else
		type(le, le->utf8, n, e);
	return true;
}

/* Step 3. */
static enum lineedit_event key(struct lineedit *le, uint8_t b, const struct echo *e)
{
	if ((b >= 0x80 || le->utf8_len) && utf8_byte(le, b, e))
		return LINEEDIT_NONE;
	switch (b) {
	case '\r':
		le->after_cr = true;
		return end_line(le, e);
	case '\n':
		return end_line(le, e);
	case CTRL_C:
		return cancel(le, e);
	case BACKSPACE:
	case DEL:
		if (le->len > 0) {
			while (le->len > 1 && utf8_continuation((uint8_t)le->line[le->len - 1]))
				le->len--;      /* the whole character, not a byte of it */
			le->line[--le->len] = '\0';
			put(e, "\b \b", 3);
		}
		break;
	case CTRL_U:
		replace_line(le, "", e);
		break;
	case ESC:
		le->esc = LINEEDIT_ESC_START;
		break;
	case '\t':
		break;
	default:
		if (!isprint(b))
			mark_bad(le, LINEEDIT_BAD_BYTE, b);
		else
			type(le, (const char *)&b, 1, e);
		break;
	}
	return LINEEDIT_NONE;
}

void lineedit_init(struct lineedit *le)
{
	memset(le, 0, sizeof *le);
}

enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t byte, lineedit_out out, void *ctx)
{
	struct echo e = { out, ctx };
	bool second_half = le->after_cr && byte == '\n';

	/* Step 1. */
	le->after_cr = false;
	if (le->finished) {
		le->finished = false;
		le->len = 0;
		le->line[0] = '\0';
		le->problem = LINEEDIT_OK;
		le->utf8_len = 0;
	}
	if (second_half)
		return LINEEDIT_NONE;

	if (le->esc != LINEEDIT_ESC_NONE && escape_byte(le, byte, &e))
		return LINEEDIT_NONE;
	return key(le, byte, &e);
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->line;
}

const char *lineedit_error(const struct lineedit *le)
{
	return le->error;
}
