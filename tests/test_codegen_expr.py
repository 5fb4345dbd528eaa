"""derive codegen --expr: modules generated from a user's scalar loss, their checks, stability."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import derive.emit.codegen_expr as codegen_expr
from derive.cli import main
from derive.emit.codegen import _load_generated
from derive.emit.codegen_expr import GeneratedExpr, check_expr, codegen_expr_command, generate_expr

ROOT = Path(__file__).resolve().parent.parent
BCE = r"-(y\log\sigma(z) + (1-y)\log(1-\sigma(z)))"
SQUARED = r"\frac{1}{2}(\sigma(w x + b) - y)^2"


@pytest.fixture(scope="module")
def generated() -> dict[str, GeneratedExpr]:
    return {"bce": generate_expr(BCE, ["z"], {"y": "{0,1}"}),
            "squared": generate_expr(SQUARED, ["w", "b"])}


@pytest.fixture(scope="module")
def modules(generated: dict[str, GeneratedExpr]) -> dict[str, types.ModuleType]:
    return {name: _load_generated(g.source, f"expr_{name}") for name, g in generated.items()}


def _sigmoid(u: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(u / 2))


# --- what is generated -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bce", "squared"])
def test_generated_module_passes_its_check(generated: dict[str, GeneratedExpr],
                                           name: str) -> None:
    report = check_expr(generated[name])
    assert report.ok, report.failure
    assert any("finite differences" in line for line in report.lines)
    assert any("SymPy's derivative" in line for line in report.lines)


def test_arguments_inputs_first_then_wrt_in_order(generated: dict[str, GeneratedExpr]) -> None:
    assert [a.name for a in generated["squared"].arguments] == ["x", "y", "w", "b"]
    assert [a.name for a in generated["bce"].arguments] == ["y", "z"]
    swapped = generate_expr(SQUARED, ["b", "w"])
    assert [a.name for a in swapped.arguments] == ["x", "y", "b", "w"]


def test_bce_of_a_logit_is_the_stable_form(generated: dict[str, GeneratedExpr]) -> None:
    source = generated["bce"].source
    assert "f = np.maximum(z, 0) - z * y + np.log1p(e_z)" in source
    assert "df_dz = np.where(z >= 0, 1, e_z) / (1 + e_z) - y" in source
    kernel = source[source.index("def loss_and_grad"):source.index("_NAMES")]
    assert kernel.count("np.exp(") == 1 and "np.log(" not in kernel
    assert "(stable form: identities (1), (2), (3), (4); proved)" in " ".join(
        line.strip("# ") for line in source.splitlines())


def test_shared_subexpressions_are_computed_once(generated: dict[str, GeneratedExpr]) -> None:
    source = generated["squared"].source
    kernel = source[source.index("def loss_and_grad"):source.index("_NAMES")]
    assert kernel.count("b + w * x") == 1 and kernel.count("np.exp(") == 1
    # σ(u) and σ(−u) (for 1 − σ(u), identity (10)), both from the one e = e^(−|u|)
    assert kernel.count("np.where(") == 2 and "1 - sigma" not in kernel


@pytest.mark.parametrize("name", ["bce", "squared"])
def test_every_statement_has_its_step_and_numpy_is_the_only_import(
        generated: dict[str, GeneratedExpr], name: str) -> None:
    source = generated[name].source
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    assert imported == {"numpy"}
    lines = source.splitlines()
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and not function.name.startswith("_"):
            for statement in function.body:
                if isinstance(statement, ast.Assign):
                    above = lines[statement.lineno - 2].strip()
                    assert above.startswith("#"), lines[statement.lineno - 1]
    assert "(derivation: " in source and "proved)" in source


@pytest.mark.parametrize("name", ["bce", "squared"])
def test_generated_file_is_ruff_clean(tmp_path: Path, generated: dict[str, GeneratedExpr],
                                      name: str) -> None:
    path = tmp_path / f"{name}.py"
    path.write_text(generated[name].source, encoding="utf-8")
    for config in (["--config", str(ROOT / "pyproject.toml")], ["--isolated"]):
        result = subprocess.run([sys.executable, "-m", "ruff", "check", *config, str(path)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


# --- values: finite differences, hand-written formulas, stability, dtypes ----------------------


def test_gradients_against_hand_written_formulas(modules: dict[str, types.ModuleType]) -> None:
    rng = np.random.default_rng(4)
    z = rng.normal(size=200) * 4
    y = (rng.random(200) < 0.5).astype(np.float64)
    loss, grads = modules["bce"].loss_and_grad(y, z)
    expected = -(y * np.log(_sigmoid(z)) + (1 - y) * np.log(1 - _sigmoid(z)))
    np.testing.assert_allclose(loss, expected, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads["z"], _sigmoid(z) - y, rtol=1e-10, atol=1e-14)
    x, w, b = rng.normal(size=200), rng.normal(size=200), 0.3
    s = _sigmoid(w * x + b)
    grads = modules["squared"].grad(x, y, w, b)
    np.testing.assert_allclose(grads["w"], (s - y) * s * (1 - s) * x, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads["b"], (s - y) * s * (1 - s), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(modules["squared"].loss(x, y, w, b), (s - y) ** 2 / 2,
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", ["bce", "squared"])
def test_gradients_against_finite_differences(modules: dict[str, types.ModuleType],
                                              generated: dict[str, GeneratedExpr],
                                              name: str) -> None:
    module, rng = modules[name], np.random.default_rng(7)
    arguments = {a.name: (rng.random(50) < 0.5).astype(np.float64) if a.name == "y"
                 else rng.normal(size=50) for a in generated[name].arguments}
    grads = module.grad(**arguments)
    for variable in (a.name for a in generated[name].wrt):
        step = 1e-6
        up = module.loss(**dict(arguments, **{variable: arguments[variable] + step}))
        down = module.loss(**dict(arguments, **{variable: arguments[variable] - step}))
        np.testing.assert_allclose(grads[variable], (up - down) / (2 * step), rtol=1e-6,
                                   atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_extreme_logits(modules: dict[str, types.ModuleType], dtype: Any) -> None:
    z = np.array([-800, -40, -17.3, 0, 17.3, 40, 800], dtype=dtype)
    for label in (0, 1):
        y = np.full_like(z, label)
        with np.errstate(all="raise", under="ignore"):
            loss, grads = modules["bce"].loss_and_grad(y, z)
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grads["z"]))
        assert loss.dtype == dtype and grads["z"].dtype == dtype
        wrong_side = -z if label == 1 else z  # the loss of a confident mistake is |z|
        big = np.abs(z) >= 40
        np.testing.assert_allclose(loss[big & (wrong_side > 0)],
                                   np.abs(z[big & (wrong_side > 0)]), rtol=1e-6)
        np.testing.assert_allclose(grads["z"][big], (z[big] > 0) - y[big], atol=1e-6)
    # the squared loss through σ at logits ±800 as well
    x = np.array([800.0, -800.0, 40.0], dtype=dtype)
    with np.errstate(all="raise", under="ignore"):
        loss, grads = modules["squared"].loss_and_grad(x, dtype(1), dtype(1), dtype(0))
    assert np.all(np.isfinite(loss)) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_the_naive_form_would_overflow() -> None:
    """The check above can fail: the textbook formula is not finite at z = 800."""
    z = np.array([800.0])
    with np.errstate(all="ignore"):
        naive = -np.log(1 - 1 / (1 + np.exp(-z)))
    assert not np.all(np.isfinite(naive))


def test_float32_numbers_and_broadcasting(modules: dict[str, types.ModuleType]) -> None:
    module = modules["bce"]
    y = np.array([[0], [1], [1]], dtype=np.float32)
    z = np.linspace(-3, 3, 4, dtype=np.float32)
    loss, grads = module.loss_and_grad(y, z)
    assert loss.shape == (3, 4) and loss.dtype == np.float32
    assert grads["z"].shape == (3, 4) and grads["z"].dtype == np.float32
    scalar = module.loss(1, 0.5)  # Python numbers: float64 NumPy scalars
    assert isinstance(scalar, np.float64) and isinstance(scalar, float)
    assert float(scalar) == pytest.approx(float(np.log1p(np.exp(-0.5))), rel=1e-15)
    assert module.loss(True, np.float32(0.5)).dtype == np.float32
    assert module.grad(np.array([0, 1]), np.float32(2.0))["z"].dtype == np.float32
    with pytest.raises(TypeError, match="z has dtype float64 but y has dtype float32"):
        module.loss(y, z.astype(np.float64))
    with pytest.raises(ValueError, match=r"do not broadcast together: y \(3,\), z \(4,\)"):
        module.loss(np.zeros(3), np.zeros(4))
    # a constant gradient still has the broadcast shape and dtype
    constant = _load_generated(generate_expr("2 w + x", ["w"]).source, "constant")
    value = constant.grad(np.zeros(5, np.float32), np.float32(1))["w"]
    assert value.shape == (5,) and value.dtype == np.float32 and np.all(value == 2)


def test_names_that_are_not_python_names() -> None:
    generated = generate_expr(r"\lambda \theta_1^2 + \hat y", ["theta_1"],
                              {"lambda": "positive"})
    assert [a.name for a in generated.arguments] == ["lambda_", "yhat", "theta_1"]
    module = _load_generated(generated.source, "names")
    assert float(module.grad(2.0, 0.0, 3.0)["theta_1"]) == pytest.approx(12.0)


# --- the command: exit codes, nothing written on failure -----------------------------------


def test_written_and_not_replaced_without_force(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bce_logit.py"
    argv = ["codegen", "--expr", BCE, "--wrt", "z", "--domain", "y={0,1}", "-o", str(path)]
    assert main(argv) == 0
    assert "wrote" in capsys.readouterr().out
    written = path.read_text(encoding="utf-8")
    assert written.startswith('r"""NumPy code generated by derive codegen from your loss:\n'
                              "    derive codegen --expr '-(y")
    path.write_text("# mine\n")
    assert main(argv) == 2
    assert "--force" in capsys.readouterr().err and path.read_text() == "# mine\n"
    assert main([*argv, "--force"]) == 0 and path.read_text(encoding="utf-8") == written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bce_logit.py"]


def test_check_only_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sq.py"
    argv = ["codegen", "--expr", SQUARED, "--wrt", "w", "--wrt", "b", "-o", str(path),
            "--check-only"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "nothing written" in out and "∂f/∂w" in out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("latex", "wrt", "message"), [
    (r"\frac{1}{2}(\sigma(w x + b) - y", "w", "--expr:1:12: unmatched '('"),
    (r"\mathbf{w}^T x", "w", "--expr:1:11: codegen --expr takes a scalar expression"),
    (r"w^\top x", "w", "--expr:1:2: codegen --expr takes a scalar expression, and this has a "
                       "transpose"),
    (r"\sum_{i=1}^{n} x_i", "x_i", "a sum or a product over an index"),
    (r"a \odot b", "a", "elementwise product"),
    (r"w x", "q", "the expression has no variable 'q'; its variables are w, x"),
    (r"\max(0, 1 - y z, z)", "z", "no differentiation rule for Max of 3 arguments"),
])
def test_unusable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                latex: str, wrt: str, message: str) -> None:
    path = tmp_path / "out.py"
    assert main(["codegen", "--expr", latex, "--wrt", wrt, "-o", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert not path.exists()


def test_label_and_unknown_domain_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen_expr_command("y z", ["y"], {"y": "{0,1}"}, None, check_only=True,
                                force=False) == 2
    assert "takes the values {0,1}" in capsys.readouterr().err
    assert codegen_expr_command("y z", ["z"], {"q": "positive"}, None, check_only=True,
                                force=False) == 2
    assert "--domain names q" in capsys.readouterr().err


def test_model_or_expr_exactly_one(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["codegen"], ["codegen", "logistic", "--expr", "z", "--wrt", "z"],
                 ["codegen", "--expr", "z"], ["codegen", "mlp", "--wrt", "W1"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    assert "--expr needs at least one --wrt VAR" in capsys.readouterr().err


def test_a_wrong_gradient_is_caught_and_nothing_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    real = codegen_expr.scalar_derivation

    def forgets_a_factor(model: Any, wrt: str, **kwargs: Any) -> Any:
        derivation = real(model, wrt, **kwargs)
        return dataclasses.replace(derivation, result=derivation.result * 2)

    monkeypatch.setattr(codegen_expr, "scalar_derivation", forgets_a_factor)
    path = tmp_path / "bce_logit.py"
    assert codegen_expr_command(BCE, ["z"], {"y": "{0,1}"}, str(path), check_only=False,
                                force=False) == 1
    out = capsys.readouterr().out
    assert "check failed: ∂f/∂z at y = " in out and "central finite differences" in out
    assert "the module gives" in out and "nothing written" in out
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_loss_and_gradient_that_agree_are_caught_by_sympy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Loss and gradient both doubled agree with each other (finite differences pass); the
    second route, SymPy's diff of the expression as read, does not."""
    real = codegen_expr.stable_form
    monkeypatch.setattr(codegen_expr, "stable_form",
                        lambda expr, domains, **kw: (2 * real(expr, domains, **kw)[0], ()))
    path = tmp_path / "sq.py"
    assert codegen_expr_command(SQUARED, ["w", "b"], {}, str(path), check_only=False,
                                force=False) == 1
    out = capsys.readouterr().out
    assert "✓ finite differences" in out
    assert "SymPy's derivative of the expression gives" in out
    assert list(tmp_path.iterdir()) == []


def test_out_of_budget_writes_nothing(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sq.py"
    assert codegen_expr_command(SQUARED, ["w"], {}, str(path), check_only=False, force=False,
                                budget=1e-4) == 1
    assert "time budget" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_an_unstable_value_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """log(e^z + e^(2z)) has no stable rewrite here: e^z underflows at z = −800 and the log
    of 0 is said, not hidden."""
    assert codegen_expr_command(r"\log(e^{z} + e^{2 z})", ["z"], {}, None, check_only=True,
                                force=False) == 0
    assert "note: not finite at an extreme value: f at z = -800 (float64) gives -inf" in (
        capsys.readouterr().out)


def test_the_hinge_loss_has_a_checked_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codegen", "--expr", r"\max(0, 1 - y z)", "--wrt", "z", "--domain",
                 "y={-1,1}", "--check-only"]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂z = −y·H(1 − z·y)" in out and "finite differences" in out


# --- the losses people use: softplus, Huber, log-cosh, Bernoulli KL, focal ---------------------

HUBER = (r"\begin{cases} \frac12 (z-y)^2 & |z-y| \le \delta \\ \delta(|z-y| - \frac12\delta) "
         r"& \text{otherwise}\end{cases}")
LOSSES: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "softplus": (r"\log(1+e^{z})", ["z"], {}),
    "huber": (HUBER, ["z"], {"delta": "positive"}),
    "logcosh": (r"\log(\cosh(z - y))", ["z"], {}),
    "logcosh_exps": (r"\log\frac{e^{z-y}+e^{-(z-y)}}{2}", ["z"], {}),
    "kl": (r"p\log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}", ["q"], {"p": "(0,1)", "q": "(0,1)"}),
    "focal": (r"-(1-\sigma(z))^{\gamma}\log \sigma(z)", ["z"], {"gamma": "[0,5]"}),
}
EXTREME_GRIDS: dict[str, dict[str, list[float]]] = {
    "softplus": {"z": [-800, -40, -17.3, 0, 17.3, 40, 800]},
    "huber": {"delta": [1.0, 3.0], "y": [0.5], "z": [-800, -40, -1.2, 0.5, 1.2, 40, 800, 1e6]},
    "logcosh": {"y": [0.25], "z": [-800, -40, -1, 0.25, 1.3, 40, 800]},
    "logcosh_exps": {"y": [0.25], "z": [-800, -40, -1, 0.25, 1.3, 40, 800]},
    "kl": {"p": [1e-30, 0.3, 1 - 1e-6], "q": [1e-30, 1e-9, 0.5, 1 - 1e-6]},
    "focal": {"gamma": [0, 0.5, 2, 5], "z": [-800, -40, -3, 0, 3, 40, 800]},
}


class _Losses(dict[str, tuple[GeneratedExpr, types.ModuleType]]):
    """Each loss's generated module, generated when a test first asks for it."""

    def __missing__(self, name: str) -> tuple[GeneratedExpr, types.ModuleType]:
        latex, wrt, domains = LOSSES[name]
        generated = generate_expr(latex, wrt, domains)
        self[name] = (generated, _load_generated(generated.source, f"loss_{name}"))
        return self[name]


@pytest.fixture(scope="module")
def losses() -> _Losses:
    return _Losses()


def _kernel(generated: GeneratedExpr) -> str:
    source = generated.source
    return source[source.index("def loss_and_grad"):source.index("_NAMES")]


def _true_values(generated: GeneratedExpr, point: dict[str, float]) -> dict[str, float]:
    """The loss and each gradient at the point, from SymPy's diff of the expression as read,
    evaluated with 500 digits at the point's exact binary values (1 − σ(800) needs 350
    digits to be more than 0)."""
    symbols = {a.name: a.symbol for a in generated.arguments}
    at = {symbols[n]: sp.Rational(v) for n, v in point.items()}
    exprs = {generated.output: generated.expr,
             **{a.name: sp.diff(generated.expr, a.symbol) for a in generated.wrt}}
    return {name: float(expr.xreplace(at).evalf(500)) for name, expr in exprs.items()}


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_passes_its_check(losses: dict[str, tuple[GeneratedExpr, types.ModuleType]],
                                    name: str) -> None:
    report = check_expr(losses[name][0])
    assert report.ok, report.failure
    assert not any(line.startswith("note") for line in report.lines), report.lines


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_is_finite_and_accurate_at_extreme_inputs(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]], name: str,
        dtype: Any) -> None:
    """Every combination of the grid, in float32 and float64: no floating-point error, every
    value finite and within a few roundings of the 500-digit truth (relative, down to the
    smallest normal number of the dtype)."""
    generated, module = losses[name]
    grid = EXTREME_GRIDS[name]
    names = [a.name for a in generated.arguments]
    rtol = 2e-6 if dtype == np.float32 else 1e-13
    atol = 16 * float(np.finfo(dtype).tiny)
    for values in itertools.product(*(grid[n] for n in names)):
        arguments = [dtype(v) for v in values]
        with np.errstate(all="raise", under="ignore"):
            loss, grads = module.loss_and_grad(*arguments)
        got = {generated.output: loss, **grads}
        truth = _true_values(generated, {n: float(a) for n, a in zip(names, arguments,
                                                                       strict=True)})
        for output, expected in truth.items():
            value = got[output]
            assert value.dtype == dtype
            assert np.isfinite(value), (output, values)
            assert abs(float(value) - expected) <= rtol * abs(expected) + atol, (
                output, values, float(value), expected)


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_matches_finite_differences(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]], name: str) -> None:
    generated, module = losses[name]
    rng = np.random.default_rng(11)
    moderate = {"p": rng.uniform(0.05, 0.95, 40), "q": rng.uniform(0.05, 0.95, 40),
                "gamma": rng.uniform(0, 5, 40), "delta": rng.uniform(0.1, 3, 40)}
    arguments = {a.name: moderate.get(a.name, rng.normal(size=40) * 3)
                 for a in generated.arguments}
    grads = module.grad(**arguments)
    for variable in (a.name for a in generated.wrt):
        step = 1e-6
        up = module.loss(**dict(arguments, **{variable: arguments[variable] + step}))
        down = module.loss(**dict(arguments, **{variable: arguments[variable] - step}))
        np.testing.assert_allclose(grads[variable], (up - down) / (2 * step), rtol=1e-6,
                                   atol=1e-7)


def test_softplus_gradient_is_the_sigmoid_from_one_exp(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]]) -> None:
    generated, module = losses["softplus"]
    kernel = _kernel(generated)
    assert kernel.count("np.exp(") == 1 and "np.exp(z)" not in kernel
    assert "df_dz = np.where(z >= 0, 1, e_z) / (1 + e_z)" in kernel
    assert "e^z/(1 + e^z) = σ(z)   (stable form: identity (9))" in " ".join(
        line.strip("# ") for line in generated.source.splitlines())
    grads = module.grad(np.array([-800.0, 0.0, 800.0]))
    np.testing.assert_array_equal(grads["z"], [0.0, 0.5, 1.0])


def test_new_identities_are_proved() -> None:
    identities = codegen_expr.expression_identities()
    assert {i.number for i in identities} == set(range(1, 16))
    assert all(i.proved for i in identities), [i.evidence() for i in identities]
    assert sorted(i.case for i in identities if i.number == 14) == [
        "z = t ≥ 0, e^ of both sides", "z = −t < 0, e^ of both sides"]


def test_huber_is_differentiated_case_by_case_and_printed_as_where(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]]) -> None:
    from derive.engine.rules import RULES

    assert RULES["cases"].statement.startswith("{uᵢ if cᵢ}′ = {uᵢ′ if cᵢ}")
    generated, module = losses["huber"]
    assert generated.derivations["z"].lines[0].rules == ("cases",)
    kernel = _kernel(generated)
    assert "np.where(" in kernel and "delta >= " in kernel
    delta, y = 1.0, 0.5
    z = np.linspace(-4, 5, 37)
    r = z - y
    loss, grads = module.loss_and_grad(delta, y, z)
    inside = np.abs(r) <= delta
    np.testing.assert_allclose(loss, np.where(inside, r**2 / 2, delta * (np.abs(r) - delta / 2)),
                               rtol=1e-15)
    np.testing.assert_allclose(grads["z"], np.clip(r, -delta, delta), rtol=1e-15)


def test_log_cosh_both_spellings_give_the_stable_form(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]]) -> None:
    for name in ("logcosh", "logcosh_exps"):
        generated, module = losses[name]
        kernel = _kernel(generated)
        assert "np.cosh" not in kernel and "np.sinh" not in kernel
        assert "np.log1p(np.exp(-(2 * " in kernel and "np.tanh(" in kernel
        assert kernel.count("np.exp(") == 1
        assert "identity (14)" in generated.source
        # float32 stays float32 through the constant log 2 (a Python float): exact 0 at u = 0
        assert module.loss(np.float32(0.25), np.float32(0.25)) == 0


def test_kl_keeps_a_tiny_q_and_a_subnormal_one(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]]) -> None:
    generated, module = losses["kl"]
    kernel = _kernel(generated)
    assert "np.log1p(-q)" in kernel and "np.log(p) - np.log(q)" in kernel
    # 1 − 10⁻⁹ is 1 in float32; the loss is still ≈ 10⁻⁹ (was −4.8·10⁻²⁹)
    tiny = module.loss(np.float32(1e-30), np.float32(1e-9))
    assert float(tiny) == pytest.approx(1e-9, rel=1e-5)
    # a subnormal q: p/q would overflow, log p − log q does not
    q = np.float32(1e-40)
    with np.errstate(all="raise", under="ignore"):
        value = module.loss(np.float32(0.5), q)
    expected = 0.5 * np.log(0.5 / float(q)) + 0.5 * np.log(0.5 / (1 - float(q)))
    assert np.isfinite(value) and float(value) == pytest.approx(expected, rel=1e-6)


def test_focal_loss_has_no_power_of_a_vanishing_base(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]]) -> None:
    """σ(−z)^(γ − 1) is inf where σ(−z) underflows and γ < 1; σ(−z)·σ(−z)^(γ − 1) =
    σ(−z)^γ is not; 1 − σ(z) is σ(−z), which keeps its precision for large z."""
    generated, module = losses["focal"]
    kernel = _kernel(generated)
    assert "gamma - 1" not in kernel and "1 - sigma" not in kernel
    assert kernel.count("np.exp(") == 1
    z = np.array([40.0, 800.0])
    with np.errstate(all="raise", under="ignore"):
        loss, grads = module.loss_and_grad(0.5, z)
    assert loss[0] == pytest.approx(np.exp(-40) ** 0.5 * np.exp(-40), rel=1e-12)
    assert np.all(np.isfinite(grads["z"])) and grads["z"][1] == 0


def test_an_overflow_is_blamed_on_the_function_it_happens_in(
        capsys: pytest.CaptureFixture[str]) -> None:
    """tanh(e^z) is 1 at z = 800 (np.tanh(inf)), its gradient (1 − tanh²)·e^z is 0·inf."""
    assert codegen_expr_command(r"\tanh(e^{z})", ["z"], {}, None, check_only=True,
                                force=False) == 0
    out = capsys.readouterr().out
    assert "note: not finite at an extreme value: ∂f/∂z at z = 800 (float64) gives nan " \
           "(overflow encountered in exp); the true value is 0" in out


def test_interval_domains_are_probed_near_their_ends(
        losses: dict[str, tuple[GeneratedExpr, types.ModuleType]]) -> None:
    report = check_expr(losses["kl"][0])
    assert any("p at 1e-30, 1e-09, 1 − 1e-09; q at 1e-30, 1e-09, 1 − 1e-09; float64 and "
               "float32" in line for line in report.lines), report.lines


def test_domain_names_may_be_written_in_latex() -> None:
    generated = generate_expr(LOSSES["focal"][0], ["z"], {r"\gamma": "[0,5]"})
    assert {a.name: a.domain.describe() for a in generated.arguments}["gamma"] == "[0,5]"


def test_a_huge_true_value_is_left_out_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """With γ anywhere on the real line, σ(−z)^γ exceeds float64 at some random points: those
    points are left out of the comparison (as points with no real value are), and float32
    overflows there are no error; the extreme values report what float32 cannot hold."""
    assert codegen_expr_command(LOSSES["focal"][0], ["z"], {}, None, check_only=True,
                                force=False) == 0
    out = capsys.readouterr().out
    assert "✓ finite differences" in out and "float32 in, float32 out" in out


def test_a_case_with_no_value_outside_its_condition(capsys: pytest.CaptureFixture[str]) -> None:
    """np.where computes log z at z ≤ 0 too; it is not kept, and it raises no warning (the
    check runs with floating-point errors raised)."""
    latex = r"\begin{cases} z\log z & z > 0 \\ 0 & \text{otherwise}\end{cases}"
    assert codegen_expr_command(latex, ["z"], {}, None, check_only=True, force=False) == 0
    assert "∂f/∂z = {1 + log(z) if z > 0; 0 otherwise}" in capsys.readouterr().out
    module = _load_generated(generate_expr(latex, ["z"]).source, "xlogx")
    with np.errstate(all="raise"):
        loss, grads = module.loss_and_grad(np.array([-1.0, 0.0, np.e]))
    np.testing.assert_allclose(loss, [0.0, 0.0, np.e], rtol=1e-15)
    np.testing.assert_allclose(grads["z"], [0.0, 0.0, 2.0], rtol=1e-15)
