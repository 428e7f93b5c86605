"""
test_faults.py — a fault in the kernel gives a full report and ends QEMU at once.

The kernel option fault=KIND runs a provoke_* function that fails in its own way; the report
must name the exception, the faulting function (in the `at` line and at the top of the
backtrace) and, for a page fault, the address and the kind of access; then the kernel panics and
isa-debug-exit ends QEMU with status 33.  Each test waits for that exit before it reads the
report, so the whole report is there.
"""
import re

import pytest

import qemu

QUICK_EXIT_S = 5 * qemu.TIMEOUT_SCALE
BACKTRACE_RE = r"^backtrace:\n((?:  #.*\n)+)"
FRAME_RE = re.compile(r"  #(\d+) 0x[0-9a-f]{16} (\w+)\+0x[0-9a-f]+")

EXCEPTIONS = {
    "page": ("#PF page fault", 14, "provoke_page_fault"),
    "gp": ("#GP general protection", 13, "provoke_general_protection"),
    "ud": ("#UD invalid opcode", 6, "provoke_invalid_opcode"),
}


def frames_between(vm, start, end):
    """The function names, innermost first, of the one backtrace in output[start:end]."""
    m = vm.find(BACKTRACE_RE, start)
    assert m and m.end() <= end, "no backtrace in the report"
    lines = m.group(1).splitlines()
    frames = [FRAME_RE.fullmatch(line) for line in lines]
    assert all(frames), "malformed backtrace:\n" + "\n".join(lines)
    assert [int(f.group(1)) for f in frames] == list(range(len(frames)))
    return [f.group(2) for f in frames]


@pytest.mark.parametrize("kind", sorted(EXCEPTIONS))
def test_exception_report(make_qemu, kind):
    name, vector, function = EXCEPTIONS[kind]
    vm = make_qemu(cmdline="fault=" + kind, expect_panic=True)
    vm.wait_for(r"^selftest: provoking ", qemu.BOOT_TIMEOUT)
    exc = vm.wait_for(r"^EXCEPTION: (#\w+ [\w -]+) \(vector (\d+)\)(?:, error code (0x[0-9a-f]+))?$")
    panic = vm.wait_for(r"^PANIC: unhandled (.*) in the kernel$")
    assert vm.wait_exit() == qemu.PANIC_EXIT_STATUS
    assert vm.exited_at - vm.arrival_time(panic.start()) < QUICK_EXIT_S
    assert not vm.find(qemu.READY)

    assert exc.group(1) == name
    assert int(exc.group(2)) == vector
    assert panic.group(1) == name
    at = vm.find(r"^  at 0x([0-9a-f]{16}) in (\w+)\+0x[0-9a-f]+$", exc.end())
    assert at and at.start() < panic.start()
    assert at.group(2) == function
    assert at.group(1).startswith("ffffffff8"), "kernel code is in the top 2 GiB"
    if kind == "page":
        assert vm.find(r"^  fault address \(cr2\) (0x[0-9a-f]+)$").group(1) == \
            "0x0000000000001238"
        cause = vm.find(r"^  cause: (.*)$").group(1)
        assert "write" in cause and "not-present" in cause and "kernel" in cause
        assert int(exc.group(3), 16) == 0x2          # W/R set, P clear, U/S clear
    frames = frames_between(vm, exc.end(), panic.start())
    assert frames[0] == function
    assert "kmain" in frames[1:]


def test_assert_report(make_qemu):
    vm = make_qemu(cmdline="fault=assert", expect_panic=True)
    vm.wait_for(r"^selftest: provoking an assertion failure$", qemu.BOOT_TIMEOUT)
    panic = vm.wait_for(r"^PANIC: assertion failed: (.*)$")
    assert vm.wait_exit() == qemu.PANIC_EXIT_STATUS
    assert vm.exited_at - vm.arrival_time(panic.start()) < QUICK_EXIT_S
    assert not vm.find(qemu.READY)

    assert panic.group(1) == "answer == 42"
    where = vm.find(r"^  in (\w+) at ([\w/]+\.c):(\d+)$", panic.end())
    assert where.group(1, 2) == ("provoke_assert", "kernel/selftest.c")
    assert int(where.group(3)) > 0
    assert not vm.find(r"^EXCEPTION:")
    frames = frames_between(vm, panic.end(), len(vm.output))
    assert "provoke_assert" in frames
    assert "kmain" in frames
    assert frames.index("provoke_assert") < frames.index("kmain")


def test_unexpected_panic_fails_the_wait_at_once(make_qemu):
    """The harness's promise on a real kernel: a panic nobody declared stops boot() at once."""
    vm = make_qemu(cmdline="fault=page")
    with pytest.raises(qemu.ConsoleError, match=r"fatal line: EXCEPTION: #PF"):
        vm.boot()
    assert vm.wait_exit() == qemu.PANIC_EXIT_STATUS
