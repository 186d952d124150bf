"""Failures of the environment are plain messages, never "internal error … this is a bug".

Real subprocesses with real pipes and real signals, real files in tmp dirs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.terminal import one_file
from tests.cli_runner import invoke

MALPL = [sys.executable, "-m", "malpl"]


def run(*args: str):
    result = invoke(list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return one_file(tmp_path_factory.mktemp("big") / "repo", 1500)  # fills any pipe buffer


def test_broken_pipe_reader_gone_after_one_line(big: Path) -> None:
    """`malpl status | head -1`: exit quietly, no traceback, no 'Exception ignored'."""
    head = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    malpl = subprocess.Popen([*MALPL, "-C", str(big), "status"], stdout=head.stdin,
                             stderr=subprocess.PIPE, env=os.environ | {"COLUMNS": "100"})
    assert head.stdin is not None and head.stdout is not None
    head.stdin.close()
    first = head.stdout.read()
    head.wait()
    _, err = malpl.communicate()
    assert first.decode().startswith("Status Tertial 1 2023")
    assert err == b""
    assert malpl.returncode in (0, 1)


@pytest.mark.parametrize("args", [("status",), ("status", "-f", "json"), ("status", "-f", "csv"),
                                  ("check",)])
def test_broken_pipe_reader_gone_before_output(big: Path, args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as closed:
        done = subprocess.run([*MALPL, "-C", str(big), *args], stdout=closed,
                              stderr=subprocess.PIPE, check=False)
    assert done.stderr == b""
    assert done.returncode == 1


@pytest.mark.parametrize("args", [("status",), ("report", "T1-2023", "-f", "md", "-o", "-")])
def test_closed_standard_output_is_a_plain_message(repo: Path, args: tuple[str, ...]) -> None:
    """Finding: started with stdout closed (``>&-``), malpl printed a traceback."""
    done = subprocess.run([*MALPL, "-C", str(repo), *args], stderr=subprocess.PIPE,
                          text=True, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert done.stderr == ("error: standard output is closed\n"
                           "    hint: give malpl somewhere to write: a terminal, a file or a pipe\n")


def test_closed_standard_input_reads_as_empty(tmp_path: Path) -> None:
    """Finding: `init` asks for the name only on a terminal, and with stdin closed the
    question whether it is one was an internal error."""
    done = subprocess.run([*MALPL, "init", str(tmp_path / "ny")], capture_output=True,
                          text=True, preexec_fn=lambda: os.close(0))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ny" / "malpl.yaml").is_file()


def test_closed_standard_error_keeps_the_exit_code(repo: Path) -> None:
    done = subprocess.run([*MALPL, "-C", str(repo), "show", "no-such-goal"],
                          stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2))
    assert done.returncode == 1 and done.stdout == b""


def test_ctrl_c_at_any_moment_exits_quietly(big: Path) -> None:
    """SIGINT while Python imports malpl, while it loads files and while it prints."""
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2):
        process = subprocess.Popen([*MALPL, "-C", str(big), "status"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate()
        assert b"Traceback" not in err, (delay, err.decode())
        assert b"internal error" not in err, delay
        assert process.returncode in (0, 130, -signal.SIGINT), (delay, process.returncode)


def test_console_script_entry_point_is_the_guarded_main() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["malpl"] == "malpl:main"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory_is_a_plain_message(repo: Path) -> None:
    (repo / "reports").mkdir()
    (repo / "reports").chmod(0o555)
    try:
        result = run("-C", str(repo), "report", "-f", "md")
    finally:
        (repo / "reports").chmod(0o755)
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "Permission denied" in result.output


def test_output_under_a_file_is_a_plain_message(repo: Path) -> None:
    (repo / "notes.txt").write_text("a person's file\n")
    result = run("-C", str(repo), "report", "-f", "md", "-o", str(repo / "notes.txt" / "r.md"))
    assert result.exit_code == 1
    assert "internal error" not in result.output and "bug" not in result.output
    assert result.output.startswith("error: ")
    assert (repo / "notes.txt").read_text() == "a person's file\n"


def test_300_character_id_is_no_internal_error(repo: Path) -> None:
    long_id = "1.1." + "1" * 300
    goal = repo / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace('"1.1.m1"', f'"{long_id}"'),
                    encoding="utf-8")
    for args in (("report", "-f", "docx"), ("show", long_id), ("status",), ("measures",)):
        result = run("-C", str(repo), *args)
        assert "internal error" not in result.output, args
        assert result.exit_code in (0, 1), args


def test_400_digit_number_is_too_large_not_not_a_number(repo: Path) -> None:
    goal = repo / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace("2022: 79.2", "2022: " + "9" * 400),
                    encoding="utf-8")
    result = run("-C", str(repo), "check")
    assert result.exit_code == 1
    assert "must be a number" not in result.output
    assert "too large" in result.output
    assert "9" * 100 not in result.output


def test_ctrl_c_wrapped_by_python_while_a_class_is_made_exits_quietly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding: Ctrl-C while a module made a class with a descriptor (ipaddress, imported
    by pathlib) reached malpl as a RuntimeError from the KeyboardInterrupt: a traceback."""
    import malpl
    import malpl.cli

    def interrupted(*_: object) -> None:
        class Descriptor:
            def __set_name__(self, owner: type, name: str) -> None:
                raise KeyboardInterrupt

        type("Made", (), {"field": Descriptor()})

    monkeypatch.setattr(malpl.cli, "main", interrupted)
    with pytest.raises(SystemExit) as done:
        malpl.main()
    assert done.value.code == 130
