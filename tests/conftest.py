"""Shared fixtures."""

from __future__ import annotations

import sympy as sp

from derive.core.domains import LABEL, UNIT_OPEN, make_symbol

Y = make_symbol("y", LABEL)
YHAT = make_symbol("yhat", UNIT_OPEN)
Z = make_symbol("z")


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Symbolic equality for tests: the difference simplifies to zero."""
    return bool(sp.simplify(sp.together(a - b).rewrite(sp.exp)) == 0)
