"""Numeric comparison of two explicit matrices (``agree``): entry by entry at random points of the
domains in float64, a differing entry confirmed at 30 digits before it is reported."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.core.domains import REAL, Domain
from derive.core.outcomes import CheckedAtSizes, DiffersAtSizes
from derive.core.primitives import float_value
from derive.decide.equivalence import CONFIRMED_POINTS, differs_at, show_pair
from derive.verify.shapes.inference import ShapeError
from derive.verify.shapes.instantiation import Matrix
from derive.verify.shapes.lowering import Unsupported

SAMPLES = 6
"""Random points per numeric comparison."""

TOLERANCE = 1e-9
"""Relative difference above which two entries differ (float64, then confirmed at 30 digits)."""


@dataclass(frozen=True)
class Sampled:
    """Both sides at random points: agreement, or the first confirmed difference."""

    outcome: CheckedAtSizes | DiffersAtSizes


def _sizes_record(sizes: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(sizes.items()))


def agree(claimed: Matrix, true: Matrix, domains: Mapping[sp.Symbol, Domain],
          sizes: Mapping[str, int], *, samples: int = SAMPLES, seed: int = 0,
          substitutions: Mapping[sp.Symbol, sp.Expr] | None = None
          ) -> CheckedAtSizes | DiffersAtSizes:
    """Compare two explicit matrices entry by entry at random points of the domains
    (float64); a differing entry is confirmed at 30 digits before it is reported."""
    if substitutions:
        claimed, true = claimed.xreplace(substitutions), true.xreplace(substitutions)
    if claimed.shape != true.shape:
        raise ShapeError(f"shapes differ: {claimed.shape} and {true.shape}")
    difference = [sp.expand(a - b) if (a - b).is_polynomial() else None
                  for a, b in zip(claimed, true, strict=True)]
    record = _sizes_record(sizes)
    if all(d == 0 for d in difference):
        return CheckedAtSizes(record, 0, 0.0, exact=True)
    symbols = sorted(set().union(*(e.free_symbols for e in claimed),
                                 *(e.free_symbols for e in true)), key=str)
    rng = random.Random(seed)
    worst, used, tries = 0.0, 0, 0
    while used < samples and tries < samples * 6:
        tries += 1
        point = {s: _sample(domains.get(s, REAL), rng) for s in symbols}
        memo: dict[sp.Basic, float] = {}
        try:
            a = [float_value(e, point, memo) for e in claimed]
            b = [float_value(e, point, memo) for e in true]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not all(math.isfinite(x) for x in (*a, *b)):
            continue
        used += 1
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            gap = abs(x - y) / max(1.0, abs(x), abs(y))
            exact_zero = difference[index] == 0
            # the first points are confirmed at high precision even when float64 agrees: a
            # difference below its rounding (P + 10⁻²⁰P = P) is a difference
            if gap > TOLERANCE or (used <= CONFIRMED_POINTS and not exact_zero):
                confirmed = _confirm(claimed[index], true[index], point)
                if confirmed is not None:
                    row, col = divmod(index, claimed.cols)
                    named = claimed[index].free_symbols | true[index].free_symbols
                    shown = tuple((str(s), f"{v:.6g}") for s, v in sorted(
                        point.items(), key=lambda item: str(item[0])) if s in named)
                    return DiffersAtSizes(record, (row, col), shown, *confirmed)
                gap = 0.0
            worst = max(worst, gap)
    if used == 0:
        raise Unsupported("no point of the domains could be evaluated")
    return CheckedAtSizes(record, used, worst)


def _sample(domain: Domain, rng: random.Random) -> float:
    value = domain.sample(rng)
    if isinstance(value, float) and abs(value) > 8:  # keep σ away from saturation in float64
        value = math.copysign(2 + abs(value) % 6, value)
    return float(value)


def _confirm(claimed: sp.Expr, true: sp.Expr, point: Mapping[sp.Symbol, float]
             ) -> tuple[str, str] | None:
    """The two values, shown, when the entries differ at ``point`` by a difference that
    survives a precision increase (the scalar checker's rule); None otherwise."""
    exact = {s: Fraction(v) for s, v in point.items()}
    values = differs_at(claimed, true, exact)
    if values is None:
        return None
    return show_pair(values)
