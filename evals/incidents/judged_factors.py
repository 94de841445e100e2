#!/usr/bin/env python3
"""Drafted contributing factors judged by hand, beside the eval's MiniLM matcher, on the same drafts.

    python evals/incidents/judged_factors.py evals/incidents/dev   [--labels evals/incidents/factor_labels/dev.yaml]
    python evals/incidents/judged_factors.py evals/incidents/blind  # aggregates only, as for every blind figure

`postmortem eval` pairs drafted factors with gold ones by embedding cosine (>= 0.65). People judged 329 drafted
factors against gold instead (factor_labels/README.md), and this script drafts every incident again and reports,
for the drafted factors whose text they judged: the share that states a gold factor (precision), the share of all
gold factors stated (recall), and the matcher's figures on the same drafts, all counted over the split's factors
(`postmortem eval` averages per incident instead). A factor whose text changed since it was
judged is counted as unjudged and left out of the hand figures; relabel when that count grows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline.drafting import draft_from_directory  # noqa: E402
from pipeline.evals.gold import load_gold  # noqa: E402
from pipeline.evals.metrics import is_placeholder, match_items  # noqa: E402


def judged(path: Path) -> dict[str, dict[str, list[int] | str]]:
    """incident -> drafted text -> its label: the gold factor numbers it states, "other" or "junk"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {name: {item["text"]: item["label"] for item in items} for name, items in data.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path, help="a folder of gold incident bundles (evals/incidents/dev or blind)")
    parser.add_argument("--labels", type=Path, help="default: factor_labels/<split name>.yaml")
    args = parser.parse_args()
    labels = judged(args.labels or HERE / "factor_labels" / f"{args.split.name}.yaml")
    drafted = unjudged = stating = other = gold_total = covered = matched_drafted = matched_gold = 0
    for directory in sorted(p for p in args.split.iterdir() if (p / "gold.json").is_file()):
        gold = load_gold(directory)
        draft, _ = draft_from_directory(directory, similar=False)
        factors = [f.statement for f in draft.contributing_factors if not is_placeholder(f.statement)]
        matches = [m for m in match_items(gold.contributing_factors, factors) if m.draft is not None]
        gold_total += len(gold.contributing_factors)
        matched_gold += len(matches)
        matched_drafted += len(matches)
        known = labels.get(directory.name, {})
        stated: set[int] = set()
        for text in factors:
            drafted += 1
            label = known.get(text)
            if label is None:
                unjudged += 1
            elif isinstance(label, list):
                stating += 1
                stated |= set(label)
            elif label == "other":
                other += 1
        covered += len(stated)
    judged_count = drafted - unjudged
    print(f"{args.split}: {drafted} drafted factors, {unjudged} not judged yet, {gold_total} gold factors")
    print(
        f"  by hand:  precision {stating / max(1, judged_count):.3f}  recall {covered / max(1, gold_total):.3f}"
        f"  (other real factors: {other})"
    )
    print(
        f"  matcher:  precision {matched_drafted / max(1, drafted):.3f}  recall {matched_gold / max(1, gold_total):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
