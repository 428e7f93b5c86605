"""Protected procedure calls, isolation and the kernel-call boundary (issue: components).

The checks run inside Pinfold, in components/pdxtest, components/intruder and
components/hostile; each prints one `test: NAME: ok|FAIL` line per check and a
`test: done: N passed, M failed` line.  These tests name every check they expect, so a
check that silently stops running fails here too.
"""
import re

import pytest

import qemu

PDX_CHECKS = [
    "pdx-status", "pdx-six-args-weighted", "pdx-six-args-xor", "pdx-repeated-calls",
    "pdx-nested-status", "pdx-nested-depth", "pdx-reentrant-status", "pdx-reentrant-hops",
    "pdx-depth-after",
    "err-no-such-capability", "err-no-such-method", "err-method-not-permitted",
    "err-call-depth-exceeded", "err-no-such-kernel-call", "err-bad-pointer-log",
    "err-kernel-pointer-log", "err-unknown-component", "err-control-denied",
    "err-console-log-denied", "err-callee-restarting",
    "grant-alloc", "grant-read", "grant-read-sum", "grant-read-sum-value",
    "grant-overlap-refused", "grant-unaligned-refused", "grant-foreign-refused",
    "grant-revoke", "grant-revoke-twice", "grant-write-fill", "grant-write-visible",
    "grant-one-call", "grant-one-call-value", "grant-one-call-revoked", "grant-free",
    "event-create", "event-timeout", "event-signal", "event-remembered", "event-not-owner",
    "no-frames-leaked",
    "grant-after-revoke-faults-callee", "callee-back-after-restart", "caller-memory-intact",
]


def results(vm, timeout=120):
    """Waits for the in-guest tests to finish (they may finish before or after the ready
    line: they run on their own thread) and for the ready line."""
    done = vm.wait_for(r"^test: done: (\d+) passed, (\d+) failed", timeout=timeout)
    if not vm.find(r"^pinfold: ready$"):
        vm.wait_for(r"^pinfold: ready$", timeout=timeout)
    checks = dict(re.findall(r"^test: ([a-z0-9-]+): (ok|FAIL.*)$", vm.output, re.M))
    return int(done.group(1)), int(done.group(2)), checks


def test_components_come_up(make_qemu):
    vm = make_qemu()
    vm.boot()
    for name in ["third", "peer", "intruder", "pdxtest", "hostile", "benchipc"]:
        assert vm.find(r"^component: %s up in \d+ us$" % name), name
    # Every component is up before the ready line.
    assert vm.find(r"^component: benchipc up").start() < vm.find(r"^pinfold: ready").start()


def test_pdx_suite(make_qemu):
    vm = make_qemu(cmdline="test=pdx")
    passed, failed, checks = results(vm)
    for name in PDX_CHECKS:
        assert checks.get(name) == "ok", "%s: %s" % (name, checks.get(name, "missing"))
    assert (passed, failed) == (len(PDX_CHECKS), 0)
    # The grantee that touched a revoked grant was stopped, with the reason on the console.
    assert vm.find(r"^crash: peer: page fault at 0x[0-9a-f]+ \(read, not mapped")


ATTACKS = {
    # kind: access, as the crash line decodes the page-fault error code
    "read-peer": "read, not mapped",
    "write-peer": "write, not mapped",
    "read-kernel": "read, protection",
    "write-kernel": "write, protection",
    "read-unmapped": "read, not mapped",
    "jump-peer": "fetch, not mapped",
}


@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_isolation(make_qemu, kind):
    """A component touching another's memory, the kernel's, or nothing's faults itself;
    the victim, its caller and the kernel carry on."""
    vm = make_qemu(cmdline="test=isolation-" + kind)
    passed, failed, checks = results(vm)
    # The fault is reported at exactly the address the intruder said it would touch.
    address = vm.find(r"^intruder: attack isolation-%s at (0x[0-9a-f]+)$" % kind).group(1)
    if kind.endswith("kernel"):
        assert address == "0xffffffff80140000"
    crash = vm.find(r"^crash: intruder: page fault at %s \(%s" % (address, ATTACKS[kind]))
    assert crash, "no crash line for intruder at %s" % address
    for name in ["isolation-attacker-failed", "isolation-attacker-restarted",
                 "isolation-victim-answers", "isolation-victim-result",
                 "isolation-victim-memory-intact", "isolation-victim-value"]:
        assert checks.get(name) == "ok", "%s: %s" % (name, checks.get(name, "missing"))
    assert (passed, failed) == (6, 0)
    # Only the intruder crashed, and it was restarted.
    assert re.findall(r"^crash: (\S+):", vm.output, re.M) == ["intruder"]
    assert vm.find(r"^restart: intruder: up in \d+ us$")


def test_hostile_kernel_calls(make_qemu):
    """100,000 kernel calls with random numbers, pointers and lengths: no kernel fault,
    and the free-frame count afterwards equals the count before."""
    vm = make_qemu(cmdline="test=hostile")
    passed, failed, checks = results(vm, timeout=300)
    m = vm.find(r"^hostile: 100000 calls, (\d+) refused, (\d+) accepted; "
                r"free frames (\d+) before, (\d+) after$")
    assert m, "no summary line"
    refused, accepted, before, after = map(int, m.groups())
    assert refused + accepted == 100000
    assert refused > 10000 and accepted > 10000     # both kinds of answer were exercised
    assert before == after
    assert checks.get("hostile-no-leak") == "ok"
    assert not re.search(r"^crash:", vm.output, re.M)


BAD_MANIFESTS = {
    "unknown-keyword": (b"component third\n    stakcs 4\n", r"manifest:2: .*stakcs"),
    "unknown-method": (b"component third\ncomponent peer\n    call third.nosuch\n",
                       r"peer calls third\.nosuch, but third has no method 'nosuch'"),
    "unknown-component": (b"component peer\n    call ghost.depth\n", r"'ghost', which is not a component"),
    "missing-image": (b"component third\n    image nothere.elf\n", r"no boot module named nothere\.elf"),
    "binary-garbage": (bytes(range(256)) * 4, r"manifest"),
}


@pytest.mark.parametrize("case", sorted(BAD_MANIFESTS))
def test_bad_manifest_is_a_clear_boot_error(make_qemu, case):
    text, message = BAD_MANIFESTS[case]
    vm = make_qemu(files={"boot/manifest": text}, expect_panic=True)
    m = vm.wait_for(r"^boot: error: (.*)$")
    assert re.search(message, m.group(1)), m.group(1)
    vm.wait_for(r"^pinfold: boot failed$")
    assert vm.wait_exit() == qemu.PANIC_EXIT_STATUS
    assert not vm.find(r"^(PANIC|EXCEPTION):")


def test_bad_elf_is_a_clear_boot_error(make_qemu):
    import os
    with open(os.path.join(qemu.ISODIR, "boot", "third.elf"), "rb") as f:
        image = bytearray(f.read())
    image[18] = 3                   # e_machine: not x86-64
    vm = make_qemu(files={"boot/third.elf": bytes(image)}, expect_panic=True)
    m = vm.wait_for(r"^boot: error: (.*)$")
    assert m.group(1).startswith("component third: image third.elf: "), m.group(1)
    assert qemu.PANIC_EXIT_STATUS == vm.wait_exit()


SCHED_CHECKS = ["sched-sleep-long-enough", "sched-sleep-not-too-long", "sched-idle-while-sleeping",
                "sched-threads-created", "sched-preempted-to-wake", "sched-busy-while-spinning",
                "sched-round-robin"]


def test_scheduler_and_idle_accounting(make_qemu):
    vm = make_qemu(cmdline="test=sched")
    passed, failed, checks = results(vm)
    for name in SCHED_CHECKS:
        assert checks.get(name) == "ok", "%s: %s" % (name, checks.get(name, "missing"))
    assert (passed, failed) == (len(SCHED_CHECKS), 0)
