"""The corpus of posted derivations: every recorded truth holds (computed without derive), and
the posts, their proof files, the truth table and SOURCES.md agree with one another."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import mpmath as mp
import pytest

from .mathtools import REAL, Claim, check
from .truth import CLAIMS, HOLDOUT

HERE = Path(__file__).parent
POSTS = HERE / "posts"
NAMES = sorted(p.stem for p in POSTS.glob("*.toml"))
TRUE_VERDICTS = {"proved", "checked", "conditional"}
FALSE_VERDICTS = {"refuted", "ill-formed"}
UNSCORED_VERDICTS = {"definition", "unreadable"}


def steps_of(name: str) -> list[dict[str, object]]:
    with (POSTS / f"{name}.toml").open("rb") as handle:
        document = tomllib.load(handle)
    return list(document["step"])


@pytest.mark.parametrize("key", sorted(CLAIMS))
def test_truth(key: str) -> None:
    c = CLAIMS[key]
    verdict = check(c)
    assert verdict.ok, f"{key} ({'true' if c.truth else 'false'}): {verdict.detail}"


def test_a_wrong_truth_is_caught() -> None:
    """The checks have teeth: σ' = σ(1 + σ) recorded as true fails, and a true claim
    recorded with a witness fails."""
    def sig(x: mp.mpf) -> mp.mpf:
        return 1 / (1 + mp.exp(-x))

    wrong = Claim("x", "y", True, lambda p: (mp.diff(sig, p["x"]),
                                              sig(p["x"]) * (1 + sig(p["x"]))), {"x": REAL})
    assert not check(wrong).ok
    right = Claim("x", "y", False, lambda p: (mp.diff(sig, p["x"]),
                                               sig(p["x"]) * (1 - sig(p["x"]))), {"x": REAL},
                  {"x": mp.mpf("0.3")})
    assert not check(right).ok


def test_enough_posts() -> None:
    assert len(NAMES) >= 40
    for name in NAMES:
        assert (POSTS / f"{name}.md").is_file(), name


@pytest.mark.parametrize("name", NAMES)
def test_post_agrees_with_truth(name: str) -> None:
    """Every scored step has a truth, every truth a step, and expect matches the truth."""
    ids = set()
    for step in steps_of(name):
        ident = str(step["id"])
        ids.add(ident)
        expect = step.get("expect")
        key = f"{name}/{ident}"
        kind = step.get("kind", "definition" if step.get("define") else "claim")
        if key not in CLAIMS:
            assert kind != "claim" or expect in UNSCORED_VERDICTS, \
                f"{key}: a claim step without a truth"
            continue
        assert kind == "claim", f"{key}: a {kind} step has a truth"
        wanted = TRUE_VERDICTS if CLAIMS[key].truth else FALSE_VERDICTS
        assert expect in wanted, f"{key}: expect {expect} for a {CLAIMS[key].truth} step"
    orphans = [k for k in CLAIMS if k.split("/")[0] == name and k.split("/")[1] not in ids]
    assert orphans == []


def test_every_truth_belongs_to_a_post() -> None:
    assert sorted({k.split("/")[0] for k in CLAIMS} - set(NAMES)) == []


def test_sources_list_every_post_and_the_holdout() -> None:
    text = (HERE / "SOURCES.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}`" in text, name
    section = text.split("## Holdout: never tuned against", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z0-9_]+)`", section))
    assert listed == set(HOLDOUT)
    assert 8 <= len(HOLDOUT) <= 12
    assert set(HOLDOUT) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_source_is_an_address(name: str) -> None:
    with (POSTS / f"{name}.toml").open("rb") as handle:
        source = tomllib.load(handle)["document"]["source"]
    assert re.match(r"https?://", source), source
    assert source in (POSTS / f"{name}.md").read_text(encoding="utf-8")


def test_false_claims_have_witnesses() -> None:
    assert [k for k, c in CLAIMS.items() if not c.truth and c.witness is None] == []
    assert [k for k, c in CLAIMS.items() if c.truth and c.witness is not None] == []


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", NAMES)
def test_steps_are_the_posts_own_latex(name: str) -> None:
    """Every step's LaTeX (and every lhs not marked supplied) occurs in the post as posted."""
    post = squeezed((POSTS / f"{name}.md").read_text(encoding="utf-8"))
    for step in steps_of(name):
        latex = squeezed(str(step["latex"]))
        assert latex in post, f"{name}/{step['id']}: the latex is not the post's"
