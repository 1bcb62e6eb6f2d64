"""Measure and correct how far the categorizer's confidence can be trusted."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Confidence bins of the reliability table (the lowest possible confidence is 1/3).
BIN_EDGES: tuple[float, ...] = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Return the temperature T minimising the log loss of softmax(logits / T) on held-out logits."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        return float(-_log_softmax(logits / np.exp(log_t))[np.arange(len(labels)), labels].mean())

    found = minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-4})
    return round(float(np.exp(found.x)), 4)


@dataclass(frozen=True)
class ReliabilityBin:
    """Tickets whose confidence fell in [low, high): how many, how confident, how often right."""

    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability_table(confidence: np.ndarray, correct: np.ndarray) -> list[ReliabilityBin]:
    """Group predictions by confidence and compare the stated confidence with the accuracy."""
    bins = []
    for low, high in zip(BIN_EDGES, BIN_EDGES[1:]):
        inside = (confidence >= low) & ((confidence < high) if high < 1.0 else (confidence <= high))
        count = int(inside.sum())
        bins.append(
            ReliabilityBin(
                low, high, count,
                float(confidence[inside].mean()) if count else float("nan"),
                float(correct[inside].mean()) if count else float("nan"),
            )
        )
    return bins


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray) -> float:
    """Return the count-weighted mean gap between confidence and accuracy over the bins."""
    total = len(confidence)
    return sum(b.count / total * abs(b.mean_confidence - b.accuracy) for b in reliability_table(confidence, correct) if b.count)


def format_reliability(bins: list[ReliabilityBin]) -> str:
    """Return the reliability table as aligned text."""
    lines = ["confidence    tickets  mean confidence  accuracy"]
    for b in bins:
        if b.count:
            lines.append(f"{b.low:.2f}-{b.high:.2f}  {b.count:9d}  {b.mean_confidence:15.3f}  {b.accuracy:8.3f}")
        else:
            lines.append(f"{b.low:.2f}-{b.high:.2f}  {0:9d}  {'-':>15}  {'-':>8}")
    return "\n".join(lines)
