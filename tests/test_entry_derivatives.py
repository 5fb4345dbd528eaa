"""Derivatives by one entry of a vector the file declares (ŷ ∈ ℝ^{n×1}, written ŷ_1, ŷ_j):
by ŷ_1 the derivative is by that entry of the array (it was once taken as 0), by ŷ_i with i
free it is checked for every value of i, and never decided vacuously when the letter is no
declared index."""

from __future__ import annotations

import pathlib

import pytest

from derive.verify.check import check_files

HEAD = """\
[symbols]
"\\\\hat{y}" = { shape = ["n", "1"], entries = "\\\\hat{y}_1" }
y = { shape = ["n", "1"], entries = "y_1" }
w = { shape = ["m", "1"], entries = "w_1" }
X = { shape = ["n", "m"] }
"""
INDICES = """
[indices]
i = "n"
j = "n"
"""
SETTINGS = """
[settings]
sizes = { n = 3, m = 2 }
"""

SQUARED = r"\sum_{j=1}^{n}(\hat{y}_j - y_j)^2"


def verdict(tmp_path: pathlib.Path, latex: str, indices: bool = True,
            extra: str = "", symbols: str = "", head: str = HEAD) -> tuple[str, str]:
    text = head + symbols + (INDICES if indices else "") + SETTINGS + extra + \
        f"\n[[step]]\nid = \"claim\"\nlatex = '{latex}'\n"
    path = tmp_path / "claim.toml"
    path.write_text(text)
    step = check_files([str(path)], budget=20).documents[0].steps[-1]
    return step.verdict.value, " ".join(link.message for link in step.links)


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\frac{\partial}{\partial \hat{y}_1} (\hat{y}_1 - y_1)^2 = 0", "refuted"),
    (r"\frac{\partial}{\partial \hat{y}_1} (\hat{y}_1 - y_1)^2 = 2(\hat{y}_1 - y_1)", "checked"),
    (r"\frac{\partial}{\partial \hat{y}_1} " + SQUARED + " = 0", "refuted"),
    (r"\frac{\partial}{\partial \hat{y}_1} " + SQUARED + r" = 2(\hat{y}_1 - y_1)", "checked"),
    (r"\frac{\partial}{\partial \hat{y}_i} " + SQUARED + " = 0", "refuted"),
    (r"\frac{\partial}{\partial \hat{y}_i} " + SQUARED + r" = 2(\hat{y}_i - y_i)", "checked"),
    (r"\frac{\partial}{\partial \hat{y}_i} (\hat{y}_2 - y_2)^2 = 0", "refuted"),
])
def test_a_derivative_by_an_entry(tmp_path: pathlib.Path, latex: str, expected: str) -> None:
    assert verdict(tmp_path, latex)[0] == expected


@pytest.mark.parametrize("latex", [
    r"\frac{\partial}{\partial \hat{y}_i} " + SQUARED + " = 0",
    r"\frac{\partial}{\partial \hat{y}_i} " + SQUARED + r" = 2(\hat{y}_i - y_i)",
])
def test_a_free_letter_that_is_no_declared_index_is_undecided(tmp_path: pathlib.Path,
                                                              latex: str) -> None:
    found, message = verdict(tmp_path, latex, indices=False)
    assert found == "undecided"
    assert "declare i in [indices]" in message


SCALAR_FAMILIES = 'x_jk = { domain = "real" }\nw_k = { domain = "real" }\n'


def test_a_name_indexed_by_a_letter_inside_a_definition_is_not_a_constant(
        tmp_path: pathlib.Path) -> None:
    """ŷ_j = Σ_k x_{jk} w_k: ∂L/∂w_1 is not 0, nor is ∂L/∂w_i
    (i free): w_i is not a name apart from the w_k of the sum."""
    definitions = ("\n[definitions]\n\"\\\\hat{y}_j\" = { latex = '\\sum_{k=1}^{m} x_{jk} w_k' }\n"
                   "L = { latex = '" + SQUARED + "' }\n")
    for latex, expected in [
            (r"\frac{\partial L}{\partial w_1} = 0", {"refuted"}),
            (r"\frac{\partial L}{\partial w_i} = 0", {"refuted"}),
            (r"\frac{\partial L}{\partial w_1} = \sum_{j=1}^{n} 2(\hat{y}_j - y_j) x_{j1}",
             {"checked", "proved"})]:
        found = verdict(tmp_path, latex, extra=definitions, symbols=SCALAR_FAMILIES,
                        head=HEAD.replace('w = { shape = ["m", "1"], entries = "w_1" }\n', ""))
        assert found[0] in expected, (latex, found)


def test_a_definition_not_read_as_arrays_leaves_the_claim_undecided(
        tmp_path: pathlib.Path) -> None:
    """A definition the array reading cannot lower is never dropped: without it the name
    would be a constant and its derivative 0."""
    definitions = ("\n[definitions]\n\"\\\\hat{y}_j\" = { latex = '\\sum_{k=1}^{m} x_{jk} w_k' }\n"
                   "L = { latex = '" + SQUARED + "' }\n")
    found, message = verdict(tmp_path, r"\frac{\partial L}{\partial w_1} = 0", extra=definitions)
    assert found == "undecided"
    assert "definition of ŷ_j" in message


GIVEN_WITH_AN_INDEX = """\
[symbols]
y_i = { domain = "real" }
t_i = { domain = "real" }

[indices]
i = "n"
j = "n"

[definitions]
g = { latex = 'y_i - t_i' }

[[step]]
id = "claim"
latex = '{claim}'
"""


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\frac{\partial g}{\partial y_i} = 1", "checked"),
    (r"\frac{\partial g}{\partial y_i} = 2", "refuted"),
    (r"\frac{\partial g^2}{\partial y_i} = 2(y_i - t_i)", "checked"),
    (r"\frac{\partial g}{\partial y_j} = 1", "ill-formed"),
])
def test_a_definition_written_with_the_claims_index(tmp_path: pathlib.Path, latex: str,
                                                    expected: str) -> None:
    """g = y_i − t_i, no index on g: in a claim about every i, g takes the claim's i."""
    path = tmp_path / "claim.toml"
    path.write_text(GIVEN_WITH_AN_INDEX.replace("{claim}", latex))
    step = check_files([str(path)], budget=20).documents[0].steps[-1]
    assert step.verdict.value == expected, [link.message for link in step.links]


def test_a_second_derivative_by_two_entries_of_a_vector(tmp_path: pathlib.Path) -> None:
    """∂²f/∂x₁∂x₂ with x a declared vector: one derivative after the other, entry by entry."""
    post = tmp_path / "hessian.toml"
    head = ("[symbols]\nx = { shape = [\"n\", \"1\"], entries = \"x_1\" }\n[settings]\n"
            "sizes = { n = 3 }\n[definitions]\nf = { latex = '\\log \\sum_{k=1}^{n} e^{x_k}' }\n")
    hessian = "\\frac{e^{x_1} e^{x_2}}{(\\sum_{k=1}^n e^{x_k})^2}"
    post.write_text(head + "".join(
        f"[[step]]\nid = \"{k}\"\nlatex = '\\frac{{\\partial^2 f}}{{\\partial x_1 \\partial x_2}}"
        f" = {sign}{hessian}'\n" for k, sign in enumerate(("-", ""))))
    steps = check_files([str(post)]).documents[0].steps
    assert [str(s.verdict) for s in steps] == ["checked", "refuted"]
