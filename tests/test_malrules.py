"""The catalogue of mal-rules as records: each names a rule of the engine, says itself, and
is found by ``explain`` on a claim it made."""

from __future__ import annotations

import ast
import dataclasses
import pathlib

import pytest
import sympy as sp

import derive
from derive.core.domains import COUNT, Domain
from derive.core.errors import DeriveError, UnknownRuleError
from derive.core.functions import sigmoid
from derive.engine.differentiate import differentiate, rewrite_step
from derive.engine.rules import RULES
from derive.verify import diagnose as D
from derive.verify.diagnose.catalogue import CATALOGUE, MalRule
from derive.verify.diagnose.sentences import FIELDS, LEADS, fields_of

x = sp.Symbol("x", real=True)
n, m = sp.symbols("n m", integer=True, positive=True)
W, A, B = (sp.MatrixSymbol(s, n, n) for s in "WAB")
u, v = sp.MatrixSymbol("u", n, 1), sp.MatrixSymbol("v", n, 1)
G, H = sp.MatrixSymbol("G", m, n), sp.MatrixSymbol("H", m, n)

# a refuted claim each mal-rule makes: (side before, claimed side, domains)
EXAMPLES: dict[str, tuple[sp.Basic, sp.Basic, dict[sp.Symbol, Domain]]] = {
    "inner derivative dropped": (sp.Derivative(sp.log(1 - x**2), x), 1 / (1 - x**2), {}),
    "log′ without the inner function": (sp.Derivative(sp.log(3 * x + 1), x), 1 / (3 * x + 1),
                                        {}),
    "σ′ taken as σ": (sp.Derivative(sigmoid(2 * x), x), 2 * sigmoid(2 * x), {}),
    "σ′ taken as σ(1 + σ)": (sp.Derivative(sigmoid(x), x), sigmoid(x) * (1 + sigmoid(x)), {}),
    "quotient rule numerator swapped": (
        sp.Derivative(sp.sin(x) / (1 + x**2), x),
        (sp.sin(x) * 2 * x - sp.cos(x) * (1 + x**2)) / (1 + x**2) ** 2, {}),
    "power rule exponent not reduced": (sp.Derivative(x**5, x), 5 * x**5, {}),
    "product rule as product of derivatives": (sp.Derivative(x * sp.exp(x), x), sp.exp(x), {}),
    "sum over the batch missing": (sp.OneMatrix(1, m) * (G - H) / m, (G - H) / m, {m: COUNT}),
    "factor transposed": (W.T * (u - v), W * (u - v), {}),
    "matrix and Hadamard product swapped": (sp.HadamardProduct(A, B) * u, A * B * u, {}),
    "constant factor wrong": (sp.Derivative(x**3 - x, x), 6 * x**2 - 2, {}),
    "term sign flipped": (sp.Derivative(x**3 - x, x), 3 * x**2 + 1, {}),
    "overall sign flipped": (sp.Derivative(x**3 - x, x), 1 - 3 * x**2, {}),
}


# --- the records ----------------------------------------------------------------------------


def test_the_catalogue_is_the_table_of_mal_rules() -> None:
    assert {mal.name: mal for mal in CATALOGUE} == D.MAL_RULES
    assert list(D.MAL_RULES) == [mal.name for mal in CATALOGUE]  # the order ranks them


def test_names_are_unique() -> None:
    names = [mal.name for mal in CATALOGUE]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("mal", CATALOGUE, ids=lambda mal: mal.name)
def test_each_record_is_immutable(mal: MalRule) -> None:
    assert dataclasses.is_dataclass(mal)
    with pytest.raises(dataclasses.FrozenInstanceError):
        mal.name = "another"  # type: ignore[misc]


@pytest.mark.parametrize("mal", CATALOGUE, ids=lambda mal: mal.name)
def test_each_names_a_rule_of_the_rule_table(mal: MalRule) -> None:
    assert mal.rule in RULES, f"{mal.name} is a mistake of {mal.rule!r}, not in the rule table"


@pytest.mark.parametrize("mal", CATALOGUE, ids=lambda mal: mal.name)
def test_each_has_a_sentence_with_known_fields(mal: MalRule) -> None:
    assert mal.sentence.strip() and mal.statement.strip() and callable(mal.apply)
    for template in (mal.sentence, mal.fallback, mal.correction):
        assert fields_of(template) <= FIELDS[mal.kind], (mal.name, template)


def test_a_buggy_rule_swaps_into_the_engine_under_its_rule() -> None:
    for mal in CATALOGUE:
        if mal.kind == "rule":  # the engine accepts the rule as the key of an override
            differentiate(sp.log(1 - x**2), x, overrides={mal.rule: lambda step: step})


def test_no_module_compares_against_a_mal_rule_name() -> None:
    """The names live in the catalogue only: behaviour hangs on the records' fields."""
    names = {mal.name for mal in CATALOGUE}
    package = pathlib.Path(derive.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if path.name == "catalogue.py" and path.parent.name == "diagnose":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in names, f"{path.name}:{node.lineno}: {node.value!r}"


# --- each mal-rule is found -----------------------------------------------------------------


def test_every_mal_rule_has_an_example() -> None:
    assert set(EXAMPLES) == set(D.MAL_RULES)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_explain_names_each_mal_rule(name: str) -> None:
    previous, claimed, domains = EXAMPLES[name]
    diagnosis = D.explain(previous, claimed, domains=domains)
    assert diagnosis is not None, name
    assert name in diagnosis.names(), (name, diagnosis.mal_rule, diagnosis.equivalent)
    named = D.MAL_RULES[diagnosis.mal_rule]
    lead = LEADS[named.kind] + named.sentence.split("{")[0]
    assert diagnosis.explanation.startswith(lead), diagnosis.explanation


def test_log_without_the_inner_function_is_said_equivalent_to_the_dropped_inner() -> None:
    previous, claimed, domains = EXAMPLES["log′ without the inner function"]
    diagnosis = D.explain(previous, claimed, domains=domains)
    assert diagnosis is not None
    assert diagnosis.mal_rule == "inner derivative dropped"
    assert diagnosis.equivalent[0] == "log′ without the inner function"
    assert " Equivalently: " + D.MAL_RULES[diagnosis.equivalent[0]].statement in (
        diagnosis.explanation)


def test_the_pair_of_two_equal_slips_is_never_an_explanation() -> None:
    assert {mal.name for mal in CATALOGUE if mal.twice_is_once} == {
        "constant factor wrong", "overall sign flipped"}


# --- an unknown rule ------------------------------------------------------------------------


def test_an_unknown_rule_raises_a_named_error() -> None:
    with pytest.raises(UnknownRuleError) as caught:
        differentiate(x**2, x, overrides={"chain rule": lambda step: step})
    assert caught.value.rule == "chain rule" and isinstance(caught.value, DeriveError)
    with pytest.raises(UnknownRuleError):
        rewrite_step("no such rule", x, x)
    assert rewrite_step("simplify", x, x).rule == "simplify"
