# Pinfold — build, run and test.
#
#   make            the bootable ISO (build/pinfold.iso)
#   make run        boot it in QEMU with the console on this terminal (Ctrl-A X quits)
#   make debug      the same, QEMU waiting for GDB (see build/.gdbinit)
#   make test       host unit tests, then every QEMU system test; T=pattern selects tests
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
KERNEL_SRCS := $(wildcard kernel/*.c kernel/*/*.c) $(LIBC_SRCS)
KERNEL_ASMS := $(wildcard boot/*.S kernel/*/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS) $(KERNEL_ASMS))

# Host unit tests: the pure parts of the kernel (no hardware access), built
# with the host compiler and sanitizers.  Each directory listed here must stay
# free of inline assembly and port or MMIO access.
HOST_SRCS := $(LIBC_SRCS) $(wildcard kernel/acpi/*.c) kernel/mm/memmap.c \
	kernel/mm/pagetable.c kernel/bootopt.c kernel/multiboot.c
UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/data/*.c)
UNIT_BIN  := $(BUILD)/host/unit
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -fno-builtin -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -I. -Ilibc/include -DHOST_TEST

.PHONY: all iso run debug test unit systest bench bench-boot clean deps
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

$(ISO): $(KERNEL) boot/grub.cfg
	@rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	cp $(KERNEL) $(BUILD)/isodir/boot/kernel.elf
	cp boot/grub.cfg $(BUILD)/isodir/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/isodir 2>$(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# The machine of DESIGN.md "Platform".  Tests build their own command lines
# from the same pieces (tests/system/qemu.py).
QEMU      := qemu-system-x86_64
QEMU_ARGS := -M q35 -accel tcg -cpu max -m 512M -smp 1 -nic none \
	-device intel-iommu,intremap=on -device edu,dma_mask=0xffffffffffffffff \
	-display none -no-reboot

run: $(ISO)
	@echo "Pinfold: quit QEMU with Ctrl-A X"
	$(QEMU) $(QEMU_ARGS) -serial mon:stdio -cdrom $(ISO)

debug: $(ISO)
	@printf 'file %s\ntarget remote localhost:%s\n' $(abspath $(KERNEL)) $(GDBPORT) > $(BUILD)/.gdbinit
	@echo "Pinfold: QEMU waits for GDB on port $(GDBPORT): in another terminal run  gdb -x $(BUILD)/.gdbinit"
	$(QEMU) $(QEMU_ARGS) -serial mon:stdio -cdrom $(ISO) -S -gdb tcp::$(GDBPORT)

# A per-user port, as xv6 does, so two users of one machine do not collide.
GDBPORT := $(shell expr `id -u` % 5000 + 25000)

$(UNIT_BIN): $(UNIT_SRCS) $(HOST_SRCS) $(wildcard tests/unit/*.h kernel/*.h kernel/*/*.h libc/include/*.h) tests/unit/unit_main.c | deps
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O1 -g -Wall -fsanitize=address,undefined -c tests/unit/unit_main.c -o $(BUILD)/host/unit_main.o
	gcc $(HOST_CFLAGS) -o $@ $(BUILD)/host/unit_main.o $(UNIT_SRCS) $(HOST_SRCS)

unit: $(UNIT_BIN)
	$(UNIT_BIN) $(T)

systest: $(ISO)
	$(PYTHON) -m pytest tests/system $(if $(T),-k '$(T)')

test: unit systest

bench: bench-boot
bench-boot: $(ISO)
	$(PYTHON) tools/bootbench.py

clean:
	rm -rf $(BUILD)
