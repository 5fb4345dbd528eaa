"""What the diagnosis reads off a side: its value, its derivatives, whether it is a matrix.

A side is an expression as the checker reads it; ``expand(expr, keep)`` writes its named
quantities out except those in ``keep``. A side this package cannot evaluate (a differential,
a derivative with respect to an entry) raises ``Unusable``; ``GIVE_UP`` lists every failure
that ends a search with no answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from derive.core.errors import BudgetExceeded, DeriveError

Expand: TypeAlias = Callable[[sp.Expr, frozenset[sp.Symbol]], sp.Expr]


def no_expansion(expr: sp.Expr, keep: frozenset[sp.Symbol]) -> sp.Expr:
    """The ``expand`` of a side with nothing named in it: the side itself."""
    return expr


class Unusable(Exception):
    """A side this package cannot evaluate (a differential, a derivative w.r.t. an entry)."""


GIVE_UP = (BudgetExceeded, Unusable, DeriveError, RecursionError, ValueError, TypeError,
           AttributeError, NotImplementedError)
"""Failures that end a search with no answer (SymPy raises the last four on odd input)."""


def unevaluated(expr: sp.Basic, wrt: sp.Basic) -> sp.Derivative:
    """d(expr)/d(wrt), left as written."""
    return sp.Derivative(expr, wrt, evaluate=False)


def is_matrix(expr: sp.Basic) -> bool:
    return isinstance(expr, MatrixExpr | sp.MatrixBase) or bool(
        isinstance(expr, sp.Basic) and expr.atoms(sp.MatrixSymbol))


def variable_of(node: sp.Derivative) -> sp.Symbol:
    """The one variable of a first derivative; ``Unusable`` for any other derivative."""
    if len(node.variable_count) != 1 or node.variable_count[0][1] != 1:
        raise Unusable("only first derivatives in one variable are re-derived")
    variable = node.variable_count[0][0]
    if not isinstance(variable, sp.Symbol):
        raise Unusable(f"a derivative with respect to {variable}")
    return variable


def has_differential(expr: sp.Basic) -> bool:
    return any(type(a).__name__ == "Differential" for a in expr.atoms(sp.Function))


def derivatives(expr: sp.Basic) -> list[sp.Derivative]:
    """The derivatives in a side, in a fixed order."""
    return sorted(expr.atoms(sp.Derivative), key=sp.default_sort_key)


def side_value(expr: sp.Basic, expand: Expand) -> sp.Basic:
    """A side written out in the base variables, its derivatives computed (as the checker)."""
    if has_differential(expr):
        raise Unusable("differentials are not re-derived")
    for node in sorted(expr.atoms(sp.Derivative), key=sp.count_ops):
        if node in expr.atoms(sp.Derivative):
            variables = [v for v, _ in node.variable_count]
            if not all(isinstance(v, sp.Symbol) for v in variables):
                raise Unusable(f"a derivative with respect to {variables}")
            written = expand(node.expr, frozenset(variables))
            expr = expr.xreplace({node: sp.diff(written, *node.variable_count)})
    if expr.has(sp.Subs, sp.Derivative):
        expr = expr.doit()
    return expand(expr, frozenset())
