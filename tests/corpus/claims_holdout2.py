"""Truth of the second held-out set (HOLDOUT2): posts added after the reader's tuning began.

Classes and entries are counted from 0 here (the posts count from 1); C = 3 classes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import mpmath as mp

from .mathtools import (
    LABEL,
    REAL,
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
    matrix,
    mgrad,
    mm,
    onehot,
    positive,
    sig,
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


def hot_at(same: bool) -> Callable[[random.Random], tuple[int, list[int]]]:
    """A class index i and a one-hot label, hot at i (same) or at another class."""
    def draw(r: random.Random) -> tuple[int, list[int]]:
        i = r.randrange(C)
        c = i if same else r.choice([k for k in range(C) if k != i])
        return i, [1 if k == c else 0 for k in range(C)]
    return draw


def dsoft(z: list[Any], i: int, k: int) -> Any:
    """∂softmax(z)_i/∂z_k, numerically."""
    return grad(lambda v: softmax(v)[i], z, k)


def xent(z: list[Any], y: list[Any]) -> Any:
    """−Σ_k y_k log softmax(z)_k."""
    s = softmax(z)
    return -mp.fsum(y[k] * ln(s[k]) for k in range(C))


def dxent(z: list[Any], y: list[Any], i: int) -> Any:
    return grad(lambda v: xent(v, y), z, i)


def dlogsoft(z: list[Any], k: int, i: int) -> Any:
    """∂ log softmax(z)_k/∂z_i."""
    return grad(lambda v: ln(softmax(v)[k]), z, i)


# mse2503428_bce_signs: J = −(y log ŷ + (1 − y) log(1 − ŷ)), one example ---------------------
P = "mse2503428_bce_signs"
BY = {"y": LABEL, "yh": UNIT}


def bce_inner(y: Any, t: Any) -> Any:
    return y * ln(t) + (1 - y) * ln(1 - t)


def dj(p: Any) -> Any:
    return d(lambda t: -bce_inner(p["y"], t), p["yh"])


chain(P, ["B1", "B2", "B3"], [
    dj,
    lambda p: -1 * d(lambda t: bce_inner(p["y"], t), p["yh"]),
    lambda p: -1 * (d(lambda t: p["y"] * ln(t), p["yh"])
                    + d(lambda t: (1 - p["y"]) * ln(1 - t), p["yh"])),
    lambda p: -1 * (p["y"] / p["yh"] + (1 - p["y"]) / (1 - p["yh"])),
], BY, false={"B3": {"y": 0, "yh": mp.mpf("0.5")}},
      why="at y = 0, ŷ = 1/2 the derivative is 2, the line gives −2")
claim(P, "B4", lambda p: (dj(p), -1 * (p["y"] / p["yh"] - (1 - p["y"]) / (1 - p["yh"]))), BY)

# mse2578985_sigmoid_sign ------------------------------------------------------------------
P = "mse2578985_sigmoid_sign"
X = {"x": REAL}
claim(P, "K2", lambda p: (d(sig, p["x"]), -e(-p["x"]) / (1 + e(-p["x"])) ** 2), X,
      witness={"x": 0}, why="σ'(0) = 1/4; the line gives −1/4")
claim(P, "K3", lambda p: (d(sig, p["x"]), e(-p["x"]) / (1 + e(-p["x"])) ** 2), X)

# mse4089019_sigmoid_simplify ----------------------------------------------------------------
P = "mse4089019_sigmoid_simplify"
chain(P, ["S1", "S2", "S3", "S4"], [
    lambda p: d(sig, p["x"]),
    lambda p: d(lambda t: 1 / (1 + e(-t)), p["x"]),
    lambda p: e(-p["x"]) / (1 + e(-p["x"])) ** 2,
    lambda p: 1 / (1 + e(-p["x"])) * (e(-p["x"]) / (1 + e(-p["x"]))),
    lambda p: sig(p["x"]) * (1 - sig(p["x"])),
], X)
claim(P, "S5", lambda p: (e(-p["x"]) / (1 + e(-p["x"])),
                          ((1 + e(-p["x"])) - 1) / (1 + e(-p["x"])),
                          1 - 1 / (1 + e(-p["x"])), 1 - sig(p["x"])), X)

# techqa3050670_sigmoid_even -----------------------------------------------------------------
P = "techqa3050670_sigmoid_even"
claim(P, "E1", lambda p: (e(-p["x"]) / (e(-p["x"]) + 1) ** 2,
                          e(2 * p["x"]) / e(2 * p["x"])
                          * (e(-p["x"]) / (e(-2 * p["x"]) + 2 * e(-p["x"]) + 1)),
                          e(p["x"]) / (1 + 2 * e(p["x"]) + e(2 * p["x"])),
                          e(p["x"]) / (e(p["x"]) + 1) ** 2), X)
claim(P, "E2", lambda p: (e(2 * p["x"] - p["x"]), e(p["x"])), X)
claim(P, "E3", lambda p: ((e(-p["x"]) + 1) ** 2 * e(p["x"]) ** 2,
                          ((e(-p["x"]) + 1) * e(p["x"])) ** 2, (1 + e(p["x"])) ** 2), X)
claim(P, "E4", lambda p: (e(-p["x"]) / (1 + e(-p["x"])) ** 2,
                          e(-p["x"]) / (1 + e(-p["x"])) ** 2 * (e(2 * p["x"]) / e(2 * p["x"])),
                          e(-p["x"] + 2 * p["x"]) / ((1 + e(-p["x"])) * e(p["x"])) ** 2,
                          e(p["x"]) / (e(p["x"]) + 1) ** 2), X)
claim(P, "E5", lambda p: (sig(p["x"]), 1 / (1 + e(-p["x"])), 1 - e(-p["x"]) / (1 + e(-p["x"])),
                          1 - 1 / (1 + e(p["x"])), 1 - sig(-p["x"])), X)
claim(P, "E6", lambda p: (d(sig, p["x"]), d(lambda t: 1 - sig(-t), p["x"]), d(sig, -p["x"])), X)

# imathworks_sse_gradient: X is 3×2, y 3×1, w 2×1 --------------------------------------------
P = "imathworks_sse_gradient"
SSE = {"X": matrix(3, 2), "y": matrix(3, 1), "w": matrix(2, 1)}


def half_sse(p: Any) -> Any:
    r = p["y"] - mm(p["X"], p["w"])
    return mm(r.T, r) * mp.mpf("0.5")


def quad(p: Any) -> Any:
    """½wᵀ(XᵀX)w − wᵀ(Xᵀy)."""
    X_, y_, w_ = p["X"], p["y"], p["w"]
    return mm(w_.T, mm(X_.T, X_), w_) * mp.mpf("0.5") - mm(w_.T, mm(X_.T, y_))


claim(P, "N1", lambda p: (half_sse(p), half_sse(p), quad(p)), SSE,
      witness={"X": mp.matrix([[1, 0], [0, 1], [0, 0]]), "y": mp.matrix([[1], [0], [0]]),
               "w": mp.matrix([[0], [0]])},
      why="at w = 0 the left side is ½yᵀy = 1/2, the right side 0")
claim(P, "N2", lambda p: (half_sse(p), (mm(p["y"].T, p["y"]) - mm(p["w"].T, p["X"].T, p["y"])
                                        - mm(p["y"].T, p["X"], p["w"])
                                        + mm(p["w"].T, p["X"].T, p["X"], p["w"]))
                          * mp.mpf("0.5")), SSE)
claim(P, "N3", lambda p: (mm(p["w"].T, p["X"].T, p["y"]), mm(p["w"].T, p["X"].T, p["y"]).T,
                          mm(p["y"].T, p["X"], p["w"])), SSE)
claim(P, "N4", lambda p: ((mm(p["w"].T, p["X"].T, p["y"]) * -2
                           + mm(p["w"].T, p["X"].T, p["X"], p["w"])) * mp.mpf("0.5"),
                          quad(p)), SSE)

# techqa1962877_mse_gradient: N = 3 examples, D = 2 features ---------------------------------
P = "techqa1962877_mse_gradient"
NN, DD = 3, 2
MG = {"X": matrix(NN, DD), "y": vector(NN), "w": vector(DD), "j": choice(0, 1)}


def xw(X_: Any, w_: list[Any], n: int) -> Any:
    return mp.fsum(X_[n, k] * w_[k] for k in range(DD))


def mse_l(X_: Any, y_: list[Any], w_: list[Any]) -> Any:
    return mp.fsum((y_[n] - xw(X_, w_, n)) ** 2 for n in range(NN)) / (2 * NN)


def resid(p: Any) -> list[Any]:
    return [p["y"][n] - xw(p["X"], p["w"], n) for n in range(NN)]


def dmse(p: Any, j: int) -> Any:
    return grad(lambda v: mse_l(p["X"], p["y"], v), p["w"], j)


claim(P, "M1", lambda p: (mse_l(p["X"], p["y"], p["w"]),
                          mp.fsum((p["y"][n] - xw(p["X"], p["w"], n)) ** 2
                                  for n in range(NN)) / (2 * NN)), MG)
claim(P, "M2", lambda p: (dmse(p, p["j"]),
                          -mp.fsum(p["X"][n, p["j"]] * (p["y"][n] - xw(p["X"], p["w"], n))
                                   for n in range(NN)) / NN,
                          -mp.fsum(p["X"][n, p["j"]] * resid(p)[n] for n in range(NN)) / NN), MG)
claim(P, "M3", lambda p: (col([dmse(p, j) for j in range(DD)]),
                          mm(p["X"].T, col(resid(p))) * (-mp.mpf(1) / NN)), MG)

# postnetwork_softmax_ce: ŷ = softmax(z), L = −Σ y_i log ŷ_i, y one-hot ----------------------
P = "postnetwork_softmax_ce"


def pn(equal: bool | None) -> dict[str, Any]:
    return {"z": vector(C), "y": onehot(C), "ij": pick(equal)}


def pn_loss_of_yhat(q: list[Any], y: list[Any]) -> Any:
    return -mp.fsum(y[k] * ln(q[k]) for k in range(C))


claim(P, "P1", lambda p: (grad(lambda q: pn_loss_of_yhat(q, p["y"]), softmax(p["z"]), p["ij"][0]),
                          -p["y"][p["ij"][0]] / softmax(p["z"])[p["ij"][0]]), pn(None))
claim(P, "P3", lambda p: (dsoft(p["z"], p["ij"][0], p["ij"][0]),
                          softmax(p["z"])[p["ij"][0]] * (1 - softmax(p["z"])[p["ij"][0]])),
      pn(None))
claim(P, "P4", lambda p: (dsoft(p["z"], p["ij"][0], p["ij"][1]),
                          -softmax(p["z"])[p["ij"][0]] * softmax(p["z"])[p["ij"][1]]), pn(False))


def pn_cases(p: Any) -> Any:
    i, j = p["ij"]
    s = softmax(p["z"])
    return s[i] * (1 - s[i]) if i == j else -s[i] * s[j]


claim(P, "P5", lambda p: (dsoft(p["z"], p["ij"][0], p["ij"][1]), pn_cases(p)), pn(None))
claim(P, "P6", lambda p: (dxent(p["z"], p["y"], p["ij"][1]),
                          mp.fsum(-p["y"][i] / softmax(p["z"])[i] * dsoft(p["z"], i, p["ij"][1])
                                  for i in range(C))), pn(None))
claim(P, "P7", lambda p: (dxent(p["z"], p["y"], p["ij"][1]),
                          -p["y"][p["ij"][1]] * (1 - softmax(p["z"])[p["ij"][1]])
                          + mp.fsum(p["y"][i] * softmax(p["z"])[p["ij"][1]]
                                    for i in range(C) if i != p["ij"][1])), pn(None))

# bakerb_softplus ----------------------------------------------------------------------------
P = "bakerb_softplus"


def softplus(x: Any) -> Any:
    return ln(1 + e(x))


def dsp(p: Any) -> Any:
    return d(softplus, p["x"])


claim(P, "F1", lambda p: (dsp(p), dsp(p), d(lambda t: ln(1 + e(t)), p["x"])), X)
claim(P, "F2", lambda p: (dsp(p), e(p["x"]) / (1 + e(p["x"]))), X)
claim(P, "F3", lambda p: (dsp(p), (e(p["x"]) / e(p["x"]))
                          / (1 / e(p["x"]) + e(p["x"]) / e(p["x"]))), X)
claim(P, "F4", lambda p: (dsp(p), 1 / (1 + e(-p["x"]))), X)
claim(P, "F5", lambda p: (dsp(p), sig(p["x"])), X)

# cwells2162552_log_softmax: B is 3×2, h 2×1, p_w = softmax(Bh)_w ---------------------------
P = "cwells2162552_log_softmax"
CW = {"B": matrix(C, 2), "h": matrix(2, 1), "w": choice(0, 1, 2)}
CW_WITNESS = {"B": mp.matrix([[1, 0], [0, 0], [0, 0]]), "h": mp.matrix([[1], [0]]), "w": 0}


def bh(B: Any, h: Any) -> list[Any]:
    u = mm(B, h)
    return [u[k, 0] for k in range(C)]


def log_pw(B: Any, h: Any, w: int) -> Any:
    return ln(softmax(bh(B, h))[w])


def onehot_col(w: int) -> Any:
    return col([1 if k == w else 0 for k in range(C)])


def pw_broadcast(p: Any) -> Any:
    """e_w − [S(Bh)]_w: the number p_w taken from every entry of e_w."""
    pw = softmax(bh(p["B"], p["h"]))[p["w"]]
    return col([(1 if k == p["w"] else 0) - pw for k in range(C)])


def cw_cases(p: Any) -> Any:
    i, w = p["iw"]
    s = softmax(p["y"])
    return -s[i] if w != i else 1 - s[i]


claim(P, "G1", lambda p: (dlogsoft(p["y"], p["iw"][1], p["iw"][0]), cw_cases(p)),
      {"y": vector(C), "iw": pick(None)})
claim(P, "G2", lambda p: (mgrad(lambda b: log_pw(b, p["h"], p["w"]), p["B"]),
                          mgrad(lambda b: ln(softmax(bh(b, p["h"]))[p["w"]]), p["B"])), CW)
claim(P, "G5", lambda p: (col([dlogsoft(bh(p["B"], p["h"]), p["w"], k) for k in range(C)]),
                          pw_broadcast(p)), CW, witness=CW_WITNESS,
      why="at Bh = (1, 0, 0), w = 1: the gradient is e_1 − S = (0.42, −0.21, −0.21); "
          "e_1 − p_1 = (0.42, −0.58, −0.58)")
claim(P, "G6", lambda p: (mgrad(lambda b: log_pw(b, p["h"], p["w"]), p["B"]),
                          mm(pw_broadcast(p), p["h"].T)), CW, witness=CW_WITNESS,
      why="the gradient is (e_w − S(Bh))hᵀ; rows 2 and 3 differ at the witness")

# mse1804041_softmax_loss ----------------------------------------------------------------------
P = "mse1804041_softmax_loss"
claim(P, "L1", lambda p: (-ln(e(p["f"][p["c"]]) / mp.fsum(e(v) for v in p["f"])),
                          -p["f"][p["c"]] + ln(mp.fsum(e(v) for v in p["f"]))),
      {"f": vector(C), "c": choice(0, 1, 2)})
claim(P, "L5", lambda p: (dsoft(p["o"], p["ij"][1], p["ij"][0]),
                          softmax(p["o"])[p["ij"][0]] * (1 - softmax(p["o"])[p["ij"][0]])),
      {"o": vector(C), "ij": pick(True)})

# manong1173660_softmax_loss: p = softmax(o), L = −Σ y_j log p_j --------------------------------
P = "manong1173660_softmax_loss"


def mn(equal: bool | None, hot: bool = False) -> dict[str, Any]:
    return {"o": vector(C), "y": onehot(C) if hot else vector(C, LABEL), "ij": pick(equal)}


claim(P, "S1", lambda p: (dsoft(p["o"], p["ij"][1], p["ij"][0]),
                          softmax(p["o"])[p["ij"][0]] * (1 - softmax(p["o"])[p["ij"][0]])),
      mn(True))
claim(P, "S2", lambda p: (dsoft(p["o"], p["ij"][1], p["ij"][0]),
                          -softmax(p["o"])[p["ij"][0]] * softmax(p["o"])[p["ij"][1]]), mn(False))


def mn_i(p: Any) -> int:
    return int(p["ij"][0])


chain(P, ["S3", "S4", "S5", "S6", "S7"], [
    lambda p: dxent(p["o"], p["y"], mn_i(p)),
    lambda p: -mp.fsum(p["y"][k] * dlogsoft(p["o"], k, mn_i(p)) for k in range(C)),
    lambda p: -mp.fsum(p["y"][k] / softmax(p["o"])[k] * dsoft(p["o"], k, mn_i(p))
                       for k in range(C)),
    lambda p: -p["y"][mn_i(p)] * (1 - softmax(p["o"])[mn_i(p)])
    - mp.fsum(p["y"][k] / softmax(p["o"])[k]
              * (-softmax(p["o"])[k] * softmax(p["o"])[mn_i(p)])
              for k in range(C) if k != mn_i(p)),
    lambda p: -p["y"][mn_i(p)] + p["y"][mn_i(p)] * softmax(p["o"])[mn_i(p)]
    + mp.fsum(p["y"][k] * softmax(p["o"])[mn_i(p)] for k in range(C) if k != mn_i(p)),
    lambda p: softmax(p["o"])[mn_i(p)] * mp.fsum(p["y"]) - p["y"][mn_i(p)],
], mn(None))
claim(P, "S8", lambda p: (dxent(p["o"], p["y"], mn_i(p)),
                          softmax(p["o"])[mn_i(p)] - p["y"][mn_i(p)]), mn(None, hot=True))

# purepisces_softmax_ce: σ(A) = softmax(A), H = −Σ Y_k log σ(A_k) -----------------------------
P = "purepisces_softmax_ce"


def pp(equal: bool | None) -> dict[str, Any]:
    return {"A": vector(C), "Y": onehot(C), "ik": pick(equal)}


def sA(p: Any, k: int) -> Any:
    return softmax(p["A"])[k]


def dH(p: Any, i: int) -> Any:
    return dxent(p["A"], p["Y"], i)


def sum_form(p: Any, i: int) -> Any:
    return -mp.fsum(p["Y"][k] * dlogsoft(p["A"], k, i) for k in range(C))


claim(P, "H1", lambda p: (dH(p, p["ik"][0]), sum_form(p, p["ik"][0])), pp(None))
claim(P, "H2", lambda p: (dlogsoft(p["A"], p["ik"][1], p["ik"][0]),
                          d(ln, sA(p, p["ik"][0])) * dsoft(p["A"], p["ik"][0], p["ik"][0]),
                          1 / sA(p, p["ik"][0]) * sA(p, p["ik"][0]) * (1 - sA(p, p["ik"][0])),
                          1 - sA(p, p["ik"][0])), pp(True))


def pp_hot(same: bool) -> dict[str, Any]:
    return {"A": vector(C), "iY": hot_at(same)}


def with_y(p: Any) -> dict[str, Any]:
    return {"A": p["A"], "Y": p["iY"][1]}


def thus(p: Any, term: Callable[[dict[str, Any], int], Any]) -> tuple[Any, ...]:
    q, i = with_y(p), p["iY"][0]
    return dH(q, i), sum_form(q, i), term(q, i)


claim(P, "H3", lambda p: (*thus(p, lambda q, i: -q["Y"][i] * (1 - sA(q, i))),
                          sA(with_y(p), p["iY"][0]) - p["iY"][1][p["iY"][0]],
                          sA(with_y(p), p["iY"][0]) - 1), pp_hot(True))
claim(P, "H4", lambda p: (dlogsoft(p["A"], p["ik"][1], p["ik"][0]),
                          d(ln, sA(p, p["ik"][1])) * dsoft(p["A"], p["ik"][1], p["ik"][0]),
                          1 / sA(p, p["ik"][1]) * -sA(p, p["ik"][1]) * sA(p, p["ik"][0]),
                          -sA(p, p["ik"][0])), pp(False))
claim(P, "H5", lambda p: (*thus(p, lambda q, i: -q["Y"][i] * -sA(q, i)),
                          sA(with_y(p), p["iY"][0]), sA(with_y(p), p["iY"][0]) - 0),
      pp_hot(False), witness={"A": [0, 0, 0], "iY": (0, [0, 1, 0])},
      why="at A = 0, Y = e_2, i = 1: ∂H/∂A_1 = 1/3; −Y_1(−σ(A_1)) = 0")
Z3 = {"z": vector(C)}


def a_(p: Any, k: int) -> Any:
    return softmax(p["z"])[k]


def ssum(p: Any) -> Any:
    return mp.fsum(e(v) for v in p["z"])


claim(P, "H6", lambda p: (dsoft(p["z"], 0, 0),
                          (e(p["z"][0]) * ssum(p) - e(p["z"][0]) * e(p["z"][0]))
                          / (ssum(p) * ssum(p)),
                          e(p["z"][0]) / ssum(p) * ((ssum(p) - e(p["z"][0])) / ssum(p)),
                          a_(p, 0) * (1 - a_(p, 0))), Z3)
claim(P, "H7", lambda p: (dsoft(p["z"], 0, 1),
                          (0 * ssum(p) - e(p["z"][0]) * e(p["z"][1])) / ssum(p) ** 2,
                          -(e(p["z"][0]) / ssum(p)) * (e(p["z"][1]) / ssum(p)),
                          -a_(p, 0) * a_(p, 1)), Z3)
claim(P, "H8", lambda p: (dH(p, p["ik"][0]), sA(p, p["ik"][0]) - p["Y"][p["ik"][0]]), pp(None))

# doc1036225283_softmax: s^i = softmax(z)_i, loss = −Σ y^i ln s^i ------------------------------
P = "doc1036225283_softmax"
DZ = {"z": vector(C), "i": choice(0, 1, 2)}


def s3(p: Any, k: int) -> Any:
    return e(p["z"][k]) / (e(p["z"][0]) + e(p["z"][1]) + e(p["z"][2]))


claim(P, "X1", lambda p: (softmax(p["z"])[p["i"]], s3(p, p["i"])), DZ)
claim(P, "X2", lambda p: (softmax(p["z"])[0], s3(p, 0)), DZ)
claim(P, "X3", lambda p: (softmax(p["z"])[1], s3(p, 1)), DZ)
claim(P, "X4", lambda p: (softmax(p["z"])[2], s3(p, 2)), DZ)


claim(P, "X6", lambda p: (xent(p["z"], p["iY"][1]),
                          -p["iY"][1][p["iY"][0]] * ln(softmax(p["z"])[p["iY"][0]])),
      {"z": vector(C), "iY": hot_at(True)})
claim(P, "X7", lambda p: (xent(p["z"], p["iY"][1]),
                          -p["iY"][1][p["iY"][0]] / softmax(p["z"])[p["iY"][0]]),
      {"z": vector(C), "iY": hot_at(True)}, witness={"z": [0, 0, 0], "iY": (0, [1, 0, 0])},
      why="at z = 0, y = e_1: the loss is ln 3 = 1.099, the right side −3")
claim(P, "X9", lambda p: (d(lambda t: 3 * ln(t), p["x"]), 3 / p["x"]), {"x": positive()})

# yoanptr_mlp_backprop: one example, rows; Z1 = A0 W1 + B1, A1 = σ(Z1), Z2 = A1 W2 + B2,
# A2 = σ(Z2), C = (1/N_out) Σ (A2 − Y)²; 3 inputs, 4 hidden units, 2 outputs --------------------
P = "yoanptr_mlp_backprop"
NIN, HID, NOUT = 3, 4, 2
MLP = {"A0": matrix(1, NIN), "W1": matrix(NIN, HID), "B1": matrix(1, HID),
       "W2": matrix(HID, NOUT), "B2": matrix(1, NOUT), "Y": matrix(1, NOUT, UNIT)}
MLP_WITNESS = {"A0": mp.matrix([[1, 0, 0]]), "W1": mp.zeros(NIN, HID), "B1": mp.zeros(1, HID),
               "W2": mp.matrix([[1, 0], [0, 1], [0, 0], [0, 0]]), "B2": mp.zeros(1, NOUT),
               "Y": mp.matrix([[1, 0]])}


def msig(m: Any) -> Any:
    return emap(sig, m)


def one_minus(m: Any) -> Any:
    return emap(lambda v: 1 - v, m)


def dsig_of(m: Any) -> Any:
    return emap(lambda v: d(sig, v), m)


def cost_of_a2(a2: Any, y: Any) -> Any:
    return mp.fsum((a2[0, k] - y[0, k]) ** 2 for k in range(NOUT)) / NOUT


def net(p: Any, **over: Any) -> dict[str, Any]:
    q = {**p, **over}
    z1 = mm(q["A0"], q["W1"]) + q["B1"]
    a1 = msig(z1)
    z2 = mm(a1, q["W2"]) + q["B2"]
    return {"Z1": z1, "A1": a1, "Z2": z2, "A2": msig(z2)}


def cost_by(p: Any, name: str) -> Callable[[Any], Any]:
    """C as a function of one parameter matrix, the others fixed."""
    return lambda m: cost_of_a2(net(p, **{name: m})["A2"], p["Y"])


def g_a2(p: Any) -> Any:
    return mgrad(lambda a: cost_of_a2(a, p["Y"]), net(p)["A2"])


def g_z2(p: Any) -> Any:
    return mgrad(lambda z: cost_of_a2(msig(z), p["Y"]), net(p)["Z2"])


def g_a1(p: Any) -> Any:
    return mgrad(lambda a: cost_of_a2(msig(mm(a, p["W2"]) + p["B2"]), p["Y"]), net(p)["A1"])


def g_z1(p: Any) -> Any:
    return mgrad(lambda z: cost_of_a2(msig(mm(msig(z), p["W2"]) + p["B2"]), p["Y"]),
                 net(p)["Z1"])


def g_par(p: Any, name: str) -> Any:
    return mgrad(cost_by(p, name), p[name])


claim(P, "Y1", lambda p: (g_a2(p), 2 * mp.fsum(net(p)["A2"][0, k] - p["Y"][0, k]
                                               for k in range(NOUT)) / NOUT),
      MLP, witness=MLP_WITNESS, illformed=True,
      why="the gradient has one entry per output; the sum is one number")
claim(P, "Y2", lambda p: (g_z2(p), hadamard(g_a2(p), dsig_of(net(p)["Z2"]))), MLP)
claim(P, "Y3", lambda p: (dsig_of(net(p)["Z2"]), dsig_of(net(p)["Z2"]),
                          hadamard(msig(net(p)["Z2"]), one_minus(msig(net(p)["Z2"])))), MLP)
claim(P, "Y4", lambda p: (g_z2(p), hadamard(hadamard(g_a2(p), net(p)["A2"]),
                                            one_minus(net(p)["A2"]))), MLP)
claim(P, "Y5", lambda p: (g_par(p, "W2"), hadamard(g_z2(p), net(p)["A1"])), MLP,
      witness=MLP_WITNESS, illformed=True, why="1×2 against 1×4; the gradient is A1ᵀ ∂C/∂Z2")
claim(P, "Y6", lambda p: (g_par(p, "B2"), g_z2(p) * NOUT), MLP, witness=MLP_WITNESS,
      why="N_out = 2 times the gradient")
claim(P, "Y7", lambda p: (g_a1(p), hadamard(g_z2(p), p["W2"])), MLP,
      witness=MLP_WITNESS, illformed=True, why="1×2 against 4×2; the gradient is ∂C/∂Z2 W2ᵀ")
claim(P, "Y8", lambda p: (g_z1(p), hadamard(g_a1(p), dsig_of(net(p)["Z1"])),
                          hadamard(hadamard(g_a1(p), net(p)["A1"]), one_minus(net(p)["A1"]))),
      MLP)
claim(P, "Y9", lambda p: (g_par(p, "W1"), hadamard(g_z1(p), p["A0"])), MLP,
      witness=MLP_WITNESS, illformed=True, why="1×4 against 1×3; the gradient is A0ᵀ ∂C/∂Z1")
claim(P, "Y10", lambda p: (g_par(p, "B1"), g_z1(p) * NIN), MLP, witness=MLP_WITNESS,
      why="N_in = 3 times the gradient")

# statsse258709_logistic_grad: N = 3 examples x_i (rows of X), w ∈ R², s the sigmoid ----------
P = "statsse258709_logistic_grad"
NL, DL = 3, 2
LG = {"w": vector(DL), "X": matrix(NL, DL), "y": vector(NL, LABEL)}


def t_i(p: Any, w: list[Any], i: int) -> Any:
    return mp.fsum(w[k] * p["X"][i, k] for k in range(DL))


def nll(p: Any, w: list[Any]) -> Any:
    return -mp.fsum((1 - p["y"][i]) * ln(1 - sig(t_i(p, w, i))) + p["y"][i] * ln(sig(t_i(p, w, i)))
                    for i in range(NL))


def nll_grad(p: Any) -> Any:
    return col([grad(lambda v: nll(p, v), p["w"], k) for k in range(DL)])


def per_example(p: Any, coef: Callable[[Any, Any], Any]) -> Any:
    """Σ_i coef(y_i, t_i) x_i, as a column."""
    return col([mp.fsum(coef(p["y"][i], t_i(p, p["w"], i)) * p["X"][i, k] for i in range(NL))
                for k in range(DL)])


claim(P, "G1", lambda p: (nll_grad(p), per_example(
    p, lambda y, t: -((y - 1) * e(t) / (e(t) + 1) + y / (e(t) + 1)))), LG)
claim(P, "G2", lambda p: (nll_grad(p), per_example(p, lambda y, t: sig(t) - y)), LG)
claim(P, "G3", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)
def dot(a: list[Any], b: list[Any]) -> Any:
    return mp.fsum(u * v for u, v in zip(a, b, strict=True))


claim(P, "G4", lambda p: (col([grad(lambda v: sig(dot(v, p["xi"])), p["w"], k) for k in range(DL)]),
                          col([xk * (1 - sig(dot(p["w"], p["xi"]))) * sig(dot(p["w"], p["xi"]))
                               for xk in p["xi"]])),
      {"w": vector(DL), "xi": vector(DL)})
claim(P, "G5", lambda p: (d(ln, p["x"]), 1 / p["x"]), {"x": positive()})
claim(P, "G6", lambda p: (nll_grad(p), per_example(
    p, lambda y, t: (1 - y) * (1 - sig(t)) * sig(t) / (1 - sig(t))
    - y * (1 - sig(t)) * sig(t) / sig(t))), LG)
claim(P, "G7", lambda p: (nll_grad(p), per_example(p, lambda y, t: sig(t) - y)), LG)

# whutzhangwx_gelu: Φ the standard normal CDF, φ its density ----------------------------------
P = "whutzhangwx_gelu"


def r2() -> Any:
    """√2 at the working precision (never a constant computed at import)."""
    return mp.sqrt(2)


def npdf(t: Any) -> Any:
    return e(-t ** 2 / 2) / mp.sqrt(2 * mp.pi)


def ncdf(t: Any) -> Any:
    """P(X ≤ t) for a standard normal X, by integrating the density."""
    return mp.quad(npdf, [-mp.inf, t])


def phi_erf(t: Any) -> Any:
    return (1 + mp.erf(t / r2())) / 2


def gelu(t: Any) -> Any:
    return t * phi_erf(t)


claim(P, "U1", lambda p: (gelu(p["x"]), p["x"] * ncdf(p["x"]), p["x"] * phi_erf(p["x"]),
                          p["x"] * (1 + mp.erf(p["x"] / r2())) / 2), X)
chain(P, ["U2", "U3", "U4"], [
    lambda p: d(gelu, p["x"]),
    lambda p: d(lambda t: t * ncdf(t), p["x"]),
    lambda p: ncdf(p["x"]) + p["x"] * d(ncdf, p["x"]),
    lambda p: ncdf(p["x"]) + p["x"] * npdf(p["x"]),
], X)
chain(P, ["U5", "U6", "U7", "U8"], [
    lambda p: d(gelu, p["x"]),
    lambda p: d(lambda t: t / 2 + t * mp.erf(t / r2()) / 2, p["x"]),
    lambda p: (1 + mp.erf(p["x"] / r2()) + p["x"] * mp.sqrt(2 / mp.pi) * e(-p["x"] ** 2 / 2)) / 2,
    lambda p: (1 + mp.erf(p["x"] / r2())) / 2 + p["x"] * mp.sqrt(1 / (2 * mp.pi))
    * e(-p["x"] ** 2 / 2),
    lambda p: ncdf(p["x"]) + p["x"] * npdf(p["x"]),
], X)


def c11() -> Any:
    return mp.mpf(11) / 123


def u9_left(x: Any) -> Any:
    return mp.tanh(2 / mp.sqrt(mp.pi) * (x / r2() + c11() * (x / r2()) ** 3))


claim(P, "U9", lambda p: (u9_left(p["x"]),
                          mp.tanh(mp.sqrt(2 / mp.pi) * (p["x"] + c11() * p["x"] ** 3 / 2))), X)
