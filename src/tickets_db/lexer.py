"""SQL text as PostgreSQL's scanner sees it: strings, quoted names, dollar quotes and (nested)
comments are single tokens, so a `;` or `)` inside them is never taken for one outside. The
statement splitter and the check that a YAML expression is exactly one expression both read
through here; they must agree with PostgreSQL, or text could end a statement PostgreSQL
continues (or the other way round)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, NamedTuple

# PostgreSQL: ident_start [A-Za-z\200-\377_], ident_cont adds digits and `$` — so `a$$` is a
# name, not the start of a dollar quote. Written as what they exclude of ASCII (every non-ASCII
# character is in): the same sets as [A-Za-z_\u0080-\U0010ffff], which take re 20 ms to compile.
_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"  # A-Z a-z _ and non-ASCII
_WORD = re.compile(_START + r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*")  # … digits, $
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DOLLAR = re.compile(r"\$(" + _START + r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*)?\$")  # … digits
_PARAM = re.compile(r"\$\d+")
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_LINE_COMMENT = re.compile(r"--[^\n\r]*")  # PostgreSQL ends a line comment at either
_COMMENT_EDGE = re.compile(r"/\*|\*/")  # block comments nest


class Token(NamedTuple):
    """A tuple, not a frozen dataclass: the lexer makes one per token of every migration, and a
    frozen dataclass's __init__ costs several times a tuple's."""

    kind: str  # space | comment | string | name | quoted | dollar | number | punct
    text: str
    start: int
    line: int


def _quoted_end(text: str, i: int, quote: str, escapes: bool = False) -> int:
    """Where a quoted token opened just before `i` ends (doubled quotes stay inside), or -1."""
    n = len(text)
    while i < n:
        if escapes and text[i] == "\\":
            i += 2
        elif text[i] == quote:
            if not text.startswith(quote, i + 1):
                return i + 1
            i += 2
        else:
            i += 1
    return -1


def tokens(text: str) -> Iterator[Token]:
    """Every token of `text`, in order. An unterminated string, name, dollar quote or comment
    runs to the end as one token of kind `unterminated` (PostgreSQL then reports it)."""
    i, n, line = 0, len(text), 1
    while i < n:
        ch = text[i]
        start = i
        if ch in " \t\n\r\f\v":
            i, kind = _SPACE.match(text, i).end(), "space"  # type: ignore[union-attr]
        elif text.startswith("--", i):
            i, kind = _LINE_COMMENT.match(text, i).end(), "comment"  # type: ignore[union-attr]
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while depth and (edge := _COMMENT_EDGE.search(text, i)):
                depth, i = depth + (1 if edge.group() == "/*" else -1), edge.end()
            i, kind = (n, "unterminated") if depth else (i, "comment")
        elif (quote := _opening(text, i)) is not None:
            at = text.index(quote, i) + 1
            end = _quoted_end(text, at, quote, escapes=quote == "'" and ch in "eE")
            i, kind = (n, "unterminated") if end == -1 else (end, "string" if quote == "'" else "quoted")
        elif ch == "$" and (m := _DOLLAR.match(text, i)):
            tag = m.group(0)
            end = text.find(tag, m.end())
            i, kind = (n, "unterminated") if end == -1 else (end + len(tag), "dollar")
        elif ch == "$" and (m := _PARAM.match(text, i)):
            i, kind = m.end(), "name"
        elif m := _WORD.match(text, i):
            i, kind = m.end(), "name"
        elif m := _NUMBER.match(text, i):
            i, kind = m.end(), "number"
        else:
            i, kind = i + 1, "punct"
        yield Token(kind, text[start:i], start, line)
        line += text.count("\n", start, i)


def _opening(text: str, i: int) -> str | None:
    """The quote character when a string or quoted name starts at `i` (with its prefix: E'',
    U&'', B'', X'', N'', U&"")."""
    ch = text[i]
    if ch in "'\"":
        return ch
    if ch in "eEbBxXnN" and text.startswith("'", i + 1):
        return "'"
    if ch in "uU" and text.startswith("&", i + 1) and text[i + 2 : i + 3] in ("'", '"'):
        return text[i + 2]
    return None


@lru_cache(maxsize=8192)
def token_list(text: str) -> tuple[Token, ...]:
    """tokens(text), remembered: a schema repeats its defaults and types a thousand times."""
    return tuple(tokens(text))


@lru_cache(maxsize=8192)  # a schema repeats its defaults and types a thousand times
def shape_problem(text: str, comments: bool = False) -> str | None:
    """Why `text` cannot stand as one expression between parentheses, or None: a `;` outside
    strings and names, a `)` with no `(` before it, a `(` never closed, or a comment (which
    could swallow the closing parenthesis a template puts after it; with `comments`, only a
    line comment at the very end)."""
    depth = 0
    last: Token | None = None
    for t in token_list(text):
        if t.kind != "space":
            last = t
        if t.kind == "comment" and not comments:
            return "it holds an SQL comment (`--` or `/*`)"
        if t.kind == "unterminated":
            return "a quote or comment is never closed"
        if t.kind == "punct":
            if t.text == ";":
                return "it holds a `;` (one expression, never several statements)"
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                depth -= 1
                if depth < 0:
                    return "a `)` closes more than it opened"
    if depth:
        return "a `(` is never closed"
    if last is not None and last.kind == "comment" and last.text.startswith("--"):
        return "it ends in a `--` comment, which would hide what follows it"
    return None


def is_atom(text: str) -> bool:
    """Whether `text` is one value that no keyword can follow in DDL: a literal, a name, a call
    or a parenthesized expression, with casts (`'x'::text`, `now()`, `-1`, `auth.uid()`).
    Anything else is placed in parentheses, so `default 0 primary key` cannot add a key."""
    parts = [t for t in token_list(text) if t.kind != "space"]
    i = 0

    def group() -> bool:
        nonlocal i
        if i < len(parts) and parts[i].text == "(":
            depth = 0
            while i < len(parts):
                depth += {"(": 1, ")": -1}.get(parts[i].text, 0) if parts[i].kind == "punct" else 0
                i += 1
                if depth == 0:
                    return True
            return False
        return True

    def dotted() -> bool:
        nonlocal i
        if i >= len(parts) or parts[i].kind not in ("name", "quoted"):
            return False
        i += 1
        while i + 1 < len(parts) and parts[i].text == "." and parts[i + 1].kind in ("name", "quoted"):
            i += 2
        return True

    if parts and parts[0].kind == "punct" and parts[0].text in "+-":
        i += 1
    if i >= len(parts):
        return False
    if parts[i].kind in ("string", "number", "dollar"):
        i += 1
    elif parts[i].text == "(":
        if not group():
            return False
    elif not (dotted() and group()):
        return False
    while i + 1 < len(parts) and parts[i].text == ":" and parts[i + 1].text == ":":
        i += 2
        if not (dotted() and group()):
            return False
        while i + 1 < len(parts) and parts[i].text == "[" and parts[i + 1].text == "]":
            i += 2
    return i == len(parts)


def top_level(text: str) -> list[Token]:
    """The tokens outside every parenthesis (spaces and comments left out)."""
    out, depth = [], 0
    for t in token_list(text):
        if t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
        elif depth == 0 and t.kind not in ("space", "comment"):
            out.append(t)
    return out
