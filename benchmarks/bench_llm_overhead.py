"""The LLM engine's own overhead around the model calls, per bundled example (target: under 0.5 s).

The model is the loopback OpenAI-compatible test server (tests/llm/llm_server.py) answering at once,
so the wall time is the pipeline's: prompt rendering, redaction, the openai/langchain client, JSON
schema validation, verification of every claim, the blameless gate, render. The server's replies are
the offline engine's own sections for that example, so they are realistic in size and pass
verification (no repair call). Peer in the same run: the offline draft of the same example.
Printed per example: best-of-N wall time for the LLM draft and the offline draft, time spent inside
model calls (HTTP round trips on loopback, client included), calls, HTTP attempts and tokens.
The first LLM draft also pays the one-time `import langchain_openai` (about 2 s); it is printed apart.

    .venv/bin/python benchmarks/bench_llm_overhead.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "llm"))

from llm_server import FakeOpenAIServer, Reply  # noqa: E402

from pipeline.drafting import draft_from_directory  # noqa: E402
from pipeline.llm import ChatModel, LLMConfig  # noqa: E402
from pipeline.models import Claim, Draft  # noqa: E402
from pipeline.render import render_markdown  # noqa: E402

EXAMPLES = ROOT / "examples"
TARGET_SECONDS = 0.5


def as_reply_claims(claims: list[Claim]) -> list[dict]:
    return [{"text": c.text, "evidence": c.evidence, "established": c.established} for c in claims]


def replies_for(offline: Draft) -> dict[str, Reply]:
    """What a model that wrote exactly the offline sections would answer."""
    narrative = {
        name: as_reply_claims(getattr(offline, name))
        for name in ("executive_summary", "impact", "went_well", "went_wrong", "lessons_learned")
    }
    analysis = {
        "contributing_factors": [f.model_dump(mode="json") for f in offline.contributing_factors],
        "five_whys": [{"question": w.question, "answer": as_reply_claims([w.answer])[0]} for w in offline.five_whys],
        "action_items": [a.model_dump(mode="json") for a in offline.action_items],
    }
    return {"narrative": Reply(narrative), "analysis": Reply(analysis), "repair": Reply({"repaired": []})}


def timed(job) -> tuple[float, object]:
    start = time.perf_counter()
    result = job()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    directories = sorted(p for p in EXAMPLES.iterdir() if (p / "incident.toml").exists())
    print(
        f"{'example':20} {'llm draft s':>11} {'in calls s':>10} {'offline s':>9} {'llm/target':>10} "
        f"{'calls':>5} {'http':>4} {'tokens in':>9} {'tokens out':>10} {'first run s':>11}"
    )
    for directory in directories:
        offline, _ = draft_from_directory(directory, similar=False)
        with FakeOpenAIServer(replies_for(offline)) as server:
            config = LLMConfig(model="bench-model", base_url=server.base_url, api_key="bench")

            def llm_draft():
                model = ChatModel(config)
                draft, _ = draft_from_directory(
                    directory, similar=False, engine="llm", engine_options={"config": config, "model": model}
                )
                render_markdown(draft)
                return draft

            first, _ = timed(llm_draft)
            runs = [timed(llm_draft) for _ in range(args.repeat)]
        best, draft = min(runs, key=lambda run: run[0])
        offline_best = min(
            timed(lambda: render_markdown(draft_from_directory(directory, similar=False)[0]))[0]
            for _ in range(args.repeat)
        )
        usage = draft.metadata.llm
        assert usage is not None and not usage.fallback, draft.metadata.warnings
        print(
            f"{directory.name:20} {best:11.3f} {usage.model_seconds:10.3f} {offline_best:9.3f} "
            f"{best / TARGET_SECONDS:10.2f} {usage.calls:5d} {usage.http_attempts:4d} {usage.input_tokens:9d} "
            f"{usage.output_tokens:10d} {first:11.2f}"
        )


if __name__ == "__main__":
    main()
