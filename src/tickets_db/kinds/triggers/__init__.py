"""Triggers, on tables (the project's or the platform's) and views."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ...model import Table, Trigger, View
from ..common import Change, Comment, Drop, Needs, Op, calls


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTrigger(Op):
    table: str  # the table or view the trigger is on
    trigger: Trigger
    replace: bool = False
    template: ClassVar[str] = "triggers/create_trigger.sql.j2"
    subrank: ClassVar[int] = 8

    @property
    def key(self) -> str:
        return f"trigger {self.table}.{self.trigger.name}"

    def provides(self) -> set[str]:
        return {f"trigger:{self.table}.{self.trigger.name}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}", f"altered:{self.table}", f"fn:{self.trigger.function}"} | calls(self.trigger.when)


def compare_table(d: Change, t: Table | View, cur: Table | View | None, des: Table | View) -> None:
    qn = t.qualname
    origin = getattr(t, "origin", None)
    have = {x.name: x for x in cur.triggers} if cur else {}
    want = {x.name: x for x in des.triggers}
    for x in t.triggers:
        where = x.origin or origin
        old = have.get(x.name)
        new = want.get(x.name, x)
        comment = [Comment(target_kind="trigger", target=x.name, on=qn, text=x.comment)]
        if old is None:
            d.add(where, CreateTrigger(table=qn, trigger=x), *(comment if x.comment else []))
        elif f"trigger {qn}.{x.name}" in d.rebuild:
            d.add(where, Drop(kind="trigger", target=x.name, table=qn), CreateTrigger(table=qn, trigger=x), *(comment if x.comment else []))
        else:
            if replace(old, comment=None) != replace(new, comment=None):
                d.add(where, CreateTrigger(table=qn, trigger=x, replace=True))
            if old.comment != new.comment:
                d.add(where, *comment)
    for name in sorted(have.keys() - {x.name for x in t.triggers}):
        d.add(origin, Drop(kind="trigger", target=name, table=qn))
