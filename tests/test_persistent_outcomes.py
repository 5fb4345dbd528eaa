"""Outcomes of comparisons, derivatives and limits kept between runs in the user's cache: a
second run (a new process, simulated by forgetting what this one kept) decides nothing again,
an edited line re-decides only its own links, and every verdict is the one the work gives."""

from __future__ import annotations

import contextlib
import json
import pathlib
import pickle
import shutil
import sqlite3
from collections.abc import Iterator

import pytest
import sympy as sp

import derive.decide.equivalence as equivalence
from derive.core import cache
from derive.core.domains import POSITIVE, REAL, make_symbol
from derive.core.functions import sigmoid
from derive.core.outcomes import Checked, Proved, Refuted, Undecided
from derive.decide.kept import Unkeyable, canonical, derivative, limit_value
from derive.emit.render import render
from derive.verify.check import check_files

X = make_symbol("x")
Z = make_symbol("z")
SIGMOID_SIDES = (sigmoid(Z) * (1 - sigmoid(Z)), sp.exp(-Z) / (1 + sp.exp(-Z)) ** 2)

PROOF = """\
[symbols]
x = { domain = "real" }
z = { domain = "real" }

[[step]]
id = "square"
latex = '(x + 1)^2 = x^2 + 2x + 1'

[[step]]
id = "logistic"
latex = '\\frac{d}{dz}\\sigma(z) = \\sigma(z)(1 - \\sigma(z)) = \\frac{e^{-z}}{(1 + e^{-z})^2}'

[[step]]
id = "slip"
latex = '\\frac{d}{dx}\\log(1 - x) = \\frac{1}{1 - x}'

[[step]]
id = "cube"
latex = '(x - 1)^3 = x^3 - 3x^2 + 3x - 1'
"""


class Outside(sp.Function):  # type: ignore[misc]  # SymPy functions are lower case
    """A function defined outside SymPy and derive."""


def new_process() -> None:
    """Forget what this process kept, as a new run starts with nothing but the user's cache."""
    equivalence._OUTCOMES.clear()
    derivative.cache_clear()
    limit_value.cache_clear()


@pytest.fixture
def kept(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pathlib.Path]:
    """The user's cache turned on, in a folder of this test's own; its folder of entries."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("DERIVE_NO_CACHE", "0")
    new_process()
    yield tmp_path / "cache" / "derive" / "entries"
    new_process()


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> list[tuple[sp.Expr, sp.Expr]]:
    """The pairs of sides whose comparison is worked out (not taken from a kept outcome)."""
    pairs: list[tuple[sp.Expr, sp.Expr]] = []
    work = equivalence._compared

    def counted(lhs: sp.Expr, rhs: sp.Expr, *rest: object) -> object:
        pairs.append((lhs, rhs))
        return work(lhs, rhs, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(equivalence, "_compared", counted)
    return pairs


def rows(entries: pathlib.Path, kind: str = "outcome") -> list[tuple[str, bytes]]:
    (table,) = entries.glob("*.sqlite")
    with contextlib.closing(sqlite3.connect(table)) as connection:
        return list(connection.execute("SELECT name, value FROM entry WHERE kind = ?", (kind,)))


def checked_json(path: pathlib.Path) -> object:
    """The JSON report of one run over ``path``, with the reports kept by earlier runs gone
    (so that every step is checked) and what this process kept forgotten."""
    shutil.rmtree(path.parent / "cache" / "derive" / "reports", ignore_errors=True)
    new_process()
    return json.loads(render(check_files([str(path)]), "json"))


def test_a_warm_run_decides_no_comparison_again(
        kept: pathlib.Path, decided: list[tuple[sp.Expr, sp.Expr]]) -> None:
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    cold = checked_json(path)
    assert decided, "the first run works every comparison out"
    assert rows(kept)
    decided.clear()
    warm = checked_json(path)
    assert decided == []
    assert warm == cold
    steps = {s["id"]: s["verdict"] for s in warm["documents"][0]["steps"]}  # type: ignore[index]
    assert steps == {"square": "proved", "logistic": "proved", "slip": "refuted",
                     "cube": "proved"}


def test_an_edited_line_re_decides_only_its_own_links(
        kept: pathlib.Path, decided: list[tuple[sp.Expr, sp.Expr]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = kept.parent.parent.parent / "proof.toml"
    path.write_text(PROOF)
    checked_json(path)
    before = set(decided)
    edited = PROOF.replace("(x - 1)^3 = x^3 - 3x^2 + 3x - 1", "(x - 2)^3 = x^3 - 6x^2 + 12x - 7")
    path.write_text(edited)
    decided.clear()
    warm = checked_json(path)
    again = set(decided)
    # the edited file checked cold, with no cache at all
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    decided.clear()
    cold = checked_json(path)
    assert warm == cold
    assert again and again == set(decided) - before
    assert all(sp.Integer(7) in lhs.atoms() | rhs.atoms() or sp.Integer(-7) in rhs.atoms()
               or (X - 2) ** 3 in (lhs, rhs) for lhs, rhs in again)
    verdicts = [s["verdict"] for s in warm["documents"][0]["steps"]]  # type: ignore[index]
    assert verdicts == ["proved", "proved", "refuted", "refuted"]


def test_a_kept_outcome_is_the_one_found(kept: pathlib.Path,
                                         decided: list[tuple[sp.Expr, sp.Expr]]) -> None:
    first = equivalence.compare(*SIGMOID_SIDES)
    refuted = equivalence.compare(sp.log(1 - X).diff(X), 1 / (1 - X))
    assert isinstance(first, Proved) and isinstance(refuted, Refuted)
    new_process()
    decided.clear()
    assert equivalence.compare(*SIGMOID_SIDES) == first
    assert equivalence.compare(sp.log(1 - X).diff(X), 1 / (1 - X)) == refuted
    assert decided == []


def test_a_changed_budget_domain_assumption_or_setting_misses(
        kept: pathlib.Path, decided: list[tuple[sp.Expr, sp.Expr]]) -> None:
    lhs, rhs = SIGMOID_SIDES
    first = equivalence.compare(lhs, rhs, budget=5.0)
    ((name, _),) = rows(kept)
    cache.keep("outcome", name, (first, 4.0))  # as if finding it had taken 4 s
    new_process()
    decided.clear()
    assert equivalence.compare(lhs, rhs, budget=1.0) == first
    assert len(decided) == 1, "a budget shorter than the work the outcome took misses"
    new_process()
    assert equivalence.compare(lhs, rhs, budget=1.0) == first
    assert len(decided) == 1, "the outcome found within 1 s replaced the one that took 4 s"
    new_process()
    assert equivalence.compare(lhs, rhs, budget=30.0) == first
    assert len(decided) == 1, "a longer budget gets the kept outcome"

    x = sp.Symbol("x", real=True)
    on_the_line = equivalence.compare(sp.Abs(x), x, {x: REAL})
    new_process()
    decided.clear()
    positive = equivalence.compare(sp.Abs(x), x, {x: POSITIVE})
    assert isinstance(on_the_line, Refuted) and not isinstance(positive, Refuted)
    assert len(decided) == 1, "another domain misses"
    new_process()
    positive_symbol = sp.Symbol("x", positive=True)
    assert isinstance(equivalence.compare(sp.Abs(positive_symbol), positive_symbol), Proved)
    assert len(decided) == 2, "a symbol with other assumptions misses"
    new_process()
    equivalence.compare(sp.Abs(x), x, {x: REAL}, seed=1)
    equivalence.compare(sp.Abs(x), x, {x: REAL}, samples=12)
    assert len(decided) == 4, "another seed or number of samples misses"
    new_process()
    decided.clear()
    assert equivalence.compare(sp.Abs(x), x, {x: REAL}) == on_the_line
    assert equivalence.compare(sp.Abs(x), x, {x: POSITIVE}) == positive
    assert decided == []


def test_the_order_of_the_domains_counts_only_where_it_can_change_the_outcome(
        kept: pathlib.Path, decided: list[tuple[sp.Expr, sp.Expr]]) -> None:
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    claim = (sp.Abs(x) * y, x * y)
    first = equivalence.compare(*claim, {x: POSITIVE, y: REAL})
    new_process()
    assert equivalence.compare(*claim, {y: REAL, x: POSITIVE}) == first
    assert len(decided) == 1, "a set of domains read in another order is the same set"
    # two keys of one name: the domain looked up by the name is the last one's
    x_positive = sp.Symbol("x", positive=True)
    equivalence.compare(*claim, {x_positive: POSITIVE, x: REAL, y: REAL})
    new_process()
    equivalence.compare(*claim, {x: REAL, x_positive: POSITIVE, y: REAL})
    assert len(decided) == 3


def test_a_damaged_or_foreign_entry_is_ignored(
        kept: pathlib.Path, decided: list[tuple[sp.Expr, sp.Expr]]) -> None:
    first = equivalence.compare(*SIGMOID_SIDES)
    ((name, _),) = rows(kept)
    foreign = (pickle.dumps(("not", "an outcome")), pickle.dumps((Proved("made up"), "0")),
               pickle.dumps((Undecided(("nothing",), "made up"), 0.0)), b"\x80\x05damaged")
    for value in foreign:
        (table,) = kept.glob("*.sqlite")
        with contextlib.closing(sqlite3.connect(table)) as connection, connection:
            connection.execute("UPDATE entry SET value = ? WHERE name = ?", (value, name))
        new_process()
        decided.clear()
        assert equivalence.compare(*SIGMOID_SIDES) == first
        assert len(decided) == 1
    # a table that is not a database at all is made again
    (table,) = kept.glob("*.sqlite")
    cache.close_tables()
    table.write_bytes(b"not a database" * 100)
    new_process()
    decided.clear()
    assert equivalence.compare(*SIGMOID_SIDES) == first
    assert len(decided) == 1
    assert len(rows(kept)) == 1


def test_undecided_and_time_limited_outcomes_are_never_kept(
        kept: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f, g = sp.Function("f"), sp.Function("g")
    assert isinstance(equivalence.compare(f(X), g(X), budget=1.0), Undecided)
    assert equivalence.compare(X + 1, X + 1) == Proved("structural")
    assert len(rows(kept)) == 1
    # a claim about a class whose code the source digest does not cover is decided, not kept
    assert isinstance(equivalence.compare(Outside(X) * 2, Outside(X) + Outside(X)), Proved)
    assert len(rows(kept)) == 1
    # a symbolic step that runs out of time: the outcome found without it is not kept
    slow = equivalence._Step("expand", lambda e: (_ for _ in ()).throw(
        equivalence.BudgetExceeded("out of time")))
    monkeypatch.setattr(equivalence, "_CHEAP_STEPS", (slow,))
    monkeypatch.setattr(equivalence, "_SLOW_STEPS", ())
    outcome = equivalence.compare((X + 1) ** 2, X**2 + 2 * X + 1)
    assert isinstance(outcome, Checked)
    assert len(rows(kept)) == 1


def test_nothing_is_kept_with_the_cache_off(kept: pathlib.Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    equivalence.compare(*SIGMOID_SIDES)
    derivative(sigmoid(X) ** 2, ((X, 1),))
    assert not kept.exists() or not list(kept.glob("*.sqlite"))


def test_derivatives_and_limits_are_kept_when_they_read_back_the_same(
        kept: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expr = sigmoid(X) ** 2 * sp.log(1 + X**2)
    taken = derivative(expr, ((X, 2),))
    h = sp.Symbol("h")
    limit = sp.Limit((sp.tanh(X + h) - sp.tanh(X)) / h, h, 0)
    value = limit_value(limit)
    assert len(rows(kept, "derivative")) == 1 and len(rows(kept, "limit")) == 1
    new_process()

    def no_work(*_: object, **__: object) -> None:
        raise AssertionError("worked out again")

    monkeypatch.setattr(sp, "diff", no_work)
    monkeypatch.setattr(sp.Limit, "doit", no_work)
    again = derivative(expr, ((X, 2),))
    assert again == taken and canonical(again) == canonical(taken)
    assert limit_value(limit) == value
    monkeypatch.undo()
    # a result holding a dummy (diff of f(x²) has Subs(…, ξ, x²)) is not kept
    f = sp.Function("f")
    assert derivative(f(X**2), ((X, 1),)).atoms(sp.Dummy)
    assert len(rows(kept, "derivative")) == 1


def test_canonical_text_tells_apart_what_sympy_tells_apart() -> None:
    x_real, x_positive = sp.Symbol("x", real=True), sp.Symbol("x", positive=True)
    pairs = [
        (x_real, x_positive),
        (sp.Function("f")(x_real), sp.Function("f", real=True)(x_real)),
        (sp.Float(0.5), sp.Float(0.5, 30)),
        (sp.Float(0.1), sp.Rational(1, 10)),
        (sp.Dummy("i"), sp.Dummy("i")),
        (sigmoid(x_real), sp.Function("sigmoid")(x_real)),
        (sp.Add(x_real, x_real, evaluate=False), 2 * x_real),
        ((1, 2), (1, (2,))),
        (True, 1),
    ]
    for a, b in pairs:
        assert canonical(a) != canonical(b), (a, b)
    same = sigmoid(x_real) * (1 - sigmoid(x_real))
    assert canonical(same) == canonical(sigmoid(x_real) * (1 - sigmoid(x_real)))

    class local(sp.Function):  # type: ignore[misc]  # another test could define its own
        pass

    with pytest.raises(Unkeyable):
        canonical(local(x_real))
    with pytest.raises(Unkeyable):  # a script's class: its code is not in the source digest
        canonical(Outside(x_real))
    with pytest.raises(Unkeyable):
        canonical(frozenset({1}))
