"""Operations → SQL, through one Jinja template per operation kind. Identifiers are quoted by
the `ident`/`qualname` filters only where PostgreSQL needs it, so output reads like the course."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import jinja2

from .lexer import is_atom, tokens
from .migrations import RawSql
from .model import LIST_SETTINGS
from .kinds import HERE as KINDS_DIR
from .kinds.common import Op
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


def role(name: str) -> str:
    """PUBLIC is a keyword in GRANT and policies, not a role's name; every other role is a name."""
    return "public" if name == "public" else ident(name)


def signature(name: str, types: tuple[str, ...] | list[str]) -> str:
    """A function as DROP, GRANT and COMMENT name it: qualified name and input types (the types
    are checked to be type names when the YAML is loaded, and printed by PostgreSQL otherwise)."""
    return f"{qualname(name)}({', '.join(types)})"


def remark(text: object) -> str:
    """Text fit for the rest of a `--` line: PostgreSQL ends such a comment at a line feed or a
    carriage return, so a name or comment holding one could start a statement."""
    return " ".join(str(text).splitlines()).replace("\r", " ").replace("\n", " ")


def expr(text: str) -> str:
    """An expression where DDL goes on after it (`default …`, `using …`): as written when it is
    one value, else in parentheses, so nothing in it can read as the statement's next clause."""
    return text if is_atom(text) else f"({text})"


def sql_indent(text: str, width: int) -> str:
    """Indent the lines of a SQL expression, but only at line breaks between tokens: a string
    or a quoted name that holds a line break keeps it as written (Jinja's `indent` would put
    spaces into it, and Python's idea of a line break includes form feeds)."""
    pad = " " * width
    return "".join(t.text.replace("\n", "\n" + pad) if t.kind in ("space", "comment") else t.text for t in tokens(text.strip(" \t\n\r")))


def setting(name: str, value: str) -> str:
    """A function's `set` value: a list of names for search_path and its kind (each quoted
    where it must be, '' for none), a string literal for any other setting."""
    if name in LIST_SETTINGS:
        names = [n.strip() for n in value.split(",") if n.strip()]
        return ", ".join(ident(n) for n in names) if names else "''"
    return literal(value)


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


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiling the templates a diff uses costs more than rendering them (150 ms of a 1 s
    `diff`): keep the compiled code in Jinja's per-user cache directory, keyed by each
    template's source, so a changed template is compiled again. No usable directory only
    means compiling every time."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(KINDS_DIR), str(templates_dir())]),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters.update(ident=ident, qualname=qualname, literal=literal, dollar_quote=dollar_quote, role=role, remark=remark, expr=expr, sql_indent=sql_indent)
    env.globals.update(signature=signature, setting=setting)
    return env


def render_op(op: Op) -> str:
    return environment().get_template(op.template).render(op=op).strip() + "\n"


def render_batch(ops: list[Op] | tuple[Op, ...]) -> str:
    """Operations as one script, for building throwaway databases in a single round trip."""
    return "\n".join(render_op(op) for op in ops)


def render_migration(ops: list[Op] | tuple[Op, ...], name: str, source: str = "schema/", raw: list[RawSql] | tuple[RawSql, ...] = (),
                     segments: tuple[tuple[bool, tuple[Op, ...]], ...] | None = None, lock_timeout_ms: int = 1000, retries: int = 10) -> str:
    """A whole migration file: non-transactional operations in their own committed segment first,
    then the generated ones, then hand-written raw SQL files (which may use what came before).
    With `segments` (an online migration, online.py): those segments in order, under the online
    header, `ops` unused."""
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
        segments=[(a, [text(op) for op in seg]) for a, seg in segments] if segments else None,
        lock_timeout_ms=lock_timeout_ms,
        retries=retries,
        raw=raw,
    ).rstrip() + "\n"

