"""The pytest plugin: failing derive assertions read well; proof files become test items."""

from __future__ import annotations

import importlib
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import derive.verify.check

pytest_plugins = ["pytester"]

# pytester runs in this process and forgets the modules a run imports; numpy cannot be
# imported twice, so everything a run may import is imported here first
for _module in (
    "derive.verify.check", "derive.verify.diagnose", "derive.decide.equivalence",
    "derive.read.latex", "derive.read.proofs", "derive.emit.render", "derive.verify.shapes",
    "derive.integrations.testing",
):
    importlib.import_module(_module)

ROOT = Path(__file__).resolve().parent.parent
PROOF = ROOT / "proofs" / "000_bce_sign_error.toml"
REGISTERED = any(e.value == "derive.integrations.plugin" for e in entry_points(group="pytest11"))
# once the entry point is installed the plugin loads itself; before, load it by name
PLUGIN = () if REGISTERED else ("-p", "derive.integrations.plugin")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*PLUGIN, "-p", "no:cacheprovider", "-W",
                                        "ignore::pytest.PytestAssertRewriteWarning", *args)


USER_TESTS = r'''
from derive.integrations.testing import assert_identity

def test_sigmoid():
    assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1-\sigma(z))")

def test_wrong():
    assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1+\sigma(z))")
'''


def test_failing_assertion_shows_verdict_counterexample_and_diagnosis(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*test_user.py:7: in test_wrong",
        "*assert_identity(*",
        "E   *identity refuted: d/dz σ(z) = σ(z)·(1 + σ(z))",
        "E     counterexample: at z = *: left side = *, right side = *",
        "E     diagnosis: *σ′ taken as σ(1 + σ)*",
    ])
    assert "assert False" not in output
    assert "derive/integrations/testing.py" not in output  # the traceback stops at the user's line


def test_tb_option_is_respected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = run(pytester, "--tb=line")
    result.assert_outcomes(passed=1, failed=1)
    assert "identity refuted" in result.stdout.str()


def _proofs(pytester: pytest.Pytester, text: str | None = None) -> Path:
    folder = pytester.mkdir("proofs")
    if text is None:
        shutil.copy(PROOF, folder / PROOF.name)
    else:
        (folder / "mine.toml").write_text(text, encoding="utf-8")
    return folder


def test_every_step_of_a_proof_file_is_an_item(pytester: pytest.Pytester,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _proofs(pytester)
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    calls: list[str] = []
    original = derive.verify.check.check_document

    def counting(document: derive.verify.check.ProofDocument,
                 **kwargs: float) -> derive.verify.check.DocumentReport:
        calls.append(document.path)
        return original(document, **kwargs)

    monkeypatch.setattr(derive.verify.check, "check_document", counting)
    result = run(pytester, "--derive-proofs", "proofs", "-v")
    output = result.stdout.str()
    assert result.ret == 0, output
    result.stdout.fnmatch_lines([
        "derive proofs: *proofs",
        "proofs/000_bce_sign_error.toml::Q0 PASSED (unreadable)*",
        "proofs/000_bce_sign_error.toml::Q3 PASSED (refuted)*",
        "test_other.py::test_other PASSED*",
    ])
    steps = output.count("proofs/000_bce_sign_error.toml::")
    assert steps >= 20
    assert len(calls) == 1  # the file is checked once, for all its steps


def test_ini_option_and_positional_folder(pytester: pytest.Pytester) -> None:
    _proofs(pytester)
    pytester.makeini("[pytest]\nderive_proofs = proofs\n")
    # the folder given as a path too: collected once, not twice
    result = run(pytester, "proofs", "-q", "-k", "Q3 or Q4")
    result.assert_outcomes(passed=2, deselected=result.parseoutcomes()["deselected"])


MISMATCH = r"""
[document]
title = "a wrong expectation <b>"

[symbols]
yhat = { domain = "(0,1)" }

[[step]]
id     = "S1"
label  = "the derivative of log(1 - yhat)"
latex  = '\frac{d}{d\hat y}\log(1-\hat y) = \frac{1}{1-\hat y}'
expect = "proved"
note   = "the chain rule is missing"

[[step]]
id     = "S2"
latex  = '\frac{d}{d\hat y}\log(1-\hat y) = \frac{-1}{1-\hat y}'
"""


def test_a_step_that_differs_from_its_expectation_fails(pytester: pytest.Pytester) -> None:
    _proofs(pytester, MISMATCH)
    result = run(pytester, "--derive-proofs", "proofs", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*proofs/mine.toml::S1 FAILED (refuted)*",
        "*proofs/mine.toml::S2 PASSED (proved)*",
        "*S1: refuted, but the file expects proved",
        "*label: the derivative of log(1 - yhat)",
        r"*as written (line 11): \frac{d}{d\hat y}\log(1-\hat y) = \frac{1}{1-\hat y}",
        "*refuted: d/dŷ log(1 − ŷ) = 1/(1 − ŷ)",
        "*at ŷ = *: this side is *, the side before it is *",
        "*note: the chain rule is missing",
    ])


def test_a_broken_proof_file_is_a_collection_error(pytester: pytest.Pytester) -> None:
    _proofs(pytester, "[document]\ntitle = 'x'\n[[step]]\nid = 'a'\n")
    result = run(pytester, "--derive-proofs", "proofs")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cannot use this proof file:*",
                                 "*mine.toml:*step 'a' has no latex*"])


def test_a_missing_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--derive-proofs", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "nowhere is not a folder" in result.stderr.str()


def test_without_the_option_nothing_changes(pytester: pytest.Pytester) -> None:
    _proofs(pytester)
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    result = run(pytester, "-q")
    result.assert_outcomes(passed=1)
