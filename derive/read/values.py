"""Values: what each node of the tree is worth, once its names and derivatives are known.

A sum of terms (and the series ``a_1 + a_2 + \\dots + a_k``), an entry (a name, a number, a
group, a bracket, a fraction, ``|z|``, ``\\sqrt``, ``\\begin{cases}``), a call ``f(x)``, and
the scripts that follow a value (powers, transposes). The builders (derive.read.nodes) make
each value; where a product's operators end is derive.read.extent's, which the check of a
sum's terms (``check_sum_extent``) asks.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy as sp
from lark import Token, Tree
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive.core.context import Context
from derive.core.domains import Interval, RealLine
from derive.core.functions import ML_FUNCTIONS, sigmoid
from derive.core.mathtext import text
from derive.read.derivatives import _Derivatives
from derive.read.families import index_entry
from derive.read.names import _Name
from derive.read.nodes import (
    EntryOf,
    Grid,
    Softmax,
    SoftmaxOfEntries,
    Stacked,
    _add,
    _apply,
    _derivative,
    _div,
    _frobenius,
    _is_array,
    _mul,
    _negate,
    _pow,
    _sum,
    _TooLarge,
    _transpose,
)
from derive.read.screen import MAX_DIGITS
from derive.read.tree import (
    Core,
    Node,
    _arguments,
    _Entry,
    _inside,
    _is_token,
    _is_tree,
    _short,
    _Word,
)

_CASE_TESTS: dict[str, Callable[[sp.Expr, sp.Expr], sp.Basic]] = {
    "=": sp.Eq, "≠": sp.Ne, "<": sp.Lt, ">": sp.Gt, "≤": sp.Le, "≥": sp.Ge,
}
"""The condition of a case: ``i = j``, ``i \\neq j``, ``x > 0``, ``x \\leq 0``."""


DIAG = sp.Function("diag")
"""diag of a name the context gives no shape (the matrix claims find its shape in its
definition)."""


@dataclass(frozen=True)
class _Term:
    """One term of a sum, with the sign before it; a term that ends with an operator holds
    the term after it as the operator's operand (``tail``)."""

    sign: Token | None
    node: Node
    tail_sign: Token | None = None
    tail: Node | None = None

    def end(self) -> Node:
        return self.tail if self.tail is not None else self.node


_OPERATOR_NODES = frozenset({"bigsum", "limit", "gradient", "gradient_order_first", "frac",
                             "factor"})


def _may_end_with_operator(node: Node) -> bool:
    """Whether a term's last factor may be an operator (a sum, a limit, ∇, d/dx, ∂_z)."""
    if isinstance(node, Tree) and node.data in ("term", "signed"):
        node = node.children[-1]
    return isinstance(node, Tree) and node.data in _OPERATOR_NODES


def _case_relation(token: Token | Tree[Token]) -> str:
    """The relation of a case's condition as one sign: ``\\geq`` is ``≥``."""
    text = str(token).strip().lstrip("\\")
    if text in ("=", "<", ">"):
        return text
    return {"ne": "≠", "neq": "≠", "lt": "<", "gt": ">", "le": "≤", "leq": "≤", "ge": "≥",
            "geq": "≥"}[text]


class _Values(_Derivatives):
    """The reader's third layer: values of sums, entries, calls and scripts."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        super().__init__(text, context, source, declaring=declaring)
        self.digits = 0  # the digits of the numbers built so far by powers
        self.sum_indices: dict[int, str] = {}
        """The index of a sum written without one, as its extent told it (by the sum's id)."""

    @abstractmethod
    def check_sum_extent(self, term: _Term, level: Tree[Token],
                         following: Sequence[_Term]) -> None:
        """Refuse an ambiguous operator in a term of a sum (derive.read.extent)."""

    # -- sums --------------------------------------------------------------------------------

    def value(self, node: Node) -> sp.Expr:
        if isinstance(node, Tree):
            if node.data == "sum":
                return self.sum_value(node)
            if node.data == "args":
                self.fail("a list '(a, b)' is read only as the arguments of a function", node)
        return self.product(self.entries(node), node)

    def sum_value(self, node: Tree[Token]) -> sp.Expr:
        children = node.children
        units = [_Term(None, children[0])]
        for k in range(1, len(children), 2):
            operator = children[k]
            assert isinstance(operator, Token)
            units.append(_Term(operator, children[k + 1]))
        units = self.operator_bodies(units)
        for k, unit in enumerate(units[:-1]):
            self.check_sum_extent(unit, node, units[k + 1 :])
        terms = [(unit.sign, unit.node) for unit in units]
        dots = [k for k, (_, term) in enumerate(terms) if _is_token(term, "DOTS")]
        values: list[sp.Expr | None] = []
        for k, unit in enumerate(units):
            if k in dots:
                values.append(None)
                continue
            values.append(self.term_value(unit))
        if dots:
            return self.dots_sum(terms, values, dots)
        return _add(*[v for v in values if v is not None])

    def operator_bodies(self, units: list[_Term]) -> list[_Term]:
        """``C \\sum_{i=1}^n -x_i y_i``: a term that ends with an operator (a sum, a limit,
        d/dx) takes the signed term after it as its operand."""
        merged: list[_Term] = []
        k = 0
        while k < len(units):
            unit = units[k]
            if k + 1 < len(units) and _may_end_with_operator(unit.node):
                entries = self.entries(unit.node)
                if entries and self.is_operator(entries[-1]):
                    following = units[k + 1]
                    merged.append(_Term(unit.sign, unit.node, following.sign, following.node))
                    k += 2
                    continue
            merged.append(unit)
            k += 1
        return merged

    def term_value(self, unit: _Term) -> sp.Expr:
        """The value of one term of a sum, with its sign."""
        if unit.tail is None:
            value = self.value(unit.node)
        else:
            tail = self.value(unit.tail)
            if unit.tail_sign is not None and unit.tail_sign.type == "MINUS":
                tail = _negate(tail)
            value = self.product(self.entries(unit.node), unit.node, tail)
        return _negate(value) if unit.sign is not None and unit.sign.type == "MINUS" else value

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
        if at == len(terms) - 1 and at >= 2 and sign is not None and sign.type == "PLUS" and \
                self.context.series_count:
            return self.open_series(terms, values, at)
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

    def open_series(self, terms: list[tuple[Token | None, Node]],
                    values: list[sp.Expr | None], at: int) -> sp.Expr:
        """``θ_0 + θ_1x_1 + θ_2x_2 + \\dots``: the terms before the dots that follow one
        pattern at consecutive subscripts (two at least) go on for the context's series count
        n of terms more (Σ_{i=1}^{2+n} θ_i x_i); the terms before the pattern stay as written.
        Said."""
        before = [v for v in values[:at] if v is not None]
        count = self.context.symbol(self.context.series_count)
        numbered = {s: s.name.rpartition("_") for s in before[-1].free_symbols
                    if isinstance(s, sp.Symbol) and s.name.rpartition("_")[2].isdigit()}
        found = None
        if numbered:
            last = before[-1].xreplace({s: self.context.symbol(f"{base}_{count.name}")
                                        for s, (base, _, _) in numbered.items()})
            found = self.dots_pattern(before, last, [*values, last])
        if found is not None and isinstance(found[1], sp.Sum):
            # the dots go on past the last term written (subscript k): the series runs to
            # k + n, n ≥ 1, so every term written is in it whatever n is
            written = max(int(script) for _, _, script in numbered.values())
            (index, low, _), = found[1].limits
            found = (found[0], sp.Sum(found[1].function, (index, low, count + written)))
        if found is None or found[0] > len(before) - 2:
            self.fail("cannot read '\\dots' at the end of a sum: the terms before it do not "
                      "share one shape that differs only in a subscript", terms[at][1])
        first, series = found
        self.note(f"the sum ending in \\dots read as going on for {count.name} terms more, "
                  f"{count.name} ≥ 1 ({text(series)})", terms[at][1])
        return _add(*before[:first], series)

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

    # -- entries -----------------------------------------------------------------------------

    def entry_value(self, entry: _Entry) -> sp.Expr:
        named = self.name_of(entry)
        if named is not None:
            name, rest = named
            if name.primes:
                return self.postfixed(self.primed_name(name, entry), rest)
            if name.full() == "e" and "e" in self.context.symbols and rest and \
                    rest[0].data == "sup" and not _is_token(_inside(rest[0].children[1]),
                                                            "NUMBER"):
                # e named by the file (e = exp(z)): e^{w^Tx} is still the exponential
                self.note("e^{…} read as the exponential (e alone is the name the file defines)",
                          rest[0])
                return self.postfixed(sp.E, rest)
            return self.postfixed(self.name_value(name), rest)
        core = entry.core
        kinds = []
        for postfix in entry.postfixes:
            if postfix.data != "sub":
                continue
            kind = self.norm_subscript(core, postfix)
            if kind is None:
                self.fail("a subscript needs a name", postfix)
            kinds.append(kind)
        postfixes = [p for p in entry.postfixes if p.data != "sub"]
        if _is_tree(core, "norm"):
            assert isinstance(core, Tree)
            return self.norm_value(core, postfixes, kinds[0] if kinds else None)
        return self.postfixed(self.core_value(core), postfixes)

    def norm_subscript(self, core: Core, postfix: Tree[Token]) -> str | None:
        """The norm a subscript names: ``\\|x\\|_2`` the Euclidean norm, ``\\|W\\|_F`` the
        Frobenius norm; None for any other subscript."""
        script = postfix.children[1]
        if isinstance(script, Tree) and script.data == "group" and len(script.children) == 3:
            script = script.children[1]
        if not _is_tree(core, "norm"):
            return None
        if _is_token(script, "NUMBER") and str(script) == "2":
            return "2"
        if isinstance(script, Token) and str(script) == "F":
            return "F"
        return None

    def primed_name(self, name: _Name, entry: _Entry) -> sp.Expr:
        """``X'`` of a declared array: its transpose; ``u'`` of a scalar name: its derivative
        by the one variable the context declares. Anything else is refused."""
        full = name.full()
        primes = "'" * name.primes
        info = self.context.symbols.get(full)
        if info is not None and info.shape is not None:
            if name.primes != 1:
                self.fail(f"cannot read {_short(full)}{primes}: a prime on an array is its "
                          "transpose", name.token)
            self.note(f"{full}' read as the transpose {full}^T", name.token)
            return _transpose(self.context.matrix(full))
        if self.context.prime_by and not self.context.is_function(full):
            by = self.context.symbol(self.context.prime_by)
            self.note(f"{full}{primes} read as the derivative of {full} by {by} (the file's "
                      "prime)", name.token)
            return _derivative(self.name_value(replace(name, primes=0)), [(by, name.primes)])
        if self.context.is_function(full) and name.sub is None:
            # f' written without its argument: the derivative of f at the line's variable
            line = self.line_variable()
            self.note(f"{full}{primes} without its argument read as the derivative of "
                      f"{full}(…)", name.token)
            return _derivative(_function_named(full)(line), [(line, name.primes)])
        variable = None if self.context.is_function(full) else self.only_variable(full)
        if variable is None and not self.context.is_function(full):
            itself = self.only_variable("")  # x' of the one variable x: dx/dx
            variable = itself if itself is not None and itself.name == full else None
        if variable is None:
            self.fail(
                f"cannot read {_short(full)}': a prime is read only on a declared function "
                "applied to its argument, on a declared array (its transpose), or on a name "
                "when the context declares one variable",
                name.token,
            )
        self.note(f"{full}{primes} read as the derivative of {full} by {variable} (the one "
                  "variable declared)", name.token)
        return _derivative(self.name_value(replace(name, primes=0)),
                           [(variable, name.primes)])

    def line_variable(self) -> sp.Symbol:
        """The variable of a line whose functions are written without their argument (f',
        (f/g)'): a placeholder, replaced once the line is read (``with_line_variable``)."""
        found: sp.Symbol | None = getattr(self, "_line_variable", None)
        if found is None:
            found = self._line_variable = sp.Dummy("line")
        return found

    def with_line_variable(self, sides: tuple[sp.Expr, ...], at: Node) -> tuple[sp.Expr, ...]:
        """A line's sides with its functions written without their argument (f, f', (f/g)')
        applied to the line's variable: the one variable the line applies a declared function
        to (``S'(x) = (f/g)'``: x), or, in a line with no variable at all
        (``(f/g)' = (f'g - g'f)/g^2``), a variable of its own, t. Anything else is refused."""
        line: sp.Symbol | None = getattr(self, "_line_variable", None)
        if line is None or not any(side.has(line) for side in sides):
            return sides
        bare = {s for side in sides for s in side.free_symbols
                if isinstance(s, sp.Symbol) and self.context.is_function(s.name)}
        arguments: set[sp.Basic] = set()
        for side in sides:
            for call in side.atoms(AppliedUndef, sp.Function):
                if self.context.is_function(type(call).__name__) or \
                        type(call).__name__ in ML_FUNCTIONS:
                    arguments |= {a for a in call.args if isinstance(a, sp.Symbol)
                                  and not isinstance(a, sp.Dummy)}
            for subs in side.atoms(sp.Subs):
                arguments |= {p for p in subs.point if isinstance(p, sp.Symbol)}
        others = {s for side in sides for s in side.free_symbols
                  if isinstance(s, sp.Symbol) and s not in bare and s != line}
        if len(arguments) == 1:
            variable = next(iter(arguments))
        elif not arguments and not others:
            variable = self.context.symbol("t")
        else:
            self.fail("cannot tell which variable the functions written without their argument "
                      "are functions of: write f'(x)", at)
        self.note(f"functions written without their argument read as functions of {variable}",
                  at)
        mapping: dict[sp.Basic, sp.Basic] = {s: _function_named(s.name)(variable) for s in bare}
        mapping[line] = variable
        return tuple(side.xreplace(mapping) for side in sides)

    def only_variable(self, besides: str) -> sp.Symbol | None:
        """The one scalar variable the context declares (not an index, a count or ``besides``),
        or None when it declares none or several."""
        counts = set(self.context.indices.values())
        found = [name for name, info in self.context.symbols.items()
                 if info.shape is None and name != besides and name not in counts
                 and name not in self.context.indices
                 and isinstance(info.domain, RealLine | Interval)]
        if len(found) != 1 or index_entry(found[0], self.context.indices):
            return None  # x_k, k an index letter: N variables, and the prime names none
        return self.context.symbol(found[0])

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
        if kind == "norm":
            return self.norm_value(core, [])
        if kind == "matrix":
            return self.matrix_value(core)
        if kind == "cases":
            return self.cases_value(core)
        if kind == "root":
            return self.root_value(core)
        if kind == "accent":
            self.fail(f"'{core.children[0]}' is read only over a name", core)
        self.fail("cannot read this", core)

    def norm_value(self, norm: Tree[Token], postfixes: Sequence[Tree[Token]],
                   kind: str | None = None) -> sp.Expr:
        """``\\|x\\|``: |x| of a scalar; of an array, read squared only: ``\\|w\\|^2`` is
        wᵀw (the Frobenius product w : w), as are ``\\|w\\|_2^2`` of a vector and
        ``\\|W\\|_F^2``; ``\\|A\\|_2`` of a matrix is its spectral norm, which is refused."""
        value = self.value(norm.children[1])
        if kind == "2" and _is_array(value) and isinstance(value, sp.MatrixExpr) and \
                value.shape[0] != 1 and value.shape[1] != 1:
            self.fail("\\|A\\|_2 of a matrix is its spectral norm, which is not read; the "
                      "Frobenius norm is \\|A\\|_F", norm)
        if not _is_array(value):
            return self.postfixed(_apply(sp.Abs, value), postfixes)
        square = postfixes[0] if postfixes and postfixes[0].data == "sup" else None
        if square is None or self.script_value(square.children[1]) != 2:
            self.fail("the norm of an array is read squared: \\|w\\|^2", norm)
        return self.postfixed(_frobenius(value, value), postfixes[1:])

    def matrix_value(self, matrix: Tree[Token]) -> sp.Expr:
        """``\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}`` (bmatrix, array, ...): the
        matrix of its entries, scalars; one written with dots is a pattern (patterned_value)."""
        cells = _matrix_cells(matrix)
        if any(cell is None or _is_dots(cell) for row in cells for cell in row):
            return self.patterned_value(cells, matrix)
        rows = [[self.value(cell) for cell in row if cell is not None] for row in cells]
        if len({len(row) for row in rows}) != 1:
            self.fail("the rows of a matrix must have as many entries each", matrix)
        if any(_is_array(entry) for row in rows for entry in row):
            self.fail("the entries of a matrix are read as scalars only", matrix)
        return sp.ImmutableMatrix(rows)

    def patterned_value(self, cells: list[list[Node | None]], matrix: Tree[Token]) -> sp.Expr:
        """A matrix written with dots: a column ``[a_1; a_2; \\vdots; a_n]`` (Stacked), a row
        ``[a_1, a_2, \\cdots, a_n]`` (a Stacked column's transpose), or a square matrix with
        ``\\cdots``, ``\\vdots`` and ``\\ddots`` in the row and column before its last
        (Grid). The entries written give the pattern, and must all follow it."""
        if len(cells) == 1 and len(cells[0]) > 1:
            return _transpose(self.stacked_value([[cell] for cell in cells[0]], matrix))
        if all(len(row) == 1 for row in cells):
            return self.stacked_value(cells, matrix)
        return self.grid_value(cells, matrix)

    def stacked_value(self, cells: list[list[Node | None]], matrix: Tree[Token]) -> sp.Expr:
        """A column written ``[a_1; a_2; \\vdots; a_n]``: the rows before the dots are its
        pattern at 1, 2, …; the row after it, the pattern at the last index (see Stacked)."""
        column = [row[0] for row in cells]
        dots = [k for k, cell in enumerate(column) if cell is None or _is_dots(cell)]
        if len(dots) > 1 or dots[0] == 0 or dots[0] != len(column) - 2:
            self.fail("cannot read the dots of this vector: they stand between its first "
                      "entries and its last", matrix)
        written = [cell for cell in column if cell is not None and not _is_dots(cell)]
        before = [self.value(cell) for cell in written[:-1]]
        last = self.value(written[-1])
        if any(_is_array(entry) for entry in (*before, last)):
            self.fail("the entries of a matrix are read as scalars only", matrix)
        values: list[sp.Expr | None] = [*before, None, last]
        found = self.dots_pattern(before, last, values)
        if found is None or found[0] != 0 or not isinstance(found[1], sp.Sum):
            self.fail("cannot read the dots of this vector: its entries do not share one shape "
                      "that differs only in a subscript", matrix)
        body, (index, low, high) = found[1].function, found[1].limits[0]
        self.note(f"the vector written with dots read as [{text(body)}] for "
                  f"{text(index)} = {low}, …, {text(high)}", matrix)
        return Stacked(body, index, low, high)

    def grid_value(self, cells: list[list[Node | None]], matrix: Tree[Token]) -> sp.Expr:
        """A square matrix written with dots in the row and column before its last
        (``[a_11 ⋯ a_1n; ⋮ ⋱ ⋮; a_n1 ⋯ a_nn]``, the softmax Jacobian): rows and columns are
        numbered from 0 or 1 up to a name n that the last row's subscripts write; the
        diagonal entries share one pattern in i, the others one in (i, j)."""
        size = len(cells)
        at = size - 2
        refused = ("cannot read this matrix written with dots: it is read when square, with "
                   "its dots filling the row and the column before the last")
        if size < 3 or any(len(row) != size for row in cells):
            self.fail(refused, matrix)
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                if (r == at or c == at) != (cell is None or _is_dots(cell)):
                    self.fail(refused, matrix)
        written = {(r, c): self.value(cell) for r, row in enumerate(cells)
                   for c, cell in enumerate(row) if r != at and c != at and cell is not None}
        if any(_is_array(entry) for entry in written.values()):
            self.fail("the entries of a matrix are read as scalars only", matrix)
        last = size - 1
        names = sorted({script for (r, _), entry in written.items() if r == last
                        for script in _subscripts(entry) if script.isalpha()})
        used = {s.name for entry in written.values() for s in entry.free_symbols} | \
            {script for entry in written.values() for script in _subscripts(entry)}
        row, column = (self.context.symbol(letter) for letter in
                       [letter for letter in "ijklpqrs" if letter not in used][:2])
        for first in (1, 0):
            for name in names:
                labels = {p: str(first + p) for p in range(at)} | {last: name}
                found = self.grid_pattern(written, labels, row, column)
                if found is not None:
                    diagonal, other = found
                    self.note(f"the matrix written with dots read as the entry {text(diagonal)} "
                              f"where {row} = {column}, else {text(other)}, for {row}, {column} "
                              f"= {first}, …, {name}", matrix)
                    return Grid(diagonal, other, row, column, sp.Integer(first),
                                self.context.symbol(name))
        self.fail("cannot read this matrix written with dots: its entries do not share one "
                  "pattern on the diagonal and one off it, numbered from 0 or 1 to a subscript "
                  "of its last row", matrix)

    def grid_pattern(self, written: dict[tuple[int, int], sp.Expr], labels: dict[int, str],
                     row: sp.Symbol, column: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
        """The diagonal and off-diagonal patterns that give every entry written, with the
        rows and columns numbered by ``labels``; None if there are none."""
        first = min(labels)
        diagonal = self.relabeled(written[first, first], {labels[first]: row.name})
        off = min(k for k in written if k[0] != k[1])
        other = self.relabeled(written[off], {labels[off[0]]: row.name,
                                              labels[off[1]]: column.name})
        for (r, c), entry in written.items():
            expected = self.relabeled(diagonal, {row.name: labels[r]}) if r == c else \
                self.relabeled(other, {row.name: labels[r], column.name: labels[c]})
            if expected != entry:
                return None
        return diagonal, other

    def relabeled(self, value: sp.Expr, scripts: dict[str, str]) -> sp.Expr:
        """``value`` with each subscript in ``scripts`` renamed (x_1 → x_i, x[1] → x[i])."""
        mapping: dict[sp.Basic, sp.Basic] = {}
        for symbol in value.free_symbols:
            if isinstance(symbol, sp.Symbol):
                base, _, script = symbol.name.rpartition("_")
                if base and script in scripts:
                    mapping[symbol] = self.context.symbol(f"{base}_{scripts[script]}")
        for entry in value.atoms(sp.Indexed):
            if len(entry.indices) == 1 and str(entry.indices[0]) in scripts:
                script = scripts[str(entry.indices[0])]
                index = sp.Integer(int(script)) if script.isdigit() else \
                    self.context.symbol(script)
                mapping[entry] = entry.base[index]
        return value.xreplace(mapping)

    def bracket_value(self, bracket: Core) -> sp.Expr:
        assert isinstance(bracket, Tree)
        return self.value(bracket.children[1])

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

    def call(self, entry: _Entry, bracket_entry: _Entry) -> sp.Expr:
        named = self.name_of(entry)
        assert named is not None
        name, rest = named
        power = self.name_power(rest)
        full = name.full()
        if power is not None:
            self.note(f"{full}^{power}(…) read as ({full}(…))^{power}, a power of its value",
                      rest[0])
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
        dotted = self.dotted_function(name)
        if dotted is not None:
            return self.postfixed(self.along_parameter(dotted, name, values, bracket),
                                  bracket_entry.postfixes)
        if self.is_derivative_operator(name):
            if power is not None:
                self.fail(f"cannot read a power on {full}: write {full}({full}(…)) for a second "
                          "derivative", rest[0])
            return self.postfixed(self.derivative_operator(name, values, bracket),
                                  bracket_entry.postfixes)
        if full == "diag" and not name.primes and not self.context.is_function(full):
            return self.postfixed(self.diagonal(values, bracket), bracket_entry.postfixes)
        if full == "softmax" and not name.primes and not self.context.is_function(full) \
                and power is None:
            return self.softmax_entry(values, bracket, bracket_entry.postfixes)
        if name.text == "softmax" and name.sub is not None and power is None:
            return self.postfixed(self.softmax_over(name.sub, values, bracket),
                                  bracket_entry.postfixes)
        if name.primes:
            result = self.primed(function, name, values, bracket)
        else:
            try:
                result = _apply(function, *values)
            except TypeError:
                self.fail(f"'{full}' does not take {len(values)} arguments", bracket)
        if power is not None:
            result = self.power(result, sp.Integer(power), rest[0])
        postfixes = bracket_entry.postfixes
        if postfixes and postfixes[0].data == "sub" and isinstance(result, AppliedUndef) and \
                len(result.args) == 1:
            # \nabla f(x)_i: the entry of the gradient, which the operator reads
            index = self.context.symbol(self.subscript_text(postfixes[0].children[1]))
            result, postfixes = EntryOf(result, index), postfixes[1:]
        return self.postfixed(result, postfixes)

    def along_parameter(self, function: str, name: _Name, values: list[sp.Expr],
                        bracket: Tree[Token]) -> sp.Expr:
        """``\\dot{F}(p)``, a dot for the derivative along a parameter: F'(p)·ṗ, the chain
        rule with ṗ the derivative of p (a name of its own, as ``\\dot p`` is)."""
        if len(values) != 1 or not isinstance(values[0], sp.Symbol):
            self.fail(f"\\dot{{{function}}} is read on {function} of one name: "
                      f"\\dot{{{function}}}(p)", bracket)
        (value,) = values
        self.note(f"\\dot{{{function}}}({value}) read as {function}'({value})·{value}̇, the "
                  "derivative along a parameter", bracket)
        primed = self.primed(_function_named(function), replace(name, text=function, primes=1),
                             values, bracket)
        return _mul(primed, self.context.symbol(f"{value.name}dot"))

    def derivative_operator(self, name: _Name, values: list[sp.Expr],
                            bracket: Tree[Token]) -> sp.Expr:
        """``D_x(f)``: df/dx; ``D(f)``: the derivative by the one variable f writes (0 when f
        writes none, as D(1)). Of several variables, or of an array, it is refused."""
        if len(values) != 1 or _is_array(values[0]):
            self.fail("the derivative operator D takes one scalar argument: D(f) or D_x(f)",
                      bracket)
        (value,) = values
        if name.sub is not None:
            variable = self.context.symbol(name.sub)
        else:
            free = sorted((s for s in value.free_symbols if isinstance(s, sp.Symbol)
                           and not isinstance(s, sp.Dummy)
                           and not self.context.is_function(s.name)), key=str)
            if not free:
                self.note("D(…) of a constant read as 0, the derivative operator", bracket)
                return sp.S.Zero
            if len(free) > 1:
                names = ", ".join(str(s) for s in free)
                self.fail(f"D(…) of a formula in {names}: write D_x(…) with the variable",
                          bracket)
            variable = free[0]
        self.note(f"{name.full()}(…) read as the derivative operator d/d{variable}", bracket)
        return _derivative(value, [(variable, 1)])

    def name_power(self, rest: tuple[Tree[Token], ...]) -> int | None:
        """The n of ``\\sigma^2(z)``, ``Tanh^2(x)``: a power of the function's value (a whole
        number ≥ 2); any other script on a function's name is refused."""
        if not rest:
            return None
        script = rest[0].children[1]
        if isinstance(script, Tree) and script.data == "group":
            script = script.children[1]
        if len(rest) == 1 and rest[0].data == "sup" and _is_token(script, "NUMBER") and \
                str(script).isdigit() and int(str(script)) >= 2:
            return int(str(script))
        self.fail("cannot read a power on a function's name; write (f(x))^2", rest[0])

    def softmax_entry(self, values: list[sp.Expr], bracket: Tree[Token],
                      postfixes: Sequence[Tree[Token]]) -> sp.Expr:
        """``\\mathrm{softmax}(z)_i``: e^{z_i}/Σ_k e^{z_k}, the entry i of the softmax of the
        family z (its entries z_1, …, z_C), k running over i's range."""
        if len(values) == 1 and _is_array(values[0]):
            self.note("softmax of an array read over its entries if it is a vector, else row "
                      "by row (each row of the matrix a distribution)", bracket)
            return self.postfixed(Softmax(values[0]), postfixes)
        if len(values) != 1 or not isinstance(values[0], sp.Symbol):
            self.fail("softmax is read of one vector's name, entry by entry: "
                      "\\mathrm{softmax}(z)_i", bracket)
        if not postfixes and "_" not in values[0].name:  # y = softmax(z): y's entries y_k
            self.note(f"softmax({values[0].name}) read as the vector of entries "
                      f"e^{{{values[0].name}_k}} / Σ_j e^{{{values[0].name}_j}}", bracket)
            return SoftmaxOfEntries(values[0])
        if not postfixes or postfixes[0].data != "sub":
            self.fail("softmax(z) is a vector: write its entry, \\mathrm{softmax}(z)_i", bracket)
        base = values[0].name
        script = postfixes[0].children[1]
        entry = self.subscript_text(script)
        count = self.context.indices.get(entry)
        if count is None and len(set(self.context.indices.values())) == 1:
            count = next(iter(self.context.indices.values()))  # softmax(z)_1: the one range
        if count is None:
            self.fail(f"softmax(z)_{entry}: declare the range of {entry} (the number of "
                      "classes)", postfixes[0])
        index = self.context.symbol(_fresh_index([values[0]], entry))
        term = sp.exp(self.context.symbol(f"{base}_{entry}"))
        total = _sum(sp.exp(self.context.symbol(f"{base}_{index.name}")), index, sp.S.One,
                     self.context.symbol(count))
        self.note(f"softmax({base})_{entry} read as e^{{{base}_{entry}}} / Σ_{index.name} "
                  f"e^{{{base}_{index.name}}}, {index.name} = 1, …, {count}", postfixes[0])
        return self.postfixed(_div(term, total), postfixes[1:])

    def softmax_over(self, letter: str, values: list[sp.Expr], bracket: Tree[Token]) -> sp.Expr:
        """``\\mathrm{softmax}_j(S_{ij})``: e^{S_ij}/Σ_k e^{S_ik}, normalised over the index j
        (k running over j's range); j must be an index letter the formula writes."""
        count = self.context.indices.get(letter)
        if len(values) != 1 or count is None or _is_array(values[0]):
            self.fail(f"softmax_{letter}(…) is read of one formula in the index {letter} (declare "
                      f"the range of {letter})", bracket)
        (value,) = values
        index = self.context.symbol(letter)
        written = {c for symbol in value.free_symbols for c in getattr(symbol, "name", "")}
        other = self.context.symbol(next(c for c in "klmnpqrsuvabcdefgh" if c not in written))
        renamed: dict[sp.Basic, sp.Basic] = {index: other}
        for symbol in value.free_symbols:  # S_ij: the entry j of row i, written as one name
            head, underscore, script = getattr(symbol, "name", "").partition("_")
            if underscore and letter in script and re.fullmatch(r"[a-z]+", script):
                renamed[symbol] = self.context.symbol(
                    f"{head}_{script.replace(letter, other.name)}")
        shifted = value.xreplace(renamed)
        if shifted == value:
            self.fail(f"softmax_{letter}(…) of a formula that does not write {letter}", bracket)
        self.note(f"softmax_{letter}(…) read as e^(…)/Σ_{other.name} e^(…) with {letter} → "
                  f"{other.name}, {other.name} = 1, …, {count}", bracket)
        return _div(sp.exp(value), _sum(sp.exp(shifted), other, sp.S.One,
                                        self.context.symbol(count)))

    def diagonal(self, values: list[sp.Expr], bracket: Tree[Token]) -> sp.Expr:
        """``\\mathrm{diag}(v)``: the square matrix with the vector v on its diagonal."""
        if len(values) != 1:
            self.fail("diag takes one vector", bracket)
        (value,) = values
        if isinstance(value, AppliedUndef) or (not _is_array(value) and any(
                isinstance(s, sp.Symbol) and s.name not in self.context.symbols
                for s in value.free_symbols)):
            # diag(p), diag(S(x)), diag(p ⊙ (1 − p)) with p, S defined elsewhere (the
            # definition gives the shape): the matrix claims read it once the definitions are
            # written in
            return DIAG(value)
        if not _is_array(value) or 1 not in getattr(value, "shape", ()):
            self.fail("diag takes a vector (a declared n×1 or 1×n name, or an expression "
                      "of them)", bracket)
        return DiagMatrix(value)

    # -- scripts -----------------------------------------------------------------------------

    def postfixed(self, value: sp.Expr, postfixes: Sequence[Tree[Token]]) -> sp.Expr:
        """Apply superscripts (powers, transposes) and primes to a value."""
        seen = 0
        for postfix in postfixes:
            if postfix.data == "sub":
                self.fail("a subscript needs a name", postfix)
            if postfix.data == "prime":
                value = self.primed_value(value, postfix)
                continue
            if seen > 0:
                self.fail("double superscript: use braces, x^{a^{b}}", postfix)
            seen += 1
            script = postfix.children[1]
            if self.is_transpose(script):
                value = _transpose(value)
            elif _is_array(value) and _is_token(_inside(script), "LETTER") and \
                    str(_inside(script)) == "T" and self.context.symbols["T"].shape is None:
                # A^T with T also a size (a sequence of T tokens): a power of a matrix by a
                # size is no reading a post means
                self.note("^T after an array read as its transpose (T is also a size here)",
                          postfix)
                value = _transpose(value)
            elif _is_array(value) and _is_token(script, "LETTER") and str(script) == "t" \
                    and "t" not in self.context.symbols:
                # w^t of an array: a power by a number t has no meaning for a matrix
                self.note("^t after an array read as its transpose", postfix)
                value = _transpose(value)
            elif _is_token(_inside(script), "LETTER") and \
                    str(_inside(script)) in self.context.indices:
                # (e^z)^i where y^i is the i-th example: a power by an index is no reading
                self.fail(f"cannot read a power by the index letter {_inside(script)}: a "
                          f"superscript {_inside(script)} on a name is an index here (y^"
                          f"{_inside(script)}); write the entry as a subscript", postfix)
            else:
                value = self.power(value, self.script_value(script), postfix)
        return value

    def primed_value(self, value: sp.Expr, postfix: Tree[Token]) -> sp.Expr:
        """``(y - Xw)'`` of arrays: the transpose; ``(\\ln(1 + e^x))'``: the derivative by the
        one variable the bracket holds. Anything else is refused."""
        if _is_array(value):
            self.note("a prime after an array read as its transpose", postfix)
            return _transpose(value)
        if self.context.prime_by:
            by = self.context.symbol(self.context.prime_by)
            self.note(f"a prime after a bracket read as its derivative by {by} (the file's "
                      "prime)", postfix)
            return _derivative(value, [(by, 1)])
        free = [s for s in value.free_symbols if isinstance(s, sp.Symbol)]
        bare = {s for s in free if self.context.is_function(s.name)}
        line = getattr(self, "_line_variable", None)
        if bare and all(s in bare or s == line for s in free):
            # (f/g)' of functions written without their argument: the derivative at the
            # line's variable
            line = self.line_variable()
            self.note("a prime after functions written without their argument read as the "
                      "derivative of the bracket", postfix)
            written = value.xreplace({s: _function_named(s.name)(line) for s in bare})
            return _derivative(written, [(line, 1)])
        # a function or a power in the bracket: a derivative; a sum of names, such as
        # (1 - x)', may be a transpose of a vector the context does not declare
        curved = bool(value.atoms(sp.Function) or value.atoms(sp.Pow))
        if len(free) != 1 or value.atoms(sp.Indexed) or not curved:
            self.fail("a prime is read only on a declared function (f'(x)), on an array (its "
                      "transpose) or on an expression of one variable", postfix)
        variable = free[0]
        self.note(f"a prime after an expression of one variable, {variable}, read as its "
                  f"derivative by {variable}", postfix)
        return _derivative(value, [(variable, 1)])

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

    def script_value(self, script: Node) -> sp.Expr:
        if isinstance(script, Token):
            if script.type == "NUMBER" and len(script) > 1:
                self.fail(f"an unbraced script is one character: write ^{{{script}}}", script)
            if script.type in ("PRIME", "TOP"):
                self.fail(f"cannot read '{script}' here", script)
        return self.value(script)


def _function_named(name: str) -> Callable[..., sp.Expr]:
    """The function a declared or known name stands for: σ, a primitive, or an undefined
    function of that name."""
    if name == "sigma":
        return sigmoid
    return ML_FUNCTIONS.get(name) or sp.Function(name)


def _number(token: Token) -> sp.Expr:
    fraction = Fraction(str(token))
    return sp.Rational(fraction.numerator, fraction.denominator)


def _matrix_cells(matrix: Tree[Token]) -> list[list[Node | None]]:
    """The entries of a matrix, row by row; None for an entry left empty (``a & & b``)."""
    rows: list[list[Node | None]] = []
    for row in matrix.children:
        if not (isinstance(row, Tree) and row.data == "matrix_row"):
            continue
        cells: list[Node | None] = [None]
        for child in row.children:
            if _is_token(child, "AMP"):
                cells.append(None)
            else:
                cells[-1] = child
        rows.append(cells)
    return rows


def _subscripts(value: sp.Expr) -> set[str]:
    """The subscripts of the names (x_n) and entries (x[n]) in a value."""
    found = {symbol.name.rpartition("_")[2] for symbol in value.free_symbols
             if isinstance(symbol, sp.Symbol) and "_" in symbol.name}
    found |= {str(entry.indices[0]) for entry in value.atoms(sp.Indexed)
              if len(entry.indices) == 1}
    return found


def _is_dots(cell: Node) -> bool:
    """A cell of a matrix that is only ``\\vdots`` (or another ``\\dots``)."""
    return _is_token(cell, "DOTS")


def _subscript_number(value: sp.Expr, bases: set[str]) -> int | None:
    for symbol in sorted(value.free_symbols, key=lambda s: s.name):
        base, _, script = symbol.name.rpartition("_")
        if base in bases and script.isdigit():
            return int(script)
    return None


_INDEX_NAMES = ("j", "i", "l", "n", "p", "q", "r", "s", "u", "v")
"""The letters a series' fresh index is taken from, in order."""


def _fresh_index(values: list[sp.Expr | None], taken: str) -> str:
    names: set[str] = {taken}
    for value in values:
        if value is not None:
            for symbol in value.free_symbols:
                names.add(symbol.name)
                names.add(symbol.name.rpartition("_")[2])
    return next(name for name in _INDEX_NAMES if name not in names)
