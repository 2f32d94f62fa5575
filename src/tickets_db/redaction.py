"""Secrets are never printed. Every connection string the tool is given (flags, environment,
tickets-db.toml) is remembered with its secrets, and everything the CLI prints — results,
errors, the --debug traceback — passes through `scrub`, which masks them wherever they appear,
plus anything shaped like a secret (a URL's password, `password=…`). Passwords are found the
way our URL reading sees them and the way libpq does: an unencoded `@` in a password makes
libpq take its tail for the host name, which its error messages then print."""
from __future__ import annotations

import os
import re
from typing import Callable, TextIO
from urllib.parse import unquote

MASK = "***"
_MIN = 3  # a shorter secret would mask ordinary words; its shapes are still masked
_known: set[str] = set()

_URL = re.compile(r"\bpostgres(?:ql)?://[^\s'\"<>`]*", re.I)
_SECRET_PARAM = re.compile(r"\b((?:ssl)?password)(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"`]+)", re.I)
_CUTS = re.compile(r"[@/:?#&'\\\s]")


def _userinfo(url: str) -> tuple[str, str | None, str]:
    """(user, password or None, what follows the userinfo) of `scheme://user:password@rest`; the
    userinfo ends at the last `@`, so an unencoded `@` stays inside the password."""
    rest = url.split("://", 1)[1]
    at = rest.rfind("@")
    if at < 0:
        return "", None, rest
    user, sep, password = rest[:at].partition(":")
    return user, password if sep else None, rest[at + 1:]


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def remember(conninfo: str | None) -> None:
    """Learn the secrets of a URL or key=value connection string given to the tool: each
    password as written and as decoded, and its pieces wherever a parser could cut it."""
    if not conninfo:
        return
    passwords: set[str] = set()
    for m in _SECRET_PARAM.finditer(conninfo):
        passwords |= {m.group(3), _unquoted(m.group(3)), unquote(m.group(3))}
    tails: set[str] = set()
    if "://" in conninfo:
        _, password, rest = _userinfo(conninfo)
        if password is not None:
            passwords |= {password, unquote(password)}
            if "@" in password:  # libpq ends the userinfo at the first `@`: the rest is its "host"
                host = rest.split("/", 1)[0].split("?", 1)[0]
                tail = password.split("@", 1)[1]
                tails |= {f"{tail}@{host}", f"{tail}@{host.split(':', 1)[0]}"}
    pieces = {piece for p in passwords for piece in _CUTS.split(p)}
    _known.update(s for s in passwords | pieces | tails if len(s) >= _MIN)


def remember_environment() -> None:
    """The secrets libpq would read from the environment, and the URLs the tool reads there."""
    for name in ("DATABASE_URL", "TICKETS_DB_SHADOW_URL"):
        remember(os.environ.get(name))
    password = os.environ.get("PGPASSWORD")
    if password and len(password) >= _MIN:
        _known.add(password)


def _mask_url(m: re.Match[str]) -> str:
    url = m.group(0)
    user, password, rest = _userinfo(url)
    if password is not None:
        url = url.split("://", 1)[0] + "://" + user + ":" + MASK + "@" + rest
    return url


def scrub(text: str) -> str:
    """`text` with every known secret, and anything shaped like one, masked."""
    text = _URL.sub(_mask_url, text)  # first: a URL keeps its host readable
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact(conninfo: str) -> str:
    """A connection string fit to print: its secrets masked (and remembered)."""
    remember(conninfo)
    return scrub(conninfo)


class ScrubbedStream:
    """A text stream (resolved when written to, so a test's capture is honoured) whose every
    write is scrubbed: what rich prints reaches the terminal only through here."""

    def __init__(self, stream: Callable[[], TextIO]):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream().write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self._stream().flush()

    def isatty(self) -> bool:
        return self._stream().isatty()

    def fileno(self) -> int:
        return self._stream().fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream(), "encoding", "utf-8") or "utf-8"
