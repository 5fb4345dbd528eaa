"""The judge: whether a candidate value equals the one it must reproduce.

A mal-rule is named only when the judge confirms it: ``compare`` gives ``Proved`` or
``Checked`` between the candidate (a buggy derivation, a slip applied to the truth, or a slip
undone on the claim) and its target; asked with ``prove=False``, since equal or not is all
the judge needs (sides the sampling finds equal are not given to ``simplify`` as well).
Scalar sides go to ``compare`` whole; matrix sides are written out at small, pairwise
distinct sizes and compared entry by entry. The judge also evaluates sides (``value``) and
screens them (``vector``, ``matches``) for the search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.core.arrays import explicit
from derive.core.budget import Deadline
from derive.core.domains import Domain
from derive.core.errors import BudgetExceeded, DeriveError
from derive.core.outcomes import Checked, Outcome, Proved, Refuted, Undecided
from derive.core.trees import atoms
from derive.decide.equivalence import compare
from derive.verify.diagnose.screen import POINTS, Sampler, Scan, Vector, agree, close
from derive.verify.diagnose.sides import (
    Expand,
    Unusable,
    has_differential,
    is_matrix,
    side_value,
)

MAX_COMPARE = 1.5
"""The most one comparison may spend, in seconds."""


@dataclass(frozen=True)
class Differs:
    """Two matrix sides of different shapes at the sizes tried."""

    shapes: str


def differs(outcome: Any) -> bool:
    """Whether an outcome shows the two sides different."""
    return isinstance(outcome, Refuted | Differs)


def confirmed(outcome: Any) -> bool:
    """Whether an outcome shows the two sides equal."""
    return isinstance(outcome, Proved | Checked)


class Judge:
    """Evaluates sides and decides equality of values for one kind of claim."""

    def __init__(self, expand: Expand, domains: Mapping[sp.Symbol, Domain]) -> None:
        self.expand = expand
        self.domains = domains
        self.sampler = Sampler(domains)
        self._values: dict[sp.Basic, tuple[sp.Basic, sp.Basic]] = {}

    def value(self, expr: sp.Basic) -> sp.Basic:
        """``side_value``, kept for this judge: a search meets the same candidate side by
        several routes (two slips undone in either order). A side equal to one kept is given
        its value only when equality means the same tree: not for a ``Subs``, which SymPy
        deems equal to another with its bound variable renamed."""
        kept = self._values.get(expr)
        if kept is not None and (kept[0] is expr or not atoms(expr, sp.Subs)):
            return kept[1]
        found = side_value(expr, self.expand)
        self._values[expr] = (expr, found)
        return found

    def vector(self, value: sp.Basic) -> Vector | None:
        vector = self.sampler.vector(value)
        return vector if any(v is not None for v in vector) else None

    def matches(self, value: sp.Basic, target: Vector) -> bool:
        """``close(self.vector(value), target)``, stopping at the first point that differs
        (most candidates of a search differ at once)."""
        scan = Scan.of(value)
        both = 0
        for k, y in enumerate(target):
            if y is None:
                continue
            x = self.sampler.number(value, k, scan)
            if x is None:
                continue
            if not agree(x, y):
                return False
            both += 1
        return both >= 3

    def compare(self, a: sp.Basic, b: sp.Basic, budget: float) -> Outcome | Differs:
        return compare(a, b, self.domains, budget=budget, prove=False)


class MatrixJudge(Judge):
    """Matrix sides at small, pairwise distinct sizes; entries compared one by one."""

    def __init__(self, expand: Expand, domains: Mapping[sp.Symbol, Domain],
                 sides: Sequence[sp.Basic]) -> None:
        super().__init__(expand, domains)
        dimensions = sorted({d for side in sides for m in side.atoms(sp.MatrixSymbol)
                             for d in m.shape if isinstance(d, sp.Symbol)}, key=str)
        self.sizes = {d: 2 + i for i, d in enumerate(dimensions)}
        self.entry_domains: dict[Any, Domain] = dict(domains)

    def value(self, expr: sp.Basic) -> sp.Basic:
        if expr.atoms(sp.Derivative) or has_differential(expr):
            raise Unusable("derivatives of matrix expressions are not re-derived here")
        return self.expand(expr, frozenset())

    def _explicit(self, value: sp.Basic) -> sp.Matrix | None:
        try:
            matrix = explicit(value, self.sizes)
        except (ValueError, TypeError, sp.ShapeError, AttributeError):
            return None
        mapping = {}
        for element in matrix.atoms(MatrixElement):
            name = f"{element.parent.name}[{element.i},{element.j}]"
            symbol = sp.Symbol(name, real=True)
            mapping[element] = symbol
            self.entry_domains[symbol] = self.sampler.domain(element)
        return matrix.xreplace(mapping)

    def vector(self, value: sp.Basic) -> Vector | None:
        matrix = self._explicit(value)
        if matrix is None:
            return None
        shape = (complex(matrix.shape[0]), complex(matrix.shape[1]))
        sampler = Sampler(self.entry_domains)
        values = [sampler.number(entry, k) for k in range(POINTS) for entry in matrix]
        return (*shape, *values)

    def matches(self, value: sp.Basic, target: Vector) -> bool:
        return close(self.vector(value), target)

    def compare(self, a: sp.Basic, b: sp.Basic, budget: float) -> Outcome | Differs:
        left, right = self._explicit(a), self._explicit(b)
        if left is None or right is None:
            return Undecided(("explicit matrices",), "a side has no explicit form")
        if left.shape != right.shape:
            return Differs(f"{left.shape[0]}×{left.shape[1]} against "
                           f"{right.shape[0]}×{right.shape[1]}")
        deadline = Deadline(budget)
        worst: Outcome = Proved("structural")
        for x, y in zip(left, right, strict=True):
            outcome = compare(x, y, self.entry_domains, budget=max(deadline.remaining(), 0.01),
                              prove=False)
            if not confirmed(outcome):
                return outcome
            if isinstance(outcome, Checked):
                worst = outcome
        return worst


def judge_for(previous: sp.Basic, claimed: sp.Basic, expand: Expand,
              domains: Mapping[sp.Symbol, Domain]) -> Judge:
    """The judge of a step: entry by entry when either side is a matrix."""
    if is_matrix(previous) or is_matrix(claimed):
        return MatrixJudge(expand, domains, (previous, claimed))
    return Judge(expand, domains)


def outcome(a: sp.Expr, b: sp.Expr, expand: Expand, domains: Mapping[sp.Symbol, Domain] | None,
            deadline: Deadline) -> Outcome | Differs | None:
    """Whether two sides are equal, within what is left of ``deadline`` (None: no time, or a
    side that cannot be evaluated)."""
    left = deadline.remaining()
    if left < 0.02:
        return None
    try:
        judge = judge_for(a, b, expand, domains or {})
        return judge.compare(judge.value(a), judge.value(b), min(left, MAX_COMPARE))
    except (Unusable, DeriveError, BudgetExceeded):
        return None
