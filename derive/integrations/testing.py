r"""Assertions for tests: identities, derivatives and gradients, with readable failures.

::

    from derive.integrations.testing import assert_identity, assert_derivative, assert_gradient

    assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1-\sigma(z))")
    assert_derivative(r"-(y\log(\hat y) + (1-y)\log(1-\hat y))", r"\hat y",
                      r"\frac{\hat y - y}{\hat y(1-\hat y)}", y="{0,1}", yhat="(0,1)")
    assert_gradient(loss, grad, w, X)

Sides are ML-LaTeX strings (read by ``derive.read.latex``, never evaluated) or SymPy expressions;
domains are keywords such as ``y="{0,1}"`` or ``yhat="(0,1)"`` (names as the reader spells them:
``\hat y`` is ``yhat``, ``y_i`` is ``y_i``; a LaTeX key such as ``**{r"\hat y_i": "(0,1)"}`` is
read too). ``proved`` and ``checked`` pass; ``refuted`` fails with the counterexample;
``undecided`` fails unless ``allow_undecided=True``; anything else (``ill-formed``,
``unreadable``) fails with its reason. A failure is a ``DerivationAssertionError`` (an
``AssertionError``) carrying the verdict, the evidence, the counterexample and, when the checker
gives one, the diagnosis.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import sympy as sp

from derive.core.context import Context, SymbolInfo
from derive.core.domains import Domain, parse_domain
from derive.core.errors import DeriveError, ParseError
from derive.core.outcomes import Refuted, Verdict, verdict_of
from derive.emit.render import latex, link_evidence, text
from derive.read.proofs import Claim, ProofDocument
from derive.verify.check import LinkReport, StepReport, check_document

__all__ = [
    "Counterexample",
    "DerivationAssertionError",
    "Finding",
    "assert_derivative",
    "assert_gradient",
    "assert_identity",
    "check_derivative",
    "check_identity",
]

Side: TypeAlias = str | sp.Basic


@dataclass(frozen=True)
class Counterexample:
    """A point where the two sides differ, and their values there."""

    point: tuple[tuple[str, str], ...]
    lhs_value: str
    rhs_value: str
    lhs_name: str = "left side"
    rhs_name: str = "right side"

    def __str__(self) -> str:
        where = ", ".join(f"{text(name)} = {value}" for name, value in self.point)
        return (f"at {where}: {self.lhs_name} = {self.lhs_value}, "
                f"{self.rhs_name} = {self.rhs_value}")


@dataclass(frozen=True)
class Finding:
    """The outcome of one check: the verdict, its evidence, and what explains a failure."""

    what: str
    verdict: Verdict
    claim: str
    evidence: str = ""
    counterexample: Counterexample | None = None
    diagnosis: str | None = None
    written: tuple[tuple[str, str], ...] = ()
    report: StepReport | None = field(default=None, repr=False)

    def passed(self, allow_undecided: bool = False) -> bool:
        return self.verdict.holds or (allow_undecided and self.verdict == Verdict.UNDECIDED)

    @property
    def message(self) -> str:
        """The whole story, readable on its own."""
        lines = [f"{self.what} {self.verdict}: {self.claim}"]
        if self.counterexample is not None:
            lines.append(f"  counterexample: {self.counterexample}")
        if self.diagnosis:
            lines.append(f"  diagnosis: {self.diagnosis}")
        if self.evidence and self.evidence != str(self.counterexample):
            label = "evidence" if self.verdict.holds or self.counterexample else "why"
            lines.append(f"  {label}: {self.evidence}")
        if self.verdict == Verdict.UNDECIDED and self.what == "gradient":
            lines.append("  (finite differences cannot settle the derivative there; pass "
                         "allow_undecided=True to accept this, or test at another point)")
        elif self.verdict == Verdict.UNDECIDED:
            lines.append("  (neither a proof nor a counterexample was found in the budget; "
                         "pass allow_undecided=True to accept this, or a larger budget=)")
        width = max((len(name) for name, _ in self.written), default=0)
        for name, value in self.written:
            lines.append(f"  {name + ' as written:':<{width + 12}} {value}")
        return "\n".join(lines)


class DerivationAssertionError(AssertionError):
    """A failed ``assert_*``: the verdict, the evidence, the counterexample, the diagnosis."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.verdict = finding.verdict
        self.evidence = finding.evidence
        self.counterexample = finding.counterexample
        self.diagnosis = finding.diagnosis

    def __str__(self) -> str:
        return self.finding.message


# ---------------------------------------------------------------------------------------------
# identities and derivatives


def _context(domains: Mapping[str, str | Domain], functions: Sequence[str]) -> Context:
    from derive.read.latex import parse_name

    context = Context(functions=frozenset(functions))
    infos = []
    for key, value in domains.items():
        domain = parse_domain(value) if isinstance(value, str) else value
        name = key if key.isidentifier() else parse_name(key, context)
        infos.append(SymbolInfo(name, domain))
    return context.with_symbols(*infos)


def diagnosis_text(found: Any) -> str | None:
    """A diagnosis (``derive.verify.diagnose.Diagnosis`` or text) as one readable sentence."""
    if found is None:
        return None
    sentence = getattr(found, "sentence", None)
    if callable(sentence):
        return str(sentence(text))
    for attribute in ("explanation", "message"):
        value = getattr(found, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(found) or None


def _diagnosis(*records: Any) -> str | None:
    """The diagnosis the checker attached to a link or a step, when there is one."""
    for record in records:
        found = diagnosis_text(getattr(record, "diagnosis", None))
        if found:
            return found
    return None


def rule_remark(step: StepReport | None) -> str | None:
    """"The label names the product rule, but the step is taken by the chain rule"."""
    named = getattr(step, "named_rule", None)
    used = getattr(step, "used_rule", None)
    if named and used and named != used:
        return f"the label names the {named} rule, but the step is taken by the {used} rule"
    return None


def _finding(what: str, link: LinkReport | None, step: StepReport | None, verdict: Verdict,
             claim: str, written: tuple[tuple[str, str], ...], names: tuple[str, str],
             message: str = "") -> Finding:
    counterexample = None
    evidence = message
    if link is not None:
        outcome = link.outcome
        if link.verdict == Verdict.REFUTED and isinstance(outcome, Refuted):
            counterexample = Counterexample(tuple((str(n), str(v)) for n, v in outcome.point),
                                            str(outcome.lhs_value), str(outcome.rhs_value),
                                            *names)
            evidence = f"{counterexample}"
        else:
            evidence = link_evidence(link) or message
    return Finding(what, verdict, claim, evidence, counterexample, _diagnosis(link, step),
                   written, step)


def _unreadable(what: str, side: str, error: ParseError, written: str) -> Finding:
    where = f"column {error.column}" if error.line == 1 else \
        f"line {error.line}, column {error.column}"
    expected = f"; expected {', '.join(error.expected)}" if error.expected else ""
    excerpt = error.excerpt().rstrip() if error.text else ""
    claim = f"cannot read the {side} ({where}): {error.message}{expected}"
    if excerpt:
        claim += "\n" + excerpt
    return Finding(what, Verdict.UNREADABLE, claim, written=((side, written),))


def _read(value: Side, context: Context, side: str) -> sp.Expr:
    from derive.read.latex import parse_expression

    if isinstance(value, str):
        return parse_expression(value, context, source=side)
    if isinstance(value, sp.Basic):
        return value
    raise TypeError(f"the {side} must be a LaTeX string or a SymPy expression, not "
                    f"{type(value).__name__}")


def _symbolic(what: str, lhs: sp.Expr, rhs: sp.Expr, context: Context, budget: float,
              written: tuple[tuple[str, str], ...], names: tuple[str, str]) -> Finding:
    """Compare SymPy expressions directly (some side was not given as LaTeX)."""
    from derive.decide.equivalence import compare

    # one symbol per name, carrying its declared domain (real when none is declared)
    renamed = {s: context.symbol(s.name) for s in (lhs.free_symbols | rhs.free_symbols)
               if isinstance(s, sp.Symbol)}
    left, right = lhs.xreplace(renamed), rhs.xreplace(renamed)
    claim = f"{text(left)} = {text(right)}"
    try:
        left_value = left.doit() if left.has(sp.Derivative, sp.Subs) else left
        right_value = right.doit() if right.has(sp.Derivative, sp.Subs) else right
        outcome = compare(left_value, right_value, context.domains(), budget=budget)
    except (TypeError, ValueError, DeriveError) as error:
        return Finding(what, Verdict.ILL_FORMED, claim, str(error), written=written)
    verdict = verdict_of(outcome)
    link = LinkReport(left, right, verdict, outcome)
    finding = _finding(what, link, None, verdict, claim, written, names)
    if verdict == Verdict.REFUTED:
        from dataclasses import replace

        from derive.verify.diagnose import explain

        found = explain(left, right, domains=context.domains(), budget=min(budget, 2.0))
        if found is not None:
            finding = replace(finding, diagnosis=diagnosis_text(found))
    return finding


def _checked(what: str, lhs: str, rhs: str, context: Context, budget: float,
             written: tuple[tuple[str, str], ...], names: tuple[str, str]) -> Finding:
    """Check ``lhs = rhs`` written in LaTeX, the way ``derive check`` checks a step."""
    claim = Claim(id="1", label=what, latex=f"= {rhs}", expect=None, line=1, column=1,
                  lhs=lhs)
    document = ProofDocument(path=f"<{what}>", text=f"{lhs} = {rhs}", title=what, source="",
                             note="", context=context, claims=(claim,))
    report = check_document(document, budget=budget)
    if report.error is not None:
        message = getattr(report.error, "message", str(report.error))
        return Finding(what, Verdict.UNREADABLE, message, message, written=written)
    (step,) = report.steps
    link = step.links[0] if step.links else None
    shown = f"{text(link.lhs)} = {text(link.rhs)}" if link is not None else f"{lhs} = {rhs}"
    return _finding(what, link, step, step.verdict, shown, written, names,
                    step.message or (step.error.message if step.error else ""))


def check_identity(lhs: Side, rhs: Side, *, functions: Sequence[str] = (), budget: float = 5.0,
                   **domains: str | Domain) -> Finding:
    """The verdict on ``lhs = rhs`` (no exception); see ``assert_identity``."""
    context = _context(domains, functions)
    written = tuple((name, value) for name, value in (("left side", lhs), ("right side", rhs))
                    if isinstance(value, str))
    names = ("left side", "right side")
    parsed = []
    for side, value in (("left side", lhs), ("right side", rhs)):
        try:
            parsed.append(_read(value, context, side))
        except ParseError as error:
            return _unreadable("identity", side, error, str(value))
    if isinstance(lhs, str) and isinstance(rhs, str):
        return _checked("identity", lhs, rhs, context, budget, written, names)
    return _symbolic("identity", parsed[0], parsed[1], context, budget, written, names)


def _wrt_name(wrt: str | sp.Symbol, context: Context) -> str:
    from derive.read.latex import parse_name

    if isinstance(wrt, sp.Symbol):
        return str(wrt.name)
    if isinstance(wrt, str):
        return wrt if wrt in context.symbols else parse_name(wrt, context)
    raise TypeError(f"wrt must be a name or a SymPy symbol, not {type(wrt).__name__}")


def check_derivative(expr: Side, wrt: str | sp.Symbol, claimed: Side, *,
                     functions: Sequence[str] = (), budget: float = 5.0,
                     **domains: str | Domain) -> Finding:
    """The verdict on ``d expr / d wrt = claimed`` (no exception); see ``assert_derivative``."""
    context = _context(domains, functions)
    written = tuple((name, value) for name, value in (("expression", expr), ("claim", claimed))
                    if isinstance(value, str))
    names = ("true derivative", "claimed")
    try:
        name = _wrt_name(wrt, context)
    except ParseError as error:
        return _unreadable("derivative", "variable", error, str(wrt))
    parsed = []
    for side, value in (("expression", expr), ("claim", claimed)):
        try:
            parsed.append(_read(value, context, side))
        except ParseError as error:
            return _unreadable("derivative", side, error, str(value))
    variable = context.symbol(name)
    if isinstance(expr, str) and isinstance(claimed, str):
        from derive.read.latex import parse_name

        written_wrt = latex(name)
        try:
            round_trip = parse_name(written_wrt, context) == name
        except ParseError:
            round_trip = False
        if round_trip:
            derivative = rf"\frac{{d}}{{d {written_wrt}}}\left({expr}\right)"
            return _checked("derivative", derivative, claimed, context, budget, written,
                            names)
    renamed = {s: context.symbol(s.name) for s in parsed[0].free_symbols
               if isinstance(s, sp.Symbol)}
    derivative_expr = sp.Derivative(parsed[0].xreplace(renamed), variable)
    return _symbolic("derivative", derivative_expr, parsed[1], context, budget, written, names)


def assert_identity(lhs: Side, rhs: Side, *, allow_undecided: bool = False,
                    functions: Sequence[str] = (), budget: float = 5.0,
                    **domains: str | Domain) -> Finding:
    r"""Assert ``lhs = rhs`` on the declared domains.

    ``assert_identity(r"\frac{d}{dz}\sigma(z)", r"\sigma(z)(1-\sigma(z))")`` passes;
    ``functions`` names symbols read as functions (``J`` in ``J(w)``); ``budget`` is in seconds.
    Returns the ``Finding`` (verdict and evidence) when it passes.
    """
    __tracebackhide__ = True
    finding = check_identity(lhs, rhs, functions=functions, budget=budget, **domains)
    if not finding.passed(allow_undecided):
        raise DerivationAssertionError(finding)
    return finding


def assert_derivative(expr: Side, wrt: str | sp.Symbol, claimed: Side, *,
                      allow_undecided: bool = False, functions: Sequence[str] = (),
                      budget: float = 5.0, **domains: str | Domain) -> Finding:
    r"""Assert that the derivative of ``expr`` with respect to ``wrt`` is ``claimed``.

    ``wrt`` is a name (``"yhat"``), LaTeX (``r"\hat y"``) or a SymPy symbol.
    """
    __tracebackhide__ = True
    finding = check_derivative(expr, wrt, claimed, functions=functions, budget=budget,
                               **domains)
    if not finding.passed(allow_undecided):
        raise DerivationAssertionError(finding)
    return finding


# ---------------------------------------------------------------------------------------------
# gradients of NumPy code

TOLERANCES: dict[str, tuple[float, float]] = {
    "float64": (1e-5, 1e-8),
    "float32": (2e-3, 1e-4),
    "float16": (3e-2, 1e-2),
}
"""(rtol, atol) by the least precise floating dtype among the inputs and the gradients; the
default atol is relative to the largest entry of the gradient (see ``assert_gradient``)."""

_EPS = float(np.finfo(np.float64).eps)
_FIRST_STEP = _EPS ** (1 / 3)
_HALVINGS = 64
_ROUNDING = 16.0
"""Rounding of one finite difference, in machine epsilons of |f| over the step."""


def _least_precise(dtypes: Sequence[np.dtype[Any]]) -> str:
    bits = [np.finfo(d).bits for d in dtypes if np.issubdtype(d, np.floating)]
    least = min(bits, default=64)
    return "float16" if least <= 16 else "float32" if least <= 32 else "float64"


def _tolerances(dtypes: Sequence[np.dtype[Any]]) -> tuple[float, float]:
    return TOLERANCES[_least_precise(dtypes)]


def _gradient_failure(verdict: Verdict, claim: str, evidence: str) -> DerivationAssertionError:
    return DerivationAssertionError(Finding("gradient", verdict, claim, evidence))


def _scalar(value: Any, what: str) -> float:
    __tracebackhide__ = True
    array = np.asarray(value)
    if array.size != 1:
        raise _gradient_failure(Verdict.ILL_FORMED, f"{what} must return a scalar",
                                f"it returned an array of shape {array.shape}")
    return float(array.reshape(()))


@dataclass(frozen=True)
class _Partial:
    """A finite-difference estimate of one partial derivative.

    ``value`` is the central difference at the step where the central, forward and backward
    differences agree best, ``error`` bounds its error (twice their disagreement plus
    rounding); ``settled`` says they agree to rounding (no kink inside the step). ``left`` and
    ``right`` are the one-sided derivatives with their own error bounds (None: not found).
    """

    value: float
    error: float
    settled: bool
    left: tuple[float, float] | None
    right: tuple[float, float] | None


class _Step(NamedTuple):
    """The three differences at one step, how far they disagree, and the rounding."""

    central: float
    forward: float
    backward: float
    disagreement: float
    rounding: float

    @property
    def error(self) -> float:
        return 2 * self.disagreement + self.rounding


def _slope(f0: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    """The derivative at 0 of the parabola through (0, f0), a and b (offsets and values)."""
    (p, fp), (q, fq) = a, b
    return (fp - f0) * q / (p * (q - p)) - (fq - f0) * p / (q * (q - p))


def _partial(f: Callable[..., Any], inputs: list[np.ndarray[Any, Any]], index: int,
             position: tuple[int, ...], base: float) -> _Partial | None:
    """∂f/∂(inputs[index][position]) by finite differences whose stencil avoids kinks.

    Steps halve from ε^(1/3)·max(1, |x|); at each step the central difference over ±h/2 is
    compared with the second-order forward and backward differences over (h/2, h): they agree
    to O(h²) where f is smooth on [x - h, x + h] and differ by about the jump in slope where a
    kink lies inside. The step with the smallest disagreement wins. None when f is not finite
    near the point at every step.
    """
    __tracebackhide__ = True
    value = inputs[index]
    x = float(value[position])
    first = _FIRST_STEP * max(1.0, abs(x))
    smallest = 4 * math.ulp(x)
    seen: dict[float, tuple[float, float]] = {}

    def at(step: float) -> tuple[float, float]:
        if step not in seen:
            moved = value.copy()
            moved[position] = x + step
            shifted = list(inputs)
            shifted[index] = moved
            seen[step] = (float(moved[position]) - x, _scalar(f(*shifted), "f"))
        return seen[step]

    scales: list[_Step | None] = []
    best: _Step | None = None
    for k in range(_HALVINGS):  # one step: the points x ± h and x ± h/2
        outer, inner = first / 2**k, first / 2 ** (k + 1)
        if inner < smallest:
            break
        right_out, right_in, left_in, left_out = at(outer), at(inner), at(-inner), at(-outer)
        values = (base, right_out[1], right_in[1], left_in[1], left_out[1])
        if not all(math.isfinite(v) for v in values):
            scales.append(None)
            continue
        central = _slope(base, right_in, left_in)
        forward = _slope(base, right_in, right_out)
        backward = _slope(base, left_in, left_out)
        disagreement = max(abs(forward - central), abs(backward - central))
        rounding = _ROUNDING * _EPS * max(abs(v) for v in values) / inner
        step = _Step(central, forward, backward, disagreement, rounding)
        if not all(math.isfinite(v) for v in (central, forward, backward, step.error)):
            scales.append(None)
            continue
        scales.append(step)
        if best is None or step.error < best.error:
            best = step
        if 2 * disagreement <= rounding or 2 * rounding > best.error or \
                step.error > 8 * best.error:
            break  # smaller steps only add rounding
    if best is None:
        return None
    return _Partial(best.central, best.error, 2 * best.disagreement <= best.rounding,
                    _one_sided(scales, "backward"), _one_sided(scales, "forward"))


def _one_sided(scales: Sequence[_Step | None], which: str) -> tuple[float, float] | None:
    """The one-sided derivative (``which``: "forward" or "backward") at the step where it
    changes least from the step before, with twice that change plus rounding as its error."""
    found: tuple[float, float] | None = None
    for previous, step in itertools.pairwise(scales):
        if previous is None or step is None:
            continue
        value = float(getattr(step, which))
        error = 2 * abs(value - float(getattr(previous, which))) + step.rounding
        if found is None or error < found[1]:
            found = (value, error)
    return found


def assert_gradient(f: Callable[..., Any], grad_f: Callable[..., Any], *arrays: Any,
                    rtol: float | None = None, atol: float | None = None,
                    allow_undecided: bool = False) -> None:
    """Assert that ``grad_f`` is the gradient of the scalar function ``f`` at ``arrays``.

    The reference is a finite difference in float64 at every entry of every input, with a
    step chosen so that the stencil never straddles a kink (``_partial``); ``grad_f(*arrays)``
    returns one array per input (an array alone for one input), each of its input's shape.
    An entry passes when ``|g - n| <= atol + rtol * max(|g|, |n|) + e``, ``e`` being the
    finite difference's own error bound. ``rtol`` and ``atol`` follow the least precise float
    dtype among inputs and gradients (``TOLERANCES``) unless given; the default ``atol`` is
    that table's value times the largest entry of the gradient, plus 16 machine epsilons of
    that dtype, so tiny gradients are compared at their own scale. At a kink the claimed
    value passes when it is one of the one-sided derivatives; an entry that finite
    differences cannot settle fails as ``undecided`` unless ``allow_undecided=True``.
    """
    __tracebackhide__ = True
    if not arrays:
        raise TypeError("assert_gradient needs at least one input array")
    given = [np.asarray(a) for a in arrays]
    inputs = [a.astype(np.float64) for a in given]
    claimed_raw = grad_f(*arrays)
    if isinstance(claimed_raw, tuple | list):
        claimed = [np.asarray(g) for g in claimed_raw]
    else:
        claimed = [np.asarray(claimed_raw)]
    if len(claimed) != len(inputs):
        raise _gradient_failure(
            Verdict.ILL_FORMED,
            f"grad_f returned {len(claimed)} gradients for {len(inputs)} inputs",
            "return one array per input, in the order of the inputs")
    for index, (gradient, value) in enumerate(zip(claimed, inputs, strict=True)):
        if gradient.shape != value.shape:
            raise _gradient_failure(
                Verdict.ILL_FORMED, f"the gradient for input {index} has shape {gradient.shape}, "
                f"but the input has shape {value.shape}",
                "a gradient has the shape of its input (a transposed factor gives the "
                "transposed shape)")
        if not (np.issubdtype(gradient.dtype, np.number) or gradient.dtype == np.bool_):
            raise _gradient_failure(
                Verdict.ILL_FORMED, f"the gradient for input {index} is not numeric",
                f"its dtype is {gradient.dtype}")
    dtypes = [a.dtype for a in given + claimed]
    default_rtol, default_atol = _tolerances(dtypes)
    rtol = default_rtol if rtol is None else rtol
    base = _scalar(f(*inputs), "f")
    if not math.isfinite(base):
        raise _gradient_failure(Verdict.UNDECIDED, f"f is not finite at the point ({base})",
                                "finite differences need a finite value")
    partials = [{position: _partial(f, inputs, index, position, base)
                 for position in np.ndindex(value.shape)}
                for index, value in enumerate(inputs)]
    numeric = [np.array([p.value if p is not None else np.nan for p in found.values()],
                        dtype=np.float64).reshape(value.shape)
               for found, value in zip(partials, inputs, strict=True)]
    analytic = [g.astype(np.float64) for g in claimed]
    if atol is None:
        scale = max((float(np.max(np.abs(n), initial=0.0, where=np.isfinite(n)))
                     for n in numeric), default=0.0)
        least = np.finfo(np.dtype(_least_precise(dtypes))).eps
        atol = default_atol * scale + 16 * float(least)
    refuted: list[tuple[float, int, tuple[int, ...]]] = []
    undecided: list[tuple[int, tuple[int, ...]]] = []
    for index, found in enumerate(partials):
        for position, partial in found.items():
            verdict, excess = _judge(float(analytic[index][position]), partial, rtol, atol)
            if verdict == Verdict.REFUTED:
                refuted.append((excess, index, position))
            elif verdict == Verdict.UNDECIDED:
                undecided.append((index, position))
    entries = sum(a.size for a in analytic)
    if refuted:
        _, index, position = max(refuted, key=lambda r: r[0])
        worst = partials[index][position]
        shown = f"{numeric[index][position]:.6g}"
        if worst is not None and not worst.settled and worst.error > atol + rtol * abs(
                worst.value):
            shown += f" ± {worst.error:.2g}"
        counterexample = Counterexample(_where(index, position),
                                        f"{analytic[index][position]:.6g}", shown, "grad_f",
                                        "finite difference")
        evidence = (f"{len(refuted)} of {entries} entries differ beyond rtol={rtol:g}, "
                    f"atol={atol:g} and the finite difference's error")
        if undecided:
            evidence += f"; {len(undecided)} more could not be decided"
        raise DerivationAssertionError(Finding(
            "gradient", Verdict.REFUTED, "grad_f is not the gradient of f", evidence,
            counterexample, _gradient_diagnosis(analytic, _trusted(numeric, partials, rtol, atol),
                                                rtol, atol)))
    if undecided and not allow_undecided:
        index, position = undecided[0]
        raise DerivationAssertionError(Finding(
            "gradient", Verdict.UNDECIDED,
            f"finite differences cannot decide {len(undecided)} of {entries} entries",
            _undecided_evidence(analytic[index][position], partials[index][position],
                                index, position)))


def _trusted(numeric: list[np.ndarray[Any, Any]],
             partials: list[dict[tuple[int, ...], _Partial | None]], rtol: float,
             atol: float) -> list[np.ndarray[Any, Any]]:
    """The estimates, with NaN where a kink leaves the derivative unsettled (so that no slip
    is named from them)."""
    out = []
    for values, found in zip(numeric, partials, strict=True):
        values = values.copy()
        for position, partial in found.items():
            if partial is None or (not partial.settled
                                   and partial.error > atol + rtol * abs(partial.value)):
                values[position] = np.nan
        out.append(values)
    return out


def _where(index: int, position: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    entry = "[" + ", ".join(str(i) for i in position) + "]"
    return (("input", str(index)),) + ((("entry", entry),) if position else ())


def _judge(claimed: float, partial: _Partial | None, rtol: float,
           atol: float) -> tuple[Verdict | None, float]:
    """None when the entry passes; otherwise refuted (with how far beyond the tolerance) or
    undecided."""
    if partial is None:
        return Verdict.UNDECIDED, 0.0
    if not math.isfinite(claimed):
        return Verdict.REFUTED, math.inf
    numeric = partial.value
    tolerance = atol + rtol * max(abs(claimed), abs(numeric))
    allowed = tolerance + partial.error
    if abs(claimed - numeric) > allowed:
        return Verdict.REFUTED, abs(claimed - numeric) / allowed if allowed > 0 else math.inf
    if partial.error <= tolerance or partial.settled:
        return None, 0.0
    for side in (partial.left, partial.right):
        if side is not None and abs(claimed - side[0]) <= tolerance + side[1]:
            return None, 0.0  # one of the one-sided derivatives at a kink
    return Verdict.UNDECIDED, 0.0


def _undecided_evidence(claimed: float, partial: _Partial | None, index: int,
                        position: tuple[int, ...]) -> str:
    where = ", ".join(f"{name} {value}" for name, value in _where(index, position))
    if partial is None:
        return f"at {where}: f is not finite near the point at any step"
    sides = ", ".join(f"{name} ≈ {side[0]:.6g}" for name, side in
                      (("from the left", partial.left), ("from the right", partial.right))
                      if side is not None)
    return (f"at {where}: grad_f = {claimed:.6g}, but no step gives a consistent finite "
            f"difference (a kink at or next to the point): central ≈ {partial.value:.6g} "
            f"± {partial.error:.2g}" + (f"; one-sided derivatives {sides}" if sides else ""))


def _gradient_diagnosis(analytic: list[np.ndarray[Any, Any]],
                        numeric: list[np.ndarray[Any, Any]], rtol: float,
                        atol: float) -> str | None:
    """Name a slip that explains every entry: a flipped sign or a constant factor."""
    a = np.concatenate([x.ravel() for x in analytic])
    n = np.concatenate([x.ravel() for x in numeric])
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(n))):
        return None
    if np.allclose(a, -n, rtol=rtol, atol=atol):
        return "grad_f is the negative of the true gradient: the overall sign is flipped"
    big = np.abs(n) > 100 * atol
    if big.any():
        ratio = float(np.median(a[big] / n[big]))
        if ratio != 0 and np.allclose(a, ratio * n, rtol=rtol, atol=atol):
            return (f"grad_f is {ratio:.6g} times the true gradient: a constant factor is "
                    "wrong (a dropped 1/m, 2 or -1?)")
    for index, (x, y) in enumerate(zip(analytic, numeric, strict=True)):
        if np.allclose(x, -y, rtol=rtol, atol=atol) and not np.allclose(x, y, rtol=rtol,
                                                                         atol=atol):
            return f"the gradient for input {index} has its sign flipped"
    return None
