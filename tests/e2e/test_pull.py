"""`tickets-db pull` as a user adopts an existing database with it: pull, `new init`, rebuild, and
compare what PostgreSQL holds (pg_dump --schema-only, up to the order of objects)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tickets_db import db

from ..conftest import ROOT
from ..pgdump import schema_dump
from .test_cli import run

FIXTURES = ROOT / "tests" / "fixtures" / "pull"
ROWS = ("--rows", "public.role_permissions", "--rows", "storage.buckets", "--rows", "public.roles")
TOML = 'schema = "schema"\nmigrations = "migrations"\nseeds = "seeds"\ntypegen_output = "models.py"\n'


@pytest.fixture
def adopter(tmp_path: Path) -> Path:
    """A new project folder: configuration only, no schema, no migrations."""
    (tmp_path / "tickets-db.toml").write_text(TOML)
    return tmp_path


def cli(project: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = run("--project-dir", str(project), "--db-url", url, *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def rebuild(project: Path, url: str) -> None:
    """What the adopting team does next: `new init` on an empty migrations folder, then build."""
    made = cli(project, url, "new", "init")
    assert made.returncode == 0 and "wrote migrations/" in made.stdout, made.stdout + made.stderr
    reset = cli(project, url, "reset", "--yes", "--no-seed")
    assert reset.returncode == 0, reset.stderr


def load_sql(url: str, *paths: Path) -> None:
    with db.connection(url) as conn:
        for path in paths:
            conn.execute(path.read_text())


def test_round_trip_on_the_project(migrated_db, adopter, scratch):
    pulled = cli(adopter, migrated_db, "pull", *ROWS)
    assert pulled.returncode == 0, pulled.stderr
    schema = adopter / "schema"
    assert sorted(files(schema)) == ["_default_privileges.yaml", "auth.yaml", "extensions.yaml", "kit.yaml", "public.yaml", "storage.yaml"]
    assert "warning" not in pulled.stderr  # the project uses nothing the YAML cannot express
    auth = files(schema)["auth.yaml"]
    assert "auth: {external: true}" in auth and "external: true" in auth and "on_auth_user_created" in auth
    assert "{name: auth.uid, returns: uuid, external: true}" in auth
    public = files(schema)["public.yaml"]
    assert "{role: owner, permission: tickets.update}" in public and "body: |" in public

    before = files(schema)
    again = cli(adopter, migrated_db, "pull", *ROWS)
    assert again.returncode == 0 and files(schema) == before  # a pull after a pull changes nothing

    rebuilt = scratch()
    rebuild(adopter, rebuilt)
    assert schema_dump(rebuilt) == schema_dump(migrated_db)

    # The pulled YAML against the project's own migrations: nothing to do, no drift.
    shutil.rmtree(adopter / "migrations")
    shutil.copytree(ROOT / "migrations", adopter / "migrations")
    same = cli(adopter, scratch(), "new", "again")
    assert same.returncode == 0 and "no changes" in same.stdout, same.stdout + same.stderr
    assert cli(adopter, migrated_db, "diff").returncode == 0


def test_round_trip_on_a_varied_schema(empty_db, adopter, scratch):
    load_sql(empty_db, FIXTURES / "varied.sql")
    pulled = cli(adopter, empty_db, "pull", "--schema", "app", "--schema", "audit")
    assert pulled.returncode == 0, pulled.stderr
    schema = adopter / "schema"
    assert sorted(files(schema)) == ["_roles.yaml", "app.yaml", "audit.yaml", "auth.yaml"]
    assert "roles:\n- app_auditor\n" in files(schema)["_roles.yaml"]  # a role of the database's own, referenced
    app = files(schema)["app.yaml"]
    for written in (
        "id: {type: bigint, primary_key: true, identity: always, grants: {anon: [select]}}",  # identity, column grant
        "first_name: {type: varchar(100), not_null: true, grants: {anon: [select, update]}}",
        "id: {type: serial, primary_key: true}",
        "moods: {type: 'app.mood[]', not_null: true",  # an enum array
        "generated: |-",
        "permissive: false",  # restrictive policy
        "people_moods: {columns: [moods], method: gin}",
        "people_recent: {columns: [created_at DESC], where: last_name IS NOT NULL}",
        "people_lower_email: {columns: ['lower(email::text)']}",
        "people_name_length: {check: '(char_length((first_name)::text) > 1)'}",
        "events: ['update of first_name, last_name']",
        "args: [p_name text, p_times integer default 2]",
        "returns_table: {team_id: integer, members: bigint}",
        "security_invoker: true",
        "app.email: {type: text, check: \"(VALUE ~ '@'::text)\"}",
    ):
        assert written in app, (written, app)
    assert app.count("- name: app.greet\n") == 2  # both overloads
    assert "level: statement" in files(schema)["audit.yaml"]

    rebuilt = scratch()
    rebuild(adopter, rebuilt)
    assert schema_dump(rebuilt) == schema_dump(empty_db)
    assert cli(adopter, empty_db, "diff").returncode == 0


def test_every_kind_the_yaml_expresses_is_pulled_as_yaml(empty_db, adopter, scratch):
    load_sql(empty_db, FIXTURES / "varied.sql", FIXTURES / "catalog.sql")
    pulled = cli(adopter, empty_db, "pull", "--schema", "app", "--schema", "audit", "--schema", "public")
    assert pulled.returncode == 0, pulled.stderr
    assert "cannot express" not in pulled.stderr and not (adopter / "schema" / "unsupported.sql").exists()
    app = files(adopter / "schema")["app.yaml"]
    for written in ("app.bookings:", "collation: C", "collation: app.german", "app.point2: {attributes: {",
                    "unlogged: true", "app.ticket_numbers: {start: 1000", "exclude: USING gist (during WITH &&)",
                    "materialized: true", "procedure: true", "partition_by: range (at)", "partition_of: app.events",
                    "inherits: [app.people]", "replica_identity: full", "force_rls: true", "not_valid: true",
                    "app.score_range:", "RETURN (a + b)", "column_comments:", "hstore: {schema: app, comment: key-value settings}"):
        assert written in app, (written, app)
    assert app.count("comment:") >= 6  # on an index, a constraint, a trigger, a policy, a view column, an extension
    assert "app_changes" in files(adopter / "schema")["_publications.yaml"]
    assert "for_role:" in files(adopter / "schema")["_default_privileges.yaml"]
    assert "public: {external: true, grants: {" in files(adopter / "schema")["public.yaml"]

    rebuilt = scratch()
    rebuild(adopter, rebuilt)
    assert schema_dump(rebuilt) == schema_dump(empty_db)
    assert "no changes" in cli(adopter, rebuilt, "new", "again").stdout


def test_unsupported_objects_become_raw_sql_and_the_round_trip_holds(empty_db, adopter, scratch):
    load_sql(empty_db, FIXTURES / "varied.sql", FIXTURES / "beyond.sql")
    pulled = cli(adopter, empty_db, "pull", "--schema", "app", "--schema", "audit")
    assert pulled.returncode == 0, pulled.stderr
    kinds = ["aggregate app.concat_all(text)",
             "rule log_is_append_only on audit.log"]
    assert f"{len(kinds)} object(s) the YAML cannot express yet" in pulled.stderr
    for kind in kinds:
        assert kind in pulled.stderr
    raw = adopter / "schema" / "unsupported.sql"
    assert all(f"-- {kind}" in raw.read_text() for kind in kinds)

    rebuilt = scratch()
    rebuild(adopter, rebuilt)
    init = next((adopter / "migrations").glob("*_init.sql")).read_text()
    assert "-- tickets-db: raw schema/unsupported.sql" in init
    assert schema_dump(rebuilt) == schema_dump(empty_db)
    assert "no changes" in cli(adopter, rebuilt, "new", "again").stdout

    # An edit of the raw file: `check` notices; the next `new` carries the file whole, so it is
    # proven first: this one re-creates an aggregate that exists, and nothing is written.
    with raw.open("a") as f:
        f.write("\ncomment on aggregate app.concat_all(text) is 'for tests';\n")
    checked = cli(adopter, rebuilt, "check")
    assert checked.returncode == 1 and "no migration holds schema/unsupported.sql" in checked.stderr
    before = sorted((adopter / "migrations").iterdir())
    more = cli(adopter, rebuilt, "new", "comment")
    assert more.returncode == 3 and "already exists" in more.stderr and "re-runnable" in more.stderr, more.stderr
    assert sorted((adopter / "migrations").iterdir()) == before

    # Made re-runnable, it is carried.
    raw.write_text("comment on aggregate app.concat_all(text) is 'for tests';\n")
    carried = cli(adopter, rebuilt, "new", "comment")
    assert carried.returncode == 0, carried.stderr
    latest = sorted((adopter / "migrations").glob("*_comment.sql"))[0].read_text()
    assert "for tests" in latest


def test_pull_will_not_mix_with_hand_written_files(migrated_db, adopter):
    (adopter / "schema").mkdir()
    (adopter / "schema" / "mine.yaml").write_text("schemas:\n  public: {external: true}\n")
    refused = cli(adopter, migrated_db, "pull")
    assert refused.returncode == 2 and "files `pull` did not write" in refused.stderr and "mine.yaml" in refused.stderr
    assert sorted(files(adopter / "schema")) == ["mine.yaml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--schema", "nope"), "the database has no schema nope"),
        (("--rows", "public.nope"), "no table public.nope"),
    ],
)
def test_pull_bad_input_is_one_error_and_writes_nothing(migrated_db, adopter, args, message):
    result = cli(adopter, migrated_db, "pull", *args)
    assert result.returncode == 2 and message in result.stderr
    assert not (adopter / "schema").exists()


def test_rows_of_a_table_without_a_primary_key_are_keyed_by_all_their_columns(migrated_db, adopter, scratch):
    """Makerkit's one-row `config` has no key at all: its row is matched by all its columns, and
    the rebuild holds it once."""
    pulled = cli(adopter, migrated_db, "pull", "--rows", "public.config")
    assert pulled.returncode == 0, pulled.stderr
    public = files(adopter / "schema")["public.yaml"]
    assert "key: [enable_team_accounts, enable_account_billing, enable_team_account_billing, billing_provider]" in public
    rebuilt = scratch()
    rebuild(adopter, rebuilt)
    with db.connection(rebuilt) as conn:
        assert conn.execute("select count(*) from public.config").fetchone()[0] == 1
    assert "no changes" in cli(adopter, rebuilt, "new", "again").stdout


def test_pull_from_an_unreachable_database_hides_the_password(adopter):
    result = run("--project-dir", str(adopter), "pull", "--db-url", "postgresql://postgres:s3cret@127.0.0.1:1/app")
    assert result.returncode == 1 and "cannot connect" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert not (adopter / "schema").exists()


def test_buckets_the_migrations_made_are_pulled_without_asking(migrated_db, adopter, scratch):
    """Makerkit's migration inserts its `account_image` bucket: a pull that forgot `--rows
    storage.buckets` lost it, and the rebuilt application had no bucket."""
    pulled = cli(adopter, migrated_db, "pull")
    assert pulled.returncode == 0, pulled.stderr
    storage = files(adopter / "schema")["storage.yaml"]
    assert "storage.buckets:" in storage and "id: account_image" in storage and "id: attachments" in storage
    rebuilt = scratch()
    rebuild(adopter, rebuilt)
    with db.connection(rebuilt) as conn:
        assert {r[0] for r in conn.execute("select id from storage.buckets")} == {"account_image", "attachments"}
