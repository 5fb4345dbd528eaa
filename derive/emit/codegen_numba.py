"""The fused backend of ``derive codegen``: one pass over the rows of X, compiled by numba.

The NumPy module (:mod:`derive.emit.codegen`) computes the loss and its gradients array by
array: X·w, then σ, then Xᵀr, each a pass of its own over a block of rows. This backend
prints the same lines, from the same builder and with the same comments, as the body of a
loop over the rows of X: each example's logit, its one ``exp``, its loss and its residual
are numbers, and its terms of the gradients (Xᵢᵀ rᵢ, rᵢ) are added into partial sums while
its row of X is still in cache. Blocks of rows run in parallel (``numba.prange``), each
into its own partial sums, which are added in a fixed order at the end: the result does
not depend on the number of threads.

The backend fuses models whose intermediates are one number per example (the logistic
regression); a model with a vector per example (the mlp's hidden layer) is refused with
the reason. The module is checked before it is written exactly as the NumPy one is
(:func:`derive.emit.codegen.check_generated`): finite differences of its own loss, blocks
of rows against one block, and the symbolic gradient.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import tempfile
import types
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sympy as sp

from derive.core.arrays import Entrywise
from derive.core.errors import VerificationError
from derive.emit.codegen import (
    ATOM,
    PRODUCT,
    CheckReport,
    Generated,
    Line,
    UnsupportedByBackend,
    UnsupportedExpression,
    _Builder,
    _checked_source,
    _Code,
    _docstring,
    _Printer,
    _shown,
    _wrap,
    _wrapped_comment,
    check_generated,
    python_name,
    variable_of,
)
from derive.emit.render import text
from derive.engine.models import Model

_TOTAL = "_TOTAL_"
"""Stands for a sum over the rows in the code that finishes it (scales it)."""

LOGICAL = 20
"""The precedence of ``and`` and ``or``: below comparisons."""

INSTALL_HINT = ("--backend numba needs numba, which is not installed (or does not import): "
                "pip install numba (or pip install 'derive[numba]')")

_SCALAR_CALLS = {"np.exp": "math.exp", "np.log": "math.log", "np.log1p": "math.log1p",
                 "np.sqrt": "math.sqrt", "np.abs": "abs"}
"""NumPy calls on arrays and the math calls that do the same on one number."""
_PAIRWISE = {"np.maximum": "max", "np.minimum": "min"}


def numba_available() -> bool:
    """Whether numba can be imported (it is an optional dependency; an installation that
    fails to import, such as one built for another NumPy, counts as missing)."""
    try:
        importlib.import_module("numba")
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# the builder's lines, with the values they were printed from


class _RecordingBuilder(_Builder):
    """The NumPy builder, also keeping each line's symbolic value and the names known when
    it was printed (a later line may give a subexpression a name of its own)."""

    def __init__(self, model: Model, derivations: Mapping[str, Any], budget: float) -> None:
        self.values: dict[str, Any] = {}
        self.known: dict[str, dict[sp.Basic, str]] = {}
        self.exp_arguments: dict[str, sp.Expr] = {}
        super().__init__(model, derivations, budget)

    def _add(self, target: str, value: Any, comment: str, *, printed: _Code | None = None,
             reads: set[str] | None = None) -> None:
        self.values[target] = value
        self.known[target] = dict(self.names)
        super()._add(target, value, comment, printed=printed, reads=reads)

    def _exp_name(self, argument: sp.Expr) -> str:
        if argument not in self.exps:
            known = dict(self.names)
            name = super()._exp_name(argument)
            self.exp_arguments[name] = argument
            self.known[name] = known
            return name
        return super()._exp_name(argument)


# ---------------------------------------------------------------------------------------------
# one example's numbers: the NumPy printer with scalar forms


class _RowPrinter(_Printer):
    """Prints an entrywise template for one example: math calls on numbers, conditional
    expressions for np.where, max and min for np.maximum and np.minimum."""

    def _call(self, function: str, *arguments: Any) -> _Code:
        return super()._call(_SCALAR_CALLS.get(function, function), *arguments)

    def _pairwise(self, function: str, arguments: Sequence[sp.Expr]) -> _Code:
        ordered = sorted(arguments, key=lambda a: a.is_number)
        inside = ", ".join(self.code(a).text for a in ordered)
        return _Code(f"{_PAIRWISE[function]}({inside})", ATOM)

    def _print_Piecewise(self, expr: sp.Piecewise) -> _Code:
        *cases, (last, last_condition) = expr.args
        code = self.code(last).text
        if last_condition != sp.true:
            code = f"({code} if {self.code(last_condition).text} else math.nan)"
        for piece, condition in reversed(cases):
            code = f"({self.code(piece).text} if {self.code(condition).text} else {code})"
        return _Code(code, ATOM)

    def _logical(self, operator: str, arguments: Sequence[Any]) -> _Code:
        word = {" & ": " and ", " | ": " or "}[operator]
        return _Code(word.join(f"({self.code(a).text})" for a in arguments), LOGICAL)

    def _print_Not(self, expr: Any) -> _Code:
        return _Code(f"(not ({self.code(expr.args[0]).text}))", ATOM)

    def _print_Exp1(self, expr: Any) -> _Code:
        return _Code("math.e", ATOM)

    def _print_Pi(self, expr: Any) -> _Code:
        return _Code("math.pi", ATOM)

    def _print_relu(self, expr: sp.Expr) -> _Code:
        return _Code(f"max({self.code(expr.args[0]).text}, 0.0)", ATOM)

    def _print_Heaviside(self, expr: sp.Expr) -> _Code:
        u = self.code(expr.args[0]).text
        at_zero = self.code(expr.args[1] if len(expr.args) > 1 else sp.S.Half).text
        return _Code(f"(1.0 if {u} > 0 else ({at_zero} if {u} == 0 else 0.0))", ATOM)

    def _print_sigmoid(self, expr: sp.Expr) -> _Code:
        # σ(u) = where(u ≥ 0, 1, e)/(1 + e) with e = e^(−|u|): identity (6)
        u = self.code(expr.args[0]).text
        e = self._exp(expr.args[0])
        return _Code(f"(1.0 if {u} >= 0 else {e}) / (1.0 + {e})", PRODUCT)

    def _softplus_parts(self, expr: sp.Expr) -> tuple[str, str]:
        # softplus(u) = max(u, 0) + log1p(e) with e = e^(−|u|): identity (5)
        u = self.code(expr.args[0]).text
        return f"max({u}, 0.0)", f"math.log1p({self._exp(expr.args[0])})"

    def _entrywise_printer(self, expr: Entrywise) -> _Printer:
        inner = dict(self.names)
        for symbol, array in expr.binding().items():
            printed = self.code(array)
            if printed.precedence < ATOM:
                raise UnsupportedExpression(f"an entrywise template over {_shown(array)}")
            inner[symbol] = printed.text
        return _RowPrinter(inner, self.exp_name, self.reads)


# ---------------------------------------------------------------------------------------------
# the plan: each line of the builder as a statement for one row, or a sum over the rows


@dataclasses.dataclass(frozen=True)
class _Statement:
    """A line of the loop over rows: ``code`` computes a number of example i (``per_row``),
    or adds example i's term of a sum over the rows into the partial sum ``target``."""

    target: str
    code: str
    comment: str
    per_row: bool
    shape: tuple[str, ...] = ()
    finish: str = ""


class _Planner:
    """Turns the recorded lines into statements of the loop over rows."""

    def __init__(self, builder: _RecordingBuilder) -> None:
        self.builder = builder
        self.batch = builder.batch
        self.row_names: dict[sp.Basic, str] = {}
        self.sums: set[str] = set()
        self.data_matrices: dict[sp.Basic, str] = {}
        model = builder.model
        for argument in builder.arguments:
            variable = variable_of(model, argument)
            if not argument.data or variable.array is None:
                continue
            if len(argument.shape) == 1 and argument.shape[0] == self.batch:
                self.row_names[variable.array] = f"{argument.name}[i]"
                self.row_names[variable.symbol] = f"{argument.name}[i]"
            elif len(argument.shape) == 2 and argument.shape[0] == self.batch:
                self.data_matrices[variable.array] = argument.name
            else:
                raise UnsupportedByBackend(
                    f"the numba backend reads data one example per row; {argument.name} has "
                    f"shape {argument.shape}")

    def plan(self, lines: Sequence[Line]) -> list[_Statement]:
        """One statement per line, in order (the lines of one kernel)."""
        self.sums = set()
        return [self._statement(line) for line in lines]

    def _statement(self, line: Line) -> _Statement:
        builder = self.builder
        if line.target in builder.exp_arguments:
            argument = builder.exp_arguments[line.target]
            code = self._row_printer(line.target).code(argument).text
            return _Statement(line.target, f"math.exp(-abs({code}))", line.comment, True)
        if line.target == python_name(builder.model.output):
            return self._loss_sum(line)
        if line.target not in builder.values:  # a gradient that is an earlier line's value
            if line.code in self.sums or line.code not in {*builder.values,
                                                           *builder.exp_arguments}:
                raise UnsupportedByBackend(
                    f"the numba backend has no rule for {line.target} = {line.code}")
            return _Statement(line.target, line.code, line.comment, True)
        value = builder.values[line.target]
        if self.sums & line.reads:
            first = ", ".join(sorted(self.sums & line.reads))
            raise UnsupportedByBackend(
                f"the numba backend computes each example in one pass, and {line.target} "
                f"needs a sum over all the examples first ({first})")
        if isinstance(value, sp.MatrixExpr) and value.shape[0] == self.batch:
            if value.shape[1] != 1:
                raise UnsupportedByBackend(
                    f"the numba backend fuses models whose intermediates are one number per "
                    f"example; {text(line.target)} = {_shown(value)} is a vector of "
                    f"{text(value.shape[1])} numbers per example, which it has no loop for "
                    "(use the NumPy backend)")
            code = self._per_row(value, line.target)
            return _Statement(line.target, code, line.comment, True)
        return self._row_sum(line, value)

    def _row_printer(self, target: str) -> _RowPrinter:
        names = dict(self.builder.known[target])
        names.update(self.row_names)
        return _RowPrinter(names, self._exp_name, set())

    def _exp_name(self, argument: sp.Expr) -> str:
        if argument not in self.builder.exps:
            raise UnsupportedByBackend(f"no line computes e^(−|{_shown(argument)}|)")
        return self.builder.exps[argument]

    def _per_row(self, value: Any, target: str) -> str:
        """Code for example i's entry of a column over the batch."""
        printer = self._row_printer(target)
        if value in printer.names:
            return printer.names[value]
        if isinstance(value, sp.MatAdd):
            terms = sorted(value.args, key=lambda t: bool(t.atoms(sp.OneMatrix)))
            return " + ".join(self._per_row(t, target) for t in terms)
        if isinstance(value, sp.MatMul):
            scalars = [a for a in value.args if not isinstance(a, sp.MatrixExpr)]
            matrices = [a for a in value.args if isinstance(a, sp.MatrixExpr)]
            if len(matrices) == 1 and matrices[0] == sp.OneMatrix(self.batch, 1) and scalars:
                return printer.code(sp.Mul(*scalars)).text  # b𝟏: the scalar b in every row
            code = self._row_product(matrices, target)
            if scalars:
                factor = printer.code(sp.Mul(*scalars))
                code = f"{code} * {_wrap(factor, PRODUCT, strict=True)}"
            return code
        if isinstance(value, Entrywise):
            return printer.code(value).text
        raise UnsupportedByBackend(
            f"the numba backend has no rule for {_shown(value)} as one number per example")

    def _row_product(self, matrices: Sequence[Any], target: str) -> str:
        printer = self._row_printer(target)
        if len(matrices) == 2:
            left, right = matrices
            if isinstance(left, sp.OneMatrix) and right.shape == (1, 1):
                return printer.code(right).text  # 𝟏b: the scalar b in every row
            if left in self.data_matrices and right.shape[1] == 1 and right in printer.names:
                return f"_row_dot({self.data_matrices[left]}, i, {printer.names[right]})"
        shown = "·".join(_shown(m) for m in matrices)
        raise UnsupportedByBackend(
            f"the numba backend has no rule for the product {shown} as one number per example")

    def _loss_sum(self, line: Line) -> _Statement:
        builder = self.builder
        scale = builder.loss.scale
        marker = sp.Symbol(_TOTAL)
        printed = _Printer({**builder.names, marker: _TOTAL}, builder._exp_name, set()).code(
            scale * marker)
        self.sums.add(line.target)
        return _Statement(line.target, "ell", f"{line.comment}: this example's term of 𝟏ᵀℓ",
                          False, (), printed.text)

    def _row_sum(self, line: Line, value: Any) -> _Statement:
        """A gradient such as Xᵀ ∂L/∂z or 𝟏ᵀ ∂L/∂z: example i's term, added to its sum."""
        matrices = [a for a in value.args if isinstance(a, sp.MatrixExpr)] \
            if isinstance(value, sp.MatMul) else []
        scalars = [a for a in value.args if not isinstance(a, sp.MatrixExpr)] \
            if isinstance(value, sp.MatMul) else []
        if len(matrices) != 2:
            raise UnsupportedByBackend(
                f"the numba backend adds up gradients of the form Xᵀr or 𝟏ᵀr; "
                f"{text(line.target)} = {_shown(value)} is not one")
        left, right = matrices
        printer = _Printer(self.builder.known[line.target], self.builder._exp_name, set())
        factor = f" * {_wrap(printer.code(sp.Mul(*scalars)), PRODUCT, strict=True)}" \
            if scalars else ""
        term = self._per_row(right, line.target) if right.shape[0] == self.batch else None
        self.sums.add(line.target)
        if term is None:
            raise UnsupportedByBackend(
                f"the numba backend has no rule for {text(line.target)} = {_shown(value)}")
        if isinstance(left, sp.OneMatrix) and left.shape == (1, self.batch):
            return _Statement(line.target, term, f"{line.comment}: this example's term",
                              False, (), factor and f"{_TOTAL}{factor}")
        if isinstance(left, sp.Transpose) and left.arg in self.data_matrices:
            matrix = self.data_matrices[left.arg]
            size = printer.code(left.arg.shape[1]).text
            return _Statement(line.target, f"{matrix}, i, {term}",
                              f"{line.comment}: this example's term, row i of "
                              f"{text(matrix)} times its residual", False, (size,),
                              factor and f"{_TOTAL}{factor}")
        raise UnsupportedByBackend(
            f"the numba backend adds up gradients of the form Xᵀr or 𝟏ᵀr; "
            f"{text(line.target)} = {_shown(value)} is not one")


# ---------------------------------------------------------------------------------------------
# the module's source


_HELPERS = '''
@njit(cache=_CACHE, fastmath=False)
def _row_dot(X, i, v):
    """Σⱼ X[i, j]·v[j] as eight running sums over interleaved columns, added at the end:
    eight independent additions at a time instead of one chain, in a fixed order."""
    d = X.shape[1]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    whole = d - d % 8
    for j in range(0, whole, 8):
        s0 += X[i, j] * v[j]
        s1 += X[i, j + 1] * v[j + 1]
        s2 += X[i, j + 2] * v[j + 2]
        s3 += X[i, j + 3] * v[j + 3]
        s4 += X[i, j + 4] * v[j + 4]
        s5 += X[i, j + 5] * v[j + 5]
        s6 += X[i, j + 6] * v[j + 6]
        s7 += X[i, j + 7] * v[j + 7]
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for j in range(whole, d):
        total += X[i, j] * v[j]
    return total


@njit(cache=_CACHE, fastmath=False)
def _add_row(total, X, i, r):
    """total += X[i]ᵀ·r: example i's term of Xᵀr."""
    for j in range(X.shape[1]):
        total[j] += X[i, j] * r
'''


def _kernel_source(builder: _RecordingBuilder, planner: _Planner, name: str,
                   outputs: Sequence[str], summary: str) -> list[str]:
    """A numba kernel: the loop over blocks of rows (in parallel) and over the rows of a
    block, returning the sums of ``outputs``."""
    needed = set(outputs)
    for line in reversed(builder.lines):
        if line.target in needed:
            needed |= line.reads
    chosen = [line for line in builder.lines if line.target in needed]
    statements = dict(zip((line.target for line in chosen), planner.plan(chosen), strict=True))
    sums = [statements[name_] for name_ in outputs]
    arguments = [a.name for a in builder.arguments]
    out = ["@njit(cache=_CACHE, fastmath=False, parallel=True)",
           f"def {name}({', '.join(arguments)}, rows):",
           f'    """{summary} in one pass over the rows of X. Blocks of ``rows`` rows run',
           "    in parallel, each adding into its own partial sums; these are added in the order",
           '    of the blocks at the end (the same result on any number of threads)."""',
           "    m = X.shape[0]",
           "    blocks = -(-m // rows)"]
    for total in sums:
        shape = f"(blocks, {', '.join(total.shape)})" if total.shape else "blocks"
        out.append(f"    {total.target}_parts = np.zeros({shape})")
    out += ["    for block in prange(blocks):"]
    for total in sums:
        if total.shape:
            out.append(f"        {total.target}_part = {total.target}_parts[block]")
        else:
            out.append(f"        {total.target}_part = 0.0")
    out.append("        for i in range(block * rows, min(m, (block + 1) * rows)):")
    indent = "            "
    for line in chosen:
        statement = statements[line.target]
        out += _wrapped_comment(statement.comment, indent)
        if statement.per_row:
            code = f"{indent}{statement.target} = {statement.code}"
        elif statement.shape:
            code = f"{indent}_add_row({statement.target}_part, {statement.code})"
        else:
            code = f"{indent}{statement.target}_part += {statement.code}"
        if len(code) > 100:
            raise UnsupportedByBackend(f"a line too long to print: {code.strip()}")
        out.append(code)
    for total in sums:
        if not total.shape:
            out.append(f"        {total.target}_parts[block] = {total.target}_part")
    out.append("    # the sums over all rows: the blocks' partial sums, in the order of the blocks")
    for total in sums:
        added = f"{total.target}_parts.sum({'axis=0' if total.shape else ''})"
        finish = total.finish.replace(_TOTAL, added) if total.finish else added
        out.append(f"    {total.target} = {finish}")
    result = ", ".join(total.target for total in sums)
    out.append(f"    return ({result},)" if len(sums) == 1 else f"    return {result}")
    return out


def numba_source(generated: Generated, *, budget: float = 5.0) -> str:
    """The source of the numba module of a generated model: the same public functions and
    checks as the NumPy module, the loss and gradients fused into one pass over the rows.

    Raises :class:`UnsupportedByBackend` (naming what the backend lacks) for a model it cannot
    fuse."""
    model = generated.model
    if not generated.blocked:
        raise UnsupportedByBackend(
            f"the numba backend adds up every gradient over the rows of X, and a gradient of "
            f"{model.name} is not a sum over the rows")
    builder = _RecordingBuilder(model, generated.derivations, budget)
    builder.build_forward()
    rewrites = builder.build_loss()
    outputs = builder.build_gradients()
    planner = _Planner(builder)
    loss_name = python_name(model.output)
    gradient_names = list(outputs.values())
    arguments = [a.name for a in builder.arguments]
    signature = ", ".join(arguments)
    scalars = [a.name for a in builder.arguments if not a.shape]
    docstring = _numba_docstring(_docstring(generated.name, builder, model,
                                            generated.derivations, generated.identities,
                                            rewrites, True), generated.name)
    out = ['"""' + docstring[0], *docstring[1:], '"""', "", "import math", "import sys", "",
           "import numpy as np", "from numba import njit, prange", "",
           "_CACHE = __name__ in sys.modules",
           '"""Compiled kernels are cached beside this file when it is imported by name',
           "(import this module, or importlib with sys.modules[name] = module first): numba",
           'reads a cache back by importing the module by its name."""',
           "_BLOCK_BYTES = 2 ** 23",
           '"""Bytes of X in one block of rows: one task of the parallel loop (a batch under',
           'about this size is one block)."""',
           "_MIN_BLOCK_ROWS = 1024",
           '"""Fewer rows per block would cost more in partial sums than it balances."""',
           "_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))", "", ""]
    kernels = [("_loss_rows", [loss_name], "The loss"),
               ("_loss_and_grad_rows", [loss_name, *gradient_names], "The loss and the gradients")]
    for name, names, summary in kernels:
        out += [*_kernel_source(builder, planner, name, names, summary), "", ""]
    out += [*_HELPERS.strip("\n").splitlines(), "", ""]
    grads = ", ".join(f'"{p}": {n}' for p, n in outputs.items())
    call = ", ".join(f"_number({a})" if a in scalars else a for a in arguments)
    grads_cast = ", ".join(f"_cast({n}, X.dtype)" for n in gradient_names)
    public = [
        ("loss", f"The loss {text(model.output)} as a NumPy scalar of X's dtype.",
         [f"    ({loss_name},) = _loss_rows({call}, _rows(X))",
          f"    return _cast({loss_name}, X.dtype)"]),
        ("grad", "The gradient of the loss: a dict of arrays in the parameters' shapes.",
         ["    # the fused pass (one kernel to compile); its loss costs a log1p per row",
          f"    _, {', '.join(gradient_names)} = _loss_and_grad_rows({call}, _rows(X))",
          f"    {', '.join(gradient_names)} = {grads_cast}",
          f"    return {{{grads}}}"]),
        ("loss_and_grad", "(loss, grad) in one pass over the rows of X.",
         [f"    {loss_name}, {', '.join(gradient_names)} = _loss_and_grad_rows({call}, "
          "_rows(X))",
          f"    {', '.join(gradient_names)} = {grads_cast}",
          f"    return _cast({loss_name}, X.dtype), {{{grads}}}"]),
    ]
    for name, doc, body in public:
        out += [f"def {name}({signature}):", f'    """{doc}"""',
                f"    {signature} = _contiguous(*_checked({signature}))", *body, "", ""]
    out += [
        "def _rows(X):",
        '    """Rows in one block: about _BLOCK_BYTES of X, at least _MIN_BLOCK_ROWS."""',
        "    return max(_MIN_BLOCK_ROWS, _BLOCK_BYTES // max(1, X.shape[1] * X.itemsize))",
        "", "",
        "def _contiguous(*arrays):",
        '    """Arrays in C order (one compiled kernel per dtype), scalars as they are."""',
        "    return tuple(np.ascontiguousarray(a) if np.ndim(a) else a for a in arrays)",
        "", "",
        "def _number(value):",
        '    """A scalar argument as a NumPy number of its dtype (a 0-d array is not one)."""',
        "    return value[()] if isinstance(value, np.ndarray) else value",
        "", "",
        "def _cast(value, dtype):",
        '    """A sum (float64) in the dtype of X: a NumPy scalar, or an array."""',
        "    return np.asarray(value).astype(dtype)[()]",
        "", "",
    ]
    out += _checked_source(builder)
    return "\n".join(out).rstrip() + "\n"


def _numba_docstring(lines: list[str], name: str) -> list[str]:
    """The NumPy module's docstring, said of the fused module."""
    lines = list(lines)
    lines[0] = f"Numba code generated by `derive codegen {name} --backend numba`: the loss"
    lines.insert(1, "and its gradients, fused into one pass over the rows of X.")
    start = next((k for k, line in enumerate(lines)
                  if line.startswith("Every gradient and the loss are sums")), None)
    end = next((k for k, line in enumerate(lines) if line.startswith("Checked before")), None)
    fused = ["Every gradient and the loss are sums over the rows of X (Xᵀr, 𝟏ᵀr, 𝟏ᵀℓ): one loop",
             "over the rows computes each example's numbers (its logit, its one exp, its loss",
             "and residual) and adds its terms into partial sums while its row of X is in cache,",
             "so X is read from memory once. Blocks of rows (_BLOCK_BYTES of X each) run in",
             "parallel, each into its own partial sums (float64), added in the order of the",
             "blocks and cast to X's dtype: the result does not depend on the number of",
             "threads. Compiled by numba on the first call for each dtype (float32, float64)",
             "and, when imported by name, cached beside this file (__pycache__): later imports",
             "do not compile again.",
             ""]
    if start is not None and end is not None and start < end:
        lines[start:end] = fused
    else:
        lines += ["", *fused]
    return lines


def with_numba_source(generated: Generated, *, budget: float = 5.0) -> Generated:
    """``generated`` with its source replaced by the numba module's."""
    return dataclasses.replace(generated, source=numba_source(generated, budget=budget))


@contextmanager
def loaded(source: str, name: str) -> Iterator[types.ModuleType]:
    """The module imported from a private temporary folder that lives while it is used, so
    numba's cache (beside the file) goes there and nowhere else. The code is derive's own
    output from a verified derivation, never text from a user or a file."""
    with tempfile.TemporaryDirectory(prefix="derive-codegen-numba-") as folder:
        path = os.path.join(folder, f"{name}.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise VerificationError(f"cannot import the generated module {name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


def check_numba(generated: Generated, *, seed: int = 0, points: int = 3) -> CheckReport:
    """The checks of :func:`derive.emit.codegen.check_generated` on the numba module."""
    with loaded(generated.source, f"derive_codegen_numba_{generated.model.name}") as module:
        return check_generated(generated, seed=seed, points=points, module=module)
