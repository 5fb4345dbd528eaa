"""Whole documents: a Markdown or LaTeX post read as posted and checked with no proof file
(derive.read.documents, through derive.read.proofs.load)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from derive.core.domains import parse_domain
from derive.core.errors import ProofFileError
from derive.read.documents import displays, is_document, lines_of, looks_like_proof_file
from derive.read.proofs import Claim, ProofDocument, load
from derive.verify.check import DocumentReport, check_document


def read(tmp_path: pathlib.Path, text: str, name: str = "post.md") -> ProofDocument:
    path = tmp_path / name
    path.write_text(text)
    return load(str(path))


def checked(tmp_path: pathlib.Path, text: str, name: str = "post.md") -> DocumentReport:
    return check_document(read(tmp_path, text, name), budget=10.0)


def latex_of(document: ProofDocument) -> list[str]:
    return [claim.latex for claim in document.claims]


def at(text: str, claim: Claim) -> str:
    """The document's text from a claim's line and column on."""
    return text.splitlines()[claim.line - 1][claim.column - 1:]


def verdicts(report: DocumentReport) -> dict[str, str]:
    return {step.claim.latex: str(step.verdict) for step in report.steps}


# ---- extraction ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "kind"), [
    ("$$a = b$$", "$$"),
    ("\\[a = b\\]", "\\["),
    ("\\begin{equation}a = b\\end{equation}", "equation"),
    ("\\begin{equation*}a = b\\end{equation*}", "equation*"),
    ("\\begin{align}a &= b\\end{align}", "align"),
    ("\\begin{align*}a &= b\\end{align*}", "align*"),
    ("\\begin{gather}a = b\\end{gather}", "gather"),
    ("\\begin{eqnarray}a &=& b\\end{eqnarray}", "eqnarray"),
    ("\\begin{aligned}a &= b\\end{aligned}", "aligned"),
    ("$a = b$", "$"),
    ("\\(a = b\\)", "\\("),
])
def test_each_kind_of_display_is_found(written: str, kind: str) -> None:
    text = f"Some prose.\n\nThen {written} and more prose.\n"
    (display,) = displays(text)
    assert display.kind == kind
    (line,) = lines_of(text, display)
    assert line.latex.replace("&", "").split() == ["a", "=", "b"]
    assert display.inline == (kind in ("$", "\\("))


def test_displays_come_in_order_with_their_positions(tmp_path: pathlib.Path) -> None:
    text = ("# A post\n\nFirst $$x = 1 + 0$$ then\n\\[\n  y = 2 \\cdot 1\n\\]\n"
            "\\begin{align}\n  u &= 3 \\\\\n  &= 2 + 1\n\\end{align}\n")
    document = read(tmp_path, text)
    assert [c.latex.strip() for c in document.claims] == [
        "x = 1 + 0", "y = 2 \\cdot 1", "u &= 3 \\\\", "&= 2 + 1"]
    for claim in document.claims:
        assert at(text, claim).startswith(claim.latex.splitlines()[0])
    assert [(c.line, c.column) for c in document.claims] == [(3, 9), (5, 3), (8, 3), (9, 3)]
    assert [c.id for c in document.claims] == ["L3", "L5", "L8", "L9"]


def test_a_second_step_on_a_line_gets_a_letter(tmp_path: pathlib.Path) -> None:
    document = read(tmp_path, "$$a = 1$$ and $$b = 2$$ and $$c = 3$$\n")
    assert [c.id for c in document.claims] == ["L1", "L1b", "L1c"]


def test_inline_math_counts_only_where_it_is_an_equation(tmp_path: pathlib.Path) -> None:
    text = ("Let $x$ be real and $\\sum_{i=1}^n x_i$ a sum; then $x^2 + x^2 = 2x^2$, "
            "and \\(x + x = 2x\\). If $i = k$ and for $j = 0$ nothing changes.\n")
    assert latex_of(read(tmp_path, text)) == ["x^2 + x^2 = 2x^2", "x + x = 2x"]


def test_code_and_escaped_dollars_are_not_math(tmp_path: pathlib.Path) -> None:
    text = (
        "Prices: \\$5 and \\$10, and `$a = b$` in code.\n\n"
        "```python\nloss = 1  # $$c = d$$\n```\n\n"
        "~~~\n$$e = f$$\n~~~\n\n"
        "Some prose.\n\n    $x = y$ in an indented code block\n\n"
        "- a list item\n\n    $$g = g$$\n\n"
        "<!-- $$h = i$$ -->\n$$k = k$$\n"
    )
    assert latex_of(read(tmp_path, text)) == ["g = g", "k = k"]


def test_an_indented_display_is_not_code(tmp_path: pathlib.Path) -> None:
    text = "A cost:\n\n    \\[J = 2 + 2\\]\n"
    assert latex_of(read(tmp_path, text)) == ["J = 2 + 2"]


def test_wrappers_labels_and_sizes_are_left_out(tmp_path: pathlib.Path) -> None:
    text = ("$$\\Large \\begin{equation}\\begin{split} a &= 1 + 1 \\label{e1} \\\\ "
            "&= 2 \\nonumber \\end{split}\\end{equation}$$\n")
    document = read(tmp_path, text)
    assert [" ".join(c.latex.split()) for c in document.claims] == ["a &= 1 + 1 \\\\", "&= 2"]
    first = document.claims[0]
    assert at(text, first).startswith("a &= 1 + 1")  # the column is the document's


def test_a_display_cut_short_is_read_to_the_end(tmp_path: pathlib.Path) -> None:
    text = "Now\n\\[\\begin{align} a &= 1 + 1 \\\\ &= 2 \\\\ &= 3"
    assert [" ".join(c.latex.split()) for c in read(tmp_path, text).claims] == [
        "a &= 1 + 1 \\\\", "&= 2 \\\\", "&= 3"]


def test_a_document_without_equations_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ProofFileError, match="no math found"):
        read(tmp_path, "Just prose, and `code = 1`.\n")
    with pytest.raises(ProofFileError, match="no equations found"):
        read(tmp_path, "Only $$x^2$$ here.\n")


def test_an_unreadable_step_points_into_the_document(tmp_path: pathlib.Path) -> None:
    text = "# t\n\nSome text\n\n$$f = 1$$\n\n   $$y = 2 \\mysterycommand x$$\n"
    report = checked(tmp_path, text)
    step = report.steps[-1]
    assert step.verdict == "unreadable"
    assert step.error is not None
    assert (step.error.line, step.error.source) == (7, str(tmp_path / "post.md"))
    assert text.splitlines()[6][step.error.column - 1:].startswith("\\mysterycommand")


# ---- chains -------------------------------------------------------------------------------------


def test_a_display_that_begins_with_equals_continues_the_chain(tmp_path: pathlib.Path) -> None:
    text = ("$$\\frac{d}{dx} x^3 = 3x^2$$\n\nwhich is\n\n$$= x^2 + 2x^2$$\n\n"
            "and then\n\n$$= 4x^2$$\n")
    report = checked(tmp_path, text)
    assert [str(s.verdict) for s in report.steps] == ["proved", "proved", "refuted"]
    assert report.steps[2].links[0].lhs.equals(report.steps[1].links[0].rhs)


def test_a_continuation_after_inline_math_continues_the_display(
        tmp_path: pathlib.Path) -> None:
    text = ("$$\\frac{d}{dx} x^3 = 3x^2$$\n\nSince $a + a = 2a$, we have\n\n$$= 2x^2 + x^2$$\n")
    document = read(tmp_path, text)
    assert document.claims[-1].lhs == "3x^2"
    assert [str(s.verdict) for s in check_document(document).steps] == ["proved"] * 3


def test_lines_with_the_same_left_side_form_one_chain(tmp_path: pathlib.Path) -> None:
    text = ("$$f(x) = x^2 + 3x$$\n"
            "$$f'(x) = 2x + 3$$\n"
            "$$f'(x) = 2x - 3$$\n"
            "$$f'(x) = 3 + 2x$$\n")
    document = read(tmp_path, text)
    assert "same left side" in document.claims[2].note
    report = check_document(document)
    # the left side is worked out from f's definition: each line is judged as written, so a
    # right line after a wrong one is right
    assert [str(s.verdict) for s in report.steps] == ["definition", "proved", "refuted",
                                                      "proved"]


def test_a_left_side_that_cannot_be_worked_out_is_checked_against_the_line_before(
        tmp_path: pathlib.Path) -> None:
    text = ("$$\\frac{\\partial E}{\\partial w} = a(b + c)$$\n"
            "$$\\frac{\\partial E}{\\partial w} = ab + ac$$\n"
            "$$\\frac{\\partial E}{\\partial w} = ab - ac$$\n")
    document = read(tmp_path, text)
    assert [c.latex for c in document.claims[1:]] == ["= ab + ac", "= ab - ac"]
    assert all("checked against the line before" in c.note for c in document.claims[1:])
    assert [at(text, c) for c in document.claims[1:]] == ["= ab + ac$$", "= ab - ac$$"]
    report = check_document(document)
    # E is defined nowhere: the first line is about what the text means by it
    assert [str(s.verdict) for s in report.steps] == ["undecided", "proved", "refuted"]


def test_another_left_side_starts_a_new_chain(tmp_path: pathlib.Path) -> None:
    text = "$$g(x) = x^2$$\n$$g'(x) = 2x$$\n$$\\frac{d}{dx} x^3 = 3x^2$$\n"
    document = read(tmp_path, text)
    assert [c.note for c in document.claims] == ["defines g", "", ""]


# ---- definitions ------------------------------------------------------------------------------


def test_definitions_updates_and_restatements(tmp_path: pathlib.Path) -> None:
    text = ("$$z = w x + b$$\n$$L = (z - y)^2$$\n$$L = (wx + b - y)^2$$\n"
            "$$\\frac{\\partial L}{\\partial w} = 2(z - y)x$$\n$$w = w - \\eta g$$\n")
    document = read(tmp_path, text)
    assert [(c.define, c.kind) for c in document.claims] == [
        (True, "definition"), (True, "definition"), (False, "claim"), (False, "claim"),
        (False, "update")]
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == [
        "definition", "definition", "proved", "proved", "definition"]
    assert [s.defines for s in report.steps[:2]] == ["z", "L"]


def test_a_definition_written_with_colon_equals(tmp_path: pathlib.Path) -> None:
    text = "$$f(x) := x^2$$\n$$f'(x) = 2x$$\n$$f(x) \\coloneqq x^3$$\n$$f'(x) = 3x^2$$\n"
    report = checked(tmp_path, text)
    assert [(str(s.verdict), s.defines) for s in report.steps] == [
        ("definition", "f"), ("proved", ""), ("definition", "f"), ("proved", "")]


def test_a_definition_used_before_it_is_supplied_from_the_start(
        tmp_path: pathlib.Path) -> None:
    text = ("The gradient is\n\n$$\\frac{d J(\\theta)}{d\\theta} = 2\\theta$$\n\n"
            "for the cost\n\n$$J(\\theta) = \\theta^2 + 1$$\n")
    document = read(tmp_path, text)
    assert "J" in document.context.functions
    (definition,) = document.definitions
    assert (definition.name, definition.latex) == ("J(theta)", "\\theta^2 + 1")
    assert "used before it" in definition.note
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["proved", "definition"]
    assert any("J(theta) = \\theta^2 + 1" in a for a in report.assumed)


def test_a_definition_may_use_a_function_defined_after_it(tmp_path: pathlib.Path) -> None:
    # h_θ(x) = g(θx) before g(z) = …: a claim after both uses both, through either order
    text = ("$$h_{\\theta}(x) = g(\\theta x)$$\n\n$$y = g(2x)$$\n\n"
            "$$g(z) = \\frac{1}{1+e^{-z}}$$\n\n"
            "$$\\log h_{\\theta}(u) = -\\log(1 + e^{-\\theta u})$$\n\n"
            "$$\\frac{dy}{dx} = 2g(2x)(1 - g(2x))$$\n\n"
            "$$\\log h_{\\theta}(u) = -\\log(1 + e^{\\theta u})$$\n")
    assert list(verdicts(checked(tmp_path, text)).values()) == [
        "definition", "definition", "definition", "proved", "proved", "refuted"]


# ---- what the document states and implies -----------------------------------------------------


def test_membership_lines_give_domains_and_shapes(tmp_path: pathlib.Path) -> None:
    text = ("Let $y \\in \\{0,1\\}$, $p \\in (0,1)$, $t \\in \\mathbb{R}$, "
            "$X \\in \\mathbb{R}^{n\\times d}$, $\\mathbf{w} \\in \\mathbb{R}^{d}$ and "
            "$v \\in \\mathbb{R}^n$, $u \\in \\mathbb{R}^n$.\n\n$$q = y p$$\n\n"
            "$$s = \\sum_i u_i$$\n")
    document = read(tmp_path, text)
    symbols = document.context.symbols
    assert symbols["y"].domain == parse_domain("{0,1}")
    assert symbols["p"].domain == parse_domain("(0,1)")
    assert symbols["t"].domain == parse_domain("real")
    assert symbols["X"].shape == ("n", "d")
    assert symbols["w"].shape == ("d", "1")
    assert symbols["v"].shape == ("n", "1")  # a vector, its entries written nowhere
    assert "u" not in symbols  # its entries u_i are what the claims are about
    said = "\n".join(document.assumed)
    assert "y ∈ {0, 1}: the document says so (line 1)" in said
    assert "X is an array of shape n×d" in said
    assert "w is an array of shape d×1" in said
    assert "u is read as a scalar" in said


def test_shapes_the_words_state_and_the_jacobian_a_prime_writes(tmp_path: pathlib.Path
                                                                  ) -> None:
    text = ("Suppose $A$ is a real $k \\times n$ matrix and $b$ is a $k \\times 1$ column "
            "vector. Define $r:\\mathbb R^n \\to \\mathbb R^k$ by\n\n$$r(x) = A x - b$$\n\n"
            "and $q:\\mathbb R^k \\to \\mathbb R$ by $$q(v) = v^T v$$\n\n"
            "Then $$r'(x) = A$$ and $$q'(v) = 2 v^T$$ but not $$r'(x) = A^T$$\n")
    document = read(tmp_path, text)
    symbols = document.context.symbols
    assert [symbols[n].shape for n in "Abxv"] == [("k", "n"), ("k", "1"), ("n", "1"),
                                                   ("k", "1")]
    said = "\n".join(document.assumed)
    assert "'$A$ is a real $k \\times n$ matrix'" in said
    assert "defines r(x)" in said and "numerator layout" in said
    assert list(verdicts(check_document(document)).values()) == [
        "definition", "definition", "checked", "checked", "ill-formed"]


def test_plain_lines_that_continue_a_chain_in_a_document_that_delimits_its_math(
        tmp_path: pathlib.Path) -> None:
    # a question typed without delimiters ("'" for the transpose) above an answer that
    # delimits its math and shapes the names in its words
    text = ("I expand (with ' for the transpose)\n(Ax-b)'(Ax-b)\nwhich gives\n"
            "=x'A'Ax - 2b'Ax + b'b\n=x'A'Ax - b'Ax + b'b\n\nWhy = here?\n\n"
            "Here $A$ is a real $k \\times n$ matrix, $b$ is a $k \\times 1$ vector and $x$ "
            "is an $n \\times 1$ vector, so $$r = A x - b$$\n")
    document = read(tmp_path, text)
    assert latex_of(document)[:3] == ["(Ax-b)'(Ax-b)", "=x'A'Ax - 2b'Ax + b'b",
                                      "=x'A'Ax - b'Ax + b'b"]
    steps = check_document(document).steps
    assert [str(s.verdict) for s in steps][:3] == ["definition", "checked", "refuted"]


def test_a_name_with_a_parameter_subscript_before_a_bracket_is_a_function(
        tmp_path: pathlib.Path) -> None:
    # h_θ(x) defined nowhere: a function of x named by θ, so its derivative by θ is unknown
    text = ("$$J(\\theta) = \\frac{1}{2}(h_\\theta(x) - y)^2$$\n\n"
            "$$\\frac{\\partial J(\\theta)}{\\partial \\theta} = (h_\\theta(x) - y)"
            "\\frac{\\partial h_\\theta(x)}{\\partial \\theta}$$\n\n"
            "$$\\frac{\\partial J(\\theta)}{\\partial \\theta} = 0$$\n")
    document = read(tmp_path, text)
    assert "h_theta" in document.context.functions
    assert list(verdicts(check_document(document)).values()) == [
        "definition", "proved", "undecided"]


def test_conventions_are_stated_as_assumptions(tmp_path: pathlib.Path) -> None:
    text = ("$$\\hat{y} = \\sigma(z)$$\n"
            "$$J(w) = -(t \\log q + (1 - t) \\log(1 - q))$$\n"
            "$$\\sigma(z) = \\frac{1}{1 + e^{-z}}$$\n"
            "$$\\frac{d\\sigma}{dz} = \\sigma(z)(1 - \\sigma(z))$$\n")
    document = read(tmp_path, text)
    symbols = document.context.symbols
    assert symbols["yhat"].domain == parse_domain("(0,1)")
    assert symbols["t"].domain == parse_domain("{0,1}")
    assert symbols["q"].domain == parse_domain("(0,1)")
    assert "J" in document.context.functions
    said = "\n".join(document.assumed)
    assert "ŷ ∈ (0, 1): a value of σ" in said
    assert "t ∈ {0, 1}: the label of a binary cross-entropy (line 2)" in said
    assert "q ∈ (0, 1): the probability of a binary cross-entropy" in said
    assert "J is a function" in said
    assert "σ written alone is σ(z)" in said
    report = check_document(document)
    assert str(report.steps[-1].verdict) == "proved"  # dσ/dz with σ = σ(z)


def test_sums_without_a_range_make_index_letters(tmp_path: pathlib.Path) -> None:
    text = ("$$L = -\\sum_j y_j \\log p_j$$\n"
            "$$\\frac{\\partial L}{\\partial p_k} = -\\frac{y_k}{p_k}$$\n")
    document = read(tmp_path, text)
    assert dict(document.context.indices) == {"j": "C", "k": "C"}
    assert document.matrix.sizes == {"C": 3}
    assert any("index letters" in a for a in document.assumed)
    assert str(check_document(document).steps[-1].verdict) == "checked"


def test_a_name_applied_to_a_list_is_a_function(tmp_path: pathlib.Path) -> None:
    text = "$$\\frac{\\partial}{\\partial a} J(a, b) = 2a$$ and $$(x, y) = (1, 2)$$\n"
    document = read(tmp_path, text)
    assert document.context.functions == frozenset({"J"})
    assert "J is a function" in "\n".join(document.assumed)


def test_a_name_before_a_bracket_in_an_inequality_is_no_function(tmp_path: pathlib.Path
                                                                 ) -> None:
    # "check if $y_i(w^Tx_i) < 1$": y_i times a bracket, so the loss's y_i(…) is a product
    text = ("$$l(w) = \\max\\{0, 1 - y_i(w x_i)\\}$$\n\n"
            "It first checks if $y_i(w x_i) < 1$.\n\n"
            "$$l(w) = \\max\\{0, 1 - y_i w x_i\\}$$\n")
    document = read(tmp_path, text)
    assert document.context.functions == frozenset({"l"})
    assert list(verdicts(check_document(document)).values())[-1] == "proved"


def test_names_written_as_arrays_without_a_shape_are_said_to_be_scalars(
        tmp_path: pathlib.Path) -> None:
    text = ("$$\\frac{\\partial}{\\partial \\mathbf{A}} \\mathbf{x}^T \\mathbf{A} y = "
            "x^{\\top} y$$\n")
    said = "\n".join(read(tmp_path, text).assumed)
    assert "A, x are written as arrays (bold or transposed) but the document gives no " \
        "shape: read as scalars" in said


def test_a_case_in_the_prose_is_assumed_by_the_display_after_it(
        tmp_path: pathlib.Path) -> None:
    text = ("$$g(x) = x^3 - 2x$$\n\nIf $x = 1$, then\n\n$$g(x) = -1$$\n\n"
            "and when $x = 2$:\n\n$$g(x) = 3$$\n")
    document = read(tmp_path, text)
    assert [c.assume for c in document.claims] == [(), ("x = 1",), ("x = 2",)]
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "conditional", "refuted"]


def test_the_second_of_two_cases_continues_from_before_the_cases(
        tmp_path: pathlib.Path) -> None:
    text = ("$$h(x) = \\frac{d}{dx} (a x^2)$$\n\nIf $a = 1$,\n\n$$= 2x$$\n\n"
            "and if $a = 0$,\n\n$$= 0$$\n")
    document = read(tmp_path, text)
    assert [c.lhs for c in document.claims] == [None, None, "\\frac{d}{dx} (a x^2)"]
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "conditional",
                                                      "conditional"]


def test_a_case_holds_over_the_displays_that_follow_it_with_no_words_between(
        tmp_path: pathlib.Path) -> None:
    # inline math alone on its line is a display; the case ends at the next words
    text = ("$$g(x) = x^3 - 2x$$\n\nIf $x = 1$, this gives:\n\n$g(x) = 1 - 2$\n\n"
            "$g(x) = -1$\n\nOtherwise\n\n$$g(x) = x(x^2 - 2)$$\n")
    document = read(tmp_path, text)
    assert [c.assume for c in document.claims] == [(), ("x = 1",), ("x = 1",), ()]
    assert [c.label for c in document.claims][1:] == ["If $x = 1$, this gives:", "",
                                                      "Otherwise"]
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "conditional",
                                                      "conditional", "proved"]


def test_a_sum_over_d_by_its_subscripts_beside_free_index_letters(
        tmp_path: pathlib.Path) -> None:
    # Σ e^{x_d} e^{x_i} − e^{x_i}e^{x_i}: d is the sum's index (i is used after it), and
    # the factor without d is outside the sum whichever way it is read
    text = ("Write $y_i = \\frac{e^{x_i}}{\\sum e^{x_d}}$.\n\nIf $i = j$, this gives:\n\n"
            "$\\frac{dy_i}{dx_j} = \\frac{\\sum e^{x_d} \\cdot e^{x_i} - e^{x_i} \\cdot "
            "e^{x_i}}{(\\sum e^{x_d})^2}$\n\n$\\frac{dy_i}{dx_j} = y_i (1 - y_i)$\n\n"
            "but $$\\frac{dy_i}{dx_j} = y_i (1 - y_i)$$\n")
    document = read(tmp_path, text)
    assert set(document.context.indices) == {"d", "i", "j"}
    report = check_document(document, budget=10.0)
    assert [str(s.verdict) for s in report.steps] == ["definition", "conditional",
                                                      "conditional", "refuted"]
    assert "(the terms after it do not use d)" in report.steps[1].message


def test_a_premise_in_words_on_the_targets_of_a_softmax(tmp_path: pathlib.Path) -> None:
    # the words state something about t that the math does not; the targets of a softmax
    # cross-entropy summing to 1 is the convention that says it: the step holds under it
    text = ("$$L = -\\sum_i t_i \\log(y_i)$$\n\n$$y_i = \\frac{e^{x_i}}{\\sum_k e^{x_k}}$$\n\n"
            "Since exactly one of the $t_i$s is 1 and the rest are zeros, this simplifies "
            "to:\n\n$$\\frac{\\partial L}{\\partial x_j} = y_j - t_j$$\n\nand so\n\n"
            "$$\\frac{\\partial L}{\\partial x_j} = y_j + t_j$$\n")
    report = checked(tmp_path, text)
    simplified = report.steps[2]
    assert str(simplified.verdict) == "conditional"
    assert "holds when \\sum_{i} t_{i} = 1" in simplified.links[0].message
    assert str(report.steps[3].verdict) == "refuted"  # words with no premise


def test_definitions_the_words_write_without_delimiters(tmp_path: pathlib.Path) -> None:
    # "Let y = \tanh(x)" and "denote u = e^x and v = e^{-x}" in the words, other math delimited
    text = ("As\n$$\\tanh(x) = \\frac{e^x - e^{-x}}{e^x + e^{-x}}$$\nLet y = \\tanh(x). So,\n"
            "$$y = \\frac{e^x - e^{-x}}{e^x + e^{-x}}$$\n"
            "Now, denote u = e^x and v = e^{-x}. Thus,\n$$y = \\frac{u - v}{u + v}$$\n"
            "Let the loss = something else, and let z be the input.\n")
    document = read(tmp_path, text)
    assert latex_of(document) == [
        "\\tanh(x) = \\frac{e^x - e^{-x}}{e^x + e^{-x}}", "y = \\tanh(x)",
        "y = \\frac{e^x - e^{-x}}{e^x + e^{-x}}", "u = e^x", "v = e^{-x}",
        "y = \\frac{u - v}{u + v}"]
    assert "'u = e^x' (line 5) read as math: the words write it without delimiters" in \
        document.assumed
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == [
        "proved", "definition", "proved", "definition", "definition", "proved"]


def test_identities_the_words_write_without_delimiters(tmp_path: pathlib.Path) -> None:
    # "Since {e^x + e^{-x}} = 2cosh(x), where …": a claim; a condition or a definition is not
    text = ("$$y = \\frac{2}{(e^x + e^{-x})^2}$$\n"
            "Since {e^x + e^{-x}} = 2cosh(x), where cosh is the hyperbolic cosine, we get\n"
            "$$y = \\frac{1}{2\\cosh^2(x)}$$\n"
            "As e^0 = 2. Since z = 0 here, we stop. As x^2 = 4, x is 2. Note that the loss = 1.\n")
    document = read(tmp_path, text)
    assert latex_of(document) == [
        "y = \\frac{2}{(e^x + e^{-x})^2}", "{e^x + e^{-x}} = 2cosh(x)",
        "y = \\frac{1}{2\\cosh^2(x)}", "e^0 = 2"]
    assert "'{e^x + e^{-x}} = 2cosh(x)' (line 2) read as math: the words write it without " \
        "delimiters" in document.assumed
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "proved", "proved",
                                                      "refuted"]


LINEAR_REGRESSION = (
    "The cost is\n$$J(w) = \\frac{1}{2m}\\sum_{i=1}^m (w^T x_i - y_i)^2$$\n"
    "and its gradient\n$$\\frac{\\partial J(w)}{\\partial w_j} = FACTOR\\sum_{i=1}^m "
    "(w^T x_i - y_i) x_{ij}$$\n")


@pytest.mark.parametrize(("factor", "verdict"), [("\\frac{1}{m}", "checked"), ("", "refuted")])
def test_a_transposed_name_whose_entries_are_written_is_a_vector(
        tmp_path: pathlib.Path, factor: str, verdict: str) -> None:
    # wᵀx_i with w_j written: w and each x_i are vectors of d entries, j runs over them (checked
    # at d = 2, apart from the sum's m = 3); the claim is decided entry by entry
    document = read(tmp_path, LINEAR_REGRESSION.replace("FACTOR", factor))
    assumed = " ".join(document.assumed)
    assert "w is a vector of d entries" in assumed and "xᵢ is a vector of d entries" in assumed
    assert "j = 1, …, d" in assumed and "checked at d = 2, m = 3" in assumed
    assert [str(s.verdict) for s in check_document(document).steps] == ["definition", verdict]


def test_the_examples_written_as_superscripts_are_read_as_subscripts(
        tmp_path: pathlib.Path) -> None:
    # θᵀx^{(i)} in Σᵢ with θ_j written: x^{(i)} is x_i, x_j^{(i)} is x_ij (the notation of
    # the linear regression notes), said
    text = (LINEAR_REGRESSION.replace("FACTOR", "\\frac{1}{m}")
            .replace("w^T x_i", "\\theta^T x^{(i)}").replace("y_i", "y^{(i)}")
            .replace("x_{ij}", "x_j^{(i)}").replace("J(w)", "J(\\theta)")
            .replace("w_j", "\\theta_j"))
    document = read(tmp_path, text)
    assert any(a.startswith("i numbers the examples: x, y") for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "checked"]
    assert "x_j^{(i)} read with the example index i as a subscript, x_ij" in \
        " ".join(report.steps[1].readings)


def test_a_transposed_name_beside_examples_read_otherwise_stays_a_scalar(
        tmp_path: pathlib.Path) -> None:
    # h(x) = g(θᵀx) applied to x^{(i)}, θx^{(i)} written without a transpose: no vectors
    text = ("$$h_{\\theta}(x) = \\sigma(\\theta^T x)$$\n$$\\frac{\\partial}{\\partial \\theta_j} "
            "\\sum_{i=1}^m h_{\\theta}(x^{(i)}) = \\sum_{i=1}^m x_j^{(i)}$$\n")
    document = read(tmp_path, text)
    assert not any("is a vector" in a for a in document.assumed)


def test_a_mixed_derivative_beside_the_squared_one_is_read_for_distinct_letters(
        tmp_path: pathlib.Path) -> None:
    text = ("$$f(w) = \\frac{1}{2}\\|w\\|^2 + \\sum_{i=1}^n (w^Tx_i)^2$$\n"
            "$$\\frac{\\partial f(w)}{\\partial w_j} = w_j + 2\\sum_{i=1}^n (w^Tx_i) x_{ij}$$\n"
            "$$\\frac{\\partial^2 f(w)}{\\partial w_j^2} = 1 + 2\\sum_{i=1}^n x_{ij}^2$$\n"
            "$$\\frac{\\partial^2 f(w)}{\\partial w_j \\, \\partial w_k} = 2\\sum_{i=1}^n x_{ij}"
            " x_{ik}$$\n")
    document = read(tmp_path, text)
    assert any("is read for j ≠ k: the document writes the case j = k apart" in a
               for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "checked", "checked",
                                                      "conditional"]


def test_a_sum_that_ends_in_dots_goes_on_past_its_last_term(tmp_path: pathlib.Path) -> None:
    # θ_0 + θ_1x_1 + θ_2x_2 + ⋯: the terms go on for n more (n ≥ 1), so ∂z/∂θ_2 = x_2 for
    # every n; a count of its own, said
    text = ("Where\n$$z = \\theta_0 + \\theta_1 x_1 + \\theta_2 x_2 + \\dots$$\n"
            "$$\\frac{\\partial}{\\partial\\theta_0}z = 0$$\n"
            "$$\\frac{\\partial}{\\partial\\theta_1}z = x_2$$\n"
            "$$\\frac{\\partial}{\\partial\\theta_2}z = x_2$$\n")
    document = read(tmp_path, text)
    assert any("goes on for n terms more" in a for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "refuted", "refuted",
                                                      "proved"]


def test_a_sum_that_ends_in_dots_is_refused_without_a_count() -> None:
    from derive.core.errors import ParseError
    from derive.read.latex import parse_expression

    with pytest.raises(ParseError, match="it must stand between"):
        parse_expression("\\theta_0 + \\theta_1 x_1 + \\theta_2 x_2 + \\dots")


def test_a_prime_on_a_name_is_its_derivative_by_the_documents_one_variable(
        tmp_path: pathlib.Path) -> None:
    text = ("$$u = e^{2x}$$ and $$v = x^2$$\n\n$$\\frac{d}{dx}(u v) = u' v + u v'$$\n\n"
            "$$u' = e^{2x}$$\n")
    document = read(tmp_path, text)
    assert any(a.startswith("x is the document's one variable") for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "definition", "proved",
                                                      "refuted"]
    # a second variable of differentiation: no one variable, u' is refused
    text = text.replace("$$u' = e^{2x}$$", "$$\\frac{\\partial u}{\\partial y} = 0$$")
    assert not any("one variable" in a for a in read(tmp_path, text).assumed)


def test_a_numbered_case_label_puts_the_display_under_its_case(tmp_path: pathlib.Path) -> None:
    text = ("$$y_i = \\frac{e^{z_i}}{\\sum_{k=1}^{C} e^{z_k}}$$\n\nCase 2: \\(i \\neq j\\)\n\n"
            "$$\\frac{\\partial y_i}{\\partial z_j} = -y_i y_j$$\n")
    document = read(tmp_path, text)
    assert document.claims[-1].assume == ("i \\neq j",)
    assert str(check_document(document).steps[-1].verdict) == "conditional"


def test_a_name_defined_by_a_line_that_cannot_be_read_is_not_free(
        tmp_path: pathlib.Path) -> None:
    # z = θ₀ + θ₁x₁ + … + θ_nx_{n+1}: unreadable (the last term is not the pattern); claims
    # about z are undecided, never refuted or ill-formed as if z were a free name
    text = ("$$z = \\theta_0 + \\theta_1 x_1 + \\theta_2 x_2 + \\dots + \\theta_n x_{n+1}$$\n\n"
            "$$\\frac{\\partial}{\\partial\\theta_1} z = x_1$$\n\n"
            "$$\\frac{\\partial}{\\partial\\theta_1} \\sigma(z) = \\sigma(z)(1 - \\sigma(z)) "
            "x_1$$\n\n$$\\frac{\\partial}{\\partial\\theta_1} x_1 = 1$$\n")
    report = checked(tmp_path, text)
    assert [str(s.verdict) for s in report.steps][:3] == ["unreadable", "undecided",
                                                          "undecided"]
    assert str(report.steps[3].verdict) in ("refuted", "ill-formed")  # x₁ is not z
    assert "a step whose definition could not be taken in defines it: z (step L1)" in \
        report.steps[2].links[0].message


def test_a_fact_the_prose_states_is_assumed_not_checked(tmp_path: pathlib.Path) -> None:
    # "$…$ because …": a premise with its reason in words, assumed by the displays beside it
    text = ("$$f = a + b$$\n\n$$f = 1 + b$$\n\n"
            "$a = 1$ because the weights sum to one.\n\n$$f = a$$\n\n"
            "Assuming $c = 2$, $$c + c = 4$$\n\nand $d = 3$ is a claim.\n")
    document = read(tmp_path, text)
    assert latex_of(document) == ["f = a + b", "f = 1 + b", "f = a", "c + c = 4",
                                  "d = 3"]
    assert [c.assume for c in document.claims][:4] == [(), ("a = 1",), (), ("c = 2",)]
    assert any("a = 1 where a step needs it" in a for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps][:4] == ["definition", "conditional",
                                                          "refuted", "conditional"]


def test_an_equation_with_a_derivative_is_a_claim_whatever_the_words(
        tmp_path: pathlib.Path) -> None:
    text = "$$f(x) = x^2$$\n\nAssume $f'(x) = 3x$. Then $g = 1$ since it is.\n"
    assert latex_of(read(tmp_path, text)) == ["f(x) = x^2", "f'(x) = 3x"]  # g = 1: no display


def test_a_definition_then_its_derivative_on_one_line(tmp_path: pathlib.Path) -> None:
    # "taking f(x) = 1 ⇒ f'(x) = 0": the first equation defines f (a constant function too)
    text = ("$$f(x) = 1 \\Rightarrow f'(x) = 0$$\n\n$$g(x) = x^2 \\Rightarrow g'(x) = 2x$$\n\n"
            "$$\\frac{d}{dx} \\frac{f(x)}{g(x)} = \\left(\\frac{f}{g}\\right)'"
            " = -\\frac{2}{x^3}$$\n")
    report = checked(tmp_path, text)
    assert [s.defines for s in report.steps] == ["f", "g", ""]
    assert [str(s.verdict) for s in report.steps] == ["proved", "proved", "proved"]


def test_a_document_with_no_delimited_math_is_read_line_by_line(
        tmp_path: pathlib.Path) -> None:
    # plain-text math: the lines that read as equations, and the lines '=' continues
    text = ("# Notes\n\nFor brevity, let `x = logits` and use it.\n\n"
            "    x * x + 2 * x\n  = x * (x + 2)\n  = x^2 + 3x\n\n"
            "- **Softplus function: f(x) = ln(1+e^{x})**\n")
    document = read(tmp_path, text)
    assert latex_of(document) == ["x * x + 2 * x", "= x * (x + 2)", "= x^2 + 3x",
                                  "f(x) = ln(1+e^{x})"]
    assert any("delimits no math" in a for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "proved", "refuted",
                                                      "definition"]


def test_a_document_with_delimited_math_keeps_its_plain_lines_out(
        tmp_path: pathlib.Path) -> None:
    text = "x = 1 + 1 is prose here.\n\n$$y = 2$$\n"
    assert latex_of(read(tmp_path, text)) == ["y = 2"]


def test_the_report_states_what_was_assumed(tmp_path: pathlib.Path) -> None:
    text = "Labels $y \\in \\{0,1\\}$.\n\n$$y^2 = y$$\n"
    report = checked(tmp_path, text)
    assert any("y ∈ {0, 1}" in a for a in report.assumed)
    # y² = y holds at both labels: agreement at every value of the domain, no symbolic closure
    assert str(report.steps[0].verdict) == "checked"


# ---- end to end ---------------------------------------------------------------------------------

DOCS = pathlib.Path(__file__).parent.parent / "docs" / "documents.md"


def documented() -> tuple[str, str]:
    """The example post of docs/documents.md, and the report the page shows for it."""
    page = DOCS.read_text()
    post = page.split("~~~~markdown\n", 1)[1].split("\n~~~~\n", 1)[0] + "\n"
    report = page.split("$ derive check post.md\n", 1)[1].split("\n```", 1)[0]
    return post, report


POST = documented()[0]


def test_a_post_with_the_classic_sign_error(tmp_path: pathlib.Path) -> None:
    report = checked(tmp_path, POST)
    assert report.error is None
    assert report.title == "Backprop through a sigmoid: where does my sign go?"
    found = [(s.claim.id, str(s.verdict)) for s in report.steps]
    assert found == [("L6", "definition"), ("L8", "definition"), ("L10", "definition"),
                     ("L14", "proved"), ("L16", "proved"), ("L18", "refuted"),
                     ("L20", "proved"), ("L30", "proved"), ("L32", "proved")]
    wrong = report.steps[5]
    assert wrong.claim.label.startswith("Then the loss, term by term")
    assert wrong.links[0].diagnosis is not None  # the dropped inner derivative, named
    assert not report.ok  # a refuted step fails the run


def test_the_command_line_checks_a_post(tmp_path: pathlib.Path) -> None:
    (tmp_path / "post.md").write_text(POST)
    done = subprocess.run([sys.executable, "-m", "derive", "check", "post.md"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={"NO_COLOR": "1", "PATH": ""})
    assert done.returncode == 1, done.stderr
    shown = documented()[1]
    # the page shows what the command prints (the assumptions aside, which depend on the
    # checker carrying them into the report)
    assert [line for line in done.stdout.splitlines() if "assumed:" not in line] == \
        [line for line in shown.splitlines() if "assumed:" not in line]


def test_a_latex_document(tmp_path: pathlib.Path) -> None:
    text = r"""\documentclass{article}
\title{Softplus}
\begin{document}
% $$1 = 2$$ is a comment
The softplus is
\begin{equation}
  s(x) = \log(1 + e^{x}) \label{eq:softplus}
\end{equation}
and its derivative, the sigmoid:
\begin{align*}
  s'(x) &= \frac{e^{x}}{1 + e^{x}} \\
        &= \frac{1}{1 + e^{-x}} \nonumber \\
        &= \sigma(-x)
\end{align*}
\begin{verbatim}
$$3 = 4$$
\end{verbatim}
\end{document}
"""
    report = checked(tmp_path, text, "softplus.tex")
    assert report.title == "Softplus"
    assert [(s.claim.line, str(s.verdict)) for s in report.steps] == [
        (7, "definition"), (11, "proved"), (12, "proved"), (13, "refuted")]


# ---- the loader's dispatch ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "document"), [
    ("post.md", True), ("post.markdown", True), ("post.tex", True), ("post.txt", True),
    ("POST.MD", True), ("proof.toml", False), ("proof", False),
])
def test_suffixes(name: str, document: bool) -> None:
    assert is_document(name) == document


@pytest.mark.parametrize(("text", "proof"), [
    ('[document]\ntitle = "t"\n\n[[step]]\nid = "a"\nlatex = \'y = y\'\n', True),
    ('[[step]]\nid = "a\n', True),           # a broken proof file: its TOML error is reported
    ("a = " + "[{b = " * 50, True),
    ("# A post\n\n$$x = x$$\n", False),
    ("Some prose with $a = a$.\n", False),
])
def test_standard_input_is_sniffed(text: str, proof: bool) -> None:
    assert looks_like_proof_file(text) == proof
    assert is_document("-", text) == (not proof)


def test_standard_input_reads_a_document_or_a_proof_file() -> None:
    document = load("-", "# From a pipe\n\n$$\\frac{d}{dx} x^2 = 2x$$\n")
    assert (document.title, latex_of(document)) == ("From a pipe", ["\\frac{d}{dx} x^2 = 2x"])
    proof = load("-", '[document]\ntitle = "t"\n\n[[step]]\nid = "a"\nlatex = \'y = y\'\n')
    assert [c.id for c in proof.claims] == ["a"]
    with pytest.raises(ProofFileError, match="not valid TOML"):
        load("-", '[[step]]\nid = "a\n')


def test_standard_input_on_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "derive", "check", "-"],
                          input="Piped: $$\\frac{d}{dx} x^2 = 2x$$\n", capture_output=True,
                          text=True, timeout=120, env={"NO_COLOR": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "L1     proved" in done.stdout


def test_a_claim_that_holds_only_for_scalars_is_decided_at_the_shapes_it_forces(
        tmp_path: pathlib.Path) -> None:
    # X and w are written as arrays with no shape: read as scalars, XᵀX = XXᵀ would be proved;
    # both sides multiply X by w, so X is square and w a column: refuted there
    text = ("$$\\mathbf{w}^T X^T X \\mathbf{w} = \\mathbf{w}^T X X^T \\mathbf{w}$$\n\n"
            "$$x^2 + 2x + 1 = (x+1)^2$$\n")
    report = checked(tmp_path, text)
    assert [str(step.verdict) for step in report.steps] == ["refuted", "proved"]
    assert "X n×n, w n×1" in report.steps[0].links[0].message


def test_a_claim_whose_shapes_cannot_be_solved_is_conditional_on_scalars(
        tmp_path: pathlib.Path) -> None:
    # z's definition was read with w and x as scalars: its shape as arrays is not known
    text = ("$$z = \\mathbf{w}^T\\mathbf{x}$$\n\n"
            "$$z^2 = \\mathbf{x}^T\\mathbf{w}\\mathbf{w}^T\\mathbf{x}$$\n")
    report = checked(tmp_path, text)
    assert [str(step.verdict) for step in report.steps] == ["definition", "conditional"]
    assert "holds if w, x are scalars" in report.steps[1].links[0].message


def test_y_is_the_one_function_the_document_defines(tmp_path: pathlib.Path) -> None:
    text = ("$$f(x) = \\ln(1 + e^x)$$\n\n$$\\frac{dy}{dx} = \\frac{e^x}{1 + e^x}$$\n\n"
            "$$\\frac{dy}{dx} = \\frac{1}{1 + e^x}$$\n")
    document = read(tmp_path, text)
    assert any(a.startswith("y is f(x): the document differentiates y by x")
               for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "proved", "refuted"]
    # a document that defines y, or two functions, is left as written
    assert not any(a.startswith("y is f(x)") for a in read(
        tmp_path, text.replace("$$f(x) = \\ln(1 + e^x)$$",
                               "$$f(x) = \\ln(1 + e^x)$$ $$g(x) = x$$")).assumed)


def test_a_gradient_entry_makes_index_letters_and_a_name_its_formula_drops_is_no_scalar(
        tmp_path: pathlib.Path) -> None:
    # ∇f(x)_i beside Σ_{j=1}^n: i is an index letter; x, written as an array, is gone once
    # f is written out, so the claim holds without reading x as a scalar
    text = ("Claim: $$f(x) = \\log \\sum_{i=1}^n e^{x_i}$$\n\nThe gradient is given by:\n\n"
            "$$\\nabla f(x)_i = \\frac{e^{x_i}}{\\sum_{j=1}^n e^{x_j}}$$\n\n"
            "and $x^T x$ is its norm.\n")
    report = checked(tmp_path, text)
    assert [str(s.verdict) for s in report.steps] == ["definition", "checked"]


def test_a_bare_superscript_beside_the_same_name_with_an_example_index(
        tmp_path: pathlib.Path) -> None:
    # z^{i} beside z^{(i)}: the i-th example, not a power
    text = ("$$J = \\sum_{i=1}^{m} (y^{(i)} - \\hat{y}^{(i)})^2$$\n\n"
            "$$\\hat{y}^{(i)} = \\sigma(z^{i})$$\n\n"
            "$$\\frac{\\partial \\hat{y}^{(i)}}{\\partial z^{(i)}} = "
            "\\hat{y}^{(i)} (1 - \\hat{y}^{(i)})$$\n")
    document = read(tmp_path, text)
    assert "z^{i} read as the i-th example, as the document writes z^{(i)} elsewhere; i runs " \
        "over 1, …, m" in document.assumed
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "definition", "proved"]


def test_a_gradient_name_the_words_gloss_and_the_chain_rule_through_a_definition(
        tmp_path: pathlib.Path) -> None:
    # dy: "upstream gradient ∂L/∂y" in the words; L, the loss, is defined nowhere
    text = ("Notation: \\(dy\\) is the upstream gradient \\(\\partial L/\\partial y\\).\n\n"
            "\\[y_i = \\gamma_i \\hat{x}_i + \\beta_i\\]\n\n"
            "\\[ \\frac{\\partial L}{\\partial \\gamma_i} = \\frac{\\partial L}{\\partial y_i} "
            "\\cdot \\frac{\\partial y_i}{\\partial \\gamma_i} = dy_i \\cdot \\hat{x}_i \\]\n\n"
            "\\[ \\frac{\\partial L}{\\partial \\beta_i} = dy_i \\cdot \\gamma_i \\]\n")
    document = read(tmp_path, text)
    assert [(d.name, d.latex) for d in document.definitions] == [
        ("dy_i", "\\frac{\\partial L}{\\partial y_i}")]
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps][:2] == ["definition", "proved"]
    assert str(report.steps[2].verdict) != "proved"  # ∂L/∂β_i is dy_i, not γ_i dy_i


def test_entries_written_as_powers_are_no_definitions_and_no_counterexamples(
        tmp_path: pathlib.Path) -> None:
    # s^1, s^2: a post's entries of s written as superscripts; s^1 = … defines no s, and no
    # value given to s refutes s^2 = …
    report = checked(tmp_path, "$s^1=\\frac{e^z}{e^z+e^{2z}}$\n\n$s^2=\\frac{e^{2z}}{e^z+e^{2z}}$\n"
                               "\n$s^i=\\frac{(e^z)^i}{(e^z)^1+(e^z)^2}$\n")
    assert [str(step.verdict) for step in report.steps] == ["undecided"] * 3
    assert all(step.defines == "" for step in report.steps)
    assert "writes a name that nothing defines, on one side only" in \
        report.steps[1].links[0].message


def test_a_name_brought_in_by_a_substitution_is_related_to_what_it_replaced(
        tmp_path: pathlib.Path) -> None:
    # x comes in for p (p = σ(x), said nowhere): L restated in x is no counterexample
    text = ("$$\\begin{aligned}L &= -y\\log(p) - (1-y)\\log(1-p) \\\\\n"
            "&= -y\\log(\\sigma(x)) - (1-y)\\log(1-\\sigma(x))\\end{aligned}$$\n\n"
            "We write it as\n\n$$L = x - xy + \\log(1+e^{-x})$$\n\n"
            "and a wrong one\n\n$$x - xy = x(1 + y)$$\n")
    report = checked(tmp_path, text)
    found = verdicts(report)
    assert found["L = x - xy + \\log(1+e^{-x})"] == "undecided"
    restated = next(s for s in report.steps if s.claim.latex.startswith("L = x"))
    assert "brought in x in place of p" in restated.links[0].message
    assert found["x - xy = x(1 + y)"] == "refuted"  # x without p: refuted as before


def test_upper_indices_in_a_document(tmp_path: pathlib.Path) -> None:
    # δ^j_m and A^{ij}: upper indices are entries, a repeated index is summed; a definition
    # the instances cannot write out (d_k with k an index elsewhere) decides nothing
    text = ("$$O^{ib} = A^{ij} V^{jb}$$\n\n"
            "$$\\frac{\\partial O^{ib}}{\\partial V^{mn}} = A^{ij} \\delta^j_m \\delta^b_n"
            " = A^{im} \\delta^b_n$$\n\n"
            "$$\\frac{\\partial O^{ib}}{\\partial V^{mn}} = A^{mi} \\delta^b_n$$\n\n"
            "$$S^{ij} = \\frac{1}{\\sqrt{d_k}} Q^{ia} K^{ja}$$\n\n"
            "$$\\frac{\\partial S^{ij}}{\\partial Q^{kl}} = \\frac{2}{\\sqrt{d_k}} "
            "\\delta^i_k K^{jl}$$\n")
    report = checked(tmp_path, text)
    assert [str(step.verdict) for step in report.steps] == [
        "definition", "checked", "refuted", "definition", "undecided"]
    assert any("upper indices" in said for said in report.assumed)
    assert "cannot be written out" in report.steps[4].links[0].message


def test_a_vector_in_rn_used_whole_by_a_function_and_a_gradient_is_a_vector(
        tmp_path: pathlib.Path) -> None:
    # x ∈ ℝⁿ with its entries x_i written: a vector once f(x) is written in its entries and
    # differentiated by x whole (a scalar otherwise, see the membership tests)
    text = ("For $x \\in \\mathbb{R}^n$ let $f(x)=\\log\\left(\\sum_{i=1}^n e^{x_i}\\right)$.\n\n"
            "$$\\nabla f(x) = S(x) = \\begin{bmatrix} \\frac{e^{x_1}}{e^{x_1} + \\cdots + "
            "e^{x_n}} \\\\ \\vdots \\\\ \\frac{e^{x_n}}{e^{x_1} + \\cdots +e^{x_n}} "
            "\\end{bmatrix}$$\n\n"
            "$$S'(x) = \\text{diag}(S(x)) - S(x) S(x)^T$$\n\n"
            "$$S'(x) = \\text{diag}(S(x))$$\n")
    document = read(tmp_path, text)
    assert any(a.startswith("x is a vector of n entries") for a in document.assumed)
    report = check_document(document)
    assert [str(s.verdict) for s in report.steps] == ["definition", "checked", "checked",
                                                      "refuted"]


def test_a_function_written_out_in_its_place_on_the_next_side_is_defined_so(
        tmp_path: pathlib.Path) -> None:
    # h_θ is defined nowhere but by the line that writes θ₀ + θ₁x⁽ⁱ⁾ where it stood; J by the
    # line that differentiates its formula
    text = ("$$\\frac{\\partial}{\\partial\\theta_j}J(\\theta_0,\\theta_1)=\\frac{\\partial}"
            "{\\partial\\theta_j}\\frac{1}{2m}\\sum_{i=1}^m(h_{\\theta}(x^{(i)})-y^{(i)})^2$$\n"
            "$$=\\frac{\\partial}{\\partial\\theta_j}\\frac{1}{2m}\\sum_{i=1}^m"
            "(\\theta_0+\\theta_1x^{(i)}-y^{(i)})^2$$\n\n"
            "$$\\frac{\\partial}{\\partial\\theta_1}J(\\theta_0,\\theta_1)=\\frac{1}{m}"
            "\\sum_{i=1}^m(h_{\\theta}(x^{(i)})-y^{(i)})x^{(i)}$$\n\n"
            "$$\\frac{\\partial}{\\partial\\theta_1}J(\\theta_0,\\theta_1)=\\frac{1}{m}"
            "\\sum_{i=1}^m(h_{\\theta}(x^{(i)})-y^{(i)})$$\n")
    report = checked(tmp_path, text)
    assert [str(s.verdict) for s in report.steps] == ["definition", "definition", "checked",
                                                      "refuted"]
    assert "read as its definition" in report.steps[1].message


def test_a_premise_in_words_makes_a_false_step_undecided(tmp_path: pathlib.Path) -> None:
    # the words state something about p that the math does not: what they say is not checked
    text = ("$$f = p^2 + (1 - p)^2$$\n\nAs $p$ is a probability, this is:\n\n"
            "$$f = 1 - 2p + 2p^2 + p$$\n\nand so\n\n$$f = 1 - 2p + 2p^2 + p$$\n")
    report = checked(tmp_path, text)
    stated = report.steps[1]
    assert str(stated.verdict) == "undecided"
    assert "the words before it state a premise on p" in stated.links[0].message
    assert str(report.steps[2].verdict) == "refuted"  # words with no premise
