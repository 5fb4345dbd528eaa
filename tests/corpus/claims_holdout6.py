"""Truth of the sixth held-out set (HOLDOUT6): posts added after the fifth holdout.

Classes, examples, features and entries are counted from 0 here (the posts count from 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp

from .mathtools import (
    LABEL,
    POS,
    REAL,
    chain,
    claim,
    d,
    delta,
    e,
    grad,
    ln,
    matrix,
    mgrad,
    mm,
    onehot,
    positive,
    sig,
    softmax,
    vector,
)

X = {"x": REAL}


def pairs(n: int, equal: bool | None = None) -> Callable[[Any], tuple[int, int]]:
    """A pair of indices (i, j) in 0 … n − 1: any, equal, or different."""
    def draw(r: Any) -> tuple[int, int]:
        while True:
            i, j = r.randrange(n), r.randrange(n)
            if equal is None or (i == j) == equal:
                return i, j
    return draw


def index(n: int) -> Callable[[Any], int]:
    return lambda r: r.randrange(n)


def dot(u: list[Any], v: list[Any]) -> Any:
    return mp.fsum(a * b for a, b in zip(u, v, strict=True))


def norm(u: list[Any]) -> Any:
    return mp.sqrt(dot(u, u))


# dlai736960_reg_kronecker: J_reg = (λ/2m) Σ_j w_j², ω is w; repeated indices summed ----------
P = "dlai736960_reg_kronecker"
NR = 3
RG = {"w": vector(NR), "lam": POS, "m": POS, "j": index(NR)}
RG_WITNESS = {"w": [1, 1, 1], "lam": 1, "m": 1, "j": 0}


def j_reg(p: Any, w: list[Any]) -> Any:
    return p["lam"] / (2 * p["m"]) * mp.fsum(v ** 2 for v in w)


def by_w(p: Any, f: Callable[[list[Any]], Any], k: int | None = None) -> Any:
    """∂f/∂w_k (w_j when k is None)."""
    return grad(f, p["w"], p["j"] if k is None else k)


def sq_sum(w: list[Any]) -> Any:
    return mp.fsum(v ** 2 for v in w)


def delta_form(w: list[Any]) -> Any:
    """δ_ik ω_i ω_k, summed over i and k."""
    return mp.fsum(delta(i, k) * w[i] * w[k] for i in range(NR) for k in range(NR))


def dw_i_dw_j(p: Any, i: int) -> Any:
    """∂ω_i/∂ω_j."""
    return by_w(p, lambda w, i=i: w[i])


def r6(p: Any) -> Any:
    w = p["w"]
    return mp.fsum(delta(i, k) * (dw_i_dw_j(p, i) * w[k] + w[i] * dw_i_dw_j(p, k))
                   for i in range(NR) for k in range(NR))


def r8(p: Any) -> Any:
    w, j = p["w"], p["j"]
    return mp.fsum(delta(i, k) * (delta(i, j) * w[k] + w[i] * delta(k, j))
                   for i in range(NR) for k in range(NR))


def r9(p: Any) -> Any:
    w, j = p["w"], p["j"]
    return (mp.fsum(delta(i, k) * delta(i, j) * w[k] for i in range(NR) for k in range(NR))
            + mp.fsum(delta(i, k) * delta(k, j) * w[i] for i in range(NR) for k in range(NR)))


claim(P, "R1", lambda p: (by_w(p, lambda w: j_reg(p, w)), NR * p["lam"] / p["m"] * p["w"][p["j"]]),
      RG, witness=RG_WITNESS,
      why="n = 3, λ = m = 1, w = (1, 1, 1): ∂J_reg/∂w_1 = 1, the line 3")
claim(P, "R2", lambda p: (by_w(p, sq_sum), by_w(p, delta_form)), RG)
claim(P, "R3", lambda p: (mp.fsum(p["x"][i] * p["y"][i] for i in range(NR)),
                          mp.fsum(delta(i, j) * p["x"][i] * p["y"][j]
                                  for i in range(NR) for j in range(NR))),
      {"x": vector(NR), "y": vector(NR)})
claim(P, "R4", lambda p: (sq_sum(p["w"]),
                          mp.fsum(p["w"][i] * p["w"][k] for k in range(NR) for i in range(NR)
                                  if i == k),
                          delta_form(p["w"])), RG)
claim(P, "R5", lambda p: (by_w(p, delta_form),
                          mp.fsum(delta(i, k) * by_w(p, lambda w, i=i, k=k: w[i] * w[k])
                                  for i in range(NR) for k in range(NR))), RG)
claim(P, "R6", lambda p: (mp.fsum(delta(i, k) * by_w(p, lambda w, i=i, k=k: w[i] * w[k])
                                  for i in range(NR) for k in range(NR)), r6(p)), RG)
claim(P, "R7", lambda p: (grad(lambda w: w[p["ab"][0]], p["w"], p["ab"][1]), delta(*p["ab"])),
      {"w": vector(NR), "ab": pairs(NR)})
claim(P, "R8", lambda p: (r6(p), r8(p)), RG)
claim(P, "R9", lambda p: (r8(p), r9(p)), RG)
claim(P, "R10", lambda p: (mp.fsum(delta(p["ab"][0], g) * delta(g, p["ab"][1]) for g in range(NR)),
                           NR * delta(*p["ab"])),
      {"ab": pairs(NR)}, witness={"ab": (0, 0)},
      why="n = 3, α = β = 1: Σ_γ δ_1γ δ_γ1 = 1, the line 3")
claim(P, "R11", lambda p: (delta(*p["ab"]), delta(p["ab"][1], p["ab"][0])), {"ab": pairs(NR)})


def a_half(p: Any) -> Any:
    return p["lam"] / (2 * p["m"])


claim(P, "A1", lambda p: (by_w(p, lambda w: j_reg(p, w)),
                          a_half(p) * by_w(p, sq_sum),
                          a_half(p) * by_w(p, sq_sum),
                          a_half(p) * mp.fsum(by_w(p, lambda w, k=k: w[k] ** 2)
                                              for k in range(NR))), RG)
claim(P, "A2", lambda p: (a_half(p) * mp.fsum(by_w(p, lambda w, k=k: w[k] ** 2)
                                              for k in range(NR)),
                          a_half(p) * mp.fsum(by_w(p, lambda w, k=k: w[k] ** 2)
                                              for k in range(NR))), RG)
claim(P, "A3", lambda p: (a_half(p) * mp.fsum(by_w(p, lambda w, k=k: w[k] ** 2)
                                              for k in range(NR)),
                          a_half(p) * mp.fsum(2 * p["w"][k] if k == p["j"] else 0
                                              for k in range(NR)),
                          p["lam"] / p["m"] * p["w"][p["j"]]), RG)

# statsse510197_softmax_jacobian: z = softmax(a), L = −Σ_k y_k log z_k, K = 4 ------------------
P = "statsse510197_softmax_jacobian"
KS = 4
SJ = {"a": vector(KS), "y": onehot(KS)}
SJ_WITNESS = {"a": [0, 1, 0, 0], "y": [0, 0, 0, 1]}


def zs(p: Any) -> list[Any]:
    return softmax(p["a"])


def loss_z(p: Any, z: list[Any]) -> Any:
    return -mp.fsum(ln(z[k]) * p["y"][k] for k in range(KS))


def dz(p: Any, i: int, j: int) -> Any:
    """∂z_i/∂a_j."""
    return grad(lambda a: softmax(a)[i], p["a"], j)


def dl_dz(p: Any, k: int) -> Any:
    """∂L/∂z_k, L a function of the z's."""
    return grad(lambda z: loss_z(p, z), zs(p), k)


def dl_da(p: Any, i: int) -> Any:
    return grad(lambda a: loss_z(p, softmax(a)), p["a"], i)


def s5(p: Any) -> Any:
    """Terms for 1, 2 and 3, then the last with ∂z_2/∂a_1."""
    first = mp.fsum(dl_dz(p, k) * dz(p, k, 0) for k in range(KS - 1))
    return first + dl_dz(p, KS - 1) * dz(p, 1, 0)


def s6(p: Any) -> Any:
    z, y = zs(p), p["y"]
    return (-(y[0] / z[0]) * (z[0] - y[0])
            - mp.fsum(y[k] / z[k] * (-z[k] * z[0]) for k in range(1, KS)))


def s7(p: Any) -> Any:
    z, y = zs(p), p["y"]
    return -y[0] + y[0] ** 2 / z[0] + mp.fsum(y[k] * z[0] for k in range(1, KS))


claim(P, "S1", lambda p: ([dl_dz(p, k) for k in range(KS)], [dl_dz(p, k) for k in range(KS)],
                          [-p["y"][k] / zs(p)[k] for k in range(KS)]), SJ)
claim(P, "S2", lambda p: (dz(p, *p["ij"]), zs(p)[p["ij"][0]] - p["y"][p["ij"][0]]),
      {"a": vector(KS), "y": onehot(KS), "ij": pairs(KS, True)},
      witness={"a": [0, 0, 0, 0], "y": [1, 0, 0, 0], "ij": (0, 0)},
      why="a = 0 (z = 1/4 each), y = e_1: ∂z_1/∂a_1 = 3/16, the line z_1 − y_1 = −3/4")
claim(P, "S3", lambda p: (dz(p, *p["ij"]), -zs(p)[p["ij"][1]] * zs(p)[p["ij"][0]]),
      {"a": vector(KS), "ij": pairs(KS, False)})
claim(P, "S4", lambda p: (dl_da(p, p["i"]), zs(p)[p["i"]] - p["y"][p["i"]]),
      {"a": vector(KS), "y": onehot(KS), "i": index(KS)})
claim(P, "S5", lambda p: (dl_da(p, 0), s5(p)), SJ, witness=SJ_WITNESS,
      why="a = (0, 1, 0, 0), y = e_4: ∂L/∂a_1 = z_1 = 0.1749, the line e·z_1 = 0.4754")
claim(P, "S6", lambda p: (s5(p), s6(p)), SJ, witness=SJ_WITNESS,
      why="a = (0, 1, 0, 0), y = e_4: the line before is 0.4754, this one z_1 = 0.1749")
claim(P, "S7", lambda p: (s6(p), s7(p)), SJ)

# mse1923613_cossim_partial: cossim(a, b) = a·b/(|a||b|), by a_1; n = 3 -------------------------
P = "mse1923613_cossim_partial"
NC = 3
CS = {"a": vector(NC), "b": vector(NC)}


def cossim(a: list[Any], b: list[Any]) -> Any:
    return dot(a, b) / (norm(a) * norm(b))


def by_a1(p: Any, f: Callable[[list[Any]], Any]) -> Any:
    return grad(f, p["a"], 0)


def c3(p: Any) -> Any:
    a, b = p["a"], p["b"]
    s = dot(a, a)
    return b[0] * s ** mp.mpf(-0.5) / norm(b) - a[0] ** 2 * b[0] * s ** mp.mpf(-1.5) / norm(b)


def c4(p: Any) -> Any:
    a, b = p["a"], p["b"]
    na, nb = norm(a), norm(b)
    return b[0] / (na * nb) - a[0] * na ** -2 * a[0] * b[0] / (na * nb)


def c5(p: Any) -> Any:
    a, b = p["a"], p["b"]
    na, nb = norm(a), norm(b)
    return b[0] / (na * nb) - a[0] * b[0] / (na * nb) * (a[0] / na ** 2)


def c6(p: Any) -> Any:
    a, b = p["a"], p["b"]
    na, nb = norm(a), norm(b)
    return b[0] / (na * nb) - cossim(a, b) * a[0] / na ** 2


def first_term_only(p: Any, a: list[Any]) -> Any:
    """a_1 b_1 (a_1² + … + a_n²)^{−1/2} |b|^{−1}."""
    return a[0] * p["b"][0] * dot(a, a) ** mp.mpf(-0.5) / norm(p["b"])


chain(P, ["C1", "C2", "C3", "C4", "C5"], [
    lambda p: by_a1(p, lambda a: cossim(a, p["b"])),
    lambda p: by_a1(p, lambda a: dot(a, p["b"]) / (norm(a) * norm(p["b"]))),
    lambda p: by_a1(p, lambda a: first_term_only(p, a)),
    c3, c4, c5,
], CS, false={"C2": {"a": [1, 1, 0], "b": [0, 1, 0]}},
    why="a = (1, 1, 0), b = (0, 1, 0): ∂cossim/∂a_1 = −0.3536, the line 0")
claim(P, "C6", lambda p: (by_a1(p, lambda a: cossim(a, p["b"])), c6(p)), CS)

VW = {"v": vector(NC), "w": vector(NC), "dv": vector(NC)}


def vplus(p: Any) -> list[Any]:
    return [a + b for a, b in zip(p["v"], p["dv"], strict=True)]


claim(P, "A1", lambda p: (cossim(vplus(p), p["w"]),
                          (dot(p["v"], p["w"]) + dot(p["dv"], p["w"]))
                          / (norm(vplus(p)) * norm(p["w"]))), VW)
claim(P, "A2", lambda p: (norm(vplus(p)), mp.sqrt(dot(vplus(p), vplus(p))),
                          mp.sqrt(dot(p["v"], p["v"]) + dot(p["dv"], p["dv"])
                                  + 2 * dot(p["v"], p["dv"]))), VW)
claim(P, "A3", lambda p: (mp.sqrt(dot(p["v"], p["v"]) + dot(p["dv"], p["dv"])
                                  + 2 * dot(p["v"], p["dv"])),
                          norm(p["v"]) * mp.sqrt(1 + 2 * dot(p["v"], p["dv"]) / norm(p["v"]) ** 2
                                                 + dot(p["dv"], p["dv"]) / norm(p["v"]) ** 2)),
      VW)

# mse1874672_cossim_sign: cos = v_i·v_j/(|v_i||v_j|), the gradient by v_i ---------------------
P = "mse1874672_cossim_sign"


def cos_grad(p: Any) -> list[Any]:
    return [grad(lambda u: cossim(u, p["vj"]), p["vi"], k) for k in range(NC)]


def quoted(p: Any) -> list[Any]:
    vi, vj = p["vi"], p["vj"]
    c = cossim(vi, vj)
    return [c * vi[k] / norm(vi) ** 2 + vj[k] / (norm(vi) * norm(vj)) for k in range(NC)]


claim(P, "V1", lambda p: (cos_grad(p), quoted(p)), {"vi": vector(NC), "vj": vector(NC)},
      witness={"vi": [1, 0, 0], "vj": [1, 1, 0]},
      why="v_i = (1, 0, 0), v_j = (1, 1, 0): the gradient is (0, 0.7071, 0), "
          "the line (1.4142, 0.7071, 0)")

# techqa3400818_softmax_dims: ŷ = softmax(hU + b_2), rows; read at H = 4, C = 3 -----------------
P = "techqa3400818_softmax_dims"
HS, CD = 4, 3
SD = {"h": matrix(1, HS), "U": matrix(HS, CD), "b": matrix(1, CD), "y": onehot(CD)}


def scores(p: Any, b: Any) -> Any:
    return mm(p["h"], p["U"]) + b


def ce(p: Any, b: Any) -> Any:
    s = scores(p, b)
    q = softmax([s[0, k] for k in range(CD)])
    return -mp.fsum(p["y"][k] * ln(q[k]) for k in range(CD))


def resid(p: Any) -> Any:
    s = scores(p, p["b"])
    q = softmax([s[0, k] for k in range(CD)])
    return mp.matrix([[q[k] - p["y"][k] for k in range(CD)]])


claim(P, "G1", lambda p: (mgrad(lambda u: ce({**p, "U": u}, p["b"]), p["U"]), mm(resid(p), p["h"])),
      SD, witness={"h": mp.matrix([[1, 0, 0, 0]]), "U": mp.zeros(HS, CD), "b": mp.zeros(1, CD),
                   "y": [1, 0, 0]},
      illformed=True, why="softmax(hU + b_2) − y is 1×3 and h is 1×4: the product does not conform")
claim(P, "G2", lambda p: (mgrad(lambda b: ce(p, b), p["b"]), resid(p)), SD)

# blatherstrike_softmax: S_i = e^{a_i}/Σ_k e^{a_k}, C = 3 ---------------------------------------
P = "blatherstrike_softmax"
CB = 3


def denom(a: list[Any]) -> Any:
    return mp.fsum(e(v) for v in a)


def ds_da(p: Any, i: int, j: int) -> Any:
    return grad(lambda a: softmax(a)[i], p["a"], j)


claim(P, "B2", lambda p: (ds_da(p, p["i"], p["i"]),
                          (e(p["a"][p["i"]]) * denom(p["a"]) - e(p["a"][p["i"]]) ** 2)
                          / denom(p["a"]) ** 2,
                          softmax(p["a"])[p["i"]] * (1 - softmax(p["a"])[p["i"]])),
      {"a": vector(CB), "i": index(CB)})
claim(P, "B3", lambda p: (ds_da(p, *p["ij"]),
                          (0 * denom(p["a"]) - e(p["a"][p["ij"][0]]) * e(p["a"][p["ij"][0]]))
                          / denom(p["a"]) ** 2,
                          -softmax(p["a"])[p["ij"][0]] * softmax(p["a"])[p["ij"][1]]),
      {"a": vector(CB), "ij": pairs(CB, False)},
      witness={"a": [0, 1, 0], "ij": (0, 1)},
      why="a = (0, 1, 0), i = 1, j = 2: ∂S_1/∂a_2 = −0.1221, the middle side −S_1² = −0.0449")

# raschka_mse_derivative: E = (1/2n) Σ (t_i − o_i)², o_i = φ(net_i), net_i = Σ_k w_k x_ik ------
P = "raschka_mse_derivative"
NE, DE = 3, 2
ME = {"w": vector(DE), "X": matrix(NE, DE), "t": vector(NE), "j": index(DE)}


def phi(v: Any) -> Any:
    """An activation (any differentiable one: the claims hold for each)."""
    return mp.tanh(v) + v / 3


def net(p: Any, w: list[Any], i: int) -> Any:
    return mp.fsum(w[k] * p["X"][i, k] for k in range(DE))


def out(p: Any, w: list[Any], i: int) -> Any:
    return phi(net(p, w, i))


def err(p: Any, w: list[Any]) -> Any:
    return mp.fsum((p["t"][i] - out(p, w, i)) ** 2 for i in range(NE)) / (2 * NE)


def by_wj(p: Any, f: Callable[[list[Any]], Any]) -> Any:
    return grad(f, p["w"], p["j"])


def resid_e(p: Any, i: int) -> Any:
    return p["t"][i] - out(p, p["w"], i)


def do_dw(p: Any, i: int) -> Any:
    return by_wj(p, lambda w: out(p, w, i))


chain(P, ["E1", "E2", "E3", "E4", "E5"], [
    lambda p: by_wj(p, lambda w: err(p, w)),
    lambda p: by_wj(p, lambda w: err(p, w)),
    lambda p: mp.fsum(by_wj(p, lambda w, i=i: (p["t"][i] - out(p, w, i)) ** 2)
                      for i in range(NE)) / (2 * NE),
    lambda p: mp.fsum(2 * resid_e(p, i) * by_wj(p, lambda w, i=i: p["t"][i] - out(p, w, i))
                      for i in range(NE)) / (2 * NE),
    lambda p: mp.fsum(resid_e(p, i) * (0 - do_dw(p, i)) for i in range(NE)) / NE,
    lambda p: -mp.fsum(resid_e(p, i) * do_dw(p, i) for i in range(NE)) / NE,
], ME)
claim(P, "F1", lambda p: (by_wj(p, lambda w: err(p, w)),
                          -mp.fsum(resid_e(p, i) * do_dw(p, i) for i in range(NE)) / NE), ME)
claim(P, "F2", lambda p: (-mp.fsum(resid_e(p, i) * do_dw(p, i) for i in range(NE)) / NE,
                          -mp.fsum(resid_e(p, i) * d(phi, net(p, p["w"], i)) * p["X"][i, p["j"]]
                                   for i in range(NE)) / NE), ME)

# techqa4064289_cost_expansion: a 2–3–2 sigmoid network, Cost = (a_4 − t_1)² + (a_5 − t_2)² ------
P = "techqa4064289_cost_expansion"
NAMES = ["x1", "x2", "t1", "t2", *(f"m{k}" for k in range(1, 13)), *(f"b{k}" for k in range(1, 6))]
NET = {name: REAL for name in NAMES}
NET_WITNESS = {name: 0 for name in NAMES} | {"m8": 1, "b2": 2}


def units(q: Any) -> dict[str, Any]:
    a1 = sig(q["m1"] * q["x1"] + q["m2"] * q["x2"] + q["b1"])
    a2 = sig(q["m3"] * q["x1"] + q["m4"] * q["x2"] + q["b2"])
    a3 = sig(q["m5"] * q["x1"] + q["m6"] * q["x2"] + q["b3"])
    a4 = sig(q["m7"] * a1 + q["m8"] * a2 + q["m9"] * a3 + q["b4"])
    a5 = sig(q["m10"] * a1 + q["m11"] * a2 + q["m12"] * a3 + q["b5"])
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5}


def cost(q: Any) -> Any:
    u = units(q)
    return (u["a4"] - q["t1"]) ** 2 + (u["a5"] - q["t2"]) ** 2


def cost_c1(q: Any) -> Any:
    u = units(q)
    a4 = sig(q["m7"] * u["a1"] + q["m8"] * u["a2"] + q["m9"] * u["a3"] + q["b4"])
    a5 = sig(q["m10"] * u["a1"] + q["m11"] * u["a2"] + q["m12"] * u["a3"] + q["b5"])
    return (a4 - q["t1"]) ** 2 + (a5 - q["t2"]) ** 2


def cost_c2(q: Any) -> Any:
    """The line as written: b_1 where a_2 has b_2."""
    a1 = sig(q["m1"] * q["x1"] + q["m2"] * q["x2"] + q["b1"])
    a2w = sig(q["m3"] * q["x1"] + q["m4"] * q["x2"] + q["b1"])
    a3 = sig(q["m5"] * q["x1"] + q["m6"] * q["x2"] + q["b3"])
    return ((sig(q["m7"] * a1 + q["m8"] * a2w + q["m9"] * a3 + q["b4"]) - q["t1"]) ** 2
            + (sig(q["m10"] * a1 + q["m11"] * a2w + q["m12"] * a3 + q["b5"]) - q["t2"]) ** 2)


def by(q: Any, name: str) -> Any:
    return mp.diff(lambda v: cost({**q, name: v}), q[name])


def dm7(q: Any) -> Any:
    u = units(q)
    return 2 * (u["a4"] - q["t1"]) * (u["a4"] * (1 - u["a4"])) * u["a1"]


def dm10(q: Any) -> Any:
    u = units(q)
    return 2 * (u["a5"] - q["t2"]) * (u["a5"] * (1 - u["a5"])) * u["a1"]


def dm1(q: Any) -> Any:
    u = units(q)
    a1, a4, a5 = u["a1"], u["a4"], u["a5"]
    return (2 * (a4 - q["t1"]) * (a4 * (1 - a4)) * q["m7"] * (a1 * (1 - a1)) * q["x1"]
            + 2 * (a5 - q["t2"]) * (a5 * (1 - a5)) * q["m10"] * (a1 * (1 - a1)) * q["x1"])


def dm1_rewritten(q: Any) -> Any:
    a1 = units(q)["a1"]
    return (a1 * (1 - a1)) * q["x1"] / a1 * (by(q, "m7") * q["m7"] + by(q, "m10") * q["m10"])


claim(P, "F1", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)
claim(P, "C1", lambda q: (cost(q), cost_c1(q)), NET)
claim(P, "C2", lambda q: (cost(q), cost_c2(q)), NET, witness=NET_WITNESS,
      why="m_8 = 1, b_2 = 2, every other value 0: Cost = 0.7498, the line 0.6375")
claim(P, "D1", lambda q: (by(q, "m7"), dm7(q)), NET)
claim(P, "D2", lambda q: (by(q, "m10"), dm10(q)), NET)
claim(P, "D3", lambda q: (by(q, "m1"), dm1(q)), NET)
claim(P, "D4", lambda q: (by(q, "m1"), dm1_rewritten(q)), NET)

# statsse652377_gaussian_sign: ŷ = N(x; μ, σ²), loss (y − ŷ)² ------------------------------------
P = "statsse652377_gaussian_sign"


def density(x: Any, m: Any, s: Any) -> Any:
    return mp.exp(-(x - m) ** 2 / (2 * s ** 2)) / mp.sqrt(2 * mp.pi * s ** 2)


def sq_loss(p: Any, m: Any) -> Any:
    return (p["y"] - density(p["x"], m, p["s"])) ** 2


def grad_mu_line(p: Any) -> Any:
    x, m, s = p["x"], p["mu"], p["s"]
    yh = density(x, m, s)
    return (2 * (p["y"] - yh) * ((x - m) * mp.exp(-(x - m) ** 2 / (2 * s ** 2)))
            / (s ** 2 * mp.sqrt(2 * mp.pi * s ** 2)))


claim(P, "G1", lambda p: (mp.diff(lambda m: sq_loss(p, m), p["mu"]), grad_mu_line(p)),
      {"x": REAL, "y": REAL, "mu": REAL, "s": positive(0.3, 2.5)},
      witness={"x": 1, "y": 1, "mu": 0, "s": 1},
      why="x = 1, μ = 0, σ = 1, y = 1: ∂(y − ŷ)²/∂μ = −0.3668, the line 0.3668")

# niaza64_bce_chain: z = ax + b, ŷ = σ(z), BCE = −[y log ŷ + (1 − y) log(1 − ŷ)] -----------------
P = "niaza64_bce_chain"
BC = {"x": REAL, "y": LABEL, "a": REAL, "b": REAL}


def yhat(p: Any) -> Any:
    return sig(p["a"] * p["x"] + p["b"])


def bce_of(p: Any, q: Any) -> Any:
    """BCE as a function of ŷ = q."""
    return -(p["y"] * ln(q) + (1 - p["y"]) * ln(1 - q))


def bce_ab(p: Any, a: Any, b: Any) -> Any:
    return bce_of(p, sig(a * p["x"] + b))


def dbce_da(p: Any) -> Any:
    return mp.diff(lambda a: bce_ab(p, a, p["b"]), p["a"])


def dbce_dyhat(p: Any) -> Any:
    return mp.diff(lambda q: bce_of(p, q), yhat(p))


claim(P, "N4", lambda p: (dbce_da(p), dbce_dyhat(p) * d(sig, p["a"] * p["x"] + p["b"]) * p["x"]),
      BC)
claim(P, "N5", lambda p: (mp.diff(lambda a: a * p["x"] + p["b"], p["a"]), p["x"]), BC)
claim(P, "N6", lambda p: (d(sig, p["a"] * p["x"] + p["b"]), yhat(p) * (1 - yhat(p))), BC)
chain(P, ["N7", "N8", "N9", "N10", "N11", "N12"], [
    dbce_dyhat,
    lambda p: -(p["y"] / yhat(p) + (1 - p["y"]) * (1 / (1 - yhat(p))) * (-1)),
    lambda p: -(p["y"] / yhat(p) - (1 - p["y"]) / (1 - yhat(p))),
    lambda p: -(p["y"] * (1 - yhat(p)) - (1 - p["y"]) * yhat(p)) / (yhat(p) * (1 - yhat(p))),
    lambda p: -(p["y"] - p["y"] * yhat(p) - yhat(p) + p["y"] * yhat(p))
    / (yhat(p) * (1 - yhat(p))),
    lambda p: -(p["y"] - yhat(p)) / (yhat(p) * (1 - yhat(p))),
    lambda p: (yhat(p) - p["y"]) / (yhat(p) * (1 - yhat(p))),
], BC)
claim(P, "N13", lambda p: (dbce_dyhat(p), (yhat(p) - p["y"]) / (yhat(p) * (1 - yhat(p)))), BC)
claim(P, "N14", lambda p: (dbce_da(p), (yhat(p) - p["y"]) / (yhat(p) * (1 - yhat(p)))
                           * (yhat(p) * (1 - yhat(p))) * p["x"]), BC)
claim(P, "N15", lambda p: (dbce_da(p), (yhat(p) - p["y"]) * p["x"]), BC)
MB = 3


def bce_sum(p: Any, a: Any) -> Any:
    return mp.fsum(-(p["ys"][i] * ln(sig(a * p["xs"][i] + p["b"]))
                     + (1 - p["ys"][i]) * ln(1 - sig(a * p["xs"][i] + p["b"])))
                   for i in range(MB))


claim(P, "N16", lambda p: (mp.diff(lambda a: bce_sum(p, a), p["a"]),
                           mp.fsum(p["xs"][i] * (sig(p["a"] * p["xs"][i] + p["b"]) - p["ys"][i])
                                   for i in range(MB))),
      {"xs": vector(MB), "ys": vector(MB, LABEL), "a": REAL, "b": REAL})
claim(P, "N17", lambda p: (mp.diff(lambda b: bce_ab(p, p["a"], b), p["b"]),
                           (yhat(p) - p["y"]) * 1, yhat(p) - p["y"]), BC)

# commres_residual_chain: one example, ŷ = a + bx, residual = y − ŷ ----------------------------
P = "commres_residual_chain"
RR = {"a": REAL, "b": REAL, "x": REAL, "y": REAL}


def residual(p: Any, a: Any) -> Any:
    return p["y"] - (a + p["b"] * p["x"])


def ssr(p: Any, a: Any) -> Any:
    return residual(p, a) ** 2


def res(p: Any) -> Any:
    return residual(p, p["a"])


def dres_da(p: Any) -> Any:
    return mp.diff(lambda a: residual(p, a), p["a"])


claim(P, "G2", lambda p: (res(p) ** 2, p["y"] - (p["a"] + p["b"] * p["x"])), RR,
      witness={"a": 0, "b": 0, "x": 0, "y": 2},
      why="y = 2, a = b = x = 0: the residual's square is 4, the line 2")
claim(P, "G3", lambda p: (res(p) ** 2, (p["y"] - (p["a"] + p["b"] * p["x"])) ** 2), RR)
claim(P, "I3", lambda p: (ssr(p, p["a"]), res(p) ** 2,
                          (p["y"] - (p["a"] + p["b"] * p["x"])) ** 2), RR)
chain(P, ["I4", "I5", "I6", "I7", "I8", "I9", "I10"], [
    lambda p: mp.diff(lambda a: ssr(p, a), p["a"]),
    lambda p: mp.diff(lambda r: r ** 2, res(p)) * dres_da(p),
    lambda p: (2 * res(p)) * dres_da(p),
    lambda p: (2 * res(p)) * mp.diff(lambda a: p["y"] - (a + p["b"] * p["x"]), p["a"]),
    lambda p: 2 * res(p) * -1,
    lambda p: -2 * res(p),
    lambda p: -2 * (p["y"] - (p["a"] + p["b"] * p["x"])),
    lambda p: -2 * (p["y"] - (p["a"] + p["b"] * p["x"])),
], RR)

# techqa3961889_mse_w1: mse = (1/n) Σ (y_i − ŷ_i)², ŷ_i = w_1 x_i1 + w_2 x_i2 + b; n = 3 -------
P = "techqa3961889_mse_w1"
NM = 3
MW = {"X": matrix(NM, 2), "y": vector(NM), "w": vector(2), "b": REAL}


def pred(p: Any, w: list[Any], i: int) -> Any:
    return w[0] * p["X"][i, 0] + w[1] * p["X"][i, 1] + p["b"]


def mse(p: Any, w: list[Any]) -> Any:
    return mp.fsum((p["y"][i] - pred(p, w, i)) ** 2 for i in range(NM)) / NM


def by_w1(p: Any, f: Callable[[list[Any]], Any]) -> Any:
    return grad(f, p["w"], 0)


def m4(p: Any) -> Any:
    return -2 * mp.fsum((p["y"][i] - pred(p, p["w"], i)) * p["X"][i, 0] for i in range(NM)) / NM


claim(P, "M2", lambda p: (by_w1(p, lambda w: mse(p, w)),
                          mp.fsum(by_w1(p, lambda w, i=i: (p["y"][i] - pred(p, w, i)) ** 2)
                                  for i in range(NM)) / NM), MW)
claim(P, "M3", lambda p: (by_w1(p, lambda w: mse(p, w)),
                          -2 * mp.fsum((p["y"][i] - pred(p, p["w"], i))
                                       * by_w1(p, lambda w, i=i: pred(p, w, i))
                                       for i in range(NM)) / NM), MW)
claim(P, "M4", lambda p: (by_w1(p, lambda w: mse(p, w)), m4(p)), MW)
claim(P, "M5", lambda p: (by_w1(p, lambda w: mse(p, w)), m4(p)), MW)

