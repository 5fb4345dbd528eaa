"""Shape inference over the lowered tree: every sub-expression's shape (sizes are symbols: n×d),
and ``ShapeError`` naming the sub-expression and the shapes that do not conform."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.core.context import size_symbol
from derive.core.errors import DeriveError
from derive.core.unicode import pretty_name
from derive.read.latex import ONES_LENGTH
from derive.verify.shapes.frame import Frame
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
from derive.verify.shapes.notation import show, show_shape, show_size


class ShapeError(DeriveError):
    """Shapes that do not conform: the sub-expression and the shapes."""


class DefinitionShapeError(ShapeError):
    """Shapes that do not conform inside a name's definition, not in the claim written: the
    shapes read for the document's names (declared or inferred) do not fit its definitions."""


class LayoutNeeded(ShapeError):
    """A Jacobian of an array by an array inside a formula: it has a shape only in a layout
    the document chooses."""


def same_size(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two sizes are equal; the length of 𝟏ᵀ equals any size."""
    return bool(a == ONES_LENGTH or b == ONES_LENGTH or sp.expand(a - b) == 0)


def same_shape(a: Shape, b: Shape) -> bool:
    """Whether two shapes are equal, size by size."""
    return same_size(a[0], b[0]) and same_size(a[1], b[1])


def is_scalar(shape: Shape) -> bool:
    """Whether a shape is 1×1."""
    return bool(shape[0] == 1 and shape[1] == 1)


class Shapes:
    """Shape inference over lowered expressions; ShapeError names what does not conform."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.cache: dict[str, Shape] = {}
        self.broadcasts: list[str] = []

    def of_name(self, name: str, seen: frozenset[str] = frozenset()) -> Shape:
        declared = self.frame.declared(name)
        if declared is not None:
            return declared
        if name in self.cache:
            return self.cache[name]
        definition = self.frame.definitions.get(name)
        if definition is None or name in seen:
            return SCALAR
        try:
            shape = self.of(definition, seen | {name})
        except (DefinitionShapeError, LayoutNeeded):
            raise  # said already, or not a shape that fails
        except ShapeError as error:
            raise DefinitionShapeError(f"the definition of {pretty_name(name)} does not conform "
                                       f"with the shapes read: {error}") from None
        self.cache[name] = shape
        return shape

    def of(self, node: Node, seen: frozenset[str] = frozenset()) -> Shape:
        match node:
            case Sym(name):
                return self.of_name(name, seen)
            case Num():
                return SCALAR
            case Ones():
                return (sp.S.One, ONES_LENGTH)
            case Add(terms):
                return self._add(node, [self.of(t, seen) for t in terms])
            case Prod(factors, arrays, _):
                return self._product(node, [self.of(f, seen) for f in factors], arrays)
            case Had(factors):
                shapes = [self.of(f, seen) for f in factors]
                return self._entrywise(node, factors, shapes, "⊙")
            case Pow(base, exponent):
                shapes = [self.of(base, seen), self.of(exponent, seen)]
                return self._entrywise(node, (base, exponent), shapes, "^")
            case Func(_, arg, _) | Dif(arg) | Softmax(arg):
                return self.of(arg, seen)
            case T(arg):
                rows, cols = self.of(arg, seen)
                return (cols, rows)
            case Frob(left, right):
                a, b = self.of(left, seen), self.of(right, seen)
                if not same_shape(a, b):
                    raise ShapeError(f"{show(node)}: the Frobenius product needs equal shapes; "
                                     f"{show(left)} is {show_shape(a)} and {show(right)} is "
                                     f"{show_shape(b)}")
                return SCALAR
            case Der(expr, var):
                a, v = self.of(expr, seen), self.of_name(var, seen)
                if is_scalar(a):
                    return v
                if is_scalar(v) or same_shape(a, v):
                    return a
                raise LayoutNeeded(f"{show(node)} is a Jacobian of a {show_shape(a)} array by a "
                                 f"{show_shape(v)} array: inside a formula it has no shape "
                                 "until a layout is chosen")
            case Hess(expr, var):
                a, v = self.of(expr, seen), self.of_name(var, seen)
                if not is_scalar(a) or not (same_size(v[0], 1) or same_size(v[1], 1)):
                    raise ShapeError(f"{show(node)}: a Hessian is the second derivative of a "
                                     f"scalar by a vector; {show(expr)} is {show_shape(a)} and "
                                     f"{pretty_name(var)} is {show_shape(v)}")
                size = v[1] if same_size(v[0], 1) else v[0]
                return (size, size)
            case Diag(arg):
                rows, cols = self.of(arg, seen)
                if not (same_size(rows, 1) or same_size(cols, 1)):
                    raise ShapeError(f"{show(node)}: diag takes a vector; {show(arg)} is "
                                     f"{show_shape((rows, cols))}")
                size = cols if same_size(rows, 1) else rows
                return (size, size)
            case Total(body, _, _, _):
                return self.of(body, seen)
            case Literal(rows):
                self._scalar_entries(node, [e for row in rows for e in row], seen)
                return (sp.Integer(len(rows)), sp.Integer(len(rows[0])))
            case Stacked(body, _, low, high):
                self._scalar_entries(node, [body], seen)
                return (sp.expand(limit_size(high) - limit_size(low) + 1), sp.S.One)
            case Grid(diagonal, other, _, _, low, high):
                self._scalar_entries(node, [diagonal, other], seen)
                size = sp.expand(limit_size(high) - limit_size(low) + 1)
                return (size, size)
        raise TypeError(type(node).__name__)  # pragma: no cover

    def _scalar_entries(self, node: Node, entries: Sequence[Node], seen: frozenset[str]
                        ) -> None:
        for entry in entries:
            shape = self.of(entry, seen)
            if not is_scalar(shape):
                raise ShapeError(f"{show(node)}: an entry of a matrix written out is a scalar, "
                                 f"but {show(entry)} is {show_shape(shape)}")

    def _add(self, node: Add, shapes: list[Shape]) -> Shape:
        result = SCALAR
        for term, shape in zip(node.terms, shapes, strict=True):
            if is_scalar(shape):
                continue
            if is_scalar(result):
                result = shape
            elif same_shape(result, shape):
                continue
            elif shape[0] == 1 and same_size(shape[1], result[1]):
                self.broadcasts.append(f"{show(term)} ({show_shape(shape)}) is added to every "
                                       f"row (broadcast over the {show_size(result[0])} rows)")
            elif result[0] == 1 and same_size(shape[1], result[1]):
                self.broadcasts.append(f"a 1×{show_size(shape[1])} row is added to every row of "
                                       f"{show(term)} (broadcast over the batch)")
                result = shape
            else:
                raise ShapeError(f"{show(node)}: cannot add a {show_shape(result)} array and "
                                 f"{show(term)}, which is {show_shape(shape)}")
        if not is_scalar(result):
            for term, shape in zip(node.terms, shapes, strict=True):
                if is_scalar(shape) and self._inner_product(term):
                    raise ShapeError(f"{show(node)}: {show(term)} is a 1×1 product of arrays, "
                                     f"added to the {show_shape(result)} array (only a number "
                                     "or a declared 1×1 name is added to every entry)")
        return result

    def _inner_product(self, term: Node) -> bool:
        """A 1×1 array made by multiplying larger arrays (yᵀXw, wᵀx): a number in form only,
        so adding it to a vector is a slip, not a broadcast (a bias is a declared name)."""
        if not isinstance(term, Prod):
            return False
        shapes = [self.of(f) for f, array in zip(term.factors, term.arrays, strict=True)
                  if array]
        return len(shapes) >= 2 and any(not is_scalar(s) for s in shapes)

    def _product(self, node: Prod, shapes: list[Shape], arrays: tuple[bool, ...]) -> Shape:
        result: Shape | None = None
        done: list[Node] = []
        for factor, shape, array in zip(node.factors, shapes, arrays, strict=True):
            if not array:
                continue
            if result is None or is_scalar(result):
                result = shape if result is None or not is_scalar(shape) else result
            elif is_scalar(shape):
                pass
            elif same_size(result[1], shape[0]):
                rows = shape[0] if result[0] == ONES_LENGTH else result[0]
                result = (rows, shape[1])
            else:
                left = done[0] if len(done) == 1 else Prod(tuple(done), (True,) * len(done))
                raise ShapeError(f"{show(node)}: the matrix product {show(left, 1)} · "
                                 f"{show(factor, 1)} does not conform: {show_shape(result)} "
                                 f"times {show_shape(shape)}")
            done.append(factor)
        product = result or SCALAR
        for factor, shape, array in zip(node.factors, shapes, arrays, strict=True):
            if array or is_scalar(shape):
                continue
            if is_scalar(product):
                product = shape
            elif not same_shape(product, shape):
                raise ShapeError(f"{show(node)}: {show(factor)} ({show_shape(shape)}) was read "
                                 f"as a scalar and multiplies entry by entry, but the rest is "
                                 f"{show_shape(product)}")
        return product

    def _entrywise(self, node: Node, parts: Sequence[Node], shapes: list[Shape],
                   sign: str) -> Shape:
        result = SCALAR
        for part, shape in zip(parts, shapes, strict=True):
            if is_scalar(shape):
                continue
            if is_scalar(result):
                result = shape
            elif not same_shape(result, shape):
                before = [show_shape(s) for s in shapes if not is_scalar(s)]
                raise ShapeError(f"{show(node)}: {sign} needs equal shapes, but its operands are "
                                 f"{f' {sign} '.join(before)} ({show(part)} is "
                                 f"{show_shape(shape)})")
        return result


def limit_size(node: Node) -> sp.Expr:
    """A size a lowered limit writes: a number or a size's name."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Sym):
        return size_symbol(node.name)
    raise ShapeError(f"the limit {show(node)} is not a size")
