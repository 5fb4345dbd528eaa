"""Matrices written out in a matrix claim: entry by entry (``\\begin{pmatrix}…``), as a column or
row with dots between its first entries and its last (a pattern in one subscript), and as a
square matrix with ``\\cdots``, ``\\vdots`` and ``\\ddots`` (one pattern on the diagonal, one
off it)."""

from __future__ import annotations

import pathlib

import pytest
import sympy as sp

from derive.core.outcomes import Verdict
from derive.read.latex import Stacked, parse_expression
from derive.read.proofs import load
from derive.verify.check import check_document, check_files

HEADER = r'''
[symbols]
"\\hat{y}" = { shape = ["n", "1"], entries = "\\hat{y}_1" }
y = { shape = ["n", "1"], entries = "y_1" }
U = { shape = ["1", "2"], entries = "U_1" }
p = { shape = ["K", "1"], entries = "p_1" }

[indices]
j = "n"

[settings]
sizes = { n = 3, K = 3 }

[definitions]
L = { latex = '\frac{1}{2n}\sum_{j=1}^{n}\left(\hat{y}_j - y_j\right)^2' }
'''

COLUMN = (r"\begin{bmatrix} \hat{y}_1 - y_1 \\ \hat{y}_2 - y_2 \\ \vdots \\ "
          r"\hat{y}_n - y_n \end{bmatrix}")
STEPS = {
    "column": (rf"\frac{{\partial L}}{{\partial \hat{{y}}}} = \frac{{1}}{{n}} {COLUMN}", "checked"),
    "column_sign": (r"\frac{\partial L}{\partial \hat{y}} = \frac{1}{n} \begin{bmatrix} "
                    r"\hat{y}_1 + y_1 \\ \vdots \\ \hat{y}_n + y_n \end{bmatrix}", "refuted"),
    "column_off_pattern": (r"\frac{\partial L}{\partial \hat{y}} = \begin{bmatrix} \hat{y}_1 \\ "
                           r"\hat{y}_2 + 1 \\ \vdots \\ \hat{y}_n \end{bmatrix}", "unreadable"),
    "numbers": (r"\begin{bmatrix} 1 & 2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix} = 11",
                "proved"),
    "numbers_wrong": (r"\begin{bmatrix} 1 & 2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix}"
                      r" = 12", "refuted"),
    "fixed_size": (r"U + \begin{pmatrix} 1 & 1 \end{pmatrix} = \begin{pmatrix} U_1 + 1 & U_2 + 1"
                   r" \end{pmatrix}", "proved"),
    "fixed_size_wrong": (r"U + \begin{pmatrix} 1 & 1 \end{pmatrix} = \begin{pmatrix} U_1 + 1 & "
                         r"U_1 + 1 \end{pmatrix}", "refuted"),
    "entry_not_scalar": (r"\begin{pmatrix} U & 1 \end{pmatrix} = U", "unreadable"),
    "jacobian": (r"\mathrm{diag}(p) - p p^T = \begin{bmatrix} p_1(1-p_1) & -p_1 p_2 & \cdots & "
                 r"-p_1 p_K \\ -p_2 p_1 & p_2(1-p_2) & \cdots & -p_2 p_K \\ \vdots & \vdots & "
                 r"\ddots & \vdots \\ -p_K p_1 & -p_K p_2 & \cdots & p_K(1-p_K) \end{bmatrix}",
                 "checked"),
    "jacobian_sign": (r"\mathrm{diag}(p) - p p^T = \begin{bmatrix} p_1(1-p_1) & \cdots & p_1 p_K"
                      r" \\ \vdots & \ddots & \vdots \\ p_K p_1 & \cdots & p_K(1-p_K) "
                      r"\end{bmatrix}", "refuted"),
    "row": (r"p^T = \begin{bmatrix} p_1 & p_2 & \cdots & p_K \end{bmatrix}", "checked"),
    "row_squared": (r"p^T = \begin{bmatrix} p_1^2 & p_2^2 & \cdots & p_K^2 \end{bmatrix}",
                    "refuted"),
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    text = HEADER + "".join(
        f"\n[[step]]\nid = \"{name}\"\nlatex = '{latex}'\n" for name, (latex, _) in STEPS.items())
    path = tmp_path_factory.mktemp("matrices") / "written.toml"
    path.write_text(text, encoding="utf-8")
    (document,) = check_files([str(path)]).documents
    assert document.error is None, document.error
    return {step.claim.id: step for step in document.steps}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_claim_with_a_written_matrix_gets_its_verdict(verdicts: dict[str, object],
                                                           name: str) -> None:
    step = verdicts[name]
    assert step.verdict == STEPS[name][1], step  # type: ignore[attr-defined]


def test_a_matrix_with_dots_is_read_as_its_two_patterns_and_says_so(
        verdicts: dict[str, object]) -> None:
    step = verdicts["jacobian_sign"]
    notes = " ".join(step.readings)  # type: ignore[attr-defined]
    assert "read as the entry pᵢ·(1 − pᵢ) where i = j, else pᵢ·p_j, for i, j = 1, …, K" in notes
    assert "entry (0, 1) differs at K = 3" in step.links[0].message  # type: ignore[attr-defined]


def test_a_refuted_column_names_the_entry_and_the_point(verdicts: dict[str, object]) -> None:
    link = verdicts["column_sign"].links[0]  # type: ignore[attr-defined]
    assert "entry (0, 0) differs at " in link.message and "n = 3" in link.message
    assert "ŷ[0,0]" in link.message


def test_a_column_with_vdots_is_read_as_its_pattern_and_says_so() -> None:
    value = parse_expression(r"\begin{bmatrix} a_1^2 \\ a_2^2 \\ \vdots \\ a_m^2 \end{bmatrix}")
    assert isinstance(value, Stacked)
    body, index, low, high = value.args
    assert low == 1 and str(high) == "m"
    assert isinstance(body, sp.Pow) and str(body.base) == f"a_{index}" and body.exp == 2
    assert value.shape == (high, 1)


@pytest.mark.parametrize("latex", [
    r"\begin{bmatrix} a_1 & b \\ \vdots & \\ a_n & b \end{bmatrix}",   # two columns
    r"\begin{bmatrix} \vdots \\ a_n \end{bmatrix}",                     # no first row
    r"\begin{bmatrix} a_1 \\ \vdots \\ a_n \\ \vdots \\ b_n \end{bmatrix}",  # two runs
])
def test_a_column_with_vdots_that_is_no_pattern_is_refused(latex: str) -> None:
    from derive.core.errors import ParseError

    with pytest.raises(ParseError):
        parse_expression(latex)


@pytest.mark.parametrize("latex", [
    r"\begin{bmatrix} a_1 & \cdots & a_n \\ \vdots & \ddots & \vdots \end{bmatrix}",  # not square
    r"\begin{bmatrix} a_1 & \cdots & a_n \\ \vdots & a_2 & \vdots \\ a_n & \cdots & a_1 "
    r"\end{bmatrix}",                                                  # an entry among the dots
    r"\begin{bmatrix} a_1 & b_1 & \cdots & b_n \\ b_1 & a_2 & \cdots & b_2 \\ \vdots & \vdots & "
    r"\ddots & \vdots \\ b_n & b_n & \cdots & a_n \end{bmatrix}",    # no one pattern off it
])
def test_a_matrix_with_dots_that_is_no_pattern_is_refused(latex: str) -> None:
    from derive.core.errors import ParseError

    with pytest.raises(ParseError):
        parse_expression(latex)


def test_a_matrix_with_dots_prints_as_its_patterns() -> None:
    from derive.core.mathtext import text
    from derive.emit.html import MathMLPrinter

    value = parse_expression(r"\begin{bmatrix} p_1(1-p_1) & \cdots & -p_1 p_K \\ \vdots & \ddots"
                             r" & \vdots \\ -p_K p_1 & \cdots & p_K(1-p_K) \end{bmatrix}")
    assert text(value) == "[pᵢ·(1 − pᵢ) if i = j, else −pᵢ·p_j]_(i,j=1..K)"
    shown = MathMLPrinter().doprint(value)
    assert " if " in shown and ", else " in shown and "Grid" not in shown


ENTRIES_DEFINED = r"""
[symbols]
MSE = { domain = "real" }
"\\hat{y}_j" = { domain = "real" }
y_j = { domain = "real" }
"\\hat{y}" = { shape = ["n", "1"], entries = "\\hat{y}_1" }
y = { shape = ["n", "1"], entries = "y_1" }

[indices]
i = "m"
j = "n"

[settings]
sizes = { n = 3, m = 2 }

[definitions]
"\\hat{y}_j" = { latex = '\sum_{i=1}^{m} x_{ji} w_i' }
MSE = { latex = '\frac{1}{2n}\sum_{j=1}^{n}\left(\hat{y}_j - y_j\right)^2' }

[[step]]
id = "by_prediction"
latex = '''\frac{\partial MSE}{\partial \hat{y}} = \frac{1}{n}
           \begin{bmatrix} \hat{y}_1 - y_1 \\ \vdots \\ \hat{y}_n - y_n \end{bmatrix}'''

[[step]]
id = "twice"
latex = '''\frac{\partial MSE}{\partial \hat{y}} = \frac{2}{n}
           \begin{bmatrix} \hat{y}_1 - y_1 \\ \vdots \\ \hat{y}_n - y_n \end{bmatrix}'''
"""


def test_a_derivative_by_a_vector_whose_entries_have_a_formula_is_by_the_entries(
        tmp_path: pathlib.Path) -> None:
    # ŷ_j = Σᵢ x_ji w_i is an entry of ŷ: ∂MSE/∂ŷ is taken in the entries, not through x, w
    path = tmp_path / "entries.toml"
    path.write_text(ENTRIES_DEFINED, encoding="utf-8")
    verdicts = {s.claim.id: s.verdict for s in check_document(load(str(path))).steps}
    assert verdicts == {"by_prediction": Verdict.CHECKED, "twice": Verdict.REFUTED}
