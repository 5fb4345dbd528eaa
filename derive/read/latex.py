r"""The ML-LaTeX reader: the project's own LALR grammar (``latex.lark``), no ``eval``.

The text is read by lark; the tree is turned into SymPy objects by ``_Reader``, which calls
SymPy constructors directly (never ``sympify``/``parse_expr``). Whatever the reader cannot read
with certainty it refuses with a ``ParseError`` (1-based line and column of the offending
character, and what would have been accepted) or an ``AmbiguityError`` listing the readings.

The reader is assembled from the modules of this package, one concept each:

- derive.read.screen: what a text must pass before it is parsed (size, control characters,
  unknown commands, brackets), the lark parser and its post-lexer, the token tables and the
  function words;
- derive.read.tree: the parse tree, the records a product is cut into, and their positions;
- derive.read.nodes: ``Relation`` and the builders of every SymPy node, arrays included;
- derive.read.names: runs of letters, names, scripts and accents (the rules under "Names");
- derive.read.derivatives: the forms that differentiate (under "Derivatives", "Differentials");
- derive.read.values: what each node is worth (sums, ``\dots``, brackets, calls, scripts);
- derive.read.extent: where an operator's operand ends, and how a product is joined;
- derive.read.families: the indexed families sums make (under "Names");
- this module: lines and relations, and the public functions.

The reader's layers are classes, each on top of the one before (names, derivatives, values,
extent, then ``_Reader`` here), since they call one another recursively. A new construct is a
rule of the grammar (``latex.lark``) and a method in the module of its concept.

Names (the whole package relies on this convention; every symbol comes from
``Context.symbol(name)``):

- ``y_i``, ``y_{i}`` → ``y_i``; ``w_0`` → ``w_0``; ``x_{12}`` → ``x_12``. An unbraced script
  is one character, as in TeX: ``y_ij`` is ``y_i·j``, and ``x_12`` / ``x^10`` are refused
  (write ``x_{12}``). A compound subscript keeps its text in braces without spaces:
  ``h_{k-1}`` → ``h_{k-1}``, ``w_{i,j}`` → ``w_{i,j}``.
- ``\hat y``, ``\hat{y}``, ``{\hat y}``, ``\hat{\mathbf{y}}`` → ``yhat``; ``\hat y_i``,
  ``\hat{y}_i``, ``\hat{y_i}`` → ``yhat_i``. Likewise ``\bar x`` → ``xbar``, ``\tilde x`` →
  ``xtilde``, ``\dot x`` → ``xdot``.
- Bold is dropped: ``\mathbf{z}``, ``\boldsymbol{z}``, ``\bm z``, ``\vec z``, ``\bf z`` → ``z``.
- Greek letters by their command name: ``\alpha`` → ``alpha``, ``\lambda`` → ``lambda``.
- A parenthesised superscript on a name is a layer index: ``W^{(1)}`` → ``W^(1)``;
  ``W_i^{(1)}`` → ``W_i^(1)``.
- Adjacent letters (no space between them in the source) are one run. A run is cut into the
  longest names the context declares (a symbol or a function, two letters or more) or the
  words ``log``, ``ln``, ``exp``; every other letter is a symbol of its own. So ``BCE`` is one
  symbol only when the context declares ``BCE``, else ``B·C·E``. A bare function word followed by
  more letters of its run (``logit``, ``lnx``) is refused rather than guessed.
- A word written upright (``\operatorname{X}``, ``\mathrm{X}``, ``\mathit{X}``, and
  ``\text{X}``/``\textrm{X}`` before a bracket or a power) is one name, never a product of
  letters: a declared symbol or function; else a known function, case aside
  (``\operatorname{ReLU}(x)`` is relu(x), ``\operatorname{sech}^2 x`` is sech(x)², also
  softplus, sigmoid, tanh, sign/sgn, abs, exp, log, ln, sinh, cosh, sin, cos, tan, max, min);
  else, before an operand, it is refused as an unknown function, and alone it is a symbol
  (``\mathrm{BCE}``). One upright letter keeps its meaning (``\mathrm{d}``, ``\mathrm{e}``).
- Indexed families: a name a sum's index subscripts (``x_i`` in ``\sum_{i=1}^n x_i``, also the
  series of ``\dots``) makes its base an indexed family, in the whole text (and, for the
  checker, in the whole document: ``Context.families``): every subscripted use of the base is
  an entry ``Indexed(IndexedBase(x), ...)``, inside or outside the sum (``x_1`` is ``x[1]``,
  ``x_{i+1}`` is ``x[i + 1]``, ``w_{ij}`` is ``w[i, j]`` when the sum's use has two indices).
  Sums over the context's index letters (``Context.indices``: derive.verify.indexed) and bases
  derive.verify.shapes reads (declared arrays, a vector's ``entries``) keep plain symbols. The
  checker also takes an undeclared name a sum runs up to (``n``) as a count (a whole number ≥ 1).
- ``e`` is Euler's number (``e^{x}`` is ``exp(x)``), never a symbol; ``e_i`` is the symbol
  ``e_i``. ``\pi`` is π unless the context declares a symbol ``pi``. ``\infty`` is ∞.

Reading rules and the decisions taken on ambiguous points:

- Precedence: ``+ -`` lowest; products (juxtaposition, ``* \cdot \times / \odot :``) read
  left to right; unary signs; powers and ``^T``; function application binds tightest.
  ``-x^2`` is ``-(x^2)``, ``-1(a+b)`` is ``-1·(a+b)``, ``a*-1`` is ``-a``. ``\odot`` and ``:``
  are ordinary multiplication on scalars (through ``_hadamard``/``_frobenius``); mixing them
  with matrix products is read left to right, and a run of arrays juxtaposed next to them is
  marked (``Juxtaposition``) so that derive.verify.shapes reports the other groupings.
- Arrays: a name the context declares with a shape is a ``MatrixSymbol``
  (``Context.matrix``). With an array operand the builders make SymPy matrix expressions in
  the order written, unchecked (``ArrayProduct``, ``ArraySum``, ``Transpose``,
  ``ArrayHadamard``, ``ArrayPower``, and ``a : b`` as ``Frobenius`` = ``Trace(aᵀb)``):
  derive.verify.shapes infers and checks the shapes. On arrays, ``\frac{a}{b}`` and ``a/b`` divide
  entry by entry, powers are entrywise, ``\log``, ``\sigma``, ``e^{…}`` and ML functions
  apply entry by entry (``Elementwise``; a declared function applied to an array stays a
  call, ``J(w)``), a scalar added to an array is added to every entry, and ``\mathbf{1}^T``
  is a row of ones. An undeclared name is a scalar, so ``z(1 - z)`` stays a product of
  scalars even where z turns out to be an array (derive.verify.shapes multiplies such factors entry
  by entry).
- ``J(w)`` is a call when the context declares the function ``J`` (or it is sigmoid, relu,
  softplus), else the product ``J·w``; a declared function written without an argument
  (``\frac{dJ}{dx}``) is the symbol of that name. ``\sigma(z)`` is sigmoid unless the context
  declares a symbol ``sigma``; ``\sigma`` without a bracket is the symbol ``sigma``.
  ``f'(a)`` is ``Subs(Derivative(f(t), t), t, a)`` for a declared ``f``.
- ``\log``, ``\ln``, bare ``log``/``ln`` are the natural log, ``\exp``/``exp`` the exponential,
  ``\tanh``, ``\sinh``, ``\cosh``, ``\sin``, ``\cos``, ``\tan`` those functions. Without
  brackets they apply to the next factor: ``\log x^2 y`` is ``log(x^2)·y``; ``\log(x)^2`` is
  ``log(x)^2``; ``\tanh^2 x`` is ``tanh(x)**2``.
  ``\max(a, b)``/``\min(a, b)`` are ``Max``/``Min`` and need their bracket; ``|z|``,
  ``\left| z \right|``, ``\lvert z \rvert`` are ``Abs(z)`` (a bar opens an absolute value
  unless one is open and the token before it ends an operand: ``e^{-|z|}``, ``|a| + |b|``).
- ``X^T``, ``X^{T}``, ``X^\top`` are ``sp.transpose(X)`` (the symbol itself for a scalar),
  unless the context declares a symbol ``T`` (then ``X^T`` is a power).
- Derivatives: ``\frac{dJ}{dx}``, ``\frac{\partial J}{\partial x}``, ``\frac{d(1-x)}{dx}``,
  ``\frac{d^2 y}{dx^2}`` become unevaluated ``Derivative``. An operator ``\frac{d}{dx}`` or
  ``\frac{\partial}{\partial x}`` applies to the rest of its product, up to the next ``+`` or
  ``-`` at its level (not ambiguous: that is the rule). A fraction whose denominator starts
  with ``d``/``\partial`` and a variable is always a derivative (unless the context declares a
  symbol ``d``); its numerator must then start with ``d`` or ``\partial``.
- Sums ``\sum_{i=1}^{m} body`` become ``Sum(body, (i, 1, m))``; the body is the rest of the
  product. ``\sum_j`` runs from 1 to the count the context gives j (``Context.indices``;
  refused when it gives none), ``\sum_j^C`` from 1 to C; ``\sum_{k \neq i} b`` is
  ``Sum(b·(1 - KroneckerDelta(i, k)), (k, 1, C))``. ``\delta_{ij}`` is ``KroneckerDelta(i, j)``
  and ``\begin{cases} a & i = j \\ b & i \neq j \end{cases}`` a ``Piecewise``.
  ``\lim_{h \to 0}`` (a two-sided ``Limit``) and ``\nabla_w`` (``Derivative`` w.r.t. w) take
  the rest of the product as a sum does. When the term holding a sum is
  followed by ``+``/``-`` at the same level, the extent is ambiguous (``AmbiguityError`` with
  the two readings written in LaTeX), unless the body is a single bracketed group:
  ``\sum_i (a_i + b_i) + c`` is read as the sum of the bracket, plus ``c``. A name in the body
  subscripted by the index is an entry of an indexed family (see Names).
- Differentials (matrix calculus): ``d`` followed by an operand (name, group, bracket or
  ``\log``) is ``Differential(operand)`` when the context declares no symbol or function ``d``
  and either the relation contains ``:`` (a Frobenius product) or the operand is a symbol the
  context declares. Otherwise ``d`` is a symbol and ``dL`` the product ``d·L``.
- ``a + x_1 w_1 + x_2 w_2 + \dots + x_k w_k``: the term after ``\dots`` is a pattern in one
  subscript (``k``); the terms just before ``\dots`` must be that pattern at consecutive
  integers. They become ``Sum(x_j w_j, (j, first, k))`` with a fresh index (``j``, ``i``, ...);
  anything else is refused ("cannot read '\dots'").
- Layout: ``$``/``$$``, ``\begin{aligned}`` (and align, equation, split, gather),
  ``\eqalign{...}``, line breaks ``\\``/``\cr``, ``&`` alignment; spacing (``\quad``, ``\,``,
  ``~``, ...) is ignored; ``\quad (5)`` at the end of a line and ``\tag{5}`` give
  ``Relation.tag``; ``\text{...}``/``\mbox{...}`` and ``\mathrm{...}`` with more than letters
  are prose, kept in ``Relation.prose`` and allowed only before or after a side. A line may end
  with ``=`` (the chain goes on at the next line, which starts with ``=``).
- Numbers: integers and decimals read exactly (``0.5`` is ``1/2``). A number of more than 4000
  digits, read or built (``e^{10^{10^{10}}}``), is refused ("number too large"); a power is
  refused before it is computed. Python prints at most 4300 digits, and every value read must
  stay printable.
- Hostile input: more than 20,000 characters, nesting deeper than 200 brackets, control
  characters, unknown commands (``\input``, ``\def``, ``\newcommand``, ...), an unmatched
  ``|``, and relations other than ``=`` (``\to`` outside a limit) are refused by name.
  Nothing but ``ParseError`` escapes. While a text is read, the recursion limit is raised to
  4000 if it is lower (and restored after), so that 200 nested brackets can be built;
  expressions that deep may still be slow for SymPy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TypeVar

import sympy as sp
from lark import Token, Tree

from derive.core.context import Context
from derive.core.errors import ParseError
from derive.read.extent import _Extent
from derive.read.families import _Families
from derive.read.nodes import (
    ONES_LENGTH,
    ArrayHadamard,
    ArrayPower,
    ArrayProduct,
    ArraySum,
    Differential,
    Elementwise,
    Frobenius,
    Juxtaposition,
    Relation,
    _is_array,
)
from derive.read.screen import _FILLERS, MAX_DIGITS, MAX_LENGTH, MAX_NESTING, parse
from derive.read.tree import Node, _lines, _short

__all__ = [
    "MAX_DIGITS",
    "MAX_LENGTH",
    "MAX_NESTING",
    "ONES_LENGTH",
    "ArrayHadamard",
    "ArrayPower",
    "ArrayProduct",
    "ArraySum",
    "Differential",
    "Elementwise",
    "Frobenius",
    "Juxtaposition",
    "Relation",
    "index_families",
    "parse_expression",
    "parse_lines",
    "parse_name",
    "parse_relation",
]

_T = TypeVar("_T")


class _Reader(_Extent):
    """Reads one text against one context: checks, lexes, parses, builds SymPy objects."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        super().__init__(text, context, source, declaring=declaring)
        self.families = _Families(context)
        self.scanning = False  # finding the families only (index_families)

    # -- lines and relations ---------------------------------------------------------------

    def relations(self) -> list[tuple[Relation, Token | None, Tree[Token]]]:
        """Every non-empty line: its relation, its first '=' and its tree; a name of an
        indexed family is read as its entry (``x_1`` is ``x[1]``)."""
        found = []
        for line in _lines(parse(self)):
            read = self.relation(line)
            if read is not None:
                found.append((read[0], read[1], line))
        self.families.find([side for relation, _, _ in found for side in relation.sides])
        if self.declaring or self.scanning or not self.families.ranks:
            return found

        def entries(relation: Relation) -> Relation:
            sides = (self.families.entries_of(side, self.index_value) for side in relation.sides)
            return replace(relation, sides=tuple(sides))

        return [(entries(relation), equals, line) for relation, equals, line in found]

    def relation(self, line: Tree[Token]) -> tuple[Relation, Token | None] | None:
        self.frobenius_line = any(
            isinstance(value, Token) and value.type == "COLON"
            for value in line.scan_values(lambda v: isinstance(v, Token))
        )
        equals = [c for c in line.children if isinstance(c, Token)]
        prose: list[str] = []
        tags: list[tuple[str, Token]] = []
        nodes: list[Node | None] = []
        for segment in line.children:
            if not isinstance(segment, Tree):
                continue
            node: Node | None = None
            for child in segment.children:
                if isinstance(child, Token) and child.type in _FILLERS:
                    if child.type == "PROSE":
                        prose.append(child[child.index("{") + 1 : child.rindex("}")])
                    elif child.type in ("TAG", "QUADTAG"):
                        tags.append((_tag_text(child), child))
                else:
                    node = child
            nodes.append(node)
        if len(tags) > 1:
            self.fail("a second equation tag on one line", tags[1][1])
        if all(node is None for node in nodes):
            if equals:
                raise self.error("expected an expression", equals[0], ("an expression",))
            return None
        for k, node in enumerate(nodes[1:-1], start=1):
            if node is None:
                raise self.error(
                    "expected an expression between '=' signs", equals[k], ("an expression",)
                )
        sides = tuple(self.value(node) for node in nodes if node is not None)
        for side, node in zip(sides, [n for n in nodes if n is not None], strict=True):
            self.check_numbers(side, node)
        continues = nodes[0] is None
        tag = tags[0][0] if tags else None
        operators = tuple("≠" if token.type == "NEQ" else "=" for token in equals)
        relation = Relation(sides, continues, tag, tuple(prose), operators)
        return relation, equals[0] if equals else None

    def check_numbers(self, value: sp.Expr, at: Node) -> None:
        """Refuse numbers too long to print (Python prints at most 4300 digits)."""
        for number in value.atoms(sp.Rational):
            if max(abs(int(number.p)).bit_length(), int(number.q).bit_length()) // 3 > MAX_DIGITS:
                self.fail("number too large", at)

    def lines(self) -> tuple[Relation, ...]:
        return tuple(relation for relation, _, _ in self.relations())

    def single(self) -> tuple[Relation, Token | None, Tree[Token]]:
        found = self.relations()
        if not found:
            raise self.error("expected an expression", len(self.text), ("an expression",))
        if len(found) > 1:
            self.fail("more than one line: read them with parse_lines", found[1][2])
        return found[0]

    def expression(self) -> sp.Expr:
        relation, equals, _ = self.single()
        if equals is not None:
            raise self.error("expected an expression, found '='", equals, ("an expression",))
        return relation.sides[0]

    def name(self) -> str:
        _, equals, line = self.single()
        if equals is not None:
            self.fail("expected a name, found '='", equals)
        segment = next(c for c in line.children if isinstance(c, Tree))
        node = next(
            c for c in segment.children if not (isinstance(c, Token) and c.type in _FILLERS)
        )
        entries = self.entries(node)
        named = self.name_of(entries[0]) if len(entries) == 1 and not entries[0].signs else None
        if named is None or named[1] or named[0].primes:
            self.fail("expected a single name", node)
        return named[0].full()

    def index_value(self, part: str, name: str) -> sp.Expr:
        """One index of an entry: a number, a letter (or a word), or an expression (i+1)."""
        if part.isdigit():
            return sp.Integer(int(part))
        if part.isalpha():
            return self.context.symbol(part)
        try:
            value = _Reader(part, replace(self.context, families={}), self.source).expression()
        except ParseError:
            value = None
        if not isinstance(value, sp.Expr) or _is_array(value) or value.atoms(sp.Indexed):
            self.fail(f"cannot read the index '{_short(part)}' of {_short(name)}: the name "
                      "is an entry of an indexed family (its base is subscripted by a "
                      "sum's index)", None)
        return value


def _tag_text(token: Token) -> str:
    if token.type == "QUADTAG":
        return token[token.index("(") + 1 : token.rindex(")")].strip()
    return token[token.index("{") + 1 : token.rindex("}")].strip()


@contextmanager
def _recursion_headroom(limit: int = 4000) -> Iterator[None]:
    """Room for 200 nested brackets (a few Python frames each) while a text is read."""
    previous = sys.getrecursionlimit()
    if previous >= limit:
        yield
        return
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        if sys.getrecursionlimit() == limit:
            sys.setrecursionlimit(previous)


def _guarded(text: object, source: str, read: Callable[[_Reader], _T], reader: _Reader) -> _T:
    """Run ``read``; turn anything but a ParseError into one."""
    try:
        with _recursion_headroom():
            return read(reader)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(
            f"nesting too deep (at most {MAX_NESTING})", text=str(text), source=source
        ) from None
    except Exception as error:  # nothing else may escape the reader
        raise ParseError(
            f"cannot read this text ({type(error).__name__}: {error})",
            text=str(text),
            source=source,
        ) from None


def _reader(text: object, context: Context | None, source: str, **options: bool) -> _Reader:
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}", source=source)
    return _Reader(text, context if context is not None else Context(), source, **options)


# ---- public API ----------------------------------------------------------------------------


def parse_expression(
    text: str, context: Context | None = None, *, source: str = "<input>"
) -> sp.Expr:
    """Read one expression (no '=', one line)."""
    return _guarded(text, source, _Reader.expression, _reader(text, context, source))


def parse_relation(
    text: str, context: Context | None = None, *, source: str = "<input>"
) -> Relation:
    """Read one line: ``A = B = C``, ``= B`` (continuing), with its tag and prose."""
    reader = _reader(text, context, source)
    return _guarded(text, source, lambda r: r.single()[0], reader)


def parse_lines(
    text: str, context: Context | None = None, *, source: str = "<input>"
) -> tuple[Relation, ...]:
    """Read every line of a block (aligned, eqalign, line breaks); empty lines are skipped."""
    return _guarded(text, source, _Reader.lines, _reader(text, context, source))


def parse_name(text: str, context: Context | None = None, *, source: str = "<input>") -> str:
    """The name a declaration spells: ``\\hat y_i`` → ``yhat_i``; a run of letters is one name."""
    reader = _reader(text, context, source, declaring=True)
    return _guarded(text, source, _Reader.name, reader)


def index_families(
    texts: Iterable[str], context: Context | None = None
) -> tuple[dict[str, int], frozenset[str]]:
    """The indexed families the texts make (see ``Context.families``) and the undeclared names
    their sums run up to (whole numbers ≥ 1); a text that cannot be read adds none."""
    families: dict[str, int] = {}
    counts: set[str] = set()
    for text in texts:
        reader = _reader(text, context, "<input>", declaring=False)
        reader.scanning = True
        try:
            _guarded(text, "<input>", _Reader.lines, reader)
        except ParseError:
            continue
        for base, rank in reader.families.ranks.items():
            families.setdefault(base, rank)
        counts |= reader.families.counts
    return families, frozenset(counts)
