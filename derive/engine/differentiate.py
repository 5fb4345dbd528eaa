"""Step-by-step differentiation by named rules.

``differentiate(expr, wrt)`` returns a tree of ``DiffStep`` records: each node cites one rule
of ``derive.engine.rules`` and holds the rule's result with the parts' derivatives unevaluated
(``unfolded``) and evaluated (``result``). ``lines`` turns the tree into the equalities a
person writes, one rule level at a time. ``verify`` checks every step independently with
``derive.decide.equivalence``. A missing rule raises ``MissingRuleError`` naming the operation;
a step, override or rewrite citing a name that is not in the rule table raises
``UnknownRuleError``. ``overrides`` swaps a rule of the table for another version
(``derive.verify.diagnose`` derives with known buggy rules this way).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import sympy as sp

from derive.core.algebra import has_derivative, replace_unevaluated, tidy
from derive.core.domains import Domain
from derive.core.errors import MissingRuleError, UnknownRuleError
from derive.core.records import DiffStep, Line, RewriteStep, Step
from derive.engine.rules import ELEMENTARY, RULES

Differentiator = Callable[[sp.Expr], DiffStep]

_OVERRIDES: ContextVar[Mapping[str, Callable[..., DiffStep]] | None] = ContextVar(
    "derive_engine_overrides", default=None
)


def _d(expr: sp.Expr, wrt: sp.Expr) -> sp.Expr:
    return sp.Derivative(expr, wrt, evaluate=False)


def _depends(expr: sp.Expr, wrt: sp.Expr) -> bool:
    if isinstance(wrt, sp.Indexed):
        return any(_same_base(atom, wrt) for atom in expr.atoms(sp.Indexed)) or expr.has(wrt)
    return bool(expr.has(wrt))


def _same_base(atom: sp.Indexed, wrt: sp.Indexed) -> bool:
    return bool(atom.base == wrt.base)


def _step(
    rule: str,
    expr: sp.Expr,
    wrt: sp.Expr,
    result: sp.Expr,
    unfolded: sp.Expr,
    substeps: tuple[Step, ...] = (),
) -> DiffStep:
    _known(rule)
    step = DiffStep(rule, expr, wrt, result, unfolded, substeps)
    overrides = _OVERRIDES.get()
    if overrides is not None and rule in overrides:
        return overrides[rule](step)
    return step


def _known(rule: str) -> None:
    """Every rule a step cites is one of the table's."""
    if rule not in RULES:
        raise UnknownRuleError(rule)


def _add(expr: sp.Add, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    parts = tuple(recurse(term) for term in expr.args)
    unfolded = sp.Add(*(_d(term, wrt) for term in expr.args), evaluate=False)
    return _step("sum", expr, wrt, sp.Add(*(p.result for p in parts)), unfolded, parts)


def _mul(expr: sp.Mul, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    constant = [f for f in expr.args if not _depends(f, wrt)]
    varying = [f for f in expr.args if _depends(f, wrt)]
    if constant:
        c = sp.Mul(*constant, evaluate=False) if len(constant) > 1 else constant[0]
        rest = sp.Mul(*varying, evaluate=False) if len(varying) > 1 else varying[0]
        inner = recurse(rest)
        unfolded = sp.Mul(c, _d(rest, wrt), evaluate=False)
        return _step("constant multiple", expr, wrt, sp.Mul(*constant) * inner.result,
                     unfolded, (inner,))
    denominators = [f for f in varying if f.is_Pow and f.exp.is_negative]
    numerators = [f for f in varying if f not in denominators]
    if denominators and numerators:
        u = sp.Mul(*numerators, evaluate=False) if len(numerators) > 1 else numerators[0]
        v = sp.Mul(*(1 / f for f in denominators))
        du, dv = recurse(u), recurse(v)
        unfolded = sp.Mul(
            sp.Add(sp.Mul(_d(u, wrt), v, evaluate=False),
                   sp.Mul(-1, u, _d(v, wrt), evaluate=False), evaluate=False),
            sp.Pow(sp.Pow(v, 2, evaluate=False), -1, evaluate=False),
            evaluate=False,
        )
        result = (du.result * v - u * dv.result) / v**2
        return _step("quotient", expr, wrt, result, unfolded, (du, dv))
    first = varying[0]
    rest = sp.Mul(*varying[1:], evaluate=False) if len(varying) > 2 else varying[1]
    d_first, d_rest = recurse(first), recurse(rest)
    unfolded = sp.Add(
        sp.Mul(_d(first, wrt), rest, evaluate=False),
        sp.Mul(first, _d(rest, wrt), evaluate=False),
        evaluate=False,
    )
    result = d_first.result * rest + first * d_rest.result
    return _step("product", expr, wrt, result, unfolded, (d_first, d_rest))


def _pow(expr: sp.Pow, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    base, exponent = expr.args
    if not _depends(exponent, wrt):
        outer = sp.Mul(exponent, sp.Pow(base, exponent - 1), evaluate=False)
        if base == wrt:
            return _step("power", expr, wrt, exponent * base ** (exponent - 1), outer)
        inner = recurse(base)
        outer_step = _step("power", expr, base, exponent * base ** (exponent - 1), outer)
        return _step("chain", expr, wrt, outer_step.result * inner.result,
                     sp.Mul(outer_step.unfolded, _d(base, wrt), evaluate=False),
                     (outer_step, inner))
    if not _depends(base, wrt):
        inner = recurse(exponent)
        unfolded = sp.Mul(expr, sp.log(base), _d(exponent, wrt), evaluate=False)
        return _step("exponential", expr, wrt, expr * sp.log(base) * inner.result, unfolded,
                     (inner,))
    d_base, d_exponent = recurse(base), recurse(exponent)
    unfolded = sp.Mul(expr, sp.Add(sp.Mul(_d(exponent, wrt), sp.log(base), evaluate=False),
                                   sp.Mul(exponent, _d(base, wrt), 1 / base, evaluate=False),
                                   evaluate=False), evaluate=False)
    result = expr * (d_exponent.result * sp.log(base) + exponent * d_base.result / base)
    return _step("general power", expr, wrt, result, unfolded, (d_base, d_exponent))


def _elementary(expr: sp.Function, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    name, derivative = ELEMENTARY[expr.func]
    if len(expr.args) != 1 and expr.func is not sp.Heaviside:
        raise MissingRuleError(f"{expr.func.__name__} of {len(expr.args)} arguments", str(expr))
    argument = expr.args[0]
    outer = derivative(argument)
    if argument == wrt:
        return _step(name, expr, wrt, outer, outer)
    inner = recurse(argument)
    outer_step = _step(name, expr, argument, outer, outer)
    return _step("chain", expr, wrt, outer_step.result * inner.result,
                 sp.Mul(outer_step.unfolded, _d(argument, wrt), evaluate=False),
                 (outer_step, inner))


def _extremum(expr: sp.Max | sp.Min, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    """max(u, v) follows u where u > v and v where v > u (min the other way round); at
    u = v it has no derivative, and the step function's value there is a convention."""
    if len(expr.args) != 2:
        raise MissingRuleError(f"{type(expr).__name__} of {len(expr.args)} arguments", str(expr))
    u, v = expr.args
    if isinstance(expr, sp.Min):
        u_wins, v_wins = sp.Heaviside(v - u), sp.Heaviside(u - v)
    else:
        u_wins, v_wins = sp.Heaviside(u - v), sp.Heaviside(v - u)
    du, dv = recurse(u), recurse(v)
    unfolded = sp.Add(sp.Mul(u_wins, _d(u, wrt), evaluate=False),
                      sp.Mul(v_wins, _d(v, wrt), evaluate=False), evaluate=False)
    return _step("max" if isinstance(expr, sp.Max) else "min", expr, wrt,
                 u_wins * du.result + v_wins * dv.result, unfolded, (du, dv))


def _batch_sum(expr: sp.Sum, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    if not isinstance(wrt, sp.Indexed) or len(expr.limits) != 1:
        raise MissingRuleError("a sum differentiated with respect to a non-indexed variable",
                               str(expr))
    index, _low, _high = expr.limits[0]
    term = expr.function.xreplace({index: wrt.indices[0]})
    inner = recurse(term)
    return _step("batch sum", expr, wrt, inner.result, _d(term, wrt), (inner,))


def _cases(expr: sp.Piecewise, wrt: sp.Expr, recurse: Differentiator) -> DiffStep:
    """{fᵢ if cᵢ}′ = {fᵢ′ if cᵢ}: inside each case the function is fᵢ, so its derivative is
    fᵢ′ there; on a boundary between cases the derivative may not exist (as for max)."""
    parts = tuple(recurse(piece) for piece, _condition in expr.args)
    unfolded = sp.Piecewise(*((_d(piece, wrt), condition) for piece, condition in expr.args),
                            evaluate=False)
    result = sp.Piecewise(*((part.result, condition)
                            for part, (_piece, condition) in zip(parts, expr.args, strict=True)))
    return _step("cases", expr, wrt, result, unfolded, parts)


def _rule_for(expr: sp.Expr) -> Callable[[Any, sp.Expr, Differentiator], DiffStep] | None:
    if isinstance(expr, sp.Add):
        return _add
    if isinstance(expr, sp.Mul):
        return _mul
    if isinstance(expr, sp.Pow):
        return _pow
    if isinstance(expr, sp.Sum):
        return _batch_sum
    if isinstance(expr, sp.Max | sp.Min):
        return _extremum
    if isinstance(expr, sp.Piecewise):
        return _cases
    if isinstance(expr, sp.Function) and expr.func in ELEMENTARY:
        return _elementary
    return None


def differentiate(
    expr: sp.Expr,
    wrt: sp.Expr,
    *,
    overrides: Mapping[str, Callable[..., DiffStep]] | None = None,
) -> DiffStep:
    """The step tree of d(expr)/d(wrt), every node citing one rule of the table.

    ``overrides`` maps a rule name ("chain", "power", "quotient", "product", "sum", ...) or an
    elementary function's rule ("log", "sigmoid", ...) to a replacement: whenever the engine
    builds a step citing that rule, the replacement is called with that step (its parts
    already derived under the same overrides) and the step it returns is used instead; the
    steps above combine its ``result``. Without overrides the derivation is unchanged. A key
    that names no rule of the table raises ``UnknownRuleError``.
    """

    def recurse(sub: sp.Expr) -> DiffStep:
        if sub == wrt:
            return _step("identity", sub, wrt, sp.S.One, sp.S.One)
        if not _depends(sub, wrt):
            return _step("constant", sub, wrt, sp.S.Zero, sp.S.Zero)
        handler = _rule_for(sub)
        if handler is None:
            name = type(sub).__name__
            raise MissingRuleError(name, str(sub))
        return handler(sub, wrt, recurse)

    for rule in overrides or {}:
        _known(rule)
    token = _OVERRIDES.set(overrides or None)
    try:
        return recurse(expr)
    finally:
        _OVERRIDES.reset(token)


def lines(step: DiffStep) -> tuple[Line, ...]:
    """The derivation as equalities, one level of rules per line, ending in the result.

    A derivative whose value is a number (d(1 − ŷ)/dŷ = −1) is written as that number in one
    line of its own, as people do; the last lines evaluate and combine over one denominator."""
    by_derivative: dict[sp.Basic, DiffStep] = {}
    for node in step.walk():
        if isinstance(node, DiffStep) and _is_variable(node.wrt):
            by_derivative.setdefault(_d(node.expr, node.wrt), node)
    found: list[Line] = [Line(step.unfolded, (step.rule,))]
    current = step.unfolded
    while has_derivative(current):
        pending = _ordered([d for d in current.atoms(sp.Derivative) if d in by_derivative])
        if not pending:
            break
        trivial = [d for d in pending if by_derivative[d].result.is_number]
        chosen = [d for d in pending if d not in trivial] or trivial
        mapping = {
            d: by_derivative[d].result if d in trivial else by_derivative[d].unfolded
            for d in chosen
        }
        rules = tuple(dict.fromkeys(by_derivative[d].rule for d in chosen if d not in trivial))
        facts = tuple((d, by_derivative[d].result) for d in chosen if d in trivial)
        current = replace_unevaluated(current, mapping)
        found.append(Line(current, rules, facts))
    evaluated = _evaluate_inside(current)
    if sp.srepr(evaluated) != sp.srepr(current):
        found.append(Line(evaluated, ("simplify",)))
    if isinstance(step.result, sp.Add) or (isinstance(evaluated, sp.Mul) and any(
        isinstance(a, sp.Add) and len(a.args) > 1 for a in evaluated.args
    )):
        tidied = tidy(step.result)
        if sp.srepr(tidied) != sp.srepr(found[-1].expression) and tidied != evaluated:
            found.append(Line(tidied, ("common denominator",)))
    return tuple(found)


def _evaluate_inside(expr: sp.Expr) -> sp.Expr:
    """Evaluate, but keep an outer constant factor outside: −(a + b) stays −(a + b)."""
    if isinstance(expr, sp.Mul) and expr.args and expr.args[0].is_number and len(expr.args) == 2:
        inner = expr.args[1].doit()
        return sp.Mul(expr.args[0], _collect_constant(inner), evaluate=False)
    return expr.doit()


def _collect_constant(expr: sp.Expr) -> sp.Expr:
    terms = sp.Add.make_args(expr)
    return sp.Add(*[sp.Mul(*t.args) if isinstance(t, sp.Mul) else t for t in terms])


def _is_variable(expr: sp.Expr) -> bool:
    return isinstance(expr, sp.Symbol | sp.Indexed)


def _true_derivative(step: DiffStep) -> sp.Expr:
    """SymPy's own derivative of the step's expression: the independent route."""
    if isinstance(step.wrt, sp.Indexed):
        return _indexed_truth(step)
    if isinstance(step.wrt, sp.Symbol):
        return sp.diff(step.expr, step.wrt)
    # the outer derivative of a chain rule, f'(u), taken at u
    placeholder = sp.Dummy("u", real=True)
    return sp.diff(step.expr.xreplace({step.wrt: placeholder}), placeholder).xreplace(
        {placeholder: step.wrt}
    )


def _ordered(derivatives: list[sp.Derivative]) -> list[sp.Derivative]:
    return sorted(derivatives, key=sp.default_sort_key)


def verify(
    step: Step,
    domains: Mapping[sp.Symbol, Domain] | None = None,
    *,
    budget: float = 2.0,
) -> Step:
    """The same step tree with every step's ``check`` filled by an independent comparison of
    its claim with SymPy's own derivative (or, for algebra, of its two sides)."""
    from derive.decide.equivalence import compare

    if isinstance(step, DiffStep):
        children = tuple(verify(child, domains, budget=budget) for child in step.substeps)
        outcome = compare(step.result, _true_derivative(step), domains, budget=budget)
        return replace(step, substeps=children, check=outcome)
    if isinstance(step, RewriteStep):
        return replace(step, check=compare(step.before, step.after, domains, budget=budget))
    return step


def _indexed_truth(step: DiffStep) -> sp.Expr:
    """SymPy's derivative w.r.t. an indexed entry, with a sum over the batch resolved by
    taking the index inside the range (the term k = i)."""
    truth = sp.diff(step.expr, step.wrt).doit()
    return truth.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr)


def named(expr: sp.Expr, names: Mapping[sp.Expr, sp.Symbol]) -> sp.Expr:
    """Write ``expr`` in terms of named intermediates: σ(z) ↦ ŷ when ŷ := σ(z)."""
    return expr.xreplace(dict(names))


def rewrite_step(rule: str, before: sp.Expr, after: sp.Expr) -> RewriteStep:
    _known(rule)
    return RewriteStep(rule, before, after)


def simplified(expr: sp.Expr) -> sp.Expr:
    return tidy(expr)
