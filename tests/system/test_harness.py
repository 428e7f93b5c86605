"""
test_harness.py — the harness's own tests, against a fake console (a small Python script) instead
of QEMU: fatal signs fail a wait at once, command() talks to the shell as the console contract
says, and a kernel command line reaches grub.cfg.
"""
import os
import re
import sys
import textwrap
import time

import pytest

import qemu

FAKE = textwrap.dedent(r'''
    import os, sys, time
    out = sys.stdout
    def say(s):
        out.write(s)
        out.flush()
    mode = sys.argv[1]
    say("\r\npinfold: booting Pinfold 0.1 (x86-64)\r\n")
    if mode == "panic":
        say("EXCEPTION: #PF page fault (vector 14), error code 0x2\r\nPANIC: unhandled\r\n")
        time.sleep(60)
    if mode == "reboot":
        say("mem: 1 MiB\r\n\r\npinfold: booting Pinfold 0.1 (x86-64)\r\n")
        time.sleep(60)
    if mode == "slow-line":
        say("EXCEPTION: #PF page fault (vector 14)")
        time.sleep(0.5)
        say(", error code 0x2\r\npinfold: ready\r\npinfold> ")
        time.sleep(60)
    if mode == "boot-failed":
        say("pinfold: boot failed\r\n")
        time.sleep(60)
    if mode == "exit":
        sys.exit(3)
    if mode == "silent":
        time.sleep(60)
    if mode == "late-panic":
        say("pinfold: ready\r\n")
        time.sleep(0.2)
        say("PANIC: later\r\n")
        time.sleep(60)
    say("pinfold: ready\r\npinfold> ")
    def lines():                                  # a line ends at CR, LF or CR LF
        buf, last = b"", b""
        while True:
            b = os.read(0, 1)
            if not b:
                return
            if b in b"\r\n":
                if not (b == b"\n" and last == b"\r"):
                    yield buf.decode()
                buf = b""
            else:
                buf += b
            last = b
    for line in lines():
        say(line + "\r\n")                       # the shell echoes
        if line.startswith("echo "):
            say(line[5:] + "\r\n")
        elif line == "two":
            say("one\r\ntwo\r\n")
        elif line:
            say("error: unknown command '%s'\r\n" % line)
        say("pinfold> ")
''')

QUICK = 5   # seconds: far less than any timeout used below


@pytest.fixture
def fake(make_console, tmp_path):
    script = tmp_path / "fake_console.py"
    script.write_text(FAKE)

    def start(mode, **options):
        return make_console([sys.executable, str(script), mode], **options)
    return start


def test_wait_for_returns_the_match_and_moves_on(fake):
    c = fake("ready")
    m = c.wait_for(r"^pinfold: booting Pinfold (\S+)")
    assert m.group(1) == "0.1"
    with pytest.raises(qemu.ConsoleError, match="timed out"):
        c.wait_for(r"^pinfold: booting", timeout=0.5)    # the cursor is past the banner
    assert c.find(r"^pinfold: booting").start() == 1     # find() sees everything
    c.boot()
    assert "\r" not in c.output


@pytest.mark.parametrize("mode, reason", [
    ("panic", "fatal line: EXCEPTION: #PF"),
    ("reboot", "boot banner appeared a second time"),
    ("exit", "exited with status 3"),
    ("boot-failed", "fatal line: pinfold: boot failed"),
])
def test_fatal_signs_fail_at_once(fake, mode, reason):
    c = fake(mode)
    t = time.monotonic()
    with pytest.raises(qemu.ConsoleError) as e:
        c.boot(timeout=60)
    assert time.monotonic() - t < QUICK
    assert reason in str(e.value)
    assert "console tail" in str(e.value) and "pinfold: booting" in str(e.value)


def test_a_match_before_the_panic_still_counts(fake):
    c = fake("late-panic")
    c.boot()
    t = time.monotonic()
    with pytest.raises(qemu.ConsoleError, match="fatal line: PANIC: later"):
        c.wait_for(r"never", timeout=60)
    assert time.monotonic() - t < QUICK


def test_half_a_line_does_not_match(fake):
    """QEMU writes the console a byte at a time: `$` must not match at the end of half a line."""
    c = fake("slow-line", expect_panic=True)
    m = c.wait_for(r"^EXCEPTION: .* \(vector \d+\)(?:, error code (\w+))?$")
    assert m.group(1) == "0x2"
    c.wait_for(r"^pinfold> ", partial=True)
    assert c.find(r"pinfold> ") is None                 # complete lines only
    assert c.find(r"pinfold> ", partial=True)


def test_expected_panic_does_not_fail(fake):
    c = fake("panic", expect_panic=True)
    assert c.wait_for(r"^PANIC: (.*)$").group(1) == "unhandled"


def test_timeout(fake):
    c = fake("silent")
    t = time.monotonic()
    with pytest.raises(qemu.ConsoleError, match=r"timed out after 1 s waiting for /pinfold: x/"):
        c.wait_for("pinfold: x", timeout=1)
    assert 0.9 < time.monotonic() - t < QUICK


def test_command(fake):
    c = fake("ready")
    c.boot()
    assert c.command("echo hello world") == "hello world"
    assert c.command("two") == "one\ntwo"
    assert c.command("") == ""
    assert c.command("frob") == "error: unknown command 'frob'"
    assert c.command("echo again") == "again"


def test_exit_status(fake):
    c = fake("exit")
    assert c.wait_exit() == 3
    assert c.arrival_time(0) >= c.started_at


def test_cmdline_iso_has_the_words(tmp_path):
    if not os.path.isdir(qemu.ISODIR):
        pytest.skip("no build/isodir: run make")
    iso = qemu.iso_for("tick=250 fault=bogus")
    assert iso != qemu.ISO and os.path.exists(iso)
    assert qemu.iso_for(["tick=250", "fault=bogus"]) == iso      # cached
    with open(os.path.join(os.path.dirname(iso), "cmdline")) as f:
        assert f.read() == "tick=250 fault=bogus\n"
    assert qemu.iso_for("") == qemu.ISO


def test_grub_quoting():
    assert qemu._grub_word("fault=page") == "fault=page"
    assert qemu._grub_word("a;b") == "'a;b'"
    assert qemu._grub_word("it's") == "'it'\\''s'"
    assert re.fullmatch(r"'\$x'", qemu._grub_word("$x"))
