"""Printers: derivations and verdicts as text, LaTeX, Markdown and JSON.

Each printer dispatches on the record type (``_print_<Record>``), as SymPy's printers do.
Expressions print through two SymPy printers of our own: Unicode text (ŷ, σ, ⊙, ᵀ, −) and
LaTeX (\\hat{y}, \\sigma, \\odot, ^{\\top}).
"""

from __future__ import annotations

import json
import sys
import textwrap
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ClassVar, TextIO

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence

from derive.core.arrays import Entrywise
from derive.core.mathtext import (
    _bracketed_in_hadamard,
    _broadcast_last,
    _is_hessian,
    _ordered_terms,
    written_as_product,
)
from derive.core.mathtext import (
    text as text,  # re-exported: the printers' one text form
)
from derive.core.outcomes import (
    METHOD_WORDS as METHOD_WORDS,
)
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
from derive.core.outcomes import (
    method_words as method_words,
)
from derive.core.records import ChainStep, Derivation, DiffStep, Line, RewriteStep, Step
from derive.core.terminal import can_encode, colour_wanted, terminal_width, to_ascii
from derive.engine.differentiate import lines
from derive.engine.rules import RULES

SCHEMA_VERSION = 1

class MathLatexPrinter(LatexPrinter):  # type: ignore[misc]
    """SymPy expressions in LaTeX, as the documents write them."""

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not written_as_product(expr):
            return str(super()._print_Mul(expr))
        # as the text printer: each factor in the order written, a sum or a negative factor
        # after the first in brackets, and a visible product sign between them
        args = list(expr.args)
        sign = ""
        if args and args[0] == -1:
            sign, args = "- ", args[1:]
        parts: list[str] = []
        for arg in args:
            printed = str(self._print(arg))
            if isinstance(arg, sp.Add) or (parts and printed.lstrip().startswith("-")):
                printed = rf"\left({printed}\right)"
            parts.append(printed)
        return sign + r" \cdot ".join(parts)

    def _needs_mul_brackets(self, expr: Any, first: bool = False, last: bool = False) -> bool:
        # a factor after the first that prints with a leading minus sign keeps its brackets:
        # e^{-z} (-x y), never e^{-z} - x y
        if not first and str(self._print(expr)).lstrip().startswith("-"):
            return True
        return bool(super()._needs_mul_brackets(expr, first=first, last=last))

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


_LATEX = MathLatexPrinter({"order": "none"})


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


def step_counts(d: Derivation) -> dict[str, int]:
    """How many steps of a derivation (not of the derivations that follow it) got each verdict:
    the one count every format shows. A step is a rule applied (a derivative, a rewrite, a
    link of the chain), each with its own check; the displayed lines are views of them."""
    counts: dict[str, int] = {}
    for step in d.all_steps():
        if hasattr(step, "check"):
            verdict = verdict_word(getattr(step, "check", None))
            counts[verdict] = counts.get(verdict, 0) + 1
    return dict(sorted(counts.items()))


def derivation_summary(d: Derivation) -> tuple[str, bool]:
    """"8 steps, every one verified (8 proved)", and whether every step was verified."""
    counts = step_counts(d)
    total = sum(counts.values())
    bad = sum(n for k, n in counts.items() if k not in (Verdict.PROVED, Verdict.CHECKED))
    detail = ", ".join(f"{n} {k}" for k, n in counts.items())
    steps = f"{total} step{'' if total == 1 else 's'}"
    if bad:
        return f"{steps}, {bad} not verified ({detail})", False
    if not total:
        return "no steps", True
    return f"{steps}, every one verified ({detail})", True


def where(point: tuple[tuple[str, str], ...]) -> str:
    """Where a counterexample is: "at x = 1, y = 0", or "exactly" for a claim of numbers."""
    if not point:
        return "exactly (the claim has no variables)"
    return "at " + ", ".join(f"{_point_name(n)} = {number(v)}" for n, v in point)


def _point_name(name: str) -> str:
    """A name of a counterexample as the text shows it: ŷᵢ for yhat_i, X[0,1] for an entry."""
    base, bracket, rest = name.partition("[")
    return text(base) + bracket + rest


def number(value: str) -> str:
    """A value as the text shows it: with the minus sign of the expressions (−3.2, not -3.2)."""
    return value.replace("-", "−") if value[:1] == "-" or "e-" in value else value


def evidence_of(outcome: Any, sides: tuple[str, str] = ("left side", "right side")) -> str:
    """One line of evidence for an outcome record. ``sides`` names the sides of the claim the
    values of a counterexample belong to: its left side first."""
    if isinstance(outcome, Proved):
        return method_words(outcome.method)
    if isinstance(outcome, Checked):
        return (f"equal at {outcome.samples} points, {outcome.digits} digits, "
                f"largest difference {outcome.max_difference:.1e}")
    if isinstance(outcome, CheckedAtSizes):
        sizes = ", ".join(f"{n} = {v}" for n, v in outcome.sizes)
        if outcome.exact:
            return f"equal entry by entry at {sizes}, exactly"
        return (f"equal entry by entry at {sizes}, at {outcome.samples} points, "
                f"largest difference {outcome.max_difference:.1e}")
    if isinstance(outcome, Refuted):
        left = f"{sides[0]} is {number(outcome.lhs_value)}"
        right = f"{sides[1]} is {number(outcome.rhs_value)}"
        # a checked step's line is "this side": its value first, as the report reads
        said = f"{right}, {left}" if sides == LINK_SIDES else f"{left}, {right}"
        return f"{where(outcome.point)}: {said}"
    if isinstance(outcome, DiffersAtSizes):
        point = where(outcome.point[:6]) + (", …" if len(outcome.point) > 6 else "")
        return (f"entry {outcome.entry} differs{_at_sizes(outcome)}: the step's formula gives "
                f"{number(outcome.claimed)}, its entries computed one by one give "
                f"{number(outcome.true)}, {point}")
    if isinstance(outcome, Undecided):
        return f"{outcome.reason}; tried {', '.join(outcome.tried)}"
    return ""


def outcome_json(outcome: Any) -> dict[str, Any] | None:
    """An outcome record as JSON: its verdict, its fields as they are (``method`` is the name
    of the symbolic step), and ``evidence``, the line for people."""
    if outcome is None:
        return None
    data: dict[str, Any] = {"verdict": verdict_word(outcome)}
    for key, value in vars(outcome).items():
        data[key] = _jsonable(value)
    data["evidence"] = evidence_of(outcome)
    return data


def link_outcome_json(link: Any) -> dict[str, Any] | None:
    """The outcome of a link A = B as JSON: as ``outcome_json``, the values of a counterexample
    said by side (``left_value`` is A's, ``right_value`` is B's), never as claimed and true."""
    outcome = link.outcome
    data = outcome_json(outcome)
    if data is None:
        return None
    if isinstance(outcome, Refuted):
        data["left_value"], data["right_value"] = outcome.lhs_value, outcome.rhs_value
    elif isinstance(outcome, DiffersAtSizes):
        left, right = _sized_sides(link, outcome)
        del data["claimed"], data["true"]
        data["left_value"], data["right_value"] = left, right
    data["evidence"] = outcome_words(link)
    return data


def _rewritten(*sides: Any) -> tuple[str, ...]:
    """Which of σ, softplus and tanh the sides have, as the text writes them."""
    names = set()
    for side in sides:
        if isinstance(side, sp.Basic):
            names |= {type(f).__name__ for f in side.atoms(sp.Function)}
    return tuple(shown for name, shown in (("sigmoid", "σ"), ("softplus", "softplus"),
                                           ("tanh", "tanh")) if name in names)


LINK_SIDES = ("the side before it", "this side")
"""The sides of a link of a checked step, as the report says them: A = B links the side
before (A, the left side) to this side (B, the right side)."""


def _sized_sides(link: Any, outcome: DiffersAtSizes) -> tuple[str, str]:
    """The values of a differing entry as (left side's, right side's). The matrix checker
    compares the side it computes (a derivative it takes from the definitions) against the
    other: when only the right side is a derivative, the claimed value is the left side's."""
    left_computed = isinstance(link.lhs, sp.Basic) and link.lhs.has(sp.Derivative)
    right_computed = isinstance(link.rhs, sp.Basic) and link.rhs.has(sp.Derivative)
    if right_computed and not left_computed:
        return outcome.claimed, outcome.true
    return outcome.true, outcome.claimed


def _at_sizes(outcome: DiffersAtSizes) -> str:
    """" at d = 2, n = 3": the sizes an entry differs at (none for matrices written out)."""
    sizes = ", ".join(f"{n} = {v}" for n, v in outcome.sizes)
    return f" at {sizes}" if sizes else ""


def _differs_by_side(link: Any, outcome: DiffersAtSizes) -> str:
    """A differing entry of a link, each value said by side."""
    left, right = _sized_sides(link, outcome)
    point = where(outcome.point[:8]) + (", …" if len(outcome.point) > 8 else "")
    return (f"entry {outcome.entry} differs{_at_sizes(outcome)}: this side is {number(right)}, "
            f"the side before it is {number(left)}, {point}")


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
    """ANSI colour when writing to a terminal, plain otherwise. ``NO_COLOR`` (set and not
    empty) turns colour off, ``FORCE_COLOR`` (set and not empty) turns it on even when the
    output is not a terminal; ``NO_COLOR`` wins when both are set."""

    COLOURS: ClassVar[dict[str, str]] = {
        "proved": "32", "checked": "36", "refuted": "31", "undecided": "33",
        "conditional": "35", "ill-formed": "31", "unreadable": "31", "dim": "2", "bold": "1",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        return cls(colour_wanted(stream))

    def __call__(self, kind: str, value: str) -> str:
        code = self.COLOURS.get(kind)
        return f"\x1b[{code}m{value}\x1b[0m" if self.enabled and code else value


PLAIN = Style(False)


_ASCII_WIDTHS: ContextVar[bool] = ContextVar("_ASCII_WIDTHS", default=False)
"""Set while text is rendered for a console that gets ASCII: columns are counted on the
ASCII form (σ is "sigma"), so that the columns still line up."""


def _width(value: str) -> int:
    """Columns a string takes on a terminal: combining marks (the hat of ŷ) take none."""
    if _ASCII_WIDTHS.get():
        return len(to_ascii(value))
    return sum(0 if unicodedata.combining(c) else 1 for c in value)


def _pad(value: str, width: int) -> str:
    return value + " " * max(width - _width(value), 0)


class TextRenderer:
    """Derivations as Unicode text, the way the documents lay them out."""

    def __init__(self, style: Style = PLAIN, *, detail: bool = True,
                 width: int | None = None) -> None:
        self.style = style
        self.detail = detail
        self.width = width
        """The terminal's columns: long lines of a report are wrapped to it. None (a pipe, a
        file): every line in full."""

    def render(self, record: Any) -> str:
        method: Callable[[Any], list[str]] = getattr(self, f"_print_{type(record).__name__}")
        return "\n".join(method(record)) + "\n"

    def fit(self, value: str, indent: str, more: str) -> list[str]:
        """``value`` after ``indent``: one line, or on a terminal lines wrapped to its width
        (continued after ``more``); nothing is ever cut."""
        if _ASCII_WIDTHS.get():
            value = to_ascii(value)  # wrapped as it will be shown
        if self.width is None or _width(indent + value) <= self.width:
            return [indent + value]
        return textwrap.wrap(value, self.width, initial_indent=indent, subsequent_indent=more,
                             break_long_words=True, break_on_hyphens=False) or [indent]

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
        words, good = derivation_summary(d)
        return self.style("proved", f"✓ {words}") if good else self.style("refuted", f"✗ {words}")

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
        if step.rule == "chain" and not step.factors:  # the sum over several paths
            return [f"{lhs} = {text(step.result)}   "
                    f"{self.style('dim', 'the sum over every path above')}  "
                    f"{self._mark(step.check)}"]
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
            if step.rule == "accumulate":  # this use's part, added to the parts above
                part = _combination(step.combine, text(step.target), factor, upstream, local)
                via = f"(the parts above) + {part}"
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


def link_evidence(link: Any) -> str:
    """One line of evidence for a link of a checked step: a counterexample's values said by
    side ("this side is …, the side before it is …")."""
    outcome = link.outcome
    if link.verdict == Verdict.REFUTED and isinstance(outcome, Refuted | DiffersAtSizes):
        return outcome_words(link)
    if link.operator == "≠" and link.verdict == Verdict.PROVED and isinstance(outcome, Refuted):
        return f"the two sides differ {outcome_words(link)}"
    if link.message and link.verdict != Verdict.CONDITIONAL:
        return str(link.message)
    evidence = outcome_words(link)
    if link.verdict == Verdict.CONDITIONAL:
        return f"{link.message}; {evidence}" if evidence else str(link.message)
    return evidence


def outcome_words(link: Any) -> str:
    """The outcome of a link in words: as ``evidence_of``, with a counterexample's values
    said by side and a proof said for these sides (the functions a rewrite wrote out)."""
    outcome = link.outcome
    if outcome is None:
        return ""
    if isinstance(outcome, DiffersAtSizes):
        return _differs_by_side(link, outcome)
    if not isinstance(outcome, Proved):
        return evidence_of(outcome, LINK_SIDES)
    if outcome.method == "structural" and any(
            isinstance(side, sp.Basic) and side.has(sp.Derivative)
            for side in (link.lhs, link.rhs)):
        return "identical once the derivatives are taken"
    return method_words(outcome.method, _rewritten(link.lhs, link.rhs))


def _render_report_text(renderer: TextRenderer, report: Any) -> list[str]:
    style = renderer.style
    fit = renderer.fit
    out: list[str] = []
    totals: dict[str, int] = {}
    for document in report.documents:
        if document.error is not None:
            # the file was never read: its path (its title is its path), and why
            out.append(style("bold", document.path))
            out += [style("unreadable", line) for line in
                    fit(f"cannot use this file: {document.error}", "  ", "    ")]
            out.append("")
            continue
        out.append(style("bold", f"{document.title}") + style("dim", f"  ({document.path})"))
        for assumed in document.assumed:
            out += [style("dim", line) for line in fit(f"assumed: {assumed}", "  ", "    ")]
        for step in document.steps:
            totals[step.verdict] = totals.get(step.verdict, 0) + 1
            label = f"  — {step.claim.label}" if step.claim.label else ""
            head = f"  {step.claim.id:6} {_report_mark(style, step)}"
            plain = f"  {step.claim.id:6} {_report_mark(PLAIN, step)}{label}"
            if renderer.width is None or _width(plain) <= renderer.width:
                out.append(head + style("dim", label))
            else:  # the label on lines of its own, wrapped
                out.append(head)
                out += [style("dim", line) for line in fit(f"— {step.claim.label}",
                                                           "         ", "           ")]
            out += fit(" ".join(step.claim.latex.split()), "         ", "           ")
            if step.error is not None:
                for line in str(step.error).splitlines():
                    out.append(f"         {line}")  # a caret under the column: never wrapped
            elif step.message:
                out += fit(step.message, "         ", "           ")
            if step.defines:
                out.append(style("dim", f"         defines {text(step.defines)}"))
            for link in step.links:
                out += _link_lines(renderer, link)
            if step.named_rule and step.used_rule and step.named_rule != step.used_rule:
                out += [style("conditional", line) for line in fit(
                    f"the label names the {step.named_rule} rule, but the step is taken by the "
                    f"{step.used_rule} rule", "         ", "           ")]
        out.append("")
    steps = sum(totals.values())
    banner, good = summary_banner(report)
    tail = style("proved" if good else "refuted", banner)
    if steps:
        counted = ", ".join(f"{n} {v}" for v, n in sorted(totals.items()))
        out.append(f"{steps} step{'' if steps == 1 else 's'}: {counted}; {tail}")
    else:
        out.append(f"no steps checked; {tail}")
    return out


def _link_lines(renderer: TextRenderer, link: Any) -> list[str]:
    """A link of a step: its verdict and both sides in full (on a terminal, broken at the
    equals sign and wrapped to its width, never cut), its evidence, its diagnosis."""
    style, fit = renderer.style, renderer.fit
    word = str(link.verdict)
    lhs, rhs = text(link.lhs), text(link.rhs)
    one = f"{word}: {lhs} {link.operator} {rhs}"
    if renderer.width is None or _width(one) + 9 <= renderer.width:
        lines = [f"         {one}"]
    else:
        start = " " * (11 + len(word))  # the column where the left side starts
        lines = fit(f"{word}: {lhs}", "         ", start + "  ")
        lines += fit(f"{link.operator} {rhs}", start, start + "  ")
    out = [lines[0].replace(word, style(link.verdict, word), 1), *lines[1:]]
    evidence = link_evidence(link)
    if evidence:
        out += [style("dim", line) for line in fit(evidence, "           ", "             ")]
    if link.diagnosis is not None:
        out += fit(link.diagnosis.sentence(text), "           ", "             ")
    return out


def summary_banner(report: Any) -> tuple[str, bool]:
    """The run in a few words, and whether it is good news: against the files' expectations,
    or, where nothing was expected (lines given on the command line), whether claims hold."""
    steps = [step for document in report.documents for step in document.steps]
    unusable = sum(1 for document in report.documents if document.error is not None)
    expected = any(step.claim.expect is not None for step in steps)
    unexpected = [step for step in steps if step.claim.expect is not None and not step.matches]
    failing = [step for step in steps if step.claim.expect is None and not step.matches]
    said = []
    if unusable:
        said.append(f"{unusable} file{'' if unusable == 1 else 's'} could not be used")
    if unexpected:
        said.append(f"{len(unexpected)} differ{'s' if len(unexpected) == 1 else ''} from what "
                    "the files expect")
    if failing:
        said.append(f"{len(failing)} {'does' if len(failing) == 1 else 'do'} not hold")
    if said:
        return "; ".join(said), False
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
        shown = text(local)
        bracketed = isinstance(local, sp.Add) or _bracketed_in_hadamard(local)
        return f"{up} ⊙ ({shown})" if bracketed else f"{up} ⊙ {shown}"
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
        words, _ = derivation_summary(d)
        block = ("\\begin{aligned}\n" + "\n".join(rows) + "\n\\end{aligned}\n"
                 + f"% {words}\n")
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
            reasons = [*line.rules, *(f"${latex(a)} = {latex(b)}$" for a, b in line.facts)]
            out.append(f"| {i + 1} | ${head} = {latex(line.expression)}$ | "
                       f"{'; '.join(reasons)} | {verdict_word(line.check)} |")
        for step in d.steps:
            if isinstance(step, ChainStep | RewriteStep):
                value = step.result if isinstance(step, ChainStep) else step.after
                lhs = (rf"\frac{{\partial {latex(step.target)}}}{{\partial {latex(step.wrt)}}}"
                       if isinstance(step, ChainStep) else "")
                out.append(f"| | ${lhs} = {latex(value)}$ | {step.rule} | "
                           f"{verdict_word(step.check)} |")
        words, good = derivation_summary(d)
        out += ["", f"**Result:** ${goal} = {latex(d.result)}$", "",
                f"{'✓' if good else '✗'} {words}", ""]
        out += [f"> {note}" for note in d.notes]
        text_ = "\n".join(out) + "\n"
        return text_ + "".join("\n" + self._print_Derivation(f) for f in d.followed_by)


# ---------------------------------------------------------------------------------------------
# JSON


class JsonRenderer:
    """Stable JSON (documented in docs/json.md); every expression as text and LaTeX."""

    def __init__(self, *, ensure_ascii: bool = False) -> None:
        self.ensure_ascii = ensure_ascii

    def render(self, record: Any) -> str:
        return json.dumps(self.data(record), ensure_ascii=self.ensure_ascii, indent=2) + "\n"

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
            "summary": {"steps": sum(step_counts(d).values()), "verdicts": step_counts(d),
                        "text": derivation_summary(d)[0]},
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
                       "operator": link.operator, "verdict": link.verdict,
                       "assumption": link.assumption,
                       "evidence": link_evidence(link), "outcome": link_outcome_json(link),
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
    """A record in the format asked for, for ``stream`` (standard output by default): text is
    coloured only for a terminal (see ``colour_wanted``) and a report's long lines are wrapped
    to the terminal's width, full when piped; a stream that cannot encode Unicode gets ASCII
    (``derive.core.terminal.to_ascii``; JSON escapes instead, so that its strings stay exact)."""
    target = stream or sys.stdout
    narrow = not can_encode(target)
    if fmt == "text":
        renderer = TextRenderer(Style.for_stream(target), width=terminal_width(target))
        token = _ASCII_WIDTHS.set(narrow)
        try:
            printed = renderer.render(record)
        finally:
            _ASCII_WIDTHS.reset(token)
    elif fmt == "json":
        printed = JsonRenderer(ensure_ascii=narrow).render(record)
    else:
        printed = str(RENDERERS[fmt]().render(record))
    return to_ascii(printed) if narrow else printed
