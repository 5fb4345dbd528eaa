"""One walk of an expression tree for every question about its parts.

``expr.atoms(T)`` walks the whole tree, every repeated subexpression as often as it occurs
(an instantiated gradient repeats σ(a₂ᵢ) in many entries), and once more for each kind of
part asked about. :func:`distinct_nodes` walks it once, each distinct subexpression once,
and keeps the parts in the order SymPy's own walk first meets them; :func:`atoms` answers
``expr.atoms(*types)`` from that list, with the same elements put in the same order (so that
even the order in which the set is iterated is SymPy's).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import sympy as sp
from sympy.utilities.iterables import iterable

KEPT = 4096
"""Expressions whose parts are kept, least recently used out."""


def distinct_nodes(expr: Any) -> tuple[Any, ...]:
    """Every part of ``expr`` (itself included), each once, in the order of its first
    occurrence in SymPy's preorder walk (``sympy.preorder_traversal`` without keys: the
    arguments of a node in order, those of a lattice operation such as ``Max`` as SymPy keeps
    them). A part met before (the very object: SymPy's cache shares the parts it builds
    twice) is not walked again: its parts are already in the list. Equality would not do: two
    ``Subs`` or ``Lambda`` equal up to the names of their bound variables hold different
    dummies. Every part stays referenced by ``expr`` (and by the list), so no identity is
    reused during the walk.

    The list is kept by the expression's identity, not by equality: an expression equal to
    another one (up to the names of bound variables) may have other parts."""
    kept = _NODES.get(id(expr))
    if kept is not None and kept[0] is expr:
        _NODES.move_to_end(id(expr))
        return kept[1]
    nodes = _walk(expr)
    _NODES[id(expr)] = (expr, nodes)  # the expression held: its identity is not reused
    if len(_NODES) > KEPT:
        _NODES.popitem(last=False)
    return nodes


_NODES: OrderedDict[int, tuple[Any, tuple[Any, ...]]] = OrderedDict()
"""The parts of the expressions walked, by the identity of the expression."""


def _walk(expr: Any) -> tuple[Any, ...]:
    seen: set[int] = set()
    order: list[Any] = []
    stack: list[Any] = [expr]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        if isinstance(node, sp.Basic):
            args = list(node._argset) if hasattr(node, "_argset") else list(node.args)
        elif iterable(node):
            args = list(node)
        else:
            continue
        args.reverse()
        stack.extend(args)
    return tuple(order)


def atoms(expr: sp.Basic, *types: type) -> set[Any]:
    """``expr.atoms(*types)`` (``types`` given: the parts of those classes), the same set
    built in the same order, from :func:`distinct_nodes`."""
    if not types:
        raise ValueError("atoms needs at least one class")
    kinds = tuple(t if isinstance(t, type) else type(t) for t in types)
    return {node for node in distinct_nodes(expr) if isinstance(node, kinds)}
