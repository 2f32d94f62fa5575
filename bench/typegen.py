"""Typegen speed: `tickets-db typegen` (from the YAML, and `--from-db`) against sqlacodegen's
dataclasses generator reading the same database, on the project and on a generated 1000-table
schema. Whole processes, interleaved, medians; prints the ratios (target: faster than
sqlacodegen, i.e. a ratio below 1). sqlacodegen is a bench-only dependency: `make bench`
installs it; without it only tickets-db's own times are printed.

    .venv/bin/python bench/typegen.py [--runs 5] [--tables 1000]
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from common import EXE, ROOT, databases, medians, report, timed

SQLACODEGEN = shutil.which("sqlacodegen", path=str(ROOT / ".venv" / "bin")) or shutil.which("sqlacodegen")


def measure(label: str, project: Path, url: str, schemas: str, runs: int, out: Path) -> None:
    variants = {
        "tickets-db typegen (from the YAML)": [EXE, "--project-dir", str(project), "typegen", "-o", str(out / "a.py")],
        "tickets-db typegen --from-db": [EXE, "--project-dir", str(project), "--db-url", url, "typegen", "--from-db", "-o", str(out / "b.py")],
    }
    if SQLACODEGEN:
        sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        variants["sqlacodegen --generator dataclasses"] = [SQLACODEGEN, "--generator", "dataclasses", "--schemas", schemas, "--outfile", str(out / "c.py"), sa_url]
    found = medians({name: (lambda cmd=cmd: timed(cmd)) for name, cmd in variants.items()}, runs)
    report(label, runs, found, "sqlacodegen --generator dataclasses", "sqlacodegen", lambda name: " (target < 1)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tables", type=int, default=1000)
    args = parser.parse_args()
    if not SQLACODEGEN:
        print("sqlacodegen is not installed (`make bench` installs it): printing tickets-db's times only")
    with databases("typegen", args.tables) as (work, project_url, big_url):
        big = work / "big"
        (big / "tickets-db.toml").write_text('typegen_output = "models.py"\n')
        measure("the project (15 tables, 2 views, 10 enums, 22 functions)", ROOT, project_url, "public,kit", args.runs, work)
        measure(f"a generated {args.tables}-table schema", big, big_url, "app", args.runs, work)

if __name__ == "__main__":
    main()
