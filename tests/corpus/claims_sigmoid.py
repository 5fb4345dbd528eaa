"""Truth of the sigmoid posts (σ(x) = 1/(1 + e^{-x}) and its derivative)."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import POS, REAL, chain, claim, d, lim0, sig

X = {"x": REAL}


def e(v: Any) -> Any:
    """The exponential."""
    return mp.exp(v)


# notesonai_sigmoid -------------------------------------------------------------------------
P = "notesonai_sigmoid"
claim(P, "D", lambda p: (sig(p["x"]), 1 / (1 + e(-p["x"]))), X)
chain(P, [f"L{k}" for k in range(1, 10)], [
    lambda p: d(sig, p["x"]),
    lambda p: d(lambda t: 1 / (1 + e(-t)), p["x"]),
    lambda p: d(lambda t: (1 + e(-t)) ** -1, p["x"]),
    lambda p: -(1 + e(-p["x"])) ** -2 * (-e(-p["x"])),
    lambda p: e(-p["x"]) / (1 + e(-p["x"])) ** 2,
    lambda p: 1 / (1 + e(-p["x"])) * e(-p["x"]) / (1 + e(-p["x"])),
    lambda p: 1 / (1 + e(-p["x"])) * ((1 + e(-p["x"])) - 1) / (1 + e(-p["x"])),
    lambda p: 1 / (1 + e(-p["x"])) * ((1 + e(-p["x"])) / (1 + e(-p["x"]))
                                      - 1 / (1 + e(-p["x"]))),
    lambda p: 1 / (1 + e(-p["x"])) * (1 - 1 / (1 + e(-p["x"]))),
    lambda p: sig(p["x"]) * (1 - sig(p["x"])),
], X)

# newbedev_sigmoid --------------------------------------------------------------------------
P = "newbedev_sigmoid"
claim(P, "A1", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)


def f_inv(t: Any) -> Any:
    """Answer 2's f = 1/σ."""
    return 1 / sig(t)


claim(P, "A2a", lambda p: (f_inv(p["x"]), 1 / sig(p["x"]), 1 + e(-p["x"])), X)
claim(P, "A2b", lambda p: (d(f_inv, p["x"]), d(lambda t: 1 / sig(t), p["x"]),
                          -d(sig, p["x"]) / sig(p["x"]) ** 2), X)
claim(P, "A2c", lambda p: (d(f_inv, p["x"]), d(lambda t: 1 + e(-t), p["x"]), -e(-p["x"]),
                          1 - f_inv(p["x"]), 1 - 1 / sig(p["x"]),
                          (sig(p["x"]) - 1) / sig(p["x"])), X)
claim(P, "A3a", lambda p: ((1 + e(-p["x"])) * sig(p["x"]), 1), X)
claim(P, "A3b", lambda p: (-e(-p["x"]) * sig(p["x"]) + (1 + e(-p["x"])) * d(sig, p["x"]), 0),
      X)
claim(P, "A3c", lambda p: (d(sig, p["x"]), sig(p["x"]) * e(-p["x"]) / (1 + e(-p["x"])),
                          sig(p["x"]) * ((1 + e(-p["x"])) - 1) / (1 + e(-p["x"])),
                          sig(p["x"]) * (1 - 1 / (1 + e(-p["x"]))),
                          sig(p["x"]) * (1 - sig(p["x"]))), X)

# heatonresearch_sigmoid --------------------------------------------------------------------
P = "heatonresearch_sigmoid"
chain(P, ["H1", "H2", "H3", "H4", "H5", "H6"], [
    lambda p: d(sig, p["x"]),
    (lambda p: d(lambda t: 1 / (e(-t) + 1), p["x"]),
     lambda p: -d(lambda t: e(-t) + 1, p["x"]) / (e(-p["x"]) + 1) ** 2),
    lambda p: -d(lambda t: e(-t), p["x"]) / (e(-p["x"]) + 1) ** 2,
    lambda p: -(e(-p["x"]) * d(lambda t: -t, p["x"])) / (e(-p["x"]) + 1) ** 2,
    lambda p: (-1) * (-1) * e(-p["x"]) / (e(-p["x"]) + 1) ** 2,
    lambda p: e(-p["x"]) / (e(-p["x"]) + 1) ** 2,
    lambda p: (1 / (e(-p["x"]) + 1)) * (-e(-p["x"]) / (e(-p["x"]) + 1)),
], X, false={"H6": {"x": 0}}, why="the factor −e^{-x}: at x = 0, 1/4 against −1/4")
claim(P, "H7", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)

# limits_sigmoid ----------------------------------------------------------------------------
P = "limits_sigmoid"
Z = {"z": REAL}
claim(P, "G1", lambda p: (sig(p["z"]), e(p["z"]) / (1 + e(p["z"]))), Z)
claim(P, "G2", lambda p: (d(sig, p["z"]), d(lambda t: 1 / (1 + e(-t)), p["z"])), Z)
claim(P, "G3", lambda p: (d(sig, p["z"]), -d(lambda t: 1 + e(-t), p["z"]) / (1 + e(-p["z"])) ** 2),
      Z)
claim(P, "G4", lambda p: (d(sig, p["z"]), -(d(lambda t: mp.mpf(1), p["z"])
                                             + d(lambda t: e(-t), p["z"]))
                          / (1 + e(-p["z"])) ** 2), Z)
claim(P, "G5", lambda p: (d(lambda t: mp.mpf(1), p["z"]), 0), Z)

# maizer2_sigmoid ---------------------------------------------------------------------------
claim("maizer2_sigmoid", "P1", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)

# mse1159033_convex_lr ----------------------------------------------------------------------
P = "mse1159033_convex_lr"
claim(P, "C1", lambda p: (1 - sig(p["z"]), e(-p["z"]) / (1 + e(-p["z"]))), Z)
claim(P, "C2", lambda p: (d(sig, p["z"]), -sig(p["z"]) * (1 - sig(p["z"]))), Z,
      witness={"z": 0}, why="g'(0) = 1/4, the claim gives −1/4")
claim(P, "C3", lambda p: (d(sig, p["z"]), e(-p["z"]) / (1 + e(-p["z"])) ** 2), Z)

# gmse_activations --------------------------------------------------------------------------
P = "gmse_activations"
claim(P, "A1", lambda p: (mp.tanh(p["x"]), 1 - 2 / (e(2 * p["x"]) + 1),
                          (e(p["x"]) - e(-p["x"])) / (e(p["x"]) + e(-p["x"]))), X)
claim(P, "A2", lambda p: (d(mp.tanh, p["x"]), (2 / (e(p["x"]) + e(-p["x"]))) ** 2,
                          1 - mp.tanh(p["x"]) ** 2), X)
claim(P, "A4", lambda p: (d(sig, p["x"]), sig(p["x"]) * (1 - sig(p["x"]))), X)

# quebrandoanorma_sigmoid -------------------------------------------------------------------
P = "quebrandoanorma_sigmoid"
XP = {"x": REAL, "p": POS}


def s_p(x: Any, k: Any) -> Any:
    """S(x) = 1/(1 + e^{-kx})."""
    return 1 / (1 + e(-k * x))


def ds_p(p: Any) -> Any:
    return d(lambda t: s_p(t, p["p"]), p["x"])


claim(P, "L1", lambda p: (s_p(mp.mpf(10) ** 4, p["p"]), 1), XP)
claim(P, "L2", lambda p: (s_p(-(mp.mpf(10) ** 4), p["p"]), 0), XP)
claim(P, "N1", lambda p: (ds_p(p), ds_p(p)), XP)
# the quotient rule, for f = 1 and g = 1 + e^{-px} as the post takes them, and for another
# pair (f = sin, g = 2 + cos) to test the rule as stated
claim(P, "Q", lambda p: (d(lambda t: mp.sin(t) / (2 + mp.cos(t)), p["x"]),
                         (mp.cos(p["x"]) * (2 + mp.cos(p["x"]))
                          - (-mp.sin(p["x"])) * mp.sin(p["x"])) / (2 + mp.cos(p["x"])) ** 2), XP)
claim(P, "F", lambda p: (d(lambda t: mp.mpf(1), p["x"]), 0), XP)
claim(P, "G", lambda p: (d(lambda t: 1 + e(-p["p"] * t), p["x"]),
                         -p["p"] * e(-p["p"] * p["x"])), XP)


def g_p(p: Any) -> Any:
    return 1 + e(-p["p"] * p["x"])


def dg_p(p: Any) -> Any:
    return -p["p"] * e(-p["p"] * p["x"])


chain(P, ["D1", "D2", "D3", "D4", "D5"], [
    ds_p,
    (ds_p, lambda p: (0 * g_p(p) - dg_p(p) * 1) / g_p(p) ** 2,
     lambda p: p["p"] * e(-p["p"] * p["x"]) / (1 + e(-p["p"] * p["x"])) ** 2),
    lambda p: p["p"] * e(-p["p"] * p["x"]) / (1 + e(-p["p"] * p["x"])) ** 2,
    lambda p: (e(2 * p["p"] * p["x"]) * p["p"] * e(-p["p"] * p["x"]))
    / (e(2 * p["p"] * p["x"]) * (1 + 2 * e(-p["p"] * p["x"]) + e(-2 * p["p"] * p["x"]))),
    lambda p: p["p"] * e(p["p"] * p["x"]) / (e(2 * p["p"] * p["x"]) + 2 * e(p["p"] * p["x"]) + 1),
    lambda p: p["p"] * e(p["p"] * p["x"]) / (e(p["p"] * p["x"]) + 1) ** 2,
], XP)

# mse768744_sigmoid_limit -------------------------------------------------------------------
P = "mse768744_sigmoid_limit"
chain(P, ["Q1", "Q2", "Q3"], [
    lambda p: d(sig, p["x"]),
    (lambda p: lim0(lambda h: (sig(p["x"] + h) - sig(p["x"])) / h),
     lambda p: lim0(lambda h: 1 / h * (1 / (1 + e(-p["x"] - h)) - 1 / (1 + e(-p["x"]))))),
    (lambda p: lim0(lambda h: 1 / h * ((1 + e(-p["x"]) - (1 + e(-p["x"] - h)))
                                       / ((1 + e(-p["x"] - h)) * (1 + e(-p["x"]))))),
     lambda p: lim0(lambda h: 1 / h * (e(-p["x"]) - e(-p["x"] - h))
                    / ((1 + e(-p["x"] - h)) * (1 + e(-p["x"]))))),
    lambda p: lim0(lambda h: (1 - e(-h)) / h * e(-p["x"])
                   / ((1 + e(-p["x"] - h)) * (1 + e(-p["x"])))),
], X)
claim(P, "A1", lambda p: (lim0(lambda h: (e(h) - 1) / h), 1), {})
