"""Benchmarks: print figures, assert nothing (the machines are shared and noisy).

    python bench/run.py            # check + start-up
    python bench/run.py --report   # also the report against pandoc alone

Each figure is the median of several runs; the minimum is shown too.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parent.parent
MALPL = [sys.executable, "-m", "malpl"]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--report", action="store_true", help="also time malpl report")
    parser.add_argument("--report-runs", type=int, default=1,
                        help="runs of the report timings (the large one takes minutes)")
    args = parser.parse_args()
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

        print("Start-up and the shipped goals (Ånge, 15 goals):")
        python = timed(command(sys.executable, "-c", "pass"), args.runs * 2)
        show("python -c pass", python)
        show("python -c 'import yaml'", timed(command(sys.executable, "-c", "import yaml"),
                                              args.runs * 2), python)
        show("malpl --help", timed(command(*MALPL, "--help"), args.runs * 2), python)
        show("malpl check (shipped goals)", timed(command(*MALPL, "check"), args.runs * 2),
             python)
        if args.report:
            report_figures(large, args.report_runs)


def report_figures(large: Path, runs: int) -> None:
    import pypandoc

    from malpl.periods import parse_period
    from malpl.report import render_markdown_report
    from malpl.repository import load_repository

    print("Report (DOCX) against pandoc alone on the same Markdown:")
    for name, root, period in (("shipped goals", ROOT, "T1-2023"), ("large", large, "T3-2025")):
        with tempfile.TemporaryDirectory() as tmp:
            md = Path(tmp) / "r.md"
            report = render_markdown_report(load_repository(root), parse_period(period, "tertial"),
                                            image_dir="bilder")
            md.write_text(report.markdown, encoding="utf-8")
            (Path(tmp) / report.image_dir).mkdir()
            for image, data in report.images.items():  # the same images, for a fair baseline
                (Path(tmp) / report.image_dir / image).write_bytes(data)
            pandoc = timed(lambda md=md, tmp=tmp: pypandoc.convert_file(
                str(md), "docx", outputfile=str(Path(tmp) / "p.docx"),
                extra_args=[f"--resource-path={tmp}"]), runs)
            show(f"pandoc md → docx ({name})", pandoc)
            show(f"malpl report --format docx ({name})", timed(command(
                *MALPL, "-C", str(root), "report", period, "--format", "docx", "-o",
                str(Path(tmp) / "m.docx")), runs), pandoc)


if __name__ == "__main__":
    main()
