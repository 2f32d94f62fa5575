"""Where the templates live: inside the wheel (tickets_db/templates) when installed, or at the
repository root in a source checkout / editable install."""
from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "templates"
    if source.is_dir():
        return source
    raise RuntimeError("tickets-db templates are missing from this installation")


def read_template(relative: str) -> str:
    return (templates_dir() / relative).read_text(encoding="utf-8")
