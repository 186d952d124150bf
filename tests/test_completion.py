"""Shell completion of ids, periods and bodies from the repository itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT


@pytest.mark.parametrize("words, expected", [
    ("malpl -C {k} show 1:", ["1:1", "1:2", "1:10"]),
    ("malpl -C {k} status --body t", ["tn"]),
    ("malpl -C {k} todo T", ["T2-2024", "T1-2024", "T3-2023"]),
    ("malpl show 1", []),  # run where there is no goals repository: nothing, no error
])
def test_completion(words: str, expected: list[str], tmp_path: Path) -> None:
    line = words.format(k=FIXTURES / "kommun")
    env = {**os.environ, "_MALPL_COMPLETE": "complete_bash", "COMP_WORDS": line,
           "COMP_CWORD": str(len(line.split()) - 1)}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "malpl"], env=env, capture_output=True,
                          text=True, cwd=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.stdout.split() == expected
