"""Truth of the seventh held-out set (HOLDOUT7): posts added after the sixth holdout.

Classes, examples, features and entries are counted from 0 here (the posts count from 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp

from .mathtools import (
    POS,
    REAL,
    SIGN,
    T,
    chain,
    claim,
    d,
    e,
    emap,
    grad,
    hadamard,
    ln,
    matrix,
    mgrad,
    mm,
    onehot,
    real,
    sig,
    softmax,
    vector,
)

X = {"x": REAL}


def index(n: int) -> Callable[[Any], int]:
    return lambda r: r.randrange(n)


def pairs(n: int, equal: bool) -> Callable[[Any], tuple[int, int]]:
    """A pair of indices (i, j) in 0 … n − 1, equal or different."""
    def draw(r: Any) -> tuple[int, int]:
        while True:
            i, j = r.randrange(n), r.randrange(n)
            if (i == j) == equal:
                return i, j
    return draw


def prob(n: int) -> Callable[[Any], list[Any]]:
    """A probability vector with positive entries."""
    def draw(r: Any) -> list[Any]:
        v = [mp.mpf(r.uniform(0.1, 1.0)) for _ in range(n)]
        s = mp.fsum(v)
        return [a / s for a in v]
    return draw


def dot(u: list[Any], v: list[Any]) -> Any:
    return mp.fsum(a * b for a, b in zip(u, v, strict=True))


def relu(v: Any) -> Any:
    return v if v > 0 else 0 * v


# techqa4496428_logistic_pm1: L = −Σ_n log σ(t_n(wᵀx_n + w_0)), t_n = ±1; N = 3, d = 2 -------
P = "techqa4496428_logistic_pm1"
NL, DL = 3, 2
LG = {"w": vector(DL), "w0": REAL, "X": matrix(NL, DL), "t": vector(NL, SIGN)}
LG_WITNESS = {"w": [1, 0], "w0": 0, "X": mp.matrix([[1, 0], [2, 0], [0, 0]]), "t": [1, 1, 1]}


def margin(p: Any, w: list[Any], w0: Any, n: int) -> Any:
    return p["t"][n] * (mp.fsum(w[k] * p["X"][n, k] for k in range(DL)) + w0)


def loss_l(p: Any, w: list[Any], w0: Any) -> Any:
    return -mp.fsum(ln(sig(margin(p, w, w0, n))) for n in range(NL))


def big_c(p: Any, wp: list[Any]) -> Any:
    """C = w'ᵀX'ᵀT: Σ_n t_n (wᵀx_n + w_0), w' = (w, w_0), T the column of the t_n."""
    return mp.fsum(margin(p, wp[:DL], wp[DL], n) for n in range(NL))


def wprime(p: Any) -> list[Any]:
    return [*p["w"], p["w0"]]


def grad_w(p: Any, f: Callable[[list[Any]], Any]) -> list[Any]:
    return [grad(f, p["w"], k) for k in range(DL)]


def grad_wp(p: Any, f: Callable[[list[Any]], Any]) -> list[Any]:
    return [grad(f, wprime(p), k) for k in range(DL + 1)]


def a3(p: Any) -> list[Any]:
    """−d/dw log σ(w'ᵀX'ᵀT)."""
    return [-g for g in grad_w(p, lambda w: ln(sig(big_c(p, [*w, p["w0"]]))))]


def xpt(p: Any) -> list[Any]:
    """X'ᵀT = dC/dw'."""
    return [mp.fsum(p["t"][n] * (p["X"][n, k] if k < DL else 1) for n in range(NL))
            for k in range(DL + 1)]


def b_chain(p: Any) -> list[Any]:
    """dA(B)/dB × dB(C)/dC × dC/dw', A = log, B = σ, at C = w'ᵀX'ᵀT."""
    c = big_c(p, wprime(p))
    da = d(ln, sig(c))
    db = d(sig, c)
    return [da * db * g for g in grad_wp(p, lambda wp: big_c(p, wp))]


def b2(p: Any) -> list[Any]:
    c = big_c(p, wprime(p))
    return [1 / sig(c) * (sig(c) * (1 - sig(c))) * g
            for g in grad_wp(p, lambda wp: big_c(p, wp))]


def b3(p: Any) -> list[Any]:
    c = big_c(p, wprime(p))
    return [(1 - sig(c)) * g for g in xpt(p)]


chain(P, ["A1", "A2", "A3"], [
    lambda p: grad_w(p, lambda w: loss_l(p, w, p["w0"])),
    lambda p: grad_w(p, lambda w: loss_l(p, w, p["w0"])),
    lambda p: [-mp.fsum(grad(lambda w, n=n: ln(sig(margin(p, w, p["w0"], n))), p["w"], k)
                        for n in range(NL)) for k in range(DL)],
    a3,
], LG, false={"A3": LG_WITNESS},
    why="w = (1, 0), w_0 = 0, x = (1, 0), (2, 0), (0, 0), t = 1: the first entry of dL/dw is "
        "−0.5073, of −d/dw log σ(w'ᵀX'ᵀT) −0.1423")
claim(P, "B1", lambda p: (grad_wp(p, lambda wp: loss_l(p, wp[:DL], wp[DL])), b_chain(p)), LG,
      witness=LG_WITNESS,
      why="the same point: dL/dw'_1 = −0.5073, the chain of A, B and C gives +0.1423")
chain(P, ["B2", "B3", "B4"], [b_chain, b2, b3, b3], LG)

# techqa3587665_ce_sign: y = softmax(z), one-hot t, K = 3 -----------------------------------------
P = "techqa3587665_ce_sign"
KC = 3
SC = {"z": vector(KC), "t": onehot(KC)}


def total(z: list[Any]) -> Any:
    return mp.fsum(e(v) for v in z)


def dy(p: Any, k: int, kk: int) -> Any:
    """∂y_k/∂z_k'."""
    return grad(lambda z: softmax(z)[k], p["z"], kk)


claim(P, "L1", lambda p: (-mp.fsum(p["t"][k] * ln(softmax(p["z"])[k]) for k in range(KC)),
                          mp.fsum(p["t"][k] * ln(softmax(p["z"])[k]) for k in range(KC))),
      SC, witness={"z": [0, 0, 0], "t": [1, 0, 0]},
      why="z = 0, t = e_1: −tᵀlog y = log 3 = 1.0986, Σ_k t_k log y_k = −1.0986")
claim(P, "Y1", lambda p: (softmax(p["z"])[p["k"]], softmax(p["z"])[p["k"]],
                          e(p["z"][p["k"]]) / total(p["z"])),
      {"z": vector(KC), "k": index(KC)})


def a1_sides(p: Any) -> tuple[Any, ...]:
    k, _ = p["kk"]
    z = p["z"]
    y = softmax(z)
    return (dy(p, k, k), grad(lambda u: e(u[k]) / total(u), z, k),
            e(z[k]) / total(z) - e(z[k]) / total(z) ** 2 * e(z[k]), y[k] - y[k] ** 2)


def a2_sides(p: Any) -> tuple[Any, ...]:
    k, kk = p["kk"]
    z = p["z"]
    y = softmax(z)
    return (dy(p, k, kk), grad(lambda u: e(u[k]) / total(u), z, kk),
            -e(z[k]) / total(z) ** 2 * e(z[kk]), -y[k] * y[kk])


claim(P, "A1", a1_sides, {"z": vector(KC), "kk": pairs(KC, True)})
claim(P, "A2", a2_sides, {"z": vector(KC), "kk": pairs(KC, False)})

# dlai346031_relu_cbow: Z1 = W1 X, H = ReLU(Z1), Ŷ = softmax(W2 H) by columns; V = 3, N = 2, m = 2
P = "dlai346031_relu_cbow"
VC, NC, MC = 3, 2, 2


def onehot_cols(rows: int, cols: int) -> Callable[[Any], Any]:
    def draw(r: Any) -> Any:
        m = mp.zeros(rows, cols)
        for c in range(cols):
            m[r.randrange(rows), c] = 1
        return m
    return draw


CB = {"W1": matrix(NC, VC), "W2": matrix(VC, NC), "X": matrix(VC, MC),
      "Y": onehot_cols(VC, MC)}
CB_WITNESS = {"W1": mp.matrix([[1, 0, 0], [0, 1, 0]]), "W2": mp.matrix([[1, 0], [0, 1], [0, 0]]),
              "X": mp.matrix([[1, 2], [2, 1], [1, 1]]), "Y": mp.matrix([[1, 1], [0, 0], [0, 0]])}


def yhat_cb(p: Any, w1: Any) -> Any:
    z2 = mm(p["W2"], emap(relu, mm(w1, p["X"])))
    out = mp.zeros(VC, MC)
    for c in range(MC):
        s = softmax([z2[r, c] for r in range(VC)])
        for r in range(VC):
            out[r, c] = s[r]
    return out


def j_cb(p: Any, w1: Any) -> Any:
    yh = yhat_cb(p, w1)
    return -mp.fsum(p["Y"][r, c] * ln(yh[r, c]) for r in range(VC) for c in range(MC)) / MC


def back(p: Any) -> Any:
    """(W2)ᵀ(Ŷ − Y)."""
    return mm(T(p["W2"]), yhat_cb(p, p["W1"]) - p["Y"])


def q2(p: Any) -> Any:
    step = emap(lambda v: 1 if v > 0 else 0, mm(p["W1"], p["X"]))
    return hadamard(mm(back(p), T(p["X"])), step) / MC


claim(P, "Q1", lambda p: (mgrad(lambda w: j_cb(p, w), p["W1"]),
                          mm(emap(relu, back(p)), T(p["X"])) / MC),
      CB, witness=CB_WITNESS,
      why="every Z1 > 0 there, so ∂J/∂W1 = (1/m)(W2ᵀ(Ŷ − Y))Xᵀ, whose first row is negative "
          "(−0.7124 first); ReLU makes that row 0")
claim(P, "Q2", lambda p: (mgrad(lambda w: j_cb(p, w), p["W1"]), q2(p)), CB, witness=CB_WITNESS,
      illformed=True,
      why="(W2)ᵀ(Ŷ − Y)Xᵀ is N×V (2×3) and [Z1 > 0] is N×m (2×2): ⊙ of different shapes")
claim(P, "A2", lambda p: (d(relu, p["x"]), 1), {"x": real(0.2, 2.5)})
claim(P, "A3", lambda p: (d(relu, p["x"]), 0), {"x": real(-2.5, -0.2)})

# imathworks_logistic_loss_chain: ln(1 + e^{−y(wx)}), l = ln, f(b) = 1 + e^b, g(c) = −yc, h = wx -
P = "imathworks_logistic_loss_chain"
LL = {"w": REAL, "x": REAL, "y": SIGN}


def composite(p: Any, w: Any) -> Any:
    return ln(1 + e(-p["y"] * (w * p["x"])))


def f10_sides(p: Any) -> tuple[Any, ...]:
    w, x, y = p["w"], p["x"], p["y"]
    v = 1 + e(-y * (w * x))
    ex = e(-y * (w * x))
    return (d(ln, v),
            d(lambda w2: composite(p, w2), w),
            1 / (1 + ex) * ex * -y * x,
            -y * x * ex / (1 + ex))


claim(P, "F2", lambda p: (d(ln, p["a"]), 1 / (ln(e(1)) * p["a"]), 1 / p["a"]), {"a": POS})
claim(P, "F4", lambda p: (d(lambda b: 1 + e(b), p["b"]), e(p["b"])), {"b": REAL})
claim(P, "F6", lambda p: (d(lambda c: -p["y"] * c, p["c"]), -p["y"]), {"c": REAL, "y": SIGN})
claim(P, "F8", lambda p: (d(lambda w: w * p["x"], p["w"]), p["x"]), LL)
claim(P, "F9", lambda p: (ln(1 + e(-p["y"] * (p["w"] * p["x"]))), composite(p, p["w"])), LL)
claim(P, "F10", f10_sides, LL, witness={"w": 0, "x": 1, "y": 1},
      why="w = 0, x = y = 1: l′ at f(g(h(w))) = 2 is 1/2; the chain of partials (the derivative "
          "of the composite by w) is −1/2")

# techqa1731965_sigmoid_softmax: z = σ(xW) by entries, y = softmax(z), E = −Σ t_j log y_j -------
P = "techqa1731965_sigmoid_softmax"
NX, MY = 2, 3
SS = {"x": vector(NX), "W": matrix(NX, MY), "t": prob(MY), "i": index(MY), "k": index(NX)}


def zs(p: Any, w: Any) -> list[Any]:
    return [sig(mp.fsum(p["x"][k] * w[k, i] for k in range(NX))) for i in range(MY)]


def e_of_z(p: Any, z: list[Any]) -> Any:
    return -mp.fsum(p["t"][j] * ln(softmax(z)[j]) for j in range(MY))


def de_dw(p: Any) -> Any:
    """∂E/∂W_ik: W_i the i-th column, W_ik its k-th entry (the matrix entry k, i)."""
    i, k = p["i"], p["k"]

    def along(v: Any) -> Any:
        w = p["W"].copy()
        w[k, i] = v
        return e_of_z(p, zs(p, w))
    return mp.diff(along, p["W"][k, i])


def dz_dw(p: Any) -> Any:
    i, k = p["i"], p["k"]

    def along(v: Any) -> Any:
        w = p["W"].copy()
        w[k, i] = v
        return zs(p, w)[i]
    return mp.diff(along, p["W"][k, i])


def de_dz(p: Any) -> Any:
    return grad(lambda z: e_of_z(p, z), zs(p, p["W"]), p["i"])


def xw(p: Any) -> Any:
    return mp.fsum(p["x"][k] * p["W"][k, p["i"]] for k in range(NX))


claim(P, "D3", lambda p: (softmax(zs(p, p["W"]))[p["i"]],
                          e(zs(p, p["W"])[p["i"]]) / total(zs(p, p["W"]))), SS)
claim(P, "C1", lambda p: (de_dw(p), de_dz(p) * dz_dw(p)), SS)
claim(P, "C2", lambda p: (de_dz(p), softmax(zs(p, p["W"]))[p["i"]] - p["t"][p["i"]]), SS)
claim(P, "C3", lambda p: (dz_dw(p), d(sig, xw(p)) * p["x"][p["k"]],
                          sig(xw(p)) * (1 - sig(xw(p))) * p["x"][p["k"]]), SS)

# mse754509_sigmoid_forms: σ(x) = 1/(1 + e^{−x}) ------------------------------------------------
P = "mse754509_sigmoid_forms"


def den(x: Any) -> Any:
    return 1 + e(-x)


def f_any(x: Any) -> Any:
    """A function that does not vanish: the rule (1/f)′ holds for each."""
    return 2 + mp.sin(x) + x ** 2 / 5


claim(P, "Q1", lambda p: (d(sig, p["x"]), e(-p["x"]) / (e(-p["x"]) + 1) ** 2), X)
claim(P, "A2", lambda p: (d(lambda u: 1 / f_any(u), p["x"]),
                          -d(f_any, p["x"]) / f_any(p["x"]) ** 2), X)
chain(P, ["A3", "A4"], [
    lambda p: d(sig, p["x"]),
    (lambda p: -d(den, p["x"]) / den(p["x"]) ** 2,
     lambda p: (-0 - d(lambda u: e(-u), p["x"])) / den(p["x"]) ** 2,
     lambda p: (0 - d(lambda u: -u, p["x"]) * e(-p["x"])) / den(p["x"]) ** 2,
     lambda p: -(-1 * e(-p["x"])) / den(p["x"]) ** 2),
    lambda p: e(-p["x"]) / den(p["x"]) ** 2,
], X)
claim(P, "A5", lambda p: (e(-p["x"]), 1 / e(p["x"])), X)
chain(P, ["A6", "A7"], [
    lambda p: e(-p["x"]) / den(p["x"]) ** 2,
    (lambda p: (1 / e(p["x"])) / (1 + 1 / e(p["x"])) ** 2,
     lambda p: (1 / e(p["x"])) / ((e(p["x"]) + 1) / e(p["x"])) ** 2),
    (lambda p: (1 / e(p["x"])) / ((e(p["x"]) + 1) ** 2 / (e(p["x"]) * e(p["x"]))),
     lambda p: 1 / ((e(p["x"]) + 1) ** 2 / e(p["x"])),
     lambda p: e(p["x"]) / (1 + e(p["x"])) ** 2),
], X)

# statsse601317_bce_backprop: Z_j = σ(Σ_i X_i V_ij + b_j), Y_k = σ(Σ_j Z_j W_jk + b_k) ------------
P = "statsse601317_bce_backprop"
NI, NH, NO = 3, 2, 2
BB = {"X": vector(NI), "V": matrix(NI, NH), "b": vector(NH), "W": matrix(NH, NO),
      "c": vector(NO), "i": index(NI), "j": index(NH), "k": index(NO)}


def hidden(p: Any, v: Any) -> list[Any]:
    return [sig(mp.fsum(p["X"][i] * v[i, j] for i in range(NI)) + p["b"][j]) for j in range(NH)]


def outs(p: Any, z: list[Any]) -> list[Any]:
    return [sig(mp.fsum(z[j] * p["W"][j, k] for j in range(NH)) + p["c"][k]) for k in range(NO)]


def by_v(p: Any, f: Callable[[Any], Any], i: int, j: int) -> Any:
    def along(t: Any) -> Any:
        v = p["V"].copy()
        v[i, j] = t
        return f(v)
    return mp.diff(along, p["V"][i, j])


def dz_dv(p: Any, jj: int) -> Any:
    return by_v(p, lambda v: hidden(p, v)[jj], p["i"], p["j"])


def dy_dz(p: Any, jj: int) -> Any:
    return grad(lambda z: outs(p, z)[p["k"]], hidden(p, p["V"]), jj)


def zj(p: Any) -> Any:
    return hidden(p, p["V"])[p["j"]]


def yk(p: Any) -> Any:
    return outs(p, hidden(p, p["V"]))[p["k"]]


claim(P, "Z1", lambda p: (dz_dv(p, p["j"]), p["X"][p["i"]] * zj(p) * (1 - zj(p))), BB)
claim(P, "Y1", lambda p: (dy_dz(p, p["j"]), yk(p) * (1 - yk(p)) * p["W"][p["j"], p["k"]]), BB)
claim(P, "Y2", lambda p: (by_v(p, lambda v: outs(p, hidden(p, v))[p["k"]], p["i"], p["j"]),
                          mp.fsum(dy_dz(p, jj) * dz_dv(p, jj) for jj in range(NH)),
                          dy_dz(p, p["j"]) * dz_dv(p, p["j"]),
                          yk(p) * (1 - yk(p)) * p["W"][p["j"], p["k"]] * p["X"][p["i"]] * zj(p)
                          * (1 - zj(p))), BB)

# indii_logsumexp: softmax(x) = exp(x)/Σ_i exp(x_i), logsumexp(x) = log Σ_i exp(x_i); n = 3 ----
P = "indii_logsumexp"
NS = 3
LS = {"x": vector(NS)}


def lse(x: list[Any]) -> Any:
    return ln(total(x))


chain(P, ["S1", "S2", "S3", "S4"], [
    lambda p: softmax(p["x"]),
    lambda p: [e(v) / total(p["x"]) for v in p["x"]],
    lambda p: [e(ln(e(v) / total(p["x"]))) for v in p["x"]],
    lambda p: [e(v - ln(total(p["x"]))) for v in p["x"]],
    lambda p: [e(v - lse(p["x"])) for v in p["x"]],
], LS)

# dsse54731_backprop_dims: h = g(W_ijᵀx), out = W_jkᵀh, E = ½‖out − t‖², err = out − t --------
P = "dsse54731_backprop_dims"
DS = {"x": matrix(2, 1), "Wij": matrix(2, 3), "Wjk": matrix(3, 2), "t": matrix(2, 1)}


def g_act(v: Any) -> Any:
    """The hidden activation g (any differentiable one)."""
    return mp.tanh(v)


def err_ds(p: Any, wij: Any) -> Any:
    out = mm(T(p["Wjk"]), emap(g_act, mm(T(wij), p["x"])))
    return mm(T(out - p["t"]), out - p["t"])[0, 0] / 2


def line_ds(p: Any) -> Any:
    out = mm(T(p["Wjk"]), emap(g_act, mm(T(p["Wij"]), p["x"])))
    err = out - p["t"]
    return mm(mm(p["Wjk"], emap(lambda v: d(g_act, v), mm(p["Wij"], p["x"]))), T(p["x"]), err)


claim(P, "G1", lambda p: (mgrad(lambda w: err_ds(p, w), p["Wij"]), line_ds(p)), DS,
      witness={"x": mp.matrix([[1], [0]]), "Wij": mp.zeros(2, 3), "Wjk": mp.zeros(3, 2),
               "t": mp.matrix([[1], [0]])},
      illformed=True, why="W_ij * x is a 2×3 matrix times a 2×1 column: it does not conform")

# compphysics_week41_output: z_j = Σ_k w_jk a_k^{L−1} + b_j, a_j = σ(z_j); 3 outputs, 2 inputs --
P = "compphysics_week41_output"
NJ, NK = 3, 2
CP = {"a0": vector(NK), "w": matrix(NJ, NK), "b": vector(NJ), "t": vector(NJ),
      "j": index(NJ), "k": index(NK)}


def acts(p: Any, w: Any) -> list[Any]:
    return [sig(mp.fsum(w[j, k] * p["a0"][k] for k in range(NK)) + p["b"][j]) for j in range(NJ)]


def cost_cp(p: Any, w: Any) -> Any:
    return mp.fsum((a - t) ** 2 for a, t in zip(acts(p, w), p["t"], strict=True)) / 2


def by_w(p: Any, f: Callable[[Any], Any]) -> Any:
    def along(v: Any) -> Any:
        w = p["w"].copy()
        w[p["j"], p["k"]] = v
        return f(w)
    return mp.diff(along, p["w"][p["j"], p["k"]])


def aj(p: Any) -> Any:
    return acts(p, p["w"])[p["j"]]


def zj_cp(p: Any) -> Any:
    return mp.fsum(p["w"][p["j"], k] * p["a0"][k] for k in range(NK)) + p["b"][p["j"]]


claim(P, "C0", lambda p: (cost_cp(p, p["w"]),
                          mp.fsum((a - t) ** 2 for a, t in zip(acts(p, p["w"]), p["t"],
                                                               strict=True)) / 2), CP)
claim(P, "C1", lambda p: (by_w(p, lambda w: cost_cp(p, w)),
                          (aj(p) - p["t"][p["j"]]) * by_w(p, lambda w: acts(p, w)[p["j"]])), CP)
claim(P, "C2", lambda p: (by_w(p, lambda w: acts(p, w)[p["j"]]),
                          d(sig, zj_cp(p)) * by_w(p, lambda w: mp.fsum(
                              w[p["j"], k] * p["a0"][k] for k in range(NK)) + p["b"][p["j"]]),
                          aj(p) * (1 - aj(p)) * p["a0"][p["k"]]), CP)

# dsse19272_relu_answer: C = ½(y − ŷ)², ŷ = r = ReLU(z) ------------------------------------------
P = "dsse19272_relu_answer"
claim(P, "R1", lambda p: (d(relu, p["x"]), 0 if p["x"] < 0 else 1), {"x": REAL})
claim(P, "D1", lambda p: (d(lambda r: (p["y"] - r) ** 2 / 2, p["r"]),
                          d(lambda r: (p["y"] - r) ** 2 / 2, p["r"]),
                          d(lambda r: (p["y"] - r) ** 2 / 2, p["r"]),
                          d(lambda r: p["y"] ** 2 - 2 * p["y"] * r + r ** 2, p["r"]) / 2,
                          p["r"] - p["y"]), {"r": REAL, "y": REAL})

# statsse4608_hinge_cases: l = max(0, 1 − y x·w), y = ±1; d = 3 ---------------------------------
P = "statsse4608_hinge_cases"
HD = 3
HG = {"w": vector(HD), "x": vector(HD), "y": SIGN}


def hinge(p: Any, w: list[Any]) -> Any:
    return max(mp.mpf(0), 1 - p["y"] * dot(p["x"], w))


claim(P, "H1", lambda p: ([grad(lambda w: hinge(p, w), p["w"], k) for k in range(HD)],
                          [-p["y"] * v for v in p["x"]] if p["y"] * dot(p["x"], p["w"]) < 1
                          else [0] * HD), HG)
