"""Seeds: one transaction for all files (a COMMIT in one is refused); `--changed` re-runs only
what changed; loading again what a database already holds is refused with what to do instead."""
from __future__ import annotations

from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.errors import MigrationError
from tickets_db.seed import SeedsAlreadyLoaded, list_seeds, load


def plans(url: str) -> list[str]:
    with db.connection(url) as conn:
        return [r[0] for r in conn.execute("select variant_id from public.plans order by 1")]


def test_only_changed_seed_files_rerun(migrated_db, tmp_path: Path):
    (tmp_path / "01_plans.sql").write_text("insert into public.plans values ('a', 'A', 1);")
    (tmp_path / "02_more.sql").write_text("insert into public.plans values ('b', 'B', 1);")
    with db.connection(migrated_db) as conn:
        assert [s.path.name for s in load(conn, list_seeds(tmp_path), only_changed=True)] == ["01_plans.sql", "02_more.sql"]
        assert load(conn, list_seeds(tmp_path), only_changed=True) == []
        (tmp_path / "02_more.sql").write_text("insert into public.plans values ('c', 'C', 1);")
        assert [s.path.name for s in load(conn, list_seeds(tmp_path), only_changed=True)] == ["02_more.sql"]
    assert plans(migrated_db) == ["a", "b", "c"]


def test_a_failing_file_rolls_back_every_file(migrated_db, tmp_path: Path):
    (tmp_path / "01_ok.sql").write_text("insert into public.plans values ('a', 'A', 1);")
    (tmp_path / "02_bad.sql").write_text("\n\ninsert into public.plans values ('b', 'B', 'x');")
    with db.connection(migrated_db) as conn, pytest.raises(MigrationError) as info:
        load(conn, list_seeds(tmp_path))
    assert info.value.file.endswith("02_bad.sql") and info.value.line == 3
    assert plans(migrated_db) == []


@pytest.mark.parametrize("control", ["commit;", "COMMIT", "begin;", "rollback;", "end;", "start transaction;"])
def test_transaction_control_in_a_seed_is_refused_before_anything_runs(migrated_db, tmp_path: Path, control):
    """A COMMIT in a seed once kept the rows before it when a later statement failed."""
    (tmp_path / "01_plans.sql").write_text(f"insert into public.plans values ('a', 'A', 1);\n{control}\ninsert into public.plans values ('b', 'B', 'x');")
    with db.connection(migrated_db) as conn, pytest.raises(MigrationError) as info:
        load(conn, list_seeds(tmp_path))
    assert info.value.line == 2 and "transaction control" in info.value.message
    assert plans(migrated_db) == []


def test_loading_again_what_the_database_holds_says_so(migrated_db, tmp_path: Path):
    (tmp_path / "01_plans.sql").write_text("insert into public.plans values ('a', 'A', 1);")
    with db.connection(migrated_db) as conn:
        load(conn, list_seeds(tmp_path))
        with pytest.raises(SeedsAlreadyLoaded) as info:
            load(conn, list_seeds(tmp_path))
        assert "already loaded into this database" in info.value.message and "tickets-db reset" in (info.value.hint or "")
        (tmp_path / "01_plans.sql").write_text("insert into public.plans values ('a', 'A', 1); insert into public.plans values ('z', 'Z', 1);")
        with pytest.raises(MigrationError) as changed:  # changed since: re-run, and it is not re-runnable
            load(conn, list_seeds(tmp_path), only_changed=True)
        assert "duplicate key" in changed.value.message and "re-runnable" in (changed.value.hint or "")
    assert plans(migrated_db) == ["a"]


def test_loading_seeds_refreshes_materialized_views_in_their_order(migrated_db, tmp_path: Path):
    """Built by the migrations on empty tables, a materialized view shows the seeds' rows only
    once refreshed; one that reads another is refreshed after it."""
    with db.connection(migrated_db) as conn:
        conn.execute("create materialized view public.zz_summary_base as select variant_id from public.plans")
        conn.execute("create materialized view public.a_summary as select count(*) as n from public.zz_summary_base")
    (tmp_path / "01_plans.sql").write_text("insert into public.plans values ('a', 'A', 1), ('b', 'B', 2);")
    with db.connection(migrated_db) as conn:
        load(conn, list_seeds(tmp_path))
        assert conn.execute("select n from public.a_summary").fetchone() == (2,)
