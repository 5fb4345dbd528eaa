"""Model files: a user's own model read from TOML, derived, and generated as verified code."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import derive.emit.codegen as codegen
from derive.api import steps
from derive.core.errors import ProofFileError, SourceError
from derive.core.functions import relu, sigmoid
from derive.engine.modelfile import read_model_file
from derive.engine.models import BatchLossDef, LinearDef, MapDef

ROOT = Path(__file__).resolve().parent.parent
TWO_LAYER = ROOT / "docs" / "models" / "two_layer.toml"

REGRESSION = r"""
[model]
title = "A tanh layer and a linear output, half the mean squared error"

[symbols]
X = { shape = ["n", "p"] }
t = { shape = ["n", "1"], note = "the targets" }
V = { shape = ["p", "q"] }
c = { shape = ["1", "q"] }
u = { shape = ["q", "1"] }
c_0 = {}

[definitions]
s = 'X V + c'
g = '\tanh(s)'
r = { latex = 'g u + c_0', note = "the prediction" }
E = '\frac{1}{2n}\sum_{j=1}^{n} (r_j - t_j)^2'
"""


def _module(model: Any) -> tuple[codegen.Generated, types.ModuleType]:
    generated = codegen.generate(model)
    report = codegen.check_generated(generated)
    assert report.ok, report.failure
    return generated, codegen._load_generated(generated.source, "user_model")


@pytest.fixture(scope="module")
def two_layer() -> tuple[codegen.Generated, types.ModuleType]:
    return _module(read_model_file(str(TWO_LAYER)))


@pytest.fixture(scope="module")
def regression() -> tuple[codegen.Generated, types.ModuleType]:
    return _module(read_model_file("regression.toml", REGRESSION))


def _two_layer_data(m: int, dtype: Any, scale: float = 1.0, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    d, h, k = 4, 6, 3
    return {
        "X": rng.normal(size=(m, d)).astype(dtype), "y": (rng.random(m) < 0.5).astype(dtype),
        "W_1": rng.normal(size=(d, h)).astype(dtype), "b_1": rng.normal(size=h).astype(dtype),
        "W_2": rng.normal(size=(h, k)).astype(dtype), "b_2": rng.normal(size=k).astype(dtype),
        "w_3": (scale * rng.normal(size=k)).astype(dtype), "b_3": dtype(0.1),
    }


def _two_layer_reference(values: dict[str, Any]) -> tuple[float, dict[str, np.ndarray]]:
    """The loss and gradient by hand-written backprop in float64 (an independent route)."""
    v = {k: np.asarray(a, np.float64) for k, a in values.items()}
    X, y = v["X"], v["y"]
    m = X.shape[0]
    a1 = X @ v["W_1"] + v["b_1"]
    h1 = np.tanh(a1)
    a2 = h1 @ v["W_2"] + v["b_2"]
    h2 = np.maximum(a2, 0)
    z = h2 @ v["w_3"] + v["b_3"]
    loss = np.mean(np.logaddexp(0, z) - y * z)
    dz = (0.5 * (1 + np.tanh(z / 2)) - y) / m
    dh2 = np.outer(dz, v["w_3"])
    da2 = dh2 * (a2 > 0)
    dh1 = da2 @ v["W_2"].T
    da1 = dh1 * (1 - h1**2)
    grads = {"W_1": X.T @ da1, "b_1": da1.sum(0), "W_2": h1.T @ da2, "b_2": da2.sum(0),
             "w_3": h2.T @ dz, "b_3": dz.sum()}
    return float(loss), grads


# --- reading --------------------------------------------------------------------------------


def test_two_layer_file_reads_as_layer_records() -> None:
    model = read_model_file(str(TWO_LAYER))
    kinds = [type(d) for d in model.definitions]
    assert kinds == [LinearDef, MapDef, LinearDef, MapDef, LinearDef, MapDef, BatchLossDef]
    assert model.parameters == ("W_1", "b_1", "W_2", "b_2", "w_3", "b_3")
    roles = {v.name: v.role for v in model.variables}
    assert roles["X"] == roles["y"] == "data"
    assert roles["L"] == "output" and roles["a_1"] == "intermediate"
    assert model.definitions[1] == MapDef("h_1", "a_1", sp.tanh(model.variable("a_1").symbol))
    assert model.definitions[3].template == relu(model.variable("a_2").symbol)
    assert model.definitions[5].template == sigmoid(model.variable("z").symbol)
    loss = model.definitions[-1]
    assert isinstance(loss, BatchLossDef) and loss.arguments == ("y", "yhat")
    assert model.variable("yhat").array is not None
    assert model.variable("yhat").array.shape == (sp.Symbol("m", integer=True, positive=True), 1)
    assert sorted(model.sizes.values()) == [2, 3, 4, 5]  # pairwise distinct for the checks


def test_data_and_parameters_follow_the_batch_or_the_file() -> None:
    model = read_model_file("regression.toml", REGRESSION)
    assert [v.name for v in model.variables if v.role == "data"] == ["X", "t"]
    assert model.parameters == ("V", "c", "u", "c_0")
    chosen = REGRESSION.replace('title = "', 'parameters = ["u"]\ntitle = "')
    assert read_model_file("regression.toml", chosen).parameters == ("u",)


@pytest.mark.parametrize("change, message", [
    (("[definitions]", "[definition]"), "unknown section [definition]"),
    (("'X V + c'", r"'X \odot V'"), "cannot use s = X \\odot V in a model"),
    (("'X V + c'", "'X V + c + c'"), "one product of two arrays plus one bias"),
    (("'X V + c'", "'V X + c'"), "the product V X does not conform: p×q times n×p"),
    (("'g u + c_0'", "'g u + c'"), "must be a 1×1 row"),
    (("'\\tanh(s)'", "'\\tanh(c_0 s)'"), "also uses c_0"),
    (("\\sum_{j=1}^{n}", "\\sum_{j=1}^{p}"), "the loss sums over the n examples"),
    (("\\sum_{j=1}^{n} (", "\\sum_{j=1}^{n} c_0 ("), "it also uses c_0"),
    (("E = '", "E = 'c_0 + "), "one sum over the examples times a constant"),
    (("c_0 = {}", 'c_0 = {}\nr = { shape = ["n", "q"] }'),
     "r is declared n×q but its definition makes it n×1"),
])
def test_unusable_definitions_are_refused_with_their_place(change: tuple[str, str],
                                                            message: str) -> None:
    text = REGRESSION.replace(*change)
    assert text != REGRESSION
    with pytest.raises(SourceError) as caught:
        read_model_file("regression.toml", text)
    assert message in caught.value.message
    shown = str(caught.value)
    assert shown.startswith("regression.toml:")
    line = int(shown.split(":")[1])
    assert 1 <= line <= text.count("\n")


def test_a_reading_error_points_into_the_file() -> None:
    text = REGRESSION.replace("'X V + c'", "'X V + '")
    with pytest.raises(SourceError) as caught:
        read_model_file("regression.toml", text)
    lines = text.splitlines()
    error = caught.value
    assert "s = 'X V + '" in lines[error.line - 1]
    assert error.column > lines[error.line - 1].index("'")


@pytest.mark.parametrize("written, expected", [
    (r"\frac{1}{1+e^{-s}}", lambda e: 1 / (1 + sp.exp(-e))),
    (r"\log(1 + e^{s})", lambda e: sp.log(1 + sp.exp(e))),
    (r"s^2 - 2s", lambda e: e**2 - 2 * e),
    (r"\operatorname{relu}(s) + \tanh(s) \odot s", lambda e: relu(e) + sp.tanh(e) * e),
])
def test_an_activation_may_be_any_formula_of_one_arrays_entries(written: str,
                                                                 expected: Any) -> None:
    model = read_model_file("regression.toml", REGRESSION.replace("\\tanh(s)", written))
    activation = model.definitions[1]
    assert isinstance(activation, MapDef) and activation.argument == "s"
    assert sp.simplify(activation.template - expected(model.variable("s").symbol)) == 0


def test_an_intermediate_may_be_declared_as_proof_files_do() -> None:
    text = REGRESSION.replace("c_0 = {}", 'c_0 = {}\nr = { shape = ["n", "1"] }')
    model = read_model_file("regression.toml", text)
    assert model.variable("r").role == "intermediate"
    assert model.parameters == ("V", "c", "u", "c_0")


def test_the_loss_must_come_last() -> None:
    text = REGRESSION.replace('title = "', 'output = "r"\ntitle = "')
    with pytest.raises(ProofFileError, match="must be the last definition"):
        read_model_file("regression.toml", text)


# --- derivations and generated code ---------------------------------------------------------


def test_steps_of_a_model_file_are_all_verified() -> None:
    derivation = steps(str(TWO_LAYER), "W_1")
    assert not derivation.unverified()
    assert "W_1" in str(derivation.wrt)


def test_two_layer_module_matches_hand_backprop(
        two_layer: tuple[codegen.Generated, types.ModuleType]) -> None:
    _, module = two_layer
    values = _two_layer_data(50, np.float64)
    loss, grads = module.loss_and_grad(**values)
    expected_loss, expected = _two_layer_reference(values)
    assert float(loss) == pytest.approx(expected_loss, rel=1e-12)
    for name, value in expected.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_two_layer_module_is_stable_at_extreme_logits(
        two_layer: tuple[codegen.Generated, types.ModuleType], dtype: Any) -> None:
    _, module = two_layer
    values = _two_layer_data(40, dtype, scale=1e4, seed=3)
    loss, grads = module.loss_and_grad(**values)
    assert np.isfinite(loss) and loss.dtype == dtype
    expected_loss, expected = _two_layer_reference(values)
    assert float(loss) == pytest.approx(expected_loss, rel=1e-5)
    for name, value in expected.items():
        assert grads[name].dtype == dtype
        assert np.all(np.isfinite(grads[name]))
        scale = max(float(np.max(np.abs(value))), 1e-30)
        assert float(np.max(np.abs(grads[name] - value))) <= 1e-4 * scale


def test_two_layer_module_against_torch_autograd(
        two_layer: tuple[codegen.Generated, types.ModuleType]) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
    _, module = two_layer
    values = _two_layer_data(64, np.float64, seed=7)
    loss, grads = module.loss_and_grad(**values)
    tensors = {k: torch.tensor(np.asarray(v), requires_grad=k not in ("X", "y"))
               for k, v in values.items()}
    t = tensors
    h1 = torch.tanh(t["X"] @ t["W_1"] + t["b_1"])
    h2 = torch.relu(h1 @ t["W_2"] + t["b_2"])
    expected = torch.nn.BCEWithLogitsLoss()(h2 @ t["w_3"] + t["b_3"], t["y"])
    expected.backward()
    assert float(loss) == pytest.approx(expected.item(), rel=1e-12)
    for name in module_parameters(module, values):
        gradient = t[name].grad
        assert gradient is not None
        np.testing.assert_allclose(grads[name], gradient.numpy(), rtol=1e-10, atol=1e-14)


def module_parameters(module: types.ModuleType, values: dict[str, Any]) -> list[str]:
    return list(module.grad(**values))


def test_regression_module_by_finite_differences(
        regression: tuple[codegen.Generated, types.ModuleType]) -> None:
    generated, module = regression
    assert "np.tanh" in generated.source and "log" not in generated.source.split('"""')[-1]
    # the squared error is computed as written: expanding it would cancel catastrophically
    assert not generated.rewrites and "BCE" not in generated.source
    assert "ell = (r - t) ** 2" in generated.source
    rng = np.random.default_rng(1)
    n, p, q = 30, 3, 4
    values = {"X": rng.normal(size=(n, p)), "t": rng.normal(size=n),
              "V": rng.normal(size=(p, q)), "c": rng.normal(size=q), "u": rng.normal(size=q),
              "c_0": 0.2}
    loss, grads = module.loss_and_grad(**values)
    r = np.tanh(values["X"] @ values["V"] + values["c"]) @ values["u"] + values["c_0"]
    assert float(loss) == pytest.approx(0.5 * np.mean((r - values["t"]) ** 2), rel=1e-12)
    for name in ("V", "c", "u"):
        array = np.array(values[name], dtype=np.float64)
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            step = np.zeros_like(array)
            step[index] = 1e-6
            up = module.loss(**{**values, name: array + step})
            down = module.loss(**{**values, name: array - step})
            numeric[index] = (up - down) / 2e-6
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)


# --- the command line -----------------------------------------------------------------------


def _derive(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_codegen_command_writes_a_checked_module_for_a_model_file(tmp_path: Path) -> None:
    (tmp_path / "regression.toml").write_text(REGRESSION, encoding="utf-8")
    result = _derive("codegen", "regression.toml", "-o", "regression_grad.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "finite differences" in result.stdout and "wrote" in result.stdout
    source = (tmp_path / "regression_grad.py").read_text(encoding="utf-8")
    assert "`derive codegen regression.toml`" in source
    assert "def loss_and_grad(X, t, V, c, u, c_0):" in source


def test_codegen_command_refuses_an_unusable_model_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(REGRESSION.replace("'X V + c'", r"'X \odot V'"),
                                       encoding="utf-8")
    result = _derive("codegen", "bad.toml", "-o", "bad_grad.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("derive: bad.toml:")
    assert "expected:" in result.stderr and "a layer" in result.stderr
    assert not (tmp_path / "bad_grad.py").exists()
    missing = _derive("codegen", "missing.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "missing.toml" in missing.stderr


PENALISED = r"""
[model]
title = "One tanh layer, logistic output, mean BCE and weight decay"

[symbols]
X = { shape = ["m", "d"] }
y = { shape = ["m", "1"], domain = "{0,1}" }
W = { shape = ["d", "h"] }
c = { shape = ["1", "h"] }
v = { shape = ["h", "1"] }
c_0 = {}
lambda = { domain = "positive" }

[definitions]
a = 'X W + c'
g = '\tanh(a)'
z = 'g v + c_0'
"\\hat{y}" = '\sigma(z)'
L = '-\frac{1}{m}\sum_{i=1}^{m} (y_i \log \hat{y}_i + (1-y_i)\log(1 - \hat{y}_i))PENALTIES'
""".replace("PENALTIES", r"+ \frac{\lambda}{2}\|W\|_F^2 + \frac{\lambda}{2}\|v\|^2")


def test_a_weight_penalty_is_read_with_its_hyperparameter() -> None:
    model = read_model_file("penalised.toml", PENALISED)
    loss = model.definitions[-1]
    assert isinstance(loss, BatchLossDef)
    lam = model.variable("lambda").symbol
    assert loss.penalties == ((lam / 2, "W"), (lam / 2, "v"))
    assert model.variable("lambda").role == "data"
    assert model.parameters == ("W", "c", "v", "c_0")
    with pytest.raises(SourceError, match="a weight penalty is on a parameter"):
        read_model_file("penalised.toml", PENALISED.replace(r"\|v\|^2", r"\|z\|^2"))


def test_a_penalised_module_matches_hand_backprop() -> None:
    generated, module = _module(read_model_file("penalised.toml", PENALISED))
    assert not generated.blocked  # the penalty is added once, not once per block of rows
    rng = np.random.default_rng(4)
    m, d, h, lam = 40, 3, 5, 0.3
    X, y = rng.normal(size=(m, d)), (rng.random(m) < 0.5).astype(float)
    W, c, v, c_0 = rng.normal(size=(d, h)), rng.normal(size=h), rng.normal(size=h), 0.1
    loss, grads = module.loss_and_grad(X, y, lam, W, c, v, c_0)
    g = np.tanh(X @ W + c)
    z = g @ v + c_0
    expected = np.mean(np.logaddexp(0, z) - y * z) + lam / 2 * (np.sum(W**2) + np.sum(v**2))
    assert float(loss) == pytest.approx(expected, rel=1e-12)
    dz = (1 / (1 + np.exp(-z)) - y) / m
    da = np.outer(dz, v) * (1 - g**2)
    np.testing.assert_allclose(grads["W"], X.T @ da + lam * W, rtol=1e-10)
    np.testing.assert_allclose(grads["v"], g.T @ dz + lam * v, rtol=1e-10)
    np.testing.assert_allclose(grads["c"], da.sum(0), rtol=1e-10)


def test_steps_of_a_penalised_model_say_how_the_parts_add() -> None:
    from derive.emit.render import render

    derivation = steps(read_model_file("penalised.toml", PENALISED), "v")
    assert not derivation.unverified()
    shown = render(derivation, "text")
    assert "weight penalty" in shown and "(the parts above) + " in shown
    assert "the sum over every path above" in shown
    assert render(derivation, "json")



def test_an_error_in_a_definition_under_a_quoted_latex_key_points_at_its_line() -> None:
    text = TWO_LAYER.read_text(encoding="utf-8").replace(r"'\sigma(z)'", r"'\sigma(z'")
    with pytest.raises(SourceError) as caught:
        read_model_file("two_layer.toml", text)
    line = text.splitlines()[caught.value.line - 1]
    assert line.startswith('"\\\\hat{y}" = ')
    assert caught.value.column > line.index("'")
