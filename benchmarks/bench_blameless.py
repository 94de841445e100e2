"""Blameless check vs alex and proselint, in one run: speed on the real corpus, precision/recall on ours.

    .venv/bin/python benchmarks/bench_blameless.py [--repeat 3]

Speed: every Markdown file of ../shared/corpus/postmortems concatenated (about 1 MB) is checked once per
round by each tool as a command-line user runs it (`postmortem check`, `alex`, `proselint check`); the
best wall time counts. Ours is also timed on a one-line file (its start-up), and on a file where every
sentence is flagged (the rules' own positive examples), with and without `--diff`, which parses each
flagged sentence with spaCy to rewrite it: the parser's cost made visible. alex is installed with npm
into benchmarks/.alex (git-ignored) on first use.
Quality: every sentence of evals/blameless/labelled.yaml goes into one Markdown file, one paragraph each;
a sentence counts as flagged when a tool reports anything on its line.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the checkout, or beside a folder of worktrees (/work/wt/NAME -> /work/shared)
CORPUS = next(
    (p / "shared" / "corpus" / "postmortems" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
    ROOT.parent / "shared" / "corpus" / "postmortems",
)
ALEX_DIR = ROOT / "benchmarks" / ".alex"
ALEX = ALEX_DIR / "node_modules" / ".bin" / "alex"
sys.path.insert(0, str(ROOT))


def _run_eval():
    """evals/ is not a package; load the eval module by path for its loader and scorer."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_eval", ROOT / "evals" / "blameless" / "run_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def ensure_alex() -> Path | None:
    """Install npm `alex` into benchmarks/.alex once; None when npm is unavailable."""
    if ALEX.exists():
        return ALEX
    if shutil.which("npm") is None:
        return None
    ALEX_DIR.mkdir(parents=True, exist_ok=True)
    (ALEX_DIR / ".gitignore").write_text("*\n", encoding="utf-8")
    subprocess.run(
        ["npm", "install", "--no-save", "--prefix", str(ALEX_DIR), "alex"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return ALEX if ALEX.exists() else None


def ours() -> list[str]:
    """The installed `postmortem` script, as users run it (`python -m pipeline.cli` imports cli.py twice)."""
    script = Path(sys.executable).with_name("postmortem")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def commands(alex: Path | None) -> dict[str, Callable[[Path], list[str]]]:
    tools: dict[str, Callable[[Path], list[str]]] = {
        "postmortem check": lambda p: [*ours(), "check", str(p)],
    }
    if alex is not None:
        tools["alex"] = lambda p: [str(alex), str(p)]
    proselint = Path(sys.executable).with_name("proselint")
    if proselint.exists():
        tools["proselint"] = lambda p: [str(proselint), "check", str(p)]
    return tools


def run_time(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all threads) of one run.

    CPU time is the steadier figure on a shared machine; wall time is what a user waits for.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def write_bytecode() -> None:
    """Compile the imported `pipeline` package's .pyc files, as `pip install` does for every user.

    This sandbox (and its CI) runs with PYTHONDONTWRITEBYTECODE=1, so without this every run of ours would
    recompile its hundred modules from source (about 0.05 s) while alex and proselint start compiled."""
    code = "import compileall, os, pipeline; compileall.compile_dir(os.path.dirname(pipeline.__file__), quiet=1)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def best_times(runs: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Best wall and best CPU seconds of each command over `repeat` rounds; every round runs every
    command once, so a burst of load on the shared machine hits all of them alike."""
    best = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(repeat):
        for name, argv in runs.items():
            wall, cpu = run_time(argv)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def flagged_lines(tool: str, argv: list[str]) -> set[int]:
    """1-based lines on which the tool reported anything."""
    if tool == "proselint":
        argv = argv[:2] + ["-o", "json"] + argv[2:]
    run = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if tool == "proselint":
        data = json.loads(run.stdout)
        return {d["pos"][0] for result in data["result"].values() for d in result.get("diagnostics", [])}
    if tool == "alex":
        return {int(m.group(1)) for m in re.finditer(r"^\s*(\d+):\d+(?:-\d+:\d+)?\s+warning", run.stderr, re.M)}
    return {int(m.group(1)) for m in re.finditer(r"^[^:\n]+:(\d+):\d+: ", run.stdout, re.M)}


def all_flagged_sentences() -> list[str]:
    """Every positive example of the bundled rules (each is flagged: tests/blameless/test_rule_examples.py)."""
    from pipeline.blameless.rules import load_rules

    return [text for compiled in load_rules().rules for text in compiled.rule.examples.positive]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="Rounds (one run of each tool); the best time counts.")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is absent; nothing to benchmark")
    tools = commands(ensure_alex())
    write_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.md"
        corpus.write_text(
            "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))), encoding="utf-8"
        )
        size = corpus.stat().st_size
        print(
            f"speed: {size / 1e6:.2f} MB ({len(list(CORPUS.glob('*.md')))} files concatenated), best of {args.repeat}"
        )
        blank = Path(tmp) / "blank.md"
        blank.write_text("One blameless sentence.\n", encoding="utf-8")
        runs = {name: make(corpus) for name, make in tools.items()}
        runs["start-up"] = [*ours(), "check", str(blank)]
        seconds = best_times(runs, args.repeat)
        start_wall, start_cpu = seconds.pop("start-up")
        wall, cpu = seconds["postmortem check"]
        for name, (their_wall, their_cpu) in seconds.items():
            ratio = (
                ""
                if name == "postmortem check"
                else (f"  ours is {their_wall / wall:.1f}x faster (wall), {their_cpu / cpu:.1f}x (cpu)")
            )
            print(f"  {name:17} wall {their_wall:6.2f} s  cpu {their_cpu:6.2f} s{ratio}")
        print(f"  of which start-up (a one-line file): wall {start_wall:.2f} s, cpu {start_cpu:.2f} s")

        flagged = Path(tmp) / "flagged.md"
        sentences = all_flagged_sentences()
        flagged.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
        every = {name: make(flagged) for name, make in tools.items()}
        every["postmortem check --diff"] = [*ours(), "check", "--diff", str(flagged)]
        print(f"a file where every sentence is flagged ({len(sentences)} sentences, {flagged.stat().st_size} bytes):")
        for name, (their_wall, their_cpu) in best_times(every, args.repeat).items():
            print(f"  {name:23} wall {their_wall:6.2f} s  cpu {their_cpu:6.2f} s")

        run_eval = _run_eval()
        data = run_eval.load_labelled()
        print("quality on evals/blameless/labelled.yaml (sentence flagged = any report on its line):")
        for split in ("held_out", "tuning"):
            rows = data[split]
            sentences = Path(tmp) / f"{split}.md"
            sentences.write_text("\n\n".join(r["text"] for r in rows) + "\n", encoding="utf-8")
            line_of = {r["text"]: 1 + 2 * i for i, r in enumerate(rows)}
            for name, make in tools.items():
                hit = flagged_lines(name, make(sentences))
                scores = run_eval.precision_recall(rows, lambda text: line_of[text] in hit)
                print(
                    f"  {split:8} {name:17} precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  "
                    f"(tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']})"
                )


if __name__ == "__main__":
    main()
