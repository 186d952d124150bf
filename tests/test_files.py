"""The one way malpl replaces a file: whole or not at all, with a person's permissions."""

from __future__ import annotations

import io
import os
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
