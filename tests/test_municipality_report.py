"""The municipality's reports: one per body and one for all, each period reproducible.

Golden files hold the Markdown of the multi-body fixture (UPDATE_GOLDEN=1 rewrites
them); a report of a period is the same after later periods are written, and the
same from the tag it was sent from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from malpl.periods import parse_period
from malpl.report import markdown_text
from malpl.repository import load_repository
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).parent / "golden"
T1_2024 = parse_period("T1-2024", "tertial")


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("bodies", [None, ["kf"], ["tn"], ["bun", "bostad"]],
                         ids=lambda b: "+".join(b) if b else "all")
def test_report_per_body_and_for_all(bodies: list[str] | None) -> None:
    """Dated by malpl.yaml (periods.dates), so no date is passed here."""
    repo = load_repository(FIXTURES / "kommun")
    text = markdown_text(repo, T1_2024, image_dir="bilder", bodies=bodies)
    name = "+".join(bodies) if bodies else "alla"
    _golden(f"report-kommun-{name}-T1-2024.md", text)
    assert "20 maj 2024" in text


def test_body_report_names_the_higher_goals_of_other_bodies() -> None:
    text = markdown_text(load_repository(FIXTURES / "kommun"), T1_2024, image_dir="bilder",
                         bodies=["tn"])
    assert "# Kommunfullmäktige" not in text  # one body: no chapter headings
    assert ("Bidrar till 1:2 Invånarna ska känna sig trygga i sitt närområde. "
            "(Kommunfullmäktige)") in text
    assert "Bidrar till 1:10 Kommunens verksamheter" in text


def _git(root: Path, *args: str, date: str = "2024-05-20T12:00:00") -> None:
    env = {"GIT_AUTHOR_NAME": "Controller", "GIT_AUTHOR_EMAIL": "c@example.org",
           "GIT_COMMITTER_NAME": "Controller", "GIT_COMMITTER_EMAIL": "c@example.org",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "HOME": str(root),
           "PATH": os.environ["PATH"]}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def _report(root: Path, *args: str) -> bytes:
    out = root / "ut" / "r.md"
    result = invoke(["-C", str(root), "report", "T1-2024", "-f", "md",
                                      "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_t1_report_is_the_same_after_t2_is_written(tmp_path: Path) -> None:
    root = tmp_path / "statistik"
    shutil.copytree(FIXTURES / "statistik", root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "T1-2024", date="2024-05-14T10:00:00")
    before = _report(root)
    assert b"14 maj 2024" in before  # the commit that wrote T1's follow-ups
    goal = root / "goals" / "M1.yaml"
    text = goal.read_text(encoding="utf-8").replace(
        "      T1-2024:\n        assessment: delvis_uppfyllt",
        "      T3-2024:\n        assessment: uppfyllt\n        comment: Klart.\n"
        "      T1-2024:\n        assessment: delvis_uppfyllt")
    goal.write_text(text.replace("      2024: 16.5\n", "      2024: 16.5\n      2025: 15.0\n"),
                    encoding="utf-8")
    _git(root, "commit", "-qam", "T3 och 2025", date="2024-12-20T10:00:00")
    assert _report(root) == before


def test_report_at_the_tag_it_was_sent_from(tmp_path: Path) -> None:
    root = tmp_path / "kommun"
    shutil.copytree(FIXTURES / "kommun", root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "T1")
    _git(root, "tag", "ks-2024-05-20")
    sent = _report(root, "--body", "tn")
    goal = root / "goals" / "tn" / "6.9.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace("210 armaturer", "211 armaturer"),
                    encoding="utf-8")
    _git(root, "commit", "-qam", "Rättelse")
    assert _report(root, "--body", "tn") != sent
    assert _report(root, "--body", "tn", "--at", "ks-2024-05-20") == sent


@pytest.mark.parametrize("args", [
    ["status", "T1-2024"], ["status", "T1-2024", "--body", "tn"],
    ["status", "T1-2024", "--body", "kf", "--level", "kfmal"],
    ["show", "1:2", "--period", "T1-2024"], ["show", "MO1"], ["todo", "T1-2024", "-b", "bun"]],
    ids=lambda a: "-".join(x.strip("-") for x in a))
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_status_show_and_todo_golden(args: list[str], lang: str) -> None:
    """In English and in Swedish: the words malpl says differ, the goals' words do not."""
    result = invoke(["-C", str(FIXTURES / "kommun"), *args],
                    env={"COLUMNS": "100", "NO_COLOR": "1", "MALPL_LANG": lang})
    assert result.exit_code == 0, result.output
    _golden("kommun-" + "-".join(a.strip("-").replace(":", "_") for a in args)
            + ("-sv" if lang == "sv" else "") + ".txt", result.output)


def test_a_body_report_never_replaces_the_whole_municipality_report(tmp_path: Path) -> None:
    """Finding: `report --body tn` wrote reports/T1-2024.docx over the report of all bodies."""
    from malpl.report.export import default_output

    root = tmp_path / "kommun"
    shutil.copytree(FIXTURES / "kommun", root)
    written = []
    for extra in ([], ["--body", "tn"], ["--body", "tn", "--body", "ks"]):
        result = invoke(["-C", str(root), "report", "T1-2024", "-f", "md", "--date",
                         "2024-05-20", *extra])
        assert result.exit_code == 0, result.output
        written.append(result.stdout.removeprefix("wrote ").strip())
    assert [Path(w).name for w in written] == ["T1-2024.md", "T1-2024-tn.md", "T1-2024-ks+tn.md"]
    assert all(Path(w).is_file() for w in written)
    # Keys joined so that no two sets of bodies share a name (a + b-c, a-b + c).
    assert default_output(root, T1_2024, "md", ["a", "b-c"]) != default_output(
        root, T1_2024, "md", ["a-b", "c"])
    assert default_output(root, T1_2024, "docx", ["miljö"]).name == "T1-2024-miljö.docx"
    # A key comes from malpl.yaml: it names a file, or the report needs -o; never a path.
    from malpl.repository import UsageError

    for key in ("../../x", "a/b", ".", "", "x" * 300):
        with pytest.raises(UsageError, match="cannot name a file"):
            default_output(root, T1_2024, "docx", [key])


def _with_summary(tmp_path: Path, key: str, text: str) -> Path:
    """The multi-body fixture with a summary for Barn- och utbildningsnämnden."""
    root = tmp_path / "kommun"
    shutil.copytree(FIXTURES / "kommun", root)
    config = root / "malpl.yaml"
    line = "  - {key: bun, name: Barn- och utbildningsnämnden, kind: namnd}\n"
    body = ("  - key: bun\n    name: Barn- och utbildningsnämnden\n    kind: namnd\n"
            f"    summaries:\n      {key}: {text}\n")
    config.write_text(config.read_text(encoding="utf-8").replace(line, body), encoding="utf-8")
    return root


def test_a_bodys_summary_for_the_period_opens_its_chapter(tmp_path: Path) -> None:
    """A delårsrapport's summary per body: the body's own words, kept in malpl.yaml beside
    the body, above its goals; its text stays text; another period's is not shown."""
    root = _with_summary(tmp_path, "T1-2024", "|\n        Ett *bra* första tertial.\n\n"
                         "        # Inte en rubrik, 1. ingen lista.\n")
    text = markdown_text(load_repository(root), T1_2024)
    chapter = text.split("\n# Barn- och utbildningsnämnden\n", 1)[1]
    assert chapter.lstrip().startswith("Ett \\*bra\\* första tertial.\n\n\\# Inte en rubrik")
    assert chapter.index("första tertial") < chapter.index("## 2.1 ")
    later = markdown_text(load_repository(root), parse_period("T2-2024", "tertial"))
    assert "första tertial" not in later


def test_a_summary_under_a_period_that_is_none_is_an_error_with_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _with_summary(tmp_path, "T4-2024", "Text.")
    monkeypatch.chdir(root)
    result = invoke(["check"])
    assert result.exit_code == 1
    assert "malpl.yaml:13:7: error[invalid-period]" in result.output, result.output


def test_the_previous_periods_assessment_stands_beside_the_current(repo: Path) -> None:
    """The change since the previous period: its assessment beside the current one."""
    text = markdown_text(load_repository(repo), parse_period("T2-2023", "tertial"))
    row = next(line for line in text.splitlines() if line.startswith("| **1.1.1**"))
    assert "■ Ej uppfyllt<br>Föregående, tertial 1 2023: ▲ Delvis uppfyllt" in row
    first = markdown_text(load_repository(repo), parse_period("T1-2023", "tertial"))
    assert "Föregående" not in first
