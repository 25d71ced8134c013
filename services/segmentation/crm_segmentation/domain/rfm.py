"""RFM: recency, frequency and monetary value scored 1–5 by quintile within one dealer.

Ties are ranked by order before cutting (the manual's rule), so equal values can land in different
quintiles and every quintile holds a fifth of the customers. Recency is reversed: the most recent
fifth scores 5. Between batches a single customer is placed against the last batch's cut points.
"""

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

QUINTILES = 5


def quintile_scores(values: np.ndarray, order: np.ndarray | None = None, *, reverse: bool = False) -> np.ndarray:
    """1–5 per value: rank (ties broken by `order`, else by position), then cut the ranks into fifths."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    tie_break = np.arange(n) if order is None else np.asarray(order)
    keyed = -values if reverse else values
    ranking = np.lexsort((tie_break, keyed))  # ascending by value, then by order
    ranks = np.empty(n, dtype=np.int64)
    ranks[ranking] = np.arange(n)
    return (ranks * QUINTILES // n + 1).astype(np.int8)


def cut_points(values: np.ndarray, scores: np.ndarray) -> list[float]:
    """The lowest value that reached each score 2..5, for placing single customers later."""
    values = np.asarray(values, dtype=float)
    return [float(values[scores >= s].min()) if (scores >= s).any() else float("inf")
            for s in range(2, QUINTILES + 1)]


def score_against(value: float, cuts: list[float], *, reverse: bool = False) -> int:
    """Score one value against stored cut points (for recency, cuts are of the negated days)."""
    return bisect_right(cuts, -value if reverse else value) + 1


@dataclass(frozen=True)
class RfmSegment:
    code: str
    en: str
    zh: str


SEGMENTS = {s.code: s for s in (
    RfmSegment("champions", "Champions", "冠军客户"),
    RfmSegment("loyal", "Loyal customers", "忠诚客户"),
    RfmSegment("potential_loyalists", "Potential loyalists", "潜在忠诚客户"),
    RfmSegment("new", "New customers", "新客户"),
    RfmSegment("promising", "Promising", "有潜力客户"),
    RfmSegment("needs_attention", "Needs attention", "需要关注客户"),
    RfmSegment("about_to_sleep", "About to sleep", "即将沉睡客户"),
    RfmSegment("at_risk", "At risk", "有流失风险客户"),
    RfmSegment("cant_lose", "Can't lose them", "不能失去的客户"),
    RfmSegment("hibernating", "Hibernating", "沉睡客户"),
)}


def named_segment(r: int, f: int) -> str:
    """The usual R×F grid (the one most RFM tools publish), first matching rule wins."""
    if r <= 2:
        return "hibernating" if f <= 2 else ("cant_lose" if f == 5 else "at_risk")
    if r == 3:
        return "about_to_sleep" if f <= 2 else ("needs_attention" if f == 3 else "loyal")
    if f >= 4:
        return "champions" if r == 5 else "loyal"
    if f == 1:
        return "new" if r == 5 else "promising"
    return "potential_loyalists"


EIGHT_TYPES = {
    # (recency high, frequency high, monetary high) -> type; "high recency" means a recent visit
    (True, True, True): "重要价值客户",
    (False, True, True): "重要保持客户",
    (True, False, True): "重要发展客户",
    (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户",
    (False, True, False): "一般保持客户",
    (True, False, False): "一般发展客户",
    (False, False, False): "一般挽留客户",
}
EIGHT_TYPES_EN = {
    "重要价值客户": "important value", "重要保持客户": "important keep", "重要发展客户": "important develop",
    "重要挽留客户": "important retain", "一般价值客户": "general value", "一般保持客户": "general keep",
    "一般发展客户": "general develop", "一般挽留客户": "general retain",
}


@dataclass(frozen=True)
class Means:
    recency_days: float
    frequency: float
    monetary: float


def eight_type(recency_days: float, frequency: float, monetary: float, means: Means) -> str:
    """High/low against the dealer's means; a recency at or under the mean counts as high (recent)."""
    return EIGHT_TYPES[(recency_days <= means.recency_days, frequency >= means.frequency,
                        monetary >= means.monetary)]


SEGMENT_CODES = tuple(SEGMENTS)  # a segment's code in columns is 1 + its index here; 0 means none
EIGHT_TYPE_NAMES = tuple(EIGHT_TYPES.values())
_SEGMENT_GRID = np.array([[0] * 6] + [[0] + [SEGMENT_CODES.index(named_segment(r, f)) + 1 for f in range(1, 6)]
                                      for r in range(1, 6)], dtype=np.int16)


def named_segments(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """`named_segment` for columns of scores (0 where unscored), as codes into SEGMENT_CODES."""
    return _SEGMENT_GRID[np.asarray(r, dtype=np.int64), np.asarray(f, dtype=np.int64)]


def eight_type_codes(recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray,
                     means: Means) -> np.ndarray:
    """`eight_type` for columns, as 1 + index into EIGHT_TYPE_NAMES."""
    table = np.zeros((2, 2, 2), dtype=np.int16)
    for i, (recent, frequent, big) in enumerate(EIGHT_TYPES):
        table[int(recent), int(frequent), int(big)] = i + 1
    return table[(np.asarray(recency_days) <= means.recency_days).astype(int),
                 (np.asarray(frequency) >= means.frequency).astype(int),
                 (np.asarray(monetary) >= means.monetary).astype(int)]
