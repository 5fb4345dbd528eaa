"""The lowered matrix tree: the node records a matrix claim is decided on, walks over them, and
the type of a shape (rows, columns; sizes are symbols).

The reader's SymPy expressions are lowered to these records (``lowering``); shape inference,
instantiation and the claim all match on them. A record holds no behaviour of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp


@dataclass(frozen=True)
class Sym:
    """A name: declared, defined, a size, or an entry of a vector (w_0, y_i)."""

    name: str


@dataclass(frozen=True)
class Num:
    """A number (or e, π)."""

    value: sp.Expr


@dataclass(frozen=True)
class Add:
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Prod:
    """Factors in the order written; ``arrays[i]`` says the reader knew factor i to be an
    array (it takes part in the matrix product); the others multiply entry by entry.
    ``run`` marks factors juxtaposed next to ⊙ or : with no bracket."""

    factors: tuple[Node, ...]
    arrays: tuple[bool, ...]
    run: bool = False


@dataclass(frozen=True)
class Had:
    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Pow:
    base: Node
    exponent: Node


@dataclass(frozen=True)
class Func:
    """A scalar function applied entry by entry."""

    function: sp.Lambda
    arg: Node
    name: str


@dataclass(frozen=True)
class T:
    arg: Node


@dataclass(frozen=True)
class Frob:
    left: Node
    right: Node


@dataclass(frozen=True)
class Der:
    expr: Node
    var: str


@dataclass(frozen=True)
class Hess:
    """The second derivative of a scalar by a vector: the k×k Hessian ∂²f/∂w∂wᵀ."""

    expr: Node
    var: str


@dataclass(frozen=True)
class Diag:
    """diag(v): the square matrix with the vector v on its diagonal."""

    arg: Node


@dataclass(frozen=True)
class Softmax:
    """softmax(a): of a vector, over its entries; of a matrix, over each row."""

    arg: Node


@dataclass(frozen=True)
class Dif:
    arg: Node


@dataclass(frozen=True)
class Total:
    """Σ_{index=low}^{high} body."""

    body: Node
    index: str
    low: Node
    high: Node


@dataclass(frozen=True)
class Literal:
    """A matrix written out entry by entry (``\\begin{pmatrix}…``); its entries are scalars."""

    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Stacked:
    """A column written with ``\\vdots``: the entry at ``index`` = k is ``body`` there, for
    k from ``low`` to ``high``."""

    body: Node
    index: str
    low: Node
    high: Node


@dataclass(frozen=True)
class Grid:
    """A square matrix written with dots: the entry at (``row``, ``column``) = (k, l) is
    ``diagonal`` there where k = l, else ``other``, for k and l from ``low`` to ``high``."""

    diagonal: Node
    other: Node
    row: str
    column: str
    low: Node
    high: Node


@dataclass(frozen=True)
class Ones:
    """The row of ones 𝟏ᵀ; its length is that of what it multiplies."""


Node: TypeAlias = (Sym | Num | Add | Prod | Had | Pow | Func | T | Frob | Der | Hess | Diag | Dif
                   | Softmax | Total | Literal | Stacked | Grid | Ones)
Shape: TypeAlias = tuple[sp.Expr, sp.Expr]
SCALAR: Shape = (sp.S.One, sp.S.One)


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly under a node, in order."""
    match node:
        case Add(items) | Had(items) | Prod(items, _, _):
            return tuple(items)
        case Pow(a, b) | Frob(a, b):
            return (a, b)
        case Func(_, arg, _) | T(arg) | Dif(arg) | Diag(arg) | Softmax(arg):
            return (arg,)
        case Der(expr, _) | Hess(expr, _):
            return (expr,)
        case Total(body, _, low, high) | Stacked(body, _, low, high):
            return (body, low, high)
        case Literal(rows):
            return tuple(entry for row in rows for entry in row)
        case Grid(diagonal, other, _, _, low, high):
            return (diagonal, other, low, high)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of a lowered expression, the node itself first."""
    yield node
    for child in children(node):
        yield from walk(child)


def names_in(node: Node) -> set[str]:
    """The names a lowered expression mentions, the variables of its derivatives included."""
    found: set[str] = set()
    for item in walk(node):
        if isinstance(item, Sym):
            found.add(item.name)
        elif isinstance(item, Der | Hess):
            found.add(item.var)
    return found
