"""Does the check still read a sentence, and still rewrite it, once it is dressed as real documents dress it?

    .venv/bin/python evals/blameless/dressing.py [--split dev|blind] [--limit 300] [--show]

The labelled sentences of v2/written.yaml are plain text; real postmortems and chat put the same sentence after a
bullet a word processor pasted, a bold label, a timeline's time, a Slack header line or an IRC tag, and type it
with curly apostrophes, no-break spaces or in lower case. Each format below is applied to each sentence:
- detection: of the blame sentences the check flags plain, the share it still flags dressed (a loss is a
  structural gap: the dressing hid the sentence), and of the blame-free ones it passes plain, the share it
  now flags (a false alarm the dressing brought);
- rewrites: of the blame sentences whose line gets a rewrite plain (the document path `check --diff` takes), the
  share still rewritten dressed.
Blind items are counted only; `--show` lists the first losses per format, for dev only.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.blameless import lint_text  # noqa: E402
from pipeline.blameless.linter import lint_matches  # noqa: E402
from pipeline.blameless.rewrite import plan_rewrites  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_eval_v2 import load_items  # noqa: E402


def _curly(text: str) -> str:
    """Typography a word processor applies: an opening quote mark ‘, every other apostrophe ’."""
    return re.sub(r"(?<![\w.,!?])'", "‘", text).replace("'", "’")


def _wrapped(text: str) -> str:
    """Hard-wrapped after the fourth word, as a text editor leaves a long line."""
    words = text.split(" ")
    return " ".join(words[:4]) + "\n" + " ".join(words[4:]) if len(words) > 5 else text


# Each format is a template ("{}" is the sentence) or a function of the sentence.
FORMATS: dict[str, str | Callable[[str], str]] = {
    "markdown bullet": "- {}",
    "numbered item": "1. {}",
    "checkbox item": "- [ ] {}",
    "pasted bullet •": "• {}",
    "pasted dash –": "– {}",
    "under a heading": "## Contributing factors\n\n{}",
    "action-item list": "## Action items\n\n- {}",
    "bold label": "**Context:** {}",
    "plain label": "Note: {}",
    "Slack bold label": "*Context:* {}",
    "lettered item": "a) {}",
    "tracker row": "AI-7 - {}",
    "timeline time": "14:02 {}",
    "timeline time and zone": "14:02 UTC - {}",
    "ISO time": "2026-05-02T14:02:00Z {}",
    "bracketed date": "[2026-05-02 14:02] {}",
    "table row": "| 14:02 | {} |",
    "Slack header line": "Priya Sharma  10:42 AM\n{}",
    "bracketed Slack time": "[10:42 AM] {}",
    "IRC line": "[10:42] <pat> {}",
    "Teams line": "[14:02] Priya Sharma: {}",
    "bold speaker": "**Priya:** {}",
    "bold time bullet": "- **14:02** {}",
    "emoji first": "🔥 {}",
    "after a sentence": "The deploy finished at 14:00. {}",
    "hard-wrapped": _wrapped,
    "curly apostrophes": _curly,
    "no-break spaces": lambda s: s.replace(" ", "\u00a0"),
    "lower case": str.lower,
}


def dressed(name: str, sentence: str) -> str:
    dressing = FORMATS[name]
    return dressing.format(sentence) if isinstance(dressing, str) else dressing(sentence)


def _rewritten(text: str) -> bool:
    """Whether the document path (`check --diff`) rewrites a sentence of `text` (a rule's short phrase fix aside)."""
    plan = plan_rewrites(text, lint_matches(text))
    return any(edit is not None and len(edit.replacement.split()) > 3 for edit in plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "blind"), default="dev")
    parser.add_argument("--limit", type=int, default=300, help="sentences of each label (sampled, seeded)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="list the first losses per format (dev only)")
    args = parser.parse_args()
    if args.show and args.split != "dev":
        parser.error("--show lists dev items only: blind items are counted, never read")

    items = [i for i in load_items() if i.split == args.split and "\n" not in i.text]
    random.Random(args.seed).shuffle(items)
    blame = [i for i in items if i.blame][: args.limit]
    clean = [i for i in items if not i.blame][: args.limit]
    flagged = [i for i in blame if lint_text(i.text)]
    passed = [i for i in clean if not lint_text(i.text)]
    rewritten = [i for i in flagged if _rewritten(i.text)]
    print(
        f"{args.split}: {len(flagged)} of {len(blame)} blame sentences flagged plain, {len(passed)} of {len(clean)} "
        f"blame-free ones passed, {len(rewritten)} rewritten plain"
    )
    print(f"{'format':26s} {'still flagged':>14s} {'new false alarms':>17s} {'still rewritten':>16s}")
    for name in FORMATS:
        lost = [i for i in flagged if not lint_text(dressed(name, i.text))]
        alarms = [i for i in passed if lint_text(dressed(name, i.text))]
        unrewritten = [i for i in rewritten if not _rewritten(dressed(name, i.text))]
        kept = 1 - len(lost) / max(len(flagged), 1)
        rewrites_kept = 1 - len(unrewritten) / max(len(rewritten), 1)
        print(f"{name:26s} {kept:14.3f} {len(alarms) / max(len(passed), 1):17.3f} {rewrites_kept:16.3f}")
        if args.show:
            for item in (lost + alarms + unrewritten)[:3]:
                print(f"    {item.id}: {dressed(name, item.text)[:110]!r}")


if __name__ == "__main__":
    main()
