"""Proof files: the index letters and the elementwise product signs a file declares."""

from __future__ import annotations

import pathlib

import pytest
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import COUNT, REAL
from derive.core.errors import ProofFileError
from derive.read.latex import ArrayHadamard, ArrayProduct, parse_expression
from derive.read.proofs import load

INDEXED = Context(
    symbols={name: SymbolInfo(name, COUNT) for name in ("C", "i", "j", "k")},
    indices={"i": "C", "j": "C", "k": "C"},
)


def S(name: str, context: Context = INDEXED) -> sp.Symbol:
    return context.symbol(name)


def test_elementwise_signs_are_declared_per_file() -> None:
    shapes = {name: SymbolInfo(name, REAL, ("n", "d")) for name in ("A", "B")}
    plain = Context(symbols=shapes)
    declared = Context(symbols=shapes, elementwise=frozenset({"*", "\\times", "juxtaposition"}))
    A, B = plain.matrix("A"), plain.matrix("B")
    for text in ("A * B", r"A \times B", "A B"):
        assert parse_expression(text, declared) == ArrayHadamard(A, B)
        assert parse_expression(text, plain) == ArrayProduct(A, B)
    assert parse_expression(r"A \cdot B", declared) == ArrayProduct(A, B)
    scalars = Context(elementwise=frozenset({"*"}))
    assert parse_expression("a * b", scalars) == S("a", Context()) * S("b", Context())


def test_the_proof_file_declares_indices_and_elementwise_signs(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[indices]\ni = "C"\n[settings]\nelementwise = ["*", "\\\\times"]\n'
                    '[[step]]\nlatex = "a = a"\n')
    context = load(str(path)).context
    assert context.indices == {"i": "C"}
    assert context.elementwise == frozenset({"*", "\\times"})
    assert context.symbols["i"].domain == COUNT and context.symbols["C"].domain == COUNT
    path.write_text('[indices]\nii = "C"\n[[step]]\nlatex = "a = a"\n')
    with pytest.raises(ProofFileError) as caught:
        load(str(path))
    assert "index 'ii'" in str(caught.value)


def test_aliases_written_in_latex_name_what_the_steps_read(tmp_path: pathlib.Path) -> None:
    from derive.verify.check import check_files

    path = tmp_path / "alias.toml"
    path.write_text(r'''
[document]
title = "an alias written in LaTeX"

[symbols]
"\\hat y_i" = { domain = "(0,1)" }

[aliases]
"\\hat y" = { means = "\\hat y_i", why = "the subscript is dropped inside the log" }

[[step]]
id = "1"
latex = '\frac{d}{d\hat y_i}\log(1 - \hat y) = -\frac{1}{1 - \hat y_i}'
''', encoding="utf-8")
    document = load(str(path))
    assert [(a.name, a.means) for a in document.aliases] == [("yhat", "yhat_i")]
    (report,) = check_files([str(path)]).documents
    assert [s.verdict for s in report.steps] == ["proved"]
    assert "ŷ is read as ŷᵢ" in " ".join(report.assumed)


def test_an_inline_definition_under_a_quoted_key_is_placed_at_its_latex(
        tmp_path: pathlib.Path) -> None:
    path = tmp_path / "placed.toml"
    path.write_text('[document]\ntitle = "t"\n\n[definitions]\n'
                    '"\\\\hat{y}" = { latex = \'\\sigma(z)\', note = "the prediction" }\n',
                    encoding="utf-8")
    (definition,) = load(str(path)).definitions
    line = path.read_text(encoding="utf-8").splitlines()[4]
    assert definition.name == "\\hat{y}"
    assert (definition.line, definition.column) == (5, line.index("'") + 2)
