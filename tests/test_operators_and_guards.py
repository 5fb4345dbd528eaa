"""The derivative operator D(…), a dot for the derivative along a parameter, and refutations
the text may not mean: one name the text relates to another in words, a name written whole
beside its entries."""

from __future__ import annotations

import pathlib

import pytest
import sympy as sp

from derive.core.errors import ParseError
from derive.core.outcomes import Verdict
from derive.read.documents import read_document
from derive.read.latex import parse_expression
from derive.verify.check import check_document


def _steps(tmp_path: pathlib.Path, text: str) -> list[object]:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    return list(check_document(read_document(str(path), text)).steps)


def test_the_derivative_operator() -> None:
    x, w = sp.symbols("x w", real=True)
    assert parse_expression(r"D_w(w^2 x)").doit() == 2 * w * x
    assert parse_expression(r"D\left(\frac1{1+e^{-x}}\right)").doit() == \
        sp.diff(1 / (1 + sp.exp(-x)), x)
    assert parse_expression(r"D(1)") == 0
    with pytest.raises(ParseError, match="write D_x"):
        parse_expression(r"D(x w)")


QUOTIENT = r"""I tried the quotient rule:

$$D\left(\frac1{1+e^{-x}}\right)=\frac{ 1\cdot D(1+e^{-x})-(1+e^{-x})\cdot D(1)}{ (1+e^{-x})^2 }$$

and the numerator is $D(e^{-x})+D(1)= -e^{-x}.$ The rule says

$$D\left(\frac {f(x)}{g(x)}\right)=\frac {f'(x)g(x)-g'(x)f(x)}{(g(x))^2}$$
"""


def test_the_derivative_operator_in_a_post(tmp_path: pathlib.Path) -> None:
    wrong, numerator, rule = _steps(tmp_path, QUOTIENT)
    assert wrong.verdict == Verdict.REFUTED  # type: ignore[attr-defined]
    assert numerator.verdict == Verdict.PROVED  # type: ignore[attr-defined]
    assert rule.verdict == Verdict.PROVED, rule.message  # type: ignore[attr-defined]
    assert any("derivative operator" in r for r in wrong.readings)  # type: ignore[attr-defined]


FOCAL = r"""Define $$FL(p) = -(1-p)^\gamma \log(p)$$ and $$CE(p) = -\log(p)$$. Then

$$\dot{FL}(p) = \dot p \left[\gamma(1-p)^{\gamma -1} \log(p) -\frac{(1-p)^\gamma}{p}\right]$$

$$\dot{CE}(p) = \frac{\dot p}{p}$$
"""


def test_a_dot_is_the_derivative_along_a_parameter(tmp_path: pathlib.Path) -> None:
    _, _, focal, sign = _steps(tmp_path, FOCAL)
    assert focal.verdict in (Verdict.PROVED, Verdict.CHECKED), focal.message  # type: ignore[attr-defined]
    assert sign.verdict == Verdict.REFUTED  # type: ignore[attr-defined]
    assert any("derivative along a parameter" in r for r in focal.readings)  # type: ignore[attr-defined]


FIGURE = r"""The output is $$O_3 = \sigma(z_3)$$ and then

\begin{aligned} \frac{\partial L}{\partial w_6} &= \left(\hat{y}-y\right)O_2 \\
&= \left(O_3-y\right)O_2 \\ &= \left(O_3+y\right)O_2 \end{aligned}
"""


def test_refutations_the_text_may_not_mean(tmp_path: pathlib.Path) -> None:
    steps = _steps(tmp_path, FIGURE)
    by_latex = {step.claim.latex.strip(): step for step in steps}  # type: ignore[attr-defined]
    renamed = by_latex[r"&= \left(O_3-y\right)O_2 \\"]
    assert renamed.verdict == Verdict.UNDECIDED  # type: ignore[attr-defined]
    assert "it holds with ŷ = O₃" in renamed.links[0].message  # type: ignore[attr-defined]
    slip = by_latex[r"&= \left(O_3+y\right)O_2"]
    # O₃ + y for O₃ − y: false whatever ŷ is, and no name for another makes it hold
    assert slip.verdict == Verdict.REFUTED, slip.message  # type: ignore[attr-defined]


def test_one_name_for_another_needs_the_other_known(tmp_path: pathlib.Path) -> None:
    """w for x, both defined: a slip, refuted."""
    steps = _steps(tmp_path, "$$x = 2u$$ and $$w = 3u$$ so $$(a - y)x = (a - y)w$$\n")
    assert steps[-1].verdict == Verdict.REFUTED, steps[-1].message  # type: ignore[attr-defined]


RIDGE = r"""The cost with regularization:

$$J(\theta)=\frac{1}{2m}(X\theta-y)^T(X\theta-y)+\frac{\lambda}{2m}\sum_{j=1}^{n}\theta_j^2$$

Vectorized:

$$J(\theta) = \frac1{2m}(X\theta-y)^T(X\theta-y) + \frac{\lambda}{2m}\theta^T\theta$$
"""


def test_a_name_written_whole_and_by_its_entries(tmp_path: pathlib.Path) -> None:
    _, vectorized = _steps(tmp_path, RIDGE)
    assert vectorized.verdict == Verdict.UNDECIDED  # type: ignore[attr-defined]
    assert "written whole and by its entries" in vectorized.links[0].message  # type: ignore[attr-defined]
