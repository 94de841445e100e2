"""Which locked-timeline row marks each key time (started, detected, mitigated, resolved), learned from gold.

The phrase lists in `signals.yaml` follow the wording they were written from: on incidents written elsewhere they
picked the right detection row 6 times in 16. This ranker reads every row of a locked timeline at once and scores
it for each key time with a conditional logit (a softmax over the rows of one incident) on:

- the row's words (hashed word n-grams, as the message classifier reads them);
- the engine's signals that match it (`signals.yaml`), and whether it is the first or last row they match;
- which signals match rows before and after it (harm stated earlier, a recovery stated later);
- where it sits: its place in the table, its time within the incident, and the chat's activity around it.

The four times are then chosen together so that started <= detected <= mitigated <= resolved. Two sets of weights
ship, both fitted by `evals/incidents/train_key_times.py`: `pipeline/data/key_times.npz` on the dev incidents' gold
times (the draft takes its detection row) and `pipeline/data/key_times_labels.npz` on rows labelled by the
meanings of docs/key-times.md (the draft takes its start and mitigation rows); numpy only at run time. Figures and limits:
docs/key-times.md.

    from pipeline.key_times import WEIGHTS_FILE, rank_key_times
    ranked = rank_key_times(timeline_rows, chat_times)   # {WEIGHTS_FILE: {"started": row, ...}, ...} or None
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

KEY_TIMES: tuple[str, ...] = ("started", "detected", "mitigated", "resolved")
WEIGHTS_FILE = "key_times.npz"  # fitted on the dev gold times: the detection row
# fitted on rows labelled by the meanings of docs/key-times.md (evals/incidents/key_time_labels.yaml): the start and mitigation rows
MEANINGS_WEIGHTS_FILE = "key_times_labels.npz"
HASH_BITS = 12  # word n-gram buckets; a timeline has few rows, so few buckets are needed
MIN_ROWS = 6  # trained on tables of 8 to 14 rows: a shorter one is left to the phrase rules
CHAT_WINDOW_SECONDS = 600  # "chat activity around a row": messages this close to it
CHAT_NEAR_SECONDS = 300


class Row(Protocol):
    """A timed timeline row (`facts.Evidence` is one)."""

    id: str
    time: datetime | None
    text: str


def row_features(rows: Sequence[Row], chat_times: Sequence[datetime]) -> list[dict[str, float]]:
    """Named features of each row, read against the whole table (a row is "first" or "after" only among rows)."""
    from pipeline.classify import classifier_settings, normalized, signal_patterns, text_ngrams

    settings = classifier_settings().features
    patterns = signal_patterns()
    hits = [{name for name, pattern in patterns if pattern.search(row.text[: settings.max_chars])} for row in rows]
    times = [row.time for row in rows]
    span = max((times[-1] - times[0]).total_seconds(), 60.0)
    chat = sorted(chat_times)
    last = len(rows) - 1
    features = []
    for index, row in enumerate(rows):
        words = [g for g in text_ngrams(normalized(row.text, settings.max_chars), settings) if g.startswith("w:")]
        scale = 1.0 / max(len(row.text.split()), 1) ** 0.5
        found: dict[str, float] = {f"h{zlib.crc32(g.encode('utf-8')) % (1 << HASH_BITS)}": scale for g in words}
        earlier = set().union(*hits[:index])
        later = set().union(*hits[index + 1 :])
        for name in hits[index]:
            found[name] = 1.0
            if name not in earlier:
                found["first:" + name] = 1.0
            if name not in later:
                found["last:" + name] = 1.0
        found.update({"before:" + name: 0.5 for name in earlier})
        found.update({"after:" + name: 0.5 for name in later})
        place = index / max(last, 1)
        found.update({"place": place, "place_squared": place * place})
        found["time_share"] = (times[index] - times[0]).total_seconds() / span
        for flag, at in (("is_first", 0), ("is_second", 1), ("is_last", last), ("is_second_last", last - 1)):
            if index == at:
                found[flag] = 1.0
        if chat:
            offset = (times[index] - chat[0]).total_seconds()
            found["before_chat"] = float(offset < -60)
            found["near_chat_start"] = float(abs(offset) <= CHAT_NEAR_SECONDS)
            near = sum(abs((moment - times[index]).total_seconds()) <= CHAT_WINDOW_SECONDS for moment in chat)
            found["chat_around"] = near / 10
        features.append({name: value for name, value in found.items() if value})
    return features


class KeyTimeModel:
    """The shipped weights: one column per key time, one row per named feature."""

    def __init__(self, weights: np.ndarray, names: Sequence[str]):
        self.weights = weights
        self.index = {name: i for i, name in enumerate(names)}

    def matrix(self, features: list[dict[str, float]]) -> np.ndarray:
        import numpy as np

        matrix = np.zeros((len(features), len(self.index)), dtype=np.float64)
        for row, named in enumerate(features):
            for name, value in named.items():
                if (column := self.index.get(name)) is not None:
                    matrix[row, column] = value
        return matrix

    def probabilities(self, features: list[dict[str, float]]) -> np.ndarray:
        """P(row | key time), one column per key time; each column sums to 1 over the rows."""
        import numpy as np

        scores = self.matrix(features) @ self.weights
        scores -= scores.max(axis=0, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=0, keepdims=True)


def ordered_choice(probabilities: np.ndarray) -> list[int]:
    """One row per key time (columns, in KEY_TIMES order), never earlier in the table than the previous key
    time's row, maximizing the summed log probability (a small dynamic programme)."""
    import numpy as np

    logs = np.log(probabilities + 1e-12)
    rows, keys = logs.shape
    best = logs[:, 0].copy()
    back = np.zeros((rows, keys), dtype=int)
    for key in range(1, keys):
        leader = 0
        carried = np.empty(rows)
        for row in range(rows):
            if best[row] > best[leader]:
                leader = row
            back[row, key] = leader
            carried[row] = best[leader]
        best = carried + logs[:, key]
    chosen = [int(np.argmax(best))]
    for key in range(keys - 1, 0, -1):
        chosen.append(int(back[chosen[-1], key]))
    return chosen[::-1]


@lru_cache(maxsize=2)
def load_model(weights: str = WEIGHTS_FILE) -> KeyTimeModel:
    """Shipped weights (WEIGHTS_FILE or MEANINGS_WEIGHTS_FILE), each read once."""
    import numpy as np

    from pipeline.datafiles import bundled

    path = bundled(weights)
    with np.load(path, allow_pickle=False) as data:
        keys = tuple(str(key) for key in data["keys"])
        if keys != KEY_TIMES:
            raise RuntimeError(f"{path}: key times {keys} differ from {KEY_TIMES}; retrain with train_key_times.py")
        return KeyTimeModel(data["weights"].astype(np.float64), [str(name) for name in data["names"]])


def rank_key_times(timeline: Sequence[Row], chat_times: Sequence[datetime]) -> dict[str, dict[str, Row]] | None:
    """For each shipped weights file (WEIGHTS_FILE, MEANINGS_WEIGHTS_FILE), the row it chooses for each key time
    (the rows' features are read once for both); None when the table has fewer than MIN_ROWS timed rows."""
    rows = sorted((row for row in timeline if row.time is not None), key=lambda row: row.time)
    if len(rows) < MIN_ROWS:
        return None
    features = row_features(rows, chat_times)
    ranked = {}
    for name in (WEIGHTS_FILE, MEANINGS_WEIGHTS_FILE):
        chosen = ordered_choice(load_model(name).probabilities(features))
        ranked[name] = dict(zip(KEY_TIMES, (rows[index] for index in chosen), strict=True))
    return ranked
