"""What the corpus's truth is computed with: mpmath at 50 digits, never derive.

A claim is one step of a posted derivation. ``sides(p)`` computes the sides of the step at a
point ``p`` (a dict of values): two for A = B, more for A = B = C (every link must hold),
written here by hand in Python from the mathematics the step states: derivatives are taken
numerically (``mp.diff``) or written out, sums and matrices are built entry by entry. A true
claim agrees at several random points of its domain; a false claim differs at its ``witness``
point (or, when ``illformed``, its sides cannot be formed: their shapes do not conform at the
witness).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import mpmath as mp

DIGITS = 50
TRUE_POINTS = 5
AGREE = mp.mpf(10) ** -28  # relative agreement of the two sides of a true claim
DIFFER = mp.mpf(10) ** -8  # relative gap of a false claim at its witness

Point = Mapping[str, Any]
Sides = Callable[[Point], tuple[Any, ...]]
Sampler = Callable[[random.Random], Any]


class ShapeMismatch(ValueError):
    """The shapes of an expression do not conform."""


@dataclass(frozen=True)
class Claim:
    post: str
    step: str
    truth: bool
    sides: Sides
    domain: Mapping[str, Sampler] = field(default_factory=dict)
    witness: Mapping[str, Any] | None = None
    why: str = ""
    illformed: bool = False

    @property
    def key(self) -> str:
        return f"{self.post}/{self.step}"


REGISTRY: list[Claim] = []


def claim(post: str, step: str, sides: Sides, domain: Mapping[str, Sampler] | None = None, *,
          witness: Mapping[str, Any] | None = None, why: str = "",
          illformed: bool = False) -> None:
    """Register a step: true unless a witness is given."""
    REGISTRY.append(Claim(post, step, witness is None, sides, dict(domain or {}),
                          dict(witness) if witness is not None else None, why, illformed))


Link = Callable[[Point], Any] | tuple[Callable[[Point], Any], ...]


def chain(post: str, steps: Sequence[str], values: Sequence[Link],
          domain: Mapping[str, Sampler] | None = None, *,
          false: Mapping[str, Mapping[str, Any]] | None = None, why: str = "") -> None:
    """A chain A0 = A1 = A2 = ...: step k claims (last side of values[k]) = values[k + 1];
    a tuple in ``values`` is a step with several links (A = B = C on one line)."""
    assert len(values) == len(steps) + 1, post
    false = dict(false or {})

    def sides_of(v: Link) -> tuple[Callable[[Point], Any], ...]:
        return v if isinstance(v, tuple) else (v,)

    for k, step in enumerate(steps):
        fs = (sides_of(values[k])[-1], *sides_of(values[k + 1]))
        claim(post, step, lambda p, fs=fs: tuple(f(p) for f in fs), domain,
              witness=false.get(step), why=why if step in false else "")


# ---------------------------------------------------------------------------------------
# Samplers (the domains of the symbols)

def real(low: float = -2.5, high: float = 2.5) -> Sampler:
    return lambda r: mp.mpf(r.uniform(low, high))


def positive(low: float = 0.2, high: float = 3.0) -> Sampler:
    return real(low, high)


def unit() -> Sampler:
    return real(0.05, 0.95)


def choice(*values: Any) -> Sampler:
    return lambda r: r.choice(values)


LABEL = choice(0, 1)
SIGN = choice(-1, 1)
REAL = real()
UNIT = unit()
POS = positive()


def vector(n: int, entry: Sampler = REAL) -> Sampler:
    return lambda r: [entry(r) for _ in range(n)]


def matrix(rows: int, cols: int, entry: Sampler = REAL) -> Sampler:
    return lambda r: mp.matrix([[entry(r) for _ in range(cols)] for _ in range(rows)])


def onehot(n: int) -> Sampler:
    def draw(r: random.Random) -> list[int]:
        hot = r.randrange(n)
        return [1 if k == hot else 0 for k in range(n)]
    return draw


def draw_point(c: Claim, index: int) -> dict[str, Any]:
    seed = zlib.crc32(f"{c.key}#{index}".encode())
    r = random.Random(seed)
    return {name: sample(r) for name, sample in c.domain.items()}


# ---------------------------------------------------------------------------------------
# Mathematics

def sig(x: Any) -> Any:
    return 1 / (1 + mp.exp(-x))


def d(f: Callable[[Any], Any], x: Any, n: int = 1) -> Any:
    """The n-th derivative of a function of one variable at x."""
    return mp.diff(f, x, n)


def lim0(g: Callable[[Any], Any], side: int = 1) -> Any:
    """lim_{h→0} g(h) for a g continuous through a removable singularity: g at h = ±10^-45,
    computed at 130 digits (the error is of the order of h)."""
    with mp.workdps(130):
        return +g(mp.mpf(side) * mp.mpf(10) ** -45)


def grad(f: Callable[[list[Any]], Any], xs: Sequence[Any], k: int) -> Any:
    """∂f/∂x_k for a function of a list of values."""
    xs = list(xs)

    def along(t: Any) -> Any:
        ys = list(xs)
        ys[k] = t
        return f(ys)
    return mp.diff(along, xs[k])


def hess(f: Callable[[list[Any]], Any], xs: Sequence[Any], j: int, k: int) -> Any:
    """∂²f/∂x_j∂x_k."""
    return grad(lambda ys: grad(f, ys, k), xs, j)


def mgrad(f: Callable[[Any], Any], m: Any) -> Any:
    """The gradient of a scalar function of a matrix, entry by entry (shaped like m)."""
    out = mp.matrix(m.rows, m.cols)
    for i in range(m.rows):
        for j in range(m.cols):
            def along(t: Any, i: int = i, j: int = j) -> Any:
                n = m.copy()
                n[i, j] = t
                return f(n)
            out[i, j] = mp.diff(along, m[i, j])
    return out


def col(values: Sequence[Any]) -> Any:
    return mp.matrix([[v] for v in values])


def row(values: Sequence[Any]) -> Any:
    return mp.matrix([list(values)])


def T(m: Any) -> Any:
    return m.T


def mm(*factors: Any) -> Any:
    """A matrix product that refuses factors that do not conform (a 1×1 factor scales)."""
    out = factors[0]
    for f in factors[1:]:
        if isinstance(out, mp.matrix) and isinstance(f, mp.matrix) and out.cols != f.rows:
            if out.rows == out.cols == 1:
                out = out[0, 0] * f
                continue
            if f.rows == f.cols == 1:
                out = out * f[0, 0]
                continue
            raise ShapeMismatch(f"{out.rows}x{out.cols} times {f.rows}x{f.cols}")
        out = out * f
    return out


def madd(*terms: Any) -> Any:
    """A sum of arrays of one shape (scalars added to scalars only)."""
    out = terms[0]
    for t in terms[1:]:
        if isinstance(out, mp.matrix) != isinstance(t, mp.matrix):
            raise ShapeMismatch("an array added to a scalar")
        if isinstance(out, mp.matrix) and (out.rows, out.cols) != (t.rows, t.cols):
            raise ShapeMismatch(f"{out.rows}x{out.cols} plus {t.rows}x{t.cols}")
        out = out + t
    return out


def hadamard(a: Any, b: Any) -> Any:
    if (a.rows, a.cols) != (b.rows, b.cols):
        raise ShapeMismatch("⊙ of different shapes")
    return mp.matrix([[a[i, j] * b[i, j] for j in range(a.cols)] for i in range(a.rows)])


def emap(f: Callable[[Any], Any], m: Any) -> Any:
    return mp.matrix([[f(m[i, j]) for j in range(m.cols)] for i in range(m.rows)])


def diag(v: Sequence[Any]) -> Any:
    n = len(v)
    return mp.matrix([[v[i] if i == j else 0 for j in range(n)] for i in range(n)])


def eye(n: int) -> Any:
    return mp.eye(n)


def entries(m: Any) -> list[Any]:
    return [m[i, j] for i in range(m.rows) for j in range(m.cols)]


def softmax(z: Sequence[Any]) -> list[Any]:
    s = mp.fsum(mp.exp(v) for v in z)
    return [mp.exp(v) / s for v in z]


def delta(i: int, j: int) -> int:
    return 1 if i == j else 0


# ---------------------------------------------------------------------------------------
# Deciding a claim

def flatten(value: Any) -> tuple[tuple[int, int] | None, list[Any]]:
    """A value as (shape, entries): scalars have no shape, lists are column vectors."""
    if isinstance(value, mp.matrix):
        return (value.rows, value.cols), entries(value)
    if isinstance(value, list | tuple):
        inner = [flatten(v) for v in value]
        if all(shape is None for shape, _ in inner):
            return (len(value), 1), [e[0] for _, e in inner]
        return (len(value), -1), [x for _, e in inner for x in e]
    return None, [value]


def real_number(v: Any) -> Any:
    v = mp.mpmathify(v)
    if isinstance(v, mp.mpc):
        if abs(v.imag) > AGREE * max(1, abs(v.real)):
            raise ValueError(f"not real: {v}")
        v = v.real
    if not mp.isfinite(v):
        raise ValueError(f"not finite: {v}")
    return v


def compare(lhs: Any, rhs: Any) -> tuple[bool, Any]:
    """(same shape, largest relative gap of the entries)."""
    ls, le = flatten(lhs)
    rs, re_ = flatten(rhs)
    if ls is not None and rs is not None and ls != rs:
        return False, mp.inf
    if (ls is None) != (rs is None) and len(le) != len(re_):
        return False, mp.inf
    if len(le) != len(re_):
        return False, mp.inf
    gap = mp.mpf(0)
    for a, b in zip(le, re_, strict=True):
        a, b = real_number(a), real_number(b)
        gap = max(gap, abs(a - b) / max(1, abs(a), abs(b)))
    return True, gap


@dataclass(frozen=True)
class Verdict:
    ok: bool
    detail: str


def check(c: Claim) -> Verdict:
    """Whether the recorded truth of the claim holds."""
    with mp.workdps(DIGITS):
        if c.truth:
            for index in range(TRUE_POINTS):
                point = draw_point(c, index)
                values = c.sides(point)
                for lhs, rhs in pairwise(values):
                    same, gap = compare(lhs, rhs)
                    if not same or gap > AGREE:
                        return Verdict(False, f"at {point}: {lhs} against {rhs} (gap {gap})")
            return Verdict(True, "")
        assert c.witness is not None
        try:
            values = c.sides(c.witness)
        except ShapeMismatch as error:
            if c.illformed:
                return Verdict(True, str(error))
            return Verdict(False, f"shapes do not conform at the witness: {error}")
        for lhs, rhs in pairwise(values):
            same, gap = compare(lhs, rhs)
            if not same:
                return Verdict(c.illformed, "shapes differ at the witness")
            if gap > DIFFER:
                return Verdict(True, "")
        return Verdict(False, f"at the witness {dict(c.witness)} every link agrees: {values}")


def e(v: Any) -> Any:
    """e^v."""
    return mp.exp(v)


def ln(v: Any) -> Any:
    """The natural logarithm."""
    return mp.log(v)
