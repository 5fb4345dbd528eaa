"""Entrywise claims, for every size (stage 3): an expression that combines same-shaped arrays entry
by entry, written as a template about one entry; ``NotEntrywise`` where that reading fails."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import sympy as sp

from derive.core.context import size_expression
from derive.core.domains import Domain, make_symbol
from derive.verify.shapes.frame import Frame
from derive.verify.shapes.inference import Shapes, is_scalar, same_shape
from derive.verify.shapes.ir import (
    SCALAR,
    Add,
    Der,
    Dif,
    Frob,
    Func,
    Had,
    Node,
    Num,
    Ones,
    Pow,
    Prod,
    Shape,
    Sym,
    Total,
    walk,
)


class NotEntrywise(Exception):
    """The claim is not an entrywise claim (stage 3 does not apply)."""


@dataclass(frozen=True)
class Template:
    """An expression entry by entry: ``kind`` is "entry" (an array of ``shape`` whose entry is
    ``expr``), "total" (the sum over all entries of such an array) or "scalar"."""

    kind: str
    expr: sp.Expr
    shape: Shape = SCALAR


class Templates:
    """Stage 3: an entrywise claim written as the scalar claim about one entry."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.shapes = Shapes(frame)
        self.symbols: dict[str, sp.Symbol] = {}

    def symbol(self, name: str) -> sp.Symbol:
        if name not in self.symbols:
            self.symbols[name] = make_symbol(name, self.frame.domain(name))
        return self.symbols[name]

    def domains(self) -> dict[sp.Symbol, Domain]:
        return {s: self.frame.domain(n) for n, s in self.symbols.items()}

    def named(self, name: str, keep: frozenset[str], free: set[str]) -> Template:
        shape = self.shapes.of_name(name)
        definition = self.frame.definitions.get(name)
        if definition is not None and name not in keep:
            try:
                # the name kept whole inside its own definition: s = s(Xw) is no loop
                found = self.of(definition, keep | {name}, free, {})
                if found.kind == "entry" or is_scalar(shape):
                    return found
            except NotEntrywise:
                pass
        free.add(name)
        if is_scalar(shape):
            return Template("scalar", self.symbol(name))
        return Template("entry", self.symbol(name), shape)

    def of(self, node: Node, keep: frozenset[str], free: set[str],
           bound: Mapping[str, str]) -> Template:
        match node:
            case Sym(name):
                return self._sym(name, keep, free, bound)
            case Num(value):
                return Template("scalar", value)
            case Add(terms):
                return self._combine([self.of(t, keep, free, bound) for t in terms], sp.Add)
            case Prod(factors, arrays, _):
                parts: list[Template] = []
                kinds: list[bool] = []
                for k, (factor, array) in enumerate(zip(factors, arrays, strict=True)):
                    if isinstance(factor, Ones):
                        if k == len(factors) - 1:
                            raise NotEntrywise
                        continue
                    part = self.of(factor, keep, free, bound)
                    if k and isinstance(factors[k - 1], Ones):  # 𝟏ᵀv: the sum over a column
                        if part.kind != "entry" or part.shape[1] != 1:
                            raise NotEntrywise
                        part, array = Template("total", part.expr, part.shape), False
                    parts.append(part)
                    kinds.append(array)
                if sum(1 for p, a in zip(parts, kinds, strict=True)
                       if a and p.kind == "entry") > 1:
                    raise NotEntrywise  # a matrix product
                return self._combine(parts, sp.Mul)
            case Had(factors):
                return self._combine([self.of(f, keep, free, bound) for f in factors], sp.Mul)
            case Pow(base, exponent):
                return self._combine([self.of(base, keep, free, bound),
                                      self.of(exponent, keep, free, bound)],
                                     lambda a, b: sp.Pow(a, b))
            case Func(function, arg, _):
                inner = self.of(arg, keep, free, bound)
                if inner.kind == "total":
                    raise NotEntrywise
                return replace(inner, expr=function(inner.expr))
            case Frob(left, right):
                a, b = self.of(left, keep, free, bound), self.of(right, keep, free, bound)
                if a.kind != "entry" or b.kind != "entry" or not same_shape(a.shape, b.shape):
                    raise NotEntrywise
                return Template("total", a.expr * b.expr, a.shape)
            case Der(expr, var):
                return self._derivative(expr, var, keep, free, bound)
            case Dif(arg):
                return self._differential(arg, keep, free, bound)
            case Total(body, index, low, high):
                return self._total(body, index, low, high, keep, free, bound)
        raise NotEntrywise

    def _sym(self, name: str, keep: frozenset[str], free: set[str],
             bound: Mapping[str, str]) -> Template:
        base, _, index = name.rpartition("_")
        if base and index in bound:
            array = self.frame.entry_array(base)
            if array is None:
                raise NotEntrywise
            shape = self.shapes.of_name(array)
            bound_array = bound[index]
            if bound_array and bound_array != _vector_key(shape):
                raise NotEntrywise
            return self.named(array, keep, free)
        if self.frame.entry(name) is not None:
            raise NotEntrywise  # one entry (w_0) is not the same at every index
        return self.named(name, keep, free)

    def _combine(self, parts: list[Template], how: Callable[..., sp.Expr]) -> Template:
        kinds = {p.kind for p in parts}
        shapes = [p.shape for p in parts if p.kind != "scalar"]
        if shapes and not all(same_shape(shapes[0], s) for s in shapes):
            raise NotEntrywise
        shape = shapes[0] if shapes else SCALAR
        if kinds <= {"scalar"}:
            return Template("scalar", how(*[p.expr for p in parts]))
        if "total" in kinds:
            totals = sum(1 for p in parts if p.kind == "total")
            summed = how is sp.Add and "scalar" not in kinds  # Σa + Σb = Σ(a + b)
            scaled = how is sp.Mul and totals == 1  # c·Σa = Σ(c·a)
            if "entry" in kinds or not (summed or scaled):
                raise NotEntrywise
            return Template("total", how(*[p.expr for p in parts]), shape)
        return Template("entry", how(*[p.expr for p in parts]), shape)

    def _derivative(self, expr: Node, var: str, keep: frozenset[str], free: set[str],
                    bound: Mapping[str, str]) -> Template:
        inner_free: set[str] = set()
        function = self.of(expr, keep | {var}, inner_free, bound)
        if any(n != var and self.frame.depends(n, var) for n in inner_free):
            raise NotEntrywise  # a name left whole depends on the variable
        shape = self.shapes.of_name(var)
        variable = self.symbol(var)
        derivative = sp.diff(function.expr, variable)
        if is_scalar(shape):
            result = replace(function, expr=derivative)
        elif function.kind == "scalar" or same_shape(function.shape, shape):
            result = Template("entry", derivative, shape)
        else:
            raise NotEntrywise
        free.update(inner_free - {var})
        return self._written_in(result, var, keep, free)

    def _written_in(self, template: Template, var: str, keep: frozenset[str],
                    free: set[str]) -> Template:
        if var in keep or var not in self.frame.definitions:
            free.add(var)
            return template
        value = self.named(var, keep, free)
        if value.kind == "total":
            raise NotEntrywise
        return replace(template, expr=template.expr.xreplace({self.symbol(var): value.expr}))

    def _differential(self, arg: Node, keep: frozenset[str], free: set[str],
                      bound: Mapping[str, str]) -> Template:
        varying = self.frame.varying
        if not varying:
            raise NotEntrywise
        inner_free: set[str] = set()
        value = self.of(arg, keep | set(varying), inner_free, bound)
        if any(n not in varying and any(self.frame.depends(n, v) for v in varying)
               for n in inner_free):
            raise NotEntrywise
        total = sp.S.Zero
        for name in varying:
            shape = self.shapes.of_name(name)
            if value.kind != "scalar" and not is_scalar(shape) and \
                    not same_shape(value.shape, shape):
                raise NotEntrywise
            total += sp.diff(value.expr, self.symbol(name)) * self.symbol("d" + name)
        result = replace(value, expr=total)
        free.update(inner_free - set(varying))
        for name in varying:
            result = self._written_in(result, name, keep, free)
        return result

    def _total(self, body: Node, index: str, low: Node, high: Node, keep: frozenset[str],
               free: set[str], bound: Mapping[str, str]) -> Template:
        names = {self.frame.entry_array(n.name.rpartition("_")[0]) for n in walk(body)
                 if isinstance(n, Sym) and n.name.endswith("_" + index)}
        names.discard(None)
        if not names:
            raise NotEntrywise
        shapes = {self.shapes.of_name(a) for a in names if a is not None}
        if len(shapes) != 1:
            raise NotEntrywise
        (shape,) = shapes
        first = {self.frame.first_index(a) for a in names if a is not None}
        if len(first) != 1 or not isinstance(low, Num) or low.value != next(iter(first)):
            raise NotEntrywise
        length = shape[0] if shape[1] == 1 else shape[1] if shape[0] == 1 else None
        if length is None or not isinstance(high, Sym):
            raise NotEntrywise
        last = size_expression(high.name) if high.name.isidentifier() else None
        if last is None or sp.expand(last - low.value + 1 - length) != 0:
            raise NotEntrywise
        inner = self.of(body, keep, free, {**bound, index: _vector_key(shape)})
        if inner.kind == "total":
            raise NotEntrywise
        return Template("total", inner.expr, shape)


def _vector_key(shape: Shape) -> str:
    return f"{shape[0]}x{shape[1]}"
