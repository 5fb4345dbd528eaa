"""``derive codegen --expr``: verified, numerically stable NumPy code for your own scalar loss.

The LaTeX is read by :mod:`derive.read.latex` (no eval), each ``--wrt`` variable is differentiated
rule by rule by :mod:`derive.engine.differentiate` (every step checked), the loss and the gradients
are rewritten into stable forms by proved identities (log σ(u) = −softplus(−u), log(1 + e^u) =
softplus(u), e^u/(1 + e^u) = σ(u), 1 − σ(u) = σ(−u), log cosh u = |u| + log1p(e^(−2|u|)) −
log 2, ...: :func:`expression_identities`), and printed by the NumPy printer of
:mod:`derive.emit.codegen` with shared subexpressions computed once and one ``exp`` per σ or
softplus argument (u and −u share it); cases are ``np.where``. The module works elementwise:
every argument is a number or an array, and they broadcast together.

Before anything is written the module is imported (:func:`derive.emit.codegen._load_generated`)
and checked at random points of the declared domains against central finite differences of
its own loss and against SymPy's own ``diff`` of the expression as it was read (a second,
independent route), in float64 with 30-digit references; float32 must stay float32.
"""

from __future__ import annotations

import keyword
import math
import random
import re
import sys
import types
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

from derive.core.budget import run_with_budget
from derive.core.context import Context, SymbolInfo
from derive.core.domains import (
    POSITIVE,
    REAL,
    Discrete,
    Domain,
    Interval,
    make_symbol,
    parse_domain,
)
from derive.core.errors import BudgetExceeded, DeriveError, SourceError, VerificationError
from derive.core.functions import sigmoid, softplus
from derive.core.outcomes import verdict_of
from derive.core.records import Derivation
from derive.decide.equivalence import compare
from derive.emit.codegen import (
    UNUSABLE,
    WRONG,
    CheckReport,
    Identity,
    Rewrite,
    UnsupportedExpression,
    _Code,
    _fit,
    _load_generated,
    _log_of_sigmoid,
    _Printer,
    _replace_all,
    _softplus_of_negative,
    _wrapped_comment,
    can_write,
    deliver,
    identity_lines,
    stable_identities,
)
from derive.emit.render import evidence_of, text, verdict_word
from derive.engine.backprop import scalar_derivation
from derive.engine.models import expression_model
from derive.read.latex import parse_expression

T = TypeVar("T")

FINITE_DIFFERENCE_TOLERANCE = 1e-6
SYMBOLIC_TOLERANCE = 1e-9
ABSOLUTE_FLOOR = 1e-12
"""A difference below this times the size of the point's values counts as rounding."""
DEFAULT_BUDGET = 10.0
"""Seconds for each symbolic stage: one gradient's derivation, the stable rewrites, SymPy's
own derivative and its evaluation at the check's points."""

EXTREMES = (-800.0, -40.0, 40.0, 800.0)
"""Values put into each real variable to see that the code stays finite where the true
value is."""

_LARGEST = {np.dtype(np.float64): 1e300, np.dtype(np.float32): 1e37}
"""A true value beyond this is not an ordinary number of the dtype: inf may be right."""


_RESERVED = frozenset({"np", "loss", "grad", "loss_and_grad", "dtype_", "shape_"})


class NotScalarError(SourceError):
    """The expression is not a scalar formula (a transpose, bold, a norm, a sum over an index);
    the place is named."""


class UnknownVariableError(DeriveError):
    """A ``--wrt`` or ``--domain`` name that the expression does not contain."""


# ---------------------------------------------------------------------------------------------
# reading: one scalar expression, its symbols and their domains

_ARRAY_MARKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\^\s*(?:\{\s*)?(?:T|\\top|\\intercal|\\mathsf\s*\{\s*T\s*\})(?![A-Za-z])"),
     "a transpose"),
    (re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|bf)(?![A-Za-z])"),
     "bold or an arrow, which marks a vector or a matrix"),
    (re.compile(r"\\odot(?![A-Za-z])"), "an elementwise product ⊙ (the code is elementwise "
     "already: write a plain product)"),
    (re.compile(r"\\(?:sum|prod)(?![A-Za-z])"), "a sum or a product over an index"),
    (re.compile(r"\\\||\\[lr]?Vert(?![A-Za-z])|\\(?:det|operatorname\s*\{\s*(?:tr|diag)\s*\})"),
     "a norm, a trace or a determinant"),
)

_NOT_SCALAR_NODES = (sp.MatrixExpr, sp.Indexed, sp.IndexedBase, sp.Sum, sp.Product,
                     sp.Derivative, sp.Integral)


def _refuse(latex: str, what: str, column: int) -> NotScalarError:
    return NotScalarError(
        f"codegen --expr takes a scalar expression, and this has {what}; arrays are handled "
        "elementwise (pass NumPy arrays to the generated functions); for matrix models use "
        "derive codegen logistic|mlp", text=latex, column=column, source="--expr")


def read_expression(latex: str, domains: Mapping[str, str | Domain] | None = None
                    ) -> tuple[sp.Expr, dict[sp.Symbol, Domain]]:
    """The scalar expression ``latex`` as the project's reader reads it (symbols carry their
    declared domains), and each free symbol's domain. Anything with shapes is refused with
    the place it starts."""
    for pattern, what in _ARRAY_MARKS:
        found = pattern.search(latex)
        if found:
            raise _refuse(latex, what, found.start() + 1)
    declared = {_symbol_name(name): parse_domain(d) if isinstance(d, str) else d
                for name, d in (domains or {}).items()}
    context = Context().with_symbols(*(SymbolInfo(name, domain)
                                       for name, domain in declared.items()))
    expr = parse_expression(latex, context, source="--expr")
    if not isinstance(expr, sp.Expr) or expr.atoms(*_NOT_SCALAR_NODES) or any(
            isinstance(node, _NOT_SCALAR_NODES) for node in sp.preorder_traversal(expr)):
        raise _refuse(latex, f"an array, a sum over an index or a derivative ({_shown(expr)})",
                      1)
    applied = [f for f in expr.atoms(sp.Function) if isinstance(f.func, sp.core.function.
                                                                 UndefinedFunction)]
    if applied:
        raise _refuse(latex, f"an undefined function {_shown(applied[0])}", 1)
    if not expr.free_symbols:
        raise UnknownVariableError("the expression has no variable to differentiate")
    names = {s.name for s in expr.free_symbols}
    unknown = sorted(set(declared) - names)
    if unknown:
        raise UnknownVariableError(
            f"--domain names {', '.join(unknown)}, which the expression does not contain; "
            f"its symbols are {', '.join(sorted(names))}")
    return expr, {s: declared.get(s.name, REAL) for s in expr.free_symbols}


def _symbol_name(name: str) -> str:
    """The symbol a --domain name means: as written (gamma, y_i), or as the reader reads it
    when it is LaTeX (\\gamma → gamma, \\hat y → yhat)."""
    if not re.search(r"[\\{}^ ]", name):
        return name
    try:
        read = parse_expression(name, Context(), source="--domain")
    except DeriveError:
        return name
    return read.name if isinstance(read, sp.Symbol) else name


def _shown(expr: Any) -> str:
    try:
        return text(expr)
    except Exception:  # a node the text printer cannot print either
        return str(expr)


def python_names(symbols: Sequence[sp.Symbol]) -> dict[sp.Symbol, str]:
    """Each symbol's argument name in the generated code: its name with anything that cannot
    be in a Python name replaced by _ (x_{i,j} → x_i_j), a keyword or a name the module uses
    followed by _ (lambda → lambda_). Two symbols with one name are refused."""
    found: dict[sp.Symbol, str] = {}
    owners: dict[str, sp.Symbol] = {}
    for symbol in sorted(symbols, key=lambda s: s.name):
        name = re.sub(r"[^0-9A-Za-z_]+", "_", symbol.name).strip("_") or "x"
        if name[0].isdigit():
            name = f"x_{name}"
        if keyword.iskeyword(name) or name in _RESERVED:
            name += "_"
        if name in owners:
            raise UnsupportedExpression(
                f"the symbols {owners[name].name} and {symbol.name} would both be the argument "
                f"{name} of the generated functions; rename one of them")
        owners[name] = symbol
        found[symbol] = name
    return found


# ---------------------------------------------------------------------------------------------
# stable forms of a scalar expression, each rewrite proved before it is used


def _log_one_plus_exp(expr: Any) -> sp.Expr | None:
    """log(1 + e^u) ↦ softplus(u) (identity 7)."""
    if isinstance(expr, sp.log):
        rest = sp.expand(expr.args[0] - 1)
        if isinstance(rest, sp.exp):
            return softplus(rest.args[0])
    return None


def _integer_power(expr: Any) -> tuple[sp.Expr, sp.Integer] | None:
    """expr as (base, n) with expr = baseⁿ for a whole n, through a power of a power kept
    unevaluated ((b²)⁻¹ is (b, −2)); None for anything else."""
    if not isinstance(expr, sp.Pow) or not expr.exp.is_Integer:
        return None
    base, exponent = expr.base, expr.exp
    while isinstance(base, sp.Pow) and base.exp.is_Integer:
        base, exponent = base.base, exponent * base.exp
    return base, exponent


def _exp_of_one_plus_exp(expr: Any) -> tuple[sp.Expr, sp.Integer] | None:
    """1/(1 + e^u)ⁿ as (u, n) for n ≥ 1, or None."""
    power = _integer_power(expr)
    if power is None or power[1] >= 0:
        return None
    rest = sp.expand(power[0] - 1)
    return (rest.args[0], -power[1]) if isinstance(rest, sp.exp) else None


def _reciprocal_of_one_plus_exp(expr: Any) -> sp.Expr | None:
    """1/(1 + e^u)ⁿ ↦ σ(−u)ⁿ (identity 8)."""
    found = _exp_of_one_plus_exp(expr)
    return None if found is None else sigmoid(-found[0]) ** found[1]


def _sigmoid_of_exp_ratio(expr: Any) -> sp.Expr | None:
    """e^u/(1 + e^u)ⁿ ↦ σ(u)/(1 + e^u)ⁿ⁻¹ (identity 9; identity 8 then takes the rest):
    e^u·σ(−u) would overflow in e^u where σ(−u) underflows, and σ(u) is 1 there."""
    if not isinstance(expr, sp.Mul):
        return None
    factors = list(expr.args)
    for denominator in factors:
        found = _exp_of_one_plus_exp(denominator)
        if found is None:
            continue
        u, n = found
        for numerator in factors:
            if isinstance(numerator, sp.exp) and sp.expand(numerator.args[0] - u) == 0:
                others = [f for f in factors if f is not denominator and f is not numerator]
                return sp.Mul(*others) * sigmoid(u) / (1 + sp.exp(u)) ** (n - 1)
    return None


def _one_minus_sigmoid(expr: Any) -> sp.Expr | None:
    """c − c·σ(u) ↦ c·σ(−u) (identity 10): 1 − σ(u) is 0 in floating point from u ≈ 37 on
    (float64), σ(−u) keeps its relative precision."""
    if not isinstance(expr, sp.Add):
        return None
    terms = list(expr.args)
    for term in terms:
        coefficient, rest = term.as_coeff_Mul()
        if isinstance(rest, sigmoid) and coefficient < 0 and -coefficient in terms:
            others = [t for t in terms if t is not term]
            others.remove(-coefficient)
            return sp.Add(*others) - coefficient * sigmoid(-rest.args[0])
    return None


def _exp_term(term: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """term as (c, u) with term = c·e^u and c free of exponentials, or None."""
    factors = list(sp.Mul.make_args(term))
    exps = [f for f in factors if isinstance(f, sp.exp)]
    if len(exps) != 1:
        return None
    factors.remove(exps[0])
    coefficient = sp.Mul(*factors)
    if coefficient.has(sp.exp):
        return None
    return coefficient, exps[0].args[0]


def _hyperbolic(expr: Any) -> sp.Expr | None:
    """c·e^u + c·e^(−u) ↦ 2c·cosh(u), c·e^u − c·e^(−u) ↦ 2c·sinh(u) (identities 11, 12)."""
    if not isinstance(expr, sp.Add):
        return None
    terms = list(expr.args)
    parts = [_exp_term(t) for t in terms]
    for i, first in enumerate(parts):
        for j in range(i + 1, len(terms)):
            second = parts[j]
            if first is None or second is None or sp.expand(first[1] + second[1]) != 0:
                continue
            (c, u), (d, _v) = first, second
            if sp.expand(c - d) == 0:
                combined = 2 * c * sp.cosh(u)
            elif sp.expand(c + d) == 0:
                combined = 2 * c * sp.sinh(u)
            else:
                continue
            others = [t for k, t in enumerate(terms) if k not in (i, j)]
            return sp.Add(*others, combined)
    return None


def _tanh(expr: Any) -> sp.Expr | None:
    """sinh(u)ᵏ/cosh(u)ᵏ ↦ tanh(u)ᵏ (identity 13): each of sinh and cosh overflows from
    |u| ≈ 710 (float64), their ratio does not."""
    if not isinstance(expr, sp.Mul):
        return None
    powers = [f.as_base_exp() for f in expr.args]
    for base, exponent in powers:
        if isinstance(base, sp.sinh) and (sp.cosh(base.args[0]), -exponent) in powers:
            others = [b**e for b, e in powers
                      if (b, e) not in ((base, exponent), (sp.cosh(base.args[0]), -exponent))]
            return sp.Mul(*others) * sp.tanh(base.args[0]) ** exponent
    return None


def stable_log_cosh(u: sp.Expr) -> sp.Expr:
    """log cosh(u) as the code computes it: |u| + log1p(e^(−2|u|)) − log 2 (identity 14)."""
    return sp.Abs(u) + sp.log(1 + sp.exp(-2 * sp.Abs(u))) - sp.log(2)


def _log_cosh(expr: Any) -> sp.Expr | None:
    """log(c·cosh(u)) ↦ log c + |u| + log1p(e^(−2|u|)) − log 2 (identity 14), for a number
    c > 0: cosh overflows from |u| ≈ 710 (float64), 89 (float32)."""
    if not isinstance(expr, sp.log):
        return None
    coefficient, rest = expr.args[0].as_coeff_Mul()
    if isinstance(rest, sp.cosh) and coefficient > 0:
        return sp.log(coefficient) + stable_log_cosh(rest.args[0])
    return None


def _positive(expr: sp.Expr, domains: Mapping[sp.Symbol, Domain]) -> bool:
    """Whether SymPy can tell that ``expr`` > 0 inside the domains: each symbol of an interval
    is written as a positive w mapped into it (lo + (hi − lo)·w/(1 + w), lo + w, hi − w), so
    1 − p with p ∈ (0, 1) becomes 1/(1 + w). A sufficient test: False when it cannot tell."""
    if expr.is_positive:
        return True
    inside: dict[sp.Symbol, sp.Expr] = {}
    for symbol, domain in domains.items():
        if not isinstance(domain, Interval) or (math.isinf(domain.low)
                                                and math.isinf(domain.high)):
            continue
        w = sp.Dummy("w", positive=True)
        if math.isinf(domain.high):
            inside[symbol] = sp.Rational(domain.low) + w
        elif math.isinf(domain.low):
            inside[symbol] = sp.Rational(domain.high) - w
        else:
            low, high = sp.Rational(domain.low), sp.Rational(domain.high)
            inside[symbol] = low + (high - low) * w / (1 + w)
    return bool(sp.together(expr.xreplace(inside)).is_positive)


def _log_of_quotient(domains: Mapping[sp.Symbol, Domain]) -> Callable[[Any], sp.Expr | None]:
    """log(a/b) ↦ log a − log b (identity 15) where the domains make every factor positive:
    a/b overflows for a tiny b (a subnormal q in p/q) where log b does not, and log(1 − q) is
    computed as log1p(−q), which keeps a tiny q that 1 − q rounds away."""
    def rewrite(expr: Any) -> sp.Expr | None:
        if not isinstance(expr, sp.log) or not isinstance(expr.args[0], sp.Mul):
            return None
        powers = [f.as_base_exp() for f in expr.args[0].args]
        if not any(e.is_negative for _b, e in powers) or not all(
                e.is_real and _positive(b, domains) for b, e in powers):
            return None
        return sp.Add(*(e * sp.log(b) for b, e in powers))
    return rewrite


def _distributed_power(expr: Any) -> sp.Expr | None:
    """a·(b·aᵏ + c) ↦ b·aᵏ⁺¹ + a·c for a symbolic k: aᵏ with k < 0 is inf where a underflows
    to 0, and a·aᵏ = aᵏ⁺¹ is 0 there (σ(−z)·σ(−z)^(γ−1) in the focal loss's gradient)."""
    if not isinstance(expr, sp.Mul):
        return None
    factors = list(expr.args)
    for total in factors:
        if not isinstance(total, sp.Add):
            continue
        for factor in factors:
            if factor is total or factor.is_number:
                continue
            base = factor.as_base_exp()[0]
            if any(isinstance(node, sp.Pow) and node.base == base and not node.exp.is_number
                   for node in sp.preorder_traversal(total)):
                others = [f for f in factors if f is not total and f is not factor]
                return sp.Mul(*others) * sp.Add(*(sp.powsimp(factor * t) for t in total.args))
    return None


@lru_cache(maxsize=4)
def expression_identities(budget: float = 5.0) -> tuple[Identity, ...]:
    """(1)–(6) of :func:`derive.emit.codegen.stable_identities` and those a user's loss also
    needs, each proved: (7) log(1 + e^z) = softplus(z), (8) 1/(1 + e^z) = σ(−z),
    (9) e^z/(1 + e^z) = σ(z), (10) 1 − σ(z) = σ(−z), (11) e^z + e^(−z) = 2·cosh(z),
    (12) e^z − e^(−z) = 2·sinh(z), (13) sinh(z)/cosh(z) = tanh(z), (14) log cosh(z) =
    |z| + log1p(e^(−2|z|)) − log 2 (on z = t ≥ 0 and on z = −t < 0, by the exponentials of
    both sides: both are real, and eˣ is one to one), (15) log(a/b) = log a − log b for a, b > 0.
    """
    z = make_symbol("z", REAL)
    nonnegative = Interval(0.0, float("inf"), low_open=False)
    t, s = make_symbol("t", nonnegative), make_symbol("t", POSITIVE)
    a, b = make_symbol("a", POSITIVE), make_symbol("b", POSITIVE)
    log_cosh = "log(cosh(z)) = |z| + log1p(e^(−2|z|)) − log 2"
    claims: list[tuple[int, str, sp.Expr, sp.Expr, dict[sp.Symbol, Domain], str, bool]] = [
        (7, "", sp.log(1 + sp.exp(z)), softplus(z), {z: REAL}, "", False),
        (8, "", 1 / (1 + sp.exp(z)), sigmoid(-z), {z: REAL}, "", False),
        (9, "", sp.exp(z) / (1 + sp.exp(z)), sigmoid(z), {z: REAL}, "", False),
        (10, "", 1 - sigmoid(z), sigmoid(-z), {z: REAL}, "", False),
        (11, "", sp.exp(z) + sp.exp(-z), 2 * sp.cosh(z), {z: REAL}, "", False),
        (12, "", sp.exp(z) - sp.exp(-z), 2 * sp.sinh(z), {z: REAL}, "", False),
        (13, "", sp.sinh(z) / sp.cosh(z), sp.tanh(z), {z: REAL}, "", False),
        (14, log_cosh, sp.log(sp.cosh(t)), stable_log_cosh(t), {t: nonnegative},
         "z = t ≥ 0, e^ of both sides", True),
        (14, log_cosh, sp.log(sp.cosh(-s)), stable_log_cosh(-s), {s: POSITIVE},
         "z = −t < 0, e^ of both sides", True),
        (15, "log(a/b) = log(a) − log(b) for a, b > 0", sp.log(a / b), sp.log(a) - sp.log(b),
         {a: POSITIVE, b: POSITIVE}, "", False),
    ]
    found = list(stable_identities(budget))
    for number, statement, lhs, rhs, domains, case, exponentiated in claims:
        shown = statement or f"{_shown(lhs)} = {_shown(rhs)}"
        left, right = (sp.exp(lhs), sp.exp(rhs)) if exponentiated else (lhs, rhs)
        outcome = compare(left, right, domains, budget=budget)
        identity = Identity(number, shown, lhs, rhs, outcome, case)
        if not identity.proved:
            raise VerificationError(f"the stable form ({number}) {identity.statement} was not "
                                    f"proved: {identity.evidence()}")
        found.append(identity)
    return tuple(found)


def _softplus_count(expr: sp.Expr) -> int:
    return sum(1 for node in sp.preorder_traversal(expr) if isinstance(node, softplus))


_Step = tuple[str, Callable[[Any], sp.Expr | None], bool]


def _stable_steps(domains: Mapping[sp.Symbol, Domain]) -> list[_Step]:
    """The stable rewrites in the order they are tried, each with the rule it cites; ``True``:
    expand afterwards and keep the rewrite only when it leaves fewer softplus terms."""
    return [
        ("identities (11), (12)", _hyperbolic, False),
        ("identity (13)", _tanh, False),
        ("identity (9)", _sigmoid_of_exp_ratio, False),
        ("identity (7)", _log_one_plus_exp, False),
        ("identity (8)", _reciprocal_of_one_plus_exp, False),
        ("identity (14)", _log_cosh, False),
        ("identity (15)", _log_of_quotient(domains), False),
        ("identities (1), (2)", _log_of_sigmoid, False),
        ("identity (10)", _one_minus_sigmoid, False),
        ("a·aᵏ = aᵏ⁺¹", _distributed_power, False),
        ("identities (3), (4)", _softplus_of_negative, True),
    ]


def stable_form(expr: sp.Expr, domains: Mapping[sp.Symbol, Domain], *, budget: float = 5.0
                ) -> tuple[sp.Expr, tuple[Rewrite, ...]]:
    """``expr`` in a form with no log of a sigmoid, no 1 + e^u, no 1 − σ(u), no cosh or
    sinh of a sum of exponentials, and the proved steps to it.

    softplus(−u) ↦ softplus(u) − u (with the products expanded) is kept only when it leaves
    fewer softplus terms: that is what turns BCE of a logit into softplus(z) − y·z."""
    current = expr
    rewrites: list[Rewrite] = []
    for rule, function, expand in _stable_steps(domains):
        after = _replace_all(current, function)
        if expand:
            after = sp.expand(after)
            if _softplus_count(after) >= _softplus_count(current):
                continue
        if after == current:
            continue
        outcome = compare(current, after, domains, budget=budget)
        if not verdict_of(outcome).holds:
            raise VerificationError(
                f"rewriting by {rule} was not confirmed: {_shown(current)} = {_shown(after)}: "
                f"{verdict_word(outcome)} {evidence_of(outcome)}")
        rewrites.append(Rewrite(rule, current, after, outcome))
        current = after
    return current, tuple(rewrites)


# ---------------------------------------------------------------------------------------------
# the generated module


@dataclass(frozen=True)
class ExprArgument:
    """An argument of the generated functions: the symbol, its Python name, its domain, and
    whether the gradient is taken with respect to it."""

    symbol: sp.Symbol
    name: str
    domain: Domain
    wrt: bool


@dataclass(frozen=True)
class GeneratedExpr:
    """A module generated from a user's expression, and everything it came from."""

    latex: str
    expr: sp.Expr
    output: str
    source: str
    arguments: tuple[ExprArgument, ...]
    derivations: Mapping[str, Derivation]
    computed: Mapping[str, sp.Expr]
    """What the code computes: the loss under ``output`` and each gradient under its
    variable's name, in their stable forms."""
    rewrites: Mapping[str, tuple[Rewrite, ...]]
    identities: tuple[Identity, ...]
    command: str

    @property
    def wrt(self) -> tuple[ExprArgument, ...]:
        return tuple(a for a in self.arguments if a.wrt)


@dataclass(frozen=True)
class _Line:
    target: str
    code: str
    comment: str
    reads: frozenset[str]


class _ScalarPrinter(_Printer):
    """The codegen printer with the scalar functions a user's expression may also hold."""

    def _print_Symbol(self, expr: sp.Symbol) -> _Code:
        raise UnsupportedExpression(f"no argument is called {expr.name}")


def _trivial(node: sp.Basic) -> bool:
    """Not worth a line of its own: a symbol, a number, or a number times a symbol."""
    if node.is_Atom:
        return True
    return (isinstance(node, sp.Mul) and len(node.args) == 2 and node.args[0].is_Number
            and node.args[1].is_Atom)


def _shared(expressions: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Subexpressions worth a line of their own, inner first: those used more than once and
    the non-trivial arguments of σ and softplus (each printed several times)."""
    counts: Counter[sp.Basic] = Counter()
    order: list[sp.Basic] = []
    forced: set[sp.Basic] = set()

    def visit(node: sp.Basic) -> None:
        if isinstance(node, ExprCondPair):  # a case and its condition: not a value
            for child in node.args:
                visit(child)
            return
        if _trivial(node):
            return
        counts[node] += 1
        if counts[node] > 1:
            return
        if isinstance(node, sigmoid | softplus) and not _trivial(node.args[0]):
            forced.add(node.args[0])
        for child in node.args:
            visit(child)
        order.append(node)

    for expression in expressions:
        visit(expression)
    return [n for n in order if counts[n] > 1 or n in forced]


class _Builder:
    """The lines of the module's functions, each with the step it comes from."""

    def __init__(self, names: Mapping[sp.Symbol, str], taken: set[str]) -> None:
        self.names: dict[sp.Basic, str] = dict(names)
        self.taken = set(taken)
        self.lines: list[_Line] = []
        self.exps: dict[sp.Expr, str] = {}

    def fresh(self, base: str) -> str:
        name, number = base, 1
        while name in self.taken or keyword.iskeyword(name):
            number += 1
            name = f"{base}_{number}"
        self.taken.add(name)
        return name

    def printer(self, reads: set[str]) -> _ScalarPrinter:
        return _ScalarPrinter(self.names, self._exp_name, reads)

    def _exp_name(self, argument: sp.Expr) -> str:
        """The variable holding e^(−|u|), its line added the first time it is needed; u and
        −u share it (|−u| = |u|: σ(−z) and softplus(−z) use the e of z)."""
        for known in (argument, -argument):
            if known in self.exps:
                return self.exps[known]
        if argument.could_extract_minus_sign():
            argument = -argument
        reads: set[str] = set()
        inner = self.printer(reads).code(argument)
        name = self.fresh(f"e_{inner.text}" if inner.text.isidentifier() else "e")
        shown = _shown(argument)
        self.lines.append(_Line(
            name, f"np.exp(-np.abs({inner.text}))",
            f"e = e^(−|{shown}|): the one exp per element, shared by σ({shown}) and "
            f"softplus({shown})   (identities (5), (6))", frozenset(reads)))
        self.exps[argument] = name
        return name

    def add(self, target: str, value: sp.Expr, comment: str) -> None:
        reads: set[str] = set()
        code = self.printer(reads).code(value)
        self.lines.append(_Line(target, code.text, comment, frozenset(reads)))
        self.names[value] = target


def _identities_text(rewrites: Sequence[Rewrite]) -> str:
    """identities (1), (2), (3), (4) for the steps that cite them (and any algebra by name)."""
    numbers = sorted({int(n) for r in rewrites for n in re.findall(r"\((\d+)\)", r.rule)})
    algebra = [r.rule for r in rewrites if not re.search(r"\(\d+\)", r.rule)]
    cited = [f"{'identity' if len(numbers) == 1 else 'identities'} "
             + ", ".join(f"({n})" for n in numbers)] if numbers else []
    return "; ".join([*cited, *dict.fromkeys(algebra)])


def _rules_text(derivation: Derivation) -> str:
    """The rules of a derivation's lines, in order: sum → constant multiple → chain → ..."""
    rules = [", ".join(line.rules) for line in derivation.lines if line.rules]
    verdicts = [verdict_word(getattr(s, "check", None)) for s in derivation.all_steps()]
    counted = ", ".join(f"{verdicts.count(v)} {v}" for v in sorted(set(verdicts)))
    steps = "1 step" if len(verdicts) == 1 else f"{len(verdicts)} steps"
    return f"{' → '.join(rules)}; {steps}, {counted}"


def _statement(head: str, code: str, indent: str = "    ") -> list[str]:
    """``head code`` (``target =`` or ``return``), broken inside brackets at spaces when
    longer than 99 characters."""
    line = f"{indent}{head} {code}"
    if len(line) <= 99:
        return [line]
    out = [f"{indent}{head} ("]
    current = ""
    for word in code.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(indent) + 4 + len(candidate) > 99 and current:
            out.append(f"{indent}    {current}")
            current = word
        else:
            current = candidate
    out += [f"{indent}    {current}", f"{indent})"]
    return out


def _command(latex: str, wrt: Sequence[str], domains: Mapping[str, str | Domain]) -> str:
    flat = " ".join(latex.split())
    parts = ["derive codegen --expr", f"'{flat}'", *(f"--wrt {w}" for w in wrt)]
    parts += [f"--domain '{n}={d if isinstance(d, str) else d.describe()}'"
              for n, d in domains.items()]
    return " ".join(parts)


def _output_name(symbols: set[str]) -> str:
    return next(n for n in ("f", "ell", "L", "J", "loss_value") if n not in symbols)


def _bound(function: Callable[..., T], *args: Any, **kwargs: Any) -> Callable[[], T]:
    """``function`` with its arguments bound now (a loop's lambda would see the last ones)."""
    return lambda: function(*args, **kwargs)


def generate_expr(latex: str, wrt: Sequence[str], domains: Mapping[str, str | Domain] | None
                  = None, *, budget: float = DEFAULT_BUDGET) -> GeneratedExpr:
    """Generate the NumPy module of a scalar expression (not yet checked).

    Each stage (a gradient's derivation, the stable rewrites) runs under ``budget`` seconds
    (``BudgetExceeded`` when it runs out)."""
    domains = dict(domains or {})
    expr, symbol_domains = read_expression(latex, domains)
    names = python_names(sorted(expr.free_symbols, key=lambda s: s.name))
    by_name = {**{s.name: s for s in names}, **{n: s for s, n in names.items()}}
    chosen: list[sp.Symbol] = []
    for name in wrt:
        symbol = by_name.get(name)
        if symbol is None:
            raise UnknownVariableError(
                f"--wrt {name}: the expression has no variable {name!r}; its variables are "
                + ", ".join(sorted(s.name for s in names)))
        if isinstance(symbol_domains[symbol], Discrete):
            raise UnknownVariableError(
                f"--wrt {name}: {name} takes the values {symbol_domains[symbol].describe()} "
                "(its --domain), so it has no derivative")
        if symbol.name.endswith("_i"):
            raise UnknownVariableError(
                f"--wrt {name}: a name ending in _i is read as an entry of a batch; rename it")
        if symbol not in chosen:
            chosen.append(symbol)
    if not chosen:
        raise UnknownVariableError("give at least one --wrt VARIABLE")
    output = _output_name({s.name for s in names} | set(names.values()))
    model = expression_model(expr, tuple(s.name for s in chosen),
                             {s.name: symbol_domains[s] for s in names}, output=output)
    step_budget = min(budget, 2.0)
    derivations: dict[str, Derivation] = {}
    for symbol in chosen:
        derivation = run_with_budget(
            _bound(scalar_derivation, model, symbol.name, check=True, budget=step_budget), budget)
        if derivation.unverified():
            raise VerificationError(
                f"the derivation of ∂{output}/∂{symbol.name} has a step that failed its check; "
                "no code is generated from it")
        derivations[names[symbol]] = derivation
    identities = run_with_budget(lambda: expression_identities(min(budget, 5.0)), budget)
    computed: dict[str, sp.Expr] = {}
    rewrites: dict[str, tuple[Rewrite, ...]] = {}
    for label, value in [(output, expr), *((n, d.result) for n, d in derivations.items())]:
        computed[label], rewrites[label] = run_with_budget(
            _bound(stable_form, value, symbol_domains, budget=step_budget), budget)
    wrt_set = set(chosen)
    inputs = sorted((s for s in names if s not in wrt_set), key=lambda s: s.name)
    arguments = tuple(ExprArgument(s, names[s], symbol_domains[s], s in wrt_set)
                      for s in [*inputs, *chosen])
    command = _command(latex, [names[s] for s in chosen], domains)
    source = _source(latex, expr, output, arguments, derivations, computed, rewrites,
                     identities, command)
    return GeneratedExpr(latex, expr, output, source, arguments, derivations, computed,
                         rewrites, identities, command)


def _source(latex: str, expr: sp.Expr, output: str, arguments: Sequence[ExprArgument],
            derivations: Mapping[str, Derivation], computed: Mapping[str, sp.Expr],
            rewrites: Mapping[str, tuple[Rewrite, ...]], identities: Sequence[Identity],
            command: str) -> str:
    names = {a.symbol: a.name for a in arguments}
    builder = _Builder(names, {*names.values(), "dtype_", "shape_"})
    gradient_targets = {v: builder.fresh(f"d{output}_d{v}") for v in derivations}
    loss_target = builder.fresh(output)
    labels = {output: f"{output}", **{v: f"∂{output}/∂{_shown(v)}" for v in derivations}}
    everything = [computed[output], *(computed[v] for v in derivations)]
    for number, node in enumerate(_shared(everything), start=1):
        users = [labels[k] for k, e in computed.items() if e.has(node)]
        if isinstance(node, sigmoid):
            base = f"sigma_{builder.names.get(node.args[0], number)}"
            why = (f"σ({_shown(node.args[0])}) = where(u ≥ 0, 1, e)/(1 + e), u = "
                   f"{_shown(node.args[0])}   (single-exp form, identity (6))")
        else:
            base = f"t{number}"
            why = _shown(node)
        builder.add(builder.fresh(base), node, f"{why}   (used by {', '.join(users)})")
    loss_comment = f"{output} = {_shown(expr)}   (the expression)"
    if rewrites[output]:
        rules = _identities_text(rewrites[output])
        loss_comment = (f"{output} = {_shown(expr)} = {_shown(computed[output])}   (stable "
                        f"form: {rules}; {verdict_word(rewrites[output][-1].outcome)})")
    builder.add(loss_target, computed[output], loss_comment)
    for variable, derivation in derivations.items():
        shown = f"∂{output}/∂{_shown(variable)} = {_shown(derivation.result)}"
        if rewrites[variable]:
            shown += (f" = {_shown(computed[variable])}   (stable form: "
                      f"{_identities_text(rewrites[variable])})")
        builder.add(gradient_targets[variable], computed[variable],
                    f"{shown}   (derivation: {_rules_text(derivation)})")
    signature = ", ".join(a.name for a in arguments)
    grads = ["{", *(f'    "{v}": _result({t}, dtype_, shape_),'
                    for v, t in gradient_targets.items()), "}"]
    loss_result = f"_result({loss_target}, dtype_, shape_)"
    functions = [
        ("loss", [loss_target], f"{output} at every element: an array of the broadcast shape "
         "(a NumPy scalar for scalars).", [loss_result]),
        ("grad", list(gradient_targets.values()), f"{{name: ∂{output}/∂name}} at every "
         "element, each of the broadcast shape.", grads),
        ("loss_and_grad", [loss_target, *gradient_targets.values()],
         "(loss, grad) in one pass: shared subexpressions are computed once for both.",
         [f"{loss_result}, {grads[0]}", *grads[1:]]),
    ]
    docstring = _docstring(latex, expr, output, arguments, derivations, computed, rewrites,
                           identities, command)
    cases = any(e.has(sp.Piecewise) for e in computed.values())
    out = ['r"""' + docstring[0], *docstring[1:], '"""', "", "import numpy as np", "",
           "_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))", "", ""]
    for name, targets, doc, returned in functions:
        needed = set(targets)
        for line in reversed(builder.lines):
            if line.target in needed:
                needed |= line.reads
        out += [f"def {name}({signature}):", f'    """{doc}"""',
                "    # the arguments as numbers or arrays of one float dtype, and their "
                "broadcast shape",
                *_statement(f"({signature}{',' if len(arguments) == 1 else ''}), dtype_, "
                            "shape_ =", f"_prepared({signature})")]
        indent = "    "
        if cases:
            indent = "        "
            out += ["    # every case is computed at every element (np.where keeps the one whose",
                    "    # condition holds): a case outside its condition may not be a number",
                    '    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):']
        for line in builder.lines:
            if line.target in needed:
                out += _wrapped_comment(line.comment, indent)
                out += _statement(f"{line.target} =", line.code, indent)
        out += [f"    return {returned[0]}", *(f"    {piece}" for piece in returned[1:])]
        out += ["", ""]
    out += _helpers(arguments)
    return "\n".join(out).rstrip() + "\n"


def _helpers(arguments: Sequence[ExprArgument]) -> list[str]:
    names = ", ".join(f'"{a.name}"' for a in arguments)
    return [
        f"_NAMES = ({names}{',' if len(arguments) == 1 else ''})",
        "",
        "",
        "def _prepared(*values):",
        '    """The arguments in one float dtype: float32 or float64 arrays decide it (float32',
        "    stays float32), Python numbers and bool or integer arrays take it (float64 when",
        '    nothing decides); and the shape they broadcast to."""',
        "    floats = {}",
        "    for name, value in zip(_NAMES, values, strict=True):",
        "        if type(value) in (bool, int, float):",
        "            continue",
        "        kind = np.asarray(value).dtype",
        '        if kind.kind in "biu":',
        "            continue",
        "        if kind not in _FLOATS:",
        '            raise TypeError(f"{name} must be a number or a float32 or float64 array; "',
        '                            f"got dtype {kind}")',
        "        floats.setdefault(kind, name)",
        "    if len(floats) > 1:",
        "        (wide, first), (narrow, second) = sorted(floats.items(), reverse=True)",
        '        raise TypeError(f"{first} has dtype {wide} but {second} has dtype {narrow}; "',
        '                        "pass arrays of one dtype")',
        "    dtype = next(iter(floats), np.dtype(np.float64))",
        "    prepared = [np.asarray(value, dtype)[()] for value in values]",
        "    try:",
        "        shape = np.broadcast_shapes(*(np.shape(value) for value in prepared))",
        "    except ValueError:",
        '        shapes = ", ".join(f"{n} {np.shape(v)}" for n, v in zip(_NAMES, prepared,',
        "                                                              strict=True))",
        '        raise ValueError(f"the arguments do not broadcast together: {shapes}") from None',
        "    return prepared, dtype, shape",
        "",
        "",
        "def _result(value, dtype, shape):",
        '    """value as dtype in the broadcast shape (a constant is repeated; a NumPy scalar',
        '    for shape ())."""',
        "    value = np.asarray(value, dtype)",
        "    if value.shape != shape:",
        "        value = np.broadcast_to(value, shape).copy()",
        "    return value[()]",
    ]


def _docstring(latex: str, expr: sp.Expr, output: str, arguments: Sequence[ExprArgument],
               derivations: Mapping[str, Derivation], computed: Mapping[str, sp.Expr],
               rewrites: Mapping[str, tuple[Rewrite, ...]], identities: Sequence[Identity],
               command: str) -> list[str]:
    signature = ", ".join(a.name for a in arguments)
    grads = ", ".join(f'"{v}": ∂{output}/∂{_shown(v)}' for v in derivations)
    shown_command = _fit(f"    {command}", 95)
    if '"' in command or command.endswith("\\") or max(map(len, shown_command)) > 99:
        shown_command = ["    derive codegen --expr LATEX (too long to quote here, or with a "
                         "quote: see the expression below)"]
    out = ["NumPy code generated by derive codegen from your loss:", *shown_command, "",
           f"    {output} = {_shown(expr)}", "",
           f"    loss({signature})  ->  {output}",
           f"    grad({signature})  ->  {{{grads}}}",
           f"    loss_and_grad({signature})  ->  (loss, grad)", "",
           "Elementwise: each argument is a number or an array, and they broadcast together;",
           "loss and every gradient have the broadcast shape (the value at each element, not a",
           "sum: for a parameter shared by all elements, sum its gradient yourself). float32 in,",
           "float32 out; Python numbers and bool or integer arrays take the floats' dtype;",
           "float32 and float64 arrays together raise TypeError.", "",
           "Arguments (the inputs by name, then the variables of the gradient in --wrt order):"]
    for argument in arguments:
        role = "gradient taken" if argument.wrt else "input"
        shown = _shown(argument.symbol)
        origin = "" if shown == argument.name else f" ({shown})"
        out.append(f"    {argument.name}{origin}: {argument.domain.describe()}, {role}")
    out += ["", "Derivations (every step checked independently):"]
    for variable, derivation in derivations.items():
        out.append(f"    ∂{output}/∂{_shown(variable)}:")
        for number, line in enumerate(derivation.lines):
            lead = "      " + ("= " if number else "  ")
            rules = ", ".join(line.rules) or "evaluate"
            verdict = f"; {verdict_word(line.check)}" if line.check is not None else ""
            out.append(f"{lead}{_shown(line.expression)}   ({rules}{verdict})")
        out.append(f"      result: {_shown(derivation.result)}   ({_rules_text(derivation)})")
    used = any(rewrites.values()) or any(
        computed[k].atoms(sigmoid, softplus) for k in computed)
    if used:
        out += ["", "Numerically stable forms (each rewrite proved by "
                    "derive.decide.equivalence.compare):"]
        for label, steps in rewrites.items():
            if not steps:
                continue
            name = output if label == output else f"∂{output}/∂{_shown(label)}"
            out.append(f"    {name} = {_shown(steps[0].before)}")
            for rewrite in steps:
                out.append(f"      = {_shown(rewrite.after)}   ({rewrite.rule}; "
                           f"{verdict_word(rewrite.outcome)})")
        out.append("  softplus(u) is computed as max(u, 0) + log1p(e) and σ(u) as")
        out.append("  where(u ≥ 0, 1, e)/(1 + e), with e = e^(−|u|) once per argument u.")
        out += identity_lines(identities)
    if any(e.has(sp.Piecewise) for e in (expr, *computed.values())):
        out += ["", "Cases are computed with np.where: every case at every element, and the first",
                "case whose condition holds is kept. A gradient is taken case by case (the rule",
                "cases), so on a boundary between cases it is the gradient of the case chosen",
                "there, where the function may have none."]
    out += ["", "Checked before it was written, at random points of the declared domains: the",
            "gradient against central finite differences of the loss (relative error ≤ "
            f"{FINITE_DIFFERENCE_TOLERANCE:g}),",
            "loss and gradient against SymPy's own derivative of the expression, evaluated with",
            f"30 digits (relative error ≤ {SYMBOLIC_TOLERANCE:g}), float32 kept float32.",
            "Generated code: change the expression and regenerate rather than edit this file."]
    return [piece.replace('"""', "'''") for line in out for piece in _fit(line)]


# ---------------------------------------------------------------------------------------------
# the check before writing


class _Failed(Exception):
    """A check found a difference (becomes a CheckReport)."""


def _sample_points(arguments: Sequence[ExprArgument], count: int, seed: int
                   ) -> list[dict[sp.Symbol, float]]:
    rng = random.Random(seed)
    return [{a.symbol: float(a.domain.sample(rng)) for a in arguments} for _ in range(count)]


def _exact(value: float) -> sp.Float:
    return sp.Float(value, 40)


def _value(expr: sp.Expr, point: Mapping[sp.Symbol, float]) -> float | None:
    """expr at the point with 30 digits; None where it is not a finite real number or is
    beyond float64's range (10³⁰⁰)."""
    result = expr.xreplace({s: _exact(v) for s, v in point.items()}).evalf(30)
    if not result.is_number or result.has(sp.I, sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    try:
        number = float(result)
    except TypeError:
        return None
    return number if math.isfinite(number) and abs(number) < _LARGEST[np.dtype(np.float64)] \
        else None


def _where(arguments: Sequence[ExprArgument], point: Mapping[sp.Symbol, float]) -> str:
    return ", ".join(f"{a.name} = {point[a.symbol]:.10g}" for a in arguments)


def _truths(generated: GeneratedExpr, points: Sequence[dict[sp.Symbol, float]]
            ) -> tuple[list[dict[sp.Symbol, float]], list[dict[str, float]]]:
    """The points where the expression and SymPy's derivatives are finite and real, and
    those values there (the independent route: ``sp.diff`` of the expression as read)."""
    derivatives = {a.name: sp.diff(generated.expr, a.symbol) for a in generated.wrt}
    kept, values = [], []
    for point in points:
        found: dict[str, float] = {}
        loss = _value(generated.expr, point)
        if loss is None:
            continue
        found[generated.output] = loss
        for name, derivative in derivatives.items():
            value = _value(derivative, point)
            if value is None:
                break
            found[name] = value
        else:
            kept.append(point)
            values.append(found)
    return kept, values


def _arrays(arguments: Sequence[ExprArgument], points: Sequence[Mapping[sp.Symbol, float]],
            dtype: Any = np.float64) -> list[np.ndarray]:
    return [np.array([p[a.symbol] for p in points], dtype=dtype) for a in arguments]


def _scale(point: Mapping[sp.Symbol, float]) -> float:
    """The size of a point's values: a difference far below it is rounding (σ(47) − 1 is
    −3·10⁻²¹, and σ(47) rounds to 1)."""
    return max([1.0, *(abs(v) for v in point.values())])


def _compare_symbolic(module: types.ModuleType, generated: GeneratedExpr,
                      points: Sequence[dict[sp.Symbol, float]],
                      truths: Sequence[Mapping[str, float]]) -> float:
    arguments = generated.arguments
    loss, grads = module.loss_and_grad(*_arrays(arguments, points))
    produced = {generated.output: np.asarray(loss), **{k: np.asarray(v)
                                                       for k, v in grads.items()}}
    floors = {name: max(1e-3 * max(abs(t[name]) for t in truths), 1e-300)
              for name in truths[0]}
    worst = 0.0
    for index, (point, truth) in enumerate(zip(points, truths, strict=True)):
        scale = max(_scale(point), abs(truth[generated.output]))
        for name, expected in truth.items():
            got = float(produced[name][index])
            error = abs(got - expected)
            allowed = SYMBOLIC_TOLERANCE * max(abs(got), abs(expected)) + ABSOLUTE_FLOOR * scale
            if not error <= allowed:
                label = name if name == generated.output else f"∂{generated.output}/∂{name}"
                raise _Failed(
                    f"{label} at {_where(arguments, point)}: the module gives {got:.15g}, "
                    f"SymPy's derivative of the expression gives {expected:.15g}")
            worst = max(worst, error / max(abs(expected), floors[name]))
    return worst


def _compare_finite_differences(module: types.ModuleType, generated: GeneratedExpr,
                                points: Sequence[dict[sp.Symbol, float]]) -> float:
    arguments = generated.arguments
    base = _arrays(arguments, points)
    grads = module.grad(*base)
    worst = 0.0
    for position, argument in enumerate(arguments):
        if not argument.wrt:
            continue
        step = 1e-6 * np.maximum(1.0, np.abs(base[position]))
        shifted = []
        for sign in (1.0, -1.0):
            moved = list(base)
            moved[position] = base[position] + sign * step
            shifted.append(np.asarray(module.loss(*moved), dtype=np.float64))
        estimate = (shifted[0] - shifted[1]) / (2 * step)
        claimed = np.asarray(grads[argument.name], dtype=np.float64)
        rounding = 50 * np.finfo(np.float64).eps * np.maximum(
            np.abs(shifted[0]), np.abs(shifted[1])) / step
        floor = max(1e-3 * float(np.max(np.abs(claimed))), 1e-300)
        for index, point in enumerate(points):
            error = abs(claimed[index] - estimate[index])
            allowed = (FINITE_DIFFERENCE_TOLERANCE * max(abs(claimed[index]),
                                                         abs(estimate[index]))
                       + rounding[index] + ABSOLUTE_FLOOR * _scale(point))
            if not error <= allowed:
                raise _Failed(
                    f"∂{generated.output}/∂{argument.name} at {_where(arguments, point)}: the "
                    f"module gives {claimed[index]:.10g}, central finite differences of its "
                    f"loss give {estimate[index]:.10g}")
            worst = max(worst, float(error / max(abs(claimed[index]), floor)))
    return worst


def _float32_kept(module: types.ModuleType, generated: GeneratedExpr,
                  points: Sequence[dict[sp.Symbol, float]]) -> None:
    with np.errstate(all="ignore"):  # values beyond float32's range are inf there
        loss, grads = module.loss_and_grad(*_arrays(generated.arguments, points, np.float32))
    for name, value in {generated.output: loss, **grads}.items():
        if np.asarray(value).dtype != np.float32:
            raise _Failed(f"{name} is {np.asarray(value).dtype} for float32 arguments")


def _extreme_values(domain: Domain) -> tuple[tuple[float, str], ...]:
    """The values put into a variable of this domain, each with how it is said: ±40 and ±800
    on the real line; near the ends of an interval (10⁻³⁰ and 10⁻⁹ inside a finite end, the
    end itself when it is closed; 40 and 800 towards an infinite one); none for a finite set,
    whose every value the random points already take."""
    if domain == REAL:
        return tuple((v, f"{v:g}") for v in EXTREMES)
    if not isinstance(domain, Interval):
        return ()
    found: list[tuple[float, str]] = []
    for end, inward, is_open in ((domain.low, 1.0, domain.low_open),
                                 (domain.high, -1.0, domain.high_open)):
        if math.isinf(end):
            found += [(-inward * v, f"{-inward * v:g}") for v in (40.0, 800.0)]
            continue
        scale = max(1.0, abs(end))
        found += [] if is_open else [(end, f"{end:g}")]
        for offset in (1e-30, 1e-9):
            value = end + inward * offset * scale
            shown = f"{value:g}" if end == 0 else (
                f"{end:g} {'+' if inward > 0 else '−'} {offset * scale:g}")
            found.append((value, shown))
    distinct = {v: shown for v, shown in reversed(found) if _inside(domain, v)}
    return tuple((v, distinct[v]) for v in dict.fromkeys(v for v, _s in found) if v in distinct)


def _inside(domain: Domain, value: float) -> bool:
    if not isinstance(domain, Interval):
        return True
    above = value > domain.low or (value == domain.low and not domain.low_open)
    below = value < domain.high or (value == domain.high and not domain.high_open)
    return above and below


def _each_value(module: types.ModuleType, generated: GeneratedExpr, arguments: Sequence[Any]
                ) -> dict[str, tuple[float, str]]:
    """Each output's value (the loss and every gradient) at one point, with the
    floating-point error its function raised, if any: loss and grad are run apart, so an
    overflow is blamed on the function it happened in."""
    found: dict[str, tuple[float, str]] = {}
    for function in ("loss", "grad"):
        cause = ""
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                value = getattr(module, function)(*arguments)
        except FloatingPointError as error:
            cause = f" ({error})"
            with np.errstate(all="ignore"):
                value = getattr(module, function)(*arguments)
        values = {generated.output: value} if function == "loss" else value
        for name, number in values.items():
            found[name] = (float(number), cause)
    return found


def _label(generated: GeneratedExpr, name: str) -> str:
    return name if name == generated.output else f"∂{generated.output}/∂{name}"


def _extremes(module: types.ModuleType, generated: GeneratedExpr,
              points: Sequence[dict[sp.Symbol, float]]) -> list[str]:
    """Where the code gives inf or nan though the true value is an ordinary number of the
    dtype: each variable at the extreme values of its domain (:func:`_extreme_values`), the
    others at checked points, in float64 and in float32; the value is blamed on the function
    (loss or a gradient) that gave it, with the floating-point error raised there."""
    derivatives = {a.name: sp.diff(generated.expr, a.symbol) for a in generated.wrt}
    truths = {generated.output: generated.expr, **derivatives}
    for dtype in (np.dtype(np.float64), np.dtype(np.float32)):
        for argument in generated.arguments:
            for extreme, _shown_value in _extreme_values(argument.domain):
                for point in points[:4 if dtype == np.float64 else 2]:
                    cast = {s: float(dtype.type(v)) for s, v in {**point, argument.symbol:
                                                                 extreme}.items()}
                    if not _inside(argument.domain, cast[argument.symbol]):
                        continue
                    produced = _each_value(module, generated,
                                           [dtype.type(cast[a.symbol])
                                            for a in generated.arguments])
                    for name, (value, cause) in produced.items():
                        if math.isfinite(value):
                            continue
                        true = _value(truths[name], cast)
                        if true is not None and abs(true) < _LARGEST[dtype]:
                            where = _where(generated.arguments, cast)
                            return [f"{_label(generated, name)} at {where} ({dtype}) gives "
                                    f"{value}{cause}; the true value is {true:.6g}"]
    return []


def _first_error(module: types.ModuleType, generated: GeneratedExpr,
                 points: Sequence[dict[sp.Symbol, float]], error: FloatingPointError) -> str:
    """Where a floating-point error the check met happens: the first checked point and the
    function (loss or a gradient) that raises it, and the true values there."""
    for point in points:
        produced = _each_value(module, generated, [point[a.symbol] for a in generated.arguments])
        for name, (value, cause) in produced.items():
            if cause:
                expr = generated.expr if name == generated.output else sp.diff(
                    generated.expr, next(a.symbol for a in generated.wrt if a.name == name))
                true = _value(expr, point)
                said = "not a finite real number" if true is None else f"{true:.10g}"
                return (f"{_label(generated, name)} at {_where(generated.arguments, point)}: "
                        f"the module gives {value}{cause}; the true value is {said}")
    return f"the generated module raised FloatingPointError: {error}"


def _extremes_text(domain: Domain) -> str:
    if domain == REAL:
        return "±40, ±800"
    return ", ".join(shown for _v, shown in _extreme_values(domain))


def check_expr(generated: GeneratedExpr, *, seed: int = 0, points: int = 24,
               budget: float = DEFAULT_BUDGET) -> CheckReport:
    """Check a generated module in float64 at random points of the declared domains: its
    gradient against central finite differences of its own loss, its loss and gradient
    against SymPy's derivative of the expression (30 digits); float32 must stay float32.
    Values at ±40 and ±800 that overflow though the true value does not are reported in the
    lines (a note, not a failure)."""
    module = _load_generated(generated.source, "derive_codegen_expr")
    lines: list[str] = []
    try:
        sampled = _sample_points(generated.arguments, points, seed)
        kept, truths = run_with_budget(lambda: _truths(generated, sampled), budget)
        if len(kept) < max(3, points // 4):
            raise _Failed(
                f"the expression is not a finite real number at {points - len(kept)} of "
                f"{points} random points of its domains; declare where its symbols live, "
                "e.g. --domain p='(0,1)' or --domain s=positive")
        with np.errstate(all="raise", under="ignore"):
            worst = _compare_finite_differences(module, generated, kept)
            lines.append(f"finite differences (float64, {len(kept)} random points): largest "
                         f"relative error {worst:.1e} ≤ {FINITE_DIFFERENCE_TOLERANCE:g}")
            symbolic = _compare_symbolic(module, generated, kept, truths)
            lines.append(f"SymPy's derivative of the expression at the same points (30 "
                         f"digits): largest relative error {symbolic:.1e} ≤ "
                         f"{SYMBOLIC_TOLERANCE:g}")
            _float32_kept(module, generated, kept)
            lines.append("float32 in, float32 out")
        problems = run_with_budget(lambda: _extremes(module, generated, kept), budget)
        probed = [f"{a.name} at {_extremes_text(a.domain)}" for a in generated.arguments
                  if _extreme_values(a.domain)]
        if problems:
            lines.append(f"note: not finite at an extreme value: {problems[0]}")
        elif probed:
            lines.append(f"extreme values ({'; '.join(probed)}; float64 and float32): finite "
                         "wherever the true value is")
    except _Failed as failure:
        return CheckReport(False, tuple(lines), str(failure))
    except FloatingPointError as error:
        return CheckReport(False, tuple(lines), _first_error(module, generated, kept, error))
    except BudgetExceeded as error:
        return CheckReport(False, tuple(lines), f"the check ran out of its time budget "
                                                f"({error}); raise --budget")
    except Exception as error:  # the generated code itself failed: report, never write
        return CheckReport(False, tuple(lines),
                           f"the generated module raised {type(error).__name__}: {error}")
    return CheckReport(True, tuple(lines))


# ---------------------------------------------------------------------------------------------
# the command


def codegen_expr_command(latex: str, wrt: Sequence[str], domains: Mapping[str, str],
                         output: str | None, *, check_only: bool, force: bool,
                         budget: float | None = None) -> int:
    """``derive codegen --expr LATEX --wrt V [--wrt W] [--domain N=D] -o FILE``: generate,
    check, write. 0 written (or passed with ``check_only``), 1 a check failed (nothing
    written), 2 unusable input (unreadable LaTeX, not scalar, an unknown variable, a
    function with no rule, an existing file without ``force``)."""
    budget = DEFAULT_BUDGET if budget is None else budget
    if not can_write(output, check_only=check_only, force=force):
        return UNUSABLE
    report_stream = sys.stderr if output is None and not check_only else sys.stdout
    try:
        generated = generate_expr(latex, wrt, domains, budget=budget)
    except (VerificationError, BudgetExceeded) as error:
        reason = (f"ran out of its time budget of {budget:g} s ({error}); raise --budget"
                  if isinstance(error, BudgetExceeded) else str(error))
        print(f"derive codegen --expr: {reason}; nothing written", file=report_stream)
        return WRONG
    except DeriveError as error:
        print(f"derive: {error}", file=sys.stderr)
        return UNUSABLE
    report = check_expr(generated, budget=budget)
    lines = [f"derive codegen --expr: {generated.output} = {_shown(generated.expr)}",
             "  arguments: " + ", ".join(a.name for a in generated.arguments)
             + "   (gradient: " + ", ".join(a.name for a in generated.wrt) + ")"]
    for variable, derivation in generated.derivations.items():
        lines.append(f"  ✓ ∂{generated.output}/∂{_shown(variable)} = "
                     f"{_shown(derivation.result)}   ({_rules_text(derivation).split('; ')[-1]})")
    stable = [label for label, steps in generated.rewrites.items() if steps]
    if stable:
        lines.append(f"  ✓ stable forms for {', '.join(stable)}, every rewrite confirmed")
    lines += [f"  {'!' if line.startswith('note') else '✓'} {line}" for line in report.lines]
    if not report.ok:
        lines += [f"  ✗ check failed: {report.failure}", "nothing written"]
        print("\n".join(lines), file=report_stream)
        return WRONG
    return deliver(generated.source, lines, output, check_only=check_only, force=force,
                   report_stream=report_stream)


__all__ = ["GeneratedExpr", "check_expr", "codegen_expr_command", "generate_expr",
           "read_expression"]
