"""Lowering: the reader's SymPy expressions turned into the lowered tree, with aliases, declared
functions and defined names resolved; a construct the matrix checks do not read raises
``Unsupported``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions import MatrixExpr
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive.core.errors import DeriveError
from derive.core.functions import ML_FUNCTIONS, sigmoid
from derive.read.latex import Differential, Grid, Juxtaposition, Stacked
from derive.read.latex import Softmax as SoftmaxNode
from derive.verify.shapes.ir import (
    Add,
    Der,
    Diag,
    Dif,
    Frob,
    Func,
    Had,
    Hess,
    Literal,
    Node,
    Num,
    Ones,
    Pow,
    Prod,
    Softmax,
    Sym,
    T,
    Total,
)
from derive.verify.shapes.ir import Grid as GridNode
from derive.verify.shapes.ir import Stacked as StackedNode


class Unsupported(DeriveError):
    """A construct the matrix checks do not read."""


_VARIABLE = sp.Symbol("t_", real=True)


def _is_array(value: object) -> bool:
    if isinstance(value, MatrixExpr):
        return True
    return isinstance(value, sp.Basic) and bool(value.atoms(sp.MatrixSymbol))


@dataclass
class Lowering:
    """Turns the reader's SymPy expressions into the lowered tree, resolving aliases
    (name → name), declared functions (``f(t) = relu(t)``) and defined names called as
    functions (``J(w)`` is J)."""

    aliases: Mapping[str, str]
    functions: Mapping[str, sp.Lambda]
    defined: frozenset[str]

    def name(self, name: str) -> str:
        return self.aliases.get(name, name)

    def lower(self, expr: Any) -> Node:
        if isinstance(expr, sp.Symbol | sp.MatrixSymbol):
            return Sym(self.name(str(expr.name)))
        if isinstance(expr, sp.MatrixBase):
            return Literal(tuple(tuple(self.lower(expr[i, j]) for j in range(expr.cols))
                                 for i in range(expr.rows)))
        if isinstance(expr, Stacked):
            body, index, low, high = expr.args
            return StackedNode(self.lower(body), str(index.name), self.lower(low),
                               self.lower(high))
        if isinstance(expr, Grid):
            diagonal, other, row, column, low, high = expr.args
            return GridNode(self.lower(diagonal), self.lower(other), str(row.name),
                            str(column.name), self.lower(low), self.lower(high))
        if isinstance(expr, Differential):
            return Dif(self.lower(expr.args[0]))
        if isinstance(expr, sp.OneMatrix):
            return Ones()
        if isinstance(expr, sp.Transpose):
            inner = expr.args[0]
            if isinstance(inner, sp.OneMatrix):
                return Ones()
            return T(self.lower(inner))
        if isinstance(expr, sp.MatMul):
            factors = tuple(self.lower(a) for a in expr.args)
            arrays = tuple(_is_array(a) for a in expr.args)
            return Prod(factors, arrays, isinstance(expr, Juxtaposition))
        if isinstance(expr, sp.MatAdd | sp.Add):
            return Add(tuple(self.lower(a) for a in expr.args))
        if isinstance(expr, sp.Mul):
            return Prod(tuple(self.lower(a) for a in expr.args),
                        tuple(False for _ in expr.args))
        if isinstance(expr, sp.HadamardProduct):
            return Had(tuple(self.lower(a) for a in expr.args))
        if isinstance(expr, sp.HadamardPower | sp.Pow):
            return Pow(self.lower(expr.args[0]), self.lower(expr.args[1]))
        if isinstance(expr, sp.Trace):
            inner = expr.args[0]
            if (isinstance(inner, sp.MatMul) and len(inner.args) == 2
                    and isinstance(inner.args[0], sp.Transpose)):
                return Frob(self.lower(inner.args[0].args[0]), self.lower(inner.args[1]))
            raise Unsupported("a trace other than a Frobenius product a : b is not read")
        if isinstance(expr, ElementwiseApplyFunction):
            function = self.scalar_function(expr.function)
            name = _written_name(expr.function) or _function_name(function)
            return Func(function, self.lower(expr.args[1]), name)
        if isinstance(expr, SoftmaxNode):
            return Softmax(self.lower(expr.args[0]))
        if isinstance(expr, DiagMatrix):
            return Diag(self.lower(expr.args[0]))
        if isinstance(expr, sp.Derivative):
            counts = expr.variable_count
            if len(counts) > 1 and all(isinstance(v, sp.Symbol) for v, _ in counts):
                # ∂²f/∂x₁∂x₂ by two scalars (entries of a vector): one derivative after another
                lowered = self.lower(expr.expr)
                for scalar, count in counts:
                    for _ in range(int(count)):
                        lowered = Der(lowered, self.name(str(scalar.name)))
                return lowered
            variable, order = counts[0][0], sum(count for _, count in counts)
            if any(v != variable for v, _ in counts) or order > 2:
                raise Unsupported("only first derivatives, and second derivatives by one "
                                  "vector (Hessians), are read on arrays")
            if not isinstance(variable, sp.Symbol | sp.MatrixSymbol):
                raise Unsupported(f"the variable of a derivative must be a name: {variable}")
            name = self.name(str(variable.name))
            if order == 2 and isinstance(variable, sp.MatrixSymbol):
                return Hess(self.lower(expr.expr), name)
            inner = self.lower(expr.expr)
            return Der(Der(inner, name), name) if order == 2 else Der(inner, name)
        if isinstance(expr, sp.Subs):
            (variable,), (point,) = expr.variables, expr.point
            written = sp.Lambda(variable, expr.expr)
            function = self.scalar_function(written)
            name = _written_name(written) or _function_name(function)
            return Func(function, self.lower(point), name)
        if isinstance(expr, sp.Sum):
            total = self.lower(expr.function)
            for index, low, high in expr.limits:  # Σᵢ Σⱼ as one Sum: the first innermost
                total = Total(total, str(index.name), self.lower(low), self.lower(high))
            return total
        if isinstance(expr, AppliedUndef):
            name = self.name(str(expr.func.__name__))
            defined = self.functions.get(name)
            if defined is not None and any(isinstance(v, sp.MatrixSymbol)
                                           for v in defined.variables):
                # C(β) = −yᵀlog σ(Xβ) − …, a function of an array: its formula at the argument
                if len(expr.args) != len(defined.variables):
                    raise Unsupported(f"{name} takes {len(defined.variables)} arguments")
                return self.lower(defined.expr.xreplace(dict(zip(defined.variables, expr.args,
                                                                 strict=True))))
            if name in self.functions or name in ML_FUNCTIONS or name == "sigma":
                if len(expr.args) != 1:
                    raise Unsupported(f"{name} takes one argument")
                function = self.scalar_function(sp.Lambda(_VARIABLE, expr.func(_VARIABLE)))
                return Func(function, self.lower(expr.args[0]), _function_name(function))
            if name in self.defined:
                return Sym(name)
            if name == "diag" and len(expr.args) == 1:  # diag(p), p defined as a vector
                return Diag(self.lower(expr.args[0]))
            raise Unsupported(f"{name} is not defined")
        if isinstance(expr, sp.Function) and expr.args:
            rest = expr.args[1:]
            if any(_is_array(a) or a.free_symbols for a in rest):
                raise Unsupported(f"cannot read {type(expr).__name__} on arrays")
            function = sp.Lambda(_VARIABLE, expr.func(_VARIABLE, *rest))
            return Func(function, self.lower(expr.args[0]), _function_name(function))
        if isinstance(expr, sp.Basic) and (expr.is_Number or expr.is_NumberSymbol):
            return Num(expr)
        raise Unsupported(f"cannot read {type(expr).__name__} in a matrix claim")

    def scalar_function(self, function: sp.Lambda) -> sp.Lambda:
        """A function of one scalar with declared functions (and aliases) written in."""
        (variable,) = function.variables
        body = function.expr.xreplace({variable: _VARIABLE})

        def applied(node: sp.Basic) -> bool:
            return isinstance(node, AppliedUndef)

        def resolve(node: sp.Basic) -> sp.Basic:
            name = self.name(str(node.func.__name__))
            if name in self.functions:
                return self.functions[name](*node.args)
            if name == "sigma":
                return sigmoid(*node.args)
            if name in ML_FUNCTIONS:
                return ML_FUNCTIONS[name](*node.args)
            raise Unsupported(f"the function {name} is not defined")

        body = body.replace(applied, resolve)
        if body.has(sp.Derivative):
            body = body.doit()
        return sp.Lambda(_VARIABLE, body)


def _written_name(function: sp.Lambda) -> str | None:
    """The name a document wrote for a declared function or its derivative: f, f'."""
    (variable,) = function.variables
    body = function.expr
    primes = ""
    while isinstance(body, sp.Derivative) and len(body.variables) == 1:
        primes += "'"
        body = body.expr
    if isinstance(body, AppliedUndef) and body.args == (variable,):
        return f"{body.func.__name__}{primes}"
    return None


def _function_name(function: sp.Lambda) -> str:
    body = function.expr
    if isinstance(body, sp.Function) and body.args and body.args[0] == _VARIABLE:
        name = type(body).__name__
        return {"sigmoid": "σ", "Heaviside": "relu'"}.get(name, name)
    return str(body.xreplace({_VARIABLE: sp.Symbol("·")}))
