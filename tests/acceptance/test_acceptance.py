"""The acceptance corpus: one folder per case, `before.sql` and `after.sql` (and an optional
`case.toml`), run as a team adopting the tool would: build both databases, `pull` the
after-state into YAML, then

- `diff` the before-state database against that YAML, apply the SQL as the runner runs a
  migration, and compare `pg_dump --schema-only` of the result with the after-state; a second
  `diff` finds nothing;
- the same through `new`: a migrations folder holding before.sql, `new` writes the change, a fresh
  database built from the folder dumps equal to the after-state, a second `new` finds nothing.

case.toml keys: `allow_data_loss = true` (the change drops tables or columns); `superuser = true`
(the objects only a superuser may create, such as event triggers: every database of the case,
shadows included, is used as the cluster's superuser); `xfail = "why"` (a known defect, strict:
the case must start passing when it is mended, and then the line goes).
Adding a case is adding a folder."""
from __future__ import annotations

import tomllib
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from tickets_db import db
from tickets_db.config import load_project
from tickets_db.migrations import list_migrations
from tickets_db.planner import live_diff, new_migration
from tickets_db.pull import pull
from tickets_db.render import render_migration
from tickets_db.runner import migrate
from tickets_db.target import Target

from ..pgdump import dump_difference, schema_dump

HERE = Path(__file__).parent
CASES = sorted(p for p in HERE.iterdir() if (p / "after.sql").is_file())
TOML = 'schema = "schema"\nmigrations = "migrations"\nseeds = "seeds"\ntypegen_output = "models.py"\n'


def settings(case: Path) -> dict[str, object]:
    path = case / "case.toml"
    return tomllib.loads(path.read_text()) if path.is_file() else {}


def params() -> list[object]:
    out = []
    for case in CASES:
        why = settings(case).get("xfail")
        marks = [pytest.mark.xfail(reason=str(why), strict=True)] if why else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


@contextmanager
def database(cluster, sql_text: str, user: str = "postgres") -> Iterator[str]:
    name = f"acc_{uuid.uuid4().hex[:10]}"
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, name, template=cluster.ensure_platform_template())
    url = cluster.url(name, user)
    try:
        if sql_text.strip():
            with db.connection(url) as conn:
                conn.execute(sql_text)
        yield url
    finally:
        with db.connection(cluster.url("template1")) as conn:
            db.drop_database(conn, name)


def apply_as_migration(url: str, folder: Path, text: str, version: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{version}_change.sql").write_text(text)
    with db.connection(url) as conn:
        migrate(conn, [m for m in list_migrations(folder) if m.version == version])


@pytest.mark.parametrize("case", params())
def test_case(case: Path, cluster, tmp_path: Path, monkeypatch) -> None:
    allow_data_loss = bool(settings(case).get("allow_data_loss"))
    user = "supabase_admin" if settings(case).get("superuser") else "postgres"
    monkeypatch.setenv("TICKETS_DB_SHADOW_URL", cluster.url("postgres", user))
    (tmp_path / "tickets-db.toml").write_text(TOML)
    project = load_project(tmp_path)
    with database(cluster, (case / "after.sql").read_text(), user) as after, database(cluster, (case / "before.sql").read_text(), user) as before:
        pull(after, project.schema_dir)
        target = schema_dump(after)

        # diff → apply → equal → diff again is empty
        live = Target(before, False, project)
        plan = live_diff(project, live).plan
        assert not plan.unsupported, plan.unsupported
        assert allow_data_loss or not any(op.loses_data for op in plan.ops), [op.key for op in plan.ops if op.loses_data]
        if plan.ops:
            apply_as_migration(before, tmp_path / "applied", render_migration(plan.ops, "diff"), "20000101000000")
        result = schema_dump(before)
        assert result == target, dump_difference(result, target)
        again = live_diff(project, live).plan
        assert again.empty, [op.key for op in again.ops] + list(again.unsupported)

    # the same through `new`, on a migrations folder that holds before.sql
    project.migrations_dir.mkdir()
    (project.migrations_dir / "20000101000000_before.sql").write_text((case / "before.sql").read_text() or "-- nothing\n")
    server = Target(cluster.url("postgres", user), False, project)
    new_migration(project, server, "change", allow_data_loss=allow_data_loss)
    with database(cluster, "", user) as fresh:
        with db.connection(fresh) as conn:
            migrate(conn, list_migrations(project.migrations_dir))
        built = schema_dump(fresh)
    assert built == target, dump_difference(built, target)
    assert new_migration(project, server, "again", allow_data_loss=allow_data_loss) is None

