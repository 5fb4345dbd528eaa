"""The elementary functions: σ, relu and softplus themselves, and every primitive's record."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from derive.core.functions import relu, sigmoid, softplus
from derive.core.primitives import (
    BY_WORD,
    FLOAT_FUNCTIONS,
    MPMATH_FUNCTIONS,
    PRIMITIVES,
    Primitive,
)
from derive.engine.rules import ELEMENTARY, RULES

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


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=lambda p: p.name)
def test_each_primitive_states_its_own_derivative(primitive: Primitive) -> None:
    # the record's derivative against SymPy's own (or the function's fdiff)
    u = sp.Symbol("u", positive=True)
    stated = primitive.derivative(u)
    true = sp.diff(primitive.function(u), u)
    for value in (sp.Rational(3, 10), sp.Rational(7, 5), sp.Integer(2)):
        got, want = stated.subs(u, value), true.subs(u, value)
        assert abs(sp.N(got - want, 30)) < 1e-25, (primitive.name, got, want)


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=lambda p: p.name)
def test_each_primitive_evaluates_alike_in_float_mpmath_and_sympy(primitive: Primitive) -> None:
    for value in (-2.5, -0.3, 0.7, 3.0):
        if primitive.name == "log" and value <= 0:
            continue
        true = complex(sp.N(primitive.function(sp.Float(value, 40)), 30))
        assert abs(primitive.float64(value) - true.real) <= 1e-12 * max(1, abs(true))
        assert abs(float(primitive.mp(mpmath.mpf(value))) - true.real) <= 1e-12 * max(1, abs(true))


def test_every_primitive_has_its_rule_in_the_table() -> None:
    for primitive in PRIMITIVES:
        assert RULES[primitive.rule].statement == primitive.statement
        assert ELEMENTARY[primitive.function][0] == primitive.rule
    assert len({p.rule for p in PRIMITIVES}) == len(PRIMITIVES)
    assert len(BY_WORD) == sum(len(p.words) for p in PRIMITIVES)  # no word names two


def test_evaluator_tables_come_from_the_records() -> None:
    assert float(MPMATH_FUNCTIONS["sigmoid"](0)) == 0.5
    assert FLOAT_FUNCTIONS["sigmoid"](-1e4) == 0.0 and FLOAT_FUNCTIONS["sigmoid"](1e4) == 1.0
    assert FLOAT_FUNCTIONS["softplus"](1e4) == 1e4
