"""The reader on the notation derivations use: index sums and the Kronecker delta, cases, absolute
values, max and min, functions and their powers, limits, gradients, Hessians and diag."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import COUNT, REAL
from derive.core.errors import AmbiguityError, ParseError
from derive.core.functions import sigmoid
from derive.read.latex import parse_expression

INDEXED = Context(
    symbols={name: SymbolInfo(name, COUNT) for name in ("C", "i", "j", "k")},
    indices={"i": "C", "j": "C", "k": "C"},
)


FUNCTIONS = Context(functions=frozenset({"f", "J"}))


def S(name: str, context: Context = INDEXED) -> sp.Symbol:
    return context.symbol(name)


def read(text: str, context: Context = INDEXED) -> sp.Expr:
    return parse_expression(text, context)


i_, j_, k_, C_ = (S(n) for n in ("i", "j", "k", "C"))


Z, Y, X, H = (S(n, Context()) for n in ("z", "y", "x", "h"))


MATRICES = Context(symbols={
    "w": SymbolInfo("w", REAL, ("d", "1")), "v": SymbolInfo("v", REAL, ("n", "1")),
    "X": SymbolInfo("X", REAL, ("n", "d")), "L": SymbolInfo("L", REAL),
})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\sum_j y_j", sp.Sum(S("y_j"), (j_, 1, C_))),
        (r"\sum_{j} y_j", sp.Sum(S("y_j"), (j_, 1, C_))),
        (r"\sum_j^C y_j", sp.Sum(S("y_j"), (j_, 1, C_))),
        (r"\sum_j^{m} y_j", sp.Sum(S("y_j"), (j_, 1, S("m")))),
        (r"\sum_{k=1}^{C} e^{a_k}", sp.Sum(sp.exp(S("a_k")), (k_, 1, C_))),
        (r"\sum_{k \neq i} y_k p_i",
         sp.Sum(S("p_i") * S("y_k") * (1 - sp.KroneckerDelta(i_, k_)), (k_, 1, C_))),
        (r"\sum_{k \ne i}^{C} y_k",
         sp.Sum(S("y_k") * (1 - sp.KroneckerDelta(i_, k_)), (k_, 1, C_))),
        (r"\frac{e^{a_j}}{\sum_k e^{a_k}}",
         sp.exp(S("a_j")) / sp.Sum(sp.exp(S("a_k")), (k_, 1, C_))),
        (r"-\sum_j y_j \log p_j", -sp.Sum(S("y_j") * sp.log(S("p_j")), (j_, 1, C_))),
        (r"\log \sum_k e^{a_k}", sp.log(sp.Sum(sp.exp(S("a_k")), (k_, 1, C_)))),
        (r"-a_i + \log\sum_k e^{a_k}", -S("a_i") + sp.log(sp.Sum(sp.exp(S("a_k")), (k_, 1, C_)))),
        (r"\exp \sum_k a_k", sp.exp(sp.Sum(S("a_k"), (k_, 1, C_)))),
        (r"\delta_{ij}", sp.KroneckerDelta(i_, j_)),
        (r"\delta_{i,j}", sp.KroneckerDelta(i_, j_)),
        (r"p_j(\delta_{ij} - p_i)", S("p_j") * (sp.KroneckerDelta(i_, j_) - S("p_i"))),
        (r"\delta_i", S("delta_i")),
        (r"\begin{cases} p_i(1 - p_i) & \text{if } i = j \\ -p_i p_j & \text{if } i \neq j"
         r" \end{cases}",
         sp.Piecewise((S("p_i") * (1 - S("p_i")), sp.Eq(i_, j_)),
                      (-S("p_i") * S("p_j"), sp.Ne(i_, j_)))),
        (r"\begin{cases} 1, & x = 0 \\ x & \text{otherwise} \end{cases}",
         sp.Piecewise((1, sp.Eq(S("x"), 0)), (S("x"), True))),
    ],
)
def test_index_notation(text: str, expected: sp.Expr) -> None:
    assert read(text) == expected


def test_a_declared_delta_is_a_symbol() -> None:
    context = INDEXED.with_symbols(SymbolInfo("delta_ij", REAL))
    assert read(r"\delta_{ij}", context) == context.symbol("delta_ij")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (r"\sum_j y_j", 1, "sum without range: write \\sum_{j=1}^{m}, or declare the range of j"),
        (r"\begin{cases} a & b \end{cases}", 19,
         "cannot read the condition of this case: write i = j, i \\neq j, x > 0 or "
         "\\text{otherwise}"),
        (r"\begin{cases} a & i = j", 1, "unmatched '\\begin{cases}'"),
    ],
)
def test_index_notation_refused(text: str, column: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert (caught.value.column, caught.value.message) == (column, message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("|z|", sp.Abs(Z)),
        (r"\left| z \right|", sp.Abs(Z)),
        (r"\lvert z \rvert", sp.Abs(Z)),
        ("|a| + |b|", sp.Abs(S("a", Context())) + sp.Abs(S("b", Context()))),
        ("|-z|", sp.Abs(Z)),
        (r"\log(1 + e^{-|z|})", sp.log(1 + sp.exp(-sp.Abs(Z)))),
        (r"\max(z, 0) - zy + \log(1 + e^{-|z|})",
         sp.Max(Z, 0) - Z * Y + sp.log(1 + sp.exp(-sp.Abs(Z)))),
        (r"\min(z, 0)", sp.Min(Z, 0)),
        (r"\tanh^2 x", sp.tanh(X) ** 2),
        (r"1 - \tanh^2(x)", 1 - sp.tanh(X) ** 2),
        (r"\tanh x", sp.tanh(X)),
        ("1 - tanh^2(x)", 1 - sp.tanh(X) ** 2),
        ("Tanh(x) + Sigmoid(x)", sp.tanh(X) + sigmoid(X)),
        ("1 - Tanh^2(x)", 1 - sp.tanh(X) ** 2),
        (r"\ln x", sp.log(X)),
        ("ln(x)", sp.log(X)),
        (r"\log x y", Y * sp.log(X)),
        (r"\log\sigma(z)", sp.log(sigmoid(Z))),
        (r"\exp(-x)", sp.exp(-X)),
        (r"\sqrt{x}", sp.sqrt(X)),
        (r"\sqrt x", sp.sqrt(X)),
        (r"\sqrt[3]{x + 1}", (X + 1) ** sp.Rational(1, 3)),
        (r"\frac{1}{\sqrt{x + z}}", 1 / sp.sqrt(X + Z)),
        (r"W^{(1)} x", S("W^(1)", Context()) * X),
        (r"(\boldsymbol{w}^{(2)})^\top \boldsymbol{h}", S("w^(2)", Context()) * H),
    ],
)
def test_functions_and_bars(text: str, expected: sp.Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (r"\max z", 1, "'\\max' needs its arguments in brackets"),
        (r"\log \frac{d}{dx} x", 6, "put the argument of '\\log' in brackets"),
        (r"\sqrt[x]{y}", 7, "the degree of a root is a whole number ≥ 2: \\sqrt[3]{x}"),
        (r"\log(a, b)", 5, "'\\log' takes one argument"),
        (r"\tanh^{-1} x", 6, "cannot read a script on '\\tanh'"),
        ("tanh^{-1}(x)", 5, "cannot read a script on 'tanh'"),
        ("|a", 1, "unmatched '|'"),
    ],
)
def test_functions_and_bars_refused(text: str, column: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert (caught.value.column, caught.value.message) == (column, message)


def test_limits() -> None:
    f = sp.Function("f")
    assert parse_expression(r"\lim_{h \to 0} \frac{f(x+h) - f(x)}{h}", FUNCTIONS) == sp.Limit(
        (f(X + H) - f(X)) / H, H, 0, dir="+-")
    n = S("n", Context())
    assert parse_expression(r"\lim_{n \to \infty} (1 + \frac{1}{n})^n") == sp.Limit(
        (1 + 1 / n) ** n, n, sp.oo)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (r"a \to b", 3, "'\\to' is read only under a limit: \\lim_{h \\to 0}"),
        (r"\lim_{h \to 0} h + 1", 1, "the extent of '\\lim' is ambiguous: it is followed by "
                                    "more terms; put its body in brackets"),
        (r"\nabla L", 1, "write the variable of the gradient: \\nabla_w"),
    ],
)
def test_limits_and_gradients_refused(text: str, column: int, message: str) -> None:
    with pytest.raises((ParseError, AmbiguityError)) as caught:
        parse_expression(text)
    assert (caught.value.column, caught.value.message) == (column, message)


def test_gradients() -> None:
    J_ = sp.Function("J")
    w, L = S("w", Context()), S("L", Context())
    assert parse_expression(r"\nabla_w L") == sp.Derivative(L, w)
    assert parse_expression(r"\nabla_{\mathbf{w}} J(\mathbf{w})", FUNCTIONS) == sp.Derivative(
        J_(w), w)
    assert parse_expression(r"\nabla_{W^{(1)}} L") == sp.Derivative(L, S("W^(1)", Context()))
    assert parse_expression(r"\partial_w L") == sp.Derivative(L, w)
    z = S("z", Context())
    assert parse_expression(r"\partial_{z} \sigma(z)") == sp.Derivative(sigmoid(z), z)


def test_a_case_condition_may_be_an_order() -> None:
    z = S("z", Context())
    assert parse_expression(r"\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \end{cases}"
                            ) == sp.Piecewise((1, z > 0), (0, True))
    assert parse_expression(r"\begin{cases} -1 & z \lt 0 \\ 1 & \text{if } z \geq 0 "
                            r"\end{cases}") == sp.Piecewise((-1, z < 0), (1, z >= 0))
    assert parse_expression(r"\begin{cases} 0 & z \le 0 \\ z & z > 0 \end{cases}"
                            ) == sp.Piecewise((0, z <= 0), (z, z > 0))


def test_an_order_outside_a_case_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression("z > 0")
    assert caught.value.column == 3 and "an order is read as the condition of a case" in \
        caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max(z, 0)", sp.Max(Z, 0)),
        ("min(z, 0)", sp.Min(Z, 0)),
        ("tanh x", sp.tanh(X)),
        ("max(z, 0) - zy + log(1 + e^{-|z|})",
         sp.Max(Z, 0) - Z * Y + sp.log(1 + sp.exp(-sp.Abs(Z)))),
    ],
)
def test_bare_function_words(text: str, expected: sp.Expr) -> None:
    assert parse_expression(text) == expected


def test_a_declared_max_is_a_name() -> None:
    declared = Context(symbols={"max": SymbolInfo("max", REAL)})
    assert parse_expression("max", declared) == S("max", declared)


def test_hessians_and_diag_are_read() -> None:
    w, v = MATRICES.matrix("w"), MATRICES.matrix("v")
    L = S("L", MATRICES)
    for text in (r"\nabla^2_w L", r"\nabla_w^2 L", r"\nabla_{w}^{2} L"):
        assert parse_expression(text, MATRICES) == sp.Derivative(L, (w, 2))
    hessian = parse_expression(r"\frac{\partial^2 L}{\partial w \partial w^\top}", MATRICES)
    assert [v for v, _ in hessian.variable_count] in ([w], [w, w])
    for text in (r"\mathrm{diag}(v)", r"\operatorname{diag}(v)", "diag(v)"):
        diag = parse_expression(text, MATRICES)
        assert diag.shape == (v.shape[0], v.shape[0]) and diag.args == (v,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"\nabla^3_w L", "\\nabla takes a first or second order: \\nabla^2_w"),
        (r"\mathrm{diag}(X)", "diag takes a vector"),
    ],
)
def test_hessians_and_diag_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text, MATRICES)
    assert caught.value.message.startswith(message)


def test_norms_with_their_subscript() -> None:
    from derive.read.nodes import Frobenius

    context = Context().with_symbols(SymbolInfo("W", shape=("d", "h")),
                                     SymbolInfo("w", shape=("d", "1")))
    frobenius = parse_expression(r"\frac{\lambda}{2}\|W\|_F^2", context)
    assert frobenius.atoms(Frobenius) and str(frobenius) == "lambda/2*W : W"
    assert parse_expression(r"\|W\|_{F}^2", context) == parse_expression(r"\|W\|_F^2", context)
    assert str(parse_expression(r"\|w\|_2^2", context)) == "w : w"
    # the 2-norm of a matrix is its spectral norm, not the Frobenius norm: never misread
    with pytest.raises(ParseError, match="spectral norm"):
        parse_expression(r"\|W\|_2^2", context)
    with pytest.raises(ParseError, match="a subscript needs a name"):
        parse_expression(r"\|W\|_G^2", context)
