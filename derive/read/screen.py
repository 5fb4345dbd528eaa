"""Screening: what a text must pass before it is parsed, and the parser that reads it.

``parse`` refuses, by name and position, whatever the grammar would misread or could not
report well: a text too long, control characters, unknown commands and environments, other
relations, numbers too long, unpaired or too deeply nested brackets (once derive.read.posted
has rewritten the notation of posts, and said so); then lark parses the text
(``latex.lark``, LALR, basic lexer) and a parse error is turned into words. The post-lexer
(``_KeepRefused``) keeps the refused terminals whole, reads ``\\text{relu}`` before a bracket
as a function's name (``_operator_words``) and pairs the bars of absolute values
(``_paired_bars``). The token tables and the function words are here because the lexer stage
is the first to use them; the stages after it read them from here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import sympy as sp
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from derive.core.errors import ParseError
from derive.core.functions import ML_FUNCTIONS, sigmoid
from derive.core.primitives import BY_WORD
from derive.read.posted import prepare
from derive.read.tree import _short, _Text

MAX_LENGTH = 20_000
"""The longest text read, in characters."""
MAX_NESTING = 200
"""The deepest nesting of brackets (and of chained operators) read."""
MAX_DIGITS = 4_000
"""The most decimal digits a number read or built may have (Python prints at most 4300)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---- the parser ----------------------------------------------------------------------------


class _KeepRefused(PostLex):
    """Keeps the terminals no rule uses (unknown commands, other relations) in the lexer, so
    they are lexed whole and refused by name instead of as a stray backslash."""

    always_accept = ("CS", "CSYM", "RELATION", "ORDER", "BAR", "NORM_BAR", "PERIOD")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return _paired_bars(_paired_bars(_upright_names(_scripts(_operator_words(stream)))),
                            _NORM_BARS)


_ARGUMENT_OPENERS = frozenset({"LPAR", "LEFT_PAR", "SUP"})


def _operator_words(stream: Iterator[Token]) -> Iterator[Token]:
    """``\\text{relu}(x)``: a word in ``\\text`` before a bracket or a power, or a known
    function's name before any operand, names a function (UPRIGHT), not prose."""
    pending: Token | None = None
    for token in stream:
        if pending is not None:
            match = _OPERATOR_FORMS.fullmatch(pending)
            assert match is not None
            word = match.group(2)
            if token.type in _ARGUMENT_OPENERS or (
                    word.lower() in _OPERATORS and token.type in _EXPRESSION_STARTS) or (
                    word.lower() == "softmax" and token.type == "SUB"):  # softmax_j(S_ij)
                pending = Token.new_borrow_pos("UPRIGHT", str(pending), pending)
            yield pending
            pending = None
        if token.type == "PROSE" and _OPERATOR_FORMS.fullmatch(token):
            pending = token
            continue
        yield token
    if pending is not None:
        yield pending


PROSE_WORDS = frozenset({"where", "with", "and", "since", "so", "thus", "hence", "then",
                          "therefore", "for", "if", "when", "otherwise", "else", "let", "or",
                          "as", "is", "by", "all", "each", "every", "some", "given"})
"""Words that are prose wherever they are written upright (``{\\rm where}``)."""


def _scripts(stream: Iterator[Token]) -> Iterator[Token]:
    """A word in ``\\text{...}`` right after '_' or '^' (or '_{', '^{') is a script, read as
    an upright word (``A^{\\text{prev}}``, ``X^{\\text{T}}``); an upright word that is prose
    (``{\\rm where}``, ``\\operatorname{since}``) is prose."""
    before: list[Token] = []
    for token in stream:
        if token.type == "PROSE" and _SCRIPT_WORD.fullmatch(token) and (
                (before and before[-1].type in ("SUB", "SUP"))
                or (len(before) > 1 and before[-1].type == "LBRACE"
                    and before[-2].type in ("SUB", "SUP"))):
            token = Token.new_borrow_pos("UPRIGHT", str(token), token)
        elif token.type == "UPRIGHT" and upright_text(token).lower() in PROSE_WORDS:
            token = Token.new_borrow_pos("PROSE", str(token), token)
        before = [*before[-1:], token]
        yield token


_ARITHMETIC = frozenset({"MUL", "PLUS", "MINUS", "DIV", "PARTIAL"})


def _upright_names(stream: Iterator[Token]) -> Iterator[Token]:
    """A word in ``\\text{…}`` that an arithmetic sign touches (``2 * \\text{residual}``,
    ``\\text{residual} * x``, ``\\partial \\text{net}_i``) or that takes a subscript is an
    operand: an upright name (UPRIGHT), which the reader takes as a name or refuses; a
    word of prose (where, and, since, …) stays prose."""
    before: Token | None = None
    pending: Token | None = None
    for token in stream:
        if pending is not None:
            if token.type in _ARITHMETIC or token.type == "SUB":
                pending = Token.new_borrow_pos("UPRIGHT", str(pending), pending)
            yield pending
            before, pending = pending, None
        if token.type == "PROSE" and _SCRIPT_WORD.fullmatch(token) and \
                upright_text(token).lower() not in PROSE_WORDS:
            if before is not None and before.type in _ARITHMETIC:
                token = Token.new_borrow_pos("UPRIGHT", str(token), token)
            else:
                pending = token
                continue
        yield token
        before = token
    if pending is not None:
        yield pending


_SCRIPT_WORD = re.compile(r"\\(text|textrm|textit|mathrm)\s*\{\s*[A-Za-z]+\s*\}")


def upright_text(token: str) -> str:
    """The word of an upright token: ``\\mathrm{d}`` → d, ``{\\rm Diag}`` → Diag."""
    return prose_text(token).strip()


def prose_text(token: str) -> str:
    """The text of a prose token as written in its braces (``{\\rm where}`` → where)."""
    inside = token[token.index("{") + 1 : token.rindex("}")]
    return re.sub(r"^\s*\\(rm|mathrm)(?![A-Za-z])\s*", "", inside)


_ENDS_OPERAND = frozenset({
    "LETTER", "NUMBER", "GREEK", "INFTY", "UPRIGHT", "FRAC_DIGITS", "PRIME", "TOP", "RBRACE",
    "RPAR", "RSQ", "RCURLY", "RIGHT_PAR", "RIGHT_SQ", "RIGHT_CURLY", "ABS_CLOSE", "NORM_CLOSE",
    "MATRIX_END",
})
_BARS = ("BAR", "ABS_OPEN", "ABS_CLOSE")
_NORM_BARS = ("NORM_BAR", "NORM_OPEN", "NORM_CLOSE")


def _paired_bars(stream: Iterator[Token], kinds: tuple[str, str, str] = _BARS
                 ) -> Iterator[Token]:
    """Each '|' opens an absolute value, or closes the open one when the token before it ends
    an operand: ``|z|``, ``e^{-|z|}``, ``|a| + |b|``; likewise '\\|' for a norm."""
    bar, opening, closing_kind = kinds
    depth = 0
    previous: Token | None = None
    for token in stream:
        if token.type == bar:
            closing = depth > 0 and previous is not None and previous.type in _ENDS_OPERAND
            token = Token.new_borrow_pos(closing_kind if closing else opening, token, token)
        if token.type == opening:
            depth += 1
        elif token.type == closing_kind:
            depth = max(0, depth - 1)
        previous = token
        yield token


def _cache_file(grammar: str) -> str | None:
    """Where lark keeps the analysed grammar between runs: a file in the user's own cache
    directory (never the shared temporary directory, where another user could plant one),
    named by the grammar and lark's version, so that two versions never take turns
    rewriting one file. Lark checks the grammar's hash and its own version before it uses
    the file."""
    import hashlib

    import lark

    from derive.core.cache import folder

    where = folder()
    if where is None:
        return None
    digest = hashlib.sha256(f"{lark.__version__}\0{grammar}".encode()).hexdigest()[:16]
    return str(where / f"latex-grammar-{digest}.lark-cache")


def _intact(path: str) -> bool:
    """Whether lark's cache file is whole: its digest line, then its two pickles, then
    nothing. A write cut short (a full disk, a capped file size) leaves a file lark would
    load into a parser that fails later ("marshal data too short")."""
    try:
        with open(path, "rb") as handle:
            if not handle.readline().endswith(b"\n"):
                return False
            pickle.load(handle)  # the package's own cache file
            pickle.load(handle)
            return handle.read(1) == b""
    except Exception:
        return False


@cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("latex.lark").read_text(encoding="utf-8")
    options = {"parser": "lalr", "lexer": "basic", "propagate_positions": True,
               "postlex": _KeepRefused()}
    path = _cache_file(grammar)
    if path is None:
        return Lark(grammar, **options)
    if os.path.exists(path):
        if _intact(path):
            try:
                return Lark(grammar, cache=path, **options)
            except Exception:  # pragma: no cover - a file intact but foreign: made again
                pass
        with contextlib.suppress(OSError):  # a damaged file (a write cut short)
            os.unlink(path)
    # written under a name of this process and moved into place whole: a process that reads
    # the file never sees half of it. Lark does not raise when its write fails (it logs and
    # goes on), so the file is checked whole before it is moved into place.
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        parser = Lark(grammar, cache=temporary, **options)
        if _intact(temporary):
            os.replace(temporary, path)
        else:
            os.unlink(temporary)
        return parser
    except Exception:  # a cache that cannot be written is only slower
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return Lark(grammar, **options)


# ---- token tables --------------------------------------------------------------------------

_OPENERS = {
    "LBRACE": "RBRACE",
    "LPAR": "RPAR",
    "LSQ": "RSQ",
    "LCURLY": "RCURLY",
    "LEFT_PAR": "RIGHT_PAR",
    "LEFT_SQ": "RIGHT_SQ",
    "LEFT_CURLY": "RIGHT_CURLY",
    "BEGIN": "END",
    "ABS_OPEN": "ABS_CLOSE",
    "NORM_OPEN": "NORM_CLOSE",
    "CASES_BEGIN": "CASES_END",
    "MATRIX_BEGIN": "MATRIX_END",
}
_CLOSERS = {closer: opener for opener, closer in _OPENERS.items()}
_READABLE = {
    "RBRACE": "'}'",
    "RPAR": "')'",
    "RSQ": "']'",
    "RCURLY": "'\\}'",
    "RIGHT_PAR": "'\\right)'",
    "RIGHT_SQ": "'\\right]'",
    "RIGHT_CURLY": "'\\right\\}'",
    "END": "'\\end{...}'",
    "ABS_CLOSE": "'|'",
    "NORM_CLOSE": "'\\|'",
    "CASES_END": "'\\end{cases}'",
    "LBRACE": "'{'",
    "EQ": "'='",
    "COMMA": "','",
    "LINEBREAK": "a line break",
    "DOLLAR": "'$'",
    "$END": "the end of the input",
    "SUB": "'_'",
    "SUP": "'^'",
}
_EXPRESSION_STARTS = {
    "LETTER",
    "NUMBER",
    "GREEK",
    "INFTY",
    "PARTIAL",
    "TOP",
    "DOTS",
    "FUNC",
    "UPRIGHT",
    "FRAC_DIGITS",
    "FRAC",
    "SUM",
    "ACCENT",
    "BOLD",
    "LPAR",
    "LSQ",
    "LCURLY",
    "LEFT_PAR",
    "LEFT_SQ",
    "LEFT_CURLY",
    "PLUS",
    "MINUS",
    "ABS_OPEN",
    "NORM_OPEN",
    "CASES_BEGIN",
    "MATRIX_BEGIN",
    "LIM",
    "NABLA",
}
_CONTINUATIONS = {"MUL", "DIV", "HADAMARD", "COLON", "PLUS", "MINUS", "PRIME"}
_MULTIPLY = {"MUL": "*", "DIV": "/", "HADAMARD": "odot", "COLON": ":"}
_FILLERS = {"AMP", "PROSE", "TAG", "QUADTAG"}
_CALL_BRACKETS = {"LPAR", "LEFT_PAR"}
_ENVIRONMENTS = {
    "aligned",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "equation",
    "equation*",
    "split",
    "gather",
    "gather*",
    "gathered",
    "eqnarray",
    "eqnarray*",
    "multline",
    "multline*",
}


# ---- function words ------------------------------------------------------------------------

_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "log": sp.log,
    "ln": sp.log,
    "exp": sp.exp,
    "tanh": sp.tanh,
    "max": sp.Max,
    "min": sp.Min,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "arctan": sp.atan,
}
"""Functions applied to the next factor: ``\\log x``; the bare words are _BARE_FUNCTIONS."""
_OPERATORS: dict[str, Callable[..., sp.Expr]] = {
    **{word: record.function for word, record in BY_WORD.items()},
    **_FUNCTIONS,
    **ML_FUNCTIONS,
    "sigma": sigmoid,
}
"""The functions ``\\operatorname{X}`` (``\\mathrm``, ``\\text``, ...) names, by lower-case
name: ``\\operatorname{ReLU}`` is relu; every word of derive.core.primitives, and max, min."""
_BARE_FUNCTIONS = tuple(sorted(
    word for word in _OPERATORS if word not in ("sigma", "logistic", "heaviside")))
"""The function words read without a backslash (``exp(-abs(x))``, ``2cosh(x)``), unless the
context declares the word a symbol."""
_OPERATOR_FORMS = re.compile(r"\\(text|textrm|textit)\s*\{\s*([A-Za-z]{2,})\s*\}")
_UPRIGHT_NAME = re.compile(
    r"\s*\\(?:text|textrm|mathrm|operatorname)\s*\{\s*([A-Za-z]+)\s*\}\s*")


def upright_word(written: str) -> str | None:
    """The word of a function name written upright (``\\text{GELU}`` → GELU), as a step's
    ``\\text{GELU}(x)`` reads it; None for anything else."""
    found = _UPRIGHT_NAME.fullmatch(written)
    return found.group(1) if found else None


# ---- screening -----------------------------------------------------------------------------


def parse(reader: _Text) -> Tree[Token]:
    """The tree of the reader's text, once its size, characters and tokens are screened."""
    text = reader.text
    if len(text) > MAX_LENGTH:
        reader.fail(
            f"input too long: {len(text)} characters (at most {MAX_LENGTH})",
            MAX_LENGTH,
        )
    control = _CONTROL.search(text)
    if control:
        reader.fail(
            f"control character U+{ord(control.group()):04X} is not allowed", control.start()
        )
    macros = getattr(reader, "macros", "")
    context = getattr(reader, "context", None)
    indices = frozenset(context.indices) if context is not None and "'" in text else frozenset()
    key = (text, reader.source, bool(getattr(reader, "d_is_symbol", False)), macros, indices)
    kept = _TREES.get(key)  # the same text is read more than once (families, lines, claims)
    prepared = kept[0] if kept is not None else prepare(
        text, _parser().lex, reader.source, d_is_symbol=getattr(reader, "d_is_symbol", False),
        macros=macros, indices=indices)
    if prepared.primed_indices and context is not None:  # j' runs as j does
        reader.context = replace(context, indices={  # type: ignore[attr-defined]
            **context.indices, **{new: context.indices[old]
                                  for new, old in prepared.primed_indices.items()}})
        reader.primed_letters = dict(prepared.primed_indices)  # type: ignore[attr-defined]
    reader.text, reader.origin = prepared.text, prepared.origin
    reader.notes.extend(prepared.notes)
    reader.defining = prepared.defining
    reader.breaks, reader.leading = prepared.breaks, prepared.leading
    reader.conditions = prepared.conditions
    text = reader.text
    if kept is not None:
        _check_tokens(reader, kept[1])
        return kept[2]
    try:
        tokens = prepared.tokens if prepared.tokens is not None else list(_parser().lex(text))
    except UnexpectedCharacters as error:
        offset = error.pos_in_stream or 0
        reader.fail(f"unexpected character {text[offset : offset + 1]!r}", offset)
    _check_tokens(reader, tokens)
    try:
        tree = _parser().parse(text)
    except UnexpectedToken as error:
        raise _unexpected(reader, tokens, error) from None
    except UnexpectedInput as error:
        reader.fail("cannot read this text", error.pos_in_stream or 0)
    dollars = [c for c in tree.children if isinstance(c, Token) and c.type == "DOLLAR"]
    if dollars and dollars[0] != dollars[-1]:
        reader.fail(f"'{dollars[-1]}' does not close '{dollars[0]}'", dollars[-1])
    if len(_TREES) < _KEPT_TREES:
        _TREES[key] = (prepared, tokens, tree)
    return tree


_KEPT_TREES = 4096
_TREES: dict[tuple[str, str, bool, str, frozenset[str]],
             tuple[Any, list[Token], Tree[Token]]] = {}
"""The trees of the texts read so far (data only, in this process): the text after the
tolerant pass, its tokens and its tree, by the text, its source and how d is read."""


def _check_tokens(reader: _Text, tokens: list[Token]) -> None:
    stack: list[Token] = []
    limits = 0  # \lim tokens still waiting for their '\to'
    cases = 0  # open \begin{cases}: an order relation may be a case's condition
    for token in tokens:
        kind = token.type
        limits += kind == "LIM"
        cases += (kind == "CASES_BEGIN") - (kind == "CASES_END")
        if kind == "ORDER" and not cases:
            reader.fail(f"the relation '{token}' is not read: only '=' and '≠' chains are "
                        "(an order is read as the condition of a case)", token)
        if kind == "CS":
            reader.fail(f"unknown command '{_short(token)}'" + _hint(str(token)), token)
        if kind == "CSYM":
            reader.fail(f"unknown control symbol '{token}'", token)
        if kind == "PERIOD":
            reader.fail("cannot read '.' here: a full stop is read at the end of a formula, "
                        "or between two factors as a product", token)
        if kind == "NORM_BAR":
            reader.fail(f"unmatched '{token}'", token)
        if kind == "TO":
            if not limits:
                reader.fail(f"'{token}' is read only under a limit: \\lim_{{h \\to 0}}", token)
            limits -= 1
        if kind == "RELATION":
            reader.fail(f"the relation '{token}' is not read: only '=' and '≠' chains are",
                        token)
        if kind == "NUMBER" and len(token) > MAX_DIGITS:
            reader.fail("number too large", token)
        if kind in _OPENERS:
            if kind == "BEGIN" and _environment(token) not in _ENVIRONMENTS:
                reader.fail(f"cannot read the environment '{_environment(token)}'", token)
            stack.append(token)
            if len(stack) > MAX_NESTING:
                reader.fail(f"nesting deeper than {MAX_NESTING}", token)
        elif kind in _CLOSERS:
            if not stack:
                reader.fail(f"unmatched '{token}'", token)
            opener = stack.pop()
            if _OPENERS[opener.type] != kind or (
                kind in ("END", "MATRIX_END")
                and _environment(opener) != _environment(token)
            ):
                line, column = reader.position(reader.start(opener))
                raise reader.error(
                    f"'{token}' does not close '{opener}' (line {line}, column {column})",
                    token,
                    expected=(_closer_text(opener),),
                )
    if stack:
        opener = stack[-1]
        raise reader.error(f"unmatched '{opener}'", opener, expected=(_closer_text(opener),))


def _unexpected(reader: _Text, tokens: list[Token], error: UnexpectedToken) -> ParseError:
    token = error.token
    expected = _readable(error.expected)
    if token.type == "$END":
        at = reader.end(tokens[-1]) if tokens else 0
        return reader.error("unexpected end of input", at, expected)
    before = [t for t in tokens if t.end_pos is not None and t.end_pos <= reader.start(token)]
    if token.type == "PROSE" or (before and before[-1].type == "PROSE"):
        prose = token if token.type == "PROSE" else before[-1]
        message = f"prose '{_short(prose)}' is read only before or after a side"
        return reader.error(message, prose, expected)
    if token.type == "LINEBREAK":
        message = "unexpected line break"
    else:
        message = f"unexpected '{_short(token)}'"
    return reader.error(message, token, expected)


def _environment(token: Token) -> str:
    return token[token.index("{") + 1 : token.index("}")]


def _closer_text(opener: Token) -> str:
    if opener.type in ("BEGIN", "MATRIX_BEGIN"):
        return f"'\\end{{{_environment(opener)}}}'"
    return _READABLE[_OPENERS[opener.type]]


def _hint(command: str) -> str:
    if command in ("\\left", "\\right"):
        return r" here: only \left( \left[ \left\{ and their \right forms are read"
    if re.fullmatch(r"\\[Bb]igg?[lr]?", command):
        return " here: only a bracket may follow it"
    return ""


def _readable(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Lark's expected terminals, in words."""
    found: list[str] = []
    if "LPAR" in names:
        found.append("an expression")
    elif "LBRACE" in names and names & {"LETTER", "NUMBER"}:
        found.append("'{'")
    if names & {"MUL", "DIV", "HADAMARD", "COLON"}:
        found.append("an operator")
    for name in sorted(names - _EXPRESSION_STARTS - _CONTINUATIONS - _FILLERS):
        readable = _READABLE.get(name)
        if readable is not None and readable not in found:
            if name in ("SUB", "SUP", "LBRACE") and found:
                continue
            found.append(readable)
    return tuple(found) or tuple(sorted(names))
