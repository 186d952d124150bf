"""Nothing outside the repository reaches a report or the website: a link in ``templates/``
or a logo is read only when it leads to a regular file inside the repository."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from malpl.confined import Confined, read_inside
from malpl.repository import MalplError, load_repository
from malpl.site import render_site
from malpl.views import resolve_period
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

SECRET = "s3cr3t-token-value"
PASSWD_LINE = "root:x:0:0:"  # the first line of /etc/passwd on every Linux


def _report(root: Path, fmt: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``malpl report`` in a process of its own, with a secret in its environment: the
    environment of this test's process is not what /proc/self/environ holds for it."""
    return subprocess.run([sys.executable, "-m", "malpl", "-C", str(root), "report", "T1-2023",
                           "--format", fmt, "-o", str(out), *extra], capture_output=True,
                          text=True, env={**os.environ, "CI_TOKEN": SECRET})


def _templates(repo: Path) -> Path:
    folder = repo / "templates"
    folder.mkdir(exist_ok=True)
    return folder


def _refused(done: subprocess.CompletedProcess[str], out: Path, name: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert name in done.stderr and "outside the repository" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and SECRET not in done.stdout + done.stderr
    assert not out.exists()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="Linux's /proc")
def test_a_stylesheet_linked_to_the_environment_is_not_published(repo: Path,
                                                                  tmp_path: Path) -> None:
    (_templates(repo) / "report.css").symlink_to("/proc/self/environ")
    out = tmp_path / "r.html"
    _refused(_report(repo, "html", out), out, "report.css")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="Linux's /proc")
@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_an_included_template_linked_to_the_environment_is_not_published(
        repo: Path, tmp_path: Path, fmt: str) -> None:
    templates = _templates(repo)
    (templates / "x.j2").symlink_to("/proc/self/environ")
    (templates / "report.md.j2").write_text('# Rapport\n\n{% include "x.j2" %}\n',
                                            encoding="utf-8")
    out = tmp_path / f"r.{fmt}"
    _refused(_report(repo, fmt, out), out, "x.j2")


@pytest.mark.parametrize("link", ["report.md.j2", "etc"])
def test_a_template_or_folder_linked_out_of_the_repository_is_not_read(
        repo: Path, tmp_path: Path, link: str) -> None:
    templates = _templates(repo)
    if link == "etc":
        (templates / "etc").symlink_to("/etc")
        (templates / "report.md.j2").write_text('{% include "etc/passwd" %}\n', encoding="utf-8")
    else:
        (templates / link).symlink_to("/etc/passwd")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1, result.output
    assert PASSWD_LINE not in result.output and "Traceback" not in result.output
    assert "outside the repository" in result.output
    assert str(Path("templates") / ("etc/passwd" if link == "etc" else link)) in result.output


def test_a_site_template_linked_out_of_the_repository_is_not_published(tmp_path: Path) -> None:
    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "hostile-site", root)
    (root / "templates" / "site").mkdir(parents=True)
    (root / "templates" / "site" / "tillganglighet.html.j2").symlink_to("/etc/passwd")
    result = invoke(["-C", str(root), "site", "T2-2024", "-o", str(tmp_path / "site")])
    assert result.exit_code == 1, result.output
    assert "tillganglighet.html.j2" in result.output
    assert "outside the repository" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("name", ["reference.docx", "malpl.lua"])
def test_the_word_profile_and_the_filter_are_read_from_inside_only(
        repo: Path, tmp_path: Path, name: str) -> None:
    """pandoc is handed a copy of what malpl read, never the link in ``templates/``."""
    secret = tmp_path / "secret"
    secret.write_text("print('SECRET')\n", encoding="utf-8")
    (_templates(repo) / name).symlink_to(secret)
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "docx", "-o",
                     str(tmp_path / "r.docx"), "--allow-filters"])
    assert result.exit_code == 1, result.output
    assert name in result.output and "outside the repository" in result.output
    assert not (tmp_path / "r.docx").exists()


def test_a_link_inside_the_repository_is_read(repo: Path, tmp_path: Path) -> None:
    (repo / "stil").mkdir()
    (repo / "stil" / "egen.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    (repo / "stil" / "delar").mkdir()
    (repo / "stil" / "delar" / "rad.j2").write_text("EGEN RAD\n", encoding="utf-8")
    templates = _templates(repo)
    (templates / "report.css").symlink_to(Path("..") / "stil" / "egen.css")
    (templates / "delar").symlink_to(repo / "stil" / "delar")
    (templates / "report.md.j2").write_text('# Rapport\n\n{% include "delar/rad.j2" %}\n',
                                            encoding="utf-8")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "html", "-o",
                     str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "#123456" in html and "EGEN RAD" in html


def test_a_dangling_template_link_is_said_not_replaced_by_the_shipped_one(repo: Path) -> None:
    (_templates(repo) / "report.md.j2").symlink_to("borttagen.md.j2")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1, result.output
    assert "report.md.j2 is a link that leads to nothing" in result.output
    assert "Traceback" not in result.output


def test_templates_given_on_the_command_line_may_link_inside_it_or_the_repository(
        repo: Path, tmp_path: Path) -> None:
    own = tmp_path / "egna"
    own.mkdir()
    (own / "delar").mkdir()
    (own / "delar" / "a.j2").write_text("FRÅN MAPPEN\n", encoding="utf-8")
    (repo / "b.j2").write_text("FRÅN REPOSITORIET\n", encoding="utf-8")
    (own / "a.j2").symlink_to(own / "delar" / "a.j2")
    (own / "b.j2").symlink_to(repo / "b.j2")
    (own / "report.md.j2").write_text('{% include "a.j2" %}{% include "b.j2" %}\n',
                                      encoding="utf-8")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-",
                     "--templates", str(own)])
    assert result.exit_code == 0, result.output
    assert "FRÅN MAPPEN" in result.stdout and "FRÅN REPOSITORIET" in result.stdout
    (own / "c.j2").symlink_to("/etc/passwd")
    (own / "report.md.j2").write_text('{% include "c.j2" %}\n', encoding="utf-8")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-",
                     "--templates", str(own)])
    assert result.exit_code == 1 and PASSWD_LINE not in result.output
    assert "c.j2 leads outside the repository and" in result.output


def _svg_logo(root: Path) -> None:
    (root / "bilder" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
        "</svg>", encoding="utf-8")
    config = root / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("bilder/logo.png",
                                                                 "bilder/logo.svg"),
                      encoding="utf-8")


def test_the_sites_logo_is_a_png_or_jpeg_never_an_svg_with_script(tmp_path: Path) -> None:
    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "hostile-site", root)
    _svg_logo(root)
    repo = load_repository(root)
    with pytest.raises(MalplError, match=r"site\.logo 'bilder/logo\.svg' is not a PNG or JPEG"):
        render_site(repo, resolve_period(repo, None, written=True), draft=True)


def test_the_sites_logo_may_be_a_jpeg_linked_inside_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "hostile-site", root)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(picture, format="JPEG")
    (root / "bilder" / "logga.jpeg").write_bytes(picture.getvalue())
    (root / "bilder" / "logo.png").unlink()
    (root / "bilder" / "logo.png").symlink_to("logga.jpeg")  # the name says nothing
    repo = load_repository(root)
    files = render_site(repo, resolve_period(repo, None, written=True), draft=True)
    assert files["logo.jpg"] == picture.getvalue() and "logo.png" not in files
    assert b'<img src="logo.jpg" alt=""' in files["index.html"]


# --- the one reading function ----------------------------------------------------------


def test_read_inside_refuses_pipes_folders_and_large_files_without_waiting(tmp_path: Path
                                                                          ) -> None:
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")  # nobody writes to it: a blocking open would wait forever
    (tmp_path / "big").write_bytes(b"x" * 2049)
    (tmp_path / "small").write_bytes(b"x" * 2048)
    for name in ("folder", "pipe"):
        with pytest.raises(MalplError, match="is not a regular file"):
            read_inside(tmp_path / name, [tmp_path], 2048)
    with pytest.raises(MalplError, match="is larger than"):
        read_inside(tmp_path / "big", [tmp_path], 2048)
    assert read_inside(tmp_path / "small", [tmp_path], 2048) == b"x" * 2048
    with pytest.raises(MalplError, match="does not exist"):
        read_inside(tmp_path / "missing", [tmp_path], 2048)


def test_find_never_leaves_its_folders_by_name(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.j2").write_text("x", encoding="utf-8")
    folders = Confined((inner,), (inner,))
    for name in ("../outside.j2", "a/../../outside.j2", "", "."):
        assert folders.find(name) is None
    (inner / "ok.j2").write_text("ok", encoding="utf-8")
    assert folders.find("./ok.j2") == (inner / "ok.j2", b"ok")


def test_a_docx_report_with_a_linked_template_inside_the_repository_is_whole(
        repo: Path, tmp_path: Path) -> None:
    """The Word profile pandoc is given is the copy malpl read: one linked inside works."""
    from tests.conftest import ROOT

    shutil.copy(ROOT / "templates" / "reference.docx", repo / "profil.docx")
    (_templates(repo) / "reference.docx").symlink_to(repo / "profil.docx")
    out = tmp_path / "r.docx"
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "word/document.xml" in zipfile.ZipFile(out).namelist()
