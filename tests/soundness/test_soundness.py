"""A verdict never lies: no false claim of the corpus is proved or checked, no true claim is
refuted, and the checker raises on none of them. The fast subset runs by default; the whole
corpus with ``-m slow`` (``python -m tests.soundness.table`` prints the confusion table)."""

from __future__ import annotations

import pytest

from .corpus import ALL, FAST
from .model import Claim
from .runner import run_claim, unsound
from .table import describe


def _run(claim: Claim) -> None:
    outcome = run_claim(claim)
    assert outcome.verdict != "error", "the checker raised:\n" + describe(claim, outcome)
    assert not unsound(claim, outcome.verdict), "unsound verdict:\n" + describe(claim, outcome)


@pytest.mark.parametrize("claim", FAST, ids=lambda c: c.ident)
def test_fast(claim: Claim) -> None:
    _run(claim)


@pytest.mark.slow
@pytest.mark.parametrize("claim", ALL, ids=lambda c: c.ident)
def test_all(claim: Claim) -> None:
    _run(claim)
