"""``malpl kolada pull``: what to fetch, fetching it, and what changed.

Everything is fetched before anything is written, so a failure half-way
leaves the repository as it was. A file is rewritten only when its content
changed, and then carries the day of the pull as its fetch date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from malpl.i18n import _
from malpl.kolada import store
from malpl.kolada.client import NOTHING_WRITTEN, Client, KoladaError
from malpl.kolada.data import GENDERS, YEAR, Change, KoladaFile, changes
from malpl.kolada.ids import GROUP, MUNICIPALITY, KoladaId, is_entity, is_kpi, is_ou
from malpl.model import NUMBER_LIMIT, convert
from malpl.repository import MalplError, Repository

Cells = dict[str, dict[str, dict[str, Any]]]  # entity → gender → year → value


@dataclass
class Wanted:
    """What one KPI's file holds: municipalities and groups, and organisational units."""

    entities: set[str] = field(default_factory=set)
    ous: set[str] = field(default_factory=set)


def plan(repo: Repository, measure: str | None = None,
         bodies: Sequence[str] | None = None) -> dict[str, Wanted]:
    """The KPIs to pull. A KPI's file always covers every measure that uses it, so that
    pulling one measure never drops another's comparisons."""
    config = repo.config
    chosen = {m.kpi for g in repo.goals_of(bodies) for m in g.measures
              if m.source == "kolada" and m.kpi and measure in (None, m.id)}
    if measure is not None and not chosen:
        raise MalplError(_("no Kolada measure has the id '{id}'").format(id=measure),
                         _("give the id of a measure with `source: kolada` and a `kpi`"))
    own = config.organisation.kolada_id
    wanted: dict[str, Wanted] = {}
    for goal in repo.goals:
        for m in goal.measures:
            if m.kpi not in chosen or not is_kpi(m.kpi or ""):
                continue
            entry = wanted.setdefault(m.kpi, Wanted())  # type: ignore[arg-type]
            if m.ou:
                entry.ous.add(m.ou)
            elif not own:
                raise MalplError(_("malpl.yaml has no `organisation.kolada_id`"),
                                 _("add the municipality's code, e.g. `kolada_id: \"2260\"` "
                                   "under `organisation:`"))
            entry.entities |= {c.id for c in [*config.kolada.compare, *m.compare]}
            if own:
                entry.entities.add(own)
    for entry in wanted.values():  # malformed ids are reported by 'malpl check'
        entry.entities = {e for e in entry.entities if is_entity(e)}
        entry.ous = {o for o in entry.ous if is_ou(o)}
    return wanted


@dataclass
class Fetched:
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)


def fetch(client: Client, wanted: dict[str, Wanted], since: str | None) -> Fetched:
    got = Fetched()
    got.metadata = {str(i.get("id")): i for i in client.kpis([KoladaId(k) for k in wanted])}
    entities = sorted(set().union(*(w.entities for w in wanted.values())))
    ous = sorted(set().union(*(w.ous for w in wanted.values())))
    for kind, ids in (("municipality", [e for e in entities if MUNICIPALITY.fullmatch(e)]),
                      ("municipality_groups", [e for e in entities if GROUP.fullmatch(e)]),
                      ("ou", ous)):
        if ids:
            got.names |= {str(i.get("id")): str(i.get("title") or i.get("id"))
                          for i in client.entities(kind, [KoladaId(e) for e in ids])}
    kpis = [KoladaId(k) for k in sorted(wanted) if k in got.metadata]
    known = [KoladaId(e) for e in entities if e in got.names]
    if kpis and known:
        got.items += client.data(kpis, known, since=since)
    known_ous = [KoladaId(o) for o in ous if o in got.names]
    with_ous = [KoladaId(k) for k in kpis if wanted[k].ous]
    if with_ous and known_ous:
        got.items += client.data(with_ous, known_ous, ou=True, since=since)
    return got


def _year(period: object, kpi: str) -> str:
    """A year of four ASCII digits, as every period in a pulled file is."""
    year = str(period)
    if isinstance(period, bool) or not isinstance(period, (int, str)) or not YEAR.fullmatch(year):
        raise KoladaError(_("Kolada sent {kpi} a period that is not a year: {period}").format(
                              kpi=kpi, period=_short(period)), _(NOTHING_WRITTEN))
    return year


def _number(value: object, where: str) -> float | None:
    """A figure, or None for a value that is not published (null, or not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not abs(value) <= NUMBER_LIMIT:  # so also NaN; a huge int is never made a float
        raise KoladaError(_("Kolada sent {where} a value beyond what malpl holds "
                            "(±{limit}): {value}").format(where=where, limit=f"{NUMBER_LIMIT:g}",
                                                         value=_short(value)),
                          _(NOTHING_WRITTEN))
    return float(value)


def _apply(values: Cells, status: Cells, item: dict[str, Any], kpi: str, entity: str) -> None:
    """One data item into the cells: a deleted item removes its year, genders and all."""
    year = _year(item.get("period"), kpi)
    if item.get("isdeleted"):
        for cells in (values, status):
            for years in cells.get(entity, {}).values():
                years.pop(year, None)
        return
    given = item.get("values")
    for value in given if isinstance(given, list) else []:
        gender = value.get("gender") if isinstance(value, dict) else None
        if not isinstance(gender, str) or gender not in GENDERS:
            continue  # a division malpl does not show
        number = _number(value.get("value"), f"{kpi} {entity} {year}")
        values.setdefault(entity, {}).setdefault(gender, {})[year] = number
        flag = value.get("status")
        if isinstance(flag, str) and flag:
            status.setdefault(entity, {}).setdefault(gender, {})[year] = flag
        else:
            status.get(entity, {}).get(gender, {}).pop(year, None)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _scalar(value: object) -> bool:
    """Metadata malpl keeps: text, a truth value, or a number it can hold."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) <= NUMBER_LIMIT
    return value is None or isinstance(value, (str, bool))


def _pruned(cells: Cells) -> Cells:
    return {e: {g: dict(y) for g, y in gs.items() if y} for e, gs in cells.items()
            if any(gs.values())}


def build(kpi: str, wanted: Wanted, got: Fetched, old: KoladaFile | None, since: str | None,
          today: str) -> KoladaFile:
    """The KPI's new file. With ``since``, the old figures stay where nothing changed."""
    ids = wanted.entities | wanted.ous
    keep = since is not None and old is not None
    values: Cells = {e: {g: dict(y) for g, y in gs.items()}
                     for e, gs in (old.values.items() if keep else ()) if e in ids}  # type: ignore[union-attr]
    status: Cells = {e: {g: dict(y) for g, y in gs.items()}
                     for e, gs in (old.status.items() if keep else ()) if e in ids}  # type: ignore[union-attr]
    for item in got.items:
        entity = item.get("ou") or item.get("municipality")
        if item.get("kpi") == kpi and isinstance(entity, str) and entity in ids:
            _apply(values, status, item, kpi, entity)
    meta = got.metadata.get(kpi)
    try:
        new = convert(KoladaFile, {  # checked as a file is when it is read back
            "kpi": kpi, "fetched": today, "known": meta is not None,
            "metadata": {k: v for k, v in (meta or {}).items() if k != "id" and _scalar(v)},
            "names": {i: got.names[i] for i in sorted(ids) if i in got.names},
            "unknown": sorted(i for i in ids if i not in got.names),
            "values": _pruned(values), "status": _pruned(status)})
    except msgspec.ValidationError as err:
        raise KoladaError(_("Kolada's answer for {kpi} does not fit a pulled file: "
                            "{reason}").format(kpi=kpi, reason=err),
                          _(NOTHING_WRITTEN)) from err
    if old is not None and msgspec.structs.replace(new, fetched=old.fetched) == old:
        return old
    return new


def received(kpi: str, wanted: Wanted, got: Fetched) -> int:
    """How many published values Kolada sent for the KPI's file (a null is not one)."""
    ids = wanted.entities | wanted.ous
    count = 0
    for item in got.items:
        entity = item.get("ou") or item.get("municipality")
        given = item.get("values")
        if (item.get("kpi") == kpi and isinstance(entity, str) and entity in ids
                and not item.get("isdeleted") and isinstance(given, list)):
            count += sum(1 for value in given if _published(value))
    return count


def _published(value: object) -> bool:
    """A number for a gender malpl shows (T, K or M)."""
    if not isinstance(value, dict) or not isinstance(value.get("gender"), str):
        return False
    number = value.get("value")
    return (value["gender"] in GENDERS and isinstance(number, (int, float))
            and not isinstance(number, bool))


@dataclass
class PullResult:
    """What a pull fetched and wrote: each file (new, changed or unchanged), the figures
    that changed in the files there were, and what Kolada does not know."""

    files: list[tuple[str, Path, bool]]  # kpi, path, written (or would be, on a dry run)
    changes: list[Change]
    new_files: list[str]
    unknown_kpis: list[str]
    unknown_ids: list[str]
    values: dict[str, int] = field(default_factory=dict)  # published values fetched, by KPI

    @property
    def changed_files(self) -> list[str]:
        """The files there were that the pull rewrote (or would)."""
        return [kpi for kpi, _path, written in self.files if written and kpi not in self.new_files]

    @property
    def unchanged_files(self) -> list[str]:
        return [kpi for kpi, _path, written in self.files if not written]


def pull(repo: Repository, *, measure: str | None = None, bodies: Sequence[str] | None = None,
         since: str | None = None, dry_run: bool = False, today: dt.date | None = None,
         on_request: Callable[[], None] | None = None, client: Client | None = None
         ) -> PullResult:
    wanted = plan(repo, measure, bodies)
    result = PullResult([], [], [], [], [])
    if not wanted:
        return result
    day = (today or dt.date.today()).isoformat()
    store.writable(repo.root, wanted)
    own = client or Client.configured(repo.config.kolada, on_request)
    try:
        got = fetch(own, wanted, since)
    finally:
        if client is None:
            own.http.close()
    built = {kpi: (repo.kolada.get(kpi), build(kpi, w, got, repo.kolada.get(kpi), since, day))
             for kpi, w in sorted(wanted.items())}
    for kpi, (old, new) in built.items():  # all fetched: now write
        written = store.differs(repo.root, new) if dry_run else store.write(repo.root, new)
        result.files.append((kpi, store.file_path(repo.root, kpi), written))
        result.values[kpi] = received(kpi, wanted[kpi], got)
        if old is None:
            result.new_files.append(kpi)
        else:
            result.changes += changes(old, new)
        if not new.known:
            result.unknown_kpis.append(kpi)
        result.unknown_ids += [i for i in new.unknown if i not in result.unknown_ids]
    return result
