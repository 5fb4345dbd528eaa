"""Truth of the logistic-regression posts (gradients and Hessians of the log loss)."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import (
    LABEL,
    POS,
    REAL,
    SIGN,
    chain,
    choice,
    claim,
    col,
    d,
    diag,
    e,
    entries,
    grad,
    hess,
    ln,
    madd,
    matrix,
    mm,
    sig,
    vector,
)

# amanai_logistic: m = 3 examples, n = 2 features, x_0 = 1 ---------------------------------
P = "amanai_logistic"
M, NF = 3, 2


def t_of(theta: list[Any], xs: Any, i: int) -> Any:
    """θx^{(i)} = θ_0 + Σ_j θ_j x_j^{(i)}."""
    return theta[0] + mp.fsum(theta[j] * xs[i, j - 1] for j in range(1, NF + 1))


def j_cost(theta: list[Any], xs: Any, ys: list[Any]) -> Any:
    total = mp.fsum(ys[i] * ln(sig(t_of(theta, xs, i)))
                    + (1 - ys[i]) * ln(1 - sig(t_of(theta, xs, i)))
                    for i in range(M))
    return -total / M


AM = {"theta": vector(NF + 1), "X": matrix(M, NF), "y": vector(M, LABEL), "j": choice(1, 2)}
claim(P, "A1", lambda p: (grad(lambda th: j_cost(th, p["X"], p["y"]), p["theta"], p["j"]),
                          mp.fsum((sig(t_of(p["theta"], p["X"], i)) - p["y"][i])
                                  * p["X"][i, p["j"] - 1] for i in range(M))),
      AM, witness={"theta": [0, 1, 0], "X": mp.matrix([[1, 0], [2, 0], [-1, 1]]),
                   "y": [1, 0, 0], "j": 1},
      why="the right side is m = 3 times ∂J/∂θ_j")
T = {"t": REAL}
claim(P, "A5", lambda p: (ln(sig(p["t"])), ln(1 / (1 + e(-p["t"]))), -ln(1 + e(-p["t"]))), T)
claim(P, "A6", lambda p: (ln(1 - sig(p["t"])), ln(1 - 1 / (1 + e(-p["t"]))),
                          ln(e(-p["t"])) - ln(1 + e(-p["t"])), -p["t"] - ln(1 + e(-p["t"]))), T)

# ivanhalim_logistic: per parameter, h_θ(x) = σ(θx), i = 0..m (m = 2) ----------------------
P = "ivanhalim_logistic"
MI = 2


def jcost_i(theta: Any, xs: list[Any], ys: list[Any]) -> Any:
    return -mp.fsum(ys[i] * ln(sig(theta * xs[i])) + (1 - ys[i]) * ln(1 - sig(theta * xs[i]))
                    for i in range(MI + 1)) / MI


ID = {"theta": REAL, "x": vector(MI + 1), "y": vector(MI + 1, LABEL)}
claim(P, "I1", lambda p: (d(sig, p["theta"]), sig(p["theta"]) * (1 - sig(p["theta"]))), ID)
# z depends on θ through some z(θ); here z = θ·c + r for a random c, r
claim(P, "I2", lambda p: (d(lambda t: sig(t * p["x"][0] + p["x"][1]), p["theta"]),
                          sig(p["theta"] * p["x"][0] + p["x"][1])
                          * (1 - sig(p["theta"] * p["x"][0] + p["x"][1])) * p["x"][0]), ID)
ZD = {"th": vector(3), "x": vector(3)}


def z3(th: list[Any], x: list[Any]) -> Any:
    return th[0] + th[1] * x[1] + th[2] * x[2]


claim(P, "I4", lambda p: (grad(lambda th: z3(th, p["x"]), p["th"], 0), 1), ZD)
claim(P, "I5", lambda p: (grad(lambda th: z3(th, p["x"]), p["th"], 1), p["x"][1]), ZD)
claim(P, "I6", lambda p: (grad(lambda th: sig(z3(th, p["x"])), p["th"], p["i"]),
                          sig(z3(p["th"], p["x"])) * (1 - sig(z3(p["th"], p["x"])))
                          * p["x"][p["i"]]),
      {**ZD, "i": choice(1, 2)})


def djdt(p: Any) -> Any:
    return d(lambda t: jcost_i(t, p["x"], p["y"]), p["theta"])


def dh(p: Any, i: int) -> Any:
    return d(lambda t: sig(t * p["x"][i]), p["theta"])


def h_(p: Any, i: int) -> Any:
    return sig(p["theta"] * p["x"][i])


chain(P, ["I7", "I8", "I9"], [
    djdt,
    djdt,
    lambda p: -mp.fsum(d(lambda t, i=i: p["y"][i] * ln(sig(t * p["x"][i])), p["theta"])
                       + d(lambda t, i=i: (1 - p["y"][i]) * ln(1 - sig(t * p["x"][i])), p["theta"])
                       for i in range(MI + 1)) / MI,
    lambda p: -mp.fsum(p["y"][i] / h_(p, i) * dh(p, i) - (1 - p["y"][i]) / (1 - h_(p, i)) * dh(p, i)
                       for i in range(MI + 1)) / MI,
], ID)
claim(P, "I11", lambda p: (djdt(p), -mp.fsum(
    p["y"][i] / sig(p["x"][i]) * 0 - (1 - p["y"][i]) / (1 - sig(p["x"][i])) * 0
    for i in range(MI + 1)) / MI), ID,
      witness={"theta": 1, "x": [1, 1, 1], "y": [1, 0, 1]},
      why="σ(x^{(i)}) does not depend on θ: the bracket is 0, the derivative is not")

# duzhongxiang_newton: n = 3 examples (rows of A), d = 2 ------------------------------------
P = "duzhongxiang_newton"
ND, DD = 3, 2
DZ = {"w": vector(DD), "A": matrix(ND, DD), "y": vector(ND, LABEL), "i": choice(0, 1, 2),
      "j": choice(0, 1)}


def wx(w: list[Any], a: Any, i: int) -> Any:
    return mp.fsum(w[j] * a[i, j] for j in range(DD))


def alpha(w: list[Any], a: Any, i: int) -> Any:
    return 1 / (1 + e(-wx(w, a, i)))


def nll(w: list[Any], a: Any, y: list[Any]) -> Any:
    return -mp.fsum(y[i] * ln(alpha(w, a, i)) + (1 - y[i]) * ln(1 - alpha(w, a, i))
                    for i in range(ND))


claim(P, "U2", lambda p: (nll(p["w"], p["A"], p["y"]), -ln(mp.fprod(
    alpha(p["w"], p["A"], i) ** p["y"][i] * (1 - alpha(p["w"], p["A"], i)) ** (1 - p["y"][i])
    for i in range(ND))), mp.fsum(p["y"][i] * ln(alpha(p["w"], p["A"], i)) for i in range(ND))
    + mp.fsum((1 - p["y"][i]) * ln(1 - alpha(p["w"], p["A"], i)) for i in range(ND))), DZ,
      witness={"w": [1, 0], "A": mp.matrix([[1, 0], [0, 1], [1, 1]]), "y": [1, 0, 1], "i": 0,
               "j": 0}, why="the last side is log P(D|w) = −L(w)")


def ew(p: Any) -> Any:
    return e(-wx(p["w"], p["A"], p["i"]))


def xij(p: Any) -> Any:
    return p["A"][p["i"], p["j"]]


claim(P, "U3", lambda p: (grad(lambda w: ln(alpha(w, p["A"], p["i"])), p["w"], p["j"]),
                          grad(lambda w: -ln(1 + e(-wx(w, p["A"], p["i"]))), p["w"], p["j"]),
                          xij(p) * ew(p) / (1 + ew(p))), DZ)
chain(P, ["U4", "U5"], [
    lambda p: grad(lambda w: ln(1 - alpha(w, p["A"], p["i"])), p["w"], p["j"]),
    (lambda p: grad(lambda w: ln(e(-wx(w, p["A"], p["i"])) / (1 + e(-wx(w, p["A"], p["i"])))),
                    p["w"], p["j"]),
     lambda p: grad(lambda w: ln(e(-wx(w, p["A"], p["i"]))) - ln(1 + e(-wx(w, p["A"], p["i"]))),
                    p["w"], p["j"])),
    (lambda p: -xij(p) + xij(p) * ew(p) / (1 + ew(p)), lambda p: -xij(p) / (1 + ew(p))),
], DZ)


def sum_i(p: Any, f: Any) -> Any:
    return mp.fsum(f({**p, "i": i}) for i in range(ND))


chain(P, ["U6", "U7"], [
    lambda p: grad(lambda w: nll(w, p["A"], p["y"]), p["w"], p["j"]),
    (lambda p: -sum_i(p, lambda q: q["y"][q["i"]] * xij(q) * ew(q) / (1 + ew(q))
                      + (1 - q["y"][q["i"]]) * (-xij(q)) / (1 + ew(q))),
     lambda p: -sum_i(p, lambda q: xij(q) * (q["y"][q["i"]] * (1 + ew(q)) - 1) / (1 + ew(q)))),
    (lambda p: -sum_i(p, lambda q: xij(q) * (q["y"][q["i"]] - alpha(q["w"], q["A"], q["i"]))),
     lambda p: sum_i(p, lambda q: xij(q) * (alpha(q["w"], q["A"], q["i"]) - q["y"][q["i"]]))),
], DZ)
claim(P, "U8", lambda p: ([grad(lambda w: nll(w, p["A"], p["y"]), p["w"], j) for j in range(DD)],
                          entries(p["A"].T * col([alpha(p["w"], p["A"], i) - p["y"][i]
                                                  for i in range(ND)]))), DZ)

# imathworks_newton_hessian: one example, scalar w, x -----------------------------------------
P = "imathworks_newton_hessian"


def loss_m(p: Any, w: Any) -> Any:
    h = sig(w * p["x"] + p["b"])
    return -(p["y"] * ln(h) + (1 - p["y"]) * ln(1 - h)) / p["m"]


claim(P, "H3", lambda p: (d(lambda w: loss_m(p, w), p["w"]),
                          -(1 / p["m"]) * (sig(p["w"] * p["x"] + p["b"]) - p["y"]) * p["x"]),
      {"w": REAL, "x": REAL, "b": REAL, "y": LABEL, "m": choice(1, 2, 5)},
      witness={"w": 1, "x": 1, "b": 0, "y": 0, "m": 1}, why="the sign: σ(1) against −σ(1)")

# monotone_fisher_scoring: X m×n (3×2), l the log-likelihood ---------------------------------
P = "monotone_fisher_scoring"


def loglik(theta: list[Any], x: Any, y: list[Any]) -> Any:
    return mp.fsum(y[i] * ln(sig(mp.fsum(theta[j] * x[i, j] for j in range(x.cols))))
                   + (1 - y[i]) * ln(1 - sig(mp.fsum(theta[j] * x[i, j] for j in range(x.cols))))
                   for i in range(x.rows))


def s_matrix(theta: list[Any], x: Any) -> Any:
    h = [sig(mp.fsum(theta[j] * x[i, j] for j in range(x.cols))) for i in range(x.rows)]
    return diag([v * (1 - v) for v in h])


def hess_of(f: Any, xs: list[Any]) -> Any:
    return mp.matrix([[hess(f, xs, i, j) for j in range(len(xs))] for i in range(len(xs))])


claim(P, "F6", lambda p: (hess_of(lambda th: loglik(th, p["X"], p["y"]), p["theta"]),
                          p["X"].T * s_matrix(p["theta"], p["X"]) * p["X"]),
      {"theta": vector(2), "X": matrix(3, 2), "y": vector(3, LABEL)},
      witness={"theta": [0, 0], "X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "y": [1, 0, 1]},
      why="the Hessian of l is −X'SX")

# mse4091565_l2_hessian: X n×k (3×2) --------------------------------------------------------
P = "mse4091565_l2_hessian"
EL = {"beta": vector(2), "X": matrix(3, 2), "y": vector(3, LABEL), "lam": POS}
WL = {"beta": [0, 0], "X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "y": [1, 0, 1], "lam": 1}


def ell(beta: list[Any], x: Any, y: list[Any]) -> Any:
    xb = [mp.fsum(beta[j] * x[i, j] for j in range(x.cols)) for i in range(x.rows)]
    return mp.fsum(y[i] * xb[i] - ln(1 + e(xb[i])) for i in range(x.rows))


def ell_reg(beta: list[Any], x: Any, y: list[Any], lam: Any) -> Any:
    return ell(beta, x, y) + lam * mp.fsum(b ** 2 for b in beta)


def pvec(p: Any) -> list[Any]:
    return [sig(mp.fsum(p["beta"][j] * p["X"][i, j] for j in range(2))) for i in range(3)]


def grad_of(f: Any, xs: list[Any]) -> list[Any]:
    return [grad(f, xs, k) for k in range(len(xs))]


claim(P, "E1", lambda p: (grad_of(lambda b: ell(b, p["X"], p["y"]), p["beta"]),
                          entries(p["X"].T * col([p["y"][i] - pvec(p)[i] for i in range(3)]))), EL)
claim(P, "E3", lambda p: (hess_of(lambda b: ell(b, p["X"], p["y"]), p["beta"]),
                          p["X"].T * diag([v * (1 - v) for v in pvec(p)]) * p["X"]), EL,
      witness=WL, why="the Hessian is −XᵀWX")
claim(P, "E5", lambda p: (grad_of(lambda b: ell_reg(b, p["X"], p["y"], p["lam"]), p["beta"]),
                          entries(p["X"].T * col([p["y"][i] - pvec(p)[i] for i in range(3)])
                                  + 2 * p["lam"] * col(p["beta"]))), EL)
claim(P, "E6", lambda p: (hess_of(lambda b: ell_reg(b, p["X"], p["y"], p["lam"]), p["beta"]),
                          madd(mm(p["X"].T, diag([v * (1 - v) for v in pvec(p)]), p["X"]),
                               2 * p["lam"])), EL,
      witness=WL, illformed=True, why="2λ (a number) added to a 2×2 matrix; and the sign")
claim(P, "A1", lambda p: (ell(p["beta"], p["X"], p["y"]),
                          mp.fsum(p["y"][i] * mp.fsum(p["beta"][j] * p["X"][i, j] for j in range(2))
                                  for i in range(3))
                          - mp.fsum(ln(e(mp.fsum(p["beta"][j] * p["X"][i, j]
                                                 for j in range(2))) + 1)
                                    for i in range(3))), EL)
claim(P, "A2", lambda p: (grad_of(lambda b: ell(b, p["X"], p["y"]), p["beta"]),
                          entries(p["X"].T * col([p["y"][i] - pvec(p)[i] for i in range(3)]))), EL)
claim(P, "A3", lambda p: (hess_of(lambda b: ell(b, p["X"], p["y"]), p["beta"]),
                          -(p["X"].T * (diag(pvec(p)) - diag(pvec(p)) ** 2) * p["X"])), EL)

# techqa2637252_hessian: n = 3, d = 2, y_i = ±1 ---------------------------------------------
P = "techqa2637252_hessian"
TH = {"w": vector(2), "X": matrix(3, 2), "y": vector(3, SIGN), "C": POS,
      "jk": choice((0, 1), (1, 0))}


def f_reg(w: list[Any], x: Any, y: list[Any], c: Any) -> Any:
    return mp.fsum(v ** 2 for v in w) / 2 + c * mp.fsum(
        ln(1 + e(-y[i] * mp.fsum(w[j] * x[i, j] for j in range(2)))) for i in range(3))


def m_i(p: Any, i: int) -> Any:
    return e(-p["y"][i] * mp.fsum(p["w"][j] * p["X"][i, j] for j in range(2)))


def fr(p: Any) -> Any:
    return lambda w: f_reg(w, p["X"], p["y"], p["C"])


claim(P, "T2", lambda p: (grad(fr(p), p["w"], p["jk"][0]),
                          p["w"][p["jk"][0]] + p["C"] * mp.fsum(
                              -p["X"][i, p["jk"][0]] * p["y"][i] * m_i(p, i) / (1 + m_i(p, i))
                              for i in range(3))), TH)
claim(P, "T4", lambda p: (hess(fr(p), p["w"], p["jk"][0], p["jk"][0]),
                          1 + p["C"] * mp.fsum(p["X"][i, p["jk"][0]] ** 2 * p["y"][i] ** 2
                                               * m_i(p, i) / (1 + m_i(p, i)) ** 2
                                               for i in range(3))),
      TH)
claim(P, "T5", lambda p: (hess(fr(p), p["w"], *p["jk"]),
                          p["C"] * mp.fsum(p["X"][i, p["jk"][0]] * p["X"][i, p["jk"][1]]
                                           * p["y"][i] ** 2 * m_i(p, i) / (1 + m_i(p, i)) ** 2
                                           for i in range(3))), TH)

# napsterinblue_logit -----------------------------------------------------------------------
P = "napsterinblue_logit"
Z = {"z": REAL, "y": LABEL}
claim(P, "N4", lambda p: (sig(p["z"]), sig(p["z"]), sig(p["z"]), 1 / (1 + e(-p["z"]))), Z)
claim(P, "N5", lambda p: (d(sig, p["z"]), sig(p["z"]) * (1 - sig(p["z"]))), Z)
claim(P, "N6", lambda p: (d(lambda a: -(p["y"] * ln(a) + (1 - p["y"]) * ln(1 - a)), sig(p["z"])),
                          -p["y"] / sig(p["z"]) + (1 - p["y"]) / (1 - sig(p["z"]))), Z)


