"""The command line: outputs, formats and exit codes."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from derive.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True,
                          text=True, timeout=120, env={"NO_COLOR": "1", "PATH": ""})


def test_steps_bce_prints_the_verified_result() -> None:
    done = run("steps", "bce", "--wrt", "yhat")
    assert done.returncode == 0, done.stderr
    assert "result: dJ/dŷ = (ŷ − y)/(ŷ·(1 − ŷ))" in done.stdout
    assert "d/dŷ (1 − ŷ) = −1" in done.stdout
    assert "every one verified" in done.stdout
    assert "\x1b[" not in done.stdout  # no colour when piped


@pytest.mark.parametrize(("model", "wrt", "result"), [
    ("sigmoid", "z", "σ(z)·(1 − σ(z))"),
    ("logistic", "w", "(σ(z) − y)x"),
    ("logistic-batch", "w", "Xᵀ((σ(z) − y)/m)"),
    ("mlp", "W1", "Xᵀ[((σ(a₂) − y)w₂ᵀ) ⊙ relu′(a₁)]"),
    ("mlp", "b2", "𝟏ᵀ(σ(a₂) − y)"),
])
def test_steps_models(capsys: pytest.CaptureFixture[str], model: str, wrt: str,
                      result: str) -> None:
    assert main(["steps", model, "--wrt", wrt]) == 0
    out = capsys.readouterr().out
    assert f"= {result}\n" in out


def test_json_is_stable_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "logistic", "--wrt", "w", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == 1 and data["kind"] == "derivation"
    assert data["verified"] is True
    assert data["result"]["latex"] == r"x \left(\sigma\left(z\right) - y\right)" or \
        "sigma" in data["result"]["latex"]
    assert {"type", "rule", "statement", "check"} <= set(data["steps"][0])


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_other_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["steps", "bce", "--wrt", "yhat", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert r"\hat{y}" in out


def test_unknown_model_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "nope"]) == 2
    assert "no built-in model 'nope'" in capsys.readouterr().err


def test_unknown_variable_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "mlp", "--wrt", "W9"]) == 2
    assert "W9" in capsys.readouterr().err


def test_usage_error_is_exit_2() -> None:
    with pytest.raises(SystemExit) as raised:
        main(["steps"])
    assert raised.value.code == 2


def test_models_lists_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("bce", "sigmoid", "logistic", "mlp"):
        assert name in out
    assert "FILE.toml" in out and "docs/models.md" in out  # where a model of one's own goes


def test_codegen_writes_a_checked_module(tmp_path: pathlib.Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "logistic_grad.py"
    assert main(["codegen", "logistic", "-o", str(target)]) == 0
    assert "finite differences" in capsys.readouterr().out
    assert target.exists() and "def loss_and_grad" in target.read_text()
    assert main(["codegen", "logistic", "-o", str(target)]) == 2  # no overwrite without --force
    assert main(["codegen", "mlp", "--check-only"]) == 0
    assert main(["codegen", "nope", "--check-only"]) == 2


def test_steps_of_an_expression_write_a_finite_sum_out(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "--expr", r"-\sum_{j=1}^{3} y_j \log p_j", "--wrt", "p_1"]) == 0
    out = capsys.readouterr().out
    assert "f = −y₁·log(p₁) − y₂·log(p₂) − y₃·log(p₃)" in out
    assert "result: df/dp₁ = −y₁/p₁" in out


def test_a_refuted_step_without_expect_fails_the_run(tmp_path: pathlib.Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # a blog author's CI must not pass a wrong post: no `expect` means "this holds"
    post = tmp_path / "post.toml"
    post.write_text('[document]\ntitle = "a post"\n\n[[step]]\nid = "1"\n'
                    "latex = '\\frac{d}{dz}\\sigma(z) = \\sigma(z)(1+\\sigma(z))'\n")
    assert main(["check", str(post), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False


def test_an_expected_refutation_passes_the_run(tmp_path: pathlib.Path) -> None:
    post = tmp_path / "post.toml"
    post.write_text('[document]\ntitle = "a post"\n\n[[step]]\nid = "1"\n'
                    "latex = '\\frac{d}{dz}\\sigma(z) = \\sigma(z)(1+\\sigma(z))'\n"
                    'expect = "refuted"\n')
    assert main(["check", str(post)]) == 0


def test_a_first_line_that_is_only_an_expression_starts_the_chain(
        capsys: pytest.CaptureFixture[str]) -> None:
    # the README's own form
    assert main(["check", "--latex", r"\frac{d}{dz}\sigma(z)",
                 "--latex", r"= \sigma(z)(1-\sigma(z))"]) == 0
    out = capsys.readouterr().out
    assert "the chain starts here" in out
    assert "undecided" not in out


def test_debug_prints_the_traceback_of_an_internal_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from derive.verify import check

    def broken(*args: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(check._Checker, "_compare", broken)
    assert main(["check", "--latex", "x + 1 = 17"]) == 1
    captured = capsys.readouterr()
    assert "internal error: RuntimeError: a bug" in captured.out
    assert "Traceback" not in captured.err
    assert main(["check", "--latex", "x + 1 = 17", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_no_cache_checks_again(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_NO_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    post = tmp_path / "post.toml"
    post.write_text("[[step]]\nid = \"1\"\nlatex = 'x + x = 2x'\n")
    assert main(["check", "-j", "1", str(post)]) == 0
    kept = list((tmp_path / "derive" / "reports").glob("*.pickle"))
    assert len(kept) == 1
    kept[0].unlink()
    assert main(["check", "-j", "1", "--no-cache", str(post)]) == 0
    assert not list((tmp_path / "derive" / "reports").glob("*.pickle"))


def test_profile_says_where_the_time_went(tmp_path: pathlib.Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    post = tmp_path / "post.toml"
    post.write_text("[[step]]\nid = \"1\"\nlatex = 'x + x = 2x'\n")
    assert main(["check", "--profile", str(post)]) == 0
    err = capsys.readouterr().err
    assert "where the time went" in err and "deciding A = B" in err
