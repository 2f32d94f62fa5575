"""PostgreSQL's own default names for constraints, so a YAML column with `primary_key: true` gets
the same catalog name (`tickets_pkey`) as the course's inline SQL."""
from __future__ import annotations

NAMEDATALEN = 63


def make_object_name(name1: str, name2: str, label: str) -> str:
    """Port of makeObjectName(): shorten the longer part first until everything fits, counting
    bytes of UTF-8 as PostgreSQL does, and cut each part at a character boundary (pg_mbcliplen)."""
    b1, b2 = name1.encode(), name2.encode()
    overhead = len(label) + 1 + (1 if name2 else 0)
    avail = NAMEDATALEN - overhead
    n1, n2 = len(b1), len(b2)
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [_clip(b1, n1)] + ([_clip(b2, n2)] if name2 else []) + [label]
    return "_".join(parts)


def _clip(name: bytes, size: int) -> str:
    """The longest run of whole characters of `name` within `size` bytes."""
    return name[:size].decode("utf-8", errors="ignore")


def default_constraint_name(table: str, kind: str, columns: tuple[str, ...]) -> str:
    label = {"primary_key": "pkey", "unique": "key", "foreign_key": "fkey", "check": "check"}[kind]
    if kind == "primary_key":
        return make_object_name(table, "", label)
    return make_object_name(table, "_".join(columns), label)
