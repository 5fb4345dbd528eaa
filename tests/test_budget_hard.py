"""A budget is hard: a claim whose symbolic work never ends stops within its budget.

Wall time is compared with the budget in the same test, against a trivial run of the same
command measured just before (the start-up cost of a process on this machine, now), so that a
busy machine slows both alike. The margin is the issue's 10 % plus a fixed half second.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

BUDGET = 2.0
HARD = [
    pytest.param(r"\frac{d^{10}}{dx^{10}}\sigma(\sigma(x)) = 0", id="tenth-derivative"),
    pytest.param(r"\lim_{x\to\infty} \left(\sigma(x)^{e^{x}}\right) = 1", id="limit"),
    pytest.param(r"\frac{d^{8}}{dx^{8}}\tanh(\sigma(x)^{x}) = \sigma(x)", id="power-tower"),
]


def _timed(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True,
                          text=True, timeout=120)
    return time.monotonic() - start, done


@pytest.mark.parametrize("claim", HARD)
def test_a_claim_stops_within_its_budget(claim: str) -> None:
    startup, trivial = _timed("check", "--latex", "x = x", "--budget", str(BUDGET))
    assert trivial.returncode == 0, trivial.stderr
    elapsed, done = _timed("check", "--latex", claim, "--budget", str(BUDGET))
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert elapsed - startup <= BUDGET * 1.1 + 0.5, (
        f"{elapsed:.2f} s against a budget of {BUDGET} s (start-up {startup:.2f} s):\n"
        f"{done.stdout}")
