"""Shell completion of commands, options, ids, periods and bodies from the repository itself.

The bash script that ``malpl completion bash`` prints runs in a real ``bash``, with
``COMP_WORDS`` split as bash splits them (``1:`` is the two words ``1`` and ``:``), and
calls the real ``malpl`` through the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import FIXTURES, ROOT

KOMMUN = str(FIXTURES / "kommun")


@pytest.fixture(scope="module")
def bash_completion(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the generated script and a ``malpl`` on the PATH that runs this checkout."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    where = tmp_path_factory.mktemp("completion")
    (where / "bin").mkdir()
    malpl = where / "bin" / "malpl"
    malpl.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m malpl "$@"\n')
    malpl.chmod(0o755)
    script = invoke(["completion", "bash"])
    assert script.exit_code == 0
    (where / "malpl.bash").write_text(script.stdout)
    return where


def complete_in_bash(where: Path, words: list[str], cwd: Path) -> list[str]:
    """COMPREPLY after bash runs the completion function on ``words``, the last being typed."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (f"source {where / 'malpl.bash'}\nCOMP_WORDS=({quoted})\n"
               f"COMP_CWORD={len(words) - 1}\n_malpl_complete\n"
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {**os.environ, "PATH": f"{where / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], env=env, cwd=cwd,
                          capture_output=True, text=True, check=True)
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.parametrize("words, expected", [
    # ids: bash completes after the ':' it split at, so it gets the rest of each id
    (["malpl", "-C", KOMMUN, "show", "1", ":"], ["1", "2", "10"]),
    (["malpl", "-C", KOMMUN, "show", "1", ":", "1"], ["1", "10"]),
    (["malpl", "-C", KOMMUN, "status", "--body", "t"], ["tn"]),
    (["malpl", "-C", KOMMUN, "status", "--body", "=", "t"], ["tn"]),
    (["malpl", "-C", KOMMUN, "todo", "T"], ["T2-2024", "T1-2024", "T3-2023"]),
    (["malpl", f"--root={KOMMUN}", "report", "T1"], ["T1-2024"]),
    (["malpl", "-C", KOMMUN, "new", "target", "-g", "6.1"], ["6.10"]),
    (["malpl", "st"], ["status"]),
    (["malpl", "kolada", ""], ["search", "pull"]),
    (["malpl", "report", "-f", ""], ["docx", "md", "html"]),
    (["malpl", "report", "--for"], ["--format", "--force"]),
    (["malpl", "-C", KOMMUN, "period", "close", "--"], ["--help", "--body", "--tag", "--no-tag"]),
    (["malpl", "completion", ""], ["bash", "zsh", "fish", "powershell"]),
    (["malpl", "show", "1"], []),  # where there is no goals repository: nothing, no error
    (["malpl", "-C", "/nowhere", "todo", ""], []),
])
def test_bash_completion(bash_completion: Path, words: list[str], expected: list[str],
                         tmp_path: Path) -> None:
    assert complete_in_bash(bash_completion, words, tmp_path) == expected


def test_completion_of_ids_lists_goals_and_targets() -> None:
    result = invoke(["__complete", "zsh", "-C", KOMMUN, "show", "6.9"])
    assert result.exit_code == 0
    assert result.stdout.split() == ["6.9", "6.9.1"]


def test_completion_never_fails_on_a_broken_repository(tmp_path: Path) -> None:
    (tmp_path / "malpl.yaml").write_text("bodies: [\n")
    result = invoke(["__complete", "bash", "-C", str(tmp_path), "todo", ""])
    assert (result.exit_code, result.output) == (0, "")


@pytest.fixture(scope="module")
def on_path(bash_completion: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{bash_completion / 'bin'}{os.pathsep}{os.environ['PATH']}"}


def test_fish_completes_with_its_own_complete_command(on_path: dict[str, str],
                                                      tmp_path: Path) -> None:
    if shutil.which("fish") is None:
        pytest.skip("no fish")
    script = tmp_path / "malpl.fish"
    script.write_text(invoke(["completion", "fish"]).stdout)
    lines = {"show 1:": ["1:1", "1:2", "1:10"], "status --body=t": ["--body=tn"],
             "todo T1": ["T1-2024"]}
    program = "".join(f"complete -C'malpl -C {KOMMUN} {line}'; echo ---;" for line in lines)
    done = subprocess.run(["fish", "--no-config", "-c", f"source {script}; {program}"],
                          env=on_path, cwd=tmp_path, capture_output=True, text=True, check=True)
    found = [part.split() for part in done.stdout.split("---")[:-1]]
    assert found == list(lines.values())


def test_zsh_script_adds_the_candidates(on_path: dict[str, str], tmp_path: Path) -> None:
    """zsh's completion system needs a terminal; compadd and _files stand in for it here."""
    if shutil.which("zsh") is None:
        pytest.skip("no zsh")
    script = tmp_path / "malpl.zsh"
    script.write_text(invoke(["completion", "zsh"]).stdout)
    program = (f"compdef() {{ }}; compadd() {{ shift; print -l -- \"$@\" }}; _files() {{ print FILES }}\n"
               f"source {script}\n"
               f"words=(malpl -C {KOMMUN} show 1:); CURRENT=5; _malpl; print -r -- ---\n"
               f"words=(malpl -C {tmp_path} show 1:); CURRENT=5; _malpl\n")
    done = subprocess.run(["zsh", "-f", "-c", program], env=on_path, cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1:1", "1:2", "1:10", "---", "FILES"]


@pytest.mark.parametrize("words, expected", [
    (["3", "-C", KOMMUN, "show", "6.9"], ["6.9", "6.9.1"]),
    (["3", "-C", KOMMUN, "status", "--body=t"], ["--body=tn"]),
    (["1", "completion", ""], ["bash", "zsh", "fish", "powershell"]),
    # Windows PowerShell 5.1 drops the empty word being completed: the count tells
    (["1", "completion"], ["bash", "zsh", "fish", "powershell"]),
    (["0", "st"], ["status"]),
])
def test_powershell_entry_counts_the_words_before_the_last(words: list[str],
                                                           expected: list[str]) -> None:
    result = invoke(["__complete", "powershell", *words])
    assert result.exit_code == 0
    assert result.stdout.split() == expected


def test_powershell_script_registers_a_native_completer() -> None:
    script = invoke(["completion", "powershell"]).stdout
    assert "Register-ArgumentCompleter -Native -CommandName malpl, malpl.exe" in script
    assert "& malpl __complete powershell $before.Count @before \"$wordToComplete\"" in script
    assert "[System.Management.Automation.CompletionResult]::new(" in script


def test_powershell_completes_with_its_own_completer(on_path: dict[str, str],
                                                     tmp_path: Path) -> None:
    if shutil.which("pwsh") is None:
        pytest.skip("no pwsh (PowerShell) on this machine")
    script = tmp_path / "malpl.ps1"
    script.write_text(invoke(["completion", "powershell"]).stdout)
    lines = {f"malpl -C {KOMMUN} show 6.9": ["6.9", "6.9.1"],
             f"malpl -C {KOMMUN} status --body=t": ["--body=tn"],
             "malpl completion ": ["bash", "zsh", "fish", "powershell"]}
    program = "".join(
        f"(TabExpansion2 -inputScript '{line}' -cursorColumn {len(line)}).CompletionMatches"
        " | ForEach-Object { $_.CompletionText }; '---';" for line in lines)
    done = subprocess.run(["pwsh", "-NoProfile", "-NonInteractive", "-Command",
                           f". {script}; {program}"], env=on_path, cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    found = [part.split() for part in done.stdout.split("---")[:-1]]
    assert found == list(lines.values())
