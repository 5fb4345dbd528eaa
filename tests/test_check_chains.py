"""Chains in derive.verify.check: aligned blocks line after line, and limits evaluated by the
checker."""

from __future__ import annotations

from derive.read.latex import parse_lines
from derive.verify.check import check_latex


def test_an_aligned_block_is_one_chain_line_after_line() -> None:
    block = r"\begin{aligned} x + x &= 2x \\ &= 3x \\ &= 2x \end{aligned}"
    assert len(parse_lines(block)) == 3
    (document,) = check_latex([block]).documents
    (step,) = document.steps
    assert [link.verdict for link in step.links] == ["proved", "refuted", "refuted"]
    assert step.verdict == "refuted"


def test_a_line_that_does_not_start_with_equals_starts_a_new_chain() -> None:
    block = r"\begin{aligned} a &= a \\ b &= b + 0 \\ &= b \end{aligned}"
    (document,) = check_latex([block]).documents
    (step,) = document.steps
    assert len(step.links) == 3  # a = a; b = b + 0; b + 0 = b; nothing links a to b
    assert all(link.verdict == "proved" for link in step.links)


def test_a_line_that_ends_with_equals_continues_on_the_next() -> None:
    (document,) = check_latex([r"x + x = \\ 2x"]).documents
    (step,) = document.steps
    assert [link.verdict for link in step.links] == ["proved"]


def test_a_first_principles_limit_is_evaluated() -> None:
    (document,) = check_latex([r"\lim_{h \to 0} \frac{(x+h)^2 - x^2}{h} = 2x"]).documents
    assert document.steps[0].verdict == "proved"
    (document,) = check_latex([r"\lim_{h \to 0} \frac{(x+h)^2 - x^2}{h} = x"]).documents
    assert document.steps[0].verdict == "refuted"
