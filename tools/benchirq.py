#!/usr/bin/python3
"""Interrupt-delivery latency (`make bench-irq`): from a device raising its interrupt to the
first instruction of its driver's interrupt method.

Boots Pinfold with the boot option bench=irq and a second serial port, which QEMU puts at
COM2 (IRQ 3) for components/irqbench to drive, twice:
  1. under -icount shift=0, where the guest's TSC advances exactly once per guest
     instruction, so the TSC deltas the component reports are instruction counts;
  2. under plain TCG, for wall-clock nanoseconds.
Prints one `bench: NAME VALUE UNIT` line per figure (median, p99, min and max of 1,000
interrupts), e.g.
  bench: irq-delivery-median 3471 insn
  bench: irq-delivery-median 2727 ns
Each figure includes the timing's own few instructions (irq-delivery-timing-overhead).
"""
import benchlib
import qemu  # on the path that benchlib adds (tests/system)

FIGURES = ["median", "p99", "min", "max", "timing-overhead"]
# The second -serial is COM2; what the guest writes to it goes nowhere.
COM2 = ["-serial", "null"]


def run(extra_args):
    return benchlib.run_at_boot("benchirq", "bench=irq", COM2 + extra_args)


def main():
    qemu.require_iso()
    counted = run(["-icount", "shift=0"])
    timed = run([])
    print("interrupts measured: %d of %d rounds"
          % (counted["irq-delivery-interrupts"], counted["irq-delivery-rounds"]))
    for name in FIGURES:
        print("bench: irq-delivery-%s %d insn" % (name, counted["irq-delivery-" + name]))
    for name in FIGURES:
        print("bench: irq-delivery-%s %d ns" % (name, timed["irq-delivery-%s-ns" % name]))


if __name__ == "__main__":
    main()
