"""compare(): Proved only symbolically, Refuted only with a confirmed point, time-bounded."""

from __future__ import annotations

import time
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import derive.decide.equivalence as equivalence
from derive.core.domains import COUNT, LABEL, UNIT_OPEN, Interval, make_symbol
from derive.core.functions import relu, sigmoid, softplus
from derive.decide.equivalence import (
    Checked,
    Outcome,
    Proved,
    Refuted,
    Undecided,
    compare,
    evaluate_at,
    symbolic_zero,
)

Y = make_symbol("y", LABEL)
YHAT = make_symbol("yhat", UNIT_OPEN)
Z = make_symbol("z")
X = make_symbol("x")
BCE_DOMAINS = {Y: LABEL, YHAT: UNIT_OPEN}
BCE = -(Y * sp.log(YHAT) + (1 - Y) * sp.log(1 - YHAT))
DBCE = sp.diff(BCE, YHAT)
NESTED = sigmoid(sigmoid(sigmoid(sigmoid(Z))))


def _value_at(expr: sp.Expr, point: dict[sp.Symbol, Fraction]) -> sp.Float:
    """An independent evaluation: exact substitution, then SymPy's evalf."""
    exact = {symbol: sp.Rational(v.numerator, v.denominator) for symbol, v in point.items()}
    return expr.subs(exact).rewrite(sp.exp).evalf(30)


def _read_point(outcome: Refuted, symbols: dict[str, sp.Symbol]) -> dict[sp.Symbol, Fraction]:
    return {symbols[name]: Fraction(value) for name, value in outcome.point}


def _significant_digits(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." in text else len(digits.rstrip("0") or "0")


def _without_symbolic_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(equivalence, "_CHEAP_STEPS", ())
    monkeypatch.setattr(equivalence, "_SLOW_STEPS", ())


# --- Proved ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claimed",
    [-(Y / YHAT - (1 - Y) / (1 - YHAT)), (YHAT - Y) / (YHAT * (1 - YHAT))],
    ids=["difference-form", "single-fraction"],
)
def test_true_bce_derivative_is_proved(claimed: sp.Expr) -> None:
    outcome = compare(DBCE, claimed, BCE_DOMAINS)
    assert isinstance(outcome, Proved)
    assert outcome.method in {"structural", "expand", "cancel", "together"}


def test_unevaluated_derivative_is_evaluated_first() -> None:
    claimed = (YHAT - Y) / (YHAT * (1 - YHAT))
    assert isinstance(compare(sp.Derivative(BCE, YHAT), claimed, BCE_DOMAINS), Proved)


def test_chain_rule_product_is_proved() -> None:
    chained = (YHAT - Y) / (YHAT * (1 - YHAT)) * YHAT * (1 - YHAT)
    assert isinstance(compare(chained, YHAT - Y, BCE_DOMAINS), Proved)


def test_sigmoid_derivative_identity_is_proved() -> None:
    outcome = compare(sp.exp(-Z) / (1 + sp.exp(-Z)) ** 2, sigmoid(Z) * (1 - sigmoid(Z)))
    assert isinstance(outcome, Proved)
    assert "rewrite(exp)" in outcome.method


def test_document_step_10_is_proved() -> None:
    step = 1 / (1 + sp.exp(-Z)) * (1 - 1 / (1 + sp.exp(-Z)))
    assert isinstance(compare(step, sigmoid(Z) * (1 - sigmoid(Z))), Proved)


def test_exact_floats_may_prove() -> None:
    assert compare(X * 0.5, X / 2) == Proved("structural")


# --- Refuted ---------------------------------------------------------------------------------


def test_forum_sign_error_is_refuted_at_a_real_point() -> None:
    wrong = -(Y / YHAT + (1 - Y) / (1 - YHAT))
    outcome = compare(DBCE, wrong, BCE_DOMAINS)
    assert isinstance(outcome, Refuted)
    names = [name for name, _ in outcome.point]
    assert names == sorted(names) == ["y", "yhat"]
    point = _read_point(outcome, {"y": Y, "yhat": YHAT})
    assert point[Y] in (0, 1)
    assert 0 < point[YHAT] < 1
    true_value, claimed_value = _value_at(DBCE, point), _value_at(wrong, point)
    assert abs(true_value - claimed_value) > 1e-3
    assert float(true_value) == pytest.approx(float(outcome.lhs_value), rel=1e-5)
    assert float(claimed_value) == pytest.approx(float(outcome.rhs_value), rel=1e-5)
    assert outcome.difference == pytest.approx(float(abs(true_value - claimed_value)), rel=1e-5)
    assert all(_significant_digits(value) <= 2 for _, value in outcome.point)


def test_refutation_is_deterministic_for_a_seed() -> None:
    wrong = -(Y / YHAT + (1 - Y) / (1 - YHAT))
    assert compare(DBCE, wrong, BCE_DOMAINS, seed=3) == compare(DBCE, wrong, BCE_DOMAINS, seed=3)


def test_dropped_chain_factor_is_refuted() -> None:
    assert isinstance(
        compare(sp.diff(sp.log(1 - YHAT), YHAT), 1 / (1 - YHAT), BCE_DOMAINS), Refuted
    )


def test_refuted_values_tell_close_numbers_apart() -> None:
    outcome = compare(Z * (1 + sp.Rational(1, 10**9)), Z, {Z: Interval(30.0, 60.0)})
    assert isinstance(outcome, Refuted)
    assert outcome.lhs_value != outcome.rhs_value


def test_constant_claim() -> None:
    assert isinstance(compare(sp.Integer(2), sp.Integer(3)), Refuted)
    assert compare(sp.Integer(2), sp.Integer(2)) == Proved("structural")


# --- cancellation: log(1 - σ(z)) = -softplus(z) -----------------------------------------------


@pytest.mark.parametrize("domain", [None, Interval(30.0, 60.0)], ids=["real", "30-60"])
def test_log_one_minus_sigmoid_is_never_refuted(domain: Interval | None) -> None:
    domains = {Z: domain} if domain else None
    outcome = compare(sp.log(1 - sigmoid(Z)), -softplus(Z), domains)
    assert isinstance(outcome, (Proved, Checked))


@pytest.mark.parametrize("digits", [15, 20, 40])
@pytest.mark.parametrize("low, high", [(30.0, 60.0), (60.0, 200.0)])
def test_sampling_survives_cancellation_at_large_logits(
    monkeypatch: pytest.MonkeyPatch, digits: int, low: float, high: float
) -> None:
    _without_symbolic_steps(monkeypatch)
    domains = {Z: Interval(low, high)}
    outcome = compare(sp.log(1 - sigmoid(Z)), -softplus(Z), domains, digits=digits)
    assert isinstance(outcome, Checked)
    assert outcome.samples > 0
    assert outcome.max_difference <= 1e-12
    wrong = compare(sp.log(1 - sigmoid(Z)), -softplus(Z) * 1.000001, domains, digits=digits)
    assert isinstance(wrong, Refuted)


# --- kinks: relu, Heaviside, Abs, Max --------------------------------------------------------


def test_relu_derivative_is_heaviside_with_its_convention() -> None:
    assert isinstance(compare(sp.diff(relu(X), X), sp.Heaviside(X, 0)), Proved)


def test_values_at_the_kink_are_a_convention_not_a_counterexample() -> None:
    # H(x, 0) and H(x) differ only at x = 0, which is never sampled
    assert isinstance(compare(sp.diff(relu(X), X), sp.Heaviside(X)), Checked)


def test_relu_is_sampled_on_both_sides_of_zero() -> None:
    negative = compare(relu(X), X)
    assert isinstance(negative, Refuted)
    assert Fraction(dict(negative.point)["x"]) < 0
    positive = compare(relu(X), sp.Integer(0) * X)
    assert isinstance(positive, Refuted)
    assert Fraction(dict(positive.point)["x"]) > 0


def test_kink_just_off_zero_is_found() -> None:
    # the two sides differ only for x in (-0.01, 0); random sampling would rarely land there
    outcome = compare(sp.Heaviside(X, 0), sp.Heaviside(X + sp.Rational(1, 100), 0))
    assert isinstance(outcome, Refuted)
    assert -0.01 < float(Fraction(dict(outcome.point)["x"])) < 0


def test_piecewise_and_max_forms_of_relu() -> None:
    piecewise = compare(relu(X), sp.Piecewise((X, X > 0), (0, True)))
    assert isinstance(piecewise, (Proved, Checked))
    assert isinstance(compare(relu(X), sp.Max(0, X)), (Proved, Checked))
    assert isinstance(compare(sp.Abs(X), sp.Max(X, -X)), (Proved, Checked))
    assert isinstance(compare(sp.Abs(X - 1), X - 1), Refuted)


# --- Checked ---------------------------------------------------------------------------------


def test_identity_out_of_symbolic_reach_is_checked() -> None:
    start = time.monotonic()
    outcome = compare(NESTED, NESTED.rewrite(sp.tanh), budget=0.2)
    assert time.monotonic() - start < 0.2 * 1.1 + 0.2
    assert isinstance(outcome, Checked)
    assert outcome.samples >= 4
    assert outcome.digits == 40
    assert outcome.max_difference < 1e-30


def test_a_tiny_exact_difference_is_refuted() -> None:
    # The gap persists when the digits double, so it is a real difference, not rounding.
    claimed = -(Y / YHAT - (1 - Y) / (1 - YHAT)) + sp.Rational(1, 10**35)
    outcome = compare(DBCE, claimed, BCE_DOMAINS)
    assert isinstance(outcome, Refuted)
    assert 0 < outcome.difference < 1e-30


def test_difference_above_a_tighter_tolerance_is_refuted() -> None:
    claimed = -(Y / YHAT - (1 - Y) / (1 - YHAT)) + sp.Rational(1, 10**35)
    outcome = compare(DBCE, claimed, BCE_DOMAINS, digits=60, relative_tolerance=1e-40)
    assert isinstance(outcome, Refuted)


def test_floats_are_their_exact_binary_values() -> None:
    # 0.1 * 3 and 0.3 are different binary numbers; the gap is real, never rounded away.
    outcome = compare(X * 0.1 * 3, X * 0.3)
    assert isinstance(outcome, Refuted)
    assert outcome.difference < 1e-15
    assert isinstance(compare(X * 0.5 * 3, X * 1.5), Proved)


def test_label_identity_uses_both_labels() -> None:
    assert isinstance(compare(Y**2, Y, BCE_DOMAINS), Checked)
    at_one = compare(Y, sp.Integer(0) * Y, BCE_DOMAINS)
    at_zero = compare(Y, sp.Integer(1) + 0 * Y, BCE_DOMAINS)
    assert isinstance(at_one, Refuted) and dict(at_one.point)["y"] == "1"
    assert isinstance(at_zero, Refuted) and dict(at_zero.point)["y"] == "0"


def test_domain_is_found_by_name() -> None:
    plain = sp.Symbol("p")
    # sampled in (0, 1) through the name, so |p| = p there; symbolically it stays open
    assert isinstance(
        compare(sp.Abs(plain), plain, {sp.Symbol("p", positive=True): UNIT_OPEN}), Checked
    )
    assert isinstance(compare(sp.Abs(plain), plain), Refuted)


# --- sums over a batch -----------------------------------------------------------------------


def test_sum_with_count_limit() -> None:
    m = make_symbol("m", COUNT)
    i = sp.Symbol("i", integer=True, positive=True)
    y = sp.IndexedBase("y")
    domains = {m: COUNT, sp.Symbol("y"): UNIT_OPEN}
    mean = sp.Sum(y[i], (i, 1, m)) / m
    assert isinstance(
        compare(mean + 1, sp.Sum(y[i] + 1, (i, 1, m)) / m, domains), (Proved, Checked)
    )
    outcome = compare(sp.Sum(y[i] ** 2, (i, 1, m)), sp.Sum(y[i], (i, 1, m)) ** 2, domains)
    assert isinstance(outcome, Refuted)
    shown = dict(outcome.point)
    assert int(shown["m"]) >= 2
    assert all(0 < Fraction(v) < 1 for name, v in outcome.point if name.startswith("y["))


# --- Undecided and refusals ------------------------------------------------------------------


def test_nothing_evaluable_is_undecided() -> None:
    f, g = sp.Function("f"), sp.Function("g")
    outcome = compare(f(X), g(X), budget=1.0)
    assert isinstance(outcome, Undecided)
    assert "expand" in outcome.tried
    assert any(step.startswith("sampling") for step in outcome.tried)
    complex_only = compare(sp.sqrt(-1 - X**2), sp.sqrt(-2 - X**2), budget=1.0)
    assert isinstance(complex_only, Undecided)


def test_routes_that_disagree_give_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    always = equivalence._Step("always zero", lambda expr: True)
    monkeypatch.setattr(equivalence, "_CHEAP_STEPS", (always,))
    # the gamma function is beyond the float screen: the symbolic route runs first
    outcome = compare(sp.gamma(X), sp.gamma(X) + 1)
    assert isinstance(outcome, Undecided)
    assert "always zero" in outcome.reason


def test_a_claim_false_in_floats_is_refuted_without_the_symbolic_steps(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(expr: sp.Expr) -> bool:
        raise AssertionError("the symbolic steps ran on a claim the float screen refutes")

    monkeypatch.setattr(equivalence, "_CHEAP_STEPS", (equivalence._Step("never", fail),))
    outcome = compare(X, X + 1)
    assert isinstance(outcome, Refuted) and outcome.lhs_value != outcome.rhs_value


def test_the_float_screen_passes_true_claims_on_to_the_symbolic_route() -> None:
    outcome = compare(sigmoid(X) * (1 - sigmoid(X)), sp.exp(-X) / (1 + sp.exp(-X)) ** 2)
    assert isinstance(outcome, Proved)


def test_matrices_are_refused() -> None:
    a = sp.MatrixSymbol("A", 2, 2)
    with pytest.raises(TypeError):
        compare(a, a.T)
    with pytest.raises(TypeError):
        compare(sp.Trace(a), X)
    with pytest.raises(TypeError):
        compare(sp.Eq(X, 1), X)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        compare(X, X, samples=0)
    with pytest.raises(ValueError):
        compare(X, X, budget=0)
    with pytest.raises(ValueError):
        compare(X, X, digits=5)


def test_slow_claim_respects_the_budget() -> None:
    slow_lhs = NESTED.diff(Z, 2)
    slow_rhs = NESTED.rewrite(sp.exp).diff(Z, 2)
    for rhs, acceptable in ((slow_rhs, (Proved, Checked, Undecided)), (slow_rhs + 1, (Refuted,))):
        start = time.monotonic()
        outcome = compare(slow_lhs, rhs, budget=1.0)
        assert time.monotonic() - start < 1.0 * 1.1 + 0.2
        assert isinstance(outcome, acceptable)


# --- symbolic_zero and evaluate_at -----------------------------------------------------------


def test_symbolic_zero_names_the_closing_transformation() -> None:
    assert symbolic_zero(sp.Integer(0), 1.0) == "structural"
    assert symbolic_zero((X + 1) ** 2 - X**2 - 2 * X - 1, 1.0) == "expand"
    assert symbolic_zero((X**2 - 1) / (X - 1) - X - 1, 1.0) == "cancel"
    identity = sp.exp(-Z) / (1 + sp.exp(-Z)) ** 2 - sigmoid(Z) * (1 - sigmoid(Z))
    assert symbolic_zero(identity, 2.0) == "rewrite(exp)+cancel"
    assert symbolic_zero(X, 1.0) is None
    assert symbolic_zero(X + sp.Rational(1, 10**35), 1.0) is None


def test_symbolic_zero_gives_up_in_time() -> None:
    start = time.monotonic()
    hard = NESTED.diff(Z, 2) - NESTED.rewrite(sp.exp).diff(Z, 2) + 1
    assert symbolic_zero(hard, 0.3) is None
    # generous: it guards against the unbounded run (tens of seconds), not the exact timing,
    # which a busy machine stretches (tests/test_budget_hard.py measures that in a subprocess)
    assert time.monotonic() - start < 0.3 + 2.0


def test_evaluate_at_computes_at_the_requested_precision() -> None:
    value = evaluate_at(sigmoid(Z), {Z: 0}, 30)
    assert value == mpmath.mpf(1) / 2
    third = evaluate_at(X / 3, {X: Fraction(1)}, 50)
    assert third is not None
    with mpmath.workdps(50):
        assert abs(third - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -48
    assert evaluate_at(softplus(Z), {Z: 2.5}, 20) == pytest.approx(
        float(mpmath.log1p(mpmath.exp(2.5)))
    )


def test_evaluate_at_undefined_points() -> None:
    assert evaluate_at(1 / X, {X: 0}, 30) is None
    assert evaluate_at(sp.log(X), {X: 0}, 30) is None
    assert evaluate_at(X + Z, {X: 1}, 30) is None
    # Real semantics: a side that is not real at a point is undefined there.
    assert evaluate_at(sp.sqrt(X), {X: -4}, 30) is None
    assert evaluate_at(sp.sqrt(X) ** 3 + 1, {X: -4}, 30) is None


# --- properties ------------------------------------------------------------------------------

W = make_symbol("w")
_monomials = st.builds(
    lambda c, i, j: c * X**i * W**j,
    st.integers(-4, 4),
    st.integers(0, 3),
    st.integers(0, 2),
)
_polynomials = st.lists(_monomials, min_size=1, max_size=4).map(lambda terms: sp.Add(*terms))


@st.composite
def _expressions(draw: st.DrawFn) -> sp.Expr:
    first = draw(_polynomials)
    shape = draw(st.sampled_from(["polynomial", "product", "ratio"]))
    if shape == "polynomial":
        return first
    second = draw(_polynomials.filter(lambda p: p != 0))
    if shape == "product":
        return first * second**2
    return first / second


_REWRITES = {
    "expand": sp.expand,
    "factor": sp.factor,
    "cancel": sp.cancel,
    "together": sp.together,
}
_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_expressions(), st.sampled_from(sorted(_REWRITES)), st.integers(0, 1000))
def test_rewrites_are_never_refuted(expr: sp.Expr, rewrite: str, seed: int) -> None:
    outcome: Outcome = compare(expr, _REWRITES[rewrite](expr), budget=1.0, samples=12, seed=seed)
    assert not isinstance(outcome, Refuted), outcome


@_SETTINGS
@given(
    _expressions(),
    st.fractions(min_value=-50, max_value=50, max_denominator=20).filter(lambda c: abs(c) >= 0.05),
    st.integers(0, 1000),
)
def test_shifted_expressions_are_never_equal(expr: sp.Expr, shift: Fraction, seed: int) -> None:
    constant = sp.Rational(shift.numerator, shift.denominator)
    outcome = compare(expr, expr + constant, budget=1.0, samples=12, seed=seed)
    assert not isinstance(outcome, (Proved, Checked)), outcome


def test_an_entry_named_beside_a_batch_sum_is_one_of_the_entries_summed() -> None:
    # d/dŷᵢ (1/m) Σₖ ℓ(ŷₖ) = ℓ′(ŷᵢ)/m holds for i in 1..m only: i is placed in that range
    # (a point with i > m, where the sum has no term i, would fake a counterexample)
    i, k = sp.Symbol("i", integer=True, positive=True), sp.Symbol("k", integer=True)
    m = sp.Symbol("m", integer=True, positive=True)
    yhat = sp.IndexedBase("yhat")
    total = sp.Sum(sp.log(yhat[k]) ** 2, (k, 1, m)) / m
    claimed = 2 * sp.log(yhat[i]) / (yhat[i] * m)
    domains = {m: COUNT, yhat: UNIT_OPEN}
    assert isinstance(compare(sp.diff(total, yhat[i]), claimed, domains), Checked)
    outcome = compare(sp.diff(total, yhat[i]), 2 * claimed, domains)
    assert isinstance(outcome, Refuted)
    point = dict(outcome.point)
    assert 1 <= int(point["i"]) <= int(point["m"])
