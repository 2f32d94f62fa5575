"""Reading the project's text files (YAML, migrations, seeds, pgTAP, raw SQL, the config): UTF-8
or one clear error naming the file, the byte and where it is — never a UnicodeDecodeError."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError, TicketsDbError


class NotUtf8(TicketsDbError):
    """A project file that is not UTF-8 text (saved as latin-1, a binary file…)."""

    exit_code = 2


def read_utf8(path: Path, shown: str | None = None) -> str:
    """The file's text, without a leading byte-order mark (PostgreSQL would read it as part of
    the first statement)."""
    name = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {name}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise NotUtf8(
            f"{name}:{line}: byte 0x{data[e.start]:02x} at offset {e.start} (line {line}, column {column}) is not UTF-8"
            "\n  hint: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
        ) from None
    return text.removeprefix("\ufeff")


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` whole: written beside it, then renamed over it, so a process
    killed meanwhile leaves the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
