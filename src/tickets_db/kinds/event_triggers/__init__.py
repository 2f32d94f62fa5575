"""Event triggers (functions run on DDL: ddl_command_start, ddl_command_end, sql_drop,
table_rewrite). PostgreSQL lets only a superuser create one, so a migration holding one runs only
where the migrating role is a superuser (not on hosted Supabase, whose `postgres` is not)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ...model import EventTrigger
from ..common import Change, Comment, Drop, Needs, Op


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateEventTrigger(Op):
    trigger: EventTrigger
    template: ClassVar[str] = "event_triggers/create_event_trigger.sql.j2"
    subrank: ClassVar[int] = 8

    @property
    def key(self) -> str:
        return f"event trigger {self.trigger.name}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"fn:{self.trigger.function}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class EnableEventTrigger(Op):
    name: str
    enabled: bool
    template: ClassVar[str] = "event_triggers/enable_event_trigger.sql.j2"

    @property
    def key(self) -> str:
        return f"{'enable' if self.enabled else 'disable'} event trigger {self.name}"


def compare(d: Change) -> None:
    current = {e.name: e for e in d.current.event_triggers}
    desired = {e.name: e for e in d.desired.event_triggers}
    for e in d.authored.event_triggers:
        cur = current.get(e.name)
        want = desired.get(e.name, e)
        if cur is None or replace(cur, enabled=True, comment=None) != replace(want, enabled=True, comment=None):
            if cur is not None:
                d.add(e.origin, Drop(kind="event trigger", target=e.name))
            d.add(e.origin, CreateEventTrigger(trigger=e))
            continue
        if cur.enabled != want.enabled:
            d.add(e.origin, EnableEventTrigger(name=e.name, enabled=want.enabled))
        if cur.comment != want.comment:
            d.add(e.origin, Comment(target_kind="event trigger", target=e.name, text=e.comment))
    authored = {e.name for e in d.authored.event_triggers}
    for e in d.current.event_triggers:
        if e.name not in authored:
            d.add(None, Drop(kind="event trigger", target=e.name))
