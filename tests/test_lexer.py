"""The lexer reads SQL as PostgreSQL's scanner does; each row is a place the old splitter
disagreed with PostgreSQL, or a shape an expression field must refuse."""
from __future__ import annotations

import pytest

from tickets_db.lexer import is_atom, shape_problem, tokens, top_level
from tickets_db.migrations import split_statements


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("select 1 -- a\rselect 2; select 3;", ["select 1 -- a\rselect 2;", "select 3;"]),  # a line comment ends at CR
        ("select a$$ ; select 2; $$;", ["select a$$ ;", "select 2;", "$$;"]),  # a$$ is a name, not a dollar quote
        ("select e'it\\'s; here'; select 2;", ["select e'it\\'s; here';", "select 2;"]),  # E'' keeps backslash escapes
        ("select 1 /* a /* nested; */ still; */; select 2;", ["select 1 /* a /* nested; */ still; */;", "select 2;"]),
        ('select U&"a;b"; select 2;', ['select U&"a;b";', "select 2;"]),
    ],
)
def test_split_agrees_with_postgres(sql, expected):
    assert [s.text for s in split_statements(sql)] == expected


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("a /*/ x; */;", [("name", "a"), ("space", " "), ("comment", "/*/ x; */"), ("punct", ";")]),  # `/*/` opens, never closes
        ("/**/", [("comment", "/**/")]),
        ("1 /* a */*2", [("number", "1"), ("space", " "), ("comment", "/* a */"), ("punct", "*"), ("number", "2")]),
        ("/* /* */ */ */", [("comment", "/* /* */ */"), ("space", " "), ("punct", "*"), ("punct", "/")]),  # nested
        ("1 /* a /* b */; 2;", [("number", "1"), ("space", " "), ("unterminated", "/* a /* b */; 2;")]),
        ("1 -- end", [("number", "1"), ("space", " "), ("comment", "-- end")]),  # at the end of the text
        ("1\f\v;\r\n-- c\r", [("number", "1"), ("space", "\f\v"), ("punct", ";"), ("space", "\r\n"), ("comment", "-- c"), ("space", "\r")]),
    ],
)
def test_comments_and_spaces_as_postgres_scans_them(sql, expected):
    """The runs the lexer finds by regex: whitespace, line comments, nested block comments."""
    found = list(tokens(sql))
    assert [(t.kind, t.text) for t in found] == expected
    assert "".join(t.text for t in found) == sql and [t.start for t in found] == [sum(len(u.text) for u in found[:i]) for i in range(len(found))]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("true); delete from public.tickets; select (true", "`)` closes more"),
        ("true; delete from public.tickets", "`;`"),
        ("true --\n) or (true", "comment"),
        ("(a = 1", "never closed"),
        ("'open", "never closed"),
        ("$$x", "never closed"),
        ("name = 'a;b' and \"x)\" = 1", None),
    ],
)
def test_shape_problem(text, problem):
    found = shape_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    "text, atom",
    [("now()", True), ("'x'::text", True), ("-1", True), ("auth.uid()", True), ("'{}'::text[]", True),
     ("0 primary key", False), ("1, x int", False), ("a + b", False), ("'a'::timestamp with time zone", False)],
)
def test_is_atom(text, atom):
    assert is_atom(text) is atom


def test_top_level_skips_what_parentheses_hold():
    assert [t.text for t in top_level("lower(a, b) desc")] == ["lower", "desc"]


def test_name_characters_are_postgresqls_over_every_code_point():
    """The name patterns are written as what they exclude (fast to compile); they must take
    exactly ident_start = A-Z a-z _ and non-ASCII, ident_cont = those plus digits and `$`."""
    from tickets_db.lexer import _DOLLAR, _WORD

    for i in range(0x110000):
        ch = chr(i)
        start = ch.isascii() and (ch.isalpha() or ch == "_") or not ch.isascii()
        cont = start or ch.isdigit() and ch.isascii() or ch == "$"
        assert bool(_WORD.fullmatch(ch)) == start, hex(i)
        assert bool(_WORD.fullmatch("a" + ch)) == cont, hex(i)
        assert bool(_DOLLAR.fullmatch(f"$a{ch}$")) == (cont and ch != "$"), hex(i)
