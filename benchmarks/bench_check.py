"""Benchmark of `derive check` over proofs/: cold wall time, and time per step.

Prints, from one run on this machine:
- the wall time of `derive check` in a fresh interpreter with no kept reports (cold), as a
  ratio to `python -c "import sympy"` measured in the same run, over every file in proofs/
  with one process and with one per core, over the three documents (the files whose name
  starts with 0) and over one of them (goals: all files with `-j 1` ≤ 3×, one document
  ≤ 1.5×). The runs are interleaved (one of each command per round, the floor included), so
  a change in the machine's load shows in every command alike; medians over the rounds;
- the same with the reports a first run kept in the user's cache (files unchanged);
- one line edited: the document of the "one document" row checked once, cold, to keep its
  step reports and comparisons' outcomes in a cache of the benchmark's own, then in each
  round the same file edited in place in a different single line (`+ 1` appended to one
  step's LaTeX, so that the file's report cannot be reused and the step is decided again),
  checked cold and with what the first run kept (the cache restored to it each round),
  interleaved with the floor;
- the median and worst time per step (in process, after warm-up of the reader).

Run it from the repository root: `python benchmarks/bench_check.py [ROUNDS] [--cold]`
(ROUNDS: 5 by default; `--cold` leaves out the kept reports, the edited line and the times
per step).
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FLOOR = "python -c 'import sympy'"


def once(command: list[str], *, cache: bool = False, home: str | None = None) -> float:
    """Seconds one run of ``command`` takes; ``home``: the cache folder to use instead of
    the user's."""
    environment = {**os.environ, "DERIVE_NO_CACHE": "0" if cache else "1"}
    if home is not None:
        environment["XDG_CACHE_HOME"] = home
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


ONE_LINE = re.compile(r"(latex\s*=\s*'[^'\n]*)('\s*)")
"""A step's LaTeX written on one line: where an edit appends ``+ 1``."""


def edited(document: str, check: list[str], rounds: int) -> dict[str, list[float]]:
    """The floor, and ``document`` with a different line edited in each round, checked cold
    and with the outcomes a cold run of the unedited document kept (in a cache folder of its
    own, so that nothing else kept is used)."""
    text = pathlib.Path(document).read_text()
    lines = text.splitlines(keepends=True)
    editable = [k for k, line in enumerate(lines) if ONE_LINE.fullmatch(line)]
    chosen = [editable[(r * len(editable)) // rounds % len(editable)] for r in range(rounds)]
    cold, kept = "one line edited, cold", "one line edited, kept steps and outcomes"
    times: dict[str, list[float]] = {FLOOR: [], cold: [], kept: []}
    with tempfile.TemporaryDirectory() as scratch:
        warm, home = os.path.join(scratch, "warm"), os.path.join(scratch, "cache")
        original = pathlib.Path(scratch, "file", pathlib.Path(document).name)
        original.parent.mkdir()
        original.write_text(text)
        once([*check, str(original)], cache=True, home=warm)  # keeps what a run keeps
        for k in chosen:
            # the file edited where it is, as a user edits it; the cache as the cold run of
            # the unedited file left it
            original.write_text("".join([*lines[:k], ONE_LINE.sub(r"\1 + 1\2", lines[k]),
                                         *lines[k + 1:]]))
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(warm, home)
            times[FLOOR].append(once([sys.executable, "-c", "import sympy"]))
            times[cold].append(once([*check, str(original)]))
            times[kept].append(once([*check, str(original)], cache=True, home=home))
    return times


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
    print(f"one line edited ({pathlib.Path(documents[0]).name}, a different line each round; "
          "what one cold run of the unedited file kept):")
    edits = edited(documents[0], check, rounds)
    report(edits, dict.fromkeys(edits, 1), "  ")
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
