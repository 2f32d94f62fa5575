"""Pull speed: `tickets-db pull` (the database → YAML files) against `pg_dump --schema-only` of
the same database, on the project and on a generated 1000-table schema. Whole processes,
interleaved, medians; prints the ratio (target: within 3x of pg_dump).

    .venv/bin/python bench/pull.py [--runs 5] [--tables 1000]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from tickets_db.localdb import find_bindir  # noqa: E402
from typegen import EXE, databases, timed  # noqa: E402


def measure(label: str, url: str, runs: int, work: Path) -> None:
    project = work / "adopter"
    project.mkdir(exist_ok=True)
    (project / "tickets-db.toml").write_text('schema = "schema"\n')
    variants = {
        "tickets-db pull": [EXE, "--project-dir", str(project), "pull", "--db-url", url],
        "pg_dump --schema-only": [str(find_bindir() / "pg_dump"), "--schema-only", "-f", str(work / "dump.sql"), "-d", url],
    }
    for cmd in variants.values():
        timed(cmd)  # warm the page cache and the server
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(runs):
        for name, cmd in variants.items():
            times[name].append(timed(cmd))
    base = statistics.median(times["pg_dump --schema-only"])
    print(f"\n{label} (median of {runs}, whole processes)")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f"  ratio {median / base:.2f}x vs pg_dump (target <= 3)" if name != "pg_dump --schema-only" else ""
        print(f"  {name:24} {median * 1000:8.0f} ms{ratio}")


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
