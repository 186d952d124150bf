"""malpl in other repositories' pipelines: the pre-commit hook, --version, completion."""

from __future__ import annotations

import pytest
import yaml

from malpl import __version__
from tests.cli_runner import invoke
from tests.conftest import ROOT


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0 and result.output == f"malpl {__version__}\n"


def test_pre_commit_hook_runs_malpl_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "malpl-check")
    assert hook["entry"] == "malpl check" and hook["pass_filenames"] is False
    # pre-commit installs malpl from this repository: no malpl on PATH needed.
    assert hook["language"] == "python"


def test_pre_commit_reads_the_hook_and_the_config_init_writes(tmp_path) -> None:
    """pre-commit's own validation, offline: the manifest here and the config init writes."""
    import subprocess
    import sys

    pytest.importorskip("pre_commit", reason="the test extra installs pre-commit")
    assert invoke(["init", str(tmp_path)]).exit_code == 0
    for command, path in (("validate-manifest", ROOT / ".pre-commit-hooks.yaml"),
                          ("validate-config", tmp_path / ".pre-commit-config.yaml")):
        done = subprocess.run([sys.executable, "-m", "pre_commit", command, str(path)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert [h["id"] for r in config["repos"] for h in r["hooks"]] == ["malpl-check"]
    assert all(r["repo"] not in ("local", "meta") for r in config["repos"])


def test_shell_completion_is_offered() -> None:
    result = invoke(["--help"])
    assert "malpl completion" in result.output  # where to read how to turn it on
    for shell in ("bash", "zsh", "fish"):
        script = invoke(["completion", shell])
        assert script.exit_code == 0 and "malpl __complete " + shell in script.output


def bad_repo(tmp_path, count: int):
    import shutil

    from tests.conftest import FIXTURES

    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "kommun", root)
    for i in range(count):
        (root / f"goals/ks/bad{i}.yaml").write_text(f"id: bad{i}\nlevel: nej\n")
    return root


def test_github_annotations_stop_at_ten_and_the_rest_go_to_the_summary(tmp_path,
                                                                       monkeypatch) -> None:
    root = bad_repo(tmp_path, 12)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = invoke(["-C", str(root), "check", "--format", "github"])
    assert result.exit_code == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(annotations) == 10
    listed = [line for line in summary.read_text().splitlines() if line.startswith("- ")]
    assert listed and len(annotations) + len(listed) == result.stdout.count("::error") + len(listed)
    assert "more problems are listed in the job summary" in result.stdout


def test_gitlab_code_quality_report(tmp_path) -> None:
    import json

    root = bad_repo(tmp_path, 1)
    result = invoke(["-C", str(root), "check", "--format", "gitlab"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report and all({"description", "check_name", "fingerprint", "severity", "location"}
                          <= set(r) for r in report)
    assert report[0]["location"]["path"] == "goals/ks/bad0.yaml"
    assert len({r["fingerprint"] for r in report}) == len(report)
