"""Immutable records of a derivation: steps, the derivation they make, and their checks.

Printers in ``derive.emit.render`` dispatch on the record type. A step never holds a result
that was not produced by a named rule; ``check`` holds the independent verification of
the step (an ``equivalence`` outcome), or ``None`` when it was not asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

Outcome = Any  # derive.decide.equivalence.Outcome; kept loose so records stay free of the checker


@dataclass(frozen=True)
class Step:
    """Base record of every step."""

    rule: str

    def children(self) -> tuple[Step, ...]:
        return ()

    def walk(self) -> Iterator[Step]:
        """This step and every step under it, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class DiffStep(Step):
    """d/d(wrt) expr = result, by ``rule``; ``unfolded`` is the rule's right-hand side with
    the derivatives of the parts still unevaluated (how a person writes the step)."""

    expr: sp.Expr
    wrt: sp.Expr
    result: sp.Expr
    unfolded: sp.Expr
    substeps: tuple[Step, ...] = ()
    check: Outcome | None = None

    def children(self) -> tuple[Step, ...]:
        return self.substeps


@dataclass(frozen=True)
class RewriteStep(Step):
    """before = after by algebra: ``rule`` names the transformation."""

    before: sp.Expr
    after: sp.Expr
    check: Outcome | None = None


@dataclass(frozen=True)
class Factor:
    """One factor of a chain rule: ∂(output)/∂(input) with the step that derived it."""

    output: str
    input: str
    step: Step
    value: sp.Expr | sp.MatrixBase | Any


@dataclass(frozen=True)
class ChainStep(Step):
    """∂target/∂wrt as the product of local factors along a path of named intermediates.

    ``factors`` are in the order of the path (target first); ``combine`` states how they are
    combined (a scalar product, or a matrix rule such as ``Xᵀ G``); ``product`` is the
    combination written out, ``result`` its simplified form."""

    target: str
    wrt: str
    path: tuple[str, ...]
    factors: tuple[Factor, ...]
    combine: str
    product: Any
    result: Any
    substeps: tuple[Step, ...] = ()
    check: Outcome | None = None

    def children(self) -> tuple[Step, ...]:
        return tuple(f.step for f in self.factors) + self.substeps


@dataclass(frozen=True)
class Line:
    """One line of a derivation as a document writes it: ``= expression``, with the rules
    that lead to it from the line before, and the check of that link."""

    expression: Any
    rules: tuple[str, ...]
    facts: tuple[tuple[Any, Any], ...] = ()
    check: Outcome | None = None


@dataclass(frozen=True)
class Derivation:
    """A whole derivation: the goal, the definitions in force, its steps and its result."""

    title: str
    output: str
    wrt: Any
    partial: bool
    definitions: tuple[tuple[str, Any], ...]
    steps: tuple[Step, ...]
    result: Any
    lines: tuple[Line, ...] = ()
    notes: tuple[str, ...] = field(default=())
    followed_by: tuple[Derivation, ...] = ()
    """Derivations that belong with this one (the batch form after the per-example one)."""

    @property
    def goal(self) -> str:
        """The goal in plain words, such as ``dJ/dyhat``."""
        d = "∂" if self.partial else "d"
        return f"{d}{self.output}/{d}{self.wrt}"

    def all_steps(self) -> Iterator[Step]:
        for step in self.steps:
            yield from step.walk()

    def unverified(self) -> list[Step]:
        """Steps whose check did not confirm them (never expected to be non-empty)."""
        return [s for s in self.all_steps() if not _confirmed(getattr(s, "check", None))]


def _confirmed(outcome: Outcome | None) -> bool:
    name = type(outcome).__name__
    return name in ("Proved", "Checked", "CheckedAtSizes")
