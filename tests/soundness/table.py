"""Run the soundness corpus through ``derive check`` and print the confusion table.

    python -m tests.soundness.table [--fast] [--kind K] [--jobs N] [--budget S] [--json FILE]

Rows: true / false claims, all of them and the holdout among them; columns: the verdicts of
``runner.VERDICTS``. Then the number of unsound verdicts (a false claim proved or checked, a
true claim refuted), each unsound claim with its evidence, the claims on which the checker
raised (``error``), and the median and maximum seconds per claim. Exit status 1 when any
verdict is unsound.

Claims run in worker processes (``--jobs``, default 2); a worker that gives no verdict within
``HARD_LIMIT`` budgets is killed and its claim reported as ``error``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from .corpus import ALL, CATEGORIES
from .model import Claim
from .runner import BUDGET, VERDICTS, Outcome, run_claim, unsound

HARD_LIMIT = 12
"""A worker that has not answered after this many budgets (plus 30 s) is killed."""


def _work(connection: Connection, budget: float) -> None:
    """A worker: receives positions in ``ALL``, answers (position, outcome); None stops it."""
    while True:
        position = connection.recv()
        if position is None:
            return
        outcome = run_claim(ALL[position], budget)
        connection.send((position, outcome))


class _Worker:
    def __init__(self, context: Any, budget: float) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, budget), daemon=True)
        self.process.start()
        child.close()
        self.position: int | None = None
        self.started = 0.0

    def give(self, position: int) -> None:
        self.position = position
        self.started = time.monotonic()
        self.connection.send(position)

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.connection.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


def run_all(positions: Sequence[int], jobs: int = 2, budget: float = BUDGET,
            progress: bool = True) -> dict[int, Outcome]:
    """The outcome of every claim ``ALL[p]`` for p in ``positions``."""
    if jobs <= 1:
        return {p: run_claim(ALL[p], budget) for p in positions}
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pending = list(reversed(positions))
    outcomes: dict[int, Outcome] = {}
    workers = [_Worker(context, budget) for _ in range(min(jobs, len(positions)))]
    limit = HARD_LIMIT * budget + 30
    start = time.monotonic()
    try:
        for worker in workers:
            if pending:
                worker.give(pending.pop())
        while len(outcomes) < len(positions):
            busy = [w for w in workers if w.position is not None]
            ready = wait([w.connection for w in busy], timeout=1.0)
            for worker in busy:
                position = worker.position
                assert position is not None
                if worker.connection in ready:
                    try:
                        done, outcome = worker.connection.recv()
                    except (EOFError, OSError):
                        done, outcome = position, Outcome(
                            "error", "the worker process died", time.monotonic() - worker.started)
                        worker.kill()
                        workers[workers.index(worker)] = worker = _Worker(context, budget)
                    outcomes[done] = outcome
                elif time.monotonic() - worker.started > limit:
                    outcomes[position] = Outcome(
                        "error", f"no verdict after {limit:.0f} s (worker killed)",
                        time.monotonic() - worker.started)
                    worker.kill()
                    workers[workers.index(worker)] = worker = _Worker(context, budget)
                else:
                    continue
                worker.position = None
                if pending:
                    worker.give(pending.pop())
                if progress and len(outcomes) % 50 == 0:
                    elapsed = time.monotonic() - start
                    print(f"  {len(outcomes)}/{len(positions)} claims, {elapsed:.0f} s",
                          file=sys.stderr, flush=True)
    finally:
        for worker in workers:
            worker.stop()
    return outcomes


# -- printing -------------------------------------------------------------------------------

def confusion(claims: Sequence[Claim], outcomes: Sequence[Outcome]) -> str:
    """The table: rows true/false × all/holdout, columns the verdicts."""
    header = ["", *VERDICTS, "total"]
    rows = [header]
    for truth in (True, False):
        for holdout in (False, True):
            counts = dict.fromkeys(VERDICTS, 0)
            for claim, outcome in zip(claims, outcomes, strict=True):
                if claim.truth == truth and (claim.holdout or not holdout):
                    counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
            label = f"{'true' if truth else 'false'} {'holdout' if holdout else 'all'}"
            rows.append([label, *(str(counts[v]) for v in VERDICTS),
                         str(sum(counts.values()))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                       for i, cell in enumerate(row)) for row in rows]
    return "\n".join(lines)


def told(claim: Claim) -> str:
    """What the checker is told besides the LaTeX."""
    parts = []
    for name in ("domains", "indices", "sizes", "shapes"):
        value = getattr(claim, name)
        if value:
            parts.append(f"{name}={dict(value)}")
    if claim.functions:
        parts.append(f"functions={list(claim.functions)}")
    if claim.defines:
        parts.append(f"defines={list(claim.defines)}")
    return ", ".join(parts) or "nothing"


def describe(claim: Claim, outcome: Outcome) -> str:
    truth = "TRUE" if claim.truth else f"FALSE (witness {dict(claim.witness or {})})"
    marks = " [holdout]" if claim.holdout else ""
    lines = [f"{claim.ident}{marks}",
             f"  latex:    {claim.latex}",
             f"  told:     {told(claim)}",
             f"  truth:    {truth}",
             f"  verdict:  {outcome.verdict} ({outcome.seconds:.2f} s)",
             f"  evidence: {outcome.evidence[:600]}"]
    if claim.note:
        lines.insert(4, f"  note:     {claim.note}")
    return "\n".join(lines)


def report(claims: Sequence[Claim], outcomes: Sequence[Outcome], wall: float) -> str:
    out = [f"{len(claims)} claims ({sum(c.truth for c in claims)} true, "
           f"{sum(not c.truth for c in claims)} false; {sum(c.holdout for c in claims)} holdout)",
           "", confusion(claims, outcomes), ""]
    bad = [(c, o) for c, o in zip(claims, outcomes, strict=True) if unsound(c, o.verdict)]
    errors = [(c, o) for c, o in zip(claims, outcomes, strict=True) if o.verdict == "error"]
    held = sum(c.holdout for c, _ in bad)
    out.append(f"unsound: {len(bad)} (false claims proved or checked: "
               f"{sum(not c.truth for c, _ in bad)}, true claims refuted: "
               f"{sum(c.truth for c, _ in bad)}; holdout: {held})")
    by_kind = {k: sum(c.kind == k for c, _ in bad) for k in CATEGORIES}
    out.append("unsound by category: " + ", ".join(f"{k} {n}" for k, n in by_kind.items() if n))
    out.append(f"errors: {len(errors)}")
    for title, items in (("UNSOUND", bad), ("ERROR", errors)):
        for claim, outcome in items:
            out += ["", f"{title} {describe(claim, outcome)}"]
    seconds = [o.seconds for o in outcomes]
    if seconds:
        slowest = max(range(len(seconds)), key=seconds.__getitem__)
        out += ["", f"seconds per claim: median {statistics.median(seconds):.2f}, "
                    f"max {seconds[slowest]:.2f} ({claims[slowest].ident}: "
                    f"{claims[slowest].latex[:80]}), total {sum(seconds):.0f}; "
                    f"wall {wall:.0f} s"]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soundness.table",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="only the CI subset")
    parser.add_argument("--kind", choices=CATEGORIES, help="only one category")
    parser.add_argument("--holdout", action="store_true", help="only the holdout claims")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--budget", type=float, default=BUDGET,
                        help=f"the checker's budget per claim in seconds (default {BUDGET:g})")
    parser.add_argument("--json", metavar="FILE", help="also write every outcome as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    args = parser.parse_args(argv)
    chosen = [p for p, c in enumerate(ALL)
              if (not args.fast or c.fast) and (not args.holdout or c.holdout)
              and (args.kind is None or c.kind == args.kind)]
    start = time.monotonic()
    outcomes = run_all(chosen, jobs=args.jobs, budget=args.budget, progress=not args.quiet)
    wall = time.monotonic() - start
    claims = [ALL[p] for p in chosen]
    results = [outcomes[p] for p in chosen]
    print(report(claims, results, wall))
    if args.json:
        rows = [{"ident": c.ident, "kind": c.kind, "latex": c.latex, "truth": c.truth,
                 "told": told(c), "witness": repr(dict(c.witness or {})), "note": c.note,
                 "holdout": c.holdout, "fast": c.fast, "verdict": o.verdict,
                 "evidence": o.evidence, "seconds": o.seconds, "unsound": unsound(c, o.verdict)}
                for c, o in zip(claims, results, strict=True)]
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1, ensure_ascii=False)
    return 1 if any(unsound(c, o.verdict) for c, o in zip(claims, results, strict=True)) else 0


if __name__ == "__main__":
    sys.exit(main())
