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


def test_arrays_in_an_instance_are_their_entries() -> None:
    # w and x_i declared d×1: wᵀx_i at i = 2 is w₁x_{2,1} + w₂x_{2,2}, the entries the index
    # names write (w_j, x_{ij}); w : w is Σ_j w_j²
    context = Context(
        symbols={"d": SymbolInfo("d", COUNT), "n": SymbolInfo("n", COUNT),
                 "w": SymbolInfo("w", shape=("d", "1")),
                 "x_i": SymbolInfo("x_i", shape=("d", "1"))},
        indices={"i": "n", "j": "d"})
    frame = Frame(context, {"d": 2, "n": 3})
    w1, w2, x21, x22 = (frame.instance(context.symbol(name), {"i": 2, "j": j})
                        for name, j in (("w_j", 1), ("w_j", 2), ("x_ij", 1), ("x_ij", 2)))
    product = frame.instance(read(r"\exp(-w^T x_i)", context), {"i": 2})
    assert product == sp.exp(-(w1 * x21 + w2 * x22))
    assert frame.instance(read("w : w", context), {}) == w1**2 + w2**2


WEIGHT_DECAY_HESSIAN = r"""
[symbols]
w = { shape = ["d", "1"] }
x_i = { shape = ["d", "1"] }
x_ij = { domain = "real" }
y_i = { domain = "{-1,1}" }
C = { domain = "positive" }

[indices]
i = "n"
j = "d"

[settings]
sizes = { n = 3, d = 2 }

[[step]]
id = "f"
latex = 'f(w) = \frac{1}{2}\|w\|^2 + C \sum_{i=1}^n\log(1 + \exp(-y_iw^Tx_i))'
define = true

[[step]]
id = "g"
latex = '''\frac{\partial f(w)}{\partial w_j} = w_j + C \sum_{i=1}^n SIGNx_{ij}y_i
  \frac{\exp(-y_iw^Tx_i)}{1 + \exp(-y_iw^Tx_i)}'''
"""


def verdicts_of(tmp_path: pathlib.Path, text: str) -> list[str]:
    from derive.read.proofs import load
    from derive.verify.check import check_document

    path = tmp_path / f"file{len(list(tmp_path.iterdir()))}.toml"
    path.write_text(text)
    return [str(step.verdict) for step in check_document(load(str(path))).steps]


def test_an_entry_of_the_gradient_of_a_function_of_arrays(tmp_path: pathlib.Path) -> None:
    # f(w) written with w whole (‖w‖², wᵀx_i), its derivative by the entry w_j written with
    # x_ij: decided instance by instance with w and x_i written as their entries
    assert [verdicts_of(tmp_path, WEIGHT_DECAY_HESSIAN.replace("SIGN", sign))[1]
            for sign in ("-", "")] == ["checked", "refuted"]


ATTENTION_ENTRIES = r"""
[symbols]
A = { shape = ["T", "T"] }
V = { shape = ["T", "2"] }

[indices]
i = "T"
m = "T"
n = "T"
b = "d"

[settings]
sizes = { T = 3, d = 2 }

[definitions]
O = { latex = 'A V' }

[[step]]
id = "entry"
latex = '\frac{\partial O_{ib}}{\partial A_{mn}} = \delta_{im} V_{nb}'

[[step]]
id = "wrong"
latex = '\frac{\partial O_{ib}}{\partial A_{mn}} = V_{nb}'

[[step]]
id = "unsummed"
latex = '\frac{\partial L}{\partial A_{mn}} = \frac{\partial L}{\partial O_{mb}} V_{nb}'
"""


def test_entries_of_a_defined_array(tmp_path: pathlib.Path) -> None:
    # O = AV: O_{ib} is the entry of the product; where it does not depend on A_{mn} the
    # derivative is 0, not ill-formed. L, which nothing defines, depends on every entry of
    # O: reading it as a function of the one entry O_{mb} would prove the unsummed claim
    verdicts = verdicts_of(tmp_path, ATTENTION_ENTRIES)
    assert verdicts[0] == "checked" and verdicts[1] == "refuted"
    assert verdicts[2] not in ("proved", "checked", "conditional")


UPPER_INDICES = r"""
[symbols]
A = { shape = ["T", "T"] }
V = { shape = ["T", "2"] }

[indices]
i = "T"
j = "T"
m = "T"
n = "d"
b = "d"

[settings]
sizes = { T = 3, d = 2 }
upper_indices = true

[[step]]
id = "O"
latex = 'O^{ib} = A^{ij} V^{jb}'
kind = "definition"

[[step]]
id = "right"
latex = '\frac{\partial O^{ib}}{\partial V^{mn}} = A^{ij} \delta^j_m \delta^b_n = A^{im} \delta^b_n'

[[step]]
id = "wrong"
latex = '\frac{\partial O^{ib}}{\partial V^{mn}} = A^{mi} \delta^b_n'

[[step]]
id = "loss"
latex = '\frac{\partial L}{\partial V^{mn}} = A^{im} \frac{\partial L}{\partial O^{in}}'

[[step]]
id = "loss-wrong"
latex = '\frac{\partial L}{\partial V^{mn}} = A^{mi} \frac{\partial L}{\partial O^{in}}'
"""


def test_upper_indices_and_the_summation_convention(tmp_path: pathlib.Path) -> None:
    # O^{ib} = A^{ij} V^{jb}: j, repeated and written on no other side, is summed; i and b
    # are free. ∂O^{ib}/∂V^{mn} = A^{im} δ^b_n, and the transposed A^{mi} is refuted. L,
    # which nothing defines, is a function of O's entries: ∂L/∂V^{mn} = A^{im} ∂L/∂O^{in}
    # holds for every such L; with A^{mi} it does not, and is not refuted either (undecided:
    # L is whatever the text means by it)
    assert verdicts_of(tmp_path, UPPER_INDICES) == [
        "definition", "checked", "refuted", "checked", "undecided"]
    off = UPPER_INDICES.replace("upper_indices = true", "upper_indices = false")
    assert verdicts_of(tmp_path, off)[1] == "unreadable"  # A^{ij} is not a power of A
