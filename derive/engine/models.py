"""Built-in models: BCE, the sigmoid, logistic regression, a 1-hidden-layer network.

A model is a list of definitions in forward order, each naming an intermediate
(z := wᵀx + b, ŷ := σ(z), L := BCE(y, ŷ)), so a derivation can run the chain rule through
the same named intermediates the documents use. Each kind of definition is its own record;
the engine dispatches on the record type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from derive.core.arrays import Dot, entrywise
from derive.core.domains import COUNT, LABEL, REAL, UNIT_OPEN, Domain, make_symbol
from derive.core.errors import UnknownModelError
from derive.core.functions import relu, sigmoid


@dataclass(frozen=True)
class Variable:
    """A named quantity: its scalar (entry) symbol, its array if it has a shape, its role."""

    name: str
    symbol: sp.Symbol
    array: sp.MatrixSymbol | None
    domain: Domain
    role: str  # "data", "parameter", "intermediate" or "output"
    meaning: str = ""

    @property
    def value(self) -> Any:
        return self.array if self.array is not None else self.symbol


@dataclass(frozen=True)
class Definition:
    """Base record: ``target := formula``."""

    target: str


@dataclass(frozen=True)
class ScalarDef(Definition):
    """target := a scalar formula of scalar variables."""

    expr: sp.Expr


@dataclass(frozen=True)
class AffineDef(Definition):
    """target := weightᵀ·input + bias, for vectors weight and input (one example)."""

    weight: str
    input: str
    bias: str


@dataclass(frozen=True)
class LinearDef(Definition):
    """target := left·right + 1·bias: a layer over a batch, the bias broadcast over rows."""

    left: str
    right: str
    bias: str


@dataclass(frozen=True)
class MapDef(Definition):
    """target := f(argument) entry by entry; ``template`` is f of the argument's entry."""

    argument: str
    template: sp.Expr


@dataclass(frozen=True)
class BatchLossDef(Definition):
    """target := scale·Σᵢ ℓ(yᵢ, ŷᵢ) over the rows of the batch (+ Σₖ cₖ‖Pₖ‖²_F); ``template``
    is ℓ on entries, ``penalties`` the (cₖ, Pₖ) of a weight penalty on parameters."""

    scale: sp.Expr
    template: sp.Expr
    arguments: tuple[str, ...]
    penalties: tuple[tuple[sp.Expr, str], ...] = ()


@dataclass(frozen=True)
class Model:
    """A built-in model: variables, definitions in forward order, the output, and the
    variables one may differentiate with respect to."""

    name: str
    title: str
    variables: tuple[Variable, ...]
    definitions: tuple[Definition, ...]
    output: str
    parameters: tuple[str, ...]
    sizes: Mapping[sp.Symbol, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    batch_form: str | None = None
    """A built-in model whose derivation over a batch follows this one's."""

    def variable(self, name: str) -> Variable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise UnknownModelError(
            f"model {self.name!r} has no variable {name!r}; it has "
            + ", ".join(v.name for v in self.variables)
        )

    def definition_of(self, name: str) -> Definition | None:
        for definition in self.definitions:
            if definition.target == name:
                return definition
        return None

    def formula(self, definition: Definition) -> Any:
        """The right-hand side of a definition as a SymPy (matrix) expression."""
        return formula(self, definition)

    def domains(self) -> dict[sp.Symbol, Domain]:
        return {v.symbol: v.domain for v in self.variables}

    def binding(self) -> dict[sp.Symbol, Any]:
        """Entry symbol ↦ array, for every variable that has a shape."""
        return {v.symbol: v.array for v in self.variables if v.array is not None}



def expression_model(expr: sp.Expr, wrt: tuple[str, ...], domains: Mapping[str, Domain], *,
                     output: str = "f") -> Model:
    """A one-formula model around a user's expression: its free symbols are the data (with
    the domains given by name, else the real line), ``wrt`` the variables of the gradient."""
    variables = [Variable(s.name, s, None, domains.get(s.name, REAL), "data")
                 for s in sorted(expr.free_symbols, key=lambda s: s.name)
                 if isinstance(s, sp.Symbol)]
    result = Variable(output, sp.Symbol(output), None, REAL, "output")
    return Model("expression", "Your expression", (*variables, result),
                 (ScalarDef(output, expr),), output, wrt)

def formula(model: Model, definition: Definition) -> Any:
    """The defining formula of ``definition`` in terms of the model's variables."""
    value = {v.name: v.value for v in model.variables}
    match definition:
        case ScalarDef(expr=expr):
            return expr
        case AffineDef(weight=w, input=x, bias=b):
            return Dot(value[w], value[x]) + value[b]
        case LinearDef(left=a, right=w, bias=b):
            rows = value[a].shape[0]
            bias = value[b]
            if isinstance(bias, sp.MatrixExpr):
                return sp.MatMul(value[a], value[w]) + sp.MatMul(sp.OneMatrix(rows, 1), bias)
            return sp.MatMul(value[a], value[w]) + bias * sp.OneMatrix(rows, 1)
        case MapDef(argument=a, template=t):
            return entrywise(t, {model.variable(a).symbol: value[a]})
        case BatchLossDef(scale=c, template=t, arguments=names, penalties=penalties):
            binding = {model.variable(n).symbol: value[n] for n in names}
            rows = value[names[0]].shape[0]
            loss = c * sp.MatMul(sp.OneMatrix(1, rows), entrywise(t, binding))
            for coefficient, name in penalties:
                loss = loss + coefficient * squared_norm(value[name])
            return loss
    raise TypeError(f"unknown definition record {type(definition).__name__}")


def squared_norm(value: Any) -> Any:
    """‖P‖²_F as a 1×1 array 𝟏ᵀ(P ⊙ P)𝟏 (p²·𝟏 of a scalar p)."""
    if not isinstance(value, sp.MatrixExpr):
        return value**2 * sp.OneMatrix(1, 1)
    rows, cols = value.shape
    return sp.MatMul(sp.OneMatrix(1, rows), sp.HadamardPower(value, 2), sp.OneMatrix(cols, 1))


def bce_expression(y: sp.Expr, yhat: sp.Expr) -> sp.Expr:
    """−(y log ŷ + (1 − y) log(1 − ŷ)), kept in the form the documents write it."""
    inner = sp.Add(
        sp.Mul(y, sp.log(yhat), evaluate=False),
        sp.Mul(1 - y, sp.log(1 - yhat), evaluate=False),
        evaluate=False,
    )
    return sp.Mul(-1, inner, evaluate=False)


def _scalar(name: str, domain: Domain, role: str, meaning: str = "") -> Variable:
    return Variable(name, make_symbol(name, domain), None, domain, role, meaning)


def _array(
    name: str, rows: Any, cols: Any, domain: Domain, role: str, meaning: str = ""
) -> Variable:
    return Variable(name, make_symbol(name, domain), sp.MatrixSymbol(name, rows, cols), domain,
                    role, meaning)


M, D, H = (sp.Symbol(n, integer=True, positive=True) for n in ("m", "d", "h"))
# Pairwise distinct small sizes, so that a transposed factor cannot pass an entrywise check.
SIZES = {M: 3, D: 2, H: 4}


def bce() -> Model:
    y = _scalar("y", LABEL, "data", "the true label")
    yhat = _scalar("yhat", UNIT_OPEN, "intermediate", "the predicted probability")
    j = _scalar("J", REAL, "output", "the loss of one example")
    return Model(
        "bce", "Binary cross-entropy of one example", (y, yhat, j),
        (ScalarDef("J", bce_expression(y.symbol, yhat.symbol)),), "J", ("yhat",),
    )


def bce_mean() -> Model:
    m = _scalar("m", COUNT, "data", "the number of examples")
    y = _scalar("y", LABEL, "data", "the true labels")
    yhat = _scalar("yhat", UNIT_OPEN, "intermediate", "the predictions")
    j = _scalar("J", REAL, "output", "the mean loss over the batch")
    k = sp.Symbol("k", integer=True, positive=True)
    labels, predictions = sp.IndexedBase("y", real=True), sp.IndexedBase("yhat", positive=True)
    body = bce_expression(labels[k], predictions[k])
    mean = sp.Mul(sp.Rational(1, 1) / m.symbol, sp.Sum(body, (k, 1, m.symbol)), evaluate=False)
    return Model(
        "bce-mean", "Binary cross-entropy, mean over a batch of m examples",
        (m, y, yhat, j), (ScalarDef("J", mean),), "J", ("yhat_i",),
        notes=("J = (1/m) Σₖ BCE(yₖ, ŷₖ); the derivative is taken w.r.t. one prediction ŷᵢ.",),
    )


def sigmoid_model() -> Model:
    z = _scalar("z", REAL, "data", "the logit")
    s = _scalar("yhat", UNIT_OPEN, "output", "σ(z)")
    power_form = sp.Pow(1 + sp.exp(-z.symbol), -1, evaluate=False)
    return Model("sigmoid", "The sigmoid σ(z) = 1/(1 + e^{−z})", (z, s),
                 (ScalarDef("yhat", power_form),), "yhat", ("z",))


def logistic() -> Model:
    w = _array("w", D, 1, REAL, "parameter", "the weights")
    x = _array("x", D, 1, REAL, "data", "one example's features")
    b = _scalar("b", REAL, "parameter", "the bias")
    y = _scalar("y", LABEL, "data", "the true label")
    z = _scalar("z", REAL, "intermediate", "the logit")
    yhat = _scalar("yhat", UNIT_OPEN, "intermediate", "the predicted probability")
    loss = _scalar("L", REAL, "output", "the loss of one example")
    return Model(
        "logistic", "Logistic regression, one example", (w, x, b, y, z, yhat, loss),
        (AffineDef("z", "w", "x", "b"), ScalarDef("yhat", sigmoid(z.symbol)),
         ScalarDef("L", bce_expression(y.symbol, yhat.symbol))),
        "L", ("w", "b"), SIZES, batch_form="logistic-batch",
    )


def logistic_batch() -> Model:
    x = _array("X", M, D, REAL, "data", "the batch, one example per row")
    w = _array("w", D, 1, REAL, "parameter", "the weights")
    b = _scalar("b", REAL, "parameter", "the bias")
    y = _array("y", M, 1, LABEL, "data", "the true labels")
    z = _array("z", M, 1, REAL, "intermediate", "the logits")
    yhat = _array("yhat", M, 1, UNIT_OPEN, "intermediate", "the predictions")
    loss = _scalar("L", REAL, "output", "the mean loss over the batch")
    return Model(
        "logistic-batch", "Logistic regression over a batch X (m×d), mean loss",
        (x, w, b, y, z, yhat, loss),
        (LinearDef("z", "X", "w", "b"), MapDef("yhat", "z", sigmoid(z.symbol)),
         BatchLossDef("L", 1 / M, bce_expression(y.symbol, yhat.symbol), ("y", "yhat"))),
        "L", ("w", "b"), SIZES,
        notes=("L is the mean over the batch, (1/m) Σᵢ BCE(yᵢ, ŷᵢ); "
               "for the sum, drop the factor 1/m.",),
    )


def mlp() -> Model:
    x = _array("X", M, D, REAL, "data", "the batch, one example per row")
    w1 = _array("W1", D, H, REAL, "parameter", "the hidden layer's weights")
    b1 = _array("b1", 1, H, REAL, "parameter", "the hidden layer's bias (a row)")
    a1 = _array("a1", M, H, REAL, "intermediate", "the hidden pre-activations")
    h1 = _array("h1", M, H, REAL, "intermediate", "the hidden activations")
    w2 = _array("w2", H, 1, REAL, "parameter", "the output weights")
    b2 = _scalar("b2", REAL, "parameter", "the output bias")
    a2 = _array("a2", M, 1, REAL, "intermediate", "the output logits")
    yhat = _array("yhat", M, 1, UNIT_OPEN, "intermediate", "the predictions")
    y = _array("y", M, 1, LABEL, "data", "the true labels")
    loss = _scalar("L", REAL, "output", "the loss summed over the batch")
    return Model(
        "mlp", "A 1-hidden-layer network: ReLU hidden layer, sigmoid output, BCE summed",
        (x, w1, b1, a1, h1, w2, b2, a2, yhat, y, loss),
        (LinearDef("a1", "X", "W1", "b1"), MapDef("h1", "a1", relu(a1.symbol)),
         LinearDef("a2", "h1", "w2", "b2"), MapDef("yhat", "a2", sigmoid(a2.symbol)),
         BatchLossDef("L", sp.S.One, bce_expression(y.symbol, yhat.symbol), ("y", "yhat"))),
        "L", ("W1", "b1", "w2", "b2"), SIZES,
        notes=("L is the BCE summed over the batch, as in document 001.",
               "relu′(0) = 0 by convention."),
    )


def chain(depth: int) -> Model:
    """A scalar chain of ``depth`` sigmoid layers: zₖ = wₖ·hₖ₋₁, hₖ = σ(zₖ), L = BCE(y, h_L)."""
    if depth < 1:
        raise UnknownModelError("a chain needs at least one layer")
    variables = [_scalar("h0", REAL, "data", "the input"), _scalar("y", LABEL, "data")]
    definitions: list[Definition] = []
    for k in range(1, depth + 1):
        w = _scalar(f"w{k}", REAL, "parameter")
        z = _scalar(f"z{k}", REAL, "intermediate")
        h = _scalar(f"h{k}", UNIT_OPEN, "intermediate")
        previous = variables[0] if k == 1 else variables[-1]
        variables += [w, z, h]
        definitions += [ScalarDef(z.name, w.symbol * previous.symbol),
                        ScalarDef(h.name, sigmoid(z.symbol))]
    loss = _scalar("L", REAL, "output")
    definitions.append(ScalarDef("L", bce_expression(variables[1].symbol, variables[-1].symbol)))
    variables.append(loss)
    return Model(f"chain-{depth}", f"A chain of {depth} sigmoid layers", tuple(variables),
                 tuple(definitions), "L", tuple(f"w{k}" for k in range(1, depth + 1)))


BUILTIN = {
    "bce": bce,
    "bce-mean": bce_mean,
    "sigmoid": sigmoid_model,
    "logistic": logistic,
    "logistic-batch": logistic_batch,
    "mlp": mlp,
}


def get(name: str) -> Model:
    """The built-in model called ``name`` (``chain-N`` for an N-layer sigmoid chain)."""
    if name in BUILTIN:
        return BUILTIN[name]()
    if name.startswith("chain-") and name[6:].isdigit():
        return chain(int(name[6:]))
    raise UnknownModelError(
        f"no built-in model {name!r}; the models are " + ", ".join(BUILTIN) + ", chain-N"
    )
