"""Indexed families: the names a sum's index subscripts, read as entries of one family.

A name a sum's index subscripts (``x_i`` in ``\\sum_{i=1}^n x_i``) makes its base an indexed
family, and every subscripted use of the base in the whole text is an entry
(``Indexed(IndexedBase(x), ...)``: ``x_1`` is ``x[1]``). This is a pass over the values a text
is read into, not a rule of reading one name, so it stands apart from derive.read.names: the
reader finds the families of all its lines first, then rewrites their names as entries; and
``index_families`` runs the first half over a whole document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

import sympy as sp

from derive.core.context import Context


class _Families:
    """The families one text makes, over those its context already has, and the undeclared
    names its sums run up to (counts)."""

    def __init__(self, context: Context):
        self.context = context
        self.ranks: dict[str, int] = dict(context.families)
        """Each family's base, with its number of indices."""
        self.counts: set[str] = set()

    def handled_elsewhere(self, base: str) -> bool:
        """A base whose subscripted names derive.verify.shapes reads (an array, a vector's entries)
        or that names a function: never an indexed family."""
        info = self.context.symbols.get(base)
        if (info is not None and info.shape is not None) or self.context.is_function(base):
            return True
        return any(other.entries is not None and other.entries.rpartition("_")[0] == base
                   for other in self.context.symbols.values())

    def find(self, values: Sequence[sp.Expr]) -> None:
        """The bases a sum's index subscripts in ``values`` (``x`` in Σᵢ xᵢ), with their number
        of indices, and the undeclared names the sums run up to. Sums over the context's
        index letters are derive.verify.indexed's (its names stay symbols)."""
        found: dict[str, int] = {}
        for value in values:
            # in a fixed order, whatever the order of SymPy's sets
            for loop in sorted(value.atoms(sp.Sum, sp.Product), key=sp.default_sort_key):
                for limit in loop.limits:
                    index, high = limit[0], limit[-1]
                    if str(index) in self.context.indices:
                        continue
                    if isinstance(high, sp.Symbol) and high.name not in self.context.symbols:
                        self.counts.add(high.name)
                    for symbol in sorted(loop.function.atoms(sp.Symbol), key=str):
                        split = _split_name(symbol.name)
                        if split is None or self.handled_elsewhere(split[0]):
                            continue
                        parts = _index_parts(split[1], str(index))
                        if any(_mentions(part, str(index)) for part in parts):
                            # a base written with one index and with two (x_i, x_{ij}) keeps
                            # the fewer: x_{ij} is then refused, never x_i read as a row
                            rank = found.get(split[0])
                            found[split[0]] = len(parts) if rank is None else \
                                min(rank, len(parts))
        for base, rank in found.items():
            self.ranks.setdefault(base, rank)

    def entries_of(self, value: sp.Expr, index_value: Callable[[str, str], sp.Expr]) -> sp.Expr:
        """``value`` with each subscripted name of a family read as its entry; ``index_value``
        reads one index (its text, and the name it is an index of)."""
        mapping: dict[sp.Basic, sp.Basic] = {}
        for symbol in value.atoms(sp.Symbol):
            split = _split_name(symbol.name)
            if split is None or split[0] not in self.ranks or \
                    self.handled_elsewhere(split[0]):
                continue
            base, script = split
            indices = [index_value(part, symbol.name)
                       for part in _entry_parts(script, self.ranks[base])]
            mapping[symbol] = self.context.family(base)[tuple(indices)]
        return value.xreplace(mapping) if mapping else value


def index_entry(name: str, indices: Collection[str]) -> bool:
    """``x_k``, ``x_{k}`` with k an index letter: one entry of a family, beside its
    siblings."""
    split = _split_name(name)
    return split is not None and split[1].strip("{}") in indices


def _split_name(name: str) -> tuple[str, str] | None:
    """(base, subscript) of a subscripted name without a layer: ``x_{i+1}`` → (x, {i+1})."""
    if "^(" in name:
        return None
    if name.endswith("}"):
        depth = 0
        for k in range(len(name) - 1, -1, -1):
            depth += (name[k] == "}") - (name[k] == "{")
            if depth == 0:
                base = name[: k - 1] if k > 0 and name[k - 1] == "_" else ""
                return (base, name[k:]) if base else None
        return None
    base, _, script = name.rpartition("_")
    return (base, script) if base and script and "{" not in script else None


def _index_parts(script: str, index: str) -> list[str]:
    """The indices a subscript holds, as a sum over ``index`` writes them: ``{i,j}`` and
    ``ij`` hold two, ``{i+1}`` and ``i`` one."""
    if script == index:
        return [script]
    if script.startswith("{") and script.endswith("}"):
        return [part.strip() for part in script[1:-1].split(",")]
    if len(script) > 1 and script.isalnum() and not script.isdigit():
        return list(script)
    return [script]


def _entry_parts(script: str, rank: int) -> list[str]:
    """The indices of an entry of a family with ``rank`` indices: ``x_{12}`` is x[1, 2] in
    a family written x_{ij}, x[12] in one written x_i."""
    if script.startswith("{") and script.endswith("}"):
        return [part.strip() for part in script[1:-1].split(",")]
    if rank > 1 and len(script) == rank and script.isalnum():
        return list(script)
    return [script]


def _mentions(part: str, index: str) -> bool:
    return part == index or re.search(
        rf"(?<![A-Za-z\\]){re.escape(index)}(?![A-Za-z])", part) is not None
