r"""A verdict never lies: the hard cases, each with the verdict its truth demands.

``refuted`` needs a point where both sides are real, defined and different; ``proved`` and
``checked`` need the claim to hold wherever both sides are real and defined. The truth of each
case is stated beside it (an exact value or a counterexample a reader can check by hand).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from derive.core.outcomes import Refuted
from derive.verify.check import check_latex

HOLDS = ("proved", "checked")


def last_step(lines: list[str], domains: Mapping[str, str] | None = None,
              indices: Mapping[str, str] | None = None, budget: float = 5.0) -> object:
    report = check_latex(lines, domains=domains, indices=indices, budget=budget)
    return report.documents[0].steps[-1]


FALSE = [
    # near-equalities and constants: the difference is real however small
    (r"10^{-13} = 0", {}, "10⁻¹³ ≠ 0"),
    (r"10^{20} + 1 = 10^{20}", {}, "they differ by 1"),
    (r"x + 10^{-30} x = x", {}, "x = 1: 1 + 10⁻³⁰ ≠ 1"),
    (r"e^{\pi\sqrt{163}} = 262537412640768744", {}, "e^{π√163} = …743.99999999999925"),
    (r"\sigma(x - 1000) = 0", {}, "σ is never 0"),
    (r"\tanh(10^{-6} x) = 10^{-6} x", {}, "x = 10⁶: tanh(1) ≠ 1"),
    # every value of a discrete domain is tried, a count well beyond 9
    (r"\operatorname{relu}(1 - y) = 1", {"y": "{0,1}"}, "y = 1: relu(0) = 0"),
    (r"\sum_{i=1}^{n} \operatorname{relu}(i - 9) = 0", {"n": "count"}, "n = 10: 1 ≠ 0"),
    # real semantics: a power law that needs a positive base
    (r"(x^a)^b = x^{ab}", {}, "x = −1, a = 2, b = ½: 1 ≠ −1"),
    (r"(x^2)^{1/2} = x", {}, "x = −1: 1 ≠ −1"),
    (r"\sum_{i=1}^n (x_{i+1}-x_i) = x_{n}-x_1", {}, "n = 1: x₂ − x₁ ≠ 0"),
    (r"\frac{\partial}{\partial w_i}\sum_{i=1}^d w_i^2 = 2 w_1", {}, "i = 2: 2w₂ ≠ 2w₁"),
    # operator names and indexed families
    (r"\operatorname{ReLU}(x+y) = \operatorname{ReLU}(x) + \operatorname{ReLU}(y)", {},
     "x = 1, y = −1: 0 ≠ 1"),
    (r"\sum_{i=1}^n x_i^2 = \frac{1}{n}\left(\sum_{i=1}^n x_i\right)^2", {"n": "count"},
     "n = 2, x = (1, −1): 2 ≠ 0"),
    (r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(w x_i - y_i)^2 = 2(w x_i - y_i)x_i",
     {"n": "count"}, "the sum over examples is forgotten"),
]

TRUE = [
    (r"\sqrt{x}\sqrt{y} = \sqrt{xy}", {}),
    (r"\operatorname{sech}^2 x = 1 - \tanh^2 x", {}),
    (r"\sum_{i=1}^{2} y_i = y_1 + y_2", {}),
    (r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = 2w_k", {"d": "count"}),
    (r"(x^a)^2 = x^{2a}", {}),
    (r"x^a x^b = x^{a+b}", {}),
    (r"\sigma(x) = 1 - \sigma(-x)", {}),
    (r"\log(\sigma(x)) = -\log(1 + e^{-x})", {}),
    (r"\sum_{i=1}^n (x_{i+1}-x_i) = x_{n+1}-x_1", {}),
    # the bound i and the free i are two indices
    (r"\frac{\partial}{\partial w_i}\sum_{i=1}^d w_i^2 = 2 w_i", {}),
]


@pytest.mark.parametrize(("latex", "domains", "why"), FALSE)
def test_a_false_claim_is_refuted_at_a_real_point(latex: str, domains: dict[str, str],
                                                  why: str) -> None:
    step = last_step([latex], domains)
    assert step.verdict == "refuted", (why, step)  # type: ignore[attr-defined]
    for link in step.links:  # type: ignore[attr-defined]
        if isinstance(link.outcome, Refuted):
            named = {name for name, _ in link.outcome.point}
            assert all(f"[{index}]" not in name for name in named for index in "ijk"), named
            assert link.outcome.lhs_value != link.outcome.rhs_value
            assert "nan" not in (link.outcome.lhs_value + link.outcome.rhs_value).lower()


@pytest.mark.parametrize(("latex", "domains"), TRUE)
def test_a_true_claim_is_never_refuted(latex: str, domains: dict[str, str]) -> None:
    step = last_step([latex], domains)
    assert step.verdict in HOLDS, step  # type: ignore[attr-defined]


def test_an_undefined_constant_is_not_proved() -> None:
    step = last_step([r"\log(0) = -\log(0)"])
    assert step.verdict == "undecided"  # type: ignore[attr-defined]


def test_a_not_equal_claim_follows_the_fixed_equality() -> None:
    assert last_step([r"10^{-13} \neq 0"]).verdict in HOLDS  # type: ignore[attr-defined]
    refuted = last_step([r"\sigma(x) \neq 1 - \sigma(-x)"])
    assert refuted.verdict == "refuted"  # type: ignore[attr-defined]


def test_an_index_claim_is_instantiated_at_two_sizes() -> None:
    step = last_step([r"\sum_j j = 6"], indices={"j": "C"})
    assert step.verdict == "refuted"  # type: ignore[attr-defined]
    holds = last_step([r"\sum_j j = \frac{C(C+1)}{2}"], indices={"j": "C"})
    assert holds.verdict == "checked"  # type: ignore[attr-defined]
    assert "C = 3 and at C = 4" in holds.links[-1].message  # type: ignore[attr-defined]
