"""Checking matrix formulas by instantiation at small, pairwise distinct sizes.

SymPy cannot differentiate a BCE loss through an elementwise σ at the matrix level, so a
matrix claim is checked entry by entry: every array becomes an explicit matrix of scalar
symbols (m = 3, d = 2, h = 4, so a transposition cannot hide), the model's loss is computed
explicitly, SymPy differentiates it entry by entry, and the claimed formula is compared with
that at random points of the domains. Agreement is ``CheckedAtSizes``: a check at one
instantiation, not a proof for every size.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from derive.core.arrays import explicit
from derive.core.domains import Domain
from derive.core.outcomes import (
    Checked,
    CheckedAtSizes,
    DiffersAtSizes,
    Refuted,
    SizedOutcome,
    Undecided,
)
from derive.core.primitives import float_value
from derive.decide.equivalence import differs_at, evaluate_at, show_pair
from derive.engine.models import (
    AffineDef,
    BatchLossDef,
    LinearDef,
    MapDef,
    Model,
    ScalarDef,
)


def _entries(model: Model, sizes: Mapping[sp.Symbol, int],
             free: frozenset[str] = frozenset()) -> dict[Any, Any]:
    """Each input's explicit value (and each name in ``free``, taken as an input): a matrix
    of entry symbols, or the scalar symbol."""
    values: dict[Any, Any] = {}
    for variable in model.variables:
        if model.definition_of(variable.name) is not None and variable.name not in free:
            continue
        if variable.array is None:
            values[variable.symbol] = variable.symbol
            continue
        rows, cols = (int(n.xreplace(dict(sizes)) if isinstance(n, sp.Basic) else n)
                      for n in variable.array.shape)
        values[variable.array] = sp.Matrix(
            rows, cols,
            lambda i, j, v=variable: sp.Symbol(f"{v.name}_{i}_{j}", **v.symbol.assumptions0),
        )
    return values


def forward(model: Model, sizes: Mapping[sp.Symbol, int],
            free: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every variable's explicit value at ``sizes``: inputs (and ``free`` names) as symbols,
    the rest computed from their definitions."""
    values = _entries(model, sizes, free)
    by_name: dict[str, Any] = {}
    for variable in model.variables:
        key = variable.array if variable.array is not None else variable.symbol
        if key in values:
            by_name[variable.name] = values[key]
    scalars = {v.symbol: by_name[v.name] for v in model.variables
               if v.array is None and v.name in by_name}
    for definition in model.definitions:
        if definition.target in free:
            continue
        value = _evaluate(model, definition, by_name, scalars, sizes)
        by_name[definition.target] = value
        target = model.variable(definition.target)
        if target.array is None:
            scalars[target.symbol] = value
    return by_name


def _evaluate(model: Model, definition: Any, by_name: dict[str, Any],
              scalars: dict[sp.Symbol, Any], sizes: Mapping[sp.Symbol, int]) -> Any:
    match definition:
        case ScalarDef(expr=expr):
            return expr.xreplace(scalars)
        case AffineDef(weight=w, input=x, bias=b):
            return (by_name[w].T * by_name[x])[0, 0] + by_name[b]
        case LinearDef(left=a, right=w, bias=b):
            product = by_name[a] * by_name[w]
            bias = by_name[b]
            if isinstance(bias, sp.MatrixBase):
                return product + sp.ones(product.rows, 1) * bias
            return product + bias * sp.ones(*product.shape)
        case MapDef(argument=a, template=t):
            symbol = model.variable(a).symbol
            return by_name[a].applyfunc(lambda e: t.xreplace({symbol: e}))
        case BatchLossDef(scale=c, template=t, arguments=names, penalties=penalties):
            rows = by_name[names[0]].rows
            scale = c.xreplace(dict(sizes))
            loss = scale * sum(
                (t.xreplace({model.variable(n).symbol: by_name[n][i, 0] for n in names})
                 for i in range(rows)),
                sp.S.Zero,
            )
            for coefficient, name in penalties:
                value = by_name[name]
                entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
                loss += coefficient.xreplace(scalars) * sum((e**2 for e in entries), sp.S.Zero)
            return loss
    raise TypeError(f"unknown definition record {type(definition).__name__}")


def true_gradient(model: Model, wrt: str, sizes: Mapping[sp.Symbol, int]) -> sp.Matrix:
    """SymPy's gradient of the explicit loss w.r.t. every entry of ``wrt`` (an input, or an
    intermediate taken as free: the loss as a function of it)."""
    values = forward(model, sizes, frozenset({wrt}))
    loss = values[model.output]
    parameter = values[wrt]
    if not isinstance(parameter, sp.MatrixBase):
        return sp.Matrix([[sp.diff(loss, parameter)]])
    return parameter.applyfunc(lambda entry: sp.diff(loss, entry))


def instantiate(model: Model, claim: Any, sizes: Mapping[sp.Symbol, int],
                free: frozenset[str] = frozenset()) -> sp.Matrix:
    """A claimed formula over the model's variables as an explicit matrix at ``sizes``,
    every intermediate (but the ``free`` ones) replaced by its explicit value."""
    values = forward(model, sizes, free)
    concrete = explicit(claim, sizes)
    mapping: dict[Any, Any] = {}
    for variable in model.variables:
        value = values.get(variable.name)
        if value is None:
            continue
        if variable.array is not None:
            rows, cols = value.shape
            for i in range(rows):
                for j in range(cols):
                    mapping[variable.array.xreplace(dict(sizes))[i, j]] = value[i, j]
        else:
            mapping[variable.symbol] = value
    return concrete.applyfunc(lambda e: e.xreplace(mapping).xreplace(mapping))


def compare_at_sizes(
    claimed: sp.Matrix,
    true: sp.Matrix,
    domains: Mapping[str, Domain],
    sizes: Mapping[sp.Symbol, int],
    *,
    samples: int = 6,
    seed: int = 0,
    tolerance: float = 1e-9,
) -> SizedOutcome:
    """Compare two explicit matrices at random points (float64), entry by entry."""
    import numpy as np

    size_list = tuple(sorted((s.name, n) for s, n in sizes.items()))
    if claimed.shape != true.shape:
        raise ValueError(f"shapes differ: claimed {claimed.shape}, true {true.shape}")
    symbols = sorted(
        set().union(*(e.free_symbols for e in claimed), *(e.free_symbols for e in true)),
        key=lambda s: s.name,
    )
    difference = claimed - true
    if all(sp.expand(e) == 0 for e in difference if e.is_polynomial(*symbols)) and all(
        e.is_polynomial(*symbols) for e in difference
    ):
        return CheckedAtSizes(size_list, 0, 0.0, exact=True)
    rng = random.Random(seed)
    worst = 0.0
    for _ in range(samples):
        point = [float(_domain_for(s, domains).sample(rng)) for s in symbols]
        values = dict(zip(symbols, point, strict=True))
        memo: dict[sp.Basic, float] = {}
        a = np.array([[float_value(e, values, memo) for e in row] for row in claimed.tolist()])
        b = np.array([[float_value(e, values, memo) for e in row] for row in true.tolist()])
        scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        gap = np.abs(a - b) / scale
        if np.all(np.isfinite(gap)):
            index = np.unravel_index(int(np.argmax(gap)), gap.shape)
            if gap[index] > tolerance:
                row, col = int(index[0]), int(index[1])
                # float64 may mislead; the difference must survive at high precision
                confirmed = differs_at(claimed[row, col], true[row, col],
                                       {s: Fraction(v) for s, v in values.items()})
                if confirmed is not None:
                    return DiffersAtSizes(
                        size_list, (row, col),
                        tuple((s.name, f"{v:.6g}") for s, v in zip(symbols, point,
                                                                  strict=True)),
                        *show_pair(confirmed),
                    )
                continue
            worst = max(worst, float(gap[index]))
    return CheckedAtSizes(size_list, samples, worst)


def check_vjp(model: Model, definition: Any, input_name: str, claimed: Any,
              upstream: Any) -> SizedOutcome:
    """Check a linear rule: for a generic upstream gradient G of the target's shape, the
    claimed ∂L/∂input equals the gradient of ⟨G, target(input)⟩ computed entry by entry."""
    sizes = dict(model.sizes)
    values = _entries(model, sizes, frozenset(v.name for v in model.variables))
    by_name = {v.name: values[v.array if v.array is not None else v.symbol]
               for v in model.variables if (v.array if v.array is not None else v.symbol) in values}
    target_value = _evaluate(model, definition, by_name, {}, sizes)
    if not isinstance(target_value, sp.MatrixBase):
        target_value = sp.Matrix([[target_value]])
    upstream_explicit = explicit(upstream, sizes)
    pairing = sum((upstream_explicit[i, j] * target_value[i, j]
                   for i in range(target_value.rows) for j in range(target_value.cols)), sp.S.Zero)
    parameter = by_name[input_name]
    if isinstance(parameter, sp.MatrixBase):
        true = parameter.applyfunc(lambda entry: sp.diff(pairing, entry))
    else:
        true = sp.Matrix([[sp.diff(pairing, parameter)]])
    mapping = {}
    for variable in model.variables:
        value = by_name.get(variable.name)
        if isinstance(value, sp.MatrixBase) and variable.array is not None:
            concrete_array = variable.array.xreplace(sizes)
            for i in range(value.rows):
                for j in range(value.cols):
                    mapping[concrete_array[i, j]] = value[i, j]
    concrete = explicit(claimed, sizes).applyfunc(lambda e: e.xreplace(mapping))
    domains = {v.name: v.domain for v in model.variables}
    return compare_at_sizes(concrete, true, domains, sizes)


def _domain_for(symbol: sp.Symbol, domains: Mapping[str, Domain]) -> Domain:
    """An entry symbol X_0_1 takes the domain of its array X."""
    from derive.core.domains import REAL

    name = symbol.name
    if name in domains:
        return domains[name]
    base = name.split("_")[0]
    return domains.get(base, REAL)


DEEP_SCALAR_MODEL = 24
"""From this many definitions on, a scalar model's gradient is checked against central
differences of its forward pass at high precision: SymPy's ``diff`` of the loss written out
nests as deep as the model and grows with the square of its depth."""

_FORWARD_DIGITS = 60
_MOST_DIGITS = 960
_AGREEMENT = 1e-15


def check_gradient(model: Model, wrt: str, claimed: Any, *, samples: int = 6
                   ) -> SizedOutcome | Checked | Refuted | Undecided:
    """Compare a claimed gradient formula with the explicit gradient of the model's loss."""
    if is_deep_scalar(model) and wrt:
        return _check_by_differences(model, wrt, claimed, samples)
    sizes = dict(model.sizes)
    true = true_gradient(model, wrt, sizes)
    concrete = instantiate(model, claimed, sizes, frozenset({wrt}))
    domains = {v.name: v.domain for v in model.variables}
    return compare_at_sizes(concrete, true, domains, sizes, samples=samples)


def is_deep_scalar(model: Model) -> bool:
    """A model of scalar definitions deep enough (``DEEP_SCALAR_MODEL``) that its upstream
    gradients are named and its gradient is checked by central differences."""
    return (len(model.definitions) >= DEEP_SCALAR_MODEL
            and all(v.array is None for v in model.variables)
            and all(isinstance(d, ScalarDef) for d in model.definitions))


def _forward_values(model: Model, point: dict[sp.Symbol, Any], digits: int
                   ) -> dict[sp.Symbol, Any] | None:
    """Every intermediate's value at ``point``, one definition at a time (no nesting)."""
    values = dict(point)
    for definition in model.definitions:
        if not isinstance(definition, ScalarDef):
            return None
        value = evaluate_at(definition.expr,
                            {s: values[s] for s in definition.expr.free_symbols if s in values},
                            digits)
        if value is None or isinstance(value, mpmath.mpc):
            return None
        values[model.variable(definition.target).symbol] = value
    return values


def _difference_quotient(model: Model, point: dict[sp.Symbol, Any], parameter: sp.Symbol,
                         digits: int) -> tuple[Any, dict[sp.Symbol, Any]] | None:
    """The central difference of the loss in ``parameter`` at ``digits`` digits, with a step
    of 10^-(digits/2 - 8): truncation and rounding both stay below 10^-(digits/2 - 20)."""
    step = mpmath.mpf(10) ** -(digits // 2 - 8)
    with mpmath.workdps(digits):
        values = _forward_values(model, point, digits)
        above = _forward_values(model, {**point, parameter: point[parameter] + step}, digits)
        below = _forward_values(model, {**point, parameter: point[parameter] - step}, digits)
        if values is None or above is None or below is None:
            return None
        output = model.variable(model.output).symbol
        return (above[output] - below[output]) / (2 * step), values


def _check_by_differences(model: Model, wrt: str, claimed: Any, samples: int
                          ) -> Checked | Refuted | Undecided:
    """The claimed gradient against central differences of the forward pass, at a precision
    raised until the difference is resolved relative to the gradient itself (gradients of
    deep chains are tiny: a sign error must not hide under an absolute tolerance). Linear in
    the depth of the model."""
    rng = random.Random(0)
    parameter = model.variable(wrt).symbol
    computed = {model.variable(d.target).symbol for d in model.definitions}
    inputs = [v for v in model.variables if v.symbol not in computed]
    worst, used, digits = 0.0, 0, _FORWARD_DIGITS
    for _ in range(samples * 4):
        if used >= samples:
            break
        point = {v.symbol: mpmath.mpf(float(v.domain.sample(rng))) for v in inputs}
        digits = _FORWARD_DIGITS
        while True:
            found = _difference_quotient(model, point, parameter, digits)
            if found is None:
                break
            true, values = found
            # the quotient is good to about 10^-(digits/2 - 20) absolutely
            if abs(true) > mpmath.mpf(10) ** -(digits // 2 - 40) or digits >= _MOST_DIGITS:
                break
            digits *= 2
        if found is None or abs(true) <= mpmath.mpf(10) ** -(digits // 2 - 40):
            continue
        with mpmath.workdps(digits):
            value = evaluate_at(claimed, values, digits)
            if value is None or isinstance(value, mpmath.mpc):
                continue
            gap = float(abs(value - true) / max(abs(value), abs(true)))
        used += 1
        if gap > _AGREEMENT:
            shown = tuple((str(v.symbol), mpmath.nstr(point[v.symbol], 6)) for v in inputs)
            return Refuted(shown, mpmath.nstr(value, 12), mpmath.nstr(true, 12), gap)
        worst = max(worst, gap)
    if used == 0:
        return Undecided(("central differences",), "no sample point resolved the gradient")
    return Checked(used, digits, worst)
