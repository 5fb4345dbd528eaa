"""Index notation and softmax: sums over an unstated range (``indices={"j": "C"}``, so
``\\sum_j`` is ``\\sum_{j=1}^{C}``), δ, free indices, and claims that hold only at one size.
The count C is part of the claim: a claim is true only when it holds for every C >= 1."""

from __future__ import annotations

from ..model import COUNT, LABEL, POSITIVE, REAL, Collector, index, vector
from ..mpfun import d, delta, exp, frac, log, num, upto, vec

add = Collector("index")
JK = {"j": "C", "k": "C"}
IJK = {"i": "C", "j": "C", "k": "C"}
J = {"j": "C"}
ZK = {"C": COUNT, "z": vector(REAL, "C"), "k": index("C")}
ZIK = {"C": COUNT, "z": vector(REAL, "C"), "i": index("C"), "k": index("C")}
XK = {"C": COUNT, "x": vector(REAL, "C"), "k": index("C")}
XYK = {"C": COUNT, "x": vector(REAL, "C"), "y": vector(REAL, "C"), "k": index("C")}
CC = {"C": COUNT}
S_K = r"\frac{e^{z_k}}{\sum_j e^{z_j}}"
S_I = r"\frac{e^{z_i}}{\sum_j e^{z_j}}"


def partition(C, z):
    return upto(C, lambda j: exp(z[j]))


def soft(C, z, k):
    return exp(z[k]) / partition(C, z)


def lse(C, z):
    return log(partition(C, z))


def cross_entropy(C, y, z):
    return -upto(C, lambda j: y[j] * log(soft(C, z, j)))


dlse = d(lse, "z", at="k")
dsoft = d(lambda C, z, k: soft(C, z, k), "z", at="i")

# -- log-sum-exp and softmax -----------------------------------------------------------------
add(r"\frac{\partial}{\partial z_k} \log\sum_j e^{z_j} = " + S_K, True, dlse, soft, sample=ZK,
    indices=JK)
add(r"\frac{\partial}{\partial z_k} \log\sum_j e^{z_j} = \frac{1}{1 + \sum_{j \neq k} e^{z_j -"
    r" z_k}}",
    True, dlse,
    lambda C, z, k: 1 / (1 + upto(C, lambda j: (1 - delta(j, k)) * exp(z[j] - z[k]))),
    sample=ZK, indices=JK)
add(r"\frac{\partial}{\partial z_k} \log\sum_j e^{z_j} = e^{z_k}", False, dlse,
    lambda z, k: exp(z[k]), sample=ZK, indices=JK, witness={"C": 2, "z": vec(0, 0), "k": 1},
    note="the normalisation lost")
add(r"\frac{\partial}{\partial z_k} \log\sum_j e^{z_j} = \frac{1}{\sum_j e^{z_j}}", False, dlse,
    lambda C, z: 1 / partition(C, z), sample=ZK, indices=JK,
    witness={"C": 2, "z": vec(1, 0), "k": 1})
add(r"\frac{\partial}{\partial z_k} \log\sum_j e^{z_j} = \frac{1}{C}", False, dlse,
    lambda C: frac(1, C), sample=ZK, indices=JK, witness={"C": 2, "z": vec(1, 0), "k": 1})
add(r"\frac{\partial}{\partial z_i}" + S_K + " = " + S_K + r"\left(\delta_{ik} - " + S_I
    + r"\right)", True, dsoft,
    lambda C, z, i, k: soft(C, z, k) * (delta(i, k) - soft(C, z, i)), sample=ZIK, indices=IJK)
add(r"\frac{\partial}{\partial z_i}" + S_K + " = " + S_I + r"\left(\delta_{ik} - " + S_K
    + r"\right)", True, dsoft,
    lambda C, z, i, k: soft(C, z, i) * (delta(i, k) - soft(C, z, k)), sample=ZIK, indices=IJK,
    note="the roles of i and k exchanged: still the same at i = k and at i ≠ k")
add(r"\frac{\partial}{\partial z_i}" + S_K + r" = \begin{cases} " + S_K + r"\left(1 - " + S_K
    + r"\right) & i = k \\ -" + S_I + S_K + r" & i \neq k \end{cases}", True, dsoft,
    lambda C, z, i, k: soft(C, z, k) * (1 - soft(C, z, k)) if i == k
    else -soft(C, z, i) * soft(C, z, k), sample=ZIK, indices=IJK)
add(r"\frac{\partial}{\partial z_i}" + S_K + " = " + S_K + r"\left(1 - " + S_K + r"\right)",
    False, dsoft, lambda C, z, k: soft(C, z, k) * (1 - soft(C, z, k)), sample=ZIK,
    indices=IJK, witness={"C": 2, "z": vec(0, 0), "i": 1, "k": 2},
    note="the diagonal entry given for every i")
add(r"\frac{\partial}{\partial z_i}" + S_K + " = " + S_K + r"\left(\delta_{ik} + " + S_I
    + r"\right)", False, dsoft,
    lambda C, z, i, k: soft(C, z, k) * (delta(i, k) + soft(C, z, i)), sample=ZIK,
    indices=IJK, witness={"C": 2, "z": vec(0, 0), "i": 1, "k": 1})
add(r"\frac{\partial}{\partial z_i}" + S_K + " = " + S_K + r"\delta_{ik}", False, dsoft,
    lambda C, z, i, k: soft(C, z, k) * delta(i, k), sample=ZIK, indices=IJK,
    witness={"C": 2, "z": vec(0, 0), "i": 1, "k": 1})
add(r"\frac{\partial}{\partial z_i}" + S_K + r" = \begin{cases} " + S_K + r"\left(1 - " + S_K
    + r"\right) & i = k \\ " + S_I + S_K + r" & i \neq k \end{cases}", False, dsoft,
    lambda C, z, i, k: soft(C, z, k) * (1 - soft(C, z, k)) if i == k
    else soft(C, z, i) * soft(C, z, k), sample=ZIK, indices=IJK,
    witness={"C": 2, "z": vec(0, 0), "i": 1, "k": 2}, note="the off-diagonal sign flipped")
add(r"\sum_k " + S_K + " = 1", True, lambda C, z: upto(C, lambda k: soft(C, z, k)), lambda: 1,
    sample={"C": COUNT, "z": vector(REAL, "C")}, indices=JK)
add(r"\sum_k " + S_K + " = C", False, lambda C, z: upto(C, lambda k: soft(C, z, k)),
    lambda C: C, sample={"C": COUNT, "z": vector(REAL, "C")}, indices=JK,
    witness={"C": 2, "z": vec(0, 0)})
add(r"\log" + S_K + r" = z_k - \log\sum_j e^{z_j}", True,
    lambda C, z, k: log(soft(C, z, k)), lambda C, z, k: z[k] - lse(C, z), sample=ZK,
    indices=JK)
add(r"\log" + S_K + r" = z_k - \sum_j z_j", False, lambda C, z, k: log(soft(C, z, k)),
    lambda C, z, k: z[k] - upto(C, lambda j: z[j]), sample=ZK, indices=JK,
    witness={"C": 2, "z": vec(0, 0), "k": 1})
add(r"\frac{e^{z_k + c}}{\sum_j e^{z_j + c}} = " + S_K, True,
    lambda C, z, k, c: exp(z[k] + c) / upto(C, lambda j: exp(z[j] + c)), soft,
    sample={**ZK, "c": REAL}, indices=JK)
add(r"\frac{e^{c z_k}}{\sum_j e^{c z_j}} = " + S_K, False,
    lambda C, z, k, c: exp(c * z[k]) / upto(C, lambda j: exp(c * z[j])), soft,
    sample={**ZK, "c": REAL}, indices=JK, witness={"C": 2, "z": vec(1, 0), "k": 1, "c": 2})
add(r"\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}", True, lse,
    lambda C, z, m: m + log(upto(C, lambda j: exp(z[j] - m))),
    sample={"C": COUNT, "z": vector(REAL, "C"), "m": REAL}, indices=J)
add(r"\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j + m}", False, lse,
    lambda C, z, m: m + log(upto(C, lambda j: exp(z[j] + m))),
    sample={"C": COUNT, "z": vector(REAL, "C"), "m": REAL}, indices=J,
    witness={"C": 1, "z": vec(0), "m": 1})
add(r"\log\sum_j e^{z_j} = \sum_j z_j", False, lse, lambda C, z: upto(C, lambda j: z[j]),
    sample={"C": COUNT, "z": vector(REAL, "C")}, indices=J, witness={"C": 2, "z": vec(0, 0)})
add(r"\frac{\partial}{\partial z_k}\sum_j e^{z_j} = e^{z_k}", True, d(partition, "z", at="k"),
    lambda z, k: exp(z[k]), sample=ZK, indices=JK)
add(r"\frac{\partial}{\partial z_k}\sum_j e^{z_j} = \sum_j e^{z_j}", False,
    d(partition, "z", at="k"), partition, sample=ZK, indices=JK,
    witness={"C": 2, "z": vec(0, 0), "k": 1})
add(r"\frac{\partial}{\partial z_k}\sum_j \frac{e^{z_j}}{\sum_i e^{z_i}} = 0", True,
    d(lambda C, z: upto(C, lambda j: soft(C, z, j)), "z", at="k"), lambda: 0, sample=ZK,
    indices=IJK)
add(r"\frac{\partial}{\partial z_k}\sum_j \frac{e^{z_j}}{\sum_i e^{z_i}} = 1", False,
    d(lambda C, z: upto(C, lambda j: soft(C, z, j)), "z", at="k"), lambda: 1, sample=ZK,
    indices=IJK, witness={"C": 2, "z": vec(0, 0), "k": 1})

# -- cross-entropy through softmax -----------------------------------------------------------
YZK = {"C": COUNT, "y": vector(REAL, "C"), "z": vector(REAL, "C"), "k": index("C")}
YZK_LABEL = {"C": COUNT, "y": vector(LABEL, "C"), "z": vector(REAL, "C"), "k": index("C")}
CE = r"\frac{\partial}{\partial z_k}\left(-\sum_j y_j \log\frac{e^{z_j}}{\sum_i e^{z_i}}\right)"
dce = d(cross_entropy, "z", at="k")
add(CE + " = " + S_K + r"\sum_j y_j - y_k", True, dce,
    lambda C, y, z, k: soft(C, z, k) * upto(C, lambda j: y[j]) - y[k], sample=YZK, indices=IJK)
add(CE + " = " + S_K + " - y_k", False, dce, lambda C, z, k, y: soft(C, z, k) - y[k],
    sample=YZK, indices=IJK, witness={"C": 2, "y": vec(1, 1), "z": vec(0, 0), "k": 1},
    note="holds only when the y_j sum to 1")
add(CE + " = " + S_K + " - y_k", False, dce, lambda C, z, k, y: soft(C, z, k) - y[k],
    sample=YZK_LABEL, indices=IJK, domains={"y_j": "{0,1}"},
    witness={"C": 2, "y": vec(1, 1), "z": vec(0, 0), "k": 1},
    note="labels in {0,1} need not be one-hot")
add(r"\frac{\partial}{\partial z_k}\left(\log\sum_j e^{z_j} - \sum_j y_j z_j\right) = " + S_K
    + " - y_k", True,
    d(lambda C, y, z: lse(C, z) - upto(C, lambda j: y[j] * z[j]), "z", at="k"),
    lambda C, z, k, y: soft(C, z, k) - y[k], sample=YZK, indices=JK)
add(r"\frac{\partial}{\partial z_k}\left(\log\sum_j e^{z_j} - \sum_j y_j z_j\right) = y_k - "
    + S_K, False,
    d(lambda C, y, z: lse(C, z) - upto(C, lambda j: y[j] * z[j]), "z", at="k"),
    lambda C, z, k, y: y[k] - soft(C, z, k), sample=YZK, indices=JK,
    witness={"C": 2, "y": vec(0, 0), "z": vec(0, 0), "k": 1})
add(r"\frac{\partial}{\partial z_k}\sum_j y_j z_j = y_k", True,
    d(lambda C, y, z: upto(C, lambda j: y[j] * z[j]), "z", at="k"), lambda y, k: y[k],
    sample=YZK, indices=JK)
add(r"\sum_j \left(" + r"\frac{e^{z_j}}{\sum_i e^{z_i}}" + r" - y_j\right) = 1 - \sum_j y_j",
    True, lambda C, y, z: upto(C, lambda j: soft(C, z, j) - y[j]),
    lambda C, y: 1 - upto(C, lambda j: y[j]),
    sample={"C": COUNT, "y": vector(REAL, "C"), "z": vector(REAL, "C")}, indices=IJK)
add(r"\sum_j \left(" + r"\frac{e^{z_j}}{\sum_i e^{z_i}}" + r" - y_j\right) = 0", False,
    lambda C, y, z: upto(C, lambda j: soft(C, z, j) - y[j]), lambda: 0,
    sample={"C": COUNT, "y": vector(REAL, "C"), "z": vector(REAL, "C")}, indices=IJK,
    witness={"C": 1, "y": vec(0), "z": vec(0)})

# -- counts and δ ----------------------------------------------------------------------------
add(r"\sum_j 1 = C", True, lambda C: upto(C, lambda j: 1), lambda C: C, sample=CC, indices=J)
add(r"\sum_j 1 = 3", False, lambda C: upto(C, lambda j: 1), lambda: 3, sample=CC, indices=J,
    sizes={"C": 3}, witness={"C": 2}, note="holds only at the size it is checked at")
add(r"\sum_j 1 = 4", False, lambda C: upto(C, lambda j: 1), lambda: 4, sample=CC, indices=J,
    sizes={"C": 4}, witness={"C": 3}, note="holds only at the size it is checked at")
add(r"\sum_j 2 = 6", False, lambda C: upto(C, lambda j: 2), lambda: 6, sample=CC, indices=J,
    witness={"C": 1}, note="holds only at C = 3")
add(r"\sum_j \frac{1}{C} = 1", True, lambda C: upto(C, lambda j: frac(1, C)), lambda: 1,
    sample=CC, indices=J)
add(r"\sum_j \frac{1}{C} = C", False, lambda C: upto(C, lambda j: frac(1, C)), lambda C: C,
    sample=CC, indices=J, witness={"C": 2})
add(r"\sum_j j = \frac{C(C+1)}{2}", True, lambda C: upto(C, lambda j: j),
    lambda C: frac(C * (C + 1), 2), sample=CC, indices=J)
add(r"\sum_j j = 6", False, lambda C: upto(C, lambda j: j), lambda: 6, sample=CC, indices=J,
    witness={"C": 2}, note="holds only at C = 3")
KC = {"C": COUNT, "k": index("C")}
add(r"\sum_j \delta_{jk} = 1", True, lambda C, k: upto(C, lambda j: delta(j, k)), lambda: 1,
    sample=KC, indices=JK)
add(r"\sum_j \delta_{jk} = C", False, lambda C, k: upto(C, lambda j: delta(j, k)),
    lambda C: C, sample=KC, indices=JK, witness={"C": 2, "k": 1})
add(r"\sum_j \delta_{jk} x_j = x_k", True, lambda C, k, x: upto(C, lambda j: delta(j, k) * x[j]),
    lambda x, k: x[k], sample=XK, indices=JK)
add(r"\sum_j \delta_{jk} x_j = \sum_j x_j", False,
    lambda C, k, x: upto(C, lambda j: delta(j, k) * x[j]), lambda C, x: upto(C, lambda j: x[j]),
    sample=XK, indices=JK, witness={"C": 2, "x": vec(1, 1), "k": 1})
add(r"\sum_i\sum_j \delta_{ij} = C", True,
    lambda C: upto(C, lambda i: upto(C, lambda j: delta(i, j))), lambda C: C, sample=CC,
    indices={"i": "C", "j": "C"})
add(r"\sum_i\sum_j \delta_{ij} = C^2", False,
    lambda C: upto(C, lambda i: upto(C, lambda j: delta(i, j))), lambda C: C**2, sample=CC,
    indices={"i": "C", "j": "C"}, witness={"C": 2})
IKC = {"C": COUNT, "i": index("C"), "k": index("C")}
add(r"\delta_{ik}\delta_{ik} = \delta_{ik}", True, lambda i, k: delta(i, k) ** 2,
    lambda i, k: delta(i, k), sample=IKC, indices={"i": "C", "k": "C"})
add(r"\delta_{ik}\delta_{ik} = 1", False, lambda i, k: delta(i, k) ** 2, lambda: 1,
    sample=IKC, indices={"i": "C", "k": "C"}, witness={"C": 2, "i": 1, "k": 2})
YIC = {"C": COUNT, "y": vector(REAL, "C"), "i": index("C")}
add(r"\sum_{k \neq i} y_k + y_i = \sum_k y_k", True,
    lambda C, y, i: upto(C, lambda k: (1 - delta(k, i)) * y[k]) + y[i],
    lambda C, y: upto(C, lambda k: y[k]), sample=YIC, indices={"i": "C", "k": "C"})
add(r"\sum_{k \neq i} y_k = \sum_k y_k", False,
    lambda C, y, i: upto(C, lambda k: (1 - delta(k, i)) * y[k]),
    lambda C, y: upto(C, lambda k: y[k]), sample=YIC, indices={"i": "C", "k": "C"},
    witness={"C": 2, "y": vec(1, 1), "i": 1})
add(r"\sum_j^C y_j = \sum_{j=1}^{C} y_j", True, lambda C, y: upto(C, lambda j: y[j]),
    lambda C, y: upto(C, lambda j: y[j]), sample={"C": COUNT, "y": vector(REAL, "C")},
    indices=J)

# -- sums of entries -------------------------------------------------------------------------
XC = {"C": COUNT, "x": vector(REAL, "C")}
add(r"\sum_j\sum_k x_j x_k = \left(\sum_j x_j\right)^2", True,
    lambda C, x: upto(C, lambda j: upto(C, lambda k: x[j] * x[k])),
    lambda C, x: upto(C, lambda j: x[j]) ** 2, sample=XC, indices=JK)
add(r"\sum_j\sum_k x_j x_k = \sum_j x_j^2", False,
    lambda C, x: upto(C, lambda j: upto(C, lambda k: x[j] * x[k])),
    lambda C, x: upto(C, lambda j: x[j] ** 2), sample=XC, indices=JK,
    witness={"C": 2, "x": vec(1, 1)})
ABX = {"C": COUNT, "x": vector(REAL, "C"), "a": REAL, "b": REAL}
add(r"\sum_j (a x_j + b) = Cb + a\sum_j x_j", True,
    lambda C, x, a, b: upto(C, lambda j: a * x[j] + b),
    lambda C, x, a, b: C * b + a * upto(C, lambda j: x[j]), sample=ABX, indices=J)
add(r"\sum_j (a x_j + b) = b + a\sum_j x_j", False,
    lambda C, x, a, b: upto(C, lambda j: a * x[j] + b),
    lambda C, x, a, b: b + a * upto(C, lambda j: x[j]), sample=ABX, indices=J,
    witness={"C": 2, "x": vec(0, 0), "a": 1, "b": 1})
XYC = {"C": COUNT, "x": vector(REAL, "C"), "y": vector(REAL, "C")}
add(r"\sum_j x_j y_j = \sum_k x_k y_k", True, lambda C, x, y: upto(C, lambda j: x[j] * y[j]),
    lambda C, x, y: upto(C, lambda k: x[k] * y[k]), sample=XYC, indices=JK)
PQ = {"C": COUNT, "p": vector(POSITIVE, "C"), "q": vector(POSITIVE, "C")}
PQ_DOMAINS = {"p_j": "positive", "q_j": "positive"}
add(r"\sum_j p_j \log\frac{p_j}{q_j} = \sum_j p_j\log p_j - \sum_j p_j\log q_j", True,
    lambda C, p, q: upto(C, lambda j: p[j] * log(p[j] / q[j])),
    lambda C, p, q: upto(C, lambda j: p[j] * log(p[j])) - upto(C, lambda j: p[j] * log(q[j])),
    sample=PQ, indices=J, domains=PQ_DOMAINS)
add(r"\sum_j p_j \log\frac{p_j}{q_j} = \sum_j \log\frac{p_j}{q_j}", False,
    lambda C, p, q: upto(C, lambda j: p[j] * log(p[j] / q[j])),
    lambda C, p, q: upto(C, lambda j: log(p[j] / q[j])), sample=PQ, indices=J,
    domains=PQ_DOMAINS, witness={"C": 1, "p": vec(2), "q": vec(1)})
YPK = {"C": COUNT, "y": vector(REAL, "C"), "p": vector(POSITIVE, "C"), "k": index("C")}
add(r"\frac{\partial}{\partial y_k}\sum_j y_j \log p_j = \log p_k", True,
    d(lambda C, y, p: upto(C, lambda j: y[j] * log(p[j])), "y", at="k"),
    lambda p, k: log(p[k]), sample=YPK, indices=JK, domains={"p_j": "positive"})
add(r"\frac{\partial}{\partial y_k}\sum_j y_j \log p_j = \frac{1}{p_k}", False,
    d(lambda C, y, p: upto(C, lambda j: y[j] * log(p[j])), "y", at="k"),
    lambda p, k: 1 / p[k], sample=YPK, indices=JK, domains={"p_j": "positive"},
    witness={"C": 1, "y": vec(0), "p": vec(1), "k": 1})

# -- gradients in index notation -------------------------------------------------------------
WXK = {"C": COUNT, "w": vector(REAL, "C"), "x": vector(REAL, "C"), "k": index("C")}
add(r"\frac{\partial}{\partial w_k}\sum_j w_j x_j = x_k", True,
    d(lambda C, w, x: upto(C, lambda j: w[j] * x[j]), "w", at="k"), lambda x, k: x[k],
    sample=WXK, indices=JK)
add(r"\frac{\partial}{\partial w_k}\sum_j w_j x_j = \sum_j x_j", False,
    d(lambda C, w, x: upto(C, lambda j: w[j] * x[j]), "w", at="k"),
    lambda C, x: upto(C, lambda j: x[j]), sample=WXK, indices=JK,
    witness={"C": 2, "w": vec(0, 0), "x": vec(1, 1), "k": 1})
add(r"\frac{\partial}{\partial x_k}\sum_j x_j^2 = 2x_k", True,
    d(lambda C, x: upto(C, lambda j: x[j] ** 2), "x", at="k"), lambda x, k: 2 * x[k],
    sample=XK, indices=JK)
add(r"\frac{\partial}{\partial x_k}\sum_j x_j^2 = 2\sum_j x_j", False,
    d(lambda C, x: upto(C, lambda j: x[j] ** 2), "x", at="k"),
    lambda C, x: 2 * upto(C, lambda j: x[j]), sample=XK, indices=JK,
    witness={"C": 2, "x": vec(1, 1), "k": 1})
half_sq = d(lambda C, x, y: upto(C, lambda j: (x[j] - y[j]) ** 2) / 2, "x", at="k")
add(r"\frac{\partial}{\partial x_k}\frac{1}{2}\sum_j (x_j - y_j)^2 = x_k - y_k", True,
    half_sq, lambda x, y, k: x[k] - y[k], sample=XYK, indices=JK)
add(r"\frac{\partial}{\partial x_k}\frac{1}{2}\sum_j (x_j - y_j)^2 = y_k - x_k", False,
    half_sq, lambda x, y, k: y[k] - x[k], sample=XYK, indices=JK,
    witness={"C": 1, "x": vec(1), "y": vec(0), "k": 1})
add(r"\frac{\partial}{\partial z_k}\frac{1}{2}\sum_j z_j^2 = z_k", True,
    d(lambda C, z: upto(C, lambda j: z[j] ** 2) / 2, "z", at="k"), lambda z, k: z[k],
    sample=ZK, indices=JK)
add(r"\frac{\partial}{\partial z_k}\frac{1}{2}\sum_j z_j^2 = \sum_j z_j", False,
    d(lambda C, z: upto(C, lambda j: z[j] ** 2) / 2, "z", at="k"),
    lambda C, z: upto(C, lambda j: z[j]), sample=ZK, indices=JK,
    witness={"C": 2, "z": vec(1, 1), "k": 1})
LWK = {"C": COUNT, "w": vector(REAL, "C"), "lam": POSITIVE, "k": index("C")}
dpen = d(lambda C, w, lam: lam * upto(C, lambda j: w[j] ** 2) / 2, "w", at="k")
add(r"\frac{\partial}{\partial w_k}\frac{\lambda}{2}\sum_j w_j^2 = \lambda w_k", True, dpen,
    lambda lam, w, k: lam * w[k], sample=LWK, indices=JK, domains={"lambda": "positive"})
add(r"\frac{\partial}{\partial w_k}\frac{\lambda}{2}\sum_j w_j^2 = \frac{\lambda}{2} w_k", False,
    dpen, lambda lam, w, k: lam * w[k] / 2, sample=LWK, indices=JK,
    domains={"lambda": "positive"}, witness={"C": 1, "w": vec(1), "lam": 1, "k": 1},
    note="the 1/2 kept")


# -- near-equalities -------------------------------------------------------------------------
add(r"\frac{e^{z_k}}{\sum_j e^{z_j} + 10^{-12}} = " + S_K, False,
    lambda C, z, k: exp(z[k]) / (partition(C, z) + num(10) ** -12), soft, sample=ZK, indices=JK,
    witness={"C": 1, "z": vec(0), "k": 1}, note="the ε of a guarded division")
add(r"\log\left(\sum_j e^{z_j} + 10^{-30}\right) = \log\sum_j e^{z_j}", False,
    lambda C, z: log(partition(C, z) + num(10) ** -30), lse,
    sample={"C": COUNT, "z": vector(REAL, "C")}, indices=J, witness={"C": 1, "z": vec(0)})
add(r"\frac{\partial}{\partial z_k}\log\sum_j e^{z_j} = 1", False, dlse, lambda: 1, sample=ZK,
    indices=JK, witness={"C": 2, "z": vec(40, 0), "k": 1},
    note="the largest logit takes almost all of the mass, but not all")


# -- true at one size only -------------------------------------------------------------------
add(r"\sum_j j^2 = \frac{C(C+1)(2C+1)}{6} + (C-1)(C-2)(C-3)", False,
    lambda C: upto(C, lambda j: j**2),
    lambda C: frac(C * (C + 1) * (2 * C + 1), 6) + (C - 1) * (C - 2) * (C - 3), sample=CC,
    indices=J, witness={"C": 4}, note="equal at C = 1, 2, 3")
add(r"\sum_j \operatorname{relu}(j - 3) = 0", False, lambda C: upto(C, lambda j: max(j - 3, 0)),
    lambda: 0, sample=CC, indices=J, witness={"C": 4}, note="equal for C ≤ 3")
add(r"\sum_j \operatorname{relu}(j - 3) = \frac{\operatorname{relu}(C-3)(C-2)}{2}", True,
    lambda C: upto(C, lambda j: max(j - 3, 0)), lambda C: frac(max(C - 3, 0) * (C - 2), 2),
    sample=CC, indices=J)

CLAIMS = list(add)
