"""Mal-rule diagnosis: each mal-rule, document 000, labels, alignment, and a measured corpus."""

from __future__ import annotations

import copy
import functools
import pathlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.core.domains import COUNT, LABEL, UNIT_OPEN, Domain, make_symbol
from derive.core.functions import sigmoid
from derive.core.outcomes import Checked, Proved, Refuted
from derive.core.records import DiffStep
from derive.decide.equivalence import compare
from derive.engine.differentiate import differentiate
from derive.read.proofs import load
from derive.verify import diagnose as D
from derive.verify.check import _Checker

ROOT = pathlib.Path(__file__).parent.parent
# every proof file: the three source documents (0xx) and the derivations of posts (1xx)
PROOFS = sorted((ROOT / "proofs").glob("*.toml"))

x = sp.Symbol("x", real=True)
w = sp.Symbol("w", real=True)
y = make_symbol("y", LABEL)
yhat = make_symbol("yhat", UNIT_OPEN)
DOMAINS: dict[sp.Symbol, Domain] = {y: LABEL, yhat: UNIT_OPEN}
BCE = -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat))
RIGHT = -y / yhat + (1 - y) / (1 - yhat)


def _node(expr: sp.Expr, rule: str, wrt: sp.Expr = x) -> DiffStep:
    for step in differentiate(expr, wrt).walk():
        if isinstance(step, DiffStep) and step.rule == rule:
            return step
    raise AssertionError(f"no {rule} step in the derivation of {expr}")


def _equal(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0


# --- the engine's overrides ---------------------------------------------------------------


def test_overrides_swap_a_rule_and_leave_the_default_alone() -> None:
    expr = sp.log(1 - x**2)
    plain = differentiate(expr, x)
    assert plain == differentiate(expr, x, overrides=None) == differentiate(expr, x, overrides={})
    buggy = differentiate(expr, x, overrides={"chain": lambda s: D.inner_derivative_dropped(s)
                                              or s})
    assert _equal(buggy.result, 1 / (1 - x**2))
    assert differentiate(expr, x) == plain  # nothing leaks out of the call


def test_override_of_a_local_derivative_reaches_the_chain_rule() -> None:
    buggy = differentiate(sigmoid(2 * x), x,
                          overrides={"sigmoid": lambda s: D.sigmoid_prime_as_sigmoid(s) or s})
    assert _equal(buggy.result, 2 * sigmoid(2 * x))


# --- each mal-rule ------------------------------------------------------------------------


def test_inner_derivative_dropped() -> None:
    step = D.inner_derivative_dropped(_node(sp.log(1 - x), "chain"))
    assert step is not None and _equal(step.result, 1 / (1 - x))
    assert D.inner_derivative_dropped(_node(x**3, "power")) is None


def test_log_without_inner() -> None:
    step = D.log_without_inner(_node(sp.log(3 * x + 1), "chain"))
    assert step is not None and _equal(step.result, 1 / (3 * x + 1))
    assert D.log_without_inner(_node(sp.exp(3 * x), "chain")) is None


def test_sigmoid_prime_as_sigmoid_and_as_sigmoid_one_plus() -> None:
    node = _node(sigmoid(x), "sigmoid")
    first, second = D.sigmoid_prime_as_sigmoid(node), D.sigmoid_prime_plus(node)
    assert first is not None and first.result == sigmoid(x)
    assert second is not None and _equal(second.result, sigmoid(x) * (1 + sigmoid(x)))


def test_quotient_numerator_swapped() -> None:
    expr = sp.sin(x) / (1 + x**2)
    step = D.quotient_numerator_swapped(_node(expr, "quotient"))
    assert step is not None and _equal(step.result, -sp.diff(expr, x))


def test_power_not_reduced() -> None:
    step = D.power_not_reduced(_node(x**5, "power"))
    assert step is not None and step.result == 5 * x**5


def test_product_of_derivatives() -> None:
    step = D.product_of_derivatives(_node(x * sp.exp(x), "product"))
    assert step is not None and step.result == sp.exp(x)


def test_term_sign_flipped() -> None:
    results = {slip.result for slip in D.term_sign_flipped(x - w)}
    assert x + w in results and -x - w in results


def test_overall_sign_flipped() -> None:
    assert [s.result for s in D.overall_sign_flipped(x - w)] == [w - x]


def test_constant_factor_wrong() -> None:
    m = sp.Symbol("m", integer=True, positive=True)
    results = {s.result for s in D.constant_factor_wrong(x + w, (1 / m,))}
    assert (x + w) / m in results and x / m + w in results


def test_sum_missing() -> None:
    i, m = sp.symbols("i m", integer=True, positive=True)
    a = sp.IndexedBase("a")
    assert [s.result for s in D.sum_missing(sp.Sum(a[i], (i, 1, m)) / m)] == [a[i] / m]
    n = sp.Symbol("n", integer=True, positive=True)
    G = sp.MatrixSymbol("G", m, n)
    assert [s.result for s in D.sum_missing(sp.OneMatrix(1, m) * G)] == [G]


def test_factor_transposed() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    W, v = sp.MatrixSymbol("W", n, n), sp.MatrixSymbol("v", n, 1)
    assert W.T * v in {s.result for s in D.factor_transposed(W * v)}


def test_product_kind_swapped() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    assert [s.result for s in D.product_kind_swapped(A * B)] == [sp.HadamardProduct(A, B)]
    assert [s.result for s in D.product_kind_swapped(sp.HadamardProduct(A, B))] == [A * B]


def test_the_catalogue_names_every_kind_asked_for() -> None:
    assert next(iter(D.MAL_RULES)) == "inner derivative dropped"
    assert {m.kind for m in D.MAL_RULES.values()} == {"rule", "slip"}
    for mal in D.MAL_RULES.values():
        assert mal.statement and callable(mal.apply)


# --- explain, one mal-rule at a time through the engine -------------------------------------

EXPLAINED = [
    (sp.Derivative(sp.log(1 - x**2), x), 1 / (1 - x**2), "inner derivative dropped"),
    (sp.Derivative(sigmoid(2 * x), x), 2 * sigmoid(2 * x), "σ′ taken as σ"),
    (sp.Derivative(sigmoid(x), x), sigmoid(x) * (1 + sigmoid(x)), "σ′ taken as σ(1 + σ)"),
    (sp.Derivative(sp.sin(x) / (1 + x**2), x),
     (sp.sin(x) * 2 * x - sp.cos(x) * (1 + x**2)) / (1 + x**2) ** 2,
     "quotient rule numerator swapped"),
    (sp.Derivative(x**5, x), 5 * x**5, "power rule exponent not reduced"),
    (sp.Derivative(x * sp.exp(x), x), sp.exp(x), "product rule as product of derivatives"),
    (sp.Derivative(x**3 - x, x), 3 * x**2 + 1, "term sign flipped"),
    (sp.Derivative(x**3 - x, x), 1 - 3 * x**2, "overall sign flipped"),
    (sp.Derivative(x**3 - x, x), 6 * x**2 - 2, "constant factor wrong"),
]


@pytest.mark.parametrize(("previous", "claimed", "name"), EXPLAINED,
                         ids=[n for *_, n in EXPLAINED])
def test_explain_names_the_mal_rule(previous: sp.Expr, claimed: sp.Expr, name: str) -> None:
    diagnosis = D.explain(previous, claimed)
    assert diagnosis is not None and diagnosis.mal_rule == name
    assert type(diagnosis.outcome).__name__ in ("Proved", "Checked")


def test_explain_gives_nothing_for_a_right_claim_or_an_unknown_mistake() -> None:
    assert D.explain(sp.Derivative(BCE, yhat), RIGHT, domains=DOMAINS) is None
    assert D.explain(sp.Derivative(BCE, yhat), -y * yhat + RIGHT, domains=DOMAINS,
                     budget=1.0) is None


def test_a_pair_is_tried_when_no_single_mal_rule_explains() -> None:
    claimed = 2 * (-y / yhat - (1 - y) / (1 - yhat))
    diagnosis = D.explain(sp.Derivative(BCE, yhat), claimed, domains=DOMAINS)
    assert diagnosis is not None
    assert diagnosis.mal_rule == "inner derivative dropped + constant factor wrong"
    assert diagnosis.explanation.startswith("Two slips together")


def test_matrix_slips() -> None:
    n, m = sp.symbols("n m", integer=True, positive=True)
    W, A, B = (sp.MatrixSymbol(s, n, n) for s in "WAB")
    u, v = sp.MatrixSymbol("u", n, 1), sp.MatrixSymbol("v", n, 1)
    cases = [
        (W.T * (u - v), W * (u - v), "factor transposed"),
        (sp.HadamardProduct(A, B) * u, A * B * u, "matrix and Hadamard product swapped"),
        (W.T * (u - v), W.T * (u + v), "term sign flipped"),
    ]
    for previous, claimed, name in cases:
        diagnosis = D.explain(previous, claimed)
        assert diagnosis is not None and diagnosis.mal_rule == name, (claimed, diagnosis)
    G, H = sp.MatrixSymbol("G", m, n), sp.MatrixSymbol("H", m, n)
    diagnosis = D.explain(sp.OneMatrix(1, m) * (G - H) / m, (G - H) / m, domains={m: COUNT})
    assert diagnosis is not None and diagnosis.mal_rule == "sum over the batch missing"


def test_a_sum_over_the_batch_missing_in_a_scalar_gradient() -> None:
    i, m = sp.symbols("i m", integer=True, positive=True)
    labels, inputs, J = sp.IndexedBase("y"), sp.IndexedBase("x"), sp.Symbol("J", real=True)
    p = sigmoid(w * inputs[i])
    loss = -sp.Sum(labels[i] * sp.log(p) + (1 - labels[i]) * sp.log(1 - p), (i, 1, m)) / m

    def expand(expr: sp.Expr, keep: frozenset[sp.Symbol]) -> sp.Expr:
        return expr if J in keep else expr.xreplace({J: loss})

    claimed = inputs[i] * (p - labels[i]) / m
    diagnosis = D.explain(sp.Derivative(J, w), claimed, expand=expand,
                          domains={m: COUNT, sp.Symbol("y"): LABEL})
    assert diagnosis is not None and diagnosis.mal_rule == "sum over the batch missing"


def test_explain_keeps_to_its_budget() -> None:
    import time

    started = time.monotonic()
    D.explain(sp.Derivative(BCE, yhat), -y * yhat + RIGHT, domains=DOMAINS, budget=0.5)
    assert time.monotonic() - started < 1.5


# --- document 000 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One equality the checker compared, as it read both sides, with what it needs."""

    path: str
    step: str
    label: str
    previous: sp.Expr
    claimed: sp.Expr
    expand: Callable[[sp.Expr, frozenset[sp.Symbol]], sp.Expr]
    domains: dict[sp.Symbol, Domain]
    verdict: str


@functools.cache
def links(path: pathlib.Path) -> tuple[Link, ...]:
    """Every link of a proof file, resolved as derive.verify.check resolves it."""
    document = load(str(path))
    found: list[tuple[Any, sp.Expr, sp.Expr, dict[sp.Symbol, sp.Expr], str]] = []

    class Recording(_Checker):
        claim: Any = None

        def _step(self, claim: Any, previous: Any) -> Any:
            self.claim = claim
            return super()._step(claim, previous)

        def _equal(self, lhs: sp.Expr, rhs: sp.Expr, assume: tuple[str, ...]) -> Any:
            report = super()._equal(lhs, rhs, assume)
            found.append((self.claim, self._named(lhs), self._named(rhs),
                          dict(self.definitions), report.verdict))
            return report

    checker = Recording(document, 5.0, None)
    checker.run()
    result = []
    for claim, lhs, rhs, definitions, verdict in found:
        shim = copy.copy(checker)
        shim.definitions = definitions
        result.append(Link(path.name, claim.id, claim.label, lhs, rhs, shim._expand,
                           checker.context.domains(), verdict))
    return tuple(result)


def link(step: str, path: pathlib.Path = ROOT / "proofs" / "000_bce_sign_error.toml") -> Link:
    return next(k for k in links(path) if k.step == step)


def test_000_q3_is_the_inner_derivative_of_log_one_minus_yhat_dropped() -> None:
    q3 = link("Q3")
    diagnosis = D.explain(q3.previous, q3.claimed, expand=q3.expand, domains=q3.domains)
    assert diagnosis is not None
    assert diagnosis.mal_rule == "inner derivative dropped"
    assert diagnosis.where == "log(1 − ŷᵢ)"
    assert "term sign flipped" in diagnosis.equivalent
    yh = next(s for s in q3.claimed.free_symbols if s.name == "yhat_i")
    assert _equal(diagnosis.correct, -1 / (1 - yh)) and _equal(diagnosis.slipped, 1 / (1 - yh))
    assert diagnosis.explanation == (
        "It equals the correct derivative with the inner derivative of log(1 − ŷᵢ) dropped: "
        "d/dŷᵢ log(1 − ŷᵢ) = −1/(1 − ŷᵢ), since d(1 − ŷᵢ)/dŷᵢ = −1 (chain rule); "
        "the sign of the second term flips.")
    assert diagnosis.sentence(str).startswith("It equals the correct derivative with")


def test_the_explanation_prints_with_the_report_printer() -> None:
    from derive.emit.render import text

    q3 = link("Q3")
    diagnosis = D.explain(q3.previous, q3.claimed, expand=q3.expand, domains=q3.domains)
    assert diagnosis is not None
    said = diagnosis.sentence(text)
    assert "log(1 − ŷᵢ) dropped" in said and said.endswith("the sign of the second term flips.")


def test_000_the_comment_c1() -> None:
    c1 = link("C1")
    diagnosis = D.explain(c1.previous, c1.claimed, expand=c1.expand, domains=c1.domains)
    assert diagnosis is not None and diagnosis.mal_rule == "inner derivative dropped"


@pytest.mark.parametrize(("label", "rule"), [
    ("Product rule", "product"),
    ("Sum rule", "sum"),
    ("deriv of natural log", "log"),
    ("chain rule", "chain"),
    ("using product rule", "product"),
    ("Use chain rule", "chain"),
    ("You need the chain rule, which will give you the required negative sign", "chain"),
    ("Product rule, deriv of constant (treating y as a constant) and deriv of natural log",
     "product"),
    ("inner/Frobenius product", None),
    ("Logistic regression", None),
    ("the expected result", None),
])
def test_rule_named(label: str, rule: str | None) -> None:
    assert D.rule_named(label) == rule


def test_rules_named_in_order() -> None:
    label = "Product rule, deriv of constant (treating y as a constant) and deriv of natural log"
    assert D.rules_named(label) == ("product", "constant", "log")


@pytest.mark.parametrize(("step", "rule"), [
    ("Q1", "constant multiple"), ("Q2", "sum"), ("P1", "chain"), ("A4", "chain"),
    ("A6", "sigmoid"), ("Q3", None),
])
def test_justifying_rule_on_000(step: str, rule: str | None) -> None:
    k = link(step)
    assert D.justifying_rule(k.previous, k.claimed, expand=k.expand, domains=k.domains) == rule


def test_the_label_of_q1_names_another_rule_than_the_one_used() -> None:
    q1 = link("Q1")
    assert D.rule_named(q1.label) == "product"
    assert D.justifying_rule(q1.previous, q1.claimed, expand=q1.expand,
                             domains=q1.domains) == "constant multiple"


@pytest.mark.parametrize(("step", "kind"), [
    ("Q1", "expected"), ("Q2", "expected"), ("Q3", "buggy"), ("Q4", "expected"),
    ("P1", "expected"), ("P3", "expected"),
])
def test_align_on_000(step: str, kind: str) -> None:
    k = link(step)
    found, detail = D.align(k.previous, k.claimed, expand=k.expand, domains=k.domains)
    assert found == kind, detail
    if kind == "buggy":
        assert detail == "inner derivative dropped"


def test_align_finds_a_detour() -> None:
    previous = sp.Derivative(sp.log(yhat / (1 - yhat)), yhat)
    claimed = sp.Derivative(sp.log(yhat), yhat) - sp.Derivative(sp.log(1 - yhat), yhat)
    assert D.align(previous, claimed, domains=DOMAINS)[0] == "detour"


def test_two_slips_that_cancel() -> None:
    wrong = -y / yhat - (1 - y) / (1 - yhat)
    chain = [(sp.Derivative(BCE, yhat), wrong), (wrong, RIGHT)]
    assert D.cancelling(chain, domains=DOMAINS) == [0]
    first, second = D.explain_links(chain, domains=DOMAINS)
    assert first is not None and first.cancelling and first.mal_rule == "inner derivative dropped"
    assert second is not None and second.cancelling and second.mal_rule == "term sign flipped"
    assert D.cancelling([(sp.Derivative(BCE, yhat), RIGHT), (RIGHT, RIGHT)],
                        domains=DOMAINS) == []


# --- the measured corpus ------------------------------------------------------------------


def _local_mutations(F: sp.Expr, v: sp.Symbol) -> Iterator[tuple[str, sp.Expr]]:
    """Buggy derivatives of F made independently of the engine: a place f(u) of F is written
    S(v), SymPy differentiates, and S′ is replaced by the buggy local derivative."""
    S, t = sp.Function("S_place"), sp.Dummy("t")
    for place in sp.preorder_traversal(F):
        if place == v or not place.has(v):
            continue
        buggy: list[tuple[str, sp.Expr]] = []
        if isinstance(place, sp.Function) and len(place.args) == 1:
            u = place.args[0]
            if u != v:
                buggy.append(("inner derivative dropped",
                              sp.diff(place.func(t), t).xreplace({t: u})))
            if place.func is sigmoid:
                buggy.append(("σ′ taken as σ", place * sp.diff(u, v)))
                buggy.append(("σ′ taken as σ(1 + σ)", place * (1 + place) * sp.diff(u, v)))
        if isinstance(place, sp.Pow) and not place.exp.has(v):
            u, n = place.args
            if u != v:
                buggy.append(("inner derivative dropped", n * u ** (n - 1)))
            buggy.append(("power rule exponent not reduced", n * u**n * sp.diff(u, v)))
        for name, local in buggy:
            derivative = sp.diff(F.xreplace({place: S(v)}), v)
            yield name, derivative.xreplace({sp.Derivative(S(v), v): local}).xreplace(
                {S(v): place})


def mutations(k: Link, factors: tuple[sp.Expr, ...] = (sp.Integer(2), sp.Rational(1, 2))
              ) -> list[tuple[str, sp.Expr]]:
    """Every catalogued slip applied where it applies to the correct claimed side, and every
    buggy rule where it applies to the derivatives the claim evaluates."""
    found: list[tuple[str, sp.Expr]] = []
    for mal in D.MAL_RULES.values():
        if mal.kind != "slip":
            continue
        slips = mal.apply(k.claimed, factors) if mal.name == "constant factor wrong" else \
            mal.apply(k.claimed)
        found += [(mal.name, slip.result) for slip in slips]
    if not k.claimed.atoms(sp.Derivative):
        for node in sorted(k.previous.atoms(sp.Derivative), key=sp.default_sort_key):
            v = node.variables[0]
            written = k.expand(node.expr, frozenset({v}))
            found += [(name, k.previous.xreplace({node: d}))
                      for name, d in _local_mutations(written, v)]
    return found


@functools.cache
def _in_index_notation(name: str) -> bool:
    """Whether a proof file declares [indices] (its links are decided by derive.verify.indexed)."""
    return bool(load(str(ROOT / "proofs" / name)).context.indices)


def usable(k: Link) -> bool:
    """Scalar links that hold (matrix claims are checked by instantiation, not here; the
    mal-rules do not re-derive index claims or limits)."""
    sides = (k.previous, k.claimed)
    if any(isinstance(side, sp.MatrixExpr) or side.atoms(sp.MatrixSymbol) for side in sides):
        return False
    if _in_index_notation(k.path) or any(side.has(sp.Limit) for side in sides):
        return False
    return k.verdict in ("proved", "checked") and not any(
        type(a).__name__ == "Differential" for side in sides for a in side.atoms(sp.Function))


@dataclass
class Tally:
    """The three measured figures."""

    total: int = 0
    unchanged: int = 0
    undefined: int = 0
    refuted: int = 0
    right: int = 0
    wrong: int = 0
    failures: tuple[str, ...] = ()

    def add(self, k: Link, made_by: str, mutated: sp.Expr) -> None:
        truth = D._value(k.previous, k.expand)
        outcome = compare(truth, D._value(mutated, k.expand), k.domains, budget=2.0)
        if isinstance(outcome, Proved | Checked):
            self.unchanged += 1  # the slip changes nothing here: not a mistake
            return
        if not isinstance(outcome, Refuted) and "no sample point" in outcome.reason:
            self.undefined += 1  # log of a negative everywhere: no real value to compare
            return
        self.total += 1
        self.refuted += isinstance(outcome, Refuted)
        diagnosis = D.explain(k.previous, mutated, expand=k.expand, domains=k.domains)
        if diagnosis is None:
            self.failures += (f"{k.step}: {made_by}: none for {mutated}",)
        elif made_by in diagnosis.names():
            self.right += 1
        else:
            self.wrong += 1
            self.failures += (f"{k.step}: {made_by}: said {diagnosis.mal_rule}",)

    def report(self, name: str) -> str:
        share = (lambda n: f"{100 * n / self.total:.1f}%") if self.total else (lambda n: "-")
        return (f"{name}: {self.total} mutated claims ({self.unchanged} value-preserving "
                f"and {self.undefined} nowhere-defined dropped); refuted "
                f"{share(self.refuted)}, diagnosed with the slip that made it "
                f"{share(self.right)}, wrong diagnosis {share(self.wrong)}")

    def check(self) -> None:
        assert self.total > 0
        assert self.refuted == self.total, self.failures
        assert self.right >= 0.95 * self.total, self.failures
        assert self.wrong == 0, self.failures


def _corpus(first_only: bool) -> Tally:
    tally = Tally()
    for path in PROOFS:
        for k in links(path):
            if not usable(k):
                continue
            seen: set[str] = set()
            for made_by, mutated in mutations(k):
                if first_only and made_by in seen:
                    continue
                seen.add(made_by)
                tally.add(k, made_by, mutated)
    return tally


def test_mutation_corpus_each_slip_once_per_step() -> None:
    tally = _corpus(first_only=True)
    print(tally.report("corpus (each catalogued slip at its first place, every step)"))
    tally.check()


@pytest.mark.slow
def test_mutation_corpus_every_place() -> None:
    tally = _corpus(first_only=False)
    print(tally.report("corpus (every catalogued slip at every place, every step)"))
    tally.check()


def _all_links() -> list[Link]:
    return [k for path in PROOFS for k in links(path) if usable(k)]


_RANDOM = Tally()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_mutations(data: st.DataObject) -> None:
    pool = _all_links()
    k = data.draw(st.sampled_from(pool), label="step")
    factor = data.draw(st.sampled_from(
        [sp.Integer(2), sp.Integer(3), sp.Rational(1, 2), sp.Rational(1, 3), sp.Integer(-2),
         sp.Integer(10)]), label="factor")
    options = mutations(k, (factor,))
    made_by, mutated = data.draw(st.sampled_from(options), label="mutation")
    before = _RANDOM.total, _RANDOM.refuted, _RANDOM.wrong
    _RANDOM.add(k, made_by, mutated)
    if _RANDOM.total > before[0]:
        assert _RANDOM.refuted > before[1], (k.step, made_by, mutated)
        assert _RANDOM.wrong == before[2], _RANDOM.failures[-1:]


def test_random_mutations_figures() -> None:
    """Runs after the property (file order): its figures, and the ≥ 95 % goal."""
    print(_RANDOM.report("random mutations (hypothesis)"))
    assert _RANDOM.right >= 0.95 * _RANDOM.total, _RANDOM.failures
