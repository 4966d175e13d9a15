"""Reading one YAML file as plain data plus the line of every value, for errors that point at the line.

Authors are clinicians, not programmers, so the loader is stricter and plainer than YAML's defaults:
only `true`/`false` are booleans (no "Norway problem": `no` stays the string "no"), dates stay strings,
and a key written twice in one mapping is an error instead of a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PathKey = tuple[str | int, ...]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans, no implicit timestamps, and duplicate-key detection."""


# Drop the YAML 1.1 resolvers that surprise authors (yes/no/on/off as booleans, dates as datetime).
_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlSyntaxError(Exception):
    """The file is not valid YAML, or repeats a key; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDocument:
    """The data of one YAML file and the 1-based line where each path (keys and indexes) starts."""

    path: Path
    data: Any
    lines: dict[PathKey, int]

    def line_of(self, key: PathKey) -> int:
        """The line of the deepest part of `key` that exists in the file (the file's first line at worst)."""
        for end in range(len(key), -1, -1):
            line = self.lines.get(key[:end])
            if line is not None:
                return line
        return 1


def read_yaml(path: Path) -> YamlDocument:
    """Parse `path`; raise YamlSyntaxError with the line of the first problem."""
    text = path.read_text(encoding="utf-8")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, None, {(): 1})
        _reject_duplicate_keys(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, f"not valid YAML: {err.problem or err.context}") from err
    finally:
        loader.dispose()
    lines: dict[PathKey, int] = {}
    _record_lines(node, (), lines)
    return YamlDocument(path, data, lines)


def _reject_duplicate_keys(node: Node) -> None:
    if isinstance(node, MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise YamlSyntaxError(
                        line, f"key '{key_node.value}' appears twice (first on line {seen[key_node.value]})"
                    )
                seen[key_node.value] = line
            _reject_duplicate_keys(value_node)
    elif isinstance(node, SequenceNode):
        for child in node.value:
            _reject_duplicate_keys(child)


def _record_lines(node: Node, key: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            child = (*key, str(key_node.value))
            # An error about a field reads best at the field's key, not at its (possibly multi-line) value.
            lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines)
    elif isinstance(node, SequenceNode):
        for index, value_node in enumerate(node.value):
            _record_lines(value_node, (*key, index), lines)
