"""malpl in other repositories' pipelines: the pre-commit hook, --version, completion."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from malpl import __version__
from malpl.cli import app
from tests.conftest import ROOT

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"malpl {__version__}\n"


def test_pre_commit_hook_runs_malpl_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "malpl-check")
    assert hook["entry"] == "malpl check" and hook["pass_filenames"] is False


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.output and "--show-completion" in result.output
