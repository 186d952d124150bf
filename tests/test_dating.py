"""A report's date and `--at REV`, on real git repositories with fixed commit dates."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

import malpl.git
import malpl.sources
import malpl.versions
from malpl.dating import report_date
from malpl.git import BadRevision, first_parent_history
from malpl.periods import Period
from malpl.repository import MalplError, Repository, load_at, load_repository

T1, T2 = Period(2024, 1, "T"), Period(2024, 2, "T")
GOAL = """\
id: "1.1"
level: utvecklingsmal
title: Fler elever ska bli behöriga till gymnasiet
followups:
  T1-2024:
    assessment: delvis_uppfyllt
    comment: Arbetet har börjat.
targets:
  - id: "1.1.1"
    text: Andelen behöriga ska öka.
    followups:
      T1-2024:
        assessment: delvis_uppfyllt
        comment: |
          Prognosen visar 80 % behöriga.
          Extra lovskola planeras.
"""
T2_GOAL = """\
      T2-2024:
        assessment: uppfyllt
        comment: Utfallet blev 86 %.
"""
OTHER = """\
id: "1.2"
level: utvecklingsmal
title: Tryggheten ska öka
"""


def git(root: Path, *args: str, when: str = "2024-01-01") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{when}T12:00:00+02:00",
           "GIT_COMMITTER_DATE": f"{when}T12:00:00+02:00"}
    return subprocess.run(["git", "-c", "user.name=Anna Controller", "-c",
                           "user.email=a@example.se", *args], cwd=root, env=env, check=True,
                          capture_output=True, text=True).stdout


def commit(root: Path, when: str, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_t2(path: Path) -> None:
    """Append T2 to the target's follow-ups (the last block of the file)."""
    path.write_text(path.read_text(encoding="utf-8") + T2_GOAL, encoding="utf-8")


def dated(root: Path, period: Period = T1, explicit: dt.date | None = None,
          at: str | None = None, repo: Repository | None = None) -> tuple[dt.date, str]:
    shown = repo or load_at(root, at)
    return report_date(root, shown, period, explicit, at=at)


@pytest.fixture(autouse=True)
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def goals(tmp_path: Path) -> Path:
    """T1-2024 written on 2024-05-02 (after an earlier start without follow-ups)."""
    root = tmp_path / "goals-repo"
    (root / "goals").mkdir(parents=True)
    (root / "malpl.yaml").write_text("body: Kommunstyrelsen\n", encoding="utf-8")
    (root / "goals" / "1.2.yaml").write_text(OTHER, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2024-01-15", "Mål för 2024")
    (root / "goals" / "1.1.yaml").write_text(GOAL, encoding="utf-8")
    commit(root, "2024-05-02", "T1-2024")
    return root


def test_t1_keeps_its_date_when_t2_is_written(goals: Path) -> None:
    add_t2(goals / "goals" / "1.1.yaml")
    commit(goals, "2024-09-10", "T2-2024")
    edit(goals / "goals" / "1.2.yaml", "ska öka", "ska öka i alla skolor")
    commit(goals, "2024-09-20", "Titel")
    day, source = dated(goals)
    assert day == dt.date(2024, 5, 2)
    assert "the last commit that changed the follow-ups of T1-2024" in source
    assert dated(goals, T2)[0] == dt.date(2024, 9, 10)


def test_comment_change_in_t1_moves_its_date(goals: Path) -> None:
    add_t2(goals / "goals" / "1.1.yaml")
    commit(goals, "2024-09-10", "T2-2024")
    edit(goals / "goals" / "1.1.yaml", "Extra lovskola planeras.", "Extra lovskola i juni.")
    commit(goals, "2024-10-01", "Rättelse T1")
    assert dated(goals)[0] == dt.date(2024, 10, 1)
    assert dated(goals, T2)[0] == dt.date(2024, 9, 10)


@pytest.mark.parametrize(("old", "new"), [
    ("    assessment: delvis_uppfyllt\n    comment", "    assessment: uppfyllt\n    comment"),
    ("followups:\n  T1-2024:\n    assessment: delvis_uppfyllt\n    comment: Arbetet har börjat.\n",
     ""),  # the goal's own follow-up removed
])
def test_goal_follow_up_changed_or_removed_moves_the_date(goals: Path, old: str,
                                                          new: str) -> None:
    edit(goals / "goals" / "1.1.yaml", old, new)
    commit(goals, "2024-06-01")
    assert dated(goals)[0] == dt.date(2024, 6, 1)


def test_layout_and_renames_do_not_move_the_date(goals: Path) -> None:
    edit(goals / "goals" / "1.1.yaml", 'id: "1.1"\n', '# Målet\nid: "1.1"\n')
    commit(goals, "2024-06-01", "En kommentar i filen")
    git(goals, "mv", "goals/1.1.yaml", "goals/behorighet.yaml")
    commit(goals, "2024-06-02", "Nytt filnamn")
    assert dated(goals)[0] == dt.date(2024, 5, 2)


def test_malpl_yaml_date_wins_over_git(goals: Path) -> None:
    edit(goals / "malpl.yaml", "body: Kommunstyrelsen\n",
         'body: Kommunstyrelsen\nperiods:\n  dates:\n    T1-2024: "2024-05-20"\n')
    assert dated(goals) == (dt.date(2024, 5, 20), "periods.dates in malpl.yaml")
    assert dated(goals, T2)[1].startswith("today")


def test_explicit_date_wins(goals: Path) -> None:
    edit(goals / "malpl.yaml", "body: Kommunstyrelsen\n",
         'body: Kommunstyrelsen\nperiods:\n  dates:\n    T1-2024: "2024-05-20"\n')
    assert dated(goals, explicit=dt.date(2024, 6, 3)) == (dt.date(2024, 6, 3),
                                                         "given with --date")


def test_uncommitted_change_to_the_period_falls_through(goals: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet pågår.")
    day, source = dated(goals)
    assert day == dt.date.today()
    assert source.startswith("today (not reproducible: the follow-ups of T1-2024 in the "
                             "working tree differ from what is committed")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")  # 2024-06-01 00:00 UTC
    assert dated(goals) == (dt.date(2024, 6, 1), "SOURCE_DATE_EPOCH")


def test_uncommitted_change_to_another_period_keeps_the_date(goals: Path) -> None:
    add_t2(goals / "goals" / "1.1.yaml")
    (goals / "goals" / "1.3.yaml").write_text(OTHER.replace("1.2", "1.3"), encoding="utf-8")
    assert dated(goals)[0] == dt.date(2024, 5, 2)


def test_untracked_file_with_follow_ups_of_the_period_falls_through(goals: Path) -> None:
    extra = GOAL.replace('"1.1"', '"1.3"').replace('"1.1.1"', '"1.3.1"')
    (goals / "goals" / "1.3.yaml").write_text(extra, encoding="utf-8")
    assert dated(goals)[1].startswith("today (not reproducible: the follow-ups of T1-2024")


def test_not_a_git_repository_falls_through_silently(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "plain"
    (root / "goals").mkdir(parents=True)
    (root / "goals" / "1.1.yaml").write_text(GOAL, encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    day, source = dated(root)
    assert day == dt.date.today()
    assert source.startswith("today (not reproducible: not in a git repository;")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")
    assert dated(root) == (dt.date(2024, 6, 1), "SOURCE_DATE_EPOCH")


def test_repository_without_commits_falls_through(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    (root / "goals").mkdir(parents=True)
    (root / "goals" / "1.1.yaml").write_text(GOAL, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    assert dated(root)[1].startswith("today (not reproducible: nothing is committed yet")


@pytest.mark.parametrize("value", ["soon", "1e9", "99999999999999999999"])
def test_bad_source_date_epoch_is_an_error(goals: Path, monkeypatch: pytest.MonkeyPatch,
                                           value: str) -> None:
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet pågår.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(MalplError, match="SOURCE_DATE_EPOCH is not a time"):
        dated(goals)


def test_version_that_did_not_load_is_looked_across(goals: Path) -> None:
    path = goals / "goals" / "1.1.yaml"
    edit(path, "title: Fler", "title: [Fler")
    commit(goals, "2024-06-01", "Trasig")
    edit(path, "title: [Fler", "title: Fler")
    commit(goals, "2024-06-02", "Lagad")
    assert dated(goals)[0] == dt.date(2024, 5, 2)
    edit(path, "title: Fler", "title: [Fler")
    commit(goals, "2024-07-01", "Trasig igen")
    edit(path, "title: [Fler", "title: Fler")
    edit(path, "Arbetet har börjat.", "Arbetet pågår.")
    commit(goals, "2024-07-02", "Lagad och ändrad")
    assert dated(goals)[0] == dt.date(2024, 7, 2)


def test_merged_follow_ups_are_dated_by_the_merge(goals: Path) -> None:
    git(goals, "checkout", "-q", "-b", "t1-rattelse")
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet pågår.")
    commit(goals, "2024-05-10", "Rättelse")
    git(goals, "checkout", "-q", "main")
    edit(goals / "goals" / "1.2.yaml", "ska öka", "ska öka mer")
    commit(goals, "2024-05-11", "Annat")
    git(goals, "merge", "-q", "--no-ff", "-m", "Merge", "t1-rattelse", when="2024-05-12")
    assert dated(goals)[0] == dt.date(2024, 5, 12)


def test_shallow_clone_that_lacks_the_change_falls_through(goals: Path, tmp_path: Path) -> None:
    edit(goals / "goals" / "1.2.yaml", "ska öka", "ska öka mer")
    commit(goals, "2024-06-01", "Annat")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", goals.as_uri(), str(clone))
    assert dated(clone)[1].startswith("today (not reproducible: the clone is shallow")


def test_load_at_gives_the_old_content(goals: Path) -> None:
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet pågår.")
    commit(goals, "2024-06-01")
    edit(goals / "goals" / "1.1.yaml", "Arbetet pågår.", "Ej sparat.")
    comment = {rev: load_at(goals, rev).goal("1.1").followups["T1-2024"].comment  # type: ignore[union-attr]
               for rev in (None, "HEAD", "HEAD~1")}
    assert comment == {None: "Ej sparat.", "HEAD": "Arbetet pågår.",
                       "HEAD~1": "Arbetet har börjat."}
    assert load_at(goals, "HEAD~2").goal("1.1") is None


def test_report_date_at_a_revision_is_that_revisions_date(goals: Path) -> None:
    git(goals, "tag", "skickad")
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet pågår.")
    commit(goals, "2024-06-01")
    edit(goals / "goals" / "1.1.yaml", "Arbetet pågår.", "Ej sparat.")
    assert dated(goals, at="skickad")[0] == dt.date(2024, 5, 2)
    assert dated(goals, at="HEAD")[0] == dt.date(2024, 6, 1)
    assert dated(goals)[1].startswith("today")
    stale = load_repository(goals)  # the working tree, passed as if it were the revision
    assert dated(goals, at="skickad", repo=stale)[1].startswith(
        "today (not reproducible: the follow-ups of T1-2024 at skickad differ")


@pytest.mark.parametrize("rev", ["--output=/tmp/x", "-p"])
def test_load_at_refuses_an_option_looking_revision(goals: Path, rev: str) -> None:
    with pytest.raises(BadRevision, match="is not a revision name"):
        load_at(goals, rev)


def test_load_at_names_an_unknown_revision(goals: Path) -> None:
    with pytest.raises(MalplError, match="'nope\u241b' is not a revision of this repository"):
        load_at(goals, "nope\x1b")


def test_load_at_outside_git_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "goals").mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    with pytest.raises(MalplError, match="is not in a git repository"):
        load_at(tmp_path, "HEAD")


def test_a_file_name_cannot_pose_as_a_commit(goals: Path) -> None:
    """History is split on NUL alone: a name holding the record separator stays a name."""
    odd = goals / "goals" / "a\x1eb\x1fc.yaml"
    odd.write_text(OTHER.replace("1.2", "1.9"), encoding="utf-8")
    commit(goals, "2024-06-01")
    history = list(first_parent_history(goals, "HEAD"))
    assert [c.date[:10] for c in history] == ["2024-06-01", "2024-05-02", "2024-01-15"]
    assert [f.path for f in history[0].files] == ["goals/a\x1eb\x1fc.yaml"]
    assert dated(goals)[0] == dt.date(2024, 5, 2)


def test_dating_parses_only_the_files_each_commit_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "long"
    (root / "goals").mkdir(parents=True)
    files = 30
    for n in range(1, files + 1):
        text = GOAL.replace('"1.1"', f'"{n}"').replace('"1.1.1"', f'"{n}.1"')
        (root / "goals" / f"{n}.yaml").write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2024-05-02", "T1-2024")
    for n in range(1, files + 1):  # T2 written later, one goal per commit
        add_t2(root / "goals" / f"{n}.yaml")
        commit(root, f"2024-09-{n % 28 + 1:02d}")
    on_disk = load_repository(root)
    parsed: list[str] = []
    real = malpl.versions.load_bytes
    for reader in (malpl.sources, malpl.versions):  # a revision's files, and history's
        monkeypatch.setattr(reader, "load_bytes",
                            lambda name, blob: parsed.append(name) or real(name, blob))
    assert dated(root, repo=on_disk)[0] == dt.date(2024, 5, 2)
    # The working tree is HEAD's (git status says so), so HEAD's files are not read
    # again, nor the newest version of each file, which is the one on disk; then the
    # older version of each file once (parsing every file at every commit would be 31 × 30).
    assert len(parsed) == files


def test_ignored_goal_file_with_follow_ups_of_the_period_falls_through(goals: Path) -> None:
    """git status is asked about ignored files too: one the report shows but git does not
    have must not let the report carry a commit's date."""
    (goals / ".gitignore").write_text("goals/1.3.yaml\n", encoding="utf-8")
    commit(goals, "2024-05-03")
    extra = GOAL.replace('"1.1"', '"1.3"').replace('"1.1.1"', '"1.3.1"')
    (goals / "goals" / "1.3.yaml").write_text(extra, encoding="utf-8")
    assert dated(goals)[1].startswith("today (not reproducible: the follow-ups of T1-2024")


def test_dating_leaves_the_index_alone(goals: Path) -> None:
    index = goals / ".git" / "index"
    os.utime(goals / "goals" / "1.1.yaml")  # a stat change git status would note
    before = index.stat().st_mtime_ns
    assert dated(goals)[0] == dt.date(2024, 5, 2)
    assert index.stat().st_mtime_ns == before


def test_report_command_dates_in_the_background_and_reports_its_errors(
        goals: Path, tmp_path: Path) -> None:
    """`malpl report` finds the date while it imports; the date, or a clean error, follows."""
    from tests.cli_runner import invoke

    out = tmp_path / "r.md"
    done = invoke(["-C", str(goals), "report", "T1-2024", "-f", "md", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "· 2 maj 2024" in out.read_text(encoding="utf-8")
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet pågår.")
    failed = invoke(["-C", str(goals), "report", "T1-2024", "-f", "md", "-o", str(out)],
                    env={"SOURCE_DATE_EPOCH": "soon"})
    assert failed.exit_code == 1
    assert "SOURCE_DATE_EPOCH is not a time: 'soon'" in failed.output
    assert "Traceback" not in failed.output


def test_goals_repository_in_a_folder_whose_name_holds_a_newline(tmp_path: Path) -> None:
    """git says where the goals repository sits, whether the clone is shallow and HEAD's
    commit in one answer of three lines; a folder's name may hold a line break."""
    top = tmp_path / "kommun"
    inner = top / "mål\n2024"
    (inner / "goals").mkdir(parents=True)
    (inner / "goals" / "1.1.yaml").write_text(GOAL, encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    commit(top, "2024-05-02")
    head = malpl.git.head(inner)
    assert head.prefix == "mål\n2024/" and not head.shallow
    assert head.commit == git(top, "rev-parse", "HEAD").strip()
    assert dated(inner)[0] == dt.date(2024, 5, 2)


@pytest.mark.parametrize("setup", ["ident", "skip-worktree"])
def test_a_file_git_calls_unchanged_but_that_differs_on_disk_is_read_from_git(
        goals: Path, setup: str) -> None:
    """Findings: with the working tree clean in git's eyes, the newest version of each file
    was taken from disk, which ``ident`` (in every clone) or ``skip-worktree`` make differ
    from what git has; a commit that changed only a title was named as the one that
    changed the follow-ups. Only bytes that are git's own are taken from disk now."""
    target = goals / "goals" / "1.1.yaml"
    if setup == "ident":
        (goals / ".gitattributes").write_text("goals/*.yaml ident\n", encoding="utf-8")
        edit(target, "comment: Arbetet har börjat.", 'comment: "Arbetet har börjat. $Id$"')
        commit(goals, "2024-05-03", "T1-2024 med id")
    edit(target, "title: Fler elever", "title: Många fler elever")
    commit(goals, "2024-06-01", "Titel")
    if setup == "ident":
        target.unlink()
        git(goals, "checkout", "-q", "goals/1.1.yaml")  # as a clone has it: $Id$ expanded
        assert "$Id: " in target.read_text(encoding="utf-8")
    else:
        git(goals, "update-index", "--skip-worktree", "goals/1.1.yaml")
        edit(target, "comment: Arbetet har börjat.", "comment: Lokalt ändrad.")
    assert git(goals, "status", "--porcelain") == ""
    assert dated(goals)[0] == dt.date(2024, 5, 3 if setup == "ident" else 2)


def test_a_readme_among_the_goals_does_not_move_the_date(goals: Path) -> None:
    """Finding: a file in goals/ that is not a goal file (a README) took part in the walk,
    and as it never loads as a goal, every change to it looked further back."""
    (goals / "goals" / "README.md").write_text("Målen för 2024.\n", encoding="utf-8")
    commit(goals, "2024-05-10", "README")
    edit(goals / "goals" / "1.1.yaml", "Arbetet har börjat.", "Arbetet är i gång.")
    commit(goals, "2024-05-20", "T1-2024, ny kommentar")
    (goals / "goals" / "README.md").write_text("Målen för 2024, ny text.\n", encoding="utf-8")
    commit(goals, "2024-06-10", "README igen")
    assert dated(goals)[0] == dt.date(2024, 5, 20)


def test_a_sha256_repository_is_dated_and_its_history_read(tmp_path: Path) -> None:
    """Finding: git's id for "no file on this side" is 64 zeros with SHA-256; malpl knew
    only the 40 of SHA-1 and asked git for a blob of zeros."""
    from malpl.diff import history

    root = tmp_path / "sha256"
    (root / "goals").mkdir(parents=True)
    (root / "goals" / "1.1.yaml").write_text(GOAL, encoding="utf-8")
    git(root, "init", "-q", "-b", "main", "--object-format=sha256")
    commit(root, "2024-05-02", "T1-2024")
    edit(root / "goals" / "1.1.yaml", "title: Fler elever", "title: Många fler elever")
    commit(root, "2024-06-01", "Titel")
    assert len(malpl.git.head(root).commit or "") == 64
    assert dated(root)[0] == dt.date(2024, 5, 2)
    assert [e.commit.subject for e in history(root, "1.1")] == ["Titel", "T1-2024"]
