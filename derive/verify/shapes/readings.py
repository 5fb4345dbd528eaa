"""Other readings of what a claim writes: the groupings of ⊙ against juxtaposed arrays, the arrays
stored the other way (rows ↔ columns), a derivative by another variable, and the layouts in
which a claimed matrix stands for a Jacobian."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from derive.verify.shapes.instantiation import Matrix
from derive.verify.shapes.ir import (
    Add,
    Der,
    Diag,
    Dif,
    Frob,
    Func,
    Grid,
    Had,
    Hess,
    Literal,
    Node,
    Pow,
    Prod,
    Shape,
    Softmax,
    Stacked,
    Sym,
    T,
    Total,
)


def groupings(node: Node) -> list[Node]:
    """Every reading of an expression whose ⊙ meets juxtaposed arrays with no bracket: the
    reader's left-to-right reading first. A single reading when there is no such place."""
    found: list[Node] = []
    for candidate in _regroup(node):
        if candidate not in found:
            found.append(candidate)
    return found


def _regroup(node: Node) -> list[Node]:
    readings: list[Node] = []
    match node:
        case Had((Prod(left, arrays, True), right)):
            for cut in range(len(left)):
                inner = Had((_prod(left[cut:], arrays[cut:]), right))
                if cut == 0:
                    readings.append(inner)
                else:
                    readings.append(Prod((*left[:cut], inner), (*arrays[:cut], True)))
            return readings
        case Prod(factors, arrays, True) if factors and isinstance(factors[0], Had):
            head, tail = factors[0], factors[1:]
            readings.append(Prod(factors, arrays, False))
            for cut in range(1, len(tail) + 1):
                operand = _prod((head.factors[-1], *tail[:cut]), (True,) * (cut + 1))
                inner = Had((*head.factors[:-1], operand))
                rest = tail[cut:]
                readings.append(inner if not rest else
                                Prod((inner, *rest), (True, *arrays[1 + cut:])))
            return readings
    return [node]


def _prod(factors: Sequence[Node], arrays: Sequence[bool]) -> Node:
    return factors[0] if len(factors) == 1 else Prod(tuple(factors), tuple(arrays))


def swap_shape(shape: Shape) -> Shape:
    """r×c as c×r: the shape of an array stored the other way."""
    return (shape[1], shape[0])


def replaced(node: Node, old: Node, new: Node) -> Node:
    """``node`` with every occurrence of ``old`` replaced by ``new`` (a derivative by another
    variable)."""
    return _map(node, lambda item: new if item == old else None)


def transposed_arrays(node: Node, names: Sequence[str]) -> Node:
    """Every named array stored the other way: X → Xᵀ (a derivative by it, transposed)."""
    def change(item: Node) -> Node | None:
        if isinstance(item, Sym) and item.name in names:
            return T(item)
        if isinstance(item, Der) and item.var in names:
            return T(Der(transposed_arrays(item.expr, names), item.var))
        return None

    return _map(node, change)


def arrays_in_products(node: Node, array: Callable[[Node], bool]) -> Node:
    """``node`` with each factor that ``array`` accepts taking part in its matrix product
    (∂L/∂O, read as a scalar where O was not known to be an array)."""

    def change(item: Node) -> Node | None:
        if not isinstance(item, Prod):
            return None
        factors = tuple(arrays_in_products(f, array) for f in item.factors)
        flags = tuple(flag or array(f) for f, flag in zip(item.factors, item.arrays, strict=True))
        return Prod(factors, flags, item.run)

    return _map(node, change)


def by_names(node: Node, name: Callable[[str], str]) -> Node:
    """``node`` with each derivative taken by ``name`` of its variable (A^prev = X: by X)."""

    def change(item: Node) -> Node | None:
        if isinstance(item, Der) and name(item.var) != item.var:
            return Der(by_names(item.expr, name), name(item.var))
        return None

    return _map(node, change)


def _map(node: Node, change: Callable[[Node], Node | None]) -> Node:
    found = change(node)
    if found is not None:
        return found

    def again(item: Node) -> Node:
        return _map(item, change)

    match node:
        case Add(terms):
            return Add(tuple(again(t) for t in terms))
        case Prod(factors, arrays, run):
            return Prod(tuple(again(f) for f in factors), arrays, run)
        case Had(factors):
            return Had(tuple(again(f) for f in factors))
        case Pow(base, exponent):
            return Pow(again(base), again(exponent))
        case Func(function, arg, name):
            return Func(function, again(arg), name)
        case T(arg):
            return T(again(arg))
        case Frob(left, right):
            return Frob(again(left), again(right))
        case Der(expr, var):
            return Der(again(expr), var)
        case Hess(expr, var):
            return Hess(again(expr), var)
        case Diag(arg):
            return Diag(again(arg))
        case Softmax(arg):
            return Softmax(again(arg))
        case Dif(arg):
            return Dif(again(arg))
        case Total(body, index, low, high):
            return Total(again(body), index, low, high)
        case Stacked(body, index, low, high):
            return Stacked(again(body), index, low, high)
        case Literal(rows):
            return Literal(tuple(tuple(again(e) for e in row) for row in rows))
        case Grid(diagonal, other, row, column, low, high):
            return Grid(again(diagonal), again(other), row, column, low, high)
    return node


def jacobian_readings(value: Matrix, a: tuple[int, int], v: tuple[int, int]
                      ) -> list[tuple[str, str, Matrix]]:
    """(layout, how, the Jacobian it predicts) for each way the claimed matrix can stand for
    the Jacobian ∂vec(A)/∂vec(V) (numerator, row-major vec) of an a-shaped A by a v-shaped V."""
    ra, ca = a
    rv, cv = v
    rm, cm = value.shape
    size_a, size_v = ra * ca, rv * cv
    found: list[tuple[str, str, Matrix]] = []

    def tensor(entry: Callable[[int, int, int, int], sp.Expr]) -> Matrix:
        return sp.Matrix(size_a, size_v, lambda p, q: entry(p // ca, p % ca, q // cv, q % cv))

    if size_a == 1 and (rm, cm) == (rv, cv):
        found.append(("gradient", "the gradient, shaped like the variable",
                      tensor(lambda i, j, k, l_: value[k, l_])))
    if (ra, ca) == (rv, cv) and (rm, cm) == (ra, ca):
        found.append(("entrywise", "an entrywise map: the diagonal of its Jacobian, entry by "
                      "entry", tensor(lambda i, j, k, l_: value[i, j] if (i, j) == (k, l_)
                                      else sp.S.Zero)))
    if (rm, cm) == (size_a, size_v) and (ca == 1 or ra == 1) and (cv == 1 or rv == 1):
        found.append(("numerator", "the full Jacobian, rows following the function",
                      sp.Matrix(value)))
    if (rm, cm) == (size_v, size_a) and (ca == 1 or ra == 1) and (cv == 1 or rv == 1):
        found.append(("denominator", "the full Jacobian, rows following the variable",
                      sp.Matrix(value).T))
    if size_a == 1 and (rm, cm) == (cv, rv) and rv > 1 and cv > 1:
        found.append(("numerator", "the gradient transposed",
                      tensor(lambda i, j, k, l_: value[l_, k])))
    if ca == cv and (rm, cm) == (ra, rv):
        found.append(("numerator", "the factor that multiplies d(variable) from the left",
                      tensor(lambda i, j, k, l_: value[i, k] if j == l_ else sp.S.Zero)))
    if ra == rv and (rm, cm) == (cv, ca):
        found.append(("numerator", "the factor that multiplies d(variable) from the right",
                      tensor(lambda i, j, k, l_: value[l_, j] if i == k else sp.S.Zero)))
    if ca == cv and (rm, cm) == (rv, ra):
        found.append(("denominator", "the factor that multiplies the upstream gradient from "
                      "the left (backpropagation)",
                      tensor(lambda i, j, k, l_: value[k, i] if j == l_ else sp.S.Zero)))
    if ra == rv and (rm, cm) == (ca, cv):
        found.append(("denominator", "the factor that multiplies the upstream gradient from "
                      "the right (backpropagation)",
                      tensor(lambda i, j, k, l_: value[j, l_] if i == k else sp.S.Zero)))
    return found
