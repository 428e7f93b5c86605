"""Crash and restart (issue: interrupts, shell and recovery; the recovery part).

components/pdxtest drives components/crashme: every kind of fault fails the call with
E_CALLEE_FAILED, prints `crash:` and `restart:` lines, and crashme comes back with its memory
reset; 1,000 cycles in a row leak no frame; `fragile` (crashme's image with a two-restart
policy) is left failed after its third crash while the rest carries on; a caller asleep inside peer
when peer crashes gets E_CALLEE_FAILED at once.
"""
import re

import pytest

from test_pdx import results

KINDS = ["null", "wild-write", "kernel-write", "wild-jump", "ud", "div0", "stack", "loop", "port"]

REASONS = {
    "null": r"page fault at 0x0 \(read, not mapped",
    "wild-write": r"page fault at 0x1[0-9a-f]{2}0000000 \(write, not mapped",   # a neighbour's slot
    "kernel-write": r"page fault at 0xffffffff80140000 \(write, protection",
    "wild-jump": r"page fault at 0x4000000000 \(fetch, not mapped",
    "ud": r"invalid opcode \(vector 6",
    "div0": r"divide error \(vector 0",
    "stack": r"page fault at 0x[0-9a-f]+ \(write, not mapped",
    "loop": r"watchdog: a method ran longer than 200 ms",
    "port": r"general protection fault \(vector 13",
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_fault_kind_is_caught_and_restarted(make_qemu, kind):
    vm = make_qemu(cmdline="test=restart-" + kind)
    passed, failed, checks = results(vm)
    for check in ["fails-call", "back", "memory-reset"]:
        name = "restart-%s-%s" % (kind, check)
        assert checks.get(name) == "ok", "%s: %s" % (name, checks.get(name, "missing"))
    assert checks.get("restart-no-frames-leaked") == "ok", checks.get("restart-no-frames-leaked")
    assert checks.get("granted-port-works") == "ok", checks.get("granted-port-works")
    assert (passed, failed) == (5, 0)
    assert vm.find(r"^crash: crashme: " + REASONS[kind]), "crash line"
    assert vm.find(r"^restart: crashme: up in \d+ us$")
    assert re.findall(r"^crash: (\S+):", vm.output, re.M) == ["crashme"]


def test_thousand_restarts_and_policy(make_qemu):
    vm = make_qemu(cmdline="test=restart")
    passed, failed, checks = results(vm, timeout=600)
    for name in ["restart-1000-cycles", "restart-no-frames-leaked", "policy-first-crash",
                 "policy-first-restart", "policy-second-crash", "policy-second-restart",
                 "policy-third-crash", "policy-gave-up", "policy-others-carry-on",
                 "blocked-caller-peer-crashes", "blocked-caller-gets-error", "blocked-caller-not-held"]:
        assert checks.get(name) == "ok", "%s: %s" % (name, checks.get(name, "missing"))
    assert failed == 0
    crashes = len(re.findall(r"^crash: crashme: ", vm.output, re.M))
    restarts = len(re.findall(r"^restart: crashme: up in \d+ us$", vm.output, re.M))
    assert crashes == restarts == len(KINDS) + 1000
    assert len(re.findall(r"^crash: fragile: ", vm.output, re.M)) == 3
    assert len(re.findall(r"^restart: fragile: ", vm.output, re.M)) == 2
    assert vm.find(r"^failed: fragile$")
    assert not vm.find(r"^(PANIC|EXCEPTION):")
