"""ML gradients as posts write them: binary cross-entropy through a sigmoid and an affine map
(one example, and summed or averaged over examples ``\\sum_{i=1}^{n}``), squared error with
and without the 1/n, the forgotten sum over examples, softmax with cross-entropy and a free
index, tanh and relu layers, L2 and L1 penalties, the classic forgotten −1 of
d/dŷ log(1 − ŷ), true forms that look different (σ(z) − y against ŷ − y with the definitions
written out), and approximations that are false, if only by 10^-18, at large magnitudes.

The sides are computed from the losses themselves (mpmath derivatives of the written loss),
never from the gradient formula being tested; 1 − σ(z) is computed as σ(−z) so that a side
stays exact where σ(z) rounds to 1."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath as mp

from ..model import (
    CLOSED_UNIT,
    COUNT,
    LABEL,
    POSITIVE,
    REAL,
    SIGNED_LABEL,
    UNIT,
    Collector,
    index,
    interval,
    vector,
)
from ..mpfun import (
    Undefined,
    d,
    exp,
    log,
    log_one_minus_sigmoid,
    log_sigmoid,
    num,
    relu,
    sech,
    sigmoid,
    sign,
    softplus,
    sqrt,
    tanh,
    upto,
    vec,
)

add = Collector("gradients")
HALF = Fraction(1, 2)


def ten(k: int) -> Any:
    """10^k, exactly as written."""
    return mp.mpf(10) ** k


def s(z: Any) -> Any:
    return sigmoid(z)


def sigmoid_of(z: Any) -> Any:
    return sigmoid(z)


def bce(y: Any, z: Any) -> Any:
    """−y log σ(z) − (1 − y) log(1 − σ(z)), without cancellation."""
    return -y * log_sigmoid(z) - (1 - y) * log_one_minus_sigmoid(z)


def bce_prob(y: Any, p: Any) -> Any:
    """−y log p − (1 − y) log(1 − p)."""
    return -y * log(p) - (1 - y) * log(1 - p)


def cases(condition: Any, positive: Any, negative: Any) -> Any:
    """A two-row case by the sign of ``condition``; undefined on the boundary (where the loss
    has a kink and its derivative does not exist)."""
    if condition == 0:
        raise Undefined("on the kink")
    return positive if condition > 0 else negative


# -- binary cross-entropy through σ and an affine map: one example ----------------------------
ONE = {"w": REAL, "x": REAL, "b": REAL, "y": LABEL}
ONE_SOFT = {"w": REAL, "x": REAL, "b": REAL, "y": CLOSED_UNIT}
Y01 = {"y": "{0,1}"}
AFFINE = r"\left[-y\log\sigma(wx+b) - (1-y)\log(1-\sigma(wx+b))\right]"
BCE_W = r"\frac{\partial}{\partial w}" + AFFINE
BCE_B = r"\frac{\partial}{\partial b}" + AFFINE
dw = d(lambda w, x, b, y: bce(y, w * x + b), "w")
db = d(lambda w, x, b, y: bce(y, w * x + b), "b")
AT0 = {"w": 0, "x": 1, "b": 0, "y": 0}
AT0X2 = {"w": 0, "x": 2, "b": 0, "y": 0}

add(BCE_W + r" = (\sigma(wx+b) - y)x", True, dw,
    lambda w, x, b, y: (s(w * x + b) - y) * x, sample=ONE, domains=Y01)
add(BCE_W + r" = (\sigma(wx+b) - y)x", True, dw,
    lambda w, x, b, y: (s(w * x + b) - y) * x, sample=ONE_SOFT, domains={"y": "[0,1]"},
    note="soft labels: the cancellation needs no y in {0,1}")
add(BCE_W + r" = x(y - \sigma(wx+b))", False, dw, lambda w, x, b, y: x * (y - s(w * x + b)),
    sample=ONE, domains=Y01, witness=AT0, note="the sign flipped")
add(BCE_W + r" = \sigma(wx+b) - y", False, dw, lambda w, x, b, y: s(w * x + b) - y,
    sample=ONE, domains=Y01, witness=AT0X2, note="the inner derivative x forgotten")
add(BCE_W + r" = x\sigma(wx+b)(1-\sigma(wx+b))(\sigma(wx+b) - y)", False, dw,
    lambda w, x, b, y: x * s(w * x + b) * s(-(w * x + b)) * (s(w * x + b) - y), sample=ONE,
    domains=Y01, witness=AT0, note="σ' multiplied in again after it cancelled")
add(BCE_B + r" = \sigma(wx+b) - y", True, db, lambda w, x, b, y: s(w * x + b) - y,
    sample=ONE, domains=Y01)
add(BCE_B + r" = (\sigma(wx+b) - y)x", False, db, lambda w, x, b, y: (s(w * x + b) - y) * x,
    sample=ONE, domains=Y01, witness=AT0X2, note="an x in the bias gradient")
add(BCE_B + r" = y - \sigma(wx+b)", False, db, lambda w, x, b, y: y - s(w * x + b),
    sample=ONE, domains=Y01, witness=AT0)
EXPLICIT = (r"\frac{\partial}{\partial w}\left(-y\ln\frac{1}{1+e^{-(wx+b)}} - (1-y)"
            r"\ln\left(1-\frac{1}{1+e^{-(wx+b)}}\right)\right)")
add(EXPLICIT + r" = \left(\frac{1}{1+e^{-(wx+b)}} - y\right)x", True, dw,
    lambda w, x, b, y: (s(w * x + b) - y) * x, sample=ONE, domains=Y01)
add(EXPLICIT + r" = \frac{x}{1+e^{-(wx+b)}} - xy", True, dw,
    lambda w, x, b, y: x / (1 + exp(-(w * x + b))) - x * y, sample=ONE, domains=Y01)
add(EXPLICIT + r" = \frac{xe^{-(wx+b)}}{1+e^{-(wx+b)}} - xy", False, dw,
    lambda w, x, b, y: x * s(-(w * x + b)) - x * y, sample=ONE, domains=Y01,
    witness={"w": 0, "x": 1, "b": 1, "y": 0}, note="1 − σ written for σ")

# -- the same gradient on the logit, in forms that look different ------------------------------
ZY = {"z": REAL, "y": LABEL}
LOGIT = r"\frac{\partial}{\partial z}\left(-y\log\sigma(z) - (1-y)\log(1-\sigma(z))\right)"
dz = d(lambda z, y: bce(y, z), "z")
add(LOGIT + r" = -y(1-\sigma(z)) + (1-y)\sigma(z)", True, dz,
    lambda z, y: -y * s(-z) + (1 - y) * s(z), sample=ZY, domains=Y01)
add(LOGIT + r" = -y\sigma(-z) + (1-y)\sigma(z)", True, dz,
    lambda z, y: -y * s(-z) + (1 - y) * s(z), sample=ZY, domains=Y01)
add(LOGIT + r" = \frac{e^{z}}{1+e^{z}} - y", True, dz, lambda z, y: exp(z) / (1 + exp(z)) - y,
    sample=ZY, domains=Y01)
add(LOGIT + r" = -y(1-\sigma(z)) - (1-y)\sigma(z)", False, dz,
    lambda z, y: -y * s(-z) - (1 - y) * s(z), sample=ZY, domains=Y01,
    witness={"z": 0, "y": 0})
add(r"\frac{\partial}{\partial z}\left(\log(1+e^{z}) - yz\right) = \sigma(z) - y", True,
    d(lambda z, y: softplus(z) - y * z, "z"), lambda z, y: s(z) - y, sample=ZY, domains=Y01)
add(r"\frac{\partial}{\partial z}\left(\log(1+e^{-z}) + (1-y)z\right) = \sigma(z) - y", True,
    d(lambda z, y: softplus(-z) + (1 - y) * z, "z"), lambda z, y: s(z) - y, sample=ZY,
    domains=Y01)
add(r"\frac{\partial}{\partial z}\left(\log(1+e^{-z}) + (1-y)z\right) = \sigma(-z) - y", False,
    d(lambda z, y: softplus(-z) + (1 - y) * z, "z"), lambda z, y: s(-z) - y, sample=ZY,
    domains=Y01, witness={"z": 1, "y": 0}, note="the −1 of e^{−z} lost")

# -- with the definitions written out: z = wx + b, ŷ = σ(z), L = BCE(y, ŷ) ---------------------
CHAIN = ("z = wx + b", r"\hat y = \sigma(z)", r"L = -y\log\hat y - (1-y)\log(1-\hat y)")


def chain(latex: str, truth: bool, lhs: Any, rhs: Any, witness: Any = None,
          note: str = "") -> None:
    add(latex, truth, lhs, rhs, sample=ONE, domains=Y01, defines=CHAIN, witness=witness,
        note=note)


def dsig(w: Any, x: Any, b: Any) -> Any:
    """σ'(z) at z = wx + b, from σ itself."""
    return mp.diff(sigmoid, w * x + b)


chain(r"\frac{\partial L}{\partial w} = (\hat y - y)x", True, dw,
      lambda w, x, b, y: (s(w * x + b) - y) * x)
chain(r"\frac{\partial L}{\partial w} = (\sigma(wx+b) - y)x", True, dw,
      lambda w, x, b, y: (s(w * x + b) - y) * x)
chain(r"\frac{\partial L}{\partial z} = \hat y - y", True, db,
      lambda w, x, b, y: s(w * x + b) - y, note="∂L/∂z = ∂L/∂b, z = wx + b")
chain(r"\frac{\partial L}{\partial z} = \sigma(z) - y", True, db,
      lambda w, x, b, y: s(w * x + b) - y)
chain(r"\frac{\partial L}{\partial b} = \hat y - y", True, db,
      lambda w, x, b, y: s(w * x + b) - y)
chain(r"\frac{\partial L}{\partial w} = \hat y - y", False, dw,
      lambda w, x, b, y: s(w * x + b) - y, AT0X2, note="the x of ∂z/∂w forgotten")
chain(r"\frac{\partial L}{\partial w} = (y - \hat y)x", False, dw,
      lambda w, x, b, y: (y - s(w * x + b)) * x, AT0)
chain(r"\frac{\partial L}{\partial z} = \frac{\hat y - y}{\hat y(1-\hat y)}", False, db,
      lambda w, x, b, y: (s(w * x + b) - y) / (s(w * x + b) * s(-(w * x + b))), AT0,
      note="∂L/∂ŷ given for ∂L/∂z: σ' not applied")
chain(r"\frac{\partial L}{\partial w} = \frac{\hat y - y}{\hat y(1-\hat y)}x", False, dw,
      lambda w, x, b, y: (s(w * x + b) - y) * x / (s(w * x + b) * s(-(w * x + b))), AT0)
chain(r"\frac{\partial \hat y}{\partial z} = \hat y(1-\hat y)", True, dsig,
      lambda w, x, b: s(w * x + b) * s(-(w * x + b)))
chain(r"\frac{\partial \hat y}{\partial w} = x\hat y(1-\hat y)", True,
      d(lambda w, x, b: s(w * x + b), "w"), lambda w, x, b: x * s(w * x + b) * s(-(w * x + b)))
chain(r"\frac{\partial \hat y}{\partial w} = \hat y(1-\hat y)", False,
      d(lambda w, x, b: s(w * x + b), "w"), lambda w, x, b: s(w * x + b) * s(-(w * x + b)),
      AT0X2)

PRED = {"y": LABEL, "yhat": UNIT}
PRED_DOMAINS = {"y": "{0,1}", "yhat": "(0,1)"}
LOSS = (r"L = -y\log\hat y - (1-y)\log(1-\hat y)",)
dyhat = d(lambda y, yhat: bce_prob(y, yhat), "yhat")
W_HALF = {"y": 0, "yhat": HALF}


def loss(latex: str, truth: bool, rhs: Any, witness: Any = None, note: str = "") -> None:
    add(latex, truth, dyhat, rhs, sample=PRED, domains=PRED_DOMAINS, defines=LOSS,
        witness=witness, note=note)


loss(r"\frac{\partial L}{\partial \hat y} = \frac{\hat y - y}{\hat y(1-\hat y)}", True,
     lambda y, yhat: (yhat - y) / (yhat * (1 - yhat)))
loss(r"\frac{\partial L}{\partial \hat y} = \frac{1-y}{1-\hat y} - \frac{y}{\hat y}", True,
     lambda y, yhat: (1 - y) / (1 - yhat) - y / yhat)
loss(r"\frac{\partial L}{\partial \hat y} = -\frac{y}{\hat y} - \frac{1-y}{1-\hat y}", False,
     lambda y, yhat: -y / yhat - (1 - y) / (1 - yhat), W_HALF,
     note="the −1 of d(1 − ŷ)/dŷ forgotten")
loss(r"\frac{\partial L}{\partial \hat y} = \hat y - y", False, lambda y, yhat: yhat - y,
     W_HALF, note="∂L/∂z given for ∂L/∂ŷ")

# -- the forgotten −1 of d/dŷ log(1 − ŷ) --------------------------------------------------------
YH = {"yhat": UNIT}
YH_DOMAINS = {"yhat": "(0,1)"}
dlog1m = d(lambda yhat: log(1 - yhat), "yhat")
add(r"\frac{d}{d\hat{y}}\log(1-\hat{y}) = \frac{1}{1-\hat{y}}", False, dlog1m,
    lambda yhat: 1 / (1 - yhat), sample=YH, domains=YH_DOMAINS, witness={"yhat": HALF},
    note="the classic: the chain-rule −1 forgotten")
add(r"\frac{d}{d\hat{y}}\log(1-\hat{y}) = \frac{1}{\hat{y}-1}", True, dlog1m,
    lambda yhat: 1 / (yhat - 1), sample=YH, domains=YH_DOMAINS)
d1my = d(lambda y, yhat: (1 - y) * log(1 - yhat), "yhat")
add(r"\frac{d}{d\hat{y}}\left[(1-y)\log(1-\hat{y})\right] = \frac{1-y}{1-\hat{y}}", False, d1my,
    lambda y, yhat: (1 - y) / (1 - yhat), sample=PRED, domains=PRED_DOMAINS, witness=W_HALF)
add(r"\frac{d}{d\hat{y}}\left[(1-y)\log(1-\hat{y})\right] = -\frac{1-y}{1-\hat{y}}", True, d1my,
    lambda y, yhat: -(1 - y) / (1 - yhat), sample=PRED, domains=PRED_DOMAINS)
LN = r"\frac{d}{d\hat{y}}\left(-y\ln(\hat{y}) - (1-y)\ln(1-\hat{y})\right)"
add(LN + r" = -\frac{y}{\hat{y}} + \frac{1-y}{1-\hat{y}}", True, dyhat,
    lambda y, yhat: -y / yhat + (1 - y) / (1 - yhat), sample=PRED, domains=PRED_DOMAINS)
add(LN + r" = -\frac{y}{\hat{y}} - \frac{1-y}{1-\hat{y}}", False, dyhat,
    lambda y, yhat: -y / yhat - (1 - y) / (1 - yhat), sample=PRED, domains=PRED_DOMAINS,
    witness=W_HALF)
dlog1ms = d(lambda z: log_one_minus_sigmoid(z), "z")
add(r"\frac{d}{dz}\log(1-\sigma(z)) = \frac{\sigma(z)(1-\sigma(z))}{1-\sigma(z)}", False,
    dlog1ms, lambda z: s(z) * s(-z) / s(-z), sample={"z": REAL}, witness={"z": 0},
    note="the −1 of 1 − σ forgotten")
add(r"\frac{d}{dz}\log(1-\sigma(z)) = -\frac{\sigma(z)(1-\sigma(z))}{1-\sigma(z)}", True,
    dlog1ms, lambda z: -s(z) * s(-z) / s(-z), sample={"z": REAL})
add(r"\frac{\partial}{\partial z}\frac{1}{2}(y - \sigma(z))^2 = -(y - \sigma(z))\sigma(z)(1-"
    r"\sigma(z))",
    True, d(lambda z, y: (y - s(z)) ** 2 / 2, "z"), lambda z, y: -(y - s(z)) * s(z) * s(-z),
    sample={"z": REAL, "y": REAL})
add(r"\frac{\partial}{\partial z}\frac{1}{2}(y - \sigma(z))^2 = (y - \sigma(z))\sigma(z)(1-"
    r"\sigma(z))",
    False, d(lambda z, y: (y - s(z)) ** 2 / 2, "z"), lambda z, y: (y - s(z)) * s(z) * s(-z),
    sample={"z": REAL, "y": REAL}, witness={"z": 0, "y": 1},
    note="the −1 of y − σ(z) forgotten")

# -- sums over examples -----------------------------------------------------------------------
N = {"n": COUNT, "w": REAL, "b": REAL, "x": vector(REAL, "n"), "y": vector(LABEL, "n")}
NI = {**N, "i": index("n")}
N_DOMAINS = {"n": "count", "y_i": "{0,1}"}
TERM = r"\left[-y_i\log\sigma(wx_i+b) - (1-y_i)\log(1-\sigma(wx_i+b))\right]"
SUM_W = r"\frac{\partial}{\partial w}\sum_{i=1}^{n}" + TERM


def total_bce(n: int, w: Any, b: Any, x: Any, y: Any) -> Any:
    return upto(n, lambda i: bce(y[i], w * x[i] + b))


def grad_terms(n: int, w: Any, b: Any, x: Any, y: Any) -> Any:
    """Σ (σ(wx_i + b) − y_i) x_i."""
    return upto(n, lambda i: (s(w * x[i] + b) - y[i]) * x[i])


def residuals(n: int, w: Any, b: Any, x: Any, y: Any) -> Any:
    """Σ (σ(wx_i + b) − y_i)."""
    return upto(n, lambda i: s(w * x[i] + b) - y[i])


dsum = d(total_bce, "w")
dmean = d(lambda n, w, b, x, y: total_bce(n, w, b, x, y) / n, "w")
dmean_b = d(lambda n, w, b, x, y: total_bce(n, w, b, x, y) / n, "b")
TWO = {"n": 2, "w": 0, "b": 0, "x": vec(1, 1), "y": vec(0, 0)}
ONE_X2 = {"n": 1, "w": 0, "b": 0, "x": vec(2), "y": vec(0)}

add(SUM_W + r" = \sum_{i=1}^{n}(\sigma(wx_i+b) - y_i)x_i", True, dsum, grad_terms, sample=N,
    domains=N_DOMAINS)
add(SUM_W + r" = (\sigma(wx_i+b) - y_i)x_i", False, dsum,
    lambda w, b, x, y, i: (s(w * x[i] + b) - y[i]) * x[i], sample=NI, domains=N_DOMAINS,
    witness={**TWO, "i": 1}, note="the sum over examples forgotten")
add(SUM_W + r" = \sum_{i=1}^{n}(y_i - \sigma(wx_i+b))x_i", False, dsum,
    lambda n, w, b, x, y: -grad_terms(n, w, b, x, y), sample=N, domains=N_DOMAINS,
    witness=TWO)
add(SUM_W + r" = \sum_{i=1}^{n}(\sigma(wx_i+b) - y_i)", False, dsum, residuals, sample=N,
    domains=N_DOMAINS, witness=ONE_X2, note="the x_i forgotten")
MEAN = (r"\left(-\frac{1}{n}\sum_{i=1}^{n}\left[y_i\log\sigma(wx_i+b) + (1-y_i)"
        r"\log(1-\sigma(wx_i+b))\right]\right)")
MEAN_W = r"\frac{\partial}{\partial w}" + MEAN
MEAN_B = r"\frac{\partial}{\partial b}" + MEAN
add(MEAN_W + r" = \frac{1}{n}\sum_{i=1}^{n}(\sigma(wx_i+b) - y_i)x_i", True, dmean,
    lambda n, w, b, x, y: grad_terms(n, w, b, x, y) / n, sample=N, domains=N_DOMAINS)
add(MEAN_W + r" = \sum_{i=1}^{n}(\sigma(wx_i+b) - y_i)x_i", False, dmean, grad_terms,
    sample=N, domains=N_DOMAINS, witness=TWO, note="the 1/n lost")
add(MEAN_W + r" = \frac{1}{n}(\sigma(wx_i+b) - y_i)x_i", False, dmean,
    lambda n, w, b, x, y, i: (s(w * x[i] + b) - y[i]) * x[i] / n, sample=NI,
    domains=N_DOMAINS, witness={**TWO, "i": 1}, note="the sum forgotten, the 1/n kept")
add(MEAN_B + r" = \frac{1}{n}\sum_{i=1}^{n}(\sigma(wx_i+b) - y_i)", True, dmean_b,
    lambda n, w, b, x, y: residuals(n, w, b, x, y) / n, sample=N, domains=N_DOMAINS)
add(MEAN_B + r" = \frac{1}{n}\sum_{i=1}^{n}(\sigma(wx_i+b) - y_i)x_i", False, dmean_b,
    lambda n, w, b, x, y: grad_terms(n, w, b, x, y) / n, sample=N, domains=N_DOMAINS,
    witness=ONE_X2)

# -- squared error over examples ----------------------------------------------------------------
M = {"n": COUNT, "w": REAL, "b": REAL, "x": vector(REAL, "n"), "y": vector(REAL, "n")}
MI = {**M, "i": index("n")}
M_DOMAINS = {"n": "count"}


def sse(n: int, w: Any, b: Any, x: Any, y: Any) -> Any:
    return upto(n, lambda i: (w * x[i] + b - y[i]) ** 2)


def err_x(n: int, w: Any, b: Any, x: Any, y: Any) -> Any:
    """Σ (wx_i + b − y_i) x_i."""
    return upto(n, lambda i: (w * x[i] + b - y[i]) * x[i])


def err(n: int, w: Any, b: Any, x: Any, y: Any) -> Any:
    return upto(n, lambda i: w * x[i] + b - y[i])


MSE_W = r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(wx_i+b-y_i)^2"
dmse = d(lambda n, w, b, x, y: sse(n, w, b, x, y) / n, "w")
M1 = {"n": 1, "w": 1, "b": 0, "x": vec(1), "y": vec(0)}
M2 = {"n": 2, "w": 1, "b": 0, "x": vec(1, 1), "y": vec(0, 0)}
add(MSE_W + r" = \frac{2}{n}\sum_{i=1}^{n}(wx_i+b-y_i)x_i", True, dmse,
    lambda n, w, b, x, y: 2 * err_x(n, w, b, x, y) / n, sample=M, domains=M_DOMAINS)
add(MSE_W + r" = \frac{1}{n}\sum_{i=1}^{n}(wx_i+b-y_i)x_i", False, dmse,
    lambda n, w, b, x, y: err_x(n, w, b, x, y) / n, sample=M, domains=M_DOMAINS, witness=M1,
    note="the 2 of the square lost")
add(MSE_W + r" = 2\sum_{i=1}^{n}(wx_i+b-y_i)x_i", False, dmse,
    lambda n, w, b, x, y: 2 * err_x(n, w, b, x, y), sample=M, domains=M_DOMAINS, witness=M2,
    note="the 1/n lost")
add(MSE_W + r" = \frac{2}{n}\sum_{i=1}^{n}(wx_i+b-y_i)", False, dmse,
    lambda n, w, b, x, y: 2 * err(n, w, b, x, y) / n, sample=M, domains=M_DOMAINS,
    witness={"n": 1, "w": 1, "b": 0, "x": vec(2), "y": vec(0)}, note="the x_i lost")
add(MSE_W + r" = \frac{2}{n}(wx_i+b-y_i)x_i", False, dmse,
    lambda n, w, b, x, y, i: 2 * (w * x[i] + b - y[i]) * x[i] / n, sample=MI,
    domains=M_DOMAINS, witness={**M2, "i": 1}, note="the sum forgotten")
add(r"\frac{\partial}{\partial b}\frac{1}{n}\sum_{i=1}^{n}(wx_i+b-y_i)^2 = \frac{2}{n}"
    r"\sum_{i=1}^{n}(wx_i+b-y_i)",
    True, d(lambda n, w, b, x, y: sse(n, w, b, x, y) / n, "b"),
    lambda n, w, b, x, y: 2 * err(n, w, b, x, y) / n, sample=M, domains=M_DOMAINS)
HALF_MSE = r"\frac{\partial}{\partial w}\frac{1}{2n}\sum_{i=1}^{n}(y_i - (wx_i+b))^2"
dhalf = d(lambda n, w, b, x, y: sse(n, w, b, x, y) / (2 * n), "w")
add(HALF_MSE + r" = -\frac{1}{n}\sum_{i=1}^{n}(y_i - (wx_i+b))x_i", True, dhalf,
    lambda n, w, b, x, y: err_x(n, w, b, x, y) / n, sample=M, domains=M_DOMAINS)
add(HALF_MSE + r" = \frac{1}{n}\sum_{i=1}^{n}(y_i - (wx_i+b))x_i", False, dhalf,
    lambda n, w, b, x, y: -err_x(n, w, b, x, y) / n, sample=M, domains=M_DOMAINS, witness=M1,
    note="the −1 of the inner function lost")
NB = {"n": COUNT, "w": REAL, "x": vector(REAL, "n"), "y": vector(REAL, "n")}
dsse = d(lambda n, w, x, y: upto(n, lambda i: (w * x[i] - y[i]) ** 2) / 2, "w")
add(r"\frac{\partial}{\partial w}\frac{1}{2}\sum_{i=1}^{n}(wx_i - y_i)^2 = \sum_{i=1}^{n}(wx_i -"
    r" y_i)x_i",
    True, dsse, lambda n, w, x, y: upto(n, lambda i: (w * x[i] - y[i]) * x[i]), sample=NB,
    domains=M_DOMAINS)
add(r"\frac{\partial}{\partial w}\frac{1}{2}\sum_{i=1}^{n}(wx_i - y_i)^2 = \sum_{i=1}^{n}(wx_i -"
    r" y_i)x_i^2",
    False, dsse, lambda n, w, x, y: upto(n, lambda i: (w * x[i] - y[i]) * x[i] ** 2),
    sample=NB, domains=M_DOMAINS, witness={"n": 1, "w": 1, "x": vec(2), "y": vec(0)})
dsig_sse = d(lambda n, w, x, y: upto(n, lambda i: (s(w * x[i]) - y[i]) ** 2) / 2, "w")
SIG_SSE = r"\frac{\partial}{\partial w}\frac{1}{2}\sum_{i=1}^{n}(\sigma(wx_i) - y_i)^2"
add(SIG_SSE + r" = \sum_{i=1}^{n}(\sigma(wx_i) - y_i)\sigma(wx_i)(1-\sigma(wx_i))x_i", True,
    dsig_sse,
    lambda n, w, x, y: upto(n, lambda i: (s(w * x[i]) - y[i]) * s(w * x[i]) * s(-w * x[i])
                            * x[i]), sample=NB, domains=M_DOMAINS)
add(SIG_SSE + r" = \sum_{i=1}^{n}(\sigma(wx_i) - y_i)x_i", False, dsig_sse,
    lambda n, w, x, y: upto(n, lambda i: (s(w * x[i]) - y[i]) * x[i]), sample=NB,
    domains=M_DOMAINS, witness={"n": 1, "w": 0, "x": vec(1), "y": vec(0)},
    note="the cross-entropy answer given for squared error: σ' does not cancel here")

# -- softmax and cross-entropy, a free index ---------------------------------------------------
ZKC = {"C": COUNT, "z": vector(REAL, "C"), "k": index("C"), "c": index("C")}
KC = {"j": "C", "k": "C", "c": "C"}
P_K = r"\frac{e^{z_k}}{\sum_j e^{z_j}}"


def partition(C: int, z: Any) -> Any:
    return upto(C, lambda j: exp(z[j]))


def soft(C: int, z: Any, k: int) -> Any:
    return exp(z[k]) / partition(C, z)


def nll(C: int, z: Any, c: int) -> Any:
    return -log(soft(C, z, c))


dnll = d(nll, "z", at="k")
CE_C = r"\frac{\partial}{\partial z_k}\left(-\log\frac{e^{z_c}}{\sum_j e^{z_j}}\right)"
add(CE_C + " = " + P_K + r" - \delta_{kc}", True, dnll,
    lambda C, z, k, c: soft(C, z, k) - (1 if k == c else 0), sample=ZKC, indices=KC)
add(CE_C + " = " + P_K + " - 1", False, dnll, lambda C, z, k: soft(C, z, k) - 1, sample=ZKC,
    indices=KC, witness={"C": 2, "z": vec(0, 0), "k": 1, "c": 2},
    note="the diagonal entry given for every k")
add(CE_C + " = " + P_K, False, dnll, soft, sample=ZKC, indices=KC,
    witness={"C": 2, "z": vec(0, 0), "k": 1, "c": 1})
add(CE_C + r" = \delta_{kc} - " + P_K, False, dnll,
    lambda C, z, k, c: (1 if k == c else 0) - soft(C, z, k), sample=ZKC, indices=KC,
    witness={"C": 2, "z": vec(0, 0), "k": 1, "c": 1})
add(r"\frac{\partial}{\partial z_k}\left(-z_c + \log\sum_j e^{z_j}\right) = " + P_K
    + r" - \delta_{kc}", True,
    d(lambda C, z, c: -z[c] + log(partition(C, z)), "z", at="k"),
    lambda C, z, k, c: soft(C, z, k) - (1 if k == c else 0), sample=ZKC, indices=KC)
ZKT = {"C": COUNT, "z": vector(REAL, "C"), "k": index("C"), "T": POSITIVE}
P_KT = r"\frac{e^{z_k/T}}{\sum_j e^{z_j/T}}"


def soft_t(C: int, z: Any, k: int, T: Any) -> Any:
    return exp(z[k] / T) / upto(C, lambda j: exp(z[j] / T))


dlse_t = d(lambda C, z, T: log(upto(C, lambda j: exp(z[j] / T))), "z", at="k")
add(r"\frac{\partial}{\partial z_k} T\log\sum_j e^{z_j/T} = " + P_KT, True,
    d(lambda C, z, T: T * log(upto(C, lambda j: exp(z[j] / T))), "z", at="k"), soft_t,
    sample=ZKT, indices={"j": "C", "k": "C"}, domains={"T": "positive"})
add(r"\frac{\partial}{\partial z_k}\log\sum_j e^{z_j/T} = " + P_KT, False, dlse_t, soft_t,
    sample=ZKT, indices={"j": "C", "k": "C"}, domains={"T": "positive"},
    witness={"C": 1, "z": vec(0), "k": 1, "T": 2}, note="the 1/T of the chain rule lost")
WXK = {"C": COUNT, "w": vector(REAL, "C"), "x": REAL, "k": index("C")}
dlse_w = d(lambda C, w, x: log(upto(C, lambda j: exp(w[j] * x))), "w", at="k")
add(r"\frac{\partial}{\partial w_k}\log\sum_j e^{w_j x} = \frac{x e^{w_k x}}{\sum_j e^{w_j x}}",
    True, dlse_w, lambda C, w, x, k: x * exp(w[k] * x) / upto(C, lambda j: exp(w[j] * x)),
    sample=WXK, indices={"j": "C", "k": "C"})
add(r"\frac{\partial}{\partial w_k}\log\sum_j e^{w_j x} = \frac{e^{w_k x}}{\sum_j e^{w_j x}}",
    False, dlse_w, lambda C, w, x, k: exp(w[k] * x) / upto(C, lambda j: exp(w[j] * x)),
    sample=WXK, indices={"j": "C", "k": "C"}, witness={"C": 1, "w": vec(0), "x": 2, "k": 1})
ZK = {"C": COUNT, "z": vector(REAL, "C"), "k": index("C")}
dself = d(soft, "z", at="k")
add(r"\frac{\partial}{\partial z_k}" + P_K + " = " + P_K + r" - \left(" + P_K + r"\right)^2",
    True, dself, lambda C, z, k: soft(C, z, k) - soft(C, z, k) ** 2, sample=ZK,
    indices={"j": "C", "k": "C"})
add(r"\frac{\partial}{\partial z_k}" + P_K + " = " + P_K, False, dself, soft, sample=ZK,
    indices={"j": "C", "k": "C"}, witness={"C": 2, "z": vec(0, 0), "k": 1},
    note="differentiated as if the denominator were constant")
AB = {"a": REAL, "b": REAL}
add(r"\frac{e^{z_1}}{e^{z_1} + e^{z_2}} = \sigma(z_1 - z_2)", True,
    lambda a, b: 1 / (1 + exp(b - a)), lambda a, b: s(a - b), sample=AB,
    note="z_1, z_2 are sampled as a, b")
add(r"\frac{e^{z_1}}{e^{z_1} + e^{z_2}} = \sigma(z_2 - z_1)", False,
    lambda a, b: 1 / (1 + exp(b - a)), lambda a, b: s(b - a), sample=AB,
    witness={"a": 1, "b": 0})
add(r"\frac{\partial}{\partial z_1}\log\left(e^{z_1} + e^{z_2}\right) = \sigma(z_1 - z_2)", True,
    d(lambda a, b: b + softplus(a - b), "a"), lambda a, b: s(a - b), sample=AB,
    note="log(e^a + e^b) = b + softplus(a − b)")

# -- tanh layers -------------------------------------------------------------------------------
WXB = {"w": REAL, "x": REAL, "b": REAL}
dtanh = d(lambda w, x, b: tanh(w * x + b), "w")
add(r"\frac{\partial}{\partial w}\tanh(wx+b) = x(1-\tanh^2(wx+b))", True, dtanh,
    lambda w, x, b: x * (1 - tanh(w * x + b) ** 2), sample=WXB)
add(r"\frac{\partial}{\partial w}\tanh(wx+b) = x\operatorname{sech}^2(wx+b)", True, dtanh,
    lambda w, x, b: x * sech(w * x + b) ** 2, sample=WXB)
add(r"\frac{\partial}{\partial w}\tanh(wx+b) = 1-\tanh^2(wx+b)", False, dtanh,
    lambda w, x, b: 1 - tanh(w * x + b) ** 2, sample=WXB, witness={"w": 0, "x": 2, "b": 0})
add(r"\frac{\partial}{\partial w}\tanh(wx+b) = x(1-\tanh(wx+b))^2", False, dtanh,
    lambda w, x, b: x * (1 - tanh(w * x + b)) ** 2, sample=WXB,
    witness={"w": 0, "x": 1, "b": 1}, note="(1 − tanh)² for 1 − tanh²")
WXBY = {**WXB, "y": REAL}
dtanh_sq = d(lambda w, x, b, y: (tanh(w * x + b) - y) ** 2 / 2, "w")
add(r"\frac{\partial}{\partial w}\frac{1}{2}(\tanh(wx+b) - y)^2 = (\tanh(wx+b) - y)(1-"
    r"\tanh^2(wx+b))x",
    True, dtanh_sq, lambda w, x, b, y: (tanh(w * x + b) - y) * (1 - tanh(w * x + b) ** 2) * x,
    sample=WXBY)
add(r"\frac{\partial}{\partial w}\frac{1}{2}(\tanh(wx+b) - y)^2 = (\tanh(wx+b) - y)(1-"
    r"\tanh^2(wx+b))",
    False, dtanh_sq, lambda w, x, b, y: (tanh(w * x + b) - y) * (1 - tanh(w * x + b) ** 2),
    sample=WXBY, witness={"w": 0, "x": 2, "b": 1, "y": 0})
VWX = {"v": REAL, "w": REAL, "x": REAL}
add(r"\frac{\partial}{\partial w}\,v\tanh(wx) = vx(1-\tanh^2(wx))", True,
    d(lambda v, w, x: v * tanh(w * x), "w"), lambda v, w, x: v * x * (1 - tanh(w * x) ** 2),
    sample=VWX)
add(r"\frac{\partial}{\partial v}\,v\tanh(wx) = \tanh(wx)", True,
    d(lambda v, w, x: v * tanh(w * x), "v"), lambda w, x: tanh(w * x), sample=VWX)
add(r"\frac{\partial}{\partial w}\,v\tanh(wx) = v(1-\tanh^2(wx))", False,
    d(lambda v, w, x: v * tanh(w * x), "w"), lambda v, w, x: v * (1 - tanh(w * x) ** 2),
    sample=VWX, witness={"v": 1, "w": 0, "x": 2})

# -- relu layers (kinks: the cases leave the kink out) ------------------------------------------
drelu = d(lambda w, x, b: relu(w * x + b), "w")
add(r"\frac{\partial}{\partial w}\max(0, wx+b) = \begin{cases} x & wx+b > 0 \\ 0 & wx+b < 0 "
    r"\end{cases}",
    True, drelu, lambda w, x, b: cases(w * x + b, x, 0), sample=WXB, partial=True)
add(r"\frac{\partial}{\partial w}\operatorname{ReLU}(wx+b) = x", False, drelu,
    lambda x: x, sample=WXB, witness={"w": -1, "x": 1, "b": 0},
    note="true only where the unit is active")
add(r"\frac{\partial}{\partial w}\operatorname{ReLU}(wx+b) = x\,\frac{1+"
    r"\operatorname{sign}(wx+b)}{2}",
    True, drelu, lambda w, x, b: x * (1 + sign(w * x + b)) / 2, sample=WXB, partial=True)
ZYR = {"z": REAL, "y": REAL}
drelu_sq = d(lambda z, y: (relu(z) - y) ** 2 / 2, "z")
add(r"\frac{d}{dz}\frac{1}{2}\left(\operatorname{relu}(z) - y\right)^2 = (\operatorname{relu}(z) -"
    r" y)\begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}",
    True, drelu_sq, lambda z, y: (relu(z) - y) * cases(z, 1, 0), sample=ZYR, partial=True)
add(r"\frac{d}{dz}\frac{1}{2}\left(\operatorname{relu}(z) - y\right)^2"
    r" = \operatorname{relu}(z) - y",
    False, drelu_sq, lambda z, y: relu(z) - y, sample=ZYR, witness={"z": -1, "y": 1},
    note="relu' dropped")
dleaky = d(lambda z: max(num("0.01") * z, z), "z")
add(r"\frac{d}{dz}\max(0.01z, z) = \begin{cases} 1 & z > 0 \\ 0.01 & z < 0 \end{cases}", True,
    dleaky, lambda z: cases(z, 1, num("0.01")), sample={"z": REAL}, partial=True)
add(r"\frac{d}{dz}\max(0.01z, z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}", False,
    dleaky, lambda z: cases(z, 1, 0), sample={"z": REAL}, witness={"z": -1},
    note="the leaky slope read as relu's")
VWXY = {"v": REAL, "w": REAL, "x": REAL, "y": REAL}
dnet = d(lambda v, w, x, y: (v * relu(w * x) - y) ** 2 / 2, "w")
add(r"\frac{\partial}{\partial w}\frac{1}{2}\left(v\operatorname{relu}(wx) - y\right)^2 = \left(v"
    r"\operatorname{relu}(wx) - y\right)vx\begin{cases} 1 & wx > 0 \\ 0 & wx < 0 \end{cases}",
    True, dnet, lambda v, w, x, y: (v * relu(w * x) - y) * v * x * cases(w * x, 1, 0),
    sample=VWXY, partial=True)
add(r"\frac{\partial}{\partial w}\frac{1}{2}\left(v\operatorname{relu}(wx) - y\right)^2 = \left(v"
    r"\operatorname{relu}(wx) - y\right)x\begin{cases} 1 & wx > 0 \\ 0 & wx < 0 \end{cases}",
    False, dnet, lambda v, w, x, y: (v * relu(w * x) - y) * x * cases(w * x, 1, 0),
    sample=VWXY, witness={"v": 2, "w": 1, "x": 1, "y": 0}, note="the outer weight v lost")

# -- L2 and L1 penalties ------------------------------------------------------------------------
RIDGE = {"w": REAL, "x": REAL, "y": REAL, "lam": POSITIVE}
LAMBDA = {"lambda": "positive"}
L2 = r"\frac{\partial}{\partial w}\left(\frac{1}{2}(wx-y)^2 + \frac{\lambda}{2}w^2\right)"
dridge = d(lambda w, x, y, lam: (w * x - y) ** 2 / 2 + lam * w**2 / 2, "w")
R1 = {"w": 1, "x": 0, "y": 0, "lam": 1}
add(L2 + r" = (wx-y)x + \lambda w", True, dridge,
    lambda w, x, y, lam: (w * x - y) * x + lam * w, sample=RIDGE, domains=LAMBDA)
add(L2 + r" = (wx-y)x + \frac{\lambda}{2}w", False, dridge,
    lambda w, x, y, lam: (w * x - y) * x + lam * w / 2, sample=RIDGE, domains=LAMBDA,
    witness=R1, note="the 1/2 of the penalty kept")
add(L2 + r" = (wx-y)x + 2\lambda w", False, dridge,
    lambda w, x, y, lam: (w * x - y) * x + 2 * lam * w, sample=RIDGE, domains=LAMBDA,
    witness=R1)
add(L2 + r" = (wx-y)x", False, dridge, lambda w, x, y: (w * x - y) * x, sample=RIDGE,
    domains=LAMBDA, witness=R1, note="the penalty forgotten")
RN = {"n": COUNT, "w": REAL, "x": vector(REAL, "n"), "y": vector(REAL, "n"), "lam": POSITIVE}
L2N = (r"\frac{\partial}{\partial w}\left(\frac{1}{n}\sum_{i=1}^{n}(wx_i-y_i)^2"
       r" + \lambda w^2\right)")
dridge_n = d(lambda n, w, x, y, lam: upto(n, lambda i: (w * x[i] - y[i]) ** 2) / n
             + lam * w**2, "w")


def mse_grad(n: int, w: Any, x: Any, y: Any) -> Any:
    return 2 * upto(n, lambda i: (w * x[i] - y[i]) * x[i]) / n


add(L2N + r" = \frac{2}{n}\sum_{i=1}^{n}(wx_i-y_i)x_i + 2\lambda w", True, dridge_n,
    lambda n, w, x, y, lam: mse_grad(n, w, x, y) + 2 * lam * w, sample=RN,
    domains={"n": "count", **LAMBDA})
add(L2N + r" = \frac{2}{n}\sum_{i=1}^{n}(wx_i-y_i)x_i + \lambda w", False, dridge_n,
    lambda n, w, x, y, lam: mse_grad(n, w, x, y) + lam * w, sample=RN,
    domains={"n": "count", **LAMBDA},
    witness={"n": 1, "w": 1, "x": vec(0), "y": vec(0), "lam": 1})
RL = {"n": COUNT, "w": REAL, "x": vector(REAL, "n"), "y": vector(LABEL, "n"), "lam": POSITIVE}
L2BCE = (r"\frac{\partial}{\partial w}\left(\sum_{i=1}^{n}\left[-y_i\log\sigma(wx_i) - (1-y_i)"
         r"\log(1-\sigma(wx_i))\right] + \frac{\lambda}{2}w^2\right)")
dl2bce = d(lambda n, w, x, y, lam: upto(n, lambda i: bce(y[i], w * x[i])) + lam * w**2 / 2,
           "w")


def bce_grad(n: int, w: Any, x: Any, y: Any) -> Any:
    return upto(n, lambda i: (s(w * x[i]) - y[i]) * x[i])


add(L2BCE + r" = \sum_{i=1}^{n}(\sigma(wx_i) - y_i)x_i + \lambda w", True, dl2bce,
    lambda n, w, x, y, lam: bce_grad(n, w, x, y) + lam * w, sample=RL,
    domains={"n": "count", "y_i": "{0,1}", **LAMBDA})
add(L2BCE + r" = \sum_{i=1}^{n}(\sigma(wx_i) - y_i)x_i + \lambda", False, dl2bce,
    lambda n, w, x, y, lam: bce_grad(n, w, x, y) + lam, sample=RL,
    domains={"n": "count", "y_i": "{0,1}", **LAMBDA},
    witness={"n": 1, "w": 2, "x": vec(0), "y": vec(0), "lam": 1})
WLAM = {"w": REAL, "lam": POSITIVE}
add(r"\frac{\partial}{\partial w}\lambda|w| = \lambda\operatorname{sign}(w)", True,
    d(lambda w, lam: lam * abs(w), "w"), lambda w, lam: lam * sign(w), sample=WLAM,
    domains=LAMBDA, note="both sides are defined for w ≠ 0")
add(r"\frac{\partial}{\partial w}\lambda|w| = \lambda", False,
    d(lambda w, lam: lam * abs(w), "w"), lambda lam: lam, sample=WLAM, domains=LAMBDA,
    witness={"w": -1, "lam": 1})
RK = {"d": COUNT, "w": vector(REAL, "d"), "x": vector(REAL, "d"), "y": REAL, "lam": POSITIVE,
      "k": index("d")}
RIDGE_K = (r"\frac{\partial}{\partial w_k}\left(\frac{1}{2}\left(\sum_{j=1}^{d} w_j x_j"
           r" - y\right)^2 + \frac{\lambda}{2}\sum_{j=1}^{d} w_j^2\right)")
dridge_k = d(lambda d, w, x, y, lam: (upto(d, lambda j: w[j] * x[j]) - y) ** 2 / 2
             + lam * upto(d, lambda j: w[j] ** 2) / 2, "w", at="k")


def residual_k(d: int, w: Any, x: Any, y: Any, k: int) -> Any:
    return (upto(d, lambda j: w[j] * x[j]) - y) * x[k]


add(RIDGE_K + r" = \left(\sum_{j=1}^{d} w_j x_j - y\right)x_k + \lambda w_k", True, dridge_k,
    lambda d, w, x, y, lam, k: residual_k(d, w, x, y, k) + lam * w[k], sample=RK,
    domains={"d": "count", **LAMBDA})
add(RIDGE_K + r" = \left(\sum_{j=1}^{d} w_j x_j - y\right)x_k + \lambda\sum_{j=1}^{d} w_j",
    False, dridge_k,
    lambda d, w, x, y, lam, k: residual_k(d, w, x, y, k) + lam * upto(d, lambda j: w[j]),
    sample=RK, domains={"d": "count", **LAMBDA},
    witness={"d": 2, "w": vec(1, 1), "x": vec(0, 0), "y": 0, "lam": 1, "k": 1},
    note="the penalty's derivative summed over every weight")

# -- labels in {−1, 1}: logistic and hinge losses ----------------------------------------------
SL = {"w": REAL, "x": REAL, "y": SIGNED_LABEL}
PM = {"y": "{-1,1}"}
dlogistic = d(lambda w, x, y: softplus(-y * w * x), "w")
add(r"\frac{\partial}{\partial w}\log(1+e^{-ywx}) = -yx\sigma(-ywx)", True, dlogistic,
    lambda w, x, y: -y * x * s(-y * w * x), sample=SL, domains=PM)
add(r"\frac{\partial}{\partial w}\log(1+e^{-ywx}) = -\frac{yx}{1+e^{ywx}}", True, dlogistic,
    lambda w, x, y: -y * x / (1 + exp(y * w * x)), sample=SL, domains=PM)
add(r"\frac{\partial}{\partial w}\log(1+e^{-ywx}) = yx\sigma(-ywx)", False, dlogistic,
    lambda w, x, y: y * x * s(-y * w * x), sample=SL, domains=PM,
    witness={"w": 0, "x": 1, "y": 1})
add(r"\frac{\partial}{\partial w}\log(1+e^{-ywx}) = -yx\sigma(ywx)", False, dlogistic,
    lambda w, x, y: -y * x * s(y * w * x), sample=SL, domains=PM,
    witness={"w": 1, "x": 1, "y": 1})
dhinge = d(lambda w, x, y: relu(1 - y * w * x), "w")
add(r"\frac{\partial}{\partial w}\max(0, 1 - ywx) = \begin{cases} -yx & ywx < 1 \\ 0 & ywx > 1 "
    r"\end{cases}",
    True, dhinge, lambda w, x, y: cases(1 - y * w * x, -y * x, 0), sample=SL, domains=PM,
    partial=True)
add(r"\frac{\partial}{\partial w}\max(0, 1 - ywx) = \begin{cases} yx & ywx < 1 \\ 0 & ywx > 1 "
    r"\end{cases}",
    False, dhinge, lambda w, x, y: cases(1 - y * w * x, y * x, 0), sample=SL, domains=PM,
    witness={"w": 0, "x": 1, "y": 1})

# -- approximations: true at moderate values, false (if only just) far out ----------------------
X = {"x": REAL}
Z = {"z": REAL}
add(r"\frac{d}{dx}\sigma(x-1000) = 0", False, d(lambda x: s(x - 1000), "x"), lambda: 0,
    sample=X, witness={"x": 0}, note="e^{-1000}, not 0")
add(r"\frac{d}{dx}\sigma(x-1000) = \sigma(x-1000)\sigma(1000-x)", True,
    d(lambda x: s(x - 1000), "x"), lambda x: s(x - 1000) * s(1000 - x), sample=X)
add(r"\frac{d}{dx}\tanh(10^{-6}x) = 10^{-6}", False, d(lambda x: tanh(ten(-6) * x), "x"),
    lambda: ten(-6), sample=X, witness={"x": 1}, note="off by 10^-18 at x = 1")
add(r"\frac{d}{dx}\tanh(10^{-6}x) = 10^{-6}(1-\tanh^2(10^{-6}x))", True,
    d(lambda x: tanh(ten(-6) * x), "x"), lambda x: ten(-6) * (1 - tanh(ten(-6) * x) ** 2),
    sample=X)
add(r"\frac{d}{dz}\left(-\log\sigma(z+1000)\right) = 0", False,
    d(lambda z: -log_sigmoid(z + 1000), "z"), lambda: 0, sample=Z, witness={"z": 0})
add(r"\frac{d}{dz}\log\sigma(z) = e^{-z}", False, d(lambda z: log_sigmoid(z), "z"),
    lambda z: exp(-z), sample=Z, witness={"z": 40}, note="1 − σ(z) ≈ e^{−z} for large z only")
add(r"-\log\sigma(z) = -z", False, lambda z: -log_sigmoid(z), lambda z: -z, sample=Z,
    witness={"z": -40}, note="off by 4·10^-18 at z = −40")
add(r"-\log\sigma(z) = \log(1+e^{-z})", True, lambda z: -log_sigmoid(z),
    lambda z: softplus(-z), sample=Z)
add(r"\log(1-\sigma(z)) = -z", False, lambda z: log_one_minus_sigmoid(z), lambda z: -z, sample=Z,
    witness={"z": 50})
add(r"\log(1-\sigma(z)) = -z - \log(1+e^{-z})", True, lambda z: log_one_minus_sigmoid(z),
    lambda z: -z - softplus(-z), sample=Z)
add(r"\log(1+e^{-x}) = e^{-x}", False, lambda x: softplus(-x), lambda x: exp(-x), sample=X,
    witness={"x": 50})
add(r"\sigma(x) = 1 - e^{-x}", False, sigmoid, lambda x: 1 - exp(-x), sample=X,
    witness={"x": 40}, note="off by e^{-80} at x = 40")
add(r"\sigma(10^{-8}x) = \frac{1}{2} + \frac{10^{-8}x}{4}", False,
    lambda x: s(ten(-8) * x), lambda x: num(1) / 2 + ten(-8) * x / 4, sample=X,
    witness={"x": 1}, note="the linearisation; off by 2·10^-26 at x = 1")
add(r"\log(e^{a} + e^{b}) = \max(a, b)", False, lambda a, b: max(a, b) + softplus(-abs(a - b)),
    lambda a, b: max(a, b), sample=AB, witness={"a": 30, "b": 0})
add(r"\log(\hat y + 10^{-12}) = \log\hat y", False, lambda yhat: log(yhat + ten(-12)),
    lambda yhat: log(yhat),
    sample=YH, domains=YH_DOMAINS, witness={"yhat": HALF}, note="the ε of a clipped log")
add(r"\frac{d}{d\hat y}\log(\hat y + 10^{-7}) = \frac{1}{\hat y}", False,
    d(lambda yhat: log(yhat + ten(-7)), "yhat"), lambda yhat: 1 / yhat, sample=YH,
    domains=YH_DOMAINS, witness={"yhat": HALF})
add(r"\frac{\hat y - y}{\hat y(1-\hat y) + 10^{-8}} = \frac{\hat y - y}{\hat y(1-\hat y)}", False,
    lambda y, yhat: (yhat - y) / (yhat * (1 - yhat) + ten(-8)),
    lambda y, yhat: (yhat - y) / (yhat * (1 - yhat)), sample=PRED, domains=PRED_DOMAINS,
    witness=W_HALF)
add(r"\frac{g}{\sqrt{g^2} + 10^{-8}} = \operatorname{sign}(g)", False,
    lambda g: g / (sqrt(g**2) + ten(-8)), lambda g: sign(g), sample={"g": REAL}, witness={"g": 1},
    note="Adam's ε")
add(r"\frac{\partial}{\partial w}\frac{1}{2}(wx - y)^2 = (wx - y)x + 10^{-15}", False,
    d(lambda w, x, y: (w * x - y) ** 2 / 2, "w"), lambda w, x, y: (w * x - y) * x + ten(-15),
    sample={"w": REAL, "x": REAL, "y": REAL}, witness={"w": 1, "x": 1, "y": 0})


# -- far out on a stated domain: gaps of e^-80 and below next to values of size 1 -------------
FAR = {"z": interval(80, 90)}
FAR_DOMAINS = {"z": "(80,90)"}
AT85 = {"z": 85}
add(r"\frac{d}{dz}\log(1+e^{z}) = 1", False, d(lambda z: softplus(z), "z"), lambda: 1,
    sample=FAR, domains=FAR_DOMAINS, witness=AT85, note="σ(z), 1 − e^{-85} at the witness")
add(r"\frac{d}{dz}\log(1+e^{z}) = 1 - \sigma(-z)", True, d(lambda z: softplus(z), "z"),
    lambda z: 1 - s(-z), sample=FAR, domains=FAR_DOMAINS)
add(r"\sigma(z) = 1", False, sigmoid_of, lambda: 1, sample=FAR, domains=FAR_DOMAINS,
    witness=AT85)
add(r"\tanh(z) = 1", False, lambda z: tanh(z), lambda: 1, sample={"z": interval(40, 45)},
    domains={"z": "(40,45)"}, witness={"z": 42}, note="off by 2e^{-84}")
add(r"\operatorname{softplus}(z) = z", False, lambda z: softplus(z), lambda z: z, sample=FAR,
    domains=FAR_DOMAINS, witness=AT85, note="off by e^{-85}, 10^-39 of the value")
add(r"\operatorname{softplus}(z) = z + \log(1+e^{-z})", True, lambda z: softplus(z),
    lambda z: z + softplus(-z), sample=FAR, domains=FAR_DOMAINS)
add(r"\frac{\partial}{\partial z}\left(-\log\sigma(z)\right) = 0", False,
    d(lambda z: -log_sigmoid(z), "z"), lambda: 0, sample=FAR, domains=FAR_DOMAINS,
    witness=AT85, note="a confident right prediction still has a gradient")
add(r"\frac{\partial}{\partial z}\left(-\log\sigma(z)\right) = \sigma(z) - 1", True,
    d(lambda z: -log_sigmoid(z), "z"), lambda z: -s(-z), sample=FAR, domains=FAR_DOMAINS)
add(r"\frac{\partial}{\partial z}\left(-\log(1-\sigma(z))\right) = 1", False,
    d(lambda z: -log_one_minus_sigmoid(z), "z"), lambda: 1, sample=FAR, domains=FAR_DOMAINS,
    witness=AT85)
add(r"\log(1+e^{-z}) = 0", False, lambda z: softplus(-z), lambda: 0, sample=FAR,
    domains=FAR_DOMAINS, witness=AT85)

FARTHER = {"z": interval(100, 110)}
FARTHER_DOMAINS = {"z": "(100,110)"}
AT105 = {"z": 105}
add(r"\sigma(z) = 1", False, sigmoid_of, lambda: 1, sample=FARTHER, domains=FARTHER_DOMAINS,
    witness=AT105, note="off by e^{-105}, 2.5·10^-46")
add(r"\operatorname{softplus}(z) = z", False, lambda z: softplus(z), lambda z: z,
    sample=FARTHER, domains=FARTHER_DOMAINS, witness=AT105)
add(r"\frac{\partial}{\partial z}\left(-\log\sigma(z)\right) = 0", False,
    d(lambda z: -log_sigmoid(z), "z"), lambda: 0, sample=FARTHER, domains=FARTHER_DOMAINS,
    witness=AT105)
add(r"\frac{d}{dz}\log(1+e^{z}) = 1", False, d(lambda z: softplus(z), "z"), lambda: 1,
    sample=FARTHER, domains=FARTHER_DOMAINS, witness=AT105)

# -- the penalised losses again, each sum's body in brackets --------------------------------
add(r"\frac{\partial}{\partial w}\left(\frac{1}{n}\sum_{i=1}^{n}\left[(wx_i-y_i)^2\right]"
    r" + \lambda w^2\right) = \frac{2}{n}\left(\sum_{i=1}^{n}(wx_i-y_i)x_i\right) + 2\lambda w",
    True, dridge_n, lambda n, w, x, y, lam: mse_grad(n, w, x, y) + 2 * lam * w, sample=RN,
    domains={"n": "count", **LAMBDA})
add(r"\frac{\partial}{\partial w}\left(\frac{1}{n}\sum_{i=1}^{n}\left[(wx_i-y_i)^2\right]"
    r" + \lambda w^2\right) = \frac{2}{n}\left(\sum_{i=1}^{n}(wx_i-y_i)x_i\right) + \lambda w",
    False, dridge_n, lambda n, w, x, y, lam: mse_grad(n, w, x, y) + lam * w, sample=RN,
    domains={"n": "count", **LAMBDA},
    witness={"n": 1, "w": 1, "x": vec(0), "y": vec(0), "lam": 1})
L2BCE_B = (r"\frac{\partial}{\partial w}\left(\left(\sum_{i=1}^{n}\left[-y_i\log\sigma(wx_i)"
           r" - (1-y_i)\log(1-\sigma(wx_i))\right]\right) + \frac{\lambda}{2}w^2\right)")
add(L2BCE_B + r" = \left(\sum_{i=1}^{n}(\sigma(wx_i) - y_i)x_i\right) + \lambda w", True,
    dl2bce, lambda n, w, x, y, lam: bce_grad(n, w, x, y) + lam * w, sample=RL,
    domains={"n": "count", "y_i": "{0,1}", **LAMBDA})
add(L2BCE_B + r" = \sum_{i=1}^{n}\left[(\sigma(wx_i) - y_i)x_i + \lambda w\right]", False,
    dl2bce, lambda n, w, x, y, lam: bce_grad(n, w, x, y) + n * lam * w, sample=RL,
    domains={"n": "count", "y_i": "{0,1}", **LAMBDA},
    witness={"n": 2, "w": 1, "x": vec(0, 0), "y": vec(0, 0), "lam": 1},
    note="the penalty's gradient counted once per example")
RIDGE_KB = (r"\frac{\partial}{\partial w_k}\left(\frac{1}{2}\left(\left(\sum_{j=1}^{d} w_j x_j"
            r"\right) - y\right)^2 + \frac{\lambda}{2}\sum_{j=1}^{d} w_j^2\right)")
add(RIDGE_KB + r" = \left(\left(\sum_{j=1}^{d} w_j x_j\right) - y\right)x_k + \lambda w_k", True,
    dridge_k, lambda d, w, x, y, lam, k: residual_k(d, w, x, y, k) + lam * w[k], sample=RK,
    domains={"d": "count", **LAMBDA})
add(RIDGE_KB + r" = \left(\left(\sum_{j=1}^{d} w_j x_j\right) - y\right)x_k + \lambda", False,
    dridge_k, lambda d, w, x, y, lam, k: residual_k(d, w, x, y, k) + lam, sample=RK,
    domains={"d": "count", **LAMBDA},
    witness={"d": 1, "w": vec(2), "x": vec(0), "y": 0, "lam": 1, "k": 1})

CLAIMS = list(add)
