"""What the names of one matrix claim mean: declared shapes and domains, the lowered
definitions, the layout and batch settings, and the sizes an instantiation takes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from derive.core.context import Context, SymbolInfo, size_expression
from derive.core.domains import REAL, Domain
from derive.verify.shapes.ir import (
    Der,
    Grid,
    Hess,
    Literal,
    Node,
    Ones,
    Shape,
    Stacked,
    Sym,
    Total,
    children,
    names_in,
    walk,
)

PREFERRED_SIZES = {"n": 3, "m": 3, "d": 2, "h": 4, "k": 5}
"""Instantiation sizes: small and pairwise distinct, so a transposition cannot hide."""


@dataclass(frozen=True)
class Frame:
    """What the names of one claim mean: the context (declared shapes, domains, entries),
    the definitions (lowered), the layout convention, the batch size, the sizes of the
    instantiation, and the names a differential varies."""

    context: Context
    definitions: Mapping[str, Node]
    layout: str | None = None
    batch: str | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)
    varying: tuple[str, ...] = ()
    unread: Mapping[str, str] = field(default_factory=dict)
    """The file's definitions that could not be lowered, each with the reason."""

    def declared(self, name: str) -> Shape | None:
        info = self._info(name)
        if info is None or info.shape is None:
            return None
        rows, cols = (size_expression(s) for s in info.shape)
        return (rows, cols)

    def domain(self, name: str) -> Domain:
        info = self._info(name)
        return info.domain if info is not None else REAL

    def _info(self, name: str) -> SymbolInfo | None:
        """A name's declaration; x_2 takes that of x_i (i an index letter), the family of
        vectors x_i ∈ ℝ^d a sum over i writes out."""
        info = self.context.symbols.get(name)
        if info is not None:
            return info
        base, _, index = name.rpartition("_")
        if base and index.isdigit():
            for letter in self.context.indices:
                found = self.context.symbols.get(f"{base}_{letter}")
                if found is not None and found.shape is not None:
                    return found
        return None

    def own_declaration(self, name: str) -> SymbolInfo:
        """A name's own declaration (never its family's): identity, ones, symmetric; a plain
        one for a name nothing declares."""
        return self.context.symbols.get(name) or SymbolInfo(name)

    def entry(self, name: str) -> tuple[str, str] | None:
        """(array, index) when ``name`` is an entry of a vector (w_0 → (W, "0"))."""
        if name in self.definitions or self.declared(name) is not None:
            return None
        named = self.named_entry(name)
        if named is not None:
            return named
        base, _, index = name.rpartition("_")
        if base and self._is_vector(base) and (index in self.context.indices or index.isdigit()):
            return (base, index)  # w_j of a vector w declared without its entries' names
        return None

    def _is_vector(self, name: str) -> bool:
        shape = self.declared(name)
        return shape is not None and (shape[0] == 1 or shape[1] == 1)

    def entry_array(self, base: str) -> str | None:
        """The vector whose entries the document writes as base_0, base_1, ..."""
        for info in self.context.symbols.values():
            if info.entries is not None and info.entries.rpartition("_")[0] == base:
                return info.name
        return None

    def first_index(self, array: str) -> int:
        info = self.context.symbols[array]
        return 1 if info.entries is None else int(info.entries.rpartition("_")[2])

    def size_names(self, used: set[str] | None = None) -> list[str]:
        """The sizes in the declared shapes (of the ``used`` names only, when given)."""
        names: list[str] = []
        for info in self.context.symbols.values():
            if used is not None and info.name not in used:
                continue
            for size in info.shape or ():
                for symbol in sorted(size_expression(size).free_symbols, key=str):
                    if symbol.name not in names:
                        names.append(symbol.name)
        return names

    def used(self, *nodes: Node) -> set[str]:
        """The names the nodes mention, with those their definitions mention."""
        found: set[str] = set()
        pending = [n for node in nodes for n in names_in(node)]
        while pending:
            name = pending.pop()
            if name in found:
                continue
            found.add(name)
            entry = self.entry(name)
            if entry is not None:
                pending.append(entry[0])
            definition = self.definitions.get(name)
            if definition is not None:
                pending.extend(names_in(definition))
        return found

    def instance_sizes(self, used: set[str] | None = None, **override: int) -> dict[str, int]:
        """Small, pairwise distinct sizes for the sizes of the ``used`` names (the file's own
        sizes first)."""
        names = self.size_names(used)
        chosen: dict[str, int] = {}
        for name in names:
            if name in override:
                chosen[name] = override[name]
            elif name in self.sizes:
                chosen[name] = self.sizes[name]
        for name in names:
            if name in chosen:
                continue
            preferred = PREFERRED_SIZES.get(name)
            if preferred is not None and preferred not in chosen.values():
                chosen[name] = preferred
                continue
            value = 2
            while value in chosen.values():
                value += 1
            chosen[name] = value
        for name, value in self.sizes.items():  # a sum's limit the file sizes (Σ_{i=1}^{m})
            chosen.setdefault(name, value)
        return chosen

    def depends(self, name: str, on: str, seen: frozenset[str] = frozenset(), *,
                entries: bool = False) -> bool:
        """Whether a name's value depends on ``on`` through the definitions; with
        ``entries``, whether it may: an entry written with an index letter (ŷ_j) may be any
        entry of its vector (ŷ_i among them)."""
        if name == on or (entries and self._may_be_same_entry(name, on)):
            return True
        entry, of = self.entry(name) or self.named_entry(name), self.entry(on)
        if (entry is not None and entry[0] == on) or (of is not None and of[0] == name) or \
                (on.rpartition("_")[0] == name and self.declared(name) is not None):
            return True  # ŷ_j, an entry of ŷ, depends on ŷ; w on its entry w_j
        definition = self.definitions.get(name)
        if definition is None or name in seen:
            return False
        return any(self.depends(n, on, seen | {name}, entries=entries)
                   for n in names_in(definition))

    def defined_whole(self, name: str) -> str | None:
        """The name z of which ``name`` (z_1, z_i) is an entry, when the document defines z
        as a whole (z = softmax(a), a definition the claims about arrays may not have
        lowered) and gives its entries no formula of their own."""
        base, _, index = name.rpartition("_")
        if not base or name in self.definitions or self.declared(name) is not None or \
                (base not in self.definitions and base not in self.unread) or not (
                    index.isdigit() or index in self.context.indices):
            return None
        return base

    def entries_defined_whole(self, name: str, seen: frozenset[str] = frozenset()
                              ) -> list[str]:
        """The entries of names defined as a whole that ``name``'s value writes, through
        the definitions (L = −Σ y_k log z_k with z = softmax(a): z_1, …)."""
        if name in seen:
            return []
        if self.defined_whole(name) is not None:
            return [name]
        definition = self.definitions.get(name)
        if definition is None:
            return []
        return sorted({entry for n in names_in(definition)
                       for entry in self.entries_defined_whole(n, seen | {name})})

    def named_entry(self, name: str) -> tuple[str, str] | None:
        """(array, index) when the file names ``name`` an entry of an array (``entries =
        "\\hat{y}_1"``), even where a definition gives that entry a formula (ŷ_j = Σᵢ x_ji w_i):
        a formula in ŷ_j depends on ŷ."""
        base, _, index = name.rpartition("_")
        array = self.entry_array(base) if base and index else None
        return (array, index) if array is not None else None

    def _may_be_same_entry(self, name: str, other: str) -> bool:
        first, second = self.entry(name), self.entry(other)
        if first is None or second is None or first[0] != second[0]:
            return False
        return not (first[1].isdigit() and second[1].isdigit())

    def mentions_arrays(self, node: Node, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a lowered expression involves an array (directly or by its definitions)."""
        for name in names_in(node):
            if self.declared(name) is not None or self.entry(name) is not None:
                return True
            definition = self.definitions.get(name)
            if definition is not None and name not in seen and self.mentions_arrays(
                    definition, seen | {name}):
                return True
        return any(isinstance(n, Ones | Literal | Stacked | Grid) for n in walk(node))


def free_entry_indices(node: Node, frame: Frame, bound: frozenset[str] = frozenset()
                       ) -> set[str]:
    """The index letters of entries (ŷ_i) that no sum around them binds, and of names such
    as w_i whose family a sum of the claim or of its definitions writes out (Σ_k x_jk w_k):
    a claim about every value of i, which an instance of the arrays' sizes cannot give one
    value (w_i would be a name apart from w_1, w_2)."""
    summed = _summed_families(node, frame)
    return {letter for letter, base in _free_letters(node, frame, bound)
            if base is None or base in summed}


_NUMBERED = re.compile(r"\{?[0-9]+(?:,[0-9]+)*\}?")
"""An index written with numbers only (2, {1,2}): an instance, no letter left to range."""


def _summed_families(node: Node, frame: Frame) -> set[str]:
    """The bases of the names a sum indexes by its own index, in ``node`` and in the
    definitions it uses (Σ_k w_k: w)."""
    found: set[str] = set()
    used = frame.used(node)
    for item in [node, *(frame.definitions[n] for n in used if n in frame.definitions)]:
        for total in walk(item):
            if isinstance(total, Total | Stacked):
                found |= {name.rpartition("_")[0] for name in names_in(total.body)
                          if name.rpartition("_")[2] == total.index}
            if isinstance(total, Grid):
                found |= {name.rpartition("_")[0]
                          for body in (total.diagonal, total.other) for name in names_in(body)
                          if name.rpartition("_")[2] in (total.row, total.column)}
    return found


def _free_letters(node: Node, frame: Frame, bound: frozenset[str]
                  ) -> set[tuple[str, str | None]]:
    """(letter, None) for an entry of a declared vector with a free letter; (letter, base)
    for a name base_letter, i an index letter."""
    found: set[tuple[str, str | None]] = set()
    if isinstance(node, Total | Stacked):
        inner = bound | {node.index}
        found |= _free_letters(node.body, frame, inner)
        found |= _free_letters(node.low, frame, bound)
        found |= _free_letters(node.high, frame, bound)
        return found
    if isinstance(node, Grid):
        inner = bound | {node.row, node.column}
        for part in (node.diagonal, node.other):
            found |= _free_letters(part, frame, inner)
        return found
    names = {node.name} if isinstance(node, Sym) else \
        {node.var} if isinstance(node, Der | Hess) else set()
    letters = frame.context.indices
    for name in names:
        entry = frame.entry(name)
        if entry is not None and not _NUMBERED.fullmatch(entry[1]) and entry[1] not in bound:
            index = entry[1]
            # x_ij: one letter per index when each is an index letter
            parts = set(index) if all(c in letters for c in index) else {index}
            found |= {(part, None) for part in parts - bound}
            continue
        base, _, index = name.rpartition("_")
        # w_i, x_ji with i, j the file's index letters: one name per value of the letters
        if base and index and all(c in letters or c.isdigit() or c == "," for c in index):
            found |= {(c, base) for c in index if c in letters and c not in bound}
    for child in children(node):
        found |= _free_letters(child, frame, bound)
    return found
