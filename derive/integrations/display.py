"""Derivations and reports in Jupyter: rendered math (MathML in HTML) and Markdown.

``register()`` adds HTML and Markdown formatters for ``Derivation``, ``Report`` and
``DocumentReport`` to the running IPython shell, so that a derivation or a report left as
the last expression of a cell shows as rendered math. ``to_html`` and ``to_markdown`` give the
same content as strings.
"""

from __future__ import annotations

from typing import Any

from derive.core.records import Derivation
from derive.emit.html import html_fragment
from derive.emit.render import MarkdownRenderer
from derive.verify.check import DocumentReport, Report

__all__ = ["register", "to_html", "to_markdown"]

DISPLAYED: tuple[type, ...] = (Derivation, Report, DocumentReport)


def to_html(record: Any) -> str:
    """An HTML fragment with its own styles; math as MathML (no script, no network)."""
    return html_fragment(record)


def to_markdown(record: Any) -> str:
    """Markdown with LaTeX math (``$...$``), as ``derive ... --format markdown`` writes it."""
    if isinstance(record, DocumentReport):
        record = Report((record,))
    return str(MarkdownRenderer().render(record))


def _running_shell() -> Any:
    import importlib

    try:
        module = importlib.import_module("IPython.core.getipython")
    except ImportError:
        return None
    return module.get_ipython()


def register(shell: Any = None) -> bool:
    """Register the formatters with ``shell`` (the running IPython shell by default).

    Returns False, doing nothing, when IPython is not installed or not running.
    """
    shell = shell if shell is not None else _running_shell()
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    for kind in DISPLAYED:
        formatters["text/html"].for_type(kind, to_html)
        formatters["text/markdown"].for_type(kind, to_markdown)
    return True
