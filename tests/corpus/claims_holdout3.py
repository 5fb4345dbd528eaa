"""Truth of the third held-out set (HOLDOUT3): posts added after the second holdout.

Classes, examples and entries are counted from 0 here (the posts count from 1).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import mpmath as mp

from .mathtools import (
    LABEL,
    REAL,
    SIGN,
    UNIT,
    chain,
    choice,
    claim,
    col,
    d,
    e,
    emap,
    grad,
    hadamard,
    ln,
    madd,
    matrix,
    mgrad,
    mm,
    real,
    row,
    sig,
    softmax,
    vector,
)


def dsig(x: Any) -> Any:
    """σ'(x) = σ(x)(1 − σ(x)), written out."""
    return sig(x) * (1 - sig(x))


X = {"x": REAL}

# mse3048198_backprop_chain: O = s(s(s(Iw1+1)w2+1)w4 + s(s(Iw1+1)w3+1)w5 + 1) -------------
P = "mse3048198_backprop_chain"
NW = {"I": REAL, "w": vector(5)}
HALF = mp.mpf("0.5")


def net_o(i: Any, w: list[Any]) -> Any:
    c = sig(i * w[0] + 1)
    return sig(sig(c * w[1] + 1) * w[3] + sig(c * w[2] + 1) * w[4] + 1)


def do_dw1(p: Any) -> Any:
    return d(lambda t: net_o(p["I"], [t, *p["w"][1:]]), p["w"][0])


def inner(p: Any) -> tuple[Any, Any, Any, Any]:
    """The arguments of the sigmoids: C = Iw1 + 1, B2, B3 and the output's A."""
    w = p["w"]
    c = p["I"] * w[0] + 1
    b2 = sig(c) * w[1] + 1
    b3 = sig(c) * w[2] + 1
    return c, b2, b3, sig(b2) * w[3] + sig(b3) * w[4] + 1


def asker(p: Any) -> Any:
    c, b2, b3, a = inner(p)
    return dsig(a) * (dsig(b2) * dsig(c) * p["I"] + dsig(b3) * dsig(c) * p["I"])


def answer(p: Any) -> Any:
    c, b2, b3, a = inner(p)
    w = p["w"]
    return dsig(a) * (w[3] * dsig(b2) * w[1] * dsig(c) * p["I"]
                      + w[4] * dsig(b3) * w[2] * dsig(c) * p["I"])


claim(P, "N3", lambda p: (do_dw1(p), asker(p)), NW,
      witness={"I": 1, "w": [HALF] * 5},
      why="at weights 0.5 and I = 1: ∂O/∂w1 = 0.001429, the asker's expression 0.005717")
claim(P, "N4", lambda p: (do_dw1(p), answer(p)), NW)

# techqa4075404_two_layer: ℓ(w) = Σ_i (y_i − σ(wᵀz_i))², z_i = (σ(αᵀx_i), σ(βᵀx_i)) ------------
P = "techqa4075404_two_layer"
M2 = 3
TL = {"X": matrix(M2, 2), "alpha": vector(2), "beta": vector(2), "w": vector(2),
      "y": vector(M2)}


def dot(a: list[Any], b: list[Any]) -> Any:
    return mp.fsum(u * v for u, v in zip(a, b, strict=True))


def hidden(p: Any, i: int) -> list[Any]:
    x = [p["X"][i, 0], p["X"][i, 1]]
    return [sig(dot(p["alpha"], x)), sig(dot(p["beta"], x))]


def ell(p: Any, w: list[Any]) -> Any:
    return mp.fsum((p["y"][i] - sig(dot(w, hidden(p, i)))) ** 2 for i in range(M2))


def grad_w(f: Callable[[list[Any]], Any], w: list[Any]) -> Any:
    return col([grad(f, w, k) for k in range(len(w))])


def ell_grad(p: Any) -> Any:
    return grad_w(lambda v: ell(p, v), p["w"])


def d_sig_wz(w: list[Any], z: list[Any]) -> Any:
    """D(σ(wᵀz)): the gradient by w, numerically."""
    return grad_w(lambda v: sig(dot(v, z)), w)


def sum_cols(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


claim(P, "Q3", lambda p: (ell_grad(p), sum_cols([
    col(hidden(p, i)) * (-2 * (p["y"][i] - sig(dot(p["w"], hidden(p, i))))
                         * dsig(dot(p["w"], hidden(p, i))))
    for i in range(M2)])), TL)
claim(P, "A1", lambda p: (ell_grad(p), sum_cols([
    d_sig_wz(p["w"], hidden(p, i)) * (2 * (p["y"][i] - sig(dot(p["w"], hidden(p, i)))))
    for i in range(M2)])), TL,
      witness={"X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "alpha": [1, 0], "beta": [0, 1],
               "w": [1, 1], "y": [1, 0, 1]},
      why="the derivative of (yⁱ − σ)² is −2(yⁱ − σ)D(σ): the right side is minus the gradient")
ZW = {"w": vector(2), "z": vector(2, UNIT)}
chain(P, ["A2", "A3"], [
    lambda p: d_sig_wz(p["w"], p["z"]),
    lambda p: grad_w(lambda v: dot(v, p["z"]), p["w"]) * dsig(dot(p["w"], p["z"])),
    lambda p: col(p["z"]) * (sig(dot(p["w"], p["z"])) * (1 - sig(dot(p["w"], p["z"])))),
], ZW)

# techqa4158072_chain_factor: Co = (a_L − y)², a_L = σ(w_L a_{L−1}), a_{L−1} = σ(w_{L−1} a_{L−2})
P = "techqa4158072_chain_factor"
CF = {"y": REAL, "wL": REAL, "wL1": REAL, "a2": REAL}


def co(y: Any, wl: Any, wl1: Any, a2: Any) -> Any:
    return (sig(wl * sig(wl1 * a2)) - y) ** 2


def a_l1(p: Any) -> Any:
    return sig(p["wL1"] * p["a2"])


def z_l(p: Any) -> Any:
    return p["wL"] * a_l1(p)


claim(P, "C5", lambda p: (d(lambda t: co(p["y"], t, p["wL1"], p["a2"]), p["wL"]),
                          a_l1(p) * d(sig, z_l(p)) * 2 * (sig(z_l(p)) - p["y"])), CF)
claim(P, "C6", lambda p: (d(lambda t: co(p["y"], p["wL"], t, p["a2"]), p["wL1"]),
                          p["a2"] * d(sig, p["wL1"] * p["a2"]) * d(sig, p["wL"] * a_l1(p))
                          * p["wL"]), CF,
      witness={"y": 0, "wL": 1, "wL1": 1, "a2": 1},
      why="the factor 2(a_L − y) = 1.35 at the witness is missing")

# statsse452162_logistic_vector: X is 3×2, w 2×1, s = σ(Xw) entry by entry -------------------
P = "statsse452162_logistic_vector"
NV, DV = 3, 2
LV = {"X": matrix(NV, DV), "w": matrix(DV, 1), "y": matrix(NV, 1, LABEL)}
LV_WITNESS = {"X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "w": mp.matrix([[0], [0]]),
              "y": mp.matrix([[1], [0], [1]])}


def s_of(p: Any, w: Any) -> Any:
    return emap(sig, mm(p["X"], w))


def ones(n: int) -> Any:
    return mp.matrix([[1] for _ in range(n)])


def dot_col(a: Any, b: Any) -> Any:
    return mp.fsum(a[j, 0] * b[j, 0] for j in range(a.rows))


def cost_j(p: Any, w: Any) -> Any:
    s = s_of(p, w)
    return (-dot_col(p["y"], emap(ln, s))
            - dot_col(ones(NV) - p["y"], emap(ln, ones(NV) - s)))


def jac_t(f: Callable[[Any], Any], w: Any) -> Any:
    """∇_w of a vector function f: the d×n matrix of ∂f_j/∂w_i."""
    n = f(w).rows
    out = mp.matrix(w.rows, n)
    for j in range(n):
        g = mgrad(lambda v, j=j: f(v)[j, 0], w)
        for i in range(w.rows):
            out[i, j] = g[i, 0]
    return out


def g_log_s(p: Any) -> Any:
    return jac_t(lambda v: emap(ln, s_of(p, v)), p["w"])


def g_log_1ms(p: Any) -> Any:
    return jac_t(lambda v: emap(ln, ones(NV) - s_of(p, v)), p["w"])


def grad_j(p: Any) -> Any:
    return mgrad(lambda v: cost_j(p, v), p["w"])


def l1_sides(p: Any) -> tuple[Any, ...]:
    w, y = p["w"], p["y"]
    s = s_of(p, w)
    zero = mp.zeros(DV, NV)  # ∇_w y and ∇_w (1 − y)
    first = (-1 * mgrad(lambda v: dot_col(y, emap(ln, s_of(p, v))), w)
             - mgrad(lambda v: dot_col(ones(NV) - y, emap(ln, ones(NV) - s_of(p, v))), w))
    second = (-1 * madd(mm(zero, emap(ln, s)), mm(g_log_s(p), y))
              - madd(mm(zero, emap(ln, ones(NV) - s)), mm(g_log_1ms(p), ones(NV) - y)))
    third = -1 * mm(g_log_s(p), y) - mm(g_log_1ms(p), ones(NV) - y)
    return grad_j(p), first, second, third


claim(P, "L1", l1_sides, LV)
claim(P, "L2", lambda p: (g_log_s(p), ones(NV) - s_of(p, p["w"])), LV,
      witness=LV_WITNESS, illformed=True,
      why="∇_w ln s(Xw) = Xᵀ diag(1 − s) is 2×3; 1 − s(Xw) is 3×1")
claim(P, "L3", lambda p: (grad_j(p),
                          madd(-1 * hadamard(ones(NV) - s_of(p, p["w"]), p["y"]),
                               hadamard(s_of(p, p["w"]), ones(NV) - p["y"])),
                          s_of(p, p["w"]) - p["y"]), LV,
      witness=LV_WITNESS, illformed=True,
      why="∇_w J = Xᵀ(s − y) is 2×1; the right sides are 3×1")

# statsse400514_logistic_pm1: l_i(β) = −log σ(y_i βᵀx_i), y_i ∈ {−1, 1} ----------------------
P = "statsse400514_logistic_pm1"
PM = {"beta": matrix(2, 1), "x": matrix(2, 1), "y": SIGN}


def bx(b: Any, x: Any) -> Any:
    return mm(b.T, x)[0, 0]


def l_i(p: Any, b: Any) -> Any:
    return -ln(sig(p["y"] * bx(b, p["x"])))


def g_li(p: Any) -> Any:
    return mgrad(lambda b: l_i(p, b), p["beta"])


def syz(p: Any) -> Any:
    return sig(p["y"] * bx(p["beta"], p["x"]))


claim(P, "P2", lambda p: (g_li(p), mgrad(lambda b: p["y"] * bx(b, p["x"]), p["beta"])
                          * (-1 / syz(p) * syz(p) * (1 - syz(p)))), PM)
claim(P, "P3", lambda p: (g_li(p), p["x"] * (-(1 - syz(p)) * p["y"])), PM)
claim(P, "P4", lambda p: (g_li(p), p["x"] * ((syz(p) - 1) * p["y"])), PM)
NP = 3
PMN = {"beta": matrix(2, 1), "X": matrix(NP, 2), "y": vector(NP, SIGN)}


def x_row(p: Any, i: int) -> Any:
    return mp.matrix([[p["X"][i, 0]], [p["X"][i, 1]]])


def loss_pm(p: Any, b: Any) -> Any:
    return -mp.fsum(ln(sig(p["y"][i] * bx(b, x_row(p, i)))) for i in range(NP)) / NP


claim(P, "P5", lambda p: (mgrad(lambda b: loss_pm(p, b), p["beta"]),
                          sum_cols([x_row(p, i) * ((sig(p["y"][i] * bx(p["beta"], x_row(p, i)))
                                                    - 1) * p["y"][i]) for i in range(NP)])
                          * (mp.mpf(1) / NP)), PMN)

# mse4227931_bce_logit: L(u) = −p log σ(u) − (1 − p) log(1 − σ(u)) ---------------------------
P = "mse4227931_bce_logit"
PU = {"p": real(0, 1), "u": REAL}


def bce_u(p: Any, u: Any) -> Any:
    return -p * ln(sig(u)) - (1 - p) * ln(1 - sig(u))


chain(P, ["B2", "B3"], [
    lambda q: bce_u(q["p"], q["u"]),
    lambda q: -q["p"] * ln(e(q["u"]) / (1 + e(q["u"]))) - (1 - q["p"]) * ln(1 / (1 + e(q["u"]))),
    lambda q: -q["p"] * q["u"] + ln(1 + e(q["u"])),
], PU)
claim(P, "B4", lambda q: (d(lambda t: bce_u(q["p"], t), q["u"]), sig(q["u"]) - q["p"]), PU)
claim(P, "B5", lambda q: (e(q["u"]) / (1 + e(q["u"])), 1 / (1 + e(-q["u"]))), PU)

# fastai108737_weight_decay: L_new = L + wd·Σw², two weights --------------------------------
P = "fastai108737_weight_decay"
WD = {"w": vector(2), "wd": real(0.1, 2)}


def l_orig(w: list[Any]) -> Any:
    """Any differentiable loss: the claims hold whatever it is."""
    return mp.sin(w[0]) + w[0] * w[1] ** 2 + e(w[1] / 3)


def l_new(w: list[Any], wd: Any) -> Any:
    return l_orig(w) + (w[0] ** 2 + w[1] ** 2) * wd


claim(P, "F2", lambda p: (grad_w(lambda v: l_new(v, p["wd"]), p["w"]),
                          grad_w(l_orig, p["w"]) + col([mp.fsum(p["w"]) * p["wd"]] * 2)), WD,
      witness={"w": [1, 0], "wd": 1},
      why="at w = (1, 0), wd = 1 the penalty adds (2, 0); the line adds (1, 1)")
claim(P, "F4", lambda p: (grad(lambda v: l_new(v, p["wd"]), p["w"], 0),
                          grad(l_orig, p["w"], 0) + 2 * p["wd"] * p["w"][0]), WD)

# dlai629012_tanh_sech: A1 = tanh(Z1), A2 = σ(A1), L = −(Y log A2 + (1 − Y) log(1 − A2)) --------
P = "dlai629012_tanh_sech"
TS = {"Z1": REAL, "Y": LABEL}


def loss_a2(y: Any, a2: Any) -> Any:
    return -(y * ln(a2) + (1 - y) * ln(1 - a2))


def a1(p: Any) -> Any:
    return mp.tanh(p["Z1"])


def a2_(p: Any) -> Any:
    return sig(a1(p))


def dl_da2(p: Any) -> Any:
    return d(lambda t: loss_a2(p["Y"], t), a2_(p))


def dl_da1(p: Any) -> Any:
    return d(lambda t: loss_a2(p["Y"], sig(t)), a1(p))


def dl_dz1(p: Any) -> Any:
    return d(lambda t: loss_a2(p["Y"], sig(mp.tanh(t))), p["Z1"])


claim(P, "D1", lambda p: (dl_da2(p), (-p["Y"] / a2_(p)) + ((1 - p["Y"]) / (1 - a2_(p)))), TS)
claim(P, "D2", lambda p: (dl_da1(p), dl_da2(p) * a2_(p) * (1 - a2_(p))), TS)
claim(P, "D3", lambda p: (dl_dz1(p), dl_da1(p) * d(mp.tanh, p["Z1"])), TS)
claim(P, "D4", lambda p: (dl_dz1(p), dl_da1(p) * mp.sech(a1(p))), TS,
      witness={"Z1": 1, "Y": 1},
      why="dA1/dZ1 = sech²(1) = 0.420; sech(A1) = sech(tanh 1) = 0.767")
claim(P, "D6", lambda p: (dl_dz1(p), dl_da1(p) * (1 - a1(p) ** 2)), TS)

# tylermclaughlin_activations: tanh, the logistic sigmoid, ReLU ------------------------------
P = "tylermclaughlin_activations"


def xx(p: Any) -> Any:
    return p["x"]


claim(P, "T1", lambda p: (mp.tanh(xx(p)), mp.sinh(xx(p)) / mp.cosh(xx(p)),
                          (e(xx(p)) - e(-xx(p))) / (e(xx(p)) + e(-xx(p)))), X)
claim(P, "T2", lambda p: (d(mp.sinh, xx(p)),
                          (d(e, xx(p)) - d(lambda t: e(-t), xx(p))) / 2,
                          (e(xx(p)) + e(-xx(p))) / 2, mp.cosh(xx(p))), X)
claim(P, "T3", lambda p: (d(mp.cosh, xx(p)),
                          (d(e, xx(p)) + d(lambda t: e(-t), xx(p))) / 2,
                          (e(xx(p)) - e(-xx(p))) / 2, mp.sinh(xx(p))), X)
chain(P, ["T4", "T5", "T6"], [
    lambda p: d(mp.tanh, xx(p)),
    lambda p: (mp.cosh(xx(p)) * d(mp.sinh, xx(p)) - mp.sinh(xx(p)) * d(mp.cosh, xx(p)))
    / mp.cosh(xx(p)) ** 2,
    lambda p: (mp.cosh(xx(p)) * mp.cosh(xx(p)) - mp.sinh(xx(p)) * mp.sinh(xx(p)))
    / mp.cosh(xx(p)) ** 2,
    (lambda p: 1 - mp.sinh(xx(p)) ** 2 / mp.cosh(xx(p)) ** 2,
     lambda p: 1 - mp.tanh(xx(p)) ** 2),
], X)
chain(P, ["S1", "S2", "S3"], [
    lambda p: d(sig, xx(p)),
    lambda p: -1 / (1 + e(-xx(p))) ** 2 * -e(-xx(p)),
    lambda p: sig(xx(p)) * e(-xx(p)) / (1 + e(-xx(p))),
    lambda p: sig(xx(p)) * (1 - sig(xx(p))),
], X)


def relu(t: Any) -> Any:
    return mp.mpf(max(0, t))


def away_from_zero() -> Callable[[random.Random], Any]:
    """A real x with |x| ≥ 0.1 (the kink of ReLU is left out)."""
    def draw(r: random.Random) -> Any:
        return mp.mpf(r.choice([-1, 1]) * r.uniform(0.1, 2.5))
    return draw


claim(P, "R1", lambda p: (relu(xx(p)), xx(p) if xx(p) > 0 else mp.mpf(0)), X)
claim(P, "R2", lambda p: (d(relu, xx(p)), mp.mpf(1) if xx(p) > 0 else mp.mpf(0)),
      {"x": away_from_zero()})

# compphysics_logistic_hessian: C(β) = −Σ y_i log p_i + (1 − y_i) log(1 − p_i), p = σ(Xβ) -------
P = "compphysics_logistic_hessian"
NH, PH = 3, 2
HS = {"X": matrix(NH, PH), "y": matrix(NH, 1, LABEL), "beta": matrix(PH, 1)}


def nll_b(p: Any, b: Any) -> Any:
    q = emap(sig, mm(p["X"], b))
    return -mp.fsum(p["y"][i, 0] * ln(q[i, 0]) + (1 - p["y"][i, 0]) * ln(1 - q[i, 0])
                    for i in range(NH))


def fitted(p: Any) -> Any:
    return emap(sig, mm(p["X"], p["beta"]))


def hessian(p: Any) -> Any:
    out = mp.matrix(PH, PH)
    for j in range(PH):
        g = mgrad(lambda b, j=j: mgrad(lambda c: nll_b(p, c), b)[j, 0], p["beta"])
        for i in range(PH):
            out[j, i] = g[i, 0]
    return out


def w_diag(p: Any) -> Any:
    q = fitted(p)
    return mp.matrix([[q[i, 0] * (1 - q[i, 0]) if i == j else 0 for j in range(NH)]
                      for i in range(NH)])


claim(P, "H1", lambda p: (mgrad(lambda b: nll_b(p, b), p["beta"]),
                          -1 * mm(p["X"].T, p["y"] - fitted(p))), HS)
claim(P, "H2", lambda p: (hessian(p), mm(p["X"].T, w_diag(p), p["X"])), HS)

# techqa1428344_softmax_regression: K = 3 classes, m = 2 examples, d = 2 features -------------
P = "techqa1428344_softmax_regression"
KS, MS, DS = 3, 2, 2
SR = {"th": matrix(KS, DS), "X": matrix(MS, DS), "y": vector(MS, choice(0, 1, 2)),
      "k": choice(0, 1, 2)}
SR_WITNESS = {"th": mp.zeros(KS, DS), "X": mp.matrix([[1, 0], [0, 1]]), "y": [1, 1], "k": 0}


def xi(p: Any, i: int) -> list[Any]:
    return [p["X"][i, c] for c in range(DS)]


def prob(p: Any, th: Any, i: int, k: int) -> Any:
    return softmax([dot([th[j, c] for c in range(DS)], xi(p, i)) for j in range(KS)])[k]


def grad_k(p: Any, f: Callable[[Any], Any]) -> Any:
    """∇ by θ^{(k)} (row k of θ), as a column."""
    k = p["k"]
    out = []
    for c in range(DS):
        def along(t: Any, c: int = c) -> Any:
            th = p["th"].copy()
            th[k, c] = t
            return f(th)
        out.append(mp.diff(along, p["th"][k, c]))
    return col(out)


def cost_sr(p: Any, th: Any) -> Any:
    return -mp.fsum(ln(prob(p, th, i, p["y"][i])) for i in range(MS))


def cost_sr_sum(p: Any, th: Any) -> Any:
    return mp.fsum((1 if p["y"][i] == kk else 0) * ln(prob(p, th, i, kk))
                   for i in range(MS) for kk in range(KS))


def only_k(p: Any) -> Any:
    return -1 * sum_cols([grad_k(p, lambda th, i=i: ln(prob(p, th, i, p["k"])))
                          for i in range(MS)])


claim(P, "U1", lambda p: (grad_k(p, lambda th: cost_sr(p, th)), -1 * sum_cols([
    col(xi(p, i)) * ((1 if p["y"][i] == p["k"] else 0) - prob(p, p["th"], i, p["k"]))
    for i in range(MS)])), SR)
claim(P, "U2", lambda p: (grad_k(p, lambda th: cost_sr(p, th)),
                          -1 * grad_k(p, lambda th: cost_sr_sum(p, th))), SR)
claim(P, "U3", lambda p: (grad_k(p, lambda th: cost_sr(p, th)), only_k(p)), SR,
      witness=SR_WITNESS,
      why="at θ = 0, both labels 2, k = 1: the gradient is (1/3, 1/3), the line (−2/3, −2/3)")
claim(P, "U4", lambda p: (only_k(p), -1 * sum_cols([
    grad_k(p, lambda th, i=i: prob(p, th, i, p["k"])) * (1 / prob(p, p["th"], i, p["k"]))
    for i in range(MS)])), SR)

# mse2074217_softmax_matrix: h is 1×2, W 2×3, b 1×3, y = softmax(hW + b) a row ---------------
P = "mse2074217_softmax_matrix"
RS, NS = 2, 3
SM = {"h": matrix(1, RS), "W": matrix(RS, NS), "b": matrix(1, NS), "dW": matrix(RS, NS)}


def y_row(p: Any, w: Any) -> Any:
    z = mm(p["h"], w) + p["b"]
    return row(softmax([z[0, j] for j in range(NS)]))


def along_dw(p: Any, f: Callable[[Any], Any]) -> Any:
    """The differential of a row function of W in the direction dW, entry by entry."""
    base = f(p["W"])
    out = mp.matrix(base.rows, base.cols)
    for j in range(base.cols):
        out[0, j] = mp.diff(lambda t, j=j: f(p["W"] + t * p["dW"])[0, j], 0)
    return out


def big_y_minus(p: Any) -> Any:
    y = y_row(p, p["W"])
    return mp.matrix([[(y[0, i] if i == j else 0) - y[0, i] * y[0, j] for j in range(NS)]
                      for i in range(NS)])


chain(P, ["A1", "A2"], [
    lambda p: along_dw(p, lambda w: y_row(p, w)),
    lambda p: mm(along_dw(p, lambda w: mm(p["h"], w) + p["b"]), big_y_minus(p)),
    lambda p: mm(p["h"], p["dW"], big_y_minus(p)),
], SM)


def jkm() -> Callable[[random.Random], tuple[int, int, int]]:
    return lambda r: (r.randrange(NS), r.randrange(RS), r.randrange(NS))


SMI = {"h": matrix(1, RS), "W": matrix(RS, NS), "b": matrix(1, NS), "jkm": jkm()}


def kd(a: int, b: int) -> int:
    return 1 if a == b else 0


def dy_dw(p: Any) -> Any:
    j, k, m = p["jkm"]

    def along(t: Any) -> Any:
        w = p["W"].copy()
        w[k, m] = t
        return y_row(p, w)[0, j]
    return mp.diff(along, p["W"][k, m])


def e4(i: int, j: int, k: int, l_: int) -> int:
    return kd(i, k) * kd(j, l_)


def big_y(p: Any, a: int, b: int) -> Any:
    y = y_row(p, p["W"])
    return (y[0, a] if a == b else 0) - y[0, a] * y[0, b]


chain(P, ["C1", "C2", "C3"], [
    dy_dw,
    lambda p: mp.fsum(p["h"][0, i] * e4(i, p["jkm"][0], p["jkm"][1], l_)
                      * big_y(p, l_, p["jkm"][2]) for i in range(RS) for l_ in range(NS)),
    lambda p: mp.fsum(p["h"][0, i] * (kd(i, p["jkm"][1]) * kd(p["jkm"][0], l_))
                      * big_y(p, l_, p["jkm"][2]) for i in range(RS) for l_ in range(NS)),
    lambda p: p["h"][0, p["jkm"][1]] * big_y(p, p["jkm"][0], p["jkm"][2]),
], SMI)

# techqa3030003_quadratic_gradient: X is 3×2, w 2×1, t 3×1; A a symmetric 2×2 -----------------
P = "techqa3030003_quadratic_gradient"
NQ, QQ = 3, 2
QG = {"X": matrix(NQ, QQ), "w": matrix(QQ, 1), "t": matrix(NQ, 1)}
QG_WITNESS = {"X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "w": mp.matrix([[1], [0]]),
              "t": mp.matrix([[1], [2], [0]])}


def scalar(m: Any) -> Any:
    return m[0, 0]


claim(P, "G1", lambda p: (mm(p["w"].T, p["X"].T, p["t"]), mm(p["t"].T, p["X"], p["w"])), QG)
claim(P, "G2", lambda p: (mgrad(lambda v: scalar(mm(v.T, p["X"].T, p["t"])), p["w"]),
                          mm(p["t"].T, p["X"])), QG, witness=QG_WITNESS, illformed=True,
      why="the gradient by the column w is the 2×1 column Xᵀt; tᵀX is 1×2")
claim(P, "G3", lambda p: (mgrad(lambda v: scalar(mm(v.T, mm(p["X"].T, p["X"]), v)), p["w"]),
                          mm(p["X"].T, p["X"], p["w"]) * 2), QG)


def symmetric(n: int) -> Callable[[random.Random], Any]:
    def draw(r: random.Random) -> Any:
        a = mp.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                a[i, j] = a[j, i] = mp.mpf(r.uniform(-2.5, 2.5))
        return a
    return draw


QA = {"A": symmetric(QQ), "u": matrix(QQ, 1), "v": matrix(QQ, 1)}


def quad_f(p: Any, x: Any) -> Any:
    return scalar(mm(x.T, p["A"], x))


claim(P, "E1", lambda p: (quad_f(p, p["u"] + p["v"]) - quad_f(p, p["u"]),
                          scalar(mm((p["u"] + p["v"]).T, p["A"], p["u"] + p["v"]))
                          - scalar(mm(p["u"].T, p["A"], p["u"])),
                          scalar(mm(p["u"].T, p["A"], p["v"])) * 2
                          + scalar(mm(p["v"].T, p["A"], p["v"]))), QA)
claim(P, "E3", lambda p: (mp.diff(lambda s: quad_f(p, p["u"] + s * p["v"]), 0),
                          scalar(mm(p["u"].T, p["A"], p["v"])) * 2), QA)
