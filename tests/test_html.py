"""The HTML report (MathML, escaped, atomic), notebook display, and a real browser rendering it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp

from derive.api import steps
from derive.core.arrays import Entrywise
from derive.core.functions import relu, sigmoid
from derive.emit.html import MATHML_ELEMENTS, html_fragment, html_report, mathml, write_html
from derive.integrations.display import register, to_html, to_markdown
from derive.read.latex import Differential
from derive.verify.check import Report, check_files

ROOT = Path(__file__).resolve().parent.parent
PROOFS = sorted(str(p) for p in (ROOT / "proofs").glob("*.toml"))
MATH = re.compile(r"<math\b.*?</math>", re.S)


@pytest.fixture(scope="module")
def report() -> Report:
    return check_files(PROOFS)


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return html_report(report)


def _maths(page: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in MATH.findall(page)]


def test_every_math_element_is_well_formed_mathml(page: str) -> None:
    maths = _maths(page)
    assert len(maths) > 50
    for math in maths:
        for element in math.iter():
            assert element.tag.rsplit("}", 1)[-1] in MATHML_ELEMENTS
    # no expression fell back to plain text: the only words are those of a case's condition
    words = {element.text for math in maths for element in math.iter()
             if element.tag.endswith("mtext")}
    assert words <= {"if\u00a0", "otherwise"}


def test_report_page_holds_every_step_and_its_evidence(page: str, report: Report) -> None:
    assert page.startswith("<!DOCTYPE html>")
    for document in report.documents:
        for step in document.steps:
            assert f">{step.claim.id}</span>" in page
    assert 'class="counterexample"' in page and "Diagnosis." in page
    assert "inner derivative" in page  # the sign error of document 000, named
    assert "every verdict as expected" in page
    # labels are the documents' own words: shown as written, like the LaTeX
    assert '<span class="label written">' in page
    # nothing to fetch: no scripts, no external resources
    assert "<script" not in page and "http://" not in page.replace(
        "http://www.w3.org/1998/Math/MathML", "")
    assert "https://" not in page and "<link" not in page


def test_printer_writes_the_documents_notation() -> None:
    yhat, z, a = sp.Symbol("yhat_i"), sp.Symbol("z"), sp.Symbol("a1")
    X, W = sp.MatrixSymbol("X", 3, 2), sp.MatrixSymbol("W", 2, 2)
    y = sp.MatrixSymbol("y", 3, 2)
    cases = {
        "mover": mathml(yhat),
        "\u03c3": mathml(sigmoid(z)),
        "relu": mathml(relu(z)),
        "relu</mi><mo>\u2032": mathml(sp.Heaviside(a, 0)),
        "\u2299": mathml(sp.HadamardProduct(X, y)),
        "\u22a4": mathml(X.T * y),
        "<mi>d</mi><mi>y</mi>": mathml(Differential(sp.Symbol("y"))),
        "<mfrac><mi>d</mi><mrow><mi>d</mi><mi>z</mi>": mathml(sp.Derivative(sigmoid(z) * z, z)),
    }
    for needle, printed in cases.items():
        assert needle in printed, (needle, printed)
    entrywise = Entrywise(sigmoid(z), (z,), (X,))
    assert "\u03c3" in mathml(entrywise) and "entrywise" not in mathml(entrywise)
    assert mathml(X @ W) and "<mfrac>" in mathml((z - 1) / (z * (1 - z)))


def test_text_from_files_is_escaped(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(r"""
[document]
title  = "<script>alert('title')</script>"
source = "<img src=x onerror=alert(1)>"

[[step]]
id     = "<b>1</b>"
label  = "</span><script>alert('label')</script>"
latex  = '\frac{1}{2} = </code><script>alert(1)</script>'
note   = "<iframe src=javascript:alert(1)>"
""", encoding="utf-8")
    page = html_report(check_files([str(hostile)]))
    for raw in ("<script", "<img", "<iframe", "<b>1</b>", "</span><script"):
        assert raw not in page
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    assert "&lt;iframe src=javascript:alert(1)&gt;" in page


def test_derivations_render(tmp_path: Path) -> None:
    for derivation in (steps("bce"), steps("mlp", "W1"), steps("logistic", "w")):
        page = html_report(derivation)
        assert "<mtext>" not in page
        assert "every step verified" in page
        assert len(_maths(page)) > 5


def test_write_html_is_atomic(tmp_path: Path, report: Report) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(TypeError):
        write_html(object(), target)
    assert target.read_text(encoding="utf-8") == "old"
    write_html(report, target)
    assert target.read_text(encoding="utf-8") == html_report(report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not left private by mkstemp


# -- notebooks -------------------------------------------------------------------------------


def test_to_markdown_and_to_html(report: Report) -> None:
    derivation = steps("bce")
    assert "| step | claim | verdict |" in to_markdown(report)
    assert "**Result:**" in to_markdown(derivation)
    assert to_markdown(report.documents[0]).startswith("## ")
    fragment = to_html(derivation)
    assert fragment == html_fragment(derivation)
    assert fragment.startswith('<div class="derive"><style>') and "<math" in fragment
    assert "<html" not in fragment


def test_register_without_a_running_shell_does_nothing() -> None:
    assert register() is False


def test_register_with_ipython_formatters(report: Report) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")

    class Shell:
        display_formatter = formatters.DisplayFormatter()

    shell = Shell()
    assert register(shell) is True
    data, _ = shell.display_formatter.format(steps("bce"))
    assert "<math" in data["text/html"]
    assert "**Result:**" in data["text/markdown"]
    data, _ = shell.display_formatter.format(report)
    assert "derive check" in data["text/html"]


# -- a real browser ----------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = os.environ.get("DERIVE_CHROMIUM") or next(
    (found for name in BROWSERS if (found := shutil.which(name))), None)

# Part of the test fixture, not of the product page: measures the page once it is laid out.
PROBE = """
<script>
(function () {
  const maths = document.querySelectorAll('math');
  const first = maths.length ? maths[0].getBoundingClientRect() : {height: 0, width: 0};
  const fraction = document.querySelector('mfrac');
  const probe = document.createElement('span');
  probe.textContent = 'x';
  document.querySelector('main').appendChild(probe);
  const line = probe.getBoundingClientRect().height;
  probe.remove();
  const visible = document.body.cloneNode(true);
  visible.querySelectorAll('.latex, .written, script, style').forEach(e => e.remove());
  const text = visible.textContent;
  const result = {
    maths: maths.length,
    mathml: maths.length > 0 && maths[0] instanceof MathMLElement,
    firstHeight: first.height,
    firstWidth: first.width,
    fractionHeight: fraction ? fraction.getBoundingClientRect().height : 0,
    lineHeight: line,
    rawLatex: (text.match(/\\\\frac|\\$\\$|\\\\hat|\\\\sigma/g) || []).length,
    counterexamples: document.querySelectorAll('table.counterexample').length,
  };
  document.body.setAttribute('data-probe', JSON.stringify(result));
})();
</script>
"""


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--window-size=1280,2400", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (Debian: apt-get install "
                                            "chromium chromium-driver); the browser test needs it")
def test_report_renders_in_chromium(tmp_path: Path, page: str) -> None:
    product = tmp_path / "report.html"
    product.write_text(page, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")

    dumped = _chromium(probed, tmp_path / "profile-dom", "--dump-dom")
    match = re.search(r"data-probe=\"([^\"]*)\"", dumped.stdout)
    assert match, f"no probe result in the dumped DOM; stderr: {dumped.stderr[-2000:]}"
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["maths"] > 50 and result["mathml"] is True
    assert result["firstHeight"] > 0 and result["firstWidth"] > 0
    # laid out as a fraction (numerator over denominator), not as a run of text
    assert result["fractionHeight"] > 1.4 * result["lineHeight"]
    assert result["rawLatex"] == 0  # LaTeX shows only in the "as written" blocks
    assert result["counterexamples"] >= 1
    assert dumped.stdout.count("<math") == result["maths"]

    screenshot = tmp_path / "report.png"
    shot = _chromium(product, tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert screenshot.exists(), shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000  # a page of text and math, not a blank one
    keep = os.environ.get("DERIVE_SCREENSHOT")
    if keep:
        shutil.copy(screenshot, keep)


def test_matrix_sums_functions_and_hessians_print_as_written() -> None:
    X, w, y = sp.MatrixSymbol("X", 3, 2), sp.MatrixSymbol("w", 2, 1), sp.MatrixSymbol("y", 3, 1)
    t = sp.Dummy("t")
    applied = sp.matrices.expressions.applyfunc.ElementwiseApplyFunction(
        sp.Lambda(t, sigmoid(t)), X * w)
    page = mathml(sp.MatAdd(applied, -y))
    assert "Elementwise" not in page and "σ" in page and "−" in page and "+" not in page
    hessian = mathml(sp.Derivative(sp.Symbol("L"), w, w))
    assert "⊤" in hessian and "<mn>2</mn>" in hessian
