"""Matrix claims: shapes inferred and checked, claims checked entry by entry at small sizes.

A claim that involves arrays (a name declared with a shape, a name whose definition holds
arrays, or the entries of a vector written as scalars) is decided here, in four stages:

1. **Reading.** The reader's expression is lowered to a small tree (``Sym``, ``Prod``, ``Had``,
   ``Der``, ...) with aliases and declared functions resolved. A product keeps its order and
   remembers which factors the reader knew to be arrays: a factor read as a scalar (an
   undeclared name that turns out to be an array, as z in ``z(1 - z)``) multiplies entry by
   entry.
2. **Shapes.** Every sub-expression gets a shape (sizes are symbols: n×d). A matrix product
   must conform, ⊙, ⊘, ``:`` and sums need equal shapes (a 1×c row added to an r×c array is
   added to every row: a bias broadcast over the batch), functions apply entry by entry.
   A claim whose shapes do not conform is ``ill-formed``, naming the sub-expression and the
   shapes. Where ⊙ meets juxtaposed arrays with no bracket (``A B ⊙ C``) every grouping is a
   reading; each is reported, with its shape and whether it holds.
3. **Entrywise claims, for every size.** When every array in a claim has one shape and the
   claim combines them entry by entry (sums over all entries allowed: ``y : log ŷ``, 𝟏ᵀv,
   Σᵢ over a vector's entries), the claim is the scalar claim about one entry; it is decided
   by ``derive.decide.equivalence`` and, when proved there, is ``proved`` for every size.
4. **Instantiation.** Otherwise every array becomes an explicit matrix of entry symbols at
   small, pairwise distinct sizes (n = 3, d = 2, h = 4), derivatives are taken entry by entry
   by SymPy from the file's definitions, and the two sides are compared at random points of
   the domains with a fast float evaluator; a differing entry is confirmed at 30 digits
   before it is reported (entry, point, both values). Agreement is ``checked`` at that
   instantiation, never ``proved`` for every size.

Derivatives of arrays are read under a layout convention: ∂L/∂W of a scalar L is the gradient
shaped like W; ∂A/∂B of arrays is a Jacobian, which a formula represents in numerator layout
(rows follow A) or denominator layout (rows follow B), as a full matrix or as the factor that
multiplies from the left or the right (∂(XW)/∂W = Xᵀ in denominator layout). A claim that holds
in one layout only is ``conditional`` on it, unless the file declares its layout. A chain of
Jacobians is multiplied in the order written: numerator layout composes outermost first,
denominator layout in the reverse order. Per example: when a claim's shape differs from the
true one only by the batch (n×h against 1×h), it is checked at n = 1 and is ``conditional`` on
one example (the sum over the batch is missing). When a claim is ill-formed only because the
file stores the examples in columns (or rows), the other data layout is tried.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import reduce
from typing import Any, TypeAlias

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions import MatrixExpr
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive.core.context import Context, size_expression
from derive.core.domains import REAL, Domain, make_symbol
from derive.core.errors import DeriveError
from derive.core.functions import ML_FUNCTIONS, float_value, sigmoid
from derive.core.unicode import pretty_name
from derive.decide.equivalence import CONFIRMED_POINTS, Proved, compare, differs_at, show_pair
from derive.engine.instantiate import CheckedAtSizes, DiffersAtSizes
from derive.read.latex import ONES_LENGTH, Differential, Juxtaposition

PREFERRED_SIZES = {"n": 3, "m": 3, "d": 2, "h": 4, "k": 5}
"""Instantiation sizes: small and pairwise distinct, so a transposition cannot hide."""

SAMPLES = 6
"""Random points per numeric comparison."""

TOLERANCE = 1e-9
"""Relative difference above which two entries differ (float64, then confirmed at 30 digits)."""


class ShapeError(DeriveError):
    """Shapes that do not conform: the sub-expression and the shapes."""


class Unsupported(DeriveError):
    """A construct the matrix checks do not read."""


class NotEntrywise(Exception):
    """The claim is not an entrywise claim (stage 3 does not apply)."""


class Jacobian(Exception):
    """A derivative of an array by an array, met where a value was needed."""


# ---- the lowered tree --------------------------------------------------------------------


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
class Ones:
    """The row of ones 𝟏ᵀ; its length is that of what it multiplies."""


Node: TypeAlias = (Sym | Num | Add | Prod | Had | Pow | Func | T | Frob | Der | Hess | Diag | Dif
                   | Total | Ones)
Shape: TypeAlias = tuple[sp.Expr, sp.Expr]
SCALAR: Shape = (sp.S.One, sp.S.One)
_VARIABLE = sp.Symbol("t_", real=True)


def _is_array(value: object) -> bool:
    if isinstance(value, MatrixExpr):
        return True
    return isinstance(value, sp.Basic) and bool(value.atoms(sp.MatrixSymbol))


# ---- printing ----------------------------------------------------------------------------


def show(node: Node) -> str:
    """A lowered expression in the documents' notation."""
    return _show(node, 0)


_name = pretty_name


def _negated(node: Node) -> Node | None:
    if isinstance(node, Prod) and node.factors and node.factors[0] == Num(sp.S.NegativeOne):
        rest, arrays = node.factors[1:], node.arrays[1:]
        return rest[0] if len(rest) == 1 else Prod(rest, arrays, node.run)
    if isinstance(node, Num) and node.value.is_negative:
        return Num(-node.value)
    return None


def _show(node: Node, level: int) -> str:
    """level: 0 top, 1 inside a product, 2 inside a power or transpose."""
    match node:
        case Sym(name):
            return _name(name)
        case Num(value):
            text = "e" if value is sp.E else str(value)
            return f"({text})" if level and (value.is_negative or "/" in text) else text
        case Add(terms):
            out = ""
            for k, term in enumerate(terms):
                negative = _negated(term)
                if negative is not None:
                    out += ("−" if k == 0 else " − ") + _show(negative, 1)
                else:
                    out += ("" if k == 0 else " + ") + _show(term, 0)
            return f"({out})" if level else out
        case Prod(factors, _, _):
            negative = _negated(node)
            if negative is not None:
                return "−" + _show(negative, 1)
            joiner = " " if any(isinstance(f, Der) for f in factors) else ""
            text = ""
            flat: list[Node] = []
            for factor in factors:  # a product of scalars inside is shown inline
                inline = isinstance(factor, Prod) and not any(factor.arrays) and flat
                flat.extend(factor.factors if inline and isinstance(factor, Prod) else (factor,))
            for k, factor in enumerate(flat):
                if k and isinstance(factor, Pow) and factor.exponent == Num(sp.S.NegativeOne):
                    text += f"/{_show(factor.base, 2)}"
                else:
                    text += (joiner if k else "") + _show(factor, 1)
            return f"({text})" if level >= 2 else text
        case Had(factors):
            parts: list[str] = []
            for factor in factors:
                if isinstance(factor, Pow) and factor.exponent == Num(sp.S.NegativeOne) and parts:
                    parts[-1] = f"{parts[-1]}/{_show(factor.base, 2)}"
                else:
                    parts.append(_show(factor, 2))
            text = " ⊙ ".join(parts)
            return f"({text})" if level else text
        case Pow(base, exponent):
            if exponent == Num(sp.S.NegativeOne):
                return f"1/{_show(base, 2)}"
            return f"{_show(base, 2)}^{_show(exponent, 2)}"
        case Func(_, arg, name):
            return f"{name}({_show(arg, 0)})"
        case T(arg):
            return f"{_show(arg, 2)}ᵀ"
        case Frob(left, right):
            text = f"{_show(left, 1)} : {_show(right, 1)}"
            return f"({text})" if level else text
        case Der(expr, var):
            return f"∂{_show(expr, 2)}/∂{_name(var)}"
        case Hess(expr, var):
            return f"∂²{_show(expr, 2)}/∂{_name(var)}∂{_name(var)}ᵀ"
        case Diag(arg):
            return f"diag({_show(arg, 0)})"
        case Dif(arg):
            return f"d{_show(arg, 2)}"
        case Total(body, index, low, high):
            return f"Σ_{_name(index)}={show(low)}..{show(high)} {_show(body, 2)}"
        case Ones():
            return "𝟏ᵀ"
    raise TypeError(type(node).__name__)  # pragma: no cover


def show_shape(shape: Shape) -> str:
    rows, cols = shape
    return f"{_size(rows)}×{_size(cols)}"


def _size(size: sp.Expr) -> str:
    return "?" if size == ONES_LENGTH else str(size).replace(" ", "")


# ---- what the names mean ------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """What the names of one claim mean: the context (declared shapes, domains, entries),
    the definitions (lowered), the layout convention, the batch size, the sizes of the
    instantiation, and the names a differential varies."""

    context: Context
    definitions: Mapping[str, Node]
    layout: str | None = None
    batch: str | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)
    varying: tuple[str, ...] = ()

    def declared(self, name: str) -> Shape | None:
        info = self.context.symbols.get(name)
        if info is None or info.shape is None:
            return None
        rows, cols = (size_expression(s) for s in info.shape)
        return (rows, cols)

    def domain(self, name: str) -> Domain:
        info = self.context.symbols.get(name)
        return info.domain if info is not None else REAL

    def is_identity(self, name: str) -> bool:
        info = self.context.symbols.get(name)
        return info is not None and info.identity

    def entry(self, name: str) -> tuple[str, str] | None:
        """(array, index) when ``name`` is an entry of a vector (w_0 → (W, "0"))."""
        if name in self.definitions or self.declared(name) is not None:
            return None
        base, _, index = name.rpartition("_")
        array = self.entry_array(base) if base and index else None
        return (array, index) if array is not None else None

    def entry_array(self, base: str) -> str | None:
        """The vector whose entries the document writes as base_0, base_1, ..."""
        for info in self.context.symbols.values():
            if info.entries is not None and info.entries.rpartition("_")[0] == base:
                return info.name
        return None

    def first_index(self, array: str) -> int:
        info = self.context.symbols[array]
        assert info.entries is not None
        return int(info.entries.rpartition("_")[2])

    def size_names(self, used: set[str] | None = None) -> list[str]:
        """The sizes in the declared shapes (of the ``used`` names only, when given)."""
        names: list[str] = []
        for info in self.context.symbols.values():
            if used is not None and info.name not in used:
                continue
            for size in info.shape or ():
                for symbol in sorted(size_expression(size).free_symbols, key=str):
                    if symbol.name not in names:
                        names.append(symbol.name)
        return names

    def used(self, *nodes: Node) -> set[str]:
        """The names the nodes mention, with those their definitions mention."""
        found: set[str] = set()
        pending = [n for node in nodes for n in names_in(node)]
        while pending:
            name = pending.pop()
            if name in found:
                continue
            found.add(name)
            entry = self.entry(name)
            if entry is not None:
                pending.append(entry[0])
            definition = self.definitions.get(name)
            if definition is not None:
                pending.extend(names_in(definition))
        return found

    def instance_sizes(self, used: set[str] | None = None, **override: int) -> dict[str, int]:
        """Small, pairwise distinct sizes for the sizes of the ``used`` names (the file's own
        sizes first)."""
        names = self.size_names(used)
        chosen: dict[str, int] = {}
        for name in names:
            if name in override:
                chosen[name] = override[name]
            elif name in self.sizes:
                chosen[name] = self.sizes[name]
        for name in names:
            if name in chosen:
                continue
            preferred = PREFERRED_SIZES.get(name)
            if preferred is not None and preferred not in chosen.values():
                chosen[name] = preferred
                continue
            value = 2
            while value in chosen.values():
                value += 1
            chosen[name] = value
        return chosen

    def depends(self, name: str, on: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a name's value depends on ``on`` through the definitions."""
        if name == on:
            return True
        definition = self.definitions.get(name)
        if definition is None or name in seen:
            return False
        return any(self.depends(n, on, seen | {name}) for n in names_in(definition))

    def mentions_arrays(self, node: Node, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a lowered expression involves an array (directly or by its definitions)."""
        for name in names_in(node):
            if self.declared(name) is not None or self.entry(name) is not None:
                return True
            definition = self.definitions.get(name)
            if definition is not None and name not in seen and self.mentions_arrays(
                    definition, seen | {name}):
                return True
        return isinstance(node, Ones) or any(isinstance(n, Ones) for n in walk(node))


def walk(node: Node) -> Iterator[Node]:
    """Every node of a lowered expression, the node itself first."""
    yield node
    match node:
        case Add(items) | Had(items) | Prod(items, _, _):
            for item in items:
                yield from walk(item)
        case Pow(a, b) | Frob(a, b):
            yield from walk(a)
            yield from walk(b)
        case Func(_, arg, _) | T(arg) | Dif(arg) | Diag(arg):
            yield from walk(arg)
        case Der(expr, _) | Hess(expr, _):
            yield from walk(expr)
        case Total(body, _, low, high):
            yield from walk(body)
            yield from walk(low)
            yield from walk(high)


def names_in(node: Node) -> set[str]:
    found: set[str] = set()
    for item in walk(node):
        if isinstance(item, Sym):
            found.add(item.name)
        elif isinstance(item, Der | Hess):
            found.add(item.var)
    return found


# ---- lowering the reader's expressions -----------------------------------------------------


@dataclass
class Lowering:
    """Turns the reader's SymPy expressions into the lowered tree, resolving aliases
    (name → name), declared functions (``f(t) = relu(t)``) and defined names called as
    functions (``J(w)`` is J)."""

    aliases: Mapping[str, str]
    functions: Mapping[str, sp.Lambda]
    defined: frozenset[str]

    def name(self, name: str) -> str:
        return self.aliases.get(name, name)

    def lower(self, expr: Any) -> Node:
        if isinstance(expr, sp.Symbol | sp.MatrixSymbol):
            return Sym(self.name(str(expr.name)))
        if isinstance(expr, Differential):
            return Dif(self.lower(expr.args[0]))
        if isinstance(expr, sp.OneMatrix):
            return Ones()
        if isinstance(expr, sp.Transpose):
            inner = expr.args[0]
            if isinstance(inner, sp.OneMatrix):
                return Ones()
            return T(self.lower(inner))
        if isinstance(expr, sp.MatMul):
            factors = tuple(self.lower(a) for a in expr.args)
            arrays = tuple(_is_array(a) for a in expr.args)
            return Prod(factors, arrays, isinstance(expr, Juxtaposition))
        if isinstance(expr, sp.MatAdd | sp.Add):
            return Add(tuple(self.lower(a) for a in expr.args))
        if isinstance(expr, sp.Mul):
            return Prod(tuple(self.lower(a) for a in expr.args),
                        tuple(False for _ in expr.args))
        if isinstance(expr, sp.HadamardProduct):
            return Had(tuple(self.lower(a) for a in expr.args))
        if isinstance(expr, sp.HadamardPower | sp.Pow):
            return Pow(self.lower(expr.args[0]), self.lower(expr.args[1]))
        if isinstance(expr, sp.Trace):
            inner = expr.args[0]
            if (isinstance(inner, sp.MatMul) and len(inner.args) == 2
                    and isinstance(inner.args[0], sp.Transpose)):
                return Frob(self.lower(inner.args[0].args[0]), self.lower(inner.args[1]))
            raise Unsupported("a trace other than a Frobenius product a : b is not read")
        if isinstance(expr, ElementwiseApplyFunction):
            function = self.scalar_function(expr.function)
            name = _written_name(expr.function) or _function_name(function)
            return Func(function, self.lower(expr.args[1]), name)
        if isinstance(expr, DiagMatrix):
            return Diag(self.lower(expr.args[0]))
        if isinstance(expr, sp.Derivative):
            counts = expr.variable_count
            variable, order = counts[0][0], sum(count for _, count in counts)
            if any(v != variable for v, _ in counts) or order > 2:
                raise Unsupported("only first derivatives, and second derivatives by one "
                                  "vector (Hessians), are read on arrays")
            if not isinstance(variable, sp.Symbol | sp.MatrixSymbol):
                raise Unsupported(f"the variable of a derivative must be a name: {variable}")
            name = self.name(str(variable.name))
            if order == 2 and isinstance(variable, sp.MatrixSymbol):
                return Hess(self.lower(expr.expr), name)
            inner = self.lower(expr.expr)
            return Der(Der(inner, name), name) if order == 2 else Der(inner, name)
        if isinstance(expr, sp.Subs):
            (variable,), (point,) = expr.variables, expr.point
            written = sp.Lambda(variable, expr.expr)
            function = self.scalar_function(written)
            name = _written_name(written) or _function_name(function)
            return Func(function, self.lower(point), name)
        if isinstance(expr, sp.Sum):
            (index, low, high), = expr.limits
            return Total(self.lower(expr.function), str(index.name), self.lower(low),
                         self.lower(high))
        if isinstance(expr, AppliedUndef):
            name = self.name(str(expr.func.__name__))
            if name in self.functions or name in ML_FUNCTIONS or name == "sigma":
                if len(expr.args) != 1:
                    raise Unsupported(f"{name} takes one argument")
                function = self.scalar_function(sp.Lambda(_VARIABLE, expr.func(_VARIABLE)))
                return Func(function, self.lower(expr.args[0]), _function_name(function))
            if name in self.defined:
                return Sym(name)
            raise Unsupported(f"{name} is not defined")
        if isinstance(expr, sp.Function) and expr.args:
            rest = expr.args[1:]
            if any(_is_array(a) or a.free_symbols for a in rest):
                raise Unsupported(f"cannot read {type(expr).__name__} on arrays")
            function = sp.Lambda(_VARIABLE, expr.func(_VARIABLE, *rest))
            return Func(function, self.lower(expr.args[0]), _function_name(function))
        if isinstance(expr, sp.Basic) and (expr.is_Number or expr.is_NumberSymbol):
            return Num(expr)
        raise Unsupported(f"cannot read {type(expr).__name__} in a matrix claim")

    def scalar_function(self, function: sp.Lambda) -> sp.Lambda:
        """A function of one scalar with declared functions (and aliases) written in."""
        (variable,) = function.variables
        body = function.expr.xreplace({variable: _VARIABLE})

        def applied(node: sp.Basic) -> bool:
            return isinstance(node, AppliedUndef)

        def resolve(node: sp.Basic) -> sp.Basic:
            name = self.name(str(node.func.__name__))
            if name in self.functions:
                return self.functions[name](*node.args)
            if name == "sigma":
                return sigmoid(*node.args)
            if name in ML_FUNCTIONS:
                return ML_FUNCTIONS[name](*node.args)
            raise Unsupported(f"the function {name} is not defined")

        body = body.replace(applied, resolve)
        if body.has(sp.Derivative):
            body = body.doit()
        return sp.Lambda(_VARIABLE, body)


def _written_name(function: sp.Lambda) -> str | None:
    """The name a document wrote for a declared function or its derivative: f, f'."""
    (variable,) = function.variables
    body = function.expr
    primes = ""
    while isinstance(body, sp.Derivative) and len(body.variables) == 1:
        primes += "'"
        body = body.expr
    if isinstance(body, AppliedUndef) and body.args == (variable,):
        return f"{body.func.__name__}{primes}"
    return None


def _function_name(function: sp.Lambda) -> str:
    body = function.expr
    if isinstance(body, sp.Function) and body.args and body.args[0] == _VARIABLE:
        name = type(body).__name__
        return {"sigmoid": "σ", "Heaviside": "relu'"}.get(name, name)
    return str(body.xreplace({_VARIABLE: sp.Symbol("·")}))


# ---- shapes --------------------------------------------------------------------------------


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return bool(a == ONES_LENGTH or b == ONES_LENGTH or sp.expand(a - b) == 0)


def _same_shape(a: Shape, b: Shape) -> bool:
    return _same(a[0], b[0]) and _same(a[1], b[1])


def _is_scalar(shape: Shape) -> bool:
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
        shape = self.of(definition, seen | {name})
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
            case Func(_, arg, _) | Dif(arg):
                return self.of(arg, seen)
            case T(arg):
                rows, cols = self.of(arg, seen)
                return (cols, rows)
            case Frob(left, right):
                a, b = self.of(left, seen), self.of(right, seen)
                if not _same_shape(a, b):
                    raise ShapeError(f"{show(node)}: the Frobenius product needs equal shapes; "
                                     f"{show(left)} is {show_shape(a)} and {show(right)} is "
                                     f"{show_shape(b)}")
                return SCALAR
            case Der(expr, var):
                a, v = self.of(expr, seen), self.of_name(var, seen)
                if _is_scalar(a):
                    return v
                if _is_scalar(v) or _same_shape(a, v):
                    return a
                raise ShapeError(f"{show(node)} is a Jacobian of a {show_shape(a)} array by a "
                                 f"{show_shape(v)} array: inside a formula it has no shape "
                                 "until a layout is chosen")
            case Hess(expr, var):
                a, v = self.of(expr, seen), self.of_name(var, seen)
                if not _is_scalar(a) or not (_same(v[0], 1) or _same(v[1], 1)):
                    raise ShapeError(f"{show(node)}: a Hessian is the second derivative of a "
                                     f"scalar by a vector; {show(expr)} is {show_shape(a)} and "
                                     f"{_name(var)} is {show_shape(v)}")
                size = v[1] if _same(v[0], 1) else v[0]
                return (size, size)
            case Diag(arg):
                rows, cols = self.of(arg, seen)
                if not (_same(rows, 1) or _same(cols, 1)):
                    raise ShapeError(f"{show(node)}: diag takes a vector; {show(arg)} is "
                                     f"{show_shape((rows, cols))}")
                size = cols if _same(rows, 1) else rows
                return (size, size)
            case Total(body, _, _, _):
                return self.of(body, seen)
        raise TypeError(type(node).__name__)  # pragma: no cover

    def _add(self, node: Add, shapes: list[Shape]) -> Shape:
        result = SCALAR
        for term, shape in zip(node.terms, shapes, strict=True):
            if _is_scalar(shape):
                continue
            if _is_scalar(result):
                result = shape
            elif _same_shape(result, shape):
                continue
            elif shape[0] == 1 and _same(shape[1], result[1]):
                self.broadcasts.append(f"{show(term)} ({show_shape(shape)}) is added to every "
                                       f"row (broadcast over the {_size(result[0])} rows)")
            elif result[0] == 1 and _same(shape[1], result[1]):
                self.broadcasts.append(f"a 1×{_size(shape[1])} row is added to every row of "
                                       f"{show(term)} (broadcast over the batch)")
                result = shape
            else:
                raise ShapeError(f"{show(node)}: cannot add a {show_shape(result)} array and "
                                 f"{show(term)}, which is {show_shape(shape)}")
        return result

    def _product(self, node: Prod, shapes: list[Shape], arrays: tuple[bool, ...]) -> Shape:
        result: Shape | None = None
        done: list[Node] = []
        for factor, shape, array in zip(node.factors, shapes, arrays, strict=True):
            if not array:
                continue
            if result is None or _is_scalar(result):
                result = shape if result is None or not _is_scalar(shape) else result
            elif _is_scalar(shape):
                pass
            elif _same(result[1], shape[0]):
                rows = shape[0] if result[0] == ONES_LENGTH else result[0]
                result = (rows, shape[1])
            else:
                left = done[0] if len(done) == 1 else Prod(tuple(done), (True,) * len(done))
                raise ShapeError(f"{show(node)}: the matrix product {_show(left, 1)} · "
                                 f"{_show(factor, 1)} does not conform: {show_shape(result)} "
                                 f"times {show_shape(shape)}")
            done.append(factor)
        product = result or SCALAR
        for factor, shape, array in zip(node.factors, shapes, arrays, strict=True):
            if array or _is_scalar(shape):
                continue
            if _is_scalar(product):
                product = shape
            elif not _same_shape(product, shape):
                raise ShapeError(f"{show(node)}: {show(factor)} ({show_shape(shape)}) was read "
                                 f"as a scalar and multiplies entry by entry, but the rest is "
                                 f"{show_shape(product)}")
        return product

    def _entrywise(self, node: Node, parts: Sequence[Node], shapes: list[Shape],
                   sign: str) -> Shape:
        result = SCALAR
        for part, shape in zip(parts, shapes, strict=True):
            if _is_scalar(shape):
                continue
            if _is_scalar(result):
                result = shape
            elif not _same_shape(result, shape):
                before = [show_shape(s) for s in shapes if not _is_scalar(s)]
                raise ShapeError(f"{show(node)}: {sign} needs equal shapes, but its operands are "
                                 f"{f' {sign} '.join(before)} ({show(part)} is "
                                 f"{show_shape(shape)})")
        return result


# ---- readings of ⊙ against juxtaposition ----------------------------------------------------


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


# ---- explicit instantiation -----------------------------------------------------------------


Matrix: TypeAlias = Any  # sympy.Matrix


class Instance:
    """Every name as an explicit matrix at concrete sizes: base names as matrices of entry
    symbols (X_0_1), defined names computed from their definitions."""

    def __init__(self, frame: Frame, sizes: Mapping[str, int]) -> None:
        self.frame = frame
        self.sizes = dict(sizes)
        self.shapes = Shapes(frame)
        self.domains: dict[sp.Symbol, Domain] = {}
        self.bases: dict[str, Matrix] = {}
        self.memo: dict[tuple[str, frozenset[str]], Matrix] = {}
        self.substitutions: dict[sp.Symbol, sp.Expr] = {}

    def size(self, expr: sp.Expr) -> int:
        value = expr.xreplace({s: sp.Integer(self.sizes[s.name])
                               for s in expr.free_symbols if s.name in self.sizes})
        if not value.is_Integer:
            raise Unsupported(f"no size for {expr}")
        return int(value)

    def base(self, name: str) -> Matrix:
        """The matrix of entry symbols of a name (1×1 of the name's symbol for a scalar)."""
        if name in self.bases:
            return self.bases[name]
        declared = self.frame.declared(name)
        shape = declared if declared is not None else self.shapes.of_name(name)
        rows, cols = self.size(shape[0]), self.size(shape[1])
        domain = self.frame.domain(name)
        if self.frame.is_identity(name):
            self.bases[name] = sp.eye(rows)
            return self.bases[name]
        if declared is None and rows == cols == 1:
            symbol = make_symbol(name, domain)
            self.domains[symbol] = domain
            matrix = sp.Matrix([[symbol]])
        else:
            entries = [[make_symbol(f"{name}[{i},{j}]", domain) for j in range(cols)]
                       for i in range(rows)]
            for row in entries:
                for symbol in row:
                    self.domains[symbol] = domain
            matrix = sp.Matrix(entries)
        self.bases[name] = matrix
        return matrix

    def named(self, name: str, keep: frozenset[str]) -> Matrix:
        key = (name, keep)
        if key in self.memo:
            return self.memo[key]
        if name in self.sizes and name not in self.frame.definitions and \
                self.frame.declared(name) is None:
            value = sp.Matrix([[sp.Integer(self.sizes[name])]])
        elif name in keep or name not in self.frame.definitions:
            value = self.base(name)
        else:
            value = self.value(self.frame.definitions[name], keep)
        self.memo[key] = value
        return value

    def value(self, node: Node, keep: frozenset[str] = frozenset(),
              bound: Mapping[str, int] | None = None) -> Matrix:
        bound = bound or {}
        match node:
            case Sym(name):
                return self._symbol(name, keep, bound)
            case Num(value):
                return sp.Matrix([[value]])
            case Ones():
                raise Unsupported("𝟏ᵀ is read only in front of what it sums")
            case Add(terms):
                return reduce(_add, [self.value(t, keep, bound) for t in terms])
            case Prod(factors, arrays, _):
                return self._product(factors, arrays, keep, bound)
            case Had(factors):
                return reduce(_hadamard, [self.value(f, keep, bound) for f in factors])
            case Pow(base, exponent):
                return _entrywise(lambda a, b: a**b, self.value(base, keep, bound),
                                  self.value(exponent, keep, bound))
            case Func(function, arg, _):
                return self.value(arg, keep, bound).applyfunc(function)
            case T(arg):
                return self.value(arg, keep, bound).T
            case Frob(left, right):
                a, b = self.value(left, keep, bound), self.value(right, keep, bound)
                return sp.Matrix([[sum((x * y for x, y in zip(a, b, strict=True)), sp.S.Zero)]])
            case Der(expr, var):
                return self._derivative(expr, var, keep, bound)
            case Hess(expr, var):
                return self._hessian(expr, var, keep, bound)
            case Diag(arg):
                return sp.diag(*self.value(arg, keep, bound))
            case Dif(arg):
                return self._differential(arg, keep, bound)
            case Total(body, index, low, high):
                first = self._integer(low, keep, bound)
                last = self._integer(high, keep, bound)
                parts = [self.value(body, keep, {**bound, index: k})
                         for k in range(first, last + 1)]
                return reduce(_add, parts) if parts else sp.Matrix([[0]])
        raise TypeError(type(node).__name__)  # pragma: no cover

    def _integer(self, node: Node, keep: frozenset[str], bound: Mapping[str, int]) -> int:
        value = self.value(node, keep, bound)[0, 0]
        if not value.is_Integer:
            raise Unsupported(f"the limit {show(node)} is not a whole number here")
        return int(value)

    def _symbol(self, name: str, keep: frozenset[str], bound: Mapping[str, int]) -> Matrix:
        if name in bound:
            return sp.Matrix([[sp.Integer(bound[name])]])
        base, _, index = name.rpartition("_")
        if base and index in bound:
            name = f"{base}_{bound[index]}"
        entry = self.frame.entry(name)
        if entry is not None:
            array, index = entry
            if not index.isdigit():
                raise Unsupported(f"{name}: the index {index} has no value here")
            matrix = self.named(array, keep)
            position = int(index) - self.frame.first_index(array)
            vector = list(matrix)
            if not 0 <= position < len(vector):
                raise Unsupported(f"{name} is not an entry of {array} at these sizes")
            return sp.Matrix([[vector[position]]])
        return self.named(name, keep)

    def _product(self, factors: tuple[Node, ...], arrays: tuple[bool, ...],
                 keep: frozenset[str], bound: Mapping[str, int]) -> Matrix:
        result: Matrix | None = None
        ones = False
        for factor, array in zip(factors, arrays, strict=True):
            if not array:
                continue
            if isinstance(factor, Ones):
                ones = True
                continue
            value = self.value(factor, keep, bound)
            if ones:
                value = sp.ones(1, value.rows) * value
                ones = False
            result = value if result is None else _matmul(result, value)
        if ones:
            raise Unsupported("𝟏ᵀ must stand in front of what it sums")
        product = result if result is not None else sp.Matrix([[1]])
        for factor, array in zip(factors, arrays, strict=True):
            if not array:
                product = _hadamard(product, self.value(factor, keep, bound))
        return product

    def substitute(self, matrix: Matrix, name: str, keep: frozenset[str]) -> Matrix:
        """Entries of a kept name replaced by the name's value (its definition written in)."""
        if name in keep or name not in self.frame.definitions:
            return matrix
        base = self.base(name)
        value = self.named(name, keep)
        mapping = {b: v for b, v in zip(base, value, strict=True) if b != v}
        return matrix.xreplace(mapping) if mapping else matrix

    def _derivative(self, expr: Node, var: str, keep: frozenset[str],
                    bound: Mapping[str, int]) -> Matrix:
        variable = self.base(var)
        if isinstance(expr, Sym) and not keep and not bound and \
                expr.name in self.frame.definitions and \
                _is_scalar(self.shapes.of_name(expr.name)):
            row = self.jacobian(expr, var)
            return sp.Matrix(variable.rows, variable.cols, list(row))
        function = self.value(expr, keep | {var}, bound)
        if function.shape == (1, 1):
            present = function[0, 0].free_symbols
            gradient = variable.applyfunc(
                lambda v: sp.diff(function[0, 0], v) if v in present else sp.S.Zero)
        elif variable.shape == (1, 1):
            gradient = function.applyfunc(lambda e: sp.diff(e, variable[0, 0]))
        elif function.shape == variable.shape:
            entries = list(variable)
            for p, entry in enumerate(function):
                if any(entry.has(v) for q, v in enumerate(entries) if q != p):
                    raise Jacobian
            gradient = sp.Matrix(function.rows, function.cols,
                                 [sp.diff(e, v) for e, v in zip(function, entries, strict=True)])
        else:
            raise Jacobian
        return self.substitute(gradient, var, keep)

    def _hessian(self, expr: Node, var: str, keep: frozenset[str],
                 bound: Mapping[str, int]) -> Matrix:
        """H[i, j] = ∂²f/∂v_i∂v_j over the entries of the vector v (a k×k matrix)."""
        function = self.value(expr, keep | {var}, bound)
        if function.shape != (1, 1):
            raise Unsupported(f"a Hessian of the {function.rows}×{function.cols} array "
                              f"{show(expr)}")
        entries = list(self.base(var))
        gradient = [sp.diff(function[0, 0], v) for v in entries]
        hessian = sp.Matrix(len(entries), len(entries),
                            lambda i, j: sp.diff(gradient[i], entries[j]))
        return self.substitute(hessian, var, keep)

    def jacobian(self, expr: Node, var: str, keep: frozenset[str] = frozenset()) -> Matrix:
        """∂vec(A)/∂vec(V) in numerator layout (row-major vec), |A|×|V|."""
        if isinstance(expr, Sym) and not keep and expr.name in self.frame.definitions:
            return self._through_definitions(expr.name, var)
        function = self.value(expr, keep | {var})
        variable = list(self.base(var))
        rows = []
        for entry in function:
            present = entry.free_symbols
            rows.append([sp.diff(entry, v) if v in present else sp.S.Zero for v in variable])
        return self.substitute(sp.Matrix(rows), var, keep)

    def _through_definitions(self, name: str, var: str) -> Matrix:
        """The Jacobian of a defined name: SymPy differentiates each definition by the names
        it uses (small expressions), the chain rule sums over every path of the definitions
        down to ``var``, and the names are then written out in the base variables."""
        memo: dict[str, Matrix | None] = {}
        jacobian = self._path_jacobian(name, var, memo)
        size = len(self.base(name)) if jacobian is None else jacobian.rows
        if jacobian is None:
            return sp.zeros(size, len(self.base(var)))
        mapping: dict[sp.Symbol, sp.Expr] = {}
        for defined in self.frame.definitions:
            if defined in self.bases:
                values = self.named(defined, frozenset())
                mapping.update({b: v for b, v in zip(self.base(defined), values, strict=True)
                                if b != v})
        return jacobian.xreplace(mapping)

    def _local(self, name: str) -> Matrix:
        """A defined name's value in the entries of the names its definition uses."""
        return self.named(name, frozenset(self.frame.definitions) - {name})

    def _path_jacobian(self, name: str, var: str, memo: dict[str, Matrix | None]
                       ) -> Matrix | None:
        if name in memo:
            return memo[name]
        if name == var:
            found: Matrix | None = sp.eye(len(self.base(var)))
        elif name not in self.frame.definitions or not self.frame.depends(name, var):
            found = None
        else:
            local = self._local(name)
            found = None
            used: set[str] = set()
            for item in names_in(self.frame.definitions[name]):
                entry = self.frame.entry(item)
                used.add(entry[0] if entry is not None else item)
            for item in sorted(used):
                inner = self._path_jacobian(item, var, memo)
                if inner is None:
                    continue
                base = list(self.base(item))
                rows = []
                for e in local:
                    present = e.free_symbols
                    rows.append([sp.diff(e, b) if b in present else sp.S.Zero for b in base])
                term = sp.Matrix(rows) * inner
                found = term if found is None else found + term
        memo[name] = found
        return found

    def _differential(self, arg: Node, keep: frozenset[str],
                      bound: Mapping[str, int]) -> Matrix:
        varying = tuple(self.frame.varying)
        if not varying:
            raise Unsupported("a differential needs [settings] vary = [...] in the proof file")
        value = self.value(arg, keep | set(varying), bound)
        total = sp.zeros(*value.shape)
        for name in varying:
            base = self.base(name)
            differentials = self.base("d" + name)
            for v, dv in zip(base, differentials, strict=True):
                total += value.applyfunc(lambda e, v=v: sp.diff(e, v)) * dv
            total = self.substitute(total, name, keep)
        return total


def _broadcast(a: Matrix, b: Matrix) -> tuple[Matrix, Matrix]:
    if a.shape == b.shape:
        return a, b
    if a.shape == (1, 1):
        return sp.Matrix(b.rows, b.cols, [a[0, 0]] * (b.rows * b.cols)), b
    if b.shape == (1, 1):
        return a, sp.Matrix(a.rows, a.cols, [b[0, 0]] * (a.rows * a.cols))
    if a.rows == 1 and a.cols == b.cols:
        return sp.ones(b.rows, 1) * a, b
    if b.rows == 1 and b.cols == a.cols:
        return a, sp.ones(a.rows, 1) * b
    raise ShapeError(f"cannot combine {a.rows}×{a.cols} and {b.rows}×{b.cols}")


def _add(a: Matrix, b: Matrix) -> Matrix:
    a, b = _broadcast(a, b)
    return a + b


def _hadamard(a: Matrix, b: Matrix) -> Matrix:
    a, b = _broadcast(a, b)
    return a.multiply_elementwise(b)


def _entrywise(function: Callable[[Any, Any], Any], a: Matrix, b: Matrix) -> Matrix:
    a, b = _broadcast(a, b)
    return sp.Matrix(a.rows, a.cols, [function(x, y) for x, y in zip(a, b, strict=True)])


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    if a.shape == (1, 1):
        return a[0, 0] * b
    if b.shape == (1, 1):
        return a * b[0, 0]
    if a.cols != b.rows:
        raise ShapeError(f"cannot multiply {a.rows}×{a.cols} by {b.rows}×{b.cols}")
    return a * b


# ---- numeric comparison ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sampled:
    """Both sides at random points: agreement, or the first confirmed difference."""

    outcome: CheckedAtSizes | DiffersAtSizes


def _sizes_record(sizes: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(sizes.items()))


def agree(claimed: Matrix, true: Matrix, domains: Mapping[sp.Symbol, Domain],
          sizes: Mapping[str, int], *, samples: int = SAMPLES, seed: int = 0,
          substitutions: Mapping[sp.Symbol, sp.Expr] | None = None
          ) -> CheckedAtSizes | DiffersAtSizes:
    """Compare two explicit matrices entry by entry at random points of the domains
    (float64); a differing entry is confirmed at 30 digits before it is reported."""
    if substitutions:
        claimed, true = claimed.xreplace(substitutions), true.xreplace(substitutions)
    if claimed.shape != true.shape:
        raise ShapeError(f"shapes differ: {claimed.shape} and {true.shape}")
    difference = [sp.expand(a - b) if (a - b).is_polynomial() else None
                  for a, b in zip(claimed, true, strict=True)]
    record = _sizes_record(sizes)
    if all(d == 0 for d in difference):
        return CheckedAtSizes(record, 0, 0.0, exact=True)
    symbols = sorted(set().union(*(e.free_symbols for e in claimed),
                                 *(e.free_symbols for e in true)), key=str)
    rng = random.Random(seed)
    worst, used, tries = 0.0, 0, 0
    while used < samples and tries < samples * 6:
        tries += 1
        point = {s: _sample(domains.get(s, REAL), rng) for s in symbols}
        memo: dict[sp.Basic, float] = {}
        try:
            a = [float_value(e, point, memo) for e in claimed]
            b = [float_value(e, point, memo) for e in true]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not all(math.isfinite(x) for x in (*a, *b)):
            continue
        used += 1
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            gap = abs(x - y) / max(1.0, abs(x), abs(y))
            exact_zero = difference[index] == 0
            # the first points are confirmed at high precision even when float64 agrees: a
            # difference below its rounding (P + 10⁻²⁰P = P) is a difference
            if gap > TOLERANCE or (used <= CONFIRMED_POINTS and not exact_zero):
                confirmed = _confirm(claimed[index], true[index], point)
                if confirmed is not None:
                    row, col = divmod(index, claimed.cols)
                    named = claimed[index].free_symbols | true[index].free_symbols
                    shown = tuple((str(s), f"{v:.6g}") for s, v in sorted(
                        point.items(), key=lambda item: str(item[0])) if s in named)
                    return DiffersAtSizes(record, (row, col), shown, *confirmed)
                gap = 0.0
            worst = max(worst, gap)
    if used == 0:
        raise Unsupported("no point of the domains could be evaluated")
    return CheckedAtSizes(record, used, worst)


def _sample(domain: Domain, rng: random.Random) -> float:
    value = domain.sample(rng)
    if isinstance(value, float) and abs(value) > 8:  # keep σ away from saturation in float64
        value = math.copysign(2 + abs(value) % 6, value)
    return float(value)


def _confirm(claimed: sp.Expr, true: sp.Expr, point: Mapping[sp.Symbol, float]
             ) -> tuple[str, str] | None:
    """The two values, shown, when the entries differ at ``point`` by a difference that
    survives a precision increase (the scalar checker's rule); None otherwise."""
    exact = {s: Fraction(v) for s, v in point.items()}
    values = differs_at(claimed, true, exact)
    if values is None:
        return None
    return show_pair(values)


# ---- entrywise claims, for every size -------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """An expression entry by entry: ``kind`` is "entry" (an array of ``shape`` whose entry is
    ``expr``), "total" (the sum over all entries of such an array) or "scalar"."""

    kind: str
    expr: sp.Expr
    shape: Shape = SCALAR


class Templates:
    """Stage 3: an entrywise claim written as the scalar claim about one entry."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.shapes = Shapes(frame)
        self.symbols: dict[str, sp.Symbol] = {}

    def symbol(self, name: str) -> sp.Symbol:
        if name not in self.symbols:
            self.symbols[name] = make_symbol(name, self.frame.domain(name))
        return self.symbols[name]

    def domains(self) -> dict[sp.Symbol, Domain]:
        return {s: self.frame.domain(n) for n, s in self.symbols.items()}

    def named(self, name: str, keep: frozenset[str], free: set[str]) -> Template:
        shape = self.shapes.of_name(name)
        definition = self.frame.definitions.get(name)
        if definition is not None and name not in keep:
            try:
                found = self.of(definition, keep, free, {})
                if found.kind == "entry" or _is_scalar(shape):
                    return found
            except NotEntrywise:
                pass
        free.add(name)
        if _is_scalar(shape):
            return Template("scalar", self.symbol(name))
        return Template("entry", self.symbol(name), shape)

    def of(self, node: Node, keep: frozenset[str], free: set[str],
           bound: Mapping[str, str]) -> Template:
        match node:
            case Sym(name):
                return self._sym(name, keep, free, bound)
            case Num(value):
                return Template("scalar", value)
            case Add(terms):
                return self._combine([self.of(t, keep, free, bound) for t in terms], sp.Add)
            case Prod(factors, arrays, _):
                parts: list[Template] = []
                kinds: list[bool] = []
                for k, (factor, array) in enumerate(zip(factors, arrays, strict=True)):
                    if isinstance(factor, Ones):
                        if k == len(factors) - 1:
                            raise NotEntrywise
                        continue
                    part = self.of(factor, keep, free, bound)
                    if k and isinstance(factors[k - 1], Ones):  # 𝟏ᵀv: the sum over a column
                        if part.kind != "entry" or part.shape[1] != 1:
                            raise NotEntrywise
                        part, array = Template("total", part.expr, part.shape), False
                    parts.append(part)
                    kinds.append(array)
                if sum(1 for p, a in zip(parts, kinds, strict=True)
                       if a and p.kind == "entry") > 1:
                    raise NotEntrywise  # a matrix product
                return self._combine(parts, sp.Mul)
            case Had(factors):
                return self._combine([self.of(f, keep, free, bound) for f in factors], sp.Mul)
            case Pow(base, exponent):
                return self._combine([self.of(base, keep, free, bound),
                                      self.of(exponent, keep, free, bound)],
                                     lambda a, b: sp.Pow(a, b))
            case Func(function, arg, _):
                inner = self.of(arg, keep, free, bound)
                if inner.kind == "total":
                    raise NotEntrywise
                return replace(inner, expr=function(inner.expr))
            case Frob(left, right):
                a, b = self.of(left, keep, free, bound), self.of(right, keep, free, bound)
                if a.kind != "entry" or b.kind != "entry" or not _same_shape(a.shape, b.shape):
                    raise NotEntrywise
                return Template("total", a.expr * b.expr, a.shape)
            case Der(expr, var):
                return self._derivative(expr, var, keep, free, bound)
            case Dif(arg):
                return self._differential(arg, keep, free, bound)
            case Total(body, index, low, high):
                return self._total(body, index, low, high, keep, free, bound)
        raise NotEntrywise

    def _sym(self, name: str, keep: frozenset[str], free: set[str],
             bound: Mapping[str, str]) -> Template:
        base, _, index = name.rpartition("_")
        if base and index in bound:
            array = self.frame.entry_array(base)
            if array is None:
                raise NotEntrywise
            shape = self.shapes.of_name(array)
            bound_array = bound[index]
            if bound_array and bound_array != _vector_key(shape):
                raise NotEntrywise
            return self.named(array, keep, free)
        if self.frame.entry(name) is not None:
            raise NotEntrywise  # one entry (w_0) is not the same at every index
        return self.named(name, keep, free)

    def _combine(self, parts: list[Template], how: Callable[..., sp.Expr]) -> Template:
        kinds = {p.kind for p in parts}
        shapes = [p.shape for p in parts if p.kind != "scalar"]
        if shapes and not all(_same_shape(shapes[0], s) for s in shapes):
            raise NotEntrywise
        shape = shapes[0] if shapes else SCALAR
        if kinds <= {"scalar"}:
            return Template("scalar", how(*[p.expr for p in parts]))
        if "total" in kinds:
            totals = sum(1 for p in parts if p.kind == "total")
            summed = how is sp.Add and "scalar" not in kinds  # Σa + Σb = Σ(a + b)
            scaled = how is sp.Mul and totals == 1  # c·Σa = Σ(c·a)
            if "entry" in kinds or not (summed or scaled):
                raise NotEntrywise
            return Template("total", how(*[p.expr for p in parts]), shape)
        return Template("entry", how(*[p.expr for p in parts]), shape)

    def _derivative(self, expr: Node, var: str, keep: frozenset[str], free: set[str],
                    bound: Mapping[str, str]) -> Template:
        inner_free: set[str] = set()
        function = self.of(expr, keep | {var}, inner_free, bound)
        if any(n != var and self.frame.depends(n, var) for n in inner_free):
            raise NotEntrywise  # a name left whole depends on the variable
        shape = self.shapes.of_name(var)
        variable = self.symbol(var)
        derivative = sp.diff(function.expr, variable)
        if _is_scalar(shape):
            result = replace(function, expr=derivative)
        elif function.kind == "scalar" or _same_shape(function.shape, shape):
            result = Template("entry", derivative, shape)
        else:
            raise NotEntrywise
        free.update(inner_free - {var})
        return self._written_in(result, var, keep, free)

    def _written_in(self, template: Template, var: str, keep: frozenset[str],
                    free: set[str]) -> Template:
        if var in keep or var not in self.frame.definitions:
            free.add(var)
            return template
        value = self.named(var, keep, free)
        if value.kind == "total":
            raise NotEntrywise
        return replace(template, expr=template.expr.xreplace({self.symbol(var): value.expr}))

    def _differential(self, arg: Node, keep: frozenset[str], free: set[str],
                      bound: Mapping[str, str]) -> Template:
        varying = self.frame.varying
        if not varying:
            raise NotEntrywise
        inner_free: set[str] = set()
        value = self.of(arg, keep | set(varying), inner_free, bound)
        if any(n not in varying and any(self.frame.depends(n, v) for v in varying)
               for n in inner_free):
            raise NotEntrywise
        total = sp.S.Zero
        for name in varying:
            shape = self.shapes.of_name(name)
            if value.kind != "scalar" and not _is_scalar(shape) and \
                    not _same_shape(value.shape, shape):
                raise NotEntrywise
            total += sp.diff(value.expr, self.symbol(name)) * self.symbol("d" + name)
        result = replace(value, expr=total)
        free.update(inner_free - set(varying))
        for name in varying:
            result = self._written_in(result, name, keep, free)
        return result

    def _total(self, body: Node, index: str, low: Node, high: Node, keep: frozenset[str],
               free: set[str], bound: Mapping[str, str]) -> Template:
        names = {self.frame.entry_array(n.name.rpartition("_")[0]) for n in walk(body)
                 if isinstance(n, Sym) and n.name.endswith("_" + index)}
        names.discard(None)
        if not names:
            raise NotEntrywise
        shapes = {self.shapes.of_name(a) for a in names if a is not None}
        if len(shapes) != 1:
            raise NotEntrywise
        (shape,) = shapes
        first = {self.frame.first_index(a) for a in names if a is not None}
        if len(first) != 1 or not isinstance(low, Num) or low.value != next(iter(first)):
            raise NotEntrywise
        length = shape[0] if shape[1] == 1 else shape[1] if shape[0] == 1 else None
        if length is None or not isinstance(high, Sym):
            raise NotEntrywise
        last = size_expression(high.name) if high.name.isidentifier() else None
        if last is None or sp.expand(last - low.value + 1 - length) != 0:
            raise NotEntrywise
        inner = self.of(body, keep, free, {**bound, index: _vector_key(shape)})
        if inner.kind == "total":
            raise NotEntrywise
        return Template("total", inner.expr, shape)


def _vector_key(shape: Shape) -> str:
    return f"{shape[0]}x{shape[1]}"


# ---- verdicts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """A matrix claim's verdict, its evidence record, the assumption it needs, and why."""

    verdict: str
    outcome: Any = None
    message: str = ""
    assumption: str = ""


def _holds(verdict: Verdict) -> bool:
    return verdict.verdict in ("proved", "checked")


def _sizes_text(sizes: Mapping[str, int]) -> str:
    return ", ".join(f"{n} = {v}" for n, v in sorted(sizes.items()))


def _checked_text(outcome: CheckedAtSizes) -> str:
    how = "exactly" if outcome.exact else (
        f"at {outcome.samples} points, largest difference {outcome.max_difference:.1e}")
    return (f"checked entry by entry at one instantiation ({_sizes_text(dict(outcome.sizes))}), "
            f"{how}; this is a check at those sizes, not a proof for every size")


def _differs_text(outcome: DiffersAtSizes, labels: tuple[str, str] = ("claimed", "true")
                  ) -> str:
    point = ", ".join(f"{_entry_name(n)} = {v}" for n, v in outcome.point[:8])
    more = ", …" if len(outcome.point) > 8 else ""
    where = f", at {point}{more}" if point else ""
    return (f"entry {outcome.entry} differs at {_sizes_text(dict(outcome.sizes))}: "
            f"{labels[0]} {outcome.claimed}, {labels[1]} {outcome.true}{where}")


def _entry_name(name: str) -> str:
    """λ for lambda, X[0,1] as it is: the names of a counterexample as the text shows them."""
    base, bracket, rest = name.partition("[")
    return _name(base) + bracket + rest


_ONCE = "checked at one instantiation, not for every size"


class Claim:
    """One equality of arrays, decided: both sides lowered, with the frame they are read in."""

    def __init__(self, left: Node, right: Node, frame: Frame,
                 conditions: Mapping[str, sp.Expr] | None = None,
                 deadline: float | None = None, *, alternatives: bool = True) -> None:
        self.left = left
        self.right = right
        self.frame = frame
        self.conditions = dict(conditions or {})
        self.deadline = deadline
        self.alternatives = alternatives
        """Whether other readings (another variable, the other data layout) are tried."""
        self.shapes = Shapes(frame)
        self.shift = 0
        """Added to every instantiation size: 0 for the first instantiation, 1 for the second."""

    # -- the whole decision ------------------------------------------------------------------

    def decide(self) -> Verdict:
        """The claim's verdict; one that holds at the first sizes is instantiated again at
        a second, larger set of sizes (``I : I = 2`` holds at n = 2 only)."""
        first = self._decide()
        if first.verdict != "checked" or self.shift:
            return first
        again = copy.copy(self)
        again.shift = 1
        second = again._decide()
        if second.verdict == "refuted":
            return replace(second, message=f"{second.message} (it held at "
                           f"{_sizes_text(self._sizes())})")
        if second.verdict == "checked":
            once = f"at one instantiation ({_sizes_text(self._sizes())})"
            twice = (f"at two instantiations ({_sizes_text(self._sizes())} and "
                     f"{_sizes_text(again._sizes())})")
            message = first.message.replace(once, twice) if once in first.message else \
                f"{first.message}; checked again at {_sizes_text(again._sizes())}"
            return replace(first, message=message)
        return first

    def _decide(self) -> Verdict:
        missing = self._independent()
        if missing is not None:
            return missing
        proved = self._proved()
        if proved is not None:
            return proved
        chain = self._chain_claim()
        if chain is not None:
            return chain
        left, right = self._unchained(self.left), self._unchained(self.right)
        for side, other in ((left, right), (right, left)):
            if isinstance(side, Der) and not _is_scalar(self.shapes.of(side.expr)) and \
                    not self._entrywise_derivative(side):
                return self._jacobian_claim(side, other)
        return self._value_claim(left, right)

    def _sizes(self, **override: int) -> dict[str, int]:
        chosen = self.frame.instance_sizes(self.frame.used(self.left, self.right), **override)
        return {name: value if name in override else value + self.shift
                for name, value in chosen.items()}

    # -- stage 1: derivatives of what depends on the variable -----------------------------------

    def _independent(self) -> Verdict | None:
        for side in (self.left, self.right):
            for node in walk(side):
                if not isinstance(node, Der):
                    continue
                function = node.expr
                named = function.name if isinstance(function, Sym) else None
                if named is not None and named not in self.frame.definitions and \
                        self.frame.declared(named) is None and named != node.var:
                    return Verdict("ill-formed", message=f"{_name(named)} is not defined, so "
                                   f"{show(node)} has no meaning here")
                if any(self.frame.depends(n, node.var) for n in names_in(function)):
                    continue
                what = _name(named) if named else show(function)
                definition = self.frame.definitions.get(named) if named else None
                written = f" ({what} = {show(definition)})" if definition is not None else ""
                message = f"{what} does not depend on {_name(node.var)}{written}"
                if named is not None and self.alternatives:
                    message += self._typo(node)
                return Verdict("ill-formed", message=message)
        return None

    def _typo(self, node: Der) -> str:
        """Which variables the claim would hold for, had the document written them."""
        candidates = sorted(n for n in self._inputs(node.expr) if n != node.var)
        found = []
        for candidate in candidates:
            swap = Der(node.expr, candidate)
            claim = Claim(_swap(self.left, node, swap), _swap(self.right, node, swap),
                          self.frame, self.conditions, self.deadline, alternatives=False)
            try:
                verdict = claim.decide()
            except (Unsupported, ShapeError, NotEntrywise, Jacobian):
                continue
            if verdict.verdict in ("proved", "checked", "conditional"):
                how = f" ({verdict.assumption})" if verdict.assumption else ""
                found.append(f"{show(swap)}{how}")
        if not found:
            return ""
        return f": a typo? the claim holds of {' and of '.join(found)}"

    def _inputs(self, node: Node) -> set[str]:
        names: set[str] = set()
        for name in names_in(node):
            definition = self.frame.definitions.get(name)
            if definition is not None:
                names |= names_in(definition)
        return {n for n in names if self.frame.declared(n) is not None or
                n in self.frame.definitions}

    # -- stage 3: entrywise, for every size; or the same expression -------------------------------

    def _proved(self) -> Verdict | None:
        left, right = self._expanded(self.left), self._expanded(self.right)
        if left == right:
            return Verdict("proved", Proved("the same matrix expression once the definitions "
                                            "are written in"),
                           "proved for every size: the two sides are the same matrix expression "
                           "once the definitions are written in")
        templates = Templates(self.frame)
        try:
            a = templates.of(self.left, frozenset(), set(), {})
            b = templates.of(self.right, frozenset(), set(), {})
        except (NotEntrywise, Unsupported, Jacobian, ShapeError):
            return None
        if a.kind != b.kind and "scalar" not in (a.kind, b.kind):
            return None
        if a.kind == b.kind == "entry" and not _same_shape(a.shape, b.shape):
            return None
        if {a.kind, b.kind} == {"scalar", "total"} or self.conditions:
            return None
        try:
            outcome = compare(a.expr, b.expr, templates.domains(), budget=self._budget(2.0))
        except (TypeError, ValueError):
            return None
        if not isinstance(outcome, Proved):
            return None
        what = {"entry": f"every entry ({show_shape(a.shape)} arrays)",
                "total": f"the sum over the entries of {show_shape(a.shape)} arrays",
                "scalar": "a scalar"}[a.kind if a.kind != "scalar" else b.kind]
        return Verdict("proved", outcome,
                       f"proved for every size: an entrywise claim, read as the scalar claim "
                       f"about {what}: {a.expr} = {b.expr}, by {outcome.method}")

    def _budget(self, at_most: float) -> float:
        if self.deadline is None:
            return at_most
        return max(0.05, min(at_most, self.deadline - time.monotonic()))

    def _expanded(self, node: Node, seen: frozenset[str] = frozenset()) -> Node:
        def expand(item: Node) -> Node:
            return self._expanded(item, seen)

        match node:
            case Sym(name) if name in self.frame.definitions and name not in seen:
                return self._expanded(self.frame.definitions[name], seen | {name})
            case Add(terms):
                flat: list[Node] = []
                for term in (expand(t) for t in terms):
                    flat.extend(term.terms if isinstance(term, Add) else (term,))
                return Add(tuple(flat))
            case Prod(factors, arrays, _):
                items: list[Node] = []
                kinds: list[bool] = []
                for factor, array in zip((expand(f) for f in factors), arrays, strict=True):
                    if isinstance(factor, Prod) and array and all(factor.arrays):
                        items.extend(factor.factors)
                        kinds.extend(factor.arrays)
                    else:
                        items.append(factor)
                        kinds.append(array)
                return Prod(tuple(items), tuple(kinds))
            case Had(factors):
                return Had(tuple(expand(f) for f in factors))
            case Pow(base, exponent):
                return Pow(expand(base), expand(exponent))
            case Func(function, arg, name):
                return Func(function, expand(arg), name)
            case T(arg):
                return T(expand(arg))
            case Frob(left, right):
                return Frob(expand(left), expand(right))
            case Diag(arg):
                return Diag(expand(arg))
        return node

    # -- chains of Jacobians ----------------------------------------------------------------------

    def _chain_of(self, node: Node) -> list[Der] | None:
        if isinstance(node, Prod) and len(node.factors) >= 2 and all(
                isinstance(f, Der) for f in node.factors):
            return [f for f in node.factors if isinstance(f, Der)]
        return None

    def _unchained(self, node: Node) -> Node:
        """A chain of Jacobians stands for the derivative it composes."""
        chain = self._chain_of(node)
        if chain is None:
            return node
        return Der(chain[0].expr, chain[-1].var)

    def _chain_claim(self) -> Verdict | None:
        for side, other in ((self.left, self.right), (self.right, self.left)):
            chain = self._chain_of(other)
            if chain is not None and isinstance(side, Der):
                return self._chain(side, chain)
        return None

    def _chain(self, whole: Der, chain: list[Der]) -> Verdict:
        sizes = self._sizes()
        instance = Instance(self.frame, sizes)
        try:
            true = instance.jacobian(whole.expr, whole.var)
            factors = [instance.jacobian(f.expr, f.var) for f in chain]
        except (Unsupported, ShapeError) as error:
            return Verdict("undecided", message=f"cannot instantiate the chain: {error}")
        results: dict[str, Verdict] = {}
        for layout, matrices, target in (
                ("numerator", factors, true),
                ("denominator", [m.T for m in factors], true.T)):
            shapes = " · ".join(f"{m.rows}×{m.cols}" for m in matrices)
            if any(a.cols != b.rows for a, b in itertools.pairwise(matrices)):
                reverse = " (this layout composes them in the reverse order)" \
                    if layout == "denominator" else ""
                results[layout] = Verdict("ill-formed", message=f"the Jacobians {shapes} do "
                                          f"not conform in the order written{reverse}")
                continue
            product = reduce(lambda a, b: a * b, matrices)
            if product.shape != target.shape:
                results[layout] = Verdict("ill-formed", message=f"the Jacobians {shapes} "
                                          f"compose to {product.rows}×{product.cols}, the "
                                          f"derivative is {target.rows}×{target.cols}")
                continue
            outcome = agree(product, target, instance.domains, sizes)
            if isinstance(outcome, CheckedAtSizes):
                results[layout] = Verdict("checked", outcome, f"the Jacobians {shapes} "
                                          "compose to it in the order written")
            else:
                results[layout] = Verdict("refuted", outcome, _differs_text(outcome))
        written = show(Prod(tuple(chain), (True,) * len(chain)))
        return self._by_layout(results, f"{show(whole)} = {written}, a chain of Jacobians at "
                               f"{_sizes_text(sizes)}")

    def _by_layout(self, results: Mapping[str, Verdict], what: str) -> Verdict:
        """The verdict of a derivative claim read in numerator and in denominator layout."""
        def detail(layout: str) -> str:
            found = results.get(layout)
            return found.message if found is not None else "no reading has the claim's shape"

        holding = [k for k in ("numerator", "denominator") if k in results
                   and _holds(results[k])]
        declared = self.frame.layout
        if len(holding) == 2:
            outcome = results["numerator"].outcome
            return Verdict("checked", outcome, f"{what}: holds in either layout; "
                           + _checked_text(outcome))
        if declared is not None:
            other = "denominator" if declared == "numerator" else "numerator"
            under = results.get(declared)
            also = f"; it would hold in {other} layout ({detail(other)})" if holding else ""
            if under is not None and _holds(under):
                return Verdict("checked", under.outcome, f"{what}: holds in {declared} layout, "
                               f"the layout the file declares ({under.message}); "
                               + _checked_text(under.outcome))
            if under is not None and under.verdict == "refuted":
                return Verdict("refuted", under.outcome, f"{what}: in {declared} layout (the "
                               f"file's): {under.message}{also}")
            return Verdict("ill-formed", message=f"{what}: in {declared} layout (the file's), "
                           f"{detail(declared)}{also}")
        if holding:
            layout = holding[0]
            other = "denominator" if layout == "numerator" else "numerator"
            outcome = results[layout].outcome
            return Verdict("conditional", outcome,
                           f"{what}: holds in {layout} layout only ({detail(layout)}); in "
                           f"{other} layout {detail(other)}; checked at one instantiation",
                           f"{layout} layout")
        refuted = [v for v in results.values() if v.verdict == "refuted"]
        if refuted:
            return Verdict("refuted", refuted[0].outcome, f"{what}: {refuted[0].message}")
        return Verdict("ill-formed", message=f"{what}: in numerator layout "
                       f"{detail('numerator')}; in denominator layout {detail('denominator')}")

    # -- Jacobians --------------------------------------------------------------------------------

    def _entrywise_derivative(self, node: Der) -> bool:
        a = self.shapes.of(node.expr)
        v = self.shapes.of_name(node.var)
        if not _same_shape(a, v) and not _is_scalar(v):
            return False
        if _is_scalar(v):
            return True
        instance = Instance(self.frame, self._sizes())
        try:
            instance.value(node)
        except Jacobian:
            return False
        except (Unsupported, ShapeError):
            return True
        return True

    def _jacobian_claim(self, derivative: Der, claimed: Node) -> Verdict:
        try:
            self.shapes.of(claimed)
        except ShapeError as error:
            return self._ill_formed_side(claimed, error, lambda n: self._jacobian_claim(
                derivative, n))
        sizes = self._sizes()
        instance = Instance(self.frame, sizes)
        try:
            true = instance.jacobian(derivative.expr, derivative.var)
            value = instance.value(claimed)
            target = instance.value(derivative.expr, frozenset({derivative.var}))
        except (Unsupported, ShapeError) as error:
            return Verdict("undecided", message=f"cannot instantiate the claim: {error}")
        results: dict[str, Verdict] = {}
        for layout, how, predicted in _jacobian_readings(value, target.shape,
                                                         instance.base(derivative.var).shape):
            if layout in results and _holds(results[layout]):
                continue
            outcome = agree(predicted, true, instance.domains, sizes)
            if isinstance(outcome, CheckedAtSizes):
                results[layout] = Verdict("checked", outcome, how)
            elif layout not in results:
                results[layout] = Verdict("refuted", outcome, f"read as {how}, "
                                          + _differs_text(outcome))
        shape_a = show_shape(self.shapes.of(derivative.expr))
        shape_v = show_shape(self.shapes.of_name(derivative.var))
        what = (f"{show(derivative)}, the Jacobian of {_show(derivative.expr, 2)} ({shape_a}) "
                f"by {_name(derivative.var)} ({shape_v}), against {show(claimed)} "
                f"({value.rows}×{value.cols} at {_sizes_text(sizes)})")
        for layout in ("entrywise", "gradient"):
            if layout in results and _holds(results[layout]):
                outcome = results[layout].outcome
                return Verdict("checked", outcome, f"{what}: {results[layout].message}; "
                               + _checked_text(outcome))
        return self._by_layout(results, what)

    # -- values -------------------------------------------------------------------------------

    def _value_claim(self, left: Node, right: Node) -> Verdict:
        for side, other, first in ((left, right, True), (right, left, False)):
            try:
                self.shapes.of(side)
            except ShapeError as error:
                def retry(node: Node, other: Node = other, first: bool = first) -> Verdict:
                    pair = (node, other) if first else (other, node)
                    return self._value_claim(*pair)
                return self._ill_formed_side(side, error, retry)
            except Jacobian as error:  # pragma: no cover - shapes raise ShapeError instead
                return Verdict("ill-formed", message=str(error))
        readings = groupings(left)
        if len(readings) > 1:
            return self._readings(readings, lambda n: self._value_claim(n, right))
        readings = groupings(right)
        if len(readings) > 1:
            return self._readings(readings, lambda n: self._value_claim(left, n))
        a, b = self.shapes.of(left), self.shapes.of(right)
        if not _same_shape(a, b):
            return self._shapes_differ(left, right, a, b)
        return self._instantiate(left, right, self._sizes())

    def _instantiate(self, left: Node, right: Node, sizes: Mapping[str, int]) -> Verdict:
        instance = Instance(self.frame, sizes)
        try:
            a, b = instance.value(left), instance.value(right)
        except Jacobian:
            return Verdict("ill-formed", message="a Jacobian of arrays by arrays inside a "
                           "formula has no value until a layout is chosen")
        except (Unsupported, ShapeError) as error:
            return Verdict("undecided", message=f"cannot instantiate the claim: {error}")
        if a.shape != b.shape:
            return Verdict("ill-formed", message=f"at {_sizes_text(sizes)} the two sides are "
                           f"{a.rows}×{a.cols} and {b.rows}×{b.cols}")
        substitutions = self._substitutions(instance)
        labels = ("this side", "the side before it")
        claimed, true = b, a
        if _has_derivative(right) and not _has_derivative(left):
            claimed, true = a, b
            labels = ("claimed", "true")
        elif _has_derivative(left) and not _has_derivative(right):
            labels = ("claimed", "true")
        try:
            outcome = agree(claimed, true, instance.domains, sizes)
        except Unsupported as error:
            return Verdict("undecided", message=str(error))
        if isinstance(outcome, DiffersAtSizes) and substitutions:
            under = agree(claimed, true, instance.domains, sizes, substitutions=substitutions)
            if isinstance(under, CheckedAtSizes):
                assumed = ", ".join(f"{_name(n)} = {v}" for n, v in self.conditions.items())
                return Verdict("conditional", under,
                               f"false in general ({_differs_text(outcome, labels)}); holds "
                               f"when {assumed}, {_ONCE}", assumed)
        if isinstance(outcome, CheckedAtSizes):
            return Verdict("checked", outcome, _checked_text(outcome))
        return Verdict("refuted", outcome, _differs_text(outcome, labels))

    def _substitutions(self, instance: Instance) -> dict[sp.Symbol, sp.Expr]:
        found: dict[sp.Symbol, sp.Expr] = {}
        for name, value in self.conditions.items():
            entry = instance.value(Sym(name))
            if entry.shape == (1, 1) and isinstance(entry[0, 0], sp.Symbol):
                found[entry[0, 0]] = value
        return found

    def _shapes_differ(self, left: Node, right: Node, a: Shape, b: Shape) -> Verdict:
        batch = self.frame.batch
        message = (f"the two sides differ in shape: {show(left)} is {show_shape(a)}, "
                   f"{show(right)} is {show_shape(b)}")
        if batch is not None:
            one = {sp.Symbol(batch, integer=True, positive=True): 1}
            if _same_shape((a[0].xreplace(one), a[1].xreplace(one)),
                           (b[0].xreplace(one), b[1].xreplace(one))):
                sizes = self._sizes(**{batch: 1})
                under = self._instantiate(left, right, sizes)
                if _holds(under):
                    return Verdict("conditional", under.outcome,
                                   f"holds per example ({batch} = 1) only: {message}, so for "
                                   f"{batch} > 1 a sum over the batch (𝟏ᵀ…) is missing; "
                                   f"{_ONCE}", f"{batch} = 1 (one example)")
                return Verdict(under.verdict, under.outcome,
                               f"{message}; even for one example: {under.message}")
        for side, other in ((left, right), (right, left)):
            if isinstance(side, Der) and _is_scalar(self.shapes.of(side.expr)):
                transposed = self._instantiate(T(side), other, self._sizes())
                if _holds(transposed):
                    if self.frame.layout == "numerator":
                        return replace(transposed, message="holds in numerator layout (the "
                                       "layout the file declares), where ∂/∂W of a scalar is "
                                       "shaped like Wᵀ; " + transposed.message)
                    return Verdict("conditional", transposed.outcome,
                                   f"holds in numerator layout only, where ∂/∂W of a scalar "
                                   f"is shaped like Wᵀ ({message}); {_ONCE}",
                                   "numerator layout")
        return Verdict("ill-formed", message=message)

    # -- ill-formed sides and their other readings -----------------------------------------------

    def _ill_formed_side(self, side: Node, error: ShapeError,
                         retry: Callable[[Node], Verdict]) -> Verdict:
        readings = groupings(side)
        if len(readings) > 1:
            return self._readings(readings, retry)
        transposed = self._other_data_layout(retry, error)
        if transposed is not None:
            return transposed
        return Verdict("ill-formed", message=str(error))

    def _readings(self, readings: list[Node], decide: Callable[[Node], Verdict]) -> Verdict:
        """Each grouping of ⊙ against juxtaposition: its shape, and whether it holds."""
        lines = []
        results: list[tuple[Node, Verdict | None]] = []
        for reading in readings:
            try:
                shape = show_shape(self.shapes.of(reading))
            except ShapeError as error:
                lines.append(f"{show(reading)}: ill-formed ({_reason(error)})")
                results.append((reading, None))
                continue
            verdict = decide(reading)
            results.append((reading, verdict))
            lines.append(f"{show(reading)}: {shape}, {verdict.verdict}")
        written = results[0][1]
        well = [(r, v) for r, v in results if v is not None]
        listing = "; ".join(f"({k + 1}) {line}" for k, line in enumerate(lines))
        if written is not None and len(well) == 1:
            return written  # the other groupings of ⊙ are ill-formed: nothing is ambiguous
        if written is not None and all(v.verdict == written.verdict for _, v in well):
            return replace(written, message=f"{written.message} (every well-formed grouping "
                           f"of ⊙ agrees: {listing})")
        holding = [(r, v) for r, v in well if v.verdict in ("proved", "checked", "conditional")]
        if not holding:
            return Verdict("ill-formed" if written is None else written.verdict,
                           None if written is None else written.outcome,
                           f"no grouping of ⊙ holds: {listing}")
        reading, verdict = holding[0]
        index = next(k for k, (r, _) in enumerate(results) if r == reading)
        how = "as written (left to right)" if index == 0 else f"read as {show(reading)}"
        only = ", the only well-formed reading" if len(well) == 1 else ""
        extra = f"; {verdict.assumption}" if verdict.assumption else ""
        return Verdict("conditional", verdict.outcome,
                       f"⊙ against the matrix product: the groupings are {listing}. It holds "
                       f"{how}{only}; {_ONCE}", f"read as {show(reading)}{extra}")

    def _other_data_layout(self, retry: Callable[[Node], Verdict],
                           error: ShapeError) -> Verdict | None:
        """The claim read with the examples stored the other way (rows ↔ columns)."""
        batch = self.frame.batch
        if batch is None or not self.alternatives:
            return None
        size = sp.Symbol(batch, integer=True, positive=True)
        moved = []
        for name in sorted(set(names_in(self.left)) | set(names_in(self.right))
                           | set(self.frame.definitions)):
            try:
                shape = self.shapes.of_name(name)
            except ShapeError:
                continue
            if size in shape[0].free_symbols | shape[1].free_symbols:
                moved.append(name)
        if not moved:
            return None
        flipped = Claim(_transposed(self.left, moved), _transposed(self.right, moved),
                        self.frame, self.conditions, self.deadline, alternatives=False)
        try:
            verdict = flipped.decide()
        except (Unsupported, ShapeError, Jacobian):
            return None
        if not _holds(verdict):
            return None
        shapes = ", ".join(f"{_name(n)} {show_shape(_swap_shape(self.shapes.of_name(n)))}"
                           for n in moved)
        layout = ("one example per row" if self._examples_in_columns(moved, size)
                  else "one example per column")
        return Verdict("conditional", verdict.outcome,
                       f"ill-formed as the file stores the examples: {_reason(error)}; it "
                       f"holds with {layout} ({shapes}); {_ONCE}", f"{layout} ({shapes})")

    def _examples_in_columns(self, names: list[str], size: sp.Symbol) -> bool:
        for name in names:
            rows, cols = self.shapes.of_name(name)
            if size in cols.free_symbols and size not in rows.free_symbols:
                return True
        return False


def _has_derivative(node: Node) -> bool:
    return any(isinstance(n, Der) for n in walk(node))


def _reason(error: ShapeError) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if ": " in text else text


def _swap_shape(shape: Shape) -> Shape:
    return (shape[1], shape[0])


def _swap(node: Node, old: Node, new: Node) -> Node:
    return _map(node, lambda item: new if item == old else None)


def _transposed(node: Node, names: Sequence[str]) -> Node:
    """Every named array stored the other way: X → Xᵀ (a derivative by it, transposed)."""
    def change(item: Node) -> Node | None:
        if isinstance(item, Sym) and item.name in names:
            return T(item)
        if isinstance(item, Der) and item.var in names:
            return T(Der(_transposed(item.expr, names), item.var))
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
        case Dif(arg):
            return Dif(again(arg))
        case Total(body, index, low, high):
            return Total(again(body), index, low, high)
    return node


def _jacobian_readings(value: Matrix, a: tuple[int, int], v: tuple[int, int]
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
