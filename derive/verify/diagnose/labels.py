"""The rule a step's label names, and whether that rule takes the step.

``rules_named`` reads the rules a document's label names ("Product rule, deriv of natural
log" → product, log). ``takes_step`` says whether a rule takes one line to the next by some
valid route: on the function as written or on its definition in exponentials, the inner
derivatives left as they are or evaluated. A label is right when it names any such route,
not only the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import sympy as sp

from derive.core.budget import Deadline, time_limit
from derive.core.domains import Domain
from derive.core.errors import DeriveError
from derive.engine.differentiate import differentiate
from derive.verify.diagnose.matching import matcher, valid_scalar_step
from derive.verify.diagnose.sides import (
    GIVE_UP,
    Expand,
    derivatives,
    no_expansion,
    variable_of,
)

_NAMED: tuple[tuple[str, str], ...] = (
    (r"\bchain\s+rule", "chain"),
    (r"\bproduct\s+rule", "product"),
    (r"\bquotient\s+rule", "quotient"),
    (r"\bsum\s+rule|\blinearity\b", "sum"),
    (r"\bpower\s+rule", "power"),
    (r"\bconstant[\s-]+(multiple|factor)(\s+rule)?", "constant multiple"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?constant\b|\bconstant\s+rule", "constant"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?(natural\s+)?(log\w*|ln)\b|\blog\w*\s+rule", "log"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?(sigmoid|σ)|\bsigmoid\s+rule", "sigmoid"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?exp\w*", "exp"),
    (r"\bderiv\w*\s+of\s+(a\s+|the\s+)?max\b|\bmax\s+rule", "max"),
)


def rules_named(label: str) -> tuple[str, ...]:
    """Every rule a document's label names, in the order it names them."""
    found: list[tuple[int, str]] = []
    for pattern, rule in _NAMED:
        match = re.search(pattern, label, re.IGNORECASE)
        if match is not None:
            found.append((match.start(), rule))
    return tuple(dict.fromkeys(rule for _, rule in sorted(found)))


def rule_named(label: str) -> str | None:
    """The rule a document's label names first ("Product rule" → "product"), or None."""
    named = rules_named(label)
    return named[0] if named else None


def takes_step(rule: str, previous: sp.Expr, claimed: sp.Expr, *,
               expand: Expand = no_expansion,
               domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 2.0) -> bool:
    """Whether ``rule`` takes ``previous`` to ``claimed`` by some valid route: applied to a
    derivative of ``previous`` as written, or as its definition in exponentials (d/dx tanh x
    by the quotient rule on (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)), with the inner derivatives left as they
    are or evaluated. A label is right when it names any such route, not only the engine's."""
    domains = domains or {}
    deadline = Deadline(budget)
    try:
        with time_limit(budget):
            pending = derivatives(previous)
            if not pending or not valid_scalar_step(previous, claimed, expand, domains,
                                                    deadline):
                return False
            match = matcher(claimed, expand, domains, False, deadline)
            for node in pending:
                for result in _routes_by(rule, node, expand):
                    if deadline.expired():
                        return False
                    if match(previous.xreplace({node: result})):
                        return True
    except GIVE_UP:
        return False
    return False


def _routes_by(rule: str, node: sp.Derivative, expand: Expand) -> Iterator[sp.Basic]:
    """What ``rule`` makes of one derivative, on each form of its function."""
    variable = variable_of(node)
    written = expand(node.expr, frozenset({variable}))
    forms = [written]
    in_exponentials = written.rewrite(sp.exp)
    if in_exponentials != written:
        forms.append(in_exponentials)
    for form in forms:
        try:
            step = differentiate(form, variable)
        except DeriveError:
            continue
        if step.rule != rule:
            continue
        yield step.unfolded
        inner = {d: differentiate(d.expr, variable_of(d)).result
                 for d in step.unfolded.atoms(sp.Derivative)}
        if inner:
            yield step.unfolded.xreplace(inner)
