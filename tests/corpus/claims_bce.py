"""Truth of the binary cross-entropy and logistic-regression posts."""

from __future__ import annotations

from typing import Any

import mpmath as mp

from .mathtools import LABEL, REAL, UNIT, chain, claim, d, real, sig


def e(v: Any) -> Any:
    return mp.exp(v)


def ln(v: Any) -> Any:
    return mp.log(v)


def bce(y: Any, yh: Any) -> Any:
    return -(y * ln(yh) + (1 - y) * ln(1 - yh))


def bce_logit(x: Any, y: Any) -> Any:
    return bce(y, sig(x))


# heavenlabs_bce ----------------------------------------------------------------------------
P = "heavenlabs_bce"
Z = {"z": REAL}
YH = {"y": LABEL, "yh": UNIT}
claim(P, "B4", lambda p: (sig(p["z"]), 1 / (1 + e(-p["z"]))), Z)
chain(P, ["B5", "B6", "B7", "B8", "B9"], [
    lambda p: d(sig, p["z"]),
    lambda p: d(lambda t: 1 / (1 + e(-t)), p["z"]),
    lambda p: -(1 + e(-p["z"])) ** -2 * (-e(-p["z"])),
    lambda p: e(-p["z"]) / (1 + e(-p["z"])) ** 2,
    lambda p: 1 / (1 + e(-p["z"])) * e(-p["z"]) / (1 + e(-p["z"])),
    lambda p: sig(p["z"]) * (1 - sig(p["z"])),
], Z)
claim(P, "B10", lambda p: (d(sig, p["z"]), sig(p["z"]) * (1 - sig(p["z"])),
                           sig(p["z"]) * (1 - sig(p["z"]))), Z)
claim(P, "B11", lambda p: (bce(p["y"], p["yh"]),
                           -(p["y"] * ln(p["yh"]) + (1 - p["y"]) * ln(1 - p["yh"]))), YH)


def dl_dyh(p: Any) -> Any:
    return d(lambda t: bce(p["y"], t), p["yh"])


chain(P, ["B12", "B13", "B14", "B15"], [
    dl_dyh,
    lambda p: -(p["y"] / p["yh"] + (1 - p["y"]) / (1 - p["yh"]) * (-1)),
    lambda p: -(p["y"] / p["yh"] - (1 - p["y"]) / (1 - p["yh"])),
    lambda p: -(p["y"] * (1 - p["yh"]) - p["yh"] * (1 - p["y"])) / (p["yh"] * (1 - p["yh"])),
    lambda p: -(p["y"] - p["y"] * p["yh"] - p["yh"] + p["y"] * p["yh"])
    / (p["yh"] * (1 - p["yh"])),
], YH)

# qikaigu_bce: one example, ŷ = σ(z) -------------------------------------------------------
P = "qikaigu_bce"
claim(P, "Q1", lambda p: (d(lambda t: ln(t) / ln(p["a"]), p["x"]), 1 / (p["x"] * ln(p["a"]))),
      {"a": real(1.1, 9.0), "x": real(0.2, 5.0)})
claim(P, "Q2", lambda p: (dl_dyh(p), -p["y"] / p["yh"] + (1 - p["y"]) / (1 - p["yh"])), YH)
claim(P, "Q3", lambda p: (d(sig, p["z"]), sig(p["z"]) * (1 - sig(p["z"]))), Z)
claim(P, "Q4", lambda p: (d(sig, p["z"]), sig(p["z"]) * (1 - sig(p["z"]))), Z)
YZ = {"y": LABEL, "z": REAL}
chain(P, ["Q5", "Q6", "Q7"], [
    lambda p: d(lambda t: bce_logit(t, p["y"]), p["z"]),
    lambda p: d(lambda t: bce(p["y"], t), sig(p["z"])) * d(sig, p["z"]),
    lambda p: (-p["y"] / sig(p["z"]) + (1 - p["y"]) / (1 - sig(p["z"])))
    * sig(p["z"]) * (1 - sig(p["z"])),
    lambda p: -p["y"] * (1 - sig(p["z"])) + sig(p["z"]) * (1 - p["y"]),
], YZ)

# jiafulow_bce_tf: p = sigmoid(x), y in [0, 1] ----------------------------------------------
P = "jiafulow_bce_tf"
XY = {"x": REAL, "y": real(0, 1)}


def tf_loss(p: Any) -> Any:
    return -p["y"] * ln(sig(p["x"])) - (1 - p["y"]) * ln(1 - sig(p["x"]))




def x_(p: Any) -> Any:
    return p["x"]


def y_(p: Any) -> Any:
    return p["y"]


chain(P, ["J2", "J3", "J4", "J5", "J6", "J7", "J8"], [
    tf_loss,
    tf_loss,
    lambda p: -y_(p) * ln(1 / (1 + e(-x_(p)))) - (1 - y_(p)) * ln(1 - 1 / (1 + e(-x_(p)))),
    lambda p: -y_(p) * ln(1 / (1 + e(-x_(p)))) - (1 - y_(p)) * ln(e(-x_(p)) / (1 + e(-x_(p)))),
    lambda p: y_(p) * ln(1 + e(-x_(p))) + (1 - y_(p)) * (-ln(e(-x_(p))) + ln(1 + e(-x_(p)))),
    lambda p: y_(p) * ln(1 + e(-x_(p))) + (1 - y_(p)) * (x_(p) + ln(1 + e(-x_(p)))),
    lambda p: (1 - y_(p)) * x_(p) + ln(1 + e(-x_(p))),
    lambda p: x_(p) - x_(p) * y_(p) + ln(1 + e(-x_(p))),
], XY)
chain(P, ["K1", "K2", "K3", "K4"], [
    tf_loss,
    lambda p: x_(p) - x_(p) * y_(p) + ln(1 + e(-x_(p))),
    lambda p: ln(e(x_(p))) - x_(p) * y_(p) + ln(1 + e(-x_(p))),
    lambda p: -x_(p) * y_(p) + ln(e(x_(p)) * (1 + e(-x_(p)))),
    lambda p: -x_(p) * y_(p) + ln(1 + e(x_(p))),
], XY)
chain(P, ["M1", "M2"], [
    tf_loss,
    lambda p: max(x_(p), 0) - x_(p) * y_(p) + ln(1 + e(-abs(x_(p)))),
    lambda p: max(x_(p), 0) - x_(p) * y_(p) + ln(1 + e(-abs(x_(p)))),
], XY)

# sorix_bce_logits --------------------------------------------------------------------------
P = "sorix_bce_logits"
XL = {"x": REAL, "y": LABEL}
X1 = {"x": REAL}
claim(P, "X1", lambda p: (sig(p["x"]), 1 / (1 + e(-p["x"]))), X1)
claim(P, "X2", lambda p: (ln(sig(p["x"])), ln(1 / (1 + e(-p["x"]))), -ln(1 + e(-p["x"]))), X1)
claim(P, "X3", lambda p: (ln(1 - sig(p["x"])), ln(e(-p["x"]) / (1 + e(-p["x"]))),
                          -p["x"] - ln(1 + e(-p["x"]))), X1)


def l_elem(p: Any) -> Any:
    return bce_logit(p["x"], p["y"])


claim(P, "X4", lambda p: (l_elem(p), -(p["y"] * (-ln(1 + e(-p["x"])))
                                       + (1 - p["y"]) * (-p["x"] - ln(1 + e(-p["x"]))))), XL)
claim(P, "X5", lambda p: (l_elem(p), p["y"] * ln(1 + e(-p["x"])) + (1 - p["y"]) * p["x"]
                          + (1 - p["y"]) * ln(1 + e(-p["x"]))), XL)
claim(P, "X6", lambda p: (l_elem(p), (1 - p["y"]) * p["x"] + ln(1 + e(-p["x"]))), XL)
claim(P, "X7", lambda p: (ln(1 + e(-p["x"])), max(-p["x"], 0) + ln(1 + e(-abs(p["x"])))), X1)
claim(P, "X8", lambda p: (l_elem(p), max(p["x"], 0) - p["x"] * p["y"]
                          + ln(1 + e(-abs(p["x"])))), XL)

# dlai_tf_logits_comment: z the label -------------------------------------------------------
P = "dlai_tf_logits_comment"
XZ = {"x": REAL, "z": real(0, 1)}


def z_(p: Any) -> Any:
    return p["z"]


def tf_comment_loss(p: Any) -> Any:
    return z_(p) * -ln(sig(x_(p))) + (1 - z_(p)) * -ln(1 - sig(x_(p)))


chain(P, ["C2", "C3", "C4", "C5", "C6"], [
    tf_comment_loss,
    lambda p: z_(p) * -ln(1 / (1 + e(-x_(p)))) + (1 - z_(p)) * -ln(e(-x_(p)) / (1 + e(-x_(p)))),
    lambda p: z_(p) * ln(1 + e(-x_(p))) + (1 - z_(p)) * (-ln(e(-x_(p))) + ln(1 + e(-x_(p)))),
    lambda p: z_(p) * ln(1 + e(-x_(p))) + (1 - z_(p)) * (x_(p) + ln(1 + e(-x_(p)))),
    lambda p: (1 - z_(p)) * x_(p) + ln(1 + e(-x_(p))),
    lambda p: x_(p) - x_(p) * z_(p) + ln(1 + e(-x_(p))),
], XZ)
chain(P, ["C8", "C9"], [
    lambda p: x_(p) - x_(p) * z_(p) + ln(1 + e(-x_(p))),
    lambda p: ln(e(x_(p))) - x_(p) * z_(p) + ln(1 + e(-x_(p))),
    lambda p: -x_(p) * z_(p) + ln(1 + e(x_(p))),
], XZ)
claim(P, "C10", lambda p: (tf_comment_loss(p),
                           max(x_(p), 0) - x_(p) * z_(p) + ln(1 + e(-abs(x_(p))))), XZ)
