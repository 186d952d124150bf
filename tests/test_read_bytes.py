"""Reading a file reads what it holds, however large its size says it is, up to the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from malpl.layout import MAX_FILE_BYTES
from malpl.sources import read_bytes
from malpl.yamlsource import Source


def test_a_file_that_holds_more_than_its_size_says_is_read_whole() -> None:
    """/proc files say they are empty and are not; a file may also grow while read."""
    proc = Path("/proc/self/mountinfo")
    if not proc.is_file() or proc.stat().st_size:
        pytest.skip("needs a /proc file of size 0")
    content = read_bytes(proc, Path("/"))
    assert isinstance(content, bytes)
    assert len(content) > 1 and content.endswith(b"\n")


def test_a_file_over_the_limit_is_a_problem(tmp_path: Path) -> None:
    big = tmp_path / "goals" / "big.yaml"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    content = read_bytes(big, tmp_path)
    assert isinstance(content, Source)
    assert [(p.path, p.code) for p in content.problems] == [("goals/big.yaml", "unreadable")]
    assert "larger than 64 MB" in content.problems[0].message


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    edge = tmp_path / "edge.yaml"
    with edge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES)
    content = read_bytes(edge, tmp_path)
    assert isinstance(content, bytes) and len(content) == MAX_FILE_BYTES
