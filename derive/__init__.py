"""derive: a symbolic derivation verifier for machine-learning gradients."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "steps"]


def steps(*args: Any, **kwargs: Any) -> Any:
    """The step-by-step derivation of a gradient, every step checked (see ``derive.api``)."""
    from derive.api import steps as _steps

    return _steps(*args, **kwargs)


def _show_in_notebooks() -> None:
    """In IPython or Jupyter, derivations and reports display as rendered math."""
    import contextlib
    import sys

    if "IPython" in sys.modules:
        with contextlib.suppress(Exception):
            from derive.integrations.display import register

            register()


_show_in_notebooks()
