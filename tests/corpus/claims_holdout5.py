"""Truth of the fifth held-out set (HOLDOUT5): posts added after the fourth holdout.

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
    SIGN,
    chain,
    choice,
    claim,
    d,
    delta,
    diag,
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


def pairs(n: int, equal: bool | None = None) -> Callable[[Any], tuple[int, int]]:
    """A pair of indices (i, j) in 0 … n − 1: any, equal, or different."""
    def draw(r: Any) -> tuple[int, int]:
        while True:
            i, j = r.randrange(n), r.randrange(n)
            if equal is None or (i == j) == equal:
                return i, j
    return draw


# dsse89630_layernorm_flow: y_i = (x_i − μ)/σ, a prime is ∂/∂x_j ------------------------------
P = "dsse89630_layernorm_flow"
NL = 3


def spread() -> Callable[[Any], list[Any]]:
    """x with entries kept apart (σ > 0)."""
    def draw(r: Any) -> list[Any]:
        base = [mp.mpf(r.uniform(-2, 2)) for _ in range(NL)]
        return [base[0] - 1, base[1], base[2] + 1]
    return draw


LN = {"x": spread(), "ij": pairs(NL)}
LN_WITNESS = {"x": [mp.mpf(0), mp.mpf(0), mp.mpf(3)], "ij": (0, 0)}


def mu(x: list[Any]) -> Any:
    return mp.fsum(x) / NL


def var(x: list[Any]) -> Any:
    m = mu(x)
    return mp.fsum((v - m) ** 2 for v in x) / NL


def sd(x: list[Any]) -> Any:
    return mp.sqrt(var(x))


def by_xj(p: Any, f: Callable[[list[Any]], Any]) -> Any:
    """∂f/∂x_j at the point."""
    return grad(f, p["x"], p["ij"][1])


def ij(p: Any) -> tuple[int, int]:
    i, j = p["ij"]
    return int(i), int(j)


def xi(p: Any) -> Any:
    return p["x"][ij(p)[0]]


def xj(p: Any) -> Any:
    return p["x"][ij(p)[1]]


def dij(p: Any) -> int:
    return delta(*ij(p))


def dy(p: Any) -> Any:
    return by_xj(p, lambda x: (x[ij(p)[0]] - mu(x)) / sd(x))


def d_centred(p: Any) -> Any:
    """(x_i − μ)'."""
    return by_xj(p, lambda x: x[ij(p)[0]] - mu(x))


def d_mu(p: Any) -> Any:
    return by_xj(p, mu)


def d_sd(p: Any) -> Any:
    return by_xj(p, sd)


def d_var(p: Any) -> Any:
    return by_xj(p, var)


def m_(p: Any) -> Any:
    return mu(p["x"])


def s_(p: Any) -> Any:
    return sd(p["x"])


claim(P, "L4", lambda p: (dy(p), (d_centred(p) * s_(p) - (xi(p) - m_(p)) * d_sd(p)) / s_(p) ** 2),
      LN)
claim(P, "L5", lambda p: (d_centred(p), dij(p) - d_mu(p)), LN)
claim(P, "L6", lambda p: (d_mu(p), mp.mpf(1) / NL), LN)
claim(P, "L7", lambda p: (d_centred(p), dij(p) - mp.mpf(1) / NL), LN)
claim(P, "L8", lambda p: (d_sd(p), mp.mpf(1) / 2 * var(p["x"]) ** mp.mpf(-0.5) * d_var(p)), LN)


def l9(p: Any) -> Any:
    x, j = p["x"], ij(p)[1]
    return mp.fsum(2 * (x[k] - m_(p)) * (delta(k, j) - mp.mpf(1) / NL) for k in range(NL)) / NL


def l10(p: Any) -> Any:
    """(2/N)Σ_k [(x_k − μ)δ_ij − (x_k − μ)/N], δ_ij as written."""
    x = p["x"]
    return 2 * mp.fsum((x[k] - m_(p)) * dij(p) - (x[k] - m_(p)) / NL for k in range(NL)) / NL


def l11(p: Any) -> Any:
    x = p["x"]
    return 2 * ((xj(p) - m_(p)) - mp.fsum((x[k] - m_(p)) / NL for k in range(NL))) / NL


def l12(p: Any) -> Any:
    return 2 * ((xj(p) - m_(p)) - mp.fsum(p["x"]) / NL + NL * m_(p) / NL) / NL


def l13(p: Any) -> Any:
    return 2 * ((xj(p) - m_(p)) - m_(p) - mp.mpf(NL) / NL * m_(p)) / NL


def l14(p: Any) -> Any:
    return 2 * (xj(p) - m_(p)) / NL


claim(P, "L9", lambda p: (d_var(p), l9(p)), LN)
claim(P, "L10", lambda p: (l9(p), l10(p)), LN, witness=LN_WITNESS,
      why="x = (0, 0, 3), j = 1: the derivative is (2/3)(0 − 1) = −2/3, the line with δ_ij is 0")
claim(P, "L11", lambda p: (l10(p), l11(p)), LN, witness=LN_WITNESS,
      why="x = (0, 0, 3), i = j = 1: the line before is 0, this one −2/3")
claim(P, "L12", lambda p: (l11(p), l12(p)), LN)
claim(P, "L13", lambda p: (l12(p), l13(p)), LN, witness=LN_WITNESS,
      why="x = (0, 0, 3), j = 1 (μ = 1): (2/3)(0 − 1) = −2/3 against (2/3)(0 − 3) = −2")
claim(P, "L14", lambda p: (l13(p), l14(p)), LN, witness=LN_WITNESS,
      why="x = (0, 0, 3), j = 1 (μ = 1): −2 against −2/3")
claim(P, "L15", lambda p: (d_sd(p), mp.mpf(1) / 2 * var(p["x"]) ** mp.mpf(-0.5) * l14(p)), LN)
chain(P, ["L16", "L17"], [
    lambda p: mp.mpf(1) / 2 * var(p["x"]) ** mp.mpf(-0.5) * l14(p),
    lambda p: mp.mpf(1) / NL * (1 / s_(p)) * (xj(p) - m_(p)),
    lambda p: (xj(p) - m_(p)) / (NL * s_(p)),
], LN)


def l18(p: Any) -> Any:
    return (d_centred(p) * s_(p) - xi(p) * d_sd(p)) / s_(p) ** 2


def l19(p: Any) -> Any:
    return d_centred(p) * s_(p) / s_(p) ** 2 - (xi(p) - m_(p)) * d_sd(p) / s_(p) ** 2


claim(P, "L18", lambda p: (dy(p), l18(p)), LN, witness=LN_WITNESS,
      why="x = (0, 0, 3), i = j = 1 (μ = 1, σ = √2): dy_1/dx_1 = 0.3536, the line 0.4714")
claim(P, "L19", lambda p: (l18(p), l19(p)), LN, witness=LN_WITNESS,
      why="x = (0, 0, 3), i = j = 1: the line before 0.4714, this one 0.3536 (μσ'/σ² apart)")

# statsse253460_row_gradients: z_2 = hW_2 + b_2 (rows), ŷ = softmax(z_2), J = −Σ y log ŷ ----------
P = "statsse253460_row_gradients"
HH, DY = 2, 3
RG = {"h": matrix(1, HH), "W": matrix(HH, DY), "b": matrix(1, DY), "y": onehot(DY)}


def z2(h: Any, w: Any, b: Any) -> Any:
    return mm(h, w) + b


def j_of(p: Any, h: Any, w: Any) -> Any:
    z = z2(h, w, p["b"])
    yh = softmax([z[0, k] for k in range(DY)])
    return -mp.fsum(p["y"][k] * ln(yh[k]) for k in range(DY))


def delta1(p: Any) -> Any:
    z = z2(p["h"], p["W"], p["b"])
    yh = softmax([z[0, k] for k in range(DY)])
    return mp.matrix([[yh[k] - p["y"][k] for k in range(DY)]])


def dj_dz(p: Any) -> Any:
    z = z2(p["h"], p["W"], p["b"])

    def j_z(zz: Any) -> Any:
        yh = softmax([zz[0, k] for k in range(DY)])
        return -mp.fsum(p["y"][k] * ln(yh[k]) for k in range(DY))
    return mgrad(j_z, z)


def jac_h(p: Any) -> Any:
    """∂z_2/∂h: D_y×H, entry (k, a) = ∂z_{2,k}/∂h_a."""
    out = mp.matrix(DY, HH)
    for k in range(DY):
        g = mgrad(lambda h, k=k: z2(h, p["W"], p["b"])[0, k], p["h"])
        for a in range(HH):
            out[k, a] = g[0, a]
    return out


def contraction_w(p: Any) -> Any:
    """Σ_k (∂z_{2,k}/∂W_2)(∂J/∂z_{2,k})."""
    dz = dj_dz(p)
    out = mp.zeros(HH, DY)
    for k in range(DY):
        out += mgrad(lambda w, k=k: z2(p["h"], w, p["b"])[0, k], p["W"]) * dz[0, k]
    return out


def dj_dw(p: Any) -> Any:
    return mgrad(lambda w: j_of(p, p["h"], w), p["W"])


claim(P, "G1", lambda p: (dj_dz(p), delta1(p), delta1(p)), RG)
claim(P, "G2", lambda p: (mgrad(lambda h: j_of(p, h, p["W"]), p["h"]), mm(delta1(p), jac_h(p)),
                          mm(delta1(p), p["W"].T)), RG)
claim(P, "G3", lambda p: (dj_dw(p), contraction_w(p), mm(p["h"].T, delta1(p))), RG)
claim(P, "G4", lambda p: (dj_dw(p), contraction_w(p), mm(delta1(p), p["h"].T)), RG,
      witness={"h": mp.matrix([[1, 0]]), "W": mp.zeros(HH, DY), "b": mp.zeros(1, DY),
               "y": [1, 0, 0]},
      illformed=True, why="δ_1 is 1×3 and hᵀ is 2×1: the product does not conform")

# mse945871_softmax_loss_error: p = softmax(o), L = −Σ y_j log p_j, y one-hot -----------------
P = "mse945871_softmax_loss_error"
CS = 3


def sm(p: Any) -> list[Any]:
    return softmax(p["o"])


def dl_do(p: Any) -> Any:
    return grad(lambda o: -mp.fsum(p["y"][k] * ln(softmax(o)[k]) for k in range(CS)),
                p["o"], p["i"])


def dsoft(o: list[Any], j: int, i: int) -> Any:
    """∂p_j/∂o_i."""
    return grad(lambda v: softmax(v)[j], o, i)


SL = {"o": vector(CS), "y": onehot(CS), "i": choice(0, 1, 2)}
claim(P, "P2", lambda p: (dsoft(p["o"], p["ij"][1], p["ij"][0]),
                          sm(p)[p["ij"][0]] * (1 - sm(p)[p["ij"][0]])),
      {"o": vector(CS), "ij": pairs(CS, True)})
claim(P, "P3", lambda p: (dsoft(p["o"], p["ij"][1], p["ij"][0]),
                          -sm(p)[p["ij"][0]] * sm(p)[p["ij"][1]]),
      {"o": vector(CS), "ij": pairs(CS, False)})


def others(p: Any) -> list[int]:
    return [k for k in range(CS) if k != p["i"]]


def p4(p: Any) -> Any:
    q, y, i = sm(p), p["y"], p["i"]
    return -(y[i] * (1 - q[i]) + mp.fsum(-q[k] * y[k] for k in others(p)))


def p5(p: Any) -> Any:
    q, y, i = sm(p), p["y"], p["i"]
    return q[i] * y[i] - y[i] + mp.fsum(q[k] * y[k] for k in others(p))


def p6(p: Any) -> Any:
    q, y = sm(p), p["y"]
    return mp.fsum(q[k] * y[k] for k in range(CS)) - y[p["i"]]


claim(P, "P4", lambda p: (dl_do(p), p4(p)), SL,
      witness={"o": [1, 0, 0], "y": [0, 1, 0], "i": 0},
      why="o = (1, 0, 0), y = (0, 1, 0): ∂L/∂o_1 = p_1 = e/(e + 2) = 0.576, the line p_2 = 0.212")
claim(P, "P5", lambda p: (p4(p), p5(p)), SL)
claim(P, "P6", lambda p: (p5(p), p6(p)), SL)
claim(P, "P7", lambda p: (dl_do(p), sm(p)[p["i"]] - p["y"][p["i"]]), SL)


def a_terms(p: Any) -> tuple[Any, ...]:
    q, y, i, o = sm(p), p["y"], p["i"], p["o"]
    first = -mp.fsum(y[k] * grad(lambda v, k=k: ln(softmax(v)[k]), o, i) for k in range(CS))
    second = -mp.fsum(y[k] / q[k] * dsoft(o, k, i) for k in range(CS))
    return first, second


def a2(p: Any) -> Any:
    q, y, i = sm(p), p["y"], p["i"]
    return -y[i] * (1 - q[i]) - mp.fsum(y[k] / q[k] * (-q[k] * q[i]) for k in others(p))


def a3(p: Any) -> Any:
    q, y, i = sm(p), p["y"], p["i"]
    return -y[i] * (1 - q[i]) + mp.fsum(y[k] * q[i] for k in others(p))


def a4(p: Any) -> Any:
    q, y, i = sm(p), p["y"], p["i"]
    return -y[i] + y[i] * q[i] + mp.fsum(y[k] * q[i] for k in others(p))


def a5(p: Any) -> Any:
    q, y, i = sm(p), p["y"], p["i"]
    return q[i] * mp.fsum(y) - y[i]


claim(P, "A1", lambda p: (dl_do(p), *a_terms(p)), SL)
claim(P, "A2", lambda p: (a_terms(p)[1], a2(p)), SL)
claim(P, "A3", lambda p: (a2(p), a3(p)), SL)
claim(P, "A4", lambda p: (a3(p), a4(p)), SL)
claim(P, "A5", lambda p: (a4(p), a5(p), sm(p)[p["i"]] - p["y"][p["i"]]), SL)

# techqa3135384_bce_negative: z = Wx + b, ŷ_i = σ(z_i), L = Σ_i −y_i log ŷ_i -------------------
P = "techqa3135384_bce_negative"
CB, NB = 2, 2
BN = {"x": vector(NB), "W": matrix(CB, NB), "b": vector(CB), "y": vector(CB, LABEL),
      "ij": pairs(CB)}


def z_b(p: Any, w: Any) -> list[Any]:
    return [mp.fsum(w[a, c] * p["x"][c] for c in range(NB)) + p["b"][a] for a in range(CB)]


def loss_yhat(p: Any, yh: list[Any]) -> Any:
    return -mp.fsum(p["y"][a] * ln(yh[a]) for a in range(CB))


def loss_w(p: Any, w: Any) -> Any:
    return loss_yhat(p, [sig(v) for v in z_b(p, w)])


def dl_dw_entry(p: Any) -> Any:
    a, c = p["ij"]

    def along(t: Any) -> Any:
        w = p["W"].copy()
        w[a, c] = t
        return loss_w(p, w)
    return mp.diff(along, p["W"][a, c])


def yhat_b(p: Any) -> list[Any]:
    return [sig(v) for v in z_b(p, p["W"])]


def dl_dyhat(p: Any, a: int) -> Any:
    return grad(lambda v: loss_yhat(p, v), yhat_b(p), a)


def chain_b(p: Any) -> Any:
    a, c = p["ij"]
    za = z_b(p, p["W"])[a]
    return dl_dyhat(p, a) * d(sig, za) * p["x"][c]


claim(P, "B1", lambda p: (dl_dw_entry(p), chain_b(p)), BN)
claim(P, "B2", lambda p: (dl_dyhat(p, p["ij"][0]),
                          -mp.fsum(p["y"][a] / yhat_b(p)[a] for a in range(CB))), BN,
      witness={"x": [0, 0], "W": mp.zeros(CB, NB), "b": [0, 0], "y": [1, 1], "ij": (0, 0)},
      why="at z = 0, y = (1, 1): ∂L/∂ŷ_1 = −1/(1/2) = −2, the sum −4")

# sefiks_elu: y = α(eˣ − 1) for x < 0 ----------------------------------------------------------
P = "sefiks_elu"
EL = {"x": real(-2.5, -0.05), "a": POS}


def elu_neg(p: Any, t: Any) -> Any:
    return p["a"] * (e(t) - 1)


def d_elu(p: Any) -> Any:
    return d(lambda t: elu_neg(p, t), p["x"])


claim(P, "E1", lambda p: (elu_neg(p, p["x"]), p["a"] * (e(p["x"]) - 1),
                          p["a"] * e(p["x"]) - p["a"]), EL)
claim(P, "E2", lambda p: (d_elu(p), p["a"] * e(p["x"])), EL)
claim(P, "E3", lambda p: (d_elu(p), p["a"] * e(p["x"]) - p["a"] + p["a"],
                          (p["a"] * e(p["x"]) - p["a"]) + p["a"], elu_neg(p, p["x"]) + p["a"]), EL)
claim(P, "E4", lambda p: (d_elu(p), elu_neg(p, p["x"]) + p["a"]), EL)

# sefiks_swish: y = xσ(x) ----------------------------------------------------------------------


P = "sefiks_swish"


def swish(t: Any) -> Any:
    return t * sig(t)


def sx(p: Any) -> Any:
    return sig(p["x"])


def dswish(p: Any) -> Any:
    return d(swish, p["x"])


claim(P, "W1", lambda p: (swish(p["x"]), p["x"] * (1 / (1 + e(-p["x"]))),
                          p["x"] / (1 + e(-p["x"]))), X)
claim(P, "W2", lambda p: (dswish(p), 1 * sx(p) + p["x"] * d(sig, p["x"])), X)
claim(P, "W3", lambda p: (d(sig, p["x"]), sx(p) * (1 - sx(p))), X)
claim(P, "W4", lambda p: (dswish(p), sx(p) + p["x"] * sx(p) * (1 - sx(p)),
                          sx(p) + p["x"] * sx(p) - p["x"] * sx(p) ** 2), X)
claim(P, "W5", lambda p: (dswish(p), p["x"] * sx(p) + sx(p) - p["x"] * sx(p) ** 2,
                          swish(p["x"]) + sx(p) - p["x"] * sx(p) ** 2), X)
claim(P, "W6", lambda p: (dswish(p), swish(p["x"]) + sx(p) * (1 - p["x"] * sx(p))), X)
claim(P, "W7", lambda p: (dswish(p), swish(p["x"]) + sx(p) * (1 - swish(p["x"]))), X)

# barryhan_softmax_jacobian: s = softmax(z), Z = Σ exp(z_k) -------------------------------------
P = "barryhan_softmax_jacobian"
KB = 3


def zsum(z: list[Any]) -> Any:
    return mp.fsum(e(v) for v in z)


claim(P, "J1", lambda p: (
    grad(lambda z: softmax(z)[p["i"]], p["z"], p["i"]),
    (e(p["z"][p["i"]]) * zsum(p["z"]) - e(p["z"][p["i"]]) * e(p["z"][p["i"]])) / zsum(p["z"]) ** 2,
    softmax(p["z"])[p["i"]] - softmax(p["z"])[p["i"]] ** 2,
    softmax(p["z"])[p["i"]] * (1 - softmax(p["z"])[p["i"]])),
    {"z": vector(KB), "i": choice(0, 1, 2)})
claim(P, "J2", lambda p: (
    grad(lambda z: softmax(z)[p["ij"][0]], p["z"], p["ij"][1]),
    -e(p["z"][p["ij"][0]]) * e(p["z"][p["ij"][1]]) / zsum(p["z"]) ** 2,
    -softmax(p["z"])[p["ij"][0]] * softmax(p["z"])[p["ij"][1]]),
    {"z": vector(KB), "ij": pairs(KB, False)})


def jacobian_soft(z: list[Any]) -> Any:
    out = mp.matrix(KB, KB)
    for i in range(KB):
        for j in range(KB):
            out[i, j] = grad(lambda v, i=i: softmax(v)[i], z, j)
    return out


def soft_col(z: list[Any]) -> Any:
    return mp.matrix([[v] for v in softmax(z)])


claim(P, "J3", lambda p: (jacobian_soft(p["z"]),
                          diag(softmax(p["z"])) - mm(soft_col(p["z"]), soft_col(p["z"]).T)),
      {"z": vector(KB)})

# mikelmg_sigmoid_steps: σ(x) = 1/(1 + e^{−x}) -------------------------------------------------
P = "mikelmg_sigmoid_steps"


def ex(p: Any) -> Any:
    return e(-p["x"])


def one_plus(t: Any) -> Any:
    return 1 + e(-t)


claim(P, "S1", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)
chain(P, ["S2", "S3", "S4", "S5", "S6"], [
    lambda p: d(sig, p["x"]),
    (lambda p: d(lambda t: 1 / one_plus(t), p["x"]),
     lambda p: d(lambda t: one_plus(t) ** -1, p["x"])),
    (lambda p: (-1) * one_plus(p["x"]) ** -2 * d(one_plus, p["x"]),
     lambda p: (-1) * one_plus(p["x"]) ** -2 * (-ex(p))),
    (lambda p: ex(p) / one_plus(p["x"]) ** 2,
     lambda p: 1 / one_plus(p["x"]) * (ex(p) / one_plus(p["x"]))),
    (lambda p: sig(p["x"]) * ex(p) / one_plus(p["x"]),
     lambda p: sig(p["x"]) * (1 + ex(p) - 1) / one_plus(p["x"]),
     lambda p: sig(p["x"]) * (one_plus(p["x"]) / one_plus(p["x"]) - 1 / one_plus(p["x"]))),
    lambda p: sig(p["x"]) * (1 - sig(p["x"])),
], X)

# statsse134754_logistic_pm1: l(θ) = log(1 + exp(−yθᵀx)), one example ---------------------------
P = "statsse134754_logistic_pm1"
NP = 2
PM = {"th": vector(NP), "x": vector(NP), "y": SIGN, "j": choice(0, 1)}


def l_pm(p: Any, th: list[Any]) -> Any:
    return ln(1 + e(-p["y"] * mp.fsum(th[k] * p["x"][k] for k in range(NP))))


def mu_pm(p: Any) -> Any:
    return e(p["y"] * mp.fsum(p["th"][k] * p["x"][k] for k in range(NP)))


claim(P, "P1", lambda p: (grad(lambda th: l_pm(p, th), p["th"], p["j"]),
                          mu_pm(p) * p["y"] * p["x"][p["j"]] / (1 + mu_pm(p))), PM,
      witness={"th": [0, 0], "x": [1, 0], "y": 1, "j": 0},
      why="at θ = 0, y = 1, x = (1, 0): ∂l/∂θ_1 = −1/2, the line +1/2")

# errorhandle_softmax_jacobian: S = softmax(z) --------------------------------------------------
P = "errorhandle_softmax_jacobian"
CE = 3


def ds(p: Any) -> Any:
    i, k = p["ik"]
    return grad(lambda z: softmax(z)[i], p["z"], k)


def s_at(p: Any, a: int) -> Any:
    return softmax(p["z"])[a]


claim(P, "D1", lambda p: (ds(p), s_at(p, p["ik"][0]) * (1 - s_at(p, p["ik"][1]))),
      {"z": vector(CE), "ik": pairs(CE, True)})
claim(P, "D2", lambda p: (ds(p), -s_at(p, p["ik"][0]) * s_at(p, p["ik"][1])),
      {"z": vector(CE), "ik": pairs(CE, False)})
claim(P, "D3", lambda p: (ds(p), s_at(p, p["ik"][0]) * (delta(*p["ik"]) - s_at(p, p["ik"][1]))),
      {"z": vector(CE), "ik": pairs(CE)})

# aise30424_mse_normal_eq: X m×n, y ∈ ℝ^m, w ∈ ℝ^n -----------------------------------------------
P = "aise30424_mse_normal_eq"
MA, NA = 3, 2
NE = {"X": matrix(MA, NA), "y": matrix(MA, 1), "w": matrix(NA, 1)}


def sc(m: Any) -> Any:
    return m[0, 0]


def e2(p: Any, w: Any) -> Any:
    xw, y = mm(p["X"], w), p["y"]
    return sc(mm((xw - y).T, xw - y))


def e3(p: Any, w: Any) -> Any:
    x, y = p["X"], p["y"]
    return sc(mm(mm(w.T, x.T) - y.T, mm(x, w) - y))


def e5(p: Any, w: Any) -> Any:
    x, y = p["X"], p["y"]
    return sc(mm(w.T, x.T, x, w) - mm(w.T, x.T, y) - mm(y.T, x, w) + mm(y.T, y))


def e6(p: Any, w: Any) -> Any:
    x, y = p["X"], p["y"]
    return sc(mm(w.T, x.T, x, w) - 2 * mm(w.T, x.T, y) + mm(y.T, y))


def grad_w(p: Any, f: Callable[[Any, Any], Any]) -> Any:
    return mgrad(lambda w: f(p, w), p["w"])


def normal_rhs(p: Any) -> Any:
    x, y = p["X"], p["y"]
    return 2 * mm(x.T, x, p["w"]) - 2 * mm(x.T, y)


claim(P, "N3", lambda p: (grad_w(p, e2), grad_w(p, e3)), NE)
claim(P, "N4", lambda p: (grad_w(p, e3), grad_w(p, e3)), NE)
claim(P, "N5", lambda p: (grad_w(p, e3), grad_w(p, e5)), NE)
claim(P, "N6", lambda p: (grad_w(p, e5), grad_w(p, e6)), NE)
claim(P, "N7", lambda p: (grad_w(p, e6), normal_rhs(p)), NE)


def solution(p: Any) -> Any:
    x = p["X"]
    return mp.lu_solve(mm(x.T, x), mm(x.T, p["y"]))


claim(P, "N8", lambda p: (solution(p), 2 * mm(mp.inverse(mm(p["X"].T, p["X"])), p["X"].T, p["y"]),
                          mp.zeros(NA, 1)), NE,
      witness={"X": mp.matrix([[1, 0], [0, 1], [0, 0]]), "y": mp.matrix([[1], [1], [0]]),
               "w": mp.zeros(NA, 1)},
      why="X = (e_1, e_2) stacked over a zero row, y = (1, 1, 0): w = (1, 1), the line (2, 2)")
claim(P, "N9", lambda p: (sc(mm(p["w"].T, p["X"].T, p["y"])), sc(mm(p["y"].T, p["X"], p["w"]))),
      NE)

# mastertrevor_gelu: GELU(x) = xΦ(x) -------------------------------------------------------------
P = "mastertrevor_gelu"


def phi_cdf(t: Any) -> Any:
    return mp.ncdf(t)


def phi_pdf(t: Any) -> Any:
    return mp.exp(-t ** 2 / 2) / mp.sqrt(2 * mp.pi)


def cdf_integral(t: Any) -> Any:
    return mp.quad(phi_pdf, [-mp.inf, t])


claim(P, "G4", lambda p: (d(lambda t: t * phi_cdf(t), p["x"]),
                          cdf_integral(p["x"]) + p["x"] * phi_pdf(p["x"])), X)
