"""Reviewer decisions as edits of the draft and lines of review.jsonl, and acceptance rates over many reviews.

Accept writes the finding's rewrite into the draft; Reject keeps the text and records the reviewer's
decision in the file itself as a blameless control around the match (`<!-- blameless-disable BL002 -->`
... `<!-- blameless-enable BL002 -->`), so `postmortem check` agrees with the review. Undo reverses
exactly the edits a decision made. The draft is always written whole (temporary file + rename), and only
the reviewed draft and its review.jsonl are ever written.
"""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import InputError, PipelineError
from pipeline.models import ReviewDecision, ReviewEdit, ReviewItem
from pipeline.review.analysis import DraftedItem, ReviewDocument, ReviewFinding, item_text

REVIEW_LOG = "review.jsonl"


class ReviewConflict(PipelineError):
    """A decision that no longer fits the file (changed on disk, already undone): the page must reload."""


def log_path(draft: Path) -> Path:
    return draft.parent / REVIEW_LOG


def read_decisions(path: Path) -> list[ReviewDecision]:
    """Every decision in a review.jsonl; a line that is not a decision is an InputError naming the line."""
    if not path.is_file():
        return []
    decisions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            decisions.append(ReviewDecision.model_validate_json(line))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "line"
            raise InputError(path, f"not a review decision ({where}: {first['msg']})", line=number) from None
    return decisions


def append_decision(draft: Path, decision: ReviewDecision) -> None:
    """One JSON line, flushed to disk before the page hears it was recorded."""
    with open(log_path(draft), "a", encoding="utf-8") as log:
        log.write(decision.model_dump_json(exclude_none=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def standing(decisions: list[ReviewDecision]) -> list[ReviewDecision]:
    """Accepts and rejects that no later undo reversed, oldest first."""
    undone = {d.undoes for d in decisions if d.decision == "undo"}
    return [d for d in decisions if d.decision != "undo" and d.id not in undone]


def _new_decision(doc: ReviewDocument, kind: str, finding: ReviewFinding, edits: list[ReviewEdit]) -> ReviewDecision:
    return ReviewDecision(
        id=secrets.token_hex(6),
        time=datetime.now(UTC),
        draft=doc.path.name,
        decision=kind,
        item=ReviewItem(
            section=finding.section,
            line=finding.line,
            rule=finding.rule_id,
            text=finding.original if kind == "accept" else finding.match,
            rewrite=finding.rewrite,
        ),
        evidence=finding.evidence,
        engine=doc.engine,
        edits=edits,
    )


def _require_current(doc: ReviewDocument, version: str) -> None:
    """A decision applies to the text the page showed; a draft changed on disk since is a conflict."""
    if version != doc.version:
        raise ReviewConflict("the draft changed on disk since the page was loaded; reload the page")


def _finding(doc: ReviewDocument, key: str, version: str) -> ReviewFinding:
    _require_current(doc, version)
    finding = doc.finding(key)
    if finding is None:
        raise ReviewConflict("that finding is no longer in the draft; reload the page")
    return finding


def _write(doc: ReviewDocument, text: str) -> None:
    """The whole draft, atomically, with the newlines and byte-order mark it had."""
    from pipeline.output import write_atomic

    if doc.newline != "\n":
        text = text.replace("\n", doc.newline)
    write_atomic(doc.path, ("\ufeff" if doc.bom else "") + text)


def accept(doc: ReviewDocument, key: str, version: str) -> ReviewDecision:
    """Write the finding's rewrite into the draft and record the decision."""
    finding = _finding(doc, key, version)
    if finding.rewrite is None:
        raise ReviewConflict(f"{finding.rule_id} has no rewrite to accept here; edit the sentence or reject it")
    _write(doc, doc.text[: finding.edit_start] + finding.rewrite + doc.text[finding.edit_end :])
    edit = ReviewEdit(offset=finding.edit_start, before=finding.original, after=finding.rewrite)
    decision = _new_decision(doc, "accept", finding, [edit])
    append_decision(doc.path, decision)
    return decision


def reject(doc: ReviewDocument, key: str, version: str) -> ReviewDecision:
    """Keep the text; record the reviewer's decision as a blameless control around the match."""
    finding = _finding(doc, key, version)
    opening = f"<!-- blameless-disable {finding.rule_id} -->"
    closing = f"<!-- blameless-enable {finding.rule_id} -->"
    text = doc.text
    text = text[: finding.start] + opening + text[finding.start : finding.end] + closing + text[finding.end :]
    _write(doc, text)
    edits = [
        ReviewEdit(offset=finding.start, before="", after=opening),
        ReviewEdit(offset=finding.end + len(opening), before="", after=closing),
    ]
    decision = _new_decision(doc, "reject", finding, edits)
    append_decision(doc.path, decision)
    return decision


def _item(doc: ReviewDocument, key: str, version: str) -> DraftedItem:
    _require_current(doc, version)
    item = doc.item(key)
    if item is None:
        raise ReviewConflict("that item is no longer in the draft; reload the page")
    return item


def _item_decision(
    doc: ReviewDocument, kind: str, item: DraftedItem, edits: list[ReviewEdit], rewrite: str | None = None
) -> ReviewDecision:
    return ReviewDecision(
        id=secrets.token_hex(6),
        time=datetime.now(UTC),
        draft=doc.path.name,
        decision=kind,
        item=ReviewItem(kind=item.kind, section=item.section, line=item.line, text=item.text, rewrite=rewrite),
        evidence=item.evidence,
        engine=doc.engine,
        edits=edits,
    )


def keep(doc: ReviewDocument, key: str, version: str) -> ReviewDecision:
    """Keep a drafted item as it is: recorded (an accept), the file unchanged."""
    item = _item(doc, key, version)
    decision = _item_decision(doc, "accept", item, [])
    append_decision(doc.path, decision)
    return decision


def remove(doc: ReviewDocument, key: str, version: str) -> ReviewDecision:
    """Remove a drafted item's lines from the draft (a reject), recorded so that Undo can put them back."""
    item = _item(doc, key, version)
    _write(doc, doc.text[: item.start] + doc.text[item.end :])
    decision = _item_decision(
        doc, "reject", item, [ReviewEdit(offset=item.start, before=doc.text[item.start : item.end], after="")]
    )
    append_decision(doc.path, decision)
    return decision


MAX_EDIT_CHARS = 20_000


def edit(doc: ReviewDocument, key: str, version: str, source: str) -> ReviewDecision:
    """Replace a drafted item's lines with the reviewer's markdown, recorded with what it was."""
    item = _item(doc, key, version)
    if not isinstance(source, str) or not source.strip() or len(source) > MAX_EDIT_CHARS:
        raise ReviewConflict(f"an edit is 1 to {MAX_EDIT_CHARS:,} characters of markdown; to drop the item, Remove it")
    before = doc.text[item.start : item.end]
    after = source.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + ("\n" if before.endswith("\n") else "")
    if after == before:
        raise ReviewConflict("the edit changes nothing; use Keep to accept the item as drafted")
    _write(doc, doc.text[: item.start] + after + doc.text[item.end :])
    edits = [ReviewEdit(offset=item.start, before=before, after=after)]
    decision = _item_decision(doc, "edit", item, edits, rewrite=item_text(after.rstrip("\n")))
    append_decision(doc.path, decision)
    return decision


def undo(doc: ReviewDocument, decision_id: str, version: str) -> ReviewDecision:
    """Reverse a standing decision's edits (found where they were made, or nearest to it when other edits
    moved the text since) and record the undo."""
    _require_current(doc, version)
    recorded = standing(read_decisions(log_path(doc.path)))
    target = next((d for d in recorded if d.id == decision_id and d.draft == doc.path.name), None)
    if target is None:
        raise ReviewConflict("no standing decision with that id (already undone?); reload the page")
    text = doc.text
    for edit in reversed(target.edits):
        offset = _locate(text, edit)
        if offset is None:
            raise ReviewConflict(
                f"cannot undo: the text this decision wrote ({edit.after!r}) was edited since; change it by hand"
            )
        text = text[:offset] + edit.before + text[offset + len(edit.after) :]
    _write(doc, text)
    decision = ReviewDecision(
        id=secrets.token_hex(6),
        time=datetime.now(UTC),
        draft=doc.path.name,
        decision="undo",
        item=target.item,
        evidence=target.evidence,
        engine=target.engine,
        undoes=target.id,
    )
    append_decision(doc.path, decision)
    return decision


def _locate(text: str, edit: ReviewEdit) -> int | None:
    """Where the edit's text now stands: at its offset, else its occurrence nearest to it."""
    if not edit.after:
        return min(edit.offset, len(text))
    if text[edit.offset : edit.offset + len(edit.after)] == edit.after:
        return edit.offset
    found, start = [], text.find(edit.after)
    while start >= 0:
        found.append(start)
        start = text.find(edit.after, start + 1)
    return min(found, key=lambda at: abs(at - edit.offset)) if found else None


# ---------------------------------------------------------------- acceptance rates


@dataclass
class Acceptance:
    accepted: int = 0
    edited: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.accepted + self.edited + self.rejected

    @property
    def rate(self) -> float:
        return self.accepted / self.total if self.total else 0.0


def review_logs(paths: list[Path]) -> list[Path]:
    """review.jsonl files: given directly, or found under the given folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob(REVIEW_LOG)))
        else:
            raise InputError(path, "not found", hint="give folders holding review.jsonl files, or the files")
    if not found:
        raise InputError(", ".join(map(str, paths)), f"no {REVIEW_LOG} found", hint="run `postmortem review` first")
    return found


def acceptance_rates(decisions: list[ReviewDecision]) -> dict[str, dict[str, Acceptance]]:
    """Standing accepts and rejects counted per section, per engine, per kind of item, and overall."""
    table: dict[str, dict[str, Acceptance]] = {name: defaultdict(Acceptance) for name in ("section", "engine", "item")}
    table["all"] = defaultdict(Acceptance)
    for decision in standing(decisions):
        section = (decision.item.section if decision.item else "") or "(no section)"
        item = decision.item.kind if decision.item else "rewrite"
        for kind, key in (("section", section), ("engine", decision.engine), ("item", item), ("all", "all")):
            counts = table[kind][key]
            if decision.decision == "accept":
                counts.accepted += 1
            elif decision.decision == "edit":
                counts.edited += 1
            else:
                counts.rejected += 1
    return {kind: dict(rows) for kind, rows in table.items()}


def render_acceptance(rates: dict[str, dict[str, Acceptance]], logs: int) -> str:
    """A text table: accepted as proposed / decided per section, engine and kind of item (an undone decision
    counts as none). For a drafted item, accepted means kept as drafted; for a rewrite, applied; an edited
    item counts as decided, not accepted."""
    lines = [f"review decisions from {logs} review.jsonl file(s)"]
    overall = rates["all"].get("all", Acceptance())
    lines.append(f"accepted as proposed: {overall.accepted}/{overall.total} ({overall.rate:.0%})")
    for kind in ("section", "engine", "item"):
        rows = sorted(rates[kind].items(), key=lambda row: (-row[1].total, row[0]))
        if not rows:
            continue
        width = max(len(name) for name, _ in rows)
        lines.append("")
        lines.append(f"{kind:<{width}}  accepted  edited  rejected  rate")
        lines += [
            f"{name:<{width}}  {c.accepted:>8}  {c.edited:>6}  {c.rejected:>8}  {c.rate:>4.0%}" for name, c in rows
        ]
    return "\n".join(lines) + "\n"
