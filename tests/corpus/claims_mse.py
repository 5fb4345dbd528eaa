"""Truth of the mean-squared-error and least-squares posts."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import (
    REAL as REAL_,
)
from .mathtools import (
    chain,
    choice,
    claim,
    col,
    entries,
    grad,
    madd,
    matrix,
    mm,
    vector,
)

N = 3  # instances


def jac(f: Any, xs: list[Any]) -> Any:
    """The Jacobian (rows: the outputs of f, a list) at xs."""
    out0 = f(list(xs))
    return mp.matrix([[grad(lambda v, r=r: f(v)[r], xs, c) for c in range(len(xs))]
                      for r in range(len(out0))])


# statsse303446_mse: MSE = (1/2n) Σ (ŷ_j − y_j)², ŷ_j = Σ_i x_ji w_i -------------------------
P = "statsse303446_mse"
SD = {"yh": vector(N), "y": vector(N), "i": choice(0, 1, 2)}


def mse_of(yh: list[Any], y: list[Any]) -> Any:
    return mp.fsum((a - b) ** 2 for a, b in zip(yh, y, strict=True)) / (2 * N)


def dmse(p: Any) -> Any:
    return grad(lambda v: mse_of(v, p["y"]), p["yh"], p["i"])


W = {"w": vector(2), "X": matrix(N, 2), "y": vector(N), "i": choice(0, 1)}


def yhat_w(w: list[Any], x: Any) -> list[Any]:
    return [mp.fsum(x[j, i] * w[i] for i in range(2)) for j in range(N)]


claim(P, "S1", lambda p: (grad(lambda w: mse_of(yhat_w(w, p["X"]), p["y"]), p["w"], p["i"]),
                          mp.fsum(grad(lambda v: mse_of(v, p["y"]), yhat_w(p["w"], p["X"]), j)
                                  * grad(lambda w, j=j: yhat_w(w, p["X"])[j], p["w"], p["i"])
                                  for j in range(N))), W)


def term(p: Any, j: int) -> Any:
    return grad(lambda v: (v[j] - p["y"][j]) ** 2, p["yh"], p["i"])


def inner(p: Any, j: int) -> Any:
    return (p["yh"][j] - p["y"][j]) * grad(lambda v: v[j] - p["y"][j], p["yh"], p["i"])


chain(P, ["S2", "S3", "S4", "S5", "S6"], [
    dmse,
    dmse,
    lambda p: mp.fsum(term(p, j) for j in range(N)) / (2 * N),
    lambda p: mp.fsum(inner(p, j) for j in range(N)) / N,
    lambda p: mp.fsum(inner(p, j) for j in range(N)) / N,
    lambda p: (p["yh"][p["i"]] - p["y"][p["i"]]) / N,
], SD)
claim(P, "S7", lambda p: ([grad(lambda v: mse_of(v, p["y"]), p["yh"], i) for i in range(N)],
                          [(a - b) / N for a, b in zip(p["yh"], p["y"], strict=True)]), SD)

# mlcourse_mse_matrix -----------------------------------------------------------------------
P = "mlcourse_mse_matrix"
claim(P, "C1", lambda p: ([grad(lambda x: mp.fsum(a * b for a, b in zip(x, p["a"], strict=True)),
                                p["x"], k) for k in range(3)], p["a"]),
      {"x": vector(3), "a": vector(3)})


def quad(x: list[Any], a: Any) -> Any:
    return (col(x).T * a * col(x))[0, 0]


claim(P, "C2", lambda p: ([grad(lambda x: quad(x, p["A"]), p["x"], k) for k in range(3)],
                          entries((p["A"] + p["A"].T) * col(p["x"]))),
      {"x": vector(3), "A": matrix(3, 3)})


def c3(p: Any) -> tuple[Any, Any]:
    x, a, y = col(p["x"]), p["A"], col(p["y"])
    lhs = mp.matrix(3, 2)
    for r in range(3):
        for c in range(2):
            def along(t: Any, r: int = r, c: int = c) -> Any:
                b = a.copy()
                b[r, c] = t
                return (x.T * b * y)[0, 0]
            lhs[r, c] = mp.diff(along, a[r, c])
    return lhs, mm(x.T, y)


claim(P, "C3", c3, {"x": vector(3), "A": matrix(3, 2), "y": vector(2)},
      witness={"x": [1, 2, 3], "A": mp.matrix([[1, 0], [0, 1], [1, 1]]), "y": [1, -1]},
      illformed=True, why="Xᵀy: 1×3 times 2×1; the derivative is Xyᵀ")
MD = {"X": matrix(3, 2), "y": vector(3), "w": vector(2)}


def mse_loss(w: list[Any], x: Any, y: list[Any]) -> Any:
    r = col(y) - x * col(w)
    return (r.T * r)[0, 0] / (2 * 3)


chain(P, ["G1", "G2"], [
    lambda p: [grad(lambda w: mse_loss(w, p["X"], p["y"]), p["w"], k) for k in range(2)],
    lambda p: [grad(lambda w: ((col(p["y"]).T * col(p["y"]))[0, 0]
                               - 2 * (col(p["y"]).T * p["X"] * col(w))[0, 0]
                               + (col(w).T * p["X"].T * p["X"] * col(w))[0, 0]) / 6, p["w"], k)
               for k in range(2)],
    lambda p: entries((-2 * p["X"].T * col(p["y"]) + 2 * p["X"].T * p["X"] * col(p["w"])) / 6),
], MD)

# techqa2811811_least_squares: X m×n = 3×2 --------------------------------------------------
P = "techqa2811811_least_squares"
LD = {"X": matrix(3, 2), "y": vector(3), "w": vector(2)}
LW = {"X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "y": [1, 2, 3], "w": [1, -1]}


def ls(w: list[Any], x: Any, y: list[Any]) -> Any:
    r = col(y) - x * col(w)
    return (r.T * r)[0, 0]


def Xw(p: Any) -> Any:
    return p["X"] * col(p["w"])


def yv(p: Any) -> Any:
    return col(p["y"])


chain(P, ["Q1", "Q2", "Q3", "Q4"], [
    lambda p: ls(p["w"], p["X"], p["y"]),
    lambda p: ((yv(p).T - col(p["w"]).T * p["X"].T) * (yv(p) - Xw(p)))[0, 0],
    lambda p: (yv(p).T * yv(p) - yv(p).T * Xw(p) - col(p["w"]).T * p["X"].T * yv(p)
               + col(p["w"]).T * p["X"].T * Xw(p))[0, 0],
    lambda p: (yv(p).T * yv(p) - yv(p).T * Xw(p) - yv(p).T * Xw(p)
               + col(p["w"]).T * p["X"].T * Xw(p))[0, 0],
    lambda p: (yv(p).T * yv(p) - 2 * yv(p).T * Xw(p) + col(p["w"]).T * p["X"].T * Xw(p))[0, 0],
], LD)


def grad_ls(p: Any) -> Any:
    return col([grad(lambda w: ls(w, p["X"], p["y"]), p["w"], k) for k in range(2)])


def q5(p: Any) -> Any:
    return madd(-2 * mm(yv(p).T, p["X"], col(p["w"])), mm(p["X"].T, Xw(p)),
                mm(p["X"], mm(col(p["w"]).T, p["X"].T)))


def q6(p: Any) -> Any:
    return madd(-2 * mm(yv(p).T, p["X"], col(p["w"])), mm(p["X"].T, Xw(p)), mm(p["X"].T, Xw(p)))


def q7(p: Any) -> Any:
    return madd(-2 * mm(yv(p).T, p["X"], col(p["w"])), 2 * mm(p["X"].T, Xw(p)))


ILL = "the sides do not conform (see the step's note)"
claim(P, "Q5", lambda p: (grad_ls(p), q5(p)), LD, witness=LW, illformed=True, why=ILL)
claim(P, "Q6", lambda p: (q5(p), q6(p)), LD, witness=LW, illformed=True, why=ILL)
claim(P, "Q7", lambda p: (q6(p), q7(p)), LD, witness=LW, illformed=True, why=ILL)
claim(P, "Q8", lambda p: (grad_ls(p), 2 * mm(yv(p) - Xw(p), -p["X"])), LD, witness=LW,
      illformed=True, why=ILL)
claim(P, "Q9", lambda p: (mm(yv(p) - Xw(p), -p["X"]),
                          madd(-2 * mm(yv(p), p["X"]), 2 * mm(Xw(p), p["X"]))), LD, witness=LW,
      illformed=True, why=ILL)
claim(P, "A1", lambda p: (jac(lambda u: [mp.fsum(v * v for v in u)], p["u"]),
                          2 * col(p["u"]).T), {"u": vector(3)})
claim(P, "A2", lambda p: (jac(lambda w: entries(col(p["y"]) - p["X"] * col(w)), p["w"]), -p["X"]),
      LD)
claim(P, "A3", lambda p: (ls(p["w"], p["X"], p["y"]),
                          mp.fsum(v * v for v in entries(yv(p) - Xw(p))),
                          ((yv(p) - Xw(p)).T * (yv(p) - Xw(p)))[0, 0]), LD)


def fprime(p: Any) -> Any:
    return jac(lambda w: [ls(w, p["X"], p["y"])], p["w"])


claim(P, "A4", lambda p: (fprime(p), (2 * (yv(p) - Xw(p)).T) * (-p["X"])), LD)
claim(P, "A5", lambda p: (fprime(p), 2 * (yv(p) - Xw(p)).T * (-p["X"])), LD)
claim(P, "A6", lambda p: (grad_ls(p), fprime(p).T, 2 * p["X"].T * (Xw(p) - yv(p))), LD)

# techqa2440958_differential: dL along a direction dw ---------------------------------------
P = "techqa2440958_differential"
DL = {**LD, "dw": vector(2)}


def dL(p: Any) -> Any:
    return mp.diff(lambda t: ls([a + t * b for a, b in zip(p["w"], p["dw"], strict=True)],
                                p["X"], p["y"]), 0)


def dwv(p: Any) -> Any:
    return col(p["dw"])


claim(P, "D2", lambda p: (ls(p["w"], p["X"], p["y"]),
                          ((yv(p) - Xw(p)).T * (yv(p) - Xw(p)))[0, 0],
                          ((yv(p).T - col(p["w"]).T * p["X"].T) * (yv(p) - Xw(p)))[0, 0],
                          (yv(p).T * yv(p) - col(p["w"]).T * p["X"].T * yv(p) - yv(p).T * Xw(p)
                           + col(p["w"]).T * p["X"].T * Xw(p))[0, 0]), LD)
claim(P, "D3", lambda p: (dL(p),
                          (-dwv(p).T * p["X"].T * yv(p) - yv(p).T * p["X"] * dwv(p)
                           + dwv(p).T * p["X"].T * Xw(p)
                           + col(p["w"]).T * p["X"].T * p["X"] * dwv(p))[0, 0],
                          (-2 * dwv(p).T * p["X"].T * yv(p)
                           + 2 * dwv(p).T * p["X"].T * Xw(p))[0, 0]), DL)
claim(P, "D4", lambda p: (dL(p), (dwv(p).T * (-2 * p["X"].T * yv(p)
                                              + 2 * p["X"].T * Xw(p)))[0, 0]), DL)



# shuhanyu_linreg: h = θ_0 + θ_1 x, J = (1/2m) Σ (h − y)², m = 3 ----------------------------
P = "shuhanyu_linreg"
SH = {"th": vector(2), "x": vector(3), "y": vector(3), "j": choice(0, 1)}


def jlin(th: list[Any], x: list[Any], y: list[Any]) -> Any:
    return mp.fsum((th[0] + th[1] * a - b) ** 2 for a, b in zip(x, y, strict=True)) / (2 * 3)


def djlin(p: Any, j: int) -> Any:
    return grad(lambda th: jlin(th, p["x"], p["y"]), p["th"], j)


chain(P, ["R1", "R2"], [
    lambda p: djlin(p, p["j"]),
    lambda p: djlin(p, p["j"]),
    lambda p: grad(lambda th: mp.fsum((th[0] + th[1] * a - b) ** 2
                                      for a, b in zip(p["x"], p["y"], strict=True)) / 6,
                   p["th"], p["j"]),
], SH)


def resid(p: Any) -> list[Any]:
    return [p["th"][0] + p["th"][1] * a - b for a, b in zip(p["x"], p["y"], strict=True)]


claim(P, "R3", lambda p: (djlin(p, 0), mp.fsum(r * 1 for r in resid(p)) / 3), SH)
claim(P, "R4", lambda p: (djlin(p, 1),
                          mp.fsum(r * a for r, a in zip(resid(p), p["x"], strict=True)) / 3), SH)

# tinynet_mse: l = (1/n) Σ (y_i − ŷ_i)², y the prediction ----------------------------------
P = "tinynet_mse"
TN = {"y": vector(3), "t": vector(3), "i": choice(0, 1, 2)}
claim(P, "N2", lambda p: (grad(lambda v: v[p["i"]] - p["t"][p["i"]], p["y"], p["i"]), 1), TN)
claim(P, "N3", lambda p: (grad(lambda v: mp.fsum((a - b) ** 2 for a, b in zip(v, p["t"],
                                                                            strict=True)) / 3,
                               p["y"], p["i"]),
                          2 * (p["y"][p["i"]] - p["t"][p["i"]]) / 3 * 1,
                          2 * (p["y"][p["i"]] - p["t"][p["i"]]) / 3), TN)

# gitmemories_mse_sign: L = (y_true − y_pred)², y_pred = σ(w_1 x_1 + w_2 x_2 + b) ------------
P = "gitmemories_mse_sign"
GM = {"w1": REAL_, "w2": REAL_, "x1": REAL_, "x2": REAL_, "b": REAL_, "yt": REAL_}


def ypred(p: Any, w1: Any) -> Any:
    return 1 / (1 + mp.exp(-(w1 * p["x1"] + p["w2"] * p["x2"] + p["b"])))


claim(P, "G1", lambda p: (mp.diff(lambda w: (p["yt"] - ypred(p, w)) ** 2, p["w1"]),
                          -2 * (p["yt"] - ypred(p, p["w1"]))
                          * mp.diff(lambda w: ypred(p, w), p["w1"])), GM)
claim(P, "G2", lambda p: (mp.diff(lambda q: (p["yt"] - q) ** 2, ypred(p, p["w1"])),
                          (p["yt"] - ypred(p, p["w1"])) ** 2), GM,
      witness={"w1": 0, "w2": 0, "x1": 0, "x2": 0, "b": 0, "yt": 1},
      why="at y_pred = 1/2, y_true = 1: the derivative is −1, (y_true − y_pred)² = 1/4")
claim(P, "G3", lambda p: (mp.diff(lambda q: (p["yt"] - q) ** 2, ypred(p, p["w1"])),
                          -2 * (p["yt"] - ypred(p, p["w1"]))), GM)
