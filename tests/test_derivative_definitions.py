"""A name defined by a derivative (g = ∂ℓ/∂β) differentiated again: the chain rule over the
definitions holds each defined name fixed, which would make ∂g/∂β 0; such a name is
differentiated written out in full. A regression test: the Hessian below was refuted."""

from __future__ import annotations

import pathlib

import pytest

from derive.verify.check import check_files

FILE = """\
[symbols]
X = { shape = ["n", "k"] }
"\\\\beta" = { shape = ["k", "1"] }
P = { shape = ["n", "n"] }

[settings]
sizes = { n = 3, k = 2 }

[definitions]
ell = { latex = '-\\mathbf{1}^T \\log(1 + e^{X\\beta})' }
P = { latex = '\\mathrm{diag}(\\sigma(X\\beta))' }
g = { latex = '\\frac{\\partial \\ell}{\\partial \\beta}' }

[[step]]
id = "claim"
latex = '{claim}'
"""


@pytest.mark.parametrize(("claim", "expected"), [
    (r"\frac{\partial g}{\partial \beta} = -X^T(P - P^2)X", {"checked", "proved"}),
    (r"\frac{\partial g}{\partial \beta} = X^T(P - P^2)X", {"refuted"}),
    (r"\frac{\partial g}{\partial \beta} = 0", {"refuted", "ill-formed"}),
])
def test_the_derivative_of_a_derivative(tmp_path: pathlib.Path, claim: str,
                                        expected: set[str]) -> None:
    path = tmp_path / "hessian.toml"
    path.write_text(FILE.replace("{claim}", claim))
    step = check_files([str(path)], budget=30).documents[0].steps[-1]
    assert step.verdict.value in expected, [link.message for link in step.links]
