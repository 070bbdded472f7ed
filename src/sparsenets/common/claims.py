"""The claims.json contract: one object per claim a family tests, its verdict computed by code."""

import math
import re

VERDICTS = ("reproduced", "partial", "not reproduced")
FIELDS = ("id", "source", "statement", "measure", "value", "expected", "verdict", "evidence")
MACRO_NAME = re.compile(r"^[A-Za-z]+$")


def claim(*, id, source, statement, measure, value, expected, verdict, evidence) -> dict:
    if verdict not in VERDICTS:
        raise ValueError(f"claim {id}: verdict {verdict!r} is not one of {VERDICTS}")
    return {
        "id": id,
        "source": source,
        "statement": statement,
        "measure": measure,
        "value": _plain(value),
        "expected": expected,
        "verdict": verdict,
        "evidence": [str(e) for e in evidence],
    }


def verdict_from(passed: int, total: int) -> str:
    """All sub-criteria met: reproduced; some: partial; none: not reproduced."""
    return "reproduced" if passed == total else "partial" if passed else "not reproduced"


def validate(claims: list, where: str = "claims.json") -> None:
    for c in claims:
        missing = [f for f in FIELDS if f not in c]
        if missing:
            raise ValueError(f"{where}: claim {c.get('id', '?')} lacks {', '.join(missing)}")
        if c["verdict"] not in VERDICTS:
            raise ValueError(f"{where}: claim {c['id']} has verdict {c['verdict']!r}")


def _plain(value):
    """Numbers and lists of numbers as JSON-safe Python values (NaN/inf become None)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
