"""Operations → SQL, through one Jinja template per operation kind. Identifiers are quoted by
the `ident`/`qualname` filters only where PostgreSQL needs it, so output reads like the course."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import jinja2

from .migrations import RawSql
from .operations import Op
from .resources import templates_dir

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")


@cache
def _keywords() -> frozenset[str]:
    lines = (Path(__file__).parent / "keywords.txt").read_text().splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def ident(name: str) -> str:
    if _PLAIN.match(name) and name not in _keywords():
        return name
    return '"' + name.replace('"', '""') + '"'


def qualname(name: str) -> str:
    return ".".join(ident(p) for p in name.split(".", 1))


def literal(value: object) -> str:
    if value is None:
        return "null"
    return "'" + str(value).replace("'", "''") + "'"


def dollar_quote(body: str) -> str:
    tag = "$$"
    n = 0
    while tag in body:
        n += 1
        tag = f"$body{n if n > 1 else ''}$"
    return tag


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters.update(ident=ident, qualname=qualname, literal=literal, dollar_quote=dollar_quote)
    return env


def render_op(op: Op) -> str:
    return environment().get_template(f"sql/{op.template}").render(op=op).strip() + "\n"


def render_batch(ops: list[Op] | tuple[Op, ...]) -> str:
    """Operations as one script, for building throwaway databases in a single round trip."""
    return "\n".join(render_op(op) for op in ops)


def render_migration(ops: list[Op] | tuple[Op, ...], name: str, source: str = "schema/", raw: list[RawSql] | tuple[RawSql, ...] = ()) -> str:
    """A whole migration file: non-transactional operations in their own committed segment first,
    then the generated ones, then hand-written raw SQL files (which may use what came before)."""
    def text(op: Op) -> str:
        return (f"-- hazard: {op.hazard}\n" if op.hazard else "") + render_op(op)

    autocommit = [text(op) for op in ops if not op.transactional]
    transactional = [text(op) for op in ops if op.transactional]
    return environment().get_template("migration.sql.j2").render(
        name=name,
        source=source,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        autocommit=autocommit,
        transactional=transactional,
        raw=raw,
    ).rstrip() + "\n"

