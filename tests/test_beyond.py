r"""Issue 9: the derivations people post. Each notation form the reader gained is pinned to its
exact SymPy output; each proof file proofs/1xx_*.toml reaches the verdict every step expects;
index claims are checked by instantiation (derive.verify.indexed).
"""

from __future__ import annotations

import functools
import pathlib

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import COUNT, REAL, parse_domain
from derive.core.errors import AmbiguityError, ParseError, ProofFileError
from derive.core.functions import sigmoid
from derive.read.latex import ArrayHadamard, ArrayProduct, parse_expression, parse_lines
from derive.read.proofs import load
from derive.verify.check import DocumentReport, check_files, check_latex
from derive.verify.diagnose import takes_step
from derive.verify.indexed import Frame, _patterns

ROOT = pathlib.Path(__file__).parent.parent
PROOFS = ROOT / "proofs"

INDEXED = Context(
    symbols={name: SymbolInfo(name, COUNT) for name in ("C", "i", "j", "k")},
    indices={"i": "C", "j": "C", "k": "C"},
)
FUNCTIONS = Context(functions=frozenset({"f", "J"}))


def S(name: str, context: Context = INDEXED) -> sp.Symbol:
    return context.symbol(name)


def read(text: str, context: Context = INDEXED) -> sp.Expr:
    return parse_expression(text, context)


# ---- index sums, the Kronecker delta, cases -------------------------------------------------

i_, j_, k_, C_ = (S(n) for n in ("i", "j", "k", "C"))


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


# ---- absolute values, max, min, functions and powers of functions ---------------------------

Z, Y, X, H = (S(n, Context()) for n in ("z", "y", "x", "h"))


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
        ("|a", 1, "unmatched '|'"),
    ],
)
def test_functions_and_bars_refused(text: str, column: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert (caught.value.column, caught.value.message) == (column, message)


# ---- limits and gradients ---------------------------------------------------------------


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


# ---- the elementwise product, declared per file -------------------------------------------


def test_elementwise_signs_are_declared_per_file() -> None:
    shapes = {name: SymbolInfo(name, REAL, ("n", "d")) for name in ("A", "B")}
    plain = Context(symbols=shapes)
    declared = Context(symbols=shapes, elementwise=frozenset({"*", "\\times", "juxtaposition"}))
    A, B = plain.matrix("A"), plain.matrix("B")
    for text in ("A * B", r"A \times B", "A B"):
        assert parse_expression(text, declared) == ArrayHadamard(A, B)
        assert parse_expression(text, plain) == ArrayProduct(A, B)
    assert parse_expression(r"A \cdot B", declared) == ArrayProduct(A, B)
    scalars = Context(elementwise=frozenset({"*"}))
    assert parse_expression("a * b", scalars) == S("a", Context()) * S("b", Context())


def test_the_proof_file_declares_indices_and_elementwise_signs(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[indices]\ni = "C"\n[settings]\nelementwise = ["*", "\\\\times"]\n'
                    '[[step]]\nlatex = "a = a"\n')
    context = load(str(path)).context
    assert context.indices == {"i": "C"}
    assert context.elementwise == frozenset({"*", "\\times"})
    assert context.symbols["i"].domain == COUNT and context.symbols["C"].domain == COUNT
    path.write_text('[indices]\nii = "C"\n[[step]]\nlatex = "a = a"\n')
    with pytest.raises(ProofFileError) as caught:
        load(str(path))
    assert "index 'ii'" in str(caught.value)


# ---- aligned blocks: each line continues the chain ----------------------------------------


def test_an_aligned_block_is_one_chain_line_after_line() -> None:
    block = r"\begin{aligned} x + x &= 2x \\ &= 3x \\ &= 2x \end{aligned}"
    assert len(parse_lines(block)) == 3
    (document,) = check_latex([block]).documents
    (step,) = document.steps
    assert [link.verdict for link in step.links] == ["proved", "refuted", "refuted"]
    assert step.verdict == "refuted"


def test_a_line_that_does_not_start_with_equals_starts_a_new_chain() -> None:
    block = r"\begin{aligned} a &= a \\ b &= b + 0 \\ &= b \end{aligned}"
    (document,) = check_latex([block]).documents
    (step,) = document.steps
    assert len(step.links) == 3  # a = a; b = b + 0; b + 0 = b; nothing links a to b
    assert all(link.verdict == "proved" for link in step.links)


def test_a_line_that_ends_with_equals_continues_on_the_next() -> None:
    (document,) = check_latex([r"x + x = \\ 2x"]).documents
    (step,) = document.steps
    assert [link.verdict for link in step.links] == ["proved"]


# ---- limits are evaluated by the checker ---------------------------------------------------


def test_a_first_principles_limit_is_evaluated() -> None:
    (document,) = check_latex([r"\lim_{h \to 0} \frac{(x+h)^2 - x^2}{h} = 2x"]).documents
    assert document.steps[0].verdict == "proved"
    (document,) = check_latex([r"\lim_{h \to 0} \frac{(x+h)^2 - x^2}{h} = x"]).documents
    assert document.steps[0].verdict == "refuted"


# ---- derive.verify.indexed -----------------------------------------------------------------------


def test_names_with_index_slots() -> None:
    frame = Frame(INDEXED.with_symbols(SymbolInfo("y_k", parse_domain("{0,1}"))))
    slots = frame.slots
    assert slots("a_j") is not None and slots("a_j").slots == ("j",)  # type: ignore[union-attr]
    assert slots("x_ij").slots == ("i", "j")  # type: ignore[union-attr]
    assert slots("x_{i,j}").slots == ("i", "j")  # type: ignore[union-attr]
    assert slots("x_i1").slots == ("i", "1")  # type: ignore[union-attr]
    assert slots("W_j^(1)").layer == "^(1)"  # type: ignore[union-attr]
    assert slots("z") is None and slots("x_in") is None and slots("w_{k-1}") is None
    y2 = frame.instance(S("y_i"), {"i": 2})
    assert y2.name == "y_2" and y2.is_integer  # the domain declared for y_k


def test_instances_write_sums_out_and_decide_deltas() -> None:
    frame = Frame(INDEXED, {"C": 3})
    a = [frame.instance(S("a_k"), {"k": v}) for v in (1, 2, 3)]
    written = frame.instance(read(r"\sum_{k \neq i} (e^{a_k}) + \delta_{ij}"), {"i": 2, "j": 2})
    assert written == sp.exp(a[0]) + sp.exp(a[2]) + 1
    assert frame.free(read(r"\sum_k y_k p_i")) == {"i"}
    assert frame.mentions(read(r"\sum_k y_k")) and not frame.mentions(S("z"))


def test_assignments_and_patterns() -> None:
    frame = Frame(INDEXED, {"C": 3})
    assert len(frame.assignments(["i", "j"])) == 9
    assert list(_patterns(3)) == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 1, 2)]
    many = Frame(INDEXED, {"C": 5}).assignments(["i", "j", "k"])
    assert len(many) == 5  # one per pattern of equal and distinct indices
    assert {"i": 1, "j": 2, "k": 3} in many


# ---- the proof files ----------------------------------------------------------------------

EXPECTED = {
    "101_softmax_cross_entropy.toml": {
        "S1": "definition", "S2": "definition", "S3": "checked", "J1": "checked",
        "J2": "conditional", "J3": "checked", "J4": "checked", "J5": "refuted",
        "G1": "checked", "G2": "conditional", "W1": "refuted", "W2": "refuted",
    },
    "102_tanh_derivative.toml": {
        "T1": "proved", "T2": "proved", "T3": "proved", "T4": "refuted", "T5": "proved",
        "F1": "proved", "F2": "proved", "F3": "proved", "F4": "proved", "F5": "refuted",
    },
    "103_sigmoid_squared_error.toml": {
        "D1": "definition", "D2": "definition", "C1": "proved", "C2": "proved",
        "C3": "refuted", "N1": "definition", "N2": "definition", "N3": "proved",
        "N4": "refuted", "N5": "proved",
    },
    "104_l2_logistic_regression.toml": {
        "R1": "definition", "R2": "definition", "G0": "unreadable", "G1": "checked",
        "G2": "checked", "G3": "refuted", "G4": "conditional", "H1": "checked",
        "H2": "definition", "H3": "checked", "H4": "refuted", "M1": "definition",
        "M2": "definition", "M3": "checked", "M4": "definition", "M5": "checked",
        "M6": "checked", "M7": "refuted", "M8": "conditional",
    },
    "105_bce_with_logits.toml": {
        "B1": "definition", "B2": "proved", "B3": "proved", "B4": "proved", "B5": "proved",
        "B6": "checked", "B7": "refuted", "D1": "proved", "D2": "checked", "K1": "checked",
        "K2": "checked", "K3": "checked", "K4": "refuted", "K5": "checked",
    },
}


@functools.cache
def _report(name: str) -> DocumentReport:
    (document,) = check_files([str(PROOFS / name)]).documents
    return document


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_file_reaches_its_expected_verdicts(name: str) -> None:
    document = _report(name)
    assert document.error is None, document.error
    verdicts = {step.claim.id: step.verdict for step in document.steps}
    assert verdicts == EXPECTED[name]
    assert all(step.matches for step in document.steps)
    assert any(step.claim.expect == "refuted" for step in document.steps)


def test_every_1xx_file_is_pinned() -> None:
    assert sorted(p.name for p in PROOFS.glob("1*.toml")) == sorted(EXPECTED)


def test_an_index_counterexample_names_its_instance() -> None:
    steps = {step.claim.id: step for step in _report("101_softmax_cross_entropy.toml").steps}
    (link,) = steps["J5"].links
    point = dict(link.outcome.point)
    assert point["C"] == "3" and point["i"] != point["j"]
    g2 = steps["G2"].links[0]
    assert g2.assumption == r"\sum_j y_j = 1" and "false in general" in g2.message


def test_the_stable_form_is_sampled_on_both_sides_of_its_kink() -> None:
    steps = {step.claim.id: step for step in _report("105_bce_with_logits.toml").steps}
    (link,) = steps["B7"].links
    assert float(dict(link.outcome.point)["z"]) < 0  # wrong only left of the kink


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


MATRICES = Context(symbols={
    "w": SymbolInfo("w", REAL, ("d", "1")), "v": SymbolInfo("v", REAL, ("n", "1")),
    "X": SymbolInfo("X", REAL, ("n", "d")), "L": SymbolInfo("L", REAL),
})


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


def test_the_matrix_hessian_is_checked_and_its_slips_refuted() -> None:
    steps = {step.claim.id: step for step in _report("104_l2_logistic_regression.toml").steps}
    assert "checked entry by entry" in steps["M5"].links[0].message
    (m7,) = steps["M7"].links
    assert m7.outcome.entry == (0, 0) and m7.outcome.sizes == (("d", 2), ("n", 3))
    assert "one example per column" in steps["M8"].links[0].message


def test_an_index_link_is_diagnosed_at_its_refuted_instance() -> None:
    steps = {step.claim.id: step for step in _report("104_l2_logistic_regression.toml").steps}
    (g3,) = steps["G3"].links
    assert g3.diagnosis is not None and g3.diagnosis.mal_rule == "constant factor wrong"
    assert dict(g3.outcome.point)["j"] in ("1", "2")


def test_a_refuted_case_is_diagnosed() -> None:
    steps = {step.claim.id: step for step in _report("105_bce_with_logits.toml").steps}
    (k4,) = steps["K4"].links
    assert float(dict(k4.outcome.point)["z"]) > 0
    assert k4.diagnosis is not None and k4.diagnosis.mal_rule == "inner derivative dropped"


def test_a_label_naming_another_valid_route_is_right() -> None:
    steps = {step.claim.id: step for step in _report("102_tanh_derivative.toml").steps}
    assert (steps["T3"].named_rule, steps["T3"].used_rule) == ("quotient", "quotient")
    x = S("x", Context())
    quotient = ((sp.exp(x) + sp.exp(-x)) ** 2 - (sp.exp(x) - sp.exp(-x)) ** 2) / \
        (sp.exp(x) + sp.exp(-x)) ** 2
    derivative = sp.Derivative(sp.tanh(x), x)
    assert takes_step("quotient", derivative, quotient)
    assert not takes_step("product", derivative, quotient)
    assert not takes_step("quotient", derivative, 1 + sp.tanh(x) ** 2)  # not even valid
