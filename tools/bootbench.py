#!/usr/bin/python3
"""
bootbench.py — how long Pinfold takes to boot: wall time from starting QEMU to `pinfold: ready`.

Boots build/pinfold.iso RUNS times, one after another, on the machine of `make run` (the console
on stdio instead of the monitor multiplexer, and isa-debug-exit so a panic ends the run at once),
using the system-test harness (tests/system/qemu.py).  The time includes QEMU's start, SeaBIOS
and GRUB, which dominate it.  Prints each run, then the median, minimum and maximum as
`bench: NAME VALUE UNIT` lines (DESIGN.md, "Console contract").

    /usr/bin/python3 tools/bootbench.py [-n RUNS] [CMDLINE WORDS...]
"""
import argparse
import os
import shlex
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "system"))

import qemu  # noqa: E402  (the path above first)


def boot_once(cmdline):
    """Milliseconds from QEMU's start to the arrival of the ready line."""
    vm = qemu.Machine(cmdline=cmdline, name="bootbench")
    vm.start()
    try:
        m = vm.wait_for(qemu.READY, qemu.BOOT_TIMEOUT)
        return (vm.arrival_time(m.start()) - vm.started_at) * 1000
    except qemu.ConsoleError as e:
        sys.exit("bootbench: %s" % e)
    finally:
        vm.kill()


def main():
    ap = argparse.ArgumentParser(description="Boot-to-ready time of Pinfold under QEMU.")
    ap.add_argument("-n", "--runs", type=int, default=10, help="boots to time (default 10)")
    ap.add_argument("cmdline", nargs="*", help="kernel command-line words")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    try:
        qemu.require_iso()
        iso = qemu.iso_for(args.cmdline)    # build a command-line ISO before the timing
    except (FileNotFoundError, RuntimeError) as e:
        sys.exit("bootbench: %s" % e)

    print("bootbench: %s" % shlex.join(qemu.qemu_argv(iso)), flush=True)
    times = []
    for i in range(args.runs):
        ms = boot_once(args.cmdline)
        times.append(ms)
        print("run %d: boot-to-ready %.0f ms" % (i + 1, ms), flush=True)
    print("bench: boot-to-ready-median %.0f ms" % statistics.median(times))
    print("bench: boot-to-ready-min %.0f ms" % min(times))
    print("bench: boot-to-ready-max %.0f ms" % max(times))


if __name__ == "__main__":
    main()
