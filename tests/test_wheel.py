"""The built wheel carries everything a user needs: templates, schemas, the reference
document. Installed on its own (not from this checkout), it can make a new
repository, check it and write a report."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built with the hatchling installed here (the test extra), so that the
    build needs no package index."""
    pytest.importorskip("hatchling", reason="the test extra installs hatchling to build with")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    return next(out.glob("malpl-*.whl"))


def test_wheel_says_what_it_is_and_carries_its_licences(wheel: Path) -> None:
    from malpl import __version__

    with zipfile.ZipFile(wheel) as archive:
        meta = archive.read(f"malpl-{__version__}.dist-info/METADATA").decode()
        names = set(archive.namelist())
    assert "License-Expression: MIT" in meta
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in meta
    assert "Project-URL: Source, " in meta
    assert {f"malpl-{__version__}.dist-info/licenses/LICENSE",
            f"malpl-{__version__}.dist-info/licenses/malpl/fonts/LICENSE"} <= names
    assert "malpl/locale/sv/LC_MESSAGES/cli.mo" in names  # it speaks Swedish installed


def test_wheel_holds_templates_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("malpl/templates/report.md.j2", "malpl/templates/malpl.lua",
                 "malpl/templates/reference.docx", "malpl/templates/report.css",
                 "malpl/schema/goal.schema.json", "malpl/schema/malpl.schema.json"):
        assert name in names, name


def test_installed_wheel_makes_checks_and_reports_a_new_repository(wheel: Path,
                                                                    tmp_path: Path) -> None:
    from malpl import __version__

    target = tmp_path / "installed"
    # As CI installs it where no package index holds malpl: by name, from the built wheel.
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--find-links", str(wheel.parent), "--target", str(target),
                    f"malpl=={__version__}"], check=True, capture_output=True)
    # The base interpreter without site: only the installed wheel and its dependencies
    # (from this environment's site-packages) are importable, never this checkout.
    python = getattr(sys, "_base_executable", sys.executable)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(target), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])}
    work = tmp_path / "work"
    work.mkdir()

    def malpl(*args: str) -> str:
        done = subprocess.run([python, "-S", "-m", "malpl", *args], cwd=work, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    where = subprocess.run([python, "-S", "-c", "import malpl; print(malpl.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(target))
    malpl("init", "ny", "--name", "Nyby kommun")
    assert "0 errors" in malpl("-C", "ny", "check")
    malpl("-C", "ny", "period", "open", "T1-2025")
    malpl("-C", "ny", "report", "T1-2025", "-o", "rapport.docx")
    assert zipfile.is_zipfile(work / "rapport.docx")  # -o is relative to where one stands
