"""Generated hostile text in every field, through every output that is not a report.

The report formats (Markdown, HTML, DOCX) are covered in test_report_hostile.py;
here the same texts go through the terminal views, CSV, JSON, `check` and the
pull-request comment of `diff`. Whatever the text: no control character reaches
a terminal, no cell starts a spreadsheet formula, JSON stays exact, and the
Markdown comment holds no live image, link or HTML.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_runner import invoke
from tests.test_report_hostile import _field, _hostile_repo

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
GIT_ENV = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.org",
           "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.org"}


def _run(root: Path, *args: str) -> str:
    result = invoke(["-C", str(root), *args], env={"COLUMNS": "100"})
    assert result.exit_code in (0, 1), (args, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output, args
    return result.output


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_field.filter(str.strip), min_size=25, max_size=25))
def test_hostile_text_in_views_csv_json_check_and_diff(tmp_path_factory: Any,
                                                      texts: list[str]) -> None:
    root = tmp_path_factory.mktemp("h") / "repo"
    _hostile_repo(root, ["plain"] * 25)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "start")
    hostile = root.parent / "hostile"
    _hostile_repo(hostile, texts)
    for path in hostile.rglob("*.yaml"):
        shutil.copy(path, root / path.relative_to(hostile))

    shown = [_run(root, *args) for args in (
        ["status", "T1-2023"], ["show", "1"], ["show", "1.1"], ["todo", "T1-2023"],
        ["measures"], ["check"], ["diff"], ["log", "1.1"])]
    for out in shown:
        assert not RAW.search(out), out

    rows = list(csv.reader(io.StringIO(_run(root, "status", "T1-2023", "-f", "csv")
                                       .removeprefix("\ufeff")), delimiter=";"))  # Excel's
    assert all(not cell or cell[0] not in "=+-@\t\r" for row in rows[1:] for cell in row)

    assert "FAILED" not in shown[5], shown[5]
    data = json.loads(_run(root, "status", "T1-2023", "-f", "json"))
    assert [r["text"] for r in data["targets"] if r["kind"] == "target"] == [texts[16], texts[20]]

    comment = _run(root, "diff", "-f", "md")
    assert not RAW.search(comment)
    assert "![" not in comment.replace("\\![", "")
    assert not re.search(r"(?<!\\)<", comment), comment  # a ">" inside a line opens nothing
    assert not re.search(r"(?<!\\)\]\(", comment), comment
