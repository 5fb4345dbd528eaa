"""Near-equalities and constants: gaps of 10^-13 … 10^-434 that double precision or a short
numeric test cannot see, float artefacts, and exact identities between surds and logs."""

from __future__ import annotations

import mpmath as mp

from ..model import REAL, Collector
from ..mpfun import d, exp, log, num, sigmoid, softplus, sqrt, tanh

add = Collector("constants")
X = {"x": REAL}


def ten(k):
    """10^k, exactly as written."""
    return mp.mpf(10) ** k


def false(latex, lhs, rhs, sample=None, witness=None, note=""):
    add(latex, False, lhs, rhs, sample=sample or {}, witness=witness or {}, note=note)


def true(latex, lhs, rhs, sample=None, note=""):
    add(latex, True, lhs, rhs, sample=sample or {}, note=note)


# -- false: tiny gaps ------------------------------------------------------------------------
false(r"10^{-13} = 0", lambda: ten(-13), lambda: 0)
false(r"10^{-300} = 0", lambda: ten(-300), lambda: 0)
false(r"e^{-1000} = 0", lambda: exp(-1000), lambda: 0)
false(r"10^{20}+1 = 10^{20}", lambda: ten(20) + 1, lambda: ten(20))
false(r"1 - 10^{-17} = 1", lambda: 1 - ten(-17), lambda: 1)
false(r"2^{53} + 1 = 2^{53}", lambda: mp.mpf(2) ** 53 + 1, lambda: mp.mpf(2) ** 53,
      note="equal in double precision")
false(r"\frac{10^{30}+1}{10^{30}} = 1", lambda: (ten(30) + 1) / ten(30), lambda: 1)
false(r"x + 10^{-30}x = x", lambda x: x + ten(-30) * x, lambda x: x, X, {"x": 1})
false(r"10^{-40}x = 0", lambda x: ten(-40) * x, lambda: 0, X, {"x": 1})
false(r"\frac{x}{10^{20}} = 0", lambda x: x / ten(20), lambda: 0, X, {"x": 1})
false(r"e^{x + 10^{-20}} = e^{x}", lambda x: exp(x + ten(-20)), lambda x: exp(x), X, {"x": 0})
false(r"\sigma(x) + 10^{-25} = \sigma(x)", lambda x: sigmoid(x) + ten(-25),
      lambda x: sigmoid(x), X, {"x": 0})
false(r"\sigma(x - 1000) = 0", lambda x: sigmoid(x - 1000), lambda: 0, X, {"x": 0})
false(r"\tanh(10^{-6}x) = 10^{-6}x", lambda x: tanh(ten(-6) * x), lambda x: ten(-6) * x, X,
      {"x": 1})
false(r"\sqrt{x^2 + 10^{-20}} = |x|", lambda x: sqrt(x**2 + ten(-20)), lambda x: abs(x), X,
      {"x": 0})
false(r"\frac{(x + 10^{-8})^2 - x^2}{10^{-8}} = 2x",
      lambda x: ((x + ten(-8)) ** 2 - x**2) / ten(-8),
      lambda x: 2 * x, X, {"x": 1}, note="a difference quotient, not the derivative")
false(r"\sigma(40) = 1", lambda: sigmoid(40), lambda: 1)
false(r"\tanh(20) = 1", lambda: tanh(20), lambda: 1)
false(r"\sigma(10^{-10}) = \frac{1}{2}", lambda: sigmoid(ten(-10)), lambda: num(1) / 2)
false(r"\log(1 + 10^{-20}) = 10^{-20}", lambda: mp.log1p(ten(-20)), lambda: ten(-20))
false(r"\sqrt{10^{20}+1} = 10^{10}", lambda: sqrt(ten(20) + 1), lambda: ten(10))
false(r"\operatorname{softplus}(-50) = 0", lambda: softplus(-50), lambda: 0)
false(r"\operatorname{softplus}(50) = 50", lambda: softplus(50), lambda: 50)
false(r"\log(1 + e^{1000}) - 1000 = 0", lambda: mp.log1p(exp(-1000)), lambda: 0,
      note="log(1 + e^1000) − 1000 = log(1 + e^-1000)")
false(r"(1 + 10^{-20})^{10^{20}} = e", lambda: exp(ten(20) * mp.log1p(ten(-20))),
      lambda: exp(1))
false(r"\left(1+10^{-6}\right)^{10^{6}} = e", lambda: exp(ten(6) * mp.log1p(ten(-6))),
      lambda: exp(1))

# -- false: constants and float artefacts ----------------------------------------------------
false(r"e^{\pi\sqrt{163}} = 262537412640768744", lambda: exp(mp.pi * sqrt(163)),
      lambda: mp.mpf(262537412640768744), note="off by 7.5·10^-13")
false(r"e^{\pi\sqrt{163}} = 640320^3 + 744", lambda: exp(mp.pi * sqrt(163)),
      lambda: mp.mpf(640320) ** 3 + 744)
false(r"\frac{1}{3} = 0.333", lambda: num(1) / 3, lambda: num("0.333"))
false(r"\pi = 3.14159", lambda: +mp.pi, lambda: num("3.14159"))
false(r"\pi = \frac{22}{7}", lambda: +mp.pi, lambda: num(22) / 7)
false(r"\pi = \frac{355}{113}", lambda: +mp.pi, lambda: num(355) / 113)
false(r"e = 2.718281828", lambda: exp(1), lambda: num("2.718281828"))
false(r"\sqrt{2} = 1.41421356237", lambda: sqrt(2), lambda: num("1.41421356237"))
false(r"\frac{1}{7} = 0.142857142857142857", lambda: num(1) / 7,
      lambda: num("0.142857142857142857"))
false(r"2^{64} = 18446744073709551615", lambda: mp.mpf(2) ** 64,
      lambda: mp.mpf(18446744073709551615))
false(r"0.1 + 0.2 = 0.30000000000000004", lambda: num("0.1") + num("0.2"),
      lambda: num("0.30000000000000004"), note="the double-precision sum, not the real one")
false(r"3 \times 0.1 = 0.30000000000000004", lambda: 3 * num("0.1"),
      lambda: num("0.30000000000000004"))
false(r"\sigma(\log 3) = 0.75000001", lambda: sigmoid(log(3)), lambda: num("0.75000001"))
false(r"\sqrt{5 + 2\sqrt{6}} = \sqrt{2} + \sqrt{3} + 10^{-25}",
      lambda: sqrt(5 + 2 * sqrt(6)), lambda: sqrt(2) + sqrt(3) + ten(-25))

# -- true ------------------------------------------------------------------------------------
true(r"\log(e^{2}) = 2", lambda: log(exp(2)), lambda: 2)
true(r"\sqrt{8} = 2\sqrt{2}", lambda: sqrt(8), lambda: 2 * sqrt(2))
true(r"0.1 + 0.2 = 0.3", lambda: num("0.1") + num("0.2"), lambda: num("0.3"))
true(r"0.1 \cdot 3 = 0.3", lambda: num("0.1") * 3, lambda: num("0.3"))
true(r"e^{\log 5} = 5", lambda: exp(log(5)), lambda: 5)
true(r"\sqrt{2}^2 = 2", lambda: sqrt(2) ** 2, lambda: 2)
true(r"2^{10} = 1024", lambda: mp.mpf(2) ** 10, lambda: 1024)
true(r"2^{64} = 18446744073709551616", lambda: mp.mpf(2) ** 64,
     lambda: mp.mpf(18446744073709551616))
true(r"\sigma(0) = \frac{1}{2}", lambda: sigmoid(0), lambda: num(1) / 2)
true(r"(x+1)^2 - x^2 = 2x + 1", lambda x: (x + 1) ** 2 - x**2, lambda x: 2 * x + 1, X)
true(r"\sqrt{3}\sqrt{12} = 6", lambda: sqrt(3) * sqrt(12), lambda: 6)
true(r"\sqrt{2}\sqrt{8} = 4", lambda: sqrt(2) * sqrt(8), lambda: 4)
true(r"\log 8 = 3\log 2", lambda: log(8), lambda: 3 * log(2))
true(r"e^{2}e^{3} = e^{5}", lambda: exp(2) * exp(3), lambda: exp(5))
true(r"(\sqrt{2}+1)(\sqrt{2}-1) = 1", lambda: (sqrt(2) + 1) * (sqrt(2) - 1), lambda: 1)
true(r"\sqrt{5 + 2\sqrt{6}} = \sqrt{2} + \sqrt{3}", lambda: sqrt(5 + 2 * sqrt(6)),
     lambda: sqrt(2) + sqrt(3))
true(r"\sqrt{11 + 6\sqrt{2}} = 3 + \sqrt{2}", lambda: sqrt(11 + 6 * sqrt(2)),
     lambda: 3 + sqrt(2))
true(r"\frac{1}{\sqrt{2}} = \frac{\sqrt{2}}{2}", lambda: 1 / sqrt(2), lambda: sqrt(2) / 2)
true(r"(10^{16} + 1) - 10^{16} = 1", lambda: (ten(16) + 1) - ten(16), lambda: 1,
     note="0 in double precision")
true(r"2^{53} + 1 - 2^{53} = 1", lambda: mp.mpf(2) ** 53 + 1 - mp.mpf(2) ** 53, lambda: 1)
true(r"\tanh(x) + \tanh(-x) = 0", lambda x: tanh(x) + tanh(-x), lambda: 0, X)
true(r"e^{700}e^{-700} = 1", lambda: exp(700) * exp(-700), lambda: 1)
true(r"\frac{e^{800}}{e^{799}} = e", lambda: exp(800) / exp(799), lambda: exp(1),
     note="overflows in double precision")
true(r"e^{1000} - e^{1000} = 0", lambda: exp(1000) - exp(1000), lambda: 0)
true(r"\log(e^{1000}) = 1000", lambda: log(exp(1000)), lambda: 1000)
true(r"\frac{10^{30}+1}{10^{30}} = 1 + 10^{-30}", lambda: (ten(30) + 1) / ten(30),
     lambda: 1 + ten(-30))
true(r"\sigma(x - 1000) = \frac{1}{1 + e^{1000 - x}}", lambda x: sigmoid(x - 1000),
     lambda x: 1 / (1 + exp(1000 - x)), X)
true(r"10^{-13} = \frac{1}{10^{13}}", lambda: ten(-13), lambda: 1 / ten(13))
true(r"\log(10^{300}) = 300\log 10", lambda: log(ten(300)), lambda: 300 * log(10))
true(r"\sqrt{10^{20}} = 10^{10}", lambda: sqrt(ten(20)), lambda: ten(10))
true(r"x + 10^{-30}x = (1 + 10^{-30})x", lambda x: x + ten(-30) * x,
     lambda x: (1 + ten(-30)) * x, X)
true(r"\frac{1}{3} + \frac{1}{6} = 0.5", lambda: num(1) / 3 + num(1) / 6, lambda: num("0.5"))
true(r"1.5 = \frac{3}{2}", lambda: num("1.5"), lambda: num(3) / 2)
true(r"\sigma(\log 3) = \frac{3}{4}", lambda: sigmoid(log(3)), lambda: num(3) / 4)
true(r"\sigma(-\log 3) = \frac{1}{4}", lambda: sigmoid(-log(3)), lambda: num(1) / 4)
true(r"\tanh(\log 2) = \frac{3}{5}", lambda: tanh(log(2)), lambda: num(3) / 5)
true(r"\mathrm{softplus}(\log 3) = \log 4", lambda: softplus(log(3)), lambda: log(4))
true(r"(1 + 10^{-20})^{2} = 1 + 2\cdot 10^{-20} + 10^{-40}", lambda: (1 + ten(-20)) ** 2,
     lambda: 1 + 2 * ten(-20) + ten(-40))
true(r"\frac{d}{dx} 10^{-30}x^2 = 2\cdot 10^{-30}x", d(lambda x: ten(-30) * x**2, "x"),
     lambda x: 2 * ten(-30) * x, X)
false(r"\frac{d}{dx} 10^{-30}x^2 = 0", d(lambda x: ten(-30) * x**2, "x"), lambda: 0, X,
      {"x": 1})

CLAIMS = list(add)
