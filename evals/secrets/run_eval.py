"""Secret-redaction eval: how many pasted secrets vanish, and how many ordinary identifiers survive.

Reads `evals/secrets/secrets.yaml` (written blind) and runs each line through the redactor that every
input and output of the tool passes through. Prints recall (secrets removed) and survival (identifiers
kept whole) per split; `--show dev` lists the dev misses. Blind items are reported in aggregate only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from pipeline.redact import Redactor

HERE = Path(__file__).resolve().parent


def evaluate(items: list[dict]) -> dict[str, dict[str, float]]:
    """Per split: secrets removed / positives, identifiers kept / negatives, and the dev misses."""
    results: dict[str, dict] = {}
    for item in items:
        split = results.setdefault(
            item["split"], {"positives": 0, "removed": 0, "negatives": 0, "kept": 0, "misses": []}
        )
        redacted = Redactor().redact(item["text"])
        if item.get("secret"):
            split["positives"] += 1
            if item["secret"] not in redacted:
                split["removed"] += 1
            else:
                split["misses"].append(f"missed {item['id']} ({item['kind']})")
        else:
            split["negatives"] += 1
            if item["keep"] in redacted:
                split["kept"] += 1
            else:
                split["misses"].append(f"over-redacted {item['id']} ({item['kind']})")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "secrets.yaml")
    parser.add_argument("--show", choices=["dev"], help="list the dev split's misses (never the blind split's)")
    args = parser.parse_args(argv)
    items = yaml.safe_load(args.data.read_text(encoding="utf-8"))["items"]
    for name, split in sorted(evaluate(items).items()):
        recall = split["removed"] / split["positives"] if split["positives"] else 0.0
        kept = split["kept"] / split["negatives"] if split["negatives"] else 0.0
        print(
            f"{name}: secrets removed {split['removed']}/{split['positives']} ({recall:.3f}), "
            f"identifiers kept {split['kept']}/{split['negatives']} ({kept:.3f})"
        )
        if args.show == name:
            for miss in split["misses"]:
                print(f"  {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
