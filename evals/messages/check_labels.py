#!/usr/bin/env python3
"""Validate evals/messages/labels.yaml and print its counts per split and class.

    python evals/messages/check_labels.py                  # corpus at /work/shared/corpus or ../shared/corpus
    python evals/messages/check_labels.py --corpus PATH    # or anywhere else
    python evals/messages/check_labels.py --labels FILE

Checks: every item has split/source/line/author/label (also, note and text optional, nothing else); split is
dev or blind and matches where the source lives; label and also are classes of `MessageClass` in
pipeline/models.py (also differs from label); source + line exists and is the first line of a message by that author; no (source, line) twice;
a repository item's text is the start of the message; corpus items carry no text. Corpus items are checked
only when the corpus is found, otherwise skipped with a note. Exit 1 on errors.
"""

import argparse
import collections
import json
import os
import re
import sys
from typing import get_args

import yaml

from pipeline.models import MessageClass

CLASSES = get_args(MessageClass)  # the classifier's own list (pipeline/models.py)
REQUIRED = ("split", "source", "line", "author", "label")
OPTIONAL = ("also", "note", "text")
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PD_STAMP = re.compile(r"^\d{1,2}:\d{2} [AP]M\b")


def find_corpus(arg):
    for c in ([arg] if arg else []) + ["/work/shared/corpus", os.path.join(REPO, "..", "shared", "corpus")]:
        if c and os.path.isdir(os.path.join(c, "chat")):
            return os.path.abspath(c)
    return None


_cache = {}


def read_lines(path):
    if path not in _cache:
        with open(path, encoding="utf-8") as f:
            _cache[path] = f.read().split("\n")
    return _cache[path]


_export = {}


def export_authors(path):
    """Slack export day file: {line of a message's top-level "text" key: (user, username, text)}."""
    if path not in _export:
        lines = read_lines(path)
        with open(path, encoding="utf-8") as f:
            msgs = json.load(f)
        indent = None
        for ln in lines:
            m = re.match(r'^(\s*)"type": "message"', ln)
            if m:
                indent = m.group(1)
                break
        text_lines = [i for i, ln in enumerate(lines, 1) if indent is not None and ln.startswith(indent + '"text":')]
        if len(text_lines) != len(msgs):
            raise ValueError(f"{path}: {len(text_lines)} top-level text keys for {len(msgs)} messages")
        _export[path] = {i: (m.get("user"), m.get("username"), shown(m)) for i, m in zip(text_lines, msgs)}
    return _export[path]


def shown(m):
    """What a chat client shows for a message object: its text, or for a bot its attachments."""
    parts = [m.get("text") or ""]
    for att in m.get("attachments") or []:
        parts += [att.get("fallback", ""), att.get("title", ""), att.get("text", "")]
    return squash(" ".join(parts))


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def check_text(path, line, text):
    """The stored text (the message's first 200 characters, whitespace runs as one space) is in the message."""
    lines = read_lines(path)
    probe = squash(text)[:40]
    if path.endswith(".json"):
        hay = export_authors(path)[line][2]
    elif path.endswith(".jsonl"):
        try:
            hay = squash(json.loads(lines[line - 1]).get("text", ""))
        except ValueError:
            return False
    else:
        hay = squash(" ".join(lines[line - 1 : line + 40]))
    return probe in hay


def check_item(it, corpus, problems, skipped):
    where = f"{it.get('source')}:{it.get('line')}"
    for k in REQUIRED:
        if k not in it:
            problems.append(f"{where}: missing {k}")
            return
    extra = set(it) - set(REQUIRED) - set(OPTIONAL)
    if extra:
        problems.append(f"{where}: unknown keys {sorted(extra)}")
    if it["split"] not in ("dev", "blind"):
        problems.append(f"{where}: split {it['split']!r}")
    if it["label"] not in CLASSES:
        problems.append(f"{where}: label {it['label']!r} not a class")
    if "also" in it and (it["also"] not in CLASSES or it["also"] == it["label"]):
        problems.append(f"{where}: also {it['also']!r}")
    if not isinstance(it["line"], int) or it["line"] < 1:
        problems.append(f"{where}: line must be a positive integer")
        return
    src, line, author = it["source"], it["line"], str(it["author"])
    if src.startswith("corpus:"):
        if "text" in it:
            problems.append(f"{where}: corpus items must not store text")
        if it["split"] != "dev":
            problems.append(f"{where}: corpus chats are dev")
        if corpus is None:
            skipped.append(where)
            return
        path = os.path.join(corpus, src[len("corpus:") :])
    else:
        path = os.path.join(REPO, src)
        want = "blind" if src.startswith("evals/incidents/blind/") else "dev"
        if it["split"] != want:
            problems.append(f"{where}: split {it['split']} but the source is {want}")
        if src.startswith(("evals/datasets/real/", "evals/datasets/held-out/")):
            problems.append(f"{where}: real/ and held-out/ are not label sources")
    if not os.path.isfile(path):
        problems.append(f"{where}: no such file")
        return
    lines = read_lines(path)
    if line > len(lines):
        problems.append(f"{where}: file has {len(lines)} lines")
        return
    if path.endswith(".json"):
        try:
            msgs = export_authors(path)
        except ValueError as e:
            problems.append(str(e))
            return
        if line not in msgs:
            problems.append(f'{where}: not the line of a message\'s "text" key')
            return
        if author not in msgs[line][:2]:
            problems.append(f"{where}: message is by {msgs[line][0] or msgs[line][1]}, not {author}")
    else:
        first = lines[line - 1]
        if PD_STAMP.match(first):  # PagerDuty-style: an event, or a stamp with the author on a following line
            ok = author in " ".join(lines[line - 1 : line + 3]) or author == "PagerDuty"
        else:
            ok = author in first
        if not ok:
            problems.append(f"{where}: author {author!r} not on the message's first line")
    if "text" in it and not check_text(path, line, it["text"]):
        problems.append(f"{where}: text does not match the message")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", default=os.path.join(HERE, "labels.yaml"))
    ap.add_argument("--corpus", help="corpus root holding chat/ (default /work/shared/corpus or ../shared/corpus)")
    a = ap.parse_args()
    with open(a.labels, encoding="utf-8") as f:
        items = yaml.safe_load(f)
    if not isinstance(items, list):
        sys.exit(f"{a.labels}: expected a list of items")
    corpus = find_corpus(a.corpus)
    problems, skipped, seen = [], [], collections.Counter()
    for it in items:
        if not isinstance(it, dict):
            problems.append(f"not a mapping: {it!r}")
            continue
        seen[(it.get("source"), it.get("line"))] += 1
        check_item(it, corpus, problems, skipped)
    for (src, line), n in seen.items():
        if n > 1:
            problems.append(f"{src}:{line}: labelled {n} times")

    counts = collections.Counter((it.get("split"), it.get("label")) for it in items if isinstance(it, dict))
    splits = ["dev", "blind"]
    print(f"{'class':<18}" + "".join(f"{s:>8}" for s in splits) + f"{'total':>8}")
    for c in CLASSES:
        row = [counts[(s, c)] for s in splits]
        print(f"{c:<18}" + "".join(f"{n:>8}" for n in row) + f"{sum(row):>8}")
    tot = [sum(counts[(s, c)] for c in CLASSES) for s in splits]
    print(f"{'total':<18}" + "".join(f"{n:>8}" for n in tot) + f"{sum(tot):>8}")
    also = sum(1 for it in items if isinstance(it, dict) and "also" in it)
    print(f"items with also: {also}; sources: {len({it.get('source') for it in items if isinstance(it, dict)})}")
    if skipped:
        print(
            f"note: corpus not found (/work/shared/corpus, ../shared/corpus or --corpus); "
            f"{len(skipped)} corpus items not checked against their files"
        )
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
