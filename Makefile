# Pinfold — build, run and test.
#
#   make            the bootable ISO (build/pinfold.iso)
#   make run        boot it in QEMU with the console on this terminal (Ctrl-A X quits)
#   make debug      the same, QEMU waiting for GDB (see build/.gdbinit)
#   make test       host unit tests, host tool tests, then every QEMU system test;
#                   T=pattern selects tests
#   make hosttest   the FAT library through build/host/fattool on mkfs.vfat images
#   make bench      benchmarks that print `bench:` lines (not part of make test)
#   make clean
#
# Missing build tools are installed from Debian's packages by tools/deps.sh.

BUILD   := build
# V=1 shows every command.
Q       := $(if $(V),,@)
ISO     := $(BUILD)/pinfold.iso
KERNEL  := $(BUILD)/kernel.elf

# Debian's python3 carries python3-pytest; a python3 earlier on PATH may not.
PYTHON  := /usr/bin/python3

# x86_64-elf- cross tools when present, else the host's gcc/binutils.
CROSS   := $(shell command -v x86_64-elf-gcc >/dev/null 2>&1 && echo x86_64-elf-)
CC      := $(CROSS)gcc
LD      := $(CROSS)ld
NM      := $(CROSS)nm
AR      := $(CROSS)ar
OBJCOPY := $(CROSS)objcopy

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

# Kernel code: no red zone (interrupts push onto the current stack), no SSE
# (its state is not saved across traps), frame pointers for backtraces, and
# the "kernel" code model, which places everything in the top 2 GiB.
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-ffreestanding -fno-builtin -nostdinc -isystem $(GCC_INCLUDE) \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-asynchronous-unwind-tables -I. -Ilibc/include
KERNEL_ASFLAGS := -I. -D__ASSEMBLY__
KERNEL_LDFLAGS := -nostdlib -static -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments -T linker.ld

LIBC_SRCS   := $(wildcard libc/*.c)
# The FAT library: a component's code that is pure logic, also built for the host.
# The component's glue to the kernel and to block is not.
FAT_GLUE    := components/fat/service.c components/fat/blockdev.c components/fat/caller.c
FAT_SRCS    := $(filter-out $(FAT_GLUE),$(wildcard components/fat/*.c))
KERNEL_SRCS := $(wildcard kernel/*.c kernel/*/*.c) $(LIBC_SRCS)
KERNEL_ASMS := $(wildcard boot/*.S kernel/*/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS) $(KERNEL_ASMS))

# Host unit tests: the pure parts of the kernel (no hardware access), built
# with the host compiler and sanitizers.  Each directory listed here must stay
# free of inline assembly and port or MMIO access.
HOST_SRCS := $(LIBC_SRCS) $(wildcard kernel/acpi/*.c) kernel/mm/memmap.c \
	kernel/mm/pagetable.c kernel/bootopt.c kernel/multiboot.c kernel/logtext.c \
	kernel/component/idl.c kernel/component/manifest.c \
	components/shell/lineedit.c components/shell/words.c \
	components/chipset/pci.c components/chipset/iopt.c components/chipset/vtd.c \
	components/block/book.c components/block/bounce.c components/block/overdue.c \
	drivers/ahci/ata.c drivers/ahci/prd.c drivers/ahci/identify.c drivers/ahci/request.c \
	drivers/ahci/pools.c
HOST_SRCS += $(FAT_SRCS)
UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/data/*.c)
UNIT_BIN  := $(BUILD)/host/unit
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -fno-builtin -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -I. -Ilibc/include -DHOST_TEST

.PHONY: all iso run debug test unit systest bench bench-boot bench-ipc bench-restart bench-irq bench-pin bench-disk bench-linux-disk clean deps
all: iso
iso: $(ISO)

deps:
	@tools/deps.sh

-include $(KERNEL_OBJS:.o=.d)

$(BUILD)/%.c.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_ASFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

# The kernel carries its own symbol table for backtraces.  Pass 1 links with
# an empty table; tools/mksyms turns pass 1's symbols into a table; pass 2
# links it in.  The table's section is the last one in the image, so adding
# it moves no other symbol; the build checks that this holds.
$(BUILD)/ksyms-empty.o: tools/ksyms-empty.S | deps
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o

$(BUILD)/tools/mksyms: tools/mksyms.c
	@mkdir -p $(dir $@)
	gcc -O2 -Wall -o $@ $<

$(BUILD)/ksyms.bin: $(BUILD)/kernel.pass1.elf $(BUILD)/tools/mksyms
	$(NM) -n --defined-only $< | $(BUILD)/tools/mksyms > $@

$(BUILD)/ksyms.o: tools/ksyms.S $(BUILD)/ksyms.bin
	$(CC) $(KERNEL_ASFLAGS) -DKSYMS_BIN='"$(BUILD)/ksyms.bin"' -c $< -o $@

$(KERNEL): $(KERNEL_OBJS) $(BUILD)/ksyms.o linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms.o
	@$(NM) -n --defined-only $(BUILD)/kernel.pass1.elf | grep -v -e ksyms -e kernel_image_end > $(BUILD)/syms.1
	@$(NM) -n --defined-only $@ | grep -v -e ksyms -e kernel_image_end > $(BUILD)/syms.2
	@cmp -s $(BUILD)/syms.1 $(BUILD)/syms.2 || { echo "error: symbol table moved the kernel's symbols"; exit 1; }

# ---- Components -------------------------------------------------------------
#
# Every directory components/NAME/ and drivers/NAME/ is one component: its .c
# and .S files, linked with the component runtime (libc/pinfold/) and libc
# into a position-independent image build/components/NAME.elf that the kernel
# loads at the component's own address.  If the directory has NAME.idl,
# tools/idlgen derives NAME_client.h (stubs for callers) and NAME_server.h
# (dispatch, and the declaration embedded for the kernel) in build/gen/.

COMPONENT_DIRS  := $(patsubst %/,%,$(wildcard components/*/ drivers/*/))
COMPONENT_NAMES := $(notdir $(COMPONENT_DIRS))
COMPONENT_ELFS  := $(patsubst %,$(BUILD)/components/%.elf,$(COMPONENT_NAMES))
COMPONENT_IDLS  := $(wildcard $(addsuffix /*.idl,$(COMPONENT_DIRS)))
GEN_HEADERS     := $(foreach i,$(COMPONENT_IDLS),$(BUILD)/gen/$(basename $(notdir $(i)))_client.h \
			$(BUILD)/gen/$(basename $(notdir $(i)))_server.h)

# No red zone: pdx_invoke() pushes RBP around SYSCALL (pinfold/pdx.h).
COMPONENT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-ffreestanding -fno-builtin -nostdinc -isystem $(GCC_INCLUDE) -fpie -fno-plt -mno-red-zone \
	-fno-stack-protector -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -I. -Ilibc/include -I$(BUILD)/gen
COMPONENT_LDFLAGS := -pie --no-dynamic-linker -z text -z norelro -z noexecstack \
	-z max-page-size=4096 -z separate-code -e component_start

# The component runtime (entry, dispatch loop) is linked whole into every
# image; libc is an archive, so that an image carries only the functions it
# calls (SHA-256, say, only in those that hash).
RUNTIME_SRCS := $(wildcard libc/pinfold/*.c libc/pinfold/*.S)
RUNTIME_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(RUNTIME_SRCS))
USER_LIBC    := $(BUILD)/user/libc.a
$(USER_LIBC): $(patsubst %,$(BUILD)/user/%.o,$(LIBC_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The driver library (libdriver/): an archive, so that a component links only
# the parts it calls.
DRIVER_LIB_SRCS := $(wildcard libdriver/*.c)
DRIVER_LIB      := $(BUILD)/user/libdriver.a
$(DRIVER_LIB): $(patsubst %,$(BUILD)/user/%.o,$(DRIVER_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/tools/idlgen: tools/idlgen.c kernel/component/idl.c kernel/component/idl.h \
		kernel/component/manifest.c $(LIBC_SRCS)
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O2 -Wall -Wextra -fno-builtin -I. -Ilibc/include -o $@ \
		tools/idlgen.c kernel/component/idl.c kernel/component/manifest.c $(LIBC_SRCS)

$(BUILD)/gen/%_client.h $(BUILD)/gen/%_server.h: $(BUILD)/tools/idlgen
	@mkdir -p $(BUILD)/gen
	$(Q)$(BUILD)/tools/idlgen $* $(filter %/$*.idl,$(COMPONENT_IDLS)) $(BUILD)/gen

# The generated headers depend on their .idl; make finds it through COMPONENT_IDLS.
$(foreach i,$(COMPONENT_IDLS),$(eval $(BUILD)/gen/$(basename $(notdir $(i)))_client.h: $(i)))
$(foreach i,$(COMPONENT_IDLS),$(eval $(BUILD)/gen/$(basename $(notdir $(i)))_server.h: $(i)))

$(BUILD)/user/%.c.o: %.c $(GEN_HEADERS) | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (component)"
	$(Q)$(CC) $(COMPONENT_CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/user/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $< (component)"
	$(Q)$(CC) $(COMPONENT_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

-include $(wildcard $(BUILD)/user/*/*/*.d $(BUILD)/user/*/*.d)

define component_rule
$(BUILD)/components/$(notdir $(1)).elf: $(patsubst %,$(BUILD)/user/%.o,$(wildcard $(1)/*.c $(1)/*.S)) $(RUNTIME_OBJS) $(DRIVER_LIB) $(USER_LIBC)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$(LD) $(COMPONENT_LDFLAGS) -o $$@ $$^
endef
$(foreach d,$(COMPONENT_DIRS),$(eval $(call component_rule,$(d))))

# ---- The ISO ------------------------------------------------------------------
#
# GRUB loads the kernel, the boot manifest and every component image as
# multiboot2 modules (boot/grub.cfg lists them where it says @MODULES@).

$(ISO): $(KERNEL) boot/grub.cfg boot/manifest $(COMPONENT_ELFS)
	@rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	cp $(KERNEL) $(BUILD)/isodir/boot/kernel.elf
	cp boot/manifest $(COMPONENT_ELFS) $(BUILD)/isodir/boot/
	{ echo "	module2 /boot/manifest manifest"; \
	  for c in $(COMPONENT_NAMES); do echo "	module2 /boot/$$c.elf $$c.elf"; done; } > $(BUILD)/modules.cfg
	sed -e '/@MODULES@/{r $(BUILD)/modules.cfg' -e 'd}' boot/grub.cfg > $(BUILD)/isodir/boot/grub/grub.cfg
	@# Written aside and renamed, so a QEMU started meanwhile never reads half an ISO.
	grub-mkrescue -o $@.tmp $(BUILD)/isodir 2>$(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }
	mv $@.tmp $@

# The machine of DESIGN.md "Platform".  Tests build their own command lines
# from the same pieces (tests/system/qemu.py).
QEMU      := qemu-system-x86_64
QEMU_ARGS := -M q35 -accel tcg -cpu max -m 512M -smp 1 -nic none \
	-device intel-iommu,intremap=on -device edu,addr=02.0,dma_mask=0xffffffffffffffff \
	-display none -no-reboot

# A small disk on AHCI port 0 for `make run`: a FAT32 file system with a
# README on it (boot/disk-readme.txt), so that `ls` and `cat README.TXT` work
# at once.  Made once and kept between runs, so what is written to it stays:
# it depends on nothing but its tools (delete it to start afresh).  The CD is
# on port 2 (ide.2); -boot order=d keeps SeaBIOS from trying the disk first.
DISK_IMG  := $(BUILD)/disk-fat.img
DISK_ARGS := -drive file=$(DISK_IMG),if=none,id=disk0,format=raw \
	-device ide-hd,drive=disk0,bus=ide.0 -boot order=d
# dosfstools installs into /usr/sbin, which a user's PATH may lack.
MKFS_VFAT := $(shell command -v mkfs.vfat 2>/dev/null || echo /usr/sbin/mkfs.vfat)

$(DISK_IMG): | deps
	@mkdir -p $(dir $@)
	@rm -f $@.tmp
	truncate -s 64M $@.tmp
	$(MKFS_VFAT) -F 32 -n PINFOLD $@.tmp >/dev/null
	MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp boot/disk-readme.txt ::/README.TXT
	@# Renamed only when whole, so an interrupted make leaves no half-made disk behind.
	mv $@.tmp $@

run: $(ISO) $(DISK_IMG)
	@echo "Pinfold: quit QEMU with Ctrl-A X"
	$(QEMU) $(QEMU_ARGS) $(DISK_ARGS) -serial mon:stdio -cdrom $(ISO)

debug: $(ISO) $(DISK_IMG)
	@printf 'file %s\ntarget remote localhost:%s\n' $(abspath $(KERNEL)) $(GDBPORT) > $(BUILD)/.gdbinit
	@echo "Pinfold: QEMU waits for GDB on port $(GDBPORT): in another terminal run  gdb -x $(BUILD)/.gdbinit"
	$(QEMU) $(QEMU_ARGS) $(DISK_ARGS) -serial mon:stdio -cdrom $(ISO) -S -gdb tcp::$(GDBPORT)

# A per-user port, as xv6 does, so two users of one machine do not collide.
GDBPORT := $(shell expr `id -u` % 5000 + 25000)

UNIT_EXTRA :=
-include tests/unit/unit.mk

# The list of sources as a file that changes only when the list does, so
# that deleting a test file rebuilds the binary too (a missing prerequisite
# would not).
UNIT_LIST := $(BUILD)/host/unit.sources
$(UNIT_LIST): FORCE
	@mkdir -p $(dir $@)
	@echo $(UNIT_SRCS) $(HOST_SRCS) $(UNIT_EXTRA) > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@
.PHONY: FORCE
FORCE:

$(UNIT_BIN): $(UNIT_LIST) $(UNIT_SRCS) $(HOST_SRCS) $(UNIT_EXTRA) $(wildcard tests/unit/*.h kernel/*.h kernel/*/*.h libc/include/*.h drivers/*/*.h) tests/unit/unit_main.c | deps
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O1 -g -Wall -fsanitize=address,undefined -c tests/unit/unit_main.c -o $(BUILD)/host/unit_main.o
	gcc $(HOST_CFLAGS) -o $@ $(BUILD)/host/unit_main.o $(UNIT_SRCS) $(HOST_SRCS) $(UNIT_EXTRA)

unit: $(UNIT_BIN)
	$(UNIT_BIN) $(T)

# Host tools built from component sources: the FAT library (and Pinfold's
# libc) with the sanitizers, the tool's own file with the host's C library.
FATTOOL := $(BUILD)/host/fattool
FATTOOL_SRCS := tools/fattool.c tools/fattool_fuzz.c
$(FATTOOL): $(FATTOOL_SRCS) tools/fattool.h $(FAT_SRCS) $(wildcard components/fat/*.h) $(LIBC_SRCS) \
		$(wildcard libc/include/*.h) | deps
	@mkdir -p $(BUILD)/host/fattool.d
	$(foreach f,$(FATTOOL_SRCS),gcc -std=gnu11 -O1 -g -Wall -Wextra -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -I. -c $(f) -o $(BUILD)/host/fattool.d/$(notdir $(f)).o &&) true
	gcc $(HOST_CFLAGS) -o $@ $(patsubst %,$(BUILD)/host/fattool.d/%.o,$(notdir $(FATTOOL_SRCS))) \
		$(FAT_SRCS) $(LIBC_SRCS)

# Tests of host tools against Debian's dosfstools and mtools (tests/host).  A
# T that selects none of them is not a failure (pytest's status 5), so that
# `make test T=pattern` goes on to the system tests.
.PHONY: hosttest
hosttest: $(FATTOOL)
	$(PYTHON) -m pytest -q tests/host $(if $(T),-k '$(T)') || [ $$? = 5 ]

systest: $(ISO)
	$(PYTHON) -m pytest -n auto tests/system $(if $(T),-k '$(T)')

test: unit hosttest systest

bench: bench-boot bench-ipc bench-restart bench-irq bench-pin bench-disk
bench-boot: $(ISO)
	$(PYTHON) tools/bootbench.py
bench-ipc: $(ISO)
	$(PYTHON) tools/benchipc.py
bench-restart: $(ISO)
	$(PYTHON) tools/benchrestart.py
bench-irq: $(ISO)
	$(PYTHON) tools/benchirq.py
bench-pin: $(ISO)
	$(PYTHON) tools/benchpin.py
# Sequential disk reads (bench disk) in Pinfold; then the same machine running Linux, side
# by side (installs Debian's linux-image-amd64 and busybox-static with apt-get if missing).
bench-disk: $(ISO)
	$(PYTHON) tools/benchdisk.py
bench-linux-disk: $(ISO)
	$(PYTHON) tools/linuxdisk/compare.py

clean:
	rm -rf $(BUILD)
