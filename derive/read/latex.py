r"""The ML-LaTeX reader: the project's own LALR grammar (``latex.lark``), no ``eval``.

The text is read by lark; the tree is turned into SymPy objects by ``_Reader``, which calls
SymPy constructors directly (never ``sympify``/``parse_expr``). Whatever the reader cannot read
with certainty it refuses with a ``ParseError`` (1-based line and column of the offending
character, and what would have been accepted) or an ``AmbiguityError`` listing the readings.

Names (the whole package relies on this convention; every symbol comes from
``Context.symbol(name)``):

- ``y_i``, ``y_{i}`` → ``y_i``; ``w_0`` → ``w_0``; ``x_{12}`` → ``x_12``. An unbraced script
  is one character, as in TeX: ``y_ij`` is ``y_i·j``, and ``x_12`` / ``x^10`` are refused
  (write ``x_{12}``). A compound subscript keeps its text in braces without spaces:
  ``h_{k-1}`` → ``h_{k-1}``, ``w_{i,j}`` → ``w_{i,j}``.
- ``\hat y``, ``\hat{y}``, ``{\hat y}``, ``\hat{\mathbf{y}}`` → ``yhat``; ``\hat y_i``,
  ``\hat{y}_i``, ``\hat{y_i}`` → ``yhat_i``. Likewise ``\bar x`` → ``xbar``, ``\tilde x`` →
  ``xtilde``, ``\dot x`` → ``xdot``.
- Bold is dropped: ``\mathbf{z}``, ``\boldsymbol{z}``, ``\bm z``, ``\vec z``, ``\bf z`` → ``z``.
- Greek letters by their command name: ``\alpha`` → ``alpha``, ``\lambda`` → ``lambda``.
- A parenthesised superscript on a name is a layer index: ``W^{(1)}`` → ``W^(1)``;
  ``W_i^{(1)}`` → ``W_i^(1)``.
- Adjacent letters (no space between them in the source) are one run. A run is cut into the
  longest names the context declares (a symbol or a function, two letters or more) or the
  words ``log``, ``ln``, ``exp``; every other letter is a symbol of its own. So ``BCE`` is one
  symbol only when the context declares ``BCE``, else ``B·C·E``. A bare function word followed by
  more letters of its run (``logit``, ``lnx``) is refused rather than guessed.
- A word written upright (``\operatorname{X}``, ``\mathrm{X}``, ``\mathit{X}``, and
  ``\text{X}``/``\textrm{X}`` before a bracket or a power) is one name, never a product of
  letters: a declared symbol or function; else a known function, case aside
  (``\operatorname{ReLU}(x)`` is relu(x), ``\operatorname{sech}^2 x`` is sech(x)², also
  softplus, sigmoid, tanh, sign/sgn, abs, exp, log, ln, sinh, cosh, sin, cos, tan, max, min);
  else, before an operand, it is refused as an unknown function, and alone it is a symbol
  (``\mathrm{BCE}``). One upright letter keeps its meaning (``\mathrm{d}``, ``\mathrm{e}``).
- Indexed families: a name a sum's index subscripts (``x_i`` in ``\sum_{i=1}^n x_i``, also the
  series of ``\dots``) makes its base an indexed family, in the whole text (and, for the
  checker, in the whole document: ``Context.families``): every subscripted use of the base is
  an entry ``Indexed(IndexedBase(x), ...)``, inside or outside the sum (``x_1`` is ``x[1]``,
  ``x_{i+1}`` is ``x[i + 1]``, ``w_{ij}`` is ``w[i, j]`` when the sum's use has two indices).
  Sums over the context's index letters (``Context.indices``: derive.verify.indexed) and bases
  derive.verify.shapes reads (declared arrays, a vector's ``entries``) keep plain symbols. The
  checker also takes an undeclared name a sum runs up to (``n``) as a count (a whole number ≥ 1).
- ``e`` is Euler's number (``e^{x}`` is ``exp(x)``), never a symbol; ``e_i`` is the symbol
  ``e_i``. ``\pi`` is π unless the context declares a symbol ``pi``. ``\infty`` is ∞.

Reading rules and the decisions taken on ambiguous points:

- Precedence: ``+ -`` lowest; products (juxtaposition, ``* \cdot \times / \odot :``) read
  left to right; unary signs; powers and ``^T``; function application binds tightest.
  ``-x^2`` is ``-(x^2)``, ``-1(a+b)`` is ``-1·(a+b)``, ``a*-1`` is ``-a``. ``\odot`` and ``:``
  are ordinary multiplication on scalars (through ``_hadamard``/``_frobenius``); mixing them
  with matrix products is read left to right, and a run of arrays juxtaposed next to them is
  marked (``Juxtaposition``) so that derive.verify.shapes reports the other groupings.
- Arrays: a name the context declares with a shape is a ``MatrixSymbol``
  (``Context.matrix``). With an array operand the builders make SymPy matrix expressions in
  the order written, unchecked (``ArrayProduct``, ``ArraySum``, ``Transpose``,
  ``ArrayHadamard``, ``ArrayPower``, and ``a : b`` as ``Frobenius`` = ``Trace(aᵀb)``):
  derive.verify.shapes infers and checks the shapes. On arrays, ``\frac{a}{b}`` and ``a/b`` divide
  entry by entry, powers are entrywise, ``\log``, ``\sigma``, ``e^{…}`` and ML functions
  apply entry by entry (``Elementwise``; a declared function applied to an array stays a
  call, ``J(w)``), a scalar added to an array is added to every entry, and ``\mathbf{1}^T``
  is a row of ones. An undeclared name is a scalar, so ``z(1 - z)`` stays a product of
  scalars even where z turns out to be an array (derive.verify.shapes multiplies such factors entry
  by entry).
- ``J(w)`` is a call when the context declares the function ``J`` (or it is sigmoid, relu,
  softplus), else the product ``J·w``; a declared function written without an argument
  (``\frac{dJ}{dx}``) is the symbol of that name. ``\sigma(z)`` is sigmoid unless the context
  declares a symbol ``sigma``; ``\sigma`` without a bracket is the symbol ``sigma``.
  ``f'(a)`` is ``Subs(Derivative(f(t), t), t, a)`` for a declared ``f``.
- ``\log``, ``\ln``, bare ``log``/``ln`` are the natural log, ``\exp``/``exp`` the exponential,
  ``\tanh``, ``\sinh``, ``\cosh``, ``\sin``, ``\cos``, ``\tan`` those functions. Without
  brackets they apply to the next factor: ``\log x^2 y`` is ``log(x^2)·y``; ``\log(x)^2`` is
  ``log(x)^2``; ``\tanh^2 x`` is ``tanh(x)**2``.
  ``\max(a, b)``/``\min(a, b)`` are ``Max``/``Min`` and need their bracket; ``|z|``,
  ``\left| z \right|``, ``\lvert z \rvert`` are ``Abs(z)`` (a bar opens an absolute value
  unless one is open and the token before it ends an operand: ``e^{-|z|}``, ``|a| + |b|``).
- ``X^T``, ``X^{T}``, ``X^\top`` are ``sp.transpose(X)`` (the symbol itself for a scalar),
  unless the context declares a symbol ``T`` (then ``X^T`` is a power).
- Derivatives: ``\frac{dJ}{dx}``, ``\frac{\partial J}{\partial x}``, ``\frac{d(1-x)}{dx}``,
  ``\frac{d^2 y}{dx^2}`` become unevaluated ``Derivative``. An operator ``\frac{d}{dx}`` or
  ``\frac{\partial}{\partial x}`` applies to the rest of its product, up to the next ``+`` or
  ``-`` at its level (not ambiguous: that is the rule). A fraction whose denominator starts
  with ``d``/``\partial`` and a variable is always a derivative (unless the context declares a
  symbol ``d``); its numerator must then start with ``d`` or ``\partial``.
- Sums ``\sum_{i=1}^{m} body`` become ``Sum(body, (i, 1, m))``; the body is the rest of the
  product. ``\sum_j`` runs from 1 to the count the context gives j (``Context.indices``;
  refused when it gives none), ``\sum_j^C`` from 1 to C; ``\sum_{k \neq i} b`` is
  ``Sum(b·(1 - KroneckerDelta(i, k)), (k, 1, C))``. ``\delta_{ij}`` is ``KroneckerDelta(i, j)``
  and ``\begin{cases} a & i = j \\ b & i \neq j \end{cases}`` a ``Piecewise``.
  ``\lim_{h \to 0}`` (a two-sided ``Limit``) and ``\nabla_w`` (``Derivative`` w.r.t. w) take
  the rest of the product as a sum does. When the term holding a sum is
  followed by ``+``/``-`` at the same level, the extent is ambiguous (``AmbiguityError`` with
  the two readings written in LaTeX), unless the body is a single bracketed group:
  ``\sum_i (a_i + b_i) + c`` is read as the sum of the bracket, plus ``c``. A name in the body
  subscripted by the index is an entry of an indexed family (see Names).
- Differentials (matrix calculus): ``d`` followed by an operand (name, group, bracket or
  ``\log``) is ``Differential(operand)`` when the context declares no symbol or function ``d``
  and either the relation contains ``:`` (a Frobenius product) or the operand is a symbol the
  context declares. Otherwise ``d`` is a symbol and ``dL`` the product ``d·L``.
- ``a + x_1 w_1 + x_2 w_2 + \dots + x_k w_k``: the term after ``\dots`` is a pattern in one
  subscript (``k``); the terms just before ``\dots`` must be that pattern at consecutive
  integers. They become ``Sum(x_j w_j, (j, first, k))`` with a fresh index (``j``, ``i``, ...);
  anything else is refused ("cannot read '\dots'").
- Layout: ``$``/``$$``, ``\begin{aligned}`` (and align, equation, split, gather),
  ``\eqalign{...}``, line breaks ``\\``/``\cr``, ``&`` alignment; spacing (``\quad``, ``\,``,
  ``~``, ...) is ignored; ``\quad (5)`` at the end of a line and ``\tag{5}`` give
  ``Relation.tag``; ``\text{...}``/``\mbox{...}`` and ``\mathrm{...}`` with more than letters
  are prose, kept in ``Relation.prose`` and allowed only before or after a side. A line may end
  with ``=`` (the chain goes on at the next line, which starts with ``=``).
- Numbers: integers and decimals read exactly (``0.5`` is ``1/2``). A number of more than 4000
  digits, read or built (``e^{10^{10^{10}}}``), is refused ("number too large"); a power is
  refused before it is computed. Python prints at most 4300 digits, and every value read must
  stay printable.
- Hostile input: more than 20,000 characters, nesting deeper than 200 brackets, control
  characters, unknown commands (``\input``, ``\def``, ``\newcommand``, ...), an unmatched
  ``|``, and relations other than ``=`` (``\to`` outside a limit) are refused by name.
  Nothing but ``ParseError`` escapes. While a text is read, the recursion limit is raised to
  4000 if it is lower (and restored after), so that 200 nested brackets can be built;
  expressions that deep may still be slow for SymPy.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import sympy as sp
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex
from sympy.core.function import UndefinedFunction
from sympy.matrices.expressions import MatrixExpr
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from derive.core.context import Context
from derive.core.errors import AmbiguityError, ParseError
from derive.core.functions import ML_FUNCTIONS, sigmoid

__all__ = [
    "ArrayHadamard",
    "ArrayPower",
    "ArrayProduct",
    "ArraySum",
    "Differential",
    "Elementwise",
    "Frobenius",
    "Juxtaposition",
    "Relation",
    "index_families",
    "parse_expression",
    "parse_lines",
    "parse_name",
    "parse_relation",
]

MAX_LENGTH = 20_000
"""The longest text read, in characters."""
MAX_NESTING = 200
"""The deepest nesting of brackets (and of chained operators) read."""
MAX_DIGITS = 4_000
"""The most decimal digits a number read or built may have (Python prints at most 4300)."""


@dataclass(frozen=True)
class Relation:
    """One line of a derivation: sides joined by '=' (a leading '=' continues the previous line)."""

    sides: tuple[sp.Expr, ...]
    continues: bool = False
    tag: str | None = None
    prose: tuple[str, ...] = ()
    operators: tuple[str, ...] = field(default=(), compare=False)
    """'=' or '≠' between consecutive sides (the first one joins the previous line's last
    side when the line continues)."""


class Differential(sp.Function):  # type: ignore[misc]
    """The differential d(X) of matrix calculus, as in ``dL = y : d log(ŷ)``."""

    nargs = 1

    def _latex(self, printer: object, exp: object = None) -> str:
        inner = printer._print(self.args[0])  # type: ignore[attr-defined]
        body = rf"d\left({inner}\right)"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body

    def _sympystr(self, printer: object) -> str:
        return f"d({printer._print(self.args[0])})"  # type: ignore[attr-defined]


# ---- builders: every product, sum, power, transpose is made here. On scalars they build
# ordinary SymPy expressions; as soon as an operand is an array (a matrix symbol, or anything
# holding one) they build SymPy's matrix expressions in the order written, without checking
# that the shapes conform: derive.verify.shapes infers the shapes and reports what does not conform.


class _TooLarge(Exception):
    """A number would pass MAX_DIGITS digits."""


def _custom(printer: Any, name: str) -> Any:
    """The printer's own method for ``name`` when it overrides SymPy's plain string one."""
    method = getattr(type(printer), name, None)
    return None if method is None or method is getattr(StrPrinter, name, None) else method


class _AsWritten:
    """Built as written: SymPy's own checks and rewrites of shapes are left to
    derive.verify.shapes (so rebuilding a node, as ``replace`` does, never raises)."""

    def __new__(cls, *args: Any, **options: Any) -> Any:
        return sp.Basic.__new__(cls, *args)


class ArrayProduct(_AsWritten, sp.MatMul):  # type: ignore[misc]
    """A product of arrays in the order written; its shapes are checked by derive.verify.shapes."""

    precedence = PRECEDENCE["Mul"]

    def _sympystr(self, printer: Any) -> str:
        if self.args[0] == sp.S.NegativeOne and len(self.args) > 1:
            rest = self.args[1:]
            value = rest[0] if len(rest) == 1 else _product_of(*rest)
            printed = printer.parenthesize(value, PRECEDENCE["Mul"], strict=True)
            return f"{'−' if _custom(printer, '_print_MatMul') else '-'}{printed}"
        custom = _custom(printer, "_print_MatMul")
        if custom is not None:
            return str(custom(printer, self))
        return "*".join(printer.parenthesize(a, PRECEDENCE["Mul"], strict=True)
                        for a in self.args)


class ArraySum(_AsWritten, sp.MatAdd):  # type: ignore[misc]
    """A sum of arrays (a scalar term is added to every entry); shapes checked by
    derive.verify.shapes."""

    precedence = PRECEDENCE["Add"]

    def _terms(self, printer: Any, minus: str) -> str:
        out = ""
        for k, term in enumerate(self.args):
            negative = isinstance(term, sp.MatMul) and term.args[0] == sp.S.NegativeOne
            if negative:
                rest = term.args[1:]
                term = rest[0] if len(rest) == 1 else _product_of(*rest)
            elif isinstance(term, sp.Mul) and not _is_array(term) and \
                    term.could_extract_minus_sign():
                negative, term = True, -term
            printed = printer.parenthesize(term, PRECEDENCE["Add"], strict=negative)
            if k == 0:
                out = f"{minus}{printed}" if negative else printed
            else:
                out += f" {minus} {printed}" if negative else f" + {printed}"
        return out

    def _sympystr(self, printer: Any) -> str:
        return self._terms(printer, "−" if _custom(printer, "_print_MatAdd") else "-")

    def _latex(self, printer: Any) -> str:
        return self._terms(printer, "-")


class Juxtaposition(ArrayProduct):
    """Arrays written side by side next to ``\\odot`` or ``:`` with no bracket saying which
    of them the ⊙ joins: ``(X)^T (\\hat y - y) (w_2^T) \\odot f'(a_1)``. It is read left to right
    (``[Xᵀ(ŷ − y)w₂ᵀ] ⊙ f'(a₁)``); derive.verify.shapes reports the other readings."""


class ArrayHadamard(_AsWritten, sp.HadamardProduct):  # type: ignore[misc]
    """``a ⊙ b``, the elementwise product (``a/b`` of arrays is ``a ⊙ b^(-1)``)."""

    precedence = PRECEDENCE["Mul"]

    def _parts(self, printer: Any, times: str, over: Callable[[str, str], str]) -> str:
        out = ""
        for k, factor in enumerate(self.args):
            if k and isinstance(factor, ArrayPower) and factor.args[1] == sp.S.NegativeOne:
                out = over(out, printer.parenthesize(factor.args[0], PRECEDENCE["Mul"],
                                                     strict=True))
                continue
            printed = printer.parenthesize(factor, PRECEDENCE["Mul"], strict=True)
            out = printed if k == 0 else f"{out}{times}{printed}"
        return out

    def _sympystr(self, printer: Any) -> str:
        return self._parts(printer, " ⊙ ", lambda a, b: f"{a}/{b}")

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return self._parts(printer, r" \odot ", lambda a, b: rf"\frac{{{a}}}{{{b}}}")


class ArrayPower(_AsWritten, sp.HadamardPower):  # type: ignore[misc]
    """An entrywise power; ``a/b`` of arrays is ``a ⊙ b^(-1)``."""

    def _sympystr(self, printer: Any) -> str:
        base, exponent = self.args
        if exponent == sp.S.NegativeOne:
            return f"1/{printer.parenthesize(base, PRECEDENCE['Pow'], strict=True)}"
        return (f"{printer.parenthesize(base, PRECEDENCE['Pow'], strict=True)}^"
                f"{printer.parenthesize(exponent, PRECEDENCE['Pow'], strict=True)}")

    def _latex(self, printer: Any, exp: Any = None) -> str:
        base, exponent = self.args
        if exponent == sp.S.NegativeOne:
            return rf"\frac{{1}}{{{printer._print(base)}}}"
        return rf"\left({printer._print(base)}\right)^{{{printer._print(exponent)}}}"


class Frobenius(_AsWritten, sp.Trace):  # type: ignore[misc]
    """``a : b``, the Frobenius product tr(aᵀb), held as ``Trace(aᵀb)``."""

    def _sides(self) -> tuple[Any, Any]:
        product = self.args[0]
        return product.args[0].args[0], product.args[1]

    def _sympystr(self, printer: Any) -> str:
        left, right = self._sides()
        level = PRECEDENCE["Mul"]
        return f"{printer.parenthesize(left, level)} : {printer.parenthesize(right, level)}"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        left, right = self._sides()
        level = PRECEDENCE["Mul"]
        return f"{printer.parenthesize(left, level)} : {printer.parenthesize(right, level)}"


class Elementwise(_AsWritten, ElementwiseApplyFunction):  # type: ignore[misc]
    """A scalar function applied entry by entry to an array: log(ŷ), σ(a₂), f'(a₁)."""

    def _function_text(self, printer: Any) -> str:
        body = self.function.expr
        variable = self.function.variables[0]
        if isinstance(body, sp.Derivative) and body.expr.args == (variable,):
            return f"{type(body.expr).__name__}'"
        if isinstance(body, sp.Function) and body.args == (variable,):
            name = str(type(body).__name__)
            return "σ" if name == "sigmoid" and _custom(printer, "_print_Symbol") else name
        return str(printer._print(self.function))

    def _sympystr(self, printer: Any) -> str:
        return f"{self._function_text(printer)}({printer._print(self.expr)})"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        name = self._function_text(printer).replace("sigmoid", "\\sigma").replace(
            "relu", "\\operatorname{relu}")
        body = rf"{name}\left({printer._print(self.expr)}\right)"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body


def _is_array(value: object) -> bool:
    """Array-valued: a matrix expression, or an expression holding a matrix symbol."""
    if isinstance(value, MatrixExpr):
        return True
    return isinstance(value, sp.Basic) and bool(value.atoms(sp.MatrixSymbol))


def _node(kind: Any, *args: Any) -> Any:
    """A matrix-expression node built as written (SymPy would check or rewrite it)."""
    return sp.Basic.__new__(kind, *args)


def _product_of(*factors: Any) -> Any:
    return factors[0] if len(factors) == 1 else ArrayProduct(*factors)


def _add(*terms: sp.Expr) -> sp.Expr:
    if any(_is_array(term) for term in terms):
        flat = [a for t in terms for a in (t.args if type(t) is ArraySum else (t,))]
        return ArraySum(*flat) if len(flat) > 1 else flat[0]
    return sp.Add(*terms)


def _mul(*factors: sp.Expr) -> sp.Expr:
    if any(_is_array(factor) for factor in factors):
        flat = [a for f in factors for a in (f.args if type(f) is ArrayProduct else (f,))]
        flat = [f for f in flat if f != sp.S.One] or [sp.S.One]
        return _product_of(*flat)
    return sp.Mul(*factors)


def _run(*factors: sp.Expr) -> sp.Expr:
    """Factors juxtaposed next to ⊙ or :; marked when two or more of them are arrays."""
    if sum(1 for factor in factors if _is_array(factor)) >= 2:
        return Juxtaposition(*factors)
    return _mul(*factors)


def _negate(value: sp.Expr) -> sp.Expr:
    return _mul(sp.S.NegativeOne, value)


def _power_digits(base: sp.Expr, exponent: sp.Expr) -> int:
    """About how many digits base**exponent has when both are rational numbers (else 0)."""
    if not (isinstance(base, sp.Rational) and isinstance(exponent, sp.Rational)):
        return 0
    numerator, denominator = abs(int(base.p)), int(base.q)
    if numerator <= 1 and denominator == 1:
        return 0
    bits = max(numerator.bit_length(), denominator.bit_length())
    # digits ≈ |exponent| · bits · log10(2); integers only, so no float overflow
    return abs(int(exponent.p)) * bits * 30103 // (100000 * int(exponent.q))


def _pow(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    if _is_array(base) or _is_array(exponent):
        if base is sp.E:
            return _apply(sp.exp, exponent)
        return ArrayPower(base, exponent)  # powers of arrays are entrywise
    if _power_digits(base, exponent) > MAX_DIGITS:
        raise _TooLarge
    return sp.Pow(base, exponent)


def _reciprocal(value: sp.Expr) -> sp.Expr:
    return _pow(value, sp.S.NegativeOne)


def _div(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    if _is_array(denominator):  # a/b of arrays is the elementwise (Hadamard) division
        return _hadamard(numerator, _reciprocal(denominator))
    return _mul(numerator, _reciprocal(denominator))


def _hadamard(left: sp.Expr, right: sp.Expr) -> sp.Expr:
    """The elementwise product ``left ⊙ right``; ordinary multiplication on scalars."""
    if _is_array(left) or _is_array(right):
        return ArrayHadamard(left, right)
    return _mul(left, right)


def _frobenius(left: sp.Expr, right: sp.Expr) -> sp.Expr:
    """The Frobenius product ``left : right`` = tr(leftᵀ right); multiplication on scalars."""
    if _is_array(left) or _is_array(right):
        return Frobenius(ArrayProduct(sp.Transpose(left), right))
    return _mul(left, right)


def _transpose(value: sp.Expr) -> sp.Expr:
    if _is_array(value):
        return _node(sp.Transpose, value)
    if value == sp.S.One:  # 1ᵀ: the row of ones (its length is that of what it multiplies)
        return _node(sp.Transpose, _node(sp.OneMatrix, ONES_LENGTH, sp.S.One))
    return sp.transpose(value)


ONES_LENGTH = sp.Symbol("ones_length", integer=True, positive=True)
"""The length of the vector of ones read from ``\\mathbf{1}^T``, fixed by what it multiplies."""


def _apply(function: Any, *args: sp.Expr) -> sp.Expr:
    """A function applied to its arguments; to an array, entry by entry."""
    if len(args) == 1 and _is_array(args[0]):
        if function is Differential:
            return _node(Differential, args[0])
        if isinstance(function, UndefinedFunction):  # J(w): derive.verify.shapes decides what it is
            return function(*args)
        variable = sp.Dummy("t")
        return Elementwise(sp.Lambda(variable, function(variable)), args[0])
    return function(*args)


def _product(first: sp.Expr, rest: Sequence[tuple[str, sp.Expr]]) -> sp.Expr:
    """``first`` times each (operator, factor) of ``rest``, left to right.

    Operators: ``""`` (juxtaposed), ``"*"``, ``"/"``, ``"odot"``, ``":"``. Runs of ordinary
    products are gathered into one ``Mul`` (a long product costs linear time).
    """
    pending = [first]
    joined = False
    for operator, factor in rest:
        if operator in ("", "*"):
            pending.append(factor)
        elif operator == "/":
            if _is_array(factor):
                pending = [_div(_mul(*pending), factor)]
            else:
                pending.append(_reciprocal(factor))
        else:
            combine = _hadamard if operator == "odot" else _frobenius
            pending = [combine(_run(*pending), factor)]
            joined = True
    if len(pending) == 1:
        return pending[0]
    return _run(*pending) if joined else _mul(*pending)


def _derivative(expr: sp.Expr, variables: Sequence[tuple[sp.Symbol, int]]) -> sp.Expr:
    if _is_array(expr) or any(_is_array(variable) for variable, _ in variables):
        counts = [sp.Tuple(variable, order) for variable, order in variables]
        return _node(sp.Derivative, expr, *counts)
    counts = [variable if order == 1 else (variable, order) for variable, order in variables]
    return sp.Derivative(expr, *counts, evaluate=False)


def _sum(body: sp.Expr, index: sp.Symbol, start: sp.Expr, end: sp.Expr) -> sp.Expr:
    if _is_array(body):
        return _node(sp.Sum, body, sp.Tuple(index, start, end))
    return sp.Sum(body, (index, start, end))


# ---- the grammar -------------------------------------------------------------------------


class _KeepRefused(PostLex):
    """Keeps the terminals no rule uses (unknown commands, other relations) in the lexer, so
    they are lexed whole and refused by name instead of as a stray backslash."""

    always_accept = ("CS", "CSYM", "RELATION", "ORDER", "BAR")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return _paired_bars(_operator_words(stream))


_ARGUMENT_OPENERS = frozenset({"LPAR", "LEFT_PAR", "SUP"})


def _operator_words(stream: Iterator[Token]) -> Iterator[Token]:
    """``\\text{relu}(x)``: a word in ``\\text`` before a bracket or a power, or a known
    function's name before any operand, names a function (UPRIGHT), not prose."""
    pending: Token | None = None
    for token in stream:
        if pending is not None:
            match = _OPERATOR_FORMS.fullmatch(pending)
            assert match is not None
            word = match.group(2)
            if token.type in _ARGUMENT_OPENERS or (
                    word.lower() in _OPERATORS and token.type in _EXPRESSION_STARTS):
                pending = Token.new_borrow_pos("UPRIGHT", str(pending), pending)
            yield pending
            pending = None
        if token.type == "PROSE" and _OPERATOR_FORMS.fullmatch(token):
            pending = token
            continue
        yield token
    if pending is not None:
        yield pending


_ENDS_OPERAND = frozenset({
    "LETTER", "NUMBER", "GREEK", "INFTY", "UPRIGHT", "FRAC_DIGITS", "PRIME", "TOP", "RBRACE",
    "RPAR", "RSQ", "RCURLY", "RIGHT_PAR", "RIGHT_SQ", "RIGHT_CURLY", "ABS_CLOSE",
})


def _paired_bars(stream: Iterator[Token]) -> Iterator[Token]:
    """Each '|' opens an absolute value, or closes the open one when the token before it ends
    an operand: ``|z|``, ``e^{-|z|}``, ``|a| + |b|``."""
    depth = 0
    previous: Token | None = None
    for token in stream:
        if token.type == "BAR":
            closing = depth > 0 and previous is not None and previous.type in _ENDS_OPERAND
            token = Token.new_borrow_pos("ABS_CLOSE" if closing else "ABS_OPEN", token, token)
        if token.type == "ABS_OPEN":
            depth += 1
        elif token.type == "ABS_CLOSE":
            depth = max(0, depth - 1)
        previous = token
        yield token


def _cache_file() -> str | bool:
    """Where lark keeps the analysed grammar between runs: a file in the user's own cache
    directory (never the shared temporary directory, where another user could plant one).
    Lark checks the grammar's hash and its own version before it uses the file."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(root, "derive")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.stat(folder).st_uid != os.getuid() or not os.access(folder, os.W_OK):
            return False
    except OSError:
        return False
    return os.path.join(folder, "latex-grammar.lark-cache")


@cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("latex.lark").read_text(encoding="utf-8")
    options = {"parser": "lalr", "lexer": "basic", "propagate_positions": True,
               "postlex": _KeepRefused()}
    try:
        return Lark(grammar, cache=_cache_file(), **options)
    except OSError:
        return Lark(grammar, **options)


Node = Tree[Token] | Token

_OPENERS = {
    "LBRACE": "RBRACE",
    "LPAR": "RPAR",
    "LSQ": "RSQ",
    "LCURLY": "RCURLY",
    "LEFT_PAR": "RIGHT_PAR",
    "LEFT_SQ": "RIGHT_SQ",
    "LEFT_CURLY": "RIGHT_CURLY",
    "BEGIN": "END",
    "ABS_OPEN": "ABS_CLOSE",
    "CASES_BEGIN": "CASES_END",
}
_CLOSERS = {closer: opener for opener, closer in _OPENERS.items()}
_READABLE = {
    "RBRACE": "'}'",
    "RPAR": "')'",
    "RSQ": "']'",
    "RCURLY": "'\\}'",
    "RIGHT_PAR": "'\\right)'",
    "RIGHT_SQ": "'\\right]'",
    "RIGHT_CURLY": "'\\right\\}'",
    "END": "'\\end{...}'",
    "ABS_CLOSE": "'|'",
    "CASES_END": "'\\end{cases}'",
    "LBRACE": "'{'",
    "EQ": "'='",
    "COMMA": "','",
    "LINEBREAK": "a line break",
    "DOLLAR": "'$'",
    "$END": "the end of the input",
    "SUB": "'_'",
    "SUP": "'^'",
}
_EXPRESSION_STARTS = {
    "LETTER",
    "NUMBER",
    "GREEK",
    "INFTY",
    "PARTIAL",
    "TOP",
    "DOTS",
    "FUNC",
    "UPRIGHT",
    "FRAC_DIGITS",
    "FRAC",
    "SUM",
    "ACCENT",
    "BOLD",
    "LPAR",
    "LSQ",
    "LCURLY",
    "LEFT_PAR",
    "LEFT_SQ",
    "LEFT_CURLY",
    "PLUS",
    "MINUS",
    "ABS_OPEN",
    "CASES_BEGIN",
    "LIM",
    "NABLA",
}
_CONTINUATIONS = {"MUL", "DIV", "HADAMARD", "COLON", "PLUS", "MINUS", "PRIME"}
_MULTIPLY = {"MUL": "*", "DIV": "/", "HADAMARD": "odot", "COLON": ":"}
_FILLERS = {"AMP", "PROSE", "TAG", "QUADTAG"}
_CALL_BRACKETS = {"LPAR", "LEFT_PAR"}
_ENVIRONMENTS = {
    "aligned",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "equation",
    "equation*",
    "split",
    "gather",
    "gather*",
    "gathered",
    "eqnarray",
    "eqnarray*",
    "multline",
    "multline*",
}
_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "log": sp.log,
    "ln": sp.log,
    "exp": sp.exp,
    "tanh": sp.tanh,
    "max": sp.Max,
    "min": sp.Min,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
}
"""Functions applied to the next factor: ``\\log x``; the bare words are _BARE_FUNCTIONS."""
_BARE_FUNCTIONS = ("log", "ln", "exp", "tanh", "max", "min")
_OPERATORS: dict[str, Callable[..., sp.Expr]] = {
    **_FUNCTIONS,
    **ML_FUNCTIONS,
    "sech": sp.sech,
    "sign": sp.sign,
    "sgn": sp.sign,
    "abs": sp.Abs,
}
"""The functions ``\\operatorname{X}`` (``\\mathrm``, ``\\text``, ...) names, by lower-case
name: ``\\operatorname{ReLU}`` is relu."""
_OPERATOR_FORMS = re.compile(r"\\(text|textrm|textit)\s*\{\s*([A-Za-z]{2,})\s*\}")
_CASE_TESTS: dict[str, Callable[[sp.Expr, sp.Expr], sp.Basic]] = {
    "=": sp.Eq, "≠": sp.Ne, "<": sp.Lt, ">": sp.Gt, "≤": sp.Le, "≥": sp.Ge,
}
"""The condition of a case: ``i = j``, ``i \\neq j``, ``x > 0``, ``x \\leq 0``."""


def _case_relation(token: Token | Tree[Token]) -> str:
    """The relation of a case's condition as one sign: ``\\geq`` is ``≥``."""
    text = str(token).strip().lstrip("\\")
    if text in ("=", "<", ">"):
        return text
    return {"ne": "≠", "neq": "≠", "lt": "<", "gt": ">", "le": "≤", "leq": "≤", "ge": "≥",
            "geq": "≥"}[text]


_ACCENT_SUFFIX = {
    "hat": "hat",
    "widehat": "hat",
    "bar": "bar",
    "overline": "bar",
    "tilde": "tilde",
    "widetilde": "tilde",
    "dot": "dot",
    "ddot": "ddot",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INDEX_NAMES = ("j", "i", "l", "n", "p", "q", "r", "s", "u", "v")
_T = TypeVar("_T")


# ---- intermediate records ------------------------------------------------------------------


@dataclass
class _Word:
    """One name read from a run of letters or from ``\\mathrm{...}``."""

    text: str
    token: Token
    operator: bool = False
    """A function's name written upright (``\\operatorname{sech}``): applied to what follows."""


Core = Tree[Token] | Token | _Word


@dataclass
class _Entry:
    """One factor of a product: its operator, unary signs, atom and scripts."""

    op: Token | None
    signs: tuple[Token, ...]
    core: Core
    postfixes: tuple[Tree[Token], ...] = ()


@dataclass
class _Name:
    """A name under construction: base with accents, subscript, layer index, primes."""

    text: str
    token: Token
    sub: str | None = None
    layer: str | None = None
    primes: int = 0
    greek: bool = False

    def full(self) -> str:
        name = self.text
        if self.sub is not None:
            name += "_" + self.sub
        if self.layer is not None:
            name += "^(" + self.layer + ")"
        return name


@dataclass
class _DerivativeForm:
    """What a derivative fraction says: its variables and the numerator after d/∂."""

    variables: tuple[tuple[sp.Symbol, int], ...]
    body: list[_Entry] = field(default_factory=list)


# ---- the reader ----------------------------------------------------------------------------


class _Reader:
    """Reads one text against one context: checks, lexes, parses, builds SymPy objects."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        self.text = text
        self.context = context
        self.source = source
        self.declaring = declaring
        self.frobenius_line = False
        self.digits = 0
        self.tokens: list[Token] = []
        self.derivatives: dict[int, _DerivativeForm | None] = {}
        words = {name for name in context.symbols if name.isalpha() and len(name) > 1}
        words |= {name for name in context.functions if name.isalpha() and len(name) > 1}
        words |= {name for name in ML_FUNCTIONS if name.isalpha()}
        words |= set(_BARE_FUNCTIONS) | {"diag"}
        self.words = words
        self.longest_word = max(len(word) for word in words)
        self.families: dict[str, int] = dict(context.families)
        self.counts: set[str] = set()
        self.scanning = False

    # -- errors ----------------------------------------------------------------------------

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def error(
        self,
        message: str,
        at: Node | _Word | _Entry | int | None,
        expected: tuple[str, ...] = (),
    ) -> ParseError:
        line, column = self.position(self.start(at))
        return ParseError(
            message,
            text=self.text,
            line=line,
            column=column,
            expected=expected,
            source=self.source,
        )

    def fail(self, message: str, at: Node | _Word | _Entry | int | None) -> NoReturn:
        raise self.error(message, at)

    def start(self, at: Node | _Word | _Entry | int | None) -> int:
        if at is None:
            return 0
        if isinstance(at, int):
            return at
        if isinstance(at, _Entry):
            first = at.op or (at.signs[0] if at.signs else None)
            return self.start(first if first is not None else at.core)
        if isinstance(at, _Word):
            return self.start(at.token)
        if isinstance(at, Token):
            return at.start_pos if at.start_pos is not None else 0
        if not at.meta.empty:
            return at.meta.start_pos
        return self.start(at.children[0]) if at.children else 0

    def end(self, at: Node | _Entry) -> int:
        if isinstance(at, _Entry):
            at = at.core if not isinstance(at.core, _Word) else at.core.token
        if isinstance(at, Token):
            return at.end_pos if at.end_pos is not None else 0
        if not at.meta.empty:
            return at.meta.end_pos
        return self.end(at.children[-1]) if at.children else 0

    # -- checks, lexing, parsing -------------------------------------------------------------

    def parse(self) -> Tree[Token]:
        if len(self.text) > MAX_LENGTH:
            self.fail(
                f"input too long: {len(self.text)} characters (at most {MAX_LENGTH})",
                MAX_LENGTH,
            )
        control = _CONTROL.search(self.text)
        if control:
            self.fail(
                f"control character U+{ord(control.group()):04X} is not allowed", control.start()
            )
        try:
            self.tokens = list(_parser().lex(self.text))
        except UnexpectedCharacters as error:
            offset = error.pos_in_stream or 0
            self.fail(f"unexpected character {self.text[offset : offset + 1]!r}", offset)
        self.check_tokens()
        try:
            tree = _parser().parse(self.text)
        except UnexpectedToken as error:
            raise self.unexpected(error) from None
        except UnexpectedInput as error:
            self.fail("cannot read this text", error.pos_in_stream or 0)
        dollars = [c for c in tree.children if isinstance(c, Token) and c.type == "DOLLAR"]
        if dollars and dollars[0] != dollars[-1]:
            self.fail(f"'{dollars[-1]}' does not close '{dollars[0]}'", dollars[-1])
        return tree

    def check_tokens(self) -> None:
        stack: list[Token] = []
        limits = 0  # \lim tokens still waiting for their '\to'
        cases = 0  # open \begin{cases}: an order relation may be a case's condition
        for token in self.tokens:
            kind = token.type
            limits += kind == "LIM"
            cases += (kind == "CASES_BEGIN") - (kind == "CASES_END")
            if kind == "ORDER" and not cases:
                self.fail(f"the relation '{token}' is not read: only '=' and '≠' chains are "
                          "(an order is read as the condition of a case)", token)
            if kind == "CS":
                self.fail(f"unknown command '{_short(token)}'" + _hint(str(token)), token)
            if kind == "CSYM":
                self.fail(f"unknown control symbol '{token}'", token)
            if kind == "TO":
                if not limits:
                    self.fail(f"'{token}' is read only under a limit: \\lim_{{h \\to 0}}", token)
                limits -= 1
            if kind == "RELATION":
                self.fail(f"the relation '{token}' is not read: only '=' and '≠' chains are", token)
            if kind == "NUMBER" and len(token) > MAX_DIGITS:
                self.fail("number too large", token)
            if kind in _OPENERS:
                if kind == "BEGIN" and _environment(token) not in _ENVIRONMENTS:
                    self.fail(f"cannot read the environment '{_environment(token)}'", token)
                stack.append(token)
                if len(stack) > MAX_NESTING:
                    self.fail(f"nesting deeper than {MAX_NESTING}", token)
            elif kind in _CLOSERS:
                if not stack:
                    self.fail(f"unmatched '{token}'", token)
                opener = stack.pop()
                if _OPENERS[opener.type] != kind or (
                    kind == "END" and _environment(opener) != _environment(token)
                ):
                    line, column = self.position(self.start(opener))
                    raise self.error(
                        f"'{token}' does not close '{opener}' (line {line}, column {column})",
                        token,
                        expected=(_closer_text(opener),),
                    )
        if stack:
            opener = stack[-1]
            raise self.error(f"unmatched '{opener}'", opener, expected=(_closer_text(opener),))

    def unexpected(self, error: UnexpectedToken) -> ParseError:
        token = error.token
        expected = _readable(error.expected)
        if token.type == "$END":
            at = self.end(self.tokens[-1]) if self.tokens else 0
            return self.error("unexpected end of input", at, expected)
        before = [
            t for t in self.tokens if t.end_pos is not None and t.end_pos <= self.start(token)
        ]
        if token.type == "PROSE" or (before and before[-1].type == "PROSE"):
            prose = token if token.type == "PROSE" else before[-1]
            message = f"prose '{_short(prose)}' is read only before or after a side"
            return self.error(message, prose, expected)
        if token.type == "LINEBREAK":
            message = "unexpected line break"
        else:
            message = f"unexpected '{_short(token)}'"
        return self.error(message, token, expected)

    # -- lines and relations ---------------------------------------------------------------

    def relations(self) -> list[tuple[Relation, Token | None, Tree[Token]]]:
        """Every non-empty line: its relation, its first '=' and its tree; a name of an
        indexed family is read as its entry (``x_1`` is ``x[1]``)."""
        found = []
        for line in _lines(self.parse()):
            read = self.relation(line)
            if read is not None:
                found.append((read[0], read[1], line))
        self.find_families([side for relation, _, _ in found for side in relation.sides])
        if self.declaring or self.scanning or not self.families:
            return found
        return [(replace(relation, sides=tuple(self.entries_of(side) for side in relation.sides)),
                 equals, line) for relation, equals, line in found]

    # -- indexed families --------------------------------------------------------------------

    def handled_elsewhere(self, base: str) -> bool:
        """A base whose subscripted names derive.verify.shapes reads (an array, a vector's entries)
        or that names a function: never an indexed family."""
        info = self.context.symbols.get(base)
        if (info is not None and info.shape is not None) or self.context.is_function(base):
            return True
        return any(other.entries is not None and other.entries.rpartition("_")[0] == base
                   for other in self.context.symbols.values())

    def find_families(self, values: Sequence[sp.Expr]) -> None:
        """The bases a sum's index subscripts in ``values`` (``x`` in Σᵢ xᵢ), with their number
        of indices, and the undeclared names the sums run up to. Sums over the context's
        index letters are derive.verify.indexed's (its names stay symbols)."""
        for value in values:
            for loop in value.atoms(sp.Sum, sp.Product):
                for limit in loop.limits:
                    index, high = limit[0], limit[-1]
                    if str(index) in self.context.indices:
                        continue
                    if isinstance(high, sp.Symbol) and high.name not in self.context.symbols:
                        self.counts.add(high.name)
                    for symbol in loop.function.atoms(sp.Symbol):
                        split = _split_name(symbol.name)
                        if split is None or self.handled_elsewhere(split[0]):
                            continue
                        parts = _index_parts(split[1], str(index))
                        if any(_mentions(part, str(index)) for part in parts):
                            self.families.setdefault(split[0], len(parts))

    def entries_of(self, value: sp.Expr) -> sp.Expr:
        """``value`` with each subscripted name of a family read as its entry."""
        mapping: dict[sp.Basic, sp.Basic] = {}
        for symbol in value.atoms(sp.Symbol):
            split = _split_name(symbol.name)
            if split is None or split[0] not in self.families or \
                    self.handled_elsewhere(split[0]):
                continue
            base, script = split
            indices = [self.index_value(part, symbol.name)
                       for part in _entry_parts(script, self.families[base])]
            mapping[symbol] = self.context.family(base)[tuple(indices)]
        return value.xreplace(mapping) if mapping else value

    def index_value(self, part: str, name: str) -> sp.Expr:
        """One index of an entry: a number, a letter (or a word), or an expression (i+1)."""
        if part.isdigit():
            return sp.Integer(int(part))
        if part.isalpha():
            return self.context.symbol(part)
        try:
            value = _Reader(part, replace(self.context, families={}), self.source).expression()
        except ParseError:
            value = None
        if not isinstance(value, sp.Expr) or _is_array(value) or value.atoms(sp.Indexed):
            self.fail(f"cannot read the index '{_short(part)}' of {_short(name)}: the name "
                      "is an entry of an indexed family (its base is subscripted by a "
                      "sum's index)", None)
        return value

    def relation(self, line: Tree[Token]) -> tuple[Relation, Token | None] | None:
        self.frobenius_line = any(
            isinstance(value, Token) and value.type == "COLON"
            for value in line.scan_values(lambda v: isinstance(v, Token))
        )
        equals = [c for c in line.children if isinstance(c, Token)]
        prose: list[str] = []
        tags: list[tuple[str, Token]] = []
        nodes: list[Node | None] = []
        for segment in line.children:
            if not isinstance(segment, Tree):
                continue
            node: Node | None = None
            for child in segment.children:
                if isinstance(child, Token) and child.type in _FILLERS:
                    if child.type == "PROSE":
                        prose.append(child[child.index("{") + 1 : child.rindex("}")])
                    elif child.type in ("TAG", "QUADTAG"):
                        tags.append((_tag_text(child), child))
                else:
                    node = child
            nodes.append(node)
        if len(tags) > 1:
            self.fail("a second equation tag on one line", tags[1][1])
        if all(node is None for node in nodes):
            if equals:
                raise self.error("expected an expression", equals[0], ("an expression",))
            return None
        for k, node in enumerate(nodes[1:-1], start=1):
            if node is None:
                raise self.error(
                    "expected an expression between '=' signs", equals[k], ("an expression",)
                )
        sides = tuple(self.value(node) for node in nodes if node is not None)
        for side, node in zip(sides, [n for n in nodes if n is not None], strict=True):
            self.check_numbers(side, node)
        continues = nodes[0] is None
        tag = tags[0][0] if tags else None
        operators = tuple("≠" if token.type == "NEQ" else "=" for token in equals)
        relation = Relation(sides, continues, tag, tuple(prose), operators)
        return relation, equals[0] if equals else None

    def check_numbers(self, value: sp.Expr, at: Node) -> None:
        """Refuse numbers too long to print (Python prints at most 4300 digits)."""
        for number in value.atoms(sp.Rational):
            if max(abs(int(number.p)).bit_length(), int(number.q).bit_length()) // 3 > MAX_DIGITS:
                self.fail("number too large", at)

    def lines(self) -> tuple[Relation, ...]:
        return tuple(relation for relation, _, _ in self.relations())

    def single(self) -> tuple[Relation, Token | None, Tree[Token]]:
        found = self.relations()
        if not found:
            raise self.error("expected an expression", len(self.text), ("an expression",))
        if len(found) > 1:
            self.fail("more than one line: read them with parse_lines", found[1][2])
        return found[0]

    def expression(self) -> sp.Expr:
        relation, equals, _ = self.single()
        if equals is not None:
            raise self.error("expected an expression, found '='", equals, ("an expression",))
        return relation.sides[0]

    def name(self) -> str:
        _, equals, line = self.single()
        if equals is not None:
            self.fail("expected a name, found '='", equals)
        segment = next(c for c in line.children if isinstance(c, Tree))
        node = next(
            c for c in segment.children if not (isinstance(c, Token) and c.type in _FILLERS)
        )
        entries = self.entries(node)
        named = self.name_of(entries[0]) if len(entries) == 1 and not entries[0].signs else None
        if named is None or named[1] or named[0].primes:
            self.fail("expected a single name", node)
        return named[0].full()

    # -- expressions -----------------------------------------------------------------------

    def value(self, node: Node) -> sp.Expr:
        if isinstance(node, Tree):
            if node.data == "sum":
                return self.sum_value(node)
            if node.data == "args":
                self.fail("a list '(a, b)' is read only as the arguments of a function", node)
        return self.product(self.entries(node), node)

    def sum_value(self, node: Tree[Token]) -> sp.Expr:
        children = node.children
        terms: list[tuple[Token | None, Node]] = [(None, children[0])]
        for k in range(1, len(children), 2):
            operator = children[k]
            assert isinstance(operator, Token)
            terms.append((operator, children[k + 1]))
        for _, term in terms[:-1]:
            self.check_sum_extent(term, node)
        dots = [k for k, (_, term) in enumerate(terms) if _is_token(term, "DOTS")]
        values: list[sp.Expr | None] = []
        for k, (sign, term) in enumerate(terms):
            if k in dots:
                values.append(None)
                continue
            value = self.value(term)
            values.append(_negate(value) if sign is not None and sign.type == "MINUS" else value)
        if dots:
            return self.dots_sum(terms, values, dots)
        return _add(*[v for v in values if v is not None])

    def check_sum_extent(self, term: Node, level: Tree[Token]) -> None:
        """Refuse a sum whose body could stop at this term or run over the following ones."""
        entries = self.entries(term)
        for k, entry in enumerate(entries):
            if not (_is_tree(entry.core, "bigsum") or _is_tree(entry.core, "limit")):
                continue
            body = entries[k + 1 :]
            if not body or (len(body) == 1 and _is_tree(body[0].core, "bracket")):
                return
            head = self.text[self.start(entry.core) : self.start(body[0])].rstrip()
            body_start, term_end = self.start(body[0]), self.end(term)
            level_end = self.end(level)
            narrow = (
                f"{head} \\left({self.text[body_start:term_end].strip()}\\right)"
                f"{self.text[term_end:level_end].rstrip()}"
            )
            wide = f"{head} \\left({self.text[body_start:level_end].strip()}\\right)"
            line, column = self.position(self.start(entry.core))
            command = "\\lim" if _is_tree(entry.core, "limit") else "\\sum"
            raise AmbiguityError(
                f"the extent of '{command}' is ambiguous: it is followed by more terms; "
                "put its body in brackets",
                readings=(narrow, wide),
                text=self.text,
                line=line,
                column=column,
                source=self.source,
            )

    def dots_sum(
        self,
        terms: list[tuple[Token | None, Node]],
        values: list[sp.Expr | None],
        dots: list[int],
    ) -> sp.Expr:
        """Read ``a_1 + a_2 + \\dots + a_k`` as a Sum over the pattern of the last term."""
        if len(dots) > 1:
            self.fail("cannot read a second '\\dots' in one sum", terms[dots[1]][1])
        at = dots[0]
        dots_token = terms[at][1]
        sign = terms[at][0]
        if at == 0 or at == len(terms) - 1 or (sign is not None and sign.type == "MINUS"):
            self.fail("cannot read '\\dots': it must stand between '+' signs", dots_token)
        after_sign = terms[at + 1][0]
        if after_sign is None or after_sign.type != "PLUS":
            self.fail("cannot read '\\dots': it must stand between '+' signs", dots_token)
        before = [v for v in values[:at] if v is not None]
        last = values[at + 1]
        assert last is not None
        found = self.dots_pattern(before, last, values)
        if found is None:
            self.fail(
                "cannot read '\\dots': the terms around it do not share one shape that "
                "differs only in a subscript",
                dots_token,
            )
        first, series = found
        rest = [v for v in values[at + 2 :] if v is not None]
        return _add(*before[:first], series, *rest)

    def dots_pattern(
        self, before: list[sp.Expr], last: sp.Expr, values: list[sp.Expr | None]
    ) -> tuple[int, sp.Expr] | None:
        if not before:
            return None
        subscripted: dict[str, dict[sp.Symbol, str]] = {}
        for symbol in last.free_symbols:
            base, _, script = symbol.name.rpartition("_")
            if base and script.isalpha():
                subscripted.setdefault(script, {})[symbol] = base
        previous = before[-1]
        for script, varying in sorted(subscripted.items()):
            count = _subscript_number(previous, set(varying.values()))
            if count is None:
                continue

            def instance(number: int, varying: dict[sp.Symbol, str] = varying) -> sp.Expr:
                return last.xreplace(
                    {s: self.context.symbol(f"{base}_{number}") for s, base in varying.items()}
                )

            if instance(count) != previous:
                continue
            first = len(before) - 1
            while first > 0 and count > 0 and before[first - 1] == instance(count - 1):
                first -= 1
                count -= 1
            index = self.context.symbol(_fresh_index(values, script))
            body = last.xreplace(
                {s: self.context.symbol(f"{base}_{index.name}") for s, base in varying.items()}
            )
            return first, _sum(body, index, sp.Integer(count), self.context.symbol(script))
        return None

    # -- products ----------------------------------------------------------------------------

    def entries(self, node: Node) -> list[_Entry]:
        raw: list[_Entry] = []
        if isinstance(node, Tree) and node.data == "term":
            op: Token | None = None
            for child in node.children:
                if isinstance(child, Token) and child.type in _MULTIPLY:
                    op = child
                    continue
                raw.append(_entry(child, op))
                op = None
        else:
            raw.append(_entry(node, None))
        return self.expand_words(raw)

    def expand_words(self, raw: list[_Entry]) -> list[_Entry]:
        """Join adjacent letters into runs and cut each run into names."""
        out: list[_Entry] = []
        i = 0
        while i < len(raw):
            entry = raw[i]
            core = entry.core
            if isinstance(core, Token) and core.type == "UPRIGHT":
                content = core[core.index("{") + 1 : core.rindex("}")].strip()
                if len(content) > 1 and not self.declaring:
                    following = raw[i + 1] if i + 1 < len(raw) else None
                    word = self.upright_word(core, content, following)
                    out.append(_Entry(entry.op, entry.signs, word, entry.postfixes))
                else:
                    self.add_words(out, entry, entry, content, [core] * len(content))
            elif isinstance(core, Token) and core.type == "LETTER":
                j = i
                letters = [core]
                while j + 1 < len(raw):
                    following = raw[j + 1]
                    current = raw[j].core
                    if not (
                        isinstance(following.core, Token)
                        and following.core.type == "LETTER"
                        and following.op is None
                        and not following.signs
                        and not raw[j].postfixes
                        and isinstance(current, Token)
                        and following.core.start_pos == current.end_pos
                    ):
                        break
                    j += 1
                    letters.append(following.core)
                self.add_words(out, entry, raw[j], "".join(letters), letters)
                i = j
            else:
                out.append(entry)
            i += 1
        return out

    def upright_word(self, token: Token, content: str, following: _Entry | None) -> _Word:
        """A word written upright is one name: a declared symbol or function, a known
        function (``\\operatorname{ReLU}`` is relu, case aside), else a symbol; an unknown
        word before an operand is refused (it is not a product of letters)."""
        if content in self.context.symbols or content in self.context.functions:
            return _Word(content, token)
        known = content.lower()
        if known == "diag":
            return _Word(known, token)
        if known in _OPERATORS:
            return _Word(known, token, operator=True)
        if following is not None and following.op is None and not following.signs:
            names = ", ".join(sorted(_OPERATORS))
            self.fail(f"unknown function '{_short(content)}': declare it, or write one of "
                      f"{names}", token)
        return _Word(content, token)

    def add_words(
        self, out: list[_Entry], first: _Entry, last: _Entry, text: str, tokens: list[Token]
    ) -> None:
        words = [text] if self.declaring else self.segment(text)
        position = 0
        for k, word in enumerate(words):
            if k + 1 < len(words) and word in _BARE_FUNCTIONS and word not in self.context.symbols:
                self.fail(
                    f"cannot read '{_short(text)}': write \\{word} with a space or brackets "
                    f"after it, or declare '{_short(text)}'",
                    tokens[position],
                )
            out.append(
                _Entry(
                    first.op if k == 0 else None,
                    first.signs if k == 0 else (),
                    _Word(word, tokens[position]),
                    last.postfixes if k == len(words) - 1 else (),
                )
            )
            position += len(word)

    def segment(self, run: str) -> list[str]:
        """Cut a run of letters into the longest known names, else single letters."""
        words: list[str] = []
        i = 0
        while i < len(run):
            for size in range(min(self.longest_word, len(run) - i), 1, -1):
                if run[i : i + size] in self.words:
                    words.append(run[i : i + size])
                    i += size
                    break
            else:
                words.append(run[i])
                i += 1
        return words

    def product(self, entries: list[_Entry], at: Node | None = None) -> sp.Expr:
        """A product whose operators (\\sum, d/dx) take the rest of it as their operand."""
        if not entries:
            self.fail("expected an expression", at)
        chunks: list[tuple[list[tuple[Token | None, sp.Expr]], _Entry]] = []
        current: list[tuple[Token | None, sp.Expr]] = []
        i = 0
        while i < len(entries):
            entry = entries[i]
            if self.is_operator(entry):
                if entry.postfixes and not self.is_partial_operator(entry):
                    self.fail("cannot read a script on an operator", entry.postfixes[0])
                chunks.append((current, entry))
                current = []
                if len(chunks) > MAX_NESTING:
                    self.fail(f"nesting deeper than {MAX_NESTING}", entry)
                i += 1
                continue
            value, i = self.factor(entries, i)
            current.append((entry.op, value))
        body = self.combine(current) if current else None
        for factors, operator in reversed(chunks):
            if body is None:
                self.fail("this operator needs an operand after it", operator)
            applied = self.signed(operator.signs, self.apply_operator(operator, body))
            factors.append((operator.op, applied))
            body = self.combine(factors)
        assert body is not None
        return body

    def combine(self, factors: list[tuple[Token | None, sp.Expr]]) -> sp.Expr:
        first_op, first = factors[0]
        if first_op is not None:
            self.fail(f"expected an expression before '{first_op}'", first_op)
        rest = [(self.operator_name(op), value) for op, value in factors[1:]]
        return _product(first, rest)

    def operator_name(self, op: Token | None) -> str:
        """The builder's name for a product sign; a sign the context declares elementwise
        (``*``, ``\\times``, ``\\cdot``, juxtaposition) is ⊙."""
        if op is None:
            return "odot" if "juxtaposition" in self.context.elementwise else ""
        if op.type == "MUL":
            sign = "*" if str(op) in ("*", "\\ast") else str(op)
            if sign in self.context.elementwise:
                return "odot"
        return _MULTIPLY[op.type]

    def signed(self, signs: tuple[Token, ...], value: sp.Expr) -> sp.Expr:
        negative = sum(1 for sign in signs if sign.type == "MINUS") % 2 == 1
        return _negate(value) if negative else value

    def factor(self, entries: list[_Entry], i: int) -> tuple[sp.Expr, int]:
        """One factor: a value, a call, or prefix functions applied to their argument."""
        prefixes: list[tuple[Callable[[sp.Expr], sp.Expr], _Entry]] = []
        j = i
        while True:
            entry = entries[j]
            following = entries[j + 1] if j + 1 < len(entries) else None
            prefix = self.prefix_function(entry, following)
            if prefix is not None:
                if following is None or following.op is not None:
                    self.fail(f"'{_describe(entry.core)}' needs an argument", entry)
                if self.is_operator(following):
                    if not (_is_tree(following.core, "bigsum")
                            and prefix in (sp.log, sp.exp)):
                        self.fail(
                            f"put the argument of '{_describe(entry.core)}' in brackets",
                            following)
                    # \log \sum_j e^{z_j}: the sum is the argument, and it takes the rest
                    # of the product, as it does anywhere
                    value = self.powered(entry, _apply(prefix, self.product(entries[j + 1:])))
                    for function, head in reversed(prefixes):
                        value = self.powered(head, _apply(function, value))
                    return self.signed(entries[i].signs, value), len(entries)
                prefixes.append((prefix, entry))
                if len(prefixes) > MAX_NESTING:
                    self.fail(f"nesting deeper than {MAX_NESTING}", entry)
                j += 1
                continue
            if following is not None and self.is_call(entry, following):
                value = self.call(entry, following)
                j += 2
            elif prefixes and _is_tree(entry.core, "bracket"):
                function, head = prefixes.pop()
                value = self.postfixed(self.applied(function, head, entry.core), entry.postfixes)
                j += 1
            else:
                value = self.entry_value(entry)
                j += 1
            break
        for function, head in reversed(prefixes):
            if function in (sp.Max, sp.Min):
                self.fail(f"'{_describe(head.core)}' needs its arguments in brackets", head)
            value = self.powered(head, _apply(function, value))
        return self.signed(entries[i].signs, value), j

    def applied(self, function: Callable[..., sp.Expr], head: _Entry, bracket: Core) -> sp.Expr:
        """A prefix function applied to a bracket: ``\\max(z, 0)`` takes several arguments."""
        assert isinstance(bracket, Tree)
        arguments = _arguments(bracket.children[1])
        if len(arguments) > 1 and function not in (sp.Max, sp.Min):
            self.fail(f"'{_describe(head.core)}' takes one argument", bracket)
        return self.powered(head, _apply(function, *(self.value(a) for a in arguments)))

    def function_power(self, entry: _Entry) -> int | None:
        """The n of ``\\tanh^2 x``, a power of the function's value; None without one."""
        core = entry.core
        if not (_is_token(core, "FUNC") or (isinstance(core, _Word) and core.operator)) or \
                len(entry.postfixes) != 1:
            return None
        postfix = entry.postfixes[0]
        script = _inside(postfix.children[1]) if postfix.data == "sup" else None
        if _is_token(script, "NUMBER") and str(script).isdigit() and int(str(script)) > 1:
            return int(str(script))
        return None

    def powered(self, head: _Entry, value: sp.Expr) -> sp.Expr:
        power = self.function_power(head)
        return value if power is None else _pow(value, sp.Integer(power))

    # -- kinds of entries --------------------------------------------------------------------

    def is_operator(self, entry: _Entry) -> bool:
        """A sum or a derivative operator: both take the rest of the product."""
        core = entry.core
        if _is_tree(core, "bigsum") or _is_tree(core, "limit") or _is_tree(core, "gradient") \
                or _is_tree(core, "gradient_order_first"):
            return True
        if _is_tree(core, "frac"):
            assert isinstance(core, Tree)
            form = self.derivative_form(core)
            return form is not None and not form.body
        return self.is_partial_operator(entry)

    def is_partial_operator(self, entry: _Entry) -> bool:
        """``\\partial_z``: the partial derivative by z of the rest of the product."""
        return (isinstance(entry.core, Token) and entry.core.type == "PARTIAL"
                and len(entry.postfixes) == 1 and entry.postfixes[0].data == "sub")

    def prefix_function(
        self, entry: _Entry, following: _Entry | None
    ) -> Callable[[sp.Expr], sp.Expr] | None:
        core = entry.core
        function: Callable[[sp.Expr], sp.Expr] | None = None
        if isinstance(core, Token) and core.type == "FUNC":
            function = _FUNCTIONS[core[1:]]
        elif self.is_bare_function(core):
            assert isinstance(core, _Word)
            function = _FUNCTIONS[core.text]
        elif isinstance(core, _Word) and core.operator and not (
                core.text in ML_FUNCTIONS and following is not None
                and self.is_call(entry, following) and self.function_power(entry) is None):
            function = _OPERATORS[core.text]
        elif self.is_differential(entry, following):
            function = Differential
        if function is not None and entry.postfixes and self.function_power(entry) is None:
            self.fail(f"cannot read a script on '{_describe(core)}'", entry.postfixes[0])
        return function

    def is_bare_function(self, core: Core) -> bool:
        """``log``, ``ln``, ``exp`` written without a backslash (unless declared symbols)."""
        return (
            isinstance(core, _Word)
            and core.text in _BARE_FUNCTIONS
            and core.text not in self.context.symbols
        )

    def is_differential(self, entry: _Entry, following: _Entry | None) -> bool:
        core = entry.core
        if not (isinstance(core, _Word) and core.text == "d") or entry.postfixes:
            return False
        if "d" in self.context.symbols or self.context.is_function("d"):
            return False
        if following is None or following.op is not None or following.signs:
            return False
        if isinstance(following.core, Token) and following.core.type in (
            "NUMBER",
            "FRAC_DIGITS",
            "DOTS",
            "TOP",
            "PARTIAL",
            "INFTY",
        ):
            return False
        if self.is_operator(following):
            return False
        if self.frobenius_line:
            return True
        named = self.name_of(following)
        return named is not None and named[0].full() in self.context.symbols

    def is_call(self, entry: _Entry, following: _Entry) -> bool:
        if following.op is not None or not _is_tree(following.core, "bracket"):
            return False
        bracket = following.core
        assert isinstance(bracket, Tree)
        opener = bracket.children[0]
        if not (isinstance(opener, Token) and opener.type in _CALL_BRACKETS):
            return False
        named = self.name_of(entry)
        return named is not None and self.is_function_name(named[0])

    def is_function_name(self, name: _Name) -> bool:
        full = name.full()
        if full in self.context.symbols:
            return False
        if name.greek and full == "sigma":
            return True
        return full == "diag" or self.context.is_function(full)

    # -- values ----------------------------------------------------------------------------

    def call(self, entry: _Entry, bracket_entry: _Entry) -> sp.Expr:
        named = self.name_of(entry)
        assert named is not None
        name, rest = named
        if rest:
            self.fail("cannot read a power on a function's name; write (f(x))^2", rest[0])
        full = name.full()
        function: Callable[..., sp.Expr]
        if name.greek and full == "sigma":
            function = sigmoid
        else:
            function = ML_FUNCTIONS.get(full) or sp.Function(full)
        bracket = bracket_entry.core
        assert isinstance(bracket, Tree)
        content = bracket.children[1]
        arguments = _arguments(content)
        values = [self.value(argument) for argument in arguments]
        if full == "diag" and not name.primes and not self.context.is_function(full):
            return self.postfixed(self.diagonal(values, bracket), bracket_entry.postfixes)
        if name.primes:
            if len(values) != 1:
                self.fail(f"{_short(full)}' takes one argument", bracket)
            dummy = sp.Dummy("t")
            derivative = _derivative(function(dummy), [(dummy, name.primes)])
            if _is_array(values[0]):
                result = Elementwise(sp.Lambda(dummy, derivative), values[0])
            else:
                result = sp.Subs(derivative, dummy, values[0])
        else:
            try:
                result = _apply(function, *values)
            except TypeError:
                self.fail(f"'{full}' does not take {len(values)} arguments", bracket)
        return self.postfixed(result, bracket_entry.postfixes)

    def diagonal(self, values: list[sp.Expr], bracket: Tree[Token]) -> sp.Expr:
        """``\\mathrm{diag}(v)``: the square matrix with the vector v on its diagonal."""
        if len(values) != 1:
            self.fail("diag takes one vector", bracket)
        (value,) = values
        if not _is_array(value) or 1 not in value.shape:
            self.fail("diag takes a vector (a declared n×1 or 1×n name, or an expression "
                      "of them)", bracket)
        return DiagMatrix(value)

    def entry_value(self, entry: _Entry) -> sp.Expr:
        named = self.name_of(entry)
        if named is not None:
            name, rest = named
            return self.postfixed(self.name_value(name), rest)
        core = entry.core
        for postfix in entry.postfixes:
            if postfix.data == "sub":
                self.fail("a subscript needs a name", postfix)
            if postfix.data == "prime":
                self.fail("a prime is read only on a declared function: f'(x)", postfix)
        return self.postfixed(self.core_value(core), entry.postfixes)

    def core_value(self, core: Core) -> sp.Expr:
        if isinstance(core, Token):
            kind = core.type
            if kind == "NUMBER":
                return _number(core)
            if kind == "FRAC_DIGITS":
                digits = [c for c in core if c.isdigit()]
                return _div(sp.Integer(int(digits[0])), sp.Integer(int(digits[1])))
            if kind == "INFTY":
                return sp.oo
            if kind == "PARTIAL":
                self.fail("'\\partial' is read only in a derivative \\frac{\\partial ..}", core)
            if kind == "TOP":
                self.fail("'\\top' is read only as a superscript: X^\\top", core)
            if kind == "DOTS":
                self.fail("cannot read '\\dots' here: only between terms of a sum", core)
            self.fail(f"'{core}' needs an argument", core)
        if isinstance(core, _Word):
            self.fail(f"'{core.text}' needs an argument", core)
        kind = core.data
        if kind == "group":
            return self.value(core.children[1])
        if kind == "bracket":
            return self.bracket_value(core)
        if kind == "frac":
            return self.frac_value(core)
        if kind == "bold":
            return self.value(core.children[1])
        if kind == "absolute":
            return _apply(sp.Abs, self.value(core.children[1]))
        if kind == "cases":
            return self.cases_value(core)
        if kind == "root":
            return self.root_value(core)
        if kind == "accent":
            self.fail(f"'{core.children[0]}' is read only over a name", core)
        self.fail("cannot read this", core)

    def root_value(self, root: Tree[Token]) -> sp.Expr:
        """``\\sqrt{x}`` and ``\\sqrt[n]{x}``: x to the power 1/n (n a whole number ≥ 2)."""
        degree: sp.Expr = sp.Integer(2)
        if len(root.children) == 5:
            degree = self.value(root.children[2])
            if not (degree.is_Integer and degree >= 2):
                self.fail("the degree of a root is a whole number ≥ 2: \\sqrt[3]{x}",
                          root.children[2])
        value = self.value(root.children[-1])
        if _is_array(value):
            self.fail("\\sqrt is read on scalars only", root)
        return _pow(value, 1 / degree)

    def cases_value(self, cases: Tree[Token]) -> sp.Expr:
        """``\\begin{cases} a & i = j \\\\ b & i \\neq j \\end{cases}``: a ``Piecewise``; a
        row's condition is ``=``, ``≠``, an order (``x > 0``, ``x \\leq 0``), or the prose
        ``otherwise``."""
        pieces: list[tuple[sp.Expr, sp.Basic]] = []
        for row in (c for c in cases.children if isinstance(c, Tree)):
            value = self.value(row.children[0])
            condition = row.children[-1]
            assert isinstance(condition, Tree)
            parts = [c for c in condition.children if not _is_token(c, "PROSE")]
            prose = " ".join(str(c) for c in condition.children if _is_token(c, "PROSE"))
            if len(parts) == 3:
                left, relation, right = (self.value(parts[0]), parts[1], self.value(parts[2]))
                if _is_array(left) or _is_array(right):
                    self.fail("the condition of a case compares scalars", condition)
                pieces.append((value, _CASE_TESTS[_case_relation(relation)](left, right)))
            elif not parts and re.search(r"\b(otherwise|else)\b", prose):
                pieces.append((value, sp.true))
            else:
                self.fail("cannot read the condition of this case: write i = j, i \\neq j, "
                          "x > 0 or \\text{otherwise}", condition if condition.children else row)
            if _is_array(value):
                self.fail("cases are read on scalars only", row)
        return sp.Piecewise(*pieces)

    def kronecker(self, name: _Name) -> sp.Expr | None:
        """``\\delta_{ij}``, ``\\delta_{i,j}``: the Kronecker delta (unless declared)."""
        script = name.sub or ""
        parts = script.strip("{}").split(",") if "," in script else list(script)
        if not (name.greek and name.text == "delta" and name.layer is None and len(parts) == 2
                and all(re.fullmatch(r"[A-Za-z]|[0-9]+", part) for part in parts)
                and name.full() not in self.context.symbols):
            return None
        a, b = (sp.Integer(int(p)) if p.isdigit() else self.context.symbol(p) for p in parts)
        return sp.KroneckerDelta(a, b)

    def bracket_value(self, bracket: Core) -> sp.Expr:
        assert isinstance(bracket, Tree)
        return self.value(bracket.children[1])

    def name_value(self, name: _Name) -> sp.Expr:
        full = name.full()
        if name.primes:
            self.fail(
                f"cannot read {_short(full)}': a prime is read only on a declared "
                "function applied to its argument",
                name.token,
            )
        if full == "e":
            return sp.E
        if full == "pi" and name.greek and "pi" not in self.context.symbols:
            return sp.pi
        delta = self.kronecker(name)
        if delta is not None:
            return delta
        info = self.context.symbols.get(full)
        if info is not None and info.shape is not None:
            return self.context.matrix(full)
        return self.context.symbol(full)

    def postfixed(self, value: sp.Expr, postfixes: Sequence[Tree[Token]]) -> sp.Expr:
        """Apply superscripts (powers, transposes) to a value."""
        for seen, postfix in enumerate(postfixes):
            if postfix.data == "sub":
                self.fail("a subscript needs a name", postfix)
            if postfix.data == "prime":
                self.fail("a prime is read only on a declared function: f'(x)", postfix)
            if seen > 0:
                self.fail("double superscript: use braces, x^{a^{b}}", postfix)
            script = postfix.children[1]
            if self.is_transpose(script):
                value = _transpose(value)
            else:
                value = self.power(value, self.script_value(script), postfix)
        return value

    def power(self, base: sp.Expr, exponent: sp.Expr, at: Node) -> sp.Expr:
        try:
            value = _pow(base, exponent)
        except _TooLarge:
            self.fail("number too large", at)
        if isinstance(value, sp.Rational):
            self.digits += max(abs(int(value.p)).bit_length(), int(value.q).bit_length()) // 3
            if self.digits > MAX_DIGITS:
                self.fail("number too large", at)
        return value

    def is_transpose(self, script: Node) -> bool:
        if isinstance(script, Tree) and script.data == "group":
            script = script.children[1]
        if not isinstance(script, Token):
            return False
        if script.type == "TOP":
            return True
        if script.type == "LETTER" or script.type == "UPRIGHT":
            letter = script if script.type == "LETTER" else script[script.index("{") + 1 : -1]
            return letter.strip() == "T" and "T" not in self.context.symbols
        return False

    def script_value(self, script: Node) -> sp.Expr:
        if isinstance(script, Token):
            if script.type == "NUMBER" and len(script) > 1:
                self.fail(f"an unbraced script is one character: write ^{{{script}}}", script)
            if script.type in ("PRIME", "TOP"):
                self.fail(f"cannot read '{script}' here", script)
        return self.value(script)

    def frac_value(self, frac: Tree[Token]) -> sp.Expr:
        form = self.derivative_form(frac)
        if form is None:
            return _div(self.value(frac.children[1]), self.value(frac.children[2]))
        return _derivative(self.product(form.body, frac), form.variables)

    def apply_operator(self, entry: _Entry, body: sp.Expr) -> sp.Expr:
        core = entry.core
        if self.is_partial_operator(entry):
            subscript = entry.postfixes[0].children[1]
            variable = self.name_value_of(subscript, "the variable of a partial derivative")
            return _derivative(body, [(variable, 1)])
        assert isinstance(core, Tree)
        if core.data == "frac":
            form = self.derivative_form(core)
            assert form is not None
            return _derivative(body, form.variables)
        if core.data == "limit":
            return self.limit_of(core, body)
        if core.data in ("gradient", "gradient_order_first"):
            return self.gradient_of(core, body)
        return self.sum_of(core, body)

    def limit_of(self, limit: Tree[Token], body: sp.Expr) -> sp.Expr:
        """``\\lim_{h \\to 0} body``: a two-sided ``Limit``, evaluated by the checker."""
        variable = self.name_value_of(limit.children[3], "the variable of a limit")
        point = self.value(limit.children[5])
        if point.is_infinite:
            return sp.Limit(body, variable, point)
        return sp.Limit(body, variable, point, dir="+-")

    def gradient_of(self, gradient: Tree[Token], body: sp.Expr) -> sp.Expr:
        """``\\nabla_w L``: the derivative of L with respect to w; ``\\nabla^2_w L`` and
        ``\\nabla_w^2 L``: the second derivative (the Hessian, for a vector w)."""
        children = list(gradient.children)
        if gradient.data == "gradient_order_first":
            children = [children[0], children[3], children[4], children[1], children[2]]
        if len(children) < 3:
            self.fail("write the variable of the gradient: \\nabla_w", gradient)
        variable = self.name_value_of(children[2], "the variable of a gradient")
        order = 1
        if len(children) == 5:
            script = children[4]
            if isinstance(script, Tree) and script.data == "group":
                script = script.children[1]
            if not _is_token(script, "NUMBER") or str(script) not in ("1", "2"):
                self.fail("\\nabla takes a first or second order: \\nabla^2_w", children[4])
            order = int(str(script))
        return _derivative(body, [(variable, order)])

    def name_value_of(self, node: Node, what: str) -> sp.Symbol:
        name = self.node_name(node)
        value = None if name is None or name.full() == "e" else self.name_value(name)
        if not isinstance(value, sp.Symbol | sp.MatrixSymbol):
            self.fail(f"{what} must be a name", node)
        return value

    def implicit_sum(self, bigsum: Tree[Token], lower: Node, upper: Node | None,
                     body: sp.Expr) -> sp.Expr:
        """``\\sum_j``, ``\\sum_j^C``, ``\\sum_{k \\neq i}``: j runs from 1 to the count
        written, else to the count the context declares for it; ``k ≠ i`` leaves out k = i."""
        excluded: sp.Expr | None = None
        if _is_tree(lower, "index_except"):
            assert isinstance(lower, Tree)
            excluded = self.value(lower.children[3])
            lower = lower.children[1]
        index = self.name_value_of(lower, "the index of a sum")
        count = self.context.indices.get(index.name)
        if upper is not None:
            end = self.script_value(upper)
        elif count is not None:
            end = self.context.symbol(count)
        else:
            self.fail(f"sum without range: write \\sum_{{{index.name}=1}}^{{m}}, or declare "
                      f"the range of {index.name}", bigsum)
        if excluded is not None:
            body = _mul(body, _add(sp.S.One, _negate(sp.KroneckerDelta(index, excluded))))
        return _sum(body, index, sp.S.One, end)

    def sum_of(self, bigsum: Tree[Token], body: sp.Expr) -> sp.Expr:
        lower: Node | None = None
        upper: Node | None = None
        children = bigsum.children
        for k, child in enumerate(children):
            if isinstance(child, Token) and child.type == "SUB":
                lower = children[k + 1]
            elif isinstance(child, Token) and child.type == "SUP":
                upper = children[k + 1]
        if lower is not None and not _is_tree(lower, "index_range"):
            return self.implicit_sum(bigsum, lower, upper, body)
        if lower is None or not _is_tree(lower, "index_range"):
            self.fail("sum without range: write \\sum_{i=1}^{m}", bigsum)
        if upper is None:
            self.fail("sum without upper limit: write \\sum_{i=1}^{m}", bigsum)
        assert isinstance(lower, Tree)
        index_name = self.node_name(lower.children[1])
        if index_name is None or index_name.full() == "e":
            self.fail("the index of a sum must be a name", lower.children[1])
        index = self.context.symbol(index_name.full())
        start = self.value(lower.children[3])
        end = self.script_value(upper)
        return _sum(body, index, start, end)

    # -- derivatives -----------------------------------------------------------------------

    def derivative_form(self, frac: Tree[Token]) -> _DerivativeForm | None:
        key = id(frac)
        if key not in self.derivatives:
            self.derivatives[key] = self.read_derivative(frac)
        return self.derivatives[key]

    def read_derivative(self, frac: Tree[Token]) -> _DerivativeForm | None:
        denominator = self.entries(_inside(frac.children[2]))
        if len(denominator) < 2 or self.marker_order(denominator[0]) is None:
            return None
        variables: list[tuple[sp.Symbol, int]] = []
        for k in range(0, len(denominator), 2):
            marker = denominator[k]
            if self.marker_order(marker) != 1 or marker.postfixes:
                self.fail("cannot read the denominator of this derivative", marker)
            if k + 1 >= len(denominator):
                self.fail("expected the variable of the derivative", self.end(marker))
            variables.append(self.derivative_variable(denominator[k + 1]))
        numerator = self.entries(_inside(frac.children[1]))
        order = self.marker_order(numerator[0])
        if order is None:
            self.fail("the numerator of a derivative must start with d or \\partial", numerator[0])
        total = sum(count for _, count in variables)
        if order != total:
            self.fail(
                f"the orders do not match: d^{order} over variables of total order {total}",
                frac,
            )
        body = numerator[1:]
        if body and body[0].op is not None:
            self.fail(f"unexpected '{body[0].op}'", body[0].op)
        return _DerivativeForm(tuple(variables), body)

    def marker_order(self, entry: _Entry) -> int | None:
        """1 (or n for d^n) when the entry is ``d`` or ``\\partial``; None otherwise."""
        core = entry.core
        is_d = isinstance(core, _Word) and core.text == "d" and "d" not in self.context.symbols
        is_partial = isinstance(core, Token) and core.type == "PARTIAL"
        if entry.op is not None or entry.signs or not (is_d or is_partial):
            return None
        if not entry.postfixes:
            return 1
        postfix = entry.postfixes[0]
        script = postfix.children[1] if postfix.data == "sup" else None
        if isinstance(script, Tree) and script.data == "group":
            script = script.children[1]
        if len(entry.postfixes) > 1 or not _is_token(script, "NUMBER") or "." in str(script):
            self.fail("cannot read this order of differentiation", postfix)
        return int(str(script))

    def derivative_variable(self, entry: _Entry) -> tuple[sp.Symbol, int]:
        named = self.name_of(entry) if entry.op is None and not entry.signs else None
        if named is None or named[0].primes or named[0].full() == "e":
            self.fail("the variable of a derivative must be a name", entry)
        name, rest = named
        order = 1
        transposed = False
        for postfix in rest:
            script = postfix.children[1]
            if self.is_transpose(script) and not transposed:
                # ∂²L/∂w∂wᵀ: the transpose says how the second derivative is laid out
                # (a d×d Hessian, rows by w and columns by wᵀ), not another variable
                transposed = True
                continue
            if isinstance(script, Tree) and script.data == "group":
                script = script.children[1]
            if not _is_token(script, "NUMBER") or "." in str(script) or order != 1:
                self.fail("cannot read this order of differentiation", postfix)
            order = int(str(script))
        symbol = self.name_value(name)
        if not isinstance(symbol, sp.Symbol | sp.MatrixSymbol):
            self.fail("the variable of a derivative must be a name", entry)
        return symbol, order

    # -- names -----------------------------------------------------------------------------

    def name_of(self, entry: _Entry) -> tuple[_Name, tuple[Tree[Token], ...]] | None:
        """The name an entry spells, and the superscripts left to apply to its value."""
        name = self.core_name(entry.core)
        if name is None:
            return None
        rest: list[Tree[Token]] = []
        superscripts = 0
        for postfix in entry.postfixes:
            if postfix.data == "prime":
                name.primes += 1
                continue
            script = postfix.children[1]
            if postfix.data == "sub":
                if name.sub is not None:
                    self.fail("double subscript: use braces, x_{ij}", postfix)
                name.sub = self.subscript_text(script)
                continue
            if _is_token(script, "PRIME"):
                name.primes += 1
                continue
            superscripts += 1
            if superscripts > 1:
                self.fail("double superscript: use braces, x^{a^{b}}", postfix)
            layer = self.layer_text(script)
            if layer is not None:
                name.layer = layer
            else:
                rest.append(postfix)
        return name, tuple(rest)

    def core_name(self, core: Core) -> _Name | None:
        if isinstance(core, _Word):
            return None if self.is_bare_function(core) else _Name(core.text, core.token)
        if isinstance(core, Token):
            if core.type == "LETTER":
                return _Name(str(core), core)
            if core.type == "GREEK":
                return _Name(core[1:], core, greek=True)
            return None
        if core.data == "accent":
            accent = core.children[0]
            assert isinstance(accent, Token)
            inner = self.node_name(core.children[1])
            if inner is None:
                self.fail(f"'{accent}' is read only over a name", core)
            inner.text += _ACCENT_SUFFIX[accent[1:]]
            inner.greek = False
            return inner
        if core.data in ("bold", "group"):
            return self.node_name(core.children[1])
        return None

    def node_name(self, node: Node) -> _Name | None:
        if isinstance(node, Tree) and node.data in ("sum", "args"):
            return None
        entries = self.entries(node)
        if len(entries) != 1 or entries[0].op is not None or entries[0].signs:
            return None
        named = self.name_of(entries[0])
        if named is None or named[1]:
            return None
        return named[0]

    def subscript_text(self, script: Node) -> str:
        if isinstance(script, Token):
            if script.type == "LETTER":
                return str(script)
            if script.type == "NUMBER":
                if len(script) > 1:
                    self.fail(f"an unbraced script is one character: write _{{{script}}}", script)
                return str(script)
            if script.type == "GREEK":
                return script[1:]
            if script.type == "UPRIGHT":
                return script[script.index("{") + 1 : script.rindex("}")].strip()
            self.fail(f"cannot read '{script}' as a subscript", script)
        content = script.children[1]
        if _is_token(content, "GREEK") or _is_token(content, "UPRIGHT"):
            return self.subscript_text(content)
        inside = self.text[self.end(script.children[0]) : self.start(script.children[-1])]
        compact = re.sub(r"\s+", "", inside)
        return compact if compact.isalnum() and compact.isascii() else "{" + compact + "}"

    def layer_text(self, script: Node) -> str | None:
        """The layer index of ``W^{(1)}``: a parenthesised superscript in braces."""
        if not _is_tree(script, "group"):
            return None
        assert isinstance(script, Tree)
        content = script.children[1]
        if not _is_tree(content, "bracket"):
            return None
        assert isinstance(content, Tree)
        opener, closer = content.children[0], content.children[-1]
        if not (_is_token(opener, "LPAR") and str(opener) == "("):
            return None
        inside = self.text[self.end(opener) : self.start(closer)]
        return re.sub(r"\s+", "", inside)


# ---- small helpers -------------------------------------------------------------------------


def _lines(tree: Tree[Token]) -> list[Tree[Token]]:
    """The line trees of a parsed text, in order (the grammar nests them two levels deep)."""
    pending: list[Tree[Token]] = [tree]
    while pending:
        node = pending.pop()
        if node.data == "lines":
            return [c for c in node.children if isinstance(c, Tree) and c.data == "line"]
        pending.extend(c for c in node.children if isinstance(c, Tree))
    return []


def _entry(node: Node, op: Token | None) -> _Entry:
    signs: tuple[Token, ...] = ()
    if isinstance(node, Tree) and node.data == "signed":
        signs = tuple(c for c in node.children[:-1] if isinstance(c, Token))
        node = node.children[-1]
    if isinstance(node, Tree) and node.data == "factor":
        postfixes = tuple(c for c in node.children[1:] if isinstance(c, Tree))
        return _Entry(op, signs, node.children[0], postfixes)
    return _Entry(op, signs, node)


def _inside(node: Node) -> Node:
    """The content of a braced group; any other node itself."""
    if isinstance(node, Tree) and node.data == "group":
        return node.children[1]
    return node


def _is_tree(node: object, data: str) -> bool:
    return isinstance(node, Tree) and node.data == data


def _is_token(node: object, kind: str) -> bool:
    return isinstance(node, Token) and node.type == kind


def _arguments(content: Node) -> list[Node]:
    if isinstance(content, Tree) and content.data == "args":
        return [c for c in content.children if not _is_token(c, "COMMA")]
    return [content]


def _describe(core: Core) -> str:
    if isinstance(core, _Word):
        return core.text
    if isinstance(core, Token):
        return str(core)
    return core.data


def _number(token: Token) -> sp.Expr:
    fraction = Fraction(str(token))
    return sp.Rational(fraction.numerator, fraction.denominator)


def _environment(token: Token) -> str:
    return token[token.index("{") + 1 : token.rindex("}")]


def _closer_text(opener: Token) -> str:
    if opener.type == "BEGIN":
        return f"'\\end{{{_environment(opener)}}}'"
    return _READABLE[_OPENERS[opener.type]]


def _tag_text(token: Token) -> str:
    if token.type == "QUADTAG":
        return token[token.index("(") + 1 : token.rindex(")")].strip()
    return token[token.index("{") + 1 : token.rindex("}")].strip()


def _short(text: str, limit: int = 40) -> str:
    """User text quoted in a message, cut to a readable length."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _hint(command: str) -> str:
    if command in ("\\left", "\\right"):
        return r" here: only \left( \left[ \left\{ and their \right forms are read"
    if re.fullmatch(r"\\[Bb]igg?[lr]?", command):
        return " here: only a bracket may follow it"
    return ""


def _readable(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Lark's expected terminals, in words."""
    found: list[str] = []
    if "LPAR" in names:
        found.append("an expression")
    elif "LBRACE" in names and names & {"LETTER", "NUMBER"}:
        found.append("'{'")
    if names & {"MUL", "DIV", "HADAMARD", "COLON"}:
        found.append("an operator")
    for name in sorted(names - _EXPRESSION_STARTS - _CONTINUATIONS - _FILLERS):
        readable = _READABLE.get(name)
        if readable is not None and readable not in found:
            if name in ("SUB", "SUP", "LBRACE") and found:
                continue
            found.append(readable)
    return tuple(found) or tuple(sorted(names))


def _split_name(name: str) -> tuple[str, str] | None:
    """(base, subscript) of a subscripted name without a layer: ``x_{i+1}`` → (x, {i+1})."""
    if "^(" in name:
        return None
    if name.endswith("}"):
        depth = 0
        for k in range(len(name) - 1, -1, -1):
            depth += (name[k] == "}") - (name[k] == "{")
            if depth == 0:
                base = name[: k - 1] if k > 0 and name[k - 1] == "_" else ""
                return (base, name[k:]) if base else None
        return None
    base, _, script = name.rpartition("_")
    return (base, script) if base and script and "{" not in script else None


def _index_parts(script: str, index: str) -> list[str]:
    """The indices a subscript holds, as a sum over ``index`` writes them: ``{i,j}`` and
    ``ij`` hold two, ``{i+1}`` and ``i`` one."""
    if script == index:
        return [script]
    if script.startswith("{") and script.endswith("}"):
        return [part.strip() for part in script[1:-1].split(",")]
    if len(script) > 1 and script.isalnum() and not script.isdigit():
        return list(script)
    return [script]


def _entry_parts(script: str, rank: int) -> list[str]:
    """The indices of an entry of a family with ``rank`` indices: ``x_{12}`` is x[1, 2] in
    a family written x_{ij}, x[12] in one written x_i."""
    if script.startswith("{") and script.endswith("}"):
        return [part.strip() for part in script[1:-1].split(",")]
    if rank > 1 and len(script) == rank and script.isalnum():
        return list(script)
    return [script]


def _mentions(part: str, index: str) -> bool:
    return part == index or re.search(
        rf"(?<![A-Za-z\\]){re.escape(index)}(?![A-Za-z])", part) is not None


def _subscript_number(value: sp.Expr, bases: set[str]) -> int | None:
    for symbol in sorted(value.free_symbols, key=lambda s: s.name):
        base, _, script = symbol.name.rpartition("_")
        if base in bases and script.isdigit():
            return int(script)
    return None


def _fresh_index(values: list[sp.Expr | None], taken: str) -> str:
    names: set[str] = {taken}
    for value in values:
        if value is not None:
            for symbol in value.free_symbols:
                names.add(symbol.name)
                names.add(symbol.name.rpartition("_")[2])
    return next(name for name in _INDEX_NAMES if name not in names)


@contextmanager
def _recursion_headroom(limit: int = 4000) -> Iterator[None]:
    """Room for 200 nested brackets (a few Python frames each) while a text is read."""
    previous = sys.getrecursionlimit()
    if previous >= limit:
        yield
        return
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        if sys.getrecursionlimit() == limit:
            sys.setrecursionlimit(previous)


def _guarded(text: object, source: str, read: Callable[[_Reader], _T], reader: _Reader) -> _T:
    """Run ``read``; turn anything but a ParseError into one."""
    try:
        with _recursion_headroom():
            return read(reader)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(
            f"nesting too deep (at most {MAX_NESTING})", text=str(text), source=source
        ) from None
    except Exception as error:  # nothing else may escape the reader
        raise ParseError(
            f"cannot read this text ({type(error).__name__}: {error})",
            text=str(text),
            source=source,
        ) from None


def _reader(text: object, context: Context | None, source: str, **options: bool) -> _Reader:
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}", source=source)
    return _Reader(text, context if context is not None else Context(), source, **options)


# ---- public API ----------------------------------------------------------------------------


def parse_expression(
    text: str, context: Context | None = None, *, source: str = "<input>"
) -> sp.Expr:
    """Read one expression (no '=', one line)."""
    return _guarded(text, source, _Reader.expression, _reader(text, context, source))


def parse_relation(
    text: str, context: Context | None = None, *, source: str = "<input>"
) -> Relation:
    """Read one line: ``A = B = C``, ``= B`` (continuing), with its tag and prose."""
    reader = _reader(text, context, source)
    return _guarded(text, source, lambda r: r.single()[0], reader)


def parse_lines(
    text: str, context: Context | None = None, *, source: str = "<input>"
) -> tuple[Relation, ...]:
    """Read every line of a block (aligned, eqalign, line breaks); empty lines are skipped."""
    return _guarded(text, source, _Reader.lines, _reader(text, context, source))


def parse_name(text: str, context: Context | None = None, *, source: str = "<input>") -> str:
    """The name a declaration spells: ``\\hat y_i`` → ``yhat_i``; a run of letters is one name."""
    reader = _reader(text, context, source, declaring=True)
    return _guarded(text, source, _Reader.name, reader)


def index_families(
    texts: Iterable[str], context: Context | None = None
) -> tuple[dict[str, int], frozenset[str]]:
    """The indexed families the texts make (see ``Context.families``) and the undeclared names
    their sums run up to (whole numbers ≥ 1); a text that cannot be read adds none."""
    families: dict[str, int] = {}
    counts: set[str] = set()
    for text in texts:
        reader = _reader(text, context, "<input>", declaring=False)
        reader.scanning = True
        try:
            _guarded(text, "<input>", _Reader.lines, reader)
        except ParseError:
            continue
        for base, rank in reader.families.items():
            families.setdefault(base, rank)
        counts |= reader.counts
    return families, frozenset(counts)
