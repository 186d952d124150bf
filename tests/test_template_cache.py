"""The compiled-template cache: used when it fits, ignored when damaged, safe to share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from malpl.confined import Confined
from malpl.report.templating import TEMPLATE, _environment, cache_home, cache_key, render

SOURCE = "{{ greeting }}, {{ name }}!\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "malpl"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / TEMPLATE).write_text(SOURCE, encoding="utf-8")
    return folder


def only(folder: Path) -> Confined:
    """The templates of ``folder`` alone."""
    return Confined((folder,), (folder,))


def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates Jinja compiles from here on (a cache hit compiles nothing)."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("templates-*/*.cache"))


def test_second_render_uses_the_compiled_template(cache: Path, templates: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    context = {"greeting": "Hej", "name": "Ånge"}
    assert render(only(templates), context) == "Hej, Ånge!\n"
    assert len(entries(cache)) == 1
    names = compiled(monkeypatch)
    assert render(only(templates), context) == "Hej, Ånge!\n"
    assert names == []


def test_changed_template_is_compiled_again(cache: Path, templates: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    render(only(templates), {"greeting": "Hej", "name": "a"})
    (templates / TEMPLATE).write_text("{{ name }} (ny)\n", encoding="utf-8")
    names = compiled(monkeypatch)
    assert render(only(templates), {"greeting": "Hej", "name": "a"}) == "a (ny)\n"
    assert names == [TEMPLATE]


def test_key_covers_the_environment_and_the_template_path(cache: Path, templates: Path,
                                                          tmp_path: Path) -> None:
    env = _environment(only(templates))
    assert cache_key(env) == cache_key(_environment(only(templates)))
    env.trim_blocks = False  # a setting that changes the compiled code
    assert cache_key(env) != cache_key(_environment(only(templates)))
    env = _environment(only(templates))
    env.filters["extra"] = str
    assert cache_key(env) != cache_key(_environment(only(templates)))
    env = _environment(only(templates))  # which operators the sandbox checks is compiled in
    env.intercepted_binops = frozenset({"**"})
    assert cache_key(env) != cache_key(_environment(only(templates)))
    env = _environment(only(templates))  # so is the clock in every loop: no entry of a
    env.code_generator_class = jinja2.compiler.CodeGenerator  # version without it is used
    assert cache_key(env) != cache_key(_environment(only(templates)))
    other = tmp_path / "other"
    other.mkdir()
    (other / TEMPLATE).write_text(SOURCE, encoding="utf-8")
    render(only(templates), {"greeting": "a", "name": "b"})
    render(only(other), {"greeting": "a", "name": "b"})
    assert len(entries(cache)) == 2  # the same text at another path is its own entry


# Jinja's own header and then no checksum it can read: Jinja itself raises on this one.
HEADER_THEN_JUNK = jinja2.bccache.bc_magic + b"\x80\x02not a pickle"


@pytest.mark.parametrize("damage", [b"", b"garbage", HEADER_THEN_JUNK, None])
def test_damaged_entry_is_ignored_and_replaced(cache: Path, templates: Path,
                                               damage: bytes | None) -> None:
    context = {"greeting": "Hej", "name": "Ånge"}
    render(only(templates), context)
    [entry] = entries(cache)
    good = entry.read_bytes()
    # None: Jinja's own header, then a cut-off checksum and code
    entry.write_bytes(good[:len(good) // 3] if damage is None else damage)
    assert render(only(templates), context) == "Hej, Ånge!\n"
    assert entry.read_bytes() == good


def test_unwritable_cache_does_not_stop_the_report(cache: Path, templates: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("a file where the folder should be", encoding="utf-8")
    assert render(only(templates), {"greeting": "Hej", "name": "x"}) == "Hej, x!\n"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_cache_others_may_write_is_not_used(cache: Path, templates: Path) -> None:
    env = _environment(only(templates))
    folder = cache / f"templates-{cache_key(env)}"
    folder.chmod(0o777)
    assert _environment(only(templates)).bytecode_cache is None
    assert render(only(templates), {"greeting": "Hej", "name": "x"}) == "Hej, x!\n"


def test_concurrent_reports_share_the_cache_safely(cache: Path, templates: Path) -> None:
    """Eight processes compile and write the same entry at once; each renders correctly,
    and the entry left behind is whole (a later render uses it)."""
    code = ("import sys; from pathlib import Path; from malpl.report.templating import render;"
            "from malpl.confined import Confined; t = Path(sys.argv[1]);"
            "print(all(render(Confined((t,), (t,)), {'greeting': 'Hej', 'name': str(i)})"
            " == f'Hej, {i}!\\n' for i in range(20)))")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(templates)], env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(8)]
    assert [p.communicate()[0].strip() for p in procs] == ["True"] * 8
    assert [p.returncode for p in procs] == [0] * 8
    [entry] = entries(cache)
    assert not list(entry.parent.glob("*.tmp"))
    bucket = jinja2.bccache.Bucket(_environment(only(templates)), entry.stem,
                                   jinja2.bccache.BytecodeCache().get_source_checksum(SOURCE))
    with entry.open("rb") as f:
        bucket.load_bytecode(f)
    assert bucket.code is not None


def test_cache_home_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_home() == tmp_path / "malpl"
