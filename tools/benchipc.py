#!/usr/bin/python3
"""The cost of a protected procedure call (`make bench-ipc`).

Boots Pinfold twice with the boot option bench=ipc (components/benchipc):
  1. under -icount shift=0, where the guest's TSC advances exactly once per guest
     instruction, so the TSC deltas the component reports are instruction counts;
  2. under plain TCG, for wall-clock nanoseconds.
Prints one `bench: NAME VALUE UNIT` line per figure, e.g.
  bench: ipc-pdx-null 495 insn
  bench: ipc-pdx-null 11082 ns
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "system"))
import qemu  # noqa: E402


def run(extra_args):
    vm = qemu.Machine(cmdline="bench=ipc", extra_args=extra_args, workdir=None, name="benchipc")
    vm.start()
    try:
        vm.wait_for(r"^bench: done$", timeout=300)
        return dict((name, int(value)) for name, value in
                    re.findall(r"^bench: (\S+) (\d+) (?:tsc|ns)$", vm.output, re.M))
    finally:
        vm.kill()


def main():
    qemu.require_iso()
    counted = run(["-icount", "shift=0"])
    timed = run([])
    for name in ["ipc-local-call", "ipc-kernel-call", "ipc-pdx-null", "ipc-pdx-4k-grant"]:
        print("bench: %s %d insn" % (name, counted[name]))
    for name in ["ipc-local-call", "ipc-kernel-call", "ipc-pdx-null", "ipc-pdx-4k-grant"]:
        print("bench: %s %d ns" % (name, timed[name + "-ns"]))
    target = 300
    print("target: cross-domain null round trip <= %d instructions: %s"
          % (target, "met" if counted["ipc-pdx-null"] <= target else "NOT met"))


if __name__ == "__main__":
    main()
