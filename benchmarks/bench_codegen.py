"""Benchmark of `derive codegen`: the generated `loss_and_grad` against hand-written code.

Prints, from one run on this machine, medians of repeated runs after warm-up:
- logistic regression at (n, d) = (10⁴, 100), (10⁶, 100), (10⁵, 1000) in float32 and float64:
  the generated module's time, and as ratios generated / other (below 1: the generated code is
  faster) against (a) hand-written stable NumPy (np.logaddexp, σ from np.exp),
  (b) hand-written single-exp stable NumPy, (c) PyTorch autograd with BCEWithLogitsLoss on
  the CPU, (d) jax.jit(jax.value_and_grad) — (c) and (d) skipped with a note when not
  installed; and the ratio to the memory-bandwidth floor: the bytes of X over the copy
  bandwidth of np.copyto on a large array (bytes read + written per second, as STREAM counts
  it), measured in the same run;
- the fused numba backend (`derive codegen logistic --backend numba`), when numba is installed:
  its median time, timed in turn with the NumPy methods, as ratios to the generated NumPy
  module, to the memory floor and to PyTorch autograd; its JIT compilation (the first call
  of each dtype) is timed apart and excluded from the medians;
- the same for the 1-hidden-layer network (n = 10⁵, d = 100, width 256);
- peak memory of one call: what the NumPy methods allocate (tracemalloc); for PyTorch and
  JAX, the rise of the resident set's high-water mark over one call (Linux /proc), in a
  process of its own where glibc returns large blocks to the system when they are freed.

The NumPy methods run in this process and take turns, so drift in the machine's speed hits
them alike. PyTorch and JAX each run in a process of their own (this script, with
``--worker``), on the same data: their thread pools would otherwise compete with NumPy's
BLAS threads for the cores.

The memory floor of a row is measured in the same turns as the methods: np.copyto of an
array the size of X reads and writes its bytes, so the time to read X once is half of it.

Goals: ≤ 1.0× the best hand-written stable NumPy at every size; ≥ 1.5× faster than torch
autograd at float64 (10⁶, 100); for the numba backend, ≥ 1.5× faster than torch autograd and
≤ 1.5× the one-read floor at float64 (10⁶, 100).

Run it on a quiet machine: ``python benchmarks/bench_codegen.py`` (a few minutes, about 5 GB
of memory); ``--quick`` for small sizes only; ``--goal`` for the logistic regression at
(10⁶, 100) only, the size of the goals.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

LOGISTIC_SIZES = [(10**4, 100), (10**6, 100), (10**5, 1000)]
MLP_SIZE = (10**5, 100, 256)
DTYPES = ("float32", "float64")
Case = tuple[str, int, int, int, str]  # model, n, d, width, dtype


# --- data: the same in every process ------------------------------------------------------------


def make_data(case: Case) -> tuple[Any, ...]:
    """(X, y, *parameters) of a case, from a seed fixed by the case."""
    model, n, d, h, name = case
    dtype = np.dtype(name).type
    rng = np.random.default_rng([n, d, h, 32 if name == "float32" else 64])
    X = rng.standard_normal((n, d), dtype=dtype)
    y = (rng.random(n) < 0.5).astype(dtype)
    if model == "logistic":
        return X, y, (rng.standard_normal(d) / np.sqrt(d)).astype(dtype), dtype(0.1)
    return (X, y, (rng.standard_normal((d, h)) / np.sqrt(d)).astype(dtype), np.zeros(h, dtype),
            (rng.standard_normal(h) / np.sqrt(h)).astype(dtype), dtype(0.0))


# --- hand-written NumPy ------------------------------------------------------------------------


def expit(z: Any) -> Any:
    """σ without scipy, stable: exp of −|z| only."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def logistic_logaddexp(X: Any, y: Any, w: Any, b: Any) -> Any:
    z = X @ w + b
    loss = np.mean(np.logaddexp(0, z) - y * z)
    r = (expit(z) - y) / len(y)
    return loss, X.T @ r, r.sum()


def logistic_single_exp(X: Any, y: Any, w: Any, b: Any) -> Any:
    z = X @ w + b
    e = np.exp(-np.abs(z))
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(e))
    r = (np.where(z >= 0, 1, e) / (1 + e) - y) / len(y)
    return loss, X.T @ r, r.sum()


def mlp_logaddexp(X: Any, y: Any, W1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    a1 = X @ W1 + b1
    h1 = np.maximum(a1, 0)
    a2 = h1 @ w2 + b2
    loss = np.sum(np.logaddexp(0, a2) - y * a2)
    r = expit(a2) - y
    g1 = np.outer(r, w2) * (a1 > 0)
    return loss, X.T @ g1, g1.sum(axis=0), h1.T @ r, r.sum()


def mlp_single_exp(X: Any, y: Any, W1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    a1 = X @ W1 + b1
    h1 = np.maximum(a1, 0)
    a2 = h1 @ w2 + b2
    e = np.exp(-np.abs(a2))
    loss = np.sum(np.maximum(a2, 0) - y * a2 + np.log1p(e))
    r = np.where(a2 >= 0, 1, e) / (1 + e) - y
    g1 = np.outer(r, w2) * (a1 > 0)
    return loss, X.T @ g1, g1.sum(axis=0), h1.T @ r, r.sum()


HAND: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "logistic": (logistic_logaddexp, logistic_single_exp),
    "mlp": (mlp_logaddexp, mlp_single_exp),
}


# --- PyTorch and JAX (in worker processes) -------------------------------------------------------


def torch_step(data: tuple[Any, ...], model: str) -> Callable[[], Any]:
    import torch

    X, y, *params = data
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    tensors = [torch.tensor(np.asarray(p)).requires_grad_(True) for p in params]
    criterion = torch.nn.BCEWithLogitsLoss(reduction="mean" if model == "logistic" else "sum")

    def step() -> Any:
        for tensor in tensors:
            tensor.grad = None
        if model == "logistic":
            w, b = tensors
            logits = Xt @ w + b
        else:
            W1, b1, w2, b2 = tensors
            logits = torch.relu(Xt @ W1 + b1) @ w2 + b2
        loss = criterion(logits, yt)
        loss.backward()
        return [loss.item(), *(t.grad for t in tensors)]

    return step


def jax_step(data: tuple[Any, ...], model: str) -> Callable[[], Any]:
    import jax
    import jax.numpy as jnp

    config: Any = jax.config
    config.update("jax_enable_x64", True)
    block: Any = jax.block_until_ready

    def loss(params: Any, X: Any, y: Any) -> Any:
        if model == "logistic":
            w, b = params
            z = X @ w + b
            return jnp.mean(jax.nn.softplus(z) - y * z)
        W1, b1, w2, b2 = params
        a2 = jax.nn.relu(X @ W1 + b1) @ w2 + b2
        return jnp.sum(jax.nn.softplus(a2) - y * a2)

    function = jax.jit(jax.value_and_grad(loss))
    X, y, *params = (jnp.asarray(a) for a in data)

    def step() -> Any:
        value, grads = block(function(params, X, y))
        return [float(value), *grads]

    return step


def _memory(field: str) -> int | None:
    """A memory figure of this process from /proc (Linux), in bytes."""
    try:
        found = re.search(rf"{field}:\s+(\d+)", Path("/proc/self/status").read_text())
    except OSError:
        return None
    return int(found.group(1)) * 1024 if found else None


def worker(kind: str, case: Case, repeat: int) -> None:
    """Time one framework on one case (or, with repeat 0, measure the peak memory of one
    call); print the median, the loss and the gradients' norms as JSON."""
    data = make_data(case)
    step = torch_step(data, case[0]) if kind == "torch" else jax_step(data, case[0])
    result = step()
    times = []
    for _ in range(2 + repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    peak = None
    if repeat == 0:  # reset the resident set's high-water mark, call once, read it back
        before = _memory("VmRSS")
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            before = None
        step()
        after = _memory("VmHWM")
        peak = None if before is None or after is None else max(after - before, 0)
    values = [float(result[0]), *(float(np.linalg.norm(np.asarray(g))) for g in result[1:])]
    print(json.dumps({"median": statistics.median(times[2:] or times), "values": values,
                      "peak": peak}))


def run_worker(kind: str, case: Case, repeat: int) -> dict[str, Any] | str:
    """The worker's result, or a note when the framework is not installed. With repeat 0
    the worker measures memory: glibc then returns every block over 128 KiB to the system
    when it is freed, so the resident set rises and falls with the call's temporaries."""
    module = "torch" if kind == "torch" else "jax"
    if importlib.util.find_spec(module) is None:
        return f"no {module}"
    command = [sys.executable, __file__, "--worker", kind, json.dumps(case), str(repeat)]
    environment = dict(os.environ)
    if repeat == 0:
        environment["MALLOC_MMAP_THRESHOLD_"] = str(2**17)
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env=environment)
    if done.returncode != 0:
        return f"{module} failed: {done.stderr.strip().splitlines()[-1:]}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- timing ------------------------------------------------------------------------------------


def medians(methods: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median wall time of each method; the methods take turns, after two warm-up calls."""
    for method in methods.values():
        method()
        method()
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeat):
        for name, method in methods.items():
            start = time.perf_counter()
            method()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_bytes(method: Callable[[], Any]) -> int:
    """Peak memory a NumPy method allocates during one call (NumPy reports to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        method()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def copy_bandwidth() -> float:
    """Bytes read + written per second by np.copyto of a 1 GiB float64 array."""
    source = np.ones(2**27)
    target = np.empty_like(source)
    np.copyto(target, source)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        np.copyto(target, source)
        times.append(time.perf_counter() - start)
    return 2 * source.nbytes / statistics.median(times)


def _stolen_seconds() -> float | None:
    """CPU time stolen from this virtual machine so far (Linux /proc/stat), in seconds."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def summary(result: Any) -> list[float]:
    """Loss and the norm of each gradient, from (loss, dict) or (loss, grads...)."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
        result = (result[0], *result[1].values())
    return [float(result[0]), *(float(np.linalg.norm(np.asarray(g))) for g in result[1:])]


def agree(reference: list[float], other: list[float], dtype: str, who: str) -> None:
    tolerance = 1e-3 if dtype == "float32" else 1e-9
    for a, b in zip(reference, other, strict=True):
        if abs(a - b) > tolerance * max(abs(a), 1e-12):
            raise SystemExit(f"{who} disagrees with the generated module ({a} against {b})")


# --- the generated modules, written and imported as a user would -------------------------------


def load_generated(name: str, directory: Path) -> ModuleType:
    from derive.emit.codegen import check_generated, generate, write_module

    generated = generate(name)
    report = check_generated(generated)
    if not report.ok:
        raise SystemExit(f"the generated {name} module failed its check: {report.failure}")
    path = write_module(generated.source, directory / f"{name}_grad.py")
    spec = importlib.util.spec_from_file_location(f"{name}_grad", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_numba(directory: Path) -> tuple[ModuleType | None, str]:
    """The fused numba module of the logistic regression, checked, written and imported by
    name (so numba caches it beside the file), or None and why not."""
    if importlib.util.find_spec("numba") is None:
        return None, "numba backend: not measured (numba is not installed: pip install numba)"
    import numba

    from derive.emit.codegen import generate, write_module
    from derive.emit.codegen_numba import check_numba, with_numba_source

    generated = with_numba_source(generate("logistic"))
    report = check_numba(generated)
    if not report.ok:
        raise SystemExit(f"the generated numba module failed its check: {report.failure}")
    path = write_module(generated.source, directory / "logistic_numba.py")
    spec = importlib.util.spec_from_file_location("logistic_numba", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["logistic_numba"] = module
    spec.loader.exec_module(module)
    compiled = []
    for dtype in DTYPES:  # the first call of each dtype compiles (JIT): timed apart
        data = make_data(("logistic", 1000, 100, 0, dtype))
        start = time.perf_counter()
        module.loss_and_grad(*data)
        compiled.append(f"{dtype} {time.perf_counter() - start:.1f} s")
    runtime: Any = numba  # threading_layer is not in numba's declared exports
    return module, (f"numba backend: numba {numba.__version__}, {numba.get_num_threads()} "
                    f"threads ({runtime.threading_layer()}); JIT compilation on the first call, "
                    f"excluded from the medians: {', '.join(compiled)}")


COLUMNS = ("(a) logaddexp", "(b) single-exp", "(c) torch", "(d) jax")
HEADER = (f"{'':22} {'generated':>10} {'(a) logadd':>10} {'(b) 1-exp':>10} {'(c) torch':>10} "
          f"{'(d) jax':>10} {'floor':>7}   peak MB: gen / (b) / (c) / (d)")
NUMBA_HEADER = (f"{'':22} {'numba':>10} {'/ NumPy':>8} {'/ floor':>8} {'/ torch':>8} "
                f"{'torch / numba':>14} {'floor':>9}")


class Calibration:
    """A small fixed workload timed before and after each row: a virtual machine can run
    several times slower for tens of seconds, and a row measured then is measured again."""

    def __init__(self) -> None:
        rng = np.random.default_rng(1)
        self.data = (rng.standard_normal((10**4, 100)), (rng.random(10**4) < 0.5) * 1.0,
                     rng.standard_normal(100) / 10, 0.1)
        self.best = float("inf")

    def speed(self) -> float:
        time_ = medians({"x": partial(logistic_single_exp, *self.data)}, 15)["x"]
        self.best = min(self.best, time_)
        return time_

    def quiet(self) -> bool:
        return self.speed() <= 1.3 * self.best

    def wait(self) -> None:
        """Until the machine runs at its best speed again (two minutes at most)."""
        for _ in range(24):
            if self.quiet():
                return
            time.sleep(5)


CALIBRATION: Calibration | None = None


def measure(case: Case, module: ModuleType, label: str,
            fused: ModuleType | None = None) -> dict[str, float]:
    """Time every method on one case; print its row; return generated / other ratios (and,
    with ``fused``, the numba backend's ratios under keys starting with "numba").

    The speed of a virtual machine drifts: the NumPy methods (and the numba module, and the
    copy that measures the memory floor) take turns in this process, and the generated
    modules are timed again after the PyTorch and JAX processes, whose ratios use the mean of
    both timings. A row is measured when a small calibration workload runs at its best
    speed; a row whose two timings of the generated module differ by more than 25 %, or
    after which the calibration is slow, is measured again (three tries), and marked when it
    stays unsteady."""
    data = make_data(case)
    model, n, d, _, dtype = case
    logaddexp, single_exp = HAND[model]
    scratch = np.empty_like(data[0])
    methods: dict[str, Callable[[], Any]] = {
        "generated": partial(module.loss_and_grad, *data),
        "(a) logaddexp": partial(logaddexp, *data),
        "(b) single-exp": partial(single_exp, *data),
        "copy": partial(np.copyto, scratch, data[0]),
    }
    if fused is not None:
        methods["numba"] = partial(fused.loss_and_grad, *data)
    reference = summary(methods["generated"]())
    for name in (*COLUMNS[:2], *(["numba"] if fused is not None else [])):
        agree(reference, summary(methods[name]()), dtype, name)
    repeat = 31 if n * d <= 10**6 else 9
    peaks = {name: peak_bytes(methods[name]) / 2**20 for name in ("generated", "(b) single-exp")}
    notes: dict[str, str] = {}
    for kind, name in (("torch", "(c) torch"), ("jax", "(d) jax")):
        memory = run_worker(kind, case, 0)
        if isinstance(memory, str):
            notes[name] = memory
        elif memory["peak"] is not None:
            peaks[name] = memory["peak"] / 2**20
    calibration = CALIBRATION or Calibration()
    again = ["generated", *(["numba"] if fused is not None else [])]
    tries = 0
    while True:
        tries += 1
        calibration.wait()
        times = medians(methods, repeat)
        others: dict[str, float] = {}
        for kind, name in (("torch", "(c) torch"), ("jax", "(d) jax")):
            if name in notes:
                continue
            result = run_worker(kind, case, repeat)
            if isinstance(result, str):
                notes[name] = result
                continue
            agree(reference, result["values"], dtype, name)
            others[name] = result["median"]
        after = medians({name: methods[name] for name in again}, repeat)
        drift = after["generated"] / times["generated"]
        steady = (0.8 <= drift <= 1.25 or not others) and calibration.quiet()
        if steady or tries == 3:
            break
    mine = times["generated"]
    floor = times["copy"] / 2  # the copy reads X and writes as many bytes: X read once is half
    ratios = {name: mine / times[name] for name in COLUMNS[:2]}
    ratios.update({name: np.sqrt(mine * after["generated"]) / t for name, t in others.items()})
    cells = [f"{label:22}", f"{mine * 1e3:7.2f} ms"]
    cells += [f"{ratios[n]:9.2f}×" if n in ratios else f"{notes.get(n, 'n/a'):>10}"
              for n in COLUMNS]
    cells.append(f"{mine / floor:6.2f}×")
    shown = " / ".join(f"{peaks[n]:.1f}" if n in peaks else "–"
                       for n in ("generated", "(b) single-exp", "(c) torch", "(d) jax"))
    cells.append(f"  {shown}")
    if not steady:
        cells.append(f"  (unsteady machine: generated {mine * 1e3:.2f} then "
                     f"{after['generated'] * 1e3:.2f} ms)")
    elif tries > 1:
        cells.append(f"  ({tries} tries)")
    print(" ".join(cells), flush=True)
    if fused is not None:
        numba_time = times["numba"]
        ratios["numba / generated"] = numba_time / mine
        ratios["numba / floor"] = numba_time / floor
        row = [f"{label:22}", f"{numba_time * 1e3:7.2f} ms", f"{numba_time / mine:7.2f}×",
               f"{numba_time / floor:7.2f}×"]
        if "(c) torch" in others:
            both = np.sqrt(numba_time * after["numba"])
            ratios["numba / torch"] = both / others["(c) torch"]
            row += [f"{ratios['numba / torch']:7.2f}×",
                    f"{others['(c) torch'] / both:13.2f}×"]
        else:
            row += [f"{notes.get('(c) torch', 'n/a'):>8}", f"{'':>14}"]
        row.append(f"{floor * 1e3:6.2f} ms")
        NUMBA_ROWS.append(" ".join(row))
    del methods, data, scratch
    gc.collect()
    return ratios


NUMBA_ROWS: list[str] = []
"""The numba backend's rows, printed as a table of their own after the logistic table."""


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        model, n, d, h, dtype = json.loads(sys.argv[3])
        worker(sys.argv[2], (model, n, d, h, dtype), int(sys.argv[4]))
        return
    global CALIBRATION
    quick = "--quick" in sys.argv
    goal_only = "--goal" in sys.argv
    stolen = _stolen_seconds()
    CALIBRATION = Calibration()
    for _ in range(5):
        CALIBRATION.speed()
    bandwidth = copy_bandwidth()
    print(f"NumPy {np.__version__}; copy bandwidth at the start (np.copyto of 1 GiB, bytes read "
          f"+ written per second) {bandwidth / 1e9:.1f} GB/s")
    print("floor: the time to read X once from memory, half the time of np.copyto of X, "
          "measured in each row's turns")
    print("cells: the generated loss_and_grad's median time; then generated / other (below 1: "
          "generated faster); generated / floor; peak memory")
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)  # kept while the modules run: numba caches beside its module
        logistic = load_generated("logistic", directory)
        mlp = load_generated("mlp", directory)
        fused, said = load_numba(directory)
        print(said)
        against_hand: list[float] = []
        goals: dict[str, float] = {}

        print("\nlogistic regression, mean BCE: loss_and_grad(X, y, w, b)")
        print(HEADER)
        sizes = [(10**4, 100)] if quick else [(10**6, 100)] if goal_only else LOGISTIC_SIZES
        for n, d in sizes:
            for dtype in DTYPES:
                label = f"n=10^{round(np.log10(n))} d={d} {dtype}"
                ratios = measure(("logistic", n, d, 0, dtype), logistic, label, fused)
                against_hand.append(max(ratios["(a) logaddexp"], ratios["(b) single-exp"]))
                if (n, d, dtype) == (10**6, 100, "float64"):
                    goals.update(ratios)
        if fused is not None:
            print("\nthe numba backend (derive codegen logistic --backend numba), timed in the "
                  "same turns: its median time; numba / generated NumPy, / floor, / torch "
                  "autograd (below 1: numba faster); torch / numba; the floor")
            print(NUMBA_HEADER)
            print("\n".join(NUMBA_ROWS))

        if not goal_only:
            n, d, h = (5000, 100, 256) if quick else MLP_SIZE
            print(f"\n1-hidden-layer network (ReLU, sigmoid, summed BCE): "
                  f"loss_and_grad(X, y, W1, b1, w2, b2), n = {n}, d = {d}, width {h}")
            print(HEADER)
            for dtype in DTYPES:
                ratios = measure(("mlp", n, d, h, dtype), mlp, f"mlp {dtype}")
                against_hand.append(max(ratios["(a) logaddexp"], ratios["(b) single-exp"]))
            print("numba backend: not built for the mlp (a hidden layer is a vector per "
                  "example; derive codegen mlp --backend numba refuses it)")

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"\npeak resident memory of the NumPy process: {rss:.0f} MB")
    now = _stolen_seconds()
    if stolen is not None and now is not None:
        print(f"CPU time taken by the hypervisor during the run (steal): {now - stolen:.1f} s "
              "(large values make the figures noisy; run again on a quiet machine)")
    worst = max(against_hand)
    print(f"goal ≤ 1.0× the best hand-written stable NumPy at every size measured: worst "
          f"{worst:.2f}× {'✓' if worst <= 1.0 else '✗'}")
    _goal("≥ 1.5× faster than torch autograd at float64 (10⁶, 100), NumPy backend",
          1 / goals["(c) torch"] if "(c) torch" in goals else None, lambda v: v >= 1.5)
    _goal("≥ 1.5× faster than torch autograd at float64 (10⁶, 100), numba backend",
          1 / goals["numba / torch"] if "numba / torch" in goals else None, lambda v: v >= 1.5)
    _goal("≤ 1.5× the one-read floor at float64 (10⁶, 100), numba backend",
          goals.get("numba / floor"), lambda v: v <= 1.5)


def _goal(goal: str, value: float | None, met: Callable[[float], bool]) -> None:
    if value is None:
        print(f"goal {goal}: not measured (no torch or numba, or --quick)")
    else:
        print(f"goal {goal}: {value:.2f}× {'✓' if met(value) else '✗'}")


if __name__ == "__main__":
    main()
