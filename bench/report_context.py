"""How building the report's context grows with the number of goals (it should be linear).

    python bench/report_context.py            # 1×, 2×, 4× of 8 bodies × 30 goals
    python bench/report_context.py --bodies 4 --runs 5

Prints the median time per size and its ratio to the 1× size; a linear build
shows about 2× and 4×. What the report covers (the period's rows and measures) is chosen
in each run; charts and pandoc are not included (see bench/report.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from run import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bodies", type=int, default=8, help="bodies at 1× (30 goals each)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import datetime as dt

    from malpl.periods import parse_period
    from malpl.report import report_context
    from malpl.report.context import select
    from malpl.repository import load_repository

    period = parse_period("T3-2025", "tertial")
    images = {"maluppfyllelse.png": "bilder/maluppfyllelse.png"} | {
        f"matt-{i}.png": f"bilder/matt-{i}.png" for i in range(1, 2 * 30 * 4 * args.bodies + 1)}
    base = None
    print("report_context (library, in-process):")
    for factor in (1, 2, 4):
        with tempfile.TemporaryDirectory() as tmp:
            files = generate(Path(tmp), bodies=args.bodies * factor, targets=2)
            repo = load_repository(Path(tmp))
            median, best = timed(lambda repo=repo: report_context(
                select(repo, period), dt.date(2025, 12, 31), images), args.runs)
        base = base or median
        print(f"  {factor}× ({files:5d} goals)   median {median * 1000:8.1f} ms   "
              f"min {best * 1000:8.1f} ms   ({median / base:.2f}× of 1×)")


if __name__ == "__main__":
    main()
