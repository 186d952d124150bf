"""The report against pandoc alone, and the HTML report's peak memory. Prints, asserts nothing.

    python bench/report.py                 # shipped goals and the large repository
    python bench/report.py --bodies 5      # a smaller "large" repository, for a quick look
    python bench/report.py --skip-large
    python bench/report.py --baseline /tmp/old   # also an older malpl, unpacked there by
                                                 # git archive REV | tar -x -C /tmp/old

Runs are interleaved (pandoc, malpl, pandoc, malpl …) so the load of a shared machine
falls on both alike; each figure is the median, in wall time and in CPU time (user +
system of the process and everything it waited for: git, pandoc, chart workers).
"pandoc alone" converts the very Markdown malpl gives pandoc for a DOCX, with its pictures
as files; "pandoc, GitHub Markdown" the report's Markdown as GitHub shows it, which is what
a person would convert without malpl (its <br> in table cells cost pandoc more than the
Word breaks malpl writes for a DOCX).
malpl keeps one cache, of compiled templates (in $XDG_CACHE_HOME/malpl): "cold" runs
each start from an empty one and are the headline; "warm" runs reuse a filled one.

Measured 2026-11-28 on a 2-core machine shared with other heavy work (wall times are
inflated; CPU is the steadier figure):
  shipped goals   pandoc 0.14 s CPU; malpl 0.58 s cold (4.1×), 0.59 s warm; the malpl
                  before this script 0.73 s (5.6×, interleaved with 0.65 s of this one).
                  `malpl check` alone takes 0.30 s: loading and validating is the floor.
  large (900)     pandoc 66 s CPU / 165 s wall; malpl 238 s CPU (3.6×) / 311 s wall (1.9×);
                  the malpl before: 1 272 s CPU, 52 min wall, peak 2.3 GB (pandoc reading
                  1 800 PNGs as data: URIs in the Markdown).
  HTML (900)      19.1 MB page; peak malpl 432 MB, pandoc 3.9 GB. Pictures are inline SVG;
                  at 30 goals pandoc peaks at 224 MB with them and 189 MB without: the
                  memory follows the document, at ~200× the page, not its pictures.
Measured 2026-11-28, `--bodies 10 --runs 3 --large-runs 2`, charts drawn from the SVG with
Pillow (malpl.charts) instead of matplotlib:
  large (300)     pandoc 11.7 s CPU / 11.7 s wall; malpl 28.0 s CPU (2.38×) / 21.4 s wall
                  (1.83×); the matplotlib malpl, interleaved: 61.6 s CPU (5.25×) / 33.3 s
                  wall (2.84×). 600 charts take 6.7 s CPU, drawn beside pandoc, which adds
                  ~0.7 s of wall; what is left is pandoc with malpl's filter and reference
                  document (~18 s CPU with no chart drawn) and rendering (2.8 s).
  shipped goals   unchanged (no charts): 0.41 s against 0.39 s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parent.parent
MALPL = [sys.executable, "-m", "malpl"]

# The malpl command in this process's child, reporting its own peak memory and the
# largest of its children's (pandoc's): VmHWM, and ru_maxrss of the reaped children.
_PEAKS = """
import re, resource, sys
from malpl import main
sys.argv[0] = "malpl"
try:
    main()
except SystemExit as done:
    code = done.code
with open("/proc/self/status") as status:
    own = int(re.search(r"VmHWM:\\s*(\\d+)", status.read())[1])
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"PEAKS {own} {children}", file=sys.stderr)
sys.exit(code)
"""


def run(args: list[str], cwd: Path = ROOT, cache: Path | None = None,
        source: Path | None = None) -> tuple[float, str]:
    """Wall time and the stderr of a command that must succeed; ``cache``: the cache
    folder it is given (None: a new, empty one); ``source``: another malpl to run."""
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "XDG_CACHE_HOME": str(cache or empty)}
        if source is not None:
            env["PYTHONPATH"] = str(source)
        return _run(args, cwd, env)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{stderr.decode()}")
    return wall, stderr.decode()


def timed(args: list[str], cache: Path | None = None,
          source: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (children's user + system, measured around the command)."""
    before = os.times()
    wall, _ = run(args, Path(tempfile.gettempdir()), cache, source)  # not ROOT: it is on
    # sys.path under `python -m`, and would win over ``source``
    after = os.times()
    return wall, (after.children_user - before.children_user
                  + after.children_system - before.children_system)


def pandoc_args(md: Path, out: Path) -> list[str]:
    from malpl.report.export import _pandoc_path

    return [_pandoc_path(), "--from", "markdown-smart", "--to", "docx",
            f"--resource-path={md.parent}", f"--output={out}", str(md)]


def markdown_as_files(root: Path, period: str, folder: Path, target: str) -> Path:
    """The Markdown malpl renders for ``target`` ("docx": what it gives pandoc; "md": the
    report a person reads on GitHub), with its pictures as files beside it."""
    from malpl.periods import parse_period
    from malpl.report import render_markdown_report
    from malpl.repository import load_repository

    repo = load_repository(root)
    report = render_markdown_report(repo, parse_period(period, repo.config.periods.scheme),
                                    image_dir="bilder", target=target)
    md = folder / f"{target}.md"
    md.write_text(report.markdown, encoding="utf-8")
    (folder / report.image_dir).mkdir(exist_ok=True)
    for image, data in report.images.items():
        (folder / report.image_dir / image).write_bytes(data)
    return md


def compare(name: str, root: Path, period: str, runs: int, *options: str,
            warm: bool = True, baseline: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        md = markdown_as_files(root, period, folder, "docx")
        github = markdown_as_files(root, period, folder, "md")
        report = [*MALPL, "-C", str(root), "report", period, "--format", "docx", *options,
                  "-o", str(folder / "m.docx")]
        jobs: dict[str, Callable[[], tuple[float, float]]] = {
            "pandoc alone": lambda: timed(pandoc_args(md, folder / "p.docx")),
            "pandoc, GitHub Markdown": lambda: timed(pandoc_args(github, folder / "g.docx")),
            "malpl report (cold cache)": lambda: timed(report),
        }
        if warm:
            cache = folder / "cache"
            run(report, cache=cache)
            jobs["malpl report (warm cache)"] = lambda: timed(report, cache)
        if baseline is not None:
            jobs["baseline malpl report"] = lambda: timed(report, source=baseline)
        figures: dict[str, list[tuple[float, float]]] = {label: [] for label in jobs}
        for _ in range(runs):
            for label, job in jobs.items():
                figures[label].append(job())
    base_wall, base_cpu = (statistics.median(f[i] for f in figures["pandoc alone"])
                           for i in (0, 1))
    for label, done in figures.items():
        wall, cpu = (statistics.median(f[i] for f in done) for i in (0, 1))
        print(f"  {name:<14} {label:<26} wall {wall:8.2f} s ({wall / base_wall:.2f}×)   "
              f"CPU {cpu:8.2f} s ({cpu / base_cpu:.2f}×)   [{runs} runs]")


def html_memory(root: Path, period: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.html"
        wall, stderr = run([sys.executable, "-c", _PEAKS, "-C", str(root), "report", period,
                               "--format", "html", "--date", "2025-12-31", "-o", str(out)])
        own, children = (int(v) for v in stderr.split("PEAKS ")[1].split()[:2])
        size = out.stat().st_size
    print(f"  HTML report: {size / 1e6:.1f} MB in {wall:.1f} s; peak memory: malpl "
          f"{own / 1024:.0f} MB, pandoc {children / 1024:.0f} MB "
          f"({children * 1024 / size:.1f}× the page)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs on the shipped goals")
    parser.add_argument("--large-runs", type=int, default=1, help="runs on the large one")
    parser.add_argument("--bodies", type=int, default=30, help="bodies of the large one")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--baseline", type=Path, help="source tree of another malpl to time")
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "malpl"), quiet=1)  # as pip does for an installed malpl
    print("Report (DOCX) against pandoc alone on the same Markdown and pictures:")
    compare("shipped goals", ROOT, "T1-2023", args.runs,  # dated by git, as a user's is
            baseline=args.baseline)
    if args.skip_large:
        return
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large"
        files = generate(large, bodies=args.bodies)
        print(f"Large repository: {files} goal files ({args.bodies} bodies), T3-2025:")
        compare("large", large, "T3-2025", args.large_runs, "--date", "2025-12-31",
                warm=False, baseline=args.baseline)
        html_memory(large, "T3-2025")


if __name__ == "__main__":
    main()
