"""Outcome expressions such as ``"marginal_producer_reached == False"``, parsed safely.

Scenario discovery and sensitivity analysis need one number or one yes/no per scenario. Users
name it as a column (``coca_ha_2011``) or as a small expression over columns
(``"coca_ha_2011 > 40000 and resistance_max < 0.5"``). The expression is parsed with
:mod:`ast` into a whitelist of nodes (comparisons, ``and``/``or``/``not``, ``&``/``|``/``~``,
arithmetic, numbers, booleans, strings, column names) and evaluated column-wise with numpy, so
no user text is ever executed and every unknown name is reported with the list of outcomes
that exist.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cnplan.errors import CnplanError, did_you_mean


class OutcomeError(CnplanError, ValueError):
    """An outcome name or expression that cannot be evaluated; the message lists the outcomes."""


_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.BitAnd: np.logical_and,
    ast.BitOr: np.logical_or,
}


@dataclass(frozen=True)
class Outcome:
    """A parsed outcome: the text the user gave and the columns it reads."""

    text: str
    columns: tuple[str, ...]
    tree: ast.Expression

    def evaluate(self, frame: pd.DataFrame) -> np.ndarray:
        """Evaluate on ``frame`` (one row per scenario); return a 1-d array (bool or float)."""
        value = _eval(self.tree.body, frame, self.text)
        value = np.asarray(value)
        if value.ndim == 0:
            raise OutcomeError(
                f"outcome {self.text!r}: gives one constant, not a value per scenario; "
                "name at least one outcome column"
            )
        return value

    @property
    def is_boolean_expression(self) -> bool:
        """Whether the text is a condition (comparison or logic) rather than a quantity."""
        return isinstance(self.tree.body, ast.Compare | ast.BoolOp) or (
            isinstance(self.tree.body, ast.UnaryOp) and isinstance(self.tree.body.op, ast.Not)
        )


def _available(columns: Iterable[str]) -> str:
    return ", ".join(sorted(columns))


def _unknown(name: str, columns: Iterable[str], text: str) -> OutcomeError:
    columns = list(columns)
    hint = did_you_mean(name, columns)
    return OutcomeError(
        f"outcome {text!r}: unknown outcome {name!r}{hint}; available outcomes are "
        f"{_available(columns)}"
    )


def parse_outcome(text: str, columns: Iterable[str]) -> Outcome:
    """Parse an outcome name or expression against the available ``columns``.

    Parameters
    ----------
    text : a column name (``"coca_ha_2011"``) or an expression such as
        ``"marginal_producer_reached == False"`` or ``"coca_ha_2011 > 40000"``.
    columns : the outcome columns that exist (names in the expression must be among them).

    Returns
    -------
    Outcome
        The parsed expression; call :meth:`Outcome.evaluate` on a frame of outcomes.

    Raises
    ------
    OutcomeError
        If the text is not an expression, uses anything but the allowed operations, or names a
        column that does not exist; the message lists the available outcomes.
    """
    columns = list(columns)
    if not isinstance(text, str) or not text.strip():
        raise OutcomeError(
            f"outcome: expected a name or an expression, got {text!r}; available outcomes are "
            f"{_available(columns)}"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise OutcomeError(
            f"outcome {text!r}: not a valid expression ({exc.msg}); write e.g. "
            f"'marginal_producer_reached == False'; available outcomes are {_available(columns)}"
        ) from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id in {"True", "False"}:
                continue
            if node.id not in columns:
                raise _unknown(node.id, columns, text)
            names.append(node.id)
        elif not isinstance(node, _ALLOWED):
            raise OutcomeError(
                f"outcome {text!r}: {type(node).__name__} is not allowed; use column names, "
                "numbers, comparisons, and/or/not and + - * /; available outcomes are "
                f"{_available(columns)}"
            )
    return Outcome(text.strip(), tuple(dict.fromkeys(names)), tree)


def evaluate_outcome(text: str, frame: pd.DataFrame) -> np.ndarray:
    """Parse ``text`` against ``frame``'s columns and evaluate it (see :func:`parse_outcome`)."""
    return parse_outcome(text, frame.columns).evaluate(frame)


_ALLOWED = (
    ast.Expression,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.BinOp,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Invert,
    *_COMPARE,
    *_BINARY,
)


def _eval(node: ast.AST, frame: pd.DataFrame, text: str) -> Any:
    if isinstance(node, ast.Name):
        if node.id in {"True", "False"}:  # pragma: no cover - Python parses these as Constant
            return node.id == "True"
        return frame[node.id].to_numpy()
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, bool | int | float | str):
            raise OutcomeError(f"outcome {text!r}: constant {node.value!r} is not allowed")
        return node.value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, frame, text)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, frame, text)
            result = np.logical_and(result, _COMPARE[type(op)](left, right))
            left = right
        return result
    if isinstance(node, ast.BoolOp):
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        values = [_bool(_eval(v, frame, text), text) for v in node.values]
        out = values[0]
        for value in values[1:]:
            out = combine(out, value)
        return out
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, frame, text)
        if isinstance(node.op, ast.Not | ast.Invert):
            return np.logical_not(_bool(value, text))
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, frame, text), _eval(node.right, frame, text))
    raise OutcomeError(
        f"outcome {text!r}: {type(node).__name__} is not allowed"
    )  # pragma: no cover


def _bool(value: Any, text: str) -> Any:
    array = np.asarray(value)
    if array.dtype != bool:
        raise OutcomeError(
            f"outcome {text!r}: and/or/not need yes/no values; compare numbers first "
            "(e.g. 'coca_ha_2011 > 40000')"
        )
    return array


def binary_outcome(text: str, frame: pd.DataFrame) -> np.ndarray:
    """Evaluate ``text`` as a yes/no per scenario (the case of interest is ``True``).

    A boolean column may be named alone; any other outcome must be a condition.
    """
    outcome = parse_outcome(text, frame.columns)
    value = outcome.evaluate(frame)
    if value.dtype != bool:
        raise OutcomeError(
            f"outcome {text!r}: scenario discovery needs a condition that is true or false per "
            f"scenario, e.g. '{outcome.columns[0]} > {np.nanmedian(value.astype(float)):.4g}'"
        )
    return value


def numeric_outcome(text: str, frame: pd.DataFrame) -> np.ndarray:
    """Evaluate ``text`` as a number per scenario (a condition becomes 1.0 or 0.0)."""
    value = parse_outcome(text, frame.columns).evaluate(frame)
    return value.astype(float)
