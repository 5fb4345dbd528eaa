"""Printers: derivations and verdicts as text, LaTeX, Markdown and JSON.

Each printer dispatches on the record type (``_print_<Record>``), as SymPy's printers do.
Expressions print through two SymPy printers of our own: Unicode text (ŷ, σ, ⊙, ᵀ, −) and
LaTeX (\\hat{y}, \\sigma, \\odot, ^{\\top}).
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable
from typing import Any, ClassVar, TextIO

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol

from derive.core.arrays import Entrywise
from derive.core.outcomes import (
    Checked,
    CheckedAtSizes,
    DiffersAtSizes,
    Proved,
    Refuted,
    Undecided,
    Verdict,
    verdict_of,
)
from derive.core.records import ChainStep, Derivation, DiffStep, Line, RewriteStep, Step
from derive.core.unicode import NamePrinter, pretty_name
from derive.engine.differentiate import lines
from derive.engine.rules import RULES

SCHEMA_VERSION = 1

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


def _ordered_terms(terms: list[sp.Expr]) -> list[sp.Expr]:
    """Positive terms first, as people write ŷ − y and 1 − ŷ."""
    return sorted(terms, key=lambda t: (t.could_extract_minus_sign(), not t.is_number))


class TextPrinter(NamePrinter):
    """SymPy expressions in Unicode math: ŷ, σ(z), ∂/∂w, Xᵀ, ⊙, −."""

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
        over_sum = any(a.is_Pow and a.exp == -1 and isinstance(a.base, sp.Add) for a in expr.args)
        written = sp.Mul(*expr.args).args != expr.args  # built unevaluated, in written order
        if any(isinstance(arg, sp.Mul) for arg in expr.args) or (
            written and over_sum and any(isinstance(a, sp.Add) for a in expr.args)
        ):
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


class MathLatexPrinter(LatexPrinter):  # type: ignore[misc]
    """SymPy expressions in LaTeX, as the documents write them."""

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        terms = _ordered_terms(list(expr.args))
        out = ""
        for i, term in enumerate(terms):
            printed = self._print(term)
            if i == 0:
                out = printed
            elif printed.startswith("-"):
                out += " - " + printed[1:].lstrip()
            else:
                out += " + " + printed
        return out

    def _print_MatAdd(self, expr: Any) -> str:
        return " + ".join(self._print(t) for t in _broadcast_last(expr.args))

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (variable, _), *_ = expr.variable_count
        order = sum(int(count) for _, count in expr.variable_count)
        body = rf"\left({self._print(expr.expr)}\right)"
        if _is_hessian(expr):
            name = self._print(variable)
            return rf"\frac{{\partial^{{2}}}}{{\partial {name} \partial {name}^{{\top}}}}{body}"
        if order > 1:
            under = " ".join(rf"\partial {self._print(v)}" + (f"^{{{c}}}" if c > 1 else "")
                             for v, c in expr.variable_count)
            return rf"\frac{{\partial^{{{order}}}}}{{{under}}}{body}"
        d = r"\partial" if isinstance(variable, sp.MatrixSymbol) else "d"
        return rf"\frac{{{d}}}{{{d} {self._print(variable)}}}{body}"

    def _print_DiagMatrix(self, expr: Any) -> str:
        return rf"\operatorname{{diag}}\left({self._print(expr.args[0])}\right)"

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_Heaviside(self, expr: sp.Expr, exp: Any = None) -> str:
        name = r"\operatorname{relu}'" if expr.args[1:] == (sp.S.Zero,) else "H"
        return rf"{name}\left({self._print(expr.args[0])}\right)"

    def _print_Transpose(self, expr: Any) -> str:
        return rf"{self.parenthesize(expr.arg, precedence(expr), strict=True)}^{{\top}}"

    def _print_OneMatrix(self, expr: Any) -> str:
        row = expr.shape[0] == 1 and expr.shape[1] != 1
        return r"\mathbf{1}^{\top}" if row else r"\mathbf{1}"

    def _print_Entrywise(self, expr: Entrywise) -> str:
        return str(self._print(expr.template))

    def _print_MatMul(self, expr: Any) -> str:
        parts = []
        for arg in expr.args:
            printed = self._print(arg)
            if isinstance(arg, sp.MatAdd | sp.HadamardProduct | sp.Add) or (
                isinstance(arg, Entrywise) and isinstance(arg.template, sp.Add | sp.Mul)
            ):
                printed = rf"\left({printed}\right)"
            parts.append(printed)
        return " ".join(parts)

    def _print_HadamardProduct(self, expr: Any) -> str:
        return r" \odot ".join(
            rf"\left({self._print(a)}\right)" if _bracketed_in_hadamard(a) else self._print(a)
            for a in expr.args
        )


_TEXT = TextPrinter({"order": "none"})
_LATEX = MathLatexPrinter({"order": "none"})


def text(expr: Any) -> str:
    """An expression (or name) in Unicode math."""
    if isinstance(expr, str):
        return pretty_name(expr)
    return unicodedata.normalize("NFC", str(_TEXT.doprint(expr)).replace("-", "−"))


def latex(expr: Any) -> str:
    """An expression in LaTeX."""
    if isinstance(expr, str):
        return str(_LATEX.doprint(sp.Symbol(expr)))
    return str(_LATEX.doprint(expr))


def goal_text(d: Derivation) -> str:
    sign = "∂" if d.partial else "d"
    return f"{sign}{text(d.output)}/{sign}{text(d.wrt)}"


def goal_latex(d: Derivation) -> str:
    sign = r"\partial " if d.partial else "d"
    return rf"\frac{{{sign}{latex(d.output)}}}{{{sign}{latex(d.wrt)}}}"


# ---------------------------------------------------------------------------------------------
# outcomes of checks


def verdict_word(outcome: Any) -> str:
    """The verdict word for an outcome record of a check ("unchecked" for none)."""
    return "unchecked" if outcome is None else verdict_of(outcome).value


def where(point: tuple[tuple[str, str], ...]) -> str:
    """Where a counterexample is: "at x = 1, y = 0", or "exactly" for a claim of numbers."""
    if not point:
        return "exactly (the claim has no variables)"
    return "at " + ", ".join(f"{text(n)} = {v}" for n, v in point)


def evidence_of(outcome: Any) -> str:
    """One line of evidence for an outcome record."""
    if isinstance(outcome, Proved):
        return f"by {outcome.method}"
    if isinstance(outcome, Checked):
        return (f"equal at {outcome.samples} points, {outcome.digits} digits, "
                f"largest difference {outcome.max_difference:.1e}")
    if isinstance(outcome, CheckedAtSizes):
        sizes = ", ".join(f"{n} = {v}" for n, v in outcome.sizes)
        if outcome.exact:
            return f"entry by entry at {sizes}, exactly"
        return (f"entry by entry at {sizes}, {outcome.samples} points, "
                f"largest difference {outcome.max_difference:.1e}")
    if isinstance(outcome, Refuted):
        return f"{where(outcome.point)}: claimed {outcome.lhs_value}, true {outcome.rhs_value}"
    if isinstance(outcome, DiffersAtSizes):
        point = ", ".join(f"{n} = {v}" for n, v in outcome.point[:6])
        return (f"entry {outcome.entry} differs: claimed {outcome.claimed}, "
                f"true {outcome.true} at {point}")
    if isinstance(outcome, Undecided):
        return f"{outcome.reason}; tried {', '.join(outcome.tried)}"
    return ""


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


def outcome_json(outcome: Any) -> dict[str, Any] | None:
    if outcome is None:
        return None
    data: dict[str, Any] = {"verdict": verdict_word(outcome)}
    for key, value in vars(outcome).items():
        data[key] = _jsonable(value)
    data["evidence"] = evidence_of(outcome)
    return data


def _jsonable(value: Any) -> Any:
    """Tuples (points, entries, sizes) as lists; numbers as they are; anything else as text."""
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------
# text


class Style:
    """ANSI colour when writing to a terminal, plain otherwise; NO_COLOR is respected."""

    COLOURS: ClassVar[dict[str, str]] = {
        "proved": "32", "checked": "36", "refuted": "31", "undecided": "33",
        "conditional": "35", "ill-formed": "31", "unreadable": "31", "dim": "2", "bold": "1",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        wanted = stream.isatty() and "NO_COLOR" not in os.environ
        return cls(bool(wanted) and os.environ.get("TERM") != "dumb")

    def __call__(self, kind: str, value: str) -> str:
        code = self.COLOURS.get(kind)
        return f"\x1b[{code}m{value}\x1b[0m" if self.enabled and code else value


PLAIN = Style(False)


def _width(value: str) -> int:
    """Columns a string takes on a terminal: combining marks (the hat of ŷ) take none."""
    return sum(0 if unicodedata.combining(c) else 1 for c in value)


def _pad(value: str, width: int) -> str:
    return value + " " * max(width - _width(value), 0)


class TextRenderer:
    """Derivations as Unicode text, the way the documents lay them out."""

    def __init__(self, style: Style = PLAIN, *, detail: bool = True) -> None:
        self.style = style
        self.detail = detail

    def render(self, record: Any) -> str:
        method: Callable[[Any], list[str]] = getattr(self, f"_print_{type(record).__name__}")
        return "\n".join(method(record)) + "\n"

    def _mark(self, outcome: Any) -> str:
        verdict = verdict_word(outcome)
        symbol = {"proved": "✓", "checked": "✓", "refuted": "✗", "undecided": "?"}.get(
            verdict, "·")
        return self.style(verdict, f"{symbol} {verdict}")

    def _print_Derivation(self, d: Derivation) -> list[str]:
        out = [self.style("bold", d.title)]
        for name, value in d.definitions:
            out.append(f"  {text(name)} = {text(value)}")
        out.append("")
        if d.lines:
            out += self._lines(goal_text(d), d.lines)
        for step in d.steps:
            if isinstance(step, DiffStep) and d.lines:
                continue
            out += self._step(step, 0)
        for note in d.notes:
            out.append(self.style("dim", f"note: {note}"))
        out.append("")
        out.append(f"result: {goal_text(d)} = {text(d.result)}")
        out.append(self._summary(d))
        for following in d.followed_by:
            out.append("")
            out.append(self.style("dim", "─" * 72))
            out += self._print_Derivation(following)
        if d.lines and self.detail:
            out.append("")
            out.append(self.style("dim", "steps and their rules:"))
            for step in d.steps:
                if isinstance(step, DiffStep):
                    out += self._tree(step, 1)
        return out

    def _summary(self, d: Derivation) -> str:
        steps = [s for s in d.all_steps() if hasattr(s, "check")]
        counts: dict[str, int] = {}
        for step in steps:
            verdict = verdict_word(getattr(step, "check", None))
            counts[verdict] = counts.get(verdict, 0) + 1
        bad = sum(n for k, n in counts.items() if k not in ("proved", "checked"))
        detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        if bad:
            return self.style("refuted", f"✗ {len(steps)} steps, {bad} not verified ({detail})")
        return self.style("proved", f"✓ {len(steps)} steps, every one verified ({detail})")

    def _lines(self, goal: str, lines: tuple[Line, ...]) -> list[str]:
        out = []
        width = max(_width(text(line.expression)) for line in lines) + _width(goal) + 3
        width = min(width, 96)
        for i, line in enumerate(lines):
            head = f"{goal} = " if i == 0 else " " * _width(goal) + " = "
            body = head + text(line.expression)
            reasons = [*line.rules, *(f"{text(a)} = {text(b)}" for a, b in line.facts)]
            reason = self.style("dim", "; ".join(reasons))
            mark = f"  {self._mark(line.check)}" if line.check is not None else ""
            out.append(f"{_pad(body, width)}  {reason}{mark}")
        return out

    def _tree(self, step: Step, depth: int) -> list[str]:
        pad = "  " * depth
        out: list[str] = []
        if isinstance(step, DiffStep):
            wrt = text(step.wrt)
            if isinstance(step.wrt, sp.Symbol | sp.Indexed | sp.MatrixSymbol):
                claim = f"d/d{wrt} {self._paren(step.expr)} = {text(step.result)}"
            else:
                claim = f"outer derivative at u = {wrt}: {text(step.result)}"
            out.append(f"{pad}{step.rule}: {claim}   {self._mark(step.check)}")
            for child in step.substeps:
                out += self._tree(child, depth + 1)
        else:
            out += self._step(step, depth)
        return out

    @staticmethod
    def _paren(expr: Any) -> str:
        printed = text(expr)
        return printed if isinstance(expr, sp.Symbol) else f"[{printed}]"

    def _step(self, step: Step, depth: int) -> list[str]:
        method = getattr(self, f"_print_{type(step).__name__}")
        return [("  " * depth) + line for line in method(step)]

    def _print_Report(self, report: Any) -> list[str]:
        return _render_report_text(self, report)

    def _print_DiffStep(self, step: DiffStep) -> list[str]:
        return self._tree(step, 0)

    def _print_RewriteStep(self, step: RewriteStep) -> list[str]:
        statement = RULES[step.rule].statement
        del statement
        return [_pad(f"  = {text(step.after)}", 60)
                + f"  {self.style('dim', step.rule)}  {self._mark(step.check)}"]

    def _print_ChainStep(self, step: ChainStep) -> list[str]:
        lhs = f"∂{text(step.target)}/∂{text(step.wrt)}"
        pad = " " * _width(lhs)
        rule = self.style("dim", step.rule)
        if step.rule == "chain":
            names = " · ".join(f"∂{text(f.output)}/∂{text(f.input)}" for f in step.factors)
            out = [self.style("bold", f"{lhs} = {names}")]
            values = step.product
            if all(not isinstance(v, sp.MatrixExpr) or v.shape[1] == 1 for v in values[:-1]) \
                    and not any(isinstance(v, sp.MatrixExpr) for v in values[:-1]):
                out.append(f"{pad} = " + " · ".join(self._factor(v) for v in values))
            out.append(f"{pad} = {text(step.result)}   {self._mark(step.check)}")
            return out
        (factor,) = step.factors
        upstream, local = step.product
        local_name = f"∂{text(factor.output)}/∂{text(factor.input)}"
        if upstream == 1:
            out = [_pad(f"{lhs} = {text(step.result)}", 56) + f"  {rule}  {self._mark(step.check)}"]
        else:
            via = _combination(step.rule, text(step.target), factor, upstream, local)
            out = [_pad(f"{lhs} = {via}", 56) + f"  {rule}"]
            if step.rule == "scalar chain":
                out.append(f"{pad} = {self._factor(upstream)} · {self._factor(local)}")
            out.append(_pad(f"{pad} = {text(step.result)}", 56) + f"  {self._mark(step.check)}")
        derivation = factor.step
        if not isinstance(derivation, DiffStep):
            return out
        if step.rule == "batch loss":
            local_name = f"dℓ/d{text(derivation.wrt)}"
        elif step.rule == "elementwise":
            local_name = f"d{text(factor.output)}/d{text(derivation.wrt)}"
        if derivation.substeps and self.detail:
            out.append(self.style("dim", f"    where, with ℓ = {text(derivation.expr)}:")
                       if step.rule == "batch loss" else self.style("dim", "    where"))
            out += ["      " + line for line in self._lines(local_name, lines(derivation))]
        else:
            shown = text(derivation.result)
            named = text(local.template if isinstance(local, Entrywise) else local)
            value = shown if shown == named else f"{shown} = {named}"
            out.append(_pad(f"    where {local_name} = {value}", 58)
                       + f"  {self.style('dim', derivation.rule)}  {self._mark(derivation.check)}")
        return out

    @staticmethod
    def _factor(value: Any) -> str:
        printed = text(value.template if isinstance(value, Entrywise) else value)
        simple = isinstance(value, sp.Symbol | sp.MatrixSymbol) or value.is_number
        return printed if simple else f"[{printed}]"


def _report_mark(style: Style, step: Any) -> str:
    verdict = step.verdict
    word = style(verdict if verdict in Style.COLOURS else "dim", verdict)
    if step.claim.expect is None:
        return word
    if step.matches:
        return f"{word} {style('dim', '(as expected)')}"
    return f"{word} {style('refuted', f'✗ expected {step.claim.expect}')}"


def _clip(value: str, width: int = 70) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def link_evidence(link: Any) -> str:
    """One line of evidence for a link of a checked step."""
    if link.message and link.verdict != Verdict.CONDITIONAL:
        return str(link.message)
    outcome = link.outcome
    if isinstance(outcome, Refuted):
        return (f"{where(outcome.point)}: this side is {outcome.rhs_value}, "
                f"the side before it is {outcome.lhs_value}")
    evidence = evidence_of(outcome) if outcome is not None else ""
    if link.verdict == Verdict.CONDITIONAL:
        return f"{link.message}; {evidence}"
    return evidence


def _render_report_text(renderer: TextRenderer, report: Any) -> list[str]:
    style = renderer.style
    out: list[str] = []
    totals: dict[str, int] = {}
    for document in report.documents:
        out.append(style("bold", f"{document.title}") + style("dim", f"  ({document.path})"))
        if document.error is not None:
            out.append(style("unreadable", f"  cannot use this file: {document.error}"))
            out.append("")
            continue
        for assumed in document.assumed:
            out.append(style("dim", f"  assumed: {assumed}"))
        for step in document.steps:
            totals[step.verdict] = totals.get(step.verdict, 0) + 1
            label = f"  — {step.claim.label}" if step.claim.label else ""
            out.append(f"  {step.claim.id:6} {_report_mark(style, step)}{style('dim', label)}")
            out.append(f"         {_clip(' '.join(step.claim.latex.split()), 90)}")
            if step.error is not None:
                for line in str(step.error).splitlines():
                    out.append(f"         {line}")
            elif step.message:
                out.append(f"         {step.message}")
            if step.defines:
                out.append(style("dim", f"         defines {text(step.defines)}"))
            for link in step.links:
                sides = f"{_clip(text(link.lhs), 40)} {link.operator} {_clip(text(link.rhs), 40)}"
                verdict = style(link.verdict, link.verdict)
                out.append(f"         {verdict}: {sides}")
                evidence = link_evidence(link)
                if evidence:
                    out.append(style("dim", f"           {evidence}"))
                if link.diagnosis is not None:
                    out.append(f"           {link.diagnosis.sentence(text)}")
            if step.named_rule and step.used_rule and step.named_rule != step.used_rule:
                out.append(style("conditional",
                                 f"         the label names the {step.named_rule} rule, but the "
                                 f"step is taken by the {step.used_rule} rule"))
        out.append("")
    counted = ", ".join(f"{n} {v}" for v, n in sorted(totals.items()))
    steps = sum(totals.values())
    banner, good = summary_banner(report)
    tail = style("proved" if good else "refuted", banner)
    out.append(f"{steps} step{'' if steps == 1 else 's'}: {counted}; {tail}")
    return out


def summary_banner(report: Any) -> tuple[str, bool]:
    """The run in a few words, and whether it is good news: against the files' expectations,
    or, where nothing was expected (lines given on the command line), whether claims hold."""
    steps = [step for document in report.documents for step in document.steps]
    if report.unusable:
        return "a file could not be used", False
    expected = any(step.claim.expect is not None for step in steps)
    unexpected = [step for step in steps if step.claim.expect is not None and not step.matches]
    failing = [step for step in steps if step.claim.expect is None and not step.matches]
    if unexpected:
        return f"{len(unexpected)} differ from what the files expect", False
    if failing:
        return f"{len(failing)} {'does' if len(failing) == 1 else 'do'} not hold", False
    return ("every verdict as expected" if expected else "every claim holds"), True


def _combination(rule: str, target: str, factor: Any, upstream: Any, local: Any) -> str:
    up = f"∂{target}/∂{text(factor.output)}"
    if upstream == 1:
        return f"∂{text(factor.output)}/∂{text(factor.input)}"
    if rule == "scalar chain":
        return f"{up} · ∂{text(factor.output)}/∂{text(factor.input)}"
    if rule == "affine":
        return f"{up} · {text(local)}"
    if rule == "matmul right":
        return f"{text(local)} {up}"
    if rule == "matmul left":
        return f"{up} {text(local)}"
    if rule == "bias":
        return f"1ᵀ {up}"
    if rule == "elementwise":
        return f"{up} ⊙ {text(local)}"
    if rule == "batch loss":
        return f"{up} · {text(local)}"
    return f"{up} · {text(local)}"


# ---------------------------------------------------------------------------------------------
# LaTeX and Markdown


class LatexRenderer:
    """A derivation as a LaTeX ``aligned`` block, each line tagged with its rule."""

    def render(self, record: Any) -> str:
        method: Callable[[Any], str] = getattr(self, f"_print_{type(record).__name__}")
        return method(record)

    def _print_Derivation(self, d: Derivation) -> str:
        rows = [rf"{latex(name)} &= {latex(value)} \\" for name, value in d.definitions]
        goal = goal_latex(d)
        if d.lines:
            for i, line in enumerate(d.lines):
                head = goal if i == 0 else ""
                reasons = [rf"\text{{{rule}}}" for rule in line.rules]
                reasons += [f"{latex(a)} = {latex(b)}" for a, b in line.facts]
                rows.append(rf"{head} &= {latex(line.expression)} "
                            rf"&& {'; '.join(reasons)} \\")
        for step in d.steps:
            rows += self._step(step)
        rows.append(rf"{goal} &= {latex(d.result)}")
        block = "\\begin{aligned}\n" + "\n".join(rows) + "\n\\end{aligned}\n"
        return block + "".join(self._print_Derivation(f) for f in d.followed_by)

    def _step(self, step: Step) -> list[str]:
        if isinstance(step, RewriteStep):
            return [rf" &= {latex(step.after)} && \text{{{step.rule}}} \\"]
        if isinstance(step, ChainStep):
            lhs = rf"\frac{{\partial {latex(step.target)}}}{{\partial {latex(step.wrt)}}}"
            return [rf"{lhs} &= {latex(step.result)} && \text{{{step.rule}}} \\"]
        return []


class MarkdownRenderer:
    """A derivation as Markdown: a table of lines with LaTeX math and the rules."""

    def render(self, record: Any) -> str:
        method: Callable[[Any], str] = getattr(self, f"_print_{type(record).__name__}")
        return method(record)

    def _print_Report(self, report: Any) -> str:
        out: list[str] = []
        for document in report.documents:
            out += [f"## {document.title}", "", f"`{document.path}`", ""]
            if document.error is not None:
                out += [f"**Cannot use this file:** {document.error}", ""]
                continue
            out += [f"- assumed: {a}" for a in document.assumed]
            out += ["", "| step | claim | verdict | expected | evidence |",
                    "|---|---|---|---|---|"]
            for step in document.steps:
                evidence = "; ".join(
                    link_evidence(link)
                    + (f" — {link.diagnosis.sentence(text)}" if link.diagnosis else "")
                    for link in step.links) or step.message
                claim = " ".join(step.claim.latex.split()).replace("|", r"\|")
                out.append(f"| {step.claim.id} | ${claim}$ | **{step.verdict}** | "
                           f"{step.claim.expect or ''} | {evidence.replace('|', '/')} |")
            out.append("")
        return "\n".join(out) + "\n"

    def _print_Derivation(self, d: Derivation) -> str:
        out = [f"### {d.title}", ""]
        for name, value in d.definitions:
            out.append(f"- ${latex(name)} = {latex(value)}$")
        out += ["", "| | step | rule | check |", "|---|---|---|---|"]
        goal = goal_latex(d)
        for i, line in enumerate(d.lines):
            head = goal if i == 0 else ""
            out.append(f"| {i + 1} | ${head} = {latex(line.expression)}$ | "
                       f"{'; '.join(line.rules)} | {verdict_word(line.check)} |")
        for step in d.steps:
            if isinstance(step, ChainStep | RewriteStep):
                value = step.result if isinstance(step, ChainStep) else step.after
                lhs = (rf"\frac{{\partial {latex(step.target)}}}{{\partial {latex(step.wrt)}}}"
                       if isinstance(step, ChainStep) else "")
                out.append(f"| | ${lhs} = {latex(value)}$ | {step.rule} | "
                           f"{verdict_word(step.check)} |")
        out += ["", f"**Result:** ${goal} = {latex(d.result)}$", ""]
        out += [f"> {note}" for note in d.notes]
        text_ = "\n".join(out) + "\n"
        return text_ + "".join("\n" + self._print_Derivation(f) for f in d.followed_by)


# ---------------------------------------------------------------------------------------------
# JSON


class JsonRenderer:
    """Stable JSON (documented in docs/json.md); every expression as text and LaTeX."""

    def render(self, record: Any) -> str:
        return json.dumps(self.data(record), ensure_ascii=False, indent=2) + "\n"

    def data(self, record: Any) -> Any:
        method: Callable[[Any], Any] = getattr(self, f"_data_{type(record).__name__}")
        return method(record)

    @staticmethod
    def expression(expr: Any) -> dict[str, str]:
        return {"text": text(expr), "latex": latex(expr)}

    def _data_Derivation(self, d: Derivation) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "kind": "derivation",
            "title": d.title,
            "goal": d.goal,
            "definitions": [{"name": name, **self.expression(value)}
                            for name, value in d.definitions],
            "lines": [{"expression": self.expression(line.expression), "rules": list(line.rules),
                       "facts": [{"derivative": self.expression(a), "value": self.expression(b)}
                                 for a, b in line.facts],
                       "check": outcome_json(line.check)} for line in d.lines],
            "steps": [self.data(step) for step in d.steps],
            "result": self.expression(d.result),
            "verified": not d.unverified() and all(not f.unverified() for f in d.followed_by),
            "notes": list(d.notes),
            "followed_by": [self.data(f) for f in d.followed_by],
        }

    def _data_Report(self, report: Any) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "kind": "report", "ok": report.ok,
                "documents": [self._document(d) for d in report.documents]}

    def _document(self, document: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"path": document.path, "title": document.title,
                                "source": document.source, "assumed": list(document.assumed)}
        if document.error is not None:
            error = document.error
            data["error"] = {"message": getattr(error, "message", str(error)),
                             "line": getattr(error, "line", None),
                             "column": getattr(error, "column", None)}
            return data
        data["steps"] = [self._step_report(s) for s in document.steps]
        return data

    def _step_report(self, step: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": step.claim.id, "label": step.claim.label, "latex": step.claim.latex,
            "line": step.claim.line, "verdict": step.verdict, "expect": step.claim.expect,
            "matches": step.matches, "message": step.message, "defines": step.defines,
            "links": [{"lhs": self.expression(link.lhs), "rhs": self.expression(link.rhs),
                       "verdict": link.verdict, "assumption": link.assumption,
                       "evidence": link_evidence(link), "outcome": outcome_json(link.outcome),
                       "diagnosis": None if link.diagnosis is None else {
                           "mal_rule": link.diagnosis.mal_rule,
                           "explanation": link.diagnosis.sentence(text),
                           "equivalent": list(link.diagnosis.equivalent)}}
                      for link in step.links],
            "named_rule": step.named_rule, "used_rule": step.used_rule,
        }
        if step.error is not None:
            data["error"] = {"message": step.error.message, "line": step.error.line,
                             "column": step.error.column, "expected": list(step.error.expected)}
        return data

    def _data_DiffStep(self, step: DiffStep) -> dict[str, Any]:
        return {
            "type": "derivative",
            "rule": step.rule,
            "statement": RULES[step.rule].statement,
            "expression": self.expression(step.expr),
            "wrt": self.expression(step.wrt),
            "result": self.expression(step.result),
            "check": outcome_json(step.check),
            "substeps": [self.data(s) for s in step.substeps],
        }

    def _data_RewriteStep(self, step: RewriteStep) -> dict[str, Any]:
        return {
            "type": "rewrite",
            "rule": step.rule,
            "statement": RULES[step.rule].statement,
            "before": self.expression(step.before),
            "after": self.expression(step.after),
            "check": outcome_json(step.check),
        }

    def _data_ChainStep(self, step: ChainStep) -> dict[str, Any]:
        return {
            "type": "chain",
            "rule": step.rule,
            "statement": RULES[step.rule].statement,
            "target": step.target,
            "wrt": step.wrt,
            "path": list(step.path),
            "factors": [{"output": f.output, "input": f.input, "value": self.expression(f.value),
                         "step": self.data(f.step)} for f in step.factors],
            "result": self.expression(step.result),
            "check": outcome_json(step.check),
        }


RENDERERS: dict[str, Callable[[], Any]] = {
    "text": TextRenderer,
    "latex": LatexRenderer,
    "markdown": MarkdownRenderer,
    "json": JsonRenderer,
}


def render(record: Any, fmt: str = "text", *, stream: TextIO | None = None) -> str:
    """A record in the format asked for; text is coloured only for a terminal."""
    if fmt == "text":
        return TextRenderer(Style.for_stream(stream or sys.stdout)).render(record)
    return str(RENDERERS[fmt]().render(record))
