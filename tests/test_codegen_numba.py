"""derive codegen --backend numba: the fused module, its check, its refusals, its cache."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("numba")

import derive.emit.codegen_numba as codegen_numba
from derive.cli import main
from derive.emit.codegen import (
    UnsupportedByBackend,
    _load_generated,
    generate,
    write_module,
)

ROOT = Path(__file__).resolve().parent.parent


def _import(path: Path, name: str) -> types.ModuleType:
    """A written module, imported as a user would (not registered in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def logistic() -> Any:
    return generate("logistic")


@pytest.fixture(scope="module")
def fused(logistic: Any, tmp_path_factory: pytest.TempPathFactory) -> types.ModuleType:
    """The numba module of the logistic regression, written to a folder and imported."""
    generated = codegen_numba.with_numba_source(logistic)
    path = tmp_path_factory.mktemp("fused") / "logistic_numba.py"
    write_module(generated.source, path)
    return _import(path, "logistic_numba")


@pytest.fixture(scope="module")
def reference(logistic: Any) -> types.ModuleType:
    """The NumPy module of the same model."""
    return _load_generated(logistic.source, "logistic_numpy")


def _data(m: int, d: int, dtype: Any, seed: int = 0) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d)).astype(dtype)
    y = (rng.random(m) < 0.5).astype(dtype)
    return X, y, (rng.normal(size=d) / np.sqrt(d)).astype(dtype), dtype(0.3)


def _extreme(dtype: Any) -> tuple[Any, ...]:
    """A batch whose logits include ±800 and ±40, with both labels at each."""
    X, y, _, _ = _data(64, 5, dtype, seed=3)
    w = np.array([1.0, 0.0, 0.0, 0.0, 0.0], dtype)
    X[:8, 0] = np.array([800, -800, 800, -800, 40, -40, 17.3, -17.3], dtype)
    y[:8] = np.array([0, 1, 1, 0, 0, 1, 1, 0], dtype)
    return X, y, w, dtype(0.0)


def test_the_fused_module_passes_the_check_the_numpy_module_passes(logistic: Any) -> None:
    generated = codegen_numba.with_numba_source(logistic)
    report = codegen_numba.check_numba(generated)
    assert report.ok, report.failure
    assert any("finite differences" in line for line in report.lines)
    assert any("blocks of rows" in line for line in report.lines)
    assert any("symbolic gradient" in line for line in report.lines)


def test_the_source_is_one_commented_pass(logistic: Any) -> None:
    source = codegen_numba.numba_source(logistic)
    assert "@njit(cache=_CACHE, fastmath=False, parallel=True)" in source
    assert "for block in prange(blocks):" in source
    kernel = source[source.index("def _loss_and_grad_rows"):source.index("def _row_dot")]
    assert kernel.count("math.exp(") == 1  # one exp per example, shared by σ and softplus
    assert "math.log1p(e_z)" in kernel and "(1.0 if z >= 0 else e_z) / (1.0 + e_z)" in kernel
    assert "# ∂L/∂w = Xᵀ ∂L/∂z" in kernel and "(matmul right rule; proved)" in kernel
    assert "eval(" not in source and "exec(" not in source


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_agrees_with_the_numpy_module(fused: types.ModuleType, reference: types.ModuleType,
                                      dtype: Any) -> None:
    tolerance = 2e-5 if dtype == np.float32 else 1e-12
    for arguments in (_data(3000, 37, dtype), _extreme(dtype)):
        loss, grads = fused.loss_and_grad(*arguments)
        expected_loss, expected = reference.loss_and_grad(*arguments)
        assert isinstance(loss, dtype) and np.isfinite(loss)
        assert loss == pytest.approx(expected_loss, rel=tolerance)
        assert fused.loss(*arguments) == pytest.approx(expected_loss, rel=tolerance)
        alone = fused.grad(*arguments)
        for name, value in expected.items():
            assert grads[name].dtype == dtype and grads[name].shape == np.shape(value)
            assert np.all(np.isfinite(grads[name]))
            scale = max(float(np.max(np.abs(value))), 1e-30)
            assert np.max(np.abs(grads[name] - value)) <= tolerance * scale
            np.testing.assert_array_equal(alone[name], grads[name])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_are_finite_and_right(fused: types.ModuleType, dtype: Any) -> None:
    z = np.array([800.0, -800.0, 40.0, -40.0])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    X = np.zeros((4, 2), dtype)
    X[:, 0] = z
    w, b = np.array([1.0, 0.0], dtype), dtype(0.0)
    loss, grads = fused.loss_and_grad(X, y.astype(dtype), w, b)
    # softplus(800) − 0 = 800, softplus(−800) + 800 = 800, and e^−40 for the right ones
    expected = (800.0 + 800.0 + np.log1p(np.exp(-40.0)) * 2) / 4
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    tiny = np.exp(-40.0) / (1 + np.exp(-40.0))
    residual = np.array([1.0, -1.0, -tiny, tiny])  # σ(z) − y
    assert float(grads["b"]) == pytest.approx(residual.sum() / 4, rel=1e-6)
    np.testing.assert_allclose(grads["w"], [(z * residual).sum() / 4, 0.0], rtol=1e-6)


def test_finite_differences_of_the_written_module(fused: types.ModuleType) -> None:
    X, y, w, b = _data(50, 4, np.float64, seed=7)
    grads = fused.grad(X, y, w, b)
    step = 1e-6
    for j in range(4):
        up, down = w.copy(), w.copy()
        up[j] += step
        down[j] -= step
        estimate = (fused.loss(X, y, up, b) - fused.loss(X, y, down, b)) / (2 * step)
        assert grads["w"][j] == pytest.approx(estimate, rel=1e-6, abs=1e-9)
    estimate = (fused.loss(X, y, w, b + step) - fused.loss(X, y, w, b - step)) / (2 * step)
    assert grads["b"] == pytest.approx(estimate, rel=1e-6, abs=1e-9)


def test_blocks_of_rows_give_the_same_sums(fused: types.ModuleType) -> None:
    X, y, w, b = _data(5000, 9, np.float64, seed=2)
    whole = fused.loss_and_grad(X, y, w, b)
    fused.__dict__.update(_MIN_BLOCK_ROWS=7, _BLOCK_BYTES=1)
    try:
        split = fused.loss_and_grad(X, y, w, b)
    finally:
        fused.__dict__.update(_MIN_BLOCK_ROWS=1024, _BLOCK_BYTES=2**23)
    assert split[0] == pytest.approx(whole[0], rel=1e-12)
    np.testing.assert_allclose(split[1]["w"], whole[1]["w"], rtol=1e-10, atol=1e-15)


def test_argument_checks_are_the_numpy_modules(fused: types.ModuleType) -> None:
    X, y, w, b = _data(10, 5, np.float32)
    with pytest.raises(ValueError, match=r"w \(the weights\) must have shape \(d,\) = \(5,\)"):
        fused.loss(X, y, w[:, None], b)
    with pytest.raises(TypeError, match="w has dtype float64 but X has dtype float32"):
        fused.loss(X, y, w.astype(np.float64), b)
    labels = y.astype(bool)
    assert fused.loss(X, labels, w, 0.5) == pytest.approx(fused.loss(X, y, w, np.float32(0.5)))
    strided = np.asfortranarray(X)
    assert fused.loss(strided, y, w, b) == pytest.approx(fused.loss(X, y, w, b), rel=1e-6)


def test_a_model_with_a_vector_per_example_is_refused_with_the_reason() -> None:
    with pytest.raises(UnsupportedByBackend, match="vector of h numbers per example"):
        codegen_numba.numba_source(generate("mlp"))


def test_a_model_file_of_scalars_per_example_is_fused(tmp_path: Path) -> None:
    model = tmp_path / "tanh_squared.toml"
    model.write_text(
        "[model]\ntitle = \"tanh output, mean squared error\"\n\n[symbols]\n"
        "X = { shape = [\"m\", \"d\"] }\ny = { shape = [\"m\", \"1\"] }\n"
        "w = { shape = [\"d\", \"1\"] }\nb = {}\n\n[definitions]\nz = 'X w + b'\n"
        "p = '\\tanh(z)'\nL = '\\frac{1}{m}\\sum_{i=1}^{m} (p_i - y_i)^2'\n",
        encoding="utf-8")
    assert main(["codegen", str(model), "--backend", "numba", "--check-only"]) == 0


def test_cli_writes_the_fused_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "logistic_numba.py"
    assert main(["codegen", "logistic", "--backend", "numba", "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert "backend: numba" in out and "wrote" in out
    assert "from numba import njit, prange" in target.read_text(encoding="utf-8")
    assert main(["codegen", "logistic", "--backend", "numba", "-o", str(target)]) == 2
    assert "--force" in capsys.readouterr().err


def test_cli_refuses_mlp_and_writes_nothing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mlp_numba.py"
    assert main(["codegen", "mlp", "--backend", "numba", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "numba backend" in err and "nothing written" in err and len(err.splitlines()) == 1
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_cli_without_numba_says_how_to_install_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codegen_numba, "numba_available", lambda: False)
    target = tmp_path / "logistic_numba.py"
    assert main(["codegen", "logistic", "--backend", "numba", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "pip install numba" in err and len(err.splitlines()) == 1
    assert not target.exists()


def test_cli_backend_numba_does_not_take_expr(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["codegen", "--expr", "x^2", "--wrt", "x", "--backend", "numba"])
    assert exit_.value.code == 2
    assert "--backend numba" in capsys.readouterr().err


def test_a_wrong_gradient_fails_the_check_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    original = codegen_numba.numba_source

    def doubled(generated: Any, **options: Any) -> str:
        source = original(generated, **options)
        wrong = source.replace("dL_dz = (yhat - y[i]) / m", "dL_dz = 2 * (yhat - y[i]) / m")
        assert wrong != source
        return wrong

    monkeypatch.setattr(codegen_numba, "numba_source", doubled)
    target = tmp_path / "logistic_numba.py"
    assert main(["codegen", "logistic", "--backend", "numba", "-o", str(target)]) == 1
    out = capsys.readouterr().out
    assert "✗ check failed" in out and "nothing written" in out
    assert list(tmp_path.iterdir()) == []


_CALL = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("logistic_numba", sys.argv[1])
module = importlib.util.module_from_spec(spec)
if sys.argv[2] == "by name":
    sys.modules["logistic_numba"] = module
spec.loader.exec_module(module)
rng = np.random.default_rng(0)
X = rng.normal(size=(200, 3))
module.loss_and_grad(X, (X[:, 0] > 0) * 1.0, np.ones(3), 0.1)
stats = module._loss_and_grad_rows.stats
print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""


def _twice(path: Path, how: str) -> list[tuple[int, ...]]:
    """(cache hits, cache misses) of the fused kernel in two fresh processes."""
    environment = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    runs = [subprocess.run([sys.executable, "-c", _CALL, str(path), how], capture_output=True,
                           text=True, check=False, env=environment, timeout=600)
            for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], [run.stderr[-2000:] for run in runs]
    return [tuple(int(n) for n in run.stdout.split()) for run in runs]


def test_compiled_once_then_loaded_from_the_cache(logistic: Any, tmp_path: Path) -> None:
    source = codegen_numba.numba_source(logistic)
    path = write_module(source, tmp_path / "logistic_numba.py")
    first, second = _twice(path, "by name")
    assert first == (0, 1)  # compiled, and saved beside the module
    cached = list((tmp_path / "__pycache__").glob("logistic_numba._loss_and_grad_rows-*.nb*"))
    assert {p.suffix for p in cached} == {".nbi", ".nbc"}
    assert second == (1, 0)  # loaded from the cache: not compiled again


def test_a_module_loaded_from_its_path_alone_compiles_without_a_cache(
        logistic: Any, tmp_path: Path) -> None:
    # numba reads a cache back by importing the module by name: unregistered, no cache
    path = write_module(codegen_numba.numba_source(logistic), tmp_path / "logistic_numba.py")
    assert _twice(path, "from its path") == [(0, 1), (0, 1)]
    assert not list(tmp_path.glob("__pycache__/*.nb*"))
