"""What `report`, `site` and `kolada` say, in Swedish (the default) and in English: what they
wrote, and each kind of failure with its hint. The report's and the site's own words are
Swedish in both languages; only what the command says changes."""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

import pytest

from malpl import swedish
from tests.cli_runner import invoke

GOLDEN = Path(__file__).parent / "golden"


def _run(tmp_path: Path, lang: str, *args: str) -> str:
    """One run at 80 columns, as a transcript with the temporary folder as <tmp>."""
    words = [str(a) for a in args]
    result = invoke(words, env={"MALPL_LANG": lang, "COLUMNS": "80"})
    assert "Traceback" not in result.output
    shown = " ".join(words).replace(str(tmp_path), "<tmp>")
    today = dt.date.today()
    text = (result.output.replace(str(tmp_path), "<tmp>")
            .replace(swedish.date(today) if lang == "sv" else today.isoformat(), "<today>"))
    return f"$ malpl {shown}  (exit {result.exit_code})\n{text}"


def _closed_port() -> int:
    with socket.socket() as closed:  # a port that was free and is closed again
        closed.bind(("127.0.0.1", 0))
        return closed.getsockname()[1]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_site_and_kolada_messages_golden(repo: Path, tmp_path: Path, lang: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    templates = repo / "templates"
    runs = [
        _run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-o", tmp_path / "r.md"),
        _run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-o", tmp_path / "r.pdf"),
        _run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-f", "html", "-o",
             tmp_path / "r.docx"),
        _run(tmp_path, lang, "-C", repo, "report", "T1-2023", "--date", "20 maj"),
        _run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-o", "-"),
        _run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-f", "md", "-o", repo / "goals"
             / "x.md"),
        _run(tmp_path, lang, "-C", repo, "site", "T2-2023", "--draft", "-o",
             tmp_path / "site"),
        _run(tmp_path, lang, "-C", repo, "site", "T2-2023", "-o", repo / "goals"),
    ]
    (tmp_path / "own.md").write_text("mitt eget\n", encoding="utf-8")
    runs.append(_run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-o", tmp_path / "own.md"))
    templates.mkdir()
    (templates / "report.md.j2").write_text("# Rapport\n\n{{ goals | nosuchfilter }}\n",
                                            encoding="utf-8")
    runs.append(_run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-f", "md", "-o", "-"))
    (templates / "report.md.j2").unlink()
    (templates / "report.md.j2").symlink_to("borttagen.md.j2")
    runs.append(_run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-f", "md", "-o", "-"))
    (templates / "report.md.j2").unlink()
    (templates / "report.md.j2").symlink_to("/etc/passwd")
    runs.append(_run(tmp_path, lang, "-C", repo, "report", "T1-2023", "-f", "md", "-o", "-"))
    monkeypatch.setenv("MALPL_KOLADA_URL", f"http://127.0.0.1:{_closed_port()}/v3")
    pulled = _run(tmp_path, lang, "-C", repo, "kolada", "pull")
    runs.append(pulled.replace(os.environ["MALPL_KOLADA_URL"], "<kolada>"))
    monkeypatch.setenv("MALPL_KOLADA_URL", "ftp://kolada.se")
    runs.append(_run(tmp_path, lang, "-C", repo, "kolada", "pull"))
    runs.append(_run(tmp_path, lang, "-C", repo, "kolada", "pull", "--since", "maj"))
    transcript = "\n".join(runs)
    path = GOLDEN / f"report-messages-{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(transcript, encoding="utf-8")
    assert transcript == path.read_text(encoding="utf-8")


def test_swedish_is_the_default_and_the_report_stays_swedish_in_english(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALPL_LANG")
    said = invoke(["-C", repo, "report", "T1-2023", "-o", tmp_path / "sv" / "r.md"])
    assert said.exit_code == 0 and said.stdout == f"sparade {tmp_path / 'sv' / 'r.md'}\n"
    site = invoke(["-C", repo, "site", "T2-2023", "--draft", "-o", tmp_path / "site"])
    assert site.exit_code == 0, site.output
    assert site.stdout.startswith(f"sparade {tmp_path / 'site'} (") and "filer, till och med " \
        "T2-2023)" in site.stdout
    english = invoke(["-C", repo, "report", "T1-2023", "-o", tmp_path / "en" / "r.md"],
                     env={"MALPL_LANG": "en"})
    assert english.stdout == f"wrote {tmp_path / 'en' / 'r.md'}\n"
    assert (tmp_path / "sv" / "r.md").read_bytes() == (tmp_path / "en" / "r.md").read_bytes()
