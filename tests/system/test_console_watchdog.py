"""The console's own watchdog, and the kernel's bounded last-resort path (kernel/console.c).

The serial driver's printer is a thread, not a method, so the method watchdog never sees it.
The kernel watches what the printer owes instead: text in the console log that nobody commits.
`inject serial hang` makes the printer spin without printing, while the rest of the driver
answers; the kernel must crash the driver ("console output stalled"), print what it had not,
restart it, and the console must work as before.
"""
import re
import time

from test_console_restart import boot_shell, ps, wait_find

STALL_LINE = r"^crash: serial: watchdog: console output stalled for (\d+) ms$"


def test_a_printer_that_stops_printing_is_crashed_and_restarted(make_qemu):
    vm = boot_shell(make_qemu)
    start = len(vm.output)
    sent = time.monotonic()
    vm.send("inject serial hang\r")
    crash = wait_find(vm, STALL_LINE, start, timeout=60)
    assert int(crash.group(1)) == 1000               # at least 1 s (serial's manifest says 300 ms)
    assert time.monotonic() - sent >= 0.9, "crashed before the printer could have stalled"
    # What the stalled printer never wrote, the kernel did: the shell's answer, once, before
    # the crash line (it was in the log first).
    answer = wait_find(vm, r"^inject serial hang: it survived$", start)
    assert answer.start() < crash.start()
    assert len(vm.findall(r"^inject serial hang: it survived$")) == 1
    wait_find(vm, r"^restart: serial: up in \d+ us$", crash.end())
    # The shell still owes the prompt after the inject's answer; Enter alone could take that
    # one for its own, and the ps that follows would read an empty line's output.
    vm.sync()
    assert ps(vm)["serial"] == ("running", 1)
    assert vm.command("call serial received").startswith("status 0,")
    assert not vm.find(r"^(PANIC|EXCEPTION):")


def test_a_printer_that_keeps_printing_is_left_alone(make_qemu):
    """A busy console is not a stalled one: 3 s of steady output, no crash."""
    vm = boot_shell(make_qemu)
    for _ in range(30):
        vm.command("help")
    vm.sync()
    time.sleep(1.5)
    assert not vm.find(r"^crash: serial:")
    assert ps(vm)["serial"] == ("running", 0)
