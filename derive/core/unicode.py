"""Names in Unicode math (ŷ for yhat, σ for sigma, a₂ for a_2), for every text printer."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sympy as sp
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from derive.core.terminal import SCRIPT_CAPITALS

_GREEK_NAMES = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega",
})
"""Greek letters as SymPy spells them: one as a subscript is written _θ, never ₜₕₑₜₐ."""

SCRIPT_NAME = re.compile(r"[A-Z]cal(?![a-z])")
"""A name written ``\\mathcal{L}`` in a document (``Lcal``), printed as ℒ."""


def pretty_name(name: str) -> str:
    """A name as the documents write it: ``yhat_i`` → ŷᵢ (NFC, so ŷ is one character)."""
    try:
        head, labelled, label = name.partition("__")
        if not labelled and "^" in name:  # a name written x^(i) or A^O
            shown = unicodedata.normalize("NFC", str(pretty_symbol(name)))
            if "__" not in shown:  # x⁽ⁱ⁾: a superscript Unicode has
                return shown
            head, labelled, label = name.partition("^")
        if labelled and head and label:  # A__O, A^{O} with a label: Aᴼ written A^O
            return f"{pretty_name(head)}^{label}"
        base, underscore, script = name.partition("_")
        if underscore and script in _GREEK_NAMES and base:  # h_theta: h_θ (no ₜₕₑₜₐ)
            return f"{pretty_name(base)}_{pretty_symbol(script)}"
        if SCRIPT_NAME.match(name):  # Lcal_i → ℒᵢ
            return SCRIPT_CAPITALS[name[0]] + pretty_name("X" + name[4:])[1:]
        return unicodedata.normalize("NFC", str(pretty_symbol(name)))
    except Exception:  # pragma: no cover - a name pretty_symbol cannot take
        return name


class NamePrinter(StrPrinter):  # type: ignore[misc]
    """A SymPy string printer whose symbols print as Unicode names; a subclass says how an
    indexed element prints (``_print_Indexed``)."""

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # Indexed brings its own str method, which would win over the subclass's
        if isinstance(expr, sp.Indexed):
            return str(self._print_Indexed(expr))
        return str(super()._print(expr, **kwargs))

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = expr.name
        if SCRIPT_NAME.match(name) or "__" in name or "^" in name or \
                name.partition("_")[2] in _GREEK_NAMES:
            return pretty_name(name)
        return str(pretty_symbol(name))

    _print_Dummy = _print_MatrixSymbol = _print_Symbol
