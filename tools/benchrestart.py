#!/usr/bin/python3
"""Restart latency (`make bench-restart`): from a crash being detected to the component
serving again, over the 1,000 crash/restart cycles of the in-guest recovery test
(boot option test=restart: components/pdxtest drives components/crashme).

The kernel prints `restart: crashme: up in N us` for each, measured with its own clock.
Run under -icount shift=0, guest time is instruction count (1 ns per instruction), so the
figures are deterministic guest microseconds; the plain-TCG run adds wall-clock figures.
Prints `bench: restart-latency-median N us` and `bench: restart-latency-p99 N us`.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "system"))
import qemu  # noqa: E402


def latencies(extra_args):
    vm = qemu.Machine(cmdline="test=restart", extra_args=extra_args, name="benchrestart")
    vm.start()
    try:
        vm.wait_for(r"^test: done: ", timeout=1200)
        return sorted(int(us) for us in re.findall(r"^restart: crashme: up in (\d+) us$",
                                                   vm.output, re.M))
    finally:
        vm.kill()


def report(label, values):
    if not values:
        print("bench: error: no restarts seen")
        return
    median = values[len(values) // 2]
    p99 = values[min(len(values) - 1, (len(values) * 99) // 100)]
    print("bench: restart-latency-median%s %d us" % (label, median))
    print("bench: restart-latency-p99%s %d us" % (label, p99))
    return median


def main():
    qemu.require_iso()
    guest = latencies(["-icount", "shift=0"])
    print("restarts measured: %d" % len(guest))
    median = report("", guest)
    report("-wallclock", latencies([]))
    print("target: median under 200 us of guest time: %s" % ("met" if median and median < 200 else "NOT met"))


if __name__ == "__main__":
    main()
