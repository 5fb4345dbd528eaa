"""σ, relu and softplus: derivatives, values, printing to LaTeX and NumPy."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from derive.core.functions import MPMATH_FUNCTIONS, NUMPY_FUNCTIONS, relu, sigmoid, softplus

x = sp.Symbol("x", real=True)


def test_local_derivatives() -> None:
    assert sigmoid(x).diff(x) == sigmoid(x) * (1 - sigmoid(x))
    assert relu(x).diff(x) == sp.Heaviside(x, 0)
    assert softplus(x).diff(x) == sigmoid(x)


def test_exact_values_and_precision() -> None:
    assert sigmoid(0) == sp.Rational(1, 2)
    assert relu(sp.Integer(-3)) == 0 and relu(sp.Rational(5, 2)) == sp.Rational(5, 2)
    assert softplus(0) == sp.log(2)
    value = sigmoid(sp.Float(30, 50)).evalf(50)
    assert abs(1 - value - sp.exp(-30) / (1 + sp.exp(-30))) < sp.Float(10) ** -45


def test_latex() -> None:
    assert sp.latex(sigmoid(x)) == r"\sigma\left(x\right)"
    assert sp.latex(relu(x)) == r"\operatorname{relu}\left(x\right)"
    assert sp.latex(softplus(x) ** 2) == r"\operatorname{softplus}\left(x\right)^{2}"


@pytest.mark.parametrize("function", [sigmoid, relu, softplus])
def test_numpy_printing_is_stable_at_extreme_logits(function: type[sp.Function]) -> None:
    code = NumPyPrinter().doprint(function(x))
    evaluate = sp.lambdify(x, function(x), modules="numpy")
    points = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = evaluate(points)
    assert np.all(np.isfinite(values)), code
    reference = [float(function(sp.Float(p, 60)).evalf(30)) for p in points]
    assert np.allclose(values, reference, rtol=1e-12, atol=1e-300)


def test_lambdify_tables() -> None:
    assert NUMPY_FUNCTIONS["sigmoid"](np.array([-1e4, 0.0, 1e4])).tolist() == [0.0, 0.5, 1.0]
    assert float(MPMATH_FUNCTIONS["sigmoid"](0)) == 0.5
