"""The report against pandoc alone, and the HTML report's peak memory. Prints, asserts nothing.

    python bench/report.py                 # shipped goals and the large repository
    python bench/report.py --bodies 5      # a smaller "large" repository, for a quick look
    python bench/report.py --skip-large
    python bench/report.py --bodies 10 --skip-html   # 300 goals, no HTML memory
    python bench/report.py --baseline /tmp/old   # also an older malpl, unpacked there by
                                                 # git archive REV | tar -x -C /tmp/old
    (the shipped goals are this checkout, whose templates/ an older malpl also reads: one
    from before the template's {{ br }} and {{ par }} cannot render them)

Runs are interleaved (pandoc, malpl, pandoc, malpl …) so the load of a shared machine
falls on both alike; each figure is the median, in wall time and in CPU time (user +
system of the process and everything it waited for: git, pandoc, chart workers).
"pandoc alone" converts the very Markdown malpl gives pandoc for a DOCX, with its pictures
as files; "pandoc, GitHub Markdown" the report's Markdown as GitHub shows it, which is what
a person would convert without malpl (its <br> in table cells cost pandoc more than the
Word breaks malpl writes for a DOCX).
malpl keeps one cache, of compiled templates (in $XDG_CACHE_HOME/malpl): "cold" runs
each start from an empty one and are the headline; "warm" runs reuse a filled one.

Measured 2026-11-28 on a 2-core virtual machine shared with other work (wall times vary
by ±15 % from run to run, and the ratios with them; a second busy core slows pandoc's
wall time by up to 40 % here, while its CPU time stays the same):
  shipped goals   pandoc alone 0.13-0.15 s; malpl 0.27-0.33 s. With the compiled template
                  in the cache (every run after the first) 2.0-2.15x, the first run, which
                  compiles it (~30 ms), 2.2-2.3x (medians of 9-15 runs; 2.4x at the start
                  of the day). Python's start-up and the imports of PyYAML, msgspec and
                  Jinja take ~0.10 s of the ~0.13 s malpl spends besides pandoc; loading,
                  checking, rendering and finishing the DOCX take ~25 ms, and git finds the
                  report's date meanwhile. At exit the objects are frozen out of the
                  collector's last passes (they took ~30 ms).
  large (900)     pandoc alone 43.8 s (GitHub Markdown: 50.3 s); malpl 56.4 s: 1.29x the
                  Markdown malpl gives pandoc, 1.12x the report's GitHub Markdown (medians
                  of 3 runs; single runs 1.23-1.58x, as the charts drawn on the other core
                  slow pandoc down more or less); CPU 75 s: 1 800 charts at ~11 ms, drawn
                  beside pandoc. 1.39x at the start of the day: since then a goal file's scan
                  for invisible characters uses the fast pattern (loading 3.4 s to 2.3 s) and
                  the drawn charts go into the DOCX as they are, not deflated again (1.4 s).
  2026-12-06, the same machine under heavy load (other test suites and browsers running),
  300 goals (--bodies 10, 600 charts), medians of 3 interleaved runs, against the commit
  before: charts drawn once at print size instead of at twice the size and halved
  (~6.6 ms of CPU a chart instead of ~11.5):
                  pandoc alone CPU 13.8 s; malpl CPU 23.8 s (1.73x; before 27.5 s, 2.00x);
                  wall 2.16x (before 2.47x; pandoc's wall time is the load's). Of malpl's
                  own ~9 s: charts 4.2 s (deflate 1.7 s, text 1.0 s), loading 1.5 s,
                  the context and template 2.4 s. The issue's 1.3x is not reached.
  HTML (900)      18.9 MB page; peak malpl 277 MB, pandoc 4.2 GB (~230x the page): memory
                  follows the document, not its pictures (inline SVG).
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
    parser.add_argument("--large-runs", type=int, default=3, help="runs on the large one")
    parser.add_argument("--bodies", type=int, default=30, help="bodies of the large one")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-html", action="store_true",
                        help="no HTML report's peak memory (pandoc takes GBs on the large one)")
    parser.add_argument("--baseline", type=Path, help="source tree of another malpl to time")
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "malpl"), quiet=1, force=True)  # as pip does for an installed malpl
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
        if not args.skip_html:
            html_memory(large, "T3-2025")


if __name__ == "__main__":
    main()
