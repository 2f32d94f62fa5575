"""Seeds: one transaction for all files; `--changed` re-runs only what changed."""
from __future__ import annotations

from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.errors import MigrationError
from tickets_db.seed import list_seeds, load


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
