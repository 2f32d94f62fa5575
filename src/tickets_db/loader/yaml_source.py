"""YAML reading that remembers the file and line of every mapping key and list item, so each
validation error can point at the exact place. Duplicate keys are an error (PyYAML would
silently keep the last one)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from ..errors import SchemaError
from ..textfile import read_utf8


_STR, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:bool"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's loader when PyYAML has it (~10x faster on big schemas, same nodes and line
    marks), with the implicit-tag resolution (Python, per scalar) remembered per value: a big
    schema repeats `text`, `uuid`, `true` thousands of times. Booleans are YAML 1.2's, `true`
    and `false` only: the language has a key `on` (default privileges), and YAML 1.1 would read
    it, and `yes`, `no`, `off`, as a boolean (editors' YAML servers already read 1.2)."""

    _resolved: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, tuple(implicit))
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if tag == _BOOL and value.lower() not in ("true", "false"):
                tag = _STR
            self._resolved[key] = tag
        return tag


LOADER = _Loader


class YMap(dict[str, Any]):
    """A mapping with the line of each key (1-based)."""

    file: str
    line: int
    lines: dict[str, int]


class YList(list[Any]):
    file: str
    line: int
    lines: list[int]


def _scalar(node: yaml.Node, ctor: yaml.constructor.SafeConstructor) -> Any:
    """Plain strings directly (most of a schema): the constructor's bookkeeping per scalar was
    half the time of reading a big file."""
    if node.tag == _STR:
        return node.value
    return ctor.construct_object(node)


# An alias makes YAML a graph: a file of a few hundred bytes can name one list a billion times
# (an "alias bomb", or a list that holds itself). Construction is bounded: this many nodes per
# byte of the file (a schema's aliases share defaults, they do not multiply them), and so deep.
NODES_PER_BYTE = 4
MIN_NODES = 10_000
MAX_DEPTH = 100


class _Budget:
    def __init__(self, file: str, size: int):
        self.file, self.left = file, max(MIN_NODES, NODES_PER_BYTE * size)
        self.path: set[int] = set()  # the nodes being built: meeting one again is a cycle

    def enter(self, node: yaml.Node) -> None:
        self.left -= 1
        line = node.start_mark.line + 1
        if self.left < 0:
            raise SchemaError(self.file, line, None, "the YAML's aliases expand to far more than the file holds (an alias bomb?)", "write the values out, or use fewer nested aliases")
        if id(node) in self.path:
            raise SchemaError(self.file, line, None, "an alias refers to a node that contains it (a cycle)", "an anchor (&name) cannot be used (*name) inside itself")
        if len(self.path) >= MAX_DEPTH:
            raise SchemaError(self.file, line, None, f"the YAML is nested more than {MAX_DEPTH} levels deep", "flatten it")
        self.path.add(id(node))


def _construct(node: yaml.Node, file: str, ctor: yaml.constructor.SafeConstructor, budget: _Budget) -> Any:
    if type(node) is yaml.ScalarNode:
        budget.left -= 1
        return _scalar(node, ctor)
    budget.enter(node)
    try:
        return _collection(node, file, ctor, budget)
    finally:
        budget.path.discard(id(node))


def _collection(node: yaml.Node, file: str, ctor: yaml.constructor.SafeConstructor, budget: _Budget) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.file, out.line, out.lines = file, node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SchemaError(file, key_node.start_mark.line + 1, None, "mapping keys must be plain names")
            key = _scalar(key_node, ctor)
            key = "" if key is None else str(key) if not isinstance(key, str) else key
            if key in out:
                raise SchemaError(
                    file,
                    key_node.start_mark.line + 1,
                    key,
                    f"duplicate key `{key}` (first at line {out.lines[key]})",
                    "each name may appear once; merge the two entries or rename one",
                )
            out[key] = _construct(value_node, file, ctor, budget)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = YList()
        seq.file, seq.line, seq.lines = file, node.start_mark.line + 1, []
        for item in node.value:
            seq.append(_construct(item, file, ctor, budget))
            seq.lines.append(item.start_mark.line + 1)
        return seq
    return _scalar(node, ctor)


def read_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML file into YMap/YList/scalars; malformed YAML is a SchemaError with its line."""
    name = display or str(path)
    text = read_utf8(path, name)
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise SchemaError(name, line, None, f"malformed YAML: {e.problem or e}", "check indentation and quoting near this line") from None
    except yaml.YAMLError as e:  # e.g. a character YAML does not allow (a control character)
        raise SchemaError(name, None, None, f"malformed YAML: {' '.join(str(e).split())}", "check the file's characters and structure") from None
    if node is None:
        return YMap()
    ctor = yaml.SafeLoader("")
    try:
        return _construct(node, name, ctor, _Budget(name, len(text.encode())))
    except yaml.YAMLError as e:  # a scalar that does not construct (an out-of-range date…)
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        raise SchemaError(name, mark.line + 1 if mark else None, None, f"malformed YAML: {getattr(e, 'problem', None) or e}", "quote the value to keep it as text") from None
