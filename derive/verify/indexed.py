r"""Index notation: claims with index sums, free indices and δᵢⱼ, checked at a small size.

A proof file declares its index letters and the count each runs up to (``[indices] i = "C"``:
i = 1, ..., C) and the size at which claims are instantiated (``[settings] sizes = { C = 3 }``;
3 when not given). A claim that mentions an index (``a_j``, ``p_i``, ``x_{ij}``, ``\sum_j``,
``\sum_{k \neq i}``, ``\delta_{ij}``, a case ``i = j``) is instantiated at that size:

- every sum is written out term by term (k = 1, 2, 3); ``a_k`` becomes ``a_1``, ``a_2``, ``a_3``
  and ``x_{ij}`` becomes ``x_{2,1}``, each with the domain declared for its base;
- every free index (one no sum binds) takes each value of its range in turn (every
  combination, up to ``MAX_INSTANCES``; beyond that, one instance per pattern of equal and
  distinct indices), and δᵢⱼ and the cases' conditions are decided there;
- the file's definitions indexed by a letter (``p_j = e^{a_j}/Σ``) are instantiated for every
  value of their index.

Each instance is an ordinary scalar claim that the checker decides. When every instance holds
the claim is ``checked`` at that size (a claim for every C is never ``proved`` from one size);
a refuted instance gives the counterexample with its indices and size. Assumptions
(``assume = ['\sum_k y_k = 1']``, ``['i \neq j']``) apply when the claim fails without them:
a relation between indices keeps only the instances that satisfy it, any other equation is
solved for one of its symbols (the last by name) and substituted (an index free in it and
not in the claim holds for every value: ``x_{i1} = 1`` for every i) — except when every symbol
the assumptions involve takes values in a finite set (labels in {0,1}): then every assignment
they allow is tried (``Y_i = 1``, ``Σ_k Y_k = 1``: the one-hot vector hot at i). The claim is
``conditional`` when every instance kept holds, and refuted at an instance where the
assumptions hold when one does not.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.core.context import Context, SymbolInfo
from derive.core.domains import REAL, Discrete, Domain, make_symbol
from derive.core.mathtext import text
from derive.core.outcomes import (
    CheckedAtSizes,
    Decision,
    DiffersAtSizes,
    Proved,
    Refuted,
    Verdict,
)
from derive.core.unicode import pretty_name

DEFAULT_SIZE = 3
"""The size of an index range the file gives no size for."""
MAX_INSTANCES = 27
"""The most combinations of free indices checked one by one; beyond, one per pattern."""
_MAX_LABEL_ASSIGNMENTS = 4096
"""More assignments of finite-valued symbols than this are solved for one symbol instead."""


class Unsupported(Exception):
    """An index expression this module cannot instantiate (said in the verdict)."""


class LinkLike(Protocol):
    """What the checker answers for one instance (``derive.verify.check.LinkReport``)."""

    @property
    def verdict(self) -> Verdict: ...

    @property
    def outcome(self) -> Any: ...

    @property
    def message(self) -> str: ...


Scalar = Callable[[sp.Expr, sp.Expr, Mapping[sp.Symbol, sp.Expr], Context, float], LinkLike]
"""The checker's decision on one instance: sides, definitions, context, seconds."""


@dataclass(frozen=True)
class _Slots:
    """A name split into base, index slots (letters or numbers) and layer: x_{ij}^(1).
    ``example``: the last slot is the example index written as a layer (Y_j^(i), x^(i)),
    so an instance writes it back there (Y_2^(1))."""

    base: str
    slots: tuple[str, ...]
    layer: str = ""
    example: bool = False


@dataclass
class Frame:
    """The file's indices, sizes and context: what instantiating a claim needs."""

    context: Context
    sizes: Mapping[str, int] = field(default_factory=dict)
    made: dict[str, SymbolInfo] = field(default_factory=dict)
    unwritten: dict[sp.Symbol, str] = field(default_factory=dict)
    """Definitions that could not be written out at some value of their indices, and why."""
    by_claim: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    """Definitions of a name without an index whose formula has one (g = y_i − ŷ_i): the
    index is the claim's, so they are instantiated with each instance (see ``at``)."""
    examples: frozenset[str] = frozenset()
    """Index letters that names carry as an example index (Y_j^(i) in a sum over i): a slot
    of those names, instantiated with the rest."""

    @property
    def indices(self) -> Mapping[str, str]:
        return self.context.indices

    def size(self, count: str) -> int:
        return int(self.sizes.get(count, DEFAULT_SIZE))

    def values(self, index: str) -> range:
        return range(1, self.size(self.indices[index]) + 1)

    # -- names ------------------------------------------------------------------------------

    def slots(self, name: str) -> _Slots | None:
        """The index slots of a name: ``a_j`` → (a, j); ``x_{i,j}``, ``x_ij`` → (x, i, j);
        ``y_2`` → (y, 2); None for a name without index slots. An example index written
        as a layer (``Y_j^(i)``, ``x^(i)`` with i an index letter) is a slot too, the last."""
        head, separator, layer = name.partition("^(")
        example = layer[:-1] if separator and layer.endswith(")") else ""
        if example and (example in self.examples or (example.isdigit() and bool(self.examples))):
            if "_" not in head:
                return _Slots(head, (example,), example=True) if head else None
            inner = self.slots(head)
            return None if inner is None or inner.layer else \
                _Slots(inner.base, (*inner.slots, example), example=True)
        base, _, script = head.rpartition("_")
        if not base or not script:
            return None
        layer = separator + layer
        if script.startswith("{") and script.endswith("}") and "," in script:
            parts = tuple(part.strip() for part in script[1:-1].split(","))
            if all(re.fullmatch(r"[0-9]+", p) or p in self.indices for p in parts):
                return _Slots(base, parts, layer)
            return None
        if script.isdigit():  # y_2, x_{12}: one number
            return _Slots(base, (script,), layer)
        if script.isalnum() and all(c in self.indices or c.isdigit() for c in script):
            return _Slots(base, tuple(script), layer)  # a_j, x_ij, x_i1: a slot per character
        return None

    def domain(self, slots: _Slots, name: str) -> Domain:
        """The domain of an instance: declared for it, else for its base with letters."""
        info = self.context.symbols.get(name)
        if info is not None:
            return info.domain
        for declared, found in sorted(self.context.symbols.items()):
            other = self.slots(declared)
            if (other is not None and other.base == slots.base and other.layer == slots.layer
                    and other.example == slots.example and len(other.slots) == len(slots.slots)
                    and all(s in self.indices for s in other.slots)):
                return found.domain
        return REAL

    def instance_symbol(self, slots: _Slots, values: Sequence[int]) -> sp.Symbol:
        name = _instance_name(slots, values)
        domain = self.domain(slots, name)
        self.made[name] = SymbolInfo(name, domain)
        return make_symbol(name, domain)

    # -- expressions ------------------------------------------------------------------------

    def free(self, expr: sp.Basic, bound: frozenset[str] = frozenset()) -> set[str]:
        """The index letters of ``expr`` that no sum binds."""
        if isinstance(expr, sp.Symbol):
            if expr.name in self.indices:
                return set() if expr.name in bound else {expr.name}
            slots = self.slots(expr.name)
            return {s for s in slots.slots if s in self.indices} - bound if slots else set()
        if isinstance(expr, sp.Sum):
            inner = bound | {str(limit[0]) for limit in expr.limits}
            found = self.free(expr.function, inner)
            for limit in expr.limits:
                for end in limit[1:]:
                    found |= self.free(end, bound)
            return found
        return set().union(*(self.free(a, bound) for a in expr.args)) if expr.args else set()

    def mentions(self, expr: sp.Basic) -> bool:
        """Whether ``expr`` uses index notation: a sum, δ, or a name with an index letter."""
        if expr.has(sp.Sum, sp.KroneckerDelta):
            return True
        return bool(self.free(expr))

    def instance(self, expr: sp.Basic, env: Mapping[str, int], arrays: bool = True) -> Any:
        """``expr`` with its sums written out and its indices replaced by ``env``'s values; an
        array is the matrix of its entries as index notation names them (w: w_1, w_2; x_i
        at i = 2: x_{2,1}, x_{2,2}), and a 1×1 result is its one entry. Where an array is
        an argument (f(x), a derivative by x: ``arrays`` False) it stays a name, sized."""
        if isinstance(expr, sp.Dummy) or (not expr.args and not isinstance(expr, sp.Symbol)):
            return expr
        if isinstance(expr, sp.Symbol):
            return self._symbol(expr, env)
        if isinstance(expr, sp.MatrixSymbol) and arrays:
            return _one_entry(self._array(expr, env))
        if isinstance(expr, sp.Sum):
            return self._sum(expr, env, arrays)
        if isinstance(expr, sp.Limit):
            raise Unsupported("a limit in index notation is not instantiated")
        if isinstance(expr, AppliedUndef) or (isinstance(expr, sp.Derivative) and any(
                isinstance(v, sp.MatrixSymbol) for v, _ in expr.variable_count)):
            arrays = False
        args = [self.instance(a, env, arrays) for a in expr.args]
        if arrays and (any(isinstance(a, sp.MatrixBase) for a in args) or
                       isinstance(expr, sp.MatrixExpr | sp.Trace)):
            return _one_entry(_explicit(expr, args))
        return expr.func(*args)

    def _array(self, symbol: sp.MatrixSymbol, env: Mapping[str, int]) -> sp.Matrix:
        """A declared array at the instance's sizes, its entries named as index notation
        writes them."""
        rows, cols = (self.instance(size, env) for size in (symbol.rows, symbol.cols))
        if not (isinstance(rows, sp.Integer) and isinstance(cols, sp.Integer)):
            raise Unsupported(f"{pretty_name(symbol.name)} has no size here: give [settings] "
                              "sizes")
        slots = self.slots(symbol.name)
        if slots is not None and slots.example:  # W^(l): a layer's array, named as written
            slots = None
        base = slots.base if slots is not None else symbol.name
        layer = slots.layer if slots is not None else ""
        fixed = self._slot_values(slots, env, symbol.name) if slots is not None else []
        shape = (int(rows), int(cols))
        return sp.Matrix(*shape, lambda r, c: self._entry_symbol(base, layer, fixed, r, c,
                                                                 shape))

    def _entry_symbol(self, base: str, layer: str, fixed: Sequence[int], row: int, col: int,
                      shape: tuple[int, int]) -> sp.Symbol:
        """Entry (row, col), counted from 0, of an array of that shape, as index notation
        names it: one index for a vector (w_2), two for a matrix (O_{1,2}), after the values
        of the array's own slots (x_i at i = 2: x_{2,1})."""
        at = [row + 1] if shape[1] == 1 else [col + 1] if shape[0] == 1 else [row + 1, col + 1]
        where = [*fixed, *at]
        positions = tuple(str(k) for k in range(len(where)))  # slots named by position
        return self.instance_symbol(_Slots(base, positions, layer), where)

    def _slot_values(self, slots: _Slots, env: Mapping[str, int], name: str) -> list[int]:
        """The values of a name's index slots: a number as written, a letter from ``env``."""
        values = []
        for slot in slots.slots:
            if slot.isdigit():
                values.append(int(slot))
            elif slot in env:
                values.append(env[slot])
            else:
                raise Unsupported(f"the index {slot} of {name} is not bound here")
        return values

    def written_out(self, expr: sp.Basic, env: Mapping[str, int]) -> Any:
        """:meth:`instance`, where arrays beside entries written by index (w as a vector and
        w_j) that SymPy cannot rebuild once the indices have values are Unsupported."""
        try:
            return self.instance(expr, env)
        except (TypeError, NotImplementedError, AttributeError, ValueError) as error:
            raise Unsupported(f"cannot write the claim out with the indices' values: arrays "
                              f"and indexed entries mixed ({error})") from None

    def _symbol(self, symbol: sp.Symbol, env: Mapping[str, int]) -> sp.Expr:
        name = symbol.name
        if name in env:
            return sp.Integer(env[name])
        if name in self.indices:
            raise Unsupported(f"the index {name} is not bound here")
        if name in self.indices.values():
            return sp.Integer(self.size(name))
        if name in self.sizes:
            return sp.Integer(self.sizes[name])
        slots = self.slots(name)
        if slots is None:
            return symbol
        return self.instance_symbol(slots, self._slot_values(slots, env, name))

    def _sum(self, node: sp.Sum, env: Mapping[str, int], arrays: bool = True) -> sp.Expr:
        def written(env: Mapping[str, int], limits: Sequence[Any]) -> sp.Expr:
            if not limits:
                return self.instance(node.function, env, arrays)
            index, low, high = limits[-1]
            first, last = self.instance(low, env), self.instance(high, env)
            if not (isinstance(first, sp.Integer) and isinstance(last, sp.Integer)):
                raise Unsupported(f"the sum over {index} has no size: give "
                                  "[settings] sizes = { ... } for its limit")
            terms = [written({**env, str(index): k}, limits[:-1])
                     for k in range(int(first), int(last) + 1)]
            if any(isinstance(term, sp.MatrixBase) for term in terms):
                return _one_entry(_explicit(sp.MatAdd(), terms))
            return sp.Add(*terms)

        return written(env, node.limits)

    def definitions(self, definitions: Mapping[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, sp.Expr]:
        """The file's definitions at this size: ``p_j = …`` gives p_1, p_2, p_3."""
        found: dict[sp.Symbol, sp.Expr] = {}
        for symbol, value in definitions.items():
            slots = self.slots(symbol.name)
            letters = [s for s in slots.slots if not s.isdigit()] if slots else []
            if not letters and self.free(value):
                self.by_claim[symbol] = value
                continue
            for values in itertools.product(*(self.values(letter) for letter in letters)):
                env = dict(zip(letters, values, strict=True))
                try:
                    target = self._symbol(symbol, env) if slots else symbol
                    if slots and slots.base in self.context.families and not slots.layer and \
                            not slots.example:
                        # dy_i = ∂L/∂y_i where the steps write dy_i as an entry of the
                        # family dy (dy[1]): the definition gives that entry
                        at = [int(s) if s.isdigit() else env[s] for s in slots.slots]
                        target = self.context.family(slots.base)[tuple(at)]
                    written = self.written_out(value, env)
                    if isinstance(written, sp.MatrixBase):
                        # O = AV: its entries O_{1,2}, … as index notation names them
                        found.update(self._entries(target.name, written))
                    else:
                        found[target] = written
                except Unsupported as error:
                    self.unwritten.setdefault(symbol, str(error))
                    continue
        return found

    def _entries(self, name: str, value: sp.MatrixBase) -> dict[sp.Symbol, sp.Expr]:
        """An array's entries by the names index notation gives them (O_{1,2})."""
        rows, cols = value.shape
        return {self._entry_symbol(name, "", (), row, col, (rows, cols)): value[row, col]
                for row in range(rows) for col in range(cols)}

    def at(self, env: Mapping[str, int]) -> dict[sp.Symbol, sp.Expr]:
        """The definitions indexed by the claim's letters (``by_claim``) at one instance;
        one whose letters the claim leaves free is not given."""
        found: dict[sp.Symbol, sp.Expr] = {}
        for symbol, value in self.by_claim.items():
            if self.free(value) <= set(env):
                try:
                    found[symbol] = self.written_out(value, env)
                except Unsupported:
                    continue
        return found

    def assignments(self, free: Sequence[str]) -> list[dict[str, int]]:
        """Values of the free indices: every combination, or one per pattern of equalities."""
        ranges = [self.values(index) for index in free]
        total = 1
        for values in ranges:
            total *= len(values)
        if total <= MAX_INSTANCES:
            return [dict(zip(free, c, strict=True)) for c in itertools.product(*ranges)]
        found = []
        for pattern in _patterns(len(free)):
            chosen = [ranges[k][block % len(ranges[k])] for k, block in enumerate(pattern)]
            found.append(dict(zip(free, chosen, strict=True)))
        return found

    def conditions(self, relation: Any,
                   env: Mapping[str, int]) -> list[bool | dict[sp.Symbol, sp.Expr]]:
        """An assumption at one instance; an index the claim leaves free in it holds for
        every value (``x_{i1} = 1``: for every i)."""
        sides = relation.sides[:2]
        extra = sorted(set().union(*(self.free(side) for side in sides)) - set(env))
        return [self.condition(relation, {**env, **dict(zip(extra, values, strict=True))})
                for values in itertools.product(*(self.values(index) for index in extra))]

    def label_solutions(self, relations: Sequence[Any], env: Mapping[str, int]
                        ) -> list[dict[sp.Symbol, sp.Expr]] | None:
        """The assumptions at one instance, when every symbol they involve takes values in a
        finite set (labels y_k ∈ {0,1}): each assignment of those symbols that satisfies them
        all (Y_i = 1 and Σ_k Y_k = 1 at C = 3: the one-hot vector hot at i). None when a
        symbol is not discrete, an index is left free, or there are too many assignments."""
        differences: list[tuple[sp.Expr, str]] = []
        for relation in relations:
            sides = relation.sides[:2]
            if set().union(*(self.free(side) for side in sides)) - set(env):
                return None
            left, right = (self.instance(side, env) for side in sides)
            operator = relation.operators[0] if relation.operators else "="
            if operator not in ("=", "≠"):
                return None
            differences.append((sp.expand(left - right), operator))
        symbols = sorted(set().union(*(d.free_symbols for d, _ in differences)),
                         key=lambda s: s.name)
        if not symbols:
            return None
        choices: list[tuple[sp.Expr, ...]] = []
        for symbol in symbols:
            info = self.made.get(symbol.name) or self.context.symbols.get(symbol.name)
            if info is None or not isinstance(info.domain, Discrete):
                return None
            choices.append(tuple(sp.Rational(v.numerator, v.denominator)
                                 for v in info.domain.values))
        if math.prod(len(c) for c in choices) > _MAX_LABEL_ASSIGNMENTS:
            return None
        solutions = []
        for values in itertools.product(*choices):
            assignment = dict(zip(symbols, values, strict=True))
            if all((d.xreplace(assignment) == 0) == (operator == "=")
                   for d, operator in differences):
                solutions.append(assignment)
        return solutions

    def condition(self, relation: Any, env: Mapping[str, int]) -> bool | dict[sp.Symbol, sp.Expr]:
        """An assumption at one instance: True/False for a relation between indices, else
        the substitution that solves its equation for one symbol."""
        left, right = (self.instance(side, env) for side in relation.sides[:2])
        operator = relation.operators[0] if relation.operators else "="
        if not (left - right).free_symbols:
            holds = sp.simplify(left - right) == 0
            return bool(holds) if operator == "=" else not holds
        difference = sp.expand(left - right)
        for symbol in sorted(difference.free_symbols, key=lambda s: s.name, reverse=True):
            slope = sp.diff(difference, symbol)
            if slope.is_number and slope != 0 and not (difference - slope * symbol).has(symbol):
                return {symbol: sp.expand(symbol - difference / slope)}
        raise Unsupported(f"cannot solve the assumption {text(left)} = {text(right)} for one "
                          "symbol")


def _instance_name(slots: _Slots, values: Sequence[int]) -> str:
    """The name of an instance: x_{2,1}; an example index back in its layer: Y_2^(1)."""
    if slots.example:
        *subscripts, example = values
        inner = _instance_name(_Slots(slots.base, slots.slots[:-1]), subscripts) \
            if subscripts else slots.base
        return f"{inner}^({example})"
    script = str(values[0]) if len(values) == 1 else "{" + ",".join(map(str, values)) + "}"
    return f"{slots.base}_{script}{slots.layer}"


def _patterns(count: int) -> Iterator[tuple[int, ...]]:
    """Restricted growth strings: every way of making ``count`` indices equal or distinct."""
    def grow(prefix: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        if len(prefix) == count:
            yield prefix
            return
        for block in range(max(prefix, default=-1) + 2):
            yield from grow((*prefix, block))

    return grow(())


def _env_text(env: Mapping[str, int], frame: Frame) -> str:
    sizes = {count: frame.size(count) for count in sorted(set(frame.indices.values()))}
    parts = [f"{name} = {value}" for name, value in sizes.items()]
    return ", ".join(parts + [f"{name} = {value}" for name, value in sorted(env.items())])


def _with_indices(outcome: Any, env: Mapping[str, int], frame: Frame) -> Any:
    """A counterexample's point with the indices and sizes of its instance (for one found
    with arrays, the indices beside its sizes)."""
    if isinstance(outcome, DiffersAtSizes):
        return replace(outcome, sizes=tuple(sorted({*outcome.sizes, *env.items()})))
    if not isinstance(outcome, Refuted):
        return outcome
    sizes = {count: frame.size(count) for count in set(frame.indices.values())}
    extra = tuple((name, str(value)) for name, value in {**sizes, **env}.items())
    return replace(outcome, point=tuple(sorted(outcome.point + extra)))


def _one_entry(value: Any) -> Any:
    """A 1×1 matrix as its one entry (wᵀx_i inside exp(…) is a number)."""
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


def _as_matrix(value: Any, shape: tuple[int, int]) -> sp.Matrix:
    """A number beside an array, as the array of that shape with it in every entry."""
    if isinstance(value, sp.MatrixBase):
        return value
    return sp.Matrix(*shape, lambda r, c: value)


def _explicit(expr: sp.Basic, args: Sequence[Any]) -> Any:
    """An array operation on explicit matrices (and numbers): the matrix it gives."""
    from sympy.matrices.expressions.diagonal import DiagMatrix

    def product(a: Any, b: Any) -> Any:
        if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
            if a.shape[1] == b.shape[0]:
                return a * b
            if a.shape == (1, 1) or b.shape == (1, 1):
                return _one_entry(a) * _one_entry(b)
            raise Unsupported(f"a product of a {a.shape[0]}×{a.shape[1]} and a "
                              f"{b.shape[0]}×{b.shape[1]} array does not conform")
        return a * b

    def elementwise(a: Any, b: Any, operation: Any) -> Any:
        shape = a.shape if isinstance(a, sp.MatrixBase) else getattr(b, "shape", None)
        if shape is None:
            return operation(a, b)
        left, right = _as_matrix(a, shape), _as_matrix(b, shape)
        if left.shape != right.shape:
            raise Unsupported("an entrywise operation on arrays of different shapes")
        return sp.Matrix(*shape, lambda r, c: operation(left[r, c], right[r, c]))

    if isinstance(expr, sp.Transpose):
        (value,) = args
        return value.T if isinstance(value, sp.MatrixBase) else value
    if isinstance(expr, sp.HadamardProduct):
        return functools.reduce(lambda a, b: elementwise(a, b, operator.mul), args)
    if isinstance(expr, sp.HadamardPower):
        return elementwise(args[0], args[1], lambda a, b: a**b)
    if isinstance(expr, sp.MatMul | sp.Mul):
        return functools.reduce(product, args)
    if isinstance(expr, sp.MatAdd | sp.Add):
        return functools.reduce(lambda a, b: elementwise(a, b, operator.add), args)
    if isinstance(expr, sp.Trace):
        (value,) = args
        return value.trace() if isinstance(value, sp.MatrixBase) else value
    if isinstance(expr, ElementwiseApplyFunction):
        function, value = args
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(function)
        return function(value)
    if isinstance(expr, DiagMatrix):
        (value,) = args
        if isinstance(value, sp.MatrixBase) and 1 in value.shape:
            return sp.diag(*value)
        raise Unsupported("diag of an array that is not a vector")
    if isinstance(expr, sp.Pow) and isinstance(args[0], sp.MatrixBase) and \
            args[0].shape == (1, 1):
        return args[0][0, 0] ** args[1]
    raise Unsupported(f"{type(expr).__name__} of an array is not written out entry by entry")


def decide(lhs: sp.Expr, rhs: sp.Expr, frame: Frame, definitions: Mapping[sp.Symbol, sp.Expr],
           assume: Sequence[tuple[str, Any]], scalar: Scalar, seconds: float) -> Decision:
    """Decide an index claim instance by instance (see the module docstring). ``assume``
    holds each assumption's text and its relation as read."""
    deadline = time.monotonic() + seconds
    free = sorted(frame.free(lhs) | frame.free(rhs))
    try:
        written = frame.definitions(definitions)
        unwritten = sorted(set(frame.unwritten) & (lhs.free_symbols | rhs.free_symbols),
                           key=str)
        if unwritten:
            # S_ij = Q_ia K_ja/√d_k with k bound nowhere in it: without its definition S_{1,1}
            # would be a free name, and a value given to it no counterexample
            name = pretty_name(str(unwritten[0]))
            return Decision(Verdict.UNDECIDED, message=(
                f"the definition of {name} cannot be written out at the indices' values "
                f"({frame.unwritten[unwritten[0]]}): the claim is not decided without it"))
        envs = frame.assignments(free)
        plain = _run(lhs, rhs, frame, written, envs, {}, scalar, deadline)
        if plain.verdict == Verdict.CHECKED:
            plain = _again_larger(lhs, rhs, frame, definitions, plain, scalar, deadline)
        if plain.verdict != Verdict.REFUTED or not assume:
            return plain
        kept: list[dict[str, int]] = []
        substitutions: list[dict[sp.Symbol, sp.Expr]] = []
        for env in envs:
            labels = frame.label_solutions([relation for _, relation in assume], env)
            if labels is not None:
                # labels in a finite set (a one-hot Y): every assignment the assumptions allow
                kept.extend(env for _ in labels)
                substitutions.extend(labels)
                continue
            found = [c for _, relation in assume for c in frame.conditions(relation, env)]
            if all(c is not False for c in found):
                kept.append(env)
                merged: dict[sp.Symbol, sp.Expr] = {}
                for c in found:
                    if isinstance(c, dict):
                        merged.update(c)
                substitutions.append(merged)
        if not kept:
            # refuted only where the assumptions fail: a counterexample to nothing claimed
            return Decision(Verdict.UNDECIDED, message=(
                f"false in general ({_refuted_text(plain.outcome)}); the assumptions hold at "
                "none of the instances tried, so the claim is not decided under them"))
        under = []
        for done, (env, subs) in enumerate(zip(kept, substitutions, strict=True)):
            share = (deadline - time.monotonic()) / (len(kept) - done)
            under.append(_run(lhs, rhs, frame, written, [env], subs, scalar,
                              time.monotonic() + share))
    except Unsupported as error:
        return Decision(Verdict.UNDECIDED, message=f"index notation: {error}")
    wrong = next((u for u in under if u.verdict == Verdict.REFUTED), None)
    if wrong is not None:
        # false where the assumptions hold: that counterexample, with the values they fix
        at = substitutions[under.index(wrong)]
        point = tuple((pretty_name(str(k)), str(v)) for k, v in at.items())
        outcome = wrong.outcome
        if isinstance(outcome, Refuted) and point:
            outcome = replace(outcome, point=tuple(sorted(outcome.point + point)))
        return replace(wrong, outcome=outcome)
    if all(u.verdict == Verdict.CHECKED for u in under):
        texts = "; ".join(text for text, _ in assume)
        count = sum(int(u.outcome.samples) for u in under if u.outcome is not None)
        outcome = replace(under[0].outcome, samples=count)
        return Decision(Verdict.CONDITIONAL, outcome, assumption=texts,
                        message=f"false in general ({_refuted_text(plain.outcome)}); holds when "
                        f"{texts}, at every instance kept ({len(kept)} of {len(envs)})")
    # refuted without the assumptions, and not decided with them: the counterexample may
    # break an assumption, so it refutes nothing the claim says
    return Decision(Verdict.UNDECIDED, message=(
        f"false in general ({_refuted_text(plain.outcome)}); not decided where "
        f"{'; '.join(text for text, _ in assume)}"))


def _again_larger(lhs: sp.Expr, rhs: sp.Expr, frame: Frame,
                  definitions: Mapping[sp.Symbol, sp.Expr], first: Decision, scalar: Scalar,
                  deadline: float) -> Decision:
    """A claim that holds at the first sizes, instantiated again with every size one larger
    (``\\sum_j j = 6`` holds at C = 3 only). Its refutation decides; otherwise ``first``."""
    counts = sorted(set(frame.indices.values()))
    if not counts or _written_at_fixed_size(lhs, rhs, frame, definitions):
        return first
    larger = Frame(frame.context, {**frame.sizes, **{c: frame.size(c) + 1 for c in counts}},
                   examples=frame.examples)
    free = sorted(larger.free(lhs) | larger.free(rhs))
    second = _run(lhs, rhs, larger, larger.definitions(definitions), larger.assignments(free),
                  {}, scalar, deadline)
    frame.made.update(larger.made)
    if second.verdict == Verdict.REFUTED:
        return second
    if second.verdict == Verdict.CHECKED:
        before = ", ".join(f"{c} = {frame.size(c)}" for c in counts)
        after = ", ".join(f"{c} = {larger.size(c)}" for c in counts)
        return replace(first, message=first.message.replace(
            f"checked at {before}", f"checked at {before} and at {after}", 1))
    return first


def _written_at_fixed_size(lhs: sp.Expr, rhs: sp.Expr, frame: Frame,
                           definitions: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """Whether the file writes out entries of a family the claim indexes by a letter
    (z = θ₀ + θ₁x₁ + θ₂x₂ for a claim in θᵢ, xᵢ): its size is then the one written, and a
    larger instance would be a claim about entries the file never defines."""
    def bases(expr: sp.Basic, numbered: bool) -> set[str]:
        found = set()
        for symbol in expr.free_symbols:
            slots = frame.slots(symbol.name) if isinstance(symbol, sp.Symbol) else None
            if slots is not None and all(s.isdigit() for s in slots.slots) == numbered:
                found.add(slots.base)
        return found

    lettered = bases(lhs, False) | bases(rhs, False)
    if not lettered:
        return False
    written = set().union(bases(lhs, True), bases(rhs, True),
                          *(bases(value, True) for value in definitions.values()))
    return bool(lettered & written)


def _refuted_text(outcome: Any) -> str:
    point = ", ".join(f"{pretty_name(str(name))} = {value}" for name, value in outcome.point)
    if isinstance(outcome, DiffersAtSizes):  # an instance decided over arrays
        return f"entry {outcome.entry} at {point}: {outcome.claimed} ≠ {outcome.true}"
    return f"at {point}: {outcome.lhs_value} ≠ {outcome.rhs_value}"


def _run(lhs: sp.Expr, rhs: sp.Expr, frame: Frame, written: Mapping[sp.Symbol, sp.Expr],
         envs: Sequence[dict[str, int]], substitution: Mapping[sp.Symbol, sp.Expr],
         scalar: Scalar, deadline: float) -> Decision:
    """Every instance in ``envs``: the first that does not hold decides; else ``checked``."""
    exact, samples, worst = True, 0, 0.0
    definitions = {s: v.xreplace(substitution) for s, v in written.items()}
    for done, env in enumerate(envs):
        left = frame.written_out(lhs, env).xreplace(substitution)
        right = frame.written_out(rhs, env).xreplace(substitution)
        context = frame.context.with_symbols(*frame.made.values())
        share = max(0.0, deadline - time.monotonic()) / (len(envs) - done)
        if share <= 0:
            return Decision(Verdict.UNDECIDED, message=f"the budget ran out after {done} of "
                            f"{len(envs)} instances")
        at_env = {s: v.xreplace(substitution) for s, v in frame.at(env).items()}
        link = scalar(left, right, {**definitions, **at_env}, context, share)
        where = _env_text(env, frame)
        if link.verdict == Verdict.REFUTED:
            return Decision(Verdict.REFUTED, _with_indices(link.outcome, env, frame))
        if not link.verdict.holds:
            return Decision(link.verdict, link.outcome,
                            message=f"at {where}: {link.message or link.verdict}")
        outcome = link.outcome
        exact &= isinstance(outcome, Proved)
        samples += int(getattr(outcome, "samples", 0))
        worst = max(worst, float(getattr(outcome, "max_difference", 0.0)))
    sizes = tuple(sorted({(c, frame.size(c)) for c in frame.indices.values()}))
    names = ", ".join(sorted({i for env in envs for i in env}))
    how = "each proved symbolically" if exact else "each proved or checked at sample points"
    every = f" for every {names} in range ({len(envs)} instances, {how})" if names else \
        f" ({how})"
    size_text = ", ".join(f"{c} = {n}" for c, n in sizes)
    given = frame.at(envs[0]) if frame.by_claim and envs else {}
    read = "" if not given else \
        f"; {', '.join(sorted(pretty_name(str(s)) for s in given))} read with the claim's " \
        "index (its definition writes one)"
    return Decision(Verdict.CHECKED, CheckedAtSizes(sizes, samples, worst, exact),
                    message=f"checked at {size_text}{every}; not proved for every size{read}")
