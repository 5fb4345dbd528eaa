"""derive check: each verdict kind, the documents' verdicts, and the command line."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import mpmath
import pytest

from derive.cli import main
from derive.verify.check import check_files, check_latex

ROOT = pathlib.Path(__file__).parent.parent
PROOFS = ROOT / "proofs"
DOC_000 = str(PROOFS / "000_bce_sign_error.toml")
DOC_002 = str(PROOFS / "002_bce_gradient_wrt_w.toml")


def steps_of(path: str) -> dict[str, object]:
    (document,) = check_files([path]).documents
    assert document.error is None, document.error
    return {step.claim.id: step for step in document.steps}


def test_document_000_reaches_every_expected_verdict() -> None:
    steps = steps_of(DOC_000)
    wrong = {i: (s.verdict, s.claim.expect) for i, s in steps.items() if not s.matches}
    assert wrong == {}
    assert steps["Q3"].verdict == "refuted"
    assert [steps[i].verdict for i in ("Q1", "Q2", "Q4")] == ["proved"] * 3


def test_the_sign_error_has_a_real_counterexample() -> None:
    q3 = steps_of(DOC_000)["Q3"]
    (link,) = q3.links
    point = dict(link.outcome.point)
    y, yhat = mpmath.mpf(point["y_i"]), mpmath.mpf(point["yhat_i"])
    assert y in (0, 1) and 0 < yhat < 1
    true = (yhat - y) / (yhat * (1 - yhat))
    claimed = -(y / yhat + (1 - y) / (1 - yhat))
    assert abs(true - claimed) > 1e-6
    assert float(link.outcome.rhs_value) == pytest.approx(float(claimed), rel=1e-5)
    assert float(link.outcome.lhs_value) == pytest.approx(float(true), rel=1e-5)


def test_document_000_reports_what_it_assumed() -> None:
    (document,) = check_files([DOC_000]).documents
    assert any("ŷ is read as ŷᵢ" in a for a in document.assumed)
    q0 = {s.claim.id: s for s in document.steps}["Q0"]
    assert q0.verdict == "unreadable"
    assert q0.error is not None and q0.error.source == DOC_000
    assert q0.error.line == q0.claim.line and "unmatched '('" in q0.error.message


def test_document_002_scalar_steps() -> None:
    steps = steps_of(DOC_002)
    for identity in ("1", "2", "4", "5", "6", "7", "8", "9", "10", "11", "12"):
        assert steps[identity].matches, (identity, steps[identity].verdict)


@pytest.mark.parametrize(("lines", "verdict"), [
    ([r"\frac{d}{dz}\sigma(z) = \sigma(z)(1-\sigma(z))"], "proved"),
    ([r"\frac{d}{dz}\sigma(z) = \sigma(z)(1+\sigma(z))"], "refuted"),
    ([r"\log(1-\sigma(z)) = -\log(1+e^{z})"], "proved"),
    ([r"x(1 - x) = x - x^2", r"= x - x*x"], "proved"),
    ([r"\frac{d}{dx} x^2 = 2x +"], "unreadable"),
    ([r"\frac{d}{dx} x^3 = 3x^2", r"= 3x"], "refuted"),
])
def test_verdicts_from_latex_lines(lines: list[str], verdict: str) -> None:
    (document,) = check_latex(lines).documents
    assert document.steps[-1].verdict == verdict or document.steps[0].verdict == verdict


def test_checked_when_the_symbolic_route_runs_out_of_time() -> None:
    nested = r"\sigma(\sigma(\sigma(\sigma(x))))"
    tanh_form = (r"\frac{1}{2}(1 + \tanh(\frac{1}{2}\sigma(\sigma(\sigma(x)))))")
    (document,) = check_latex([f"{nested} = {tanh_form}"], budget=0.3).documents
    assert document.steps[0].verdict in ("checked", "proved")
    outcome = document.steps[0].links[0].outcome
    if document.steps[0].verdict == "checked":
        assert outcome.samples > 0


def write(tmp_path: pathlib.Path, body: str, name: str = "p.toml") -> str:
    path = tmp_path / name
    path.write_text('[document]\ntitle = "t"\n\n' + body)
    return str(path)


def test_ill_formed_conditional_and_undecided(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[symbols]
x = { domain = "(0,1)" }

[[step]]
id = "def"
latex = 'a = w h + b'
define = true
expect = "definition"

[[step]]
id = "typo"
latex = '\\frac{\\partial a}{\\partial X} = h'
expect = "ill-formed"

[[step]]
id = "undefined"
latex = '\\frac{\\partial q}{\\partial x} = 1'
expect = "undecided"

[[step]]
id = "cond"
latex = 'w_0 + x_0 w_1 = w_0 + w_1'
assume = ['x_0 = 1']
expect = "conditional"

[[step]]
id = "dangling"
latex = '= 3'
expect = "refuted"
""")
    steps = steps_of(path)
    assert {i: s.verdict for i, s in steps.items()} == {
        "def": "definition", "typo": "ill-formed", "undefined": "undecided",
        "cond": "conditional", "dangling": "refuted"}
    assert "does not depend on X" in steps["typo"].links[0].message
    assert "x_0 = 1" in steps["cond"].links[0].assumption


def test_a_run_budget_of_nothing_is_undecided(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "[[step]]\nid = 'a'\nlatex = 'x = x'\n")
    (document,) = check_files([path], total=1e-9).documents
    assert document.steps[0].verdict == "undecided"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, input=stdin,
                          env={"NO_COLOR": "1", "PATH": ""})


def test_cli_check_shows_the_counterexample() -> None:
    done = run("check", DOC_000)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Q3     refuted (as expected)" in done.stdout
    assert "at yᵢ = 0, ŷᵢ = 0.7" in done.stdout
    assert "every verdict as expected" in done.stdout


def test_cli_check_latex_lines_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--latex", r"\frac{d}{dx}\log(1-x) = -\frac{1}{1-x}"]) == 0
    assert main(["check", "--latex", r"\frac{d}{dx}\log(1-x) = \frac{1}{1-x}"]) == 1
    out = capsys.readouterr().out
    assert "refuted" in out


def test_cli_stdin_and_json(tmp_path: pathlib.Path) -> None:
    text = pathlib.Path(DOC_000).read_text()
    done = run("check", "-", "--format", "json", stdin=text)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["kind"] == "report" and data["ok"] is True
    (document,) = data["documents"]
    verdicts = {s["id"]: s["verdict"] for s in document["steps"]}
    assert verdicts["Q3"] == "refuted"


def test_a_bad_file_is_reported_and_the_others_still_checked(tmp_path: pathlib.Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    bad = write(tmp_path, "[[step]]\nid = 'a'\nlatex = 'x = x'\nexpect = 'sure'\n", "bad.toml")
    good = write(tmp_path, "[[step]]\nid = 'a'\nlatex = 'x = x'\nexpect = 'proved'\n", "ok.toml")
    assert main(["check", bad, good]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "unknown expect value 'sure'" in out
    assert "a      proved (as expected)" in out


def test_markdown_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", DOC_000, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| Q3 |" in out and "**refuted**" in out


def test_the_sign_error_is_diagnosed_and_the_labels_checked() -> None:
    steps = steps_of(DOC_000)
    (link,) = steps["Q3"].links
    assert link.diagnosis is not None
    assert link.diagnosis.mal_rule == "inner derivative dropped"
    assert "since d/dŷᵢ (1 − ŷᵢ) = −1" in link.diagnosis.sentence(__import__(
        "derive.emit.render").emit.render.text)
    assert (steps["Q1"].named_rule, steps["Q1"].used_rule) == ("product", "constant multiple")
    assert (steps["P1"].named_rule, steps["P1"].used_rule) == ("product", "chain")
    assert (steps["Q2"].named_rule, steps["Q2"].used_rule) == ("sum", "sum")


def test_two_slips_that_cancel_are_reported(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[[step]]
id = "a"
latex = '\\frac{d}{dx} x^3 = 3x^2'
expect = "proved"

[[step]]
id = "b"
latex = '= 3x'
expect = "refuted"

[[step]]
id = "c"
latex = '= 3x^2'
expect = "refuted"
""")
    steps = steps_of(path)
    assert "cancel" in steps["b"].links[0].message
    # the line after the slip is right again, and says where the chain went wrong
    assert "went wrong at step b" in steps["c"].links[0].message


def test_files_checked_in_worker_processes_come_back_in_order(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[step]]\nlatex = 'a = a'\nexpect = 'proved'\nid = \n")
    paths = [str(PROOFS / "102_tanh_derivative.toml"), str(broken),
             str(PROOFS / "002_bce_gradient_wrt_w.toml")]
    alone = check_files(paths, jobs=1)
    together = check_files(paths, jobs=2)
    assert [d.path for d in together.documents] == paths
    assert together.documents[1].error is not None
    for a, b in zip(alone.documents, together.documents, strict=True):
        assert [(s.claim.id, s.verdict) for s in a.steps] == \
            [(s.claim.id, s.verdict) for s in b.steps]
    refuted = next(s for s in together.documents[0].steps if s.verdict == "refuted")
    assert refuted.links[-1].outcome.point  # the evidence survives the trip between processes


def test_cli_jobs_must_be_a_positive_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0", "two"):
        with pytest.raises(SystemExit) as exited:
            main(["check", "-j", bad, str(PROOFS / "002_bce_gradient_wrt_w.toml")])
        assert exited.value.code == 2
    assert "expected" in capsys.readouterr().err


def test_lines_without_expectations_say_whether_they_hold(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--latex", r"\frac{d}{dz}\sigma(z) = \sigma(z)(1-\sigma(z))"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("1 step: 1 proved; every claim holds")
    assert main(["check", "--latex", r"\frac{d}{dz}\sigma(z) = \sigma(z)(1+\sigma(z))",
                 "--latex", r"= \sigma(z) + \sigma(z)^2"]) == 1
    assert capsys.readouterr().out.rstrip().endswith("1 does not hold")


def test_command_line_lines_in_index_notation(capsys: pytest.CaptureFixture[str]) -> None:
    softmax = r"\frac{\partial}{\partial z_i} \log \sum_j e^{z_j} = \frac{e^{z_i}}{\sum_j e^{z_j}}"
    assert main(["check", "--latex", softmax, "--index", "i=C", "--index", "j=C"]) == 0
    assert "checked at C = 3 and at C = 4 for every i in range" in capsys.readouterr().out
    assert main(["check", "--latex", r"\sum_j y_j = 1", "--index", "j=C", "--size", "C=4"]) == 1
    assert "at C = 4" in capsys.readouterr().out
    assert main(["check", "--latex", "a = a", "--index", "ij=C"]) == 2
    assert "write a letter" in capsys.readouterr().err
    for bad in (["--size", "C=0"], ["--size", "C"], ["--index", "j"]):
        with pytest.raises(SystemExit) as exited:
            main(["check", "--latex", "a = a", *bad])
        assert exited.value.code == 2
    with pytest.raises(SystemExit):
        main(["check", str(PROOFS / "002_bce_gradient_wrt_w.toml"), "--index", "j=C"])


def test_a_right_line_after_a_wrong_one_is_said_to_be_right() -> None:
    # judged against its neighbour only, the last line drew advice to make it wrong
    (document,) = check_latex([r"\frac{d}{dx}\sigma(x)^2",
                               r"= 2\sigma(x)\sigma(x)(1+\sigma(x))",
                               r"= 2\sigma(x)^2(1+\sigma(x))",
                               r"= 2\sigma(x)^2(1-\sigma(x))"]).documents
    wrong, same, right = document.steps[1], document.steps[2], document.steps[3]
    assert (wrong.verdict, same.verdict, right.verdict) == ("refuted", "proved", "refuted")
    assert wrong.links[0].diagnosis is not None  # the mistake is named where it is made
    (link,) = right.links
    assert link.diagnosis is None
    assert "this side is right" in link.message and "went wrong at step 2" in link.message


def test_an_internal_error_costs_its_own_step_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.verify import check

    original = check._Checker._compare

    def broken(self: object, lhs: object, rhs: object, *args: object) -> object:
        if "17" in str(rhs):
            raise RuntimeError("a bug\nwith a second line")
        return original(self, lhs, rhs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(check._Checker, "_compare", broken)
    (document,) = check_latex([r"x + x = 2x", r"x = 17", r"y + y = 2y"]).documents
    verdicts = [step.verdict for step in document.steps]
    assert verdicts == ["proved", "undecided", "proved"]
    assert document.steps[1].message == "internal error: RuntimeError: a bug"
    assert "Traceback" in document.steps[1].trace


def test_a_report_is_kept_by_content_and_never_when_undecided(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.verify import check

    monkeypatch.setenv("DERIVE_NO_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, "[[step]]\nid = \"a\"\nlatex = 'x + x = 2x'\n")
    first = check_files([path])
    kept = list((tmp_path / "cache" / "derive" / "reports").glob("*.pickle"))
    assert len(kept) == 1
    calls: list[str] = []
    original = check._checked
    monkeypatch.setattr(check, "_checked", lambda *a: calls.append("run") or original(*a))
    assert check_files([path]) == first and calls == []  # served from the cache
    pathlib.Path(path).write_text("[[step]]\nid = \"a\"\nlatex = 'x + x = 3x'\n")
    changed = check_files([path])
    assert calls == ["run"] and changed.documents[0].steps[0].verdict == "refuted"
    undecided = write(tmp_path, "[[step]]\nid = \"u\"\nlatex = '= x'\n", name="u.toml")
    check_files([undecided])
    assert len(list((tmp_path / "cache" / "derive" / "reports").glob("*.pickle"))) == 2


def test_a_line_after_an_unreadable_one_is_compared_with_the_last_readable_side() -> None:
    (document,) = check_latex([r"x^2 + x", r"= x(x+1) \foo", r"= x^2 + x",
                               r"g = 2", r"= \bar", r"= 3"]).documents
    verdicts = [step.verdict for step in document.steps]
    # g = 2 writes g for the first time: its definition; 3 is then compared with 2
    assert verdicts == ["definition", "unreadable", "proved", "definition", "unreadable",
                        "refuted"]
    assert "step 1" in document.steps[2].message and "step 4" in document.steps[5].message


def test_a_name_written_for_the_first_time_is_defined_by_its_line() -> None:
    (document,) = check_latex([r"L_i = -\log(p_i) = \log(1/p_i)", r"L_i = \log(p_i)",
                               r"x = 2 = 3"]).documents
    first, second, third = document.steps
    assert first.verdict in ("proved", "checked") and first.defines == "L_i"
    assert "L_i is written here for the first time" in first.message
    assert second.verdict == "refuted"  # L_i now has a meaning: a claim about it
    # x was declared nowhere and never written before: x = 2 defines it, 2 = 3 is a claim
    assert third.verdict == "refuted" and third.defines == "x"


def test_no_bridge_into_a_chain_whose_first_line_could_not_be_read() -> None:
    # the unreadable line starts a new chain: what follows must not be compared with x + x
    (document,) = check_latex([r"x + x = 2x", r"g \foo = 3", r"= 3"]).documents
    assert [step.verdict for step in document.steps] == ["proved", "unreadable", "undecided"]


def test_a_function_defined_by_a_step_can_be_differentiated(tmp_path: pathlib.Path) -> None:
    # g(z) = … defines the function g: g'(z) is its derivative, not "g does not depend on t"
    path = write(tmp_path, """\
[functions]
names = ["g"]

[[step]]
id = "G0"
latex = 'g(z)=\\frac{1}{1+e^{-z}}'
define = true

[[step]]
id = "G1"
latex = "g'(z)=g(z)(1-g(z))"

[[step]]
id = "G2"
latex = "g'(2z)=g(2z)(1+g(2z))"
""")
    steps = steps_of(path)
    assert steps["G1"].verdict == "proved"
    assert steps["G2"].verdict == "refuted"


def test_a_definition_key_written_in_latex_names_what_the_steps_read(
        tmp_path: pathlib.Path) -> None:
    # "J^{(i)}" and "h_\theta" were kept as raw text: "J is not defined"
    path = write(tmp_path, """\
[definitions]
"J^{(i)}" = { latex = '(h_\\theta - y)^2' }
"h_\\\\theta" = { latex = 'w x' }

[[step]]
id = "a"
latex = '\\frac{\\partial J^{(i)}}{\\partial w} = 2(w x - y) x'

[[step]]
id = "b"
latex = '\\frac{\\partial J^{(i)}}{\\partial w} = 2(w x - y)'
""")
    steps = steps_of(path)
    assert steps["a"].verdict == "proved"
    assert steps["b"].verdict == "refuted"


def test_a_derivative_by_a_defined_name_keeps_the_name(tmp_path: pathlib.Path) -> None:
    # ∂ℓ_j/∂p_j with p_j defined: the variable is p_j, never its value (an internal error)
    path = write(tmp_path, """\
[symbols]
a_j = { domain = "real" }
y_j = { domain = "{0,1}" }

[indices]
j = "C"
k = "C"

[settings]
sizes = { C = 3 }

[definitions]
ell_j = { latex = '- y_j \\log p_j' }

[[step]]
id = "p"
latex = 'p_j = \\frac{\\exp(a_j)}{\\sum_k^C \\exp(a_k)}'
define = true

[[step]]
id = "a"
latex = '\\frac{\\partial \\ell_j}{\\partial p_j} = \\frac{\\partial}{\\partial p_j}(-y_j\\log p_j)'

[[step]]
id = "b"
latex = '= -\\frac{y_j}{p_j}'

[[step]]
id = "c"
latex = '\\frac{\\partial \\ell_j}{\\partial p_j} = \\frac{y_j}{p_j}'
""")
    steps = steps_of(path)
    assert [steps[i].verdict for i in "abc"] == ["checked", "checked", "refuted"]


@pytest.mark.parametrize(("line", "verdict"), [
    (r"\sum_{i=1}^{m} x^{(i)} = m x^{(i)}", "refuted"),
    (r"\sum_{i=1}^{m} x^{(i)} = \sum_{j=1}^{m} x^{(j)}", "checked"),
    (r"\sum_{i=1}^{3} x^{(i)} = x^{(1)} + x^{(2)} + x^{(3)}", "proved"),
    (r"\frac{\partial}{\partial w} \sum_{i=1}^{m} (w x^{(i)} - y^{(i)})^2"
     r" = 2 \sum_{i=1}^{m} (w x^{(i)} - y^{(i)}) x^{(i)}", "checked"),
    (r"\frac{\partial}{\partial w} \sum_{i=1}^{m} (w x^{(i)} - y^{(i)})^2"
     r" = 2 m (w x^{(i)} - y^{(i)}) x^{(i)}", "refuted"),
    (r"\frac{\partial}{\partial x^{(i)}} \sum_{i=1}^{m} (x^{(i)})^2"
     r" = 2 \sum_{i=1}^{m} x^{(i)}", "undecided"),
    (r"\sum_{j=1}^{m} x_j^{(i)} = m x_j^{(i)}", "undecided"),
])
def test_a_name_with_an_example_index_in_its_sum_is_an_entry(line: str, verdict: str) -> None:
    # x^{(i)} in Σᵢ is the i-th example, never one number added m times
    (document,) = check_latex([line]).documents
    (step,) = document.steps
    assert step.verdict == verdict, step.links[0].message


def test_an_example_family_keeps_the_declared_domain(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, """\
[symbols]
"y^{(i)}" = { domain = "{0,1}" }

[[step]]
id = "a"
latex = '\\sum_{i=1}^{m} (y^{(i)})^2 = \\sum_{i=1}^{m} y^{(i)}'
""")
    assert steps_of(path)["a"].verdict in ("checked", "proved")
    (document,) = check_files([path]).documents
    assert any("the i-th example" in sentence for sentence in document.assumed)


def test_a_function_key_with_several_arguments_or_bracketed_ones(
        tmp_path: pathlib.Path) -> None:
    # J(\theta_0, \theta_1) is a function of two; h(x^{(i)}) keeps its argument x^(i)
    path = write(tmp_path, """\
[functions]
names = ["J", "h"]

[definitions]
"J(\\\\theta_0,\\\\theta_1)" = { latex = '\\theta_0^2 \\theta_1' }
"h(x^{(i)})" = { latex = '3 x^{(i)}' }

[[step]]
id = "a"
latex = '\\frac{\\partial}{\\partial \\theta_0} J(\\theta_0, \\theta_1) = 2 \\theta_0 \\theta_1'

[[step]]
id = "b"
latex = 'h(x^{(i)}) = 3 x^{(i)}'

[[step]]
id = "c"
latex = 'h(x^{(i)}) = 2 x^{(i)}'
""")
    steps = steps_of(path)
    assert [steps[i].verdict for i in "abc"] == ["proved", "proved", "refuted"]


@pytest.mark.parametrize(("line", "verdict"), [
    (r"\begin{pmatrix}-\frac{0}{0.5}&-\frac{1}{0.5}\end{pmatrix}"
     r" = \begin{pmatrix}0&-2\end{pmatrix}", "proved"),
    (r"\begin{pmatrix}1&2\end{pmatrix} = \begin{pmatrix}1&3\end{pmatrix}", "refuted"),
    (r"\begin{pmatrix}x^2\\ 1\end{pmatrix} = \begin{pmatrix}x|x|\\ 1\end{pmatrix}", "refuted"),
    (r"\begin{pmatrix}x \\ 1\end{pmatrix} = \begin{pmatrix}x & 1\end{pmatrix}", "ill-formed"),
    (r"a = \begin{pmatrix}1&2\end{pmatrix}", "definition"),  # a is new: defined here
    (r"2a = \begin{pmatrix}1&2\end{pmatrix}", "undecided"),
])
def test_matrices_written_out_are_compared_entry_by_entry(line: str, verdict: str) -> None:
    # no name has a shape: two written-out matrices (an internal error before)
    (document,) = check_latex([line]).documents
    (step,) = document.steps
    assert step.verdict == verdict


def test_a_derivative_by_a_name_of_a_formula_in_its_entries_is_undecided() -> None:
    # A and its entries A_i: A is their vector, never a number the formula does not contain
    (document,) = check_latex([r"\frac{\partial}{\partial A} \sum_{i=1}^{n} T_i \log(A_i)"
                               r" = \frac{T_i}{A_i}"]).documents
    (step,) = document.steps
    assert step.verdict == "undecided"


def test_a_repeated_index_the_other_side_never_writes_is_not_refuted(
        tmp_path: pathlib.Path) -> None:
    # the summation convention: h_i δ_ik = h_k holds when i is summed over
    from derive.verify.check import check_files

    post = tmp_path / "einstein.toml"
    post.write_text("[[step]]\nid = \"1\"\nlatex = 'h_i \\delta_{ik} = h_k'\n\n"
                    "[[step]]\nid = \"2\"\nlatex = 'h_i \\delta_{ik} = 2 h_i'\n")
    first, second = check_files([str(post)]).documents[0].steps
    assert str(first.verdict) == "undecided"
    assert "summation convention" in first.links[0].message
    assert str(second.verdict) == "refuted"  # i is written on both sides: no convention


@pytest.mark.parametrize(("latex", "verdict"), [
    (r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial y} \frac{\partial y}{\partial z}"
     r" \frac{\partial z}{\partial w}", "proved"),
    # not the chain rule: never refuted so (the text may relate L, y, w otherwise), nor
    # ill-formed (L may be what the text means by it): undecided
    (r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial y} + "
     r"\frac{\partial y}{\partial w}", "undecided"),
    (r"\frac{\partial L}{\partial w} = 2 \frac{\partial L}{\partial y} "
     r"\frac{\partial y}{\partial w}", "undecided"),
    (r"\frac{\partial L}{\partial w} = x (y - t)", "undecided"),  # about one L, undefined
])
def test_a_chain_rule_between_names_nothing_defines(tmp_path: pathlib.Path, latex: str,
                                                    verdict: str) -> None:
    from derive.verify.check import check_files

    post = tmp_path / "chain.toml"
    post.write_text(f"[[step]]\nid = \"1\"\nlatex = '{latex}'\n")
    step = check_files([str(post)]).documents[0].steps[0]
    assert str(step.verdict) == verdict
    if verdict == "proved":
        assert "which nothing defines, read as functions of what they are differentiated by" \
            in step.links[0].message


@pytest.mark.parametrize(("latex", "verdict"), [
    (r"\frac{\partial L}{\partial V} = A^T \frac{\partial L}{\partial O}", "checked"),
    (r"\frac{\partial L}{\partial A} = \frac{\partial L}{\partial O} V^T", "checked"),
    (r"\frac{\partial L}{\partial V} = A^T \delta", "checked"),  # δ = ∂L/∂O
    (r"\frac{\partial L}{\partial V} = \delta", "ill-formed"),
    # a second derivative of L is not linear in its gradient: not decided so
    (r"\frac{\partial}{\partial V} \frac{\partial L}{\partial O} = 0", "ill-formed"),
    # the transpose on the wrong side, or forgotten: never refuted so, L is defined nowhere
    (r"\frac{\partial L}{\partial A} = V^T \frac{\partial L}{\partial O}", "ill-formed"),
    (r"\frac{\partial L}{\partial V} = A \frac{\partial L}{\partial O}", "ill-formed"),
])
def test_a_matrix_chain_rule_through_a_loss_nothing_defines(
        tmp_path: pathlib.Path, latex: str, verdict: str) -> None:
    # O = AV and L a scalar function of O: ∂L/∂V = Aᵀ ∂L/∂O for every such L
    from derive.verify.check import check_files

    post = tmp_path / "attention.toml"
    post.write_text(
        "[symbols]\nA = { shape = [\"n\", \"n\"] }\nV = { shape = [\"n\", \"d\"] }\n"
        "[definitions]\nO = { latex = 'A V' }\n"
        "\"\\\\delta\" = { latex = '\\frac{\\partial L}{\\partial O}' }\n"
        f"[[step]]\nid = \"1\"\nlatex = '{latex}'\n")
    step = check_files([str(post)]).documents[0].steps[0]
    assert str(step.verdict) == verdict, step.links[0].message
    if verdict == "checked":
        assert "read as a scalar function of O alone" in step.links[0].message


@pytest.mark.parametrize(("latex", "verdict"), [
    # s² may be the post's second entry of s, which this line defines: no counterexample
    (r"s^2 = \frac{e^{2z}}{e^{z} + e^{2z}}", "undecided"),
    (r"q_2 = \frac{e^{2z}}{e^{z} + e^{2z}}", "definition"),  # written first: defines q₂
    # the name written on both sides, or inside a function: a real counterexample
    (r"x^2 = 2x", "refuted"),
    (r"\sigma(x - 1000) = 0", "refuted"),
])
def test_a_side_that_is_a_name_nothing_defines_is_no_counterexample(
        tmp_path: pathlib.Path, latex: str, verdict: str) -> None:
    from derive.verify.check import check_files

    post = tmp_path / "entry.toml"
    post.write_text(f"[[step]]\nid = \"1\"\nlatex = '{latex}'\n")
    step = check_files([str(post)]).documents[0].steps[0]
    assert str(step.verdict) == verdict
    if verdict == "undecided":
        assert "on one side only: the line may define it" in step.links[0].message


@pytest.mark.parametrize(("latex", "verdict"), [
    # h_θ, declared and defined nowhere, depends on θ: its derivative by θ is unknown, not 0
    (r"\frac{\partial}{\partial \theta} h_\theta(x) = 0", "undecided"),
    (r"\frac{\partial}{\partial \theta_1} h_\theta(x) = 0", "undecided"),
    (r"\frac{\partial}{\partial \theta} \log h_\theta(x) = "
     r"\frac{1}{h_\theta(x)} \frac{\partial}{\partial \theta} h_\theta(x)", "proved"),
    (r"\frac{\partial}{\partial \theta} h_\theta(x)^2 = "
     r"h_\theta(x) \frac{\partial}{\partial \theta} h_\theta(x)", "undecided"),
])
def test_a_function_named_by_a_variable_depends_on_it(tmp_path: pathlib.Path, latex: str,
                                                      verdict: str) -> None:
    from derive.verify.check import check_files

    post = tmp_path / "named.toml"
    post.write_text("[functions]\nnames = [\"h_\\\\theta\"]\n"
                    f"[[step]]\nid = \"1\"\nlatex = '{latex}'\n")
    step = check_files([str(post)]).documents[0].steps[0]
    assert str(step.verdict) == verdict, step.links[0].message
    if verdict == "undecided":
        assert "h_θ is named by θ" in step.links[0].message


def test_a_derivative_by_an_entry_of_a_name_written_whole_is_undecided(
        tmp_path: pathlib.Path) -> None:
    # f(w) written with wᵀx (w whole, read as a number for want of a shape): ∂f/∂w_j is not
    # 0, it is not known
    from derive.verify.check import check_files

    post = tmp_path / "entry.toml"
    post.write_text("[indices]\nj = \"n\"\n[settings]\nsizes = { n = 3 }\n"
                    "[definitions]\nf = { latex = '\\log(1 + \\exp(-w^T x))' }\n"
                    "[[step]]\nid = \"1\"\nlatex = '\\frac{\\partial f}{\\partial w_j} = 0'\n")
    step = check_files([str(post)]).documents[0].steps[0]
    assert str(step.verdict) == "undecided"
    assert "an entry of w, of a formula that writes w whole" in step.links[0].message


def test_a_layer_or_example_letter_repeated_is_no_summation_convention(
        tmp_path: pathlib.Path) -> None:
    from derive.verify.check import check_files

    post = tmp_path / "layers.toml"
    post.write_text("[[step]]\nid = \"1\"\nlatex = 'a_L w_L = 2 a_L'\n")
    step = check_files([str(post)]).documents[0].steps[0]
    assert str(step.verdict) == "refuted"


def test_a_derivative_by_another_name_for_a_value(tmp_path: pathlib.Path) -> None:
    # a = ŷ: ∂L/∂a of L written in ŷ is its derivative by ŷ, not 0
    from derive.verify.check import check_files

    post = tmp_path / "alias.toml"
    post.write_text(
        "[definitions]\nz = { latex = 'w x + b' }\n\"\\\\hat{y}\" = { latex = '\\sigma(z)' }\n"
        "a = { latex = '\\hat{y}' }\n"
        "L = { latex = '-(y \\log \\hat{y} + (1 - y) \\log(1 - \\hat{y}))' }\n"
        "[[step]]\nid = \"1\"\nlatex = '\\frac{\\partial L}{\\partial a} = "
        "-\\frac{y}{a} + \\frac{1-y}{1-a}'\n"
        "[[step]]\nid = \"2\"\nlatex = '\\frac{\\partial L}{\\partial a} = "
        "-\\frac{y}{a} - \\frac{1-y}{1-a}'\n")
    first, second = check_files([str(post)]).documents[0].steps
    assert (str(first.verdict), str(second.verdict)) == ("proved", "refuted")
