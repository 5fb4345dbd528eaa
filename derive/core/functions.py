"""SymPy functions of machine learning, each with its own derivative.

Every function states its local derivative in ``fdiff`` (as micrograd's ops do), prints
itself to LaTeX, evaluates at any precision, and has a NumPy and an mpmath implementation
(``NUMPY_FUNCTIONS`` for printed code, ``MPMATH_FUNCTIONS`` for the checker).

The derivative of ReLU at its kink is a convention: ``relu'(0) = 0`` (``Heaviside(x, 0)``),
as in PyTorch and JAX.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy as sp
from sympy.core.function import ArgumentIndexError

RELU_KINK_VALUE = sp.Integer(0)
"""The value taken for relu'(0): a stated convention, not a fact."""


class sigmoid(sp.Function):  # type: ignore[misc]  # SymPy functions are lower case
    """The logistic function σ(x) = 1/(1 + e^{-x}); σ' = σ(1 - σ)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self * (1 - self)

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x is sp.S.Zero:
            return sp.Rational(1, 2)
        if x is sp.S.Infinity:
            return sp.S.One
        if x is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _eval_rewrite_as_tanh(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.tanh(x / 2)) / 2

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_Number:
            return None
        with mpmath.workprec(prec):
            value = mpmath.mpf(1) / (1 + mpmath.exp(-mpmath.mpf(arg._to_mpmath(prec))))
        return sp.Float._new(value._mpf_, prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _eval_is_extended_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _sympystr(self, printer: Any) -> str:
        return f"σ({printer._print(self.args[0])})"

    def _numpycode(self, printer: Any) -> str:
        # σ(x) = exp(−softplus(−x)): never overflows, at any x
        np = printer._module_format(printer._module + ".exp")
        logaddexp = printer._module_format(printer._module + ".logaddexp")
        return f"{np}(-{logaddexp}(0, -({printer._print(self.args[0])})))"


class relu(sp.Function):  # type: ignore[misc]
    """The rectifier relu(x) = max(0, x); relu'(x) = H(x), with relu'(0) = 0 by convention."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sp.Heaviside(self.args[0], RELU_KINK_VALUE)

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number and x.is_extended_real:
            return x if x.is_extended_nonnegative else sp.S.Zero
        return None

    def _eval_rewrite_as_Max(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(0, x)

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Piecewise((x, x > 0), (0, True))

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_Number:
            return None
        return arg if arg >= 0 else sp.Float(0, prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _eval_is_nonnegative(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _sympystr(self, printer: Any) -> str:
        return f"relu({printer._print(self.args[0])})"

    def _numpycode(self, printer: Any) -> str:
        maximum = printer._module_format(printer._module + ".maximum")
        return f"{maximum}({printer._print(self.args[0])}, 0)"


class softplus(sp.Function):  # type: ignore[misc]
    """softplus(x) = log(1 + e^x); softplus' = σ."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0])

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x is sp.S.Zero:
            return sp.log(2)
        return None

    def _eval_rewrite_as_log(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(x))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_Number:
            return None
        with mpmath.workprec(prec):
            value = mpmath.log1p(mpmath.exp(mpmath.mpf(arg._to_mpmath(prec))))
        return sp.Float._new(value._mpf_, prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _numpycode(self, printer: Any) -> str:
        logaddexp = printer._module_format(printer._module + ".logaddexp")
        return f"{logaddexp}(0, {printer._print(self.args[0])})"


ML_FUNCTIONS: dict[str, type[sp.Function]] = {
    "sigmoid": sigmoid,
    "relu": relu,
    "softplus": softplus,
}


# NumPy is imported where it is used: `derive steps` and `derive check` never need it, and it
# would add a fifth to their start-up time.


def _np_sigmoid(x: Any) -> Any:
    import numpy as np

    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _np_relu(x: Any) -> Any:
    import numpy as np

    return np.maximum(x, 0)


def _np_softplus(x: Any) -> Any:
    import numpy as np

    return np.logaddexp(0, x)


def _mp_sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


def _mp_relu(x: Any) -> Any:
    return x if x > 0 else mpmath.mpf(0)


def _mp_softplus(x: Any) -> Any:
    return mpmath.log1p(mpmath.exp(x))


def _mp_heaviside(x: Any, at_zero: Any = 0.5) -> Any:
    if x > 0:
        return mpmath.mpf(1)
    if x < 0:
        return mpmath.mpf(0)
    return mpmath.mpf(at_zero)


NUMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sigmoid": _np_sigmoid,
    "relu": _np_relu,
    "softplus": _np_softplus,
}
MPMATH_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sigmoid": _mp_sigmoid,
    "relu": _mp_relu,
    "softplus": _mp_softplus,
    "Heaviside": _mp_heaviside,
}


def _float_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


FLOAT_FUNCTIONS: dict[str, Callable[..., float]] = {
    # float64 versions, for screens and instantiated matrices (mpmath: MPMATH_FUNCTIONS)
    "exp": math.exp, "log": math.log, "tanh": math.tanh, "sin": math.sin, "cos": math.cos,
    "sigmoid": _float_sigmoid, "relu": lambda x: max(x, 0.0),
    "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
    "Heaviside": lambda x, at=0.5: 1.0 if x > 0 else 0.0 if x < 0 else at,
    "Abs": abs, "Max": max, "Min": min, "sinh": math.sinh, "cosh": math.cosh,
    "sign": lambda x: math.copysign(1.0, x) if x else 0.0,
}


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
