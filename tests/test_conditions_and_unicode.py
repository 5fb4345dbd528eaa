r"""A line's own condition (``\quad x < 0``, ``, i = j``, ``\text{if } x > 0``) read as the
claim's assumption; Unicode letters, signs and scripts (σ, ≠, Z², Wᵀ) read as their LaTeX; the
proof file's ``prime`` setting, ``entries = "z_i"`` and the domains ``negative`` and
``nonpositive``; and verdicts kept from lying where an assumption or a definition could not
be read."""

from __future__ import annotations

import pathlib
import random

import pytest

from derive.core.context import Context
from derive.core.domains import Discrete, Interval, intersected, parse_domain
from derive.core.outcomes import Verdict
from derive.read.latex import Relation, is_order, parse_expression, parse_lines, parse_order
from derive.read.proofs import load
from derive.verify.check import check_document

PLAIN = Context()
x, z, s = (PLAIN.symbol(n) for n in "xzs")


def read(text: str, where: Context = PLAIN) -> Relation:
    (relation,) = parse_lines(text, where)
    return relation


def checked(tmp_path: pathlib.Path, text: str) -> list[object]:
    path = tmp_path / "claims.toml"
    path.write_text(text, encoding="utf-8")
    report = check_document(load(str(path)))
    assert report.error is None, report.error
    return list(report.steps)


# ---- a line's own condition -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "condition"), [
    (r"f = 1 \quad x > 0", "x > 0"),
    (r"f = 1 \quad \text{for } x > 0", "x > 0"),
    (r"f = 1, \text{ if } x \geq 0.", r"x \geq 0"),
    (r"f = 1 \text{ if } x < 0", "x < 0"),
    (r"f = 1 if x<0", "x<0"),
    (r"f = 1 (x>0)", "x>0"),
    (r"f = p_i(1 - p_i),\quad i = j", "i = j"),
    (r"f = -p_i p_j,\quad i \neq j.", r"i \neq j"),
    (r"f = 0 \text{ when } z_i < -1", "z_i < -1"),
])
def test_a_condition_after_the_equation_is_the_claims_assumption(text: str,
                                                                 condition: str) -> None:
    relation = read(text)
    assert relation.conditions == (condition,)
    assert len(relation.sides) == 2
    assert any("read as the condition under which the line holds" in r
               for r in relation.readings), relation.readings


@pytest.mark.parametrize("text", [
    r"a = 1, b = 2",          # two equations: '=' is a condition only between index letters
    r"y = x, \quad x = 0",    # a value set, not a condition
    r"y = 2x \quad",           # nothing after the space
    r"x < 0",                 # an order with no equation before it
])
def test_what_is_not_a_condition(text: str) -> None:
    try:
        relations = parse_lines(text)
    except Exception:  # refused as before: only the reading as a condition is tested here
        return
    assert all(not relation.conditions for relation in relations)


def test_an_order_is_read_between_two_expressions() -> None:
    assert is_order(r"x \leq 0") and is_order("x<1") and not is_order(r"i \neq j")
    assert parse_order(r"x \geq 0") == (x, "≥", 0)
    assert parse_order("0 < z") == (0, "<", z)


def test_the_domain_under_an_order() -> None:
    below = Interval(float("-inf"), 0.0)
    assert intersected(parse_domain("real"), below) == below
    assert intersected(parse_domain("positive"), below) is None
    assert intersected(parse_domain("[0,1]"), Interval(0.5, float("inf"), low_open=False)) == \
        Interval(0.5, 1.0, low_open=False, high_open=False)
    assert intersected(parse_domain("{-1,1}"), below) == Discrete(parse_domain("{-1}").values)


RELU = r"""
[symbols]
x = { domain = "real" }

[functions]
names = ["f"]

[definitions]
"f(x)" = { latex = '\max(0, x)' }

[[step]]
id    = "A"
latex = "f'(x) = 1 \\quad \\text{for } x > 0"

[[step]]
id    = "B"
latex = "f'(x) = 0 \\quad x > 0"

[[step]]
id    = "C"
latex = "f'(x) = 1"
"""


def test_a_claim_holds_under_its_condition_and_is_refuted_only_inside_it(
        tmp_path: pathlib.Path) -> None:
    under, wrong, unconditioned = checked(tmp_path, RELU)
    assert under.verdict == Verdict.CONDITIONAL  # type: ignore[attr-defined]
    assert "holds when x > 0" in under.links[0].message  # type: ignore[attr-defined]
    assert wrong.verdict == Verdict.REFUTED  # type: ignore[attr-defined]
    point = dict(wrong.links[0].outcome.point)  # type: ignore[attr-defined]
    assert float(point["x"]) > 0, point
    assert unconditioned.verdict == Verdict.REFUTED  # type: ignore[attr-defined]


SOFTMAX_CASES = r"""
[symbols]
z_j = { domain = "real" }

[indices]
i = "C"
j = "C"
k = "C"

[settings]
sizes = { C = 3 }

[[step]]
id     = "D0"
latex  = 'S_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}}'
define = true

[[step]]
id    = "D1"
latex = '\frac{\partial S_i}{\partial z_k} = S_i (1 - S_k), \quad i = k'

[[step]]
id    = "D2"
latex = '\frac{\partial S_i}{\partial z_k} = -S_i S_k \quad \text{for } i \neq k'

[[step]]
id    = "D3"
latex = '\frac{\partial S_i}{\partial z_k} = S_i S_k, \quad i \neq k'
"""


def test_index_conditions_written_on_the_line(tmp_path: pathlib.Path) -> None:
    _, diagonal, off, wrong = checked(tmp_path, SOFTMAX_CASES)
    assert diagonal.verdict == Verdict.CONDITIONAL  # type: ignore[attr-defined]
    assert off.verdict == Verdict.CONDITIONAL  # type: ignore[attr-defined]
    assert wrong.verdict == Verdict.REFUTED  # type: ignore[attr-defined]


# ---- Unicode --------------------------------------------------------------------------------


def test_unicode_letters_signs_and_scripts_read_as_their_latex() -> None:
    where = Context()
    assert parse_expression("σ(x)", where) == parse_expression(r"\sigma(x)", where)
    assert parse_expression("α·x²", where) == parse_expression(r"\alpha \cdot x^{2}", where)
    assert parse_expression("e^{x}·x⁻¹", where) == parse_expression(r"e^{x} x^{-1}", where)
    assert parse_expression("θ₁ + θ₂", where) == parse_expression(r"\theta_{1} + \theta_{2}",
                                                                   where)
    relation = read("∂s_i/∂z_j = −s_i s_j, \\quad i ≠ j")
    assert relation.conditions == (r"i \neq j",)


SWISH = r"""
[symbols]
x = { domain = "real" }

[definitions]
y = { latex = 'x \sigma(x)' }

[[step]]
id    = "W1"
latex = 'y’ = x’ . σ(x) + x . σ(x)’'

[[step]]
id    = "W2"
latex = 'σ(x)’ = σ(x).(1 – σ(x))'
"""


def test_a_post_in_plain_unicode_with_the_variables_own_prime(tmp_path: pathlib.Path) -> None:
    product_rule, sigmoid = checked(tmp_path, SWISH)
    assert product_rule.verdict == Verdict.PROVED, product_rule  # type: ignore[attr-defined]
    assert sigmoid.verdict == Verdict.PROVED, sigmoid  # type: ignore[attr-defined]
    assert any("x' read as the derivative of x by x" in r
               for r in product_rule.readings)  # type: ignore[attr-defined]


# ---- sums, primes, entries, domains ---------------------------------------------------------


LAYER_NORM = r"""
[symbols]
x_k = { domain = "real" }

[indices]
i = "N"
j = "N"
k = "N"

[settings]
sizes = { N = 3 }
prime = "x_j"

[[step]]
id     = "L0"
latex  = '\mu = \frac{1}{N}\sum_{k=1}^{N} x_k'
define = true

[[step]]
id    = "L1"
latex = "\\mu' = \\frac{1}{N}"

[[step]]
id    = "L2"
latex = "(x_i - \\mu)' = \\delta_{ij} - \\mu'"

[[step]]
id    = "L3"
latex = "(x_i - \\mu)' = \\delta_{ij}"
"""


def test_the_files_prime_is_the_derivative_by_its_variable(tmp_path: pathlib.Path) -> None:
    _, mean, centred, wrong = checked(tmp_path, LAYER_NORM)
    assert mean.verdict == Verdict.CHECKED  # type: ignore[attr-defined]
    assert centred.verdict == Verdict.CHECKED  # type: ignore[attr-defined]
    assert wrong.verdict == Verdict.REFUTED  # type: ignore[attr-defined]
    assert any("the file's prime" in r for r in mean.readings)  # type: ignore[attr-defined]


ENTRIES_BY_LETTER = r"""
[symbols]
z = { shape = ["K", "1"], entries = "z_i" }

[indices]
j = "K"

[settings]
sizes = { K = 3 }

[definitions]
Z   = { latex = '\sum_j \exp(z_j)' }
s_i = { latex = '\exp(z_i) / Z' }

[[step]]
id    = "J1"
latex = '∂s_i/∂z_i = s_i(1 − s_i)'
"""


def test_entries_named_by_an_index_letter_make_it_run_over_the_vector(
        tmp_path: pathlib.Path) -> None:
    (step,) = checked(tmp_path, ENTRIES_BY_LETTER)
    assert step.verdict == Verdict.CHECKED, step  # type: ignore[attr-defined]


@pytest.mark.parametrize(("written", "inside", "outside"), [
    ("negative", -0.5, 0.0), ("nonpositive", 0.0, 0.1), ("(-inf, 0)", -3.0, 0.0)])
def test_negative_domains_are_sampled_inside(written: str, inside: float,
                                             outside: float) -> None:
    domain = parse_domain(written)
    assert isinstance(domain, Interval)
    assert domain.contains(inside) and not domain.contains(outside)
    rng = random.Random(1)
    assert all(domain.contains(float(domain.sample(rng, wide))) for wide in (False, True)
               for _ in range(200))


# ---- verdicts that must not lie ---------------------------------------------------------------


ROWS = r"""
[symbols]
h   = { shape = ["1", "H"] }
W_2 = { shape = ["H", "D"] }
b_2 = { shape = ["1", "D"] }
y   = { shape = ["1", "D"] }

[functions]
names = ["softmax", "CE"]

[settings]
sizes = { H = 2, D = 3 }

[[step]]
id     = "D1"
latex  = '&J = CE(y,\hat{y})=-\sum_i y_i log(\hat{y}_i)\\'
define = true

[[step]]
id     = "D2"
latex  = 'z_2 = hW_2+b_2'
define = true

[[step]]
id     = "G1"
latex  = '\frac{\partial J}{\partial h}=\delta_1 \frac{\partial z_2}{\partial h}=\delta_1 W_2^T'
assume = ['\sum_i y_i = 1']
"""


def test_a_definition_that_could_not_be_read_leaves_its_name_undecided(
        tmp_path: pathlib.Path) -> None:
    unread, _, claim = checked(tmp_path, ROWS)
    assert unread.verdict == Verdict.UNREADABLE  # type: ignore[attr-defined]
    assert claim.verdict == Verdict.UNDECIDED, claim  # type: ignore[attr-defined]
    assert all(link.verdict != Verdict.ILL_FORMED  # type: ignore[attr-defined]
               for link in claim.links)  # type: ignore[attr-defined]


UNUSABLE_ASSUMPTION = r"""
[symbols]
p = { shape = ["K", "1"] }
y = { shape = ["K", "1"] }

[settings]
sizes = { K = 3 }

[[step]]
id     = "A"
latex  = 'p - y = p'
assume = ['\sum_k y_k = 1']
"""


def test_an_assumption_a_matrix_claim_cannot_take_in_is_never_refuted_past(
        tmp_path: pathlib.Path) -> None:
    (step,) = checked(tmp_path, UNUSABLE_ASSUMPTION)
    assert step.verdict == Verdict.UNDECIDED, step  # type: ignore[attr-defined]
    assert "cannot take in" in step.links[0].message  # type: ignore[attr-defined]


def test_an_upright_function_name_is_declared_by_its_word(tmp_path: pathlib.Path) -> None:
    text = r"""
[symbols]
x = { domain = "real" }

[functions]
names = ["\\text{GELU}"]

[[step]]
id     = "G0"
latex  = '\text{GELU}(x) = x \cdot \sigma(x)'
define = true

[[step]]
id    = "G1"
latex = '\frac{d}{dx} \text{GELU}(x) = \sigma(x) + x \sigma(x)(1 - \sigma(x))'
"""
    _, derivative = checked(tmp_path, text)
    assert derivative.verdict == Verdict.PROVED, derivative  # type: ignore[attr-defined]


# ---- whole documents ------------------------------------------------------------------------


def documented(tmp_path: pathlib.Path, text: str) -> list[object]:
    from derive.read.documents import read_document

    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    report = check_document(read_document(str(path), text))
    assert report.error is None, report.error
    return list(report.steps)


CASES_IN_WORDS = r"""The softmax is defined as:

S_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}}

where S_i is the output for the i-th class.

  1. When i = k: $$ \frac{\partial S_i}{\partial z_k} = S_i (1 - S_k) $$

  2. When i \neq k: $$ \frac{\partial S_i}{\partial z_k} = -S_i S_k $$
"""


def test_cases_said_in_words_and_a_definition_whose_delimiters_were_lost(
        tmp_path: pathlib.Path) -> None:
    definition, diagonal, off = documented(tmp_path, CASES_IN_WORDS)
    assert definition.verdict == Verdict.DEFINITION  # type: ignore[attr-defined]
    # each line under its own case: never one chain, never refuted against the other
    assert diagonal.verdict == Verdict.CONDITIONAL  # type: ignore[attr-defined]
    assert off.verdict == Verdict.CONDITIONAL  # type: ignore[attr-defined]
    assert off.claim.assume == (r"i \neq k",)  # type: ignore[attr-defined]


def test_lines_under_different_cases_are_not_one_chain_even_undefined(
        tmp_path: pathlib.Path) -> None:
    text = CASES_IN_WORDS.replace(r"S_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}}", "")
    steps = documented(tmp_path, text)
    assert all(step.verdict != Verdict.REFUTED for step in steps)  # type: ignore[attr-defined]


PLAIN_SWISH = """Swish is y = x . σ(x)

y = x . σ(x)

The product rule gives

y’ = x’ . σ(x) + x . σ(x)’

y’ = σ(x) + x . σ(x) . (1 – σ(x))
"""


def test_a_plain_text_post_whose_variable_is_what_its_functions_are_applied_to(
        tmp_path: pathlib.Path) -> None:
    steps = documented(tmp_path, PLAIN_SWISH)
    primed = [s for s in steps if "y’" in s.claim.latex]  # type: ignore[attr-defined]
    assert len(primed) == 2
    assert all(s.verdict == Verdict.PROVED for s in primed), primed  # type: ignore[attr-defined]


def test_prose_with_an_equals_sign_is_not_read_as_bare_latex(tmp_path: pathlib.Path) -> None:
    text = ("$$y = x^2$$\n\nThe value computed here = the \\frac of nothing\n\n"
            "$$\\frac{dy}{dx} = 2x$$\n")
    steps = documented(tmp_path, text)
    assert len(steps) == 2


LAYER_NORM_POST = r"""Layer normalization:

$$\mu = \frac{\sum_{k=1}^{N} x_k}{N}$$

$$\sigma = \sqrt{\frac{\sum_{k=1}^{N} (x_k - \mu)^2}{N}}$$

$$y_i = \frac{x_i - \mu}{\sigma}$$

By the quotient rule

$$\frac{dy_i}{dx_j} = \frac{(x_i - \mu)'\sigma - (x_i - \mu)\sigma'}{\sigma^2}$$

$$\mu' = \frac{1}{N}$$

$$\mu' = \frac{2}{N}$$
"""


def test_primes_on_the_right_of_a_derivative_by_an_entry_are_by_that_entry(
        tmp_path: pathlib.Path) -> None:
    steps = documented(tmp_path, LAYER_NORM_POST)
    quotient, mean, wrong = steps[-3:]
    assert quotient.verdict == Verdict.CHECKED, quotient  # type: ignore[attr-defined]
    assert mean.verdict == Verdict.CHECKED, mean  # type: ignore[attr-defined]
    assert wrong.verdict == Verdict.REFUTED, wrong  # type: ignore[attr-defined]


NAMED_AT_THE_END = r"""
[symbols]
x = { domain = "real" }

[definitions]
L = { latex = '\frac{1}{2}(x - 3)^2' }

[[step]]
id    = "A"
latex = '\frac{dL}{dx} = x - 3 = \delta'

[[step]]
id    = "B"
latex = '\frac{d^2L}{dx^2} = \frac{d\delta}{dx} = 1'

[[step]]
id    = "C"
latex = '\frac{dL}{dx} = x + 3 = \epsilon'
"""


def test_a_name_written_first_at_the_end_of_a_chain_names_the_side_before_it(
        tmp_path: pathlib.Path) -> None:
    named, used, wrong = checked(tmp_path, NAMED_AT_THE_END)
    assert named.verdict == Verdict.PROVED, named  # type: ignore[attr-defined]
    assert len(named.links) == 1  # type: ignore[attr-defined]
    assert any("read as the name of the side before it" in r
               for r in named.readings)  # type: ignore[attr-defined]
    assert used.verdict == Verdict.PROVED, used  # type: ignore[attr-defined]
    assert wrong.verdict == Verdict.REFUTED, wrong  # type: ignore[attr-defined]


ROWS_AS_COLUMNS = r"""
[symbols]
x   = { shape = ["1", "d"] }
W_1 = { shape = ["d", "h"] }
b_1 = { shape = ["h", "1"] }

[settings]
sizes = { d = 2, h = 3 }

[[step]]
id     = "D"
latex  = 'z_1 = xW_1 + b_1'
define = true

[[step]]
id    = "A"
latex = 'z_1^T = W_1^T x^T + b_1'
"""


def test_a_claim_through_a_definition_that_does_not_conform_is_undecided(
        tmp_path: pathlib.Path) -> None:
    _, claim = checked(tmp_path, ROWS_AS_COLUMNS)
    assert claim.verdict == Verdict.UNDECIDED, claim  # type: ignore[attr-defined]
    assert "the definition of z₁ does not conform" in \
        claim.links[0].message  # type: ignore[attr-defined]


# ---- the summation convention and families of variables ------------------------------------


KRONECKER = r"""
[symbols]
w_j = { domain = "real" }

[indices]
i = "n"
j = "n"
k = "n"

[settings]
sizes = { n = 3 }
upper_indices = true

[[step]]
id     = "K1"
lhs    = '\frac{\partial}{\partial w_j}\left[\delta_{ik}(w_i w_k)\right]'
latex  = '''=\delta_{ik}\left[\frac{\partial w_i}{\partial w_j}w_k
           + w_i\frac{\partial w_k}{\partial w_j}\right]'''

[[step]]
id     = "K2"
latex  = '=\delta_{ik}\left[\delta_{ij}w_k + w_i\delta_{kj}\right]'

[[step]]
id     = "K3"
latex  = '= 2 w_j'

[[step]]
id     = "K4"
latex  = '= 2 w_k'
"""


def test_the_summation_convention_with_a_given_left_side_and_a_bracket(
        tmp_path: pathlib.Path) -> None:
    product, deltas, result, wrong = checked(tmp_path, KRONECKER)
    # j is written once in each term of the bracket: free, never summed
    assert product.verdict == Verdict.CHECKED, product  # type: ignore[attr-defined]
    assert deltas.verdict == Verdict.CHECKED, deltas  # type: ignore[attr-defined]
    assert result.verdict == Verdict.CHECKED, result  # type: ignore[attr-defined]
    assert wrong.verdict != Verdict.CHECKED, wrong  # type: ignore[attr-defined]


def test_a_repeated_index_inside_a_derivative_is_never_refuted_without_its_sum(
        tmp_path: pathlib.Path) -> None:
    text = ("$$\\frac{\\partial}{\\partial w_j}\\sum_{k=1}^n w_k^2$$\n\n"
            "$$=\\frac{\\partial}{\\partial w_j}\\left[\\delta_{ik}(w_i w_k)\\right]$$\n")
    steps = documented(tmp_path, text)
    assert steps[-1].verdict == Verdict.UNDECIDED, steps  # type: ignore[attr-defined]
    assert "summation convention" in steps[-1].links[0].message  # type: ignore[attr-defined]


def test_a_vector_written_whole_beside_its_entries_is_not_two_numbers(
        tmp_path: pathlib.Path) -> None:
    text = ("$$ cossim(a,b)=\\frac{a\\cdot{b}}{\\sqrt{a^2\\cdot{b^2}}} $$\n\n"
            "$$ \\frac{\\partial}{\\partial{a}}cossim(a,b)= \\frac{b_1}{|a|\\cdot{|b|}}"
            "-cossim(a,b)\\cdot{\\frac{a_1} {|a|^2}} $$\n")
    steps = documented(tmp_path, text)
    assert steps[-1].verdict == Verdict.UNDECIDED, steps  # type: ignore[attr-defined]
    assert "written whole and by its entries" in \
        steps[-1].links[0].message  # type: ignore[attr-defined]


PLAIN_SENTENCES = """Q1 · Backprop through softmax
Let s = softmax(z) where z ∈ R^K, so s_i = exp(z_i) / Σ_j exp(z_j). Derive the Jacobian.
Differentiate s_i = exp(z_i) / Z with Z = Σ_k exp(z_k). The numerator depends on z_j.
Case i = j. Quotient rule gives ∂s_i/∂z_i = (exp(z_i)·Z − exp(z_i)·exp(z_i)) / Z² = s_i(1 − s_i).
Case i ≠ j. The numerator's derivative is zero, so ∂s_i/∂z_j = −exp(z_i)·exp(z_j)/Z² = −s_i s_j.
"""


def test_equations_that_end_the_sentences_of_a_plain_text_post(tmp_path: pathlib.Path) -> None:
    steps = documented(tmp_path, PLAIN_SENTENCES)
    verdicts = [str(step.verdict) for step in steps]  # type: ignore[attr-defined]
    assert verdicts == ["definition", "definition", "checked", "conditional"], steps
    assert any("'Σ' with a subscript read as the sum sign" in r
               for r in steps[0].readings)  # type: ignore[attr-defined]
    assert steps[3].claim.assume == (r"i \neq j",)  # type: ignore[attr-defined]


def test_a_capital_sigma_alone_is_the_greek_letter() -> None:
    where = Context()
    assert parse_expression("Σ x", where) == parse_expression(r"\Sigma x", where)


@pytest.mark.parametrize(("numerator", "verdict"), [
    ("vu'-uv'", Verdict.PROVED), ("uv'-vu'", Verdict.REFUTED)])
def test_the_quotient_rule_stated_with_letters_is_about_every_function(
        tmp_path: pathlib.Path, numerator: str, verdict: Verdict) -> None:
    text = f"Recall that\n\n$$\\left(\\dfrac{{u}}v\\right)'=\\dfrac{{{numerator}}}{{v^2}}$$\n"
    (step,) = documented(tmp_path, text)
    assert step.verdict == verdict, step  # type: ignore[attr-defined]


def test_a_derivative_by_w_of_a_formula_in_capital_w_is_undecided(
        tmp_path: pathlib.Path) -> None:
    text = ("$$L = -y\\log(\\sigma(Wx + b))$$\n\n"
            "$$\\frac{dL}{dw} = 0$$\n")
    steps = documented(tmp_path, text)
    assert steps[-1].verdict == Verdict.UNDECIDED, steps  # type: ignore[attr-defined]
    assert "writes W" in steps[-1].links[0].message  # type: ignore[attr-defined]


def test_an_entry_of_a_vector_whose_definition_could_not_be_read_is_undecided(
        tmp_path: pathlib.Path) -> None:
    text = ("$$y = \\operatorname{softmax}(z)$$\n\n$$z = hW + b$$\n\n"
            "$$\\frac{\\partial y_j}{\\partial W_{km}} = h_k (y_j - y_j y_m)$$\n")
    steps = documented(tmp_path, text)
    # y = softmax(z) is read, but with no index letter its entries are not written out
    assert steps[0].verdict == Verdict.DEFINITION  # type: ignore[attr-defined]
    assert "entries are not written out" in steps[0].message  # type: ignore[attr-defined]
    assert steps[-1].verdict == Verdict.UNDECIDED, steps  # type: ignore[attr-defined]


WHOLE_ARRAY = r"""
[symbols]
W = { shape = ["n", "n"] }
x = { shape = ["n", "1"] }

[settings]
sizes = { n = 2 }

[[step]]
id     = "D"
latex  = 'y = Wx'
define = true

[[step]]
id    = "A"
latex = '\frac{\partial y_j}{\partial b} = 0'
"""


def test_an_entry_of_an_array_defined_whole_is_undecided(tmp_path: pathlib.Path) -> None:
    _, claim = checked(tmp_path, WHOLE_ARRAY)
    assert claim.verdict == Verdict.UNDECIDED, claim  # type: ignore[attr-defined]
    assert "defined as a whole" in claim.links[0].message  # type: ignore[attr-defined]
