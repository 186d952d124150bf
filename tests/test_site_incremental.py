"""`malpl site` into a folder it built before rewrites only what changed, and gives the
bytes a fresh build gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from malpl.repository import load_repository
from malpl.site import folder as site_folder
from malpl.site import render as site_render
from malpl.site import write_site
from malpl.site.folder import MANIFEST
from malpl.views import resolve_period

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.se",
       "-c", "commit.gpgsign=false"]


def git(root: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo_root(tmp_path: Path) -> Path:
    """A generated repository of 2 bodies × 3 goals over the three tertials of 2023."""
    root = tmp_path / "repo"
    generate(root, bodies=2, goals=3, targets=2, years=1)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "goals")
    return root


def build(root: Path, out: Path) -> int:
    repo = load_repository(root)
    return write_site(repo, resolve_period(repo, None, written=True), out, draft=True)


def stats(out: Path) -> dict[str, tuple[int, int]]:
    """Every file's (mtime, inode): a file replaced or rewritten changes one of them."""
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(out.rglob("*")) if p.is_file()}


def contents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def reassess(root: Path, target: str, period: str) -> None:
    """Change one follow-up's assessment in its goal file, nothing else of the file."""
    path = root / "goals" / "namnd-01" / f"{target.rsplit('.', 1)[0]}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f'  - id: "{target}"\n')
    at += lines[at:].index(f"      {period}:\n")
    at += next(i for i, line in enumerate(lines[at:]) if "assessment:" in line)
    was = lines[at].split(":", 1)[1].strip()
    step = next(s for s in ("uppfyllt", "ej_uppfyllt") if s != was)
    lines[at] = f"        assessment: {step}\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_a_rerun_with_nothing_changed_writes_no_file(repo_root: Path, tmp_path: Path,
                                                     monkeypatch) -> None:
    out = tmp_path / "site"
    (out / "CNAME").parent.mkdir()
    (out / "CNAME").write_text("mal.kommun.se\n")
    count = build(repo_root, out)
    before = stats(out)
    rendered: list[str] = []
    run = site_render.run_template
    monkeypatch.setattr(site_render, "run_template",
                        lambda *a, **k: rendered.append(a[2]) or run(*a, **k))
    moved: list[object] = []
    monkeypatch.setattr(site_folder.os, "replace", lambda *a: moved.append(a))
    assert build(repo_root, out) == count
    assert stats(out) == before  # the list too; and the person's CNAME
    assert moved == []
    assert rendered == ["tillganglighet.html.j2"]  # once, to look for places to fill in


def test_keys_are_the_same_in_another_process(repo_root: Path, tmp_path: Path) -> None:
    """A page's key does not depend on the process (no set's order, no id): a rerun
    from the command line renders nothing either."""
    outs = [tmp_path / "a", tmp_path / "b"]
    for seed, out in zip(("1", "2"), outs, strict=True):
        subprocess.run([sys.executable, "-m", "malpl", "-C", str(repo_root), "site",
                        "T3-2023", "--draft", "-o", str(out)], check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "MALPL_LANG": "en"})
    keys = [json.loads((out / MANIFEST).read_text(encoding="utf-8"))["keys"] for out in outs]
    assert keys[0] == keys[1] and len(keys[0]) > 50


def test_one_changed_goal_rewrites_its_pages_and_those_that_count_it(
        repo_root: Path, tmp_path: Path) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(repo_root, out)
    before, old = stats(out), contents(out)
    reassess(repo_root, "1.2.1", "T2-2023")
    git(repo_root, "commit", "-q", "-am", "1.2.1 reassessed")
    build(repo_root, out)
    build(repo_root, fresh)
    assert contents(out) == contents(fresh)  # byte for byte a fresh build
    after = stats(out)
    rewritten = sorted(rel for rel in after if after[rel] != before.get(rel))
    changed = sorted(rel for rel, data in contents(out).items() if old.get(rel) != data)
    assert rewritten == changed == [
        MANIFEST,
        "T2-2023/bedomning/ej-paborjat.html", "T2-2023/bedomning/uppfyllt.html",
        "T2-2023/data/uppfoljning-T2-2023.csv", "T2-2023/data/uppfoljning-T2-2023.json",
        "T2-2023/index.html",  # the start page counts it
        "T2-2023/mal/1.2.html",  # its goal's page
        "T2-2023/omraden.html",  # the goal areas' roll-up
        "T2-2023/organ/kommunstyrelsen.html",
        "T2-2023/organ/kommunstyrelsen/ej-paborjat.html",
        "T2-2023/organ/kommunstyrelsen/uppfyllt.html",
        "T3-2023/mal/1.2.html",  # the goal's history shows the earlier assessment
    ]


def test_a_page_someone_edited_is_written_again(repo_root: Path, tmp_path: Path) -> None:
    """An unchanged key is not enough: the file must still hold what malpl wrote."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(repo_root, out)
    (out / "T3-2023" / "mal" / "1.1.html").write_text("edited by hand")
    (out / "T3-2023" / "alla.html").unlink()
    build(repo_root, out)
    build(repo_root, fresh)
    assert contents(out) == contents(fresh)
