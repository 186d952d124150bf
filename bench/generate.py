"""Generate a large goals repository for benchmarks (think Göteborg).

30 bodies × 30 goals × 5 targets × 9 periods (T1-2023 … T3-2025), each
follow-up with a three-paragraph comment, and two measures per goal.
Usage: python bench/generate.py OUT_DIR [--bodies 30 --goals 30 ...]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = ("kommunen arbetet målet elever verksamheten insatser under året har genomförts "
         "dialog med civilsamhället kvalitet trygghet utveckling samverkan Ånge Göteborg "
         "förbättring medborgare näringslivet och i på för att som är en ett av till").split()
SCALE = ("uppfyllt", "delvis_uppfyllt", "ej_paborjat", "ej_uppfyllt")


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def goal_file(rng: random.Random, body: int, goal: int, targets: int, periods: list[str]) -> str:
    gid = f"{body}.{goal}"
    out = ["# yaml-language-server: $schema=../../schema/goal.schema.json",
           f'id: "{gid}"', "level: utvecklingsmal", f"responsible: Förvaltning {body}",
           f"title: {sentence(rng, 14)}", "targets:"]
    for t in range(1, targets + 1):
        out += [f'  - id: "{gid}.{t}"', f"    text: {sentence(rng, 16)}",
                f"    responsible: Enhet {t}", "    followups:"]
        for period in periods:
            out += [f"      {period}:", f"        assessment: {rng.choice(SCALE)}",
                    f"        forecast: {rng.choice(SCALE)}", "        ready: true",
                    "        comment: |"]
            out += ["          " + " ".join(sentence(rng, 12) for _ in range(3)) for _ in range(3)]
    out.append("measures:")
    for m in (1, 2):
        out += [f'  - id: "{gid}.m{m}"', f"    name: {sentence(rng, 8)}", '    unit: "%"',
                "    direction: higher", "    values:"]
        out += [f"      {year}: {rng.uniform(50, 95):.1f}" for year in range(2015, 2025)]
        out += ["    references:", "      riket:", "        label: Riket", "        values:"]
        out += [f"          {year}: {rng.uniform(60, 90):.1f}" for year in range(2015, 2025)]
    return "\n".join(out) + "\n"


def generate(root: Path, bodies: int = 30, goals: int = 30, targets: int = 5,
             years: int = 3, seed: int = 1) -> int:
    rng = random.Random(seed)
    periods = [f"T{t}-{2023 + y}" for y in range(years) for t in (1, 2, 3)]
    (root / "goals").mkdir(parents=True, exist_ok=True)
    (root / "malpl.yaml").write_text("organisation:\n  name: Göteborgs Stad\n")
    count = 0
    for body in range(1, bodies + 1):
        folder = root / "goals" / f"namnd-{body:02d}"
        folder.mkdir(exist_ok=True)
        for goal in range(1, goals + 1):
            (folder / f"{body}.{goal}.yaml").write_text(
                goal_file(rng, body, goal, targets, periods), encoding="utf-8")
            count += 1
    return count


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--bodies", type=int, default=30)
    parser.add_argument("--goals", type=int, default=30)
    parser.add_argument("--targets", type=int, default=5)
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args()
    n = generate(args.out, args.bodies, args.goals, args.targets, args.years)
    print(f"wrote {n} goal files to {args.out}")
