"""Operator names as users write them: \\operatorname{relu}/ReLU, \\operatorname{sech},
\\mathrm{softplus}, \\operatorname{sign}, σ, tanh, \\max/\\min, |·|, erf."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp

from ..model import REAL, Collector
from ..mpfun import exp, log, log_sigmoid, num, relu, sech, sigmoid, sign, softplus, tanh

add = Collector("operators")
X = {"x": REAL}
XY = {"x": REAL, "y": REAL}
HALF = Fraction(1, 2)


def true(latex, lhs, rhs, sample=None, note=""):
    add(latex, True, lhs, rhs, sample=X if sample is None else sample, note=note)


def false(latex, lhs, rhs, witness, sample=None, note=""):
    add(latex, False, lhs, rhs, sample=X if sample is None else sample, witness=witness,
        note=note)


# -- relu ------------------------------------------------------------------------------------
false(r"\operatorname{ReLU}(x+y) = \operatorname{ReLU}(x) + \operatorname{ReLU}(y)",
      lambda x, y: relu(x + y), lambda x, y: relu(x) + relu(y), {"x": 1, "y": -1}, XY)
true(r"\operatorname{relu}(x) - \operatorname{relu}(-x) = x", lambda x: relu(x) - relu(-x),
     lambda x: x)
true(r"\operatorname{relu}(x) + \operatorname{relu}(-x) = |x|", lambda x: relu(x) + relu(-x),
     lambda x: abs(x))
true(r"\operatorname{relu}(x) = \frac{x + |x|}{2}", relu, lambda x: (x + abs(x)) / 2)
true(r"\operatorname{ReLU}(x) = \max(x, 0)", relu, lambda x: max(x, 0))
true(r"\operatorname{relu}(\operatorname{relu}(x)) = \operatorname{relu}(x)",
     lambda x: relu(relu(x)), relu)
true(r"\operatorname{relu}(2x) = 2\operatorname{relu}(x)", lambda x: relu(2 * x),
     lambda x: 2 * relu(x))
false(r"\operatorname{relu}(-2x) = -2\operatorname{relu}(x)", lambda x: relu(-2 * x),
      lambda x: -2 * relu(x), {"x": 1})
true(r"\operatorname{relu}(x)^2 = x\operatorname{relu}(x)", lambda x: relu(x) ** 2,
     lambda x: x * relu(x))
true(r"\operatorname{relu}(x)\operatorname{relu}(-x) = 0", lambda x: relu(x) * relu(-x),
     lambda: 0)
false(r"\operatorname{relu}(x) = x", relu, lambda x: x, {"x": -1})
false(r"\operatorname{relu}(x) = |x|", relu, lambda x: abs(x), {"x": -1})
false(r"\operatorname{relu}(-x) = -\operatorname{relu}(x)", lambda x: relu(-x),
      lambda x: -relu(x), {"x": 1})
false(r"\mathrm{ReLU}(x) - \mathrm{ReLU}(-x) = |x|", lambda x: relu(x) - relu(-x),
      lambda x: abs(x), {"x": -1})

# -- sech, tanh, σ ---------------------------------------------------------------------------
true(r"\operatorname{sech}^2 x = 1 - \tanh^2 x", lambda x: sech(x) ** 2,
     lambda x: 1 - tanh(x) ** 2)
true(r"\operatorname{sech}(x) = \frac{2}{e^{x} + e^{-x}}", sech,
     lambda x: 2 / (exp(x) + exp(-x)))
false(r"\operatorname{sech}(x) = \frac{1}{\tanh(x)}", sech, lambda x: 1 / tanh(x), {"x": 1})
false(r"\operatorname{sech}^2 x = 1 + \tanh^2 x", lambda x: sech(x) ** 2,
      lambda x: 1 + tanh(x) ** 2, {"x": 1})
true(r"\tanh(-x) = -\tanh(x)", lambda x: tanh(-x), lambda x: -tanh(x))
true(r"\tanh(x) = \frac{e^{2x} - 1}{e^{2x} + 1}", tanh,
     lambda x: (exp(2 * x) - 1) / (exp(2 * x) + 1))
false(r"\tanh(x) = \frac{e^{x} - 1}{e^{x} + 1}", tanh, lambda x: (exp(x) - 1) / (exp(x) + 1),
      {"x": 1})
true(r"\tanh(\frac{x}{2}) = 2\sigma(x) - 1", lambda x: tanh(x / 2), lambda x: 2 * sigmoid(x) - 1)
true(r"\tanh(x) = 2\sigma(2x) - 1", tanh, lambda x: 2 * sigmoid(2 * x) - 1)
false(r"\tanh(x) = 2\sigma(x) - 1", tanh, lambda x: 2 * sigmoid(x) - 1, {"x": 1})
true(r"\sigma(x) + \sigma(-x) = 1", lambda x: sigmoid(x) + sigmoid(-x), lambda: 1)
true(r"\sigma(x) = \frac{1}{1+e^{-x}}", sigmoid, lambda x: 1 / (1 + exp(-x)))
false(r"\sigma(x) = \frac{1}{1+e^{x}}", sigmoid, lambda x: 1 / (1 + exp(x)), {"x": 1})
true(r"\sigma(x) = \frac{1 + \tanh(x/2)}{2}", sigmoid, lambda x: (1 + tanh(x / 2)) / 2)
false(r"\sigma(x) = \frac{1 + \tanh(x)}{2}", sigmoid, lambda x: (1 + tanh(x)) / 2, {"x": 1})
true(r"\operatorname{sigmoid}(x) = \sigma(x)", sigmoid, sigmoid)
true(r"\sigma(x) = \frac{e^{x}}{1 + e^{x}}", sigmoid, lambda x: exp(x) / (1 + exp(x)))
false(r"\sigma(-x) = -\sigma(x)", lambda x: sigmoid(-x), lambda x: -sigmoid(x), {"x": 0})
true(r"\sigma(x)\sigma(-x) = \sigma(x) - \sigma(x)^2", lambda x: sigmoid(x) * sigmoid(-x),
     lambda x: sigmoid(x) - sigmoid(x) ** 2)

# -- softplus --------------------------------------------------------------------------------
true(r"\mathrm{softplus}(x) - \mathrm{softplus}(-x) = x", lambda x: softplus(x) - softplus(-x),
     lambda x: x)
true(r"\operatorname{softplus}(x) = \log(1+e^{x})", softplus, lambda x: log(1 + exp(x)),
     note="the right side is computed directly")
false(r"\operatorname{softplus}(x) = \operatorname{relu}(x)", softplus, relu, {"x": 0})
true(r"\operatorname{softplus}(x) = \operatorname{relu}(x) + \log(1+e^{-|x|})", softplus,
     lambda x: relu(x) + log(1 + exp(-abs(x))))
true(r"\operatorname{softplus}(-x) = -\log\sigma(x)", lambda x: softplus(-x),
     lambda x: -log_sigmoid(x))
false(r"\operatorname{softplus}(x) = \log\sigma(x)", softplus, log_sigmoid, {"x": 0})
false(r"\mathrm{softplus}(x) + \mathrm{softplus}(-x) = 0", lambda x: softplus(x) + softplus(-x),
      lambda: 0, {"x": 0})
true(r"\mathrm{softplus}(x) - x = \mathrm{softplus}(-x)", lambda x: softplus(x) - x,
     lambda x: softplus(-x))

# -- sign and |x| ----------------------------------------------------------------------------
true(r"\operatorname{sign}(x)|x| = x", lambda x: sign(x) * abs(x), lambda x: x)
true(r"\operatorname{sign}(x)\, x = |x|", lambda x: sign(x) * x, lambda x: abs(x))
false(r"\operatorname{sign}(x)^2 = 1", lambda x: sign(x) ** 2, lambda: 1, {"x": 0},
      note="sign(0) = 0")
true(r"\frac{|x|}{x} = \operatorname{sign}(x)", lambda x: abs(x) / x, sign,
     note="both sides are defined for x ≠ 0")
true(r"\operatorname{sign}(-x) = -\operatorname{sign}(x)", lambda x: sign(-x),
     lambda x: -sign(x))
true(r"\operatorname{sign}(xy) = \operatorname{sign}(x)\operatorname{sign}(y)",
     lambda x, y: sign(x * y), lambda x, y: sign(x) * sign(y), XY)
false(r"\operatorname{sign}(x+y) = \operatorname{sign}(x) + \operatorname{sign}(y)",
      lambda x, y: sign(x + y), lambda x, y: sign(x) + sign(y), {"x": 1, "y": 1}, XY)
true(r"|xy| = |x||y|", lambda x, y: abs(x * y), lambda x, y: abs(x) * abs(y), XY)
false(r"|x + y| = |x| + |y|", lambda x, y: abs(x + y), lambda x, y: abs(x) + abs(y),
      {"x": 1, "y": -1}, XY)
true(r"|-x| = |x|", lambda x: abs(-x), lambda x: abs(x))
true(r"|x|^2 = x^2", lambda x: abs(x) ** 2, lambda x: x**2)
false(r"\left||x| - |y|\right| = |x - y|", lambda x, y: abs(abs(x) - abs(y)),
      lambda x, y: abs(x - y), {"x": 1, "y": -1}, XY)
false(r"|x - y| = |x| - |y|", lambda x, y: abs(x - y), lambda x, y: abs(x) - abs(y),
      {"x": 0, "y": 1}, XY)

# -- max and min -----------------------------------------------------------------------------
true(r"\max(x, y) + \min(x, y) = x + y", lambda x, y: max(x, y) + min(x, y),
     lambda x, y: x + y, XY)
true(r"\max(x, y) - \min(x, y) = |x - y|", lambda x, y: max(x, y) - min(x, y),
     lambda x, y: abs(x - y), XY)
true(r"\max(x, y) = \frac{x + y + |x - y|}{2}", lambda x, y: max(x, y),
     lambda x, y: (x + y + abs(x - y)) / 2, XY)
false(r"\max(x, y) = \frac{x + y}{2}", lambda x, y: max(x, y), lambda x, y: (x + y) / 2,
      {"x": 0, "y": 1}, XY)
true(r"\max(x, y)\min(x, y) = xy", lambda x, y: max(x, y) * min(x, y), lambda x, y: x * y, XY)
true(r"\max(x, 0) + \min(x, 0) = x", lambda x: max(x, 0) + min(x, 0), lambda x: x)
true(r"\max(x, 0) - \min(x, 0) = |x|", lambda x: max(x, 0) - min(x, 0), lambda x: abs(x))
true(r"\max(-x, -y) = -\min(x, y)", lambda x, y: max(-x, -y), lambda x, y: -min(x, y), XY)
false(r"\max(-x, -y) = -\max(x, y)", lambda x, y: max(-x, -y), lambda x, y: -max(x, y),
      {"x": 0, "y": 1}, XY)
false(r"\min(x, y) = \frac{x + y - |x + y|}{2}", lambda x, y: min(x, y),
      lambda x, y: (x + y - abs(x + y)) / 2, {"x": 1, "y": 2}, XY)
false(r"\max(x, 0) = \max(x, 1) - 1", lambda x: max(x, 0), lambda x: max(x, 1) - 1,
      {"x": HALF})
true(r"\max(x, 1) - 1 = \max(x - 1, 0)", lambda x: max(x, 1) - 1, lambda x: max(x - 1, 0))

# -- exp, log, erf ---------------------------------------------------------------------------
true(r"\exp(x)e^{y} = \exp(x + y)", lambda x, y: exp(x) * exp(y), lambda x, y: exp(x + y), XY)
false(r"\exp(x) + \exp(y) = \exp(x + y)", lambda x, y: exp(x) + exp(y),
      lambda x, y: exp(x + y), {"x": 0, "y": 0}, XY)
true(r"\operatorname{erf}(-x) = -\operatorname{erf}(x)", lambda x: mp.erf(-x),
     lambda x: -mp.erf(x))
false(r"\operatorname{erf}(x) = \tanh(x)", lambda x: mp.erf(x), tanh, {"x": 1})
false(r"\operatorname{erf}(x) = 2\sigma(x) - 1", lambda x: mp.erf(x),
      lambda x: 2 * sigmoid(x) - 1, {"x": 1})
false(r"\ln(x^2 + 1) = 2\ln(x) + 1", lambda x: log(x**2 + 1), lambda x: 2 * log(x) + 1,
      {"x": 1})


# -- near-equalities -------------------------------------------------------------------------
false(r"\operatorname{relu}(x + 10^{-15}) = \operatorname{relu}(x)",
      lambda x: relu(x + num(10) ** -15), relu, {"x": 1})
false(r"\max(x, 10^{-12}) = \operatorname{relu}(x)", lambda x: max(x, num(10) ** -12), relu,
      {"x": 0})
false(r"\tanh(x) = \operatorname{sign}(x)", tanh, sign, {"x": 20},
      note="off by 8·10^-18 at x = 20")
false(r"\mathrm{softplus}(x) = \max(x, 0)", softplus, lambda x: max(x, 0), {"x": 40},
      note="off by 4·10^-18 at x = 40")

CLAIMS = list(add)
