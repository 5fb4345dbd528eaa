"""Truth of the network posts: a dense layer's backward pass, attention, layer normalization.
The loss downstream of a layer is a fixed nonlinear scalar function of its output (any
smooth L would do: the identities hold for every L)."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import (
    ShapeMismatch,
    choice,
    claim,
    delta,
    grad,
    matrix,
    mgrad,
    mm,
    softmax,
    vector,
)

WEIGHTS = [mp.mpf(v) for v in ("0.7", "-1.3", "0.4", "1.1", "-0.6", "0.9", "0.2", "-0.8",
                               "1.5", "-0.3", "0.5", "-1.1")]


def loss(m: Any) -> Any:
    """A fixed scalar loss of an array: Σ c_k sin(v_k) + (Σ v_k)²/10 over the entries."""
    vals = [m[i, j] for i in range(m.rows) for j in range(m.cols)] if isinstance(m, mp.matrix) \
        else list(m)
    return mp.fsum(WEIGHTS[k % len(WEIGHTS)] * mp.sin(v) for k, v in enumerate(vals)) \
        + mp.fsum(vals) ** 2 / 10


# antbarbi_mlp_backward: Z = XW + b, X n×d (3×2), W d×h (2×4) --------------------------------
P = "antbarbi_mlp_backward"
AB = {"X": matrix(3, 2), "W": matrix(2, 4), "b": matrix(1, 4)}


def z_of(x: Any, w: Any, b: Any) -> Any:
    return x * w + mp.matrix([[b[0, j] for j in range(b.cols)] for _ in range(x.rows)])


def delta_of(p: Any) -> Any:
    return mgrad(loss, z_of(p["X"], p["W"], p["b"]))


def b2(p: Any) -> tuple[Any, Any]:
    raise ShapeMismatch("W does not depend on Z: ∂W/∂Z is not formed")


claim(P, "B2", b2, AB, witness={"X": mp.eye(2)[:, :], "W": mp.eye(2), "b": mp.matrix(1, 2)},
      illformed=True, why="W does not depend on Z")
claim(P, "B3", lambda p: (mgrad(lambda w: loss(z_of(p["X"], w, p["b"])), p["W"]),
                          p["X"].T * delta_of(p)), AB)
claim(P, "B4", lambda p: (mgrad(lambda b: loss(z_of(p["X"], p["W"], b)), p["b"]),
                          mp.matrix([[mp.fsum(delta_of(p)[i, j] for i in range(3))
                                      for j in range(4)]])), AB)
claim(P, "B6", lambda p: (mgrad(lambda x: loss(z_of(x, p["W"], p["b"])), p["X"]),
                          mgrad(lambda x: loss(z_of(x, p["W"], p["b"])), p["X"]),
                          delta_of(p) * p["W"].T), AB)

# planckeon_attention: T = 3, d_k = d_v = 2 ------------------------------------------------
P = "planckeon_attention"
AT = {"Q": matrix(3, 2), "K": matrix(3, 2), "V": matrix(3, 2)}
DK = 2


def s_of(q: Any, k: Any) -> Any:
    return q * k.T / mp.sqrt(DK)


def a_of(s: Any) -> Any:
    return mp.matrix([softmax([s[i, j] for j in range(s.cols)]) for i in range(s.rows)])


def o_of(q: Any, k: Any, v: Any) -> Any:
    return a_of(s_of(q, k)) * v


def dL_dO(p: Any) -> Any:
    return mgrad(loss, o_of(p["Q"], p["K"], p["V"]))


def dL_dA(p: Any) -> Any:
    return mgrad(lambda a: loss(a * p["V"]), a_of(s_of(p["Q"], p["K"])))


def entry_grad(f: Any, m: Any, r: int, c: int) -> Any:
    def along(t: Any) -> Any:
        n = m.copy()
        n[r, c] = t
        return f(n)
    return mp.diff(along, m[r, c])


# P1: the chain rule with summation, y = (y_1, y_2) a function of x = (x_1, x_2, x_3)
def y_of(x: list[Any]) -> list[Any]:
    return [mp.sin(x[0]) * x[1] + x[2], x[0] ** 2 - mp.cos(x[2])]


def l_of(y: list[Any]) -> Any:
    return y[0] ** 2 + mp.exp(y[1] / 3)


claim(P, "P1", lambda p: (grad(lambda x: l_of(y_of(x)), p["x"], p["j"]),
                          mp.fsum(grad(l_of, y_of(p["x"]), i)
                                  * grad(lambda x, i=i: y_of(x)[i], p["x"], p["j"])
                                  for i in range(2))), {"x": vector(3), "j": choice(0, 1, 2)})
IDX = {**AT, "ib": choice((0, 0), (1, 1), (2, 0)), "mn": choice((0, 1), (2, 0), (1, 1))}


def a_mat(p: Any) -> Any:
    return a_of(s_of(p["Q"], p["K"]))


claim(P, "P2", lambda p: (entry_grad(lambda v: (a_mat(p) * v)[p["ib"]], p["V"], *p["mn"]),
                          mp.fsum(a_mat(p)[p["ib"][0], j] * delta(j, p["mn"][0])
                                  * delta(p["ib"][1], p["mn"][1]) for j in range(3)),
                          a_mat(p)[p["ib"][0], p["mn"][0]] * delta(p["ib"][1], p["mn"][1])), IDX)


def dv_entry(p: Any) -> Any:
    return entry_grad(lambda v: loss(a_mat(p) * v), p["V"], *p["mn"])


claim(P, "P3", lambda p: (dv_entry(p),
                          mp.fsum(dL_dO(p)[i, b] * a_mat(p)[i, p["mn"][0]] * delta(b, p["mn"][1])
                                  for i in range(3) for b in range(2)),
                          mp.fsum(a_mat(p)[i, p["mn"][0]] * dL_dO(p)[i, p["mn"][1]]
                                  for i in range(3))), IDX)
claim(P, "P4", lambda p: (mgrad(lambda v: loss(a_mat(p) * v), p["V"]), a_mat(p).T * dL_dO(p)), AT)
IDA = {**AT, "ib": choice((0, 0), (1, 1), (2, 0)), "mn": choice((0, 1), (2, 2), (1, 0))}
claim(P, "P5", lambda p: (entry_grad(lambda a: (a * p["V"])[p["ib"]], a_mat(p), *p["mn"]),
                          delta(p["ib"][0], p["mn"][0]) * p["V"][p["mn"][1], p["ib"][1]]), IDA)
claim(P, "P6", lambda p: (dL_dA(p)[p["mn"]],
                          mp.fsum(dL_dO(p)[p["mn"][0], b] * p["V"][p["mn"][1], b]
                                  for b in range(2))), IDA)
claim(P, "P7", lambda p: (dL_dA(p), dL_dO(p) * p["V"].T), AT)
IJ = {**AT, "ij": choice((0, 0), (0, 2), (1, 2), (2, 1)), "mn": choice((0, 0), (0, 1), (2, 2))}


def s_mat(p: Any) -> Any:
    return s_of(p["Q"], p["K"])


claim(P, "P8", lambda p: (entry_grad(lambda s: a_of(s)[p["ij"]], s_mat(p), *p["mn"]),
                          delta(p["ij"][0], p["mn"][0]) * a_mat(p)[p["ij"]]
                          * (delta(p["ij"][1], p["mn"][1]) - a_mat(p)[p["ij"][0], p["mn"][1]])),
      IJ)


def dL_dS(p: Any) -> Any:
    return mgrad(lambda s: loss(a_of(s) * p["V"]), s_mat(p))


claim(P, "P9", lambda p: (dL_dS(p)[p["ij"]],
                          a_mat(p)[p["ij"]] * (dL_dA(p)[p["ij"]] - mp.fsum(
                              a_mat(p)[p["ij"][0], j] * dL_dA(p)[p["ij"][0], j]
                              for j in range(3)))), IJ)
claim(P, "P10", lambda p: (entry_grad(lambda q: s_of(q, p["K"])[p["ij"]], p["Q"], *p["kl"]),
                           mp.fsum(delta(p["ij"][0], p["kl"][0]) * delta(a, p["kl"][1])
                                   * p["K"][p["ij"][1], a] for a in range(2)) / mp.sqrt(DK),
                           delta(p["ij"][0], p["kl"][0]) * p["K"][p["ij"][1], p["kl"][1]]
                           / mp.sqrt(DK)),
      {**IJ, "kl": choice((0, 0), (0, 1), (2, 1))})

# aise25055_attention: x T×d = 3×2 -----------------------------------------------------------
P = "aise25055_attention"


def attention_rows(s: Any) -> Any:
    return a_of(s)


def q2(p: Any) -> tuple[Any, Any]:
    x, wq, wk, wv = p["x"], p["Wq"], p["Wk"], p["Wv"]
    right = attention_rows(mm(x, wq, wk.T, x) / mp.sqrt(DK)) * x * wv
    left = attention_rows((x * wq) * (x * wk).T / mp.sqrt(DK)) * (x * wv)
    return left, right


claim(P, "Q2", q2, {"x": matrix(3, 2), "Wq": matrix(2, 2), "Wk": matrix(2, 2), "Wv": matrix(2, 2)},
      witness={"x": mp.matrix([[1, 0], [0, 1], [1, 1]]), "Wq": mp.eye(2), "Wk": mp.eye(2),
               "Wv": mp.eye(2)}, illformed=True, why="(W^K)ᵀx: 2×2 times 3×2")

# yueyiming_layernorm and shreyansh_layernorm: D = N = 3 ------------------------------------
EPS = mp.mpf("0.01")


def layernorm(x: list[Any], g: list[Any], b: list[Any]) -> list[Any]:
    n = len(x)
    mu = mp.fsum(x) / n
    var = mp.fsum((v - mu) ** 2 for v in x) / n
    return [g[i] * (x[i] - mu) / mp.sqrt(var + EPS) + b[i] for i in range(n)]


def xhat(x: list[Any]) -> list[Any]:
    return layernorm(x, [1] * len(x), [0] * len(x))


LN = {"x": vector(3), "g": vector(3), "b": vector(3), "i": choice(0, 1, 2)}


def dy(p: Any, i: int) -> Any:
    return grad(loss, layernorm(p["x"], p["g"], p["b"]), i)


P = "yueyiming_layernorm"
claim(P, "G1", lambda p: (grad(lambda b: loss(layernorm(p["x"], p["g"], b)), p["b"], p["i"]),
                          dy(p, p["i"]) * grad(lambda b: layernorm(p["x"], p["g"], b)[p["i"]],
                                               p["b"], p["i"]),
                          dy(p, p["i"])), LN)
claim(P, "G2", lambda p: (grad(lambda g: loss(layernorm(p["x"], g, p["b"])), p["g"], p["i"]),
                          dy(p, p["i"]) * grad(lambda g: layernorm(p["x"], g, p["b"])[p["i"]],
                                               p["g"], p["i"]),
                          dy(p, p["i"]) * xhat(p["x"])[p["i"]]), LN)
claim(P, "G4", lambda p: (grad(lambda h: loss([p["g"][k] * h[k] + p["b"][k] for k in range(3)]),
                               xhat(p["x"]), p["i"]),
                          dy(p, p["i"]) * p["g"][p["i"]]), LN)

P = "shreyansh_layernorm"
LK = {**LN, "jk": choice((0, 0), (0, 1), (2, 1), (1, 1))}
claim(P, "G1", lambda p: (grad(lambda g: layernorm(p["x"], g, p["b"])[p["jk"][1]], p["g"],
                               p["jk"][0]),
                          xhat(p["x"])[p["jk"][0]] * delta(p["jk"][1], p["jk"][0])), LK)
claim(P, "G2", lambda p: (grad(lambda b: layernorm(p["x"], p["g"], b)[p["jk"][1]], p["b"],
                               p["jk"][0]), delta(p["jk"][1], p["jk"][0])), LK)
claim(P, "G3", lambda p: (grad(lambda g: loss(layernorm(p["x"], g, p["b"])), p["g"], p["i"]),
                          mp.fsum(dy(p, k) * grad(lambda g, k=k: layernorm(p["x"], g, p["b"])[k],
                                                  p["g"], p["i"]) for k in range(3)),
                          dy(p, p["i"]) * grad(lambda g: layernorm(p["x"], g, p["b"])[p["i"]],
                                               p["g"], p["i"]),
                          dy(p, p["i"]) * xhat(p["x"])[p["i"]]), LN)
claim(P, "G4", lambda p: (grad(lambda b: loss(layernorm(p["x"], p["g"], b)), p["b"], p["i"]),
                          mp.fsum(dy(p, k) * grad(lambda b, k=k: layernorm(p["x"], p["g"], b)[k],
                                                  p["b"], p["i"]) for k in range(3)),
                          dy(p, p["i"]) * grad(lambda b: layernorm(p["x"], p["g"], b)[p["i"]],
                                               p["b"], p["i"]),
                          dy(p, p["i"]) * 1), LN)

