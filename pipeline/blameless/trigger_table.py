"""The trigger words of the bundled rules, worked out once and shipped (`pipeline/data/rule_triggers.json`).

Finding a pattern's trigger words parses it with `re`'s parser, about 0.1 s for the bundled rules: a cost
every `postmortem check` of a large file would pay again. The table is a cache, not a source of truth: a
pattern missing from it (a team's rule, or a bundled one changed since) is worked out at run time, with the
same result. `tests/blameless/test_trigger_table.py` keeps it current; regenerate it with

    python -m pipeline.blameless.trigger_table > pipeline/data/rule_triggers.json
"""

from __future__ import annotations

import json
from functools import cache

from pipeline.package_data import package_path

TABLE_PATH = package_path("data", "rule_triggers.json")
MISSING = object()  # not in the table: work it out at run time


@cache
def shipped_triggers() -> dict[str, frozenset[str] | None]:
    """Expression source -> its trigger words (None: block-unsafe or no literal, so scan everything)."""
    try:
        table = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a missing or damaged cache only costs time
        return {}
    return {source: None if words is None else frozenset(words) for source, words in table.items()}


def render_table() -> str:
    """The table for the bundled rules as they are now, sorted so a change reads as a small diff."""
    from pipeline.blameless.rules import load_rules
    from pipeline.blameless.triggers import prefilter

    sources: set[str] = set()
    for compiled in load_rules().rules:
        for pattern in compiled.patterns:
            sources.update(regex.pattern for regex in (pattern.regex, pattern.near) if regex is not None)
    table = {}
    for source in sorted(sources):
        words = prefilter(source)
        table[source] = None if words is None else sorted(words)
    return json.dumps(table, indent=0, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render_table(), end="")
