"""Hypothesis strategies: the public name of :mod:`derive.integrations.strategies`."""

from derive.integrations.strategies import *  # noqa: F403
from derive.integrations.strategies import __all__ as __all__
