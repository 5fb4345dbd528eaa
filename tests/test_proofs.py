"""Proof files: what they hold, and one clear error with file:line:col for each way they
can be wrong."""

from __future__ import annotations

import pathlib

import pytest

from derive.core.errors import ProofFileError
from derive.read.proofs import load

PROOFS = pathlib.Path(__file__).parent.parent / "proofs"

GOOD = """\
[document]
title = "t"

[symbols]
y = { domain = "{0,1}" }

[[step]]
id = "a"
latex = 'y = y'
expect = "proved"
"""


def write(tmp_path: pathlib.Path, text: str) -> str:
    path = tmp_path / "p.toml"
    path.write_text(text)
    return str(path)


def test_every_document_has_a_proof_file() -> None:
    sources = {load(str(p)).source for p in PROOFS.glob("*.toml")}
    assert {"000_a69cb98ebff00a2a.txt"} <= sources


def test_good_file_reads(tmp_path: pathlib.Path) -> None:
    document = load(write(tmp_path, GOOD))
    assert document.title == "t"
    (claim,) = document.claims
    assert (claim.id, claim.expect, claim.line, claim.column) == ("a", "proved", 9, 10)


def test_a_step_of_kind_definition_defines_its_name(tmp_path: pathlib.Path) -> None:
    # kind = "definition" says what define = true says: Z = XW + b defines Z, even declared
    from derive.verify.check import check_document

    document = load(write(tmp_path, """\
[symbols]
X = { shape = ["n", "d"] }
W = { shape = ["d", "h"] }
Z = { shape = ["n", "h"] }

[[step]]
id = "z"
latex = 'Z = X W'
kind = "definition"

[[step]]
id = "again"
latex = 'Z^T = W^T X^T'
"""))
    assert [c.define for c in document.claims] == [True, False]
    steps = check_document(document).steps
    assert [str(s.verdict) for s in steps] == ["definition", "checked"]  # Z free: refuted


@pytest.mark.parametrize(("text", "message", "line"), [
    (GOOD.replace('title = "t"', 'title = "t'), "not valid TOML", 2),
    (GOOD + "\n[mystery]\nx = 1\n", "unknown section [mystery]", 12),
    (GOOD.replace('expect = "proved"', 'expect = "maybe"'), "unknown expect value", 10),
    (GOOD.replace('expect = "proved"', 'expect = "proved"\ncolour = 1'), "unknown key 'colour'",
     11),
    (GOOD + '\n[[step]]\nid = "a"\nlatex = "y"\n', "duplicate step id 'a'", 13),
    (GOOD.replace("{0,1}", "{maybe}"), "unknown domain", 5),
    (GOOD.replace("latex = 'y = y'\n", ""), "has no latex", 7),
])
def test_bad_files_name_file_line_and_column(tmp_path: pathlib.Path, text: str, message: str,
                                              line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProofFileError) as raised:
        load(path)
    error = raised.value
    assert message in error.message
    assert error.source == path
    assert error.line == line, str(error)
    assert str(error).startswith(f"{path}:{line}:")


def test_truncated_and_binary_files(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(GOOD.encode()[:40])
    with pytest.raises(ProofFileError):
        load(str(path))
    path.write_bytes(b"\xff\xfe[document]")
    with pytest.raises(ProofFileError, match="UTF-8"):
        load(str(path))
    path.write_bytes(b"[document]\x00")
    with pytest.raises(ProofFileError, match="NUL"):
        load(str(path))
    with pytest.raises(ProofFileError, match="cannot read"):
        load(str(tmp_path / "missing.toml"))


def test_function_names_written_in_latex_declare_the_name_the_steps_read(
        tmp_path: pathlib.Path) -> None:
    # h_{\theta}(x) is then a call, not the product h_theta·x
    path = write(tmp_path, '[functions]\nnames = ["J", "h_{\\\\theta}", "g_\\\\phi"]\n\n'
                           "[[step]]\nid = 'a'\nlatex = 'x = x'\n")
    functions = load(path).context.functions
    assert {"h_theta", "g_phi", "J"} <= functions
