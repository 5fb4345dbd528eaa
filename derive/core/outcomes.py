"""Verdicts and the evidence records behind them, in one place.

Every claim ends with one :class:`Verdict`; the record that decided it (its evidence) is one of
the outcome records below, each of which names its verdict. Printers, reports and exit codes
ask a verdict for what it means (:attr:`Verdict.holds`, :attr:`Verdict.severity`) and never
compare class names or literal strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias


class Verdict(StrEnum):
    """What a claim deserves. The value is the word the reports, proof files and JSON use."""

    PROVED = "proved"
    """A symbolic transformation closed the gap."""
    CHECKED = "checked"
    """Equal at sample points at high precision, or entry by entry at concrete sizes."""
    CONDITIONAL = "conditional"
    """Holds only under an assumption the document states or implies."""
    UNDECIDED = "undecided"
    """No route reached a verdict within the budget."""
    REFUTED = "refuted"
    """A real counterexample."""
    ILL_FORMED = "ill-formed"
    """Cannot mean anything (shapes that do not conform, an undefined name)."""
    UNREADABLE = "unreadable"
    """The text could not be read."""
    DEFINITION = "definition"
    """A line that defines or introduces notation: not a claim, not checked."""

    @property
    def severity(self) -> int:
        """0 for the worst verdict; a step's verdict is the worst of its links'."""
        return _WORST_FIRST.index(self)

    @property
    def holds(self) -> bool:
        """The claim is established (proved or checked)."""
        return self in (Verdict.PROVED, Verdict.CHECKED)

    @property
    def acceptable(self) -> bool:
        """What a step the document gives no expected verdict must be: established, or not a
        claim at all. Anything else is a claim that does not hold, and the run fails."""
        return self.holds or self is Verdict.DEFINITION

    @property
    def is_claim(self) -> bool:
        """The line was a claim (not a definition)."""
        return self is not Verdict.DEFINITION

    @property
    def fails(self) -> bool:
        """The claim is wrong as written: refuted, or ill-formed."""
        return self in (Verdict.REFUTED, Verdict.ILL_FORMED)


_WORST_FIRST = (
    Verdict.UNREADABLE, Verdict.ILL_FORMED, Verdict.REFUTED, Verdict.UNDECIDED,
    Verdict.CONDITIONAL, Verdict.CHECKED, Verdict.PROVED, Verdict.DEFINITION,
)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe of ``verdicts`` (``UNDECIDED`` for none)."""
    return min(verdicts, key=lambda v: v.severity, default=Verdict.UNDECIDED)


# ---- evidence records: scalar claims (derive.decide.equivalence) ----------------------------


@dataclass(frozen=True)
class Proved:
    """A symbolic transformation reduced ``lhs - rhs`` to exactly zero."""

    verdict: ClassVar[Verdict] = Verdict.PROVED
    method: str


@dataclass(frozen=True)
class Checked:
    """No symbolic closure in budget; both sides agree at every usable sample point."""

    verdict: ClassVar[Verdict] = Verdict.CHECKED
    samples: int
    digits: int
    max_difference: float
    """The largest relative difference ``|a - b| / max(1, |a|, |b|)`` seen."""


@dataclass(frozen=True)
class Refuted:
    """A point of the domain where the two sides really differ."""

    verdict: ClassVar[Verdict] = Verdict.REFUTED
    point: tuple[tuple[str, str], ...]
    """``((name, value), ...)`` sorted by name, values as short decimal strings."""
    lhs_value: str
    rhs_value: str
    difference: float
    """``|lhs - rhs|`` at the point."""


@dataclass(frozen=True)
class Undecided:
    """Neither route reached a verdict."""

    verdict: ClassVar[Verdict] = Verdict.UNDECIDED
    tried: tuple[str, ...]
    reason: str


Outcome: TypeAlias = Proved | Checked | Refuted | Undecided


# ---- evidence records: claims instantiated at concrete sizes (matrices, index notation) -----


@dataclass(frozen=True)
class CheckedAtSizes:
    """Equal entry by entry at concrete sizes, at ``samples`` random points."""

    verdict: ClassVar[Verdict] = Verdict.CHECKED
    sizes: tuple[tuple[str, int], ...]
    samples: int
    max_difference: float
    exact: bool = False


@dataclass(frozen=True)
class DiffersAtSizes:
    """Different at concrete sizes: the entry, the point, both values."""

    verdict: ClassVar[Verdict] = Verdict.REFUTED
    sizes: tuple[tuple[str, int], ...]
    entry: tuple[int, int]
    point: tuple[tuple[str, str], ...]
    claimed: str
    true: str
    """Both values as shown: significant digits enough to tell them apart."""


SizedOutcome: TypeAlias = CheckedAtSizes | DiffersAtSizes
AnyOutcome: TypeAlias = Outcome | SizedOutcome


@dataclass(frozen=True)
class Decision:
    """What a claim checker answers (matrix claims, index notation): the verdict, its
    evidence record, why, and the assumption it needs when it is conditional."""

    verdict: Verdict
    outcome: Any = None
    message: str = ""
    assumption: str = ""


def verdict_of(outcome: object) -> Verdict:
    """The verdict an evidence record stands for (``UNDECIDED`` for anything else)."""
    verdict = getattr(type(outcome), "verdict", None)
    return verdict if isinstance(verdict, Verdict) else Verdict.UNDECIDED


_EXPONENTIALS = "writing σ, softplus and tanh with exponentials"
METHOD_WORDS: dict[str, str] = {
    "structural": "identical as written",
    "as written": "identical as written",
    "expand": "equal after expanding",
    "cancel": "equal after cancelling common factors",
    "together": "equal over a common denominator",
    "simplify": "equal after simplifying",
    "rewrite(exp)+expand": f"equal after {_EXPONENTIALS} and expanding",
    "rewrite(exp)+cancel": f"equal after {_EXPONENTIALS} and cancelling common factors",
    "rewrite(exp)+together": f"equal after {_EXPONENTIALS}, over a common denominator",
    "rewrite(exp)+simplify": f"equal after {_EXPONENTIALS} and simplifying",
}
"""The symbolic step that proved a claim (``Proved.method``, the names of
``derive.decide.equivalence``) in words for people; JSON keeps the name as ``method``."""


def method_words(method: str, functions: tuple[str, ...] = ()) -> str:
    """How a claim was proved, in words: "equal after expanding", never "by expand".
    ``functions``: those of σ, softplus and tanh the claim has (a rewrite names only them)."""
    if method.startswith("rewrite(exp)") and functions and method in METHOD_WORDS:
        named = " and ".join(functions) if len(functions) < 3 else "σ, softplus and tanh"
        return METHOD_WORDS[method].replace("σ, softplus and tanh", named)
    if method in METHOD_WORDS:
        return METHOD_WORDS[method]
    first = method.split(" ", 1)[0]
    if first.endswith("ing"):  # "substituting the definitions …"
        return f"equal after {method}"
    return method if first in ("the", "equal", "identical") else f"by {method}"
