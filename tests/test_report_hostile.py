"""`malpl report` on hostile files: nothing a file says becomes markup, a read, a request or code."""

from __future__ import annotations

import base64
import datetime as dt
import errno
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from docx import Document
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from malpl import report as reports
from malpl.charts import measure_svg
from malpl.checks import validate
from malpl.markdown import Escaped, Md, escape, wrap
from malpl.periods import Period
from malpl.report import export as exporting
from malpl.report import markdown_text, report_context, shipped_templates, write_report
from malpl.report.context import select
from malpl.repository import MalplError, load_repository
from malpl.text import paragraphs
from malpl.views import measure_views
from tests.cli_runner import invoke
from tests.conftest import FIXTURES, ROOT
from tests.test_report import _collapse, ast_paragraphs, docx_paragraphs

DAY = dt.date(2023, 5, 15)
T1 = Period(2023, 1, "T")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    target = tmp_path / "hostile"
    shutil.copytree(FIXTURES / "hostile-report", target)
    return target


class Listener:
    """A real HTTP server on 127.0.0.1 that records every request made to it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(base64.b64decode(TINY_PNG))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


TINY_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
            "AAAABJRU5ErkJggg==")


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.server.shutdown()


class Tags(HTMLParser):
    """Every tag's attributes, to find live markup."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v or "") for k, v in attrs]


_IMAGE = re.compile(r"data:image/(png|svg\+xml);base64,([A-Za-z0-9+/=]+)")
_SVG_ELEMENTS = {"svg", "title", "desc", "style", "line", "text", "polyline", "circle", "rect"}


def malpl_image(src: str) -> bytes | None:
    """The picture a ``data:`` URI holds when it is a PNG or an SVG that malpl drew: an SVG
    of malpl's own elements, with no script, event handler, link or external style."""
    found = _IMAGE.fullmatch(src)
    if found is None:
        return None
    data = base64.b64decode(found.group(2))
    if found.group(1) == "png":
        return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None
    tree = ElementTree.fromstring(data)
    for element in tree.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name not in _SVG_ELEMENTS or any(
                a.rsplit("}", 1)[-1].lower().startswith("on") or "href" in a.lower()
                for a in element.attrib):
            return None
        if name == "style" and re.search(r"url\(|@import|expression", element.text or "", re.I):
            return None
    return data


def live_markup(html: str) -> list[tuple[str, str, str]]:
    """Event handlers, script or frames, javascript: URLs and images that are not malpl's."""
    parser = Tags()
    parser.feed(html)
    bad = [a for a in parser.attrs if a[1].lower().startswith("on")]
    bad += [a for a in parser.attrs if re.sub(r"[\s\x00-\x1f]", "", a[2]).lower().startswith(
        ("javascript:", "vbscript:"))]
    bad += [a for a in parser.attrs if a[1] == "src" and malpl_image(unescape(a[2])) is None]
    bad += [(tag, "", "") for tag in re.findall(r"<(script|iframe|object|embed|svg)\b", html, re.I)]
    return bad


def images_in_html(html: str) -> list[bytes]:
    """Every picture malpl drew in the page (``live_markup`` finds any other)."""
    found = [malpl_image(m.group(0)) for m in _IMAGE.finditer(html)]
    return [data for data in found if data is not None]


def chart_count(root: Path, period: Period | None = None) -> int:
    """The summary chart and one per measure with two points known in the period."""
    views = measure_views(load_repository(root), period=period or T1)
    return 1 + sum(len(m.series) >= 2 for m in views)


# --- finding 1: units, symbols and every other text are escaped by construction ----------


def test_only_pictures_malpl_draws_pass_as_malpl_images() -> None:
    """The check the HTML tests rely on: a PNG, or an SVG of malpl's chart elements only."""
    def svg(body: str) -> str:
        text = f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>'
        return "data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode()

    assert malpl_image("data:image/png;base64," + TINY_PNG) is not None
    assert malpl_image(svg('<text x="1">ok</text>')) is not None
    for bad in ("<script>alert(1)</script>", '<rect onload="alert(1)"/>',
                '<image href="http://127.0.0.1:9/x.png"/>', "<style>@import url(x)</style>",
                '<a xmlns:l="http://www.w3.org/1999/xlink" l:href="x"><text>a</text></a>',
                "<foreignObject/>"):
        assert malpl_image(svg(bad)) is None, bad
    for other in ("http://127.0.0.1:9/x.png", "data:image/gif;base64,R0lGOD==",
                  "data:text/html;base64,PHNjcmlwdD4=", "x.svg"):
        assert malpl_image(other) is None


def test_html_report_charts_are_svg_and_docx_charts_print_png(repo: Path, tmp_path: Path) -> None:
    """Charts in HTML (the summary and the measures) are vector pictures malpl drew; DOCX
    keeps PNG at 200 dpi."""
    html = write_report(load_repository(repo), T1, "html", tmp_path / "r.html",
                        today=DAY).read_text(encoding="utf-8")
    assert not live_markup(html)
    svgs = re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', html)
    assert len(svgs) == chart_count(repo) == len(images_in_html(html))
    assert all(malpl_image(s) is not None for s in svgs)
    docx = write_report(load_repository(repo), T1, "docx", tmp_path / "r.docx", today=DAY)
    with zipfile.ZipFile(docx) as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == chart_count(repo)
    assert all(m.startswith(b"\x89PNG") and int.from_bytes(m[16:20], "big") >= 1000
               for m in media)


def test_unit_and_scale_symbol_are_escaped_in_every_format(hostile: Path) -> None:
    env = {**os.environ, "CI_TOKEN": "s3cr3t"}
    secret = base64.b64encode(b"CI_TOKEN=s3cr3t")[:12].decode()
    passwd = Path("/etc/passwd").read_bytes()[:24]
    for fmt in ("html", "docx", "md"):
        out = hostile / "reports" / f"r.{fmt}"
        done = subprocess.run([sys.executable, "-m", "malpl", "-C", str(hostile), "report",
                               "T1-2023", "--format", fmt, "-o", str(out)],
                              capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        data = out.read_bytes()
        assert b"s3cr3t" not in data and secret.encode() not in data
        if fmt == "html":
            html = data.decode()
            assert not live_markup(html)
            images = images_in_html(html)
            assert len(images) == chart_count(hostile)
            assert not any(passwd in img or b"s3cr3t" in img for img in images)
            text = ast_paragraphs(html, "html")
            assert any("st ![](/proc/self/environ) <b onmouseover=alert(document.domain)>x</b>"
                       in t for t in text)
        if fmt == "docx":
            media = [n for n in zipfile.ZipFile(out).namelist() if n.startswith("word/media/")]
            assert len(media) == chart_count(hostile)
            assert any("![](/proc/self/environ)<b onmouseover=alert(document.domain)>x</b>" in t
                       for t in docx_paragraphs(out))


def _plain_strings(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, Md):
        return
    if isinstance(value, str):
        yield path
    elif isinstance(value, (dict, Escaped)):  # an Escaped record escapes each value read
        for k, v in value.items():
            yield from _plain_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _plain_strings(v, f"{path}[{i}]")
    else:
        assert value is None or isinstance(value, (bool, int, float)), (path, type(value))


def test_report_context_holds_only_escaped_text(hostile: Path) -> None:
    repo = load_repository(hostile)
    names = ["maluppfyllelse.png"] + [f"matt-{i}.png" for i in range(1, 10)]
    context = report_context(select(repo, T1), DAY, {n: f"bilder/{n}" for n in names})
    assert list(_plain_strings(context)) == []
    sections = context["chapters"][0]["sections"]
    assert sections[1]["rows"][0]["value_text"].startswith("5\u00a0st !\\[\\]")


def test_shipped_template_has_no_way_around_escaping() -> None:
    text = (shipped_templates() / "report.md.j2").read_text(encoding="utf-8")
    assert not re.search(r"\|\s*(safe|e|escape|forceescape|urlize|tojson)\b", text)
    assert "autoescape" not in text and "Markup" not in text


def test_template_tricks_cannot_unescape_user_text(repo: Path) -> None:
    (repo / "goals" / "1.yaml").write_text(
        (repo / "goals" / "1.yaml").read_text(encoding="utf-8").replace(
            "title: ", "title: '*fet* ![](/etc/passwd) ' #", 1), encoding="utf-8")
    (repo / "templates").mkdir()
    (repo / "templates" / "report.md.j2").write_text(
        "{% set g = chapters[0].sections[0].goal %}{{ g.title ~ '' }}|{{ g.title | lower }}|"
        "{% autoescape false %}{{ g.title }}{% endautoescape %}|{{ g.title | e }}|"
        "{{ [g.title] | join(' ') }}\n", encoding="utf-8")
    out = markdown_text(load_repository(repo), T1, today=DAY)
    assert out.count("\\*fet\\* !\\[\\](/etc/passwd)") == 5, out
    (repo / "templates" / "report.md.j2").write_text("{{ chapters[0].sections[0].goal.title | safe }}\n")
    with pytest.raises(MalplError, match="template"):
        markdown_text(load_repository(repo), T1, today=DAY)


def test_taking_escaped_text_apart_gives_text_not_markup(repo: Path) -> None:
    """Replacing, slicing or stripping a goal's escaped text gives plain text, escaped
    again when printed: a template cannot drop the backslashes that make it text."""
    (repo / "goals" / "1.yaml").write_text(
        (repo / "goals" / "1.yaml").read_text(encoding="utf-8").replace(
            "title: ", "title: '# *fet* <b>x</b>' #", 1), encoding="utf-8")
    _hostile_template(repo, "{% set t = chapters[0].sections[0].goal.title %}"
                      "{{ t | replace('\\\\', '') }}\n\n{{ t.replace('\\\\', '') }}\n\n"
                      "{{ t[1:] }}\n\n{{ t.split('\\\\') | join('') }}\n\n"
                      "{{ t.lstrip('\\\\') }}\n\n{{ t | truncate(9, true, '') }}\n")
    out = markdown_text(load_repository(repo), T1, today=DAY)
    found = ast_paragraphs(out)
    assert len(found) == 6 and all("fet" in p for p in found), found
    assert not re.search(r"(?<!\\)<b>", out) and not re.search(r"(?m)^#", out)
    assert not any(p.startswith("fet") for p in found)  # no emphasis made of '*fet*'


def _hostile_template(repo: Path, body: str) -> None:
    (repo / "templates").mkdir(exist_ok=True)
    (repo / "templates" / "report.md.j2").write_text(body, encoding="utf-8")


def test_pandoc_reads_no_file_and_fetches_nothing(repo: Path, tmp_path: Path,
                                                   listener: Listener) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(base64.b64decode(TINY_PNG) + b"SECRET-FILE")
    url = f"{listener.url}/x.png"
    _hostile_template(repo, (
        "# Titel\n\n"
        f"![a]({url}) ![b]({secret}) ![c](file://{secret}) <img src=\"{url}\">\n\n"
        f"<iframe src=\"{url}\"></iframe>\n\n[l](javascript:alert(1)) [x]{{onclick=alert(1)}}\n\n"
        "![summary]({{ summary_chart.file }})\n"))
    for fmt in ("md", "html", "docx"):
        out = write_report(load_repository(repo), T1, fmt, tmp_path / f"out.{fmt}", today=DAY)
        data = out.read_bytes()
        assert b"SECRET-FILE" not in data
        if fmt == "html":
            html = data.decode()
            assert not live_markup(html), live_markup(html)
            assert len(images_in_html(html)) == 1  # the chart malpl drew, nothing else
        if fmt == "docx":
            with zipfile.ZipFile(out) as z:
                media = [n for n in z.namelist() if n.startswith("word/media/")]
                assert len(media) == 1
                assert all(b"SECRET-FILE" not in z.read(n) for n in z.namelist())
    assert listener.requests == []


# --- finding 2: templates cannot run code; a repository's filter only when allowed -------


def test_template_cannot_reach_python(repo: Path, tmp_path: Path) -> None:
    flag = tmp_path / "ran"
    _hostile_template(repo, "{{ cycler.__init__.__globals__.os.system('touch " + str(flag)
                      + "') }}\n")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1
    assert "template" in result.output and "may not" in result.output
    assert "Traceback" not in result.output
    assert not flag.exists()


@pytest.mark.parametrize("body", [
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    # no call and no print inside: only the loops themselves can look at the clock
    '{% set s = "x" * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}',
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
])
def test_a_template_runs_for_a_bounded_time(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                            body: str) -> None:
    """Finding: two nested range(100000) ran on without end; now a template stops at the
    time limit (60 s; one here) with an error that names it and the limit."""
    from malpl.report import templating

    monkeypatch.setattr(templating, "TIME_LIMIT", 1)
    _hostile_template(repo, f"# Titel\n\n{body}\n")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1, result.output
    assert "template report.md.j2 ran longer than 1 seconds" in result.output
    assert "report.md.j2:3" in result.output and "Traceback" not in result.output


def test_a_template_that_includes_itself_twice_stops_in_time(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a call nor a loop: 2 ** 60 includes, each one passes the clock."""
    from malpl.report import templating

    monkeypatch.setattr(templating, "TIME_LIMIT", 1)
    _hostile_template(repo, '{% set n = 60 %}{% include "twice.j2" %}\n')
    (repo / "templates" / "twice.j2").write_text(
        '{% if n %}{% with n = n - 1 %}{% include "twice.j2" %}{% include "twice.j2" %}'
        "{% endwith %}{% endif %}", encoding="utf-8")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
    assert result.exit_code == 1, result.output
    assert "ran longer than 1 seconds" in result.output and "twice.j2:1" in result.output


def test_the_time_limit_is_the_templates_alone(repo: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    """The limit holds while a template renders, not after: a later one has its own."""
    from malpl.report import templating

    monkeypatch.setattr(templating, "TIME_LIMIT", 1)
    _hostile_template(repo, "{% for g in range(3) %}{{ loop.length }}{% endfor %}\n")
    for _ in range(2):
        result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "md", "-o", "-"])
        assert result.exit_code == 0 and "333" in result.stdout, result.output
    assert templating._deadline == float("inf")


def test_repository_lua_filter_runs_only_when_allowed(repo: Path, tmp_path: Path) -> None:
    flag = tmp_path / "filter-ran"
    (repo / "templates").mkdir()
    (repo / "templates" / "malpl.lua").write_text(
        f'local f = io.open("{flag}", "w"); f:write("x"); f:close()\n', encoding="utf-8")
    out = tmp_path / "r.html"
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "html", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert not flag.exists()
    assert "ignored the Lua filter" in result.output and "--allow-filters" in result.output
    assert 'class="bedomning-symbol"' in out.read_text(encoding="utf-8")  # the shipped filter ran
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "html", "-o",
                                 str(out), "--allow-filters"])
    assert result.exit_code == 0, result.output
    assert flag.exists()


# --- finding 3: -o never overwrites what it should not ------------------------------------


def _report(repo: Path, *args: str) -> Any:
    return invoke(["-C", str(repo), "report", "T1-2023", *args])


def test_output_refuses_goal_files_special_files_and_foreign_files(repo: Path,
                                                                    tmp_path: Path) -> None:
    goal = repo / "goals" / "1.yaml"
    before = goal.read_bytes()
    for target in (goal, repo / "goals" / "new.md", repo / "malpl.yaml"):
        result = _report(repo, "-f", "md", "-o", str(target), "--force")
        assert result.exit_code == 1 and "goal files" in result.output, result.output
    assert goal.read_bytes() == before
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in ("/dev/null", str(fifo)):
        result = _report(repo, "-f", "html", "-o", target, "--force")
        assert result.exit_code == 1 and "not a regular file" in result.output
    for target in (str(tmp_path) + "/", str(tmp_path)):
        result = _report(repo, "-f", "html", "-o", target)
        assert result.exit_code == 2 and "is a folder" in result.output  # a usage error
        assert "Traceback" not in result.output
    mine = tmp_path / "letter.html"
    mine.write_text("<p>a person's page</p>", encoding="utf-8")
    result = _report(repo, "-f", "html", "-o", str(mine))
    assert result.exit_code == 1 and "--force" in result.output
    assert mine.read_text(encoding="utf-8") == "<p>a person's page</p>"
    assert _report(repo, "-f", "html", "-o", str(mine), "--force").exit_code == 0
    assert reports.is_malpl_report(mine, "html")


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_a_previous_report_is_replaced(repo: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    assert _report(repo, "-f", fmt, "-o", str(out)).exit_code == 0
    assert reports.is_malpl_report(out, fmt)
    assert _report(repo, "-f", fmt, "-o", str(out)).exit_code == 0
    other = tmp_path / f"other.{fmt}"
    shutil.copy(out, other)
    wrong = "html" if fmt != "html" else "md"
    assert not reports.is_malpl_report(other, wrong)


# --- finding 4: every block construct at a paragraph start stays text ---------------------


# YAML folds a raw U+0085/U+2028/U+2029 into a space (test_comment_paragraphs_split_only_on_
# newlines covers them), and python-docx does not read Word's soft hyphen back as U+00AD.
_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029\xad")
_BLOCK_STARTS = ["a)", "(1)", "i.", "A.", "#.", "(@)", ": ", "| ", "---", "***", "```", "~~~",
                 "<!--", "===", "1.", "- ", "+ ", "> ", "# ", "% ", "iv)", "B)", "@x", "[^1]:",
                 "\u00a0", "\u3000", "\x00", "\x1b[31m", "\u202e", "\u2028", "\x1c"]
_line = st.tuples(st.sampled_from(_BLOCK_STARTS), st.text(
    _char | st.sampled_from(list("|*_#<>[]{}`\\$@:!-.")),
    max_size=12)).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line, min_size=1, max_size=4))
def test_block_markup_at_paragraph_start_stays_text(tmp_path_factory: Any, lines: list[str]
                                                     ) -> None:
    expected = [_collapse(line) for line in lines]
    assume(all(expected))
    markdown = "\n\n".join(escape(line) for line in lines) + "\n"
    assert ast_paragraphs(markdown) == expected
    assert _commonmark_paragraphs(markdown) == expected  # as GitHub reads it
    folder = tmp_path_factory.mktemp("docx")
    source = folder / "t.md"
    source.write_text(markdown, encoding="utf-8")
    import pypandoc

    pypandoc.convert_file(str(source), "docx", format="markdown-smart",
                          outputfile=str(folder / "t.docx"))
    assert [p.text for p in Document(str(folder / "t.docx")).paragraphs] == expected


def _commonmark_paragraphs(markdown: str) -> list[str]:
    """The paragraphs as GitHub's dialect reads them, with no filter to hide markup: any
    element but a paragraph of words and spaces fails."""
    import json

    import pypandoc

    doc = json.loads(pypandoc.convert_text(markdown, "json", format="gfm"))
    found = []
    for block in doc["blocks"]:
        assert block["t"] == "Para", block
        words = []
        for inline in block["c"]:
            assert inline["t"] in ("Str", "Space", "SoftBreak"), inline
            words.append(inline.get("c", " "))
        found.append("".join(words))
    return found


@settings(max_examples=30, deadline=None)
@given(st.lists(_line, min_size=8, max_size=30))
def test_wrapped_paragraphs_read_the_same(words: list[str]) -> None:
    """A long paragraph of hostile words, wrapped, is one paragraph of the same text in both
    dialects: no line it starts opens a list, a quote, a heading or a table."""
    text = " ".join(words)
    expected = _collapse(text)
    assume(expected)
    markdown = wrap(str(escape(text)), 40) + "\n"
    assert [p.replace("\n", " ") for p in ast_paragraphs(markdown)] == [expected]
    assert _commonmark_paragraphs(markdown) == [expected]


def test_markdown_report_lines_are_wrapped_but_tables_stay_whole(repo: Path) -> None:
    goal = repo / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        "title: ", "description: '" + "Lång beskrivning med 1. och - i sig. " * 20
        + "'\ntitle: ", 1), encoding="utf-8")
    markdown = markdown_text(load_repository(repo), Period(2023, 2, "T"), today=DAY)
    long = [line for line in markdown.splitlines() if len(line) > 88]
    assert long and all(line.startswith(("|", "![")) for line in long)
    description = ("Lång beskrivning med 1. och - i sig. " * 20).strip()
    assert description in [p.replace("\n", " ") for p in ast_paragraphs(markdown)]


def test_escape_keeps_meaningful_space_and_shows_control_characters() -> None:
    assert escape("\u00a0x\u3000") == "\u00a0x\u3000"
    assert escape(" \tx \n") == "x"
    assert escape("a\x00b\x1bc") == "a\u2400b\u241bc"
    assert escape("a\u2028b") == "a\\<U+2028>b"
    assert "\x00" not in ast_paragraphs(escape("a\x00b"))[0]


def test_escape_handles_noncharacters_beyond_the_bmp_and_runs_of_space() -> None:
    """The fast paths (text within the BMP, text without runs of space) keep the rule."""
    assert escape("a\U0010ffffb\U0001fffe") == "a\\<U+10FFFF>b\\<U+1FFFE>"
    assert escape("a\U0001f600b") == "a\U0001f600b"  # an emoji is text
    assert escape("a  b\t\tc\u00a0 d") == "a b c\u00a0 d"
    assert escape("tid:12 kl: 3") == "tid:12 kl: 3"
    assert escape("se :tada: och 1:1") == "se \\:tada: och 1:1"  # GitHub's emoji only


def test_escapes_show_only_where_markdown_would_misread() -> None:
    """Ids, times, decimals and '&' read as written; markup that could start is escaped."""
    for text in ("1.1", "1:1", "6.5 %", "A & B", "kl. 10.30", "a_b", "info@kommun.se",
                 "a < 5", "-5 grader", "+3", "#1", "(Kommunfullmäktige)", "OK. Vi", "x # y"):
        assert escape(text) == text
    for text, escaped in (("1. Hej", "1\\. Hej"), ("(1) a", "(1\\) a"), ("- a", "\\- a"),
                          ("## 1.1", "\\## 1.1"), ("Mål #", "Mål \\#"), ("_a_", "\\_a\\_"),
                          ("&amp;", "\\&amp;"), ("<b>", "\\<b>"), ("@cite", "\\@cite"),
                          ("a|b", "a\\|b"), ("[x](y)", "\\[x\\](y)")):
        assert escape(text) == escaped


def test_trimming_white_space_keeps_escaped_text_escaped() -> None:
    text = escape("1:1 *fet*")
    assert text.strip() == text and isinstance(text.strip(), Md)  # |trim shows no backslash
    assert not isinstance(text.rstrip("*"), Md)  # could leave a backslash: plain text again


def test_lazily_escaped_records_read_as_eagerly_escaped_ones(hostile: Path) -> None:
    """A goal or measure is escaped value by value as the template reads it; read in
    full it is what escaping all of it up front gives, and what is not read is not made."""
    from malpl.markdown import safe, safe_lazily

    repo = load_repository(hostile)

    def plain(value: Any) -> Any:
        if isinstance(value, (dict, Escaped)):
            return {k: plain(v) for k, v in value.items()}
        return [plain(v) for v in value] if isinstance(value, list) else value

    for record in [*repo.goals, *measure_views(repo, repo.goals, T1)]:
        assert plain(safe_lazily(record)) == plain(safe(record))
    view = measure_views(repo, repo.goals, T1)[0]
    record = safe_lazily(view)
    assert record["name"] == escape(view.name)
    assert list(record) == list(safe(view)) and len(record) == len(safe(view))
    with pytest.raises(KeyError):
        record["__class__"]
    assert "series" not in record._done  # read on demand only


def test_comment_paragraphs_split_only_on_newlines(repo: Path) -> None:
    goal = repo / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        "comment: |\n          Utfallet blev 79,2 % behöriga, under målet.",
        'comment: "Ett\\u2028två\\u2029tre\\x1cfyra"'), encoding="utf-8")
    markdown = markdown_text(load_repository(repo), Period(2023, 2, "T"), today=DAY)
    assert "Ett\\<U+2028>två\\<U+2029>tre\u241cfyra" in markdown


# --- finding 5: chart text is plain text -------------------------------------------------


def chart_texts(view) -> list[str]:
    """The texts the DOCX chart draws: those of its SVG, as a reader sees them."""
    from xml.etree import ElementTree

    return [e.text for e in ElementTree.fromstring(measure_svg(view)).iter() if e.text]


def test_chart_labels_with_dollar_and_underscore_are_plain_text(repo: Path) -> None:
    goal = repo / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        "label: Riket", "label: 'Riket $\\frac{1}{$'").replace(
        "values:\n      T1-2023", "values:\n      T1-2023").replace(
        "  - id: \"1.1.m2\"", "  - id: \"1.1.m2\"\n    references:\n      k:\n"
        "        label: _dold\n        values:\n          T1-2023: 1\n          T2-2023: 2"),
        encoding="utf-8")
    views = measure_views(load_repository(repo))
    assert "Riket $\\frac{1}{$" in chart_texts(views[0])
    views[0].references[0].label = "Kostnad $5 resp. $7"
    assert "Kostnad $5 resp. $7" in chart_texts(views[0])
    assert "_dold" in chart_texts(views[1])
    assert write_report(load_repository(repo), T1, "html", today=DAY).is_file()


# --- finding 6: a broken environment gets a plain message ---------------------------------


def test_pandoc_not_executable_is_a_plain_error(repo: Path, tmp_path: Path) -> None:
    fake = tmp_path / "pandoc"
    fake.write_text("not a program")
    env = {**os.environ, "PYPANDOC_PANDOC": str(fake)}
    done = subprocess.run([sys.executable, "-m", "malpl", "-C", str(repo), "report", "T1-2023",
                           "-f", "html", "-o", str(tmp_path / "r.html")],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1
    assert "error: pandoc is not available" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_broken_reference_doc_has_no_haskell_call_stack(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "profil.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = _report(repo, "-o", str(tmp_path / "r.docx"), "--reference-doc", str(broken))
    assert result.exit_code == 1
    assert "pandoc failed" in result.output and "CallStack" not in result.output


def test_unwritable_folder_and_full_disk_are_plain_errors(repo: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    result = _report(repo, "-f", "html", "-o", "/proc/malpl-report.html")
    assert result.exit_code == 1 and "could not write" in result.output
    assert "Traceback" not in result.output
    out = tmp_path / "r.html"
    assert _report(repo, "-f", "html", "-o", str(out)).exit_code == 0
    before = out.read_bytes()

    def full(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(exporting.shutil, "copyfileobj", full)
    result = _report(repo, "-f", "html", "-o", str(out))
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


# --- finding 7: nothing half-made next to the output; a person's images stay --------------


def test_report_is_made_in_the_temporary_folder(repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    seen: list[list[str]] = []
    real = exporting._pandoc

    def spy(*args: Any) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real(*args)

    monkeypatch.setattr(exporting, "_pandoc", spy)
    stale = tmp_path / ".malpl-abc123"
    stale.mkdir()
    (stale / "report.md").write_text("killed run")
    os.utime(stale, (1, 1))
    write_report(load_repository(repo), T1, "docx", tmp_path / "r.docx", today=DAY)
    assert seen == [[".malpl-abc123"]]  # nothing of this run next to the output while rendering
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.docx"]  # the killed run's is gone


def test_markdown_report_keeps_a_persons_files(repo: Path, tmp_path: Path) -> None:
    images = tmp_path / "r-bilder"
    old = tmp_path / "r-bilder.old"
    images.mkdir()
    old.mkdir()
    (images / "foto.jpg").write_bytes(b"a person's photo")
    (old / "viktig.png").write_bytes(b"kept")
    write_report(load_repository(repo), T1, "md", tmp_path / "r.md", today=DAY)
    assert (images / "foto.jpg").read_bytes() == b"a person's photo"
    assert (old / "viktig.png").read_bytes() == b"kept"
    assert (images / "maluppfyllelse.png").is_file()


# --- findings 8 and 9: image paths and names ------------------------------------------------


def test_percent_in_output_name_keeps_the_charts(repo: Path, tmp_path: Path) -> None:
    from urllib.parse import unquote

    md = write_report(load_repository(repo), T1, "md", tmp_path / "r%20a.md", today=DAY)
    links = re.findall(r'!\[[^\n]*?\]\((\S+)(?: "(?:[^"\\]|\\.)*")?\)',
                       md.read_text(encoding="utf-8"))
    assert links and all((tmp_path / unquote(link)).is_file() for link in links)
    html = write_report(load_repository(repo), T1, "html", tmp_path / "r%20a.html", today=DAY)
    assert len(images_in_html(html.read_text(encoding="utf-8"))) == chart_count(repo)


def test_chart_files_are_numbered_not_named_after_ids(repo: Path, tmp_path: Path) -> None:
    goal = repo / "goals" / "1.1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        'id: "1.1.m1"', 'id: "../../x m1\\n"'), encoding="utf-8")
    out = write_report(load_repository(repo), T1, "md", tmp_path / "r.md", today=DAY)
    names = sorted(p.name for p in (tmp_path / "r-bilder").iterdir())
    assert names == ["maluppfyllelse.png"] + [f"matt-{i}.png" for i in range(1, chart_count(repo))]
    assert out.is_file() and not (tmp_path.parent / "x m1\n.png").exists()


def test_markdown_to_stdout_inlines_its_images(repo: Path) -> None:
    result = _report(repo, "-f", "md", "-o", "-")
    assert result.exit_code == 0
    targets = re.findall(r"!\[[^\n]*?\]\(([^)]+)\)", result.output)
    assert targets and all(t.startswith("data:image/png;base64,") for t in targets)
    assert not (repo / "reports").exists()


# --- finding 10: the context is built in one pass ------------------------------------------


def test_report_context_does_not_search_goals_one_by_one(repo: Path) -> None:
    """Building the report walks the goals a fixed number of times, never once per goal."""
    loaded = load_repository(repo)

    class Counted(list):
        walks = 0

        def __iter__(self) -> Iterator[Any]:
            Counted.walks += 1
            return super().__iter__()

    loaded.goals = Counted(loaded.goals)
    assert markdown_text(loaded, T1, today=DAY, image_dir="bilder")
    assert Counted.walks < 12  # a dozen passes over 3 goals: fixed, not one per goal


# --- all of it at once: hostile text in every field the report shows -------------------------


_HOSTILE = ["![](/etc/passwd)", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
            "{{ 7*7 }}", "{% raw %}", "$x$", "$\\frac{1}{$", "http://127.0.0.1:9/x.png", "|", "*",
            "_", "#", "1.", "a)", ": ", "---", "```", "<!--", "\\", "&amp;", "\x00", "\x1b[2J",
            "\u202e", "\u00a0", "\t", "@cite", "^sup^", "~sub~", "<b onmouseover=x>"]
_field = st.lists(st.sampled_from(_HOSTILE) | st.text(_char, max_size=4), min_size=1,
                  max_size=4).map("".join)


def _hostile_repo(root: Path, t: list[str]) -> None:
    """A repository with the texts ``t`` in every field the report shows."""
    root.mkdir()
    config = {
        "organisation": {"name": t[0]}, "body": t[1], "title": t[2],
        "levels": [{"key": "malomrade", "label": "Målområde"},
                   {"key": "utvecklingsmal", "label": t[3]}],
        "scale": [{"key": "uppfyllt", "label": t[4], "color": "#2e7d32", "symbol": t[5]}],
        "labels": {"target": t[6], "comment": t[7], "measures": t[8], "no_comment": t[9],
                   "unassessed": t[10], "summary": t[11]},
        "periods": {"labels": {"T1": t[12]}},
    }
    goal = {
        "id": "1", "level": "utvecklingsmal", "parent": "0", "title": t[13], "responsible": t[14],
        "description": t[15],
        "targets": [{"id": "1.1", "text": t[16], "target": {"min": 4, "unit": t[17]},
                     "followups": {"T1-2023": {"value": 5, "assessment": "uppfyllt",
                                               "comment": t[18] + "\n" + t[19]}}},
                    {"id": "1.2", "text": t[20], "followups": {"T1-2023": {"comment": ""}}}],
        "measures": [{"id": "m1", "name": t[21], "unit": t[22], "direction": "higher",
                      "source": "local", "values": {"2021": 1, "2022": 2},
                      "forecasts": {"2023": {"low": 1, "high": 2, "note": t[23]}},
                      "references": {"r": {"label": t[24], "values": {"2021": 1, "2022": 3}}}}],
    }
    (root / "malpl.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (root / "goals").mkdir()
    (root / "goals" / "1.yaml").write_text(yaml.safe_dump(goal, allow_unicode=True),
                                           encoding="utf-8")
    top = {"id": "0", "level": "malomrade", "title": "Område"}
    (root / "goals" / "0.yaml").write_text(yaml.safe_dump(top), encoding="utf-8")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(_field, min_size=25, max_size=25))
def test_hostile_text_in_every_field_stays_text(tmp_path_factory: Any, listener: Listener,
                                                 texts: list[str]) -> None:
    root = tmp_path_factory.mktemp("h") / "repo"
    texts = [t.replace("http://127.0.0.1:9", listener.url) for t in texts]
    _hostile_repo(root, texts)
    repo = load_repository(root)
    assume(not [p for p in validate(repo) if p.is_error])
    # 9 and 10 (no comment, not assessed) are not needed; 0, 1, 2 and 12 are front matter;
    # the description and comments (15, 18, 19) keep their paragraphs.
    shown = [c for i, t in enumerate(texts) if i not in (9, 10)
             for c in ([_collapse(p) for p in paragraphs(t)] if i in (15, 18, 19)
                       else [_collapse(t)]) if c]
    front = {_collapse(texts[i]) for i in (0, 1, 2, 12)}
    in_body = [c for c in shown if c not in front]
    out = root.parent / "out"
    out.mkdir()
    html = write_report(repo, T1, "html", out / "r.html", today=DAY).read_text(encoding="utf-8")
    assert not live_markup(html), live_markup(html)
    found = [line for p in ast_paragraphs(html, "html") for line in p.split("\n")]
    missing = [t for t in in_body if not any(t in line for line in found)]
    assert not missing, missing
    header = _collapse(unescape(re.sub(r"<[^>]+>", " ", html.split("</header>")[0])))
    assert not [t for t in front if t not in header]  # the title block, not a paragraph
    docx = write_report(repo, T1, "docx", out / "r.docx", today=DAY)
    lines = [line for p in docx_paragraphs(docx) for line in p.split("\n")]
    assert not [t for t in shown if not any(t in line for line in lines)]
    assert len([n for n in zipfile.ZipFile(docx).namelist() if n.startswith("word/media/")]) == 2
    assert "/etc/passwd" not in [n for n in zipfile.ZipFile(docx).namelist()]
    md = write_report(repo, T1, "md", out / "r.md", today=DAY).read_text(encoding="utf-8")
    assert not [t for t in in_body if not any(t in p for p in ast_paragraphs(md))]
    assert listener.requests == []


def test_root_is_not_touched() -> None:
    assert not list(ROOT.glob(".malpl-*"))


def test_report_file_gets_the_usual_permissions(repo: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = write_report(load_repository(repo), T1, "md", tmp_path / "r.md", today=DAY)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in (tmp_path / "r-bilder").iterdir())


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_noncharacters_are_shown_not_written(tmp_path: Path, fmt: str) -> None:
    """Finding: YAML escapes can put U+FFFF and other noncharacters into a text; no XML
    document (DOCX, SVG) may hold them, so the chart and the report broke with a
    traceback. They are shown as <U+FFFF> like other invisible codes. (libyaml refuses a
    lone surrogate itself; a file name read from git could still carry one.)"""
    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "statistik", root)
    goal = root / "goals" / "M1.yaml"
    text = goal.read_text(encoding="utf-8").replace(
        "name: Kvävedioxid, årsmedelvärde i centrum",
        'name: "Kvävedioxid \\uFFFF \\U0010FFFE \\uFDD0"').replace(
        "comment: Mätningarna är igång igen.", 'comment: "Igång \\uFFFE igen."')
    goal.write_text(text, encoding="utf-8")
    out = tmp_path / f"r.{fmt}"
    done = subprocess.run([sys.executable, "-m", "malpl", "-C", str(root), "report", "T2-2024",
                           "--format", fmt, "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if fmt == "docx":
        with zipfile.ZipFile(out) as z:
            document = z.read("word/document.xml").decode("utf-8")
        assert "Igång &lt;U+FFFE&gt; igen." in document or "Igång <U+FFFE> igen." in document
    else:
        page = out.read_text(encoding="utf-8")
        assert "U+FFFF" in page and "U+10FFFE" in page and "\ufffe" not in page
    for command in (["status"], ["show", "M1"], ["measures"], ["check"]):
        shown = subprocess.run([sys.executable, "-m", "malpl", "-C", str(root), *command],
                               capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
        assert "Traceback" not in shown.stderr and "\ufffe" not in shown.stdout, command


def test_a_copy_of_the_shipped_lua_filter_is_no_repository_filter(repo: Path,
                                                                  tmp_path: Path) -> None:
    """Finding: a repository cloned from this one carries templates/malpl.lua, the shipped
    filter byte for byte, and every report said it was ignored as a repository's own."""
    (repo / "templates").mkdir()
    shutil.copy(shipped_templates() / "malpl.lua", repo / "templates" / "malpl.lua")
    result = invoke(["-C", str(repo), "report", "T1-2023", "-f", "html", "-o",
                     str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "Lua filter" not in result.output
    assert 'class="bedomning-symbol"' in (tmp_path / "r.html").read_text(encoding="utf-8")
