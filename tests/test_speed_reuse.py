"""Work reused within a run gives what the work itself gives (no timing here: speed is measured
by benchmarks/bench_check.py)."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import derive.decide.equivalence as equivalence
from derive.core.domains import make_symbol
from derive.core.errors import ParseError
from derive.core.functions import sigmoid
from derive.decide.equivalence import Proved, Undecided, compare, differs_at, evaluate_at
from derive.decide.kept import derivative, limit_value
from derive.read.latex import parse_expression, parse_lines, parse_relation

X = make_symbol("x")
Z = make_symbol("z")


def test_an_outcome_asked_again_is_the_one_found() -> None:
    lhs, rhs = sigmoid(Z) * (1 - sigmoid(Z)), sp.exp(-Z) / (1 + sp.exp(-Z)) ** 2
    first = compare(lhs, rhs, budget=5.0)
    assert isinstance(first, Proved)
    assert compare(lhs, rhs, budget=5.0) is first


def test_a_kept_outcome_is_not_used_for_a_budget_shorter_than_its_work() -> None:
    lhs, rhs = (X + 1) ** 3, X**3 + 3 * X**2 + 3 * X + 1
    first = compare(lhs, rhs, budget=5.0)
    key = equivalence._outcome_key(lhs, rhs, None, 24, 40, 0, 1e-12)
    assert key is not None
    equivalence._OUTCOMES[key] = (first, 4.0)  # as if finding it had taken 4 s
    again = compare(lhs, rhs, budget=1.0)
    assert again == first and again is not first


def test_undecided_outcomes_are_never_kept() -> None:
    f, g = sp.Function("f"), sp.Function("g")
    outcome = compare(f(X), g(X), budget=1.0)
    assert isinstance(outcome, Undecided)
    key = equivalence._outcome_key(f(X), g(X), None, 24, 40, 0, 1e-12)
    assert key not in equivalence._OUTCOMES


def test_values_do_not_depend_on_the_precisions_asked_before() -> None:
    expr = sp.Rational(1, 3) * X + sp.pi * sigmoid(X) + sp.Float(0.1) * X**2
    point = {X: sp.Rational(2, 7)}
    at_40 = evaluate_at(expr, point, 40)
    at_80 = evaluate_at(expr, point, 80)
    assert evaluate_at(expr, point, 40) == at_40
    with mpmath.workdps(80):
        assert at_80 != at_40 and abs(at_80 - at_40) < mpmath.mpf(10) ** -38
    assert evaluate_at(expr, {X: 2 / 7}, 40) != at_40  # a float point is its own value


def test_an_entry_confirmed_at_several_points() -> None:
    claimed, true = sigmoid(X) * (1 - sigmoid(X)), sigmoid(X) ** 2
    assert differs_at(claimed, true, {X: 1}) is not None
    assert differs_at(claimed, true, {X: 0}) is None  # both are 1/4 at 0
    assert differs_at(claimed, true, {X: 1}) is not None


def test_a_text_read_again_reads_the_same() -> None:
    text = r"\frac{d}{dz}\sigma(z) = \sigma(z)(1 - \sigma(z))"
    first = parse_relation(text)
    assert parse_relation(text) == first
    (line,) = parse_lines(text)
    assert line.sides == first.sides


def test_a_text_refused_once_is_refused_again() -> None:
    for _ in range(2):
        with pytest.raises(ParseError, match="unmatched"):
            parse_expression(r"\log(1 - \hat y")


def test_derivatives_and_limits_kept_are_the_ones_taken() -> None:
    expr = sigmoid(X) ** 2
    assert derivative(expr, ((X, 1),)) == sp.diff(expr, X)
    assert derivative(expr, ((X, 2),)) == sp.diff(expr, X, 2)
    h = sp.Symbol("h")
    limit = sp.Limit(sp.sin(h) / h, h, 0)
    assert limit_value(limit) == 1 and limit_value(limit) == 1


def test_atoms_from_one_walk_are_sympys_own_in_sympys_order() -> None:
    from derive.core import trees

    y = make_symbol("y")
    shared = sigmoid(X * y) * (1 - sigmoid(X * y))
    t = sp.Dummy("t")
    f = sp.Function("f")
    expressions = [
        shared + shared**2 + sp.Max(X, y, 0) * sp.Abs(X - 1),
        sp.Piecewise((X, X > 0), (-X, True)) + sp.Heaviside(y) * sp.exp(shared),
        sp.Subs(sp.Derivative(f(t), t), t, X) + sp.Sum(sp.Indexed("a", sp.Symbol("i")),
                                                       (sp.Symbol("i"), 1, 3)),
        sp.Integer(3),
    ]
    kinds = [(sp.Symbol,), (sp.Function,), (sp.Pow, sp.Mul), (sp.Indexed,), (sp.Derivative,),
             (sp.Max, sp.Abs, sp.Heaviside), (sp.Number,), (sp.Dummy, sp.Subs)]
    for expr in expressions:
        for types in kinds:
            ours, theirs = trees.atoms(expr, *types), expr.atoms(*types)
            assert ours == theirs
            assert list(ours) == list(theirs) and list(frozenset(ours)) == list(frozenset(theirs))


def test_parts_are_kept_by_the_expression_itself_not_by_an_equal_one() -> None:
    from derive.core import trees

    f = sp.Function("f")
    a, b = sp.Dummy("t"), sp.Dummy("t")
    first = sp.Subs(sp.Derivative(f(a), a), a, X)
    second = sp.Subs(sp.Derivative(f(b), b), b, X)
    assert first == second  # SymPy: equal up to the name of the bound variable
    assert trees.atoms(first, sp.Dummy) == {a}
    assert trees.atoms(second, sp.Dummy) == {b}


def test_a_diagnosis_judge_gives_a_side_kept_only_for_the_same_tree() -> None:
    from derive.verify.diagnose.judge import Judge

    written: list[sp.Basic] = []

    def expand(expr: sp.Basic, keep: frozenset[sp.Symbol]) -> sp.Basic:
        written.append(expr)
        return expr

    judge = Judge(expand, {})
    side = sigmoid(X) * (1 - sigmoid(X))
    assert judge.value(side) is judge.value(sigmoid(X) * (1 - sigmoid(X)))
    assert len(written) == 1  # the second, equal side is not written out again
    f = sp.Function("f")
    a, b = sp.Dummy("t"), sp.Dummy("t")
    first, second = sp.Subs(f(a) * Z, a, X), sp.Subs(f(b) * Z, b, X)
    assert first == second
    judge.value(first)
    judge.value(second)  # equal to the first, but another tree: worked out anew
    assert len(written) == 3
    judge.value(second)  # the very tree kept
    assert len(written) == 3


def test_equal_or_not_asks_no_proof_of_what_sampling_finds_equal() -> None:
    # simplify proves it; asked only whether the sides are equal, sampling says so
    lhs, rhs = 1 - sp.tanh(X) ** 2, 1 / sp.cosh(X) ** 2
    assert isinstance(compare(lhs, rhs, budget=5.0), Proved)
    found = compare(lhs, rhs, budget=5.0, prove=False)
    assert isinstance(found, equivalence.Checked)
    assert isinstance(compare(lhs, rhs, budget=5.0), Proved)  # kept apart from the proof
    # a cheap symbolic closure is still a proof, and a difference is still a counterexample
    assert isinstance(compare((X + 1) ** 2, X**2 + 2 * X + 1, prove=False), Proved)
    wrong = compare(1 - sp.tanh(X) ** 2, 1 / sp.cosh(X), budget=5.0, prove=False)
    assert wrong == compare(1 - sp.tanh(X) ** 2, 1 / sp.cosh(X), budget=5.0)


def test_definitions_written_out_by_parts_are_the_definitions_written_out() -> None:
    from derive.verify.check import _replaced, _replacements

    a, b, h, w, y = sp.symbols("a b h w y")
    mapping = {a: w * h + b, h: sp.tanh(w * X), y: sigmoid(a)}
    memo = _replacements(mapping)
    assert memo is not None
    for side in (y * (1 - y) * (y - X), 2 * (a + 1) * y, sp.log(1 + sp.exp(-a)) - h**2,
                 y * (1 - y) * (y - X) + 3):
        current, plain = side, side
        for _ in range(4):
            current, plain = _replaced(current, mapping, memo), _replaced(plain, mapping)
            assert current == plain and sp.srepr(current) == sp.srepr(plain)
    # a Subs is never kept (SymPy deems it equal to another with its variable renamed)
    u = sp.Symbol("u")
    subs = sp.Subs(sp.Function("f")(u) * a, u, X)
    assert _replaced(subs, mapping, memo) == _replaced(subs, mapping)
    assert _replacements({a: sp.Subs(sp.Function("f")(u), u, X)}) is None


def test_a_command_leaves_the_collector_as_it_found_it() -> None:
    import gc

    from derive.cli import main

    before = gc.get_threshold()
    assert main(["models"]) == 0
    assert gc.get_threshold() == before
