"""Small algebra helpers: rebuilding without evaluation, tidy presentation forms.

``tidy`` picks, among equal forms of a scalar expression, the one a person would write:
factored, over one denominator, with as few minus signs as possible and positive constants
first in each factor — (ŷ − y)/(ŷ(1 − ŷ)) rather than (y − ŷ)/(ŷ(ŷ − 1)).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import sympy as sp


def replace_unevaluated(expr: sp.Basic, mapping: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """Substitute sub-expressions, rebuilding sums, products and powers unevaluated so the
    shape a person wrote survives."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [replace_unevaluated(arg, mapping) for arg in expr.args]
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr
    if isinstance(expr, sp.Add | sp.Mul | sp.Pow):
        return expr.func(*args, evaluate=False)
    if isinstance(expr, sp.Derivative):
        return sp.Derivative(*args, evaluate=False)
    return expr.func(*args)


class StandIn(sp.Symbol):  # type: ignore[misc]  # SymPy's classes are untyped
    """The variable of a derivative by a function's value (∂ log σ(z)/∂σ(z)): a name that
    stands for the value, written as it. The derivative is read as
    ``Subs(Derivative(f, u), u, value)`` with the value written as u in f, so that it is
    taken with u free, the rest held fixed, and u is the value again after."""


def by_value(body: sp.Expr, value: sp.Expr, order: int = 1) -> sp.Expr:
    """d^order body / d value^order, the value a function's application: see StandIn."""
    from derive.core.mathtext import text

    variable = StandIn(text(value))
    derivative = sp.Derivative(body.xreplace({value: variable}), (variable, order),
                               evaluate=False)
    return sp.Subs(derivative, variable, value)


def stood_in(node: sp.Basic) -> bool:
    """Whether a node is a derivative by a function's value (see StandIn)."""
    return isinstance(node, sp.Subs) and isinstance(node.expr, sp.Derivative) and \
        len(node.variables) == 1 and isinstance(node.variables[0], StandIn)


def has_derivative(expr: sp.Basic) -> bool:
    return bool(expr.atoms(sp.Derivative))


def _negative_terms(expr: sp.Expr) -> int:
    return sum(1 for term in sp.Add.make_args(expr) if term.could_extract_minus_sign())


def _constant_negative(expr: sp.Expr) -> bool:
    constant = sum((t for t in sp.Add.make_args(expr) if t.is_number), sp.S.Zero)
    return bool(constant.is_negative)


def _power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    if base is sp.E:
        return sp.exp(exponent)
    return base if exponent == 1 else sp.Pow(base, exponent, evaluate=False)


def _oriented(coefficient: sp.Expr, factors: list[tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    """Flip the signs of additive factors so the fewest terms carry a minus sign and
    constants lead positive: (ŷ − y)/(1 − ŷ) rather than (y − ŷ)/(ŷ − 1)."""
    sums = [i for i, (base, _) in enumerate(factors) if isinstance(base, sp.Add)]
    best: tuple[tuple[int, int, int], sp.Expr, list[tuple[sp.Expr, sp.Expr]]] | None = None
    for flips in itertools.product((False, True), repeat=min(len(sums), 6)):
        sign = coefficient
        parts = list(factors)
        for index, flip in zip(sums, flips, strict=False):
            if flip:
                base, exponent = parts[index]
                parts[index] = (sp.expand(-base), exponent)
                if exponent.is_integer and exponent % 2:
                    sign = -sign
        bases = [parts[i][0] for i in sums]
        score = (
            sum(_constant_negative(b) for b in bases),
            sum(_negative_terms(b) for b in bases) + (1 if sign < 0 else 0),
            sum(flips),
        )
        if best is None or score < best[0]:
            best = (score, sign, parts)
    assert best is not None
    _, sign, parts = best
    numerator = [_power(b, e) for b, e in parts if not e.could_extract_minus_sign()]
    denominator = [_power(b, -e) for b, e in parts if e.could_extract_minus_sign()]
    under = tuple(f.as_base_exp()[0] for f in denominator)

    def rank(factor: sp.Expr) -> int:
        base = factor.as_base_exp()[0]
        if factor.is_number:
            return 0
        if isinstance(base, sp.Add):
            return 3
        # m before ŷ in m·ŷ·(1 − ŷ): a factor that also sits inside a sum goes next to it
        return 2 if any(isinstance(b, sp.Add) and b.has(base) for b in under) else 1

    denominator.sort(key=rank)
    top = sp.Mul(*numerator, evaluate=False) if numerator else sp.S.One
    if abs(sign) != 1:
        top = sp.Mul(abs(sign), top, evaluate=False) if numerator else abs(sign)
    if denominator:
        bottom = denominator[0] if len(denominator) == 1 else sp.Mul(*denominator, evaluate=False)
        over = sp.Pow(bottom, -1, evaluate=False)
        # one fraction, x·(w·x − y)/√(…), not a product of x·(w·x − y) and 1/√(…)
        top = sp.Mul(*top.args, over, evaluate=False) if isinstance(top, sp.Mul) else \
            sp.Mul(top, over, evaluate=False)
    return top if sign > 0 else sp.Mul(-1, top, evaluate=False)


def _presentable_product(expr: sp.Expr) -> bool:
    """A product with no denominator whose sums already lead with a positive constant, such
    as δ·h·(1 − h): nothing for ``tidy`` to do (and factoring it would cost milliseconds)."""
    for factor in sp.Mul.make_args(expr):
        base, exponent = factor.as_base_exp()
        if not (exponent.is_Integer and exponent > 0):
            return False
        if isinstance(base, sp.Add) and (
            _constant_negative(base) or _negative_terms(base) > 1 or base.has(sp.Pow)
        ):
            return False
    return True


def tidy(expr: sp.Expr) -> sp.Expr:
    """A presentation form of a scalar expression: factored over one denominator."""
    if not isinstance(expr, sp.Expr) or expr.is_number or isinstance(expr, sp.MatrixExpr):
        return expr
    if not isinstance(expr, sp.Add) and _presentable_product(expr):
        return expr
    combined = sp.factor(sp.cancel(sp.together(expr)))
    if sp.count_ops(combined) > sp.count_ops(expr) + 2:
        combined = expr
    # factoring may multiply out what a root keeps whole; pulling out common factors only
    # (2x/(2√(1 + u²)) → x/√(1 + u²)) is then the shorter form
    gathered = sp.factor_terms(sp.together(expr))
    if sp.count_ops(gathered) < sp.count_ops(combined):
        combined = gathered
    coefficient, rest = combined.as_coeff_Mul()
    factors = [f.as_base_exp() for f in sp.Mul.make_args(rest)]
    if coefficient.is_Rational and coefficient.q != 1:
        factors.insert(0, (sp.Integer(coefficient.q), sp.S.NegativeOne))
        coefficient = sp.Integer(coefficient.p)
    return _oriented(coefficient, factors)
