"""Benchmark of ``malpl site``: build time for the generated repository at 1×, 2× and 4×,
and what a rebuild into the same folder costs.

    python bench/site.py [--runs 3] [--sizes 1,2,4] [--rebuild 100,1000]

1× is the benchmark's 900 goals (30 bodies × 30 goals, 9 periods); 2× and 4× double
the bodies. Each size is built ``--runs`` times (sizes interleaved) with ``write_site``
into a fresh folder. Prints each size's median CPU time (this process and its workers:
less disturbed by other load on a shared machine than wall time) and median wall time,
and both against 1× (2.0 and 4.0 would be linear).

``--rebuild``: for repositories of these many goals (25 a body), a fresh build, a rerun
into the same folder with nothing changed, and a rebuild after one follow-up's assessment
changed; prints the median CPU time of each and the two rebuilds against the fresh build
(the goal: ≤ 0,2 for the rerun). ``--sizes ''`` skips the scaling part. Asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generate import generate

from malpl.repository import load_repository
from malpl.site import write_site
from malpl.views import resolve_period


def _cpu() -> float:
    """CPU seconds of this process and of its ended workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def build_once(root: Path, out: Path) -> tuple[int, float, float]:
    """(files, CPU seconds, wall seconds) of loading nothing but building and writing."""
    repo = load_repository(root)
    period = resolve_period(repo, None, written=True)
    cpu, wall = _cpu(), time.perf_counter()
    count = write_site(repo, period, out, draft=True)
    return count, _cpu() - cpu, time.perf_counter() - wall


def reassess(root: Path) -> None:
    """Flip the first follow-up assessment of the first goal file, as a person would."""
    path = min((root / "goals").rglob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    at = text.index("assessment: ") + len("assessment: ")
    was = text[at:text.index("\n", at)]
    step = "uppfyllt" if was != "uppfyllt" else "ej_uppfyllt"
    path.write_text(text[:at] + step + text[at + len(was):], encoding="utf-8")


def rebuilds(goals: int, runs: int) -> None:
    """Fresh build, rerun and one changed goal, each ``runs`` times; medians printed."""
    times: dict[str, list[float]] = {"fresh": [], "rerun": [], "one goal": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        generate(root, bodies=goals // 25, goals=25)
        for run in range(runs):
            out = Path(tmp) / f"site{run}"
            files, fresh, _ = build_once(root, out)
            _, rerun, _ = build_once(root, out)
            reassess(root)
            _, changed, _ = build_once(root, out)
            for name, c in zip(times, (fresh, rerun, changed), strict=True):
                times[name].append(c)
            print(f"  run {run + 1}, {goals} goals: fresh {fresh:.2f} s, rerun {rerun:.2f} s, "
                  f"one goal changed {changed:.2f} s (CPU)", flush=True)
    base = statistics.median(times["fresh"])
    print(f"{goals} goals, {files} files, median CPU of {runs} (build and write, not loading): "
          + ", ".join(f"{name} {statistics.median(t):.2f} s"
                      + ("" if name == "fresh" else f" ({statistics.median(t) / base:.2f}×)")
                      for name, t in times.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,2,4")
    parser.add_argument("--rebuild", default="100,1000")
    args = parser.parse_args()
    for goals in (int(g) for g in args.rebuild.split(",") if g):
        rebuilds(goals, args.runs)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not sizes:
        return
    with tempfile.TemporaryDirectory() as tmp:
        roots, goals = {}, {}
        for factor in sizes:
            roots[factor] = Path(tmp) / f"repo{factor}"
            goals[factor] = generate(roots[factor], bodies=30 * factor)
        cpu: dict[int, list[float]] = {f: [] for f in sizes}
        wall: dict[int, list[float]] = {f: [] for f in sizes}
        files: dict[int, int] = {}
        for run in range(args.runs):
            for factor in sizes:
                out = Path(tmp) / "site"  # replaced whole each time, as in real use
                files[factor], c, w = build_once(roots[factor], out)
                cpu[factor].append(c)
                wall[factor].append(w)
                print(f"  run {run + 1}, {factor}×: CPU {c:6.2f} s, wall {w:6.2f} s", flush=True)
        base_cpu, base_wall = statistics.median(cpu[sizes[0]]), statistics.median(wall[sizes[0]])
        print(f"median of {args.runs} builds (build and write, not loading):")
        for factor in sizes:
            c, w = statistics.median(cpu[factor]), statistics.median(wall[factor])
            print(f"  {factor}×: {goals[factor]:5d} goals, {files[factor]:6d} files: "
                  f"CPU {c:6.2f} s ({c / base_cpu:.1f}× of {sizes[0]}×), "
                  f"wall {w:6.2f} s ({w / base_wall:.1f}× of {sizes[0]}×)")


if __name__ == "__main__":
    main()
