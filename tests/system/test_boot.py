"""
test_boot.py — the default machine (as `make run`) boots to `pinfold: ready`, and what it reports
on the way: the platform found in ACPI, the calibrated clock, and a tick that runs.
"""
import pytest

import qemu

TICKS_RE = r"^clock: tick running, (\d+) ticks in (\d+(?:\.\d+)?) ms$"
HZ_RE = r"^clock: tsc .*, tick (\d+) Hz$"


def check_tick(vm, hz):
    """The tick line says n ticks took a time that fits hz.

    The ticks are counted from an arbitrary phase of the timer, so n ticks take at least n-1
    periods; the bound below allows a quarter less for calibration error.  Under TCG the TSC
    and the LAPIC timer follow the host clock, and on a loaded host ticks come late (QEMU does
    not make up missed periods): with three tests per core, 5 ticks at 250 Hz took 129 ms.
    So the upper bound is loose, but still far below what a wrong timer divider would give.
    """
    assert int(vm.find(HZ_RE).group(1)) == hz
    m = vm.find(TICKS_RE)
    assert m, "no `clock: tick running` line"
    n, ms = int(m.group(1)), float(m.group(2))
    assert n >= 2
    period_ms = 1000.0 / hz
    assert 0.75 * (n - 1) * period_ms <= ms <= 3 * n * period_ms + 150, \
        "%d ticks at %d Hz took %.3f ms" % (n, hz, ms)


def test_boots_to_ready(vm):
    vm.wait_for(r"^pinfold: booting Pinfold \d+\.\d+ \(x86-64\)$")
    vm.boot()
    assert len(vm.findall(r"pinfold: booting")) == 1
    assert not vm.find(r"^boot: command line"), "the command line is empty"
    assert not vm.find(r"\(ignored\)$")
    assert vm.find(r"^mem: \d+ MiB usable RAM")
    assert vm.find(r"^acpi: RSDP revision \d+, RSDT at 0x[0-9a-f]+, \d+ tables")
    assert vm.find(r"^acpi: MADT lapic 0xfee00000, 1 cpu, ioapic 0 at 0xfec00000")
    assert vm.find(r"^acpi: MCFG ecam 0xb0000000 segment 0 buses 0-255$")
    assert vm.find(r"^ioapic: id 0 at 0xfec00000, gsi 0-23")
    # The ready line comes after everything it vouches for.
    assert vm.find(r"^clock: tick running").start() < vm.find(qemu.READY).start()


def test_clock(vm):
    vm.boot()
    m = vm.find(r"^clock: tsc (\d+)\.(\d{3}) MHz, lapic timer (\d+)\.(\d{3}) MHz")
    tsc_mhz = int(m.group(1)) + int(m.group(2)) / 1000
    lapic_mhz = int(m.group(3)) + int(m.group(4)) / 1000
    # QEMU's LAPIC timer counts at 1 GHz / 16 = 62.5 MHz; the TSC at the host's rate.  The
    # kernel calibrates both over one PIT-timed interval, and when the host deschedules QEMU
    # during it the interval is longer than the kernel assumes: both rates come out too high
    # (by 16% with two tests per core, by 2.8 times with six), never too low.
    assert 62.5 * 0.95 < lapic_mhz < 62.5 * 4
    assert 100 < tsc_mhz < 20000
    check_tick(vm, 100)


@pytest.mark.parametrize("hz", [250])
def test_tick_option(make_qemu, hz):
    vm = make_qemu(cmdline="tick=%d" % hz)
    vm.boot()
    assert vm.find(r"^boot: command line 'tick=%d'$" % hz)
    assert not vm.find(r"\(ignored\)$")
    check_tick(vm, hz)
