"""Expressions in Unicode math (ŷ, σ(z), ∂/∂w, Xᵀ, ⊙, −): the one text printer.

Every message that shows an expression to people prints it here: the renderers of
``derive.emit`` and the verdict messages of ``derive.verify`` alike, so that a claim reads the
same in a report's evidence as in its derivation (never ``yhat**2`` beside ``ŷ²``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.precedence import precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol

from derive.core.arrays import Entrywise
from derive.core.unicode import NamePrinter, pretty_name

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPTS = str.maketrans("0123456789ijklmn", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₘₙ")


def _over_and_under(expr: sp.Mul) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """The factors over and under the fraction bar, in the order of the product."""
    numerator: list[sp.Expr] = []
    denominator: list[sp.Expr] = []
    for factor in expr.args:
        if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
            base = factor.base
            power = -factor.exp
            denominator.append(base if power == 1 else sp.Pow(base, power, evaluate=False))
        elif factor.is_Rational and factor.q != 1:
            if factor.p != 1:
                numerator.append(sp.Integer(factor.p))
            denominator.append(sp.Integer(factor.q))
        else:
            numerator.append(factor)
    return numerator, denominator


def _split_fraction(expr: sp.Mul) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """Factors over and under the fraction bar, ordered as people write them."""
    numerator, denominator = _over_and_under(expr)
    if not expr.is_commutative:
        return numerator, denominator

    factors = tuple(numerator)  # (a list is empty while it is being sorted)

    def rank(factor: sp.Expr) -> int:
        if factor.is_number:
            return 0
        # σ(z)(1 − σ(z)), ŷ(1 − ŷ): a factor goes before the sum that contains it
        if isinstance(factor, sp.Add) and any(
            other is not factor and not other.is_number and factor.has(other)
            for other in factors
        ):
            return 3
        # (1 − y)·log(1 − ŷ), y·log(ŷ): coefficients before the functions they multiply
        if isinstance(factor.as_base_exp()[0], sp.Function):
            return 2
        return 1

    numerator.sort(key=rank)
    return numerator, denominator


def _bracketed_in_hadamard(arg: Any) -> bool:
    """A factor of ⊙ that needs brackets: a matrix product or sum, an entrywise sum."""
    return isinstance(arg, sp.MatMul | sp.MatAdd) or (
        isinstance(arg, Entrywise) and isinstance(arg.template, sp.Add)
    )


def _broadcast_last(terms: tuple[Any, ...]) -> list[Any]:
    """Xw + b𝟏, not b𝟏 + Xw: broadcast bias terms after the products."""
    return sorted(terms, key=lambda t: bool(t.atoms(sp.OneMatrix)))


def written_as_product(expr: sp.Mul) -> bool:
    """A product kept as the derivation wrote it (a product of products, or of a fraction
    and a sum built unevaluated): each printer prints its factors in order, bracketing a sum
    and any factor after the first that starts with a minus sign."""
    over_sum = any(a.is_Pow and a.exp == -1 and isinstance(a.base, sp.Add) for a in expr.args)
    written = sp.Mul(*expr.args).args != expr.args  # built unevaluated, in written order
    return any(isinstance(arg, sp.Mul) for arg in expr.args) or (
        written and over_sum and any(isinstance(a, sp.Add) for a in expr.args))


def _ordered_terms(terms: list[sp.Expr]) -> list[sp.Expr]:
    """Positive terms first, as people write ŷ − y and 1 − ŷ."""
    return sorted(terms, key=lambda t: (t.could_extract_minus_sign(), not t.is_number))


class TextPrinter(NamePrinter):
    """SymPy expressions in Unicode math: ŷ, σ(z), ∂/∂w, Xᵀ, ⊙, −."""

    _ARGUMENT = sp.Symbol("XXargumentXX")

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # an entrywise function brings its own str method, which would win over ours
        if isinstance(expr, ElementwiseApplyFunction):
            return self._print_entrywise_function(expr)
        return super()._print(expr, **kwargs)

    def _print_entrywise_function(self, expr: Any) -> str:
        """σ(h), e^(−h), log(z), f′(a₁): a scalar function applied entry by entry."""
        body, variable = expr.function.expr, expr.function.variables[0]
        argument = self._print(expr.expr)
        if isinstance(body, sp.Derivative) and body.expr.args == (variable,):
            return f"{self._print(sp.Symbol(type(body.expr).__name__))}′({argument})"
        placeholder = str(self._print(self._ARGUMENT))
        printed = self._print(body.xreplace({variable: self._ARGUMENT}))
        bare = isinstance(expr.expr, sp.Symbol | sp.MatrixSymbol)
        return printed.replace(f"({placeholder})", f"({argument})").replace(
            placeholder, argument if bare else f"({argument})")

    def _print_Subs(self, expr: sp.Subs) -> str:
        """f′(x) for d/dt f(t) at t = x; any other substitution as [A]_{t = x}."""
        body, variables, point = expr.args
        from derive.core.algebra import stood_in

        if stood_in(expr):  # d log(σ(z))/dσ(z): its variable is written as the value
            return self._print(body)
        if (isinstance(body, sp.Derivative) and len(variables) == 1
                and isinstance(body.expr, AppliedUndef) and body.expr.args == tuple(variables)
                and body.variables == tuple(variables)):
            return f"{self._print(sp.Symbol(type(body.expr).__name__))}′({self._print(point[0])})"
        at = ", ".join(f"{self._print(v)} = {self._print(p)}"
                       for v, p in zip(variables, point, strict=True))
        return f"[{self._print(body)}]_{{{at}}}"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        index = "".join(str(i) for i in expr.indices)
        return str(pretty_symbol(f"{expr.base.label.name}_{index}"))

    def _print_Sum(self, expr: sp.Sum) -> str:
        parts = []
        for index, low, high in expr.limits:
            parts.append(f"Σ_{{{self._print(index)}={self._print(low)}..{self._print(high)}}}")
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add | sp.Mul):
            body = f"({body})"
        return "".join(parts) + " " + body

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return str(pretty_symbol(expr.label.name))

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        terms = _ordered_terms(list(expr.args))
        out = []
        for i, term in enumerate(terms):
            printed = self._print(term)
            if printed.startswith("-") or printed.startswith("−"):
                sign, printed = "−", printed[1:]
            else:
                sign = "+"
            if precedence(term) < precedence(expr) and not term.could_extract_minus_sign():
                printed = f"({printed})"
            out.append(printed if i == 0 and sign == "+" else (
                f"−{printed}" if i == 0 else f" {sign} {printed}"))
        return "".join(out)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if written_as_product(expr):
            # a product written as a product of fractions: keep each factor as written
            parts: list[str] = []
            args = list(expr.args)
            sign = ""
            if args and args[0] == -1:
                sign, args = "−", args[1:]
            for arg in args:
                printed = self._print(arg)
                if isinstance(arg, sp.Add) or (parts and printed.startswith("−")):
                    printed = f"({printed})"
                parts.append(printed)
            return sign + " · ".join(parts)
        numerator, denominator = _split_fraction(expr)
        sign = ""
        if numerator and numerator[0].is_number and numerator[0].could_extract_minus_sign():
            sign = "−"
            first = -numerator[0]
            numerator = numerator[1:] if first == 1 else [first, *numerator[1:]]
        top = self._factors(numerator, bool(denominator) or bool(sign)) if numerator else "1"
        if not denominator:
            return sign + top
        bottom = self._factors(denominator, False)
        if len(denominator) > 1 or isinstance(denominator[0], sp.Add | sp.Mul):
            bottom = f"({bottom})"
        return f"{sign}{top}/{bottom}"

    def _factors(self, factors: list[sp.Expr], wrap_sums: bool) -> str:
        printed: list[str] = []
        for factor in factors:
            text_ = self._print(factor)
            several = len(factors) > 1
            if (
                (isinstance(factor, sp.Add) and (several or wrap_sums))
                or (isinstance(factor, sp.Mul) and several)
                or (text_.startswith("−") and printed)
            ):
                text_ = f"({text_})"
            printed.append(text_)
        return "·".join(printed)

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if exponent == sp.S.Half:
            return f"√({self._print(base)})"
        if exponent.is_negative and exponent.is_Integer:
            if exponent == -1:
                return f"1/{self.parenthesize(base, precedence(expr), strict=False)}"
            return f"1/{self._print(sp.Pow(base, -exponent, evaluate=False))}"
        printed_base = self.parenthesize(base, precedence(expr), strict=True)
        if exponent.is_Integer:
            return f"{printed_base}{str(exponent).translate(_SUPERSCRIPTS)}"
        return f"{printed_base}^({self._print(exponent)})"

    def _print_exp(self, expr: sp.Expr) -> str:
        argument = expr.args[0]
        printed = self._print(argument)
        if argument.is_Symbol:
            return f"e^{printed}"
        return f"e^({printed})"

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "e"

    def _print_log(self, expr: sp.Expr) -> str:
        return f"log({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr: sp.Expr) -> str:
        # relu′ is the step with the value 0 at the kink; any other step is H
        name = "relu′" if expr.args[1:] == (sp.S.Zero,) else "H"
        return f"{name}({self._print(expr.args[0])})"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (variable, _count), *_ = expr.variable_count
        sign = "∂" if isinstance(variable, sp.MatrixSymbol) else "d"
        inner = self._print(expr.expr)
        if not (expr.expr.is_Atom or isinstance(expr.expr, sp.Function | sp.Indexed)) or \
                inner.startswith(("−", "-")):
            inner = f"({inner})"
        order = sum(int(count) for _, count in expr.variable_count)
        # a name's derivative as a fraction (∂BCE/∂w₂), anything else as an operator
        named = _is_name(expr.expr)
        if named:
            inner = self._print(expr.expr)
        if _is_hessian(expr):  # ∂²L/∂w∂wᵀ: the k×k Hessian of a scalar by a vector
            name = self._print(variable)
            return f"∂²{inner}/∂{name}∂{name}ᵀ" if named else f"∂²/∂{name}∂{name}ᵀ {inner}"
        if order > 1:  # ∂²L/∂wₖ∂wⱼ
            under = "".join(f"∂{self._print(v)}" + (str(c).translate(_SUPERSCRIPTS) if c > 1
                                                     else "") for v, c in expr.variable_count)
            top = f"∂{str(order).translate(_SUPERSCRIPTS)}"
            return f"{top}{inner}/{under}" if named else f"{top}/{under} {inner}"
        if named:
            return f"{sign}{inner}/{sign}{self._print(variable)}"
        return f"{sign}/{sign}{self._print(variable)} {inner}"

    def _print_MatrixBase(self, expr: Any) -> str:
        """A matrix written out, row by row: [1, 2; 3, 4]."""
        return "[" + "; ".join(", ".join(self._print(expr[i, j]) for j in range(expr.cols))
                               for i in range(expr.rows)) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_DiagMatrix(self, expr: Any) -> str:
        return f"diag({self._print(expr.args[0])})"

    def _print_Transpose(self, expr: Any) -> str:
        return f"{self.parenthesize(expr.arg, precedence(expr), strict=True)}ᵀ"

    def _print_MatMul(self, expr: Any) -> str:
        parts = []
        for arg in expr.args:
            printed = self._print(arg)
            if isinstance(arg, sp.MatAdd | sp.HadamardProduct):
                printed = f"[{printed}]"
            elif _is_named_derivative(arg):
                pass  # ∂BCE/∂ŷ ∂ŷ/∂a₂: a chain of Jacobians reads as written
            elif isinstance(arg, sp.Add) or (
                isinstance(arg, Entrywise) and isinstance(arg.template, sp.Add | sp.Mul)
            ) or (not isinstance(arg, sp.MatrixExpr) and not arg.is_Atom):
                printed = f"({printed})"
            parts.append(printed)
        joiner = " " if any(_is_named_derivative(a) for a in expr.args) else ""
        return joiner.join(parts)

    def _print_MatAdd(self, expr: Any) -> str:
        return " + ".join(self._print(t) for t in _broadcast_last(expr.args))

    def _print_HadamardProduct(self, expr: Any) -> str:
        return " ⊙ ".join(
            f"({self._print(a)})" if _bracketed_in_hadamard(a) else self._print(a)
            for a in expr.args
        )

    def _print_HadamardPower(self, expr: Any) -> str:
        """A^∘2: the power of every entry."""
        base, exponent = expr.args
        shown = self._print(base)
        if not isinstance(base, sp.MatrixSymbol):
            shown = f"({shown})"
        return f"{shown}^∘{self._print(exponent)}"

    def _print_OneMatrix(self, expr: Any) -> str:
        return "𝟏ᵀ" if expr.shape[0] == 1 and expr.shape[1] != 1 else "𝟏"

    def _print_Entrywise(self, expr: Entrywise) -> str:
        return str(self._print(expr.template))

    def _print_sigmoid(self, expr: sp.Expr) -> str:
        return f"σ({self._print(expr.args[0])})"

    # index notation, absolute values, limits (derive.read.latex reads them)

    def _print_KroneckerDelta(self, expr: sp.Expr) -> str:
        return "δ" + "".join(self._print(a) for a in expr.args[:2]).translate(_SUBSCRIPTS)

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        rows = []
        for value, condition in expr.args:
            if condition is sp.true:
                rows.append(f"{self._print(value)} otherwise")
            else:
                rows.append(f"{self._print(value)} if {self._print(condition)}")
        return "{" + "; ".join(rows) + "}"

    def _print_Relational(self, expr: sp.Expr) -> str:
        sign = {"<": "<", ">": ">", "<=": "≤", ">=": "≥"}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {sign} {self._print(expr.rhs)}"

    def _print_Equality(self, expr: sp.Expr) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Unequality(self, expr: sp.Expr) -> str:
        return f"{self._print(expr.lhs)} ≠ {self._print(expr.rhs)}"

    def _print_Limit(self, expr: sp.Limit) -> str:
        body, variable, point = expr.args[:3]
        return f"lim_{{{self._print(variable)}→{self._print(point)}}} ({self._print(body)})"

    def _print_Abs(self, expr: sp.Expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Max(self, expr: sp.Expr) -> str:  # max(z, 0), as written
        arguments = sorted(expr.args, key=lambda a: bool(a.is_number))
        return "max(" + ", ".join(self._print(a) for a in arguments) + ")"

    def _print_Min(self, expr: sp.Expr) -> str:  # max(z, 0), as written
        arguments = sorted(expr.args, key=lambda a: bool(a.is_number))
        return "min(" + ", ".join(self._print(a) for a in arguments) + ")"


def _is_name(expr: Any) -> bool:
    return isinstance(expr, sp.Symbol | sp.MatrixSymbol | sp.Indexed)


def _is_named_derivative(expr: Any) -> bool:
    return isinstance(expr, sp.Derivative) and _is_name(expr.expr)


def _is_hessian(expr: sp.Derivative) -> bool:
    """A second derivative by one vector: written ∂²/∂w∂wᵀ."""
    counts = expr.variable_count
    return (isinstance(counts[0][0], sp.MatrixSymbol)
            and sum(int(c) for _, c in counts) == 2
            and all(v == counts[0][0] for v, _ in counts))


_TEXT = TextPrinter({"order": "none"})


def text(expr: Any) -> str:
    """An expression (or name) in Unicode math."""
    if isinstance(expr, str):
        return pretty_name(expr)
    return unicodedata.normalize("NFC", str(_TEXT.doprint(expr)).replace("-", "−"))


