"""The public API: what the command line, the pytest plugin and notebooks call."""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from derive.core.context import Context
from derive.core.domains import Domain, parse_domain
from derive.core.records import Derivation
from derive.engine import models
from derive.engine.backprop import derive_model, scalar_derivation
from derive.engine.modelfile import read_model_file
from derive.engine.models import Model
from derive.read.modelfile import is_model_file


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

    ``target`` is a built-in model's name (``"bce"``, ``"logistic"``, ``"mlp"``, ...), the
    path of a model file (``model.toml``, see docs/models.md), a ``Model``, a SymPy
    expression, or an ML-LaTeX string (read by ``derive.read.latex``).
    """
    if isinstance(target, str) and (target in models.BUILTIN or target.startswith("chain-")):
        return derive_model(models.get(target), _name(wrt), check=check, budget=budget)
    if isinstance(target, Model):
        return derive_model(target, _name(wrt), check=check, budget=budget)
    if isinstance(target, str) and is_model_file(target):
        return derive_model(read_model_file(target), _name(wrt), check=check, budget=budget)
    if isinstance(target, str):
        from derive.read.latex import parse_expression

        target = parse_expression(target, context)
    if wrt is None:
        raise ValueError("say which variable to differentiate with respect to (wrt=...)")
    target = _written_out(target)
    return scalar_derivation(_expression_model(target, wrt, domains or {}), str(_name(wrt)),
                             check=check, budget=budget)


def _written_out(expr: sp.Expr) -> sp.Expr:
    """Sums with whole-number limits written term by term (Σ_{j=1}^{3} y_j log p_j has the
    variable p_1), so that each term's variables can be differentiated by; as index claims
    are instantiated (``derive.verify.indexed``). Other sums are left as they are."""
    from derive.verify.indexed import Frame, Unsupported

    limits = [limit for total in expr.atoms(sp.Sum) for limit in total.limits]
    if not limits or not all(low.is_Integer and high.is_Integer and 0 <= high - low < 100
                             for _, low, high in limits):
        return expr
    letters = {str(index): "_terms" for index, _, _ in limits}
    try:
        written: sp.Expr = Frame(Context(indices=letters)).instance(expr, {})
    except Unsupported:
        return expr
    # an entry of an indexed family at whole-number indices is the variable y_1 (y_{1,2})
    return written.xreplace({
        entry: sp.Symbol(_entry_name(entry), **entry.base.label.assumptions0)
        for entry in written.atoms(sp.Indexed) if all(i.is_Integer for i in entry.indices)})


def _entry_name(entry: sp.Indexed) -> str:
    indices = [str(index) for index in entry.indices]
    script = indices[0] if len(indices) == 1 else "{" + ",".join(indices) + "}"
    return f"{entry.base.label}_{script}"


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
