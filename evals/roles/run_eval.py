#!/usr/bin/env python3
"""Score the engine's role finding (`facts.extract_roles`) on evals/roles/roles.yaml.

    python evals/roles/run_eval.py               # dev and blind aggregates
    python evals/roles/run_eval.py --show-dev    # also every dev item the engine gets wrong
    python evals/roles/run_eval.py roles_fresh.yaml   # another set file of this folder

Each snippet is read as an incident by evals/snippets.py. A holder counts as right when it is the expected full
name for that role. Blind items are reported in aggregate only (README.md: do not look at them while tuning).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parent))

from snippets import as_incident  # noqa: E402

from pipeline.facts import evidence_items, extract_roles  # noqa: E402

ROLES = ("IC", "OL", "CL", "Scribe")


def found_roles(item: dict) -> set[tuple[str, str]]:
    incident = as_incident(item)
    return {(fact.name, fact.value) for fact in extract_roles(incident, evidence_items(incident)) if fact.name in ROLES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-dev", action="store_true", help="print each dev item the engine gets wrong")
    parser.add_argument(
        "sets", nargs="*", default=["roles.yaml"], help="set files in evals/roles (default: roles.yaml)"
    )
    args = parser.parse_args()
    items = [item for name in args.sets for item in yaml.safe_load((HERE / name).read_text(encoding="utf-8"))]
    for split in ("dev", "blind"):
        counts: Counter[str] = Counter()
        if not any(i["split"] == split for i in items):
            continue
        for item in (i for i in items if i["split"] == split):
            expected = {(role, name) for role, name in (item["roles"] or {}).items()}
            produced = found_roles(item)
            counts["items"] += 1
            counts["exact"] += produced == expected
            counts["expected"] += len(expected)
            counts["produced"] += len(produced)
            counts["right"] += len(expected & produced)
            counts[f"kind:{item['kind']}:items"] += 1
            counts[f"kind:{item['kind']}:exact"] += produced == expected
            if args.show_dev and split == "dev" and produced != expected:
                print(f"{item['id']} ({item['kind']}, {item['style']})")
                for message in item["messages"]:
                    print(f"    {message['author']}: {message['text']}")
                print(f"    missing {sorted(expected - produced)}  extra {sorted(produced - expected)}")
        precision = counts["right"] / counts["produced"] if counts["produced"] else 1.0
        recall = counts["right"] / counts["expected"] if counts["expected"] else 1.0
        kinds = ", ".join(
            f"{kind} {counts[f'kind:{kind}:exact']}/{counts[f'kind:{kind}:items']}"
            for kind in ("assignment", "hand-over", "look-alike")
        )
        print(
            f"{split}: {counts['items']} items, holders precision {precision:.3f} recall {recall:.3f}, "
            f"items exactly right {counts['exact']}/{counts['items']} ({kinds})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
