"""The pin/unpin benchmark (drivers/edu/pinbench.c, the shell's `bench pin`), as a smoke check.

`make bench-pin` (tools/benchpin.py) runs it for real, 1,000 rounds under -icount and under
plain TCG; here a few rounds show that it runs, prints every figure for every size, that
the figures are in order, and that it leaves no pin behind.
"""
import re

from test_dma import frames

SIZES = [1, 16, 256]
ROUNDS = 20


def figures(out):
    """{name: value} of the bench: lines in out."""
    return dict((name, int(value)) for name, value in re.findall(r"^bench: (\S+) (\d+) \S+$", out, re.M))


def test_bench_pin_runs_and_prints_sane_figures(make_qemu):
    vm = make_qemu()
    vm.boot()
    before = frames(vm)
    out = vm.command("bench pin %d" % ROUNDS, timeout=120)
    assert out.splitlines()[-1] == "bench: done", out
    f = figures(out)
    for pages in SIZES:
        fig = lambda name: f[name % pages]  # noqa: E731
        assert fig("pin-unpin-%d-rounds") == ROUNDS
        assert 1 <= fig("pin-unpin-%d-alike") <= ROUNDS
        for unit in ["", "-ns"]:
            low, median, p99, high = (fig("pin-unpin-%d-" + name + unit) for name in ["min", "median", "p99", "max"])
            assert 0 < low <= median <= p99 <= high, (pages, unit, low, median, p99, high)
        # A round is a pin and an unpin; each half costs something.
        assert 0 < fig("pin-%d-median") < fig("pin-unpin-%d-max")
        assert 0 < fig("unpin-%d-median") < fig("pin-unpin-%d-max")
    # Each page costs a kernel call and an IO page-table entry each way: more pages, more work.
    assert f["pin-unpin-1-min"] < f["pin-unpin-16-min"] < f["pin-unpin-256-min"]
    after = frames(vm)
    assert after[1:] == before[1:], "the benchmark left pins behind"
    assert after[0] == before[0] - 256, "it keeps its 1 MiB buffer, and nothing more"
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", vm.command("iommu"), re.M)
    assert not vm.find(r"^(crash|failed): ")


def test_bench_pin_refuses_bad_arguments(make_qemu):
    vm = make_qemu()
    vm.boot()
    assert vm.command("bench pin 0") == "error: bench pin: ROUNDS is a number from 1 to 1000, not '0'"
    assert vm.command("bench pin 1001").startswith("error: bench pin: ROUNDS")
    assert vm.command("bench pin 5 6") == "error: usage: bench ipc | bench pin [ROUNDS] | bench disk [MS [DISK]]"
    for pages, rounds in [(0, 1), (257, 1), (1, 0), (1, 1001), (2 ** 64 - 1, 1)]:
        assert vm.command("call edu bench_pin %d %d" % (pages, rounds)) == \
            "error: edu.bench_pin: invalid argument"
    assert not vm.find(r"^bench: pin-unpin-")
    assert re.search(r"^2 +edu +running +0$", vm.command("ps"), re.M)


def test_bench_pin_without_an_iommu_says_why(make_qemu):
    vm = make_qemu(iommu=False)
    vm.boot()
    assert vm.command("bench pin 1") == "error: bench pin: 1 page: not found"
