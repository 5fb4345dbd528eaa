"""The exception types of derive. This module imports nothing from the package."""

from __future__ import annotations


class DeriveError(Exception):
    """Base class of every error derive raises on purpose."""


class SourceError(DeriveError):
    """An error tied to a place in a text: file, line, column, what was expected."""

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        line: int = 1,
        column: int = 1,
        expected: tuple[str, ...] = (),
        source: str = "<input>",
        placed: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        self.expected = expected
        self.source = source
        # False: the error is about the file as a whole (it cannot be opened or decoded as
        # a whole), so no line and column are shown
        self.placed = placed
        # where the error sits in ``text`` when the error was moved into a larger file
        self.text_line, self.text_column = line, column

    def located(self, source: str, line_offset: int = 0, column_offset: int = 0) -> SourceError:
        """The same error, placed inside a larger file (for LaTeX read out of a proof file)."""
        moved = type(self)(
            self.message,
            text=self.text,
            line=self.line + line_offset,
            column=self.column + (column_offset if self.line == 1 else 0),
            expected=self.expected,
            source=source,
            placed=self.placed,
        )
        moved.text_line, moved.text_column = self.text_line, self.text_column
        return moved

    def excerpt(self) -> str:
        """The offending line with a caret under the column."""
        lines = self.text.splitlines() or [""]
        line, column = self.text_line, self.text_column
        shown = lines[line - 1] if 1 <= line <= len(lines) else ""
        if len(shown) > 120:
            start = max(0, column - 60)
            shown = shown[start : start + 120]
            caret_at = column - start
        else:
            caret_at = column
        return f"    {shown}\n    {' ' * max(caret_at - 1, 0)}^"

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.column}" if self.placed else self.source
        head = f"{where}: {self.message}"
        if self.expected:
            head += "\n  expected: " + ", ".join(self.expected)
        if self.text:
            head += "\n" + self.excerpt()
        return head


class ParseError(SourceError):
    """The reader could not read a LaTeX string unambiguously."""


class AmbiguityError(ParseError):
    """A LaTeX string has more than one reading; every reading is listed."""

    def __init__(self, message: str, *, readings: tuple[str, ...] = (), **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.readings = readings

    def located(self, source: str, line_offset: int = 0, column_offset: int = 0) -> SourceError:
        moved = super().located(source, line_offset, column_offset)
        moved.readings = self.readings  # type: ignore[attr-defined]
        return moved


class ProofFileError(SourceError):
    """A proof file is not usable: bad TOML, an unknown key, a duplicate id, ..."""


class MissingRuleError(DeriveError):
    """The engine has no rule for an operation; the operation is named."""

    def __init__(self, operation: str, expression: str = "") -> None:
        message = f"no differentiation rule for {operation}"
        if expression:
            message += f" (in {expression})"
        super().__init__(message)
        self.operation = operation


class UnknownRuleError(DeriveError):
    """A step cites a rule that is not in the rule table; the name is given."""

    def __init__(self, rule: str) -> None:
        super().__init__(f"no rule named {rule!r} in the rule table")
        self.rule = rule


class ShapeError(DeriveError):
    """Shapes do not conform; names the sub-expression and its shapes."""


class UnknownModelError(DeriveError):
    """A built-in model or variable name that does not exist."""


class BudgetExceeded(DeriveError):
    """A symbolic computation ran out of its time budget."""

    made = 0
    """How many times, in this process, a computation ran out of time (results that
    depended on timing are not kept between runs)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        BudgetExceeded.made += 1


class VerificationError(DeriveError):
    """Generated code or a derived step failed its independent check."""
