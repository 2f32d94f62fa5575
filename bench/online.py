"""Online migrations under load: for each kind of change, the longest time a writer process
(bench/writer.py: an insert and an update, again and again) waits while `tickets-db migrate`
applies it to a table of 1,000,000 rows — as `new` writes it plainly, and online — and how long
the migrate takes. Also the writer's longest wait while nothing migrates (the floor any
measurement here stands on). Target: the online form's longest stall ≤ 1/100 of the plain
form's. Medians of --runs.

    .venv/bin/python bench/online.py [--runs 3] [--rows 1000000]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

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


def writer_during(url: str, work: float | list[str], env: dict[str, str], first_id: int = 2_000_000) -> tuple[float, float]:
    """(the writer's longest wait in ms, how long `work` took in s): `work` is a command, or
    seconds of doing nothing."""
    stop = Path(tempfile.mkdtemp()) / "stop"
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
    return json.loads(out)["longest_ms"], took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
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
        tool(base, "--db-url", cluster.url("big"), "migrate", env=env)
        with db.connection(cluster.url("big")) as conn:
            conn.execute("insert into app.owners select g from generate_series(1, 10) g")
            conn.execute("insert into app.items select g, 'item ' || g, 1 + g %% 10, repeat('n', 100) from generate_series(1, %s) g", (args.rows,))
            conn.execute("vacuum analyze app.items")
        with db.connection(cluster.superuser_url) as su:
            db.mark_template(su, "big")
        folders = {}
        for change, (columns, extra) in CHANGES.items():
            for online in (False, True):
                folder = work / f"{change}-{'online' if online else 'plain'}"
                shutil.copytree(base, folder)
                (folder / "schema" / "app.yaml").write_text(schema({**BEFORE, **columns}, extra, online))
                tool(folder, "--db-url", cluster.url("postgres"), "new", change, env=env)
                folders[change, online] = folder
        idle = []
        found: dict[tuple[str, bool], list[tuple[float, float]]] = {key: [] for key in folders}
        for run in range(args.runs):
            for (change, online), folder in folders.items():
                name = f"run_{run}_{change}_{int(online)}"
                with db.connection(cluster.superuser_url) as su:
                    db.create_database(su, name, template="big", owner="postgres")
                try:
                    found[change, online].append(writer_during(cluster.url(name), [EXE, "--project-dir", str(folder), "--db-url", cluster.url(name), "migrate"], env))
                    if not online:
                        idle.append(writer_during(cluster.url(name), 3.0, env, first_id=5_000_000)[0])
                finally:
                    with db.connection(cluster.superuser_url) as su:
                        db.drop_database(su, name)
        print(f"\nthe writer's longest wait while migrate runs, on {args.rows:,} rows (median of {args.runs}; lock_timeout 500ms)")
        print(f"  {'nothing migrating (the floor)':34} {statistics.median(idle):8.1f} ms")
        for change in CHANGES:
            plain, online = (statistics.median(s for s, _ in found[change, o]) for o in (False, True))
            plain_s, online_s = (statistics.median(t for _, t in found[change, o]) for o in (False, True))
            verdict = "meets" if online <= plain / 100 else "misses"
            print(f"  {change:20} plain {plain:8.1f} ms ({plain_s:5.1f} s)   online {online:6.1f} ms ({online_s:5.1f} s)"
                  f"   ratio 1/{plain / max(online, 0.1):.0f} ({verdict} ≤ 1/100)")
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
