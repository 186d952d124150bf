"""The cache of `malpl check` (malpl/checkcache.py) never changes a result: cold, warm,
with it switched off and by the full load-and-validate path, a check finds the same
problems at the same positions; a damaged cache is ignored and written again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from malpl import checkcache
from malpl.checks import check, validate
from malpl.problems import Problem
from malpl.repository import load_repository
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.se", *args],
                   cwd=root, check=True, capture_output=True)


def _every_problem(root: Path) -> Path:
    """The fixture repository with every file of tests/fixtures/invalid in goals/ (and the
    pulled Kolada figures), committed."""
    shutil.copytree(FIXTURES / "repo", root)
    for path in sorted((FIXTURES / "invalid").glob("*.yaml")):
        shutil.copy(path, root / "goals" / path.name)
    shutil.copy(FIXTURES / "several" / "mistakes.yaml", root / "goals" / "mistakes.yaml")
    shutil.copytree(FIXTURES / "kolada" / "store", root, dirs_exist_ok=True)
    _git(root, "init", "-q")
    return root


def _shelf(root: Path) -> Path:
    return root / ".git" / "malpl" / "check"


def _same_every_way(root: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """Check cold, warm and without the cache; each equals the full path. The problems."""
    whole = validate(load_repository(root))
    cold = check(root)
    assert _shelf(root).is_dir()
    warm = check(root)
    monkeypatch.setenv(checkcache.OFF, "1")
    off = check(root)
    monkeypatch.delenv(checkcache.OFF)
    assert cold.problems == warm.problems == off.problems == whole
    assert cold.summary() == warm.summary() == off.summary()
    return whole


FIXTURE_REPOSITORIES = sorted(p.name for p in FIXTURES.iterdir() if (p / "goals").is_dir())


@pytest.mark.parametrize("name", FIXTURE_REPOSITORIES)
def test_each_fixture_repository_checks_the_same_cold_warm_and_without_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    root = tmp_path / "r"
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    _git(root, "init", "-q")
    _same_every_way(root, monkeypatch)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_problem_is_found_the_same_cold_and_warm(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("MALPL_LANG", lang)
    root = _every_problem(tmp_path / "r")
    problems = _same_every_way(root, monkeypatch)
    assert len({p.code for p in problems}) > 25  # the fixtures hold nearly every code


def test_a_changed_file_is_read_again_and_the_others_are_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _every_problem(tmp_path / "r")
    check(root)
    # A goal that now clashes with another's id, and loses its parent: the checks across
    # files see the change in one file against the kept others.
    changed = root / "goals" / "1.2.yaml"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace('id: "1.2"', 'id: "1.1"', 1), encoding="utf-8")
    assert _parsed(root, monkeypatch) == ["goals/1.2.yaml"]
    warm = check(root)
    assert warm.problems == validate(load_repository(root))
    assert any(p.code == "duplicate-id" and p.path == "goals/1.2.yaml" for p in warm.problems)


def test_what_changes_a_goal_files_meaning_starts_the_cache_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """malpl.yaml, the pulled figures and the language are in the cache's key."""
    root = _every_problem(tmp_path / "r")
    check(root)
    config = root / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("uppfyllt", "klart"),
                      encoding="utf-8")
    assert check(root).problems == validate(load_repository(root))
    for pulled in (root / "data" / "kolada").glob("*.yaml"):
        pulled.unlink()
        break
    assert check(root).problems == validate(load_repository(root))
    monkeypatch.setenv("MALPL_LANG", "sv")
    swedish = check(root).problems
    assert swedish == validate(load_repository(root))
    assert any("saknas" in p.message or "finns inte" in p.message for p in swedish)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "empty", "folder"])
def test_a_damaged_cache_is_ignored_and_written_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    root = _every_problem(tmp_path / "r")
    want = check(root).problems
    shards = sorted(_shelf(root).iterdir())
    assert shards
    for shard in shards:
        content = shard.read_bytes()
        if damage == "folder":
            shard.unlink()
            shard.mkdir()
            continue
        shard.write_bytes({"truncated": content[: len(content) // 2],
                           "flipped": content[:-3] + bytes([content[-3] ^ 1]) + content[-2:],
                           "foreign": b"\x93\x01\xa3abc\x80" * 9,
                           "empty": b""}[damage])
    assert check(root).problems == want
    if damage != "folder":  # a folder in the way cannot be replaced: left alone
        assert sorted(_shelf(root).iterdir()) == shards
        assert _parsed(root, monkeypatch) == []


def _parsed(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The goal files a check of ``root`` parses (the others come from the cache)."""
    parsed: list[str] = []
    real = checkcache.examined
    with monkeypatch.context() as patch:
        patch.setattr(checkcache, "examined", lambda repo, source, examine:
                      parsed.append(source.path) or real(repo, source, examine))
        check(root)
    return parsed


def test_a_foreign_entry_with_a_right_checksum_is_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry that is not one (another format under the same checksum) is parsed again."""
    root = _every_problem(tmp_path / "r")
    want = check(root).problems
    for shard in _shelf(root).iterdir():
        payload = shard.read_bytes()[checkcache._DIGEST:]
        decoded = checkcache._SHARD.decode(payload)
        decoded.entries = {k: b"\x92\xc0\xc0" for k in decoded.entries}
        encoded = checkcache._ENCODER.encode(decoded)
        shard.write_bytes(checkcache.hashlib.blake2b(encoded, digest_size=checkcache._DIGEST)
                          .digest() + encoded)
    assert check(root).problems == want


def test_outside_git_there_is_no_cache(repo: Path) -> None:
    assert check(repo).problems == []
    assert not any(repo.rglob("check"))


def test_the_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _every_problem(tmp_path / "r")
    monkeypatch.setenv(checkcache.OFF, "1")
    check(root)
    assert not _shelf(root).exists()


def test_the_cache_is_never_committed(tmp_path: Path) -> None:
    root = _every_problem(tmp_path / "r")
    result = invoke(["-C", root, "check"])
    assert result.exit_code == 1
    _git(root, "add", "-A")
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True,
                            check=True).stdout
    assert "malpl/check" not in listed and _shelf(root).is_dir()


def test_a_cache_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    root = _every_problem(tmp_path / "r")
    (root / ".git" / "malpl").write_text("a file where the cache's folder would be\n")
    assert check(root).problems == validate(load_repository(root))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_repositories_check_the_same_cold_and_warm(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    root = tmp_path / "r"
    generate(root, bodies=3, goals=6, targets=2, years=1, seed=seed)
    # Mistakes across files: a duplicated id, a parent that is a target, an unknown parent.
    (root / "goals" / "namnd-01" / "dup.yaml").write_text(
        'id: "1.2"\nlevel: utvecklingsmal\ntitle: Samma id\nparent: ["2.3.1", "9.9"]\n'
        "targets:\n  - id: \"2.1.1\"\n    text: Samma delmål\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    first = _same_every_way(root, monkeypatch)
    assert {"duplicate-id", "unknown-reference"} <= {p.code for p in first}
    one = root / "goals" / "namnd-02" / "2.2.yaml"
    one.write_text(one.read_text(encoding="utf-8").replace("level: utvecklingsmal",
                                                           "level: okand"), encoding="utf-8")
    second = check(root)
    assert second.problems == validate(load_repository(root)) != first


def test_another_malpl_starts_the_cache_afresh(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Another version, or an edited module, is another context: every file is read."""
    root = _every_problem(tmp_path / "r")
    want = check(root).problems
    goals = sorted(p.relative_to(root).as_posix() for p in (root / "goals").glob("*.yaml"))
    assert _parsed(root, monkeypatch) == []
    monkeypatch.setattr(checkcache, "code", lambda: "another malpl")
    assert sorted(_parsed(root, monkeypatch)) == goals
    assert check(root).problems == want


def test_checks_at_the_same_time_leave_a_whole_cache(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = _every_problem(tmp_path / "r")
    want = validate(load_repository(root))
    command = [sys.executable, "-m", "malpl", "-C", str(root), "check", "--format", "json"]
    env = {**os.environ, "MALPL_LANG": "en"}
    for _round in range(3):
        running = [subprocess.Popen(command, stdout=subprocess.PIPE, env=env,
                                    cwd=Path(__file__).resolve().parent.parent)
                   for _ in range(3)]
        outputs = [proc.communicate()[0] for proc in running]
        for output in outputs:
            found = msgspec.json.decode(output)["problems"]
            assert [Problem(**p) for p in found] == want
        assert not [p for p in _shelf(root).iterdir() if p.name.endswith(".tmp")]
    assert check(root).problems == want


def test_what_a_killed_check_left_is_removed(tmp_path: Path) -> None:
    root = _every_problem(tmp_path / "r")
    check(root)
    left = _shelf(root) / ".0.malpl-999999999-abcdefgh.tmp"
    left.write_bytes(b"half")
    os.utime(left, (1, 1))
    (root / "goals" / "1.1.yaml").write_text(
        (root / "goals" / "1.1.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    check(root)
    assert not left.exists()


def test_a_goals_repository_inside_a_larger_one_keeps_its_cache_in_git_s_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(tmp_path, "init", "-q")
    root = tmp_path / "styrning" / "mal"
    shutil.copytree(FIXTURES / "repo", root)
    want = check(root).problems
    assert (tmp_path / ".git" / "malpl" / "check").is_dir()
    assert not (root / ".git").exists()
    assert _parsed(root, monkeypatch) == []
    assert check(root).problems == want
