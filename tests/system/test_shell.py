"""The shell on the serial console (components/shell over drivers/serial), driven exactly
as a person would: wait for the prompt, type a line, read what comes back."""
import random
import re

import pytest

COMPONENTS = ["chipset", "serial", "edu", "edu2", "ahci", "block", "fat", "diskbench", "blockcheck", "blockcheck2",
              "shell", "crashme", "fragile", "third", "peer", "intruder", "pdxtest", "hostile", "benchipc", "irqbench"]


@pytest.fixture
def shell(make_qemu):
    vm = make_qemu()
    vm.boot()
    vm.wait_for(r"pinfold> ", partial=True)
    return vm


def wait_count(vm, pattern, n, timeout=30):
    """Waits until `pattern` has matched n console lines."""
    import time
    deadline = time.time() + timeout
    while len(vm.findall(pattern)) < n:
        assert time.time() < deadline, "waited for %d lines like %s" % (n, pattern)
        time.sleep(0.05)


def ps(vm):
    """{name: (state, restarts)} from the ps command."""
    out = vm.command("ps")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STATE", "RESTARTS"]
    table = {}
    for line in lines[1:]:
        if re.match(r"^\d+ ", line):
            _id, name, state, restarts = line.split()
            table[name] = (state, int(restarts))
    return table


def test_prompt_follows_ready(make_qemu):
    vm = make_qemu()
    vm.boot()
    m = vm.wait_for(r"pinfold> ", partial=True)
    assert m.start() > vm.find(r"^pinfold: ready$").start()


def test_help_ps_methods_call(shell):
    help_text = shell.command("help")
    for command in ["help", "ps", "methods", "call", "inject", "kill", "restart", "log", "bench"]:
        assert re.search(r"^  %s " % command, help_text, re.M), command
    table = ps(shell)
    assert sorted(table) == sorted(COMPONENTS)
    assert all(state == ("running", 0) for state in table.values())
    methods = shell.command("methods peer")
    assert "  1 mix(a, b, c, d, e, f) -> (weighted, xor)" in methods.splitlines()
    assert shell.command("call peer mix 1 2 3 4 5 6") == "status 0, results 91 0x5b, 7 0x7"
    assert shell.command("call peer mix 0x10 -1 0 0 0 0").startswith("status 0, results 14 0xe,")


@pytest.mark.parametrize("line, message", [
    ("frobnicate", "unknown command 'frobnicate'"),
    ("methods", "usage: methods NAME"),
    ("methods ghost", "no component named 'ghost'"),
    ("call peer", "usage: call NAME METHOD"),
    ("call peer nosuch", "peer has no method 'nosuch'"),
    ("call peer mix 1 2", "peer.mix takes 6 arguments, not 2"),
    ("call peer mix 1 2 3 4 5 x", "argument 6: 'x' is not a number"),
    ("call peer secret", "peer.secret: method not permitted by the capability"),
    ("call benchipc null", "benchipc has no method 'null'"),
    ("kill", "usage: kill NAME"),
    ("inject crashme sideways", "unknown kind 'sideways'"),
    ('methods "peer', "unterminated quote"),
])
def test_bad_commands_get_one_error_line(shell, line, message):
    out = shell.command(line)
    assert out == "error: " + message or out.startswith("error: " + message), out
    assert len(out.splitlines()) == 1


def test_overlong_lines_and_garbage(shell):
    out = shell.command("x" * 10000)
    assert out.splitlines()[-1] == "error: line too long (max 255 bytes)"
    rng = random.Random(1234)
    for _ in range(5):
        garbage = bytes(rng.randrange(256) for _ in range(200)).replace(b"\r", b"").replace(b"\n", b"")
        shell.send(garbage + b"\r")
        shell.wait_for(r"error: line (contains a non-printable byte 0x[0-9a-f]{2}|is not UTF-8 "
                       r"\(byte 0x[0-9a-f]{2}\)|contains a non-printable character U\+[0-9A-F]{4})",
                       partial=True)
        shell.wait_for(r"pinfold> ", partial=True)
    assert ps(shell)["shell"] == ("running", 0)


KINDS = ["null", "wild-write", "kernel-write", "wild-jump", "ud", "div0", "stack", "loop", "port"]
ALL_KINDS = KINDS + ["bad-call", "irq-hang", "wild-dma", "dma-after-unpin", "dma-read", "irq-storm",
                     "msi-spoof", "hang"]


def test_inject_every_kind_into_crashme(shell):
    assert "kinds: " + " ".join(ALL_KINDS) == shell.command("inject")
    for n, kind in enumerate(KINDS, 1):
        out = shell.command("inject crashme " + kind, timeout=30)
        assert "inject crashme %s: it failed, as asked" % kind in out
        wait_count(shell, r"^restart: crashme: up in \d+ us$", n)
        shell.sync()
        assert ps(shell)["crashme"] == ("running", n)
        assert shell.command("call crashme ping") == "status 0, results 1 0x1, 0 0x0"
    assert len(shell.findall(r"^crash: crashme: ")) == len(KINDS)
    # Garbage kernel calls are refused, and crashme lives on.
    assert shell.command("inject crashme bad-call") == "inject crashme bad-call: it survived"
    assert shell.command("inject crashme irq-hang") == "error: crashme does not know the kind 'irq-hang'"
    assert ps(shell)["crashme"] == ("running", len(KINDS))


@pytest.mark.parametrize("how", ["inject serial " + k for k in KINDS] + ["kill serial"])
def test_the_console_driver_itself_recovers(shell, how):
    shell.send(how + "\r")
    wait_count(shell, r"^crash: serial: ", 1)
    wait_count(shell, r"^restart: serial: up in \d+ us$", 1)
    # The shell answers again through the restarted driver.
    shell.sync()
    table = ps(shell)
    assert table["serial"] == ("running", 1)
    assert table["shell"] == ("running", 0)


def test_hung_console_interrupt_method(shell):
    assert shell.command("inject serial irq-hang") == "inject serial irq-hang: it survived"
    # The next interrupt's method hangs: the watchdog takes the driver down.  A lone key
    # interrupts only after four character times (the FIFO's timeout), and the shell's
    # 100 ms poll of serial.read may take it first, with no interrupt at all: then the
    # key is echoed and the next one is typed, as a person would.
    import time
    for _ in range(10):
        shell.send(b"x")
        deadline = time.time() + 3
        while time.time() < deadline and not shell.find(r"^crash: serial: "):
            time.sleep(0.05)
        if shell.find(r"^crash: serial: "):
            break
    wait_count(shell, r"^crash: serial: watchdog: a method ran longer than 300 ms$", 1)
    wait_count(shell, r"^restart: serial: up in \d+ us$", 1)
    shell.sync()
    assert ps(shell)["serial"] == ("running", 1)


def test_bad_calls_into_the_console_driver(shell):
    assert shell.command("inject serial bad-call") == "inject serial bad-call: it survived"
    assert ps(shell)["serial"] == ("running", 0)


def test_kill_restart_and_policy(shell):
    for n in range(1, 4):
        shell.command("kill fragile")
        wait_count(shell, r"^(restart|failed): fragile", n)
        shell.sync()
    assert shell.find(r"^failed: fragile$")
    assert ps(shell)["fragile"][0] == "failed"
    assert shell.command("call fragile ping").startswith("error: fragile.ping: callee failed")
    assert shell.command("kill fragile") == "error: kill fragile: it is not running"
    shell.command("restart fragile")
    wait_count(shell, r"^restart: fragile: up in \d+ us$", 3)
    shell.sync()
    assert shell.command("call fragile ping") == "status 0, results 1 0x1, 0 0x0"
    assert ps(shell)["peer"] == ("running", 0)


def test_bench_ipc_and_log(shell):
    out = shell.command("bench ipc", timeout=120)
    for name in ["ipc-local-call", "ipc-kernel-call", "ipc-pdx-null", "ipc-pdx-4k-grant"]:
        assert re.search(r"^bench: %s \d+ tsc$" % name, out, re.M), name
        assert re.search(r"^bench: %s-ns \d+ ns$" % name, out, re.M), name
    log = shell.command("log").splitlines()
    assert "  bench: done" in log
    assert any(line.startswith("  bench: ipc-pdx-null ") for line in log)


def slow_count(vm):
    m = re.fullmatch(r"status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x[0-9a-f]+",
                     vm.command("call peer slow_count"))
    assert m, "peer.slow_count answers"
    return int(m.group(1)), int(m.group(2))


def test_a_thread_whose_home_dies_finishes_its_call_elsewhere(shell):
    """crashme's own thread waits inside peer.slow when crashme is killed: the kernel
    lets the call finish in peer (peer's state is not left half-updated) and ends the
    thread when it would return into crashme, instead of killing it inside peer."""
    import time
    assert shell.command("call crashme hold 1500") == "status 0, results 0 0x0, 0 0x0"
    deadline = time.time() + 20
    while slow_count(shell) != (1, 0):
        assert time.time() < deadline, "crashme's thread never entered peer.slow"
        time.sleep(0.05)
    shell.command("kill crashme")
    wait_count(shell, r"^restart: crashme: up in \d+ us$", 1)
    shell.sync()
    while slow_count(shell)[1] != 1:
        assert time.time() < deadline, "the orphaned call never finished in peer"
        time.sleep(0.05)
    assert shell.command("call crashme ping") == "status 0, results 1 0x1, 0 0x0"
    assert not shell.find(r"^(crash: (peer|shell)|fault: |PANIC|EXCEPTION)")
    table = ps(shell)
    assert table["peer"] == ("running", 0) and table["crashme"] == ("running", 1)
    # The orphan is gone: a second round behaves the same.
    assert shell.command("call crashme hold 100") == "status 0, results 0 0x0, 0 0x0"
    while slow_count(shell) != (2, 2):
        assert time.time() < deadline, "a second slow call did not run"
        time.sleep(0.05)
