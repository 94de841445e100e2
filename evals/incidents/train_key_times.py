#!/usr/bin/env python3
"""Fit the key-time row ranker on the dev incidents' gold times and write pipeline/data/key_times.npz.

    python evals/incidents/train_key_times.py           # print dev cross-validation per key time, write weights
    python evals/incidents/train_key_times.py --check   # refit on the shipped weights' incidents; compare figures
    python evals/incidents/train_key_times.py --targets labels  # the mitigation ranker: key_times_labels.npz

Each dev bundle is read as `postmortem draft` reads it (locked timeline, chat, redaction). A row is a positive for a
key time when its time is the gold time (within a minute: two rows at one time are both right); a null gold time
teaches nothing. `--targets labels` takes the rows from `key_time_labels.yaml` instead, labelled by the meanings in
docs/key-times.md, which the dev gold of the earlier batches does not all follow (a bundle with no labels, written
after that page and to its meanings, keeps its gold), and writes key_times_labels.npz: the draft takes its start and mitigation
rows from those weights and its detection row from the gold-fitted key_times.npz (docs/key-times.md says
why). Training uses dev only; folds for the cross-validated figures are whole incidents. Blind bundles are never read here: measure them with
`postmortem eval evals/incidents/blind` (aggregates only, evals/incidents/README.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from pipeline.datafiles import bundled  # noqa: E402
from pipeline.evals.gold import load_gold  # noqa: E402
from pipeline.facts import evidence_items  # noqa: E402
from pipeline.ingest.incident import load_incident  # noqa: E402
from pipeline.key_times import (  # noqa: E402
    KEY_TIMES,
    MEANINGS_WEIGHTS_FILE,
    MIN_ROWS,
    WEIGHTS_FILE,
    KeyTimeModel,
    ordered_choice,
    row_features,
)
from pipeline.redact import redact_incident  # noqa: E402

DEV = HERE / "dev"
TOLERANCE_SECONDS = 60
LABELS = HERE / "key_time_labels.yaml"
FOLDS = 8
L2 = 1.0  # penalty on the squared weights, relative to one incident's loss
CHECK_TOLERANCE = 0.035  # --check: each cross-validated accuracy may move this much (about two incidents in 64)


class Incident:
    """One dev bundle's timed rows, their features and, per key time, the indices of the rows its target points at."""

    def __init__(self, directory: Path, answers: dict | None):
        incident, _ = load_incident(directory)
        items = evidence_items(redact_incident(incident))
        self.name = directory.name
        self.rows = sorted((i for i in items if i.is_timeline and i.time is not None), key=lambda i: i.time)
        chat_times = [i.time for i in items if not i.is_timeline and i.time is not None]
        self.features = row_features(self.rows, chat_times) if len(self.rows) >= MIN_ROWS else []
        self.positives: dict[str, list[int]] = {}
        gold = load_gold(directory).times
        for key in KEY_TIMES:
            if answers is None:
                at = gold.get(key)
            else:
                labelled = self.labelled_row(answers.get(key) or {}, key)
                at = self.rows[labelled].time if labelled is not None else None
            if at is not None and self.features:
                self.positives[key] = [
                    index
                    for index, row in enumerate(self.rows)
                    if abs((row.time - at).total_seconds()) <= TOLERANCE_SECONDS
                ]

    def labelled_row(self, answer: dict, key: str) -> int | None:
        """The index of the one row whose text holds the answer's words; None for `none`."""
        words = " ".join(str(answer.get("row", "none")).split()).lower()
        if words == "none":
            return None
        found = [index for index, row in enumerate(self.rows) if words in " ".join(row.text.split()).lower()]
        if len(found) != 1:
            raise SystemExit(f"{LABELS.name}: {self.name}.{key}: {len(found)} timeline rows hold {words!r}, not one")
        return found[0]


def fit_key(matrices: list[np.ndarray], positives: list[list[int]]) -> np.ndarray:
    """Conditional logit: maximize the log of the probability mass on the gold rows, incident by incident."""
    from scipy.optimize import minimize

    pairs = [(matrix, rows) for matrix, rows in zip(matrices, positives, strict=True) if rows]
    width = pairs[0][0].shape[1]

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        loss = 0.5 * L2 * float(weights @ weights)
        gradient = L2 * weights
        for matrix, rows in pairs:
            scores = matrix @ weights
            scores -= scores.max()
            probability = np.exp(scores)
            probability /= probability.sum()
            mass = probability[rows].sum()
            loss -= float(np.log(mass + 1e-12))
            target = np.zeros_like(probability)
            target[rows] = probability[rows] / mass
            gradient = gradient + matrix.T @ (probability - target)
        return loss, gradient

    result = minimize(loss_and_gradient, np.zeros(width), jac=True, method="L-BFGS-B", options={"maxiter": 300})
    return result.x


def fit(incidents: list[Incident]) -> KeyTimeModel:
    names = sorted({name for incident in incidents for row in incident.features for name in row})
    layout = KeyTimeModel(np.zeros((len(names), len(KEY_TIMES))), names)
    matrices = [layout.matrix(incident.features) for incident in incidents]
    columns = [fit_key(matrices, [incident.positives.get(key, []) for incident in incidents]) for key in KEY_TIMES]
    return KeyTimeModel(np.stack(columns, axis=1), names)


def cross_validate(incidents: list[Incident]) -> dict[str, float]:
    """Share of dev incidents whose held-out fold gets each key time's row right (ordered choice)."""
    right = dict.fromkeys(KEY_TIMES, 0)
    counted = dict.fromkeys(KEY_TIMES, 0)
    for fold in range(FOLDS):
        model = fit([incident for i, incident in enumerate(incidents) if i % FOLDS != fold])
        for incident in incidents[fold::FOLDS]:
            chosen = ordered_choice(model.probabilities(incident.features))
            for key, index in zip(KEY_TIMES, chosen, strict=True):
                if key in incident.positives:
                    counted[key] += 1
                    right[key] += index in incident.positives[key]
    return {key: right[key] / counted[key] for key in KEY_TIMES if counted[key]}


def shipped_incidents(path: Path) -> set[str] | None:
    """The dev bundles the shipped weights were fitted on (None for weights that do not record them): `--check`
    refits on those, so bundles moved from blind to dev since then change nothing until the ranker is retrained."""
    with np.load(path, allow_pickle=False) as shipped:
        return {str(name) for name in shipped["incidents"]} if "incidents" in shipped.files else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights, write nothing")
    parser.add_argument("--targets", choices=["gold", "labels"], default="gold", help="what marks the right rows")
    parser.add_argument("--out", type=Path, help="write the weights here instead of pipeline/data")
    args = parser.parse_args()
    weights_file = MEANINGS_WEIGHTS_FILE if args.targets == "labels" else WEIGHTS_FILE
    directories = [d for d in sorted(DEV.iterdir()) if (d / "gold.json").exists()]
    if args.check and (trained_on := shipped_incidents(args.out or bundled(weights_file))) is not None:
        directories = [d for d in directories if d.name in trained_on]  # bundles moved to dev since stay out
    if args.targets == "labels":
        # the labelled rows where there are labels; the gold of the bundles written after docs/key-times.md (to its
        # meanings) where there are none
        labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
        incidents = [Incident(d, labels.get(d.name)) for d in directories]
    else:
        incidents = [Incident(d, None) for d in directories]
    incidents = [incident for incident in incidents if incident.features]
    print(f"{len(incidents)} dev incidents with at least {MIN_ROWS} timed rows")
    figures = cross_validate(incidents)
    print("dev cross-validated accuracy (incident folds):", {k: round(v, 3) for k, v in figures.items()})
    model = fit(incidents)
    names = sorted(model.index, key=model.index.get)
    path = args.out or bundled(weights_file)
    if args.check:
        # Every signal in signals.yaml is a feature, so a signal added since the last training changes the feature
        # set (the shipped model gives it no weight). The check is that training reproduces the shipped figures.
        with np.load(path, allow_pickle=False) as shipped:
            recorded = dict(zip((str(k) for k in shipped["keys"]), (float(v) for v in shipped["cv"]), strict=True))
        drift = max(abs(recorded[key] - figures[key]) for key in figures)
        print(f"shipped dev cross-validation {recorded}; largest difference {drift:.3f} (tolerance {CHECK_TOLERANCE})")
        return 0 if drift <= CHECK_TOLERANCE else 1
    cv = np.array([figures.get(key, float("nan")) for key in KEY_TIMES])
    trained_on = np.array([incident.name for incident in incidents])
    np.savez_compressed(
        path, weights=model.weights, names=np.array(names), keys=np.array(KEY_TIMES), cv=cv, incidents=trained_on
    )
    print(f"wrote {path} ({len(names)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
