"""The plain Unicode printer of explanations: ŷ, σ(z), d/dŷ, Xᵀ, ⊙, − for minus, · for products.

``show`` prints an expression as the explanations of this package say it; a diagnosis can be
printed with any other printer too (``Diagnosis.sentence``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sympy as sp

from derive.core.unicode import NamePrinter


class _Text(NamePrinter):
    """Plain Unicode math for explanations: ŷ, σ(z), d/dŷ, Xᵀ, ⊙."""

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        index = ",".join(self._print(i) for i in expr.indices)
        return f"{self._print(expr.base.label)}[{index}]"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        variable = "".join(f"d{self._print(v)}" for v, _ in expr.variable_count)
        inner = self._print(expr.expr)
        if isinstance(expr.expr, sp.Add):
            return f"d({inner})/{variable}"
        if isinstance(expr.expr, sp.Mul):
            inner = f"({inner})"
        return f"d/{variable} {inner}"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        return f"{inner}ᵀ" if isinstance(expr.arg, sp.MatrixSymbol) else f"({inner})ᵀ"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " ⊙ ".join(self._wrap(a) for a in expr.args)

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        args = list(expr.args)
        sign = ""
        if args and args[0] == -1:
            sign, args = "-", args[1:]
        return sign + "·".join(self._wrap(a) for a in args)

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        out = ""
        terms = sorted(expr.args, key=lambda t: self._print(t).startswith("-"))
        for i, term in enumerate(terms):
            printed = self._print(term)
            if printed.startswith("-"):
                out += f" - {printed[1:]}" if i else printed
            else:
                out += f" + {printed}" if i else printed
        return out

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        return "𝟙ᵀ" if expr.shape[0] == 1 else "𝟙"

    def _print_Sum(self, expr: sp.Sum) -> str:
        limits = "".join(f"Σ_{{{self._print(i)}={self._print(a)}..{self._print(b)}}}"
                         for i, a, b in expr.limits)
        return f"{limits} ({self._print(expr.function)})"

    def _wrap(self, expr: sp.Basic) -> str:
        printed = self._print(expr)
        wrapped = isinstance(expr, sp.MatAdd | sp.Add | sp.HadamardProduct)
        return f"({printed})" if wrapped else printed


_PRINTER = _Text()


def show(expr: Any) -> str:
    """An expression in the plain Unicode math of the explanations."""
    text = _PRINTER.doprint(expr) if isinstance(expr, sp.Basic) else str(expr)
    text = text.replace("**", "^").replace("*", "·").replace("-", "−")
    return unicodedata.normalize("NFC", text)
