r"""A course autograder: students submit the gradient of binary cross-entropy in LaTeX.

Run it with ``python docs/autograder_example.py``. ``grade`` marks a final answer with
``derive.integrations.testing.check_derivative``; ``grade_steps`` marks a whole worked
derivation with ``derive.verify.check.check_latex`` and points at the first line that is
wrong. The feedback is the checker's own: the counterexample, and the diagnosis that names the
mistake when one does.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.emit.render import link_evidence
from derive.integrations.testing import check_derivative, diagnosis_text
from derive.verify.check import check_latex

LOSS = r"-(y\log(\hat y) + (1-y)\log(1-\hat y))"
DOMAINS = {"y": "{0,1}", "yhat": "(0,1)"}
QUESTION = r"Differentiate J = " + LOSS + r" with respect to \hat y."


@dataclass(frozen=True)
class Grade:
    score: int
    feedback: str


def grade(answer: str) -> Grade:
    """One final answer, as LaTeX."""
    finding = check_derivative(LOSS, r"\hat y", answer, budget=5.0, **DOMAINS)
    if finding.passed():
        return Grade(1, f"correct ({finding.verdict} {finding.evidence})")
    if finding.verdict == "unreadable":
        return Grade(0, f"cannot read your answer: {finding.claim}")
    lines = [f"not the derivative ({finding.verdict})"]
    if finding.counterexample is not None:
        lines.append(f"try {finding.counterexample}")
    if finding.diagnosis:
        lines.append(finding.diagnosis)
    elif finding.verdict != "refuted":
        lines.append(finding.evidence)
    return Grade(0, "\n".join(lines))


def grade_steps(steps: list[str]) -> Grade:
    """A worked derivation, one line per step (``= ...`` continues the line before)."""
    report = check_latex(steps, domains=DOMAINS)
    (document,) = report.documents
    for number, step in enumerate(document.steps, start=1):
        if step.verdict in ("proved", "checked"):
            continue
        lines = [f"line {number} is {step.verdict}: {step.claim.latex}"]
        lines += [step.message] if step.message else []
        for link in step.links:
            if link.verdict in ("proved", "checked"):
                continue
            lines.append(link_evidence(link))
            diagnosis = diagnosis_text(link.diagnosis)
            if diagnosis:
                lines.append(diagnosis)
        return Grade(0, "\n".join(lines))
    return Grade(1, "every line follows from the one before")


SUBMISSIONS = {
    "alice": r"\frac{\hat y - y}{\hat y(1-\hat y)}",
    "bob": r"-(\frac{y}{\hat y} + \frac{1-y}{1-\hat y})",  # the sign error of the forum thread
    "carol": r"\frac{1-y}{1-\hat y} - \frac{y}{\hat y}",  # right, written another way
    "dave": r"\frac{\hat y - y}{\hat y(1-\hat y}",  # a bracket short
}

WORKED = [
    r"\frac{d}{d\hat y}\left(" + LOSS + r"\right) = -(\frac{y}{\hat y} - \frac{1-y}{1-\hat y})",
    r"= -(\frac{y(1-\hat y) - (1-y)\hat y}{\hat y(1-\hat y)})",
    r"= \frac{\hat y + y}{\hat y(1-\hat y)}",  # a slip in the last line
]


def main() -> None:
    print(QUESTION)
    for name, answer in SUBMISSIONS.items():
        result = grade(answer)
        marks = "full marks" if result.score else "0 marks"
        print(f"{name}: {marks}")
        for line in result.feedback.splitlines():
            print(f"    {line}")
    result = grade_steps(WORKED)
    print(f"erin (worked derivation): {'full marks' if result.score else '0 marks'}")
    for line in result.feedback.splitlines():
        print(f"    {line}")


if __name__ == "__main__":
    main()
