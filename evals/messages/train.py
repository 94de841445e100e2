#!/usr/bin/env python3
"""Train the chat-message classifier on evals/messages/labels.yaml and write pipeline/data/classifier.npz.

    python evals/messages/train.py                 # train, print dev CV and blind figures, write the weights
    python evals/messages/train.py --check         # train on the shipped weights' sources and compare; write nothing
    python evals/messages/train.py --corpus PATH   # corpus chats elsewhere than /work/shared/corpus

Each label's message is read back with the project's own chat readers (the text `classify` sees at run time);
corpus chats are read from the corpus, never stored. Training uses the dev split only: a weighted multinomial
logistic regression (L-BFGS, scipy at train time only). Dev figures are cross-validated with folds grouped by
chat source, so no fold is scored on a channel it was trained on. Blind figures are printed per class, for the
report only: do not tune on them (evals/messages/README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from check_labels import export_authors, find_corpus  # noqa: E402

from pipeline.classify import CLASSES, classifier_settings, message_features, signal_patterns  # noqa: E402
from pipeline.datafiles import bundled  # noqa: E402
from pipeline.ingest.chat import load_chat  # noqa: E402
from pipeline.models import ChatMessage  # noqa: E402

LABELS = HERE / "labels.yaml"
FOLDS = 5
L2 = 0.3  # penalty on the squared weights, relative to one (weighted) example's loss
CLASS_WEIGHT_POWER = 0.5  # examples weigh (largest class count / class count) ** power: noise is 45% of dev
MAX_ITERATIONS = 400
CHECK_TOLERANCE = 0.02  # --check: dev CV macro F1 and accuracy may move this much (float and scipy versions)


@dataclass
class Example:
    split: str
    source: str
    label: str
    message: ChatMessage


# ---------------------------------------------------------------- reading the labelled messages


def chat_root(path: Path) -> Path:
    """What `load_chat` reads for a labelled file: the Slack export folder (export/channel/day.json) for a day
    file, else the file."""
    return path.parents[1] if path.suffix == ".json" else path


def read_examples(corpus: Path | None) -> tuple[list[Example], list[str]]:
    """Every label with its message as the chat readers give it; notes on what could not be read."""
    items = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    by_source: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_source[item["source"]].append(item)
    examples: list[Example] = []
    notes: list[str] = []
    for source, labelled in by_source.items():
        if source.startswith("corpus:"):
            if corpus is None:
                notes.append(f"{source}: corpus not found, {len(labelled)} labels skipped")
                continue
            path = corpus / source.split(":", 1)[1]
        else:
            path = REPO / source
        messages = messages_by_line(path)
        for item in labelled:
            message = messages.get(item["line"]) or raw_message(path, item)
            if item["line"] not in messages:
                notes.append(f"{source}:{item['line']}: not a message to the chat reader, read as its raw line")
            examples.append(Example(item["split"], source, item["label"], message))
    return examples, notes


def messages_by_line(path: Path) -> dict[int, ChatMessage]:
    """{label line: message} for one labelled file. A Slack export labels the line of the message's "text" key;
    its reader numbers messages by position in the day file."""
    # a call transcript without its own start time gets one (only the words are read, never the times)
    log = load_chat(chat_root(path), day=date(2000, 1, 1), tz="UTC", call_start=datetime(2000, 1, 1, tzinfo=UTC))
    mine = [m for m in log.messages if not m.source or Path(m.source).resolve() == path.resolve()]
    by_line = {m.line: m for m in mine}
    if path.suffix == ".json":
        text_lines = list(export_authors(str(path)))
        return {line: by_line[position] for position, line in enumerate(text_lines, 1) if position in by_line}
    return by_line


def raw_message(path: Path, item: dict) -> ChatMessage:
    """A labelled line the reader does not keep as a message of its own (a join or topic line): its raw text."""
    text = path.read_text(encoding="utf-8").split("\n")[item["line"] - 1]
    return ChatMessage(id=f"C{item['line']}", time=None, author=str(item["author"]), text=text, line=item["line"])


# ---------------------------------------------------------------- model


def design_matrix(featured: list, named: list[str], hashed_rows: int):
    """The examples as a sparse matrix with exactly the rows `ClassifierModel.rows` reads at run time."""
    from scipy import sparse

    from pipeline.classify import ClassifierModel

    layout = ClassifierModel(np.zeros((hashed_rows + len(named), 1)), np.zeros(1), ["x"], named)
    rows, cols, values = [], [], []
    for i, features in enumerate(featured):
        message_rows, message_values = layout.rows(features)
        rows += [i] * len(message_rows)
        cols += message_rows
        values += message_values
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(featured), hashed_rows + len(named)))


def fit(matrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression with an L2 penalty, by L-BFGS from zero (deterministic)."""
    from scipy.optimize import minimize

    n_features, n_classes = matrix.shape[1], len(CLASSES)
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    class_weight = np.where(counts > 0, (counts.max() / np.maximum(counts, 1)) ** CLASS_WEIGHT_POWER, 0.0)
    sample_weight = class_weight[labels]
    sample_weight *= len(labels) / sample_weight.sum()
    onehot = np.eye(n_classes)[labels]

    def loss_and_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
        weights = flat[:-n_classes].reshape(n_features, n_classes)
        bias = flat[-n_classes:]
        scores = matrix @ weights + bias
        scores -= scores.max(axis=1, keepdims=True)
        log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        loss = -(sample_weight * (onehot * log_probs).sum(axis=1)).sum() + 0.5 * L2 * (weights**2).sum()
        error = (np.exp(log_probs) - onehot) * sample_weight[:, None]
        gradient_w = matrix.T @ error + L2 * weights
        return loss, np.concatenate([np.asarray(gradient_w).ravel(), error.sum(axis=0)])

    start = np.zeros(n_features * n_classes + n_classes)
    result = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B", options={"maxiter": MAX_ITERATIONS})
    return result.x[:-n_classes].reshape(n_features, n_classes), result.x[-n_classes:]


def predict(matrix, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    scores = matrix @ weights + bias
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def named_vocabulary(featured: list) -> list[str]:
    return sorted({name for _, named in featured for name in named})


def featurize(examples: list[Example]) -> list:
    """Each example's features, exactly as `pipeline.classify` computes them at run time."""
    patterns = signal_patterns()
    return [message_features(e.message, patterns) for e in examples]


def train(examples: list[Example], featured: list) -> tuple[np.ndarray, np.ndarray, list[str]]:
    hashed_rows = 1 << classifier_settings().features.hash_bits
    named = named_vocabulary(featured)
    labels = np.array([CLASSES.index(e.label) for e in examples])
    weights, bias = fit(design_matrix(featured, named, hashed_rows), labels)
    return weights, bias, named


def grouped_folds(examples: list[Example]) -> list[int]:
    """A fold per example, whole sources to a fold, biggest sources first onto the smallest fold."""
    sizes = Counter(e.source for e in examples)
    fold_of: dict[str, int] = {}
    fold_sizes = [0] * FOLDS
    for source, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        fold = fold_sizes.index(min(fold_sizes))
        fold_of[source] = fold
        fold_sizes[fold] += size
    return [fold_of[e.source] for e in examples]


def cross_validated(examples: list[Example], featured: list) -> np.ndarray:
    """Out-of-fold class probabilities for every dev example."""
    hashed_rows = 1 << classifier_settings().features.hash_bits
    labels = np.array([CLASSES.index(e.label) for e in examples])
    folds = np.array(grouped_folds(examples))
    probabilities = np.zeros((len(examples), len(CLASSES)))
    for fold in range(FOLDS):
        train_at, test_at = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        named = named_vocabulary([featured[i] for i in train_at])
        weights, bias = fit(design_matrix([featured[i] for i in train_at], named, hashed_rows), labels[train_at])
        probabilities[test_at] = predict(
            design_matrix([featured[i] for i in test_at], named, hashed_rows), weights, bias
        )
    return probabilities


# ---------------------------------------------------------------- figures


def confident(probabilities: np.ndarray) -> np.ndarray:
    """Which predictions reach their class's threshold in classifier.yaml (what `classify` calls confident)."""
    settings = classifier_settings()
    return np.array(
        [settings.is_confident(CLASSES[k], p) for k, p in zip(probabilities.argmax(axis=1), probabilities.max(axis=1))]
    )


def per_class(gold: np.ndarray, probabilities: np.ndarray) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 per class, and the same among the confident predictions."""
    predicted = probabilities.argmax(axis=1)
    sure = confident(probabilities)
    figures = {}
    for k, name in enumerate(CLASSES):
        hit = ((predicted == k) & (gold == k)).sum()
        said, real = (predicted == k).sum(), (gold == k).sum()
        precision = hit / said if said else 0.0
        recall = hit / real if real else 0.0
        said_sure = ((predicted == k) & sure).sum()
        figures[name] = {
            "support": int(real),
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "confident_precision": ((predicted == k) & sure & (gold == k)).sum() / said_sure if said_sure else 0.0,
            "confident_recall": ((predicted == k) & sure & (gold == k)).sum() / real if real else 0.0,
        }
    return figures


def macro(figures: dict[str, dict[str, float]], key: str) -> float:
    return float(np.mean([f[key] for f in figures.values() if f["support"]]))


def report(title: str, gold: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    figures = per_class(gold, probabilities)
    accuracy = float((probabilities.argmax(axis=1) == gold).mean())
    print(f"\n{title}: {len(gold)} messages, accuracy {accuracy:.3f}; @t: at each class's threshold")
    print("thresholds: " + ", ".join(f"{name} {classifier_settings().threshold(name)}" for name in CLASSES))
    print(f"{'class':18} {'n':>4} {'prec':>6} {'recall':>6} {'F1':>6} {'prec@t':>7} {'rec@t':>6}")
    for name, f in figures.items():
        print(
            f"{name:18} {f['support']:4d} {f['precision']:6.2f} {f['recall']:6.2f} {f['f1']:6.2f}"
            f" {f['confident_precision']:7.2f} {f['confident_recall']:6.2f}"
        )
    summary = {key: macro(figures, key) for key in ("precision", "recall", "f1", "confident_precision")}
    print(
        f"{'macro':18} {'':4} {summary['precision']:6.2f} {summary['recall']:6.2f} {summary['f1']:6.2f}"
        f" {summary['confident_precision']:7.2f}"
    )
    signal = [k for k, name in enumerate(CLASSES) if name != "noise"]
    predicted = probabilities.argmax(axis=1)
    kept = np.isin(predicted, signal) & confident(probabilities)
    kept_precision = float((predicted[kept] == gold[kept]).mean()) if kept.any() else 0.0
    print(f"non-noise predictions at the threshold: {kept.sum()} kept, precision {kept_precision:.3f}")
    return {"accuracy": accuracy, "macro_f1": summary["f1"], "confident_precision": kept_precision}


THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def threshold_table(gold: np.ndarray, probabilities: np.ndarray) -> None:
    """Per class, precision (and predictions kept) as the threshold rises: dev CV, where thresholds are chosen."""
    predicted, top = probabilities.argmax(axis=1), probabilities.max(axis=1)
    print("\ndev CV, precision (kept) of each class's predictions by threshold")
    print(f"{'class':18}" + "".join(f"{t:>12}" for t in THRESHOLDS))
    for k, name in enumerate(CLASSES):
        cells = []
        for threshold in THRESHOLDS:
            kept = (predicted == k) & (top >= threshold)
            cells.append(f"{(gold[kept] == k).mean():.2f} ({kept.sum():3d})" if kept.any() else "-")
        print(f"{name:18}" + "".join(f"{cell:>12}" for cell in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="the shared corpus (default: /work/shared/corpus or ../shared/corpus)")
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights, write nothing")
    args = parser.parse_args()
    corpus = find_corpus(args.corpus)
    examples, notes = read_examples(Path(corpus) if corpus else None)
    for note in notes:
        print("note:", note)
    dev = [e for e in examples if e.split == "dev"]
    blind = [e for e in examples if e.split == "blind"]
    path = bundled("classifier.npz")
    if args.check and (trained_on := shipped_sources(path)) is not None:
        dev = [e for e in dev if e.source in trained_on]  # sources moved to dev since stay out until retraining
    dev_gold = np.array([CLASSES.index(e.label) for e in dev])
    dev_featured = featurize(dev)
    dev_probabilities = cross_validated(dev, dev_featured)
    dev_figures = report(f"dev, {FOLDS}-fold CV grouped by source", dev_gold, dev_probabilities)
    threshold_table(dev_gold, dev_probabilities)

    weights, bias, named = train(dev, dev_featured)
    if blind:
        blind_gold = np.array([CLASSES.index(e.label) for e in blind])
        hashed_rows = 1 << classifier_settings().features.hash_bits
        matrix = design_matrix(featurize(blind), named, hashed_rows)
        report("blind (trained on all dev)", blind_gold, predict(matrix, weights, bias))

    if args.check:
        return check(path, dev_figures, len(dev))
    np.savez_compressed(
        path,
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        classes=np.array(CLASSES),
        named=np.array(named),
        hash_bits=np.array(classifier_settings().features.hash_bits),
        dev_messages=np.array(len(dev)),
        dev_cv_accuracy=np.array(dev_figures["accuracy"]),
        dev_cv_macro_f1=np.array(dev_figures["macro_f1"]),
        sources=np.array(sorted({e.source for e in dev})),
    )
    print(f"\nwrote {path.relative_to(REPO)} ({path.stat().st_size // 1024} KB)")
    return 0


def shipped_sources(path: Path) -> set[str] | None:
    """The chat sources the shipped weights were trained on (None for weights that do not record them): `--check`
    trains on those, so labels moved from blind to dev since then change nothing until the classifier is retrained."""
    with np.load(path) as shipped:
        return {str(source) for source in shipped["sources"]} if "sources" in shipped.files else None


def check(path: Path, dev_figures: dict[str, float], dev_messages: int) -> int:
    """Exit 1 when the retrained figures moved beyond the tolerance from those stored with the shipped weights."""
    with np.load(path) as shipped:
        stored = {key: float(shipped[f"dev_cv_{key}"]) for key in ("accuracy", "macro_f1")}
        stored_messages = int(shipped["dev_messages"])
    problems = [
        f"dev CV {key} {dev_figures[key]:.3f}, shipped {value:.3f}"
        for key, value in stored.items()
        if abs(dev_figures[key] - value) > CHECK_TOLERANCE
    ]
    if dev_messages != stored_messages:
        problems.append(f"{dev_messages} dev messages read, the shipped weights were trained on {stored_messages}")
    for problem in problems:
        print("differs:", problem)
    print("check:", "FAILED" if problems else f"reproduced within {CHECK_TOLERANCE}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
