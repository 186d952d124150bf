"""Benchmark of ``malpl site``: build time for the generated repository at 1×, 2× and 4×.

    python bench/site.py

1× is the benchmark's 900 goals (30 bodies × 30 goals, 9 periods); 2× and 4× double
the bodies. Prints figures and each size's time against 1× (2.0 and 4.0 would be
linear); asserts nothing (the machines are shared and noisy).
"""

from __future__ import annotations

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


def main() -> None:
    first: float | None = None
    for factor in (1, 2, 4):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            goals = generate(root, bodies=30 * factor)
            start = time.perf_counter()
            repo = load_repository(root)
            loaded = time.perf_counter()
            count = write_site(repo, resolve_period(repo, None, written=True), Path(tmp) / "site")
            done = time.perf_counter()
            first = first or done - loaded
            print(f"  {factor}×: {goals:5d} goals, {count:6d} files: load {loaded - start:6.2f} s, "
                  f"build and write {done - loaded:6.2f} s ({(done - loaded) / first:.1f}× of 1×)",
                  flush=True)


if __name__ == "__main__":
    main()
