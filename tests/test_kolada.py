"""malpl kolada: the real client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from malpl.checks import check
from malpl.kolada.client import Client, KoladaError
from malpl.kolada.pull import pull
from malpl.repository import load_repository
from tests.cli_runner import invoke
from tests.conftest import FIXTURES
from tests.kolada_server import Failure, FakeKolada, serve

GOLDEN = Path(__file__).parent / "golden" / "kolada"
DAY = dt.date(2026, 11, 28)
N15428 = {"id": "N15428", "title": "Elever i åk 9 som är behöriga till ett yrkesprogram, "
          "hemkommun, andel (%)", "description": "Antal elever i åk 9 som är behöriga.\n"
          "Källa: Skolverket.", "is_divided_by_gender": True, "has_ou_data": True,
          "municipality_type": "K", "operating_area": "Grundskola", "auspice": "X",
          "publication_date": "2025-10-01", "publ_period": "2025"}
N15008 = {"id": "N15008", "title": "Kostnad grundskola F-9 hemkommun, kr/elev",
          "description": "Kostnad per elev.", "is_divided_by_gender": False, "has_ou_data": False,
          "municipality_type": "K", "operating_area": "Grundskola", "auspice": None}


def _item(kpi: str, who: str, year: int, t: float | None, k: float | None = None,
          m: float | None = None, status: str = "", changed: str = "2025-10-01") -> dict:
    values = [{"gender": "T", "count": 1, "status": status, "value": t}]
    if k is not None:
        values += [{"gender": "K", "count": 1, "status": "", "value": k},
                   {"gender": "M", "count": 1, "status": "", "value": m}]
    return {"kpi": kpi, "municipality": who, "period": year, "values": values,
            "_changed": changed}


def example() -> FakeKolada:
    """Ånge, Riket, an unweighted average and Bräcke; a null, a deleted item, by gender."""
    return FakeKolada(
        kpis={"N15428": N15428, "N15008": N15008},
        municipalities={"2260": "Ånge", "0000": "Riket", "2262": "Bräcke"},
        groups={"G100001": "Alla kommuner (ovägt medel)"},
        items=[
            _item("N15428", "2260", 2021, 80.4, 84.0, 77.1),
            _item("N15428", "2260", 2022, 79.2, 83.0, 75.1),
            _item("N15428", "2260", 2023, None, status="B"),  # not published
            {"kpi": "N15428", "municipality": "2260", "period": 2019, "values": [],
             "isdeleted": True},
            _item("N15428", "0000", 2021, 84.2, 86.9, 81.6),
            _item("N15428", "0000", 2022, 84.4, 87.0, 81.9),
            _item("N15428", "0000", 2023, 84.9, 87.5, 82.4),
            _item("N15428", "G100001", 2022, 83.1, 85.8, 80.5),
            _item("N15428", "G100001", 2023, 83.5, 86.0, 81.1),
            _item("N15428", "2262", 2022, 74.0, 79.0, 69.5),
            _item("N15008", "2260", 2022, 121500),
            _item("N15008", "2260", 2023, 128300),
            _item("N15008", "0000", 2023, 120100),
        ],
    )


@pytest.fixture
def kolada() -> Iterator[FakeKolada]:
    fake = example()
    server, thread = serve(fake)
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def municipality(tmp_path: Path) -> Path:
    target = tmp_path / "ange"
    shutil.copytree(FIXTURES / "kolada" / "repo", target)
    return target


def _pull(root: Path, fake: FakeKolada, day: dt.date = DAY, **options: object):
    with Client(fake.base + "/v3", backoff=0, per_page=5) as client:  # 13 items: 3 pages
        return pull(load_repository(root), client=client, today=day, **options)  # type: ignore[arg-type]


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    folder = root / "data" / "kolada"
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def test_pull_through_paging_429_and_500_writes_the_golden_files(kolada: FakeKolada,
                                                                  municipality: Path) -> None:
    kolada.failures += [Failure("/v3/kpi/", 429, headers={"Retry-After": "0"}),
                        Failure("/v3/data/", 500)]
    result = _pull(municipality, kolada)
    assert sorted(result.new_files) == ["N15008", "N15428"]
    data_requests = [p for p in kolada.log if p.startswith("/v3/data/")]
    assert len(data_requests) == 4  # the 500, then three pages
    assert "page=3" in data_requests[-1]
    for name in ("N15008.yaml", "N15428.yaml"):
        written = (municipality / "data" / "kolada" / name).read_text(encoding="utf-8")
        assert written == (GOLDEN / name).read_text(encoding="utf-8"), name
    assert check(municipality).errors == 0


def test_second_pull_without_upstream_change_writes_no_byte(kolada: FakeKolada,
                                                           municipality: Path) -> None:
    _pull(municipality, kolada)
    before = _snapshot(municipality)
    result = _pull(municipality, kolada, day=DAY + dt.timedelta(days=30))
    assert _snapshot(municipality) == before
    assert result.changes == [] and not any(written for _, _, written in result.files)


def test_revision_and_deletion_are_summarised_and_shown_by_diff(
        kolada: FakeKolada, municipality: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(municipality, "init", "-q")
    _pull(municipality, kolada)
    _git(municipality, "add", "-A")
    _git(municipality, "commit", "-qm", "first pull")
    kolada.items[1] = _item("N15428", "2260", 2022, 79.4, 83.0, 75.6, changed="2026-03-01")
    kolada.items.append({"kpi": "N15428", "municipality": "2260", "period": 2021,
                         "values": [], "isdeleted": True, "_changed": "2026-03-01"})
    result = _pull(municipality, kolada, day=DAY + dt.timedelta(days=1), since="2026-01-01")
    assert [c.line() for c in result.changes] == [
        "N15428 Ånge 2021: 80,4 → – (deleted)",
        "N15428 Ånge, women 2021: 84 → – (deleted)",
        "N15428 Ånge, men 2021: 77,1 → – (deleted)",
        "N15428 Ånge 2022: 79,2 → 79,4 (revised)",
        "N15428 Ånge, men 2022: 75,1 → 75,6 (revised)",
    ]
    monkeypatch.setenv("MALPL_LANG", "sv")
    assert [c.line() for c in result.changes] == [
        "N15428 Ånge 2021: 80,4 → – (borttagen)",
        "N15428 Ånge, kvinnor 2021: 84 → – (borttagen)",
        "N15428 Ånge, män 2021: 77,1 → – (borttagen)",
        "N15428 Ånge 2022: 79,2 → 79,4 (reviderad)",
        "N15428 Ånge, män 2022: 75,1 → 75,6 (reviderad)",
    ]
    monkeypatch.setenv("MALPL_LANG", "en")
    assert "from_date=2026-01-01" in [p for p in kolada.log if p.startswith("/v3/data/")][-1]
    text = (municipality / "data" / "kolada" / "N15428.yaml").read_text(encoding="utf-8")
    assert "fetched: '2026-11-29'" in text and "'2019'" not in text
    # Riket was not in the changed items and is kept.
    assert "'0000':" in text
    out = invoke(["-C", str(municipality), "diff"])
    assert out.exit_code == 0, out.output
    assert "Kolada N15428 2022 Ånge: 79,2 → 79,4" in out.output
    assert "Kolada N15428 2021 Ånge: 80,4 → (none)" in out.output


def test_more_than_25_ids_are_split_into_segments(kolada: FakeKolada,
                                                 municipality: Path) -> None:
    many = {f"{2300 + i:04d}": f"Kommun {i}" for i in range(30)}
    kolada.municipalities |= many
    config = municipality / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "".join(
        f'    - {{id: "{i}", label: {name}}}\n' for i, name in many.items()), encoding="utf-8")
    kolada.items.append(_item("N15008", "2329", 2023, 99000))
    _pull(municipality, kolada)
    segments = [p.split("/municipality/")[1].split("?")[0].split(",")
                for p in kolada.log if p.startswith("/v3/data/") and "?page=" not in p]
    assert sorted(len(s) for s in segments) == [9, 25]
    text = (municipality / "data" / "kolada" / "N15008.yaml").read_text(encoding="utf-8")
    assert "'2329':" in text and "Kommun 29" in text


def test_a_timeout_is_retried(kolada: FakeKolada) -> None:
    kolada.failures.append(Failure("/v3/kpi", delay=2.0))
    with Client(kolada.base + "/v3", timeout=0.2, backoff=0) as client:
        found = client.search("behöriga")
    assert [k["id"] for k in found] == ["N15428"]
    assert len(kolada.log) == 2


def test_a_server_that_keeps_failing_is_a_clear_error(kolada: FakeKolada) -> None:
    kolada.failures += [Failure("/v3/kpi", 503) for _ in range(3)]
    with Client(kolada.base + "/v3", retries=2, backoff=0) as client, \
            pytest.raises(KoladaError, match="503"):
        client.search("x")


def test_next_url_on_another_host_is_not_followed(kolada: FakeKolada) -> None:
    real = kolada.base + "/v3"
    kolada.page_size = 1
    kolada.base = "http://example.org"  # the answer now names another host as the next page
    with Client(real, backoff=0) as client, pytest.raises(KoladaError, match="another host"):
        client.search("")
    assert len(kolada.log) == 1


def test_unreachable_network_exit_1_nothing_written_no_traceback(
        municipality: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as closed:  # a port that was free and is closed again
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("MALPL_KOLADA_URL", f"http://127.0.0.1:{port}/v3")
    out = invoke(["-C", str(municipality), "kolada", "pull"])
    assert out.exit_code == 1
    assert "cannot reach Kolada" in out.output and "Traceback" not in out.output
    assert not (municipality / "data").exists()


def test_a_failure_half_way_writes_nothing(kolada: FakeKolada, municipality: Path) -> None:
    kolada.failures += [Failure("/v3/data/", 503) for _ in range(5)]
    with pytest.raises(KoladaError):
        _pull(municipality, kolada)
    assert not (municipality / "data").exists()


def test_cli_pull_dry_run_then_pull(kolada: FakeKolada, municipality: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_KOLADA_URL", kolada.base + "/v3")
    out = invoke(["-C", str(municipality), "kolada", "pull", "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "would write 2 new files" in out.output
    assert not (municipality / "data").exists()
    out = invoke(["-C", str(municipality), "kolada", "pull", "--measure", "1.m2"])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (municipality / "data" / "kolada").iterdir()) == [
        "N15008.yaml"]
    out = invoke(["-C", str(municipality), "kolada", "pull", "--since", "May"])
    assert out.exit_code == 2 and "not a date" in out.output


def test_search_shows_id_title_description_and_gender(kolada: FakeKolada,
                                                      municipality: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALPL_KOLADA_URL", kolada.base + "/v3")
    out = invoke(["-C", str(municipality), "kolada", "search", "behöriga"])
    assert out.exit_code == 0, out.output
    assert "N15428  Elever i åk 9 som är behöriga" in out.output
    assert "(by gender: women and men)" in out.output
    assert "Antal elever i åk 9 som är behöriga. Källa: Skolverket." in out.output
    assert "N15008" not in out.output
    assert any("title=beh" in p for p in kolada.log)
    svenska = invoke(["-C", str(municipality), "kolada", "search", "behöriga"],
                     env={"MALPL_LANG": "sv"})
    assert "(kön: kvinnor och män)" in svenska.stdout
    assert svenska.stderr == "1 nyckeltal hittades (Källa: Kolada)\n"


def test_views_merge_pulled_figures_own_values_win(kolada: FakeKolada,
                                                  municipality: Path) -> None:
    _pull(municipality, kolada)
    out = invoke(["-C", str(municipality), "measures", "--format", "json"])
    assert out.exit_code == 0, out.output
    m1, m2 = json.loads(out.output)
    assert [(p["key"], p["value"]) for p in m1["series"]] == [
        ("2021", 80.4), ("2022", 79.2), ("2023", 80.0)]  # 2023 is the file's own
    assert m1["source"] == "Kolada N15428, hämtad 2026-11-28"
    labels = [r["label"] for r in m1["references"]]
    assert labels == ["Kvinnor", "Män", "Riket", "Riket, kvinnor", "Riket, män",
                      "Alla kommuner (ovägt medel)", "Alla kommuner (ovägt medel), kvinnor",
                      "Alla kommuner (ovägt medel), män", "Bräcke", "Bräcke, kvinnor",
                      "Bräcke, män"]
    assert [r["label"] for r in m2["references"]] == ["Riket"]  # no gender asked for
    out = invoke(["-C", str(municipality), "show", "1"])
    assert "Kolada N15428, hämtad 2026-11-28" in " ".join(out.output.split())


def test_an_own_value_that_differs_is_a_warning_naming_both(kolada: FakeKolada,
                                                           municipality: Path) -> None:
    _pull(municipality, kolada)
    goal = municipality / "goals" / "1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace(
        '"2023": 80.0', '"2022": 78.0'), encoding="utf-8")
    problems = check(municipality).problems
    assert [(p.code, p.line, p.severity) for p in problems] == [
        ("kolada-conflict", 15, "warning")]
    assert "78 here and 79.2 in Kolada (data/kolada/N15428.yaml)" in problems[0].message


def test_an_unknown_comparison_group_is_an_error_after_a_pull(kolada: FakeKolada,
                                                              municipality: Path) -> None:
    del kolada.groups["G100001"]
    result = _pull(municipality, kolada)
    assert result.unknown_ids == ["G100001"]
    problems = [p for p in check(municipality).problems if p.is_error]
    assert [(p.path, p.code, p.line) for p in problems] == [("malpl.yaml", "kolada-unknown", 8)]


def test_an_unknown_kpi_is_an_error_after_a_pull(kolada: FakeKolada,
                                                 municipality: Path) -> None:
    del kolada.kpis["N15008"]
    assert _pull(municipality, kolada).unknown_kpis == ["N15008"]
    problems = [p for p in check(municipality).problems if p.is_error]
    assert [(p.code, p.line) for p in problems] == [("kolada-unknown", 21)]


def test_report_labels_kolada_figures_with_source_and_date(kolada: FakeKolada,
                                                          municipality: Path) -> None:
    from malpl import report
    from malpl.periods import parse_period

    _pull(municipality, kolada)
    repo = load_repository(municipality)
    text = report.markdown_text(repo, parse_period("T3-2023", "tertial"))
    assert "Källa: Kolada N15428, hämtad 2026-11-28" in text
    assert "Riket 2023: 84,9" in text


def test_check_does_not_import_httpx() -> None:
    code = ("import sys\nfrom malpl.cli import main\nsys.argv = ['malpl', '-C', sys.argv[1], "
            "'check']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('httpx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(FIXTURES / "kolada" / "repo")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False"), out.stdout


def test_stored_figures_are_read_at_a_revision(kolada: FakeKolada, municipality: Path) -> None:
    """A revision's data/kolada/ files are loaded as figures, never as goal files."""
    _git(municipality, "init", "-q")
    _pull(municipality, kolada)
    _git(municipality, "add", "-A")
    _git(municipality, "commit", "-qm", "pull")
    from malpl.repository import load_at

    repo = load_at(municipality, "HEAD")
    assert sorted(repo.kolada.files) == ["N15008", "N15428"] and len(repo.goals) == 1
    assert not [p for p in repo.problems if p.is_error]


def test_a_hand_edited_data_file_is_a_problem_at_its_line(kolada: FakeKolada,
                                                          municipality: Path) -> None:
    """The fetch date reaches the report: only a date is accepted."""
    _pull(municipality, kolada)
    path = municipality / "data" / "kolada" / "N15008.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "fetched: '2026-11-28'", "fetched: <img src=x>"), encoding="utf-8")
    problems = [p for p in check(municipality).problems if p.is_error]
    assert [(p.path, p.line) for p in problems] == [("data/kolada/N15008.yaml", 3)]
    out = invoke(["-C", str(municipality), "measures"])
    assert out.exit_code == 1 and "data/kolada/N15008.yaml:3" in out.output


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_pull_says_what_it_fetched_and_what_became_of_each_file(
        kolada: FakeKolada, municipality: Path, monkeypatch: pytest.MonkeyPatch,
        lang: str) -> None:
    """The first pull names its new files and what it fetched (it once said "0 figures
    changed"); the next says the files are unchanged; one after a revision counts the
    changed file and its figures. In English and in Swedish, at 80 columns."""
    monkeypatch.setenv("MALPL_KOLADA_URL", kolada.base + "/v3")
    env = {"MALPL_LANG": lang, "COLUMNS": "80"}
    runs = []
    for step in ("first", "again", "revised"):
        if step == "revised":
            kolada.items[1] = _item("N15428", "2260", 2022, 79.4, 83.0, 75.6)
        out = invoke(["-C", str(municipality), "kolada", "pull"], env=env)
        assert out.exit_code == 0, out.output
        assert all(len(line) <= 80 for line in out.output.splitlines()), out.output
        runs.append(f"$ malpl kolada pull  # {step}\n{out.output}")
    path = GOLDEN / f"pull-{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text("".join(runs), encoding="utf-8")
    assert "".join(runs) == path.read_text(encoding="utf-8")
