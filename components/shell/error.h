/*
 * error.h — how every shell command reports a failure: one "error: " line
 * (DESIGN.md, "Console contract"), cut at 200 characters so that its line
 * end is never lost.  Defined in shell.c; the command files share it.
 */
#ifndef PINFOLD_SHELL_ERROR_H
#define PINFOLD_SHELL_ERROR_H

void shell_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
