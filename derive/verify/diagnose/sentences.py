"""The explanation sentences: a mal-rule's template said at the place it was found, and the
``Diagnosis`` record that carries the explanation.

A sentence is a lead ("It equals the correct derivative with " for a buggy rule, "It equals
the correct result with " for a slip), the mal-rule's ``sentence`` template filled in, its
``correction`` and a full stop. The fields a template may use are ``FIELDS[kind]``:

* a buggy rule at a step of the derivation: ``expr`` (what the rule differentiates),
  ``derivative`` (d/dx f as written, or f′(u)), ``correct`` and ``slipped`` (the step's result,
  right and buggy), ``rule`` (the right rule's statement in the rule table), ``inner`` and
  ``inner_value`` (a chain rule's inner derivative and its value), ``statement``;
* a slip at a part of an expression: ``correct`` and ``slipped`` (the part), ``written_term``
  and ``right_term`` (the term or factor concerned), ``top_ordinal`` ("second", when that term
  is one of the claim's own terms), ``on_term`` (" on the second term", or nothing),
  ``factor`` and ``inverse`` (a factor slip's constant and its inverse), ``statement``.

Sentences are made of text and expressions (``Part``), so any printer can say them
(``Diagnosis.sentence``); ``explanation`` is the sentence printed by ``printing.show``.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import sympy as sp

from derive.core.functions import sigmoid
from derive.core.records import DiffStep
from derive.engine.rules import RULES
from derive.verify.diagnose.buggy_rules import derived_parts
from derive.verify.diagnose.catalogue import Kind, MalRule
from derive.verify.diagnose.screen import Sampler
from derive.verify.diagnose.sides import Expand, unevaluated
from derive.verify.diagnose.slips import Slip, terms

Show: TypeAlias = Callable[[Any], str]
Part: TypeAlias = str | sp.Basic
Field: TypeAlias = Part | tuple[Part, ...]


@dataclass(frozen=True)
class Diagnosis:
    """The mistake that reproduces a claim, said as a tutor says it.

    ``correct`` and ``slipped`` are the part where the slip happened, right and as slipped
    (for a pair, those of the first slip). ``parts`` is the explanation as text and
    expressions, so a printer of one's own can render it (``sentence``); ``explanation`` is
    that sentence in this package's plain Unicode. ``equivalent`` names the other mal-rules
    that reproduce the claim just as well; ``outcome`` is the comparison that showed it.
    """

    mal_rule: str
    explanation: str
    where: str
    correct: sp.Expr
    slipped: sp.Expr
    cancelling: bool = False
    equivalent: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    outcome: Any = None
    components: tuple[str, ...] = ()

    def sentence(self, show: Show) -> str:
        """The explanation with every expression printed by ``show``."""
        return render(self.parts, show) if self.parts else self.explanation

    def names(self) -> tuple[str, ...]:
        """Every mal-rule this diagnosis stands for: its own (both of a pair) and equivalents."""
        return (*(self.components or (self.mal_rule,)), *self.equivalent)


def render(parts: Iterable[Part], printer: Show) -> str:
    """A sentence with every expression printed by ``printer``."""
    return "".join(p if isinstance(p, str) else printer(p) for p in parts)


LEADS: dict[Kind, str] = {
    "rule": "It equals the correct derivative with ",
    "slip": "It equals the correct result with ",
}

FIELDS: dict[Kind, frozenset[str]] = {
    "rule": frozenset({"expr", "derivative", "correct", "slipped", "rule", "inner",
                       "inner_value", "statement"}),
    "slip": frozenset({"correct", "slipped", "written_term", "right_term", "top_ordinal",
                       "on_term", "factor", "inverse", "statement"}),
}
"""The fields a template of each kind of mal-rule may use."""


@dataclass(frozen=True)
class Said:
    """One mal-rule said at one place: the lead, what happened, and what it should be."""

    lead: str
    body: tuple[Part, ...]
    correction: tuple[Part, ...] = ()

    def alone(self) -> tuple[Part, ...]:
        """The sentence of a single mal-rule, or of the first of a pair."""
        return (self.lead, *self.body, *self.correction, ".")

    def also(self) -> tuple[Part, ...]:
        """The sentence of a pair's second mal-rule: what it is, not what the claim should
        be."""
        return ("Also, with ", *self.body, ".")


_FORMATTER = string.Formatter()


def fields_of(template: str) -> set[str]:
    """The fields a template uses."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name is not None}


def fill(template: str, fields: Mapping[str, Field]) -> tuple[Part, ...] | None:
    """A template as text and expressions, or None when it uses a field not in ``fields``."""
    parts: list[Part] = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if name not in fields:
            return None
        value = fields[name]
        parts.extend(value if isinstance(value, tuple) else (value,))
    return tuple(parts)


def _said(mal: MalRule, fields: Mapping[str, Field], tail: tuple[Part, ...] = ()) -> Said:
    body = fill(mal.sentence, fields)
    if body is None:
        return Said(LEADS[mal.kind], (*(fill(mal.fallback, fields) or (mal.statement,)), *tail))
    return Said(LEADS[mal.kind], (*body, *tail), fill(mal.correction, fields) or ())


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(position: int) -> str:
    return _ORDINALS[position - 1] if 0 < position <= len(_ORDINALS) else f"{position}th"


def sign_effect(correct: sp.Basic, slipped: sp.Basic, sampler: Sampler,
                position: int | None) -> str:
    """What a buggy step does to the result, when it is simply a sign."""
    a, b = sampler.vector(correct), sampler.vector(slipped)
    ratios = [y / x for x, y in zip(a, b, strict=True) if x and y is not None]
    if ratios and all(abs(r + 1) < 1e-9 for r in ratios):
        if position is not None:
            return f"; the sign of the {ordinal(position)} term flips"
        return "; its sign flips"
    return ""


def term_position(expr: sp.Basic, site: sp.Basic, expand: Expand) -> int | None:
    """The place (1 = first) of the additive term of ``expr`` holding ``site``, or None."""
    current = expr
    for _ in range(12):
        if isinstance(current, sp.Derivative):
            current = expand(current.expr, frozenset(v for v, _ in current.variable_count))
            continue
        if isinstance(current, sp.Add):
            where = [i for i, t in enumerate(terms(current), 1) if t.has(site)]
            return where[0] if len(where) == 1 else None
        holding = [a for a in current.args if a.has(site)]
        if len(holding) != 1:
            return None
        current = holding[0]
    return None


def _local(node: DiffStep) -> tuple[Part, ...]:
    """d/dx f as written: f′(u) for the outer derivative of a chain rule."""
    if isinstance(node.wrt, sp.Symbol | sp.Indexed):
        return (unevaluated(node.expr, node.wrt),)
    if isinstance(node.expr, sp.Function):
        name = "σ" if isinstance(node.expr, sigmoid) else type(node.expr).__name__
        return (f"{name}′(", node.wrt, ")")
    return ("the derivative of ", node.expr, " with respect to ", node.wrt)


def rule_said(mal: MalRule, node: DiffStep, buggy: DiffStep, effect: str) -> Said:
    """A buggy rule at one step of the derivation (``effect``: what it does to the sign)."""
    if isinstance(node.expr, sp.Pow) and not isinstance(node.wrt, sp.Symbol | sp.Indexed):
        u = sp.Symbol("u")  # (uⁿ)′ at u = the base, as people write it
        base = node.expr.base
        local = DiffStep(node.rule, node.expr.xreplace({base: u}), u,
                         node.result.xreplace({base: u}), node.unfolded)
        slipped = DiffStep(buggy.rule, local.expr, u, buggy.result.xreplace({base: u}),
                           buggy.unfolded)
        said = rule_said(mal, local, slipped, effect)
        return replace(said, body=(*said.body, " with u = ", base))
    fields: dict[str, Field] = {
        "expr": node.expr, "derivative": _local(node), "correct": node.result,
        "slipped": buggy.result, "rule": RULES[mal.rule].statement, "statement": mal.statement,
    }
    parts = derived_parts(node)
    if len(parts) >= 2:
        fields["inner"] = unevaluated(parts[1].expr, parts[1].wrt)
        fields["inner_value"] = parts[1].result
    return _said(mal, fields, (effect,))


def slip_said(mal: MalRule, slip: Slip, undone: bool, top: bool) -> Said:
    """A slip at one part; ``undone`` when it was found by undoing it on the claim, ``top``
    when the part is the claim's own sum (so its terms can be counted)."""
    correct, slipped = (slip.slipped, slip.part) if undone else (slip.part, slip.slipped)
    fields: dict[str, Field] = {"correct": correct, "slipped": slipped,
                                "statement": mal.statement, "on_term": ""}
    if slip.term is not None:
        written, right = (slip.term[0], slip.term[1]) if undone else (slip.term[1], slip.term[0])
        fields.update(written_term=written, right_term=right)
        if slip.position is not None:
            fields["on_term"] = f" on the {ordinal(slip.position)} term"
            if top:
                fields["top_ordinal"] = ordinal(slip.position)
    if slip.factor is not None:
        factor = 1 / slip.factor if undone else slip.factor
        fields.update(factor=factor, inverse=sp.simplify(1 / factor))
    return _said(mal, fields)


def every_place_said(mal: MalRule) -> Said:
    """A buggy rule made at every place the rule is used."""
    return Said(LEADS[mal.kind], (mal.statement, " at every place the rule is used"))


def explanation(said: Sequence[Said], equivalents: Sequence[str]) -> tuple[Part, ...]:
    """The explanation of one mal-rule or of a pair, followed by the statements of the
    ``equivalents`` unless it already says which sign flips."""
    parts = said[0].alone()
    if len(said) > 1:
        parts = ("Two slips together reproduce it. ", *parts, " ", *said[1].also())
    if equivalents and not any(isinstance(p, str) and "sign" in p for p in parts):
        parts = (*parts, " Equivalently: ", "; ".join(equivalents), ".")
    return parts
