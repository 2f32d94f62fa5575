"""Rows of triggers.sql → the model."""
from __future__ import annotations

from typing import Any

from ...model import Trigger, TriggerEvent


def trigger(t: dict[str, Any]) -> Trigger:
    bits = t["type"]
    timing = "instead of" if bits & 64 else "before" if bits & 2 else "after"
    events = []
    for bit, name in ((4, "insert"), (16, "update"), (8, "delete"), (32, "truncate")):
        if bits & bit:
            events.append(TriggerEvent(name, tuple(t["columns"]) if name == "update" else ()))
    definition: str = t["definition"]
    when = None
    start = definition.find(" WHEN (")
    if start != -1:
        end = definition.rfind(") EXECUTE ")
        when = definition[start + len(" WHEN (") : end]
    return Trigger(t["name"], timing, tuple(events), t["function"], "row" if bits & 1 else "statement", when, tuple(t["arguments"]), comment=t["comment"])
