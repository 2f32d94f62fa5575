"""Project configuration: where the YAML, migrations and seeds live, and which database to use.

The database URL is resolved as flag > $DATABASE_URL > `database_url` in tickets-db.toml; when
none is given the embedded local cluster is used (see localdb)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError

CONFIG_FILE = "tickets-db.toml"
KEYS = {"schema", "migrations", "seeds", "database_tests", "typegen_output", "typegen_types", "local_dir", "database", "database_url"}


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    schema_dir: Path
    migrations_dir: Path
    seeds_dir: Path
    tests_dir: Path
    typegen_output: Path
    local_dir: Path
    database: str
    database_url: str | None
    # `schema.table.column` → dotted Python type, for json/jsonb columns (typegen).
    typegen_types: tuple[tuple[str, str], ...] = ()

    @property
    def name_hash(self) -> str:
        """Distinguishes projects sharing one server (template database names)."""
        import hashlib

        return hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:8]


def find_root(start: Path) -> Path:
    for d in [start, *start.parents]:
        if (d / CONFIG_FILE).is_file():
            return d
    return start


def load_project(project_dir: Path | None = None) -> Project:
    root = (project_dir or find_root(Path.cwd())).resolve()
    data: dict[str, object] = {}
    cfg = root / CONFIG_FILE
    if cfg.is_file():
        try:
            data = tomllib.loads(cfg.read_text())
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{cfg}: {e}") from None
        unknown = set(data) - KEYS
        if unknown:
            raise ConfigError(
                f"{cfg}: unknown key(s) {', '.join(sorted(unknown))}; known keys: {', '.join(sorted(KEYS))}"
            )

    def path(key: str, default: str) -> Path:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{cfg}: `{key}` must be a string path")
        return root / value

    url = data.get("database_url")
    types = data.get("typegen_types", {})
    if not isinstance(types, dict) or not all(isinstance(v, str) and "." in v and k.count(".") == 2 for k, v in types.items()):
        raise ConfigError(f'{cfg}: `typegen_types` maps "schema.table.column" to a dotted Python type, e.g. "public.accounts.public_data" = "myapp.types.PublicData"')
    return Project(
        root=root,
        schema_dir=path("schema", "schema"),
        migrations_dir=path("migrations", "migrations"),
        seeds_dir=path("seeds", "seeds"),
        tests_dir=path("database_tests", "tests/database"),
        typegen_output=path("typegen_output", "models.py"),
        local_dir=path("local_dir", ".tickets-db"),
        database=str(data.get("database", "postgres")),
        database_url=url if isinstance(url, str) else None,
        typegen_types=tuple(sorted(types.items())),
    )


def display_path(path: Path, root: Path | None) -> str:
    """A path as the user knows it: relative to the project when inside it."""
    return str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)


def resolve_url(project: Project, flag: str | None) -> str | None:
    """The explicit database URL, or None for the embedded local cluster."""
    return flag or os.environ.get("DATABASE_URL") or project.database_url


def redact(url: str) -> str:
    """The URL with its password replaced, fit to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    host = netloc[-1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def with_database(url: str, dbname: str) -> str:
    """Same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def database_of(url: str) -> str:
    path = urlsplit(url).path.lstrip("/")
    return path or (urlsplit(url).username or "postgres")
