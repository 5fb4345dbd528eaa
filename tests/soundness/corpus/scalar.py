"""Scalar calculus: derivatives of σ, tanh, softplus, log, exp, relu, BCE and MSE, with the
usual chain-rule slips (a missing −1 or inner derivative, a wrong constant, a flipped sign)."""

from __future__ import annotations

from fractions import Fraction

from ..model import LABEL, POSITIVE, REAL, UNIT, Collector, interval
from ..mpfun import (
    d,
    exp,
    log,
    log_one_minus_sigmoid,
    log_sigmoid,
    relu,
    sech,
    sigmoid,
    sign,
    softplus,
    sqrt,
    tanh,
)

add = Collector("scalar")
HALF = Fraction(1, 2)
Z = {"z": REAL}
X = {"x": REAL}
WXB = {"w": REAL, "x": REAL, "b": REAL}


def s(z):  # σ(z)
    return sigmoid(z)


def ds(z):  # σ(z)(1 − σ(z))
    return sigmoid(z) * (1 - sigmoid(z))


# -- sigmoid ---------------------------------------------------------------------------------
dsig = d(lambda z: s(z), "z")
add(r"\frac{d}{dz}\sigma(z) = \sigma(z)(1-\sigma(z))", True, dsig, ds, sample=Z)
add(r"\sigma'(z) = \sigma(z)\,\sigma(-z)", True, dsig, lambda z: s(z) * s(-z), sample=Z)
add(r"\frac{d}{dz}\sigma(z) = \frac{e^{-z}}{(1+e^{-z})^2}", True, dsig,
    lambda z: exp(-z) / (1 + exp(-z)) ** 2, sample=Z)
add(r"\frac{d}{dz}\frac{1}{1+e^{-z}} = \frac{e^{z}}{(1+e^{z})^2}", True,
    d(lambda z: 1 / (1 + exp(-z)), "z"), lambda z: exp(z) / (1 + exp(z)) ** 2, sample=Z)
add(r"\partial_z \sigma(z) = \sigma(z) - \sigma(z)^2", True, dsig,
    lambda z: s(z) - s(z) ** 2, sample=Z)
add(r"\frac{d}{dz}\sigma(z) = \sigma(z)(1+\sigma(z))", False, dsig,
    lambda z: s(z) * (1 + s(z)), sample=Z, witness={"z": 0}, note="σ' with a + sign")
add(r"\sigma'(z) = 1-\sigma(z)", False, dsig, lambda z: 1 - s(z), sample=Z, witness={"z": 0})
add(r"\frac{d}{dz}\sigma(z) = \sigma(z)^2", False, dsig, lambda z: s(z) ** 2, sample=Z,
    witness={"z": 1})
add(r"\frac{d}{dz}\frac{1}{1+e^{-z}} = \frac{e^{-z}}{1+e^{-z}}", False,
    d(lambda z: 1 / (1 + exp(-z)), "z"), lambda z: exp(-z) / (1 + exp(-z)), sample=Z,
    witness={"z": 1})
add(r"\frac{d}{dz}\frac{1}{1+e^{-z}} = -\frac{e^{-z}}{(1+e^{-z})^2}", False,
    d(lambda z: 1 / (1 + exp(-z)), "z"), lambda z: -exp(-z) / (1 + exp(-z)) ** 2, sample=Z,
    witness={"z": 0}, note="the −1 of e^{-z} applied twice")
add(r"\frac{d}{dz}\sigma(z) = \frac{1}{(1+e^{-z})^2}", False, dsig,
    lambda z: 1 / (1 + exp(-z)) ** 2, sample=Z, witness={"z": 1})
add(r"\frac{d}{dz}\sigma(2z) = 2\sigma(2z)(1-\sigma(2z))", True, d(lambda z: s(2 * z), "z"),
    lambda z: 2 * ds(2 * z), sample=Z)
add(r"\frac{d}{dz}\sigma(2z) = \sigma(2z)(1-\sigma(2z))", False, d(lambda z: s(2 * z), "z"),
    lambda z: ds(2 * z), sample=Z, witness={"z": 0}, note="inner derivative missing")
add(r"\frac{d}{dz}\sigma(-z) = -\sigma(z)\sigma(-z)", True, d(lambda z: s(-z), "z"),
    lambda z: -s(z) * s(-z), sample=Z)
add(r"\frac{d}{dz}\sigma(-z) = \sigma(-z)(1-\sigma(-z))", False, d(lambda z: s(-z), "z"),
    lambda z: ds(-z), sample=Z, witness={"z": 0}, note="the −1 of the inner function lost")
add(r"\frac{\partial}{\partial w}\sigma(wx+b) = x\sigma(wx+b)(1-\sigma(wx+b))", True,
    d(lambda w, x, b: s(w * x + b), "w"), lambda w, x, b: x * ds(w * x + b), sample=WXB)
add(r"\frac{\partial}{\partial w}\sigma(wx+b) = \sigma(wx+b)(1-\sigma(wx+b))", False,
    d(lambda w, x, b: s(w * x + b), "w"), lambda w, x, b: ds(w * x + b), sample=WXB,
    witness={"w": 0, "x": 2, "b": 0})
add(r"\frac{\partial}{\partial b}\sigma(wx+b) = \sigma(wx+b)(1-\sigma(wx+b))", True,
    d(lambda w, x, b: s(w * x + b), "b"), lambda w, x, b: ds(w * x + b), sample=WXB)
add(r"\frac{\partial}{\partial b}\sigma(wx+b) = x\sigma(wx+b)(1-\sigma(wx+b))", False,
    d(lambda w, x, b: s(w * x + b), "b"), lambda w, x, b: x * ds(w * x + b), sample=WXB,
    witness={"w": 0, "x": 2, "b": 0})
add(r"\frac{d^2}{dz^2}\sigma(z) = \sigma(z)(1-\sigma(z))(1-2\sigma(z))", True,
    d(lambda z: s(z), "z", order=2), lambda z: ds(z) * (1 - 2 * s(z)), sample=Z)
add(r"\frac{d^2}{dz^2}\sigma(z) = \sigma(z)(1-\sigma(z))", False,
    d(lambda z: s(z), "z", order=2), ds, sample=Z, witness={"z": 0})
add(r"\frac{d}{dz}\sigma(z^2) = 2z\sigma(z^2)(1-\sigma(z^2))", True,
    d(lambda z: s(z**2), "z"), lambda z: 2 * z * ds(z**2), sample=Z)
add(r"\frac{d}{dz}\sigma(z^2) = 2\sigma(z^2)(1-\sigma(z^2))", False,
    d(lambda z: s(z**2), "z"), lambda z: 2 * ds(z**2), sample=Z, witness={"z": 2})

# -- tanh ------------------------------------------------------------------------------------
dtanh = d(lambda x: tanh(x), "x")
add(r"\frac{d}{dx}\tanh(x) = 1-\tanh^2(x)", True, dtanh, lambda x: 1 - tanh(x) ** 2, sample=X)
add(r"\frac{d}{dx}\tanh x = \operatorname{sech}^2 x", True, dtanh, lambda x: sech(x) ** 2,
    sample=X)
add(r"\frac{d}{dx}\tanh(x) = 4\sigma(2x)(1-\sigma(2x))", True, dtanh,
    lambda x: 4 * ds(2 * x), sample=X)
add(r"\frac{d}{dx}\tanh(3x) = 3(1-\tanh^2(3x))", True, d(lambda x: tanh(3 * x), "x"),
    lambda x: 3 * (1 - tanh(3 * x) ** 2), sample=X)
add(r"\frac{d}{dx}\tanh(x) = 1+\tanh^2(x)", False, dtanh, lambda x: 1 + tanh(x) ** 2,
    sample=X, witness={"x": 1})
add(r"\frac{d}{dx}\tanh(x) = 1-\tanh(x)", False, dtanh, lambda x: 1 - tanh(x), sample=X,
    witness={"x": 1})
add(r"\frac{d}{dx}\tanh(3x) = 1-\tanh^2(3x)", False, d(lambda x: tanh(3 * x), "x"),
    lambda x: 1 - tanh(3 * x) ** 2, sample=X, witness={"x": 0})
add(r"\frac{d}{dx}\tanh(x) = -\tanh^2(x)", False, dtanh, lambda x: -tanh(x) ** 2, sample=X,
    witness={"x": 1})
add(r"\frac{d}{dx}\tanh^2(x) = 2\tanh(x)(1-\tanh^2(x))", True,
    d(lambda x: tanh(x) ** 2, "x"), lambda x: 2 * tanh(x) * (1 - tanh(x) ** 2), sample=X)
add(r"\frac{d}{dx}\tanh^2(x) = 2\tanh(x)", False, d(lambda x: tanh(x) ** 2, "x"),
    lambda x: 2 * tanh(x), sample=X, witness={"x": 1})
add(r"\frac{d}{dx}\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}} = \frac{4}{(e^{x}+e^{-x})^2}", True,
    d(lambda x: (exp(x) - exp(-x)) / (exp(x) + exp(-x)), "x"),
    lambda x: 4 / (exp(x) + exp(-x)) ** 2, sample=X)
add(r"\frac{d}{dx}\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}} = \frac{2}{(e^{x}+e^{-x})^2}", False,
    d(lambda x: (exp(x) - exp(-x)) / (exp(x) + exp(-x)), "x"),
    lambda x: 2 / (exp(x) + exp(-x)) ** 2, sample=X, witness={"x": 0})

# -- softplus --------------------------------------------------------------------------------
dsoft = d(lambda x: softplus(x), "x")
dsoftneg = d(lambda x: softplus(-x), "x")
add(r"\frac{d}{dx}\log(1+e^{x}) = \sigma(x)", True, dsoft, lambda x: s(x), sample=X)
add(r"\frac{d}{dx}\log(1+e^{x}) = \frac{e^{x}}{1+e^{x}}", True, dsoft,
    lambda x: exp(x) / (1 + exp(x)), sample=X)
add(r"\frac{d}{dx}\operatorname{softplus}(x) = \frac{1}{1+e^{-x}}", True, dsoft,
    lambda x: 1 / (1 + exp(-x)), sample=X)
add(r"\frac{d}{dx}\log(1+e^{x}) = \frac{1}{1+e^{x}}", False, dsoft,
    lambda x: 1 / (1 + exp(x)), sample=X, witness={"x": 1})
add(r"\frac{d}{dx}\log(1+e^{x}) = \sigma(-x)", False, dsoft, lambda x: s(-x), sample=X,
    witness={"x": 1})
add(r"\frac{d}{dx}\log(1+e^{-x}) = -\sigma(-x)", True, dsoftneg, lambda x: -s(-x), sample=X)
add(r"\frac{d}{dx}\log(1+e^{-x}) = \sigma(x)-1", True, dsoftneg, lambda x: s(x) - 1,
    sample=X)
add(r"\frac{d}{dx}\log(1+e^{-x}) = \sigma(-x)", False, dsoftneg, lambda x: s(-x), sample=X,
    witness={"x": 0}, note="the −1 of −x lost")
add(r"\frac{d}{dx}\log(1+e^{-x}) = \frac{1}{1+e^{-x}}", False, dsoftneg,
    lambda x: 1 / (1 + exp(-x)), sample=X, witness={"x": 0})
add(r"\frac{d}{dx}\log(1+e^{2x}) = 2\sigma(2x)", True, d(lambda x: softplus(2 * x), "x"),
    lambda x: 2 * s(2 * x), sample=X)
add(r"\frac{d}{dx}\log(1+e^{2x}) = \sigma(2x)", False, d(lambda x: softplus(2 * x), "x"),
    lambda x: s(2 * x), sample=X, witness={"x": 0})

# -- log -------------------------------------------------------------------------------------
P = {"p": UNIT}
XP = {"x": POSITIVE}
add(r"\frac{d}{dx}\log x = \frac{1}{x}", True, d(lambda x: log(x), "x"), lambda x: 1 / x,
    sample=XP, domains={"x": "positive"})
add(r"\frac{d}{dx}\ln(x) = x^{-1}", True, d(lambda x: log(x), "x"), lambda x: 1 / x,
    sample=XP, domains={"x": "positive"})
add(r"\frac{d}{dx}\log x = \frac{1}{x^2}", False, d(lambda x: log(x), "x"),
    lambda x: 1 / x**2, sample=XP, domains={"x": "positive"}, witness={"x": 2})
add(r"\frac{d}{dp}\log(1-p) = -\frac{1}{1-p}", True, d(lambda p: log(1 - p), "p"),
    lambda p: -1 / (1 - p), sample=P, domains={"p": "(0,1)"})
add(r"\frac{d}{dp}\log(1-p) = \frac{1}{1-p}", False, d(lambda p: log(1 - p), "p"),
    lambda p: 1 / (1 - p), sample=P, domains={"p": "(0,1)"}, witness={"p": HALF},
    note="the chain-rule −1 of 1 − p lost")
add(r"\frac{d}{dx}\log(x^2+1) = \frac{2x}{x^2+1}", True, d(lambda x: log(x**2 + 1), "x"),
    lambda x: 2 * x / (x**2 + 1), sample=X)
add(r"\frac{d}{dx}\log(x^2+1) = \frac{1}{x^2+1}", False, d(lambda x: log(x**2 + 1), "x"),
    lambda x: 1 / (x**2 + 1), sample=X, witness={"x": 1})
add(r"\frac{d}{dz}\log\sigma(z) = 1-\sigma(z)", True, d(lambda z: log_sigmoid(z), "z"),
    lambda z: 1 - s(z), sample=Z)
add(r"\frac{d}{dz}\log\sigma(z) = \sigma(z)", False, d(lambda z: log_sigmoid(z), "z"), s,
    sample=Z, witness={"z": 1})
add(r"\frac{d}{dz}\log\sigma(z) = \frac{1}{\sigma(z)}", False,
    d(lambda z: log_sigmoid(z), "z"), lambda z: 1 / s(z), sample=Z, witness={"z": 0})
add(r"\frac{d}{dz}\log(1-\sigma(z)) = -\sigma(z)", True,
    d(lambda z: log_one_minus_sigmoid(z), "z"), lambda z: -s(z), sample=Z)
add(r"\frac{d}{dz}\log(1-\sigma(z)) = 1-\sigma(z)", False,
    d(lambda z: log_one_minus_sigmoid(z), "z"), lambda z: 1 - s(z), sample=Z,
    witness={"z": 0})
add(r"\frac{d}{dz}\log(1-\sigma(z)) = \sigma(z)", False,
    d(lambda z: log_one_minus_sigmoid(z), "z"), s, sample=Z, witness={"z": 0},
    note="the −1 of 1 − σ lost")
add(r"\frac{d}{dx}\log(2x) = \frac{1}{x}", True, d(lambda x: log(2 * x), "x"),
    lambda x: 1 / x, sample=XP, domains={"x": "positive"})
add(r"\frac{d}{dx}\log(2x) = \frac{1}{2x}", False, d(lambda x: log(2 * x), "x"),
    lambda x: 1 / (2 * x), sample=XP, domains={"x": "positive"}, witness={"x": 1})

# -- exp and products ------------------------------------------------------------------------
dgauss = d(lambda x: exp(-(x**2)), "x")
add(r"\frac{d}{dx}e^{-x^2} = -2xe^{-x^2}", True, dgauss, lambda x: -2 * x * exp(-(x**2)),
    sample=X)
add(r"\frac{d}{dx}e^{-x^2} = 2xe^{-x^2}", False, dgauss, lambda x: 2 * x * exp(-(x**2)),
    sample=X, witness={"x": 1})
add(r"\frac{d}{dx}e^{-x^2} = -xe^{-x^2}", False, dgauss, lambda x: -x * exp(-(x**2)),
    sample=X, witness={"x": 1})
add(r"\frac{d}{dx}e^{-x^2} = e^{-x^2}", False, dgauss, lambda x: exp(-(x**2)), sample=X,
    witness={"x": 1})
add(r"\frac{d}{dx}e^{3x} = 3e^{3x}", True, d(lambda x: exp(3 * x), "x"),
    lambda x: 3 * exp(3 * x), sample=X)
add(r"\frac{d}{dx}e^{3x} = e^{3x}", False, d(lambda x: exp(3 * x), "x"),
    lambda x: exp(3 * x), sample=X, witness={"x": 0})
add(r"\frac{d}{dx}\exp(\frac{x^2}{2}) = x\exp(\frac{x^2}{2})", True,
    d(lambda x: exp(x**2 / 2), "x"), lambda x: x * exp(x**2 / 2), sample=X)
add(r"\frac{d}{dx}xe^{x} = (1+x)e^{x}", True, d(lambda x: x * exp(x), "x"),
    lambda x: (1 + x) * exp(x), sample=X)
add(r"\frac{d}{dx}xe^{x} = xe^{x}", False, d(lambda x: x * exp(x), "x"),
    lambda x: x * exp(x), sample=X, witness={"x": 1})
add(r"\frac{d}{dx}\frac{x}{1+x^2} = \frac{1-x^2}{(1+x^2)^2}", True,
    d(lambda x: x / (1 + x**2), "x"), lambda x: (1 - x**2) / (1 + x**2) ** 2, sample=X)
add(r"\frac{d}{dx}\frac{x}{1+x^2} = \frac{1+3x^2}{(1+x^2)^2}", False,
    d(lambda x: x / (1 + x**2), "x"), lambda x: (1 + 3 * x**2) / (1 + x**2) ** 2, sample=X,
    witness={"x": 1}, note="quotient rule with + instead of −")

# -- relu and |x| ----------------------------------------------------------------------------
drelu = d(lambda x: relu(x), "x")
add(r"\frac{d}{dx}\operatorname{relu}(x) = \frac{1+\operatorname{sign}(x)}{2}", True, drelu,
    lambda x: (1 + sign(x)) / 2, sample=X, note="both sides are defined for x ≠ 0")
add(r"\frac{d}{dx}\operatorname{relu}(x) = \operatorname{sign}(x)", False, drelu, sign,
    sample=X, witness={"x": -1})
add(r"\frac{d}{dx}\operatorname{relu}(x)^2 = 2\operatorname{relu}(x)", True,
    d(lambda x: relu(x) ** 2, "x"), lambda x: 2 * relu(x), sample=X)
add(r"\frac{d}{dx}\operatorname{relu}(x)^2 = 2x", False, d(lambda x: relu(x) ** 2, "x"),
    lambda x: 2 * x, sample=X, witness={"x": -1})
add(r"\frac{d}{dx}x\operatorname{relu}(x) = 2\operatorname{relu}(x)", True,
    d(lambda x: x * relu(x), "x"), lambda x: 2 * relu(x), sample=X)
add(r"\frac{d}{dx}x\operatorname{relu}(x) = \operatorname{relu}(x)", False,
    d(lambda x: x * relu(x), "x"), relu, sample=X, witness={"x": 1})
add(r"\frac{d}{dx}\max(0, x) = \frac{\operatorname{relu}(x)}{x}", True,
    d(lambda x: relu(x), "x"), lambda x: relu(x) / x, sample=X)
add(r"\frac{d}{dx}\operatorname{relu}(2x) = \frac{1+\operatorname{sign}(x)}{2}", False,
    d(lambda x: relu(2 * x), "x"), lambda x: (1 + sign(x)) / 2, sample=X, witness={"x": 1})
add(r"\frac{d}{dx}\operatorname{relu}(-x) = -\frac{1-\operatorname{sign}(x)}{2}", True,
    d(lambda x: relu(-x), "x"), lambda x: -(1 - sign(x)) / 2, sample=X)
add(r"\frac{d}{dx}\operatorname{relu}(-x) = \frac{1-\operatorname{sign}(x)}{2}", False,
    d(lambda x: relu(-x), "x"), lambda x: (1 - sign(x)) / 2, sample=X, witness={"x": -1})
add(r"\frac{d}{dx}|x| = \operatorname{sign}(x)", True, d(lambda x: abs(x), "x"), sign,
    sample=X, note="both sides are defined for x ≠ 0")
add(r"\frac{d}{dx}|x| = 1", False, d(lambda x: abs(x), "x"), lambda x: 1, sample=X,
    witness={"x": -1})

# -- binary cross-entropy --------------------------------------------------------------------
BCE = r"\frac{\partial}{\partial \hat y}\left(-y\log\hat y - (1-y)\log(1-\hat y)\right)"
BIN = {"y": LABEL, "yhat": UNIT}
BIN_DOMAINS = {"y": "{0,1}", "yhat": "(0,1)"}
SOFT = {"y": interval(0, 1, closed=True), "yhat": UNIT}
SOFT_DOMAINS = {"y": "[0,1]", "yhat": "(0,1)"}
dbce = d(lambda y, yhat: -y * log(yhat) - (1 - y) * log(1 - yhat), "yhat")
W0 = {"y": 0, "yhat": HALF}
add(BCE + r" = \frac{\hat y - y}{\hat y(1-\hat y)}", True, dbce,
    lambda y, yhat: (yhat - y) / (yhat * (1 - yhat)), sample=BIN, domains=BIN_DOMAINS)
add(BCE + r" = -\frac{y}{\hat y} + \frac{1-y}{1-\hat y}", True, dbce,
    lambda y, yhat: -y / yhat + (1 - y) / (1 - yhat), sample=BIN, domains=BIN_DOMAINS)
add(BCE + r" = \frac{\hat y - y}{\hat y(1-\hat y)}", True, dbce,
    lambda y, yhat: (yhat - y) / (yhat * (1 - yhat)), sample=SOFT, domains=SOFT_DOMAINS)
add(BCE + r" = -\frac{y}{\hat y} - \frac{1-y}{1-\hat y}", False, dbce,
    lambda y, yhat: -y / yhat - (1 - y) / (1 - yhat), sample=BIN, domains=BIN_DOMAINS,
    witness=W0, note="the −1 of d(1 − ŷ)/dŷ lost")
add(BCE + r" = \frac{y - \hat y}{\hat y(1-\hat y)}", False, dbce,
    lambda y, yhat: (y - yhat) / (yhat * (1 - yhat)), sample=BIN, domains=BIN_DOMAINS,
    witness=W0)
add(BCE + r" = \hat y - y", False, dbce, lambda y, yhat: yhat - y, sample=BIN,
    domains=BIN_DOMAINS, witness=W0, note="the gradient with respect to the logit instead")
add(r"\frac{\partial}{\partial \hat y}(-\log\hat y) = -\frac{1}{\hat y}", True,
    d(lambda yhat: -log(yhat), "yhat"), lambda yhat: -1 / yhat, sample={"yhat": UNIT},
    domains={"yhat": "(0,1)"})
add(r"\frac{\partial}{\partial \hat y}(-\log\hat y) = \frac{1}{\hat y}", False,
    d(lambda yhat: -log(yhat), "yhat"), lambda yhat: 1 / yhat, sample={"yhat": UNIT},
    domains={"yhat": "(0,1)"}, witness={"yhat": HALF})
add(r"\frac{\partial}{\partial \hat y}(-\log(1-\hat y)) = \frac{1}{1-\hat y}", True,
    d(lambda yhat: -log(1 - yhat), "yhat"), lambda yhat: 1 / (1 - yhat),
    sample={"yhat": UNIT}, domains={"yhat": "(0,1)"})
add(r"\frac{\partial}{\partial \hat y}(-\log(1-\hat y)) = -\frac{1}{1-\hat y}", False,
    d(lambda yhat: -log(1 - yhat), "yhat"), lambda yhat: -1 / (1 - yhat),
    sample={"yhat": UNIT}, domains={"yhat": "(0,1)"}, witness={"yhat": HALF})
LOGIT = r"\frac{\partial}{\partial z}\left(-y\log\sigma(z) - (1-y)\log(1-\sigma(z))\right)"
dlogit = d(lambda y, z: -y * log_sigmoid(z) - (1 - y) * log_one_minus_sigmoid(z), "z")
add(LOGIT + r" = \sigma(z) - y", True, dlogit, lambda y, z: s(z) - y,
    sample={"y": LABEL, "z": REAL}, domains={"y": "{0,1}"})
add(LOGIT + r" = \sigma(z) - y", True, dlogit, lambda y, z: s(z) - y,
    sample={"y": interval(0, 1, closed=True), "z": REAL}, domains={"y": "[0,1]"})
add(LOGIT + r" = y - \sigma(z)", False, dlogit, lambda y, z: y - s(z),
    sample={"y": LABEL, "z": REAL}, domains={"y": "{0,1}"}, witness={"y": 0, "z": 0})
add(LOGIT + r" = \sigma(z)(1-\sigma(z))(\sigma(z) - y)", False, dlogit,
    lambda y, z: ds(z) * (s(z) - y), sample={"y": LABEL, "z": REAL}, domains={"y": "{0,1}"},
    witness={"y": 0, "z": 0}, note="σ' applied on top of the cancelled form")

# -- squared error ---------------------------------------------------------------------------
YY = {"yhat": REAL, "y": REAL}
dsq = d(lambda yhat, y: (yhat - y) ** 2, "yhat")
add(r"\frac{d}{d\hat y}(\hat y - y)^2 = 2(\hat y - y)", True, dsq,
    lambda yhat, y: 2 * (yhat - y), sample=YY)
add(r"\frac{d}{d\hat y}(\hat y - y)^2 = 2(y - \hat y)", False, dsq,
    lambda yhat, y: 2 * (y - yhat), sample=YY, witness={"yhat": 1, "y": 0})
add(r"\frac{d}{d\hat y}(\hat y - y)^2 = \hat y - y", False, dsq, lambda yhat, y: yhat - y,
    sample=YY, witness={"yhat": 1, "y": 0})
WXY = {"w": REAL, "x": REAL, "y": REAL}
add(r"\frac{\partial}{\partial w}(wx-y)^2 = 2x(wx-y)", True,
    d(lambda w, x, y: (w * x - y) ** 2, "w"), lambda w, x, y: 2 * x * (w * x - y), sample=WXY)
add(r"\frac{\partial}{\partial w}(wx-y)^2 = 2(wx-y)", False,
    d(lambda w, x, y: (w * x - y) ** 2, "w"), lambda w, x, y: 2 * (w * x - y), sample=WXY,
    witness={"w": 1, "x": 2, "y": 0}, note="inner derivative x missing")
add(r"\frac{\partial}{\partial w}\frac{1}{2}(wx-y)^2 = x(wx-y)", True,
    d(lambda w, x, y: (w * x - y) ** 2 / 2, "w"), lambda w, x, y: x * (w * x - y), sample=WXY)
add(r"\frac{\partial}{\partial w}\frac{1}{2}(wx-y)^2 = 2x(wx-y)", False,
    d(lambda w, x, y: (w * x - y) ** 2 / 2, "w"), lambda w, x, y: 2 * x * (w * x - y),
    sample=WXY, witness={"w": 1, "x": 1, "y": 0}, note="the 1/2 forgotten")
add(r"\frac{\partial}{\partial y}\frac{1}{2}(wx-y)^2 = y - wx", True,
    d(lambda w, x, y: (w * x - y) ** 2 / 2, "y"), lambda w, x, y: y - w * x, sample=WXY)
add(r"\frac{\partial}{\partial y}\frac{1}{2}(wx-y)^2 = wx - y", False,
    d(lambda w, x, y: (w * x - y) ** 2 / 2, "y"), lambda w, x, y: w * x - y, sample=WXY,
    witness={"w": 1, "x": 1, "y": 0})

# -- powers and roots ------------------------------------------------------------------------
add(r"\frac{d}{dx}\sqrt{x} = \frac{1}{2\sqrt{x}}", True, d(lambda x: sqrt(x), "x"),
    lambda x: 1 / (2 * sqrt(x)), sample=XP, domains={"x": "positive"})
add(r"\frac{d}{dx}\sqrt{x} = \frac{1}{\sqrt{x}}", False, d(lambda x: sqrt(x), "x"),
    lambda x: 1 / sqrt(x), sample=XP, domains={"x": "positive"}, witness={"x": 1})
add(r"\frac{d}{dx}\sqrt{1+x^2} = \frac{x}{\sqrt{1+x^2}}", True,
    d(lambda x: sqrt(1 + x**2), "x"), lambda x: x / sqrt(1 + x**2), sample=X)
add(r"\frac{d}{dx}\sqrt{1+x^2} = \frac{1}{2\sqrt{1+x^2}}", False,
    d(lambda x: sqrt(1 + x**2), "x"), lambda x: 1 / (2 * sqrt(1 + x**2)), sample=X,
    witness={"x": 1})
add(r"\frac{d}{dx}\frac{1}{x} = -\frac{1}{x^2}", True, d(lambda x: 1 / x, "x"),
    lambda x: -1 / x**2, sample=XP, domains={"x": "positive"})
add(r"\frac{d}{dx}\frac{1}{x} = \frac{1}{x^2}", False, d(lambda x: 1 / x, "x"),
    lambda x: 1 / x**2, sample=XP, domains={"x": "positive"}, witness={"x": 1})
add(r"\frac{d}{dx}x^3 = 3x^2", True, d(lambda x: x**3, "x"), lambda x: 3 * x**2, sample=X)
add(r"\frac{d}{dx}x^3 = 3x^3", False, d(lambda x: x**3, "x"), lambda x: 3 * x**3, sample=X,
    witness={"x": 2})
add(r"\frac{d}{dt}\frac{1}{1+t^2} = -\frac{2t}{(1+t^2)^2}", True,
    d(lambda t: 1 / (1 + t**2), "t"), lambda t: -2 * t / (1 + t**2) ** 2, sample={"t": REAL})
add(r"\frac{d}{dt}\frac{1}{1+t^2} = -\frac{1}{(1+t^2)^2}", False,
    d(lambda t: 1 / (1 + t**2), "t"), lambda t: -1 / (1 + t**2) ** 2, sample={"t": REAL},
    witness={"t": 1}, note="inner derivative 2t missing")

CLAIMS = list(add)
