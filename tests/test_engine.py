"""The rule-driven differentiator: every rule, its result, its check, its failures."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.core.algebra import tidy
from derive.core.errors import MissingRuleError
from derive.core.functions import relu, sigmoid, softplus
from derive.core.records import DiffStep
from derive.emit.render import text
from derive.engine.differentiate import differentiate, lines, verify
from derive.engine.rules import ELEMENTARY, RULES
from tests.conftest import YHAT, Y, Z, same

x = sp.Symbol("x", real=True)
c = sp.Symbol("c", real=True)

CASES = [
    (c, "constant"),
    (x, "identity"),
    (3 * x, "constant multiple"),
    (x + sp.exp(x), "sum"),
    (x * sp.exp(x), "product"),
    (sp.sin(x) / (1 + x**2), "quotient"),
    (x**5, "power"),
    (2**x, "exponential"),
    (x**x, "general power"),
    (sp.exp(x), "exp"),
    (sp.log(x), "log"),
    (sigmoid(x), "sigmoid"),
    (relu(x), "relu"),
    (softplus(x), "softplus"),
    (sp.tanh(x), "tanh"),
    (sp.log(1 + x**2), "chain"),
    (sp.Max(x, 0), "max"),
    (sp.Min(x**2, 1 - x), "min"),
]


@pytest.mark.parametrize(("expr", "rule"), CASES, ids=[r for _, r in CASES])
def test_each_rule_gives_sympys_derivative(expr: sp.Expr, rule: str) -> None:
    step = differentiate(expr, x)
    assert step.rule == rule
    assert same(step.result, sp.diff(expr, x))


@pytest.mark.parametrize(("expr", "rule"), CASES, ids=[r for _, r in CASES])
def test_every_step_is_verified(expr: sp.Expr, rule: str) -> None:
    checked = verify(differentiate(expr, x))
    for step in checked.walk():
        assert type(step.check).__name__ in ("Proved", "Checked"), (step.rule, step.check)


def test_every_cited_rule_is_in_the_table() -> None:
    for expr, _ in CASES:
        for step in differentiate(expr, x).walk():
            assert step.rule in RULES


def test_elementary_table_is_one_entry_per_function() -> None:
    for function, (name, derivative) in ELEMENTARY.items():
        assert name in RULES
        u = sp.Symbol("u", positive=True)
        if function is sp.Heaviside:
            continue
        assert same(derivative(u), sp.diff(function(u), u)), function


def test_missing_rule_names_the_operation() -> None:
    with pytest.raises(MissingRuleError, match="gamma"):
        differentiate(sp.gamma(x), x)
    with pytest.raises(MissingRuleError, match="Max of 3 arguments"):
        differentiate(sp.Max(x, 0, c), x)


def test_max_and_min_follow_the_argument_that_wins() -> None:
    step = differentiate(sp.Max(2 * x, 1 - x), x)
    assert step.result == 2 * sp.Heaviside(3 * x - 1) - sp.Heaviside(1 - 3 * x)
    for point, slope in ((1, 2), (0, -1)):  # 2x wins at x = 1, 1 − x at x = 0
        assert step.result.subs(x, point) == slope
    lower = differentiate(sp.Min(2 * x, 1 - x), x).result
    assert (lower.subs(x, 1), lower.subs(x, 0)) == (-1, 2)


def test_bce_derivation_has_the_inner_derivative_as_its_own_step() -> None:
    bce = sp.Mul(-1, sp.Add(Y * sp.log(YHAT), (1 - Y) * sp.log(1 - YHAT), evaluate=False),
                 evaluate=False)
    step = differentiate(bce, YHAT)
    rules = [s.rule for s in step.walk()]
    assert rules[:2] == ["constant multiple", "sum"]
    assert "chain" in rules and "log" in rules
    chain = next(s for s in step.walk() if s.rule == "chain")
    assert isinstance(chain, DiffStep)
    inner = chain.substeps[1]
    assert isinstance(inner, DiffStep)
    assert inner.expr == 1 - YHAT and inner.result == -1
    facts = [fact for line in lines(step) for fact in line.facts]
    assert (sp.Derivative(1 - YHAT, YHAT), -1) in facts
    assert same(step.result, (YHAT - Y) / (YHAT * (1 - YHAT)))


def test_lines_each_equal_the_derivative() -> None:
    expr = sp.Pow(1 + sp.exp(-Z), -1, evaluate=False)
    step = differentiate(expr, Z)
    for line in lines(step):
        assert same(line.expression.doit(), sp.diff(expr, Z))


def test_a_wrong_step_fails_verification() -> None:
    honest = differentiate(sp.log(1 - YHAT), YHAT)
    broken = DiffStep(honest.rule, honest.expr, honest.wrt, 1 / (1 - YHAT), honest.unfolded,
                      honest.substeps)
    checked = verify(broken, {YHAT: __import__("derive.core.domains").core.domains.UNIT_OPEN})
    assert type(checked.check).__name__ == "Refuted"


def test_a_root_in_the_result_stays_whole() -> None:
    # factoring would multiply out the root's argument; the common factor 2 still cancels
    w_, y_ = sp.Symbol("w", real=True), sp.Symbol("y", real=True)
    step = differentiate(sp.sqrt(1 + (w_ * x - y_) ** 2) - 1, w_)
    assert text(tidy(step.result)) == "x·(w·x − y)/√(1 + (w·x − y)²)"
    assert text(sp.Derivative(sp.Integer(-1), w_, evaluate=False)) == "d/dw (−1)"
