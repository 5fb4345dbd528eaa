"""Derivatives: the forms that differentiate, and what each says.

``\\frac{dJ}{dx}``, ``\\frac{\\partial^2 L}{\\partial w \\partial w^T}`` and the operators
``\\frac{d}{dx}``, ``\\partial_z``, ``\\nabla_w``, ``\\nabla^2_w``; ``f'(a)`` of a declared
function; ``d X`` as the differential of matrix calculus. This module reads their variables
and orders and builds the ``Derivative`` (``Subs`` for a prime); where an operator's operand
ends is derive.read.extent's, and the ``Differential`` node is derive.read.nodes'.

The layers of the reader: derive.read.names < derivatives < derive.read.values <
derive.read.extent < the reader (derive.read.latex). A fraction is a derivative or a
quotient, and a derivative's numerator is a product: the three methods the layers above
provide are declared here, abstract.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp
from lark import Token, Tree
from sympy.core.function import AppliedUndef

from derive.core.algebra import by_value
from derive.core.context import Context
from derive.core.mathtext import text
from derive.read.names import _Name, _Names
from derive.read.nodes import Elementwise, EntryOf, _derivative, _div, _is_array
from derive.read.tree import Node, _Entry, _inside, _is_token, _short, _Word


@dataclass
class _DerivativeForm:
    """What a derivative fraction says: its variables and the numerator after d/∂; ``value``:
    the function's value it is taken by, when that is its variable (∂/∂σ(z))."""

    variables: tuple[tuple[sp.Symbol, int], ...]
    body: list[_Entry] = field(default_factory=list)
    value: sp.Expr | None = None


class _Derivatives(_Names, ABC):
    """The reader's second layer: derivative forms (on top of names)."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        super().__init__(text, context, source, declaring=declaring)
        self.frobenius_line = False  # the line holds ':', so 'd X' is a differential
        self.derivatives: dict[int, _DerivativeForm | None] = {}

    # -- provided by the layers above --------------------------------------------------------

    @abstractmethod
    def value(self, node: Node) -> sp.Expr:
        """The value of a node (derive.read.values)."""

    @abstractmethod
    def product(self, entries: list[_Entry], at: Node | None = None,
                tail: sp.Expr | None = None) -> sp.Expr:
        """The value of a product's entries (derive.read.extent); ``tail`` is the operand of
        an operator that ends them (``\\sum_i -x_i``: the signed term after it)."""

    @abstractmethod
    def is_operator(self, entry: _Entry) -> bool:
        """Whether an entry takes the rest of its product (derive.read.extent)."""

    # -- fractions -------------------------------------------------------------------------

    def frac_value(self, frac: Tree[Token]) -> sp.Expr:
        form = self.derivative_form(frac)
        if form is None:
            return _div(self.value(frac.children[1]), self.value(frac.children[2]))
        if form.value is not None:
            if not form.body:
                self.fail("write what is differentiated by the value: "
                          "\\frac{\\partial f}{\\partial \\sigma(z)}", frac)
            return by_value(self.product(form.body, frac), form.value)
        return _derivative(self.product(form.body, frac), form.variables)

    def derivative_form(self, frac: Tree[Token]) -> _DerivativeForm | None:
        key = id(frac)
        if key not in self.derivatives:
            self.derivatives[key] = self.read_derivative(frac)
        return self.derivatives[key]

    def read_derivative(self, frac: Tree[Token]) -> _DerivativeForm | None:
        denominator = self.entries(_innermost(frac.children[2]))
        numerator = self.entries(_innermost(frac.children[1]))
        tolerant = self.tolerant_markers(numerator, denominator)
        if len(denominator) < 2 or self.marker_order(denominator[0], tolerant) is None:
            return None
        if tolerant is not None:
            shown = " ".join(self.text[self.start(frac) : self.end(frac)].split())
            self.note(f"\\delta read as \\partial in '{_short(shown, 60)}'", frac)
        by_value = self.value_variable(denominator)
        if by_value is not None:
            order = self.marker_order(numerator[0], tolerant)
            if order != 1 or (len(numerator) > 1 and numerator[1].op is not None):
                self.fail("a derivative by a function's value is read of first order, "
                          "\\frac{\\partial f}{\\partial \\sigma(z)}", frac)
            shown = " ".join(self.text[self.start(frac) : self.end(frac)].split())
            self.note(f"'{_short(shown, 60)}' read as the derivative by the value "
                      f"{text(by_value)}, the rest held fixed", frac)
            return _DerivativeForm((), numerator[1:], by_value)
        variables: list[tuple[sp.Symbol, int]] = []
        for k in range(0, len(denominator), 2):
            marker = denominator[k]
            if self.marker_order(marker, tolerant) != 1 or marker.postfixes:
                self.fail("cannot read the denominator of this derivative", marker)
            if k + 1 >= len(denominator):
                self.fail("expected the variable of the derivative", self.end(marker))
            variables.append(self.derivative_variable(denominator[k + 1]))
        order = self.marker_order(numerator[0], tolerant)
        total = sum(count for _, count in variables)
        if order is None and total == 1 and self.is_bare_name(numerator):
            # \frac{Co}{dw_L}: a name over a differential, the numerator's d left out
            shown = " ".join(self.text[self.start(frac) : self.end(frac)].split())
            self.note(f"'{_short(shown, 60)}' read as a derivative (the numerator's d left "
                      "out)", frac)
            return _DerivativeForm(tuple(variables), list(numerator))
        if order is None:
            self.fail("the numerator of a derivative must start with d or \\partial", numerator[0])
        if order != total:
            self.fail(
                f"the orders do not match: d^{order} over variables of total order {total}",
                frac,
            )
        body = numerator[1:]
        if body and body[0].op is not None:
            self.fail(f"unexpected '{body[0].op}'", body[0].op)
        return _DerivativeForm(tuple(variables), body)

    def is_bare_name(self, entries: list[_Entry]) -> bool:
        """One name with no scripts but its subscript (``Co``, ``z_L``)."""
        if len(entries) != 1 or entries[0].op is not None or entries[0].signs:
            return False
        named = self.name_of(entries[0])
        return named is not None and not named[1] and not named[0].primes

    def value_variable(self, denominator: list[_Entry]) -> sp.Expr | None:
        """``\\partial \\sigma(z)``, ``d\\log(y)``: a first-order marker, then one function
        applied to its argument — the value a derivative is taken by. None otherwise."""
        if len(denominator) != 3 or self.marker_order(denominator[0]) != 1 or \
                denominator[0].postfixes or denominator[2].op is not None:
            return None
        function, bracket = denominator[1], denominator[2]
        if function.op is not None or function.signs or not self.is_call(function, bracket):
            return None
        value = self.product(denominator[1:])
        if isinstance(value, sp.Function) and not isinstance(value, sp.Subs) and \
                all(isinstance(a, sp.Expr) for a in value.args):
            return value
        return None

    def tolerant_markers(self, numerator: list[_Entry], denominator: list[_Entry]) -> str | None:
        """``\\frac{\\delta L}{\\delta y}`` (δ for ∂ above and below, the context declaring no
        δ): "\\delta", read as a partial derivative; None otherwise."""
        if len(denominator) < 2 or not numerator or "delta" in self.context.symbols:
            return None
        if all(self.is_delta(entry) for entry in (numerator[0], denominator[0])):
            return "\\delta"
        return None

    def is_delta(self, entry: _Entry) -> bool:
        core = entry.core
        return (entry.op is None and not entry.signs and not entry.postfixes
                and isinstance(core, Token) and core.type == "GREEK"
                and str(core).strip() == "\\delta")

    def marker_order(self, entry: _Entry, tolerant: str | None = None) -> int | None:
        """1 (or n for d^n) when the entry is ``d`` or ``\\partial`` (or δ, where a derivative
        fraction writes it for ∂); None otherwise."""
        core = entry.core
        # d/dx reads d as the derivative even where d is also an index letter (Σ_d): the
        # ratio of two products that both begin with an index is not what anyone writes
        is_d = isinstance(core, _Word) and core.text == "d" and (
            "d" not in self.context.symbols or "d" in self.context.indices)
        is_partial = (isinstance(core, Token) and core.type == "PARTIAL") or (
            tolerant is not None and self.is_delta(entry))
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

    # -- operators, primes, differentials --------------------------------------------------

    def gradient_of(self, gradient: Tree[Token], body: sp.Expr) -> sp.Expr:
        """``\\nabla_w L``: the derivative of L with respect to w; ``\\nabla^2_w L`` and
        ``\\nabla_w^2 L``: the second derivative (the Hessian, for a vector w)."""
        children = list(gradient.children)
        if gradient.data == "gradient_order_first":
            children = [children[0], children[3], children[4], children[1], children[2]]
        if len(children) == 1:
            return self.gradient_by_argument(gradient, body)
        if len(children) == 3 and _is_token(children[1], "SUP"):
            # \nabla^2 f(x)_{i,j}: the entry (i, j) of the Hessian by f's argument
            script = _innermost(children[2])
            if not _is_token(script, "NUMBER") or str(script) not in ("1", "2"):
                self.fail("\\nabla takes a first or second order: \\nabla^2_w", children[2])
            return self.gradient_by_argument(gradient, body, int(str(script)))
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

    def gradient_by_argument(self, gradient: Tree[Token], body: sp.Expr,
                             order: int = 1) -> sp.Expr:
        """``\\nabla f(w)``: the gradient by w, the one argument of the function f;
        ``\\nabla f(x)_i``: its entry i, the derivative by x_i; ``\\nabla^2 f(x)_{i,j}``: the
        entry (i, j) of the Hessian, the derivative by x_i and x_j."""
        if isinstance(body, EntryOf):
            function, index = body.args
            argument = function.args[0] if isinstance(function, AppliedUndef) else None
            if not isinstance(argument, sp.Symbol | sp.MatrixSymbol) or \
                    not isinstance(index, sp.Symbol):
                self.fail("write the variable of the gradient: \\nabla_w", gradient)
            written = index.name.strip("{}")
            letters = [part.strip() for part in written.split(",")] if "," in written \
                else list(written)
            if len(letters) != order or not all(re.fullmatch(r"[A-Za-z]", t) for t in letters):
                self.fail(f"\\nabla{'^2' if order == 2 else ''} of an entry takes "
                          f"{'two indices' if order == 2 else 'one index'}: "
                          f"{'f(x)_{i,j}' if order == 2 else 'f(x)_i'}", gradient)
            entries = [self.context.symbol(f"{argument.name}_{letter}") for letter in letters]
            what = f"the entry {index} of its gradient" if order == 1 else \
                f"the entry ({', '.join(letters)}) of its Hessian"
            self.note(f"\\nabla{'^2' if order == 2 else ''} {function}_{index} read as the "
                      f"derivative of {function} by {' and '.join(map(str, entries))}, {what}",
                      gradient)
            return _derivative(function, [(entry, 1) for entry in entries])
        arguments: tuple[sp.Basic, ...] = body.args if isinstance(body, AppliedUndef) else ()
        variable = arguments[0] if len(arguments) == 1 else None
        if not isinstance(variable, sp.Symbol | sp.MatrixSymbol):
            self.fail("write the variable of the gradient: \\nabla_w", gradient)
        self.note(f"\\nabla{'^2' if order == 2 else ''} {body} read as the "
                  f"{'gradient' if order == 1 else 'Hessian'} by {variable}, the argument of "
                  f"{type(body).__name__}", gradient)
        return _derivative(body, [(variable, order)])

    def primed(self, function: Callable[..., sp.Expr], name: _Name, values: list[sp.Expr],
               bracket: Tree[Token]) -> sp.Expr:
        """``f'(a)``: ``Subs(Derivative(f(t), t), t, a)``; on an array, entry by entry."""
        if len(values) != 1:
            self.fail(f"{_short(name.full())}' takes one argument", bracket)
        dummy = sp.Dummy("t")
        derivative = _derivative(function(dummy), [(dummy, name.primes)])
        if _is_array(values[0]):
            return Elementwise(sp.Lambda(dummy, derivative), values[0])
        return sp.Subs(derivative, dummy, values[0])

    def is_differential(self, entry: _Entry, following: _Entry | None) -> bool:
        core = entry.core
        if not (isinstance(core, _Word) and core.text == "d") or entry.postfixes:
            return False
        if ("d" in self.context.symbols and "d" not in self.context.indices) or \
                self.context.is_function("d"):
            return False  # an index letter d (Σ_d) is never a factor: dp stays a differential
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
        if named is None:
            return False
        if named[0].full() in self.context.symbols:
            return True
        # dW, dz_i, d\hat{x}: a differential, or a gradient's name as code writes it
        # (dW for ∂L/∂W); the two readings differ, and d times W is neither
        written = self.text[self.start(following) : self.end(following)].strip()
        self.fail(f"cannot read 'd{written}': a differential (declare {written}, and "
                  f"[settings] vary) or a gradient's name as code writes it (d{written} for "
                  f"∂loss/∂{written}: write the fraction); declare d to read a product", entry)


def _innermost(node: Node) -> Node:
    """The content of a braced group, and of the groups it is all of: ``{{\\partial y}}``."""
    inner = _inside(node)
    while inner is not node:
        node, inner = inner, _inside(inner)
    return inner


def _is_partial_operator(entry: _Entry) -> bool:
    """``\\partial_z``: the partial derivative by z of the rest of the product."""
    return (isinstance(entry.core, Token) and entry.core.type == "PARTIAL"
            and len(entry.postfixes) == 1 and entry.postfixes[0].data == "sub")
