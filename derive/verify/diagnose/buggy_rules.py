"""The buggy rules: known wrong versions of the engine's steps.

Each function takes one ``DiffStep`` of the engine (citing the rule its mal-rule is a mistake
of) and returns the step as the mistake makes it, or None where the mistake does not apply.
The search swaps them into the engine (``differentiate(..., overrides=...)``) one place at a
time, so that the steps above combine the buggy result as they would the right one.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from derive.core.functions import sigmoid
from derive.core.records import DiffStep


def derived_parts(step: DiffStep) -> list[DiffStep]:
    """The derivations a step combines (for the chain rule: the outer, then the inner)."""
    return [s for s in step.substeps if isinstance(s, DiffStep)]


def inner_derivative_dropped(step: DiffStep) -> DiffStep | None:
    """(f∘u)′ = f′(u): the chain rule without its inner derivative u′."""
    parts = derived_parts(step)
    if step.rule != "chain" or len(parts) != 2:
        return None
    outer = parts[0]
    return replace(step, result=outer.result, unfolded=outer.unfolded)


def log_without_inner(step: DiffStep) -> DiffStep | None:
    """d/dx log u = 1/u: log′ taken as if its argument were the variable."""
    if not isinstance(step.expr, sp.log):
        return None
    return inner_derivative_dropped(step)


def sigmoid_prime_as_sigmoid(step: DiffStep) -> DiffStep | None:
    """σ′(u) = σ(u)."""
    if step.rule != "sigmoid":
        return None
    value = sigmoid(step.expr.args[0])
    return replace(step, result=value, unfolded=value)


def sigmoid_prime_plus(step: DiffStep) -> DiffStep | None:
    """σ′(u) = σ(u)(1 + σ(u))."""
    if step.rule != "sigmoid":
        return None
    s = sigmoid(step.expr.args[0])
    return replace(step, result=s * (1 + s), unfolded=sp.Mul(s, 1 + s, evaluate=False))


def quotient_numerator_swapped(step: DiffStep) -> DiffStep | None:
    """(u/v)′ = (u·v′ − u′·v)/v²."""
    parts = derived_parts(step)
    if step.rule != "quotient" or len(parts) != 2:
        return None
    du, dv = parts
    u, v = du.expr, dv.expr
    result = (u * dv.result - du.result * v) / v**2
    return replace(step, result=result, unfolded=result)


def power_not_reduced(step: DiffStep) -> DiffStep | None:
    """(uⁿ)′ = n·uⁿ: the exponent not reduced by one."""
    if step.rule != "power" or not isinstance(step.expr, sp.Pow):
        return None
    base, exponent = step.expr.args
    return replace(step, result=exponent * base**exponent,
                   unfolded=sp.Mul(exponent, step.expr, evaluate=False))


def product_of_derivatives(step: DiffStep) -> DiffStep | None:
    """(u·v)′ = u′·v′."""
    parts = derived_parts(step)
    if step.rule != "product" or len(parts) != 2:
        return None
    result = parts[0].result * parts[1].result
    return replace(step, result=result, unfolded=result)
