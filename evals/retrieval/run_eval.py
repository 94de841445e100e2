"""Retrieval eval: our similar-incident search vs a BM25 keyword baseline on real postmortems.

Indexes ../shared/corpus/postmortems (read in place, never copied) into a throwaway library, asks every
query in queries.yaml through `similar_to_text` (the same path as `postmortem similar`), and ranks
incidents with BM25 over the very same chunks (best chunk per incident, as our search does), plus
BM25 over whole documents. A retrieved postmortem is relevant when labels.yaml gives it the query's class.

Metrics, per method, averaged over queries:
- recall@5: share of queries with at least one relevant postmortem in the top 5 (the issue's target, 0.8);
- MRR: mean of 1 / rank of the first relevant postmortem (0 when none in the top 20);
- precision@5: share of the top 5 that is relevant;
- strict recall@5: relevant postmortems in the top 5 / min(5, relevant postmortems), which, unlike
  recall@5, classes with dozens of relevant files cannot pass with one lucky hit.

    .venv/bin/python evals/retrieval/run_eval.py [--store DIR] [--show-misses]

`--store DIR` keeps the indexed library between runs (indexing takes about a minute on 2 cores).
Exits 0 with a note when the corpus is absent.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2] / "shared" / "corpus" / "postmortems"
DEPTH = 20  # ranks looked at for MRR
_TOKEN = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class BM25:
    """Okapi BM25 (k1=1.5, b=0.75) over a list of texts; `scores(query)` gives one score per text."""

    def __init__(self, texts: list[str], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.docs = [Counter(tokenize(text)) for text in texts]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = sum(self.lengths) / max(len(self.lengths), 1)
        frequency = Counter(term for doc in self.docs for term in doc)
        n = len(self.docs)
        self.idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}

    def scores(self, query: str) -> list[float]:
        terms = [term for term in tokenize(query) if term in self.idf]
        out = []
        for doc, length in zip(self.docs, self.lengths):
            norm = self.k1 * (1 - self.b + self.b * length / self.average)
            out.append(sum(self.idf[t] * doc[t] * (self.k1 + 1) / (doc[t] + norm) for t in terms if t in doc))
        return out


def rank_by_best(keys: list[str], scores: list[float]) -> list[str]:
    """Distinct keys ordered by their best score (a document ranks by its best chunk)."""
    best: dict[str, float] = {}
    for key, score in zip(keys, scores):
        if score > best.get(key, -1.0):
            best[key] = score
    return sorted(best, key=lambda key: -best[key])


def metrics(rankings: list[list[str]], relevant: list[set[str]]) -> dict[str, float]:
    hits = mrr = precision = strict = 0.0
    for ranking, wanted in zip(rankings, relevant):
        top = ranking[:5]
        found = sum(name in wanted for name in top)
        hits += found > 0
        precision += found / 5
        strict += found / min(5, len(wanted))
        first = next((i for i, name in enumerate(ranking[:DEPTH], start=1) if name in wanted), None)
        mrr += 1 / first if first else 0.0
    n = len(rankings)
    return {"recall@5": hits / n, "MRR": mrr / n, "precision@5": precision / n, "strict recall@5": strict / n}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="keep the indexed library here between runs")
    parser.add_argument("--show-misses", action="store_true", help="print queries with no relevant top-5 hit")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; nothing to evaluate")
        return 0

    from pipeline.similar.documents import load_document
    from pipeline.similar.library import index_paths, similar_to_text
    from pipeline.similar.store import StoreConfig

    labels: dict[str, list[str]] = yaml.safe_load((HERE / "labels.yaml").read_text())
    queries: list[dict[str, str]] = yaml.safe_load((HERE / "queries.yaml").read_text())
    files = sorted(CORPUS.glob("*.md"))
    documents = [load_document(path) for path in files]
    relevant = [{name for name, classes in labels.items() if q["class"] in classes} for q in queries]

    with tempfile.TemporaryDirectory() as tmp:
        config = StoreConfig(path=(args.store or Path(tmp)) / "chroma")
        report = index_paths(files, config)
        print(
            f"indexed {len(files)} corpus postmortems, {report.total_chunks} chunks "
            f"({report.counts.added} embedded now); {len(queries)} queries, {len(labels)} labelled files"
        )
        ours = []
        for q in queries:
            results = similar_to_text(q["query"], k=DEPTH, config=config)
            ours.append([Path(item.source).name for item in results])

    chunk_keys = [path.name for path, document in zip(files, documents) for _ in document.chunks]
    chunk_index = BM25([chunk.text for document in documents for chunk in document.chunks])
    document_index = BM25([" ".join(chunk.text for chunk in document.chunks) for document in documents])
    bm25_chunks = [rank_by_best(chunk_keys, chunk_index.scores(q["query"])) for q in queries]
    bm25_documents = [rank_by_best([p.name for p in files], document_index.scores(q["query"])) for q in queries]

    print("\n| method | recall@5 | MRR | precision@5 | strict recall@5 |\n| --- | --- | --- | --- | --- |")
    for name, rankings in (
        ("ours: MiniLM + Chroma, best chunk per incident", ours),
        ("BM25 over the same chunks, best chunk per incident", bm25_chunks),
        ("BM25 over whole documents", bm25_documents),
    ):
        score = metrics(rankings, relevant)
        print(
            f"| {name} | {score['recall@5']:.3f} | {score['MRR']:.3f} | {score['precision@5']:.3f} "
            f"| {score['strict recall@5']:.3f} |"
        )

    by_class: dict[str, list[int]] = {}
    for q, ranking, wanted in zip(queries, ours, relevant):
        by_class.setdefault(q["class"], []).append(int(any(name in wanted for name in ranking[:5])))
    print("\nours, recall@5 by class: " + ", ".join(f"{cls} {sum(v)}/{len(v)}" for cls, v in sorted(by_class.items())))
    if args.show_misses:
        for q, ranking, wanted in zip(queries, ours, relevant):
            if not any(name in wanted for name in ranking[:5]):
                print(f"  miss [{q['class']}] {q['query']}\n     top: {', '.join(ranking[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
