"""What a second `malpl check` costs after one file of the repository changed.

    python bench/check_cache.py [--sizes 1000 5000]

For each size, generates a repository with bench/generate.py (SIZE goal files of about
45 kB), commits it, runs `malpl check` cold (no cache in .git/malpl), changes one goal
file's comment, and runs it again (warm). Prints each run's CPU time (user + system),
wall time and peak memory, the warm run's share of the cold one, and how peak memory
grows per goal file on a cold run between the smallest and the largest size; beside it
the same growth of the full load that `status` and `report` use (every file parsed and
kept), for comparison. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, sentence

FULL_LOAD = ("import sys; from pathlib import Path; from malpl.checks import validate; "
             "from malpl.repository import load_repository; "
             "validate(load_repository(Path(sys.argv[1])))")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=b@example.se", *args],
                   cwd=root, check=True, capture_output=True)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """CPU seconds, wall seconds and peak memory (MiB) of one process."""
    start = time.perf_counter()
    # Not from here: 'python -m' would import the malpl of the current folder.
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, env=env, cwd=env["PYTHONPATH"])
    _, _status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def change_one(root: Path) -> None:
    """Rewrite the first line of one comment in one goal file."""
    path = sorted((root / "goals").rglob("*.yaml"))[len(list((root / "goals").rglob("*.yaml"))) // 2]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "comment: |") + 1
    lines[at] = f"          {sentence(random.Random(7), 12)}\n"
    path.write_text("".join(lines), encoding="utf-8")


def measure(size: int, folder: Path, env: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    root = folder / f"goals-{size}"
    generate(root, bodies=size // 50, goals=50)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    check = [sys.executable, "-m", "malpl", "-C", str(root), "check"]
    found = {"off": run(check, {**env, "MALPL_NO_CACHE": "1"})}
    shutil.rmtree(root / ".git" / "malpl", ignore_errors=True)
    found["cold"] = run(check, env)
    change_one(root)
    found["warm"] = run(check, env)
    found["full load"] = run([sys.executable, "-c", FULL_LOAD, str(root)], env)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    sizes = sorted(parser.parse_args().sizes)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        # A copy of malpl, so that an edit of its modules meanwhile (which starts the cache
        # afresh, as another version would) does not spoil the measurement.
        code = Path(folder) / "code"
        shutil.copytree(Path(__file__).resolve().parent.parent / "malpl", code / "malpl",
                        ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "MALPL_LANG": "en", "PYTHONPATH": str(code)}
        for size in sizes:
            results[size] = found = measure(size, Path(folder), env)
            for name, (cpu, wall, rss) in found.items():
                print(f"{size:>6} goals  {name:<10} {cpu:7.2f} s CPU  {wall:7.2f} s wall  "
                      f"{rss:7.1f} MiB")
            cold, warm = found["cold"], found["warm"]
            print(f"{size:>6} goals  warm / cold: {warm[0] / cold[0]:.3f} (CPU), "
                  f"{warm[1] / cold[1]:.3f} (wall)   [goal: <= 0.1]")
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        for name in ("cold", "full load"):
            grows = (results[high][name][2] - results[low][name][2]) / (high - low)
            print(f"peak memory of {name} grows {grows:.4f} MiB per goal file "
                  f"({low} to {high} goals)" + ("   [goal: <= 0.05]" if name == "cold" else ""))


if __name__ == "__main__":
    main()
