"""Does `postmortem score` agree with a reviewer? Spearman between a blind human ranking and both scores.

human_ranking.yaml holds 40 documents ranked by a reviewer who had seen no score, rubric or code: 30 real
postmortems from ../shared/corpus/postmortems (read in place, never copied) and 10 of our drafts
(drafts/, our tool's own output). Each has a `split`: criteria are tuned on `dev` only; on `blind` this
script prints nothing but the aggregate correlation, so the blind half stays a test of what we did not see.

    .venv/bin/python evals/scoring/run_eval.py [--corpus DIR] [--show 6]

Prints Spearman (substance and conformance) for dev, blind and all 40, then the largest dev
disagreements with the reviewer's reason and the criteria our score failed. Exits 0 with a note when the
corpus is absent.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from pipeline.scoring import SCORE_KINDS, Score, load_rubric, score_file  # noqa: E402

RANKING = HERE / "human_ranking.yaml"
DRAFTS = HERE / "drafts"


def find_corpus() -> Path | None:
    """The shared corpus: $POSTMORTEM_CORPUS, else ../shared/corpus beside the checkout or its parent."""
    candidates = [Path(os.environ["POSTMORTEM_CORPUS"])] if os.environ.get("POSTMORTEM_CORPUS") else []
    candidates += [parent / "shared" / "corpus" for parent in REPO.parents[:3]]
    return next((path for path in candidates if (path / "postmortems").is_dir()), None)


def average_ranks(values: list[float]) -> list[float]:
    """Ranks 1..n, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    """Pearson correlation of the average ranks."""
    rx, ry = average_ranks(xs), average_ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def load_ranking(path: Path = RANKING) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]


def document_path(entry: dict, corpus: Path) -> Path:
    return DRAFTS / entry["file"] if entry["source"] == "draft" else corpus / entry["file"]


def correlations(entries: list[dict], scores: list[Score]) -> dict[str, float]:
    """Spearman of each score with the reviewer's order (rank 1 = best, so the rank is negated)."""
    goodness = [-entry["rank"] for entry in entries]
    return {kind: spearman(goodness, [score.value(kind) for score in scores]) for kind in SCORE_KINDS}


def disagreements(entries: list[dict], scores: list[Score], count: int) -> list[str]:
    """Dev documents whose substance rank is furthest from the reviewer's rank, with both sides' reasons."""
    human = average_ranks([-e["rank"] for e in entries])
    ours = average_ranks([s.substance for s in scores])
    worst = sorted(range(len(entries)), key=lambda i: -abs(human[i] - ours[i]))[:count]
    lines = []
    for i in worst:
        entry, score = entries[i], scores[i]
        direction = "we rank it higher" if ours[i] > human[i] else "we rank it lower"
        failed = [f"{c.id} {c.credit:.2f}" for c in score.criteria if c.score == "substance" and c.status == "fail"]
        lines.append(
            f"- {entry['file']}: reviewer rank {entry['rank']} (grade {entry['grade']}), substance "
            f"{score.substance:.1f}, conformance {score.conformance:.1f}; {direction}.\n"
            f"    reviewer: {entry['reasons']}\n    substance fails: {', '.join(failed) or 'nothing'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None, help="the shared corpus (holds postmortems/)")
    parser.add_argument("--show", type=int, default=6, help="dev disagreements to list")
    args = parser.parse_args(argv)
    corpus = args.corpus or find_corpus()
    if corpus is None or not (corpus / "postmortems").is_dir():
        print("the shared corpus (../shared/corpus) is absent: nothing to compare; set POSTMORTEM_CORPUS")
        return 0
    entries = load_ranking()
    rubric = load_rubric()
    scores = [score_file(document_path(entry, corpus), rubric=rubric) for entry in entries]
    print(f"Spearman with the blind human ranking ({len(entries)} documents, {RANKING.relative_to(REPO)})")
    print(f"{'split':<6} {'n':>3} {'substance':>10} {'conformance':>12}")
    for split in ("dev", "blind", "all"):
        chosen = [i for i, e in enumerate(entries) if split == "all" or e["split"] == split]
        rho = correlations([entries[i] for i in chosen], [scores[i] for i in chosen])
        print(f"{split:<6} {len(chosen):>3} {rho['substance']:>10.3f} {rho['conformance']:>12.3f}")
    dev = [i for i, e in enumerate(entries) if e["split"] == "dev"]
    print(f"\nLargest disagreements on dev (substance rank vs the reviewer's, within the {len(dev)} dev documents):")
    print("\n".join(disagreements([entries[i] for i in dev], [scores[i] for i in dev], args.show)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
