"""The public API: what the command line, the pytest plugin and notebooks call."""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from derive import models
from derive.backprop import derive_model, scalar_derivation
from derive.context import Context
from derive.domains import Domain, parse_domain
from derive.models import Model
from derive.records import Derivation


def steps(
    target: str | Model | sp.Expr,
    wrt: str | sp.Symbol | None = None,
    *,
    check: bool = True,
    budget: float = 2.0,
    domains: Mapping[str, str | Domain] | None = None,
    context: Context | None = None,
) -> Derivation:
    """The step-by-step derivation of a gradient, every step checked.

    ``target`` is a built-in model's name (``"bce"``, ``"logistic"``, ``"mlp"``, ...), a
    ``Model``, a SymPy expression, or an ML-LaTeX string (read by ``derive.latex``).
    """
    if isinstance(target, str) and (target in models.BUILTIN or target.startswith("chain-")):
        return derive_model(models.get(target), _name(wrt), check=check, budget=budget)
    if isinstance(target, Model):
        return derive_model(target, _name(wrt), check=check, budget=budget)
    if isinstance(target, str):
        from derive.latex import parse_expression

        target = parse_expression(target, context)
    if wrt is None:
        raise ValueError("say which variable to differentiate with respect to (wrt=...)")
    target = _written_out(target)
    return scalar_derivation(_expression_model(target, wrt, domains or {}), str(_name(wrt)),
                             check=check, budget=budget)


def _written_out(expr: sp.Expr) -> sp.Expr:
    """Sums with whole-number limits written term by term (Σ_{j=1}^{3} y_j log p_j has the
    variable p_1), so that each term's variables can be differentiated by."""
    def finite(node: sp.Basic) -> bool:
        return isinstance(node, sp.Sum) and all(
            low.is_Integer and high.is_Integer and 0 <= high - low < 100
            for _, low, high in node.limits)

    return expr.replace(finite, lambda node: _terms_of(node))


def _terms_of(node: sp.Sum) -> sp.Expr:
    (index, low, high), *rest = node.limits[::-1]
    inner = sp.Sum(node.function, *rest[::-1]) if rest else node.function
    return sp.Add(*(_written_out(_at(inner, index, k))
                    for k in range(int(low), int(high) + 1)))


def _at(expr: sp.Expr, index: sp.Symbol, value: int) -> sp.Expr:
    """``expr`` with the index at ``value``: the index itself, and the names it subscripts
    (y_j becomes y_3 at j = 3)."""
    mapping: dict[sp.Basic, sp.Basic] = {index: sp.Integer(value)}
    for symbol in expr.free_symbols:
        base, _, subscript = str(symbol.name).rpartition("_")
        if base and subscript == str(index.name) and isinstance(symbol, sp.Symbol):
            mapping[symbol] = sp.Symbol(f"{base}_{value}", **symbol.assumptions0)
    return expr.xreplace(mapping)


def _name(wrt: str | sp.Symbol | None) -> str | None:
    if wrt is None or isinstance(wrt, str):
        return wrt
    return str(wrt.name)


def _expression_model(expr: sp.Expr, wrt: str | sp.Symbol,
                      domains: Mapping[str, str | Domain]) -> Model:
    """A one-formula model around a user's expression."""
    name = _name(wrt)
    if name not in {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}:
        raise ValueError(f"the expression does not contain {name!r}")
    parsed = {key: parse_domain(value) if isinstance(value, str) else value
              for key, value in domains.items()}
    return models.expression_model(expr, (str(name),), parsed)


def model_names() -> tuple[str, ...]:
    return tuple(models.BUILTIN)


__all__ = ["model_names", "steps"]
