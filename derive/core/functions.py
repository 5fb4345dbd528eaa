"""SymPy functions of machine learning, each with its own derivative.

Every function states its local derivative in ``fdiff`` (as micrograd's ops do), prints
itself to LaTeX and evaluates at any precision. Its rule, evaluators and NumPy form live in
its record in :mod:`derive.core.primitives`, with those of every other elementary function.

The derivative of ReLU at its kink is a convention: ``relu'(0) = 0`` (``Heaviside(x, 0)``),
as in PyTorch and JAX.
"""

from __future__ import annotations

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



ML_FUNCTIONS: dict[str, type[sp.Function]] = {
    "sigmoid": sigmoid,
    "relu": relu,
    "softplus": softplus,
}

