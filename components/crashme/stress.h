/*
 * stress.h — crashme's threads for the kill stress test (stress.c).
 */
#ifndef PINFOLD_CRASHME_STRESS_H
#define PINFOLD_CRASHME_STRESS_H

/* Starts threads that stay in every state a thread can be in (test=kill-stress). */
void stress_start(void);

#endif
