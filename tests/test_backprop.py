"""Built-in models: the final results, every step verified, and a second route by finite
differences in NumPy (and autograd where it is installed)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive.core.arrays import Entrywise
from derive.core.errors import UnknownModelError
from derive.core.functions import sigmoid
from derive.core.records import ChainStep
from derive.engine import models
from derive.engine.backprop import derive_model, gradient
from derive.engine.instantiate import check_gradient, instantiate
from tests.conftest import YHAT, Y, Z, same

ALL = [("bce", "yhat"), ("bce-mean", "yhat_i"), ("sigmoid", "z"), ("logistic", "w"),
       ("logistic", "b"), ("logistic-batch", "w"), ("logistic-batch", "b"), ("mlp", "W1"),
       ("mlp", "b1"), ("mlp", "w2"), ("mlp", "b2")]


@pytest.mark.parametrize(("name", "wrt"), ALL)
def test_every_emitted_step_is_verified(name: str, wrt: str) -> None:
    derivation = derive_model(models.get(name), wrt)
    assert derivation.unverified() == []
    assert all(line.check is not None for line in derivation.lines)


def test_bce_ends_in_the_documents_result() -> None:
    d = derive_model(models.bce(), "yhat")
    assert same(d.result, (YHAT - Y) / (YHAT * (1 - YHAT)))


def test_bce_mean_carries_the_factor_one_over_m() -> None:
    d = derive_model(models.bce_mean(), "yhat_i")
    m = models.bce_mean().variable("m").symbol
    i = sp.Symbol("i", integer=True, positive=True)
    yh = sp.IndexedBase("yhat", positive=True)[i]
    y = sp.IndexedBase("y", real=True)[i]
    assert sp.simplify(d.result - (yh - y) / (m * yh * (1 - yh))) == 0


def test_sigmoid_route_ends_in_sigma_times_one_minus_sigma() -> None:
    d = derive_model(models.sigmoid_model(), "z")
    assert d.result == sp.Mul(sigmoid(Z), sp.Add(1, -sigmoid(Z), evaluate=False),
                              evaluate=False)
    rules = [s.rule for s in d.steps[1:]]
    assert rules == ["split fraction", "add and subtract", "divide through", "definition"]


def _coefficient(expr: sp.MatMul) -> sp.Expr:
    scalars = [a for a in expr.args if not isinstance(a, sp.MatrixExpr)]
    return sp.Mul(*scalars)


def test_logistic_per_example_is_residual_times_x() -> None:
    model = models.logistic()
    d = gradient(model, "w")
    x = model.variable("x").array
    assert isinstance(d.result, sp.MatMul) and d.result.args[-1] == x
    assert same(_coefficient(d.result), sigmoid(Z) - Y)
    assert [f.input for f in d.steps[-2].factors] == ["yhat", "z", "w"]
    b = gradient(model, "b")
    assert same(b.result, sigmoid(Z) - Y)


def test_logistic_batch_is_xt_residual_over_m() -> None:
    model = models.logistic_batch()
    d = gradient(model, "w")
    X, z, y = (model.variable(n).array for n in ("X", "z", "y"))
    zs, ys = model.variable("z").symbol, model.variable("y").symbol
    assert isinstance(d.result, sp.MatMul) and d.result.args[0] == X.T
    residual = d.result.args[1]
    assert isinstance(residual, Entrywise)
    assert same(residual.template, (sigmoid(zs) - ys) / models.M)
    assert set(residual.arrays) == {z, y}


def _expected_mlp(model: models.Model) -> dict[str, object]:
    X, a1, w2, a2, y = (model.variable(n).array for n in ("X", "a1", "w2", "a2", "y"))
    s = {n: model.variable(n).symbol for n in ("a1", "a2", "y")}
    residual = Entrywise(sigmoid(s["a2"]) - s["y"], (s["a2"], s["y"]), (a2, y))
    delta1 = sp.HadamardProduct(residual * w2.T,
                                Entrywise(sp.Heaviside(s["a1"], 0), (s["a1"],), (a1,)))
    ones = sp.OneMatrix(1, models.M)
    return {"W1": X.T * delta1, "b1": ones * delta1,
            "w2": model.variable("h1").array.T * residual, "b2": ones * residual}


@pytest.mark.parametrize("wrt", ["W1", "b1", "w2", "b2"])
def test_mlp_matches_document_001_entry_by_entry(wrt: str) -> None:
    model = models.mlp()
    d = gradient(model, wrt)
    expected = instantiate(model, _expected_mlp(model)[wrt], model.sizes)
    derived = instantiate(model, d.result, model.sizes)
    assert derived.shape == expected.shape
    assert all(sp.simplify(a - b) == 0 for a, b in zip(derived, expected, strict=True))


def test_a_transposed_result_is_caught_by_instantiation() -> None:
    model = models.mlp()
    d = gradient(model, "w2", check=False)
    outcome = check_gradient(model, "w2", sp.Transpose(d.result).T * 2)
    assert type(outcome).__name__ == "DiffersAtSizes"


def _mlp_numpy(X, W1, b1, w2, b2, y):  # type: ignore[no-untyped-def]
    a1 = X @ W1 + b1
    h1 = np.maximum(a1, 0)
    yhat = 1 / (1 + np.exp(-(h1 @ w2 + b2)))
    return float(-np.sum(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)))


@pytest.mark.parametrize("wrt", ["W1", "b1", "w2", "b2"])
def test_mlp_gradient_against_finite_differences(wrt: str) -> None:
    model = models.mlp()
    d = gradient(model, wrt, check=False)
    rng = np.random.default_rng(7)
    values = {"X": rng.normal(size=(3, 2)), "W1": rng.normal(size=(2, 4)),
              "b1": rng.normal(size=(1, 4)), "w2": rng.normal(size=(4, 1)),
              "b2": float(rng.normal()), "y": rng.integers(0, 2, size=(3, 1)).astype(float)}
    derived = instantiate(model, d.result, model.sizes)
    point = {}
    for name, value in values.items():
        if isinstance(value, float):
            point[model.variable(name).symbol] = value
            continue
        for (i, j), v in np.ndenumerate(value):
            point[sp.Symbol(f"{name}_{i}_{j}", **model.variable(name).symbol.assumptions0)] = v
    analytic = np.array(derived.xreplace(point).evalf(), dtype=float)
    h = 1e-6
    target = values[wrt]
    numeric = np.zeros_like(np.atleast_2d(target), dtype=float)
    for index in np.ndindex(numeric.shape):
        plus, minus = dict(values), dict(values)
        if isinstance(target, float):
            plus[wrt], minus[wrt] = target + h, target - h
        else:
            plus[wrt] = target.copy()
            minus[wrt] = target.copy()
            plus[wrt][index] += h
            minus[wrt][index] -= h
        numeric[index] = (_mlp_numpy(**plus) - _mlp_numpy(**minus)) / (2 * h)
    assert np.allclose(analytic.reshape(numeric.shape), numeric, rtol=1e-5, atol=1e-7)


def test_logistic_against_torch_autograd_where_installed() -> None:
    torch = pytest.importorskip("torch")
    model = models.logistic_batch()
    d = gradient(model, "w", check=False)
    rng = np.random.default_rng(3)
    X, w, b = rng.normal(size=(3, 2)), rng.normal(size=(2, 1)), 0.3
    y = np.array([[1.0], [0.0], [1.0]])
    tw = torch.tensor(w, requires_grad=True)
    z = torch.tensor(X) @ tw + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y))
    loss.backward()
    derived = instantiate(model, d.result, model.sizes)
    point = {model.variable("b").symbol: b}
    for name, value in {"X": X, "w": w, "y": y}.items():
        for (i, j), v in np.ndenumerate(value):
            point[sp.Symbol(f"{name}_{i}_{j}", **model.variable(name).symbol.assumptions0)] = v
    analytic = np.array(derived.xreplace(point).evalf(), dtype=float)
    assert np.allclose(analytic, tw.grad.numpy(), rtol=1e-9)


def test_unknown_variable_and_model_are_named() -> None:
    with pytest.raises(UnknownModelError, match="W3"):
        derive_model(models.mlp(), "W3")
    with pytest.raises(UnknownModelError, match="bce, bce-mean"):
        models.get("nope")


def test_chain_cost_reuses_upstream_factors() -> None:
    d = gradient(models.chain(6), "w1", check=False)
    adjoint_steps = [s for s in d.steps if isinstance(s, ChainStep) and s.rule != "chain"]
    # one edge per definition on the path: two per layer and the loss
    assert len(adjoint_steps) == 2 * 6 + 1


@pytest.mark.parametrize(("model", "wrt"), [("bce", "yhat"), ("bce-mean", "yhat_i"),
                                            ("sigmoid", "z")])
def test_every_line_a_scalar_derivation_writes_holds(model: str, wrt: str) -> None:
    derivation = derive_model(models.get(model), wrt)
    verdicts = [type(line.check).__name__ for line in derivation.lines]
    assert verdicts and set(verdicts) <= {"Proved", "Checked"}, verdicts


def test_a_deep_chain_is_derived_with_named_upstream_gradients() -> None:
    # SymPy's diff of the nested loss recursed past Python's limit from about 60 layers;
    # each line now names its upstream gradient and the result is checked by differences
    from derive.core.outcomes import Checked
    from derive.engine.backprop import gradient

    derivation = gradient(models.chain(64), "w1")
    summary = [s for s in derivation.steps if getattr(s, "rule", "") == "chain"][-1]
    assert isinstance(summary.check, Checked)
    assert summary.check.samples >= 4


def test_a_wrong_gradient_of_a_deep_chain_is_refuted_however_small() -> None:
    # the gradient of the first weight of a deep chain is tiny: a relative comparison only
    from derive.core.outcomes import Checked, Refuted
    from derive.engine.backprop import gradient
    from derive.engine.instantiate import check_gradient

    model = models.chain(30)
    right = [s for s in gradient(model, "w1", check=False).steps
             if getattr(s, "rule", "") == "chain"][-1].result
    assert isinstance(check_gradient(model, "w1", right), Checked)
    assert isinstance(check_gradient(model, "w1", -right), Refuted)
    assert isinstance(check_gradient(model, "w1", right * (1 + sp.Rational(1, 10**9))), Refuted)
