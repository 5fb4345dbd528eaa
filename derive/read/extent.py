"""Extent: where the operand of an operator ends, and how a product is joined.

``\\sum``, ``\\lim``, ``\\nabla``, ``\\frac{d}{dx}`` and ``\\partial_z`` take the rest of their
product, up to the next ``+`` or ``-`` at their level; when the term holding one is followed by
more terms, the extent is ambiguous and refused with both readings (unless the operand is one
bracket). A prefix function (``\\log x``, ``\\tanh^2 x``, ``\\operatorname{relu} x``, ``d X``)
takes the next factor, or, before a sum, the rest of the product. The factors between the
operators are joined left to right (juxtaposition, ``*``, ``/``, ``\\odot``, ``:``). A new
operator that takes the rest of its product is read here (``is_operator``,
``apply_operator``) once the grammar has it.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from lark import Token, Tree

from derive.core.errors import AmbiguityError
from derive.core.functions import ML_FUNCTIONS
from derive.read.derivatives import _is_partial_operator
from derive.read.nodes import (
    Differential,
    _add,
    _apply,
    _derivative,
    _mul,
    _negate,
    _pow,
    _product,
    _sum,
)
from derive.read.screen import _FUNCTIONS, _MULTIPLY, _OPERATORS, MAX_NESTING
from derive.read.tree import (
    Core,
    Node,
    _arguments,
    _describe,
    _Entry,
    _inside,
    _is_token,
    _is_tree,
    _Word,
)
from derive.read.values import _Values


class _Extent(_Values):
    """The reader's fourth layer: products, their operators and prefix functions."""

    # -- operators and their operands --------------------------------------------------------

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
        return _is_partial_operator(entry)

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
                if entry.postfixes and not _is_partial_operator(entry):
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
            applied = _signed(operator.signs, self.apply_operator(operator, body))
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

    def apply_operator(self, entry: _Entry, body: sp.Expr) -> sp.Expr:
        core = entry.core
        if _is_partial_operator(entry):
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

    # -- prefix functions --------------------------------------------------------------------

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
                    return _signed(entries[i].signs, value), len(entries)
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
        return _signed(entries[i].signs, value), j

    def applied(self, function: Callable[..., sp.Expr], head: _Entry, bracket: Core) -> sp.Expr:
        """A prefix function applied to a bracket: ``\\max(z, 0)`` takes several arguments."""
        assert isinstance(bracket, Tree)
        arguments = _arguments(bracket.children[1])
        if len(arguments) > 1 and function not in (sp.Max, sp.Min):
            self.fail(f"'{_describe(head.core)}' takes one argument", bracket)
        return self.powered(head, _apply(function, *(self.value(a) for a in arguments)))

    def powered(self, head: _Entry, value: sp.Expr) -> sp.Expr:
        power = _function_power(head)
        return value if power is None else _pow(value, sp.Integer(power))

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
                and self.is_call(entry, following) and _function_power(entry) is None):
            function = _OPERATORS[core.text]
        elif self.is_differential(entry, following):
            function = Differential
        if function is not None and entry.postfixes and _function_power(entry) is None:
            self.fail(f"cannot read a script on '{_describe(core)}'", entry.postfixes[0])
        return function


def _signed(signs: tuple[Token, ...], value: sp.Expr) -> sp.Expr:
    negative = sum(1 for sign in signs if sign.type == "MINUS") % 2 == 1
    return _negate(value) if negative else value


def _function_power(entry: _Entry) -> int | None:
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
