"""Where a step stands against the engine's own derivation: ``align``.

A step is ``expected`` when its line is one the engine writes on its way (each derivative at
any line of the engine's derivation, up to moving constants and splitting sums), a
``detour`` when it is valid but off that route, ``buggy`` when a mal-rule explains it, and
``unknown`` otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import sympy as sp

from derive.core.budget import Deadline, time_limit
from derive.core.domains import Domain
from derive.core.errors import DeriveError
from derive.engine.differentiate import differentiate, lines
from derive.verify.diagnose.judge import confirmed, differs, outcome
from derive.verify.diagnose.justification import (
    justifying_rule,
    named_chain,
    principal,
    search_rules,
)
from derive.verify.diagnose.matching import Matcher, matcher
from derive.verify.diagnose.search import explain
from derive.verify.diagnose.sides import (
    GIVE_UP,
    Expand,
    derivatives,
    has_differential,
    no_expansion,
    variable_of,
)


def align(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = no_expansion,
          domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0,
          target: sp.Expr | None = None) -> tuple[str, str]:
    """Where a step stands against the engine's own derivation.

    ``("expected", rules)`` when ``claimed`` is one of the lines the engine writes on its way
    (for each derivative in ``previous``, and for ``target``, the derivative the chain is
    about, when given), up to equivalence with the derivatives kept unevaluated;
    ``("detour", rule)`` when the step is valid but off that route; ``("buggy", mal-rule)``
    when a mal-rule explains it; ``("unknown", why)`` otherwise.
    """
    domains = domains or {}
    deadline = Deadline(budget)
    if has_differential(previous) or has_differential(claimed):
        return ("unknown", "differentials are not re-derived")
    found = outcome(previous, claimed, expand, domains, deadline)
    if differs(found):
        diagnosis = explain(previous, claimed, expand=expand, domains=domains,
                            budget=max(deadline.remaining(), 0.05))
        if diagnosis is not None:
            return ("buggy", diagnosis.mal_rule)
        return ("unknown", "refuted, and no known mistake reproduces it")
    if not confirmed(found):
        return ("unknown", "the step could not be decided")
    pending = derivatives(previous)
    if not pending and target is None:
        return ("expected", "algebra")
    if named_chain(previous, claimed):
        return ("expected", "chain (through named intermediates)")
    try:
        with time_limit(max(deadline.remaining(), 0.01)):
            on_route = _on_route(previous, claimed, pending, expand, domains, deadline, target)
    except GIVE_UP:
        return ("unknown", "the engine's route could not be compared in time")
    if on_route is not None:
        return ("expected", on_route)
    rule = justifying_rule(previous, claimed, expand=expand, domains=domains,
                           budget=max(deadline.remaining(), 0.05))
    return ("detour", rule or "a valid step off the engine's route")


def _route(node: sp.Derivative, expand: Expand) -> list[tuple[str, sp.Basic]]:
    variable = variable_of(node)
    written = expand(node.expr, frozenset({variable}))
    try:
        step = differentiate(written, variable)
    except DeriveError:
        return [("", node)]
    route: list[tuple[str, sp.Basic]] = [("", node)]
    route += [(", ".join(line.rules) or "evaluate", line.expression) for line in lines(step)]
    return route


def _on_route(previous: sp.Basic, claimed: sp.Basic, pending: list[sp.Derivative],
              expand: Expand, domains: Mapping[sp.Symbol, Domain], deadline: Deadline,
              target: sp.Expr | None) -> str | None:
    match = matcher(claimed, expand, domains, True, deadline)
    if target is not None and isinstance(target, sp.Derivative):
        for rules, line in _route(target, expand)[1:]:
            if match(line):
                return rules
    routes = [_route(node, expand) for node in pending]
    for combination in itertools.islice(itertools.product(*routes), 400):
        if deadline.expired():
            return None
        state = previous.xreplace({n: e for n, (_, e) in zip(pending, combination, strict=True)})
        if match(state):
            used = ", ".join(dict.fromkeys(r for r, _ in combination if r))
            return used or _bookkeeping(previous, claimed, pending, expand, deadline, match)
    return None


def _bookkeeping(previous: sp.Basic, claimed: sp.Basic, pending: list[sp.Derivative],
                 expand: Expand, deadline: Deadline, linear: Matcher) -> str:
    """The rule of a step that only rearranges derivatives (a constant out, a sum apart)."""
    strict = linear.strict(claimed)
    if strict(previous):
        return "definition"
    rules = search_rules(previous, pending, expand, strict, deadline)
    return principal(rules) if rules else "definition"
