"""An adversarial soundness corpus for ``derive check``: claims whose truth is established
without derive, and tests that the checker never proves a false claim or refutes a true one.

- ``corpus/``: the claims by category; ``corpus.ALL``, ``corpus.FAST`` (CI), holdout marks.
- ``truth.py``: each claim's truth from mpmath at 60 and 120 digits (a witness if false).
- ``runner.py``: one claim through ``derive.verify.check``; ``unsound(claim, verdict)``.
- ``test_truth.py``, ``test_soundness.py``: the fast subset by default, everything with
  ``-m slow``.
- ``python -m tests.soundness.table [--fast] [--kind K] [--jobs N]``: the confusion table.
"""
