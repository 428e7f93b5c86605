"""
test_devices.py — the kernel finds the IOMMU in ACPI DMAR when QEMU has one and reports it absent
when not, and extra PCI devices do not disturb the boot.
"""
import os

import pytest


def test_iommu_present(make_qemu):
    vm = make_qemu(iommu=True)
    vm.boot()
    m = vm.find(r"^acpi: DMAR haw (\d+), (.*)$")
    assert m, "no DMAR line"
    assert int(m.group(1)) == 39                 # QEMU's default aw-bits
    assert "intr-remap" in m.group(2)            # intremap=on
    assert "1 unit: 0xfed90000 segment 0" in m.group(2)
    assert not vm.find(r"^acpi: DMAR absent")


def test_iommu_absent(make_qemu):
    vm = make_qemu(iommu=False)
    vm.boot()
    assert vm.find(r"^acpi: DMAR absent")
    assert not vm.find(r"0xfed90000")
    assert len(vm.findall(r"^acpi: DMAR")) == 1


@pytest.mark.parametrize("options", [
    dict(edu=False, iommu=False),
    dict(edu=True, nic="pcnet"),
    dict(edu=True, nic="pcnet", iommu=False),
    dict(edu=True, devices=["edu,dma_mask=0xffffffffffffffff"], nic="pcnet"),
], ids=["bare", "edu-pcnet", "edu-pcnet-noiommu", "two-edu-pcnet"])
def test_extra_devices_boot(make_qemu, options):
    vm = make_qemu(**options)
    vm.boot()
    assert vm.find(r"^acpi: MCFG ecam 0xb0000000")
    assert bool(vm.find(r"^acpi: DMAR haw 39")) == options.get("iommu", True)


def test_disks_on_ahci_boot(make_qemu, tmp_path):
    """Disks on the q35 AHCI ports do not take the boot from the CD; each test gets copies."""
    image = tmp_path / "blank.img"
    image.write_bytes(b"\0" * (1 << 20))
    vm = make_qemu(drives=[str(image), str(image)])
    assert len(vm.drives) == 2 and str(image) not in vm.drives
    assert all(d.startswith(vm.workdir) and os.path.getsize(d) == 1 << 20 for d in vm.drives)
    vm.boot()
    assert vm.find(r"^acpi: MCFG ecam 0xb0000000")


def test_qemu_trace_goes_to_the_workdir(make_qemu):
    """The harness's trace option, used by IOMMU tests: SeaBIOS maps the edu BAR, so QEMU
    traces at least one pci_update_mappings_add."""
    vm = make_qemu(trace=["pci_update_mappings_add"])
    vm.boot()
    assert vm.trace_path.startswith(vm.workdir)
    with open(vm.trace_path) as f:
        assert "pci_update_mappings_add" in f.read()
