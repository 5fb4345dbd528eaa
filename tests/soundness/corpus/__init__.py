"""The whole corpus: every claim of every category in a stable order (categories in
``CATEGORIES`` order, claims in the order their module adds them), with two deterministic
marks taken from the claim's key (a hash of its text and of everything the checker is told):

- ``holdout``: about a quarter of the claims (``int(key, 16) % 4 == 0``). They run like the
  others and are counted on their own rows of the confusion table: a set never tuned against.
- ``fast``: about ``FAST_SIZE`` cheap claims, spread over every category and both truths,
  chosen by hash from the claims that are not held out. CI runs these on every push; the
  whole corpus runs with ``-m slow``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from ..model import Claim
from . import constants, domains, gradients, index, matrix, operators, scalar, sums

CATEGORIES = ("scalar", "sums", "index", "matrix", "domains", "constants", "operators",
              "gradients")
_MODULES = (scalar, sums, index, matrix, domains, constants, operators, gradients)
FAST_SIZE = 120

SLOW = frozenset({
    # claims the checker took more than 1.5 s on in a full run; never in the fast subset
    "gradients-f1a625e9c3",  # 5.0 s
    "gradients-532e71afb5",  # 5.0 s
    "gradients-82f9cf082f",  # 5.0 s
    "gradients-afb2e9f189",  # 5.0 s
    "gradients-7c06b1b2b0",  # 5.0 s
    "gradients-6431e1b9d0",  # 3.2 s
    "gradients-d248b07ab8",  # 3.1 s
    "gradients-6bfb0d0575",  # 3.1 s
    "gradients-4284368c2c",  # 2.5 s
    "gradients-027e533255",  # 2.4 s
    "gradients-649e188e27",  # 2.2 s
    "gradients-4419cf6b8e",  # 2.1 s
    "sums-e18e2b8d4a",  # 1.9 s
})


def is_holdout(claim: Claim) -> bool:
    return int(claim.key, 16) % 4 == 0


def cost(claim: Claim) -> int:
    """A rough, static estimate of what a claim costs the checker: its length, each sum and
    free index (instantiated term by term), matrices (instantiated entry by entry)."""
    text = claim.latex
    return (len(text) + 60 * text.count(r"\sum") + 40 * len(claim.indices)
            + 80 * bool(claim.shapes) + 60 * len(claim.defines))


def is_cheap(claim: Claim) -> bool:
    return claim.ident not in SLOW and cost(claim) <= 260


def _order(claim: Claim) -> str:
    """A second hash, independent of the holdout mark, that orders claims for the fast pick."""
    return hashlib.sha256(("fast|" + claim.key).encode()).hexdigest()


def _fast_keys(claims: Iterable[Claim], size: int) -> set[str]:
    """``size`` cheap, non-holdout claims, each (category, truth) group in proportion to its
    share of the corpus, by hash."""
    claims = list(claims)
    groups: dict[tuple[str, bool], list[Claim]] = {}
    for claim in claims:
        groups.setdefault((claim.kind, claim.truth), []).append(claim)
    chosen: set[str] = set()
    for members in groups.values():
        quota = max(1, round(size * len(members) / len(claims)))
        pool = sorted((c for c in members if is_cheap(c) and not is_holdout(c)), key=_order)
        chosen.update(c.key for c in pool[:quota])
    return chosen


def _build() -> tuple[Claim, ...]:
    claims = [claim for module in _MODULES for claim in module.CLAIMS]
    fast = _fast_keys(claims, FAST_SIZE)
    return tuple(replace(c, holdout=is_holdout(c), fast=c.key in fast) for c in claims)


ALL: tuple[Claim, ...] = _build()
"""Every claim, in a stable order."""
FAST: tuple[Claim, ...] = tuple(c for c in ALL if c.fast)
HOLDOUT: tuple[Claim, ...] = tuple(c for c in ALL if c.holdout)


def of_kind(kind: str | None, claims: Iterable[Claim] = ALL) -> tuple[Claim, ...]:
    """The claims of one category (all when ``kind`` is None)."""
    if kind is not None and kind not in CATEGORIES:
        raise ValueError(f"unknown category {kind!r}; expected one of {', '.join(CATEGORIES)}")
    return tuple(c for c in claims if kind is None or c.kind == kind)
