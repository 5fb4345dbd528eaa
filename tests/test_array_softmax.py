"""Softmax of an array (over a vector's entries, over each row of a matrix), names defined as
arrays read with their definitions' shapes, a quantity named in words on a first line, arrays of
ones, and a sum whose body writes entries beside a whole vector."""

from __future__ import annotations

import pathlib

import pytest

from derive.core.errors import ProofFileError
from derive.core.outcomes import Verdict
from derive.read.proofs import load
from derive.verify.check import check_document

SOFTMAX = r'''
[symbols]
z = { shape = ["K", "1"] }
y = { shape = ["K", "1"], entries = "y_1" }
u = { shape = ["K", "1"], ones = true }

[settings]
sizes = { K = 3 }

[definitions]
s = { latex = '\mathrm{softmax}(z)' }
'''

SOFTMAX_STEPS = {
    "jacobian": (r"\frac{\partial \mathrm{softmax}(z)}{\partial z} = \mathrm{diag}(s) - s s^T",
                 Verdict.CHECKED),
    "jacobian_sign": (r"\frac{\partial \mathrm{softmax}(z)}{\partial z} = \mathrm{diag}(s) + "
                      r"s s^T", Verdict.REFUTED),
    # the post's slip: the logits where the activations belong
    "jacobian_logits": (r"\frac{\partial \mathrm{softmax}(z)}{\partial z} = \mathrm{diag}(z) - "
                        r"z z^T", Verdict.REFUTED),
    "column": (r"\mathrm{softmax}\left(\begin{pmatrix}0\\0\end{pmatrix}\right) = "
               r"\begin{pmatrix}1/2\\1/2\end{pmatrix}", Verdict.PROVED),
    "rows": (r"\mathrm{softmax}\left(\begin{pmatrix}0&0\\0&\log 3\end{pmatrix}\right) = "
             r"\begin{pmatrix}1/2&1/2\\1/4&3/4\end{pmatrix}", Verdict.PROVED),
    "columns_instead": (r"\mathrm{softmax}\left(\begin{pmatrix}0&0\\0&\log 3\end{pmatrix}\right)"
                        r" = \begin{pmatrix}1/2&1/4\\1/2&3/4\end{pmatrix}", Verdict.REFUTED),
    "sums_to_one": (r"u^T s = 1", Verdict.CHECKED),
    "ones": (r"u : z = \sum_{k=1}^{K} z_k", Verdict.CHECKED),
    "ones_wrong": (r"u : z = \sum_{k=1}^{K} z_k^2", Verdict.REFUTED),
    # Σᵢ yᵢ log(s): as written (Σᵢ yᵢ)·log(s), a vector; log(sᵢ) is what a post means
    "whole_beside_entries": (r"\frac{\partial}{\partial z}\left(-\sum_{i=1}^{K} y_i \log(s)"
                             r"\right) = s - y", Verdict.UNDECIDED),
}


def _file(tmp_path: pathlib.Path, header: str, steps: dict[str, tuple[str, Verdict]]) -> str:
    body = "".join(f"\n[[step]]\nid = \"{key}\"\nlatex = '{latex}'\n"
                   for key, (latex, _) in steps.items())
    path = tmp_path / "claims.toml"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def softmax_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path = _file(tmp_path_factory.mktemp("softmax"), SOFTMAX, SOFTMAX_STEPS)
    return {step.claim.id: step for step in check_document(load(path)).steps}


@pytest.mark.parametrize("key", list(SOFTMAX_STEPS))
def test_softmax_of_arrays(softmax_report: dict[str, object], key: str) -> None:
    step = softmax_report[key]
    assert step.verdict == SOFTMAX_STEPS[key][1], step.message  # type: ignore[attr-defined]


def test_softmax_reading_is_said(softmax_report: dict[str, object]) -> None:
    step = softmax_report["rows"]
    assert any("row by row" in r for r in step.readings)  # type: ignore[attr-defined]


def test_a_whole_vector_beside_entries_names_the_entry(softmax_report: dict[str, object]) -> None:
    step = softmax_report["whole_beside_entries"]
    assert "s_i may be meant" in step.links[0].message  # type: ignore[attr-defined]


ATTENTION = r'''
[symbols]
x = { shape = ["T", "d"] }
"W^Q" = { shape = ["d", "d_k"] }
"W^K" = { shape = ["d", "d_k"] }
"W^V" = { shape = ["d", "d_v"] }
d_k = { domain = "count" }

[settings]
sizes = { T = 3, d = 2, d_k = 2, d_v = 2 }

[definitions]
Q = { latex = 'x W^Q' }
K = { latex = 'x W^K' }
V = { latex = 'x W^V' }

[[step]]
id = "named"
latex = '\text{Attention(Q, K, V)} = \text{softmax}\left( \frac{QK^T}{\sqrt{d_k}} \right) V'
'''


@pytest.mark.parametrize(("written", "verdict"), [
    (r"x W^Q (W^K)^T x^T", Verdict.CHECKED),
    (r"x W^K (W^Q)^T x^T", Verdict.REFUTED),  # the scores transposed: rows ≠ columns
    (r"x W^Q (W^K)^T x", Verdict.ILL_FORMED),  # the post's missing transpose
])
def test_attention_in_terms_of_the_input(tmp_path: pathlib.Path, written: str,
                                         verdict: Verdict) -> None:
    line = rf"= \text{{softmax}}\left( \frac{{{written}}}{{\sqrt{{d_k}}}} \right) x W^V"
    path = tmp_path / "attention.toml"
    path.write_text(ATTENTION + f"\n[[step]]\nid = \"expanded\"\nlatex = '{line}'\n",
                    encoding="utf-8")
    report = check_document(load(str(path)))
    named, expanded = report.steps
    assert named.verdict == Verdict.DEFINITION, named.message
    assert named.defines == "Attention(Q, K, V)"
    assert expanded.verdict == verdict, expanded.message
    # Q = xW^Q is an array: QKᵀ is a product of arrays (K^T is no number's transpose)
    assert any("Q is T×d_k, the shape of its definition" in a for a in report.assumed)


def test_a_label_beside_a_declared_letter(tmp_path: pathlib.Path) -> None:
    """W^Q declared as a name is that name even where Q is defined too: never W to the
    power Q."""
    path = tmp_path / "attention.toml"
    path.write_text(ATTENTION + "\n[[step]]\nid = \"shape\"\nlatex = '(W^Q)^T W^Q = (W^Q)^T "
                    "W^Q'\n", encoding="utf-8")
    step = check_document(load(str(path))).steps[1]
    assert step.verdict == Verdict.PROVED, step.message


CHAINED = r'''
[symbols]
W = { shape = ["d", "K"] }
x = { shape = ["d", "1"] }
u = { shape = ["K", "1"], ones = true }

[settings]
sizes = { d = 2, K = 3 }
vary  = ["W"]

[definitions]
z = { latex = 'W^Tx' }
e = { latex = '\exp(z)' }
p = { latex = '\frac{e}{u:e}' }

[[step]]
id = "differential"
latex = 'dp = p\odot dz - p\,(p:dz) = \left(\mathrm{diag}(p) - pp^T\right)dz'

[[step]]
id = "differential_sign"
latex = 'dp = \left(\mathrm{diag}(p) + pp^T\right)dz'
'''


def test_definitions_through_other_definitions_are_arrays(tmp_path: pathlib.Path) -> None:
    """e = exp(z) after z = Wᵀx: z is K×1, so e and p are too (the definitions are read
    again with the shapes found), and ppᵀ is an outer product."""
    path = tmp_path / "chained.toml"
    path.write_text(CHAINED, encoding="utf-8")
    report = check_document(load(str(path)))
    said = " ".join(report.assumed)
    for name in ("z", "e", "p"):
        assert f"{name} is K×1, the shape of its definition" in said
    right, wrong = report.steps
    assert right.verdict == Verdict.CHECKED, right.message
    assert wrong.verdict == Verdict.REFUTED, wrong.message


def test_ones_needs_a_shape(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "ones.toml"
    path.write_text("[symbols]\nu = { ones = true }\n\n[[step]]\nid = \"a\"\nlatex = 'u = u'\n",
                    encoding="utf-8")
    with pytest.raises(ProofFileError, match="ones = true needs a shape"):
        load(str(path))
