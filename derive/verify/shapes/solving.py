"""Shapes solved from one claim: names a document writes as arrays (bold, transposed) but gives
no shape take the shapes the claim's own products, sums and derivatives force.

Each such name starts as an unknown r×c. Walking both sides gives equations between sizes: a
matrix product makes the inner sizes equal, a sum or ⊙ makes its terms' shapes equal, a
derivative by an array inside a formula is the gradient of a scalar (what it differentiates is
1×1), and the two sides have one shape (a side that differentiates an array by an array is
read first as a gradient, then as a Jacobian, whose shape depends on a layout). The equations
are solved by union–find; a name written in lower case is a column vector (the convention of
the posts), and every other free size is a size of its own. Nothing here decides a claim: the
checker declares the shapes, decides it as a claim about arrays, and says the shapes it took.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.core.context import size_symbol
from derive.verify.shapes.frame import Frame
from derive.verify.shapes.inference import ShapeError, limit_size
from derive.verify.shapes.ir import (
    SCALAR,
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
    Num,
    Ones,
    Pow,
    Prod,
    Shape,
    Softmax,
    Stacked,
    Sym,
    T,
    Total,
)

SIZE_LETTERS = ("n", "d", "k", "m", "h", "p", "q", "r", "s")
"""The names given to the sizes a claim leaves free, in order."""


class Unsolvable(Exception):
    """Sizes that two different numbers would have to equal."""


@dataclass(frozen=True)
class Solved:
    """Each unknown name's shape as a proof file writes it ("n", "1"); ``free``: the sizes
    only one name has (nothing in the claim relates them to another name's sizes)."""

    shapes: Mapping[str, tuple[str, str]]
    free: frozenset[str] = frozenset()

    @property
    def all_scalars(self) -> bool:
        """Whether every name came out 1×1: the claim fits arrays only as scalars."""
        return all(shape == ("1", "1") for shape in self.shapes.values())

    @property
    def scalars(self) -> list[str]:
        """The names that came out 1×1: written as arrays, arrays only in form here."""
        return sorted(name for name, shape in self.shapes.items() if shape == ("1", "1"))

    def free_as_one(self) -> Solved:
        """The same shapes with every free size 1 (a column where a matrix was free)."""
        return Solved({name: (rows if rows not in self.free else "1",
                              cols if cols not in self.free else "1")
                       for name, (rows, cols) in self.shapes.items()})


class _Sizes:
    """Union–find over sizes: symbols, and numbers (which must stay distinct)."""

    def __init__(self) -> None:
        self.parent: dict[sp.Expr, sp.Expr] = {}

    def find(self, size: sp.Expr) -> sp.Expr:
        self.parent.setdefault(size, size)
        root = size
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[size] != root:
            self.parent[size], size = root, self.parent[size]
        return root

    def union(self, a: sp.Expr, b: sp.Expr) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if a.is_Number and b.is_Number:
            raise Unsolvable(f"a size would be both {a} and {b}")
        if a.is_Number:  # a number stays the root of its class
            a, b = b, a
        self.parent[a] = b

    def shape(self, a: Shape, b: Shape) -> None:
        self.union(a[0], b[0])
        self.union(a[1], b[1])


class _Walk:
    """The size equations of one claim, collected while its shapes are worked out."""

    def __init__(self, frame: Frame, unknown: Mapping[str, Shape], gradients: bool) -> None:
        self.frame = frame
        self.unknown = unknown
        self.gradients = gradients
        self.sizes = _Sizes()
        self.fresh = 0

    def _new(self) -> sp.Symbol:
        self.fresh += 1
        return sp.Symbol(f"_size{self.fresh}")

    def is_scalar(self, shape: Shape) -> bool:
        return all(self.sizes.find(s) == 1 for s in shape)

    def of_name(self, name: str, seen: frozenset[str]) -> Shape:
        if name in self.unknown:
            return self.unknown[name]
        declared = self.frame.declared(name)
        if declared is not None:
            return declared
        definition = self.frame.definitions.get(name)
        if definition is None or name in seen:
            return SCALAR
        return self.of(definition, seen | {name})

    def side(self, node: Node) -> Shape | None:
        """A side's shape; None for a Jacobian of an array (its shape is the layout's), where
        a derivative is not read as a gradient (``gradients``)."""
        if isinstance(node, Der) and not self.gradients:
            inner = self.of(node.expr, frozenset())
            variable = self.of_name(node.var, frozenset())
            if not self.is_scalar(inner) and not self.is_scalar(variable):
                return None
        return self.of(node, frozenset())

    def of(self, node: Node, seen: frozenset[str]) -> Shape:
        match node:
            case Sym(name):
                return self.of_name(name, seen)
            case Num():
                return SCALAR
            case Ones():
                return (sp.S.One, self._new())
            case Add(terms) | Had(terms):
                return self._equal([self.of(t, seen) for t in terms])
            case Pow(base, exponent):
                self.of(exponent, seen)
                return self.of(base, seen)
            case Prod(factors, _, _):
                return self._product([self.of(f, seen) for f in factors])
            case Func(_, arg, _) | Dif(arg) | Total(arg, _, _, _) | Softmax(arg):
                return self.of(arg, seen)
            case T(arg):
                rows, cols = self.of(arg, seen)
                return (cols, rows)
            case Frob(left, right):
                self._equal([self.of(left, seen), self.of(right, seen)])
                return SCALAR
            case Der(expr, var):
                inner, variable = self.of(expr, seen), self.of_name(var, seen)
                if variable == SCALAR:  # by a scalar: shaped like what it differentiates
                    return inner
                self.sizes.shape(inner, SCALAR)  # by an array: the gradient of a scalar
                return variable
            case Hess(expr, var):
                self.sizes.shape(self.of(expr, seen), SCALAR)
                rows, cols = self.of_name(var, seen)
                self.sizes.union(cols, sp.S.One)
                return (rows, rows)
            case Diag(arg):
                rows, cols = self.of(arg, seen)
                self.sizes.union(cols, sp.S.One)
                return (rows, rows)
            case Literal(rows):
                return (sp.Integer(len(rows)), sp.Integer(len(rows[0])))
            case Stacked(_, _, low, high):
                return (_count(low, high), sp.S.One)
            case Grid(_, _, _, _, low, high):
                size = _count(low, high)
                return (size, size)
        return SCALAR

    def _equal(self, shapes: Sequence[Shape]) -> Shape:
        """Terms of a sum: a number is added to every entry; the others have one shape."""
        arrays = [s for s in shapes if s != SCALAR]
        for shape in arrays[1:]:
            self.sizes.shape(arrays[0], shape)
        return arrays[0] if arrays else SCALAR

    def _product(self, shapes: Sequence[Shape]) -> Shape:
        arrays = [s for s in shapes if s != SCALAR]
        for left, right in itertools.pairwise(arrays):
            self.sizes.union(left[1], right[0])
        return (arrays[0][0], arrays[-1][1]) if arrays else SCALAR


def _count(low: Node, high: Node) -> sp.Expr:
    """The length of a range written with dots; an unknown size where a limit is no size."""
    try:
        return sp.expand(limit_size(high) - limit_size(low) + 1)
    except ShapeError:
        return sp.Symbol("_written")


def solve(left: Node, right: Node, frame: Frame, names: Sequence[str],
          taken: Sequence[str] = (), *, gradients: bool = True) -> Solved:
    """The shapes of ``names`` (written as arrays, no shape given) that the claim left = right
    forces, where ``frame`` declares each of them rows_NAME × cols_NAME; ``taken``: size
    names the claim already uses. ``gradients``: a side that is a derivative by an array is
    the gradient of a scalar; else it may be a Jacobian. Unsolvable when two numbers meet."""
    unknown = {name: (size_symbol(f"rows_{name}"), size_symbol(f"cols_{name}"))
               for name in names}
    placeholders = {size for shape in unknown.values() for size in shape}
    walk = _Walk(frame, unknown, gradients)
    shapes = [walk.side(left), walk.side(right)]
    if shapes[0] is not None and shapes[1] is not None:
        walk.sizes.shape(shapes[0], shapes[1])
    for name in names:  # a name written in lower case is a column vector
        if _lower_case(name):
            walk.sizes.union(unknown[name][1], sp.S.One)
    owners: dict[sp.Expr, set[str]] = {}
    for name in names:
        for size in unknown[name]:
            owners.setdefault(walk.sizes.find(size), set()).add(name)
    letters = _letters(taken)
    named: dict[sp.Expr, str] = {}
    result: dict[str, tuple[str, str]] = {}
    for name in names:
        written = []
        for size in unknown[name]:
            root = walk.sizes.find(size)
            if root.is_Number:
                written.append(str(root))
            elif root.is_Symbol and root not in placeholders and \
                    not str(root).startswith("_"):
                written.append(str(root))  # a size the claim writes (Σ_{i=1}^{n}, ℝ^n)
            else:
                if root not in named:
                    named[root] = next(letters)
                written.append(named[root])
        result[name] = (written[0], written[1])
    # a size only one name has: nothing relates it to the rest, so its value was chosen
    return Solved(result, frozenset(letter for root, letter in named.items()
                                    if len(owners.get(root, ())) <= 1))


def _lower_case(name: str) -> bool:
    letter = name.lstrip("\\")[:1]
    return letter.islower()


def _letters(taken: Sequence[str]) -> Iterator[str]:
    used = set(taken)
    for letter in SIZE_LETTERS:
        if letter not in used:
            yield letter
    k = 1
    while True:
        yield f"n{k}"
        k += 1
