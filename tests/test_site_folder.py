"""`malpl site` writes its files into a folder a person may keep files of their own in."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from malpl.repository import MalplError, load_repository
from malpl.site import folder as site_folder
from malpl.site import write_site
from malpl.site.folder import MANIFEST
from malpl.views import resolve_period
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

KOMMUN = FIXTURES / "kommun"


def build(out: Path, period: str | None = None) -> int:
    repo = load_repository(KOMMUN)
    return write_site(repo, resolve_period(repo, period, written=True), out, draft=True)


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def listed(out: Path) -> dict[str, str]:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]


def test_a_persons_files_survive_a_new_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out)
    (out / "CNAME").write_text("mal.kommun.se\n")
    (out / "google1234abcd.html").write_text("google-site-verification: google1234abcd.html")
    (out / "T1-2024" / "egen.html").write_text("a person's page")
    build(out)
    assert (out / "CNAME").read_text() == "mal.kommun.se\n"
    assert (out / "google1234abcd.html").read_text().startswith("google-site-verification")
    assert (out / "T1-2024" / "egen.html").read_text() == "a person's page"
    assert not {"CNAME", "google1234abcd.html", "T1-2024/egen.html"} & listed(out).keys()


def test_the_list_names_every_file_written_with_its_hash(tmp_path: Path) -> None:
    out = tmp_path / "site"
    count = build(out)
    written = {rel: data for rel, data in files(out).items() if rel != MANIFEST}
    assert count == len(written)
    assert listed(out) == {rel: hashlib.sha256(data).hexdigest()
                           for rel, data in written.items()}
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_file_malpl_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, "T1-2024")
    (out / "T2-2024").mkdir()
    (out / "T2-2024" / "index.html").write_text("my own start page")
    before = files(out)
    with pytest.raises(MalplError, match=r"T2-2024/index.html, a file malpl did not write"):
        build(out, "T2-2024")
    assert files(out) == before  # nothing moved, the list unchanged
    result = invoke(["-C", str(KOMMUN), "site", "T2-2024", "--draft", "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "a file malpl did not write" in result.output and "hint: move your file" in result.output


def test_pages_malpl_no_longer_writes_go_unless_someone_changed_them(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, "T2-2024")
    later = sorted(rel for rel in listed(out) if rel.startswith("T2-2024/"))
    (out / later[0]).write_text("edited by hand")
    build(out, "T1-2024")
    assert [p.relative_to(out).as_posix() for p in (out / "T2-2024").rglob("*")
            if p.is_file()] == [later[0]]
    assert not any(rel.startswith("T2-2024/") for rel in listed(out))


def test_a_build_cut_short_is_finished_by_the_next(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "site"
    build(out, "T1-2024")
    moved = []

    def crash_after_three(source: object, target: object) -> None:
        if len(moved) == 3 and str(target).endswith(".html"):
            raise KeyboardInterrupt
        moved.append(target)
        os.rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(site_folder.os, "replace", crash_after_three)
    with pytest.raises(KeyboardInterrupt):
        build(out, "T2-2024")
    monkeypatch.undo()
    build(out, "T2-2024")
    fresh = tmp_path / "fresh"
    build(fresh, "T2-2024")
    assert files(out) == files(fresh)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("entry", ["../outside.txt", "/etc/hostname", "a/../../outside.txt",
                                   MANIFEST, ""])
def test_a_list_naming_a_file_outside_the_folder_is_refused(tmp_path: Path, entry: str) -> None:
    out = tmp_path / "site"
    build(out)
    (tmp_path / "outside.txt").write_text("not the site's")
    digest = hashlib.sha256(b"not the site's").hexdigest()
    (out / MANIFEST).write_text(json.dumps({"files": {entry: digest}}))
    with pytest.raises(MalplError, match="is not a list of files malpl wrote"):
        build(out)
    assert (tmp_path / "outside.txt").read_text() == "not the site's"


def test_a_link_in_the_folder_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, "T1-2024")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(out / "T1-2024")
    (out / "T1-2024").symlink_to(elsewhere)
    with pytest.raises(MalplError, match="T1-2024, which is not a folder malpl made"):
        build(out, "T1-2024")
    assert list(elsewhere.iterdir()) == []


def test_a_site_an_earlier_version_wrote_whole_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out)
    (out / MANIFEST).unlink()
    (out / ".malpl-site").write_text("Den här mappen skrevs av malpl site.\n")
    (out / "CNAME").write_text("mal.kommun.se\n")
    build(out)
    assert (out / "CNAME").is_file() and not (out / ".malpl-site").exists()
    assert "CNAME" not in listed(out) and "index.html" in listed(out)


def test_a_file_that_holds_what_malpl_would_write_is_taken_over(tmp_path: Path) -> None:
    """GitHub's guides have people add an empty .nojekyll, the file malpl writes too."""
    out = tmp_path / "site"
    out.mkdir()
    (out / ".nojekyll").write_bytes(b"")
    (out / "CNAME").write_text("mal.kommun.se\n")
    build(out)
    assert ".nojekyll" in listed(out) and (out / "CNAME").is_file()


@pytest.mark.parametrize("text", ["{", "[]", '{"files": []}', '{"files": {"a.html": 1}}',
                                  "\udcff"])
def test_a_list_that_is_not_malpls_is_named_not_a_crash(tmp_path: Path, text: str) -> None:
    out = tmp_path / "site"
    build(out)
    (out / MANIFEST).write_bytes(text.encode("utf-8", "surrogateescape"))
    result = invoke(["-C", str(KOMMUN), "site", "T2-2024", "--draft", "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is not a list of files malpl wrote" in result.output
    assert "hint: remove the folder and build the site again" in result.output
