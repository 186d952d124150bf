"""`malpl period open/close` and the editing under them, on real files and real git."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from malpl.lifecycle.edit import EditError, Plan
from tests.cli_runner import invoke
from tests.conftest import FIXTURES, ROOT

GIT_ENV = {"GIT_AUTHOR_NAME": "Controller", "GIT_AUTHOR_EMAIL": "c@example.se",
           "GIT_COMMITTER_NAME": "Controller", "GIT_COMMITTER_EMAIL": "c@example.se"}


def run(root: Path, *args: str):
    return invoke(["-C", str(root), *args])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def copy(source: Path, tmp_path: Path) -> Path:
    """A repository's malpl.yaml and goals/ in a temporary folder."""
    target = tmp_path / source.name
    shutil.copytree(source / "goals", target / "goals")
    shutil.copy(source / "malpl.yaml", target)
    return target


def only_added_lines(before: bytes, after: bytes) -> list[str]:
    """The lines added; fails if any line was changed or removed."""
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    assert all(tag in ("equal", "insert") for tag, *_ in ops), ops
    return [line for tag, _, _, j1, j2 in ops if tag == "insert" for line in new[j1:j2]]


REPOS = [ROOT, FIXTURES / "kommun", FIXTURES / "statistik"]


@pytest.mark.parametrize("source", REPOS, ids=["ange", "kommun", "statistik"])
@pytest.mark.parametrize("flags", [[], ["--carry-comment"]])
def test_period_open_only_adds_lines_in_every_shipped_file(source: Path, flags: list[str],
                                                           tmp_path: Path) -> None:
    root = copy(source, tmp_path)
    before = snapshot(root)
    result = run(root, "period", "open", "T3-2024", *flags)
    assert result.exit_code == 0, result.output
    after = snapshot(root)
    assert after.keys() == before.keys()
    added = [line for name in before for line in only_added_lines(before[name], after[name])]
    assert added and any("T3-2024:" in line for line in added)
    assert run(root, "check").exit_code == 0
    again = snapshot(root)
    assert run(root, "period", "open", "T3-2024").output == "nothing to change\n"
    assert snapshot(root) == again


def test_period_open_lists_every_place_in_todo(shipped: Path) -> None:
    assert run(shipped, "period", "open", "T2-2023").exit_code == 0
    todo = run(shipped, "todo", "T2-2023", "--format", "json")
    import json

    listed = {i["target"] for items in json.loads(todo.output).values() for i in items}
    assert "1.13" in listed  # a goal with nothing under it got its own follow-up
    text = (shipped / "goals/1.13.yaml").read_text()
    assert text.index("followups:") < text.index("measures:")


def test_period_open_carries_assessment_not_comment(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    assert run(root, "period", "open", "T2-2024", "--carry").exit_code == 0
    text = (root / "goals/bun/2.1.yaml").read_text()
    new = text[text.index("T2-2024"):]
    assert "forecast: uppfyllt" in new and "Lovskolan" not in new and "ready: false" in new


def test_period_open_dry_run_shows_diff_and_writes_nothing(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    result = run(root, "period", "open", "T2-2024", "--dry-run")
    assert result.exit_code == 0
    assert "+++ b/goals/tn/6.9.yaml" in result.output and "+      T2-2024:" in result.output
    assert snapshot(root) == before


def test_period_open_refuses_period_outside_scheme(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    result = run(root, "period", "open", "K2-2024")
    assert result.exit_code == 2 and "not a period of the scheme 'tertial'" in result.output
    assert snapshot(root) == before


def test_period_open_refuses_unknown_body(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    result = run(root, "period", "open", "T2-2024", "--body", "sn")
    assert result.exit_code == 2 and "there is no body 'sn'" in result.output
    assert snapshot(root) == before


def test_period_open_only_one_body(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    before = snapshot(root)
    assert run(root, "period", "open", "T2-2024", "-b", "tn").exit_code == 0
    changed = {n for n, b in snapshot(root).items() if before[n] != b}
    assert changed == {"goals/tn/6.9.yaml", "goals/tn/6.10.yaml"}


def test_one_file_it_cannot_edit_leaves_every_file_untouched(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    path = root / "goals/tn/6.9.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("    followups:")] + "    followups: {T1-2024: {ready: true, "
                    "comment: x}}\n")
    before = snapshot(root)
    result = run(root, "period", "open", "T2-2024")
    assert result.exit_code == 1 and "goals/tn/6.9.yaml:" in result.output
    assert "one line" in result.output
    assert snapshot(root) == before
    assert not [p for p in root.rglob("*.tmp")]


def test_comments_blank_lines_crlf_and_missing_final_newline_kept(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    path = root / "goals/tn/6.10.yaml"
    text = ("# Tekniska nämndens mål\r\nid: '6.10'   # i citattecken\r\nlevel: namndmal\r\n"
            "parent: [\"1:2\", \"1:10\"]\r\ntitle: >-\r\n  Fler ska kunna gå\r\n\r\n  och cykla.\r\n"
            "targets:\r\n  # det första\r\n  - id: \"6.10.1\"\r\n    text: Två vägar\r\n"
            "    followups:\r\n      T1-2024:\r\n        comment: |\r\n          Upphandlingen\r\n"
            "          # inte en kommentar\r\n\r\n          pågår.\r\n"
            "      # T3 skrivs i januari\r\n      T3-2024:\r\n        comment: Klart.\r\n"
            "# slut")
    path.write_bytes(text.encode())
    assert run(root, "period", "open", "T2-2024").exit_code == 0
    after = path.read_bytes().decode()
    added = only_added_lines(text.encode(), after.encode())
    assert "".join(added) == ("      T2-2024:\r\n        assessment:\r\n        comment:\r\n"
                              "        ready: false\r\n")
    # T2 goes before T3 and before the comment that belongs to T3
    assert after.index("T2-2024") < after.index("# T3 skrivs") < after.index("T3-2024")
    assert run(root, "check").exit_code == 0


def test_block_scalar_that_keeps_trailing_lines_is_refused(tmp_path: Path) -> None:
    root = copy(FIXTURES / "kommun", tmp_path)
    path = root / "goals/tn/6.10.yaml"
    path.write_text(path.read_text().replace("comment: Upphandlingen pågår.",
                                             "comment: |+\n          Upphandlingen pågår.\n\n"))
    before = snapshot(root)
    result = run(root, "period", "open", "T2-2024")
    assert result.exit_code == 1 and "without changing what is there" in result.output
    assert snapshot(root) == before


def test_plan_refuses_to_create_over_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: x\n")
    with pytest.raises(EditError, match="exists already"):
        Plan(tmp_path).create(tmp_path / "a.yaml", "a.yaml", "id: y\n")


def test_plan_does_not_write_over_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("followups:\n  T1-2024:\n    ready: true\n")
    plan = Plan(tmp_path)
    plan.file(path, "g.yaml").add(("followups",), "T2-2024", {"ready": False})
    path.write_text("followups:\n  T1-2024:\n    ready: false\n")
    with pytest.raises(EditError, match="changed while"):
        plan.apply()
    assert path.read_text() == "followups:\n  T1-2024:\n    ready: false\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


@pytest.fixture
def committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = copy(FIXTURES / "kommun", tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_period_close_fails_while_something_is_missing(committed: Path) -> None:
    result = run(committed, "period", "close", "T2-2024")
    assert result.exit_code == 1 and "T2-2024 is not ready" in result.output
    assert git(committed, "tag") == ""


def test_period_close_tags_when_complete_and_refuses_twice(committed: Path) -> None:
    assert run(committed, "period", "open", "T2-2024", "--carry").exit_code == 0
    for path in (committed / "goals").rglob("*.yaml"):
        text = path.read_text()
        text = text.replace("        comment:\n        ready: false",
                            "        comment: Skrivet.\n        ready: true")
        text = text.replace("    comment:\n    ready: false", "    comment: Skrivet.\n    ready: true")
        path.write_text(text.replace("assessment:\n", "assessment: uppfyllt\n")
                        .replace("ready: false", "ready: true"))
    dirty = run(committed, "period", "close", "T2-2024")
    assert dirty.exit_code == 1 and "not committed" in dirty.output, dirty.output
    git(committed, "commit", "-qam", "T2 written")
    result = run(committed, "period", "close", "T2-2024")
    assert result.exit_code == 0, result.output
    assert git(committed, "tag").split() == ["T2-2024"]
    again = run(committed, "period", "close", "T2-2024")
    assert again.exit_code == 1 and "exists already" in again.output


def test_closing_records_the_period_where_a_checkout_without_tags_reads_it(committed: Path,
                                                                          tmp_path: Path) -> None:
    """The public site shows the latest closed period, known from malpl.yaml (a CI checkout
    fetches no tags); with none closed, 'site' without a period is a usage error."""
    before = run(committed, "site", "-o", str(tmp_path / "none"))
    assert before.exit_code == 2 and "no period is closed yet" in before.output
    config = (committed / "malpl.yaml").read_bytes()
    assert run(committed, "period", "open", "T2-2024").exit_code == 0
    for path in (committed / "goals").rglob("*.yaml"):
        text = path.read_text()
        text = text.replace("comment:\n", "comment: Skrivet.\n").replace("ready: false",
                                                                         "ready: true")
        path.write_text(text.replace("assessment:\n", "assessment: uppfyllt\n")
                        .replace("assessment: null", "assessment: uppfyllt"))
    git(committed, "commit", "-qam", "T2 written")
    assert run(committed, "period", "close", "T2-2024").exit_code == 0
    assert only_added_lines(config, (committed / "malpl.yaml").read_bytes()) == [
        "  closed:", "    - T2-2024"] or "closed:" in (committed / "malpl.yaml").read_text()
    assert git(committed, "log", "-1", "--format=%s").strip() == "malpl: T2-2024 closed"
    assert git(committed, "status", "--porcelain") == ""
    # Opening the next period does not change what the site publishes by default.
    assert run(committed, "period", "open", "T3-2024").exit_code == 0
    site = run(committed, "site", "--draft", "-o", str(tmp_path / "site"))
    assert site.exit_code == 0 and "up to T2-2024" in site.output, site.output
