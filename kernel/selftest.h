/*
 * selftest.h — deliberate kernel failures, chosen with the fault= boot
 * option, so the tests can check what an exception report says.
 */
#ifndef PINFOLD_SELFTEST_H
#define PINFOLD_SELFTEST_H

#include "kernel/bootopt.h"

void selftest_provoke(enum boot_fault fault);

#endif
