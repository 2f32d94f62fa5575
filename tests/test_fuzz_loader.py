"""The loader on anything a pull request can hold: arbitrary bytes, YAML of any shape built from
the language's own words, the project's files cut and shuffled, aliases. Each input loads or is
one of the tool's errors (file, line, what is wrong) — never another exception — within a
bounded time and memory; what loads is linted and rendered as a migration without one either."""
from __future__ import annotations

import copy
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from tickets_db.diff import diff
from tickets_db.errors import TicketsDbError
from tickets_db.lint import lint
from tickets_db.loader import load
from tickets_db.model import Catalog
from tickets_db.render import render_migration

from .conftest import ROOT

WORDS = ["schemas", "tables", "columns", "type", "primary_key", "not_null", "default", "references", "on_delete",
         "unique", "check", "indexes", "grants", "rls", "policies", "command", "using", "with_check", "roles",
         "functions", "name", "returns", "body", "language", "arguments", "triggers", "events", "function", "views",
         "query", "enums", "values", "rows", "key", "external", "comment", "renamed_from", "public.t", "app", "app.t",
         "id", "uuid", "text", "integer", "select", "all", "authenticated", "anon", "true", "", "0", "-", "*", "&a", "*a"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.sampled_from(WORDS) | st.text(max_size=12)
SHAPES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), inner, max_size=5), max_leaves=40)
PROJECT_FILES = sorted((ROOT / "schema").rglob("*.yaml"))
PROJECT_LINES = [line for p in PROJECT_FILES for line in p.read_text().splitlines()]
PROJECT_DOCS = {p.relative_to(ROOT / "schema"): yaml.safe_load(p.read_text()) for p in PROJECT_FILES}

LIMIT_SECONDS = 5
LIMIT_BYTES = 200 * 1024 * 1024


def loads_or_refuses(folder: Path, data: bytes, name: str = "s.yaml", others: dict[Path, str] | None = None) -> None:
    schema = folder / "schema"
    schema.mkdir(exist_ok=True)
    for rel, text in (others or {}).items():
        (schema / rel).parent.mkdir(parents=True, exist_ok=True)
        (schema / rel).write_text(text)
    (schema / name).parent.mkdir(parents=True, exist_ok=True)
    (schema / name).write_bytes(data)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        catalog = load(schema, folder)
        lint(catalog)  # what loads goes on through the pipeline's pure steps without a traceback
        render_migration(diff(Catalog(), catalog).ops, "fuzz")
    except TicketsDbError as e:
        assert "schema" in str(e) or ".yaml" in str(e)  # the error names the file
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < LIMIT_SECONDS
    assert peak < LIMIT_BYTES


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes(tmp_path_factory, data):
    loads_or_refuses(tmp_path_factory.mktemp("bytes"), data)


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(WORDS), SHAPES, max_size=6))
def test_any_shape_of_the_languages_words(tmp_path_factory, doc):
    loads_or_refuses(tmp_path_factory.mktemp("shape"), yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True).encode())


@FUZZ
@given(picks=st.lists(st.integers(0, len(PROJECT_LINES) - 1), min_size=1, max_size=60), indent=st.integers(0, 3))
def test_the_projects_lines_cut_and_shuffled(tmp_path_factory, picks, indent):
    text = "\n".join(" " * indent * (i % 2) + PROJECT_LINES[i] for i in picks) + "\n"
    loads_or_refuses(tmp_path_factory.mktemp("lines"), text.encode())


@FUZZ
@given(levels=st.integers(1, 12), width=st.integers(1, 12), leaf=st.sampled_from(["lol", "{type: text}", "[a, b]"]))
def test_aliases_nested_any_way(tmp_path_factory, levels, width, leaf):
    lines = [f"a0: &a0 [{', '.join([leaf] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    loads_or_refuses(tmp_path_factory.mktemp("alias"), ("\n".join(lines) + "\n").encode())


def _mutate(doc: Any, data: st.DataObject) -> Any:
    """One change somewhere in `doc`: a value replaced by any shape, a key removed or added."""
    if not isinstance(doc, (dict, list)) or not doc or data.draw(st.integers(0, 3)) == 0:
        return data.draw(SHAPES)
    if isinstance(doc, dict):
        key = data.draw(st.sampled_from(sorted(doc, key=str)))
        action = data.draw(st.sampled_from(["descend", "descend", "descend", "drop", "add"]))
        if action == "drop":
            del doc[key]
        elif action == "add":
            doc[data.draw(st.sampled_from(WORDS) | st.text(max_size=6))] = data.draw(SHAPES)
        else:
            doc[key] = _mutate(doc[key], data)
        return doc
    i = data.draw(st.integers(0, len(doc) - 1))
    doc[i] = _mutate(doc[i], data)
    return doc


@FUZZ
@given(data=st.data())
def test_the_projects_yaml_changed_anywhere(tmp_path_factory, data):
    """Deep in the language, where the validator has the most to say: the project's own files,
    one of them changed in one to three places."""
    name = data.draw(st.sampled_from(sorted(PROJECT_DOCS)))
    doc = copy.deepcopy(PROJECT_DOCS[name])
    for _ in range(data.draw(st.integers(1, 3))):
        doc = _mutate(doc, data)
    others = {rel: (ROOT / "schema" / rel).read_text() for rel in PROJECT_DOCS if rel != name}
    text = yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True)
    loads_or_refuses(tmp_path_factory.mktemp("project"), text.encode(), str(name), others)
