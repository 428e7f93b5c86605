/*
 * killstress.h — the kill stress test (boot option test=kill-stress): see
 * killstress.c.
 */
#ifndef PINFOLD_COMPONENT_KILLSTRESS_H
#define PINFOLD_COMPONENT_KILLSTRESS_H

#include <stdbool.h>

extern bool killstress_on;

/* Starts the stress thread; the tick does the rest (killstress_tick()). */
void killstress_start(void);

/* From the timer tick while killstress_on: check the lists, and now and then kill. */
void killstress_tick(void);

#endif
