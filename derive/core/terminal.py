"""What the console takes: colour, width, and ASCII for one that cannot show Unicode.

Nothing here imports SymPy: a run that prints an output kept from an earlier run needs only
this module to write it as the console wants it.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from typing import TextIO

SCRIPT_CAPITALS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           "𝒜ℬ𝒞𝒟ℰℱ𝒢ℋℐ𝒥𝒦ℒℳ𝒩𝒪𝒫𝒬ℛ𝒮𝒯𝒰𝒱𝒲𝒳𝒴𝒵", strict=True))
"""\\mathcal{L} as a name of its own (``Lcal``, where the document also writes a plain L): ℒ."""


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


def colour_wanted(stream: TextIO) -> bool:
    """Colour for this stream: as NO_COLOR and FORCE_COLOR say, else on a terminal that is
    not ``TERM=dumb``."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    return terminal and os.environ.get("TERM") != "dumb"


def terminal_width(stream: TextIO) -> int | None:
    """The columns of the terminal ``stream`` writes to (``COLUMNS`` when set), or None when
    it is not a terminal: a pipe or a file gets every line in full."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), 40)
    try:
        return max(os.get_terminal_size(stream.fileno()).columns, 40)
    except (AttributeError, ValueError, OSError):
        return 80
