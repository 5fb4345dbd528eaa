r"""The reader never reads a claim into a different one: indexed families and operator names.

A name a sum's index subscripts is an entry of an indexed family (``x_i`` in ``\sum_i`` is
``x[i]``, and ``x_1`` anywhere in the claim is ``x[1]``); ``\operatorname{X}`` and its kin name
a function, never a product of letters.
"""

from __future__ import annotations

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import COUNT, LABEL
from derive.core.errors import ParseError
from derive.core.functions import relu, sigmoid, softplus
from derive.integrations.testing import check_identity
from derive.read.latex import index_families, parse_expression, parse_relation
from derive.verify.check import check_latex

PLAIN = Context()
S = PLAIN.symbol
i, j, k, n, x_, w_ = S("i"), S("j"), S("k"), S("n"), S("x"), S("w")
X, Y, W = (sp.IndexedBase(S(name)) for name in "xyw")


def verdict(*lines: str, **domains: str) -> str:
    report = check_latex(list(lines), domains=domains, budget=5)
    return report.documents[0].steps[-1].verdict


# ---- indexed families: what is read ---------------------------------------------------------


def test_a_name_subscripted_by_a_sums_index_is_an_entry() -> None:
    assert parse_expression(r"\sum_{i=1}^n x_i^2") == sp.Sum(X[i] ** 2, (i, 1, n))


def test_every_subscripted_use_of_the_base_is_an_entry_of_the_same_family() -> None:
    relation = parse_relation(r"\sum_{i=1}^{2} y_i = y_1 + y_2")
    assert relation.sides == (sp.Sum(Y[i], (i, 1, 2)), Y[1] + Y[2])
    # outside the sum, with its index free: one entry of the family, not a new number
    relation = parse_relation(
        r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(w x_i - y_i)^2 = 2(w x_i - y_i)x_i")
    assert sp.expand(relation.sides[1] - 2 * (w_ * X[i] - Y[i]) * X[i]) == 0
    assert not relation.sides[1].atoms(sp.Symbol) & {S("x_i"), S("y_i")}


def test_a_derivative_by_an_entry() -> None:
    relation = parse_relation(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = 2w_k")
    assert relation.sides[0] == sp.Derivative(sp.Sum(W[j] ** 2, (j, 1, S("d"))), W[k])
    assert relation.sides[1] == 2 * W[k]


def test_compound_subscripts_are_index_expressions() -> None:
    relation = parse_relation(r"\sum_{i=1}^{n} (x_{i+1} - x_i) = x_{n+1} - x_1")
    assert relation.sides == (sp.Sum(X[i + 1] - X[i], (i, 1, n)), X[n + 1] - X[1])


def test_two_indices() -> None:
    expected = sp.Sum(W[i, j] * X[j], (j, 1, S("d")))
    assert parse_expression(r"\sum_{j=1}^{d} w_{ij} x_j") == expected
    assert parse_expression(r"\sum_{j=1}^{d} w_{i,j} x_j") == expected
    assert parse_relation(r"\sum_{j=1}^{d} (w_{ij} x_j) = w_{12}").sides[1] == W[1, 2]


def test_names_no_sum_subscripts_stay_symbols() -> None:
    assert parse_expression("x_1 + y_i") == S("x_1") + S("y_i")
    # the sum's index subscripts y only: x_i stays a symbol
    assert parse_expression(r"x_i \sum_{i=1}^n y_i") == S("x_i") * sp.Sum(Y[i], (i, 1, n))


def test_an_entry_carries_the_domain_declared_for_its_family() -> None:
    context = Context(symbols={"y_i": SymbolInfo("y_i", LABEL)})
    value = parse_expression(r"\sum_{i=1}^{n} y_i", context)
    (entry,) = value.atoms(sp.Indexed)
    assert entry.is_integer and entry.is_nonnegative


def test_sums_over_declared_index_letters_keep_symbols() -> None:
    # derive.verify.indexed instantiates those by name (a_j at j = 2 is a_2)
    context = Context(indices={"j": "C"})
    assert parse_expression(r"\sum_j a_j", context) == sp.Sum(S("a_j"), (j, 1, S("C")))


def test_vectors_derive_shapes_reads_keep_symbols() -> None:
    context = Context(symbols={"y": SymbolInfo("y", shape=("n", "1"), entries="y_1")})
    value = parse_expression(r"\sum_{i=1}^{n} y_i", context)
    assert not value.atoms(sp.Indexed)


def test_the_families_of_a_document() -> None:
    families, counts = index_families([r"\sum_{i=1}^{n} y_i", "y_1 + y_2", r"\frac{a}{b"])
    assert families == {"y": 1} and counts == {"n"}
    context = PLAIN.with_families(families, counts)
    assert parse_expression("y_1 + y_2", context) == Y[1] + Y[2]
    assert context.symbol("n").is_integer and context.symbols["n"].domain == COUNT


def test_an_unreadable_index_is_refused() -> None:
    with pytest.raises(ParseError, match="indexed family"):
        parse_relation(r"\sum_{i=1}^{n} x_i = x_{i'}")


# ---- indexed families: the verdicts ---------------------------------------------------------


def test_the_square_of_a_sum_is_not_the_sum_of_squares() -> None:
    claim = r"\sum_{i=1}^n x_i^2 = \frac{1}{n}\left(\sum_{i=1}^n x_i\right)^2"
    assert verdict(claim, n="count") == "refuted"


def test_the_forgotten_sum_of_the_mse_gradient_is_refuted() -> None:
    claim = (r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(w x_i - y_i)^2 "
             r"= 2(w x_i - y_i)x_i")
    assert verdict(claim, n="count") == "refuted"
    assert verdict(claim) == "refuted"  # n is a count: the sum runs up to it


def test_a_sum_written_out() -> None:
    assert verdict(r"\sum_{i=1}^{2} y_i = y_1 + y_2") in ("proved", "checked")
    assert verdict(r"\sum_{i=1}^{2} y_i = y_1 + y_1") == "refuted"


def test_the_derivative_by_one_entry() -> None:
    claim = r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = 2w_k"
    assert verdict(claim) in ("proved", "checked")
    assert verdict(claim, d="count") in ("proved", "checked")
    assert verdict(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = 2w_j") == "refuted"


def test_a_family_spans_the_chain_of_lines() -> None:
    report = check_latex([r"S = \sum_{i=1}^{2} y_i", "= y_1 + y_2"], budget=5)
    assert report.documents[0].steps[-1].verdict in ("proved", "checked")


def test_check_identity_reads_both_sides_as_one_claim() -> None:
    assert check_identity(r"\sum_{i=1}^2 y_i", "y_1 + y_2").verdict in ("proved", "checked")
    assert check_identity(r"\sum_{i=1}^2 y_i", "2 y_1").verdict == "refuted"


# ---- operator names -------------------------------------------------------------------------


@pytest.mark.parametrize("form", [r"\operatorname", r"\mathrm", r"\mathit", r"\text",
                                  r"\textrm"])
def test_an_upright_word_before_an_argument_is_a_function(form: str) -> None:
    assert parse_expression(form + "{ReLU}(x+y)") == relu(x_ + S("y"))
    assert parse_expression(form + "{relu}(x)") == relu(x_)
    assert parse_expression(form + "{sech}^2 x") == sp.sech(x_) ** 2


@pytest.mark.parametrize(("text", "expected"), [
    (r"\operatorname{softplus}(x)", softplus(x_)),
    (r"\operatorname{Sigmoid}(x)", sigmoid(x_)),
    (r"\operatorname{tanh} x", sp.tanh(x_)),
    (r"\operatorname{sign}(x)", sp.sign(x_)),
    (r"\operatorname{sgn}(x)", sp.sign(x_)),
    (r"\operatorname{abs}(x)", sp.Abs(x_)),
    (r"\operatorname{sinh}(x) + \operatorname{cosh} x", sp.sinh(x_) + sp.cosh(x_)),
    (r"\operatorname{exp}(x) \mathrm{log}(x)", sp.exp(x_) * sp.log(x_)),
    (r"\operatorname{max}(x, 0)", sp.Max(x_, 0)),
    (r"\sin x + \cos x + \tan x", sp.sin(x_) + sp.cos(x_) + sp.tan(x_)),
    (r"\operatorname{sech}^2(x)", sp.sech(x_) ** 2),
    (r"\operatorname{ReLU}^2(x)", relu(x_) ** 2),
    (r"\operatorname{relu} x", relu(x_)),
])
def test_known_functions(text: str, expected: sp.Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize("text", [r"\operatorname{ReLUX}(x)", r"\mathrm{erfinv}(z)",
                                  r"\operatorname{Foo} x", r"\text{Var}(x)"])
def test_an_unknown_function_is_refused_by_name(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    name = text[text.index("{") + 1 : text.index("}")]
    assert f"unknown function '{name}'" in caught.value.message


def test_an_upright_word_is_never_a_product_of_letters() -> None:
    assert parse_expression(r"\mathrm{BCE}") == S("BCE")
    assert parse_expression(r"2\operatorname{Loss}") == 2 * S("Loss")
    declared = Context(functions=frozenset({"Loss"}))
    assert parse_expression(r"\operatorname{Loss}(w)", declared) == sp.Function("Loss")(w_)


def test_one_upright_letter_keeps_its_meaning() -> None:
    derivative = parse_expression(r"\frac{\mathrm{d}y}{\mathrm{d}x}")
    assert derivative == sp.Derivative(S("y"), x_, evaluate=False)
    assert parse_expression(r"\mathrm{e}^{x}") == sp.exp(x_)


def test_prose_stays_prose() -> None:
    relation = parse_relation(r"a = b \text{otherwise}")
    assert relation.prose == ("otherwise",)
    cases = parse_expression(r"\begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{otherwise} "
                             r"\end{cases}")
    assert isinstance(cases, sp.Piecewise)


def test_operator_verdicts() -> None:
    relu_sum = (r"\operatorname{ReLU}(x+y) = \operatorname{ReLU}(x) + "
                r"\operatorname{ReLU}(y)")
    assert verdict(relu_sum) == "refuted"
    assert verdict(r"\operatorname{sech}^2 x = 1 - \tanh^2 x") in ("proved", "checked")
    assert verdict(r"\operatorname{sech}^2 x = 1 + \tanh^2 x") == "refuted"
    assert verdict(r"\operatorname{Foo}(x) = x") == "unreadable"
