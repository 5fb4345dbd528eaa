"""Which engine rule takes one line to the next: ``rules_applied`` and ``justifying_rule``.

Each derivative of the line before is taken one or two levels of rules further, one at a time
or all at once, and the line a route reaches is matched against the claim with its remaining
derivatives held opaque (``matching``). The chain rule through named intermediates
(∂J/∂w = ∂J/∂z·∂z/∂h·∂h/∂w) is recognised by its shape.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import sympy as sp

from derive.core.budget import Deadline, time_limit
from derive.core.domains import Domain
from derive.core.errors import DeriveError
from derive.core.primitives import PRIMITIVES
from derive.engine.differentiate import differentiate
from derive.verify.diagnose.matching import Matcher, matcher, valid_scalar_step
from derive.verify.diagnose.sides import (
    GIVE_UP,
    Expand,
    Unusable,
    derivatives,
    no_expansion,
    unevaluated,
    variable_of,
)

_PRINCIPAL = ("chain", "quotient", "product", "sum", "power", "exponential", "general power",
              "batch sum", *(p.rule for p in PRIMITIVES), "max", "min", "constant multiple",
              "constant", "identity", "definition", "simplify")
"""Rules from the main one to bookkeeping: a step that uses several is named by the first."""


def _moves(node: sp.Derivative, expand: Expand) -> list[tuple[str, sp.Basic]]:
    """The rules that can take one derivative a step further, each with its result."""
    variable = variable_of(node)
    written = expand(node.expr, frozenset({variable}))
    moves: list[tuple[str, sp.Basic]] = []
    try:
        step = differentiate(written, variable)
    except DeriveError:
        return moves
    moves.append((step.rule, step.unfolded))
    if step.result.is_number:
        moves.append((step.rule, step.result))
    for form in (written, sp.factor_terms(written)):
        constant, rest = form.as_independent(variable, as_Add=False)
        if constant != 1 and rest.has(variable):
            moves.append(("constant multiple", sp.Mul(constant, unevaluated(rest, variable),
                                                      evaluate=False)))
    unique: list[tuple[str, sp.Basic]] = []
    for move in moves:
        if move not in unique:
            unique.append(move)
    return unique


def rules_applied(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = no_expansion,
                  domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
                  ) -> tuple[str, ...] | None:
    """The engine rules that take ``previous`` to ``claimed`` (one or two levels of rules,
    applied to one derivative or to all at once), or None when no such route is found or the
    step is not valid."""
    domains = domains or {}
    deadline = Deadline(budget)
    try:
        with time_limit(budget):
            if not valid_scalar_step(previous, claimed, expand, domains, deadline):
                return None
            pending = derivatives(previous)
            if not pending:
                return ("simplify",)
            if named_chain(previous, claimed):
                return ("chain",)
            match = matcher(claimed, expand, domains, False, deadline)
            if match(previous):
                return ("definition",)
            return search_rules(previous, pending, expand, match, deadline)
    except GIVE_UP:
        return None


def search_rules(previous: sp.Basic, pending: list[sp.Derivative], expand: Expand,
                 match: Matcher, deadline: Deadline) -> tuple[str, ...] | None:
    """The rules of the first route from ``previous`` that ``match`` accepts, or None."""
    options = [[("", node), *_moves(node, expand)] for node in pending]
    combinations = list(itertools.islice(itertools.product(*options), 256))
    combinations.sort(key=lambda c: sum(1 for rule, _ in c if rule))
    states: list[tuple[tuple[str, ...], sp.Basic]] = []
    for combination in combinations:
        if deadline.expired():
            return None
        rules = tuple(dict.fromkeys(rule for rule, _ in combination if rule))
        if not rules:
            continue
        state = previous.xreplace({n: r for n, (_, r) in zip(pending, combination, strict=True)})
        if match(state):
            return rules
        states.append((rules, state))
    for rules, state in states:  # a second level: the engine's own rule on what is left
        if deadline.expired():
            return None
        mapping: dict[sp.Basic, sp.Basic] = {}
        second: list[str] = []
        for node in derivatives(state):
            moves = _moves(node, expand)
            if moves:
                rule, result = moves[-1] if moves[-1][1].is_number else moves[0]
                mapping[node] = result
                second.append(rule)
        if mapping and match(state.xreplace(mapping)):
            return tuple(dict.fromkeys((*rules, *second)))
    return None


def named_chain(previous: sp.Basic, claimed: sp.Basic) -> bool:
    """∂J/∂w written as ∂J/∂z·∂z/∂h·∂h/∂w: the chain rule through named intermediates."""
    if not isinstance(previous, sp.Derivative) or not isinstance(previous.expr, sp.Symbol):
        return False
    factors = [f for f in sp.Mul.make_args(claimed) if not f.is_number]
    if len(factors) < 2 or not all(isinstance(f, sp.Derivative) for f in factors):
        return False
    try:
        edges = {variable_of(f): f.expr for f in factors}
        start = variable_of(previous)
    except Unusable:
        return False
    if len(edges) != len(factors) or not all(isinstance(e, sp.Symbol) for e in edges.values()):
        return False
    current, seen = start, 0
    while current in edges and seen <= len(edges):
        current, seen = edges[current], seen + 1
    return bool(current == previous.expr and seen == len(edges))


def principal(rules: Sequence[str]) -> str:
    """The main rule of several used at once (bookkeeping such as a constant factor gives
    way)."""
    ranked = sorted(rules, key=lambda r: _PRINCIPAL.index(r) if r in _PRINCIPAL else 99)
    return ranked[0]


def justifying_rule(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = no_expansion,
                    domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
                    ) -> str | None:
    """The engine rule that takes ``previous`` to ``claimed`` in one step: "constant multiple"
    for dJ/dŷ = −1·d/dŷ(...), "sum" for splitting the derivative of a sum, "chain" for
    d/dŷ log(1 − ŷ) = 1/(1 − ŷ)·d(1 − ŷ)/dŷ; the main one when several are used at once
    (bookkeeping such as a constant factor gives way). None when the step is not valid or no
    rule takes it there."""
    applied = rules_applied(previous, claimed, expand=expand, domains=domains, budget=budget)
    return principal(applied) if applied else None
