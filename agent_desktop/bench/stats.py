"""Small measuring helpers shared by the benchmark parts (no Qt here)."""

from __future__ import annotations

import math
import statistics
from typing import Any


def summary(samples_s: list[float]) -> dict[str, Any]:
    """Median, p95 and max in milliseconds, with the sample count."""
    if not samples_s:
        return {"n": 0, "median_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(samples_s)
    # Nearest-rank p95: with few samples it is the slowest one, never an optimistic interpolation.
    rank = max(0, math.ceil(0.95 * len(ordered)) - 1)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[rank] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def rss_mb() -> float:
    """Resident memory of this process in MB (from /proc, psutil when not on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import psutil

    return psutil.Process().memory_info().rss / 1e6
