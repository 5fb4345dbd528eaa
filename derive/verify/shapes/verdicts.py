"""A matrix claim's verdict record and the text of its outcomes: checked at sizes, or an entry
that differs."""

from __future__ import annotations

from collections.abc import Mapping

from derive.core.outcomes import CheckedAtSizes, Decision, DiffersAtSizes
from derive.core.unicode import pretty_name


def holds(decision: Decision) -> bool:
    """Whether the decision establishes the claim (proved or checked)."""
    return decision.verdict.holds


def sizes_text(sizes: Mapping[str, int]) -> str:
    """Sizes as the texts write them: d = 2, n = 3."""
    return ", ".join(f"{n} = {v}" for n, v in sorted(sizes.items()))


def checked_text(outcome: CheckedAtSizes) -> str:
    """The text of an agreement at one instantiation."""
    how = "exactly" if outcome.exact else (
        f"at {outcome.samples} points, largest difference {outcome.max_difference:.1e}")
    return (f"checked entry by entry at one instantiation ({sizes_text(dict(outcome.sizes))}), "
            f"{how}; this is a check at those sizes, not a proof for every size")


def differs_text(outcome: DiffersAtSizes, labels: tuple[str, str] = ("claimed", "true")
                 ) -> str:
    """The text of an entry that differs: where, both values, and the point."""
    point = ", ".join(f"{_entry_name(n)} = {v}" for n, v in outcome.point[:8])
    more = ", …" if len(outcome.point) > 8 else ""
    where = f", at {point}{more}" if point else ""
    sizes = sizes_text(dict(outcome.sizes))
    return (f"entry {outcome.entry} differs{f' at {sizes}' if sizes else ''}: "
            f"{labels[0]} {outcome.claimed}, {labels[1]} {outcome.true}{where}")


def _entry_name(name: str) -> str:
    """λ for lambda, X[0,1] as it is: the names of a counterexample as the text shows them."""
    base, bracket, rest = name.partition("[")
    return pretty_name(base) + bracket + rest


ONCE = "checked at one instantiation, not for every size"
"""The caveat of a verdict that rests on one instantiation."""
