"""One real PostgreSQL cluster per test session (the embedded cluster code, in a temporary
folder), a template holding the project's migrations, and a fresh database per test cloned
from it, so every test starts from the same state in a few milliseconds."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from tickets_db import db
from tickets_db.config import load_project
from tickets_db.localdb import Cluster
from tickets_db.migrations import list_migrations
from tickets_db.seed import list_seeds, load as load_seeds
from tickets_db.target import Target

ROOT = Path(__file__).resolve().parents[1]
OWNER = "31a03e74-1639-45b6-bfa7-77447f1a4762"  # test@makerkit.dev, owner of Makerkit
MEMBER = "6b83d656-e4ab-48e3-a062-c0c54a427368"  # member@makerkit.dev
OUTSIDER = "b73eb03e-fb7a-424d-84ff-18e2791ce0b4"  # owner of Acme, not in Makerkit
MAKERKIT = "5deaa894-2094-4da3-b4fd-1fada0809d1c"
ACME = "c5b930c9-0a76-412e-a836-4bc4849a3270"


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="tickets-db-tests-"))
    c = Cluster(directory, fast=True)
    c.start()
    try:
        yield c
    finally:
        c.destroy()


@pytest.fixture(scope="session", autouse=True)
def shadow_server(cluster: Cluster) -> Iterator[None]:
    """Commands given a URL to read (diff) build their throwaway databases on the test cluster,
    not in a local cluster of the project folder they run in."""
    os.environ["TICKETS_DB_SHADOW_URL"] = cluster.url("postgres")
    yield
    os.environ.pop("TICKETS_DB_SHADOW_URL", None)


@pytest.fixture(scope="session")
def project():
    return load_project(ROOT)


@pytest.fixture(scope="session")
def target(cluster: Cluster, project) -> Target:
    """The session cluster seen as a remote URL (what CI passes with --db-url)."""
    return Target(cluster.url("postgres"), False, project)


@pytest.fixture(scope="session")
def project_template(target: Target, project) -> str:
    return target.migrated_template(list_migrations(project.migrations_dir))


@contextmanager
def clone(cluster: Cluster, template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, name, template=template)
    try:
        yield cluster.url(name)
    finally:
        with db.connection(cluster.url("template1")) as conn:
            db.drop_database(conn, name)


@pytest.fixture
def scratch(cluster):
    """Names of databases the test may create on the test server; all dropped afterwards."""
    names: list[str] = []

    def make() -> str:
        names.append(f"scratch_{uuid.uuid4().hex[:10]}")
        return cluster.url(names[-1])

    yield make
    with db.connection(cluster.url("template1")) as conn:
        for name in names:
            db.drop_database(conn, name)


@pytest.fixture
def empty_db(cluster: Cluster) -> Iterator[str]:
    """A database with only the platform stand-in."""
    with clone(cluster, cluster.ensure_platform_template()) as url:
        yield url


@pytest.fixture
def migrated_db(cluster: Cluster, project_template: str) -> Iterator[str]:
    with clone(cluster, project_template) as url:
        yield url


@pytest.fixture
def seeded_db(migrated_db: str, project) -> str:
    with db.connection(migrated_db) as conn:
        load_seeds(conn, list_seeds(project.seeds_dir), project.root)
    return migrated_db


@contextmanager
def acting_as(conn: psycopg.Connection, user_id: str | None, role: str = "authenticated") -> Iterator[psycopg.Connection]:
    """What PostgREST does per request: switch role and publish the JWT claims, in a transaction
    that is rolled back afterwards."""
    conn.autocommit = False
    claims = {"role": role} | ({"sub": user_id} if user_id else {})
    try:
        conn.execute(f"set local role {role}")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        yield conn
    finally:
        conn.rollback()
        conn.autocommit = True


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Path]:
    """The project's schema/, migrations/, seeds/ and generated models in a scratch folder tests
    may edit; a local database a command started there is stopped and removed afterwards."""
    for name in ("schema", "migrations", "seeds"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "tickets-db.toml", tmp_path / "tickets-db.toml")
    models = load_project(ROOT).typegen_output
    (tmp_path / models.relative_to(ROOT)).parent.mkdir(parents=True)
    shutil.copy(models, tmp_path / models.relative_to(ROOT))
    yield tmp_path
    stop_local(tmp_path)


def stop_local(project: Path) -> None:
    """The local cluster a command started for `project`, if any: stopped, its data removed
    (kept in postgres's home when the project is in a folder postgres cannot write)."""
    if (project / ".tickets-db" / "state.json").exists():
        Cluster(project / ".tickets-db").destroy()


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    return env
