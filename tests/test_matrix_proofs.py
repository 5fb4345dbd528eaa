"""The documents' matrix claims reach their verdicts, with the evidence each one needs."""

from __future__ import annotations

import pathlib
import unicodedata
from typing import Any

import pytest

from derive.core.outcomes import CheckedAtSizes
from derive.verify.check import check_files

PROOFS = pathlib.Path(__file__).parent.parent / "proofs"
DOC_000 = str(PROOFS / "000_bce_sign_error.toml")
DOC_001 = str(PROOFS / "001_backprop_one_hidden_layer.toml")
DOC_002 = str(PROOFS / "002_bce_gradient_wrt_w.toml")


@pytest.fixture(scope="module")
def steps() -> dict[str, dict[str, Any]]:
    report = check_files([DOC_000, DOC_001, DOC_002])
    found = {}
    for document in report.documents:
        assert document.error is None, document.error
        found[pathlib.Path(document.path).name[:3]] = {s.claim.id: s for s in document.steps}
    return found


def message(step: Any, link: int = 0) -> str:
    return unicodedata.normalize("NFC", step.links[link].message)


def test_every_step_of_the_three_documents_is_as_expected(steps: dict[str, Any]) -> None:
    wrong = {(doc, i): (s.verdict, s.claim.expect) for doc, found in steps.items()
             for i, s in found.items() if not s.matches}
    assert wrong == {}


# ---- document 001 ------------------------------------------------------------------------

EXPECTED_001 = {
    "L": "proved", "F1": "proved", "F2": "proved", "F3": "proved", "F4": "proved",
    "N1": "definition", "N2": "definition",
    "W2": "conditional", "W2a": "proved", "W2b": "proved", "W2c": "proved",
    "W2d": "conditional", "W2e": "checked",
    "W1": "conditional", "W1a": "conditional", "W1b": "checked", "W1c": "proved",
    "W1d": "ill-formed", "W1e": "conditional",
    "B2": "conditional", "B2a": "conditional", "B1": "conditional", "B1a": "conditional",
}


def test_document_001_covers_every_equation(steps: dict[str, Any]) -> None:
    assert {i: s.verdict for i, s in steps["001"].items()} == EXPECTED_001


def test_001_the_scalar_reducible_claims_are_proved_for_every_size(
        steps: dict[str, Any]) -> None:
    for identity in ("L", "W2a", "W2b", "W2c", "W1c"):
        assert "proved for every size" in message(steps["001"][identity])
    for identity in ("F1", "F2", "F3", "F4"):
        assert "same matrix expression" in message(steps["001"][identity])


def test_001_the_weight_gradients_hold_at_distinct_sizes(steps: dict[str, Any]) -> None:
    for identity in ("W2e", "W1b"):
        link = steps["001"][identity].links[0]
        assert isinstance(link.outcome, CheckedAtSizes)
        assert dict(link.outcome.sizes) == {"n": 3, "d": 2, "h": 4}
        assert "not a proof for every size" in link.message


def test_001_the_typo_is_reported_with_the_derivative_it_meant(steps: dict[str, Any]) -> None:
    text = message(steps["001"]["W1d"])
    assert "a₁ does not depend on h₁" in text
    assert "∂a₁/∂w₁" in text and "denominator layout" in text


def test_001_the_readings_of_odot(steps: dict[str, Any]) -> None:
    link = steps["001"]["W1e"].links[0]
    text = message(steps["001"]["W1e"])
    assert "(1) (Xᵀ(ŷ − y)w₂ᵀ) ⊙ f'(a₁): ill-formed" in text
    assert "d×h ⊙ n×h" in text
    assert "(2) Xᵀ(((ŷ − y)w₂ᵀ) ⊙ f'(a₁)): d×h, checked" in text
    assert "(3)" in text and "1×h ⊙ n×h" in text
    assert unicodedata.normalize("NFC", link.assumption) == "read as Xᵀ(((ŷ − y)w₂ᵀ) ⊙ f'(a₁))"


def test_001_layouts(steps: dict[str, Any]) -> None:
    assert steps["001"]["W2d"].links[0].assumption == "denominator layout"
    for identity in ("W2", "W1", "W1a", "B2", "B1"):
        link = steps["001"][identity].links[0]
        assert link.assumption == "numerator layout", identity
        assert "reverse order" in link.message


def test_001_the_biases_hold_per_example(steps: dict[str, Any]) -> None:
    for identity in ("B2a", "B1a"):
        link = steps["001"][identity].links[0]
        assert link.assumption == "n = 1 (one example)"
        assert "sum over the batch" in link.message
        assert dict(link.outcome.sizes)["n"] == 1


# ---- document 000, the vector reading --------------------------------------------------------


def test_000_logistic_answer_in_the_vector_reading(steps: dict[str, Any]) -> None:
    found = steps["000"]
    assert {i: found[i].verdict for i in ("A1v", "A2v", "Jv", "A3v", "A4v", "A5v", "A6v",
                                          "A7v", "A8v")} == {
        "A1v": "proved", "A2v": "proved", "Jv": "definition", "A3v": "conditional",
        "A4v": "conditional", "A5v": "proved", "A6v": "proved", "A7v": "conditional",
        "A8v": "conditional"}
    assert found["A7v"].links[0].assumption == "denominator layout"
    assert found["A4v"].links[0].assumption == "numerator layout"


def test_000_the_inconsistency_of_x(steps: dict[str, Any]) -> None:
    link = steps["000"]["A8v"].links[0]
    text = message(steps["000"]["A8v"])
    assert "Xᵀ · (z − y) does not conform: n×d times 1×n" in text
    assert "one example per row" in text and "X n×d" in text
    assert link.assumption.startswith("one example per row")


def test_000_matrix_calculus_answer_line_by_line(steps: dict[str, Any]) -> None:
    found = steps["000"]
    for identity in ("M3v", "M4v", "M5v", "M6v", "M7v", "M8v", "M9v"):
        assert found[identity].verdict == "proved", identity
        assert "for every size" in message(found[identity])
    assert found["M9v"].verdict == "proved" and len(found["M9v"].links) == 2


def test_000_the_scalar_reading_is_untouched(steps: dict[str, Any]) -> None:
    found = steps["000"]
    assert [found[i].verdict for i in ("A4", "A5", "A6", "A7", "A8")] == ["proved"] * 5
    assert found["Q3"].verdict == "refuted"


# ---- document 002 ------------------------------------------------------------------------


def test_002_equation_3_needs_x0_equal_to_one(steps: dict[str, Any]) -> None:
    step = steps["002"]["3"]
    (link,) = step.links
    assert (step.verdict, step.defines) == ("conditional", "z_W")
    assert link.assumption == "x₀ = 1"
    assert "false in general" in link.message
    assert isinstance(link.outcome, CheckedAtSizes) and link.outcome.exact
    assert [steps["002"][i].verdict for i in ("4", "11", "12")] == ["proved"] * 3
