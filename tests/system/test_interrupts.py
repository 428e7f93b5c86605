"""Interrupts delivered to a user-level driver (drivers/serial owns COM1's ports and IRQ 4).

Bytes typed at the console raise IRQ 4; the kernel runs the driver's interrupt method on
the driver's interrupt thread, which reports each byte under test=irq.  Under test=irq-hang
the method never returns after an 'H': the watchdog crashes the driver, the kernel restarts
it, re-binds its interrupt, and the next byte arrives again.
"""
import time


def test_serial_interrupts_reach_the_driver(make_qemu):
    vm = make_qemu(cmdline="test=irq")
    vm.boot()
    vm.send(b"Pf!")
    for byte in b"Pf!":
        vm.wait_for(r"^serial: received 0x%02x$" % byte, timeout=30)
    assert not vm.find(r"^crash:")


def test_hung_interrupt_method_is_restarted_and_rebound(make_qemu):
    vm = make_qemu(cmdline="test=irq-hang")
    vm.boot()
    vm.send(b"A")
    vm.wait_for(r"^serial: received 0x41$", timeout=30)
    vm.send(b"H")
    vm.wait_for(r"^serial: received 0x48$", timeout=30)
    vm.wait_for(r"^crash: serial: watchdog: a method ran longer than 300 ms$", timeout=30)
    vm.wait_for(r"^restart: serial: up in \d+ us$", timeout=30)
    time.sleep(0.2)
    vm.send(b"Z")
    vm.wait_for(r"^serial: received 0x5a$", timeout=30)
    assert len(vm.findall(r"^crash: ")) == 1
