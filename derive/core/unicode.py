"""Names in Unicode math (ŷ for yhat, σ for sigma, a₂ for a_2), for every text printer."""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Any

import sympy as sp
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

SCRIPT_CAPITALS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           "𝒜ℬ𝒞𝒟ℰℱ𝒢ℋℐ𝒥𝒦ℒℳ𝒩𝒪𝒫𝒬ℛ𝒮𝒯𝒰𝒱𝒲𝒳𝒴𝒵", strict=True))
"""\\mathcal{L} as a name of its own (``Lcal``, where the document also writes a plain L): ℒ."""


def pretty_name(name: str) -> str:
    """A name as the documents write it: ``yhat_i`` → ŷᵢ (NFC, so ŷ is one character)."""
    try:
        if _SCRIPT.match(name):  # Lcal_i → ℒᵢ
            return SCRIPT_CAPITALS[name[0]] + pretty_name("X" + name[4:])[1:]
        return unicodedata.normalize("NFC", str(pretty_symbol(name)))
    except Exception:  # pragma: no cover - a name pretty_symbol cannot take
        return name


class NamePrinter(StrPrinter):  # type: ignore[misc]
    """A SymPy string printer whose symbols print as Unicode names; a subclass says how an
    indexed element prints (``_print_Indexed``)."""

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # Indexed brings its own str method, which would win over the subclass's
        if isinstance(expr, sp.Indexed):
            return str(self._print_Indexed(expr))
        return str(super()._print(expr, **kwargs))

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return pretty_name(expr.name) if _SCRIPT.match(expr.name) else \
            str(pretty_symbol(expr.name))

    _print_Dummy = _print_MatrixSymbol = _print_Symbol


# ---- a console that cannot show Unicode ------------------------------------------------------

ASCII_FORMS: dict[str, str] = {
    "−": "-", "·": "*", "⋅": "*", "×": "x", "÷": "/", "⊙": "(.)", "⊘": "(/)", "⊗": "(x)",
    "∂": "d", "∇": "grad", "Σ": "sum", "∑": "sum", "∏": "prod", "√": "sqrt", "∞": "inf",
    "≠": "!=", "≤": "<=", "≥": ">=", "≈": "~=", "→": "->", "←": "<-", "⇒": "=>", "∈": " in ",
    "✓": "ok", "✗": "x", "…": "...", "—": "--", "–": "-", "─": "-", "′": "'", "″": "''",
    "ᵀ": "^T", "⁻": "^-", "𝟏": "[1]", "ŷ": "yhat", "\u0302": "hat", "\u0304": "bar",
    "\u0303": "tilde", "\u0307": "dot", "\u20d7": "vec", "‖": "||", "⟨": "<", "⟩": ">",
    "“": '"', "”": '"', "‘": "'", "’": "'", "•": "*", "°": "deg", "±": "+/-", "∓": "-/+",
}
"""What a console that cannot encode Unicode shows instead of each character. Greek letters
are spelled by name (σ → sigma), sub- and superscripts by their plain forms (x₂ → x2, ² → ^2);
any other character is escaped (``\\u2200``)."""

ASCII_FORMS.update({script: f"cal{letter}" for letter, script in SCRIPT_CAPITALS.items()})
_SCRIPT = re.compile(r"[A-Z]cal(?![a-z])")
_SUPERSCRIPT_DIGITS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")


def _ascii_form(character: str) -> str:
    known = ASCII_FORMS.get(character)
    if known is not None:
        return known
    name = unicodedata.name(character, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")):
        word = name.split(" LETTER ", 1)[1].split(" ")[0].lower().replace("lamda", "lambda")
        return word.capitalize() if "CAPITAL" in name else word
    if character in _SUPERSCRIPT_DIGITS:
        return "^" + unicodedata.normalize("NFKC", character)
    plain = unicodedata.normalize("NFKD", character)
    if plain.isascii() and plain.strip():  # ₂ → 2, ᵢ → i, é → e (its accent dropped below)
        return plain
    base = "".join(c for c in plain if not unicodedata.combining(c))
    if base.isascii() and base:
        marks = "".join(ASCII_FORMS.get(c, "") for c in plain if unicodedata.combining(c))
        return base + marks
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def to_ascii(value: str) -> str:
    """``value`` for a console that cannot encode Unicode: σ → sigma, − → -, ŷ → yhat,
    ✓ → ok, x₂ → x2; anything without a plain form escaped (``\\u…``)."""
    if value.isascii():
        return value
    return "".join(c if c.isascii() else _ascii_form(c) for c in value)


def ascii_errors(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler (``derive-ascii``) that writes what ``to_ascii`` writes."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return to_ascii(error.object[error.start:error.end]), error.end


ASCII_ERRORS = "derive-ascii"
"""The name of ``ascii_errors`` as a codec error handler (``stream.reconfigure(errors=...)``)."""
codecs.register_error(ASCII_ERRORS, ascii_errors)


def can_encode(stream: object, sample: str = "σ−ŷ✓∂⊙ᵀ₂") -> bool:
    """Whether ``stream`` can write the characters the outputs use (a UTF-8 console can; an
    ASCII or Latin-1 one cannot)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
