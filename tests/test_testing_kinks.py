"""assert_gradient near kinks: the finite-difference stencil never straddles one, and tiny
gradients are compared at their own scale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from derive.integrations.testing import DerivationAssertionError, assert_gradient

Array = np.ndarray[Any, Any]


def relu(v: Array) -> float:
    return float(np.sum(np.maximum(v, 0.0)))


def relu_grad(v: Array) -> Array:
    return (v > 0).astype(np.float64)


def absolute(v: Array) -> float:
    return float(np.sum(np.abs(v)))


def constant(value: float) -> Callable[[Array], Array]:
    return lambda v: np.full(v.shape, value)


def verdict(f: Callable[[Array], float], grad: Callable[[Array], Array], *points: float,
            **options: Any) -> str:
    """"passed", or the verdict of the failure."""
    try:
        assert_gradient(f, grad, np.array(points), **options)
    except DerivationAssertionError as error:
        return error.verdict
    return "passed"


@pytest.mark.parametrize("x", [1e-9, 3e-12, 1e-15])
def test_relu_just_right_of_the_kink(x: float) -> None:
    assert verdict(relu, relu_grad, x) == "passed"
    assert verdict(relu, constant(0.0), x) == "refuted"
    assert verdict(relu, constant(-1.0), x) == "refuted"


@pytest.mark.parametrize("x", [-1e-9, -3e-12])
def test_relu_just_left_of_the_kink(x: float) -> None:
    assert verdict(relu, relu_grad, x) == "passed"
    assert verdict(relu, constant(1.0), x) == "refuted"


def test_relu_with_an_offset_near_the_kink() -> None:
    def shifted(v: Array) -> float:
        return relu(v) + 1.0

    assert verdict(shifted, relu_grad, 1e-9, -1e-9, 0.5) == "passed"
    assert verdict(shifted, constant(1.0), 1e-9, -1e-9, 0.5) == "refuted"


def test_abs_near_zero() -> None:
    assert verdict(absolute, np.sign, 1e-12) == "passed"
    assert verdict(absolute, np.sign, -1e-12) == "passed"
    assert verdict(absolute, lambda v: -np.sign(v), 1e-12) == "refuted"


def test_a_sign_flip_is_named_at_a_kink() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_gradient(absolute, lambda v: -np.sign(v), np.array([1e-12]))
    assert "overall sign is flipped" in (caught.value.diagnosis or "")


def test_max_plus_identity_at_small_arguments() -> None:
    def f(v: Array) -> float:
        return float(np.sum(np.maximum(v, 0.0) + v))

    def grad(v: Array) -> Array:
        return (v > 0) + 1.0

    points = (1e-10, -1e-10, 1e-13, -2.0, 3.0)
    assert verdict(f, grad, *points) == "passed"
    assert verdict(f, constant(1.0), *points) == "refuted"
    assert verdict(f, constant(2.0), *points) == "refuted"


@pytest.mark.parametrize("scale", [1e-8, 1e-10, 1e-13])
def test_tiny_smooth_gradients_keep_their_sign(scale: float) -> None:
    def f(v: Array) -> float:
        return float(np.sum(scale * v**2))

    assert verdict(f, lambda v: 2 * scale * v, 1.0, 1.2) == "passed"
    with pytest.raises(DerivationAssertionError) as caught:
        assert_gradient(f, lambda v: -2 * scale * v, np.array([1.0, 1.2]))
    assert caught.value.verdict == "refuted"
    assert "overall sign is flipped" in (caught.value.diagnosis or "")


def test_tinier_gradients_keep_their_sign_with_a_zero_atol() -> None:
    def f(v: Array) -> float:
        return float(np.sum(1e-20 * v**2))

    assert verdict(f, lambda v: 2e-20 * v, 1.0, atol=0.0) == "passed"
    assert verdict(f, lambda v: -2e-20 * v, 1.0, atol=0.0) == "refuted"


def test_at_the_kink_either_one_sided_derivative_passes() -> None:
    assert verdict(relu, relu_grad, 0.0) == "passed"  # relu'(0) = 0
    assert verdict(relu, constant(1.0), 0.0) == "passed"  # relu'(0) = 1
    assert verdict(absolute, constant(1.0), 0.0) == "passed"
    assert verdict(absolute, constant(-1.0), 0.0) == "passed"


def test_at_the_kink_other_values_are_undecided_or_refuted() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_gradient(relu, constant(0.5), np.array([0.0]))
    error = caught.value
    assert error.verdict == "undecided"
    message = str(error)
    assert "cannot decide 1 of 1 entries" in message
    assert "from the left ≈ 0" in message and "from the right ≈ 1" in message
    assert "allow_undecided=True" in message
    assert verdict(relu, constant(0.5), 0.0, allow_undecided=True) == "passed"
    assert verdict(relu, constant(5.0), 0.0) == "refuted"
    assert verdict(relu, constant(-1.0), 0.0) == "refuted"
    assert verdict(absolute, np.sign, 0.0) == "undecided"  # sign(0) = 0, between -1 and 1


def test_kinks_and_smooth_entries_together() -> None:
    def f(v: Array) -> float:
        return relu(v[:3]) + float(np.sum(np.sin(v[3:])))

    def grad(v: Array) -> Array:
        return np.concatenate([relu_grad(v[:3]), np.cos(v[3:])])

    points = (1e-9, -1e-9, 2.0, 0.3, -1.7)
    assert verdict(f, grad, *points) == "passed"

    def slipped(v: Array) -> Array:
        out = grad(v)
        out[4] = -out[4]
        return out

    with pytest.raises(DerivationAssertionError) as caught:
        assert_gradient(f, slipped, np.array(points))
    assert "entry = [4]" in str(caught.value)


def test_smooth_functions_still_pass_at_ordinary_points() -> None:
    def f(v: Array) -> float:
        return float(np.sum(np.exp(3 * v) + v**4))

    def grad(v: Array) -> Array:
        return 3 * np.exp(3 * v) + 4 * v**3

    assert verdict(f, grad, -2.0, 0.0, 1.5, 4.0) == "passed"
    assert verdict(lambda v: float(np.sum((v - 1.0) ** 2)), lambda v: 2 * (v - 1.0),
                   1.0, 1.0) == "passed"  # a minimum: the gradient is zero
