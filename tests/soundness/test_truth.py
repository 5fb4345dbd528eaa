"""The corpus itself: every claim's truth is established without derive (mpmath at 60 and 120
digits; a witness point for a false claim), and the corpus has the size and shape it claims."""

from __future__ import annotations

from collections import Counter

import pytest

from . import truth
from .corpus import ALL, CATEGORIES, FAST, HOLDOUT
from .model import Claim

MINIMUM = 600


def _check(claim: Claim) -> None:
    verdict = truth.check(claim)
    assert verdict.ok, f"{claim.ident} ({'true' if claim.truth else 'false'}): {claim.latex}\n" \
                       f"{verdict.detail}"


@pytest.mark.parametrize("claim", FAST, ids=lambda c: c.ident)
def test_truth_fast(claim: Claim) -> None:
    _check(claim)


@pytest.mark.slow
@pytest.mark.parametrize("claim", ALL, ids=lambda c: c.ident)
def test_truth_all(claim: Claim) -> None:
    _check(claim)


def test_corpus_size() -> None:
    assert len(ALL) >= MINIMUM


def test_every_category_present() -> None:
    kinds = Counter(c.kind for c in ALL)
    assert set(kinds) == set(CATEGORIES)
    for kind in CATEGORIES:
        assert {c.truth for c in ALL if c.kind == kind} == {True, False}, kind
    assert kinds["gradients"] >= 60


def test_keys_unique() -> None:
    keys = Counter(c.key for c in ALL)
    assert [k for k, n in keys.items() if n > 1] == []


def test_false_claims_have_witnesses() -> None:
    missing = [c.ident for c in ALL if not c.truth and c.witness is None]
    assert missing == []


def test_true_claims_have_no_witness() -> None:
    assert [c.ident for c in ALL if c.truth and c.witness is not None] == []


def test_marks() -> None:
    """About a quarter held out; the fast subset spans every category and both truths, and
    holds no holdout claim (so CI never shows the developers one)."""
    assert 0.18 * len(ALL) <= len(HOLDOUT) <= 0.32 * len(ALL)
    assert 100 <= len(FAST) <= 140
    assert {c.kind for c in FAST} == set(CATEGORIES)
    assert {c.truth for c in FAST} == {True, False}
    assert not any(c.holdout for c in FAST)


def test_order_is_stable() -> None:
    from . import corpus

    again = corpus._build()
    assert [c.key for c in again] == [c.key for c in ALL]
    assert [c.fast for c in again] == [c.fast for c in ALL]
