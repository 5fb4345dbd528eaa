"""The lowered tree and its shapes written in the documents' notation (Xᵀ, ⊙, ∂L/∂W, n×d), for
verdict messages and shape errors."""

from __future__ import annotations

import sympy as sp

from derive.core.unicode import pretty_name
from derive.read.latex import ONES_LENGTH
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
    Shape,
    Softmax,
    Stacked,
    Sym,
    T,
    Total,
)


def _negated(node: Node) -> Node | None:
    if isinstance(node, Prod) and node.factors and node.factors[0] == Num(sp.S.NegativeOne):
        rest, arrays = node.factors[1:], node.arrays[1:]
        return rest[0] if len(rest) == 1 else Prod(rest, arrays, node.run)
    if isinstance(node, Num) and node.value.is_negative:
        return Num(-node.value)
    return None


def show(node: Node, level: int = 0) -> str:
    """A lowered expression in the documents' notation. ``level`` is where it stands, for its
    brackets: 0 top, 1 inside a product, 2 inside a power or transpose."""
    match node:
        case Sym(name):
            return pretty_name(name)
        case Num(value):
            text = "e" if value is sp.E else str(value)
            return f"({text})" if level and (value.is_negative or "/" in text) else text
        case Add(terms):
            out = ""
            for k, term in enumerate(terms):
                negative = _negated(term)
                if negative is not None:
                    out += ("−" if k == 0 else " − ") + show(negative, 1)
                else:
                    out += ("" if k == 0 else " + ") + show(term, 0)
            return f"({out})" if level else out
        case Prod(factors, _, _):
            negative = _negated(node)
            if negative is not None:
                return "−" + show(negative, 1)
            joiner = " " if any(isinstance(f, Der) for f in factors) else ""
            text = ""
            flat: list[Node] = []
            for factor in factors:  # a product of scalars inside is shown inline
                inline = isinstance(factor, Prod) and not any(factor.arrays) and flat
                flat.extend(factor.factors if inline and isinstance(factor, Prod) else (factor,))
            for k, factor in enumerate(flat):
                if k and isinstance(factor, Pow) and factor.exponent == Num(sp.S.NegativeOne):
                    text += f"/{show(factor.base, 2)}"
                else:
                    text += (joiner if k else "") + show(factor, 1)
            return f"({text})" if level >= 2 else text
        case Had(factors):
            parts: list[str] = []
            for factor in factors:
                if isinstance(factor, Pow) and factor.exponent == Num(sp.S.NegativeOne) and parts:
                    parts[-1] = f"{parts[-1]}/{show(factor.base, 2)}"
                else:
                    parts.append(show(factor, 2))
            text = " ⊙ ".join(parts)
            return f"({text})" if level else text
        case Pow(base, exponent):
            if exponent == Num(sp.S.NegativeOne):
                return f"1/{show(base, 2)}"
            return f"{show(base, 2)}^{show(exponent, 2)}"
        case Func(_, arg, name):
            return f"{name}({show(arg, 0)})"
        case T(arg):
            return f"{show(arg, 2)}ᵀ"
        case Frob(left, right):
            text = f"{show(left, 1)} : {show(right, 1)}"
            return f"({text})" if level else text
        case Der(expr, var):
            return f"∂{show(expr, 2)}/∂{pretty_name(var)}"
        case Hess(expr, var):
            return f"∂²{show(expr, 2)}/∂{pretty_name(var)}∂{pretty_name(var)}ᵀ"
        case Diag(arg):
            return f"diag({show(arg, 0)})"
        case Softmax(arg):
            return f"softmax({show(arg, 0)})"
        case Dif(arg):
            return f"d{show(arg, 2)}"
        case Total(body, index, low, high):
            return f"Σ_{pretty_name(index)}={show(low)}..{show(high)} {show(body, 2)}"
        case Literal(rows):
            return "[" + "; ".join(", ".join(show(e) for e in row) for row in rows) + "]"
        case Stacked(body, index, low, high):
            return f"[{show(body)}]_{pretty_name(index)}={show(low)}..{show(high)}"
        case Grid(diagonal, other, row, column, low, high):
            return (f"[{show(diagonal)} if {pretty_name(row)} = {pretty_name(column)}, else "
                    f"{show(other)}]_{pretty_name(row)},{pretty_name(column)}={show(low)}.."
                    f"{show(high)}")
        case Ones():
            return "𝟏ᵀ"
    raise TypeError(type(node).__name__)  # pragma: no cover


def show_shape(shape: Shape) -> str:
    """A shape as the texts write it: n×d."""
    rows, cols = shape
    return f"{show_size(rows)}×{show_size(cols)}"


def show_size(size: sp.Expr) -> str:
    """A size as the texts write it; ? for the length of 𝟏ᵀ (that of what it multiplies)."""
    return "?" if size == ONES_LENGTH else str(size).replace(" ", "")
