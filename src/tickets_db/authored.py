"""What the commands that need no database read: the YAML as written, and the typed models
made from it. Kept apart from the planner (which holds the database stack: psycopg alone is
~100 ms to import), so `lint`, `typegen`, `policies` and `--help` start without it."""
from __future__ import annotations

from pathlib import Path

from .config import Project, display_path
from .loader import load
from .model import Catalog


def authored_catalog(project: Project) -> Catalog:
    """The YAML as written (empty for a project without a schema folder yet)."""
    return load(project.schema_dir, project.root) if project.schema_dir.is_dir() else Catalog()


def models_of(catalog: Catalog, project: Project) -> str:
    """The typed models module of `catalog`, as the project configures typegen."""
    from .typegen import generate

    return generate(catalog, dict(project.typegen_types), project.typegen_shapes)


def stale_models(project: Project, text: str | None = None, path: Path | None = None) -> str | None:
    """Why the models file on disk is not `text` (default: what typegen writes from the YAML to
    the configured path), or None when it is."""
    path = path or project.typegen_output
    shown = display_path(path, project.root)
    if not path.is_file():
        return f"{shown} is missing (run `tickets-db typegen`)"
    if path.read_text(encoding="utf-8") != (models_of(authored_catalog(project), project) if text is None else text):
        return f"{shown} is stale: the schema changed since it was generated (run `tickets-db typegen`)"
    return None
