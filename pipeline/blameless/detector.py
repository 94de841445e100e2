"""A learned sentence-level blame detector that runs beside the rules (rule BL011, `blame-sentence`).

The rules recognise the phrasings they were written from; blame also comes as chat slang, sarcasm, role
nouns, team blame or non-native English with no keyword a rule knows ("the on-call slept through four
pages"). This is a logistic regression over hashed word uni/bigrams and character n-grams, with names
replaced by one placeholder so "Priya" and "Kenji" read alike, plus a few named signals (a person, a role or
team noun, a pronoun, negation, a question). It reads only sentences that mention someone (detector.yaml),
which keeps it fast and keeps it off sentences about systems.

Trained offline by evals/blameless/train_detector.py (scikit-learn) on dev items only; the weights and the
threshold chosen on cross-validated out-of-fold predictions ship in detector.json and are read on first use.
Pure Python at check time: no numpy, no torch.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from pydantic import Field

from pipeline.blameless.markdown import BLOCK, HIDDEN
from pipeline.blameless.people import Roster
from pipeline.models import Strict
from pipeline.package_data import package_path

SETTINGS_PATH = package_path("blameless", "detector.yaml")
WEIGHTS_PATH = package_path("blameless", "detector.json")
NAMED_FEATURES = ("name", "person", "role", "negation", "question")

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*|[\w./:#-]*\d[\w./:#-]*|[?!]")
# A sentence ends at . ! ? followed by a space, a block boundary or the end, or at a block boundary.
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s" + BLOCK + r"]|\Z)|" + BLOCK)
_POSSESSIVE = ("'s", "’s")


class FeatureSettings(Strict):
    hash_bits: int = Field(ge=8, le=20)
    char_ngrams: tuple[int, int]
    max_words: int = Field(ge=5)


class DetectorSettings(Strict):
    """pipeline/blameless/detector.yaml."""

    features: FeatureSettings
    person_words: str
    role_words: str
    negation_words: str
    question_words: str
    cue_words: str
    neutral: list[str]


@dataclass(frozen=True)
class Vocabulary:
    """The word lists of detector.yaml as sets (lower case)."""

    person: frozenset[str]
    role: frozenset[str]
    negation: frozenset[str]
    question: frozenset[str]
    cue: frozenset[str]
    neutral: re.Pattern[str]


@cache
def detector_settings() -> DetectorSettings:
    from pipeline.datafiles import load_yaml_model

    return load_yaml_model(SETTINGS_PATH, DetectorSettings)


@cache
def vocabulary() -> Vocabulary:
    settings = detector_settings()
    return Vocabulary(
        frozenset(settings.person_words.split()),
        frozenset(settings.role_words.split()),
        frozenset(settings.negation_words.split()),
        frozenset(settings.question_words.split()),
        frozenset(settings.cue_words.split()),
        re.compile("|".join(f"(?:{pattern})" for pattern in settings.neutral)),
    )


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << detector_settings().features.hash_bits) - 1)


@lru_cache(maxsize=65536)
def _word_buckets(word: str) -> tuple[int, ...]:
    """The word's own bucket and those of its character n-grams (words repeat, so this is cached)."""
    buckets = [_bucket("w:" + word)]
    if not word.startswith("<"):
        low, high = detector_settings().features.char_ngrams
        padded = f"<{word}>"
        for n in range(low, high + 1):
            buckets.extend(_bucket("c:" + padded[i : i + n]) for i in range(len(padded) - n + 1))
    return tuple(buckets)


def _role(word: str, roles: frozenset[str]) -> bool:
    return word in roles or (word.endswith("s") and word[:-1] in roles)


def features(
    sentence: str, roster: Roster, *, require_person: bool = True, require_cue: bool = True
) -> tuple[list[int], set[str]] | None:
    """Hashed buckets and named signals of one sentence; None when it mentions nobody, shows no cue that something
    went wrong or is judged, or has the shape of a neutral report (with `require_person`), or is too long to be one
    sentence. Training reads sentences without a cue too (`require_cue=False`): more negatives about people. Names
    become "<name>", figures "<num>"."""
    words = _TOKEN.findall(sentence)
    if len(words) > detector_settings().features.max_words:
        return None
    vocab = vocabulary()
    named: set[str] = set()
    normal: list[str] = []
    cued = False
    for word in words:
        base, possessive = word, ""
        if word.endswith(_POSSESSIVE):
            base, possessive = word[:-2], "'s"
        lowered = base.lower()
        if base[:1].isupper() and lowered not in vocab.person and roster.is_person_name(base):
            named.add("name")
            normal.append("<name>" + possessive)
            continue
        if word[:1].isdigit() or any(c.isdigit() for c in word):
            normal.append("<num>")
            continue
        if lowered in vocab.person:
            named.add("person")
        elif _role(lowered, vocab.role):
            named.add("role")
        cued = cued or lowered in vocab.cue or lowered.endswith(("n't", "n’t")) or word in "?!"
        if lowered in vocab.negation:
            named.add("negation")
        elif lowered in vocab.question:
            named.add("question")
        normal.append(word.lower())
    if require_person and not named.intersection(("name", "person", "role")):
        return None
    if require_person and require_cue and not cued:
        return None
    if require_person and (vocab.neutral.search(sentence.lower()) or _spoken_by(sentence, roster)):
        return None
    if sentence.rstrip().endswith("?"):
        named.add("question")
    buckets: list[int] = []
    for word in normal:
        buckets.extend(_word_buckets(word))
    padded = ["<s>", *normal, "</s>"]
    buckets.extend(_bucket(f"b:{a} {b}") for a, b in zip(padded, padded[1:]))
    return buckets, named


# "10:05 Lena: the drain should be done", "Marco: restarting now": a speaker's own words, reported.
_SPEAKER = re.compile(
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[A-Za-z]{1,4}\s*)?[-–—|]?\s*)?([A-Z][a-z]+(?: [A-Z][a-z]+)?):\s"
)


def _spoken_by(sentence: str, roster: Roster) -> bool:
    """True when the sentence opens with a person's name and a colon: a chat or timeline speaker."""
    speaker = _SPEAKER.match(sentence.lstrip())
    return speaker is not None and roster.is_person_name(speaker.group(1).split()[0])


@dataclass(frozen=True)
class DetectorModel:
    """The shipped weights: one per hashed bucket, one per named feature, a bias and the threshold."""

    weights: tuple[float, ...]
    named: dict[str, float]
    bias: float
    threshold: float

    def probability(self, featured: tuple[list[int], set[str]]) -> float:
        """Logistic score; the hashed block is scaled to unit length (as in training)."""
        buckets, named = featured
        weights = self.weights
        score = self.bias + sum(weights[b] for b in buckets) / max(len(buckets), 1) ** 0.5
        score += sum(self.named.get(name, 0.0) for name in named)
        return 1.0 / (1.0 + math.exp(-score))


def encode_weights(weights: list[float]) -> str:
    """float16, little-endian, base64: what detector.json stores (64 KB for 2**15 buckets)."""
    return base64.b64encode(struct.pack(f"<{len(weights)}e", *weights)).decode("ascii")


@cache
def load_detector() -> DetectorModel:
    """detector.json, read once; trained with other feature settings than detector.yaml's is an error."""
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    settings = detector_settings().features
    if data["hash_bits"] != settings.hash_bits or tuple(data["char_ngrams"]) != settings.char_ngrams:
        raise RuntimeError(
            f"{WEIGHTS_PATH}: trained with other feature settings; run evals/blameless/train_detector.py"
        )
    raw = base64.b64decode(data["weights"])
    weights = struct.unpack(f"<{len(raw) // 2}e", raw)
    return DetectorModel(weights, dict(data["named"]), float(data["bias"]), float(data["threshold"]))


def sentence_spans(masked: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of a masked document, trimmed of spaces and masked characters."""
    start = 0
    for stop in _SENTENCE_END.finditer(masked):
        yield from _trimmed(masked, start, stop.end())
        start = stop.end()
    yield from _trimmed(masked, start, len(masked))


_EDGE = " \t\n" + BLOCK + HIDDEN


def _trimmed(masked: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and masked[start] in _EDGE:
        start += 1
    while end > start and masked[end - 1] in _EDGE:
        end -= 1
    if end > start:
        yield start, end


def readable(masked_sentence: str) -> str:
    """A masked sentence as the model reads it: masked characters (quotes, code) become one space."""
    return re.sub(f"[{HIDDEN}{BLOCK}]+", " ", masked_sentence)


def blame_sentences(masked: str, roster: Roster, skip: list[tuple[int, int]]) -> list[tuple[int, int, float]]:
    """Sentences of the masked document the model reads as blame, with their probability; sentences that
    overlap a span in `skip` (sorted rule matches) are not read."""
    model = load_detector()
    found: list[tuple[int, int, float]] = []
    spans = iter(skip)
    pending = next(spans, None)
    for start, end in sentence_spans(masked):
        while pending is not None and pending[1] <= start:
            pending = next(spans, None)
        if pending is not None and pending[0] < end:
            continue  # a rule already reports this sentence
        featured = features(readable(masked[start:end]), roster)
        if featured is None:
            continue
        probability = model.probability(featured)
        if probability >= model.threshold:
            found.append((start, end, probability))
    return found
