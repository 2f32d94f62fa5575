"""Reading the SQL expressions the YAML holds (policies, checks, defaults, trigger `when`) with
sqlglot: one parser setting, one answer for what cannot be read, for the validator, lint and
pull. An expression sqlglot cannot read is left to PostgreSQL to judge. sqlglot is imported at
the first expression read (~90 ms): a schema without one, or a command that reads none, never
pays it."""
from __future__ import annotations

from typing import Any



def parse(text: str | None) -> Any:
    """The expression's tree (sqlglot's node type), or None when there is none or it cannot be read."""
    if not text:
        return None
    import sqlglot

    try:
        return sqlglot.parse_one(text, read="postgres")
    except Exception:  # sqlglot raises several types for unreadable input
        return None


def qualified_calls(tree: Any) -> list[str]:
    """The schema-qualified functions an expression calls (`auth.uid`), in the order written."""
    from sqlglot import exp

    return [
        f"{dot.this.name}.{dot.expression.name}"
        for dot in tree.find_all(exp.Dot)
        if isinstance(dot.expression, exp.Anonymous) and isinstance(dot.this, exp.Identifier)
    ]


def concurrent_index_name(statement: str) -> str | None:
    """For `create index concurrently`, the index's name qualified by its table's schema (where
    PostgreSQL puts it), quoted for to_regclass; None for any other statement."""
    if not statement.lstrip()[:6].lower() == "create" or "concurrently" not in statement.lower():
        return None
    from sqlglot import exp

    tree = parse(statement)
    if not isinstance(tree, exp.Create) or tree.args.get("kind") != "INDEX" or not tree.args.get("concurrently"):
        return None
    index = tree.this
    table = index.args.get("table") if isinstance(index, exp.Index) else None
    if not isinstance(index, exp.Index) or index.this is None or not isinstance(table, exp.Table):
        return None
    schema = table.args.get("db")
    return exp.Table(this=index.this.copy(), db=schema.copy() if schema is not None else None).sql("postgres")
