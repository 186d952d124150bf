"""Hardening of `malpl diff`, `log` and `textconv`: one test per finding, on real git repositories."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import malpl.git
import malpl.sources
import malpl.versions
from malpl.diff import diff_revisions, history
from tests.cli_runner import invoke
from tests.test_diff import commit, edit, git

HOSTILE = ("x ![](http://evil.example/i.png) [y](http://evil.example) @team "
           "<img src=x onerror=alert(1)> <b>bold</b> &amp; `code` *e* _u_ | # h")


def hostile(n: int) -> str:
    return f"{HOSTILE} {n}"


def goal(n: int) -> dict:
    """A goal whose every changeable field holds hostile text (version ``n``)."""
    period = f"T1-2023 @p{n} ![](http://evil.example/{n})"
    return {
        "id": "1.1", "level": "utvecklingsmal", "title": hostile(n),
        "description": f"{hostile(n)}\n\n<script>alert({n})</script>",
        "responsible": hostile(n),
        "targets": [{
            "id": "1.1.1", "text": hostile(n), "responsible": hostile(n),
            "target": {"min": n, "unit": hostile(n), "by": hostile(n)},
            "followups": {period: {"comment": hostile(n), "value": n}},
        }],
        "measures": [{
            "id": "1.1.m1", "name": hostile(n), "unit": hostile(n), "kpi": hostile(n),
            "note": hostile(n), "baseline": hostile(n),
            "values": {f"20{n}<i>": n},
            "forecasts": {"2030": {"low": 1, "high": 2 + n, "note": hostile(n)}},
            "target": {"value": n, "by": hostile(n)},
            "references": {f"r@{n}<b>": {"label": hostile(n), "values": {"2021": n}}},
        }],
    }


def write_version(root: Path, n: int) -> None:
    config = {"title": hostile(n), "body": hostile(n),
              "labels": {"unassessed": hostile(n)}}
    (root / "malpl.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    (root / "goals").mkdir(exist_ok=True)
    (root / "goals" / "1.1.yaml").write_text(yaml.safe_dump(goal(n), allow_unicode=True))


@pytest.fixture
def history_repo(repo: Path) -> Path:
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Mål för 2023")
    return repo


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_version(root, 1)
    commit(root, "first")
    write_version(root, 2)
    commit(root, "second")
    return root


def test_markdown_diff_escapes_every_user_field(hostile_repo: Path) -> None:
    result = diff_revisions(hostile_repo, "HEAD~1..HEAD")
    changed = {(c.kind, c.field) for c in result.changes}
    assert {("config", "title"), ("config", "body"), ("config", "labels"), ("goal", "title"),
            ("goal", "description"), ("goal", "responsible"), ("target", "text"),
            ("target", "responsible"), ("target", "target"), ("measure", "name"),
            ("measure", "unit"), ("measure", "kpi"), ("measure", "note"),
            ("measure", "baseline"), ("measure", "target"), ("measure", "values"),
            ("measure", "forecasts")} <= changed
    assert any(f.startswith("references.") for _, f in changed)
    assert any(c.kind == "followup" and "@p2" in c.period for c in result.changes)
    md = invoke(["-C", str(hostile_repo), "diff", "HEAD~1..HEAD",
                             "-f", "md"]).stdout
    assert "evil.example" in md and "onerror" in md  # the text is there, as text
    body = md.split("\n", 1)[1]
    assert not re.search(r"(?<!\\)<", body)
    assert "![" not in body
    assert not re.search(r"(?<!\\)\]\(", body)
    assert not re.search(r"(?<![\\\w])@", body)  # "@" after a letter or digit cites nothing
    assert not re.search(r"(?<!\\)`", body)
    for line in body.splitlines():
        assert line == "" or line.startswith(("### ", "- ")), line
    # structured values are readable "key: value" text, not Python reprs
    assert "{'" not in md and "min: 1" in md


def test_text_diff_cannot_fake_a_line(history_repo: Path) -> None:
    fake = "target 1.1.1 T1-2023 assessment: ● Ej uppfyllt → ● Uppfyllt (better)"
    edit(history_repo / "goals" / "1.1.yaml", "Trygghetsenkäten visar förbättring.",
         f"|\n          Bra.\n          {fake}\n          \\x1b")
    edit(history_repo / "goals" / "1.1.yaml", "Utkast, ej klart.",
         '"Utkast\\e[2J\\u202Eklart\\nmeasure 1.1.m1 values: 1 → 2"')
    result = invoke(["-C", str(history_repo), "diff"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(("target ", "goal ", "measure ")) for line in lines)
    assert not any(line.startswith(fake) for line in lines)
    assert " ⏎ target 1.1.1 T1-2023 assessment:" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "␛[2J" in result.output and "<U+202E>" in result.output


def test_log_names_an_unparseable_commit_and_compares_across_it(history_repo: Path) -> None:
    path = history_repo / "goals" / "1.1.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("targets:\n", "targets: [\n", 1), encoding="utf-8")
    commit(history_repo, "Trasig")
    path.write_text(good.replace("Trygghetsenkäten visar förbättring.",
                                 "Trygghetsenkäten visar stor förbättring."), encoding="utf-8")
    commit(history_repo, "Lagad")
    broken = git(history_repo, "rev-parse", "--short=7", "HEAD~1").strip()
    entries = history(history_repo, "1.1.2")
    assert [e.commit.subject for e in entries] == ["Lagad", "Trasig", "Mål för 2023"]
    fixed, failed = entries[0], entries[1]
    assert failed.changes == []
    assert failed.notes[0].startswith(f"goals/1.1.yaml did not load at {broken}: line ")
    assert "compared with its last version that loaded" in failed.notes[0]
    assert [(c.action, c.field) for c in fixed.changes] == [("changed", "comment")]
    out = invoke(["-C", str(history_repo), "log", "1.1.2"]).output
    assert "removed" not in out
    assert f"note: goals/1.1.yaml did not load at {broken}" in out


def test_log_in_a_shallow_clone_does_not_report_everything_added(history_repo: Path,
                                                                 tmp_path: Path) -> None:
    edit(history_repo / "goals" / "1.1.yaml", "Tryggheten i skolan ska öka.",
         "Tryggheten i skolan ska öka mycket.")
    commit(history_repo, "Andra")
    edit(history_repo / "goals" / "1.1.yaml", "Trygghetsenkäten visar förbättring.",
         "Trygghetsenkäten visar stor förbättring.")
    commit(history_repo, "Tredje")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{history_repo}", str(clone))
    edge = git(clone, "rev-parse", "--short=7", "HEAD~1").strip()
    entries = history(clone, "1.1.2")
    assert [e.commit.subject for e in entries] == ["Tredje", "Andra"]
    assert entries[1].changes == []
    assert entries[1].notes == [f"history is shallow before {edge}; "
                                "earlier changes are not shown"]
    out = invoke(["-C", str(clone), "log", "1.1.2"]).output
    assert "added" not in out


def test_log_parses_only_the_files_a_commit_changed(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "many"
    (root / "goals").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    files, commits = 20, 10
    for n in range(1, files + 1):
        (root / "goals" / f"{n}.yaml").write_text(
            f'id: "{n}"\nlevel: utvecklingsmal\ntitle: Mål {n}\n', encoding="utf-8")
    commit(root, "Alla mål")
    for n in range(1, commits + 1):
        edit(root / "goals" / f"{n}.yaml", f"title: Mål {n}", f"title: Mål {n} skärpt")
        commit(root, f"Skärp {n}")
    parsed = []
    real = malpl.versions.load_bytes
    for reader in (malpl.sources, malpl.versions):  # a revision's files, and history's
        monkeypatch.setattr(reader, "load_bytes",
                            lambda name, blob: parsed.append(name) or real(name, blob))
    entries = history(root, "3")
    assert [e.commit.subject for e in entries] == ["Skärp 3", "Alla mål"]
    assert len(parsed) == len(set(parsed))  # each version of each file once
    # the files no commit changed after the first, which adds them all, are never parsed:
    # none of them names goal 3
    assert not {f"goals/{n}.yaml" for n in range(commits + 1, files + 1)} & {
        name.partition(":")[2] for name in parsed}
    assert len(parsed) == 2 * commits


def test_diff_symmetric_range_uses_the_merge_base(history_repo: Path) -> None:
    result = invoke(["-C", str(history_repo), "diff", "HEAD...HEAD", "-f", "md"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## Goal changes HEAD...HEAD\n")
    git(history_repo, "branch", "feature")
    edit(history_repo / "goals" / "1.1.yaml", "Tryggheten i skolan ska öka.",
         "Tryggheten i skolan ska öka på main.")
    commit(history_repo, "På main")
    git(history_repo, "checkout", "-q", "feature")
    edit(history_repo / "goals" / "1.2.yaml", "Fritidsgården", "Fritidsgården Norr")
    commit(history_repo, "På feature")
    base = git(history_repo, "merge-base", "main", "feature").strip()
    result = diff_revisions(history_repo, "main...feature")
    assert [(c.id, c.field) for c in result.changes] == [("1.2.1", "responsible")]
    assert (result.old, result.new, result.title) == (
        base[:10], "feature", "Goal changes main...feature")
    assert [c.id for c in diff_revisions(history_repo, "main..feature").changes] == [
        "1.1.2", "1.2.1"]


@pytest.mark.parametrize("spec", ["--output=out.txt", "HEAD..--output=out.txt", "-p...HEAD"])
def test_diff_refuses_an_option_looking_revision(history_repo: Path, spec: str) -> None:
    result = invoke(["-C", str(history_repo), "diff", "--", spec])
    assert result.exit_code == 2
    assert "is not a revision name" in result.output
    assert not (history_repo / "out.txt").exists()


def test_symlink_blob_in_git_is_named_not_read(history_repo: Path) -> None:
    (history_repo / "goals" / "link.yaml").symlink_to("1.1.yaml")
    commit(history_repo, "Länk")
    result = diff_revisions(history_repo, "HEAD~1..HEAD")
    assert result.changes == []
    assert any("HEAD:goals/link.yaml" in n and "is a symbolic link in git (to '1.1.yaml')" in n
               for n in result.notes), result.notes
    edit(history_repo / "goals" / "1.1.yaml", "Tryggheten i skolan ska öka.",
         "Tryggheten i skolan ska öka nu.")
    commit(history_repo, "Ändring")
    assert [e.commit.subject for e in history(history_repo, "1.1.2")] == ["Ändring",
                                                                         "Mål för 2023"]


def test_textconv_shows_control_characters_of_a_file_that_does_not_load(repo: Path) -> None:
    bad = repo / "goals" / "x.yaml"
    bad.write_bytes(b"id: [\x1b[2J\xe2\x80\xae\n")
    result = invoke(["-C", str(repo), "textconv", str(bad)])
    assert result.exit_code == 0
    assert result.output == "id: [␛[2J<U+202E>\n"


def test_textconv_shows_control_characters_of_a_goal(repo: Path) -> None:
    edit(repo / "goals" / "1.1.yaml", "comment: Trygghetsenkäten visar förbättring.",
         'comment: "Enkäten\\e]8;;http://evil\\a visar"')
    out = subprocess.run([sys.executable, "-m", "malpl", "-C", str(repo), "textconv",
                          str(repo / "goals" / "1.1.yaml")], capture_output=True, text=True,
                         check=True).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "Enkäten␛]8;;http://evil␇ visar" in out


@pytest.mark.parametrize("subject", ["Lagad \x1e\x1f:000000 100644 x", "\x1e\x1fa\x1fb\x1fc\x1fd"])
def test_log_keeps_a_commit_whose_subject_holds_the_log_separators(history_repo: Path,
                                                                   subject: str) -> None:
    """Finding: subjects and author names were split on the same control characters that
    separated git's records, so such a subject lost its commit's changes."""
    edit(history_repo / "goals" / "1.1.yaml", "Trygghetsenkäten visar förbättring.",
         "Trygghetsenkäten visar stor förbättring.")
    commit(history_repo, subject, author="Ann\x1fa \x1e Kontroll")
    entries = history(history_repo, "1.1.2")
    assert [e.commit.subject for e in entries] == [subject, "Mål för 2023"]
    assert [(c.action, c.field) for c in entries[0].changes] == [("changed", "comment")]
    assert entries[0].commit.author == "Ann\x1fa \x1e Kontroll"


def test_log_and_dating_see_a_goals_repository_inside_a_larger_git_repository(
        tmp_path: Path) -> None:
    """Finding: git was given goals/ as a path from the top of the git repository while it
    ran in the goals repository's own folder, so `log` found no history there, and the
    report date and the check that the working tree is HEAD's looked at nothing."""
    top = tmp_path / "kommunen"
    inner = top / "styrning" / "mal"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "kommun", inner)
    git(top, "init", "-q", "-b", "main")
    commit(top, "Mål för 2024")
    edit(inner / "goals" / "tn" / "6.9.yaml", "Belysningen", "Belysningen i hela kommunen")
    assert not malpl.git.unchanged(inner, malpl.git.prefix(inner))
    commit(top, "Tydligare mål")
    assert malpl.git.unchanged(inner, malpl.git.prefix(inner))
    entries = history(inner, "6.9")
    assert [e.commit.subject for e in entries] == ["Tydligare mål", "Mål för 2024"]
    assert [(c.action, c.field) for c in entries[0].changes] == [("changed", "title")]
    dates = [c.date for c in malpl.git.first_parent_history(inner, "HEAD")]
    assert len(dates) == 2


def test_log_of_a_body_that_never_was_is_an_error(tmp_path: Path) -> None:
    inner = tmp_path / "mal"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "kommun", inner)
    git(inner, "init", "-q", "-b", "main")
    commit(inner, "Mål för 2024")
    result = invoke(["-C", str(inner), "log", "--body", "nosuch"])
    assert result.exit_code == 2  # a body key that is none: a usage error
    assert "there is no body 'nosuch'" in result.output and "tn" in result.output
    assert invoke(["-C", str(inner), "log", "--body", "tn"]).exit_code == 0
