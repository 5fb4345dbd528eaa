"""Naming the mistake: mal-rules, the rule a step uses, and its place on the engine's route.

A refuted step is explained the way a tutor does it: its target is re-derived with one rule of
the engine swapped for a known buggy version (``engine.differentiate(..., overrides=...)``, at
one place of the derivation at a time), and known slips are applied to the correct result or
undone on the claim. A mal-rule is named only when ``equivalence.compare`` shows that it
reproduces the claim (``Proved`` or ``Checked``); every candidate is first screened at a few
sample points so that only likely ones reach ``compare``. Single mal-rules come first, pairs
only when no single one explains the claim, all within the time budget.

``MAL_RULES`` is the catalogue, most specific first: when several reproduce a claim the first
is named and the others are listed as equivalent. Each entry holds a small function:

* ``kind == "rule"``: ``(step) -> step | None`` replaces a step of the engine citing
  ``MalRule.rule`` (the chain rule without its inner derivative, σ′ taken as σ, ...);
* ``kind == "slip"``: ``(expr) -> Iterator[Slip]`` lists every way the slip changes a correct
  expression (one term's sign flipped, a factor transposed, ...). Slips that undo themselves
  are also undone on the claim, so the place is named in the learner's own writing.

``justifying_rule`` names the rule that takes one line to the next, ``rule_named`` the rule a
document's label names, ``align`` says whether a step is on the engine's route, and
``cancelling`` finds neighbouring slips whose effects cancel.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, TypeAlias

import sympy as sp
from sympy.matrices.expressions import MatrixExpr
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.core.arrays import explicit
from derive.core.budget import Deadline, time_limit
from derive.core.domains import REAL, Count, Discrete, Domain, RealLine
from derive.core.errors import BudgetExceeded, DeriveError
from derive.core.functions import float_value, sigmoid
from derive.core.records import DiffStep
from derive.core.unicode import NamePrinter
from derive.decide.equivalence import Checked, Outcome, Proved, Refuted, Undecided, compare
from derive.engine.differentiate import differentiate, lines

Expand: TypeAlias = Callable[[sp.Expr, frozenset[sp.Symbol]], sp.Expr]
Show: TypeAlias = Callable[[Any], str]
Part: TypeAlias = str | sp.Basic


def _no_expansion(expr: sp.Expr, keep: frozenset[sp.Symbol]) -> sp.Expr:
    return expr


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """The mistake that reproduces a claim, said as a tutor says it.

    ``correct`` and ``slipped`` are the part where the slip happened, right and as slipped
    (for a pair, those of the first slip). ``parts`` is the explanation as text and
    expressions, so a printer of one's own can render it (``sentence``); ``explanation`` is
    that sentence in this module's plain Unicode. ``equivalent`` names the other mal-rules
    that reproduce the claim just as well; ``outcome`` is the comparison that showed it.
    """

    mal_rule: str
    explanation: str
    where: str
    correct: sp.Expr
    slipped: sp.Expr
    cancelling: bool = False
    equivalent: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    outcome: Any = None
    components: tuple[str, ...] = ()

    def sentence(self, show: Show) -> str:
        """The explanation with every expression printed by ``show``."""
        return _sentence(self.parts, show) if self.parts else self.explanation

    def names(self) -> tuple[str, ...]:
        """Every mal-rule this diagnosis stands for: its own (both of a pair) and equivalents."""
        return (*(self.components or (self.mal_rule,)), *self.equivalent)


@dataclass(frozen=True)
class MalRule:
    """A known mistake: its name, the buggy statement, and the function that commits it.

    ``kind`` is ``"rule"`` (a buggy rule swapped into the engine for the rule ``rule``) or
    ``"slip"`` (applied to a correct result); ``undoable`` slips are also undone on claims.
    """

    name: str
    statement: str
    kind: str
    rule: str = ""
    undoable: bool = True
    apply: Callable[..., Any] = field(default=lambda *_: None, compare=False, repr=False)


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


class _Unusable(Exception):
    """A side this module cannot evaluate (a differential, a derivative w.r.t. an entry)."""


# --- printing --------------------------------------------------------------------------------


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
    """An expression in this module's plain Unicode math (− for minus, · for products)."""
    text = _PRINTER.doprint(expr) if isinstance(expr, sp.Basic) else str(expr)
    text = text.replace("**", "^").replace("*", "·").replace("-", "−")
    return unicodedata.normalize("NFC", text)


def _sentence(parts: Iterable[Part], printer: Show) -> str:
    return "".join(p if isinstance(p, str) else printer(p) for p in parts)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _ordinal(position: int) -> str:
    return _ORDINALS[position - 1] if 0 < position <= len(_ORDINALS) else f"{position}th"


# --- the mal-rules of kind "rule": buggy versions of engine steps --------------------------


def _d(expr: sp.Basic, wrt: sp.Basic) -> sp.Derivative:
    return sp.Derivative(expr, wrt, evaluate=False)


def _parts(step: DiffStep) -> list[DiffStep]:
    return [s for s in step.substeps if isinstance(s, DiffStep)]


def inner_derivative_dropped(step: DiffStep) -> DiffStep | None:
    """(f∘u)′ = f′(u): the chain rule without its inner derivative u′."""
    parts = _parts(step)
    if step.rule != "chain" or len(parts) != 2:
        return None
    outer = parts[0]
    return replace(step, result=outer.result, unfolded=outer.unfolded)


def log_without_inner(step: DiffStep) -> DiffStep | None:
    """d/dx log u = 1/u: log′ taken as if its argument were the variable."""
    if not isinstance(step.expr, sp.log):
        return None
    return inner_derivative_dropped(step)


def sigmoid_prime_as_sigmoid(step: DiffStep) -> DiffStep | None:
    """σ′(u) = σ(u)."""
    if step.rule != "sigmoid":
        return None
    value = sigmoid(step.expr.args[0])
    return replace(step, result=value, unfolded=value)


def sigmoid_prime_plus(step: DiffStep) -> DiffStep | None:
    """σ′(u) = σ(u)(1 + σ(u))."""
    if step.rule != "sigmoid":
        return None
    s = sigmoid(step.expr.args[0])
    return replace(step, result=s * (1 + s), unfolded=sp.Mul(s, 1 + s, evaluate=False))


def quotient_numerator_swapped(step: DiffStep) -> DiffStep | None:
    """(u/v)′ = (u·v′ − u′·v)/v²."""
    parts = _parts(step)
    if step.rule != "quotient" or len(parts) != 2:
        return None
    du, dv = parts
    u, v = du.expr, dv.expr
    result = (u * dv.result - du.result * v) / v**2
    return replace(step, result=result, unfolded=result)


def power_not_reduced(step: DiffStep) -> DiffStep | None:
    """(uⁿ)′ = n·uⁿ: the exponent not reduced by one."""
    if step.rule != "power" or not isinstance(step.expr, sp.Pow):
        return None
    base, exponent = step.expr.args
    return replace(step, result=exponent * base**exponent,
                   unfolded=sp.Mul(exponent, step.expr, evaluate=False))


def product_of_derivatives(step: DiffStep) -> DiffStep | None:
    """(u·v)′ = u′·v′."""
    parts = _parts(step)
    if step.rule != "product" or len(parts) != 2:
        return None
    result = parts[0].result * parts[1].result
    return replace(step, result=result, unfolded=result)


# --- the mal-rules of kind "slip": changes to a correct expression -------------------------


def _preorder(expr: sp.Basic) -> list[sp.Basic]:
    found: list[sp.Basic] = []
    for node in sp.preorder_traversal(expr):
        if node not in found:
            found.append(node)
    return found


def _terms(add: sp.Basic) -> list[sp.Basic]:
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
        terms = _terms(node)
        for position, term in enumerate(terms, 1):
            others = [t for i, t in enumerate(terms, 1) if i != position]
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
        terms = _terms(node)
        for position, term in enumerate(terms, 1):
            for factor in factors:
                others = [t for i, t in enumerate(terms, 1) if i != position]
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


# --- the catalogue -----------------------------------------------------------------------


_CATALOGUE: tuple[MalRule, ...] = (
    MalRule("inner derivative dropped", "(f∘u)′ = f′(u) (the inner derivative u′ forgotten)",
            "rule", "chain", apply=inner_derivative_dropped),
    MalRule("log′ without the inner function",
            "d/dx log u = 1/u (log′ taken as if u were the variable)", "rule", "chain",
            apply=log_without_inner),
    MalRule("σ′ taken as σ", "σ′(u) = σ(u), instead of σ(u)(1 − σ(u))", "rule", "sigmoid",
            apply=sigmoid_prime_as_sigmoid),
    MalRule("σ′ taken as σ(1 + σ)", "σ′(u) = σ(u)(1 + σ(u)), instead of σ(u)(1 − σ(u))",
            "rule", "sigmoid", apply=sigmoid_prime_plus),
    MalRule("quotient rule numerator swapped",
            "(u/v)′ = (u·v′ − u′·v)/v², instead of (u′·v − u·v′)/v²", "rule", "quotient",
            apply=quotient_numerator_swapped),
    MalRule("power rule exponent not reduced", "(uⁿ)′ = n·uⁿ·u′, instead of n·uⁿ⁻¹·u′",
            "rule", "power", apply=power_not_reduced),
    MalRule("product rule as product of derivatives", "(u·v)′ = u′·v′, instead of u′·v + u·v′",
            "rule", "product", apply=product_of_derivatives),
    MalRule("sum over the batch missing", "Σᵢ fᵢ written as fᵢ (the sum over the batch dropped)",
            "slip", undoable=False, apply=sum_missing),
    MalRule("factor transposed", "Aᵀ written for A, or A for Aᵀ", "slip",
            apply=factor_transposed),
    MalRule("matrix and Hadamard product swapped", "A·B written for A ⊙ B, or A ⊙ B for A·B",
            "slip", apply=product_kind_swapped),
    MalRule("constant factor wrong",
            "c·f written for f (a constant factor such as 1/m, 2 or −1 dropped or wrong)",
            "slip", apply=constant_factor_wrong),
    MalRule("term sign flipped", "a + b written as a − b (the sign of one additive term flipped)",
            "slip", apply=term_sign_flipped),
    MalRule("overall sign flipped", "−f written for f (the overall sign flipped)", "slip",
            apply=overall_sign_flipped),
)

MAL_RULES: dict[str, MalRule] = {m.name: m for m in _CATALOGUE}
"""Every known mistake, most specific first (the order ranks several explanations)."""

_RANK = {name: i for i, name in enumerate(MAL_RULES)}


# --- values ------------------------------------------------------------------------------


def _is_matrix(expr: sp.Basic) -> bool:
    return isinstance(expr, MatrixExpr | sp.MatrixBase) or bool(
        isinstance(expr, sp.Basic) and expr.atoms(sp.MatrixSymbol))


def _variable(node: sp.Derivative) -> sp.Symbol:
    if len(node.variable_count) != 1 or node.variable_count[0][1] != 1:
        raise _Unusable("only first derivatives in one variable are re-derived")
    variable = node.variable_count[0][0]
    if not isinstance(variable, sp.Symbol):
        raise _Unusable(f"a derivative with respect to {variable}")
    return variable


def _has_differential(expr: sp.Basic) -> bool:
    return any(type(a).__name__ == "Differential" for a in expr.atoms(sp.Function))


def _value(expr: sp.Basic, expand: Expand) -> sp.Basic:
    """A side written out in the base variables, its derivatives computed (as the checker)."""
    if _has_differential(expr):
        raise _Unusable("differentials are not re-derived")
    for node in sorted(expr.atoms(sp.Derivative), key=sp.count_ops):
        if node in expr.atoms(sp.Derivative):
            variables = [v for v, _ in node.variable_count]
            if not all(isinstance(v, sp.Symbol) for v in variables):
                raise _Unusable(f"a derivative with respect to {variables}")
            written = expand(node.expr, frozenset(variables))
            expr = expr.xreplace({node: sp.diff(written, *node.variable_count)})
    if expr.has(sp.Subs, sp.Derivative):
        expr = expr.doit()
    return expand(expr, frozenset())


# --- sampling: a cheap screen before compare ---------------------------------------------

_POINTS = 6
_CLOSE = 1e-9
Vector: TypeAlias = tuple[complex | None, ...]


class _Sampler:
    """Values of symbols, indexed elements and matrix entries at a few fixed points."""

    def __init__(self, domains: Mapping[Any, Domain]) -> None:
        self.domains = dict(domains)
        self.by_name = {str(k): v for k, v in domains.items()}
        self.cache: dict[tuple[Any, int], sp.Expr] = {}
        self.discrete: dict[Any, int] = {}

    def domain(self, atom: Any) -> Domain:
        if atom in self.domains:
            found: Domain = self.domains[atom]
            return found
        if isinstance(atom, sp.Indexed):
            label = atom.base.label
            return self.domains.get(label) or self.by_name.get(str(label), REAL)
        if isinstance(atom, MatrixElement):
            return self.by_name.get(str(atom.parent.name), REAL)
        return self.by_name.get(str(atom), REAL)

    def value(self, atom: Any, k: int) -> sp.Expr:
        key = (atom, k)
        if key not in self.cache:
            domain = self.domain(atom)
            if isinstance(domain, Discrete) and domain.values:
                j = self.discrete.setdefault(atom, len(self.discrete)) % 3
                count = len(domain.values)
                raw: Fraction | float = domain.values[(k // count**j) % count]
            elif isinstance(domain, Count):
                raw = Fraction(2 + k % 2)
            elif isinstance(domain, RealLine):  # moderate values screen best, both signs
                raw = random.Random(f"{atom}|{k}").uniform(0.1, 2.0) * (-1) ** k
            else:
                raw = domain.sample(random.Random(f"{atom}|{k}"))
            self.cache[key] = (sp.Rational(raw.numerator, raw.denominator)
                               if isinstance(raw, Fraction) else sp.Float(raw, 30))
        return self.cache[key]

    def number(self, expr: sp.Basic, k: int) -> complex | None:
        return self._number(expr, k, _Scan.of(expr))

    def _number(self, expr: sp.Basic, k: int, scan: _Scan) -> complex | None:
        try:
            whole = {s: (sp.Integer(1 + k % 2) if s in scan.indices else self.value(s, k))
                     for s in scan.symbols
                     if s in scan.indices or isinstance(self.domain(s), Count)}
            current = expr.xreplace(whole) if whole else expr
            rest: dict[sp.Basic, sp.Expr]
            if scan.unevaluated or scan.indices:
                current = current.doit() if scan.unevaluated else current
                entries = {a: self.value(a, k) for a in current.atoms(sp.Indexed)}
                current = current.xreplace(entries)
                rest = {s: self.value(s, k) for s in current.free_symbols
                        if isinstance(s, sp.Symbol)}
            else:
                rest = {a: self.value(a, k) for a in scan.elements}
                rest.update((s, self.value(s, k)) for s in scan.symbols if s not in whole)
            try:  # the screen only needs doubles: float_value is ~50× faster than evalf
                value = complex(float_value(current, {s: float(v) for s, v in rest.items()},
                                            {}))
            except TypeError:  # a function float_value does not know: SymPy evaluates it
                number = current.xreplace(rest).evalf(30)
                if not number.is_number:
                    return None
                value = complex(number)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
            return None
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            return None
        if abs(value.imag) > 1e-20 * max(1.0, abs(value.real)):
            return None
        return value

    def vector(self, expr: sp.Basic) -> Vector:
        scan = _Scan.of(expr)
        return tuple(self._number(expr, k, scan) for k in range(_POINTS))


@dataclass(frozen=True)
class _Scan:
    """What sampling an expression needs, found in one walk: its symbols, the index symbols
    of its indexed elements, the elements, and whether sums or derivatives are left."""

    symbols: frozenset[sp.Symbol]
    indices: frozenset[sp.Symbol]
    elements: frozenset[sp.Indexed]
    unevaluated: bool

    @staticmethod
    def of(expr: sp.Basic) -> _Scan:
        symbols: set[sp.Symbol] = set()
        elements: set[sp.Indexed] = set()
        unevaluated = False
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Symbol):
                symbols.add(node)
            elif isinstance(node, sp.Indexed):
                elements.add(node)
            elif isinstance(node, sp.Sum | sp.Product | sp.Derivative):
                unevaluated = True
        indices = {i for e in elements for i in e.indices if isinstance(i, sp.Symbol)}
        if unevaluated:  # bound variables are not free: let SymPy say which symbols are
            symbols = {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
        # the label of an indexed element is a symbol of its own, never sampled alone
        symbols -= {e.base.label for e in elements}
        return _Scan(frozenset(symbols), frozenset(indices), frozenset(elements), unevaluated)


def _close(a: Vector | None, b: Vector | None) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    both = 0
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:  # undefined, or out of the screen's precision
            continue
        both += 1
        if abs(x - y) > _CLOSE * max(1.0, abs(x), abs(y)):
            return False
    return both >= 3


# --- judges: scalar sides through compare, matrix sides entry by entry -------------------


@dataclass(frozen=True)
class _Differs:
    """Two matrix sides of different shapes at the sizes tried."""

    shapes: str


def _differs(outcome: Any) -> bool:
    return isinstance(outcome, Refuted | _Differs)


def _confirmed(outcome: Any) -> bool:
    return isinstance(outcome, Proved | Checked)


class _Judge:
    """Evaluates sides and decides equality of values for one kind of claim."""

    def __init__(self, expand: Expand, domains: Mapping[sp.Symbol, Domain]) -> None:
        self.expand = expand
        self.domains = domains
        self.sampler = _Sampler(domains)

    def value(self, expr: sp.Basic) -> sp.Basic:
        return _value(expr, self.expand)

    def vector(self, value: sp.Basic) -> Vector | None:
        vector = self.sampler.vector(value)
        return vector if any(v is not None for v in vector) else None

    def matches(self, value: sp.Basic, target: Vector) -> bool:
        """``_close(self.vector(value), target)``, stopping at the first point that differs
        (most candidates of a search differ at once)."""
        scan = _Scan.of(value)
        both = 0
        for k, y in enumerate(target):
            if y is None:
                continue
            x = self.sampler._number(value, k, scan)
            if x is None:
                continue
            if abs(x - y) > _CLOSE * max(1.0, abs(x), abs(y)):
                return False
            both += 1
        return both >= 3

    def compare(self, a: sp.Basic, b: sp.Basic, budget: float) -> Outcome | _Differs:
        return compare(a, b, self.domains, budget=budget)


class _MatrixJudge(_Judge):
    """Matrix sides at small, pairwise distinct sizes; entries compared one by one."""

    def __init__(self, expand: Expand, domains: Mapping[sp.Symbol, Domain],
                 sides: Sequence[sp.Basic]) -> None:
        super().__init__(expand, domains)
        dimensions = sorted({d for side in sides for m in side.atoms(sp.MatrixSymbol)
                             for d in m.shape if isinstance(d, sp.Symbol)}, key=str)
        self.sizes = {d: 2 + i for i, d in enumerate(dimensions)}
        self.entry_domains: dict[Any, Domain] = dict(domains)

    def value(self, expr: sp.Basic) -> sp.Basic:
        if expr.atoms(sp.Derivative) or _has_differential(expr):
            raise _Unusable("derivatives of matrix expressions are not re-derived here")
        return self.expand(expr, frozenset())

    def _explicit(self, value: sp.Basic) -> sp.Matrix | None:
        try:
            matrix = explicit(value, self.sizes)
        except (ValueError, TypeError, sp.ShapeError, AttributeError):
            return None
        mapping = {}
        for element in matrix.atoms(MatrixElement):
            name = f"{element.parent.name}[{element.i},{element.j}]"
            symbol = sp.Symbol(name, real=True)
            mapping[element] = symbol
            self.entry_domains[symbol] = self.sampler.domain(element)
        return matrix.xreplace(mapping)

    def vector(self, value: sp.Basic) -> Vector | None:
        matrix = self._explicit(value)
        if matrix is None:
            return None
        shape = (complex(matrix.shape[0]), complex(matrix.shape[1]))
        sampler = _Sampler(self.entry_domains)
        values = [sampler.number(entry, k) for k in range(_POINTS) for entry in matrix]
        return (*shape, *values)

    def matches(self, value: sp.Basic, target: Vector) -> bool:
        return _close(self.vector(value), target)

    def compare(self, a: sp.Basic, b: sp.Basic, budget: float) -> Outcome | _Differs:
        left, right = self._explicit(a), self._explicit(b)
        if left is None or right is None:
            return Undecided(("explicit matrices",), "a side has no explicit form")
        if left.shape != right.shape:
            return _Differs(f"{left.shape[0]}×{left.shape[1]} against "
                            f"{right.shape[0]}×{right.shape[1]}")
        deadline = Deadline(budget)
        worst: Outcome = Proved("structural")
        for x, y in zip(left, right, strict=True):
            outcome = compare(x, y, self.entry_domains, budget=max(deadline.remaining(), 0.01))
            if not _confirmed(outcome):
                return outcome
            if isinstance(outcome, Checked):
                worst = outcome
        return worst


def _judge(previous: sp.Basic, claimed: sp.Basic, expand: Expand,
           domains: Mapping[sp.Symbol, Domain]) -> _Judge:
    if _is_matrix(previous) or _is_matrix(claimed):
        return _MatrixJudge(expand, domains, (previous, claimed))
    return _Judge(expand, domains)


# --- candidates --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    """One mal-rule at one place: what it changed and how to say it."""

    mal: MalRule
    where: sp.Basic
    correct: sp.Basic
    slipped: sp.Basic
    parts: tuple[Part, ...]
    order: int


@dataclass(frozen=True)
class _Candidate:
    """A value that should equal the claim (``side == "truth"``: a buggy derivation or a slip
    applied to the truth) or the truth (``"claim"``: a slip undone on the claim)."""

    sites: tuple[_Site, ...]
    side: str
    value: sp.Basic
    expression: sp.Basic | None = None
    overrides: tuple[tuple[sp.Derivative, _Override], ...] = ()

    @property
    def rank(self) -> tuple[int, ...]:
        return tuple(sorted(_RANK[s.mal.name] * 1000 + s.order for s in self.sites))


_Override: TypeAlias = tuple[str, tuple[Any, Any], Callable[..., Any]]
"""(engine rule, (expression, variable) of the place, buggy version of the step)."""

_Found: TypeAlias = tuple[tuple[int, ...], tuple["_Site", ...], sp.Basic, sp.Basic]
"""(rank, sites, value, the value it must equal)."""


def _derivatives(expr: sp.Basic) -> list[sp.Derivative]:
    return sorted(expr.atoms(sp.Derivative), key=sp.default_sort_key)


def _at(key: tuple[Any, Any], function: Callable[..., Any]) -> Callable[[DiffStep], DiffStep]:
    def override(step: DiffStep) -> DiffStep:
        if (step.expr, step.wrt) != key:
            return step
        buggy = function(step)
        return buggy if isinstance(buggy, DiffStep) else step
    return override


def _combined(pairs: Sequence[_Override]
              ) -> dict[str, Callable[[DiffStep], DiffStep]]:
    """Overrides applying several (rule, site, function) at once."""
    by_rule: dict[str, list[Callable[[DiffStep], DiffStep]]] = {}
    for rule, key, function in pairs:
        by_rule.setdefault(rule, []).append(_at(key, function))

    def chain(functions: list[Callable[[DiffStep], DiffStep]]) -> Callable[[DiffStep], DiffStep]:
        def override(step: DiffStep) -> DiffStep:
            for function in functions:
                changed = function(step)
                if changed is not step:
                    return changed
            return step
        return override

    return {rule: chain(functions) for rule, functions in by_rule.items()}


def _effect(site_correct: sp.Basic, site_slipped: sp.Basic, sampler: _Sampler,
            position: int | None) -> str:
    """What the slip does to the result, when it is simply a sign."""
    a, b = sampler.vector(site_correct), sampler.vector(site_slipped)
    ratios = [y / x for x, y in zip(a, b, strict=True) if x and y is not None]
    if ratios and all(abs(r + 1) < 1e-9 for r in ratios):
        if position is not None:
            return f"; the sign of the {_ordinal(position)} term flips"
        return "; its sign flips"
    return ""


def _position(expr: sp.Basic, site: sp.Basic, expand: Expand) -> int | None:
    """The place (1 = first) of the additive term holding ``site``, or None."""
    current = expr
    for _ in range(12):
        if isinstance(current, sp.Derivative):
            current = expand(current.expr, frozenset(v for v, _ in current.variable_count))
            continue
        if isinstance(current, sp.Add):
            where = [i for i, t in enumerate(_terms(current), 1) if t.has(site)]
            return where[0] if len(where) == 1 else None
        holding = [a for a in current.args if a.has(site)]
        if len(holding) != 1:
            return None
        current = holding[0]
    return None


def _local(node: DiffStep) -> tuple[Part, ...]:
    """d/dx f as written: f′(u) for the outer derivative of a chain rule."""
    if isinstance(node.wrt, sp.Symbol | sp.Indexed):
        return (_d(node.expr, node.wrt),)
    if isinstance(node.expr, sp.Function):
        name = "σ" if isinstance(node.expr, sigmoid) else type(node.expr).__name__
        return (f"{name}′(", node.wrt, ")")
    return ("the derivative of ", node.expr, " with respect to ", node.wrt)


def _rule_parts(mal: MalRule, node: DiffStep, buggy: DiffStep, effect: str) -> tuple[Part, ...]:
    if isinstance(node.expr, sp.Pow) and not isinstance(node.wrt, sp.Symbol | sp.Indexed):
        u = sp.Symbol("u")  # (uⁿ)′ at u = the base, as people write it
        base = node.expr.base
        local = DiffStep(node.rule, node.expr.xreplace({base: u}), u,
                         node.result.xreplace({base: u}), node.unfolded)
        slipped = DiffStep(buggy.rule, local.expr, u, buggy.result.xreplace({base: u}),
                           buggy.unfolded)
        return (*_rule_parts(mal, local, slipped, effect)[:-1], " with u = ", base, ".")
    derivative = _local(node)
    lead = "It equals the correct derivative with "
    if mal.name == "inner derivative dropped":
        inner = _parts(node)[1]
        return (lead, "the inner derivative of ", node.expr, " dropped: ", *derivative, " = ",
                node.result, ", since ", _d(inner.expr, inner.wrt), " = ", inner.result,
                " (chain rule)", effect, ".")
    if mal.name == "log′ without the inner function":
        return (lead, "log′ taken without the inner function: ", *derivative, " = ", node.result,
                ", not ", buggy.result, " (d/dx log u = u′/u)", effect, ".")
    if mal.name.startswith("σ′"):
        return (lead, mal.name, ": ", *derivative, " = ", node.result, ", not ", buggy.result,
                effect, ".")
    statements = {
        "quotient rule numerator swapped": "(u/v)′ = (u′·v − u·v′)/v²",
        "power rule exponent not reduced": "(uⁿ)′ = n·uⁿ⁻¹·u′",
        "product rule as product of derivatives": "(u·v)′ = u′·v + u·v′",
    }
    what = {
        "quotient rule numerator swapped": "the quotient rule's numerator terms swapped",
        "power rule exponent not reduced": "the power rule's exponent not reduced by one",
        "product rule as product of derivatives": "the product rule taken as the product of "
                                                  "the derivatives",
    }[mal.name]
    return (lead, what, ": ", *derivative, " = ", node.result, " by ", statements[mal.name],
            ", not ", buggy.result, effect, ".")


def _slip_parts(mal: MalRule, slip: Slip, undone: bool, top: bool) -> tuple[Part, ...]:
    """The sentence for a slip; ``undone`` when it was found by undoing it on the claim."""
    correct, slipped = (slip.slipped, slip.part) if undone else (slip.part, slip.slipped)
    lead = "It equals the correct result with "
    if mal.name == "term sign flipped" and slip.term is not None:
        written, right = (slip.term[0], slip.term[1]) if undone else (slip.term[1], slip.term[0])
        if top and slip.position is not None:
            return (lead, f"the sign of the {_ordinal(slip.position)} term flipped: ", written,
                    " should be ", right, ".")
        return (lead, "the sign of one term flipped: ", slipped, " should be ", correct, ".")
    if mal.name == "overall sign flipped":
        return (lead, "the opposite sign (a factor −1 dropped or added): it should be ",
                correct, ".")
    if mal.name == "constant factor wrong" and slip.factor is not None:
        factor = 1 / slip.factor if undone else slip.factor
        where = "" if slip.term is None or slip.position is None else \
            f" on the {_ordinal(slip.position)} term"
        return (lead, "a constant factor wrong", where, ": it is ", factor,
                " times the correct value (", sp.simplify(1 / factor),
                " dropped, or a wrong constant)", "; it should be ", correct, ".")
    if mal.name == "sum over the batch missing":
        return (lead, "the sum over the batch missing: ", correct, " is written as ", slipped,
                ".")
    if mal.name == "factor transposed" and slip.term is not None:
        factor = slip.term[1] if undone else slip.term[0]
        return (lead, "a factor transposed: ", slipped, " where ", correct,
                " is needed (", factor, " is the right factor).")
    if mal.name == "matrix and Hadamard product swapped":
        return (lead, "the matrix product and the Hadamard product swapped: ", slipped,
                " where ", correct, " is needed.")
    return (lead, mal.statement, ": ", slipped, " should be ", correct, ".")


def _constants(exprs: Iterable[sp.Basic], sampler: _Sampler) -> list[sp.Expr]:
    """Candidate wrong factors: 2, 3, the numbers and counts in the expressions, inverses and
    negatives."""
    base: list[sp.Expr] = [sp.Integer(2), sp.Integer(3)]
    for expr in exprs:
        for number in expr.atoms(sp.Rational):
            if number not in (0, 1, -1):
                base.append(abs(number))
        for symbol in expr.free_symbols:
            if isinstance(symbol, sp.Symbol) and isinstance(sampler.domain(symbol), Count):
                base.append(symbol)
    found: list[sp.Expr] = []
    for value in base:
        for candidate in (value, 1 / value, -value, -1 / value):
            if candidate not in found and candidate not in (1, -1):
                found.append(candidate)
    return found


# --- explain -----------------------------------------------------------------------------


_GIVE_UP = (BudgetExceeded, _Unusable, DeriveError, RecursionError, ValueError, TypeError,
            AttributeError, NotImplementedError)
"""Failures that end a search with no answer (SymPy raises the last four on odd input)."""

_SOFT_SHARE = 0.8
"""Candidates are generated in this share of the budget; the rest confirms them."""

_MAX_COMPARE = 1.5


class _Explainer:
    def __init__(self, previous: sp.Basic, claimed: sp.Basic, expand: Expand,
                 domains: Mapping[sp.Symbol, Domain], budget: float) -> None:
        self.previous, self.claimed, self.expand = previous, claimed, expand
        self.deadline = Deadline(budget)
        self.soft = Deadline(budget * _SOFT_SHARE)
        self.judge = _judge(previous, claimed, expand, domains)
        self.sampler = self.judge.sampler

    # sources of candidates

    def _remaining_derivatives(self) -> set[tuple[Any, Any]]:
        found = set()
        for node in self.claimed.atoms(sp.Derivative):
            try:
                variable = _variable(node)
            except _Unusable:
                continue
            found.add((self.expand(node.expr, frozenset({variable})), variable))
        return found

    def rule_sites(self) -> Iterator[tuple[sp.Derivative, sp.Basic, sp.Symbol, DiffStep,
                                            MalRule, DiffStep, int]]:
        """(derivative, F, v, node, mal-rule, buggy node, order) for every place a rule
        mal-rule applies in the derivation of a derivative the claim evaluates."""
        remaining = self._remaining_derivatives()
        order = 0
        for node in _derivatives(self.previous):
            try:
                variable = _variable(node)
                written = self.expand(node.expr, frozenset({variable}))
                correct = differentiate(written, variable)
            except (_Unusable, DeriveError, AssertionError):
                continue
            if (written, variable) in remaining:
                continue
            for step in _walk_evaluated(correct, remaining):
                for mal in MAL_RULES.values():
                    if mal.kind != "rule" or step.rule != mal.rule:
                        continue
                    buggy = mal.apply(step)
                    if isinstance(buggy, DiffStep) and buggy.result != step.result:
                        order += 1
                        yield node, written, variable, step, mal, buggy, order

    def truth_side(self, truth: sp.Basic) -> Iterator[_Candidate]:
        by_mal: dict[str, list[tuple[sp.Derivative, _Override]]] = {}
        for node, written, variable, step, mal, buggy, order in self.rule_sites():
            if self.soft.expired():
                return
            key = (step.expr, step.wrt)
            override = (mal.rule, key, mal.apply)
            value = self._derive({node: [override]}, {node: (written, variable)})
            if value is None:
                continue
            by_mal.setdefault(mal.name, []).append((node, override))
            position = _position(self.previous, step.expr, self.expand)
            effect = _effect(step.result, buggy.result, self.sampler, position)
            site = _Site(mal, step.expr, step.result, buggy.result,
                         _rule_parts(mal, step, buggy, effect), order)
            yield _Candidate((site,), "truth", value, overrides=((node, override),))
        for name, uses in by_mal.items():  # the same mistake at every place
            if len(uses) < 2 or self.soft.expired():
                continue
            grouped: dict[sp.Derivative, list[_Override]]
            grouped = {}
            for node, override in uses:
                grouped.setdefault(node, []).append(override)
            targets = {n: (self.expand(n.expr, frozenset({_variable(n)})), _variable(n))
                       for n in grouped}
            value = self._derive(grouped, targets)
            if value is None:
                continue
            mal = MAL_RULES[name]
            site = _Site(mal, sp.Symbol("every place"), truth, value,
                         ("It equals the correct derivative with ", mal.statement,
                          " at every place the rule is used."), 999)
            yield _Candidate((site,), "truth", value)
        for form in (truth, self.previous):
            for slip in sum_missing(form):
                if self.soft.expired():
                    return
                try:
                    value = self.judge.value(slip.result)
                except (_Unusable, DeriveError):
                    continue
                mal = MAL_RULES["sum over the batch missing"]
                site = _Site(mal, slip.part, slip.part, slip.slipped,
                             _slip_parts(mal, slip, False, False), 0)
                yield _Candidate((site,), "truth", value)

    def _derive(self, overrides: Mapping[sp.Derivative, Sequence[_Override]],
                targets: Mapping[sp.Derivative, tuple[sp.Basic, sp.Symbol]]) -> sp.Basic | None:
        mapping = {}
        try:
            for node, uses in overrides.items():
                written, variable = targets[node]
                mapping[node] = differentiate(written, variable,
                                              overrides=_combined(uses)).result
            return self.judge.value(self.previous.xreplace(mapping))
        except (_Unusable, DeriveError, AssertionError):
            return None

    def claim_side(self, expression: sp.Basic, factors: Sequence[sp.Expr]
                   ) -> Iterator[_Candidate]:
        top = _top_additive(expression)
        order = 0
        for mal in MAL_RULES.values():
            if mal.kind != "slip" or not mal.undoable:
                continue
            slips = (mal.apply(expression, factors) if mal.name == "constant factor wrong"
                     else mal.apply(expression))
            for slip in slips:
                if self.soft.expired():
                    return
                order += 1
                try:
                    value = self.judge.value(slip.result)
                except (_Unusable, DeriveError, ValueError, TypeError):
                    continue
                site = _Site(mal, slip.part, slip.slipped, slip.part,
                             _slip_parts(mal, slip, True, slip.part == top), order)
                yield _Candidate((site,), "claim", value, slip.result)

    # the search

    def _confirm(self, a: sp.Basic, b: sp.Basic) -> Outcome | None:
        left = self.deadline.remaining()
        if left < 0.02:
            return None
        outcome = self.judge.compare(a, b, min(left, _MAX_COMPARE))
        return outcome if isinstance(outcome, Proved | Checked) else None

    def run(self) -> Diagnosis | None:
        truth = self.judge.value(self.previous)
        said = self.judge.value(self.claimed)
        first = self.judge.compare(truth, said, min(self.deadline.remaining() * 0.3, 1.0))
        if not _differs(first):
            return None
        truth_vector, said_vector = self.judge.vector(truth), self.judge.vector(said)
        if truth_vector is None:
            return None
        factors = _constants((self.previous, self.claimed, truth), self.sampler)
        truths: list[tuple[_Candidate, Vector | None]] = []
        claims: list[tuple[_Candidate, Vector | None]] = []
        matched: list[_Candidate] = []
        for candidate in self.truth_side(truth):
            vector = self.judge.vector(candidate.value)
            truths.append((candidate, vector))
            if _close(vector, said_vector):
                matched.append(candidate)
        for candidate in self.claim_side(self.claimed, factors):
            vector = self.judge.vector(candidate.value)
            claims.append((candidate, vector))
            if _close(vector, truth_vector):
                matched.append(candidate)
        single = self._best(matched, truth, said)
        if single is not None:
            return single
        return self._pairs(truth, said, truth_vector, said_vector, truths, claims, factors)

    def _target(self, candidate: _Candidate, truth: sp.Basic, said: sp.Basic) -> sp.Basic:
        return said if candidate.side == "truth" else truth

    def _best(self, matched: Sequence[_Candidate], truth: sp.Basic, said: sp.Basic
              ) -> Diagnosis | None:
        confirmed: list[tuple[_Candidate, Outcome]] = []
        for candidate in sorted(matched, key=lambda c: c.rank):
            if confirmed and candidate.sites[0].mal.name in {
                c.sites[0].mal.name for c, _ in confirmed
            }:
                continue
            outcome = self._confirm(candidate.value, self._target(candidate, truth, said))
            if outcome is not None:
                confirmed.append((candidate, outcome))
            if len(confirmed) >= 4 or self.deadline.expired():
                break
        if not confirmed:
            return None
        best, outcome = confirmed[0]
        others = tuple(dict.fromkeys(
            c.sites[0].mal.name for c, _ in confirmed[1:]
            if c.sites[0].mal.name != best.sites[0].mal.name))
        return _diagnosis(best.sites, others, outcome)

    def _pairs(self, truth: sp.Basic, said: sp.Basic, truth_vector: Vector,
               said_vector: Vector | None, truths: list[tuple[_Candidate, Vector | None]],
               claims: list[tuple[_Candidate, Vector | None]], factors: Sequence[sp.Expr]
               ) -> Diagnosis | None:
        """Two mal-rules together, cheapest kinds first; each kind confirmed before the next.
        Without values of the claim (undefined at every screening point), only slips undone
        on the claim are tried."""
        phases = [self._rule_and_slip(truths, claims)]
        if said_vector is not None:
            phases.append(self._two_rules(truths, said, said_vector))
        phases.append(self._two_slips(truth, truth_vector, claims, factors))
        for phase in phases:
            found = sorted(phase, key=lambda f: f[0])
            for _, sites, a, b in found:
                names = {s.mal.name for s in sites}
                if len(names) == 1 and names & {"overall sign flipped", "constant factor wrong"}:
                    continue  # two of these are one of them
                outcome = self._confirm(a, b)
                if outcome is not None:
                    return _diagnosis(sites, (), outcome)
                if self.deadline.expired():
                    return None
        return None

    def _rule_and_slip(self, truths: list[tuple[_Candidate, Vector | None]],
                       claims: list[tuple[_Candidate, Vector | None]]) -> Iterator[_Found]:
        """A buggy derivation with a slip on top: undoing the slip on the claim gives it."""
        for (t, tv), (c, cv) in itertools.product(truths, claims):
            if _close(cv, tv):
                yield (*t.rank, *c.rank), (*t.sites, *c.sites), c.value, t.value

    def _two_rules(self, truths: list[tuple[_Candidate, Vector | None]], said: sp.Basic,
                   said_vector: Vector) -> Iterator[_Found]:
        """Two buggy rules in one derivation."""
        rules = [t for t, _ in truths if t.overrides]
        for a, b in itertools.combinations(rules, 2):
            if self.soft.expired():
                return
            grouped: dict[sp.Derivative, list[_Override]] = {}
            for node, override in (*a.overrides, *b.overrides):
                grouped.setdefault(node, []).append(override)
            targets = {n: (self.expand(n.expr, frozenset({_variable(n)})), _variable(n))
                       for n in grouped}
            value = self._derive(grouped, targets)
            if value is not None and self.judge.matches(value, said_vector):
                yield (*a.rank, *b.rank), (*a.sites, *b.sites), value, said

    def _two_slips(self, truth: sp.Basic, truth_vector: Vector,
                   claims: list[tuple[_Candidate, Vector | None]],
                   factors: Sequence[sp.Expr]) -> Iterator[_Found]:
        """Two slips undone on the claim, one after the other."""
        for first, vector in claims:
            if self.soft.expired():
                return
            if vector is None or first.expression is None:
                continue
            for second in self.claim_side(first.expression, factors):
                if self.judge.matches(second.value, truth_vector):
                    yield ((*first.rank, *second.rank), (*first.sites, *second.sites),
                           second.value, truth)


def _walk_evaluated(step: DiffStep, remaining: set[tuple[Any, Any]]) -> Iterator[DiffStep]:
    """The steps of a derivation, without those of derivatives the claim leaves unevaluated."""
    if (step.expr, step.wrt) in remaining:
        return
    yield step
    for child in _parts(step):
        yield from _walk_evaluated(child, remaining)


def _top_additive(expr: sp.Basic) -> sp.Basic | None:
    current = expr
    for _ in range(8):
        if isinstance(current, sp.Add | sp.MatAdd):
            return current
        if isinstance(current, sp.Mul | sp.MatMul):
            sums = [a for a in current.args if isinstance(a, sp.Add | sp.MatAdd)]
            if len(sums) != 1 or any(not a.is_number for a in current.args
                                     if a is not sums[0]):
                return None
            current = sums[0]
            continue
        return None
    return None


def _diagnosis(sites: Sequence[_Site], equivalent: tuple[str, ...], outcome: Outcome
               ) -> Diagnosis:
    first = sites[0]
    if len(sites) == 1:
        parts = first.parts
        name = first.mal.name
        where = show(first.where)
    else:
        parts = ("Two slips together reproduce it. ", *first.parts, " ",
                 *_second(sites[1].parts))
        name = " + ".join(s.mal.name for s in sites)
        where = "; ".join(show(s.where) for s in sites)
    if equivalent and not _says_sign(parts):
        parts = (*parts, " Equivalently: ",
                 "; ".join(MAL_RULES[n].statement for n in equivalent), ".")
    return Diagnosis(name, _sentence(parts, show), where, first.correct, first.slipped,
                     equivalent=equivalent, parts=tuple(parts), outcome=outcome,
                     components=tuple(s.mal.name for s in sites))


def _second(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """The sentence of a pair's second slip: what it is, not what the claim should be."""
    if "; it should be " in parts:
        parts = (*parts[:parts.index("; it should be ")], ".")
    if parts and isinstance(parts[0], str) and parts[0].startswith("It equals the correct"):
        return ("Also, with ", *parts[1:])
    return parts


def _says_sign(parts: Sequence[Part]) -> bool:
    return any(isinstance(p, str) and "sign" in p for p in parts)


def explain(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = _no_expansion,
            domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
            ) -> Diagnosis | None:
    """The mal-rule whose buggy derivation reproduces ``claimed`` from ``previous``, or None.

    ``previous`` is the side the step continues from (a derivative such as ∂J/∂ŷ, or the line
    before), ``claimed`` the learner's side, both as the checker reads them; ``expand(expr,
    keep)`` writes named quantities out except those in ``keep``. A diagnosis is only given
    when the claim is refuted and ``compare`` shows that the mal-rule reproduces it; single
    mal-rules are tried first, pairs only when none explains it, all within ``budget`` s.
    """
    try:
        with time_limit(budget):
            return _Explainer(previous, claimed, expand, domains or {}, budget).run()
    except _GIVE_UP:
        return None


def explain_links(links: Sequence[tuple[sp.Expr, sp.Expr]], *, expand: Expand = _no_expansion,
                  domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
                  ) -> list[Diagnosis | None]:
    """``explain`` for each link (previous, claimed) of a chain; the diagnoses of two
    neighbouring slips that cancel carry ``cancelling=True``."""
    found = [explain(a, b, expand=expand, domains=domains, budget=budget) for a, b in links]
    for index in cancelling(links, expand=expand, domains=domains, budget=budget):
        for at in (index, index + 1):
            diagnosis = found[at]
            if diagnosis is not None:
                found[at] = replace(diagnosis, cancelling=True)
    return found


def cancelling(links: Sequence[tuple[sp.Expr, sp.Expr]], *, expand: Expand = _no_expansion,
               domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
               ) -> list[int]:
    """The indices i where links i and i + 1 are both refuted but the side before link i
    equals the side after link i + 1: two slips whose effects cancel, the final line right
    though the line between is wrong."""
    deadline = Deadline(budget)
    found: list[int] = []
    refuted: dict[int, bool] = {}

    def wrong(index: int) -> bool:
        if index not in refuted:
            a, b = links[index]
            refuted[index] = _differs(_outcome(a, b, expand, domains, deadline))
        return refuted[index]

    for index in range(len(links) - 1):
        if deadline.expired():
            break
        if wrong(index) and wrong(index + 1):
            outcome = _outcome(links[index][0], links[index + 1][1], expand, domains, deadline)
            if _confirmed(outcome):
                found.append(index)
    return found


def _outcome(a: sp.Expr, b: sp.Expr, expand: Expand, domains: Mapping[sp.Symbol, Domain] | None,
             deadline: Deadline) -> Outcome | _Differs | None:
    left = deadline.remaining()
    if left < 0.02:
        return None
    try:
        judge = _judge(a, b, expand, domains or {})
        return judge.compare(judge.value(a), judge.value(b), min(left, _MAX_COMPARE))
    except (_Unusable, DeriveError, BudgetExceeded):
        return None


# --- the rule a label names ----------------------------------------------------------------

_NAMED: tuple[tuple[str, str], ...] = (
    (r"\bchain\s+rule", "chain"),
    (r"\bproduct\s+rule", "product"),
    (r"\bquotient\s+rule", "quotient"),
    (r"\bsum\s+rule|\blinearity\b", "sum"),
    (r"\bpower\s+rule", "power"),
    (r"\bconstant[\s-]+(multiple|factor)(\s+rule)?", "constant multiple"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?constant\b|\bconstant\s+rule", "constant"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?(natural\s+)?(log\w*|ln)\b|\blog\w*\s+rule", "log"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?(sigmoid|σ)|\bsigmoid\s+rule", "sigmoid"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?exp\w*", "exp"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?max\b|\bmax\s+rule", "max"),
)


def rules_named(label: str) -> tuple[str, ...]:
    """Every rule a document's label names, in the order it names them."""
    found: list[tuple[int, str]] = []
    for pattern, rule in _NAMED:
        match = re.search(pattern, label, re.IGNORECASE)
        if match is not None:
            found.append((match.start(), rule))
    return tuple(dict.fromkeys(rule for _, rule in sorted(found)))


def rule_named(label: str) -> str | None:
    """The rule a document's label names first ("Product rule" → "product"), or None."""
    named = rules_named(label)
    return named[0] if named else None


# --- the rule that justifies a step ----------------------------------------------------------

_PRINCIPAL = ("chain", "quotient", "product", "sum", "power", "exponential", "general power",
              "batch sum", "log", "exp", "sigmoid", "relu", "softplus", "tanh", "sin", "cos",
              "abs", "step", "max", "min", "constant multiple", "constant", "identity",
              "definition", "simplify")
_BOOKKEEPING = frozenset({"constant multiple", "constant", "identity", "definition"})


class _Opaque:
    """Derivatives replaced by symbols, so that only the algebra around them is compared.

    Strict keys tell d(a + b) from da + db; ``linear`` keys first split a derivative by
    linearity (constants out, sums apart), so that any order of those bookkeeping rules agrees.
    """

    def __init__(self, expand: Expand, linear: bool) -> None:
        self.expand = expand
        self.linear = linear
        self.symbols: dict[tuple[Any, Any], sp.Symbol] = {}

    def symbol(self, written: sp.Basic, variable: sp.Symbol) -> sp.Expr:
        if written == variable:
            return sp.S.One
        if not written.has(variable):
            return sp.S.Zero
        key = (written, variable)
        if key not in self.symbols:
            self.symbols[key] = sp.Symbol(f"∂{len(self.symbols)}", real=True)
        return self.symbols[key]

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        mapping = {}
        for node in expr.atoms(sp.Derivative):
            variable = _variable(node)
            written = self.expand(node.expr, frozenset({variable}))
            if not self.linear:
                mapping[node] = self.symbol(written, variable)
                continue
            total = sp.S.Zero
            for term in sp.Add.make_args(sp.expand_mul(written)):
                constant, varying = term.as_independent(variable, as_Add=False)
                total += constant * self.symbol(varying, variable)
            mapping[node] = total
        return self.expand(expr.xreplace(mapping), frozenset())


def _moves(node: sp.Derivative, expand: Expand) -> list[tuple[str, sp.Basic]]:
    """The rules that can take one derivative a step further, each with its result."""
    variable = _variable(node)
    written = expand(node.expr, frozenset({variable}))
    moves: list[tuple[str, sp.Basic]] = []
    try:
        step = differentiate(written, variable)
    except (DeriveError, AssertionError):
        return moves
    moves.append((step.rule, step.unfolded))
    if step.result.is_number:
        moves.append((step.rule, step.result))
    for form in (written, sp.factor_terms(written)):
        constant, rest = form.as_independent(variable, as_Add=False)
        if constant != 1 and rest.has(variable):
            moves.append(("constant multiple", sp.Mul(constant, _d(rest, variable),
                                                      evaluate=False)))
    unique: list[tuple[str, sp.Basic]] = []
    for move in moves:
        if move not in unique:
            unique.append(move)
    return unique


@dataclass(frozen=True)
class _Matcher:
    """Does an expression with opaque derivatives equal the claim's?"""

    opaque: _Opaque
    target: sp.Basic
    vector: Vector
    sampler: _Sampler
    domains: Mapping[sp.Symbol, Domain]
    deadline: Deadline

    def __call__(self, expr: sp.Basic) -> bool:
        try:
            candidate = self.opaque(expr)
        except _Unusable:
            return False
        if not _close(self.sampler.vector(candidate), self.vector):
            return False
        left = self.deadline.remaining()
        if left < 0.02:
            return False
        return _confirmed(compare(candidate, self.target, self.domains,
                                  budget=min(left, _MAX_COMPARE)))


def _matcher(claimed: sp.Basic, expand: Expand, domains: Mapping[sp.Symbol, Domain],
             linear: bool, deadline: Deadline) -> _Matcher:
    opaque = _Opaque(expand, linear)
    target = opaque(claimed)
    sampler = _Sampler(domains)
    return _Matcher(opaque, target, sampler.vector(target), sampler, domains, deadline)


def _valid(previous: sp.Basic, claimed: sp.Basic, expand: Expand,
           domains: Mapping[sp.Symbol, Domain], deadline: Deadline) -> Outcome | _Differs | None:
    return _outcome(previous, claimed, expand, domains, deadline)


def rules_applied(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = _no_expansion,
                  domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
                  ) -> tuple[str, ...] | None:
    """The engine rules that take ``previous`` to ``claimed`` (one or two levels of rules,
    applied to one derivative or to all at once), or None when no such route is found or the
    step is not valid."""
    domains = domains or {}
    deadline = Deadline(budget)
    try:
        with time_limit(budget):
            if _is_matrix(previous) or _is_matrix(claimed):
                return None
            if not _confirmed(_valid(previous, claimed, expand, domains, deadline)):
                return None
            pending = _derivatives(previous)
            if not pending:
                return ("simplify",)
            if _named_chain(previous, claimed):
                return ("chain",)
            match = _matcher(claimed, expand, domains, False, deadline)
            if match(previous):
                return ("definition",)
            return _search(previous, pending, expand, match, deadline)
    except _GIVE_UP:
        return None


def _search(previous: sp.Basic, pending: list[sp.Derivative], expand: Expand, match: _Matcher,
            deadline: Deadline) -> tuple[str, ...] | None:
    options = [[("", node), *_moves(node, expand)] for node in pending]
    combinations = list(itertools.islice(itertools.product(*options), 256))
    combinations.sort(key=lambda c: sum(1 for rule, _ in c if rule))
    states: list[tuple[tuple[str, ...], sp.Basic]] = []
    for combination in combinations:
        if deadline.expired():
            return None
        rules = tuple(dict.fromkeys(rule for rule, _ in combination if rule))
        if not rules:
            continue
        state = previous.xreplace({n: r for n, (_, r) in zip(pending, combination, strict=True)})
        if match(state):
            return rules
        states.append((rules, state))
    for rules, state in states:  # a second level: the engine's own rule on what is left
        if deadline.expired():
            return None
        mapping: dict[sp.Basic, sp.Basic] = {}
        second: list[str] = []
        for node in _derivatives(state):
            moves = _moves(node, expand)
            if moves:
                rule, result = moves[-1] if moves[-1][1].is_number else moves[0]
                mapping[node] = result
                second.append(rule)
        if mapping and match(state.xreplace(mapping)):
            return tuple(dict.fromkeys((*rules, *second)))
    return None


def _named_chain(previous: sp.Basic, claimed: sp.Basic) -> bool:
    """∂J/∂w written as ∂J/∂z·∂z/∂h·∂h/∂w: the chain rule through named intermediates."""
    if not isinstance(previous, sp.Derivative) or not isinstance(previous.expr, sp.Symbol):
        return False
    factors = [f for f in sp.Mul.make_args(claimed) if not f.is_number]
    if len(factors) < 2 or not all(isinstance(f, sp.Derivative) for f in factors):
        return False
    try:
        edges = {_variable(f): f.expr for f in factors}
        start = _variable(previous)
    except _Unusable:
        return False
    if len(edges) != len(factors) or not all(isinstance(e, sp.Symbol) for e in edges.values()):
        return False
    current, seen = start, 0
    while current in edges and seen <= len(edges):
        current, seen = edges[current], seen + 1
    return bool(current == previous.expr and seen == len(edges))


def _principal(rules: Sequence[str]) -> str:
    ranked = sorted(rules, key=lambda r: _PRINCIPAL.index(r) if r in _PRINCIPAL else 99)
    return ranked[0]


def justifying_rule(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = _no_expansion,
                    domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
                    ) -> str | None:
    """The engine rule that takes ``previous`` to ``claimed`` in one step: "constant multiple"
    for dJ/dŷ = −1·d/dŷ(...), "sum" for splitting the derivative of a sum, "chain" for
    d/dŷ log(1 − ŷ) = 1/(1 − ŷ)·d(1 − ŷ)/dŷ; the main one when several are used at once
    (bookkeeping such as a constant factor gives way). None when the step is not valid or no
    rule takes it there."""
    applied = rules_applied(previous, claimed, expand=expand, domains=domains, budget=budget)
    return _principal(applied) if applied else None


def takes_step(rule: str, previous: sp.Expr, claimed: sp.Expr, *,
               expand: Expand = _no_expansion,
               domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 2.0) -> bool:
    """Whether ``rule`` takes ``previous`` to ``claimed`` by some valid route: applied to a
    derivative of ``previous`` as written, or as its definition in exponentials (d/dx tanh x
    by the quotient rule on (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)), with the inner derivatives left as they
    are or evaluated. A label is right when it names any such route, not only the engine's."""
    domains = domains or {}
    deadline = Deadline(budget)
    try:
        with time_limit(budget):
            if _is_matrix(previous) or _is_matrix(claimed):
                return False
            pending = _derivatives(previous)
            if not pending or not _confirmed(_valid(previous, claimed, expand, domains,
                                                    deadline)):
                return False
            match = _matcher(claimed, expand, domains, False, deadline)
            for node in pending:
                for result in _routes_by(rule, node, expand):
                    if deadline.expired():
                        return False
                    if match(previous.xreplace({node: result})):
                        return True
    except _GIVE_UP:
        return False
    return False


def _routes_by(rule: str, node: sp.Derivative, expand: Expand) -> Iterator[sp.Basic]:
    """What ``rule`` makes of one derivative, on each form of its function."""
    variable = _variable(node)
    written = expand(node.expr, frozenset({variable}))
    forms = [written]
    in_exponentials = written.rewrite(sp.exp)
    if in_exponentials != written:
        forms.append(in_exponentials)
    for form in forms:
        try:
            step = differentiate(form, variable)
        except (DeriveError, AssertionError):
            continue
        if step.rule != rule:
            continue
        yield step.unfolded
        inner = {d: differentiate(d.expr, _variable(d)).result
                 for d in step.unfolded.atoms(sp.Derivative)}
        if inner:
            yield step.unfolded.xreplace(inner)


# --- alignment with the engine's route -------------------------------------------------------


def align(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = _no_expansion,
          domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0,
          target: sp.Expr | None = None) -> tuple[str, str]:
    """Where a step stands against the engine's own derivation.

    ``("expected", rules)`` when ``claimed`` is one of the lines the engine writes on its way
    (for each derivative in ``previous``, and for ``target``, the derivative the chain is
    about, when given), up to equivalence with the derivatives kept unevaluated;
    ``("detour", rule)`` when the step is valid but off that route; ``("buggy", mal-rule)``
    when a mal-rule explains it; ``("unknown", why)`` otherwise.
    """
    domains = domains or {}
    deadline = Deadline(budget)
    if _has_differential(previous) or _has_differential(claimed):
        return ("unknown", "differentials are not re-derived")
    outcome = _valid(previous, claimed, expand, domains, deadline)
    if _differs(outcome):
        diagnosis = explain(previous, claimed, expand=expand, domains=domains,
                            budget=max(deadline.remaining(), 0.05))
        if diagnosis is not None:
            return ("buggy", diagnosis.mal_rule)
        return ("unknown", "refuted, and no known mistake reproduces it")
    if not _confirmed(outcome):
        return ("unknown", "the step could not be decided")
    pending = _derivatives(previous)
    if not pending and target is None:
        return ("expected", "algebra")
    if _named_chain(previous, claimed):
        return ("expected", "chain (through named intermediates)")
    try:
        with time_limit(max(deadline.remaining(), 0.01)):
            found = _on_route(previous, claimed, pending, expand, domains, deadline, target)
    except _GIVE_UP:
        return ("unknown", "the engine's route could not be compared in time")
    if found is not None:
        return ("expected", found)
    rule = justifying_rule(previous, claimed, expand=expand, domains=domains,
                           budget=max(deadline.remaining(), 0.05))
    return ("detour", rule or "a valid step off the engine's route")


def _route(node: sp.Derivative, expand: Expand) -> list[tuple[str, sp.Basic]]:
    variable = _variable(node)
    written = expand(node.expr, frozenset({variable}))
    try:
        step = differentiate(written, variable)
    except (DeriveError, AssertionError):
        return [("", node)]
    route: list[tuple[str, sp.Basic]] = [("", node)]
    route += [(", ".join(line.rules) or "evaluate", line.expression) for line in lines(step)]
    return route


def _on_route(previous: sp.Basic, claimed: sp.Basic, pending: list[sp.Derivative],
              expand: Expand, domains: Mapping[sp.Symbol, Domain], deadline: Deadline,
              target: sp.Expr | None) -> str | None:
    match = _matcher(claimed, expand, domains, True, deadline)
    if target is not None and isinstance(target, sp.Derivative):
        for rules, line in _route(target, expand)[1:]:
            if match(line):
                return rules
    routes = [_route(node, expand) for node in pending]
    for combination in itertools.islice(itertools.product(*routes), 400):
        if deadline.expired():
            return None
        state = previous.xreplace({n: e for n, (_, e) in zip(pending, combination, strict=True)})
        if match(state):
            used = ", ".join(dict.fromkeys(r for r, _ in combination if r))
            return used or _bookkeeping(previous, claimed, pending, expand, deadline, match)
    return None


def _bookkeeping(previous: sp.Basic, claimed: sp.Basic, pending: list[sp.Derivative],
                 expand: Expand, deadline: Deadline, linear: _Matcher) -> str:
    """The rule of a step that only rearranges derivatives (a constant out, a sum apart)."""
    strict = replace(linear, opaque=_Opaque(expand, False))
    strict = replace(strict, target=strict.opaque(claimed))
    strict = replace(strict, vector=strict.sampler.vector(strict.target))
    if strict(previous):
        return "definition"
    rules = _search(previous, pending, expand, strict, deadline)
    return _principal(rules) if rules else "definition"
