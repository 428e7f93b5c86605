/* pit.h — the 8254 timer, used only as a known-rate reference for calibration. */
#ifndef PINFOLD_TIME_PIT_H
#define PINFOLD_TIME_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182

/* Busy-waits `us` microseconds (at most 50000) on PIT channel 2. */
void pit_wait_us(uint32_t us);

#endif
