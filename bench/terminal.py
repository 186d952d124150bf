"""Benchmark: `malpl status` on one goal file with many targets, at 1×, 2× and 4× the size.

    python bench/terminal.py               # 5 000, 10 000, 20 000 targets
    python bench/terminal.py --targets 25000

Prints load and render CPU time in-process and the whole command's wall time;
linear growth doubles each figure.
Asserts nothing (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_file(root: Path, targets: int) -> Path:
    (root / "goals").mkdir(parents=True)
    lines = ['id: "1"', "level: utvecklingsmal", "title: Ett mål med många delmål", "targets:"]
    for t in range(1, targets + 1):
        lines += [f'  - id: "1.{t}"', f"    text: Delmål nummer {t} ska nås under året.",
                  "    followups:", "      T1-2023:", "        assessment: uppfyllt",
                  "        ready: true", "        comment: Klart."]
    (root / "goals" / "1.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def in_process(root: Path) -> tuple[float, float]:
    """Seconds to load the repository and to render the status table at 100 columns."""
    from malpl import terminal, views
    from malpl.commands.common import load_valid, paused_gc
    from malpl.snapshot import snapshot

    start = time.process_time()
    repo = load_valid(root)
    view = snapshot(repo, views.resolve_period(repo, None))
    loaded = time.process_time()
    console = terminal.console()
    console.file, console.width = io.StringIO(), 100
    with paused_gc():
        console.print(terminal.status(view))
    return loaded - start, time.process_time() - loaded


def command(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "malpl", "-C", str(root), "status"], cwd=ROOT,
                   stdout=subprocess.DEVNULL, check=True, env=os.environ | {"COLUMNS": "100"})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=5000, help="the 1× size")
    args = parser.parse_args()
    print(f"{'targets':>9} {'load':>9} {'render':>9} {'command':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, 2, 4):
            n = args.targets * factor
            root = one_file(Path(tmp) / str(n), n)
            load, render = in_process(root)
            print(f"{n:>9} {load:>8.2f}s {render:>8.2f}s {command(root):>8.2f}s", flush=True)


if __name__ == "__main__":
    main()
