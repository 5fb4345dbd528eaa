"""Comparing the algebra around derivatives: whether a line, its derivatives held opaque,
equals a claim.

To ask which rule takes one line to the next, the derivatives left in both are replaced by
symbols (``Opaque``), so only the algebra around them is compared; a ``Matcher`` screens a
candidate line against the claim at the sample points and confirms it with ``compare``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.core.budget import Deadline
from derive.core.domains import Domain
from derive.decide.equivalence import compare
from derive.verify.diagnose.judge import MAX_COMPARE, confirmed, outcome
from derive.verify.diagnose.screen import Sampler, Vector, close
from derive.verify.diagnose.sides import Expand, Unusable, is_matrix, variable_of


def valid_scalar_step(previous: sp.Basic, claimed: sp.Basic, expand: Expand,
                      domains: Mapping[sp.Symbol, Domain], deadline: Deadline) -> bool:
    """Whether a step between scalar sides is shown to hold: only then is it asked which rule
    takes it (a matrix step is checked by instantiation, not by rules)."""
    if is_matrix(previous) or is_matrix(claimed):
        return False
    return confirmed(outcome(previous, claimed, expand, domains, deadline))


class Opaque:
    """Derivatives replaced by symbols, so that only the algebra around them is compared.

    Strict keys tell d(a + b) from da + db; ``linear`` keys first split a derivative by
    linearity (constants out, sums apart), so that any order of those bookkeeping rules agrees.
    """

    def __init__(self, expand: Expand, linear: bool) -> None:
        self.expand = expand
        self.linear = linear
        self.symbols: dict[tuple[Any, Any], sp.Symbol] = {}

    def symbol(self, written: sp.Basic, variable: sp.Symbol) -> sp.Expr:
        if written == variable:
            return sp.S.One
        if not written.has(variable):
            return sp.S.Zero
        key = (written, variable)
        if key not in self.symbols:
            self.symbols[key] = sp.Symbol(f"∂{len(self.symbols)}", real=True)
        return self.symbols[key]

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        mapping = {}
        for node in expr.atoms(sp.Derivative):
            variable = variable_of(node)
            written = self.expand(node.expr, frozenset({variable}))
            if not self.linear:
                mapping[node] = self.symbol(written, variable)
                continue
            total = sp.S.Zero
            for term in sp.Add.make_args(sp.expand_mul(written)):
                constant, varying = term.as_independent(variable, as_Add=False)
                total += constant * self.symbol(varying, variable)
            mapping[node] = total
        return self.expand(expr.xreplace(mapping), frozenset())


@dataclass(frozen=True)
class Matcher:
    """Does an expression with opaque derivatives equal the claim's?"""

    opaque: Opaque
    target: sp.Basic
    vector: Vector
    sampler: Sampler
    domains: Mapping[sp.Symbol, Domain]
    deadline: Deadline

    def __call__(self, expr: sp.Basic) -> bool:
        try:
            candidate = self.opaque(expr)
        except Unusable:
            return False
        if not close(self.sampler.vector(candidate), self.vector):
            return False
        left = self.deadline.remaining()
        if left < 0.02:
            return False
        return confirmed(compare(candidate, self.target, self.domains,
                                 budget=min(left, MAX_COMPARE), prove=False))

    def strict(self, claimed: sp.Basic) -> Matcher:
        """The same matcher with strict keys: d(a + b) is not da + db."""
        opaque = Opaque(self.opaque.expand, False)
        target = opaque(claimed)
        return Matcher(opaque, target, self.sampler.vector(target), self.sampler,
                       self.domains, self.deadline)


def matcher(claimed: sp.Basic, expand: Expand, domains: Mapping[sp.Symbol, Domain],
            linear: bool, deadline: Deadline) -> Matcher:
    """A matcher for ``claimed`` (``linear``: derivatives split by linearity first)."""
    opaque = Opaque(expand, linear)
    target = opaque(claimed)
    sampler = Sampler(domains)
    return Matcher(opaque, target, sampler.vector(target), sampler, domains, deadline)
