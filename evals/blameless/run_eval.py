"""Blameless-check eval: precision/recall on our labelled sentences, and findings on the real corpus.

    .venv/bin/python evals/blameless/run_eval.py [--sample-out /tmp/blameless_sample.md --seed 3]

Scoring is per sentence: a sentence counts as flagged when the check reports any finding on it
("any level"), or, in the second line, a finding at warning or above. The held-out part was written after
the rules and is reported on its own. The corpus part runs only when ../shared/corpus/postmortems exists.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.blameless import lint_text  # noqa: E402
from pipeline.models import Finding, Level  # noqa: E402

LABELLED = Path(__file__).with_name("labelled.yaml")
CORPUS = ROOT.parent / "shared" / "corpus" / "postmortems"
_WORD = re.compile(r"\b\w[\w'-]*\b")


def load_labelled(path: Path = LABELLED) -> dict[str, list[dict]]:
    """{'tuning': [...], 'held_out': [...]} with text, blame and rule keys."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def precision_recall(rows: Iterable[dict], flagged: Callable[[str], bool]) -> dict[str, float]:
    """Sentence-level precision, recall and counts for a predicate 'this sentence is flagged'."""
    tp = fp = fn = tn = 0
    for row in rows:
        hit = flagged(row["text"])
        if row["blame"]:
            tp, fn = tp + hit, fn + (not hit)
        else:
            fp, tn = fp + hit, tn + (not hit)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def ours(minimum: Level = Level.suggestion) -> Callable[[str], bool]:
    order = {Level.suggestion: 0, Level.warning: 1, Level.error: 2}
    return lambda text: any(order[f.level] >= order[minimum] for f in lint_text(text))


def fmt(scores: dict[str, float]) -> str:
    return (
        f"precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  "
        f"(tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']}, tn {scores['tn']})"
    )


def corpus_findings(corpus: Path = CORPUS) -> tuple[list[Finding], int, dict[str, str]]:
    """Findings per file over the corpus, the corpus word count, and each file's text."""
    findings: list[Finding] = []
    words = 0
    texts: dict[str, str] = {}
    for path in sorted(corpus.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        texts[path.name] = text
        words += len(_WORD.findall(text))
        findings.extend(lint_text(text, path=path.name))
    return findings, words, texts


def write_sample(
    findings: list[Finding], texts: dict[str, str], out: Path, size: int = 50, seed: int = 20261124
) -> None:
    """A seeded random sample of corpus findings with their line, for review by hand."""
    sample = sorted(random.Random(seed).sample(findings, min(size, len(findings))), key=lambda f: (f.file, f.line))
    lines = [
        "# Blameless check: sample of real-corpus findings for hand review",
        "",
        "| # | file:line | rule | level | match | line text | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, f in enumerate(sample, start=1):
        context = texts[f.file].splitlines()[f.line - 1].strip().replace("|", "\\|")[:160]
        lines.append(f"| {n} | {f.file}:{f.line} | {f.rule_id} | {f.level.value} | {f.match} | {context} |  |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sample-out",
        type=Path,
        default=None,
        help="Write 50 corpus findings (with their corpus lines) here; keep it outside the repo.",
    )
    parser.add_argument("--seed", type=int, default=20261124, help="Seed of the corpus sample.")
    args = parser.parse_args()

    data = load_labelled()
    everything = data["tuning"] + data["held_out"]
    print(
        f"labelled sentences: {len(everything)} ({sum(r['blame'] for r in everything)} blame, "
        f"{sum(not r['blame'] for r in everything)} blameless); held-out {len(data['held_out'])}"
    )
    for name, rows in (("overall", everything), ("tuning", data["tuning"]), ("held-out", data["held_out"])):
        print(f"{name:9} any level:   {fmt(precision_recall(rows, ours()))}")
        print(f"{name:9} warning+:    {fmt(precision_recall(rows, ours(Level.warning)))}")
    missed = [r["text"] for r in data["held_out"] if r["blame"] and not ours()(r["text"])]
    wrong = [r["text"] for r in data["held_out"] if not r["blame"] and ours()(r["text"])]
    for label, rows in (("held-out misses", missed), ("held-out false alarms", wrong)):
        for text in rows:
            print(f"  {label}: {text}")

    if not CORPUS.is_dir():
        print(f"corpus: {CORPUS} absent; skipped")
        return
    findings, words, texts = corpus_findings()
    by_level = {level.value: sum(1 for f in findings if f.level is level) for level in Level}
    print(
        f"corpus: {len(texts)} files, {words} words, {len(findings)} findings "
        f"= {1000 * len(findings) / words:.2f} per 1,000 words; by level {by_level}"
    )
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
    print("corpus by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
    if args.sample_out:
        write_sample(findings, texts, args.sample_out, seed=args.seed)
        print(f"wrote a sample of {min(50, len(findings))} findings to {args.sample_out}")


if __name__ == "__main__":
    main()
