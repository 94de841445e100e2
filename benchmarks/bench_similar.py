"""Similar-incident library: indexing throughput, query latency at 10,000 chunks, cold CLI process time.

Indexing is measured twice: with the int8 onnxruntime embedder the store uses for indexing
(pipeline/similar/quantized.py, built once first and timed) and with the float32 numpy one it falls back to.

Targets (issue 5): indexing >= 100 chunks/s, query p95 <= 50 ms with 10,000 chunks, a cold
`postmortem similar "..."` process <= 3 s. Peers in the same run: sentence-transformers (the usual way to
run MiniLM) for embedding throughput and for its import time, which is what the cold target is about.

    .venv/bin/python benchmarks/bench_similar.py [--queries 100] [--cold-runs 5] [--skip-peer]

Real postmortems come from ../shared/corpus/postmortems (read in place, never copied); without it the
example library stands in. The 10,000-chunk library reuses the corpus chunks' real vectors plus copies
with small noise (each copy a distinct incident), because embedding 10,000 fresh chunks would only
measure the embedder again, which the indexing figure already does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "postmortems"
EXAMPLES = ROOT / "examples" / "library"
DISABLE_INT8 = "POSTMORTEM_INT8_INDEXING"  # pipeline.similar.quantized.DISABLE_VARIABLE, read per index call
QUERIES = [
    "TLS certificate expired on the internal gateway",
    "database connection pool exhausted after a deploy, 500s",
    "DNS record deleted and clients could not resolve the service",
    "pods OOMKilled after memory usage grew",
    "disk full on the logging volume",
    "third-party provider outage caused timeouts",
    "config change disabled rate limiting",
    "runaway cron job saturated the primary database",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed_index(files: list[Path], config) -> tuple[object, float, float, int, str]:
    """Index `files`, timing the embedder the store picks for indexing.

    Returns (report, total seconds, seconds inside the embedder, texts embedded, embedder class name).
    """
    from pipeline.similar.embedders import indexing_embedder_for
    from pipeline.similar.library import index_paths
    from pipeline.similar.store import LibraryStore

    original = LibraryStore.embed_for_index
    spent, embedded, used = [0.0], [0], set()

    def timed(store, texts):
        used.add(type(indexing_embedder_for(store.config.embeddings, len(texts))).__name__)
        embedded[0] += len(texts)
        start = time.perf_counter()
        try:
            return original(store, texts)
        finally:
            spent[0] += time.perf_counter() - start

    LibraryStore.embed_for_index = timed
    try:
        start = time.perf_counter()
        report = index_paths(files, config)
        seconds = time.perf_counter() - start
    finally:
        LibraryStore.embed_for_index = original
    return report, seconds, spent[0], embedded[0], ",".join(sorted(used)) or "none"


def bench_indexing(files: list[Path], home: Path, name: str) -> tuple[int, float, float, str, list[int], list[int]]:
    """Index real files into a fresh embedded store.

    Returns (chunks, total seconds, seconds inside the embedder, embedder, words per chunk, word pieces
    per chunk).
    """
    from pipeline.similar.documents import load_document
    from pipeline.similar.embeddings import default_model
    from pipeline.similar.store import LibraryStore, StoreConfig

    config = StoreConfig(path=home / name)
    LibraryStore.open(config, create=True)  # Chroma start-up is not indexing either
    report, seconds, embedding, _, used = timed_index(files, config)
    chunks = [chunk.text for path in files for chunk in load_document(path).chunks]
    pieces = [len(encoding.ids) for encoding in default_model().tokenizer.encode_batch(chunks)]
    return report.counts.added, seconds, embedding, used, [len(text.split()) for text in chunks], pieces


def bench_reindex(files: list[Path], home: Path, name: str) -> tuple[int, float, int]:
    """Index the same unchanged files again: (chunks checked, seconds, texts embedded), which should be 0."""
    from pipeline.similar.store import StoreConfig

    report, seconds, _, embedded, _ = timed_index(files, StoreConfig(path=home / name))
    return report.counts.unchanged, seconds, embedded


def bench_int8_build(home: Path) -> float:
    """The one-time int8 export (torch, ONNX fusion, quantization) in a fresh process: seconds."""
    code = "from pipeline.similar.quantized import build_quantized, quantized_path; build_quantized(quantized_path())"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "POSTMORTEM_HOME": str(home)},
    )
    return time.perf_counter() - start


def bench_embedders(texts: list[str]) -> tuple[float, float, float, float]:
    """Float32 numpy vs int8 onnxruntime on the same texts, one after the other:
    (float32 chunks/s, int8 chunks/s, min and mean cosine between their vectors)."""
    from pipeline.similar.embeddings import default_model
    from pipeline.similar.quantized import QuantizedMiniLM, quantized_path

    fp32, int8 = default_model(), QuantizedMiniLM(quantized_path())
    int8.embed(texts[:32])  # session warm-up
    start = time.perf_counter()
    reference = fp32.embed(texts)
    fp32_rate = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    quantized = int8.embed(texts)
    int8_rate = len(texts) / (time.perf_counter() - start)
    cosines = (reference * quantized).sum(axis=1)
    return fp32_rate, int8_rate, float(cosines.min()), float(cosines.mean())


def bench_peer_embedding(texts: list[str]) -> tuple[float, float]:
    """sentence-transformers on the same chunks in a subprocess: (import+load seconds, chunks/s)."""
    code = (
        "import json, sys, time\n"
        "t = time.perf_counter()\n"
        "from sentence_transformers import SentenceTransformer\n"
        "from pipeline.similar.embeddings import model_path\n"
        "m = SentenceTransformer(str(model_path()), device='cpu')\n"
        "load = time.perf_counter() - t\n"
        "texts = json.load(open(sys.argv[1]))\n"
        "t = time.perf_counter(); m.encode(texts, batch_size=32); run = time.perf_counter() - t\n"
        "print(load, len(texts) / run)\n"
    )
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(texts, handle)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, handle.name], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    load, rate = out.stdout.split()
    return float(load), float(rate)


def bench_query(home: Path, target_chunks: int, queries: int) -> tuple[int, list[float], list[float]]:
    """Fill a store to `target_chunks` and time full queries and Chroma-only queries (milliseconds).

    Starts from the chunks and vectors `bench_indexing` stored, so nothing is embedded twice.
    """
    import numpy as np

    from pipeline.similar.embeddings import default_model
    from pipeline.similar.library import similar_to_text
    from pipeline.similar.store import LibraryStore, StoreConfig

    indexed = LibraryStore.open(StoreConfig(path=home / "index-bench"), create=False)
    stored = indexed.collection.get(include=["documents", "metadatas", "embeddings"])
    base = list(zip(stored["ids"], stored["documents"], stored["metadatas"]))
    vectors = np.asarray(stored["embeddings"], dtype=np.float32)
    config = StoreConfig(path=home / "query-bench")
    store = LibraryStore.open(config, create=True)
    rng = np.random.default_rng(7)
    copy = 0
    while store.count() < target_chunks:
        room = target_chunks - store.count()
        part, part_vectors = base[:room], vectors[:room]
        if copy:
            part = [
                (f"copy{copy}-{cid}", text, {**meta, "incident_id": f"copy{copy}-{meta['incident_id']}"})
                for cid, text, meta in part
            ]
            noisy = part_vectors + rng.normal(0, 0.02, part_vectors.shape).astype(np.float32)
            part_vectors = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
        store.add_chunks(part, vectors=part_vectors)
        copy += 1
    full, chroma_only = [], []
    query_vectors = default_model().embed(QUERIES)
    for i in range(queries):
        text = QUERIES[i % len(QUERIES)]
        start = time.perf_counter()
        similar_to_text(text, k=5, config=config)
        full.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        store.query(query_vectors[i % len(QUERIES) : i % len(QUERIES) + 1], n_results=30)
        chroma_only.append((time.perf_counter() - start) * 1000)
    return store.count(), full, chroma_only


def bench_cold(home: Path, runs: int) -> list[float]:
    """Wall time of a fresh `postmortem similar "..."` process against the example library."""
    store = home / "cold"
    env = {**os.environ, "POSTMORTEM_HOME": str(home)}
    cli = [str(Path(sys.executable).with_name("postmortem"))]
    subprocess.run(cli + ["index", str(EXAMPLES), "--store", str(store)], check=True, env=env, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cli + ["similar", "TLS certificate expired on the gateway", "--store", str(store)],
            check=True,
            env=env,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--skip-peer", action="store_true", help="skip the sentence-transformers peer")
    args = parser.parse_args()
    files = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else sorted(EXAMPLES.glob("*.md"))
    print(f"load average before: {os.getloadavg()[0]:.2f}; files: {len(files)} from {files[0].parent}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["POSTMORTEM_HOME"] = str(home)  # the int8 model is built into $POSTMORTEM_HOME/models
        cold = bench_cold(home, args.cold_runs)
        print(
            f"cold `postmortem similar`: median {statistics.median(cold):.2f} s, max {max(cold):.2f} s "
            f"over {len(cold)} runs (target <= 3 s)"
        )
        print(f"one-time int8 model build (torch export, fusion, quantization): {bench_int8_build(home):.1f} s")
        for embedder, switch in (("int8", "1"), ("float32", "0")):
            os.environ[DISABLE_INT8] = switch
            for label, paths, name in (
                ("example library", sorted(EXAMPLES.glob("*.md")), f"index-examples-{embedder}"),
                ("corpus", files, "index-bench" if embedder == "int8" else "index-bench-fp32"),
            ):
                chunks, seconds, embedding, used, words, pieces = bench_indexing(paths, home, name)
                print(
                    f"indexing the {label} ({embedder}, {used}): {chunks} chunks in {seconds:.1f} s = "
                    f"{chunks / seconds:.1f} chunks/s (target >= 100), "
                    f"{embedding:.1f} s of it embedding ({sum(pieces) / embedding:.0f} word pieces/s); "
                    f"words per chunk median {statistics.median(words):.0f}, mean {statistics.mean(words):.0f}, "
                    f"max {max(words)}; word pieces per chunk mean {statistics.mean(pieces):.0f}; "
                    f"load {os.getloadavg()[0]:.2f}"
                )
                checked, again, embedded = bench_reindex(paths, home, name)
                print(
                    f"re-indexing the unchanged {label}: {checked} chunks checked in {again:.2f} s, {embedded} embedded"
                )
        os.environ.pop(DISABLE_INT8)
        from pipeline.similar.documents import load_document

        texts = [chunk.text for path in files[:60] for chunk in load_document(path).chunks]
        fp32_rate, int8_rate, low, mean = bench_embedders(texts)
        print(
            f"embedding {len(texts)} chunks: numpy float32 MiniLM {fp32_rate:.1f} chunks/s, int8 onnxruntime "
            f"{int8_rate:.1f} chunks/s ({int8_rate / fp32_rate:.2f}x); cosine int8 vs float32 min {low:.4f}, "
            f"mean {mean:.4f}"
        )
        if not args.skip_peer:
            load, rate = bench_peer_embedding(texts)
            print(f"peer sentence-transformers {rate:.1f} chunks/s, its import+load {load:.1f} s")
        count, full, chroma = bench_query(home, args.chunks, args.queries)
        print(
            f"query with {count} chunks ({args.queries} queries, k=5): full similar_to_text p50 "
            f"{percentile(full, 50):.1f} ms, p95 {percentile(full, 95):.1f} ms (target <= 50); "
            f"Chroma only p50 {percentile(chroma, 50):.1f} ms, p95 {percentile(chroma, 95):.1f} ms"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
