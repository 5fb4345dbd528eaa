"""Verified, numerically stable NumPy code from a derivation: ``derive codegen``.

The generated module has ``loss``, ``grad`` and ``loss_and_grad`` over NumPy arrays. The
forward pass is printed from the model's definitions; every gradient is printed from the
verified result of :func:`derive.engine.backprop.gradient` (its matrix expression tree: products,
transposes, Hadamard products, sums over rows and entrywise templates), one line per step of
the derivation, each line commented with the step it implements. Subexpressions the
gradients share (σ, the residual, the adjoints of intermediates) are computed once.

The loss is rewritten into a numerically stable form, and every rewrite is proved with
:func:`derive.decide.equivalence.compare` before it is used (:func:`stable_identities`): BCE of σ(z)
becomes softplus(z) − y·z, computed with one ``exp`` per element, e = e^(−|z|), which σ(z)
shares. The loss and every gradient are sums over the rows of X, so the code runs over blocks
of rows that stay in cache: X is read from memory once.

Before a module is written it is imported from a private temporary file
(:func:`_load_generated`, on code derive itself generated) and checked against central
finite differences of
its own loss and against the symbolic gradient instantiated at small sizes
(:func:`check_generated`); a module that fails is never written.
"""

from __future__ import annotations

import importlib.util
import keyword
import os
import re
import sys
import tempfile
import types
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import sympy as sp

from derive.core.arrays import Entrywise, entrywise
from derive.core.domains import POSITIVE, REAL, Domain, Interval, make_symbol
from derive.core.errors import (
    DeriveError,
    MissingRuleError,
    SourceError,
    UnknownModelError,
    UnknownRuleError,
    VerificationError,
)
from derive.core.functions import sigmoid, softplus
from derive.core.outcomes import Proved
from derive.core.primitives import BY_FUNCTION
from derive.core.records import ChainStep, Derivation, RewriteStep
from derive.decide.equivalence import compare
from derive.emit.render import evidence_of, text, verdict_word
from derive.engine.backprop import gradient, sigma_form
from derive.engine.instantiate import forward, instantiate, true_gradient
from derive.engine.modelfile import read_model_file
from derive.engine.models import BatchLossDef, LinearDef, MapDef, Model, get
from derive.read.modelfile import is_model_file

OK, WRONG, UNUSABLE = 0, 1, 2

MODELS = {"logistic": "logistic-batch", "logistic-batch": "logistic-batch", "mlp": "mlp"}
"""Names ``derive codegen`` accepts, and the built-in batch model each one generates."""

FINITE_DIFFERENCE_TOLERANCE = 1e-6
SYMBOLIC_TOLERANCE = 1e-9


class UnsupportedExpression(DeriveError):
    """An expression node the NumPy printer has no rule for; the node is named."""


class UnsupportedByBackend(UnsupportedExpression):
    """A model an optional backend (``--backend numba``) cannot generate; the message says
    what the backend lacks. Unusable input (exit 2): the NumPy backend generates it."""


# ---------------------------------------------------------------------------------------------
# the stable forms, each proved before it is used


@dataclass(frozen=True)
class Identity:
    """A rewrite the generated code relies on, with the outcome of its proof."""

    number: int
    statement: str
    lhs: sp.Expr
    rhs: sp.Expr
    outcome: Any
    case: str = ""

    @property
    def proved(self) -> bool:
        return isinstance(self.outcome, Proved)

    def evidence(self) -> str:
        where = f"{self.case}: " if self.case else ""
        return f"{where}{verdict_word(self.outcome)} {evidence_of(self.outcome)}"


def single_exp_softplus(u: sp.Expr) -> sp.Expr:
    """softplus(u) as the code computes it: max(u, 0) + log1p(e) with e = e^(−|u|)."""
    e = sp.exp(-sp.Abs(u))
    return sp.Max(u, 0) + sp.log(1 + e)


def single_exp_sigmoid(u: sp.Expr) -> sp.Expr:
    """σ(u) as the code computes it: where(u ≥ 0, 1, e)/(1 + e) with e = e^(−|u|)."""
    e = sp.exp(-sp.Abs(u))
    return sp.Piecewise((1, u >= 0), (e, True)) / (1 + e)


@lru_cache(maxsize=4)
def stable_identities(budget: float = 5.0) -> tuple[Identity, ...]:
    """Prove the identities behind the stable forms; raise VerificationError if one is not
    proved. (5) and (6) are proved on z = t ≥ 0 and on z = −t < 0 separately, where the
    absolute value and the branch are fixed."""
    z, y = make_symbol("z", REAL), make_symbol("y", REAL)
    nonnegative = Interval(0.0, float("inf"), low_open=False)
    t, s = make_symbol("t", nonnegative), make_symbol("t", POSITIVE)
    e = "e^(−|z|)"
    softplus_text = f"softplus(z) = max(z, 0) + log1p({e})"
    sigmoid_text = f"σ(z) = where(z ≥ 0, 1, {e})/(1 + {e})"
    claims: list[tuple[int, str, sp.Expr, sp.Expr, Mapping[sp.Symbol, Domain], str]] = [
        (1, "", sp.log(sigmoid(z)), -softplus(-z), {z: REAL}, ""),
        (2, "", sp.log(1 - sigmoid(z)), -softplus(z), {z: REAL}, ""),
        (3, "", softplus(-z), softplus(z) - z, {z: REAL}, ""),
        (4, "", y * softplus(-z) + (1 - y) * softplus(z), softplus(z) - y * z,
         {z: REAL, y: REAL}, ""),
        (5, softplus_text, softplus(t), single_exp_softplus(t), {t: nonnegative}, "z = t ≥ 0"),
        (5, softplus_text, softplus(-s), single_exp_softplus(-s), {s: POSITIVE}, "z = −t < 0"),
        (6, sigmoid_text, sigmoid(t), single_exp_sigmoid(t), {t: nonnegative}, "z = t ≥ 0"),
        (6, sigmoid_text, sigmoid(-s), single_exp_sigmoid(-s), {s: POSITIVE}, "z = −t < 0"),
    ]
    found = []
    for number, statement, lhs, rhs, domains, case in claims:
        shown = statement or f"{_math(lhs)} = {_math(rhs)}"
        outcome = compare(lhs, rhs, domains, budget=budget)
        identity = Identity(number, shown, lhs, rhs, outcome, case)
        if not identity.proved:
            raise VerificationError(
                f"the stable form ({number}) {shown} was not proved: {identity.evidence()}")
        found.append(identity)
    return tuple(found)


def _math(expr: Any) -> str:
    """An expression in Unicode math, with softplus written as it is in the documents."""
    return text(expr).replace("−1·", "−")


@dataclass(frozen=True)
class Rewrite:
    """One step from the loss as defined to the form the code computes, with its proof."""

    rule: str
    before: sp.Expr
    after: sp.Expr
    outcome: Any


def _sigmoid_definitions(model: Model) -> dict[sp.Symbol, sp.Expr]:
    """ŷ ↦ σ(z) for every entrywise definition ŷ := σ(z)."""
    found: dict[sp.Symbol, sp.Expr] = {}
    for definition in model.definitions:
        if isinstance(definition, MapDef) and isinstance(definition.template, sigmoid):
            found[model.variable(definition.target).symbol] = definition.template
    return found


def _log_of_sigmoid(expr: Any) -> sp.Expr | None:
    """log σ(u) ↦ −softplus(−u) and log(1 − σ(u)) ↦ −softplus(u) (identities 1, 2)."""
    if not isinstance(expr, sp.log):
        return None
    argument = expr.args[0]
    if isinstance(argument, sigmoid):
        return -softplus(-argument.args[0])
    rest = sp.expand(1 - argument)
    if isinstance(rest, sigmoid):
        return -softplus(rest.args[0])
    return None


def _softplus_of_negative(expr: Any) -> sp.Expr | None:
    """softplus(−u) ↦ softplus(u) − u (identity 3)."""
    if isinstance(expr, softplus) and expr.args[0].could_extract_minus_sign():
        u = -expr.args[0]
        return softplus(u) - u
    return None


def _replace_all(expr: sp.Expr, function: Callable[[Any], sp.Expr | None]) -> sp.Expr:
    """``expr`` with every node that ``function`` rewrites replaced by its rewrite."""
    return expr.replace(lambda node: function(node) is not None, function)


def stable_loss(model: Model, definition: BatchLossDef, *,
                budget: float = 5.0) -> tuple[sp.Expr, tuple[Rewrite, ...]]:
    """The per-example loss in the form the code computes, and the proved steps to it.

    BCE(y, σ(z)) = −(y·log σ(z) + (1 − y)·log(1 − σ(z))) = softplus(z) − y·z. A template
    with no log of a sigmoid is returned as it is."""
    domains = model.domains()
    rewrites: list[Rewrite] = []
    current = definition.template
    named = _sigmoid_definitions(model)
    substituted = current.xreplace(named)
    if substituted != current:
        shown = ", ".join(f"{text(k)} = {text(v)}" for k, v in named.items())
        rewrites.append(Rewrite(f"definition {shown}", current, substituted,
                                Proved("substituting the definition")))
        current = substituted
    steps: list[tuple[str, Callable[[Any], sp.Expr | None], bool]] = [
        ("identities (1), (2)", _log_of_sigmoid, False),
        ("identities (3), (4)", _softplus_of_negative, True),
    ]
    for rule, function, expand in steps:
        replaced = _replace_all(current, function)
        if replaced == current:  # nothing to rewrite: (r − t)² is never expanded
            continue
        after = sp.expand(replaced) if expand else replaced
        outcome = compare(current, after, domains, budget=budget)
        if not isinstance(outcome, Proved):
            raise VerificationError(
                f"rewriting the loss by {rule} was not proved: {text(current)} = {text(after)}:"
                f" {verdict_word(outcome)} {evidence_of(outcome)}")
        rewrites.append(Rewrite(rule, current, after, outcome))
        current = after
    return current, tuple(rewrites)


# ---------------------------------------------------------------------------------------------
# printing SymPy expressions as NumPy code

ATOM, POWER, UNARY, PRODUCT, SUM, COMPARISON = 100, 70, 60, 50, 40, 30


@dataclass(frozen=True)
class _Code:
    """Printed code, its precedence, and its kind: a scalar, a column or row vector (a 1-D
    array), a matrix (2-D), or a value broadcast along the rows."""

    text: str
    precedence: int
    kind: str = "scalar"


def _wrap(code: _Code, level: int, strict: bool = False) -> str:
    if code.precedence < level or (strict and code.precedence == level):
        return f"({code.text})"
    return code.text


def kind_of(shape: tuple[Any, Any]) -> str:
    """How an array of a derivation is held in the generated code: column and row vectors
    are 1-D arrays, a 1×1 array is a scalar."""
    rows, cols = shape
    if rows == 1 and cols == 1:
        return "scalar"
    if cols == 1:
        return "col"
    if rows == 1:
        return "row"
    return "mat"


_FIRST_NAME = re.compile(r"[A-Za-z_]\w*")


class _Printer:
    """SymPy expressions as NumPy code, dispatching on the node type.

    ``names`` maps arrays, entry symbols, sizes and shared subexpressions to the code that
    holds them; ``exp_name(u)`` gives the variable holding e^(−|u|) (creating its line);
    every name read is recorded in ``reads``."""

    def __init__(self, names: Mapping[sp.Basic, str], exp_name: Callable[[sp.Expr], str],
                 reads: set[str]) -> None:
        self.names = names
        self.exp_name = exp_name
        self.reads = reads

    def code(self, expr: Any) -> _Code:
        if expr in self.names:
            name = self.names[expr]
            match = _FIRST_NAME.match(name)
            if match:
                self.reads.add(match.group(0))
            kind = kind_of(expr.shape) if isinstance(expr, sp.MatrixExpr) else "scalar"
            return _Code(name, ATOM, kind)
        for cls in type(expr).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(expr)  # type: ignore[no-any-return]
        primitive = BY_FUNCTION.get(type(expr))
        if primitive is not None and primitive.numpy is not None:
            return self._call(primitive.numpy, *expr.args)  # a plain NumPy call is right
        raise UnsupportedExpression(
            f"codegen has no NumPy rule for {type(expr).__name__} (in {_shown(expr)})")

    # scalars -------------------------------------------------------------------------------

    def _print_Integer(self, expr: sp.Integer) -> _Code:
        return _Code(str(int(expr)), ATOM if expr >= 0 else UNARY)

    def _print_Rational(self, expr: sp.Rational) -> _Code:
        return _Code(f"{expr.p} / {expr.q}", PRODUCT)

    def _print_Float(self, expr: sp.Float) -> _Code:
        value = float(expr)
        return _Code(repr(value), ATOM if value >= 0 else UNARY)

    def _print_Exp1(self, expr: Any) -> _Code:
        return _Code("np.e", ATOM)

    def _print_Pi(self, expr: Any) -> _Code:
        return _Code("np.pi", ATOM)

    def _print_Symbol(self, expr: sp.Symbol) -> _Code:
        raise UnsupportedExpression(f"no array, parameter or size is called {expr.name}")

    def _print_Add(self, expr: sp.Add) -> _Code:
        # A softplus(u) term splits into max(u, 0), in its place, and log1p(e), added last:
        # (max(z, 0) − y·z) + log1p(e) is exact in the bracket for labels 0 and 1, so a tiny
        # loss keeps its relative precision (max(z, 0) + log1p(e) − y·z would cancel).
        terms = sorted(expr.args, key=lambda t: (t.could_extract_minus_sign(), t.is_number))
        out = ""
        tail: list[str] = []
        for term in terms:
            negative = term.could_extract_minus_sign()
            if isinstance(term, softplus):
                head, last = self._softplus_parts(term)
                printed, tail = head, [*tail, last]
            else:
                printed = _wrap(self.code(-term if negative else term), SUM, strict=negative)
            if not out:
                out = f"-{_wrap(self.code(-term), UNARY)}" if negative else printed
            else:
                out += f" - {printed}" if negative else f" + {printed}"
        for last in tail:
            out += f" + {last}"
        return _Code(out, SUM)

    def _print_Mul(self, expr: sp.Mul) -> _Code:
        coefficient, factors = expr.as_coeff_mul()
        numerator: list[sp.Expr] = []
        denominator: list[sp.Expr] = []
        if coefficient < 0:
            return self._negated(-expr)
        if coefficient.is_Float:
            numerator.append(coefficient)
        elif coefficient != 1:
            if coefficient.q != 1:
                denominator.append(sp.Integer(coefficient.q))
            if coefficient.p != 1:
                numerator.append(sp.Integer(coefficient.p))
        for factor in factors:
            if factor.is_Pow and factor.exp.is_Integer and factor.exp < 0:
                denominator.append(factor.base ** -factor.exp)
            else:
                numerator.append(factor)
        top = " * ".join(_wrap(self._factor(f), PRODUCT) for f in numerator) or "1"
        if not denominator:
            return _Code(top, PRODUCT)
        under = [self.code(f) for f in denominator]
        if len(under) == 1:
            bottom = _wrap(under[0], PRODUCT, strict=True)
        else:
            bottom = "(" + " * ".join(_wrap(u, PRODUCT) for u in under) + ")"
        return _Code(f"{top} / {bottom}", PRODUCT)

    def _negated(self, positive: sp.Expr) -> _Code:
        return _Code(f"-{_wrap(self.code(positive), UNARY)}", UNARY)

    def _print_Pow(self, expr: sp.Pow) -> _Code:
        base, exponent = expr.args
        if exponent == sp.S.Half:
            return self._call("np.sqrt", base)
        if exponent.is_Integer and exponent < 0:
            return _Code(f"1 / {_wrap(self.code(base ** -exponent), PRODUCT, strict=True)}",
                         PRODUCT)
        printed = self.code(exponent)
        return _Code(f"{_wrap(self.code(base), POWER, strict=True)} ** {_wrap(printed, POWER)}",
                     POWER)

    def _call(self, function: str, *arguments: Any) -> _Code:
        inside = ", ".join(self.code(a).text for a in arguments)
        return _Code(f"{function}({inside})", ATOM)

    def _print_log(self, expr: sp.Expr) -> _Code:
        argument = expr.args[0]
        if argument.is_number and argument.is_positive:
            # a Python float, which takes the arrays' dtype (np.log(2) would be a float64
            # scalar and turn float32 arithmetic into float64)
            return self._print_Float(sp.Float(expr.evalf(17)))
        if isinstance(argument, sp.Add) and 1 in argument.args:
            return self._call("np.log1p", argument - 1)
        return self._call("np.log", argument)

    def _print_Max(self, expr: sp.Expr) -> _Code:
        return self._pairwise("np.maximum", expr.args)

    def _print_Min(self, expr: sp.Expr) -> _Code:
        return self._pairwise("np.minimum", expr.args)

    def _pairwise(self, function: str, arguments: Sequence[sp.Expr]) -> _Code:
        ordered = sorted(arguments, key=lambda a: a.is_number)
        code = self.code(ordered[0]).text
        for argument in ordered[1:]:
            code = f"{function}({code}, {self.code(argument).text})"
        return _Code(code, ATOM)

    # cases and their conditions -----------------------------------------------------------

    def _print_Piecewise(self, expr: sp.Piecewise) -> _Code:
        # {uᵢ if cᵢ} ↦ np.where(c₁, u₁, np.where(c₂, u₂, ...)): the first case that holds;
        # no case holding (no "otherwise") is nan, where the expression has no value
        *cases, (last, last_condition) = expr.args
        if last_condition == sp.true:
            code = self.code(last).text
        else:
            code = (f"np.where({self.code(last_condition).text}, {self.code(last).text}, "
                    "np.nan)")
        for piece, condition in reversed(cases):
            code = f"np.where({self.code(condition).text}, {self.code(piece).text}, {code})"
        return _Code(code, ATOM)

    def _print_Relational(self, expr: Any) -> _Code:
        left, right = (_wrap(self.code(side), SUM) for side in expr.args)
        return _Code(f"{left} {expr.rel_op} {right}", COMPARISON)

    def _print_And(self, expr: Any) -> _Code:
        return self._logical(" & ", expr.args)

    def _print_Or(self, expr: Any) -> _Code:
        return self._logical(" | ", expr.args)

    def _logical(self, operator: str, arguments: Sequence[Any]) -> _Code:
        # & and | bind tighter than comparisons in Python: every operand in brackets
        printed = [self.code(a).text for a in arguments]
        return _Code(operator.join(f"({p})" for p in printed), COMPARISON)

    def _print_Not(self, expr: Any) -> _Code:
        return _Code(f"~({self.code(expr.args[0]).text})", UNARY)

    def _print_BooleanTrue(self, expr: Any) -> _Code:
        return _Code("True", ATOM)

    def _print_BooleanFalse(self, expr: Any) -> _Code:
        return _Code("False", ATOM)

    def _print_relu(self, expr: sp.Expr) -> _Code:
        return _Code(f"np.maximum({self.code(expr.args[0]).text}, 0)", ATOM)

    def _print_Heaviside(self, expr: sp.Expr) -> _Code:
        at_zero = expr.args[1] if len(expr.args) > 1 else sp.S.Half
        return _Code(f"np.heaviside({self.code(expr.args[0]).text}, "
                     f"{self.code(at_zero).text})", ATOM)

    def _print_sigmoid(self, expr: sp.Expr) -> _Code:
        # σ(u) = where(u ≥ 0, 1, e)/(1 + e) with e = e^(−|u|): identity (6)
        u = self.code(expr.args[0]).text
        e = self._exp(expr.args[0])
        return _Code(f"np.where({u} >= 0, 1, {e}) / (1 + {e})", PRODUCT)

    def _softplus_parts(self, expr: sp.Expr) -> tuple[str, str]:
        # softplus(u) = max(u, 0) + log1p(e) with e = e^(−|u|): identity (5)
        u = self.code(expr.args[0]).text
        return f"np.maximum({u}, 0)", f"np.log1p({self._exp(expr.args[0])})"

    def _print_softplus(self, expr: sp.Expr) -> _Code:
        head, last = self._softplus_parts(expr)
        return _Code(f"{head} + {last}", SUM)

    def _exp(self, argument: sp.Expr) -> str:
        name = self.exp_name(argument)
        self.reads.add(name)
        return name

    # matrices ------------------------------------------------------------------------------

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> _Code:
        raise UnsupportedExpression(f"no array is called {expr.name}")

    def _print_OneMatrix(self, expr: Any) -> _Code:
        raise UnsupportedExpression(
            f"a matrix of ones {_shown(expr)} outside a product (only 𝟏ᵀG and 𝟏b are printed)")

    def _print_Transpose(self, expr: Any) -> _Code:
        inner = self.code(expr.arg)
        swapped = {"col": "row", "row": "col"}
        if inner.kind in swapped:
            return _Code(inner.text, inner.precedence, swapped[inner.kind])
        if inner.kind == "scalar":
            return inner
        return _Code(f"{_wrap(inner, ATOM)}.T", ATOM, "mat")

    def _print_MatAdd(self, expr: Any) -> _Code:
        terms = sorted(expr.args, key=lambda t: bool(t.atoms(sp.OneMatrix)))
        printed = [self.code(t) for t in terms]
        kinds = [p.kind for p in printed if p.kind not in ("bcast", "scalar")]
        return _Code(" + ".join(_wrap(p, SUM) for p in printed), SUM,
                     kinds[0] if kinds else kind_of(expr.shape))

    def _factor(self, expr: Any) -> _Code:
        """A factor of a product: relu′(u) = H(u) with H(0) = 0 is the mask (u > 0), which
        multiplies exactly (np.heaviside costs several times more)."""
        template, printer = expr, self
        if isinstance(expr, Entrywise):
            template = expr.template
            printer = self._entrywise_printer(expr)
        if isinstance(template, sp.Heaviside) and len(template.args) == 2 \
                and template.args[1] == 0:
            return _Code(f"({printer.code(template.args[0]).text} > 0)", ATOM,
                         kind_of(expr.shape) if isinstance(expr, sp.MatrixExpr) else "scalar")
        return self.code(expr)

    def _print_HadamardProduct(self, expr: Any) -> _Code:
        printed = [self._factor(a) for a in expr.args]
        return _Code(" * ".join(_wrap(p, PRODUCT) for p in printed), PRODUCT,
                     kind_of(expr.shape))

    def _entrywise_printer(self, expr: Entrywise) -> _Printer:
        """A printer for the template of ``expr``: its entry symbols name its arrays."""
        inner = dict(self.names)
        for symbol, array in expr.binding().items():
            printed = self.code(array)
            if printed.precedence < ATOM:
                raise UnsupportedExpression(f"an entrywise template over {_shown(array)}")
            inner[symbol] = printed.text
        return _Printer(inner, self.exp_name, self.reads)

    def _print_Entrywise(self, expr: Entrywise) -> _Code:
        result = self._entrywise_printer(expr).code(expr.template)
        return _Code(result.text, result.precedence, kind_of(expr.shape))

    def _print_MatMul(self, expr: Any) -> _Code:
        scalars = [a for a in expr.args if not isinstance(a, sp.MatrixExpr)]
        matrices = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        result: _Code | sp.OneMatrix = matrices[0]
        if not isinstance(result, sp.OneMatrix):
            result = self.code(result)
        for right in matrices[1:]:
            result = self._product(result, right)
        if isinstance(result, sp.OneMatrix):
            if result.shape[1] != 1:
                raise UnsupportedExpression(f"a product ending in {_shown(result)}")
            result = _Code("1", ATOM, "bcast")  # 𝟏 times a scalar: the scalar, broadcast
        if not scalars:
            return result
        factor = self.code(sp.Mul(*scalars))
        if factor.text == "1":
            return result
        if result.text == "1":
            return _Code(factor.text, factor.precedence, result.kind)
        return _Code(f"{_wrap(result, PRODUCT)} * {_wrap(factor, PRODUCT)}", PRODUCT,
                     result.kind)

    def _product(self, left: _Code | sp.OneMatrix, right: Any) -> _Code | sp.OneMatrix:
        if isinstance(left, sp.OneMatrix):
            rows, cols = left.shape
            if rows == 1 and cols != 1:  # 𝟏ᵀG: the sum over the rows of G
                inner = self.code(right)
                if inner.kind == "col":
                    return _Code(f"{_wrap(inner, ATOM)}.sum()", ATOM, "scalar")
                if inner.kind == "mat":
                    return _Code(f"{_wrap(inner, ATOM)}.sum(axis=0)", ATOM, "row")
            if cols == 1 and right.shape[0] == 1:  # 𝟏b: b broadcast along the rows
                inner = self.code(right)
                return _Code(inner.text, inner.precedence, "bcast")
            raise UnsupportedExpression(f"the product {_shown(left)}·{_shown(right)}")
        if isinstance(right, sp.OneMatrix):
            rows, cols = right.shape
            if cols == 1 and rows != 1 and left.kind in ("row", "mat"):  # G𝟏: sums of rows
                tail = ".sum()" if left.kind == "row" else ".sum(axis=1)"
                kind = "scalar" if left.kind == "row" else "col"
                return _Code(f"{_wrap(left, ATOM)}{tail}", ATOM, kind)
            raise UnsupportedExpression(f"a product with {_shown(right)}")
        other = self.code(right)
        kinds = (left.kind, other.kind)
        if "scalar" in kinds or "bcast" in kinds:
            kind = other.kind if left.kind in ("scalar", "bcast") else left.kind
            return _Code(f"{_wrap(left, PRODUCT)} * {_wrap(other, PRODUCT, strict=True)}",
                         PRODUCT, kind)
        if kinds == ("col", "row"):  # an outer product u vᵀ
            return _Code(f"np.outer({left.text}, {other.text})", ATOM, "mat")
        result_kind = {("mat", "mat"): "mat", ("mat", "col"): "col", ("row", "mat"): "row",
                       ("row", "col"): "scalar"}.get(kinds)
        if result_kind is None:
            raise UnsupportedExpression(f"a product of a {kinds[0]} and a {kinds[1]}")
        return _Code(f"{_wrap(left, PRODUCT)} @ {_wrap(other, PRODUCT, strict=True)}",
                     PRODUCT, result_kind)


def _shown(expr: Any) -> str:
    try:
        return text(expr)
    except Exception:  # a node the text printer cannot print either
        return type(expr).__name__


# ---------------------------------------------------------------------------------------------
# the plan of a module: lines of code, each with the step it comes from


@dataclass(frozen=True)
class Line:
    """One statement of a kernel: ``target = code``, the comment naming its step, the names
    it reads, and its kind (for sizing blocks of rows)."""

    target: str
    code: str
    comment: str
    reads: frozenset[str]
    kind: str
    width: Any = 0


@dataclass(frozen=True)
class Argument:
    """An argument of the generated functions: its name, symbolic shape and meaning."""

    name: str
    shape: tuple[Any, ...]
    meaning: str
    data: bool


@dataclass(frozen=True)
class Generated:
    """A generated module: its source and everything it was generated from."""

    model: Model
    name: str
    source: str
    derivations: Mapping[str, Derivation]
    identities: tuple[Identity, ...]
    rewrites: tuple[Rewrite, ...]
    blocked: bool
    arguments: tuple[Argument, ...]
    batch: Any


def variable_of(model: Model, argument: Argument) -> Any:
    """The model's variable an argument of the generated functions stands for."""
    for variable in model.variables:
        if variable.name == argument.name or (keyword.iskeyword(variable.name)
                                               and f"{variable.name}_" == argument.name):
            return variable
    return model.variable(argument.name)  # raises, naming the variables there are


def python_name(name: str) -> str:
    """A model's variable name as a Python name (a keyword followed by _: lambda → lambda_);
    refuses names that cannot be one."""
    if keyword.iskeyword(name):
        return f"{name}_"
    if not name.isidentifier() or name in ("np", "m"):
        raise UnsupportedExpression(f"the variable {name!r} cannot be a Python name")
    return name


class _Builder:
    """Builds the lines of a model's kernel from its definitions and derivations."""

    def __init__(self, model: Model, derivations: Mapping[str, Derivation],
                 budget: float) -> None:
        self.model = model
        self.derivations = derivations
        self.budget = budget
        loss_definition = model.definitions[-1]
        if not isinstance(loss_definition, BatchLossDef) or model.output != loss_definition.target:
            raise UnsupportedExpression(
                f"codegen needs a batch model whose last definition is its loss; "
                f"{model.name} is not one (try logistic-batch or mlp)")
        self.loss = loss_definition
        first = model.variable(loss_definition.arguments[0]).array
        self.batch = first.shape[0] if first is not None else sp.S.One
        self.lines: list[Line] = []
        self.names: dict[sp.Basic, str] = {self.batch: "m"}
        self.exps: dict[sp.Expr, str] = {}
        self.arguments = self._arguments()
        for argument in self.arguments:
            variable = variable_of(model, argument)
            self.names[variable.symbol] = argument.name
            if variable.array is not None:
                self.names[variable.array] = argument.name
        self._bind_sizes()

    def _arguments(self) -> list[Argument]:
        model = self.model
        wanted = [v for v in model.variables if v.role == "data"]
        wanted += [model.variable(p) for p in model.parameters]
        found = []
        for variable in wanted:
            shape = () if variable.array is None else {
                "scalar": (), "col": (variable.array.shape[0],),
                "row": (variable.array.shape[1],), "mat": tuple(variable.array.shape),
            }[kind_of(variable.array.shape)]
            found.append(Argument(python_name(variable.name), shape, variable.meaning,
                                  variable.role == "data"))
        return found

    def _bind_sizes(self) -> None:
        """Each size but the batch's is read off the first argument that has it."""
        self.sizes: dict[sp.Symbol, tuple[str, int]] = {}
        for argument in self.arguments:
            for axis, size in enumerate(argument.shape):
                if isinstance(size, sp.Symbol) and size not in self.sizes:
                    self.sizes[size] = (argument.name, axis)
                    if size != self.batch:
                        self.names[size] = f"{argument.name}.shape[{axis}]"

    def _printer(self, reads: set[str], extra: Mapping[sp.Basic, str] | None = None
                 ) -> _Printer:
        names = dict(self.names)
        if extra:
            names.update(extra)
        return _Printer(names, self._exp_name, reads)

    def _exp_name(self, argument: sp.Expr) -> str:
        """The variable holding e^(−|u|), its line added the first time it is needed."""
        if argument in self.exps:
            return self.exps[argument]
        reads: set[str] = set()
        inner = self._printer(reads).code(argument)
        name = f"e_{inner.text}" if inner.text.isidentifier() else f"e_{len(self.exps)}"
        self.lines.append(Line(
            name, f"np.exp(-np.abs({inner.text}))",
            f"e = e^(−|{_shown(argument)}|): the one exp per element, shared by "
            f"σ({_shown(argument)}) and softplus({_shown(argument)})   (identities (5), (6))",
            frozenset(reads), inner.kind if inner.kind != "scalar" else "col", 1))
        self.exps[argument] = name
        return name

    def _add(self, target: str, value: Any, comment: str, *, printed: _Code | None = None,
             reads: set[str] | None = None) -> None:
        found: set[str] = set() if reads is None else reads
        code = printed if printed is not None else self._printer(found).code(value)
        shape = value.shape if isinstance(value, sp.MatrixExpr) else (1, 1)
        width = 0
        if shape[0] == self.batch and code.kind in ("col", "mat"):
            width = 1 if code.kind == "col" else shape[1]
        self.lines.append(Line(target, code.text, comment, frozenset(found), code.kind, width))

    # forward ---------------------------------------------------------------------------------

    def build_forward(self) -> None:
        model = self.model
        for definition in model.definitions[:-1]:
            target = python_name(definition.target)
            variable = model.variable(definition.target)
            if isinstance(definition, LinearDef):
                formula = model.formula(definition)
                self._add(target, formula, f"{text(definition.target)} = {text(formula)}"
                          "   (definition)")
            elif isinstance(definition, MapDef):
                template = definition.template
                argument = model.variable(definition.argument)
                reads: set[str] = set()
                printed = self._printer(reads).code(template)
                shape = argument.array.shape if argument.array is not None else (1, 1)
                comment = f"{text(definition.target)} = {text(template)}   (definition)"
                if isinstance(template, sigmoid):
                    comment = (f"{text(definition.target)} = {text(template)} = "
                               f"where({text(argument.name)} ≥ 0, 1, e)/(1 + e)   "
                               "(definition; single-exp form, identity (6))")
                value = entrywise(template, {argument.symbol: argument.value})
                self._add(target, value, comment,
                          printed=_Code(printed.text, printed.precedence, kind_of(shape)),
                          reads=reads)
            else:
                raise UnsupportedExpression(
                    f"codegen has no rule for a {type(definition).__name__} "
                    f"({definition.target}); it generates batch models such as logistic-batch"
                    " and mlp")
            self.names[variable.value] = target
            self.names[variable.symbol] = target
            if isinstance(definition, MapDef):
                self.names[definition.template] = target  # σ(z) is ŷ: computed once

    def build_loss(self) -> tuple[Rewrite, ...]:
        model = self.model
        template, rewrites = stable_loss(model, self.loss, budget=self.budget)
        binding = {model.variable(n).symbol: model.variable(n).value
                   for n in {*self.loss.arguments, *self._template_names(template)}}
        value = entrywise(template, binding)
        comment = f"ℓ = {text(self.loss.template)}   (definition)"
        if rewrites:
            numbers = sorted({int(n) for r in rewrites for n in re.findall(r"\d+", r.rule)})
            shown = ", ".join(f"({n})" for n in [*numbers, 5])
            comment = (f"ℓ = {text(self.loss.template)} = {text(template)} = (max(z, 0) − "
                       f"y·z) + log1p(e)   (BCE with logits: identities {shown})").replace(
                           "z", text(self._logit(template)))
        self._add("ell", value, comment)
        marker = sp.Symbol("ell_sum")
        reads: set[str] = {"ell"}
        total = self._printer(reads, {marker: "ell.sum()"}).code(self.loss.scale * marker)
        scale = "" if self.loss.scale == 1 else f"({text(self.loss.scale)})·"
        printed, shown = total.text, f"{scale}𝟏ᵀℓ"
        for coefficient, name in self.loss.penalties:
            # a weight penalty c‖P‖²_F: computed once, so the module is not split into blocks
            squares = sp.Symbol(f"{python_name(name)}_squares")
            term = self._printer(reads, {squares: f"np.sum({python_name(name)} ** 2)"}).code(
                coefficient * squares)
            printed += f" + {term.text}"
            shown += f" + {text(coefficient)}‖{text(name)}‖²"
        self._add(python_name(model.output), sp.S.Zero,
                  f"{text(model.output)} = {shown}   (definition)",
                  printed=_Code(printed, SUM if self.loss.penalties else total.precedence,
                                "scalar"), reads=reads)
        return rewrites

    def _logit(self, template: sp.Expr) -> sp.Expr:
        """The argument of the softplus in a stable loss template (z, a₂)."""
        found = [f.args[0] for f in template.atoms(softplus)]
        return found[0] if len(found) == 1 else sp.Symbol("z")

    def _template_names(self, template: sp.Expr) -> list[str]:
        symbols = template.free_symbols
        return [v.name for v in self.model.variables
                if v.symbol in symbols and v.array is not None]

    # gradients -------------------------------------------------------------------------------

    def build_gradients(self) -> dict[str, str]:
        """One line per adjoint the gradients use, in the order of the derivation."""
        model = self.model
        steps: dict[Any, ChainStep] = {}
        for derivation in self.derivations.values():
            for step in derivation.steps:
                if isinstance(step, ChainStep) and step.rule != "chain":
                    steps.setdefault(sigma_form(model, step.result), step)
        results = {p: d.result for p, d in self.derivations.items()}
        counts: dict[Any, int] = {}

        def visit(node: Any) -> None:
            """Count uses of each computed node; its inside is counted once, as it is
            computed once."""
            if _computed(node):
                counts[node] = counts.get(node, 0) + 1
                if counts[node] > 1:
                    return
            for child in node.args if isinstance(node, sp.Basic) else ():
                visit(child)

        for result in results.values():
            visit(result)
        outputs: dict[str, str] = {}
        self.shared = 0
        for parameter, result in results.items():
            name = f"d{model.output}_d{python_name(parameter)}"
            outputs[parameter] = name
            self._emit(result, steps, counts, name, parameter)
        return outputs

    def _emit(self, node: Any, steps: Mapping[Any, ChainStep], counts: Mapping[Any, int],
              name: str | None = None, parameter: str | None = None) -> None:
        """Lines for the named subtrees of ``node`` (inner first), then ``node`` itself."""
        if node in self.names and name is None:
            return
        for child in node.args if isinstance(node, sp.Basic) else ():
            if _computed(child):
                step = steps.get(child)
                if step is not None or counts.get(child, 0) > 1:
                    self._emit(child, steps, counts)
                else:
                    self._emit(child, steps, counts, name="")
        if name == "":
            return  # printed inline by its parent
        step = steps.get(node)
        if name is None:
            if step is not None:
                name = f"d{self.model.output}_d{python_name(step.wrt)}"
            else:
                self.shared += 1
                name = f"shared_{self.shared}"
        if node in self.names:
            self.lines.append(Line(name, self.names[node], f"∂{text(self.model.output)}/∂"
                                   f"{text(parameter or '')} = {text(node)}",
                                   frozenset({self.names[node]}), kind_of(node.shape)))
            return
        comment = _step_comment(self.model, step) if step is not None else (
            f"{text(node)}   (shared by several gradients)")
        self._add(name, node, comment)
        self.names[node] = name


def _computed(node: Any) -> bool:
    """A node that takes work to compute (worth a name when shared): not an array, a matrix
    of ones, or the transpose of an array."""
    if not isinstance(node, sp.MatrixExpr) or isinstance(node, sp.MatrixSymbol | sp.OneMatrix):
        return False
    return not (isinstance(node, sp.Transpose) and not _computed(node.arg))


def _step_comment(model: Model, step: ChainStep) -> str:
    """∂L/∂v = how it is combined = what it is   (rule; verdict)."""
    output = text(model.output)
    (factor,) = step.factors[:1]
    upstream = f"∂{output}/∂{text(factor.output)}"
    local = text(factor.value)
    bracketed = f"({local})" if isinstance(factor.value, sp.Add) or (
        isinstance(factor.value, Entrywise) and isinstance(factor.value.template, sp.Add)
    ) else local
    combined = {
        "elementwise": f"{upstream} ⊙ {bracketed}",
        "matmul right": f"{local} {upstream}",
        "matmul left": f"{upstream} {local}",
        "bias": f"𝟏ᵀ {upstream}",
    }.get(step.rule, f"{upstream} · {local}")
    if step.product and step.product[0] == 1:
        combined = local
    verdict = verdict_word(step.check)
    value = text(step.result)
    lhs = f"∂{output}/∂{text(step.wrt)}"
    middle = "" if combined == value else f" = {combined}"
    return f"{lhs}{middle} = {value}   ({step.rule} rule; {verdict})"


# ---------------------------------------------------------------------------------------------
# writing the module


def _wrapped_comment(comment: str, indent: str, width: int = 99) -> list[str]:
    """A comment over as many lines as it needs, broken at spaces."""
    words = comment.split(" ")
    lines: list[str] = []
    current = f"{indent}#"
    for word in words:
        candidate = f"{current} {word}" if word else current + " "
        if len(candidate) > width and current.strip() != "#":
            lines.append(current.rstrip())
            current = f"{indent}#   {word}"
        else:
            current = candidate
    lines.append(current.rstrip())
    return lines


def _kernel(builder: _Builder, name: str, outputs: Sequence[str], summary: str) -> list[str]:
    """A function over one block of rows returning the partial sums of ``outputs``."""
    needed = set(outputs)
    for line in reversed(builder.lines):
        if line.target in needed:
            needed |= line.reads
    chosen = [line for line in builder.lines if line.target in needed]
    arguments = [a.name for a in builder.arguments]
    if any("m" in line.reads for line in builder.lines):
        arguments.append("m")  # every kernel takes the same arguments
    out = [f"def {name}({', '.join(arguments)}):",
           f'    """{summary}, as sums over this block\'s rows."""']
    for line in chosen:
        out += _wrapped_comment(line.comment, "    ")
        statement = f"    {line.target} = {line.code}"
        if len(statement) > 100:
            raise UnsupportedExpression(f"a line too long to print: {statement.strip()}")
        out.append(statement)
    result = ", ".join(outputs)
    out.append(f"    return ({result},)" if len(outputs) == 1 else f"    return {result}")
    return out


def _docstring(generated_name: str, builder: _Builder, model: Model,
               derivations: Mapping[str, Derivation], identities: Sequence[Identity],
               rewrites: Sequence[Rewrite], blocked: bool) -> list[str]:
    arguments = ", ".join(a.name for a in builder.arguments)
    parameters = [a for a in builder.arguments if not a.data]
    grads = ", ".join(f'"{a.name}": ∂{text(model.output)}/∂{text(a.name)}' for a in parameters)
    out = [f"NumPy code generated by `derive codegen {generated_name}`: the loss and its "
           "gradients.", "", f"{model.title}.", "",
           f"    loss({arguments})  ->  {text(model.output)}, a scalar",
           f"    grad({arguments})  ->  {{{grads}}}",
           f"    loss_and_grad({arguments})  ->  (loss, grad), sharing σ and the residual",
           "",
           "Arguments (all of one dtype, float32 or float64; float32 in, float32 out):"]
    for argument in builder.arguments:
        shape = "a scalar" if not argument.shape else (
            "(" + ", ".join(str(s) for s in argument.shape) + ("," if len(argument.shape) == 1
                                                               else "") + ")")
        out.append(f"    {argument.name:4} {shape:9} {argument.meaning}")
    out += ["Column and row vectors of the derivation are 1-D arrays here; labels y may also",
            "be bool or integer. Wrong shapes raise ValueError, mixed dtypes TypeError.", "",
            "Model:"]
    out += [f"    {text(d.target)} = {text(model.formula(d))}" for d in model.definitions]
    out += ["", "Gradients (the verified results of `derive steps "
            f"{model.name} --wrt ...`):"]
    out += [f"    ∂{text(model.output)}/∂{text(p)} = {text(d.result)}"
            for p, d in derivations.items()]
    out += ["", "Derivation (reverse mode through the named intermediates; every step",
            "checked independently):"]
    seen: set[str] = set()
    rewritten: list[str] = []
    for derivation in derivations.values():
        for step in derivation.steps:
            if isinstance(step, ChainStep) and step.rule != "chain" and step.wrt not in seen:
                seen.add(step.wrt)
                out.append(f"    {_step_comment(model, step)}")
            if isinstance(step, RewriteStep) and not rewritten:
                named = ", ".join(f"{text(k)} = {text(v)}"
                                  for k, v in _sigmoid_definitions(model).items())
                rewritten.append(f"    then {named} in the results   ({step.rule}; "
                                 f"{verdict_word(step.check)})")
    out += rewritten
    for parameter, derivation in derivations.items():
        verdicts = [verdict_word(getattr(s, "check", None)) for s in derivation.all_steps()]
        counted = ", ".join(f"{verdicts.count(v)} {v}" for v in sorted(set(verdicts)))
        out.append(f"    ∂{text(model.output)}/∂{text(parameter)}: {len(verdicts)} steps, "
                   f"{counted}")
    out += ["", "Numerically stable forms, each proved by derive.decide.equivalence.compare "
                "before use:"]
    out += identity_lines(identities)
    if rewrites:
        out += ["So the loss of one example is computed as", f"    ℓ = {text(rewrites[0].before)}"]
        for rewrite in rewrites:
            out.append(f"      = {text(rewrite.after)}   ({rewrite.rule}; "
                       f"{verdict_word(rewrite.outcome)})")
        logit = text(builder._logit(rewrites[-1].after))
        out += ["      = (max(z, 0) − y·z) + log1p(e),  e = e^(−|z|) computed once per "
                "element,".replace("z", logit),
                "and σ(z) = where(z ≥ 0, 1, e)/(1 + e) reuses the same e: finite for any logit "
                "(the".replace("z", logit),
                "naive form gives inf at 40 and nan at 800). For labels 0 and 1 the bracket is "
                "exact",
                "(it is max(z, 0) or max(−z, 0)), so even a tiny loss keeps its relative "
                "precision.".replace("z", logit),
                "The residual σ(z) − y comes from the same σ; its error is within one rounding"
                .replace("z", logit),
                "of σ, as in PyTorch and JAX."]
    out += ["", "Every gradient and the loss are sums over the rows of X (Xᵀ…, 𝟏ᵀ…), so they"]
    if blocked:
        out += ["are computed over blocks of rows that stay in cache and summed: X is read",
                "from memory once. _BLOCK_BYTES sets the working set of one block."]
    else:
        out += ["would split over blocks of rows, but this model's gradients are not all row",
                "sums; the whole batch is one block."]
    out += ["", "Checked before it was written: against central finite differences of its own",
            f"loss (float64, relative error ≤ {FINITE_DIFFERENCE_TOLERANCE:g}) and against the "
            "symbolic gradient",
            "and SymPy's gradient of the explicit loss at " + _sizes_text(model)
            + f" (relative error ≤ {SYMBOLIC_TOLERANCE:g}).",
            "Generated code: edit the model and regenerate rather than edit this file."]
    return [piece for line in out for piece in _fit(line)]


def _fit(line: str, width: int = 99) -> list[str]:
    """A line of the docstring broken at spaces to fit ``width``, continuations indented."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    cut = line.rfind(" ", 0, width)
    if cut <= len(indent):
        return [line]
    return [line[:cut].rstrip(), *_fit(indent + line[cut:].lstrip(), width)]


def generate(model: Model | str, *, budget: float = 5.0) -> Generated:
    """Generate the NumPy module of a built-in batch model (not yet checked)."""
    if isinstance(model, str):
        if model not in MODELS:
            raise UnknownModelError(
                f"codegen has no model {model!r}; it generates " + ", ".join(MODELS))
        requested, model = model, get(MODELS[model])
    else:
        requested = model.name
    derivations = {p: gradient(model, p, budget=min(budget, 2.0)) for p in model.parameters}
    for parameter, derivation in derivations.items():
        if derivation.unverified():
            raise VerificationError(
                f"the derivation of ∂{model.output}/∂{parameter} has a step that failed its "
                "check; no code is generated from it")
    identities = stable_identities(budget)
    builder = _Builder(model, derivations, budget)
    builder.build_forward()
    rewrites = builder.build_loss()
    outputs = builder.build_gradients()
    blocked = all(_row_sum(d.result, builder.batch) for d in derivations.values())
    source = _source(requested, builder, model, derivations, identities, rewrites, outputs,
                     blocked)
    return Generated(model, requested, source, derivations, identities, rewrites, blocked,
                     tuple(builder.arguments), builder.batch)


def _row_local(expr: Any, batch: Any) -> bool:
    """Row i of ``expr`` depends on row i of the batch arrays only (or on none of them)."""
    if not isinstance(expr, sp.MatrixExpr):
        return True
    if isinstance(expr, sp.MatrixSymbol | sp.OneMatrix):
        return True
    if isinstance(expr, sp.Transpose):
        return expr.arg.shape[0] != batch and _row_local(expr.arg, batch)
    if isinstance(expr, sp.MatMul):
        matrices = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        inner = all(a.shape[0] != batch for a in matrices[1:])
        return inner and all(_row_local(a, batch) for a in matrices)
    if isinstance(expr, Entrywise | sp.HadamardProduct | sp.MatAdd):
        return all(_row_local(a, batch) for a in expr.args if isinstance(a, sp.MatrixExpr)) \
            if not isinstance(expr, Entrywise) else all(
                _row_local(a, batch) for a in expr.arrays)
    return False


def _row_sum(expr: Any, batch: Any) -> bool:
    """``expr`` is a sum over the rows of the batch of row-local terms (Xᵀr, 𝟏ᵀG)."""
    if not isinstance(expr, sp.MatMul):
        return _row_local(expr, batch) and (
            not isinstance(expr, sp.MatrixExpr) or expr.shape[0] != batch)
    matrices = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
    if len(matrices) != 2:
        return False
    left, right = matrices
    summing = (isinstance(left, sp.OneMatrix) and left.shape == (1, batch)) or (
        isinstance(left, sp.Transpose) and left.arg.shape[0] == batch)
    operand = left.arg if isinstance(left, sp.Transpose) else None
    return summing and _row_local(right, batch) and (
        operand is None or _row_local(operand, batch))


def _source(requested: str, builder: _Builder, model: Model,
            derivations: Mapping[str, Derivation], identities: Sequence[Identity],
            rewrites: Sequence[Rewrite], outputs: Mapping[str, str], blocked: bool) -> str:
    arguments = [a.name for a in builder.arguments]
    signature = ", ".join(arguments)
    data = [a for a in builder.arguments if a.data]
    loss_name = python_name(model.output)
    gradient_names = list(outputs.values())
    docstring = _docstring(requested, builder, model, derivations, identities, rewrites,
                           blocked)
    out = ['"""' + docstring[0], *docstring[1:], '"""', "", "import numpy as np", "",
           "_BLOCK_BYTES = 2 ** 23",
           '"""Bytes of the arrays of one block of rows: small enough to stay in cache (tune',
           'for your machine; a batch under about this size is one block)."""',
           "_MIN_BLOCK_ROWS = 1024",
           '"""Fewer rows per block would cost more in Python than cache misses save."""',
           "_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))", "", ""]
    doc_loss = f"The loss {text(model.output)} as a NumPy scalar of X's dtype."
    doc_grad = "The gradient of the loss: a dict of arrays in the parameters' shapes."
    doc_both = "(loss, grad) in one pass: σ and the residual are computed once for both."
    kernels = [
        ("loss", [loss_name], "The loss", doc_loss),
        ("grad", gradient_names, "The gradients", doc_grad),
        ("loss_and_grad", [loss_name, *gradient_names], "The loss and the gradients",
         doc_both),
    ]
    for public, names, summary, _ in kernels:
        out += [*_kernel(builder, f"_{public}_rows", names, summary), "", ""]
    grads = ", ".join(f'"{p}": {n}' for p, n in outputs.items())
    for public, names, _, doc in kernels:
        out += [f"def {public}({signature}):", f'    """{doc}"""',
                f"    {signature} = _checked({signature})",
                f"    {_tuple_code(names) if len(names) == 1 else ', '.join(names)} = "
                f"_over_blocks(_{public}_rows, {signature})"]
        if public == "loss":
            out.append(f"    return {loss_name}")
        elif public == "grad":
            out.append(f"    return {{{grads}}}")
        else:
            out.append(f"    return {loss_name}, {{{grads}}}")
        out += ["", ""]
    out += _over_blocks_source(builder, data, arguments, blocked)
    out += _checked_source(builder)
    return "\n".join(out).rstrip() + "\n"


def _tuple_code(items: Sequence[str]) -> str:
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def _over_blocks_source(builder: _Builder, data: Sequence[Argument], arguments: Sequence[str],
                        blocked: bool) -> list[str]:
    uses_m = any("m" in line.reads for line in builder.lines)
    sliced = [a.name for a in builder.arguments if a.data and a.shape[:1] == (builder.batch,)]
    width = sum((line.width for line in builder.lines), sp.S.Zero)
    for argument in data:
        width += 1 if len(argument.shape) < 2 else argument.shape[1]
    width_code = _Printer(builder.names, builder._exp_name, set()).code(width).text
    whole = ", ".join(arguments) + (", m" if uses_m else "")
    call = ", ".join(
        f"{a}[block]" if a in sliced else a for a in arguments) + (", m" if uses_m else "")
    if blocked:
        count = [f"    blocks = round(m * X.itemsize * ({width_code}) / _BLOCK_BYTES)"]
    else:
        count = ["    blocks = 1  # not every gradient is a sum over rows: one block"]
    return [
        f"def _over_blocks(kernel, {', '.join(arguments)}):",
        '    """Σ over blocks of rows of the kernel\'s partial sums: the loss and every gradient',
        "    are sums over the rows of X, so blocks of rows add up (in float64, then cast back",
        '    to the dtype of X)."""',
        "    m = X.shape[0]",
        *count,
        "    if blocks <= 1:",
        f"        return kernel({whole})",
        "    rows = max(_MIN_BLOCK_ROWS, -(-m // blocks))",
        "    block = slice(0, rows)",
        f"    totals = [np.array(part, np.float64) for part in kernel({call})]",
        "    for start in range(rows, m, rows):",
        "        block = slice(start, start + rows)",
        f"        parts = kernel({call})",
        "        for total, part in zip(totals, parts, strict=True):",
        "            total += part",
        "    return [total.astype(X.dtype)[()] for total in totals]",
        "", ""]


def _checked_source(builder: _Builder) -> list[str]:
    names = ", ".join(a.name for a in builder.arguments)
    first = builder.arguments[0]
    if first.name != "X" or len(first.shape) != 2:
        raise UnsupportedExpression("codegen expects the batch X (m, d) as the first argument")
    out = [f"def _checked({names}):",
           '    """The arguments as arrays of X\'s dtype, their shapes checked."""',
           "    X = np.asarray(X)",
           "    if X.dtype not in _FLOATS:",
           '        raise TypeError(f"X must be a float32 or float64 array; got dtype {X.dtype}")',
           "    if X.ndim != 2:",
           '        raise ValueError(f"X must have shape (m, d), one example per row; "',
           '                         f"got shape {X.shape}")',
           "    m, d = X.shape",
           "    if m == 0:",
           '        raise ValueError("X has no rows: the loss of an empty batch is undefined")']
    known = {builder.batch: "m"}
    for size, (owner, axis) in builder.sizes.items():
        if owner == "X":
            known[size] = "m" if axis == 0 else "d"
    for argument in builder.arguments[1:]:
        helper = "_labels" if argument.data else "_floats"
        name = argument.name
        out.append(f"    {name} = {helper}({name!r}, {name}, X.dtype)")
        expected, written, tests, fresh = [], [], [], []
        for axis, size in enumerate(argument.shape):
            written.append(str(size))
            if size in known:
                expected.append(known[size])
                tests.append(f"{name}.shape[{axis}] != {known[size]}")
            else:
                expected.append("None")
                fresh.append((python_name(str(size)), axis))
                known[size] = python_name(str(size))
        if all(e != "None" for e in expected):
            condition = f"{name}.shape != {_tuple_code(expected) if expected else '()'}"
        else:
            condition = " or ".join([f"{name}.ndim != {len(expected)}", *tests])
        meaning = variable_of(builder.model, argument).meaning
        out += [f"    if {condition}:",
                f"        raise _shape_error({name!r}, {name}, "
                f"{_tuple_code(written) if written else '()'!r}, "
                f"{_tuple_code(expected) if expected else '()'}, {meaning!r})"]
        for local, axis in fresh:
            out.append(f"    {local} = {name}.shape[{axis}]")
    out += [f"    return {names}", "", ""]
    out += [
        "def _floats(name, value, dtype):",
        '    """value as an array of dtype: a Python number takes dtype, an array must have it',
        '    already (no silent casts)."""',
        "    if type(value) in (int, float):",
        "        return dtype.type(value)",
        "    array = np.asarray(value)",
        "    if array.dtype != dtype:",
        '        raise TypeError(f"{name} has dtype {array.dtype} but X has dtype {dtype}; "',
        '                        "pass arrays of one dtype")',
        "    return array",
        "", "",
        "def _labels(name, value, dtype):",
        '    """Labels: of X\'s dtype, or bool or integer (exact in any float dtype)."""',
        "    array = np.asarray(value)",
        '    if array.dtype.kind in "biu":',
        "        return array.astype(dtype)",
        "    return _floats(name, array, dtype)",
        "", "",
        "def _shape_error(name, array, written, shape, meaning):",
        '    """A ValueError naming the argument and the shape it must have (None: any size)."""',
        '    sizes = ", ".join("any" if s is None else str(s) for s in shape)',
        '    sizes = f"({sizes},)" if len(shape) == 1 else f"({sizes})"',
        '    expected = "a scalar, shape ()" if not shape else f"{written} = {sizes}"',
        '    return ValueError(f"{name} ({meaning}) must have shape {expected}; "',
        '                      f"got shape {np.shape(array)}")',
    ]
    return out


# ---------------------------------------------------------------------------------------------
# checking a generated module before it is written


def _load_generated(source: str, name: str) -> types.ModuleType:
    """The generated module, imported from a private temporary file exactly as a user will
    import the written one (not registered in sys.modules). The code imported is derive's
    own output from a verified derivation, never text from a user or a file."""
    with tempfile.TemporaryDirectory(prefix="derive-codegen-") as folder:
        path = os.path.join(folder, f"{name}.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise VerificationError(f"cannot import the generated module {name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class CheckReport:
    """The outcome of checking a generated module: each check's worst error, or why not."""

    ok: bool
    lines: tuple[str, ...]
    failure: str = ""


class _Failed(Exception):
    """A check found a difference (internal: becomes a CheckReport)."""


def _random_point(builder_arguments: Sequence[Argument], sizes: Mapping[Any, int],
                  rng: np.random.Generator) -> dict[str, Any]:
    point: dict[str, Any] = {}
    for argument in builder_arguments:
        shape = tuple(int(sizes[s]) if isinstance(s, sp.Basic) else int(s)
                      for s in argument.shape)
        if argument.name == "y":
            labels = rng.integers(0, 2, size=shape).astype(np.float64)
            labels[:2] = (0.0, 1.0)  # both labels occur
            point[argument.name] = labels
        elif argument.data:
            point[argument.name] = rng.normal(0.0, 1.0, size=shape)
        else:
            value = rng.normal(0.0, 0.8, size=shape)
            point[argument.name] = float(value) if not shape else value
    return point


def _relative(a: float, b: float, floor: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), floor)


def _entry(index: tuple[int, ...]) -> str:
    return "" if not index else "[" + ", ".join(str(i) for i in index) + "]"


def _finite_differences(module: types.ModuleType, generated: Generated,
                        arguments: Sequence[Argument], point: dict[str, Any],
                        where: str) -> float:
    """Worst relative error of grad against central differences of the module's loss."""
    names = [a.name for a in arguments]
    grads = module.grad(*(point[n] for n in names))
    largest = max(float(np.max(np.abs(g))) for g in grads.values())
    floor = max(1e-3 * largest, 1e-10)
    worst = 0.0
    for argument in arguments:
        if argument.data:
            continue
        value = np.array(point[argument.name], dtype=np.float64)
        claimed = np.asarray(grads[argument.name])
        for index in np.ndindex(value.shape):
            step = 1e-6 * max(1.0, abs(float(value[index])))
            shifted = []
            for sign in (1.0, -1.0):
                moved = value.copy()
                moved[index] += sign * step
                arguments_now = dict(point, **{argument.name: moved})
                shifted.append(float(module.loss(*(arguments_now[n] for n in names))))
            estimate = (shifted[0] - shifted[1]) / (2 * step)
            error = _relative(float(claimed[index]), estimate, floor)
            if error > FINITE_DIFFERENCE_TOLERANCE:
                raise _Failed(
                    f"∂{generated.model.output}/∂{argument.name}{_entry(index)} at {where}: the "
                    f"module gives {float(claimed[index]):.10g}, central finite differences of "
                    f"its loss give {estimate:.10g} (relative error {error:.2g} > "
                    f"{FINITE_DIFFERENCE_TOLERANCE:g})")
            worst = max(worst, error)
    return worst


def _symbol_values(model: Model, point: Mapping[str, Any]) -> dict[str, sp.Float]:
    """Entry symbol name (X_0_1, w_1_0, b) ↦ its value at the point, exactly."""
    values: dict[str, sp.Float] = {}
    for variable in model.variables:
        key = f"{variable.name}_" if keyword.iskeyword(variable.name) else variable.name
        if key not in point:
            continue
        value = np.asarray(point[key], dtype=np.float64)
        if variable.array is None:
            values[variable.name] = sp.Float(float(value), 40)
            continue
        rows, cols = (int(n.xreplace(dict(model.sizes))) if isinstance(n, sp.Basic) else int(n)
                      for n in variable.array.shape)
        matrix = value.reshape(rows, cols)
        for i in range(rows):
            for j in range(cols):
                values[f"{variable.name}_{i}_{j}"] = sp.Float(float(matrix[i, j]), 40)
    return values


def _evaluate(matrix: sp.Matrix, values: Mapping[str, sp.Float]) -> np.ndarray:
    def one(entry: sp.Expr) -> float:
        mapping = {s: values[s.name] for s in entry.free_symbols if s.name in values}
        return float(entry.xreplace(mapping).evalf(30))

    return np.array([[one(e) for e in row] for row in matrix.tolist()], dtype=np.float64)


def _symbolic(module: types.ModuleType, generated: Generated, arguments: Sequence[Argument],
              points: Sequence[dict[str, Any]]) -> tuple[float, float]:
    """Worst relative errors of the module against the derivation's result instantiated at
    the model's sizes, and against SymPy's gradient of the explicit loss there."""
    model = generated.model
    sizes = dict(model.sizes)
    names = [a.name for a in arguments]
    claims = {p: instantiate(model, d.result, sizes) for p, d in generated.derivations.items()}
    truths = {p: true_gradient(model, p, sizes) for p in generated.derivations}
    loss_expr = sp.Matrix([[forward(model, sizes)[model.output]]])
    worst_claim = worst_truth = 0.0
    for number, point in enumerate(points, start=1):
        values = _symbol_values(model, point)
        loss, grads = module.loss_and_grad(*(point[n] for n in names))
        expected_loss = float(_evaluate(loss_expr, values)[0, 0])
        error = _relative(float(loss), expected_loss, 1e-300)
        if error > SYMBOLIC_TOLERANCE:
            raise _Failed(f"{model.output} at random point {number}: the module gives "
                          f"{float(loss):.15g}, the model's loss {expected_loss:.15g}")
        worst_truth = max(worst_truth, error)
        for parameter in generated.derivations:
            produced = np.asarray(grads[parameter], dtype=np.float64).reshape(-1)
            for label, matrix in (("the derivation's result", claims[parameter]),
                                  ("SymPy's gradient of the explicit loss", truths[parameter])):
                expected = _evaluate(matrix, values).reshape(-1)
                floor = max(1e-3 * float(np.max(np.abs(expected))), 1e-12)
                for index in range(expected.size):
                    error = _relative(float(produced[index]), float(expected[index]), floor)
                    if error > SYMBOLIC_TOLERANCE:
                        shaped = np.unravel_index(index, np.shape(grads[parameter]))
                        entry = _entry(tuple(int(i) for i in shaped))
                        raise _Failed(
                            f"∂{model.output}/∂{parameter}{entry} at random point {number} "
                            f"({_sizes_text(model)}): the module gives "
                            f"{float(produced[index]):.15g}, {label} gives "
                            f"{float(expected[index]):.15g} (relative error {error:.2g} > "
                            f"{SYMBOLIC_TOLERANCE:g})")
                    if label.startswith("the derivation"):
                        worst_claim = max(worst_claim, error)
                    else:
                        worst_truth = max(worst_truth, error)
    return worst_claim, worst_truth


def _sizes_text(model: Model) -> str:
    """The sizes the model's arrays use, as in m = 3, d = 2."""
    used = set().union(*(sp.Tuple(*v.array.shape).free_symbols
                         for v in model.variables if v.array is not None))
    return ", ".join(f"{s} = {n}" for s, n in model.sizes.items() if s in used)


def check_generated(generated: Generated, *, seed: int = 0, points: int = 3,
                    module: types.ModuleType | None = None) -> CheckReport:
    """Check a generated module in float64 at random points: its gradient against central
    finite differences of its own loss, and against the symbolic gradient (the derivation's
    result and SymPy's gradient of the explicit loss) instantiated at the model's sizes; its
    blocks of rows against one block. ``module``: the source already imported (the numba
    backend keeps its folder, where numba caches, while the check runs)."""
    if module is None:
        module = _load_generated(generated.source, f"derive_codegen_{generated.model.name}")
    model = generated.model
    arguments = generated.arguments
    rng = np.random.default_rng(seed)
    sizes = dict(model.sizes)
    small = [_random_point(arguments, sizes, rng) for _ in range(points)]
    lines = []
    try:
        worst = max(_finite_differences(module, generated, arguments, p, f"random point {i}")
                    for i, p in enumerate(small, start=1))
        lines.append(f"finite differences (float64, {points} random points, "
                     f"{_sizes_text(model)}): largest relative error {worst:.1e} ≤ "
                     f"{FINITE_DIFFERENCE_TOLERANCE:g}")
        large = dict(sizes)
        large[generated.batch] = 37
        point = _random_point(arguments, large, rng)
        whole = module.loss_and_grad(*(point[a.name] for a in arguments))
        # a throwaway module: force blocks of 5 rows to check that blocks add up
        module.__dict__.update(_MIN_BLOCK_ROWS=5, _BLOCK_BYTES=1)
        worst_blocks = _finite_differences(module, generated, arguments, point,
                                           "a batch of 37 rows in blocks of 5")
        split = module.loss_and_grad(*(point[a.name] for a in arguments))
        gap = _blocks_gap(whole, split)
        if gap > 1e-12:
            raise _Failed(f"blocks of 5 rows and one block of 37 rows differ by {gap:.2g}")
        lines.append(f"blocks of rows (37 rows in blocks of 5): finite differences "
                     f"{worst_blocks:.1e}, against one block {gap:.1e}")
        claim, truth = _symbolic(module, generated, arguments, small)
        lines.append(f"symbolic gradient at {_sizes_text(model)} (derive.engine.instantiate): "
                     "largest "
                     f"relative error {claim:.1e} ≤ {SYMBOLIC_TOLERANCE:g}")
        lines.append(f"SymPy's gradient of the explicit loss at the same points: largest "
                     f"relative error {truth:.1e} ≤ {SYMBOLIC_TOLERANCE:g}")
    except _Failed as failure:
        return CheckReport(False, tuple(lines), str(failure))
    except Exception as error:  # the generated code itself failed: report, never write
        return CheckReport(False, tuple(lines),
                           f"the generated module raised {type(error).__name__}: {error}")
    return CheckReport(True, tuple(lines))


def _blocks_gap(a: Any, b: Any) -> float:
    (loss_a, grads_a), (loss_b, grads_b) = a, b
    gaps = [_relative(float(loss_a), float(loss_b), 1e-12)]
    for name, value in grads_a.items():
        x, y = np.asarray(value).reshape(-1), np.asarray(grads_b[name]).reshape(-1)
        floor = max(float(np.max(np.abs(x))) * 1e-3, 1e-12)
        gaps += [_relative(float(p), float(q), floor) for p, q in zip(x, y, strict=True)]
    return max(gaps)


# ---------------------------------------------------------------------------------------------
# writing, and the command


def write_module(source: str, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``source`` to ``path`` atomically: a temporary file in the same directory, then
    a rename. Without ``force`` an existing file is never replaced (FileExistsError)."""
    target = Path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; pass --force to replace it")
    directory = target.parent
    temporary = directory / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(source)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temporary, target)
        else:
            _place_new(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return target


def _place_new(temporary: Path, target: Path) -> None:
    """Rename without replacing: a hard link fails if the target appeared meanwhile."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise FileExistsError(f"{target} exists; pass --force to replace it") from None
    except OSError:  # no hard links on this file system
        if target.exists():
            raise FileExistsError(f"{target} exists; pass --force to replace it") from None
        os.replace(temporary, target)


def codegen_command(model_name: str, output: str | None, *, check_only: bool, force: bool,
                    dtype_note: bool = True, backend: str = "numpy") -> int:
    """``derive codegen MODEL -o FILE [--check-only] [--force]``: generate, check, write.

    Prints the report on standard output (the module itself when no FILE is given and not
    ``check_only``, the report then going to standard error) and problems with the input on
    standard error. Returns 0 when the module passed its check (and was written), 1 when the
    check failed (nothing written), 2 when the input is unusable. ``backend="numba"``
    writes the fused module of :mod:`derive.emit.codegen_numba` instead."""
    if backend == "numba":
        from derive.emit.codegen_numba import INSTALL_HINT, numba_available

        if not numba_available():
            print(f"derive: {INSTALL_HINT}", file=sys.stderr)
            return UNUSABLE
    model: Model | str = model_name
    if is_model_file(model_name):
        try:
            model = read_model_file(model_name)
        except SourceError as error:
            print(f"derive: {error}", file=sys.stderr)
            return UNUSABLE
    elif model_name not in MODELS:
        print(f"derive: codegen has no model {model_name!r}; it generates "
              + ", ".join(MODELS) + ", or a model file (model.toml)", file=sys.stderr)
        return UNUSABLE
    if not can_write(output, check_only=check_only, force=force):
        return UNUSABLE
    report_stream = sys.stderr if output is None and not check_only else sys.stdout
    try:
        generated = generate(model)
        if backend == "numba":
            from derive.emit.codegen_numba import check_numba, with_numba_source

            generated = with_numba_source(generated)
            report = check_numba(generated)
        else:
            report = check_generated(generated)
    except (MissingRuleError, UnknownRuleError, UnsupportedByBackend) as error:
        print(f"derive codegen {model_name}: {error}; nothing written", file=sys.stderr)
        return UNUSABLE
    except (UnsupportedExpression, VerificationError) as error:
        print(f"derive codegen {model_name}: {error}; nothing written", file=report_stream)
        return WRONG
    model = generated.model
    lines = [f"derive codegen {model_name}: {model.title}"]
    proved = sum(1 for i in generated.identities if i.proved)
    lines.append(f"  stable forms: {len({i.number for i in generated.identities})} identities, "
                 f"{proved} proofs, every one proved")
    if backend == "numba":
        lines.append("  backend: numba, the loss and gradients fused into one pass over the rows "
                     "of X (compiled on the first call, cached beside the module)")
    lines += [f"  ✓ {line}" for line in report.lines]
    if not report.ok:
        lines.append(f"  ✗ check failed: {report.failure}")
        lines.append("nothing written")
        print("\n".join(lines), file=report_stream)
        return WRONG
    if dtype_note:
        lines.append("  note: float32 in, float32 out (no silent upcast); arrays of different "
                     "dtypes raise TypeError")
    return deliver(generated.source, lines, output, check_only=check_only, force=force,
                   report_stream=report_stream)


def identity_lines(identities: Sequence[Identity]) -> list[str]:
    """The docstring's lines for the stable identities: each statement, then its proofs."""
    grouped: dict[int, list[Identity]] = {}
    for identity in identities:
        grouped.setdefault(identity.number, []).append(identity)
    out = []
    for number, group in grouped.items():
        out.append(f"    ({number}) {group[0].statement}")
        out += [f"          {identity.evidence()}" for identity in group]
    return out


def can_write(output: str | None, *, check_only: bool, force: bool) -> bool:
    """Whether the module may be written where asked (said on standard error when not),
    found out before any work is done."""
    if output is None or check_only:
        return True
    target = Path(output)
    if target.exists() and not force:
        print(f"derive: {target} exists; pass --force to replace it", file=sys.stderr)
        return False
    if not target.parent.is_dir():
        print(f"derive: no directory {target.parent} to write {target.name} into",
              file=sys.stderr)
        return False
    return True


def deliver(source: str, lines: list[str], output: str | None, *, check_only: bool,
            force: bool, report_stream: TextIO) -> int:
    """A checked module's last stage: the report, then nothing (``check_only``), the source
    on standard output (no ``output``), or the file written atomically."""
    if check_only:
        lines.append("check only: nothing written")
        print("\n".join(lines), file=report_stream)
        return OK
    if output is None:
        print("\n".join(lines), file=report_stream)
        sys.stdout.write(source)
        return OK
    try:
        written = write_module(source, output, force=force)
    except FileExistsError:
        print(f"derive: -o {output} exists; pass --force to replace it", file=sys.stderr)
        return UNUSABLE
    except OSError as error:  # the temporary file is gone: nothing half-written remains
        print(f"derive: -o {output}: cannot write it: {error.strerror or error}; nothing "
              "written", file=sys.stderr)
        return UNUSABLE
    lines.append(f"wrote {written} ({source.count(chr(10))} lines): loss, grad, loss_and_grad")
    print("\n".join(lines), file=report_stream)
    return OK
