"""Diff speed: `tickets-db new` (whole process: build what the YAML asks for in a shadow
database, introspect it and the migrated template, diff, render, write) on the project and on
a generated 1000-table schema, each after one edit; beside `migra` computing the same
difference between the migrated database and one built from the edited YAML. Medians of
several runs; prints the ratios (target: faster than migra in every row). On the project,
`diff` too: the live database read, the YAML built on the local cluster, the plan proven there
(after one edit, and with nothing remembered).
`new` builds only what changed since the state the migrations were last seen to build (what a
previous `new` or `check` remembered); the first run after a clone builds the whole YAML, and
is timed too ("nothing remembered").
migra runs from its own virtualenv (it needs SQLAlchemy 1.x): `make bench` creates it.

    .venv/bin/python bench/diff.py [--runs 5] [--tables 1000]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import EXE, ROOT, big_schema, medians, report, timed
from tickets_db import db
from tickets_db.loader import load
from tickets_db.localdb import Cluster
from tickets_db.migrations import write_sum
from tickets_db.planner import apply_catalog

MIGRA = ROOT / ".venv-migra" / "bin" / "migra"


def project_dir(work: Path, name: str, schema_files: dict[str, str]) -> Path:
    p = work / name
    (p / "schema").mkdir(parents=True)
    (p / "tickets-db.toml").write_text("")
    for rel, text in schema_files.items():
        (p / "schema" / rel).parent.mkdir(parents=True, exist_ok=True)
        (p / "schema" / rel).write_text(text)
    (p / "migrations").mkdir()
    return p


def measure(label: str, project: Path, url: str, edit: tuple[Path, str, str], cluster: Cluster, runs: int, live_diff: bool = False) -> None:
    env_url = ["--project-dir", str(project), "--db-url", url]
    # the migrations as they are, and the migrated template they build (untimed, as on any warm day)
    subprocess.run([EXE, *env_url, "new", "init"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([EXE, *env_url, "reset", "--yes", "--no-seed"], check=True, stdout=subprocess.DEVNULL)
    path, old, new = edit
    path.write_text(path.read_text().replace(old, new, 1))
    desired = f"bench_desired_{project.name}"
    with db.connection(cluster.url("postgres")) as conn:
        db.drop_database(conn, desired)
        db.create_database(conn, desired, template=cluster.ensure_platform_template())
    with db.connection(cluster.url(desired)) as conn:
        apply_catalog(conn, load(project / "schema", project))

    def new_once(cold: bool = False) -> float:
        if cold:  # as on the first `new` after a clone: nothing remembered, the whole YAML built
            shutil.rmtree(project / ".tickets-db" / "cache", ignore_errors=True)
        elapsed = timed([EXE, *env_url, "new", "edit"])
        for f in (project / "migrations").glob("*_edit.sql"):
            f.unlink()
        write_sum(project / "migrations")
        return elapsed

    # `new init` remembered what its migration builds; a cold run below forgets it again, so
    # re-learn it (what any `new` or `check` that finds no change does) before each warm run.
    def learn() -> None:
        path.write_text(path.read_text().replace(new, old, 1))
        subprocess.run([EXE, *env_url, "check"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path.write_text(path.read_text().replace(old, new, 1))

    def warm() -> float:
        learn()
        return new_once()

    def diff_once(cold: bool = False) -> float:
        if cold:
            shutil.rmtree(project / ".tickets-db" / "cache", ignore_errors=True)
        else:
            learn()
        return timed([EXE, *env_url, "diff"], ok=(0, 1))

    variants = {"tickets-db new (after one edit)": warm, "tickets-db new, nothing remembered": lambda: new_once(cold=True)}
    if live_diff:  # the live database against the YAML: read it, build the YAML, prove the plan
        variants["tickets-db diff (after one edit)"] = diff_once
        variants["tickets-db diff, nothing remembered"] = lambda: diff_once(cold=True)
    if MIGRA.exists():
        cmd = [str(MIGRA), "--unsafe", "--with-privileges", url, cluster.url(desired)]
        variants["migra (the same two databases)"] = lambda: timed(cmd, ok=(0, 2))
    found = medians(variants, runs)
    # The target (issue 10) is for a team at work: after one edit. The first run after a clone
    # (nothing remembered, as in CI) is printed beside it, for what it is.
    report(label, runs, found, "migra (the same two databases)", "migra",
           lambda name: None if not name.startswith("tickets-db") else "" if "nothing remembered" in name else " (target < 1)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tables", type=int, default=1000)
    args = parser.parse_args()
    if not MIGRA.exists():
        print("migra is not installed in .venv-migra (`make bench` installs it): printing tickets-db's times only")
    work = Path(tempfile.mkdtemp(prefix="tickets-db-bench-diff-"))
    cluster = Cluster(work / "cluster")
    cluster.start()
    try:
        schema = {str(p.relative_to(ROOT / "schema")): p.read_text() for p in (ROOT / "schema").rglob("*.yaml")}
        project = project_dir(work, "project", schema)
        support = project / "schema" / "tickets" / "support.yaml"
        measure("the project, adding a column", project, cluster.url("bench_project"), (support, "      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: integer\n"), cluster, args.runs, live_diff=True)
        big = project_dir(work, "big", {"app.yaml": big_schema(args.tables)})
        half = args.tables // 2
        measure(f"a generated {args.tables}-table schema, adding a column", big, cluster.url("bench_big"),
                (big / "schema" / "app.yaml", f"  app.items_{half}:\n    columns:\n", f"  app.items_{half}:\n    columns:\n      extra: integer\n"), cluster, args.runs)
    finally:
        for p in (work / "project", work / "big"):  # `diff` starts each project's local cluster for its shadow work
            if p.is_dir():
                subprocess.run([EXE, "--project-dir", str(p), "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
