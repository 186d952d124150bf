"""``malpl kolada`` against a hostile server, a hostile address and hostile files.

``kolada.url`` is committed in malpl.yaml, so a pull request can point CI at any
server: what it sends must end in a clear error with nothing written, never in a
process that eats the machine's memory, runs for hours or says "internal error".
"""
# ruff: noqa: F811  (the fixtures kolada and municipality are shared with test_kolada)

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from malpl.kolada import client as client_module
from malpl.kolada.client import Client, KoladaError
from malpl.repository import MalplError
from tests.cli_runner import invoke
from tests.kolada_server import Failure, FakeKolada, Trick
from tests.test_kolada import _git, _item, _pull, kolada, municipality  # noqa: F401  (fixtures)

BOMB = 2**28  # 256 MB of JSON gzipped into some 250 kB


def _settings(root: Path, text: str) -> None:
    config = root / "malpl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "kolada:\n", f"kolada:\n{text}"), encoding="utf-8")


def _linked_secret(root: Path, tmp_path: Path) -> Path:
    """A pulled file that is a link to a file outside the repository."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("kpi: N15428\nfetched: '2026-01-01'\nmetadata: {title: s3cr3t}\n",
                      encoding="utf-8")
    folder = root / "data" / "kolada"
    folder.mkdir(parents=True)
    (folder / "N15428.yaml").symlink_to(secret)
    return secret


def _cli(root: Path, fake: FakeKolada, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("MALPL_KOLADA_URL", fake.base + "/v3")
    return invoke(["-C", str(root), "kolada", "pull", *args])


def _refused(out, message: str) -> None:  # type: ignore[no-untyped-def]
    assert out.exit_code == 1, out.output
    assert message in out.output, out.output
    assert "internal error" not in out.output and "Traceback" not in out.output


# --- memory ------------------------------------------------------------------------------
PEAK = """
import resource, sys
from malpl.cli import main
sys.argv = ["malpl", "-C", sys.argv[1], "kolada", "pull"]
try:
    main()
except SystemExit as stop:
    code = stop.code
print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_gzip_bomb_is_refused_in_bounded_memory(kolada: FakeKolada,
                                                   municipality: Path) -> None:
    """The pull runs in a process of its own, which reports its own peak (kB on Linux)."""
    kolada.tricks.append(Trick("/v3/kpi/", "bomb", size=BOMB))
    out = subprocess.run([sys.executable, "-c", PEAK, str(municipality)],
                         env={**os.environ, "MALPL_KOLADA_URL": kolada.base + "/v3"},
                         capture_output=True, text=True, check=False)
    code, peak = out.stdout.split()
    assert code == "1", out.stderr
    assert "Kolada's answer is larger than 16 MB" in out.stderr
    assert int(peak) < 200 * 1024, f"peak memory {int(peak) // 1024} MB"
    assert len(kolada.log) == 1  # not retried
    assert not (municipality / "data").exists()


def test_a_huge_body_is_refused_while_it_arrives(kolada: FakeKolada) -> None:
    kolada.tricks.append(Trick("/v3/kpi", "huge", size=64 * 2**20))
    with Client(kolada.base + "/v3") as client, \
            pytest.raises(KoladaError, match="larger than 16 MB"):
        client.search("x")
    assert client.received <= 16 * 2**20 + 2**16


def test_the_answers_of_a_pull_are_bounded_in_all(kolada: FakeKolada,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages each well below the bound for one answer, but too many bytes together."""
    monkeypatch.setattr(client_module, "MAX_PULL_BYTES", 2**20)
    kolada.tricks.append(Trick("/v3/kpi", "endless", size=4000))
    with Client(kolada.base + "/v3", per_second=1000) as client, \
            pytest.raises(KoladaError, match="larger than 1 MB in all"):
        client.search("x")
    assert 2 <= len(kolada.log) <= 6


# --- paging ------------------------------------------------------------------------------
def test_a_next_url_that_repeats_ends_the_pull(kolada: FakeKolada, municipality: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    kolada.tricks.append(Trick("/v3/kpi/", "loop"))
    _refused(_cli(municipality, kolada, monkeypatch), "Kolada's next page is one already read")
    assert len(kolada.log) == 1
    assert not (municipality / "data").exists()


def test_pages_beyond_what_was_asked_for_end_the_pull(kolada: FakeKolada,
                                                     municipality: Path) -> None:
    """Empty pages on and on: two KPIs, four municipalities and the years since 1950 fit in
    one page of 5 000 items, so the third page is the last one read."""
    kolada.tricks.append(Trick("/v3/data/", "endless"))
    with Client(kolada.base + "/v3", per_second=1000) as client, \
            pytest.raises(KoladaError, match="kept paging past 3 pages"):
        from malpl.kolada.pull import pull
        from malpl.repository import load_repository

        pull(load_repository(municipality), client=client)
    assert len([p for p in kolada.log if p.startswith("/v3/data/")]) == 3
    assert not (municipality / "data").exists()


def test_more_items_than_asked_for_end_the_pull(kolada: FakeKolada) -> None:
    from malpl.kolada.ids import KoladaId

    kolada.tricks.append(Trick("/v3/kpi/", "endless", size=3))
    with Client(kolada.base + "/v3") as client, \
            pytest.raises(KoladaError, match="more than the 2 items asked for"):
        client.kpis([KoladaId("N15428"), KoladaId("N15008")])


# --- time --------------------------------------------------------------------------------
def test_a_slow_drip_ends_at_the_pulls_deadline(kolada: FakeKolada, municipality: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte every 0.2 s keeps every read alive; the deadlines in malpl.yaml end it."""
    _settings(municipality, "  request_timeout: 1\n  deadline: 3\n")
    kolada.tricks.append(Trick("/v3/kpi/", "drip", delay=0.2))
    _refused(_cli(municipality, kolada, monkeypatch),
             "took longer than 3 seconds, the limit for a whole pull")
    assert 1 <= len(kolada.log) <= 3
    assert not (municipality / "data").exists()


def test_a_slow_request_is_cut_at_its_own_limit(kolada: FakeKolada) -> None:
    kolada.tricks.append(Trick("/v3/kpi", "drip", delay=0.2))
    with Client(kolada.base + "/v3", timeout=1, retries=0) as client, \
            pytest.raises(KoladaError, match="did not answer within 1 second"):
        client.search("x")


def test_headers_sent_a_byte_at_a_time_are_cut_at_the_limit(kolada: FakeKolada) -> None:
    """Each byte comes well within the time-out of a read; the request's limit ends it."""
    kolada.tricks.append(Trick("/v3/kpi", "drip-headers", size=10_000, delay=0.1))
    with Client(kolada.base + "/v3", timeout=1, retries=0) as client, \
            pytest.raises(KoladaError, match="did not answer within 1 second"):
        client.search("x")


def test_a_retry_after_beyond_the_deadline_ends_the_pull(kolada: FakeKolada,
                                                         municipality: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(municipality, "  deadline: 5\n")
    kolada.failures.append(Failure("/v3/kpi/", 429, headers={"Retry-After": "120"}))
    _refused(_cli(municipality, kolada, monkeypatch),
             "the next try would wait 120 seconds for Kolada, past the limit of 5 seconds")
    assert len(kolada.log) == 1


def test_the_deadlines_are_set_and_checked_in_malpl_yaml(municipality: Path) -> None:
    config = (municipality / "malpl.yaml").read_text(encoding="utf-8")
    _settings(municipality, "  deadline: 5\n  request_timeout: 1.5\n")
    assert invoke(["-C", str(municipality), "check"]).exit_code == 0
    (municipality / "malpl.yaml").write_text(config, encoding="utf-8")
    _settings(municipality, "  deadline: 0\n  request_timeout: forever\n")
    out = invoke(["-C", str(municipality), "check"])
    assert out.exit_code == 1
    assert "malpl.yaml:6" in out.output and "malpl.yaml:7" in out.output, out.output


# --- malformed answers -------------------------------------------------------------------
@pytest.mark.parametrize("period", ["²", "٢٠٢٢", "1" * 23, 2022.0, True, "22", None])
def test_a_period_that_is_not_a_year_is_the_servers_error(kolada: FakeKolada,
                                                          municipality: Path,
                                                          period: object) -> None:
    kolada.items.append({**_item("N15428", "2260", 2024, 1.0), "period": period})
    with pytest.raises(KoladaError, match="a period that is not a year"):
        _pull(municipality, kolada)
    assert not (municipality / "data").exists()


@pytest.mark.parametrize(("value", "message"), [
    ("1" * 401, "a value beyond what malpl holds"),
    ("2e15", "a value beyond what malpl holds"),
    ("-1e400", "a value beyond what malpl holds"),
    ("NaN", "not JSON"),
])
def test_a_value_malpl_cannot_hold_is_the_servers_error(
        kolada: FakeKolada, municipality: Path, monkeypatch: pytest.MonkeyPatch,
        value: str, message: str) -> None:
    """Written into the JSON as it stands: a 401-digit number is valid JSON."""
    kolada.items.append(_item("N15428", "2260", 2024, 12345.5))
    kolada.raw = ("12345.5", value)
    _refused(_cli(municipality, kolada, monkeypatch), message)
    assert not (municipality / "data").exists()


def test_a_gender_that_is_not_text_is_left_out(kolada: FakeKolada, municipality: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    kolada.items.append({"kpi": "N15428", "municipality": "2260", "period": 2024,
                         "values": [{"gender": ["T"], "value": 1.0}, 7, {"gender": {}}]})
    kolada.items.append({"kpi": "N15428", "municipality": ["2260"], "period": 2024,
                         "values": 7})
    out = _cli(municipality, kolada, monkeypatch)
    assert out.exit_code == 0, out.output
    assert "2024" not in (municipality / "data" / "kolada" / "N15428.yaml").read_text("utf-8")


@pytest.mark.parametrize("url", ["http://[::1", "http://example.org/v\x1b[31m3",
                                 "ftp://example.org/v3", "http://127.0.0.1:99999/v3",
                                 "http:///v3"])
def test_a_bad_address_is_the_users_error(municipality: Path,
                                          monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("MALPL_KOLADA_URL", url)
    for command in (["kolada", "pull"], ["kolada", "search", "x"]):
        out = invoke(["-C", str(municipality), *command])
        _refused(out, "MALPL_KOLADA_URL is not a web address")
        assert "\x1b" not in out.output
    assert not (municipality / "data").exists()


# --- hostile files -----------------------------------------------------------------------
def test_a_pulled_file_with_a_year_that_is_not_one_is_a_problem_at_its_line(
        kolada: FakeKolada, municipality: Path) -> None:
    _pull(municipality, kolada)
    path = municipality / "data" / "kolada" / "N15428.yaml"
    text = path.read_text(encoding="utf-8")
    for bad in ("²", "٢٠٢٢", "1" * 23):
        path.write_text(text.replace("'2021'", f"'{bad}'", 1), encoding="utf-8")
        line = text[:text.index("'2021'")].count("\n") + 1
        out = invoke(["-C", str(municipality), "check"])
        assert out.exit_code == 1
        assert f"data/kolada/N15428.yaml:{line}" in out.output and "is not a year" in out.output
        for command in (["measures"], ["show", "1"]):
            out = invoke(["-C", str(municipality), *command])
            _refused(out, f"data/kolada/N15428.yaml:{line}")


def test_a_linked_data_folder_is_never_written_through(kolada: FakeKolada,
                                                        municipality: Path,
                                                        tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (municipality / "data").symlink_to(outside)
    with pytest.raises(MalplError, match="data is not a folder but a link"):
        _pull(municipality, kolada)
    (municipality / "data").unlink()
    (municipality / "data").mkdir()
    (municipality / "data" / "kolada").symlink_to(outside)
    with pytest.raises(MalplError, match="data/kolada is not a folder"):
        _pull(municipality, kolada)
    assert list(outside.iterdir()) == [] and kolada.log == []


def test_a_linked_pulled_file_is_neither_written_through_nor_read(
        kolada: FakeKolada, municipality: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading it is refused by loading, for every file of the repository."""
    secret = _linked_secret(municipality, tmp_path)
    with pytest.raises(MalplError, match=r"data/kolada/N15428\.yaml is not a regular file"):
        _pull(municipality, kolada)
    assert kolada.log == []
    _refused(_cli(municipality, kolada, monkeypatch), "data/kolada/N15428.yaml")
    assert secret.read_text(encoding="utf-8").endswith("s3cr3t}\n")
    out = invoke(["-C", str(municipality), "check"])
    assert out.exit_code == 1 and "data/kolada/N15428.yaml" in out.output
    assert "s3cr3t" not in invoke(["-C", str(municipality), "measures"]).output


def test_a_committed_link_in_data_kolada_is_not_followed_at_a_revision(
        municipality: Path, tmp_path: Path) -> None:
    """A blob of mode 120000 is a problem, its text never a path to read."""
    _linked_secret(municipality, tmp_path)
    _git(municipality, "init", "-q")
    _git(municipality, "add", "-A")
    _git(municipality, "commit", "-qm", "a link")
    out = invoke(["-C", str(municipality), "show", "1", "--at", "HEAD"])
    _refused(out, "HEAD:data/kolada/N15428.yaml")
    assert "s3cr3t" not in out.output
