"""Whole documents that write arrays in bold and give them no shape: each claim is decided at the
shapes its own products, sums and derivatives force (derive.verify.shapes.solving), not only as
a scalar identity."""

# ruff: noqa: E501 - the claims are written as posts write them, one line each

from __future__ import annotations

import pathlib

import pytest

from derive.core.context import Context, SymbolInfo
from derive.core.outcomes import Verdict
from derive.read.documents import read_document
from derive.read.latex import parse_expression
from derive.verify.check import check_document
from derive.verify.shapes import Frame, Lowering
from derive.verify.shapes.solving import solve

CHEAT_SHEET = r"""# Matrix derivatives

$$\frac{\partial}{\partial \textbf{x}} \textbf{x}^{\text{T}} \textbf{A} \textbf{x} = \left(\textbf{A} + \textbf{A}^{\text{T}}\right)\textbf{x}$$

$$\frac{\partial}{\partial \textbf{x}} \textbf{x}^{\text{T}} \textbf{A} \textbf{x} = 2\textbf{A}\textbf{x}$$

$$\frac{\partial}{\partial \textbf{A}} \textbf{x}^{\text{T}} \textbf{A} \textbf{y} = \textbf{x}^{\text{T}} \textbf{y}$$

$$(\textbf{A}\textbf{B})^{\text{T}} = \textbf{A}^{\text{T}}\textbf{B}^{\text{T}}$$

$$(\textbf{A}\textbf{B})^{\text{T}} = \textbf{B}^{\text{T}}\textbf{A}^{\text{T}}$$
"""

LEAST_SQUARES = r"""# The least-squares gradient

$$\frac{\partial}{\partial \textbf{w}} \left(\textbf{y}^{\text{T}} \textbf{y} -2\textbf{y}^{\text{T}} \textbf{X} \textbf{w} + \textbf{w}^{\text{T}} \textbf{X}^{\text{T}} \textbf{X} \textbf{w}\right) = -2 \textbf{X}^{\text{T}} \textbf{y} + 2\textbf{X}^{\text{T}} \textbf{X} \textbf{w}$$

$$\frac{\partial}{\partial \textbf{w}} \left(\textbf{y}^{\text{T}} \textbf{y} -2\textbf{y}^{\text{T}} \textbf{X} \textbf{w} + \textbf{w}^{\text{T}} \textbf{X}^{\text{T}} \textbf{X} \textbf{w}\right) = 2 \textbf{X}^{\text{T}} \textbf{y} + 2\textbf{X}^{\text{T}} \textbf{X} \textbf{w}$$

$$\frac{\partial}{\partial \textbf{w}} \left(\textbf{y}^{\text{T}} \textbf{y} -2\textbf{y}^{\text{T}} \textbf{X} \textbf{w} + \textbf{w}^{\text{T}} \textbf{X}^{\text{T}} \textbf{X} \textbf{w}\right) = -2 \textbf{y}^{\text{T}} \textbf{X} + 2\textbf{X}^{\text{T}} \textbf{X} \textbf{w}$$
"""


def _verdicts(tmp_path: pathlib.Path, text: str) -> list[tuple[Verdict, str]]:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    report = check_document(read_document(str(path), text))
    return [(step.verdict, " ".join(link.message for link in step.links))
            for step in report.steps]


def test_a_cheat_sheet_in_bold_is_checked_at_the_shapes_it_forces(
        tmp_path: pathlib.Path) -> None:
    quadratic, symmetric, bilinear, reversed_order, transposed = _verdicts(tmp_path, CHEAT_SHEET)
    assert quadratic[0] == Verdict.CHECKED
    assert "x n×1" in quadratic[1] and "A n×n" in quadratic[1]
    # 2Ax needs A symmetric: a real counterexample with A square, x a column
    assert symmetric[0] == Verdict.REFUTED
    # ∂(xᵀAy)/∂A is xyᵀ, shaped like A; xᵀy is 1×1: no larger shapes make the sides agree
    assert bilinear[0] == Verdict.ILL_FORMED
    assert reversed_order[0] == Verdict.REFUTED
    assert transposed[0] == Verdict.CHECKED


def test_the_least_squares_gradient_in_bold(tmp_path: pathlib.Path) -> None:
    right, sign, row = _verdicts(tmp_path, LEAST_SQUARES)
    assert right[0] == Verdict.CHECKED
    assert sign[0] == Verdict.REFUTED
    # −2yᵀX is a row added to a column
    assert row[0] == Verdict.ILL_FORMED


@pytest.mark.parametrize(("latex", "gradients", "expected"), [
    # the inner sizes of a product are equal; a lower-case name is a column
    (r"X^T(Xw - y)", True, {"X": ("n", "d"), "w": ("d", "1"), "y": ("n", "1")}),
    # a derivative by an array of a formula is the gradient of a scalar: x a column
    (r"\frac{\partial}{\partial X} X^T A X", True, {"A": ("n", "n"), "X": ("n", "1")}),
])
def test_sizes_are_solved_from_products_and_derivatives(
        latex: str, gradients: bool, expected: dict[str, tuple[str, str]]) -> None:
    names = sorted(expected)
    context = Context(symbols={name: SymbolInfo(name, shape=(f"rows_{name}", f"cols_{name}"))
                               for name in names})
    frame = Frame(context, {})
    lowering = Lowering({}, {}, frozenset())
    node = lowering.lower(parse_expression(latex, context))
    solved = solve(node, node, frame, names, gradients=gradients)
    assert solved.shapes == expected
