"""Rows of tables.sql, columns.sql, constraints.sql and indexes.sql → the model."""
from __future__ import annotations

from typing import Any, Callable

from ...loader.names import make_object_name
from ...model import IDENTITY_OPTIONS, Column, Grant, Constraint, Index, identity_choices

ACTIONS = {"a": None, "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
KINDS = {"p": "primary_key", "u": "unique", "f": "foreign_key", "c": "check", "x": "exclude"}
SERIAL_TYPES = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}


def column(c: dict[str, Any], privileges: Callable[[list[str]], tuple[Grant, ...]]) -> Column:
    """A column that owns the sequence its default draws from, named as `serial` names it, is
    read as the serial it was declared as (its NOT NULL goes without saying)."""
    sequence = c.get("owned_sequence")
    if sequence and c["type"] in SERIAL_TYPES and (c["default"] or "").startswith("nextval(") and sequence == make_object_name(c["relation"], c["name"], "seq"):
        return Column(c["name"], SERIAL_TYPES[c["type"]], False, None, None, None, c["comment"], privileges(c["grants"]),
                      sequence_grants=privileges(c["sequence_grants"]), sequence=c["sequence"])
    return Column(c["name"], c["type"], c["not_null"], c["default"], c["identity"], c["generated"], c["comment"], privileges(c["grants"]),
                  collation=c["collation"], identity_options=identity_options(c["identity_sequence"]),
                  sequence_grants=privileges(c["sequence_grants"]) if c["identity"] else None, sequence=c["sequence"] if c["identity"] else None)


def identity_options(sequence: list[str] | None) -> tuple[tuple[str, str], ...]:
    """The identity sequence's settings that are not PostgreSQL's defaults for its type."""
    if not sequence:
        return ()
    *values, type_max, type_min = sequence
    return identity_choices(dict(zip(IDENTITY_OPTIONS, values)), type_min, type_max)


def constraint(c: dict[str, Any]) -> Constraint:
    kind = KINDS[c["kind"]]
    options: dict[str, Any] = {k: c[k] for k in ("deferrable", "initially_deferred", "not_valid", "no_inherit", "comment")}
    if kind == "foreign_key":
        return Constraint(c["name"], kind, tuple(c["columns"]), c["ref_table"], tuple(c["ref_columns"]), ACTIONS[c["on_delete"]], ACTIONS[c["on_update"]], **options)
    if kind in ("check", "exclude"):
        return Constraint(c["name"], kind, expression=c["expression"], **options)
    return Constraint(c["name"], kind, tuple(c["columns"]), **options)


def index(i: dict[str, Any]) -> Index:
    return Index(i["name"], tuple(i["columns"]), i["unique"], i["method"], i["where"], i["comment"])
