"""In a live Jupyter kernel: a derivation and a report display as rendered math."""

from __future__ import annotations

import json
import os
import pathlib
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).parent.parent


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> object:
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # the future default; no warning
    # a kernel of this very interpreter: the installed "python3" kernel runs whatever
    # `python` is first on PATH, which need not be the environment the tests run in
    kernels = tmp_path_factory.mktemp("jupyter")
    spec = kernels / "kernels" / "derive-tests"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "derive tests", "language": "python"}))
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(kernels), previous) if p)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import derive\nderive.steps('logistic', 'w')"),
        nbformat.v4.new_code_cell(
            "from derive.verify.check import check_files\n"
            "check_files(['proofs/000_bce_sign_error.toml']).documents[0]"),
        nbformat.v4.new_code_cell("derive.steps('sigmoid', 'nothing')"),
    ]
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="derive-tests",
                                     allow_errors=True,
                                     resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    finally:
        if previous is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = previous
    return notebook


def _data(notebook: object, cell: int) -> dict[str, str]:
    outputs = notebook.cells[cell].outputs  # type: ignore[attr-defined]
    results = [o for o in outputs if o["output_type"] == "execute_result"]
    assert results, outputs
    return dict(results[0]["data"])


def test_a_derivation_displays_as_math_in_a_live_kernel(executed: object) -> None:
    data = _data(executed, 0)
    assert "<math" in data["text/html"] and "<script" not in data["text/html"]
    assert "$" in data["text/markdown"]
    assert "σ" in data["text/plain"] or "sigma" in data["text/plain"]


def test_a_report_displays_its_counterexample_in_a_live_kernel(executed: object) -> None:
    data = _data(executed, 1)
    assert "refuted" in data["text/html"] and "<math" in data["text/html"]
    assert "refuted" in data["text/markdown"]


def test_an_error_in_a_cell_names_what_was_expected(executed: object) -> None:
    outputs = executed.cells[2].outputs  # type: ignore[attr-defined]
    (error,) = [o for o in outputs if o["output_type"] == "error"]
    assert "nothing" in error["evalue"]
