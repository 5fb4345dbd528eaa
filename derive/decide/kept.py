"""Results kept: a derivative or a limit of the same written-out expression is taken once,
and :func:`canonical`, the text by which results are kept between runs.

A checker reads the same definition for many claims (the gradient and the Hessian of one loss,
each instance of an index claim) and the middle side of a chain for the links on both sides
of it, so the same ``diff`` and the same limit recur. SymPy expressions are immutable and
hashable; each result is kept by the expression (in this process, least recently used out).
A computation interrupted by its budget raises, and nothing is kept.

Between runs a result is kept in the user's cache (``derive.core.cache``) under the package's
source digest and the :func:`canonical` text of its inputs. A result is kept there only when
it reads back as the very tree computed (unpickling rebuilds a tree through its constructors,
which could evaluate what was left unevaluated) and holds no ``Dummy`` (another process could
make an unrelated dummy of the same name and number); a kept result is used only when the tree
read back has the canonical text it was kept with.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import lru_cache

import mpmath
import sympy as sp
from sympy.core.function import UndefinedFunction
from sympy.core.parameters import global_parameters

from derive.core import cache
from derive.core.errors import BudgetExceeded


class Unkeyable(Exception):
    """Part of an expression that :func:`canonical` cannot write out exactly."""


def canonical(*roots: object) -> str:
    """A text that two inputs share only when they are the same: every SymPy node written as
    its class (module and qualified name, SymPy's or derive's; an undefined function by its
    name and the assumptions it was made with) and the content SymPy's own equality compares
    (a symbol's name and assumptions, a dummy's number, a float's binary value and
    precision), its parts numbered in order of first appearance. ``roots`` may nest tuples,
    whole numbers, floats, strings, booleans and None around the expressions. Raises
    :class:`Unkeyable` for what it cannot write out exactly (a class from outside SymPy and
    derive, a set)."""
    records: list[str] = []
    numbers: dict[str, int] = {}  # a record's text: its number (equal parts share one)
    seen: dict[int, int] = {}  # id of a node visited: its number
    alive: list[sp.Basic] = []  # the nodes visited (some content is made on the fly, as a
    # Subs with its variables renamed): none is freed, so no id is reused during the walk

    def node(expr: sp.Basic) -> int:
        known = seen.get(id(expr))
        if known is not None:
            return known
        alive.append(expr)
        content = " ".join(item(part) for part in expr._hashable_content())
        text = f"{_class_of(type(expr))}({content})"
        number = numbers.get(text)
        if number is None:
            number = numbers[text] = len(records)
            records.append(text)
        seen[id(expr)] = number
        return number

    def item(part: object) -> str:
        if isinstance(part, sp.Basic):
            return f"#{node(part)}"
        if isinstance(part, bool) or part is None:
            return repr(part)
        if isinstance(part, int) or type(part).__name__ == "mpz":  # gmpy's whole numbers
            return f"i{int(part)}"  # type: ignore[call-overload]
        if isinstance(part, float):
            return f"f{part.hex()}"
        if isinstance(part, str):
            return f"s{part!r}"
        if isinstance(part, tuple):
            return f"[{','.join(item(p) for p in part)}]"
        raise Unkeyable(type(part).__name__)

    try:
        top = item(roots)
    except RecursionError as error:
        raise Unkeyable("too deep") from error
    return "\n".join((*records, top))


def _class_of(kind: type) -> str:
    if isinstance(kind, UndefinedFunction):  # equal when made with the same name and options
        options = sorted(getattr(kind, "_kwargs", {}).items())
        if not all(isinstance(v, bool | int | str) or v is None for _, v in options):
            raise Unkeyable(f"options of {kind.__name__}")
        return f"Function:{kind.__name__!r}:{options!r}"
    # a class is known by its name only where the source digest covers its code (SymPy's
    # version, derive's source): a class of a script or a test could be another one later
    if kind.__module__.partition(".")[0] not in ("sympy", "derive") \
            or "<locals>" in kind.__qualname__:
        raise Unkeyable(f"{kind.__module__}.{kind.__qualname__}")
    return f"{kind.__module__}:{kind.__qualname__}"


def settings() -> tuple[object, ...]:
    """The global switches of SymPy and mpmath that can change a result."""
    return (bool(global_parameters.evaluate), bool(global_parameters.distribute),
            bool(global_parameters.exp_is_pow), int(mpmath.mp.prec))


def _persisted(kind: str, inputs: tuple[object, ...], work: Callable[[], sp.Expr]) -> sp.Expr:
    """``work()``, kept in the user's cache under ``kind`` and the canonical text of
    ``inputs``; see the module docstring for when a result is kept and used."""
    if not cache.enabled():
        return work()
    try:
        name = cache.key(kind, canonical(*inputs, settings()))
    except Unkeyable:
        return work()
    kept = cache.recall(kind, name)
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], str):
        try:
            loaded = pickle.loads(kept[0])  # our own entry, in the user's own folder
            if isinstance(loaded, sp.Expr) and canonical(loaded) == kept[1]:
                return loaded
        except BudgetExceeded:
            raise
        except Exception:  # a damaged or foreign entry is not one
            pass
    value = work()
    if isinstance(value, sp.Expr) and not value.atoms(sp.Dummy):
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            text = canonical(value)
            if canonical(pickle.loads(data)) == text:
                cache.keep(kind, name, (data, text))
        except BudgetExceeded:
            raise
        except Exception:  # what cannot be written out or read back is not kept
            pass
    return value


@lru_cache(maxsize=1024)
def derivative(expr: sp.Expr, variables: tuple[tuple[sp.Expr, int], ...]) -> sp.Expr:
    """``sp.diff(expr, *variables)``, each variable a (variable, count) pair."""
    return _persisted("derivative", (expr, variables), lambda: sp.diff(expr, *variables))


@lru_cache(maxsize=256)
def limit_value(limit: sp.Limit) -> sp.Expr:
    """``limit.doit()``."""
    return _persisted("limit", (limit,), limit.doit)
