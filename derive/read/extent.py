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

from collections.abc import Callable, Iterator, Sequence

import sympy as sp
from lark import Token, Tree

from derive.core.algebra import by_value
from derive.core.errors import AmbiguityError, ParseError
from derive.core.functions import ML_FUNCTIONS
from derive.core.mathtext import text
from derive.read.derivatives import _is_partial_operator
from derive.read.families import _mentions, _split_name
from derive.read.nodes import (
    COLON_AS_PRODUCT,
    Differential,
    _add,
    _apply,
    _derivative,
    _div,
    _is_array,
    _mul,
    _negate,
    _pow,
    _product,
    _sum,
)
from derive.read.screen import (
    _BARE_FUNCTIONS,
    _CALL_BRACKETS,
    _FUNCTIONS,
    _MULTIPLY,
    _OPERATORS,
    MAX_NESTING,
)
from derive.read.tree import (
    Core,
    Node,
    _arguments,
    _describe,
    _Entry,
    _inside,
    _is_token,
    _is_tree,
    _short,
    _Word,
)
from derive.read.values import _Term, _Values


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

    def product(self, entries: list[_Entry], at: Node | None = None,
                tail: sp.Expr | None = None) -> sp.Expr:
        """A product whose operators (\\sum, d/dx) take the rest of it as their operand;
        ``tail``: the operand of an operator that ends the product."""
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
        body = self.combine(current) if current else tail
        if current and tail is not None:
            self.fail("expected an operator before the term after it", at)
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
        combined = _product(first, rest)
        colon = next((op for op, _ in factors[1:] if op is not None and
                      self.operator_name(op) == ":"), None)
        if colon is not None and not _is_array(combined) and combined.free_symbols:
            # p : dz with neither declared an array: their product, a scalar reading
            self.note(f"{COLON_AS_PRODUCT}: neither side of '{text(combined)}' is declared "
                      "an array", colon)
        return combined

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

    def check_sum_extent(self, term: _Term, level: Tree[Token],
                         following: Sequence[_Term]) -> None:
        """A sum whose body could stop at this term or run over the following ones: its body
        is the product after it when the following terms do not use its index (said as a
        reading); otherwise, and for a limit, the extent is ambiguous and refused."""
        entries = self.entries(term.node)
        for k, entry in enumerate(entries):
            if not (_is_tree(entry.core, "bigsum") or _is_tree(entry.core, "limit")):
                continue
            body = entries[k + 1 :]
            if term.tail is not None and not body:
                body_start = self.start(term.tail_sign or term.tail)
            elif not body or (len(body) == 1 and _is_tree(body[0].core, "bracket")):
                return
            else:
                body_start = self.start(body[0])
            head = self.text[self.start(entry.core) : body_start].rstrip()
            term_end = self.end(term.end())
            level_end = self.end(level)
            narrow = (
                f"{head} \\left({self.text[body_start:term_end].strip()}\\right)"
                f"{self.text[term_end:level_end].rstrip()}"
            )
            wide = f"{head} \\left({self.text[body_start:level_end].strip()}\\right)"
            if _is_tree(entry.core, "bigsum"):
                assert isinstance(entry.core, Tree)
                index = self.narrow_sum(entry.core, term, body, following)
                if index is not None:
                    shown = " ".join(narrow.split())
                    self.note(f"the sum's body read as the product after it, '{_short(shown, 80)}'"
                              f" (the terms after it do not use {index})", entry.core)
                    return
            line, column = self.position(self.start(entry.core))
            command = "\\lim" if _is_tree(entry.core, "limit") else "\\sum"
            raise AmbiguityError(
                f"the extent of '{command}' is ambiguous: it is followed by more terms; "
                "put its body in brackets",
                readings=(narrow, wide),
                text=self.shown,
                line=line,
                column=column,
                source=self.source,
            )

    def narrow_sum(self, bigsum: Tree[Token], term: _Term, body: list[_Entry],
                   following: Sequence[_Term]) -> str | None:
        """The index of a sum whose body is, by convention, the product after it: the terms
        after it do not use its index (``\\sum_i w_{ij} x_i + b_j`` is (Σᵢ w_ij xᵢ) + b_j, as
        a big operator binds tighter than '+'). None when that does not hold."""
        try:
            value = self.product(body, term.node) if body else self.value(term.tail) \
                if term.tail is not None else None
        except ParseError:
            return None
        if value is None:
            return None
        letters = _index_letters(value)
        lower = _sum_limits(bigsum)[0]
        if _is_tree(lower, "index_range") or _is_tree(lower, "index_except"):
            assert isinstance(lower, Tree)
            lower = lower.children[1]
        afters = [self.term_value(other) for other in following]
        if lower is not None:
            name = self.node_name(lower)
            index = None if name is None else name.full()
        else:
            # Σ e^{x_d} e^{x_i} − e^{x_i}: i, used by the terms after it, is not the index
            unused = {letter for letter in letters
                      if not any(_mentions_index(after, letter) for after in afters)}
            index = next(iter(letters if len(letters) == 1 else unused)) \
                if len(letters) == 1 or len(unused) == 1 else None
        if index is None:
            return None
        if any(_mentions_index(after, index) for after in afters):
            return None
        if lower is None:
            self.sum_indices[id(bigsum)] = index
        return index

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
            if form.value is not None:
                return by_value(body, form.value)
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
            # never a guessed count: another line may write the range (m) this one leaves out
            self.fail(f"sum without range: write \\sum_{{{index.name}=1}}^{{m}}, or declare "
                      f"the range of {index.name}", bigsum)
        if excluded is not None:
            body = _mul(body, _add(sp.S.One, _negate(sp.KroneckerDelta(index, excluded))))
        return _sum(body, index, sp.S.One, end)

    def rangeless_sum(self, bigsum: Tree[Token], body: sp.Expr) -> sp.Expr:
        """``\\sum t_i``: the index is the one letter the body's names are subscripted by,
        running over the count the context gives that letter (refused when it gives none:
        never a guessed count)."""
        letters = _index_letters(body)
        # Σ t_i (1/y_i) dy_i/dx_j: j, written only in a derivative's variable, is the entry
        # the whole line is about; the sum runs over the letter left
        summed = letters - _variable_only_letters(body) if len(letters) > 1 else letters
        told = self.sum_indices.get(id(bigsum))
        if len(summed) > 1 and told in summed:  # the terms after it use the other letters
            summed = {told}
        if len(summed) != 1:
            self.fail("sum without range: write \\sum_{i=1}^{m} (the subscripts of its body "
                      "do not give one index)", bigsum)
        index = self.context.symbol(summed.pop())
        count = self.context.indices.get(index.name)
        if count is None:
            self.fail(f"sum without range: write \\sum_{{{index.name}=1}}^{{m}}, or declare "
                      f"the range of {index.name}", bigsum)
        end = self.context.symbol(count)
        self.note(f"\\sum read as \\sum_{{{index.name}=1}}^{{{end}}} (its index from the "
                  "subscripts of its body)", bigsum)
        return _sum(body, index, sp.S.One, end)

    def sum_of(self, bigsum: Tree[Token], body: sp.Expr) -> sp.Expr:
        lower, upper = _sum_limits(bigsum)
        if lower is not None and not _is_tree(lower, "index_range"):
            return self.implicit_sum(bigsum, lower, upper, body)
        if lower is None and upper is None:
            return self.rangeless_sum(bigsum, body)
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
                self.check_primed_call(entry, following)
                value = self.entry_value(entry)
                j += 1
            break
        for function, head in reversed(prefixes):
            if function in (sp.Max, sp.Min):
                self.fail(f"'{_describe(head.core)}' needs its arguments in brackets", head)
            value = self.powered(head, _apply(function, value))
        return _signed(entries[i].signs, value), j

    def check_primed_call(self, entry: _Entry, following: _Entry | None) -> None:
        """``g'(z)`` where g is no declared function: the derivative of g at z, which the
        reader cannot build (it does not know g's argument); never g'·z."""
        if following is None or following.op is not None or \
                not _is_tree(following.core, "bracket"):
            return
        bracket = following.core
        assert isinstance(bracket, Tree)
        opener = bracket.children[0]
        if not (isinstance(opener, Token) and opener.type in _CALL_BRACKETS):
            return
        named = self.name_of(entry)
        if named is not None and named[0].primes and not named[1]:
            full = named[0].full()
            info = self.context.symbols.get(full)
            if info is not None and info.shape is not None:
                return  # X'(Xw): the transpose of a declared array, times the bracket
            self.fail(f"cannot read {_short(full)}'(…): a prime before a bracket is read only on "
                      f"a declared function; declare {_short(full)} a function", entry)

    def applied(self, function: Callable[..., sp.Expr], head: _Entry, bracket: Core) -> sp.Expr:
        """A prefix function applied to a bracket: ``\\max(z, 0)`` takes several arguments."""
        assert isinstance(bracket, Tree)
        arguments = _arguments(bracket.children[1])
        if len(arguments) > 1 and function not in (sp.Max, sp.Min):
            self.fail(f"'{_describe(head.core)}' takes one argument", bracket)
        return self.powered(head, _apply(function, *(self.value(a) for a in arguments)))

    def log_base(self, entry: _Entry) -> sp.Expr | None:
        """The base of ``\\log_2 x``, ``\\log_a(x)`` (a power may follow: ``\\log_2^2 x``)."""
        subs = [p for p in entry.postfixes if p.data == "sub"]
        if not subs or str(entry.core).strip() != "\\log":
            return None
        if len(subs) > 1 or (len(entry.postfixes) > 1 and _function_power(entry) is None):
            self.fail("cannot read these scripts on '\\log'", entry.postfixes[0])
        base = self.script_value(subs[0].children[1])
        if _is_array(base):
            self.fail("the base of a logarithm is a number or a scalar", subs[0])
        return base

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
            base = self.log_base(entry)
            if base is not None:
                return lambda value: _div(sp.log(value), sp.log(base))
        elif self.is_bare_function(core):
            assert isinstance(core, _Word)
            function = _OPERATORS[core.text]
        elif isinstance(core, _Word) and core.operator and not (
                core.text in ML_FUNCTIONS and following is not None
                and self.is_call(entry, following) and _function_power(entry) is None):
            function = _OPERATORS[core.text]
        elif self.is_differential(entry, following):
            function = Differential
            if "d" in self.context.indices:
                self.note("d before a name read as the differential (d is also an index letter, "
                          "never a factor)", entry)
        if function is not None and entry.postfixes and _function_power(entry) is None:
            self.fail(f"cannot read a script on '{_describe(core)}'", entry.postfixes[0])
        return function


def _sum_limits(bigsum: Tree[Token]) -> tuple[Node | None, Node | None]:
    """What is written under and over a sum."""
    lower: Node | None = None
    upper: Node | None = None
    children = bigsum.children
    for k, child in enumerate(children):
        if isinstance(child, Token) and child.type == "SUB":
            lower = children[k + 1]
        elif isinstance(child, Token) and child.type == "SUP":
            upper = children[k + 1]
    return lower, upper


def _free_names(value: sp.Basic, bound: frozenset[str] = frozenset()) -> Iterator[
        tuple[str, frozenset[str]]]:
    """Each symbol's name in a value, with the indices the sums around it bind."""
    if isinstance(value, sp.Sum | sp.Product):
        inner = bound | {str(limit[0]) for limit in value.limits}
        yield from _free_names(value.function, inner)
        for limit in value.limits:
            for part in limit[1:]:
                yield from _free_names(part, bound)
        return
    if isinstance(value, sp.Indexed):
        for index in value.indices:
            yield from _free_names(index, bound)
        return
    if isinstance(value, sp.Symbol):
        yield value.name, bound
        return
    for arg in value.args:
        if isinstance(arg, sp.Basic):
            yield from _free_names(arg, bound)


def _name_indices(name: str) -> set[str]:
    """The single letters a name is subscripted (or layered) by: x_i → i, w_{ij} → i, j,
    y^(i) → i."""
    letters: set[str] = set()
    head, layered, layer = name.partition("^(")
    if layered and len(layer) == 2 and layer[0].isalpha():
        letters.add(layer[0])
    split = _split_name(head)
    if split is None:
        return letters
    script = split[1].strip("{}")
    if "," in script:
        parts = [part.strip() for part in script.split(",")]
    else:
        parts = list(script) if script.isalpha() and len(script) <= 2 else [script]
    letters |= {part for part in parts if len(part) == 1 and part.isalpha()}
    return letters


def _index_letters(value: sp.Basic) -> set[str]:
    """The letters a value's names are subscripted by, outside sums that bind them."""
    found: set[str] = set()
    for name, bound in _free_names(value):
        found |= _name_indices(name) - bound
    return found


def _variable_only_letters(value: sp.Basic) -> set[str]:
    """The letters a value's names are subscripted by only in the variables of derivatives
    (j in t_i dy_i/dx_j)."""
    outside = set()
    for part in sp.preorder_traversal(value):
        if isinstance(part, sp.Derivative):
            outside |= {letter for variable in part.variables if isinstance(variable, sp.Symbol)
                        for letter in _name_indices(variable.name)}
    if not outside:
        return set()
    stripped = value.replace(lambda e: isinstance(e, sp.Derivative),
                             lambda e: e.expr) if value.has(sp.Derivative) else value
    return outside - _index_letters(stripped)


def _mentions_index(value: sp.Basic, index: str) -> bool:
    """Whether a value uses a sum's index outside sums of its own: the index itself, or a
    name it subscripts."""
    for name, bound in _free_names(value):
        if index in bound:
            continue
        if name == index or index in _name_indices(name):
            return True
        split = _split_name(name.partition("^(")[0])
        if split is not None and _mentions(split[1], index):
            return True
    return False


def _signed(signs: tuple[Token, ...], value: sp.Expr) -> sp.Expr:
    negative = sum(1 for sign in signs if sign.type == "MINUS") % 2 == 1
    return _negate(value) if negative else value


def _function_power(entry: _Entry) -> int | None:
    """The n of ``\\tanh^2 x``, a power of the function's value; None without one."""
    core = entry.core
    powers = [p for p in entry.postfixes if p.data != "sub"] if _is_token(core, "FUNC") \
        and str(core).strip() == "\\log" else list(entry.postfixes)
    if not (_is_token(core, "FUNC") or (isinstance(core, _Word) and (
            core.operator or core.text in _BARE_FUNCTIONS))) or len(powers) != 1:
        return None
    postfix = powers[0]
    script = _inside(postfix.children[1]) if postfix.data == "sup" else None
    if _is_token(script, "NUMBER") and str(script).isdigit() and int(str(script)) > 1:
        return int(str(script))
    return None
