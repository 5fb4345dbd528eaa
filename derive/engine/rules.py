"""The rule table: every rule the engine may cite, one statement of the math each.

Local derivatives of elementary functions are one-line entries grouped by kind, as in
HIPS autograd; the engine looks an operation up here and raises ``MissingRuleError``
naming the operation when there is no entry. A rule that is not in ``RULES`` cannot be
cited by a step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.core.primitives import PRIMITIVES


@dataclass(frozen=True)
class Rule:
    """A named rule and its statement in one line."""

    name: str
    statement: str
    kind: str


_TABLE: tuple[Rule, ...] = (
    # basic
    Rule("constant", "d/dx c = 0", "basic"),
    Rule("identity", "d/dx x = 1", "basic"),
    Rule("constant multiple", "(c·u)′ = c·u′", "basic"),
    Rule("sum", "(u + v)′ = u′ + v′", "basic"),
    Rule("product", "(u·v)′ = u′·v + u·v′", "basic"),
    Rule("quotient", "(u/v)′ = (u′·v − u·v′)/v²", "basic"),
    Rule("power", "(uⁿ)′ = n·uⁿ⁻¹·u′", "basic"),
    Rule("exponential", "(aᵘ)′ = aᵘ·ln a·u′", "basic"),
    Rule("general power", "(uᵛ)′ = uᵛ·(v′·ln u + v·u′/u)", "basic"),
    Rule("chain", "(f∘u)′ = f′(u)·u′", "basic"),
    # elementary functions of one argument: one record each in derive.core.primitives
    *(Rule(p.rule, p.statement, "function") for p in PRIMITIVES),
    Rule("max", "max(u, v)′ = H(u − v)·u′ + H(v − u)·v′ for u ≠ v", "function"),
    Rule("min", "min(u, v)′ = H(v − u)·u′ + H(u − v)·v′ for u ≠ v", "function"),
    Rule("cases", "{uᵢ if cᵢ}′ = {uᵢ′ if cᵢ}, inside each case (not on a boundary)",
         "function"),
    # sums over a batch
    Rule("batch sum", "∂/∂xᵢ Σₖ f(xₖ) = f′(xᵢ): only the term k = i depends on xᵢ", "batch"),
    # linear algebra (gradients of a scalar L, denominator layout: ∂L/∂V has V's shape)
    Rule("affine", "z = wᵀx + b ⇒ ∂z/∂w = x, ∂z/∂x = w, ∂z/∂b = 1", "linear"),
    Rule("matmul right", "Y = XW ⇒ ∂L/∂W = Xᵀ·∂L/∂Y", "linear"),
    Rule("matmul left", "Y = XW ⇒ ∂L/∂X = ∂L/∂Y·Wᵀ", "linear"),
    Rule("bias", "Y = A + 1bᵀ ⇒ ∂L/∂b = 1ᵀ·∂L/∂Y, the sum over the batch", "linear"),
    Rule("elementwise", "Y = f(A) entrywise ⇒ ∂L/∂A = ∂L/∂Y ⊙ f′(A)", "linear"),
    Rule("batch loss", "L = c·Σᵢ ℓ(ŷᵢ) ⇒ (∂L/∂ŷ)ᵢ = c·ℓ′(ŷᵢ)", "linear"),
    Rule("scalar chain", "∂L/∂v = ∂L/∂u·∂u/∂v for a scalar u", "linear"),
    Rule("accumulate", "∂L/∂v = Σ over the uses u of v of ∂L/∂u·∂u/∂v", "linear"),
    Rule("weight penalty", "L = … + c‖P‖²_F ⇒ ∂L/∂P gains 2c·P", "linear"),
    # algebra
    Rule("simplify", "algebra: cancel, combine over a common denominator, factor", "algebra"),
    Rule("cancel", "algebra: a common factor of numerator and denominator cancels", "algebra"),
    Rule("common denominator", "algebra: a/b + c/d = (ad + cb)/(bd)", "algebra"),
    Rule("split fraction", "algebra: a/(b·c) = (1/b)·(a/c)", "algebra"),
    Rule("add and subtract", "algebra: a = (a + 1) − 1", "algebra"),
    Rule("divide through", "algebra: (a − b)/a = 1 − b/a", "algebra"),
    Rule("definition", "substitute a definition: a named quantity for its formula", "algebra"),
    Rule("named intermediate", "write a formula in terms of a named intermediate", "algebra"),
)

RULES: dict[str, Rule] = {rule.name: rule for rule in _TABLE}


# Local derivatives of elementary functions: f ↦ (rule name, f′ as a function of the argument).
ELEMENTARY: dict[Any, tuple[str, Callable[[sp.Expr], sp.Expr]]] = {
    p.function: (p.rule, p.derivative) for p in PRIMITIVES
}
