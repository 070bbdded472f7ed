"""The claims.json contract: one object per claim a family tests, its verdict computed by code.

`judged` reads a claim's criteria (common/criteria.py), judges every measurement of every part
and of the negative control with the same `Criterion.outcome`, and folds the outcomes into a
verdict: all pass -> reproduced (for a bound: consistent, unless an instance where the bound is
predicted tight is included); passes and failures -> partial; failures only -> not reproduced;
no failure but an interval straddling a threshold -> inconclusive. A criterion that also passes
its control cannot fail: the claim is marked and its verdict capped at inconclusive.
"""

import math
import re
from pathlib import Path

import jsonschema
import yaml

from sparsenets.common.criteria import Criterion, Measurement

VERDICTS = ("reproduced", "consistent", "partial", "inconclusive", "not reproduced")
CONTROL_VERDICTS = ("rejected", "partly passes", "passes", "inconclusive", "not run")
CAPPED = ("reproduced", "consistent", "partial")  # better than inconclusive
MACRO_NAME = re.compile(r"^[A-Za-z]+$")
SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "claims.schema.yaml"


def verdict_of(outcomes: list, criterion: Criterion) -> str:
    if not outcomes:
        return "inconclusive"
    if all(o == "pass" for o in outcomes):
        return "consistent" if criterion.kind == "bound" and not criterion.tight else "reproduced"
    if "pass" in outcomes and "fail" in outcomes:
        return "partial"
    return "not reproduced" if "fail" in outcomes else "inconclusive"


def _control_verdict(verdict: str) -> str:
    """What the criterion did to the control, in words that read right for a control."""
    return {
        "not reproduced": "rejected",
        "partial": "partly passes",
        "inconclusive": "inconclusive",
    }.get(verdict, "passes")


def _judge(criteria: list, measured: dict) -> tuple:
    """(verdict, headline (criterion, measurement), parts) over every part's measurements."""
    parts, outcomes, ranked = [], [], []
    for c in criteria:
        for m in measured.get(c.part, []):
            o = c.outcome(m)
            outcomes.append(o)
            ranked.append(((o != "fail", o != "inconclusive", c.margin(m)), c, m))
            parts.append(
                {
                    "part": c.part,
                    "setting": m.setting,
                    "value": _plain(m.estimate),
                    "interval": _interval(m.interval),
                    "outcome": o,
                }
            )
    head = min(ranked, key=lambda r: r[0])[1:] if ranked else (criteria[0], None)
    return verdict_of(outcomes, criteria[0]), head, parts


def judged(
    criteria: list,
    measured: dict,
    *,
    source: str,
    statement: str,
    trials,
    interval_method: str,
    evidence: list,
    control: dict | None = None,
) -> dict:
    """A claim from its criteria rows and {part: [Measurement]} for the claim and its control.

    `control=None` records the control named in the criteria table as not run.
    """
    first = criteria[0]
    verdict, (hc, hm), parts = _judge(criteria, measured)
    ctl = {"description": first.control, "value": None, "verdict": "not run"}
    if control is not None:
        cv, (_, cm), _ = _judge(criteria, control)
        ctl.update(value=_plain(cm.estimate) if cm else None, verdict=_control_verdict(cv))
    cannot_fail = ctl["verdict"] == "passes"
    return {
        "id": first.claim,
        "source": source,
        "statement": statement,
        "kind": first.kind,
        "measure": hc.measure + (f" ({hm.setting})" if hm and hm.setting else ""),
        "value": _plain(hm.estimate) if hm else None,
        "interval": _interval(hm.interval) if hm else None,
        "interval_method": interval_method if hm and _interval(hm.interval) else "none",
        "trials": trials,
        "expected": "; ".join(c.text for c in criteria),
        "verdict": "inconclusive" if cannot_fail and verdict in CAPPED else verdict,
        "criterion_cannot_fail": cannot_fail,
        "control": ctl,
        "parts": parts,
        "evidence": [str(e) for e in evidence],
    }


def family_judge(table: dict, source: str):
    """`judged` for one family: its criteria table and source bound, claims named by id."""

    def judge(claim_id, measured, trials, interval_method, evidence, *, statement, **extra):
        extra.setdefault("source", source)
        return judged(
            table[claim_id],
            measured,
            statement=statement,
            trials=trials,
            interval_method=interval_method,
            evidence=evidence,
            **extra,
        )

    return judge


def validate(claims: list, where: str = "claims.json") -> None:
    """Check a claims.json list against workflow/schemas/claims.schema.yaml."""
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(claims, schema)
    except jsonschema.ValidationError as err:
        path = "/".join(str(p) for p in err.absolute_path)
        raise ValueError(f"{where}: {path or 'top level'}: {err.message}") from None


def _interval(interval):
    """[lo, hi], or None when there is none or an end is not finite (no spread to read)."""
    if interval is None or not all(math.isfinite(float(x)) for x in interval):
        return None
    return [_plain(float(x)) for x in interval]


def _plain(value):
    """Numbers as JSON-safe Python values (NaN/inf become None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


__all__ = [
    "Measurement",
    "family_judge",
    "judged",
    "validate",
    "verdict_of",
    "VERDICTS",
    "CONTROL_VERDICTS",
]
