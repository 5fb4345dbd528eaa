"""Outputs that never mislead: the same math and the same count in every format, evidence in
words with each value said by side, text in full or fitted to the terminal, and the console
conventions (progress, pipes, colour, ASCII consoles, arguments)."""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
from typing import Any

import pytest
import sympy as sp

from derive import cli
from derive.cli import main
from derive.core.outcomes import DiffersAtSizes, Proved, Refuted, Verdict
from derive.emit.render import TextRenderer, evidence_of, link_evidence, render, text
from derive.verify.check import LinkReport, check_latex

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYTHON = [sys.executable, "-m", "derive"]
SOFTPLUS = r"\log(1+e^{-y w x})"


def run(*args: str | bytes, env: dict[str, str] | None = None,
        stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """``derive ARGS`` in a fresh process, its output piped."""
    return subprocess.run([*PYTHON, *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, stdin=stdin,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                               **(env or {"NO_COLOR": "1"})})


def on_terminal(*args: str, columns: int = 60, env: dict[str, str] | None = None
                ) -> tuple[str, str, int]:
    """``derive ARGS`` with standard output on a terminal of ``columns`` columns."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm",
                   **(env or {})}
    process = subprocess.Popen([*PYTHON, *args], stdout=slave, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, cwd=ROOT, env=environment)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.stderr is not None
    with process.stderr:
        err = process.stderr.read().decode()
    code = process.wait(timeout=120)
    return b"".join(chunks).decode().replace("\r\n", "\n"), err, code


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def tokens(markup: str) -> str:
    """MathML as the sequence of its leaves, for comparing with the text."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).replace("\u2062", " ").split())


# ---------------------------------------------------------------------------------------------
# 1. the same math and the same count in every format


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_a_negative_factor_keeps_its_brackets(capsys: pytest.CaptureFixture[str],
                                              fmt: str) -> None:
    assert main(["steps", "--expr", SOFTPLUS, "--wrt", "w", "--format", fmt]) == 0
    out = capsys.readouterr().out
    # the text printer writes e^(−w·x·y) · (−x·y · dw/dw): the product keeps its brackets
    assert r"e^{- w x y} - x y" not in out
    assert r"e^{- w x y} \cdot \left(- x y \cdot \frac{d}{d w}\left(w\right)\right)" in out
    assert r"e^{- w x y} \cdot \left(- x y \cdot 1\right)" in out


def test_a_negative_factor_keeps_its_brackets_in_mathml() -> None:
    from derive.api import steps
    from derive.emit.html import mathml

    lines = steps(SOFTPLUS, "w").lines
    shown = [tokens(mathml(line.expression)) for line in lines]
    assert "e − w x y · ( − x y · d w d w )" in shown[3]
    assert "e − w x y · ( − x y · 1 )" in shown[4]
    assert all("e − w x y − x y" not in line for line in shown)


def test_one_count_of_steps_in_every_format(capsys: pytest.CaptureFixture[str],
                                            tmp_path: pathlib.Path) -> None:
    page = tmp_path / "steps.html"
    counts = {}
    for fmt in ("text", "markdown", "latex", "json"):
        args = ["steps", "--expr", SOFTPLUS, "--wrt", "w", "--format", fmt]
        if fmt == "text":
            args += ["--html", str(page)]
        assert main(args) == 0
        out = capsys.readouterr().out
        if fmt == "json":
            counts[fmt] = json.loads(out)["summary"]["steps"]
        else:
            counts[fmt] = int(re.findall(r"(\d+) steps, every one verified", out)[-1])
    counts["html"] = int(re.findall(r'class="count">(\d+) steps', page.read_text())[0])
    assert set(counts.values()) == {8}, counts


def test_html_shows_the_derivations_that_follow() -> None:
    from derive.api import steps
    from derive.emit.html import html_report

    derivation = steps("logistic", "w")
    assert derivation.followed_by
    page = html_report(derivation)
    assert derivation.followed_by[0].title in page
    assert page.count('class="count">31 steps') == 2


# ---------------------------------------------------------------------------------------------
# 2. JSON: every key documented; each value of a counterexample said by side

WRONG_CHAIN = [r"\frac{d}{dx}\log(1-x)", r"= \frac{1}{1-x}"]


def _keys(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def test_every_key_of_the_json_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    documented = set(re.findall(r"`([a-z_]+)`", (ROOT / "docs" / "json.md").read_text()))
    assert main(["check", "-j", "1", "proofs/000_bce_sign_error.toml", "missing.toml",
                 "--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert main(["steps", "logistic", "--wrt", "w", "--format", "json"]) == 0
    derivation = json.loads(capsys.readouterr().out)
    keys = _keys(report, set()) | _keys(derivation, set())
    assert {"documents", "matches", "links", "diagnosis", "left_value", "error"} <= keys
    assert keys - documented == set()


def test_a_refuted_link_says_which_value_is_whose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *(f"--latex={line}" for line in WRONG_CHAIN),
                 "--format", "json"]) == 1
    (link,) = json.loads(capsys.readouterr().out)["documents"][0]["steps"][1]["links"]
    outcome = link["outcome"]
    # d/dx log(1 − x) = −1/(1 − x) on the left, 1/(1 − x) on the right: opposite signs
    left, right = float(outcome["left_value"]), float(outcome["right_value"])
    assert left == pytest.approx(-right) and left != 0
    assert (left, right) == (float(outcome["lhs_value"]), float(outcome["rhs_value"]))
    for said in (link["evidence"], outcome["evidence"]):
        assert "true" not in said and "claimed" not in said
        assert f"this side is {right:g}".replace("-", "−") in said
        assert f"the side before it is {left:g}".replace("-", "−") in said


def test_an_array_link_says_its_values_by_side() -> None:
    from derive.emit.render import link_outcome_json

    x, y = sp.MatrixSymbol("X", 2, 2), sp.MatrixSymbol("Y", 2, 2)
    outcome = DiffersAtSizes((("n", 2),), (0, 1), (("X[0,1]", "0.5"),), "1.5", "2.5")
    link = LinkReport(x, y, Verdict.REFUTED, outcome)  # the right side is the one claimed
    data = link_outcome_json(link)
    assert data is not None and "true" not in data and "claimed" not in data
    assert (data["left_value"], data["right_value"]) == ("2.5", "1.5")
    said = link_evidence(link)
    assert "this side is 1.5, the side before it is 2.5" in said and "true" not in said
    derivative = LinkReport(x, sp.Derivative(sp.Symbol("L"), y), Verdict.REFUTED, outcome)
    data = link_outcome_json(derivative)  # the derivative is the side computed: the left claims
    assert data is not None and (data["left_value"], data["right_value"]) == ("1.5", "2.5")


def test_evidence_of_a_counterexample_never_says_true() -> None:
    outcome = Refuted((("x", "0.8"),), "-5.0", "5.0", 10.0)
    said = evidence_of(outcome)
    assert "true" not in said and "claimed" not in said
    assert said == "at x = 0.8: left side is −5.0, right side is 5.0"


# ---------------------------------------------------------------------------------------------
# 3. text: in full when piped, fitted to the terminal, evidence in words, one notation

LONG = [r"(x+1)^2 + (x+2)^2 + (x+3)^2 + (x+4)^2 + (x+5)^2 + (x+6)^2 + (x+7)^2",
        r"= 7x^2 + 56x + 141"]


def test_a_piped_report_prints_every_side_in_full() -> None:
    done = run("check", *(f"--latex={line}" for line in LONG))
    assert done.returncode == 1, done.stderr
    assert "…" not in done.stdout
    assert ("refuted: (1 + x)² + (2 + x)² + (3 + x)² + (4 + x)² + (5 + x)² + (6 + x)² + "
            "(7 + x)² = 141 + 7·x² + 56·x\n") in done.stdout
    assert f"         {LONG[1]}\n" in done.stdout  # the LaTeX as written, in full too


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal")
def test_a_report_on_a_terminal_fits_its_width() -> None:
    out, err, code = on_terminal("check", *(f"--latex={line}" for line in LONG), columns=60,
                                 env={"NO_COLOR": "1"})
    assert code == 1, err
    lines = out.splitlines()
    assert lines and max(len(line) for line in lines) <= 60, out
    assert "…" not in out
    flat = " ".join(" ".join(lines).split())
    assert "(7 + x)²" in flat and "141" in flat and "this side is" in flat


def test_a_renderer_wraps_only_when_given_a_width() -> None:
    report = check_latex(LONG)
    full = TextRenderer().render(report)
    narrow = TextRenderer(width=50).render(report)
    assert max(len(line) for line in narrow.splitlines()) <= 50
    assert max(len(line) for line in full.splitlines()) > 50
    assert " ".join(full.split()).replace(" ", "") == " ".join(narrow.split()).replace(" ", "")


@pytest.mark.parametrize("method", ["structural", "expand", "cancel", "together", "simplify",
                                    "rewrite(exp)+expand", "rewrite(exp)+cancel",
                                    "rewrite(exp)+simplify"])
def test_every_method_is_said_in_words(method: str) -> None:
    said = evidence_of(Proved(method))
    assert "by " not in said and "rewrite" not in said and method not in said.split()
    assert said.startswith(("equal", "identical"))


def test_the_methods_of_the_equivalence_checker_all_have_words() -> None:
    from derive.decide import equivalence
    from derive.emit.render import METHOD_WORDS

    names = {step.name for step in (*equivalence._CHEAP_STEPS, *equivalence._SLOW_STEPS)}
    assert names | {"structural"} <= set(METHOD_WORDS)


def test_words_in_the_report_and_the_method_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    from derive.emit.render import method_words

    lines = [r"(x+1)^2", r"= x^2 + 2x + 1", r"\sigma(z) = \frac{1}{1+e^{-z}}"]
    assert main(["check", *(f"--latex={line}" for line in lines)]) == 0
    out = capsys.readouterr().out
    assert "equal after expanding" in out
    assert "equal after writing σ with exponentials" in out
    assert "by expand" not in out and "rewrite(exp)" not in out
    assert main(["check", *(f"--latex={line}" for line in lines), "--format", "json"]) == 0
    steps = json.loads(capsys.readouterr().out)["documents"][0]["steps"]
    outcome = steps[1]["links"][0]["outcome"]
    assert outcome["method"] == "expand" and outcome["evidence"] == "equal after expanding"
    assert method_words("substituting the definition") == \
        "equal after substituting the definition"
    # a derivative was taken before the sides could be compared: not "as written"
    assert main(["check", "--latex", r"\frac{d}{dz}\sigma(z)",
                 "--latex", r"= \sigma(z)(1-\sigma(z))"]) == 0
    out = capsys.readouterr().out
    assert "identical once the derivatives are taken" in out and "as written" not in out


def test_one_notation_in_the_text() -> None:
    f, t, x = sp.Function("f"), sp.Symbol("t"), sp.Symbol("x")
    assert text(sp.Subs(sp.Derivative(f(t), t), t, x)) == "f′(x)"
    done = run("check", r"--latex=\frac{d}{d\hat y}\log(1-\hat y) \neq \frac{1}{1-\hat y}",
               "--domain", "yhat=(0,1)")
    assert done.returncode == 0, done.stderr
    assert "the two sides differ at ŷ = " in done.stdout
    assert "yhat" not in done.stdout and "≠ 5.0" not in done.stdout


@pytest.mark.parametrize("proof", ["000_bce_sign_error.toml", "001_backprop_one_hidden_layer.toml"])
def test_matrix_verdicts_and_aliases_speak_the_texts_notation(proof: str) -> None:
    done = run("check", f"proofs/{proof}", "--no-cache")
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines()
            if "proved for every size: an entrywise" in line or "is read as" in line]
    assert said
    for line in said:
        assert "yhat" not in line and "**" not in line
        assert not re.search(r"\w\*\w|\)\*|\*\(", line), line
        assert not re.search(r", by (structural|expand|cancel|together|simplify)", line), line


def test_an_entrywise_function_prints_as_the_text_writes_it() -> None:
    from derive.read.latex import Elementwise

    t, h = sp.Dummy("t"), sp.MatrixSymbol("h", 1, 3)
    assert text(Elementwise(sp.Lambda(t, sp.exp(-t)), h)) == "e^(−h)"
    assert text(Elementwise(sp.Lambda(t, sp.exp(t)), sp.Transpose(h))) == "e^(hᵀ)"
    assert text(Elementwise(sp.Lambda(t, sp.exp(t)), h)) == "e^h"
    assert text(Elementwise(sp.Lambda(t, sp.log(t)), h)) == "log(h)"


def test_a_missing_file_claims_no_steps() -> None:
    done = run("check", "missing.toml")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("derive: missing.toml")
    assert "0 steps" not in done.stdout and ": ;" not in done.stdout
    assert done.stdout.rstrip().endswith("no steps checked; 1 file could not be used")


# ---------------------------------------------------------------------------------------------
# 4. conventions


def test_progress_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    proof = tmp_path / "three.toml"
    proof.write_text("[[step]]\nlatex = 'x = x'\n[[step]]\nlatex = 'y = y'\n"
                     "[[step]]\nlatex = '(x+1)^2 = x^2 + 2x + 1'\n")
    stderr = Terminal()
    monkeypatch.setenv("COLUMNS", "500")
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(cli._Progress, "DELAY", 0.0)
    assert main(["check", "-j", "1", str(proof), str(proof)]) == 0
    said = stderr.getvalue()
    assert f"derive: checking {proof} (file 1 of 2, step 1 of 3)" in said
    assert "(file 2 of 2, step 3 of 3)" in said
    assert said.endswith("\r") and said.rstrip("\r").split("\r")[-1].strip() == ""  # cleared
    assert "every claim holds" in capsys.readouterr().out


def test_no_progress_off_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli._Progress, "DELAY", 0.0)
    assert main(["check", "-j", "1", "proofs/102_tanh_derivative.toml"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(shutil.which("sh") is None or shutil.which("head") is None,
                    reason="no POSIX shell")
@pytest.mark.parametrize("command", ["models", "steps mlp --wrt W1"])
@pytest.mark.parametrize(("reader", "unbuffered"), [
    ("head -1", True), ("head -1", False),
    ("true", False),  # the reader is gone before the first write
])
def test_a_reader_that_stops_reading(tmp_path: pathlib.Path, command: str, reader: str,
                                     unbuffered: bool) -> None:
    status = tmp_path / "status"
    derive = " ".join(shlex.quote(part) for part in PYTHON)
    line = f"{{ {derive} {command}; echo $? > {shlex.quote(str(status))}; }} | {reader}"
    env = {"NO_COLOR": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    done = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)
    assert done.stderr == ""
    assert done.stdout.count("\n") == (1 if reader == "head -1" else 0)
    assert status.read_text().strip() in ("0", "1")  # not 2: the input was usable


@pytest.mark.parametrize(("environment", "coloured"), [
    ({"NO_COLOR": ""}, True),  # set but empty: not a request
    ({"NO_COLOR": "1"}, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ({"TERM": "dumb"}, False),
    ({"TERM": "dumb", "FORCE_COLOR": "1"}, True),
])
def test_colour_on_a_terminal(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str],
                              coloured: bool) -> None:
    from derive.api import steps

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    printed = render(steps("sigmoid", "z"), "text", stream=Terminal())
    assert ("\x1b[" in printed) is coloured


@pytest.mark.parametrize(("environment", "coloured"), [
    ({"FORCE_COLOR": "1"}, True),
    ({"FORCE_COLOR": ""}, False),
    ({}, False),
])
def test_colour_when_piped(environment: dict[str, str], coloured: bool) -> None:
    done = run("steps", "sigmoid", "--wrt", "z", env=environment)
    assert done.returncode == 0, done.stderr
    assert ("\x1b[" in done.stdout) is coloured


@pytest.mark.parametrize("args", [
    ("steps", "sigmoid", "--wrt", "z"),
    ("steps", "mlp", "--wrt", "W1"),
    ("check", "proofs/000_bce_sign_error.toml"),
    ("models",),
])
def test_an_ascii_console_gets_ascii(args: tuple[str, ...]) -> None:
    done = run(*args, env={"PYTHONIOENCODING": "ascii", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout.isascii()
    assert "\\u" not in done.stdout and "\\x" not in done.stdout, done.stdout
    if args[0] == "steps":
        assert "sigma(" in done.stdout and "ok " in done.stdout and " - " in done.stdout


def test_an_ascii_console_keeps_the_columns() -> None:
    done = run("steps", "sigmoid", "--wrt", "z", env={"PYTHONIOENCODING": "ascii"})
    rows = done.stdout.split("\n\n")[1].splitlines()  # the derivation, its rules in a column
    rows = rows[:next(i for i, row in enumerate(rows) if row.startswith("  = "))]
    columns = set()
    for row in rows:
        found = re.match(r"^(.*?\S)( {2,})(\S.*)$", row)
        assert found, row
        columns.add(len(found.group(1)) + len(found.group(2)))
    assert len(rows) > 3 and len(columns) == 1, done.stdout


def test_an_ascii_console_gets_exact_json() -> None:
    wide = run("steps", "sigmoid", "--wrt", "z", "--format", "json",
               env={"PYTHONIOENCODING": "utf-8"})
    narrow = run("steps", "sigmoid", "--wrt", "z", "--format", "json",
                 env={"PYTHONIOENCODING": "ascii"})
    assert narrow.stdout.isascii() and "\\u03c3" in narrow.stdout
    assert json.loads(narrow.stdout) == json.loads(wide.stdout)


def test_an_ascii_console_gets_ascii_errors() -> None:
    done = run("check", "--latex", "x = x", "--domain", "σ=positive",
               env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 2
    assert done.stderr.isascii() and "sigma" in done.stderr and "\\u" not in done.stderr


@pytest.mark.parametrize("args", [
    ["steps", "--expr", r"-\log(x)", "--wrt", "x"],
    ["steps", "--expr", "-x^2", "--wrt", "x"],
    ["check", "--latex", r"-(a+b)", "--latex", "= -a - b"],
    ["check", "--latex", r"-\sigma(z)=\sigma(-z)-1"],
])
def test_a_value_that_starts_with_a_minus(capsys: pytest.CaptureFixture[str],
                                          args: list[str]) -> None:
    assert main(args) == 0
    assert capsys.readouterr().err == ""


def test_an_option_is_not_taken_for_a_value(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["steps", "--expr", "--wrt", "x"])
    assert raised.value.code == 2
    assert "--expr" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["steps", "--expr", r"\log(x y)", "--wrt", "x", "--domain", "yy=positive"],
    ["check", "--latex", r"\log(x y) = \log x + \log y", "--domain", "yy=positive"],
])
def test_a_misspelled_domain_is_refused(capsys: pytest.CaptureFixture[str],
                                        args: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(args)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("derive: --domain names yy")
    assert "x, y" in err


@pytest.mark.parametrize("args", [
    ["steps", "--expr", r"-\sum_{j=1}^{3} y_j \log p_j", "--wrt", "p_1", "--domain",
     "y_1={0,1}"],
    ["check", "--latex", "y_i^2 = y_i", "--domain", "y_i={0,1}"],
    ["check", "--latex", r"\log(x y) = \log x + \log y", "--domain", "x=positive",
     "--domain", "y=positive"],
])
def test_a_domain_for_a_name_that_is_there(capsys: pytest.CaptureFixture[str],
                                           args: list[str]) -> None:
    assert main(args) == 0
    assert capsys.readouterr().err == ""
