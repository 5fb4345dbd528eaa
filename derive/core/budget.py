"""Time budgets for slow symbolic calls: the answer is "out of time", never a hang.

Two mechanisms, chosen per call by :func:`run_with_budget`:

* **In the main thread** (where ``SIGALRM`` exists) the call runs in-process under
  ``signal.setitimer(ITIMER_REAL)``. The ``SIGALRM`` handler raises
  :class:`~derive.core.errors.BudgetExceeded`, which interrupts pure-Python code (all of SymPy)
  between two bytecodes. Budgets nest: a module-level stack holds every active budget, the
  timer is always armed for the earliest deadline on it, and when the handler fires it raises
  for the *outermost* expired budget, so an outer budget still fires on time while an inner one
  is running, and an inner budget ending re-arms the timer for what is left of the outer ones.
  Because library code sometimes swallows exceptions (``except Exception``), an expired budget
  fires again every ``REFIRE_INTERVAL`` seconds until its block is left, and a budget that
  fired but whose call returned anyway still raises. A timer and handler that were in place
  before the outermost budget (someone else's ``SIGALRM``) are honoured while budgets run (a
  Python handler is called when its timer is due; a default or ignored disposition is not
  emulated) and restored afterwards. An error raised by the block after its budget fired (a
  library that turned the alarm into an error of its own) is reported as ``BudgetExceeded``.
  SymPy's global switches (``evaluate``, ``distribute``, ``exp_is_pow``) are put back after an
  interruption, so the process stays usable. Leaving a block re-arms or clears the timer even
  when an alarm interrupts the leaving itself, so no timer of a finished block stays armed.

  Limits: a single long call into C (a huge big-integer product) is only interrupted when it
  returns to Python; a ``SIGALRM`` that arrives while Python runs a garbage-collector callback
  is lost, which the re-firing covers.

* **Elsewhere** (another thread, or no ``SIGALRM``) signals cannot be used, so the call runs in
  a forked worker process (``multiprocessing`` "fork" context) that is killed when time runs
  out; its result comes back pickled. Where fork is unavailable, or the result cannot be
  pickled, the call runs in-process without interruption and the time is checked afterwards
  (``BudgetExceeded`` if it overran): slower to give up, but never a wrong answer. Forking a
  multi-threaded process is what this fallback does by design (the worker only computes and
  returns a value); a lock held by another thread at the fork stays held in the worker, so a
  call that needs such a lock runs out its budget there instead of answering.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any, TypeVar

from sympy.core.parameters import global_parameters

from derive.core.errors import BudgetExceeded, DeriveError

T = TypeVar("T")

REFIRE_INTERVAL = 0.05
"""Seconds between repeated alarms for a budget that expired but whose block is still running."""

_MIN_ARM = 1e-4
"""The shortest timer armed: ``setitimer`` with 0 would disarm instead of firing at once."""

_WORKER_GRACE = 1.0
"""Seconds given to a killed worker process to go away."""


class Deadline:
    """A point in time after which work should stop; ``None`` seconds means no limit."""

    __slots__ = ("_end",)

    def __init__(self, seconds: float | None) -> None:
        self._end: float | None = None if seconds is None else time.monotonic() + seconds

    @property
    def end(self) -> float | None:
        """The deadline on the ``time.monotonic`` clock, or ``None`` for no limit."""
        return self._end

    def remaining(self) -> float:
        """Seconds left (never negative); ``math.inf`` when there is no limit."""
        if self._end is None:
            return math.inf
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self._end is not None and time.monotonic() >= self._end

    def child(self, seconds: float | None) -> Deadline:
        """A sub-budget of at most ``seconds`` that never outlives this one."""
        sub = Deadline(seconds)
        if self._end is not None and (sub._end is None or sub._end > self._end):
            sub._end = self._end
        return sub

    def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` under what is left of this deadline (see :func:`run_with_budget`)."""
        return run_with_budget(fn, self.remaining())

    def __repr__(self) -> str:
        left = self.remaining()
        return "Deadline(None)" if left == math.inf else f"Deadline(remaining={left:.3f})"


def can_interrupt() -> bool:
    """Whether a budget can interrupt code running in this thread (signals are usable)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def run_with_budget(fn: Callable[[], T], seconds: float) -> T:
    """Return ``fn()``, or raise ``BudgetExceeded`` once ``seconds`` have passed.

    In the main thread the call is interrupted by ``SIGALRM``; elsewhere it runs in a forked
    worker process (see the module docstring for both mechanisms and their limits).
    """
    if math.isnan(seconds):
        raise ValueError("a budget must be a number of seconds, not NaN")
    if can_interrupt():
        with time_limit(seconds):
            return fn()
    if seconds == math.inf:
        return fn()
    if seconds <= 0:
        raise BudgetExceeded(_message(seconds))
    return _run_in_worker(fn, seconds)


class time_limit:  # lower case: reads like a function, ``with time_limit(2.0): ...``
    """Raise ``BudgetExceeded`` inside a ``with`` block once ``seconds`` have passed.

    In the main thread the block is interrupted by ``SIGALRM``; on leaving it (normally or by
    an exception) no timer of this block stays armed and the previous handler is restored.
    Where signals are unusable the block cannot be interrupted: it runs to its end and
    ``BudgetExceeded`` is raised afterwards if it overran.
    """

    def __init__(self, seconds: float) -> None:
        if math.isnan(seconds):
            raise ValueError("a budget must be a number of seconds, not NaN")
        self.seconds = seconds
        self._frame: _Frame | None = None
        self._start = 0.0

    def __enter__(self) -> time_limit:
        self._start = time.monotonic()
        if not can_interrupt() or self.seconds == math.inf:
            return self
        frame = _Frame(self.seconds, self._start + self.seconds, sympy_state=_snapshot_sympy())
        self._frame = frame
        try:
            _enter(frame)
        except BaseException:
            _leave_fully(frame)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        frame = self._frame
        if frame is None:
            if exc_type is None and time.monotonic() - self._start > self.seconds:
                raise BudgetExceeded(_message(self.seconds))
            return
        self._frame = None
        pending = _leave_fully(frame)
        if frame.fired or pending is not None or isinstance(exc, BudgetExceeded):
            _restore_sympy(frame.sympy_state)
        if pending is not None and exc_type is None:
            raise pending
        if frame.fired and exc_type is None:
            # the alarm fired, but its exception was swallowed inside the block
            raise BudgetExceeded(_message(self.seconds))
        if frame.fired and isinstance(exc, Exception) and not isinstance(exc, BudgetExceeded):
            # the block turned the alarm into another error: report the real cause
            raise BudgetExceeded(_message(self.seconds)) from exc


# --- the signal mechanism (main thread only) -------------------------------------------------


@dataclass
class _Frame:
    """One active budget on the stack."""

    seconds: float
    deadline: float
    fired: bool = False
    sympy_state: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Foreign:
    """The ``SIGALRM`` handler and timer in place before the outermost budget began."""

    handler: Any
    deadline: float | None
    interval: float
    delivered: bool = False


_SYMPY_SWITCHES = ("evaluate", "distribute", "exp_is_pow")
_stack: list[_Frame] = []
_foreign: _Foreign | None = None


def _message(seconds: float) -> str:
    return f"time budget of {seconds:.3g} s exceeded"


def _snapshot_sympy() -> dict[str, Any]:
    return {
        name: getattr(global_parameters, name)
        for name in _SYMPY_SWITCHES
        if hasattr(global_parameters, name)
    }


def _restore_sympy(state: dict[str, Any]) -> None:
    for name, value in state.items():
        if getattr(global_parameters, name, value) != value:
            setattr(global_parameters, name, value)


def _enter(frame: _Frame) -> None:
    """Push ``frame`` and arm the timer; raise at once if it, or a budget around it, is spent."""
    global _foreign
    now = time.monotonic()
    if frame.seconds <= 0:
        raise BudgetExceeded(_message(frame.seconds))
    for outer in _stack:
        if now >= outer.deadline:
            raise BudgetExceeded(_message(outer.seconds))
    if not _stack:
        handler = signal.getsignal(signal.SIGALRM)
        delay, interval = signal.getitimer(signal.ITIMER_REAL)
        _foreign = _Foreign(handler, now + delay if delay > 0 else None, interval)
        signal.signal(signal.SIGALRM, _on_alarm)
    _stack.append(frame)
    _arm()


def _leave(frame: _Frame) -> None:
    """Take ``frame`` off the stack and re-arm for what is left; safe to repeat."""
    global _foreign
    if frame in _stack:
        _stack.remove(frame)
    if _stack:
        _arm()
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    foreign = _foreign
    if foreign is None:
        return
    signal.signal(signal.SIGALRM, foreign.handler)
    _foreign = None
    if foreign.deadline is not None and not foreign.delivered:
        left = max(foreign.deadline - time.monotonic(), _MIN_ARM)
        signal.setitimer(signal.ITIMER_REAL, left, foreign.interval)
    elif foreign.interval > 0:
        signal.setitimer(signal.ITIMER_REAL, foreign.interval, foreign.interval)


def _leave_fully(frame: _Frame) -> BudgetExceeded | None:
    """Leave ``frame`` even if an alarm interrupts the leaving; return such an alarm."""
    pending: BudgetExceeded | None = None
    while True:
        try:
            _leave(frame)
            return pending
        except BudgetExceeded as exc:
            pending = exc


def _arm() -> None:
    """Arm the timer for the earliest pending event: a deadline, a re-fire, a foreign timer."""
    now = time.monotonic()
    wake = math.inf
    for frame in _stack:
        wake = min(wake, frame.deadline if not frame.fired else now + REFIRE_INTERVAL)
    if _foreign is not None and _foreign.deadline is not None and not _foreign.delivered:
        wake = min(wake, _foreign.deadline)
    if wake < math.inf:
        signal.setitimer(signal.ITIMER_REAL, max(wake - now, _MIN_ARM))


def _on_alarm(signum: int, stack_frame: FrameType | None) -> None:
    now = time.monotonic()
    expired = next((frame for frame in _stack if now >= frame.deadline), None)
    foreign = _foreign
    due_foreign = (
        foreign is not None
        and foreign.deadline is not None
        and not foreign.delivered
        and now >= foreign.deadline
    )
    if expired is not None:
        for frame in _stack[_stack.index(expired) :]:
            frame.fired = True
    if foreign is not None and due_foreign:
        foreign.delivered = True
    if _stack:
        _arm()
    if foreign is not None and due_foreign and callable(foreign.handler):
        foreign.handler(signum, stack_frame)
    if expired is not None and not _in_gc_callback(stack_frame):
        raise BudgetExceeded(_message(expired.seconds))
    # An exception raised inside a garbage-collector callback cannot reach the budgeted code
    # (Python reports it as unraisable); the expired frame is marked fired, so the re-armed
    # timer raises again a moment later, outside the callback.


_UNRAISABLE_FILES = ("_weakrefset.py", "weakref.py")
"""Where weak-reference callbacks run (``WeakSet._remove``): an exception raised there is
reported as unraisable and lost, like one raised in a garbage-collector callback."""


def _in_gc_callback(stack_frame: FrameType | None) -> bool:
    """Whether the interrupted code runs where an exception cannot reach the budgeted code: a
    garbage-collector callback, a weak-reference callback or a finaliser (``__del__``)."""
    codes = {getattr(c, "__code__", None) for c in gc.callbacks}
    frame = stack_frame
    while frame is not None:
        code = frame.f_code
        if code in codes or code.co_name == "__del__" or \
                code.co_filename.endswith(_UNRAISABLE_FILES):
            return True
        frame = frame.f_back
    return False


def _reset_in_child() -> None:
    """A forked child starts with no budgets of its parent's main thread."""
    global _foreign
    if _foreign is not None and threading.current_thread() is threading.main_thread():
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, _foreign.handler)
        except (OSError, ValueError, TypeError):
            pass
    _stack.clear()
    _foreign = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)


# --- the worker-process fallback -------------------------------------------------------------


def _run_in_worker(fn: Callable[[], T], seconds: float) -> T:
    start = time.monotonic()
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return _run_then_check(fn, seconds, start)
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker_main, args=(fn, sender), daemon=True)
    try:
        worker.start()
    except OSError:
        receiver.close()
        sender.close()
        return _run_then_check(fn, seconds, start)
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise BudgetExceeded(_message(seconds))
        kind, payload = pickle.loads(receiver.recv_bytes())
    except EOFError as exc:
        raise DeriveError("the budget's worker process ended without an answer") from exc
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join(_WORKER_GRACE)
    if kind == "value":
        return pickle.loads(payload)  # type: ignore[no-any-return]
    if kind == "error":
        raise pickle.loads(payload)
    if kind == "error-text":
        raise DeriveError(f"the budget's worker process failed: {payload}")
    # the value could not be pickled: compute it here, with the time that is left
    return _run_then_check(fn, seconds, start)


def _worker_main(fn: Callable[[], object], sender: Any) -> None:
    try:
        value = fn()
    except BaseException as exc:  # every failure goes back to the parent
        try:
            message = pickle.dumps(("error", pickle.dumps(exc)))
        except Exception:
            message = pickle.dumps(("error-text", repr(exc)))
    else:
        try:
            message = pickle.dumps(("value", pickle.dumps(value)))
        except Exception:
            message = pickle.dumps(("unpicklable", None))
    sender.send_bytes(message)
    sender.close()


def _run_then_check(fn: Callable[[], T], seconds: float, start: float) -> T:
    """Run ``fn`` uninterrupted; raise ``BudgetExceeded`` afterwards if it overran."""
    value = fn()
    if time.monotonic() - start > seconds:
        raise BudgetExceeded(_message(seconds))
    return value
