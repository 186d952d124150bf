"""malpl speaks Swedish by default and English on request, through gettext catalogues
that are complete and compiled (tools/catalogues.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import catalogues  # noqa: E402


def test_every_marked_message_has_swedish_and_every_catalogue_is_compiled() -> None:
    assert catalogues.check() == []


def test_every_module_belongs_to_one_catalogue() -> None:
    owned = {p for paths in catalogues.area_files().values() for p in paths}
    assert owned == set((ROOT / "malpl").rglob("*.py"))


def _help(env: dict[str, str], cwd: Path) -> str:
    import os

    done = subprocess.run([sys.executable, "-m", "malpl", "--help"], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, **env}, check=True)
    return done.stdout


def test_help_is_swedish_by_default_and_english_on_request(tmp_path: Path) -> None:
    assert _help({"MALPL_LANG": ""}, tmp_path).startswith("användning: malpl")
    assert "\nflaggor:\n" in _help({"MALPL_LANG": ""}, tmp_path)
    assert _help({"MALPL_LANG": "en"}, tmp_path).startswith("usage: malpl")
    (tmp_path / "malpl.yaml").write_text("language: en\n", encoding="utf-8")
    assert _help({"MALPL_LANG": ""}, tmp_path).startswith("usage: malpl")
    assert _help({"MALPL_LANG": "sv"}, tmp_path).startswith("användning: malpl")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_problem_codes_stay_identifiers(lang: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_LANG", lang)
    (tmp_path / "goals").mkdir()
    (tmp_path / "goals" / "1.yaml").write_text('id: "1"\nlevel: x\ntitel: T\n', encoding="utf-8")
    result = invoke(["-C", str(tmp_path), "check", "--format", "json"])
    assert '"code": "unknown-field"' in result.stdout
