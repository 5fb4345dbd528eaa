"""Truth of the tanh posts."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import REAL, chain, claim, d

X = {"x": REAL}
Z = {"z": REAL}


def e(v: Any) -> Any:
    return mp.exp(v)


def dtanh(p: Any, name: str = "x") -> Any:
    return d(mp.tanh, p[name])


# deeplearningai_tanh -----------------------------------------------------------------------
P = "deeplearningai_tanh"
W0 = {"x": 0}
claim(P, "T1", lambda p: (mp.tanh(p["x"]), (e(p["x"]) - e(-p["x"])) / (e(p["x"]) + e(-p["x"]))), X)
claim(P, "T3", lambda p: (mp.tanh(p["x"]), (e(p["x"]) - e(-p["x"])) / (e(p["x"]) + e(-p["x"]))), X)
claim(P, "T4", lambda p: (mp.tanh(p["x"]), (e(p["x"]) - e(-p["x"])) / (e(p["x"]) + e(-p["x"]))), X)
# u = e^x, v = e^{-x}: u' = e^x, v' = -e^{-x}
claim(P, "T5", lambda p: (dtanh(p), (e(-p["x"]) * e(p["x"]) - e(p["x"]) * (-e(-p["x"])))
                          / (e(-p["x"]) + e(p["x"])) ** 2), X, witness=W0,
      why="(vu' − uv')/(u + v)² is half the derivative: 1/2 at x = 0, the derivative is 1")
claim(P, "T6", lambda p: (d(e, p["x"]), e(p["x"])), X)
claim(P, "T7", lambda p: (d(lambda t: e(-t), p["x"]), -e(-p["x"])), X)
claim(P, "T8", lambda p: (dtanh(p), (e(-p["x"]) * e(p["x"]) - e(p["x"]) * (-e(-p["x"])))
                          / (e(-p["x"]) + e(p["x"])) ** 2), X, witness=W0)
claim(P, "T9", lambda p: (dtanh(p), (e(p["x"] - p["x"]) + e(p["x"] - p["x"]))
                          / (e(p["x"]) + e(-p["x"])) ** 2), X, witness=W0)
claim(P, "T10", lambda p: (dtanh(p), (1 + 1) / (e(p["x"]) + e(-p["x"])) ** 2), X, witness=W0)
claim(P, "T11", lambda p: (dtanh(p), 2 / (e(p["x"]) + e(-p["x"])) ** 2), X, witness=W0)
claim(P, "C", lambda p: (e(p["x"]) + e(-p["x"]), 2 * mp.cosh(p["x"])), X)
claim(P, "T11b", lambda p: (dtanh(p), 2 / (2 * mp.cosh(p["x"])) ** 2), X, witness=W0)
claim(P, "T12", lambda p: (dtanh(p), 1 / mp.cosh(p["x"]) ** 2), X)
claim(P, "T13", lambda p: (dtanh(p), mp.sech(p["x"]) ** 2), X)
claim(P, "T14", lambda p: (mp.sech(p["x"]) ** 2, 1 - mp.tanh(p["x"]) ** 2), X)

# specialfunctions_tanh ---------------------------------------------------------------------
P = "specialfunctions_tanh"
claim(P, "W1", lambda p: (dtanh(p, "z"), mp.sech(p["z"]) ** 2), Z)
claim(P, "W2", lambda p: (mp.tanh(p["z"]), mp.sinh(p["z"]) / mp.cosh(p["z"])), Z)
chain(P, ["W3", "W4", "W5", "W6"], [
    lambda p: dtanh(p, "z"),
    lambda p: d(lambda t: mp.sinh(t) / mp.cosh(t), p["z"]),
    lambda p: (mp.cosh(p["z"]) ** 2 - mp.sinh(p["z"]) ** 2) / mp.cosh(p["z"]) ** 2,
    lambda p: 1 / mp.cosh(p["z"]) ** 2,
    lambda p: mp.sech(p["z"]) ** 2,
], Z)

# amanai_tanh -------------------------------------------------------------------------------
P = "amanai_tanh"
claim(P, "M1", lambda p: (1 - mp.sinh(p["z"]) ** 2 / mp.cosh(p["z"]) ** 2,
                          (mp.cosh(p["z"]) ** 2 - mp.sinh(p["z"]) ** 2) / mp.cosh(p["z"]) ** 2), Z)
claim(P, "M2", lambda p: (mp.cosh(p["z"]) ** 2 - mp.sinh(p["z"]) ** 2, 1), Z)
claim(P, "M3", lambda p: (1 / mp.cosh(p["z"]) ** 2, mp.sech(p["z"]) ** 2), Z)
claim(P, "M4", lambda p: (dtanh(p, "z"), 1 - mp.tanh(p["z"]) ** 2, 1 / mp.cosh(p["z"]) ** 2), Z)
