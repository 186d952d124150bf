"""The one way malpl replaces a file: whole or not at all, with a person's permissions."""

from __future__ import annotations

import fnmatch
import io
import os
import subprocess
import time
from pathlib import Path

import pytest

from malpl import files


def test_replace_writes_the_whole_content_with_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "rapport.md"
    target.write_text("gammal", encoding="utf-8")
    files.replace(target, "ny text ✓".encode())
    assert target.read_text(encoding="utf-8") == "ny text ✓"
    assert target.stat().st_mode & 0o777 == files.usual_mode()
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.md"]


def test_replace_copies_from_a_stream(tmp_path: Path) -> None:
    target = tmp_path / "r.docx"
    files.replace(target, io.BytesIO(b"PK\x03\x04" * 10_000))
    assert target.read_bytes() == b"PK\x03\x04" * 10_000


class _Broken(io.RawIOBase):
    """A source that fails half-way, as a full disk or Ctrl-C would."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        raise OSError(28, "No space left on device")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "mål.yaml"
    target.write_text("id: '1'\n", encoding="utf-8")
    with pytest.raises(OSError):
        files.replace(target, io.BufferedReader(_Broken()))
    assert target.read_text(encoding="utf-8") == "id: '1'\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mål.yaml"]


def test_stage_keeps_the_mode_asked_for_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "goals" / "1.yaml"
    target.parent.mkdir()
    temp = files.stage(target, b"x", mode=0o640, prefix=".malpl-")
    assert temp.parent == target.parent and temp.name.startswith(".malpl-1.yaml.")
    assert temp.stat().st_mode & 0o777 == 0o640
    os.replace(temp, target)
    assert target.read_bytes() == b"x"


def test_a_temporary_name_says_it_is_malpls_and_gitignore_covers_it(tmp_path: Path) -> None:
    temp = files.stage(tmp_path / ("å" * 120 + ".yaml"), b"x")  # 240 bytes of name
    assert f".malpl-{os.getpid()}-" in temp.name and temp.name.endswith(".tmp")
    assert fnmatch.fnmatchcase(temp.name, files.GITIGNORE)


def test_remove_stale_takes_only_temporary_files_of_runs_that_are_over(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])  # a process that has ended
    gone.wait()
    nested = tmp_path / "tn"
    nested.mkdir()
    dead = nested / f".6.9.yaml.malpl-{gone.pid}-abcd_123.tmp"
    dead.write_bytes(b"half")
    mine = files.stage(tmp_path / "6.10.yaml", b"being written")  # this process: on
    old_mine = files.stage(tmp_path / "6.11.yaml", b"an hour and more")
    hour_ago = time.time() - 3700
    os.utime(old_mine, (hour_ago, hour_ago))
    fresh = tmp_path / f".6.12.yaml.malpl-{gone.pid}-abcdefgh.tmp"
    fresh.write_bytes(b"after the run started")
    people = [tmp_path / ".6.9.yaml.abcdefgh.tmp", tmp_path / "6.9.yaml.malpl-1-abcdefgh.tmp",
              tmp_path / f".6.9.yaml.malpl-{gone.pid}-abcdefghi.tmp", tmp_path / "notes.tmp"]
    for path in people:
        path.write_text("a person's file")
    folder = tmp_path / f".x.malpl-{gone.pid}-abcdefgh.tmp"
    folder.mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    beyond = outside / dead.name
    beyond.write_bytes(b"not under the folder")
    (tmp_path / "link").symlink_to(outside, target_is_directory=True)
    started = time.time()
    os.utime(fresh, (started + 5, started + 5))
    removed = files.remove_stale(tmp_path, started)
    assert sorted(removed) == sorted([dead, old_mine])
    assert not dead.exists() and not old_mine.exists()
    assert mine.exists() and fresh.exists() and folder.is_dir() and beyond.exists()
    assert all(p.exists() for p in people)
