"""The cheap screen before ``compare``: the values of an expression at six fixed points.

Every candidate explanation is evaluated in double precision at the same sample points as the
claim; only those that agree there (``close``) go on to the judge. Symbols, indexed elements
and matrix entries get values from their domains (a real variable gets both signs, a count a
small whole number); a point where an expression has no real value is left out.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.core.domains import REAL, Count, Discrete, Domain, RealLine
from derive.core.primitives import float_value
from derive.core.trees import distinct_nodes

POINTS = 6
"""How many sample points a screen uses."""

CLOSE = 1e-9
"""The relative difference below which two screened values agree."""

_KEPT_FLOATS = 100_000
"""Parts whose double value is kept at one point; beyond it they are forgotten."""

Vector: TypeAlias = tuple[complex | None, ...]
"""An expression's values at the sample points (None where it has none)."""


class Sampler:
    """Values of symbols, indexed elements and matrix entries at a few fixed points."""

    def __init__(self, domains: Mapping[Any, Domain]) -> None:
        self.domains = dict(domains)
        self.by_name = {str(k): v for k, v in domains.items()}
        self.cache: dict[tuple[Any, int], sp.Expr] = {}
        self.discrete: dict[Any, int] = {}
        # the double value of each part at each point: every value a part is given at point
        # k is this sampler's (value(atom, k)), so a part shared by many candidates (a
        # search's sides differ in one part) is computed once per point
        self.floats: dict[int, dict[sp.Basic, float]] = {}

    def domain(self, atom: Any) -> Domain:
        if atom in self.domains:
            found: Domain = self.domains[atom]
            return found
        if isinstance(atom, sp.Indexed):
            label = atom.base.label
            return self.domains.get(label) or self.by_name.get(str(label), REAL)
        if isinstance(atom, MatrixElement):
            return self.by_name.get(str(atom.parent.name), REAL)
        return self.by_name.get(str(atom), REAL)

    def value(self, atom: Any, k: int) -> sp.Expr:
        key = (atom, k)
        if key not in self.cache:
            domain = self.domain(atom)
            if isinstance(domain, Discrete) and domain.values:
                j = self.discrete.setdefault(atom, len(self.discrete)) % 3
                count = len(domain.values)
                raw: Fraction | float = domain.values[(k // count**j) % count]
            elif isinstance(domain, Count):
                raw = Fraction(2 + k % 2)
            elif isinstance(domain, RealLine):  # moderate values screen best, both signs
                raw = random.Random(f"{atom}|{k}").uniform(0.1, 2.0) * (-1) ** k
            else:
                raw = domain.sample(random.Random(f"{atom}|{k}"))
            self.cache[key] = (sp.Rational(raw.numerator, raw.denominator)
                               if isinstance(raw, Fraction) else sp.Float(raw, 30))
        return self.cache[key]

    def number(self, expr: sp.Basic, k: int, scan: Scan | None = None) -> complex | None:
        """The value of ``expr`` at point ``k`` (``scan``: its walk, when already made)."""
        scan = scan or Scan.of(expr)
        try:
            whole = {s: (sp.Integer(1 + k % 2) if s in scan.indices else self.value(s, k))
                     for s in scan.symbols
                     if s in scan.indices or isinstance(self.domain(s), Count)}
            current = expr.xreplace(whole) if whole else expr
            rest: dict[sp.Basic, sp.Expr]
            if scan.unevaluated or scan.indices:
                current = current.doit() if scan.unevaluated else current
                entries = {a: self.value(a, k) for a in current.atoms(sp.Indexed)}
                current = current.xreplace(entries)
                rest = {s: self.value(s, k) for s in current.free_symbols
                        if isinstance(s, sp.Symbol)}
            else:
                rest = {a: self.value(a, k) for a in scan.elements}
                rest.update((s, self.value(s, k)) for s in scan.symbols if s not in whole)
            try:  # the screen only needs doubles: float_value is ~50× faster than evalf
                memo = self.floats.setdefault(k, {})
                if len(memo) > _KEPT_FLOATS:
                    memo.clear()
                value = complex(float_value(current, {s: float(v) for s, v in rest.items()},
                                            memo))
            except TypeError:  # a function float_value does not know: SymPy evaluates it
                number = current.xreplace(rest).evalf(30)
                if not number.is_number:
                    return None
                value = complex(number)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
            return None
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            return None
        if abs(value.imag) > 1e-20 * max(1.0, abs(value.real)):
            return None
        return value

    def vector(self, expr: sp.Basic) -> Vector:
        scan = Scan.of(expr)
        return tuple(self.number(expr, k, scan) for k in range(POINTS))


@dataclass(frozen=True)
class Scan:
    """What sampling an expression needs, found in one walk: its symbols, the index symbols
    of its indexed elements, the elements, and whether sums or derivatives are left."""

    symbols: frozenset[sp.Symbol]
    indices: frozenset[sp.Symbol]
    elements: frozenset[sp.Indexed]
    unevaluated: bool

    @staticmethod
    def of(expr: sp.Basic) -> Scan:
        symbols: set[sp.Symbol] = set()
        elements: set[sp.Indexed] = set()
        unevaluated = False
        for node in distinct_nodes(expr):  # SymPy's walk, each distinct part once
            if isinstance(node, sp.Symbol):
                symbols.add(node)
            elif isinstance(node, sp.Indexed):
                elements.add(node)
            elif isinstance(node, sp.Sum | sp.Product | sp.Derivative):
                unevaluated = True
        indices = {i for e in elements for i in e.indices if isinstance(i, sp.Symbol)}
        if unevaluated:  # bound variables are not free: let SymPy say which symbols are
            symbols = {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
        # the label of an indexed element is a symbol of its own, never sampled alone
        symbols -= {e.base.label for e in elements}
        return Scan(frozenset(symbols), frozenset(indices), frozenset(elements), unevaluated)


def agree(x: complex, y: complex) -> bool:
    """Two screened values that agree to ``CLOSE``."""
    return abs(x - y) <= CLOSE * max(1.0, abs(x), abs(y))


def close(a: Vector | None, b: Vector | None) -> bool:
    """Whether two vectors agree wherever both have values, at three points at least."""
    if a is None or b is None or len(a) != len(b):
        return False
    both = 0
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:  # undefined, or out of the screen's precision
            continue
        both += 1
        if not agree(x, y):
            return False
    return both >= 3
