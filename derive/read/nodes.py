"""What the reader builds: the records of a line and the builders of every SymPy node.

``Relation`` is one line read. The builders (``_add``, ``_mul``, ``_pow``, ``_div``,
``_hadamard``, ``_frobenius``, ``_transpose``, ``_apply``, ``_derivative``, ``_sum``) make
every product, sum, power and transpose: on scalars they build ordinary SymPy expressions; as
soon as an operand is an array (a matrix symbol, or anything holding one) they build SymPy's
matrix expressions in the order written (``ArrayProduct``, ``ArraySum``, ``Juxtaposition``,
``ArrayHadamard``, ``ArrayPower``, ``Frobenius``, ``Elementwise``), without checking that the
shapes conform: derive.verify.shapes infers the shapes and reports what does not conform.

``Differential`` is here, not with the derivative forms (derive.read.derivatives), because it
is a node the builders make (``_apply`` of ``d`` to an array) and derive.verify.shapes reads.
Nothing here reads text: a new node is added here, and the reader only calls its builder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.core.function import UndefinedFunction
from sympy.matrices.expressions import MatrixExpr
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from derive.read.screen import MAX_DIGITS


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
    readings: tuple[str, ...] = field(default=(), compare=False)
    """The tolerant readings taken on this line, each said as "X read as Y" (a full stop
    left out, a macro expanded, '.' read as a product, X' as a transpose, ...)."""
    defining: bool = field(default=False, compare=False)
    """The line is written as a definition (``:=``, ``\\coloneqq``, ``\\triangleq``,
    ``\\equiv``), read as '='."""
    conditions: tuple[str, ...] = field(default=(), compare=False)
    """The conditions the line states after its equation (``\\quad x < 0``, ``, i = j``), as
    LaTeX: the claim is that it holds under them."""
    indices: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """Index letters of the line's own and the index each stands for primed (``('q', 'k')``
    for ``k'``): the claim runs over q as over k."""


class EntryOf(sp.Function):  # type: ignore[misc]
    """``f(x)_i``, the entry i of a function's value, as ``\\nabla f(x)_i`` writes the partial
    derivative by x_i; read only under ∇ (anywhere else the line is refused)."""

    nargs = 2


class Differential(sp.Function):  # type: ignore[misc]
    """The differential d(X) of matrix calculus, as in ``dL = y : d log(ŷ)``."""

    nargs = 1

    def _latex(self, printer: object, exp: object = None) -> str:
        inner = printer._print(self.args[0])  # type: ignore[attr-defined]
        body = rf"d\left({inner}\right)"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body

    def _sympystr(self, printer: object) -> str:
        return f"d({printer._print(self.args[0])})"  # type: ignore[attr-defined]


class Stacked(MatrixExpr):  # type: ignore[misc]
    """A column written with ``\\vdots`` between its first rows and its last,
    ``[ŷ_1 − y_1; ŷ_2 − y_2; ⋮; ŷ_n − y_n]``: the entry at ``index`` = k is ``body`` with the
    index at k, for k from ``low`` to ``high``."""

    def __new__(cls, body: sp.Expr, index: sp.Symbol, low: sp.Expr, high: sp.Expr) -> Any:
        return sp.Basic.__new__(cls, body, index, low, high)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.args[3] - self.args[2] + 1, sp.S.One)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        body, index, low, high = self.args
        found: set[sp.Basic] = (body.free_symbols - {index}) | low.free_symbols | \
            high.free_symbols
        return found

    def _sympystr(self, printer: Any) -> str:
        body, index, low, high = (printer._print(a) for a in self.args)
        return f"[{body}]_({index}={low}..{high})"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body, index, low, high = (printer._print(a) for a in self.args)
        return rf"\left[{body}\right]_{{{index}={low}}}^{{{high}}}"


class Grid(MatrixExpr):  # type: ignore[misc]
    """A square matrix written with ``\\cdots``, ``\\vdots`` and ``\\ddots`` between its first
    rows and columns and its last: the entry at (``row``, ``column``) = (k, l) is ``diagonal``
    at k where k = l, else ``other`` at (k, l), for k and l from ``low`` to ``high``."""

    def __new__(cls, diagonal: sp.Expr, other: sp.Expr, row: sp.Symbol, column: sp.Symbol,
                low: sp.Expr, high: sp.Expr) -> Any:
        return sp.Basic.__new__(cls, diagonal, other, row, column, low, high)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        size = self.args[5] - self.args[4] + 1
        return (size, size)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        diagonal, other, row, column, low, high = self.args
        found: set[sp.Basic] = ((diagonal.free_symbols | other.free_symbols) - {row, column}) \
            | low.free_symbols | high.free_symbols
        return found

    def _sympystr(self, printer: Any) -> str:
        diagonal, other, row, column, low, high = (printer._print(a) for a in self.args)
        return f"[{diagonal} if {row} = {column}, else {other}]_({row},{column}={low}..{high})"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        diagonal, other, row, column, low, high = (printer._print(a) for a in self.args)
        return (rf"\left[{diagonal} \text{{ if }} {row} = {column}, \text{{ else }} {other}"
                rf"\right]_{{{row},{column}={low}}}^{{{high}}}")


class SoftmaxOfEntries(sp.Function):  # type: ignore[misc]
    """``\\mathrm{softmax}(z)`` of a name whose entries z_k the document writes, taken whole:
    the vector of e^{z_k}/Σ_j e^{z_j}. Read only as the definition of a name (``y =
    softmax(z)``), which gives the entries y_k; anywhere else a claim with it is not decided."""

    nargs = 1

    def _sympystr(self, printer: Any) -> str:
        return f"softmax({printer._print(self.args[0])})"


class Softmax(MatrixExpr):  # type: ignore[misc]
    """``\\mathrm{softmax}(A)`` of an array: of a vector, e^{a_i}/Σ_k e^{a_k} over its entries;
    of a matrix, the same over each row (as attention applies it to QKᵀ/√d_k)."""

    def __new__(cls, arg: sp.Expr) -> Any:
        return sp.Basic.__new__(cls, arg)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        shape: tuple[sp.Expr, sp.Expr] = self.args[0].shape
        return shape

    def _sympystr(self, printer: Any) -> str:
        return f"softmax({printer._print(self.args[0])})"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\operatorname{{softmax}}\left({printer._print(self.args[0])}\right)"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body


# ---- builders ------------------------------------------------------------------------------


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


COLON_AS_PRODUCT = "':' read as a product"
"""The note of ``a : b`` read as ab, neither side a declared array (a scalar reading)."""


def _frobenius(left: sp.Expr, right: sp.Expr) -> sp.Expr:
    """The Frobenius product ``left : right`` = tr(leftᵀ right); multiplication on scalars.
    The number 1 beside a column is the column of ones (``\\o:\\log(…)`` = 𝟏ᵀlog(…), the sum
    of the entries), as matrix-calculus texts write it; a product with a number would be
    ill-formed."""
    for one, other in ((left, right), (right, left)):
        if one == sp.S.One and _is_array(other) and getattr(other, "shape", (0, 0))[1] == 1:
            return _run(_transpose(sp.S.One), other)
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
    products are gathered into one ``Mul`` (a long product costs linear time). The Frobenius
    product binds loosest, as matrix-calculus texts write it: ``y:X\beta`` is y : (Xβ).
    """
    if any(operator == ":" for operator, _ in rest):
        segments: list[tuple[sp.Expr, list[tuple[str, sp.Expr]]]] = [(first, [])]
        for operator, factor in rest:
            if operator == ":":
                segments.append((factor, []))
            else:
                segments[-1][1].append((operator, factor))
        values = [_product(head, tail) for head, tail in segments]
        result = values[0]
        for value in values[1:]:
            result = _frobenius(result, value)
        return result
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
