/*
 * edu_command.h — the shell's edu command (edu_command.c).
 */
#ifndef PINFOLD_SHELL_EDU_COMMAND_H
#define PINFOLD_SHELL_EDU_COMMAND_H

#include "components/shell/words.h"

/* Runs `edu …` from the words of its command line (w->v[0] is "edu"). */
void shell_edu(const struct words *w);

#endif
