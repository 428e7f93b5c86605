/*
 * logtext.h — what a component may put on the console (SYS_LOG).
 *
 * A component's text goes to the user's terminal, so a component must not be
 * able to send the terminal commands: cursor moves, screen clears, title or
 * clipboard escapes could forge or hide what other components printed.  The
 * kernel keeps printable ASCII, newline, tab, and the backspace and carriage
 * return the shell's line editor echoes with; it keeps well-formed UTF-8
 * (FAT's long names are UTF-8: `ls` must show them) except the C1 controls
 * U+0080-U+009F, which some terminals obey.  Every other byte becomes '?',
 * one for one, so the length never changes.  Pure: tested on the host.
 *
 * A character cut in two by the end of one SYS_LOG is two halves that are
 * each malformed: both become '?'.  libc's log_printf writes each call's
 * text at once and the shell echoes a typed character whole, so only text
 * cut short by a full buffer is cut so.
 */
#ifndef PINFOLD_KERNEL_LOGTEXT_H
#define PINFOLD_KERNEL_LOGTEXT_H

#include <stddef.h>

/* Replaces, in place, each byte of text[0..n) the terminal must not receive with '?'. */
void logtext_clean(char *text, size_t n);

#endif
