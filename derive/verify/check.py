"""Checking a derivation: every link of every step gets one verdict, with its evidence.

A step's relation ``A = B = C`` has the links A = B and B = C; a step that begins with ``=``
links the last side of the step before to its own sides. Each side is resolved against the
proof file's context: aliases applied, named quantities and declared functions replaced by
their definitions, and derivatives computed from those definitions (∂L/∂ŷ differentiates L
written down to ŷ and no further). Both sides are then written out in the base variables and
compared by ``derive.decide.equivalence``: ``proved`` needs a symbolic closure, ``refuted`` a real
counterexample, agreement at sample points alone is ``checked``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from fractions import Fraction
from functools import partial
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core import cache
from derive.core.algebra import stood_in
from derive.core.budget import run_with_budget
from derive.core.context import Context, SymbolInfo, size_expression
from derive.core.domains import REAL, Domain, Interval, intersected, make_symbol
from derive.core.errors import BudgetExceeded, DeriveError, ParseError, ProofFileError, SourceError
from derive.core.mathtext import text as math_text
from derive.core.outcomes import Checked, Refuted, Verdict, verdict_of, worst
from derive.core.unicode import pretty_name
from derive.decide.kept import derivative, limit_value
from derive.read.documents import power_on_left
from derive.read.families import index_entry
from derive.read.nodes import SoftmaxOfEntries
from derive.read.proofs import Claim, ProofDocument


@dataclass(frozen=True)
class LinkReport:
    """One equality of a step: both sides as read, the verdict and the evidence."""

    lhs: Any
    rhs: Any
    verdict: Verdict
    outcome: Any = None
    assumption: str = ""
    message: str = ""
    operator: str = "="
    diagnosis: Any = None
    """A ``derive.verify.diagnose.Diagnosis`` naming the mistake, for a refuted equality."""


@dataclass(frozen=True)
class StepReport:
    """A step's verdict (the worst of its links'), its links, and why."""

    claim: Claim
    verdict: Verdict
    links: tuple[LinkReport, ...] = ()
    message: str = ""
    error: SourceError | None = None
    defines: str = ""
    seconds: float = 0.0
    named_rule: str | None = None
    """The rule the document's label names ("Product rule" → product)."""
    trace: str = ""
    """The traceback of an internal error in this step (shown with ``--debug`` only)."""
    used_rule: str | None = None
    """The rule that actually takes the step, when the label names one."""
    readings: tuple[str, ...] = ()
    """The reader's tolerant readings of the step ("'.' between two factors read as a
    product"), also said in ``message``."""

    @property
    def matches(self) -> bool:
        """The verdict the file expects, or, where it expects none, one that holds."""
        if self.claim.expect is None:
            return self.verdict.acceptable
        return self.claim.expect == self.verdict


@dataclass(frozen=True)
class DocumentReport:
    """The verdicts of one proof file (or the error that made it unusable)."""

    path: str
    title: str
    source: str = ""
    steps: tuple[StepReport, ...] = ()
    assumed: tuple[str, ...] = ()
    error: DeriveError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(step.matches for step in self.steps)


@dataclass(frozen=True)
class Report:
    """Every document checked in one run."""

    documents: tuple[DocumentReport, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.documents)

    @property
    def unusable(self) -> bool:
        return any(d.error is not None for d in self.documents)


_CONTINUES = re.compile(r"^\s*(&\s*)?(=|\\approx\b|\\leq?\b|\\geq?\b)")
"""A line that continues the chain before it: it begins with its relation."""


@dataclass(frozen=True)
class _SidesWritten:
    """Where a step's sides come from, to read them again in another context: the claim, the
    claim whose last side it continues (if any), and how many sides a definition took."""

    claim: Claim
    previous_claim: Claim | None
    dropped: int


@dataclass(frozen=True)
class _Chain:
    """The first side of the current chain of equalities, and where it first went wrong."""

    start: Any
    started_at: str
    broken_at: str | None = None


class IllFormed(DeriveError):
    """A claim that cannot mean anything: names the offending sub-expression."""


class NotDefined(IllFormed):
    """A derivative of a name nothing defines."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


class Independent(IllFormed):
    """A derivative of a defined name by a name its formula does not involve."""


class NotDecidable(DeriveError):
    """A claim read in a way that cannot be decided soundly: the link is undecided."""


class VectorVariable(NotDecidable):
    """A derivative by a name of a formula written in that name's entries (θ and θ_j)."""


Progress = Callable[[str, int, int], None]
"""Told ``(path, steps done, steps in the file)`` before each step of a file and once when the
file is done (done = all); a file checked in a worker process tells only its end."""


def _written_shape(value: sp.Expr) -> tuple[str, str] | None:
    """The shape of an array formula as its sizes are written (``T``, ``d_k``, ``2``), or None
    for a scalar or a shape that is not a pair of names and numbers."""
    if not isinstance(value, sp.MatrixExpr):
        return None
    try:
        shape = value.shape
    except (AttributeError, TypeError):  # a node with a scalar where an array belongs
        return None
    if shape == (1, 1):
        return None  # wᵀx: a number, as the steps read it
    sizes = []
    for size in shape:
        if isinstance(size, sp.Integer) and size > 0:
            sizes.append(str(size))
        elif isinstance(size, sp.Symbol):
            sizes.append(size.name)
        else:
            return None
    return sizes[0], sizes[1]


class _Checker:
    """Checks the claims of one document in order, carrying definitions and the last side."""

    progress: Progress | None = None

    def __init__(self, document: ProofDocument, budget: float, deadline: float | None) -> None:
        self.document = document
        self.families = _families(document)
        self.context: Context = document.context.with_families(*self.families)
        self.budget = document.budget or budget
        self.deadline = deadline
        self.all_aliases = document.aliases
        self.aliases: dict[sp.Symbol, sp.Symbol] = {}
        self.definitions: dict[sp.Symbol, sp.Expr] = {}
        self.function_definitions: dict[str, sp.Lambda] = {}
        self.assumed: list[str] = [*document.assumed, *_aliases_said(document.aliases)]
        self._instance = False  # an instance of an index claim (derive.verify.indexed)
        self._step_deadline: float | None = None  # every step's work ends within its budget
        self.chain: _Chain | None = None
        self.seen: set[str] = set()
        """The names the steps before this one wrote: a name not among them is new."""
        self.unread: dict[str, str] = {}
        """Names defined by steps that could not be read, and the step that defines each."""
        self.substituted: dict[str, tuple[str, frozenset[str]]] = {}
        """Names a step brought in on one side of a link only, with the step and the names of
        the other side they stand in for (−y log p = −y log σ(x), x new: x for p)."""
        self._replay: StepReport | None = None
        """The report an earlier run kept for this step after the same lines (see run)."""
        self.last_side: tuple[Any, str] | None = None
        """The last side that could be read, and its step: what a line after an unreadable
        one in the same chain is compared with."""
        self._previous_claim: Claim | None = None
        """The step before this one (a line that continues it is read again with it)."""
        self._made: tuple[tuple[Any, ...], str] | None = None
        """The definitions and functions in force as last keyed, and their digest."""
        self._parsed: tuple[tuple[str, int, int], Any] | None = None
        """The last line read (its text and place) and its relation."""
        self._shaped_said: list[str] = []
        """Names defined as arrays, read with their definitions' shapes, said as assumed."""
        self._unread: list[str] = []
        """Definitions that cannot be read yet (they wait for another to be an array)."""

    # -- reading --------------------------------------------------------------------------

    def _parse(self, latex: str, line: int, column: int) -> Any:
        if self._parsed is not None and self._parsed[0] == (latex, line, column):
            return self._parsed[1]  # read for the step's key a moment ago
        relation = self._parse_anew(latex, line, column)
        self._parsed = ((latex, line, column), relation)
        return relation

    def _parse_anew(self, latex: str, line: int, column: int) -> Any:
        from derive.read.latex import parse_lines, parse_relation

        try:
            context = self._reading_context(line, column)
            name = _kept_name("relation", latex, context)
            kept = _recalled_relation(name)
            if kept is not None:
                return kept
            lines = parse_lines(latex, context, source=self.document.path)
            # an aligned block: one chain, line after line; one line is the relation that
            # parse_relation reads (the same reader), and no line is its error
            relation = _joined(lines) if len(lines) > 1 else lines[0] if lines else \
                parse_relation(latex, context, source=self.document.path)
            _keep_relation(name, relation)
            return relation
        except ParseError as error:
            raise error.located(self.document.path, line - 1, column - 1) from None

    def _load_definitions(self) -> None:
        self.aliases = dict(self._alias_pair(a) for a in self.all_aliases if not a.steps)
        # a name defined as an array is read as one, and the definitions read again with it
        # (e = exp(z) after z = Wᵀx), until no new array appears; a definition that reads
        # only once another is an array (y = softmax(z), z = hW + b) waits for it
        self._unread = self._read_definitions(tolerant=True)
        for _ in range(len(self.document.definitions) if self._defined_written_as_arrays()
                       else 0):
            before, said = self.context, len(self._shaped_said)
            if not self._shape_defined_arrays():
                break
            unread = self._read_definitions(tolerant=True)
            if set(unread) - set(self._unread):
                # a definition that reads only with the names as numbers
                self.context, self._shaped_said[said:] = before, []
                self._unread = self._read_definitions(tolerant=True)
                break
            self._unread = unread
        if self._unread:
            self._read_definitions()  # the first definition that cannot be read, as an error
        self.assumed.extend(f"{d.name} = {d.latex}: {d.note}"
                            for d in self.document.definitions if d.note)
        self.assumed.extend(self._shaped_said)

    def _read_definitions(self, *, tolerant: bool = False) -> list[str]:
        """The definitions read in the context as it is; ``tolerant``: the names of those
        that cannot be read are returned, not raised."""
        self.definitions, self.function_definitions = {}, {}
        unread: list[str] = []
        for definition in self.document.definitions:
            name, argument = self._definition_key(definition.name)
            try:
                value = self._read_definition(definition, self.context).xreplace(self.aliases)
            except DeriveError:
                if not tolerant:
                    raise
                unread.append(name)
                continue
            if argument:
                # g(u) = uᵀu with u declared an array: the argument is that array
                variables = tuple(self.context.matrix(a) if self._is_array_name(a)
                                  else self.context.symbol(a) for a in argument.split(","))
                self.function_definitions[name] = sp.Lambda(variables, value)
            else:
                self.definitions[self.context.symbol(name)] = value
        if self._redefined_builtins():  # H = −Σ Y_k log σ(A_k) with σ(A_i) defined too
            self.definitions = {s: self._named(v) for s, v in self.definitions.items()}
        return unread

    def _shape_defined_arrays(self) -> bool:
        """A name defined as an array (Q = xW^Q) is read in the steps as that array, with the
        shape its formula has: QKᵀ is then a product of arrays, not of two numbers. Whether
        a name took a shape."""
        shaped = []
        for symbol, value in self.definitions.items():
            name = symbol.name
            if name in self.context.symbols and self.context.symbols[name].shape is not None:
                continue
            shape = _written_shape(value)
            if shape is not None:
                shaped.append(SymbolInfo(name, shape=shape))
                self._shaped_said.append(f"{pretty_name(name)} is {shape[0]}×{shape[1]}, the "
                                         "shape of its definition")
        if shaped:
            self.context = self.context.with_symbols(*shaped)
        return bool(shaped)

    def _defined_written_as_arrays(self) -> bool:
        """Whether a step writes a defined name as an array (Kᵀ, bold), or a definition
        writes a transpose: the document then means its array definitions as arrays. Where
        neither is, a defined vector such as ŷ = σ(a) stays a name read entry by entry
        (ŷ(1 − ŷ) is entrywise there)."""
        from derive.read.documents import ARRAY_LOOKING, TRANSPOSE

        defined = {s.name for s in self.definitions} | set(self._unread)
        for claim in self.document.claims:
            for match in ARRAY_LOOKING.finditer(claim.latex):
                written = (match.group(1) or match.group(2)).lstrip("\\")
                if written in defined or written[-1] in defined:  # QK^T: a product, then K
                    return True
        # a definition that writes an array transposed (C(β) = −yᵀlog p̂ − …) is array
        # algebra: the defined names in it are the arrays their formulas are
        return any(re.search(TRANSPOSE, d.latex) or ARRAY_LOOKING.search(d.latex)
                   for d in self.document.definitions)

    def _is_array_name(self, name: str) -> bool:
        info = self.context.symbols.get(name)
        return info is not None and info.shape is not None

    def _definition_key(self, key: str) -> tuple[str, str | None]:
        """The name a ``[definitions]`` key defines, read as the steps read it (``J^{(i)}``,
        ``h_\\theta``, ``\\hat{y}``), and the argument of a function key (``f(t)``)."""
        from derive.read.latex import parse_name

        def read(text: str) -> str:
            try:
                return parse_name(text, self.context, source=self.document.path)
            except DeriveError:
                return text.strip()

        try:
            return parse_name(key, self.context, source=self.document.path), None
        except DeriveError:
            pass
        call = re.fullmatch(r"\s*([^()]+?)\s*\((.+)\)\s*", key)  # f(x^{(i)}): to the last ')'
        if call is None:
            return key.strip(), None
        # J(\theta_0, \theta_1): the arguments, each read as the steps read it
        arguments = ",".join(read(a) for a in _split_arguments(call.group(2)))
        return read(call.group(1)), arguments

    # -- resolving ------------------------------------------------------------------------

    def _named(self, expr: sp.Expr) -> sp.Expr:
        """Aliases applied; J(ŷ) for a defined J read as J; a defined function applied."""
        expr = expr.xreplace(self.aliases)

        redefined = self._redefined_builtins()

        def applied(node: sp.Expr) -> bool:
            return isinstance(node, AppliedUndef) or (
                bool(redefined) and isinstance(node, sp.Function) and node.func in redefined)

        def replace(node: sp.Expr) -> sp.Expr:
            name = redefined.get(node.func) or node.func.__name__
            if name in self.function_definitions:
                return _applied(self.function_definitions[name], node.args)
            symbol = self.context.symbol(name)
            if symbol in self.definitions:
                return symbol
            return node

        # a definition may apply a function defined after it (h(x) = g(θx), then g(z) = …)
        current = self._array_functions(expr)
        for _ in range(len(self.function_definitions) + 1):
            following = current.replace(applied, replace)
            if following == current:
                break
            current = following
        return current

    def _array_functions(self, expr: sp.Expr) -> sp.Expr:
        """The functions the file defines of one array (g(u) = uᵀu) written in: applied to
        their argument, and primed as the Jacobian by it."""
        defined = self._array_function_definitions()
        if not defined:
            return expr
        expr = expr.replace(self._array_prime, self._array_derivative)
        return expr.replace(
            lambda node: isinstance(node, AppliedUndef) and node.func.__name__ in defined,
            lambda node: _applied(defined[node.func.__name__], node.args))

    def _array_prime(self, node: sp.Basic) -> bool:
        """``g'(u)`` of a function the file defines of one array (g(u) = uᵀu), read entry
        by entry or at a point: its derivative is the Jacobian by that array."""
        from derive.read.latex import Elementwise

        if isinstance(node, Elementwise | sp.Subs) and len(node.args) >= 2:
            derivative = node.function.expr if isinstance(node, Elementwise) else node.expr
            return isinstance(derivative, sp.Derivative) and \
                isinstance(derivative.expr, AppliedUndef) and \
                derivative.expr.func.__name__ in self._array_function_definitions()
        return False

    def _array_function_definitions(self) -> dict[str, sp.Lambda]:
        """The functions the file defines of one array (g(u) = uᵀu), by name."""
        return {name: f for name, f in self.function_definitions.items()
                if len(f.variables) == 1 and isinstance(f.variables[0], sp.MatrixSymbol)}

    def _array_derivative(self, node: sp.Basic) -> sp.Basic:
        from derive.read.latex import Elementwise
        from derive.read.nodes import _derivative

        if isinstance(node, Elementwise):
            derivative, (point,) = node.function.expr, node.args[1:]
        else:
            derivative, point = node.expr, node.point[0]
        function = self.function_definitions[derivative.expr.func.__name__]
        if not isinstance(point, sp.MatrixSymbol) or point.shape != function.variables[0].shape:
            # g'(h(w)): the Jacobian at a point that is not the variable's own name
            raise NotDecidable(f"{derivative.expr.func.__name__}' at {point}: the derivative "
                               "of a function of an array is read only at an array's name")
        return _derivative(function(point), [(point, 1)])

    def _header_key(self) -> str | None:
        """The part of every step's key the whole document shares: the package's source, the
        budget and everything the document says outside its steps (its context with the index
        families found in all its lines, definitions, aliases, readings, settings). None when
        the cache is off, a total budget runs, or a part cannot be keyed."""
        from derive.decide.kept import Unkeyable, canonical

        document = self.document
        if self.deadline is not None or not cache.enabled():
            return None
        try:
            header = canonical(_plain((
                document.path, self.budget, self.context, self.all_aliases,
                document.definitions, document.vary, document.matrix, document.readings,
                tuple(self.assumed), document.scalar_readings)))
        except Unkeyable:
            return None
        return cache.key("steps", header)

    def _step_key(self, header: str | None, claim: Claim, previous: sp.Expr | None
                  ) -> str | None:
        """The key a step's report is kept under: the header, the claim as written and where,
        and what the steps before it left that a step reads: the definitions and functions
        they made, the names they wrote, the chain this one may continue (its first side,
        where it went wrong), the side before it, the line before it and the readings said
        so far. An edit re-decides the steps this state changes for, not every one after it.
        None when the header is, or a part cannot be keyed."""
        from derive.decide.kept import Unkeyable, canonical

        if header is None:
            return None
        try:
            continues = claim.lhs is None and self._parse(
                claim.latex, claim.line, claim.column).continues
        except ParseError:
            continues = False
        # the chain, its last side and the line before matter to a line that continues them
        # only: any other starts a chain of its own
        before = (previous, self.last_side, self._previous_claim, self.chain) if continues \
            else ()
        try:
            state = canonical(_plain((claim, before, sorted(self.seen), tuple(self.assumed))))
            made = self._made_digest()
        except Unkeyable:
            return None
        return hashlib.sha256(f"{header}|{made}|{state}".encode()).hexdigest()

    def _made_digest(self) -> str:
        """A digest of the definitions and functions in force, made again only when one of
        them is another object than at the last step (the objects are held here, so the same
        objects mean the same content)."""
        from derive.decide.kept import canonical

        fingerprint = (*itertools.chain.from_iterable(self.definitions.items()), None,
                       *itertools.chain.from_iterable(self.function_definitions.items()))
        if self._made is None or len(self._made[0]) != len(fingerprint) or any(
                a is not b for a, b in zip(self._made[0], fingerprint, strict=True)):
            digest = hashlib.sha256(canonical(_plain((
                self.definitions, self.function_definitions))).encode()).hexdigest()
            self._made = (fingerprint, digest)
        return self._made[1]

    def _redefined_builtins(self) -> dict[type, str]:
        """Built-in functions the document defines for itself (σ(A_i) = e^{A_i}/Σⱼ e^{A_j}, a
        post's σ for the softmax), by the name its definition gives."""
        from derive.read.latex import builtin_function

        found: dict[type, str] = {}
        for name in self.function_definitions:
            function = builtin_function(name)
            if function is not None:
                found[function] = name
        return found

    def _expand(self, expr: sp.Expr, keep: frozenset[sp.Symbol] = frozenset()) -> sp.Expr:
        mapping = {s: v for s, v in self.definitions.items() if s not in keep}
        memo = _replacements(mapping)
        current = expr
        for _ in range(len(mapping) + 2):
            following = _replaced(current, mapping, memo)
            if self.function_definitions and any(
                    type(f).__name__ in self.function_definitions
                    for f in following.atoms(AppliedUndef)):
                following = self._named(following)  # y = g(2x) with g defined after y
            if following == current:
                break
            current = following
        return current

    def _derivative(self, node: sp.Derivative) -> sp.Expr:
        if node.atoms(sp.MatrixSymbol):
            raise IllFormed(f"{node} is a derivative of arrays: derive.verify.shapes checks it "
                            "entry by entry")
        function = node.expr
        variables = [v for v, _ in node.variable_count]
        for variable in variables:
            if not isinstance(variable, sp.Symbol | sp.Indexed):
                raise IllFormed(f"a derivative is taken with respect to {variable}, "
                                "which is not a variable")
        for variable in variables:
            if isinstance(self.definitions.get(variable), sp.MatrixBase):
                raise NotDecidable(f"a derivative by {pretty_name(str(variable))}, which the "
                                   "document gives as a matrix of numbers (a point, not a "
                                   "variable): it is not taken")
        # a = ŷ: a is another name for ŷ, so a formula written in ŷ depends on a
        aliases = self._aliases_of(variables)
        # by A_{2,1}, A defined (A = softmax(S)): every entry of A is held, not written out
        families = {_family_base(v) for v in variables if _is_instance_entry(v)}
        siblings = {s for s in self.definitions
                    if _is_instance_entry(s) and _family_base(s) in families} \
            if families else set()
        keep = frozenset(variables) | frozenset(aliases) | frozenset(siblings)
        named = function if isinstance(function, sp.Symbol) else None
        defined = self.function_definitions.get(named.name) if named is not None else None
        if named is not None and named not in self.definitions and named not in keep and \
                defined is not None and len(defined.variables) == 1 and len(variables) == 1 \
                and isinstance(variables[0], sp.Symbol) and \
                str(variables[0]) == str(defined.variables[0]):
            # dTanh/dx with Tanh(x) = tanh(x) defined: the function at its own argument
            said = (f"{pretty_name(named.name)} written without its argument, differentiated "
                    f"by {pretty_name(str(variables[0]))}: read as "
                    f"{pretty_name(named.name)}({pretty_name(str(variables[0]))})")
            if said not in self.assumed:
                self.assumed.append(said)
            function, named = defined(variables[0]), None
        if named is not None and named not in self.definitions and named not in keep and \
                not self._entries_of_a_declared_family(named, variables):
            if self._two_declared_variables(named, variables):
                first, second = (pretty_name(self._declared_as(v)) for v in (named, variables[0]))
                said = (f"{first} and {second}, declared and defined nowhere, are independent "
                        f"variables: ∂{first}/∂{second} = 0")
                if said not in self.assumed:
                    self.assumed.append(said)
                return sp.S.Zero
            whole = self._whole_array_of(named)
            if whole is not None:
                raise NotDecidable(
                    f"{pretty_name(named.name)} is an entry of {pretty_name(whole)}, which is "
                    "defined as a whole: its entries are not written out here, so its "
                    f"derivative by {pretty_name(str(variables[0]))} is not taken")
            raise NotDefined(f"{named.name} is not defined, so d{named.name}/d"
                             f"{variables[0]} has no meaning here", named.name)
        written = self._expand(function, keep)
        if aliases:
            written = written.xreplace(aliases)
        named_calls = self._named_calls((written,), variables)
        if named_calls:  # J = … h_θ(x) …, by θ: h_θ depends on θ
            written = written.xreplace(named_calls)
        for variable in variables:
            _bound_variable(written, variable)
            if isinstance(variable, sp.Symbol) and any(
                    str(entry.base.label) == variable.name for entry in written.atoms(sp.Indexed)):
                # A with its entries A_i in the formula: A is their vector, not a number
                raise VectorVariable(f"a derivative by {variable.name} of a formula in its entries "
                                   f"({variable.name}_i): {variable.name} is a vector here; "
                                   "give its shape")
        labels = {entry.base.label for entry in written.atoms(sp.Indexed)}
        for variable in variables:
            base = _family_base(variable)
            if base is not None and any(isinstance(s, sp.Symbol) and s.name == base
                                        for s in written.free_symbols - labels):
                # ∂f(w)/∂w_j with f written in w whole (wᵀx): w is a vector, not a number
                raise NotDecidable(
                    f"a derivative by {pretty_name(str(variable))}, an entry of {base}, of a "
                    f"formula that writes {base} whole: {base} is a vector here; give its shape")
        for variable in variables:
            # h_θ is named by θ, and so by each entry θ_j of it
            named_by = {variable.name, _family_base(variable)} - {None} \
                if isinstance(variable, sp.Symbol | sp.Indexed) else set()
            subscripted = sorted(
                s.name for s in written.free_symbols
                if isinstance(s, sp.Symbol) and s != variable and
                any(s.name.endswith(f"_{name}") for name in named_by) and
                s not in self.definitions)
            if subscripted:
                # h_θ(x) with h_θ written nowhere: named by θ, it depends on θ
                shown = pretty_name(subscripted[0])
                by = pretty_name(str(variable))
                raise NotDecidable(f"{shown} is named by {by} and written nowhere: its "
                                   f"derivative by {by} is not known (define {shown}, or "
                                   "declare it a function)")
        for variable in variables:
            if not written.has(variable) and (named is not None or variable in self.definitions):
                written = self._written_in(written, variable)
            if named is None and variable in self.definitions and not written.has(variable) \
                    and written.free_symbols and not written.atoms(AppliedUndef):
                # ∂(y₁ − ŷ₁)²/∂g, g = y₁ − ŷ₁ written elsewhere: not 0, a function of g or not
                raise Independent(f"the formula differentiated does not write "
                                  f"{pretty_name(str(variable))}, a defined name, nor its "
                                  f"formula: it is no function of {pretty_name(str(variable))}"
                                  " as written")
            if named is not None and not written.has(variable) and \
                    not self._entry_of_written_family(variable, written) and \
                    not _among_entries(variable, written):
                other_case = sorted(s.name for s in written.free_symbols
                                    if isinstance(s, sp.Symbol) and s != variable and
                                    s.name.lower() == str(variable.name).lower())
                if other_case:  # L = … σ(Wx + b) …, by w: W and w may be one weight
                    raise NotDecidable(
                        f"{named.name} does not write {pretty_name(str(variable.name))} but "
                        f"writes {pretty_name(other_case[0])}: the text may mean one by the "
                        "other; write one name to check it")
                unknown = sorted(
                    s.name for s in written.free_symbols
                    if isinstance(s, sp.Symbol) and s not in self.definitions and
                    not self._defined_anywhere(s.name) and
                    not s.is_integer and  # a label in {0, 1}: data, whatever else
                    s.name in self.document.conventional)
                if unknown:  # BCE in ŷ, ŷ defined nowhere (its domain a convention's), by a:
                    # ŷ, a probability, may be the model's output
                    raise NotDecidable(
                        f"{named.name} writes {pretty_name(unknown[0])}, which is defined "
                        f"nowhere: how it depends on {pretty_name(str(variable.name))} is "
                        "what the text means by it")
                held = sorted((s.name, whole) for s in written.free_symbols
                              if (whole := self._whole_array_of(s)) is not None)
                if held:  # L = −Σ y_k log z_k with z = softmax(a) defined whole, by a₁
                    entry, whole = held[0]
                    raise NotDecidable(
                        f"{named.name} writes {pretty_name(entry)}, an entry of "
                        f"{pretty_name(whole)}, which is defined as a whole: how it depends "
                        f"on {pretty_name(str(variable.name))} is not written out here")
                raise Independent(f"{named.name} does not depend on {variable.name}: "
                                f"{named.name} = {written}")
        if named is None:
            self._unknown_names_held_fixed(written, variables)
        if written.atoms(sp.MatrixSymbol):
            # a name defined by arrays, differentiated in a claim read as scalars
            shown = named.name if named is not None else "this formula"
            raise NotDecidable(f"{shown} is written with arrays: its derivative by "
                               f"{variables[0]} is taken entry by entry only in a claim whose "
                               "sides are arrays")
        taken = derivative(written, tuple((v, c) for v, c in node.variable_count))
        return _held_at(taken, {v: self._expand(v, frozenset()) for v in variables
                                if v in self.definitions})

    def _unknown_names_held_fixed(self, written: sp.Expr, variables: Sequence[sp.Basic]
                                  ) -> None:
        """∂(C·o)/∂w_L with C and o declared and defined nowhere (a post's name Co read as a
        product): 0 only because nothing says how they depend on w_L. Ill-formed, never a
        refutation by that 0. Only where every name of the formula is unknown, and there are
        two or more."""
        if self._instance or written.atoms(AppliedUndef, sp.Indexed) or \
                any(written.has(v) for v in variables):
            return
        known = self._declared_names()
        names = {s.name for s in written.free_symbols if isinstance(s, sp.Symbol)}
        unknown = sorted(names - known)
        # only a formula of two names or more, every one unknown: log σ(x) by θ, x data
        # nothing declares, is 0 as a post means it
        if len(unknown) >= 2 and len(unknown) == len(names):
            shown = ", ".join(pretty_name(name) for name in unknown)
            by = ", ".join(pretty_name(str(v)) for v in variables)
            raise Independent(f"the formula differentiated does not write {by}, and {shown} "
                              f"are declared and defined nowhere: nothing says how they depend "
                              f"on {by}")

    def _written_in(self, written: sp.Expr, variable: sp.Basic) -> sp.Expr:
        """``written`` (l = Σ (y_i − ŷ_i)²/n) in a defined name it does not write (g = y_i −
        ŷ_i), where every occurrence of the name's inputs is inside its formula: then l is a
        function of g and of names g does not involve, and ∂l/∂g has one meaning. ``written``
        unchanged otherwise."""
        if not isinstance(variable, sp.Symbol) or variable not in self.definitions:
            return written
        value = self._expand(variable)
        inputs = value.free_symbols
        if not isinstance(value, sp.Add) or not inputs:
            return written
        rewritten = written.xreplace({value: variable, -value: -variable})
        if not rewritten.has(variable) or rewritten.free_symbols & inputs:
            return written
        said = (f"{pretty_name(variable.name)}'s formula read as {pretty_name(variable.name)} "
                "where a formula differentiated by it writes it")
        if said not in self.assumed:
            self.assumed.append(said)
        return rewritten

    def _entry_of_written_family(self, variable: sp.Basic, written: sp.Expr) -> bool:
        """At an instance of an index claim, whether ``variable`` is an entry of an array
        whose other entries ``written`` holds (∂O_{1,1}/∂V_{1,2}, O_{1,1} = Σ A_{1,k}V_{k,1}):
        the derivative is 0 there, not ill-formed."""
        if not self._instance or not isinstance(variable, sp.Symbol):
            return False
        base = variable.name.partition("_")[0]
        return bool(base) and "_" in variable.name and any(
            isinstance(s, sp.Symbol) and s.name.partition("_")[0] == base and "_" in s.name
            for s in written.free_symbols)

    def _named_by_variables(self, lhs: sp.Expr, rhs: sp.Expr
                            ) -> tuple[sp.Expr, sp.Expr, str]:
        """h_θ(x), a function nothing defines, differentiated by θ (or by an entry θ_j): named
        by θ, it depends on θ though its argument does not write it, so it is read as h_θ(x, θ)
        in both sides (its derivative by θ unknown, never 0). The sides, and the reading said
        ('' when there is none)."""
        variables = {v for side in (lhs, rhs) for node in side.atoms(sp.Derivative)
                     for v in node.variables if isinstance(v, sp.Symbol | sp.Indexed)}
        mapping = self._named_calls((lhs, rhs), variables)
        if not mapping:
            return lhs, rhs, ""
        said = ", ".join(sorted({f"{pretty_name(type(c).__name__)} is named by "
                                 f"{pretty_name(str(e.args[-1]))}" for c, e in mapping.items()}))
        return lhs.xreplace(mapping), rhs.xreplace(mapping), (
            f"{said} and defined nowhere: read as a function of it too, its derivative by it "
            "is not known")

    def _named_calls(self, exprs: Sequence[sp.Expr], variables: Iterable[sp.Basic]
                     ) -> dict[sp.Basic, sp.Basic]:
        """Each call of a function nothing defines, named by one of the variables (h_θ(x) and
        θ, or an entry θ_j), that does not write it: the call with the variable as one more
        argument, h_θ(x, θ)."""
        mapping: dict[sp.Basic, sp.Basic] = {}
        for call in (c for expr in exprs for c in expr.atoms(AppliedUndef)):
            name = type(call).__name__
            if name in self.function_definitions:
                continue
            for variable in sorted(variables, key=str):
                named_by = {str(getattr(variable, "name", variable)), _family_base(variable)}
                if any(n and name.endswith(f"_{n}") for n in named_by) and \
                        not call.has(variable):
                    extended = mapping.get(call, call)
                    mapping[call] = type(call)(*extended.args, variable)
        return mapping

    def _aliases_of(self, variables: Sequence[sp.Basic]) -> dict[sp.Symbol, sp.Symbol]:
        """The names each variable is defined as, alone (a = ŷ, or a = ŷ = p), each mapped
        to its variable."""
        found: dict[sp.Symbol, sp.Symbol] = {}
        for variable in variables:
            target = self.definitions.get(variable) if isinstance(variable, sp.Symbol) else None
            seen = {variable}
            while isinstance(target, sp.Symbol) and target not in seen and \
                    target not in variables:
                found[target] = variable
                seen.add(target)
                target = self.definitions.get(target)
        return found

    def _by_value(self, node: sp.Subs) -> sp.Expr:
        """∂f/∂σ(z): f written out through the definitions, the value σ(z) written as a name
        u wherever it appears as such, the derivative by u with the rest held fixed, and u
        the value again. A formula that never writes the value as such is undecided (its
        derivative by the value is not defined by how it is written)."""
        (variable,), (value,) = node.variables, node.point
        function = node.expr.expr.xreplace({variable: value})
        named = function if isinstance(function, sp.Symbol) else None
        if named is not None and named not in self.definitions:
            raise NotDefined(f"{named.name} is not defined, so d{named.name}/d{variable} has "
                             "no meaning here", named.name)
        written = self._written_by_value(node, self._named(function))
        if written is None or written.atoms(sp.MatrixSymbol):
            shown = named.name if named is not None else "this formula"
            raise NotDecidable(f"{shown} does not write {variable} as such once its "
                               f"definitions are written out: its derivative by {variable} "
                               "is not read")
        counts = tuple((v, c) for v, c in node.expr.variable_count)
        return derivative(written, counts).xreplace({variable: value})

    def _written_by_value(self, node: sp.Subs, function: sp.Expr) -> sp.Expr | None:
        """The function of a derivative by a value (see derive.core.algebra.StandIn) written
        out through the definitions, the value written as its stand-in wherever it appears as
        such; None when it appears nowhere."""
        (variable,), (value,) = node.variables, node.point
        written = self._expand(function).xreplace({value: variable})
        return written if written.has(variable) else None

    def _differential(self, node: sp.Expr) -> sp.Expr:
        """d(E) = Σ ∂E/∂v dv over the varying symbols v (the file's [settings] vary)."""
        varying = [self.context.symbol(name) for name in self.document.vary]
        if not varying:
            raise IllFormed("a differential needs [settings] vary = [...] in the proof file")
        written = self._expand(self._named(node.args[0]), frozenset(varying))
        return sp.Add(*(sp.diff(written, v) * differential_symbol(v) for v in varying))

    def _value(self, expr: sp.Expr) -> sp.Expr:
        """A side written out in the base variables, derivatives computed."""
        return self._values(expr, None)[0]

    def _values(self, lhs: sp.Expr, rhs: sp.Expr | None) -> tuple[sp.Expr, sp.Expr | None]:
        """Both sides of a link written out (``_value``), the names with an example index
        read as entries of one family on both (see ``_examples_as_entries``)."""
        resolved = [self._resolved(side) for side in (lhs, rhs) if side is not None]
        converted = _examples_as_entries(resolved)
        if converted != resolved:
            self._said_examples()
        finished = [self._finished(side) for side in converted]
        return finished[0], (finished[1] if rhs is not None else None)

    def _said_examples(self) -> None:
        said = ("x^{(i)} inside a sum over i is read as the i-th example, an entry of one "
                "family (x⁽ⁱ⁾[1], x⁽ⁱ⁾[2], … in a counterexample)")
        if said not in self.assumed:
            self.assumed.append(said)

    def _resolved(self, expr: sp.Expr) -> sp.Expr:
        expr = self._named(expr)
        differentials = [a for a in expr.atoms(sp.Function) if type(a).__name__ == "Differential"]
        if differentials:
            expr = expr.xreplace({d: self._differential(d) for d in differentials})
        for node in _smallest_first(n for n in expr.atoms(sp.Subs) if stood_in(n)):
            if node in expr.atoms(sp.Subs):
                expr = expr.xreplace({node: self._by_value(node)})
        for node in _smallest_first(expr.atoms(sp.Derivative)):
            if node in expr.atoms(sp.Derivative):
                expr = expr.xreplace({node: self._derivative(node)})
        expr = expr.doit() if expr.has(sp.Subs, sp.Derivative) else expr
        expr = self._expand(expr)
        # a definition written with a derivative (dy_i = ∂L/∂y_i) brings one in: taken as
        # the claim's own are, by the name it varies held fixed
        for _ in range(3):
            pending = [n for n in expr.atoms(sp.Derivative)
                       if any(v in self.definitions for v, _ in n.variable_count)]
            if not pending:
                break
            for node in _smallest_first(pending):
                if node in expr.atoms(sp.Derivative):
                    expr = expr.xreplace({node: self._derivative(node)})
            expr = self._expand(expr)
        return expr

    def _finished(self, expr: sp.Expr) -> sp.Expr:
        _example_index_in_sum(expr)
        expr = _written_out(expr) if expr.has(sp.Sum) else expr
        return _limits(expr, self._remaining()) if expr.has(sp.Limit) else expr

    # -- checking -------------------------------------------------------------------------

    def _remaining(self) -> float:
        """Seconds left for the current step: its own budget, within the run's."""
        ends = [end for end in (self.deadline, self._step_deadline) if end is not None]
        if not ends:
            return self.budget
        return max(0.0, min(self.budget, min(ends) - time.monotonic()))

    def _compare(self, lhs: sp.Expr, rhs: sp.Expr, assume: tuple[str, ...],
                 operator: str = "=") -> LinkReport:
        if operator == "≠":
            return self._differ(lhs, rhs)
        return self._equal(lhs, rhs, assume)

    def _differ(self, lhs: sp.Expr, rhs: sp.Expr) -> LinkReport:
        """A ≠ B holds as soon as one point of the domain tells them apart."""
        equal = self._equal(lhs, rhs, ())
        if equal.verdict == Verdict.REFUTED:
            return LinkReport(lhs, rhs, Verdict.PROVED, equal.outcome, operator="≠",
                              message="the two sides differ: " + _short(equal.outcome))
        if equal.verdict == Verdict.PROVED:
            return LinkReport(lhs, rhs, Verdict.REFUTED, equal.outcome, operator="≠",
                              message="the two sides are identically equal")
        if equal.verdict in (Verdict.ILL_FORMED, Verdict.UNREADABLE):
            return LinkReport(lhs, rhs, equal.verdict, equal.outcome, operator="≠",
                              message=equal.message)
        return LinkReport(lhs, rhs, Verdict.UNDECIDED, equal.outcome, operator="≠",
                          message="no point where the two sides differ was found")

    def _equal(self, lhs: sp.Expr, rhs: sp.Expr, assume: tuple[str, ...]) -> LinkReport:
        if lhs.atoms(SoftmaxOfEntries) or rhs.atoms(SoftmaxOfEntries):
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                "softmax(…) of a vector written whole is read only as the definition of a "
                "name (y = softmax(z)), entry by entry: write the claim with an entry"))
        matrix = self._matrix_link(lhs, rhs, assume)
        if matrix is not None:
            return matrix
        indexed = self._indexed_link(lhs, rhs, assume)
        if indexed is not None:
            return indexed
        from derive.decide.equivalence import compare, distinct_bound_indices

        left_apart, right_apart, named_by = self._named_by_variables(
            *distinct_bound_indices(lhs, rhs))
        apart = (left_apart, right_apart)
        budget = self._remaining()
        if budget <= 0:
            from derive.core.outcomes import Undecided

            return LinkReport(lhs, rhs, Verdict.UNDECIDED,
                              Undecided(("nothing",), "the run's total budget ran out"))
        try:
            left, right = run_with_budget(lambda: self._values(apart[0], apart[1]), budget)
            assert right is not None
        except NotDefined as error:
            chained = self._chain_of_undefined(lhs, rhs, apart)
            if chained is not None:
                return chained
            whole = self._whole_array_of(sp.Symbol(error.name)) if error.name else None
            if whole is not None:
                # y_j with y = softmax(z) defined whole: an entry of a defined array
                shown = pretty_name(error.name)
                return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                    f"{shown} is an entry of {pretty_name(whole)}, which is defined as a whole: "
                    f"its entries are not written out here; declare {pretty_name(whole)}'s "
                    "shape or write the claim with the whole array"))
            if error.name and _family_base(sp.Symbol(error.name)) is None and \
                    (error.name not in self._declared_names() or
                     error.name in self.document.conventional) and \
                    not self._defined_anywhere(error.name):
                # L, E: a name the text writes and never defines (the loss, named in words);
                # what its derivative is depends on what the text means by it
                shown = pretty_name(error.name)
                return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                    f"{shown} is defined nowhere: its derivative is what the text means by "
                    f"{shown}, which the claim does not write; define {shown} to check it"))
            return LinkReport(lhs, rhs, Verdict.ILL_FORMED, message=str(error))
        except (Independent, VectorVariable) as error:
            generic = self._for_every_function(*apart)
            return generic if generic is not None else LinkReport(
                lhs, rhs, Verdict.ILL_FORMED if isinstance(error, IllFormed) else
                Verdict.UNDECIDED, message=str(error))
        except IllFormed as error:
            return LinkReport(lhs, rhs, Verdict.ILL_FORMED, message=str(error))
        except NotDecidable as error:
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=str(error))
        except BudgetExceeded:
            from derive.core.outcomes import Undecided

            return LinkReport(lhs, rhs, Verdict.UNDECIDED, Undecided(
                ("derivatives",), "computing the derivatives in the claim ran out of time"))
        domains = self.context.domains()
        budget = self._remaining()
        if budget <= 0:
            from derive.core.outcomes import Undecided

            return LinkReport(lhs, rhs, Verdict.UNDECIDED, Undecided(
                ("derivatives",), "computing the derivatives in the claim used the budget"))
        if _is_matrix(left) or _is_matrix(right):
            return self._literal_link(lhs, rhs, left, right, domains)
        applied = _unknown_functions(left, right)
        unknown = bool(applied) and all(str(f) in self.context.arbitrary for f, _ in applied)
        # with a function nothing defines, sampling cannot run: a share of the budget for
        # the symbolic route, the rest for the functions drawn in its place
        outcome = compare(left, right, domains, budget=budget / 3 if unknown else budget)
        verdict = verdict_of(outcome)
        loose = _loose_indices(left, right, self.context.indices) \
            if verdict == Verdict.REFUTED else []
        if loose and not _whole_indices(outcome, loose):
            # y^i·log(s^i) with i an index letter left free: a value such as i = −1 is no
            # point of the claim, which is about i = 1, …, N
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, outcome, message=(
                f"false only with the index {pretty_name(loose[0])} given a number's value "
                f"({_short(outcome)}): an index runs over 1, 2, …, and nothing here binds "
                f"{pretty_name(loose[0])}"))
        if verdict == Verdict.UNDECIDED and named_by and not unknown:
            return LinkReport(lhs, rhs, verdict, outcome, message=named_by)
        if verdict == Verdict.UNDECIDED and unknown:
            abstract = self._abstract_link(lhs, rhs, left, right, domains)
            if abstract is not None:
                return abstract
        if verdict == Verdict.REFUTED and assume:
            conditions = self._conditions(assume)
            restricted = self._ordered_domains(assume, domains)
            if conditions or restricted != domains:
                under = compare(left.xreplace(conditions), right.xreplace(conditions),
                                restricted, budget=self._remaining())
                if verdict_of(under).holds:
                    return LinkReport(lhs, rhs, Verdict.CONDITIONAL, under, "; ".join(assume),
                                      message=f"false in general ({_short(outcome)}); "
                                              f"holds when {', '.join(assume)}")
                # the claim is about the case its condition names: a counterexample outside
                # it refutes nothing
                return LinkReport(lhs, rhs, verdict_of(under), under)
        return LinkReport(lhs, rhs, verdict, outcome)

    def _declared_call(self, claim: Claim, side: sp.Expr) -> sp.Expr | None:
        """``z(w) = w \\cdot x`` defining z, z declared a symbol (so z(w) was read z·w): the
        call z(w), since a definition's left side is no product. None for any other side."""
        written = re.match(r"\s*&?\s*([A-Za-z])\s*\(\s*([A-Za-z])\s*\)\s*&?\s*=", claim.latex)
        if written is None or not isinstance(side, sp.Mul):
            return None
        name, argument = written.groups()
        if name == argument or set(side.args) != {self.context.symbol(name),
                                                  self.context.symbol(argument)}:
            return None
        return sp.Function(name)(self.context.symbol(argument))

    def _softmax_entries(self, name: str, vector: sp.Basic) -> tuple[str, sp.Expr] | None:
        """y = softmax(z) as the definition of y's entries: (y_k, e^{z_k}/Σ_j e^{z_j}), k
        the first index letter and j running over its range; None with no index letter."""
        if not isinstance(vector, sp.Symbol) or "_" in name or "_" in vector.name:
            return None  # o_b = softmax(b): an entry named by a class, not a vector's name
        letters = sorted(self.context.indices)
        if not letters:
            return None
        letter, count = letters[0], self.context.indices[letters[0]]
        bound = next(c for c in "jklmnpqrs" if c != letter and c not in vector.name)
        index = self.context.symbol(bound)
        value = sp.exp(self.context.symbol(f"{vector.name}_{letter}")) / sp.Sum(
            sp.exp(self.context.symbol(f"{vector.name}_{bound}")),
            (index, sp.S.One, self.context.symbol(count)))
        said = (f"{pretty_name(name)} = softmax({pretty_name(vector.name)}) read as the "
                f"definition of its entries, {pretty_name(f'{name}_{letter}')} = "
                f"e^{pretty_name(f'{vector.name}_{letter}')}/Σ_{bound} "
                f"e^{pretty_name(f'{vector.name}_{bound}')}")
        if said not in self.assumed:
            self.assumed.append(said)
        return f"{name}_{letter}", value

    def _declared_variable(self, symbol: sp.Basic) -> bool:
        """A name the file declares as a number (t, or t₁ of a declared family t_i) and
        that nothing defines: a variable of the document."""
        if not isinstance(symbol, sp.Symbol) or symbol in self.definitions or \
                self._defined_anywhere(symbol.name) or symbol.name in self.document.conventional \
                or symbol.name in self.function_definitions or symbol.name in self.unread or \
                self.context.is_function(symbol.name):
            return False
        base = _family_base(symbol)
        if base is not None and (base in self.document.conventional or
                                 self.context.symbol(base) in self.definitions or
                                 self._defined_anywhere(base) or base in self.unread):
            return False  # z₁ of z = softmax(a), read or not: an entry of a defined vector
        info = self.context.symbols.get(symbol.name)
        if info is not None:
            return info.shape is None
        family = self._declared_family(base) if _is_instance_entry(symbol) else None
        return family is not None and self.context.symbols[family].shape is None

    def _declared_as(self, symbol: sp.Basic) -> str:
        """The name the file declares ``symbol`` by: t_i for t₁ of a family, else itself."""
        family = self._declared_family(_family_base(symbol)) \
            if _is_instance_entry(symbol) else None
        return family or str(symbol)

    def _two_declared_variables(self, named: sp.Symbol, variables: Sequence[sp.Basic]) -> bool:
        """∂t₁/∂w₁ with t_i and w_k declared and defined nowhere: two variables of the
        document, each independent of the other (0, as inside any formula that writes t₁)."""
        return len(variables) == 1 and variables[0] != named and \
            self._declared_variable(named) and self._declared_variable(variables[0])

    def _whole_array_of(self, entry: sp.Basic) -> str | None:
        """The name y of which ``entry`` (y_j, y₁) is an entry, when the document defines y
        as a whole and as an array: a formula of arrays (y = softmax(Wx)), or of a name
        whose entries are defined or declared (z = softmax(a) beside a₁ = …). None for an
        entry beside a scalar (E_j beside a loss E)."""
        whole = _family_base(entry)
        value = self.definitions.get(self.context.symbol(whole)) if whole else None
        if whole is None or value is None:
            return None
        if isinstance(value, sp.MatrixBase | sp.MatrixExpr) or value.atoms(sp.MatrixSymbol):
            return whole
        names = {s.name for s in value.free_symbols if isinstance(s, sp.Symbol)}
        if not names or not value.atoms(AppliedUndef):
            return None
        families = {_family_base(s) for s in self.definitions} | {
            _family_base(sp.Symbol(name)) for name in self.context.symbols}
        shaped = {name for name, info in self.context.symbols.items() if info.shape} | {
            str(name) for name, defined in self.definitions.items()
            if isinstance(defined, sp.MatrixBase | sp.MatrixExpr) or
            (isinstance(defined, sp.Basic) and defined.atoms(sp.MatrixSymbol))}
        return whole if names & (families | shaped) else None

    def _entries_of_a_declared_family(self, named: sp.Symbol,
                                      variables: Sequence[sp.Basic]) -> bool:
        """∂w₂/∂w₁ at an instance of an index claim, the file declaring w_j (j an index
        letter): two entries of one family of variables, independent of each other (the
        derivative is δ₂₁ = 0), not an undefined name."""
        base = _family_base(named)
        if base is None or not _is_instance_entry(named) or not all(
                _is_instance_entry(v) and _family_base(v) == base for v in variables):
            return False
        family = self._declared_family(base)
        return family is not None and self.context.symbols[family].shape is None

    def _declared_family(self, base: str | None) -> str | None:
        """The name the file declares a family of entries by (w_j for w, j an index
        letter); None when it declares none."""
        return next((name for name in self.context.symbols if base is not None and
                     _family_base(sp.Symbol(name)) == base and
                     name.rpartition("_")[2] in self.context.indices), None)

    def _defined_anywhere(self, name: str) -> bool:
        """Whether the file or a step read so far defines the name (g = y_i − t_i, which an
        instance that does not write i leaves unwritten)."""
        return name in {str(symbol) for symbol in self.definitions} or any(
            self._definition_key(d.name)[0] == name for d in self.document.definitions)

    def _chain_of_undefined(self, lhs: sp.Expr, rhs: sp.Expr,
                            apart: tuple[sp.Expr, sp.Expr]) -> LinkReport | None:
        """∂L/∂w₁ = ∂L/∂y · ∂y/∂w₁ with L defined nowhere, a relation between derivatives
        (each side has one): each undefined name differentiated is read as a function of
        the names it is differentiated by (L of y, y of w₁, or y as the document defines
        it), nothing more, so the claim is about every such function: proved when it holds
        symbolically (the chain rule). None otherwise (never refuted: the text may relate the
        names in ways the claim does not write), and when a side has no derivative, a
        derivative is not by a name, or the names depend on each other in a circle."""
        from derive.decide.equivalence import compare

        defined = self.definitions

        def differentiates(side: sp.Expr) -> bool:  # as written, or through a definition
            return bool(side.atoms(sp.Derivative)) or any(
                name in defined and defined[name].has(sp.Derivative)
                for name in side.free_symbols)

        if not all(differentiates(side) for side in apart):
            return None  # ∂L/∂w = x(ŷ − y) is about one L, which the text must define
        depends: dict[sp.Symbol, list[sp.Symbol]] = {}
        for node in (n for side in apart for n in side.atoms(sp.Derivative)):
            if any(not isinstance(v, sp.Symbol) for v, _ in node.variable_count):
                return None
            if isinstance(node.expr, sp.Symbol) and node.expr not in defined:
                if self.context.is_function(node.expr.name):
                    return None
                for variable, _ in node.variable_count:
                    if variable not in depends.setdefault(node.expr, []):
                        depends[node.expr].append(variable)
        if not depends:
            return None
        if self._instance and any(
                "_" not in name.name and any(_is_instance_entry(v) for v in variables)
                for name, variables in depends.items()):
            # ∂L/∂A_{1,1} = V_{1,1} ∂L/∂O_{1,1} at an instance: L depends on every entry of O,
            # not on the one entry the instance writes
            found = self._loss_of_entries(lhs, rhs, depends)
            if found is not None or not _every_entry_written(depends, defined):
                return found
            # ∂L/∂x_1 = Σᵢ ∂L/∂yᵢ ∂yᵢ/∂x_1 (y defined nowhere), its sum written out: L is a
            # function of the entries of y it is differentiated by, every one of them written

        def uses(name: sp.Basic) -> set[sp.Basic]:
            if name in depends:
                return set(depends[name])
            return set(defined[name].free_symbols) if name in defined else set()

        def reaches(name: sp.Basic, target: sp.Basic, path: frozenset[sp.Basic]) -> bool:
            return any(v == target or (v not in path and reaches(v, target, path | {v}))
                       for v in uses(name))

        # L differentiated by y and by w₁, y by w₁: L depends on w₁ through y, not directly
        through = [(name, v, u) for name, variables in depends.items() for v in variables
                   for u in variables if u != v and reaches(u, v, frozenset({name, u}))]
        depends = {name: [v for v in variables
                          if not any(u != v and reaches(u, v, frozenset({name, u}))
                                     for u in variables)]
                   for name, variables in depends.items()}
        # o_j = e^{z_j}/Σ_k e^{z_k}: the other entries o_k depend on z_j too, so that E_j
        # depends on z_j through o_j alone is an assumption the text does not write
        def siblings_too(formula: Any, variable: sp.Basic) -> bool:
            if not isinstance(formula, sp.Basic):
                return False
            base = _family_base(variable)
            return formula.has(sp.Sum) or (base is not None and any(
                s != variable and _family_base(s) == base for s in formula.free_symbols))

        # y_j defined nowhere, an entry of a family: its siblings may depend on x_j too
        assumed = [(name, v, u) for name, v, u in through
                   if (u in defined and siblings_too(defined[u], v))
                   or (u not in defined and not self._instance and (
                       isinstance(u, sp.Indexed) or
                       index_entry(str(getattr(u, "name", "")), self.context.indices)))]

        def written(expr: sp.Expr, keep: frozenset[sp.Symbol], depth: int = 0,
                    derivatives: bool = True) -> sp.Expr:
            """``expr`` with each undefined name its function of what it depends on and each
            defined name its definition, the names of ``keep`` held as they are; the
            derivatives it writes taken (``derivatives``: not those a derivative gave)."""
            if depth > 12:
                raise NotDecidable("names differentiated by each other in a circle")
            if derivatives and expr.has(sp.Derivative):
                expr = expr.replace(
                    lambda e: isinstance(e, sp.Derivative),
                    lambda e: derivative(e.expr, e.variable_count, keep, depth + 1))
            mapping: dict[sp.Basic, sp.Expr] = {}
            for name in expr.free_symbols:
                if name in keep:
                    continue
                if name in depends:
                    mapping[name] = sp.Function(name.name)(*[
                        v if v in keep else written(v, keep, depth + 1)
                        for v in depends[name]])
                elif name in defined:
                    mapping[name] = written(defined[name], keep, depth + 1)
            return expr.xreplace(mapping) if mapping else expr

        def derivative(expr: sp.Expr, counts: Any, keep: frozenset[sp.Symbol],
                       depth: int) -> sp.Expr:
            """d expr / d variables, each variable held as itself while it is taken."""
            pairs = [(v, int(c)) for v, c in counts]
            held = keep | {v for v, _ in pairs}
            taken = sp.diff(written(expr, held, depth), *pairs)
            # a variable that stands for a formula: the derivative is taken at its value
            values = {v: written(v, keep, depth + 1) for v, _ in pairs
                      if v not in keep and (v in depends or v in defined)}
            if values:
                taken = taken.subs(values)
            return written(taken, keep, depth, derivatives=False)

        try:
            left, right = (written(side, frozenset()) for side in apart)
        except (NotDecidable, ValueError, TypeError, RecursionError):
            return None
        said = "; ".join(
            f"{pretty_name(name.name)} of {', '.join(pretty_name(v.name) for v in depends[name])}"
            for name in depends)
        undefined = ", ".join(pretty_name(name.name) for name in depends)
        reading = (f"{undefined}, which nothing defines, read as functions of what they are "
                   f"differentiated by and nothing more ({said})")
        outcome = compare(left, right, self.context.domains(), budget=self._remaining() / 3)
        if verdict_of(outcome) == Verdict.PROVED and assumed:
            condition = "; ".join(f"{pretty_name(name.name)} depends on {pretty_name(v.name)} "
                                  f"only through {pretty_name(u.name)}"
                                  for name, v, u in assumed)
            return LinkReport(lhs, rhs, Verdict.CONDITIONAL, outcome,
                              message=f"holds if {condition} (the definition of "
                                      f"{pretty_name(assumed[0][2].name)} writes the other "
                                      f"entries, which may depend on "
                                      f"{pretty_name(assumed[0][1].name)} too): {reading}",
                              assumption=condition)
        if verdict_of(outcome) == Verdict.PROVED:
            return LinkReport(lhs, rhs, Verdict.PROVED, outcome,
                              message=f"holds for every such function: {reading}")
        # never refuted so: the text may relate the names in ways the claim does not write
        # (O = AV makes ∂L/∂V = Aᵀ ∂L/∂O hold)
        return None

    def _for_every_function(self, lhs: sp.Expr, rhs: sp.Expr) -> LinkReport | None:
        """d/dθ σ(z) = σ(z)(1 − σ(z)) dz/dθ where z's formula does not involve θ as written:
        each defined name differentiated only by names nothing defines is read as an arbitrary
        function of them (Z(θ)); a claim that holds symbolically for every such function
        holds for the one the file defines (the chain rule). Only when every other name of
        the claim is one nothing defines (a defined one might depend on θ), and each side is
        linear in first derivatives (so it holds entry by entry where θ is a vector). None
        otherwise."""
        from derive.decide.equivalence import compare

        defined = self.definitions
        depends: dict[sp.Symbol, list[sp.Symbol]] = {}
        for node in (n for side in (lhs, rhs) for n in side.atoms(sp.Derivative)):
            if not isinstance(node.expr, sp.Symbol) or node.expr not in defined:
                continue
            for variable, _ in node.variable_count:
                if not isinstance(variable, sp.Symbol) or variable in defined:
                    return None
                if variable not in depends.setdefault(node.expr, []):
                    depends[node.expr].append(variable)
        names = {s for side in (lhs, rhs) for s in side.free_symbols}
        if not depends or any(s in defined and s not in depends for s in names):
            return None
        if not all(_linear_in_derivatives(side) for side in (lhs, rhs)):
            return None
        mapping = {name: sp.Function(name.name)(*variables)
                   for name, variables in depends.items()}
        left, right = (side.xreplace(mapping).doit() for side in (lhs, rhs))
        outcome = compare(left, right, self.context.domains(), budget=self._remaining() / 3)
        if verdict_of(outcome) != Verdict.PROVED:
            return None
        said = "; ".join(f"{pretty_name(name.name)} of "
                         f"{', '.join(pretty_name(v.name) for v in variables)}"
                         for name, variables in depends.items())
        return LinkReport(lhs, rhs, Verdict.PROVED, outcome,
                          message=f"holds for every function ({said}), so for the one "
                                  "defined: the chain rule")

    def _loss_of_entries(self, lhs: sp.Expr, rhs: sp.Expr,
                         depends: Mapping[sp.Symbol, list[sp.Symbol]]) -> LinkReport | None:
        """At an instance of an index claim, L (nothing defines it) differentiated by entries
        of a defined array (O_{1,1}, O = AV) and by entries they are written in (A_{1,1}):
        a first derivative of L depends on it only through its gradient G by O, linearly, so
        the claim is decided with L = Σ G_e O_e over every entry e of O, each G_e left free:
        holding so is holding for every such L. None when it fails (never refuted: the text
        may relate the names otherwise), or when L is not differentiated once, by one such
        family."""
        if len(depends) != 1:
            return None
        ((loss, variables),) = depends.items()

        def family(symbol: sp.Basic) -> str:
            return str(getattr(symbol, "name", "")).partition("_")[0]

        defined = {family(v) for v in variables
                   if _is_instance_entry(v) and v in self.definitions}
        if len(defined) > 1:  # O = AV with A defined too: L is read through O, which writes A
            defined -= {family(s) for v in variables if v in self.definitions
                        for s in self.definitions[v].free_symbols} - {None, ""}
        if "_" in loss.name or len(defined) != 1:
            return None
        (base,) = defined
        entries = sorted((s for s in self.definitions if isinstance(s, sp.Symbol) and
                          _is_instance_entry(s) and family(s) == base), key=str)
        reached = set().union(*(self.definitions[e].free_symbols for e in entries))
        if not all(v in reached or family(v) == base for v in variables):
            return None
        for side in (lhs, rhs):
            if any(node.expr == loss and sum(int(c) for _, c in node.variable_count) != 1
                   for node in side.atoms(sp.Derivative)):
                return None
            bare = side.replace(lambda n: isinstance(n, sp.Derivative) and n.expr == loss,
                                lambda n: sp.S.Zero)
            if loss in bare.free_symbols:
                return None
        gradient = sp.Add(*(make_symbol(f"G[{e.name}]", REAL) * e for e in entries))
        instance = copy.copy(self)
        instance.definitions = {**self.definitions, loss: gradient}
        link = instance._equal(lhs, rhs, ())
        if not link.verdict.holds:
            return None
        return replace(link, lhs=lhs, rhs=rhs, message=(
            f"holds for every such {pretty_name(loss.name)}: {pretty_name(loss.name)}, which "
            f"nothing defines, read as a function of the entries of {pretty_name(base)}; the "
            f"claim is linear in its gradient G, checked with G's entries left free"))

    def _abstract_link(self, lhs: sp.Expr, rhs: sp.Expr, left: sp.Expr, right: sp.Expr,
                       domains: Mapping[sp.Symbol, Any]) -> LinkReport | None:
        """A claim about a function the file declares arbitrary (``[functions] arbitrary``: ℓ,
        the loss downstream) is meant for every such function, so it is compared with each one
        replaced by smooth functions drawn at random. Refuted with one of them is refuted
        (the function is part of the counterexample); holding for all is checked, never
        proved. None when a side cannot be written with the functions replaced."""
        from derive.decide.equivalence import compare

        functions = sorted(_unknown_functions(left, right), key=lambda f: str(f))
        found = []
        for draw in range(ABSTRACT_DRAWS):
            chosen = {f: _drawn_function(f, arity, draw) for f, arity in functions}
            share = self._remaining() / (ABSTRACT_DRAWS - draw)
            if share <= 0:
                return None
            try:  # the derivatives of the functions drawn: under half of this draw's share
                sides = run_with_budget(
                    lambda chosen=chosen: [_with_functions(side, chosen)  # type: ignore[misc]
                                           for side in (left, right)], share / 2)
            except (TypeError, ValueError, AttributeError, BudgetExceeded):
                return None
            share = self._remaining() / (ABSTRACT_DRAWS - draw)
            if _unknown_functions(*sides) or share <= 0:
                return None
            outcome = compare(sides[0], sides[1], domains, budget=share)
            verdict = verdict_of(outcome)
            if verdict == Verdict.REFUTED:
                assert isinstance(outcome, Refuted)
                drawn = tuple((f"{pretty_name(str(f))}({', '.join(v)})",
                               math_text(chosen[f](*sp.symbols(' '.join(v), seq=True))))
                              for f, arity in functions
                              for v in [[f"u{k + 1}" for k in range(arity)]])
                written = "; ".join(f"{name} = {value}" for name, value in drawn)
                outcome = replace(outcome, point=(*outcome.point, *drawn))
                return LinkReport(lhs, rhs, Verdict.REFUTED, outcome, message=(
                    f"false for {written}: the claim is about any function "
                    f"{', '.join(pretty_name(str(f)) for f, _ in functions)}"))
            if not verdict.holds:
                return None
            found.append(outcome)
        names = ", ".join(pretty_name(str(f)) for f, _ in functions)
        samples = sum(int(getattr(o, "samples", 0)) for o in found)
        worst_difference = max(float(getattr(o, "max_difference", 0.0)) for o in found)
        return LinkReport(lhs, rhs, Verdict.CHECKED,
                          Checked(samples, 40, worst_difference), message=(
                              f"{names} is any function (declared arbitrary): the claim holds with "
                              f"{names} replaced by each of {ABSTRACT_DRAWS} smooth functions "
                              "drawn at random (checked, not proved for every function)"))

    def _literal_link(self, lhs: sp.Expr, rhs: sp.Expr, left: Any, right: Any,
                      domains: Mapping[sp.Symbol, Any]) -> LinkReport:
        """A link with a matrix written out (``\\begin{pmatrix}…``) where no name has a
        shape: two written-out matrices are equal when their shapes agree and each entry
        is equal (decided entry by entry); a matrix beside anything else is undecided."""
        from derive.decide.equivalence import compare
        from derive.read.latex import Grid, Stacked

        if any(side.has(Stacked, Grid) for side in (left, right)):
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                "a matrix written with dots is compared in a claim about arrays only: give "
                "the names their shapes (and the size its last subscript names)"))
        if not (isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase)):
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                "one side is a matrix written out and the other is not: give the names "
                "their shapes to compare them"))
        if left.shape != right.shape:
            return LinkReport(lhs, rhs, Verdict.ILL_FORMED, message=(
                f"the two sides differ in shape: {left.shape[0]}×{left.shape[1]} and "
                f"{right.shape[0]}×{right.shape[1]}"))
        found = []
        entries = list(zip(left, right, strict=True))
        for k, (a, b) in enumerate(entries):
            seconds = self._remaining() / (len(entries) - k)
            outcome = compare(a, b, domains, budget=seconds)
            where = divmod(k, left.shape[1])
            found.append((verdict_of(outcome), outcome, where))
            if verdict_of(outcome) == Verdict.REFUTED:
                break
        verdict, outcome, (row, column) = min(found, key=lambda f: f[0].severity)
        if verdict == Verdict.REFUTED:
            message = f"entry ({row + 1}, {column + 1}) differs: {_short(outcome)}"
        elif verdict.holds:
            message = f"equal entry by entry ({len(entries)} entries)"
        else:
            message = f"entry ({row + 1}, {column + 1}): {verdict}"
        return LinkReport(lhs, rhs, verdict, outcome, message=message)

    def _ordered_domains(self, assume: tuple[str, ...], domains: dict[sp.Symbol, Domain]
                         ) -> dict[sp.Symbol, Domain]:
        """The domains with each order of ``assume`` between a variable and a number
        (``x < 0``, ``0 \\leq z``) taken in: where the claim is checked under it."""
        from derive.read.latex import is_order, parse_order

        restricted = dict(domains)
        for text in assume:
            if not is_order(text):
                continue
            try:
                left, order, right = parse_order(text, self.context, source=self.document.path)
            except ParseError:
                continue
            if isinstance(right, sp.Symbol) and left.is_number:
                left, right = right, left
                order = {"<": ">", ">": "<", "≤": "≥", "≥": "≤"}[order]
            if not (isinstance(left, sp.Symbol) and right.is_number and right.is_real):
                continue
            bound = float(right)
            wanted = (Interval(float("-inf"), bound, high_open=order == "<")
                      if order in ("<", "≤") else
                      Interval(bound, float("inf"), low_open=order == ">"))
            within = intersected(restricted.get(left, REAL), wanted)
            if within is not None:
                restricted[left] = within
        return restricted

    def _conditions(self, assume: tuple[str, ...]) -> dict[sp.Symbol, sp.Expr]:
        from derive.read.latex import is_order, parse_relation

        found: dict[sp.Symbol, sp.Expr] = {}
        for text in assume:
            if is_order(text):
                continue
            relation = parse_relation(text, self.context, source=self.document.path)
            if len(relation.sides) == 2 and isinstance(relation.sides[0], sp.Symbol):
                found[relation.sides[0]] = relation.sides[1]
        return found

    # -- index notation: derive.verify.indexed ----------------------------------------------------

    def _indexed_link(self, lhs: sp.Expr, rhs: sp.Expr,
                      assume: tuple[str, ...]) -> LinkReport | None:
        """A link in index notation (the file declares [indices]), decided instance by
        instance at the file's sizes; None for any other link."""
        if not self._in_index_notation(lhs, rhs):
            return None
        from derive.verify.indexed import Frame

        try:
            try:
                expanded = [self._expand(self._named(side)) for side in (lhs, rhs)]
            except _MIXED:
                # a definition over arrays (M_i = exp(−y_i wᵀx_i)) SymPy cannot write into a
                # formula of entries: the instances write it, entry by entry
                expanded = [self._named(side) for side in (lhs, rhs)]
            converted = _examples_as_entries(expanded)
            frame = Frame(self.context, dict(self.document.matrix.sizes),
                          examples=_example_letters(converted, self.context.indices))
            for side in converted:
                _example_index_in_sum(side, frame)
        except NotDecidable as error:
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=str(error))
        except _MIXED as error:
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=_mixed(error))
        written = (lhs, rhs)
        if converted != expanded:  # x^{(i)} in Σᵢ: entries of one family, then instantiated
            self._said_examples()
            lhs, rhs = converted
        elif self.function_definitions:
            # σ(A_k) with σ(A_i) defined: applied before the indices take their values, so
            # the sums in its formula are instantiated with the rest
            lhs, rhs = self._named(lhs), self._named(rhs)
        from derive.read.latex import is_order, parse_relation
        from derive.verify.indexed import decide

        relations = [(text, parse_relation(text, self.context, source=self.document.path))
                     for text in assume if not is_order(text)]

        refuted: list[tuple[_Checker, LinkReport]] = []

        def scalar(left: sp.Expr, right: sp.Expr, definitions: Mapping[sp.Symbol, sp.Expr],
                   context: Context, seconds: float) -> LinkReport:
            instance = copy.copy(self)
            instance.definitions, instance.context = dict(definitions), context
            instance.budget, instance._instance = seconds, True
            link = instance._equal(left, right, ())
            if link.verdict == Verdict.REFUTED:
                refuted.append((instance, link))
            return link

        found = decide(lhs, rhs, frame, self.definitions, relations, scalar, self._remaining())
        diagnosis = None
        if found.verdict == Verdict.REFUTED and refuted:
            # the claim's first refuted instance is a scalar claim: the mal-rules name its
            # mistake there (not run when an assumption makes the claim conditional)
            instance, link = refuted[0]
            diagnosis = instance._diagnosed(link).diagnosis
        return LinkReport(*written, found.verdict, found.outcome, found.assumption,
                          found.message, diagnosis=diagnosis)

    def _in_index_notation(self, lhs: sp.Expr, rhs: sp.Expr) -> bool:
        """Whether a link uses the file's [indices] (a sum, δ, a name such as a_j)."""
        if not self.context.indices or self._instance:
            return False
        from derive.verify.indexed import Frame

        frame = Frame(self.context)
        try:
            return any(frame.mentions(self._expand(self._named(side))) for side in (lhs, rhs))
        except _MIXED:  # said by _indexed_link, which meets the same error
            return any(frame.mentions(side) for side in (lhs, rhs))

    # -- matrix claims: derive.verify.shapes ------------------------------------------------------

    def _reading_context(self, line: int, column: int) -> Context:
        """The context the step at (line, column) is read in: its reading's, else the file's,
        with each alias of an array declared as that array (W, meaning w ∈ ℝ^{d×1}, is read
        as a d×1 name and then replaced). The reading is kept for the step's matrix claims."""
        self._reading = None
        step = None
        for claim in self.document.claims:
            if (claim.line, claim.column) == (line, column):
                self._reading = self.document.reading_of(claim)
                step = claim.id
                break
        context = self.context if self._reading is None else \
            self._reading.context.with_families(*self.families)
        arrays = []
        for alias in self.all_aliases:
            target = context.symbols.get(alias.means)
            if (not alias.steps or step in alias.steps) and target is not None and \
                    target.shape is not None and alias.name not in context.symbols:
                arrays.append(replace(target, name=alias.name, entries=None))
        # an alias's names are names: NNL meaning NLL is one word, never N·N·L
        words = {name for alias in self.all_aliases for name in (alias.name, alias.means)
                 if name.isalpha() and len(name) > 1 and name not in context.symbols}
        arrays += [SymbolInfo(name) for name in sorted(words)
                   if name not in {info.name for info in arrays}]
        return context.with_symbols(*arrays) if arrays else context

    def _alias_pair(self, alias: Any) -> tuple[sp.Basic, sp.Basic]:
        """An alias as a replacement: two names, or two arrays when it names an array."""
        target = self.context.symbols.get(alias.means)
        if target is not None and target.shape is not None:
            array = self.context.matrix(alias.means)
            return sp.MatrixSymbol(alias.name, array.rows, array.cols), array
        return self.context.symbol(alias.name), self.context.symbol(alias.means)

    def _matrix_link(self, lhs: sp.Expr, rhs: sp.Expr,
                     assume: tuple[str, ...]) -> LinkReport | None:
        """A link that involves arrays, decided by derive.verify.shapes; None for any other link."""
        from derive.verify import shapes

        reading = getattr(self, "_reading", None)
        context = reading.context if reading is not None else self.context
        if not any(i.shape is not None or i.entries is not None
                   for i in context.symbols.values()):
            return None
        step_aliases = {str(k.name): str(v.name) for k, v in self.aliases.items()}
        lowering = self._matrix_lowering(step_aliases)
        frame = self._matrix_frame(context, reading)
        try:
            lhs, rhs = self._array_functions(lhs), self._array_functions(rhs)
        except NotDecidable as error:
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=str(error))
        try:
            left, right = lowering.lower(lhs), lowering.lower(rhs)
        except shapes.Unsupported as error:
            if {str(s) for side in (lhs, rhs) for s in side.free_symbols} & \
                    set(self.context.indices):
                return None  # the entry (i, j) in cases: index notation, value by value
            if lhs.atoms(sp.MatrixSymbol) or rhs.atoms(sp.MatrixSymbol):
                return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=str(error))
            return None
        if not (frame.mentions_arrays(left) or frame.mentions_arrays(right)):
            return None
        used = frame.used(left, right)
        # y₁ with y = softmax(z) not read: an entry of it is no free number either
        unread = sorted(set(frame.unread) & (used | {frame.defined_whole(n) for n in used}))
        if unread:  # without its definition a name would be a constant: never decide so
            name = unread[0]
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                f"the definition of {pretty_name(name)} is not read in a claim about arrays: "
                f"{frame.unread[name]}"))
        free = set().union(*(shapes.free_entry_indices(side, frame) for side in (left, right)))
        if free and free <= set(self.context.indices):
            return None  # ŷ_i with i free: every value of i, in index notation
        if free:
            letters = ", ".join(sorted(free))
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                f"an entry written with the index {letters}, which no sum binds: the claim is "
                f"about every value of {letters}; declare {letters} in [indices] to check it"))
        if self._remaining() <= 0:
            from derive.core.outcomes import Undecided

            return LinkReport(lhs, rhs, Verdict.UNDECIDED,
                              Undecided(("nothing",), "the run's total budget ran out"))
        deadline = time.monotonic() + self._remaining()
        try:
            conditions, unused = self._matrix_conditions(assume, context, lowering)
            verdict = shapes.Claim(left, right, frame, conditions, deadline).decide()
        except shapes.Unsupported as error:
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=str(error))
        except shapes.ShapeError as error:
            return LinkReport(lhs, rhs, Verdict.ILL_FORMED, message=str(error))
        if verdict.verdict == Verdict.REFUTED and unused:
            # the counterexample may break an assumption the claim is made under
            return LinkReport(lhs, rhs, Verdict.UNDECIDED, message=(
                f"false without the assumption {', '.join(unused)}, which a claim about "
                f"arrays cannot take in ({verdict.message or 'refuted'})"))
        return LinkReport(lhs, rhs, verdict.verdict, verdict.outcome,
                          verdict.assumption, verdict.message)

    def _matrix_lowering(self, aliases: Mapping[str, str]) -> Any:
        from derive.verify.shapes import Lowering

        return Lowering(aliases, dict(self.function_definitions),
                        frozenset(str(s.name) for s in self.definitions))

    def _matrix_frame(self, context: Context, reading: Any) -> Any:
        """The file's definitions (lowered) and matrix settings, for a claim in ``context``."""
        from derive.verify.shapes import Frame, Unsupported

        settings = reading.matrix if reading is not None else self.document.matrix
        global_aliases = {a.name: a.means for a in self.all_aliases if not a.steps}
        lowering = self._matrix_lowering(global_aliases)
        definitions = {}
        unread: dict[str, str] = {}
        for symbol, value in self.definitions.items():
            try:
                definitions[str(symbol.name)] = lowering.lower(value)
            except Unsupported as error:
                unread[str(symbol.name)] = str(error)
        if reading is not None:
            definitions.update(self._reading_definitions(reading, lowering))
        return Frame(context, definitions, layout=settings.layout or self.document.matrix.layout,
                     batch=settings.batch or self.document.matrix.batch,
                     sizes={**self.document.matrix.sizes, **settings.sizes},
                     varying=tuple(self.document.vary), unread=unread)

    def _reading_definitions(self, reading: Any, lowering: Any) -> dict[str, Any]:
        """A reading's own definitions (``[readings.NAME.definitions]``), read in it."""
        return {definition.name: lowering.lower(self._read_definition(definition,
                                                                      reading.context))
                for definition in reading.definitions}

    def _read_definition(self, definition: Any, context: Context) -> sp.Expr:
        """A definition the file supplies, read in ``context``; an error points into the
        file at the definition's own line and column."""
        from derive.read.latex import parse_expression

        try:
            return parse_expression(definition.latex, context, source=self.document.path)
        except ParseError as error:
            raise error.located(self.document.path, definition.line - 1,
                                definition.column - 1) from None

    def _matrix_conditions(self, assume: tuple[str, ...], context: Context,
                           lowering: Any) -> tuple[dict[str, sp.Expr], list[str]]:
        """``assume = ['x_0 = 1']`` as name → value, read in the step's context; and the
        assumptions a claim about arrays cannot use (``\\sum_i y_i = 1``, ``x < 0``)."""
        from derive.read.latex import is_order, parse_relation
        from derive.verify.shapes import Sym

        found: dict[str, sp.Expr] = {}
        unused: list[str] = []
        for text in assume:
            try:
                relation = None if is_order(text) else \
                    parse_relation(text, context, source=self.document.path)
            except ParseError:
                relation = None
            if relation is not None and len(relation.sides) == 2:
                name = lowering.lower(relation.sides[0])
                if isinstance(name, Sym) and not relation.sides[1].free_symbols:
                    found[name.name] = relation.sides[1]
                    continue
            unused.append(text)
        return found, unused

    def _step(self, claim: Claim, previous: sp.Expr | None) -> tuple[StepReport, Any]:
        started = time.monotonic()
        self._step_deadline = started + self.budget
        self.aliases = dict(self._alias_pair(a) for a in self.all_aliases
                            if not a.steps or claim.id in a.steps)
        try:
            relation = self._parse(claim.latex, claim.line, claim.column)
        except ParseError as error:
            self._unread_definition(claim)
            return StepReport(claim, Verdict.UNREADABLE, message=error.message, error=error), None
        if relation.conditions:  # "= αe^x \quad x < 0": the claim holds under its condition
            claim = replace(claim, assume=(*claim.assume, *relation.conditions))
        if relation.indices:  # k' read as q, running as k does: an index of this claim
            self.context = replace(self.context, indices={
                **self.context.indices, **{new: self.context.indices[old]
                                           for new, old in relation.indices
                                           if old in self.context.indices}})
            claim = replace(claim, assume=tuple(_primes_renamed(text, relation.indices)
                                                for text in claim.assume))
        bridged = ""
        named_in_words = ""
        # aliases are applied as the step is read, so a side carried to the next step keeps
        # the meaning it had here
        sides = [_renamed(side, self.aliases) for side in relation.sides]
        operators = list(relation.operators) or ["="] * max(len(sides) - 1, 0)
        if claim.lhs is not None:
            from derive.read.latex import parse_expression

            context = self._reading_context(claim.line, claim.column)
            try:
                written = parse_expression(claim.lhs, context, source=self.document.path)
            except ParseError as error:
                message = f"the step's lhs, column {error.column}: {error.message}"
                return StepReport(claim, Verdict.UNREADABLE, message=message), None
            sides.insert(0, _renamed(written, self.aliases))
        elif relation.continues and previous is None and self.last_side is None and \
                _named_in_words(relation.prose) and len(sides) == 1:
            # \text{Attention(Q, K, V)} = softmax(…)V: a quantity named in words, as the
            # document's first line; the chain starts at its formula
            named_in_words = _named_in_words(relation.prose)
            relation = replace(relation, continues=False, readings=(
                *relation.readings, f"'{named_in_words}' read as the name, in words, of "
                "the formula after '='"))
        elif relation.continues:
            if previous is None and self.last_side is None:
                message = "this line continues a line that could not be read"
                return StepReport(claim, Verdict.UNDECIDED, message=message), None
            if previous is None and self.last_side is not None:
                # every side of a chain is equal: a line after one that could not be read
                # is compared with the last side that could
                side, where = self.last_side
                sides.insert(0, side)
                bridged = (f"compared with the last side that could be read (step {where}): "
                           "the line before could not be read")
            else:
                sides.insert(0, previous)
        if self.context.upper_indices:
            # with the side the line continues or the lhs given: a letter free there is free
            sides = _summation_convention(sides, self.context)
        defines = ""
        introduced = self._introduced(claim, relation, sides)
        named_here = self._functions_introduced(claim, sides, operators)
        seen_before = set(self.seen)
        self.seen |= {name for side in sides for name in self._written_names(side)}
        if claim.kind in ("notation", "update"):
            what = "introduces notation" if claim.kind == "notation" else \
                "is an update (an assignment), not an equation"
            step = StepReport(claim, Verdict.DEFINITION, message=f"this line {what}; not checked")
            return step, sides[-1] if sides else previous
        softmax = self._sigma_as_softmax(claim, relation, sides)
        if softmax:
            # σ(A_i) = e^{A_i}/Σ_j e^{A_j}: the document's σ is the softmax from here on
            (argument,) = sides[0].args
            self.function_definitions["sigma"] = sp.Lambda((argument,), self._named(sides[1]))
            defines, sides, operators = "σ", sides[1:], operators[1:]
            relation = replace(relation, readings=(*relation.readings, softmax))
        elif named_in_words:
            defines = named_in_words.strip()
            if re.fullmatch(r"[A-Za-z]+", defines) and sides:
                # \text{residual} = y − ŷ: one word, a name later lines write upright
                self.definitions[self.context.symbol(defines)] = self._named(sides[0])
        elif claim.define or introduced:
            if len(sides) < 2:
                return StepReport(claim, Verdict.ILL_FORMED,
                                  message="a definition needs 'name = formula'"), None
            defined_side, formula = sides[0], sides[1]
            operand = _differentiated_formula(defined_side, formula)
            if operand is not None:  # ∂ℓ_j/∂p_j = ∂/∂p_j (−y_j log p_j): defines ℓ_j
                defined_side, formula = defined_side.expr, operand
            called = self._declared_call(claim, defined_side)
            if called is not None:  # z(w) = w·x with z declared a symbol: the function z
                defined_side = called
                relation = replace(relation, readings=(
                    *relation.readings, f"{math_text(called)} on the left of a definition read "
                    f"as the function {pretty_name(type(called).__name__)} of "
                    f"{pretty_name(str(called.args[0]))}, not a product"))
            name = _defined_name(defined_side)
            if name is None:
                self._unread_definition(claim)
                return StepReport(claim, Verdict.ILL_FORMED,
                                  message=f"{defined_side} cannot be defined: the left side "
                                  "must be a name"), None
            if isinstance(formula, SoftmaxOfEntries):  # y = softmax(z): its entries y_k
                entry = self._softmax_entries(name, formula.args[0])
                if entry is None:
                    self.unread.setdefault(name, claim.id)
                    return StepReport(claim, Verdict.DEFINITION, message=(
                        f"defines {pretty_name(name)} = softmax(…), whose entries are not "
                        "written out: no index letter gives their range")), None
                name, formula = entry
            value = self._named(formula)
            self.definitions[self.context.symbol(name)] = value
            arguments: tuple[sp.Basic, ...] = \
                defined_side.args if isinstance(defined_side, AppliedUndef) else ()
            arrays = {name for name, info in self.context.symbols.items()
                      if info.shape is not None}
            scalar = not value.atoms(sp.MatrixSymbol) and not arrays & {
                str(s) for s in (*arguments, *value.free_symbols)}
            # the arguments appear in the formula (or it is a constant, f(x) = 1): J(w) =
            # −(y log z + …), where w enters only through z's definition, stays the name J
            if arguments and scalar and claim.reading is None \
                    and all(isinstance(a, sp.Symbol) and
                            (a in value.free_symbols or not value.free_symbols)
                            for a in arguments) \
                    and len(set(arguments)) == len(arguments):
                # g(z) = …: g is a function, so g′(z) and g(2z) mean what they say
                self.function_definitions[name] = sp.Lambda(arguments, value)
            elif len(arguments) == 1 and isinstance(arguments[0], sp.MatrixSymbol) and \
                    value.has(arguments[0]) and claim.reading is None:
                # g(u) = uᵀu of a declared array u: as a proof file's [definitions] "g(u)"
                self.function_definitions[name] = sp.Lambda(arguments, value)
            else:
                self.function_definitions.pop(name, None)  # a later definition replaces it
            defines = name
            sides = sides[1:]
            operators = operators[1:]
        named_last = self._named_at_end(claim, sides, operators, seen_before)
        if named_last:  # ∂J/∂z = ŷ − y = δ₁: δ₁ names the value, it claims nothing
            self.definitions[self.context.symbol(named_last)] = self._named(sides[-2])
            self.function_definitions.pop(named_last, None)
            sides, operators = sides[:-1], operators[: len(sides) - 2]
            relation = replace(relation, readings=(
                *relation.readings, f"{pretty_name(named_last)}, written for the first time "
                "at the end of the chain, read as the name of the side before it"))
            defines = defines or named_last
        # a line may end in a dangling '=' (document 002's "= \quad (6)")
        operators = (operators + ["="] * len(sides))[: max(len(sides) - 1, 0)]
        substituted = self._functions_substituted(claim, sides, operators)
        if substituted:
            named_here = [*named_here, substituted[1]]
            defines = defines or substituted[0]
        if not (relation.continues and claim.lhs is None) and sides:
            self.chain = _Chain(sides[0], claim.id)  # a new chain starts with this line
        if not defines:
            self._note_substitutions(claim, sides, operators, seen_before)
        if self._replay is not None:
            # the same step after the same lines, kept by an earlier run: its verdicts stand;
            # everything above ran again, so what it defines is defined here too
            return self._replay, sides[-1] if sides else previous
        continued = relation.continues and claim.lhs is None
        written = _SidesWritten(
            claim, self._previous_claim if continued and not bridged else None,
            dropped=len(relation.sides) + continued - len(sides))
        links = tuple(self._as_scalars(self._judged(self._compare(a, b, claim.assume, op),
                                                    claim), written, k)
                      for k, (a, b, op) in enumerate(zip(sides[:-1], sides[1:], operators,
                                                         strict=True))
                      if op)  # '' joins two chains of an aligned block: nothing to check
        links = self._fresh_names_undecided(links, seen_before)
        links = _premised_in_words(links, claim.words or claim.label)
        links = self._unread_names_undecided(links)
        links = _summation_convention_undecided(links)
        links = self._one_sided_names_undecided(links)
        links = self._whole_and_entries_undecided(links)
        links = self._one_name_for_another_undecided(links)
        links = self._merged_styles_undecided(links, relation.readings)
        links = _colon_products_undecided(links, relation.readings)
        links = _stationary_condition_undecided(links, relation.readings)
        links = self._substituted_names_undecided(links, claim)
        named_rule, used_rule = self._rules(claim, links)
        message = ""
        if links:
            verdict = worst(link.verdict for link in links)
        elif defines:
            verdict = Verdict.DEFINITION
        elif len(sides) == 1:
            verdict = Verdict.DEFINITION
            message = "an expression, not a claim: the chain starts here"
        else:
            verdict = Verdict.UNDECIDED
        if bridged:
            message = f"{message}; {bridged}" if message else bridged
        readings = (*relation.readings, *named_here)
        if introduced:
            readings = (*readings, f"{introduced} is written here for the first time: "
                        f"'{introduced} = …' read as its definition")
        if readings:
            said = "; ".join(readings)
            message = f"{message}; {said}" if message else said
        report = StepReport(claim, verdict, links, message=message, defines=defines,
                            seconds=time.monotonic() - started, named_rule=named_rule,
                            used_rule=used_rule, readings=readings)
        return report, sides[-1]

    def _fresh_names_undecided(self, links: tuple[LinkReport, ...],
                               seen_before: set[str]) -> tuple[LinkReport, ...]:
        """A refuted link one of whose sides writes names nothing before it wrote, declared or
        defined (y = (u − v)/(u + v), u and v named in words), while the other writes none:
        its counterexample gives them values the text never meant. Undecided, said."""
        known = seen_before | self._declared_names()
        result = []
        for link in links:
            if link.verdict == Verdict.REFUTED and link.rhs is not None:
                names = [self._written_names(side) for side in (link.lhs, link.rhs)]
                left, right = (side - known - _entries_of_known(side, known)
                               for side in names)
                # the other side writes names, every one of them known: y = (u − v)/(u + v)
                other = names[0] if right else names[1]
                fresh = sorted(left | right) if bool(left) != bool(right) and other else []
                if fresh:
                    shown = ", ".join(pretty_name(name) for name in fresh)
                    one = len(fresh) == 1
                    message = (f"{shown} {'is' if one else 'are'} written here for the first "
                               "time and defined nowhere: the claim holds or fails with what "
                               f"the text means by {'it' if one else 'them'} (a substitution "
                               f"said in words?); declare or define {'it' if one else 'them'} "
                               "to check it")
                    link = replace(link, verdict=Verdict.UNDECIDED, message=message,
                                   outcome=None, diagnosis=None)
            known |= self._written_names(link.lhs) | (
                self._written_names(link.rhs) if link.rhs is not None else set())
            result.append(link)
        return tuple(result)

    def _note_substitutions(self, claim: Claim, sides: Sequence[sp.Expr],
                            operators: Sequence[str], seen_before: set[str]) -> None:
        """Record the names a link of a claim brings in on one side only, beside names the
        other side alone writes (−y log p − … = −y log σ(x) − …, x new): the text relates x
        to p without saying how."""
        known = seen_before | self._declared_names() | self._names_defined_with()
        for a, b, op in zip(sides[:-1], sides[1:], operators, strict=False):
            if op != "=" or not all(isinstance(side, sp.Basic) for side in (a, b)):
                continue
            names = [self._written_names(a), self._written_names(b)]
            fresh = [side - known - _entries_of_known(side, known) for side in names]
            if bool(fresh[0]) == bool(fresh[1]):
                continue
            new, old = (fresh[1], names[0]) if fresh[1] else (fresh[0], names[1])
            # a name the other side writes through its definitions is no newcomer
            new = new - self._written_names(self._written_out(a if fresh[1] else b))
            partners = frozenset(old - (names[0] & names[1]))
            if new and partners:
                for name in sorted(new):
                    self.substituted.setdefault(name, (claim.id, partners))
            known |= names[0] | names[1]

    def _names_defined_with(self) -> set[str]:
        """The names the definitions so far write in their formulas."""
        names = {str(getattr(symbol, "name", symbol))
                 for value in self.definitions.values() for symbol in value.free_symbols}
        return names | {str(symbol) for function in self.function_definitions.values()
                        for symbol in function.expr.free_symbols}

    def _substituted_names_undecided(self, links: tuple[LinkReport, ...], claim: Claim
                                     ) -> tuple[LinkReport, ...]:
        """A refuted link that writes, or whose definitions write, a name an earlier step
        brought in by a substitution it did not state (x in place of p) together with a name
        it stands in for: its counterexample gives the two values the text relates.
        Undecided, said."""
        # this claim's own substitutions too: a later link of its chain may write both names
        earlier = dict(self.substituted)
        if not earlier:
            return links

        def reason(link: LinkReport) -> str:
            assert link.rhs is not None
            names: set[str] = set()
            for side in (link.lhs, link.rhs):
                names |= self._written_names(side) | self._written_names(self._written_out(side))
            for name, (step, partners) in sorted(earlier.items()):
                if name in names and partners & names:
                    stood = ", ".join(pretty_name(p) for p in sorted(partners & names))
                    return (f"false as written, but step {step} brought in "
                            f"{pretty_name(name)} in place of {stood} without saying how they "
                            "are related: the claim may hold under that relation; define "
                            f"{pretty_name(name)} to check it")
            return ""

        return _undecided_where(links, reason)

    def _whole_and_entries_undecided(self, links: tuple[LinkReport, ...]
                                     ) -> tuple[LinkReport, ...]:
        """A refuted link that writes a name whole and, itself or through its definitions, by
        its entries (λθᵀθ/2m against J's λΣⱼθⱼ²/2m), the name written as an array but given
        no shape: read as a number, θ is unrelated to its entries θⱼ, so the counterexample
        gives values the text ties together. Undecided, said."""
        def reason(link: LinkReport) -> str:
            names: set[str] = set()
            bases: set[str] = set()
            kept: set[str] = set()  # the names left once the definitions are written out
            for side in (link.lhs, link.rhs):
                for written in (side, self._written_out(side)):
                    if not isinstance(written, sp.Basic):
                        continue
                    found = {s.name for s in written.free_symbols if isinstance(s, sp.Symbol)}
                    names |= found
                    kept |= found if written is not side else set()
                    bases |= {str(e.base.label) for e in written.atoms(sp.Indexed)}
            both = sorted(n for n in names & bases if n in self.document.scalar_readings)
            # a and a₁ both left once written out (|a| beside b₁/|a||b|): a vector and its
            # entries, unless the file gives a its own shape or domain (f(x) = log Σ e^{x_i}
            # writes x away)
            entries = {name.partition("_")[0] for name in kept if "_" in name}
            both += sorted(n for n in kept & entries
                           if len(n) == 1 and n not in self.context.symbols and
                           n not in self.context.indices and n not in both)
            if not both:
                return ""
            shown = pretty_name(both[0])
            return (f"{shown} is written whole and by its entries ({shown}ⱼ), with no shape: "
                    f"read as a number it is unrelated to them; give {shown} its shape to "
                    "check it")

        return _undecided_where(links, reason)

    def _one_name_for_another_undecided(self, links: tuple[LinkReport, ...]
                                        ) -> tuple[LinkReport, ...]:
        """A refuted link whose sides differ by one name for another, the first defined
        nowhere ((ŷ − y)O₂ = (O₃ − y)O₂, ŷ never defined), and that holds with the one
        written for the other: the text relates them without an equation (ŷ is the network's
        output O₃). Undecided, said; a name the file declares or defines is never so read."""
        from derive.decide.equivalence import compare

        def reason(link: LinkReport) -> str:
            sides = (link.lhs, link.rhs)
            if not all(isinstance(side, sp.Expr) and not _is_matrix(side) for side in sides):
                return ""
            assert isinstance(link.lhs, sp.Expr) and isinstance(link.rhs, sp.Expr)
            left = {s for s in link.lhs.free_symbols if isinstance(s, sp.Symbol)}
            right = {s for s in link.rhs.free_symbols if isinstance(s, sp.Symbol)}
            # known: declared, or defined (by the file or by a step read before this one)
            known = self._declared_names() | {s.name for s in self.definitions}
            unknown = {s for s in left | right if s.name not in known}
            swaps: list[tuple[sp.Symbol, sp.Symbol, sp.Expr, sp.Expr]] = []
            if len(left - right) == 1 and len(right - left) == 1:
                (a,), (b,) = left - right, right - left
                swaps = [(a, b, link.lhs, link.rhs), (b, a, link.rhs, link.lhs)]
            for only, other_names, side, other in ((left - right, right - left, link.lhs,
                                                    link.rhs),
                                                   (right - left, left - right, link.rhs,
                                                    link.lhs)):
                # (ŷ − y)O₃ = (O₃ − y)O₃: ŷ alone on one side, O₃ written on both
                if len(only) == 1 and not other_names:
                    swaps += [(next(iter(only)), new, side, other)
                              for new in sorted(left & right - unknown, key=str)]
            for old, new, side, other in swaps:
                if old not in unknown or (new in unknown and new.name not in self.unread) or \
                        self._remaining() <= 0 or old.name in self._written_names(
                            self._written_out(new)):
                    continue  # f = a with f = a + b: a is in f, not another name for it
                try:
                    outcome = compare(side.xreplace({old: new}), other,
                                      budget=min(1.0, self._remaining()))
                except BudgetExceeded:
                    raise
                except Exception:  # a side that cannot be compared so: no such reading
                    continue
                if verdict_of(outcome).holds:
                    return (f"false as written, but it holds with {pretty_name(old.name)} = "
                            f"{pretty_name(new.name)}: {pretty_name(old.name)}, defined "
                            f"nowhere, may be {pretty_name(new.name)} in the text's words; "
                            f"define {pretty_name(old.name)} to check it")
            return ""

        return _undecided_where(links, reason)

    def _one_sided_names_undecided(self, links: tuple[LinkReport, ...]
                                   ) -> tuple[LinkReport, ...]:
        """A refuted link one of whose sides is a name, or a power of it (s², s^i), that
        nothing declares or defines, no definition writes and the other side does not write
        (s² = e^{2z}/Σ, the post's second entry of s): the line may define it, so a value
        given to it is no counterexample. Undecided, said."""
        used = self._names_defined_with()

        def alone(side: sp.Expr) -> str | None:
            # s², or s^i with a letter for the power: the document's i-th entry of s?
            base = side.base if isinstance(side, sp.Pow) and \
                (side.exp.is_number or isinstance(side.exp, sp.Symbol)) else side
            if not isinstance(base, sp.Symbol | sp.Indexed):
                return None
            name = str(base.base.label) if isinstance(base, sp.Indexed) else base.name
            declared = self._declared_names()
            if name in used or name in declared or _entries_of_known({name}, declared):
                return None  # V_nb of a declared V is an entry, not a name apart
            return name

        def reason(link: LinkReport) -> str:
            assert link.rhs is not None
            for side, other in ((link.lhs, link.rhs), (link.rhs, link.lhs)):
                name = alone(side)
                if name is not None and name not in self._written_names(other):
                    shown = pretty_name(str(side)) if isinstance(side, sp.Symbol) else \
                        math_text(side)
                    return (f"false as written, but {shown} writes a name that nothing "
                            "defines, on one side only: the line may define it (an entry, "
                            "written as a power?); define or declare it to check it")
            return ""

        return _undecided_where(links, reason)

    def _merged_styles_undecided(self, links: tuple[LinkReport, ...],
                                 readings: Sequence[str]) -> tuple[LinkReport, ...]:
        """A refuted link of a line that reads \\mathcal{L} as L, in a document that writes both
        forms without relating them: ℒ may be a name apart (a total of the Ls), so the
        refutation may come from the reading. Undecided, said."""
        merged = [letter for letter in sorted(self.document.merged_styles)
                  if any(f"{{{letter}}} read as {letter}, the same name" in r for r in readings)]
        if not merged:
            return links
        letter = merged[0]
        return _undecided_where(links, lambda _: (
            f"false as written, but the line reads \\mathcal{{{letter}}} as {letter}, and the "
            f"document writes both: if they are two names (ℒ a total of the {letter}s?) the "
            "claim may hold; write one of them, or relate them in a line, to check it"))

    def _declared_names(self) -> set[str]:
        """The names the file declares or defines so far: symbols, indices and their
        counts, the sizes of the shapes, definitions, functions and the arguments their
        definitions name (the x⁽ⁱ⁾ of h_θ(x⁽ⁱ⁾) = …)."""
        sizes = {symbol.name for info in self.context.symbols.values()
                 for size in info.shape or () for symbol in size_expression(size).free_symbols}
        arguments = {str(v) for f in self.function_definitions.values() for v in f.variables}
        return {*self.context.symbols, *self.context.indices, *self.context.indices.values(),
                *sizes, *self.document.matrix.sizes, *arguments,
                *(str(s) for s in self.definitions), *self.function_definitions}

    def _unread_definition(self, claim: Claim) -> None:
        """A step that could not be read but whose left side is a name (``z = θ₀ + θ₁x₁ +
        ....``) defines that name, in words the reader could not follow: noted, so that no
        later claim about the name is refuted as if the name were free."""
        from derive.read.latex import parse_name

        left = _NAME_DEFINED.match(claim.latex)
        if left is None or claim.kind not in ("claim", "definition"):
            return
        try:
            name = parse_name(left.group(1), self._reading_context(claim.line, claim.column))
        except DeriveError:
            return
        if self.context.symbol(name) not in self.definitions and \
                name not in self.function_definitions:
            self.unread.setdefault(name, claim.id)

    def _unread_names_undecided(self, links: tuple[LinkReport, ...]) -> tuple[LinkReport, ...]:
        """A refuted or ill-formed link about a name an unreadable step defines is
        undecided: its counterexample gives the name a value the definition may forbid, and
        the name is not undefined."""
        if not self.unread:
            return links

        def reason(link: LinkReport) -> str:
            assert link.rhs is not None
            written = self._written_names(link.lhs) | self._written_names(link.rhs)
            # y_j, an entry of y, which a line that could not be read defines
            written |= {base for name in written
                        if (base := _family_base(sp.Symbol(name))) is not None}
            # Z_j, defined by a line not taken in, is written Z_1 or Z[1] at an instance
            named = sorted(name for name in self.unread if name in written or
                           _family_base(sp.Symbol(name)) in written)
            if not named:
                return ""
            steps = ", ".join(f"{pretty_name(n)} (step {self.unread[n]})" for n in named)
            return (f"{link.verdict} with {', '.join(pretty_name(n) for n in named)} free, but "
                    f"a step whose definition could not be taken in defines it: {steps}; the "
                    "claim holds or fails with that definition")

        return _undecided_where(links, reason, (Verdict.REFUTED, Verdict.ILL_FORMED))

    @staticmethod
    def _written_names(side: sp.Basic) -> set[str]:
        names = {str(getattr(symbol, "name", symbol)) for symbol in side.free_symbols}
        return names | {type(call).__name__ for call in side.atoms(AppliedUndef)}

    def _sigma_as_softmax(self, claim: Claim, relation: Any, sides: Sequence[sp.Expr]) -> str:
        """``\\sigma(A_i) = \\frac{e^{A_i}}{\\sum_j e^{A_j}}``: a document that writes σ of an
        entry as a sum over the entries' exponentials names the softmax σ (the logistic
        function is never a sum over a family). The reading said, or '' for any other line."""
        if claim.kind not in ("claim", "definition") or relation.continues or \
                claim.lhs is not None or len(sides) < 2 or "sigma" in self.function_definitions:
            return ""
        call, formula = sides[0], sides[1]
        if type(call).__name__ != "sigmoid" or len(call.args) != 1:
            return ""
        base = _family_base(call.args[0])
        if base is None:
            return ""
        sums = [node for node in formula.atoms(sp.Sum) if any(
            _family_base(entry) == base for power in node.function.atoms(sp.exp)
            for entry in (*power.atoms(sp.Indexed), *power.free_symbols))]
        if not sums:
            return ""
        return (f"{math_text(call)} = {math_text(formula)} is the softmax: σ is the "
                "document's softmax from here on, not the logistic function")

    def _functions_introduced(self, claim: Claim, sides: Sequence[sp.Expr],
                              operators: Sequence[str]) -> list[str]:
        """``y = softplus(x) = f(x) = \\log(1 + e^{x})``: a function the file neither declares
        nor defines, applied to names, written for the first time inside a chain, is named by
        the side after it; the links around it are checked with that definition. The
        readings said."""
        said: list[str] = []
        for k in reversed(range(1, len(sides) - 1)):  # g(x) = f(x) = formula: f first
            call, formula = sides[k], self._named(sides[k + 1])
            if claim.kind not in ("claim", "definition") or operators[k:k + 1] != ["="] or \
                    not isinstance(call, AppliedUndef):
                continue
            name = type(call).__name__
            arguments = call.args
            if name in self.function_definitions or name in self.seen or \
                    name in self.context.symbols or formula.has(type(call)):
                continue
            # ∇f(x) = S(x) = [e^{x_i}/Σ_j e^{x_j}]ᵢ of a declared vector x: S is that formula,
            # as a definition S(x) = … of a function of an array is read
            of_array = len(arguments) == 1 and isinstance(arguments[0], sp.MatrixSymbol) and \
                self.context.symbol(name) not in self.definitions and bool(formula.free_symbols)
            if not of_array and (
                    not all(isinstance(a, sp.Symbol) for a in arguments) or
                    len(set(arguments)) != len(arguments) or
                    not formula.free_symbols <= set(arguments) | self._constants(formula)):
                continue
            self.function_definitions[name] = sp.Lambda(arguments, formula)
            said.insert(0, f"{math_text(call)} is written here for the first time: read as the "
                        f"side after it, {math_text(call)} = {math_text(formula)}")
        return said

    def _functions_substituted(self, claim: Claim, sides: Sequence[sp.Expr],
                               operators: list[str]) -> tuple[str, str] | None:
        """∂/∂θ (Σ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)²) = ∂/∂θ (Σ (θ₀ + θ₁x⁽ⁱ⁾ − y⁽ⁱ⁾)²), h_θ defined nowhere:
        the line says what h_θ is by writing it out in its place, so the link defines
        h_θ(x) = θ₀ + θ₁x (not checked: it is true by that reading) and later lines use it.
        Only where the two sides are the same but for the one call, the formula in its place
        writes its argument (and the parameter that names the function, h_θ: θ or θ_j), and
        nothing defines the function nor declares it arbitrary. (name, reading said), or None;
        ``operators`` is updated (the link is not checked)."""
        if claim.kind != "claim":
            return None
        for k, (a, b) in enumerate(itertools.pairwise(sides)):
            if operators[k] != "=" or not all(isinstance(side, sp.Expr) for side in (a, b)):
                continue
            calls = {c for c in a.atoms(AppliedUndef)
                     if type(c).__name__ not in self.function_definitions and
                     type(c).__name__ not in self.context.arbitrary and
                     self.context.symbol(type(c).__name__) not in self.definitions}
            if len(calls) != 1:
                continue
            (call,) = calls
            if not all(isinstance(x, sp.Symbol) for x in call.args) or \
                    len(set(call.args)) != len(call.args) or b.has(type(call)):
                continue
            stand_in = sp.Wild("formula")
            found = b.match(a.xreplace({call: stand_in}))
            formula = found.get(stand_in) if found else None
            if formula is None or formula.has(sp.Derivative) or formula.has(type(call)) or \
                    not formula.free_symbols & set(call.args):
                continue
            name = type(call).__name__
            parameter = name.partition("_")[2]
            if parameter and not any(str(x) == parameter or str(x).startswith(parameter + "_")
                                     for x in formula.free_symbols):
                continue  # h_θ(x) named by θ: a formula without θ is not what it stands for
            self.function_definitions[name] = sp.Lambda(call.args, formula)
            operators[k] = ""
            if a == call:  # h(x) = formula, h written before but defined nowhere
                return name, (f"{math_text(call)} = {math_text(formula)} read as its "
                              "definition: nothing defines it otherwise")
            return name, (f"{math_text(call)} is written out in its place on the next side: "
                          f"read as its definition, {math_text(call)} = {math_text(formula)} "
                          "(that link is not checked)")
        return None

    def _constants(self, formula: sp.Expr) -> set[sp.Basic]:
        """The symbols of a formula the file declares (parameters a function may use)."""
        return {s for s in formula.free_symbols if str(s) in self.context.symbols}

    def _named_at_end(self, claim: Claim, sides: Sequence[sp.Expr], operators: Sequence[str],
                      seen_before: set[str]) -> str:
        """The name a chain's last side introduces (``∂J/∂z₂ = ŷ − y = δ₁``, δ₁ written for the
        first time, declared and defined nowhere, after at least one link): the name of the
        side before it. '' for any other line."""
        if claim.kind != "claim" or claim.define or len(sides) < 3 or \
                not isinstance(sides[-1], sp.Symbol) or operators[len(sides) - 2:] != ["="]:
            return ""
        name = str(sides[-1].name)
        if not self._written_first(name, seen_before) or \
                any(sides[-1] in side.free_symbols for side in sides[:-1]):
            return ""
        return name

    def _written_first(self, name: str, seen: set[str]) -> bool:
        """Whether a name is new here: no line so far wrote it, and the file neither declares,
        defines nor aliases it or a name of its family (L_i beside a declared L_j)."""
        declared = {*self._declared_names(), *(a.name for a in self.all_aliases),
                    *(a.means for a in self.all_aliases)}
        bases = {n.partition("_")[0] for n in declared if "_" in n}
        return name not in declared and name not in seen and \
            name.partition("_")[0] not in bases

    def _introduced(self, claim: Claim, relation: Any, sides: Sequence[sp.Expr]) -> str:
        """The name a chain's first side introduces (``L_i = −log(…) = …``, L_i written for the
        first time, declared and defined nowhere): that link is its definition, not a claim
        about a free name. '' for any other line."""
        if claim.kind != "claim" or claim.define or claim.lhs is not None or \
                relation.continues or len(sides) < 2 or not isinstance(sides[0], sp.Symbol):
            return ""
        name = str(sides[0].name)
        if not self._written_first(name, self.seen) or sides[0] in sides[1].free_symbols:
            return ""
        if power_on_left(claim.latex, name) or self._whole_array_of(sides[0]) is not None:
            return ""  # y_i = … with y = softmax(z) defined whole: a claim about its entry
        return name

    # -- naming the mistake -------------------------------------------------------------

    def _as_scalars(self, link: LinkReport, origin: _SidesWritten | None = None,
                    index: int = 0) -> LinkReport:
        """A claim that holds only because names written as arrays were read as scalars (the
        document gives them no shape) holds under that reading: conditional, never proved;
        unless the shapes its own products force decide it as a claim about arrays."""
        guessed = self.document.scalar_readings
        if not guessed or not link.verdict.holds:
            return link
        sides = [side for side in (link.lhs, link.rhs) if isinstance(side, sp.Basic)]
        written = {str(s.name) for side in sides for s in side.free_symbols
                   if isinstance(s, sp.Symbol)}
        if not guessed & written:
            return link
        # a name its definitions write out (f(x) = log Σ e^{x_i}: x is gone) is no condition
        names = written & {str(s.name) for side in sides
                           for s in self._written_out(side).free_symbols
                           if isinstance(s, sp.Symbol)}
        used = sorted(guessed & names)
        if not used:
            return link
        if origin is not None:
            shaped = self._with_solved_shapes(link, origin, index, used)
            if shaped is not None:
                return shaped
        reading = f"{', '.join(used)} {'is a scalar' if len(used) == 1 else 'are scalars'}"
        return replace(link, verdict=Verdict.CONDITIONAL, assumption=reading,
                       message=f"holds if {reading}: the document writes them as arrays but "
                               "gives no shape, and a claim about matrices can fail where the "
                               "scalar one holds (the order of a product, a transpose)")

    def _with_solved_shapes(self, link: LinkReport, origin: _SidesWritten, index: int,
                            names: Sequence[str]) -> LinkReport | None:
        """The link read again with the shapes its products, sums and derivatives force on
        the names written as arrays (``derive.verify.shapes.solving``), and decided as a
        claim about arrays: said with the shapes taken. Ill-formed when only 1×1 shapes fit
        (the names are arrays only in form). None when it cannot be read so or stays
        undecided: the scalar reading's conditional verdict stands."""
        from derive.read.latex import parse_relation
        from derive.verify import shapes
        from derive.verify.shapes.solving import Unsolvable, solve

        names = [name for name in names if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)]
        if not names or self.context.upper_indices or \
                getattr(self, "_reading", None) is not None or self._remaining() <= 0:
            return None

        def sides_in(context: Context) -> tuple[sp.Expr, sp.Expr] | None:
            found: list[sp.Expr] = []
            try:
                if origin.previous_claim is not None:
                    before = parse_relation(origin.previous_claim.latex, context,
                                            source=self.document.path)
                    found.append(before.sides[-1])
                found.extend(parse_relation(origin.claim.latex, context,
                                            source=self.document.path).sides)
            except DeriveError:
                return None
            found = [_renamed(side, self.aliases) for side in found[origin.dropped:]]
            if index + 1 >= len(found):
                return None
            return found[index], found[index + 1]

        unknown = self.context.with_symbols(*(
            SymbolInfo(name, self.context.domain_of(self.context.symbol(name)),
                       shape=(f"rows_{name}", f"cols_{name}")) for name in names))
        read = sides_in(unknown)
        defined = {str(s.name) for s in self.definitions} | set(self.function_definitions)
        if read is None or any(n in defined for side in read for n in self._written_names(side)) \
                or any(side.atoms(AppliedUndef) for side in read):
            return None  # a definition read as scalars, or a function: its shape is unknown
        lowering = self._matrix_lowering({str(k.name): str(v.name)
                                          for k, v in self.aliases.items()})
        try:
            left, right = (lowering.lower(side) for side in read)
            frame = self._matrix_frame(unknown, None)
        except (shapes.Unsupported, DeriveError):
            return None
        taken = sorted({str(s) for side in read for s in side.free_symbols})
        found: list[Any] = []
        for gradients in (True, False):  # ∂/∂X of XᵀAX: a gradient first, else a Jacobian
            with contextlib.suppress(Unsolvable):
                found.append(solve(left, right, frame, names, taken, gradients=gradients))
        arrays = [solved for solved in found if not solved.scalars]
        if not arrays:
            others = {name for side in read for name in self._written_names(side)} - \
                set(names) - set(self.context.indices) - set(self.document.matrix.sizes)
            if not found or others:
                return None  # θᵀx with x written as a scalar: x may be the vector meant
            forced = found[0].scalars
            return replace(link, verdict=Verdict.ILL_FORMED, assumption="", message=(
                f"{', '.join(forced)} {'is' if len(forced) == 1 else 'are'} written as "
                f"{'an array' if len(forced) == 1 else 'arrays'}, but only as 1×1 do this "
                "claim's products, sums and two sides agree: as arrays of any larger size it "
                "has no meaning"))
        solved = arrays[0]
        decided = self._decided_at(solved, sides_in, origin.claim.assume)
        if decided is not None and decided.verdict == Verdict.REFUTED and solved.free:
            # a size nothing fixed was chosen: refuted only if it fails where those are 1 too
            columns = solved.free_as_one()
            again = None if columns.all_scalars else \
                self._decided_at(columns, sides_in, origin.claim.assume)
            if again is None or again.verdict != Verdict.REFUTED:
                return None
        if decided is None or decided.verdict in (Verdict.UNDECIDED, Verdict.UNREADABLE):
            return None
        if decided.verdict == Verdict.ILL_FORMED and any(
                words in decided.message for words in ("does not depend on", "is not defined")):
            return None  # about what the names mean, which the scalar reading settled
        said = ", ".join(f"{pretty_name(name)} {'×'.join(shape)}"
                         for name, shape in sorted(solved.shapes.items()))
        reading = (f"shapes taken from the claim itself, the document giving none: {said} "
                   "(its products and sums force them; a lower-case name is a column)")
        return replace(decided, lhs=link.lhs, rhs=link.rhs,
                       message=f"{decided.message}; {reading}" if decided.message else reading)

    def _decided_at(self, solved: Any, sides_in: Callable[[Context], Any],
                    assume: tuple[str, ...]) -> LinkReport | None:
        """A link read again with the solved shapes declared, decided as a claim about
        arrays; None when it cannot be read so."""
        shaped = self.context.with_symbols(*(
            SymbolInfo(name, self.context.domain_of(self.context.symbol(name)), shape=shape)
            for name, shape in solved.shapes.items()))
        read = sides_in(shaped)
        if read is None:
            return None
        instance = copy.copy(self)
        instance.context = shaped
        return instance._matrix_link(read[0], read[1], assume)

    def _written_out(self, side: sp.Basic) -> sp.Basic:
        """A side with the document's definitions written out (f(x) = log Σ e^{x_i} no longer
        writes x), or as it is when that fails."""
        try:
            return self._expand(self._named(side))
        except BudgetExceeded:
            raise
        except Exception:  # a side the definitions cannot be applied to is kept as written
            return side

    def _judged(self, link: LinkReport, claim: Claim) -> LinkReport:
        """A link judged against its neighbour and, once the chain has gone wrong, against
        the start of the chain: a right line after a wrong one is said to be right, and the
        line where the chain went wrong is named, instead of advice to repeat the mistake."""
        chain = self.chain
        if link.verdict != Verdict.REFUTED or link.operator != "=" or chain is None:
            return self._diagnosed(link)
        if chain.broken_at is None:
            self.chain = replace(chain, broken_at=claim.id)
            return self._diagnosed(link)
        if self._remaining() <= 0:
            return link
        against_start = self._compare(chain.start, link.rhs, claim.assume, "=")
        if not against_start.verdict.holds:
            return self._diagnosed(link)
        message = (f"this side is right: it equals the start of the chain (step "
                   f"{chain.started_at}); the chain went wrong at step {chain.broken_at}, and "
                   "this line does not follow from the wrong one before it")
        return replace(link, message=message)

    def _diagnosed(self, link: LinkReport) -> LinkReport:
        """A refuted equality, with the mal-rule that reproduces it when one does."""
        if link.verdict != Verdict.REFUTED or link.operator != "=" or self._remaining() <= 0:
            return link
        if self._in_index_notation(link.lhs, link.rhs):  # the mal-rules work on scalars
            return link
        from derive.verify.diagnose import explain

        lhs, rhs = self._named(link.lhs), self._named(link.rhs)
        values = [n for n in (lhs.atoms(sp.Subs) | rhs.atoms(sp.Subs)) if stood_in(n)]
        if len(values) == 1:
            # ∂L/∂σ(z) = …: the mal-rules look for the slip in the derivative by u = σ(z),
            # with σ(z) written u on both sides (u shows as σ(z))
            (node,) = values
            (variable,), (value,) = node.variables, node.point
            written = self._written_by_value(node, node.expr.expr.xreplace({variable: value}))
            if written is None:
                return link
            by_name = sp.Derivative(written, *node.expr.variable_count, evaluate=False)
            lhs, rhs = (side.xreplace({node: by_name}).xreplace({value: variable})
                        for side in (lhs, rhs))
        diagnosis = explain(lhs, rhs, expand=self._expand, domains=self.context.domains(),
                            budget=min(1.0, self._remaining()))
        return replace(link, diagnosis=diagnosis) if diagnosis is not None else link

    def _rules(self, claim: Claim, links: tuple[LinkReport, ...]) -> tuple[str | None, str | None]:
        """The rule the step's label names, and the rule that takes the step (only looked
        for when the label names one, and the step holds)."""
        from derive.verify.diagnose import justifying_rule, rule_named, takes_step

        named = rule_named(claim.label) if claim.label else None
        if named is None or not links or not links[0].verdict.holds:
            return named, None
        if self._in_index_notation(links[0].lhs, links[0].rhs):
            return named, None
        previous, claimed = self._named(links[0].lhs), self._named(links[0].rhs)
        if takes_step(named, previous, claimed, expand=self._expand,
                      domains=self.context.domains(), budget=min(1.0, self._remaining())):
            return named, named
        used = justifying_rule(previous, claimed, expand=self._expand,
                               domains=self.context.domains(),
                               budget=min(2.0, self._remaining()))
        return named, used

    def _cancelling(self, steps: list[StepReport]) -> list[StepReport]:
        """Two refuted equalities in a row whose slips cancel: the line after the second is
        right again. Each is marked, so the report can say so."""
        from derive.decide.equivalence import compare

        places = [(i, j) for i, step in enumerate(steps) for j in range(len(step.links))]
        marked: set[tuple[int, int]] = set()
        for (i, j), (k, m) in itertools.pairwise(places):
            first, second = steps[i].links[j], steps[k].links[m]
            if first.verdict != Verdict.REFUTED or second.verdict != Verdict.REFUTED:
                continue
            if self._in_index_notation(first.lhs, second.rhs):  # not instantiated here
                continue
            try:
                left, right = self._values(first.lhs, second.rhs)
                assert right is not None
                outcome = compare(left, right,
                                  self.context.domains(), budget=min(2.0, self._remaining()))
            except (IllFormed, ValueError, TypeError):
                continue
            if verdict_of(outcome).holds:
                marked |= {(i, j), (k, m)}
        if not marked:
            return steps
        for i, j in marked:
            link = steps[i].links[j]
            if link.message.startswith("this side is right"):
                continue  # said already, with the step where the chain went wrong
            note = "this slip and its neighbour's cancel: the line after them is right again"
            new = replace(link, message=f"{link.message}; {note}" if link.message else note)
            links = list(steps[i].links)
            links[j] = new
            steps[i] = replace(steps[i], links=tuple(links))
        return steps

    def run(self) -> DocumentReport:
        self._load_definitions()
        steps = []
        previous: sp.Expr | None = None
        header = self._header_key()
        for done, claim in enumerate(self.document.claims):
            if self.progress is not None:
                self.progress(self.document.path, done, len(self.document.claims))
            try:
                key = self._step_key(header, claim, previous)
            except Exception:  # a step that cannot be keyed is decided, never lost
                key = None
            entry = cache.recall("step", key) if key is not None else None
            kept: tuple[StepReport, tuple[str, ...], str | None] | None = \
                entry if _is_kept_step(entry, claim) else None
            self._replay = kept[0] if kept is not None else None
            assumed, ran_out = len(self.assumed), BudgetExceeded.made
            context = self.context  # a step may add index letters of its own (k' → q)
            try:
                report, previous = self._step(claim, previous)
            except Exception as error:  # a bug costs its own step, never the run's report
                report, previous = _internal_error(claim, error), None
            finally:
                self.context = context
            if kept is not None:
                self.assumed.extend(a for a in kept[1] if a not in self.assumed)
                if self.chain is not None:  # as judging its links would have left it
                    self.chain = replace(self.chain, broken_at=kept[2])
            elif key is not None and _keepable(report) and BudgetExceeded.made == ran_out:
                broken = self.chain.broken_at if self.chain is not None else None
                cache.keep("step", key, (report, tuple(self.assumed[assumed:]), broken))
            self._replay = None
            self._previous_claim = claim
            if previous is not None:
                self.last_side = (previous, claim.id)
            elif not _CONTINUES.match(claim.latex):
                self.last_side = None  # a new chain began on a line that could not be read
            steps.append(report)
        with contextlib.suppress(Exception):  # an extra remark only; the verdicts stand
            steps = self._cancelling(steps)
        return DocumentReport(self.document.path, self.document.title, self.document.source,
                              tuple(steps), tuple(self.assumed))


def _smallest_first(nodes: Iterable[sp.Basic]) -> list[sp.Basic]:
    """Nodes by size, ties in a fixed order: which derivative's error a side reports must not
    depend on the order of a set (it did, with the hash seed)."""
    return sorted(nodes, key=lambda n: (sp.count_ops(n), sp.default_sort_key(n)))


def _every_entry_written(depends: Mapping[sp.Symbol, list[sp.Symbol]],
                         defined: Mapping[sp.Symbol, Any]) -> bool:
    """Whether each name nothing defines, differentiated at an instance by entries of a family
    nothing defines (y_1), is differentiated by two entries of it or more (a sum written out:
    y_1, y_2, y_3), never by one alone (a sum forgotten: L may depend on y_2 too)."""
    for name, variables in depends.items():
        if "_" in name.name:
            continue
        counts: dict[str, int] = {}
        for variable in variables:  # the entries it depends on through (themselves varying)
            base = _family_base(variable)
            if base is not None and _is_instance_entry(variable) and variable in depends \
                    and variable not in defined:
                counts[base] = counts.get(base, 0) + 1
        if not counts or any(count < 2 for count in counts.values()):
            return False
    return True


def _loose_indices(left: sp.Expr, right: sp.Expr, indices: Mapping[str, str]) -> list[str]:
    """The index letters a link leaves free: the context's, and the letters a sum of the
    same link runs over (i of Σ_i, written _i once SymPy renames it)."""
    summed = {str(limit[0]).lstrip("_") for side in (left, right)
              for loop in side.atoms(sp.Sum) for limit in loop.limits}
    return sorted(s.name for s in left.free_symbols | right.free_symbols
                  if isinstance(s, sp.Symbol) and (s.name in indices or
                                                   s.name.lstrip("_") in summed))


def _whole_indices(outcome: Any, letters: Sequence[str]) -> bool:
    """Whether a counterexample gives each index letter a whole value from 1 up (i = 6 at
    m = 7 is a point of a claim about the i-th example; i = −1 or 0.3 is none)."""
    if not isinstance(outcome, Refuted):
        return False
    given = dict(outcome.point)
    for letter in letters:
        value = given.get(letter)
        if value is None or not re.fullmatch(r"[1-9][0-9]*", value.strip()):
            return False
    return True


def _primes_renamed(text: str, letters: Sequence[tuple[str, str]]) -> str:
    """An assumption read as its claim is: k' (k^\\prime) written q where the claim reads
    k' as q (``k \\neq k'`` → ``k \\neq q``)."""
    for new, old in letters:
        text = re.sub(rf"(?<![A-Za-z\\]){old}\s*(?:'|\^\s*\{{?\s*\\prime\s*\}}?)", new, text)
    return text


def _named_in_words(prose: Sequence[str]) -> str:
    """The words before '=' that name the formula after it: the last that is not a
    connective (``\\text{and } \\text{residual} =``: residual); empty when there is none."""
    from derive.read.screen import PROSE_WORDS

    named = [words for words in prose if words.strip().lower() not in PROSE_WORDS]
    return named[-1] if named else ""


def _family_base(entry: sp.Basic) -> str | None:
    """The family an entry belongs to: A of A[i], of A_i or of A_1; None for anything else."""
    if isinstance(entry, sp.Indexed):
        return str(entry.base.label)
    if isinstance(entry, sp.Symbol):
        head, underscore, script = str(entry.name).partition("_")
        if underscore and head and script and "_" not in script and "^" not in head:
            return head
    return None


def _plain(value: Any) -> Any:
    """A document's parts as tuples, strings, numbers and SymPy nodes, in a fixed order (a
    mapping by its keys, a set by its members), for derive.decide.kept.canonical."""
    from derive.decide.kept import Unkeyable

    if value is None or isinstance(value, str | int | float | bool | sp.Basic):
        return value
    if isinstance(value, Fraction):
        return ("fraction", str(value))
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                tuple((f.name, _plain(getattr(value, f.name))) for f in fields(value)))
    if isinstance(value, Mapping):
        items = [(_plain(k), _plain(v)) for k, v in value.items()]
        return ("mapping", tuple(sorted(items, key=lambda item: repr(item[0]))))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((_plain(v) for v in value), key=repr)))
    if isinstance(value, tuple | list):
        return tuple(_plain(v) for v in value)
    raise Unkeyable(f"a {type(value).__name__} in a document")


def _is_kept_step(kept: Any, claim: Claim) -> bool:
    """Whether an entry is a step's report (its assumptions, and the step of its chain where
    the chain went wrong once it was decided) for this very claim."""
    return isinstance(kept, tuple) and len(kept) == 3 and \
        isinstance(kept[0], StepReport) and kept[0].claim == claim and \
        isinstance(kept[1], tuple) and all(isinstance(a, str) for a in kept[1]) and \
        (kept[2] is None or isinstance(kept[2], str))


def _keepable(report: StepReport) -> bool:
    """A verdict that timing cannot change: nothing undecided (a budget may have run out),
    no internal error."""
    return report.verdict != Verdict.UNDECIDED and all(
        link.verdict != Verdict.UNDECIDED for link in report.links)


def _joined(lines: tuple[Any, ...]) -> Any:
    """The lines of an aligned block as one relation: a line that starts with '=' (or follows
    a line that ends with '=') continues the chain; any other line starts a new one, joined
    by the operator '' (no link)."""
    first = lines[0]
    sides, operators = list(first.sides), list(first.operators)
    offset = 0 if first.continues else 1
    for line in lines[1:]:
        dangling = len(operators) > len(sides) - offset
        del operators[len(sides) - offset:]
        following = list(line.operators)
        if line.continues:
            operators += following
        else:
            operators += ["=" if dangling else "", *following]
        sides += line.sides
    prose = tuple(p for line in lines for p in line.prose)
    readings = tuple(dict.fromkeys(r for line in lines for r in getattr(line, "readings", ())))
    return replace(first, sides=tuple(sides), operators=tuple(operators), prose=prose,
                   readings=readings)


def _families(document: ProofDocument) -> tuple[dict[str, int], frozenset[str]]:
    """The indexed families of the whole document, and the names its sums run up to."""
    from derive.read.latex import index_families

    texts = [text for claim in document.claims
             for text in (claim.latex, claim.lhs or "", *claim.assume) if text]
    texts += [definition.latex for definition in document.definitions]
    # every line is read to find them: kept between runs under the texts and the context
    # they are read in, which is all they depend on
    name = _kept_name("families", tuple(texts), document.context)
    found = cache.recall("families", name) if name is not None else None
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], dict) and \
            isinstance(found[1], frozenset):
        return found
    families = index_families(texts, document.context)
    if name is not None:
        cache.keep("families", name, families)
    return families


def _kept_name(kind: str, *parts: Any) -> str | None:
    """The name under which what was read from ``parts`` is kept between runs (the package's
    source is part of every name); None when the cache is off or a part cannot be keyed."""
    from derive.decide.kept import Unkeyable, canonical

    if not cache.enabled():
        return None
    try:
        return cache.key(kind, canonical(_plain(parts)))
    except Unkeyable:
        return None


def _recalled_relation(name: str | None) -> Any:
    """A line's reading kept by an earlier run, when it reads back as the very relation kept
    (its canonical text is kept beside it); None otherwise."""
    from derive.decide.kept import Unkeyable, canonical
    from derive.read.nodes import Relation

    entry = cache.recall("relation", name) if name is not None else None
    if not (isinstance(entry, tuple) and len(entry) == 2 and
            isinstance(entry[0], Relation) and isinstance(entry[1], str)):
        return None
    try:
        same = canonical(_plain(entry[0])) == entry[1]
    except Unkeyable:
        return None
    return entry[0] if same else None


def _keep_relation(name: str | None, relation: Any) -> None:
    from derive.decide.kept import Unkeyable, canonical

    if name is None:
        return
    try:
        cache.keep("relation", name, (relation, canonical(_plain(relation))))
    except Unkeyable:
        return


def _held_at(expr: sp.Expr, defined: Mapping[sp.Basic, sp.Expr]) -> sp.Expr:
    """A derivative left unevaluated (of an undefined function) by a name the file defines,
    ∂ℓ(y₁)/∂y₁, written as the derivative at the point the definition gives y₁ (a Subs):
    the name stays the variable, and its value is where the derivative is taken."""
    if not defined:
        return expr

    def point(node: sp.Derivative) -> sp.Expr:
        moved = {v: sp.Dummy(f"{v}") for v, _ in node.variable_count if v in defined}
        if not moved:
            return node
        inner = sp.Derivative(node.expr.xreplace(moved),
                              *[(moved.get(v, v), c) for v, c in node.variable_count])
        return sp.Subs(inner, tuple(moved.values()), tuple(defined[v] for v in moved))

    return expr.replace(lambda n: isinstance(n, sp.Derivative), point)


_MIXED = (TypeError, NotImplementedError, AttributeError)
"""What SymPy raises when a definition over arrays is written into a formula of entries (w
a vector in f(w), w_j an entry in the claim)."""


def _mixed(error: Exception) -> str:
    return ("index notation: arrays and entries written by index are mixed, and SymPy cannot "
            f"write the definitions into the claim ({type(error).__name__}: {error})")


ABSTRACT_DRAWS = 3
"""How many smooth functions stand in for a declared, undefined function (see _abstract_link)."""


def _unknown_functions(*sides: sp.Basic) -> set[tuple[Any, int]]:
    """The undefined functions the sides apply, each with its number of arguments."""
    return {(type(node), len(node.args)) for side in sides
            for node in side.atoms(AppliedUndef)}


def _with_functions(expr: sp.Expr, chosen: Mapping[Any, sp.Lambda]) -> sp.Expr:
    """``expr`` with each undefined function of ``chosen`` replaced, its derivatives taken."""
    return expr.replace(lambda node: isinstance(node, AppliedUndef) and type(node) in chosen,
                        lambda node: chosen[type(node)](*node.args)).doit()


def _drawn_function(function: Any, arity: int, draw: int) -> sp.Lambda:
    """A smooth function of ``arity`` arguments, the same for the same function and draw:
    sin of one combination of the arguments, a square of another and an exponential of a
    small third, with small rational coefficients."""
    import random

    generator = random.Random(f"{function}:{arity}:{draw}")

    def weights() -> list[sp.Rational]:
        return [sp.Rational(generator.randint(-9, 9) or 1, generator.randint(2, 7))
                for _ in range(arity)]

    variables = sp.symbols(" ".join(f"u{k + 1}" for k in range(arity)), real=True, seq=True)
    combinations = [sum((w * v for w, v in zip(weights(), variables, strict=True)), sp.S.Zero)
                    for _ in range(3)]
    shift = sp.Rational(generator.randint(-5, 5), 3)
    value = sp.sin(combinations[0] + shift) + combinations[1] ** 2 / 2 + \
        sp.exp(combinations[2] / 4)
    return sp.Lambda(tuple(variables), value)


def _is_matrix(value: Any) -> bool:
    """A side that is a matrix: written out, or an expression of arrays."""
    return isinstance(value, sp.MatrixBase | sp.MatrixExpr)


def _split_arguments(text: str) -> list[str]:
    """The arguments of a call written in a key, split at the commas outside braces."""
    parts, depth, start = [], 0, 0
    for k, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if char == "," and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _example_index_in_sum(expr: sp.Expr, frame: Any = None) -> None:
    """Refuses a sum over i whose body has a name with the example index (i) (x^{(i)} in
    Σᵢ) where the sum is not one ``_examples_as_entries`` reads, nor one the index
    notation's ``frame`` writes out (Y_j^{(i)} with i and j index letters)."""
    for loop in expr.atoms(sp.Sum, sp.Product):
        function = loop.function.xreplace({e: sp.Dummy() for e in loop.function.atoms(sp.Indexed)})
        for limit in loop.limits:
            index = str(limit[0])
            for symbol in sorted(function.atoms(sp.Symbol), key=str):
                slots = frame.slots(symbol.name) if frame is not None else None
                if _layer_letters(symbol.name) & {index} and \
                        not (slots is not None and slots.example and index in slots.slots):
                    raise NotDecidable(
                        f"{symbol.name} inside a sum over {index}: a name with an example "
                        "index is read as one name, not as an entry the sum runs over")


def _bound_variable(expr: sp.Expr, variable: sp.Expr) -> None:
    """Refuses a derivative by x^{(i)} of a sum over i that has x^{(i)} in its body: the
    name is one entry there, the sum's index runs over all of them."""
    letters = _layer_letters(str(variable))
    for loop in expr.atoms(sp.Sum, sp.Product):
        if variable in loop.function.free_symbols and \
                any(str(limit[0]) in letters for limit in loop.limits):
            raise NotDecidable(f"a derivative by {variable} of a sum over its example index")


def _linear_in_derivatives(side: sp.Expr) -> bool:
    """Whether ``side`` is a sum of terms with at most one first derivative each, outside
    any function (σ(z)·dz/dθ, not (dz/dθ)² nor σ(dz/dθ))."""
    nodes = side.atoms(sp.Derivative)
    if any(sum(c for _, c in node.variable_count) != 1 for node in nodes):
        return False
    if not nodes:
        return True
    stand_ins = {node: sp.Dummy() for node in nodes}
    try:
        degree: int = sp.Poly(side.xreplace(stand_ins), *stand_ins.values()).total_degree()
    except sp.PolynomialError:
        return False
    return degree <= 1


_EXAMPLE_LAYER = re.compile(r"\^\(([A-Za-z])\)")
"""The example index a name carries as a layer: the i of ``x_j^(i)``."""


def _example_letters(sides: Sequence[sp.Expr], indices: Mapping[str, str]) -> frozenset[str]:
    """The index letters a sum binds whose body writes a name with that letter as its
    example index (Σᵢ Y_j^(i)): index notation reads such names as entries."""
    found: set[str] = set()
    for loop in (n for side in sides for n in side.atoms(sp.Sum, sp.Product)):
        bound = {str(limit[0]) for limit in loop.limits} & set(indices)
        for symbol in loop.function.atoms(sp.Symbol):
            found |= bound & set(_EXAMPLE_LAYER.findall(symbol.name))
    return frozenset(found)


def _layer_letters(name: str) -> set[str]:
    """The letters a name with an example index carries in its scripts: ``x_j^(i)`` gives
    {i, j}; a name without one gives nothing."""
    if "^(" not in name:
        return set()
    return {part for part in re.split(r"[_^(){},\s]+", name.partition("_")[2] or "")
            if part} | set(_EXAMPLE_LAYER.findall(name))


def _among_entries(variable: sp.Basic, written: sp.Expr) -> bool:
    """Whether θ[1] may be one of the entries θ[j] a sum in ``written`` runs over."""
    return isinstance(variable, sp.Indexed) and any(
        entry.base == variable.base and not all(i.is_Integer for i in entry.indices)
        for entry in written.atoms(sp.Indexed))


def _stationary_condition_undecided(links: tuple[LinkReport, ...], readings: Sequence[str]
                                    ) -> tuple[LinkReport, ...]:
    """A refuted link "derivative = 0" on a line that ``\\implies`` begins (``\\implies
    \\nabla_w (Xw - y)^T(Xw - y) = 0``): the condition for a minimum, restated from the line
    before, not an identity in w. Undecided, said."""
    from derive.read.posted import LEADING_MARK_LEFT_OUT

    if not any(LEADING_MARK_LEFT_OUT in reading for reading in readings):
        return links

    def reason(link: LinkReport) -> str:
        zero = link.rhs == 0 or isinstance(link.rhs, sp.ZeroMatrix)
        if not zero or not isinstance(link.lhs, sp.Basic) or \
                not link.lhs.has(sp.Derivative):
            return ""
        return ("a derivative set to 0 after an implication: a condition to solve (where it "
                "vanishes), not an identity; it is not checked as one")

    return _undecided_where(links, reason)


def _colon_products_undecided(links: tuple[LinkReport, ...], readings: Sequence[str]
                              ) -> tuple[LinkReport, ...]:
    """A refuted link of a line that reads ``p : dz`` as the product pdz (neither side
    declared an array): where a definition makes them vectors the text means their inner
    product, so the counterexample may come from the reading. Undecided, said."""
    from derive.read.latex import COLON_AS_PRODUCT

    said = next((r for r in readings if r.startswith(COLON_AS_PRODUCT)), None)
    if said is None:
        return links
    return _undecided_where(links, lambda _: (
        f"false as written, but {said}: if they are arrays (a definition may make them so) "
        "':' is their Frobenius product and the claim may hold; declare their shapes to "
        "check it"))


def _examples_as_entries(sides: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Names with an example index as entries of a family, on all sides of a link at once:
    a base used inside a sum over its example index (x^{(i)} in Σᵢ) makes every name of it
    (x^{(i)}, x^{(j)}, x^{(1)}, inside a sum or not) an entry of one family, as a name a sum's
    index subscripts does (x_i). The family's label is one of the names' own symbols, so it
    keeps a domain declared for them."""
    bases: dict[str, list[sp.Symbol]] = {}
    for side in sides:
        for loop in side.atoms(sp.Sum, sp.Product):
            indices = {str(limit[0]) for limit in loop.limits}
            for symbol in loop.function.atoms(sp.Symbol):
                split = _split_example(symbol.name)
                if split is not None and split[1] in indices:
                    bases.setdefault(split[0], [])
    if not bases:
        return list(sides)
    for side in sides:
        for symbol in side.atoms(sp.Symbol):
            split = _split_example(symbol.name)
            if split is not None and split[0] in bases:
                bases[split[0]].append(symbol)
    mapping: dict[sp.Basic, sp.Basic] = {}
    for symbols in bases.values():
        label = sorted(set(symbols), key=lambda s: (not s.assumptions0, s.name))[0]
        family = sp.IndexedBase(label)
        for symbol in symbols:
            index = _split_example(symbol.name)
            assert index is not None
            text = index[1]
            mapping[symbol] = family[sp.Integer(int(text)) if text.isdigit()
                                     else _index_symbol(text, sides)]
    return [side.xreplace(mapping) for side in sides]


def _index_symbol(text: str, sides: Sequence[sp.Expr]) -> sp.Symbol:
    """The symbol of an index letter as the sides use it (a sum's index, or a free one); a
    letter used as two different symbols cannot be read as one index."""
    found = {symbol for side in sides
             for symbol in side.free_symbols | {limit[0] for loop in side.atoms(sp.Sum, sp.Product)
                                                for limit in loop.limits}
             if isinstance(symbol, sp.Symbol) and symbol.name == text}
    if len(found) > 1:
        raise NotDecidable(f"the example index {text} is used as two different symbols")
    return found.pop() if found else sp.Symbol(text)


def _split_example(name: str) -> tuple[str, str] | None:
    """(base, index) of a name with an example index and no other script: ``x^(i)`` →
    (x, i), ``x^(2)`` → (x, 2); None otherwise (``x_j^(i)`` is read as one name)."""
    match = re.fullmatch(r"([^_^(){}]+)\^\(([A-Za-z]|\d+)\)", name)
    return (match.group(1), match.group(2)) if match else None


def _renamed(expr: sp.Basic, mapping: Mapping[sp.Basic, sp.Basic]) -> Any:
    """Names replaced by names (aliases) as the reader built the expression: a node that
    holds arrays is rebuilt as written, never evaluated (SymPy would rewrite a sum of
    matrix products, or refuse a scalar alias inside one)."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args or not (expr.free_symbols & set(mapping)):
        return expr
    args = tuple(_renamed(a, mapping) for a in expr.args)
    if args == expr.args:
        return expr
    if any(isinstance(a, sp.Basic) and a.atoms(sp.MatrixSymbol) for a in (expr, *args)):
        return sp.Basic.__new__(type(expr), *args)
    return expr.func(*args)


_KEPT_MAPPINGS = 8
"""Mappings of definitions whose replacements are kept (the oldest goes first)."""
_KEPT_REPLACEMENTS = 50_000
"""Parts kept for one mapping; beyond it they are forgotten and kept anew."""
_REPLACEMENTS: dict[tuple[tuple[sp.Basic, sp.Basic], ...],
                    dict[sp.Basic, tuple[sp.Basic, bool]] | None] = {}


def _replacements(mapping: Mapping[sp.Symbol, sp.Expr]
                  ) -> dict[sp.Basic, tuple[sp.Basic, bool]] | None:
    """The parts of trees already written out with ``mapping`` (each part's ``xreplace`` and
    whether anything in it was replaced), shared by every side written out with the same
    definitions: a diagnosis writes out thousands of candidate sides that differ in one
    part. None when the mapping cannot key them (a value holds a ``Subs``, which SymPy deems
    equal to another with its bound variable renamed)."""
    try:
        key = tuple(mapping.items())
        hash(key)
    except TypeError:
        return None
    if key in _REPLACEMENTS:
        return _REPLACEMENTS[key]
    if len(_REPLACEMENTS) >= _KEPT_MAPPINGS:
        del _REPLACEMENTS[next(iter(_REPLACEMENTS))]
    usable = all(isinstance(v, sp.Basic) and not v.has(sp.Subs) for v in mapping.values())
    memo: dict[sp.Basic, tuple[sp.Basic, bool]] | None = {} if usable else None
    _REPLACEMENTS[key] = memo
    return memo


class _NotKept(Exception):
    """A tree with a ``Derivative`` or a ``Subs``: written out the way ``_replaced`` says."""


def _kept_xreplace(expr: sp.Basic, mapping: Mapping[sp.Symbol, sp.Expr],
                   memo: dict[sp.Basic, tuple[sp.Basic, bool]]) -> tuple[sp.Basic, bool]:
    """``expr._xreplace(mapping)``, SymPy's own walk (a part is rebuilt exactly when
    something in it was replaced), with each part's result kept in ``memo``; ``_NotKept`` at
    a ``Derivative`` or a ``Subs`` (the parts walked whole before it stay kept)."""
    kept = memo.get(expr)
    if kept is not None:
        return kept
    if isinstance(expr, sp.Derivative | sp.Subs):
        raise _NotKept
    if expr in mapping:
        found = (mapping[expr], True)
    else:
        args = []
        changed = False
        for argument in expr.args:
            if isinstance(argument, sp.Basic):
                value, replaced = _kept_xreplace(argument, mapping, memo)
                args.append(value)
                changed |= replaced
            else:
                args.append(argument)
        found = (expr.func(*args), True) if changed else (expr, False)
    if len(memo) >= _KEPT_REPLACEMENTS:
        memo.clear()
    memo[expr] = found
    return found


def _replaced(expr: sp.Basic, mapping: Mapping[sp.Symbol, sp.Expr],
              memo: dict[sp.Basic, tuple[sp.Basic, bool]] | None = None) -> sp.Basic:
    """``expr.xreplace(mapping)``, except that a derivative's variables stay as written: a
    defined name differentiated by (∂ℓ/∂p_j with p_j defined) is the variable, not its
    value, so neither the variable nor its occurrences in the derivative's function are
    replaced there. With ``memo`` (see ``_replacements``), parts written out before are
    taken from it, unless the tree holds a ``Subs``."""
    if memo is not None and mapping:
        try:
            return _kept_xreplace(expr, mapping, memo)[0]
        except _NotKept:
            pass
    if not expr.has(sp.Derivative):
        return expr.xreplace(mapping)
    if isinstance(expr, sp.Derivative):
        variables = {v for v, _ in expr.variable_count}
        if variables & set(mapping):
            inner = {s: v for s, v in mapping.items() if s not in variables}
            return sp.Derivative(_replaced(expr.expr, inner), *expr.variable_count,
                                 evaluate=False)
    if expr in mapping:
        return mapping[expr]
    args = tuple(_replaced(a, mapping) for a in expr.args)
    return expr.func(*args) if args != expr.args else expr


def _written_out(expr: sp.Expr) -> sp.Expr:
    """Sums over a range of whole numbers written out term by term (Σ_{i=1}^{2} yᵢ is
    y₁ + y₂): derive.decide.equivalence expands only the sums that run up to a count."""
    def finite(node: sp.Basic) -> bool:
        return isinstance(node, sp.Sum) and all(
            low.is_Integer and high.is_Integer and int(high) - int(low) < 1000
            for _, low, high in node.limits)

    return expr.replace(finite, lambda node: node.doit())


def _limits(expr: sp.Expr, seconds: float) -> sp.Expr:
    """Each limit evaluated under the budget, innermost first; one SymPy cannot take in time
    stays (the comparison is then undecided)."""
    from derive.core.budget import run_with_budget

    for node in sorted(expr.atoms(sp.Limit), key=sp.count_ops):
        try:
            value = run_with_budget(partial(limit_value, node), max(seconds / 2, 0.01))
        except Exception:  # out of time, or a limit SymPy cannot take
            continue
        if not value.has(sp.Limit):
            expr = expr.xreplace({node: value})
    return expr


def _aliases_said(aliases: Sequence[Any]) -> list[str]:
    """One line per alias, its readings gathered: "aₖ is read as a₁ (F1), a₂ (F2): …"."""
    readings: dict[tuple[str, str], list[str]] = {}
    for alias in aliases:
        where = f" ({', '.join(alias.steps)})" if alias.steps else ""
        readings.setdefault((alias.name, alias.why), []).append(
            f"{pretty_name(alias.means)}{where}")
    return [f"{pretty_name(name)} is read as {', '.join(means)}: {why}"
            for (name, why), means in readings.items()]


def differential_symbol(variable: sp.Symbol) -> sp.Symbol:
    """The symbol dv of a varying symbol v."""
    return sp.Symbol(f"d{variable.name}", real=True)


def _differentiated_formula(left: sp.Expr, right: sp.Expr) -> sp.Expr | None:
    """The formula a definition writes as a derivative (∂ℓ/∂p = ∂/∂p (−y log p): ℓ is
    −y log p): the right side's operand, where both sides are the same derivative and the
    left one is of a name; None for any other definition."""
    if isinstance(left, sp.Derivative) and isinstance(right, sp.Derivative) and \
            left.variable_count == right.variable_count and \
            _defined_name(left.expr) is not None:
        return right.expr
    return None


def _defined_name(side: sp.Expr) -> str | None:
    if isinstance(side, sp.Symbol | sp.MatrixSymbol):
        return str(side.name)
    if isinstance(side, AppliedUndef):
        return str(side.func.__name__)
    return None


def _short(outcome: Any) -> str:
    if isinstance(outcome, Refuted):
        point = ", ".join(f"{n} = {v}" for n, v in outcome.point)
        return f"at {point}: {outcome.lhs_value} ≠ {outcome.rhs_value}"
    return verdict_of(outcome)


def _internal_error(claim: Claim, error: BaseException) -> StepReport:
    """An internal error in one step: the step is undecided and says so; the rest goes on."""
    import traceback

    first = (str(error).splitlines() or [""])[0]
    return StepReport(claim, Verdict.UNDECIDED,
                      message=f"internal error: {type(error).__name__}: {first}".rstrip(": "),
                      trace="".join(traceback.format_exception(error)))


def check_document(document: ProofDocument, *, budget: float = 5.0,
                   deadline: float | None = None,
                   progress: Progress | None = None) -> DocumentReport:
    """The verdicts of every step of one proof document (``progress``: see ``Progress``)."""
    try:
        checker = _Checker(document, budget, deadline)
        checker.progress = progress
        report = checker.run()
        if progress is not None:
            progress(document.path, len(document.claims), len(document.claims))
        return report
    except SourceError as error:
        return DocumentReport(document.path, document.title, document.source, error=error)
    except Exception as error:  # in what the steps share (the file's definitions)
        return DocumentReport(document.path, document.title, document.source,
                              tuple(_internal_error(claim, error) for claim in document.claims))


def check_files(paths: list[str], *, budget: float = 5.0, total: float | None = None,
                stdin: str | None = None, jobs: int = 1,
                progress: Progress | None = None) -> Report:
    """Check proof files; a file that cannot be used is reported and the others still run.

    ``jobs`` > 1 checks files in that many worker processes (the reports come back in the
    order of ``paths``); each worker keeps its own time budgets. ``progress`` is told of each
    step (each file, from worker processes): see ``Progress``."""
    deadline = time.monotonic() + total if total else None
    tasks = [(path, stdin if path == "-" else None, budget, deadline) for path in paths]
    # reports kept from an earlier run are read here: no worker is started for them
    names = [cache.report_name(path, text, budget) if deadline is None else None
             for path, text, budget, deadline in tasks]
    kept = {k: report for k, name in enumerate(names) if (report := _kept(name)) is not None}
    pending = [k for k in range(len(tasks)) if k not in kept]
    workers = min(jobs, len(pending))
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # fork shares the imported modules (SymPy): no worker pays the import again; it is
        # unsafe once threads run, so the platform's default start method is used then
        forkable = "fork" in multiprocessing.get_all_start_methods() and \
            threading.active_count() == 1
        context = multiprocessing.get_context("fork" if forkable else None)
        # the longest files first (their size stands for their cost), so that no worker is
        # left with a long file at the end while the others wait
        order = sorted(pending, key=lambda k: -_size_of(tasks[k][0]))
        try:
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                done: dict[int, DocumentReport] = dict(kept)
                jobs_in_order = [(tasks[k], names[k]) for k in order]
                for k, report in zip(order, pool.map(_check_one, jobs_in_order), strict=True):
                    done[k] = report
                    if progress is not None:
                        progress(report.path, len(report.steps), len(report.steps))
            return Report(tuple(done[k] for k in range(len(tasks))))
        except (BrokenProcessPool, OSError):
            pass  # a worker died (or none could start): check them here, one by one
    return Report(tuple(kept[k] if k in kept else _check_one((task, names[k]), progress)
                        for k, task in enumerate(tasks)))


def _kept(name: str | None) -> DocumentReport | None:
    """The report an earlier run kept under ``name`` (None: none, or no key: check it)."""
    kept = cache.load("reports", name) if name is not None else None
    return kept if isinstance(kept, DocumentReport) else None


def _size_of(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _check_one(job: tuple[tuple[str, str | None, float, float | None], str | None],
               progress: Progress | None = None) -> DocumentReport:
    """Check one file not kept in the cache, and keep its report under ``name``."""
    task, name = job
    report = _checked(task, progress)
    # a verdict that timing could change (undecided: a budget ran out) is never kept
    if name is not None and report.error is None and all(
            step.verdict != Verdict.UNDECIDED for step in report.steps):
        cache.store("reports", name, report)
    return report


def _checked(task: tuple[str, str | None, float, float | None],
             progress: Progress | None = None) -> DocumentReport:
    from derive.read.proofs import load

    path, text, budget, deadline = task
    try:
        document = load(path, text)
    except ProofFileError as error:
        if progress is not None:
            progress(path, 0, 0)
        return DocumentReport(path, path, error=error)
    except Exception as error:  # a bug in reading one file never loses the others
        first = (str(error).splitlines() or [""])[0]
        return DocumentReport(path, path, error=ProofFileError(
            f"internal error while reading the file: {type(error).__name__}: {first}",
            source=path, placed=False))
    return check_document(document, budget=budget, deadline=deadline, progress=progress)


def check_latex(lines: list[str], *, functions: tuple[str, ...] = (),
                domains: Mapping[str, str] | None = None,
                indices: Mapping[str, str] | None = None,
                sizes: Mapping[str, int] | None = None, budget: float = 5.0) -> Report:
    """Check a chain of LaTeX lines given directly (``derive check --latex ...``); index
    letters and the sizes they run to as a proof file's ``[indices]`` and ``sizes``."""
    from derive.read.proofs import from_latex

    document = from_latex(lines, functions=functions, domains=domains, indices=indices,
                          sizes=sizes)
    return Report((check_document(document, budget=budget),))


def _entries_of_known(names: set[str], known: set[str]) -> set[str]:
    """The names that write an entry of a family already written (t_j after Σ t_i), which
    are not new."""
    bases = {name.split("_", 1)[0] for name in known} | known
    return {name for name in names if ("_" in name and name.split("_", 1)[0] in bases) or
            ("[" in name and name.split("[", 1)[0] in bases)}


_PREMISE_WORDS = re.compile(r"\b(?:since|because|as|given|assuming|if|when|where|provided)\b",
                            re.IGNORECASE)
_PROSE_MATH = re.compile(r"\$([^$]{1,40})\$")
_RELATION_SIGNS = re.compile(r"[=<>]|\\(?:neq?|leq?|geq?|in)(?![A-Za-z])")


def _premised_in_words(links: tuple[LinkReport, ...], label: str) -> tuple[LinkReport, ...]:
    """A refuted link about names the words before the step state a premise on ("since
    exactly one of the $t_i$s is 1", "as $p$ is a probability"): its counterexample may break
    what the words say, which cannot be checked. Undecided, said."""
    premise = _PREMISE_WORDS.search(label)
    if premise is None:
        return links
    named = set()
    for match in _PROSE_MATH.finditer(label, premise.start()):
        if not _RELATION_SIGNS.search(match.group(1)):
            named |= {word.lstrip("\\") for word in
                      re.findall(r"\\?[A-Za-z]+", re.sub(r"[_^]\s*\{?[^{}]*\}?", " ",
                                                        match.group(1)))}
    if not named:
        return links

    def reason(link: LinkReport) -> str:
        assert link.rhs is not None
        written = {name.split("_", 1)[0] for side in (link.lhs, link.rhs)
                   for name in _Checker._written_names(side)}
        stated = sorted(named & written)
        if not stated:
            return ""
        return (f"false as written, but the words before it state a premise on "
                f"{', '.join(stated)} ('{_short_words(label[premise.start():])}'), which may "
                "make it hold: state the premise as math (an assumption) to check it")

    return _undecided_where(links, reason)


def _index_occurrences(expr: sp.Basic, letters: Mapping[str, str]) -> list[str]:
    """The index letters an expression writes, once per name that writes them (A_ij and
    δ_jm: i, j, j, m), outside the sums that bind them."""
    if isinstance(expr, sp.Symbol):
        from derive.read.extent import _name_indices

        if expr.name in letters:
            return [expr.name]
        return sorted(_name_indices(expr.name.partition("^(")[0]) & set(letters))
    if isinstance(expr, sp.Sum):
        bound = {str(limit[0]) for limit in expr.limits}
        return [c for c in _index_occurrences(expr.function, letters) if c not in bound]
    if isinstance(expr, sp.Derivative):
        found = _index_occurrences(expr.expr, letters)
        for variable, _ in expr.variable_count:
            found += _index_occurrences(variable, letters)
        return found
    if isinstance(expr, sp.Add):  # a + b writes j once when each of a and b writes it once
        most: Counter[str] = Counter()
        for arg in expr.args:
            most |= Counter(_index_occurrences(arg, letters))
        return sorted(most.elements())
    return [c for arg in expr.args for c in _index_occurrences(arg, letters)]


def _summation_convention(sides: list[Any], context: Context) -> list[Any]:
    """Each term of each side summed over the index letters it repeats and that no other
    side of the relation leaves free (A^{ij} V^{jb}: Σ_j; but δ^i_m A^{ij} stays at i, j when
    the left side is ∂A^{ij}/∂S^{mn}), for a document in upper-index notation."""
    letters = context.indices

    def free(side: Any) -> set[str]:  # the letters some term of the side writes once
        if not isinstance(side, sp.Expr):
            return set()
        return {c for term in sp.Add.make_args(side)
                for c, n in Counter(_index_occurrences(term, letters)).items() if n == 1}

    written = [free(side) for side in sides]
    result = []
    for k, side in enumerate(sides):
        if not isinstance(side, sp.Expr) or isinstance(side, sp.MatrixExpr):
            result.append(side)
            continue
        elsewhere = set().union(*(w for j, w in enumerate(written) if j != k))
        terms = []
        for term in sp.Add.make_args(side):
            counts = Counter(_index_occurrences(term, letters))
            for letter in sorted(c for c, n in counts.items() if n > 1 and c not in elsewhere):
                term = sp.Sum(term, (context.symbol(letter), 1,
                                     context.symbol(letters[letter])))
            terms.append(term)
        result.append(sp.Add(*terms))
    return result


def _is_instance_entry(symbol: sp.Basic) -> bool:
    """An entry of an array at an instance of an index claim: O_{1,2}, y_3."""
    return isinstance(symbol, sp.Symbol) and re.search(r"_(\{[0-9,]+\}|[0-9]+)$",
                                                       symbol.name) is not None


def _applied(function: sp.Lambda, arguments: tuple[sp.Basic, ...]) -> sp.Expr:
    """A defined function at its arguments; at its own variables, its formula as it was
    built (rebuilding ½‖w‖² + log(1 + e^{wᵀx}) mixes a 1×1 array with numbers)."""
    if tuple(arguments) == tuple(function.variables):
        return function.expr
    return function(*arguments)


def _undecided_where(links: tuple[LinkReport, ...], reason: Callable[[LinkReport], str],
                     verdicts: tuple[Verdict, ...] = (Verdict.REFUTED,)
                     ) -> tuple[LinkReport, ...]:
    """Each link of ``verdicts`` (with two sides) for which ``reason`` gives a message,
    undecided with it: a refutation the text may not mean."""
    result = []
    for link in links:
        message = reason(link) if link.verdict in verdicts and link.rhs is not None else ""
        result.append(replace(link, verdict=Verdict.UNDECIDED, message=message, outcome=None,
                              diagnosis=None) if message else link)
    return tuple(result)


def _short_words(text: str) -> str:
    text = " ".join(text.split()).rstrip(":,. ")
    return text if len(text) <= 60 else text[:59] + "…"


_NAME_DEFINED = re.compile(r"\s*&?\s*((?:\\(?:hat|bar|tilde|textbf|mathbf|boldsymbol|bm)\s*\{?\s*)?"
                           r"\\?[A-Za-z]+\}?"
                           r"(?:_\{?[A-Za-z0-9]{1,3}\}?)?)(?:\s*\([^()=]*\))?\s*&?\s*"
                           r"(?:=|:=|\\coloneqq)(?!=)")
"""The left side of a line that defines a plain name (or a function of it, ``z(w) =``)."""


def _summation_convention_undecided(links: tuple[LinkReport, ...]) -> tuple[LinkReport, ...]:
    """A refuted link one of whose sides repeats an index letter in one product, a letter the
    other side never writes (h_i δ_ik δ_jl (Y_lm − y_l y_m) = h_k (Y_jm − y_j y_m)): with the
    summation convention (a repeated index summed over) it may hold. Undecided, said."""
    def reason(link: LinkReport) -> str:
        assert link.rhs is not None
        repeated = _repeated_letters(link.lhs, link.rhs) | _repeated_letters(link.rhs, link.lhs)
        if not repeated:
            return ""
        return (f"false as written, but {', '.join(sorted(repeated))} "
                f"{'is' if len(repeated) == 1 else 'are'} repeated in one product and written "
                "nowhere on the other side: with the summation convention (a repeated index "
                "summed over) it may hold; write the sums to check it")

    return _undecided_where(links, reason)


def _repeated_letters(side: sp.Basic, other: sp.Basic) -> set[str]:
    """The index letters written in two factors of one product of ``side`` and nowhere in
    ``other``."""
    from derive.read.extent import _free_names, _name_indices

    def letters(value: sp.Basic) -> set[str]:
        found: set[str] = set()
        # a name inside a sum that binds its letter (ω_k in Σ_k ω_k²) writes no free index
        for name, bound in _free_names(value):
            # subscripts in lower case only: an example's (i) or a layer's L is no index
            found |= {letter for letter in _name_indices(name.partition("^(")[0])
                      if letter.islower() and letter not in bound}
        variables = {v for d in value.atoms(sp.Derivative) for v in d.variables}
        for symbol in variables:
            name = str(getattr(symbol, "name", symbol))
            found |= {letter for letter in _name_indices(name.partition("^(")[0])
                      if letter.islower()}
        for delta in value.atoms(sp.KroneckerDelta):
            found |= {str(arg) for arg in delta.args
                      if isinstance(arg, sp.Symbol) and len(str(arg)) == 1}
        return found

    beyond = letters(other)
    repeated: set[str] = set()
    for term in sp.Add.make_args(side):
        while isinstance(term, sp.Derivative):  # ∂/∂ω_j (δ_ik ω_i ω_k): the product inside
            term = term.expr
        seen: set[str] = set()
        for factor in sp.Mul.make_args(term):
            mine = letters(factor)
            repeated |= (mine & seen) - beyond
            seen |= mine
    return repeated
