"""The commands that edit goal files against what a file system and a file may hold:
ids check refuses, links, read-only files, line ends, tabs and YAML 1.1 line breaks,
and the temporary files of a run that was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from malpl import files
from malpl.lifecycle.edit import EditError, Plan
from tests.cli_runner import invoke
from tests.conftest import FIXTURES
from tests.test_lifecycle_period import GIT_ENV, copy, git, only_added_lines, snapshot

GOAL = "goals/tn/6.10.yaml"
T2 = ["      T2-2024:\n", "        assessment:\n", "        comment:\n", "        ready: false\n"]


def run(root: Path, *args: str):
    return invoke(["-C", str(root), *args])


@pytest.fixture
def kommun(tmp_path: Path) -> Path:
    return copy(FIXTURES / "kommun", tmp_path)


# --- ids and values `new` would write that check refuses --------------------------------

@pytest.mark.parametrize("ident, said", [
    ("../../evil", "has characters ids cannot hold"),
    ("a/b", "has characters ids cannot hold"),
    ("1.1 ", "has characters ids cannot hold"),
    ("x" * 41, "is 41 characters long"),
])
def test_new_goal_refuses_an_id_check_refuses(kommun: Path, ident: str, said: str) -> None:
    before = snapshot(kommun)
    result = run(kommun, "new", "goal", "-t", "Ett mål", "-p", "MO1", "--id", ident)
    assert result.exit_code == 2, result.output
    assert "--id: the goal id" in result.output and said in result.output
    assert snapshot(kommun) == before
    assert run(kommun, "check").exit_code == 0


def test_new_refuses_a_generated_id_check_refuses(kommun: Path) -> None:
    """A goal with an id of 39 characters is valid; its first target's would be 41."""
    long = "MO1." + "x" * 35
    made = run(kommun, "new", "goal", "-t", "Ett mål", "-p", "MO1", "--id", long)
    assert made.exit_code == 0, made.output
    before = snapshot(kommun)
    target = run(kommun, "new", "target", "-g", long, "-t", "Ett delmål")
    assert target.exit_code == 1
    assert "the new target would get an id that check refuses" in target.output
    measure = run(kommun, "new", "measure", "-g", long, "-t", "Antal")
    assert measure.exit_code == 1 and "the measure id is 42 characters long" in measure.output
    assert snapshot(kommun) == before
    assert run(kommun, "check").exit_code == 0


@pytest.mark.parametrize("args, said", [
    (["measure", "-g", "6.9", "-t", "Antal", "--kpi", "../N1"], "--kpi: '../N1' is not a Kolada"),
    (["goal", "-t", ""], "the new goal would not pass 'malpl check': 'title' is empty"),
    (["target", "-g", "6.9", "-t", ""], "'text' is empty"),
    (["goal", "-t", "Ett mål", "-p", "6.9"], "goal 6.9 is on the lowest level"),
    (["goal", "-t", "Ett mål", "-p", "MO1", "-l", "malomrade"], "cannot serve goal MO1"),
])
def test_new_refuses_values_check_refuses(kommun: Path, args: list[str], said: str) -> None:
    before = snapshot(kommun)
    result = run(kommun, "new", *args)
    assert result.exit_code == 2 and said in result.output, result.output
    assert snapshot(kommun) == before


# --- links and permissions ------------------------------------------------------------------

def _linked(root: Path) -> Path:
    """goals/tn/6.10.yaml as a link to a file elsewhere in the repository."""
    shared = root / "delat" / "6.10.yaml"
    shared.parent.mkdir()
    (root / GOAL).rename(shared)
    (root / GOAL).symlink_to(Path("../../delat/6.10.yaml"))
    return shared


@pytest.mark.parametrize("command, added", [
    (["period", "open", "T2-2024", "-b", "tn"], T2),
    (["rollover", "2025", "--end", "6.10"], ["ended: 2024\n"]),
    (["new", "target", "-g", "6.10", "-t", "Fler vägar"],
     ['  - id: "6.10.2"\n', "    text: Fler vägar\n"]),
])
def test_an_edit_goes_through_a_link_inside_the_repository(kommun: Path, command: list[str],
                                                           added: list[str]) -> None:
    shared = _linked(kommun)
    before = shared.read_bytes()
    result = run(kommun, *command)
    assert result.exit_code == 0, result.output
    assert (kommun / GOAL).is_symlink()
    assert os.readlink(kommun / GOAL) == "../../delat/6.10.yaml"
    assert only_added_lines(before, shared.read_bytes()) == added
    assert run(kommun, "check").exit_code == 0


def test_a_link_that_leads_outside_the_repository_is_never_written(kommun: Path,
                                                                  tmp_path: Path) -> None:
    outside = tmp_path / "utanför.yaml"
    outside.write_bytes((kommun / GOAL).read_bytes())
    before = outside.read_bytes()
    (kommun / GOAL).unlink()
    (kommun / GOAL).symlink_to(outside)
    with pytest.raises(EditError, match="leads outside the repository"):
        Plan(kommun).file(kommun / GOAL, GOAL)
    assert run(kommun, "period", "open", "T2-2024").exit_code == 1
    assert outside.read_bytes() == before


def test_goals_folder_linked_outside_the_repository_is_never_written(kommun: Path,
                                                                    tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (kommun / "goals").rename(elsewhere)
    (kommun / "goals").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    plan = Plan(kommun)
    with pytest.raises(EditError, match="leads outside the repository"):
        plan.file(kommun / GOAL, GOAL)
    with pytest.raises(EditError, match="leads outside the repository"):
        plan.create(kommun / "goals/tn/6.11.yaml", "goals/tn/6.11.yaml", "id: '6.11'\n")
    for command in (["period", "open", "T2-2024"], ["new", "goal", "-t", "Ett mål"],
                    ["rollover", "2025", "--end", "6.9"]):
        result = run(kommun, *command)
        assert result.exit_code == 1, result.output
    assert snapshot(elsewhere) == before


@pytest.mark.parametrize("command", [["period", "open", "T2-2024"],
                                     ["rollover", "2025", "--end", "6.10"],
                                     ["new", "measure", "-g", "6.10", "-t", "Antal"]])
def test_a_read_only_goal_file_is_refused_and_keeps_its_mode(kommun: Path,
                                                             command: list[str]) -> None:
    path = kommun / GOAL
    path.chmod(0o444)
    before = snapshot(kommun)
    result = run(kommun, *command)
    assert result.exit_code == 1
    assert f"{GOAL} is read-only" in result.output and "chmod u+w" in result.output
    assert snapshot(kommun) == before
    assert path.stat().st_mode & 0o777 == 0o444


# --- what a file may hold: line ends, tabs, YAML 1.1 line breaks ---------------------------

def _open_t2(root: Path, text: str) -> tuple[str, list[str]]:
    """Write ``text`` as the goal file, open T2-2024 for its body: the new text and the
    lines added (failing if any line was changed or removed)."""
    path = root / GOAL
    path.write_bytes(text.encode())
    assert run(root, "check").exit_code == 0
    result = run(root, "period", "open", "T2-2024", "-b", "tn")
    assert result.exit_code == 0, result.output
    new = path.read_bytes()
    assert run(root, "check").exit_code == 0
    return new.decode(), only_added_lines(text.encode(), new)


def test_lines_added_to_a_file_with_cr_line_ends_end_with_cr(kommun: Path) -> None:
    text = (kommun / GOAL).read_text().replace("\n", "\r")
    new, added = _open_t2(kommun, text)
    assert added == [line.replace("\n", "\r") for line in T2]
    assert "\n" not in new


def test_added_lines_end_as_the_line_above_them_in_a_mixed_file(kommun: Path) -> None:
    text = (kommun / GOAL).read_text().replace("\n", "\r\n", 3)
    _, added = _open_t2(kommun, text)
    assert added == T2


@pytest.mark.parametrize("old, new", [
    ("level: namndmal", "level:\tnamndmal"),
    ("    followups:\n", "    followups:\t\n"),
    ("comment: Upphandlingen", "comment:\tUpphandlingen"),
    ("ready: true", "ready: true\t# klart"),
    ('parent: ["1:2", "1:10"]', 'parent: ["1:2",\n\t"1:10"]'),
])
def test_a_tab_check_takes_is_edited_around(kommun: Path, old: str, new: str) -> None:
    text = (kommun / GOAL).read_text()
    assert old in text
    _, added = _open_t2(kommun, text.replace(old, new))
    assert added == T2


@pytest.mark.parametrize("value", ['"Upphandlingen\u2028pågår."', '"Upphandlingen\x85pågår."',
                                   '"Upphandlingen\npågår."', "Upphandlingen\n          pågår."])
def test_a_value_over_more_than_one_line_is_edited_after_its_end(kommun: Path,
                                                                value: str) -> None:
    text = (kommun / GOAL).read_text().replace("Upphandlingen pågår.", value)
    new, added = _open_t2(kommun, text)
    assert added == T2
    assert new.index("pågår.") < new.index("T2-2024")


@pytest.mark.parametrize("char, name", [("\u2028", "U+2028 (LINE SEPARATOR)"),
                                        ("\x85", "U+0085 (NEXT LINE)"),
                                        ("\u2029", "U+2029 (PARAGRAPH SEPARATOR)")])
def test_a_yaml_1_1_line_break_between_keys_is_named(kommun: Path, char: str, name: str) -> None:
    """check (YAML 1.1) reads two keys on line 11; the editor (YAML 1.2) reads one line."""
    path = kommun / GOAL
    path.write_bytes(path.read_bytes().replace(b"ready: true\n", f"ready: true{char}".encode()))
    assert run(kommun, "check").exit_code == 0
    before = snapshot(kommun)
    result = run(kommun, "period", "open", "T2-2024")
    assert result.exit_code == 1
    assert f"{GOAL}: malpl cannot edit this file: line 11 holds {name}" in result.output
    assert "block scalar" not in result.output
    assert snapshot(kommun) == before


# --- temporary files of a killed run ------------------------------------------------------

def _killed_while_writing(target: Path) -> Path:
    """The temporary file a malpl process left beside ``target`` when it was SIGKILLed."""
    code = ("import os, signal, sys; from pathlib import Path; from malpl import files; "
            "files.stage(Path(sys.argv[1]), b'half'); os.kill(os.getpid(), signal.SIGKILL)")
    done = subprocess.run([sys.executable, "-c", code, str(target)], check=False)
    assert done.returncode == -signal.SIGKILL
    [temp] = [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    return temp


def test_a_new_repository_keeps_temporary_files_out_of_git(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "ny"
    assert invoke(["init", str(root), "--name", "Nyby", "--git"]).exit_code == 0
    assert files.GITIGNORE in (root / ".gitignore").read_text().splitlines()
    temp = _killed_while_writing(root / "goals/kf/kf.1.yaml")
    (root / "goals/kf/anteckning.tmp").write_text("en persons fil\n")
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    assert status == "?? goals/kf/anteckning.tmp\n", status
    assert temp.name in git(root, "status", "--porcelain", "--ignored", "--untracked-files=all")


def test_the_next_edit_removes_a_killed_runs_temporary_files_and_nothing_else(
        kommun: Path) -> None:
    folder = kommun / "goals/tn"
    temp = _killed_while_writing(folder / "6.9.yaml")
    alive = files.stage(folder / "6.10.yaml", b"a run still on")  # this process: running
    keep = [folder / ".6.9.yaml.abcdefgh.tmp", folder / "6.9.yaml.malpl-1-abcdefgh.tmp",
            folder / ".6.9.yaml.malpl-x-abcdefgh.tmp", folder / "anteckning.tmp"]
    for path in keep:
        path.write_text("en persons fil\n")
    link = folder / f".länk{temp.name[temp.name.index('.malpl-'):]}"
    link.symlink_to("6.9.yaml")
    dry = run(kommun, "period", "open", "T2-2024", "--dry-run")
    assert dry.exit_code == 0 and temp.exists()
    result = run(kommun, "period", "open", "T2-2024")
    assert result.exit_code == 0, result.output
    assert "removed 1 temporary file a stopped run of malpl left" in result.output
    assert not temp.exists()
    assert all(p.exists() for p in keep) and alive.exists() and link.is_symlink()
