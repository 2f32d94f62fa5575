"""YAML text for the few shapes `pull` writes: block mappings, one-line flow mappings and lists,
literal blocks for bodies. PyYAML is the reference (`reference_text`); the emitter here writes the
same text several times faster, deciding how to quote once per distinct value."""
from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml  # type: ignore[import-untyped]


class Flow(dict):  # type: ignore[type-arg]
    """Written on one line: {type: uuid, not_null: true}."""


class FlowList(list):  # type: ignore[type-arg]
    pass


class Block(str):
    """Written as a literal block scalar (function bodies, long expressions)."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml's emitter when present: ~10x faster
    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|"))


def _quoted(dumper: Any, value: str) -> yaml.ScalarNode:
    """SQL literals read better in double quotes ("'medium'") than with doubled single quotes."""
    style = '"' if "'" in value and '"' not in value and "\\" not in value and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _quoted)

# PyYAML's representer spends most of a 1000-table pull deciding, scalar by scalar, how to quote;
# the few shapes `pull` writes are emitted here instead, with the quoting decided once per
# distinct value (by PyYAML itself for anything but plain words). Tests hold the two equal.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.() -]*")
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def _scalar(value: Any, flow: bool) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _string(str(value), flow)


@cache
def _string(value: str, flow: bool) -> str:
    if _PLAIN.fullmatch(value) and not value.endswith(" ") and value.lower() not in _RESERVED:
        return value
    return _dumped([value])[1:-1] if flow else _dumped(value)


def _dumped(value: Any) -> str:
    """PyYAML's own spelling of one value, on one line."""
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=isinstance(value, list), width=4096, allow_unicode=True)
    return str(text).removesuffix("\n...\n").removesuffix("\n")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k, True)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, True)


def _block_scalar(text: str, indent: int) -> str | None:
    """A literal block (`|`), or None where PyYAML would not write one either."""
    lines = text.split("\n")
    if not text or "\r" in text or any(line != line.rstrip(" \t") or not line.replace("\t", "").isprintable() for line in lines):
        return None
    chomp = "-" if not text.endswith("\n") else "+" if text.endswith("\n\n") else ""
    if text.endswith("\n"):
        lines.pop()
    pad = " " * indent
    hint = "2" if text[0] in " \n" else ""
    return f"|{hint}{chomp}\n" + "\n".join(pad + line if line else "" for line in lines)


def emit(data: dict[str, Any], indent: int = 0, first: str | None = None) -> list[str]:
    """A block mapping; `first` prefixes its first line (`- ` of a list item)."""
    out: list[str] = []
    pad = " " * indent
    for k, v in data.items():
        lead = pad if first is None or out else first
        key = _scalar(k, False)
        if isinstance(v, (Flow, FlowList)) or (isinstance(v, (dict, list)) and not v):
            out.append(f"{lead}{key}: {_flow(v)}")
        elif isinstance(v, dict):
            out.append(f"{lead}{key}:")
            out += emit(v, indent + 2)
        elif isinstance(v, list):
            out.append(f"{lead}{key}:")
            for item in v:
                if isinstance(item, dict) and not isinstance(item, Flow):
                    out += emit(item, indent + 2, pad + "- ")
                else:
                    out.append(f"{pad}- {_flow(item)}")
        elif isinstance(v, Block):
            block = _block_scalar(str(v), indent + 2)
            out.append(f"{lead}{key}: {block if block is not None else _dumped(v)}")
        else:
            out.append(f"{lead}{key}: {_scalar(v, False)}")
    return out


def reference_text(document: dict[str, Any]) -> str:
    """The same document as PyYAML writes it: what the fast emitter must equal (tests hold it)."""
    return str(yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False))
