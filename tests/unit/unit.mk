# tests/unit/unit.mk — extra inputs of the host unit-test binary.
#
# The Makefile includes this file before its $(UNIT_BIN) rule and links
# $(UNIT_EXTRA) into the binary.  Here: the component ELF loader
# (kernel/component/elf.c) and, for its tests (tests/unit/test_elf.c), a real
# component image built from tests/unit/elf_sample/sample.c with exactly the
# flags components are built with, embedded as bytes by embed.S.

UNIT_SAMPLE_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -ffreestanding -fno-builtin -nostdinc \
	-isystem $(GCC_INCLUDE) -fpie -fno-plt -fno-stack-protector -mgeneral-regs-only \
	-fno-omit-frame-pointer
UNIT_SAMPLE_LDFLAGS := -pie --no-dynamic-linker -z text -z norelro -z noexecstack \
	-z max-page-size=4096 -z separate-code -e component_start

UNIT_EXTRA += kernel/component/elf.c kernel/component/pins.c $(BUILD)/host/elf_sample.o

$(BUILD)/host/sample.o: tests/unit/elf_sample/sample.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_SAMPLE_CFLAGS) -c $< -o $@

$(BUILD)/host/sample.elf: $(BUILD)/host/sample.o
	$(LD) $(UNIT_SAMPLE_LDFLAGS) -o $@ $<

$(BUILD)/host/elf_sample.o: tests/unit/elf_sample/embed.S $(BUILD)/host/sample.elf
	gcc -DSAMPLE_ELF='"$(BUILD)/host/sample.elf"' -c $< -o $@
