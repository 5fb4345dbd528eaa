"""derive.verify.indexed: names with index slots, instances that write sums out, assignments."""

from __future__ import annotations

import pathlib

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


HESSIAN_IN_CASES = r"""
[symbols]
x = { shape = ["n", "1"], entries = "x_1" }
x_i = { domain = "real" }

[indices]
i = "n"
j = "n"
k = "n"

[settings]
sizes = { n = 3 }

[functions]
names = ["f"]

[[step]]
id = "f"
latex = 'f(x) = \log \left( \sum_{i=1}^n e^{x_i} \right)'
kind = "definition"

[[step]]
id = "entry"
latex = '''\nabla^2 f(x)_{i, j} = \begin{cases}
  \frac{e^{x_i}}{\sum_{k=1}^n e^{x_k}} - \frac{e^{x_i}e^{x_i}}{(\sum_{k=1}^n e^{x_k})^2} & i = j \\
  SIGN\frac{e^{x_i}e^{x_j}}{(\sum_{k=1}^n e^{x_k})^2} & i \neq j \end{cases}'''
"""


def test_an_entry_in_cases_of_a_vector_is_decided_index_by_index(
        tmp_path: pathlib.Path) -> None:
    # ∇²f(x)_{ij} of the log-sum-exp, by cases on i = j, x a declared vector: not an array
    # formula (cases are not read on arrays) but one claim per (i, j)
    from derive.read.proofs import load
    from derive.verify.check import check_document

    verdicts = []
    for sign in ("-", ""):
        path = tmp_path / f"hessian{sign}.toml"
        path.write_text(HESSIAN_IN_CASES.replace("SIGN", sign))
        step = check_document(load(str(path))).steps[1]
        verdicts.append((str(step.verdict), step.links[0].outcome))
    (good, _), (bad, differs) = verdicts
    assert good == "checked" and bad == "refuted"
    assert ("i", 1) in differs.sizes and ("j", 2) in differs.sizes  # the instance it fails at
