r"""Notation of posted derivations read in one place each: accented Unicode letters (ŷ), an
inline ∂ of a word (∂BCE/∂a), an upright word an arithmetic sign touches (2 * \text{residual}),
a bracketed remark naming the rule ([\text{chain rule}]), plain TeX's {\partial \over
\partial x} as an operator, dots with '+' on one side; and the verdicts about names the text
declares (two declared variables are independent), defines as a whole (z = softmax(a)) or
defines in a line that cannot be taken in (z(w) = w·x with z a symbol)."""

from __future__ import annotations

import pathlib

import pytest

from derive.core.context import Context
from derive.core.outcomes import Verdict
from derive.read.latex import Relation, parse_lines
from derive.read.proofs import load
from derive.verify.check import check_document

PLAIN = Context()


def read(text: str, where: Context = PLAIN) -> Relation:
    (relation,) = parse_lines(text, where)
    return relation


def verdicts(tmp_path: pathlib.Path, text: str) -> dict[str, tuple[Verdict, str]]:
    path = tmp_path / "claims.toml"
    path.write_text(text, encoding="utf-8")
    report = check_document(load(str(path)))
    assert report.error is None, report.error
    return {step.claim.id: (step.verdict, " ".join(
        [step.message or "", *(link.message or "" for link in step.links)]))
        for step in report.steps}


# ---- the reader -----------------------------------------------------------------------------


@pytest.mark.parametrize(("posted", "latex"), [
    ("ŷ(1 - ŷ) = ŷ - ŷ^2", r"\hat{y}(1 - \hat{y}) = \hat{y} - \hat{y}^2"),
    ("ŷ(1 - ŷ) = ŷ - ŷ^2", r"\hat{y}(1 - \hat{y}) = \hat{y} - \hat{y}^2"),  # y + U+0302
    ("x̄ + 1 = 1 + x̄", r"\bar{x} + 1 = 1 + \bar{x}"),
])
def test_an_accented_unicode_letter_is_its_latex_accent(posted: str, latex: str) -> None:
    assert read(posted).sides == read(latex).sides


def test_a_word_after_a_partial_sign_inline_is_the_name_differentiated(
        tmp_path: pathlib.Path) -> None:
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
y = { domain = "{0,1}" }
"\\hat{y}" = { domain = "(0,1)" }
[[step]]
id = "D"
latex = 'BCE = - [y·log(ŷ) + (1-y)·log(1-ŷ)]'
define = true
[[step]]
id = "A"
latex = '∂BCE/∂ŷ = (ŷ - y) / (ŷ(1-ŷ))'
[[step]]
id = "B"
latex = '∂BCE/∂ŷ = (y - ŷ) / (ŷ(1-ŷ))'
""")
    assert found["A"][0] == Verdict.PROVED, found["A"]
    assert found["B"][0] == Verdict.REFUTED, found["B"]


@pytest.mark.parametrize("text", [
    r"y = 2 * \text{residual}",
    r"y = \text{residual} * 2",
    r"y = -2 \cdot \text{residual}",
])
def test_an_upright_word_an_arithmetic_sign_touches_is_a_name(text: str) -> None:
    relation = read(text)
    assert "residual" in {str(s) for s in relation.sides[1].free_symbols}


def test_an_upright_word_of_prose_stays_prose() -> None:
    relation = read(r"y = x \text{ and } z = x")
    assert "and" not in {str(s) for side in relation.sides for s in side.free_symbols}


@pytest.mark.parametrize("text", [
    r"y = 2x \quad [\text{chain rule}]",
    r"y = 2x \quad (\text{sum rule})",
])
def test_a_bracketed_remark_after_the_equation_is_left_out_and_said(text: str) -> None:
    relation = read(text)
    assert len(relation.sides) == 2
    assert any("rule' after the equation left out" in r for r in relation.readings)


def test_brackets_after_an_equation_that_hold_math_are_math() -> None:
    relation = read(r"y = 2 (x)")
    assert len(relation.sides) == 2 and not any("left out" in r for r in relation.readings)


@pytest.mark.parametrize("text", [
    r"{\partial\over \partial x} x^2 = 2x",
    r"\left( {\partial \over \partial x} x^2 \right) = 2x",
])
def test_a_plain_tex_operator_fraction_applies_to_what_follows_it(text: str) -> None:
    relation = read(text)
    assert str(relation.sides[1]) == "2*x"
    assert relation.sides[0].doit() == relation.sides[1]


def test_a_plain_tex_fraction_that_is_an_argument_keeps_its_braces() -> None:
    relation = read(r"\sqrt{1 \over x} = x^{-1/2}")
    assert relation.sides[0].equals(relation.sides[1]) is not False


@pytest.mark.parametrize("text", [
    r"s = a_1 + a_2 + ... a_n",
    r"s = a_1 + a_2 ... + a_n",
])
def test_dots_with_a_plus_on_one_side_are_read_with_both(text: str) -> None:
    relation = read(text)
    assert any("'+' on both sides" in r for r in relation.readings)


# ---- the checker ----------------------------------------------------------------------------

HEAD = """
[document]
title = "t"
"""


def test_two_declared_variables_are_independent(tmp_path: pathlib.Path) -> None:
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
t_i = { domain = "real" }
w_k = { domain = "real" }
[indices]
i = "n"
j = "d"
k = "d"
[settings]
sizes = { n = 3, d = 2 }
[[step]]
id = "A"
latex = '\frac{\partial}{\partial w_j} t_i = 0'
[[step]]
id = "B"
latex = '\frac{\partial}{\partial w_j} t_i = 1'
""")
    assert found["A"][0] == Verdict.CHECKED
    assert found["B"][0] == Verdict.REFUTED


def test_a_name_a_definition_could_not_take_in_is_not_a_free_variable(
        tmp_path: pathlib.Path) -> None:
    """z(w²) = w·x with z a symbol (z·w², no definition): ∂z/∂w is not 0."""
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
z = { domain = "real" }
w = { domain = "real" }
x = { domain = "real" }
[[step]]
id = "D"
latex = 'z(w^2) = w \cdot x'
define = true
[[step]]
id = "A"
latex = '\frac{\partial z}{\partial w} = 0'
""")
    assert found["A"][0] == Verdict.UNDECIDED, found["A"]


def test_an_entry_of_a_vector_defined_whole_is_undecided_not_undefined(
        tmp_path: pathlib.Path) -> None:
    """z = softmax(a) with a = Wx + b: ∂z₁/∂a₁ and ∂L/∂a₁ for L written in the z_k are not
    taken (the entries are not written out), never 'z₁ is not defined' or 'L does not depend
    on a₁'."""
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
W   = { shape = ["K", "d"] }
x   = { shape = ["d", "1"] }
b   = { shape = ["K", "1"] }
y_k = { domain = "{0,1}" }
[functions]
names = ["softmax"]
[indices]
i = "K"
j = "K"
k = "K"
[settings]
sizes = { K = 3, d = 2 }
[[step]]
id = "D1"
latex = '\textbf{a} = W\textbf{x} + b'
define = true
[[step]]
id = "D2"
latex = '\textbf{z} = \text{softmax}(\textbf{a})'
define = true
[[step]]
id = "D3"
latex = 'L = -\sum_k \log(z_k)y_k'
define = true
[[step]]
id = "S1"
lhs = '\frac{\partial{z_i}}{\partial{a_j}}'
latex = '-z_jz_i'
assume = ['i \neq j']
[[step]]
id = "S2"
lhs = '\frac{\partial{L}}{\partial{a_i}}'
latex = 'z_i - y_i'
""")
    for step in ("S1", "S2"):
        verdict, message = found[step]
        assert verdict == Verdict.UNDECIDED, (step, found[step])
        assert "defined as a whole" in message or "definition of z is not read" in message


def test_the_name_in_words_skips_a_connective(tmp_path: pathlib.Path) -> None:
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
y = { domain = "real" }
a = { domain = "real" }
[[step]]
id = "D"
latex = '\text{and }\;\; \text{residual} & = & y - a'
define = true
[[step]]
id = "A"
latex = '2 * \text{residual} = 2y - 2a'
""")
    assert found["A"][0] == Verdict.PROVED, found["A"]


def test_punctuation_that_ends_a_case_row_is_read_as_punctuation() -> None:
    relation = read(r"f = \begin{cases} 0, & \text{if } x < 0, \\ x, & \text{otherwise}. "
                    r"\end{cases}")
    assert len(relation.sides) == 2
    assert any("',' at the end of a case" in r for r in relation.readings)


def test_a_family_defined_by_a_line_not_taken_in_refutes_nothing(
        tmp_path: pathlib.Path) -> None:
    """Z_j = … whose definition cannot be taken in (its left side read as an entry): a claim
    about Z_j is undecided at its instances (Z₁, Z[1]), never refuted with Z_j free."""
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
x = { domain = "real" }
[[step]]
id = "D"
latex = 'f(x) = \undefinedmacro{x}'
define = true
[[step]]
id = "A"
latex = '\frac{d f}{d x} = 1'
""")
    assert found["A"][0] in (Verdict.UNDECIDED, Verdict.ILL_FORMED), found["A"]
    assert found["A"][0] != Verdict.REFUTED


# ---- whole documents ------------------------------------------------------------------------


def document(tmp_path: pathlib.Path, text: str) -> dict[int, tuple[str, str]]:
    from derive.verify.check import check_files

    post = tmp_path / "post.md"
    post.write_text(text, encoding="utf-8")
    (found,) = check_files([str(post)]).documents
    return {step.claim.line: (str(step.verdict), " ".join(
        [step.message or "", *(link.message or "" for link in step.links)]))
        for step in found.steps}


def test_a_plain_text_post_with_an_aside_and_sentences_inside_a_chain(
        tmp_path: pathlib.Path) -> None:
    """"ŷ = σ(z) (where σ is the sigmoid function)" defines ŷ; a sentence between two lines of
    one chain ("Now, find a common denominator ŷ(1-ŷ):") does not break it."""
    steps = document(tmp_path, "\n".join([
        "BCE = - [y·log(ŷ) + (1-y)·log(1-ŷ)]", "",
        "ŷ = σ(z) (where σ is the sigmoid function)", "",
        "∂ŷ/∂z = ŷ * (1 - ŷ)", "",
        "∂/∂ŷ [ - (y·log(ŷ) + (1-y)·log(1-ŷ)) ]",
        "= - [ y/ŷ - (1-y)/(1-ŷ) ]",
        "Now, find a common denominator ŷ(1-ŷ):",
        "= - [ y(1-ŷ) - (1-y)ŷ ] / [ ŷ(1-ŷ) ]", ""]))
    assert steps[3][0] == "definition"
    assert steps[5][0] == "proved", steps[5]
    assert steps[10][0] == "proved", steps[10]


def test_a_probability_named_by_convention_only_is_not_a_declared_variable(
        tmp_path: pathlib.Path) -> None:
    """ŷ ∈ (0, 1) only as the probability of a BCE, and defined nowhere: ∂ŷ/∂z and ∂BCE/∂a
    are what the text means by ŷ (undecided), not ill-formed."""
    steps = document(tmp_path, "\n".join([
        "$$BCE = -(y\\log(\\hat{y}) + (1-y)\\log(1-\\hat{y}))$$", "",
        "$$z = ax + b$$", "",
        "$$\\frac{\\partial \\hat{y}}{\\partial z} = \\hat{y}(1 - \\hat{y})$$", "",
        "$$\\frac{\\partial BCE}{\\partial a} = (\\hat{y} - y)x$$", ""]))
    assert steps[5][0] == "undecided", steps[5]
    assert steps[7][0] == "undecided", steps[7]


def test_a_primed_index_runs_as_its_letter_and_its_case_bounds_the_claim() -> None:
    """k' read as an index of its own, running as k does, with "If $k \\ne k'$" the
    condition of the display after it: never a free z_q, never refuted at k = k' (a posted
    answer, read whole)."""
    from derive.verify.check import check_files

    post = pathlib.Path(__file__).parent / "corpus" / "posts" / "techqa3587665_ce_sign.md"
    (found,) = check_files([str(post)]).documents
    cased = [step for step in found.steps if "k\\ne k'" in (step.claim.label or "")]
    assert cased, [step.claim.label for step in found.steps]
    links = [link for step in cased for link in step.links]
    assert all(link.verdict != "refuted" for link in links), [link.message for link in links]
    assert any(link.verdict == "conditional" and "k \\neq q" in (link.message or "")
               for link in links)


def test_a_name_defined_as_the_softmax_of_a_vector_gives_its_entries(
        tmp_path: pathlib.Path) -> None:
    """y = softmax(z) defines y_i = e^{z_i}/Σ_j e^{z_j}: the softmax Jacobian's two cases are
    decided from it, a sign slip refuted; softmax(z) whole inside a claim is not decided."""
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
z_k = { domain = "real" }
t_k = { domain = "real" }
[indices]
i = "K"
j = "K"
k = "K"
[settings]
sizes = { K = 3 }
[[step]]
id = "D"
latex = 'y = \mathrm{softmax}(z)'
define = true
[[step]]
id = "A"
latex = '\frac{\partial y_i}{\partial z_i} = y_i(1 - y_i)'
[[step]]
id = "B"
latex = '\frac{\partial y_i}{\partial z_j} = -y_i y_j'
assume = ['i \neq j']
[[step]]
id = "C"
latex = '\frac{\partial y_i}{\partial z_j} = y_i y_j'
assume = ['i \neq j']
[[step]]
id = "W"
latex = 'y - t = \mathrm{softmax}(z) - t'
""")
    assert found["D"][0] == Verdict.DEFINITION
    assert found["A"][0] in (Verdict.CHECKED, Verdict.PROVED), found["A"]
    assert found["B"][0] == Verdict.CONDITIONAL, found["B"]
    assert found["C"][0] == Verdict.REFUTED, found["C"]
    assert found["W"][0] == Verdict.UNDECIDED, found["W"]


@pytest.mark.parametrize(("posted", "latex"), [
    (r"{\cal C} = x^2", r"\mathcal{C} = x^2"),
    (r"y = {\bf x} + 1", r"y = \mathbf{x} + 1"),
    (r"y = x ∗ x", r"y = x * x"),
])
def test_plain_tex_fonts_and_the_asterisk_operator(posted: str, latex: str) -> None:
    assert read(posted).sides == read(latex).sides


def test_a_case_said_in_a_sentence_with_inline_math_bounds_the_display_after_it(
        tmp_path: pathlib.Path) -> None:
    """"When $i=k$, using … $\\frac{∂\\log x}{∂x} = \\frac1x$ and …, we get:" puts the display
    after it under i = k: conditional, never refuted at i ≠ k."""
    steps = document(tmp_path, "\n".join([
        "$$H = -\\sum_{k=1}^{C} Y_k \\log(\\sigma(A_k))$$", "",
        "When $i=k$, using the derivative of the logarithm "
        "$\\frac{\\partial \\log(x)}{\\partial x} = \\frac{1}{x}$ and the chain rule, we get:", "",
        "$$\\frac{\\partial \\log(\\sigma(A_k))}{\\partial A_i} = "
        "\\frac{\\partial \\log(\\sigma(A_i))}{\\partial A_i}$$", ""]))
    assert steps[5][0] == "conditional", steps[5]


def test_a_summation_index_given_a_number_refutes_nothing(tmp_path: pathlib.Path) -> None:
    """loss = −Σ_i^N y^i ln(s^i), then loss = −y^i ln(s^i): i sampled as −1 is no point of
    a claim about an index (the post may mean the one class its label marks)."""
    steps = document(tmp_path, "\n".join([
        "$$loss={-\\sum_i^Ny^i*ln(s^i)}$$", "", "$$loss=-y^i*ln(s^i)$$", ""]))
    verdict, message = steps[3]
    assert verdict == "undecided", steps[3]
    assert "index i" in message


def test_a_declared_symbol_applied_on_the_left_of_a_definition_is_a_function(
        tmp_path: pathlib.Path) -> None:
    """z(w) = w·x with z declared a symbol defines the function z (a definition's left side
    is no product z·w): ∂l/∂z·∂z/∂w is then taken through it, and a slip refuted with a
    real point."""
    found = verdicts(tmp_path, HEAD + r"""
[symbols]
y = { domain = "{-1,1}" }
z = { domain = "real" }
w = { domain = "real" }
x = { domain = "real" }
[[step]]
id = "L"
latex = 'l(z) = \max\{0, 1 - yz\}'
define = true
[[step]]
id = "Z"
latex = 'z(w) = w \cdot x'
define = true
[[step]]
id = "A"
latex = '\frac{\partial z}{\partial w} = x'
[[step]]
id = "B"
latex = '\frac{\partial l}{\partial z}\frac{\partial z}{\partial w} = \max\{0, - yx\}'
""")
    assert found["Z"][0] == Verdict.DEFINITION
    assert found["A"][0] == Verdict.PROVED, found["A"]
    assert found["B"][0] == Verdict.REFUTED, found["B"]
