"""
test_bootopts.py — the kernel command line: bad words are reported and ignored, and boot goes on.
"""
import qemu


def test_garbage_options_are_ignored(make_qemu):
    vm = make_qemu(cmdline="fault=bogus tick=abc nonsense")
    vm.boot()
    assert vm.find(r"^boot: command line 'fault=bogus tick=abc nonsense'$")
    complaints = [m.group(1) for m in vm.findall(r"^boot: (.*) \(ignored\)$")]
    assert complaints == [
        "bad value in boot option 'fault=bogus'",
        "bad value in boot option 'tick=abc'",
        "unknown boot option 'nonsense'",
    ]
    assert vm.find(r"tick (\d+) Hz$").group(1) == "100"      # the default stands
    assert not vm.find(r"^selftest:")
    # The complaints come before the work they would have changed.
    assert vm.find(r"^boot: ").start() < vm.find(r"^mem: \d+ MiB usable").start()


def test_empty_values_and_equals(make_qemu):
    vm = make_qemu(cmdline="fault= =page tick==100")
    vm.boot()
    complaints = [m.group(1) for m in vm.findall(r"^boot: (.*) \(ignored\)$")]
    assert len(complaints) == 3
    assert not vm.find(r"^selftest:")


def test_long_option_word(make_qemu):
    word = "fault=" + "x" * 200
    vm = make_qemu(cmdline="tick=250 " + word)
    vm.boot()
    complaints = vm.findall(r"^boot: (.*) \(ignored\)$")
    assert len(complaints) == 1
    assert "too long" in complaints[0].group(1)
    assert vm.find(r"tick (\d+) Hz$").group(1) == "250"     # the words around it still count


def test_overlong_command_line(make_qemu):
    """Longer than the kernel keeps: cut, never overrun."""
    words = ["w%d=%s" % (i, "y" * 40) for i in range(40)] + ["z" * 1000]
    vm = make_qemu(cmdline=words)
    vm.boot()
    assert vm.findall(r"^boot: unknown boot option 'w0=y+' \(ignored\)$")
    assert len(vm.findall(r"^boot: .* \(ignored\)$")) < len(words)
    assert not vm.find(r"^selftest:")
    assert vm.find(qemu.READY)
