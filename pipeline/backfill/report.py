"""The batch reports written to --out: the blameless report (which old notes blame people, and how) and summary.json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pipeline.backfill.manifest import Manifest
from pipeline.backfill.runner import RECORDS_DIR, BackfillSummary, record_files
from pipeline.models import NoteRecord, blocking_findings
from pipeline.output import write_atomic


def load_records(out: Path) -> list[NoteRecord]:
    """Records of every note the manifest lists as done (a record file alone may be from a killed run)."""
    manifest = Manifest.open(out)
    try:
        done = manifest.done_note_ids()
    finally:
        manifest.close()
    records = []
    directory = out / RECORDS_DIR
    for note_id in done:
        count = None  # the first record says how many the note has; more files are a killed run's leftovers
        for index, paths in sorted(record_files(directory, note_id).items()):
            for path in (p for p in paths if p.suffix == ".json"):
                record = NoteRecord.model_validate_json(path.read_text(encoding="utf-8"))
                count = record.records_in_file if count is None else count
                if index <= count:
                    records.append(record)
    return records


def blameless_report(records: list[NoteRecord]) -> dict:
    """Per note: its findings; for the batch: how many notes blame people, by rule and level."""
    notes = []
    by_rule: Counter[str] = Counter()
    notes_by_rule: Counter[str] = Counter()
    for record in records:
        if not record.findings:
            continue
        rules = {f"{finding.rule_id} {finding.slug}" for finding in record.findings}
        by_rule.update(f"{finding.rule_id} {finding.slug}" for finding in record.findings)
        notes_by_rule.update(rules)
        notes.append(
            {
                "note_id": record.note_id,
                "source": record.source,
                "title": record.title.value,
                "blames": bool(blocking_findings(record.findings)),
                "findings": [
                    finding.model_dump(
                        mode="json",
                        include={"line", "column", "rule_id", "slug", "level", "match", "message", "suggestion"},
                    )
                    for finding in record.findings
                ],
            }
        )
    return {
        "notes": len(records),
        "notes_with_findings": len(notes),
        "notes_blaming": sum(note["blames"] for note in notes),
        "findings_by_rule": dict(by_rule.most_common()),
        "notes_by_rule": dict(notes_by_rule.most_common()),
        "by_note": sorted(notes, key=lambda note: (-len(note["findings"]), note["source"])),
    }


def render_blameless_markdown(report: dict) -> str:
    lines = [
        "# Blameless report for backfilled notes",
        "",
        f"{report['notes']} notes checked; {report['notes_with_findings']} have findings, "
        f"{report['notes_blaming']} at warning or error level (they blame people).",
        "",
        "| Rule | Findings | Notes |",
        "|------|----------|-------|",
    ]
    lines += [
        f"| {rule} | {count} | {report['notes_by_rule'][rule]} |" for rule, count in report["findings_by_rule"].items()
    ]
    for note in report["by_note"]:
        lines += ["", f"## {note['title']}", "", f"`{note['source']}`", ""]
        lines += [
            f'- line {f["line"]}: **{f["level"]}** {f["rule_id"]} ({f["slug"]}): "{f["match"]}"'
            + (f"; suggest: {f['suggestion']}" if f["suggestion"] else "")
            for f in note["findings"]
        ]
    return "\n".join(lines) + "\n"


def write_reports(out: Path, summary: BackfillSummary) -> dict:
    """Write blameless-report.{md,json} over all done notes and summary.json for this run; return the report."""
    report = blameless_report(load_records(out))
    write_atomic(out / "blameless-report.json", json.dumps(report, indent=2) + "\n")
    write_atomic(out / "blameless-report.md", render_blameless_markdown(report))
    write_atomic(out / "summary.json", json.dumps(summary_dict(summary), indent=2) + "\n")
    return report


def summary_dict(summary: BackfillSummary) -> dict:
    return {
        "found": summary.found,
        "in_shard": summary.in_shard,
        "processed": summary.processed,
        "unchanged": summary.unchanged,
        "failed": len(summary.failed),
        "failures_by_reason": dict(summary.failures_by_reason().most_common()),
        "failed_notes": [{"note": note, "reason": reason} for note, reason in summary.failed],
        "chunks_added": summary.chunks_added,
        "chunks_removed": summary.chunks_removed,
        "notes_with_blame": summary.notes_with_blame,
        "llm_calls": summary.llm_calls,
        "llm_tokens": summary.llm_tokens,
        "seconds": round(summary.seconds, 2),
    }
