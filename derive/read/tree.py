"""The parse tree as the reader walks it, and where each piece of it stands in the text.

Every other module of the reader works on these: lark's ``Tree``/``Token`` nodes, the records
a product is cut into (``_Entry``, one factor; ``_Word``, one name cut from a run of letters),
and ``_Text``, which turns an offset, a node or a record into the 1-based line and column of a
``ParseError``. They sit apart from the screening and the building stages because both use
them and neither owns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from lark import Token, Tree

from derive.core.errors import ParseError

Node = Tree[Token] | Token


@dataclass
class _Word:
    """One name read from a run of letters or from ``\\mathrm{...}``."""

    text: str
    token: Token
    operator: bool = False
    """A function's name written upright (``\\operatorname{sech}``): applied to what follows."""


Core = Tree[Token] | Token | _Word


@dataclass
class _Entry:
    """One factor of a product: its operator, unary signs, atom and scripts."""

    op: Token | None
    signs: tuple[Token, ...]
    core: Core
    postfixes: tuple[Tree[Token], ...] = ()


class _Text:
    """One text being read, named by its source: the positions and errors of the reader.

    ``text`` is what is parsed; ``shown`` is the text as given, which errors quote. They
    differ once the notation of posts is prepared (derive.read.posted): a macro expanded, a
    sentence's full stop left out. ``origin`` maps each offset of ``text`` (and its end) to
    the offset of ``shown`` it came from, so an error points into the text as given.
    ``notes`` are the tolerant readings taken, each with the offset in ``text`` it concerns
    (a line's relation lists those of its line: ``Relation.readings``)."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.shown = text
        self.origin: list[int] | None = None
        self.source = source
        self.notes: list[tuple[int, str]] = []
        self.defining: list[int] = []
        """Offsets of the definition signs read as '=' (``:=``, ``\\coloneqq``, ...)."""
        self.d_is_symbol = False
        """The context declares ``d``: ``dy/dx`` is then not read as a derivative."""
        self.macros = ""
        """The document's macro definitions, in force in this text."""
        self.breaks: list[tuple[int, str]] = []
        """Where a mark between two equations (',', ``\\Rightarrow``) became a line break."""
        self.leading: list[tuple[int, str]] = []
        """Where a mark before a line (``\\Rightarrow``) was left out."""
        self.conditions: list[tuple[int, str]] = []
        """Where a line's own condition (``\\quad x < 0``) was taken out, and its LaTeX."""

    def note(self, reading: str, at: Node | _Word | _Entry | int | None) -> None:
        """Record a tolerant reading ("X read as Y") taken at a place of the text."""
        offset = self.start(at)
        if (offset, reading) not in self.notes:
            self.notes.append((offset, reading))

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        if self.origin is not None:
            offset = self.origin[offset]
        shown = self.shown
        offset = max(0, min(offset, len(shown)))
        line = shown.count("\n", 0, offset) + 1
        column = offset - (shown.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def error(
        self,
        message: str,
        at: Node | _Word | _Entry | int | None,
        expected: tuple[str, ...] = (),
    ) -> ParseError:
        line, column = self.position(self.start(at))
        return ParseError(
            message,
            text=self.shown,
            line=line,
            column=column,
            expected=expected,
            source=self.source,
        )

    def fail(self, message: str, at: Node | _Word | _Entry | int | None) -> NoReturn:
        raise self.error(message, at)

    def start(self, at: Node | _Word | _Entry | int | None) -> int:
        if at is None:
            return 0
        if isinstance(at, int):
            return at
        if isinstance(at, _Entry):
            first = at.op or (at.signs[0] if at.signs else None)
            return self.start(first if first is not None else at.core)
        if isinstance(at, _Word):
            return self.start(at.token)
        if isinstance(at, Token):
            return at.start_pos if at.start_pos is not None else 0
        if not at.meta.empty:
            return at.meta.start_pos
        return self.start(at.children[0]) if at.children else 0

    def end(self, at: Node | _Entry) -> int:
        if isinstance(at, _Entry):
            at = at.core if not isinstance(at.core, _Word) else at.core.token
        if isinstance(at, Token):
            return at.end_pos if at.end_pos is not None else 0
        if not at.meta.empty:
            return at.meta.end_pos
        return self.end(at.children[-1]) if at.children else 0


# ---- reading the tree ----------------------------------------------------------------------


def _lines(tree: Tree[Token]) -> list[Tree[Token]]:
    """The line trees of a parsed text, in order (the grammar nests them two levels deep)."""
    pending: list[Tree[Token]] = [tree]
    while pending:
        node = pending.pop()
        if node.data == "lines":
            return [c for c in node.children if isinstance(c, Tree) and c.data == "line"]
        pending.extend(c for c in node.children if isinstance(c, Tree))
    return []


def _entry(node: Node, op: Token | None) -> _Entry:
    signs: tuple[Token, ...] = ()
    if isinstance(node, Tree) and node.data == "signed":
        signs = tuple(c for c in node.children[:-1] if isinstance(c, Token))
        node = node.children[-1]
    if isinstance(node, Tree) and node.data == "factor":
        postfixes = tuple(c for c in node.children[1:] if isinstance(c, Tree))
        return _Entry(op, signs, node.children[0], postfixes)
    return _Entry(op, signs, node)


def _inside(node: Node) -> Node:
    """The content of a braced group; any other node itself."""
    if isinstance(node, Tree) and node.data == "group":
        return node.children[1]
    return node


def _is_tree(node: object, data: str) -> bool:
    return isinstance(node, Tree) and node.data == data


def _is_token(node: object, kind: str) -> bool:
    return isinstance(node, Token) and node.type == kind


def _arguments(content: Node) -> list[Node]:
    if isinstance(content, Tree) and content.data == "args":
        return [c for c in content.children if not _is_token(c, "COMMA")]
    return [content]


def _describe(core: Core) -> str:
    if isinstance(core, _Word):
        return core.text
    if isinstance(core, Token):
        return str(core)
    return core.data


def _short(text: str, limit: int = 40) -> str:
    """User text quoted in a message, cut to a readable length."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
