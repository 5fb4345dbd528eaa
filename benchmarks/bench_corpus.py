"""How derive check fares on real posted derivations (tests/corpus).

Every post is checked twice, each in its own subprocess with a timeout:

- the proof-file mode: ``derive check tests/corpus/posts/NAME.toml --format json``;
- the whole-document mode: ``derive check tests/corpus/posts/NAME.md --format json`` (the
  post as posted, no context supplied). While that mode does not exist, or when its output
  names no step, every step counts as unreadable there.

Reports are never taken from derive's cache (DERIVE_NO_CACHE=1), so the times are of checking.
Each step's verdict is matched to the truth recorded in tests/corpus/truth.py (established
without derive). For a true step, proved or checked is right (conditional too where the file
expects it); for a false step, refuted or ill-formed is right. A crash (non-zero exit with no
JSON, a timeout, output that is not JSON) counts every step of the post as a crash.

Printed per mode: steps, right rate, fails caught (false steps refuted or ill-formed), holds
refuted and fails held (true steps refuted, false steps proved, checked or conditional: the
worst kinds), unreadable, undecided, other wrong verdicts,
crashes, the median wall time per file; the same for each held-out set alone (HELD_SETS: the
holdout, never tuned against; HOLDOUT2, added after the reader's tuning began; HOLDOUT3,
HOLDOUT4, HOLDOUT5 and HOLDOUT6, examined since, so held out no longer; HOLDOUT7, added
after the sixth); and a line per post. With --reasons, the checker's messages for the
unreadable and wrongly decided steps are listed, grouped. It always exits 0:
it is a measurement.

    python benchmarks/bench_corpus.py [--timeout SECONDS] [--only NAME ...] [--reasons]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTS = ROOT / "tests" / "corpus" / "posts"
sys.path.insert(0, str(ROOT))

from tests.corpus.truth import (  # noqa: E402 - needs the root on the path
    CLAIMS,
    HOLDOUT,
    HOLDOUT2,
    HOLDOUT3,
    HOLDOUT4,
    HOLDOUT5,
    HOLDOUT6,
    HOLDOUT7,
)

HELD_SETS: tuple[tuple[str, frozenset[str], str, str], ...] = (
    ("holdout", HOLDOUT, "", ""),
    ("holdout2", HOLDOUT2, "after the reader's tuning began", ""),
    ("holdout3", HOLDOUT3, "after the second holdout", "since"),
    ("holdout4", HOLDOUT4, "when the third was examined", "when the fifth was added"),
    ("holdout5", HOLDOUT5, "after the fourth holdout", "when the sixth was added"),
    ("holdout6", HOLDOUT6, "after the fifth holdout", "when the seventh was added"),
    ("holdout7", HOLDOUT7, "after the sixth holdout", ""),
)
"""Each set kept apart from the development posts: its label, its posts, when it was added,
and when its steps were examined (read in full; then it is held out no longer)."""

RIGHT_TRUE = {"proved", "checked"}
RIGHT_FALSE = {"refuted", "ill-formed"}
OUTCOMES = ("right", "caught", "holds_refuted", "fails_held", "unreadable", "undecided", "wrong",
            "crash")


@dataclass
class Step:
    post: str
    id: str
    truth: bool
    expect: str
    latex: str
    verdict: str = "crash"
    message: str = ""

    @property
    def outcome(self) -> str:
        v = self.verdict
        if v == "crash":
            return "crash"
        if self.truth and (v in RIGHT_TRUE or (v == "conditional" and self.expect == v)):
            return "right"
        if not self.truth and v in RIGHT_FALSE:
            return "right"
        if self.truth and v == "refuted":
            return "holds_refuted"
        if not self.truth and v in (*RIGHT_TRUE, "conditional"):
            return "fails_held"
        if v == "unreadable":
            return "unreadable"
        if v == "undecided":
            return "undecided"
        return "wrong"


@dataclass
class Run:
    mode: str
    steps: list[Step] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def derive_command() -> list[str]:
    found = shutil.which("derive")
    if found:
        return [found]
    return [sys.executable, "-m", "derive"]


def scored_steps(name: str) -> list[Step]:
    with (POSTS / f"{name}.toml").open("rb") as handle:
        document = tomllib.load(handle)
    steps = []
    for step in document["step"]:
        key = f"{name}/{step['id']}"
        if key in CLAIMS:
            steps.append(Step(name, str(step["id"]), CLAIMS[key].truth,
                              str(step.get("expect", "")), str(step["latex"])))
    return steps


def run_derive(path: Path, timeout: float) -> tuple[dict[str, Any] | None, str, float]:
    """The JSON report of one file, or None with the reason; and the wall time."""
    start = time.perf_counter()
    try:
        done = subprocess.run([*derive_command(), "check", str(path), "--format", "json",
                               "-j", "1"], capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT, check=False, env={**os.environ, "DERIVE_NO_CACHE": "1"})
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout:.0f} s", time.perf_counter() - start
    seconds = time.perf_counter() - start
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"exit {done.returncode}, not JSON: {tail[:200]}", seconds
    if not isinstance(report, dict):
        return None, "JSON that is not a report", seconds
    return report, "", seconds


def document_of(report: dict[str, Any]) -> dict[str, Any]:
    documents = report.get("documents") or [{}]
    return documents[0] if isinstance(documents[0], dict) else {}


_ARROWS = r"(\\Rightarrow|\\implies|\\Longrightarrow|\\therefore)"


def normalized(latex: str) -> str:
    """A step's LaTeX without what only separates it from its neighbours: alignment marks,
    spaces, line breaks (with their spacing, ``\\\\[1em]``), arrows before or after it, a
    sentence's full stop or comma."""
    text = latex.strip().replace("&", "")
    for _ in range(3):
        text = re.sub(r"(\\\\(\[[^\]]*\])?|\\quad|\\qquad|[.,;]|\s)+$", "", text)
        text = re.sub(_ARROWS + r"\s*$", "", text)
        text = re.sub(r"^\s*" + _ARROWS, "", text)
    return re.sub(r"\s+", "", text)


def message_of(found: dict[str, Any]) -> str:
    """The checker's reason for a step's verdict: its message, else the evidence of the first
    link whose verdict is the step's."""
    message = str(found.get("message") or "")
    if message:
        return message
    verdict = found.get("verdict")
    for link in found.get("links") or []:
        if isinstance(link, dict) and link.get("verdict") == verdict:
            evidence = str(link.get("evidence") or "")
            lhs = (link.get("lhs") or {}).get("text", "")
            rhs = (link.get("rhs") or {}).get("text", "")
            return f"{evidence} [{lhs} = {rhs}]"
    return ""


def match_document_steps(steps: list[Step], found: list[dict[str, Any]]) -> None:
    """Steps of the whole-document mode matched to the truth's steps: by id when the ids
    agree, else by the LaTeX (alignment marks and spaces ignored)."""
    by_id = {str(s.get("id")): s for s in found}
    by_latex: dict[str, dict[str, Any]] = {}
    for s in found:
        by_latex.setdefault(normalized(str(s.get("latex", ""))), s)
    for step in steps:
        hit = by_id.get(step.id)
        if hit is None or normalized(str(hit.get("latex", ""))) != normalized(step.latex):
            hit = by_latex.get(normalized(step.latex))
        if hit is None:
            hit = _containing(step, found)
        if hit is None:
            step.verdict, step.message = "unreadable", "no step of the document matched"
        else:
            step.verdict = str(hit.get("verdict", "unreadable"))
            step.message = message_of(hit)


def _containing(step: Step, found: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The document's step whose LaTeX holds the truth's step (one link of a longer chain the
    document writes on one line), when every link of it has one verdict: the verdict is then
    the truth step's too."""
    wanted = normalized(step.latex)
    if len(wanted) < 8:
        return None
    for candidate in found:
        if wanted not in normalized(str(candidate.get("latex", ""))):
            continue
        verdicts = {link.get("verdict") for link in candidate.get("links") or []
                    if isinstance(link, dict)}
        if len(verdicts) <= 1:
            return candidate
    return None


def check_mode(mode: str, names: list[str], timeout: float) -> Run:
    run = Run(mode)
    for name in names:
        steps = scored_steps(name)
        path = POSTS / f"{name}.{'toml' if mode == 'proof file' else 'md'}"
        report, reason, seconds = run_derive(path, timeout)
        run.seconds[name] = seconds
        if report is None:
            for step in steps:
                step.verdict, step.message = "crash", reason
            run.errors[name] = reason
        else:
            document = document_of(report)
            found = document.get("steps") or []
            if "error" in document or not found:
                error = document.get("error") or {}
                message = str(error.get("message", "no steps")) if isinstance(error, dict) \
                    else str(error)
                for step in steps:
                    step.verdict, step.message = "unreadable", f"document: {message}"
                run.errors[name] = message
            elif mode == "proof file":
                by_id = {str(s.get("id")): s for s in found}
                for step in steps:
                    hit = by_id.get(step.id)
                    step.verdict = str(hit.get("verdict")) if hit else "crash"
                    step.message = message_of(hit) if hit else "step missing"
            else:
                match_document_steps(steps, found)
        run.steps.extend(steps)
    return run


def rate(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.0f}%)" if total else "0/0"


def summary(steps: list[Step]) -> str:
    outcomes = Counter(s.outcome for s in steps)
    false_steps = [s for s in steps if not s.truth]
    caught = sum(1 for s in false_steps if s.verdict in RIGHT_FALSE)
    return "  ".join([
        f"steps {len(steps)} ({len(false_steps)} false)",
        f"right {rate(outcomes['right'], len(steps))}",
        f"fails caught {rate(caught, len(false_steps))}",
        f"holds refuted {outcomes['holds_refuted']}",
        f"fails held {outcomes['fails_held']}",
        f"unreadable {outcomes['unreadable']}",
        f"undecided {outcomes['undecided']}",
        f"other wrong {outcomes['wrong']}",
        f"crashes {outcomes['crash']}",
    ])


def report_mode(run: Run, names: list[str], per_post: bool) -> None:
    print(f"== {run.mode} mode")
    print("  all:     " + summary(run.steps))
    held = frozenset().union(*(posts for _, posts, _, _ in HELD_SETS))
    print("  dev:     " + summary([s for s in run.steps if s.post not in held]))
    for label, posts, _, examined in HELD_SETS:
        shown = f"{label} (examined)" if examined else label
        print(f"  {shown}: " + summary([s for s in run.steps if s.post in posts]))
    times = sorted(run.seconds.values())
    if times:
        print(f"  wall time per file: median {statistics.median(times):.2f} s, "
              f"max {times[-1]:.2f} s, total {sum(times):.1f} s")
    if run.errors:
        print(f"  documents not read: {len(run.errors)}"
              f" (first: {next(iter(run.errors.items()))[1][:120]})")
    if per_post:
        for name in names:
            steps = [s for s in run.steps if s.post == name]
            outcomes = Counter(s.outcome for s in steps)
            mark = next((f" [{label}]" for label, posts, _, _ in HELD_SETS if name in posts),
                        "")
            detail = ", ".join(f"{k} {outcomes[k]}" for k in OUTCOMES if outcomes[k])
            print(f"    {name}{mark}: {rate(outcomes['right'], len(steps))} right; {detail}; "
                  f"{run.seconds.get(name, 0):.2f} s")


def shorten(message: str) -> str:
    message = re.sub(r"\s+", " ", message)
    message = re.sub(r"^[^:]*\.(toml|md):\d+:\d+: ", "", message)
    return message[:160]


def report_reasons(run: Run) -> None:
    print(f"== {run.mode} mode: why steps were not right")
    groups: dict[tuple[str, str], list[Step]] = {}
    for step in run.steps:
        if step.outcome == "right":
            continue
        groups.setdefault((step.outcome, shorten(step.message)), []).append(step)
    for (outcome, message), steps in sorted(groups.items(), key=lambda g: -len(g[1])):
        where = ", ".join(f"{s.post}/{s.id}" for s in steps[:6])
        more = f" (+{len(steps) - 6})" if len(steps) > 6 else ""
        print(f"  {len(steps):3d}  {outcome:13s} {message or '(no message)'}")
        print(f"       {where}{more}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per file")
    parser.add_argument("--only", nargs="*", help="post names")
    parser.add_argument("--reasons", action="store_true", help="group the wrong verdicts")
    parser.add_argument("--quiet", action="store_true", help="no line per post")
    args = parser.parse_args()
    names = sorted(p.stem for p in POSTS.glob("*.toml"))
    if args.only:
        names = [n for n in names if n in set(args.only)]
    total = len(scored_steps_all := [s for n in names for s in scored_steps(n)])
    print(f"corpus: {len(names)} posts ({len([n for n in names if n in HOLDOUT])} holdout), "
          f"{total} scored steps ({sum(1 for s in scored_steps_all if not s.truth)} false)")
    for label, posts, added, examined in HELD_SETS[1:]:
        steps = [s for s in scored_steps_all if s.post in posts]
        print(f"{label}: {len([n for n in names if n in posts])} posts added {added}, "
              f"{len(steps)} scored steps ({sum(1 for s in steps if not s.truth)} false)"
              + ("; examined since its first measurement" if examined == "since" else ""))
    for mode in ("proof file", "whole document"):
        run = check_mode(mode, names, args.timeout)
        report_mode(run, names, not args.quiet)
        if args.reasons:
            report_reasons(run)
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted")
    sys.exit(0)
