"""The search for the mal-rule that reproduces a refuted claim: ``explain`` and its kin.

Candidates come from two sides. On the truth's side, the target is re-derived with one rule
of the engine swapped for a buggy version (at one place of the derivation at a time, then at
every place), and slips that cannot be undone are applied to the correct result. On the
claim's side, slips are undone, so that the place is named in the learner's own writing.
Every candidate is screened at a few sample points, and only those that agree go to the
judge. Single mal-rules come first, pairs only when no single one explains the claim, all
within the time budget.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import sympy as sp

from derive.core.budget import Deadline, time_limit
from derive.core.domains import Count, Domain
from derive.core.errors import DeriveError
from derive.core.outcomes import Checked, Outcome, Proved
from derive.core.records import DiffStep
from derive.engine.differentiate import differentiate
from derive.verify.diagnose.buggy_rules import derived_parts
from derive.verify.diagnose.catalogue import MAL_RULES, RANK, MalRule
from derive.verify.diagnose.judge import (
    MAX_COMPARE,
    confirmed,
    differs,
    judge_for,
    outcome,
)
from derive.verify.diagnose.printing import show
from derive.verify.diagnose.screen import Sampler, Vector, close
from derive.verify.diagnose.sentences import (
    Diagnosis,
    Said,
    every_place_said,
    explanation,
    render,
    rule_said,
    sign_effect,
    slip_said,
    term_position,
)
from derive.verify.diagnose.sides import (
    GIVE_UP,
    Expand,
    Unusable,
    derivatives,
    no_expansion,
    variable_of,
)

SOFT_SHARE = 0.8
"""Candidates are generated in this share of the budget; the rest confirms them."""


@dataclass(frozen=True)
class _Site:
    """One mal-rule at one place: what it changed and how to say it."""

    mal: MalRule
    where: sp.Basic
    correct: sp.Basic
    slipped: sp.Basic
    said: Said
    order: int


_Override: TypeAlias = tuple[str, tuple[Any, Any], Callable[..., Any]]
"""(engine rule, (expression, variable) of the place, buggy version of the step)."""


@dataclass(frozen=True)
class _Candidate:
    """A value that should equal the claim (``side == "truth"``: a buggy derivation or a slip
    applied to the truth) or the truth (``"claim"``: a slip undone on the claim)."""

    sites: tuple[_Site, ...]
    side: str
    value: sp.Basic
    expression: sp.Basic | None = None
    overrides: tuple[tuple[sp.Derivative, _Override], ...] = ()

    @property
    def rank(self) -> tuple[int, ...]:
        return tuple(sorted(RANK[s.mal.name] * 1000 + s.order for s in self.sites))


_Found: TypeAlias = tuple[tuple[int, ...], tuple[_Site, ...], sp.Basic, sp.Basic]
"""(rank, sites, value, the value it must equal)."""


def _at(key: tuple[Any, Any], function: Callable[..., Any]) -> Callable[[DiffStep], DiffStep]:
    def override(step: DiffStep) -> DiffStep:
        if (step.expr, step.wrt) != key:
            return step
        buggy = function(step)
        return buggy if isinstance(buggy, DiffStep) else step
    return override


def _combined(pairs: Sequence[_Override]
              ) -> dict[str, Callable[[DiffStep], DiffStep]]:
    """Overrides applying several (rule, site, function) at once."""
    by_rule: dict[str, list[Callable[[DiffStep], DiffStep]]] = {}
    for rule, key, function in pairs:
        by_rule.setdefault(rule, []).append(_at(key, function))

    def chain(functions: list[Callable[[DiffStep], DiffStep]]) -> Callable[[DiffStep], DiffStep]:
        def override(step: DiffStep) -> DiffStep:
            for function in functions:
                changed = function(step)
                if changed is not step:
                    return changed
            return step
        return override

    return {rule: chain(functions) for rule, functions in by_rule.items()}


def _constants(exprs: Iterable[sp.Basic], sampler: Sampler) -> list[sp.Expr]:
    """Candidate wrong factors: 2, 3, the numbers and counts in the expressions, inverses and
    negatives."""
    base: list[sp.Expr] = [sp.Integer(2), sp.Integer(3)]
    for expr in exprs:
        for number in expr.atoms(sp.Rational):
            if number not in (0, 1, -1):
                base.append(abs(number))
        for symbol in expr.free_symbols:
            if isinstance(symbol, sp.Symbol) and isinstance(sampler.domain(symbol), Count):
                base.append(symbol)
    found: list[sp.Expr] = []
    for value in base:
        for candidate in (value, 1 / value, -value, -1 / value):
            if candidate not in found and candidate not in (1, -1):
                found.append(candidate)
    return found


class _Explainer:
    def __init__(self, previous: sp.Basic, claimed: sp.Basic, expand: Expand,
                 domains: Mapping[sp.Symbol, Domain], budget: float) -> None:
        self.previous, self.claimed, self.expand = previous, claimed, expand
        self.deadline = Deadline(budget)
        self.soft = Deadline(budget * SOFT_SHARE)
        self.judge = judge_for(previous, claimed, expand, domains)
        self.sampler = self.judge.sampler

    # sources of candidates

    def _remaining_derivatives(self) -> set[tuple[Any, Any]]:
        found = set()
        for node in self.claimed.atoms(sp.Derivative):
            try:
                variable = variable_of(node)
            except Unusable:
                continue
            found.add((self.expand(node.expr, frozenset({variable})), variable))
        return found

    def rule_sites(self) -> Iterator[tuple[sp.Derivative, sp.Basic, sp.Symbol, DiffStep,
                                            MalRule, DiffStep, int]]:
        """(derivative, F, v, node, mal-rule, buggy node, order) for every place a rule
        mal-rule applies in the derivation of a derivative the claim evaluates."""
        remaining = self._remaining_derivatives()
        order = 0
        for node in derivatives(self.previous):
            try:
                variable = variable_of(node)
                written = self.expand(node.expr, frozenset({variable}))
                correct = differentiate(written, variable)
            except (Unusable, DeriveError):
                continue
            if (written, variable) in remaining:
                continue
            for step in _walk_evaluated(correct, remaining):
                for mal in MAL_RULES.values():
                    if mal.kind != "rule" or step.rule != mal.rule:
                        continue
                    buggy = mal.buggy(step)
                    if buggy is not None and buggy.result != step.result:
                        order += 1
                        yield node, written, variable, step, mal, buggy, order

    def truth_side(self, truth: sp.Basic, factors: Sequence[sp.Expr]) -> Iterator[_Candidate]:
        by_mal: dict[str, list[tuple[sp.Derivative, _Override]]] = {}
        for node, written, variable, step, mal, buggy, order in self.rule_sites():
            if self.soft.expired():
                return
            key = (step.expr, step.wrt)
            override = (mal.rule, key, mal.apply)
            value = self._derive({node: [override]}, {node: (written, variable)})
            if value is None:
                continue
            by_mal.setdefault(mal.name, []).append((node, override))
            place = term_position(self.previous, step.expr, self.expand)
            effect = sign_effect(step.result, buggy.result, self.sampler, place)
            site = _Site(mal, step.expr, step.result, buggy.result,
                         rule_said(mal, step, buggy, effect), order)
            yield _Candidate((site,), "truth", value, overrides=((node, override),))
        for name, uses in by_mal.items():  # the same mistake at every place
            if len(uses) < 2 or self.soft.expired():
                continue
            grouped: dict[sp.Derivative, list[_Override]]
            grouped = {}
            for node, override in uses:
                grouped.setdefault(node, []).append(override)
            targets = {n: (self.expand(n.expr, frozenset({variable_of(n)})), variable_of(n))
                       for n in grouped}
            value = self._derive(grouped, targets)
            if value is None:
                continue
            mal = MAL_RULES[name]
            site = _Site(mal, sp.Symbol("every place"), truth, value, every_place_said(mal), 999)
            yield _Candidate((site,), "truth", value)
        for mal in MAL_RULES.values():  # slips that cannot be undone on the claim
            if mal.kind != "slip" or mal.undoable:
                continue
            for form in (truth, self.previous):
                for slip in mal.slips(form, factors):
                    if self.soft.expired():
                        return
                    try:
                        value = self.judge.value(slip.result)
                    except (Unusable, DeriveError):
                        continue
                    site = _Site(mal, slip.part, slip.part, slip.slipped,
                                 slip_said(mal, slip, False, False), 0)
                    yield _Candidate((site,), "truth", value)

    def _derive(self, overrides: Mapping[sp.Derivative, Sequence[_Override]],
                targets: Mapping[sp.Derivative, tuple[sp.Basic, sp.Symbol]]) -> sp.Basic | None:
        mapping = {}
        try:
            for node, uses in overrides.items():
                written, variable = targets[node]
                mapping[node] = differentiate(written, variable,
                                              overrides=_combined(uses)).result
            return self.judge.value(self.previous.xreplace(mapping))
        except (Unusable, DeriveError):
            return None

    def claim_side(self, expression: sp.Basic, factors: Sequence[sp.Expr]
                   ) -> Iterator[_Candidate]:
        top = _top_additive(expression)
        order = 0
        for mal in MAL_RULES.values():
            if mal.kind != "slip" or not mal.undoable:
                continue
            for slip in mal.slips(expression, factors):
                if self.soft.expired():
                    return
                order += 1
                try:
                    value = self.judge.value(slip.result)
                except (Unusable, DeriveError, ValueError, TypeError):
                    continue
                site = _Site(mal, slip.part, slip.slipped, slip.part,
                             slip_said(mal, slip, True, slip.part == top), order)
                yield _Candidate((site,), "claim", value, slip.result)

    # the search

    def _confirm(self, a: sp.Basic, b: sp.Basic) -> Outcome | None:
        left = self.deadline.remaining()
        if left < 0.02:
            return None
        found = self.judge.compare(a, b, min(left, MAX_COMPARE))
        return found if isinstance(found, Proved | Checked) else None

    def run(self) -> Diagnosis | None:
        truth = self.judge.value(self.previous)
        said = self.judge.value(self.claimed)
        first = self.judge.compare(truth, said, min(self.deadline.remaining() * 0.3, 1.0))
        if not differs(first):
            return None
        truth_vector, said_vector = self.judge.vector(truth), self.judge.vector(said)
        if truth_vector is None:
            return None
        factors = _constants((self.previous, self.claimed, truth), self.sampler)
        truths: list[tuple[_Candidate, Vector | None]] = []
        claims: list[tuple[_Candidate, Vector | None]] = []
        matched: list[_Candidate] = []
        for candidate in self.truth_side(truth, factors):
            vector = self.judge.vector(candidate.value)
            truths.append((candidate, vector))
            if close(vector, said_vector):
                matched.append(candidate)
        for candidate in self.claim_side(self.claimed, factors):
            vector = self.judge.vector(candidate.value)
            claims.append((candidate, vector))
            if close(vector, truth_vector):
                matched.append(candidate)
        single = self._best(matched, truth, said)
        if single is not None:
            return single
        return self._pairs(truth, said, truth_vector, said_vector, truths, claims, factors)

    def _target(self, candidate: _Candidate, truth: sp.Basic, said: sp.Basic) -> sp.Basic:
        return said if candidate.side == "truth" else truth

    def _best(self, matched: Sequence[_Candidate], truth: sp.Basic, said: sp.Basic
              ) -> Diagnosis | None:
        accepted: list[tuple[_Candidate, Outcome]] = []
        for candidate in sorted(matched, key=lambda c: c.rank):
            if accepted and candidate.sites[0].mal.name in {
                c.sites[0].mal.name for c, _ in accepted
            }:
                continue
            found = self._confirm(candidate.value, self._target(candidate, truth, said))
            if found is not None:
                accepted.append((candidate, found))
            if len(accepted) >= 4 or self.deadline.expired():
                break
        if not accepted:
            return None
        best, found = accepted[0]
        others = tuple(dict.fromkeys(
            c.sites[0].mal.name for c, _ in accepted[1:]
            if c.sites[0].mal.name != best.sites[0].mal.name))
        return _diagnosis(best.sites, others, found)

    def _pairs(self, truth: sp.Basic, said: sp.Basic, truth_vector: Vector,
               said_vector: Vector | None, truths: list[tuple[_Candidate, Vector | None]],
               claims: list[tuple[_Candidate, Vector | None]], factors: Sequence[sp.Expr]
               ) -> Diagnosis | None:
        """Two mal-rules together, cheapest kinds first; each kind confirmed before the next.
        Without values of the claim (undefined at every screening point), only slips undone
        on the claim are tried."""
        phases = [self._rule_and_slip(truths, claims)]
        if said_vector is not None:
            phases.append(self._two_rules(truths, said, said_vector))
        phases.append(self._two_slips(truth, truth_vector, claims, factors))
        for phase in phases:
            found = sorted(phase, key=lambda f: f[0])
            for _, sites, a, b in found:
                if len({s.mal.name for s in sites}) == 1 and sites[0].mal.twice_is_once:
                    continue  # two of these are one of them
                confirmation = self._confirm(a, b)
                if confirmation is not None:
                    return _diagnosis(sites, (), confirmation)
                if self.deadline.expired():
                    return None
        return None

    def _rule_and_slip(self, truths: list[tuple[_Candidate, Vector | None]],
                       claims: list[tuple[_Candidate, Vector | None]]) -> Iterator[_Found]:
        """A buggy derivation with a slip on top: undoing the slip on the claim gives it."""
        for (t, tv), (c, cv) in itertools.product(truths, claims):
            if close(cv, tv):
                yield (*t.rank, *c.rank), (*t.sites, *c.sites), c.value, t.value

    def _two_rules(self, truths: list[tuple[_Candidate, Vector | None]], said: sp.Basic,
                   said_vector: Vector) -> Iterator[_Found]:
        """Two buggy rules in one derivation."""
        rules = [t for t, _ in truths if t.overrides]
        for a, b in itertools.combinations(rules, 2):
            if self.soft.expired():
                return
            grouped: dict[sp.Derivative, list[_Override]] = {}
            for node, override in (*a.overrides, *b.overrides):
                grouped.setdefault(node, []).append(override)
            targets = {n: (self.expand(n.expr, frozenset({variable_of(n)})), variable_of(n))
                       for n in grouped}
            value = self._derive(grouped, targets)
            if value is not None and self.judge.matches(value, said_vector):
                yield (*a.rank, *b.rank), (*a.sites, *b.sites), value, said

    def _two_slips(self, truth: sp.Basic, truth_vector: Vector,
                   claims: list[tuple[_Candidate, Vector | None]],
                   factors: Sequence[sp.Expr]) -> Iterator[_Found]:
        """Two slips undone on the claim, one after the other."""
        for first, vector in claims:
            if self.soft.expired():
                return
            if vector is None or first.expression is None:
                continue
            for second in self.claim_side(first.expression, factors):
                if self.judge.matches(second.value, truth_vector):
                    yield ((*first.rank, *second.rank), (*first.sites, *second.sites),
                           second.value, truth)


def _walk_evaluated(step: DiffStep, remaining: set[tuple[Any, Any]]) -> Iterator[DiffStep]:
    """The steps of a derivation, without those of derivatives the claim leaves unevaluated."""
    if (step.expr, step.wrt) in remaining:
        return
    yield step
    for child in derived_parts(step):
        yield from _walk_evaluated(child, remaining)


def _top_additive(expr: sp.Basic) -> sp.Basic | None:
    current = expr
    for _ in range(8):
        if isinstance(current, sp.Add | sp.MatAdd):
            return current
        if isinstance(current, sp.Mul | sp.MatMul):
            sums = [a for a in current.args if isinstance(a, sp.Add | sp.MatAdd)]
            if len(sums) != 1 or any(not a.is_number for a in current.args
                                     if a is not sums[0]):
                return None
            current = sums[0]
            continue
        return None
    return None


def _diagnosis(sites: Sequence[_Site], equivalent: tuple[str, ...], found: Outcome
               ) -> Diagnosis:
    first = sites[0]
    parts = explanation([s.said for s in sites], [MAL_RULES[n].statement for n in equivalent])
    return Diagnosis(" + ".join(s.mal.name for s in sites), render(parts, show),
                     "; ".join(show(s.where) for s in sites), first.correct, first.slipped,
                     equivalent=equivalent, parts=parts, outcome=found,
                     components=tuple(s.mal.name for s in sites))


def explain(previous: sp.Expr, claimed: sp.Expr, *, expand: Expand = no_expansion,
            domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
            ) -> Diagnosis | None:
    """The mal-rule whose buggy derivation reproduces ``claimed`` from ``previous``, or None.

    ``previous`` is the side the step continues from (a derivative such as ∂J/∂ŷ, or the line
    before), ``claimed`` the learner's side, both as the checker reads them; ``expand(expr,
    keep)`` writes named quantities out except those in ``keep``. A diagnosis is only given
    when the claim is refuted and ``compare`` shows that the mal-rule reproduces it; single
    mal-rules are tried first, pairs only when none explains it, all within ``budget`` s.
    """
    try:
        with time_limit(budget):
            return _Explainer(previous, claimed, expand, domains or {}, budget).run()
    except GIVE_UP:
        return None


def explain_links(links: Sequence[tuple[sp.Expr, sp.Expr]], *, expand: Expand = no_expansion,
                  domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
                  ) -> list[Diagnosis | None]:
    """``explain`` for each link (previous, claimed) of a chain; the diagnoses of two
    neighbouring slips that cancel carry ``cancelling=True``."""
    found = [explain(a, b, expand=expand, domains=domains, budget=budget) for a, b in links]
    for index in cancelling(links, expand=expand, domains=domains, budget=budget):
        for at in (index, index + 1):
            diagnosis = found[at]
            if diagnosis is not None:
                found[at] = replace(diagnosis, cancelling=True)
    return found


def cancelling(links: Sequence[tuple[sp.Expr, sp.Expr]], *, expand: Expand = no_expansion,
               domains: Mapping[sp.Symbol, Domain] | None = None, budget: float = 3.0
               ) -> list[int]:
    """The indices i where links i and i + 1 are both refuted but the side before link i
    equals the side after link i + 1: two slips whose effects cancel, the final line right
    though the line between is wrong."""
    deadline = Deadline(budget)
    found: list[int] = []
    refuted: dict[int, bool] = {}

    def wrong(index: int) -> bool:
        if index not in refuted:
            a, b = links[index]
            refuted[index] = differs(outcome(a, b, expand, domains, deadline))
        return refuted[index]

    for index in range(len(links) - 1):
        if deadline.expired():
            break
        if wrong(index) and wrong(index + 1) and confirmed(
                outcome(links[index][0], links[index + 1][1], expand, domains, deadline)):
            found.append(index)
    return found
