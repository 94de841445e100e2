"""Field accuracy of backfill's offline extraction on the hand-labelled gold sample (evals/backfill/gold.yaml).

    .venv/bin/python evals/backfill/run_eval.py [--corpus ../shared/corpus] [--json]

Strict accuracy compares with the gold label only; lenient also accepts the label's listed alternatives
(date_alt, title_alt_sha1) for notes a careful reader could date or title two ways. "Not recorded in
source" matches a null label. Needs the shared corpus; the corpus text is read, never stored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from normalize import title_sha1  # noqa: E402

from pipeline.backfill.extract import extract  # noqa: E402
from pipeline.backfill.reading import read_note  # noqa: E402
from pipeline.backfill.sources import detect_format  # noqa: E402

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
        rows.append({
            "path": entry["path"],
            "title": title == entry["title_sha1"], "title_lenient": title in titles_ok,
            "date": day == entry["date"], "date_lenient": day in dates_ok,
            "severity": (severity or "").lower() == (entry["severity"] or "").lower(),
            "extracted_date": day, "gold_date": entry["date"],
            "extracted_title_recorded": title is not None, "gold_title_recorded": entry["title_sha1"] is not None,
        })
    n = len(rows)
    accuracy = {key: round(sum(row[key] for row in rows) / n, 3)
                for key in ("title", "title_lenient", "date", "date_lenient", "severity")}
    return {"notes": n, "accuracy": accuracy, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"error: {args.corpus}: corpus not found (pass --corpus)", file=sys.stderr)
        return 2
    result = evaluate(args.corpus)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['notes']} hand-labelled notes; field accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in result["accuracy"].items()))
    for row in result["rows"]:
        wrong = [k for k in ("title", "date", "severity") if not row[k]]
        if wrong:
            print(f"  {row['path']}: wrong {', '.join(wrong)} (date {row['extracted_date']} vs gold {row['gold_date']}; "
                  f"title recorded {row['extracted_title_recorded']} vs gold {row['gold_title_recorded']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
