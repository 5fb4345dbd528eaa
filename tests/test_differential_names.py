"""Names in matrix-calculus files: e defined by the file beside the exponential e^{…}, d an index
letter beside differentials, and ':' between names the reader knows no shape of."""

from __future__ import annotations

import pathlib

import pytest

from derive.read.proofs import load
from derive.verify.check import check_document

SOFTMAX = r"""
[symbols]
W = { shape = ["d", "K"] }
x = { shape = ["d", "1"] }
u = { shape = ["K", "1"], ones = true }

[indices]
d = "K"

[settings]
sizes = { d = 2, K = 3 }
vary  = ["W"]

[definitions]
z = { latex = 'W^Tx' }
e = { latex = '\exp(z)' }
p = { latex = '\frac{e}{u:e}' }

[[step]]
id = "exponential"
latex = 'q = \frac{e^{w^Tx}}{\sum_d e^{w_d^Tx}}'
define = true

[[step]]
id = "quotient"
latex = 'dp = \frac{de}{u:e}-\frac{e\,(u:de)}{(u:e)^2}'

[[step]]
id = "chain"
latex = 'dp = \frac{e\odot dz}{u:e}-\frac{p\,(u:e\odot dz)}{u:e}'

[[step]]
id = "wrong"
latex = 'dp = \frac{e\odot dz}{u:e}+\frac{p\,(u:e\odot dz)}{u:e}'

[[step]]
id = "inner"
latex = 'dp = p\odot dz -p\,(p:dz)'

[[step]]
id = "outer"
latex = 'dp = \left(\mathrm{diag}(p) - pp^T\right)dz'

[[step]]
id = "colon"
latex = 'a : b = 2ab'
"""


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path = tmp_path_factory.mktemp("differentials") / "softmax.toml"
    path.write_text(SOFTMAX, encoding="utf-8")
    return {step.claim.id: step for step in check_document(load(str(path))).steps}


def test_e_defined_by_the_file_is_that_name_and_e_to_a_power_the_exponential(
        steps: dict[str, object]) -> None:
    step = steps["exponential"]
    assert str(step.verdict) == "definition"  # type: ignore[attr-defined]
    assert "e^{…} read as the exponential (e alone is the name the file defines)" in \
        step.readings  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "verdict"), [
    ("quotient", "checked"), ("chain", "checked"), ("wrong", "refuted")])
def test_differentials_of_defined_names_beside_an_index_letter_d(
        steps: dict[str, object], name: str, verdict: str) -> None:
    # d is the index of Σ_d, and dp, de, dz the differentials of defined names (vary = W)
    assert str(steps[name].verdict) == verdict  # type: ignore[attr-defined]
    assert "d before a name read as the differential (d is also an index letter, never a " \
        "factor)" in steps[name].readings  # type: ignore[attr-defined]


def test_a_colon_between_defined_arrays_is_their_inner_product(
        steps: dict[str, object]) -> None:
    # p and z are defined as K×1 arrays, and a step writes pᵀ: the document means them as
    # arrays, so p : dz = Σ pᵢ dzᵢ (u is the column of ones) and ppᵀ an outer product
    assert str(steps["inner"].verdict) == "checked"  # type: ignore[attr-defined]
    assert str(steps["outer"].verdict) == "checked"  # type: ignore[attr-defined]


def test_a_colon_between_names_of_no_known_shape_is_never_a_refutation(
        steps: dict[str, object]) -> None:
    # a : b read as the product a·b (neither declared nor defined): its counterexample would
    # come from the reading, not from the text, where a and b may be arrays
    step = steps["colon"]
    assert str(step.verdict) == "undecided"  # type: ignore[attr-defined]
    assert "':' read as a product" in step.links[0].message  # type: ignore[attr-defined]


def test_a_frobenius_product_of_unequal_shapes_in_a_definition_is_said(
        tmp_path: pathlib.Path) -> None:
    text = SOFTMAX.replace('u = { shape = ["K", "1"], ones = true }\n', "").replace(
        "[definitions]\n", "[definitions]\nu = { latex = '2' }\n")
    path = tmp_path / "ones.toml"
    path.write_text(text, encoding="utf-8")
    step = {s.claim.id: s for s in check_document(load(str(path))).steps}["inner"]
    assert "internal error" not in " ".join(link.message for link in step.links)
