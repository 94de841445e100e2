#!/usr/bin/env python3
"""Materialize the real incident bundles from the public corpus.

    python evals/datasets/real/build.py --out DIR [--corpus PATH] [--postmortem CMD]

Each folder beside this script holds gold.json, incident.toml and source.toml. source.toml names a chat log
and a postmortem in the corpus (with their SHA-256), the line range of the postmortem's timeline section and
how its rows are written. For every bundle this script writes DIR/<slug>/ with:

- the corpus chat file, copied byte for byte (as source.toml's `chat_name`);
- the timeline section converted into a timeline the tool reads (a markdown table, CSV or JSON list, one row
  per entry of the team's timeline, every time written as local ISO 8601 with its UTC offset), then locked
  with `postmortem lock`;
- gold.json and incident.toml, copied.

No corpus text is stored in the repository: it is read from the corpus at build time. Without a corpus
(default: ../shared/corpus beside the checkout) the script says so and exits 0 with nothing built, so
opt-in evals skip cleanly. Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------------------------------- reading


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def section_lines(path: Path, first: int, last: int) -> list[tuple[int, str]]:
    """Lines first..last (1-based, inclusive) of the file, with their numbers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if last > len(lines) or first < 1 or first > last:
        raise BuildError(f"{path}: timeline_lines {first}-{last} outside the file ({len(lines)} lines)")
    return [(n, lines[n - 1]) for n in range(first, last + 1)]


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# "* [08:47] text", "- [03-26 23:04] text", "* [???] text"; lines that do not open a row continue the one above.
BRACKET_ROW = re.compile(r"^\s*[*-]\s+\[(?P<stamp>[^\]]*)\]\s*(?P<text>.*)$")
HHMM = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})$")
MMDD_HHMM = re.compile(r"^(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{1,2}):(?P<m>\d{2})$")


def parse_bracket(lines: list[tuple[int, str]]) -> list[dict]:
    """Markdown bullet timelines with a bracketed clock: `* [HH:MM] text` or `- [MM-DD HH:MM] text`."""
    rows: list[dict] = []
    for n, line in lines:
        m = BRACKET_ROW.match(line)
        if m:
            rows.append({"line": n, "stamp": m["stamp"].strip(), "text": [m["text"]]})
        elif rows and line.strip():
            rows[-1]["text"].append(line)
    return [{**r, "text": clean(" ".join(r["text"]))} for r in rows]


# PagerDuty postmortem PDF exports (text from pypdf): a date line "Nov 14, 2022", entries opening with
# "5:40 AM ..." (sometimes the clock stands alone and the author follows on the next line), PDF page headers
# and footers in between.
PD_DATE = re.compile(r"^(?P<mon>[A-Z][a-z]{2}) (?P<d>\d{1,2}), (?P<y>\d{4})\s*$")
PD_ENTRY = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2}) (?P<ampm>AM|PM)\b\s*(?P<text>.*)$")
PD_PAGE_NOISE = [
    re.compile(r"^Postmortem Report - .* - PagerDuty https?://\S+$"),  # page header
    re.compile(r"^\d+ of \d+ \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}\s*$"),  # page footer: "1 of 3 26.03.2026, 15:37"
]


def parse_pagerduty_pdf(lines: list[tuple[int, str]]) -> list[dict]:
    rows: list[dict] = []
    day: dt.date | None = None
    for n, line in lines:
        if any(p.match(line.strip()) for p in PD_PAGE_NOISE):
            continue
        d = PD_DATE.match(line.strip())
        if d:
            day = dt.date(int(d["y"]), MONTHS[d["mon"]], int(d["d"]))
            continue
        e = PD_ENTRY.match(line.strip())
        if e:
            if day is None:
                raise BuildError(f"line {n}: an entry before any date line")
            hour = int(e["h"]) % 12 + (12 if e["ampm"] == "PM" else 0)
            rows.append({"line": n, "stamp": f"{day.isoformat()} {hour:02d}:{e['m']}", "text": [e["text"]]})
        elif rows and line.strip():
            rows[-1]["text"].append(line)
        # lines before the first entry ("Timeline" heading) are not rows
    return [{**r, "text": clean(" ".join(r["text"]))} for r in rows]


PARSERS = {"bracket": parse_bracket, "pagerduty-pdf": parse_pagerduty_pdf}


# --------------------------------------------------------------------------------------------------- times


def localize(rows: list[dict], src: dict) -> list[dict]:
    """Give each row an aware local datetime.

    `HH:MM` rows take source.toml's `date`, rolled forward one day when the clock goes backwards (a timeline
    crossing midnight); `MM-DD HH:MM` rows take the year of `date`; `YYYY-MM-DD HH:MM` rows are complete.
    `[[row_date]]` entries of source.toml set the date of a row whose written date is wrong or has no year
    (each with its reason); `drop_stamps` lists clocks that cannot be read (such as `???`), whose rows are
    left out, as the tool refuses a row without a time.
    """
    tz = ZoneInfo(src["timezone"])
    base = dt.date.fromisoformat(str(src["date"]))
    fixes = {f["stamp"]: dt.date.fromisoformat(str(f["date"])) for f in src.get("row_date", [])}
    drops = set(src.get("drop_stamps", []))
    out, day, last = [], base, None
    for r in rows:
        stamp = r["stamp"]
        if stamp in drops:
            print(f"  left out line {r['line']}: [{stamp}] {r['text'][:60]}", file=sys.stderr)
            continue
        if m := HHMM.match(stamp):
            clock = dt.time(int(m["h"]), int(m["m"]))
            if last is not None and clock < last:
                day += dt.timedelta(days=1)
            last, date = clock, day
        elif m := MMDD_HHMM.match(stamp):
            clock = dt.time(int(m["h"]), int(m["m"]))
            date = dt.date(base.year, int(m["mo"]), int(m["d"]))
        elif re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", stamp):
            date, clock = dt.date.fromisoformat(stamp[:10]), dt.time.fromisoformat(stamp[11:])
        else:
            raise BuildError(f"line {r['line']}: cannot read the time [{stamp}] (add it to drop_stamps?)")
        if stamp in fixes:
            date = fixes[stamp]
        when = dt.datetime.combine(date, clock, tzinfo=tz)
        out.append({"time": when.isoformat(timespec="minutes"), "event": r["text"]})
    unused = set(fixes) - {r["stamp"] for r in rows}
    if unused:
        raise BuildError(f"row_date stamps not found in the timeline: {sorted(unused)}")
    return out


# --------------------------------------------------------------------------------------------------- writing


def write_timeline(rows: list[dict], fmt: str, dest: Path, title: str) -> Path:
    if fmt == "markdown":
        path = dest / "timeline.md"
        lines = [f"# Timeline: {title}", "", "| Time | Event |", "|---|---|"]
        lines += [f"| {r['time']} | {r['event'].replace('|', chr(92) + '|')} |" for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif fmt == "csv":
        path = dest / "timeline.csv"
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["time", "event"])
        w.writerows([r["time"], r["event"]] for r in rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif fmt == "json":
        path = dest / "timeline.json"
        path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        raise BuildError(f"unknown timeline_format {fmt!r} (markdown, csv or json)")
    return path


def postmortem_command(given: str | None) -> list[str]:
    if given:
        return given.split()
    exe = Path(sys.executable).with_name("postmortem")
    if exe.exists():
        return [str(exe)]
    if found := shutil.which("postmortem"):
        return [found]
    return [sys.executable, "-c", "from pipeline.cli import main; main()"]


def build_bundle(bundle: Path, corpus: Path, out: Path, cmd: list[str]) -> int:
    src = tomllib.loads((bundle / "source.toml").read_text(encoding="utf-8"))
    chat, pm = corpus / src["chat"], corpus / src["postmortem"]
    for path, key in ((chat, "chat_sha256"), (pm, "postmortem_sha256")):
        if not path.is_file():
            raise BuildError(f"{path} is missing from the corpus")
        if src.get(key) and sha256(path) != src[key]:
            raise BuildError(f"{path} changed since source.toml was written (sha256 differs); check the line range")
    first, last = src["timeline_lines"]
    rows = PARSERS[src["timeline_style"]](section_lines(pm, first, last))
    if not rows:
        raise BuildError(f"{pm}: no timeline rows in lines {first}-{last}")
    rows = localize(rows, src)
    dest = out / bundle.name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copyfile(chat, dest / src.get("chat_name", "chat.txt"))
    for name in ("gold.json", "incident.toml"):
        shutil.copyfile(bundle / name, dest / name)
    incident = tomllib.loads((bundle / "incident.toml").read_text(encoding="utf-8"))
    timeline = write_timeline(rows, src.get("timeline_format", "markdown"), dest, incident.get("title", bundle.name))
    done = subprocess.run([*cmd, "lock", timeline.name], cwd=dest, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"postmortem lock refused {timeline}:\n{done.stdout}{done.stderr}")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="where the bundles are written (DIR/<slug>/)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"the corpus (default: {DEFAULT_CORPUS})")
    ap.add_argument("--postmortem", help="command that runs the CLI (default: postmortem beside this Python)")
    ap.add_argument("--only", action="append", default=[], help="build only this slug (repeatable)")
    args = ap.parse_args(argv)

    if not (args.corpus / "INDEX.tsv").is_file():
        print(f"corpus not found at {args.corpus}: nothing built (pass --corpus PATH to build the real bundles)")
        return 0
    bundles = sorted(p.parent for p in HERE.glob("*/source.toml"))
    if args.only:
        bundles = [b for b in bundles if b.name in args.only]
    cmd = postmortem_command(args.postmortem)
    failed = 0
    for bundle in bundles:
        try:
            n = build_bundle(bundle, args.corpus, args.out, cmd)
            print(f"built {args.out / bundle.name} ({n} timeline rows)")
        except (BuildError, KeyError, ValueError) as exc:
            failed += 1
            print(f"FAILED {bundle.name}: {exc}", file=sys.stderr)
    print(f"{len(bundles) - failed} of {len(bundles)} bundles built in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
