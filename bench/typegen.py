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
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tickets_db import db  # noqa: E402
from tickets_db.loader import load  # noqa: E402
from tickets_db.localdb import Cluster  # noqa: E402
from tickets_db.planner import apply_catalog  # noqa: E402

EXE = str(ROOT / ".venv" / "bin" / "tickets-db")
SQLACODEGEN = shutil.which("sqlacodegen", path=str(ROOT / ".venv" / "bin")) or shutil.which("sqlacodegen")


def big_schema(tables: int) -> str:
    """A schema in the project's style: uuid keys, enums, numeric, arrays, foreign keys, views."""
    lines = ["schemas:", "  public: {external: true}", "  app: {}", "enums:", "  app.state: {values: [new, active, archived]}", "tables:"]
    for i in range(tables):
        lines += [
            f"  app.items_{i}:",
            "    columns:",
            "      id: {type: uuid, primary_key: true, default: gen_random_uuid()}",
            "      name: {type: varchar(100), not_null: true}",
            "      note: text",
            '      amount: "numeric(12,2)"',
            "      qty: {type: integer, not_null: true, default: \"0\"}",
            "      state: {type: app.state, not_null: true, default: \"'new'\"}",
            '      tags: "text[]"',
            "      created_at: {type: timestamptz, not_null: true, default: now()}",
        ]
        if i:
            lines.append(f"      parent_id: {{type: uuid, references: app.items_{i - 1}(id), on_delete: set null}}")
    lines.append("views:")
    for i in range(0, tables, max(tables // 10, 1)):
        lines += [f"  app.items_{i}_named:", f"    query: select id, name, qty from app.items_{i} where state <> 'archived'"]
    return "\n".join(lines) + "\n"


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(label: str, project: Path, url: str, schemas: str, runs: int, out: Path) -> None:
    variants = {
        "tickets-db typegen (from the YAML)": [EXE, "--project-dir", str(project), "typegen", "-o", str(out / "a.py")],
        "tickets-db typegen --from-db": [EXE, "--project-dir", str(project), "--db-url", url, "typegen", "--from-db", "-o", str(out / "b.py")],
    }
    if SQLACODEGEN:
        sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        variants["sqlacodegen --generator dataclasses"] = [SQLACODEGEN, "--generator", "dataclasses", "--schemas", schemas, "--outfile", str(out / "c.py"), sa_url]
    for cmd in variants.values():
        timed(cmd)  # warm the page cache and the server
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(runs):
        for name, cmd in variants.items():
            times[name].append(timed(cmd))
    base = statistics.median(times["sqlacodegen --generator dataclasses"]) if SQLACODEGEN else None
    print(f"\n{label} (median of {runs}, whole processes)")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f"  ratio {median / base:.2f}x vs sqlacodegen (target < 1)" if base and not name.startswith("sqlacodegen") else ""
        print(f"  {name:38} {median * 1000:8.0f} ms{ratio}")


@contextmanager
def databases(bench: str, tables: int) -> Iterator[tuple[Path, str, str]]:
    """A scratch cluster with the project migrated (bench_project) and a generated schema of
    `tables` tables (bench_big, its YAML in WORK/big/schema); removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix=f"tickets-db-bench-{bench}-"))
    cluster = Cluster(work / "cluster")
    cluster.start()
    try:
        with db.connection(cluster.url("postgres")) as conn:
            for name in ("bench_project", "bench_big"):
                db.create_database(conn, name, template=cluster.ensure_platform_template())
        project_url, big_url = cluster.url("bench_project"), cluster.url("bench_big")
        subprocess.run([EXE, "--project-dir", str(ROOT), "--db-url", project_url, "migrate"], check=True, stdout=subprocess.DEVNULL)
        big = work / "big"
        (big / "schema").mkdir(parents=True)
        (big / "schema" / "app.yaml").write_text(big_schema(tables))
        started = time.perf_counter()
        with db.connection(big_url) as conn:
            apply_catalog(conn, load(big / "schema", big))
        print(f"built the {tables}-table database in {time.perf_counter() - started:.1f} s")
        yield work, project_url, big_url
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


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
