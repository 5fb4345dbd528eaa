"""derive: a symbolic derivation verifier for machine-learning gradients."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "steps"]


def steps(*args: Any, **kwargs: Any) -> Any:
    """The step-by-step derivation of a gradient, every step checked (see ``derive.api``)."""
    from derive.api import steps as _steps

    return _steps(*args, **kwargs)
