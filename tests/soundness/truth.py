"""Establishing a claim's truth without derive: both sides evaluated with mpmath at 60 and at
120 significant digits.

- TRUE: at every sampled point of the domains both sides agree to within 10^-(digits-10) of
  max(1, |side|) at 60 digits and at 120 digits, so the difference shrinks with the precision
  (a near-equality such as a 10^-30 gap does not pass). ``partial`` claims skip the sampled
  points where a side is not real (the truth convention of ``model``) but need enough others.
- FALSE: at the witness point, in the stated domains, both sides are real and finite at both
  precisions, and their difference is the same (to 6 digits) at both: a real gap, not
  rounding noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath as mp

from .model import Claim, Mat, OneBased, Point, Side, Spec, draw_points
from .mpfun import Undefined

LOW, HIGH = 60, 120
POINTS, PARTIAL_POINTS, PARTIAL_MINIMUM = 24, 96, 8


def to_mp(value: Any, spec: Spec) -> Any:
    """A point's value at the working precision: sizes and indices stay integers."""
    if spec.is_size:
        return value
    if spec.domain == "vector":
        assert spec.entry is not None
        return OneBased(to_mp(v, spec.entry) for v in value)
    if spec.domain == "matrix":
        assert spec.entry is not None
        return Mat(tuple(to_mp(v, spec.entry) for v in row) for row in value)
    if isinstance(value, Fraction):
        return mp.mpf(value.numerator) / value.denominator
    return mp.mpf(value)


def real_value(value: Any) -> Any:
    """The value as a real mpf (or a matrix of them); Undefined when complex or not finite."""
    if isinstance(value, Mat):
        return Mat(tuple(real_value(v) for v in row) for row in value)
    if isinstance(value, int | Fraction):
        value = mp.mpf(value.numerator) / value.denominator if isinstance(value, Fraction) \
            else mp.mpf(value)
    if isinstance(value, mp.mpc):
        if value.imag != 0:
            raise Undefined(f"complex value {value}")
        value = value.real
    if not isinstance(value, mp.mpf):
        raise TypeError(f"a side returned {type(value).__name__}")
    if not mp.isfinite(value):
        raise Undefined(f"not finite: {value}")
    return value


def evaluate(side: Side, point: Point, sample: dict[str, Spec], digits: int) -> Any:
    """A side at a point, at ``digits`` significant digits; None where it is not real."""
    with mp.workdps(digits):
        at = {name: to_mp(value, sample[name]) for name, value in point.items()}
        try:
            return real_value(side(at))
        except (Undefined, ZeroDivisionError, ValueError, OverflowError):
            return None


def entries(value: Any) -> list[Any]:
    return [v for row in value for v in row] if isinstance(value, Mat) else [value]


def pair(lhs: Any, rhs: Any) -> list[tuple[Any, Any]] | None:
    """The entries to compare; None when the shapes differ."""
    if isinstance(lhs, Mat) and isinstance(rhs, Mat):
        return list(zip(entries(lhs), entries(rhs), strict=True)) if lhs.shape == rhs.shape \
            else None
    if isinstance(lhs, Mat) or isinstance(rhs, Mat):
        one = lhs if isinstance(lhs, Mat) else rhs
        if one.shape != (1, 1):
            return None
        return [(entries(lhs)[0], entries(rhs)[0])]
    return [(lhs, rhs)]


def agrees(lhs: Any, rhs: Any, digits: int) -> bool:
    pairs = pair(lhs, rhs)
    if pairs is None:
        return False
    with mp.workdps(digits):
        return all(abs(a - b) <= mp.mpf(10) ** (10 - digits) * max(1, abs(a), abs(b))
                   for a, b in pairs)


def gaps(lhs: Any, rhs: Any, digits: int) -> list[Any] | None:
    pairs = pair(lhs, rhs)
    if pairs is None:
        return None
    with mp.workdps(digits):
        return [a - b for a, b in pairs]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a truth check: ``ok`` and what was seen."""

    ok: bool
    detail: str


def sample_of(claim: Claim) -> dict[str, Spec]:
    return dict(claim.sample)


def in_domain(claim: Claim, point: Point) -> str:
    """Empty when ``point`` is a point of the claim's domains, else the reason."""
    sample = sample_of(claim)
    if set(point) != set(sample):
        return f"witness names {sorted(point)} are not the variables {sorted(sample)}"
    ordered = sorted(sample, key=lambda n: (sample[n].domain not in ("count", "dim"),
                                            sample[n].domain != "index"))
    for name in ordered:
        if not sample[name].contains(point[name], point):
            return f"{name} = {point[name]!r} is outside its domain {sample[name]}"
    return ""


def check_true(claim: Claim) -> Verdict:
    """Agreement at 60 and 120 digits at many points of the domains."""
    sample = sample_of(claim)
    count = PARTIAL_POINTS if claim.partial else POINTS
    points = draw_points(sample, claim.key, count if sample else 1)
    used = 0
    for point in points:
        reason = in_domain(claim, point)
        if reason:
            return Verdict(False, f"sampler left the domain: {reason}")
        values = {}
        for digits in (LOW, HIGH):
            values[digits] = (evaluate(claim.lhs, point, sample, digits),
                              evaluate(claim.rhs, point, sample, digits))
        if any(v is None for pair_ in values.values() for v in pair_):
            if claim.partial:
                continue
            return Verdict(False, f"a side is not real at {point}: {values[LOW]}")
        used += 1
        for digits, (lhs, rhs) in values.items():
            if not agrees(lhs, rhs, digits):
                return Verdict(False, f"sides differ at {digits} digits at {point}: "
                                      f"{mp.nstr(entries(lhs)[0], 20)} vs "
                                      f"{mp.nstr(entries(rhs)[0], 20)}")
    minimum = PARTIAL_MINIMUM if claim.partial else len(points)
    if used < minimum:
        return Verdict(False, f"only {used} points where both sides are real")
    return Verdict(True, f"agree at {used} points")


def check_false(claim: Claim) -> Verdict:
    """A real, stable gap at the witness, which lies in the domains."""
    if claim.witness is None:
        return Verdict(False, "a false claim needs a witness")
    point = dict(claim.witness)
    reason = in_domain(claim, point)
    if reason:
        return Verdict(False, reason)
    sample = sample_of(claim)
    found = {}
    for digits in (LOW, HIGH):
        lhs = evaluate(claim.lhs, point, sample, digits)
        rhs = evaluate(claim.rhs, point, sample, digits)
        if lhs is None or rhs is None:
            return Verdict(False, f"a side is not real at the witness ({digits} digits): "
                                  f"{lhs} vs {rhs}")
        found[digits] = gaps(lhs, rhs, digits)
        if found[digits] is None:
            return Verdict(False, "the sides have different shapes at the witness")
    with mp.workdps(HIGH):
        for low, high in zip(found[LOW], found[HIGH], strict=True):
            if high != 0 and abs(low - high) <= mp.mpf("1e-6") * abs(high):
                return Verdict(True, f"gap {mp.nstr(high, 10)} at the witness")
    return Verdict(False, f"no stable gap at the witness: {[mp.nstr(g, 5) for g in found[HIGH]]}")


def check(claim: Claim) -> Verdict:
    return check_true(claim) if claim.truth else check_false(claim)
