"""Killing threads in every state, many times (issue 4's kernel-stack use-after-free).

Boot option test=kill-stress: the kernel (kernel/component/killstress.c) crashes crashme, the
serial driver and edu at random moments, 1,500 times, half from the timer tick and half from a
kernel thread, and walks every scheduler list at every tick while doing it.  crashme keeps
threads of its own running, ready, sleeping, waiting on an event and inside peer; pdxtest's
threads call into crashme (waiting for its entry stacks), make it hold threads inside peer, and
crash it themselves (invalid opcode, and a loop the watchdog ends); this test types at the shell
meanwhile, so the serial driver's interrupt method runs and is killed too.

A thread left on a list after its component died makes the kernel panic (an assertion in
kernel/sched/), or fault on its freed kernel stack; either ends the run with PANIC or
EXCEPTION, which fails the test.  Afterwards the system must still work.
"""
import os
import re
import time

import qemu
from qemu import WAIT_TIMEOUT


def manifest_with_crashme_stacks(n):
    """The built boot manifest with `stacks n` for crashme: its stress threads hold most of
    its stacks, and callers wait for the rest (the manifest's own 4 would leave none; more for
    everyone would slow every crashme restart in the benchmarks)."""
    with open(os.path.join(qemu.ISODIR, "boot", "manifest")) as f:
        lines = f.read().split("\n")
    out = []
    for line in lines:
        out.append(line)
        if line.split()[:2] == ["component", "crashme"]:
            out.append("    stacks %d" % n)
    assert len(out) == len(lines) + 1, "the boot manifest has no crashme"
    return "\n".join(out).encode()


def test_kill_threads_in_every_state(make_qemu):
    vm = make_qemu(cmdline="test=kill-stress tick=1000",
                   files={"boot/manifest": manifest_with_crashme_stacks(8)})
    vm.boot()
    # Typing keeps the serial driver's interrupt thread busy while it is killed: Ctrl-U makes
    # the shell read a byte and print nothing.
    deadline = time.monotonic() + 240
    while not vm.find(r"^stress: done: ", partial=False):
        assert time.monotonic() < deadline, "the stress did not finish in 240 s"
        vm.send("\x15" * 4)
        time.sleep(0.05)
    m = vm.wait_for(r"^stress: done: (\d+) kills \(crashme (\d+), serial (\d+), edu (\d+)\), "
                    r"lists checked (\d+) times$")
    kills, crashme, serial, edu, checks = map(int, m.groups())
    assert kills == 1500 and crashme > 1000 and serial > 20 and edu > 20
    assert checks > 1500
    vm.wait_for(r"^stress: \d+ threads at the end", timeout=120)    # 25 s after the last kill
    for who in ["pinger", "holder", "faulter"]:
        assert vm.find(r"^stress: %s done: " % who), who
    answered = int(vm.find(r"^stress: pinger done: (\d+) answered").group(1))
    assert answered > 100, "crashme answered only %d pings" % answered

    # Every kill is in the log, each crashme crash has its restart, and all still answer.
    assert len(re.findall(r"^crash: \w+: stress: killed ", vm.output, re.M)) == kills
    vm.sync(timeout=WAIT_TIMEOUT * 2)
    ps = vm.command("ps")
    for name in ["crashme", "serial", "edu"]:
        assert re.search(r"^ *\d+ +%s +running +\d+$" % name, ps, re.M), ps
    assert vm.command("call crashme ping") == "status 0, results 1 0x1, 0 0x0"
    assert not vm.find(r"^(PANIC|EXCEPTION)")
