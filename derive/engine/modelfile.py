r"""A user's model from a model file: each definition read and matched to a layer record.

Each definition of a model file (``derive.read.modelfile``) is read by derive's LaTeX reader
with the shapes declared so far, and must be one of the forms the engine differentiates:

- a layer, ``X W + b``: a product of two arrays plus a bias (a 1×k row added to every row, or
  a scalar) → ``LinearDef``;
- an activation applied entry by entry, ``\tanh(a)``, ``\sigma(a)``, ``\operatorname{relu}(a)``
  or any formula of one array's entries → ``MapDef``;
- the loss, a sum over the examples, ``c\sum_{i=1}^{m} ℓ(y_i, \hat{y}_i)`` where every array
  in ℓ is a column with one entry per example, plus weight penalties ``c\|W\|_F^2`` on
  parameters (c a number or a hyperparameter, an argument of the generated code) →
  ``BatchLossDef``.

The shape of each intermediate follows from its definition; the data are the undefined names
with one row per example (or those ``[model] data`` lists), the parameters the other undefined
names. Anything else is refused with the file, line and column of the definition and the forms
a definition may take.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.core.context import SymbolInfo, size_expression, size_symbol
from derive.core.domains import REAL, UNIT_OPEN, Domain, make_symbol
from derive.core.errors import ParseError, ProofFileError, SourceError
from derive.core.functions import sigmoid
from derive.engine.models import (
    BatchLossDef,
    Definition,
    LinearDef,
    MapDef,
    Model,
    Variable,
)
from derive.read.latex import parse_expression
from derive.read.modelfile import ModelSource, load_model_file
from derive.read.nodes import (
    ArrayHadamard,
    ArrayPower,
    ArrayProduct,
    ArraySum,
    Elementwise,
    Frobenius,
)
from derive.read.proofs import Definition as WrittenDefinition

FORMS = (
    "a layer X W_1 + b_1",
    r"an activation \tanh(a_1) (any formula of one array's entries)",
    r"the loss (last) \frac{1}{m}\sum_{i=1}^{m} (\hat{y}_i - y_i)^2"
    r" (+ \frac{\lambda}{2}\|W_1\|_F^2)",
)
_SMALL_SIZES = (3, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12)


@dataclass(frozen=True)
class _Shape:
    rows: sp.Expr
    cols: sp.Expr

    def written(self) -> tuple[str, str]:
        return (str(self.rows), str(self.cols))


class _Builder:
    """Reads the definitions in order, keeping the shapes and domains found so far."""

    def __init__(self, source: ModelSource) -> None:
        self.source = source
        self.context = source.context
        self.shapes: dict[str, _Shape | None] = {}
        self.domains: dict[str, Domain] = {}
        for name, info in source.context.symbols.items():
            self.domains[name] = info.domain
            self.shapes[name] = None if info.shape is None else _Shape(
                *(size_expression(size) for size in info.shape))
        self.records: list[Definition] = []
        self.defined: dict[str, WrittenDefinition] = {}
        self.used: list[str] = []
        self.hyperparameters: dict[str, sp.Symbol] = {}

    # -- errors ------------------------------------------------------------------------------

    def error(self, definition: WrittenDefinition, message: str,
              expected: tuple[str, ...] = FORMS) -> ProofFileError:
        error = ProofFileError(f"definition of {definition.name}: {message}",
                               text=definition.latex, expected=expected)
        moved = self.moved(definition, error)
        assert isinstance(moved, ProofFileError)
        return moved

    def moved(self, definition: WrittenDefinition, error: SourceError) -> SourceError:
        return error.located(self.source.path, definition.line - 1, definition.column - 1)

    # -- reading -----------------------------------------------------------------------------

    def read(self, definition: WrittenDefinition) -> None:
        try:
            expr = parse_expression(definition.latex, self.context, source=self.source.path)
        except ParseError as error:
            raise self.moved(definition, error) from None
        record, shape, domain = self.classify(definition, expr)
        declared = self.source.context.symbols.get(definition.name)
        if declared is not None:
            before = self.shapes.get(definition.name)  # the declared shape, read in __init__
            if before != shape:
                said, shown = ("a scalar" if s is None else "×".join(s.written())
                               for s in (before, shape))
                raise self.error(definition, f"{definition.name} is declared {said} but its "
                                             f"definition makes it {shown}", ())
            if declared.domain != REAL:
                domain = declared.domain
        self.records.append(record)
        self.defined[definition.name] = definition
        self.shapes[definition.name] = shape
        self.domains[definition.name] = domain
        written = None if shape is None else shape.written()
        self.context = self.context.with_symbols(
            SymbolInfo(definition.name, domain, written))

    def classify(self, definition: WrittenDefinition, expr: Any
                 ) -> tuple[Definition, _Shape | None, Domain]:
        target = definition.name
        arrays = expr.atoms(sp.MatrixSymbol) if isinstance(expr, sp.Basic) else set()
        if len(arrays) == 1 and _entrywise(expr):
            return self.activation(definition, expr, arrays.pop())
        if isinstance(expr, ArraySum) and any(isinstance(t, sp.Expr) and t.has(sp.Sum)
                                               for t in expr.args):
            return self.loss(definition, expr)
        if isinstance(expr, ArraySum):
            return self.layer(definition, expr)
        if isinstance(expr, sp.Expr) and expr.has(sp.Sum):
            return self.loss(definition, expr)
        raise self.error(definition, f"cannot use {target} = {definition.latex.strip()} in a "
                                     "model; a definition takes one of these forms")

    def _array(self, definition: WrittenDefinition, node: Any) -> str:
        if isinstance(node, sp.MatrixSymbol):
            name = str(node.name)
            self._use(name)
            return name
        raise self.error(definition, f"expected a declared or defined array here, got "
                                     f"{node}")

    def _use(self, name: str) -> None:
        if name not in self.used and name not in self.defined:
            self.used.append(name)

    def layer(self, definition: WrittenDefinition, expr: Any
              ) -> tuple[Definition, _Shape | None, Domain]:
        terms = list(expr.args)
        products = [t for t in terms if isinstance(t, ArrayProduct)]
        biases = [t for t in terms if t not in products]
        if len(products) != 1 or len(biases) != 1:
            raise self.error(definition, "a layer is one product of two arrays plus one bias")
        factors = [a for a in products[0].args if not isinstance(a, sp.Integer | int)]
        if len(factors) != 2:
            raise self.error(definition, "a layer's product has two arrays, such as X W_1")
        left, right = (self._array(definition, f) for f in factors)
        if str(factors[0].shape[1]) != str(factors[1].shape[0]):
            shapes = " times ".join("×".join(map(str, f.shape)) for f in factors)
            raise self.error(definition, f"the product {left} {right} does not conform: "
                                         f"{shapes}", ())
        bias = biases[0]
        rows, cols = factors[0].shape[0], factors[1].shape[1]
        if isinstance(bias, sp.MatrixSymbol):
            if tuple(bias.shape) != (1, cols):
                raise self.error(definition, f"the bias {bias.name} must be a 1×{cols} row "
                                             "(added to every row) or a scalar", ())
            bias_name = str(bias.name)
        elif isinstance(bias, sp.Symbol):
            if cols != 1:
                raise self.error(definition, f"a scalar bias {bias.name} goes with a layer of "
                                             f"one column; declare {bias.name} with shape "
                                             f"[\"1\", \"{cols}\"]", ())
            bias_name = bias.name
            self.shapes.setdefault(bias_name, None)
            self.domains.setdefault(bias_name, REAL)
        else:
            raise self.error(definition, f"the bias must be one name, got {bias}")
        self._use(bias_name)
        return (LinearDef(definition.name, left, right, bias_name), _Shape(rows, cols), REAL)

    def activation(self, definition: WrittenDefinition, expr: Any, array: sp.MatrixSymbol
                   ) -> tuple[Definition, _Shape | None, Domain]:
        name = self._array(definition, array)
        entry = make_symbol(name, self.domains.get(name, REAL))
        template = _entry_formula(expr, array, entry)
        extra = template.free_symbols - {entry}
        if extra:
            raise self.error(definition, "an activation is a formula of one array's entries; "
                                         "it also uses " + ", ".join(sorted(map(str, extra))))
        shape = self.shapes.get(name)
        domain = UNIT_OPEN if template == sigmoid(entry) else REAL
        return MapDef(definition.name, name, template), shape, domain

    def penalty(self, definition: WrittenDefinition, term: Any) -> tuple[sp.Expr, str]:
        """c‖P‖²_F (``\\frac{\\lambda}{2}\\|W_1\\|_F^2``): its coefficient and parameter."""
        factors = list(term.args) if isinstance(term, ArrayProduct) else [term]
        norms = [f for f in factors if isinstance(f, Frobenius)]
        coefficient = sp.Mul(*[f for f in factors if not isinstance(f, Frobenius)])
        inner = norms[0].arg if len(norms) == 1 else None
        if (inner is None or not isinstance(inner, ArrayProduct) or len(inner.args) != 2
                or inner.args[0] != sp.Transpose(inner.args[1])
                or not isinstance(inner.args[1], sp.MatrixSymbol)
                or isinstance(coefficient, sp.MatrixExpr)):
            raise self.error(definition, "besides the sum over the examples, the loss may add "
                                         r"weight penalties c\|W\|_F^2 only")
        name = self._array(definition, inner.args[1])
        if name in self.defined:
            raise self.error(definition, f"a weight penalty is on a parameter; {name} is "
                                         "defined by the model", ())
        for symbol in sorted(coefficient.free_symbols, key=str):
            if not isinstance(symbol, sp.Symbol) or self.shapes.get(symbol.name) is not None \
                    or symbol.name in self.defined:
                raise self.error(definition, f"a penalty's coefficient is a number or a "
                                             f"hyperparameter, not {symbol}", ())
            self.hyperparameters.setdefault(symbol.name, symbol)
        return coefficient, name

    def loss(self, definition: WrittenDefinition, expr: Any
             ) -> tuple[Definition, _Shape | None, Domain]:
        penalties: list[tuple[sp.Expr, str]] = []
        if isinstance(expr, ArraySum):
            summed = [t for t in expr.args if isinstance(t, sp.Expr) and t.has(sp.Sum)]
            penalties = [self.penalty(definition, t) for t in expr.args if t not in summed]
            expr = sp.Add(*summed)
        sums = [f for f in sp.Mul.make_args(expr) if isinstance(f, sp.Sum)]
        scale = sp.Mul(*[f for f in sp.Mul.make_args(expr) if not isinstance(f, sp.Sum)])
        if len(sums) != 1 or len(sums[0].limits) != 1 or scale.has(sp.Sum):
            raise self.error(definition, "the loss is one sum over the examples times a "
                                         r"constant, plus weight penalties c\|W\|_F^2")
        (total,) = sums
        index, lower, upper = total.limits[0]
        batch = self.batch
        if lower != 1 or str(upper) != str(batch):
            raise self.error(definition, f"the loss sums over the {batch} examples: write "
                                         f"\\sum_{{{index}=1}}^{{{batch}}}", ())
        binding: dict[Any, sp.Symbol] = {}
        for node in sp.preorder_traversal(total.function):
            base = self._entry_base(node, index)
            if base is None:
                continue
            shape = self.shapes.get(base)
            if shape is None or str(shape.rows) != str(batch) or shape.cols != 1:
                raise self.error(definition, f"{base} must be a column with one entry per "
                                             f"example ({batch}×1) to be summed over {index}", ())
            binding[node] = make_symbol(base, self.domains.get(base, REAL))
            self._use(base)
        template = total.function.xreplace(binding)
        left = {s for s in template.free_symbols if s not in binding.values()}
        if left:
            raise self.error(definition, "the loss of one example may use only entries of the "
                                         f"batch's columns ({index} of each); it also uses "
                                         + ", ".join(sorted(map(str, left))), ())
        scale = scale.xreplace({s: size_symbol(s.name) for s in scale.free_symbols
                                if isinstance(s, sp.Symbol) and s.name == str(batch)})
        if scale.free_symbols - {batch}:
            raise self.error(definition, "the factor before the sum may use only numbers and "
                                         f"the number of examples {batch}", ())
        arguments = tuple(sorted({s.name for s in binding.values()},
                                 key=lambda n: (n in self.defined, n)))
        if not arguments:
            raise self.error(definition, "the loss uses no array's entries", ())
        return (BatchLossDef(definition.name, scale, template, arguments, tuple(penalties)),
                None, REAL)

    def _entry_base(self, node: Any, index: sp.Symbol) -> str | None:
        """The array whose entry ``node`` is at ``index`` (``y_i`` or ``y[i]``), else None."""
        if isinstance(node, sp.Indexed) and node.indices == (index,):
            return str(node.base.label)
        name, letter = str(node), str(index)
        if isinstance(node, sp.Symbol) and name.endswith(f"_{letter}"):
            base = name[: -len(letter) - 1]
            if base in self.shapes:
                return base
        return None

    @property
    def batch(self) -> sp.Expr:
        """The size that counts the examples: the file's ``[settings] batch``, else the rows of
        the first data array the definitions use (X in ``X W_1 + b_1``)."""
        if self.source.matrix.batch:
            return size_symbol(self.source.matrix.batch)
        for name in self.used:
            shape = self.shapes.get(name)
            if shape is not None and (self.source.data is None or name in self.source.data):
                return shape.rows
        return size_symbol("m")


def _entrywise(node: Any) -> bool:
    """Built entry by entry from one array: functions, sums, ⊙, powers and scalar factors."""
    if isinstance(node, sp.MatrixSymbol) or not isinstance(node, sp.MatrixExpr):
        return True
    if isinstance(node, Elementwise):
        return _entrywise(node.expr)
    if isinstance(node, ArrayProduct):
        return sum(isinstance(a, sp.MatrixExpr) for a in node.args) <= 1 and all(
            _entrywise(a) for a in node.args)
    if isinstance(node, ArraySum | ArrayHadamard | ArrayPower):
        return all(_entrywise(a) for a in node.args)
    return False


def _entry_formula(node: Any, array: sp.MatrixSymbol, entry: sp.Symbol) -> sp.Expr:
    """The scalar formula of one entry of an entrywise ``node`` of ``array``."""
    if node == array:
        return entry
    if not isinstance(node, sp.MatrixExpr):
        return node if isinstance(node, sp.Expr) else sp.Integer(node)
    if isinstance(node, Elementwise):
        (variable,) = node.function.variables
        return node.function.expr.xreplace({variable: _entry_formula(node.expr, array, entry)})
    parts = [_entry_formula(a, array, entry) for a in node.args]
    if isinstance(node, ArraySum):
        return sp.Add(*parts)
    if isinstance(node, ArrayPower):
        return sp.Pow(parts[0], parts[1])
    return sp.Mul(*parts)


def _sizes(shapes: Mapping[str, _Shape | None], batch: sp.Expr,
           written: Mapping[str, int]) -> dict[sp.Symbol, int]:
    """Small, pairwise distinct sizes for the checks (the file's own where it gives them)."""
    symbols: list[sp.Symbol] = []
    for shape in shapes.values():
        for size in () if shape is None else (shape.rows, shape.cols):
            for symbol in sorted(size.free_symbols, key=str):
                if isinstance(symbol, sp.Symbol) and symbol not in symbols:
                    symbols.append(symbol)
    chosen = {size_symbol(name): value for name, value in written.items()}
    free = [v for v in _SMALL_SIZES if v not in chosen.values()]
    for symbol in sorted(symbols, key=lambda s: s != batch):  # the batch first, then in order
        if symbol not in chosen:
            chosen[symbol] = free.pop(0)
    return chosen


def model_from_file(source: ModelSource) -> Model:
    """The model a model file describes, ready for ``derive.engine`` and codegen."""
    builder = _Builder(source)
    for definition in source.definitions:
        builder.read(definition)
    last = source.definitions[-1]
    output = source.output or last.name
    if output != last.name:
        raise builder.error(last, f"the output {output} must be the last definition (the loss)",
                            ())
    if not isinstance(builder.records[-1], BatchLossDef):
        raise builder.error(last, "the last definition is the loss: a sum over the examples")
    batch = builder.batch
    data = source.data
    if data is None:
        data = tuple(n for n in builder.used
                     if (shape := builder.shapes.get(n)) is not None and shape.rows == batch)
        data += tuple(builder.hyperparameters)
    parameters = source.parameters or tuple(n for n in builder.used if n not in data)
    for name in (*data, *parameters):
        if name not in builder.used and name not in builder.hyperparameters:
            line, column = source.places.get(name, (1, 1))
            raise ProofFileError(f"{name} is listed in [model] but no definition uses it",
                                 source=source.path, line=line, column=column)
    variables = []
    for name in [*builder.used, *builder.defined]:
        shape = builder.shapes.get(name)
        domain = builder.domains.get(name, REAL)
        role = ("data" if name in data else "parameter" if name in parameters
                else "output" if name == output else "intermediate" if name in builder.defined
                else "data")
        array = None if shape is None else sp.MatrixSymbol(name, shape.rows, shape.cols)
        note = builder.defined[name].note if name in builder.defined else ""
        variables.append(Variable(name, make_symbol(name, domain), array, domain, role, note))
    for name, symbol in builder.hyperparameters.items():  # after the data: X comes first
        domain = builder.domains.get(name, source.context.domain_of(symbol))
        variables.append(Variable(name, make_symbol(name, domain), None, domain, "data",
                                  "a hyperparameter of the weight penalty"))
    return Model(source.path.rsplit("/", 1)[-1], source.title, tuple(variables),
                 tuple(builder.records), output, tuple(parameters),
                 _sizes(builder.shapes, batch, source.matrix.sizes),
                 notes=(source.note,) if source.note else ())


def read_model_file(path: str, text: str | None = None) -> Model:
    """Read and build the model of a model file."""
    return model_from_file(load_model_file(path, text))

