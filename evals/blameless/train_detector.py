#!/usr/bin/env python3
"""Train the learned blame detector (rule BL011) and write pipeline/blameless/detector.json.

    python evals/blameless/train_detector.py            # cross-validate on dev, choose the threshold, write
    python evals/blameless/train_detector.py --dry-run  # the same, write nothing

Training data, dev only (blind items are never read here): the dev items of v2/written.yaml and v2/corpus.yaml
(corpus sentences resolved by reference, as run_eval_v2.py does), every sentence of labelled.yaml, and the
positive and negative examples of every rule in rules.yaml. Each item is masked as the check masks a document
(quotes and code hidden) and read by `detector.features`, so training sees what the check sees.

Every sentence the model would read in most corpus postmortems is a negative too (blame is rare there), except
in files holding a blind eval item and in a held-out fifth of the files. The threshold is the lowest at which
the check (rules, then the model on the sentences no rule flags and that mention someone with a cue) reaches
PRECISION on out-of-fold predictions for the dev eval items (5 folds, 3 shuffles; never the training fit), the
model's own flags reach MODEL_PRECISION there, and the model flags at most FLAG_RATE of the sentences about someone
in the held-out postmortems. scikit-learn is needed here only; the check reads the weights with pure Python.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from pipeline.blameless import BlamelessConfig, lint_text  # noqa: E402
from pipeline.blameless.detector import (  # noqa: E402
    NAMED_FEATURES,
    WEIGHTS_PATH,
    detector_settings,
    encode_weights,
    features,
    readable,
    sentence_spans,
)
from pipeline.blameless.markdown import segment  # noqa: E402
from pipeline.blameless.people import build_roster  # noqa: E402
from pipeline.blameless.rules import RULES_PATH  # noqa: E402

C = 100.0  # inverse L2 strength (scikit-learn's C); chosen by dev CV among 10, 30, 100
PRECISION = 0.97  # the precision the threshold must reach on dev CV (the bar for turning BL011 on by default)
MODEL_PRECISION = 0.8  # and the precision of the model's own flags (those no rule makes) on dev CV
FOLDS, SHUFFLES = 5, 3
THRESHOLDS = [round(0.5 + 0.01 * i, 2) for i in range(50)]
RULES_ONLY = BlamelessConfig(allow=["BL011"])
POSTMORTEM_WEIGHT = 1.0  # an unlabelled postmortem sentence counts this much as a negative
# At most this share of the sentences the model reads in held-out postmortems may be flagged: published
# postmortems are nearly all blameless, so this bounds the false findings a team sees on ordinary text.
FLAG_RATE = 0.01
HOLD_OUT_EVERY = 4  # every 4th usable corpus postmortem is never trained on; the threshold is checked there


@dataclass
class Example:
    text: str
    blame: bool
    source: str  # eval (scored for the threshold) | labelled | rule-example | postmortem
    weight: float = 1.0
    roster_text: str = ""  # the document whose role statements name people (postmortem sentences)


def _eval_module():
    spec = importlib.util.spec_from_file_location("run_eval_v2", HERE / "run_eval_v2.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["run_eval_v2"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def dev_examples() -> list[Example]:
    """Every dev training sentence; blind items are dropped before anything reads their text."""
    examples = [Example(i.text, i.blame, "eval") for i in _eval_module().load_items() if i.split == "dev"]
    labelled = yaml.safe_load((HERE / "labelled.yaml").read_text(encoding="utf-8"))
    for part in ("tuning", "held_out"):
        examples += [Example(row["text"], bool(row["blame"]), "labelled") for row in labelled[part]]
    for rule in yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))["rules"]:
        examples += [Example(text, True, "rule-example") for text in rule["examples"]["positive"]]
        examples += [Example(text, False, "rule-example") for text in rule["examples"]["negative"]]
    return examples


def postmortem_files(corpus: Path, also_skip: set[str]) -> tuple[list[str], list[str]]:
    """Corpus postmortems to train on and to hold out (every HOLD_OUT_EVERY-th by name). Files holding a blind
    eval item, or named in `also_skip`, are in neither."""
    rows = yaml.safe_load((HERE / "v2" / "corpus.yaml").read_text(encoding="utf-8"))["items"]
    skipped = also_skip | {row["file"] for row in rows if row["split"] != "dev"}
    names = [f"postmortems/{p.name}" for p in sorted((corpus / "postmortems").glob("*.md"))]
    usable = [name for name in names if name not in skipped]
    held_out = usable[::HOLD_OUT_EVERY]
    return [name for name in usable if name not in held_out], held_out


def postmortem_sentences(files: list[str], corpus: Path) -> list[Example]:
    """Every sentence the detector would read in these corpus postmortems, as a negative: blame is rare in
    published postmortems, and the eval sets alone teach the model that any sentence about an engineer or a
    team is suspect. The lines of dev eval items are skipped (they carry their own label)."""
    rows = yaml.safe_load((HERE / "v2" / "corpus.yaml").read_text(encoding="utf-8"))["items"]
    labelled_lines = {(row["file"], row["line"]) for row in rows}
    examples: list[Example] = []
    for name in files:
        text = (corpus / name).read_text(encoding="utf-8")
        doc = segment(text)
        roster = build_roster(text=text)
        for start, end in sentence_spans(doc.masked):
            if (name, doc.position(start)[0]) in labelled_lines:
                continue
            sentence = readable(doc.masked[start:end])
            if features(sentence, roster, require_cue=False) is not None:
                examples.append(Example(sentence, False, "postmortem", POSTMORTEM_WEIGHT, text))
    return examples


def featured(text: str, *, require_person: bool, roster_text: str = "") -> tuple[list[int], set[str]] | None:
    """The item as the check reads it: masked like a document, then featurized as one sentence."""
    doc = segment(text, skip_quotes=True, skip_blockquotes=True)
    return features(readable(doc.masked), build_roster(text=roster_text), require_person=require_person)


def design_matrix(examples: list[Example]):
    """Rows as the detector scores them: hashed buckets scaled to unit length, named features at 1."""
    from scipy.sparse import csr_matrix

    buckets_count = 1 << detector_settings().features.hash_bits
    data: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    for row, example in enumerate(examples):
        # a sentence longer than the detector reads (max_words) is an empty row: scored by the rules only
        buckets, named = featured(example.text, require_person=False, roster_text=example.roster_text) or ([], set())
        scale = 1.0 / max(len(buckets), 1) ** 0.5
        for bucket in buckets:
            data.append(scale)
            rows.append(row)
            cols.append(bucket)
        for name in named:
            data.append(1.0)
            rows.append(row)
            cols.append(buckets_count + NAMED_FEATURES.index(name))
    return csr_matrix((data, (rows, cols)), shape=(len(examples), buckets_count + len(NAMED_FEATURES)))


def fit(matrix, labels: np.ndarray, weights: np.ndarray, c: float = C):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000).fit(matrix, labels, sample_weight=weights)


def out_of_fold(matrix, labels: np.ndarray, weights: np.ndarray, c: float = C) -> np.ndarray:
    """Each example's probability from models that never saw it, averaged over the shuffles."""
    from sklearn.model_selection import StratifiedKFold

    probability = np.zeros(len(labels))
    for seed in range(SHUFFLES):
        for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(matrix, labels):
            model = fit(matrix[train], labels[train], weights[train], c)
            probability[test] += model.predict_proba(matrix[test])[:, 1] / SHUFFLES
    return probability


@dataclass
class Scores:
    threshold: float
    precision: float
    recall: float
    model_precision: float
    added: int  # blame items only the model flags
    postmortem_flags: int = 0  # held-out postmortem sentences over the threshold


def score(
    threshold: float, probability: np.ndarray, labels: np.ndarray, ruled: np.ndarray, gated: np.ndarray
) -> Scores:
    model = (probability >= threshold) & gated & ~ruled
    flagged = ruled | model
    blame = labels == 1
    tp = int((flagged & blame).sum())
    model_tp = int((model & blame).sum())
    return Scores(
        threshold,
        tp / max(int(flagged.sum()), 1),
        tp / max(int(blame.sum()), 1),
        model_tp / max(int(model.sum()), 1),
        model_tp,
    )


def choose_threshold(scores: list[Scores], unseen: int, precision: float = PRECISION) -> Scores:
    """The lowest threshold at which the check (rules + model) reaches `precision` on dev CV, the model's own flags
    MODEL_PRECISION, and the model flags at most FLAG_RATE of the `unseen` sentences about someone in held-out
    postmortems; else the highest."""
    for candidate in scores:
        if (
            candidate.precision >= precision
            and candidate.model_precision >= MODEL_PRECISION
            and candidate.postmortem_flags <= FLAG_RATE * unseen
        ):
            return candidate
    return scores[-1]


def model_file(model, threshold: float) -> dict:
    """detector.json's content: feature settings, the float16 bucket weights, named weights, bias, threshold."""
    settings = detector_settings().features
    coefficients = model.coef_[0]
    buckets_count = 1 << settings.hash_bits
    return {
        "trained_by": "evals/blameless/train_detector.py",
        "hash_bits": settings.hash_bits,
        "char_ngrams": list(settings.char_ngrams),
        "threshold": threshold,
        "bias": round(float(model.intercept_[0]), 5),
        "named": {name: round(float(coefficients[buckets_count + i]), 5) for i, name in enumerate(NAMED_FEATURES)},
        "weights": encode_weights([float(w) for w in coefficients[:buckets_count]]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="Print the figures; do not write detector.json.")
    parser.add_argument("--c", type=float, default=C, help="Inverse L2 strength to try (default %(default)s).")
    parser.add_argument(
        "--skip-files-of",
        type=Path,
        action="append",
        default=[],
        help="A YAML of corpus items (by reference) not yet in corpus.yaml: never read their files' sentences.",
    )
    args = parser.parse_args()
    also_skip = {row["file"] for path in args.skip_files_of for row in yaml.safe_load(path.read_text())["items"]}
    corpus = _eval_module().CORPUS_ROOT
    train_files, held_files = postmortem_files(corpus, also_skip)
    examples = dev_examples() + postmortem_sentences(train_files, corpus)
    held_out = postmortem_sentences(held_files, corpus)
    labels = np.array([int(e.blame) for e in examples])
    weights = np.array([e.weight for e in examples])
    matrix = design_matrix(examples)
    print(
        f"training items: {len(examples)} ({int(labels.sum())} blame), of which "
        f"{sum(e.source == 'postmortem' for e in examples)} postmortem sentences at weight {POSTMORTEM_WEIGHT}"
    )
    probability = out_of_fold(matrix, labels, weights, args.c)
    scored = np.array([e.source == "eval" for e in examples])
    ruled = np.array([bool(lint_text(e.text, config=RULES_ONLY)) for e in examples])[scored]
    gated = np.array([featured(e.text, require_person=True) is not None for e in examples])[scored]
    y, p = labels[scored], probability[scored]
    rules = score(1.01, p, y, ruled, gated)
    print(f"dev eval items {int(scored.sum())}: rules alone precision {rules.precision:.3f} recall {rules.recall:.3f}")
    print("CV out-of-fold, rules + model:")
    table = [score(t, p, y, ruled, gated) for t in THRESHOLDS]
    model = fit(matrix, labels, weights, args.c)
    unseen = model.predict_proba(design_matrix(held_out))[:, 1]
    # the check reads only the held-out sentences that also show a cue (detector.yaml cue_words)
    cued = np.array([featured(e.text, require_person=True, roster_text=e.roster_text) is not None for e in held_out])
    for row in table:
        row.postmortem_flags = int(((unseen >= row.threshold) & cued).sum())
    for row in table[::5]:
        print(
            f"  threshold {row.threshold:.2f}: precision {row.precision:.3f} recall {row.recall:.3f}"
            f"  model-only flags precision {row.model_precision:.3f} (+{row.added} blame)"
            f"  held-out postmortem sentences flagged {row.postmortem_flags}/{len(unseen)}"
        )
    chosen = choose_threshold(table, len(unseen))
    print(
        f"chosen threshold {chosen.threshold:.2f}: CV precision {chosen.precision:.3f} recall {chosen.recall:.3f}, "
        f"model flags precision {chosen.model_precision:.3f}"
    )
    if not args.dry_run:
        content = model_file(model, chosen.threshold)
        WEIGHTS_PATH.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH.relative_to(REPO)}")


if __name__ == "__main__":
    main()
