"""Blameless-check eval, version 2: detection, rewrites and meaning on the blind-written set and real corpus
sentences, per split.

    PYTHONPATH=. .venv/bin/python evals/blameless/run_eval_v2.py [--no-meaning] [--show-dev]

Per split (dev, blind) and per set (written, corpus, both) it prints:
- precision and recall (a sentence counts as flagged when the check reports any finding on it);
- rewrite coverage: flagged blame sentences that get a rewrite (safe or review), and those whose rewrite is a
  sentence rather than a plain instruction ("Add an automated check for X.");
- clean rate: rewrites the check no longer flags;
- fact preservation: rewrites that keep every number, time and system name of the original;
- meaning: mean cosine of the rewrite to the reference rewrite (bundled MiniLM).
Blind items are only ever counted: `--show-dev` lists misses, false alarms and rewrites for dev only.
Corpus sentences are read by reference from ../shared/corpus (skipped when absent, sha1 checked).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.blameless import lint_text  # noqa: E402
from pipeline.blameless.config import BlamelessConfig  # noqa: E402
from pipeline.blameless.people import hyphenated_person_name  # noqa: E402
from pipeline.blameless.sentence import rewrite_sentence  # noqa: E402

V2 = Path(__file__).with_name("v2")
CORPUS_ROOT = next(
    (p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
    ROOT.parent / "shared" / "corpus",
)
# Facts a rewrite must keep: numbers and times, and system names (words with a digit, hyphen, underscore,
# dot or slash inside, backticked code, or CamelCase). Compared case-insensitively as substrings.
_FACT = re.compile(
    r"`[^`]+`|\b\d[\d:.,%/]*\w*|\b[A-Za-z][\w]*(?:[-_./][\w]+)+\b|\b[a-z]+[A-Z]\w*\b|\b[A-Z][a-z]+[A-Z]\w*\b"
)

# Hyphenated words for people's roles match the system-name shape but name the person a rewrite removes; the
# hyphenated verdict "fat-finger" likewise is the blame a clean rewrite must remove (added 2026-12-04, when the
# rewriter first rewrote such sentences: keeping the word would leave them flagged).
# Hyphenated words for people, not systems; "on-site" and "night-shift" describe the person who goes ("the on-site
# technician") and were added 2026-12-07, when the rewrite first left them out with the person.
_ROLE_WORDS = frozenset(
    {
        "on-call",
        "on-caller",
        "on-callers",
        "co-worker",
        "co-workers",
        "team-mate",
        "team-mates",
        "on-site",
        "night-shift",
    }
)
_VERDICT_WORDS = frozenset({"fat-finger", "fat-fingers", "fat-fingered", "fat-fingering", "fat-fingred"})
# The hyphenated sarcasm of a praise frame ("Huge shout-out to Camille for single-handedly taking down search") and
# the slang verb read as its plain word ("yolo-merged" -> "merged") go with the blame too (added 2026-12-06, when the
# rewriter first rewrote sarcastic praise).
_VERDICT_WORDS |= {"shout-out", "shout-outs", "single-handedly", "yolo-merged", "yolo-deployed", "yolo-pushed"}


@dataclass
class Item:
    id: str
    split: str
    source: str  # written | corpus
    style: str
    blame: bool
    text: str
    reference: str | None


def load_items() -> list[Item]:
    """Every v2 item; corpus items resolved to their sentence (missing corpus: skipped with a note)."""
    items: list[Item] = []
    written = yaml.safe_load((V2 / "written.yaml").read_text(encoding="utf-8"))["items"]
    for row in written:
        items.append(
            Item(row["id"], row["split"], "written", row["style"], bool(row["blame"]), row["text"], row.get("rewrite"))
        )
    corpus = yaml.safe_load((V2 / "corpus.yaml").read_text(encoding="utf-8"))["items"]
    if not CORPUS_ROOT.is_dir():
        print(f"corpus: {CORPUS_ROOT} absent; corpus items skipped")
        return items
    bad = 0
    for row in corpus:
        lines = (CORPUS_ROOT / row["file"]).read_text(encoding="utf-8").split("\n")
        sentence = lines[row["line"] - 1][row["start"] : row["end"]]
        if hashlib.sha1(sentence.encode("utf-8")).hexdigest() != row["sha1"]:
            bad += 1
            continue
        items.append(
            Item(row["id"], row["split"], "corpus", row["style"], bool(row["blame"]), sentence, row.get("rewrite"))
        )
    if bad:
        print(f"corpus: {bad} items skipped (sha1 mismatch: the corpus changed)")
    return items


def facts_of(text: str) -> set[str]:
    # a person's name ("Tanaka-san", "Jae-won") has a system name's hyphen, but no rewrite should keep it
    found = {
        m.group().strip("`").rstrip(".,").lower() for m in _FACT.finditer(text) if not hyphenated_person_name(m.group())
    }
    return found - _ROLE_WORDS - _VERDICT_WORDS


def facts_kept(original: str, rewrite: str) -> bool:
    lowered = rewrite.lower()
    return all(fact in lowered for fact in facts_of(original))


@dataclass
class Outcome:
    item: Item
    flagged: bool
    rewrite: str | None = None
    safety: str | None = None
    kind: str | None = None  # "instruction": "Add an automated check for X." (no sentence)
    clean: bool = False
    facts: bool = False
    cosine: float | None = None


def evaluate(items: list[Item], meaning: bool, config: BlamelessConfig | None = None) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for item in items:
        outcome = Outcome(item, flagged=bool(lint_text(item.text, config=config)))
        if outcome.flagged and item.blame:
            rewrite = rewrite_sentence(item.text)
            if rewrite is not None:
                outcome.rewrite, outcome.safety, outcome.kind = rewrite.text, rewrite.safety, rewrite.kind
                outcome.clean = not lint_text(rewrite.text, config=config)
                outcome.facts = facts_kept(item.text, rewrite.text)
        outcomes.append(outcome)
    if meaning:
        scored = [o for o in outcomes if o.rewrite is not None and o.item.reference]
        if scored:
            from pipeline.similar.embeddings import default_model

            model = default_model()
            ours = model.embed([o.rewrite for o in scored])  # type: ignore[misc]
            refs = model.embed([o.item.reference for o in scored])  # type: ignore[misc]
            for o, a, b in zip(scored, ours, refs):
                o.cosine = float((a * b).sum() / ((a * a).sum() ** 0.5 * (b * b).sum() ** 0.5))
    return outcomes


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f} ({num}/{den})" if den else "n/a"


def summary(outcomes: list[Outcome]) -> str:
    tp = sum(o.flagged and o.item.blame for o in outcomes)
    fp = sum(o.flagged and not o.item.blame for o in outcomes)
    fn = sum(not o.flagged and o.item.blame for o in outcomes)
    rewritten = [o for o in outcomes if o.rewrite is not None]
    safe = sum(o.safety == "safe" for o in rewritten)
    sentences = sum(o.kind != "instruction" for o in rewritten)
    cosines = [o.cosine for o in rewritten if o.cosine is not None]
    mean = f"{sum(cosines) / len(cosines):.3f} (n={len(cosines)})" if cosines else "n/a"
    return (
        f"precision {_ratio(tp, tp + fp)}  recall {_ratio(tp, tp + fn)}\n"
        f"      coverage {_ratio(len(rewritten), tp)} (safe {safe}; as a sentence, not an instruction: "
        f"{_ratio(sentences, tp)})  clean {_ratio(sum(o.clean for o in rewritten), len(rewritten))}"
        f"  facts {_ratio(sum(o.facts for o in rewritten), len(rewritten))}  meaning {mean}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-meaning", action="store_true", help="Skip the embedding cosine (faster).")
    parser.add_argument("--show-dev", action="store_true", help="List dev misses, false alarms and rewrites.")
    parser.add_argument("--detector", action="store_true", help="Turn the opt-in learned detector (BL011) on.")
    parser.add_argument(
        "--opt-in", action="append", default=[], metavar="RULE", help="Turn an opt-in rule on (BL012), repeatable."
    )
    args = parser.parse_args()
    levels = {rule: "warning" for rule in args.opt_in} | ({"BL011": "warning"} if args.detector else {})
    config = BlamelessConfig(levels=levels) if levels else None
    outcomes = evaluate(load_items(), meaning=not args.no_meaning, config=config)
    for split in ("dev", "blind"):
        for source in ("written", "corpus", "both"):
            rows = [o for o in outcomes if o.item.split == split and source in ("both", o.item.source)]
            print(f"{split:5} {source:7} n={len(rows):3} {summary(rows)}")
        styles = sorted({o.item.style for o in outcomes if o.item.split == split})
        for style in styles:
            rows = [o for o in outcomes if o.item.split == split and o.item.style == style]
            tp = sum(o.flagged and o.item.blame for o in rows)
            fp = sum(o.flagged and not o.item.blame for o in rows)
            pos = sum(o.item.blame for o in rows)
            print(f"      {split} style {style:15} recall {_ratio(tp, pos)}  false alarms {fp}")
    if args.show_dev:
        for o in outcomes:
            if o.item.split != "dev":
                continue  # blind items are never listed
            if o.item.blame and not o.flagged:
                print(f"MISS   {o.item.id}: {o.item.text}")
            elif o.flagged and not o.item.blame:
                found = lint_text(o.item.text, config=config)
                print(f"FALSE  {o.item.id}: {o.item.text}  [{', '.join(f.rule_id + ' ' + f.match for f in found)}]")
            elif o.item.blame and o.rewrite is None:
                print(f"NOREWR {o.item.id}: {o.item.text}")
            elif o.rewrite is not None:
                marks = ("" if o.clean else " UNCLEAN") + ("" if o.facts else " FACTS-LOST")
                cos = f"{o.cosine:.2f}" if o.cosine is not None else "-"
                print(f"REWR   {o.item.id} [{o.safety} {cos}{marks}]: {o.item.text}\n         -> {o.rewrite}")


if __name__ == "__main__":
    main()
