#!/bin/sh
# deps.sh — installs the Debian packages the build and the tests need, if any
# of their commands is missing.  Run by make before building; quiet when all
# is present.  Uses sudo when not root.
set -e

need=""
check() {   # check COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
check gcc gcc
check ld binutils
check make make
check grub-mkrescue grub-common
[ -d /usr/lib/grub/i386-pc ] || need="$need grub-pc-bin"
check xorriso xorriso
check mformat mtools
check mcopy mtools          # FAT images (tests, make run's disk) are filled and read with mtools
# dosfstools: the FAT images of the tests and of `make run` are made by mkfs.vfat,
# and what Pinfold wrote is checked by fsck.vfat.  Both live in /usr/sbin, which
# a user's PATH may lack.
[ -x /usr/sbin/mkfs.vfat ] || check mkfs.vfat dosfstools
[ -x /usr/sbin/fsck.vfat ] || check fsck.vfat dosfstools
check qemu-system-x86_64 qemu-system-x86
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need="$need python3-pytest"
/usr/bin/python3 -c 'import xdist' 2>/dev/null || need="$need python3-pytest-xdist"

[ -z "$need" ] && exit 0

echo "deps: installing missing Debian packages:$need"
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $need
