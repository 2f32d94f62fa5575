"""Online migrations under load: for each kind of change, the longest time a writer process
(bench/writer.py: an insert and an update, again and again) waits while `tickets-db migrate`
applies it to a table of 1,000,000 rows — as `new` writes it plainly, and online — and how long
the migrate takes. The wait is read three ways: the gap between two of its writes (the whole
wait as the application sees it, machine jitter included: its floor is measured while nothing
migrates), its longest statement as the server timed it (`log_min_duration_statement`), and its
longest lock wait as the server logs it (`log_lock_waits`, `deadlock_timeout` 1 ms). Target: the
online form's longest stall ≤ 1/100 of the plain form's. Medians of --runs.

    .venv/bin/python bench/online.py [--runs 3] [--rows 1000000]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from psycopg import sql  # noqa: E402

from tickets_db import db  # noqa: E402
from tickets_db.localdb import Cluster  # noqa: E402
from tests.e2e.test_online import BEFORE, CHANGES, schema  # noqa: E402  (one definition of the cases)

EXE = str(ROOT / ".venv" / "bin" / "tickets-db")
WRITER = ROOT / "bench" / "writer.py"


def tool(folder: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([EXE, "--project-dir", str(folder), *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"tickets-db {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


LOCK_WAIT = re.compile(r"process (\d+) acquired \S+ on .* after ([0-9.]+) ms")
DURATION = re.compile(r"\[(\d+)\] LOG:  duration: ([0-9.]+) ms")


@dataclass(frozen=True)
class Waits:
    gap_ms: float  # the writer's longest time between two writes: all it waited (locks, the machine's scheduling and disk)
    took_s: float  # how long the work took
    statement_ms: float  # its longest statement (a parse, bind or execute) as the server timed it: locks and the server's work
    lock_ms: float  # its longest wait for a lock the server logged (waits under deadlock_timeout, 1 ms, are not logged)


def writer_during(url: str, work: float | list[str], env: dict[str, str], log: Path, first_id: int = 2_000_000) -> Waits:
    """The writer's waits while `work` runs (a command, or seconds of doing nothing). The server
    logs every statement's duration (log_min_duration_statement 0 in the measured database) and
    every lock wait over deadlock_timeout, so what blocked the writer is read apart from the
    machine's jitter, which the gap between two writes also holds."""
    stop = Path(tempfile.mkdtemp()) / "stop"
    offset = log.stat().st_size
    writer = subprocess.Popen([sys.executable, str(WRITER), url, str(stop), str(first_id)], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    started = time.perf_counter()
    if isinstance(work, float):
        time.sleep(work)
    else:
        subprocess.run(work, check=True, capture_output=True, env=env)
    took = time.perf_counter() - started
    time.sleep(0.2)
    stop.touch()
    out, _ = writer.communicate(timeout=120)
    result = json.loads(out)
    with log.open() as fh:
        fh.seek(offset)
        text = fh.read()
    mine = result["pid"]
    statements = [float(m[2]) for m in DURATION.finditer(text) if int(m[1]) == mine]
    waits = [float(m[2]) for m in LOCK_WAIT.finditer(text) if int(m[1]) == mine]
    return Waits(result["longest_ms"], took, max(statements, default=0.0), max(waits, default=0.0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kinds", nargs="*", choices=list(CHANGES), default=list(CHANGES), help="only these changes")
    args = parser.parse_args()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="tickets-db-bench-")))
    cluster.start()
    env = dict(os.environ, TICKETS_DB_SHADOW_URL=cluster.url("postgres"))
    env.pop("DATABASE_URL", None)
    work = Path(tempfile.mkdtemp(prefix="tickets-db-bench-online-"))
    try:
        base = work / "base"
        (base / "schema").mkdir(parents=True)
        (base / "schema" / "app.yaml").write_text(schema(BEFORE))
        (base / "tickets-db.toml").write_text('typegen_output = "models.py"\nlock_timeout = "500ms"\n')
        tool(base, "--db-url", cluster.url("postgres"), "new", "init", env=env)
        with db.connection(cluster.superuser_url) as su:
            db.create_database(su, "big", template=cluster.ensure_platform_template(), owner="postgres")
            su.execute("alter system set log_lock_waits = on")
            su.execute("alter system set deadlock_timeout = '1ms'")
            su.execute("select pg_reload_conf()")
        tool(base, "--db-url", cluster.url("big"), "migrate", env=env)
        with db.connection(cluster.url("big")) as conn:
            conn.execute("insert into app.owners select g from generate_series(1, 10) g")
            conn.execute("insert into app.items select g, 'item ' || g, 1 + g %% 10, repeat('n', 100) from generate_series(1, %s) g", (args.rows,))
            conn.execute("vacuum analyze app.items")
        with db.connection(cluster.superuser_url) as su:
            db.mark_template(su, "big")
        folders = {}
        for change, (columns, extra) in CHANGES.items():
            if change not in args.kinds:
                continue
            for online in (False, True):
                folder = work / f"{change}-{'online' if online else 'plain'}"
                shutil.copytree(base, folder)
                (folder / "schema" / "app.yaml").write_text(schema({**BEFORE, **columns}, extra, online))
                tool(folder, "--db-url", cluster.url("postgres"), "new", change, env=env)
                folders[change, online] = folder
        idle = []
        found: dict[tuple[str, bool], list[Waits]] = {key: [] for key in folders}
        for run in range(args.runs):
            for (change, online), folder in folders.items():
                name = f"run_{run}_{change}_{int(online)}"
                with db.connection(cluster.superuser_url) as su:
                    db.create_database(su, name, template="big", owner="postgres")
                    su.execute(sql.SQL("alter database {} set log_min_duration_statement = 0").format(sql.Identifier(name)))
                try:
                    found[change, online].append(writer_during(cluster.url(name), [EXE, "--project-dir", str(folder), "--db-url", cluster.url(name), "migrate"], env, cluster.log))
                    if not online:
                        idle.append(writer_during(cluster.url(name), 3.0, env, cluster.log, first_id=5_000_000))
                finally:
                    with db.connection(cluster.superuser_url) as su:
                        db.drop_database(su, name)
        def median(waits: list[Waits], field: str) -> float:
            return float(statistics.median(getattr(w, field) for w in waits))

        def ratio(plain: float, online: float, resolution: float = 0.0) -> str:
            if online < resolution:  # not logged: under the resolution, so at most this
                bound = plain / resolution
                return f"under 1/{bound:.0f} ({'meets' if bound >= 100 else 'below what the log resolves:'} ≤ 1/100)"
            return f"1/{plain / max(online, 0.01):.0f} ({'meets' if online <= plain / 100 else 'misses'} ≤ 1/100)"

        print(f"\nthe writer's longest waits while migrate runs, on {args.rows:,} rows (medians of {args.runs}; lock_timeout 500ms):")
        print("  gap: between two of its writes (all it waited: locks, and the machine's scheduling and disk);")
        print("  statement: its longest statement as the server timed it (locks and the server's work);")
        print("  lock: its longest lock wait the server logged (none: every wait under 1 ms, counted as 1 ms)")
        print(f"  {'nothing migrating (the floors)':20} gap {median(idle, 'gap_ms'):.1f} ms, statement {median(idle, 'statement_ms'):.2f} ms")
        for change in args.kinds:
            plain_waits, online_waits = found[change, False], found[change, True]
            print(f"  {change:20} migrate plain {median(plain_waits, 'took_s'):4.1f} s, online {median(online_waits, 'took_s'):4.1f} s")
            for field, label, resolution in (("gap_ms", "gap", 0.0), ("statement_ms", "statement", 0.0), ("lock_ms", "lock", 1.0)):
                p, o = median(plain_waits, field), median(online_waits, field)
                shown = f"{o:7.2f} ms" if o or not resolution else "   none   "
                print(f"  {'':20} {label:9} plain {p:8.1f} ms  online {shown}  ratio {ratio(p, o, resolution)}")
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
