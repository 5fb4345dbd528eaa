"""Is A = B? Symbolic canonical forms first, high-precision sampling second, all time-bounded.

:func:`compare` gives one of four outcomes, each with its evidence:

``Proved``
    A symbolic transformation turned ``lhs - rhs`` into exactly ``0`` (SymPy's ``S.Zero``;
    a zero-looking ``0.0`` or an unsimplified remainder never counts). Forms tried, cheapest
    first: structural equality, ``expand``, ``cancel``, ``together`` (numerator expanded),
    ``rewrite(exp)`` of σ/softplus/tanh followed by ``expand`` or ``cancel``, then ``simplify``
    and ``rewrite(exp)+simplify``. Only the symbols' own assumptions are used (they come from
    the domains); none are added. Floats in a claim are replaced by their exact binary value
    first, so that rounding can never "prove" ``1 + 1e-20 == 1``. An equality shown this way
    holds wherever both sides are defined.
``Refuted``
    A point of the domain where both sides are defined and real and differ, with a difference
    that persists when the working precision doubles (and, when needed, doubles again): two
    successive precisions must agree on it to 0.1 %. A difference that shrinks as the digits
    grow is rounding (``log(1 - σ(z))`` at ``z ≈ 60`` with too few digits), and the point is
    not used; a difference that stays is real however small (``x + 10⁻³⁰x = x`` is refuted).
    The first usable points, and every point placed at a kink, an edge or a power corner,
    are always evaluated at two precisions, so a gap below the tolerance everywhere
    (``tanh(10⁻⁶x) = 10⁻⁶x``) is found. The working precision at a point covers the spread
    of the values met there: ``1 + e^{-105}`` needs 46 digits more than 40 to differ from 1,
    and ``σ(z) = 1`` at ``z = 105`` is refuted, not rounded into agreement; a point needing
    more than ``MAX_DIGITS`` to tell agreement from rounding (``σ(10⁶)``) is not used.
    A claim without variables whose two sides are rational numbers is decided exactly
    (``10²⁰ + 1 = 10²⁰``). The point is
    then "snapped" to simple values inside the domain (1 significant digit, a whole number, 2
    significant digits, or at least the 6 digits shown) when it still refutes there, so the
    point shown is the point checked. ``difference`` is the absolute ``|lhs - rhs|`` there;
    the values are shown with 6 significant digits, or more when needed to tell them apart.
``Checked``
    The symbolic forms did not close the gap within the budget, but both sides agree at every
    usable sample point: ``|a - b| <= relative_tolerance * max(1, |a|, |b|)``, and on the
    first points the difference shrinks as the precision grows.
``Undecided``
    Neither route reached a verdict: the budget ran out, no point could be evaluated, or a
    side has no value anywhere (``log(0)``, ``0/0``, ``∞`` outside a limit or a sum's
    bounds); the routes tried are listed.

Real semantics: a point where a side, or any part of it, is not real (``log`` or ``√`` of a
negative number, ``x^a`` with ``x < 0`` and ``a`` not whole) or not defined is never a
counterexample; the claim is about the points where both sides are real. Floats in a claim
are their exact binary values (``0.1·3`` and ``0.3`` differ); the LaTeX reader reads
decimals exactly, so this concerns floats given through the Python API.

Sampling: every free symbol is drawn from its domain (``derive.core.domains``; a symbol without a
domain is real, looked up by the symbol and then by its name), with large magnitudes (10³, 10⁶)
and simple values among the draws, where approximations such as ``σ(x − 1000) = 0`` break. A
discrete domain such as the labels ``{0, 1}`` is cycled so that every value is used; a count is
drawn up to 40. For every kink (an argument ``u`` of ``relu``, ``Abs``, ``Max``/``Min``,
``Heaviside``, ``sign``, or a ``Piecewise`` condition) that is linear in a single symbol,
points are added at the kink and on both sides of it, at ±0.5 and ±0.001 times its scale (and
at half and one and a half times its place when it sits near 0, as in ``relu(x − 10⁻²⁰)``).
relu, ``|x|``, max, min and sign have a value at their kink (``sign(0) = 0``), so it is a point
like any other; at a jump whose value is a convention (Heaviside's ``H(0)``, a case's
condition) a point exactly on it is skipped. Each closed end of an interval domain is a point
too (``x = 0`` when x is nonnegative). For a power whose base and exponent both vary, points
with whole and half exponents (2, ½, −1, 3, 3/2) and negative bases (−1, −2) are added: the
real corners where ``(x^a)^b = x^{ab}`` fails. A point where a side is undefined is tried once
more at twice the digits (``1 - σ(120)`` rounds to 0 at 40 digits) and otherwise skipped; more
points are drawn until ``samples`` usable ones are found (besides the added points) or four
times as many were tried. Evaluation is mpmath by a walk over the expression tree (no code is
generated from it), each shared subexpression once. A ``Sum`` or ``Product`` whose limit is a
count symbol is expanded at the sampled count, and each indexed quantity ``y[i]`` it produces
is sampled from the domain of ``y``. Unevaluated ``Derivative`` objects are evaluated
(``doit``, under the budget) first. Matrices are refused (``TypeError``).

Time: ``budget`` seconds bound the whole call. The cheap symbolic forms get at most 35 % of
it; sampling then runs (it usually needs milliseconds, and keeps at least 30 % of the budget
for itself); ``simplify`` gets whatever is left, and only when sampling found no
counterexample. Each symbolic step runs under :func:`derive.core.budget.run_with_budget` with at
most half the time left for its stage (the stage's last step gets all of it). When a symbolic
form proves the identity, sampling still runs as a second, independent route; should it find a
confirmed counterexample, the routes disagree and the answer is ``Undecided``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache, partial
from typing import Any, TypeAlias

import mpmath
import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from derive.core import cache, trees
from derive.core.budget import Deadline, run_with_budget, time_limit
from derive.core.domains import REAL, Count, Discrete, Domain, Interval, RealLine
from derive.core.errors import BudgetExceeded
from derive.core.functions import relu, sigmoid, softplus
from derive.core.outcomes import Checked, Outcome, Proved, Refuted, Undecided
from derive.core.primitives import MPMATH_FUNCTIONS, float_value
from derive.decide.kept import Unkeyable, canonical
from derive.decide.kept import settings as kept_settings

CHEAP_SHARE = 0.35
"""At most this share of the budget goes to the cheap symbolic forms."""

SHOWN_DIGITS = 6
"""Significant digits of the values shown in a ``Refuted``."""

STABLE_TO = 1e-3
"""A difference is stable when two successive precisions agree on it to this relative amount."""

GUARD_DIGITS = 10
"""Digits beyond the working precision and the spread of the values at a point."""

MAX_DIGITS = 1500
"""The most digits a point is evaluated at; a point that would need more to tell agreement
from rounding (``σ(10⁶) = 1``) is not used."""

_MIN_STEP = 0.005
"""A symbolic step with less time than this is not started."""

_KINK_OFFSETS = (0.0, 0.5, -0.5, 1e-3, -1e-3)
_POWER_EXPONENTS = (Fraction(2), Fraction(1, 2), Fraction(-1), Fraction(3), Fraction(3, 2))
_POWER_BASES = (Fraction(-1), Fraction(-2), Fraction(3))
_POWER_POINTS = 48
"""At most this many power points: exponents in a grid of whole and half numbers, bases
negative, where ``(x^a)^b = x^{ab}`` fails (x = -1, a = 2, b = 1/2)."""
_FACTS = 4096
"""Expressions whose facts (atoms, symbols, constants) are kept, least recently used out."""
_REWRITTEN_TO_EXP: tuple[type[sp.Basic], ...] = (sigmoid, softplus, sp.tanh)
_KINKED: tuple[type[sp.Basic], ...] = (sp.Heaviside, relu, sp.Abs, sp.sign)
_JUMPING: tuple[type[sp.Basic], ...] = (sp.Heaviside,)

Number: TypeAlias = Fraction | float | int
Point: TypeAlias = dict[Any, Number]
"""Values of a sample point, keyed by ``Symbol`` (or ``Indexed``)."""


# --- the symbolic route ----------------------------------------------------------------------


def _is_zero(expr: sp.Expr) -> bool:
    return expr is sp.S.Zero


def _has_rewritable(expr: sp.Expr) -> bool:
    return bool(expr.atoms(*_REWRITTEN_TO_EXP))


def _to_exp(expr: sp.Expr) -> sp.Expr:
    return expr.rewrite(list(_REWRITTEN_TO_EXP), sp.exp)


def _together_zero(expr: sp.Expr) -> bool:
    numerator, denominator = sp.fraction(sp.together(expr))
    return denominator is not sp.S.Zero and _is_zero(sp.expand(numerator))


@dataclass(frozen=True)
class _Step:
    name: str
    closes: Callable[[sp.Expr], bool]
    needs_rewrite: bool = False


_CHEAP_STEPS = (
    _Step("expand", lambda e: _is_zero(sp.expand(e))),
    _Step("cancel", lambda e: _is_zero(sp.cancel(e))),
    _Step("together", _together_zero),
    _Step("rewrite(exp)+expand", lambda e: _is_zero(sp.expand(_to_exp(e))), True),
    _Step("rewrite(exp)+cancel", lambda e: _is_zero(sp.cancel(_to_exp(e))), True),
)
_SLOW_STEPS = (
    _Step("simplify", lambda e: _is_zero(sp.simplify(e))),
    _Step("rewrite(exp)+simplify", lambda e: _is_zero(sp.simplify(_to_exp(e))), True),
)


def _run_steps(
    expr: sp.Expr, steps: Iterable[_Step], deadline: Deadline, tried: list[str]
) -> str | None:
    """The name of the first step that reduces ``expr`` to exactly zero, or ``None``."""
    if _is_zero(expr):
        return "structural"
    usable = [step for step in steps if not step.needs_rewrite or _has_rewritable(expr)]
    for index, step in enumerate(usable):
        left = deadline.remaining()
        if left < _MIN_STEP:
            tried.append(f"{step.name} (no time left)")
            continue
        share = left if index == len(usable) - 1 else left / 2
        try:
            closed = run_with_budget(partial(step.closes, expr), share)
        except BudgetExceeded:
            tried.append(f"{step.name} (timed out after {share:.2g} s)")
            continue
        except Exception as exc:  # SymPy may fail on exotic input (RecursionError included)
            tried.append(f"{step.name} (failed: {type(exc).__name__})")
            continue
        tried.append(step.name)
        if closed:
            return step.name
    return None


def symbolic_zero(expr: sp.Expr, budget: float) -> str | None:
    """The name of the transformation that shows ``expr == 0`` within ``budget`` s, or None.

    Floats are replaced by their exact binary values first; see the module docstring for the
    transformations tried and their order.
    """
    deadline = Deadline(budget)
    exact = _exact_floats(_scalar(expr, "expr"))
    return _run_steps(exact, (*_CHEAP_STEPS, *_SLOW_STEPS), deadline, [])


# --- evaluation ------------------------------------------------------------------------------


def evaluate_at(
    expr: sp.Expr, point: Mapping[sp.Symbol, object], digits: int,
    spread: list[float] | None = None,
) -> mpmath.mpf | mpmath.mpc | None:
    """The value of ``expr`` at ``point``, computed with mpmath at ``digits`` decimal digits.

    ``point`` maps each free symbol (or ``Indexed`` element) to a number: ``int``,
    ``Fraction``, ``float``, a SymPy rational or float, or an mpmath number. ``Sum``/``Product``
    limits given an integer are expanded. Returns ``None`` where ``expr`` is undefined:
    a missing value, division by zero, a logarithm of zero, a non-finite or a genuinely
    complex result, or mpmath raising. A complex result whose imaginary part is rounding noise
    is returned as real. When ``spread`` is given, the digits between the largest and the
    smallest value met on the way (see :func:`_spread`) are appended to it.
    """
    values = dict(point)
    specialised = _specialise(expr, _integer_items(values))
    if not isinstance(specialised, sp.Expr):
        return None
    indexed = {
        atom: _exact_sympy_number(values[atom])
        for atom in _atoms(specialised, sp.Indexed)
        if atom in values
    }
    if indexed:
        specialised = specialised.xreplace(indexed)
        arguments = specialised.free_symbols
    else:
        arguments = _free_symbols(specialised)
    if any(symbol not in values for symbol in arguments):
        return None
    with mpmath.workdps(digits):
        try:
            precision = mpmath.mp.prec
            given = {symbol: _kept_mpmath(values[symbol], _kind(values[symbol]), precision)
                     for symbol in arguments}
            memo: dict[sp.Basic, Any] = {}
            raw = _mp_value(specialised, given, memo, digits)
            if spread is not None:
                spread.append(_spread(memo))
            return _as_real_or_complex(raw, digits)
        except BudgetExceeded:
            raise
        except Exception:
            return None


_EXPONENTIAL = frozenset({"exp", "sigmoid", "softplus", "tanh", "sinh", "cosh", "sech", "softmax"})
"""Functions computed through ``e^{±u}``: at ``|u|`` they mix magnitudes ``e^{|u|}`` apart."""


_SPREAD_CAP = mpmath.mpf(10) ** 12


_DIGITS_PER_BIT = math.log10(2)


def _spread(memo: Mapping[sp.Basic, Any]) -> float:
    """Decimal digits between the largest and the smallest nonzero value met in an evaluation.

    A sum of such values loses that many digits (``1 + e^{-105}`` at 40 digits is exactly 1),
    so a precision below ``digits + spread`` can make two different sides equal. The argument
    ``u`` of a function computed through ``e^{±u}`` counts as ``e^{|u|}``.
    """
    largest, smallest = -math.inf, math.inf
    for node, value in memo.items():
        if not isinstance(value, mpmath.mpf) or not value:
            continue
        magnitude = mpmath.mag(value) * _DIGITS_PER_BIT  # within a digit: the guard covers it
        largest, smallest = max(largest, magnitude), min(smallest, magnitude)
        if isinstance(node, sp.Function) and node.func.__name__ in _EXPONENTIAL:
            for argument in node.args:
                inner = memo.get(argument)
                if isinstance(inner, mpmath.mpf):
                    largest = max(largest, float(min(abs(inner), _SPREAD_CAP)) / math.log(10))
    return min(max(0.0, largest - smallest), 1e12) if largest > -math.inf else 0.0



def _mp_value(expr: sp.Basic, values: Mapping[sp.Basic, Any], memo: dict[sp.Basic, Any],
              digits: int) -> Any:
    """``expr`` at ``values`` in mpmath, walking the tree (each shared subexpression once):
    no code is generated from the expression. What the walk does not know (a limit, a
    special function) SymPy evaluates at ``digits`` digits."""
    if expr in memo:
        return memo[expr]
    if expr in values:
        result = values[expr]
    elif isinstance(expr, sp.Add):
        result = mpmath.fsum(_mp_value(a, values, memo, digits) for a in expr.args)
    elif isinstance(expr, sp.Mul):
        result = _ONE
        for factor in expr.args:
            result *= _mp_value(factor, values, memo, digits)
    elif isinstance(expr, sp.Pow):
        base = _mp_value(expr.base, values, memo, digits)
        exponent = _mp_value(expr.exp, values, memo, digits)
        result = mpmath.power(base, exponent)
    elif isinstance(expr, (sp.Rational, sp.Float)) or expr is sp.pi or expr is sp.E:
        result = _mp_constant(expr, mpmath.mp.prec)
    elif isinstance(expr, sp.Piecewise):
        result = _mp_piecewise(expr, values, memo, digits)
    elif isinstance(expr, sp.Function) and type(expr).__name__ in MPMATH_FUNCTIONS:
        function = MPMATH_FUNCTIONS[type(expr).__name__]
        result = function(*(_mp_value(a, values, memo, digits) for a in expr.args))
    else:
        written = expr.xreplace({s: sp.Float(mpmath.nstr(v, digits + 5), digits + 5)
                                 for s, v in values.items()
                                 if isinstance(s, sp.Symbol) and s in _free_symbols(expr)
                                 and isinstance(v, mpmath.mpf)})
        number = sp.N(written, digits)
        if not number.is_number:
            raise ValueError(f"cannot evaluate {type(expr).__name__}")
        result = mpmath.mpmathify(complex(number)) if number.is_complex and not \
            number.is_real else mpmath.mpf(sp.Float(number, digits)._mpf_)
    if isinstance(result, mpmath.mpc):
        # real semantics: a point where any part of a side leaves the reals (√ or log of a
        # negative) is outside the claim's domain, even when the whole comes back real
        if abs(result.imag) > mpmath.mpf(10) ** (5 - digits) * max(1, abs(result.real)):
            raise ValueError("not real here")
        result = result.real
    memo[expr] = result
    return result


_ONE = mpmath.mpf(1)


@lru_cache(maxsize=_FACTS)
def _mp_constant(expr: sp.Basic, precision: int) -> mpmath.mpf:
    """A number of the expression (whole, rational, float, π, e) at ``precision`` bits, the
    working precision: kept, since every point and precision meets the same constants."""
    if isinstance(expr, sp.Integer):
        return mpmath.mpf(int(expr))
    if isinstance(expr, sp.Rational):
        return mpmath.mpf(int(expr.p)) / int(expr.q)
    if isinstance(expr, sp.Float):
        return mpmath.mpf(expr._mpf_)
    return +mpmath.pi if expr is sp.pi else +mpmath.e


def _mp_piecewise(expr: sp.Piecewise, values: Mapping[sp.Basic, Any],
                  memo: dict[sp.Basic, Any], digits: int) -> Any:
    for value, condition in expr.args:
        if _mp_holds(condition, values, memo, digits):
            return _mp_value(value, values, memo, digits)
    raise ValueError("no case of the piecewise expression applies here")


def _mp_holds(condition: sp.Basic, values: Mapping[sp.Basic, Any],
              memo: dict[sp.Basic, Any], digits: int) -> bool:
    if condition is sp.true:
        return True
    if condition is sp.false:
        return False
    if isinstance(condition, sp.And):
        return all(_mp_holds(c, values, memo, digits) for c in condition.args)
    if isinstance(condition, sp.Or):
        return any(_mp_holds(c, values, memo, digits) for c in condition.args)
    if isinstance(condition, sp.Not):
        return not _mp_holds(condition.args[0], values, memo, digits)
    if isinstance(condition, sp.core.relational.Relational):
        a = _mp_value(condition.lhs, values, memo, digits)
        b = _mp_value(condition.rhs, values, memo, digits)
        return bool({"==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b,
                     ">=": a >= b}[condition.rel_op])
    raise ValueError(f"cannot decide the condition {condition}")


# --- facts about an expression, each found once ------------------------------------------------
# The sampler asks the same questions of the same sides at every point and every precision
# (which atoms of a kind, which free symbols): each answer is kept by the expression (SymPy
# expressions are immutable and hashable), so a tree is walked once per question.

def _atoms(expr: sp.Basic, *types: type[sp.Basic]) -> frozenset[Any]:
    """``expr.atoms(*types)``, kept."""
    return _kept_atoms(expr, types)


@lru_cache(maxsize=_FACTS)
def _kept_atoms(expr: sp.Basic, types: Any) -> frozenset[Any]:
    return frozenset(trees.atoms(expr, *types))  # one walk answers every kind asked


@lru_cache(maxsize=_FACTS)
def _free_symbols(expr: sp.Basic) -> frozenset[Any]:
    """``expr.free_symbols``, kept."""
    return frozenset(expr.free_symbols)


@lru_cache(maxsize=_FACTS)
def _limit_symbols(*sides: sp.Expr) -> frozenset[sp.Symbol]:
    """The symbols in the limits of the sums and products of ``sides``."""
    loops = set().union(*(_atoms(side, sp.Sum, sp.Product) for side in sides))
    return frozenset().union(
        *(bound.free_symbols for loop in loops for limit in loop.limits for bound in limit[1:])
    )


def _specialise(expr: sp.Expr, integers: frozenset[tuple[sp.Symbol, int]],
                *others: sp.Expr) -> sp.Expr:
    """``expr`` with the integer-valued limit symbols of the sums and products of ``expr``
    and ``others`` (the claim's other side) substituted everywhere, so that ``x_{n+1}``
    outside ``Σ_{i=1}^{n} x_{i+1}`` is the same entry as the sum's last one."""
    limit_symbols = _limit_symbols(expr, *others)
    if not limit_symbols:
        return expr
    substitution = frozenset((symbol, value) for symbol, value in integers
                             if symbol in limit_symbols)
    if not substitution:
        return expr
    return _substituted(expr, substitution)


@lru_cache(maxsize=256)
def _substituted(expr: sp.Expr, substitution: frozenset[tuple[sp.Symbol, int]]) -> sp.Expr:
    """``expr`` with the limit symbols given their values and its sums written out."""
    return expr.xreplace({symbol: sp.Integer(value) for symbol, value in substitution}).replace(
        lambda node: isinstance(node, (sp.Sum, sp.Product)), lambda node: node.doit()
    )


def distinct_bound_indices(*sides: sp.Expr) -> tuple[sp.Expr, ...]:
    """The sides with each sum's or product's index renamed when the same letter is also free
    in the claim: in ``∂/∂w_i Σ_i w_i² = 2w_i`` the bound i and the free i are two indices."""
    free = set().union(*(side.free_symbols for side in sides))
    free |= {s for entry in free if isinstance(entry, sp.Indexed) for s in entry.free_symbols}

    def clashes(node: sp.Basic) -> bool:
        return isinstance(node, (sp.Sum, sp.Product)) and any(
            limit[0] in free for limit in node.limits)

    def renamed(node: sp.Basic) -> sp.Basic:
        fresh = {limit[0]: sp.Dummy(str(limit[0]), **limit[0].assumptions0)
                 for limit in node.limits if limit[0] in free}
        return node.xreplace(fresh)

    return tuple(side.replace(clashes, renamed) if side.has(sp.Sum, sp.Product) else side
                 for side in sides)


def _integer_items(values: Mapping[Any, object]) -> frozenset[tuple[sp.Symbol, int]]:
    found: set[tuple[sp.Symbol, int]] = set()
    for key, value in values.items():
        if not isinstance(key, sp.Symbol):
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            found.add((key, value))
        elif isinstance(value, Fraction) and value.denominator == 1:
            found.add((key, value.numerator))
        elif isinstance(value, sp.Integer):
            found.add((key, int(value.p)))
    return frozenset(found)


def _to_mpmath(value: object) -> mpmath.mpf | mpmath.mpc:
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, (int, float, mpmath.mpf, mpmath.mpc)):
        return mpmath.mpmathify(value)
    if isinstance(value, sp.Rational):
        return mpmath.mpf(int(value.p)) / int(value.q)
    if isinstance(value, sp.Float):
        return mpmath.mpf(value._mpf_)
    raise TypeError(f"not a number: {value!r}")


def _kind(value: object) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


@lru_cache(maxsize=_FACTS)
def _kept_mpmath(value: object, kind: str, precision: int) -> mpmath.mpf | mpmath.mpc:
    """``_to_mpmath(value)`` (a ``kind``) at ``precision`` bits, the working precision, kept:
    a point is evaluated at several precisions, and its values recur in every side."""
    return _to_mpmath(value)


def _exact_sympy_number(value: object) -> sp.Expr:
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        numerator, denominator = value.as_integer_ratio()
        return sp.Rational(numerator, denominator)
    if isinstance(value, sp.Expr) and value.is_number:
        return value
    raise TypeError(f"not a number: {value!r}")


def _as_real_or_complex(raw: object, digits: int) -> mpmath.mpf | mpmath.mpc | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, mpmath.mpf, mpmath.mpc)):
        return None
    value = mpmath.mpmathify(raw)
    if not mpmath.isfinite(value):
        return None
    if isinstance(value, mpmath.mpc):
        noise = mpmath.mpf(10) ** (5 - digits) * max(1, abs(value.real))
        if abs(value.imag) > noise:
            return value
        return value.real
    return value


# --- the numeric route -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Kink:
    symbol: sp.Symbol
    at: Fraction


@dataclass
class _Sampling:
    """What the numeric route has found so far (kept when time runs out)."""

    usable: int = 0
    tried: int = 0
    worst: float = 0.0
    counterexample: Refuted | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Claim:
    """Both sides, prepared for sampling."""

    lhs: sp.Expr
    rhs: sp.Expr
    symbols: tuple[sp.Symbol, ...]
    domains: Mapping[Any, Domain]
    by_name: Mapping[str, Domain]
    kinks: tuple[_Kink, ...]
    discontinuities: tuple[sp.Expr, ...]
    """Arguments ``u`` of a jump at ``u = 0`` (Heaviside, sign, a case's condition)."""
    digits: int
    relative_tolerance: float
    index_ranges: tuple[tuple[sp.Symbol, sp.Expr, sp.Expr], ...] = ()
    """(i, low, high): a free index that names an entry a sum runs over (ŷᵢ beside
    Σₖ ℓ(ŷₖ), k = 1..m) is only meaningful for low ≤ i ≤ high."""
    powers: tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]] = ((), ())
    """(bases, exponents): the symbols of a power whose base and exponent both vary."""


def _relative(pair: tuple[mpmath.mpf, mpmath.mpf]) -> float:
    """``|a - b| / max(1, |a|, |b|)``."""
    a, b = pair
    return float(abs(a - b) / max(mpmath.mpf(1), abs(a), abs(b)))


def _evaluate_pair(
    claim: _Claim, point: Point, digits: int, spread: list[float] | None = None
) -> tuple[mpmath.mpf, mpmath.mpf] | None:
    """Both sides at ``point``, or None when the point is unusable (undefined, not real, or
    at a discontinuity, whose value is a convention)."""
    for argument in claim.discontinuities:
        at_jump = evaluate_at(argument, point, digits)
        if at_jump is None or at_jump == 0:
            return None
    a = evaluate_at(claim.lhs, point, digits, spread)
    if a is None or isinstance(a, mpmath.mpc):
        return None
    b = evaluate_at(claim.rhs, point, digits, spread)
    if b is None or isinstance(b, mpmath.mpc):
        return None
    return a, b


@dataclass(frozen=True)
class _Judgement:
    """What one point says: "skip", "agrees" or "refutes", with the values that say it."""

    verdict: str
    values: tuple[mpmath.mpf, mpmath.mpf] | None = None
    relative: float = 0.0


_SKIP = _Judgement("skip")


def _judge(claim: _Claim, point: Point, confirm: bool = False) -> _Judgement:
    """Evaluate both sides at ``point``; settle any difference by raising the precision.

    A point undefined at ``digits`` is tried once more at twice the digits (``1 - σ(z)``
    rounds to 0 at large ``z``). A difference is real when it persists at twice the digits
    (the two precisions agree on it to ``STABLE_TO``): it refutes however small it is
    (``x + 10⁻³⁰x = x``). It is rounding when it shrinks as the digits grow. A difference
    below ``claim.relative_tolerance`` is taken for rounding without that test, unless
    ``confirm`` asks for it (the first points of every claim are confirmed, so a difference
    that is tiny everywhere is still found).
    """
    precision = claim.digits
    spread: list[float] = []
    pair = _evaluate_pair(claim, point, precision, spread)
    if pair is None:
        precision *= 2
        pair = _evaluate_pair(claim, point, precision, spread)
        if pair is None:
            return _SKIP
    needed = claim.digits + math.ceil(max(spread, default=0.0)) + GUARD_DIGITS
    if needed > precision:
        # values that far apart lose digits when added (1 + e^{-105} is 1 at 40 digits): a
        # precision that covers the spread keeps every term
        if needed > MAX_DIGITS:
            if pair[0] == pair[1] or _relative(pair) <= claim.relative_tolerance:
                return _SKIP  # no affordable precision can tell an agreement from rounding
        else:
            precision = needed
            pair = _evaluate_pair(claim, point, precision)
            if pair is None:
                return _SKIP
    if pair[0] == pair[1]:
        return _Judgement("agrees", pair, 0.0)
    if not confirm and _relative(pair) <= claim.relative_tolerance:
        return _Judgement("agrees", pair, _relative(pair))
    for _ in range(2):
        lower = precision
        precision *= 2
        higher = _evaluate_pair(claim, point, precision)
        if higher is None:
            return _SKIP
        before, after = pair[0] - pair[1], higher[0] - higher[1]
        if abs(after) <= abs(before) * mpmath.mpf(10) ** (-lower // 2):
            return _Judgement("agrees", higher, _relative(higher))  # rounding: it shrank
        if abs(after - before) <= STABLE_TO * abs(after):
            return _Judgement("refutes", higher, _relative(higher))
        pair = higher
    return _SKIP  # unstable: no precision tried settles it


def differs_at(lhs: sp.Expr, rhs: sp.Expr, point: Mapping[sp.Symbol, Number],
               digits: int = 40) -> tuple[mpmath.mpf, mpmath.mpf] | None:
    """Both sides at ``point`` when they differ there by a difference that survives a
    precision increase (however small); None when they agree, or a side is undefined or not
    real there. The confirmation behind entrywise matrix checks."""
    judgement = _judge(_point_claim(lhs, rhs, digits), dict(point), confirm=True)
    return judgement.values if judgement.verdict == "refutes" else None


@lru_cache(maxsize=_FACTS)
def _point_claim(lhs: sp.Expr, rhs: sp.Expr, digits: int) -> _Claim:
    """The claim ``differs_at`` judges, prepared once for all the points it is asked at."""
    return _prepare_claim(lhs, rhs, {}, digits, 1e-12)


def _allows(domain: Domain, value: Fraction) -> bool:
    """Whether ``value`` belongs to ``domain`` (discrete and count domains included)."""
    if isinstance(domain, Discrete):
        return value in domain.values
    if isinstance(domain, Count):
        return value.denominator == 1 and value >= 1
    return _inside(domain, value)


def _inside(domain: Domain, value: Fraction) -> bool:
    if isinstance(domain, RealLine):
        return True
    if isinstance(domain, Interval):
        above = value > domain.low if domain.low_open else value >= domain.low
        below = value < domain.high if domain.high_open else value <= domain.high
        return bool(above and below)
    return False  # discrete and unknown domains are never snapped


def _simple_values(value: Number) -> list[Fraction]:
    """Nearby simple numbers, simplest first.

    One significant digit, the nearest whole number, two significant digits, and last the
    value rounded to the digits shown, so that the point reported is exactly the point checked.
    """
    exact = Fraction(value)
    found: list[Fraction] = []
    if exact != 0:
        exponent = math.floor(math.log10(abs(float(exact))))
        for significant in (1, 0, 2, SHOWN_DIGITS):
            if significant == 0:
                found.append(Fraction(round(exact)))
                continue
            step = Fraction(10) ** (exponent - significant + 1)
            found.append(round(exact / step) * step)
    unique: list[Fraction] = []
    for candidate in found:
        if candidate != exact and candidate not in unique:
            unique.append(candidate)
    return unique


def _snap(claim: _Claim, point: Point, pair: tuple[mpmath.mpf, mpmath.mpf]) -> Refuted:
    """Move each continuous value of a counterexample to a simple number where it still refutes."""
    current = dict(point)
    for key in sorted(current, key=sp.default_sort_key):
        domain = claim.domains.get(key, REAL)
        value = current[key]
        kinks = [kink.at for kink in claim.kinks if kink.symbol == key]
        for candidate in _simple_values(value):
            if not _inside(domain, candidate):
                continue
            if any(candidate == at or (candidate > at) != (Fraction(value) > at) for at in kinks):
                continue
            trial = {**current, key: candidate}
            judgement = _judge(claim, trial, confirm=True)
            if judgement.verdict == "refutes" and judgement.values is not None:
                current, pair = trial, judgement.values
                break
    return _refuted(current, pair)


def _show(value: Number | mpmath.mpf, significant: int = SHOWN_DIGITS) -> str:
    if isinstance(value, (int, Fraction)) and Fraction(value).denominator == 1:
        return str(int(value))
    with mpmath.workdps(max(30, significant + 5)):
        return str(mpmath.nstr(_to_mpmath(value), significant))


def show_pair(pair: tuple[mpmath.mpf, mpmath.mpf]) -> tuple[str, str]:
    """Both values with the fewest digits (from ``SHOWN_DIGITS``) that tell them apart; values
    closer than 40 digits are shown as the rounded value and what remains (``1.0 − 1.2e-47``)."""
    significant = SHOWN_DIGITS
    while significant < 40:
        shown = (_show(pair[0], significant), _show(pair[1], significant))
        if shown[0] != shown[1]:
            return shown
        significant += 2
    return _show_with_remainder(pair[0]), _show_with_remainder(pair[1])


def _show_with_remainder(value: mpmath.mpf) -> str:
    rounded = _show(value, SHOWN_DIGITS)
    with mpmath.workdps(mpmath.mp.dps + 10):
        remainder = value - mpmath.mpf(rounded)
    if not remainder:
        return rounded
    sign = "−" if remainder < 0 else "+"
    return f"{rounded} {sign} {_show(abs(remainder), 3)}"


def _refuted(point: Point, pair: tuple[mpmath.mpf, mpmath.mpf]) -> Refuted:
    shown = sorted((str(key), _show(value)) for key, value in point.items())
    lhs_value, rhs_value = show_pair(pair)
    return Refuted(
        point=tuple(shown),
        lhs_value=lhs_value,
        rhs_value=rhs_value,
        difference=float(abs(pair[0] - pair[1])),
    )


def _domain_for(
    symbol: Any, domains: Mapping[Any, Domain], by_name: Mapping[str, Domain]
) -> Domain:
    if symbol in domains:
        return domains[symbol]
    if isinstance(symbol, sp.Indexed):
        label = symbol.base.label
        return domains.get(label) or by_name.get(str(label), REAL)
    return by_name.get(str(symbol), REAL)


@lru_cache(maxsize=_FACTS)
def _kink_arguments(expr: sp.Expr) -> frozenset[sp.Expr]:
    found: set[sp.Expr] = set()
    for node in _atoms(expr, *_KINKED):
        found.add(node.args[0])
    for node in _atoms(expr, sp.Max, sp.Min):
        arguments = list(node.args)
        found.update(a - b for i, a in enumerate(arguments) for b in arguments[i + 1 :])
    for node in _atoms(expr, sp.Piecewise):
        for _, condition in node.args:
            if isinstance(condition, sp.Basic):
                for relation in condition.atoms(sp.Rel):
                    found.add(relation.lhs - relation.rhs)
    return frozenset(argument for argument in found if argument.free_symbols)


@lru_cache(maxsize=_FACTS)
def _jump_arguments(expr: sp.Expr) -> frozenset[sp.Expr]:
    """The arguments at whose zero a side jumps to a value that is a convention (H(0), the
    boundary of a case), not a fact, so such a point is never used. relu, |x|, max, min and
    sign have a value there: their kinks are sampled on both sides and at the kink itself."""
    found: set[sp.Expr] = {node.args[0] for node in _atoms(expr, *_JUMPING)}
    for node in _atoms(expr, sp.Piecewise):
        for _, condition in node.args:
            if isinstance(condition, sp.Basic):
                found.update(r.lhs - r.rhs for r in condition.atoms(sp.Rel))
    return frozenset(argument for argument in found if argument.free_symbols)


@lru_cache(maxsize=_FACTS)
def _kink_of(argument: sp.Expr) -> _Kink | None:
    """The kink of ``argument == 0`` when it is linear in one symbol with rational coefficients."""
    symbols = [s for s in argument.free_symbols if isinstance(s, sp.Symbol)]
    if len(symbols) != 1 or argument.atoms(sp.Indexed):
        return None
    symbol = symbols[0]
    slope = sp.diff(argument, symbol)
    offset = sp.expand(argument - slope * symbol)
    if not (slope.is_Rational and slope != 0 and offset.is_Rational):
        return None
    location = -offset / slope
    return _Kink(symbol, Fraction(int(location.p), int(location.q)))


@lru_cache(maxsize=_FACTS)
def _sampled_symbols(expr: sp.Expr) -> frozenset[sp.Symbol]:
    indexed = _atoms(expr, sp.Indexed)
    if not indexed:
        return frozenset(s for s in _free_symbols(expr)
                         if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy))
    hidden = {atom: sp.Dummy() for atom in indexed}
    labels = {atom.base.label for atom in hidden}
    return frozenset({
        symbol
        for symbol in expr.xreplace(hidden).free_symbols
        if isinstance(symbol, sp.Symbol) and not isinstance(symbol, sp.Dummy)
    } - labels)


def _random_points(claim: _Claim, rng: random.Random, count: int) -> list[Point]:
    columns: dict[sp.Symbol, list[Number]] = {}
    for symbol in claim.symbols:
        domain = claim.domains.get(symbol, REAL)
        if isinstance(domain, Discrete) and domain.values:
            start = rng.randrange(len(domain.values))
            cycled: list[Number] = [
                domain.values[(start + i) % len(domain.values)] for i in range(count)
            ]
            rng.shuffle(cycled)
            columns[symbol] = cycled
        else:
            columns[symbol] = [domain.sample(rng, wide=True) for _ in range(count)]
    return [{symbol: columns[symbol][i] for symbol in claim.symbols} for i in range(count)]


def _kink_points(claim: _Claim, rng: random.Random) -> list[Point]:
    points: list[Point] = []
    for kink in claim.kinks:
        domain = claim.domains.get(kink.symbol, REAL)
        if isinstance(domain, (Discrete, Count)):
            continue
        scale = max(Fraction(1), abs(kink.at))
        values = [kink.at + Fraction(offset) * scale for offset in _KINK_OFFSETS]
        if 0 < abs(kink.at) < 1:  # a kink near 0 (relu(x − 10⁻²⁰)) is crossed at its own scale
            values += [kink.at / 2, kink.at * Fraction(3, 2)]
        for value in values:
            if not _inside(domain, value):
                continue
            point = _random_points(claim, rng, 1)[0]
            point[kink.symbol] = value if value.denominator > 2**64 else float(value)
            points.append(point)
    return points


def _edge_points(claim: _Claim, rng: random.Random) -> list[Point]:
    """A point at each closed end of an interval domain (0 when x is nonnegative): where a
    claim that fails on a sliver at the edge (sign(x) = 1 for x ≥ 0) fails."""
    points: list[Point] = []
    for symbol in claim.symbols:
        domain = claim.domains.get(symbol, REAL)
        if not isinstance(domain, Interval):
            continue
        for end, is_open in ((domain.low, domain.low_open), (domain.high, domain.high_open)):
            if not is_open and math.isfinite(end):
                point = _random_points(claim, rng, 1)[0]
                point[symbol] = Fraction(end)
                points.append(point)
    return points


@lru_cache(maxsize=_FACTS)
def _power_symbols(*sides: sp.Expr) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """The symbols of the bases and of the exponents of powers where both vary."""
    bases: set[sp.Symbol] = set()
    exponents: set[sp.Symbol] = set()
    for side in sides:
        for power in _atoms(side, sp.Pow):
            base, exponent = power.args
            if base.free_symbols and exponent.free_symbols:
                bases |= {s for s in base.free_symbols if isinstance(s, sp.Symbol)}
                exponents |= {s for s in exponent.free_symbols if isinstance(s, sp.Symbol)}
    return (tuple(sorted(bases - exponents, key=sp.default_sort_key)),
            tuple(sorted(exponents, key=sp.default_sort_key)))


def _power_points(claim: _Claim, rng: random.Random) -> list[Point]:
    """Points with whole and half exponents and negative bases: the real-valued corners
    where power laws that need a positive base break."""
    bases, exponents = claim.powers
    if not exponents:
        return []
    grid = [(base, *values) for base in _POWER_BASES
            for values in itertools.product(_POWER_EXPONENTS, repeat=len(exponents))]
    if len(grid) > _POWER_POINTS:
        grid = grid[:len(_POWER_BASES)] + rng.sample(grid[len(_POWER_BASES):],
                                                      _POWER_POINTS - len(_POWER_BASES))
    points: list[Point] = []
    for base, *values in grid:
        point = _random_points(claim, rng, 1)[0]
        for symbol in bases:
            if _allows(claim.domains.get(symbol, REAL), base):
                point[symbol] = base
        for symbol, value in zip(exponents, values, strict=True):
            if _allows(claim.domains.get(symbol, REAL), value):
                point[symbol] = value
        points.append(point)
    return points


@lru_cache(maxsize=_FACTS)
def _index_ranges(*sides: sp.Expr) -> tuple[tuple[sp.Symbol, sp.Expr, sp.Expr], ...]:
    """The free indices that name an entry a sum runs over (ŷᵢ on one side, Σₖ over ŷₖ on
    either; or δᵢₖ inside the sum), with the sum's range."""
    loops = set().union(*(_atoms(side, sp.Sum) for side in sides))
    if not loops:
        return ()
    free = set().union(*(_free_symbols(side) for side in sides))
    entries = [e for side in sides for e in _atoms(side, sp.Indexed)
               if all(isinstance(i, sp.Symbol) for i in e.indices)]
    found: set[tuple[sp.Symbol, sp.Expr, sp.Expr]] = set()
    for loop in loops:
        for index, low, high in loop.limits:
            bases = {e.base for e in loop.function.atoms(sp.Indexed) if index in e.indices}
            named = {i for e in entries if e.base in bases for i in e.indices}
            named |= {a for delta in loop.function.atoms(sp.KroneckerDelta)
                      if index in delta.args for a in delta.args}
            found |= {(i, low, high) for i in named
                      if i != index and i in free and isinstance(i, sp.Symbol)}
    return tuple(sorted(found, key=sp.default_sort_key))


def _placed_in_ranges(claim: _Claim, point: Point, rng: random.Random) -> Point | None:
    """``point`` with each index of ``claim.index_ranges`` drawn inside its range (ŷᵢ is
    one of ŷ₁ … ŷₘ at the point's m); None when a range has no whole-number bounds."""
    if not claim.index_ranges:
        return point
    placed = dict(point)
    for index, low, high in claim.index_ranges:
        values = {s: sp.Integer(int(v)) for s, v in placed.items()
                  if isinstance(s, sp.Symbol) and isinstance(v, int | Fraction)
                  and Fraction(v).denominator == 1}
        first, last = low.xreplace(values), high.xreplace(values)
        if not (first.is_Integer and last.is_Integer and first <= last):
            return None
        placed[index] = Fraction(rng.randint(int(first), int(last)))
    return placed


def _with_indexed(claim: _Claim, point: Point, rng: random.Random) -> tuple[Point, _Claim]:
    """Expand sums at the point's counts and draw a value for each indexed element they hold."""
    integers = _integer_items(point)
    lhs = _specialise(claim.lhs, integers, claim.rhs)
    rhs = _specialise(claim.rhs, integers, claim.lhs)
    # an entry named by a placed index is the entry at that position (ŷᵢ at i = 1 is ŷ₁)
    placed = {index: sp.Integer(int(point[index])) for index, _, _ in claim.index_ranges
              if index in point}
    if placed:
        lhs, rhs = lhs.xreplace(placed), rhs.xreplace(placed)
    elements = sorted(_atoms(lhs, sp.Indexed) | _atoms(rhs, sp.Indexed), key=sp.default_sort_key)
    if not elements:
        return point, claim
    extended = dict(point)
    domains = dict(claim.domains)
    for element in elements:
        domains[element] = _domain_for(element, claim.domains, claim.by_name)
        extended[element] = domains[element].sample(rng, wide=True)
    return extended, replace(claim, lhs=lhs, rhs=rhs, domains=domains)


def _sample(claim: _Claim, samples: int, seed: int, deadline: Deadline, found: _Sampling) -> None:
    """Compare both sides at sample points, recording into ``found`` as it goes."""
    rng = random.Random(seed)
    batch = _kink_points(claim, rng) + _edge_points(claim, rng) + _power_points(claim, rng)
    special = len(batch)  # placed where claims break: each is confirmed at two precisions
    wanted = (samples if claim.symbols else 1) + len(batch)
    limit = 4 * wanted
    while found.usable < wanted and found.tried < limit:
        batch += _random_points(claim, rng, wanted - found.usable - len(batch))
        for base_point in batch:
            if deadline.expired():  # where signals cannot interrupt, stop between points
                raise BudgetExceeded("sampling ran out of time")
            found.tried += 1
            placed = _placed_in_ranges(claim, base_point, rng)
            if placed is None:
                continue  # no range to place the entry the claim names in
            point, specialised = _with_indexed(claim, placed, rng)
            judgement = _judge(specialised, point,
                               confirm=found.usable < CONFIRMED_POINTS or found.tried <= special)
            if judgement.verdict == "skip" or judgement.values is None:
                continue
            if judgement.verdict == "refutes":
                found.counterexample = _refuted(point, judgement.values)  # if snapping runs out
                found.counterexample = _snap(specialised, point, judgement.values)
                return
            relative = judgement.relative
            found.usable += 1
            found.worst = max(found.worst, relative)
        batch = []


def _numeric_route(claim: _Claim, samples: int, seed: int, deadline: Deadline) -> _Sampling:
    found = _Sampling()
    try:
        with time_limit(deadline.remaining()):
            _sample(claim, samples, seed, deadline, found)
    except BudgetExceeded:
        found.notes.append("sampling ran out of time")
    return found


# --- compare ---------------------------------------------------------------------------------


def _scalar(expr: object, side: str) -> sp.Expr:
    if isinstance(expr, (sp.MatrixBase, MatrixExpr)) or (
        isinstance(expr, sp.Basic) and expr.atoms(sp.MatrixSymbol)
    ):
        raise TypeError(f"{side} is a matrix expression; compare() handles scalars only")
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"{side} must be a SymPy scalar expression, not {type(expr).__name__}")
    return expr


def _exact_floats(expr: sp.Expr) -> sp.Expr:
    floats = expr.atoms(sp.Float)
    if not floats:
        return expr
    return expr.xreplace({value: sp.Rational(value) for value in floats})


def _evaluate_derivatives(expr: sp.Expr) -> sp.Expr:
    derivatives = expr.atoms(sp.Derivative)
    if not derivatives:
        return expr
    return expr.xreplace({derivative: derivative.doit() for derivative in derivatives})


def _prepare_claim(
    lhs: sp.Expr,
    rhs: sp.Expr,
    domains: Mapping[sp.Symbol, Domain],
    digits: int,
    relative_tolerance: float,
) -> _Claim:
    by_name = {str(symbol): domain for symbol, domain in domains.items()}
    symbols = tuple(sorted(_sampled_symbols(lhs) | _sampled_symbols(rhs), key=sp.default_sort_key))
    arguments = {
        argument
        for argument in _kink_arguments(lhs) | _kink_arguments(rhs)
        if argument.free_symbols <= set(symbols)
    }
    kinks = {kink for kink in map(_kink_of, arguments) if kink is not None}
    known: dict[Any, Domain] = dict(domains)
    for symbol in symbols:
        known[symbol] = _domain_for(symbol, domains, by_name)
    return _Claim(
        lhs=lhs,
        rhs=rhs,
        symbols=symbols,
        domains=known,
        by_name=by_name,
        kinks=tuple(sorted(kinks, key=lambda k: (str(k.symbol), k.at))),
        discontinuities=tuple(sorted(arguments & (_jump_arguments(lhs) | _jump_arguments(rhs)),
                                     key=sp.default_sort_key)),
        digits=digits,
        relative_tolerance=relative_tolerance,
        index_ranges=_index_ranges(lhs, rhs),
        powers=_power_symbols(lhs, rhs),
    )


CONFIRMED_POINTS = 3
"""The first usable points of every claim are evaluated at two precisions even when the
sides agree to the tolerance: a difference that is tiny everywhere (``tanh(10⁻⁶x) = 10⁻⁶x``)
persists, rounding shrinks."""

CROSS_CHECK_SAMPLES = 6
"""Points sampled (besides the kinks) to cross-check a symbolic closure."""


def _differs_in_floats(claim: _Claim, seed: int, points: int = 3) -> bool:
    """Whether the sides clearly differ in double precision at one of a few sample points:
    a screen only (``compare`` refutes with a point confirmed at high precision)."""
    rng = random.Random(seed + 1)
    for point in _random_points(claim, rng, points):
        values = {symbol: float(value) for symbol, value in point.items()}
        try:
            a = float_value(claim.lhs, values, {})
            b = float_value(claim.rhs, values, {})
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return False  # a function or an element the screen cannot evaluate
        if math.isfinite(a) and math.isfinite(b) and \
                abs(a - b) > 1e-6 * max(1.0, abs(a), abs(b)):
            return True
    return False


def _undefined_part(expr: sp.Expr) -> sp.Expr | None:
    """A part of ``expr`` that has no value anywhere (log 0 = zoo, 0/0 = nan, ∞ outside a
    limit or a sum's bounds), or None."""
    if expr.has(sp.zoo, sp.nan):
        return next(iter(expr.atoms(sp.zoo.func, sp.nan.func)), sp.zoo)
    bounded = expr.replace(lambda node: isinstance(node, (sp.Limit, sp.Sum, sp.Product,
                                                          sp.Integral)),
                           lambda node: sp.Dummy())
    if bounded.has(sp.oo, -sp.oo):
        return sp.oo
    return None


def _validate(budget: float, samples: int, digits: int, relative_tolerance: float) -> None:
    if not budget > 0:
        raise ValueError(f"budget must be positive, not {budget}")
    if samples < 1:
        raise ValueError(f"samples must be at least 1, not {samples}")
    if digits < 15:
        raise ValueError(f"digits must be at least 15, not {digits}")
    if not 0 < relative_tolerance < 1:
        raise ValueError(f"relative_tolerance must be in (0, 1), not {relative_tolerance}")


def compare(
    lhs: sp.Expr,
    rhs: sp.Expr,
    domains: Mapping[sp.Symbol, Domain] | None = None,
    *,
    budget: float = 5.0,
    samples: int = 24,
    digits: int = 40,
    seed: int = 0,
    relative_tolerance: float = 1e-12,
    prove: bool = True,
) -> Outcome:
    """Decide whether ``lhs == rhs`` on the domains, within ``budget`` seconds.

    See the module docstring for what each outcome guarantees, the real semantics, the
    sampling (kinks on both sides; never exactly at a jump, whose value is a convention),
    the tolerance and the split of the budget. Raises ``TypeError`` for matrix expressions.

    The same claim asked again (the same sides, domains and settings) gets the outcome
    already found when finding it took no longer than the new budget and ran into no time
    limit (no step timed out or was left out, sampling did not run out of time); an
    ``Undecided`` outcome is never kept. So a kept outcome is the one the work gives within
    the budget asked for. Outcomes are kept in the process and, between runs, in the user's
    cache (``derive.core.cache``), there under the package's source digest and the canonical
    text (:func:`derive.decide.kept.canonical`) of the two sides, the domains (in their
    order where it matters), the settings and SymPy's and mpmath's global switches.

    ``prove=False`` asks only whether the sides are equal (the diagnosis's judge): sides the
    sampling finds equal, with enough usable points for ``Checked``, are not given to the
    slow symbolic steps (``simplify``), which could only turn that ``Checked`` into
    ``Proved``. Equal or not is decided as with ``prove=True``.
    """
    _validate(budget, samples, digits, relative_tolerance)
    settings: tuple[object, ...] = (samples, digits, seed, relative_tolerance)
    if not prove:
        settings += ("equal or not",)
    key = _outcome_key(lhs, rhs, domains, *settings)
    kept = _OUTCOMES.get(key) if key is not None else None
    if kept is not None and kept[1] <= budget:
        return kept[0]
    name = _stored_name(lhs, rhs, domains, settings)
    stored = _recalled(name) if name is not None else None
    if stored is not None and stored[1] <= budget:
        _keep_here(key, stored)
        return stored[0]
    tried: list[str] = []
    notes: list[str] = []
    started = time.monotonic()
    outcome = _compared(lhs, rhs, domains, budget, samples, digits, seed, relative_tolerance,
                        tried, notes, prove)
    took = time.monotonic() - started
    limited = notes or any("(no time left)" in t or "(timed out" in t for t in tried)
    if limited:
        BudgetExceeded.made += 1  # what a run keeps must not depend on this
    if not limited and not isinstance(outcome, Undecided):
        _keep_here(key, (outcome, took))
        if name is not None:
            cache.keep(_STORED, name, (outcome, took))
    return outcome


def _keep_here(key: tuple[Any, ...] | None, kept: tuple[Outcome, float]) -> None:
    if key is None:
        return
    if len(_OUTCOMES) >= _KEPT_OUTCOMES:
        del _OUTCOMES[next(iter(_OUTCOMES))]
    _OUTCOMES[key] = kept


_STORED = "outcome"
"""The kind of the outcomes kept in the user's cache."""

_DOMAINS: tuple[type[Domain], ...] = (RealLine, Interval, Discrete, Count)
"""The domains whose fields are all they are: the ones an outcome is kept under."""


def _stored_name(lhs: object, rhs: object, domains: Mapping[sp.Symbol, Domain] | None,
                 settings: tuple[object, ...]) -> str | None:
    """The name of a comparison's outcome in the user's cache: every input of the work
    written out exactly, or None (the cache is off, or an input cannot be written out)."""
    if not cache.enabled():
        return None
    if not all(type(value) is int for value in settings[:3]) or type(settings[3]) is not float:
        return None
    try:
        written = [(canonical(symbol), _written_domain(domain))
                   for symbol, domain in (domains or {}).items()]
        if _order_free(domains or {}):
            written.sort()
        text = canonical(lhs, rhs, settings, kept_settings(),
                         tuple(step.name for step in (*_CHEAP_STEPS, *_SLOW_STEPS)))
    except Unkeyable:
        return None
    return cache.key(_STORED, text, *(part for item in written for part in item))


def _written_domain(domain: Domain) -> str:
    if type(domain) not in _DOMAINS:
        raise Unkeyable(type(domain).__qualname__)
    fields = tuple(getattr(domain, f.name) for f in dataclasses.fields(domain))
    return f"{type(domain).__name__}{canonical(_exact(fields))}"


def _order_free(domains: Mapping[sp.Symbol, Domain]) -> bool:
    """Whether the order of ``domains`` cannot change an outcome: it matters only where two
    keys of one name have different domains (the domain looked up by the name is the last
    one's; see ``_prepare_claim``)."""
    by_name: dict[str, Domain] = {}
    for symbol, domain in domains.items():
        if by_name.setdefault(str(symbol), domain) != domain:
            return False
    return True


def _exact(values: tuple[object, ...]) -> tuple[object, ...]:
    """Fields of a domain as :func:`canonical` writes them (a fraction as its two parts)."""
    return tuple(_exact(v) if isinstance(v, tuple)
                 else ("fraction", v.numerator, v.denominator) if isinstance(v, Fraction)
                 else v for v in values)


def _recalled(name: str) -> tuple[Outcome, float] | None:
    """A kept outcome and the seconds it took, or None (absent, damaged or foreign)."""
    kept = cache.recall(_STORED, name)
    if not (isinstance(kept, tuple) and len(kept) == 2):
        return None
    outcome, took = kept
    if not isinstance(outcome, Proved | Checked | Refuted) or not isinstance(took, float):
        return None
    return outcome, took


_KEPT_OUTCOMES = 2048
"""Outcomes kept in one process (the oldest goes first)."""
_OUTCOMES: dict[tuple[Any, ...], tuple[Outcome, float]] = {}
"""Each kept outcome with the seconds it took to find."""


def _outcome_key(lhs: object, rhs: object, domains: Mapping[sp.Symbol, Domain] | None,
                 *settings: object) -> tuple[Any, ...] | None:
    """What a comparison's outcome depends on (the steps tried included), or None when some
    part of it is unhashable."""
    key = (lhs, rhs, frozenset((domains or {}).items()), _CHEAP_STEPS, _SLOW_STEPS, *settings)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _compared(lhs: sp.Expr, rhs: sp.Expr, domains: Mapping[sp.Symbol, Domain] | None,
              budget: float, samples: int, digits: int, seed: int, relative_tolerance: float,
              tried: list[str], notes: list[str], prove: bool = True) -> Outcome:
    """:func:`compare`'s work; the steps tried go to ``tried``, the sampler's notes (time
    ran out) to ``notes``."""
    deadline = Deadline(budget)
    lhs = _exact_floats(_scalar(lhs, "lhs"))
    rhs = _exact_floats(_scalar(rhs, "rhs"))
    lhs, rhs = distinct_bound_indices(lhs, rhs)
    for side, name in ((lhs, "the left side"), (rhs, "the right side")):
        undefined = _undefined_part(side)
        if undefined is not None:
            return Undecided(("nothing",), f"{name} has no value: it contains {undefined}")
    if lhs == rhs:
        return Proved("structural")
    if lhs.is_Rational and rhs.is_Rational:  # a claim about two numbers is decided exactly
        with mpmath.workdps(max(digits, len(str(lhs)), len(str(rhs))) + 10):
            return _refuted({}, (_to_mpmath(lhs), _to_mpmath(rhs)))
    cheap = deadline.child(budget * CHEAP_SHARE)
    try:
        lhs, rhs = run_with_budget(
            lambda: (_evaluate_derivatives(lhs), _evaluate_derivatives(rhs)), cheap.remaining()
        )
    except BudgetExceeded:
        return Undecided(("doit",), "evaluating the derivatives in the claim ran out of time")
    claim = _prepare_claim(lhs, rhs, domains or {}, digits, relative_tolerance)
    found: _Sampling | None = None
    if _differs_in_floats(claim, seed):
        # a false claim: the cheap steps would only spend the budget failing. The numeric
        # route finds the counterexample and confirms it at high precision; should it find
        # none (the doubles were misleading), the usual route follows.
        found = _numeric_route(claim, samples, seed, deadline)
        notes.extend(found.notes)
        if found.counterexample is not None:
            return found.counterexample
    method = _run_steps(lhs - rhs, _CHEAP_STEPS, cheap, tried)
    if found is None:
        # after a symbolic closure the points only cross-check it: a few are enough
        wanted = samples if method is None else min(samples, CROSS_CHECK_SAMPLES)
        found = _numeric_route(claim, wanted, seed, deadline)
        notes.extend(found.notes)
    numeric_note = f"sampling ({found.usable} of {found.tried} points usable)"
    if method is not None:
        if found.counterexample is not None:
            shown = ", ".join(f"{name} = {value}" for name, value in found.counterexample.point)
            return Undecided(
                (*tried, numeric_note),
                f"{method} reduces the difference to 0, but sampling at {shown} gives "
                f"{found.counterexample.lhs_value} against {found.counterexample.rhs_value}",
            )
        return Proved(method)
    if found.counterexample is not None:
        return found.counterexample
    sampled = found.usable >= min(samples, 4) or (found.usable > 0 and not found.notes)
    if sampled and not prove:
        return Checked(found.usable, digits, found.worst)
    method = _run_steps(lhs - rhs, _SLOW_STEPS, deadline, tried)
    if method is not None:
        return Proved(method)
    if sampled:
        return Checked(found.usable, digits, found.worst)
    tried.append(numeric_note)
    reason = "; ".join(found.notes) or "no sample point could be evaluated"
    return Undecided(tuple(tried), reason)
