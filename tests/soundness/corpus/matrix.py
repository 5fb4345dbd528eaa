"""Matrix claims, read through a one-step proof file with the shapes of the names
(docs/proofs.md, docs/matrix.md): transposes, products, ⊙, and gradients of scalar losses.
The sizes are part of the claim: a claim is true only when it holds at every size."""

from __future__ import annotations

from ..model import DIM, LABEL, POSITIVE, Collector, matrix
from ..mpfun import (
    entrywise,
    grad,
    hadamard,
    log_one_minus_sigmoid,
    log_sigmoid,
    madd,
    matmul,
    mscale,
    msub,
    num,
    rows,
    scalar,
    sigmoid,
    total,
    transpose,
)

add = Collector("matrix")
T = transpose


def sq(v):
    """vᵀv for a column v."""
    return scalar(matmul(T(v), v))


def logistic(X, w, y):
    z = matmul(X, w)
    n = X.shape[0]
    return -total(y[i][0] * log_sigmoid(z[i][0]) + (1 - y[i][0]) * log_one_minus_sigmoid(z[i][0])
                  for i in range(n))


def sig_minus(X, w, y):
    """σ(Xw) − y."""
    return msub(entrywise(sigmoid, matmul(X, w)), y)


def residual(X, w, y):
    """Xw − y."""
    return msub(matmul(X, w), y)


ND = {"n": DIM, "d": DIM}
AB = {"n": DIM, "d": DIM, "h": DIM, "A": matrix("n", "d"), "B": matrix("d", "h")}
AB_SHAPES = {"A": ("n", "d"), "B": ("d", "h")}
SQ2 = {"n": DIM, "A": matrix("n", "n"), "B": matrix("n", "n")}
SQ2_SHAPES = {"A": ("n", "n"), "B": ("n", "n")}
SQ3 = {**SQ2, "C": matrix("n", "n")}
SQ3_SHAPES = {**SQ2_SHAPES, "C": ("n", "n")}
PQ = {"n": DIM, "d": DIM, "P": matrix("n", "d"), "Q": matrix("n", "d")}
PQ_SHAPES = {"P": ("n", "d"), "Q": ("n", "d")}
LIN = {"n": DIM, "d": DIM, "X": matrix("n", "d"), "w": matrix("d", 1), "y": matrix("n", 1)}
LIN_SHAPES = {"X": ("n", "d"), "w": ("d", "1"), "y": ("n", "1")}
LOG = {**LIN, "y": matrix("n", 1, LABEL)}
LOG_DOMAINS = {"y": "{0,1}"}
WA = {"d": DIM, "w": matrix("d", 1), "a": matrix("d", 1)}
WA_SHAPES = {"w": ("d", "1"), "a": ("d", "1")}
WM = {"d": DIM, "w": matrix("d", 1), "M": matrix("d", "d")}
WM_SHAPES = {"w": ("d", "1"), "M": ("d", "d")}
WL = {"d": DIM, "w": matrix("d", 1), "lam": POSITIVE}
W_SHAPES = {"w": ("d", "1")}
XY = {"n": DIM, "x": matrix("n", 1), "y": matrix("n", 1)}
XY_SHAPES = {"x": ("n", "1"), "y": ("n", "1")}
TWO = rows((1, 2), (3, 4))
OTHER = rows((0, 1), (1, 0))

# -- algebra ---------------------------------------------------------------------------------
add(r"(AB)^\top = B^\top A^\top", True, lambda A, B: T(matmul(A, B)),
    lambda A, B: matmul(T(B), T(A)), sample=AB, shapes=AB_SHAPES)
add(r"(AB)^\top = A^\top B^\top", False, lambda A, B: T(matmul(A, B)),
    lambda A, B: matmul(T(A), T(B)), sample=SQ2, shapes=SQ2_SHAPES,
    witness={"n": 2, "A": TWO, "B": OTHER})
add(r"(A^\top)^\top = A", True, lambda A: T(T(A)), lambda A: A,
    sample={"n": DIM, "d": DIM, "A": matrix("n", "d")}, shapes={"A": ("n", "d")})
add(r"(P + Q)^\top = P^\top + Q^\top", True, lambda P, Q: T(madd(P, Q)),
    lambda P, Q: madd(T(P), T(Q)), sample=PQ, shapes=PQ_SHAPES)
add(r"(P + Q)^\top = P^\top - Q^\top", False, lambda P, Q: T(madd(P, Q)),
    lambda P, Q: msub(T(P), T(Q)), sample=PQ, shapes=PQ_SHAPES,
    witness={"n": 1, "d": 1, "P": rows((0,)), "Q": rows((1,))})
add(r"AB = BA", False, lambda A, B: matmul(A, B), lambda A, B: matmul(B, A), sample=SQ2,
    shapes=SQ2_SHAPES, witness={"n": 2, "A": TWO, "B": OTHER})
add(r"A(B + C) = AB + AC", True, lambda A, B, C: matmul(A, madd(B, C)),
    lambda A, B, C: madd(matmul(A, B), matmul(A, C)),
    sample={**AB, "C": matrix("d", "h")}, shapes={**AB_SHAPES, "C": ("d", "h")})
add(r"A(B + C) = AB + CA", False, lambda A, B, C: matmul(A, madd(B, C)),
    lambda A, B, C: madd(matmul(A, B), matmul(C, A)), sample=SQ3, shapes=SQ3_SHAPES,
    witness={"n": 2, "A": TWO, "B": TWO, "C": OTHER})
add(r"(AB)C = A(BC)", True, lambda A, B, C: matmul(matmul(A, B), C),
    lambda A, B, C: matmul(A, matmul(B, C)),
    sample={**AB, "k": DIM, "C": matrix("h", "k")}, shapes={**AB_SHAPES, "C": ("h", "k")})
add(r"(AB)C = A(CB)", False, lambda A, B, C: matmul(matmul(A, B), C),
    lambda A, B, C: matmul(A, matmul(C, B)), sample=SQ3, shapes=SQ3_SHAPES,
    witness={"n": 2, "A": TWO, "B": TWO, "C": OTHER})
add(r"(A^\top A)^\top = A^\top A", True, lambda A: T(matmul(T(A), A)),
    lambda A: matmul(T(A), A), sample={"n": DIM, "d": DIM, "A": matrix("n", "d")},
    shapes={"A": ("n", "d")})
add(r"(A^\top A)^\top = A A^\top", False, lambda A: T(matmul(T(A), A)),
    lambda A: matmul(A, T(A)), sample={"n": DIM, "A": matrix("n", "n")},
    shapes={"A": ("n", "n")}, witness={"n": 2, "A": TWO})
add(r"P \odot Q = Q \odot P", True, lambda P, Q: hadamard(P, Q), lambda P, Q: hadamard(Q, P),
    sample=PQ, shapes=PQ_SHAPES)
add(r"A \odot B = AB", False, lambda A, B: hadamard(A, B), lambda A, B: matmul(A, B),
    sample=SQ2, shapes=SQ2_SHAPES, witness={"n": 2, "A": TWO, "B": TWO})
add(r"A \odot (B + C) = A \odot B + A \odot C", True,
    lambda A, B, C: hadamard(A, madd(B, C)),
    lambda A, B, C: madd(hadamard(A, B), hadamard(A, C)), sample=SQ3, shapes=SQ3_SHAPES)
add(r"x^\top y = y^\top x", True, lambda x, y: matmul(T(x), y), lambda x, y: matmul(T(y), x),
    sample=XY, shapes=XY_SHAPES)
add(r"(x^\top y)^2 = x^\top y y^\top x", True, lambda x, y: scalar(matmul(T(x), y)) ** 2,
    lambda x, y: matmul(matmul(T(x), y), matmul(T(y), x)), sample=XY, shapes=XY_SHAPES)
add(r"(x^\top y)^2 = x^\top x y^\top y", False, lambda x, y: scalar(matmul(T(x), y)) ** 2,
    lambda x, y: matmul(matmul(T(x), x), matmul(T(y), y)), sample=XY, shapes=XY_SHAPES,
    witness={"n": 2, "x": rows((1,), (0,)), "y": rows((0,), (1,))})
add(r"(Xw)^\top(Xw) = w^\top X^\top X w", True, lambda X, w: matmul(T(matmul(X, w)), matmul(X, w)),
    lambda X, w: matmul(matmul(matmul(T(w), T(X)), X), w), sample=LIN, shapes=LIN_SHAPES)
add(r"(Xw)^\top(Xw) = w^\top X X^\top w", False,
    lambda X, w: matmul(T(matmul(X, w)), matmul(X, w)),
    lambda X, w: matmul(matmul(matmul(T(w), X), T(X)), w),
    sample={"n": DIM, "X": matrix("n", "n"), "w": matrix("n", 1)},
    shapes={"X": ("n", "n"), "w": ("n", "1")}, witness={"n": 2, "X": TWO, "w": rows((1,), (0,))})
add(r"X^\top X w = X X^\top w", False, lambda X, w: matmul(matmul(T(X), X), w),
    lambda X, w: matmul(matmul(X, T(X)), w),
    sample={"n": DIM, "X": matrix("n", "n"), "w": matrix("n", 1)},
    shapes={"X": ("n", "n"), "w": ("n", "1")}, witness={"n": 2, "X": TWO, "w": rows((1,), (0,))})

# -- gradients -------------------------------------------------------------------------------
half_ls = grad(lambda X, w, y: sq(msub(matmul(X, w), y)) / 2, "w")
full_ls = grad(lambda X, w, y: sq(msub(matmul(X, w), y)), "w")
W1 = {"n": 1, "d": 1, "X": rows((1,)), "w": rows((1,)), "y": rows((0,))}
add(r"\nabla_w \frac{1}{2}(Xw - y)^\top(Xw - y) = X^\top(Xw - y)", True, half_ls,
    lambda X, w, y: matmul(T(X), residual(X, w, y)), sample=LIN, shapes=LIN_SHAPES)
add(r"\nabla_w \frac{1}{2}(Xw - y)^\top(Xw - y) = X^\top(y - Xw)", False, half_ls,
    lambda X, w, y: matmul(T(X), msub(y, matmul(X, w))), sample=LIN, shapes=LIN_SHAPES,
    witness=W1)
add(r"\nabla_w (Xw - y)^\top(Xw - y) = 2X^\top(Xw - y)", True, full_ls,
    lambda X, w, y: mscale(2, matmul(T(X), residual(X, w, y))), sample=LIN, shapes=LIN_SHAPES)
add(r"\nabla_w (Xw - y)^\top(Xw - y) = X^\top(Xw - y)", False, full_ls,
    lambda X, w, y: matmul(T(X), residual(X, w, y)), sample=LIN, shapes=LIN_SHAPES,
    witness=W1)
add(r"\nabla_w (y - Xw)^\top(y - Xw) = 2X^\top(Xw - y)", True, full_ls,
    lambda X, w, y: mscale(2, matmul(T(X), residual(X, w, y))), sample=LIN, shapes=LIN_SHAPES)
add(r"\nabla_w (y - Xw)^\top(y - Xw) = 2X^\top(y - Xw)", False, full_ls,
    lambda X, w, y: mscale(2, matmul(T(X), msub(y, matmul(X, w)))), sample=LIN,
    shapes=LIN_SHAPES, witness=W1)
add(r"\frac{\partial}{\partial w} w^\top X^\top X w = 2X^\top X w", True,
    grad(lambda X, w: sq(matmul(X, w)), "w"), lambda X, w: mscale(2, matmul(matmul(T(X), X), w)),
    sample=LIN, shapes=LIN_SHAPES)
add(r"\frac{\partial}{\partial w} w^\top X^\top X w = X^\top X w", False,
    grad(lambda X, w: sq(matmul(X, w)), "w"), lambda X, w: matmul(matmul(T(X), X), w),
    sample=LIN, shapes=LIN_SHAPES, witness=W1)
ridge = grad(lambda X, w, y, lam: sq(residual(X, w, y)) / 2 + lam * sq(w) / 2, "w")
RIDGE = {**LIN, "lam": POSITIVE}
RIDGE_DOMAINS = {"\\lambda": "positive"}
add(r"\nabla_w\left(\frac{1}{2}(Xw - y)^\top(Xw - y) + \frac{\lambda}{2}w^\top w\right) = X^"
    r"\top(Xw - y) + \lambda w",
    True, ridge, lambda X, w, y, lam: madd(matmul(T(X), residual(X, w, y)), mscale(lam, w)),
    sample=RIDGE, shapes=LIN_SHAPES, domains=RIDGE_DOMAINS)
add(r"\nabla_w\left(\frac{1}{2}(Xw - y)^\top(Xw - y) + \frac{\lambda}{2}w^\top w\right) = X^"
    r"\top(Xw - y) + \frac{\lambda}{2}w",
    False, ridge,
    lambda X, w, y, lam: madd(matmul(T(X), residual(X, w, y)), mscale(lam / 2, w)),
    sample=RIDGE, shapes=LIN_SHAPES, domains=RIDGE_DOMAINS, witness={**W1, "lam": 1})
add(r"\nabla_w a^\top w = a", True, grad(lambda a, w: scalar(matmul(T(a), w)), "w"),
    lambda a: a, sample=WA, shapes=WA_SHAPES)
add(r"\nabla_w w^\top a = a", True, grad(lambda a, w: scalar(matmul(T(w), a)), "w"),
    lambda a: a, sample=WA, shapes=WA_SHAPES)
add(r"\nabla_w w^\top a = 2a", False, grad(lambda a, w: scalar(matmul(T(w), a)), "w"),
    lambda a: mscale(2, a), sample=WA, shapes=WA_SHAPES,
    witness={"d": 1, "w": rows((0,)), "a": rows((1,))})
quad = grad(lambda M, w: scalar(matmul(matmul(T(w), M), w)), "w")
WQ = {"d": 2, "w": rows((1,), (1,)), "M": rows((0, 1), (0, 0))}
add(r"\nabla_w w^\top M w = (M + M^\top)w", True, quad, lambda M, w: matmul(madd(M, T(M)), w),
    sample=WM, shapes=WM_SHAPES)
add(r"\nabla_w w^\top M w = 2Mw", False, quad, lambda M, w: mscale(2, matmul(M, w)),
    sample=WM, shapes=WM_SHAPES, witness=WQ, note="true only for a symmetric M")
add(r"\nabla_w w^\top M w = Mw", False, quad, lambda M, w: matmul(M, w), sample=WM,
    shapes=WM_SHAPES, witness=WQ)
add(r"\nabla_w w^\top w = 2w", True, grad(lambda w: sq(w), "w"), lambda w: mscale(2, w),
    sample={"d": DIM, "w": matrix("d", 1)}, shapes=W_SHAPES)
add(r"\nabla_w w^\top w = w", False, grad(lambda w: sq(w), "w"), lambda w: w,
    sample={"d": DIM, "w": matrix("d", 1)}, shapes=W_SHAPES, witness={"d": 1, "w": rows((1,))})
add(r"\nabla_w \frac{\lambda}{2} w^\top w = \lambda w", True,
    grad(lambda w, lam: lam * sq(w) / 2, "w"), lambda w, lam: mscale(lam, w), sample=WL,
    shapes=W_SHAPES, domains=RIDGE_DOMAINS)
add(r"\nabla_w \frac{\lambda}{2} w^\top w = \frac{\lambda}{2} w", False,
    grad(lambda w, lam: lam * sq(w) / 2, "w"), lambda w, lam: mscale(lam / 2, w), sample=WL,
    shapes=W_SHAPES, domains=RIDGE_DOMAINS, witness={"d": 1, "w": rows((1,)), "lam": 1})
LOGISTIC = r"\nabla_w \left(-y^\top \log\sigma(Xw) - (1 - y)^\top \log(1 - \sigma(Xw))\right)"
add(LOGISTIC + r" = X^\top(\sigma(Xw) - y)", True, grad(logistic, "w"),
    lambda X, w, y: matmul(T(X), sig_minus(X, w, y)), sample=LOG, shapes=LIN_SHAPES,
    domains=LOG_DOMAINS)
add(LOGISTIC + r" = X^\top(y - \sigma(Xw))", False, grad(logistic, "w"),
    lambda X, w, y: mscale(-1, matmul(T(X), sig_minus(X, w, y))), sample=LOG,
    shapes=LIN_SHAPES, domains=LOG_DOMAINS, witness=W1)
add(LOGISTIC + r" = \sigma(Xw) - y", False, grad(logistic, "w"),
    lambda X, w, y: sig_minus(X, w, y),
    sample={"n": DIM, "X": matrix("n", "n"), "w": matrix("n", 1), "y": matrix("n", 1, LABEL)},
    shapes={"X": ("n", "n"), "w": ("n", "1"), "y": ("n", "1")}, domains=LOG_DOMAINS,
    witness={"n": 1, "X": rows((2,)), "w": rows((0,)), "y": rows((0,))},
    note="the Xᵀ factor forgotten (square X so that both sides are defined)")


# -- near-equalities -------------------------------------------------------------------------
add(r"P + 10^{-20}P = P", False, lambda P: madd(P, mscale(num(10) ** -20, P)), lambda P: P,
    sample={"n": DIM, "d": DIM, "P": matrix("n", "d")}, shapes={"P": ("n", "d")},
    witness={"n": 1, "d": 1, "P": rows((1,))})
add(r"x^\top x + 10^{-12} = x^\top x", False, lambda x: sq(x) + num(10) ** -12, lambda x: sq(x),
    sample={"n": DIM, "x": matrix("n", 1)}, shapes={"x": ("n", "1")},
    witness={"n": 1, "x": rows((1,))})

CLAIMS = list(add)
