"""Proof files: TOML documents of derivations, read into a ``ProofDocument``.

A proof file holds a document's own LaTeX, step by step, with what each step deserves::

    [document]
    title  = "..."
    source = "000_a69cb98ebff00a2a.txt"

    [symbols]                      # name (or LaTeX) = { domain = ..., shape = [...] }
    y_i    = { domain = "{0,1}" }
    "\\hat y_i" = { domain = "(0,1)" }

    [functions]
    names = ["J"]                  # J(\\hat y) is a call, not a product

    [aliases]                      # a name the document uses for another one (a typo)
    yhat = { means = "yhat_i", why = "the second term writes \\hat y for \\hat y_i" }

    [definitions]                  # quantities the document uses but does not write readably
    J = { latex = '-(y_i\\log(\\hat y_i) + ...)', note = "for one example, as the asker says" }

    [[step]]
    id     = "Q1"
    label  = "Product rule"        # the document's own words
    latex  = '\\frac{dJ}{d\\hat y_i} = -1(...)'
    expect = "proved"

Matrix claims: a symbol may declare ``shape = ["n", "d"]`` (sizes are names, numbers or
``k+1``), ``entries = "w_0"`` (the document also writes W's entries as w_0, w_1, ...;
``"w_i"`` counts them from 1, and i then runs over the vector's entries) and
``identity = true`` (a square name that is the identity matrix, the I of λI) or ``ones = true``
(the array of ones of its shape, the u of u : e) or ``symmetric = true`` (a square name
equal to its transpose).
``[settings]`` may hold ``layout = "numerator"`` or ``"denominator"`` (the document's layout
convention for Jacobians), ``batch = "n"`` (the size that counts the examples) and
``sizes = { n = 3, d = 2, h = 4 }`` (where matrix claims are instantiated). A
``[readings.NAME]`` table (``symbols``, ``note``, ``layout``, ``batch``, ``sizes``) is another
reading of the document's names, used by the steps that say ``reading = "NAME"`` (the same
line of a document read once per example and once with vectors). An alias may give
``means = { STEP = "name", ... }``: the name the document's general symbol takes in each step
(a_k read as a_1 in one step and as a_2 in another).

Index notation: ``[indices]`` gives each index letter the count it runs up to (``i = "C"``:
1, ..., C), read by ``\\sum_j`` without a range and used to check index claims at
``[settings] sizes`` (derive.verify.indexed). ``[settings] elementwise = ["*", "\\\\times"]`` lists
the product signs the document uses for the elementwise product (``*``, ``\\times``, ``\\cdot``,
``juxtaposition``). ``[settings] prime = "x_j"`` reads a prime as the derivative by x_j (a post
that writes μ' for ∂μ/∂x_j).

A step may also say ``define = true`` (its relation ``name = formula`` defines ``name``),
``assume = ['x_0 = 1']`` (the claim holds under these: ``conditional`` when it needs them),
``lhs = 'LaTeX'`` (the left side when the document gives it in prose), and ``note``.
Lines that begin with ``=`` continue the chain from the previous step.

Everything wrong with a file raises ``ProofFileError`` with its file, line and column.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from derive.core.context import Context, SymbolInfo, size_expression
from derive.core.domains import COUNT, Domain, parse_domain
from derive.core.errors import DeriveError, ParseError, ProofFileError
from derive.read.posted import defined_macros
from derive.read.screen import upright_word

EXPECTATIONS = (
    "proved", "checked", "refuted", "conditional", "ill-formed", "unreadable", "undecided",
    "definition",
)
_CODE_GRADIENT = re.compile(r"d[A-Za-z]+(?:_[A-Za-z0-9]+)?")
"""A gradient's name as code writes it (``dy_i``, ``dW``): one name when the file defines it."""
_DOCUMENT_KEYS = {"title", "source", "note", "url", "macros"}
_STEP_KEYS = {"id", "label", "latex", "expect", "define", "assume", "lhs", "note", "kind",
              "supplied", "reading"}
KINDS = ("claim", "definition", "notation", "update")
_TOP_KEYS = {"document", "symbols", "functions", "aliases", "definitions", "step", "settings",
             "readings", "indices"}
_SYMBOL_KEYS = {"domain", "shape", "note", "entries", "identity", "ones", "symmetric"}
_SETTINGS_KEYS = {"vary", "budget", "layout", "batch", "sizes", "elementwise", "upper_indices",
                  "prime"}
ELEMENTWISE = ("*", "\\times", "\\cdot", "juxtaposition")
"""The product signs a file may declare elementwise (``[settings] elementwise``)."""
_READING_KEYS = {"symbols", "note", "layout", "batch", "sizes", "definitions"}
LAYOUTS = ("numerator", "denominator")
MAX_BYTES = 10 * 1024 * 1024
"""The largest proof file read (10 MiB)."""
MAX_BUDGET = 1e6
"""The largest time budget accepted, in seconds."""
MAX_SIZE = 16
"""The largest size a claim is instantiated at (its entries are checked one by one)."""


@dataclass(frozen=True)
class Claim:
    """One step of a proof file, as written, with where it stands in the file."""

    id: str
    label: str
    latex: str
    expect: str | None
    line: int
    column: int
    define: bool = False
    assume: tuple[str, ...] = ()
    lhs: str | None = None
    note: str = ""
    kind: str = "claim"
    supplied: bool = False
    reading: str | None = None
    words: str = ""
    """The whole sentence before the step in a document (its label is the sentence cut short);
    in a proof file, the label."""


@dataclass(frozen=True)
class MatrixSettings:
    """How matrix claims are read: the layout convention (None: undeclared), the size that
    counts the examples, and the sizes at which claims are instantiated."""

    layout: str | None = None
    batch: str | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Reading:
    """Another reading of the document's names (``[readings.NAME]``), for the steps that
    name it: its context (the document's symbols, with the reading's over them)."""

    name: str
    context: Context
    note: str = ""
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    definitions: tuple[Definition, ...] = ()


@dataclass(frozen=True)
class Alias:
    """The document writes ``name`` where it means ``means``; ``why`` says so. ``steps``
    limits the alias to those step ids (all steps when empty)."""

    name: str
    means: str
    why: str
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    """A quantity defined by the proof file (not by a step of the document)."""

    name: str
    latex: str
    note: str
    line: int
    column: int


@dataclass(frozen=True)
class ProofDocument:
    """A proof file read: its context and its claims in order."""

    path: str
    text: str
    title: str
    source: str
    note: str
    context: Context
    claims: tuple[Claim, ...]
    aliases: tuple[Alias, ...] = ()
    definitions: tuple[Definition, ...] = ()
    vary: tuple[str, ...] = ()
    budget: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    readings: Mapping[str, Reading] = field(default_factory=dict)
    assumed: tuple[str, ...] = ()
    """What the reading inferred rather than read (a document's domains, shapes, functions,
    conventions), one sentence each, for the report to state."""
    scalar_readings: frozenset[str] = frozenset()
    """Names the document writes as arrays but gives no shape, read as scalars: a claim
    about them that holds as a scalar identity holds only under that reading."""
    merged_styles: frozenset[str] = frozenset()
    """Letters the document writes both as \\mathcal{X} and as a plain X, read as one name
    (it never relates them): a claim refuted through that reading may be about two names."""
    conventional: frozenset[str] = frozenset()
    """Names a document gives a domain by convention only (ŷ ∈ (0, 1) as the probability of
    a binary cross-entropy): not declared by the text, so no variable of it."""

    def reading_of(self, claim: Claim) -> Reading | None:
        """The reading a claim names (None: the document's own)."""
        return self.readings.get(claim.reading) if claim.reading else None


def _position_of(text: str, pattern: str, start: int = 0) -> tuple[int, int, int]:
    """(line, column, offset) of the first match of ``pattern`` at or after ``start``."""
    match = re.compile(pattern, re.MULTILINE).search(text, start)
    offset = match.start() if match else start
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column, offset


def _key_written(key: str) -> str:
    """The pattern of a table's ``key`` as a file writes it: bare, in 'single quotes', or in
    "double quotes" (where the file doubles each backslash: ``"\\\\hat{y}"``)."""
    basic = key.replace("\\", "\\\\").replace('"', '\\"')
    return rf"(?:{re.escape(key)}|'{re.escape(key)}'|\"{re.escape(basic)}\")"


def _key_at(key: str) -> str:
    """The pattern of the line that sets ``key``."""
    return rf"^[ \t]*{_key_written(key)}\s*="


def _value_position(text: str, key: str, start: int, stop: int) -> tuple[int, int]:
    """Line and column of the first character of ``key``'s string value inside a block (the
    key at the start of a line, or inside an inline table)."""
    match = re.compile(rf"(?:^|[{{,])[ \t]*{_key_written(key)}\s*=\s*('''|\"\"\"|'|\")",
                       re.MULTILINE).search(text, start, stop)
    if not match:
        line, column, _ = _position_of(text, r"$", start)
        return line, column
    offset = match.end()
    if match.group(1) in ("'''", '"""') and text.startswith("\n", offset):
        offset += 1  # TOML drops a newline right after the opening quotes
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _step_blocks(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of every ``[[step]]`` block."""
    starts = [m.start() for m in re.finditer(r"^[ \t]*\[\[step\]\]", text, re.MULTILINE)]
    ends = []
    for i, start in enumerate(starts):
        following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, start + 1)
        limit = starts[i + 1] if i + 1 < len(starts) else len(text)
        ends.append(min(following.start(), limit) if following else limit)
    return list(zip(starts, ends, strict=True))


_BRACKETS = re.compile(r"[\"'#\[\]{}]")
_DEEPEST = 1000
"""How deep ``_deepest`` looks for the deepest bracket (far past what tomllib can read)."""


def _deepest(text: str) -> tuple[int, int, int]:
    """Line and column of the bracket that opens the deepest array or inline table, and its
    depth, counted up to ``_DEEPEST`` (quoted strings and comments skipped; a table header
    is balanced on its line)."""
    depth = deepest = where = 0
    match = _BRACKETS.search(text)
    while match and deepest < _DEEPEST:
        index, char = match.start(), match.group()
        if char in "\"'":  # skip the string: to its closing quote, past escaped ones
            quote = char * 3 if text.startswith(char * 3, index) else char
            end = index + len(quote)
            while True:
                end = text.find(quote, end)
                if end < 0 or char == "'" or not _escaped(text, end):
                    break
                end += 1
            index = len(text) if end < 0 else end + len(quote) - 1
        elif char == "#":
            stop = text.find("\n", index)
            index = len(text) if stop < 0 else stop
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, index
        else:
            depth = max(depth - 1, 0)
        match = _BRACKETS.search(text, index + 1)
    line = text.count("\n", 0, where) + 1
    column = where - (text.rfind("\n", 0, where) + 1) + 1
    return line, column, deepest


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


class _Reader:
    """Reads one proof file; every error names the file, the line and the column."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._entry_letters: list[tuple[str, Any]] = []
        """(letter, shape) of each symbol whose entries are named by an index letter."""

    def error(self, message: str, pattern: str | None = None, start: int = 0,
              expected: tuple[str, ...] = ()) -> ProofFileError:
        line, column = 1, 1
        if pattern is not None:
            line, column, _ = _position_of(self.text, pattern, start)
        return ProofFileError(message, text=self.text, line=line, column=column,
                              expected=expected, source=self.path)

    def read(self) -> ProofDocument:
        data = self.toml()
        if not data:
            raise self.error("the file holds no proof: expected [document] and [[step]] "
                             "tables")
        for key in data:
            if key not in _TOP_KEYS:
                raise self.error(f"unknown section [{key}]", rf"^[ \t]*\[+{re.escape(key)}\]",
                                 expected=tuple(sorted(_TOP_KEYS)))
        document = self._table(data, "document")
        self._known(document, _DOCUMENT_KEYS, "document")
        for key, value in document.items():
            if not isinstance(value, str):
                raise self.error(f"[document] {key} must be a string",
                                 rf"^[ \t]*{re.escape(key)}\s*=")
        return self._document(data, document)

    def toml(self) -> dict[str, Any]:
        """The file's TOML, its syntax errors at their line and column."""
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
            line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
            raise ProofFileError(f"not valid TOML: {message}", text=self.text, line=line,
                                 column=column, source=self.path) from None
        except RecursionError:
            line, column, depth = _deepest(self.text)
            deep = f"more than {_DEEPEST - 1}" if depth >= _DEEPEST else f"{depth}"
            raise ProofFileError(f"not usable TOML: arrays or inline tables nest {deep} levels "
                                 "deep here; expected a few levels at most",
                                 text=self.text, line=line, column=column,
                                 source=self.path) from None

    def _document(self, data: Mapping[str, Any], document: Mapping[str, Any]) -> ProofDocument:
        settings = self._table(data, "settings")
        self._known(settings, _SETTINGS_KEYS, "settings")
        functions = self._table(data, "functions")
        self._known(functions, {"names", "arbitrary"}, "functions")
        names = functions.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.error("[functions] names must be a list of names", r"^[ \t]*names")
        arbitrary = functions.get("arbitrary", [])
        if not isinstance(arbitrary, list) or not all(isinstance(n, str) for n in arbitrary):
            raise self.error("[functions] arbitrary must be a list of names",
                             r"^[ \t]*arbitrary")
        written = [*names, *arbitrary]
        context = Context(functions=frozenset(written) | _function_names(written),
                          arbitrary=frozenset(arbitrary) | _function_names(arbitrary),
                          macros=self._macros(document))
        context = context.with_symbols(*self._symbols(self._table(data, "symbols"), context))
        indices = {**self._vector_letters(), **self._table(data, "indices")}
        context = self._indices(indices, settings, context)
        aliases = self._aliases(self._table(data, "aliases"), context)
        definitions = self._definitions(self._table(data, "definitions"))
        # [definitions] "C(\\beta)" = …: C(…) is a call in the steps, never C·(…)
        called = _function_names([call.group(1) for d in definitions
                                  if (call := _CALL_KEY.fullmatch(d.name)) is not None])
        context = replace(context, functions=context.functions | (called - set(context.symbols)))
        steps_text = " ".join(str(step.get("latex", "")) for step in data.get("step", [])
                              if isinstance(step, dict)) if settings.get("vary") else ""
        context = context.with_symbols(*(
            SymbolInfo(d.name) for d in definitions
            if d.name not in context.symbols and _read_as_a_name(d.name, steps_text)))
        claims = self._claims(data.get("step", []))
        context, said = _names_the_steps_define(claims, context)
        readings = self._readings(self._table(data, "readings"), context)
        for claim in claims:
            if claim.reading is not None and claim.reading not in readings:
                raise self.error(f"step {claim.id!r} names the reading {claim.reading!r}, "
                                 "which no [readings.NAME] table gives",
                                 r"^[ \t]*reading\s*=", self._step_start(claim.id),
                                 expected=tuple(sorted(readings)))
        vary = settings.get("vary", [])
        if not isinstance(vary, list) or not all(isinstance(v, str) for v in vary):
            raise self.error("[settings] vary must be a list of names, such as [\"w\"]",
                             r"^[ \t]*vary\s*=")
        budget = settings.get("budget")
        if budget is not None and (isinstance(budget, bool)
                                   or not isinstance(budget, int | float)
                                   or not 0 < budget <= MAX_BUDGET):
            raise self.error(f"[settings] budget must be a number of seconds, more than 0 and "
                             f"at most {MAX_BUDGET:g}", r"^[ \t]*budget")
        return ProofDocument(
            path=self.path, text=self.text, title=str(document.get("title", self.path)),
            source=str(document.get("source", "")), note=str(document.get("note", "")),
            context=context, claims=claims, aliases=aliases, definitions=definitions,
            vary=tuple(str(v) for v in vary), budget=float(budget) if budget else None,
            matrix=self._matrix_settings(settings, "settings"), readings=readings,
            assumed=said,
        )

    def _macros(self, document: Mapping[str, Any]) -> str:
        """[document] macros: the post's own macro definitions, as posted."""
        written = document.get("macros", "")
        if not isinstance(written, str):
            raise self.error("[document] macros must be a string of definitions, such as "
                             "'\\def\\p#1#2{\\frac{\\partial #1}{\\partial #2}}'",
                             r"^[ \t]*macros\s*=")
        if written and not defined_macros(written).strip():
            raise self.error("[document] macros holds no definition (\\newcommand, \\def or "
                             "\\DeclareMathOperator)", r"^[ \t]*macros\s*=")
        return written

    def _step_start(self, identity: str) -> int:
        match = re.search(rf"^[ \t]*id\s*=\s*[\"']{re.escape(identity)}[\"']", self.text,
                          re.MULTILINE)
        return match.start() if match else 0

    def _matrix_settings(self, table: Mapping[str, Any], where: str) -> MatrixSettings:
        layout = table.get("layout")
        if layout is not None and layout not in LAYOUTS:
            raise self.error(f"{where}: layout must be \"numerator\" or \"denominator\"",
                             r"^[ \t]*layout\s*=", expected=LAYOUTS)
        batch = table.get("batch")
        if batch is not None and not isinstance(batch, str):
            raise self.error(f"{where}: batch must be the name of a size, such as \"n\"",
                             r"^[ \t]*batch\s*=")
        sizes = table.get("sizes", {})
        if not isinstance(sizes, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIZE
            for v in sizes.values()
        ):
            raise self.error(f"{where}: sizes must be a table of whole numbers from 1 to "
                             f"{MAX_SIZE}, such as {{ n = 3, d = 2 }}", r"^[ \t]*sizes\s*=")
        return MatrixSettings(layout, batch, {str(k): int(v) for k, v in sizes.items()})

    def _readings(self, table: Mapping[str, Any], context: Context) -> dict[str, Reading]:
        found = {}
        for name, spec in table.items():
            where = rf"^[ \t]*\[readings\.{re.escape(name)}"
            if not isinstance(spec, dict):
                raise self.error(f"[readings.{name}] must be a table", where)
            self._known(spec, _READING_KEYS, f"reading {name!r}")
            symbols = spec.get("symbols", {})
            if not isinstance(symbols, dict):
                raise self.error(f"[readings.{name}] symbols must be a table", where)
            reading_context = context.with_symbols(*self._symbols(symbols, context))
            definitions = spec.get("definitions", {})
            if not isinstance(definitions, dict):
                raise self.error(f"[readings.{name}] definitions must be a table", where)
            found[name] = Reading(name, reading_context, str(spec.get("note", "")),
                                  self._matrix_settings(spec, f"reading {name!r}"),
                                  self._definitions(definitions))
        return found

    def _table(self, data: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(f"[{key}] must be a table", rf"^[ \t]*\[?{key}")
        return value

    def _known(self, table: Mapping[str, Any], keys: set[str], where: str,
               start: int = 0) -> None:
        for key in table:
            if key not in keys:
                raise self.error(f"unknown key {key!r} in {where}",
                                 _key_at(key), start,
                                 expected=tuple(sorted(keys)))

    def _vector_letters(self) -> dict[str, str]:
        """``entries = "\\theta_j"`` of a vector θ of n entries: j runs over 1, ..., n, as if
        ``[indices] j = "n"`` (a letter two vectors of different lengths name is left out)."""
        found: dict[str, set[str]] = {}
        for letter, shape in self._entry_letters:
            if not isinstance(shape, list) or len(shape) != 2:
                continue
            rows, cols = (str(size) for size in shape)
            length = cols if rows == "1" else rows if cols == "1" else None
            if length is not None and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", length):
                found.setdefault(letter, set()).add(length)
        return {letter: lengths.pop() for letter, lengths in found.items()
                if len(lengths) == 1}

    def _indices(self, table: Mapping[str, Any], settings: Mapping[str, Any],
                 context: Context) -> Context:
        """``[indices] i = "C"`` (i runs over 1, ..., C) and ``[settings] elementwise``."""
        for name, count in table.items():
            where = _key_at(name)
            if not (re.fullmatch(r"[A-Za-z]", name) and isinstance(count, str)
                    and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", count)):
                raise self.error(f"index {name!r}: write a letter and the name of the count it "
                                 "runs up to, such as i = \"C\"", where)
        signs = settings.get("elementwise", [])
        if not isinstance(signs, list) or not all(s in ELEMENTWISE for s in signs):
            raise self.error("[settings] elementwise must list product signs among "
                             + ", ".join(ELEMENTWISE), r"^[ \t]*elementwise\s*=",
                             expected=ELEMENTWISE)
        upper = settings.get("upper_indices", False)
        if not isinstance(upper, bool):
            raise self.error("[settings] upper_indices must be true or false",
                             r"^[ \t]*upper_indices\s*=")
        prime = settings.get("prime", "")
        if not isinstance(prime, str):
            raise self.error("[settings] prime must name the variable a prime differentiates "
                             "by, such as prime = \"x_j\"", r"^[ \t]*prime\s*=")
        if prime:
            prime = self._symbol_name(prime, context, _key_at("prime"))
        implied = [SymbolInfo(name, COUNT) for name in {*table, *table.values()}
                   if name not in context.symbols]
        return replace(context.with_symbols(*implied), indices=dict(table),
                       elementwise=frozenset(signs), upper_indices=upper, prime_by=prime)

    def _symbols(self, table: Mapping[str, Any], context: Context) -> list[SymbolInfo]:
        infos = []
        for key, spec in table.items():
            where = _key_at(key)
            if not isinstance(spec, dict):
                raise self.error(f"symbol {key!r} must be a table such as {{ domain = \"(0,1)\" }}",
                                 where)
            self._known(spec, _SYMBOL_KEYS, f"symbol {key!r}")
            name = self._symbol_name(key, context, where)
            written = spec.get("domain", "real")
            if not isinstance(written, str):
                raise self.error(f"the domain of {key!r} must be a string, such as \"(0,1)\"",
                                 where)
            try:
                domain = read_domain(written)
            except DeriveError as error:
                raise self.error(str(error), where) from None
            shape = spec.get("shape")
            if shape is not None and (not isinstance(shape, list) or len(shape) != 2):
                raise self.error(f"the shape of {key!r} must be two sizes, such as [\"n\", \"d\"]",
                                 where)
            sizes = (str(shape[0]), str(shape[1])) if shape else None
            for size in sizes or ():
                try:
                    size_expression(size)
                except ValueError as error:
                    raise self.error(str(error), where) from None
                if any(len(n) > 6 or int(n) > MAX_SIZE for n in re.findall(r"[0-9]+", size)):
                    raise self.error(f"the shape of {key!r}: a number in a size is at most "
                                     f"{MAX_SIZE} (claims are checked entry by entry)", where)
            entries = spec.get("entries")
            if entries is not None:
                entries = self._symbol_name(str(entries), context, where)
                by_letter = re.fullmatch(r"(.+)_([a-z])", entries)
                if by_letter:  # z_i: indices count from 1, as [indices] ranges do
                    entries = f"{by_letter.group(1)}_1"
                    self._entry_letters.append((by_letter.group(2), spec.get("shape")))
                if not re.fullmatch(r".+_[0-9]+", entries):
                    raise self.error(f"the entries of {key!r} are named by the first one, "
                                     "such as \"w_0\" or \"y_1\", or by an index letter "
                                     "(\"w_i\": counted from 1)", where)
            square = sizes is not None and sizes[0] == sizes[1]
            flags = {}
            for flag, allowed, needs, example in (
                    ("identity", square, "a square shape", '["d", "d"]'),
                    ("ones", sizes is not None and not spec.get("identity"),
                     "a shape", '["K", "1"] (and no identity = true)'),
                    ("symmetric", square, "a square shape", '["d", "d"]')):
                value = spec.get(flag, False)
                if not isinstance(value, bool) or (value and not allowed):
                    raise self.error(f"{flag} = true needs {needs} for {key!r}, such as "
                                     f"shape = {example}", where)
                flags[flag] = value
            infos.append(SymbolInfo(name, domain, sizes, entries, **flags))
        return infos

    def _symbol_name(self, key: str, context: Context, where: str) -> str:
        """A declared name: a plain name (yhat_i) as it is, one letter and digits (A2) as the
        steps read it (A_2), LaTeX (\\hat y_i) read by the reader; anything else is
        refused."""
        digits = re.fullmatch(r"([A-Za-z])([0-9]+)", key)
        if digits:  # A2, as the steps read it: A_2
            return f"{digits.group(1)}_{digits.group(2)}"
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?", key):
            return key
        from derive.read.latex import parse_name

        try:
            return parse_name(key, context, source=self.path)
        except ParseError as error:
            raise self.error(f"cannot read the symbol {key!r}: {error.message}", where) from None

    def _aliases(self, table: Mapping[str, Any], context: Context) -> tuple[Alias, ...]:
        """``[aliases]``: a name the document writes for another; both may be written in
        LaTeX (``"\\hat y" = { means = "\\hat y_i" }`` is ŷ read as ŷᵢ)."""
        found: list[Alias] = []
        for key, spec in table.items():
            where = _key_at(key)
            name = self._symbol_name(key, context, where)
            if not isinstance(spec, dict) or "means" not in spec:
                raise self.error(f"alias {name!r} needs {{ means = ..., why = ... }}", where)
            self._known(spec, {"means", "why", "steps"}, f"alias {name!r}")
            steps = spec.get("steps", [])
            means = spec["means"]
            if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
                raise self.error(f"alias {name!r}: steps must be a list of step ids", where)
            if not (isinstance(means, str) or (isinstance(means, dict) and all(
                    isinstance(t, str) for t in means.values()))):
                raise self.error(f"alias {name!r}: means must be a name, or a table of the "
                                 "name it takes in each step", where)
            if isinstance(means, dict):  # the name it takes in each step
                if "steps" in spec:
                    raise self.error(f"alias {name!r}: a table of meanings already names "
                                     "its steps", where)
                targets: dict[str, list[str]] = {}
                for step, target in means.items():
                    target = self._symbol_name(str(target), context, where)
                    targets.setdefault(target, []).append(str(step))
                found.extend(Alias(name, target, str(spec.get("why", "")), tuple(steps))
                             for target, steps in targets.items())
                continue
            found.append(Alias(name, self._symbol_name(str(means), context, where),
                               str(spec.get("why", "")), tuple(str(s) for s in steps)))
        return tuple(found)

    def _definitions(self, table: Mapping[str, Any]) -> tuple[Definition, ...]:
        found = []
        for name, spec in table.items():
            where = _key_at(name)
            if not isinstance(spec, dict) or "latex" not in spec:
                raise self.error(f"definition {name!r} needs {{ latex = '...', note = ... }}",
                                 where)
            self._known(spec, {"latex", "note"}, f"definition {name!r}")
            if not isinstance(spec["latex"], str):
                raise self.error(f"definition {name!r}: latex must be a string", where)
            line, column, offset = _position_of(self.text, where)
            line, column = _value_position(self.text, "latex", offset,
                                           self.text.find("\n", offset) + 1 or len(self.text))
            found.append(Definition(name, str(spec["latex"]), str(spec.get("note", "")),
                                    line, column))
        return tuple(found)

    def _step_types(self, step: Mapping[str, Any], index: int, start: int) -> None:
        """The keys of a step whose values must have one type."""
        for key, types, what in (("id", (str, int), "a string"), ("lhs", (str,), "LaTeX"),
                                 ("reading", (str,), "the name of a reading"),
                                 ("define", (bool,), "true or false"),
                                 ("supplied", (bool,), "true or false"),
                                 ("kind", (str,), "a string"), ("label", (str,), "a string"),
                                 ("note", (str,), "a string")):
            value = step.get(key)
            if value is not None and (not isinstance(value, types) or
                                      (isinstance(value, bool) and bool not in types)):
                raise self.error(f"step {index + 1}: {key} must be {what}",
                                 rf"^[ \t]*{key}\s*=", start)

    def _claims(self, steps: Any) -> tuple[Claim, ...]:
        if not isinstance(steps, list):
            raise self.error("step must be an array of tables: [[step]]", r"^[ \t]*\[?step")
        blocks = _step_blocks(self.text)
        claims: list[Claim] = []
        seen: dict[str, int] = {}
        for index, step in enumerate(steps):
            start, stop = blocks[index] if index < len(blocks) else (0, len(self.text))
            if not isinstance(step, dict):
                raise self.error(f"step {index + 1} must be a table: [[step]]",
                                 r"^[ \t]*\[?step", start)
            self._known(step, _STEP_KEYS, f"step {index + 1}", start)
            self._step_types(step, index, start)
            identity = str(step.get("id", f"{index + 1}"))
            if identity in seen:
                raise self.error(f"duplicate step id {identity!r} (first at step {seen[identity]})",
                                 rf"^[ \t]*id\s*=\s*[\"']{re.escape(identity)}", start)
            seen[identity] = index + 1
            if "latex" not in step or not isinstance(step["latex"], str):
                raise self.error(f"step {identity!r} has no latex = '...'", r"^[ \t]*\[\[step\]\]",
                                 start)
            expect = step.get("expect")
            if expect is not None and expect not in EXPECTATIONS:
                raise self.error(f"unknown expect value {expect!r} in step {identity!r}",
                                 r"^[ \t]*expect\s*=", start, expected=EXPECTATIONS)
            assume = step.get("assume", [])
            if isinstance(assume, str):
                assume = [assume]
            if not isinstance(assume, list) or not all(isinstance(a, str) for a in assume):
                raise self.error(f"step {identity!r}: assume must be LaTeX or a list of LaTeX "
                                 "conditions", r"^[ \t]*assume\s*=", start)
            kind = str(step.get("kind", "definition" if step.get("define") else "claim"))
            if kind not in KINDS:
                raise self.error(f"unknown kind {kind!r} in step {identity!r}",
                                 r"^[ \t]*kind\s*=", start, expected=KINDS)
            line, column = _value_position(self.text, "latex", start, stop)
            claims.append(Claim(
                id=identity, label=str(step.get("label", "")), latex=step["latex"],
                expect=expect, line=line, column=column,
                define=bool(step.get("define", False)) or kind == "definition",
                assume=tuple(str(a) for a in assume), lhs=step.get("lhs"),
                note=str(step.get("note", "")), kind=kind,
                supplied=bool(step.get("supplied", False)),
                reading=str(step["reading"]) if "reading" in step else None,
            ))
        return tuple(claims)


def _names_the_steps_define(claims: tuple[Claim, ...], context: Context
                       ) -> tuple[Context, tuple[str, ...]]:
    """A ``define = true`` step written ``f(w) = …`` with f declared nothing else defines the
    function f (as a document's line does): f(…) is then a call in every step, not f·(…).
    A step whose whole first side is a word of LONG_RUN letters or more (``loss = …``)
    declares that word one name, as a document's line does; in a step marked a definition,
    a word of two letters or more does (``{Co} = (a_L − y)^2``: a product is never defined)."""
    from derive.read.documents import function_on_the_left, word_on_the_left
    from derive.read.latex import parse_name
    from derive.read.names import LONG_RUN

    words = {word for claim in claims if claim.lhs is None
             for word in [word_on_the_left(claim.latex)]
             if word is not None and word not in context.symbols
             and (len(word) >= LONG_RUN or claim.define)}
    said = tuple(f"{word} is one name, not a product of letters: a step's left side is "
                 "that word alone" for word in sorted(words))
    if words:
        context = context.with_symbols(*(SymbolInfo(word) for word in sorted(words)))
    found = set()
    for claim in claims:
        if not claim.define:
            continue
        written = function_on_the_left(claim.latex)
        if written is not None and _argument_only_subscripts(claim.latex):
            continue  # p(a) = e^{w_a^Tx}/…: the a-th entry of p, not a function of a value
        if written is None:
            continue
        try:
            name = parse_name(written, context)
        except DeriveError:
            continue
        if name not in context.symbols and not context.is_function(name):
            found.add(name)
    if found:
        context = replace(context, functions=context.functions | found)
    return context, said


def _read_as_a_name(name: str, differentials: str) -> bool:
    """Whether a name the file defines is declared to the reader too: dy_i (= ∂L/∂y_i), so
    dy is that name, not d·y; e, so e alone is that name and e^{…} the exponential; a letter
    z that the steps (``differentials``: their text, with [settings] vary) write as dz and
    never apply, so dz is its differential."""
    if _CODE_GRADIENT.fullmatch(name) or name == "e":
        return True
    return bool(re.fullmatch(r"[A-Za-z]", name)) and \
        re.search(rf"(?<![A-Za-z\\{{])d\s*{name}(?![A-Za-z_(])", differentials) is not None and \
        re.search(rf"(?<![A-Za-z\\]){name}\s*\(", differentials) is None


def _argument_only_subscripts(latex: str) -> bool:
    """Whether ``f(a) = …`` writes its one-letter argument on the right side only as a
    subscript (``e^{w_a^Tx}``): an index, so f(a) is an entry, not a function's value."""
    match = re.match(r"\s*\\?[A-Za-z]+\s*\(\s*([A-Za-z])\s*\)\s*&?\s*(?:=|:=|\\coloneqq)(.*)",
                     latex, re.DOTALL)
    if match is None:
        return False
    letter, right = match.group(1), match.group(2)
    anywhere = re.findall(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])", right)
    subscripts = re.findall(rf"_\s*\{{?\s*{letter}(?![A-Za-z])", right)
    return bool(anywhere) and len(anywhere) == len(subscripts)


_CALL_KEY = re.compile(r"\s*([^()]+?)\s*\((.+)\)\s*")
"""A ``[definitions]`` key that defines a function: ``f(t)``, ``J(\\theta)``."""


def _function_names(names: list[str]) -> frozenset[str]:
    """The names ``[functions]`` declares, as the steps read them: ``h_{\\theta}`` and
    ``h_\\theta`` declare h_theta (a name that does not read as one name is kept as written)."""
    from derive.read.latex import parse_name

    found = set()
    for name in names:
        word = upright_word(name)
        if word is not None:  # \text{GELU}: the word, as the steps' \text{GELU}(x) reads it
            found.add(word)
            continue
        try:
            found.add(parse_name(name, Context()))
        except DeriveError:
            continue
    return frozenset(found)


def read_domain(text: str) -> Domain:
    """``parse_domain``, with every way a written domain can be unreadable (a bound that is
    no number, a set with 1/0) raised as DeriveError."""
    try:
        return parse_domain(text)
    except DeriveError:
        raise
    except (ValueError, ArithmeticError):
        raise DeriveError(f"unknown domain {text!r}; expected one of real, positive, "
                          "nonnegative, negative, nonpositive, count, an interval such as "
                          "(0,1) or [0,1], or a set such as {0,1}") from None


def _kind(mode: int) -> str:
    return ("a directory" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a file")


def _unreadable(path: str, error: OSError) -> ProofFileError:
    return ProofFileError(f"cannot read the file: {error.strerror or error}", source=path,
                          placed=False)


def _too_large(what: str, path: str) -> ProofFileError:
    return ProofFileError(f"{what} more than {MAX_BYTES // (1024 * 1024)} MiB; expected a proof "
                          "file (TOML)", source=path, placed=False)


def read_bytes(path: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_BYTES``; anything else (a directory, a
    FIFO, a device, a larger file) is refused without blocking: a path that is not a regular
    file is refused before it is opened, the opened file is checked again (it may have been
    replaced meanwhile), and reading stops one byte past the limit."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise _unreadable(path, error) from None
    if not stat.S_ISREG(mode):
        raise ProofFileError(f"cannot read {_kind(mode)}: expected a proof file (TOML)",
                             source=path, placed=False)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
        getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise _unreadable(path, error) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise ProofFileError(f"cannot read {_kind(status.st_mode)}: expected a proof file "
                                 "(TOML)", source=path, placed=False)
        if status.st_size > MAX_BYTES:
            raise _too_large("the file holds", path)
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise _unreadable(path, error) from None
    finally:
        os.close(descriptor)
    if size > MAX_BYTES:  # a file that grew, or one whose size the system does not say
        raise _too_large("the file holds", path)
    return b"".join(chunks)


def decode(raw: bytes, path: str) -> str:
    """The text of a proof file's bytes: UTF-8 (a leading byte-order mark is dropped). Bytes
    that are not UTF-8 are refused with their line, column and byte offset."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        column = len(raw[start:error.start].decode("utf-8", errors="replace")) + 1
        shown = " ".join(f"0x{b:02x}" for b in raw[error.start:error.end][:4])
        raise ProofFileError(f"the file is not valid UTF-8: byte {shown} at byte offset "
                             f"{error.start}; expected a proof file in UTF-8", line=line,
                             column=column, source=path) from None
    return text.removeprefix("\ufeff")


def load(path: str, text: str | None = None) -> ProofDocument:
    """Read a proof file, or a document as posted (``text`` given for standard input).

    A path ending in ``.md``, ``.markdown``, ``.tex`` or ``.txt`` is a document (Markdown or
    LaTeX, read by ``derive.read.documents``); any other path is a proof file (TOML). Standard
    input (``-``) is a proof file when it parses as TOML or opens as TOML does (a ``[document]``
    or ``[[step]]`` header, ``key = value``), else a document."""
    from derive.read.documents import is_document, read_document

    if text is None:
        text = decode(read_bytes(path), path)
    document = is_document(path, text)
    if "\x00" in text:
        offset = text.index("\x00")
        expected = "a document (Markdown or LaTeX)" if document else "a proof file (TOML)"
        raise ProofFileError(f"the file contains a NUL byte; expected {expected}",
                             source=path, line=text.count("\n", 0, offset) + 1,
                             column=offset - (text.rfind("\n", 0, offset) + 1) + 1)
    if document:
        return read_document(path, text)
    return _Reader(path, text).read()


def from_latex(lines: list[str], *, functions: tuple[str, ...] = (),
               domains: Mapping[str, str] | None = None,
               indices: Mapping[str, str] | None = None,
               sizes: Mapping[str, int] | None = None) -> ProofDocument:
    """A proof document from LaTeX lines given on the command line; ``indices`` and
    ``sizes`` are a file's ``[indices]`` and ``[settings] sizes`` (``j`` → ``C``, ``C`` → 3)."""
    infos = [SymbolInfo(name, read_domain(d)) for name, d in (domains or {}).items()]
    context = Context(functions=frozenset(functions)).with_symbols(*infos)
    indices = dict(indices or {})
    for letter, count in indices.items():
        if not (re.fullmatch(r"[A-Za-z]", letter)
                and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", count)):
            raise DeriveError(f"--index {letter}={count}: write a letter and the name of the "
                              "count it runs up to, such as j=C")
    if indices:
        implied = [SymbolInfo(name, COUNT) for name in {*indices, *indices.values()}
                   if name not in context.symbols]
        context = replace(context.with_symbols(*implied), indices=indices)
    claims = tuple(
        Claim(id=str(i + 1), label="", latex=latex, expect=None, line=i + 1, column=1)
        for i, latex in enumerate(lines)
    )
    return ProofDocument(path="<command line>", text="\n".join(lines), title="command line",
                         source="", note="", context=context, claims=claims,
                         matrix=MatrixSettings(sizes=dict(sizes or {})))
