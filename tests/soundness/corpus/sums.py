"""Sums with indexed entries over 1..n (n a count): finite sums written out, closed forms,
linearity, constants pulled out, and gradients of sums, including the forgotten sum."""

from __future__ import annotations

from ..model import COUNT, POSITIVE, REAL, Collector, index, vector
from ..mpfun import d, delta, frac, log, num, sigmoid, softplus, upto, vec

add = Collector("sums")


def tiny(k):
    """10^-k, exactly as written."""
    return 1 / num(10) ** k


N = {"n": "count"}
ND = {"d": "count"}
XN = {"n": COUNT, "x": vector(REAL, "n")}
XYN = {"n": COUNT, "x": vector(REAL, "n"), "y": vector(REAL, "n")}
WXYN = {"n": COUNT, "w": REAL, "x": vector(REAL, "n"), "y": vector(REAL, "n")}
WXBYN = {"n": COUNT, "w": REAL, "b": REAL, "x": vector(REAL, "n"), "y": vector(REAL, "n")}


def mse(w, n, x, y):
    return upto(n, lambda i: (w * x[i] - y[i]) ** 2)


# -- sums of fixed length --------------------------------------------------------------------
add(r"\sum_{i=1}^{2} y_i = y_1 + y_2", True, lambda y: upto(2, lambda i: y[i]),
    lambda y: y[1] + y[2], sample={"y": vector(REAL, 2)})
add(r"\sum_{i=1}^{3} x_i = x_1 + x_2 + x_3", True, lambda x: upto(3, lambda i: x[i]),
    lambda x: x[1] + x[2] + x[3], sample={"x": vector(REAL, 3)})
add(r"\sum_{i=1}^{4} i = 10", True, lambda: upto(4, lambda i: i), lambda: 10)
add(r"\sum_{i=1}^{3} i^2 = 14", True, lambda: upto(3, lambda i: i**2), lambda: 14)
add(r"\sum_{i=0}^{3} i = 6", True, lambda: upto(3, lambda i: i, start=0), lambda: 6)
add(r"\sum_{i=1}^{3} x_i = x_1 + x_2", False, lambda x: upto(3, lambda i: x[i]),
    lambda x: x[1] + x[2], sample={"x": vector(REAL, 3)}, witness={"x": vec(1, 1, 1)})
add(r"\sum_{i=1}^{2} y_i = 2y_1", False, lambda y: upto(2, lambda i: y[i]),
    lambda y: 2 * y[1], sample={"y": vector(REAL, 2)}, witness={"y": vec(0, 1)})
add(r"\sum_{i=1}^{4} i = 9", False, lambda: upto(4, lambda i: i), lambda: 9, witness={})
add(r"\sum_{i=0}^{3} i = 3", False, lambda: upto(3, lambda i: i, start=0), lambda: 3,
    witness={})

# -- linearity and constants -----------------------------------------------------------------
add(r"\sum_{i=1}^{n} c x_i = c\sum_{i=1}^{n} x_i", True,
    lambda n, c, x: upto(n, lambda i: c * x[i]), lambda n, c, x: c * upto(n, lambda i: x[i]),
    sample={**XN, "c": REAL}, domains=N)
add(r"\sum_{i=1}^{n} (x_i + y_i) = \left(\sum_{i=1}^{n} x_i\right) + \left(\sum_{i=1}^{n} y_i"
    r"\right)",
    True, lambda n, x, y: upto(n, lambda i: x[i] + y[i]),
    lambda n, x, y: upto(n, lambda i: x[i]) + upto(n, lambda i: y[i]), sample=XYN, domains=N)
add(r"\sum_{i=1}^{n} (x_i - y_i) = \sum_{i=1}^{n} x_i - \sum_{i=1}^{n} y_i", True,
    lambda n, x, y: upto(n, lambda i: x[i] - y[i]),
    lambda n, x, y: upto(n, lambda i: x[i]) - upto(n, lambda i: y[i]), sample=XYN, domains=N,
    note="the usual reading: each sum takes the term after it")
add(r"\sum_{i=1}^{n} \frac{x_i}{n} = \frac{1}{n}\sum_{i=1}^{n} x_i", True,
    lambda n, x: upto(n, lambda i: x[i] / n), lambda n, x: upto(n, lambda i: x[i]) / n,
    sample=XN, domains=N)
add(r"\sum_{i=1}^{n} (a x_i + b) = nb + a\sum_{i=1}^{n} x_i", True,
    lambda n, a, b, x: upto(n, lambda i: a * x[i] + b),
    lambda n, a, b, x: n * b + a * upto(n, lambda i: x[i]),
    sample={**XN, "a": REAL, "b": REAL}, domains=N)
add(r"\sum_{i=1}^{n} x_i y_i = \sum_{j=1}^{n} y_j x_j", True,
    lambda n, x, y: upto(n, lambda i: x[i] * y[i]),
    lambda n, x, y: upto(n, lambda j: y[j] * x[j]), sample=XYN, domains=N)
add(r"\sum_{i=1}^{n} x_i = x_n + \sum_{i=1}^{n-1} x_i", True,
    lambda n, x: upto(n, lambda i: x[i]), lambda n, x: x[n] + upto(n - 1, lambda i: x[i]),
    sample=XN, domains=N)
add(r"\sum_{i=1}^{n} x_i^2 = x_1^2 + \sum_{i=2}^{n} x_i^2", True,
    lambda n, x: upto(n, lambda i: x[i] ** 2),
    lambda n, x: x[1] ** 2 + upto(n, lambda i: x[i] ** 2, start=2), sample=XN, domains=N)
add(r"\sum_{i=1}^{n} (x_{i+1} - x_i) = x_{n+1} - x_1", True,
    lambda n, x: upto(n, lambda i: x[i + 1] - x[i]), lambda n, x: x[n + 1] - x[1],
    sample={"n": COUNT, "x": vector(REAL, ("n", 1))}, domains=N)
add(r"\sum_{i=1}^{n}\sum_{j=1}^{n} x_i y_j = \left(\sum_{i=1}^{n} x_i\right)\left(\sum_{j=1}^{n}"
    r" y_j\right)",
    True, lambda n, x, y: upto(n, lambda i: upto(n, lambda j: x[i] * y[j])),
    lambda n, x, y: upto(n, lambda i: x[i]) * upto(n, lambda j: y[j]), sample=XYN, domains=N)
add(r"\sum_{i=1}^{n}\left(x_i - \frac{1}{n}\sum_{j=1}^{n} x_j\right) = 0", True,
    lambda n, x: upto(n, lambda i: x[i] - upto(n, lambda j: x[j]) / n), lambda: 0,
    sample=XN, domains=N)
add(r"\sum_{i=1}^{n}\left(x_i - \frac{1}{n}\sum_{j=1}^{n} x_j\right)^2 = \left(\sum_{i=1}^{n}"
    r" x_i^2\right) - \frac{1}{n}\left(\sum_{i=1}^{n} x_i\right)^2",
    True, lambda n, x: upto(n, lambda i: (x[i] - upto(n, lambda j: x[j]) / n) ** 2),
    lambda n, x: upto(n, lambda i: x[i] ** 2) - upto(n, lambda i: x[i]) ** 2 / n,
    sample=XN, domains=N)
add(r"\sum_{i=1}^{n}(x_i - y_i)^2 = \left(\sum_{i=1}^{n} x_i^2\right) - 2\left(\sum_{i=1}^{n} x_i"
    r" y_i\right) + \left(\sum_{i=1}^{n} y_i^2\right)",
    True, lambda n, x, y: upto(n, lambda i: (x[i] - y[i]) ** 2),
    lambda n, x, y: upto(n, lambda i: x[i] ** 2) - 2 * upto(n, lambda i: x[i] * y[i])
    + upto(n, lambda i: y[i] ** 2), sample=XYN, domains=N)
add(r"\left(\sum_{i=1}^{n} \sigma(z_i)\right) + \left(\sum_{i=1}^{n} \sigma(-z_i)\right) = n", True,
    lambda n, z: upto(n, lambda i: sigmoid(z[i])) + upto(n, lambda i: sigmoid(-z[i])),
    lambda n: n, sample={"n": COUNT, "z": vector(REAL, "n")}, domains=N)
add(r"\sum_{i=1}^{n} x_i^2 = \frac{1}{n}\left(\sum_{i=1}^{n} x_i\right)^2", False,
    lambda n, x: upto(n, lambda i: x[i] ** 2), lambda n, x: upto(n, lambda i: x[i]) ** 2 / n,
    sample=XN, domains=N, witness={"n": 2, "x": vec(1, 2)})
add(r"\sum_{i=1}^{n} x_i^2 = \left(\sum_{i=1}^{n} x_i\right)^2", False,
    lambda n, x: upto(n, lambda i: x[i] ** 2), lambda n, x: upto(n, lambda i: x[i]) ** 2,
    sample=XN, domains=N, witness={"n": 2, "x": vec(1, 1)})
add(r"\sum_{i=1}^{n} x_i y_i = \left(\sum_{i=1}^{n} x_i\right)\left(\sum_{i=1}^{n} y_i\right)",
    False, lambda n, x, y: upto(n, lambda i: x[i] * y[i]),
    lambda n, x, y: upto(n, lambda i: x[i]) * upto(n, lambda i: y[i]), sample=XYN,
    domains=N, witness={"n": 2, "x": vec(1, 1), "y": vec(1, 1)})
add(r"\left(\sum_{i=1}^{n} \sigma(z_i)\right) + \left(\sum_{i=1}^{n} \sigma(-z_i)\right) = 1",
    False, lambda n, z: upto(n, lambda i: sigmoid(z[i])) + upto(n, lambda i: sigmoid(-z[i])),
    lambda: 1, sample={"n": COUNT, "z": vector(REAL, "n")}, domains=N,
    witness={"n": 2, "z": vec(0, 0)})
add(r"\sum_{i=1}^{n} (x_{i+1} - x_i) = x_n - x_1", False,
    lambda n, x: upto(n, lambda i: x[i + 1] - x[i]), lambda n, x: x[n] - x[1],
    sample={"n": COUNT, "x": vector(REAL, ("n", 1))}, domains=N,
    witness={"n": 1, "x": vec(0, 1)})
add(r"\log\sum_{i=1}^{n} x_i = \sum_{i=1}^{n} \log x_i", False,
    lambda n, x: log(upto(n, lambda i: x[i])), lambda n, x: upto(n, lambda i: log(x[i])),
    sample={"n": COUNT, "x": vector(POSITIVE, "n")}, domains={"n": "count", "x_i": "positive"},
    witness={"n": 2, "x": vec(1, 1)})
add(r"\sum_{i=1}^{n} x_i = n x_1", False, lambda n, x: upto(n, lambda i: x[i]),
    lambda n, x: n * x[1], sample=XN, domains=N, witness={"n": 2, "x": vec(0, 1)})
add(r"\sum_{i=1}^{n}\left(x_i - \frac{1}{n}\sum_{j=1}^{n} x_j\right)^2 = \sum_{i=1}^{n} x_i^2",
    False, lambda n, x: upto(n, lambda i: (x[i] - upto(n, lambda j: x[j]) / n) ** 2),
    lambda n, x: upto(n, lambda i: x[i] ** 2), sample=XN, domains=N,
    witness={"n": 1, "x": vec(1)})
add(r"\sum_{i=1}^{n} \frac{x_i}{n} = \sum_{i=1}^{n} x_i", False,
    lambda n, x: upto(n, lambda i: x[i] / n), lambda n, x: upto(n, lambda i: x[i]),
    sample=XN, domains=N, witness={"n": 2, "x": vec(1, 1)})
add(r"\sum_{i=1}^{n} (a x_i + b) = b + a\sum_{i=1}^{n} x_i", False,
    lambda n, a, b, x: upto(n, lambda i: a * x[i] + b),
    lambda n, a, b, x: b + a * upto(n, lambda i: x[i]),
    sample={**XN, "a": REAL, "b": REAL}, domains=N,
    witness={"n": 2, "a": 1, "b": 1, "x": vec(0, 0)}, note="the constant summed once")
add(r"\sum_{i=1}^{n} x_i^2 = x_1^2 + \sum_{i=1}^{n} x_i^2", False,
    lambda n, x: upto(n, lambda i: x[i] ** 2),
    lambda n, x: x[1] ** 2 + upto(n, lambda i: x[i] ** 2), sample=XN, domains=N,
    witness={"n": 1, "x": vec(1)})
add(r"\sum_{i=1}^{n} c x_i = c x_i", False, lambda n, c, x: upto(n, lambda i: c * x[i]),
    lambda c, x, i: c * x[i], sample={**XN, "c": REAL, "i": index("n")}, domains=N,
    witness={"n": 2, "c": 1, "x": vec(1, 1), "i": 1}, note="the sum forgotten")

# -- closed forms ----------------------------------------------------------------------------
NN = {"n": COUNT}
add(r"\sum_{i=1}^{n} 1 = n", True, lambda n: upto(n, lambda i: 1), lambda n: n, sample=NN,
    domains=N)
add(r"\sum_{i=1}^{n} c = nc", True, lambda n, c: upto(n, lambda i: c), lambda n, c: n * c,
    sample={"n": COUNT, "c": REAL}, domains=N)
add(r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}", True, lambda n: upto(n, lambda i: i),
    lambda n: frac(n * (n + 1), 2), sample=NN, domains=N)
add(r"\sum_{i=1}^{n} i^2 = \frac{n(n+1)(2n+1)}{6}", True, lambda n: upto(n, lambda i: i**2),
    lambda n: frac(n * (n + 1) * (2 * n + 1), 6), sample=NN, domains=N)
add(r"\sum_{i=1}^{n} (2i-1) = n^2", True, lambda n: upto(n, lambda i: 2 * i - 1),
    lambda n: n**2, sample=NN, domains=N)
add(r"\sum_{i=1}^{n} i^3 = \frac{n^2(n+1)^2}{4}", True, lambda n: upto(n, lambda i: i**3),
    lambda n: frac(n**2 * (n + 1) ** 2, 4), sample=NN, domains=N)
add(r"\sum_{i=0}^{n} 2^i = 2^{n+1} - 1", True, lambda n: upto(n, lambda i: 2**i, start=0),
    lambda n: 2 ** (n + 1) - 1, sample=NN, domains=N)
add(r"\sum_{i=1}^{n} \frac{1}{i(i+1)} = 1 - \frac{1}{n+1}", True,
    lambda n: upto(n, lambda i: frac(1, i * (i + 1))),
    lambda n: 1 - frac(1, n + 1), sample=NN, domains=N)
add(r"\sum_{i=1}^{n}\sum_{j=1}^{i} 1 = \frac{n(n+1)}{2}", True,
    lambda n: upto(n, lambda i: upto(i, lambda j: 1)), lambda n: frac(n * (n + 1), 2), sample=NN,
    domains=N)
add(r"\sum_{i=1}^{n} (-1)^{i} = \frac{(-1)^{n} - 1}{2}", True,
    lambda n: upto(n, lambda i: (-1) ** i), lambda n: frac((-1) ** n - 1, 2), sample=NN,
    domains=N)
add(r"\sum_{i=1}^{n}\sum_{j=1}^{n} \delta_{ij} = n", True,
    lambda n: upto(n, lambda i: upto(n, lambda j: delta(i, j))), lambda n: n, sample=NN,
    domains=N)
add(r"\sum_{i=1}^{n} c = c", False, lambda n, c: upto(n, lambda i: c), lambda c: c,
    sample={"n": COUNT, "c": REAL}, domains=N, witness={"n": 2, "c": 1})
add(r"\sum_{i=1}^{n} 1 = n + 1", False, lambda n: upto(n, lambda i: 1), lambda n: n + 1,
    sample=NN, domains=N, witness={"n": 1})
add(r"\sum_{i=1}^{n} 1 = 1", False, lambda n: upto(n, lambda i: 1), lambda: 1, sample=NN,
    domains=N, witness={"n": 2})
add(r"\sum_{i=1}^{n} i = \frac{n^2}{2}", False, lambda n: upto(n, lambda i: i),
    lambda n: frac(n**2, 2), sample=NN, domains=N, witness={"n": 1})
add(r"\sum_{i=1}^{n} i = \frac{n(n-1)}{2}", False, lambda n: upto(n, lambda i: i),
    lambda n: frac(n * (n - 1), 2), sample=NN, domains=N, witness={"n": 1})
add(r"\sum_{i=1}^{n} i^2 = \frac{n^2(n+1)}{2}", False, lambda n: upto(n, lambda i: i**2),
    lambda n: frac(n**2 * (n + 1), 2), sample=NN, domains=N, witness={"n": 2})
add(r"\sum_{i=0}^{n} 2^i = 2^{n}", False, lambda n: upto(n, lambda i: 2**i, start=0),
    lambda n: 2**n, sample=NN, domains=N, witness={"n": 1})
add(r"\sum_{i=1}^{n}\sum_{j=1}^{i} 1 = n^2", False,
    lambda n: upto(n, lambda i: upto(i, lambda j: 1)), lambda n: n**2, sample=NN, domains=N,
    witness={"n": 2})
add(r"\sum_{i=1}^{n} \frac{1}{i(i+1)} = 1", False,
    lambda n: upto(n, lambda i: frac(1, i * (i + 1))), lambda: 1, sample=NN, domains=N,
    witness={"n": 1})
add(r"\sum_{i=1}^{n} (-1)^{i} = 0", False, lambda n: upto(n, lambda i: (-1) ** i), lambda: 0,
    sample=NN, domains=N, witness={"n": 1})
add(r"\sum_{i=1}^{n} (2i-1) = n(n+1)", False, lambda n: upto(n, lambda i: 2 * i - 1),
    lambda n: n * (n + 1), sample=NN, domains=N, witness={"n": 1})
add(r"\sum_{i=1}^{n} i^3 = \frac{n^2(n+1)}{2}", False, lambda n: upto(n, lambda i: i**3),
    lambda n: frac(n**2 * (n + 1), 2), sample=NN, domains=N, witness={"n": 2})

# -- gradients of sums -----------------------------------------------------------------------
add(r"\frac{\partial}{\partial w}\sum_{i=1}^{n}(w x_i - y_i)^2 = 2\sum_{i=1}^{n}(w x_i - y_i)x_i",
    True, d(mse, "w"), lambda w, n, x, y: 2 * upto(n, lambda i: (w * x[i] - y[i]) * x[i]),
    sample=WXYN, domains=N)
add(r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(w x_i - y_i)^2 = \frac{2}{n}"
    r"\sum_{i=1}^{n}(w x_i - y_i)x_i",
    True, d(lambda w, n, x, y: mse(w, n, x, y) / n, "w"),
    lambda w, n, x, y: 2 * upto(n, lambda i: (w * x[i] - y[i]) * x[i]) / n,
    sample=WXYN, domains=N)
add(r"\frac{\partial}{\partial b}\sum_{i=1}^{n}(w x_i + b - y_i)^2 = 2\sum_{i=1}^{n}(w x_i + b -"
    r" y_i)",
    True, d(lambda w, b, n, x, y: upto(n, lambda i: (w * x[i] + b - y[i]) ** 2), "b"),
    lambda w, b, n, x, y: 2 * upto(n, lambda i: w * x[i] + b - y[i]), sample=WXBYN,
    domains=N)
add(r"\frac{\partial}{\partial c}\sum_{i=1}^{n} c x_i = \sum_{i=1}^{n} x_i", True,
    d(lambda n, c, x: upto(n, lambda i: c * x[i]), "c"), lambda n, x: upto(n, lambda i: x[i]),
    sample={**XN, "c": REAL}, domains=N)
add(r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(w x_i - y_i)^2 = 2(w x_i - y_i)x_i",
    False, d(lambda w, n, x, y: mse(w, n, x, y) / n, "w"),
    lambda w, x, y, i: 2 * (w * x[i] - y[i]) * x[i], sample={**WXYN, "i": index("n")},
    domains=N, witness={"n": 2, "w": 1, "x": vec(1, 2), "y": vec(0, 0), "i": 1},
    note="the sum forgotten")
add(r"\frac{\partial}{\partial w}\frac{1}{n}\sum_{i=1}^{n}(w x_i - y_i)^2 = 2\sum_{i=1}^{n}(w x_i"
    r" - y_i)x_i",
    False, d(lambda w, n, x, y: mse(w, n, x, y) / n, "w"),
    lambda w, n, x, y: 2 * upto(n, lambda i: (w * x[i] - y[i]) * x[i]), sample=WXYN,
    domains=N, witness={"n": 2, "w": 1, "x": vec(1, 1), "y": vec(0, 0)},
    note="the 1/n lost")
add(r"\frac{\partial}{\partial w}\sum_{i=1}^{n}(w x_i - y_i)^2 = \sum_{i=1}^{n}(w x_i - y_i)x_i",
    False, d(mse, "w"), lambda w, n, x, y: upto(n, lambda i: (w * x[i] - y[i]) * x[i]),
    sample=WXYN, domains=N, witness={"n": 1, "w": 1, "x": vec(1), "y": vec(0)})
add(r"\frac{\partial}{\partial w}\sum_{i=1}^{n}(w x_i - y_i)^2 = 2\sum_{i=1}^{n}(w x_i - y_i)",
    False, d(mse, "w"), lambda w, n, x, y: 2 * upto(n, lambda i: w * x[i] - y[i]),
    sample=WXYN, domains=N, witness={"n": 1, "w": 1, "x": vec(2), "y": vec(0)})
add(r"\frac{\partial}{\partial b}\sum_{i=1}^{n}(w x_i + b - y_i)^2 = 2(w x_i + b - y_i)",
    False, d(lambda w, b, n, x, y: upto(n, lambda i: (w * x[i] + b - y[i]) ** 2), "b"),
    lambda w, b, x, y, i: 2 * (w * x[i] + b - y[i]), sample={**WXBYN, "i": index("n")},
    domains=N, witness={"n": 2, "w": 0, "b": 1, "x": vec(0, 0), "y": vec(0, 0), "i": 2})
WD = {"d": COUNT, "w": vector(REAL, "d"), "k": index("d")}
add(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = 2w_k", True,
    d(lambda d, w: upto(d, lambda j: w[j] ** 2), "w", at="k"), lambda w, k: 2 * w[k],
    sample=WD, domains=ND)
add(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = 2\sum_{j=1}^{d} w_j", False,
    d(lambda d, w: upto(d, lambda j: w[j] ** 2), "w", at="k"),
    lambda d, w: 2 * upto(d, lambda j: w[j]), sample=WD, domains=ND,
    witness={"d": 2, "w": vec(1, 1), "k": 1})
add(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j^2 = w_k", False,
    d(lambda d, w: upto(d, lambda j: w[j] ** 2), "w", at="k"), lambda w, k: w[k], sample=WD,
    domains=ND, witness={"d": 1, "w": vec(1), "k": 1})
WXD = {"d": COUNT, "w": vector(REAL, "d"), "x": vector(REAL, "d"), "k": index("d")}
add(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j x_j = x_k", True,
    d(lambda d, w, x: upto(d, lambda j: w[j] * x[j]), "w", at="k"), lambda x, k: x[k],
    sample=WXD, domains=ND)
add(r"\frac{\partial}{\partial w_k}\sum_{j=1}^{d} w_j x_j = \sum_{j=1}^{d} x_j", False,
    d(lambda d, w, x: upto(d, lambda j: w[j] * x[j]), "w", at="k"),
    lambda d, x: upto(d, lambda j: x[j]), sample=WXD, domains=ND,
    witness={"d": 2, "w": vec(0, 0), "x": vec(1, 1), "k": 1})
add(r"\frac{\partial}{\partial w_k}\frac{1}{2}\left(\sum_{j=1}^{d} w_j x_j - y\right)^2 = \left("
    r"\sum_{j=1}^{d} w_j x_j - y\right)x_k",
    True, d(lambda d, w, x, y: (upto(d, lambda j: w[j] * x[j]) - y) ** 2 / 2, "w", at="k"),
    lambda d, w, x, y, k: (upto(d, lambda j: w[j] * x[j]) - y) * x[k],
    sample={**WXD, "y": REAL}, domains=ND)
add(r"\frac{\partial}{\partial w_k}\frac{1}{2}\left(\sum_{j=1}^{d} w_j x_j - y\right)^2 = "
    r"\sum_{j=1}^{d} w_j x_j - y",
    False, d(lambda d, w, x, y: (upto(d, lambda j: w[j] * x[j]) - y) ** 2 / 2, "w", at="k"),
    lambda d, w, x, y: upto(d, lambda j: w[j] * x[j]) - y, sample={**WXD, "y": REAL},
    domains=ND, witness={"d": 1, "w": vec(1), "x": vec(2), "y": 0, "k": 1})
ZN = {"n": COUNT, "z": vector(REAL, "n"), "k": index("n")}
add(r"\frac{\partial}{\partial z_k}\sum_{i=1}^{n}\log(1+e^{z_i}) = \sigma(z_k)", True,
    d(lambda n, z: upto(n, lambda i: softplus(z[i])), "z", at="k"),
    lambda z, k: sigmoid(z[k]), sample=ZN, domains=N)
add(r"\frac{\partial}{\partial z_k}\sum_{i=1}^{n}\log(1+e^{z_i}) = \sum_{i=1}^{n}\sigma(z_i)",
    False, d(lambda n, z: upto(n, lambda i: softplus(z[i])), "z", at="k"),
    lambda n, z: upto(n, lambda i: sigmoid(z[i])), sample=ZN, domains=N,
    witness={"n": 2, "z": vec(0, 0), "k": 1})
XYK = {"n": COUNT, "x": vector(REAL, "n"), "y": vector(REAL, "n"), "k": index("n")}
add(r"\frac{\partial}{\partial x_k}\sum_{i=1}^{n} x_i y_i = y_k", True,
    d(lambda n, x, y: upto(n, lambda i: x[i] * y[i]), "x", at="k"), lambda y, k: y[k],
    sample=XYK, domains=N)
add(r"\frac{\partial}{\partial x_k}\sum_{i=1}^{n} x_i y_i = \sum_{i=1}^{n} y_i", False,
    d(lambda n, x, y: upto(n, lambda i: x[i] * y[i]), "x", at="k"),
    lambda n, y: upto(n, lambda i: y[i]), sample=XYK, domains=N,
    witness={"n": 2, "x": vec(0, 0), "y": vec(1, 1), "k": 1})
XK = {"n": COUNT, "x": vector(REAL, "n"), "k": index("n")}
add(r"\frac{\partial}{\partial x_k}\sum_{i=1}^{n}\sum_{j=1}^{n} x_i x_j = 2\sum_{j=1}^{n} x_j",
    True, d(lambda n, x: upto(n, lambda i: upto(n, lambda j: x[i] * x[j])), "x", at="k"),
    lambda n, x: 2 * upto(n, lambda j: x[j]), sample=XK, domains=N)
add(r"\frac{\partial}{\partial x_k}\sum_{i=1}^{n}\sum_{j=1}^{n} x_i x_j = 2x_k", False,
    d(lambda n, x: upto(n, lambda i: upto(n, lambda j: x[i] * x[j])), "x", at="k"),
    lambda x, k: 2 * x[k], sample=XK, domains=N, witness={"n": 2, "x": vec(1, 1), "k": 1})


# -- near-equalities -------------------------------------------------------------------------
add(r"\sum_{i=1}^{n} (x_i + 10^{-20}) = \sum_{i=1}^{n} x_i", False,
    lambda n, x: upto(n, lambda i: x[i] + tiny(20)), lambda n, x: upto(n, lambda i: x[i]),
    sample=XN, domains=N, witness={"n": 1, "x": vec(0)}, note="off by n·10^-20")
add(r"\sum_{i=1}^{n} (x_i + 10^{-20}) = 10^{-20}n + \sum_{i=1}^{n} x_i", True,
    lambda n, x: upto(n, lambda i: x[i] + tiny(20)),
    lambda n, x: tiny(20) * n + upto(n, lambda i: x[i]), sample=XN, domains=N)
add(r"\frac{1}{n}\sum_{i=1}^{n} x_i = \frac{1}{n + 10^{-12}}\sum_{i=1}^{n} x_i", False,
    lambda n, x: upto(n, lambda i: x[i]) / n, lambda n, x: upto(n, lambda i: x[i]) / (n + tiny(12)),
    sample=XN, domains=N, witness={"n": 1, "x": vec(1)})
add(r"\sum_{i=1}^{n} 10^{-20}x_i = 10^{-20}\sum_{i=1}^{n} x_i", True,
    lambda n, x: upto(n, lambda i: tiny(20) * x[i]),
    lambda n, x: tiny(20) * upto(n, lambda i: x[i]), sample=XN, domains=N)
add(r"\sum_{i=1}^{n} 10^{-20}x_i = 0", False, lambda n, x: upto(n, lambda i: tiny(20) * x[i]),
    lambda: 0, sample=XN, domains=N, witness={"n": 1, "x": vec(1)})


# -- true at the first sizes only ------------------------------------------------------------
add(r"\sum_{i=1}^{n} i^2 = \frac{n(n+1)(2n+1)}{6} + (n-1)(n-2)(n-3)", False,
    lambda n: upto(n, lambda i: i**2), lambda n: frac(n * (n + 1) * (2 * n + 1), 6)
    + (n - 1) * (n - 2) * (n - 3), sample=NN, domains=N, witness={"n": 4},
    note="equal at n = 1, 2, 3")
add(r"\sum_{i=1}^{n} \operatorname{relu}(i - 5) = 0", False,
    lambda n: upto(n, lambda i: max(i - 5, 0)), lambda: 0, sample=NN, domains=N,
    witness={"n": 6}, note="equal for n ≤ 5")
add(r"\sum_{i=1}^{n} i^3 = \left(\sum_{i=1}^{n} i\right)^2", True,
    lambda n: upto(n, lambda i: i**3), lambda n: upto(n, lambda i: i) ** 2, sample=NN,
    domains=N)

CLAIMS = list(add)

# -- entries of a declared vector (ŷ ∈ ℝ^{n×1} written ŷ_1, ŷ_j) --------------------------------
# A derivative by one entry of a vector the file declares: by ŷ_1 it is that entry of the
# array, and by ŷ_i (i a free index) every entry in turn.
ENTRY_SHAPES = {"\\hat{y}": ("n", "1"), "y": ("n", "1")}
ENTRY_NAMES = {"\\hat{y}": "\\hat{y}_1", "y": "y_1"}
IJN = {"i": "n", "j": "n"}
HYN = {"n": COUNT, "h": vector(REAL, "n"), "y": vector(REAL, "n"), "i": index("n")}
HY1 = {"n": COUNT, "h": vector(REAL, "n"), "y": vector(REAL, "n")}


def squared(n, h, y):
    return upto(n, lambda j: (h[j] - y[j]) ** 2)


def entry_claim(latex, truth, lhs, rhs, sample=HYN, **options):
    add(latex, truth, lhs, rhs, sample=sample, shapes=ENTRY_SHAPES, entries=ENTRY_NAMES,
        indices=IJN, **options)


entry_claim(r"\frac{\partial}{\partial \hat{y}_i} \sum_{j=1}^{n}(\hat{y}_j - y_j)^2 = "
            r"2(\hat{y}_i - y_i)", True, d(squared, "h", at="i"),
            lambda h, y, i: 2 * (h[i] - y[i]))
entry_claim(r"\frac{\partial}{\partial \hat{y}_i} \sum_{j=1}^{n}(\hat{y}_j - y_j)^2 = 0", False,
            d(squared, "h", at="i"), lambda: 0,
            witness={"n": 1, "h": vec(1), "y": vec(0), "i": 1},
            note="the other entries' terms read as the whole sum")
entry_claim(r"\frac{\partial}{\partial \hat{y}_i} \frac{1}{2n}\sum_{j=1}^{n}(\hat{y}_j - y_j)^2"
            r" = \frac{1}{n}(\hat{y}_i - y_i)", True,
            d(lambda n, h, y: squared(n, h, y) / (2 * n), "h", at="i"),
            lambda n, h, y, i: (h[i] - y[i]) / n)
entry_claim(r"\frac{\partial}{\partial \hat{y}_i} \frac{1}{2n}\sum_{j=1}^{n}(\hat{y}_j - y_j)^2"
            r" = \hat{y}_i - y_i", False,
            d(lambda n, h, y: squared(n, h, y) / (2 * n), "h", at="i"),
            lambda h, y, i: h[i] - y[i], witness={"n": 2, "h": vec(1, 0), "y": vec(0, 0), "i": 1},
            note="the mean's 1/n forgotten")
entry_claim(r"\frac{\partial}{\partial \hat{y}_i} \sum_{j=1}^{n} \hat{y}_j y_j = \sum_{j=1}^{n}"
            r" y_j", False, d(lambda n, h, y: upto(n, lambda j: h[j] * y[j]), "h", at="i"),
            lambda n, y: upto(n, lambda j: y[j]),
            witness={"n": 2, "h": vec(0, 0), "y": vec(1, 1), "i": 1},
            note="the sum kept after the derivative by one entry")
entry_claim(r"\frac{\partial}{\partial \hat{y}_1} (\hat{y}_1 - y_1)^2 = 0", False,
            d(lambda h, y: (h[1] - y[1]) ** 2, "h", at=1), lambda: 0, sample=HY1,
            witness={"n": 1, "h": vec(1), "y": vec(0)},
            note="a derivative by an entry written by its number, once taken as 0")
entry_claim(r"\frac{\partial}{\partial \hat{y}_1} (\hat{y}_1 - y_1)^2 = 2(\hat{y}_1 - y_1)", True,
            d(lambda h, y: (h[1] - y[1]) ** 2, "h", at=1), lambda h, y: 2 * (h[1] - y[1]),
            sample=HY1)
entry_claim(r"\frac{\partial}{\partial \hat{y}_1} \sum_{j=1}^{n}(\hat{y}_j - y_j)^2 = 0", False,
            d(squared, "h", at=1), lambda: 0, sample=HY1,
            witness={"n": 1, "h": vec(1), "y": vec(0)})
