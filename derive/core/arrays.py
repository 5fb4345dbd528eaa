"""Arrays in matrix formulas: entrywise templates and instantiation at concrete sizes.

Elementwise algebra is scalar algebra on entries: ``Entrywise(t, (s,), (A,))`` is the array
whose (i, j) entry is the scalar formula ``t`` with the entry symbol ``s`` read as ``A[i, j]``.
So (ŷ − y) ⊘ (ŷ ⊙ (1 − ŷ)) is ``Entrywise((ŷ − y)/(ŷ(1 − ŷ)), (ŷ, y), (Ŷ, Y))`` and simplifies
with ordinary SymPy. Matrix structure (products, transposes, sums over the batch) stays in
SymPy's matrix expressions around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp


class Entrywise(sp.MatrixExpr):  # type: ignore[misc]
    """An array given by a scalar template applied entry by entry to arrays of one shape."""

    def __new__(
        cls, template: sp.Expr, symbols: tuple[sp.Symbol, ...], arrays: tuple[Any, ...]
    ) -> Entrywise:
        if not arrays:
            raise ValueError("an entrywise array needs at least one array")
        shape = arrays[0].shape
        for array in arrays[1:]:
            if array.shape != shape:
                raise ValueError(f"entrywise arrays differ in shape: {shape} and {array.shape}")
        return sp.Basic.__new__(cls, template, sp.Tuple(*symbols), sp.Tuple(*arrays))  # type: ignore[no-any-return]

    @property
    def template(self) -> sp.Expr:
        return self.args[0]

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(self.args[1])

    @property
    def arrays(self) -> tuple[Any, ...]:
        return tuple(self.args[2])

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[2][0].shape  # type: ignore[no-any-return]

    def binding(self) -> dict[sp.Symbol, Any]:
        return dict(zip(self.symbols, self.arrays, strict=True))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.template.xreplace({s: a[i, j] for s, a in self.binding().items()})

    def _eval_transpose(self) -> Entrywise:
        return Entrywise(self.template, self.symbols, tuple(a.T for a in self.arrays))


class Dot(sp.Function):  # type: ignore[misc]
    """wᵀx for two column vectors: a scalar, printed as the documents write it."""

    nargs = 2

    def _latex(self, printer: Any, exp: Any = None) -> str:
        left, right = (printer._print(a) for a in self.args)
        return rf"{left}^{{\top}} {right}"

    def _sympystr(self, printer: Any) -> str:
        left, right = (printer._print(a) for a in self.args)
        return f"{left}ᵀ{right}"


def entrywise(template: sp.Expr, binding: Mapping[sp.Symbol, Any]) -> Any:
    """The array of ``template`` over the arrays bound to its entry symbols (only the symbols
    that occur); a template with no array symbol is returned as the scalar it is."""
    used = [(s, a) for s, a in binding.items() if template.has(s)]
    if not used:
        return template
    return Entrywise(template, tuple(s for s, _ in used), tuple(a for _, a in used))


def hadamard(left: Any, right: Any) -> Any:
    """left ⊙ right, merging entrywise templates so their algebra stays scalar algebra."""
    if isinstance(left, Entrywise) and isinstance(right, Entrywise):
        binding = {**left.binding(), **right.binding()}
        return entrywise(left.template * right.template, binding)
    if isinstance(left, Entrywise) and not isinstance(right, sp.MatrixExpr):
        return entrywise(left.template * right, left.binding())
    if isinstance(right, Entrywise) and not isinstance(left, sp.MatrixExpr):
        return entrywise(left * right.template, right.binding())
    if not isinstance(left, sp.MatrixExpr) or not isinstance(right, sp.MatrixExpr):
        return left * right
    return sp.HadamardProduct(left, right)


def map_templates(expr: Any, function: Any) -> Any:
    """Apply ``function`` to every entrywise template inside a matrix expression (and to a
    scalar expression itself)."""
    if isinstance(expr, Entrywise):
        return entrywise(function(expr.template), expr.binding())
    if isinstance(expr, sp.MatrixExpr) and expr.args:
        args = [map_templates(a, function) if isinstance(a, sp.Basic) else a for a in expr.args]
        return expr.func(*args)
    if isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr):
        return function(expr)
    return expr


def explicit(expr: Any, sizes: Mapping[sp.Symbol, int]) -> sp.Matrix:
    """The explicit matrix of ``expr`` at concrete sizes (a scalar becomes 1×1): matrix
    symbols become matrices of their entries ``X[i, j]``."""
    value = _explicit(expr, dict(sizes))
    return value if isinstance(value, sp.MatrixBase) else sp.Matrix([[value]])


def _size(n: Any, sizes: dict[sp.Symbol, int]) -> int:
    return int(n.xreplace(sizes)) if isinstance(n, sp.Basic) else int(n)


def _explicit(expr: Any, sizes: dict[sp.Symbol, int]) -> Any:
    """Evaluate a matrix expression into an explicit matrix, operation by operation (much
    faster than SymPy's ``as_explicit`` on products of entrywise arrays)."""
    if not isinstance(expr, sp.MatrixExpr):
        return expr.xreplace(sizes) if isinstance(expr, sp.Basic) else expr
    if isinstance(expr, sp.MatrixSymbol):
        concrete = sp.MatrixSymbol(expr.name, _size(expr.shape[0], sizes),
                                   _size(expr.shape[1], sizes))
        return sp.Matrix(concrete.shape[0], concrete.shape[1], lambda i, j: concrete[i, j])
    if isinstance(expr, sp.OneMatrix):
        return sp.ones(_size(expr.shape[0], sizes), _size(expr.shape[1], sizes))
    if isinstance(expr, sp.Transpose):
        return _explicit(expr.arg, sizes).T
    if isinstance(expr, Entrywise):
        arrays = [_explicit(a, sizes) for a in expr.arrays]
        rows, cols = arrays[0].shape
        template = expr.template.xreplace(sizes)
        return sp.Matrix(rows, cols, lambda i, j: template.xreplace(
            {s: a[i, j] for s, a in zip(expr.symbols, arrays, strict=True)}))
    args = [_explicit(a, sizes) for a in expr.args]
    if isinstance(expr, sp.MatMul):
        result = args[0]
        for arg in args[1:]:
            result = result * arg
        return result
    if isinstance(expr, sp.MatAdd):
        result = args[0]
        for arg in args[1:]:
            result = result + arg
        return result
    if isinstance(expr, sp.HadamardProduct):
        result = args[0]
        for arg in args[1:]:
            result = result.multiply_elementwise(arg)
        return result
    return sp.Matrix(expr.xreplace(sizes).as_explicit())
