r"""The notation of posts: what people write around and between their formulas.

Posted derivations carry a sentence's punctuation after a formula, their own macros, boxes
and braces around a result, and words between two equations. Before a text is parsed, this
module rewrites what it can read with certainty and records each such reading as a note
("'.' after the formula read as the end of a sentence"), which the reader reports with the
line's relation (``Relation.readings``). Every rewrite keeps a map from the text parsed to the
text as given, so that an error still points into what was written.

Two passes:

- on the text: typographic characters (``’``, ``−``, ``–``, ``∗``), Unicode Greek letters,
  accented letters, signs and scripts (``σ``, ``ŷ``, ``≠``, ``∑``, ``Z²``, ``Wᵀ``, ``x₁``) as
  their LaTeX, plain TeX's fonts on one letter (``{\cal C}``), a post's own macros
  (``\newcommand``, ``\def``, ``\DeclareMathOperator``: expanded textually, at most
  ``MAX_EXPANSIONS`` times and never past ``MAX_LENGTH`` characters; nothing is executed),
  ``\boxed{…}``, ``\underbrace{…}_{…}``, ``\overbrace{…}^{…}``, the null delimiters
  ``\left.``/``\right.``, ``\stackrel{…}{=}``;
- on its tokens: a full stop or comma that ends a formula, a full stop between two factors
  (a product; not after a number: ``x = 1. y = 2``), a range remark after an equation
  (``,\quad i=1,\dots,n``), a comma or a ``\Rightarrow`` between two equations (a break
  between two claims; the reader refuses it next to a condition, a definition or a step of
  solving), a ``\Rightarrow`` before a line, a clause after an upright ``where`` (left out: a
  definition said in passing), ``:=``, ``\coloneqq``, ``\triangleq`` and ``\equiv`` (a
  definition: read as ``=``), ``dy/dx``, ``d/dx``, ``∂BCE/∂a`` written inline (a
  derivative), a rule named in brackets after the equation (``[\text{chain rule}]``: left
  out), the comma and full stop that end a case's row, and dots with a '+' on one side only.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from lark import Token
from lark.exceptions import LarkError

from derive.core.errors import ParseError

MAX_EXPANSIONS = 500
"""The most macro expansions one text may take (a macro that expands to itself stops here)."""
BREAK = "\ue000"
"""The line break the reader puts between two claims written on one line (the grammar reads
it as ``\\\\``); refused in the text as given."""

_TYPOGRAPHIC = {"’": "'", "′": "'", "−": "-", "∗": "*"}
"""Characters read as their ASCII form without a note: the same sign, typed otherwise."""
_DASHES = {"–": "-"}
"""Characters read as another sign, with a note."""
_GREEK_LETTERS = dict(zip(
    "αβγδϵεζηθϑικλμνξπρστυϕφχψωΓΔΘΛΞΠΣΥΦΨΩℓ",
    ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
     "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau",
     "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
     "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell"], strict=True))
_SIGNS = {"≠": "\\neq", "≤": "\\leq", "≥": "\\geq", "∑": "\\sum", "∞": "\\infty",
          "∈": "\\in", "⊙": "\\odot", "⇒": "\\Rightarrow", "⟹": "\\implies"}
"""Unicode letters and signs read as the LaTeX command typed otherwise (a space after it, so
that a letter that follows is not taken into the command's name)."""
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀ", "0123456789-+T", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙ", "0123456789ijkn", strict=True))
_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde", "\u0307": "dot",
            "\u0308": "ddot", "\u20d7": "vec"}
"""Combining accents over a letter (``ŷ``, ``x̄``, ``p̃``), read as the LaTeX accent."""
_SCRIPTS = re.compile(f"[{''.join(_SUPERSCRIPTS)}]+|[{''.join(_SUBSCRIPTS)}]+")


@dataclass
class Prepared:
    """A text rewritten for the parser: each character's offset in the text as given
    (``origin``, one more entry for the end), and the readings taken, by offset."""

    text: str
    origin: list[int]
    notes: list[tuple[int, str]] = field(default_factory=list)
    defining: list[int] = field(default_factory=list)
    """Offsets of the definition signs read as '=' (:=, \\coloneqq, \\triangleq, \\equiv)."""
    tokens: list[Token] | None = None
    """The tokens of ``text`` when the last pass lexed it and changed nothing."""
    breaks: list[tuple[int, str]] = field(default_factory=list)
    """Where a mark between two equations became a line break (``BREAK``), and the mark."""
    leading: list[tuple[int, str]] = field(default_factory=list)
    """Where a mark before a line (``\\Rightarrow``) was left out, and the mark."""
    primed_indices: dict[str, str] = field(default_factory=dict)
    """Letters standing for a primed index letter (``j'`` read as p, an index as j is)."""
    conditions: list[tuple[int, str]] = field(default_factory=list)
    r"""Where a line's own condition was taken out (``\quad x < 0``, ``, i = j``), and the
    condition's LaTeX."""

    def note(self, offset: int, reading: str) -> None:
        if (offset, reading) not in self.notes:
            self.notes.append((offset, reading))

    def edit(self, edits: list[tuple[int, int, str]]) -> None:
        """Replace each span [start, end) by its text; the new characters come from start.
        Notes and definition signs keep their place."""
        if not edits:
            return
        edits = sorted(edits)
        text, origin = self.text, self.origin
        pieces: list[str] = []
        mapped: list[int] = []
        shift: list[tuple[int, int]] = []  # (old offset, new offset) at each edit
        at = 0
        for start, end, replacement in edits:
            if start < at:
                continue  # overlapping edits: the first one wins
            pieces.append(text[at:start])
            mapped.extend(origin[at:start])
            shift.append((start, sum(len(p) for p in pieces)))
            pieces.append(replacement)
            mapped.extend([origin[start]] * len(replacement))
            at = end
        pieces.append(text[at:])
        mapped.extend(origin[at:])
        new_text = "".join(pieces)

        def moved(offset: int) -> int:
            new = offset
            for old, start in shift:
                if offset >= old:
                    new = start + (offset - old)
            return max(0, min(new, len(new_text)))

        self.notes = [(moved(offset), said) for offset, said in self.notes]
        self.defining = [moved(offset) for offset in self.defining]
        self.breaks = [(moved(offset), mark) for offset, mark in self.breaks]
        self.leading = [(moved(offset), mark) for offset, mark in self.leading]
        self.conditions = [(moved(offset), said) for offset, said in self.conditions]
        self.text = new_text
        self.origin = [*mapped, origin[-1]]


class _Refused(Exception):
    """A rewrite that cannot be made: becomes a ParseError at an offset of the text."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def prepare(text: str, lex: Callable[[str], Iterator[Token]], source: str = "<input>", *,
            d_is_symbol: bool = False, macros: str = "",
            indices: frozenset[str] = frozenset()) -> Prepared:
    """The text rewritten for the parser, with the readings taken (see the module's
    docstring). ``lex`` lexes a text (the reader's lexer); ``d_is_symbol``: the context
    declares ``d``, so ``dy/dx`` is not rewritten. A macro that cannot be expanded is a
    ``ParseError`` at its place in ``text``. ``macros``: the definitions the document made
    before this text (``\\def\\p#1#2{…}`` in an earlier display), in force here too."""
    prepared = Prepared(text, list(range(len(text) + 1)))
    try:
        _characters(prepared)
        _macros(prepared, lex, _inherited(macros, lex) if macros else {})
    except _Refused as error:
        offset = prepared.origin[max(0, min(error.offset, len(prepared.text)))]
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise ParseError(error.message, text=text, line=line, column=column,
                         source=source) from None
    _old_fonts(prepared)
    _wrappers(prepared)
    _over(prepared)
    _primed_indices(prepared, indices)
    _tokens(prepared, lex, d_is_symbol)
    return prepared


# ---- characters ----------------------------------------------------------------------------


def _characters(prepared: Prepared) -> None:
    if BREAK in prepared.text:
        raise _Refused(f"character U+{ord(BREAK):04X} is not allowed",
                       prepared.text.index(BREAK))
    edits = []
    for run in _SCRIPTS.finditer(prepared.text):  # s², x⁻¹, Wᵀ, x₁₂: one script each run
        written = run.group()
        if written[0] in _SUPERSCRIPTS:
            edits.append((run.start(), run.end(),
                          "^{" + "".join(_SUPERSCRIPTS[c] for c in written) + "}"))
        else:
            edits.append((run.start(), run.end(),
                          "_{" + "".join(_SUBSCRIPTS[c] for c in written) + "}"))
    edits.extend(_accented_letters(prepared.text))
    for offset, character in enumerate(prepared.text):
        if character in _TYPOGRAPHIC:
            edits.append((offset, offset + 1, _TYPOGRAPHIC[character]))
        elif character == "Σ" and prepared.text.startswith("_", offset + 1):
            edits.append((offset, offset + 1, "\\sum "))  # Σ_j exp(z_j): the sum sign
            prepared.note(offset, "'Σ' with a subscript read as the sum sign \\sum")
        elif character in _GREEK_LETTERS:
            edits.append((offset, offset + 1, f"\\{_GREEK_LETTERS[character]} "))
        elif character in _SIGNS:
            edits.append((offset, offset + 1, f"{_SIGNS[character]} "))
        elif character in _DASHES:
            edits.append((offset, offset + 1, _DASHES[character]))
            prepared.note(offset, f"'{character}' read as a minus sign")
    prepared.edit(edits)


def _accented_letters(text: str) -> list[tuple[int, int, str]]:
    """``ŷ`` (one character, or y and a combining circumflex) as ``\\hat{y}``; likewise a
    bar, a tilde, a dot, two dots or an arrow over a Latin letter."""
    edits = []
    offset = 0
    while offset < len(text):
        parts = unicodedata.normalize("NFD", text[offset])
        end = offset + 1
        while end < len(text) and text[end] in _ACCENTS:
            parts += text[end]
            end += 1
        letter, marks = parts[0], parts[1:]
        if marks and letter.isascii() and letter.isalpha() and all(m in _ACCENTS for m in marks):
            written = letter
            for mark in marks:
                written = f"\\{_ACCENTS[mark]}{{{written}}}"
            edits.append((offset, end, written))
        offset = end
    return edits


# ---- macros --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Macro:
    name: str
    arguments: int
    body: str


_DEFINERS = re.compile(
    r"\\(?:(?P<new>(?:re)?newcommand|providecommand)\*?|(?P<def>[egx]?def)"
    r"|(?P<op>DeclareMathOperator)\*?)(?![A-Za-z])")
_CONTROL = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z])")


def _inherited(prelude: str, lex: Callable[[str], Iterator[Token]]) -> dict[str, _Macro]:
    """The macros an earlier part of the document defines; one that cannot be read is
    left out (it is refused where it is written)."""
    macros: dict[str, _Macro] = {}
    for match in _DEFINERS.finditer(prelude):
        try:
            macro, _ = _definition(prelude, match)
        except _Refused:
            continue
        if _redefinable(macro.name, lex):
            macros[macro.name] = macro
    return macros


def defined_macros(text: str) -> str:
    """The macro definitions a text makes (``\\newcommand``, ``\\def``, ...), as text: the
    prelude later texts of the same document are read with."""
    found = []
    for match in _DEFINERS.finditer(text):
        try:
            _, end = _definition(text, match)
        except _Refused:
            continue
        found.append(text[match.start():end])
    return "".join(found)


def _macros(prepared: Prepared, lex: Callable[[str], Iterator[Token]],
            inherited: Mapping[str, _Macro]) -> None:
    """Read a post's macro definitions out of the text and expand every use of them (and
    of those the document defined before it)."""
    text = prepared.text
    macros: dict[str, _Macro] = dict(inherited)
    removals: list[tuple[int, int, str]] = []
    for match in _DEFINERS.finditer(text):
        if any(start <= match.start() < end for start, end, _ in removals):
            continue
        macro, end = _definition(text, match)
        if not _redefinable(macro.name, lex):
            raise _Refused(f"cannot redefine '{macro.name}': the reader gives it a meaning",
                           match.start())
        macros[macro.name] = macro
        removals.append((match.start(), end, ""))
    if not macros:
        return
    prepared.edit(removals)
    expansions = 0
    cursor = 0
    pattern = re.compile("|".join(re.escape(name) + ("(?![A-Za-z])" if name[1:].isalpha()
                                                     else "")
                                  for name in sorted(macros, key=len, reverse=True)))
    from derive.read.screen import MAX_LENGTH

    while True:
        use = pattern.search(prepared.text, cursor)
        if use is None:
            break
        macro = macros[use.group()]
        expansions += 1
        if expansions > MAX_EXPANSIONS:
            raise _Refused(f"macros expand more than {MAX_EXPANSIONS} times", use.start())
        arguments, end = _arguments(prepared.text, use.end(), macro)
        body = _substituted(macro.body, arguments)
        prepared.edit([(use.start(), end, body)])
        if len(prepared.text) > MAX_LENGTH:
            raise _Refused(f"macros expand past {MAX_LENGTH} characters", use.start())
        prepared.note(use.start(),
                      f"{macro.name} read as the post's macro: {_shown(macro)}")
        cursor = use.start()  # the expansion is read again: a macro may use another


def _substituted(body: str, arguments: list[str]) -> str:
    """A macro's body with #1, #2, ... replaced by the arguments of one use, in one pass."""
    def argument(parameter: re.Match[str]) -> str:
        k = int(parameter.group(1))
        return arguments[k - 1] if k <= len(arguments) else parameter.group()

    return re.sub(r"#([1-9])", argument, body)


def _shown(macro: _Macro) -> str:
    body = " ".join(macro.body.split())
    return body if len(body) <= 60 else body[:57] + "..."


def _definition(text: str, match: re.Match[str]) -> tuple[_Macro, int]:
    """The macro a definition gives, and where the definition ends."""
    at = match.end()
    at = _skip_space(text, at)
    if match.group("def"):
        name = _CONTROL.match(text, at)
        if name is None:
            raise _Refused("expected the name of the macro after '\\def'", at)
        at = name.end()
        parameters = re.match(r"(#[1-9])*", text[at:])
        assert parameters is not None
        count = len(parameters.group()) // 2
        if parameters.group() != "".join(f"#{k}" for k in range(1, count + 1)):
            raise _Refused("a macro's parameters must be #1, #2, ... in order", at)
        at = _skip_space(text, at + len(parameters.group()))
        if at >= len(text) or text[at] != "{":
            raise _Refused("a macro's parameters are read only as #1#2... before its body "
                           "in braces", at)
        body, at = _group(text, at)
        return _Macro(name.group(), count, body), at
    # \newcommand{\name}[n]{body}, \newcommand\name{body}, \DeclareMathOperator{\name}{text}
    named: re.Match[str] | None
    if at < len(text) and text[at] == "{":
        inside, after = _group(text, at)
        named = _CONTROL.fullmatch(inside.strip())
        if named is None:
            raise _Refused("expected the name of the macro in braces", at)
        at = after
    else:
        named = _CONTROL.match(text, at)
        if named is None:
            raise _Refused("expected the name of the macro", at)
        at = named.end()
    count = 0
    at = _skip_space(text, at)
    if match.group("new"):
        count_match = re.match(r"\[\s*([0-9])\s*\]", text[at:])
        if count_match is not None:
            count = int(count_match.group(1))
            at = _skip_space(text, at + count_match.end())
        if at < len(text) and text[at] == "[":
            raise _Refused("a macro with an optional argument is not read", at)
    if at >= len(text) or text[at] != "{":
        raise _Refused("expected the body of the macro in braces", at)
    body, at = _group(text, at)
    if match.group("op"):
        body = rf"\operatorname{{{body}}}"
    return _Macro(named.group().strip(), count, body), at


def _redefinable(name: str, lex: Callable[[str], Iterator[Token]]) -> bool:
    """Only a command the reader does not know may be defined by a post."""
    try:
        tokens = list(lex(name))
    except LarkError:
        return True
    return len(tokens) == 1 and tokens[0].type in ("CS", "CSYM")


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _group(text: str, at: int) -> tuple[str, int]:
    """The content of the braced group at ``at`` and the offset after it."""
    depth = 0
    for k in range(at, len(text)):
        character = text[k]
        if character == "\\":
            continue
        if character == "{" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif character == "}" and (k == 0 or text[k - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[at + 1 : k], k + 1
    raise _Refused("unmatched '{'", at)


def _arguments(text: str, at: int, macro: _Macro) -> tuple[list[str], int]:
    """The arguments of one use of a macro: braced groups or single tokens."""
    arguments: list[str] = []
    for _ in range(macro.arguments):
        at = _skip_space(text, at)
        if at >= len(text):
            raise _Refused(f"{macro.name} takes {macro.arguments} arguments", at)
        if text[at] == "{":
            content, at = _group(text, at)
            arguments.append(content)
            continue
        control = _CONTROL.match(text, at)
        if control is not None:
            arguments.append(control.group())
            at = control.end()
        else:
            arguments.append(text[at])
            at += 1
    return arguments, at


# ---- wrappers ------------------------------------------------------------------------------

_WRAPPERS = re.compile(r"\\(boxed|underbrace|overbrace)\s*\{")
_NULL_DELIMITERS = re.compile(r"\\right\s*\.(?P<join>\s*(\\\\|\\cr(?![A-Za-z]))\s*&?\s*"
                              r"\\left\s*\.)?|\\left\s*\.")
_STACKED_EQUALS = re.compile(r"\\(stackrel|overset)\s*\{[^{}]*(\{[^{}]*\}[^{}]*)*\}\s*"
                             r"\{\s*=\s*\}")


_BRACED_FUNCTION = re.compile(r"\{\s*(\\(?:sin|cos|tan|sinh|cosh|tanh|sech|log|ln|exp))\s*\}"
                              r"(?=\s*\^)")
"""``{\\cosh}^{2} x``: a function's name in braces before its power, typeset as ``\\cosh^2 x``."""

_STYLED_SCRIPT = re.compile(r"\\(mathcal|mathbf|boldsymbol|bm|mathbb|mathscr)\s*\{\s*([A-Za-z])\s*"
                            r"_\s*(\{[^{}]*\}|[A-Za-z0-9])\s*\}")
"""``\\mathcal{L_1}``: a styled letter with its subscript inside the braces, the name
``\\mathcal{L}_1``."""

_COLORS = re.compile(r"\\(?:color|textcolor)\s*\{\s*[A-Za-z]+\s*\}")
"""``\\color{red}{…}``, ``\\textcolor{blue}{…}``: a colour, left out (the braces stay a group)."""

_BOLD_PRODUCT = re.compile(r"\\(textbf|mathbf|boldsymbol|bm)\s*\{\s*"
                           r"([A-Z][a-z]|[a-z][A-Z]|[A-Z][a-z][a-z]|[A-Z][A-Z][a-z])\s*\}")
"""``\\textbf{Xw}``: bold letters of both cases, a product of bold names (X w)."""

_LEADING_IF = re.compile(r"\A\s*(if|If)(?=\s*(\\[;,:! ]|\\quad|\\qquad|~)|\s+\S)")
"""``if\\; y = …, \\mathrm{then}\\; …``: the word 'if' typed in math before a hypothesis."""


def _wrappers(prepared: Prepared) -> None:
    """``\\boxed{X}`` and ``\\underbrace{X}_{label}`` read as X; null delimiters left out."""
    text = prepared.text
    edits: list[tuple[int, int, str]] = []
    leading = _LEADING_IF.match(text)
    if leading is not None:
        edits.append((leading.start(1), leading.end(1), "  "))
        prepared.note(leading.start(1), "'if' before the first equation read as a word, "
                                        "not a product i·f")
    for match in _WRAPPERS.finditer(text):
        open_at = match.end() - 1
        try:
            _, after = _group(text, open_at)
        except _Refused:
            continue  # the brackets are reported as such by the screen
        edits.append((match.start(), match.end(), " " * (match.end() - match.start())))
        edits.append((after - 1, after, " "))
        kind = match.group(1)
        if kind == "boxed":
            prepared.note(match.start(), "\\boxed{…} read as its content")
            continue
        mark = "_" if kind == "underbrace" else "^"
        label_at = _skip_space(text, after)
        if label_at < len(text) and text[label_at] == mark:
            end = _skip_space(text, label_at + 1)
            if end < len(text) and text[end] == "{":
                try:
                    _, end = _group(text, end)
                except _Refused:
                    continue
            else:
                end = min(end + 1, len(text))
            edits.append((label_at, end, " " * (end - label_at)))
        prepared.note(match.start(), f"\\{kind}{{…}} read as its content (its label left out)")
    for match in _BOLD_PRODUCT.finditer(text):
        style, letters = match.groups()
        product = "".join(f"\\{style}{{{letter}}}" for letter in letters)
        edits.append((match.start(), match.end(), product))
        prepared.note(match.start(), f"'{_squeezed(match.group())}' read as the product {product}")
    for match in _COLORS.finditer(text):
        edits.append((match.start(), match.end(), " " * (match.end() - match.start())))
        prepared.note(match.start(), f"'{_squeezed(match.group())}' left out (a colour)")
    for match in _STYLED_SCRIPT.finditer(text):
        style, letter, script = match.groups()
        moved = f"\\{style}{{{letter}}}_{script}"
        edits.append((match.start(), match.end(), moved.ljust(match.end() - match.start())))
        prepared.note(match.start(), f"'{_squeezed(match.group())}' read as {moved}")
    for match in _BRACED_FUNCTION.finditer(text):
        edits.append((match.start(), match.end(), match.group(1).ljust(len(match.group()))))
        prepared.note(match.start(), f"'{_squeezed(match.group())}' read as {match.group(1)}")
    for match in _NULL_DELIMITERS.finditer(text):
        edits.append((match.start(), match.end(), " " * (match.end() - match.start())))
        if match.group("join"):
            prepared.note(match.start(), "a bracket broken across lines with \\right. and "
                                         "\\left. read as one line")
        else:
            prepared.note(match.start(), "the null delimiter "
                                         f"'{' '.join(match.group().split())}' left out")
    for match in _STACKED_EQUALS.finditer(text):
        edits.append((match.start(), match.end(), "=" + " " * (match.end() - match.start() - 1)))
        prepared.defining.append(match.start())
        prepared.note(match.start(), f"'{_squeezed(match.group())}' read as '=' (a definition)")
    prepared.edit(edits)


_OVER = re.compile(r"\\over(?![A-Za-z])")
_GROUP_MARKS = re.compile(r"\\left(?![A-Za-z])|\\right(?![A-Za-z])|\\[{}]|[{}]|\\\\|[=&]")


def _over(prepared: Prepared) -> None:
    """Plain TeX's ``1 \\over \\cosh^2 x`` read as ``\\frac{1}{\\cosh^2 x}``: what is before
    and after it in its group (braces, \\left…\\right, or at the top between '=', '&' and
    line breaks). A group with two of them is left as it is (TeX refuses it too)."""
    text = prepared.text
    overs = list(_OVER.finditer(text))
    if not overs:
        return
    marks = list(_GROUP_MARKS.finditer(text))
    edits: list[tuple[int, int, str]] = []
    for over in overs:
        start = _group_edge(text, marks, over.start(), -1)
        end = _group_edge(text, marks, over.end(), 1)
        if any(start <= other.start() < end for other in overs if other is not over):
            continue
        if _bare_group(text, start, end):  # {\partial \over \partial x} x²: the braces go
            edits += [(start - 1, start, "\\frac{"), (over.start(), over.end(), "}{"),
                      (end, end + 1, "}")]
        else:
            edits += [(start, start, "\\frac{"), (over.start(), over.end(), "}{"),
                      (end, end, "}")]
        numerator, denominator = text[start : over.start()], text[over.end() : end]
        prepared.note(over.start(), f"'{_short_text(numerator.strip())} \\over "
                                    f"{_short_text(denominator.strip())}' read as a fraction")
    prepared.edit(edits)


_TAKES_GROUP = re.compile(r"(\\[A-Za-z]+|[_^}\\])\s*$")


def _bare_group(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is the inside of braces that only group it (``{a \\over b}``
    as a term), not an argument or a script (``\\sqrt{…}``, ``x^{…}``, ``\\frac{…}{…}``)."""
    return start >= 1 and end < len(text) and text[start - 1] == "{" and \
        text[end] == "}" and _TAKES_GROUP.search(text[: start - 1]) is None


_OLD_FONTS = {"cal": "mathcal", "bf": "mathbf", "it": "mathit", "sf": "mathsf", "tt": "mathtt"}
_OLD_FONT = re.compile(r"\{\s*\\(cal|bf|it|sf|tt)\s+([A-Za-z])\s*\}|"
                       r"\\(cal|bf)\s*([A-Za-z])(?![A-Za-z])")


def _old_fonts(prepared: Prepared) -> None:
    """Plain TeX's font switches on one letter, ``{\\cal C}``, ``{\\bf x}``, ``\\cal C``,
    read as ``\\mathcal{C}``, ``\\mathbf{x}``; said."""
    edits: list[tuple[int, int, str]] = []
    for found in _OLD_FONT.finditer(prepared.text):
        font = found.group(1) or found.group(3)
        letter = found.group(2) or found.group(4)
        command = f"\\{_OLD_FONTS[font]}{{{letter}}}"
        edits.append((found.start(), found.end(), command))
        prepared.note(found.start(), f"'{' '.join(found.group().split())}' read as {command}")
    prepared.edit(edits)


_SCRIPT_GROUP = re.compile(r"[_^]\s*\{([^{}]*)\}")
_PRIMED_LETTERS = re.compile(r"(?<![\\A-Za-z])([a-z]+)\s*'")


def _primed_indices(prepared: Prepared, indices: frozenset[str]) -> None:
    """``\\sum_{j'} e^{z_{j'}}``, ``A^{ij'}``: an index letter with a prime inside a script
    is an index of its own, running as the letter does; it is written as a fresh letter
    (``primed_indices`` says which), and said."""
    text = prepared.text
    primes = [(group.start(1) + m.start(1) + len(m.group(1)) - 1, group.start(1) + m.end(),
               m.group(1)[-1]) for group in _SCRIPT_GROUP.finditer(text)
              for m in _PRIMED_LETTERS.finditer(group.group(1))
              if set(m.group(1)) <= indices]  # A^{ij'}: index letters, the last one primed
    found = {letter for _, _, letter in primes}
    if not found:
        return
    edits: list[tuple[int, int, str]] = []
    fresh = iter(c for c in "pqrsuvwfgh" if c not in text and c not in indices)
    for letter in sorted(found):
        new = next(fresh, None)
        if new is None:
            return
        prepared.primed_indices[new] = letter
        edits += [(start, end, new.ljust(end - start)) for start, end, written in primes
                  if written == letter]
        at = text.find(f"{letter}'")
        prepared.note(max(at, 0), f"{letter}' read as an index of its own, {new}, running as "
                                  f"{letter} does")
    prepared.edit(edits)


def _group_edge(text: str, marks: list[re.Match[str]], at: int, step: int) -> int:
    """Where the group around ``at`` begins (step -1: the offset after its opening mark) or
    ends (step 1: the offset of its closing mark)."""
    depth = 0
    ordered = [m for m in marks if m.start() < at] if step < 0 else \
        [m for m in marks if m.start() >= at]
    for mark in reversed(ordered) if step < 0 else ordered:
        word = mark.group()
        opens, closes = word in ("{", "\\left"), word in ("}", "\\right")
        if (opens and step > 0) or (closes and step < 0):
            depth += 1
        elif opens or closes:
            if depth == 0:
                return _after_delimiter(text, mark.end()) if word == "\\left" else \
                    mark.end() if step < 0 else mark.start()
            depth -= 1
        elif depth == 0 and word in ("=", "&", "\\\\"):
            return mark.end() if step < 0 else mark.start()
    return 0 if step < 0 else len(text)


def _after_delimiter(text: str, at: int) -> int:
    """The offset after the delimiter that ``\\left`` (ending at ``at``) takes."""
    at = _skip_space(text, at)
    word = re.match(r"\\[A-Za-z]+|\\?.", text[at:], re.S)
    return at + (word.end() if word else 0)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _short_text(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- tokens --------------------------------------------------------------------------------

_LINE_ENDS = frozenset({"LINEBREAK", "END", "DOLLAR", "TAG", "QUADTAG", "CASES_END",
                        "MATRIX_END"})
_OPEN = frozenset({"LPAR", "LSQ", "LCURLY", "LEFT_PAR", "LEFT_SQ", "LEFT_CURLY", "LBRACE",
                   "ABS_OPEN", "NORM_OPEN", "CASES_BEGIN", "MATRIX_BEGIN"})
_CLOSE = frozenset({"RPAR", "RSQ", "RCURLY", "RIGHT_PAR", "RIGHT_SQ", "RIGHT_CURLY", "RBRACE",
                    "ABS_CLOSE", "NORM_CLOSE", "CASES_END", "MATRIX_END"})
_ENDS_OPERAND = frozenset({
    "LETTER", "NUMBER", "GREEK", "INFTY", "UPRIGHT", "FRAC_DIGITS", "PRIME", "TOP", "RBRACE",
    "RPAR", "RSQ", "RCURLY", "RIGHT_PAR", "RIGHT_SQ", "RIGHT_CURLY", "ABS_CLOSE", "NORM_CLOSE",
    "MATRIX_END",
})
_STARTS_OPERAND = frozenset({
    "LETTER", "NUMBER", "GREEK", "INFTY", "PARTIAL", "FUNC", "UPRIGHT", "FRAC_DIGITS", "FRAC",
    "SUM", "ACCENT", "BOLD", "LPAR", "LSQ", "LCURLY", "LEFT_PAR", "LEFT_SQ", "LEFT_CURLY",
    "ABS_OPEN", "NORM_OPEN", "SQRT", "LBRACE", "MATRIX_BEGIN", "NABLA",
})
LEADING_MARK_LEFT_OUT = "before the line left out"
"""The reading said of a line that a left-out ``\\Rightarrow`` or ``\\implies`` begins."""

_CLAIM_BREAKS = frozenset({r"\Rightarrow", r"\implies", r"\Longrightarrow", r"\therefore",
                           r"\because",
                           r"\iff", r"\Leftrightarrow", r"\Longleftrightarrow", r"\hence"})
_DEFINITION_SIGNS = frozenset({r"\coloneqq", r"\triangleq", r"\equiv", r"\eqqcolon",
                               r"\doteq", r"\coloneq", r"\eqdef"})
_CONNECTIVES = frozenset({"where", "with", "and", "since", "so", "thus", "hence", "then",
                          "therefore", "or", "i.e.", "ie"})
_MARKS = frozenset({"PERIOD", "COMMA", "RELATION", "CS", "COLON", "PROSE", "EQ"})
"""The tokens the line pass looks at (every other token only moves it on)."""


def _tokens(prepared: Prepared, lex: Callable[[str], Iterator[Token]],
            d_is_symbol: bool) -> None:
    """The readings decided on the tokens: punctuation, definition signs, claim breaks."""
    try:
        tokens = list(lex(prepared.text))
    except LarkError:
        return  # the screen reports the character the lexer stopped at
    if not tokens:
        return
    text = prepared.text
    edits: list[tuple[int, int, str]] = []
    lines = _split_lines(tokens)
    for line in lines:
        _line_tokens(prepared, text, line, edits)
    if not d_is_symbol:
        _inline_derivatives(prepared, text, tokens, edits)
    _one_sided_dots(prepared, tokens, edits)
    prepared.edit(edits)
    prepared.tokens = None if edits else tokens


_Line = list[tuple[Token, int, Token | None, Token | None]]


def _split_lines(tokens: list[Token]) -> list[_Line]:
    """The tokens of each line, with their bracket depth in the line and their neighbours.
    A line ends at a line break, an environment's begin or end, a '$', the braces of
    ``\\eqalign{...}`` or the end of the text."""
    lines: list[_Line] = [[]]
    depth = 0
    layout: list[bool] = []  # for each open brace: is it \eqalign's (a layout brace)?
    for k, token in enumerate(tokens):
        previous = tokens[k - 1] if k else None
        following = tokens[k + 1] if k + 1 < len(tokens) else None
        kind = token.type
        if kind == "LBRACE" and previous is not None and previous.type == "EQALIGN":
            layout.append(True)
            lines.append([])
            continue
        if kind == "RBRACE" and layout and layout[-1]:
            layout.pop()
            lines.append([])
            continue
        if kind in _CLOSE:
            depth = max(0, depth - 1)
            if kind == "RBRACE" and layout:
                layout.pop()
        if kind in ("LINEBREAK", "BEGIN", "END", "DOLLAR", "EQALIGN") and depth == 0:
            lines.append([])
            continue
        lines[-1].append((token, depth, previous, following))
        if kind in _OPEN:
            depth += 1
            if kind == "LBRACE":
                layout.append(False)
    return [line for line in lines if line]


def _ends_line(token: Token | None) -> bool:
    """Whether the token after a mark ends the line it is on (or the text)."""
    return token is None or token.type in _LINE_ENDS or token.type in ("RBRACE", "TAG",
                                                                         "QUADTAG")


def _line_tokens(prepared: Prepared, text: str, line: _Line,
                 edits: list[tuple[int, int, str]]) -> None:
    line = _without_condition(prepared, text, line, edits)
    line = _without_bracketed_remark(prepared, text, line, edits)
    equals_before = False
    # for each place: is there an '=' at the line's own level after it? is only a tag after it?
    equals_after = [False] * (len(line) + 1)
    tag_only = [True] * (len(line) + 1)
    for k in range(len(line) - 1, -1, -1):
        token, depth = line[k][0], line[k][1]
        equals_after[k] = equals_after[k + 1] or (token.type == "EQ" and depth == 0)
        tag_only[k] = tag_only[k + 1] and token.type in ("TAG", "QUADTAG")
    for k, (token, depth, previous, following) in enumerate(line):
        kind = token.type
        if kind not in _MARKS:
            if kind == "EQ" and depth == 0:
                equals_before = True
            continue
        start, end = _start(token), _end(token)
        last = tag_only[k + 1]
        if kind == "EQ" and depth == 0:
            equals_before = True
        if kind == "PERIOD":
            if (last and _ends_line(following)) or (
                    following is not None and following.type in ("CASES_END", "LINEBREAK")):
                # "x, & \text{otherwise}. \end{cases}": the full stop ends a case's row
                edits.append((start, end, " "))
                prepared.note(start, "'.' after the formula read as the end of a sentence")
            elif previous is not None and previous.type in _ENDS_OPERAND and \
                    following is not None and following.type in _STARTS_OPERAND and \
                    previous.type != "NUMBER":  # x = 1. y = 2, 2 . 5: a sentence? a decimal?
                edits.append((start, end, "⋅"))
                prepared.note(start, "'.' between two factors read as a product")
            continue
        if kind == "COMMA" and depth > 0 and following is not None and \
                following.type in ("CASES_END", "LINEBREAK"):
            edits.append((start, end, " "))  # "\text{if } x < 0, \\": a case row's comma
            prepared.note(start, "',' at the end of a case read as punctuation")
            continue
        if kind == "COMMA" and depth == 0:
            if last and _ends_line(following):
                edits.append((start, end, " "))
                prepared.note(start, "',' after the formula read as punctuation")
                continue
            if not equals_before:
                continue
            rest = line[k + 1 :]
            remark = text[_start(rest[0][0]):_end(rest[-1][0])] if rest else ""
            if rest and _is_remark(rest):
                edits.append((start, _end(rest[-1][0]), " " * (_end(rest[-1][0]) - start)))
                prepared.note(start, f"the remark '{_squeezed(remark)}' after the equation "
                                     "left out")
                return
            if equals_after[k + 1]:
                edits.append((start, end, BREAK))
                prepared.breaks.append((start, ","))
                prepared.note(start, "',' between two equations read as a break between two "
                                     "claims")
                equals_before = False
            continue
        if kind in ("RELATION", "CS") and str(token) in _CLAIM_BREAKS and depth == 0:
            at_start = all(t.type == "AMP" for t, _, _, _ in line[:k])
            if k + 2 < len(line) and line[k + 1][0].type == "LBRACE" and \
                    line[k + 2][0].type == "RBRACE":
                end = _end(line[k + 2][0])  # \therefore{}: an empty group, nothing
            if at_start or k + 1 == len(line):
                edits.append((start, end, " " * (end - start)))
                prepared.leading.append((start, str(token)))
                prepared.note(start, f"'{token}' {LEADING_MARK_LEFT_OUT} (the line is a claim "
                                     "of its own)")
            else:
                edits.append((start, end, BREAK + " " * (end - start - 1)))
                prepared.breaks.append((start, str(token)))
                prepared.note(start, f"'{token}' read as a break between two claims")
                equals_before = False
            continue
        if kind in ("RELATION", "CS") and str(token) in _DEFINITION_SIGNS:
            edits.append((start, end, "=" + " " * (end - start - 1)))
            prepared.defining.append(start)
            prepared.note(start, f"'{token}' read as '=' (a definition)")
            if depth == 0:
                equals_before = True
            continue
        if kind == "COLON" and following is not None and following.type == "EQ" and \
                _start(following) == end:
            edits.append((start, end, " "))
            prepared.defining.append(start)
            prepared.note(start, "':=' read as '=' (a definition)")
            continue
        if kind == "PROSE" and depth == 0 and equals_before and _prose_word(token) in \
                _CONNECTIVES and equals_after[k + 1]:
            # "g = X^T(y - p) where p = σ(Xb)": the clause defines p in passing; it is no
            # claim of its own (p may have no other definition)
            clause_end = _end(line[-1][0])
            remainder = re.sub(r"\\([,;:!> ]|q?quad(?![A-Za-z]))", "", text[end:clause_end])
            clause = f"{_prose_word(token)} {_squeezed(remainder)}"
            edits.append((start, clause_end, " " * (clause_end - start)))
            prepared.note(start, f"the clause '{_short_text(clause)}' after the equation left "
                                 "out (a definition said in passing)")
            return


_REMARK_BRACKETS = {"LSQ": "RSQ", "LPAR": "RPAR", "LEFT_SQ": "RIGHT_SQ", "LEFT_PAR": "RIGHT_PAR"}


def _without_bracketed_remark(prepared: Prepared, text: str, line: _Line,
                              edits: list[tuple[int, int, str]]) -> _Line:
    """``… = x \\quad [\\text{chain rule}]``: words in brackets that end an equation name
    its rule; left out, said."""
    if len(line) < 4 or line[-1][0].type not in _REMARK_BRACKETS.values():
        return line
    opener = len(line) - 2
    while opener > 0 and line[opener][0].type == "PROSE":
        opener -= 1
    bracket = line[opener][0]
    if opener == len(line) - 2 or line[opener][1] != 0 or \
            _REMARK_BRACKETS.get(bracket.type) != line[-1][0].type or \
            not any(t.type == "EQ" and depth == 0 for t, depth, _, _ in line[:opener]):
        return line
    start, end = _start(bracket), _end(line[-1][0])
    edits.append((start, end, " " * (end - start)))
    words = " ".join(_prose_word(t) for t, _, _, _ in line[opener + 1 : -1])
    prepared.note(start, f"the remark '{_short_text(words)}' after the equation left out")
    return line[:opener]


_CONDITION_WORDS = frozenset({"if", "for", "when", "whenever", "where", "for all"})
_BARE_CONDITION_WORDS = ("if", "for", "when")
_INDEX_LETTERS = frozenset("ijklmn")
_OPERAND_TOKENS = frozenset({"LETTER", "GREEK", "NUMBER"})


def _without_condition(prepared: Prepared, text: str, line: _Line,
                       edits: list[tuple[int, int, str]]) -> _Line:
    r"""A condition the line ends with, after an equation (``= αe^x \quad x < 0``,
    ``= p_i(1 - p_i), \quad i = j``, ``\text{if } x > 0``, ``for i \neq j``): taken out of
    the text and kept as the line's condition (the claim holds under it). An '=' condition
    is read only between two index letters (i = j) after a comma or a word; the line
    without its condition is returned."""
    found = _condition_at_end(text, line)
    if found is None:
        return line
    separator, first, last = found
    start = _start(line[separator][0])
    end = _end(line[-1][0])
    condition = text[_start(line[first][0]):_end(line[last][0])]
    edits.append((start, end, " " * (end - start)))
    prepared.conditions.append((start, " ".join(condition.split())))
    prepared.note(start, f"'{_short_text(' '.join(text[start:end].split()))}' read as the "
                         f"condition under which the line holds: {' '.join(condition.split())}")
    return line[:separator]


def _condition_at_end(text: str, line: _Line) -> tuple[int, int, int] | None:
    r"""(separator, first, last): the positions in the line of what separates a trailing
    condition from the equation (the condition's first token when a space such as
    ``\quad`` does), and of the condition's first and last tokens; None when the line does
    not end with one."""
    tokens = [token for token, _, _, _ in line]
    last = len(tokens) - 1
    while last >= 0 and tokens[last].type in ("PERIOD", "COMMA", "TAG", "QUADTAG"):
        last -= 1
    closing = last >= 0 and tokens[last].type in ("RPAR", "RIGHT_PAR")
    inner_last = last - 1 if closing else last
    right = _operand_start(tokens, inner_last)
    if right is None:
        return None
    if right > 0 and tokens[right - 1].type == "MINUS":
        right -= 1
    relation = right - 1
    if relation < 1 or tokens[relation].type not in ("EQ", "NEQ", "ORDER"):
        return None
    left = _operand_start(tokens, relation - 1)
    if left is None:
        return None
    first = left
    if closing:
        if left == 0 or tokens[left - 1].type not in ("LPAR", "LEFT_PAR"):
            return None
        first = left - 1
    depth = line[first][1]
    if depth != 0:
        return None
    kind = tokens[relation].type
    if kind == "EQ" and not (left == relation - 1 and relation + 1 == inner_last and all(
            tokens[k].type == "LETTER" and str(tokens[k]) in _INDEX_LETTERS
            for k in (left, relation + 1))):
        return None  # i = j, not x = 0: an '=' may be an equation of its own
    separator = _separator_before(text, tokens, first, spaced=kind != "EQ")
    if separator is None and closing:
        separator = first  # (i \neq j), (x < 0): an '=' or an order in brackets is no factor
    if separator is None:
        return None
    if not any(token.type == "EQ" and depth == 0 for token, depth, _, _ in line[:separator]):
        return None  # a condition follows an equation
    return separator, left, inner_last


def _operand_start(tokens: list[Token], at: int) -> int | None:
    """Where the simple operand ending at ``at`` starts: a letter, a Greek letter or a
    number, with one subscript (x, z_i, x_{0}); None for anything else."""
    if at < 0:
        return None
    kind = tokens[at].type
    if kind in _OPERAND_TOKENS:
        if at >= 2 and tokens[at - 1].type == "SUB" and tokens[at - 2].type in ("LETTER",
                                                                               "GREEK"):
            return at - 2
        return at
    if kind == "RBRACE" and at >= 4 and tokens[at - 1].type in _OPERAND_TOKENS and \
            tokens[at - 2].type == "LBRACE" and tokens[at - 3].type == "SUB" and \
            tokens[at - 4].type in ("LETTER", "GREEK"):
        return at - 4
    return None


def _separator_before(text: str, tokens: list[Token], first: int, *,
                      spaced: bool) -> int | None:
    r"""The position of what separates a condition starting at ``first`` from the equation
    before it: a comma, a word (``\text{if}``, a bare ``if``), a comma and a word, or, when
    ``spaced``, a wide space (``\quad``) alone; None when nothing does."""
    at = first
    if at >= 1 and tokens[at - 1].type == "PROSE" and _prose_word(tokens[at - 1]) in \
            _CONDITION_WORDS:
        at -= 1
    else:
        for word in _BARE_CONDITION_WORDS:
            size = len(word)
            letters = tokens[at - size:at] if at >= size else []
            if "".join(str(t) for t in letters) == word and \
                    all(t.type == "LETTER" for t in letters) and \
                    all(_end(a) == _start(b) for a, b in itertools.pairwise(letters)) and \
                    (at - size == 0 or _end(tokens[at - size - 1]) < _start(letters[0])):
                at -= size
                break
    if at >= 1 and tokens[at - 1].type == "COMMA":
        return at - 1
    if at < first:
        return at
    if spaced and at >= 1 and re.search(r"\\q?quad(?![A-Za-z])|\\[;>]",
                                        text[_end(tokens[at - 1]):_start(tokens[at])]):
        return at
    return None


def _is_remark(rest: _Line) -> bool:
    """``i=1,\\cdots,n``, ``i = 1, \\dots, n : j = 1, \\dots, c``, ``\\forall i``,
    ``i \\in \\{1, ..., n\\}``: the range of an index, said after an equation."""
    kinds = [t.type for t, _, _, _ in rest]
    words = [str(t) for t, _, _, _ in rest]
    if kinds and kinds[0] == "CS" and words[0] == r"\forall":
        return True
    if "DOTS" not in kinds and r"\in" not in words:
        return False
    # the remark's own '=' signs bind index letters: i=1, j,k=1
    for k, kind in enumerate(kinds):
        if kind == "EQ":
            before = kinds[k - 1] if k else None
            if before != "LETTER":
                return False
    return all(kind in ("LETTER", "NUMBER", "EQ", "COMMA", "DOTS", "COLON", "RELATION",
                        "LCURLY", "RCURLY", "SUB", "LBRACE", "RBRACE", "PROSE", "CS",
                        "BOLD", "MINUS", "PLUS", "SUP")
               for kind in kinds)


def _prose_word(token: Token) -> str:
    inside = token[token.index("{") + 1 : token.rindex("}")] if "{" in token else str(token)
    return " ".join(re.sub(r"\\rm\s*", "", inside).split()).lower()


def _inline_derivatives(prepared: Prepared, text: str, tokens: list[Token],
                        edits: list[tuple[int, int, str]]) -> None:
    """``dy/dx`` and ``d/dx`` written inline read as ``\\frac{dy}{dx}`` and
    ``\\frac{d}{dx}``; ``\\partial L/\\partial w`` likewise."""
    k = 0
    while k < len(tokens):
        found = _inline_derivative(tokens, k)
        if found is None:
            k += 1
            continue
        first, slash, last = found
        numerator = text[_start(tokens[first]) : _start(tokens[slash])].strip()
        denominator = text[_end(tokens[slash]) : _end(tokens[last])].strip()
        start, end = _start(tokens[first]), _end(tokens[last])
        edits.append((start, end, f"\\frac{{{numerator}}}{{{denominator}}}"))
        prepared.note(start, f"'{_squeezed(text[start:end])}' read as "
                             f"\\frac{{{numerator}}}{{{denominator}}}")
        k = last + 1


def _one_sided_dots(prepared: Prepared, tokens: list[Token],
                    edits: list[tuple[int, int, str]]) -> None:
    """``a_2^2 + ... a_n^2``: dots with a '+' on one side only, between two terms, read with
    the '+' the other side lacks (said)."""
    for k in range(1, len(tokens) - 1):
        dots, before, after = tokens[k], tokens[k - 1], tokens[k + 1]
        if dots.type != "DOTS":
            continue
        if before.type == "PLUS" and after.type in _STARTS_OPERAND:
            edits.append((_end(dots), _end(dots), " +"))
        elif before.type in _ENDS_OPERAND and after.type == "PLUS":
            edits.append((_start(dots), _start(dots), "+ "))
        else:
            continue
        prepared.note(_start(dots), f"'{dots}' with '+' on one side read as a sum's terms left "
                                    "out, '+' on both sides")


def _is_marker(token: Token) -> bool:
    return (token.type == "LETTER" and str(token) == "d") or token.type == "PARTIAL"


def _inline_derivative(tokens: list[Token], k: int) -> tuple[int, int, int] | None:
    """(first, slash, last) of ``d [name] / d name`` starting at token k."""
    if not _is_marker(tokens[k]):
        return None
    if k > 0 and tokens[k - 1].type == "LETTER" and _end(tokens[k - 1]) == _start(tokens[k]):
        return None  # inside a run of letters
    if k > 0 and tokens[k - 1].type in ("SUB", "SUP", "DIV", "FRAC"):
        return None
    at = k + 1
    if at < len(tokens) and tokens[at].type != "DIV":
        named = _name_end(tokens, at, word=tokens[k].type == "PARTIAL")
        if named is None:
            return None
        at = named
    if at >= len(tokens) or tokens[at].type != "DIV":
        return None
    slash = at
    if slash + 1 >= len(tokens) or not _is_marker(tokens[slash + 1]) or \
            str(tokens[slash + 1]) != str(tokens[k]):
        return None
    last = _name_end(tokens, slash + 2)
    if last is None:
        return None
    following = tokens[last] if last < len(tokens) else None
    if following is not None and following.type == "LETTER" and \
            _start(following) == _end(tokens[last - 1]):
        return None  # dy/dxy: not a name
    return k, slash, last - 1


def _name_end(tokens: list[Token], at: int, *, word: bool = False) -> int | None:
    """The index after a name starting at ``at``: a letter or Greek letter, a hat over one,
    and one subscript, or digits right after the letter (A2); with ``word``, a run of
    letters too (``∂BCE/∂a``: after ∂ a word is the name differentiated, which the reader
    then takes as a name or refuses)."""
    if at >= len(tokens):
        return None
    kind = tokens[at].type
    if kind in ("LETTER", "GREEK"):
        at += 1
        while word and at < len(tokens) and tokens[at].type == "LETTER" and \
                _start(tokens[at]) == _end(tokens[at - 1]):
            at += 1
    elif kind in ("ACCENT", "BOLD") and at + 1 < len(tokens) and \
            tokens[at + 1].type in ("LETTER", "GREEK"):
        at += 2
    elif kind in ("ACCENT", "BOLD") and at + 3 < len(tokens) and \
            tokens[at + 1].type == "LBRACE" and tokens[at + 2].type in ("LETTER", "GREEK") \
            and tokens[at + 3].type == "RBRACE":
        at += 4
    else:
        return None
    if at < len(tokens) and tokens[at].type == "NUMBER" and "." not in str(tokens[at]) and \
            _start(tokens[at]) == _end(tokens[at - 1]):
        return at + 1  # dA2: the name A2 (A_2), digits right after its letter
    if at + 1 < len(tokens) and tokens[at].type == "SUB":
        if tokens[at + 1].type in ("LETTER", "NUMBER", "GREEK"):
            at += 2
        elif tokens[at + 1].type == "LBRACE":
            depth = 0
            for j in range(at + 1, len(tokens)):
                depth += (tokens[j].type == "LBRACE") - (tokens[j].type == "RBRACE")
                if depth == 0:
                    return j + 1
            return None
    return at


def _start(token: Token) -> int:
    return token.start_pos if token.start_pos is not None else 0


def _end(token: Token) -> int:
    return token.end_pos if token.end_pos is not None else 0
