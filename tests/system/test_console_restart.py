"""Typing at the console while its driver restarts (drivers/serial; DESIGN.md "Recovery" and
"Console contract").

The serial driver is the console, and a restartable component like any other.  While it is down,
the kernel prints its own messages itself, and IRQ 4 stays masked, so whatever is typed meanwhile
waits in the UART until the driver is back.  These tests type as a person would, while the driver
is down, and check that nothing typed is lost or mangled, that the shell always answers again,
and that the console's lines stay whole.

Some of them boot a copy of the boot manifest that changes only the serial driver's restart
policy: `backoff=` makes each restart wait, so that what is typed after the `crash:` line surely
reaches the UART while the driver is down (without it, a restart takes about 2 ms, and the bytes
may come before or after it); a higher `max=` lets the driver restart twenty times in a row (the
manifest's own policy for it is checked by the test at the end).

`call serial received` is the shell's way to ask the driver how many bytes it has taken from the
UART since it started; after a crash that is exactly what was typed since, when nothing is lost.
"""
import os
import re
import statistics
import time

import pytest

import qemu

RECEIVED = "call serial received"            # its own bytes and CR count too

CRASH_WAYS = {
    "kill serial": r"killed",
    "restart serial": r"restart requested",
    "inject serial ud": r"invalid opcode \(vector 6, error 0x0\) at rip 0x[0-9a-f]+",
}
SHELL_SAYS = {                               # the shell's one line for each way, then a prompt
    "kill serial": "killed serial",
    "restart serial": "restarting serial",
    "inject serial ud": "inject serial ud: it failed, as asked",
}
CRASH_LINE = r"^crash: serial: (%s)$" % "|".join(CRASH_WAYS.values())
RESTART_LINE = r"^restart: serial: up in \d+ us$"
FAULT_LINE = r"^fault: serial: thread shell, rsp 0x[0-9a-f]+, call depth \d+$"
PS_HEADER = r"^ID +NAME +STATE +RESTARTS$"


# ---- booting with another restart policy for the serial driver

def manifest_with_serial_policy(policy):
    """The built boot manifest, with the serial driver's `restart` line replaced by `policy`."""
    with open(os.path.join(qemu.ISODIR, "boot", "manifest")) as f:
        lines = f.read().split("\n")
    out, in_serial, done = [], False, False
    for line in lines:
        words = line.split()
        if line[:1] not in ("", " ", "\t", "#"):
            in_serial = words[:2] == ["component", "serial"]
        if in_serial and words[:1] == ["restart"]:
            continue
        out.append(line)
        if in_serial and not done and words[:2] == ["component", "serial"]:
            out.append("    restart " + policy)
            done = True
    assert done, "the boot manifest has no serial driver"
    return "\n".join(out).encode()


def boot_shell(make_qemu, policy=None):
    files = {"boot/manifest": manifest_with_serial_policy(policy)} if policy else None
    vm = make_qemu(files=files)
    vm.boot()
    vm.wait_for(r"^pinfold> ", partial=True)
    return vm


# ---- reading the console without its cursor: what the shell prints and the kernel's lines
# may come in either order around a restart

def wait_find(vm, pattern, start, timeout=qemu.WAIT_TIMEOUT, partial=False):
    """Waits for pattern anywhere after offset start; fails at once on a kernel panic."""
    deadline = time.monotonic() + timeout
    while True:
        m = vm.find(pattern, start, partial=partial)
        if m:
            return m
        assert not vm.find(r"^(PANIC|EXCEPTION):"), "the kernel panicked:\n" + qemu.tail(vm.output)
        assert vm.returncode is None, "QEMU exited:\n" + qemu.tail(vm.output)
        assert time.monotonic() < deadline, "waited %.0f s for /%s/ after offset %d:\n%s" % (
            timeout, pattern, start, qemu.tail(vm.output[start:]))
        time.sleep(0.02)


def wait_count(vm, pattern, n, timeout=qemu.WAIT_TIMEOUT):
    deadline = time.monotonic() + timeout
    while len(vm.findall(pattern)) < n:
        assert not vm.find(r"^(PANIC|EXCEPTION):"), "the kernel panicked:\n" + qemu.tail(vm.output)
        assert time.monotonic() < deadline, "waited for %d lines /%s/:\n%s" % (
            n, pattern, qemu.tail(vm.output))
        time.sleep(0.02)


def wait_idle_prompt(vm, start):
    """Waits until the shell has printed a prompt after offset start and then nothing more
    arrives for a moment (a kernel line may still follow the prompt: then the shell is idle at
    a prompt that is not the last thing on the console)."""
    wait_find(vm, r"^pinfold> ", start, partial=True)
    while True:
        n = len(vm.output)
        time.sleep(0.3)
        if len(vm.output) == n:
            return


def fresh_prompt(vm):
    """Enter on an empty line brings a new prompt (after a crash printed on its own, as a
    person would do); sets the harness's cursor just after it, so command() may follow."""
    start = len(vm.output)
    vm.send("\r")
    new = wait_find(vm, r"^pinfold> ", start, partial=True)
    while vm.wait_for(r"^pinfold> ", partial=True).end() < new.end():
        pass                                          # the cursor moves on to that prompt
    return new


def ps_table(text):
    """{name: (state, restarts)} from ps output (kernel lines among it are skipped)."""
    lines = text.splitlines()
    assert re.match(PS_HEADER, lines[0]), text
    table = {}
    for line in lines[1:]:
        if re.match(r"^(crash|restart|fault): ", line):
            continue
        fields = line.split()
        assert len(fields) == 4 and fields[0].isdigit() and fields[3].isdigit(), (
            "not a line of ps: %r" % line)
        table[fields[1]] = (fields[2], int(fields[3]))
    return table


def ps(vm):
    return ps_table(vm.command("ps"))


def received(vm):
    out = vm.command(RECEIVED)
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, 0 0x0$", out)
    assert m, out
    return int(m.group(1))


def typed_output(vm, start, first_line):
    """The output of the one command whose output begins with first_line after offset start:
    its lines up to the next prompt.  Fails if it ran twice."""
    m = wait_find(vm, first_line, start)
    prompt = wait_find(vm, r"^pinfold> ", m.end(), partial=True)
    assert len(re.findall(first_line, vm.output[start:], re.M)) == 1, (
        "the command ran more than once:\n" + vm.output[start:])
    return vm.output[m.start():prompt.start()]


def crash_and_type(vm, how, typed, wait_for_crash=True):
    """Crashes the serial driver with the shell command `how` and types `typed` (bytes) at once:
    just after the `crash:` line (wait_for_crash), or in the same breath as the command."""
    start = len(vm.output)
    if wait_for_crash:
        vm.send(how + "\r")
        crash = wait_find(vm, CRASH_LINE, start)
        sent = time.monotonic()
        vm.send(typed)
    else:
        sent = time.monotonic()
        vm.send(how.encode() + b"\r" + typed)
        crash = wait_find(vm, CRASH_LINE, start)
    return crash, sent


# ---- 1. a short command typed while the driver restarts

@pytest.mark.parametrize("policy", [None, "backoff=400"], ids=["no-backoff", "backoff"])
@pytest.mark.parametrize("how", ["kill serial", "inject serial ud"])
def test_command_typed_during_restart_runs_once_restarted(make_qemu, how, policy):
    vm = boot_shell(make_qemu, policy)
    before = ps(vm)
    assert before["serial"] == ("running", 0)

    crash, sent = crash_and_type(vm, how, b"ps\r")
    restart = wait_find(vm, RESTART_LINE, crash.end())
    if policy:
        # The backoff keeps the driver down for 400 ms: ps was surely typed while it was down.
        assert sent < vm.arrival_time(restart.start()), "ps was not typed during the restart"
    out = typed_output(vm, crash.end(), PS_HEADER)
    table = ps_table(out)
    assert sorted(table) == sorted(before), out
    assert table["serial"][1] == 1 and table["serial"][0] in ("running", "restarting"), out
    assert all(table[name] == before[name] for name in before if name != "serial"), out

    wait_idle_prompt(vm, crash.end())
    fresh_prompt(vm)
    # Every byte typed since the crash reached the new driver, and nothing else did.
    assert received(vm) == len(b"ps\r") + len(b"\r") + len(RECEIVED + "\r")
    assert ps(vm)["serial"] == ("running", 1)
    assert len(vm.findall(CRASH_LINE)) == len(vm.findall(RESTART_LINE)) == 1
    assert not vm.find(r"^(PANIC|EXCEPTION|failed: )")


def test_command_typed_ahead_of_the_crash_runs_after_it(make_qemu):
    """`kill serial` and the next command in one breath: the shell takes the second line from
    the restarted driver (the first driver never held it, so its death cannot lose it)."""
    vm = boot_shell(make_qemu)
    crash, _ = crash_and_type(vm, "kill serial", b"ps\r", wait_for_crash=False)
    wait_find(vm, RESTART_LINE, crash.end())
    out = typed_output(vm, crash.end(), PS_HEADER)
    assert ps_table(out)["serial"][1] == 1, out
    assert not vm.find(r"^error: ", crash.end()), vm.output[crash.end():]


# ---- 2. twenty restarts in a row, with typing in between

def classify(line):
    """What a console line after `pinfold: ready` is in the cycles below: ("kernel", line),
    ("shell", line) or ("echo", what the shell echoed of a typed line)."""
    for pattern in (CRASH_LINE, RESTART_LINE, FAULT_LINE):
        if re.match(pattern, line):
            return "kernel", line
    if line in SHELL_SAYS.values() or re.match(
            r"^status 0, results \d+ 0x[0-9a-f]+, \d+ 0x[0-9a-f]+$", line):
        return "shell", line
    while line.startswith(qemu.PROMPT):
        line = line[len(qemu.PROMPT):]
    return "echo", line


def test_twenty_restarts_with_typing_in_between(make_qemu):
    vm = boot_shell(make_qemu, "max=100 window=60000")
    names = sorted(ps(vm))
    fresh_prompt(vm)
    begin = len(vm.output)
    ways = list(CRASH_WAYS)
    typed_lines, answers = [], []
    for i in range(1, 21):
        how = ways[i % len(ways)]
        # peer.mix(i, 0, 0, 0, 0, 0) is (i, i): each cycle's command has its own answer.
        line = "call peer mix %d 0 0 0 0 0" % i
        answer = "status 0, results %d 0x%x, %d 0x%x" % (i, i, i, i)
        crash, _ = crash_and_type(vm, how, line.encode() + b"\r", wait_for_crash=i % 2 == 0)
        typed_lines += [how, line]
        answers += [SHELL_SAYS[how], answer]
        wait_count(vm, RESTART_LINE, i)
        typed_output(vm, crash.start(), "^" + re.escape(answer) + "$")
    wait_idle_prompt(vm, crash.end())
    end = len(vm.output)

    text = vm.output[begin:end]
    assert len(re.findall(r"^crash: serial: ", text, re.M)) == 20, text
    assert len(re.findall(r"^restart: serial: ", text, re.M)) == 20, text
    assert not re.search(r"^(PANIC|EXCEPTION|failed: )", vm.output, re.M)
    # Every line is whole: a kernel line, one line of the shell's, or the echo of what was
    # typed.  Put together, the echoes are exactly the typed text: nothing lost, nothing
    # repeated, no kernel line inside one (a kernel line may end an echo line early, and the
    # echo then goes on on the next line, as DESIGN.md's console contract has it).
    echoed, shell_lines = "", []
    for line in text.split("\n"):
        kind, rest = classify(line)
        assert not (kind == "echo" and re.search(r"(crash|restart|fault): serial", rest)), (
            "a kernel line inside another line: %r" % line)
        if kind == "echo":
            echoed += rest
        elif kind == "shell":
            shell_lines.append(rest)
    assert echoed == "".join(typed_lines), "echoed %r,\ntyped %r" % (echoed, "".join(typed_lines))
    assert shell_lines == answers

    fresh_prompt(vm)
    table = ps(vm)
    assert sorted(table) == names
    assert table["serial"] == ("running", 20)
    assert all(state == ("running", 0) for name, state in table.items() if name != "serial")
    assert vm.command("call peer mix 1 2 3 4 5 6") == "status 0, results 91 0x5b, 7 0x7"


# ---- 3. a long burst typed while the driver restarts

def spread(words, width):
    """The words with runs of spaces between them, width characters in all."""
    gaps = len(words) - 1
    spaces = width - sum(map(len, words))
    out = words[0]
    for n, w in enumerate(words[1:]):
        out += " " * (spaces // gaps + (n < spaces % gaps)) + w
    return out


@pytest.mark.parametrize("line, answer", [
    (spread("call peer mix 1 2 3 4 5 6".split(), 199), "status 0, results 91 0x5b, 7 0x7"),
    ("call peer mix " + "7" * 286, "error: line too long (max 255 bytes)"),
], ids=["call-line-200", "overlong-300"])
def test_long_burst_during_restart_does_not_hang_the_shell(make_qemu, line, answer):
    vm = boot_shell(make_qemu, "backoff=400")
    burst = line.encode() + b"\r"
    assert len(burst) in (200, 301)
    crash, sent = crash_and_type(vm, "kill serial", burst)
    restart = wait_find(vm, RESTART_LINE, crash.end())
    assert sent < vm.arrival_time(restart.start()), "the burst was not typed during the restart"
    typed_output(vm, crash.end(), "^" + re.escape(answer) + "$")
    wait_idle_prompt(vm, crash.end())
    fresh_prompt(vm)
    assert received(vm) == len(burst) + len(b"\r") + len(RECEIVED + "\r")
    assert ps(vm)["serial"] == ("running", 1)
    assert not vm.find(r"^(PANIC|EXCEPTION|failed: )")


# ---- the console driver is never given up, and typing is as quick after a restart as before

def test_four_quick_crashes_do_not_deafen_the_console(make_qemu):
    vm = boot_shell(make_qemu)
    for n in range(1, 5):
        start = len(vm.output)
        vm.send("kill serial\r")
        wait_find(vm, r"^(restart|failed): serial", start)
        wait_idle_prompt(vm, start)
    assert not vm.find(r"^failed: serial$"), "the serial driver was given up"
    fresh_prompt(vm)
    assert ps(vm)["serial"] == ("running", 4)


def test_typing_is_as_quick_after_a_restart_as_before(make_qemu):
    vm = boot_shell(make_qemu)

    def echo_ms():
        """The median time from a key to its echo (wait_for wakes at once, wait_find polls)."""
        fresh_prompt(vm)
        times = []
        for _ in range(9):
            t = time.monotonic()
            vm.send("x")
            vm.wait_for("x", partial=True)
            times.append((time.monotonic() - t) * 1000)
            time.sleep(0.01)
        vm.send("\x15")                          # Ctrl-U: forget the line
        return statistics.median(times)

    before = echo_ms()
    start = len(vm.output)
    vm.send("kill serial\r")
    wait_find(vm, RESTART_LINE, start)
    wait_idle_prompt(vm, start)
    after = echo_ms()
    assert after < 40, "echo took %.1f ms before the restart, %.1f ms after" % (before, after)
