"""`malpl check` and `malpl schema` through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from malpl.schema import SCHEMA_FILES, json_schema_text
from tests.cli_runner import invoke
from tests.conftest import FIXTURES, ROOT


def run(*args: str):
    return invoke(list(args))


def test_valid_repository_is_quiet_but_for_a_summary(repo: Path) -> None:
    result = run("-C", str(repo), "check")
    assert result.exit_code == 0
    assert result.output == "ok: 4 files, 3 goals, 3 targets, 3 measures; 0 errors, 0 warnings\n"


def test_errors_exit_1_with_file_line_and_hint(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "unknown-level.yaml", repo / "goals" / "x.yaml")
    result = run("-C", str(repo), "check")
    assert result.exit_code == 1
    assert result.output.startswith(
        "goals/x.yaml:3:8: error[unknown-level]: unknown level 'utvecklingsmål'\n"
        "    hint: did you mean 'utvecklingsmal'?")
    assert result.output.rstrip().endswith("1 error, 0 warnings")


def test_strict_fails_on_warnings(shipped: Path) -> None:
    assert run("-C", str(shipped), "check").exit_code == 0
    assert run("-C", str(shipped), "check", "--strict").exit_code == 1


def test_json_carries_the_same_problems(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "value-range.yaml", repo / "goals" / "x.yaml")
    result = run("-C", str(repo), "check", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["summary"]["errors"] == 1
    assert data["problems"][0] | {"message": ""} == {
        "path": "goals/x.yaml", "line": 10, "column": 13, "code": "value-range",
        "message": "", "hint": "write the share in per cent, e.g. 79.2 for 79,2 %",
        "severity": "error"}


def test_github_annotations(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "unknown-field.yaml", repo / "goals" / "x.yaml")
    result = run("-C", str(repo), "check", "--format", "github")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=goals/x.yaml,line=4,col=1,title=malpl unknown-field::")
    assert "%0Adid you mean 'title'?" in first


def test_paths_select_files(repo: Path) -> None:
    shutil.copy(FIXTURES / "invalid" / "unknown-field.yaml", repo / "goals" / "x.yaml")
    result = run("-C", str(repo), "check", str(repo / "goals" / "1.1.yaml"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 1 file, 1 goal,")


def test_usage_errors_exit_2(repo: Path) -> None:
    assert run("-C", str(repo), "check", "--format", "xml").exit_code == 2
    assert run("-C", str(repo), "check", str(repo / "nope.yaml")).exit_code == 2
    assert run("-C", str(repo / "nope"), "check").exit_code == 2


def test_no_traceback_for_garbage(repo: Path) -> None:
    (repo / "goals" / "bin.yaml").write_bytes(bytes(range(256)) * 4)
    (repo / "goals" / "deep.yaml").write_text("[" * 5000 + "]" * 5000)
    (repo / "goals" / "nested.yaml").write_text(
        "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 995)))
    result = run("-C", str(repo), "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "goals/bin.yaml:2:118: error[encoding]" in result.output
    assert "goals/deep.yaml:1:1001: error[yaml-syntax]" in result.output
    assert "goals/nested.yaml:26:51: error[yaml-syntax]" in result.output


def test_python_m_malpl_runs(repo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "malpl", "-C", str(repo), "check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok:")


def test_checkout_entry_point_runs(repo: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "-C", str(repo), "check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_committed_schemas_are_current() -> None:
    for kind, name in SCHEMA_FILES.items():
        assert (ROOT / "schema" / name).read_text() == json_schema_text(kind), (
            f"run: malpl schema {kind} > schema/{name}")


def test_schema_command_prints_bilingual_schema() -> None:
    result = run("schema")
    schema = json.loads(result.output)
    description = schema["properties"]["id"]["description"]
    assert "Målets id" in description and "The goal's id" in description
    assert schema["additionalProperties"] is False


def test_goal_files_point_editors_at_the_schema() -> None:
    for path in (ROOT / "goals").glob("*.yaml"):
        assert path.read_text().startswith(
            "# yaml-language-server: $schema=../schema/goal.schema.json\n"), path


def test_outside_a_goals_repository(tmp_path: Path) -> None:
    result = run("-C", str(tmp_path), "check")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: there is no goals/ folder in {tmp_path}\n")


def _oddly_named(repo: Path) -> Path:
    """Two wrong goal files whose names hold a line break and a '::' (a file name can)."""
    wrong = (FIXTURES / "invalid" / "unknown-level.yaml").read_text(encoding="utf-8")
    (repo / "goals" / "a\nb.yaml").write_text(wrong, encoding="utf-8")
    (repo / "goals" / "c::d,e.yaml").write_text(wrong.replace('"9.9"', '"8.8"'), encoding="utf-8")
    return repo


def test_a_line_break_in_a_file_name_does_not_split_its_problem(repo: Path) -> None:
    result = run("-C", str(_oddly_named(repo)), "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("goals/a␊b.yaml:3:8: error[unknown-level]: ")
    assert lines[1].startswith("    hint: ") and lines[2].startswith("goals/c::d,e.yaml:3:8: ")


def test_annotations_name_an_odd_file_whole(repo: Path, tmp_path: Path) -> None:
    """GitHub reads 'file=' up to a ',' or '::' and a line ends the annotation: escaped."""
    _oddly_named(repo)
    github = run("-C", str(repo), "check", "-f", "github").stdout.splitlines()
    assert github[0].startswith("::error file=goals/a%0Ab.yaml,line=3,col=8,")
    assert github[1].startswith("::error file=goals/c%3A%3Ad%2Ce.yaml,line=3,col=8,")
    gitlab = json.loads(run("-C", str(repo), "check", "-f", "gitlab").stdout)
    assert {p["location"]["path"] for p in gitlab} == {"goals/a\nb.yaml", "goals/c::d,e.yaml"}


def test_the_job_summary_names_an_odd_file_whole(repo: Path, tmp_path: Path) -> None:
    """Beyond GitHub's ten annotations, problems go to the job summary, a line each."""
    wrong = (FIXTURES / "invalid" / "unknown-level.yaml").read_text(encoding="utf-8")
    for i in range(10):
        (repo / "goals" / f"{i}.yaml").write_text(wrong.replace('"9.9"', f'"7.{i}"'),
                                                  encoding="utf-8")
    (repo / "goals" / "z\nz.yaml").write_text(wrong, encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = invoke(["-C", str(repo), "check", "-f", "github"],
                    env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert "- `goals/z␊z.yaml:3:8: error[unknown-level]: unknown level" in summary.read_text()
