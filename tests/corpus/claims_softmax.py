"""Truth of the softmax and cross-entropy posts (classes counted from 0 here, C = 3)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import mpmath as mp

from .mathtools import (
    LABEL,
    REAL,
    chain,
    choice,
    claim,
    col,
    d,
    delta,
    diag,
    emap,
    entries,
    grad,
    hadamard,
    hess,
    matrix,
    mgrad,
    onehot,
    row,
    softmax,
    vector,
)

C = 3


def pick(equal: bool | None) -> Callable[[random.Random], tuple[int, int]]:
    """Two class indices, equal, different, or free."""
    def draw(r: random.Random) -> tuple[int, int]:
        while True:
            i, k = r.randrange(C), r.randrange(C)
            if equal is None or (i == k) == equal:
                return i, k
    return draw


def e(v: Any) -> Any:
    return mp.exp(v)


def S(z: list[Any]) -> Any:
    return mp.fsum(e(v) for v in z)


def dp(z: list[Any], i: int, k: int) -> Any:
    """∂p_i/∂z_k of p = softmax(z), numerically."""
    return grad(lambda v: softmax(v)[i], z, k)


def ce(z: list[Any], y: list[Any]) -> Any:
    p = softmax(z)
    return -mp.fsum(y[j] * mp.log(p[j]) for j in range(C))


def dce(z: list[Any], y: list[Any], k: int) -> Any:
    return grad(lambda v: ce(v, y), z, k)


# sunhaozhe_softmax_ce: L = -Σ y_i log p_i, p = softmax(o) -----------------------------------
P = "sunhaozhe_softmax_ce"


def dom(equal: bool | None) -> dict[str, Any]:
    return {"o": vector(C), "y": vector(C, LABEL), "ik": pick(equal)}


def sun_q(p: Any) -> Any:
    """The quotient-rule numerator written out: ∂e^{o_i}/∂o_k Σ − ∂Σ/∂o_k e^{o_i}, over Σ²."""
    o, (i, k) = p["o"], p["ik"]
    return (delta(i, k) * e(o[i]) * S(o) - e(o[k]) * e(o[i])) / S(o) ** 2


claim(P, "S3", lambda p: (dp(p["o"], *p["ik"]),
                          grad(lambda v: e(v[p["ik"][0]]) / S(v), p["o"], p["ik"][1]),
                          sun_q(p)), dom(None))
chain(P, ["S4", "S5", "S6"], [
    lambda p: dp(p["o"], *p["ik"]),
    lambda p: (e(p["o"][p["ik"][1]]) * S(p["o"]) - e(p["o"][p["ik"][1]]) ** 2) / S(p["o"]) ** 2,
    lambda p: e(p["o"][p["ik"][1]]) / S(p["o"]) * (S(p["o"]) - e(p["o"][p["ik"][1]])) / S(p["o"]),
    lambda p: softmax(p["o"])[p["ik"][1]] * (1 - softmax(p["o"])[p["ik"][1]]),
], dom(True))
chain(P, ["S7", "S8", "S9"], [
    lambda p: dp(p["o"], *p["ik"]),
    sun_q,
    lambda p: -e(p["o"][p["ik"][1]]) * e(p["o"][p["ik"][0]]) / (S(p["o"]) * S(p["o"])),
    lambda p: -softmax(p["o"])[p["ik"][1]] * softmax(p["o"])[p["ik"][0]],
], dom(False))


def sun_cases(p: Any) -> Any:
    s, (i, k) = softmax(p["o"]), p["ik"]
    return s[k] * (1 - s[k]) if i == k else -s[k] * s[i]


claim(P, "S10", lambda p: (dp(p["o"], *p["ik"]), sun_cases(p)), dom(None))


def sun_sum(p: Any, term: Callable[[int], Any]) -> Any:
    return mp.fsum(term(i) for i in range(C))


chain(P, ["S11", "S12", "S13", "S14", "S15"], [
    lambda p: dce(p["o"], p["y"], p["ik"][1]),
    lambda p: -sun_sum(p, lambda i: p["y"][i] * grad(lambda v: mp.log(softmax(v)[i]), p["o"],
                                                       p["ik"][1])),
    lambda p: -sun_sum(p, lambda i: p["y"][i] / softmax(p["o"])[i] * dp(p["o"], i, p["ik"][1])),
    lambda p: -sun_sum(p, lambda i: p["y"][i] / softmax(p["o"])[i] * dp(p["o"], i, p["ik"][1])),
    lambda p: -p["y"][p["ik"][1]] * (1 - softmax(p["o"])[p["ik"][1]])
    + sun_sum(p, lambda i: (i != p["ik"][1]) * p["y"][i] * softmax(p["o"])[p["ik"][1]]),
    lambda p: -p["y"][p["ik"][1]] + sun_sum(p, lambda i: p["y"][i] * softmax(p["o"])[p["ik"][1]]),
], dom(None))
claim(P, "S16", lambda p: (-p["y"][p["ik"][1]]
                           + sun_sum(p, lambda i: p["y"][i] * softmax(p["o"])[p["ik"][1]]),
                           softmax(p["o"])[p["ik"][1]] - p["y"][p["ik"][1]]),
      {"o": vector(C), "y": onehot(C), "ik": pick(None)})

# zakariapz_softmax_ce: ℓ_j = -y_j log p_j, p = softmax(a) ----------------------------------
P = "zakariapz_softmax_ce"


def zdom(equal: bool | None) -> dict[str, Any]:
    return {"a": vector(C), "y": vector(C, LABEL), "ij": pick(equal)}


W = {"a": [0, 0, 0], "y": [1, 0, 0], "ij": (0, 0)}


def ell_sum(p: Any) -> Any:
    s = softmax(p["a"])
    return mp.fsum(-p["y"][j] * mp.log(s[j]) for j in range(C))


def dl_dp(p: Any, j: int) -> Any:
    """∂ℓ_j/∂p_j = −y_j/p_j."""
    return -p["y"][j] / softmax(p["a"])[j]


claim(P, "Z2", lambda p: (ce(p["a"], p["y"]), -ell_sum(p)), zdom(None), witness=W,
      why="L = log 3 at a = 0, y = e_1; −Σ ℓ_j = −log 3")
claim(P, "Z4", lambda p: (dce(p["a"], p["y"], p["ij"][0]),
                          -mp.fsum(dl_dp(p, j) * dp(p["a"], j, p["ij"][0]) for j in range(C))),
      zdom(None), witness=W, why="∂L/∂a_1 = −2/3 at a = 0, y = e_1; the claim gives 2/3")
claim(P, "Z5", lambda p: (grad(lambda q: -p["y"][p["ij"][1]] * mp.log(q[0]),
                               [softmax(p["a"])[p["ij"][1]]], 0),
                          grad(lambda q: -p["y"][p["ij"][1]] * mp.log(q[0]),
                               [softmax(p["a"])[p["ij"][1]]], 0)), zdom(None))
claim(P, "Z6", lambda p: (grad(lambda q: -p["y"][p["ij"][1]] * mp.log(q[0]),
                               [softmax(p["a"])[p["ij"][1]]], 0),
                          dl_dp(p, p["ij"][1])), zdom(None))


def pji(p: Any) -> Any:
    i, j = p["ij"]
    return dp(p["a"], j, i)


def zS(p: Any) -> Any:
    return S(p["a"])


claim(P, "Z7", lambda p: (pji(p), grad(lambda v: e(v[p["ij"][1]]) / S(v), p["a"], p["ij"][0])),
      zdom(None))
chain(P, ["Z8", "Z9", "Z10", "Z11", "Z12"], [
    lambda p: grad(lambda v: e(v[p["ij"][1]]) / S(v), p["a"], p["ij"][0]),
    lambda p: grad(lambda v: e(v[p["ij"][1]]) / S(v), p["a"], p["ij"][1]),
    lambda p: grad(lambda v: e(v[p["ij"][1]]) * S(v) ** -1, p["a"], p["ij"][1]),
    lambda p: e(p["a"][p["ij"][1]]) * zS(p) ** -1
    - e(p["a"][p["ij"][1]]) * zS(p) ** -2 * e(p["a"][p["ij"][1]]),
    lambda p: softmax(p["a"])[p["ij"][1]] - softmax(p["a"])[p["ij"][1]] ** 2,
    lambda p: softmax(p["a"])[p["ij"][1]] * (1 - softmax(p["a"])[p["ij"][1]]),
], zdom(True))
chain(P, ["Z13", "Z14", "Z15", "Z16"], [
    pji,
    lambda p: grad(lambda v: e(v[p["ij"][1]]) / S(v), p["a"], p["ij"][0]),
    lambda p: e(p["a"][p["ij"][1]]) * grad(lambda v: S(v) ** -1, p["a"], p["ij"][0]),
    lambda p: -e(p["a"][p["ij"][1]]) * zS(p) ** -2 * e(p["a"][p["ij"][0]]),
    lambda p: -softmax(p["a"])[p["ij"][1]] * softmax(p["a"])[p["ij"][0]],
], {"a": vector(C), "y": vector(C, LABEL), "ij": pick(False)})
claim(P, "Z17", lambda p: (pji(p), softmax(p["a"])[p["ij"][1]]
                           * (delta(*p["ij"]) - softmax(p["a"])[p["ij"][0]])), zdom(None))
chain(P, ["Z18", "Z19", "Z20"], [
    lambda p: dce(p["a"], p["y"], p["ij"][0]),
    lambda p: mp.fsum(dl_dp(p, j) * dp(p["a"], j, p["ij"][0]) for j in range(C)),
    lambda p: mp.fsum(-p["y"][j] / softmax(p["a"])[j] * softmax(p["a"])[j]
                      * (delta(p["ij"][0], j) - softmax(p["a"])[p["ij"][0]]) for j in range(C)),
    lambda p: mp.fsum(p["y"][j] * (softmax(p["a"])[p["ij"][0]] - delta(p["ij"][0], j))
                      for j in range(C)),
], zdom(None))

# davidbieber_softmax_ce: y = softmax(x), L = -Σ t_i ln y_i --------------------------------
P = "davidbieber_softmax_ce"


def bdom(equal: bool | None, hot: bool = False) -> dict[str, Any]:
    return {"x": vector(C), "t": onehot(C) if hot else vector(C, LABEL), "ij": pick(equal)}


def yv(p: Any) -> list[Any]:
    return softmax(p["x"])


def dy(p: Any) -> Any:
    i, j = p["ij"]
    return dp(p["x"], i, j)


claim(P, "D1", lambda p: (yv(p)[p["ij"][0]], e(p["x"][p["ij"][0]]) / S(p["x"])), bdom(None))
claim(P, "D3", lambda p: (dce(p["x"], p["t"], p["ij"][1]),
                          -mp.fsum(p["t"][i] / yv(p)[i] * dp(p["x"], i, p["ij"][1])
                                   for i in range(C))), bdom(None))


def xi(p: Any) -> Any:
    return e(p["x"][p["ij"][0]])


def xj(p: Any) -> Any:
    return e(p["x"][p["ij"][1]])


claim(P, "D4", lambda p: (dy(p), (S(p["x"]) * xi(p) - xi(p) * xi(p)) / S(p["x"]) ** 2),
      bdom(True))
claim(P, "D5", lambda p: (dy(p), xi(p) / S(p["x"]) * ((S(p["x"]) - xi(p)) / S(p["x"]))),
      bdom(True))
claim(P, "D6", lambda p: (dy(p), yv(p)[p["ij"][0]] * (1 - yv(p)[p["ij"][0]])), bdom(True))
claim(P, "D7", lambda p: (dy(p), (S(p["x"]) * 0 - xi(p) * xj(p)) / S(p["x"]) ** 2), bdom(False))
claim(P, "D8", lambda p: (dy(p), -xi(p) / S(p["x"]) * xj(p) / S(p["x"])), bdom(False))
claim(P, "D9", lambda p: (dy(p), -yv(p)[p["ij"][0]] * yv(p)[p["ij"][1]]), bdom(False))


def bcases(p: Any) -> Any:
    i, j = p["ij"]
    return yv(p)[i] * (1 - yv(p)[i]) if i == j else -yv(p)[i] * yv(p)[j]


claim(P, "D10", lambda p: (dy(p), bcases(p)), bdom(None))
claim(P, "D11", lambda p: (dce(p["x"], p["t"], p["ij"][1]),
                           -mp.fsum(p["t"][i] / yv(p)[i] * dp(p["x"], i, p["ij"][1])
                                    for i in range(C)),
                           mp.fsum(p["t"][i] * (yv(p)[i] - 1) if i == p["ij"][1]
                                   else p["t"][i] * yv(p)[p["ij"][1]] for i in range(C))),
      bdom(None))
claim(P, "D12", lambda p: (dce(p["x"], p["t"], p["ij"][1]),
                           yv(p)[p["ij"][1]] - p["t"][p["ij"][1]]), bdom(None, hot=True))

# dipta007_softmax2: f(x) = e^x/(e^x + e^y) ------------------------------------------------
P = "dipta007_softmax2"
XY = {"x": REAL, "y": REAL}


def f2(a: Any, b: Any) -> Any:
    return e(a) / (e(a) + e(b))


chain(P, ["N2", "N3", "N4", "N5"], [
    lambda p: d(lambda t: f2(t, p["y"]), p["x"]),
    lambda p: ((e(p["x"]) + e(p["y"])) * d(e, p["x"])
               - e(p["x"]) * d(lambda t: e(t) + e(p["y"]), p["x"])) / (e(p["x"]) + e(p["y"])) ** 2,
    lambda p: ((e(p["x"]) + e(p["y"])) * e(p["x"]) - e(p["x"]) * e(p["x"]))
    / (e(p["x"]) + e(p["y"])) ** 2,
    lambda p: e(p["x"]) / (e(p["x"]) + e(p["y"]))
    * ((e(p["x"]) + e(p["y"])) / (e(p["x"]) + e(p["y"])) - e(p["x"]) / (e(p["x"]) + e(p["y"]))),
    lambda p: f2(p["x"], p["y"]) * (1 - f2(p["x"], p["y"])),
], XY)
chain(P, ["N6", "N7", "N8", "N9"], [
    lambda p: d(lambda t: f2(p["x"], t), p["y"]),
    lambda p: ((e(p["x"]) + e(p["y"])) * d(lambda t: e(p["x"]), p["y"])
               - e(p["x"]) * d(lambda t: e(p["x"]) + e(t), p["y"])) / (e(p["x"]) + e(p["y"])) ** 2,
    lambda p: ((e(p["x"]) + e(p["y"])) * 0 - e(p["x"]) * e(p["y"])) / (e(p["x"]) + e(p["y"])) ** 2,
    lambda p: -e(p["x"]) / (e(p["x"]) + e(p["y"])) * e(p["y"]) / (e(p["x"]) + e(p["y"])),
    lambda p: -f2(p["x"], p["y"]) * f2(p["y"], p["y"]),
], XY, false={"N9": {"x": 1, "y": 0}}, why="f(y) = 1/2 as f is defined")

# khzhao_logsumexp and mse4504481_lse_hessian: f(x) = log Σ e^{x_i} -------------------------


def lse(x: list[Any]) -> Any:
    return mp.log(mp.fsum(e(v) for v in x))


def hess_lse(x: list[Any]) -> Any:
    n = len(x)
    return mp.matrix([[hess(lse, x, i, j) for j in range(n)] for i in range(n)])


def sm_jacobian(x: list[Any]) -> Any:
    s = softmax(x)
    return diag(s) - col(s) * row(s)


P = "khzhao_logsumexp"
KD = {"x": vector(C), "ij": pick(None)}
claim(P, "K2", lambda p: (grad(lse, p["x"], p["ij"][0]), e(p["x"][p["ij"][0]]) / S(p["x"])), KD)


def kcases(p: Any) -> Any:
    x, (i, j) = p["x"], p["ij"]
    if i == j:
        return e(x[i]) / S(x) - e(x[i]) * e(x[i]) / S(x) ** 2
    return -e(x[i]) * e(x[j]) / S(x) ** 2


claim(P, "K3", lambda p: (hess(lse, p["x"], *p["ij"]), kcases(p)), KD)
claim(P, "K5", lambda p: (hess_lse(p["x"]), sm_jacobian(p["x"])), KD)
claim(P, "K6", lambda p: ((row(p["x"]) * hess_lse(p["x"]) * col(p["x"]))[0, 0],
                          (row(p["x"]) * sm_jacobian(p["x"]) * col(p["x"]))[0, 0]), KD)

P = "mse4504481_lse_hessian"
claim(P, "M1", lambda p: ([grad(lse, p["x"], i) for i in range(C)], softmax(p["x"]),
                          [e(v) / S(p["x"]) for v in p["x"]]), {"x": vector(C)})
claim(P, "M2", lambda p: (mp.matrix([[grad(lambda v, i=i: softmax(v)[i], p["x"], j)
                                      for j in range(C)] for i in range(C)]),
                          sm_jacobian(p["x"])), {"x": vector(C)})


def m3(x: list[Any]) -> Any:
    q = e(x[0]) * e(x[1]) / (e(x[0]) + e(x[1])) ** 2
    return mp.matrix([[q, -q], [-q, q]])


claim(P, "M3", lambda p: (hess_lse(p["x"]), m3(p["x"])), {"x": vector(2)})

# stan_log_softmax --------------------------------------------------------------------------
P = "stan_log_softmax"
claim(P, "L1", lambda p: ([mp.log(s) for s in softmax(p["y"])],
                          [v - lse(p["y"]) for v in p["y"]], [v - lse(p["y"]) for v in p["y"]]),
      {"y": vector(C)})


def stan_cases(p: Any) -> Any:
    m, k = p["mk"]
    s = softmax(p["y"])
    return 1 - s[m] if m == k else s[m]


claim(P, "L2", lambda p: (dp(p["y"], p["mk"][1], p["mk"][0]), stan_cases(p)),
      {"y": vector(C), "mk": pick(None)}, witness={"y": [0, 0, 0], "mk": (0, 0)},
      why="∂softmax_1/∂y_1 = 2/9 at y = 0, the page gives 2/3")

# dsse64746_softmax_chain -------------------------------------------------------------------
P = "dsse64746_softmax_chain"
T2 = [0, 1]


def ce2(z: list[Any]) -> Any:
    return -mp.fsum(T2[i] * mp.log(softmax(z)[i]) for i in range(2))


claim(P, "X1", lambda p: ([grad(ce2, p["z"], k) for k in range(2)],
                          [grad(lambda v: -mp.fsum(T2[i] * mp.log(softmax(v)[i])
                                                   for i in range(2)), p["z"], k)
                           for k in range(2)],
                          [s - t for s, t in zip(softmax(p["z"]), T2, strict=True)]),
      {"z": vector(2)})
claim(P, "X3", lambda p: ([s - t for s, t in zip(softmax([mp.mpf(1.75)] * 2), T2, strict=True)],
                          [mp.mpf(0.5), mp.mpf(-0.5)]), {})
A2 = [mp.mpf(0.5), mp.mpf(0.5)]
claim(P, "X4", lambda p: ([grad(lambda a: -mp.fsum(T2[i] * mp.log(a[i]) for i in range(2)), A2, k)
                           for k in range(2)],
                          [-T2[i] / A2[i] for i in range(2)], [0, -2]), {})
claim(P, "X5", lambda p: (mp.matrix([[dp(p["z"], i, k) for k in range(2)] for i in range(2)]),
                          mp.matrix([[p["z"][i] * (1 - p["z"][i]) if i == k
                                      else -p["z"][i] * p["z"][k] for k in range(2)]
                                     for i in range(2)])),
      {"z": vector(2)}, witness={"z": [mp.mpf(1.75), mp.mpf(1.75)]},
      why="the Jacobian's entries are A_i(1 − A_i), −A_iA_k, not Z_i(1 − Z_i), −Z_iZ_k")

# techqa2175340_softmax_zero: p = softmax(Wᵀx), W d×K (d = 2, K = 3) ------------------------
P = "techqa2175340_softmax_zero"
DD, K = 2, 3


def p_of(w: Any, x: Any) -> list[Any]:
    return softmax(entries(w.T * x))


def q1_sides(p: Any) -> tuple[Any, ...]:
    """The question's line read with ∂/∂w as ∂/∂w_a (a = the first class), entry l of x."""
    w, x, f = p["W"], p["x"], p["l"]
    z = entries(w.T * x)

    def pa(t: Any) -> Any:
        v = w.copy()
        v[f, 0] = t
        return p_of(v, x)[0]
    true = mp.diff(pa, w[f, 0])
    s = mp.fsum(e(v) for v in z)
    asked = (x[f] * e(z[0]) * s - e(z[0]) * mp.fsum(x[f] * e(v) for v in z)) / s ** 2
    return true, asked, 0


claim(P, "Q1", q1_sides, {"W": matrix(DD, K), "x": matrix(DD, 1), "l": choice(0, 1)},
      witness={"W": mp.matrix([[1, 0, 0], [0, 0, 0]]), "x": col([1, 0]), "l": 0},
      why="∂p(1)/∂w_11 = σ(1)(1 − σ(1))·... ≠ 0 at W = e_11, x = e_1")


def dp_dir(p: Any) -> Any:
    """dp: the derivative of p(W + t dW) at t = 0, entry by entry."""
    w, dw, x = p["W"], p["dW"], p["x"]
    return [mp.diff(lambda t, i=i: p_of(w + t * dw, x)[i], 0) for i in range(K)]


def parts(p: Any) -> dict[str, Any]:
    w, dw, x = p["W"], p["dW"], p["x"]
    z = w.T * x
    dz = dw.T * x
    ev = emap(e, z)
    u = col([1] * K)
    ue = (u.T * ev)[0, 0]
    de = hadamard(ev, dz)
    pv = ev / ue
    return {"z": z, "dz": dz, "e": ev, "u": u, "ue": ue, "de": de, "p": pv, "x": x, "dW": dw}


def g1(p: Any) -> Any:
    q = parts(p)
    return q["de"] / q["ue"] - q["e"] * (q["u"].T * q["de"])[0, 0] / q["ue"] ** 2


def g2(p: Any) -> Any:
    q = parts(p)
    return hadamard(q["e"], q["dz"]) / q["ue"] \
        - q["p"] * (q["u"].T * hadamard(q["e"], q["dz"]))[0, 0] / q["ue"]


def g3(p: Any) -> Any:
    q = parts(p)
    return hadamard(q["p"], q["dz"]) - q["p"] * (q["p"].T * q["dz"])[0, 0]


def g4(p: Any) -> Any:
    q = parts(p)
    return (diag(entries(q["p"])) - q["p"] * q["p"].T) * q["dz"]


def g6(p: Any) -> Any:
    q = parts(p)
    return (diag(entries(q["p"])) - q["p"] * q["p"].T) * q["dW"].T * q["x"]


chain(P, ["G1", "G2", "G3", "G4", "G5", "G6"], [
    lambda p: col(dp_dir(p)), g1, g2, g3, g4, g4, g6,
], {"W": matrix(DD, K), "dW": matrix(DD, K), "x": matrix(DD, 1)})

# aise35741_softmax_backprop: E = -Σ Y ⊙ log softmax_rows(X), n = 2, c = 3 -------------------
P = "aise35741_softmax_backprop"
N2 = 2


def e_cost(x: Any, y: Any) -> Any:
    out = mp.mpf(0)
    for i in range(N2):
        s = softmax([x[i, j] for j in range(C)])
        out -= mp.fsum(y[i, j] * mp.log(s[j]) for j in range(C))
    return out


def e_of_yhat(yhat: Any, y: Any) -> Any:
    return -mp.fsum(y[i, j] * mp.log(yhat[i, j]) for i in range(N2) for j in range(C))


def yhat_of(x: Any) -> Any:
    return mp.matrix([softmax([x[i, j] for j in range(C)]) for i in range(N2)])


AD = {"X": matrix(N2, C), "Y": matrix(N2, C, LABEL)}
claim(P, "E1", lambda p: (mgrad(lambda yh: e_of_yhat(yh, p["Y"]), yhat_of(p["X"])),
                          mp.matrix([[-p["Y"][i, j] / yhat_of(p["X"])[i, j] for j in range(C)]
                                     for i in range(N2)])), AD)


def e3_rhs(p: Any) -> Any:
    yh = yhat_of(p["X"])
    g = mgrad(lambda m: e_of_yhat(m, p["Y"]), yh)
    out = mp.matrix(N2, C)
    for i in range(N2):
        xi_ = [p["X"][i, j] for j in range(C)]
        for j in range(C):
            out[i, j] = mp.fsum(g[i, k] * dp(xi_, k, j) for k in range(C))
    return out


claim(P, "E3", lambda p: (mgrad(lambda m: e_cost(m, p["Y"]), p["X"]), e3_rhs(p)), AD)
