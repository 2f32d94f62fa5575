"""Pull speed: `tickets-db pull` (the database → YAML files) against `pg_dump --schema-only` of
the same database, on the project and on a generated 1000-table schema. Whole processes,
interleaved, medians; prints the ratio (target: within 3x of pg_dump).

    .venv/bin/python bench/pull.py [--runs 5] [--tables 1000]
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from common import EXE, databases, medians, report, timed
from tickets_db.localdb import find_bindir


def measure(label: str, url: str, runs: int, work: Path) -> None:
    project = work / "adopter"
    project.mkdir(exist_ok=True)
    (project / "tickets-db.toml").write_text('schema = "schema"\n')
    variants = {
        "tickets-db pull": [EXE, "--project-dir", str(project), "pull", "--db-url", url],
        "pg_dump --schema-only": [str(find_bindir() / "pg_dump"), "--schema-only", "-f", str(work / "dump.sql"), "-d", url],
    }
    found = medians({name: (lambda cmd=cmd: timed(cmd)) for name, cmd in variants.items()}, runs)
    report(label, runs, found, "pg_dump --schema-only", "pg_dump", lambda name: " (target <= 3)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tables", type=int, default=1000)
    args = parser.parse_args()
    with databases("pull", args.tables) as (work, project_url, big_url):
        measure("the project (15 tables, 2 views, 10 enums, 40 functions)", project_url, args.runs, work)
        shutil.rmtree(work / "adopter")
        measure(f"a generated {args.tables}-table schema", big_url, args.runs, work)

if __name__ == "__main__":
    main()
