"""The context of a derivation: declared symbols (domain, shape), functions and definitions.

A ``Context`` is what the reader needs to turn names into SymPy objects and what the
checker needs to decide a claim: which symbols exist, where they live, which names are
functions (so ``f(a)`` is a call and ``z(1-z)`` a product), and the definitions that give
a named quantity its meaning (``J := -(y log ŷ + (1-y) log(1-ŷ))``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sympy as sp

from derive.domains import REAL, Domain, make_symbol
from derive.functions import ML_FUNCTIONS


@dataclass(frozen=True)
class SymbolInfo:
    """A declared symbol: its name, domain, and shape (``None`` for a scalar)."""

    name: str
    domain: Domain = REAL
    shape: tuple[str, str] | None = None


@dataclass(frozen=True)
class Context:
    """Symbols, functions and definitions in force for a derivation."""

    symbols: Mapping[str, SymbolInfo] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()
    definitions: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()

    def symbol(self, name: str) -> sp.Symbol:
        """The SymPy symbol for ``name``, with its declared domain's assumptions."""
        info = self.symbols.get(name)
        return make_symbol(name, info.domain if info else None)

    def domain_of(self, symbol: sp.Symbol) -> Domain:
        info = self.symbols.get(symbol.name)
        return info.domain if info else REAL

    def domains(self) -> dict[sp.Symbol, Domain]:
        return {self.symbol(name): info.domain for name, info in self.symbols.items()}

    def is_function(self, name: str) -> bool:
        return name in self.functions or name in ML_FUNCTIONS

    def with_symbols(self, *infos: SymbolInfo) -> Context:
        merged = dict(self.symbols)
        merged.update({info.name: info for info in infos})
        return replace(self, symbols=merged)

    def with_definitions(self, definitions: Mapping[sp.Symbol, sp.Expr]) -> Context:
        merged = dict(self.definitions)
        merged.update(definitions)
        return replace(self, definitions=merged)

    def expand(self, expr: sp.Expr) -> sp.Expr:
        """Replace defined names by their definitions until none is left."""
        current = expr
        for _ in range(len(self.definitions) + 1):
            following = current.xreplace(dict(self.definitions))
            if following == current:
                return current
            current = following
        return current


EMPTY = Context()
