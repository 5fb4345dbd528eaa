"""What the names of one matrix claim mean: declared shapes and domains, the lowered
definitions, the layout and batch settings, and the sizes an instantiation takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from derive.core.context import Context, size_expression
from derive.core.domains import REAL, Domain
from derive.verify.shapes.ir import Node, Ones, Shape, names_in, walk

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

    def declared(self, name: str) -> Shape | None:
        info = self.context.symbols.get(name)
        if info is None or info.shape is None:
            return None
        rows, cols = (size_expression(s) for s in info.shape)
        return (rows, cols)

    def domain(self, name: str) -> Domain:
        info = self.context.symbols.get(name)
        return info.domain if info is not None else REAL

    def is_identity(self, name: str) -> bool:
        info = self.context.symbols.get(name)
        return info is not None and info.identity

    def entry(self, name: str) -> tuple[str, str] | None:
        """(array, index) when ``name`` is an entry of a vector (w_0 → (W, "0"))."""
        if name in self.definitions or self.declared(name) is not None:
            return None
        base, _, index = name.rpartition("_")
        array = self.entry_array(base) if base and index else None
        return (array, index) if array is not None else None

    def entry_array(self, base: str) -> str | None:
        """The vector whose entries the document writes as base_0, base_1, ..."""
        for info in self.context.symbols.values():
            if info.entries is not None and info.entries.rpartition("_")[0] == base:
                return info.name
        return None

    def first_index(self, array: str) -> int:
        info = self.context.symbols[array]
        assert info.entries is not None
        return int(info.entries.rpartition("_")[2])

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
        return chosen

    def depends(self, name: str, on: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a name's value depends on ``on`` through the definitions."""
        if name == on:
            return True
        definition = self.definitions.get(name)
        if definition is None or name in seen:
            return False
        return any(self.depends(n, on, seen | {name}) for n in names_in(definition))

    def mentions_arrays(self, node: Node, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a lowered expression involves an array (directly or by its definitions)."""
        for name in names_in(node):
            if self.declared(name) is not None or self.entry(name) is not None:
                return True
            definition = self.definitions.get(name)
            if definition is not None and name not in seen and self.mentions_arrays(
                    definition, seen | {name}):
                return True
        return isinstance(node, Ones) or any(isinstance(n, Ones) for n in walk(node))
