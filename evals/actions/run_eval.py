#!/usr/bin/env python3
"""Score the offline draft's action items on evals/actions/*.yaml (chat snippets with the rows an SRE would record).

    python evals/actions/run_eval.py               # dev and blind aggregates
    python evals/actions/run_eval.py --show-dev    # also every dev snippet the draft gets wrong

Each snippet is read as an incident by evals/snippets.py (behind one timeline row, "Incident resolved") and drafted
by the offline engine, as `postmortem draft` would. Drafted and expected rows are paired one to one by embedding
cosine, as `postmortem eval` pairs them (pipeline/evals/metrics.py, `match_items`). Reported: precision and recall
of the rows, snippets exactly right (every row paired, nothing extra), owner accuracy on paired rows whose expected
row has an owner, and drafted rows on snippets that expect none. Blind items are reported in aggregate only
(README.md: do not look at them while tuning).
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

from pipeline.drafting import draft_incident  # noqa: E402
from pipeline.evals.metrics import is_placeholder, match_items  # noqa: E402
from pipeline.names import fold  # noqa: E402


def drafted_actions(item: dict) -> list[tuple[str, str | None]]:
    """(action, owner) of each drafted row, placeholders aside."""
    draft, _ = draft_incident(as_incident(item, ["Incident resolved"]), similar=False)
    return [(a.action, a.owner) for a in draft.action_items if not is_placeholder(a.action)]


def same_owner(expected: str, drafted: str | None) -> bool:
    return bool(drafted) and any(fold(expected) == fold(name) for name in drafted.split(","))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-dev", action="store_true", help="print each dev snippet the draft gets wrong")
    parser.add_argument("sets", nargs="*", help="set files in evals/actions (default: all)")
    args = parser.parse_args()
    paths = [HERE / name for name in args.sets] if args.sets else sorted(HERE.glob("*.yaml"))
    items = [item for path in paths for item in yaml.safe_load(path.read_text("utf-8"))]
    for split in ("dev", "blind"):
        counts: Counter[str] = Counter()
        for item in (i for i in items if i["split"] == split):
            expected = item["actions"] or []
            drafted = drafted_actions(item)
            matches = match_items([row["action"] for row in expected], [text for text, _ in drafted])
            paired = [m for m in matches if m.draft is not None]
            owners = dict(drafted)
            counts["snippets"] += 1
            counts["expected"] += len(expected)
            counts["drafted"] += len(drafted)
            counts["paired"] += len(paired)
            counts["exact"] += len(paired) == len(expected) == len(drafted)
            counts["empty"] += not expected
            counts["drafted_on_empty"] += 0 if expected else len(drafted)
            for row, match in zip(expected, matches, strict=True):
                if row.get("owner") and match.draft is not None:
                    counts["owner_expected"] += 1
                    counts["owner_right"] += same_owner(row["owner"], owners.get(match.draft))
            if args.show_dev and split == "dev" and not len(paired) == len(expected) == len(drafted):
                print(f"{item['id']} ({item['style']})")
                for message in item["messages"]:
                    print(f"    {message['author']}: {message['text']}")
                print("    expected:", [f"{r['action']} [{r.get('owner')}]" for r in expected])
                print("    drafted: ", [f"{text} [{owner}]" for text, owner in drafted])
        precision = counts["paired"] / counts["drafted"] if counts["drafted"] else 1.0
        recall = counts["paired"] / counts["expected"] if counts["expected"] else 1.0
        owners = counts["owner_right"] / counts["owner_expected"] if counts["owner_expected"] else 1.0
        print(
            f"{split}: {counts['snippets']} snippets, rows precision {precision:.3f} recall {recall:.3f}, "
            f"exactly right {counts['exact']}/{counts['snippets']}, owners {owners:.3f} "
            f"({counts['owner_right']}/{counts['owner_expected']}), "
            f"rows drafted on the {counts['empty']} snippets with none: {counts['drafted_on_empty']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
