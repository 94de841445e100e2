"""Benchmark: classifying a 500-message channel, paired against the engine's existing message tagging.

The channel is `evals/datasets/dns-noisy-channel` (463 messages: an incident inside a noisy channel), its
messages repeated under new IDs up to --messages. The peer is `facts.extract_facts` on the same incident: the
signal-pattern tagging the offline engine already does for every message (roles, moments, steps, impact).
Measured in the same run:

  (a) in-process, warm: `classify(messages)` against `extract_facts(incident)`, best of --repeat;
  (b) whole process (python start, imports, weights load, one call): a child that classifies the channel
      against a child that extracts the facts, both reading the same incident JSON, median of --repeat.

Target: (b) for the classifier well under 1 s.

Run: .venv/bin/python benchmarks/bench_classify.py [--messages 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_draft import best_of

from pipeline.classify import classify
from pipeline.facts import extract_facts
from pipeline.ingest.incident import load_incident
from pipeline.models import Incident

REPO = Path(__file__).resolve().parents[1]
CHANNEL = REPO / "evals" / "datasets" / "dns-noisy-channel"
CHILD = {
    "classify": "from pipeline.classify import classify; classify(incident.chat.messages)",
    "extract_facts": "from pipeline.facts import extract_facts; extract_facts(incident)",
}


def channel_of(size: int) -> Incident:
    """The noisy-channel incident with its chat repeated (new IDs) up to `size` messages."""
    incident, _warnings = load_incident(CHANNEL)
    original = incident.chat.messages
    messages = [original[i % len(original)].model_copy(update={"id": f"C{i + 1}"}) for i in range(size)]
    return incident.model_copy(update={"chat": incident.chat.model_copy(update={"messages": messages})})


def child_seconds(job: str, incident_json: Path) -> tuple[float, float]:
    """(wall, CPU user+system) seconds of a child process doing `job`: CPU time is what a loaded machine
    does not inflate."""
    script = (
        "from pathlib import Path; from pipeline.models import Incident;"
        f"incident = Incident.model_validate_json(Path({str(incident_json)!r}).read_text());" + CHILD[job]
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    incident = channel_of(args.messages)
    classify(incident.chat.messages[:1])  # load the weights once: (a) is the warm cost
    ours = best_of(args.repeat, lambda: classify(incident.chat.messages))
    peer = best_of(args.repeat, lambda: extract_facts(incident))
    print(f"(a) in-process, {args.messages} messages, best of {args.repeat}")
    print(f"    classify       {ours:.3f} s")
    print(f"    extract_facts  {peer:.3f} s   ratio classify/extract_facts {ours / peer:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        incident_json = Path(folder) / "incident.json"
        incident_json.write_text(incident.model_dump_json())
        runs = {job: [] for job in CHILD}
        for _ in range(args.repeat):  # alternate the two children so machine load hits both alike
            for job in CHILD:
                runs[job].append(child_seconds(job, incident_json))
    wall = {job: statistics.median(t[0] for t in times) for job, times in runs.items()}
    cpu = {job: statistics.median(t[1] for t in times) for job, times in runs.items()}
    print(f"(b) whole process (start, imports, load, one call), median of {args.repeat}")
    for job in CHILD:
        print(f"    {job:14} wall {wall[job]:.3f} s   CPU {cpu[job]:.3f} s")
    print(
        f"    ratio classify/extract_facts: wall {wall['classify'] / wall['extract_facts']:.2f},"
        f" CPU {cpu['classify'] / cpu['extract_facts']:.2f}"
    )


if __name__ == "__main__":
    main()
