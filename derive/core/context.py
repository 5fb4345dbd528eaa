"""The context of a derivation: declared symbols (domain, shape), functions and definitions.

A ``Context`` is what the reader needs to turn names into SymPy objects and what the
checker needs to decide a claim: which symbols exist, where they live, which names are
functions (so ``f(a)`` is a call and ``z(1-z)`` a product), and the definitions that give
a named quantity its meaning (``J := -(y log ŷ + (1-y) log(1-ŷ))``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import sympy as sp

from derive.core.domains import COUNT, REAL, Domain, make_symbol
from derive.core.functions import ML_FUNCTIONS


@dataclass(frozen=True)
class SymbolInfo:
    """A declared symbol: its name, domain, and shape (``None`` for a scalar).

    ``entries`` names the first entry of a vector when the document also writes its entries
    as scalars: ``entries = "w_0"`` makes w_0, w_1, ..., w_j the entries of W (0-based).
    ``identity`` marks a square name as the identity matrix of its size (the I of λI);
    ``ones`` marks a name as the array of ones of its shape (the u of u : e, 𝟏);
    ``symmetric`` a square name as a symmetric matrix (A = Aᵀ)."""

    name: str
    domain: Domain = REAL
    shape: tuple[str, str] | None = None
    entries: str | None = None
    identity: bool = False
    ones: bool = False
    symmetric: bool = False


@dataclass(frozen=True)
class Context:
    """Symbols, functions and definitions in force for a derivation."""

    symbols: Mapping[str, SymbolInfo] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()
    definitions: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    indices: Mapping[str, str] = field(default_factory=dict)
    """Index letters and the count each runs up to (``i`` → ``C``: 1, ..., C), for
    ``\\sum_j`` written without its range."""
    elementwise: frozenset[str] = frozenset()
    """The product signs a document uses for the elementwise product: ``*``, ``\\times``,
    ``juxtaposition`` (``\\odot`` always is)."""
    styled: frozenset[str] = frozenset()
    """Letters whose ``\\mathcal`` form is a name of its own (the document writes both
    \\mathcal{L} and a plain L): read as ``Lcal``, printed ℒ. Any other \\mathcal{X} is X."""
    arbitrary: frozenset[str] = frozenset()
    """Functions a claim is about whatever they are (ℓ, the loss downstream of a layer): a
    claim with one of them holds when it holds for every function."""
    upper_indices: bool = False
    """Index notation with upper indices (``A^{ij}``, ``\\delta^j_m``): a superscript of index
    letters is the entry it names, and an index repeated in a product and written on no other
    side of the relation is summed (the summation convention)."""
    series_count: str = ""
    """The count of terms a sum written with a trailing ``\\dots`` goes on for (``θ_0 + θ_1x_1 +
    θ_2x_2 + \\dots`` is θ_0 + Σ_{i=1}^{2+n} θ_i x_i for series_count n); empty: such a sum is
    refused."""
    example_bases: frozenset[str] = frozenset()
    """Names whose superscript in brackets is an example index written as a subscript
    (``x^{(i)}`` is ``x_i``, ``x_j^{(i)}`` is ``x_ij``, the j-th entry of the i-th example):
    the document writes them beside vectors (``\\theta^T x^{(i)}``), as the index notation
    over arrays reads ``w^T x_i``."""
    prime_by: str = ""
    """The variable a prime differentiates by, as the reader names it (``x_j``: u', (x_i −
    μ)' and [·]' are derivatives by x_j, as a post may say); empty: a prime is read by the
    reader's own rules."""
    macros: str = ""
    """The macro definitions the document makes, as written
    (``\\def\\p#1#2{\\frac{\\partial #1}{\\partial #2}}``): every line of it is read with them."""
    families: Mapping[str, int] = field(default_factory=dict)
    """Indexed families and their number of indices (``x`` → 1): a name a sum's index
    subscripts (``x_i`` in ``\\sum_i``) makes every subscripted use of its base an entry
    (``x_1`` is ``x[1]``). Found in the whole document (``derive.read.latex.index_families``)."""

    def symbol(self, name: str) -> sp.Symbol:
        """The SymPy symbol for ``name``, with its declared domain's assumptions."""
        info = self.symbols.get(name)
        return make_symbol(name, info.domain if info else None)

    def matrix(self, name: str) -> sp.MatrixSymbol:
        """The matrix symbol for a name declared with a shape (sizes are whole numbers ≥ 1)."""
        info = self.symbols.get(name)
        if info is None or info.shape is None:
            raise KeyError(f"{name} has no declared shape")
        rows, cols = (size_expression(size) for size in info.shape)
        return sp.MatrixSymbol(name, rows, cols)

    def domain_of(self, symbol: sp.Symbol) -> Domain:
        info = self.symbols.get(symbol.name)
        return info.domain if info else REAL

    def domains(self) -> dict[sp.Symbol, Domain]:
        """Each declared symbol's domain, and each family's (keyed by its label)."""
        found = {self.symbol(name): info.domain for name, info in self.symbols.items()}
        for base in self.families:
            domain = self.family_domain(base)
            if base not in self.symbols and domain is not None:
                found[make_symbol(base, domain)] = domain
        return found

    def family_domain(self, base: str) -> Domain | None:
        """The domain of a family's entries: declared for the base (``y``), else for a
        subscripted name of it (``y_i``); None when neither is declared."""
        info = self.symbols.get(base)
        if info is not None:
            return info.domain
        for name, found in sorted(self.symbols.items()):
            head, _, script = name.rpartition("_")
            if head == base and script and found.shape is None:
                return found.domain
        return None

    def family(self, base: str) -> sp.IndexedBase:
        """The indexed family of a base name; its entries carry the family's domain."""
        return sp.IndexedBase(make_symbol(base, self.family_domain(base)))

    def with_families(self, families: Mapping[str, int], counts: Iterable[str] = ()) -> Context:
        """The context with these families, and ``counts`` declared whole numbers ≥ 1 (the
        upper limits of sums) unless already declared."""
        implied = [SymbolInfo(name, COUNT) for name in counts if name not in self.symbols]
        merged = {**families, **self.families}
        return replace(self.with_symbols(*implied), families=merged)

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

_SIZE = re.compile(r"^\s*(?:([A-Za-z][A-Za-z0-9_]*)|([0-9]+))\s*(?:([+-])\s*([0-9]+))?\s*$")


def size_symbol(name: str) -> sp.Symbol:
    """The symbol of a size such as n, d or h: a whole number ≥ 1."""
    return sp.Symbol(name, integer=True, positive=True)


def size_expression(text: str) -> sp.Expr:
    """A size as written in a shape: a name (``n``), a number (``1``) or ``k+1``."""
    match = _SIZE.match(str(text))
    if match is None:
        raise ValueError(f"cannot read the size {text!r}: write a name, a number or name+number")
    name, number, sign, offset = match.groups()
    base: sp.Expr = size_symbol(name) if name else sp.Integer(int(number))
    if sign:
        base = base + (int(offset) if sign == "+" else -int(offset))
    return base
