"""The slips: every way a known slip changes a correct expression.

Each function lists the ``Slip`` records of one slip (one term's sign flipped, a factor
transposed, ...) over every place of an expression where it applies. The catalogue applies
them to the correct result, or undoes them on the claim so that the place is named in the
learner's own writing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import MatrixExpr


@dataclass(frozen=True)
class Slip:
    """One way a slip changes an expression: ``part`` becomes ``slipped``, the whole becomes
    ``result``. ``term`` is the additive term or factor concerned (before, after), ``position``
    its place (1 = first) in ``part``, ``factor`` the constant a factor slip multiplies by."""

    part: sp.Basic
    slipped: sp.Basic
    result: sp.Basic
    term: tuple[sp.Basic, sp.Basic] | None = None
    position: int | None = None
    factor: sp.Expr | None = None


def _preorder(expr: sp.Basic) -> list[sp.Basic]:
    found: list[sp.Basic] = []
    for node in sp.preorder_traversal(expr):
        if node not in found:
            found.append(node)
    return found


def terms(add: sp.Basic) -> list[sp.Basic]:
    """The terms of a sum in the order they are printed (a matrix sum's in its own)."""
    return list(add.as_ordered_terms()) if isinstance(add, sp.Add) else list(add.args)


def _swap(expr: sp.Basic, old: sp.Basic, new: sp.Basic) -> sp.Basic | None:
    try:
        return expr.xreplace({old: new})
    except (ValueError, TypeError, sp.ShapeError):
        return None


def term_sign_flipped(expr: sp.Basic) -> Iterator[Slip]:
    """a + b written as a − b: the sign of one additive term flipped."""
    for node in _preorder(expr):
        if not isinstance(node, sp.Add | sp.MatAdd):
            continue
        found = terms(node)
        for position, term in enumerate(found, 1):
            others = [t for i, t in enumerate(found, 1) if i != position]
            try:
                flipped = node.func(*others, -term)
            except (ValueError, TypeError, sp.ShapeError):
                continue
            result = _swap(expr, node, flipped)
            if result is not None and flipped != node:
                yield Slip(node, flipped, result, (term, -term), position)


def overall_sign_flipped(expr: sp.Basic) -> Iterator[Slip]:
    """−f written for f: the overall sign flipped (a factor −1 dropped or added)."""
    yield Slip(expr, -expr, -expr, factor=sp.S.NegativeOne)


DEFAULT_FACTORS: tuple[sp.Expr, ...] = (sp.Integer(2), sp.Rational(1, 2))


def constant_factor_wrong(expr: sp.Basic,
                          factors: Sequence[sp.Expr] = DEFAULT_FACTORS) -> Iterator[Slip]:
    """c·f written for f: a constant factor (1/m, 2, ...) dropped or wrong, on the whole
    expression or on one additive term."""
    for factor in factors:
        yield Slip(expr, factor * expr, factor * expr, factor=factor)
    for node in _preorder(expr):
        if not isinstance(node, sp.Add | sp.MatAdd):
            continue
        found = terms(node)
        for position, term in enumerate(found, 1):
            for factor in factors:
                others = [t for i, t in enumerate(found, 1) if i != position]
                try:
                    scaled = node.func(*others, factor * term)
                except (ValueError, TypeError, sp.ShapeError):
                    continue
                result = _swap(expr, node, scaled)
                if result is not None:
                    yield Slip(node, scaled, result, (term, factor * term), position, factor)


def sum_missing(expr: sp.Basic) -> Iterator[Slip]:
    """Σᵢ fᵢ written as fᵢ: the sum over the batch dropped (for matrices, a factor 𝟙ᵀ)."""
    for node in _preorder(expr):
        if isinstance(node, sp.Sum):
            result = _swap(expr, node, node.function)
            if result is not None:
                yield Slip(node, node.function, result)
        elif isinstance(node, sp.MatMul):
            kept = [a for a in node.args if not _is_ones(a)]
            if len(kept) == len(node.args) or not kept:
                continue
            try:
                rest = sp.MatMul(*kept).doit() if len(kept) > 1 else kept[0]
            except (ValueError, TypeError, sp.ShapeError):
                continue
            result = _swap(expr, node, rest)
            if result is not None:
                yield Slip(node, rest, result)


def _is_ones(expr: sp.Basic) -> bool:
    inner = expr.arg if isinstance(expr, sp.Transpose) else expr
    return isinstance(inner, sp.OneMatrix)


def factor_transposed(expr: sp.Basic) -> Iterator[Slip]:
    """Aᵀ written for A (or A for Aᵀ): a factor of a matrix product transposed."""
    for node in _preorder(expr):
        if not isinstance(node, sp.MatMul | sp.HadamardProduct | sp.MatAdd):
            continue
        args = list(node.args)
        for position, arg in enumerate(args, 1):
            if not isinstance(arg, MatrixExpr) or _is_ones(arg):
                continue
            changed = list(args)
            changed[position - 1] = arg.T
            try:
                rebuilt = node.func(*changed).doit()
            except (ValueError, TypeError, sp.ShapeError):
                continue
            result = _swap(expr, node, rebuilt)
            if result is not None and rebuilt != node:
                yield Slip(node, rebuilt, result, (arg, arg.T), position)


def product_kind_swapped(expr: sp.Basic) -> Iterator[Slip]:
    """A·B written for A ⊙ B, or A ⊙ B for A·B: matrix and Hadamard product swapped."""
    for node in _preorder(expr):
        if isinstance(node, sp.MatMul):
            other: type[sp.Basic] = sp.HadamardProduct
        elif isinstance(node, sp.HadamardProduct):
            other = sp.MatMul
        else:
            continue
        args = [a for a in node.args if isinstance(a, MatrixExpr)]
        scalars = [a for a in node.args if not isinstance(a, MatrixExpr)]
        for position in range(len(args) - 1):
            pair = args[position:position + 2]
            try:
                swapped_pair = other(*pair)
                changed = [*args[:position], swapped_pair, *args[position + 2:]]
                rebuilt = node.func(*scalars, *changed) if len(changed) > 1 else (
                    sp.MatMul(*scalars, changed[0]) if scalars else changed[0])
                _ = rebuilt.shape
            except (ValueError, TypeError, sp.ShapeError):
                continue
            result = _swap(expr, node, rebuilt)
            if result is not None:
                yield Slip(node, rebuilt, result, (node.func(*pair), swapped_pair), position + 1)
