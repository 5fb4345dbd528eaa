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
from dataclasses import dataclass, replace

import sympy as sp
from lark import Token, Tree

from derive.core.context import Context
from derive.core.functions import ML_FUNCTIONS
from derive.read.screen import (
    _BARE_FUNCTIONS,
    _CALL_BRACKETS,
    _MULTIPLY,
    _OPERATORS,
    upright_text,
)
from derive.read.tree import (
    Core,
    Node,
    _Entry,
    _entry,
    _inside,
    _is_token,
    _is_tree,
    _short,
    _Text,
    _Word,
)

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


_STYLES_SAID = frozenset({"\\mathcal", "\\mathscr", "\\mathfrak"})
"""Styles that may mark a different quantity (𝓛 beside L): dropped, and said."""
_INCREMENT = re.compile(r"\\lim\s*_\s*\{?\s*\\Delta\s*([A-Za-z])")
"""``\\lim_{\\Delta x \\to 0}``: the text writes the increment Δx as one variable."""


def _base_of(name: str) -> str:
    """A declared name's base: its letters before a subscript or a superscript."""
    return re.split(r"[_^]", name, maxsplit=1)[0]


@dataclass
class _Name:
    """A name under construction: base with accents, label, subscript, layer index, primes."""

    text: str
    token: Token
    sub: str | None = None
    layer: str | None = None
    primes: int = 0
    greek: bool = False
    label: str | None = None
    """A superscript that names, not raises: the Q of ``W^Q``, the prev of
    ``A^{\\text{prev}}``."""
    example: str | None = None
    """An example index the context reads as a subscript (``x_j^{(i)}`` → ``x_ij``)."""

    def full(self) -> str:
        name = self.text
        if self.label is not None:
            name += "^" + self.label
        if self.example is not None:
            name += "_" + self.example + (self.sub or "")
        elif self.sub is not None:
            name += "_" + self.sub
        if self.layer is not None:
            name += "^(" + self.layer + ")"
        return name


SPELLED_GREEK = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "theta", "vartheta",
    "iota", "kappa", "lambda", "sigma", "upsilon", "omega", "Gamma", "Delta", "Theta",
    "Lambda", "Sigma", "Omega"})
"""Greek letters' names of four letters or more written without a backslash (``beta * x``
in a post typed as text): the letter, said. Shorter ones (mu, xi, pi) are as likely a
product of letters."""
LONG_RUN = 4
"""Single letters in one run from which the run is a word, not a product (y·h·a·t)."""


class _Names(_Text):
    """The reader's first layer: the context, and the names it declares."""

    def __init__(self, text: str, context: Context, source: str, *, declaring: bool = False):
        super().__init__(text, source)
        self.context = context
        self.declaring = declaring
        declared = [*context.symbols, *(s.name for s in context.definitions
                                        if isinstance(s, sp.Symbol))]
        # a declared name's base is one word: dy_i declares dy, MSE_j declares MSE
        words = {base for base in (_base_of(name) for name in declared)
                 if base.isalpha() and len(base) > 1}
        words |= {name for name in context.functions if name.isalpha() and len(name) > 1}
        words |= {name for name in ML_FUNCTIONS if name.isalpha()}
        words |= set(_BARE_FUNCTIONS) | {"diag", "sigma", "softmax"}
        words |= {name for name in SPELLED_GREEK if name not in context.symbols}
        self.words = words
        self.longest_word = max(len(word) for word in words)
        self.d_is_symbol = "d" in context.symbols or context.is_function("d")
        self.macros = context.macros
        self.increments = set(_INCREMENT.findall(text))

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
            following_entry = raw[i + 1] if i + 1 < len(raw) else None
            if self.is_increment(entry, following_entry):
                assert following_entry is not None and isinstance(following_entry.core, Token)
                word = _Word(f"Δ{following_entry.core}", following_entry.core)
                self.note(f"\\Delta {following_entry.core} read as one name, the increment "
                          f"Δ{following_entry.core}", entry)
                out.append(_Entry(entry.op, entry.signs, word, following_entry.postfixes))
                i += 2
                continue
            if isinstance(core, Token) and core.type == "UPRIGHT":
                content = upright_text(core)
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
                last = raw[j]
                number = self.index_digits(last, raw[j + 1] if j + 1 < len(raw) else None)
                if number is not None:
                    # A2, W1, b1 as code and posts write them: the digits index the name
                    assert isinstance(number.core, Token)
                    sub: Tree[Token] = Tree("sub", [Token("SUB", "_"), number.core])
                    last = _Entry(last.op, last.signs, last.core, (sub, *number.postfixes))
                    written = f"{letters[-1]}{number.core}"
                    self.note(f"{written} read as {letters[-1]}_{number.core} (digits after a "
                              "letter index it; they do not multiply it)", number.core)
                    j += 1
                self.add_words(out, entry, last, "".join(letters), letters)
                i = j
            else:
                out.append(entry)
            i += 1
        return out

    def index_digits(self, last: _Entry, following: _Entry | None) -> _Entry | None:
        """The whole number written right after a letter, with no space or operator between
        (``A2``): read as the letter's index. None for anything else (``A 2``, ``A^2 2``,
        ``x2.5``)."""
        if following is None or last.postfixes or following.op is not None or \
                following.signs or not _is_token(following.core, "NUMBER"):
            return None
        number, letter = following.core, last.core
        assert isinstance(number, Token)
        if not str(number).isdigit() or not isinstance(letter, Token) or \
                number.start_pos != letter.end_pos:
            return None
        return following

    def is_increment(self, entry: _Entry, following: _Entry | None) -> bool:
        """``\\Delta x`` where the text takes a limit as Δx goes to a value."""
        return (_is_token(entry.core, "GREEK") and str(entry.core).strip() == "\\Delta"
                and not entry.postfixes and following is not None
                and _is_token(following.core, "LETTER") and following.op is None
                and not following.signs and str(following.core) in self.increments)

    def upright_word(self, token: Token, content: str, following: _Entry | None) -> _Word:
        """A word written upright is one name: a declared symbol or function, a known
        function (``\\operatorname{ReLU}`` is relu, case aside), else a symbol; an unknown
        word before an operand is refused (it is not a product of letters)."""
        if content in self.context.symbols or content in self.context.functions:
            return _Word(content, token)
        known = content.lower()
        if known in ("diag", "softmax"):
            return _Word(known, token)
        if known == "sig" and following is not None:
            self.note(f"{_short(content)} read as sigmoid, the logistic function", token)
            return _Word("sigmoid", token, operator=True)
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
        known = text.lower()
        if not self.declaring and text[:1].isupper() and known != text and \
                (known in _OPERATORS or known == "softmax") and \
                text not in self.context.symbols and text not in self.context.functions:
            # Sigmoid(x), Tanh^2(x), ReLU(z), Softmax(z): the function, as \operatorname{…}
            self.note(f"{text} read as the function {known}", tokens[0])
            words = [known]
        else:
            words = [text] if self.declaring else self.segment(text)
            if not self.declaring:
                self.check_words(text, words, tokens)
        position = 0
        for k, word in enumerate(words):
            out.append(
                _Entry(
                    first.op if k == 0 else None,
                    first.signs if k == 0 else (),
                    _Word(word, tokens[position]),
                    last.postfixes if k == len(words) - 1 else (),
                )
            )
            position += len(word)

    def check_words(self, text: str, words: list[str], tokens: list[Token]) -> None:
        """A run of letters is a product of letters and names, never a misread word: a
        function word with more letters after it (``logit``) or with two letters or more
        before it (``softmax``, ``argmax``: not a product ending in max) is refused, and so is
        a run of LONG_RUN single letters or more that no name cuts (``yhat``, ``loss``: a word,
        not y·h·a·t)."""
        single = 0
        for k, word in enumerate(words):
            single = single + 1 if len(word) == 1 and word not in self.context.symbols else 0
            if single >= LONG_RUN:
                start = sum(len(w) for w in words[: k + 1 - single])
                self.fail(f"cannot read '{_short(text)}': an unknown word, not a product of "
                          f"{single} letters (declare it, or write the product with spaces)",
                          tokens[start])
        position = 0
        for k, word in enumerate(words):
            bare = word in _BARE_FUNCTIONS and word not in self.context.symbols
            if bare and k + 1 < len(words):
                self.fail(
                    f"cannot read '{_short(text)}': write \\{word} with a space or brackets "
                    f"after it, or declare '{_short(text)}'",
                    tokens[position],
                )
            if bare and k >= 2 and all(len(w) == 1 for w in words[k - 2 : k]):
                self.fail(f"cannot read '{_short(text)}': an unknown word (declare it, or "
                          f"write \\{word} apart from the letters before it)", tokens[0])
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
        upper = False  # the subscript so far came from upper indices (δ^j_m)
        postfixes = entry.postfixes if self.context.upper_indices else \
            _subscripts_first(entry.postfixes)
        for postfix in postfixes:
            if postfix.data == "prime":
                name.primes += 1
                continue
            script = postfix.children[1]
            if postfix.data == "sub":
                if name.sub is not None and not upper:
                    self.fail("double subscript: use braces, x_{ij}", postfix)
                lower = self.subscript_text(script)
                name.sub = lower if name.sub is None else name.sub + lower
                upper = False
                continue
            letters = self.upper_indices(name, script)
            if letters is not None:
                name.sub = letters if name.sub is None else name.sub + letters
                upper = True
                continue
            if _is_token(script, "PRIME"):
                name.primes += 1
                continue
            if _is_tree(script, "primes"):  # l^{\prime}(z)
                assert isinstance(script, Tree)
                name.primes += sum(1 for c in script.children if _is_token(c, "PRIME"))
                continue
            superscripts += 1
            if superscripts > 1:
                self.fail("double superscript: use braces, x^{a^{b}}", postfix)
            layer = self.layer_text(script)
            if layer is not None and name.text in self.context.example_bases and \
                    name.example is None and not self.declaring:
                written = self.written(postfix, name)
                name.example = layer
                self.note(f"{written} read with the example index {layer} as a subscript, "
                          f"{name.full()}", postfix)
                continue
            if layer is not None:
                written = self.written(postfix, name)
                name.layer = layer
                if layer.isalpha() and not self.declaring:
                    self.note(f"{written} read as one name, {name.full()} (an example or layer "
                              "index, not a power)", postfix)
                continue
            label = self.label_text(name, script)
            if label is not None:
                written = self.written(postfix, name)
                name.label = label
                if not self.declaring and name.full() not in self.context.symbols:
                    self.note(f"{written} read as one name, {name.full()} (the superscript "
                              f"{label} a label, not a power)", postfix)
                continue
            example = self.example_index(name, script)
            if example is not None and name.text in self.context.example_bases and \
                    name.example is None:
                written = self.written(postfix, name)
                name.example = example  # ŷ^i beside ŷ_i: one name
                self.note(f"{written} read with the example index {example} as a subscript, "
                          f"{name.full()}", postfix)
                continue
            if example is not None:
                written = self.written(postfix, name)
                name.layer = example
                self.note(f"{written} read as {name.full()}, the {example}-th example (not a "
                          "power)", postfix)
                continue
            rest.append(postfix)
        return name, tuple(rest)

    def written(self, postfix: Tree[Token], name: _Name) -> str:
        """How a name and its superscript are written, for a note."""
        return f"{name.full()}{self.text[self.start(postfix) : self.end(postfix)].strip()}"

    def label_text(self, name: _Name, script: Node) -> str | None:
        """The label of ``W^Q``, ``Z^{O}``, ``A^{\\text{prev}}``: an upright word, or one
        capital letter the context does not declare (never T, which transposes) on a name
        that starts with a capital."""
        if name.text == "e" and name.sub is None:
            return None
        inner = _inside(script)
        if _is_token(inner, "UPRIGHT"):
            assert isinstance(inner, Token)
            word = upright_text(inner)
            return None if word == "T" and "T" not in self.context.symbols else word
        if _is_token(inner, "LETTER") and name.text[:1].isupper() and not name.greek:
            # W^Q, Z^O: a capital on a capital; p^Y (a Bernoulli likelihood) stays a power
            letter = str(inner)
            labelled = replace(name, label=letter).full()
            if labelled in self.context.symbols:
                return letter  # W^Q declared, beside a declared Q: the name, not a power
            declared = letter in self.context.symbols or letter in self.context.indices.values()
            if letter.isupper() and letter != "T" and not declared and name.layer is None:
                return letter
        return None

    def upper_indices(self, name: _Name, script: Node) -> str | None:
        """``A^{ij}``, ``\\delta^j_m`` where the context reads upper indices: the index letters
        of the superscript, an entry's subscript. None for any other superscript."""
        if not self.context.upper_indices or self.declaring or name.layer is not None or \
                name.label is not None or (name.text == "e" and name.sub is None):
            return None
        inner = _inside(script)
        letters = [inner] if _is_token(inner, "LETTER") else \
            list(inner.children) if isinstance(inner, Tree) and inner.data == "term" else []
        if not letters or not all(_is_token(c, "LETTER") and str(c) in self.context.indices
                                  for c in letters):
            return None
        return "".join(str(c) for c in letters)

    def example_index(self, name: _Name, script: Node) -> str | None:
        """``y^i`` where i is an index letter of the context: the i-th example, as
        ``y^{(i)}``; ``A^{ij}`` (index letters as superscripts, tensor notation) is refused
        where the context does not read upper indices."""
        if (name.text == "e" and name.sub is None) or self.declaring:
            return None
        inner = _inside(script)
        if _is_token(inner, "LETTER") and str(inner) in self.context.indices and \
                name.layer is None:
            return str(inner)
        if isinstance(inner, Tree) and inner.data == "term":
            letters = [c for c in inner.children if _is_token(c, "LETTER")]
            if len(letters) == len(inner.children) > 1 and \
                    all(str(c) in self.context.indices for c in letters):
                self.fail(f"cannot read the superscript '{''.join(map(str, letters))}': index "
                          "letters written as superscripts (tensor notation) are not read",
                          inner)
        return None

    def core_name(self, core: Core) -> _Name | None:
        if isinstance(core, _Word):
            if self.is_bare_function(core):
                return None
            if core.text in SPELLED_GREEK and core.text not in self.context.symbols:
                self.note(f"{core.text} read as \\{core.text}, the Greek letter it spells",
                          core.token)
                return _Name(core.text, core.token, greek=True)
            return _Name(core.text, core.token, greek=core.text == "sigma")
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
            named = self.node_name(core.children[1])
            style = str(core.children[0]).strip()
            if named is not None and core.data == "bold" and style == "\\mathcal" and \
                    named.full() in self.context.styled:
                named.text += "cal"  # ℒ beside a plain L: two names
                return named
            if named is not None and core.data == "bold" and not self.declaring and \
                    style in _STYLES_SAID and named.full() not in self.context.symbols:
                self.note(f"{style}{{{named.full()}}} read as {named.full()}, the same name as "
                          f"a plain {named.full()}", core)
            return named
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
                return upright_text(script)
            self.fail(f"cannot read '{script}' as a subscript", script)
        content = script.children[1]
        if _is_token(content, "GREEK") or _is_token(content, "UPRIGHT"):
            return self.subscript_text(content)
        inside = self.text[self.end(script.children[0]) : self.start(script.children[-1])]
        # f_{y_{i}} and f_{y_i} name one entry: braces around one character are dropped
        compact = re.sub(r"([_^])\{(\w)\}", r"\1\2", re.sub(r"\s+", "", inside))
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
            letter = script if script.type == "LETTER" else upright_text(script)
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
        return full in ("diag", "softmax") or self.context.is_function(full) or \
            self.is_derivative_operator(name) or self.dotted_function(name) is not None or \
            (name.text == "softmax" and name.sub is not None and not name.primes)

    def dotted_function(self, name: _Name) -> str | None:
        """The function F of ``\\dot{F}(p)``, F declared (and FL̇ not): its derivative along
        a parameter, F'(p)·ṗ. None for any other name."""
        dot = _ACCENT_SUFFIX["dot"]
        if not name.text.endswith(dot) or name.sub is not None or name.primes or \
                name.full() in self.context.symbols or self.context.is_function(name.full()):
            return None
        base = name.text[: -len(dot)]
        return base if base and self.context.is_function(base) else None

    def is_derivative_operator(self, name: _Name) -> bool:
        """``D(…)``, ``D_x(…)``, ``D_\\theta(…)`` before a bracket, where the context declares no
        D: the derivative operator (by x, by θ, or by the one variable its argument writes)."""
        return name.text == "D" and not name.greek and name.label is None and \
            name.layer is None and name.example is None and not name.primes and \
            "D" not in self.context.symbols and name.full() not in self.context.symbols and \
            not self.context.is_function(name.full()) and \
            (name.sub is None or re.fullmatch(r"[A-Za-z]+", name.sub) is not None)

    # -- the value of a name -----------------------------------------------------------------

    def name_value(self, name: _Name) -> sp.Expr:
        full = name.full()
        if name.primes:
            self.fail(
                f"cannot read {_short(full)}': a prime is read only on a declared "
                "function applied to its argument",
                name.token,
            )
        if full == "e" and "e" not in self.context.symbols:  # a file may name a vector e
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


def _subscripts_first(postfixes: tuple[Tree[Token], ...]) -> tuple[Tree[Token], ...]:
    """The scripts with each superscript that a subscript follows put after it: ``o^x_j`` is
    typeset as ``o_j^x``, so it is the same name (where upper indices are not read)."""
    ordered = list(postfixes)
    for k in range(len(ordered) - 1):
        if ordered[k].data == "sup" and ordered[k + 1].data == "sub":
            ordered[k], ordered[k + 1] = ordered[k + 1], ordered[k]
    return tuple(ordered)
