"""Matrix claims: the reader's shape-aware builders, shape inference, the readings of ⊙,
instantiation, and each verdict kind on small proof files."""

from __future__ import annotations

import pathlib
import textwrap
from typing import Any

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import LABEL, parse_domain
from derive.core.errors import ProofFileError
from derive.core.outcomes import CheckedAtSizes, DiffersAtSizes
from derive.read.latex import (
    ArrayHadamard,
    ArrayPower,
    ArrayProduct,
    Elementwise,
    Frobenius,
    Juxtaposition,
    parse_expression,
)
from derive.read.proofs import load
from derive.verify.check import check_files
from derive.verify.shapes import (
    Frame,
    Had,
    Instance,
    Lowering,
    Node,
    Prod,
    ShapeError,
    Shapes,
    Sym,
    T,
    agree,
    groupings,
    show,
    show_shape,
)
from derive.verify.shapes.ir import Total

CONTEXT = Context(functions=frozenset({"f"})).with_symbols(
    SymbolInfo("X", shape=("n", "d")),
    SymbolInfo("y", LABEL, shape=("n", "1")),
    SymbolInfo("w_1", shape=("d", "h")),
    SymbolInfo("b_1", shape=("1", "h")),
    SymbolInfo("a_1", shape=("n", "h")),
    SymbolInfo("h_1", shape=("n", "h")),
    SymbolInfo("w_2", shape=("h", "1")),
    SymbolInfo("BCE"),
)


def read(text: str) -> sp.Expr:
    return parse_expression(text, CONTEXT)


F = sp.Lambda(sp.Symbol("t"), sp.Symbol("t") ** 2)


def lowered(text: str) -> Node:
    return Lowering({}, {"f": F}, frozenset()).lower(read(text))


# ---- the reader --------------------------------------------------------------------------


def test_declared_shapes_are_matrix_symbols_and_products_keep_their_order() -> None:
    expr = read(r"h_1^T (\hat{y} - y)")
    assert isinstance(expr, ArrayProduct)
    first, second = expr.args
    assert isinstance(first, sp.Transpose) and first.arg == sp.MatrixSymbol("h_1", *first.arg.shape)
    assert isinstance(second, sp.MatAdd)


def test_scalars_are_read_as_before() -> None:
    x, y = sp.symbols("x y", real=True)
    assert parse_expression(r"x^T y \odot x") == x**2 * y
    assert parse_expression(r"x : y") == x * y


def test_array_operators() -> None:
    assert isinstance(read(r"\frac{y}{1 - y}"), ArrayHadamard)
    assert isinstance(read(r"\frac{y}{1 - y}").args[1], ArrayPower)
    assert isinstance(read(r"y : \log(1 - y)"), Frobenius)
    assert isinstance(read(r"\log(y)"), Elementwise)
    assert isinstance(read(r"e^{-y}"), Elementwise)


def test_odot_next_to_juxtaposed_arrays_is_marked() -> None:
    expr = read(r"(X)^T (\hat{y} - y) (w_2^T) \odot f'(a_1)")
    assert isinstance(expr, ArrayHadamard)
    assert isinstance(expr.args[0], Juxtaposition)
    bracketed = read(r"(X^T (\hat{y} - y) w_2^T) \odot f'(a_1)")
    assert not isinstance(bracketed.args[0], Juxtaposition)


def test_array_expressions_print() -> None:
    from derive.emit.render import text

    assert text(read(r"h_1^T (\hat{y} - y)")) == "h₁ᵀ[ŷ − y]"
    assert text(read(r"y : \log(1 - y)")) == "y : log(1 − y)"
    assert str(read(r"X w_1 + b_1")) == "X*w_1 + b_1"


# ---- shapes ------------------------------------------------------------------------------


def frame(**definitions: str) -> Frame:
    lowering = Lowering({}, {"f": F}, frozenset(definitions))
    return Frame(CONTEXT, {k: lowering.lower(read(v)) for k, v in definitions.items()},
                 batch="n")


def test_shapes_of_products_transposes_and_broadcast_bias() -> None:
    shapes = Shapes(frame())
    assert show_shape(shapes.of(lowered(r"X w_1 + b_1"))) == "n×h"
    assert shapes.broadcasts and "broadcast" in shapes.broadcasts[0]
    assert show_shape(shapes.of(lowered(r"X^T (\hat{y} - y)"))) == "d×1"
    assert show_shape(shapes.of(lowered(r"y : \log(1 - y)"))) == "1×1"


def test_shape_errors_name_the_sub_expression_and_the_shapes() -> None:
    shapes = Shapes(frame())
    with pytest.raises(ShapeError, match=r"matrix product h₁ · .* does not conform: n×h times n×1"):
        shapes.of(lowered(r"h_1 (\hat{y} - y)"))
    with pytest.raises(ShapeError, match=r"⊙ needs equal shapes.*d×h ⊙ n×h"):
        shapes.of(Had((lowered(r"X^T (\hat{y} - y) w_2^T"), lowered("a_1"))))
    with pytest.raises(ShapeError, match="Frobenius product needs equal shapes"):
        shapes.of(lowered(r"X : y"))


def test_shapes_of_defined_names_follow_their_definitions() -> None:
    shapes = Shapes(frame(a_1=r"X w_1 + b_1", yhat=r"\sigma(y)"))
    assert show_shape(shapes.of(Sym("yhat"))) == "n×1"


def test_every_grouping_of_odot_is_a_reading() -> None:
    readings = groupings(lowered(r"(X)^T (\hat{y} - y) (w_2^T) \odot f'(a_1)"))
    assert [show(r) for r in readings] == [
        "(Xᵀ(ŷ − y)w₂ᵀ) ⊙ f'(a₁)",
        "Xᵀ(((ŷ − y)w₂ᵀ) ⊙ f'(a₁))",
        "Xᵀ(ŷ − y)(w₂ᵀ ⊙ f'(a₁))",
    ]
    assert groupings(Sym("X")) == [Sym("X")]


# ---- instantiation -----------------------------------------------------------------------


def test_instances_are_explicit_matrices_at_distinct_sizes() -> None:
    here = frame(a_1=r"X w_1 + b_1")
    sizes = here.instance_sizes()
    assert sizes == {"n": 3, "d": 2, "h": 4}
    value = Instance(here, sizes).value(Sym("a_1"))
    assert value.shape == (3, 4)
    assert value[2, 3] == sum(sp.Symbol(f"X[2,{k}]", real=True) * sp.Symbol(f"w_1[{k},3]",
                                                                                 real=True)
                              for k in range(2)) + sp.Symbol("b_1[0,3]", real=True)


def test_agree_checks_and_refutes_with_a_confirmed_entry() -> None:
    here = frame()
    instance = Instance(here, {"n": 3, "d": 2, "h": 4})
    xtx = instance.value(T(Sym("X")))
    same = agree(xtx, instance.value(T(Sym("X"))), instance.domains, {"n": 3, "d": 2})
    assert isinstance(same, CheckedAtSizes) and same.exact
    a = instance.value(lowered(r"\sigma(y)"))
    b = instance.value(lowered(r"1 - \sigma(y)"))
    differs = agree(a, b, instance.domains, {"n": 3})
    assert isinstance(differs, DiffersAtSizes)
    assert differs.entry[1] == 0 and differs.claimed != differs.true
    assert all(name.startswith("y[") for name, _ in differs.point)


def test_a_product_read_as_scalars_multiplies_entry_by_entry() -> None:
    here = frame(yhat=r"\sigma(y)")
    node = Prod((Sym("yhat"), Sym("yhat")), (False, False))
    assert show_shape(Shapes(here).of(node)) == "n×1"
    with pytest.raises(ShapeError, match="read as a scalar"):
        Shapes(here).of(Prod((Sym("X"), Sym("yhat")), (True, False)))


# ---- verdicts on small proof files --------------------------------------------------------

HEAD = r"""
[document]
title = "matrix verdicts"

[symbols]
X   = { shape = ["n", "d"] }
y   = { domain = "{0,1}", shape = ["n", "1"] }
w   = { shape = ["d", "1"] }
"\\hat{y}" = { domain = "(0,1)" }
L   = {}

[settings]
batch = "n"
%s

[definitions]
z    = { latex = 'X w' }
yhat = { latex = '\sigma(z)' }
L    = { latex = '-(y : \log(\hat{y}) + (1 - y) : \log(1 - \hat{y}))' }
"""


def verdicts(tmp_path: pathlib.Path, steps: dict[str, str],
             settings: str = "") -> dict[str, Any]:
    text = HEAD % settings
    for name, latex in steps.items():
        text += f"\n[[step]]\nid = \"{name}\"\nlatex = '''{latex}'''\n"
    path = tmp_path / "m.toml"
    path.write_text(textwrap.dedent(text))
    (document,) = check_files([str(path)]).documents
    assert document.error is None, document.error
    return {s.claim.id: s for s in document.steps}


def test_each_verdict_kind(tmp_path: pathlib.Path) -> None:
    steps = verdicts(tmp_path, {
        "entrywise": r"\frac{\partial L}{\partial \hat{y}} = "
                     r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}",
        "gradient": r"\frac{\partial L}{\partial w} = X^T (\hat{y} - y)",
        "sign": r"\frac{\partial L}{\partial w} = X^T (y - \hat{y})",
        "shapes": r"\frac{\partial L}{\partial w} = X (\hat{y} - y)",
        "layout": r"\frac{\partial z}{\partial w} = X^T",
        "numerator": r"\frac{\partial z}{\partial w} = X",
        "row": r"\frac{\partial L}{\partial w} = (\hat{y} - y)^T X",
        "typo": r"\frac{\partial z}{\partial y} = X",
        "chain": r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial \hat{y}} "
                 r"\frac{\partial \hat{y}}{\partial z} \frac{\partial z}{\partial w}",
    })
    got = {k: s.verdict for k, s in steps.items()}
    assert got == {
        "entrywise": "proved", "gradient": "checked", "sign": "refuted", "shapes": "ill-formed",
        "layout": "conditional", "numerator": "conditional", "row": "conditional",
        "typo": "ill-formed", "chain": "conditional",
    }
    assert "for every size" in steps["entrywise"].links[0].message
    assert "not a proof for every size" in steps["gradient"].links[0].message
    sign = steps["sign"].links[0]
    assert isinstance(sign.outcome, DiffersAtSizes)
    assert "differs" in sign.message and "claimed" in sign.message and "true" in sign.message
    assert "n×d times n×1" in steps["shapes"].links[0].message
    assert steps["layout"].links[0].assumption == "denominator layout"
    assert steps["numerator"].links[0].assumption == "numerator layout"
    assert steps["row"].links[0].assumption == "numerator layout"
    assert "does not depend on y" in steps["typo"].links[0].message
    assert steps["chain"].links[0].assumption == "numerator layout"


def test_a_product_of_arrays_that_is_one_number_is_not_added_to_a_vector(
        tmp_path: pathlib.Path) -> None:
    steps = verdicts(tmp_path, {
        # yᵀXw is 1×1, Xᵀ(ŷ − y) is d×1: the forum's slip of a number where Xᵀy belongs
        "slip": r"\frac{\partial L}{\partial w} = X^T (\hat{y} - y) - y^T X w + y^T X w",
        "inner": r"\frac{\partial L}{\partial w} = X^T (\hat{y} - y) + 0 w^T w",
        # a number written as one, and a declared scalar, still add to every entry
        "number": r"\frac{\partial L}{\partial w} + 2 = X^T (\hat{y} - y) + 2",
    })
    assert steps["slip"].verdict == "ill-formed"
    assert "yᵀXw is a 1×1 product of arrays" in steps["slip"].links[0].message
    assert steps["inner"].verdict == "ill-formed"
    assert steps["number"].verdict == "checked"


def test_a_declared_layout_decides(tmp_path: pathlib.Path) -> None:
    steps = verdicts(tmp_path, {
        "den": r"\frac{\partial z}{\partial w} = X^T",
        "num": r"\frac{\partial z}{\partial w} = X",
    }, settings='layout = "denominator"')
    assert steps["den"].verdict == "checked"
    assert steps["num"].verdict == "ill-formed"
    assert "denominator layout (the file's)" in steps["num"].links[0].message


def test_per_example_claims_are_conditional_on_one_example(tmp_path: pathlib.Path) -> None:
    steps = verdicts(tmp_path, {
        "one": r"L = -(y \log(\hat{y}) + (1 - y) \log(1 - \hat{y}))",
    })
    link = steps["one"].links[0]
    assert (steps["one"].verdict, link.assumption) == ("conditional", "n = 1 (one example)")
    assert "sum over the batch" in link.message


def test_the_vector_reading_of_a_dot_product(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(textwrap.dedent(r"""
        [document]
        title = "z = w0 + x1 w1 + ... = W^T X"

        [symbols]
        W = { shape = ["k+1", "1"], entries = "w_0" }
        X = { shape = ["k+1", "1"], entries = "x_0" }
        k = { domain = "count" }

        [[step]]
        id = "3"
        latex = 'w_0 + x_1 w_1 + x_2 w_2 + \dots + x_k w_k = W^T X'
        assume = ['x_0 = 1']

        [[step]]
        id = "full"
        latex = 'x_0 w_0 + x_1 w_1 + \dots + x_k w_k = W^T X'
        """))
    (document,) = check_files([str(path)]).documents
    steps = {s.claim.id: s for s in document.steps}
    assert steps["3"].verdict == "conditional"
    assert steps["3"].links[0].assumption == "x₀ = 1"
    assert "false in general" in steps["3"].links[0].message
    assert steps["full"].verdict == "checked"


def test_unreadable_size_and_unknown_reading_are_file_errors(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "e.toml"
    path.write_text('[symbols]\nX = { shape = ["n*d", "1"] }\n')
    with pytest.raises(ProofFileError, match="cannot read the size"):
        load(str(path))
    path.write_text('[[step]]\nid = "a"\nlatex = "x"\nreading = "vector"\n')
    with pytest.raises(ProofFileError, match="names the reading 'vector'"):
        load(str(path))
    path.write_text('[settings]\nlayout = "sideways"\n')
    with pytest.raises(ProofFileError, match="layout must be"):
        load(str(path))


def test_readings_and_alias_tables_load(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(textwrap.dedent("""
        [symbols]
        w = { domain = "real" }

        [aliases]
        a_k = { means = { one = "a_1", two = "a_2", three = "a_1" }, why = "layer k" }

        [readings.vector]
        batch = "n"
        layout = "numerator"

        [readings.vector.symbols]
        w = { shape = ["d", "1"] }

        [[step]]
        id = "one"
        latex = "a_k = w"
        reading = "vector"
        """))
    document = load(str(path))
    (claim,) = document.claims
    reading = document.reading_of(claim)
    assert reading is not None and reading.context.symbols["w"].shape == ("d", "1")
    assert document.context.symbols["w"].shape is None
    assert reading.matrix.layout == "numerator" and reading.matrix.batch == "n"
    assert {(a.means, a.steps) for a in document.aliases} == {
        ("a_1", ("one", "three")), ("a_2", ("two",))}


def test_domains_of_entries_follow_their_arrays() -> None:
    context = Context().with_symbols(SymbolInfo("y", parse_domain("{0,1}"), shape=("n", "1")))
    here = Frame(context, {})
    instance = Instance(here, {"n": 2})
    instance.base("y")
    assert set(instance.domains.values()) == {LABEL}


def test_a_sum_over_two_indices_lowers_as_nested_sums() -> None:
    # Σᵢ Σⱼ written as one Sum (a [definitions] entry of a file): the first index innermost
    i, j, n = sp.symbols("i j n", integer=True)
    x = sp.Symbol("x")
    node = Lowering({}, {}, frozenset()).lower(sp.Sum(x * i * j, (i, 1, n), (j, 1, 2)))
    assert isinstance(node, Total) and node.index == "j"
    assert isinstance(node.body, Total) and node.body.index == "i"
