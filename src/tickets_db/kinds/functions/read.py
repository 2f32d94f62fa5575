"""Rows of functions.sql → the model."""
from __future__ import annotations

from typing import Any

from ...model import LIST_SETTINGS, Argument, Function, Grant

VOLATILITY = {"v": "volatile", "s": "stable", "i": "immutable"}
MODES = {"i": "in", "o": "out", "b": "inout", "v": "variadic", "t": "table"}


def _setting(name: str, value: str) -> tuple[str, str]:
    if name not in LIST_SETTINGS:
        return name, value
    items = [item.strip() for item in value.split(",")] if value else []
    names = [i[1:-1].replace('""', '"') if len(i) >= 2 and i.startswith('"') and i.endswith('"') else i for i in items]
    return name, ", ".join(n for n in names if n)


def function(f: dict[str, Any]) -> Function:
    names, types, modes, defaults = f["arg_names"], f["arg_types"], f["arg_modes"], f["arg_defaults"]
    args, table = [], []
    for i, typ in enumerate(types):
        mode = MODES[modes[i]] if modes else "in"
        name = names[i] if i < len(names) and names[i] else None
        if mode == "table":
            table.append((name or "", typ))
        else:
            args.append(Argument(name, typ, defaults[i], mode))
    config = tuple(_setting(*c.split("=", 1)) for c in f["config"])
    return Function(
        f["schema"],
        f["name"],
        tuple(args),
        None if table or f["procedure"] else f["returns"],
        f["body"],
        language=f["language"],
        returns_table=tuple(table),
        returns_set=f["returns_set"],
        volatility=VOLATILITY[f["volatility"]],
        security_definer=f["security_definer"],
        strict=f["strict"],
        config=config,
        grants=tuple(Grant(r, ("execute",)) for r in f["execute"]),
        comment=f["comment"],
        procedure=f["procedure"],
    )
