"""Hostile or odd files in goals/: links, pipes, devices, huge numbers, odd ids.

Each test is one finding of the hardening review; none may hang, crash or read
a file outside the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from malpl.checks import check
from malpl.text import invisible_characters, paragraphs, visible


def _codes(root: Path, *paths: Path) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in check(root, paths).problems]


def test_link_outside_the_repository_is_refused_and_never_read(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text('id: "7"\nlevel: utvecklingsmal\ntitle: HEMLIG-TEXT\n')
    os.symlink(secret, repo / "goals" / "secret.yaml")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.yaml").write_text('id: "8"\nlevel: utvecklingsmal\ntitle: x\n')
    os.symlink(outside, repo / "goals" / "folder")
    result = check(repo)
    assert [(p.path, p.code) for p in result.problems] == [
        ("goals/folder", "outside-repository"), ("goals/secret.yaml", "outside-repository")]
    assert "HEMLIG" not in repr(result.problems)
    assert result.goals == 3


def test_link_inside_the_repository_is_followed(repo: Path) -> None:
    (repo / "more").mkdir()
    (repo / "more" / "8.yaml").write_text('id: "8"\nlevel: utvecklingsmal\ntitle: Länkad\n')
    os.symlink("../more", repo / "goals" / "more")
    result = check(repo)
    assert result.problems == [] and result.goals == 4


def test_link_loop_and_dangling_link_are_reported(repo: Path) -> None:
    os.symlink("..", repo / "goals" / "loop")
    os.symlink("/nonexistent/x.yaml", repo / "goals" / "dead.yaml")
    assert _codes(repo) == [("goals/dead.yaml", "unreadable"), ("goals/loop", "unreadable")]


def test_fifo_and_device_do_not_hang(repo: Path) -> None:
    os.mkfifo(repo / "goals" / "pipe.yaml")
    assert _codes(repo) == [("goals/pipe.yaml", "unreadable")]
    assert _codes(repo, Path("/dev/zero")) == [("/dev/zero", "unreadable")]


def test_huge_integer_and_float_are_problems_not_crashes(repo: Path) -> None:
    (repo / "goals" / "n.yaml").write_text(
        'id: "9"\nlevel: utvecklingsmal\ntitle: x\nmeasures:\n  - id: m9\n    name: n\n'
        f"    values: {{2020: {'9' * 5000}, 2021: 1.0e308, 2022: -1.0e308}}\n")
    problems = check(repo).problems
    assert [(p.code, p.column) for p in problems] == [
        ("invalid-value", 20), ("value-range", 5028), ("value-range", 5043)]
    assert "too long" in problems[0].message


def test_long_id_and_id_with_newline_are_invalid(repo: Path) -> None:
    (repo / "goals" / "a.yaml").write_text(
        f'id: "{"1" * 300}"\nlevel: utvecklingsmal\ntitle: x\n')
    (repo / "goals" / "b.yaml").write_text('id: "9.8\\n"\nlevel: utvecklingsmal\ntitle: x\n')
    (repo / "goals" / "c.yaml").write_text('id: "1:2"\nlevel: utvecklingsmal\ntitle: x\n')
    assert _codes(repo) == [("goals/a.yaml", "invalid-id"), ("goals/b.yaml", "invalid-id")]


def test_one_rule_for_paragraphs_and_invisible_characters() -> None:
    text = "\u00a0Första\u2028samma stycke\x1c\u3000\nAndra \x1b[2J\u202e\r\n\n"
    assert paragraphs(text) == ["\u00a0Första\u2028samma stycke\x1c\u3000", "Andra \x1b[2J\u202e"]
    assert visible("a\x1b[2Jb\x9b\u202e\x00\x7f\tc") == "a␛[2Jb<U+009B><U+202E>␀␡\tc"
    # Text without a noncharacter beyond U+FFFF is scanned with the faster pattern; both
    # find the same characters.
    assert invisible_characters("å\x1bä\u2029") == ["U+001B", "U+2029"]
    assert invisible_characters("å\x1b\U0001fffe\U0001f600") == ["U+001B", "U+1FFFE"]
