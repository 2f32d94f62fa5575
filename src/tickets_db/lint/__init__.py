"""Security and performance lint: the rules of rules.py over a Catalog (from the YAML or a live
database), plus checks only a database can answer (migration hazards against real table sizes).
Exceptions are justified in the YAML (`lint_ignore: {rule: why}`) and apply to both sources."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Catalog
from .rules import DATABASE_RULES, RULES

SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    object: str
    message: str
    hint: str
    origin: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, str | None]:
        return {"rule": self.rule, "severity": self.severity, "object": self.object, "message": self.message, "hint": self.hint, "at": self.origin}


def ignores(authored: Catalog) -> dict[tuple[str, str], str]:
    """(object, rule) → why, from the YAML's lint_ignore entries."""
    out: dict[tuple[str, str], str] = {}
    for kind, objects in (("table", authored.tables), ("function", authored.functions), ("view", authored.views)):
        for o in objects:
            for rule, why in o.lint_ignore:
                out[(f"{kind} {o.qualname}", rule)] = why
    return out


def _owner(obj: str) -> str:
    """A policy's findings are excused by its table's lint_ignore."""
    if obj.startswith("policy "):
        return "table " + obj.removeprefix("policy ").rsplit(".", 1)[0]
    return obj


def lint(catalog: Catalog, excused: dict[tuple[str, str], str] | None = None, only: set[str] | None = None) -> list[Finding]:
    excused = excused or {}
    findings = []
    for r in RULES.values():
        if only and r.id not in only:
            continue
        for obj, detail, origin in r.check(catalog):
            if (obj, r.id) in excused or (_owner(obj), r.id) in excused:
                continue
            findings.append(Finding(r.id, r.severity, obj, f"{detail}: {r.why}", r.hint, origin))
    return sort(findings)


def sort(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.object, f.message))


def rule_table() -> list[tuple[str, str, str, str, str]]:
    """(id, severity, what, why, fix) of every rule, model rules first, then migration rules."""
    rows = [(r.id, r.severity, r.title, r.why, r.hint) for r in RULES.values()]
    return rows + [(rid, sev, title, why, hint) for rid, (sev, title, why, hint) in DATABASE_RULES.items()]
