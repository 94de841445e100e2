#!/usr/bin/env python3
"""How well the engine's timeline-row rules pick the rows that state a contributing factor, against hand labels.

    python evals/incidents/judged_rows.py          # dev rows (cause_row_labels/dev.yaml)

Every timeline row of the dev incidents was judged by hand: does the row itself state a gold factor (`[G2]`),
another genuine factor (`other`), only the trigger (`trigger`), or none (`no`)? Brief: cause_row_labels/README.md.
The rows are the ones `OfflineEngine.cause_rows` returns, grouped by the rule that took them: cause wording, a sign
explained away before the detection, or a finding during the impact (a tool's output included). For each rule this
prints how many rows it takes, how many of those state a factor (precision) and the share of all factor rows it
takes (recall). A row the engine drops later (a person named, a repeat) still counts: these are the rules' own
figures, not the drafts'.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline.drafting.offline import CAUSE_ROW_SIGNALS, OfflineEngine  # noqa: E402
from pipeline.facts import extract_facts, signals  # noqa: E402
from pipeline.ingest.incident import load_incident  # noqa: E402
from pipeline.redact import redact_incident  # noqa: E402

LABELS = HERE / "cause_row_labels" / "dev.yaml"


def rule(text: str, kind: str) -> str:
    """The rule that took a row, from the kind `cause_rows` gave it and the wording its first branch reads."""
    if kind == "dismissed":
        return "explained away before detection"
    if any(signals()[key].search(text) for key in CAUSE_ROW_SIGNALS):
        return "cause wording"
    return "finding during the impact"


def main() -> int:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    taken: dict[str, list[bool]] = {}
    factor_rows = rows_total = 0
    for name, judged in sorted(labels.items()):
        incident, _ = load_incident(HERE / "dev" / name)
        safe = redact_incident(incident)
        engine = OfflineEngine(safe, extract_facts(safe))
        states = {row_id: isinstance(label, list) or label == "other" for row_id, label in judged.items()}
        factor_rows += sum(states.values())
        rows_total += len(states)
        kinds = {row_id: kind for row_id, _, kind in engine.cause_rows()}
        for row_id, kind in kinds.items():
            for chosen in (rule(engine.by_id[row_id].text, kind), "any of them"):
                taken.setdefault(chosen, []).append(states[row_id])
    print(f"{len(labels)} dev incidents, {rows_total} timeline rows, {factor_rows} state a factor (hand labels)")
    for chosen, right in sorted(taken.items()):
        print(
            f"  {chosen}: takes {len(right)} rows, precision {sum(right) / len(right):.3f}, "
            f"recall {sum(right) / factor_rows:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
