"""Names as posts write them, and what a file declares about arrays: a two-letter name a
definition step gives (``{Co} = …``), names nothing defines held fixed by a derivative, a
function a ``[definitions]`` key defines (``\\mathcal{C}(\\beta)``) and one a document applies,
``s\\left(x\\right)\\ = …`` with LaTeX spacing, ``symmetric = true``, and a gradient that holds
only in the layout the file does not declare."""

from __future__ import annotations

import pathlib

import pytest

from derive.core.errors import ProofFileError
from derive.core.outcomes import Verdict
from derive.read.documents import read_document
from derive.read.proofs import load
from derive.verify.check import check_document


def _report(tmp_path: pathlib.Path, text: str, name: str = "claims.toml") -> dict[str, object]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = load(str(path)) if name.endswith(".toml") else read_document(str(path), text)
    return {step.claim.id: step for step in check_document(document).steps}


CHAIN = r"""
[symbols]
y = { domain = "real" }
w = { domain = "real" }
a = { domain = "real" }

[[step]]
id = "cost"
latex = '{Co} = (\sigma(w a) - y)^2'
define = true

[[step]]
id = "right"
latex = '\frac{\partial Co}{\partial w} = 2 a \sigma(w a)(1 - \sigma(w a))(\sigma(w a) - y)'

[[step]]
id = "factor_dropped"
latex = '\frac{\partial Co}{\partial w} = a \sigma(w a)(1 - \sigma(w a))'
"""


def test_a_two_letter_name_a_definition_step_gives_is_one_name(tmp_path: pathlib.Path) -> None:
    steps = _report(tmp_path, CHAIN)
    assert steps["cost"].verdict == Verdict.DEFINITION  # type: ignore[attr-defined]
    assert steps["cost"].defines == "Co"  # type: ignore[attr-defined]
    assert steps["right"].verdict == Verdict.PROVED  # type: ignore[attr-defined]
    assert steps["factor_dropped"].verdict == Verdict.REFUTED  # type: ignore[attr-defined]


def test_names_nothing_defines_are_not_constants_of_a_derivative(tmp_path: pathlib.Path) -> None:
    """∂(C·o)/∂w with C and o declared and defined nowhere is 0 only because nothing says how
    they depend on w: ill-formed, never refuted by that 0."""
    text = CHAIN.replace("define = true\n", "kind = \"notation\"\n")
    steps = _report(tmp_path, text)
    step = steps["right"]
    assert step.verdict == Verdict.ILL_FORMED, step.message  # type: ignore[attr-defined]
    assert "declared and defined nowhere" in step.links[0].message  # type: ignore[attr-defined]


def test_a_declared_constant_still_differentiates_to_zero(tmp_path: pathlib.Path) -> None:
    text = CHAIN.replace('a = { domain = "real" }', 'a = { domain = "real" }\nc = {}') + \
        "\n[[step]]\nid = \"constant\"\nlatex = '\\frac{\\partial (c y)}{\\partial w} = 0'\n"
    steps = _report(tmp_path, text)
    assert steps["constant"].verdict == Verdict.PROVED  # type: ignore[attr-defined]


LOGISTIC = r"""
[symbols]
X = { shape = ["n", "p"] }
y = { shape = ["n", "1"], domain = "{0,1}" }
beta = { shape = ["p", "1"] }

[settings]
sizes = { n = 3, p = 2 }
layout = "denominator"

[definitions]
p = { latex = '\sigma(X\beta)' }
W = { latex = '\operatorname{Diag}(p \odot (1 - p))' }
"\\mathcal{C}(\\beta)" = { latex = '-y^T \log(p) - (1 - y)^T \log(1 - p)' }

[[step]]
id = "gradient"
latex = '\frac{\partial \mathcal{C}(\beta)}{\partial \beta} = -X^T(y - p)'

[[step]]
id = "gradient_sign"
latex = '\frac{\partial \mathcal{C}(\beta)}{\partial \beta} = X^T(y - p)'

[[step]]
id = "hessian"
latex = '\frac{\partial^2 \mathcal{C}(\beta)}{\partial \beta \partial \beta^T} = X^T W X'
"""


@pytest.mark.parametrize(("step", "verdict"), [
    ("gradient", Verdict.CHECKED), ("gradient_sign", Verdict.REFUTED),
    ("hessian", Verdict.CHECKED)])
def test_a_function_of_an_array_a_definition_key_gives(tmp_path: pathlib.Path, step: str,
                                                      verdict: Verdict) -> None:
    """"\\mathcal{C}(\\beta)" = … makes 𝒞(β) a call in the steps (never C·β), written in as its
    formula at the argument; p, written in it beside a transpose, is the n×1 array it is; and
    diag(p ⊙ (1 − p)) of the defined p is read once the definitions are written in."""
    found = _report(tmp_path, LOGISTIC)[step]
    assert found.verdict == verdict, found.message  # type: ignore[attr-defined]


POST = r"""The output of the network, with $s(x)$ the sigmoid:

$$s\left(x\right)\ =\ \frac{1}{1+e^{-x}}$$

$$O = s\left(w_2 s\left(w_1 I\right)\right)$$

$$d\left(x\right) = s\left(x\right)\left(1-s\left(x\right)\right)$$

$$\frac{\partial O}{\partial w_1} = d(w_2 s(w_1 I)) w_2 d(w_1 I) I$$

The cost as a function of the parameters:

$$\frac{\partial \mathcal{C}(\beta)}{\partial \beta} = 2\beta$$
"""


def test_functions_a_document_applies(tmp_path: pathlib.Path) -> None:
    """s\\left(x\\right)\\ = … defines the function s (LaTeX's spacing before '=' is no part
    of the left side), and 𝒞(β), a calligraphic letter applied, is a function, never C·β:
    with nothing defining it, its derivative is never refuted."""
    steps = list(_report(tmp_path, POST, "post.md").values())
    definition, _, _, chain, cost = steps
    assert definition.verdict == Verdict.DEFINITION  # type: ignore[attr-defined]
    assert definition.defines == "s"  # type: ignore[attr-defined]
    assert chain.verdict == Verdict.PROVED, chain.message  # type: ignore[attr-defined]
    assert cost.verdict not in (Verdict.REFUTED, Verdict.PROVED, Verdict.CHECKED)  # type: ignore[attr-defined]


QUADRATIC = r"""
[symbols]
u = { shape = ["q", "1"] }
v = { shape = ["q", "1"] }
w = { shape = ["q", "1"] }
t = { shape = ["n", "1"] }
X = { shape = ["n", "q"] }
A = { shape = ["q", "q"], symmetric = true }

[settings]
sizes = { n = 3, q = 2 }
layout = "denominator"

[[step]]
id = "expansion"
latex = '(u+v)^TA(u+v) - u^TAu = 2u^TAv + v^TAv'

[[step]]
id = "row_gradient"
latex = '\frac{\partial (w^TX^Tt)}{\partial w} = t^TX'

[[step]]
id = "column_gradient"
latex = '\frac{\partial (w^TX^Tt)}{\partial w} = X^Tt'
"""


@pytest.mark.parametrize(("step", "verdict"), [
    ("expansion", Verdict.CHECKED),  # uᵀAv = vᵀAu only because A = Aᵀ
    ("row_gradient", Verdict.ILL_FORMED),  # a row, where the declared layout has a column
    ("column_gradient", Verdict.CHECKED)])
def test_symmetric_matrices_and_the_declared_layout(tmp_path: pathlib.Path, step: str,
                                                    verdict: Verdict) -> None:
    found = _report(tmp_path, QUADRATIC)[step]
    assert found.verdict == verdict, found.message  # type: ignore[attr-defined]


def test_a_general_matrix_refutes_the_symmetric_expansion(tmp_path: pathlib.Path) -> None:
    found = _report(tmp_path, QUADRATIC.replace(", symmetric = true", ""))["expansion"]
    assert found.verdict == Verdict.REFUTED, found.message  # type: ignore[attr-defined]


def test_the_layout_left_open_keeps_the_row_gradient_conditional(tmp_path: pathlib.Path) -> None:
    found = _report(tmp_path, QUADRATIC.replace('layout = "denominator"\n', ""))["row_gradient"]
    assert found.verdict == Verdict.CONDITIONAL, found.message  # type: ignore[attr-defined]


def test_symmetric_needs_a_square_shape(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[symbols]\nA = { shape = ["n", "q"], symmetric = true }\n\n[[step]]\n'
                    "id = \"a\"\nlatex = 'A = A'\n", encoding="utf-8")
    with pytest.raises(ProofFileError, match="symmetric = true needs a square shape"):
        load(str(path))
