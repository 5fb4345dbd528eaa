"""Benchmark of the matrix checks (derive/verify/shapes/): time per matrix claim over proofs/.

Every equality that derive.verify.shapes decides (a claim involving arrays: the whole of document
001, the vector readings appended to 000, equation (3) of 002) is timed on its own, from the
moment the checker hands it over to its verdict (shape inference, the proof for every size or
the instantiation at n = 3, d = 2, h = 4, derivatives, sampling). Two passes in one process:
the first after import (cold: SymPy's caches are empty), the second warm. Goal: ≤ 100 ms per
claim.

Run it from the repository root: `python benchmarks/bench_matrix.py`.
"""

from __future__ import annotations

import pathlib
import statistics
import time
from typing import Any

from derive.verify import shapes
from derive.verify.check import check_files

ROOT = pathlib.Path(__file__).resolve().parent.parent


def timed_pass(files: list[str]) -> list[tuple[str, str, float]]:
    """(claim, verdict, seconds) for every claim derive.verify.shapes decides, outermost only."""
    found: list[tuple[str, str, float]] = []
    depth = [0]
    original = shapes.Claim.decide

    def decide(claim: shapes.Claim) -> Any:
        depth[0] += 1
        start = time.perf_counter()
        try:
            verdict = original(claim)
        finally:
            depth[0] -= 1
        if depth[0] == 0:
            text = f"{shapes.show(claim.left)} = {shapes.show(claim.right)}"
            found.append((text, verdict.verdict, time.perf_counter() - start))
        return verdict

    setattr(shapes.Claim, "decide", decide)  # noqa: B010 - timing every call
    try:
        check_files(files)
    finally:
        setattr(shapes.Claim, "decide", original)  # noqa: B010
    return found


def summary(name: str, found: list[tuple[str, str, float]]) -> str:
    times = [t for _, _, t in found]
    worst = max(found, key=lambda item: item[2])
    return (f"{name}: {len(times)} matrix claims, median {statistics.median(times) * 1000:.1f} ms,"
            f" worst {worst[2] * 1000:.1f} ms ({worst[0][:60]}), total {sum(times) * 1000:.0f} ms;"
            f" over 100 ms: {sum(1 for t in times if t > 0.1)}")


def main() -> None:
    files = sorted(str(p) for p in (ROOT / "proofs").glob("*.toml"))
    cold = timed_pass(files)
    warm = timed_pass(files)
    print(summary("cold", cold))
    print(summary("warm", warm))
    print()
    for text, verdict, seconds in sorted(cold, key=lambda item: -item[2])[:10]:
        print(f"  {seconds * 1000:7.1f} ms  {verdict:12} {text[:80]}")


if __name__ == "__main__":
    main()
