#!/usr/bin/env python3
"""Drafted contributing factors judged by hand, beside the eval's MiniLM matcher, on the same drafts.

    python evals/incidents/judged_factors.py evals/incidents/dev   [--labels evals/incidents/factor_labels/dev.yaml]
    python evals/incidents/judged_factors.py evals/incidents/blind  # aggregates only, as for every blind figure

`postmortem eval` pairs drafted factors with gold ones by embedding cosine (>= 0.65). People judged 329 drafted
factors against gold instead (factor_labels/README.md), and this script drafts every incident again and reports,
for the drafted factors whose text they judged: the share that states a gold factor (precision), the share of all
gold factors stated (recall), and the matcher's figures on the same drafts, all counted over the split's factors
(`postmortem eval` averages per incident instead). A factor whose text changed since it was
judged is counted as unjudged and left out of the hand figures; relabel when that count grows:

    python evals/incidents/judged_factors.py SPLIT --unjudged /tmp/todo.md   # the labellers' input: gold, new drafts
    python evals/incidents/judged_factors.py SPLIT --add /tmp/todo.yaml      # their answers, appended to the labels

The input file holds only what the brief lets a labeller read (gold description, gold factors, the drafted factors
not judged yet, numbered D1..); `--add` maps those numbers back to the texts through the `.json` file written beside
it, so nobody needs to read blind items to merge their labels.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
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
    parser.add_argument("--unjudged", type=Path, help="write the labellers' input for the factors not judged yet")
    parser.add_argument("--add", type=Path, help="append a labeller's answers (to an --unjudged input) to the labels")
    args = parser.parse_args()
    labels_path = args.labels or HERE / "factor_labels" / f"{args.split.name}.yaml"
    if args.add:
        return add_labels(args.add, labels_path)
    labels = judged(labels_path)
    todo: list[tuple[str, str, list[str], list[str]]] = []
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
        new = [text for text in dict.fromkeys(factors) if text not in known]
        if new:
            todo.append((directory.name, gold.description, gold.contributing_factors, new))
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
    if args.unjudged:
        write_unjudged(args.unjudged, todo)
    print(f"{args.split}: {drafted} drafted factors, {unjudged} not judged yet, {gold_total} gold factors")
    print(
        f"  by hand:  precision {stating / max(1, judged_count):.3f}  recall {covered / max(1, gold_total):.3f}"
        f"  (other real factors: {other})"
    )
    print(
        f"  matcher:  precision {matched_drafted / max(1, drafted):.3f}  recall {matched_gold / max(1, gold_total):.3f}"
    )
    return 0


def write_unjudged(path: Path, todo: list[tuple[str, str, list[str], list[str]]]) -> None:
    """The labellers' input in the brief's format, and beside it (`.json`) which text each D number stands for."""
    lines = []
    for name, description, gold, texts in todo:
        lines += [f"## incident: {name}", "", f"What happened (gold description): {description}", ""]
        lines += ["Gold contributing factors:", *(f"G{i}. {g}" for i, g in enumerate(gold, 1)), ""]
        lines += ["Drafted items to judge:", *(f"D{i}. {t}" for i, t in enumerate(texts, 1)), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    numbers = {name: {f"D{i}": t for i, t in enumerate(texts, 1)} for name, _, _, texts in todo}
    path.with_suffix(".json").write_text(json.dumps(numbers, indent=1), encoding="utf-8")
    print(f"wrote {path}: {sum(len(t) for *_, t in todo)} drafted factors of {len(todo)} incidents to judge")


def add_labels(answers: Path, labels_path: Path) -> int:
    """Append the answers (incident -> D number -> label) to the labels file, by text; a comment line says when."""
    numbers = json.loads(answers.with_suffix(".json").read_text(encoding="utf-8"))
    given = yaml.safe_load(answers.read_text(encoding="utf-8")) or {}
    data = yaml.safe_load(labels_path.read_text(encoding="utf-8")) or {}
    added = 0
    for name, items in given.items():
        for number, label in items.items():
            if isinstance(label, list):
                label = [int(str(g).lstrip("G")) for g in label]
            data.setdefault(name, []).append({"text": numbers[name][number], "label": label})
            added += 1
    header = [line for line in labels_path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    header.append(f"# {date.today()}: {added} drafted factors not judged before, labelled with the same brief (--add).")
    body = []
    for name in sorted(data):
        body.append(f"{name}:")
        for item in data[name]:
            label = item["label"]
            shown = f"[{', '.join(str(g) for g in label)}]" if isinstance(label, list) else label
            body += [f"  - text: {json.dumps(item['text'], ensure_ascii=False)}", f"    label: {shown}"]
    labels_path.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"{labels_path}: {added} labels added")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
