"""One self-contained HTML page for a report or a derivation: math as presentation MathML.

Browsers render MathML natively, so the page needs no network, no CDN and no JavaScript.
Every step shows its verdict in colour, the math as read (MathML) beside the LaTeX as written,
the evidence, counterexamples and diagnoses; a summary comes first. Everything that comes from
a file (titles, labels, notes, LaTeX, messages) is escaped; every MathML fragment is parsed
back and checked against a whitelist of MathML elements before it is used.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from typing import Any
from xml.dom.minidom import Element

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.conventions import split_super_sub
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.pretty.pretty_symbology import greek_unicode

from derive.core.arrays import Entrywise
from derive.core.mathtext import (
    _broadcast_last,
    _is_hessian,
    _over_and_under,
    text,
    written_as_product,
)
from derive.core.outcomes import Refuted, Verdict
from derive.core.records import ChainStep, Derivation, DiffStep, RewriteStep, Step
from derive.emit.render import (
    evidence_of,
    goal_text,
    link_evidence,
    step_counts,
    summary_banner,
    verdict_word,
)
from derive.verify.check import DocumentReport, Report, StepReport

__all__ = ["MathMLPrinter", "html_fragment", "html_report", "mathml", "write_html"]

_ACCENTS = {"hat": "^", "bar": "\u00af", "tilde": "~", "dot": "\u02d9", "ddot": "\u00a8",
            "vec": "\u2192", "check": "\u02c7"}
_MINUS = "\u2212"
_NAMED_ENTITIES = {"&InvisibleTimes;": "&#x2062;", "&dd;": "d", "&ApplyFunction;": "&#x2061;",
                   "&int;": "&#x222b;", "&#x1D7D8": "&#x1D7D8;", "&#x1D7D9": "&#x1D7D9;"}
MATHML_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "munder", "mover", "munderover", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom",
    "menclose", "mtable", "mtr", "mtd", "semantics", "annotation",
})
_MATHML_ATTRIBUTES = frozenset({"accent", "stretchy", "mathvariant", "display", "xmlns",
                                "linethickness", "bevelled", "notation", "form", "lspace",
                                "rspace", "separator", "fence", "class"})


def _negative(expr: Any) -> bool:
    """A factor that prints with a leading minus sign (−x·y, −2): in brackets after another."""
    if isinstance(expr, sp.Mul) and expr.args:
        return _negative(expr.args[0])
    return bool(getattr(expr, "is_number", False) and expr.could_extract_minus_sign())


def _fraction_form(expr: sp.Derivative) -> bool:
    """dJ/dz (a name over the variable) rather than the operator d/dz applied to a formula."""
    function = expr.expr
    return isinstance(function, sp.Symbol | sp.MatrixSymbol) or (
        isinstance(function, AppliedUndef) and len(function.args) == 1)


class MathMLPrinter(MathMLPresentationPrinter):  # type: ignore[misc]
    """Presentation MathML as the documents write the math: ŷ, σ, relu′, ⊙, ᵀ, d(…), ∂/∂x."""

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    # -- building blocks ------------------------------------------------------------------

    def _node(self, tag: str, *children: Element, **attributes: str) -> Element:
        element: Element = self.dom.createElement(tag)
        for key, value in attributes.items():
            element.setAttribute(key, value)
        for child in children:
            element.appendChild(child)
        return element

    def _leaf(self, tag: str, value: str, **attributes: str) -> Element:
        # SymPy's document writes text nodes raw (for its entities): escape ours here
        element = self._node(tag, **attributes)
        element.appendChild(self.dom.createTextNode(html.escape(value, quote=False)))
        return element

    def _mo(self, value: str, **attributes: str) -> Element:
        return self._leaf("mo", value, **attributes)

    def _row(self, *children: Element) -> Element:
        return self._node("mrow", *children)

    def _parens(self, inner: Element, left: str = "(", right: str = ")") -> Element:
        return self._row(self._mo(left), inner, self._mo(right))

    def _element(self, expr: Any) -> Element:
        printed: Element = self._print(expr)
        return printed

    def _maybe_parens(self, expr: Any, when: bool) -> Element:
        printed = self._element(expr)
        return self._parens(printed) if when else printed

    def _name(self, name: str, mathvariant: str | None = None) -> Element:
        """A symbol's name: ŷ from ``yhat``, σ from ``sigma``, a₂ from ``a2``, W⁽¹⁾."""
        base, supers, subs = split_super_sub(name)
        core = self._base(base, mathvariant)
        subs = [s.strip("{}") for s in subs]
        supers = [s.strip("{}") for s in supers]
        if subs and supers:
            return self._node("msubsup", core, self._script(subs), self._script(supers))
        if subs:
            return self._node("msub", core, self._script(subs))
        if supers:
            return self._node("msup", core, self._script(supers))
        return core

    def _base(self, base: str, mathvariant: str | None) -> Element:
        for suffix, accent in _ACCENTS.items():
            if base.endswith(suffix) and len(base) > len(suffix):
                inner = base[: -len(suffix)]
                letter, before = inner, ""
                if len(inner) > 1 and inner not in greek_unicode:
                    letter, before = inner[-1], inner[:-1]
                accented = self._node("mover", self._letters(letter, mathvariant),
                                      self._mo(accent, stretchy="false"), accent="true")
                return self._row(self._letters(before, None), accented) if before else accented
        if base.endswith("prime") and len(base) > 5:
            return self._row(self._letters(base[:-5], mathvariant), self._mo("\u2032"))
        return self._letters(base, mathvariant)

    def _letters(self, value: str, mathvariant: str | None) -> Element:
        value = greek_unicode.get(value, value)
        attributes = {"mathvariant": mathvariant} if mathvariant else {}
        if value.isdigit():
            return self._leaf("mn", value)
        return self._leaf("mi", value, **attributes)

    def _script(self, parts: list[str]) -> Element:
        printed = [self._letters(greek_unicode.get(p, p), None) for p in parts]
        if len(printed) == 1:
            return printed[0]
        row = self._row()
        for i, part in enumerate(printed):
            if i:
                row.appendChild(self._mo(","))
            row.appendChild(part)
        return row

    # -- symbols and numbers --------------------------------------------------------------

    def _print_Symbol(self, sym: sp.Symbol, style: str = "plain") -> Element:
        return self._name(str(sym.name), "bold" if style == "bold" else None)

    def _print_Dummy(self, sym: sp.Dummy) -> Element:
        return self._name(str(sym.name))

    def _print_MatrixSymbol(self, sym: sp.MatrixSymbol) -> Element:
        return self._name(str(sym.name))

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> Element:
        return self._name(str(expr.label.name))

    def _print_Integer(self, expr: sp.Integer) -> Element:
        if expr < 0:
            return self._row(self._mo(_MINUS), self._leaf("mn", str(-expr)))
        return self._leaf("mn", str(expr))

    def _print_int(self, value: int) -> Element:
        return self._print_Integer(sp.Integer(value))

    def _print_Rational(self, expr: sp.Rational) -> Element:
        fraction = self._node("mfrac", self._leaf("mn", str(abs(expr.p))),
                              self._leaf("mn", str(expr.q)))
        return self._row(self._mo(_MINUS), fraction) if expr < 0 else fraction

    def _print_Exp1(self, expr: Any) -> Element:
        return self._leaf("mi", "e")

    # -- sums and products ----------------------------------------------------------------

    def _print_Add(self, expr: sp.Add, order: Any = None) -> Element:
        terms = sorted(expr.args, key=lambda t: (t.could_extract_minus_sign(), not t.is_number))
        row = self._row()
        for i, term in enumerate(terms):
            negative = term.could_extract_minus_sign()
            shown = -term if negative else term
            if negative:
                row.appendChild(self._mo(_MINUS))
            elif i:
                row.appendChild(self._mo("+"))
            row.appendChild(self._maybe_parens(shown, isinstance(shown, sp.Add)))
        return row

    def _print_Mul(self, expr: sp.Mul) -> Element:
        if written_as_product(expr):
            return self._written_product(expr)
        if expr.could_extract_minus_sign():
            positive = -expr
            inner = self._maybe_parens(positive, isinstance(positive, sp.Add))
            return self._row(self._mo(_MINUS), inner)
        numerator, denominator = _over_and_under(expr)

        def rank(factor: sp.Expr) -> int:
            if factor.is_number:
                return 0
            if isinstance(factor, sp.Add) and any(
                    other is not factor and factor.has(other) for other in numerator):
                return 2  # σ(z)(1 − σ(z)): a factor before the sum that contains it
            return 1

        numerator.sort(key=rank)
        top = self._product(numerator, bool(denominator)) if numerator else self._leaf("mn", "1")
        if not denominator:
            return top
        return self._node("mfrac", top, self._product(denominator, True))

    def _written_product(self, expr: sp.Mul) -> Element:
        """A product kept as written (as the text and LaTeX printers show it): the factors in
        order with a visible product sign; a sum, or a factor after the first that starts with
        a minus sign, in brackets."""
        args = list(expr.args)
        row = self._row()
        if args and args[0] == -1:
            row.appendChild(self._mo(_MINUS))
            args = args[1:]
        for i, arg in enumerate(args):
            if i:
                row.appendChild(self._mo("\u00b7"))
            wrap = isinstance(arg, sp.Add) or (i > 0 and _negative(arg))
            row.appendChild(self._maybe_parens(arg, wrap))
        return row

    def _product(self, factors: list[sp.Expr], in_fraction: bool) -> Element:
        if len(factors) == 1:
            return self._element(factors[0])
        row = self._row()
        previous: sp.Expr | None = None
        for factor in factors:
            if previous is not None:
                numbers = previous.is_number and factor.is_number
                row.appendChild(self._mo("\u00b7" if numbers else "\u2062"))
            wrap = isinstance(factor, sp.Add) or (
                isinstance(factor, sp.Derivative) and factor is not factors[-1]
                and not _fraction_form(factor)) or (previous is not None and _negative(factor))
            row.appendChild(self._maybe_parens(factor, wrap))
            previous = factor
        del in_fraction
        return row

    def _print_Pow(self, expr: sp.Pow) -> Element:
        base, exponent = expr.args
        if exponent == sp.S.Half:
            return self._node("msqrt", self._print(base))
        if exponent.is_number and exponent.is_negative:
            positive = -exponent
            under = base if positive == 1 else sp.Pow(base, positive, evaluate=False)
            return self._node("mfrac", self._leaf("mn", "1"), self._print(under))
        atom = isinstance(base, sp.Symbol | sp.Function | sp.Number | sp.Indexed) and not (
            isinstance(base, sp.Number) and base < 0)
        return self._node("msup", self._maybe_parens(base, not atom), self._print(exponent))

    def _print_Sum(self, expr: sp.Sum) -> Element:
        row = self._row()
        for index, low, high in expr.limits:
            under = self._row(self._print(index), self._mo("="), self._print(low))
            row.appendChild(self._node("munderover", self._mo("\u2211"), under,
                                       self._print(high)))
        body = expr.function
        row.appendChild(self._maybe_parens(body, isinstance(body, sp.Add)))
        return row

    def _print_Piecewise(self, expr: sp.Piecewise) -> Element:
        """A brace and one row per case: the value, then "if" and the condition."""
        table = self._node("mtable")
        for value, condition in expr.args:
            when = (self._leaf("mtext", "otherwise") if condition is sp.true else
                    self._row(self._leaf("mtext", "if\u00a0"), self._print(condition)))
            table.appendChild(self._node("mtr", self._node("mtd", self._print(value)),
                                         self._node("mtd", when)))
        return self._row(self._mo("{"), table)

    def _print_Relational(self, expr: Any) -> Element:
        sign = {"==": "=", "!=": "\u2260", "<": "<", ">": ">", "<=": "\u2264",
                ">=": "\u2265"}.get(expr.rel_op, expr.rel_op)
        return self._row(self._print(expr.lhs), self._mo(sign), self._print(expr.rhs))

    def _print_Stacked(self, expr: Any) -> Element:
        """A column written with dots: [ŷⱼ − yⱼ] with j = 1, …, n under it."""
        body, index, low, high = expr.args
        return self._node("msub", self._parens(self._element(body), "[", "]"),
                          self._row(self._element(index), self._mo("="), self._element(low),
                                    self._mo(","), self._mo("…"), self._mo(","),
                                    self._element(high)))

    def _print_Grid(self, expr: Any) -> Element:
        """A square matrix written with dots: its diagonal and off-diagonal patterns."""
        diagonal, other, row, column, low, high = expr.args
        cases = self._row(self._element(diagonal), self._leaf("mtext", " if "),
                          self._element(row), self._mo("="), self._element(column),
                          self._leaf("mtext", ", else "), self._element(other))
        return self._node("msub", self._parens(cases, "[", "]"),
                          self._row(self._element(row), self._mo(","), self._element(column),
                                    self._mo("="), self._element(low), self._mo(","),
                                    self._mo("…"), self._mo(","), self._element(high)))

    def _print_DiagMatrix(self, expr: Any) -> Element:
        return self._applied(self._leaf("mi", "diag"), expr.args[0])

    def _print_Identity(self, expr: Any) -> Element:
        return self._leaf("mi", "I")

    # -- functions ------------------------------------------------------------------------

    def _applied(self, name: Element, *args: Any) -> Element:
        inner = self._row()
        for i, arg in enumerate(args):
            if i:
                inner.appendChild(self._mo(","))
            inner.appendChild(self._print(arg))
        return self._row(name, self._mo("\u2061"), self._parens(inner))

    def _print_Function(self, expr: Any) -> Element:
        return self._applied(self._name(type(expr).__name__), *expr.args)

    def _print_Basic(self, expr: Any) -> Element:
        return self._applied(self._leaf("mi", type(expr).__name__), *expr.args)

    def _print_sigmoid(self, expr: Any) -> Element:
        return self._applied(self._leaf("mi", "\u03c3"), *expr.args)

    def _print_relu(self, expr: Any) -> Element:
        return self._applied(self._leaf("mi", "relu"), *expr.args)

    def _print_softplus(self, expr: Any) -> Element:
        return self._applied(self._leaf("mi", "softplus"), *expr.args)

    def _print_Heaviside(self, expr: Any) -> Element:
        if expr.args[1:] != (sp.S.Zero,):  # a step other than relu′ (0 at the kink)
            return self._applied(self._leaf("mi", "H"), expr.args[0])
        name = self._row(self._leaf("mi", "relu"), self._mo("\u2032"))
        return self._applied(name, expr.args[0])

    def _print_log(self, expr: Any) -> Element:
        return self._applied(self._leaf("mi", "log"), *expr.args)

    def _print_exp(self, expr: Any) -> Element:
        return self._node("msup", self._leaf("mi", "e"), self._print(expr.args[0]))

    def _print_Differential(self, expr: Any) -> Element:
        (argument,) = expr.args
        simple = isinstance(argument, sp.Symbol | sp.MatrixSymbol | sp.Indexed)
        return self._row(self._leaf("mi", "d"), self._maybe_parens(argument, not simple))

    def _print_Derivative(self, expr: sp.Derivative) -> Element:
        variables = expr.variable_count
        partial = len(variables) > 1 or any(isinstance(v, sp.MatrixSymbol) for v, _ in variables)
        d = "\u2202" if partial else "d"
        order = sum(int(count) for _, count in variables)
        top_d = self._leaf("mi", d) if order == 1 else self._node(
            "msup", self._leaf("mi", d), self._leaf("mn", str(order)))
        bottom = self._row()
        if _is_hessian(expr):  # ∂w∂wᵀ
            variables = ((variables[0][0], 1), (sp.Transpose(variables[0][0]), 1))
        for variable, count in variables:
            bottom.appendChild(self._leaf("mi", d))
            printed = self._print(variable)
            bottom.appendChild(printed if count == 1 else self._node(
                "msup", printed, self._leaf("mn", str(count))))
        function = expr.expr
        if _fraction_form(expr):
            return self._node("mfrac", self._row(top_d, self._print(function)), bottom)
        simple = function.is_Atom or isinstance(function, sp.Function | sp.Indexed)
        return self._row(self._node("mfrac", top_d, bottom),
                         self._maybe_parens(function, not simple))

    def _print_Subs(self, expr: sp.Subs) -> Element:
        inner = expr.expr
        if isinstance(inner, sp.Derivative) and len(expr.variables) == 1 and isinstance(
                inner.expr, sp.Function):
            name = self._row(self._name(type(inner.expr).__name__), self._mo("\u2032"))
            return self._applied(name, *expr.point)
        return self._print_Basic(expr)

    def _print_Dot(self, expr: Any) -> Element:
        left, right = expr.args
        return self._row(self._node("msup", self._print(left), self._mo("\u22a4")),
                         self._print(right))

    # -- matrices -------------------------------------------------------------------------

    def _print_Entrywise(self, expr: Entrywise) -> Element:
        return self._element(expr.template)

    def _print_Transpose(self, expr: Any) -> Element:
        argument = expr.arg
        simple = isinstance(argument, sp.Symbol | sp.MatrixSymbol)
        base = self._maybe_parens(argument, not simple)
        if base.tagName == "msub":  # w₂ᵀ: one script column, not ᵀ after the subscript
            core, script = (c for c in base.childNodes if isinstance(c, Element))
            return self._node("msubsup", core, script, self._mo("\u22a4"))
        return self._node("msup", base, self._mo("\u22a4"))

    def _print_MatMul(self, expr: Any) -> Element:
        row = self._row()
        args = list(expr.args)
        if args and args[0] == -1:
            row.appendChild(self._mo(_MINUS))
            args = args[1:]
        for i, arg in enumerate(args):
            if i:
                row.appendChild(self._mo("\u2062"))
            if isinstance(arg, sp.MatAdd | sp.HadamardProduct):
                row.appendChild(self._parens(self._print(arg), "[", "]"))
            else:
                wrap = isinstance(arg, sp.Add) or (
                    isinstance(arg, Entrywise) and isinstance(arg.template, sp.Add | sp.Mul)
                ) or (not isinstance(arg, sp.MatrixExpr) and not arg.is_Atom)
                row.appendChild(self._maybe_parens(arg, wrap))
        return row

    def _print_MatAdd(self, expr: Any) -> Element:
        row = self._row()
        for i, term in enumerate(_broadcast_last(expr.args)):
            negated = _negated_matrix(term)
            if negated is not None:
                row.appendChild(self._mo("\u2212"))
                row.appendChild(self._print(negated))
                continue
            if i:
                row.appendChild(self._mo("+"))
            row.appendChild(self._print(term))
        return row

    def _print_ElementwiseApplyFunction(self, expr: Any) -> Element:
        """f applied entry by entry: printed as the function's body at the array, σ(Xw)."""
        function, argument = expr.args
        (variable,) = function.variables
        return self._element(function.expr.xreplace({variable: argument}))

    def _print_HadamardProduct(self, expr: Any) -> Element:
        row = self._row()
        for i, arg in enumerate(expr.args):
            if i:
                row.appendChild(self._mo("\u2299"))
            wrap = isinstance(arg, sp.MatMul | sp.MatAdd) or (
                isinstance(arg, Entrywise) and isinstance(arg.template, sp.Add))
            row.appendChild(self._maybe_parens(arg, wrap))
        return row

    def _print_OneMatrix(self, expr: Any) -> Element:
        one = self._leaf("mn", "\U0001d7cf")
        if expr.shape[0] == 1 and expr.shape[1] != 1:
            return self._node("msup", one, self._mo("\u22a4"))
        return one

    def _print_ZeroMatrix(self, expr: Any) -> Element:
        return self._leaf("mn", "\U0001d7ce")


_PRINTER = MathMLPrinter()


def _fragment(expr: Any) -> str:
    printer = _PRINTER
    printer.dom.unlink()
    printed = printer._print(expr)
    out = str(printed.toxml())
    for entity, replacement in _NAMED_ENTITIES.items():
        out = out.replace(entity, replacement)
    return out


def _valid(markup: str) -> bool:
    """Well-formed, and nothing but MathML elements and harmless attributes."""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return False
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag not in MATHML_ELEMENTS:
            return False
        if any(name.rsplit("}", 1)[-1] not in _MATHML_ATTRIBUTES for name in element.attrib):
            return False
    return True


def _negated_matrix(term: Any) -> Any:
    """−A for a term −1·A of a matrix sum (so that it prints as a subtraction), else None."""
    if isinstance(term, sp.MatMul) and term.args and term.args[0] == -1:
        rest = term.args[1:]
        return rest[0] if len(rest) == 1 else sp.MatMul(*rest)
    return None


def mathml(*parts: Any, display: bool = False) -> str:
    """``<math>`` for expressions and relation signs: ``mathml(a, "=", b)``.

    A string part is an operator (escaped); anything else is printed as math. Should printing
    fail, the Unicode text of the expression is shown instead (escaped), never raw markup.
    ``display`` sets display style (full-size fractions) on a math element that stays inline.
    """
    body = []
    for part in parts:
        if isinstance(part, str):
            body.append(f"<mo>{html.escape(part, quote=False)}</mo>")
            continue
        try:
            printed = _fragment(part)
        except Exception:  # a printer gap must not cost the report
            printed = ""
        if not printed or not _valid(f"<math>{printed}</math>"):
            printed = f"<mtext>{html.escape(text(part), quote=False)}</mtext>"
        body.append(printed)
    style = ' displaystyle="true"' if display else ""
    return (f'<math xmlns="http://www.w3.org/1998/Math/MathML"{style}>'
            f"<mrow>{''.join(body)}</mrow></math>")


def _equation(lhs: Any, operator: str, rhs: Any, width: int = 64) -> str:
    """``lhs = rhs`` on one line, or on two (``lhs`` / ``= rhs``) when it is long."""
    if len(text(lhs)) + len(text(rhs)) <= width:
        return f'<div class="eq">{mathml(lhs, operator, rhs, display=True)}</div>'
    return (f'<div class="eq">{mathml(lhs, display=True)}</div>'
            f'<div class="eq cont">{mathml(operator, rhs, display=True)}</div>')


def _name_mathml(name: str) -> str:
    return mathml(sp.Symbol(name))


# ---------------------------------------------------------------------------------------------
# the page

_CSS = """
.derive { --proved:#1a7f37; --checked:#0b7285; --refuted:#cf222e; --undecided:#9a6700;
  --conditional:#8250df; --ill-formed:#bc4c00; --unreadable:#a40e26; --definition:#57606a;
  --unchecked:#57606a; --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --paper:#ffffff;
  --soft:#f6f8fa;
  font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
  line-height: 1.5; font-size: 16px; }
body { margin: 0; background: #eef1f4; }
.derive main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px;
  background: var(--paper); }
.derive h1 { font-size: 1.6em; margin: 0 0 4px; }
.derive h2 { font-size: 1.25em; margin: 32px 0 4px; padding-top: 8px;
  border-top: 2px solid var(--line); }
.derive .sub { color: var(--muted); margin: 0 0 12px; font-size: 0.92em; }
.derive math { font-size: 1.15em; }
.derive .summary { display: flex; flex-wrap: wrap; gap: 8px; align-items: center;
  padding: 12px 14px; background: var(--soft); border: 1px solid var(--line); border-radius: 8px; }
.derive .verdict { display: inline-block; padding: 1px 9px; border-radius: 999px; color: #fff;
  font-weight: 600; font-size: 0.85em; letter-spacing: 0.02em; white-space: nowrap; }
.derive .count { font-weight: 700; margin-right: 2px; }
.derive .banner { font-weight: 700; margin-left: auto; }
.derive .banner.good { color: var(--proved); } .derive .banner.bad { color: var(--refuted); }
.derive .findings { margin: 14px 0 0; padding: 10px 14px; border: 1px solid #f5c2c7;
  background: #fff5f5; border-radius: 8px; }
.derive .findings h3 { margin: 0 0 6px; font-size: 1em; color: var(--refuted); }
.derive .findings ul { margin: 0; padding-left: 18px; }
.derive .findings .file { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em;
  color: var(--muted); }
.derive .assumed { margin: 6px 0 0; padding-left: 18px; color: var(--muted); font-size: 0.9em; }
.derive ul.definitions { margin: 6px 0 0; padding-left: 18px; }
.derive ul.definitions li { margin: 4px 0; }
.derive ol.steps { list-style: none; padding: 0; margin: 12px 0 0; }
.derive li.step { border: 1px solid var(--line); border-left: 6px solid var(--v, var(--line));
  border-radius: 6px; margin: 10px 0; padding: 8px 12px 10px; }
.derive .step-head { display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; }
.derive .step-id { font-family: "DejaVu Sans Mono", monospace; font-weight: 700; }
.derive .label { color: var(--muted); font-style: italic; }
.derive .expect { font-size: 0.85em; color: var(--muted); }
.derive .expect.mismatch { color: var(--refuted); font-weight: 700; }
.derive .step-body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  gap: 14px; margin-top: 6px; }
.derive .math-col { overflow-x: auto; min-width: 0; }
.derive .link { margin: 4px 0 8px; }
.derive .eq { margin: 4px 0; white-space: nowrap; }
.derive .eq.cont { padding-left: 2.2em; }
.derive mark.here { background: #ffd8d3; color: var(--refuted); font-weight: 700;
  outline: 1px solid var(--refuted); }
.derive .evidence { font-size: 0.9em; color: var(--muted); }
.derive .caption { font-size: 0.75em; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--muted); margin-bottom: 2px; }
.derive pre.latex { margin: 0; padding: 8px 10px; background: var(--soft);
  border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap;
  word-break: break-word; font-size: 0.82em; font-family: "DejaVu Sans Mono", monospace; }
.derive .counterexample { margin: 6px 0; border-collapse: collapse; font-size: 0.95em; }
.derive .counterexample th, .derive .counterexample td { border: 1px solid #f5c2c7;
  padding: 3px 10px; text-align: left; }
.derive .counterexample th { background: #fff0f0; font-weight: 600; }
.derive .counterexample caption { text-align: left; font-weight: 700; color: var(--refuted);
  padding-bottom: 2px; }
.derive .diagnosis { margin: 6px 0; padding: 6px 10px; border-left: 4px solid var(--conditional);
  background: #f8f4ff; }
.derive .message { margin: 6px 0; }
.derive .note { color: var(--muted); font-size: 0.9em; margin: 6px 0 0; }
.derive .result { margin: 16px 0; padding: 10px 14px; border: 2px solid var(--proved);
  border-radius: 8px; }
.derive table.lines { border-collapse: collapse; width: 100%; margin-top: 10px; }
.derive table.lines td { border-bottom: 1px solid var(--line); padding: 6px 8px;
  vertical-align: middle; }
.derive table.lines td.rule { color: var(--muted); font-size: 0.9em; }
.derive ul.tree { list-style: none; padding-left: 18px; border-left: 1px dotted var(--line); }
.derive ul.tree > li { margin: 4px 0; }
.derive details > summary { cursor: pointer; color: var(--muted); margin-top: 14px; }
.derive footer { margin-top: 32px; color: var(--muted); font-size: 0.8em; }
@media (max-width: 800px) { .derive .step-body { grid-template-columns: 1fr; } }
"""

_VERDICT_CLASSES = (*(verdict.value for verdict in Verdict), "unchecked")


_QUOTED_LATEX = re.compile(r"'([^'\n]*\\[A-Za-z][^'\n]*)'")
"""LaTeX a message quotes (a reading: ``'1 \\over x' read as a fraction``)."""


def _quoted_latex(message: str) -> str:
    """A message escaped, the LaTeX it quotes set as code."""
    pieces, at = [], 0
    for match in _QUOTED_LATEX.finditer(message):
        pieces += [_e(message[at:match.start()]),
                   f'<code class="latex">{_e(match.group(1))}</code>']
        at = match.end()
    return "".join([*pieces, _e(message[at:])])


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _verdict_class(verdict: str) -> str:
    return verdict if verdict in _VERDICT_CLASSES else "unchecked"


def _badge(verdict: str) -> str:
    css = _verdict_class(verdict)
    return f'<span class="verdict" style="background:var(--{css})">{_e(verdict)}</span>'


def _summary(counts: dict[str, int], banner: str, good: bool) -> str:
    chips = []
    for verdict in sorted(counts, key=lambda v: (*_VERDICT_CLASSES, v).index(v)):
        chips.append(f'<span><span class="count">{counts[verdict]}</span>{_badge(verdict)}'
                     "</span>")
    total = sum(counts.values())
    return (f'<section class="summary"><span class="count">{total} steps</span>'
            f"{''.join(chips)}"
            f'<span class="banner {"good" if good else "bad"}">{_e(banner)}</span></section>')


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"derive\">\n"
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n<div class=\"derive\"><main>\n{body}\n"
            "<footer>Written by derive. Math is MathML, rendered by the browser; "
            "no network access is needed.</footer>\n</main></div>\n</body>\n</html>\n")


# -- reports ---------------------------------------------------------------------------------


def _diagnosis(record: Any) -> str:
    """The diagnosis a checker attached to a link or step, its expressions as MathML."""
    found = getattr(record, "diagnosis", None)
    if found is None:
        return ""
    parts = getattr(found, "parts", None)
    if parts:
        body = "".join(_e(p) if isinstance(p, str) else mathml(p) for p in parts)
    else:
        sentence = getattr(found, "explanation", None) or str(found)
        body = _e(sentence)
    return f'<div class="diagnosis"><strong>Diagnosis.</strong> {body}</div>'


def _rule_remark(step: StepReport) -> str:
    named = getattr(step, "named_rule", None)
    used = getattr(step, "used_rule", None)
    if not (named and used and named != used):
        return ""
    return (f'<div class="diagnosis rule">The label names the <strong>{_e(named)}</strong> '
            f"rule, but the step is taken by the <strong>{_e(used)}</strong> rule.</div>")


def _counterexample(outcome: Any, before: str = "the side before", after: str = "this side",
                    ) -> str:
    names = "".join(f"<th>{_name_mathml(str(n))}</th>" for n, _ in outcome.point)
    values = "".join(f"<td>{_e(v)}</td>" for _, v in outcome.point)
    return ('<table class="counterexample"><caption>counterexample</caption>'
            f"<tr>{names}<th>{_e(before)}</th><th>{_e(after)}</th></tr>"
            f"<tr>{values}<td>{_e(outcome.lhs_value)}</td><td>{_e(outcome.rhs_value)}</td></tr>"
            "</table>")


def _link(link: Any) -> str:
    operator = "\u2260" if link.operator == "\u2260" else "="
    out = [f'<div class="link">{_equation(link.lhs, operator, link.rhs)}']
    outcome = link.outcome
    if link.verdict == Verdict.REFUTED and isinstance(outcome, Refuted):
        out.append(_counterexample(outcome))
    else:
        evidence = link_evidence(link)
        if evidence:
            out.append(f'<div class="evidence">{_badge(link.verdict)} {_e(evidence)}</div>')
    out.append(_diagnosis(link))
    out.append("</div>")
    return "".join(out)


def _step_id(document_index: int, step: StepReport) -> str:
    return f"d{document_index}-{''.join(c if c.isalnum() else '-' for c in step.claim.id)}"


def _written(step: StepReport) -> str:
    """The LaTeX as written, escaped, with the character a reading error points at marked."""
    latex, error, claim = step.claim.latex, step.error, step.claim
    if error is None or error.line != claim.line or "\n" in latex:
        return _e(latex)
    at = error.column - claim.column
    if not 0 <= at <= len(latex):
        return _e(latex)
    mark = _e(latex[at]) if at < len(latex) else "&#x2038;"
    return (f"{_e(latex[:at])}<mark class=\"here\" title=\"{_e(error.message)}\">{mark}</mark>"
            f"{_e(latex[at + 1:])}")


def _step(document_index: int, step: StepReport) -> str:
    claim = step.claim
    css = _verdict_class(step.verdict)
    head = [f'<span class="step-id">{_e(claim.id)}</span>', _badge(step.verdict)]
    if claim.expect is not None:
        if step.matches:
            head.append('<span class="expect">as expected</span>')
        else:
            head.append(f'<span class="expect mismatch">\u2717 expected {_e(claim.expect)}'
                        "</span>")
    if claim.label:
        head.append(f'<span class="label written">{_e(claim.label)}</span>')
    math = [_link(link) for link in step.links]
    if step.defines:
        math.insert(0, f'<div class="message">defines {_name_mathml(step.defines)}</div>')
    if step.message and step.error is None:
        math.append(f'<div class="message">{_quoted_latex(step.message)}</div>')
    math.append(_diagnosis(step))
    math.append(_rule_remark(step))
    written = [f'<div class="caption">as written (line {claim.line})</div>'
               f'<pre class="latex"><code>{_written(step)}</code></pre>']
    if claim.lhs is not None:
        written.insert(0, '<div class="caption">left side, as written</div>'
                          f'<pre class="latex"><code>{_e(claim.lhs)}</code></pre>')
    if step.error is not None:
        error = step.error
        expected = f"; expected {', '.join(error.expected)}" if error.expected else ""
        math.append(f'<div class="message"><strong>Cannot read this line:</strong> '
                    f"{_e(error.message)} (line {error.line}, column {error.column})"
                    f"{_e(expected)}</div>")
    note = f'<p class="note">{_e(claim.note)}</p>' if claim.note else ""
    return (f'<li class="step" id="{_e(_step_id(document_index, step))}" '
            f'style="--v:var(--{css})">'
            f'<div class="step-head">{"".join(head)}</div>'
            f'<div class="step-body"><div class="math-col">{"".join(math)}{note}</div>'
            f'<div class="latex-col">{"".join(written)}</div></div></li>')


def _document(index: int, document: DocumentReport) -> str:
    out = [f'<section class="document"><h2>{_e(document.title)}</h2>',
           f'<p class="sub">{_e(document.path)}'
           + (f" \u00b7 source {_e(document.source)}" if document.source else "") + "</p>"]
    if document.error is not None:
        out.append(f'<div class="message">{_badge(Verdict.UNREADABLE)} <strong>Cannot use this '
                   "file.</strong></div>"
                   f'<pre class="latex"><code>{_e(str(document.error))}</code></pre></section>')
        return "".join(out)
    if document.assumed:
        items = "".join(f'<li><code class="latex">{_e(a)}</code></li>' for a in document.assumed)
        out.append(f'<div class="caption">assumed by the proof file</div>'
                   f'<ul class="assumed">{items}</ul>')
    out.append('<ol class="steps">')
    out += [_step(index, step) for step in document.steps]
    out.append("</ol></section>")
    return "".join(out)


def _findings(report: Report) -> str:
    items = []
    for index, document in enumerate(report.documents):
        for step in document.steps:
            if not step.verdict.fails and step.verdict != Verdict.UNREADABLE and step.matches:
                continue
            detail = ""
            for link in step.links:
                if link.verdict == Verdict.REFUTED and isinstance(link.outcome, Refuted):
                    detail = " \u2014 " + _e(link_evidence(link))
                    break
            expect = "" if step.matches else f" (expected {_e(step.claim.expect)})"
            where = f'<span class="file">{_e(os.path.basename(document.path))}</span> ' \
                if len(report.documents) > 1 else ""
            items.append(f'<li>{where}<a href="#{_e(_step_id(index, step))}">'
                         f"{_e(step.claim.id)}</a> {_badge(step.verdict)}{expect}{detail}</li>")
    if not items:
        return ""
    return (f'<section class="findings"><h3>Steps to look at</h3><ul>{"".join(items)}</ul>'
            "</section>")


def _report_body(report: Report) -> str:
    counts: dict[str, int] = {}
    for document in report.documents:
        for step in document.steps:
            counts[step.verdict] = counts.get(step.verdict, 0) + 1
    banner, good = summary_banner(report)
    files = len(report.documents)
    out = ['<h1>derive check</h1>',
           f'<p class="sub">{files} file{"s" if files != 1 else ""} checked</p>',
           _summary(counts, banner, good), _findings(report)]
    out += [_document(i, d) for i, d in enumerate(report.documents)]
    return "\n".join(out)


# -- derivations -----------------------------------------------------------------------------


def _ratio(output: str, wrt: Any, partial: bool, display: bool = True) -> str:
    """dJ/dŷ or ∂L/∂W₁ as a MathML fraction."""
    d = "\u2202" if partial else "d"
    name = wrt.name if isinstance(wrt, sp.Symbol | sp.MatrixSymbol) else str(wrt)
    top, bottom = _fragment(sp.Symbol(output)), _fragment(sp.Symbol(str(name)))
    if not (_valid(f"<math>{top}</math>") and _valid(f"<math>{bottom}</math>")):
        return mathml(sp.Symbol(f"{d}{output}/{d}{name}"))
    style = ' displaystyle="true"' if display else ""
    return (f'<math xmlns="http://www.w3.org/1998/Math/MathML"{style}><mfrac>'
            f"<mrow><mi>{d}</mi>{top}</mrow><mrow><mi>{d}</mi>{bottom}</mrow></mfrac></math>")


def _check_cell(outcome: Any) -> str:
    if outcome is None:
        return ""
    evidence = evidence_of(outcome)
    title = f' title="{_e(evidence)}"' if evidence else ""
    return f"<span{title}>{_badge(verdict_word(outcome))}</span>"


def _tree(step: Step) -> str:
    rule = f'<span class="label">{_e(step.rule)}</span>'
    if isinstance(step, DiffStep):
        if isinstance(step.wrt, sp.Symbol | sp.Indexed | sp.MatrixSymbol):
            claim = mathml(sp.Derivative(step.expr, step.wrt, evaluate=False), "=", step.result)
        else:
            claim = ("outer derivative at " + mathml(sp.Symbol("u"), "=", step.wrt) + ": "
                     + mathml(step.result))
        children = "".join(f"<li>{_tree(child)}</li>" for child in step.substeps)
        nested = f'<ul class="tree">{children}</ul>' if children else ""
        return f"{rule}: {claim} {_check_cell(step.check)}{nested}"
    if isinstance(step, RewriteStep):
        return f"{rule}: {mathml(step.before, '=', step.after)} {_check_cell(step.check)}"
    if isinstance(step, ChainStep):
        factors = "".join(f"<li>{_tree(f.step)}</li>" for f in step.factors)
        head = _ratio(step.target, step.wrt, True, False) + mathml("=", _shown(step.result))
        return f'{rule}: {head} {_check_cell(step.check)}<ul class="tree">{factors}</ul>'
    return rule


def _shown(value: Any) -> Any:
    return value.template if isinstance(value, Entrywise) else value


def _derivation_body(d: Derivation) -> str:
    goal = _ratio(d.output, d.wrt, d.partial)
    counts = step_counts(d)  # the count the text, Markdown, LaTeX and JSON outputs give
    bad = sum(n for v, n in counts.items() if v not in (Verdict.PROVED, Verdict.CHECKED))
    banner = f"{bad} not verified" if bad else "every step verified"
    out = [f"<h1>{_e(d.title)}</h1>",
           f'<p class="sub">the derivation of {_e(goal_text(d))}, every step checked</p>',
           _summary(counts, banner, not bad)]
    if d.definitions:
        items = "".join(f"<li>{mathml(sp.Symbol(name), '=', value, display=True)}</li>"
                        for name, value in d.definitions)
        out.append(f'<h2>Definitions</h2><ul class="definitions">{items}</ul>')
    out.append("<h2>Derivation</h2>")
    rows = []
    for i, line in enumerate(d.lines):
        head = goal if i == 0 else ""
        reasons = [*line.rules, *(f"{text(a)} = {text(b)}" for a, b in line.facts)]
        rows.append(f"<tr><td>{head}</td><td>{mathml('=', line.expression, display=True)}</td>"
                    f'<td class="rule">{_e("; ".join(reasons))}</td>'
                    f"<td>{_check_cell(line.check)}</td></tr>")
    for step in d.steps:
        if isinstance(step, ChainStep):
            rows.append(f"<tr><td>{_ratio(step.target, step.wrt, True)}</td>"
                        f"<td>{mathml('=', _shown(step.result), display=True)}</td>"
                        f'<td class="rule">{_e(step.rule)}</td>'
                        f"<td>{_check_cell(step.check)}</td></tr>")
        elif isinstance(step, RewriteStep):
            rows.append(f"<tr><td></td><td>{mathml('=', step.after, display=True)}</td>"
                        f'<td class="rule">{_e(step.rule)}</td>'
                        f"<td>{_check_cell(step.check)}</td></tr>")
    if rows:
        out.append(f'<table class="lines">{"".join(rows)}</table>')
    out.append(f'<div class="result"><div class="caption">result</div>'
               f"{goal}{mathml('=', _shown(d.result), display=True)}</div>")
    out += [f'<p class="note">note: {_e(note)}</p>' for note in d.notes]
    trees = "".join(f"<li>{_tree(step)}</li>" for step in d.steps)
    if trees:
        out.append(f'<details open><summary>steps and their rules</summary>'
                   f'<ul class="tree">{trees}</ul></details>')
    out += [f'<hr>\n{_derivation_body(following)}' for following in d.followed_by]
    return "\n".join(out)


# -- public ----------------------------------------------------------------------------------


def _as_report(record: Any) -> Report | Derivation:
    if isinstance(record, Report | Derivation):
        return record
    if isinstance(record, DocumentReport):
        return Report((record,))
    raise TypeError(f"cannot write {type(record).__name__} as HTML: give a Report, a "
                    "DocumentReport or a Derivation")


def _title(record: Report | Derivation) -> str:
    if isinstance(record, Derivation):
        return f"derive: {record.title}"
    titles = [d.title for d in record.documents]
    return "derive check: " + (titles[0] if len(titles) == 1 else f"{len(titles)} files")


def _body(record: Report | Derivation) -> str:
    return _derivation_body(record) if isinstance(record, Derivation) else _report_body(record)


def html_report(record: Any) -> str:
    """One self-contained HTML page for a ``Report``, ``DocumentReport`` or ``Derivation``."""
    record = _as_report(record)
    return _page(_title(record), _body(record))


def html_fragment(record: Any) -> str:
    """The same content as a fragment with its own styles (for notebooks)."""
    record = _as_report(record)
    return f'<div class="derive"><style>{_CSS}</style>{_body(record)}</div>'


def write_html(record: Any, path: str | os.PathLike[str], *, force: bool = True) -> None:
    """Write the page atomically: a temporary file beside ``path``, then a rename. Without
    ``force`` an existing file is never replaced (FileExistsError)."""
    page = html_report(record)
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(prefix=".derive-", suffix=".html.tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        if force:
            os.replace(temporary, target)
        else:
            _place_new(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _place_new(temporary: str, target: str) -> None:
    """Rename without replacing: a hard link fails if the target appeared meanwhile."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system
        if os.path.lexists(target):
            raise FileExistsError(f"{target} exists") from None
        os.replace(temporary, target)
    else:
        os.unlink(temporary)
