"""What the benchmarks share: whole processes timed, variants interleaved so that drift in the
machine affects all alike, medians printed beside a baseline's as ratios, and the generated
1000-table schema with the databases the typegen and pull benchmarks read."""
from __future__ import annotations

import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
# Every process timed starts as an installed package does: from compiled bytecode (pip compiles
# at install, as it did for the baselines' packages; an editable install under
# PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run).
compileall.compile_dir(ROOT / "src", quiet=1)

from tickets_db import db  # noqa: E402
from tickets_db.loader import load  # noqa: E402
from tickets_db.localdb import Cluster  # noqa: E402
from tickets_db.planner import apply_catalog  # noqa: E402

EXE = str(ROOT / ".venv" / "bin" / "tickets-db")


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in ok:
        raise SystemExit(f"{cmd[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return time.perf_counter() - started


def medians(variants: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Each variant's median time: one warm-up round (page cache, server), then `runs` rounds."""
    for run in variants.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, run in variants.items():
            times[name].append(run())
    return {name: statistics.median(values) for name, values in times.items()}


def report(label: str, runs: int, found: dict[str, float], baseline: str, versus: str, target: Callable[[str], str | None]) -> None:
    """`target(name)` is what to print after a variant's ratio (" (target < 1)", ""), or None for
    no ratio; there are no ratios when the baseline was not run."""
    print(f"\n{label} (median of {runs}, whole processes)")
    width = max(len(name) for name in found) + 2
    for name, median in found.items():
        note = target(name) if baseline in found and name != baseline else None
        ratio = f"  ratio {median / found[baseline]:.2f}x vs {versus}{note}" if note is not None else ""
        print(f"  {name:{width}} {median * 1000:8.0f} ms{ratio}")


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

