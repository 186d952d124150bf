"""``malpl site``: the website built from real repositories, its links, its safety, its bytes."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from malpl.repository import MalplError, load_repository
from malpl.site import render_site, write_site
from malpl.site.build import Slugs
from malpl.site.folder import MANIFEST
from malpl.views import resolve_period
from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPOS = {"example": ROOT, "kommun": FIXTURES / "kommun", "hostile": FIXTURES / "hostile-site"}

#: Every element a page may have; anything else came from someone's text.
ELEMENTS = {"strong", "html", "head", "meta", "title", "link", "body", "a", "header", "nav", "ul", "ol",
            "li", "main", "p", "span", "footer", "h1", "h2", "h3", "section", "div", "table",
            "caption", "thead", "tbody", "tr", "th", "td", "figure", "dl", "dt", "dd", "img",
            "svg", "desc", "line", "text", "polyline", "circle", "rect", "wbr"}  # wbr: after a slash
ATTRIBUTES = {"lang", "charset", "name", "content", "rel", "href", "class", "aria-label", "id",
              "aria-labelledby", "aria-current", "aria-hidden", "role", "tabindex", "style",
              "src", "alt", "xmlns", "viewbox", "preserveaspectratio", "focusable", "x", "y",
              "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "fill", "stroke",
              "stroke-width", "stroke-dasharray", "points", "text-anchor", "scope"}


class Page(HTMLParser):
    """Every element, attribute, link and id of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self.ids.update(v for k, v in attrs if k == "id" and v)

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def links(self) -> list[str]:
        return [v for _, attrs in self.tags for k, v in attrs if k in ("href", "src") and v]


def build(name: str, period: str | None = None) -> dict[str, bytes]:
    repo = load_repository(REPOS[name])
    return render_site(repo, resolve_period(repo, period, written=True), draft=True)


def parse(files: dict[str, bytes]) -> dict[str, Page]:
    pages = {}
    for path, data in files.items():
        if path.endswith(".html"):
            page = Page()
            page.feed(data.decode("utf-8"))
            page.close()
            pages[path] = page
    return pages


def configured_links(name: str) -> set[str]:
    repo = load_repository(REPOS[name])
    return {link.url for link in repo.config.site.links}


@pytest.mark.parametrize("name", sorted(REPOS))
def test_every_internal_link_resolves_and_nothing_is_outside(name: str) -> None:
    files = build(name)
    pages = parse(files)
    allowed = configured_links(name)
    assert "index.html" in pages and "tillganglighet.html" in pages
    for path, page in pages.items():
        for link in page.links():
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                assert link in allowed, f"{path}: {link} leaves the site"
                continue
            target = path if not parts.path else _join(path, unquote(parts.path))
            assert target in files, f"{path}: {link} leads nowhere"
            if parts.fragment:
                assert parts.fragment in pages[target].ids, f"{path}: {link} has no anchor"


def _join(page: str, link: str) -> str:
    parts = page.split("/")[:-1]
    for piece in link.split("/"):
        if piece == "..":
            assert parts, f"{page}: {link} climbs out of the site"
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def test_every_page_type_is_built_for_each_period() -> None:
    files = build("kommun")
    for period in ("T3-2023", "T1-2024", "T2-2024"):
        for page in ("index.html", "omraden.html", "alla.html", "mal/1-2.html",
                     "organ/tn.html", "bedomning/uppfyllt.html", "bedomning/_ej-bedomd.html"):
            assert f"{period}/{page}" in files
    assert files["index.html"].decode().count("Delårsrapport 2024") > 1  # the latest period


def test_a_goal_page_shows_its_links_history_and_measures() -> None:
    page = build("kommun")["T1-2024/mal/1-2.html"].decode()
    assert "MO1 Livskvalitet" in page and 'href="../../T1-2024/mal/mo1.html"' in page
    assert 'href="../../T1-2024/mal/6.9.html"' in page  # a goal that breaks it down
    assert 'href="../../T3-2023/mal/1-2.html"' in page  # the same goal, another period
    text = build("hostile")["T2-2024/mal/2-x.html"].decode()
    chart = text[text.index("<svg"):text.index("</svg>")]
    # named by its caption; the figures are in the table only, so no <desc> repeats them
    assert 'role="img"' in chart and "<title" in chart and "<desc" not in chart
    assert 'class="target"' in chart and chart.count("<polyline") == 2  # series, reference
    table = text[text.index("värden"):]
    assert "<th scope=\"row\">2023</th><td>4 % &lt;b&gt;</td><td>3 % &lt;b&gt;</td>" in \
        table.replace("\u00a0", " ")


def test_a_site_for_an_earlier_period_leaves_later_ones_out() -> None:
    files = build("kommun", "T1-2024")
    assert not any(p.startswith("T2-2024/") for p in files)
    assert "T2-2024" not in files["T1-2024/mal/1-2.html"].decode()


@pytest.mark.parametrize("name", ["example", "kommun"])
def test_the_same_commit_gives_the_same_bytes(name: str, tmp_path: Path) -> None:
    repo = load_repository(REPOS[name])
    period = resolve_period(repo, None, written=True)
    write_site(repo, period, draft=True, out=tmp_path / "a")
    write_site(load_repository(REPOS[name]), period, tmp_path / "b", draft=True)
    first = {p.relative_to(tmp_path / "a"): p.read_bytes()
             for p in sorted((tmp_path / "a").rglob("*")) if p.is_file()}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes()
              for p in sorted((tmp_path / "b").rglob("*")) if p.is_file()}
    assert first == second


def test_hostile_text_never_becomes_an_element_or_attribute() -> None:
    files = build("hostile")
    pages = parse(files)
    allowed = configured_links("hostile")
    seen = ""
    for path, page in pages.items():
        for tag, attrs in page.tags:
            assert tag in ELEMENTS, f"{path}: <{tag}> came from text"
            for key, value in attrs:
                assert key in ATTRIBUTES, f"{path}: <{tag} {key}> came from text"
                if key in ("href", "src") and value:
                    assert "javascript:" not in value.lower(), f"{path}: {key}={value}"
                    assert not urlsplit(value).scheme or value in allowed, value
                if key == "style":
                    assert re.fullmatch(r"background-color: #[0-9a-f]{6}", value or ""), value
        seen += "".join(page.text)
    for words in ("<script>alert(1)</script>", '" onmouseover=alert(2) x="',
                  "<script>alert(14)</script> javascript:alert(15)", "{{ 7*7 }} {% raw %} ${x}",
                  "<svg><script>alert(20)</script></svg>", "Not <img src=x onerror=alert(26)>",
                  "Riket <script>alert(29)</script>", "<iframe src=\"javascript:alert(19)\">",
                  "Kommunen <script>alert(12)</script>"):
        assert words in seen, words
    assert "\u202e" not in seen and "<U+202E>" in seen  # a bidi override is shown, not obeyed
    assert "&amp;b=2" in files["index.html"].decode()  # the configured link, escaped


def test_the_colour_and_logo_come_from_the_configuration() -> None:
    files = build("hostile")
    assert b"--brand: #ffdd00; --brand-text: #000000;" in files["site.css"]
    assert files["logo.png"].startswith(b"\x89PNG")
    assert b'<img src="logo.png" alt=""' in files["index.html"]


def test_a_logo_outside_the_repository_is_refused(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "hostile-site", tmp_path / "r")
    config = tmp_path / "r" / "malpl.yaml"
    config.write_text(config.read_text().replace("bilder/logo.png", "../../../etc/passwd"))
    repo = load_repository(tmp_path / "r")
    with pytest.raises(MalplError, match="outside the repository"):
        render_site(repo, resolve_period(repo, None, written=True), draft=True)


def test_ids_become_distinct_readable_file_names() -> None:
    """Finding: '1:1' was '1_3a_1.html' and 'MO1' 'mo1_u3.html', hard to read and share."""
    ids = ["1.1", "1:1", "1_1", "1-1", ".1", "..", "../x", "a/b", "A", "a", "Å", "å",
           "1\u03a2", "1:2", "x" * 300, "x" * 301, "X" * 300, "KS-1", "ks-1", "Ks-1", "",
           "x-e3b0c442", "MO1", "6.10", "Ö 3"]
    slugs = Slugs(set(ids))
    names = [slugs(i) for i in ids]
    assert len({n.casefold() for n in names}) == len(ids)  # distinct, even ignoring case
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9.-]*", n) and len(n) <= 80 for n in names)
    assert [slugs(i) for i in ("1.1", "1:2", "MO1", "6.10", "Ö 3", "ks-1", "1-1")] == [
        "1.1", "1-2", "mo1", "6.10", "o-3", "ks-1", "1-1"]
    assert slugs("1:1").startswith("1-1-") and slugs("KS-1").startswith("ks-1-")
    # stable: the same ids give the same names, whatever else the repository holds
    assert Slugs({"1:2", "MO1", "9.9"})("1:2") == "1-2" == Slugs({"1:2"})("1:2")


def test_ids_that_differ_only_in_case_get_pages_that_do_not_clash(tmp_path: Path) -> None:
    """On Windows and macOS 'B1.html' and 'b1.html' would be one file."""
    shutil.copytree(FIXTURES / "kommun", tmp_path / "r")
    goal = (tmp_path / "r" / "goals" / "bostad" / "B1.yaml").read_text()
    (tmp_path / "r" / "goals" / "tn" / "b1.yaml").write_text(goal.replace("id: B1", "id: b1"))
    repo = load_repository(tmp_path / "r")
    assert {g.id for g in repo.goals} >= {"B1", "b1"}
    files = render_site(repo, resolve_period(repo, None, written=True), draft=True)
    assert len({p.casefold() for p in files}) == len(files)
    upper = Slugs({"B1", "b1"})("B1")
    assert {f"T1-2024/mal/{upper}.html", "T1-2024/mal/b1.html"} <= set(files)
    assert '<span class="gid">b1</span>' in files["T1-2024/mal/b1.html"].decode()
    assert '<span class="gid">B1</span>' in files[f"T1-2024/mal/{upper}.html"].decode()
    for path, page in parse(files).items():  # and every link still finds its page
        for link in page.links():
            parts = urlsplit(link)
            if not parts.scheme and parts.path:
                assert _join(path, unquote(parts.path)) in files, f"{path}: {link}"


def test_the_site_is_not_written_into_goals_or_over_a_persons_file(tmp_path: Path) -> None:
    repo_dir = tmp_path / "r"
    shutil.copytree(FIXTURES / "kommun", repo_dir)
    repo = load_repository(repo_dir)
    period = resolve_period(repo, None, written=True)
    with pytest.raises(MalplError, match="holds the goal files"):
        write_site(repo, period, draft=True, out=repo_dir / "goals" / "site")
    with pytest.raises(MalplError, match="holds the goal files"):
        write_site(repo, period, draft=True, out=repo_dir)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    (mine / "index.html").write_text("my page")
    with pytest.raises(MalplError, match=r"index\.html, a file malpl did not write"):
        write_site(repo, period, draft=True, out=mine)
    assert sorted(p.name for p in mine.iterdir()) == ["index.html", "notes.txt"]
    assert (mine / "index.html").read_text() == "my page"
    (mine / "index.html").unlink()
    write_site(repo, period, draft=True, out=mine)
    assert (mine / "notes.txt").read_text() == "keep me" and (mine / "site.css").is_file()


def test_an_earlier_sites_pages_go_and_a_persons_files_stay(tmp_path: Path) -> None:
    repo = load_repository(REPOS["kommun"])
    out = tmp_path / "site"
    write_site(repo, resolve_period(repo, None, written=True), out, draft=True)
    (out / "T2-2024" / "mine.html").write_text("a person's page")
    (out / "CNAME").write_text("mal.kommun.se\n")
    write_site(repo, resolve_period(repo, "T1-2024", written=True), out, draft=True)
    assert (out / MANIFEST).is_file() and (out / "T1-2024" / "index.html").is_file()
    assert [p.name for p in (out / "T2-2024").iterdir()] == ["mine.html"]
    assert (out / "CNAME").read_text() == "mal.kommun.se\n"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary folders left


def test_cli_site_writes_the_folder(tmp_path: Path) -> None:
    result = invoke(["-C", str(REPOS["kommun"]), "site", "T1-2024", "--draft",
                                      "-o", str(tmp_path / "web")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and (tmp_path / "web" / "T1-2024" / "index.html").is_file()
    bad = invoke(["-C", str(REPOS["kommun"]), "site", "T2-2024", "--draft", "-o",
                                   str(REPOS["kommun"] / "goals")])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_a_build_on_every_core_gives_the_bytes_of_a_serial_one(tmp_path: Path,
                                                                monkeypatch) -> None:
    """Forked workers render and write the periods; fragments and drawn charts are made
    anew in each, so nothing may depend on which pages a worker rendered before."""
    from malpl.site import render

    repo = load_repository(REPOS["kommun"])
    period = resolve_period(repo, None, written=True)
    serial = render_site(repo, period, draft=True)
    monkeypatch.setattr(render, "PARALLEL_GOALS", 0)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)
    count = write_site(repo, period, draft=True, out=tmp_path / "site")
    written = {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes()
               for p in (tmp_path / "site").rglob("*") if p.is_file() and p.name != MANIFEST}
    assert count == len(written) and written == serial


def test_a_template_that_turns_escaping_off_still_escapes(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "hostile-site", tmp_path / "r")
    (tmp_path / "r" / "templates" / "site").mkdir(parents=True)
    (tmp_path / "r" / "templates" / "site" / "tillganglighet.html.j2").write_text(
        "{% autoescape false %}<p>{{ organisation }}</p>{% endautoescape %}"
        "<p>{{ organisation }}</p>")
    repo = load_repository(tmp_path / "r")
    page = render_site(repo, resolve_period(repo, None, written=True), draft=True)["tillganglighet.html"]
    shown = "<p>Kommun &lt;script&gt;alert(1)&lt;/script&gt; &#34; onmouseover=alert(2) x=&#34;</p>"
    assert page.decode() == shown * 2


def test_a_template_may_call_only_the_fragment_macros(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "kommun", tmp_path / "r")
    (tmp_path / "r" / "templates" / "site").mkdir(parents=True)
    (tmp_path / "r" / "templates" / "site" / "tillganglighet.html.j2").write_text(
        "{{ fragment('__init__', 1) }}")
    repo = load_repository(tmp_path / "r")
    with pytest.raises(MalplError, match="no template fragment named '__init__'"):
        render_site(repo, resolve_period(repo, None, written=True), draft=True)


def test_a_site_template_cannot_make_gigabytes_in_one_step(tmp_path: Path) -> None:
    """The website's templates run in the report's sandbox: '*' and '**' are bounded."""
    shutil.copytree(FIXTURES / "kommun", tmp_path / "r")
    (tmp_path / "r" / "templates" / "site").mkdir(parents=True)
    (tmp_path / "r" / "templates" / "site" / "tillganglighet.html.j2").write_text(
        "{{ 'x' * 10 ** 10 }}")
    result = invoke(["-C", str(tmp_path / "r"), "site", "T2-2024", "--draft", "-o",
                     str(tmp_path / "site")])
    assert result.exit_code == 1, result.output
    assert "'*' would make a value too large to show" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("template, message", [
    ("\n{{ 1 // 0 }}", "tillganglighet.html.j2:2: template error: ZeroDivisionError"),
    ("{{ 'x'|center(3 * 10 ** 9) }}", "made more than 1 GB of data"),
])
def test_a_failing_site_template_is_a_clear_error(tmp_path: Path, template: str,
                                                  message: str) -> None:
    """Finding: the website's templates got no line, and no bound, where the report's did."""
    shutil.copytree(FIXTURES / "kommun", tmp_path / "r")
    (tmp_path / "r" / "templates" / "site").mkdir(parents=True)
    (tmp_path / "r" / "templates" / "site" / "tillganglighet.html.j2").write_text(template)
    result = invoke(["-C", str(tmp_path / "r"), "site", "T2-2024", "--draft", "-o",
                     str(tmp_path / "site")])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "bug in malpl" not in result.output and "Traceback" not in result.output


def test_a_statement_with_places_to_fill_in_is_refused_unless_a_draft(tmp_path: Path) -> None:
    """Finding: the statement was published with '[Fyll i: …]' six times."""
    result = invoke(["-C", str(REPOS["kommun"]), "site", "T1-2024", "-o", str(tmp_path / "w")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "tillganglighet.html.j2 has 5 places still to fill in" in result.output
    assert "--draft" in result.output and not (tmp_path / "w").exists()
    draft = invoke(["-C", str(REPOS["kommun"]), "site", "T1-2024", "--draft", "-o",
                    str(tmp_path / "w")])
    assert draft.exit_code == 0, draft.output
    assert "Utkast." in (tmp_path / "w" / "T1-2024" / "index.html").read_text()
    statement = (tmp_path / "w" / "tillganglighet.html").read_text()
    assert "[fyll i datum]" not in statement and "axe-core" in statement


def _git(root: Path, *args: str, when: str = "") -> str:
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin", "HOME": str(root)}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True,
                          capture_output=True, text=True).stdout


def test_the_open_data_and_its_dates_come_from_git(tmp_path: Path) -> None:
    """Finding: no page said when the data was published or changed; no open data."""
    import csv
    import json

    root = tmp_path / "r"
    shutil.copytree(FIXTURES / "kommun", root)
    repo = load_repository(root)
    outside = render_site(repo, resolve_period(repo, "T1-2024", written=True), draft=True)
    assert "ej publicerad från git" in outside["T1-2024/index.html"].decode()
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "mål", when="2024-05-20T10:00:00+02:00")
    config = root / "malpl.yaml"
    assert config.read_text().endswith('    T1-2024: "2024-05-20"\n')  # periods: is last
    config.write_text(config.read_text() + "  closed:\n    - T1-2024\n")
    _git(root, "commit", "-qam", "malpl: T1-2024 stängd", when="2024-06-03T09:00:00+02:00")
    repo = load_repository(root)
    period = resolve_period(repo, "T1-2024", written=True)
    files = render_site(repo, period, draft=True)
    page = files["T1-2024/mal/1-2.html"].decode()
    assert "Publicerad: 3 juni 2024. Uppgifterna ändrades senast: 20 maj 2024." in page
    assert 'href="../../T1-2024/data/uppfoljning-T1-2024.csv"' in page
    text = files["T1-2024/data/uppfoljning-T1-2024.csv"].decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(text[1:].splitlines(), dialect="excel", delimiter=";"))
    assert rows[0][:4] == ["Period", "Nämnd/styrelse", "Mål", "Id"] and len(rows) > 5
    data = json.loads(files["T1-2024/data/uppfoljning-T1-2024.json"])
    assert data["published"] == "2024-06-03" and data["changed"] == "2024-05-20"
    assert len(data["rows"]) == len(rows) - 1 and data["rows"][0]["period"] == "T1-2024"
    assert render_site(load_repository(root), period, draft=True) == files  # the same bytes


def test_a_count_links_to_the_bodys_own_list_and_a_zero_to_none() -> None:
    """Finding: the '0' cells linked to the whole municipality's list."""
    files = build("kommun")
    page = files["T2-2024/organ/tn.html"].decode()
    summary = page[page.index('<div class="summary">'):page.index("</div>", page.index(
        '<div class="summary">'))]
    assert 'href="../../T2-2024/organ/tn/' in summary and "bedomning/" not in summary
    assert re.search(r'<span class="nums">0 <span class="share">', summary)
