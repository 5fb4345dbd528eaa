"""Real functions for the sides of claims, written from their definitions with mpmath, and
numerical derivatives. A function raises ``Undefined`` where it is not real."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mpmath as mp

from .model import Mat, OneBased, Point, Side, as_side


class Undefined(ArithmeticError):
    """The value is not a real number."""


def num(text: str | int) -> Any:
    """A decimal or integer constant at the working precision (``num("0.1")``)."""
    return mp.mpf(text)


def frac(a: int, b: int) -> Any:
    """The fraction a/b at the working precision."""
    return mp.mpf(a) / b


def sigmoid(x: Any) -> Any:
    return 1 / (1 + mp.exp(-x))


def softplus(x: Any) -> Any:
    """log(1 + e^x), without cancellation at either end."""
    if x < 0:
        return mp.log1p(mp.exp(x))
    return x + mp.log1p(mp.exp(-x))


def log_sigmoid(x: Any) -> Any:
    """log σ(x) = −softplus(−x)."""
    return -softplus(-x)


def log_one_minus_sigmoid(x: Any) -> Any:
    """log(1 − σ(x)) = −softplus(x)."""
    return -softplus(x)


def relu(x: Any) -> Any:
    return x if x > 0 else mp.mpf(0)


def sign(x: Any) -> Any:
    if x > 0:
        return mp.mpf(1)
    if x < 0:
        return mp.mpf(-1)
    return mp.mpf(0)


def step(x: Any) -> Any:
    """The derivative of relu away from 0."""
    if x == 0:
        raise Undefined("step(0)")
    return mp.mpf(1) if x > 0 else mp.mpf(0)


def tanh(x: Any) -> Any:
    return mp.tanh(x)


def sech(x: Any) -> Any:
    return 2 / (mp.exp(x) + mp.exp(-x))


def exp(x: Any) -> Any:
    return mp.exp(x)


def log(x: Any) -> Any:
    if x <= 0:
        raise Undefined(f"log({x})")
    return mp.log(x)


def sqrt(x: Any) -> Any:
    if x < 0:
        raise Undefined(f"sqrt({x})")
    return mp.sqrt(x)


def power(x: Any, a: Any) -> Any:
    """x^a over the reals: a negative base needs an integer exponent, 0 a positive one."""
    if x < 0 and a != mp.floor(a):
        raise Undefined(f"{x}^{a}")
    if x == 0 and a < 0:
        raise Undefined(f"0^{a}")
    if x == 0 and a == 0:
        return mp.mpf(1)
    return mp.power(x, a)


def recip(x: Any) -> Any:
    if x == 0:
        raise Undefined("1/0")
    return 1 / x


def total(values: Iterable[Any]) -> Any:
    """An exact-order sum of mpf values (0 when empty)."""
    result = mp.mpf(0)
    for v in values:
        result += v
    return result


def upto(n: int, term: Callable[[int], Any], start: int = 1) -> Any:
    """Σ_{i=start}^{n} term(i)."""
    return total(term(i) for i in range(start, n + 1))


def delta(i: int, j: int) -> Any:
    return mp.mpf(1) if i == j else mp.mpf(0)


# -- derivatives ----------------------------------------------------------------------------

def d(fn: Callable[..., Any], name: str, order: int = 1, at: str | int | None = None) -> Side:
    """The derivative of ``fn`` (a function of variables by name) with respect to the
    variable ``name``, or to its entry ``at`` (an index variable's name or a number)."""
    side = as_side(fn)

    def derivative(point: Point) -> Any:
        if at is None:
            return mp.diff(lambda t: side({**point, name: t}), point[name], order)
        k = point[at] if isinstance(at, str) else at
        vec: OneBased = point[name]
        return mp.diff(lambda t: side({**point, name: vec.replace(k, t)}), vec[k], order)

    derivative.takes_point = True  # type: ignore[attr-defined]
    return derivative


def d2(fn: Callable[..., Any], first: str, second: str) -> Side:
    """∂²fn/∂first∂second for two scalar variables."""
    inner = d(fn, first)

    def derivative(point: Point) -> Any:
        return mp.diff(lambda t: inner({**point, second: t}), point[second])

    derivative.takes_point = True  # type: ignore[attr-defined]
    return derivative


def grad(fn: Callable[..., Any], name: str) -> Side:
    """The gradient of a scalar ``fn`` with respect to the matrix variable ``name``, shaped
    like it (entry by entry)."""
    side = as_side(fn)

    def gradient(point: Point) -> Any:
        m: Mat = point[name]
        rows, cols = m.shape

        def entry(t: Any, i: int, j: int) -> Any:
            return scalar(side({**point, name: m.replace(i, j, t)}))

        return Mat(tuple(mp.diff(lambda t, i=i, j=j: entry(t, i, j), m[i][j])
                         for j in range(cols)) for i in range(rows))

    gradient.takes_point = True  # type: ignore[attr-defined]
    return gradient


# -- matrices -------------------------------------------------------------------------------

def scalar(value: Any) -> Any:
    """A 1x1 matrix as its entry; anything else unchanged."""
    if isinstance(value, Mat):
        if value.shape != (1, 1):
            raise ValueError(f"not a scalar: {value.shape}")
        return value[0][0]
    return value


def matmul(a: Mat, b: Mat) -> Mat:
    if a.shape[1] != b.shape[0]:
        raise Undefined(f"shapes {a.shape} and {b.shape} do not conform")
    return Mat(tuple(total(a[i][k] * b[k][j] for k in range(a.shape[1]))
                     for j in range(b.shape[1])) for i in range(a.shape[0]))


def transpose(a: Mat) -> Mat:
    rows, cols = a.shape
    return Mat(tuple(a[i][j] for i in range(rows)) for j in range(cols))


def entrywise(f: Callable[..., Any], *arrays: Mat) -> Mat:
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise Undefined(f"shapes {shapes} differ")
    rows, cols = arrays[0].shape
    return Mat(tuple(f(*(a[i][j] for a in arrays)) for j in range(cols)) for i in range(rows))


def madd(a: Mat, b: Mat) -> Mat:
    return entrywise(lambda u, v: u + v, a, b)


def msub(a: Mat, b: Mat) -> Mat:
    return entrywise(lambda u, v: u - v, a, b)


def mscale(c: Any, a: Mat) -> Mat:
    return entrywise(lambda u: c * u, a)


def hadamard(a: Mat, b: Mat) -> Mat:
    return entrywise(lambda u, v: u * v, a, b)


def identity(n: int) -> Mat:
    return Mat(tuple(mp.mpf(1) if i == j else mp.mpf(0) for j in range(n)) for i in range(n))


def ones(rows: int, cols: int) -> Mat:
    return Mat(tuple(mp.mpf(1) for _ in range(cols)) for _ in range(rows))


def vec(*entries: Any) -> OneBased:
    """A vector literal for witnesses."""
    return OneBased(entries)


def rows(*rows_: Iterable[Any]) -> Mat:
    """A matrix literal for witnesses."""
    return Mat(tuple(r) for r in rows_)
