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


def ci_files(root: Path) -> tuple[dict, dict, dict]:
    import yaml

    return tuple(yaml.safe_load((root / name).read_text()) for name in (
        ".github/workflows/malpl.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"))


def install_commands(root: Path) -> list[list[str]]:
    """The install command of the GitHub workflow and of the GitLab job, as the shell splits it."""
    import shlex

    github, gitlab, _hook = ci_files(root)
    runs = [step["run"] for step in github["jobs"]["goals"]["steps"]
            if "pip" in step.get("run", "")]
    return [shlex.split(command) for command in runs + gitlab["malpl"]["before_script"]]


def test_init_pins_ci_and_the_hook_to_the_running_malpl(tmp_path: Path) -> None:
    from malpl import __version__
    from malpl.lifecycle.init import PROJECT_URL

    assert run("init", str(tmp_path)).exit_code == 0
    # An index holds malpl under its name; 'pip install malpl' would take whatever is newest.
    assert install_commands(tmp_path) == [["pip", "install", f"malpl=={__version__}"]] * 2
    hook = ci_files(tmp_path)[2]["repos"]
    assert hook == [{"repo": PROJECT_URL, "rev": f"v{__version__}",
                     "hooks": [{"id": "malpl-check"}]}]  # pre-commit installs malpl itself
    install = read_config(tmp_path).install
    assert install.from_ == f"malpl=={__version__}"
    assert install.hook is not None and (install.hook.repo, install.hook.rev) == (
        PROJECT_URL, f"v{__version__}")


def test_the_hook_repository_is_the_projects_own() -> None:
    import tomllib

    from malpl.lifecycle.init import PROJECT_URL
    from tests.conftest import ROOT

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Source"] == PROJECT_URL


@pytest.mark.parametrize("spec", [
    "git+https://github.com/malpl/malpl@v0.1.0",
    "wheels/malpl-0.1.0-py3-none-any.whl",
    "malpl[x]>=0.1,<0.2",
    "a;b$(touch${IFS}x)'c\"d#e:f`g`",  # one word to the shell, nothing run
])
def test_init_installs_from_where_the_repository_says(tmp_path: Path, spec: str) -> None:
    result = run("init", str(tmp_path), "--install-from", spec,
                 "--hook-repo", "file:///srv/malpl.git", "--hook-rev", "v9.9.9")
    assert result.exit_code == 0, result.output
    assert install_commands(tmp_path) == [["pip", "install", spec]] * 2
    assert ci_files(tmp_path)[2]["repos"][0] | {"hooks": None} == {
        "repo": "file:///srv/malpl.git", "rev": "v9.9.9", "hooks": None}
    install = read_config(tmp_path).install
    assert install.from_ == spec and install.hook is not None
    assert (install.hook.repo, install.hook.rev) == ("file:///srv/malpl.git", "v9.9.9")
    assert run("-C", str(tmp_path), "check").exit_code == 0


@pytest.mark.parametrize("option, value", [("--install-from", "-e ."),
                                           ("--install-from", "--index-url=http://x"),
                                           ("--hook-repo", "https://x y"),
                                           ("--hook-rev", "v1\n")])
def test_init_refuses_what_pip_or_pre_commit_would_misread(tmp_path: Path, option: str,
                                                           value: str) -> None:
    result = run("init", str(tmp_path), f"{option}={value}")
    assert result.exit_code == 2 and "is not something pip or pre-commit can read" in result.output
    assert "without spaces and not starting with '-'" in result.output
    assert not list(tmp_path.iterdir())


def test_check_refuses_an_install_setting_read_as_an_option(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0
    config = tmp_path / "malpl.yaml"
    text = config.read_text()
    config.write_text(text.replace(text[text.index("  from: "):].splitlines()[0],
                                   '  from: "--index-url=http://x"'))
    result = run("-C", str(tmp_path), "check")
    assert result.exit_code == 1 and "malpl.yaml:" in result.output and "'from'" in result.output


def test_init_says_in_swedish_what_pip_cannot_read(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_LANG", "sv")
    result = run("init", str(tmp_path), "--install-from", "-e .")
    assert result.exit_code == 2
    assert "--install-from '-e .' går inte att läsa för pip eller pre-commit" in result.output
    assert "skriv det utan mellanslag" in result.output
    assert run("init", str(tmp_path)).exit_code == 0
    written = (tmp_path / "malpl.yaml").read_text()
    assert "# Var CI" in written and "det CI installerar med pip" in written
    assert "Jobbet installerar malpl" in (tmp_path / ".gitlab-ci.yml").read_text()
