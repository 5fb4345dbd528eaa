"""Naming the mistake: mal-rules, the rule a step uses, and its place on the engine's route.

A refuted step is explained the way a tutor does it: its target is re-derived with one rule of
the engine swapped for a known buggy version (``engine.differentiate(..., overrides=...)``, at
one place of the derivation at a time), and known slips are applied to the correct result or
undone on the claim. A mal-rule is named only when ``equivalence.compare`` shows that it
reproduces the claim (``Proved`` or ``Checked``).

The modules, in the order they build on each other:

* ``sides``: what is read off a side (its value, its derivatives, whether it is a matrix);
* ``screen``: the values of an expression at a few fixed sample points, a cheap first test;
* ``judge``: whether a candidate equals the value it must reproduce (``compare``, or entry
  by entry for matrices);
* ``buggy_rules`` and ``slips``: the functions that commit each known mistake;
* ``catalogue``: ``MAL_RULES``, one ``MalRule`` record per mistake, most specific first;
* ``printing`` and ``sentences``: how a diagnosis is said (``show``, ``Diagnosis``);
* ``search``: ``explain``, ``explain_links``, ``cancelling``;
* ``matching``, ``justification`` and ``labels``: the rule that takes a step
  (``rules_applied``, ``justifying_rule``), the rule its label names (``rule_named``) and
  whether that rule takes it (``takes_step``);
* ``alignment``: ``align``, the step's place on the engine's route.
"""

from __future__ import annotations

from derive.verify.diagnose.alignment import align
from derive.verify.diagnose.buggy_rules import (
    inner_derivative_dropped,
    log_without_inner,
    power_not_reduced,
    product_of_derivatives,
    quotient_numerator_swapped,
    sigmoid_prime_as_sigmoid,
    sigmoid_prime_plus,
)
from derive.verify.diagnose.catalogue import MAL_RULES
from derive.verify.diagnose.justification import justifying_rule, rules_applied
from derive.verify.diagnose.labels import rule_named, rules_named, takes_step
from derive.verify.diagnose.printing import show
from derive.verify.diagnose.search import cancelling, explain, explain_links
from derive.verify.diagnose.sentences import Diagnosis
from derive.verify.diagnose.sides import side_value as _value
from derive.verify.diagnose.slips import (
    constant_factor_wrong,
    factor_transposed,
    overall_sign_flipped,
    product_kind_swapped,
    sum_missing,
    term_sign_flipped,
)

__all__ = [
    "MAL_RULES",
    "Diagnosis",
    "_value",
    "align",
    "cancelling",
    "constant_factor_wrong",
    "explain",
    "explain_links",
    "factor_transposed",
    "inner_derivative_dropped",
    "justifying_rule",
    "log_without_inner",
    "overall_sign_flipped",
    "power_not_reduced",
    "product_kind_swapped",
    "product_of_derivatives",
    "quotient_numerator_swapped",
    "rule_named",
    "rules_applied",
    "rules_named",
    "show",
    "sigmoid_prime_as_sigmoid",
    "sigmoid_prime_plus",
    "sum_missing",
    "takes_step",
    "term_sign_flipped",
]
