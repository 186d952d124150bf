"""What `malpl diff` and `malpl log` cost when 3 files of a large repository changed.

    python bench/diff.py [--sizes 1000 5000] [--baseline 100]

For each size, a repository from bench/generate.py (20 goals per body) is committed,
3 goal files get a rewritten comment, and that is committed too. Each command runs in
a fresh process; its CPU time (user + system, git's included) and peak memory
(ru_maxrss) come from the kernel. Printed as ratios: diff's CPU time against `check`
of the same repository (goal ≤ 0,15×), diff's and log's peak memory against `check`
of a --baseline-goal repository (goal ≤ 1,2×), and log's CPU time against check's.
`check` runs once, on a repository it has not seen (no cache of its own yet); diff
takes the least of --runs runs. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

GOALS_PER_BODY = 20


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=b@example.se", *args],
                   cwd=root, check=True, capture_output=True)


def build(root: Path, goals: int) -> None:
    """``goals`` goal files in one commit, then a commit that rewrites a comment in 3."""
    generate(root, bodies=goals // GOALS_PER_BODY, goals=GOALS_PER_BODY)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    for body in (1, 2, 3):
        path = root / "goals" / f"namnd-{body:02d}" / f"{body}.{body + 1}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("        comment: |\n",
                                     "        comment: |\n          Ny mening.\n", 1),
                        encoding="utf-8")
    git(root, "commit", "-q", "-am", "three comments")


def run(root: Path, *args: str) -> tuple[float, float]:
    """CPU seconds and peak MB of one malpl command in a fresh process."""
    proc = subprocess.Popen([sys.executable, "-m", "malpl", "-C", str(root), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # check exits 1 on problems; the figures still count
        raise SystemExit(f"malpl {' '.join(args)} failed with exit code {code}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(root: Path, *args: str, runs: int = 3) -> tuple[float, float]:
    """The least CPU time and memory of ``runs`` runs (the machine is shared)."""
    figures = [run(root, *args) for _ in range(runs)]
    return min(f[0] for f in figures), min(f[1] for f in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--baseline", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        build(base, args.baseline)
        _, base_mb = run(base, "check")
    print(f"baseline: malpl check of {args.baseline} goals peaks at {base_mb:.0f} MB")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            build(root, size)
            check_s, check_mb = run(root, "check")
            diff_s, diff_mb = best(root, "diff", "HEAD~1..HEAD", runs=args.runs)
            log_s, log_mb = run(root, "log", "2.3")
        print(f"{size} goals: check {check_s:6.2f} s CPU, {check_mb:5.0f} MB")
        print(f"  diff HEAD~1..HEAD (3 files)  {diff_s:6.2f} s CPU  {diff_s / check_s:5.2f}× check"
              f"   {diff_mb:5.0f} MB  {diff_mb / base_mb:4.2f}× check of {args.baseline}")
        print(f"  log 2.3                      {log_s:6.2f} s CPU  {log_s / check_s:5.2f}× check"
              f"   {log_mb:5.0f} MB  {log_mb / base_mb:4.2f}× check of {args.baseline}")


if __name__ == "__main__":
    main()
