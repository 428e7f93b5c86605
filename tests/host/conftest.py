"""
conftest.py — fixtures for the host tests of the FAT library (through build/host/fattool).

  populated(kind)   session-wide: an image of fatimg.KINDS made by mkfs.vfat and filled by
                    mcopy with fatimg.random_tree(TREE_SEED), as (path, files, dirs); tests
                    that change an image work on a copy (fresh_copy)
  partitioned       the same tree in the first partition of an MBR disk
  fresh_copy(src)   a private sparse copy of an image in the test's tmp_path

The tests need dosfstools and mtools (tools/deps.sh installs them): without them they fail,
they are not skipped, so a machine that cannot check the library never reports success.
"""
import shutil

import pytest

import fatimg

TREE_SEED = 20250101


def pytest_sessionstart(session):
    missing = [t for t in (fatimg.MKFS, fatimg.FSCK, "mcopy", "mdir", "mmd")
               if shutil.which(t) is None]
    if missing:
        raise pytest.UsageError("missing tools %s: run tools/deps.sh" % " ".join(missing))
    if not fatimg.FATTOOL.exists():
        raise pytest.UsageError("%s is not built: run make hosttest" % fatimg.FATTOOL)


@pytest.fixture(scope="session")
def tree():
    return fatimg.random_tree(TREE_SEED)


@pytest.fixture(scope="session")
def populated(tmp_path_factory, tree):
    files, dirs = tree
    made = {}

    def get(kind):
        if kind not in made:
            work = tmp_path_factory.mktemp(kind)
            image = fatimg.make_image(work / (kind + ".img"), kind, files, dirs, work)
            made[kind] = image
        return made[kind]
    return get


@pytest.fixture(scope="session")
def partitioned(tmp_path_factory, tree):
    files, dirs = tree
    work = tmp_path_factory.mktemp("mbr")
    return fatimg.make_partitioned(work / "mbr.img", files, dirs, work)


@pytest.fixture
def fresh_copy(tmp_path):
    def copy(src, name="copy.img"):
        return fatimg.copy_sparse(src, tmp_path / name)
    return copy
