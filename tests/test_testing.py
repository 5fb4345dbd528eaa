"""derive.testing and derive.strategies: assertions with readable failures, property tests."""

from __future__ import annotations

import contextlib
import importlib
import io
import math
import runpy
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.core.domains import Discrete, Interval, parse_domain
from derive.core.functions import sigmoid
from derive.integrations.strategies import (
    arrays,
    equivalent_rewrites,
    points,
    shapes,
    sizes,
    values,
)
from derive.integrations.testing import (
    DerivationAssertionError,
    assert_derivative,
    assert_gradient,
    assert_identity,
    check_derivative,
    check_identity,
)

pytest_plugins = ["pytester"]

# pytester runs in this process and forgets the modules a run imports; numpy cannot be
# imported twice, so everything a run may import is imported here first
for _module in (
    "derive.verify.check", "derive.verify.diagnose", "derive.decide.equivalence",
    "derive.read.latex", "derive.integrations.plugin", "derive.read.proofs",
    "derive.emit.render", "derive.verify.shapes", "derive.integrations.testing",
):
    importlib.import_module(_module)

ROOT = Path(__file__).resolve().parent.parent
BCE = r"-(y\log(\hat y) + (1-y)\log(1-\hat y))"
LABELS = {"y": "{0,1}", "yhat": "(0,1)"}
FAST = settings(max_examples=12, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


# -- the headline ----------------------------------------------------------------------------


def test_sigmoid_derivative_passes() -> None:
    finding = assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1-\sigma(z))")
    assert finding.verdict == "proved"
    assert finding.evidence.startswith(("identical", "equal"))  # words, not method names


def test_wrong_identity_fails_with_a_readable_message() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1+\sigma(z))")
    error = caught.value
    assert isinstance(error, AssertionError)
    assert error.verdict == "refuted"
    assert error.counterexample is not None
    assert error.counterexample.point[0][0] == "z"
    message = str(error)
    assert message.startswith("identity refuted: d/dz σ(z) = σ(z)·(1 + σ(z))")
    assert "counterexample: at z = " in message
    assert "diagnosis: " in message and "σ(1 + σ)" in message
    assert r"right side as written: \sigma(z)(1+\sigma(z))" in message


def test_new_user_test_file(pytester: pytest.Pytester) -> None:
    """A user's own test file, without the plugin: the message is readable on its own."""
    pytester.makepyfile(test_mine=r'''
        from derive.integrations.testing import assert_identity

        def test_sigmoid():
            assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1-\sigma(z))")

        def test_wrong():
            assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1+\sigma(z))")
    ''')
    result = pytester.runpytest_inprocess("-p", "no:derive", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*identity refuted*", "*counterexample: at z = *",
                                 "*diagnosis:*"])
    assert "assert False" not in result.stdout.str()


# -- identities ------------------------------------------------------------------------------


def test_sign_error_of_the_forum_question() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(r"\frac{d}{d\hat y}\log(1-\hat y)", r"\frac{1}{1-\hat y}", yhat="(0,1)")
    assert caught.value.counterexample is not None
    assert "ŷ = " in str(caught.value.counterexample)


def test_domains_as_latex_keys() -> None:
    finding = check_identity(r"\frac{y_i - \hat y_i}{1}", r"y_i - \hat y_i",
                             **{r"\hat y_i": "(0,1)", "y_i": "{0,1}"})
    assert finding.verdict == "proved"


def test_sympy_and_mixed_sides() -> None:
    z = sp.Symbol("z")
    assert assert_identity(sp.Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z))).passed()
    assert assert_identity(sp.Derivative(sigmoid(z), z), r"\sigma(z)(1-\sigma(z))").passed()
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(sigmoid(z) ** 2, r"\sigma(z)")
    # one symbol z, whichever way each side was written
    assert [name for name, _ in caught.value.counterexample.point] == ["z"]  # type: ignore[union-attr]


def test_unreadable_side_names_the_column() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(r"\sigma(z", r"\sigma(z)")
    message = str(caught.value)
    assert caught.value.verdict == "unreadable"
    assert "cannot read the left side (column" in message
    assert "^" in message


def test_ill_formed_claim() -> None:
    # J declared a variable of its own: it does not depend on z
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(r"\frac{dJ}{dz}", r"\sigma(z)", J="real")
    assert caught.value.verdict == "ill-formed"
    assert "J is not defined" in str(caught.value)


def test_a_derivative_of_a_name_defined_nowhere_is_undecided() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(r"\frac{dJ}{dz}", r"\sigma(z)")
    assert caught.value.verdict == "undecided"
    assert "J is defined nowhere" in str(caught.value)


def test_undecided_fails_unless_allowed() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_identity(r"\sigma(z)", r"\frac{1}{1+e^{-z}}", budget=0.0)
    assert caught.value.verdict == "undecided"
    assert "allow_undecided=True" in str(caught.value)
    finding = assert_identity(r"\sigma(z)", r"\frac{1}{1+e^{-z}}", budget=0.0,
                              allow_undecided=True)
    assert finding.verdict == "undecided"


def test_functions_are_declared() -> None:
    finding = check_identity(r"f(a) + f(a)", r"2f(a)", functions=("f",))
    assert finding.verdict == "proved"


# -- derivatives -----------------------------------------------------------------------------


@pytest.mark.parametrize("wrt", [r"\hat y", "yhat", sp.Symbol("yhat")])
def test_bce_derivative(wrt: str | sp.Symbol) -> None:
    finding = assert_derivative(BCE, wrt, r"\frac{\hat y - y}{\hat y(1-\hat y)}", **LABELS)
    assert finding.verdict == "proved"


def test_bce_sign_error_is_diagnosed() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_derivative(BCE, r"\hat y", r"-(\frac{y}{\hat y} + \frac{1-y}{1-\hat y})",
                          **LABELS)
    error = caught.value
    assert error.verdict == "refuted"
    assert "true derivative = " in str(error) and "claimed = " in str(error)
    assert error.diagnosis is not None and "inner derivative" in error.diagnosis


def test_derivative_of_a_sympy_expression() -> None:
    z = sp.Symbol("z")
    assert check_derivative(sp.log(sigmoid(z)), z, 1 - sigmoid(z)).verdict == "proved"
    assert check_derivative(sp.log(sigmoid(z)), "z", sigmoid(z)).verdict == "refuted"


# -- gradients -------------------------------------------------------------------------------


def _logistic(w: np.ndarray, X: np.ndarray) -> float:
    return float(np.sum(np.logaddexp(0.0, -(X @ w))))


def _logistic_grad(w: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = 0.5 * (1.0 - np.tanh(0.5 * (X @ w)))  # σ(-Xw), without overflow
    return -(X.T @ s), -np.outer(s, w)


RNG = np.random.default_rng(7)
W, X = RNG.normal(size=3), RNG.normal(size=(4, 3))


def test_gradient_passes() -> None:
    assert_gradient(_logistic, _logistic_grad, W, X)
    assert_gradient(lambda a: np.sum(a**3), lambda a: 3 * a**2, 2.0)


def test_gradient_in_float32_uses_looser_tolerances() -> None:
    a = np.linspace(-1, 1, 5, dtype=np.float32)
    assert_gradient(lambda v: np.sum(np.sin(v)), lambda v: np.cos(v).astype(np.float32), a)
    with pytest.raises(DerivationAssertionError):
        assert_gradient(lambda v: np.sum(np.sin(v)), lambda v: np.cos(v).astype(np.float32), a,
                        rtol=1e-12, atol=1e-14)


def test_gradient_sign_flip_is_named() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_gradient(_logistic, lambda w, X: tuple(-g for g in _logistic_grad(w, X)), W, X)
    error = caught.value
    assert error.verdict == "refuted"
    assert "overall sign is flipped" in (error.diagnosis or "")
    assert "counterexample: at input = 0, entry = [" in str(error)


def test_gradient_missing_factor_is_named() -> None:
    with pytest.raises(DerivationAssertionError) as caught:
        assert_gradient(lambda a: np.mean(a**2), lambda a: 2 * a, np.arange(1.0, 5.0))
    assert "grad_f is 4 times the true gradient" in (caught.value.diagnosis or "")


def test_gradient_shapes_and_counts() -> None:
    with pytest.raises(DerivationAssertionError, match="has shape \\(3, 4\\)"):
        assert_gradient(_logistic, lambda w, X: (w, X.T), W, X)
    with pytest.raises(DerivationAssertionError, match="1 gradients for 2 inputs"):
        assert_gradient(_logistic, lambda w, X: w, W, X)
    with pytest.raises(DerivationAssertionError, match="must return a scalar"):
        assert_gradient(lambda a: a, lambda a: a, np.ones(3))


# -- strategies and properties ---------------------------------------------------------------


@FAST
@given(points({"y": "{0,1}", "yhat": "(0,1)", "z": "real", "m": "count"}))
def test_points_stay_in_their_domains(point: dict[str, float]) -> None:
    assert point["y"] in (0, 1)
    assert 0 < point["yhat"] < 1
    assert math.isfinite(point["z"]) and point["z"] != 0
    assert isinstance(point["m"], int) and point["m"] >= 1


def test_points_reach_the_edges() -> None:
    seen: list[float] = []

    @settings(max_examples=200, database=None, deadline=None)
    @given(values("(0,1)"), values("real"))
    def collect(yhat: float, z: float) -> None:
        seen.extend((yhat, z))

    collect()
    assert any(v < 1e-6 for v in seen) and any(1 - 1e-6 < v < 1 for v in seen)
    assert 800.0 in seen or -800.0 in seen
    assert any(0 < abs(v) <= 1e-6 for v in seen)  # just beside the ReLU kink


@FAST
@given(shapes(("m", "d"), ("d", "k")))
def test_shapes_are_distinct_and_conform(pair: tuple[tuple[int, int], ...]) -> None:
    (m, d), (d2, k) = pair
    assert d == d2 and len({m, d, k}) == 3


@FAST
@given(sizes("n", "d"))
def test_sizes(chosen: dict[str, int]) -> None:
    assert chosen["n"] != chosen["d"] and min(chosen.values()) >= 2


@FAST
@given(shapes(("m", "d"), ("d", "k")).flatmap(
    lambda pair: st.tuples(arrays(pair[0]), arrays(pair[1]))))
def test_matrix_gradient_and_its_transpose(pair: tuple[np.ndarray, np.ndarray]) -> None:
    A, B = (np.clip(a, -3, 3) for a in pair)

    def f(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.sum((a @ b) ** 2))

    def grad(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = 2 * (a @ b)
        return g @ b.T, a.T @ g

    assert_gradient(f, grad, A, B, rtol=1e-4, atol=1e-6)
    with pytest.raises(DerivationAssertionError) as caught:  # the distinct sizes catch it
        assert_gradient(f, lambda a, b: (grad(a, b)[0].T, grad(a, b)[1]), A, B)
    assert caught.value.verdict == "ill-formed"


@FAST
@given(values("real"))
def test_stable_log_sigmoid_gradient_at_extreme_logits(z: float) -> None:
    def loss(v: np.ndarray) -> float:  # -log σ(v), stable
        return float(np.sum(np.logaddexp(0.0, -v)))

    def grad(v: np.ndarray) -> np.ndarray:  # σ(v) - 1 = -σ(-v)
        return -0.5 * (1.0 - np.tanh(0.5 * v))

    assert_gradient(loss, grad, np.array([z]))


YHAT, Y = sp.Symbol("yhat", positive=True), sp.Symbol("y")
BCE_GRADIENT = (YHAT - Y) / (YHAT * (1 - YHAT))


@FAST
@given(equivalent_rewrites(BCE_GRADIENT, LABELS, named=True))
def test_rewrites_of_the_bce_gradient_are_equal(rewrite: tuple[str, sp.Expr]) -> None:
    _, rewritten = rewrite
    assert assert_identity(BCE_GRADIENT, rewritten, **LABELS).passed()


Z = sp.Symbol("z", real=True)
SIGMOID_PRIME = sigmoid(Z) * (1 - sigmoid(Z))


@FAST
@given(equivalent_rewrites(SIGMOID_PRIME))
def test_every_rewrite_is_the_sigmoid_derivative(rewritten: sp.Expr) -> None:
    assert assert_derivative(sigmoid(Z), Z, rewritten).passed()
    with pytest.raises(DerivationAssertionError):
        assert_derivative(sigmoid(Z), Z, -rewritten)


def test_rewrites_cover_the_catalogue() -> None:
    found: set[str] = set()

    @settings(max_examples=80, database=None, deadline=None)
    @given(equivalent_rewrites(SIGMOID_PRIME, named=True))
    def collect(rewrite: tuple[str, sp.Expr]) -> None:
        found.add(rewrite[0])

    collect()
    assert {"expand", "factor", "rewrite(exp)", "commuted"} <= found


def test_domain_values_are_parsed() -> None:
    assert isinstance(parse_domain("{0,1}"), Discrete)
    assert isinstance(parse_domain("(0,1)"), Interval)


# -- the autograder of the docs ----------------------------------------------------------------


def test_autograder_example_runs() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace = runpy.run_path(str(ROOT / "docs" / "autograder_example.py"),
                                   run_name="__main__")
    printed = out.getvalue()
    assert "alice: full marks" in printed
    assert "bob: 0 marks" in printed and "inner derivative" in printed
    grade = namespace["grade"]
    assert grade(r"\frac{\hat y - y}{\hat y(1-\hat y)}").score == 1
    unreadable = grade(r"\frac{\hat y - y}{\hat y(1-\hat y)")
    assert unreadable.score == 0 and "cannot read" in unreadable.feedback
