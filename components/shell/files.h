/*
 * files.h — the shell's file commands (files.c) on the FAT file system of
 * disk 0: ls, cat, sum, write, rm, mkdir.
 */
#ifndef PINFOLD_SHELL_FILES_H
#define PINFOLD_SHELL_FILES_H

#include "components/shell/words.h"

/* Runs the file command w->v[0] with its arguments. */
void shell_files(const struct words *w);

#endif
