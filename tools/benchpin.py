#!/usr/bin/python3
"""What pinning a DMA buffer costs a driver (`make bench-pin`).

The edu driver's bench_pin method (drivers/edu/pinbench.c) times chipset.pin followed by
chipset.unpin of 1, 16 and 256 pages of its own memory, the unpin including the IOTLB
invalidation that completes before it returns; the shell's `bench pin ROUNDS` runs it for the
three sizes.  This boots Pinfold twice and types that command:
  1. under -icount shift=0, where the guest's TSC advances exactly once per guest
     instruction, so the figures are instruction counts;
  2. under plain TCG, for wall-clock nanoseconds.
Prints one `bench: NAME VALUE UNIT` line per figure, e.g.
  bench: pin-unpin-16-median 52113 insn
  bench: pin-unpin-16-median 49270 ns
then a table for people.  ROUNDS defaults to 1000 (`tools/benchpin.py 200` for fewer); words
after it go on the kernel command line (`tools/benchpin.py 1000 iommu=noqi`: register-based
invalidation instead of the queue).
"""
import re
import sys

import benchlib
import qemu  # on the path that benchlib adds (tests/system)

SIZES = [1, 16, 256]
FIGURES = ["median", "p99", "min", "max"]


def run(extra_args, rounds, cmdline=()):
    """{name: value} of the bench: lines of one `bench pin ROUNDS` in a fresh machine."""
    vm = qemu.Machine(extra_args=extra_args, cmdline=list(cmdline), workdir=None, name="benchpin")
    vm.start()
    try:
        vm.boot()
        out = vm.command("bench pin %d" % rounds, timeout=1800 * qemu.TIMEOUT_SCALE)
        if not re.search(r"^bench: done$", out, re.M):
            sys.exit("benchpin: the guest says:\n" + out)
        return benchlib.figures(out)
    finally:
        vm.kill()


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    qemu.require_iso()
    cmdline = sys.argv[2:]
    counted = run(["-icount", "shift=0"], rounds, cmdline)
    timed = run([], rounds, cmdline)
    for pages in SIZES:
        for name in FIGURES:
            print("bench: pin-unpin-%d-%s %d insn" % (pages, name, counted["pin-unpin-%d-%s" % (pages, name)]))
        print("bench: pin-unpin-%d-alike %d rounds" % (pages, counted["pin-unpin-%d-alike" % pages]))
        for name in ["pin-%d-median", "unpin-%d-median"]:
            print("bench: %s %d insn" % (name % pages, counted[name % pages]))
    for pages in SIZES:
        for name in ["median", "p99"]:
            print("bench: pin-unpin-%d-%s %d ns" % (pages, name, timed["pin-unpin-%d-%s-ns" % (pages, name)]))

    print()
    print("pin + unpin through the chipset, per round, %d rounds each (QEMU TCG)" % rounds)
    print("%5s | %10s %10s %9s %8s %8s | %9s %9s | %9s %9s"
          % ("pages", "insn", "insn p99", "insn/page", "pin", "unpin", "rounds", "alike",
             "ns median", "ns p99"))
    for pages in SIZES:
        c = lambda name: counted[name % pages]  # noqa: E731
        print("%5d | %10d %10d %9d %8d %8d | %9d %9d | %9d %9d"
              % (pages, c("pin-unpin-%d-median"), c("pin-unpin-%d-p99"),
                 c("pin-unpin-%d-median") // pages, c("pin-%d-median"), c("unpin-%d-median"),
                 c("pin-unpin-%d-rounds"), c("pin-unpin-%d-alike"),
                 timed["pin-unpin-%d-median-ns" % pages], timed["pin-unpin-%d-p99-ns" % pages]))
    print("insn: guest instructions under -icount shift=0 (median; pin and unpin medians apart);")
    print("alike: rounds that took exactly the median; ns: wall clock under plain TCG.")


if __name__ == "__main__":
    main()
