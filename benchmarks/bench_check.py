"""Benchmark of `derive check` over proofs/: cold wall time, and time per step.

Prints, from one run on this machine:
- the wall time of `derive check` over every file in proofs/ in a fresh interpreter, as a
  ratio to `python -c "import sympy"` measured in the same run (first goal ≤ 3×, then ≤ 1.5×);
- the same with the reports a first run kept in the user's cache (files unchanged);
- the median and worst time per step (in process, after warm-up of the reader).

Run it from the repository root: `python benchmarks/bench_check.py`.
"""

from __future__ import annotations

import os
import pathlib
import statistics
import subprocess
import sys
import time

from derive.verify.check import check_files

ROOT = pathlib.Path(__file__).resolve().parent.parent


def wall(command: list[str], repeat: int, *, cache: bool = False) -> float:
    environment = {**os.environ, "DERIVE_NO_CACHE": "0" if cache else "1"}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, cwd=ROOT, check=False, env=environment)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    files = sorted(str(p) for p in (ROOT / "proofs").glob("*.toml"))
    base = wall([sys.executable, "-c", "import sympy"], 5)
    print(f"python -c 'import sympy'           median {base * 1000:6.0f} ms (5 runs)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    documents = [f for f in files if pathlib.Path(f).name[0] == "0"]
    runs = (("all files, one process", ["-j", "1"], len(files)),
            (f"all files, {cores} processes", [], len(files)),
            ("the three documents, one process", ["-j", "1", *documents], len(documents)))
    for label, arguments, count in runs:
        took = wall([sys.executable, "-m", "derive", "check", *arguments], 3)
        print(f"derive check: {label:<34} ({count} files) median {took * 1000:6.0f} ms "
              f"(3 runs)  ratio {took / base:.2f}×  (goals ≤ 3×, then ≤ 1.5×)")
    # the same runs again with the reports the first of them kept (files unchanged)
    for label, arguments, count in runs:
        command = [sys.executable, "-m", "derive", "check", *arguments]
        wall(command, 1, cache=True)
        took = wall(command, 3, cache=True)
        print(f"  kept reports: {label:<32} ({count} files) median {took * 1000:6.0f} ms "
              f"(3 runs)  ratio {took / base:.2f}×")
    os.environ["DERIVE_NO_CACHE"] = "1"  # the times per step are measured, not remembered
    report = check_files(files)
    steps = [s for d in report.documents for s in d.steps]
    seconds = sorted(s.seconds for s in steps)
    worst = max(steps, key=lambda s: s.seconds)
    print(f"steps: {len(steps)}; per step median {statistics.median(seconds) * 1000:.1f} ms, "
          f"worst {worst.seconds * 1000:.0f} ms ({worst.claim.id} in "
          f"{pathlib.Path(next(d.path for d in report.documents if worst in d.steps)).name})")


if __name__ == "__main__":
    main()
