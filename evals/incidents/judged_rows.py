#!/usr/bin/env python3
"""How well the engine's timeline-row rules pick the rows that state a contributing factor, against hand labels.

    python evals/incidents/judged_rows.py          # dev rows (cause_row_labels/dev.yaml)

Every timeline row of the dev incidents was judged by hand: does the row itself state a gold factor (`[G2]`),
another genuine factor (`other`), only the trigger (`trigger`), or none (`no`)? Brief: cause_row_labels/README.md.
For each rule the offline engine drafts factor rows by (`OfflineEngine.cause_rows`), this prints how many rows it
takes, how many of those state a factor (precision) and the share of all factor rows it takes (recall). The rules
are read here as the engine reads them (same signals, same key times); a row the engine then drops (a person named,
a repeat) still counts, so these are the rules' own figures, not the drafts'.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline.drafting.offline import CAUSE_ROW_SIGNALS, NOT_FINDING_SIGNALS  # noqa: E402
from pipeline.facts import evidence_items, extract_facts, signals  # noqa: E402
from pipeline.ingest.incident import load_incident  # noqa: E402
from pipeline.redact import redact_incident  # noqa: E402

LABELS = HERE / "cause_row_labels" / "dev.yaml"


def rules(row, facts) -> dict[str, bool]:
    """Which row rule takes the row: cause wording; a sign explained away before the detection; a finding recorded
    during the impact (not a key-time row, not a detection or declaration)."""
    sig = signals()
    worded = any(sig[key].search(row.text) for key in CAUSE_ROW_SIGNALS)
    detected, started, mitigated = facts.detected, facts.started, facts.mitigated
    before = bool(row.time and detected and detected.time and row.time <= detected.time)
    moments = {
        e for fact in (started, detected, facts.declared, mitigated, facts.resolved) if fact for e in fact.evidence
    }
    moments |= {e for fact in facts.mitigation_steps for e in fact.evidence}
    during = bool(row.time and started and started.time and started.time <= row.time)
    during = during and not (mitigated and mitigated.time and row.time >= mitigated.time)
    finding = during and row.id not in moments and not any(sig[key].search(row.text) for key in NOT_FINDING_SIGNALS)
    parts = [part for part in row.text.split("; ") if not sig["not_a_factor"].search(part)]
    return {
        "cause wording": worded,
        "explained away before detection": not worded and before and bool(sig["dismissed"].search(row.text)),
        "finding during the impact": finding and any(sig["finding"].search(part) for part in parts),
    }


def main() -> int:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    taken: dict[str, list[bool]] = {}
    factor_rows = rows_total = 0
    for name, judged in sorted(labels.items()):
        incident, _ = load_incident(HERE / "dev" / name)
        safe = redact_incident(incident)
        facts = extract_facts(safe)
        for row in (item for item in evidence_items(safe) if item.is_timeline and item.text.strip()):
            label = judged[row.id]
            states = isinstance(label, list) or label == "other"
            factor_rows += states
            rows_total += 1
            chosen = rules(row, facts)
            chosen["either"] = any(chosen.values())
            for rule, takes in chosen.items():
                if takes:
                    taken.setdefault(rule, []).append(states)
    print(f"{len(labels)} dev incidents, {rows_total} timeline rows, {factor_rows} state a factor (hand labels)")
    for rule, right in taken.items():
        print(
            f"  {rule}: takes {len(right)} rows, precision {sum(right) / len(right):.3f}, "
            f"recall {sum(right) / factor_rows:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
