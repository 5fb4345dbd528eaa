"""Truth of the activation and hinge posts (leaky ReLU, softplus, Swish, hinge loss)."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import POS, REAL, SIGN, choice, claim, d, real, sig, vector

NONZERO = choice(-2.3, -1.1, -0.4, 0.3, 0.9, 2.2)

# statsse275521_leaky_relu ------------------------------------------------------------------
P = "statsse275521_leaky_relu"


def leaky(x: Any, c: Any) -> Any:
    return x if x >= 0 else c * x


claim(P, "R2", lambda p: (d(lambda t: leaky(t, p["c"]), mp.mpf(p["x"])),
                          1 if p["x"] > 0 else p["c"]), {"x": NONZERO, "c": REAL})
claim(P, "R3", lambda p: (d(lambda t: leaky(t, p["a"]), mp.mpf(p["z"])),
                          p["a"] + (1 - p["a"]) * (1 if p["z"] > 0 else 0)),
      {"z": NONZERO, "a": REAL})

# sefiks_softplus ---------------------------------------------------------------------------
P = "sefiks_softplus"
X = {"x": REAL}


def softplus(x: Any) -> Any:
    return mp.log(1 + mp.exp(x))


def e(v: Any) -> Any:
    return mp.exp(v)


claim(P, "F1", lambda p: (d(softplus, p["x"]), d(softplus, p["x"]), d(softplus, p["x"]),
                          (1 / (1 + e(p["x"]))) * d(lambda t: 1 + e(t), p["x"]),
                          (1 / (1 + e(p["x"]))) * e(p["x"]), e(p["x"]) / (1 + e(p["x"]))), X)
claim(P, "F2", lambda p: (d(softplus, p["x"]), e(p["x"]) / (1 + e(p["x"])),
                          e(p["x"]) / (e(p["x"]) * (e(-p["x"]) + 1))), X)
claim(P, "F3", lambda p: (d(softplus, p["x"]), 1 / (1 + e(-p["x"]))), X)

# click4ai_swish ----------------------------------------------------------------------------
P = "click4ai_swish"
SW = {"x": REAL, "beta": POS}


def swish(x: Any, b: Any) -> Any:
    return x * sig(b * x)


def dswish(p: Any) -> Any:
    return d(lambda t: swish(t, p["beta"]), p["x"])


claim(P, "W1", lambda p: (dswish(p), sig(p["beta"] * p["x"]) + p["beta"] * p["x"]
                          * sig(p["beta"] * p["x"]) * (1 - sig(p["beta"] * p["x"]))), SW)
claim(P, "W2", lambda p: (dswish(p), swish(p["x"], p["beta"]) + sig(p["beta"] * p["x"])
                          * (p["beta"] - p["beta"] * swish(p["x"], p["beta"]))), SW,
      witness={"x": 2, "beta": 2}, why="1.053 against 0.071 at x = 2, β = 2")

# fundegar_hinge ----------------------------------------------------------------------------
P = "fundegar_hinge"


def hinge(z: Any, y: Any) -> Any:
    return max(mp.mpf(0), 1 - y * z)


# away from the hinge: z drawn so that yz ≠ 1
HZ = {"z": choice(-1.7, -0.6, 0.2, 0.45, 1.6, 2.4), "y": SIGN}
claim(P, "H2", lambda p: (d(lambda t: hinge(t, p["y"]), mp.mpf(p["z"])), max(0, -p["y"])), HZ,
      witness={"z": 0, "y": 1}, why="l'(0) = −1 for y = 1; max{0, −y} = 0")
claim(P, "H4", lambda p: (d(lambda t: t * p["x"], p["w"]), p["x"]), {"w": REAL, "x": REAL})
claim(P, "H5", lambda p: (d(lambda t: hinge(t, p["y"]), mp.mpf(p["w"] * p["x"]))
                          * d(lambda t: t * p["x"], p["w"]),
                          max(0 * p["x"], -p["y"] * p["x"]), max(0, -p["y"] * p["x"])),
      {"w": real(0.1, 0.2), "x": real(0.5, 1.0), "y": SIGN},
      witness={"w": 0, "x": 1, "y": 1}, why="−1 against 0 at w = 0, x = 1, y = 1")
claim(P, "H6", lambda p: (d(lambda t: mp.fsum(hinge(t * a, b) for a, b in zip(p["x"], p["y"],
                                                                            strict=True)),
                            p["w"]),
                          mp.fsum(max(0, -(b * a)) for a, b in zip(p["x"], p["y"], strict=True))),
      {"w": real(-0.1, 0.1), "x": vector(3), "y": vector(3, SIGN)},
      witness={"w": 0, "x": [1, 2, -1], "y": [1, 1, -1]},
      why="at w = 0: l'(0) = −Σ y_i x_i = −4; the right side Σ max{0, −y_i x_i} = 0")
