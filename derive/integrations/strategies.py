"""Hypothesis strategies for derivations: domain points weighted to the edges, shapes, rewrites.

::

    from hypothesis import given
    from derive.integrations.strategies import points, shapes, equivalent_rewrites

    @given(points({"y": "{0,1}", "yhat": "(0,1)", "z": "real"}))
    def test_stable(point): ...          # ŷ near 0 and 1, logits up to ±800, labels 0 and 1

    @given(shapes(("m", "d"), ("d", "k")))   # sizes pairwise distinct: a transpose shows
    def test_matmul(shape_pair): ...

    @given(equivalent_rewrites(expr))        # expand, factor, together, ..., each verified
    def test_reader_agrees(rewritten): ...

Needs ``hypothesis`` (the ``test`` extra).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy as sp
from hypothesis import strategies as st

from derive.core.domains import Count, Discrete, Domain, Interval, RealLine, parse_domain
from derive.core.functions import sigmoid, softplus

__all__ = ["arrays", "equivalent_rewrites", "points", "shapes", "sizes", "values"]

LOGIT_EDGES = (800.0, 60.0, 30.0, 12.0)
"""Large logits: σ saturates, 1 - σ(z) cancels, exp(z) overflows from about 710."""
KINK_OFFSETS = (1e-12, 1e-6, 1e-3, 0.5)
"""Just left and right of 0, where ReLU and |·| have their kink (never 0 itself)."""
EDGE_OFFSETS = (1e-12, 1e-8, 1e-4, 1e-2)
"""Distances from the ends of an interval, relative to its width."""


def _domain(value: str | Domain) -> Domain:
    return parse_domain(value) if isinstance(value, str) else value


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _interval(domain: Interval) -> st.SearchStrategy[float]:
    low, high = domain.low, domain.high
    edges: list[float] = []
    if math.isfinite(low) and math.isfinite(high):
        span = high - low
        for offset in EDGE_OFFSETS:
            edges += [low + offset * span, high - offset * span]
    else:
        if math.isfinite(low):
            edges += [low + o for o in EDGE_OFFSETS] + [low + e for e in LOGIT_EDGES]
        if math.isfinite(high):
            edges += [high - o for o in EDGE_OFFSETS] + [high - e for e in LOGIT_EDGES]
    if not domain.low_open and math.isfinite(low):
        edges.append(low)
    if not domain.high_open and math.isfinite(high):
        edges.append(high)
    inside = [e for e in edges if domain.low < e < domain.high or e in (low, high)]
    # the interior keeps a margin from the ends: the edges above are the extreme values
    if math.isfinite(low) and math.isfinite(high):
        margin = (high - low) * 1e-3
        interior = st.floats(low + margin, high - margin)
    elif math.isfinite(low):
        interior = st.floats(low + 1e-3, low + 1e3)
    elif math.isfinite(high):
        interior = st.floats(high - 1e3, high - 1e-3)
    else:
        interior = st.floats(-1e3, 1e3)
    return st.one_of(st.sampled_from(inside), interior) if inside else interior


def values(domain: str | Domain) -> st.SearchStrategy[Any]:
    """Values of one domain, about half of them at its edges.

    ``(0,1)``: ŷ within 1e-12 .. 1e-2 of 0 and 1; ``real``: logits ±12 .. ±800 and points just
    left and right of the kink at 0; ``{0,1}``: the labels; ``count``: 1 .. 9.
    """
    found = _domain(domain)
    if isinstance(found, Discrete):
        return st.sampled_from([_number(v) for v in found.values])
    if isinstance(found, Count):
        return st.integers(1, 9)
    if isinstance(found, Interval):
        return _interval(found)
    if isinstance(found, RealLine):
        edges = [s * e for e in LOGIT_EDGES for s in (1, -1)]
        edges += [s * k for k in KINK_OFFSETS for s in (1, -1)]
        moderate = st.floats(-10, 10, allow_nan=False).filter(lambda x: x != 0)
        return st.one_of(st.sampled_from(edges), moderate)
    raise TypeError(f"no strategy for the domain {found!r}")


def points(domains: Mapping[Any, str | Domain]) -> st.SearchStrategy[dict[Any, Any]]:
    """Points of the declared domains: ``{name: value}`` with the keys as given."""
    return st.fixed_dictionaries({key: values(domain) for key, domain in domains.items()})


def sizes(*names: str, low: int = 2, high: int = 7) -> st.SearchStrategy[dict[str, int]]:
    """Pairwise distinct sizes for the names (so a transposed factor cannot conform)."""
    unique = list(dict.fromkeys(names))
    if len(unique) > high - low + 1:
        raise ValueError(f"{len(unique)} distinct sizes do not fit in {low}..{high}")
    drawn = st.lists(st.integers(low, high), min_size=len(unique), max_size=len(unique),
                     unique=True)
    return drawn.map(lambda chosen: dict(zip(unique, chosen, strict=True)))


def shapes(*specs: tuple[str, str], low: int = 2,
           high: int = 7) -> st.SearchStrategy[tuple[tuple[int, int], ...]]:
    """Small matrix shapes for symbolic ones: ``shapes(("m", "d"), ("d", "k"))`` gives
    ``((3, 5), (5, 2))``; a name keeps its size across shapes, different names differ."""
    if not specs:
        raise ValueError("give at least one shape, such as shapes(('m', 'd'))")
    names = [name for spec in specs for name in spec]
    return sizes(*names, low=low, high=high).map(
        lambda chosen: tuple((chosen[r], chosen[c]) for r, c in specs))


def arrays(shape: tuple[int, ...], domain: str | Domain = "real") -> st.SearchStrategy[Any]:
    """NumPy float64 arrays of ``shape`` with entries drawn by ``values(domain)``."""
    import numpy as np
    from hypothesis.extra.numpy import arrays as numpy_arrays

    return numpy_arrays(np.float64, shape, elements=values(domain).map(float))


# ---------------------------------------------------------------------------------------------
# rewrites


def _commuted(expr: sp.Expr) -> sp.Expr:
    """The terms of every sum and the factors of every product in reverse order (unevaluated)."""
    if not expr.args or expr.is_Atom:
        return expr
    args = [_commuted(a) for a in expr.args]
    if isinstance(expr, sp.Add):
        return sp.Add(*reversed(args), evaluate=False)
    if isinstance(expr, sp.Mul):
        return sp.Mul(*reversed(args), evaluate=False)
    return expr.func(*args)


def _apart(expr: sp.Expr) -> sp.Expr:
    """Partial fractions in the first symbol (by name) for which they change something."""
    for symbol in sorted(expr.free_symbols, key=lambda s: str(s)):
        try:
            found = sp.apart(expr, symbol)
        except (sp.PolynomialError, NotImplementedError):
            continue
        if found != expr:
            return found
    return expr


def _to_exp(expr: sp.Expr) -> sp.Expr:
    return expr.rewrite([sigmoid, softplus], sp.exp)


REWRITES: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "expand": sp.expand,
    "factor": sp.factor,
    "together": sp.together,
    "apart": _apart,
    "cancel": sp.cancel,
    "rewrite(exp)": _to_exp,
    "commuted": _commuted,
}


@lru_cache(maxsize=64)
def _verified_rewrites(expr: sp.Expr, domains: tuple[tuple[str, Domain], ...],
                       budget: float) -> tuple[tuple[str, sp.Expr], ...]:
    from derive.core.outcomes import Checked, Proved
    from derive.decide.equivalence import compare

    by_name = {name: domain for name, domain in domains}
    symbol_domains = {s: by_name[s.name] for s in expr.free_symbols
                      if isinstance(s, sp.Symbol) and s.name in by_name}
    found: dict[sp.Expr, str] = {}
    singles: list[tuple[str, sp.Expr]] = []
    for name, rewrite in REWRITES.items():
        try:
            singles.append((name, rewrite(expr)))
        except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
            continue
    candidates = list(singles)
    for first, value in singles:
        if first == "commuted":
            continue
        candidates.append((f"{first}, commuted", _commuted(value)))
    for name, value in candidates:
        if value in found:
            continue
        outcome = compare(expr, value, symbol_domains, budget=budget)
        if isinstance(outcome, Proved | Checked):
            found[value] = name
    return tuple((name, value) for value, name in found.items())


def equivalent_rewrites(expr: sp.Expr, domains: Mapping[str, str | Domain] | None = None, *,
                        budget: float = 2.0,
                        named: bool = False) -> st.SearchStrategy[Any]:
    """Forms of ``expr`` that equal it: expand, factor, together, apart, cancel, σ rewritten
    with exp, terms and factors commuted (and each of those commuted); every one is checked
    equal by ``derive.decide.equivalence`` (proved or checked) before it is offered, once per
    expression. With ``named=True`` the strategy gives ``(rewrite name, expression)``."""
    frozen = tuple(sorted((k, _domain(v)) for k, v in (domains or {}).items()))
    found = _verified_rewrites(expr, frozen, budget)
    if not found:
        raise ValueError(f"no rewrite of {expr} could be verified equal to it")
    if named:
        return st.sampled_from(found)
    return st.sampled_from([value for _, value in found])
