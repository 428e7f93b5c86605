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
import benchlib
import qemu  # on the path that benchlib adds (tests/system)


def run(extra_args):
    return benchlib.run_at_boot("benchipc", "bench=ipc", extra_args)


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
