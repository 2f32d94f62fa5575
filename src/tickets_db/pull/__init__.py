"""A live database → schema/ YAML (`tickets-db pull`): how a team with an existing database adopts
the tool. The database is read into the one Catalog model (read.py); platform objects it uses
become `external: true` references; the catalog is written back in the YAML language
(document.py, yaml_text.py), one file per schema in a fixed order, so that pulling twice changes
nothing. What the language cannot express is listed and kept as a raw SQL file, which `new`
appends to a migration."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import db
from ..errors import ConfigError, SchemaError
from ..textfile import write_atomic
from ..loader.validate import validate_catalog
from .document import MARK, RAW_MARK, counts, data, documents, raw_sql
from .read import Pulled, read
from .yaml_text import reference_text

RAW_FILE = "unsupported.sql"
__all__ = ["MARK", "RAW_FILE", "Pulled", "Written", "counts", "data", "documents", "pull", "raw_sql", "read", "reference_text", "write"]


@dataclass(frozen=True)
class Written:
    files: tuple[Path, ...]
    removed: tuple[Path, ...]


def write(out: Path, docs: dict[str, str], raw: str | None) -> Written:
    """Replace the pulled files in `out`, never files a person wrote: those make it refuse before
    anything changes."""
    mine: list[Path] = []
    foreign: list[Path] = []
    if out.is_dir():
        for p in sorted([*out.rglob("*.yaml"), *out.rglob("*.yml"), *out.rglob("*.sql")]):
            first = p.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
            (mine if first.startswith((MARK, RAW_MARK)) else foreign).append(p)
    elif out.exists():
        raise ConfigError(f"{out} is not a folder")
    if foreign:
        shown = ", ".join(str(p) for p in foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise ConfigError(f"{out} holds files `pull` did not write ({shown}); it would mix them with the pulled YAML\n  hint: pull into an empty folder (--out), or move them away")
    out.mkdir(parents=True, exist_ok=True)
    files = {out / name: text for name, text in docs.items()}
    if raw is not None:
        files[out / RAW_FILE] = raw
    removed = tuple(p for p in mine if p not in files)
    for p in removed:
        p.unlink()
    for path, text in files.items():
        write_atomic(path, text)
    return Written(tuple(files), removed)


def pull(url: str, out: Path, schemas: tuple[str, ...] = (), rows: tuple[str, ...] = ()) -> tuple[Pulled, Written]:
    """Read, check that the YAML language can say it (the validator on the pulled model: roles,
    references, types), then write."""
    with db.connection(url) as conn:
        pulled = read(conn, schemas, rows)
    try:
        validate_catalog(pulled.catalog)
    except SchemaError as e:
        raise ConfigError(f"the database uses what the YAML cannot declare yet: {e.key}: {e.message}\n  nothing was written") from None
    return pulled, write(out, documents(pulled), raw_sql(pulled.unsupported))
