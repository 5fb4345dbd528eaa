"""Domains: labels in {0,1} or {−1,1} (every value matters), counts, positivity, (0,1)
probabilities, and identities that hold only on the stated domain."""

from __future__ import annotations

from fractions import Fraction

from ..model import (
    CLOSED_UNIT,
    COUNT,
    LABEL,
    NONNEGATIVE,
    POSITIVE,
    REAL,
    SIGNED_LABEL,
    UNIT,
    Collector,
    interval,
)
from ..mpfun import (
    exp,
    frac,
    log,
    log_one_minus_sigmoid,
    log_sigmoid,
    num,
    power,
    relu,
    sigmoid,
    sign,
    softplus,
    sqrt,
)

add = Collector("domains")
HALF, QUARTER = Fraction(1, 2), Fraction(1, 4)
Y01 = ({"y": LABEL}, {"y": "{0,1}"})
Y_UNIT = ({"y": CLOSED_UNIT}, {"y": "[0,1]"})
YPM = ({"y": SIGNED_LABEL}, {"y": "{-1,1}"})
XPOS = ({"x": POSITIVE}, {"x": "positive"})
XNONNEG = ({"x": NONNEGATIVE}, {"x": "nonnegative"})
XREAL = ({"x": REAL}, {})
P01 = ({"p": UNIT}, {"p": "(0,1)"})
NCOUNT = ({"n": COUNT}, {"n": "count"})
PRED = ({"y": LABEL, "yhat": UNIT}, {"y": "{0,1}", "yhat": "(0,1)"})
PRED_SOFT = ({"y": CLOSED_UNIT, "yhat": UNIT}, {"y": "[0,1]", "yhat": "(0,1)"})
LOGIT = ({"y": LABEL, "z": REAL}, {"y": "{0,1}"})
LOGIT_SOFT = ({"y": CLOSED_UNIT, "z": REAL}, {"y": "[0,1]"})
LOGIT_REAL = ({"y": REAL, "z": REAL}, {})


def claim(latex, truth, lhs, rhs, where, witness=None, note=""):
    """A claim on the domains ``where`` = (sampling specs, what the checker is told)."""
    sample, domains = where
    add(latex, truth, lhs, rhs, sample=sample, domains=domains, witness=witness, note=note)


# -- labels ----------------------------------------------------------------------------------
claim(r"\operatorname{relu}(1-y) = 1-y", True, lambda y: relu(1 - y), lambda y: 1 - y, Y01)
claim(r"\operatorname{relu}(1-y) = 1", False, lambda y: relu(1 - y), lambda: 1, Y01, {"y": 1})
claim(r"y^2 = y", True, lambda y: y**2, lambda y: y, Y01)
claim(r"y^2 = y", False, lambda y: y**2, lambda y: y, Y_UNIT, {"y": HALF})
claim(r"y^2 = 1", False, lambda y: y**2, lambda: 1, Y01, {"y": 0})
claim(r"y(1-y) = 0", True, lambda y: y * (1 - y), lambda: 0, Y01)
claim(r"y(1-y) = 0", False, lambda y: y * (1 - y), lambda: 0, Y_UNIT, {"y": HALF})
claim(r"(1-y)^2 = 1-y", True, lambda y: (1 - y) ** 2, lambda y: 1 - y, Y01)
claim(r"y^3 = y", True, lambda y: y**3, lambda y: y, Y01)
claim(r"y^3 = y", True, lambda y: y**3, lambda y: y, YPM)
claim(r"y^3 = y", False, lambda y: y**3, lambda y: y, Y_UNIT, {"y": HALF})
claim(r"(2y-1)^2 = 1", True, lambda y: (2 * y - 1) ** 2, lambda: 1, Y01)
claim(r"(2y-1)^2 = 1", False, lambda y: (2 * y - 1) ** 2, lambda: 1, Y_UNIT, {"y": HALF})
claim(r"y^2 = 1", True, lambda y: y**2, lambda: 1, YPM)
claim(r"\operatorname{relu}(y) = \frac{1+y}{2}", True, lambda y: relu(y), lambda y: (1 + y) / 2,
      YPM)
claim(r"\operatorname{relu}(y) = y", False, lambda y: relu(y), lambda y: y, YPM, {"y": -1})
claim(r"\log(1+e^{-yz}) = \log(1+e^{-z})", False, lambda y, z: softplus(-y * z),
      lambda z: softplus(-z), ({"y": SIGNED_LABEL, "z": REAL}, {"y": "{-1,1}"}),
      {"y": -1, "z": 1})
claim(r"\log(1+e^{-yz}) = \log(1+e^{-|z|}) + \operatorname{relu}(-yz)", True,
      lambda y, z: softplus(-y * z), lambda y, z: softplus(-abs(z)) + relu(-y * z),
      ({"y": SIGNED_LABEL, "z": REAL}, {"y": "{-1,1}"}))

# -- predictions and losses ------------------------------------------------------------------
LL = r"y\log\hat y + (1-y)\log(1-\hat y)"


def loglik(y, yhat):
    return y * log(yhat) + (1 - y) * log(1 - yhat)


claim(LL + r" = \log\hat y", False, loglik, lambda yhat: log(yhat), PRED,
      {"y": 0, "yhat": QUARTER})
claim(LL + r" = \log(y\hat y + (1-y)(1-\hat y))", True, loglik,
      lambda y, yhat: log(y * yhat + (1 - y) * (1 - yhat)), PRED)
claim(LL + r" = \log(y\hat y + (1-y)(1-\hat y))", False, loglik,
      lambda y, yhat: log(y * yhat + (1 - y) * (1 - yhat)), PRED_SOFT,
      {"y": HALF, "yhat": QUARTER}, note="only for labels in {0,1}")
claim(r"\hat y^{y}(1-\hat y)^{1-y} = y\hat y + (1-y)(1-\hat y)", True,
      lambda y, yhat: power(yhat, y) * power(1 - yhat, 1 - y),
      lambda y, yhat: y * yhat + (1 - y) * (1 - yhat), PRED)
claim(r"\hat y^{y}(1-\hat y)^{1-y} = y\hat y + (1-y)(1-\hat y)", False,
      lambda y, yhat: power(yhat, y) * power(1 - yhat, 1 - y),
      lambda y, yhat: y * yhat + (1 - y) * (1 - yhat), PRED_SOFT, {"y": HALF, "yhat": QUARTER})
claim(r"|y - \hat y| = y + \hat y - 2y\hat y", True, lambda y, yhat: abs(y - yhat),
      lambda y, yhat: y + yhat - 2 * y * yhat, PRED)
claim(r"|y - \hat y| = y - \hat y", False, lambda y, yhat: abs(y - yhat),
      lambda y, yhat: y - yhat, PRED, {"y": 0, "yhat": HALF})
claim(r"y\hat y + (1-y)(1-\hat y) = 1 - |y - \hat y|", True,
      lambda y, yhat: y * yhat + (1 - y) * (1 - yhat), lambda y, yhat: 1 - abs(y - yhat), PRED)
claim(r"y\hat y + (1-y)(1-\hat y) = 1 - |y - \hat y|", False,
      lambda y, yhat: y * yhat + (1 - y) * (1 - yhat), lambda y, yhat: 1 - abs(y - yhat),
      PRED_SOFT, {"y": HALF, "yhat": QUARTER})
BCE = r"-y\log\sigma(z) - (1-y)\log(1-\sigma(z))"


def bce(y, z):
    return -y * log_sigmoid(z) - (1 - y) * log_one_minus_sigmoid(z)


claim(BCE + r" = \log(1+e^{-(2y-1)z})", True, bce, lambda y, z: softplus(-(2 * y - 1) * z),
      LOGIT)
claim(BCE + r" = \log(1+e^{-(2y-1)z})", False, bce, lambda y, z: softplus(-(2 * y - 1) * z),
      LOGIT_SOFT, {"y": HALF, "z": 1})
claim(BCE + r" = \log(1+e^{z}) - yz", True, bce, lambda y, z: softplus(z) - y * z, LOGIT)
claim(BCE + r" = \log(1+e^{z}) - yz", True, bce, lambda y, z: softplus(z) - y * z,
      LOGIT_REAL, note="holds for every real y")
claim(BCE + r" = \log(1+e^{-z})", False, bce, lambda z: softplus(-z), LOGIT, {"y": 0, "z": 1})
claim(r"\frac{y}{\hat y} - \frac{1-y}{1-\hat y} = \frac{y-\hat y}{\hat y(1-\hat y)}", True,
      lambda y, yhat: y / yhat - (1 - y) / (1 - yhat),
      lambda y, yhat: (y - yhat) / (yhat * (1 - yhat)), PRED)

# -- signs and positivity --------------------------------------------------------------------
claim(r"|x| = x", True, lambda x: abs(x), lambda x: x, XPOS)
claim(r"|x| = x", True, lambda x: abs(x), lambda x: x, XNONNEG)
claim(r"|x| = x", False, lambda x: abs(x), lambda x: x, XREAL, {"x": -1})
claim(r"|x| = -x", False, lambda x: abs(x), lambda x: -x, XPOS, {"x": 1})
claim(r"\operatorname{relu}(x) = x", True, relu, lambda x: x, XPOS)
claim(r"\operatorname{relu}(x) = x", False, relu, lambda x: x, XREAL, {"x": -1})
claim(r"\operatorname{relu}(-x) = 0", True, lambda x: relu(-x), lambda: 0, XPOS)
claim(r"\operatorname{relu}(-x) = 0", False, lambda x: relu(-x), lambda: 0, XREAL, {"x": -1})
claim(r"\operatorname{relu}(x) + \operatorname{relu}(-x) = x", True,
      lambda x: relu(x) + relu(-x), lambda x: x, XPOS)
claim(r"\operatorname{relu}(x) + \operatorname{relu}(-x) = x", False,
      lambda x: relu(x) + relu(-x), lambda x: x, XREAL, {"x": -1})
claim(r"\sqrt{x^2} = x", True, lambda x: sqrt(x**2), lambda x: x, XPOS)
claim(r"\sqrt{x^2} = x", True, lambda x: sqrt(x**2), lambda x: x, XNONNEG)
claim(r"\sqrt{x}^2 = x", True, lambda x: sqrt(x) ** 2, lambda x: x, XNONNEG)
claim(r"\frac{|x|}{x} = 1", True, lambda x: abs(x) / x, lambda: 1, XPOS)
claim(r"\frac{|x|}{x} = 1", False, lambda x: abs(x) / x, lambda: 1, XREAL, {"x": -1})
claim(r"\frac{x}{|x|} = \operatorname{sign}(x)", True, lambda x: x / abs(x), sign, XREAL,
      note="both sides are defined for x ≠ 0")
claim(r"\operatorname{sign}(x) = 1", True, sign, lambda: 1, XPOS)
claim(r"\operatorname{sign}(x) = 1", False, sign, lambda: 1, XNONNEG, {"x": 0})
claim(r"\log|x| = \log x", True, lambda x: log(abs(x)), log, XPOS)
claim(r"e^{\log x} = x", True, lambda x: exp(log(x)), lambda x: x, XPOS)
claim(r"\sigma(\log x) = \frac{x}{1+x}", True, lambda x: sigmoid(log(x)),
      lambda x: x / (1 + x), XPOS)
claim(r"\sigma(\log x) = \frac{1}{1+x}", False, lambda x: sigmoid(log(x)),
      lambda x: 1 / (1 + x), XPOS, {"x": 2})
claim(r"\min(x, 1) = x", False, lambda x: min(x, 1), lambda x: x, XPOS, {"x": 2})

# -- probabilities ---------------------------------------------------------------------------
claim(r"\sigma\left(\log\frac{p}{1-p}\right) = p", True, lambda p: sigmoid(log(p / (1 - p))),
      lambda p: p, P01)
claim(r"\sigma\left(\log\frac{p}{1-p}\right) = 1-p", False,
      lambda p: sigmoid(log(p / (1 - p))), lambda p: 1 - p, P01, {"p": QUARTER})
claim(r"\max(p, 0) = p", True, lambda p: max(p, 0), lambda p: p, P01)
claim(r"\min(p, 1) = p", True, lambda p: min(p, 1), lambda p: p, P01)
claim(r"\log p + \log(1-p) = \log(p(1-p))", True, lambda p: log(p) + log(1 - p),
      lambda p: log(p * (1 - p)), P01)
claim(r"\operatorname{relu}(p - 1) = 0", True, lambda p: relu(p - 1), lambda: 0, P01)
claim(r"\operatorname{relu}(p - \frac{1}{2}) = 0", False, lambda p: relu(p - frac(1, 2)),
      lambda: 0, P01, {"p": Fraction(3, 4)})
claim(r"|p - 1| = 1 - p", True, lambda p: abs(p - 1), lambda p: 1 - p, P01)
claim(r"|x - 1| = 1 - x", False, lambda x: abs(x - 1), lambda x: 1 - x, XPOS, {"x": 2})
claim(r"\sqrt{(1-p)^2} = 1 - p", True, lambda p: sqrt((1 - p) ** 2), lambda p: 1 - p, P01)
claim(r"\sqrt{(1-p)^2} = 1 - p", False, lambda p: sqrt((1 - p) ** 2), lambda p: 1 - p,
      ({"p": REAL}, {}), {"p": 2})
claim(r"\log\frac{\sigma(z)}{1-\sigma(z)} = z", True,
      lambda z: log_sigmoid(z) - log_one_minus_sigmoid(z), lambda z: z, ({"z": REAL}, {}))

# -- counts ----------------------------------------------------------------------------------
claim(r"\operatorname{relu}(n) = n", True, lambda n: relu(n), lambda n: n, NCOUNT)
claim(r"\operatorname{relu}(n-1) = n-1", True, lambda n: relu(n - 1), lambda n: n - 1, NCOUNT)
claim(r"\operatorname{relu}(n-2) = n-2", False, lambda n: relu(n - 2), lambda n: n - 2, NCOUNT,
      {"n": 1})
claim(r"|n-1| = n-1", True, lambda n: abs(n - 1), lambda n: n - 1, NCOUNT)
claim(r"|n-2| = n-2", False, lambda n: abs(n - 2), lambda n: n - 2, NCOUNT, {"n": 1})
claim(r"\sqrt{n^2} = n", True, lambda n: sqrt(n**2), lambda n: n, NCOUNT)
claim(r"(-1)^{2n} = 1", True, lambda n: (-1) ** (2 * n), lambda: 1, NCOUNT)
claim(r"(-1)^{n} = 1", False, lambda n: (-1) ** n, lambda: 1, NCOUNT, {"n": 1})
claim(r"\operatorname{sign}(n) = 1", True, lambda n: sign(n), lambda: 1, NCOUNT)


# -- near-equalities on a domain -------------------------------------------------------------
claim(r"(1-y)\log(y + 10^{-15}) = (1-y)\log 10^{-15}", True,
      lambda y: (1 - y) * log(y + num(10) ** -15), lambda y: (1 - y) * log(num(10) ** -15), Y01)
claim(r"(1-y)\log(y + 10^{-15}) = (1-y)\log 10^{-15}", False,
      lambda y: (1 - y) * log(y + num(10) ** -15), lambda y: (1 - y) * log(num(10) ** -15),
      Y_UNIT, {"y": HALF})
claim(r"y\log(\hat y + 10^{-15}) = y\log\hat y", False,
      lambda y, yhat: y * log(yhat + num(10) ** -15), lambda y, yhat: y * log(yhat), PRED,
      {"y": 1, "yhat": HALF}, note="the clipping ε shows at y = 1")
claim(r"\operatorname{relu}(x - 10^{-20}) = x - 10^{-20}", True,
      lambda x: relu(x - num(10) ** -20), lambda x: x - num(10) ** -20,
      ({"x": interval(1, 2)}, {"x": "(1,2)"}))
claim(r"\operatorname{relu}(x - 10^{-20}) = x - 10^{-20}", False,
      lambda x: relu(x - num(10) ** -20), lambda x: x - num(10) ** -20, XNONNEG, {"x": 0},
      note="fails on [0, 10^-20), a sliver at the edge of the domain")

CLAIMS = list(add)
