"""Shared fixtures."""

from __future__ import annotations

import os

import sympy as sp

from derive.core.domains import LABEL, UNIT_OPEN, make_symbol

Y = make_symbol("y", LABEL)
YHAT = make_symbol("yhat", UNIT_OPEN)
Z = make_symbol("z")

# reports kept between runs would hide what a test changes (a patched checker, a budget): the
# cache is off in tests but where a test turns it on for itself
os.environ["DERIVE_NO_CACHE"] = "1"


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Symbolic equality for tests: the difference simplifies to zero."""
    return bool(sp.simplify(sp.together(a - b).rewrite(sp.exp)) == 0)
