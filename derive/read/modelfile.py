r"""Model files: a user's own model for ``derive codegen model.toml`` (and ``derive steps``).

A model file is TOML in the proof files' notation: ``[symbols]`` declares the data and the
parameters with their shapes and domains, ``[definitions]`` gives every intermediate and the
loss in forward order, in LaTeX, one per key::

    [model]
    title = "Two hidden layers, squared error"

    [symbols]
    X   = { shape = ["m", "d"], note = "the batch, one example per row" }
    y   = { shape = ["m", "1"] }
    W_1 = { shape = ["d", "h"] }
    b_1 = { shape = ["1", "h"] }
    w_2 = { shape = ["h", "1"] }
    b_2 = {}

    [definitions]
    a_1 = 'X W_1 + b_1'
    h_1 = '\tanh(a_1)'
    a_2 = 'h_1 w_2 + b_2'
    L   = '\frac{1}{2m}\sum_{i=1}^{m} (a_{2,i} - y_i)^2'

This module reads the file into a ``ModelSource`` (names, declared shapes and domains, the
definitions' LaTeX with their places in the file); ``derive.engine.modelfile`` turns it into
a model the engine differentiates. Every error names the file, the line and the column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.core.context import Context
from derive.read.proofs import (
    Definition,
    MatrixSettings,
    _key_at,
    _position_of,
    _Reader,
    _value_position,
    decode,
    read_bytes,
)

_TOP_KEYS = {"model", "symbols", "definitions", "settings"}
_MODEL_KEYS = {"title", "note", "data", "parameters", "output"}
_SETTINGS_KEYS = {"batch", "sizes"}


@dataclass(frozen=True)
class ModelSource:
    """A model file read: its declared names and its definitions in forward order."""

    path: str
    text: str
    name: str
    title: str
    note: str
    context: Context
    definitions: tuple[Definition, ...]
    data: tuple[str, ...] | None = None
    parameters: tuple[str, ...] | None = None
    output: str | None = None
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    places: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Line and column of each declared name's key, for errors about a name."""


def is_model_file(path: str) -> bool:
    """A path that names a model file rather than a built-in model: it ends in ``.toml``."""
    return path.endswith(".toml")


class _ModelReader(_Reader):
    """Reads one model file; every error names the file, the line and the column."""

    def read_model(self) -> ModelSource:
        data = self.toml()
        for key in data:
            if key not in _TOP_KEYS:
                raise self.error(f"unknown section [{key}] in a model file",
                                 rf"^[ \t]*\[+{re.escape(key)}\]",
                                 expected=tuple(sorted(_TOP_KEYS)))
        model = self._table(data, "model")
        self._known(model, _MODEL_KEYS, "model")
        for key in ("title", "note", "output"):
            if key in model and not isinstance(model[key], str):
                raise self.error(f"[model] {key} must be a string", rf"^[ \t]*{key}\s*=")
        settings = self._table(data, "settings")
        self._known(settings, _SETTINGS_KEYS, "settings")
        context = Context()
        symbols = self._table(data, "symbols")
        context = context.with_symbols(*self._symbols(symbols, context))
        definitions = self._model_definitions(self._table(data, "definitions"), context)
        if not definitions:
            raise self.error("a model file needs [definitions]: each intermediate and the loss "
                             "in forward order, such as a_1 = 'X W_1 + b_1'")
        places = {}
        for key in symbols:
            line, column, _ = _position_of(self.text, _key_at(key))
            places[self._symbol_name(key, context, "^")] = (line, column)
        output = model.get("output")
        return ModelSource(
            path=self.path, text=self.text, name=Path(self.path).stem or "model",
            title=str(model.get("title", Path(self.path).stem)), note=str(model.get("note", "")),
            context=context, definitions=definitions,
            data=self._names(model, "data", context),
            parameters=self._names(model, "parameters", context),
            output=self._symbol_name(output, context, r"^[ \t]*output\s*=") if output else None,
            matrix=self._matrix_settings(settings, "settings"), places=places,
        )

    def _names(self, model: Mapping[str, Any], key: str, context: Context
               ) -> tuple[str, ...] | None:
        if key not in model:
            return None
        where = rf"^[ \t]*{key}\s*="
        value = model[key]
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            raise self.error(f"[model] {key} must be a list of names, such as [\"X\", \"y\"]",
                             where)
        return tuple(self._symbol_name(n, context, where) for n in value)

    def _model_definitions(self, table: Mapping[str, Any], context: Context
                           ) -> tuple[Definition, ...]:
        """Definitions written ``name = 'LaTeX'`` or, as in proof files,
        ``name = { latex = '...', note = '...' }``."""
        found = []
        for key, spec in table.items():
            where = _key_at(key)
            name = self._symbol_name(key, context, where)
            line, column, offset = _position_of(self.text, where)
            end = self.text.find("\n", offset) + 1 or len(self.text)
            if isinstance(spec, str):
                line, column = _value_position(self.text, key, offset, end)
                found.append(Definition(name, spec, "", line, column))
                continue
            if not isinstance(spec, dict) or not isinstance(spec.get("latex"), str):
                raise self.error(f"definition {key!r} must be LaTeX, such as "
                                 f"{key} = 'X W + b', or {{ latex = '...', note = '...' }}",
                                 where)
            self._known(spec, {"latex", "note"}, f"definition {key!r}")
            line, column = _value_position(self.text, "latex", offset, end)
            found.append(Definition(name, spec["latex"], str(spec.get("note", "")), line,
                                    column))
        return tuple(found)


def load_model_file(path: str, text: str | None = None) -> ModelSource:
    """Read a model file (``text`` given: its contents, for standard input or tests)."""
    if text is None:
        text = decode(read_bytes(path), path)
    return _ModelReader(path, text).read_model()
