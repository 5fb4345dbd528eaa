"""Truth of the fourth held-out set (HOLDOUT4): posts added after the third holdout.

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
    UNIT,
    chain,
    choice,
    claim,
    d,
    e,
    grad,
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


def num(text: str) -> Any:
    """A decimal as posted, exactly (at the working precision)."""
    return mp.mpf(text)


# mse95518_scaled_tanh: f(x) = 1.7159 tanh(2x/3) -----------------------------------------------
P = "mse95518_scaled_tanh"
LECUN = num("1.7159")


def lecun(x: Any) -> Any:
    return LECUN * mp.tanh(2 * x / 3)


def d_lecun(p: Any) -> Any:
    return d(lecun, p["x"])


claim(P, "T1", lambda p: (d(mp.tanh, p["x"]), mp.sech(p["x"]) ** 2), X)
claim(P, "T2", lambda p: (d(mp.tanh, p["x"]), 1 / mp.cosh(p["x"]) ** 2), X)
claim(P, "T3", lambda p: (d_lecun(p), 1 / mp.cosh(2 * p["x"] / 3) ** 2), X,
      witness={"x": mp.mpf(0)},
      why="f'(0) = 1.7159·2/3 = 1.1439; the line gives 1/cosh²(0) = 1")
claim(P, "T4", lambda p: (d_lecun(p), 2 * LECUN / 3 / mp.cosh(2 * p["x"] / 3) ** 2), X)
claim(P, "T5", lambda p: (d_lecun(p), 2 * LECUN / 3 * (1 - mp.tanh(2 * p["x"] / 3) ** 2)), X)

# statsse111388_regularized_sign: J(θ) = [Σ_i (h_θ(x_i) − y_i)² + λ Σ_{j≥1} θ_j²]/(2m) --------
P = "statsse111388_regularized_sign"
MR, NR = 3, 2
RG = {"th": vector(NR + 1), "X": matrix(MR, NR), "y": vector(MR), "lam": POS,
      "j": choice(1, 2)}


def h_lin(th: list[Any], xs: Any, i: int) -> Any:
    """θ_0 + Σ_k θ_k x^{(i)}_k (the feature x^{(i)}_k is column k − 1 of X)."""
    return th[0] + mp.fsum(th[k] * xs[i, k - 1] for k in range(1, NR + 1))


def j_reg(p: Any, th: list[Any]) -> Any:
    sq = mp.fsum((h_lin(th, p["X"], i) - p["y"][i]) ** 2 for i in range(MR))
    return (sq + p["lam"] * mp.fsum(th[k] ** 2 for k in range(1, NR + 1))) / (2 * MR)


def dj_reg(p: Any) -> Any:
    return grad(lambda th: j_reg(p, th), p["th"], p["j"])


def reg_rhs(p: Any, sign_y: int, sign_l: int) -> Any:
    """(1/m)[Σ_i (h + sign_y·y) x_ij + sign_l·λθ_j], the two posted forms."""
    th, xs, y, j = p["th"], p["X"], p["y"], p["j"]
    s = mp.fsum((h_lin(th, xs, i) + sign_y * y[i]) * xs[i, j - 1] for i in range(MR))
    return (s + sign_l * p["lam"] * th[j]) / MR


claim(P, "R1", lambda p: (dj_reg(p), reg_rhs(p, -1, -1)), RG,
      witness={"th": [0, 1, 0], "X": mp.zeros(MR, NR), "y": [0, 0, 0], "lam": 1, "j": 1},
      why="with no data term, θ_1 = 1, λ = 1: ∂J/∂θ_1 = λθ_1/m = 1/3, the slide −1/3")
claim(P, "R2", lambda p: (dj_reg(p), reg_rhs(p, 1, 1)), RG,
      witness={"th": [0, 0, 0], "X": mp.matrix([[1, 0], [0, 0], [0, 0]]), "y": [1, 0, 0],
               "lam": 1, "j": 1},
      why="at θ = 0, x^{(1)} = (1, 0), y^{(1)} = 1: ∂J/∂θ_1 = −1/3, the line +1/3")

# techqa3109537_sigmoid_quotient: D(1/(1 + e^{−x})) --------------------------------------------
P = "techqa3109537_sigmoid_quotient"


def den(x: Any) -> Any:
    return 1 + e(-x)


def d_den(x: Any) -> Any:
    """D(1 + e^{−x}), numerically."""
    return d(den, x)


def d_sig(p: Any) -> Any:
    return d(lambda t: 1 / den(t), p["x"])


D_ONE = 0  # D(1)

claim(P, "Q1", lambda p: (d_sig(p), (1 * d_den(p["x"]) - den(p["x"]) * D_ONE) / den(p["x"]) ** 2),
      X, witness={"x": mp.mpf(0)},
      why="at x = 0 the derivative is 1/4, the reversed numerator gives −1/4")
claim(P, "Q2", lambda p: (d(lambda t: e(-t), p["x"]) + D_ONE, -e(-p["x"])), X)
claim(P, "Q3", lambda p: (d_sig(p), -e(-p["x"]) / den(p["x"]) ** 2), X,
      witness={"x": mp.mpf(0)}, why="at x = 0 the derivative is 1/4, the line −1/4")

# The quotient rules, for functions drawn from a family (v and g kept away from 0).
UV = {"x": REAL, "a": REAL, "b": REAL, "c": REAL}


def top(p: Any) -> Callable[[Any], Any]:
    return lambda t: p["a"] * mp.sin(t) + p["b"] * t ** 2


def bottom(p: Any) -> Callable[[Any], Any]:
    return lambda t: 2 + mp.cos(p["c"] * t)


def quotient_rule(p: Any) -> tuple[Any, Any]:
    u, v, x = top(p), bottom(p), p["x"]
    return (d(lambda t: u(t) / v(t), x),
            (v(x) * d(u, x) - u(x) * d(v, x)) / v(x) ** 2)


claim(P, "Q4", quotient_rule, UV)
claim(P, "Q6", lambda p: (d(lambda t: top(p)(t) / bottom(p)(t), p["x"]),
                          (d(top(p), p["x"]) * bottom(p)(p["x"])
                           - d(bottom(p), p["x"]) * top(p)(p["x"])) / bottom(p)(p["x"]) ** 2), UV)


def flipped(p: Any) -> Any:
    """((1 + e^{−x})·D(1) − 1·D(1 + e^{−x}))/(1 + e^{−x})²."""
    x = p["x"]
    return (den(x) * D_ONE - 1 * d_den(x)) / den(x) ** 2


def answer_tail(p: Any) -> tuple[Any, Any]:
    x = p["x"]
    return (0 - 1 * (-e(-x))) / den(x) ** 2, e(-x) / den(x) ** 2


claim(P, "Q5", lambda p: (d_sig(p), flipped(p), *answer_tail(p)), X)
claim(P, "Q7", lambda p: (d_sig(p), flipped(p)), X)
claim(P, "Q8", lambda p: (d(lambda t: den(t) ** -1, p["x"]),
                          -1 * den(p["x"]) ** -2 * (-e(-p["x"])),
                          e(-p["x"]) / den(p["x"]) ** 2), X)
claim(P, "Q9", lambda p: (flipped(p), *answer_tail(p)), X)

# mse2910933_hessian_order: l(θ) = Σ_i [y_i log h(x_i) + (1 − y_i) log(1 − h(x_i))] -------------
P = "mse2910933_hessian_order"
MH, DH = 3, 2
HO = {"th": matrix(DH, 1), "X": matrix(MH, DH), "y": vector(MH, LABEL)}


def x_col(p: Any, i: int) -> Any:
    return mp.matrix([[p["X"][i, k]] for k in range(DH)])


def h_log(th: Any, x: Any) -> Any:
    return sig(mm(th.T, x)[0, 0])


def loglik(p: Any, th: Any) -> Any:
    return mp.fsum(p["y"][i] * ln(h_log(th, x_col(p, i)))
                   + (1 - p["y"][i]) * ln(1 - h_log(th, x_col(p, i))) for i in range(MH))


def hessian_l(p: Any) -> Any:
    out = mp.matrix(DH, DH)
    for a in range(DH):
        g = mgrad(lambda th, a=a: mgrad(lambda t: loglik(p, t), th)[a, 0], p["th"])
        for b in range(DH):
            out[a, b] = g[b, 0]
    return out


def sum_mats(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def weight(p: Any, i: int) -> Any:
    h = h_log(p["th"], x_col(p, i))
    return h * (1 - h)


claim(P, "H1", lambda p: (mgrad(lambda t: loglik(p, t), p["th"]), sum_mats([
    x_col(p, i) * (p["y"][i] - h_log(p["th"], x_col(p, i))) for i in range(MH)])), HO)
claim(P, "H3", lambda p: (hessian_l(p), sum_mats([
    -1 * mm(x_col(p, i), x_col(p, i).T) * weight(p, i) for i in range(MH)])), HO)
claim(P, "H5", lambda p: (hessian_l(p), sum_mats([
    -1 * mm(x_col(p, i).T, x_col(p, i)) * weight(p, i) for i in range(MH)])), HO,
      witness={"th": mp.zeros(DH, 1), "X": mp.matrix([[1, 0], [0, 1], [1, 1]]), "y": [1, 0, 1]},
      illformed=True, why="x^{(i)T}h(1 − h)x^{(i)} is 1×1; the Hessian by θ is 2×2")

# statsse277203_ce_chain: E = −Σ_j t_j ln o_j, o = softmax(z), t one-hot ------------------------
P = "statsse277203_ce_chain"
CC = 3
CE3 = {"z": vector(CC), "t": onehot(CC), "j": choice(0, 1, 2)}
CE_WITNESS = {"z": [0, 0, 0], "t": [1, 0, 0], "j": 1}


def ce_o(t: list[Any], o: list[Any]) -> Any:
    return -mp.fsum(t[k] * ln(o[k]) for k in range(CC))


def de_dz(p: Any) -> Any:
    return grad(lambda z: ce_o(p["t"], softmax(z)), p["z"], p["j"])


def de_do(p: Any) -> Any:
    """∂E/∂o_j with the outputs as E's variables, at o = softmax(z)."""
    return grad(lambda o: ce_o(p["t"], o), softmax(p["z"]), p["j"])


def do_dz(p: Any) -> Any:
    return grad(lambda z: softmax(z)[p["j"]], p["z"], p["j"])


def o_j(p: Any) -> Any:
    return softmax(p["z"])[p["j"]]


def t_j(p: Any) -> Any:
    return p["t"][p["j"]]


claim(P, "E1", lambda p: (de_do(p), -t_j(p) / o_j(p)), CE3)
claim(P, "E3", lambda p: (do_dz(p), o_j(p) * (1 - o_j(p))), CE3)
claim(P, "E4", lambda p: (de_dz(p), t_j(p) - o_j(p)), CE3, witness=CE_WITNESS,
      why="at z = 0, t = (1, 0, 0): ∂E/∂z_2 = o_2 − t_2 = 1/3, the line −1/3")
claim(P, "E5", lambda p: (de_dz(p), de_do(p) * do_dz(p)), CE3, witness=CE_WITNESS,
      why="at z = 0, t = (1, 0, 0): ∂E/∂z_2 = 1/3, the product through o_2 alone is 0")
claim(P, "E6", lambda p: (de_do(p), de_dz(p) / do_dz(p)), CE3, witness=CE_WITNESS,
      why="at z = 0, t = (1, 0, 0): ∂E/∂o_2 = 0, the quotient (1/3)/(2/9) = 3/2")
claim(P, "E7", lambda p: (de_dz(p) / do_dz(p), (t_j(p) - o_j(p)) / (o_j(p) * (1 - o_j(p)))),
      CE3, witness=CE_WITNESS,
      why="at z = 0, t = (1, 0, 0), j = 2: the quotient is 3/2, the line −3/2")

# statsse235528_softmax_backprop: z_j = Σ_i w_ij h_i + b, o = softmax(z), E = −Σ t_j log o_j -----
P = "statsse235528_softmax_backprop"
CI, CJ = 2, 3


def pair() -> Callable[[Any], tuple[int, int]]:
    return lambda r: (r.randrange(CI), r.randrange(CJ))


SB = {"h": vector(CI), "W": matrix(CI, CJ), "b": REAL, "t": onehot(CJ), "ij": pair()}


def z_out(p: Any, w: Any) -> list[Any]:
    return [mp.fsum(w[i, j] * p["h"][i] for i in range(CI)) + p["b"] for j in range(CJ)]


def e_w(p: Any, w: Any) -> Any:
    o = softmax(z_out(p, w))
    return -mp.fsum(p["t"][j] * ln(o[j]) for j in range(CJ))


def along_w(p: Any, f: Callable[[Any], Any]) -> Any:
    """∂f/∂w_ij at the point's W, numerically."""
    i, j = p["ij"]

    def at(v: Any) -> Any:
        w = p["W"].copy()
        w[i, j] = v
        return f(w)
    return mp.diff(at, p["W"][i, j])


def sb_o(p: Any) -> list[Any]:
    return softmax(z_out(p, p["W"]))


def sb_factors(p: Any) -> Any:
    """∂E/∂o_j · ∂o_j/∂z_j · ∂z_j/∂w_ij, each computed on its own."""
    j = p["ij"][1]
    o, z = sb_o(p), z_out(p, p["W"])
    de = grad(lambda v: -mp.fsum(p["t"][k] * ln(v[k]) for k in range(CJ)), o, j)
    do = grad(lambda v: softmax(v)[j], z, j)
    dz = along_w(p, lambda w: z_out(p, w)[j])
    return de * do * dz


claim(P, "B3", lambda p: (along_w(p, lambda w: e_w(p, w)), sb_factors(p)), SB,
      witness={"h": [1, 1], "W": mp.zeros(CI, CJ), "b": 0, "t": [1, 0, 0], "ij": (0, 1)},
      why="at W = 0, h = (1, 1), t = (1, 0, 0): ∂E/∂w_12 = o_2h_1 = 1/3, the product 0")
claim(P, "B4", lambda p: (along_w(p, lambda w: z_out(p, w)[p["ij"][1]]), p["h"][p["ij"][0]]), SB)


def sb_de_do(p: Any) -> Any:
    j = p["ij"][1]
    return grad(lambda v: -mp.fsum(p["t"][k] * ln(v[k]) for k in range(CJ)), sb_o(p), j)


claim(P, "B5", lambda p: (sb_de_do(p), -p["t"][p["ij"][1]] / sb_o(p)[p["ij"][1]]), SB)
ZV = {"z": vector(CJ), "j": choice(0, 1, 2)}


def zsum(z: list[Any]) -> Any:
    return mp.fsum(e(v) for v in z)


claim(P, "B6", lambda p: (grad(lambda z: softmax(z)[p["j"]], p["z"], p["j"]),
                          grad(lambda z: e(z[p["j"]]) / zsum(z), p["z"], p["j"])), ZV)
ZB = {"z": vector(CJ)}
CLASS_B = 1


def o_b(p: Any) -> Any:
    return softmax(p["z"])[CLASS_B]


claim(P, "B7", lambda p: (o_b(p), e(p["z"][CLASS_B]) / zsum(p["z"]),
                          e(p["z"][CLASS_B]) / (e(p["z"][0]) + e(p["z"][1]) + e(p["z"][2]))), ZB)


def b8_tail(p: Any) -> Any:
    eb, s = e(p["z"][CLASS_B]), zsum(p["z"])
    return eb / s - eb ** 2 / s ** 2


claim(P, "B8", lambda p: (grad(lambda z: softmax(z)[CLASS_B], p["z"], CLASS_B),
                          (e(p["z"][CLASS_B]) * zsum(p["z"]) - e(p["z"][CLASS_B]) ** 2)
                          / zsum(p["z"]) ** 2, b8_tail(p)), ZB)
claim(P, "B9", lambda p: (b8_tail(p), o_b(p) - o_b(p) ** 2, o_b(p) - o_b(p) ** 2,
                          o_b(p) * (1 - o_b(p))), ZB)

# imathworks_ce_sign: E_x = −Σ_k [t_k log o_k + (1 − t_k) log(1 − o_k)] ------------------------
P = "imathworks_ce_sign"
CS = 3
CX = {"o": vector(CS, UNIT), "t": vector(CS, LABEL), "j": choice(0, 1, 2)}


def inner(t: list[Any], o: list[Any]) -> Any:
    return mp.fsum(t[k] * ln(o[k]) + (1 - t[k]) * ln(1 - o[k]) for k in range(CS))


def ex_loss(t: list[Any], o: list[Any]) -> Any:
    return -inner(t, o)


def d_ex(p: Any) -> Any:
    return grad(lambda o: ex_loss(p["t"], o), p["o"], p["j"])


def tj_oj(p: Any) -> tuple[Any, Any]:
    return p["t"][p["j"]], p["o"][p["j"]]


def slide(p: Any, s1: int, s2: int) -> Any:
    t, o = tj_oj(p)
    return s1 * t / o + s2 * (1 - t) / (1 - o)


HALF = mp.mpf("0.5")
claim(P, "S1", lambda p: (d_ex(p), slide(p, 1, 1)), CX,
      witness={"o": [HALF] * CS, "t": [1, 0, 0], "j": 0},
      why="at o = 1/2, t_1 = 1: ∂E_x/∂o_1 = −2, the slide +2")
claim(P, "S2", lambda p: (d_ex(p), slide(p, -1, 1)), CX)
claim(P, "S3", lambda p: (d_ex(p), slide(p, -1, -1)), CX,
      witness={"o": [HALF] * CS, "t": [0, 0, 0], "j": 0},
      why="at o = 1/2, t_1 = 0: ∂E_x/∂o_1 = 2, the line −2")


def only_j(p: Any, o: Any) -> Any:
    t, j = p["t"], p["j"]
    return t[j] * ln(o[j]) + (1 - t[j]) * ln(1 - o[j])


chain(P, ["A1", "A2", "A3", "A4", "A5"], [
    d_ex,
    lambda p: grad(lambda o: -inner(p["t"], o), p["o"], p["j"]),
    lambda p: -grad(lambda o: inner(p["t"], o), p["o"], p["j"]),
    lambda p: -grad(lambda o: only_j(p, o), p["o"], p["j"]),
    lambda p: -(tj_oj(p)[0] / tj_oj(p)[1] - (1 - tj_oj(p)[0]) / (1 - tj_oj(p)[1])),
    lambda p: slide(p, -1, 1),
], CX)

# techqa3749279_ridge_vectorized: J(θ) = ‖Xθ − y‖²/(2m) + λΣθ_j²/(2m) ---------------------------
P = "techqa3749279_ridge_vectorized"
MV, NV = 3, 2
RV = {"X": matrix(MV, NV), "th": matrix(NV, 1), "y": matrix(MV, 1), "lam": POS}


def j_ridge(p: Any, th: Any) -> Any:
    r = mm(p["X"], th) - p["y"]
    return (mm(r.T, r)[0, 0] / (2 * MV)
            + p["lam"] / (2 * MV) * mp.fsum(th[k, 0] ** 2 for k in range(NV)))


def ridge_grad(p: Any) -> Any:
    return mm(p["X"].T, mm(p["X"], p["th"]) - p["y"]) / MV + p["th"] * (p["lam"] / MV)


claim(P, "V1", lambda p: (mgrad(lambda t: j_ridge(p, t), p["th"]), ridge_grad(p)), RV)
claim(P, "V2", lambda p: (j_ridge(p, p["th"]),
                          mm((mm(p["X"], p["th"]) - p["y"]).T, mm(p["X"], p["th"]) - p["y"])[0, 0]
                          / (2 * MV) + p["lam"] / (2 * MV) * mm(p["th"].T, p["th"])[0, 0]), RV)
claim(P, "V3", lambda p: (mgrad(lambda t: j_ridge(p, t), p["th"]), ridge_grad(p)), RV)

# aise12612_mse_forms: L_1 = (ŷ − y)², L_2 = (y − ŷ)², derivatives by ŷ -----------------------
P = "aise12612_mse_forms"
YY = {"yh": REAL, "y": REAL}


def yh(p: Any) -> Any:
    return p["yh"]


def yy(p: Any) -> Any:
    return p["y"]


chain(P, ["M2", "M3", "M4", "M5"], [
    lambda p: d(lambda t: (t - yy(p)) ** 2, yh(p)),
    lambda p: d(lambda t: (t - yy(p)) ** 2, yh(p)),
    lambda p: 2 * (yh(p) - yy(p)) * d(lambda t: t - yy(p), yh(p)),
    lambda p: 2 * (yh(p) - yy(p)) * 1,
    lambda p: 2 * (yh(p) - yy(p)),
], YY)
chain(P, ["M7", "M8", "M9", "M10", "M11"], [
    lambda p: d(lambda t: (yy(p) - t) ** 2, yh(p)),
    lambda p: d(lambda t: (yy(p) - t) ** 2, yh(p)),
    lambda p: 2 * (yy(p) - yh(p)) * d(lambda t: yy(p) - t, yh(p)),
    lambda p: 2 * (yy(p) - yh(p)) * (-1),
    lambda p: -2 * (yy(p) - yh(p)),
    lambda p: 2 * (yh(p) - yy(p)),
], YY)
claim(P, "M12", lambda p: ((yh(p) - yy(p)) ** 2, (yh(p) - yy(p)) * (yh(p) - yy(p)),
                           yh(p) ** 2 - 2 * yh(p) * yy(p) + yy(p) ** 2), YY)
claim(P, "M13", lambda p: ((yy(p) - yh(p)) ** 2, (yy(p) - yh(p)) * (yy(p) - yh(p)),
                           yy(p) ** 2 - 2 * yy(p) * yh(p) + yh(p) ** 2), YY)

# aise13755_focal_gradient: FL(p) = −(1 − p)^γ log p, p = p(θ), a dot is d/dθ ------------------
P = "aise13755_focal_gradient"
FG = {"th": REAL, "a": real(0.3, 2.0), "b": REAL, "g": real(0.5, 3.0)}


def prob(q: Any) -> Callable[[Any], Any]:
    """p(θ): a differentiable probability of the parameter (drawn from a family)."""
    return lambda th: sig(q["a"] * th + q["b"])


def focal(q: Any, pr: Any) -> Any:
    return -(1 - pr) ** q["g"] * ln(pr)


def dot(q: Any, f: Callable[[Any], Any]) -> Any:
    """d f(p(θ))/dθ."""
    return d(lambda th: f(prob(q)(th)), q["th"])


def pv(q: Any) -> Any:
    return prob(q)(q["th"])


def pdot(q: Any) -> Any:
    return d(prob(q), q["th"])


def ce_dot(q: Any) -> Any:
    return dot(q, lambda pr: -ln(pr))


claim(P, "F2", lambda q: (dot(q, lambda pr: focal(q, pr)),
                          pdot(q) * (q["g"] * (1 - pv(q)) ** (q["g"] - 1) * ln(pv(q))
                                     - (1 - pv(q)) ** q["g"] / pv(q))), FG)
claim(P, "F3", lambda q: (ce_dot(q), -pdot(q) / pv(q)), FG)
claim(P, "F4", lambda q: (dot(q, lambda pr: focal(q, pr)),
                          (1 - pv(q)) ** q["g"] * ce_dot(q)
                          + q["g"] * pdot(q) * (1 - pv(q)) ** (q["g"] - 1) * ln(pv(q))), FG)

# newbe_log_sigmoid: d/dx ln σ(x) -------------------------------------------------------------
P = "newbe_log_sigmoid"


def xx(p: Any) -> Any:
    return p["x"]


claim(P, "L1", lambda p: (1 / (1 + e(-xx(p))),
                          e(xx(p)) * 1 / (e(xx(p)) * 1 + e(xx(p)) * e(-xx(p))),
                          e(xx(p)) / (e(xx(p)) + 1)), X)
claim(P, "L2", lambda p: (ln(e(xx(p)) / (e(xx(p)) + 1)), ln(e(xx(p))) - ln(e(xx(p)) + 1),
                          xx(p) - ln(e(xx(p)) + 1)), X)
claim(P, "L3", lambda p: (d(lambda t: ln(1 / (1 + e(-t))), xx(p)),
                          d(lambda t: t - ln(e(t) + 1), xx(p)),
                          d(lambda t: t, xx(p)) - d(lambda t: ln(e(t) + 1), xx(p))), X)


def alpha(x: Any) -> Any:
    return 1 + e(-x)


def beta(x: Any) -> Any:
    return alpha(x) ** -1


claim(P, "L6", lambda p: (
    d(lambda t: ln(beta(t)), xx(p)),
    d(ln, beta(xx(p))) * d(beta, xx(p)),
    d(ln, beta(xx(p))) * d(lambda a: a ** -1, alpha(xx(p))) * d(alpha, xx(p)),
    (1 / beta(xx(p))) * (-1 / alpha(xx(p)) ** 2) * (-e(-xx(p))),
    e(-xx(p)) / (1 + e(-xx(p))),
    1 / (e(xx(p)) + 1)), X)

# aise38164_bce_output: ŷ = O_3 = σ(b_3 + w_5 O_1 + w_6 O_2), L the binary cross-entropy --------
P = "aise38164_bce_output"


def relu(t: Any) -> Any:
    return t if t > 0 else mp.mpf(0)


claim(P, "N3", lambda p: (relu(num("0.2") + 6 * num("0.3") - num("0.2") * 2), relu(num("1.6"))))
claim(P, "N4", lambda p: (relu(num("1.6")), num("1.6")))
claim(P, "N6", lambda p: (sig(num("-0.6") - num("0.1") * 2 - num("0.2") * 6), sig(-2)))
claim(P, "A2", lambda p: (sig(num("-0.6") - num("0.1") * 2 + num("0.2") * 6), sig(num("0.4"))))
NW = {"y": LABEL, "O1": POS, "O2": UNIT, "w5": REAL, "w6": REAL, "b3": REAL}
NW_WITNESS = {"y": 0, "O1": 1, "O2": 1, "w5": 0, "w6": 1, "b3": 0}


def out3(p: Any, w6: Any) -> Any:
    return sig(p["b3"] + p["w5"] * p["O1"] + w6 * p["O2"])


def bce(y: Any, q: Any) -> Any:
    return -(y * ln(q) + (1 - y) * ln(1 - q))


def o3(p: Any) -> Any:
    return out3(p, p["w6"])


def dl_dw6(p: Any) -> Any:
    return d(lambda w: bce(p["y"], out3(p, w)), p["w6"])


def dl_dyhat_dyhat_dw6(p: Any) -> Any:
    return d(lambda q: bce(p["y"], q), o3(p)) * d(lambda w: out3(p, w), p["w6"])


def asker(p: Any) -> Any:
    return (o3(p) - p["y"]) * p["O2"] * (o3(p) * (1 - o3(p)))


claim(P, "G1", lambda p: (dl_dw6(p), dl_dyhat_dyhat_dw6(p)), NW)
claim(P, "G2", lambda p: (dl_dyhat_dyhat_dw6(p), asker(p)), NW, witness=NW_WITNESS,
      why="at y = 0, O_1 = O_2 = 1, w_5 = b_3 = 0, w_6 = 1: ∂L/∂w_6 = σ(1) = 0.731, the line 0.144")
claim(P, "G3", lambda p: (asker(p), (o3(p) - p["y"]) * p["O2"] * (o3(p) * (1 - o3(p)))), NW)
claim(P, "G4", lambda p: (dl_dw6(p), (o3(p) - p["y"]) * p["O2"]), NW)
