"""The pre-commit hook `init` writes works in a fresh clone, with no malpl on PATH:
pre-commit installs malpl itself from the project's repository at the version's tag.

Tested against a bare clone of this repository reached by a ``file://`` URL, tagged
in the test's own clone. pre-commit installs malpl and its dependencies with pip, so
without a package index the test is skipped, saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import ROOT
from tests.test_lifecycle_period import GIT_ENV

# What pip says when it cannot reach a package index for malpl's dependencies.
OFFLINE = ("Could not find a version that satisfies", "No matching distribution found",
           "Failed to establish a new connection", "Temporary failure in name resolution",
           "Network is unreachable")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def hook_repository(tmp_path: Path) -> str:
    """A bare clone of this repository with the running version's tag on its HEAD."""
    from malpl import __version__

    clone = tmp_path / "malpl.git"
    git("clone", "-q", "--bare", str(ROOT), str(clone), cwd=tmp_path)
    if git("tag", "--list", f"v{__version__}", cwd=clone).strip():
        git("tag", "-d", f"v{__version__}", cwd=clone)  # the test's own tag, on HEAD
    git("tag", f"v{__version__}", "HEAD", cwd=clone)
    return clone.as_uri()


def pre_commit(goals: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pre-commit as a person runs it in a terminal without malpl's environment: no
    malpl on PATH, nothing of this checkout importable."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and Path(p) != Path(venv_bin))
    env = {**os.environ, **GIT_ENV, "PATH": path, "PRE_COMMIT_HOME": str(home),
           "PIP_RETRIES": "1"}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=goals, env=env,
                          capture_output=True, text=True)


def test_the_hook_init_writes_installs_malpl_and_checks(tmp_path: Path, hook_repository: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pre_commit", reason="the test extra installs pre-commit")
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    goals = tmp_path / "mal"
    result = invoke(["init", str(goals), "--git", "--hook-repo", hook_repository])
    assert result.exit_code == 0, result.output
    home = tmp_path / "pre-commit"
    first = pre_commit(goals, home, "run", "--all-files")
    if first.returncode != 0:
        log = (home / "pre-commit.log").read_text() if (home / "pre-commit.log").exists() else ""
        if any(sign in log for sign in OFFLINE):
            pytest.skip("pre-commit's pip could not get malpl's dependencies: no package "
                        "index reachable")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "malpl check" in first.stdout and "Passed" in first.stdout

    (goals / "goals/ks/ks.2.yaml").write_text("id: ks.2\nlevel: nej\n")
    git("add", "goals/ks/ks.2.yaml", cwd=goals)
    second = pre_commit(goals, home, "run")
    assert second.returncode == 1 and "Failed" in second.stdout
    assert "goals/ks/ks.2.yaml" in second.stdout  # malpl check's own words, from the hook
