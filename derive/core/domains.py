"""Domains of symbols: where a symbol lives, how to sample it, what SymPy may assume.

A domain is written in a proof file as ``"{0,1}"``, ``"(0,1)"``, ``"[0,1]"``, ``"real"``,
``"positive"``, ``"nonnegative"``, ``"negative"``, ``"nonpositive"`` or ``"count"`` (a whole
number ≥ 1, such as a batch size).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.core.errors import DeriveError

# Logits are sampled with a share of large magnitudes: cancellation in log(1 - σ(z)) shows
# itself from |z| ≈ 30 on, and a stable formula must still be checked there.
_LARGE_MAGNITUDES = (5.0, 12.0, 30.0, 60.0)
# Approximations that hold near 0 (σ(x − 1000) = 0, tanh(10⁻⁶x) = 10⁻⁶x) break far out.
_HUGE_MAGNITUDES = (1e3, 1e6)
# Simple values: where whole and half numbers matter (powers of a negative, a count's parity).
_SIMPLE_VALUES = tuple(Fraction(v) for v in ("-2", "-1", "-1/2", "1/2", "1", "2", "3"))


@dataclass(frozen=True)
class Domain:
    """Base record of a domain."""

    def assumptions(self) -> dict[str, bool]:
        return {"real": True}

    def sample(self, rng: random.Random, wide: bool = False) -> Fraction | float:
        """A value of the domain; ``wide`` adds far-out magnitudes, simple numbers and large
        counts (the exact checker's sampling; float-based checks keep to moderate values)."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class RealLine(Domain):
    """All real numbers; samples favour moderate values, with some large ones."""

    def sample(self, rng: random.Random, wide: bool = False) -> Fraction | float:
        draw = rng.random()
        if not wide:
            if draw < 0.2:
                return rng.choice((-1, 1)) * rng.choice(_LARGE_MAGNITUDES) * (1 + rng.random())
            return rng.gauss(0.0, 2.0)
        if draw < 0.16:
            return rng.choice((-1, 1)) * rng.choice(_LARGE_MAGNITUDES) * (1 + rng.random())
        if draw < 0.22:
            return rng.choice((-1, 1)) * rng.choice(_HUGE_MAGNITUDES) * (1 + rng.random())
        if draw < 0.30:
            return rng.choice(_SIMPLE_VALUES)
        return rng.gauss(0.0, 2.0)

    def describe(self) -> str:
        return "real"


@dataclass(frozen=True)
class Interval(Domain):
    """An interval of the real line; open ends are never sampled."""

    low: float
    high: float
    low_open: bool = True
    high_open: bool = True

    def assumptions(self) -> dict[str, bool]:
        found: dict[str, bool] = {"real": True}
        if self.low > 0 or (self.low == 0 and self.low_open):
            found["positive"] = True
        elif self.low >= 0:
            found["nonnegative"] = True
        if self.high < 0 or (self.high == 0 and self.high_open):
            found["negative"] = True
        elif self.high <= 0:
            found["nonpositive"] = True
        return found

    def sample(self, rng: random.Random, wide: bool = False) -> float:
        span = self.high - self.low
        if span == float("inf"):
            if self.low > float("-inf"):
                return self.low + rng.expovariate(0.5) + (1e-3 if self.low_open else 0.0)
            if self.high < float("inf"):
                return self.high - rng.expovariate(0.5) - (1e-3 if self.high_open else 0.0)
            return rng.gauss(0.0, 2.0)
        # keep away from open ends, where a claim's singularities sit
        margin = span * 0.02 if (self.low_open or self.high_open) else 0.0
        return self.low + margin + rng.random() * (span - 2 * margin)

    def contains(self, value: float) -> bool:
        above = value > self.low or (value == self.low and not self.low_open)
        below = value < self.high or (value == self.high and not self.high_open)
        return above and below

    def describe(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{_fmt(self.low)},{_fmt(self.high)}{right}"


@dataclass(frozen=True)
class Discrete(Domain):
    """A finite set of values, such as the labels {0, 1}."""

    values: tuple[Fraction, ...]

    def assumptions(self) -> dict[str, bool]:
        found: dict[str, bool] = {"real": True}
        if all(v == int(v) for v in self.values):
            found["integer"] = True
        if all(v >= 0 for v in self.values):
            found["nonnegative"] = True
        return found

    def sample(self, rng: random.Random, wide: bool = False) -> Fraction:
        return rng.choice(self.values)

    def describe(self) -> str:
        return "{" + ",".join(_fmt(float(v)) for v in self.values) + "}"


@dataclass(frozen=True)
class Count(Domain):
    """A whole number ≥ 1: a batch size, a number of classes."""

    def assumptions(self) -> dict[str, bool]:
        return {"integer": True, "positive": True}

    def sample(self, rng: random.Random, wide: bool = False) -> Fraction:
        # mostly small (sums are written out term by term), a share well beyond 9
        if wide and rng.random() < 0.25:
            return Fraction(rng.randint(10, 40))
        return Fraction(rng.randint(1, 9))

    def describe(self) -> str:
        return "count"


REAL = RealLine()
UNIT_OPEN = Interval(0.0, 1.0)
LABEL = Discrete((Fraction(0), Fraction(1)))
POSITIVE = Interval(0.0, float("inf"))
COUNT = Count()

_INTERVAL = re.compile(r"^\s*([(\[])\s*([-+0-9.eE]+|-inf)\s*,\s*([-+0-9.eE]+|inf)\s*([)\]])\s*$")
_SET = re.compile(r"^\s*\{\s*([-+0-9./ ,]+)\s*\}\s*$")


def parse_domain(text: str) -> Domain:
    """Read a domain as written in a proof file; raise DeriveError naming what is accepted."""
    word = text.strip().lower()
    named: dict[str, Domain] = {
        "real": REAL,
        "r": REAL,
        "positive": POSITIVE,
        "nonnegative": Interval(0.0, float("inf"), low_open=False),
        "negative": Interval(float("-inf"), 0.0),
        "nonpositive": Interval(float("-inf"), 0.0, high_open=False),
        "count": COUNT,
        "label": LABEL,
    }
    if word in named:
        return named[word]
    match = _INTERVAL.match(word)
    if match:
        low, high = float(match.group(2)), float(match.group(3))
        if not low < high:
            raise DeriveError(f"empty interval {text!r}")
        return Interval(low, high, match.group(1) == "(", match.group(4) == ")")
    match = _SET.match(word)
    if match:
        try:
            values = tuple(sorted({Fraction(v.strip()) for v in match.group(1).split(",")}))
        except (ValueError, ZeroDivisionError):
            values = ()
        if values:
            return Discrete(values)
    raise DeriveError(
        f"unknown domain {text!r}; expected one of real, positive, nonnegative, negative, "
        "nonpositive, count, "
        "an interval such as (0,1) or [0,1], or a set such as {0,1}"
    )


def intersected(domain: Domain, interval: Interval) -> Domain | None:
    """The part of a domain inside an interval (the domain of x under x < 0); None when it
    is empty or cannot be written as a domain (a count)."""
    if isinstance(domain, RealLine):
        return interval
    if isinstance(domain, Discrete):
        kept = tuple(v for v in domain.values if interval.contains(float(v)))
        return Discrete(kept) if kept else None
    if not isinstance(domain, Interval):
        return None
    low, low_open = max((domain.low, domain.low_open), (interval.low, interval.low_open))
    high, high_open = min((domain.high, not domain.high_open), (interval.high,
                                                                not interval.high_open))
    high_open = not high_open
    if low > high or (low == high and (low_open or high_open)):
        return None
    if low == high:
        return Discrete((Fraction(low),))
    return Interval(low, high, low_open, high_open)


def make_symbol(name: str, domain: Domain | None = None) -> sp.Symbol:
    """The SymPy symbol for a name, carrying what its domain lets SymPy assume."""
    return sp.Symbol(name, **(domain or REAL).assumptions())


def _fmt(value: float) -> str:
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return str(int(value)) if value == int(value) else repr(value)
