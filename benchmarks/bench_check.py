"""Benchmark of `derive check` over proofs/: cold wall time, and time per step.

Prints, from one run on this machine:
- the wall time of `derive check` in a fresh interpreter with no kept reports (cold), as a
  ratio to `python -c "import sympy"` measured in the same run, over every file in proofs/
  with one process and with one per core, over the three documents (the files whose name
  starts with 0) and over one of them (goals: all files with `-j 1` ≤ 3×, one document
  ≤ 1.5×). The runs are interleaved (one of each command per round, the floor included), so
  a change in the machine's load shows in every command alike; medians over the rounds;
- the same with the reports a first run kept in the user's cache (files unchanged);
- the median and worst time per step (in process, after warm-up of the reader).

Run it from the repository root: `python benchmarks/bench_check.py [ROUNDS] [--cold]`
(ROUNDS: 5 by default; `--cold` leaves out the kept reports and the times per step).
"""

from __future__ import annotations

import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FLOOR = "python -c 'import sympy'"


def once(command: list[str], *, cache: bool = False) -> float:
    environment = {**os.environ, "DERIVE_NO_CACHE": "0" if cache else "1"}
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, cwd=ROOT, check=False, env=environment)
    return time.perf_counter() - start


def interleaved(commands: dict[str, list[str]], rounds: int, *, cache: bool = False
                ) -> dict[str, list[float]]:
    """Each command once per round, in turn; every time of every command."""
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, command in commands.items():
            times[label].append(once(command, cache=cache))
    return times


def report(times: dict[str, list[float]], counts: dict[str, int], indent: str = "") -> None:
    base = statistics.median(times[FLOOR])
    rounds = len(times[FLOOR])
    print(f"{indent}{FLOOR:<40} median {base * 1000:6.0f} ms ({rounds} runs)")
    for label, values in times.items():
        if label == FLOOR:
            continue
        took = statistics.median(values)
        print(f"{indent}derive check: {label:<26} ({counts[label]} files) median "
              f"{took * 1000:6.0f} ms ({len(values)} runs)  ratio {took / base:5.2f}×")


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(arguments[0]) if arguments else 5
    cold_only = "--cold" in sys.argv
    files = sorted(str(p) for p in (ROOT / "proofs").glob("*.toml"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    documents = [f for f in files if pathlib.Path(f).name[0] == "0"]
    check = [sys.executable, "-m", "derive", "check"]
    commands = {FLOOR: [sys.executable, "-c", "import sympy"],
                "all files, -j 1": [*check, "-j", "1"],
                f"all files, {cores} processes": check,
                "three documents, -j 1": [*check, "-j", "1", *documents],
                "one document": [*check, documents[0]]}
    counts = {"all files, -j 1": len(files), f"all files, {cores} processes": len(files),
              "three documents, -j 1": len(documents), "one document": 1}
    print(f"cold (no kept reports), {rounds} interleaved rounds; goals: all files -j 1 ≤ 3×, "
          "one document ≤ 1.5×")
    report(interleaved(commands, rounds), counts)
    if cold_only:
        return
    # the same runs again with the reports a first run kept in the user's cache
    interleaved(commands, 1, cache=True)
    print("kept reports (files and derive unchanged):")
    report(interleaved(commands, rounds, cache=True), counts, "  ")
    os.environ["DERIVE_NO_CACHE"] = "1"  # the times per step are measured, not remembered
    from derive.verify.check import check_files

    report_ = check_files(files)
    steps = [s for d in report_.documents for s in d.steps]
    seconds = sorted(s.seconds for s in steps)
    worst = max(steps, key=lambda s: s.seconds)
    print(f"steps: {len(steps)}; per step median {statistics.median(seconds) * 1000:.1f} ms, "
          f"worst {worst.seconds * 1000:.0f} ms ({worst.claim.id} in "
          f"{pathlib.Path(next(d.path for d in report_.documents if worst in d.steps)).name})")


if __name__ == "__main__":
    main()
