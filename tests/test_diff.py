"""`malpl diff`, `log` and `textconv` on real git repositories built in the test."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from malpl.diff import diff_revisions, history, word_diff
from malpl.repository import MalplError
from tests.cli_runner import invoke
from tests.conftest import FIXTURES


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit(root: Path, message: str, author: str = "Anna Controller") -> None:
    git(root, "add", "-A")
    git(root, "-c", f"user.name={author}", "-c", "user.email=a@example.se",
        "commit", "-q", "-m", message)


@pytest.fixture
def history_repo(repo: Path) -> Path:
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Mål för 2023")
    return repo


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def changes(root: Path, spec: str | None = None) -> list[tuple]:
    return [(c.kind, c.action, c.id, c.field, c.period, c.old, c.new, c.direction)
            for c in diff_revisions(root, spec).changes]


def test_no_changes(history_repo: Path) -> None:
    result = invoke(["-C", str(history_repo), "diff"])
    assert result.exit_code == 0
    assert result.output == "No changes in the goals.\n"


def test_text_and_assessment_changes(history_repo: Path) -> None:
    goal = history_repo / "goals" / "1.1.yaml"
    edit(goal, "Tryggheten i skolan ska öka.", "Tryggheten i skolan ska öka tydligt.")
    edit(goal, "assessment: ej_uppfyllt\n        forecast: ej_uppfyllt",
         "assessment: delvis_uppfyllt\n        forecast: ej_uppfyllt")
    found = changes(history_repo)
    assert ("target", "changed", "1.1.2", "text", "", "Tryggheten i skolan ska öka.",
            "Tryggheten i skolan ska öka tydligt.", "") in found
    assert ("followup", "changed", "1.1.1", "assessment", "T2-2023", "ej_uppfyllt",
            "delvis_uppfyllt", "better") in found
    out = invoke(["-C", str(history_repo), "diff"]).output
    assert "target 1.1.2 text: Tryggheten i skolan ska [-öka.-]{+öka tydligt.+}" in out
    assert ("target 1.1.1 T2-2023 assessment: from Ej uppfyllt (■) to Delvis uppfyllt (▲), "
            "better" in out)


def test_a_flag_reads_as_the_goal_file_writes_it(history_repo: Path) -> None:
    edit(history_repo / "goals" / "1.1.yaml", "        forecast: ej_uppfyllt\n        ready: true",
         "        forecast: ej_uppfyllt\n        ready: false")
    out = invoke(["-C", str(history_repo), "diff"]).output
    assert "target 1.1.1 T2-2023 ready: true → false" in out, out


def test_new_period_and_worse_assessment_between_commits(history_repo: Path) -> None:
    goal = history_repo / "goals" / "1.2.yaml"
    edit(goal, "        comment: En ny aktivitet, e-sport, har startat.\n",
         "        comment: En ny aktivitet, e-sport, har startat.\n"
         "      T2-2023:\n        assessment: ej_uppfyllt\n        comment: |\n"
         "          Inga fler aktiviteter.\n\n          Budgeten räcker inte.\n")
    commit(history_repo, "T2 för fritid")
    found = changes(history_repo, "HEAD~1..HEAD")
    assert found[0] == ("followup", "added", "1.2.1", "comment", "T2-2023", None,
                        "Inga fler aktiviteter.\n\nBudgeten räcker inte.\n", "")
    assert ("followup", "changed", "1.2.1", "assessment", "T2-2023", None, "ej_uppfyllt",
            "") in found
    md = invoke(["-C", str(history_repo), "diff", "HEAD~1..HEAD", "-f", "md"]).output
    assert md.startswith("## Goal changes HEAD\\~1..HEAD\n\n### Follow-ups (2)\n")
    assert "- target 1.2.1 T2-2023: new follow-up: Inga fler aktiviteter. Budgeten räcker inte." in md
    assert "assessment: from Ej bedömd to Ej uppfyllt (■)" in md


def test_target_moved_between_files_and_renamed_file(history_repo: Path) -> None:
    goals = history_repo / "goals"
    git(history_repo, "mv", "goals/1.2.yaml", "goals/fritid.yaml")
    one, two = goals / "1.1.yaml", goals / "fritid.yaml"
    block = one.read_text().split("  - id: \"1.1.2\"\n")[1].split("measures:")[0]
    edit(one, "  - id: \"1.1.2\"\n" + block, "")
    edit(two, "measures:", "  - id: \"1.1.2\"\n" + block + "measures:")
    commit(history_repo, "Flytta trygghetsmålet")
    found = changes(history_repo, "HEAD~1..HEAD")
    assert found == [("target", "moved", "1.1.2", "goal", "", "1.1", "1.2", "")]


def test_removed_goal_and_measure_values(history_repo: Path) -> None:
    (history_repo / "goals" / "1.2.yaml").unlink()
    edit(history_repo / "goals" / "1.1.yaml", "      2022: 79.2\n", "      2022: 79.2\n      2023: 80.5\n")
    found = changes(history_repo)
    assert ("goal", "removed", "1.2", "title", "", "Fler unga ska delta i fritidsverksamhet",
            None, "") in found
    assert ("target", "removed", "1.2.1", "text", "",
            "Minst tre nya aktiviteter för unga startas under 2023.", None, "") in found
    assert ("measure", "changed", "1.1.m1", "values", "2023", None, 80.5, "") in found


def test_configuration_change_is_named(history_repo: Path) -> None:
    edit(history_repo / "malpl.yaml", "title: Nämndens mål", "title: Nämndens mål 2023")
    assert changes(history_repo) == [("config", "changed", "malpl.yaml", "title", "",
                                      "Nämndens mål", "Nämndens mål 2023", "")]


def test_invalid_file_in_old_revision_is_named_not_a_crash(history_repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "unknown-field.yaml", history_repo / "goals" / "9.yaml")
    commit(history_repo, "Trasig fil")
    (history_repo / "goals" / "9.yaml").unlink()
    result = invoke(["-C", str(history_repo), "diff", "HEAD"])
    assert result.exit_code == 0
    assert "note: HEAD:goals/9.yaml:4:1: error[unknown-field]" in result.output


def test_swedish_word_diff() -> None:
    assert word_diff("Målet är nått för åk 9.", "Målet är inte nått för åk 9.") == [
        ("=", "Målet är "), ("+", "inte "), ("=", "nått för åk 9.")]


def test_json_equals_library_data(history_repo: Path) -> None:
    edit(history_repo / "goals" / "1.1.yaml", "Extra lovskola", "Extra sommarskola")
    out = invoke(["-C", str(history_repo), "diff", "-f", "json"]).output
    expected = diff_revisions(history_repo).as_dict()
    assert json.loads(out) == json.loads(json.dumps(expected))


def test_log_of_a_target(history_repo: Path) -> None:
    goal = history_repo / "goals" / "1.1.yaml"
    edit(goal, "Trygghetsenkäten visar förbättring.", "Trygghetsenkäten visar stor förbättring.")
    commit(history_repo, "Skärpt kommentar", author="Björn Ekonom")
    edit(goal, "Andelen behöriga", "Andelen godkända")
    commit(history_repo, "Annat delmål")
    entries = history(history_repo, "1.1.2")
    assert [e.commit.subject for e in entries] == ["Skärpt kommentar", "Mål för 2023"]
    assert entries[0].commit.author == "Björn Ekonom"
    out = invoke(["-C", str(history_repo), "log", "1.1.2"]).output
    assert "Björn Ekonom: Skärpt kommentar" in out
    assert "comment: Trygghetsenkäten visar {+stor +}förbättring." in out
    goal_log = [e.commit.subject for e in history(history_repo, "1.1")]
    assert goal_log == ["Annat delmål", "Skärpt kommentar", "Mål för 2023"]


def test_log_of_unknown_id(history_repo: Path) -> None:
    with pytest.raises(MalplError, match=r"no goal or target with the id '7\.7'"):
        history(history_repo, "7.7")


def test_outside_a_repository_is_a_clear_error(repo: Path) -> None:
    result = invoke(["-C", str(repo), "diff"])
    assert result.exit_code == 1
    assert "is not in a git repository" in result.output
    assert "Traceback" not in result.output


def test_unknown_revision(history_repo: Path) -> None:
    result = invoke(["-C", str(history_repo), "diff", "nosuchbranch"])
    assert result.exit_code == 1
    assert "'nosuchbranch' is not a revision of this repository" in result.output
    assert "hint: name a branch, a tag" in result.output


def test_textconv_is_stable_and_used_by_git(history_repo: Path) -> None:
    (history_repo / ".gitattributes").write_text("goals/*.yaml diff=malpl\n")
    git(history_repo, "config", "diff.malpl.textconv", f"{sys.executable} -m malpl textconv")
    edit(history_repo / "goals" / "1.1.yaml", "forecast: uppfyllt", "forecast: delvis_uppfyllt")
    out = git(history_repo, "diff")
    assert "-  T1-2023: ▲ Delvis uppfyllt, forecast ● Uppfyllt, ready" in out
    assert "+  T1-2023: ▲ Delvis uppfyllt, forecast ▲ Delvis uppfyllt, ready" in out


def test_textconv_prints_invalid_files_as_they_are(repo: Path) -> None:
    bad = repo / "goals" / "x.yaml"
    bad.write_text("id: [\n")
    result = invoke(["-C", str(repo), "textconv", str(bad)])
    assert result.exit_code == 0 and result.output == "id: [\n"


def test_a_blocks_last_line_break_is_layout_not_a_change(history_repo: Path) -> None:
    """Finding: a comment written as a block (|) showed a trailing ⏎ in every change."""
    goal = history_repo / "goals" / "1.1.yaml"
    edit(goal, "          Utfallet blev 79,2 % behöriga, under målet.\n",
         "          Utfallet blev 79,2 % behöriga, strax under målet.\n")
    out = invoke(["-C", str(history_repo), "diff"]).output
    assert out == ("target 1.1.1 T2-2023 comment: Utfallet blev 79,2 % behöriga, "
                   "{+strax +}under målet.\n")
    commit(history_repo, "Strax")
    edit(goal, "        comment: |\n          Utfallet", "        comment: |-\n          Utfallet")
    assert changes(history_repo) == []  # only the block's last line break went


LONG = "HEAD" + "~0" * 5000  # a revision git takes, 10 004 characters long


def test_a_long_revision_is_named_short(history_repo: Path) -> None:
    """A name git accepts may be any length; every message names it cut short."""
    shutil.copy(FIXTURES / "invalid" / "unknown-field.yaml", history_repo / "goals" / "9.yaml")
    commit(history_repo, "Trasig fil")
    (history_repo / "goals" / "9.yaml").unlink()  # a diff notes the files it compares
    for args in (["diff", LONG], ["diff", f"{LONG}..HEAD", "-f", "md"],
                 ["diff", "--", "-" + LONG], ["status", "--at", LONG]):
        result = invoke(["-C", str(history_repo), *args])
        assert "Traceback" not in result.output
        assert "…" in result.output, args
        assert max(len(line) for line in result.output.splitlines()) < 300, args
    noted = invoke(["-C", str(history_repo), "diff", LONG])
    assert f"note: {LONG[:60]}…:goals/9.yaml:4:1: error[unknown-field]" in noted.output
    title = invoke(["-C", str(history_repo), "diff", f"{LONG}..HEAD", "-f", "md"])
    assert title.stdout.startswith("## Goal changes HEAD\\~0") and "…..HEAD\n" in title.stdout


@pytest.mark.parametrize("args", [["diff", "HEAD\nfake"], ["diff", "HEAD\n..HEAD"],
                                  ["diff", "--", "-a\nb"], ["log", "1.1\nx"],
                                  ["status", "--at", "HEAD\nx"],
                                  ["report", "T1-2023", "-f", "md", "--at", "HEAD\nx"]])
def test_a_revision_or_id_with_a_line_break_is_shown_on_its_line(history_repo: Path,
                                                                  args: list[str]) -> None:
    result = invoke(["-C", str(history_repo), *args])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    first, hint = result.output.splitlines()
    assert first.startswith("error: ") and "␊" in first and hint.startswith("    hint: ")
