"""Matrices written out in a matrix claim: entry by entry (``\\begin{pmatrix}…``) and as a column
with ``\\vdots`` between its first rows and its last (a pattern in one subscript)."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.read.latex import Stacked, parse_expression
from derive.verify.check import check_files

HEADER = r'''
[symbols]
"\\hat{y}" = { shape = ["n", "1"], entries = "\\hat{y}_1" }
y = { shape = ["n", "1"], entries = "y_1" }
T = { shape = ["1", "2"], entries = "T_1" }

[indices]
j = "n"

[settings]
sizes = { n = 3 }

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
    "fixed_size": (r"T + \begin{pmatrix} 1 & 1 \end{pmatrix} = \begin{pmatrix} T_1 + 1 & T_2 + 1"
                   r" \end{pmatrix}", "proved"),
    "fixed_size_wrong": (r"T + \begin{pmatrix} 1 & 1 \end{pmatrix} = \begin{pmatrix} T_1 + 1 & "
                         r"T_1 + 1 \end{pmatrix}", "refuted"),
    "entry_not_scalar": (r"\begin{pmatrix} T & 1 \end{pmatrix} = T", "unreadable"),
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


def test_a_refuted_column_names_the_entry_and_the_point(verdicts: dict[str, object]) -> None:
    link = verdicts["column_sign"].links[0]  # type: ignore[attr-defined]
    assert "entry (0, 0) differs at n = 3" in link.message
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
    r"\begin{bmatrix} a_2 \\ \vdots \\ a_n \end{bmatrix}",              # not from entry 1
])
def test_a_column_with_vdots_that_is_no_pattern_is_refused(latex: str) -> None:
    from derive.core.errors import ParseError

    with pytest.raises(ParseError):
        parse_expression(latex)

