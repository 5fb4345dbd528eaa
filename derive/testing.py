"""Assertions for tests: the public name of :mod:`derive.integrations.testing`."""

from derive.integrations.testing import *  # noqa: F403
from derive.integrations.testing import __all__ as __all__
