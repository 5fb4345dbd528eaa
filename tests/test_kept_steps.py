"""Step reports kept between runs: a step whose claim and whose state (the definitions, names,
chain and side the steps before it left) are unchanged is not decided again, an edit
re-decides the edited step and the ones whose state it changes, and every report is the one a
run without the cache gives."""

from __future__ import annotations

import json
import pathlib
import pickle
import shutil

import pytest

from derive.emit.render import render
from derive.verify import check
from derive.verify.check import check_files
from tests.test_persistent_outcomes import kept, new_process, rows  # noqa: F401 - a fixture

PROOF = """\
[symbols]
x = { domain = "real" }
z = { domain = "real" }

[definitions]
s = { latex = '\\frac{1}{1 + e^{-z}}', note = "the sigmoid" }

[[step]]
id = "square"
latex = '(x + 1)^2 = x^2 + 2x + 1'

[[step]]
id = "logistic"
latex = '\\frac{ds}{dz} = s(1 - s)'

[[step]]
id = "define"
latex = 'q = x^2'
define = true

[[step]]
id = "slip"
latex = '\\frac{dq}{dx} = x'

[[step]]
id = "cube"
latex = '(x - 1)^3 = x^3 - 3x^2 + 3x - 1'
"""


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the steps whose links are worked out (not replayed from a kept report)."""
    ids: list[str] = []
    work = check._Checker._compare

    def counted(self: check._Checker, lhs: object, rhs: object, *rest: object) -> object:
        ids.append(self._current)
        return work(self, lhs, rhs, *rest)  # type: ignore[arg-type]

    step = check._Checker._step

    def noted(self: check._Checker, claim: check.Claim, previous: object) -> object:
        self._current = claim.id  # type: ignore[attr-defined]
        return step(self, claim, previous)  # type: ignore[arg-type]

    monkeypatch.setattr(check._Checker, "_compare", counted)
    monkeypatch.setattr(check._Checker, "_step", noted)
    return ids


def reported(path: pathlib.Path) -> object:
    """One run's JSON report, with the whole-file reports of earlier runs gone."""
    shutil.rmtree(path.parent / "cache" / "derive" / "reports", ignore_errors=True)
    new_process()
    return json.loads(render(check_files([str(path)]), "json"))


def without_cache(path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setenv("DERIVE_NO_CACHE", "1")
        new_process()
        return json.loads(render(check_files([str(path)]), "json"))


def test_a_second_run_replays_every_step(kept: pathlib.Path,  # noqa: F811
                                         stepped: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    cold = reported(path)
    assert set(stepped) == {"square", "logistic", "slip", "cube"}
    stepped.clear()
    warm = reported(path)
    assert stepped == []
    assert warm == cold == without_cache(path, monkeypatch)
    verdicts = {s["id"]: s["verdict"] for s in warm["documents"][0]["steps"]}  # type: ignore[index]
    assert verdicts == {"square": "proved", "logistic": "proved", "define": "definition",
                        "slip": "refuted", "cube": "proved"}


def test_an_edit_of_a_definition_re_decides_the_steps_after_it(
        kept: pathlib.Path, stepped: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    reported(path)
    # q is defined again differently: the step after it must see the new definition
    path.write_text(PROOF.replace("latex = 'q = x^2'", "latex = 'q = x^2/2'"))
    stepped.clear()
    edited = reported(path)
    assert "square" not in stepped and "logistic" not in stepped
    assert {"slip", "cube"} <= set(stepped)
    assert edited == without_cache(path, monkeypatch)
    verdicts = {s["id"]: s["verdict"] for s in edited["documents"][0]["steps"]}  # type: ignore[index]
    assert verdicts["slip"] == "proved"


CHAIN = """\
[symbols]
x = { domain = "real" }

[[step]]
id = "start"
latex = '(x + 1)^2 = x^2 + 2x + 1'

[[step]]
id = "next"
latex = '= x(x + 2) + 1'

[[step]]
id = "other"
latex = '(x - 1)^2 = x^2 - 2x + 1'

[[step]]
id = "last"
latex = '\\frac{d}{dx} x^3 = 3x^2'
"""


def test_an_edit_that_changes_nothing_later_steps_read_re_decides_that_step_alone(
        kept: pathlib.Path, stepped: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(CHAIN)
    reported(path)
    # a slip in a step whose names, definitions and chain the later steps do not read
    path.write_text(CHAIN.replace("(x - 1)^2 = x^2 - 2x + 1", "(x - 1)^2 = x^2 - 2x + 2"))
    stepped.clear()
    edited = reported(path)
    assert stepped == ["other"]
    assert edited == without_cache(path, monkeypatch)
    # a slip in the line a continuation is compared with: the continuation is decided again
    path.write_text(CHAIN.replace("(x + 1)^2 = x^2 + 2x + 1", "(x + 1)^2 = x^2 + 2x + 2"))
    stepped.clear()
    edited = reported(path)
    assert list(dict.fromkeys(stepped)) == ["start", "next"]
    assert edited == without_cache(path, monkeypatch)
    verdicts = {s["id"]: s["verdict"] for s in edited["documents"][0]["steps"]}  # type: ignore[index]
    assert verdicts == {"start": "refuted", "next": "refuted", "other": "proved",
                        "last": "proved"}


def test_a_change_outside_the_steps_re_decides_every_step(
        kept: pathlib.Path, stepped: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    reported(path)
    path.write_text(PROOF.replace("'\\frac{1}{1 + e^{-z}}'", "'\\frac{1}{1 + e^{z}}'"))
    stepped.clear()
    edited = reported(path)
    assert {"square", "logistic", "slip", "cube"} <= set(stepped)
    assert edited == without_cache(path, monkeypatch)
    verdicts = {s["id"]: s["verdict"] for s in edited["documents"][0]["steps"]}  # type: ignore[index]
    assert verdicts["logistic"] == "refuted"


def test_an_undecided_step_is_never_kept(kept: pathlib.Path) -> None:  # noqa: F811
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text("[[step]]\nid = \"u\"\nlatex = '= x'\n\n[[step]]\nid = \"p\"\n"
                    "latex = 'x + x = 2x'\n")
    first = reported(path)
    assert [s["verdict"] for s in first["documents"][0]["steps"]] == [  # type: ignore[index]
        "undecided", "proved"]
    # one step report kept: the proved one; the undecided one is checked again every run
    assert len(rows(kept, "step")) == 1
    kept_report = pickle.loads(rows(kept, "step")[0][1])[0]
    assert kept_report.claim.id == "p"


def test_a_step_during_which_time_ran_out_is_never_kept(
        kept: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from derive.core.errors import BudgetExceeded

    work = check._Checker._compare

    def hurried(self: check._Checker, lhs: object, rhs: object, *rest: object) -> object:
        BudgetExceeded("a computation ran out of time")  # as a time limit inside would
        return work(self, lhs, rhs, *rest)  # type: ignore[arg-type]

    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    monkeypatch.setattr(check._Checker, "_compare", hurried)
    reported(path)
    assert len(rows(kept, "step")) == 1  # only "define", which has nothing to compare


def test_a_kept_reading_that_does_not_read_back_as_kept_is_read_again(
        kept: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    import sqlite3
    from contextlib import closing

    import sympy as sp

    from derive.read.nodes import Relation

    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    cold = reported(path)
    assert rows(kept, "relation") and rows(kept, "families")
    # every kept reading replaced by another relation that claims to be it
    (table,) = kept.glob("*.sqlite")
    forged = pickle.dumps((Relation((sp.Symbol("x"), sp.Integer(1))), "a forged text"))
    with closing(sqlite3.connect(table)) as connection, connection:
        connection.execute("UPDATE entry SET value = ? WHERE kind = 'relation'", (forged,))
        connection.execute("DELETE FROM entry WHERE kind = 'step'")
    assert reported(path) == cold == without_cache(path, monkeypatch)


def test_a_grammar_cache_cut_short_is_made_again(tmp_path: pathlib.Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.read import screen

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    grammar = pathlib.Path(screen.__file__).with_name("latex.lark").read_text(encoding="utf-8")
    path = screen._cache_file(grammar)
    assert path is not None
    pathlib.Path(path).write_bytes(b"\x80\x04\x95")  # a write cut short by a full disk
    parser = screen._parser.__wrapped__()
    assert parser.parse("x = 1") is not None
    assert pathlib.Path(path).stat().st_size > 3  # written again, whole
    assert not list(tmp_path.glob("derive/*.tmp"))
    assert screen._parser.__wrapped__().parse("y = 2") is not None  # and read back


def test_a_step_whose_key_cannot_be_made_is_decided_all_the_same(
        kept: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    def broken(self: check._Checker, *_: object) -> str:
        raise RecursionError("a key too deep to write")

    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    monkeypatch.setattr(check._Checker, "_step_key", broken)
    report = reported(path)
    verdicts = [s["verdict"] for s in report["documents"][0]["steps"]]  # type: ignore[index]
    assert verdicts == ["proved", "proved", "definition", "refuted", "proved"]
    assert not rows(kept, "step")
