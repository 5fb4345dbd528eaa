r"""The reader on the notation of posts: one test per construct, with the value read and the
"read as" note every tolerant reading leaves on its line (``Relation.readings``), and the
refusals that keep an ambiguous or unknown text from being misread.

Classes, as measured on the development corpus: sentence punctuation; primes; commands,
words and macros; the extent of sums; derivative fractions; superscripts on names.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import parse_domain
from derive.core.errors import AmbiguityError, ParseError
from derive.read.latex import (
    Frobenius,
    Relation,
    parse_expression,
    parse_lines,
    parse_name,
    parse_relation,
)


def context(functions: tuple[str, ...] = (), indices: dict[str, str] | None = None,
            arrays: dict[str, tuple[str, str]] | None = None, **domains: str) -> Context:
    symbols = {name: SymbolInfo(name, parse_domain(domain)) for name, domain in domains.items()}
    for name, shape in (arrays or {}).items():
        symbols[name] = SymbolInfo(name, shape=shape)
    return Context(symbols=symbols, functions=frozenset(functions), indices=indices or {})


PLAIN = Context()


def S(name: str) -> sp.Symbol:
    return PLAIN.symbol(name)


x, y, z, w, a, b, c, d = (S(n) for n in "xyzwabcd")


def D(expr: sp.Expr, *variables: sp.Expr) -> sp.Expr:
    return sp.Derivative(expr, *variables, evaluate=False)


def prime(function: Callable[[sp.Expr], sp.Expr], point: sp.Expr) -> sp.Expr:
    t = sp.Dummy("t")
    return sp.Subs(sp.Derivative(function(t), t, evaluate=False), t, point)


def read(text: str, where: Context = PLAIN) -> Relation:
    """The one relation of a text."""
    (relation,) = parse_lines(text, where)
    return relation


def said(relation: Relation, *fragments: str) -> None:
    """Each fragment is said in one of the relation's readings."""
    for fragment in fragments:
        assert any(fragment in reading for reading in relation.readings), (
            fragment, relation.readings)


# ---- 1. sentence punctuation ---------------------------------------------------------------


def test_a_full_stop_after_an_equation_is_left_out_and_said() -> None:
    where = context(indices={"j": "C"})
    relation = read(r"= -\sum_j^C \ell_j.", where)
    assert relation.continues
    assert relation.sides == (-sp.Sum(S("ell_j"), (S("j"), 1, S("C"))),)
    said(relation, "'.' after the formula read as the end of a sentence")


def test_a_full_stop_after_a_matrix_and_a_comma_after_a_function() -> None:
    relation = read(r"v = \begin{bmatrix} 1 \\ 2 \end{bmatrix}.")
    assert relation.sides == (S("v"), sp.ImmutableMatrix([[1], [2]]))
    said(relation, "'.' after the formula")
    relation = read(r"f = \mathrm{sech}^2(z),")
    assert relation.sides == (S("f"), sp.sech(z) ** 2)
    said(relation, "',' after the formula read as punctuation")


def test_a_full_stop_before_a_line_break_or_a_tag() -> None:
    first, second = parse_lines(r"a = b. \\ = c.")
    assert first.sides == (a, b) and second.sides == (c,)
    said(first, "'.' after the formula")
    said(second, "'.' after the formula")
    relation = read(r"a = b. \tag{3}")
    assert relation.tag == "3"


@pytest.mark.parametrize(("text", "value"), [
    (r"\sigma.(1-\sigma)", S("sigma") * (1 - S("sigma"))),
    (r"e^{x}.(e^{-x} + 1)", sp.exp(x) * (sp.exp(-x) + 1)),
    (r"\theta^T.x_i", S("theta") * S("x_i")),
    (r"- \frac{a}{b} . \frac{c}{d}", -a * c / (b * d)),
])
def test_a_full_stop_between_two_factors_is_a_product(text: str, value: sp.Expr) -> None:
    relation = read(text)
    assert relation.sides == (value,)
    said(relation, "'.' between two factors read as a product")


def test_a_full_stop_between_arrays_is_the_matrix_product() -> None:
    where = context(arrays={"X": ("m", "n"), "w": ("n", "1")})
    assert parse_expression(r"X.w", where) == parse_expression(r"X w", where)


def test_a_full_stop_anywhere_else_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression("f(.5)")
    assert caught.value.message.startswith("cannot read '.' here")
    assert caught.value.column == 3
    # after a number, a full stop may end a sentence (x = 1. y = 2) or be a decimal point
    for text in ("x = 1. y = 2", "2 . 5"):
        with pytest.raises(ParseError) as caught:
            parse_lines(text)
        assert caught.value.message.startswith("cannot read '.' here")


def test_decimals_are_numbers_not_products() -> None:
    assert parse_expression("0.5 x") == x / 2


def test_the_null_delimiters_of_a_bracket_broken_across_lines() -> None:
    relation = read(r"f = \left( a + b \right. \\ \left. + c \right)")
    assert relation.sides == (S("f"), a + b + c)
    said(relation, r"a bracket broken across lines with \right. and \left. read as one line")
    relation = read(r"\left. a + b \right.")
    assert relation.sides == (a + b,)
    said(relation, r"the null delimiter '\left.' left out")


@pytest.mark.parametrize("remark", [
    r",\:\: i=1,\cdots,n : j=1,\cdots,c",
    r",\quad i = 1, \dots, n",
    r", \quad j \in \{1, \dots, C\}",
])
def test_a_range_remark_after_an_equation_is_left_out(remark: str) -> None:
    relation = read(r"\frac{\partial E}{\partial Y_j} = -\frac{Y_j}{P_j}" + remark)
    assert relation.sides == (D(S("E"), S("Y_j")), -S("Y_j") / S("P_j"))
    said(relation, "after the equation left out")


def test_two_equations_joined_by_a_comma_are_two_claims() -> None:
    from derive.core.functions import sigmoid

    first, second = parse_lines(
        r"\tanh(x) = 2\sigma(2x) - 1,\quad \sigma'(x) = \sigma(x)(1 - \sigma(x))")
    assert first.sides == (sp.tanh(x), 2 * sigmoid(2 * x) - 1)
    assert second.sides == (prime(sigmoid, x), sigmoid(x) * (1 - sigmoid(x)))
    assert not second.continues
    said(first, "',' between two equations read as a break between two claims")



@pytest.mark.parametrize("text", [
    r"z = 0 \Rightarrow \sigma(z) = \frac{1}{2}",             # a condition
    r"\sigma(z) = \frac{1}{2} \Rightarrow e^{-z} = 1",        # a condition
    r"X^T(Xw - y) = 0 \Rightarrow X^TXw = X^Ty",               # solving
    r"X^TXw = X^Ty \Rightarrow w = (X^TX)^{-1}X^Ty",           # solved for w
    r"y = \sigma(z), \quad L = -\log y",                       # a definition
])
def test_a_break_next_to_a_condition_a_definition_or_a_solution_is_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_lines(text)
    assert "as two claims" in caught.value.message


@pytest.mark.parametrize("text", [r"\Rightarrow w = (X^TX)^{-1}X^Ty",
                                  r"\Rightarrow X^TXw = X^Ty"])
def test_a_consequence_that_states_no_derivative_is_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_lines(text)
    assert "follows from the line before" in caught.value.message


def test_a_comma_inside_brackets_is_not_punctuation() -> None:
    assert parse_expression(r"\max(x, 0)") == sp.Max(x, 0)
    assert parse_expression(r"\max\{0, -y\}") == sp.Max(0, -y)
    with pytest.raises(ParseError):
        parse_expression("(a, b)")


# ---- 2. primes -----------------------------------------------------------------------------

ARRAYS = context(arrays={"X": ("m", "n"), "y": ("m", "1"), "w": ("n", "1")})


def transposed(text: str) -> sp.Expr:
    """The value of the same text written with ^T."""
    return parse_expression(text, ARRAYS)


def test_a_prime_on_a_declared_array_is_its_transpose() -> None:
    relation = read("X'y", ARRAYS)
    assert relation.sides == (transposed("X^T y"),)
    said(relation, "X' read as the transpose X^T")
    relation = read("w'X'", ARRAYS)
    assert relation.sides == (transposed("w^T X^T"),)
    said(relation, "w' read as the transpose", "X' read as the transpose")


def test_a_prime_on_an_undeclared_function_before_a_bracket_is_refused() -> None:
    # y'(x) is the derivative of y at x, never y'·x (y is no declared function)
    with pytest.raises(ParseError) as caught:
        parse_expression("y'(x) = 1 - y^2", context(x="real"))
    assert "a prime before a bracket is read only on a declared function" in \
        caught.value.message
    assert parse_expression("X'(Xw)", ARRAYS) == transposed("X^T(Xw)")


def test_a_prime_after_a_bracket_of_arrays_is_its_transpose() -> None:
    relation = read("(y-Xw)'(y-Xw)", ARRAYS)
    assert relation.sides == (transposed("(y-Xw)^T(y-Xw)"),)
    said(relation, "a prime after an array read as its transpose")


def test_a_typographic_prime_on_a_declared_function() -> None:
    s = sp.Function("s")
    assert parse_expression("s’(x)", context(("s",))) == prime(s, x)
    assert parse_expression(r"l^{\prime}(z)", context(("l",))) == prime(sp.Function("l"), z)


def test_a_prime_after_a_bracket_of_one_variable_is_its_derivative() -> None:
    relation = read(r"(ln(1+e^{x}))’")
    assert relation.sides == (D(sp.log(1 + sp.exp(x)), x),)
    said(relation, "a prime after an expression of one variable, x, read as its derivative by x")


def test_a_prime_on_a_name_when_one_variable_is_declared() -> None:
    relation = read("u' = e^x", context(x="real"))
    assert relation.sides == (D(S("u"), x), sp.exp(x))
    said(relation, "u' read as the derivative of u by x (the one variable declared)")


@pytest.mark.parametrize(("text", "where"), [
    ("u'", context(x="real", t="real")),  # two variables: which one is not said
    ("u'", PLAIN),
    ("(x y)'", PLAIN),
    ("(1 - x)'", PLAIN),  # a transpose of an undeclared vector, or a derivative: not said
    ("X''", ARRAYS),
])
def test_a_prime_that_says_no_one_thing_is_refused(text: str, where: Context) -> None:
    with pytest.raises(ParseError):
        parse_expression(text, where)


# ---- 3. commands, words, macros ------------------------------------------------------------


@pytest.mark.parametrize(("text", "name"), [
    (r"\mathcal{L}", "L"), (r"\mathbb{R}", "R"), (r"\Bbb R", "R"), (r"\textbf{X}", "X"),
    (r"\boldsymbol{w}", "w"), (r"\mathscr{L}", "L"),
])
def test_a_style_on_a_name_is_that_name(text: str, name: str) -> None:
    assert parse_expression(text) == S(name)
    assert parse_name(text) == name


def test_a_bold_name_declared_as_an_array_is_the_array() -> None:
    where = context(arrays={"X": ("n", "1"), "A": ("n", "n")})
    value = parse_expression(r"\textbf{X}^{\text{T}} \textbf{A} \textbf{X}", where)
    assert value == parse_expression("X^T A X", where)
    assert value.atoms(sp.MatrixSymbol) == {where.matrix("X"), where.matrix("A")}


def test_a_word_in_rm_is_one_name_and_prose_words_are_prose() -> None:
    from derive.core.functions import sigmoid

    assert parse_expression(r"{\rm BCE}") == S("BCE")
    relation = read(r"g = a(y-p) \qquad {\rm where}\;\; p = \sigma(z)")
    assert relation.sides == (S("g"), a * (y - S("p")))
    said(relation, "the clause 'where p=\\sigma(z)' after the equation left out (a definition "
                   "said in passing)")
    assert sigmoid(z) == parse_expression(r"\sigma(z)")
    assert read(r"\operatorname{since}(a) - b = 1").sides == (a - b, 1)


def test_tex_fractions_with_over() -> None:
    assert parse_expression(r"1-{2 \over e^{2x}+1}") == 1 - 2 / (sp.exp(2 * x) + 1)
    assert parse_expression(r"{1\over{1+e^{-x}}}") == 1 / (1 + sp.exp(-x))


def test_boxed_and_underbrace_are_read_as_their_content() -> None:
    relation = read(r"\boxed{\frac{d}{dz} z^2 = 2z}")
    assert relation.sides == (D(z**2, z), 2 * z)
    said(relation, r"\boxed{…} read as its content")
    relation = read(r"L = a \cdot \underbrace{\frac{\partial y}{\partial b}}_{=\,1} + c")
    assert relation.sides == (S("L"), a * D(y, b) + c)
    said(relation, r"\underbrace{…} read as its content (its label left out)")


@pytest.mark.parametrize(("text", "value"), [
    (r"\operatorname{sech}(x)", sp.sech(x)),
    (r"\text{sech}^2(x)", sp.sech(x) ** 2),
    (r"\mathrm{sech}^2 z", sp.sech(z) ** 2),
    (r"\operatorname{arctan}(x)", sp.atan(x)),
    (r"\text{tanh}^2(x)", sp.tanh(x) ** 2),
])
def test_an_upright_function_word_is_the_function(text: str, value: sp.Expr) -> None:
    assert parse_expression(text) == value


@pytest.mark.parametrize("text", [r"\text{logsumexp}(x)", r"\operatorname{foo}(x)",
                                  r"\mathrm{argmax}(z)"])
def test_an_unknown_upright_word_before_an_operand_is_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert caught.value.message.startswith("unknown function")


@pytest.mark.parametrize(("text", "value"), [
    ("2cosh(x)", 2 * sp.cosh(x)),
    ("exp(-abs(x))", sp.exp(-sp.Abs(x))),
    ("tanh(x)", sp.tanh(x)),
    ("log(1 + exp(-x))", sp.log(1 + sp.exp(-x))),
    ("max(x, 0) - x * z", sp.Max(x, 0) - x * z),
    ("sinh(x)/cosh(x)", sp.sinh(x) / sp.cosh(x)),
    ("sigma(z)", sp.Function("sigmoid")(z)),
])
def test_bare_function_words_are_the_functions(text: str, value: sp.Expr) -> None:
    from derive.core.functions import sigmoid

    assert parse_expression(text) == value.replace(sp.Function("sigmoid"), sigmoid)


@pytest.mark.parametrize("text", ["softargmax(x)", "argmax(z)", "cost(w)", "logit(p)", "lnx"])
def test_an_unknown_word_is_refused_never_a_product_of_letters(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert caught.value.message.startswith("cannot read")


def test_a_word_declared_is_one_name_and_letters_stay_products() -> None:
    assert parse_expression("MSE", context(MSE="real")) == S("MSE")
    assert parse_expression("dy_i", context(dy_i="real")) == S("dy_i")
    assert parse_expression("wx") == w * x


def test_trigonometric_and_hyperbolic_commands_and_a_logarithm_with_a_base() -> None:
    assert parse_expression(r"\tan x + \sin x \cos x") == sp.tan(x) + sp.sin(x) * sp.cos(x)
    assert parse_expression(r"\sinh(x) \cosh(x)") == sp.sinh(x) * sp.cosh(x)
    assert parse_expression(r"\log_2 x") == sp.log(x) / sp.log(2)
    assert parse_expression(r"\log_a (x)") == sp.log(x) / sp.log(a)


def test_norms() -> None:
    assert parse_expression(r"\|x\|") == sp.Abs(x)
    assert parse_expression(r"\left\| x \right\|^2") == x**2
    where = context(arrays={"w": ("d", "1")})
    value = parse_expression(r"\frac{1}{2}\|w\|^2", where)
    assert value.atoms(Frobenius)
    assert parse_expression(r"\|w\|_2^2", where) == parse_expression(r"\|w\|^2", where)
    with pytest.raises(ParseError) as caught:
        parse_expression(r"\|w\|", where)
    assert "read squared" in caught.value.message


def test_matrix_literals() -> None:
    assert parse_expression(r"\begin{pmatrix}0.5&-0.5\end{pmatrix}") == sp.ImmutableMatrix(
        [[sp.Rational(1, 2), -sp.Rational(1, 2)]])
    assert parse_expression(r"\left(\begin{array}{cc} a & b \\ c & d \end{array}\right)") == \
        sp.ImmutableMatrix([[a, b], [c, d]])
    with pytest.raises(ParseError):
        parse_expression(r"\begin{bmatrix} a & b \\ c \end{bmatrix}")
    with pytest.raises(ParseError):
        parse_expression(r"\begin{pmatrix} a \end{bmatrix}")


def test_a_posts_own_macros_are_expanded_and_said() -> None:
    relation = read(r"\newcommand{\R}{\mathbb{R}} \def\p#1#2{\frac{\partial #1}{\partial #2}}"
                    r" \p{\ell}{\beta} = \R")
    assert relation.sides == (D(S("ell"), S("beta")), S("R"))
    said(relation, r"\p read as the post's macro: \frac{\partial #1}{\partial #2}",
         r"\R read as the post's macro")
    assert parse_expression(r"\DeclareMathOperator{\sech}{sech} \sech(x)") == sp.sech(x)
    assert parse_expression(r"\def\o{{\tt1}}\def\x{y} \x") == y


@pytest.mark.parametrize(("text", "message"), [
    (r"\def\x{\x}\x", "macros expand more than 500 times"),
    (r"\def\x{\x\x\x\x\x\x\x\x\x\x}\x", "macros expand"),
    (r"\newcommand{\frac}{1}", "cannot redefine '\\frac'"),
    (r"\def\p#2{x}", "a macro's parameters must be #1, #2, ... in order"),
    (r"\newcommand{\x}[1][0]{#1}", "a macro with an optional argument is not read"),
])
def test_macros_that_cannot_be_expanded_safely_are_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_lines(text)
    assert caught.value.message.startswith(message)
    assert caught.value.text == text


def test_an_error_after_a_macro_points_into_the_text_as_given() -> None:
    text = "\\def\\x{(a}\nb + \\x"
    with pytest.raises(ParseError) as caught:
        parse_lines(text)
    assert caught.value.text == text
    assert (caught.value.line, caught.value.column) == (2, 5)


def test_an_implication_between_two_equations_is_a_break_between_claims() -> None:
    f = sp.Function("f")
    first, second = parse_lines(r"f(x) = e^{-x} \Rightarrow f'(x) = -e^{-x}", context(("f",)))
    assert first.sides == (f(x), sp.exp(-x))
    assert second.sides == (prime(f, x), -sp.exp(-x))
    said(first, r"'\Rightarrow' read as a break between two claims")
    relation = read(r"\Rightarrow \frac{d\sigma}{dx}=\sigma.(1-\sigma)")
    assert relation.sides == (D(S("sigma"), x), S("sigma") * (1 - S("sigma")))
    said(relation, r"'\Rightarrow' before the line left out")
    first, second = parse_lines(r"\frac{dy}{dx} = y \implies \frac{d^2y}{dx^2} = y")
    assert (first.sides, second.sides) == ((D(y, x), y), (D(y, (x, 2)), y))


@pytest.mark.parametrize("sign", [":=", r"\coloneqq", r"\triangleq", r"\equiv",
                                  r"\stackrel{\text{def}}{=}"])
def test_definition_signs_read_as_equals(sign: str) -> None:
    relation = read(f"L {sign} (y - a)^2")
    assert relation.sides == (S("L"), (y - a) ** 2)
    assert relation.defining
    said(relation, "read as '=' (a definition)")
    assert not read("L = (y - a)^2").defining


def test_a_minus_sign_typed_as_a_dash() -> None:
    relation = read("a – b = a − b")
    assert relation.sides == (a - b, a - b)
    said(relation, "'–' read as a minus sign")


# ---- 4. sums -------------------------------------------------------------------------------


def test_a_sum_followed_by_terms_without_its_index_takes_the_product_after_it() -> None:
    relation = read(r"\sum_{j=1}^{d} w_j x_j - y")
    j = S("j")
    family_w, family_x = sp.IndexedBase(S("w")), sp.IndexedBase(S("x"))
    assert relation.sides == (sp.Sum(family_w[j] * family_x[j], (j, 1, d)) - y,)
    said(relation, r"the sum's body read as the product after it", "do not use j")


def test_a_following_sum_over_the_same_letter_does_not_use_the_index() -> None:
    where = context(indices={"j": "C", "k": "C"})
    value = parse_expression(r"\exp(o_k) \sum_j \exp(o_j) - \exp(o_k) \exp(o_k)", where)
    j, C = S("j"), S("C")
    assert value == sp.exp(S("o_k")) * sp.Sum(sp.exp(S("o_j")), (j, 1, C)) - \
        sp.exp(2 * S("o_k"))


@pytest.mark.parametrize("text", [
    r"\sum_i x_i - y_i",
    r"\sum_{i=1}^{m} y_i \log p_i + (1 - y_i)\log(1 - p_i)",
    r"\lim_{h \to 0} f h + g",
])
def test_a_sum_whose_following_terms_use_its_index_is_still_ambiguous(text: str) -> None:
    with pytest.raises(AmbiguityError) as caught:
        parse_expression(text, context(("f", "g")))
    assert len(caught.value.readings) == 2


def test_a_sum_whose_body_starts_with_a_minus() -> None:
    value = parse_expression(r"C \sum_{i=1}^n -x_{i}y_i z")
    i, n = S("i"), S("n")
    family_x, family_y = sp.IndexedBase(S("x")), sp.IndexedBase(S("y"))
    assert value == S("C") * sp.Sum(-z * family_x[i] * family_y[i], (i, 1, n))


def test_a_sum_without_range_takes_its_index_from_the_body() -> None:
    where = context(indices={"i": "C"})
    relation = read(r"L = -\sum t_i \frac{1}{y_i}", where)
    i, C = S("i"), S("C")
    assert relation.sides == (S("L"), -sp.Sum(S("t_i") / S("y_i"), (i, 1, C)))
    said(relation, r"\sum read as \sum_{i=1}^{C} (its index from the subscripts of its body)")


def test_a_sum_without_range_is_never_given_a_guessed_count() -> None:
    # another line may write the range this one leaves out (\sum_{i=1}^{m}): a count of the
    # reader's own would make the two sums differ
    for text in (r"\sum_i y_i", r"-\sum t_i \frac{1}{y_i}"):
        with pytest.raises(ParseError) as caught:
            parse_expression(text)
        assert caught.value.message == ("sum without range: write \\sum_{i=1}^{m}, or "
                                        "declare the range of i")


@pytest.mark.parametrize("text", [r"\sum \delta", r"\sum w_{ij} x_j y_i"])
def test_a_sum_without_range_or_one_index_is_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text, context(indices={"i": "C", "j": "C"}))
    assert caught.value.message.startswith("sum without range")


# ---- 5. derivative fractions ---------------------------------------------------------------


def test_a_derivative_fraction_where_d_is_also_an_index() -> None:
    where = context(indices={"d": "K", "i": "K", "j": "K"})
    relation = read(r"\frac{dy_i}{dx_j} = \sum_d e^{x_d}", where)
    assert relation.sides[0] == D(S("y_i"), S("x_j"))


@pytest.mark.parametrize(("text", "value"), [
    (r"\frac{\delta L}{\delta y}", D(S("L"), y)),
    (r"\frac{\delta}{\delta w_1} L", D(S("L"), S("w_1"))),
    (r"{\delta T \over \delta x}", D(S("T"), x)),
])
def test_delta_for_partial_in_a_derivative_fraction(text: str, value: sp.Expr) -> None:
    relation = read(text)
    assert relation.sides == (value,)
    said(relation, r"\delta read as \partial")


def test_a_delta_that_is_not_a_derivative_marker() -> None:
    assert parse_expression(r"\frac{\delta_{ij}}{x}") == sp.KroneckerDelta(S("i"), S("j")) / x
    assert parse_expression(r"\frac{1}{\delta x}") == 1 / (S("delta") * x)
    declared = context(delta="real")
    assert parse_expression(r"\frac{\delta L}{\delta y}", declared) == S("L") / y


def test_partial_of_a_braced_name_with_a_label() -> None:
    relation = read(r"\frac{\partial{E}}{\partial{Z^{O}}}")
    assert relation.sides == (D(S("E"), S("Z^O")),)


def test_double_braces_around_a_denominator() -> None:
    assert parse_expression(r"\frac{\partial g}{{\partial y_i}}") == D(S("g"), S("y_i"))


@pytest.mark.parametrize(("text", "value", "reading"), [
    ("dy/dx", D(y, x), r"'dy/dx' read as \frac{dy}{dx}"),
    ("d/dx f", D(S("f"), x), r"'d/dx' read as \frac{d}{dx}"),
    (r"\partial L/\partial w", D(S("L"), w), r"read as \frac{\partial L}{\partial w}"),
    ("dy_i/dx", D(S("y_i"), x), r"'dy_i/dx' read as \frac{dy_i}{dx}"),
])
def test_inline_derivatives(text: str, value: sp.Expr, reading: str) -> None:
    relation = read(text)
    assert relation.sides == (value,)
    said(relation, reading)


def test_inline_division_by_d_is_not_a_derivative_when_d_is_declared() -> None:
    where = context(d="real")
    d_ = where.symbol("d")
    assert parse_expression("dy/dx", where) == d_ * y / d_ * x  # left to right, as written


def test_nabla_without_a_variable_takes_the_argument() -> None:
    f = sp.Function("f")
    relation = read(r"\nabla f(w)", context(("f",)))
    assert relation.sides == (D(f(w), w),)
    said(relation, "the gradient by w, the argument of f")
    with pytest.raises(ParseError):
        parse_expression(r"\nabla L")


# ---- 6. superscripts on names --------------------------------------------------------------


def test_an_example_index_in_brackets_is_one_name() -> None:
    relation = read(r"y^{(i)}")
    assert relation.sides == (S("y^(i)"),)
    said(relation, "y^{(i)} read as one name, y^(i)")
    assert not read("W^{(1)}").readings  # a layer number: the documented convention


def test_an_index_letter_as_a_superscript_is_the_example() -> None:
    where = context(indices={"i": "m"})
    relation = read(r"\hat{y}^i", where)
    assert relation.sides == (S("yhat^(i)"),)
    said(relation, "the i-th example (not a power)")
    assert parse_expression("y^i") == y ** S("i")  # no index declared: a power, as before


@pytest.mark.parametrize(("text", "name"), [
    ("W^Q", "W^Q"), ("Z^{O}", "Z^O"), (r"A^{\text{prev}}", "A^prev"), ("Z^{O}_{0}", "Z^O_0"),
    (r"\delta^{\text{prev}}", "delta^prev"),
])
def test_a_label_superscript_makes_one_name(text: str, name: str) -> None:
    relation = read(text)
    assert relation.sides == (S(name),)
    said(relation, "a label, not a power")
    assert parse_name(text) == name


def test_a_declared_name_with_a_label_is_read_without_a_note() -> None:
    where = context(**{"W^Q": "real"})
    relation = read("x W^Q", where)
    assert relation.sides == (x * where.symbol("W^Q"),)
    assert relation.readings == ()


def test_superscripts_that_stay_powers_or_transposes() -> None:
    assert parse_expression("p^Y (1-p)^{1-Y}") == S("p") ** S("Y") * (1 - S("p")) ** (1 - S("Y"))
    assert parse_expression(r"\delta^L") == S("delta") ** S("L")
    assert parse_expression("x^T") == x
    assert parse_expression("e^X") == sp.exp(S("X"))
    assert parse_expression("x^N", context(N="count")) == x ** context(N="count").symbol("N")
    assert parse_expression("x^n") == x ** S("n")


def test_index_letters_as_superscripts_are_refused() -> None:
    where = context(indices={"i": "T", "j": "T"})
    with pytest.raises(ParseError) as caught:
        parse_expression("A^{ij}", where)
    assert "tensor notation" in caught.value.message


def test_a_power_written_on_a_declared_function() -> None:
    relation = read("1 - Tanh^2(x)", context(("Tanh",)))
    assert relation.sides == (1 - sp.Function("Tanh")(x) ** 2,)
    said(relation, "Tanh^2(…) read as (Tanh(…))^2")
    with pytest.raises(ParseError):
        parse_expression(r"\sigma^{-1}(z)")


def test_an_increment_under_a_limit_is_one_name() -> None:
    relation = read(r"\lim_{\Delta x \to 0} \frac{f(x+\Delta x)-f(x)}{\Delta x}",
                    context(("f",)))
    (limit,) = relation.sides
    assert isinstance(limit, sp.Limit)
    assert limit.args[1] == S("Δx")
    said(relation, r"\Delta x read as one name, the increment Δx")


# ---- the report ----------------------------------------------------------------------------


def test_each_line_of_a_block_keeps_its_own_readings() -> None:
    first, second = parse_lines(r"\begin{aligned} a &= \sigma.(1-\sigma) \\ &= b. \end{aligned}")
    said(first, "between two factors")
    said(second, "after the formula")
    assert not any("after the formula" in r for r in first.readings)


def test_relation_equality_ignores_readings() -> None:
    assert parse_relation("a = b.") == Relation((a, b))


def test_the_checker_lists_the_readings_in_the_step_report() -> None:
    from derive.verify.check import check_latex

    report = check_latex([r"\frac{d}{dx} e^{x}.(e^{-x} + 1) = e^x."], domains={"x": "real"})
    (step,) = report.documents[0].steps
    assert step.verdict == "proved"
    assert step.readings == ("'.' between two factors read as a product",
                             "'.' after the formula read as the end of a sentence")
    assert "'.' between two factors read as a product" in step.message


# ---- functions written without their argument ------------------------------------------------


def test_functions_without_their_argument_take_the_variable_the_line_gives() -> None:
    # S'(x) = (f/g)': f and g are functions of x, the argument the line gives S
    relation = parse_relation(r"S'(x) = \left(\frac{f}{g}\right)' = \frac{0g - g'1}{g^2}",
                              context(("S", "f", "g")))
    x = S("x")
    f, g = sp.Function("f"), sp.Function("g")
    assert relation.sides[1] == sp.Derivative(f(x) / g(x), x)
    assert relation.sides[2] == -sp.Derivative(g(x), x) / g(x) ** 2
    assert "functions written without their argument read as functions of x" in \
        relation.readings


def test_a_line_with_no_variable_gives_its_functions_one_of_their_own() -> None:
    relation = parse_relation(r"\left(\frac{f}{g}\right)' = \frac{f'g - g'f}{g^2}",
                              context(("f", "g")))
    t = S("t")
    f, g = sp.Function("f"), sp.Function("g")
    assert relation.sides[0] == sp.Derivative(f(t) / g(t), t)
    assert sp.simplify(relation.sides[0].doit() - relation.sides[1].doit()) == 0


def test_functions_without_their_argument_beside_two_variables_are_refused() -> None:
    with pytest.raises(ParseError, match="which variable"):
        parse_relation(r"f' = a + b", context(("f",)))


def test_a_function_then_its_derivative_after_rightarrow_are_two_claims() -> None:
    # a derivative does not follow from a value at a point: the second is a claim of its own
    lines = parse_lines(r"f(x) = 1 \Rightarrow f'(x) = 0", context(("f",)))
    assert len(lines) == 2
    assert "'\\Rightarrow' read as a break between two claims" in lines[0].readings + \
        lines[1].readings
    with pytest.raises(ParseError, match="Rightarrow"):
        parse_lines(r"f(x) = 1 \Rightarrow x = 0", context(("f",)))
