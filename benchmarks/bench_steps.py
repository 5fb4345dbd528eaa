"""Benchmark of `derive steps`: cold start per model, and the cost of an L-layer chain.

Prints, from one run on this machine:
- the wall time of `derive steps MODEL --wrt VAR` in a fresh interpreter (every step checked),
  as a ratio to `python -c "import sympy"` measured in the same run (goal ≤ 2×);
- the time to derive all gradients of an L-layer sigmoid chain for L = 1 … 32 (goal:
  t(32)/t(1) ≤ 40 and L = 32 under 100 ms), beside SymPy's plain `diff` of the nested loss;
- `derive steps chain-N --wrt w1` for N = 32 … 256, with the growth of its work (wall time
  minus the start-up floor) from N/2 to N (goal ≈ 2: linear in N).

Medians of repeated runs; run it on a quiet machine: `python benchmarks/bench_steps.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import sympy as sp

from derive.core.functions import sigmoid
from derive.engine import models
from derive.engine.backprop import gradients

MODELS = [("bce", "yhat"), ("bce-mean", "yhat_i"), ("sigmoid", "z"), ("logistic", "w"),
          ("logistic-batch", "w"), ("mlp", "W1"), ("mlp", "b2")]
DEPTHS = (1, 2, 4, 8, 16, 32)
CHAIN_DEPTHS = (32, 64, 128, 256)


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_time(function: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def nested_loss(depth: int) -> tuple[sp.Expr, list[sp.Symbol]]:
    h = sp.Symbol("x", real=True)
    y = sp.Symbol("y", real=True)
    weights = []
    for k in range(1, depth + 1):
        w = sp.Symbol(f"w{k}", real=True)
        weights.append(w)
        h = sigmoid(w * h)
    return -(y * sp.log(h) + (1 - y) * sp.log(1 - h)), weights


def main() -> None:
    repeat = 3
    base = wall([sys.executable, "-c", "import sympy"], 5)
    print(f"python -c 'import sympy': median {base * 1000:.0f} ms over 5 runs\n")
    print(f"{'derive steps':28} {'median':>9} {'ratio':>7}   (goal ≤ 2.0×)")
    ratios = []
    for name, wrt in MODELS:
        took = wall([sys.executable, "-m", "derive", "steps", name, "--wrt", wrt], repeat)
        ratios.append(took / base)
        print(f"{name + ' --wrt ' + wrt:28} {took * 1000:7.0f} ms {took / base:6.2f}×")
    print(f"{'median ratio':28} {'':9} {statistics.median(ratios):6.2f}×\n")

    print(f"{'L':>3} {'derive (all ∂L/∂wₖ)':>20} {'sympy diff':>12} {'speed-up':>9}")
    timings = {}
    for depth in DEPTHS:
        model = models.chain(depth)
        ours = median_time(lambda m=model: gradients(m), 5)
        loss, weights = nested_loss(depth)
        plain = median_time(lambda e=loss, ws=weights: [sp.diff(e, w) for w in ws], 3)
        timings[depth] = ours
        print(f"{depth:3} {ours * 1000:17.1f} ms {plain * 1000:9.1f} ms {plain / ours:8.1f}×")
    growth = timings[DEPTHS[-1]] / timings[DEPTHS[0]]
    print(f"\nt(32)/t(1) = {growth:.1f} (goal ≤ 40); t(32) = {timings[32] * 1000:.1f} ms "
          "(goal < 100 ms)")

    # the whole derivation as printed, every step checked, the deepest weight: each line
    # refers to the upstream gradient by name, so the work per layer stays constant
    print(f"\n{'derive steps chain-N --wrt w1':30} {'median':>9} {'minus start-up':>15} "
          f"{'t(N)/t(N/2)':>12}   (goal ≈ 2: linear)")
    previous = None
    for depth in CHAIN_DEPTHS:
        took = wall([sys.executable, "-m", "derive", "steps", f"chain-{depth}", "--wrt", "w1"],
                    repeat)
        work = max(took - base, 1e-3)
        growth_text = f"{work / previous:11.2f}" if previous else f"{'':>11}"
        print(f"{'N = ' + str(depth):30} {took * 1000:7.0f} ms {work * 1000:12.0f} ms "
              f"{growth_text}")
        previous = work


if __name__ == "__main__":
    main()
