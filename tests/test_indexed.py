"""derive.verify.indexed: names with index slots, instances that write sums out, assignments."""

from __future__ import annotations

import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import COUNT, parse_domain
from derive.read.latex import parse_expression
from derive.verify.indexed import Frame, _patterns

INDEXED = Context(
    symbols={name: SymbolInfo(name, COUNT) for name in ("C", "i", "j", "k")},
    indices={"i": "C", "j": "C", "k": "C"},
)


def S(name: str, context: Context = INDEXED) -> sp.Symbol:
    return context.symbol(name)


def read(text: str, context: Context = INDEXED) -> sp.Expr:
    return parse_expression(text, context)


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
