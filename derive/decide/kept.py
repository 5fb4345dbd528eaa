"""Results kept within a run: a derivative or a limit of the same written-out expression is
taken once.

A checker reads the same definition for many claims (the gradient and the Hessian of one loss,
each instance of an index claim) and the middle side of a chain for the links on both sides
of it, so the same ``diff`` and the same limit recur. SymPy expressions are immutable and
hashable; each result is kept by the expression (in this process only, least recently used
out). A computation interrupted by its budget raises, and nothing is kept.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp


@lru_cache(maxsize=1024)
def derivative(expr: sp.Expr, variables: tuple[tuple[sp.Expr, int], ...]) -> sp.Expr:
    """``sp.diff(expr, *variables)``, each variable a (variable, count) pair."""
    return sp.diff(expr, *variables)


@lru_cache(maxsize=256)
def limit_value(limit: sp.Limit) -> sp.Expr:
    """``limit.doit()``."""
    return limit.doit()
