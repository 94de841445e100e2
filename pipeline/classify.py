"""What each chat message does for the incident record: hypothesis, confirmed cause, mitigation step, ... noise.

A multinomial logistic regression over three kinds of features: hashed word and character n-grams (so wording
it was never shown still lands near wording it was), the drafting engine's own signals (every pattern in
`pipeline/data/signals.yaml`, through `facts.signals()`), and a few shapes (a question mark, a mention, a clock
time, a figure, an imperative first word, the length). It was trained on the hand labels in
`evals/messages/labels.yaml` by `evals/messages/train.py`; the weights ship as `pipeline/data/classifier.npz`
and are loaded on first use. numpy only: no torch, no sklearn at run time. docs/classifier.md has the figures.

    from pipeline.classify import classify
    for reading in classify(chat.messages):
        if reading.confident and reading.label == "confirmed_cause": ...
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, get_args

from pydantic import Field

from pipeline.models import ChatMessage, Classification, MessageClass, Strict

if TYPE_CHECKING:
    import numpy as np

CLASSES: tuple[str, ...] = get_args(MessageClass)
WEIGHTS_FILE = "classifier.npz"
SETTINGS_FILE = "classifier.yaml"

MENTION_RE = re.compile(r"<@[\w.-]+>|@[\w.-]+")
URL_RE = re.compile(r"https?://\S+")
DIGIT_RE = re.compile(r"\d")
WORD_RE = re.compile(r"[a-z0-9_@'./-]*[a-z0-9_@]|[?!]")
CLOCK_RE = re.compile(r"\b\d{1,2}:\d{2}\b")
PERCENT_RE = re.compile(r"\d\s*(?:%|percent\b)")
LIST_RE = re.compile(r"(?:^|\n)\s*(?:[-*\u2022]|\d+[.)])\s+\S")
FIRST_PERSON_RE = re.compile(r"^\s*(?:i|i'm|i'll|i've|we|we're|we'll|let's)\b", re.IGNORECASE)
FIRST_WORD_RE = re.compile(r"[a-z][a-z'-]*")


Threshold = Annotated[float, Field(gt=0, le=1)]


class FeatureSettings(Strict):
    hash_bits: int = Field(ge=8, le=20)
    word_ngrams: tuple[int, int]
    char_ngrams: tuple[int, int]
    max_chars: int = Field(ge=50)


class ClassifierSettings(Strict):
    """pipeline/data/classifier.yaml."""

    confidence_threshold: Threshold
    class_thresholds: dict[MessageClass, Threshold] = Field(default_factory=dict)
    features: FeatureSettings
    imperative_words: list[str]

    def threshold(self, label: str) -> float:
        """The confidence a reading of class `label` needs: its own threshold, else the common one."""
        return self.class_thresholds.get(label, self.confidence_threshold)

    def is_confident(self, label: str, probability: float) -> bool:
        """Whether a reading may be drafted from; a threshold of 1.0 means never (not even at a rounded 1.0)."""
        needed = self.threshold(label)
        return needed < 1.0 and probability >= needed


@lru_cache(maxsize=1)
def classifier_settings() -> ClassifierSettings:
    from pipeline.datafiles import bundled, load_yaml_model

    return load_yaml_model(bundled(SETTINGS_FILE), ClassifierSettings)


# ---------------------------------------------------------------- features


def normalized(text: str, max_chars: int) -> str:
    """Lower case with mentions, links and digits folded, so "@rosa at 14:05" and "@sam at 09:40" read alike."""
    text = URL_RE.sub(" url ", text[:max_chars])
    text = MENTION_RE.sub(" @user ", text)
    return DIGIT_RE.sub("0", text.lower())


def _bucket(feature: str, buckets: int) -> int:
    """A stable bucket (crc32, not Python's salted hash) so weights trained in one process fit another."""
    return zlib.crc32(feature.encode("utf-8")) % buckets


def text_ngrams(text: str, settings: FeatureSettings) -> set[str]:
    """Word n-grams (with start and end markers) and character n-grams of the normalized text."""
    words = ["<s>", *WORD_RE.findall(text), "</s>"]
    grams: set[str] = set()
    low, high = settings.word_ngrams
    for n in range(low, high + 1):
        grams.update("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    squashed = " " + " ".join(text.split()) + " "
    low, high = settings.char_ngrams
    for n in range(low, high + 1):
        grams.update("c:" + squashed[i : i + n] for i in range(len(squashed) - n + 1))
    return grams


def signal_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every pattern of the engine's signals (`facts.signals()`: signals.yaml and a team's file), by name."""
    from pipeline.facts import signals

    named = []
    for key, value in signals().items():
        if isinstance(value, re.Pattern):
            named.append((f"signal:{key}", value))
        elif isinstance(value, dict):
            named += [(f"signal:{key}.{sub}", p) for sub, p in value.items() if isinstance(p, re.Pattern)]
    return named


def signal_features(message: ChatMessage, patterns: list[tuple[str, re.Pattern[str]]]) -> set[str]:
    """The engine's own readings of the message: each signal pattern that matches its text (`bot_author`
    is read on the author, as the engine reads it). Named by key, so a pattern added to or dropped from
    signals.yaml changes nothing else (a name the model never saw gets no weight until the next training)."""
    text = message.text[: classifier_settings().features.max_chars]
    found = set()
    for name, pattern in patterns:
        if pattern.search(message.author.strip() if name == "signal:bot_author" else text):
            found.add(name)
    return found


def shape_features(message: ChatMessage) -> set[str]:
    """Cheap surface facts that separate classes whatever the wording."""
    settings = classifier_settings()
    text = message.text
    words = text.split()
    first = FIRST_WORD_RE.match(text.strip().lower().lstrip("@<>:-*•# "))
    found = {f"shape:kind_{message.kind}"}
    checks = {
        "question_mark": "?" in text,
        "ends_with_question": text.rstrip().endswith("?"),
        "mention": bool(MENTION_RE.search(text)),
        "clock_time": bool(CLOCK_RE.search(text)),
        "number": bool(DIGIT_RE.search(text)),
        "percent": bool(PERCENT_RE.search(text)),
        "imperative_first_word": bool(first and first.group() in settings.imperative_words),
        "first_person_start": bool(FIRST_PERSON_RE.search(text)),
        "list": bool(LIST_RE.search(text)) or text.count(",") >= 3,
        "multi_line": "\n" in text.strip(),
        "exclamation": "!" in text,
        "empty": not words,
        "words_1_3": 0 < len(words) <= 3,
        "words_4_10": 3 < len(words) <= 10,
        "words_11_30": 10 < len(words) <= 30,
        "words_over_30": len(words) > 30,
    }
    found.update(f"shape:{name}" for name, hit in checks.items() if hit)
    return found


def message_features(
    message: ChatMessage, patterns: list[tuple[str, re.Pattern[str]]] | None = None
) -> tuple[list[int], set[str]]:
    """(hashed n-gram buckets, named signal and shape features) of one message; the same message always gives
    the same features. Pass `signal_patterns()` when featurizing many messages: it is read once then."""
    settings = classifier_settings().features
    buckets = 1 << settings.hash_bits
    grams = text_ngrams(normalized(message.text, settings.max_chars), settings)
    hashed = sorted({_bucket(gram, buckets) for gram in grams})
    named = signal_features(message, signal_patterns() if patterns is None else patterns)
    return hashed, named | shape_features(message)


# ---------------------------------------------------------------- model


class ClassifierModel:
    """The shipped weights: one row per hashed bucket, then one per named feature; one column per class."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, classes: Sequence[str], named: Sequence[str]):
        self.weights = weights
        self.bias = bias
        self.classes = tuple(classes)
        self.hashed_rows = weights.shape[0] - len(named)
        self.named_index = {name: self.hashed_rows + i for i, name in enumerate(named)}

    def rows(self, features: tuple[list[int], set[str]]) -> tuple[list[int], list[float]]:
        """Weight rows and their values for one message: hashed n-grams scaled to unit length as a block, named
        features at 1 (names the model never saw are dropped)."""
        hashed, named = features
        scale = 1.0 / max(len(hashed), 1) ** 0.5
        rows = list(hashed) + [self.named_index[name] for name in sorted(named) if name in self.named_index]
        return rows, [scale] * len(hashed) + [1.0] * (len(rows) - len(hashed))

    def probabilities(self, featured: Iterable[tuple[list[int], set[str]]]) -> np.ndarray:
        """Class probabilities, one row per message (softmax of the linear scores)."""
        import numpy as np

        rows: list[int] = []
        values: list[float] = []
        owners: list[int] = []
        count = 0
        for count, features in enumerate(featured, start=1):
            message_rows, message_values = self.rows(features)
            rows += message_rows
            values += message_values
            owners += [count - 1] * len(message_rows)
        scores = np.tile(self.bias, (count, 1))
        if rows:
            contributions = self.weights[np.asarray(rows)] * np.asarray(values, dtype=self.weights.dtype)[:, None]
            np.add.at(scores, np.asarray(owners), contributions)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def load_model() -> ClassifierModel:
    """The shipped weights, read once (importlib.resources, so an installed wheel reads the same file)."""
    import numpy as np

    from pipeline.datafiles import bundled

    path = bundled(WEIGHTS_FILE)
    with np.load(path, allow_pickle=False) as data:
        classes = [str(name) for name in data["classes"]]
        if tuple(classes) != CLASSES:
            raise RuntimeError(
                f"{path}: classes {classes} differ from models.MessageClass; retrain with evals/messages/train.py"
            )
        hash_bits = int(data["hash_bits"])
        if hash_bits != classifier_settings().features.hash_bits:
            raise RuntimeError(
                f"{path}: trained with hash_bits {hash_bits}, classifier.yaml says "
                f"{classifier_settings().features.hash_bits}; retrain with evals/messages/train.py"
            )
        return ClassifierModel(
            data["weights"].astype(np.float32), data["bias"].astype(np.float32), classes, list(data["named"])
        )


def classify(messages: Sequence[ChatMessage]) -> list[Classification]:
    """One Classification per message, in order: the likeliest class, its probability, the runner-up, and
    whether the probability reaches the class's confidence threshold in classifier.yaml."""
    if not messages:
        return []
    model = load_model()
    settings = classifier_settings()
    patterns = signal_patterns()
    probabilities = model.probabilities(message_features(m, patterns) for m in messages)
    order = probabilities.argsort(axis=1)
    readings = []
    for message, ranked, row in zip(messages, order, probabilities):
        best, second = int(ranked[-1]), int(ranked[-2])
        readings.append(
            Classification(
                message_id=message.id,
                label=model.classes[best],
                confidence=round(float(row[best]), 4),
                runner_up=model.classes[second],
                runner_up_confidence=round(float(row[second]), 4),
                confident=settings.is_confident(model.classes[best], float(row[best])),
            )
        )
    return readings
