"""How `malpl log` grows with history: 1×, 2× and 4× the commits, same repository size.

    python bench/history.py [--files 100] [--commits 50]

Each run builds a git repository in a temporary folder (FILES goal files, then
COMMITS commits that each rewrite one comment) and times `malpl log` of one
goal. Time should grow about linearly with the commits and memory stay flat.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import goal_file, sentence

PERIODS = ["T1-2023", "T2-2023", "T3-2023"]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=b@example.se", *args],
                   cwd=root, check=True, capture_output=True)


def build(root: Path, files: int, commits: int) -> None:
    rng = random.Random(1)
    (root / "goals").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    paths = []
    for n in range(1, files + 1):
        path = root / "goals" / f"1.{n}.yaml"
        path.write_text(goal_file(rng, 1, n, 3, PERIODS), encoding="utf-8")
        paths.append(path)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    for n in range(commits):
        path = paths[n % files]
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if line.strip() == "comment: |") + 1
        lines[at] = f"          {sentence(rng, 12)}\n"
        path.write_text("".join(lines), encoding="utf-8")
        git(root, "commit", "-q", "-am", f"change {n}")


def measure(root: Path, ident: str) -> tuple[float, int]:
    """Seconds and peak memory (MB) of one `malpl log` run."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "malpl", "-C", str(root), "log", ident],
                            stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"malpl log failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--commits", type=int, default=50)
    args = parser.parse_args()
    print(f"malpl log 1.1 over {args.files} goal files")
    for factor in (1, 2, 4):
        commits = args.commits * factor
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            build(root, args.files, commits)
            seconds, megabytes = measure(root, "1.1")
        print(f"  {commits + 1:5d} commits ({factor}×)   {seconds * 1000:8.0f} ms   "
              f"peak {megabytes:4d} MB")


if __name__ == "__main__":
    main()
