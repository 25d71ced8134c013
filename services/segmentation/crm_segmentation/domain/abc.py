"""ABC classes by share of value (Pareto): A brings the first `a_share` of the value, B up to `b_share`."""

import numpy as np


def abc_classes(values: np.ndarray, a_share: float = 0.8, b_share: float = 0.95) -> np.ndarray:
    """Rank by value, largest first; a customer is in the class where the value before it ends.

    So the customer that crosses 80% is still A (the top 20% "bringing 80%"). Customers worth nothing
    are always C.
    """
    values = np.clip(np.asarray(values, dtype=float), 0, None)
    classes = np.full(len(values), "C", dtype="<U1")
    total = values.sum()
    if total <= 0:
        return classes
    order = np.argsort(-values, kind="stable")
    before = (np.cumsum(values[order]) - values[order]) / total
    ranked = np.where(before < a_share, "A", np.where(before < b_share, "B", "C"))
    ranked[values[order] <= 0] = "C"
    classes[order] = ranked
    return classes


def thresholds(values: np.ndarray, classes: np.ndarray) -> tuple[float, float]:
    """The smallest value in class A and in class B, to place single customers between batches."""
    values = np.asarray(values, dtype=float)
    a = values[classes == "A"]
    b = values[classes == "B"]
    a_min = float(a.min()) if len(a) else float("inf")
    return a_min, float(b.min()) if len(b) else a_min


def abc_against(value: float, a_min: float, b_min: float) -> str:
    if value <= 0:
        return "C"
    return "A" if value >= a_min else ("B" if value >= b_min else "C")
