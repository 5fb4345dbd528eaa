"""Names a chain passes through that the formulas do not write as such: an example index
written as a layer inside a sum over it (Y_j^{(i)}), a name whose formula another writes
(g = y_i − ŷ_i inside l), and a name differentiated by a variable its formula lacks."""

# ruff: noqa: E501 - the claims are written as posts write them, one line each

from __future__ import annotations

import pathlib

from derive.core.outcomes import Verdict
from derive.read.proofs import load
from derive.verify.check import check_document

ROWS = r"""
[symbols]
Y = { shape = ["n", "c"] }

[indices]
i = "n"
j = "c"
k = "c"

[settings]
sizes = { n = 2, c = 3 }

[definitions]
"\\hat{Y}_j^{(i)}" = { latex = '\frac{e^{X_j^{(i)}}}{\sum_{k=1}^{c} e^{X_k^{(i)}}}' }
E = { latex = '-\sum_{i=1}^{n}\sum_{j=1}^{c} Y_j^{(i)} \log \hat{Y}_j^{(i)}' }

[[step]]
id = "by_output"
latex = '\frac{\partial E}{\partial \hat{Y}_j^{(i)}} = -\frac{Y_j^{(i)}}{\hat{Y}_j^{(i)}}'

[[step]]
id = "by_output_swapped"
latex = '\frac{\partial E}{\partial \hat{Y}_j^{(i)}} = -\frac{Y_i^{(j)}}{\hat{Y}_j^{(i)}}'

[[step]]
id = "chain"
latex = '\frac{\partial E}{\partial X_j^{(i)}}= \sum_{k=1}^c \frac{\partial E}{\partial \hat{Y}_k^{(i)}}\frac{\partial \hat{Y}_k^{(i)}}{\partial X_j^{(i)}}'

[[step]]
id = "chain_wrong"
latex = '\frac{\partial E}{\partial X_j^{(i)}}= \sum_{k=1}^c \frac{\partial E}{\partial \hat{Y}_k^{(i)}}\frac{\partial \hat{Y}_k^{(i)}}{\partial X_k^{(i)}}'
"""

SQUARES = r"""
[indices]
i = "n"

[settings]
sizes = { n = 3 }

[definitions]
l = { latex = '\frac{1}{n}\sum_{i=1}^{n} (y_i-\hat{y}_i)^2' }
g = { latex = 'y_i-\hat{y}_i' }
h = { latex = 'y_i+\hat{y}_i' }
q = { latex = 'y_i' }

[[step]]
id = "through_g"
latex = '\frac{\partial l}{\partial y_i}=\frac{\partial l}{\partial g}\frac{\partial g}{\partial y_i}=\frac{2}{n}(y_i-\hat{y}_i)'

[[step]]
id = "through_g_halved"
latex = '\frac{\partial l}{\partial y_i}=\frac{\partial l}{\partial g}\frac{\partial g}{\partial y_i}=\frac{1}{n}(y_i-\hat{y}_i)'

[[step]]
id = "formula_by_g"
latex = '\frac{\partial}{\partial g}(y_i+\hat{y}_i)^2 = 0'

[[step]]
id = "through_h"
latex = '\frac{\partial l}{\partial y_i}=\frac{\partial l}{\partial h}\frac{\partial h}{\partial y_i}'
"""

CHAIN = r"""
[symbols]
theta = { domain = "real" }

[definitions]
z = { latex = '\theta_0 + \theta_1 x_1 + \theta_2 x_2' }
w = { latex = 'x_1 + \theta' }

[[step]]
id = "chain"
latex = '\frac{\partial}{\partial\theta} \sigma(z) = \sigma(z) (1 - \sigma(z)) \frac{\partial}{\partial\theta}z'

[[step]]
id = "chain_sign"
latex = '\frac{\partial}{\partial\theta} \sigma(z) = \sigma(z) (1 + \sigma(z)) \frac{\partial}{\partial\theta}z'

[[step]]
id = "squared"
latex = '\frac{\partial}{\partial\theta} z^2 = 2 z \frac{\partial z}{\partial\theta} \frac{\partial z}{\partial\theta}'

[[step]]
id = "other_name"
latex = '\frac{\partial}{\partial\theta} (z w) = w \frac{\partial z}{\partial\theta}'
"""


def _steps(tmp_path: pathlib.Path, text: str) -> dict[str, Verdict]:
    path = tmp_path / "file.toml"
    path.write_text(text, encoding="utf-8")
    return {step.claim.id: step.verdict for step in check_document(load(str(path))).steps}


def test_an_example_index_written_as_a_layer_is_an_entry_a_sum_runs_over(
        tmp_path: pathlib.Path) -> None:
    verdicts = _steps(tmp_path, ROWS)
    assert verdicts["by_output"] == Verdict.CHECKED
    assert verdicts["by_output_swapped"] == Verdict.REFUTED
    assert verdicts["chain"] == Verdict.CHECKED
    assert verdicts["chain_wrong"] == Verdict.REFUTED


def test_a_name_whose_formula_the_differentiated_one_writes_is_an_intermediate(
        tmp_path: pathlib.Path) -> None:
    verdicts = _steps(tmp_path, SQUARES)
    assert verdicts["through_g"] == Verdict.CHECKED
    assert verdicts["through_g_halved"] == Verdict.REFUTED
    # l writes y_i − ŷ_i, not y_i + ŷ_i: l is no function of h, whatever the chain says
    assert verdicts["through_h"] == Verdict.ILL_FORMED
    # a formula without g nor g's formula, by g: not 0 (g is a name for y_i − ŷ_i)
    assert verdicts["formula_by_g"] == Verdict.ILL_FORMED


def test_the_chain_rule_through_a_name_holds_for_every_function_it_could_be(
        tmp_path: pathlib.Path) -> None:
    verdicts = _steps(tmp_path, CHAIN)
    assert verdicts["chain"] == Verdict.PROVED
    assert verdicts["chain_sign"] != Verdict.PROVED
    # a product of derivatives is not read for every function: θ may be a vector
    assert verdicts["squared"] != Verdict.PROVED
    # w is defined in θ: reading it as a constant would prove a false claim
    assert verdicts["other_name"] != Verdict.PROVED


SQUARES_POSTED = r"""# The mean square error

The loss is defined as \(l = \frac{1}{n}\sum (y_i-\hat{y}^i)^2\). Let \(g(y_i)=y_i-\hat{y_i}\).

\[\frac{\partial l}{\partial y_i}=\frac{\partial l}{\partial g}\frac{\partial g}{\partial y_i}=\frac{2}{n}(y_i-\hat{y_i})\]

\[\frac{\partial l}{\partial y_i}=\frac{\partial l}{\partial g}\frac{\partial g}{\partial y_i}=\frac{1}{n}(y_i-\hat{y_i})\]
"""


def test_a_posted_chain_through_a_name_defined_in_the_words(tmp_path: pathlib.Path) -> None:
    from derive.read.documents import read_document

    path = tmp_path / "post.md"
    path.write_text(SQUARES_POSTED, encoding="utf-8")
    document = read_document(str(path), SQUARES_POSTED)
    # \hat{y}^i beside \hat{y_i}: one name; l = … inline after "defined as" is a definition
    assert any("both as a superscript and as a subscript" in a for a in document.assumed)
    report = check_document(document)
    verdicts = [step.verdict for step in report.steps if step.links]
    assert verdicts == [Verdict.CHECKED, Verdict.REFUTED]


def test_a_derivative_by_a_defined_name_its_formula_does_not_write_is_not_zero(
        tmp_path: pathlib.Path) -> None:
    text = SQUARES.replace('l = { latex = \'\\frac{1}{n}\\sum_{i=1}^{n} (y_i-\\hat{y}_i)^2\' }',
                           'l = { latex = \'\\frac{1}{n}\\sum_{i=1}^{n} (y_i+\\hat{y}_i)^2\' }')
    assert text != SQUARES
    verdicts = _steps(tmp_path, text)
    # l writes y_i + ŷ_i, not g's formula: ∂l/∂g is not 0, the chain is ill-formed
    assert verdicts["through_g"] == Verdict.ILL_FORMED


BARE_FUNCTION = r"""
[symbols]
x = { domain = "real" }
t = { domain = "real" }

[functions]
names = ["Tanh"]

[definitions]
"Tanh(x)" = { latex = '\tanh(x)' }

[[step]]
id = "derivative"
latex = '{\delta Tanh \over \delta x} = 1 - Tanh^2(x)'

[[step]]
id = "sign"
latex = '{\delta Tanh \over \delta x} = 1 + Tanh^2(x)'

[[step]]
id = "other_variable"
latex = '\frac{d Tanh}{d t} = 1 - Tanh^2(t)'
"""


def test_a_defined_function_written_without_its_argument_is_at_its_own_argument(
        tmp_path: pathlib.Path) -> None:
    verdicts = _steps(tmp_path, BARE_FUNCTION)
    assert verdicts["derivative"] == Verdict.PROVED
    assert verdicts["sign"] == Verdict.REFUTED
    # by a variable other than the one its definition names: not read so
    assert verdicts["other_variable"] == Verdict.ILL_FORMED


def test_a_function_declared_arbitrary_is_never_defined_by_a_line(
        tmp_path: pathlib.Path) -> None:
    verdicts = _steps(tmp_path, "[functions]\nnames = [\"f\"]\narbitrary = [\"f\"]\n\n"
                                "[[step]]\nid = \"square\"\nlatex = 'f(x) = x^2'\n")
    # a claim about every function f: false, not f's definition
    assert verdicts["square"] == Verdict.REFUTED
