"""`malpl diff` reads what changed: blob ids first, then only the files that differ and
those that may name their ids; the changes are those of comparing everything."""

from __future__ import annotations

from pathlib import Path

import pytest

import malpl.git
import malpl.sources
import malpl.versions
from malpl import diff as diffs
from malpl.repository import load_at
from tests.cli_runner import invoke
from tests.test_diff import commit, edit, git

FILES = 30


def goal_text(n: int, parent: str | None = None, title: str = "") -> str:
    level = "utvecklingsmal" if parent else "inriktningsmal"
    lines = [f'id: "{n}"', f"level: {level}", f"title: {title or f'Mål nummer {n}'}"]
    if parent:
        lines.append(f'parent: "{parent}"')
    lines += ["targets:", f'  - id: "{n}.1"', f"    text: Delmål {n}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """Goals 1–10 at the top, 11–30 each serving one of them (11 and 21 serve 1, …)."""
    root = tmp_path / "many"
    (root / "goals").mkdir(parents=True)
    (root / "malpl.yaml").write_text("title: Många mål\n", encoding="utf-8")
    for n in range(1, FILES + 1):
        parent = str((n - 1) % 10 + 1) if n > 10 else None
        (root / "goals" / f"{n}.yaml").write_text(goal_text(n, parent), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Alla mål")
    return root


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every file parsed, on disk or in a revision."""
    names: list[str] = []
    real = malpl.sources.load_bytes
    monkeypatch.setattr(malpl.sources, "load_bytes",
                        lambda name, blob: names.append(name) or real(name, blob))
    return names


def files_of(names: list[str]) -> set[str]:
    return {name.rpartition(":")[2] for name in names}


def whole(root: Path, old: str, new: str | None) -> list[diffs.Change]:
    """What comparing every file of both sides finds."""
    return diffs.diff(load_at(root, old), load_at(root, new))


def test_a_commit_of_three_changed_files_parses_those_three(many: Path,
                                                            parsed: list[str]) -> None:
    for n in (14, 17, 19):
        edit(many / "goals" / f"{n}.yaml", f"Delmål {n}", f"Delmål {n}, skärpt")
    commit(many, "Tre delmål")
    result = diffs.diff_revisions(many, "HEAD~1..HEAD")
    assert [(c.id, c.field) for c in result.changes] == [("14.1", "text"), ("17.1", "text"),
                                                          ("19.1", "text")]
    # the three, the configuration, and the files that name an id of theirs: their parents
    # (4, 7, 9) and the goals that serve the same parents (24, 27, 29)
    assert files_of(parsed) == {"malpl.yaml", *(f"goals/{n}.yaml" for n in (
        14, 17, 19, 4, 7, 9, 24, 27, 29))}
    assert result.notes == []
    parsed.clear()
    assert whole(many, "HEAD~1", "HEAD") == result.changes
    assert len(files_of(parsed)) == FILES + 1  # what it used to read


def test_the_working_tree_is_compared_by_what_its_files_hold(many: Path,
                                                            parsed: list[str]) -> None:
    """Modified, new (untracked) and removed files are read; a file touched but not changed,
    and one written back as it was, are not."""
    edit(many / "goals" / "25.yaml", "Delmål 25", "Delmål 25, nytt")
    (many / "goals" / "31.yaml").write_text(goal_text(31, "3"), encoding="utf-8")
    (many / "goals" / "28.yaml").unlink()
    same = many / "goals" / "26.yaml"
    same.write_text(same.read_text(encoding="utf-8"), encoding="utf-8")
    result = diffs.diff_revisions(many)
    assert {(c.action, c.id) for c in result.changes} == {
        ("added", "31"), ("removed", "28"), ("changed", "25.1"), ("added", "31.1"),
        ("removed", "28.1")}
    assert "goals/26.yaml" not in files_of(parsed)
    assert files_of(parsed) == {"malpl.yaml", *(f"goals/{n}.yaml" for n in (
        25, 28, 31, 5, 8, 3, 15, 18, 13, 23))}
    assert whole(many, "HEAD", None) == result.changes


def test_a_changed_goal_reads_the_goals_that_name_it(many: Path, parsed: list[str]) -> None:
    """Goal 1's children (11, 21) name it: read with it, they see it go."""
    (many / "goals" / "1.yaml").unlink()
    result = diffs.diff_revisions(many)
    assert files_of(parsed) == {"malpl.yaml", "goals/1.yaml", "goals/11.yaml", "goals/21.yaml"}
    assert [(c.action, c.id) for c in result.changes] == [("removed", "1"), ("removed", "1.1")]
    # the children's new error is the change's doing: said, as comparing everything says it
    assert [n.split(": error")[0] for n in result.notes] == [
        "working tree: goals/11.yaml:4:9", "working tree: goals/21.yaml:4:9"]
    assert all("parent goal '1' does not exist" in n for n in result.notes)


def test_an_id_taken_twice_is_found_in_a_file_the_change_left_alone(many: Path) -> None:
    (many / "goals" / "copy.yaml").write_text(goal_text(5, title="Kopia"), encoding="utf-8")
    result = diffs.diff_revisions(many)
    assert result.changes == whole(many, "HEAD", None)
    assert [(c.id, c.field) for c in result.changes] == [("5", "title")]  # 5 against its copy
    assert [n.split(": error")[0] for n in result.notes] == ["working tree: goals/copy.yaml:1:5",
                                                             "working tree: goals/copy.yaml:5:9"]
    assert all("error[duplicate-id]" in n for n in result.notes)


def test_a_configuration_change_reads_everything(many: Path, parsed: list[str]) -> None:
    """malpl.yaml changes what every goal file means: all are read, and compared."""
    edit(many / "malpl.yaml", "title: Många mål", "title: Många mål\nlevels:\n"
         "  - {key: inriktningsmal, label: Inriktningsmål}")
    result = diffs.diff_revisions(many)
    assert len(files_of(parsed)) == FILES + 1
    assert [c.field for c in result.changes] == ["levels"]
    assert len(result.notes) == FILES - 10  # every goal on the level that went


def test_a_file_left_alone_is_not_noted_and_a_changed_one_is(many: Path) -> None:
    (many / "goals" / "bad.yaml").write_text('id: "40"\nlevel: inriktningsmal\ntitel: x\n',
                                             encoding="utf-8")
    commit(many, "Trasig")
    assert diffs.diff_revisions(many).notes == []
    edit(many / "goals" / "bad.yaml", "titel: x", "titel: y")
    notes = diffs.diff_revisions(many).notes
    assert notes == ["HEAD:goals/bad.yaml:3:1: error[unknown-field]: unknown field 'titel'",
                     "working tree: goals/bad.yaml:3:1: error[unknown-field]: unknown field "
                     "'titel'"]


def test_an_id_written_with_an_escape_is_still_found(many: Path, parsed: list[str]) -> None:
    """A file that may spell an id through an escape ("\\x32" is "2") is read with it."""
    edit(many / "goals" / "12.yaml", 'parent: "2"', 'parent: "\\x32"')
    commit(many, "Escape")
    (many / "goals" / "2.yaml").unlink()
    result = diffs.diff_revisions(many)
    assert "goals/12.yaml" in files_of(parsed)
    assert any(n.startswith("working tree: goals/12.yaml:4:9") for n in result.notes), result.notes


def test_swedish_notes_of_a_change_in_the_working_tree(many: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_LANG", "sv")
    (many / "goals" / "1.yaml").unlink()
    result = invoke(["-C", str(many), "diff"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "mål 1 har tagits bort: Mål nummer 1"
    assert result.stderr.startswith("obs: filerna på disken: goals/11.yaml:4:9: ")
    assert result.stderr.splitlines()[0].endswith("(utelämnad ur jämförelsen)")


def test_a_git_without_perl_expressions_finds_them_as_words(many: Path, parsed: list[str],
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """Without PCRE, "1" is looked for as a word: found in "11.1" too, so more files are
    read and none is missed."""
    real = malpl.git.grep
    monkeypatch.setattr(malpl.git, "grep", lambda root, commit, patterns, paths, how:
                        None if how == ["-P"] else real(root, commit, patterns, paths, how))
    edit(many / "goals" / "11.yaml", "Delmål 11", "Delmål 11, skärpt")
    result = diffs.diff_revisions(many)
    assert [(c.id, c.field) for c in result.changes] == [("11.1", "text")]
    assert {"goals/1.yaml", "goals/21.yaml"} <= files_of(parsed)
    assert result.changes == whole(many, "HEAD", None)


def test_log_reads_of_the_first_commit_only_the_files_that_name_the_id(
        many: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The first commit adds every file; the history of goal 4 needs 4, the goals that serve
    it (14, 24) and what names their ids (none here), and finds what reading all finds."""
    edit(many / "goals" / "14.yaml", "Delmål 14", "Delmål 14, skärpt")
    commit(many, "Skärpt")
    monkeypatch.setattr(malpl.versions, "load_bytes", malpl.sources.load_bytes)
    entries = diffs.history(many, "4")
    assert [e.commit.subject for e in entries] == ["Alla mål"]
    assert files_of(parsed) == {"malpl.yaml", "goals/4.yaml", "goals/14.yaml", "goals/24.yaml"}
    every = {ident: diffs.history(many, ident) for ident in ("4", "14.1", "24")}
    monkeypatch.setattr(diffs._Walk, "files", lambda self, commit, short: commit.files)
    for ident, found in every.items():
        assert [(e.commit.sha, e.changes, e.notes) for e in found] == [
            (e.commit.sha, e.changes, e.notes) for e in diffs.history(many, ident)], ident
