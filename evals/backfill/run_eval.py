"""Accuracy of backfill's offline extraction on two hand-labelled gold sets.

    .venv/bin/python evals/backfill/run_eval.py [--corpus ../shared/corpus] [--json] [--show-dev-misses]

1. evals/backfill/gold.yaml: 40 real corpus notes, title, date and severity. Strict accuracy compares with
   the gold label only; lenient also accepts the label's listed alternatives (date_alt, title_alt_sha1).
   "Not recorded in source" matches a null label.
2. evals/backfill/v2/gold.yaml, written blind (the labeller never read pipeline/backfill): real corpus notes
   (by reference) and messy notes of every shape (v2/written/), split dev/blind. Per split: title, date,
   severity, action-item recall and precision, and the incident count per file. Each file goes through the
   same reading and extraction as `postmortem backfill` (one record per incident); records pair with the
   gold incidents in file order. Titles and action items are the labeller's short paraphrases, so they
   match by word overlap; a date given only as a month counts when the month is right; a date read from
   the file name (provenance "file name") counts as no date stated, as the gold labels it, and so does a
   quarter ("Q2 2023" is kept as 2023-Q2, but the gold writes only days and months). The blind
   split is reported in aggregate only; only the dev split's misses can be listed.

Needs the shared corpus; the corpus text is read, never stored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from normalize import title_sha1  # noqa: E402

from pipeline.backfill.extract import extract, extract_all  # noqa: E402
from pipeline.backfill.reading import read_note  # noqa: E402
from pipeline.backfill.sources import detect_format  # noqa: E402
from pipeline.errors import InputError  # noqa: E402

GOLD = Path(__file__).resolve().parent / "gold.yaml"


def evaluate(corpus: Path) -> dict:
    entries = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    rows = []
    for entry in entries:
        path = corpus / entry["path"]
        fields = extract(read_note(path, detect_format(path) or "text"))
        title = title_sha1(fields.title.value) if fields.title.recorded else None
        day = fields.date.value if fields.date.recorded else None
        severity = fields.severity.value if fields.severity.recorded else None
        titles_ok = {entry["title_sha1"], *entry.get("title_alt_sha1", [])}
        dates_ok = {entry["date"], *entry.get("date_alt", [])}
        rows.append(
            {
                "path": entry["path"],
                "title": title == entry["title_sha1"],
                "title_lenient": title in titles_ok,
                "date": day == entry["date"],
                "date_lenient": day in dates_ok,
                "severity": (severity or "").lower() == (entry["severity"] or "").lower(),
                "extracted_date": day,
                "gold_date": entry["date"],
                "extracted_title_recorded": title is not None,
                "gold_title_recorded": entry["title_sha1"] is not None,
            }
        )
    n = len(rows)
    accuracy = {
        key: round(sum(row[key] for row in rows) / n, 3)
        for key in ("title", "title_lenient", "date", "date_lenient", "severity")
    }
    return {"notes": n, "accuracy": accuracy, "rows": rows}


GOLD_V2 = Path(__file__).resolve().parent / "v2" / "gold.yaml"
TITLE_F1 = 0.6  # a title matches when its words overlap the gold title's this much (token F1)
ACTION_F1 = 0.5
COVERAGE = 0.6  # or this share of the gold item's words found in the extracted item
_STOP = {"the", "a", "an", "of", "on", "in", "to", "for", "and", "at", "with", "from", "by", "is", "was"}


def words(text: str | None) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if w not in _STOP]


def f1(found: str | None, gold: str | None) -> float:
    a, b = words(found), words(gold)
    if not a or not b:
        return 0.0
    common = sum(min(a.count(w), b.count(w)) for w in set(a))
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def covers(found: str | None, gold: str | None) -> bool:
    """The gold paraphrase's words are mostly in the extracted text (a short label of a longer item), or both
    overlap well: "match them loosely (word overlap)", as the gold file asks."""
    want, have = set(words(gold)), set(words(found))
    return bool(want) and (len(want & have) / len(want) >= COVERAGE or f1(found, gold) >= ACTION_F1)


def severity_key(value: str | None) -> str | None:
    return re.sub(r"[^a-z0-9]", "", value.lower()) if value else None


def date_ok(found: str | None, gold: dict) -> bool:
    accepted = [gold.get("date"), *gold.get("date_alternatives", [])]
    for day in accepted:
        if day is None and found is None:
            return True
        if day and found and (found == day or (len(day) == 7 and found.startswith(day))):
            return True
    return False


def score_file(entry: dict, corpus: Path) -> dict:
    name = entry["file"]
    path = corpus / name.removeprefix("corpus:") if name.startswith("corpus:") else GOLD_V2.parent / name
    try:
        records = extract_all(read_note(path, detect_format(path) or "text"))
        refused = None
    except InputError as exc:  # `postmortem backfill` states the reason and writes no record: every field is missed
        records, refused = [], str(exc)
    gold_incidents = entry["incidents"]
    rows = []
    for position, gold in enumerate(gold_incidents):
        record = records[position] if position < len(records) else None
        title = record.title.value if record and record.title.recorded else None
        day = (
            record.date.value
            if record
            and record.date.recorded
            and record.date_source != "file name"
            and record.date_precision != "quarter"
            else None
        )
        severity = record.severity.value if record and record.severity.recorded else None
        titles = [gold.get("title"), *gold.get("title_alternatives", [])]
        severities = {severity_key(s) for s in [gold.get("severity"), *gold.get("severity_alternatives", [])]}
        found_actions = [item.text for item in record.action_items] if record else []
        gold_actions = gold.get("action_items") or []
        rows.append(
            {
                "title": any((t is None and title is None) or (t and f1(title, t) >= TITLE_F1) for t in titles),
                "date": date_ok(day, gold),
                "severity": severity_key(severity) in severities,
                "actions_gold": len(gold_actions),
                "actions_recalled": sum(any(covers(found, want) for found in found_actions) for want in gold_actions),
                "actions_found": len(found_actions),
                "actions_correct": sum(any(covers(found, want) for want in gold_actions) for found in found_actions),
                "got": {"title": title, "date": day, "severity": severity, "actions": found_actions},
                "want": {
                    "title": gold.get("title"),
                    "date": gold.get("date"),
                    "severity": gold.get("severity"),
                    "actions": gold_actions,
                },
            }
        )
    return {
        "file": name,
        "split": entry["split"],
        "shape": entry.get("shape"),
        "refused": refused,
        "count_ok": len(records) == len(gold_incidents),
        "records": len(records),
        "gold": len(gold_incidents),
        "incidents": rows,
    }


def aggregate(files: list[dict]) -> dict:
    rows = [row for f in files for row in f["incidents"]]
    n = len(rows) or 1
    gold_actions = sum(r["actions_gold"] for r in rows)
    found_actions = sum(r["actions_found"] for r in rows)
    return {
        "files": len(files),
        "incidents": len(rows),
        "title": round(sum(r["title"] for r in rows) / n, 3),
        "date": round(sum(r["date"] for r in rows) / n, 3),
        "severity": round(sum(r["severity"] for r in rows) / n, 3),
        "action_recall": round(sum(r["actions_recalled"] for r in rows) / gold_actions, 3) if gold_actions else None,
        "action_precision": round(sum(r["actions_correct"] for r in rows) / found_actions, 3)
        if found_actions
        else None,
        "incident_count": round(sum(f["count_ok"] for f in files) / (len(files) or 1), 3),
        "refused": sum(f["refused"] is not None for f in files),
    }


def evaluate_v2(corpus: Path) -> dict:
    """The blind gold set: figures per split; the dev split's files too (for tuning), never the blind's."""
    entries = yaml.safe_load(GOLD_V2.read_text(encoding="utf-8"))["notes"]
    files = [score_file(entry, corpus) for entry in entries]
    splits = sorted({f["split"] for f in files})
    return {
        "by_split": {split: aggregate([f for f in files if f["split"] == split]) for split in splits},
        "dev_files": [f for f in files if f["split"] == "dev"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = next(
        (p for p in (ROOT.parent / "shared" / "corpus", ROOT.parents[1] / "shared" / "corpus") if p.is_dir()),
        ROOT.parent / "shared" / "corpus",
    )
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--show-dev-misses", action="store_true", help="list the v2 dev split's misses (never the blind's)"
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"error: {args.corpus}: corpus not found (pass --corpus)", file=sys.stderr)
        return 2
    result = evaluate(args.corpus)
    v2 = evaluate_v2(args.corpus)
    if args.json:
        print(json.dumps({"gold_v1": result["accuracy"], "gold_v2": v2["by_split"]}, indent=2))
        return 0
    print(
        f"gold v1: {result['notes']} hand-labelled notes; field accuracy: "
        + ", ".join(f"{k} {v:.3f}" for k, v in result["accuracy"].items())
    )
    for row in result["rows"]:
        wrong = [k for k in ("title", "date", "severity") if not row[k]]
        if wrong:
            print(
                f"  {row['path']}: wrong {', '.join(wrong)} (date {row['extracted_date']} vs gold {row['gold_date']}; "
                f"title recorded {row['extracted_title_recorded']} vs gold {row['gold_title_recorded']})"
            )
    for split, figures in v2["by_split"].items():
        print(f"gold v2 {split}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    if args.show_dev_misses:
        for f in v2["dev_files"]:
            if not f["count_ok"]:
                print(f"  {f['file']}: {f['records']} records, gold {f['gold']}")
            for row in f["incidents"]:
                wrong = [k for k in ("title", "date", "severity") if not row[k]]
                if (
                    wrong
                    or row["actions_recalled"] < row["actions_gold"]
                    or row["actions_correct"] < row["actions_found"]
                ):
                    print(f"  {f['file']}: wrong {wrong} got {row['got']} want {row['want']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
