"""Project configuration: where the YAML, migrations and seeds live, and which database to use.

The database URL is resolved as flag > $DATABASE_URL > `database_url` in tickets-db.toml; when
none is given the embedded local cluster is used (see localdb)."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .errors import ConfigError
from .migrations import SUM_FILE
from .redaction import remember

CONFIG_FILE = "tickets-db.toml"
SHAPES = ("dataclasses", "typeddicts")
KEYS = {"schema", "migrations", "seeds", "database_tests", "typegen_output", "typegen_shapes", "typegen_types", "sum_file", "online", "lock_timeout", "lock_retries", "local_dir", "database", "database_url"}


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
    # dataclasses (psycopg), typeddicts (supabase-py / PostgREST's JSON), or both.
    typegen_shapes: tuple[str, ...] = ("dataclasses",)
    sum_file: Path | None = None  # default: tickets-db.sum in the migrations folder
    online: bool = False  # every table's changes written online (online.py); else per table in the YAML
    lock_timeout_ms: int = 1000  # an online migration's lock_timeout …
    lock_retries: int = 10  # … and how often a segment is tried again

    @property
    def name_hash(self) -> str:
        """Distinguishes projects sharing one server (template database names)."""
        import hashlib

        return hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:8]


def find_root(start: Path) -> Path | None:
    for d in [start, *start.parents]:
        if (d / CONFIG_FILE).is_file():
            return d
    return None


def load_project(project_dir: Path | None = None) -> Project:
    """The project whose tickets-db.toml is in `project_dir`, or in the current folder or the
    nearest one above it. Nowhere else is a project: a command run outside one creates nothing."""
    from .textfile import read_utf8

    found = project_dir.resolve() if project_dir else find_root(Path.cwd().resolve())
    if found is None or not (found / CONFIG_FILE).is_file():
        where = f"in {found}" if found else f"in {Path.cwd()} or any folder above it"
        raise ConfigError(f"not a tickets-db project: no {CONFIG_FILE} {where}\n  hint: `tickets-db init` makes a folder a project (an empty {CONFIG_FILE} is enough), or give --project-dir")
    root = found
    cfg = root / CONFIG_FILE
    try:
        data: dict[str, object] = tomllib.loads(read_utf8(cfg))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{cfg}: {e}") from None
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(f"{cfg}: unknown key(s) {', '.join(sorted(unknown))}; known keys: {', '.join(sorted(KEYS))}")

    def path(key: str, default: str) -> Path:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{cfg}: `{key}` must be a string path")
        return root / value

    url = data.get("database_url")
    types = data.get("typegen_types", {})
    if not isinstance(types, dict) or not all(isinstance(v, str) and "." in v and k.count(".") == 2 for k, v in types.items()):
        raise ConfigError(f'{cfg}: `typegen_types` maps "schema.table.column" to a dotted Python type, e.g. "public.accounts.public_data" = "myapp.types.PublicData"')
    shapes = data.get("typegen_shapes", ["dataclasses"])
    if not isinstance(shapes, list) or not shapes or not set(shapes) <= set(SHAPES):
        raise ConfigError(f'{cfg}: `typegen_shapes` is a list of {" and ".join(SHAPES)}, e.g. typegen_shapes = ["dataclasses", "typeddicts"]')
    online = data.get("online", False)
    if not isinstance(online, bool):
        raise ConfigError(f"{cfg}: `online` is true or false")
    timeout = data.get("lock_timeout", "1s")
    m = re.fullmatch(r"\s*(\d+)\s*(ms|s)\s*", timeout) if isinstance(timeout, str) else None
    retries = data.get("lock_retries", 10)
    if m is None or not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ConfigError(f'{cfg}: `lock_timeout` is a duration such as "1s" or "500ms", `lock_retries` a whole number')
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
        typegen_shapes=tuple(s for s in SHAPES if s in shapes),
        sum_file=path("sum_file", "") if "sum_file" in data else path("migrations", "migrations") / SUM_FILE,
        online=online,
        lock_timeout_ms=int(m.group(1)) * (1000 if m.group(2) == "s" else 1),
        lock_retries=retries,
    )


def init_project(root: Path) -> list[Path]:
    """Make `root` a project: tickets-db.toml (every key commented, at its default) and the
    folders it names. Returns what it created; nothing is overwritten."""
    from .resources import read_template
    from .textfile import write_atomic

    created = []
    cfg = root / CONFIG_FILE
    if not cfg.exists():
        root.mkdir(parents=True, exist_ok=True)
        write_atomic(cfg, read_template("project/tickets-db.toml") + (supabase_layout(root) if (root / "supabase").is_dir() else ""))
        created.append(cfg)
    project = load_project(root)
    for folder in (project.schema_dir, project.migrations_dir, project.seeds_dir):
        if folder.suffix == ".sql":  # a seed file (Supabase's seed.sql), not a folder
            continue
        if not folder.exists():
            folder.mkdir(parents=True)
            created.append(folder)
    return created


def supabase_layout(root: Path) -> str:
    """Settings for a Supabase project's folders: its migrations, tests and seed file (the one
    `[db.seed] sql_paths` of supabase/config.toml names, else seed.sql), the YAML in schemas/."""
    seed = "seed.sql"
    try:
        supabase = tomllib.loads((root / "supabase" / "config.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        supabase = {}
    paths = supabase.get("db", {}).get("seed", {}).get("sql_paths", [seed])
    if isinstance(paths, list) and len(paths) == 1 and isinstance(paths[0], str) and not any(c in paths[0] for c in "*?["):
        seed = str(Path(paths[0]))
    return (
        "\n# A Supabase project (supabase/ found by `tickets-db init`): its folders.\n"
        'schema = "supabase/schemas"\nmigrations = "supabase/migrations"\n'
        f'seeds = "supabase/{seed}"\ndatabase_tests = "supabase/tests"\n'
        '# where the Supabase CLI does not read it (in migrations/, every `db push` would warn)\n'
        'sum_file = "supabase/tickets-db.sum"\n'
    )


def display_path(path: Path, root: Path | None) -> str:
    """A path as the user knows it: relative to the project when inside it."""
    return str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)


def resolve_url(project: Project, flag: str | None) -> str | None:
    """The explicit database URL, or None for the embedded local cluster."""
    url = flag or os.environ.get("DATABASE_URL") or project.database_url
    remember(url)
    return url


def with_database(url: str, dbname: str) -> str:
    """Same server and credentials, another database (a URL stays a URL; a key=value string
    gets its dbname replaced, as libpq reads it)."""
    if "://" not in url:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(url, dbname=dbname)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))  # libpq decodes %XX in a URI


def database_of(url: str) -> str:
    if "://" not in url:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(url)
        return str(params.get("dbname") or params.get("user") or os.environ.get("PGDATABASE") or "postgres")
    path = unquote(urlsplit(url).path.lstrip("/"))
    return path or unquote(urlsplit(url).username or "postgres")
