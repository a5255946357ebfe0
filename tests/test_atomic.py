import os
import stat

import pytest

from mention_insight.io.atomic import atomic_directory, atomic_file, write_text
from mention_insight.io.writer import RowWriter


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_completed_write_replaces_the_file_with_default_permissions(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "new")
    assert target.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_permissions_can_be_private(tmp_path):
    target = tmp_path / "key"
    with atomic_file(target, permissions=0o600) as fh:
        fh.write("secret")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_directories_are_swapped_in_whole(tmp_path):
    target = tmp_path / "model"
    with atomic_directory(target) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(FileExistsError), atomic_directory(target):
        pass
    with pytest.raises(RuntimeError), atomic_directory(target, overwrite=True) as tmp:
        (tmp / "b").write_text("2")
        raise RuntimeError("interrupted")
    assert sorted(os.listdir(target)) == ["a"]
    assert sorted(os.listdir(tmp_path)) == ["model"]
    with atomic_directory(target, overwrite=True) as tmp:
        (tmp / "b").write_text("2")
    assert sorted(os.listdir(target)) == ["b"]
    assert sorted(os.listdir(tmp_path)) == ["model"]


def test_row_writer_aborts_without_touching_the_target(tmp_path):
    target = tmp_path / "rows.csv"
    target.write_text("keep")
    with pytest.raises(ValueError), RowWriter(target, "csv", ["a"]) as w:
        w.write({"a": 1})
        raise ValueError("bad row")
    assert target.read_text() == "keep"
    assert os.listdir(tmp_path) == ["rows.csv"]
    with RowWriter(target, "csv", ["a", "b"]) as w:
        w.write({"a": "x", "b": ("p", "q")})
    assert target.read_text().splitlines() == ["a,b", "x,p;q"]
