"""`malpl init`: a new repository that passes check, on real files and real git."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from malpl.repository import read_config
from tests.cli_runner import invoke
from tests.test_lifecycle_period import GIT_ENV, snapshot


def run(*args: str):
    return invoke(list(args))


def test_init_passes_check_at_once(tmp_path: Path) -> None:
    root = tmp_path / "mal"
    result = run("init", str(root), "--name", "Ånge kommun", "--kolada-id", "2260")
    assert result.exit_code == 0, result.output
    check = run("-C", str(root), "check")
    assert check.exit_code == 0 and "0 errors, 0 warnings" in check.output
    config = read_config(root)
    assert config.organisation.name == "Ånge kommun" and config.organisation.kolada_id == "2260"
    assert [b.key for b in config.bodies] == ["kf", "ks"]
    for name in (".gitattributes", ".vscode/settings.json", ".github/workflows/malpl.yml",
                 ".gitlab-ci.yml", ".pre-commit-config.yaml", "schema/goal.schema.json",
                 "goals/kf/kf.1.yaml", "goals/ks/ks.1.yaml"):
        assert (root / name).is_file(), name
    assert "diff=malpl" in (root / ".gitattributes").read_text()
    assert "/reports/" in (root / ".gitignore").read_text()


def test_init_with_git_commits_and_sets_the_diff_driver(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "mal"
    assert run("init", str(root), "--git", "-b", "tn:Tekniska nämnden:namnd").exit_code == 0
    git = ["git", "-C", str(root)]
    files = subprocess.run([*git, "ls-files"], capture_output=True, text=True).stdout.split()
    assert "goals/tn/tn.1.yaml" in files and "malpl.yaml" in files
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True,
                          text=True).stdout == ""
    driver = subprocess.run([*git, "config", "diff.malpl.textconv"], capture_output=True, text=True)
    assert driver.stdout.strip() == f"{sys.executable} -m malpl textconv"  # wherever PATH leads


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text("# ours\n")
    before = snapshot(tmp_path)
    result = run("init", str(tmp_path))
    assert result.exit_code == 1 and ".gitlab-ci.yml exists already" in result.output
    assert snapshot(tmp_path) == before


def test_init_keeps_hostile_names_exactly(tmp_path: Path) -> None:
    name = 'Kommun "x" # inte en kommentar\n: {a: b} \u2028 slut'
    result = run("init", str(tmp_path), "--name", name, "-b", "ks:Styrelsen: [1]:styrelse")
    assert result.exit_code == 2 and "is not a body" in result.output
    assert run("init", str(tmp_path), "--name", name).exit_code == 0
    assert read_config(tmp_path).organisation.name == name
    assert run("-C", str(tmp_path), "check").exit_code == 0


@pytest.mark.parametrize("spec, message", [("ks", "is not a body"),
                                           ("KS X:Styrelsen", "cannot be a body key"),
                                           ("ks:Styrelsen:kommitte", "is not a kind of body")])
def test_init_refuses_bad_bodies(tmp_path: Path, spec: str, message: str) -> None:
    result = run("init", str(tmp_path), "-b", spec)
    assert result.exit_code == 2 and message in result.output  # a usage error
    assert not list(tmp_path.iterdir())


def test_init_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = run("init", str(tmp_path), "--dry-run")
    assert result.exit_code == 0 and "+++ b/malpl.yaml" in result.output
    assert not list(tmp_path.iterdir())
