"""Names: how a product is cut into entries, and what name an entry spells.

A run of adjacent letters is cut into the longest names the context declares (else single
letters); a word written upright is one name. An entry's name is its base with accents
(``\\hat y`` → ``yhat``), its subscript (``x_{k-1}``), its layer (``W^{(1)}``) and primes;
``X^T`` is a transpose unless the context declares ``T``. The value of a name is Euler's
number, π, a Kronecker delta, the context's matrix or the context's symbol; ``J(w)`` is a call
when ``J`` names a function. Every rule of the naming convention (the reader's module
docstring, "Names") is decided here and nowhere else; the indexed families a sum makes of
names are a pass over the values built (derive.read.families).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp
from lark import Token, Tree

from derive.core.context import Context
from derive.core.functions import ML_FUNCTIONS
from derive.read.screen import _BARE_FUNCTIONS, _CALL_BRACKETS, _MULTIPLY, _OPERATORS
from derive.read.tree import Core, Node, _Entry, _entry, _is_token, _is_tree, _short, _Text, _Word

_ACCENT_SUFFIX = {
    "hat": "hat",
    "widehat": "hat",
    "bar": "bar",
    "overline": "bar",
    "tilde": "tilde",
    "widetilde": "tilde",
    "dot": "dot",
    "ddot": "ddot",
}


@dataclass
class _Name:
    """A name under construction: base with accents, subscript, layer index, primes."""

    text: str
    token: Token
    sub: str | None = None
    layer: str | None = None
    primes: int = 0
    greek: bool = False

    def full(self) -> str:
        name = self.text
        if self.sub is not None:
            name += "_" + self.sub
        if self.layer is not None:
            name += "^(" + self.layer + ")"
        return name


class _Names(_Text):
    """The reader's first layer: the context, and the names it declares."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        super().__init__(text, source)
        self.context = context
        self.declaring = declaring
        words = {name for name in context.symbols if name.isalpha() and len(name) > 1}
        words |= {name for name in context.functions if name.isalpha() and len(name) > 1}
        words |= {name for name in ML_FUNCTIONS if name.isalpha()}
        words |= set(_BARE_FUNCTIONS) | {"diag"}
        self.words = words
        self.longest_word = max(len(word) for word in words)

    # -- entries and words -------------------------------------------------------------------

    def entries(self, node: Node) -> list[_Entry]:
        raw: list[_Entry] = []
        if isinstance(node, Tree) and node.data == "term":
            op: Token | None = None
            for child in node.children:
                if isinstance(child, Token) and child.type in _MULTIPLY:
                    op = child
                    continue
                raw.append(_entry(child, op))
                op = None
        else:
            raw.append(_entry(node, None))
        return self.expand_words(raw)

    def expand_words(self, raw: list[_Entry]) -> list[_Entry]:
        """Join adjacent letters into runs and cut each run into names."""
        out: list[_Entry] = []
        i = 0
        while i < len(raw):
            entry = raw[i]
            core = entry.core
            if isinstance(core, Token) and core.type == "UPRIGHT":
                content = core[core.index("{") + 1 : core.rindex("}")].strip()
                if len(content) > 1 and not self.declaring:
                    following = raw[i + 1] if i + 1 < len(raw) else None
                    word = self.upright_word(core, content, following)
                    out.append(_Entry(entry.op, entry.signs, word, entry.postfixes))
                else:
                    self.add_words(out, entry, entry, content, [core] * len(content))
            elif isinstance(core, Token) and core.type == "LETTER":
                j = i
                letters = [core]
                while j + 1 < len(raw):
                    following = raw[j + 1]
                    current = raw[j].core
                    if not (
                        isinstance(following.core, Token)
                        and following.core.type == "LETTER"
                        and following.op is None
                        and not following.signs
                        and not raw[j].postfixes
                        and isinstance(current, Token)
                        and following.core.start_pos == current.end_pos
                    ):
                        break
                    j += 1
                    letters.append(following.core)
                self.add_words(out, entry, raw[j], "".join(letters), letters)
                i = j
            else:
                out.append(entry)
            i += 1
        return out

    def upright_word(self, token: Token, content: str, following: _Entry | None) -> _Word:
        """A word written upright is one name: a declared symbol or function, a known
        function (``\\operatorname{ReLU}`` is relu, case aside), else a symbol; an unknown
        word before an operand is refused (it is not a product of letters)."""
        if content in self.context.symbols or content in self.context.functions:
            return _Word(content, token)
        known = content.lower()
        if known == "diag":
            return _Word(known, token)
        if known in _OPERATORS:
            return _Word(known, token, operator=True)
        if following is not None and following.op is None and not following.signs:
            names = ", ".join(sorted(_OPERATORS))
            self.fail(f"unknown function '{_short(content)}': declare it, or write one of "
                      f"{names}", token)
        return _Word(content, token)

    def add_words(
        self, out: list[_Entry], first: _Entry, last: _Entry, text: str, tokens: list[Token]
    ) -> None:
        words = [text] if self.declaring else self.segment(text)
        position = 0
        for k, word in enumerate(words):
            if k + 1 < len(words) and word in _BARE_FUNCTIONS and word not in self.context.symbols:
                self.fail(
                    f"cannot read '{_short(text)}': write \\{word} with a space or brackets "
                    f"after it, or declare '{_short(text)}'",
                    tokens[position],
                )
            out.append(
                _Entry(
                    first.op if k == 0 else None,
                    first.signs if k == 0 else (),
                    _Word(word, tokens[position]),
                    last.postfixes if k == len(words) - 1 else (),
                )
            )
            position += len(word)

    def segment(self, run: str) -> list[str]:
        """Cut a run of letters into the longest known names, else single letters."""
        words: list[str] = []
        i = 0
        while i < len(run):
            for size in range(min(self.longest_word, len(run) - i), 1, -1):
                if run[i : i + size] in self.words:
                    words.append(run[i : i + size])
                    i += size
                    break
            else:
                words.append(run[i])
                i += 1
        return words

    # -- the name an entry spells ------------------------------------------------------------

    def name_of(self, entry: _Entry) -> tuple[_Name, tuple[Tree[Token], ...]] | None:
        """The name an entry spells, and the superscripts left to apply to its value."""
        name = self.core_name(entry.core)
        if name is None:
            return None
        rest: list[Tree[Token]] = []
        superscripts = 0
        for postfix in entry.postfixes:
            if postfix.data == "prime":
                name.primes += 1
                continue
            script = postfix.children[1]
            if postfix.data == "sub":
                if name.sub is not None:
                    self.fail("double subscript: use braces, x_{ij}", postfix)
                name.sub = self.subscript_text(script)
                continue
            if _is_token(script, "PRIME"):
                name.primes += 1
                continue
            superscripts += 1
            if superscripts > 1:
                self.fail("double superscript: use braces, x^{a^{b}}", postfix)
            layer = self.layer_text(script)
            if layer is not None:
                name.layer = layer
            else:
                rest.append(postfix)
        return name, tuple(rest)

    def core_name(self, core: Core) -> _Name | None:
        if isinstance(core, _Word):
            return None if self.is_bare_function(core) else _Name(core.text, core.token)
        if isinstance(core, Token):
            if core.type == "LETTER":
                return _Name(str(core), core)
            if core.type == "GREEK":
                return _Name(core[1:], core, greek=True)
            return None
        if core.data == "accent":
            accent = core.children[0]
            assert isinstance(accent, Token)
            inner = self.node_name(core.children[1])
            if inner is None:
                self.fail(f"'{accent}' is read only over a name", core)
            inner.text += _ACCENT_SUFFIX[accent[1:]]
            inner.greek = False
            return inner
        if core.data in ("bold", "group"):
            return self.node_name(core.children[1])
        return None

    def node_name(self, node: Node) -> _Name | None:
        if isinstance(node, Tree) and node.data in ("sum", "args"):
            return None
        entries = self.entries(node)
        if len(entries) != 1 or entries[0].op is not None or entries[0].signs:
            return None
        named = self.name_of(entries[0])
        if named is None or named[1]:
            return None
        return named[0]

    def subscript_text(self, script: Node) -> str:
        if isinstance(script, Token):
            if script.type == "LETTER":
                return str(script)
            if script.type == "NUMBER":
                if len(script) > 1:
                    self.fail(f"an unbraced script is one character: write _{{{script}}}", script)
                return str(script)
            if script.type == "GREEK":
                return script[1:]
            if script.type == "UPRIGHT":
                return script[script.index("{") + 1 : script.rindex("}")].strip()
            self.fail(f"cannot read '{script}' as a subscript", script)
        content = script.children[1]
        if _is_token(content, "GREEK") or _is_token(content, "UPRIGHT"):
            return self.subscript_text(content)
        inside = self.text[self.end(script.children[0]) : self.start(script.children[-1])]
        compact = re.sub(r"\s+", "", inside)
        return compact if compact.isalnum() and compact.isascii() else "{" + compact + "}"

    def layer_text(self, script: Node) -> str | None:
        """The layer index of ``W^{(1)}``: a parenthesised superscript in braces."""
        if not _is_tree(script, "group"):
            return None
        assert isinstance(script, Tree)
        content = script.children[1]
        if not _is_tree(content, "bracket"):
            return None
        assert isinstance(content, Tree)
        opener, closer = content.children[0], content.children[-1]
        if not (_is_token(opener, "LPAR") and str(opener) == "("):
            return None
        inside = self.text[self.end(opener) : self.start(closer)]
        return re.sub(r"\s+", "", inside)

    def is_transpose(self, script: Node) -> bool:
        if isinstance(script, Tree) and script.data == "group":
            script = script.children[1]
        if not isinstance(script, Token):
            return False
        if script.type == "TOP":
            return True
        if script.type == "LETTER" or script.type == "UPRIGHT":
            letter = script if script.type == "LETTER" else script[script.index("{") + 1 : -1]
            return letter.strip() == "T" and "T" not in self.context.symbols
        return False

    # -- names of functions ------------------------------------------------------------------

    def is_bare_function(self, core: Core) -> bool:
        """``log``, ``ln``, ``exp`` written without a backslash (unless declared symbols)."""
        return (
            isinstance(core, _Word)
            and core.text in _BARE_FUNCTIONS
            and core.text not in self.context.symbols
        )

    def is_call(self, entry: _Entry, following: _Entry) -> bool:
        if following.op is not None or not _is_tree(following.core, "bracket"):
            return False
        bracket = following.core
        assert isinstance(bracket, Tree)
        opener = bracket.children[0]
        if not (isinstance(opener, Token) and opener.type in _CALL_BRACKETS):
            return False
        named = self.name_of(entry)
        return named is not None and self.is_function_name(named[0])

    def is_function_name(self, name: _Name) -> bool:
        full = name.full()
        if full in self.context.symbols:
            return False
        if name.greek and full == "sigma":
            return True
        return full == "diag" or self.context.is_function(full)

    # -- the value of a name -----------------------------------------------------------------

    def name_value(self, name: _Name) -> sp.Expr:
        full = name.full()
        if name.primes:
            self.fail(
                f"cannot read {_short(full)}': a prime is read only on a declared "
                "function applied to its argument",
                name.token,
            )
        if full == "e":
            return sp.E
        if full == "pi" and name.greek and "pi" not in self.context.symbols:
            return sp.pi
        delta = self.kronecker(name)
        if delta is not None:
            return delta
        info = self.context.symbols.get(full)
        if info is not None and info.shape is not None:
            return self.context.matrix(full)
        return self.context.symbol(full)

    def kronecker(self, name: _Name) -> sp.Expr | None:
        """``\\delta_{ij}``, ``\\delta_{i,j}``: the Kronecker delta (unless declared)."""
        script = name.sub or ""
        parts = script.strip("{}").split(",") if "," in script else list(script)
        if not (name.greek and name.text == "delta" and name.layer is None and len(parts) == 2
                and all(re.fullmatch(r"[A-Za-z]|[0-9]+", part) for part in parts)
                and name.full() not in self.context.symbols):
            return None
        a, b = (sp.Integer(int(p)) if p.isdigit() else self.context.symbol(p) for p in parts)
        return sp.KroneckerDelta(a, b)

    def name_value_of(self, node: Node, what: str) -> sp.Symbol:
        name = self.node_name(node)
        value = None if name is None or name.full() == "e" else self.name_value(name)
        if not isinstance(value, sp.Symbol | sp.MatrixSymbol):
            self.fail(f"{what} must be a name", node)
        return value
