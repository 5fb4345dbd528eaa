"""The claim record and the domains that points of a claim are drawn from.

Truth convention: a claim ``A = B`` is TRUE when, at every point of the stated domains where
both sides are real and defined, the two sides are equal; it is FALSE when there is a point of
the stated domains where both sides are real, finite and different. Over the reals, ``log`` and
``sqrt`` of a negative number are undefined, and ``x^a`` with ``x < 0`` is defined only for an
integer ``a``. Sums, counts (``n``, ``d``, ``C``) and free indices are part of the claim: a
claim about ``\\sum_{i=1}^n`` must hold for every count ``n >= 1`` and every value of a free
index in its range.
"""

from __future__ import annotations

import hashlib
import inspect
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

SIZES = (1, 2, 5, 13, 40)
"""The counts every claim with a count (``n``, ``d``, ``C``) is evaluated at."""

DIMS = (1, 2, 3, 4)
"""The matrix sizes matrix claims are evaluated at."""

Point = dict[str, Any]
Side = Callable[[Point], Any]


class OneBased(tuple):  # type: ignore[type-arg]
    """A vector indexed from 1, as the claims write ``x_1, ..., x_n``."""

    def __getitem__(self, i: Any) -> Any:
        if not isinstance(i, int) or i < 1:
            raise IndexError(f"index {i!r} outside 1..{len(self)}")
        return tuple.__getitem__(self, i - 1)

    def replace(self, i: int, value: Any) -> OneBased:
        """This vector with entry ``i`` replaced."""
        entries = list(self)
        entries[i - 1] = value
        return OneBased(entries)


class Mat(tuple):  # type: ignore[type-arg]
    """A matrix as a tuple of rows, indexed from 0."""

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self), len(self[0]) if self else 0)

    def replace(self, i: int, j: int, value: Any) -> Mat:
        """This matrix with entry (i, j) replaced."""
        rows = [list(r) for r in self]
        rows[i][j] = value
        return Mat(tuple(r) for r in rows)


Length = int | str | tuple[str, int]


@dataclass(frozen=True)
class Spec:
    """Where a variable of a claim lives: a scalar domain, a count, an index, a vector or a
    matrix of entries from a scalar domain."""

    domain: str
    low: Fraction | None = None
    high: Fraction | None = None
    closed: bool = False
    values: tuple[Fraction, ...] = ()
    entry: Spec | None = None
    length: Length | None = None
    rows: Length | None = None
    cols: Length | None = None
    upper: Length | None = None

    def contains(self, value: Any, point: Mapping[str, Any]) -> bool:
        """Whether ``value`` lies in this domain (sizes are read from ``point``)."""
        if self.domain in ("count", "dim", "index"):
            if not isinstance(value, int) or isinstance(value, bool):
                return False
            if self.domain == "index":
                return 1 <= value <= resolve(self.upper, point)
            return value >= 1
        if self.domain == "vector":
            assert self.entry is not None
            return (isinstance(value, OneBased) and len(value) == resolve(self.length, point)
                    and all(self.entry.contains(v, point) for v in value))
        if self.domain == "matrix":
            assert self.entry is not None
            shape = (resolve(self.rows, point), resolve(self.cols, point))
            return (isinstance(value, Mat) and value.shape == shape
                    and all(self.entry.contains(v, point) for row in value for v in row))
        if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
            return False
        exact = Fraction(value)
        if self.domain == "real":
            return True
        if self.domain == "positive":
            return exact > 0
        if self.domain == "nonnegative":
            return exact >= 0
        if self.domain == "set":
            return exact in self.values
        if self.domain == "interval":
            assert self.low is not None and self.high is not None
            if self.closed:
                return self.low <= exact <= self.high
            return self.low < exact < self.high
        raise ValueError(f"unknown domain {self.domain}")

    @property
    def is_size(self) -> bool:
        return self.domain in ("count", "dim", "index")


REAL = Spec("real")
POSITIVE = Spec("positive")
NONNEGATIVE = Spec("nonnegative")
UNIT = Spec("interval", Fraction(0), Fraction(1))
CLOSED_UNIT = Spec("interval", Fraction(0), Fraction(1), closed=True)
LABEL = Spec("set", values=(Fraction(0), Fraction(1)))
SIGNED_LABEL = Spec("set", values=(Fraction(-1), Fraction(1)))
COUNT = Spec("count")
DIM = Spec("dim")


def interval(low: float | Fraction, high: float | Fraction, closed: bool = False) -> Spec:
    """An interval (open unless ``closed``)."""
    return Spec("interval", Fraction(low), Fraction(high), closed=closed)


def one_of(*values: int | Fraction) -> Spec:
    """A finite set of values."""
    return Spec("set", values=tuple(Fraction(v) for v in values))


def vector(entry: Spec, length: Length) -> Spec:
    """A vector x_1, ..., x_length of entries from ``entry``."""
    return Spec("vector", entry=entry, length=length)


def matrix(rows: Length, cols: Length, entry: Spec = REAL) -> Spec:
    """A rows x cols matrix of entries from ``entry``."""
    return Spec("matrix", entry=entry, rows=rows, cols=cols)


def index(upper: Length) -> Spec:
    """A free index running over 1..upper."""
    return Spec("index", upper=upper)


def resolve(length: Length | None, point: Mapping[str, Any]) -> int:
    """A length given as a number, a count's name, or (count's name, offset)."""
    if isinstance(length, int):
        return length
    if isinstance(length, str):
        return int(point[length])
    if isinstance(length, tuple):
        return int(point[length[0]]) + length[1]
    raise ValueError("no length")


def as_side(fn: Callable[..., Any]) -> Side:
    """A function of some of the claim's variables, by name, as a function of the point."""
    if getattr(fn, "takes_point", False):
        return fn
    names = list(inspect.signature(fn).parameters)

    def side(point: Point) -> Any:
        return fn(**{name: point[name] for name in names})

    side.takes_point = True  # type: ignore[attr-defined]
    return side


@dataclass(frozen=True)
class Claim:
    """One equation as a user would give it to ``derive check --latex``, with its truth and
    two independent high-precision evaluations of its sides."""

    latex: str
    truth: bool
    kind: str
    lhs: Side
    rhs: Side
    sample: Mapping[str, Spec] = field(default_factory=dict)
    witness: Mapping[str, Any] | None = None
    domains: Mapping[str, str] = field(default_factory=dict)
    functions: tuple[str, ...] = ()
    indices: Mapping[str, str] = field(default_factory=dict)
    sizes: Mapping[str, int] = field(default_factory=dict)
    shapes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    entries: Mapping[str, str] = field(default_factory=dict)
    """The first entry of a declared vector as the claim writes it (ŷ → ``\\hat{y}_1``)."""
    defines: tuple[str, ...] = ()
    """Definitions the claim is read under (``\\hat y = \\sigma(z)``), given to the checker as
    the ``define = true`` steps of a proof file before the claim; ``lhs`` and ``rhs`` are
    functions of the base variables, with the definitions substituted by hand."""
    note: str = ""
    partial: bool = False
    holdout: bool = False
    fast: bool = False

    @property
    def key(self) -> str:
        """A stable identifier: the claim's text and everything the checker is told."""
        text = "|".join([self.kind, self.latex, repr(sorted(self.domains.items())),
                         repr(sorted(self.indices.items())), repr(sorted(self.sizes.items())),
                         repr(sorted(self.shapes.items())), repr(self.functions)]
                        + ([repr(self.defines)] if self.defines else [])
                        + ([repr(sorted(self.entries.items()))] if self.entries else []))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def ident(self) -> str:
        return f"{self.kind}-{self.key[:10]}"


def make_claim(kind: str, latex: str, truth: bool, lhs: Callable[..., Any],
               rhs: Callable[..., Any], **options: Any) -> Claim:
    """A claim whose sides are functions of the variables they use, by name."""
    return Claim(latex=latex, truth=truth, kind=kind, lhs=as_side(lhs), rhs=as_side(rhs),
                 **options)


# -- points ---------------------------------------------------------------------------------

REAL_SPECIALS = (1e3, -1e3, 1e6, -1e6, 1e-6, -1e-6, 0.5, -2.5, 1.0, -1.0)
POSITIVE_SPECIALS = (1e3, 1e6, 1e-6, 1.0, 0.5, 1e-3)
UNIT_SPECIALS = (1e-6, 1 - 1e-6, 0.5, 1e-12, 1 - 1e-12)
ENTRY_TOP = 1.5
"""Entries of vectors and matrices stay below 10^1.5 in magnitude: a numerical partial
derivative of Σ_j e^{z_j} by one entry cannot be resolved next to an e^{10^6} term."""


def draw_scalar(spec: Spec, rng: random.Random, special: int | None, top: float = 6.2) -> Any:
    """A value of a scalar domain: the ``special`` edge value when given, else random with
    magnitudes up to 10^top."""
    if spec.domain == "set":
        value = rng.choice(spec.values)
        return int(value) if value.denominator == 1 else value
    if spec.domain == "real":
        if special is not None:
            return REAL_SPECIALS[special % len(REAL_SPECIALS)]
        roll = rng.random()
        if roll < 0.5:
            return rng.uniform(-4, 4)
        return rng.choice((-1, 1)) * 10 ** rng.uniform(-8, top)
    if spec.domain in ("positive", "nonnegative"):
        if special is not None:
            if spec.domain == "nonnegative" and special % 7 == 6:
                return 0.0
            return POSITIVE_SPECIALS[special % len(POSITIVE_SPECIALS)]
        return rng.uniform(0.01, 5) if rng.random() < 0.5 else 10 ** rng.uniform(-8, top)
    if spec.domain == "interval":
        assert spec.low is not None and spec.high is not None
        low, high = float(spec.low), float(spec.high)
        if spec == UNIT and special is not None:
            return UNIT_SPECIALS[special % len(UNIT_SPECIALS)]
        if spec.closed and special is not None and special % 4 in (0, 1):
            return spec.low if special % 4 == 0 else spec.high
        width = high - low
        roll = rng.random()
        if roll < 0.6:
            value = rng.uniform(low, high)
        elif roll < 0.8:
            value = low + width * 10 ** rng.uniform(-10, -1)
        else:
            value = high - width * 10 ** rng.uniform(-10, -1)
        if not spec.contains(value, {}):
            value = (low + high) / 2
        return value
    raise ValueError(f"cannot draw from {spec.domain}")


def draw_points(sample: Mapping[str, Spec], seed: str, count: int) -> list[Point]:
    """``count`` points of the domains: the first ones at edge values (large, small, signs),
    every count variable cycling through SIZES (matrix sizes through DIMS)."""
    rng = random.Random(seed)
    sizes = [name for name, spec in sample.items() if spec.domain in ("count", "dim")]
    points = []
    for k in range(count):
        point: Point = {}
        for position, name in enumerate(sizes):
            spec = sample[name]
            choices = SIZES if spec.domain == "count" else DIMS
            point[name] = choices[k % len(choices)] if position == 0 else rng.choice(choices)
        for name, spec in sample.items():
            if spec.domain == "index":
                point[name] = rng.randint(1, resolve(spec.upper, point))
        for position, (name, spec) in enumerate(sample.items()):
            if spec.is_size:
                continue
            special = (k + position) if k < len(REAL_SPECIALS) else None
            if spec.domain == "vector":
                assert spec.entry is not None
                length = resolve(spec.length, point)
                point[name] = OneBased(draw_scalar(spec.entry, rng, None, ENTRY_TOP)
                                       for _ in range(length))
            elif spec.domain == "matrix":
                assert spec.entry is not None
                rows, cols = resolve(spec.rows, point), resolve(spec.cols, point)
                point[name] = Mat(tuple(draw_scalar(spec.entry, rng, None, ENTRY_TOP)
                                        for _ in range(cols)) for _ in range(rows))
            else:
                point[name] = draw_scalar(spec, rng, special)
        points.append(point)
    return points


class Collector(list):  # type: ignore[type-arg]
    """The claims of one category: ``add(latex, truth, lhs, rhs, sample=..., ...)``."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def __call__(self, latex: str, truth: bool, lhs: Callable[..., Any],
                 rhs: Callable[..., Any], **options: Any) -> None:
        self.append(make_claim(self.kind, latex, truth, lhs, rhs, **options))
