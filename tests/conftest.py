"""Shared fixtures: real files copied into temporary repositories."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# The same examples on every run, so that CI is never red by chance; explore more
# with HYPOTHESIS_PROFILE=explore.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read malpl's messages in English (``MALPL_LANG=en``), the words they were
    written in; the tests of the Swedish ones set ``MALPL_LANG=sv`` themselves."""
    monkeypatch.setenv("MALPL_LANG", "en")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the small multi-period repository (T1 and T2 2023)."""
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", target)
    return target


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped Ånge example (malpl.yaml and goals/)."""
    target = tmp_path / "ange"
    target.mkdir()
    shutil.copy(ROOT / "malpl.yaml", target)
    shutil.copytree(ROOT / "goals", target / "goals")
    return target


@pytest.fixture
def enriched(tmp_path: Path) -> Path:
    """A copy of the Ånge example with what its source does not say added for the tests:
    assessments, structured targets, a forecast, a Kolada measure with figures."""
    target = tmp_path / "ange"
    shutil.copytree(FIXTURES / "ange-enriched", target)
    return target


def full_layer(root: Path) -> Path:
    """The repository with malpl's default assessment layer (marks, summary, "Ingen kommentar"):
    the shipped example leaves it out, as its source does."""
    config = root / "malpl.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.split("\nreport:")[0] + "\n", encoding="utf-8")
    return root
