r"""Whole documents: a Markdown or LaTeX post read into a ``ProofDocument``, with no proof file.

``derive check post.md`` (also ``.markdown``, ``.tex``, ``.txt``, and standard input that is
not a proof file) reads a derivation as it was posted. This module only reads: it finds the
math, cuts it into steps, and infers the context a proof file would have given; checking is
``derive.verify.check``'s, as for a proof file.

The math, in the order it is written (every step keeps its line and column in the document,
so an error points into the document):

- displays: ``$$…$$``, ``\[…\]``, and the environments ``equation``, ``align``, ``aligned``,
  ``gather``, ``eqnarray``, ``multline``, ``flalign``, ``alignat`` (starred or not) written in
  the text;
- inline math, ``$…$`` and ``\(…\)``, only where it is an equation: a relation (``=``,
  ``:=``, ``\coloneqq``, ...) outside braces. ``If $i = k$`` and ``for $j = 0$`` (an index
  letter set to a value) are conditions, not steps;
- never inside code: fenced blocks (three backticks or tildes), indented blocks (four spaces
  or a tab after a blank line, outside a list, unless the block opens with math), inline code
  spans and HTML comments in Markdown; comments (``%``) and ``verbatim``-like environments in
  LaTeX. An escaped dollar (``\$``) is a dollar.

A display is cut into lines at its line breaks (``\\``, ``\cr``) outside braces and nested
environments; a wrapper around the whole display (``\begin{aligned}``, ``split``, ``array``,
``\eqalign{…}``, size commands such as ``\Large``) is left out. Each line with a relation is
a step; a line without one (an expression) is kept only when the next line continues it, and a
line of prose alone (``\text{…}``, ``[...]``) is dropped.

Chains: a line that begins with ``=`` continues the chain of the line before it, across
displays (a continuation after an inline equation continues the last display's chain); a
line whose left side is the left side of the equation before it (``f'(x) = A``, then
``f'(x) = B``) is in that chain too: when its left side can be worked out from the
document's definitions (a derivative of a defined name) it is checked as written, so each
line is judged against the true value and a right line after a wrong one is right; otherwise
it is checked against the line before (the step is the line from its ``=``). Any other line
starts a new chain.

Definitions: ``name = …`` (also ``f(x) = …``, ``:=``, ``\coloneqq``) whose left side is a name,
or a function applied to names, not yet defined and not a derivative, defines the name from
there on (``define = true``); a definition used by an earlier step is also supplied from the
start (said in the report). A name set from itself (``W = W - \eta\nabla L``) is an update, not
checked. A name defined a second time is a claim: checked against its definition.

The context, inferred from the document and stated in the report as assumptions (a proof file
stays the way to override them):

- membership lines: ``y \in \{0,1\}``, ``p \in (0,1)``, ``x \in \mathbb{R}``,
  ``X \in \mathbb{R}^{n\times d}`` (a shape, for a bold or capital name: an array),
  ``\mathbf{x} \in \mathbb{R}^d`` (a column of d entries); a lower-case name given a vector
  space is an array too, unless the document writes its entries (x_i): then a scalar, and
  the report says so. The words state shapes as well: "$X$ is a real $m \times n$ matrix",
  "let $y$ be an $m \times 1$ column vector", and ``h:\mathbb R^n \to \mathbb R^m`` with
  ``h(w) = …`` puts w in ℝⁿ;
- a prime on a function of an array (``g'(u)``, u an array) is the derivative as analysis
  writes it, the Jacobian: derivatives by arrays are read in numerator layout (unless the
  document also writes a fraction by an array);
- conventions: a name defined as a value of σ (``\hat y = \sigma(z)``) is in (0, 1); the label
  of a binary cross-entropy (y in ``y\log p + (1-y)\log(1-p)``) is in {0, 1}, its probability
  in (0, 1); σ written alone where the document defines ``\sigma(z)`` is σ(z);
- functions: a name the document applies on the left of a definition (``J(\theta) = …``,
  ``h_\theta(x) = …``), primes (``g'(z)``) or applies to a list (``J(\theta_0, \theta_1)``)
  is a function, so ``J(w)`` is a call, not J·w; a word the document defines (``MSE = …``,
  ``Softmax = …``) is one name;
- indices: a sum written without its range (``\sum_j``) makes its letter, and the letters
  that subscript names, index letters; they run up to the limit the document's sums write
  (``\sum_{j=1}^{n}``), else up to C; index claims are checked at size 3;
- names written as arrays (bold, transposed) with no shape stay scalars, and the report says
  that a claim about them is checked as a scalar identity.

Cases: a display the prose puts under a case (``If $i = k$,`` or ``when $x = 0$:`` just
before it) is checked under that condition (the claims' ``assume``); the second of two cases
continues from the line before the cases.
"""

from __future__ import annotations

import bisect
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core.context import Context, SymbolInfo, size_expression
from derive.core.domains import COUNT, parse_domain
from derive.core.errors import DeriveError, ParseError, ProofFileError
from derive.core.terminal import SCRIPT_CAPITALS
from derive.read.posted import defined_macros
from derive.read.proofs import Claim, Definition, MatrixSettings, ProofDocument
from derive.read.screen import upright_word

DOCUMENT_SUFFIXES = (".md", ".markdown", ".tex", ".txt")
"""The suffixes read as documents; ``.toml`` (and anything else) is a proof file."""

_LATEX_SUFFIXES = (".tex",)

DISPLAY_ENVIRONMENTS = frozenset({
    "equation", "equation*", "align", "align*", "aligned", "alignat", "alignat*", "gather",
    "gather*", "gathered", "eqnarray", "eqnarray*", "multline", "multline*", "flalign",
    "flalign*", "displaymath", "split", "alignedat",
})
"""Environments that are a display when the text (outside math) holds them."""

_WRAPPERS = DISPLAY_ENVIRONMENTS | {"array", "math"}
"""Environments left out when they wrap a whole display (their lines are the steps)."""

_CODE_ENVIRONMENTS = ("verbatim", "verbatim*", "lstlisting", "minted", "comment", "Verbatim")

_SIZES = re.compile(r"\\(?:tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|"
                    r"huge|Huge|displaystyle|textstyle)(?![A-Za-z])")
"""Presentation commands left out of a display (blanked, so columns stay exact)."""

_STRUCTURE = re.compile(r"\\label\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])")
"""Commands that number or label a line: left out (blanked)."""

_RELATIONS = re.compile(
    r":=|=:|<=|>=|!=|=|<|>|\\(?:coloneqq|eqqcolon|triangleq|equiv|doteq|approx|simeq|neq?|"
    r"leq?|geq?|leqslant|geqslant|Leftrightarrow|Rightarrow|implies|iff|propto)(?![A-Za-z])")
"""A relation written between two sides."""

_EQUATIONS = re.compile(r":=|=|\\(?:coloneqq|triangleq|equiv|doteq|eqqcolon)(?![A-Za-z])")
"""A relation that makes inline math an equation."""

_MEMBER = re.compile(r"\\in(?![A-Za-z])|∈")

_PROSE = re.compile(
    r"\\(?:text|textrm|textit|textbf|mbox|mathrm|rm|operatorname)\s*\{[^{}]*\}|"
    r"\\(?:quad|qquad|,|;|:|!|\s|hspace\s*\{[^{}]*\}|hfill|cdots|ldots|dots)|"
    r"\[(?:\.\.\.|…)\]|[&\s.,;:~]|\\\\|…|\.\.\.")
"""What a line of prose alone is made of."""


# ---- the document: kinds, code, positions ----------------------------------------------------


def is_document(path: str, text: str | None = None) -> bool:
    """Whether ``path`` (``text`` for standard input) is read as a document rather than a proof
    file: by its suffix; for ``-``, by its content (``looks_like_proof_file``)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in DOCUMENT_SUFFIXES:
        return True
    if path != "-" or text is None:
        return False
    return not looks_like_proof_file(text)


def looks_like_proof_file(text: str) -> bool:
    """A TOML proof file: text that parses as TOML (a table of keys; a Markdown or LaTeX post
    never does), or that does not parse but opens as TOML does (a table header such as
    ``[document]`` or ``[[step]]``, or ``key = value``), so that its TOML error is the one
    reported."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        first = next((line.strip() for line in text.splitlines()
                      if line.strip() and not line.lstrip().startswith("#")), "")
        return bool(re.match(r"\[\[?[A-Za-z0-9_.\"' -]+\]\]?\s*(?:#.*)?$", first) or
                    re.match(r"[A-Za-z0-9_.\"'-]+\s*=\s*[\"'\[{0-9tf+-]", first))
    return bool(data)


class _Positions:
    """Offsets into the text as 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def where(self, offset: int) -> tuple[int, int]:
        line = self.line(offset)
        return line, offset - self.starts[line - 1] + 1


_PLAIN_LEAD = re.compile(r"[ \t]*(?:[-*+][ \t]+|>[ \t]*|#+[ \t]+)?(?:\*\*|__)?")
_PLAIN_LABEL = re.compile(r"[A-Za-z][A-Za-z ]{0,40}:[ \t]+")
_PLAIN_EQUATION = re.compile(r"(?<![<>!=])=(?!=)")


def plain_displays(text: str) -> list[Display]:
    """The math of a document that delimits none (a post typed as plain text, a derivation
    in a code comment): each line that the reader reads as an equation, or that a line
    beginning with '=' continues, and each such continuation; a list marker, emphasis and a
    short label before a colon (``Softplus function: f(x) = …``) left out."""

    pieces: list[tuple[int, int]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        start, end = offset, offset + len(raw.rstrip("\r\n"))
        offset += len(raw)
        start = _PLAIN_LEAD.match(text, start, end).end()  # type: ignore[union-attr]
        body = text[start:end].rstrip()
        for mark in ("**", "__"):
            body = body.removesuffix(mark)
        label = _PLAIN_LABEL.match(body)
        if label is not None and _PLAIN_EQUATION.search(body, label.end()):
            start, body = start + label.end(), body[label.end():]
        pieces.append((start, start + len(body)))
    found: list[Display] = []
    for k, (start, end) in enumerate(pieces):
        piece = text[start:end]
        following = text[pieces[k + 1][0]:pieces[k + 1][1]] if k + 1 < len(pieces) else ""
        continued = following.startswith("=")
        if continued and not _PLAIN_EQUATION.search(piece) and _words_only(piece):
            # "Now, find a common denominator ŷ(1-ŷ):" between two lines of one chain: words
            continued = False
        if not piece.strip() or not (_PLAIN_EQUATION.search(piece) or continued):
            continue
        aside = _TRAILING_ASIDE.search(piece)
        if aside is not None and not _plain_math(piece) and _plain_math(piece[:aside.start()]):
            # "ŷ = σ(z) (where σ is the sigmoid function)": the words in brackets are an aside
            found.append(Display(len(found), "plain", start, start + aside.start(), False))
            continue
        if not piece.startswith("=") and not continued and not _plain_math(piece):
            # a line the next one continues is math even when it cannot be read (its
            # continuation must not be chained to an earlier line); a sentence may end in
            # an equation ("Quotient rule gives ∂s_i/∂z_i = … = s_i(1 − s_i).")
            for first, last in _equations_in_sentences(piece):
                found.append(Display(len(found), "plain", start + first, start + last, False))
            continue
        found.append(Display(len(found), "plain", start, end, False))
    return found


def _words_only(piece: str) -> bool:
    """A sentence between two lines of one chain ("Now, find a common denominator
    ŷ(1-ŷ):", "The -yŷ and +yŷ terms cancel out!"): three words or more, and the mark
    that ends a sentence."""
    return len(re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}\b", piece)) >= 3 and \
        piece.rstrip().endswith((":", "!", "."))

_TRAILING_ASIDE = re.compile(r"\s*\((?:where|with|here|since|as|i\.e\.|e\.g\.|for|by)\s[^()]*\)"
                             r"\s*[.,;:]?\s*$", re.IGNORECASE)
"""Words in brackets after an equation on a line of plain text: an aside, not math."""


def _plain_math(piece: str) -> bool:
    """Whether a line of a document with no delimited math reads as math (refused only for
    want of the document's context, at most); a name before a bracket may be a function the
    document defines (f'(x), swish'(x))."""
    from derive.read.latex import parse_lines

    calls = frozenset(re.findall(r"(?<![A-Za-z\\])([A-Za-z]+)['’]*\(", piece))
    try:
        parse_lines(piece, Context(functions=calls), source="<document>")
    except ParseError as error:
        return bool(_CONTEXT_ERRORS.search(error.message))  # else prose with an '=' in it
    except Exception:  # code: not math
        return False
    return True


_SENTENCES = re.compile(r"[^.!?]*(?:[.!?](?=\s+[A-Z(]|\s*$)|$)")
_LEADS_TO_MATH = re.compile(r"(?:^|\s)(?:gives|give|so|then|thus|hence|get|have|obtain|"
                            r"yields?|becomes?|is|are|with|where|:)\s+|:\s*", re.IGNORECASE)


def _equations_in_sentences(piece: str) -> list[tuple[int, int]]:
    """The equations a line of words ends its sentences with ("Case i = j. Quotient rule
    gives ∂s_i/∂z_i = (…)/Z² = s_i(1 − s_i)."): in each sentence, the longest rest after a
    word that leads to math ("gives", "so", "is", a colon) that reads as an equation; as
    spans of the line."""
    spans: list[tuple[int, int]] = []
    for sentence in _SENTENCES.finditer(piece):
        text = sentence.group().rstrip(" .")
        if not _PLAIN_EQUATION.search(text):
            continue
        for lead in _LEADS_TO_MATH.finditer(text):
            candidate = text[lead.end():]
            if _PLAIN_EQUATION.search(candidate) and not re.search(r"[A-Za-z]{4,}\s+[a-z]{3,}",
                                                                  candidate) and \
                    _plain_math(candidate):
                spans.append((sentence.start() + lead.end(),
                              sentence.start() + len(text)))
                break
    return spans


_CONTEXT_ERRORS = re.compile(r"^cannot read \S+': a prime is read only|^a prime is read only|"
                             r"^sum without range")
"""What the reader refuses for want of the document's context (which variable a prime is by,
what a sum runs over), not because the text is no math."""


def plain_continuations(text: str, found: list[Display], *, latex: bool = False
                        ) -> list[Display]:
    """In a document that delimits its math, the lines typed without delimiters that continue
    a chain: a line of the text that begins with '=' and reads as math (``=y'y - 2y'Xw``),
    and the line just before such lines when it reads as math too (the expression the chain
    starts from). Displays of kind ``plain``; the others as they were."""
    from derive.read.latex import parse_lines

    code = _latex_code(text) if latex else _markdown_code(text)
    taken = _Inside(_merged(sorted([*code, *((d.start - _OPENERS.get(d.kind, 0),
                                               d.end + _OPENERS.get(d.kind, 0)) for d in found)])))
    pieces: list[tuple[int, int] | None] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        start, end = offset, offset + len(raw.rstrip("\r\n"))
        offset += len(raw)
        body = text[start:end]
        lead = len(body) - len(body.lstrip())
        if not body.strip() or "$" in body or "\\(" in body or \
                taken.crosses(start, end) or taken.at(start) is not None:
            pieces.append(None)
            continue
        pieces.append((start + lead, start + len(body.rstrip())))

    def reads(span: tuple[int, int] | None) -> bool:
        if span is None:
            return False
        # whether it is math at all: a prime may be a transpose of arrays the words shape
        piece = text[span[0]:span[1]].replace("'", "^{T}")
        calls = frozenset(re.findall(r"(?<![A-Za-z\\])([A-Za-z]+)\(", piece))
        for functions in (frozenset(), calls):
            try:
                parse_lines(piece, Context(functions=functions), source="<document>")
            except Exception:  # prose, or code: not math
                continue
            return True
        return False

    def connecting(span: tuple[int, int] | None) -> bool:  # "and I expand it"
        return span is not None and "=" not in text[span[0]:span[1]] and \
            len(text[span[0]:span[1]].split()) <= 6

    extra: list[Display] = []
    for k, span in enumerate(pieces):
        if span is not None and _bare_latex(text[span[0]:span[1]]) and \
                _plain_math(text[span[0]:span[1]]):
            # "S_i = \frac{e^{z_i}}{\sum_j e^{z_j}}" alone on its line, its delimiters lost
            extra.append(Display(0, "bare", span[0], span[1], False))
            continue
        if span is None or not text.startswith("=", span[0]) or not reads(span):
            continue
        before = pieces[k - 1] if k else None
        if not reads(before) and k >= 2 and connecting(before):
            before = pieces[k - 2]
        if before is not None and not text.startswith("=", before[0]) and reads(before) and \
                not any(d.start == before[0] for d in extra):
            extra.append(Display(0, "plain", before[0], before[1], False))
        extra.append(Display(0, "plain", span[0], span[1], False))
    if not extra:
        return found
    merged = sorted([*found, *extra], key=lambda d: d.start)
    return [replace(d, number=k + 1) for k, d in enumerate(merged)]


def _bare_latex(line: str) -> bool:
    """A line that is LaTeX with no word around it: an '=', a control word (``\\frac``,
    ``\\sum``, ``\\partial``) and no English word outside the commands."""
    if "=" not in line or not re.search(r"\\(?:frac|sum|partial|nabla|sigma|log|exp|cdot|"
                                        r"left|hat|mathbf|delta|alpha|beta|theta)(?![A-Za-z])",
                                        line):
        return False
    words = re.sub(r"\\[A-Za-z]+|_\{[^{}]*\}|_[A-Za-z0-9]", " ", line)
    return not any(word.lower() not in _MATH_WORDS
                   for word in re.findall(r"[A-Za-z]{3,}", words))


_DEFINING_WORD = re.compile(r"(?<![A-Za-z])(?:[Ll]et|[Dd]enote|[Dd]efine|[Pp]ut|[Ss]et)"
                            r"[ \t]+(?=\\?[A-Za-z])")
_PROSE_NAME = re.compile(r"\s*(?:\\(?:hat|bar|tilde|mathbf|boldsymbol)\s*\{?\s*)?\\?[A-Za-z]+"
                         r"\}?(?:_\{?[A-Za-z0-9]{1,3}\}?)?\s*=(?!=)")
_SENTENCE_END = re.compile(r"\.(?=\s|$)|[;$\n]|,\s+(?:so|then|thus|and\s+so|we|which|where)\b|"
                           r"\s+(?:be|is|as|so|then|where|for)\s")
_AND = re.compile(r",?\s+and\s+|,\s+(?=\\?[A-Za-z](?:_\{?\w+\}?)?\s*=)")
_MATH_WORDS = frozenset({
    "exp", "log", "ln", "tanh", "sinh", "cosh", "sin", "cos", "tan", "sigma", "sigmoid",
    "max", "min", "relu", "softmax", "sqrt", "frac", "left", "right", "cdot", "sech", "sum",
})


_CLAIMING_WORD = re.compile(r"(?<![A-Za-z])(?:[Ss]ince|[Bb]ecause|[Aa]s|(?:[Nn]ote|[Rr]ecall|"
                            r"[Ww]e know) that)[ \t]+(?=[\\{(A-Za-z0-9])")


def _clauses_after(words: re.Pattern[str], text: str, found: list[Display], latex: bool
                   ) -> list[tuple[int, int]]:
    """Where the words a pattern matches outside the math are followed by words up to the
    end of their sentence (or the next math): (start, stop) of each such stretch."""
    code = _latex_code(text) if latex else _markdown_code(text)
    taken = sorted([*code, *((d.start - _OPENERS.get(d.kind, 0),
                              d.end + _OPENERS.get(d.kind, 0)) for d in found)])
    inside = _Inside(taken)
    stretches = []
    for word in words.finditer(text):
        if inside.at(word.start()) is not None:
            continue
        end = _SENTENCE_END.search(text, word.end())
        stretches.append((word.end(), min(end.start() if end is not None else len(text),
                                          next((s for s, _ in taken if s >= word.end()),
                                               len(text)))))
    return stretches


def _with_prose(found: list[Display], extra: list[Display]) -> list[Display]:
    """The displays with the math the words write, in order and numbered again."""
    if not extra:
        return found
    merged = sorted([*found, *extra], key=lambda d: d.start)
    return [replace(d, number=k + 1) for k, d in enumerate(merged)]


def prose_claims(text: str, found: list[Display], *, latex: bool = False) -> list[Display]:
    """Identities the words write without math delimiters, where other math is delimited,
    after "since", "because", "as", "note that", "recall that" ("Since {e^x + e^{-x}} =
    2cosh(x), where …"): the clause up to the end of the sentence, when the reader reads it as
    math, it holds one '=' and no English word, its left side is not a name (that would set
    or define one) and its two sides write the same names ("since z = 0" is a condition, not
    an identity). Displays of kind ``prose`` (inline)."""
    from derive.read.latex import parse_lines

    extra: list[Display] = []
    for start, stop in _clauses_after(_CLAIMING_WORD, text, found, latex):
        clause = text[start:stop].rstrip(" ,:")
        if clause.count("=") != 1 or _PROSE_NAME.match(clause):
            continue
        if {w for w in re.findall(r"(?<![\\A-Za-z])[A-Za-z]{2,}", clause)} - _MATH_WORDS:
            continue
        try:
            (relation,) = parse_lines(clause, Context(), source="<document>")
        except Exception:  # words, not math, or more than one line
            continue
        if len(relation.sides) != 2 or relation.continues:
            continue
        left, right = ({s.name for s in side.free_symbols if isinstance(s, sp.Symbol)}
                       for side in relation.sides)
        if left != right:
            continue
        extra.append(Display(0, "prose", start, start + len(clause), True))
    return _with_prose(found, extra)


def prose_definitions(text: str, found: list[Display], *, latex: bool = False
                      ) -> list[Display]:
    """Definitions the words write without math delimiters, where other math is delimited
    ("Let y = \\tanh(x).", "denote u = e^x and v = e^{-x}"): after "let", "denote",
    "define", "put" or "set", each ``name = …`` up to the end of the clause that the reader
    reads as math and that holds no English word. Displays of kind ``prose`` (inline)."""
    from derive.read.latex import parse_lines

    extra: list[Display] = []
    for cursor, stop in _clauses_after(_DEFINING_WORD, text, found, latex):
        for piece in [*_AND.split(text[cursor:stop]), ""][:-1]:
            start = text.index(piece, cursor)
            cursor = start + len(piece)
            clause = piece.rstrip(" ,:")
            if not _PROSE_NAME.match(clause) or clause.count("=") != 1:
                break
            words = {w for w in re.findall(r"(?<![\\A-Za-z])[A-Za-z]{2,}", clause)}
            if words - _MATH_WORDS:
                break
            try:
                parse_lines(clause, Context(), source="<document>")
            except Exception:  # words, not math
                break
            extra.append(Display(0, "prose", start, start + len(clause), True))
    return _with_prose(found, extra)


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,9}[.)])[ \t]+")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_MATH_OPENING = re.compile(r"\s*(?:\$\$|\\\[|\\begin\s*\{)")


def _markdown_code(text: str) -> list[tuple[int, int]]:
    """Spans of Markdown code: fenced and indented blocks, code spans, HTML comments."""
    spans: list[tuple[int, int]] = []
    offset = 0
    fence: str | None = None
    fence_start = 0
    previous_blank = True
    in_list = False
    indented_start: int | None = None
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        stripped = line.strip()
        if fence is not None:
            if re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", line):
                spans.append((fence_start, offset))
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            if indented_start is not None:
                spans.append((indented_start, start))
                indented_start = None
            fence, fence_start = opening.group(2), start
            previous_blank = False
            continue
        if not stripped:
            previous_blank = True
            continue
        indented = line.startswith(("    ", "\t"))
        if indented_start is not None:
            if indented:
                previous_blank = False
                continue
            spans.append((indented_start, start))
            indented_start = None
        if indented and previous_blank and not in_list and not _MATH_OPENING.match(line):
            indented_start = start
        elif _LIST_ITEM.match(line):
            in_list = True
        elif not indented:
            in_list = False
        previous_blank = False
    if fence is not None:
        spans.append((fence_start, len(text)))
    if indented_start is not None:
        spans.append((indented_start, len(text)))
    spans += _code_spans(text, spans)
    spans += [(m.start(), m.end()) for m in re.finditer(r"<!--.*?(?:-->|\Z)", text, re.DOTALL)]
    return _merged(spans)


_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")


def _code_spans(text: str, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inline code spans (a run of backticks to the next run of the same length, within a
    paragraph), outside the code blocks."""
    found: list[tuple[int, int]] = []
    index = 0
    inside = _Inside(blocks)
    for match in re.finditer(r"`+", text):
        if match.start() < index or inside.at(match.start()) is not None:
            continue
        ticks = match.group()
        closing = re.compile(rf"(?<!`){ticks}(?!`)")
        paragraph = _PARAGRAPH_END.search(text, match.end())
        end = closing.search(text, match.end(), paragraph.start() if paragraph else len(text))
        if end is None:
            continue
        found.append((match.start(), end.end()))
        index = end.end()
    return found


def _latex_code(text: str) -> list[tuple[int, int]]:
    """Spans of a LaTeX text that are not math: comments and verbatim-like environments."""
    spans: list[tuple[int, int]] = []
    names = "|".join(re.escape(n) for n in _CODE_ENVIRONMENTS)
    for match in re.finditer(rf"\\begin\s*\{{({names})\}}", text):
        end = text.find(f"\\end{{{match.group(1)}}}", match.end())
        spans.append((match.start(), len(text) if end < 0 else end))
    for match in re.finditer(r"\\verb\*?([^A-Za-z\s])", text):
        end = text.find(match.group(1), match.end())
        spans.append((match.start(), len(text) if end < 0 else end + 1))
    for match in re.finditer(r"%", text):
        if not _escaped(text, match.start()):
            end = text.find("\n", match.start())
            spans.append((match.start(), len(text) if end < 0 else end))
    return _merged(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class _Inside:
    """Which span (of sorted, disjoint spans) an offset is in."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.starts = [s for s, _ in spans]

    def at(self, offset: int) -> tuple[int, int] | None:
        k = bisect.bisect_right(self.starts, offset) - 1
        if k >= 0 and self.spans[k][0] <= offset < self.spans[k][1]:
            return self.spans[k]
        return None

    def crosses(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.starts, start)
        return k < len(self.spans) and self.spans[k][0] < end


# ---- the math of a document -----------------------------------------------------------------


@dataclass(frozen=True)
class Display:
    """One piece of math: its content's span in the text, and how it was written."""

    number: int
    kind: str
    """``$$``, ``\\[``, ``$``, ``\\(``, or the environment's name."""
    start: int
    end: int
    inline: bool


def displays(text: str, *, latex: bool = False) -> list[Display]:
    """The math of a document in order (``latex``: a LaTeX text, else Markdown)."""
    code = _latex_code(text) if latex else _markdown_code(text)
    inside = _Inside(code)
    found: list[Display] = []

    def add(kind: str, start: int, end: int, inline: bool) -> None:
        found.append(Display(len(found) + 1, kind, start, end, inline))

    index, size = 0, len(text)
    while index < size:
        span = inside.at(index)
        if span is not None:
            index = span[1]
            continue
        char = text[index]
        if char == "\\":
            nxt = text[index + 1: index + 2]
            if nxt in ("[", "("):
                closer = "\\]" if nxt == "[" else "\\)"
                end = _closing(text, closer, index + 2, inside, paragraph=nxt == "(")
                if end is not None:
                    add("\\" + nxt, index + 2, end, nxt == "(")
                    index = end + 2
                    continue
            begin = _BEGIN.match(text, index)
            if begin and begin.group(1) in DISPLAY_ENVIRONMENTS:
                end = _environment_end(text, begin.group(1), begin.end())
                if end is None and not inside.crosses(index, size):
                    end = size  # the document ends inside it (a copy cut short)
                if end is not None and not inside.crosses(index, end):
                    add(begin.group(1), index, end, False)
                    index = end
                    continue
            eqalign = _EQALIGN.match(text, index)
            if eqalign:
                close = _brace_end(text, eqalign.end() - 1)
                end = size if close is None else close + 1
                if not inside.crosses(index, end):
                    add("eqalign", index, end, False)
                    index = end
                    continue
            index += 2
            continue
        if char == "$":
            double = text.startswith("$$", index)
            opener = 2 if double else 1
            end = _closing(text, "$$" if double else "$", index + opener, inside,
                           paragraph=not double)
            if end is not None:
                add("$$" if double else "$", index + opener, end, not double)
                index = end + opener
                continue
            index += opener
            continue
        index += 1
    return found


_BEGIN = re.compile(r"\\begin\s*\{([A-Za-z]+\*?)\}")
_EQALIGN = re.compile(r"\\eqalign(?:no)?\s*\{")


def _closing(text: str, closer: str, start: int, inside: _Inside, *,
             paragraph: bool) -> int | None:
    """The offset of the unescaped ``closer`` after ``start``: not across code, and (for
    inline math) not across a blank line."""
    index = start
    limit = len(text)
    if paragraph:  # inline math ends in its paragraph
        ending = _PARAGRAPH_END.search(text, start)
        limit = ending.start() if ending else limit
    while True:
        found = text.find(closer, index, limit)
        if found < 0:
            return None
        if closer == "$" and text.startswith("$$", found) and found == start:
            return None  # "$$" is not an empty inline formula
        if inside.crosses(start, found + 1):
            return None
        if closer.startswith("$") and _escaped(text, found):
            index = found + 1
            continue
        if closer.startswith("\\") and _escaped(text, found):
            index = found + 1
            continue
        return found


def _environment_end(text: str, name: str, start: int) -> int | None:
    """The offset just past ``\\end{name}`` matching a ``\\begin{name}`` that ends at
    ``start`` (environments of the same name nest)."""
    pattern = re.compile(rf"\\(begin|end)\s*\{{{re.escape(name)}\}}")
    depth = 1
    for match in pattern.finditer(text, start):
        depth += 1 if match.group(1) == "begin" else -1
        if depth == 0:
            return match.end()
    return None


# ---- lines of a display -----------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of a display: its span, and its LaTeX (the text of the span, with labels and
    size commands blanked so that every column stays the document's)."""

    display: Display
    start: int
    end: int
    latex: str
    index: int
    """The line's place in its display (0-based)."""


def lines_of(text: str, display: Display) -> list[Line]:
    """The lines of a display, wrappers left out."""
    blanked = _blank(text, display.start, display.end)
    spans = [(s, _with_break(blanked, e)) for s, e in _split(blanked, 0, len(blanked), 0)]
    return [Line(display, display.start + s, display.start + e, blanked[s:e], k)
            for k, (s, e) in enumerate(spans)]


_BREAKS = re.compile(r"(?:\s*(?:\\\\|\\cr(?![A-Za-z])))+")


def _with_break(piece: str, end: int) -> int:
    """A line's end, past the line break that ends it (kept, as the document writes it)."""
    match = _BREAKS.match(piece, end)
    return match.end() if match else end


def _blank(text: str, start: int, end: int) -> str:
    """The text of a span with size commands and labels replaced by spaces."""
    piece = text[start:end]
    for pattern in (_SIZES, _STRUCTURE):
        piece = pattern.sub(lambda m: " " * len(m.group()), piece)
    return piece


def _split(piece: str, start: int, end: int, depth: int) -> list[tuple[int, int]]:
    """The spans of the lines of ``piece[start:end]`` (offsets into ``piece``)."""
    start, end = _trimmed(piece, start, end)
    if start >= end:
        return []
    if depth > 20:
        return [(start, end)]
    inner = _wrapped(piece, start, end)
    if inner is not None:
        return _split(piece, inner[0], inner[1], depth + 1)
    breaks = list(_line_breaks(piece, start, end))
    if not breaks:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    cursor = start
    for at, length in [*breaks, (end, 0)]:
        spans += _split(piece, cursor, at, depth + 1)
        cursor = _after_break(piece, at + length, end)
    return spans


def _trimmed(piece: str, start: int, end: int) -> tuple[int, int]:
    while start < end and piece[start].isspace():
        start += 1
    while end > start and piece[end - 1].isspace():
        end -= 1
    return start, end


def _wrapped(piece: str, start: int, end: int) -> tuple[int, int] | None:
    """The inside of a wrapper that spans ``piece[start:end]`` (an environment of
    ``_WRAPPERS`` with its arguments, or ``\\eqalign{…}``), trailing punctuation allowed."""
    begin = _BEGIN.match(piece, start)
    if begin and begin.group(1) in _WRAPPERS:
        name = begin.group(1)
        close = _environment_end(piece, name, begin.end())
        if close is None:  # a document cut short inside the environment: read to its end
            close = end
            inner_end: int | None = end
        elif close > end or piece[close:end].strip(" \t\n.,;") != "":
            return None
        else:
            inner_end = None
        inner_start = begin.end()
        if name in ("array", "alignat", "alignat*", "alignedat"):  # the column argument
            argument = re.compile(r"\s*(\[[^\]]*\])?\s*\{[^{}]*\}").match(piece, inner_start)
            if argument:
                inner_start = argument.end()
        if inner_end is None:
            inner_end = piece.rfind("\\end", inner_start, close)
        return inner_start, inner_end
    eqalign = _EQALIGN.match(piece, start)
    if eqalign:
        close = _brace_end(piece, eqalign.end() - 1)
        if close is None:  # cut short
            return eqalign.end(), end
        if close < end and piece[close + 1:end].strip(" \t\n.,;") == "":
            return eqalign.end(), close
    return None


def _brace_end(piece: str, opening: int) -> int | None:
    """The offset of the brace closing the one at ``opening``."""
    depth = 0
    for index in range(opening, len(piece)):
        char = piece[index]
        if char in "{}" and _escaped(piece, index):
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _line_breaks(piece: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Offsets and lengths of the line breaks (``\\\\``, ``\\cr``) of ``piece[start:end]``
    outside braces and nested environments."""
    depth = 0
    environments = 0
    index = start
    while index < end:
        char = piece[index]
        if char == "\\":
            if piece.startswith("\\\\", index):
                if depth == 0 and environments == 0:
                    yield index, 2
                index += 2
                continue
            word = re.compile(r"\\([A-Za-z]+)").match(piece, index)
            if word is None:
                index += 2
                continue
            name = word.group(1)
            if name == "cr" and depth == 0 and environments == 0:
                yield index, word.end() - index
            elif name == "begin":
                environments += 1
            elif name == "end":
                environments = max(environments - 1, 0)
            index = word.end()
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        index += 1


def _after_break(piece: str, index: int, end: int) -> int:
    """Past the optional spacing after a line break (``\\\\[2pt]``)."""
    spacing = re.compile(r"\s*\[\s*-?[0-9.]+\s*(?:pt|em|ex|mm|cm|in|mu|bp)\s*\]").match(
        piece, index, end)
    return spacing.end() if spacing else index


# ---- relations, read from the text ------------------------------------------------------------


_BOXED = re.compile(r"^(\s*)\\(?:boxed|fbox|bbox(?:\[[^\]]*\])?)\s*\{")


def _unboxed(latex: str) -> str:
    """A line whose whole formula is boxed (``\\boxed{…}``), the box blanked: the same length,
    so offsets stay the line's."""
    match = _BOXED.match(latex)
    if match is None:
        return latex
    close = _brace_end(latex, match.end() - 1)
    if close is None or latex[close + 1:].strip(" \t\n.,;") != "":
        return latex
    return (latex[:match.start()] + " " * (match.end() - match.start()) +
            latex[match.end():close] + " " + latex[close + 1:])


def top_relations(latex: str, pattern: re.Pattern[str] = _RELATIONS) -> list[re.Match[str]]:
    """The relations of a line outside braces and environments (``\\sum_{i=1}`` has none); a
    box around the whole line does not count as braces."""
    latex = _unboxed(latex)
    found: list[re.Match[str]] = []
    depth = environments = 0
    index = 0
    while index < len(latex):
        char = latex[index]
        if char == "\\":
            word = re.compile(r"\\([A-Za-z]+)").match(latex, index)
            if word is not None and word.group(1) in ("begin", "end"):
                environments += 1 if word.group(1) == "begin" else -1
                environments = max(environments, 0)
            if depth == 0 and environments == 0:
                match = pattern.match(latex, index)
                if match is not None:
                    found.append(match)
                    index = match.end()
                    continue
            index = word.end() if word is not None else index + 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and environments == 0:
            match = pattern.match(latex, index)
            if match is not None:
                found.append(match)
                index = match.end()
                continue
        index += 1
    return found


def _prose_only(latex: str) -> bool:
    """A line of prose (``\\text{…}``, spacing, ``[...]``) with no math in it."""
    return _PROSE.sub("", latex).strip() == ""


def _continues(latex: str) -> bool:
    """A line that begins with its relation (``= …``, ``&= …``)."""
    text = latex.lstrip()
    while text.startswith("&") or text.startswith("\\quad") or text.startswith("\\qquad"):
        text = text.lstrip("&").removeprefix("\\qquad").removeprefix("\\quad").lstrip()
    relations = top_relations(text)
    return bool(relations) and relations[0].start() == 0


def _left_text(latex: str) -> tuple[str, int] | None:
    """The left side of a line's first relation, and the offset of that relation."""
    relations = top_relations(latex)
    if not relations:
        return None
    first = relations[0]
    left = _unboxed(latex)[: first.start()].replace("&", " ")
    # s\left(x\right)\ = …: LaTeX's spacing before the relation is no part of the side
    left = _TRAILING_SPACE.sub("", left).strip()
    return left, first.start()


_TRAILING_SPACE = re.compile(r"(?:\\[ ,;:!]|\\q?quad(?![A-Za-z])|~|\s)+$")


def power_on_left(latex: str, name: str) -> bool:
    """Whether a line's left side, read as the plain name ``name``, was written with a
    superscript (``s^1 = …``, an entry written as a power): such a line defines no name."""
    left = _left_text(latex)
    # S^{ij} read with upper indices is the entry S_ij, which a line may define
    return left is not None and "^" in left[0] and "^" not in name and "_" not in name


# ---- the document read -------------------------------------------------------------------------


@dataclass
class _Step:
    """A line on its way to being a claim."""

    line: Line
    latex: str
    offset: int
    """Where ``latex`` starts in the document."""
    relation: bool
    continues: bool
    left: str = ""
    sides: tuple[sp.Expr, ...] | None = None
    define: bool = False
    kind: str = "claim"
    note: str = ""
    defines: str = ""
    lhs: str | None = None
    """The left side the words give (``the derivative of $f(x)$ is $…$``)."""


@dataclass
class _Facts:
    """What the document says about its names, and where."""

    domains: dict[str, tuple[str, str]] = field(default_factory=dict)
    """name → (domain as a proof file writes it, the sentence for the report)."""
    shapes: dict[str, tuple[tuple[str, str], str]] = field(default_factory=dict)
    scalars: list[str] = field(default_factory=list)
    functions: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    indices: dict[str, str] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    gradients: dict[str, str] = field(default_factory=dict)
    """Gradients' names as code writes them (dy_i) → the derivative the words gloss them as."""
    y_of: tuple[str, int, int] | None = None
    """What y stands for, f(x)'s formula (the document writes dy/dx and defines only f(x)),
    and where."""
    bare_sigma: tuple[str, int, int] | None = None
    """The argument σ alone stands for (the document writes σ(z) = …), and where."""
    macros: str = ""
    """The macro definitions of the whole document, in force in every display."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Where index claims are instantiated (the counts and the sums' upper limits)."""
    styled: set[str] = field(default_factory=set)
    """Letters written both as \\mathcal{X} and as a plain X: two names."""
    layout: str | None = None
    """The layout of derivatives by arrays, when the document's notation settles it."""
    conventional: set[str] = field(default_factory=set)
    """Names whose domain a convention gives (a value of σ, a BCE label), not the text."""
    merged_styles: set[str] = field(default_factory=set)
    """Letters written both as \\mathcal{X} and as a plain X, read as one name."""
    entries: set[str] = field(default_factory=set)
    """Names whose entries the document writes (x_i, x_1, x_{ij}): read as scalars."""
    upper_indices: bool = False
    arbitrary: set[str] = field(default_factory=set)
    """Functions a rule the document states is about, whatever they are (Context.arbitrary)."""
    prime_by: str = ""
    """The variable the document's primes differentiate by (Context.prime_by), when a line
    states a derivative by it and writes primes on its right side."""
    """The document writes entries with upper indices (A^{ij}, δ^j_m)."""
    series_count: str = ""
    """The count a sum written with a trailing ⋯ runs to (Context.series_count)."""
    examples: set[str] = field(default_factory=set)
    """Names whose example index the document writes as a superscript, x^{(i)}: read as a
    subscript (Context.example_bases)."""
    indices_said: int | None = None
    """Where in ``said`` the sentence on the index letters is."""
    first_entries: dict[str, str] = field(default_factory=dict)
    """Vectors whose entries the document writes, by their first entry (x → x_1)."""
    declared_shapes: dict[str, tuple[tuple[str, str], str]] = field(default_factory=dict)
    """Shapes a membership gives names whose entries the document writes (read as scalars
    unless used whole, see ``_vectors_used_whole``), with what the document says."""


def read_document(path: str, text: str) -> ProofDocument:
    """A document (Markdown or LaTeX) read into a proof document: its equations as claims,
    in order, with the context it states or implies (``assumed`` says what was inferred)."""
    latex = os.path.splitext(path)[1].lower() in _LATEX_SUFFIXES or \
        bool(re.search(r"\\documentclass|\\begin\s*\{document\}", text))
    positions = _Positions(text)
    found = displays(text, latex=latex)
    lines = [line for display in found for line in lines_of(text, display)]
    plain = not lines and not latex
    if lines:
        found = prose_definitions(text, found, latex=latex)
        found = prose_claims(text, found, latex=latex)
        found = plain_continuations(text, found, latex=latex)
        lines = [line for display in found for line in lines_of(text, display)]
    if plain:  # no delimited math at all: the lines that read as equations
        found = plain_displays(text)
        lines = [line for display in found for line in lines_of(text, display)]
    if not lines:
        raise ProofFileError("no math found: expected displays ($$…$$, \\[…\\], equation or "
                             "align environments) or inline equations ($…$ with '=')",
                             source=path, placed=False)
    facts = _Facts(macros=defined_macros("\n".join(line.latex for line in lines)))
    if plain:
        facts.said.append("the document delimits no math: its lines that read as equations "
                          "(or that a line beginning with '=' continues) are read as math")
    for display in found:
        if display.kind in ("prose", "bare"):
            shown = " ".join(text[display.start:display.end].split())
            facts.said.append(f"'{shown}' (line {positions.line(display.start)}) read as math: "
                              "the words write it without delimiters")
    _styled_letters(lines, facts)
    _written_entries(lines, facts)
    _memberships(lines, positions, facts)
    _prose_shapes(text, found, positions, facts)
    _signatures(text, lines, positions, facts)
    _primed_arrays(lines, facts)
    _declared_names(lines, positions, facts)
    _index_letters(lines, facts)
    _upper_indices(lines, facts)
    _bare_example_letters(lines, facts)
    _gradient_glosses(text, lines, facts)
    _one_variable(lines, facts)
    _prime_variable(lines, facts)
    _open_series(lines, facts)
    _example_bases(lines, facts)
    _examples_beside_entries(lines, facts)
    _vectors_used_whole(lines, facts)
    _entry_vectors(lines, facts)
    _unshaped_arrays(lines, facts)
    context = _context(facts)
    steps = _steps(text, lines, context)
    steps = _worded_derivatives(text, lines, steps, context, positions, facts)
    under_cases = _cases(text, found)
    _read_steps(steps, context, positions, facts, under_cases)
    definitions = _definitions(steps, positions)
    _sigma_alone(steps, positions, facts)
    _y_alone(steps, positions, facts)
    context = _context(facts)
    cases = {number: [case] for number, case in under_cases.items()}
    for number, premise in _premises(text, found, positions, facts):
        cases.setdefault(number, []).append(premise)
    claims = _claims(steps, positions, _labels(text, found), cases, context)
    claims = _distinct_mixed_letters(claims, facts)
    claims = _cross_entropy_targets(claims, facts)
    if not claims:
        raise ProofFileError("no equations found: the math of this document holds no '=' "
                             "(expected equations such as $$f'(x) = …$$)", source=path,
                             placed=False)
    extra_definitions = tuple(definitions) + tuple(_bare_definitions(facts))
    assumed = [*facts.functions.values(), *facts.words.values(),
               *(sentence for _, sentence in facts.domains.values()),
               *(sentence for _, sentence in facts.shapes.values()), *facts.said]
    return ProofDocument(
        path=path, text=text, title=_title(text, path), source="",
        note="read as a document: no proof file", context=context, claims=tuple(claims),
        definitions=extra_definitions,
        matrix=MatrixSettings(layout=facts.layout, sizes=facts.sizes),
        assumed=tuple(assumed), scalar_readings=frozenset(facts.scalars),
        merged_styles=frozenset(facts.merged_styles),
        conventional=frozenset(facts.conventional),
    )


def _title(text: str, path: str) -> str:
    heading = re.search(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", text, re.MULTILINE)
    if heading:
        return heading.group(1).strip()
    title = re.search(r"\\title\s*\{([^{}]*)\}", text)
    if title:
        return " ".join(title.group(1).split())
    return "standard input" if path == "-" else os.path.basename(path)


# ---- context: what the document states ------------------------------------------------------

_SETS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\\\{\s*0\s*,\s*1\s*\\\}"), "{0,1}"),
    (re.compile(r"\\\{\s*-\s*1\s*,\s*\+?\s*1\s*\\\}"), "{-1,1}"),
    (re.compile(r"\(\s*0\s*,\s*1\s*\)"), "(0,1)"),
    (re.compile(r"\[\s*0\s*,\s*1\s*\]"), "[0,1]"),
    (re.compile(r"\(\s*0\s*,\s*\\infty\s*\)"), "positive"),
    (re.compile(r"\[\s*0\s*,\s*\\infty\s*\)"), "nonnegative"),
    (re.compile(r"\(\s*-\s*\\infty\s*,\s*0\s*\)"), "negative"),
    (re.compile(r"\(\s*-\s*\\infty\s*,\s*0\s*\]"), "nonpositive"),
)
_REALS = re.compile(
    r"(?:\\mathbb\s*\{?\s*R\s*\}?|\\Bbb\s*\{?\s*R\s*\}?|\\R(?![A-Za-z])|ℝ|\\mathbf\s*\{\s*R\s*\})"
    r"\s*(?:_\s*(?:\{\s*(?:\+|>\s*0)\s*\}|\+))?")
_NATURALS = re.compile(r"\\mathbb\s*\{?\s*N\s*\}?|ℕ")
_POWER = re.compile(r"\s*\^\s*(?:\{([^{}]*)\}|([A-Za-z0-9]))")


def _memberships(lines: list[Line], positions: _Positions, facts: _Facts) -> None:
    """``X \\in S`` statements: domains and shapes."""
    for line in lines:
        for member in _MEMBER.finditer(line.latex):
            left = line.latex[:member.start()]
            right = line.latex[member.end():]
            cut = re.search(r"\\quad|\\qquad|\\text|\\mbox|\\\\|\\(?:forall|for)\b",
                            right)
            right = right[: cut.start()] if cut else right
            where = positions.line(line.start + member.start())
            _membership(left, right.strip().rstrip(".,;"), where, facts)


def _membership(left: str, right: str, where: int, facts: _Facts,
                written_as: str | None = None) -> None:
    """``left \\in right`` said at line ``where`` (``written_as``: how the words say it,
    when they do: "X is a real m×n matrix")."""
    relations = top_relations(left)
    if relations:
        left = left[relations[-1].end():]
    names = [n.strip() for n in _split_commas(left.replace("&", " ").strip())]
    if not names or not all(names):
        return
    domain: str | None = None
    shape: tuple[str, str] | None = None
    written = right
    for pattern, value in _SETS:
        if pattern.fullmatch(right):
            domain = value
    reals = _REALS.match(right)
    if domain is None and reals is not None:
        rest = right[reals.end():]
        positive = "+" in reals.group() or ">" in reals.group()
        power = _POWER.match(rest)
        if power is None and not rest.strip():
            domain = "positive" if positive else "real"
        elif power is not None and not rest[power.end():].strip():
            sizes = _sizes(power.group(1) or power.group(2))
            if sizes is None:
                return
            shape = sizes
            domain = "positive" if positive else None
        else:
            return
    if domain is None and shape is None and _NATURALS.fullmatch(right):
        domain = "count"
    if domain is None and shape is None:
        return
    for written_name in names:
        try:
            name = _name(written_name)
        except DeriveError:
            continue
        says = written_as or f"{written_name} \\in {written}"
        if shape is not None and shape != ("1", "1"):
            if _array_name(written_name, name) or name not in facts.entries:
                if name not in facts.shapes:
                    facts.shapes[name] = (shape, f"{_pretty(name)} is an array of shape "
                                                 f"{shape[0]}×{shape[1]}: the document says "
                                                 f"{says} (line {where})")
                continue
            facts.declared_shapes.setdefault(name, (shape, f"{says} (line {where})"))
            if name not in facts.scalars:
                facts.scalars.append(name)
                facts.said.append(f"{_pretty(name)} is read as a scalar though the document "
                                  f"says {says} (line {where}): it writes the entries of "
                                  f"{_pretty(name)} ({_pretty(name)}_i), and claims about "
                                  "them are about numbers")
            continue
        if domain is not None and name not in facts.domains:
            facts.domains[name] = (domain, f"{_pretty(name)} ∈ {_domain_words(domain)}: the "
                                           f"document says so (line {where})")


_ENTRY = re.compile(
    r"(?<![A-Za-z\\])(\\?[A-Za-z]+)\s*\}?\s*_\s*(?:\{\s*[a-z0-9]{1,2}\s*\}|[a-z0-9])")


def _written_entries(lines: list[Line], facts: _Facts) -> None:
    """The names whose entries the document writes (x_i, x_1, x_{ij}): a vector space given to
    such a lower-case name leaves it a scalar (its entries are what the claims are about)."""
    from derive.read.latex import parse_name

    for line in lines:
        for match in _ENTRY.finditer(line.latex):
            try:
                facts.entries.add(parse_name(match.group(1)))
            except Exception:  # not a name the reader knows
                continue


_SIZE_WORDS = re.compile(
    r"(?:\$([^$]{1,40})\$|\\\((.{1,40}?)\\\))\s+(?:is|be)\s+(?:a|an|the)\s+(?:real\s+)?"
    r"(?:\$([^$]{1,30})\$|\\\((.{1,30}?)\\\))\s+(?:(?:real|column|row|weight|design|data|"
    r"input|output|feature|target|label|parameter)\s+){0,2}(matrix|vector)\b")
"""``$X$ is a real $m \\times n$ matrix``, ``Let $y$ be an $m \\times 1$ column vector``."""


def _prose_shapes(text: str, found: list[Display], positions: _Positions,
                  facts: _Facts) -> None:
    """Shapes the words state: "$X$ is a real $m \\times n$ matrix", "let $y$ be an $m$
    vector" (a column), "a $1 \\times m$ row vector". Read as a membership line would be."""
    for match in _SIZE_WORDS.finditer(text):
        name = (match.group(1) or match.group(2)).strip()
        size = (match.group(3) or match.group(4)).strip()
        if match.group(5) == "matrix" and not re.search(r"\\times|×|,", size):
            continue  # "a $d$ matrix": no shape
        shown = " ".join(text[match.start():match.end()].split())
        _membership(name, f"\\mathbb{{R}}^{{{size}}}", positions.line(match.start()), facts,
                    written_as=f"'{shown}'")


_SIGNATURE = re.compile(
    r"(?<![A-Za-z\\])([A-Za-z])\s*:\s*((?:\\mathbb\s*\{?\s*R\s*\}?|\\Bbb\s*\{?\s*R\s*\}?|"
    r"\\R(?![A-Za-z])|ℝ)\s*(?:\^\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?)\s*(?:\\to|\\rightarrow|→)")
"""``h:\\mathbb R^n \\to \\mathbb R^m``: the space a function's argument is in."""


def _signatures(text: str, lines: list[Line], positions: _Positions, facts: _Facts) -> None:
    """``h:\\mathbb R^n \\to \\mathbb R^m`` in the math, and ``h(w) = …`` defined: w is in
    ℝⁿ, as a membership line would say."""
    domains: dict[str, tuple[str, int]] = {}
    for match in _SIGNATURE.finditer(text):
        domains.setdefault(match.group(1), (match.group(2), match.start()))
    if not domains:
        return
    for line in lines:
        applied = function_on_the_left(line.latex)
        if applied is None or applied not in domains:
            continue
        relations = top_relations(line.latex)
        left = line.latex[:relations[0].start()]
        argument = left[left.index("(") + 1:left.rindex(")")].strip()
        if not re.fullmatch(r"\\?[A-Za-z]+", argument):
            continue
        domain, where = domains[applied]
        _membership(argument, domain, positions.line(where), facts,
                    written_as=f"{applied}:{domain} \\to …, and defines {applied}({argument})")


def _primed_arrays(lines: list[Line], facts: _Facts) -> None:
    """``g'(u)`` of a function of an array u: the derivative as analysis writes it, the
    Jacobian (q×p for ℝᵖ → ℝ^q, a row for a scalar function), so derivatives by arrays are
    read in numerator layout; not when the document also writes a fraction by an array."""
    from derive.read.latex import parse_name

    if not facts.shapes:
        return
    primed = []
    for line in lines:
        for match in _PRIMED.finditer(line.latex):
            bracket = line.latex.index("(", match.end() - 1)
            inner = re.match(r"\s*(\\?[A-Za-z]+)\s*\)", line.latex[bracket + 1:])
            if inner is None:
                continue
            try:
                argument = parse_name(inner.group(1))
            except Exception:  # not a name the reader knows
                continue
            if argument in facts.shapes:
                primed.append(f"{match.group(1)}'({inner.group(1)})")
        fraction = re.search(r"\\frac\s*\{\s*(?:\\partial|d)[^{}]*\}\s*\{\s*(?:\\partial|d)\s*"
                             r"(\\?[A-Za-z]+)", line.latex)
        if fraction is not None:
            try:
                if parse_name(fraction.group(1)) in facts.shapes:
                    return  # ∂f/∂w written too: the layout is not settled by the primes
            except Exception:  # not a name the reader knows
                continue
    if primed:
        facts.layout = "numerator"
        facts.said.append(f"{primed[0]} of a function of an array is its derivative as analysis "
                          "writes it, the Jacobian (q×p for ℝᵖ → ℝ^q, a row for a scalar "
                          "function): derivatives by arrays are read in numerator layout")


TRANSPOSE = (r"\^\s*(?:\{\s*(?:T|\\top|\\intercal|\\text\s*\{\s*T\s*\})\s*\}|T|"
             r"\\top(?![A-Za-z]))")
"""A transpose as written: ``^T``, ``^{T}``, ``^\\top``, ``^{\\text{T}}`` (a pattern's text)."""

ARRAY_LOOKING = re.compile(  # a name written bold, or transposed
    r"\\(?:mathbf|textbf|boldsymbol|bm|vec)\s*\{\s*(\\?[A-Za-z]+)\s*\}|"
    rf"(?<![A-Za-z\\])(\\?[A-Za-z]+)\s*{TRANSPOSE}")


def _letters_written(lines: list[Line]) -> set[str]:
    """Every letter the lines write: a name chosen for a count must be none of them."""
    return {m.group() for line in lines for m in re.finditer(r"[A-Za-z]", line.latex)}


def _summed_over(lines: list[Line], letters: Iterable[str]) -> bool:
    """Whether a sum of the lines runs over one of the letters (``\\sum_{j=1}^n``, ``\\sum_j``)."""
    over = re.compile(rf"\\sum\s*_\s*\{{?\s*[{''.join(letters)}](?![A-Za-z])")
    return any(over.search(line.latex) for line in lines)


_OPEN_SERIES = re.compile(r"\+\s*(?:\\[lc]?dots[bci]?|\.{3,}|…|⋯)\s*[.,;]?\s*(?:$|\\\\|&|\\cr)")
"""``θ_0 + θ_1x_1 + θ_2x_2 + \\dots`` at the end of a line: a sum with no last term."""


def _open_series(lines: list[Line], facts: _Facts) -> None:
    """A sum that ends in dots (no last term) runs to a count of its own: the first of n, N,
    K, p the document does not write, checked at 3. Said."""
    if not any(_OPEN_SERIES.search(line.latex) for line in lines):
        return
    used = _letters_written(lines)
    count = next((c for c in ("n", "N", "K", "p") if c not in used), None)
    if count is None:
        return
    facts.series_count = count
    facts.sizes.setdefault(count, 3)
    facts.said.append(f"a sum written with dots and no last term (… + θ_2x_2 + ⋯) goes on for "
                      f"{count} terms more, {count} ≥ 1 a count of its own; claims about it are "
                      f"checked at {count} = 3")


_TRANSPOSED_TIMES = re.compile(
    r"(\\[A-Za-z]+|(?<![A-Za-z\\])[A-Za-z]|(?<=_[A-Za-z])[A-Za-z])\s*\^\s*"
    r"(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T|\\top(?![A-Za-z]))"
    r"\s*(?:\\cdot\s*)?(\\[A-Za-z]+|[A-Za-z])(?![A-Za-z(])\s*(?:_\s*(?:\{\s*([a-z])\s*\}|([a-z]))|"
    r"\^\s*\{\s*\(\s*([a-z])\s*\)\s*\})?")
"""``w^T x_i``, ``\\theta^T x``, ``\\theta^T x^{(i)}``: a transposed name times a name (or a
vector of a family: one per example)."""
_EXAMPLE = re.compile(r"(?<![A-Za-z\\])(\\?[A-Za-z]+)\s*(?:_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?\s*"
                      r"\^\s*\{\s*\(\s*([a-z])\s*\)\s*\}")
"""``x^{(i)}``, ``x_j^{(i)}``: a name with an example index (its base, the letter)."""


def _example_bases(lines: list[Line], facts: _Facts) -> None:
    """``\\theta^T x^{(i)}`` inside a sum over i, the entries θ_j written: the examples are
    vectors, and the names written with the example index i (x^{(i)}, x_j^{(i)}, y^{(i)}) are
    read with it as a subscript (x_i, x_ij, y_i), as ``w^T x_i`` is read; i runs over the
    sum's range. Not where the document also writes x_i itself."""
    from derive.read.latex import parse_name

    whole = "\n".join(line.latex for line in lines)
    for line in lines:
        for match in _TRANSPOSED_TIMES.finditer(line.latex):
            letter = match.group(5)
            if letter is None or letter in facts.indices:
                continue
            limit = re.search(rf"\\sum\s*_\s*\{{\s*{letter}\s*=\s*[01]\s*\}}\s*\^\s*"
                              r"(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))", whole)
            if limit is None or not _entry_letters(lines, match.group(1), facts)[0]:
                continue
            bases = {m.group(1) for x in lines for m in _EXAMPLE.finditer(x.latex)
                     if m.group(2) == letter}
            if any(re.search(rf"(?<![A-Za-z\\]){re.escape(base)}\s*_\s*\{{?\s*{letter}",
                             x.latex) for base in bases for x in lines):
                return  # x_i is a name of its own there
            try:
                names = {parse_name(base) for base in bases}
            except Exception:  # not names the reader knows
                return
            facts.examples |= names
            facts.indices[letter] = limit.group(1) or limit.group(2)
            facts.sizes.setdefault(facts.indices[letter], 3)
            _restate_indices(facts)
            shown = ", ".join(sorted(_pretty(n) for n in names))
            facts.said.append(f"{letter} numbers the examples: {shown} with the index ({letter}) "
                              f"are read with it as a subscript ({_pretty(sorted(names)[0])}_"
                              f"{letter}), one vector or value per example")
            return


_EXAMPLE_OR_POWER = re.compile(r"(?<![A-Za-z\\])(\\hat\s*\{\s*[A-Za-z]\s*\}|\\?[A-Za-z]+)\s*"
                               r"\^\s*(?:\{\s*\(?\s*([a-z])\s*\)?\s*\}|\(\s*([a-z])\s*\)|"
                               r"([a-z])(?![A-Za-z]))")
"""``\\hat{y}^i``, ``y^{(i)}``, ``y^{i}``: a name with a letter as its superscript."""


def _examples_beside_entries(lines: list[Line], facts: _Facts) -> None:
    """A name written with an index letter both as a superscript and as a subscript
    (``\\hat{y}^i`` and ``\\hat{y}_i`` in one post): one name, the superscript read as the
    subscript (ŷ_i), said."""
    from derive.read.latex import parse_name

    found: set[str] = set()
    for line in lines:
        for match in _EXAMPLE_OR_POWER.finditer(line.latex):
            letter = match.group(2) or match.group(3) or match.group(4)
            if letter not in facts.indices:
                continue
            base = match.group(1)
            hatted = re.fullmatch(r"\\hat\s*\{\s*([A-Za-z])\s*\}", base)
            written = rf"\\hat\s*\{{\s*{hatted.group(1)}\s*(?:\}}\s*)?" if hatted else \
                rf"(?<![A-Za-z\\]){re.escape(base)}\s*"  # \hat{y}_i or \hat{y_i}
            subscript = rf"{written}_\s*\{{?\s*{letter}(?![A-Za-z])"
            if not any(re.search(subscript, x.latex) for x in lines):
                continue
            try:
                found.add(parse_name(base))
            except Exception:  # not a name the reader knows
                continue
    found -= facts.examples
    if found:
        facts.examples |= found
        shown = ", ".join(sorted(_pretty(n) for n in found))
        facts.said.append(f"{shown} written with an index letter both as a superscript and as "
                          "a subscript: one name, the superscript read as the subscript")


def _vectors_used_whole(lines: list[Line], facts: _Facts) -> None:
    """A name the document says is in ℝⁿ and writes by its entries (x_i), read as a scalar
    so far, that is also the whole argument of a function whose formula writes its entries
    (f(x) = log Σᵢ e^{x_i}) or of a gradient (∇f(x), ∂/∂x): the vector itself, its entries
    x_i. Said, in place of the scalar reading."""
    whole = "\n".join(line.latex for line in lines)
    for name, (shape, says) in list(facts.declared_shapes.items()):
        if name not in facts.scalars or name in facts.shapes or shape[1] != "1":
            continue
        written = re.escape(name if len(name) == 1 else "\\" + name)
        entry = rf"{written}\s*_\s*\{{?\s*[a-z]"
        argument = rf"(?<![A-Za-z\\])[A-Za-z]\s*\(\s*{written}\s*\)"
        defined = re.search(rf"{argument}\s*=[^=]*{entry}", whole)
        gradient = re.search(rf"\\nabla\s*(?:_\s*\{{?\s*{written}\s*\}}?\s*)?"
                             rf"[A-Za-z]*\s*(?:\(\s*{written}\s*\))?|\\partial\s*{written}"
                             r"(?![A-Za-z_])", whole)
        if defined is None or gradient is None:
            continue
        facts.scalars.remove(name)
        facts.first_entries[name] = f"{name}_1"
        facts.said[:] = [s for s in facts.said
                         if not s.startswith(f"{_pretty(name)} is read as a scalar though")]
        facts.shapes[name] = (shape, f"{_pretty(name)} is a vector of {shape[0]} entries "
                                     f"{_pretty(name)}_i: the document says {says}, writes a "
                                     f"function of {_pretty(name)} by its entries and takes "
                                     "its gradient")


def _entry_vectors(lines: list[Line], facts: _Facts) -> None:
    """A name written transposed (``w^T x_i``) whose entries the document writes with index
    letters (``w_j``, ``w_k``) of one count is a column vector of that count, its entries w_j;
    the names it multiplies so (x_i, one per value of i, or x) are vectors of that count too.
    Letters that only subscript (no sum runs over them) count the vector's entries with a
    size of their own (d, checked at 2). Said."""
    from derive.read.latex import parse_name

    found: dict[str, tuple[str, ...]] = {}
    partners: set[str] = set()
    abandoned: set[str] = set()
    # h(x) = g(θᵀx) applied to x^{(i)}: x stands for examples the document does not read as
    # vectors (θx^{(i)} is its own notation); θ stays a scalar there
    exemplified = {m.group(1) for line in lines for m in _EXAMPLE.finditer(line.latex)}
    for line in lines:
        for match in _TRANSPOSED_TIMES.finditer(line.latex):
            try:
                name, other = parse_name(match.group(1)), parse_name(match.group(2))
            except Exception:  # not names the reader knows
                continue
            if name in facts.shapes or name in facts.functions or other in facts.functions:
                continue
            letters, count = _entry_letters(lines, match.group(1), facts)
            if not letters or other == name:
                continue
            if any(facts.indices[letter] != count for letter in letters):
                # w_1, …, w_d written: d counts the entries
                facts.indices.update({letter: count for letter in letters})
                facts.sizes.setdefault(count, 2)  # apart from the sums' 3: a transposition shows
                _restate_indices(facts)
            found.setdefault(name, letters)
            family = match.group(3) or match.group(4) or match.group(5)
            if (match.group(5) is not None or match.group(2) in exemplified) and \
                    other not in facts.examples:
                abandoned.add(name)
                continue
            partner = f"{other}_{family}" if family in facts.indices else other
            if partner not in facts.shapes and partner != name:
                partners.add(partner)
    found = {name: letters for name, letters in found.items() if name not in abandoned}
    if not found:
        return
    used = _letters_written(lines)
    summed_counts = {count for letter, count in facts.indices.items()
                     if _summed_over(lines, letter)}
    for letters in set(found.values()):
        if _summed_over(lines, letters) or facts.indices[letters[0]] not in summed_counts:
            continue  # a sum's letter, or a count the document writes (w_1, …, w_d)
        # w_j written only as a subscript: j counts w's entries, not the sums' terms
        fresh = next((c for c in ("d", "p", "k", "D") if c not in used), None)
        if fresh is not None:
            facts.indices.update({letter: fresh for letter in letters})
            facts.sizes[fresh] = 2
            used.add(fresh)
            _restate_indices(facts)
    counts = set()
    for name, letters in found.items():
        count = facts.indices[letters[0]]
        counts.add(count)
        written = ", ".join(f"{_pretty(name)}_{letter}" for letter in letters)
        facts.shapes[name] = ((count, "1"), (
            f"{_pretty(name)} is a vector of {count} entries: the document writes it "
            f"transposed and its entries {written}"))
        facts.sizes.setdefault(count, 3)
    if len(counts) == 1:
        (count,) = counts
        for name in sorted(partners - set(found)):
            facts.shapes[name] = ((count, "1"), (
                f"{_pretty(name)} is a vector of {count} entries: the document multiplies it by "
                "a transposed vector of that many"))


def _entry_letters(lines: list[Line], written: str, facts: _Facts
                   ) -> tuple[tuple[str, ...], str]:
    """The index letters of the entries of ``written`` (w_j, \\theta_{j}) the lines write and
    the count they run to, when they have one; ((), "") otherwise. The last entry of a list or
    sum written with dots (``w_1, \\ldots, w_d``) names the count (where no sum runs over the
    letters), not an index."""
    name = re.escape(written) + r"(?![A-Za-z])\s*_\s*"
    pattern = re.compile(name + r"(?:\{\s*([a-z])\s*\}|([a-z]))(?![A-Za-z0-9])")
    last = re.compile(r"\\[lc]?dots[bc]?\s*[,+]?\s*" + name + r"\{?\s*([A-Za-z])(?![A-Za-z0-9])")
    counts = {m.group(1) for line in lines for m in last.finditer(line.latex)}
    letters = {m.group(1) or m.group(2) for line in lines for m in pattern.finditer(line.latex)}
    letters -= counts
    if not letters or not letters <= set(facts.indices):
        return (), ""
    if len(counts) == 1 and not _summed_over(lines, letters):
        return tuple(sorted(letters)), next(iter(counts))
    counts = {facts.indices[letter] for letter in letters}
    return (tuple(sorted(letters)), counts.pop()) if len(counts) == 1 else ((), "")


def _unshaped_arrays(lines: list[Line], facts: _Facts) -> None:
    """Names written as arrays (bold, or transposed) that no membership line gives a shape:
    read as scalars, and the report says so."""
    from derive.read.latex import parse_name

    names: list[str] = []
    for line in lines:
        for match in ARRAY_LOOKING.finditer(line.latex):
            written = match.group(1) or match.group(2)
            if len(written.lstrip("\\")) > 1 and not written.startswith("\\"):
                continue  # a run of letters: not one name
            try:
                name = parse_name(written)
            except Exception:  # not a name the reader knows
                continue
            if name not in facts.shapes and name not in names:
                names.append(name)
    facts.scalars.extend(n for n in names if n not in facts.scalars)
    if names:
        shown = ", ".join(_pretty(n) for n in names)
        facts.said.append(f"{shown} {'is' if len(names) == 1 else 'are'} written as "
                          f"{'an array' if len(names) == 1 else 'arrays'} (bold or transposed) "
                          "but the document gives no shape: read as scalars, so a claim about "
                          "them is checked as a scalar identity")


def _split_commas(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _sizes(power: str) -> tuple[str, str] | None:
    """``n\\times d`` → (n, d); ``d`` → (d, 1); ``n, d`` → (n, d)."""
    parts = re.split(r"\\times|×|\*|,|\\cdot", power)
    parts = [p.strip().replace("{", "").replace("}", "").replace(" ", "") for p in parts]
    if len(parts) == 1:
        parts.append("1")
    if len(parts) != 2:
        return None
    for part in parts:
        try:
            size_expression(part)
        except ValueError:
            return None
        if any(len(n) > 2 for n in re.findall(r"[0-9]+", part)):
            return None
    return parts[0], parts[1]


def _array_name(written: str, name: str) -> bool:
    """A bold or capital name: an array when the document gives it a shape."""
    if re.search(r"\\(?:mathbf|boldsymbol|bm|bf|vec|textbf|mathbold|pmb)(?![A-Za-z])",
                 written):
        return True
    return name[:1].isupper()


def _domain_words(domain: str) -> str:
    return {"real": "ℝ", "positive": "(0, ∞)", "nonnegative": "[0, ∞)",
            "negative": "(−∞, 0)", "nonpositive": "(−∞, 0]",
            "count": "{1, 2, 3, …}"}.get(domain, domain.replace(",", ", "))


def _name(written: str) -> str:
    from derive.read.latex import parse_name

    return parse_name(written, Context())


def _pretty(name: str) -> str:
    from derive.core.unicode import pretty_name

    shown = pretty_name(name)
    return name if "ₜₕ" in shown else shown


_FUNCTION_LEFT = re.compile(
    r"^\s*((?:\\(?:mathcal|mathrm|operatorname|text|mathit|mathbf|boldsymbol)\s*\{[A-Za-z]+"
    r"(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?\s*\}|"
    r"\\[A-Za-z]+|[A-Za-z]+)(?:\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?"
    r"(?:\s*\^\s*\{\s*\([^{}()]*\)\s*\})?)"
    r"\s*(?:'|\^\s*\{?\s*\\prime\s*\}?)*\s*(?:\\left\s*)?\(")
"""A name applied on the left of a relation: ``f(x)``, ``J(\\theta)``, ``h_\\theta(x)``."""

_PRIMED_QUOTIENT = re.compile(
    r"(?:\\left\s*)?\(\s*\\[dt]?frac\s*\{?\s*([a-z])\s*\}?\s*\{?\s*([a-z])\s*\}?\s*"
    r"(?:\\right\s*)?\)\s*['’′]")
"""A quotient of two letters primed, ``\\left(\\dfrac{u}v\\right)'``: the quotient rule, its
letters functions (a quotient of vectors has no transpose)."""
_PRIMED = re.compile(
    r"((?<![A-Za-z\\])[A-Za-z](?:\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?)\s*(?:['’′]+|\^\s*\{?\s*"
    r"\\prime\s*\}?)\s*(?:\\left\s*)?\(")
"""A primed name applied: ``g'(z)``, ``f^{\\prime}(x)``, ``s’(x)`` (a typographic prime)."""

_LISTED = re.compile(
    r"((?<![A-Za-z\\^_])[A-Za-z](?:\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?)\s*(?:\\left\s*)?\(")
"""A name before a bracket: a function when the bracket holds a list (``J(\\theta_0, b)``)."""


def _balanced_list(text: str, opening: int) -> bool:
    """Whether the bracket at ``opening`` holds a list: a comma outside inner brackets and
    braces, before it closes."""
    depth = 0
    for char in text[opening:opening + 400]:
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
            if depth == 0:
                return False
        elif char == "," and depth == 1:
            return True
    return False


_PARAMETERIZED = re.compile(
    r"((?<![A-Za-z\\])[A-Za-z]\s*_\s*(?:\{\s*\\(?:theta|phi|psi|omega|Theta)\s*\}|"
    r"\\(?:theta|phi|psi|omega|Theta)(?![A-Za-z])))\s*(?:\\left\s*)?\(")
"""A name with a parameter as its subscript before a bracket: ``h_\\theta(x)``, ``f_{\\phi}(z)``
(a model's function of its input, named by its parameters)."""

_CALLIGRAPHIC = re.compile(r"(\\mathcal\s*\{\s*[A-Za-z]\s*(?:_\s*(?:\{[^{}]*\}|[A-Za-z0-9])\s*)?\}"
                           r"|\{\s*\\cal\s+[A-Za-z]\s*\})\s*(?:\\left\s*)?\(")
"""A calligraphic letter before a bracket: ``\\mathcal{C}(\\beta)``, ``\\mathcal{L}(\\theta)``, a
cost or a likelihood as a function of its parameters, never the letter times them."""

_WORD_LEFT = re.compile(r"^\s*\{?\s*([A-Za-z]{2,})\s*\}?\s*$")

_KNOWN_WORDS = frozenset({
    "log", "ln", "exp", "tanh", "sinh", "cosh", "sin", "cos", "tan", "max", "min", "sigmoid",
    "relu", "softplus", "sech", "abs", "sign", "sgn", "lim", "sum", "prod", "det", "diag",
    "Diag", "tr", "Tr", "softmax", "argmax", "argmin", "mean", "var",
})


def _declared_names(lines: list[Line], positions: _Positions, facts: _Facts) -> None:
    """Functions (a name applied on the left of an equation, or primed) and words (a run of
    letters on the left of a definition) the document declares by using them so."""
    from derive.read.latex import parse_name

    for line in lines:
        left = _left_text(line.latex)
        candidates: list[str] = []
        applied = function_on_the_left(line.latex)
        if applied is not None:
            candidates.append(applied)
        if left is not None and left[0]:
            word = _WORD_LEFT.match(left[0])
            if word and word.group(1) not in _KNOWN_WORDS and \
                    word.group(1) not in facts.words and \
                    not re.fullmatch(r"d[A-Za-z]", word.group(1)):  # dp: a differential
                facts.words[word.group(1)] = (
                    f"{word.group(1)} is one name, not a product of letters: the document "
                    f"defines it (line {positions.line(line.start)})")
        candidates += [m.group(1) for m in _PRIMED.finditer(line.latex)]
        quotient = _PRIMED_QUOTIENT.search(line.latex)
        if quotient is not None:  # (u/v)' = (vu' − uv')/v²: the quotient rule
            for letter in quotient.groups():
                if letter not in facts.functions:
                    facts.functions[letter] = (
                        f"{letter} is any function: the document writes the derivative of a "
                        f"quotient of {quotient.group(1)} and {quotient.group(2)} (line "
                        f"{positions.line(line.start)}), a rule about every function")
                    facts.arbitrary.add(letter)
        candidates += [m.group(1) for m in _LISTED.finditer(line.latex)
                       if _balanced_list(line.latex, m.end() - 1)]
        candidates += [m.group(1) for m in _PARAMETERIZED.finditer(line.latex)]
        candidates += [m.group(1) for m in _CALLIGRAPHIC.finditer(line.latex)]
        for written in candidates:
            written = re.sub(r"\{\s*\\cal\s+([A-Za-z])\s*\}", r"\\mathcal{\1}", written)
            plain = re.sub(r"\\(?:mathcal|mathrm|operatorname|text|mathit|mathbf|boldsymbol)"
                           r"\s*\{([A-Za-z]+)[^{}]*\}", r"\1", written)
            head = re.match(r"\\?([A-Za-z]+)", plain)
            if head is None or head.group(1) in _KNOWN_WORDS or head.group(1) in (
                    "sigma", "nabla", "partial", "frac", "left", "right", "delta", "mathbb",
                    "exp", "sqrt", "hat", "bar", "tilde", "Delta", "lim", "sum", "D"):
                continue  # D(…), D_x(…): the derivative operator, not a function named D
            if len(head.group(1)) > 1 and not written.startswith("\\") and \
                    head.group(1) not in facts.words:
                facts.words[head.group(1)] = (
                    f"{head.group(1)} is one name, not a product of letters: the document "
                    f"applies it (line {positions.line(line.start)})")
            try:  # \text{GELU}: the word, as \text{GELU}(x) reads it
                name = upright_word(written) or parse_name(written, _words_context(facts))
            except DeriveError:
                continue
            if name not in facts.functions:
                facts.functions[name] = (f"{_pretty(name)} is a function: the document writes "
                                         f"{' '.join(written.split())}(…) (line "
                                         f"{positions.line(line.start)})")


_EXAMPLE_SCRIPT = re.compile(r"(\\?[A-Za-z]+\}?)\s*\^\s*\{\s*\(\s*([a-z])\s*\)\s*\}")
_BARE_SCRIPT = re.compile(r"(\\?[A-Za-z]+\}?)\s*\^\s*(?:\{\s*([a-z])\s*\}|([a-z])(?![A-Za-z]))")


def _bare_example_letters(lines: list[Line], facts: _Facts) -> None:
    """z^{i} where the document also writes z^{(i)}: the i-th example, as the other lines write
    it, not a power; i is then an index letter, running over the sums' range."""
    texts = [line.latex for line in lines]
    examples = {(m.group(1), m.group(2)) for text in texts for m in _EXAMPLE_SCRIPT.finditer(text)}
    bare = {(m.group(1), m.group(2) or m.group(3)) for text in texts
            for m in _BARE_SCRIPT.finditer(text)}
    letters = sorted({letter for name, letter in bare & examples
                      if letter not in facts.indices})
    if not letters:
        return
    limits = {m.group(1): m.group(3) or m.group(4) for text in texts
              for m in _SUM_LIMIT.finditer(text) if m.group(1)}
    for letter in letters:
        count = limits.get(letter)
        if count is None:
            continue
        facts.indices[letter] = count
        facts.sizes.setdefault(count, 3)
        written = sorted(name for name, mark in bare & examples if mark == letter)
        facts.said.append(f"{', '.join(f'{n}^{{{letter}}}' for n in written)} read as the "
                          f"{letter}-th example, as the document writes "
                          f"{written[0]}^{{({letter})}} elsewhere; {letter} runs over 1, …, "
                          f"{count}")


_GLOSS = re.compile(r"\\partial\s*(\\mathcal\s*\{\s*[A-Z]\s*\}|[A-Z])\s*\}?\s*(?:/|\{)\s*"
                    r"\\partial\s*([a-z])\b")
"""∂L/∂y or \\frac{\\partial L}{\\partial y} in the words."""


def _gradient_glosses(text: str, lines: list[Line], facts: _Facts) -> None:
    """``dy`` that the words gloss as ∂L/∂y (``dy, dx: upstream gradient ∂L/∂y and downstream
    gradient ∂L/∂x``): the gradient's name as code writes it, not d·y nor a differential;
    ``dy_i`` is the entry ∂L/∂y_i."""
    written = "\n".join(line.latex for line in lines)
    for paragraph in re.split(r"\n\s*\n", text):
        for match in _GLOSS.finditer(paragraph):
            loss, name = match.group(1), match.group(2)
            if not re.search(rf"(?<![A-Za-z\\])d{name}(?![A-Za-z])", paragraph[:match.start()]
                             + paragraph[match.end():]):
                continue
            letters = {m.group(1) for m in re.finditer(
                rf"(?<![A-Za-z\\])d{name}_\{{?([a-z])\}}?(?![A-Za-z0-9,])", written)}
            for letter in sorted(letters) or [""]:
                key = f"d{name}_{letter}" if letter else f"d{name}"
                entry = f"{name}_{letter}" if letter else name
                facts.gradients.setdefault(
                    key, f"\\frac{{\\partial {loss}}}{{\\partial {entry}}}")


_BARE_PRIME = re.compile(
    r"(?<![A-Za-z\\])[A-Za-z](?:_\{?\w+\}?)?['’′](?!['’′]*\s*(?:\\left\s*)?\()")
_APPLIED_TO_LETTER = re.compile(r"(?:\\[A-Za-z]+|σ|[A-Za-z]{2,})\s*\(\s*([A-Za-z])\s*\)")
"""A function applied to one letter: ``σ(x)``, ``\\tanh(x)``, ``sigmoid(x)``."""
_APPLIED_TO_OTHER = re.compile(r"(?:\\(?:sigma|tanh|sigmoid)|σ|sigmoid|tanh)\s*\(\s*"
                               r"(?![A-Za-z]\s*\))")
"""A known function applied to anything else than one letter (σ(wx + b)): more than one
variable may be differentiated by."""
_DERIVATIVE_VARIABLE = re.compile(
    r"\\frac\s*\{\s*(?:d|\\partial)[^{}]*\}\s*\{\s*(?:d|\\partial)\s*\{?\s*"
    r"(\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s*\}?\s*\}")


def _one_variable(lines: list[Line], facts: _Facts) -> None:
    """A document that writes u' of a name, not of a call, and differentiates by one variable
    only (every derivative d…/dx): x is its one variable, and u' is du/dx."""
    texts = [line.latex for line in lines]
    if not any(_BARE_PRIME.search(text) for text in texts):
        return
    variables = {m.group(1).replace(" ", "") for text in texts
                 for m in _DERIVATIVE_VARIABLE.finditer(text)}
    if not variables:  # no d/dx written: the one letter every function is applied to
        variables = {m.group(1) for text in texts for m in _APPLIED_TO_LETTER.finditer(text)}
        if any(_APPLIED_TO_OTHER.search(text) for text in texts):
            return
    if len(variables) != 1:
        return
    variable = next(iter(variables))
    if not re.fullmatch(r"[A-Za-z]", variable) or variable in facts.domains or \
            any(domain == "real" for domain, _ in facts.domains.values()):
        return
    facts.domains[variable] = ("real", f"{variable} is the document's one variable (every "
                                       f"derivative is by {variable}): a prime on a name, "
                                       f"u', is its derivative by {variable}")


_DERIVATIVE_ON_LEFT = re.compile(
    r"\s*&?\s*\\frac\s*\{\s*(?:d|\\partial)[^{}]*\}\s*\{\s*(?:d|\\partial)\s*"
    r"(\\?[A-Za-z]+_\{?[a-z0-9]\}?)\s*\}\s*&?\s*=(?P<right>.*)", re.DOTALL)


def _prime_variable(lines: list[Line], facts: _Facts) -> None:
    """``\\frac{dy_i}{dx_j} = \\frac{(x_i - \\mu)'\\sigma - (x_i - \\mu)\\sigma'}{\\sigma^2}``: a
    derivative by an entry x_j written with primes on its right side (the quotient rule with
    u' and v'): the document's primes are derivatives by x_j (said). Every such line must
    name the same entry, and no line may write d/dx of a single letter (one variable, read
    by ``_one_variable``)."""
    if facts.domains and any(domain == "real" and "one variable" in said
                             for domain, said in facts.domains.values()):
        return
    found = set()
    for line in lines:
        match = _DERIVATIVE_ON_LEFT.match(line.latex)
        if match is not None and re.search(r"['’′](?!['’′]*\s*\()", match.group("right")):
            found.add(re.sub(r"[{}\s]", "", match.group(1)))
    if len(found) != 1:
        return
    from derive.read.latex import parse_name

    variable = found.pop()
    facts.prime_by = parse_name(variable)
    facts.said.append(f"a prime is the derivative by {_pretty(variable)}: the document writes "
                      f"one on the right of a derivative by {_pretty(variable)} (the quotient "
                      "or product rule with u' and v')")


def word_on_the_left(latex: str) -> str | None:
    """The run of letters that is the whole left side of a line's first relation (``loss``
    of ``loss = …``), when it is no function word; None otherwise."""
    left = _left_text(latex)
    if left is None or not left[0]:
        return None
    word = _WORD_LEFT.match(left[0])
    if word is None or word.group(1) in _KNOWN_WORDS:
        return None
    return word.group(1)


def function_on_the_left(latex: str) -> str | None:
    """The name applied on the left of a line's first relation, an equation (``f`` of
    ``f(w) = …``; not ``y_i(w^Tx_i) < 1``, a product), as written; None when the left side
    is anything else."""
    relations = top_relations(latex)
    if not relations or not _EQUATIONS.fullmatch(relations[0].group()):
        return None
    left = _left_text(latex)
    if left is None or not left[0]:
        return None
    applied = _FUNCTION_LEFT.match(left[0])
    if applied is None or not _balanced_call(left[0], applied.end() - 1):
        return None
    return applied.group(1)


def _balanced_call(text: str, opening: int) -> bool:
    """Whether the bracket at ``opening`` closes at the end of ``text`` (``f(x)``, not
    ``f(x) g(x)``)."""
    depth = 0
    index = opening
    while index < len(text):
        if text.startswith("\\right)", index) or text.startswith("\\right.", index):
            depth -= 1
            index += 7
            if depth == 0:
                return not text[index:].strip()
            continue
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return not text[index + 1:].strip()
        index += 1
    return False


def _words_context(facts: _Facts) -> Context:
    return Context(macros=facts.macros).with_symbols(*(SymbolInfo(w) for w in facts.words))


_SUM_WITHOUT_RANGE = re.compile(
    r"(?:\\(?:sum|Sigma)|[Σ∑])\s*(?:\\limits\s*)?_\s*(?:\{\s*([A-Za-z])\s*(?:\\neq?\s*[A-Za-z]\s*)?\}|"
    r"([A-Za-z]))(?:\s*\^\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])))?")
_SUM_LIMIT = re.compile(r"\\sum\s*(?:\\limits\s*)?_\s*\{\s*(?:([A-Za-z])\s*=\s*([0-9]+)|"
                        r"[^{}=]*=[^{}]*)\s*\}\s*\^\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))")
"""A sum with its range: the letter and lower limit (when simple), and the upper limit."""
_SUM_SCRIPT = re.compile(r"\\(?:sum|Sigma|prod)\s*(?:\\limits\s*)?_\s*(?:\{[^{}]*\}|\S)")
_BY_ENTRY = re.compile(r"\{\s*(?:\\partial|d)\s*\\?[A-Za-z]+\s*_\s*\{?\s*[ijkl]\s*\}?\s*\}|"
                       r"\\nabla[^=]{0,40}?\)\s*_\s*\{?\s*[ijkl]\b")
"""A derivative by an entry: ``{\\partial z_j}``, ``{dx_i}``, ``\\nabla f(x)_i``."""
_RANGELESS_SUM = re.compile(r"\\sum(?![A-Za-z])(?!\s*(?:\\limits\s*)?_)")
_SUBSCRIPT_LETTERS = re.compile(r"_\s*(?:\{\s*([a-z]{1,2})\s*\}|([a-z]))")


_UPPER_DELTA = re.compile(r"\\delta\s*\^\s*\{?\s*([a-z])\s*\}?\s*_\s*\{?\s*([a-z])(?![A-Za-z])")
"""δ^j_m: the Kronecker delta with an upper and a lower index."""
_UPPER_PAIR = re.compile(r"(?<![\\A-Za-z])[A-Za-z]\s*\^\s*\{\s*([a-z])\s*([a-z])\s*\}")
"""A^{ij}: a name with two index letters as its superscript."""


def _upper_indices(lines: list[Line], facts: _Facts) -> None:
    """Index notation with upper indices: a δ^j_m, or two names with two-letter superscripts
    (Q^{ia}, K^{ja}), make the superscripts' letters index letters and their superscripts
    entries, with the summation convention."""
    deltas = [m for line in lines for m in _UPPER_DELTA.finditer(line.latex)]
    pairs = [m for line in lines for m in _UPPER_PAIR.finditer(line.latex)]
    if not deltas and len({m.group() for m in pairs}) < 2:
        return
    letters = {c for m in (*deltas, *pairs) for c in m.groups()} - set("de")
    letters |= {m.group(1) for line in lines
                for m in re.finditer(r"(?<![\\A-Za-z])[A-Za-z]\s*\^\s*\{?\s*([a-z])\s*\}?"
                                     r"(?![A-Za-z{])", line.latex)
                if m.group(1) in letters}
    used = _letters_written(lines)
    count = next((c for c in ("N", "M", "C") if c not in used), "N")
    for letter in sorted(letters):
        facts.indices.setdefault(letter, count)
    facts.sizes.setdefault(count, 3)
    facts.upper_indices = True
    shown = ", ".join(sorted(letters))
    facts.said.append(f"upper indices: a superscript of index letters ({shown}) is an entry "
                      "(A^{ij} is A_ij, \\delta^j_m is δ_jm), and an index repeated in a "
                      "product and written on no other side is summed (the summation "
                      f"convention); {shown} run over 1, …, {count}, checked at {count} = 3")


def _index_letters(lines: list[Line], facts: _Facts) -> None:
    """Sums written without their range make index letters. A letter runs up to the limit its
    sums write (``\\sum_{j=1}^{n}``, ``\\sum_j^K``), else up to the one limit all the sums
    write, else up to C."""
    letters: dict[str, str] = {}
    for line in lines:
        for match in _SUM_WITHOUT_RANGE.finditer(line.latex):
            letter = match.group(1) or match.group(2)
            count = match.group(3) or match.group(4)
            letters.setdefault(letter, count or "")
    subscripts = {letter for line in lines
                  for m in _SUBSCRIPT_LETTERS.finditer(_SUM_SCRIPT.sub(" ", line.latex))
                  for letter in (m.group(1) or m.group(2))}
    # \sum_y e^y sums over a variable, not an index; d and e are differentials and Euler's e
    letters = {k: v for k, v in letters.items() if k in subscripts and k not in "de"}
    # Σ e^{x_d}: a sum that names no index takes it from its body's subscripts
    rangeless = any(_RANGELESS_SUM.search(line.latex) for line in lines)
    explicit: dict[str, str] = {}
    for line in lines:
        for match in _SUM_LIMIT.finditer(line.latex):
            if match.group(1) and match.group(2) == "1":
                explicit.setdefault(match.group(1), match.group(3) or match.group(4))
    # ∂y_i/∂z_j beside Σ_{k=1}^{C}: a derivative by an entry makes its letter an index too
    by_entry = explicit and any(_BY_ENTRY.search(line.latex) for line in lines)
    if not letters and not rangeless and not by_entry:
        return
    common = set(explicit.values()) | {v for v in letters.values() if v}
    used = _letters_written(lines)
    fallback = common.pop() if len(common) == 1 else \
        next((c for c in ("C", "K", "N") if c not in used), "C")
    subscripts &= set("ijklcd" if rangeless else "ijklc")
    if not letters and not subscripts:
        return
    for letter in sorted(set(letters) | subscripts):
        facts.indices[letter] = letters.get(letter) or explicit.get(letter) or fallback
    counts = sorted(set(facts.indices.values()))
    limits = sorted({m.group(3) or m.group(4) for line in lines
                     for m in _SUM_LIMIT.finditer(line.latex)} - set(counts) -
                    set(facts.indices))
    facts.sizes = {name: 3 for name in [*counts, *limits]}
    _restate_indices(facts)


def _restate_indices(facts: _Facts) -> None:
    """The report's sentence on the index letters, said again (in its place) once they
    change."""
    if facts.indices_said is None:
        facts.indices_said = len(facts.said)
        facts.said.append(_index_sentence(facts))
    else:
        facts.said[facts.indices_said] = _index_sentence(facts)


def _index_sentence(facts: _Facts) -> str:
    """What the report says of the index letters: their counts and the sizes of the checks."""
    shown = ", ".join(sorted(facts.indices))
    ranges = "; ".join(f"{letter} = 1, …, {count}" for letter, count in
                       sorted(facts.indices.items()))
    sizes = ", ".join(f"{name} = {size}" for name, size in sorted(facts.sizes.items()))
    return (f"{shown} {'is an index letter' if len(facts.indices) == 1 else 'are index letters'}"
            f" ({ranges}; a sum written without its range runs over the same); index claims "
            f"are checked at {sizes}")


_CALLIGRAPHIC_LETTER = re.compile(r"\\mathcal\s*\{\s*([A-Z])\s*\}")


def _styled_letters(lines: list[Line], facts: _Facts) -> None:
    """\\mathcal{L} and a plain L are two names when the document relates them in one line
    (ℒ = Σᵢ Lᵢ, ℒ = 2L) or gives each its own definition: read as one name they would be
    equated. Otherwise (one written for the other) they stay one name, as before."""
    written = {m.group(1) for line in lines
               for m in _CALLIGRAPHIC_LETTER.finditer(line.latex)}
    for letter in sorted(written):
        def plain(text: str, letter: str = letter) -> bool:
            bare = re.sub(r"\\[A-Za-z]+", " ", _CALLIGRAPHIC_LETTER.sub(" ", text))
            return re.search(rf"(?<![A-Za-z]){letter}(?![A-Za-z])", bare) is not None

        def defines(text: str, left: str) -> bool:
            return re.match(rf"\s*{left}\s*(_\{{?\w+\}}?\s*)?(=|:=|\\coloneqq)", text) \
                is not None

        calligraphic = rf"\\mathcal\s*\{{\s*{letter}\s*\}}"
        together = any(re.search(calligraphic, line.latex) and plain(line.latex)
                       for line in lines)
        both_defined = any(defines(line.latex, calligraphic) for line in lines) and \
            any(defines(line.latex, letter) for line in lines)
        if not (together or both_defined):
            if any(plain(line.latex) for line in lines):
                facts.merged_styles.add(letter)  # one name, both ways: never refuted so
            continue
        if together or both_defined:
            facts.styled.add(letter)
            facts.said.append(f"\\mathcal{{{letter}}} and {letter} are two names: the "
                              f"document writes both (\\mathcal{{{letter}}} is shown "
                              f"{SCRIPT_CAPITALS[letter]})")


def _context(facts: _Facts) -> Context:
    infos: list[SymbolInfo] = []
    for word in facts.words:
        if word not in facts.functions:
            infos.append(SymbolInfo(word))
    infos += [SymbolInfo(name) for name in facts.gradients]
    for name, (domain, _) in facts.domains.items():
        infos.append(SymbolInfo(name, parse_domain(domain),
                                facts.shapes.get(name, (None, ""))[0],
                                entries=facts.first_entries.get(name)))
    for name, (shape, _) in facts.shapes.items():
        if name not in facts.domains:
            infos.append(SymbolInfo(name, shape=shape, entries=facts.first_entries.get(name)))
    context = Context(functions=frozenset(facts.functions), styled=frozenset(facts.styled),
                      macros=facts.macros, upper_indices=facts.upper_indices,
                      prime_by=facts.prime_by, arbitrary=frozenset(facts.arbitrary),
                      example_bases=frozenset(facts.examples), series_count=facts.series_count
                      ).with_symbols(*infos)
    if facts.series_count and facts.series_count not in context.symbols:
        context = context.with_symbols(SymbolInfo(facts.series_count, COUNT))
    if facts.indices:
        implied = [SymbolInfo(n, COUNT) for n in {*facts.indices, *facts.indices.values()}
                   if n not in context.symbols]
        context = replace(context.with_symbols(*implied), indices=dict(facts.indices))
    return context


# ---- steps: which lines are claims, definitions, chains -------------------------------------


def _steps(text: str, lines: list[Line], context: Context) -> list[_Step]:
    """The lines that are steps: a relation, or an expression the next line continues."""
    steps: list[_Step] = []
    for k, line in enumerate(lines):
        relations = top_relations(line.latex)
        latex = line.latex
        if _prose_only(latex):
            continue
        if line.display.inline and (not top_relations(latex, _EQUATIONS) or
                                    _condition(text, line, context) or
                                    _premise(text, line.display) is not None):
            continue
        if not relations:
            following = next((n for n in lines[k + 1:] if not _prose_only(n.latex)), None)
            if following is None or not _continues(following.latex) or \
                    _MEMBER.search(latex) or following.display.inline != line.display.inline:
                continue
        elif _MEMBER.search(latex) and not top_relations(latex, _EQUATIONS):
            continue  # a membership statement: context, read already
        offset = len(latex) - len(latex.lstrip())
        steps.append(_Step(line, latex.strip(), line.start + offset, bool(relations),
                           _continues(latex)))
    return steps


_DERIVATIVE_OF = re.compile(r"(?:^|\W)derivative\s+of\s*(?:the\s+function\s*)?$", re.IGNORECASE)
_IS_WORDS = re.compile(
    r"\s*,?\s*(?:(?:with\s+respect\s+to|w\.?\s*r\.?\s*t\.?)\s*\$\s*([A-Za-z](?:_\{?\w\}?)?|\\[a-z]+)"
    r"\s*\$\s*,?\s*)?(?:is|equals|is\s+equal\s+to|should\s+be|would\s+be|becomes|=)\s*:?\s*",
    re.IGNORECASE)
"""What the words put between ``the derivative of $f(x)$`` and its value ``$…$``."""


def _worded_derivatives(text: str, lines: list[Line], steps: list[_Step], context: Context,
                        positions: _Positions, facts: _Facts) -> list[_Step]:
    """``the derivative of $\\tanh(x)$ is $\\operatorname{sech}^2(x)$`` (inline math, no '='):
    the claim d/dx tanh(x) = sech²(x), x the one name the first formula writes (or the one
    "with respect to $x$" names). Said."""
    from derive.read.latex import parse_expression

    taken = {id(step.line) for step in steps}
    added: list[_Step] = []
    inline = [line for line in lines if line.display.inline]
    for k, first in enumerate(inline):
        opening = first.display.start - _OPENERS.get(first.display.kind, 1)
        if top_relations(first.latex) or \
                not _DERIVATIVE_OF.search(text[max(0, opening - 40):opening]):
            continue
        closing = first.display.end + _OPENERS.get(first.display.kind, 1)
        found = None
        for value in inline[k + 1:k + 3]:  # the value, after "with respect to $x$" or not
            between = text[closing:value.display.start - _OPENERS.get(value.display.kind, 1)]
            words = _IS_WORDS.fullmatch(between)
            if words is not None and id(value) not in taken and not top_relations(value.latex):
                found = value, words
                break
        if found is None:
            continue
        value, words = found
        formula = first.latex.strip()
        variable = words.group(1)
        try:
            value_read = parse_expression(formula, context)
        except DeriveError:
            continue
        if isinstance(value_read, sp.Symbol):
            continue  # "the derivative of $L$ is …": by what, the words do not say
        if variable is None:
            names = sorted(s.name for s in value_read.free_symbols if isinstance(s, sp.Symbol))
            if len(names) != 1 or len(names[0]) != 1:
                continue
            variable = names[0]
        lhs = f"\\frac{{d}}{{d{variable}}}\\left({formula}\\right)"
        latex = value.latex.strip()
        offset = len(value.latex) - len(value.latex.lstrip())
        added.append(_Step(value, latex, value.start + offset, False, False, lhs=lhs))
        facts.said.append(f"'the derivative of ${formula}$ is ${latex}$' (line "
                          f"{positions.line(value.start)}) read as the claim "
                          f"d/d{variable} ({formula}) = {latex}")
    added += _derivative_of_the_function(text, inline, steps, added, positions, facts)
    if not added:
        return steps
    return sorted([*steps, *added], key=lambda step: step.offset)


_THE_DERIVATIVE_IS = re.compile(
    r"(?:^|\W)(?:the|its|my\s+best\s+attempt\s+for\s+the)\s+derivative(?:\s+of\s+(?:the\s+)?"
    r"(?:above\s+)?function)?\s*(?:is|would\s+be|should\s+be|=)\s*:?\s*$", re.IGNORECASE)
_FUNCTION_DEFINED = re.compile(r"\s*([A-Za-z])\s*\(\s*([A-Za-z])\s*\)\s*=")
_DEFINES_A_NAME = re.compile(r"\s*(?:\\?[A-Za-z]+(?:_\{?\w+\}?)?|\{[^{}]*\})"
                             r"\s*(?:\([^()=]*\))?\s*=")
"""A line that sets a name (``L = …``, ``f(x) = …``, ``{Co} = …``)."""


def _derivative_of_the_function(text: str, inline: list[Line], steps: list[_Step],
                                added: list[_Step], positions: _Positions, facts: _Facts
                                ) -> list[_Step]:
    """``The derivative is $…$`` where the document has defined one function, f(x) = …, before
    it: the claim f′(x) = …. Said."""
    taken = {id(step.line) for step in [*steps, *added]}
    found: list[_Step] = []
    for value in inline:
        if id(value) in taken or top_relations(value.latex):
            continue
        opening = value.display.start - _OPENERS.get(value.display.kind, 1)
        if not _THE_DERIVATIVE_IS.search(text[max(0, opening - 80):opening]):
            continue
        before = [step for step in steps if step.offset < value.start]
        defined = {(m.group(1), m.group(2)) for step in before
                   for m in [_FUNCTION_DEFINED.match(step.latex)] if m is not None}
        if len(defined) != 1:
            continue
        ((name, variable),) = defined
        latex = value.latex.strip()
        # the function is the last thing defined, and the value does not write it: after
        # L = (f(x) − y)², "the derivative is 2(f(x) − y)f′(x)" is L's
        last = next((step for step in reversed(before) if _DEFINES_A_NAME.match(step.latex)),
                    None)
        if last is None or not _FUNCTION_DEFINED.match(last.latex) or \
                re.search(rf"(?<![A-Za-z\\]){name}\s*(?:'|\(|\^)", latex):
            continue
        offset = len(value.latex) - len(value.latex.lstrip())
        found.append(_Step(value, latex, value.start + offset, False, False,
                           lhs=f"{name}'({variable})"))
        facts.said.append(f"'the derivative is ${latex}$' (line {positions.line(value.start)}) "
                          f"read as the claim {name}′({variable}) = {latex}: {name} is the one "
                          "function the document has defined")
    return found


def _condition(text: str, line: Line, context: Context) -> bool:
    """Inline math that is a condition or a range, not a claim: an index letter set to a value
    (``i = k``, ``j = 0``, ``i=1,\\cdots,n``), or a letter set to a letter or a number after
    "if", "when" or "for" (``If $x = 1$``)."""
    left = _left_text(line.latex)
    if left is None:
        return False
    name = left[0].strip()
    value = line.latex[line.latex.find("=") + 1:]
    simple = re.fullmatch(r"[\s\w,+\-]*|[\s\w,+\-]*\\[lc]?dots[\s\w,+\-]*", value)
    if re.fullmatch(r"[a-z]", name) and \
            (name in context.indices or (name in "ijklmnt" and simple is not None)):
        return True  # i = k, j = 0, t = 1, …, T; not l = (1/n) Σ (y_i − ŷ_i)²
    return _CASE.fullmatch(line.latex) is not None and _after_case_word(text, line.display)


def _after_case_word(text: str, display: Display) -> bool:
    """Whether inline math follows "if", "when", "for" or "case"."""
    opening = display.start - _OPENERS.get(display.kind, 0)
    return _CASE_WORD.search(text[max(0, opening - 12):opening]) is not None


def _read_steps(steps: list[_Step], context: Context, positions: _Positions,
                facts: _Facts, cases: Mapping[int, str]) -> None:
    """Each step read with the reader: definitions found, conventions applied, chains told
    (two lines under different cases are never one chain, whatever their left sides)."""
    from derive.read.latex import index_families

    families = index_families([s.latex for s in steps], context)
    reading = context.with_families(*families)
    defined: dict[str, int] = {}
    readings = [_sides(step.latex, reading) for step in steps]
    if any(sides and type(sides[0]).__name__ == "sigmoid" for sides, _ in readings):
        defined["sigma"] = 0  # σ alone is σ(z) where the document writes σ(z) = …
    lefts = [sides[0] for sides, _ in readings if sides and len(sides) >= 2]
    if _one_function(lefts) is not None and \
            not any(isinstance(left, sp.Symbol) and left.name == "y" for left in lefts):
        defined["y"] = 0  # dy/dx beside the one function f(x) = …: y is f(x) (_y_alone)
    defined_anywhere = {name for sides, _ in readings if sides and len(sides) >= 2
                        for name in [_definable(sides[0])] if name is not None}
    chain: _Step | None = None  # the line that gave the current chain its left side
    for step, (sides, defining) in zip(steps, readings, strict=True):
        step.sides = sides
        step.left = (_left_text(step.latex) or ("", 0))[0]
        if step.continues or not step.relation:
            continue
        left = step.sides[0] if step.sides else None
        name = _definable(left) if left is not None else None
        if name is not None and power_on_left(step.latex, name):
            name = None
        if name is None and step.sides is not None and len(step.sides) >= 2:
            # ∂ℓ_j/∂p_j = ∂/∂p_j (−y_j log p_j), ℓ_j defined nowhere else: defines ℓ_j
            name = _defined_by_derivative(step.sides[0], step.sides[1], defined_anywhere)
        same = chain is not None and (
            (left is not None and chain.sides is not None and len(chain.sides) > 0 and
             chain.sides[0] == left) or _same_text(chain.left, step.left)) and \
            cases.get(chain.line.display.number) == cases.get(step.line.display.number)
        fresh = (not same and name not in defined) or defining
        if name is not None and fresh and step.sides is not None and len(step.sides) >= 2:
            value = step.sides[1]
            if name in {str(s) for s in value.free_symbols} or \
                    (isinstance(left, AppliedUndef) and value.has(left.func)):
                step.kind = "update"
                step.note = "an update (the name is set from itself): not checked"
            else:
                step.define, step.defines = True, name
                defined[name] = positions.line(step.offset)
                step.note = f"defines {name}"
                _sigma_value(name, value, positions.line(step.offset), facts)
        elif same and chain is not None:
            where = positions.line(chain.offset)
            if left is not None and not _evaluable(left, defined) and \
                    _unboxed(step.latex) == step.latex:
                relation = top_relations(step.latex)[0]
                step.latex = step.latex[relation.start():]
                step.offset += relation.start()
                step.continues = True
                step.note = f"the same left side as line {where}: checked against the line before"
                continue
            step.note = f"the same left side as line {where}: checked as written"
        chain = step
    _bce_labels(steps, positions, facts)


def _sides(latex: str, context: Context) -> tuple[tuple[sp.Expr, ...] | None, bool]:
    """The sides of a line as the reader reads them (None when it cannot), and whether its
    relation defines (``:=``, ``\\coloneqq``)."""
    from derive.read.latex import parse_lines, parse_relation

    try:
        relation = parse_relation(latex, context, source="<document>")
    except Exception:  # the reader refuses with ParseError; the checker will say why
        # two claims on one line (f(x) = 1 \Rightarrow f'(x) = 0): the first may define
        try:
            relations = parse_lines(latex, context, source="<document>")
        except Exception:
            return None, False
        if len(relations) < 2 or relations[0].continues:
            return None, False
        relation = relations[0]
    return tuple(relation.sides), bool(getattr(relation, "defining", False))


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        text = re.sub(r"\\left|\\right|\\,|\\;|\\!|\s|&", "", text)
        return text.replace("{", "").replace("}", "")
    return bool(a) and norm(a) == norm(b)


def _definable(side: sp.Expr) -> str | None:
    """The name a left side defines: a name, or a function applied to distinct names."""
    if isinstance(side, sp.Symbol | sp.MatrixSymbol):
        return str(side.name)
    if isinstance(side, AppliedUndef) and len(set(side.args)) == len(side.args) and \
            all(isinstance(a, sp.Symbol | sp.MatrixSymbol) for a in side.args):
        return str(side.func.__name__)
    return None


def _defined_by_derivative(left: sp.Expr, right: sp.Expr, defined: set[str]) -> str | None:
    """The name a line defines by differentiating its formula (∂ℓ_j/∂p_j = ∂/∂p_j (−y_j log
    p_j): ℓ_j), where no line defines it otherwise; None for any other line."""
    if not (isinstance(left, sp.Derivative) and isinstance(right, sp.Derivative)) or \
            left.variable_count != right.variable_count:
        return None
    name = _definable(left.expr)
    if name is None or name in defined or right.expr.has(left.expr) or \
            isinstance(left.expr, sp.MatrixSymbol):
        return None
    return name


def _evaluable(left: sp.Expr, defined: dict[str, int]) -> bool:
    """Whether a left side can be worked out from the document's definitions: every
    derivative in it is of a defined name (or of an expression), every function defined."""
    for node in left.atoms(sp.Derivative):
        expr = node.expr
        if isinstance(expr, sp.Symbol) and expr.name not in defined and \
                expr not in node.variables:
            return False
        if isinstance(expr, AppliedUndef) and expr.func.__name__ not in defined:
            return False
    for node in left.atoms(AppliedUndef):
        if node.func.__name__ not in defined:
            return False
    if isinstance(left, sp.Symbol) and left.name not in defined:
        return False
    return not left.atoms(sp.Subs) or all(
        f.func.__name__ in defined for s in left.atoms(sp.Subs)
        for f in s.atoms(AppliedUndef))


def _sigma_value(name: str, value: sp.Expr, where: int, facts: _Facts) -> None:
    """A name defined as a value of σ is in (0, 1)."""
    if type(value).__name__ == "sigmoid" and name not in facts.domains and \
            name not in facts.shapes:
        facts.domains[name] = ("(0,1)", f"{_pretty(name)} ∈ (0, 1): a value of σ "
                                        f"({_pretty(name)} = σ(…), line {where})")
        facts.conventional.add(name)


def _bce_labels(steps: list[_Step], positions: _Positions, facts: _Facts) -> None:
    """In y·log p + (1 − y)·log(1 − p), y is a label in {0, 1} and p in (0, 1)."""
    for step in steps:
        for side in step.sides or ():
            for label, probability in _bce_pairs(side):
                where = positions.line(step.offset)
                for name, domain, what in ((label, "{0,1}", "the label"),
                                           (probability, "(0,1)", "the probability")):
                    if name is None or name in facts.domains or name in facts.shapes:
                        continue
                    facts.domains[name] = (domain, f"{_pretty(name)} ∈ "
                                                   f"{_domain_words(domain)}: {what} of a "
                                                   f"binary cross-entropy (line {where})")
                    facts.conventional.add(name)


def _bce_pairs(expr: sp.Expr) -> Iterator[tuple[str | None, str | None]]:
    """(label, probability) names of every y·log p + (1 − y)·log(1 − p) in ``expr``."""
    for add in expr.atoms(sp.Add) | ({expr} if isinstance(expr, sp.Add) else set()):
        logs: list[tuple[sp.Expr, sp.Expr]] = []
        for term in sp.Add.make_args(add):
            factors = sp.Mul.make_args(term)
            found = [f for f in factors if isinstance(f, sp.log)]
            if len(found) == 1:
                logs.append((sp.Mul(*[f for f in factors if f is not found[0]]),
                             found[0].args[0]))
        yield from _bce_match(logs)


def _bce_match(logs: list[tuple[sp.Expr, sp.Expr]]) -> Iterator[tuple[str | None, str | None]]:
    grouped: dict[sp.Expr, sp.Expr] = {}
    for coefficient, argument in logs:
        grouped[argument] = grouped.get(argument, sp.Integer(0)) + coefficient
    for p, a in grouped.items():
        q = sp.expand(1 - p)
        if q not in grouped:
            continue
        b = grouped[q]
        total = sp.expand(a + b)
        if total.free_symbols or total == 0:
            continue
        label = sp.expand(a / total)
        yield _plain(label), _plain(p)


def _plain(expr: sp.Expr) -> str | None:
    if isinstance(expr, sp.Symbol):
        return str(expr.name)
    if isinstance(expr, sp.Indexed):
        return str(expr.base.label)
    return None


def _sigma_alone(steps: list[_Step], positions: _Positions, facts: _Facts) -> None:
    """σ written alone (``\\frac{d\\sigma}{dz}``) where the document writes ``\\sigma(z) = …``:
    σ is σ(z)."""
    for step in steps:
        sides = step.sides or ()
        if sides and type(sides[0]).__name__ == "sigmoid" and \
                isinstance(sides[0].args[0], sp.Symbol):
            argument = str(sides[0].args[0].name)
            line, column = positions.where(step.offset)
            break
    else:
        return
    alone = any(isinstance(x, sp.Symbol) and x.name == "sigma"
                for step in steps for side in step.sides or () for x in side.free_symbols)
    latex = argument if re.fullmatch(r"[A-Za-z]", argument) else \
        f"\\{argument}" if argument in _GREEK else None
    if alone and latex is not None:
        facts.said.append(f"σ written alone is σ({_pretty(argument)}): the document writes "
                          f"σ({_pretty(argument)}) = … (line {line})")
        facts.bare_sigma = (latex, line, column)


_GREEK = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "tau", "upsilon", "phi", "chi", "psi", "omega",
})


def _bare_definitions(facts: _Facts) -> Iterator[Definition]:
    if facts.bare_sigma is not None:
        argument, line, column = facts.bare_sigma
        yield Definition("sigma", f"\\sigma({argument})", "", line, column)
    if facts.y_of is not None:
        value, line, column = facts.y_of
        yield Definition("y", value, "", line, column)
    for name, latex in facts.gradients.items():
        yield Definition(name, latex, "a gradient's name as code writes it, as the words gloss it",
                         0, 0)


def _one_function(lefts: Sequence[sp.Expr]) -> sp.Expr | None:
    """The first of the left sides that apply a function to one name (f(x)), when they all
    apply one and the same function; None otherwise."""
    calls = [left for left in lefts if isinstance(left, AppliedUndef) and len(left.args) == 1
             and isinstance(left.args[0], sp.Symbol)]
    return calls[0] if calls and len({type(call) for call in calls}) == 1 else None


def _y_alone(steps: list[_Step], positions: _Positions, facts: _Facts) -> None:
    """dy/dx where the document defines one function, f(x) = …, and no y: y is f(x)."""
    defining = [step for step in steps if step.define and step.sides]
    call = _one_function([step.sides[0] for step in defining if step.sides])
    if call is None:
        return
    first = next(step for step in defining if step.sides and step.sides[0] is call)
    argument = call.args[0]
    if any(step.defines == "y" for step in steps) or not re.fullmatch(r"[A-Za-z]",
                                                                       argument.name):
        return
    differentiated = [node for step in steps for side in step.sides or ()
                      for node in side.atoms(sp.Derivative)
                      if isinstance(node.expr, sp.Symbol) and node.expr.name == "y"]
    if not differentiated or any(node.variables != (argument,) for node in differentiated):
        return
    relations = top_relations(first.latex)
    if not relations:
        return
    end = relations[1].start() if len(relations) > 1 else len(first.latex)
    value = first.latex[relations[0].end():end].strip().rstrip(".,;")
    name = type(call).__name__
    line, column = positions.where(first.offset)
    facts.said.append(f"y is {name}({argument.name}): the document differentiates y by "
                      f"{argument.name}, defines {name}({argument.name}) = … (line {line}) "
                      "and no y")
    facts.y_of = (value, line, column)


def _definitions(steps: list[_Step], positions: _Positions) -> list[Definition]:
    """Definitions an earlier step uses (a derivative of a name defined further on): supplied
    from the start, with a note the report shows."""
    found: list[Definition] = []
    for k, step in enumerate(steps):
        if not step.define or step.sides is None or len(step.sides) < 2:
            continue
        name = step.defines
        left = step.sides[0]
        used_before = [s for s in steps[:k] if s.sides and any(
            _differentiates(side, name) for side in s.sides)]
        if not used_before:
            continue
        by_derivative = isinstance(left, sp.Derivative)
        if isinstance(left, sp.Derivative):
            left = left.expr
        arguments = left.args if isinstance(left, AppliedUndef) else ()
        if len(arguments) > 1:
            continue
        relations = top_relations(step.latex)
        start = relations[0].end()
        end = relations[1].start() if len(relations) > 1 else len(step.latex)
        value = step.latex[start:end]
        value_start = start + len(value) - len(value.lstrip())
        if by_derivative:  # ∂ℓ/∂p = ∂/∂p (−y log p): ℓ is the operand
            operand = _DERIVATIVE_BY.match(value)
            if operand is None:
                continue
            value_start = start + operand.end()
            value = _unwrapped(value[operand.end():])
        line, column = positions.where(step.offset + value_start)
        key = f"{name}({arguments[0]})" if arguments else name
        first = positions.line(used_before[0].offset)
        found.append(Definition(key, value.strip(), f"defined at line "
                                f"{positions.line(step.offset)}, used before it (line {first})",
                                line, column))
    return found


_DERIVATIVE_BY = re.compile(r"\s*\\frac\s*\{\s*(?:\\partial|d)\s*\}\s*\{[^{}]*\}\s*")
"""``\\frac{\\partial}{\\partial p_j}`` before the formula it differentiates."""


def _unwrapped(formula: str) -> str:
    """A formula without the line break after it and the one bracket pair around it."""
    formula = re.sub(r"(\\\\|\s)+$", "", formula)
    match = re.fullmatch(r"\s*\\left\s*\((.*)\\right\s*\)\s*", formula, re.S)
    if match is None:
        return formula
    depth = 0
    for char in match.group(1):  # (a)(b) is two bracket pairs, not one around all
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return formula
    return match.group(1) if depth == 0 else formula


def _differentiates(expr: sp.Expr, name: str) -> bool:
    for node in expr.atoms(sp.Derivative):
        inner = node.expr
        if isinstance(inner, sp.Symbol) and inner.name == name:
            return True
        if isinstance(inner, AppliedUndef) and inner.func.__name__ == name:
            return True
    return any(f.func.__name__ == name for s in expr.atoms(sp.Subs)
               for f in s.atoms(AppliedUndef))


# ---- claims -------------------------------------------------------------------------------------


def _claims(steps: Sequence[_Step], positions: _Positions, labels: dict[int, str],
            cases: dict[int, list[str]], context: Context) -> list[Claim]:
    """The steps as claims: ids by line (``L12``, then ``L12b`` for a second step starting on
    line 12), positions in the document, the case a display is under, and where a
    continuation's chain comes from when it is not the line before: after inline math, the
    last display; in the second case of two (``If $i = j$ … and if $i \\neq j$ …``), the
    display before the cases."""
    claims: list[Claim] = []
    seen: dict[int, int] = {}
    last_display: _Step | None = None  # the last step of a display
    before_cases: _Step | None = None  # the last step of a display under no case
    previous: _Step | None = None
    for step in steps:
        line, column = positions.where(step.offset)
        seen[line] = seen.get(line, 0) + 1
        suffix = "" if seen[line] == 1 else chr(ord("a") + min(seen[line], 26) - 1)
        display = step.line.display
        lhs = step.lhs
        if step.continues and not display.inline and previous is not None:
            if previous.line.display.inline and last_display is not None:
                lhs = _last_side(last_display, context)
            elif display.number in cases and previous.line.display.number in cases and \
                    previous.line.display.number != display.number and \
                    before_cases is not None:
                lhs = _last_side(before_cases, context)
        claims.append(Claim(
            id=f"L{line}{suffix}",
            label=_shortened(labels.get(display.number, "")) if step.line.index == 0 else "",
            words=labels.get(display.number, ""),
            latex=step.latex, expect=None,
            line=line, column=column, define=step.define, lhs=lhs, note=step.note,
            assume=tuple(cases.get(display.number, ())),
            kind="definition" if step.define else step.kind,
        ))
        previous = step
        if not display.inline:
            last_display = step
            if display.number not in cases:
                before_cases = step
    return claims


_ENTRY_NAME = r"(\\?[A-Za-z]+)\s*_\s*\{?\s*([a-z])\s*\}?"
_MIXED = re.compile(r"\\partial\s*" + _ENTRY_NAME + r"\s*(?:\\[,;!]\s*)?\\partial\s*" + _ENTRY_NAME)
"""``\\partial w_j \\, \\partial w_k``: a mixed derivative by two entries of one name."""
_SQUARED = re.compile(r"\\partial\s*" + _ENTRY_NAME + r"\s*\^\s*\{?\s*2")
"""``\\partial w_j^2``: the second derivative by one entry."""


def _distinct_mixed_letters(claims: list[Claim], facts: _Facts) -> list[Claim]:
    """A mixed derivative by w_j and w_k where the document writes the second derivative by
    w_j apart (∂²f/∂w_j²): the two letters name different entries, so the claim is read for
    j ≠ k (an assumption, said; the case j = k is the other claim)."""
    squared = {m.group(1) for claim in claims for m in _SQUARED.finditer(claim.latex)}
    found = []
    for claim in claims:
        relations = top_relations(claim.latex)
        left = claim.latex[:relations[0].start()] if relations else ""
        mixed = _MIXED.search(left)
        if mixed is None or mixed.group(1) != mixed.group(3) or mixed.group(1) not in squared:
            found.append(claim)
            continue
        first, second = mixed.group(2), mixed.group(4)
        if first == second or not {first, second} <= set(facts.indices):
            found.append(claim)
            continue
        condition = f"{first} \\neq {second}"
        facts.said.append(f"line {claim.line}: the derivative by {_pretty(mixed.group(1))}_{first} "
                          f"and {_pretty(mixed.group(1))}_{second} is read for {first} ≠ "
                          f"{second}: the document writes the case {first} = {second} apart")
        found.append(replace(claim, assume=(*claim.assume, condition)))
    return found


_CROSS_ENTROPY = re.compile(
    r"\\sum\s*_\s*\{?\s*([a-z])\s*\}?(?:\s*\^\s*(?:\{[^{}]*\}|\w))?\s*(?:\\left\s*)?[\[(]?\s*"
    r"((?:\\hat\s*\{?\s*)?\\?[A-Za-z]+\}?)\s*_\s*\{?\s*\1\s*\}?\s*(?:\\cdot\s*)?"
    r"\\(?:log|ln)(?![A-Za-z])")
"""``\\sum_k y_k \\log p_k``: a cross-entropy, the targets y_k weighting the logs."""
_SOFTMAX = re.compile(r"softmax|\\frac\s*\{\s*e\s*\^\s*\{?\s*[A-Za-z]+\s*_\s*\{?\s*[a-z]\s*\}?"
                      r"\s*\}?\s*\}\s*\{\s*\\sum|\\frac\s*\{\s*\\exp\s*\(\s*[A-Za-z]+\s*_\s*\{?\s*[a-z]"
                      r"\s*\}?\s*\)\s*\}\s*\{\s*\\sum", re.IGNORECASE)
"""``\\mathrm{softmax}``, ``\\frac{e^{o_i}}{\\sum_k e^{o_k}}``: a softmax."""


def _cross_entropy_targets(claims: list[Claim], facts: _Facts) -> list[Claim]:
    """A cross-entropy −Σ_k y_k log p_k of a softmax: its targets y_k are a distribution
    (one-hot labels), so a claim that writes them is checked assuming Σ_k y_k = 1 where it
    fails without it (then `conditional`, the assumption named). Said."""
    written = "\n".join(claim.latex for claim in claims)
    found = _CROSS_ENTROPY.search(written)
    if found is None or not _SOFTMAX.search(written):
        return claims
    index, target = found.group(1), found.group(2)
    if index not in facts.indices or target in facts.functions:
        return claims
    entry = re.compile(re.escape(target) + r"\s*_\s*\{?\s*[a-z]")
    condition = f"\\sum_{{{index}}} {target}_{{{index}}} = 1"
    plain = re.sub(r"\\hat\s*\{?|\}", "", target)
    shown = f"Σ_{index} {_pretty(plain)}_{index} = 1"
    facts.said.append(f"{shown} where a step needs it: the targets of the cross-entropy of a "
                      "softmax are a distribution (one-hot labels); the steps that need it "
                      "hold only under it")
    return [replace(claim, assume=(*claim.assume, condition)) if entry.search(claim.latex)
            else claim for claim in claims]


def _last_side(step: _Step, context: Context) -> str | None:
    """The LaTeX of a step's last side, when the reader reads it."""
    from derive.read.latex import parse_expression

    relations = top_relations(step.latex)
    if not relations:
        return None
    side = _BREAKS.sub("", step.latex[relations[-1].end():]).strip().rstrip(".,;").strip()
    if not side:
        return None
    try:
        parse_expression(side, context)
    except Exception:  # the reader refuses it: the chain is left to the checker
        return None
    return side


_OPENERS = {"$$": 2, "\\[": 2, "$": 1, "\\(": 2}

_CASE = re.compile(r"\s*([A-Za-z]'?)\s*(=|\\neq?(?![A-Za-z])|≠|\\ne(?![A-Za-z]))\s*"
                   r"([A-Za-z]'?|[0-9]+)\s*[.,;:]?\s*")
_CASE_WORD = re.compile(r"(?:^|\W)(?:if|when|for|case(?:\s*(?:[0-9]{1,2}|[a-z]|\([a-z0-9]{1,3}\))"
                        r"\s*[:.)]?)?)\s*$", re.IGNORECASE)


def _cases(text: str, found: list[Display]) -> dict[int, str]:
    """Displays the prose puts under a case (``If $i = k$,`` or ``when $i \\neq j$:`` just
    before them): display number → the condition, which its steps assume."""
    cases: dict[int, str] = {}
    for k, display in enumerate(found):
        case = _CASE.fullmatch(text, display.start, display.end)
        if not display.inline or case is None:
            continue
        if not _after_case_word(text, display):
            continue
        relation = "=" if case.group(2) == "=" else "\\neq"
        previous = display
        for following in (d for d in found[k + 1:] if _stands_alone(text, d)):
            between = text[previous.end + _OPENERS.get(previous.kind, 0):
                           following.start - _OPENERS.get(following.kind, 0)]
            # "If $i = k$, then we have" and no more, or the rest of the case's sentence
            # ("When $i=k$, using … $\frac{…}{…} = \frac{1}{x}$ and …, we get:"); then the
            # displays that follow it with no words between them
            if (previous is display and not _one_sentence(between)) or \
                    (previous is not display and between.strip()):
                break
            cases[following.number] = f"{case.group(1)} {relation} {case.group(3)}"
            previous = following
    for k, display in enumerate(found):
        if display.inline or display.number in cases:
            continue
        opening = display.start - _OPENERS.get(display.kind, 0)
        before = found[k - 1].end + _OPENERS.get(found[k - 1].kind, 0) if k else 0
        said = _CASE_IN_WORDS.search(text[max(before, opening - 80):opening])
        if said is not None:  # "1. When i = k: $$…$$", the case in plain words
            relation = "=" if said.group(2) == "=" else "\\neq"
            cases[display.number] = f"{said.group(1)} {relation} {said.group(3)}"
    return cases


def _one_sentence(text: str) -> bool:
    """Words that go on with a sentence up to a display: short, or with no full stop, no
    other mark that ends a sentence and no blank line outside their inline math."""
    words = re.sub(r"\$[^$]*\$", " ", text).strip()
    if len(words) <= 40:
        return True
    return len(words) <= 400 and re.search(r"\n\s*\n|[.!?](?:\s|$)", words) is None


_CASE_IN_WORDS = re.compile(
    r"(?:^|\W)(?:if|when|for|case)\s+([a-z])\s*(=|\\neq?(?![A-Za-z])|≠|!=)\s*([a-z]|[0-9]+)"
    r"\s*[:,.]?(?:\s+[^=$\n]{0,60})?$", re.IGNORECASE)
"""A case said in words, not in math, just before a display (``When i = k:``, ``If i \\neq
j,``), or a few words before it (``Case i ≠ j. The numerator's derivative is zero, so``)."""


def _stands_alone(text: str, display: Display) -> bool:
    """A display, or inline math written alone on its line (a display in all but name)."""
    if not display.inline:
        return True
    opening = display.start - _OPENERS.get(display.kind, 0)
    closing = display.end + _OPENERS.get(display.kind, 0)
    line_start = text.rfind("\n", 0, opening) + 1
    line_end = text.find("\n", closing)
    after = text[closing:] if line_end < 0 else text[closing:line_end]
    return not text[line_start:opening].strip() and not after.strip(" \t.,;:")


_PREMISE_BEFORE = re.compile(r"(?:^|\W)(?:given|assuming|assume|suppose)(?:\s+that)?\s*$",
                             re.IGNORECASE)
_PREMISE_AFTER = re.compile(r"\s*[,;:]?\s*(?:because|since)\b", re.IGNORECASE)
_DERIVATIVE_WORDS = re.compile(r"\\partial|\\nabla|\\frac\s*\{\s*d|'|\\prime|\bd[a-zA-Z]")


def _premise(text: str, display: Display) -> str | None:
    """Inline math the prose states as a fact: an equation just after "given (that)",
    "assuming (that)", "assume (that)" or "suppose (that)" is a fact for the display after it
    ("after"); one just before its reason in words, "because" or "since"
    (``$\\sum_i y_i = 1$ because y is one-hot``), for the display before it ("before"); None
    for any other math ("since $a + a = 2a$, we have" states a claim). It is not a
    claim: the display is checked under it (its steps hold ``conditional`` when they need
    it). An equation with a derivative is a claim, whatever the words around it."""
    if not display.inline:
        return None
    latex = text[display.start:display.end]
    if len(top_relations(latex, _EQUATIONS)) != 1 or _DERIVATIVE_WORDS.search(latex):
        return None
    opening = display.start - _OPENERS.get(display.kind, 0)
    closing = display.end + _OPENERS.get(display.kind, 0)
    if _PREMISE_BEFORE.search(text[max(0, opening - 24):opening]) is not None:
        return "after"
    if _PREMISE_AFTER.match(text, closing) is not None:
        return "before"
    return None


def _premises(text: str, found: list[Display], positions: _Positions,
              facts: _Facts) -> Iterator[tuple[int, str]]:
    """The display each stated fact (see ``_premise``) is assumed in; each fact said in the
    report."""
    for k, display in enumerate(found):
        side = _premise(text, display)
        if side is None:
            continue
        premise = " ".join(text[display.start:display.end].split()).rstrip(".,;")
        if side == "before":
            neighbour = next((d for d in reversed(found[:k]) if not d.inline), None)
        else:
            neighbour = next((d for d in found[k + 1:] if not d.inline), None)
        if neighbour is None:
            continue
        yield neighbour.number, premise
        facts.said.append(f"{premise} where a step needs it: the document states it "
                          f"(line {positions.line(display.start)}), and the steps that need it "
                          "hold only under it")


def _labels(text: str, found: list[Display]) -> dict[int, str]:
    """The document's words just before each display (the sentence that introduces it, such
    as "By the chain rule:"), by display number."""
    labels: dict[int, str] = {}
    previous_end = 0
    for display in found:
        opening = display.start - _OPENERS.get(display.kind, 0)
        line_start = text.rfind("\n", 0, opening) + 1
        before = text[max(line_start, previous_end):opening]
        if not before.strip() and line_start > previous_end:
            earlier = text[previous_end:line_start].rstrip().rsplit("\n", 1)[-1]
            before = earlier if earlier.strip() and not re.search(
                r"\$\$|\\\]|\\end\s*\{|```|~~~", earlier) else ""
        label = _cleaned(before)
        if label:
            labels[display.number] = label
        if _stands_alone(text, display):  # other inline math is part of the prose
            previous_end = display.end + (2 if display.kind in ("$$", "\\[") else 0)
    return labels


def _cleaned(prose: str) -> str:
    """Prose as the words before a step: Markdown marks dropped, the last sentence."""
    text = re.sub(r"^[ \t]*(?:#{1,6}|>|[-*+•]|\d{1,3}[.)])[ \t]+", "", prose.strip())
    text = re.sub(r"\*\*|__|`|\[\.\.\.\]|\[…\]", "", text)
    text = " ".join(text.split())
    parts = [p for p in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if p.strip()]
    text = parts[-1] if parts else ""
    return text if re.search(r"[A-Za-z]{2,}", text) else ""


def _shortened(text: str) -> str:
    """Words as a label: at most 80 characters, the end kept."""
    if len(text) > 80:
        cut = text[-79:]
        text = "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    return text
