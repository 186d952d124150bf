"""Benchmarks: print figures, assert nothing (the machines are shared and noisy).

    python bench/run.py            # check (time, memory, 1×/2×/4× the size) + start-up
    python bench/run.py --startup  # only the start-up figures

Each figure is the median of several runs; the minimum is shown too. The report
against pandoc alone is timed by bench/report.py, the website by bench/site.py.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parent.parent
MALPL = [sys.executable, "-m", "malpl"]


def timed(fn: Callable[[], object], runs: int,
          clock: Callable[[], float] = time.perf_counter) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times), min(times)


def command(*args: str, cwd: Path = ROOT) -> Callable[[], object]:
    return lambda: subprocess.run(list(args), cwd=cwd, capture_output=True, check=False)


def show(label: str, figures: tuple[float, float], base: tuple[float, float] | None = None
         ) -> None:
    median, best = figures
    ratio = f"  ({median / base[0]:.2f}× of baseline)" if base else ""
    print(f"  {label:<44} median {median * 1000:8.1f} ms   min {best * 1000:8.1f} ms{ratio}")


def bare_parse(root: Path) -> None:
    for path in sorted((root / "goals").rglob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


# Peak resident memory of one `malpl check` in a fresh process, less what the imports
# take. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
_PEAK_RSS = """
import re, sys
from pathlib import Path
from malpl.checks import check
def peak():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s*(\\d+)", status.read())[1])
before = peak()
check(Path(sys.argv[1]))
print(peak() - before)
"""


def memory(root: Path, files: int) -> None:
    """Per goal file: the peak RSS growth of the command, and Python's own allocations."""
    from malpl.checks import check
    from malpl.repository import load_repository

    done = subprocess.run([sys.executable, "-c", _PEAK_RSS, str(root)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    rss = int(done.stdout) * 1024 / files  # in KiB
    gc.collect()
    tracemalloc.start()
    repo = load_repository(root)
    held = tracemalloc.get_traced_memory()[0] / files
    del repo
    tracemalloc.reset_peak()
    check(root)
    peak = tracemalloc.get_traced_memory()[1] / files
    tracemalloc.stop()
    print(f"  memory per goal file: peak RSS growth {rss / 1e6:.3f} MB (fresh process), "
          f"traced peak {peak / 1e6:.3f} MB, held once loaded {held / 1e6:.3f} MB")


def scaling(large: Path, runs: int) -> None:
    """The large repository at 1×, 2× and 4× its bodies: does check stay linear?

    In CPU time, which other work on a shared machine disturbs less than wall time.
    """
    from malpl.checks import check

    print(f"Scaling (1×, 2×, 4× the bodies; median CPU time of {runs} runs):")
    first = None
    for factor in (1, 2, 4):
        root = large.with_name(f"large-{factor}x")
        files = generate(root, bodies=30 * factor)
        base = timed(lambda root=root: bare_parse(root), runs, time.process_time)
        ours = timed(lambda root=root: check(root), runs, time.process_time)
        first = first or ours[0] / files
        print(f"  {factor}× {files:5} files: bare parse {base[0] * 1000:8.1f} ms   "
              f"check {ours[0] * 1000:8.1f} ms ({ours[0] / base[0]:.2f}× of bare)   "
              f"{ours[0] / files * 1000:.2f} ms per file ({ours[0] / files / first:.2f}× of 1×)")
        shutil.rmtree(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale-runs", type=int, default=3,
                        help="runs of each size in the scaling table (0: skip it)")
    parser.add_argument("--startup", action="store_true", help="only the start-up figures")
    args = parser.parse_args()
    if args.startup:
        startup(args.runs * 2)
        return
    from malpl.checks import check

    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large"
        files = generate(large)
        size = sum(p.stat().st_size for p in (large / "goals").rglob("*.yaml"))
        print(f"Large repository: {files} goal files, {size / 1e6:.1f} MB "
              "(30 bodies × 30 goals × 5 targets × 9 periods)")
        base = timed(lambda: bare_parse(large), args.runs)
        show("bare PyYAML CSafeLoader parse (in-process)", base)
        show("malpl check (library, in-process)", timed(lambda: check(large), args.runs), base)
        show("malpl check (command)", timed(command(*MALPL, "-C", str(large), "check"),
                                            args.runs))
        memory(large, files)
        if args.scale_runs:
            scaling(large, args.scale_runs)

        startup(args.runs * 2)


def children_cpu() -> float:
    """CPU time (user + system) of the finished child processes: on a shared machine it
    is disturbed far less by the others' load than wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def startup(runs: int) -> None:
    """What a person waits for before anything happens, against a bare interpreter.

    The package is byte-compiled first, as ``pip install`` does for an installed
    one; without it every run would include compiling malpl's sources.
    """
    compileall.compile_dir(str(ROOT / "malpl"), quiet=1, force=True)
    script = Path(sys.executable).with_name("malpl")
    print(f"Start-up and the shipped goals (Ånge, 15 goals; median CPU time of {runs} runs):")
    python = timed(command(sys.executable, "-c", "pass"), runs, children_cpu)
    show("python -c pass", python)
    for label, args in (
            ("python -c 'import yaml'", ("-c", "import yaml")),
            ("python -c 'import malpl.model'", ("-c", "import malpl.model")),
            ("python -c 'import malpl.checks'", ("-c", "import malpl.checks")),
            ("check() in a fresh process (shipped goals)",
             ("-c", "from pathlib import Path; from malpl.checks import check; check(Path('.'))")),
            ("python -m malpl --help", ("-m", "malpl", "--help")),
            ("python -m malpl check (shipped goals)", ("-m", "malpl", "check"))):
        show(label, timed(command(sys.executable, *args), runs, children_cpu), python)
    if script.exists():
        show("malpl check (the console script)", timed(command(str(script), "check"), runs,
                                                       children_cpu), python)


if __name__ == "__main__":
    main()
