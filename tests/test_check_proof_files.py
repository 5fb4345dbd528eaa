"""The proof files proofs/1xx_*.toml: every step reaches the verdict it expects, with the evidence
and the diagnosis the report gives."""

from __future__ import annotations

import functools
import pathlib

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import COUNT
from derive.verify.check import DocumentReport, check_files
from derive.verify.diagnose import takes_step

ROOT = pathlib.Path(__file__).parent.parent


PROOFS = ROOT / "proofs"


INDEXED = Context(
    symbols={name: SymbolInfo(name, COUNT) for name in ("C", "i", "j", "k")},
    indices={"i": "C", "j": "C", "k": "C"},
)


def S(name: str, context: Context = INDEXED) -> sp.Symbol:
    return context.symbol(name)


EXPECTED = {
    "101_softmax_cross_entropy.toml": {
        "S1": "definition", "S2": "definition", "S3": "checked", "J1": "checked",
        "J2": "conditional", "J3": "checked", "J4": "checked", "J5": "refuted",
        "G1": "checked", "G2": "conditional", "W1": "refuted", "W2": "refuted",
    },
    "102_tanh_derivative.toml": {
        "T1": "proved", "T2": "proved", "T3": "proved", "T4": "refuted", "T5": "proved",
        "F1": "proved", "F2": "proved", "F3": "proved", "F4": "proved", "F5": "refuted",
    },
    "103_sigmoid_squared_error.toml": {
        "D1": "definition", "D2": "definition", "C1": "proved", "C2": "proved",
        "C3": "refuted", "N1": "definition", "N2": "definition", "N3": "proved",
        "N4": "refuted", "N5": "proved",
    },
    "104_l2_logistic_regression.toml": {
        "R1": "definition", "R2": "definition", "G0": "checked", "G1": "checked",
        "G2": "checked", "G3": "refuted", "G4": "conditional", "H1": "checked",
        "H2": "definition", "H3": "checked", "H4": "refuted", "M1": "definition",
        "M2": "definition", "M3": "checked", "M4": "definition", "M5": "checked",
        "M6": "checked", "M7": "refuted", "M8": "conditional",
    },
    "105_bce_with_logits.toml": {
        "B1": "definition", "B2": "proved", "B3": "proved", "B4": "proved", "B5": "proved",
        "B6": "checked", "B7": "refuted", "D1": "proved", "D2": "checked", "K1": "checked",
        "K2": "checked", "K3": "checked", "K4": "refuted", "K5": "checked",
    },
}


@functools.cache
def _report(name: str) -> DocumentReport:
    (document,) = check_files([str(PROOFS / name)]).documents
    return document


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_file_reaches_its_expected_verdicts(name: str) -> None:
    document = _report(name)
    assert document.error is None, document.error
    verdicts = {step.claim.id: step.verdict for step in document.steps}
    assert verdicts == EXPECTED[name]
    assert all(step.matches for step in document.steps)
    assert any(step.claim.expect == "refuted" for step in document.steps)


def test_every_1xx_file_is_pinned() -> None:
    assert sorted(p.name for p in PROOFS.glob("1*.toml")) == sorted(EXPECTED)


def test_an_index_counterexample_names_its_instance() -> None:
    steps = {step.claim.id: step for step in _report("101_softmax_cross_entropy.toml").steps}
    (link,) = steps["J5"].links
    point = dict(link.outcome.point)
    assert point["C"] == "3" and point["i"] != point["j"]
    g2 = steps["G2"].links[0]
    assert g2.assumption == r"\sum_j y_j = 1" and "false in general" in g2.message


def test_the_stable_form_is_sampled_on_both_sides_of_its_kink() -> None:
    steps = {step.claim.id: step for step in _report("105_bce_with_logits.toml").steps}
    (link,) = steps["B7"].links
    assert float(dict(link.outcome.point)["z"]) < 0  # wrong only left of the kink


def test_the_matrix_hessian_is_checked_and_its_slips_refuted() -> None:
    steps = {step.claim.id: step for step in _report("104_l2_logistic_regression.toml").steps}
    assert "checked entry by entry" in steps["M5"].links[0].message
    (m7,) = steps["M7"].links
    assert m7.outcome.entry == (0, 0) and m7.outcome.sizes == (("d", 2), ("n", 3))
    assert "one example per column" in steps["M8"].links[0].message


def test_an_index_link_is_diagnosed_at_its_refuted_instance() -> None:
    steps = {step.claim.id: step for step in _report("104_l2_logistic_regression.toml").steps}
    (g3,) = steps["G3"].links
    assert g3.diagnosis is not None and g3.diagnosis.mal_rule == "constant factor wrong"
    assert dict(g3.outcome.point)["j"] in ("1", "2")


def test_a_refuted_case_is_diagnosed() -> None:
    steps = {step.claim.id: step for step in _report("105_bce_with_logits.toml").steps}
    (k4,) = steps["K4"].links
    assert float(dict(k4.outcome.point)["z"]) > 0
    assert k4.diagnosis is not None and k4.diagnosis.mal_rule == "inner derivative dropped"


def test_a_label_naming_another_valid_route_is_right() -> None:
    steps = {step.claim.id: step for step in _report("102_tanh_derivative.toml").steps}
    assert (steps["T3"].named_rule, steps["T3"].used_rule) == ("quotient", "quotient")
    x = S("x", Context())
    quotient = ((sp.exp(x) + sp.exp(-x)) ** 2 - (sp.exp(x) - sp.exp(-x)) ** 2) / \
        (sp.exp(x) + sp.exp(-x)) ** 2
    derivative = sp.Derivative(sp.tanh(x), x)
    assert takes_step("quotient", derivative, quotient)
    assert not takes_step("product", derivative, quotient)
    assert not takes_step("quotient", derivative, 1 + sp.tanh(x) ** 2)  # not even valid
