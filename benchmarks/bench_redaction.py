"""Benchmark: what secret detection (detect-secrets behind a cheap prefilter) costs on ingest.

In one run, on the same text:
  (a) the 1 MB corpus of real postmortems (../shared/corpus/postmortems, concatenated): redaction with
      detect-secrets, against the peer, our own patterns without detect-secrets; how many lines pass the
      prefilter; and the prefilter's proof: redaction with the prefilter equals redaction without it;
  (b) a 200,000-message Slack export (the generator of bench_chat_ingest.py): ingest = load_chat plus
      redacting every message, messages/s with and without detect-secrets; then the same export with a
      token-shaped string in 1 message in 100 (every one of those goes through detect-secrets).

Target: ingest >= 50,000 messages/s.

Run: .venv/bin/python benchmarks/bench_redaction.py [--messages 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_chat_ingest import generate_export

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "postmortems"  # ../shared from the repository


def time_redaction(texts: list[str], use_library: bool, repeat: int) -> float:
    from pipeline.redact import Redactor

    best = float("inf")
    for _ in range(repeat):
        redactor = Redactor(use_library=use_library)
        started = time.perf_counter()
        for text in texts:
            redactor.redact(text)
        best = min(best, time.perf_counter() - started)
    return best


def corpus_figures(corpus: Path, repeat: int) -> None:
    from pipeline.secrets import is_candidate, redact_secrets

    files = sorted(corpus.glob("*"))
    if not files:
        print(f"corpus: {corpus} not found, skipped (pass --corpus)")
        return
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    lines = text.split("\n")
    candidates = sum(1 for line in lines if is_candidate(line))
    redact_secrets("warm up the library: token=abc123def456")
    ours = time_redaction([text], True, repeat)
    peer = time_redaction([text], False, repeat)
    started = time.perf_counter()
    unfiltered = redact_secrets(text, prefilter=False)
    unfiltered_seconds = time.perf_counter() - started
    lost = sum(1 for a, b in zip(redact_secrets(text).split("\n"), unfiltered.split("\n")) if a != b)
    print(
        f"corpus:     {len(files)} files, {len(text) / 1e6:.2f} MB, {len(lines):,} lines, "
        f"{candidates:,} ({candidates / len(lines):.1%}) pass the prefilter"
    )
    print(f"  with detect-secrets:    {ours:.2f} s  ({len(text) / 1e6 / ours:.2f} MB/s)")
    print(f"  peer, our patterns only: {peer:.2f} s  ({len(text) / 1e6 / peer:.2f} MB/s)")
    print(
        f"  detect-secrets on every line, no prefilter: {unfiltered_seconds:.2f} s; "
        f"lines redacted differently with the prefilter: {lost}"
    )


def export_figures(messages: int, repeat: int, token_every: int | None) -> None:
    from pipeline.ingest.chat import load_chat

    with tempfile.TemporaryDirectory(prefix="bench-redact-") as tmp:
        root = Path(tmp) / "export"
        root.mkdir()
        generate_export(root, messages, 40)
        log = load_chat(root)
        texts = [message.text for message in log.messages]
        if token_every:
            rng = random.Random(3)
            alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
            for index in range(0, len(texts), token_every):
                texts[index] += " build " + "".join(rng.choice(alphabet) for _ in range(32))
        best_load = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            load_chat(root)
            best_load = min(best_load, time.perf_counter() - started)
    ours = time_redaction(texts, True, repeat)
    peer = time_redaction(texts, False, repeat)
    count = len(texts)
    label = f"1 in {token_every} messages carries a token" if token_every else "as generated"
    print(f"export ({label}): {count:,} messages; load_chat {best_load:.2f} s")
    for name, seconds in (("with detect-secrets", ours), ("peer, our patterns only", peer)):
        total = best_load + seconds
        print(
            f"  {name:24s} redact {seconds:.2f} s; ingest (load + redact) {count / total:,.0f} messages/s "
            f"({'met' if count / total >= 50_000 else 'NOT met'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="folder of postmortems (default ../shared/corpus/postmortems)"
    )
    args = parser.parse_args()
    corpus_figures(args.corpus, args.repeat)
    export_figures(args.messages, args.repeat, None)
    export_figures(args.messages, args.repeat, 100)


if __name__ == "__main__":
    main()
