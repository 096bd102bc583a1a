"""No function in ``cnplan.model`` is longer than about 80 lines (issue 13): each force of the
strategy stays a small function that reads next to its equation in docs/model.md.

Lines are counted from ``def`` to the function's last line, without its docstring (which
says why, and should not be cut to pass this test).
"""

from __future__ import annotations

import ast
from pathlib import Path

import cnplan.model

LIMIT = 80


def _lengths(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
                    isinstance(first.value.value, str):
                length -= first.end_lineno - first.lineno + 1
            out.append((f"{path.name}:{node.lineno} {node.name}", length))
    return out


def test_no_model_function_over_80_lines():
    folder = Path(cnplan.model.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert len(files) > 5
    long = [(name, n) for f in files for name, n in _lengths(f) if n > LIMIT]
    assert not long, f"functions in cnplan.model over {LIMIT} lines (without docstring): {long}"


def test_the_count_can_fail(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT + 1))
    path = tmp_path / "long.py"
    path.write_text(f'def f():\n    """Doc."""\n{body}\n', encoding="utf-8")
    assert _lengths(path)[0][1] == LIMIT + 2
