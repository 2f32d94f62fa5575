"""Reset speed: `tickets-db reset` of the project against the baseline of rebuilding the same
database by hand — `dropdb`, `createdb` from the platform template, then `psql -f` of every
migration and seed file — on the same server, in the same run. Prints medians and the ratio
(target: within 1.0x of the baseline), and the start-up of commands that need no database
beside `python -c pass`.

Every run starts on a quiet server: work a run leaves to the server (a reset's next clone, the
baseline's checkpoint) is finished before the next run's clock starts, so no variant pays for
another's. `reset` is timed twice: as a developer runs it again and again (the clone its
previous run left ready), and cold (that clone removed first: the first reset after a change
of the migrations, or after `start`).

    .venv/bin/python bench/reset.py [--runs 9]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from common import EXE  # noqa: E402  (compiles src/ as an install does)
from tickets_db import db  # noqa: E402
from tickets_db.localdb import Cluster, find_bindir  # noqa: E402
from tickets_db.migrations import list_migrations  # noqa: E402
from tickets_db.seed import list_seeds  # noqa: E402

DB = "bench_reset"


def quiet(url: str) -> None:
    """Wait until no other session is at work on the server."""
    with db.connection(url) as conn:
        while conn.execute("select count(*) from pg_stat_activity where backend_type = 'client backend' and state <> 'idle' and pid <> pg_backend_pid()").fetchone()[0]:  # type: ignore[index]
            time.sleep(0.01)


def no_spare(url: str) -> None:
    with db.connection(url) as conn:
        for name in db.databases_like(conn, "tdb\\_spare\\_%"):
            db.drop_database(conn, name)


def timed(commands: list[list[str]], before: Callable[[], None] = lambda: None) -> float:
    before()
    started = time.perf_counter()
    for cmd in commands:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="tickets-db-bench-")))
    cluster.start()
    try:
        bindir = find_bindir()
        port = str(cluster.port)
        conn = ["-h", "127.0.0.1", "-p", port, "-U", "postgres"]
        template = cluster.ensure_platform_template()
        files = [m.path for m in list_migrations(ROOT / "migrations")] + [s.path for s in list_seeds(ROOT / "seeds")]
        baseline = [
            [str(bindir / "dropdb"), *conn, "--if-exists", "--force", DB],
            [str(bindir / "createdb"), *conn, "-T", template, DB],
            *[[str(bindir / "psql"), *conn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DB, "-f", str(f)] for f in files],
        ]
        exe = EXE
        admin = cluster.url("template1")
        # The local-database path: a project whose embedded cluster is this one, database DB.
        local_project = Path(tempfile.mkdtemp(prefix="tickets-db-bench-project-"))
        for name in ("schema", "migrations", "seeds"):
            shutil.copytree(ROOT / name, local_project / name)
        (local_project / "tickets-db.toml").write_text(f'local_dir = "{cluster.directory}"\ndatabase = "{DB}"\n')
        local = [[exe, "--project-dir", str(local_project), "reset"]]
        variants: dict[str, tuple[list[list[str]], Callable[[], None]]] = {
            "baseline": (baseline, lambda: quiet(admin)),
            "tickets-db reset (local database)": (local, lambda: quiet(admin)),
            "tickets-db reset, cold (no clone ready)": (local, lambda: (quiet(admin), no_spare(admin), quiet(admin))[0]),
            "tickets-db --db-url URL reset --yes": ([[exe, "--project-dir", str(ROOT), "--db-url", cluster.url(DB), "reset", "--yes"]], lambda: quiet(admin)),
        }
        for commands, before in variants.values():
            timed(commands, before)  # the first run builds the migrated template, as the first reset of a day does
        times: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(args.runs):  # interleaved, so drift in the machine affects all alike
            for name, (commands, before) in variants.items():
                times[name].append(timed(commands, before))
        b = statistics.median(times["baseline"])
        print(f"files: {len(files)} ({', '.join(f.name for f in files)}); runs: {args.runs}; every figure is a whole process tree")
        print(f"{'baseline: dropdb + createdb + psql -f x' + str(len(files)):42} median {b * 1000:7.1f} ms  (min {min(times['baseline']) * 1000:.1f})")
        for name in list(variants)[1:]:
            o = statistics.median(times[name])
            print(f"{name:42} median {o * 1000:7.1f} ms  (min {min(times[name]) * 1000:.1f})  ratio {o / b:.2f}x (target <= 1.00x)")
        # Start-up: commands that need no database, beside the interpreter starting with nothing to do.
        starts = {"python -c pass": [[sys.executable, "-c", "pass"]], "tickets-db --help": [[exe, "--help"]],
                  "tickets-db lint (the project)": [[exe, "--project-dir", str(ROOT), "lint"]]}
        for commands in starts.values():
            timed(commands)
        started = {name: statistics.median(timed(commands) for _ in range(args.runs)) for name, commands in starts.items()}
        print("start-up (median):")
        for name, took in started.items():
            print(f"  {name:40} {took * 1000:7.1f} ms" + (f"  (+{(took - started['python -c pass']) * 1000:.0f} ms over python)" if name != "python -c pass" else ""))
        shutil.rmtree(local_project, ignore_errors=True)
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
