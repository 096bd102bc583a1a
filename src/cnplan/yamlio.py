"""Reading YAML written by users and strangers: one loader for plans, experiments and uploads.

PyYAML's ``safe_load`` refuses arbitrary objects but not size: nested aliases let a 300-byte
file stand for billions of nodes (an "alias bomb"), and 5,000 nested brackets overflow the
recursion of its composer. The YAML is composed first (aliases stay shared, so composing is
cheap), then measured with every alias expanded; a document deeper than
:data:`~cnplan.limits.YAML_MAX_DEPTH` or larger than :data:`~cnplan.limits.YAML_MAX_NODES` is
refused before anything (pydantic, an error formatter) can walk the expanded tree.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from cnplan.errors import CnplanError
from cnplan.limits import YAML_MAX_DEPTH, YAML_MAX_NODES


class YamlError(CnplanError, ValueError):
    """The text is not YAML cnplan can read; the message says where (line, column) and why."""


class _Loader(yaml.SafeLoader):
    """A safe loader that stops composing past the depth limit (the composer recurses)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError(f"{_where(mark)}: nested more than {YAML_MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(top level)"


def _measure(root: Node) -> None:
    """Refuse ``root`` if, with aliases expanded, it is too deep, too large or recursive."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, expanded depth)
    open_nodes: set[int] = set()

    def visit(node: Node) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise YamlError(f"{_where(node.start_mark)}: an alias refers to a node that contains "
                            "it (a recursive structure)")
        open_nodes.add(key)
        total, depth = 1, 0
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        for child in children:
            n, d = visit(child)
            total, depth = total + n, max(depth, d)
            if total > YAML_MAX_NODES or depth >= YAML_MAX_DEPTH:
                _too_big(node, total, depth)
        open_nodes.discard(key)
        sizes[key] = (total, depth + 1)
        return sizes[key]

    visit(root)


def _too_big(node: Node, total: int, depth: int) -> None:
    where = _where(node.start_mark)
    if depth >= YAML_MAX_DEPTH:
        raise YamlError(f"{where}: with its aliases expanded this is nested more than "
                        f"{YAML_MAX_DEPTH} levels deep")
    raise YamlError(f"{where}: with its aliases expanded this holds more than "
                    f"{YAML_MAX_NODES:,} values (aliases that repeat aliases?); at most "
                    f"{YAML_MAX_NODES:,}")


_QUOTED_OR_COMMENT = re.compile(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*")
_BRACKET = re.compile(r"[\[\]{}]")


def _flow_depth_problem(text: str) -> str | None:
    """Refuse deeply nested flow brackets before PyYAML scans them: its scanner takes time
    quadratic in the nesting (5,000 ``[`` take seconds) before the composer's limit is hit.
    Quoted strings and comments are left out of the count.
    """
    depth = 0
    bare = _QUOTED_OR_COMMENT.sub("", text)
    for m in _BRACKET.finditer(bare):
        depth += 1 if m.group() in "[{" else -1
        if depth > YAML_MAX_DEPTH:
            line = bare.count("\n", 0, m.start()) + 1
            column = m.start() - bare.rfind("\n", 0, m.start())
            return (f"line {line}, column {column}: nested more than {YAML_MAX_DEPTH} levels "
                    "deep")
    return None


def load_yaml(text: str) -> Any:
    """Parse one YAML document, bounded in depth and expanded size; raise YamlError if not.

    The message is located (line and column) and never repeats the input beyond the short
    snippet PyYAML shows for a syntax error.
    """
    if isinstance(text, str) and (problem := _flow_depth_problem(text)):
        raise YamlError(problem)
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before parsing
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node)
        return loader.construct_document(node)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"{_where(mark)}: not valid YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"(top level): not valid YAML ({str(exc)[:200]})") from None
    except (ValueError, OverflowError) as exc:
        # e.g. an integer of more than 4,300 digits or a date such as 2020-13-45
        raise YamlError(f"(top level): a value cannot be read ({str(exc)[:200]})") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_text(path: Any) -> str:
    """The UTF-8 text of a file; raise YamlError naming the byte that is not UTF-8, or why the
    file cannot be read (a folder, no permission), instead of a traceback.
    """
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise YamlError("(file): is a folder, expected a file") from None
    except OSError as exc:
        raise YamlError(f"(file): cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(f"line {line}: expected UTF-8 text, byte {exc.start} "
                        f"(0x{data[exc.start]:02x}) is not; save the file as UTF-8") from None
