"""What PostgreSQL holds, as pg_dump prints it: the comparison every round-trip test makes, so a
test agrees with a tool other than ours about whether two databases are the same."""
from __future__ import annotations

import subprocess

from tickets_db.localdb import find_bindir


def schema_dump(url: str) -> list[str]:
    """pg_dump --schema-only as a sorted list of objects (each object's statements as written, but
    an object's grants in any order), without the tool's own bookkeeping schema."""
    text = subprocess.run(
        [str(find_bindir() / "pg_dump"), "--schema-only", "--exclude-schema=tickets_db", "-d", url],
        capture_output=True, text=True, check=True,
    ).stdout
    blocks = []
    for block in text.split("\n-- Name: ")[1:]:
        header, *rest = block.splitlines()
        lines = [line for line in rest if line.strip() and not line.startswith(("--", "\\restrict", "\\unrestrict"))]
        if "; Type: ACL;" in header:
            lines.sort()  # grants in the order they were made
        blocks.append("\n".join(lines))
    return sorted(blocks)


def dump_difference(a: list[str], b: list[str]) -> str:
    """The objects only one side has, for an assertion message a person can read."""
    only_a = [x for x in a if x not in b]
    only_b = [x for x in b if x not in a]
    return "only in the result:\n" + "\n\n".join(only_a) + "\n\nonly in the target:\n" + "\n\n".join(only_b)
