"""derive codegen: generated NumPy modules, their checks, their stability, how they are written."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import derive.emit.codegen as codegen
from derive.core.arrays import Entrywise, entrywise
from derive.core.functions import relu, sigmoid, softplus
from derive.core.outcomes import Proved
from derive.emit.codegen import (
    UnsupportedExpression,
    check_generated,
    codegen_command,
    generate,
    stable_identities,
    write_module,
)
from derive.engine.models import M

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("logistic", "mlp")


@pytest.fixture(scope="module")
def generated() -> dict[str, codegen.Generated]:
    return {name: generate(name) for name in MODELS}


@pytest.fixture(scope="module")
def modules(generated: dict[str, codegen.Generated]) -> dict[str, types.ModuleType]:
    return {name: codegen._load_generated(g.source, name) for name, g in generated.items()}


def _data(name: str, m: int, dtype: Any, seed: int = 0) -> tuple[Any, ...]:
    """Random arguments of a model: (X, y, *parameters)."""
    rng = np.random.default_rng(seed)
    d, h = 5, 7
    X = rng.normal(size=(m, d)).astype(dtype)
    y = (rng.random(m) < 0.5).astype(dtype)
    if name == "logistic":
        return X, y, rng.normal(size=d).astype(dtype), dtype(0.3)
    return (X, y, rng.normal(size=(d, h)).astype(dtype), rng.normal(size=h).astype(dtype),
            rng.normal(size=h).astype(dtype), dtype(-0.2))


# --- generation and the check --------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_generated_module_passes_its_check(generated: dict[str, codegen.Generated],
                                           name: str) -> None:
    report = check_generated(generated[name])
    assert report.ok, report.failure
    assert any("finite differences" in line for line in report.lines)
    assert any("derive.engine.instantiate" in line for line in report.lines)


def test_every_stable_form_is_proved() -> None:
    identities = stable_identities()
    assert {i.number for i in identities} == {1, 2, 3, 4, 5, 6}
    assert all(isinstance(i.outcome, Proved) for i in identities)
    # (5) and (6) hold on both sides of 0: each is proved twice, once per side
    assert sorted(i.case for i in identities if i.number == 5) == ["z = t ≥ 0", "z = −t < 0"]


def test_the_loss_is_rewritten_by_proved_steps(generated: dict[str, codegen.Generated]) -> None:
    rewrites = generated["logistic"].rewrites
    assert [r.rule for r in rewrites][1:] == ["identities (1), (2)", "identities (3), (4)"]
    assert all(isinstance(r.outcome, Proved) for r in rewrites)
    assert "softplus" in str(rewrites[-1].after) and "log" not in str(rewrites[-1].after)


def test_module_text(generated: dict[str, codegen.Generated]) -> None:
    source = generated["logistic"].source
    # the formulas and where they came from, in Unicode
    assert "∂L/∂w = Xᵀ((σ(z) − y)/m)" in source
    assert "∂L/∂z = ∂L/∂ŷ ⊙ ŷ·(1 − ŷ) = (ŷ − y)/m   (elementwise rule; proved)" in source
    assert "(5) softplus(z) = max(z, 0) + log1p(e^(−|z|))" in source
    # the gradient lines are the derivation's matrix formulas; σ and the residual shared
    assert "dL_dz = (yhat - y) / m" in source
    assert "dL_dw = X.T @ dL_dz" in source
    assert "dL_db = dL_dz.sum()" in source
    kernel = source[source.index("def _loss_and_grad_rows"):source.index("def loss(")]
    assert kernel.count("np.exp(") == 1 and "np.logaddexp" not in kernel
    assert kernel.count("yhat = ") == 1 and kernel.count("dL_dz = ") == 1
    mlp = generated["mlp"].source
    assert "dL_da1 = dL_dh1 * (a1 > 0)" in mlp and "dL_dW1 = X.T @ dL_da1" in mlp
    assert "dL_db1 = dL_da1.sum(axis=0)" in mlp and "dL_dw2 = h1.T @ dL_da2" in mlp


@pytest.mark.parametrize("name", MODELS)
def test_numpy_is_the_only_import_and_every_statement_has_its_step(
        generated: dict[str, codegen.Generated], name: str) -> None:
    source = generated[name].source
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    assert imported == {"numpy"}
    assert not any(isinstance(node, ast.ImportFrom) for node in ast.walk(tree))
    lines = source.splitlines()
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and function.name.endswith("_rows"):
            for statement in function.body:
                if isinstance(statement, ast.Assign):
                    above = lines[statement.lineno - 2].strip()
                    shown = lines[statement.lineno - 1]
                    assert above.startswith("#"), f"no step comment above: {shown}"


@pytest.mark.parametrize("name", MODELS)
def test_generated_file_is_ruff_clean(tmp_path: Path, generated: dict[str, codegen.Generated],
                                      name: str) -> None:
    path = tmp_path / f"{name}_grad.py"
    path.write_text(generated[name].source, encoding="utf-8")
    for config in (["--config", str(ROOT / "pyproject.toml")], ["--isolated"]):
        result = subprocess.run([sys.executable, "-m", "ruff", "check", *config, str(path)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_unsupported_node_is_named() -> None:
    printer = codegen._Printer({}, lambda u: "e", set())
    with pytest.raises(UnsupportedExpression, match="Inverse"):
        printer.code(sp.Inverse(sp.MatrixSymbol("A", 3, 3)))
    with pytest.raises(UnsupportedExpression, match="gamma"):
        printer.code(sp.gamma(sp.Symbol("x")))


# --- written files and the command ---------------------------------------------------------

_FRESH = """
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("generated", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
arrays = [np.asarray(a, dtype=np.float64) for a in json.loads(sys.argv[2])]
loss, grads = module.loss_and_grad(*arrays)
print(json.dumps([float(loss), {k: np.asarray(v).tolist() for k, v in grads.items()}]))
"""


@pytest.mark.parametrize("name", MODELS)
def test_written_module_imports_in_a_fresh_interpreter(
        tmp_path: Path, modules: dict[str, types.ModuleType], name: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{name}_grad.py"
    assert codegen_command(name, str(path), check_only=False, force=False) == 0
    assert "wrote" in capsys.readouterr().out
    arguments = _data(name, 6, np.float64)
    encoded = json.dumps([np.asarray(a).tolist() for a in arguments])
    result = subprocess.run([sys.executable, "-c", _FRESH, str(path), encoded],
                            capture_output=True, text=True, check=True)
    loss, grads = json.loads(result.stdout)
    here_loss, here_grads = modules[name].loss_and_grad(*arguments)
    assert loss == pytest.approx(float(here_loss), rel=1e-14)
    for key, value in here_grads.items():
        np.testing.assert_allclose(np.asarray(grads[key]), value, rtol=1e-13, atol=1e-15)


def test_check_only_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mlp_grad.py"
    assert codegen_command("mlp", str(path), check_only=True, force=False) == 0
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert "nothing written" in capsys.readouterr().out


def test_unknown_model_is_unusable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen_command("bce", str(tmp_path / "x.py"), check_only=False, force=False) == 2
    assert "logistic" in capsys.readouterr().err


def test_existing_file_is_kept_without_force(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "logistic_grad.py"
    path.write_text("# mine\n")
    assert codegen_command("logistic", str(path), check_only=False, force=False) == 2
    assert path.read_text() == "# mine\n"
    assert "--force" in capsys.readouterr().err
    assert codegen_command("logistic", str(path), check_only=False, force=True) == 0
    assert path.read_text().startswith('"""NumPy code generated by `derive codegen logistic`')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logistic_grad.py"]


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "module.py"
    write_module("x = 1\n", path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]
    with pytest.raises(FileExistsError):
        write_module("x = 2\n", path)

    def broken(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_module("x = 3\n", path, force=True)
    assert path.read_text() == "x = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]  # no temp file left


def _without_mean(real: Callable[..., Any]) -> Callable[..., Any]:
    """A derivation whose result forgets the 1/m of the mean."""

    def broken(model: Any, wrt: str, **kwargs: Any) -> Any:
        derivation = real(model, wrt, **kwargs)
        nodes = {e: entrywise(sp.expand(e.template * M), e.binding())
                 for e in derivation.result.atoms(Entrywise)}
        return dataclasses.replace(derivation, result=derivation.result.xreplace(nodes))

    return broken


def test_a_wrong_gradient_is_caught_and_nothing_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(codegen, "gradient", _without_mean(codegen.gradient))
    path = tmp_path / "logistic_grad.py"
    assert codegen_command("logistic", str(path), check_only=False, force=False) == 1
    out = capsys.readouterr().out
    assert "check failed" in out and "nothing written" in out
    assert "∂L/∂w[0]" in out and "finite differences" in out
    assert list(tmp_path.iterdir()) == []
    # the symbolic check compares with SymPy's gradient of the model's loss too, so it
    # catches a wrong derivation even though the code follows the derivation faithfully
    broken = generate("logistic")
    module = codegen._load_generated(broken.source, "broken")
    point = codegen._random_point(broken.arguments, dict(broken.model.sizes),
                                  np.random.default_rng(1))
    with pytest.raises(codegen._Failed, match="SymPy's gradient of the explicit loss"):
        codegen._symbolic(module, broken, broken.arguments, [point])


# --- dtypes and shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("m", [7, 3000])
def test_float32_stays_float32(modules: dict[str, types.ModuleType], name: str, m: int) -> None:
    module = modules[name]
    arguments = _data(name, m, np.float32)
    module.__dict__["_BLOCK_BYTES"] = 2**16  # several blocks when m = 3000
    try:
        loss, grads = module.loss_and_grad(*arguments)
    finally:
        module.__dict__["_BLOCK_BYTES"] = 2**23
    assert loss.dtype == np.float32 and isinstance(loss, np.float32)
    for parameter, value in zip(arguments[2:], grads.values(), strict=True):
        assert value.dtype == np.float32
        assert np.shape(value) == np.shape(parameter)
    assert module.loss(*arguments).dtype == np.float32
    assert all(v.dtype == np.float32 for v in module.grad(*arguments).values())
    wide = module.loss_and_grad(*(np.asarray(a, dtype=np.float64) for a in arguments))
    assert float(loss) == pytest.approx(float(wide[0]), rel=1e-4)


def test_blocks_of_rows_add_up(modules: dict[str, types.ModuleType]) -> None:
    for name, module in modules.items():
        arguments = _data(name, 5000, np.float64, seed=3)
        whole = module.loss_and_grad(*arguments)
        module.__dict__["_BLOCK_BYTES"] = 2**15
        try:
            split = module.loss_and_grad(*arguments)
        finally:
            module.__dict__["_BLOCK_BYTES"] = 2**23
        assert float(split[0]) == pytest.approx(float(whole[0]), rel=1e-12)
        for key in whole[1]:
            np.testing.assert_allclose(split[1][key], whole[1][key], rtol=1e-10, atol=1e-12)


def test_bad_shapes_raise_clear_errors(modules: dict[str, types.ModuleType]) -> None:
    module = modules["logistic"]
    X, y, w, b = _data("logistic", 6, np.float64)
    with pytest.raises(ValueError, match=r"w \(the weights\) must have shape \(d,\) = \(5,\); "
                                         r"got shape \(5, 1\)"):
        module.loss(X, y, w[:, None], b)
    with pytest.raises(ValueError, match=r"y .* must have shape \(m,\) = \(6,\); got shape \(5,\)"):
        module.grad(X, y[:5], w, b)
    with pytest.raises(ValueError, match=r"X must have shape \(m, d\)"):
        module.loss(X[0], y, w, b)
    with pytest.raises(ValueError, match=r"b \(the bias\) must have shape a scalar"):
        module.loss(X, y, w, np.array([b]))
    with pytest.raises(ValueError, match="no rows"):
        module.loss(X[:0], y[:0], w, b)
    mlp = modules["mlp"]
    X, y, W1, b1, w2, b2 = _data("mlp", 6, np.float64)
    with pytest.raises(ValueError, match=r"W1 .* must have shape \(d, h\) = \(5, any\)"):
        mlp.loss(X, y, W1.T, b1, w2, b2)
    with pytest.raises(ValueError, match=r"b1 .* must have shape \(h,\) = \(7,\)"):
        mlp.loss(X, y, W1, b1[:3], w2, b2)


def test_mixed_dtypes_raise(modules: dict[str, types.ModuleType]) -> None:
    module = modules["logistic"]
    X, y, w, b = _data("logistic", 6, np.float32)
    with pytest.raises(TypeError, match="w has dtype float64 but X has dtype float32"):
        module.loss(X, y, w.astype(np.float64), b)
    with pytest.raises(TypeError, match="y has dtype float64"):
        module.loss(X, y.astype(np.float64), w, b)
    with pytest.raises(TypeError, match="X must be a float32 or float64 array"):
        module.loss(X.astype(np.int64), y, w, b)
    with pytest.raises(TypeError, match="b has dtype float64"):
        module.loss(X, y, w, np.float64(0.5))
    # Python numbers take X's dtype; integer or bool labels are exact in any float dtype
    loss = module.loss(X, y.astype(bool), w, 0.5)
    assert loss.dtype == np.float32


# --- stability: logits anywhere in [-1e4, 1e4], against a high-precision reference ----------

LOGITS = st.one_of(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    st.sampled_from([800.0, -800.0, 40.0, -40.0, 1e4, -1e4, 0.0, 17.3, -17.3]),
)


def _reference_row(z: Any, y: Any) -> tuple[Any, Any]:
    """ℓ(y, σ(z)) and σ(z) − y in mpmath, from 1 − σ(z) = σ(−z) (no cancellation)."""
    log_sigma = -mpmath.log1p(mpmath.exp(-z))
    log_one_minus = -mpmath.log1p(mpmath.exp(z))
    loss = -(y * log_sigma + (1 - y) * log_one_minus)
    residual = (1 - y) / (1 + mpmath.exp(-z)) - y / (1 + mpmath.exp(z))
    return loss, residual


def test_reference_matches_the_definition_at_extreme_logits() -> None:
    for z in (1e4, -1e4, 800.0, -800.0, 40.0, -40.0, 0.5):
        for y in (0, 1):
            with mpmath.workdps(40 + int(abs(z) * 0.4343)):
                zz = mpmath.mpf(z)
                sigma = 1 / (1 + mpmath.exp(-zz))
                loss = -(y * mpmath.log(sigma) + (1 - y) * mpmath.log(1 - sigma))
                residual = sigma - y
            with mpmath.workdps(40):
                mine = _reference_row(mpmath.mpf(z), y)
                assert mpmath.almosteq(mine[0], loss, rel_eps=mpmath.mpf(10) ** -30)
                assert mpmath.almosteq(mine[1], residual, rel_eps=mpmath.mpf(10) ** -30)


def _close(computed: Any, true: Any, scale: Any, rtol: float, atol: float) -> bool:
    """Within rtol of the true value, or of the size of the terms that make it up (a value
    much smaller than its terms is only known to their rounding), or within atol (tiny)."""
    return bool(abs(float(computed) - float(true)) <= rtol * max(abs(float(true)), float(scale))
                + atol)


def _check_against_reference(module: types.ModuleType, name: str, logits: list[float],
                             labels: list[int], extra: list[float], dtype: Any) -> None:
    m = len(logits)
    z = np.asarray(logits, dtype=dtype)  # the logits exactly as the module sees them
    X = np.stack([z, np.asarray(extra[:m], dtype=dtype)], axis=1)
    y = np.asarray(labels[:m], dtype=dtype)
    if name == "logistic":
        arguments: tuple[Any, ...] = (X, y, np.array([1, 0], dtype), dtype(0))
    else:  # a₁ = [z, −z, 0, 0], h₁ = [relu(z), relu(−z), 0, 0], a₂ = h₁w₂ = z exactly
        W1 = np.array([[1, -1, 0, 0], [0, 0, 0, 0]], dtype)
        arguments = (X, y, W1, np.zeros(4, dtype), np.array([1, -1, 0.5, 0], dtype), dtype(0))
    loss, grads = module.loss_and_grad(*arguments)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    atol = 1e-30 if dtype == np.float32 else 1e-300
    scale = mpmath.mpf(1) / m if name == "logistic" else mpmath.mpf(1)
    with mpmath.workdps(50):
        rows = [_reference_row(mpmath.mpf(float(zi)), int(yi)) for zi, yi in zip(z, y,
                                                                                   strict=True)]
        true_loss = scale * mpmath.fsum(r[0] for r in rows)
        assert _close(loss, true_loss, 0, rtol, atol), (loss, true_loss)
        residuals = [scale * r[1] for r in rows]
        # each residual σ(z) − y is known to a rounding of σ and y: the terms' size
        sizes = [scale * (abs(r[1] + int(yi)) + int(yi)) for r, yi in zip(rows, y, strict=True)]
        x = [[mpmath.mpf(float(v)) for v in row] for row in X]
        if name == "logistic":
            expected = {"w": [mpmath.fsum(x[i][j] * residuals[i] for i in range(m))
                              for j in range(2)], "b": [mpmath.fsum(residuals)]}
            terms = {"w": [mpmath.fsum(abs(x[i][j]) * sizes[i] for i in range(m))
                           for j in range(2)], "b": [mpmath.fsum(sizes)]}
        else:
            mask = [[1, 0, 0, 0] if float(zi) > 0 else [0, 1, 0, 0] if float(zi) < 0 else
                    [0, 0, 0, 0] for zi in z]
            w2 = [1, -1, mpmath.mpf(0.5), 0]
            hidden = [[max(float(zi), 0.0), max(-float(zi), 0.0), 0.0, 0.0] for zi in z]
            expected = {
                "W1": [mpmath.fsum(x[i][j] * residuals[i] * w2[k] * mask[i][k]
                                   for i in range(m)) for j in range(2) for k in range(4)],
                "b1": [mpmath.fsum(residuals[i] * w2[k] * mask[i][k] for i in range(m))
                       for k in range(4)],
                "w2": [mpmath.fsum(hidden[i][k] * residuals[i] for i in range(m))
                       for k in range(4)],
                "b2": [mpmath.fsum(residuals)],
            }
            terms = {
                "W1": [mpmath.fsum(abs(x[i][j] * w2[k]) * sizes[i] * mask[i][k]
                                   for i in range(m)) for j in range(2) for k in range(4)],
                "b1": [mpmath.fsum(abs(w2[k]) * sizes[i] * mask[i][k] for i in range(m))
                       for k in range(4)],
                "w2": [mpmath.fsum(hidden[i][k] * sizes[i] for i in range(m))
                       for k in range(4)],
                "b2": [mpmath.fsum(sizes)],
            }
        for key, values in expected.items():
            got = np.asarray(grads[key]).reshape(-1)
            for index, (value, term) in enumerate(zip(values, terms[key], strict=True)):
                assert _close(got[index], value, term, rtol, atol), (key, index, got, values)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=100, deadline=None)
@given(logits=st.lists(LOGITS, min_size=1, max_size=6),
       labels=st.lists(st.integers(0, 1), min_size=6, max_size=6),
       extra=st.lists(st.floats(-3, 3), min_size=6, max_size=6),
       wide=st.booleans())
def test_stable_at_any_logit(modules: dict[str, types.ModuleType], name: str,
                             logits: list[float], labels: list[int], extra: list[float],
                             wide: bool) -> None:
    dtype = np.float64 if wide else np.float32
    _check_against_reference(modules[name], name, logits, labels, extra, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", MODELS)
def test_stable_at_the_named_logits(modules: dict[str, types.ModuleType], name: str,
                                    dtype: Any) -> None:
    logits = [1e4, -1e4, 800.0, -800.0, 40.0, -40.0]
    for labels in ([0] * 6, [1] * 6, [0, 1, 0, 1, 0, 1], [1, 0, 1, 0, 1, 0]):
        _check_against_reference(modules[name], name, logits, labels, [0.5] * 6, dtype)


# --- against PyTorch ---------------------------------------------------------------------------


def test_against_torch_autograd(modules: dict[str, types.ModuleType]) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
    module = modules["logistic"]
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 6)) * 3
    y = (rng.random(200) < 0.5).astype(np.float64)
    for w in (rng.normal(size=6), rng.normal(size=6) * 200):  # moderate and extreme logits
        b = 0.25
        loss, grads = module.loss_and_grad(X, y, w, b)
        wt = torch.tensor(w, requires_grad=True)
        bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        logits = torch.tensor(X) @ wt + bt
        expected = torch.nn.BCEWithLogitsLoss()(logits, torch.tensor(y))
        expected.backward()
        assert float(loss) == pytest.approx(expected.item(), rel=1e-12)
        assert wt.grad is not None and bt.grad is not None
        np.testing.assert_allclose(grads["w"], wt.grad.numpy(), rtol=1e-10, atol=1e-14)
        assert float(grads["b"]) == pytest.approx(bt.grad.item(), rel=1e-10, abs=1e-14)


def test_scalar_printer_computes_what_it_prints() -> None:
    z, y, m = sp.Symbol("z", real=True), sp.Symbol("y", real=True), sp.Symbol("m", positive=True)
    u = sp.Symbol("u", real=True)
    cases = [
        (sigmoid(z) - y) / m, 2.5 * z - 3 * y / 7, -(z + y) ** 2, sp.log(1 + z**2),
        sp.Max(z, 0) - sp.Min(y, 1), sp.sqrt(z**2 + 1), sp.exp(-z) / (1 + sp.exp(-z)),
        softplus(z) - y * z, 1 - softplus(z), -softplus(-z) * y, sp.Abs(z) / (m * (1 + y)),
        relu(z) * sp.Heaviside(z, 0), sp.Heaviside(u, 1) + sp.Heaviside(u, sp.S.Half),
    ]
    printer = codegen._Printer({z: "z", y: "y", m: "m", u: "u"},
                               lambda a: "e_z" if a == z else "e_other", set())
    body = "\n".join(f"        {printer.code(c).text}," for c in cases)
    source = ("import numpy as np\n\n\ndef values(z, y, m, u, e_z, e_other):\n"
              f"    return [\n{body}\n    ]\n")
    module = codegen._load_generated(source, "printed")
    rng = np.random.default_rng(2)
    values = {z: rng.normal(size=50) * 5, y: rng.random(50), m: 7.0,
              u: np.repeat([-1.0, 0.0, 1.0], [20, 10, 20])}
    e = {"e_z": np.exp(-np.abs(values[z])), "e_other": np.exp(-np.abs(-values[z]))}
    printed = module.values(values[z], values[y], values[m], values[u], **e)
    for case, got in zip(cases, printed, strict=True):
        plain = case.replace(sigmoid, lambda a: 1 / (1 + sp.exp(-a))).replace(
            softplus, lambda a: sp.log(1 + sp.exp(a))).replace(
            relu, lambda a: sp.Max(a, 0)).replace(
            sp.Heaviside, lambda a, h0=sp.S.Half: sp.Piecewise((0, a < 0), (h0, sp.Eq(a, 0)),
                                                              (1, True)))
        function = sp.lambdify([z, y, m, u], plain, modules="numpy")
        expected = np.broadcast_to(function(values[z], values[y], values[m], values[u]), (50,))
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=str(case))


def test_printer_prints_cases_and_their_conditions() -> None:
    """{uᵢ if cᵢ} is np.where, first case first; & and | with every operand in brackets; no
    case holding is nan; the log of a number is a Python float (float32 stays float32)."""
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    cases = [
        sp.Piecewise((z**2 / 2, sp.Abs(z - y) <= 1), (sp.Abs(z - y) - sp.S.Half, True)),
        sp.Piecewise((z, (z > 0) & (y < 1)), (y, (z < -1) | sp.Not(y > 0, evaluate=False)),
                     (0, True)),
        sp.Piecewise((z, z > 0)),
        z - sp.log(2),
    ]
    printer = codegen._Printer({z: "z", y: "y"}, lambda a: "e", set())
    printed = [printer.code(c).text for c in cases]
    assert printed[1] == "np.where((z > 0) & (y < 1), z, np.where((z < -1) | (~(y > 0)), y, 0))", (
        printed[1])
    assert printed[3] == "z - 0.6931471805599453"
    source = "import numpy as np\n\n\ndef values(z, y):\n    return [\n" + "".join(
        f"        {p},\n" for p in printed) + "    ]\n"
    module = codegen._load_generated(source, "cases")
    zs = np.array([-3.0, -0.5, 0.0, 0.4, 2.0])
    ys = np.array([0.5, -1.0, 2.0, 0.4, 0.5])
    got = module.values(zs, ys)
    for case, values in zip(cases, got, strict=True):
        expected = [complex(case.subs({z: a, y: b})) for a, b in zip(zs, ys, strict=True)]
        expected = [e.real if e == e else np.nan for e in expected]  # nan: no case holds
        np.testing.assert_allclose(np.broadcast_to(values, zs.shape), expected, rtol=1e-15)
    assert module.values(np.float32(1), np.float32(0))[3].dtype == np.float32
