/*
 * words.h — splits a shell command line into words, and reads numbers from
 * them.  Pure (tested on the host).
 *
 * The rules (DESIGN.md "Console contract"):
 *   - words are separated by one or more spaces or tabs; leading and trailing
 *     ones are ignored, so a blank line has no words;
 *   - double quotes group: `cat "/My Documents/notes.txt"` is two words, the
 *     quotes removed.  Quoted and unquoted text join into one word as in the
 *     POSIX shell (`a"b c"d` is `ab cd`), and `""` is an empty word;
 *   - inside quotes, \" stands for " and \\ for \; any other backslash is an
 *     ordinary character.  Outside quotes a backslash is always ordinary.
 *
 * Error messages have no "error: " prefix; the shell adds it.
 */
#ifndef PINFOLD_SHELL_WORDS_H
#define PINFOLD_SHELL_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORDS_MAX      16  /* words in a line */
#define WORDS_WORD_MAX 127 /* characters in a word, after quotes are removed */
#define WORDS_LINE_MAX 255 /* characters in a line: the line editor's LINEEDIT_MAX */

/*
 * The words of one line.  v[] points into buf, so a struct words must not be
 * copied while its words are in use.  v[count] is NULL, as in argv.
 */
struct words {
	int count;
	char *v[WORDS_MAX + 1];
	/* Removing quotes only shortens a word, and each word's NUL takes the place
	 * of the separator after it (or of the line's NUL): the words always fit. */
	char buf[WORDS_LINE_MAX + 1];
};

/*
 * Splits `line` into `out`.  Returns the number of words (0 for a blank line),
 * or -1 with a one-line message in err (if errlen > 0) and out->count 0 when
 * the line is longer than WORDS_LINE_MAX, has an unterminated quote, more
 * than WORDS_MAX words or a word longer than WORDS_WORD_MAX.
 */
int words_split(const char *line, struct words *out, char *err, size_t errlen);

/*
 * Reads a whole word as a number: decimal ("42", leading zeros are still
 * decimal), hexadecimal after 0x or 0X ("0x2a"), or a negative decimal
 * ("-1"), which is stored in two's complement (-1 gives 0xffff...ff; the
 * least accepted is -9223372036854775808).  No sign on hex, no '+', no
 * spaces, no overflow; false leaves *out unchanged.
 */
bool words_number(const char *w, uint64_t *out);

#endif
