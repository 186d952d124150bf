"""The Swedish guide for staff: its links lead somewhere, and it explains every problem code.

A new problem code cannot be added without a Swedish explanation of it, and a chapter or
heading cannot be renamed without the links to it following.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from malpl.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide.md"
MESSAGES = ROOT / "docs" / "guide" / "meddelanden.md"
PAGES = [GUIDE, *sorted((ROOT / "docs" / "guide").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _prose(path: Path) -> list[str]:
    """The lines of a Markdown file outside fenced code blocks."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces
    as hyphens, a repeated heading numbered."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _prose(path):
        heading = _HEADING.match(line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(2).lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _links(path: Path) -> list[str]:
    return [target for line in _prose(path)
            for target in _LINK.findall(_CODE_SPAN.sub("", line))]


def test_the_guide_has_chapters():
    assert GUIDE.is_file()
    assert MESSAGES in PAGES and len(PAGES) > 2


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_in_the_guide_resolves(page: Path):
    broken = []
    for target in _links(page):
        if re.match(r"[a-z]+:", target):
            continue  # a web address: not checked offline
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: no heading with the anchor #{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def _yaml_blocks(path: Path) -> list[str]:
    """The guide's ```yaml examples, each dedented (many are a part of a goal file)."""
    text = path.read_text(encoding="utf-8")
    return [textwrap.dedent(block) for block in re.findall(r"^```yaml\n(.*?)^```$", text,
                                                          re.MULTILINE | re.DOTALL)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_example_that_is_not_a_mistake_is_yaml(page: Path):
    """A reader copies the examples: all but those headed '# Fel' (the mistakes) must parse."""
    for block in _yaml_blocks(page):
        if not block.startswith("# Fel"):
            yaml.safe_load(block)


def _explained_codes() -> list[str]:
    return re.findall(r"^### `([a-z-]+)`$", MESSAGES.read_text(encoding="utf-8"), re.MULTILINE)


def test_every_problem_code_is_explained_in_swedish():
    missing = sorted(set(CODES) - set(_explained_codes()))
    assert not missing, (
        f"explain these problem codes in {MESSAGES.relative_to(ROOT)} under a heading "
        f"'### `code`', with the mistake and the fix: {missing}")


def test_the_guide_explains_no_code_that_does_not_exist():
    explained = _explained_codes()
    assert sorted(set(explained) - set(CODES)) == []
    assert len(explained) == len(set(explained)), "a code is explained twice"


def test_every_explained_code_is_in_the_guide_s_index():
    index = set(re.findall(r"\[`([a-z-]+)`\]\(#\1\)", MESSAGES.read_text(encoding="utf-8")))
    assert index == set(CODES)


def test_the_readme_starts_in_swedish_with_a_link_to_the_guide():
    top = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start")[0]
    assert "(docs/guide.md)" in top
    assert "malpl check" in top
