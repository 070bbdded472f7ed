"""Criteria as data: one CSV table per family (src/sparsenets/<family>/criteria.csv).

A row is one sub-criterion (`part`) of a claim: a measure, a comparison and a threshold. The
first row of a claim states its kind, whether the experiment has an instance on which a bound is
predicted tight, and its negative control; later rows of the same claim may leave them blank.
The same `Criterion.outcome` judges a claim's measurements and its control's.
"""

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

KINDS = ("bound", "rate", "threshold", "existence", "identity", "comparison")
OPS = ("<=", ">=", "<", ">", "in")
COLUMNS = ("claim", "part", "kind", "measure", "op", "threshold", "tight", "control")
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Measurement:
    """One reading of a measure: where (a setting such as "N=3"), the estimate, its interval."""

    setting: str
    estimate: float | None
    interval: tuple | None = None


@dataclass(frozen=True)
class Criterion:
    claim: str
    part: str
    kind: str
    measure: str
    op: str
    threshold: tuple
    tight: bool
    control: str

    @property
    def text(self) -> str:
        t = self.threshold
        bound = f"[{t[0]:g}, {t[1]:g}]" if self.op == "in" else f"{t[0]:g}"
        return f"{self.measure} {self.op} {bound}"

    def outcome(self, m: Measurement) -> str:
        """pass / fail / inconclusive: the whole interval must clear the threshold to pass, and
        lie wholly on the wrong side to fail; a missing or non-finite estimate fails."""
        if m.estimate is None or not math.isfinite(m.estimate):
            return "fail"
        lo, hi = m.interval if m.interval else (m.estimate, m.estimate)
        a = self.threshold[0]
        ok, bad = {
            "<=": (hi <= a, lo > a),
            "<": (hi < a, lo >= a),
            ">=": (lo >= a, hi < a),
            ">": (lo > a, hi <= a),
            "in": (a <= lo and hi <= self.threshold[-1], hi < a or lo > self.threshold[-1]),
        }[self.op]
        return "pass" if ok else "fail" if bad else "inconclusive"

    def margin(self, m: Measurement) -> float:
        """How far the estimate clears the threshold (negative: on the wrong side)."""
        if m.estimate is None or not math.isfinite(m.estimate):
            return -math.inf
        a, b = self.threshold[0], self.threshold[-1]
        x = m.estimate
        return {"<=": a - x, "<": a - x, ">=": x - a, ">": x - a, "in": min(x - a, b - x)}[self.op]


def _row(row: dict, first: dict, where: str) -> Criterion:
    def inherit(key):
        return row[key].strip() or first[key].strip()

    kind, op = inherit("kind"), row["op"].strip()
    if kind not in KINDS or op not in OPS:
        raise ValueError(f"{where}: {row['claim']}.{row['part']}: kind {kind!r} or op {op!r}")
    threshold = tuple(float(x) for x in row["threshold"].strip("[] ").split(","))
    if len(threshold) != (2 if op == "in" else 1):
        raise ValueError(f"{where}: {row['claim']}.{row['part']}: threshold {row['threshold']!r}")
    return Criterion(
        claim=row["claim"].strip(),
        part=row["part"].strip(),
        kind=kind,
        measure=row["measure"].strip(),
        op=op,
        threshold=threshold,
        tight=inherit("tight") == "yes",
        control=inherit("control"),
    )


def read(path) -> dict:
    """{claim id: [Criterion, ...]} in the table's order; a malformed row names the file."""
    return read_text(Path(path).read_text(encoding="utf-8"), str(path))


def read_text(text: str, where: str = "criteria table") -> dict:
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{where}: columns must be {', '.join(COLUMNS)}")
    out, first = {}, {}
    for row in rows:
        first.setdefault(row["claim"], row)
        out.setdefault(row["claim"].strip(), []).append(_row(row, first[row["claim"]], where))
    return out


def load(family: str) -> dict:
    """The criteria table shipped with a family's package."""
    return read(PACKAGE / family / "criteria.csv")
