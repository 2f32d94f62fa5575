"""Python names for database names: classes singular and PascalCase (`support.tickets` →
`Ticket`), fields as the column names (psycopg's class_row passes columns as keywords, so a
field must keep its column's name wherever Python allows it)."""
from __future__ import annotations

import keyword
import re

WORD = re.compile(r"[A-Za-z0-9]+")
IRREGULAR = {"people": "person", "children": "child", "data": "data", "news": "news", "series": "series"}


def singular(word: str) -> str:
    low = word.lower()
    if low in IRREGULAR:
        return _keep_case(word, IRREGULAR[low])
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("uses", "us")):
        if low.endswith(suffix) and len(low) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 2:
        return word[:-1]
    return word


def _keep_case(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement


def pascal(name: str, singularize: bool = False) -> str:
    """`ticket_messages` → `TicketMessage` (singular), `app_permissions` → `AppPermissions`."""
    words = WORD.findall(name) or ["X"]
    if singularize:
        words[-1] = singular(words[-1])
    text = "".join(w[:1].upper() + w[1:] for w in words)
    return f"T{text}" if text[0].isdigit() else text


def field_name(column: str) -> str:
    """The column name when it is a Python identifier; else the closest one (`from` → `from_`)."""
    name = column if column.isidentifier() else re.sub(r"\W", "_", column)
    if name[:1].isdigit():
        name = f"_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def member_name(value: str) -> str:
    """Enum labels as constants: `tickets.update` → `TICKETS_UPDATE`, `in_app` → `IN_APP`."""
    name = re.sub(r"\W+", "_", value).strip("_").upper() or "EMPTY"
    return f"V_{name}" if name[0].isdigit() else name


def unique(names: list[str]) -> list[str]:
    """Tell apart names that came out equal (`A`, `A` → `A`, `A_2`), keeping the first as is."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out
