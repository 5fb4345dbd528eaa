"""Readings of notation as real posts write it, each a case a post's true step was refuted on:
d both a derivative's d and a sum's index, a sum's index beside a derivative's variable, σ
defined by the post as the softmax, labels a one-hot assumption fixes, entries written out at
one size, a name a line introduces."""

from __future__ import annotations

import pathlib

from derive.verify.check import check_files, check_latex
from tests.test_check import steps_of, write

SOFTMAX = {"i": "C", "j": "C", "d": "C"}


def test_d_is_the_derivative_even_where_it_is_also_a_sums_index() -> None:
    definition = r"y_i = \frac{e^{x_i}}{\sum_{d=1}^{C} e^{x_d}}"
    (document,) = check_latex([definition, r"\frac{dy_i}{dx_i} = y_i (1 - y_i)"],
                              indices=SOFTMAX, sizes={"C": 3}).documents
    assert document.steps[1].verdict == "checked"
    (document,) = check_latex([definition, r"\frac{dy_i}{dx_i} = y_i"],
                              indices=SOFTMAX, sizes={"C": 3}).documents
    assert document.steps[1].verdict == "refuted"


def test_a_rangeless_sum_runs_over_the_letter_not_in_a_derivatives_variable() -> None:
    lines = [r"y_i = \frac{e^{x_i}}{\sum_{d=1}^{C} e^{x_d}}",
             r"L = -\sum_{i=1}^{C} t_i \log(y_i)",
             r"\frac{dL}{dx_j} = -\sum t_i \frac{1}{y_i} \frac{dy_i}{dx_j}"]
    (document,) = check_latex(lines, indices=SOFTMAX, sizes={"C": 3},
                              domains={"t_i": "{0,1}"}).documents
    last = document.steps[2]
    assert last.verdict == "checked", last.message
    assert r"\sum read as \sum_{i=1}^{C}" in last.message
    # with no other letter, the variable's own letter is the index
    (document,) = check_latex([r"\sum \frac{\partial f}{\partial x_j} = 0"],
                              indices={"j": "C"}, sizes={"C": 3}).documents
    assert r"\sum read as \sum_{j=1}^{C}" in document.steps[0].message


SIGMA_SOFTMAX = """\
[symbols]
A_j = { domain = "real" }
Y_k = { domain = "{0,1}" }

[indices]
i = "C"
j = "C"
k = "C"

[settings]
sizes = { C = 3 }

[definitions]
"\\\\sigma(A_i)" = { latex = '\\frac{e^{A_i}}{\\sum_{j=1}^{C} e^{A_j}}', note = "the softmax" }
H = { latex = '- \\sum_{k=1}^{C} Y_k \\log(\\sigma(A_k))', note = "the cross-entropy" }

[[step]]
id = "chain"
latex = '\\frac{\\partial H}{\\partial A_i} = - \\sum_{k=1}^{C} Y_k DLOG'


[[step]]
id = "true class"
latex = '- \\sum_{k=1}^{C} Y_k DLOG = \\sigma(A_i) - 1'
assume = ['Y_i = 1', '\\sum_k Y_k = 1']

[[step]]
id = "other class"
latex = '- \\sum_{k=1}^{C} Y_k DLOG = \\sigma(A_i) - 1'
assume = ['Y_i = 0', '\\sum_k Y_k = 1']

[[step]]
id = "logistic"
latex = '\\sigma(A_1) = \\frac{1}{1 + e^{-A_1}}'
""".replace("DLOG", r"\frac{\partial \log(\sigma(A_k))}{\partial A_i}")


def test_a_builtin_function_the_post_defines_is_its_definition(tmp_path: pathlib.Path) -> None:
    steps = steps_of(write(tmp_path, SIGMA_SOFTMAX))
    assert steps["chain"].verdict == "checked"
    # σ is the softmax here, not the logistic function
    assert steps["logistic"].verdict == "refuted"


def test_labels_an_assumption_fixes_are_every_assignment_it_allows(
        tmp_path: pathlib.Path) -> None:
    steps = steps_of(write(tmp_path, SIGMA_SOFTMAX))
    assert steps["true class"].verdict == "conditional"
    # for a class that is not the true one the line is false where the assumptions hold,
    # and the counterexample is one of those points: Y_i = 0 and the labels sum to 1
    wrong = steps["other class"]
    assert wrong.verdict == "refuted"
    (link,) = wrong.links
    point = dict(link.outcome.point)
    labels = [point[f"Y{'₁₂₃'[k]}"] for k in range(3)]
    i = int(point["i"])
    assert sorted(labels) == ["0", "0", "1"] and labels[i - 1] == "0"


def test_entries_written_out_fix_the_size_a_claim_is_checked_at(
        tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[indices]
i = "n"

[settings]
sizes = { n = 2 }

[definitions]
z = { latex = '\\theta_1 x_1 + \\theta_2 x_2', note = "two features" }

[[step]]
id = "entry"
latex = '\\frac{\\partial}{\\partial\\theta_i} \\sigma(z) = \\sigma(z) (1 - \\sigma(z)) x_i'

[[step]]
id = "wrong"
latex = '\\frac{\\partial}{\\partial\\theta_i} \\sigma(z) = \\sigma(z) x_i'
""")
    steps = steps_of(path)
    # z has two terms: θ₃ is no entry of this file, so n = 3 is not tried
    assert steps["entry"].verdict == "checked"
    assert "n = 2" in steps["entry"].links[0].message
    assert steps["wrong"].verdict == "refuted"


def test_sums_not_written_out_are_still_tried_one_size_larger() -> None:
    (document,) = check_latex([r"\sum_{j=1}^{C} j = 6"], indices={"j": "C"},
                              sizes={"C": 3}).documents
    assert document.steps[0].verdict == "refuted"


def test_a_line_introducing_a_name_in_a_file_is_its_definition(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[[step]]
id = "new"
latex = 'L = -\\log(p) = \\log(1/p)'

[[step]]
id = "claim"
latex = 'L = \\log(p)'
""")
    (document,) = check_files([path]).documents
    new, claim = document.steps
    assert new.defines == "L" and new.verdict.holds
    assert any("written here for the first time" in r for r in new.readings)
    assert claim.verdict == "refuted"


def test_digits_right_after_a_letter_index_it() -> None:
    (document,) = check_latex([r"W1x + b1 = W_1 x + b_1"]).documents
    step = document.steps[0]
    assert step.verdict == "proved"
    assert "W1 read as W_1" in step.message and "b1 read as b_1" in step.message
    # never a factor: A2 = 2A was read as 2A = 2A, proved
    (document,) = check_latex([r"z = A2 + A2", r"= 2 A_2"]).documents
    assert document.steps[1].verdict == "proved"
    (document,) = check_latex([r"x 2 = 2x", r"2.5x = x2.5"]).documents
    assert [s.verdict for s in document.steps] == ["proved", "proved"]
    assert "read as" not in document.steps[0].message


def test_softmax_is_read_entry_by_entry() -> None:
    indices = {"i": "C", "k": "C"}
    lines = [r"p_i = \mathrm{softmax}(z)_i",
             r"\frac{\partial p_i}{\partial z_i} = p_i (1 - p_i)",
             r"\frac{\partial p_i}{\partial z_i} = p_i"]
    (document,) = check_latex(lines, indices=indices, sizes={"C": 3}).documents
    definition, right, wrong = document.steps
    assert definition.defines == "p_i" and "softmax(z)_i read as" in definition.message
    assert right.verdict == "checked" and wrong.verdict == "refuted"
    (document,) = check_latex([r"softmax(z)_1 = \frac{e^{z_1}}{\sum_{k=1}^{C} e^{z_k}}"],
                              indices=indices, sizes={"C": 3}).documents
    assert document.steps[0].verdict == "checked"
    # the vector itself is not a number: never decided as one (it defines a name's
    # entries only, y = softmax(z))
    for text in (r"\mathrm{softmax}(z)", r"\text{softmax}(x)", "softmax(x)"):
        (document,) = check_latex([f"{text} = 1"], indices=indices).documents
        assert document.steps[0].verdict == "undecided"
        assert "with an entry" in document.steps[0].links[0].message


def test_braces_around_one_character_in_a_subscript_name_the_same_entry() -> None:
    lines = [r"L_i = -\log(\frac{e^{f_{y_{i}}}}{\sum_j e^{f_j}}) = -f_{y_i} + \log(\sum_j e^{f_j})"]
    (document,) = check_latex(lines, indices={"i": "C", "j": "C"}, sizes={"C": 3}).documents
    assert document.steps[0].verdict == "checked"


def test_if_then_is_a_definition_and_a_claim_about_its_derivative() -> None:
    line = r"if\;y=\frac{1}{1+e^{-x}},\;\mathrm{then}\;\frac{\partial{y}}{\partial{x}}=y(1-y)"
    (document,) = check_latex([line]).documents
    step = document.steps[0]
    assert step.verdict == "proved" and step.defines == "y"
    assert "'if' before the first equation read as a word" in step.message
    wrong = line.replace("y(1-y)", "y(1+y)")
    (document,) = check_latex([wrong]).documents
    assert document.steps[0].verdict == "refuted"
    # a word that only begins with the letters is still letters
    (document,) = check_latex([r"iff = 2"]).documents
    assert "'if'" not in document.steps[0].message


ALIASES = """\
[symbols]
w = { shape = ["d", "1"] }
x_i = { shape = ["d", "1"] }
y_i = { domain = "{0,1}" }

[indices]
i = "N"

[settings]
sizes = { N = 2, d = 2 }

[aliases]
y = { means = "y_i", steps = ["sum"], why = "the label of example i inside the sum" }
W = { means = "w", steps = ["typo", "array"], why = "W is w" }
NNL = { means = "NLL", why = "a typo for NLL" }

[[step]]
id = "sum"
latex = 'NLL = - \\sum_{i=1}^N[(1-y)\\log(1-\\sigma(w^Tx_i))+y\\log(\\sigma(w^Tx_i))]'
define = true

[[step]]
id = "typo"
lhs = '\\frac{\\partial NNL}{\\partial w}'
latex = '= \\sum_{i=1}^N (\\sigma(W^Tx_i) - y_i) x_i'

[[step]]
id = "array"
latex = 'W^T x_i = x_i^T w'
"""


def test_aliases_of_arrays_and_of_words_are_read_as_their_names(
        tmp_path: pathlib.Path) -> None:
    # both lines were internal errors (a scalar alias inside a sum of matrix products, W
    # read as a number beside the array w) and NNL was N·N·L
    steps = steps_of(write(tmp_path, ALIASES))
    assert steps["sum"].verdict == "definition" and steps["sum"].defines == "NLL"
    typo = steps["typo"]
    assert "internal error" not in typo.message and "NLL" in str(typo.links[0].lhs)
    assert steps["array"].verdict.holds
    wrong = ALIASES.replace("x_i = x_i^T w", "x_i = 2 x_i^T w")
    steps = steps_of(write(tmp_path, wrong, name="wrong.toml"))
    assert steps["array"].verdict == "refuted"


def test_a_scalar_claim_on_a_name_defined_by_arrays_is_undecided_never_an_error(
        tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[symbols]
A = { shape = ["1", "n"] }
Y = { shape = ["1", "n"] }

[settings]
sizes = { n = 2 }

[definitions]
C = { latex = '(A - Y)(A - Y)^T', note = "the squared error" }

[[step]]
id = "by A"
latex = '\\frac{\\partial C}{\\partial a} = 2 a'
""")
    step = steps_of(path)["by A"]
    assert step.verdict in ("undecided", "ill-formed")
    assert "internal error" not in step.message


def test_an_unreadable_lhs_is_an_unreadable_step(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[[step]]
id = "a"
lhs = '\\\\ell(w, (a, b))'
latex = '= 2'
""")
    step = steps_of(path)["a"]
    assert step.verdict == "unreadable" and "the step's lhs" in step.message
    assert "internal error" not in step.message


def test_a_differential_of_another_shape_is_undecided_with_the_reason(
        tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[symbols]
X = { shape = ["m", "n"] }
y = { shape = ["m", "1"] }
w = { shape = ["n", "1"] }

[settings]
sizes = { m = 3, n = 2 }
vary  = ["w"]

[[step]]
id = "L"
latex = "L = (y-Xw)'(y-Xw)"
define = true

[[step]]
id = "dL"
latex = "dL = dw'(-2X'y+2X'Xw)"
""")
    step = steps_of(path)["dL"]
    assert "internal error" not in step.message
    assert step.verdict != "refuted"


def test_a_function_written_first_inside_a_chain_is_named_by_the_side_after_it(
        tmp_path: pathlib.Path) -> None:
    post = tmp_path / "softplus.md"
    post.write_text("$$y = softplus(x) = f(x) = \\log(1 + e^{x})$$\n\n"
                    "$$f'(x) = \\frac{1}{1 + e^{-x}}$$\n\n$$f'(x) = \\frac{1}{1 + e^{x}}$$\n")
    (document,) = check_files([str(post)]).documents
    first, right, wrong = document.steps
    assert first.verdict == "proved"
    assert "f(x) is written here for the first time" in first.message
    assert right.verdict == "proved" and wrong.verdict == "refuted"
    # a wrong formula is caught on the link before it, not hidden by the name
    post.write_text("$$\\frac{d}{dx}\\log(1 + e^{x}) = g(x) = \\frac{1}{1 + e^{x}}$$\n")
    (document,) = check_files([str(post)]).documents
    assert document.steps[0].verdict == "refuted"


def test_names_a_line_writes_first_on_one_side_only_leave_a_refutation_undecided() -> None:
    lines = [r"y = \frac{e^x - e^{-x}}{e^x + e^{-x}}", r"y = \frac{u - v}{u + v}"]
    (document,) = check_latex(lines).documents
    step = document.steps[1]
    assert step.verdict == "undecided"
    assert "u, v are written here for the first time" in step.links[0].message
    # a claim about fresh names alone is still refuted, and so is one about known names
    (document,) = check_latex([r"\sum_{j=1}^{3} y_j = 1"]).documents
    assert document.steps[0].verdict == "refuted"
    (document,) = check_latex([lines[0], r"y = \frac{e^x + e^{-x}}{e^x - e^{-x}}"]).documents
    assert document.steps[1].verdict == "refuted"


BY_VALUE = """\
[symbols]
y = { domain = "{0,1}" }
z = { domain = "real" }

[definitions]
L = { latex = '-(y\\log(\\sigma(z)) + (1-y)\\log(1-\\sigma(z)))', note = "BCE" }

[[step]]
id = "chain"
latex = '\\frac{\\partial L}{\\partial z} = DL DS'

[[step]]
id = "right"
latex = 'DL = -\\frac{y}{\\sigma(z)} + \\frac{1-y}{1-\\sigma(z)}'

[[step]]
id = "sign"
latex = 'DL = -\\frac{y}{\\sigma(z)} - \\frac{1-y}{1-\\sigma(z)}'

[[step]]
id = "operator"
latex = '\\frac{\\partial}{\\partial \\sigma(z)} (z\\sigma(z)) = z'

[[step]]
id = "not written"
latex = '\\frac{\\partial}{\\partial \\sigma(z)} \\frac{1}{1 + e^{-z}} = 1'
""".replace("DL", r"\frac{\partial L}{\partial \sigma(z)}").replace(
    "DS", r"\frac{\partial \sigma(z)}{\partial z}")


def test_a_derivative_by_a_functions_value_holds_the_rest_fixed(
        tmp_path: pathlib.Path) -> None:
    steps = steps_of(write(tmp_path, BY_VALUE))
    assert steps["chain"].verdict == "proved"
    assert "read as the derivative by the value σ(z)" in steps["chain"].message
    assert steps["right"].verdict == "proved"
    assert steps["sign"].verdict == "refuted"  # the forum's sign slip, written this way
    from derive.emit.render import text as render_text

    said = render_text(steps["sign"].links[0].diagnosis)
    assert "inner derivative of log(1 − σ(z)) dropped" in said, said
    assert steps["operator"].verdict == "proved"
    # σ(z) written out is not σ(z) as such: no derivative by it is read into the formula
    assert steps["not written"].verdict == "undecided"


def test_calligraphic_and_plain_letters_written_in_one_document_are_two_names(
        tmp_path: pathlib.Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("$$L = -y\\log(p) - (1-y)\\log(1-p)$$\n\n$$\\mathcal{L} = 2L$$\n\n"
                    "$$\\frac{\\partial \\mathcal{L}}{\\partial p} = "
                    "2\\frac{\\partial L}{\\partial p}$$\n\n"
                    "$$\\frac{\\partial \\mathcal{L}}{\\partial p} = "
                    "\\frac{\\partial L}{\\partial p}$$\n")
    (document,) = check_files([str(post)]).documents
    assert [s.verdict for s in document.steps] == ["definition", "definition", "proved",
                                                   "refuted"]
    assert document.steps[1].defines == "Lcal"
    assert any("\\mathcal{L} and L are two names" in a for a in document.assumed)
    # alone, \mathcal{L} is L, as before
    post.write_text("$$\\mathcal{L} = -y\\log(p)$$\n\n"
                    "$$\\frac{\\partial L}{\\partial p} = -\\frac{y}{p}$$\n")
    (document,) = check_files([str(post)]).documents
    assert document.steps[1].verdict == "proved"


def test_a_script_capital_prints_as_itself_and_spells_itself_in_ascii() -> None:
    from derive.core.terminal import ASCII_FORMS
    from derive.core.unicode import pretty_name

    assert pretty_name("Lcal") == "ℒ" and pretty_name("Lcal_i") == "ℒᵢ"
    assert ASCII_FORMS["ℒ"] == "calL"
    assert pretty_name("Lcalx") == "Lcalx"  # a word that only begins so is not one


def test_a_refutation_through_reading_a_calligraphic_letter_as_the_plain_one_is_undecided(
        tmp_path: pathlib.Path) -> None:
    # ℒ and L both written, never related: read as one name, a refutation may be of two
    post = tmp_path / "post.md"
    claim = "$$\\frac{\\partial \\mathcal{L}}{\\partial p} = 2(y - p)$$\n"
    post.write_text("$$L = (y - p)^2$$\n\n" + claim)
    (document,) = check_files([str(post)]).documents
    assert [str(s.verdict) for s in document.steps] == ["definition", "undecided"]
    assert "the document writes both" in document.steps[1].links[0].message
    post.write_text("$$\\mathcal{L} = (y - p)^2$$\n\n" + claim)  # ℒ alone: refuted
    (document,) = check_files([str(post)]).documents
    assert [str(s.verdict) for s in document.steps] == ["definition", "refuted"]


def test_a_lowercase_t_after_an_array_is_its_transpose(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[symbols]
w = { shape = ["d", "1"] }
x = { shape = ["d", "1"] }

[settings]
sizes = { d = 2 }

[[step]]
id = "t"
latex = 'w^t x = x^T w'

[[step]]
id = "power"
latex = 'z^t = z^{t}'
""")
    steps = steps_of(path)
    assert steps["t"].verdict.holds and "^t after an array read as its transpose" in \
        steps["t"].message
    assert steps["power"].verdict == "proved" and "transpose" not in steps["power"].message


def test_a_capital_t_after_an_array_is_its_transpose_where_t_is_also_a_size(
        tmp_path: pathlib.Path) -> None:
    # T tokens, A a T×T matrix: A^T transposes A; a scalar's x^T stays a power by T
    path = write(tmp_path, """\
[symbols]
A = { shape = ["T", "T"] }
v = { shape = ["T", "1"] }
x = { domain = "real" }

[indices]
i = "T"

[settings]
sizes = { T = 3 }

[[step]]
id = "t"
latex = '(A^T v)^T = v^T A'

[[step]]
id = "power"
latex = 'x^T x = x^{T+1}'
""")
    steps = steps_of(path)
    assert steps["t"].verdict.holds and "^T after an array read as its transpose" in \
        steps["t"].message
    assert steps["power"].verdict == "proved" and "transpose" not in steps["power"].message


def test_a_document_writing_sigma_as_a_sum_of_exponentials_names_the_softmax(
        tmp_path: pathlib.Path) -> None:
    post = tmp_path / "softmax.md"
    post.write_text("$$\\sigma(A_i) = \\frac{e^{A_i}}{\\sum_{j=1}^{C} e^{A_j}}$$\n\n"
                    "$$\\frac{\\partial \\sigma(A_i)}{\\partial A_k} = -\\sigma(A_i)\\sigma(A_k)$$"
                    "\n\nwhen $i \\neq k$.\n")
    (document,) = check_files([str(post)]).documents
    first = document.steps[0]
    assert first.verdict == "definition" and "is the softmax" in first.message
    # the logistic function is still σ where the document writes it so
    post.write_text("$$\\sigma(z) = \\frac{1}{1+e^{-z}}$$\n\n"
                    "$$\\frac{d\\sigma(z)}{dz} = \\sigma(z)(1-\\sigma(z))$$\n")
    (document,) = check_files([str(post)]).documents
    assert [s.verdict for s in document.steps] == ["proved", "proved"]


def test_a_posts_macros_hold_in_every_display_of_the_document(tmp_path: pathlib.Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("An answer.\n\n$$\\def\\p#1#2{\\frac{\\partial #1}{\\partial #2}}$$\n\n"
                    "$$\\p{}{x} x^2 = 2x$$\n\n$$\\p{}{x} x^3 = 2x^2$$\n")
    (document,) = check_files([str(post)]).documents
    assert [s.verdict for s in document.steps] == ["proved", "refuted"]
    assert "\\p read as the post's macro" in document.steps[0].message


def test_a_proof_file_gives_the_posts_macros_in_its_document_table(
        tmp_path: pathlib.Path) -> None:
    path = tmp_path / "macros.toml"
    path.write_text(r"""[document]
title = "macros"
macros = '\def\o{{\tt1}}\def\p#1#2{\frac{\partial #1}{\partial #2}}'

[[step]]
id = "used"
latex = '\p{}{x} x^2 = 2x'
""")
    assert steps_of(str(path))["used"].verdict == "proved"
    bad = tmp_path / "bad.toml"
    bad.write_text('[document]\nmacros = "no definition here"\n\n[[step]]\nid = "a"\n'
                   'latex = "x = x"\n')
    (document,) = check_files([str(bad)]).documents
    assert document.error is not None and "macros holds no definition" in str(document.error)


def test_the_frobenius_product_binds_loosest_and_takes_1_as_the_ones(
        tmp_path: pathlib.Path) -> None:
    """y:Xβ is y:(Xβ) as matrix-calculus answers write it; 1:v beside a column is 𝟏ᵀv."""
    path = write(tmp_path, r"""
[symbols]
X = { shape = ["n", "k"] }
"\\beta" = { shape = ["k", "1"] }
y = { shape = ["n", "1"] }
v = { shape = ["n", "1"] }

[settings]
sizes = { n = 3, k = 2 }

[[step]]
id = "colon"
latex = 'y:X\beta = y^T X \beta'

[[step]]
id = "ones"
latex = '1:v = \mathbf{1}^T v'

[[step]]
id = "wrong"
latex = '1:v = 2 \mathbf{1}^T v'
""")
    steps = steps_of(path)
    assert steps["colon"].verdict.holds and steps["ones"].verdict.holds
    assert steps["wrong"].verdict == "refuted"


def test_a_file_that_declares_e_reads_it_as_its_name(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, r"""
[symbols]
e = { shape = ["n", "1"] }
u = { shape = ["n", "1"] }

[settings]
sizes = { n = 3 }

[[step]]
id = "name"
latex = 'u:e = u^T e'
""")
    assert steps_of(path)["name"].verdict.holds  # e was Euler's number: u : e, ill-formed


def test_a_name_subscripted_by_the_variable_is_never_a_constant_of_it(
        tmp_path: pathlib.Path) -> None:
    """h_θ(x) that nothing writes, read as h_θ times x: named by θ, it depends on θ, so a
    derivative by θ is undecided (it was 0 on both sides, and proved)."""
    post = tmp_path / "post.md"
    post.write_text("$$\\frac{\\partial}{\\partial\\theta} \\log(h_\\theta(x)) = "
                    "\\frac{\\partial}{\\partial\\theta} \\log(\\sigma(x))$$\n")
    (document,) = check_files([str(post)]).documents
    step = document.steps[0]
    assert step.verdict == "undecided" and "named by θ" in step.links[0].message


def test_a_define_step_written_as_a_call_defines_a_function(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, r"""
[[step]]
id = "f"
latex = 'f(w) = w^2 + 3w'
define = true

[[step]]
id = "derivative"
latex = '\frac{d}{dw} f(w) = 2w + 3'
""")
    steps = steps_of(path)
    assert steps["f"].defines == "f" and steps["derivative"].verdict.holds


ARRAY_FUNCTIONS = r"""
[symbols]
X = { shape = ["m", "n"] }
y = { shape = ["m", "1"] }
w = { shape = ["n", "1"] }
u = { shape = ["m", "1"] }

[settings]
sizes = { m = 3, n = 2 }
layout = "numerator"

[functions]
names = ["f", "g", "h"]

[definitions]
"g(u)" = { latex = 'u^T u' }
"h(w)" = { latex = 'y - X w' }
"f(w)" = { latex = '(y - X w)^T(y - X w)' }

[[step]]
id = "g"
latex = "g'(u) = 2 u^T"

[[step]]
id = "h"
latex = "h'(w) = - X"

[[step]]
id = "composed"
latex = 'f(w) = g(h(w))'

[[step]]
id = "gradient"
latex = "f'(w)^T = 2 X^T (X w - y)"

[[step]]
id = "wrong"
latex = "f'(w)^T = 2 X^T (y - X w)"

[[step]]
id = "at a point"
latex = "f'(w) = g'(h(w)) h'(w)"
"""


def test_a_function_of_an_array_is_primed_as_its_jacobian(tmp_path: pathlib.Path) -> None:
    """g(u) = uᵀu defined with u an array: g'(u) is the Jacobian by u (a row, numerator
    layout), g(h(w)) the definition applied; g' at a point other than a name is undecided."""
    steps = steps_of(write(tmp_path, ARRAY_FUNCTIONS))
    assert all(steps[k].verdict.holds for k in ("g", "h", "composed", "gradient"))
    assert steps["wrong"].verdict == "refuted"
    assert steps["at a point"].verdict == "undecided"


def test_diag_of_a_name_defined_as_a_vector(tmp_path: pathlib.Path) -> None:
    """diag(p) with p = σ(z) defined (no shape declared for p): read once the definitions
    are written in; diag(X) of a declared matrix is still refused."""
    steps = steps_of(write(tmp_path, r"""
[symbols]
z = { shape = ["n", "1"] }

[settings]
sizes = { n = 3 }

[definitions]
p = { latex = '\sigma(z)' }

[[step]]
id = "jacobian"
latex = '\frac{\partial p}{\partial z} = \mathrm{diag}(p) - \mathrm{diag}(p)\mathrm{diag}(p)'

[[step]]
id = "wrong"
latex = '\frac{\partial p}{\partial z} = \mathrm{diag}(p)'
"""))
    assert steps["jacobian"].verdict.holds
    assert steps["wrong"].verdict == "refuted"


def test_a_word_alone_on_the_left_of_a_step_is_one_name(tmp_path: pathlib.Path) -> None:
    """loss = … in a proof file: loss is one name, said (a run of four letters or more is
    otherwise an unknown word, refused)."""
    path = tmp_path / "loss.toml"
    path.write_text(r"""[[step]]
id = "define"
latex = 'loss = -\log(p)'
define = true

[[step]]
id = "use"
latex = '\frac{d}{dp} loss = -\frac{1}{p}'
""")
    (document,) = check_files([str(path)]).documents
    assert [s.verdict for s in document.steps] == ["definition", "proved"]
    assert any("loss is one name" in said for said in document.assumed)


GRADIENT_ENTRY = r"""
[symbols]
x = { shape = ["n", "1"], entries = "x_1" }
x_i = { domain = "real" }

[indices]
i = "n"
j = "n"

[settings]
sizes = { n = 3 }

[functions]
names = ["f"]

[[step]]
id = "f"
latex = 'f(x) = \log \sum_{i=1}^n e^{x_i}'
define = true

[[step]]
id = "gradient"
latex = '\nabla f(x)_i = \frac{e^{x_i}}{\sum_{j=1}^n e^{x_j}}'

[[step]]
id = "wrong"
latex = '\nabla f(x)_i = e^{x_i}'

[[step]]
id = "bare"
latex = 'f(x)_i = 1'
"""


def test_the_entry_of_a_gradient_is_the_derivative_by_the_entry(
        tmp_path: pathlib.Path) -> None:
    """∇f(x)_i is ∂f/∂x_i, said; f(x)_i anywhere else is refused."""
    steps = steps_of(write(tmp_path, GRADIENT_ENTRY))
    assert steps["gradient"].verdict.holds and "entry i of its gradient" in \
        steps["gradient"].message
    assert steps["wrong"].verdict == "refuted"
    assert steps["bare"].verdict == "unreadable"


def test_a_plain_text_continuation_is_never_chained_to_an_earlier_line(
        tmp_path: pathlib.Path) -> None:
    """A post typed without delimiters: swish'(x) = … is math (a name of several letters
    before a bracket may be a function), and the = … line after it continues it, not the
    definition two lines above (a true step was refuted against that)."""
    post = tmp_path / "post.md"
    post.write_text("swish(x) = x * sigmoid(b * x)\n\n"
                    "swish'(x) = sigmoid(b*x) + b * x * sigmoid(b*x) * (1 - sigmoid(b*x))\n\n"
                    "= sigmoid(b*x) * (1 + b * x * (1 - sigmoid(b*x)))\n")
    (document,) = check_files([str(post)]).documents
    assert [s.verdict for s in document.steps] == ["definition", "proved", "proved"]


def test_a_power_by_a_letter_that_indexes_names_is_refused() -> None:
    # s^i is the i-th s: (e^z)^i beside it is no power
    import pytest

    from derive.core.context import Context
    from derive.core.errors import ParseError
    from derive.read.latex import parse_relation

    where = Context(indices={"i": "N"})
    with pytest.raises(ParseError, match="a power by the index letter i"):
        parse_relation(r"s^i = \frac{(e^z)^i}{(e^z)^1 + (e^z)^2}", where)
    assert str(parse_relation(r"s^i = (e^z)^2", where).sides[1]) == "exp(2*z)"


def test_an_entry_of_the_hessian_by_the_functions_argument(tmp_path: pathlib.Path) -> None:
    text = ("$$f(x) = \\log \\sum_{i=1}^n e^{x_i}$$\n\n"
            "$$\\nabla f(x)_i = \\frac{e^{x_i}}{\\sum_{k=1}^n e^{x_k}}$$\n\n"
            "$$\\nabla^2 f(x)_{i, j} = -\\frac{e^{x_i} e^{x_j}}{(\\sum_{k=1}^n e^{x_k})^2}$$\n\n"
            "$$\\nabla^2 f(x)_{i, j} = \\begin{cases} \\frac{e^{x_i}}{\\sum_{k=1}^n e^{x_k}} - "
            "\\frac{e^{2x_i}}{(\\sum_{k=1}^n e^{x_k})^2} & i = j \\\\ -\\frac{e^{x_i} e^{x_j}}"
            "{(\\sum_{k=1}^n e^{x_k})^2} & i \\neq j \\end{cases}$$\n")
    post = tmp_path / "hessian.md"
    post.write_text(text)
    steps = check_files([str(post)]).documents[0].steps
    assert [str(s.verdict) for s in steps] == ["definition", "checked", "refuted", "checked"]
    assert "the entry (i, j) of its Hessian" in steps[3].message


def test_names_with_a_greek_subscript_or_a_label_print_as_written() -> None:
    from derive.core.unicode import pretty_name

    assert [pretty_name(n) for n in ("h_theta", "A__O", "A_i__O", "x_1", "A^O")] == [
        "h_θ", "A^O", "Aᵢ^O", "x₁", "A^O"]
