"""Reference rows the YAML declares (roles, permissions, plans): inserted when missing,
updated when their values change; rows the YAML does not name are left alone."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Rows
from ..common import Change, Needs, Op


@dataclass(frozen=True, slots=True, kw_only=True)
class InsertRows(Op):
    """Rows in; where they give a serial or identity column its value, its sequence moves past
    the largest (as pg_dump's setval does), so the next row drawn from it does not collide."""

    rows: Rows
    sequenced: tuple[str, ...] = ()  # the rows' columns that draw from a sequence
    template: ClassVar[str] = "rows/insert_rows.sql.j2"
    subrank: ClassVar[int] = 9

    @property
    def key(self) -> str:
        return f"rows {self.rows.table}"

    def provides(self) -> set[str]:
        return {f"rows:{self.rows.table}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.rows.table}"} | {f"col:{self.rows.table}.{c}" for c in self.rows.columns} | {f"rows:{t}" for t in foreign.get(self.rows.table, set())}


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateRows(Op):
    rows: Rows
    template: ClassVar[str] = "rows/update_rows.sql.j2"

    @property
    def key(self) -> str:
        return f"update rows {self.rows.table}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.rows.table}", f"rows:{self.rows.table}"} | {f"col:{self.rows.table}.{c}" for c in self.rows.columns}


def compare(d: Change) -> None:
    current = {r.table: r.keyed() for r in d.current.rows}
    desired = {r.table: r.keyed() for r in d.desired.rows}
    for r in d.authored.rows:
        have = current.get(r.table, {})
        want = desired.get(r.table, r.keyed())
        new = tuple(row for k, row in r.keyed().items() if k not in have)
        changed = tuple(row for k, row in r.keyed().items() if k in have and want.get(k) != have[k])
        table = d.authored.table(r.table)
        sequenced = tuple(c.name for c in table.columns if c.name in r.columns and (c.serial or c.identity)) if table else ()
        if new:
            d.add(r.origin, InsertRows(rows=Rows(r.table, r.key, r.columns, new, origin=r.origin), sequenced=sequenced))
        if changed:
            d.add(r.origin, UpdateRows(rows=Rows(r.table, r.key, r.columns, changed, origin=r.origin)))
