"""Time calls and summarise the samples: the few helpers every benchmark module shares."""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def timed(call: Callable[[], Any], repeat: int, warmup: int = 2) -> list[float]:
    """Return the milliseconds each of *repeat* calls took, after *warmup* untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def interleaved(first: Callable[[], Any], second: Callable[[], Any], repeat: int,
                warmup: int = 2) -> tuple[list[float], list[float]]:
    """Time *first* and *second* alternately, so both see the same load; return the milliseconds of each."""
    for _ in range(warmup):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, times in zip((first, second), samples):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
    return samples


def p50(samples: list[float]) -> float:
    """Return the median of *samples*."""
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    """Return the 95th percentile of *samples* (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * 95 // 100) - 1))]
