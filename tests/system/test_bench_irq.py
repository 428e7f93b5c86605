"""The interrupt-delivery benchmark (components/irqbench, boot option bench=irq).

irqbench drives the UART at COM2, which QEMU adds for a second -serial option: each round
it enables the UART's transmitter-empty interrupt, and the kernel must deliver IRQ 3 to
irqbench's interrupt method.  Every round needs one delivered interrupt, so if delivery
breaks, the benchmark reports an error instead of its figures.  Without COM2 it says so and
the system boots as usual.  (`make bench-irq` runs it under -icount for instruction counts.)
"""
import re

ROUNDS = 1000               # components/irqbench/irqbench.c
WARMUP = 10
COM2 = ["-serial", "null"]
FIGURES = ["median", "p99", "min", "max"]


def figures(vm):
    """{name: value} of the irq- bench lines."""
    return dict((name, int(value)) for name, value in
                re.findall(r"^bench: (irq-\S+) (\d+) \S+$", vm.output, re.M))


def test_irq_delivery_benchmark(make_qemu):
    vm = make_qemu(cmdline="bench=irq", extra_args=COM2)
    vm.boot()
    end = vm.wait_for(r"^bench: (done|error: .*)$", timeout=120)
    assert end.group(1) == "done", end.group(0)
    f = figures(vm)
    # Every round was completed by the interrupt method, seeing the UART's THRE interrupt.
    assert f["irq-delivery-rounds"] == ROUNDS
    assert f["irq-delivery-interrupts"] == ROUNDS
    ran = vm.find(r"^irqbench: the interrupt method ran (\d+) times, (\d+) of them with no THRE")
    assert ran, "the interrupt method's count is missing"
    assert int(ran.group(1)) - int(ran.group(2)) == ROUNDS + WARMUP
    for unit in ["", "-ns"]:
        values = [f["irq-delivery-%s%s" % (name, unit)] for name in FIGURES]
        median, p99, low, high = values
        assert 0 < low <= median <= p99 <= high, (unit, values)
    # Delivery is more than the timing alone (the same RDTSC ... OUT with no interrupt).
    assert 0 < f["irq-delivery-timing-overhead"] < f["irq-delivery-min"]
    assert not vm.find(r"^(crash|failed): ")


def test_irq_benchmark_without_com2_says_so(make_qemu):
    vm = make_qemu(cmdline="bench=irq")
    vm.boot()
    assert vm.find(r"^bench: error: irq-delivery: no UART at COM2 \(0x2f8\); "
                   r"give QEMU a second -serial option$")
    out = vm.command("ps")
    assert re.search(r"^\d+ +irqbench +running +0$", out, re.M), out
    assert not vm.find(r"^bench: irq-delivery-")
    assert not vm.find(r"^(crash|failed): ")
