"""The elementary functions, one record each: everything the package knows of a function.

A record names the SymPy function, its rule (name and one-line statement), its local
derivative, its float64, mpmath and NumPy implementations, and the words a derivation may
write it with. The rule table, the differentiation engine, both numeric evaluators, the
reader's function names and the code printers are generated from ``PRIMITIVES``: adding a
function is adding one record here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from derive.core.functions import relu, sigmoid, softplus


@dataclass(frozen=True)
class Primitive:
    """One elementary function of one argument."""

    function: Any
    """The SymPy function (``sp.exp``, ``sigmoid``, ...)."""
    rule: str
    """The name of its rule in the rule table."""
    statement: str
    """The rule in one line of math."""
    derivative: Callable[[sp.Expr], sp.Expr]
    """f′ at the argument u."""
    float64: Callable[[float], float]
    mp: Callable[[Any], Any]
    numpy: str | None
    """The NumPy function when a plain call is right; None when the code printer has a
    numerically stable form of its own (σ, softplus, log, relu, the step)."""
    words: tuple[str, ...] = ()
    """Names the reader takes as this function before an argument (``\\operatorname{X}``,
    ``\\mathrm{X}``, ``\\X``), lower case."""

    @property
    def name(self) -> str:
        """The SymPy class name, the key of the evaluators."""
        return str(self.function.__name__)


def _float_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _float_softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _float_step(x: float, at_zero: float = 0.5) -> float:
    return 1.0 if x > 0 else 0.0 if x < 0 else at_zero


def _mp_sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


def _mp_relu(x: Any) -> Any:
    return x if x > 0 else mpmath.mpf(0)


def _mp_softplus(x: Any) -> Any:
    return mpmath.log1p(mpmath.exp(x))


def _mp_step(x: Any, at_zero: Any = 0.5) -> Any:
    if x > 0:
        return mpmath.mpf(1)
    if x < 0:
        return mpmath.mpf(0)
    return mpmath.mpf(at_zero)


def _sech(x: float) -> float:
    return 1.0 / math.cosh(x) if abs(x) < 710 else 0.0


PRIMITIVES: tuple[Primitive, ...] = (
    # exponential and logarithm
    Primitive(sp.exp, "exp", "(eˣ)′ = eˣ", sp.exp, math.exp, mpmath.exp, "np.exp",
              ("exp",)),
    Primitive(sp.log, "log", "(ln x)′ = 1/x", lambda u: 1 / u, math.log, mpmath.log, None,
              ("log", "ln")),
    # activations
    Primitive(sigmoid, "sigmoid", "σ′(x) = σ(x)·(1 − σ(x))",
              lambda u: sigmoid(u) * (1 - sigmoid(u)), _float_sigmoid, _mp_sigmoid, None,
              ("sigmoid", "sigma", "logistic")),
    Primitive(relu, "relu", "relu′(x) = H(x), the step function; relu′(0) = 0 by convention",
              lambda u: sp.Heaviside(u, 0), lambda x: max(x, 0.0), _mp_relu, None,
              ("relu",)),
    Primitive(softplus, "softplus", "softplus′(x) = σ(x)", sigmoid, _float_softplus,
              _mp_softplus, None, ("softplus",)),
    # hyperbolic
    Primitive(sp.tanh, "tanh", "tanh′(x) = 1 − tanh²(x)", lambda u: 1 - sp.tanh(u) ** 2,
              math.tanh, mpmath.tanh, "np.tanh", ("tanh",)),
    Primitive(sp.sinh, "sinh", "sinh′(x) = cosh x", sp.cosh, math.sinh, mpmath.sinh,
              "np.sinh", ("sinh",)),
    Primitive(sp.cosh, "cosh", "cosh′(x) = sinh x", sp.sinh, math.cosh, mpmath.cosh,
              "np.cosh", ("cosh",)),
    Primitive(sp.sech, "sech", "sech′(x) = −sech(x)·tanh(x)",
              lambda u: -sp.sech(u) * sp.tanh(u), _sech, mpmath.sech, None, ("sech",)),
    # trigonometric
    Primitive(sp.sin, "sin", "sin′(x) = cos x", sp.cos, math.sin, mpmath.sin, "np.sin",
              ("sin",)),
    Primitive(sp.cos, "cos", "cos′(x) = −sin x", lambda u: -sp.sin(u), math.cos, mpmath.cos,
              "np.cos", ("cos",)),
    Primitive(sp.tan, "tan", "tan′(x) = 1 + tan²(x)", lambda u: 1 + sp.tan(u) ** 2, math.tan,
              mpmath.tan, "np.tan", ("tan",)),
    Primitive(sp.atan, "atan", "atan′(x) = 1/(1 + x²)", lambda u: 1 / (1 + u**2), math.atan,
              mpmath.atan, "np.arctan", ("arctan", "atan")),
    # special functions
    Primitive(sp.erf, "erf", "erf′(x) = (2/√π)·e^(−x²)",
              lambda u: 2 / sp.sqrt(sp.pi) * sp.exp(-(u**2)), math.erf, mpmath.erf, None,
              ("erf",)),
    # pieces
    Primitive(sp.Abs, "abs", "|x|′ = sign(x) for x ≠ 0", sp.sign, abs, abs, "np.abs",
              ("abs",)),
    Primitive(sp.sign, "sign", "sign′(x) = 0 for x ≠ 0", lambda u: sp.S.Zero,
              lambda x: math.copysign(1.0, x) if x else 0.0, mpmath.sign, "np.sign",
              ("sign", "sgn")),
    Primitive(sp.Heaviside, "step", "H′(x) = 0 for x ≠ 0", lambda u: sp.S.Zero, _float_step,
              _mp_step, None, ("heaviside",)),
)
"""Every elementary function of one argument, grouped by kind."""

BY_FUNCTION: Mapping[Any, Primitive] = {p.function: p for p in PRIMITIVES}
BY_NAME: Mapping[str, Primitive] = {p.name: p for p in PRIMITIVES}
BY_WORD: Mapping[str, Primitive] = {word: p for p in PRIMITIVES for word in p.words}

FLOAT_FUNCTIONS: Mapping[str, Callable[..., float]] = {
    **{p.name: p.float64 for p in PRIMITIVES},
    "Max": max, "Min": min,
}
"""float64 evaluators by SymPy class name, for screens and instantiated matrices."""

MPMATH_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    **{p.name: p.mp for p in PRIMITIVES},
    "Max": max, "Min": min,
}
"""mpmath evaluators by SymPy class name, for the high-precision checks."""


def float_value(expr: sp.Basic, values: Mapping[sp.Basic, float], memo: dict[sp.Basic, float]
                ) -> float:
    """An expression's float64 value at a point, each shared subexpression computed once
    (an instantiated gradient repeats σ(a₂ᵢ) many times)."""
    if expr in memo:
        return memo[expr]
    if expr in values:
        result = values[expr]
    elif expr.is_Number or expr.is_NumberSymbol:
        result = float(expr)
    elif isinstance(expr, sp.Add):
        result = math.fsum(float_value(a, values, memo) for a in expr.args)
    elif isinstance(expr, sp.Mul):
        result = 1.0
        for a in expr.args:
            result *= float_value(a, values, memo)
    elif isinstance(expr, sp.Pow):
        base, exponent = float_value(expr.base, values, memo), float_value(expr.exp, values, memo)
        try:
            result = base**exponent
        except (ZeroDivisionError, OverflowError):
            result = math.inf
        if isinstance(result, complex):
            result = math.nan
    else:
        function = FLOAT_FUNCTIONS.get(type(expr).__name__)
        if function is None:
            raise TypeError(f"cannot evaluate {type(expr).__name__} numerically")
        try:
            result = float(function(*(float_value(a, values, memo) for a in expr.args)))
        except (ValueError, OverflowError):
            result = math.nan
    memo[expr] = result
    return result
