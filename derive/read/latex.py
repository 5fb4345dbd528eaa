r"""The ML-LaTeX reader: the project's own LALR grammar (``latex.lark``), no ``eval``.

The text is read by lark; the tree is turned into SymPy objects by ``_Reader``, which calls
SymPy constructors directly (never ``sympify``/``parse_expr``). Whatever the reader cannot read
with certainty it refuses with a ``ParseError`` (1-based line and column of the offending
character, and what would have been accepted) or an ``AmbiguityError`` listing the readings.

The reader is assembled from the modules of this package, one concept each:

- derive.read.posted: the notation of posts, rewritten before parsing and said as readings
  (sentence punctuation, macros, boxes, definition signs, breaks between claims; see "Posts");
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

Posts (derive.read.posted). Every tolerant reading is said: ``Relation.readings`` lists, for
each line, what was read other than literally ("'.' between two factors read as a product"),
and the checker reports them with the step. Read this way:

- a full stop or comma that ends a formula (before a line break, a tag or the end) is the
  sentence's punctuation; a full stop between two factors is a product
  (``\sigma.(1-\sigma)``, ``\theta^T.x_i``); any other full stop is refused;
- a remark after an equation, ``,\quad i=1,\dots,n`` (``\forall``, ``\in``), is left out; a
  comma, ``\Rightarrow`` or ``\implies`` between two equations starts a new claim (a line of
  its own), refused when the first sets something to a value (``z = 0``, ``\nabla L = 0``)
  or either has a bare name for its left side (a definition, a solution), unless the second
  is the derivative of the function the first gives (``f(x) = 1 \Rightarrow f'(x) = 0``);
  ``\Rightarrow`` before a line is left out when the line states a derivative, else refused;
  the clause after an upright ``where`` is left out (a definition said in passing);
- ``:=``, ``\coloneqq``, ``\triangleq``, ``\equiv``, ``\stackrel{def}{=}`` are '=' and mark the
  line as a definition (``Relation.defining``);
- ``\boxed{X}``, ``\underbrace{X}_{label}``, ``\overbrace{X}^{label}`` are X; the null
  delimiters ``\left.``/``\right.`` are left out (a bracket broken across two lines with them
  is one line);
- a post's own macros (``\newcommand``, ``\renewcommand``, ``\def`` with ``#1``…, and
  ``\DeclareMathOperator``) are expanded textually; ``’`` and ``′`` are primes, ``−`` a minus,
  and ``–`` a minus (said); ``⋅``, ``·`` and ``×`` are products.

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
- Bold and other styles are dropped: ``\mathbf{z}``, ``\boldsymbol{z}``, ``\bm z``,
  ``\vec z``, ``\bf z``, ``\textbf{z}`` (one letter) → ``z``; ``\mathcal{L}``,
  ``\mathscr{L}`` → ``L``; ``\mathbb{R}``, ``\Bbb R`` → ``R``. A bold name the context
  declares with a shape is that array.
- Greek letters by their command name: ``\alpha`` → ``alpha``, ``\lambda`` → ``lambda``.
- A parenthesised superscript on a name is a layer index: ``W^{(1)}`` → ``W^(1)``;
  ``W_i^{(1)}`` → ``W_i^(1)``; with a letter, ``y^{(i)}`` → ``y^(i)``, said as a reading (the
  i-th example). ``y^i``, where the context declares i an index letter, is read as
  ``y^{(i)}`` and said; without that declaration it is a power. Index letters as
  superscripts (``A^{ij}``, ``\\delta^j_m``) are the entry ``A_ij`` (``δ_jm``) where the
  context reads upper indices (``Context.upper_indices``), and refused elsewhere.
- A superscript that labels is part of the name: one capital letter the context does not
  declare (never T) or an upright word: ``W^Q`` → ``W^Q``, ``Z^{O}_0`` → ``Z^O_0``,
  ``A^{\text{prev}}`` → ``A^prev``; said as a reading unless the context declares the name.
- Adjacent letters (no space between them in the source) are one run. A run is cut into the
  longest names the context declares (a symbol or a function, two letters or more; a
  declared ``dy_i`` declares the word ``dy``) or the function words of
  derive.core.primitives (``log``, ``ln``, ``exp``, ``tanh``, ``cosh``, ``abs``, ``sign``, ...,
  and ``max``, ``min``: ``2cosh(x)``, ``exp(-abs(x))``); every other letter is a symbol of its
  own. So ``BCE`` is one symbol only when the context declares ``BCE``, else ``B·C·E``. A bare
  function word followed by more letters of its run (``logit``, ``lnx``, ``cost``), or with two
  letters or more before it (``softmax``, ``argmax``), is refused rather than guessed: an
  unknown word is never a product of letters.
- A word written upright (``\operatorname{X}``, ``\mathrm{X}``, ``\mathit{X}``, and
  ``\text{X}``/``\textrm{X}`` before a bracket or a power) is one name, never a product of
  letters: a declared symbol or function; else a known function, case aside
  (``\operatorname{ReLU}(x)`` is relu(x), ``\operatorname{sech}^2 x`` is sech(x)², also
  softplus, sigmoid, tanh, sign/sgn, abs, exp, log, ln, sinh, cosh, sin, cos, tan, max, min);
  else, before an operand, it is refused as an unknown function (``\text{softmax}(z)``, unless
  declared), and alone it is a symbol (``\mathrm{BCE}``, ``{\rm BCE}``). One upright letter
  keeps its meaning (``\mathrm{d}``, ``\mathrm{e}``). A word of prose written upright
  (``{\rm where}``, ``\operatorname{since}``, ``\text{for}``) is prose.
- Indexed families: a name a sum's index subscripts (``x_i`` in ``\sum_{i=1}^n x_i``, also the
  series of ``\dots``) makes its base an indexed family, in the whole text (and, for the
  checker, in the whole document: ``Context.families``): every subscripted use of the base is
  an entry ``Indexed(IndexedBase(x), ...)``, inside or outside the sum (``x_1`` is ``x[1]``,
  ``x_{i+1}`` is ``x[i + 1]``, ``w_{ij}`` is ``w[i, j]`` when the sum's use has two indices).
  Sums over the context's index letters (``Context.indices``: derive.verify.indexed) and bases
  derive.verify.shapes reads (declared arrays, a vector's ``entries``) keep plain symbols. The
  checker also takes an undeclared name a sum runs up to (``n``) as a count (a whole number ≥ 1).
- ``e`` is Euler's number (``e^{x}`` is ``exp(x)``), never a symbol; ``e_i`` is the symbol
  ``e_i``. ``\pi`` is π unless the context declares a symbol
  ``pi``. ``\infty`` is ∞. ``\Delta x``, where the text takes ``\lim_{\Delta x \to …}``, is
  one name, the increment ``Δx`` (said).

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
  ``f'(a)`` is ``Subs(Derivative(f(t), t), t, a)`` for a declared ``f`` (also ``f’(a)`` and
  ``f^{\prime}(a)``); ``f^2(x)`` of a function is ``(f(x))^2`` (said; other scripts on a
  function's name are refused).
- Primes elsewhere, each said: on a name the context declares with a shape, or after a
  bracket whose value is an array, a prime is the transpose (``X'y``, ``(y-Xw)'``); after a
  bracket of one variable it is the derivative by it (``(\ln(1+e^x))'``); on a scalar name
  it is its derivative by the one variable the context declares (``u' = e^x``), and refused
  when the context declares none or several. Declared functions written without their
  argument in a line with a prime on them (``f'``, ``(f/g)'``) are functions of the line's
  variable: the one the line applies a declared function to (``S'(x) = (f/g)'``), or ``t``
  in a line with no variable (``(f/g)' = (f'g - g'f)/g^2``); refused beside other variables.
- ``\log``, ``\ln``, bare ``log``/``ln`` are the natural log, ``\exp``/``exp`` the exponential,
  ``\tanh``, ``\sinh``, ``\cosh``, ``\sin``, ``\cos``, ``\tan``, ``\arctan`` those functions.
  Without brackets they apply to the next factor: ``\log x^2 y`` is ``log(x^2)·y``;
  ``\log(x)^2`` is ``log(x)^2``; ``\tanh^2 x`` is ``tanh(x)**2``; ``\log_2 x`` and
  ``\log_a(x)`` are ``log(x)/log(2)``, ``log(x)/log(a)``.
  ``\max(a, b)``/``\min(a, b)`` are ``Max``/``Min`` and need their bracket; ``|z|``,
  ``\left| z \right|``, ``\lvert z \rvert`` are ``Abs(z)`` (a bar opens an absolute value
  unless one is open and the token before it ends an operand: ``e^{-|z|}``, ``|a| + |b|``).
  ``\max\{0, -y\}`` takes its arguments in braces too. ``\|x\|`` (``\left\|``, ``\lVert``,
  ``\Vert``; ``_2`` allowed) is ``Abs(x)`` of a scalar; of an array it is read squared only,
  ``\|w\|^2`` = ``w : w``. ``{a \over b}``, ``1 \over x`` are fractions (derive.read.posted
  rewrites them, said); two in one group are refused. ``\begin{pmatrix}`` (bmatrix, Bmatrix,
  matrix, array) of scalar entries is an ``ImmutableMatrix``.
- ``X^T``, ``X^{T}``, ``X^\top`` are ``sp.transpose(X)`` (the symbol itself for a scalar),
  unless the context declares a symbol ``T`` (then ``X^T`` is a power).
- Derivatives: ``\frac{dJ}{dx}``, ``\frac{\partial J}{\partial x}``, ``\frac{d(1-x)}{dx}``,
  ``\frac{d^2 y}{dx^2}`` become unevaluated ``Derivative``. An operator ``\frac{d}{dx}`` or
  ``\frac{\partial}{\partial x}`` applies to the rest of its product, up to the next ``+`` or
  ``-`` at its level (not ambiguous: that is the rule). A fraction whose denominator starts
  with ``d``/``\partial`` and a variable is always a derivative (unless the context declares a
  symbol ``d``); its numerator must then start with ``d`` or ``\partial`` (``{{\partial y}}``
  and ``\partial{Z^{O}}`` too). ``\frac{\delta L}{\delta y}`` and ``\frac{\delta}{\delta x}``
  (δ above and below, no subscript, the context declaring no δ) read δ as ∂, said. Written
  inline, ``dy/dx``, ``d/dx`` and ``\partial L/\partial w`` are ``\frac{dy}{dx}``, ... (said;
  not when the context declares ``d``). ``\nabla f(w)`` without a variable is the gradient by
  the function's one argument, said.
- Sums ``\sum_{i=1}^{m} body`` become ``Sum(body, (i, 1, m))``; the body is the rest of the
  product, and a body may start with a sign (``C \sum_i -x_i y_i``). ``\sum_j`` runs from 1 to
  the count the context gives j (``Context.indices``), else to ``N`` (a count, said);
  ``\sum_j^C`` from 1 to C; ``\sum t_i`` (no index written) takes its index from the body's
  subscripts when they give exactly one letter (said), and is refused otherwise
  (``\sum \delta``); ``\sum_{k \neq i} b`` is
  ``Sum(b·(1 - KroneckerDelta(i, k)), (k, 1, C))``. ``\delta_{ij}`` is ``KroneckerDelta(i, j)``
  and ``\begin{cases} a & i = j \\ b & i \neq j \end{cases}`` a ``Piecewise``.
  ``\lim_{h \to 0}`` (a two-sided ``Limit``) and ``\nabla_w`` (``Derivative`` w.r.t. w) take
  the rest of the product as a sum does. When the term holding a sum is
  followed by ``+``/``-`` at the same level, the sum's body is the product after it when the
  following terms do not use its index (the common convention, said as a reading:
  ``\sum_{j=1}^{d} w_j x_j - y`` is ``(Σ w_j x_j) − y``; an index bound by a sum of their own
  does not count); when they do (``\sum_i x_i - y_i``), and for ``\lim``, the extent is
  ambiguous (``AmbiguityError`` with the two readings written in LaTeX). A body that is a
  single bracketed group is not ambiguous: ``\sum_i (a_i + b_i) + c`` is read as the sum of the
  bracket, plus ``c``. A name in the body subscripted by the index is an entry of an indexed
  family (see Names); ``x_{ij}`` where x is a family of one index is refused.
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
  characters, unknown commands (``\input``, ``\include``, ...), an unmatched ``|``, and
  relations other than ``=`` (``\to`` outside a limit) are refused by name; a post's macros are
  expanded at most 500 times and never past 20,000 characters, and a command the reader
  knows cannot be redefined.
  Nothing but ``ParseError`` escapes. While a text is read, the recursion limit is raised to
  4000 if it is lower (and restored after), so that 200 nested brackets can be built;
  expressions that deep may still be slow for SymPy.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TypeVar

import sympy as sp
from lark import Token, Tree
from sympy.core.function import AppliedUndef

from derive.core.context import Context
from derive.core.errors import ParseError
from derive.read.extent import _Extent
from derive.read.families import _Families
from derive.read.nodes import (
    COLON_AS_PRODUCT,
    ONES_LENGTH,
    ArrayHadamard,
    ArrayPower,
    ArrayProduct,
    ArraySum,
    Differential,
    Elementwise,
    EntryOf,
    Frobenius,
    Grid,
    Juxtaposition,
    Relation,
    Softmax,
    Stacked,
    _is_array,
)
from derive.read.screen import (
    _FILLERS,
    _OPERATORS,
    MAX_DIGITS,
    MAX_LENGTH,
    MAX_NESTING,
    parse,
    prose_text,
)
from derive.read.tree import Node, _lines, _short

__all__ = [
    "COLON_AS_PRODUCT",
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
    "Grid",
    "Juxtaposition",
    "Relation",
    "Softmax",
    "Stacked",
    "index_families",
    "is_order",
    "parse_expression",
    "parse_lines",
    "parse_name",
    "parse_order",
    "parse_relation",
]

_T = TypeVar("_T")


class _Reader(_Extent):
    """Reads one text against one context: checks, lexes, parses, builds SymPy objects."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        super().__init__(text, context, source, declaring=declaring)
        self.families = _Families(context)
        self.scanning = False  # finding the families only (index_families)
        self.primed_letters: dict[str, str] = {}  # letters for primed indices: q → k for k'

    # -- lines and relations ---------------------------------------------------------------

    def relations(self) -> list[tuple[Relation, Token | None, Tree[Token]]]:
        """Every non-empty line: its relation, its first '=' and its tree; a name of an
        indexed family is read as its entry (``x_1`` is ``x[1]``)."""
        found = []
        lines = _lines(parse(self))
        for line in lines:
            read = self.relation(line)
            if read is not None:
                found.append((read[0], read[1], line))
        for relation, _, line in found:
            if any(side.has(EntryOf) for side in relation.sides):
                self.fail("a subscript needs a name: f(x)_i is read only as the entry of a "
                          "gradient, \\nabla f(x)_i", line)
        found = self.with_readings(found, lines)
        self.check_breaks(found)
        self.families.find([side for relation, _, _ in found for side in relation.sides])
        if self.declaring or self.scanning or not self.families.ranks:
            return found

        def entries(relation: Relation) -> Relation:
            sides = (self.families.entries_of(side, self.index_value) for side in relation.sides)
            return replace(relation, sides=tuple(sides))

        return [(entries(relation), equals, line) for relation, equals, line in found]

    def with_readings(self, found: list[tuple[Relation, Token | None, Tree[Token]]],
                      lines: list[Tree[Token]]) -> list[tuple[Relation, Token | None,
                                                            Tree[Token]]]:
        """Each relation with the readings taken on its line (a reading made before the first
        line, or after the last, goes to the nearest one) and whether it is a definition."""
        if not found:
            return found
        starts = [self.start(line) for _, _, line in found]
        ends = [self.end(line) for _, _, line in found]

        def place(offset: int) -> int:
            for k in range(len(found)):
                if offset < ends[k] or k + 1 == len(found) or offset < starts[k + 1]:
                    return k
            return len(found) - 1

        readings: list[list[str]] = [[] for _ in found]
        for offset, said in self.notes:
            readings[place(offset)].append(said)
        defining = [False] * len(found)
        for offset in self.defining:
            defining[place(offset)] = True
        conditions: list[list[str]] = [[] for _ in found]
        for offset, condition in self.conditions:
            conditions[place(offset)].append(condition)
        return [(replace(relation, readings=tuple(dict.fromkeys(readings[k])),
                         defining=defining[k], conditions=tuple(conditions[k])), equals, line)
                for k, (relation, equals, line) in enumerate(found)]

    def check_breaks(self, found: list[tuple[Relation, Token | None, Tree[Token]]]) -> None:
        """Two equations a mark separates (',', '.', ``\\Rightarrow``) are two claims only when
        neither may be a step of solving or defining: the first sets nothing to a value
        (``z = 0``, ``\\nabla L = 0``, ``\\sigma(z) = 1/2``: a condition, the second then holds
        only under it) and the second solves or defines no name (``w = (X^TX)^{-1}X^Ty``,
        ``L = …``); otherwise the line is refused. A line that a left-out ``\\Rightarrow``
        begins is a claim of its own only when it states a derivative (its first side is
        one): ``\\Rightarrow X^TXw = X^Ty`` may be a step of solving, and is refused."""
        if not (self.breaks or self.leading):
            return
        starts = [self.start(line) for _, _, line in found]
        for offset, mark in self.breaks:
            after = next((k for k, start in enumerate(starts) if start > offset), None)
            if after is None or after == 0:
                continue
            first, second = found[after - 1][0], found[after][0]
            if (_sets_a_value(first) or _names_a_value(first) or _names_a_value(second)) \
                    and not _then_its_derivative(first, second):
                self.fail(f"cannot read '{mark}' between these equations as two claims: one "
                          "of them may be a condition, a definition or a step of solving an "
                          "equation", offset)
        for offset, mark in self.leading:
            here = next((k for k, start in enumerate(starts) if start >= offset), None)
            if here is None:
                continue
            sides = found[here][0].sides
            if not (sides and isinstance(sides[0], sp.Derivative | sp.Subs)) or \
                    found[here][0].continues:
                self.fail(f"cannot read the line after '{mark}' as a claim of its own: it "
                          "follows from the line before (read only when it states a "
                          "derivative)", offset)

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
                        prose.append(prose_text(child))
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
        sides = self.with_line_variable(sides, next(n for n in nodes if n is not None))
        continues = nodes[0] is None
        tag = tags[0][0] if tags else None
        operators = tuple("≠" if token.type == "NEQ" else "=" for token in equals)
        relation = Relation(sides, continues, tag, tuple(prose), operators,
                            indices=tuple(sorted(self.primed_letters.items())))
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
            if len(part) == 2 and part not in self.context.symbols:
                # x_{ij} where the sums make x a family of one index (x_i): two index letters
                # in one slot, never the index "ij"
                self.fail(f"cannot read the index '{part}' of {_short(name)}: its family has "
                          f"one index here; write {name.split('_')[0]}_{{{part[0]},{part[1]}}} "
                          "or declare the name", None)
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


def _then_its_derivative(first: Relation, second: Relation) -> bool:
    """``f(x) = 1 \\Rightarrow f'(x) = 0``: a function of a name given by a formula, then the
    derivative of the same function. A derivative does not follow from a value at a point,
    so the second is a claim of its own whether the first defines f or states it."""
    if len(first.sides) < 2 or not second.sides:
        return False
    call, derivative = first.sides[0], second.sides[0]
    if isinstance(derivative, sp.Subs):
        derivative = derivative.expr
    if isinstance(call, sp.Symbol) and isinstance(derivative, sp.Derivative):
        # y = 1/(1 + e^{-x}), then dy/dx = y(1 - y): y is a formula in x, and its derivative
        return derivative.expr == call and all(
            v in first.sides[1].free_symbols for v in derivative.variables)
    if not isinstance(call, AppliedUndef) or \
            not all(isinstance(a, sp.Symbol) for a in call.args):
        return False
    return isinstance(derivative, sp.Derivative) and \
        isinstance(derivative.expr, AppliedUndef) and derivative.expr.func == call.func


def _sets_a_value(relation: Relation) -> bool:
    """An equation with a number for a side: ``\\nabla L = 0``, ``\\sigma(z) = 1/2``."""
    return any(isinstance(side, sp.Number) for side in relation.sides)


def _names_a_value(relation: Relation) -> bool:
    """An equation whose left side is a bare name: ``z = 0``, ``w = …``."""
    sides = relation.sides
    if len(sides) < 2 or relation.continues:
        return False
    return isinstance(sides[0], sp.Symbol | sp.MatrixSymbol | sp.Indexed)


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


_ORDER_MARK = re.compile(r"<|>|\\(leq|le|geq|ge|lt|gt)(?![A-Za-z])")
_ORDERS = {"<": "<", ">": ">", "lt": "<", "gt": ">", "le": "≤", "leq": "≤", "ge": "≥",
           "geq": "≥"}


def is_order(text: str) -> bool:
    """Whether a condition is an order (``x < 0``, ``z \\geq 0``) rather than an equation."""
    return _ORDER_MARK.search(text) is not None


def parse_order(text: str, context: Context | None = None, *,
                source: str = "<input>") -> tuple[sp.Expr, str, sp.Expr]:
    """Read an order between two expressions: ``x < 0`` → (x, '<', 0); the order is one of
    <, >, ≤, ≥."""
    marks = list(_ORDER_MARK.finditer(text))
    if len(marks) != 1:
        raise ParseError("expected one order between two expressions, such as x < 0",
                         text=text, source=source)
    mark = marks[0]
    order = _ORDERS[mark.group(1) or mark.group()]
    left = parse_expression(text[: mark.start()], context, source=source)
    right = parse_expression(text[mark.end():], context, source=source)
    return left, order, right


def parse_name(text: str, context: Context | None = None, *, source: str = "<input>") -> str:
    """The name a declaration spells: ``\\hat y_i`` → ``yhat_i``; a run of letters is one name."""
    reader = _reader(text, context, source, declaring=True)
    return _guarded(text, source, _Reader.name, reader)


def builtin_function(name: str) -> type | None:
    """The built-in function a name read from LaTeX denotes (``sigma`` → the logistic σ,
    ``tanh``), or None: what a document's own definition of that name replaces."""
    function = _OPERATORS.get(name.lower())
    return function if isinstance(function, type) else None


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
            families[base] = min(rank, families.get(base, rank))
        counts |= reader.families.counts
    return families, frozenset(counts)
