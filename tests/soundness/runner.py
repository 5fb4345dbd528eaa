"""Running one claim through ``derive check`` and judging the verdict for soundness."""

from __future__ import annotations

import pathlib
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Any

from derive.verify.check import check_files, check_latex

from .model import Claim

BUDGET = 5.0
VERDICTS = ("proved", "checked", "conditional", "undecided", "refuted", "ill-formed",
            "unreadable", "definition", "error")
"""The columns of the confusion table; ``error`` is an exception out of the checker."""


@dataclass(frozen=True)
class Outcome:
    """The checker's verdict on a claim, its evidence and the time it took."""

    verdict: str
    evidence: str
    seconds: float


def unsound(claim: Claim, verdict: str) -> bool:
    """A false claim proved or checked, or a true claim refuted."""
    if claim.truth:
        return verdict == "refuted"
    return verdict in ("proved", "checked")


def describe_step(step: Any) -> str:
    parts = []
    if step.message:
        parts.append(str(step.message))
    if step.error:
        parts.append(str(step.error))
    for link in step.links:
        text = f"{link.verdict}: {link.lhs} = {link.rhs}"
        if link.message:
            text += f" ({link.message})"
        if link.outcome is not None:
            text += f" [{str(link.outcome)[:300]}]"
        parts.append(text)
    return "; ".join(parts)


def toml_string(text: str) -> str:
    if "'''" in text:
        raise ValueError("a claim may not contain '''")
    return "'''" + text + "'''"


def proof_file(claim: Claim) -> str:
    """A proof file (docs/proofs.md) for a claim about matrices or one read under definitions:
    the definitions as ``define = true`` steps, then the claim as the last step."""
    lines = ['[document]', 'title = "soundness corpus claim"', "", "[symbols]"]
    names = sorted(set(claim.shapes) | set(claim.domains))
    for name in names:
        fields = []
        if name in claim.domains:
            fields.append(f'domain = "{claim.domains[name]}"')
        if name in claim.shapes:
            rows, cols = claim.shapes[name]
            fields.append(f'shape = ["{rows}", "{cols}"]')
        if name in claim.entries:
            fields.append("entries = " + toml_string(claim.entries[name]))
        key = name.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'"{key}" = {{ {", ".join(fields)} }}')
    if claim.functions:
        lines += ["", "[functions]", "names = [" + ", ".join(f'"{f}"' for f in claim.functions)
                  + "]"]
    if claim.indices:
        lines += ["", "[indices]"] + [f'{k} = "{v}"' for k, v in claim.indices.items()]
    if claim.sizes:
        inner = ", ".join(f"{k} = {v}" for k, v in claim.sizes.items())
        lines += ["", "[settings]", f"sizes = {{ {inner} }}"]
    for number, definition in enumerate(claim.defines, 1):
        lines += ["", "[[step]]", f'id = "def{number}"', f"latex = {toml_string(definition)}",
                  "define = true"]
    lines += ["", "[[step]]", 'id = "claim"', f"latex = {toml_string(claim.latex)}", ""]
    return "\n".join(lines)


def run_claim(claim: Claim, budget: float = BUDGET) -> Outcome:
    """The checker's verdict on ``claim`` (through a proof file when it declares shapes or
    definitions)."""
    start = time.monotonic()
    try:
        if claim.shapes or claim.defines:
            with tempfile.TemporaryDirectory() as folder:
                path = pathlib.Path(folder) / "claim.toml"
                path.write_text(proof_file(claim))
                report = check_files([str(path)], budget=budget)
        else:
            report = check_latex([claim.latex], functions=claim.functions,
                                 domains=dict(claim.domains) or None,
                                 indices=dict(claim.indices) or None,
                                 sizes=dict(claim.sizes) or None, budget=budget)
        document = report.documents[0]
        if document.error is not None:
            return Outcome("unreadable", str(document.error), time.monotonic() - start)
        if not document.steps:
            return Outcome("unreadable", "no step was read", time.monotonic() - start)
        step = document.steps[-1]
        return Outcome(step.verdict, describe_step(step), time.monotonic() - start)
    except Exception as error:  # an exception is reported in the table, not hidden
        lines = traceback.format_exception_only(type(error), error)
        return Outcome("error", "".join(lines).strip(), time.monotonic() - start)
