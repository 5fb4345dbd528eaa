"""Instantiation: every name as an explicit SymPy matrix at concrete sizes (base names as matrices
of entry symbols, defined names computed from their definitions), with derivatives, Hessians,
Jacobians and differentials taken entry by entry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any, TypeAlias

import sympy as sp

from derive.core.domains import Domain, make_symbol
from derive.verify.shapes.frame import Frame
from derive.verify.shapes.inference import ShapeError, Shapes, is_scalar
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
    Num,
    Ones,
    Pow,
    Prod,
    Softmax,
    Stacked,
    Sym,
    T,
    Total,
    names_in,
    walk,
)
from derive.verify.shapes.lowering import Unsupported
from derive.verify.shapes.notation import show


class Jacobian(Exception):
    """A derivative of an array by an array, met where a value was needed."""


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
        if declared is None and name[:1] == "d" and name[1:] in self.frame.varying:
            declared = self.frame.declared(name[1:])  # dW, the differential of W: W's shape
        shape = declared if declared is not None else self.shapes.of_name(name)
        rows, cols = self.size(shape[0]), self.size(shape[1])
        domain = self.frame.domain(name)
        declaration = self.frame.own_declaration(name)
        if declaration.identity:
            self.bases[name] = sp.eye(rows)
            return self.bases[name]
        if declaration.ones:
            self.bases[name] = sp.ones(rows, cols)
            return self.bases[name]
        if declared is None and rows == cols == 1:
            symbol = make_symbol(name, domain)
            self.domains[symbol] = domain
            matrix = sp.Matrix([[symbol]])
        else:
            entries = [[make_symbol(f"{name}[{min(i, j)},{max(i, j)}]" if declaration.symmetric
                                    else f"{name}[{i},{j}]", domain) for j in range(cols)]
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
                if a.shape != b.shape:
                    raise ShapeError(f"{show(node)}: the Frobenius product needs equal shapes; "
                                     f"here they are {_shape_text(a.shape)} and "
                                     f"{_shape_text(b.shape)}")
                return sp.Matrix([[sum((x * y for x, y in zip(a, b, strict=True)), sp.S.Zero)]])
            case Der(expr, var):
                return self._derivative(expr, var, keep, bound)
            case Hess(expr, var):
                return self._hessian(expr, var, keep, bound)
            case Diag(arg):
                return sp.diag(*self.value(arg, keep, bound))
            case Softmax(arg):
                return _softmax(self.value(arg, keep, bound))
            case Dif(arg):
                return self._differential(arg, keep, bound)
            case Total(body, index, low, high):
                parts = [self.value(body, keep, {**bound, index: k})
                         for k in self._range(low, high, keep, bound)]
                return reduce(_add, parts) if parts else sp.Matrix([[0]])
            case Literal(rows):
                return sp.Matrix([[self._scalar(e, keep, bound) for e in row] for row in rows])
            case Stacked(body, index, low, high):
                return sp.Matrix([[self._scalar(body, keep, {**bound, index: k})]
                                  for k in self._range(low, high, keep, bound)])
            case Grid(diagonal, other, row, column, low, high):
                indices = self._range(low, high, keep, bound)
                return sp.Matrix([[self._scalar(diagonal if k == m else other, keep,
                                                {**bound, row: k, column: m}) for m in indices]
                                  for k in indices])
        raise TypeError(type(node).__name__)  # pragma: no cover

    def _scalar(self, node: Node, keep: frozenset[str], bound: Mapping[str, int]) -> sp.Expr:
        """The value of an entry of a matrix written out: a 1×1 value."""
        value = self.value(node, keep, bound)
        if value.shape != (1, 1):
            raise ShapeError(f"an entry of a matrix written out is a scalar, but {show(node)} is "
                             f"{_shape_text(value.shape)} here")
        return value[0, 0]

    def _range(self, low: Node, high: Node, keep: frozenset[str], bound: Mapping[str, int]
               ) -> range:
        """The whole numbers from ``low`` to ``high`` (a sum's or a written matrix's)."""
        return range(self._integer(low, keep, bound), self._integer(high, keep, bound) + 1)

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
            return sp.Matrix([[self._entry_in(self.named(array, keep), name, array, index)]])
        return self.named(name, keep)

    def _entry_in(self, matrix: Matrix, name: str, array: str, index: str) -> sp.Expr:
        """The entry ``index`` (as the document numbers it) of the vector ``array``."""
        position = int(index) - self.frame.first_index(array)
        vector = list(matrix)
        if not 0 <= position < len(vector):
            raise Unsupported(f"{name} is not an entry of {array} at these sizes")
        return vector[position]

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
        if len(value) != len(base):
            raise Unsupported(f"the definition of {name} gives it a shape its other uses do "
                              "not")
        mapping = {b: v for b, v in zip(base, value, strict=True) if b != v}
        return matrix.xreplace(mapping) if mapping else matrix

    def _entry_variable(self, var: str) -> tuple[str, sp.Symbol] | None:
        """(vector, its entry's symbol) when ``var`` is an entry written by its number (ŷ_2):
        the derivative is by that entry of the vector, the symbol its value is written in."""
        entry = self.frame.entry(var)
        if entry is None or not entry[1].isdigit():
            return None
        array, index = entry
        return array, self._entry_in(self.base(array), var, array, index)

    def _derivative(self, expr: Node, var: str, keep: frozenset[str],
                    bound: Mapping[str, int]) -> Matrix:
        by_entry = self._entry_variable(var)
        if by_entry is not None:
            array, symbol = by_entry
            function = self.value(expr, keep | {var, array}, bound)
            gradient = function.applyfunc(lambda e: sp.diff(e, symbol))
            return self.substitute(gradient, array, keep)
        variable = self.base(var)
        if isinstance(expr, Sym) and not keep and not bound and \
                expr.name in self.frame.definitions and \
                is_scalar(self.shapes.of_name(expr.name)) and \
                not self._takes_derivatives(expr.name):
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
        if isinstance(expr, Sym) and not keep and expr.name in self.frame.definitions and \
                not self._takes_derivatives(expr.name):
            return self._through_definitions(expr.name, var)
        function = self.value(expr, keep | {var})
        variable = list(self.base(var))
        rows = []
        for entry in function:
            present = entry.free_symbols
            rows.append([sp.diff(entry, v) if v in present else sp.S.Zero for v in variable])
        return self.substitute(sp.Matrix(rows), var, keep)

    def _takes_derivatives(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a defined name's value is reached through a derivative (g = ∂ℓ/∂β): the
        chain rule over the definitions holds each name fixed, and ∂ℓ/∂β with ℓ fixed is 0,
        so such a name is differentiated written out in full."""
        definition = self.frame.definitions.get(name)
        if definition is None or name in seen:
            return False
        if any(isinstance(node, Der | Hess | Dif) for node in walk(definition)):
            return True
        return any(self._takes_derivatives(n, seen | {name}) for n in names_in(definition))

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
                if len(values) != len(self.base(defined)):
                    raise Unsupported(f"the definition of {defined} gives it a shape its other "
                                      "uses do not")
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
                named = self.frame.named_entry(item) if entry is None else None
                if named is not None and named[0] == var:
                    used.add(var)  # ŷ_j = Σᵢ x_ji w_i, by ŷ: the entry of ŷ, not its formula
                else:
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
            if differentials.shape != base.shape:
                raise Unsupported(f"d{name} is read as {_shape_text(differentials.shape)} but "
                                  f"{name} is {_shape_text(base.shape)}: declare d{name} with "
                                  f"the shape of {name}")
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


def _shape_text(shape: tuple[int, int]) -> str:
    return f"{shape[0]}×{shape[1]}"


def _softmax(a: Matrix) -> Matrix:
    """softmax over the entries of a vector, or over each row of a matrix."""
    if a.cols == 1:
        return _softmax(a.T).T
    rows = []
    for i in range(a.rows):
        exps = [sp.exp(a[i, j]) for j in range(a.cols)]
        total = sp.Add(*exps)
        rows.append([e / total for e in exps])
    return sp.Matrix(rows)
