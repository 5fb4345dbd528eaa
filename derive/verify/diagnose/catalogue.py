"""The catalogue of mal-rules: one immutable record per known mistake, most specific first.

A ``MalRule`` holds everything the search and the sentences need to know of a mistake: its
name, the rule of the engine's rule table it is a mistake of, its statement, the sentence
that explains it (a template, filled in at the place found), and the function that commits
it. The order of ``MAL_RULES`` ranks explanations: when several reproduce a claim, the first
is named and the others are listed as equivalent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

from derive.core.records import DiffStep
from derive.verify.diagnose import buggy_rules, slips
from derive.verify.diagnose.slips import Slip

Kind = Literal["rule", "slip"]


@dataclass(frozen=True)
class MalRule:
    """A known mistake: its name, the engine rule it is a mistake of, how to say it, and the
    function that commits it.

    ``kind`` is ``"rule"`` for a buggy version of an engine step citing ``rule``
    (``apply(step) -> step | None``, swapped into the engine), ``"slip"`` for a change to a
    correct expression (``apply(expr) -> Iterator[Slip]``; ``apply(expr, factors)`` when
    ``with_factors``, tried with the constants of the claim). ``undoable`` slips are also
    undone on the claim; the others are only applied to the truth.

    ``sentence`` is the explanation after "It equals the correct derivative (result) with ",
    a template whose fields (``{correct}``, ``{slipped}``, ...) are filled at the place found
    (``derive.verify.diagnose.sentences`` lists them); when a field is not known there, the
    ``fallback`` is said. ``correction`` follows the sentence, except for the second slip of
    a pair. ``twice_is_once``: the slip made twice is the slip made once, so such a pair is
    never an explanation.
    """

    name: str
    rule: str
    kind: Kind
    statement: str
    sentence: str
    apply: Callable[..., Any] = field(compare=False, repr=False)
    fallback: str = "{statement}: {slipped} should be {correct}"
    correction: str = ""
    undoable: bool = True
    with_factors: bool = False
    twice_is_once: bool = False

    def slips(self, expr: sp.Basic, factors: Sequence[sp.Expr]) -> Iterator[Slip]:
        """Every way this slip changes ``expr`` (``factors``: the constants to try)."""
        found: Iterator[Slip] = (self.apply(expr, factors) if self.with_factors
                                 else self.apply(expr))
        return found

    def buggy(self, step: DiffStep) -> DiffStep | None:
        """The step as this buggy rule makes it, or None where the mistake does not apply."""
        found = self.apply(step)
        return found if isinstance(found, DiffStep) else None


_BY_THE_RULE = "{derivative} = {correct} by {rule}, not {slipped}"

CATALOGUE: tuple[MalRule, ...] = (
    MalRule(
        "inner derivative dropped", "chain", "rule",
        "(f∘u)′ = f′(u) (the inner derivative u′ forgotten)",
        "the inner derivative of {expr} dropped: {derivative} = {correct}, since {inner} = "
        "{inner_value} (chain rule)",
        buggy_rules.inner_derivative_dropped),
    MalRule(
        "log′ without the inner function", "chain", "rule",
        "d/dx log u = 1/u (log′ taken as if u were the variable)",
        "log′ taken without the inner function: {derivative} = {correct}, not {slipped} "
        "(d/dx log u = u′/u)",
        buggy_rules.log_without_inner),
    MalRule(
        "σ′ taken as σ", "sigmoid", "rule",
        "σ′(u) = σ(u), instead of σ(u)(1 − σ(u))",
        "σ′ taken as σ: {derivative} = {correct}, not {slipped}",
        buggy_rules.sigmoid_prime_as_sigmoid),
    MalRule(
        "σ′ taken as σ(1 + σ)", "sigmoid", "rule",
        "σ′(u) = σ(u)(1 + σ(u)), instead of σ(u)(1 − σ(u))",
        "σ′ taken as σ(1 + σ): {derivative} = {correct}, not {slipped}",
        buggy_rules.sigmoid_prime_plus),
    MalRule(
        "quotient rule numerator swapped", "quotient", "rule",
        "(u/v)′ = (u·v′ − u′·v)/v², instead of (u′·v − u·v′)/v²",
        "the quotient rule's numerator terms swapped: " + _BY_THE_RULE,
        buggy_rules.quotient_numerator_swapped),
    MalRule(
        "power rule exponent not reduced", "power", "rule",
        "(uⁿ)′ = n·uⁿ·u′, instead of n·uⁿ⁻¹·u′",
        "the power rule's exponent not reduced by one: " + _BY_THE_RULE,
        buggy_rules.power_not_reduced),
    MalRule(
        "product rule as product of derivatives", "product", "rule",
        "(u·v)′ = u′·v′, instead of u′·v + u·v′",
        "the product rule taken as the product of the derivatives: " + _BY_THE_RULE,
        buggy_rules.product_of_derivatives),
    MalRule(
        "sum over the batch missing", "accumulate", "slip",
        "Σᵢ fᵢ written as fᵢ (the sum over the batch dropped)",
        "the sum over the batch missing: {correct} is written as {slipped}",
        slips.sum_missing, undoable=False),
    MalRule(
        "factor transposed", "matmul right", "slip",
        "Aᵀ written for A, or A for Aᵀ",
        "a factor transposed: {slipped} where {correct} is needed ({right_term} is the right "
        "factor)",
        slips.factor_transposed),
    MalRule(
        "matrix and Hadamard product swapped", "elementwise", "slip",
        "A·B written for A ⊙ B, or A ⊙ B for A·B",
        "the matrix product and the Hadamard product swapped: {slipped} where {correct} is "
        "needed",
        slips.product_kind_swapped),
    MalRule(
        "constant factor wrong", "constant multiple", "slip",
        "c·f written for f (a constant factor such as 1/m, 2 or −1 dropped or wrong)",
        "a constant factor wrong{on_term}: it is {factor} times the correct value ({inverse} "
        "dropped, or a wrong constant)",
        slips.constant_factor_wrong, correction="; it should be {correct}", with_factors=True,
        twice_is_once=True),
    MalRule(
        "term sign flipped", "sum", "slip",
        "a + b written as a − b (the sign of one additive term flipped)",
        "the sign of the {top_ordinal} term flipped: {written_term} should be {right_term}",
        slips.term_sign_flipped,
        fallback="the sign of one term flipped: {slipped} should be {correct}"),
    MalRule(
        "overall sign flipped", "constant multiple", "slip",
        "−f written for f (the overall sign flipped)",
        "the opposite sign (a factor −1 dropped or added): it should be {correct}",
        slips.overall_sign_flipped, twice_is_once=True),
)
"""The records, most specific first."""

MAL_RULES: dict[str, MalRule] = {m.name: m for m in CATALOGUE}
"""Every known mistake, most specific first (the order ranks several explanations)."""

RANK = {name: i for i, name in enumerate(MAL_RULES)}
"""A mal-rule's place in the catalogue (0 = the most specific)."""
